"""Edges of reading and writing files found by mutation testing (docs/development/quality.md).

Files are written with the stdlib ``csv`` module and every expected value is
worked out by hand from docs/reading.md and docs/export.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import secrets
import zipfile
from pathlib import Path

import pytest

import cloudcontact_results as ccr
from tests.support.samples import DETAILED_EN, SIMPLE_EN

#: One detailed row, cell by cell, as a platform file spells it.
DETAILED = {
    "This Phone number": "+79160000001",
    "Is Call Attempt": "1",
    "Completed": "0",
    "Record Disposition": "",
    "Record Disposition Code": "",
    "Out of Quota": "1",
    "Quota Group": "no match",
    "Call Disposition": "Занято",
    "Call Disposition Code": "",
    "Call Note": "SIP: 486 Busy Here",
    "Call Time": "2026-03-02 10:15:00",
    "Dialing Duration": "12",
    "CPA Duration": "3",
    "Answered Duration": "0",
    "Agent": "",
    "CPA result": "6",
    "CPA recording file": "cpa.wav",
    "CPA RTP server id": "",
    "Recording file": "",
    "RTP server id": "",
    "Global Interaction ID": "GID",
    "Record ID": "42",
    "List Name": "L",
    "Is Inbound Call": "0",
}


def csv_bytes(rows: list[list[str]]) -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode()


def detailed_file(*rows: dict[str, str]) -> bytes:
    return csv_bytes([["Name", *DETAILED_EN], *(["n", *row.values()] for row in rows)])


def simple_rows_file(count: int, *, bad_after: int | None = None) -> bytes:
    """``count`` records never attempted, named 1..count; a bad line after row ``bad_after``."""
    rows = [["Name", *SIMPLE_EN]]
    for number in range(1, count + 1):
        rows.append([str(number), "0", "0", "", "", "0", "", "", "", "", "", "", "", "", "", "L"])
        if number == bad_after:
            rows.append(["bad", "two", "0", "", "", "0", "", "", "", "", "", "", "", "", "", "L"])
    return csv_bytes(rows)


def names(rows: list[ccr.SimpleRow] | list[ccr.DetailedRow]) -> list[str]:
    return [row.fields["Name"] for row in rows]


# --- errors name the line, the column and the value ---------------------------


@pytest.mark.parametrize(
    ("time", "message"),
    [
        ("", "line 2, column 'Call Time': must not be empty (every attempt has a time) (got '')"),
        (
            "yesterday",
            (
                "line 2, column 'Call Time': must be a date-time in the form "
                "'YYYY-MM-DD HH:MM:SS', or in one a spreadsheet writes: "
                "'DD.MM.YYYY HH:MM[:SS]', 'M/D/YYYY H:MM[:SS] [AM|PM]', "
                "'YYYY-MM-DDTHH:MM[:SS]' (got 'yesterday')"
            ),
        ),
    ],
)
def test_a_bad_call_time_says_what_is_wrong(time, message):
    data = detailed_file(dict(DETAILED, **{"Call Time": time}))
    with pytest.raises(ccr.errors.ReadError) as caught:
        list(ccr.read_report(io.BytesIO(data)))
    assert str(caught.value) == message


def test_a_bad_time_in_another_format_names_that_format():
    data = detailed_file(dict(DETAILED, **{"Call Time": "2026-03-02 10:15:00"}))
    with pytest.raises(ccr.errors.ReadError) as caught:
        list(ccr.read_report(io.BytesIO(data), datetime_format="%d.%m.%Y %H:%M"))
    assert caught.value.reason == "must be a date-time in the format '%d.%m.%Y %H:%M'"


@pytest.mark.parametrize(
    ("length", "shown"),
    [(199, "x" * 199), (200, "x" * 200), (201, "x" * 200 + "…"), (500, "x" * 200 + "…")],
)
def test_the_value_of_a_long_bad_line_is_cut_after_200_characters(length, shown):
    data = simple_rows_file(1) + b"x" * length + b"\r\n"
    with pytest.raises(ccr.errors.ReadError) as caught:
        list(ccr.read_report(io.BytesIO(data)))
    assert caught.value.line == 3
    assert caught.value.value == shown


def test_the_value_of_a_line_that_is_not_utf8_is_its_bytes_escaped():
    data = simple_rows_file(1) + b"1,\xff\xfe,0\r\n"
    with pytest.raises(ccr.errors.ReadError) as caught:
        list(ccr.read_report(io.BytesIO(data)))
    assert caught.value.line == 3
    assert caught.value.value == "1,\\xff\\xfe,0\\r\\n"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (42, "the source must be a path or a binary file object (got 'int')"),
        (
            io.StringIO("text"),
            "the source is a text stream; open the file in binary mode ('rb') (got 'StringIO')",
        ),
    ],
)
def test_a_source_that_is_no_binary_file_is_a_read_error(source, message):
    with pytest.raises(ccr.errors.ReadError) as caught:
        ccr.read_report(source)
    assert str(caught.value) == message


# --- streams: read once, peek without losing anything -------------------------


def test_a_stream_iterated_twice_says_how_to_read_again():
    report = ccr.read_report(io.BytesIO(simple_rows_file(1)))
    list(report)
    with pytest.raises(ccr.errors.ReadError) as caught:
        list(report)
    assert str(caught.value) == (
        "a report read from a file object, a pipe or a device can be iterated once; "
        "read it from a file's path to iterate again"
    )


def test_peeking_at_a_stream_keeps_the_line_numbers_of_later_errors():
    report = ccr.read_report(io.BytesIO(simple_rows_file(2, bad_after=2)), errors="collect")
    assert names(report.head(1)) == ["1"]
    assert names(report.head(2)) == ["1", "2"]
    assert names(list(report)) == ["1", "2"]
    assert [(error.line, error.value) for error in report.errors] == [(4, "two")]


def test_a_bad_line_met_while_peeking_is_raised_when_iteration_reaches_it():
    report = ccr.read_report(io.BytesIO(simple_rows_file(1, bad_after=1)))
    assert names(report.head(5)) == ["1"]
    assert names(report.head(5)) == ["1"]
    rows = iter(report)
    assert names([next(rows)]) == ["1"]
    with pytest.raises(ccr.errors.ReadError) as caught:
        next(rows)
    assert caught.value.line == 3


def test_head_of_a_path_is_the_first_rows(tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(simple_rows_file(3))
    report = ccr.read_report(path)
    assert names(report.head(1)) == ["1"]
    assert names(report.head(2)) == ["1", "2"]
    assert names(report.head()) == ["1", "2", "3"]
    assert report.head(0) == []
    assert ccr.read_report(io.BytesIO(simple_rows_file(3))).head(0) == []


def test_head_of_a_consumed_stream_is_empty():
    report = ccr.read_report(io.BytesIO(simple_rows_file(2)))
    assert len(list(report)) == 2
    assert report.head() == []


# --- the Jupyter preview ----------------------------------------------------------


def page(caption: str, header: list[str], rows: list[list[str]], note: str = "") -> str:
    """The preview's HTML as docs/reading.md describes it, cell by cell."""
    head = "".join(f"<th>{cell}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    shown = f"<p>{note}</p>" if note else ""
    return (
        f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>{shown}"
    )


def test_preview_shows_every_cell_as_the_file_reads():
    report = ccr.read_report(io.BytesIO(detailed_file(DETAILED)))
    cells = list(DETAILED.values())
    cells[DETAILED_EN.index("Call Disposition")] = "Busy"  # the canonical name
    cells[DETAILED_EN.index("Call Time")] = "2026-03-02 10:15:00+03:00"  # aware, in Moscow
    assert report._repr_html_() == page(
        "detailed report (en), first 1 rows", ["Name", *DETAILED_EN], [["n", *cells]]
    )


def test_preview_of_ten_good_rows_before_a_bad_one_shows_no_problem():
    report = ccr.read_report(io.BytesIO(simple_rows_file(10, bad_after=10)))
    empty = ["0", "0", "", "", "0", "", "", "", "", "", "", "", "", "", "L"]
    expected = [[str(number), *empty] for number in range(1, 11)]
    assert report._repr_html_() == page(
        "simple report (en), first 10 rows", ["Name", *SIMPLE_EN], expected
    )


def test_preview_of_a_stream_names_the_bad_line_among_the_first_rows():
    report = ccr.read_report(io.BytesIO(simple_rows_file(1, bad_after=1)))
    empty = ["0", "0", "", "", "0", "", "", "", "", "", "", "", "", "", "L"]
    problem = f"line 3, column &#x27;{SIMPLE_EN[0]}&#x27;: must be a whole number &gt;= 0"
    assert report._repr_html_() == page(
        "simple report (en), first 1 rows",
        ["Name", *SIMPLE_EN],
        [["1", *empty]],
        f"{problem} (got &#x27;two&#x27;)",
    )


def test_preview_of_a_path_whose_first_row_is_bad_shows_the_problem(tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(simple_rows_file(0) + b"n,0,two,,,0,,,,,,,,,,L\r\n")
    report = ccr.read_report(path)
    assert report._repr_html_() == page(
        "simple report (en), first 0 rows",
        ["Name", *SIMPLE_EN],
        [],
        "line 2, column &#x27;Completed&#x27;: must be 1 or 0 (got &#x27;two&#x27;)",
    )


# --- writing a path: the temporary file --------------------------------------------

CAMPAIGN = ccr.Campaign("c", [ccr.CallingList("L", ["Name"])])
RECORDS = [ccr.Record("1", "L", {"Name": "Ivanov"})]


def test_a_new_file_gets_exactly_the_permissions_of_open(tmp_path):
    # docs/export.md: a new file gets the permissions an ordinary open() gives it.
    previous = os.umask(0o022)
    try:
        ccr.export(CAMPAIGN, RECORDS, tmp_path / "new.csv")
        with (tmp_path / "plain.csv").open("w"):
            pass
    finally:
        os.umask(previous)
    assert (tmp_path / "new.csv").stat().st_mode & 0o7777 == 0o644
    assert (tmp_path / "plain.csv").stat().st_mode & 0o7777 == 0o644


def test_a_taken_temporary_name_is_never_written_another_is_tried(tmp_path, monkeypatch):
    tokens = iter(["taken000", "free0000"])
    monkeypatch.setattr(secrets, "token_hex", lambda _size: next(tokens))
    # Temporary files are named ``.<name>.cloudcontact.<pid>.<hex>.part``
    # (docs/security.md); this one belongs to a live process: this one.
    taken = tmp_path / f".out.csv.cloudcontact.{os.getpid()}.taken000.part"
    taken.write_bytes(b"somebody else's")
    result = ccr.export(CAMPAIGN, RECORDS, tmp_path / "out.csv")
    assert result.rows == 1
    assert taken.read_bytes() == b"somebody else's"
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([taken.name, "out.csv"])


def test_when_every_temporary_name_is_taken_the_export_fails_and_writes_nothing(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(secrets, "token_hex", lambda _size: "taken000")
    # Temporary files are named ``.<name>.cloudcontact.<pid>.<hex>.part``
    # (docs/security.md); this one belongs to a live process: this one.
    taken = tmp_path / f".out.csv.cloudcontact.{os.getpid()}.taken000.part"
    taken.write_bytes(b"somebody else's")
    destination = tmp_path / "out.csv"
    with pytest.raises(ccr.errors.ExportError) as caught:
        ccr.export(CAMPAIGN, RECORDS, destination)
    assert str(destination) in str(caught.value)
    assert "no free temporary name" in str(caught.value)
    assert taken.read_bytes() == b"somebody else's"
    assert not destination.exists()


def test_export_time_of_a_zip_defaults_to_now_in_the_export_zone(tmp_path):
    before = dt.datetime.now(dt.UTC)
    path = Path(tmp_path / "out.zip")
    ccr.export(CAMPAIGN, RECORDS, path, ccr.ExportOptions(compress=True, timezone="Asia/Tokyo"))
    (info,) = zipfile.ZipFile(path).infolist()
    written = dt.datetime(*info.date_time, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    # zip times have a resolution of two seconds
    assert before - dt.timedelta(seconds=2) <= written <= dt.datetime.now(dt.UTC)


# --- more of what errors say ----------------------------------------------------------


def test_a_line_the_csv_module_cannot_parse_is_named_and_the_lines_after_it_still_read():
    huge = '"' + "x" * 200_000 + '"'
    data = simple_rows_file(1) + f"2,{huge}\r\n".encode() + simple_rows_file(3).split(b"\r\n", 3)[3]
    report = ccr.read_report(io.BytesIO(data), errors="collect")
    assert names(list(report)) == ["1", "3"]
    assert [(error.line, error.reason) for error in report.errors] == [
        (3, "malformed CSV: field larger than field limit (131072)")
    ]


def test_a_line_that_is_not_utf8_says_so():
    data = simple_rows_file(1) + b"\xff\r\n"
    with pytest.raises(ccr.errors.ReadError) as caught:
        list(ccr.read_report(io.BytesIO(data)))
    assert caught.value.line == 3
    assert caught.value.reason.startswith("not UTF-8 text")
    assert "encoding='cp1251'" in caught.value.reason


def test_a_header_that_is_not_utf8_shows_its_bytes():
    with pytest.raises(ccr.errors.ReadError) as caught:
        ccr.read_report(io.BytesIO(b"Name,\xff\r\n"), encoding="utf-8")
    expected = "line 1: the header is not UTF-8 text (got 'Name,\\\\xff\\\\r\\\\n')"
    assert str(caught.value) == expected
    assert caught.value.value == "Name,\\xff\\r\\n"


def test_an_empty_file_says_so():
    with pytest.raises(ccr.errors.ReadError) as caught:
        ccr.read_report(io.BytesIO(b""))
    assert str(caught.value) == "line 1: the file is empty"


def test_a_file_that_is_no_report_shows_its_header():
    with pytest.raises(ccr.errors.ReadError) as caught:
        ccr.read_report(io.BytesIO(b"a,b,c\r\n1,2,3\r\n"))
    assert caught.value.reason == (
        "not a simple or detailed report: the header does not name the report's "
        "columns (in English or Russian)"
    )
    assert (caught.value.line, caught.value.value) == (1, "a,b,c\r\n")


def test_too_many_script_fields_are_named():
    with pytest.raises(ccr.errors.ReadError) as caught:
        ccr.read_report(io.BytesIO(simple_rows_file(0)), script_fields=["a", "b"])
    assert str(caught.value) == (
        "line 1: script_fields names 2 fields but the header has only 1 columns before "
        "the report's (got 'a, b')"
    )


def test_script_fields_that_do_not_match_name_line_column_and_value():
    with pytest.raises(ccr.errors.ReadError) as caught:
        ccr.read_report(io.BytesIO(simple_rows_file(0)), script_fields=["comment"])
    assert (caught.value.line, caught.value.column, caught.value.value) == (1, "Name", "comment")


def test_a_repeated_list_column_says_how_to_name_script_fields():
    data = csv_bytes([["x", "x", *SIMPLE_EN]])
    with pytest.raises(ccr.errors.ReadError) as caught:
        ccr.read_report(io.BytesIO(data))
    assert str(caught.value) == (
        "line 1, column 'x': a list column appears twice in the header; if the repeated "
        "name is a script field (a script may repeat one), name the script fields with "
        "read_report(..., script_fields=[...])"
    )


def test_member_of_a_file_that_is_no_zip():
    with pytest.raises(ccr.errors.ReadError) as caught:
        ccr.read_report(io.BytesIO(simple_rows_file(0)), member="r.csv")
    assert str(caught.value) == "member= was given but the file is not a zip (got 'r.csv')"


def test_an_empty_zip_holds_no_file():
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w"):
        pass
    with pytest.raises(ccr.errors.ReadError) as caught:
        ccr.read_report(io.BytesIO(sink.getvalue()))
    assert str(caught.value) == "the zip holds no file"


def test_member_chosen_in_a_zip_on_a_path_is_read_on_every_pass(tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", simple_rows_file(1))
        archive.writestr("b.csv", simple_rows_file(2))
    report = ccr.read_report(path, member="b.csv")
    assert names(list(report)) == ["1", "2"]
    assert names(list(report)) == ["1", "2"]


def test_bad_reading_options_name_the_option():
    with pytest.raises(ccr.errors.OptionsError) as caught:
        ccr.read_report(io.BytesIO(b""), errors="ignore")  # type: ignore[arg-type]
    assert str(caught.value) == "errors: must be 'raise', 'skip' or 'collect' (got 'ignore')"
    with pytest.raises(ccr.errors.OptionsError) as caught:
        ccr.read_report(io.BytesIO(b""), datetime_format="YYYY")
    assert caught.value.field == "datetime_format"


@pytest.mark.parametrize(
    "time", ["2026-03-02 10:15:00Z", "2026-03-02 10:15:001", "2026-03-02 10:15"]
)
def test_a_time_that_is_not_exactly_the_default_format_is_refused(time):
    data = detailed_file(dict(DETAILED, **{"Call Time": time}))
    with pytest.raises(ccr.errors.ReadError) as caught:
        list(ccr.read_report(io.BytesIO(data)))
    assert caught.value.column == "Call Time"


def test_a_path_reread_undoes_the_guard_in_the_header(tmp_path):
    campaign = ccr.Campaign("c", [ccr.CallingList("L", ["=Total"])])
    path = tmp_path / "out.csv"
    ccr.export(campaign, [ccr.Record("1", "L", {"=Total": "=1+1"})], path)
    assert path.read_bytes().startswith(b"'=Total,")
    report = ccr.read_report(path)
    assert report.list_columns == ("=Total",)
    assert [dict(row.fields) for row in report] == [{"=Total": "=1+1"}]


# --- sources that cannot seek --------------------------------------------------------


class Unseekable(io.RawIOBase):
    """A pipe-like source: reads, never seeks, never peeks."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_an_unseekable_stream_is_read_through_a_buffered_reader():
    report = ccr.read_report(io.BufferedReader(Unseekable(simple_rows_file(2))))
    assert names(list(report)) == ["1", "2"]


def test_a_short_unseekable_stream_is_read_as_what_it_is():
    with pytest.raises(ccr.errors.ReadError) as caught:
        ccr.read_report(io.BufferedReader(Unseekable(b"ab")))
    assert caught.value.reason.startswith("not a simple or detailed report")


def test_an_unseekable_stream_that_cannot_peek_says_how_to_wrap_it():
    with pytest.raises(ccr.errors.ReadError) as caught:
        ccr.read_report(Unseekable(simple_rows_file(1)))
    assert str(caught.value) == (
        "the source must be seekable or peekable (e.g. wrap it in io.BufferedReader) "
        "(got 'Unseekable')"
    )


def test_a_header_with_half_the_reports_columns_names_the_missing_half():
    present, missing = DETAILED_EN[:12], DETAILED_EN[12:24]
    with pytest.raises(ccr.errors.ReadError) as caught:
        ccr.read_report(io.BytesIO(csv_bytes([present])))
    assert caught.value.reason == (
        "not a simple or detailed report: the header lacks the columns "
        + ", ".join(repr(name) for name in missing)
    )


def test_a_report_column_twice_in_the_header_is_named():
    data = csv_bytes([["Name", *SIMPLE_EN, "Completed"]])
    with pytest.raises(ccr.errors.ReadError) as caught:
        ccr.read_report(io.BytesIO(data))
    assert (
        str(caught.value)
        == "line 1, column 'Completed': a report column appears twice in the header"
    )


def test_a_file_name_near_the_length_limit_can_be_written(tmp_path):
    # The temporary file beside it adds 15 characters: "." + name + ".<8 hex>.part".
    name = "r" * 236 + ".csv"
    result = ccr.export(CAMPAIGN, RECORDS, tmp_path / name)
    assert result.rows == 1
    assert [path.name for path in tmp_path.iterdir()] == [name]
