"""Read throughput and memory: read_report against a plain csv.reader loop, same file, same round.

Usage::

    .venv/bin/python benchmarks/read.py [--records N] [--rounds R] [--layout manual|5.x]

Exports ``N`` synthetic records (default 100 000, about 300 000 detailed rows)
once to a temporary file, then runs ``R`` rounds (default 5). Each round times,
one after the other on the same file:

* ``read_report``: typed ``DetailedRow`` objects (header detection, guard
  undone, dispositions mapped, notes parsed, aware date-times);
* the baseline, a plain loop: ``csv.reader`` plus the obvious conversions
  written plainly (``int()``, ``== "1"``, ``datetime.fromisoformat`` + time
  zone, as the library reads the default format, empty -> None), building
  one dict per row; it does less than the reader (no disposition mapping,
  notes, guard or error reporting);
* ``pandas.read_csv`` with the call time parsed, when pandas is installed.

It prints every round, then the median of the rounds: rows/s of each reader
and the ratio read_report / baseline (taken per round, so both sides of a
ratio ran under the same load). Peak memory is measured in a separate,
untimed pass of each reader with ``tracemalloc`` (Python allocations).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import _synthetic

import cloudcontact_results as ccr

MOSCOW = ZoneInfo("Europe/Moscow")
FORMAT = "%Y-%m-%d %H:%M:%S"
MB = 1024 * 1024
TYPED = "read_report (typed rows)"
PLAIN = "plain csv.reader loop"
PANDAS = "pandas.read_csv"


def read_typed(path: Path, script_fields: list[str]) -> int:
    count = 0
    for _ in ccr.read_report(path, script_fields=script_fields):
        count += 1
    return count


def read_plain(path: Path, script_fields: list[str]) -> int:
    count = 0
    fromisoformat = dt.datetime.fromisoformat
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        # The columns by name, as a plain reader of a file with any column order would.
        at = {name: position for position, name in enumerate(header)}
        first = min(at[column.en] for column in ccr.DETAILED_COLUMNS)
        list_names = header[: first - len(script_fields)]
        (phone, attempt, completed, record, record_code, out_of_quota, group, call, call_code,
         note, call_time, dialing, cpa_duration, answered, agent, cpa, cpa_file, cpa_server,
         recording, server, interaction, record_id, list_name, inbound) = (
            at[column.en] for column in ccr.DETAILED_COLUMNS
        )  # fmt: skip
        for c in reader:
            row = {
                "fields": dict(zip(list_names, c, strict=False)),
                "script_fields": tuple(c[len(list_names) : first]),
                "this_phone_number": c[phone],
                "is_call_attempt": c[attempt] == "1",
                "completed": c[completed] == "1",
                "record_disposition": c[record] or None,
                "record_disposition_code": c[record_code] or None,
                "out_of_quota": c[out_of_quota] == "1",
                "quota_group": c[group] or None,
                "call_disposition": c[call] or None,
                "call_disposition_code": c[call_code] or None,
                "call_note": c[note],
                "call_time": fromisoformat(c[call_time]).replace(tzinfo=MOSCOW),
                "dialing_duration": int(c[dialing]),
                "cpa_duration": int(c[cpa_duration]),
                "answered_duration": int(c[answered]),
                "agent": c[agent],
                "cpa_result": int(c[cpa]) if c[cpa] else None,
                "cpa_recording_file": c[cpa_file],
                "cpa_rtp_server_id": c[cpa_server],
                "recording_file": c[recording],
                "rtp_server_id": c[server],
                "global_interaction_id": c[interaction],
                "record_id": c[record_id],
                "list_name": c[list_name],
                "is_inbound_call": c[inbound] == "1",
            }
            count += row["is_inbound_call"] is not None
    return count


def read_pandas(path: Path, script_fields: list[str]) -> int:
    import pandas as pd  # noqa: PLC0415  # optional

    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame["Call Time"] = pd.to_datetime(frame["Call Time"], format=FORMAT).dt.tz_localize(
        "Europe/Moscow"
    )
    for name in ("Dialing Duration", "CPA Duration", "Answered Duration"):
        frame[name] = frame[name].astype("Int64")
    return len(frame)


Reader = Callable[[Path, list[str]], int]


def timed(run: Reader, path: Path, names: list[str], expected: int) -> float:
    started = time.perf_counter()
    rows = run(path, names)
    seconds = time.perf_counter() - started
    assert rows == expected, (run.__name__, rows, expected)  # noqa: S101
    return seconds


def peak_mb(run: Reader, path: Path, names: list[str]) -> float:
    tracemalloc.start()
    try:
        run(path, names)
        return tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--layout", default=None, help="export layout of the file (default: the library's)"
    )
    args = parser.parse_args()

    campaign = _synthetic.synthetic_campaign()
    names = [field.name for field in campaign.exported_script_fields]
    layout = {} if args.layout is None else {"layout": args.layout}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "detailed.csv"
        result = ccr.export(
            campaign,
            _synthetic.synthetic_records(campaign, args.records),
            path,
            ccr.ExportOptions(format="detailed", **layout),  # type: ignore[arg-type]
        )
        print(f"file: {result.rows:,} detailed rows, {result.bytes / MB:.1f} MB")
        runs: dict[str, Reader] = {TYPED: read_typed, PLAIN: read_plain}
        try:
            import pandas as pd  # noqa: F401, PLC0415
        except ImportError:
            print("pandas not installed: skipped")
        else:
            runs[PANDAS] = read_pandas
        seconds: dict[str, list[float]] = {label: [] for label in runs}
        ratios = []
        for number in range(1, args.rounds + 1):
            for label, run in runs.items():
                seconds[label].append(timed(run, path, names, result.rows))
            ratio = seconds[PLAIN][-1] / seconds[TYPED][-1]
            ratios.append(ratio)
            cells = "  ".join(
                f"{label.split(' ')[0]} {result.rows / times[-1]:>9,.0f}/s"
                for label, times in seconds.items()
            )
            print(f"round {number}: {cells}  ratio {ratio:.3f}")
        print(f"median of {args.rounds} rounds:")
        for label, run in runs.items():
            median = statistics.median(seconds[label])
            peak = peak_mb(run, path, names)
            print(
                f"  {label:28} {median:7.2f} s  {result.rows / median:>10,.0f} rows/s  "
                f"peak {peak:7.1f} MB"
            )
    print(
        f"read_report / plain loop: {statistics.median(ratios):.3f}x median "
        f"(min {min(ratios):.3f}, max {max(ratios):.3f}; target >= 1.0x)"
    )


if __name__ == "__main__":
    main()
