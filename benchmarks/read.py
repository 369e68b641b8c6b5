"""Read throughput: read_report against a plain csv.reader loop and pandas, same file.

Usage::

    .venv/bin/python benchmarks/read.py [--records N] [--repeat R]

Exports ``N`` synthetic records (default 100 000, about 300 000 detailed rows)
once to a temporary file, then times, best of ``R`` runs each:

* ``read_report``: typed ``DetailedRow`` objects (header detection, guard
  undone, dispositions mapped, notes parsed, aware date-times);
* a plain loop: ``csv.reader`` plus the obvious conversions written plainly
  (``int()``, ``== "1"``, ``datetime.strptime`` + time zone, empty -> None),
  building one dict per row; it does less than the reader (no disposition
  mapping, notes, guard or error reporting);
* ``pandas.read_csv`` with the call time parsed, when pandas is installed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import _synthetic

import cloudcontact_results as ccr

MOSCOW = ZoneInfo("Europe/Moscow")
FORMAT = "%Y-%m-%d %H:%M:%S"


def read_typed(path: Path, script_fields: list[str]) -> int:
    count = 0
    for _ in ccr.read_report(path, script_fields=script_fields):
        count += 1
    return count


def read_plain(path: Path, script_fields: list[str]) -> int:
    count = 0
    strptime = dt.datetime.strptime
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        first = len(header) - len(ccr.DETAILED_COLUMNS)
        list_names = header[: first - len(script_fields)]
        for cells in reader:
            c = cells[first:]
            row = {
                "fields": dict(zip(list_names, cells, strict=False)),
                "script_fields": tuple(cells[len(list_names) : first]),
                "this_phone_number": c[0],
                "is_call_attempt": c[1] == "1",
                "completed": c[2] == "1",
                "record_disposition": c[3] or None,
                "record_disposition_code": c[4] or None,
                "out_of_quota": c[5] == "1",
                "quota_group": c[6] or None,
                "call_disposition": c[7] or None,
                "call_disposition_code": c[8] or None,
                "call_note": c[9],
                "call_time": strptime(c[10], FORMAT).replace(tzinfo=MOSCOW),
                "dialing_duration": int(c[11]),
                "cpa_duration": int(c[12]),
                "answered_duration": int(c[13]),
                "agent": c[14],
                "cpa_result": int(c[15]) if c[15] else None,
                "cpa_recording_file": c[16],
                "cpa_rtp_server_id": c[17],
                "recording_file": c[18],
                "rtp_server_id": c[19],
                "global_interaction_id": c[20],
                "record_id": c[21],
                "list_name": c[22],
                "is_inbound_call": c[23] == "1",
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


def best(
    run: Callable[[Path, list[str]], int], path: Path, names: list[str], repeat: int
) -> tuple[int, float]:
    times = []
    rows = 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = run(path, names)
        times.append(time.perf_counter() - started)
    return rows, min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    campaign = _synthetic.synthetic_campaign()
    names = [field.name for field in campaign.exported_script_fields]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "detailed.csv"
        result = ccr.export(
            campaign,
            _synthetic.synthetic_records(campaign, args.records),
            path,
            ccr.ExportOptions(format="detailed"),
        )
        print(f"file: {result.rows} detailed rows, {result.bytes / 1e6:.1f} MB")
        runs: dict[str, Callable[[Path, list[str]], int]] = {
            "read_report (typed rows)": read_typed,
            "plain csv.reader loop": read_plain,
        }
        try:
            import pandas as pd  # noqa: F401, PLC0415
        except ImportError:
            print("pandas not installed: skipped")
        else:
            runs["pandas.read_csv"] = read_pandas
        rates = {}
        for label, run in runs.items():
            rows, seconds = best(run, path, names, args.repeat)
            assert rows == result.rows, (label, rows, result.rows)  # noqa: S101
            rates[label] = rows / seconds
            print(f"{label:28} {seconds:7.2f} s  {rates[label]:>10,.0f} rows/s")
    ratio = rates["read_report (typed rows)"] / rates["plain csv.reader loop"]
    print(f"read_report / plain loop: {ratio:.2f}x (target >= 1.0x)")


if __name__ == "__main__":
    main()
