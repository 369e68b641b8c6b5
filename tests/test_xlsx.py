"""Excel workbooks (docs/export.md, docs/reading.md): typed cells, read back as the same rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from tests.conftest import examples
from tests.support.answers import expected_frame
from tests.support.strategies import campaign_with_records, export_options

# Every test reads workbooks with each reader (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("xlsx_engine")

PHONES = ("+79161234567", "0079161234567")
HOSTILE = ('=HYPERLINK("http://x")', "@SUM(A1)", "+1+1", "-2+3", "1/2", "TRUE", "'=1")


def workbook_of(campaign, records, **options) -> bytes:
    sink = io.BytesIO()
    ccr.export(campaign, records, sink, ccr.ExportOptions(file_format="xlsx", **options))
    return sink.getvalue()


@pytest.mark.slow
@settings(
    max_examples=examples(20),
    # The fixture only chooses the reader: the same for every example.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    campaign_with_records(max_records=6),
    export_options(layout=st.sampled_from(["manual", "5.x"])),
)
def test_a_workbook_reads_back_as_the_csv_export_reads_back(campaign_and_records, options):
    campaign, records = campaign_and_records
    names = [field.name for field in campaign.exported_script_fields]
    text = io.BytesIO()
    ccr.export(campaign, records, text, options)
    from_csv = ccr.read_report(
        io.BytesIO(text.getvalue()),
        timezone=options.timezone,
        script_fields=names,
        formula_guard=options.formula_guard,
    )
    data = workbook_of(
        campaign,
        records,
        format=options.format,
        language=options.language,
        timezone=options.timezone,
        layout=options.layout,
    )
    report = ccr.read_report(io.BytesIO(data), timezone=options.timezone, script_fields=names)
    assert report.file_format is ccr.FileFormat.XLSX
    assert (report.format, report.language) == (from_csv.format, from_csv.language)
    assert report.header == from_csv.header
    assert list(report) == list(from_csv)


def sample_campaign() -> tuple[ccr.Campaign, list[ccr.Record]]:
    campaign = ccr.Campaign(
        "Опрос", [ccr.CallingList("Клиенты", ["Фамилия", "Телефон", "Телефон 2", "Заметка"])]
    )
    moscow = dt.timezone(dt.timedelta(hours=3))
    records = [
        ccr.Record(
            str(number),
            "Клиенты",
            {"Фамилия": "Ёлкина", "Телефон": PHONES[0], "Телефон 2": PHONES[1], "Заметка": note},
            [
                ccr.Attempt(
                    PHONES[number % 2],
                    dt.datetime(2026, 3, 2, 10, number, 5, tzinfo=moscow),
                    call_disposition=ccr.system_disposition("No answer"),
                    dialing_duration=30 + number,
                    cpa_result=ccr.CPAResult.RING_BACK,
                    sip_code=480,
                )
            ],
        )
        for number, note in enumerate(HOSTILE)
    ]
    return campaign, records


def test_cells_are_typed_and_the_sheet_is_ready_to_filter(tmp_path):
    campaign, records = sample_campaign()
    path = tmp_path / "detailed.xlsx"
    result = ccr.export(
        campaign,
        records,
        path,
        ccr.ExportOptions(format="detailed", language="ru", file_format="xlsx"),
    )
    assert (result.rows, result.path, result.bytes) == (7, path, path.stat().st_size)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Подробный отчёт"]
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    assert header == list(
        ccr.report_header(campaign, ccr.ExportOptions(format="detailed", language="ru"))
    )
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}8"
    row = {name: sheet.cell(2, position + 1) for position, name in enumerate(header)}
    assert (row["Телефон"].data_type, row["Телефон"].value) == ("s", PHONES[0])
    assert (row["Телефон 2"].data_type, row["Телефон 2"].value) == ("s", PHONES[1])
    assert row["Заметка"].value == HOSTILE[0]
    assert (row["Длительность набора"].data_type, row["Длительность набора"].value) == ("n", 30)
    assert row["Время попытки"].is_date
    assert row["Время попытки"].value == dt.datetime(2026, 3, 2, 10, 0, 5)  # noqa: DTZ001
    assert row["Время попытки"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert row["Статус попытки"].value == "Нет ответа"
    assert row["Комментарий к вызову"].value == "CPA: КПВ (8); SIP: 480 Temporarily Unavailable"
    formulas = [
        cell.coordinate for line in sheet.iter_rows() for cell in line if cell.data_type == "f"
    ]
    assert formulas == []
    assert [line[3].value for line in sheet.iter_rows(min_row=2)] == list(HOSTILE)


def test_times_are_in_the_export_time_zone(tmp_path):
    campaign, records = sample_campaign()
    data = workbook_of(campaign, records, format="detailed", timezone="Asia/Yekaterinburg")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    column = [cell.value for cell in sheet[1]].index("Call Time") + 1
    assert sheet.cell(2, column).value == dt.datetime(2026, 3, 2, 12, 0, 5)  # noqa: DTZ001
    rows = list(ccr.read_report(io.BytesIO(data), timezone="Asia/Yekaterinburg"))
    assert rows[0].call_time == records[0].attempts[0].time


def test_a_bad_cell_names_sheet_row_and_column(tmp_path):
    campaign, records = sample_campaign()
    path = tmp_path / "edited.xlsx"
    path.write_bytes(workbook_of(campaign, records, format="detailed"))
    book = openpyxl.load_workbook(path)
    sheet = book.active
    column = [cell.value for cell in sheet[1]].index("Dialing Duration") + 1
    sheet.cell(4, column).value = "thirty"
    book.save(path)
    with pytest.raises(ccr.errors.ReadError) as raised:
        list(ccr.read_report(path))
    error = raised.value
    assert (error.sheet, error.line, error.column, error.value) == (
        "Detailed report",
        4,
        "Dialing Duration",
        "thirty",
    )
    assert str(error).startswith("sheet 'Detailed report', row 4, column 'Dialing Duration':")
    collected = ccr.read_report(path, errors="collect")
    assert len(list(collected)) == 6
    assert [error.line for error in collected.errors] == [4]


def test_a_workbook_of_several_sheets_needs_member(tmp_path):
    campaign, records = sample_campaign()
    path = tmp_path / "two.xlsx"
    path.write_bytes(workbook_of(campaign, records))
    book = openpyxl.load_workbook(path)
    book.create_sheet("Notes")
    book.save(path)
    with pytest.raises(ccr.errors.ReadError, match=r"several sheets.*'Simple report', 'Notes'"):
        ccr.read_report(path)
    report = ccr.read_report(path, member="Simple report")
    assert report.sheet == "Simple report"
    assert len(list(report)) == 7
    with pytest.raises(ccr.errors.ReadError, match="no sheet 'Other'"):
        ccr.read_report(path, member="Other")


def test_a_workbook_report_is_read_again_and_as_a_frame(tmp_path):
    campaign, records = sample_campaign()
    stream = io.BytesIO(workbook_of(campaign, records, format="detailed"))
    report = ccr.read_report(stream)
    first, second = list(report), list(report)
    assert first == second
    assert len(report.head(2)) == 2
    pd.testing.assert_frame_equal(report.to_pandas(), expected_frame(report))
    assert report.to_arrow().num_rows == 7


def test_compress_is_for_csv_only():
    with pytest.raises(ccr.errors.OptionsError, match="compress applies to CSV only"):
        ccr.ExportOptions(file_format="xlsx", compress=True)


def test_a_value_too_long_for_a_cell_is_an_export_error(tmp_path):
    campaign = ccr.Campaign("C", [ccr.CallingList("L", ["N"])])
    path = tmp_path / "long.xlsx"
    with pytest.raises(ccr.errors.ExportError, match="at most 32767 characters"):
        ccr.export(
            campaign,
            [ccr.Record("1", "L", {"N": "x" * 40_000})],
            path,
            ccr.ExportOptions(file_format="xlsx"),
        )
    assert list(tmp_path.iterdir()) == []


# --- the real spreadsheet program ----------------------------------------------------


def soffice() -> str:
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        pytest.skip("LibreOffice (soffice) is not installed here; .ci/run installs it")
    return program


def convert(program: str, source: Path, target: str, folder: Path) -> Path:
    """``source`` opened and saved by LibreOffice headless as ``target`` (a filter spec)."""
    profile = folder / "profile"
    subprocess.run(
        [
            program,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    suffix = target.split(":", 1)[0]
    return folder / f"{source.stem}.{suffix}"


@pytest.mark.slow
def test_libreoffice_keeps_phones_text_and_cyrillic_and_evaluates_nothing(tmp_path):
    program = soffice()
    campaign, records = sample_campaign()
    path = tmp_path / "export.xlsx"
    ccr.export(campaign, records, path, ccr.ExportOptions(format="detailed", file_format="xlsx"))

    # Comma-separated, quoted text, UTF-8 (76): what LibreOffice shows in each cell.
    shown = convert(program, path, "csv:Text - txt - csv (StarCalc):44,34,76,1", tmp_path / "csv")
    lines = list(csv.reader(io.StringIO(shown.read_text(encoding="utf-8"))))
    header, rows = lines[0], lines[1:]
    by_name = [dict(zip(header, row, strict=True)) for row in rows]
    assert [row["Телефон"] for row in by_name] == [PHONES[0]] * 7
    assert [row["Телефон 2"] for row in by_name] == [PHONES[1]] * 7
    assert [row["This Phone number"] for row in by_name] == [PHONES[n % 2] for n in range(7)]
    assert [row["Заметка"] for row in by_name] == list(HOSTILE)
    assert {row["Фамилия"] for row in by_name} == {"Ёлкина"}
    assert by_name[0]["Call Time"] == "2026-03-02 10:00:05"

    resaved = convert(program, path, "xlsx", tmp_path / "xlsx")
    sheet = openpyxl.load_workbook(resaved).active
    formulas = [
        cell.coordinate for line in sheet.iter_rows() for cell in line if cell.data_type == "f"
    ]
    assert formulas == []
    assert list(ccr.read_report(resaved)) == list(ccr.read_report(path))


def test_text_that_looks_like_rich_text_markup_is_written_as_text(tmp_path):
    # XlsxWriter writes a string between <r> and </r> as raw XML: markup of a
    # cell must neither break the sheet nor slip a formula into it.
    markup = ["<r><t>hi</t></r>", "<r></t></r></is></c><c><f>1+1</f></c><c><is><r><t></r>"]
    campaign = ccr.Campaign("C", [ccr.CallingList("L", ["<r>N</r>"])])
    records = [
        ccr.Record(str(number), "L", {"<r>N</r>": text}) for number, text in enumerate(markup)
    ]
    path = tmp_path / "markup.xlsx"
    ccr.export(campaign, records, path, ccr.ExportOptions(file_format="xlsx"))
    report = ccr.read_report(path)
    assert report.header[0] == "<r>N</r>"
    assert [row.fields["<r>N</r>"] for row in report] == markup
    sheet = openpyxl.load_workbook(path).active
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)


def test_a_value_too_long_in_utf16_units_is_an_export_error(tmp_path):
    # 20 000 characters outside the BMP are 40 000 UTF-16 units: XlsxWriter
    # would cut them silently.
    campaign = ccr.Campaign("C", [ccr.CallingList("L", ["N"])])
    path = tmp_path / "long.xlsx"
    with pytest.raises(ccr.errors.ExportError, match=r"at most 32767 characters.*got 40000"):
        ccr.export(
            campaign,
            [ccr.Record("1", "L", {"N": "\N{GRINNING FACE}" * 20_000})],
            path,
            ccr.ExportOptions(file_format="xlsx"),
        )
    assert list(tmp_path.iterdir()) == []
