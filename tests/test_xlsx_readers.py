"""The two readers of a workbook, calamine and openpyxl: the same rows, the same errors.

Every other workbook test runs with each reader (the ``xlsx_engine`` fixture);
these compare the two directly, on exports, on edited workbooks, and on
damaged ones, and check which reader ``xlsx_engine`` picks.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from typing import Any

import openpyxl
import pytest
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from tests.conftest import examples
from tests.support.strategies import campaign_with_records, cell_texts, export_options
from tests.test_xlsx_hostile import SHEET, mutated_bytes, mutated_parts, parts_of, small_workbook

ENGINES = ("calamine", "openpyxl")


def outcome(data: bytes, engine: str, **options: Any) -> tuple[str, object]:
    """What reading ``data`` with ``engine`` gives: header, rows and errors, or the error."""
    try:
        report = ccr.read_report(io.BytesIO(data), errors="collect", xlsx_engine=engine, **options)
        rows = list(report)
    except ccr.errors.ReadError as error:
        return "raised", (error.sheet, error.line, error.column, error.value)
    errors = [(e.sheet, e.line, e.column, e.value, str(e)) for e in report.errors]
    return "read", (report.header, rows, errors)


@pytest.mark.slow
@settings(max_examples=examples(40))
@given(
    campaign_with_records(max_records=6), export_options(layout=st.sampled_from(["manual", "5.x"]))
)
def test_both_readers_read_any_export_as_the_same_rows(campaign_and_records, options):
    campaign, records = campaign_and_records
    sink = io.BytesIO()
    options = ccr.ExportOptions(
        format=options.format,
        language=options.language,
        timezone=options.timezone,
        layout=options.layout,
        file_format="xlsx",
    )
    ccr.export(campaign, records, sink, options)
    names = [field.name for field in campaign.exported_script_fields]
    read = [
        outcome(sink.getvalue(), engine, timezone=options.timezone, script_fields=names)
        for engine in ENGINES
    ]
    assert read[0][0] == "read"
    assert read[0] == read[1]


def test_a_small_export_reads_the_same_with_both():
    read = [outcome(small_workbook(), engine) for engine in ENGINES]
    assert read[0][0] == "read"
    assert read[0] == read[1]


def edited_sheet(cells: list[list[Any]], formats: dict[tuple[int, int], str]) -> bytes:
    """A workbook openpyxl writes (shared strings, its own styles) with these cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Simple report"
    for row_number, row in enumerate(cells, 1):
        for column, value in enumerate(row, 1):
            sheet.cell(row_number, column).value = value
    for (row_number, column), number_format in formats.items():
        sheet.cell(row_number, column).number_format = number_format
    sink = io.BytesIO()
    book.save(sink)
    return sink.getvalue()


HEADER = list(ccr.report_header(ccr.Campaign("C", [ccr.CallingList("L", ["N"])])))
#: Number formats: date-times, a date, a duration, numbers, text.
DATE_FORMATS = ("yyyy-mm-dd hh:mm:ss", "dd.mm.yyyy", "[h]:mm:ss")
NUMBER_FORMATS = ("0.00", "General", "@")
#: The serial numbers a spreadsheet shows as dates: 1900-01-00 to 9999-12-31.
#: Outside them the readers differ (docs/reading.md).
LAST_DATE = 2958465.99


def foreign_values(number_format: str) -> st.SearchStrategy[object]:
    if number_format in DATE_FORMATS:
        numbers = st.integers(0, int(LAST_DATE)) | st.floats(0, LAST_DATE)
    else:
        numbers = st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False)
    return st.one_of(
        cell_texts(),
        numbers,
        st.booleans(),
        # Wall-clock times, as a spreadsheet holds them.
        st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 1, 1)),  # noqa: DTZ001
        st.none(),
    )


@st.composite
def spreadsheet_cells(draw: st.DrawFn) -> tuple[list[list[object]], str]:
    """Rows of any typed cells under a simple report's header, all in one number format."""
    number_format = draw(st.sampled_from(DATE_FORMATS + NUMBER_FORMATS))
    row = st.lists(foreign_values(number_format), max_size=len(HEADER) + 2)
    return draw(st.lists(row, min_size=1, max_size=5)), number_format


@pytest.mark.slow
@settings(max_examples=examples(60))
@given(spreadsheet_cells())
def test_both_readers_agree_on_any_cells_a_spreadsheet_saves(cells):
    """Typed cells where a report has text, text where it has numbers: rows and errors alike."""
    rows, number_format = cells
    formats = {
        (row, column): number_format
        for row in range(2, len(rows) + 2)
        for column in range(1, len(HEADER) + 3)
    }
    data = edited_sheet([HEADER, *rows], formats)
    read = [outcome(data, engine) for engine in ENGINES]
    assert read[0] == read[1]


def test_an_error_cell_reads_as_openpyxl_reads_it():
    # calamine gives an error cell as empty: a sheet holding one is read by openpyxl.
    data = edited_sheet([HEADER, ["x", 1, *[None] * (len(HEADER) - 2)]], {})
    sheet = re.sub(
        rb'<c r="B2"[^>]*>.*?</c>', b'<c r="B2" t="e"><v>#N/A</v></c>', parts_of(data)[SHEET]
    )
    for engine in ENGINES:
        with pytest.raises(ccr.errors.ReadError) as raised:
            list(ccr.read_report(io.BytesIO(_with_sheet(data, sheet)), xlsx_engine=engine))
        assert (raised.value.line, raised.value.column, raised.value.value) == (
            2,
            HEADER[1],
            "#N/A",
        )


@pytest.mark.parametrize("kind", ["inlineStr", "nlineStr", "x", "e"])
def test_a_cell_of_any_type_reads_the_same_with_both_readers(kind):
    # calamine reads the inline text of a cell whatever its type says; openpyxl
    # reads none for a type it does not know: such a sheet is read by openpyxl.
    data = edited_sheet([HEADER, ["x", 1, *[None] * (len(HEADER) - 2)]], {})
    cell = b'<c r="B2" t="%s"><is><t>text</t></is></c>' % kind.encode()
    sheet = re.sub(rb'<c r="B2"[^>]*>.*?</c>', cell, parts_of(data)[SHEET])
    assert cell in sheet
    calamine, by_openpyxl = (outcome(_with_sheet(data, sheet), engine) for engine in ENGINES)
    assert calamine == by_openpyxl
    if kind == "inlineStr":  # the cell's text is read, and refused as a count
        (first_error, *_) = calamine[1][2]
        assert first_error[1:4] == (2, HEADER[1], "text")


def _with_sheet(data: bytes, sheet: bytes) -> bytes:
    parts = parts_of(data)
    parts[SHEET] = sheet
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in parts.items():
            archive.writestr(name, part)
    return sink.getvalue()


@pytest.mark.slow
@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.one_of(mutated_bytes(), mutated_parts()))
def test_both_readers_agree_on_damaged_workbooks(data):
    calamine, by_openpyxl = outcome(data, "calamine"), outcome(data, "openpyxl")
    if by_openpyxl[0] == "read":
        assert calamine == by_openpyxl
    else:
        # openpyxl refuses some damage calamine passes over (a part it does not
        # need: the list of the parts' types, the properties, the styles; a
        # stray byte outside any element): calamine may then read the cells
        # as written, or refuse too, never anything but a ReadError.
        assert calamine[0] in {"raised", "read"}


def spy_on_calamine(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The workbooks calamine is asked to open, from now on."""
    opened: list[object] = []
    real = python_calamine.CalamineWorkbook

    class Spy:
        @staticmethod
        def from_filelike(target: object) -> object:
            opened.append(target)
            return real.from_filelike(target)

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Spy)
    return opened


@pytest.mark.parametrize(
    ("engine", "by_calamine"), [("auto", True), ("calamine", True), ("openpyxl", False)]
)
def test_the_engine_asked_for_reads(monkeypatch, engine, by_calamine):
    opened = spy_on_calamine(monkeypatch)
    rows = list(ccr.read_report(io.BytesIO(small_workbook()), xlsx_engine=engine))
    assert len(rows) == 7
    assert bool(opened) is by_calamine


def test_without_calamine_auto_is_openpyxl_and_calamine_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    assert len(list(ccr.read_report(io.BytesIO(small_workbook())))) == 7
    with pytest.raises(ImportError, match=r"python-calamine.*cloudcontact-results\[xlsx\]"):
        ccr.read_report(io.BytesIO(small_workbook()), xlsx_engine="calamine")


def test_an_unknown_engine_is_an_options_error():
    with pytest.raises(ccr.errors.OptionsError, match="xlsx_engine"):
        ccr.read_report(io.BytesIO(small_workbook()), xlsx_engine="xlrd")  # type: ignore[arg-type]


def test_a_sheet_too_big_for_calamine_is_streamed_by_openpyxl(monkeypatch):
    # One cell at the last row: calamine would hold a million rows of the grid.
    sheet = parts_of(small_workbook())[SHEET]
    last = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>late</t></is></c></row>'
    data = _with_sheet(small_workbook(), sheet.replace(b"</sheetData>", last + b"</sheetData>"))
    opened = spy_on_calamine(monkeypatch)
    report = ccr.read_report(io.BytesIO(data), errors="collect", xlsx_engine="calamine")
    assert len(list(report)) == 7
    assert [error.line for error in report.errors] == [1_048_576]
    assert opened == []


@pytest.mark.parametrize("cut", [1, 3, 8, 12])
def test_a_tag_cut_where_the_survey_reads_on_is_read_by_calamine(monkeypatch, cut):
    # The survey reads a part a mebibyte at a time: a cell's tag cut at a
    # chunk's end must neither send the sheet to openpyxl nor pass unseen.
    sheet = parts_of(small_workbook())[SHEET]
    tag = sheet.index(b'<c r="', sheet.index(b"<sheetData>"))
    padding = b" " * (2**20 - cut - tag)
    padded = sheet.replace(b"<sheetData>", padding + b"<sheetData>")
    assert padded[2**20 - cut : 2**20 - cut + 6] == b'<c r="'
    data = _with_sheet(small_workbook(), padded)
    opened = spy_on_calamine(monkeypatch)
    read = [outcome(data, engine) for engine in ENGINES]
    assert len(opened) == 1
    assert read[0] == read[1] == outcome(small_workbook(), "openpyxl")
