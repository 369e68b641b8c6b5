"""Any campaign exports, in every format, dialect and language, and parses back cell for cell."""

from __future__ import annotations

import io
import zipfile

import attrs
import pytest
from hypothesis import given, settings

import cloudcontact_results as ccr
from tests.conftest import examples
from tests.support.answers import parse, spreadsheet_safe
from tests.support.strategies import campaign_with_records, export_options

options_strategy = export_options()


@pytest.mark.slow
@settings(max_examples=examples(40))
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


@pytest.mark.slow
@settings(max_examples=examples(15))
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
