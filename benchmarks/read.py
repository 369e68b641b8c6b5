"""Reading throughput and memory: typed rows, DataFrames and Arrow against plain pandas, same file.

Usage::

    .venv/bin/python benchmarks/read.py [--records N] [--rounds R] [--layout manual|5.x]
    .venv/bin/python benchmarks/read.py --memory [--records N]      # peak memory per row

Exports ``N`` synthetic records (default 100 000, 300 352 detailed rows,
103 MB) once to a temporary file. **Speed**: each round times every reader
once, in an order that rotates from round to round, and divides each
reader's time by the baseline's time *of the same round*; the table gives
the median of those ratios over ``R`` rounds (default 5), for CPU time
(all threads of the process, steadier on a shared machine) and wall time.
The baseline is what an analyst would write without the library:
``pandas.read_csv(..., dtype=str)`` plus the call time parsed and put in
its zone. Beside it, the same with every column's exact dtype given to
``read_csv`` (C and pyarrow engines) and ``polars.read_csv`` with the
numbers, flags, dispositions and time converted. The last lines give the
typed rows against the plain ``csv.reader`` loop (every column by name, the
obvious conversions) and ``to_pandas()`` against ``read_csv(engine="pyarrow")``
with exact dtypes, the median of the per-round ratios. **Memory**: each
reader runs in a fresh process; the figure is its peak RSS less the RSS
before the read, per row.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import _synthetic

import cloudcontact_results as ccr

MOSCOW = ZoneInfo("Europe/Moscow")
FORMAT = "%Y-%m-%d %H:%M:%S"
NAMES = [field.name for field in _synthetic.synthetic_campaign().exported_script_fields]


def read_typed(path: Path) -> int:
    return sum(1 for _ in ccr.read_report(path, script_fields=NAMES))


def read_plain(path: Path) -> int:
    """A hand-written csv.reader loop: every column by name, the obvious conversions."""
    count = 0
    fromisoformat = dt.datetime.fromisoformat
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        # The columns by name, as a plain reader of a file with any column order would.
        at = {name: position for position, name in enumerate(header)}
        first = min(at[column.en] for column in ccr.DETAILED_COLUMNS)
        list_names = header[: first - len(NAMES)]
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


def read_baseline(path: Path) -> int:
    """What an analyst writes without the library: strings, and the call time parsed."""
    import pandas as pd  # noqa: PLC0415  # optional

    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame["Call Time"] = pd.to_datetime(frame["Call Time"], format=FORMAT).dt.tz_localize(
        "Europe/Moscow"
    )
    return len(frame)


#: The report columns' kinds that a frame holds as other than text.
_NUMBERS = ("count", "seconds", "cpa")
_FLAGS = ("flag",)
_CATEGORIES = ("disposition",)


def _column_types() -> tuple[list[str], list[str], list[str]]:
    """The headers of the number, flag and disposition columns, from the manual's table."""
    numbers, flags, categories = [], [], []
    for column in ccr.DETAILED_COLUMNS:
        kind = column.kind.value
        if kind in _NUMBERS:
            numbers.append(column.en)
        elif kind in _FLAGS:
            flags.append(column.en)
        elif kind in _CATEGORIES:
            categories.append(column.en)
    return numbers, flags, categories


def read_exact(engine: str) -> Callable[[Path], int]:
    """``pandas.read_csv`` with every column's exact type given up front, the time parsed."""

    def read(path: Path) -> int:
        import pandas as pd  # noqa: PLC0415  # optional

        numbers, flags, categories = _column_types()
        dtypes: dict[str, Any] = dict.fromkeys(numbers, "Int64")
        dtypes.update(dict.fromkeys(categories, "category"))
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
        texts = [name for name in header if name not in dtypes]
        if engine == "pyarrow":
            # The pyarrow engine takes one list of missing values for every
            # column: empty text comes back missing, and is made "" again.
            frame = pd.read_csv(
                path,
                encoding="utf-8-sig",
                engine="pyarrow",
                dtype={**dict.fromkeys(texts, "string"), **dtypes},
                keep_default_na=False,
                na_values=[""],
            )
            frame[texts] = frame[texts].fillna("")
        else:
            frame = pd.read_csv(
                path,
                encoding="utf-8-sig",
                dtype={**dict.fromkeys(texts, "string"), **dtypes},
                keep_default_na=False,
                na_values={name: [""] for name in (*numbers, *categories)},
            )
        for name in flags:
            frame[name] = frame[name].eq("1").astype("boolean")
        frame["Call Time"] = pd.to_datetime(frame["Call Time"], format=FORMAT).dt.tz_localize(
            "Europe/Moscow"
        )
        return len(frame)

    return read


def read_polars(path: Path) -> int:
    """``polars.read_csv`` as text, then the numbers, flags and time converted."""
    import polars as pl  # noqa: PLC0415  # the bench extra

    numbers, flags, categories = _column_types()
    frame = pl.read_csv(path, infer_schema=False)
    frame = frame.with_columns(
        *(pl.col(name).replace("", None).cast(pl.Int64) for name in numbers),
        *(pl.col(name).eq("1") for name in flags),
        *(pl.col(name).replace("", None).cast(pl.Categorical) for name in categories),
        pl.col("Call Time").str.to_datetime(FORMAT, time_zone="Europe/Moscow"),
    )
    return frame.height


def frame_reader(engine: str) -> Callable[[Path], int]:
    def read(path: Path) -> int:
        return len(ccr.read_report(path, script_fields=NAMES).to_pandas(engine=engine))

    return read


def read_arrow(path: Path) -> int:
    return int(ccr.read_report(path, script_fields=NAMES).to_arrow().num_rows)


def read_chunks(path: Path) -> int:
    report = ccr.read_report(path, script_fields=NAMES)
    return sum(len(frame) for frame in report.to_pandas(chunksize=50_000))


READERS: dict[str, Callable[[Path], int]] = {
    "pandas.read_csv(dtype=str) + time (baseline)": read_baseline,
    "to_pandas() engine=pyarrow": frame_reader("pyarrow"),
    "to_pandas() engine=c": frame_reader("c"),
    "to_pandas(chunksize=50_000)": read_chunks,
    "to_arrow()": read_arrow,
    "to_pandas() engine=python (typed rows)": frame_reader("python"),
    "read_report, typed rows": read_typed,
    "plain csv.reader loop": read_plain,
    "pandas.read_csv, exact dtypes + time": read_exact("c"),
    "pandas.read_csv(engine='pyarrow'), exact dtypes + time": read_exact("pyarrow"),
    "polars.read_csv + conversions + time": read_polars,
}
TYPED = "read_report, typed rows"
PLAIN = "plain csv.reader loop"
FRAME = "to_pandas() engine=pyarrow"
PYARROW = "pandas.read_csv(engine='pyarrow'), exact dtypes + time"
BASELINE = next(iter(READERS))


def speed(path: Path, rows: int, rounds: int) -> None:
    ratios: dict[str, dict[str, list[float]]] = {name: {"cpu": [], "wall": []} for name in READERS}
    seconds: dict[str, list[float]] = {name: [] for name in READERS}
    names = list(READERS)
    for round_number in range(rounds):
        order = names[round_number % len(names) :] + names[: round_number % len(names)]
        cpu: dict[str, float] = {}
        wall: dict[str, float] = {}
        for name in order:
            started_cpu, started_wall = time.process_time(), time.perf_counter()
            count = READERS[name](path)
            cpu[name] = time.process_time() - started_cpu
            wall[name] = time.perf_counter() - started_wall
            assert count == rows, (name, count, rows)  # noqa: S101
        for name in names:
            ratios[name]["cpu"].append(cpu[BASELINE] / cpu[name])
            ratios[name]["wall"].append(wall[BASELINE] / wall[name])
            seconds[name].append(wall[name])
        print(f"round {round_number + 1}/{rounds} done", file=sys.stderr)
    print("| reader | wall s (median) | speed ÷ baseline, CPU | speed ÷ baseline, wall |")
    print("|---|---|---|---|")
    for name in names:
        print(
            f"| {name} | {statistics.median(seconds[name]):.2f} "
            f"| {statistics.median(ratios[name]['cpu']):.2f} "
            f"| {statistics.median(ratios[name]['wall']):.2f} |"
        )
    for mine, theirs, target in ((TYPED, PLAIN, 1.0), (FRAME, PYARROW, 0.8)):
        ratio = [t / m for t, m in zip(seconds[theirs], seconds[mine], strict=True)]
        print(
            f"\n{mine} / {theirs} (wall): {statistics.median(ratio):.3f}x median "
            f"(min {min(ratio):.3f}, max {max(ratio):.3f}; target >= {target}x)"
        )


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:  # noqa: PTH123
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def measure_memory(name: str, path: str) -> None:
    """One reader in this process: its peak RSS above the RSS before it, as JSON."""
    import pandas as pd  # noqa: F401, PLC0415  # imported before the baseline RSS
    import pyarrow.csv  # noqa: F401, PLC0415

    ccr.read_report(path, script_fields=NAMES).head(1)  # warm every import
    before = _rss_kib()
    rows = READERS[name](Path(path))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"rows": rows, "growth_kib": peak - before}))


def memory(path: Path) -> None:
    print("| reader | peak RSS growth | per row |")
    print("|---|---|---|")
    for name in READERS:
        if "typed rows" in name or "csv.reader" in name:
            continue  # streaming readers: nothing kept
        output = subprocess.run(
            [sys.executable, __file__, "--measure", name, str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result: dict[str, Any] = json.loads(output)
        per_row = result["growth_kib"] * 1024 / result["rows"]
        print(f"| {name} | {result['growth_kib'] / 1024:.0f} MB | {per_row / 1000:.2f} KB |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--memory", action="store_true")
    parser.add_argument(
        "--layout", default=None, help="export layout of the file (default: the library's)"
    )
    parser.add_argument("--measure", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure_memory(*args.measure)
        return

    campaign = _synthetic.synthetic_campaign()
    layout = {} if args.layout is None else {"layout": args.layout}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "detailed.csv"
        result = ccr.export(
            campaign,
            _synthetic.synthetic_records(campaign, args.records),
            path,
            ccr.ExportOptions(format="detailed", **layout),  # type: ignore[arg-type]
        )
        print(f"file: {result.rows} detailed rows, {result.bytes / 1e6:.1f} MB\n")
        if args.memory:
            memory(path)
        else:
            speed(path, result.rows, args.rounds)


if __name__ == "__main__":
    main()
