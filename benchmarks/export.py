"""Export throughput and memory, against csv.writer and pandas on the same content.

Usage::

    .venv/bin/python benchmarks/export.py [--records N]   # speed (default 100 000)
    .venv/bin/python benchmarks/export.py --memory        # peak memory, 100 000 vs 1 000 000

Each export case runs in a fresh subprocess, so its peak RSS (``ru_maxrss``)
is its own. Records stream from a generator (``_synthetic.py``); the time
spent only generating them is measured too and reported beside the export,
so the export's own cost ("net") can be compared with the baselines, which
write rows formatted before the clock starts.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _synthetic

import cloudcontact_results as ccr

CASES = {
    "simple": {"format": "simple"},
    "detailed": {"format": "detailed"},
    "detailed-zip": {"format": "detailed", "compress": True},
}
MB = 1024 * 1024


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


def run_generation(count: int) -> dict[str, Any]:
    """Only building the records: the part of an export's time that is not the library's."""
    campaign = _synthetic.synthetic_campaign()
    started = time.perf_counter()
    attempts = sum(len(r.attempts) for r in _synthetic.synthetic_records(campaign, count))
    return {"case": "generate", "attempts": attempts, "seconds": time.perf_counter() - started}


def in_subprocess(case: str, count: int) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--case", case, "--records", str(count)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(output)
    return result


def baselines(count: int) -> dict[str, dict[str, Any]]:
    """csv.writer and pandas writing the detailed report's cells, formatted in advance."""
    campaign = _synthetic.synthetic_campaign()
    options = ccr.ExportOptions(format="detailed")
    # The cells the export itself wrote (formatted and guarded), read back before
    # the clock starts: every writer writes the same text.
    stream = io.BytesIO()
    ccr.export(campaign, _synthetic.synthetic_records(campaign, count), stream, options)
    header, *rows = csv.reader(io.StringIO(stream.getvalue().decode("utf-8"), newline=""))
    del stream
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "baseline.csv"
        started = time.perf_counter()
        with path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file, lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows(rows)
        results["csv.writer"] = {
            "rows": len(rows),
            "seconds": time.perf_counter() - started,
            "bytes": path.stat().st_size,
        }
        try:
            import pandas as pd  # noqa: PLC0415  # optional: the benchmark runs without it
        except ImportError:
            return results
        frame = pd.DataFrame(rows, columns=pd.Index(header), dtype=object)
        started = time.perf_counter()
        frame.to_csv(path, index=False, lineterminator="\r\n", encoding="utf-8")
        results["pandas"] = {
            "rows": len(rows),
            "seconds": time.perf_counter() - started,
            "bytes": path.stat().st_size,
        }
    return results


def speed(count: int) -> None:
    python = sys.version.split()[0]
    print(f"cloudcontact_results export benchmark: {count:,} records, Python {python}")
    generation = in_subprocess("generate", count)
    gen_s = generation["seconds"]
    print(
        f"  generating records alone: {gen_s:.2f} s "
        f"({generation['attempts']:,} attempts, {count / gen_s:,.0f} records/s)"
    )
    print(
        f"  {'case':<14}{'rows':>10}{'MB':>8}{'s':>8}{'rows/s':>10}"
        f"{'net rows/s':>12}{'MB/s':>7}{'peak RSS MB':>13}"
    )
    measured = {}
    for case in CASES:
        result = in_subprocess(case, count)
        measured[case] = result
        net = result["seconds"] - gen_s
        print(
            f"  {case:<14}{result['rows']:>10,}{result['bytes'] / MB:>8.1f}"
            f"{result['seconds']:>8.2f}{result['rows'] / result['seconds']:>10,.0f}"
            f"{result['rows'] / net:>12,.0f}{result['bytes'] / MB / result['seconds']:>7.1f}"
            f"{result['rss_peak_mb']:>13.0f}"
        )
    detailed = measured["detailed"]
    export_rate = detailed["rows"] / detailed["seconds"]
    net_rate = detailed["rows"] / (detailed["seconds"] - gen_s)
    for name, base in baselines(count).items():
        rate = base["rows"] / base["seconds"]
        print(
            f"  {name:<14}{base['rows']:>10,}{base['bytes'] / MB:>8.1f}{base['seconds']:>8.2f}"
            f"{rate:>10,.0f}{'':>12}{base['bytes'] / MB / base['seconds']:>7.1f}"
        )
        target = 0.8 if name == "csv.writer" else 2.0
        print(
            f"    detailed export / {name}: {export_rate / rate:.2f} end to end, "
            f"{net_rate / rate:.2f} net of record generation (target >= {target})"
        )


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
    print(f"  growth for 10x the records: {growth:+.1f} MB (target: within 20 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--memory", action="store_true", help="compare 100 000 and 1 000 000")
    parser.add_argument("--case", choices=[*CASES, "generate"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.case == "generate":
        print(json.dumps(run_generation(arguments.records)))
    elif arguments.case:
        print(json.dumps(run_case(arguments.case, arguments.records)))
    elif arguments.memory:
        memory()
    else:
        speed(arguments.records)


if __name__ == "__main__":
    main()
