"""Progress of long work: the callbacks of the API and the line a terminal shows."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results._cli import progress as terminal
from cloudcontact_results._progress import EVERY, counted
from cloudcontact_results.cli import main
from cloudcontact_results.store import ResultsStore


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def demo(count: int) -> tuple[ccr.Campaign, list[ccr.Record]]:
    campaign, records = ccr.demo_campaign(count, 7)
    return campaign, list(records)


# --- the throttle ----------------------------------------------------------------------


@given(st.integers(0, 300), st.integers(1, 50), st.booleans())
def test_counted_calls_every_n_items_and_once_at_the_end(
    count: int, every: int, sized: bool
) -> None:
    seen: list[ccr.Progress] = []
    total = count if sized else None

    items = list(
        counted(range(count), seen.append, "reading", "rows", total=total, every=every, seconds=0)
    )

    assert items == list(range(count))
    assert [p.done for p in seen] == [*range(every, count + 1, every), count]
    assert all(p.total == total and p.unit == "rows" and p.what == "reading" for p in seen)


@given(st.integers(1, 200), st.integers(1, 20))
def test_counted_calls_no_more_often_than_its_seconds(count: int, seconds: int) -> None:
    # The clock moves one second at each look: a call every ``seconds`` looks, then the last.
    ticks = itertools.count()
    seen: list[ccr.Progress] = []

    list(
        counted(range(count), seen.append, "x", every=1, seconds=seconds, clock=lambda: next(ticks))
    )

    times = [p.elapsed for p in seen]
    assert all(later - earlier >= seconds for earlier, later in itertools.pairwise(times[:-1]))
    assert len(seen) == count // seconds + 1
    assert seen[-1].done == count


def test_progress_says_how_far_how_fast_and_how_long_is_left() -> None:
    progress = ccr.Progress("exporting", 1200, 5000, "records", "out.csv", 2.0)

    assert (progress.fraction, progress.rate, progress.remaining) == (0.24, 600.0, 3800 / 600)
    assert ccr.Progress("reading", 5, None, "rows").remaining is None
    assert ccr.Progress("reading", 0, 0, "rows").fraction == 1.0
    assert ccr.Progress("reading", 5, None, "rows", elapsed=0).rate is None


# --- the API -------------------------------------------------------------------------


def test_export_calls_back_throttled_with_the_total_and_the_file_name(tmp_path: Path) -> None:
    campaign, records = demo(2 * EVERY + 10)
    seen: list[ccr.Progress] = []

    result = ccr.export(campaign, records, tmp_path / "out.csv", progress=seen.append)

    assert result.rows > 0
    last = seen[-1]
    assert (last.what, last.done, last.total, last.unit, last.name) == (
        "exporting",
        len(records),
        len(records),
        "records",
        "out.csv",
    )
    assert len(seen) <= len(records) // EVERY + 1
    assert (tmp_path / "out.csv").read_bytes() == _exported(campaign, records)


def test_export_of_an_iterator_has_no_total_and_a_stream_no_name() -> None:
    campaign, records = demo(30)
    seen: list[ccr.Progress] = []

    ccr.export(campaign, iter(records), io.BytesIO(), progress=seen.append)

    assert [(p.done, p.total, p.name) for p in seen] == [(30, None, None)]


def _exported(campaign: ccr.Campaign, records: list[ccr.Record]) -> bytes:
    stream = io.BytesIO()
    ccr.export(campaign, records, stream)
    return stream.getvalue()


@pytest.mark.parametrize(("engine", "chunksize"), [("auto", None), ("python", None), ("c", 7)])
@pytest.mark.parametrize("suffix", [".csv", ".zip"])
def test_to_pandas_reports_the_bytes_read_of_the_files_size(
    tmp_path: Path, engine: ccr.pandas.Engine, chunksize: int | None, suffix: str
) -> None:
    pytest.importorskip("pandas")
    campaign, records = demo(300)
    path = tmp_path / f"in{suffix}"
    ccr.export(campaign, records, path)
    seen: list[ccr.Progress] = []

    frames = ccr.read_report(path).to_pandas(
        engine=engine, chunksize=chunksize, progress=seen.append
    )
    rows = len(frames) if chunksize is None else sum(len(frame) for frame in frames)

    size = path.stat().st_size  # a zip's compressed bytes: its size on disk
    assert rows > 0
    assert [(p.what, p.unit, p.total, p.name) for p in seen] == [
        ("reading", "bytes", size, path.name)
    ] * len(seen)
    assert seen[-1].done == size
    assert seen[-1].fraction == 1.0
    assert [p.done for p in seen] == sorted(p.done for p in seen)


def test_a_seekable_stream_is_measured_from_where_it_stands(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    campaign, records = demo(20)
    body = _exported(campaign, records)
    stream = io.BytesIO(b"x" * 100 + body)
    stream.seek(100)
    seen: list[ccr.Progress] = []

    ccr.read_report(stream).to_pandas(progress=seen.append)

    assert (seen[-1].unit, seen[-1].done, seen[-1].total, seen[-1].name) == (
        "bytes",
        len(body),
        len(body),
        None,
    )


class _Unseekable(io.RawIOBase):
    """A stream that cannot seek nor tell its size, like a pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_a_source_that_cannot_tell_its_size_is_reported_in_rows() -> None:
    pytest.importorskip("pandas")
    campaign, records = demo(30)
    body = _exported(campaign, records)
    seen: list[ccr.Progress] = []

    frame = ccr.read_report(io.BufferedReader(_Unseekable(body))).to_pandas(progress=seen.append)

    assert (seen[-1].unit, seen[-1].done, seen[-1].total) == ("rows", len(frame), None)


def test_a_workbook_is_reported_in_rows(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    campaign, records = demo(20)
    path = tmp_path / "in.xlsx"
    ccr.export(campaign, records, path)
    seen: list[ccr.Progress] = []

    figures = ccr.read_report(path).summary(progress=seen.append)

    assert (seen[-1].unit, seen[-1].done, seen[-1].total) == ("rows", figures.rows, None)


def test_summary_reports_its_reading_and_keeps_the_format_of_an_empty_file(
    tmp_path: Path,
) -> None:
    campaign, records = demo(50)
    full, empty = tmp_path / "full.csv", tmp_path / "empty.csv"
    ccr.export(campaign, records, full, ccr.ExportOptions(format="detailed"))
    ccr.export(campaign, [], empty, ccr.ExportOptions(format="detailed"))
    seen: list[ccr.Progress] = []

    figures = ccr.read_report(full).summary(progress=seen.append)
    nothing = ccr.read_report(empty).summary(progress=seen.append)

    assert figures == ccr.read_report(full).summary()
    assert nothing.format is ccr.ReportFormat.DETAILED
    assert nothing.rows == 0
    assert [(p.unit, p.done, p.total) for p in seen if p.name == "full.csv"][-1] == (
        "bytes",
        full.stat().st_size,
        full.stat().st_size,
    )
    assert seen[-1].done == seen[-1].total == empty.stat().st_size


def test_store_load_and_export_call_back_with_their_totals(tmp_path: Path) -> None:
    campaign, records = demo(50)
    loaded: list[ccr.Progress] = []
    exported: list[ccr.Progress] = []
    with ResultsStore(tmp_path / "results.db") as store:
        store.put_campaign(campaign)
        store.add_records(campaign.name, records, progress=loaded.append)
        store.export(campaign.name, tmp_path / "out.zip", progress=exported.append)
        one_list = ccr.ExportOptions(lists=[campaign.lists[0].name])
        only = [p.total for p in _export_progress(store, campaign.name, one_list)]

    assert [(p.what, p.done, p.total) for p in loaded] == [("loading", 50, 50)]
    assert [(p.what, p.done, p.total, p.name) for p in exported] == [
        ("exporting", 50, 50, "out.zip")
    ]
    in_first = sum(r.list_name == campaign.lists[0].name for r in records)
    assert only == [in_first]


@pytest.mark.parametrize("sized", [True, False])
def test_store_ingest_calls_back_with_the_attempts_read(tmp_path: Path, sized: bool) -> None:
    campaign, records = demo(30)
    attempt = ccr.Attempt(
        phone="+7916", time=dt.datetime(2026, 3, 2, 10, 1, tzinfo=dt.UTC), is_call_attempt=False
    )
    feed = [(record.list_name, record.id, attempt) for record in records]
    seen: list[ccr.Progress] = []
    with ResultsStore(tmp_path / "results.db") as store:
        store.put_campaign(campaign)
        store.add_records(campaign.name, records)
        new = store.add_attempts(campaign.name, feed if sized else iter(feed), progress=seen.append)

    assert new == 30
    assert [(p.what, p.done, p.total, p.unit) for p in seen] == [
        ("ingesting", 30, 30 if sized else None, "attempts")
    ]


def _export_progress(
    store: ResultsStore, name: str, options: ccr.ExportOptions
) -> list[ccr.Progress]:
    seen: list[ccr.Progress] = []
    store.export(name, io.BytesIO(), options, progress=seen.append)
    return seen


# --- the terminal ----------------------------------------------------------------------


def test_the_line_shows_what_file_how_far_of_how_much_rate_and_time_left() -> None:
    line = terminal.describe(ccr.Progress("exporting", 1200, 5000, "records", "out.csv", 2.0))

    assert line == "exporting out.csv: 1\xa0200 / 5\xa0000 records (24%), 600/s, 0:06 left"
    assert terminal.describe(ccr.Progress("reading", 7, None, "rows", None, 0.0)) == (
        "reading: 7 rows"
    )


def test_the_display_rewrites_one_line_after_its_delay_then_erases_it() -> None:
    stream = Terminal()
    ticks = itertools.count()
    with terminal.shown(stream, delay=3) as callback:
        assert callback is not None
        list(
            counted(
                range(10),
                callback,
                "reading",
                "rows",
                total=10,
                every=1,
                seconds=0,
                clock=lambda: next(ticks),
            )
        )
        during = stream.getvalue()

    lines = during.split("\r")[1:]
    assert lines[0].startswith("reading: 3 / 10 rows (30%), 1/s, 0:07 left")
    assert lines[-1].startswith("reading: 10 / 10 rows (100%), 1/s")
    assert "left" not in lines[-1]
    assert stream.getvalue()[len(during) :].strip("\r ") == ""


def test_nothing_is_shown_on_a_pipe_and_no_callback_is_given() -> None:
    stream = io.StringIO()
    with terminal.shown(stream, delay=0) as callback:
        assert callback is None
    assert stream.getvalue() == ""


@pytest.mark.parametrize("where", ["files", "store", "store-load"])
def test_long_commands_show_progress_on_a_terminal(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign, records = demo(60)
    source = tmp_path / "campaign.jsonl"
    ccr.dump_campaign(campaign, records, source)
    db = tmp_path / "results.db"
    out = tmp_path / "out.csv"
    assert main(["store", "load", str(db), str(source)]) == 0
    stream = Terminal()
    monkeypatch.setattr(terminal, "DELAY", 0.0)
    monkeypatch.setattr(sys, "stderr", stream)

    if where == "files":
        assert main(["export", str(source), "-o", str(out)]) == 0
        assert main(["inspect", str(out)]) == 0
    elif where == "store":
        assert main(["store", "export", str(db), campaign.name, "-o", str(out)]) == 0
    else:
        feed = tmp_path / "feed.jsonl"
        feed.write_text(_attempt_line(records[0]) * 3, encoding="utf-8")
        assert main(["store", "load", str(db), str(source)]) == 0
        assert main(["store", "ingest", str(db), campaign.name, str(feed)]) == 0

    shown = stream.getvalue()
    if where == "files":
        assert "\rexporting out.csv: 60 records" in shown
        size = f"{out.stat().st_size:,}".replace(",", "\xa0")
        assert f"\rreading out.csv: {size} / {size} bytes (100%)" in shown
    elif where == "store":
        assert "\rexporting out.csv: 60 / 60 records (100%)" in shown
    else:
        assert "\rloading: 60 records" in shown
        assert "\ringesting feed.jsonl: 3 attempts" in shown
    assert shown.endswith("\r")


def _attempt_line(record: ccr.Record) -> str:
    attempt = {
        "phone": "+7916",
        "time": "2026-03-02T10:01:00+03:00",
        "call_disposition": "No answer",
    }
    line = {"list": record.list_name, "record": record.id, "attempt": attempt}
    return json.dumps(line, ensure_ascii=False) + "\n"


def test_list_commands_show_progress_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "list.csv"
    source.write_text(
        "Телефон,Имя\n" + "".join(f"+7916000{n:04},Имя {n}\n" for n in range(50)),
        encoding="utf-8",
    )
    stream = Terminal()
    monkeypatch.setattr(terminal, "DELAY", 0.0)
    monkeypatch.setattr(sys, "stderr", stream)

    assert main(["lists", "read", str(source), "--name", "L", "-o", str(tmp_path / "x.csv")]) == 0

    shown = stream.getvalue()
    assert "\rreading: 50 records" in shown
    assert shown.endswith("\r")
