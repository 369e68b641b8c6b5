"""read_report on hand-made files: detection, typed values, and every kind of bad input."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import zipfile
from zoneinfo import ZoneInfo

import attrs
import pytest

import cloudcontact_results as ccr
from tests.support.samples import DETAILED_EN, SIMPLE_EN

MOSCOW = ZoneInfo("Europe/Moscow")
SIMPLE_RU = [column.ru for column in ccr.SIMPLE_COLUMNS]

SIMPLE_CELLS = {
    "Total attempts (per rec)": "2",
    "Completed": "1",
    "Record Disposition": "Согласен",
    "Record Disposition Code": "7",
    "Out of Quota": "0",
    "Quota Group": "",
    "Last Phone Called": "+79161234567",
    "Last Call Disposition": "Согласен",
    "Last Call Disposition Code": "7",
    "Last Note": "'=1+2",
    "Last Call Time": "2026-03-02 10:15:00",
    "Last Call Duration": "95",
    "Last Agent": "ivanov",
    "Global Interaction ID": "ABC",
    "List Name": "Клиенты",
}


def csv_bytes(rows, *, delimiter=",", bom=False):
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" if bom else "").encode() + text.getvalue().encode()


def simple_file(*, header=None, cells=None, extra_rows=(), **kwargs):
    values = dict(SIMPLE_CELLS, **(cells or {}))
    rows = [
        ["Фамилия", "comment", *(header or SIMPLE_EN)],
        ["Иванов", "перезвонить", *values.values()],
        *extra_rows,
    ]
    return csv_bytes(rows, **kwargs)


def read(data, **kwargs):
    return ccr.read_report(io.BytesIO(data), **kwargs)


def test_row_classes_declare_attributes_in_column_order():
    # The reader builds rows positionally: the manual's columns in order, then
    # the 5.x columns and the unknown ones, which have defaults.
    for row_class, columns, later in (
        (ccr.SimpleRow, ccr.SIMPLE_COLUMNS, ["extra"]),
        (ccr.DetailedRow, ccr.DETAILED_COLUMNS, ["ani", "action_applied", "extra"]),
    ):
        names = [field.name for field in attrs.fields(row_class)]
        assert names == [
            "fields",
            "script_fields",
            *(column.attribute for column in columns),
            *later,
        ]


def test_simple_row_is_typed():
    report = read(simple_file(), script_fields=["comment"])
    (row,) = report
    assert report.format is ccr.ReportFormat.SIMPLE
    assert report.language is ccr.Language.EN
    assert report.list_columns == ("Фамилия",)
    assert report.script_field_names == ("comment",)
    assert report.dialect is ccr.Dialect.PLATFORM
    assert row == ccr.SimpleRow(
        fields={"Фамилия": "Иванов"},
        script_fields=("перезвонить",),
        total_attempts=2,
        completed=True,
        record_disposition="Согласен",
        record_disposition_code="7",
        out_of_quota=False,
        quota_group=None,
        last_phone_called="+79161234567",
        last_call_disposition="Согласен",
        last_call_disposition_code="7",
        last_note="=1+2",
        last_call_time=dt.datetime(2026, 3, 2, 10, 15, tzinfo=MOSCOW),
        last_call_duration=95,
        last_agent="ivanov",
        global_interaction_id="ABC",
        list_name="Клиенты",
    )
    assert row.last_call_time.tzinfo is MOSCOW


def test_without_script_fields_leading_columns_are_list_columns():
    report = read(simple_file())
    assert report.list_columns == ("Фамилия", "comment")
    assert next(iter(report)).fields == {"Фамилия": "Иванов", "comment": "перезвонить"}


def test_russian_header_semicolon_bom_and_russian_values():
    cells = dict(
        SIMPLE_CELLS,
        **{
            "Record Disposition": "Завершён по правилу набора",
            "Out of Quota": "1",
            "Quota Group": "не соответствует",
            "Last Call Disposition": "Нет ответа",
            "Last Note": "CPA: КПВ (8); SIP: 480 Temporarily Unavailable",
            "Last Call Duration": "",
        },
    )
    data = csv_bytes(
        [["Фамилия", "comment", *SIMPLE_RU], ["Иванов", "", *cells.values()]],
        delimiter=";",
        bom=True,
    )
    report = read(data)
    (row,) = report
    assert report.language is ccr.Language.RU
    assert report.dialect is ccr.Dialect.EXCEL_RU
    assert report.header[0] == "Фамилия"  # the BOM is gone
    assert row.record_disposition == "Finalized by dial rule"
    assert row.last_call_disposition == "No answer"
    assert row.quota_group is ccr.NO_MATCH
    assert row.last_note == ccr.SystemNote(ccr.CPAResult.RING_BACK, 480)
    assert row.last_call_duration is None


def test_header_is_matched_loosely_and_tab_delimited():
    header = [name.upper().replace(" ", "  ") for name in SIMPLE_EN]
    header[0] = "Total attempts"  # the spelling of earlier versions of this library
    report = read(simple_file(header=header, delimiter="\t"))
    assert report.delimiter == "\t"
    assert report.dialect is None
    assert next(iter(report)).total_attempts == 2


def test_detailed_rows_and_time_formats():
    values = {
        "This Phone number": "-5",
        "Is Call Attempt": "1",
        "Completed": "0",
        "Record Disposition": "",
        "Record Disposition Code": "",
        "Out of Quota": "1",
        "Quota Group": "Москва",
        "Call Disposition": "Занято",
        "Call Disposition Code": "",
        "Call Note": "SIP: 486 Busy Here",
        "Call Time": "02.03.2026 10:15:00 +0000",
        "Dialing Duration": "12",
        "CPA Duration": "3",
        "Answered Duration": "0",
        "Agent": "",
        "CPA result": "6",
        "CPA recording file": "cpa.wav",
        "CPA RTP server id": "rtp1",
        "Recording file": "",
        "RTP server id": "",
        "Global Interaction ID": "GID",
        "Record ID": "42",
        "List Name": "L",
        "Is Inbound Call": "0",
    }
    data = csv_bytes([["№", *DETAILED_EN], ["1", *values.values()]])
    report = read(data, datetime_format="%d.%m.%Y %H:%M:%S %z")
    (row,) = report
    assert report.format is ccr.ReportFormat.DETAILED
    assert row.call_time == dt.datetime(2026, 3, 2, 10, 15, tzinfo=dt.UTC)
    assert row.call_time.utcoffset() == dt.timedelta(0)
    assert row.cpa_result is ccr.CPAResult.BUSY
    assert row.call_disposition == "Busy"
    assert row.quota_group == "Москва"
    assert row.call_note == ccr.SystemNote(None, 486)
    assert (row.dialing_duration, row.cpa_duration, row.answered_duration) == (12, 3, 0)
    assert row.this_phone_number == "-5"
    assert row.record_id == "42"


def test_naive_times_are_read_in_the_given_zone():
    (row,) = read(simple_file(), timezone="America/New_York")
    assert row.last_call_time == dt.datetime(2026, 3, 2, 15, 15, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("Total attempts (per rec)", "two"),
        ("Total attempts (per rec)", "-1"),
        ("Completed", "yes"),
        ("Last Call Time", "2026-13-02 10:15:00"),
        ("Last Call Time", "yesterday"),
        ("Last Call Duration", "1.5"),
    ],
)
def test_bad_cell_names_line_column_and_value(column, value):
    data = simple_file(extra_rows=[["Петров", "", *dict(SIMPLE_CELLS, **{column: value}).values()]])
    report = read(data)
    with pytest.raises(ccr.errors.ReadError) as caught:
        list(report)
    error = caught.value
    assert (error.line, error.column, error.value) == (3, column, value)
    assert "line 3" in str(error)
    assert column in str(error)


def test_bad_cpa_result():
    values = ["x"] * len(DETAILED_EN)
    data = csv_bytes([DETAILED_EN, values])
    with pytest.raises(ccr.errors.ReadError, match="line 2") as caught:
        list(read(data))
    assert caught.value.column == "Is Call Attempt"


def bad_rows_file():
    good = list(SIMPLE_CELLS.values())
    return simple_file(
        extra_rows=[
            ["Петров", "", *dict(SIMPLE_CELLS, Completed="2").values()],
            ["Сидоров", ""],
            ["Кузнецов", "", *good],
            [],
        ]
    )


def test_errors_raise_stops_at_the_first_bad_line():
    rows = []
    with pytest.raises(ccr.errors.ReadError, match="line 3"):
        rows.extend(read(bad_rows_file()))
    assert len(rows) == 1


def test_errors_skip_drops_bad_lines():
    report = read(bad_rows_file(), errors="skip")
    assert [row.fields["Фамилия"] for row in report] == ["Иванов", "Кузнецов"]
    assert report.errors == []


def test_errors_collect_keeps_them():
    report = read(bad_rows_file(), errors="collect")
    assert len(list(report)) == 2
    assert [(error.line, error.column) for error in report.errors] == [(3, "Completed"), (4, None)]
    assert "expected 17 cells" in report.errors[1].reason


def test_invalid_utf8_names_the_line_and_later_lines_still_read():
    data = simple_file(extra_rows=[["Петров", "", *SIMPLE_CELLS.values()]])
    lines = data.split(b"\r\n")
    lines[1] = lines[1].replace("Иванов".encode(), b"\xff\xfe")
    report = read(b"\r\n".join(lines), errors="collect")
    assert [row.fields["Фамилия"] for row in report] == ["Петров"]
    (error,) = report.errors
    assert error.line == 2
    assert "UTF-8" in error.reason
    with pytest.raises(ccr.errors.ReadError, match="line 2"):
        list(read(b"\r\n".join(lines)))


def test_quoted_line_breaks_count_physical_lines():
    data = simple_file(
        cells={"Last Note": "первая\r\nвторая"},
        extra_rows=[["Петров", "", *dict(SIMPLE_CELLS, Completed="x").values()]],
    )
    with pytest.raises(ccr.errors.ReadError) as caught:
        list(read(data))
    assert caught.value.line == 4


def test_guarded_cells_read_back_in_rows_read_ahead_while_the_delimiter_is_found():
    # Read with ",", this ";" header opens a quote that no later line closes: the
    # rows are read ahead before ";" is tried, and are then handed out again.
    header = ";".join(["Фамилия", 'Заметка,"x', *SIMPLE_EN]) + "\r\n"
    rows = [["'=1+1", "", *SIMPLE_CELLS.values()], ["'@SUM(A1)", "'-2+3", *SIMPLE_CELLS.values()]]
    data = header.encode() + csv_bytes(rows, delimiter=";")
    report = read(data)
    assert report.delimiter == ";"
    assert [row.fields for row in report] == [
        {"Фамилия": "=1+1", 'Заметка,"x': ""},
        {"Фамилия": "@SUM(A1)", 'Заметка,"x': "-2+3"},
    ]
    assert [row.fields["Фамилия"] for row in read(data, formula_guard=False)] == [
        "'=1+1",
        "'@SUM(A1)",
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"\xef\xbb\xbf", "empty"),
        (b"a,b,c\r\n1,2,3\r\n", "not a simple or detailed report"),
        (bytes(range(256)) * 4, "not a simple or detailed report"),
        (bytes(range(255, -1, -1)) * 4, "UTF-8"),
        (b"PK\x03\x04garbage", "zip"),
    ],
)
def test_unreadable_files(data, reason):
    for mode in ("raise", "skip", "collect"):
        with pytest.raises(ccr.errors.ReadError, match=reason):
            list(read(data, errors=mode))


def zipped(members):
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return sink.getvalue()


def test_zip_with_one_member_and_a_readme():
    data = zipped({"readme.txt": b"hi", "report.csv": simple_file()})
    (row,) = read(data)
    assert row.total_attempts == 2


def test_zip_with_several_csv_members_needs_member():
    data = zipped({"a.csv": simple_file(), "b.csv": simple_file(header=SIMPLE_RU)})
    with pytest.raises(ccr.errors.ReadError, match=r"'a\.csv', 'b\.csv'"):
        read(data)
    assert read(data, member="b.csv").language is ccr.Language.RU
    with pytest.raises(ccr.errors.ReadError, match="no member"):
        read(data, member="c.csv")


def test_truncated_zip_is_a_read_error():
    rows = [["Фамилия", *SIMPLE_EN]] + [["x" * 50, *SIMPLE_CELLS.values()]] * 2000
    data = zipped({"r.csv": csv_bytes(rows)})
    for cut in (len(data) // 2, len(data) - 30):
        with pytest.raises(ccr.errors.ReadError):
            list(read(data[:cut]))


def test_script_fields_must_match_the_header():
    with pytest.raises(ccr.errors.ReadError, match="do not match") as caught:
        read(simple_file(), script_fields=["Фамилия"])
    assert caught.value.column == "comment"
    with pytest.raises(ccr.errors.ReadError, match="only 2 columns"):
        read(simple_file(), script_fields=["a", "b", "c"])


def test_a_script_field_repeated_in_the_header_needs_script_fields():
    # The manual's sample header repeats the script field `comment`.
    data = csv_bytes(
        [
            ["Фамилия", "comment", "comment", *SIMPLE_EN],
            ["Иванов", "первый", "второй", *SIMPLE_CELLS.values()],
        ]
    )
    with pytest.raises(ccr.errors.ReadError, match="script_fields") as caught:
        read(data)
    assert (caught.value.line, caught.value.column) == (1, "comment")
    (row,) = read(data, script_fields=["comment", "comment"])
    assert (row.fields, row.script_fields) == ({"Фамилия": "Иванов"}, ("первый", "второй"))


def test_bad_arguments():
    with pytest.raises(ccr.errors.OptionsError):
        read(simple_file(), errors="ignore")
    with pytest.raises(ccr.errors.OptionsError):
        read(simple_file(), timezone="Mars/Base")
    with pytest.raises(ccr.errors.ReadError, match="binary mode"):
        ccr.read_report(io.StringIO("x"))
    with pytest.raises(ccr.errors.ReadError, match="cannot open"):
        ccr.read_report("/nonexistent/report.csv")
    with pytest.raises(ccr.errors.ReadError, match="not a zip"):
        read(simple_file(), member="x.csv")


def test_a_path_reads_again_a_stream_once(tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(simple_file())
    report = ccr.read_report(path)
    assert list(report) == list(report)
    assert len(report.head()) == 1
    stream_report = read(simple_file())
    assert len(stream_report.head()) == 1  # peeking keeps the rows for iteration
    assert len(list(stream_report)) == 1
    with pytest.raises(ccr.errors.ReadError, match="iterated once"):
        list(stream_report)


def test_the_callers_stream_stays_open():
    stream = io.BytesIO(zipped({"r.csv": simple_file()}))
    list(ccr.read_report(stream))
    assert not stream.closed


def test_repr_html_escapes_cells():
    data = simple_file(cells={"Last Agent": "<script>alert(1)</script>"})
    page = read(data)._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "simple report" in page


def test_to_pandas_dtypes():
    pd = pytest.importorskip("pandas")
    frame = read(simple_file(), script_fields=["comment"]).to_pandas()
    assert list(frame.columns[:3]) == ["Фамилия", "comment", "total_attempts"]
    assert frame["total_attempts"].dtype == "Int64"
    assert frame["completed"].dtype == "boolean"
    assert frame["last_call_duration"].dtype == "Int64"
    assert isinstance(frame["last_call_time"].dtype, pd.DatetimeTZDtype)
    assert str(frame["last_call_time"].dt.tz) == "Europe/Moscow"
    assert frame["last_call_time"][0] == pd.Timestamp("2026-03-02 10:15", tz="Europe/Moscow")
    assert frame["record_disposition"].dtype == "category"
    assert frame["last_agent"].dtype == "string"


def test_to_pandas_without_pandas(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"cloudcontact-results\[pandas\]"):
        read(simple_file()).to_pandas()
