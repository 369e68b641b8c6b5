"""Export speed against csv.writer, a hand-rolled loop, pandas and polars; export memory.

Usage::

    .venv/bin/python benchmarks/export.py [--records N] [--rounds R]   # speed (100 000, 7)
    .venv/bin/python benchmarks/export.py --memory                     # 100 000 vs 1 000 000

Speed: in one process, the synthetic records (``_synthetic.py``) are built
once in memory, timed on their own (CPU time, reported beside the rest, never
subtracted from anything), and every writer writes the same report of those
records to memory, round after round, in an order rotated every round. Each
figure is the median over the rounds of the ratio of two CPU times measured
in the same round, so a concurrent load slows both sides alike. Every writer
writes the same bytes (checked by sha256):

- ``csv.writer``: the export's own cells, read back before the clock starts,
  written as preformatted tuples by ``csv.writer``: the limit of any writer
  that goes through the ``csv`` module;
- ``hand-rolled``: a careful ``csv.writer`` loop from the records, the cells
  written by hand: the guard looked at only where a cell's first character
  can start a formula, times by ``isoformat`` (never ``strftime``), a
  record's list cells once for all its attempts;
- ``pandas``: the hand-rolled loop's rows, formatted from the records, in a
  frame of text columns, ``to_csv``; formatting and frame included;
- ``polars``: polars done well: whole columns taken from the records with
  ``attrgetter``, then the formula guard, the local time's text and the
  empty cells made by polars expressions, ``write_csv``; frame included
  (needs the ``bench`` extra: pandas and polars).

Memory: each export runs in a fresh subprocess with records streaming from a
generator, so its peak RSS (``ru_maxrss``) is its own.
"""

from __future__ import annotations

import argparse
import csv
import functools
import hashlib
import io
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from operator import attrgetter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import _synthetic

import cloudcontact_results as ccr

CASES = {
    "simple": {"format": "simple"},
    "detailed": {"format": "detailed"},
    "detailed-zip": {"format": "detailed", "compress": True},
}
MB = 1024 * 1024
_PLAIN_NUMBER = re.compile(r"[+-]\d+(?:[.,]\d+)?")


def _maxrss_mb() -> float:
    # ru_maxrss is KiB on Linux (bytes on macOS, where this reads 1024x too high).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(name: str, count: int) -> dict[str, Any]:
    """One export of ``count`` records to a file; runs inside its own process."""
    campaign = _synthetic.synthetic_campaign()
    options = ccr.ExportOptions(**CASES[name])  # type: ignore[arg-type]
    before = _maxrss_mb()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        result = ccr.export(
            campaign, _synthetic.synthetic_records(campaign, count), Path(folder) / "out", options
        )
        seconds = time.perf_counter() - started
    return {
        "case": name,
        "rows": result.rows,
        "bytes": result.bytes,
        "seconds": seconds,
        "rss_before_mb": before,
        "rss_peak_mb": _maxrss_mb(),
    }


def in_subprocess(case: str, count: int) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--case", case, "--records", str(count)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(output)
    return result


def _to_memory(write: Callable[[io.BytesIO], None]) -> bytes:
    stream = io.BytesIO()
    write(stream)
    return stream.getvalue()


def _export(
    campaign: ccr.Campaign, records: list[ccr.Record], **options: Any
) -> Callable[[], bytes]:
    export_options = ccr.ExportOptions(**options)
    return lambda: _to_memory(lambda s: ccr.export(campaign, records, s, export_options))


def _csv_writer(rows: list[tuple[str, ...]]) -> Callable[[], bytes]:
    def run() -> bytes:
        stream = io.BytesIO()
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        csv.writer(text, lineterminator="\r\n").writerows(rows)
        text.flush()
        return stream.getvalue()

    return run


@functools.lru_cache(maxsize=4096)
def _guard(cell: str) -> str:
    """The formula guard as docs/export.md states it."""
    bare = cell.lstrip("'")
    if bare[:1] in ("=", "@", "\t", "\r") or (
        bare[:1] in ("+", "-") and _PLAIN_NUMBER.fullmatch(bare) is None
    ):
        return "'" + cell
    return cell


def _note_by_hand() -> Callable[[ccr.Attempt], str]:
    """The Note cell as the baselines write it by hand: the agent's, or the failed dial's."""
    notes: dict[tuple[Any, Any], str] = {}

    def note(attempt: ccr.Attempt) -> str:
        if attempt.note:
            return attempt.note
        if attempt.is_call_attempt and attempt.answered_duration == 0:
            key = (attempt.cpa_result, attempt.sip_code)
            if key != (None, None):
                if key not in notes:
                    notes[key] = ccr.SystemNote(*key).render("en")
                return notes[key]
        return ""

    return note


#: First characters of a cell the formula guard may change: any other cell is kept
#: without a look-up (the careful loop's shortcut).
_MAY_TRIGGER = frozenset("=@\t\r+-'")


def _formatted_rows(
    campaign: ccr.Campaign, records: list[ccr.Record]
) -> Callable[[], Iterator[list[Any]]]:
    """What a careful engineer writes: each attempt's cells formatted by hand.

    The guard is looked at only for a cell whose first character can start a
    formula; times are formatted by ``isoformat`` (C) from the local time, never
    ``strftime``; a record's list cells are formatted once for all its attempts.
    """
    columns = campaign.lists[0].columns
    script = [field.name for field in campaign.exported_script_fields]
    zone = ZoneInfo(ccr.ExportOptions().timezone)
    note = _note_by_hand()
    may_trigger = _MAY_TRIGGER

    def cell(text: str) -> str:
        return _guard(text) if text and text[0] in may_trigger else text

    def rows() -> Iterator[list[Any]]:
        for record in records:
            start = [cell(record.fields.get(column, "")) for column in columns]
            record_id, list_name = cell(record.id), cell(record.list_name)
            for attempt in record.attempts:
                values = attempt.script_values
                completing = attempt.record_disposition
                called = attempt.call_disposition
                quota = attempt.quota
                yield [
                    *start,
                    *[cell(values.get(name, "")) for name in script],
                    cell(attempt.phone),
                    "1" if attempt.is_call_attempt else "0",
                    "1" if completing else "0",
                    cell(completing.name) if completing else "",
                    cell(completing.code or "") if completing else "",
                    "1" if quota else "0",
                    cell(quota.label("en")) if quota else "",
                    cell(called.name) if called else "",
                    cell(called.code or "") if called else "",
                    cell(note(attempt)),
                    attempt.time.astimezone(zone).replace(tzinfo=None).isoformat(" "),
                    attempt.dialing_duration,
                    attempt.cpa_duration,
                    attempt.answered_duration,
                    cell(attempt.agent),
                    "" if attempt.cpa_result is None else int(attempt.cpa_result),
                    cell(attempt.cpa_recording),
                    cell(attempt.cpa_rtp_server),
                    cell(attempt.recording),
                    cell(attempt.rtp_server),
                    cell(attempt.interaction_id),
                    record_id,
                    list_name,
                    "1" if attempt.is_inbound else "0",
                ]

    return rows


def _hand_rolled(campaign: ccr.Campaign, records: list[ccr.Record]) -> Callable[[], bytes]:
    """The rows formatted by hand, one ``csv.writer`` row per attempt."""
    header = ccr.report_header(campaign, ccr.ExportOptions(format="detailed"))
    rows = _formatted_rows(campaign, records)

    def run() -> bytes:
        stream = io.BytesIO()
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([_guard(cell) for cell in header])
        writer.writerows(rows())
        text.flush()
        return stream.getvalue()

    return run


def _pandas(campaign: ccr.Campaign, records: list[ccr.Record]) -> Callable[[], bytes]:
    """The rows formatted by hand into a frame of text (object) columns, then ``to_csv``."""
    import pandas as pd  # noqa: PLC0415  # the bench extra

    header = [
        _guard(cell) for cell in ccr.report_header(campaign, ccr.ExportOptions(format="detailed"))
    ]
    rows = _formatted_rows(campaign, records)

    def run() -> bytes:
        frame = pd.DataFrame(list(rows()), columns=pd.Index(header), dtype=object)
        stream = io.BytesIO()
        frame.to_csv(stream, index=False, lineterminator="\r\n", encoding="utf-8")
        return stream.getvalue()

    return run


def _polars(campaign: ccr.Campaign, records: list[ccr.Record]) -> Callable[[], bytes]:
    """polars done well: whole columns taken from the records (``attrgetter``), then the
    formula guard, the local time and its text, and the empty cells all made in polars."""
    import polars as pl  # noqa: PLC0415  # the bench extra

    header = ccr.report_header(campaign, ccr.ExportOptions(format="detailed"))
    columns = campaign.lists[0].columns
    script = [field.name for field in campaign.exported_script_fields]
    zone = ccr.ExportOptions().timezone
    note = _note_by_hand()
    # The guard of docs/export.md: after any quotes, = @ tab CR, or + - not before a number.
    opens = r"^'*[=@\t\r]"
    signed, number = r"^'*[+-]", r"^'*[+-]\d+([.,]\d+)?$"

    def guarded(name: str) -> pl.Expr:
        column = pl.col(name)
        trigger = column.str.contains(opens) | (
            column.str.contains(signed) & ~column.str.contains(number)
        )
        text = pl.when(trigger).then(pl.lit("'") + column).otherwise(column)
        return pl.when(column == "").then(None).otherwise(text).alias(name)

    def names(dispositions: list[Any], code: bool) -> list[str]:
        if code:
            return [d.code or "" if d is not None else "" for d in dispositions]
        return [d.name if d is not None else "" for d in dispositions]

    def run() -> bytes:
        attempts = [attempt for record in records for attempt in record.attempts]
        owners = [record for record in records for _ in record.attempts]

        def field(name: str) -> list[Any]:
            return list(map(attrgetter(name), attempts))  # a whole column, the loop in C

        completing, called, quotas = (
            field("record_disposition"),
            field("call_disposition"),
            field("quota"),
        )
        texts: list[list[str]] = [
            *[[owner.fields.get(column, "") for owner in owners] for column in columns],
            *[[attempt.script_values.get(name, "") for attempt in attempts] for name in script],
            field("phone"),
        ]
        data: dict[str, Any] = dict(zip(header, texts, strict=False))
        at = len(texts)
        data[header[at]] = pl.Series(field("is_call_attempt"), dtype=pl.Int8)
        data[header[at + 1]] = pl.Series([d is not None for d in completing], dtype=pl.Int8)
        data[header[at + 2]] = names(completing, code=False)
        data[header[at + 3]] = names(completing, code=True)
        data[header[at + 4]] = pl.Series([q is not None for q in quotas], dtype=pl.Int8)
        data[header[at + 5]] = [q.label("en") if q is not None else "" for q in quotas]
        data[header[at + 6]] = names(called, code=False)
        data[header[at + 7]] = names(called, code=True)
        data[header[at + 8]] = list(map(note, attempts))
        data[header[at + 9]] = pl.Series(field("time"), dtype=pl.Datetime("us", "UTC"))
        data[header[at + 10]] = field("dialing_duration")
        data[header[at + 11]] = field("cpa_duration")
        data[header[at + 12]] = field("answered_duration")
        data[header[at + 13]] = field("agent")
        data[header[at + 14]] = pl.Series(field("cpa_result"), dtype=pl.Int64)
        for offset, name in enumerate(
            ("cpa_recording", "cpa_rtp_server", "recording", "rtp_server", "interaction_id")
        ):
            data[header[at + 15 + offset]] = field(name)
        data[header[at + 20]] = [owner.id for owner in owners]
        data[header[at + 21]] = [owner.list_name for owner in owners]
        data[header[at + 22]] = pl.Series(field("is_inbound"), dtype=pl.Int8)
        frame = pl.DataFrame(data)
        time_header = header[at + 9]
        text_headers = [name for name, dtype in frame.schema.items() if dtype == pl.String]
        frame = frame.with_columns(
            *(guarded(name) for name in text_headers),
            pl.col(time_header)
            .dt.convert_time_zone(zone)
            .dt.strftime("%Y-%m-%d %H:%M:%S")
            .alias(time_header),
        )
        stream = io.BytesIO()
        frame.write_csv(stream, line_terminator="\r\n", null_value="")
        return stream.getvalue()

    return run


def _cells(data: bytes) -> tuple[list[str], list[tuple[str, ...]]]:
    header, *rows = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    return header, [tuple(row) for row in rows]


def speed(count: int, rounds: int) -> None:
    python = sys.version.split()[0]
    print(f"export benchmark: {count:,} records, {rounds} rounds, Python {python}")
    campaign = _synthetic.synthetic_campaign()
    started = time.process_time()
    records = list(_synthetic.synthetic_records(campaign, count))
    built = time.process_time() - started
    attempts = sum(len(record.attempts) for record in records)
    print(f"  building the records (not timed below): {built:.2f} s CPU, {attempts:,} attempts")

    detailed = _export(campaign, records, format="detailed")
    simple = _export(campaign, records, format="simple")
    header, detailed_rows = _cells(detailed())
    simple_header, simple_rows = _cells(simple())
    writers: dict[str, tuple[str, Callable[[], bytes]]] = {
        "export detailed": ("detailed", detailed),
        "export simple": ("simple", simple),
        "export detailed zip": (
            "zip",
            _export(campaign, records, format="detailed", compress=True),
        ),
        "csv.writer detailed": ("detailed", _csv_writer([tuple(header), *detailed_rows])),
        "csv.writer simple": ("simple", _csv_writer([tuple(simple_header), *simple_rows])),
        "hand-rolled detailed": ("detailed", _hand_rolled(campaign, records)),
    }
    try:
        writers["pandas detailed"] = ("detailed", _pandas(campaign, records))
        writers["polars detailed"] = ("detailed", _polars(campaign, records))
    except ImportError:
        print("  (pandas and polars skipped: install the bench extra)")
    seconds: dict[str, list[float]] = {name: [] for name in writers}
    digests: dict[str, set[str]] = {name: set() for name in writers}
    names = list(writers)
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.process_time()
            data = writers[name][1]()
            seconds[name].append(time.process_time() - started)
            digests[name].add(hashlib.sha256(data).hexdigest())
    for name, (kind, _) in writers.items():
        if kind != "zip":
            reference = "export detailed" if kind == "detailed" else "export simple"
            same = digests[name] == digests[reference] and len(digests[name]) == 1
            if not same:
                raise SystemExit(f"{name}: output differs from the export")

    def ratio(slower: str, faster: str) -> float:
        """Median over the rounds of slower's time over faster's (> 1: faster is faster)."""
        pairs = zip(seconds[slower], seconds[faster], strict=True)
        return statistics.median(a / b for a, b in pairs)

    print(f"  {'writer':<24}{'CPU s (median)':>16}")
    for name in writers:
        print(f"  {name:<24}{statistics.median(seconds[name]):>16.3f}")
    print("  every writer's output is byte-identical to the export's (sha256)")
    print("  export's speed relative to each baseline (median of per-round ratios):")
    figures = [  # (what, baseline, export, target)
        ("detailed / csv.writer, preformatted", "csv.writer detailed", "export detailed", 0.9),
        ("simple / csv.writer, preformatted", "csv.writer simple", "export simple", 0.9),
        ("detailed / hand-rolled loop", "hand-rolled detailed", "export detailed", 1.3),
        ("detailed export / pandas to_csv", "pandas detailed", "export detailed", 3.0),
        ("detailed export / polars write_csv", "polars detailed", "export detailed", 1.5),
    ]  # fmt: skip
    for label, baseline, export, target in figures:
        if baseline in seconds:
            value = ratio(baseline, export)
            verdict = "met" if value >= target else "NOT met"
            print(f"    {label}: {value:.2f}x (target >= {target}, {verdict})")
    zipped = ratio("export detailed zip", "export detailed")
    verdict = "met" if zipped <= 1.3 else "NOT met"
    print(f"    zipped / unzipped detailed export time: {zipped:.2f} (target <= 1.3, {verdict})")


def memory() -> None:
    print("peak RSS of a detailed export, each in a fresh process:")
    peaks = {}
    for count in (100_000, 1_000_000):
        result = in_subprocess("detailed", count)
        peaks[count] = result["rss_peak_mb"]
        print(
            f"  {count:>9,} records, {result['rows']:>9,} rows, {result['bytes'] / MB:>7.0f} MB: "
            f"peak {result['rss_peak_mb']:.1f} MB (before export {result['rss_before_mb']:.1f} MB)"
        )
    growth = peaks[1_000_000] - peaks[100_000]
    print(f"  growth for 10x the records: {growth:+.1f} MB")
    worst = max(peaks.values())
    print(f"  peak {worst:.1f} MB (target < 30 MB, {'met' if worst < 30 else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--memory", action="store_true", help="compare 100 000 and 1 000 000")
    parser.add_argument("--case", choices=list(CASES), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.case:
        print(json.dumps(run_case(arguments.case, arguments.records)))
    elif arguments.memory:
        memory()
    else:
        speed(arguments.records, arguments.rounds)


if __name__ == "__main__":
    main()
