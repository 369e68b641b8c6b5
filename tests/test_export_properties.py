"""Any campaign exports, in every format, dialect and language, and parses back cell for cell."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import attrs
from hypothesis import given, settings
from strategies import campaign_with_records, export_options

import cloudcontact_results as ccr

DELIMITERS = {"platform": ",", "excel": ",", "excel-ru": ";"}
_PLAIN_NUMBER = re.compile(r"[+-]\d+(?:[.,]\d+)?")


def spreadsheet_safe(cell: str) -> str:
    """The guard as section 7 of the spec states it, written independently of the library."""
    bare = cell.lstrip("'")
    formula = bare[:1] in {"=", "@", "\t", "\r"} or (
        bare[:1] in {"+", "-"} and _PLAIN_NUMBER.fullmatch(bare) is None
    )
    return "'" + cell if formula else cell


def parse(data: bytes, dialect: str) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff") == (dialect != "platform")
    reader = csv.reader(
        io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=DELIMITERS[dialect]
    )
    return list(reader)


options_strategy = export_options()


@settings(max_examples=40)
@given(campaign_with_records(max_records=6), options_strategy)
def test_export_parses_back_to_the_formatted_cells(
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]], options: ccr.ExportOptions
) -> None:
    campaign, records = campaign_and_records
    stream = io.BytesIO()
    result = ccr.export(campaign, iter(records), stream, options)

    formatter = ccr.RowFormatter(options)
    expected = [list(ccr.report_header(campaign, options))]
    expected += [formatter.cells(row) for row in ccr.report_rows(campaign, records, options)]
    if options.formula_guard:
        expected = [[spreadsheet_safe(cell) for cell in row] for row in expected]

    assert parse(stream.getvalue(), options.dialect) == expected
    assert result.rows == len(expected) - 1
    assert result.bytes == len(stream.getvalue())


@settings(max_examples=15)
@given(campaign_with_records(max_records=4), options_strategy)
def test_zip_member_is_the_plain_export(
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]], options: ccr.ExportOptions
) -> None:
    campaign, records = campaign_and_records
    plain, zipped = io.BytesIO(), io.BytesIO()
    ccr.export(campaign, records, plain, options)
    result = ccr.export(campaign, records, zipped, attrs.evolve(options, compress=True))
    with zipfile.ZipFile(zipped) as archive:
        assert archive.namelist() == [result.member]
        assert archive.read(str(result.member)) == plain.getvalue()
