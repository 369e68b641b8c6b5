"""Hostile and broken input: each defect found by trying the library as an attacker would.

Every test reproduces one defect through the public API or the command line
and checks the library's answer: its own error naming what is wrong, bounded
time and memory, and destinations that are never clobbered.
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import json
import os
import stat
import subprocess
import sys
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import cloudcontact_results as ccr
from tests.support.zipbombs import zipped

MiB = 1024 * 1024
BERLIN = ZoneInfo("Europe/Berlin")


def cli(
    *args: str | Path, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cloudcontact_results", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def demo_export(tmp_path: Path, records: int = 10, **options: object) -> tuple[Path, bytes]:
    campaign, rows = ccr.demo_campaign(records)
    path = tmp_path / "export.csv"
    ccr.export(campaign, rows, path, ccr.ExportOptions(**options))  # type: ignore[arg-type]
    return path, path.read_bytes()


def read_all(data: bytes, **kwargs: object) -> int:
    report = ccr.read_report(io.BytesIO(data), **kwargs)  # type: ignore[arg-type]
    return sum(1 for _ in report)


def bounded(run, *, seconds: float = 5.0, megabytes: float = 200.0):  # type: ignore[no-untyped-def]
    """Run ``run()``; it must end within ``seconds`` and peak under ``megabytes``."""
    tracemalloc.start()
    # CPU seconds of this process, not wall time: the budget is for the work,
    # and a busy machine (other processes, a parallel run) stretches wall time.
    started = time.process_time()
    try:
        result = run()
    finally:
        elapsed = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1] / MiB
        tracemalloc.stop()
    assert elapsed < seconds, elapsed
    assert peak < megabytes, peak
    return result


# --- 1. a header cell with an unbalanced quote ------------------------------------------------


@pytest.mark.slow
def test_a_quote_inside_a_header_name_is_text_and_no_row_is_lost(tmp_path):
    assert cli("demo", "--out", tmp_path / "d", "--records", "10").returncode == 0
    lines = (tmp_path / "d" / "simple.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = lines[0].replace("Адрес", "Рост 5'11\"", 1)
    (tmp_path / "bare.csv").write_text("".join(lines), encoding="utf-8")

    result = cli("inspect", tmp_path / "bare.csv")

    assert result.returncode == 0, result.stderr
    assert "rows:     10" in result.stdout
    report = ccr.read_report(tmp_path / "bare.csv")
    assert "Рост 5'11\"" in report.list_columns
    assert len(list(report)) == 10


def test_a_header_with_a_quote_left_open_is_an_error_not_zero_rows(tmp_path):
    _, data = demo_export(tmp_path)
    header, rest = data.split(b"\r\n", 1)
    broken = header.replace(b"\xd0\x90\xd0\xb4\xd1\x80\xd0\xb5\xd1\x81", b'"Adres', 1)  # Адрес

    with pytest.raises(ccr.errors.ReadError) as caught:
        read_all(broken + b"\r\n" + rest)

    assert caught.value.line == 1
    assert "header" in str(caught.value)


def test_a_well_formed_header_over_two_lines_still_reads(tmp_path):
    _, data = demo_export(tmp_path)
    header, rest = data.split(b"\r\n", 1)
    quoted = header.replace("Адрес".encode(), '"Адрес\r\nдоставки"'.encode(), 1)

    report = ccr.read_report(io.BytesIO(quoted + b"\r\n" + rest))

    assert "Адрес\r\nдоставки" in report.list_columns
    assert len(list(report)) == 10


# --- 2. unbounded memory --------------------------------------------------------------------------


@pytest.mark.slow
def test_a_zip_of_one_nul_member_fails_fast_in_bounded_memory():
    data = zipped("results.csv", b"", b"\0" * MiB, 256)  # 256 MiB of NUL in about 256 KB
    assert len(data) < MiB

    with pytest.raises(ccr.errors.ReadError, match="longer than"):
        bounded(lambda: read_all(data))


@pytest.mark.slow
def test_a_header_then_blank_lines_costs_little():
    header = ",".join(column.en for column in ccr.SIMPLE_COLUMNS).encode() + b"\r\n"
    data = zipped("results.csv", header, b"\r\n" * (MiB // 2), 256)  # 256 MiB of blank lines
    assert len(data) < MiB

    with pytest.raises(ccr.errors.ReadError, match="inflates to more than"):
        bounded(lambda: read_all(data))


def raised(run):  # type: ignore[no-untyped-def]
    """What ``run()`` raises (so that ``bounded`` measures a read that fails)."""
    try:
        run()
    except Exception as exc:  # noqa: BLE001  # the test asserts on it
        return exc
    raise AssertionError("nothing was raised")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "repeat"),
    [(zipfile.ZIP_BZIP2, 128), (zipfile.ZIP_LZMA, 64)],
    ids=["bzip2", "lzma"],
)
def test_a_bzip2_or_lzma_bomb_is_refused_while_it_inflates(method, repeat):
    header = ",".join(column.en for column in ccr.SIMPLE_COLUMNS).encode() + b"\r\n"
    data = zipped("results.csv", header, b"\n" * MiB, repeat, method)  # blank lines
    assert len(data) < 16 * 1024  # over 4000 times smaller than what it inflates to

    caught = bounded(lambda: raised(lambda: read_all(data)), megabytes=24)

    assert isinstance(caught, ccr.errors.ReadError), caught
    assert "inflates to more than" in str(caught)
    assert "max_zip_ratio" in str(caught)


@pytest.mark.slow
def test_blank_lines_between_rows_are_passed_over_and_counted(tmp_path):
    _, data = demo_export(tmp_path)
    header, first, rest = data.split(b"\r\n", 2)
    blank = b"\r\n" * 200_000
    text = header + b"\r\n" + first + b"\r\n" + blank + b"two,0,,,0,,,,,,,,,,L\r\n" + rest

    with pytest.raises(ccr.errors.ReadError) as caught:
        bounded(lambda: read_all(text))

    assert caught.value.line == 3 + 200_000


def test_a_line_longer_than_the_limit_names_its_line(tmp_path):
    _, data = demo_export(tmp_path)
    header, rest = data.split(b"\r\n", 1)
    long_line = b"x" * (5 * MiB) + b"\r\n"

    with pytest.raises(ccr.errors.ReadError) as caught:
        bounded(lambda: read_all(header + b"\r\n" + long_line + rest, errors="skip"))

    assert caught.value.line == 2
    assert "ReadLimits.max_row_bytes" in str(caught.value)
    # A caller expecting longer rows says so.
    limits = ccr.ReadLimits(max_row_bytes=8 * MiB)
    assert read_all(header + b"\r\n" + long_line + rest, errors="skip", limits=limits) == 10


@pytest.mark.slow
def test_a_row_of_many_quoted_lines_is_bounded_too(tmp_path):
    _, data = demo_export(tmp_path)
    header = data.split(b"\r\n", 1)[0]
    many = b'"a\r\n' + b'","a\r\n' * (5 * MiB // 6)  # one row, one short cell per line

    with pytest.raises(ccr.errors.ReadError, match="longer than"):
        bounded(lambda: read_all(header + b"\r\n" + many))


def test_a_file_of_bad_lines_stops_after_the_limit(tmp_path):
    _, data = demo_export(tmp_path)
    header = data.split(b"\r\n", 1)[0]
    bad = b"1\r\n" * 1_000_000

    report = ccr.read_report(io.BytesIO(header + b"\r\n" + bad), errors="collect")
    with pytest.raises(ccr.errors.ReadError, match="max_bad_lines"):
        bounded(lambda: sum(1 for _ in report))
    assert len(report.errors) == 1000


@pytest.mark.slow
@pytest.mark.parametrize("command", ["inspect", "export"])
def test_dev_zero_is_a_read_error_not_a_memory_error(command, tmp_path):
    args = (
        ["inspect", "/dev/zero"]
        if command == "inspect"
        else ["export", "/dev/zero", "-o", tmp_path / "o.csv"]
    )

    result = cli(*args, timeout=30)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "longer than" in result.stderr


@pytest.mark.slow
def test_a_fifo_without_a_writer_does_not_hang(tmp_path):
    fifo = tmp_path / "in.csv"
    os.mkfifo(fifo)

    result = cli("inspect", fifo, timeout=30)

    assert result.returncode == 1
    assert "empty" in result.stderr


def test_a_fifo_with_a_writer_is_read_once_as_a_stream(tmp_path):
    path, data = demo_export(tmp_path)
    fifo = tmp_path / "in.csv"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("wb") as writer:
            writer.write(data)

    thread = threading.Thread(target=feed)
    thread.start()
    report = ccr.read_report(fifo)
    rows = list(report)
    thread.join(timeout=30)

    assert rows == list(ccr.read_report(path))
    with pytest.raises(ccr.errors.ReadError, match="once"):
        list(report)


# --- 3. tracebacks instead of the library's error ----


def campaign_lines(**attempt: object) -> list[str]:
    campaign, _ = ccr.demo_campaign(0)
    text = io.StringIO()
    ccr.dump_campaign(campaign, [], text)
    base = {"phone": "1", "time": "2026-03-02T10:00:00+03:00", **attempt}
    record = {"type": "record", "id": "1", "list": campaign.lists[0].name, "attempts": [base]}
    return [*text.getvalue().splitlines(), json.dumps(record, ensure_ascii=False)]


def load_records(lines: list[str]) -> list[ccr.Record]:
    _, records = ccr.load_campaign(lines)
    return list(records)


def test_json_nested_too_deeply_is_a_read_error():
    lines = campaign_lines()
    lines[1] = "[" * 100_000 + "]" * 100_000

    with pytest.raises(ccr.errors.ReadError, match="nested too deeply") as caught:
        load_records(lines)
    assert caught.value.line == 2


def test_a_number_too_long_to_convert_is_a_read_error():
    lines = campaign_lines()
    lines[1] = lines[1].replace('"phone": "1"', '"sip_code": ' + "4" * 5000 + ', "phone": "1"')

    with pytest.raises(ccr.errors.ReadError) as caught:
        load_records(lines)
    assert caught.value.line == 2
    assert len(str(caught.value)) < 1000


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(1, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5))),
        dt.datetime(9999, 12, 31, 20, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        dt.datetime(9999, 12, 31, 23, tzinfo=dt.UTC),
    ],
)
def test_times_at_the_ends_of_the_calendar_are_validation_errors(moment):
    with pytest.raises(ccr.errors.ValidationError, match=r"Attempt\.time"):
        ccr.Attempt("1", moment)


def test_the_earliest_and_latest_times_export_in_every_zone():
    campaign = ccr.Campaign("C", [ccr.CallingList("L", ["a"])])
    first = ccr.Attempt("1", dt.datetime(1, 1, 2, tzinfo=dt.UTC))
    last = ccr.Attempt("1", dt.datetime(9999, 12, 30, 23, 59, 59, tzinfo=dt.UTC))
    records = [ccr.Record("r", "L", attempts=[first, last])]
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Moscow", "UTC"):
        for fmt in ("%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M:%S%z"):
            options = ccr.ExportOptions(format="detailed", timezone=zone, datetime_format=fmt)
            sink = io.BytesIO()
            assert ccr.export(campaign, records, sink, options).rows == 2
            sink.seek(0)
            rows = list(ccr.read_report(sink, timezone=zone, datetime_format=fmt))
            assert len(rows) == 2
            if zone == "UTC" or "%z" in fmt:  # an offset says which instant it was
                assert [row.call_time for row in rows] == [first.time, last.time]


@pytest.mark.slow
def test_an_interval_bound_out_of_range_is_an_options_error(tmp_path):
    with pytest.raises(ccr.errors.OptionsError, match="interval"):
        ccr.ExportOptions(interval=(dt.datetime(1, 1, 1), dt.datetime(2026, 1, 1)))  # noqa: DTZ001
    assert cli("demo", "--out", tmp_path, "--records", "3").returncode == 0
    result = cli(
        "export",
        tmp_path / "campaign.jsonl",
        "--from",
        "0001-01-01T00:00",
        "-o",
        tmp_path / "x.csv",
    )
    # A bad value of a flag: a usage error naming it (docs/cli.md, exit codes).
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("usage: ")
    assert result.stderr.splitlines()[-1] == (
        "cloudcontact-results export: error: --from/--to: is out of the range of date-times"
    )
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("zone", ["Europe", "x" * 300, "../etc/passwd", "UTC\0"])
def test_a_zone_name_the_file_system_refuses_is_an_options_error(zone, tmp_path):
    with pytest.raises(ccr.errors.OptionsError, match="timezone"):
        ccr.ExportOptions(timezone=zone)
    with pytest.raises(ccr.errors.OptionsError, match="timezone"):
        ccr.read_report(io.BytesIO(b"x"), timezone=zone)
    lines = campaign_lines(time=f"2026-03-02T10:00:00+03:00[{zone}]")
    with pytest.raises(ccr.errors.ReadError, match="time zone") as caught:
        load_records(lines)
    assert caught.value.line == 2


@pytest.mark.slow
@pytest.mark.parametrize("zone", ["Europe", "x" * 300])
def test_a_bad_zone_on_the_command_line_is_a_usage_error_naming_the_flag(zone, tmp_path):
    assert cli("demo", "--out", tmp_path, "--records", "3").returncode == 0
    store = tmp_path / "results.db"
    assert cli("store", "load", store, tmp_path / "campaign.jsonl").returncode == 0
    name = ccr.demo_campaign(3)[0].name
    for args in (
        ["export", tmp_path / "campaign.jsonl", "--timezone", zone, "-o", tmp_path / "x.csv"],
        ["inspect", tmp_path / "simple.csv", "--timezone", zone],
        ["store", "export", store, name, "--timezone", zone, "-o", tmp_path / "y.csv"],
    ):
        result = cli(*args)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith("usage: ")
        line = result.stderr.splitlines()[-1]
        command = " ".join(str(arg) for arg in args[: 2 if args[0] == "store" else 1])
        assert line.startswith(
            f"cloudcontact-results {command}: error: --timezone: is not a known IANA time zone "
        )
    assert not (tmp_path / "x.csv").exists()
    assert not (tmp_path / "y.csv").exists()


# --- 4. destinations ----


@pytest.fixture
def demo_jsonl(tmp_path: Path) -> Path:
    assert cli("demo", "--out", tmp_path / "demo", "--records", "5").returncode == 0
    return tmp_path / "demo" / "campaign.jsonl"


@pytest.mark.slow
def test_a_character_device_is_written_to_not_replaced(demo_jsonl):
    before = Path("/dev/null").stat()

    result = cli("export", demo_jsonl, "-o", "/dev/null")

    assert result.returncode == 0, result.stderr
    after = Path("/dev/null").stat()
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


@pytest.mark.slow
def test_a_fifo_is_written_as_a_stream(demo_jsonl, tmp_path):
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def drain() -> None:
        with fifo.open("rb") as reader:
            received.append(reader.read())

    thread = threading.Thread(target=drain)
    thread.start()
    result = cli("export", demo_jsonl, "-o", fifo)
    thread.join(timeout=30)

    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received[0].startswith(b"\xe2\x84\x96,")  # №,...


def test_a_symlink_is_followed_and_stays_a_link(tmp_path):
    campaign, records = ccr.demo_campaign(3)
    target = tmp_path / "real.csv"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(target)

    ccr.export(campaign, records, link)

    assert link.is_symlink()
    assert target.read_bytes().startswith("№".encode())
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]


def test_setuid_setgid_and_sticky_bits_are_never_copied(tmp_path):
    campaign, records = ccr.demo_campaign(3)
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o6755 | stat.S_ISVTX)

    ccr.export(campaign, records, target)

    assert stat.S_IMODE(target.stat().st_mode) == 0o755


@pytest.mark.slow
def test_a_read_only_file_is_kept_unless_asked(tmp_path, demo_jsonl):
    campaign, records = ccr.demo_campaign(3)
    target = tmp_path / "kept.csv"
    target.write_text("keep me", encoding="utf-8")
    target.chmod(0o444)

    with pytest.raises(ccr.errors.ExportError, match="read-only"):
        ccr.export(campaign, records, target)
    assert target.read_text(encoding="utf-8") == "keep me"
    result = cli("export", demo_jsonl, "-o", target)
    assert result.returncode == 1
    assert "read-only" in result.stderr
    assert target.read_text(encoding="utf-8") == "keep me"

    assert cli("export", demo_jsonl, "-o", target, "--force").returncode == 0
    assert target.read_bytes().startswith("№".encode())
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    ccr.export(campaign, records, target, overwrite=True)


@pytest.mark.parametrize("file_format", ["parquet", "xlsx"])
def test_every_file_format_follows_the_destination_policy(tmp_path, file_format):
    campaign, records = ccr.demo_campaign(3)
    options = ccr.ExportOptions(file_format=file_format)
    kept = tmp_path / f"kept.{file_format}"
    kept.write_bytes(b"keep me")
    kept.chmod(0o444)
    with pytest.raises(ccr.errors.ExportError, match="read-only"):
        ccr.export(campaign, records, kept, options)
    assert kept.read_bytes() == b"keep me"
    ccr.export(campaign, records, kept, options, overwrite=True)
    assert kept.read_bytes().startswith({"parquet": b"PAR1", "xlsx": b"PK"}[file_format])
    assert stat.S_IMODE(kept.stat().st_mode) == 0o444

    target = tmp_path / f"real.{file_format}"
    target.write_bytes(b"old")
    link = tmp_path / f"link.{file_format}"
    link.symlink_to(target)
    ccr.export(campaign, records, link, options)
    assert link.is_symlink()
    assert target.read_bytes().startswith({"parquet": b"PAR1", "xlsx": b"PK"}[file_format])


@pytest.mark.slow
def test_an_empty_destination_is_named_as_given(demo_jsonl):
    result = cli("export", demo_jsonl, "-o", "")

    assert result.returncode == 1
    assert "destination ''" in result.stderr
    with pytest.raises(ccr.errors.ExportError, match="destination ''"):
        ccr.export(*ccr.demo_campaign(1), "")


def test_a_full_disk_names_the_target_not_the_temporary_file(tmp_path, monkeypatch):
    campaign, records = ccr.demo_campaign(3)
    target = tmp_path / "out.csv"

    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space left") as caught:
        ccr.export(campaign, records, target)

    assert caught.value.errno == errno.ENOSPC
    assert caught.value.filename == str(target)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_full_device_names_itself(demo_jsonl):
    result = cli("export", demo_jsonl, "-o", "/dev/full")

    assert result.returncode == 1
    assert "/dev/full: No space left on device" in result.stderr


# --- 5. duplicate keys and ill-typed values in campaign files ------------------------------------


def test_a_key_given_twice_names_the_line_and_key():
    lines = campaign_lines()
    record = json.loads(lines[1])
    lines[1] = lines[1][:-1] + ', "attempts": []}'
    assert json.loads(lines[1])["attempts"] == []  # what json alone would do: keep the last

    with pytest.raises(ccr.errors.ReadError) as caught:
        load_records(lines)

    assert (caught.value.line, caught.value.column) == (2, "attempts")
    assert record["attempts"]


def test_a_key_given_twice_in_the_campaign_line_fails_at_once():
    lines = campaign_lines()
    lines[0] = lines[0][:-1] + ', "name": "other"}'

    with pytest.raises(ccr.errors.ReadError) as caught:
        ccr.load_campaign(lines)
    assert (caught.value.line, caught.value.column) == (1, "name")


@pytest.mark.parametrize(
    "quota", [{"no_match": 1}, {"no_match": "true"}, {"no_match": True, "x": 1}]
)
def test_an_ill_typed_no_match_is_an_error(quota):
    with pytest.raises(ccr.errors.ReadError) as caught:
        load_records(campaign_lines(is_call_attempt=False, quota=quota))
    assert (caught.value.line, caught.value.column) == (2, "attempts[0].quota")


# --- 8. smaller -----------------------------------------------------------------------------------


def test_a_huge_value_is_cut_in_the_message(tmp_path):
    _, data = demo_export(tmp_path)
    header, first, rest = data.split(b"\r\n", 2)
    huge = b"9" * (3 * MiB)
    row = huge + b"," + first.split(b",", 1)[1]

    with pytest.raises(ccr.errors.ReadError) as caught:
        read_all(header + b"\r\n" + row.replace(b",1,", b",x,", 1) + b"\r\n" + rest)

    assert len(str(caught.value)) < 2000


def test_a_zip_of_many_members_is_summarised():
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w") as archive:
        for number in range(2000):
            archive.writestr(f"part-{number}.csv", "x")

    with pytest.raises(ccr.errors.ReadError) as caught:
        read_all(sink.getvalue())

    assert "and 1990 more" in str(caught.value)
    assert len(str(caught.value)) < 2000


class _Unnamed(zipfile.ZipInfo):
    def is_dir(self) -> bool:  # zipfile's own fails on an empty name
        return False


@pytest.mark.parametrize("mode", ["raise", "skip", "collect"])
@pytest.mark.parametrize("member", [None, ""])
def test_a_zip_member_with_an_empty_name_is_a_read_error(mode, member):
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w") as archive:
        archive.writestr(_Unnamed("", date_time=(2026, 3, 2, 0, 0, 0)), b"a,b\r\n")

    with pytest.raises(ccr.errors.ReadError, match="zip member to read has an empty name"):
        read_all(sink.getvalue(), errors=mode, member=member)


def test_inspect_escapes_control_characters_from_the_file(tmp_path):
    escape = "\x1b]0;owned\x07\x1b[31m"
    campaign = ccr.Campaign(
        "C", [ccr.CallingList("L", [f"Имя{escape}"])], dispositions=[ccr.Disposition(f"Да{escape}")]
    )
    agreed = campaign.dispositions[0]
    record = ccr.Record(
        "1",
        "L",
        attempts=[
            ccr.Attempt(
                "1",
                dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
                call_disposition=agreed,
                agent=f"agent{escape}",
            )
        ],
    )
    path = tmp_path / "escape.csv"
    ccr.export(campaign, [record], path, ccr.ExportOptions(format="detailed"))
    text = path.read_bytes().decode()  # and an unknown column's name
    header, rest = text.split("\r\n", 1)
    first_row_end = rest.index("\r\n")
    rest = rest[:first_row_end] + ",x" + rest[first_row_end:]
    path.write_bytes(f"{header},Extra{escape}\r\n{rest}".encode())

    result = cli("inspect", path)

    assert "\x1b" not in result.stdout + result.stderr
    assert "\x07" not in result.stdout + result.stderr
    assert "\\x1b" in result.stdout


def test_years_before_1000_are_written_with_four_digits_and_read_back():
    campaign = ccr.Campaign("C", [ccr.CallingList("L", ["a"])])
    moment = dt.datetime(999, 3, 2, 10, 0, tzinfo=dt.UTC)
    records = [ccr.Record("r", "L", attempts=[ccr.Attempt("1", moment)])]
    for fmt in ("%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M"):
        options = ccr.ExportOptions(format="detailed", timezone="UTC", datetime_format=fmt)
        sink = io.BytesIO()
        ccr.export(campaign, records, sink, options)
        assert b"0999" in sink.getvalue()
        sink.seek(0)
        (row,) = ccr.read_report(sink, timezone="UTC", datetime_format=fmt)
        assert row.call_time == moment


# --- 9. clocks going back ----


def test_an_offset_in_the_format_keeps_two_attempts_of_the_repeated_hour_apart():
    campaign = ccr.Campaign("C", [ccr.CallingList("L", ["a"])])
    first = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # 02:30 CEST in Berlin
    second = first + dt.timedelta(hours=1)  # 02:30 CET: the same wall-clock time
    records = [ccr.Record("r", "L", attempts=[ccr.Attempt("1", first), ccr.Attempt("1", second)])]

    def read_back(fmt: str) -> list[dt.datetime]:
        options = ccr.ExportOptions(
            format="detailed", timezone="Europe/Berlin", datetime_format=fmt
        )
        sink = io.BytesIO()
        ccr.export(campaign, records, sink, options)
        sink.seek(0)
        rows = ccr.read_report(sink, timezone="Europe/Berlin", datetime_format=fmt)
        return [row.call_time.astimezone(dt.UTC) for row in rows]

    assert read_back("%Y-%m-%d %H:%M:%S") == [first, first]  # one local time, one instant
    assert read_back("%Y-%m-%d %H:%M:%S%z") == [first, second]
