"""export(): dialect bytes, the formula guard, zip members, atomic paths, streams."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

import cloudcontact_results as ccr
from tests.support.samples import NO_ANSWER

MSK = dt.timezone(dt.timedelta(hours=3))

CAMPAIGN = ccr.Campaign(
    "Опрос",
    [ccr.CallingList("Клиенты", ["№", "Фамилия", "Телефон"])],
    script_fields=[ccr.ScriptField("comment")],
)

SIMPLE_HEADER = (
    "Total attempts (per rec),Completed,Record Disposition,Record Disposition Code,Out of Quota,"
    "Quota Group,Last Phone Called,Last Call Disposition,Last Call Disposition Code,"
    "Last Note,Last Call Time,Last Call Duration,Last Agent,Global Interaction ID,List Name"
)


def record(number: str, surname: str, phone: str = "+79161234567", **attempt: object) -> ccr.Record:
    fields = {"№": number, "Фамилия": surname, "Телефон": phone}
    if not attempt:
        return ccr.Record(f"r{number}", "Клиенты", fields)
    values: dict[str, object] = {
        "phone": phone,
        "time": dt.datetime(2026, 3, 1, 12, 30, tzinfo=MSK),
        "call_disposition": NO_ANSWER,
        **attempt,
    }
    return ccr.Record(f"r{number}", "Клиенты", fields, [ccr.Attempt(**values)])  # type: ignore[arg-type]


RECORDS = [
    record("1", 'Иванов, "Ваня"'),
    record("2", "Петров", note="a;b\nc", agent="ivanov"),
]


def export_bytes(
    records: list[ccr.Record] | None = None,
    campaign: ccr.Campaign = CAMPAIGN,
    **options: object,
) -> bytes:
    stream = io.BytesIO()
    ccr.export(
        campaign,
        RECORDS if records is None else records,
        stream,
        ccr.ExportOptions(**options),  # type: ignore[arg-type]
    )
    return stream.getvalue()


def parse(data: bytes, delimiter: str = ",") -> list[list[str]]:
    text = data.decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


# --- dialects -----------------------------------------------------------------------


def test_platform_dialect_bytes() -> None:
    assert (
        export_bytes()
        == (
            f"№,Фамилия,Телефон,comment,{SIMPLE_HEADER}\r\n"
            '1,"Иванов, ""Ваня""",+79161234567,,0,0,,,0,,,,,,,,,,Клиенты\r\n'
            "2,Петров,+79161234567,,1,0,,,0,,+79161234567,No answer,,"
            '"a;b\nc",2026-03-01 12:30:00,0,ivanov,,Клиенты\r\n'
        ).encode()
    )


def test_excel_dialect_is_the_platform_bytes_after_a_bom() -> None:
    excel = export_bytes(dialect="excel")
    assert excel.startswith(b"\xef\xbb\xbf")
    assert excel[3:] == export_bytes()


def test_excel_ru_dialect_bytes() -> None:
    data = export_bytes(dialect="excel-ru", language="ru")
    assert data.startswith("\ufeff№;Фамилия;Телефон;comment;Общее число попыток;".encode())
    lines = data.decode("utf-8").split("\r\n")
    # The comma is no longer special; the semicolon in the note is, and a quote always is.
    assert lines[1] == '1;"Иванов, ""Ваня""";+79161234567;;0;0;;;0;;;;;;;;;;Клиенты'
    assert lines[2].startswith('2;Петров;+79161234567;;1;0;;;0;;+79161234567;Нет ответа;;"a;b\nc";')
    assert lines[-1] == ""
    assert not data.decode("utf-8").startswith("sep=")


@pytest.mark.parametrize(("dialect", "delimiter"), [("platform", ","), ("excel-ru", ";")])
def test_every_line_ends_with_crlf_and_values_keep_their_line_breaks(
    dialect: str, delimiter: str
) -> None:
    data = export_bytes(dialect=dialect)
    assert data.endswith(b"\r\n")
    assert data.count(b"\r\n") == 3
    assert parse(data, delimiter)[2][ccr.report_header(CAMPAIGN).index("Last Note")] == "a;b\nc"


def test_empty_report_is_the_header_alone() -> None:
    stream = io.BytesIO()
    result = ccr.export(CAMPAIGN, [], stream)
    assert result.rows == 0
    assert stream.getvalue() == f"№,Фамилия,Телефон,comment,{SIMPLE_HEADER}\r\n".encode()


# --- the formula guard -------------------------------------------------------------------

GUARD_CASES = [
    ("=1+1", "'=1+1"),
    ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("+cmd", "'+cmd"),
    ("-1+2", "'-1+2"),
    ("+79161234567", "+79161234567"),
    ("-5", "-5"),
    ("-1.5", "-1.5"),
    ("'=1", "''=1"),
    ("'plain", "'plain"),
    (" =1+1", "' =1+1"),
    ("  -2+3", "'  -2+3"),
    (" +79161234567", " +79161234567"),
    ("' =1", "'' =1"),
    ("1+1=2", "1+1=2"),
    ("plain", "plain"),
    ("", ""),
]


@pytest.mark.parametrize(("value", "written"), GUARD_CASES)
def test_formula_guard(value: str, written: str) -> None:
    rows = parse(export_bytes([record("1", value)]))
    assert rows[1][1] == written


@pytest.mark.parametrize(("value", "written"), GUARD_CASES)
def test_guard_off_writes_raw_values(value: str, written: str) -> None:
    rows = parse(export_bytes([record("1", value)], formula_guard=False))
    assert rows[1][1] == value


def test_guard_applies_to_notes_phones_and_the_header() -> None:
    campaign = ccr.Campaign(
        "Опрос",
        [ccr.CallingList("Клиенты", ["№", "Фамилия", "=Телефон"])],
        script_fields=[ccr.ScriptField("comment")],
    )
    records = [
        ccr.Record(
            "r1",
            "Клиенты",
            {"=Телефон": "+7 (916) 123"},
            [
                ccr.Attempt(
                    "+7 (916) 123",
                    dt.datetime(2026, 3, 1, tzinfo=MSK),
                    note="@agent",
                    script_values={"comment": "-x"},
                )
            ],
        )
    ]
    rows = parse(export_bytes(records, campaign=campaign, format="detailed"))
    header = rows[0]
    assert header[2] == "'=Телефон"
    assert rows[1][2] == "'+7 (916) 123"
    assert rows[1][3] == "'-x"
    assert rows[1][header.index("Call Note")] == "'@agent"
    assert rows[1][header.index("This Phone number")] == "'+7 (916) 123"


# --- results -------------------------------------------------------------------------


def test_result_counts_data_rows_and_bytes(tmp_path: Path) -> None:
    attempts = [
        ccr.Attempt("+79161234567", dt.datetime(2026, 3, 1, hour, tzinfo=MSK)) for hour in range(3)
    ]
    records = [ccr.Record("a", "Клиенты", {}, attempts), ccr.Record("b", "Клиенты")]
    path = tmp_path / "detailed.csv"
    result = ccr.export(CAMPAIGN, records, path, ccr.ExportOptions(format="detailed"))
    assert result == ccr.ExportResult(rows=3, path=path, bytes=path.stat().st_size)
    assert len(parse(path.read_bytes())) == 1 + 3
    simple = ccr.export(CAMPAIGN, records, tmp_path / "simple.csv")
    assert simple.rows == 2


def test_result_counts_only_the_rows_the_filters_keep() -> None:
    options = ccr.ExportOptions(dispositions=["No answer"])
    result = ccr.export(CAMPAIGN, RECORDS, io.BytesIO(), options)
    assert result.rows == 1


def test_records_are_consumed_lazily_once() -> None:
    seen: list[str] = []

    def records() -> Iterator[ccr.Record]:
        for item in RECORDS:
            seen.append(item.id)
            yield item

    assert ccr.export(CAMPAIGN, records(), io.BytesIO()).rows == 2
    assert seen == ["r1", "r2"]


# --- paths and streams ---------------------------------------------------------------------


def test_path_and_stream_exports_are_the_same_bytes(tmp_path: Path) -> None:
    for dialect in ("platform", "excel", "excel-ru"):
        path = tmp_path / f"{dialect}.csv"
        result = ccr.export(CAMPAIGN, RECORDS, str(path), ccr.ExportOptions(dialect=dialect))
        assert result.path == path
        assert path.read_bytes() == export_bytes(dialect=dialect)


def test_stream_is_written_from_its_position_and_left_open() -> None:
    stream = io.BytesIO()
    stream.write(b"prefix")
    result = ccr.export(CAMPAIGN, RECORDS, stream)
    assert not stream.closed
    assert stream.getvalue() == b"prefix" + export_bytes()
    assert result.bytes == len(export_bytes())
    assert result.path is None
    assert result.member is None


def test_export_replaces_an_existing_file_keeping_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    path.write_bytes(b"old")
    path.chmod(0o640)
    ccr.export(CAMPAIGN, RECORDS, path)
    assert path.read_bytes() == export_bytes()
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_new_file_is_not_private_to_the_owner(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    ccr.export(CAMPAIGN, RECORDS, path)
    # mkstemp creates 0600 files; an export must look like any other file written there.
    assert path.stat().st_mode & 0o044 == 0o044 & ~_umask()


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


@pytest.mark.parametrize(
    ("destination", "message"),
    [
        ("missing/results.csv", "does not exist"),
        (".", "is a folder"),
    ],
)
def test_unusable_destination_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, destination: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ccr.errors.ExportError, match=message) as raised:
        ccr.export(CAMPAIGN, RECORDS, destination)
    assert repr(destination) in str(raised.value)
    assert not isinstance(raised.value, ValueError)  # the destination fails, not the data
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("destination", [io.StringIO(), 42, b"results.csv"])
def test_destination_must_be_a_path_or_a_binary_stream(destination: object) -> None:
    with pytest.raises(ccr.errors.ExportError, match="destination"):
        ccr.export(CAMPAIGN, RECORDS, destination)  # type: ignore[arg-type]


def test_bad_options_fail_before_the_destination_is_touched(tmp_path: Path) -> None:
    with pytest.raises(ccr.errors.ResultsError, match=r"ExportOptions\.lists"):
        ccr.export(CAMPAIGN, RECORDS, tmp_path / "x.csv", ccr.ExportOptions(lists=["Nope"]))
    assert list(tmp_path.iterdir()) == []


# --- atomicity ------------------------------------------------------------------------------


class BoomError(Exception):
    pass


def failing_records(exception: BaseException, after: int = 500) -> Iterator[ccr.Record]:
    for number in range(after):
        yield record(str(number), "Иванов" * 20)
    raise exception


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("exception", [BoomError("records"), KeyboardInterrupt()])
def test_failed_export_leaves_the_destination_as_it_was(
    tmp_path: Path, compress: bool, exception: BaseException
) -> None:
    path = tmp_path / ("results.zip" if compress else "results.csv")
    path.write_bytes(b"previous export")
    with pytest.raises(type(exception)):
        ccr.export(CAMPAIGN, failing_records(exception), path, ccr.ExportOptions(compress=compress))
    assert path.read_bytes() == b"previous export"
    assert list(tmp_path.iterdir()) == [path]


def test_failed_export_to_a_new_path_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(ccr.errors.CampaignMismatchError):
        ccr.export(CAMPAIGN, [*RECORDS, ccr.Record("x", "Другой список")], tmp_path / "r.csv")
    assert list(tmp_path.iterdir()) == []


def test_full_disk_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        ccr.export(CAMPAIGN, RECORDS, tmp_path / "r.csv")
    assert list(tmp_path.iterdir()) == []


class BrokenStream(io.BytesIO):
    """A stream that fails like a dropped connection after ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: object) -> int:
        if self.tell() + len(memoryview(data)) > self.limit:  # type: ignore[arg-type]
            raise OSError(32, "Broken pipe")
        return super().write(data)  # type: ignore[arg-type]


@pytest.mark.parametrize("compress", [False, True])
def test_stream_failure_propagates_unchanged_and_the_stream_stays_open(compress: bool) -> None:
    stream = BrokenStream(limit=20_000)
    # Hashes, so that even the deflated output outgrows the limit.
    records = (record(str(n), hashlib.sha256(bytes(n)).hexdigest()) for n in range(2_000))
    with pytest.raises(OSError, match="Broken pipe") as raised:
        ccr.export(CAMPAIGN, records, stream, ccr.ExportOptions(compress=compress))
    assert not isinstance(raised.value, ValueError)
    assert not stream.closed
    assert 0 < len(stream.getvalue()) <= 20_000
    if compress:
        # The archive is left unfinished, never closed around a partial CSV.
        with pytest.raises(zipfile.BadZipFile):
            zipfile.ZipFile(io.BytesIO(stream.getvalue()))


def test_unencodable_text_is_an_export_error(tmp_path: Path) -> None:
    with pytest.raises(ccr.errors.ExportError, match=r"\\udc80"):
        ccr.export(CAMPAIGN, [record("1", "bad \udc80")], tmp_path / "r.csv")
    assert list(tmp_path.iterdir()) == []


# --- zip ------------------------------------------------------------------------------------

STAMP = dt.datetime(2026, 3, 1, 9, 15, 30)  # noqa: DTZ001  # zip times are naive


def test_zip_holds_exactly_the_plain_export(tmp_path: Path) -> None:
    for dialect in ("platform", "excel", "excel-ru"):
        path = tmp_path / "results.zip"
        options = ccr.ExportOptions(dialect=dialect, format="detailed", compress=True)
        result = ccr.export(CAMPAIGN, RECORDS, path, options)
        assert result.member == "results.csv"
        assert result.bytes == path.stat().st_size
        with zipfile.ZipFile(path) as archive:
            (info,) = archive.infolist()
            assert info.filename == "results.csv"
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert archive.read(info) == export_bytes(dialect=dialect, format="detailed")
            assert archive.testzip() is None


def test_the_zip_member_is_deflated_at_the_fastest_level() -> None:
    """Level 1, not zlib's default 6 (the member bytes do not change).

    Why: docs/development/decisions.md.
    """
    campaign, records = ccr.demo_campaign(300, seed=2)
    stream = io.BytesIO()
    options = ccr.ExportOptions(format="detailed", compress=True)
    ccr.export(campaign, records, stream, options)
    with zipfile.ZipFile(stream) as archive:
        (info,) = archive.infolist()
        member = archive.read(info)
    sizes = {}
    for level in (1, 6):
        deflate = zlib.compressobj(level, zlib.DEFLATED, -15)
        sizes[level] = len(deflate.compress(member) + deflate.flush())
    assert sizes[1] != sizes[6]
    assert info.compress_size == sizes[1]


def test_zip_timestamp_makes_archives_byte_identical(tmp_path: Path) -> None:
    options = ccr.ExportOptions(compress=True, zip_timestamp=STAMP)
    first = tmp_path / "a" / "results.zip"
    second = tmp_path / "b" / "results.zip"
    first.parent.mkdir()
    second.parent.mkdir()
    ccr.export(CAMPAIGN, RECORDS, first, options)
    ccr.export(CAMPAIGN, RECORDS, second, options)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert archive.getinfo("results.csv").date_time == (2026, 3, 1, 9, 15, 30)
    streams = io.BytesIO(), io.BytesIO()
    for stream in streams:
        ccr.export(CAMPAIGN, RECORDS, stream, options)
    assert streams[0].getvalue() == streams[1].getvalue()


def test_zip_to_a_stream_names_the_member_after_campaign_and_format() -> None:
    stream = io.BytesIO()
    campaign = ccr.Campaign('Sales/Q1: "A"', CAMPAIGN.lists)
    options = ccr.ExportOptions(
        compress=True,
        format="detailed-interval",
        zip_timestamp=STAMP,
        interval=(dt.datetime(2026, 1, 1, tzinfo=MSK), dt.datetime(2027, 1, 1, tzinfo=MSK)),
    )
    result = ccr.export(campaign, RECORDS, stream, options)
    assert result.member == "Sales_Q1_ _A_-detailed-interval.csv"
    with zipfile.ZipFile(stream) as archive:
        assert archive.namelist() == [result.member]
        assert archive.read(result.member) == export_bytes(
            campaign=campaign, format="detailed-interval", interval=options.interval
        )


def test_aware_zip_timestamp_is_written_in_the_export_time_zone() -> None:
    stream = io.BytesIO()
    options = ccr.ExportOptions(
        compress=True, zip_timestamp=dt.datetime(2026, 3, 1, 6, 0, tzinfo=dt.UTC)
    )
    ccr.export(CAMPAIGN, RECORDS, stream, options)
    with zipfile.ZipFile(stream) as archive:
        assert archive.infolist()[0].date_time == (2026, 3, 1, 9, 0, 0)


@pytest.mark.parametrize("compress", [True, False])
def test_zip_timestamp_outside_a_zips_range_is_an_options_error_at_construction(
    compress: bool,
) -> None:
    # A zip's DOS date-time holds 1980-01-01 to 2107-12-31; checked when the
    # options are built, whether or not this export zips.
    for moment in (dt.datetime(1979, 12, 31, tzinfo=MSK), dt.datetime(2108, 1, 1, tzinfo=MSK)):
        with pytest.raises(ccr.errors.OptionsError, match=r"ExportOptions\.zip_timestamp"):
            ccr.ExportOptions(compress=compress, zip_timestamp=moment)
