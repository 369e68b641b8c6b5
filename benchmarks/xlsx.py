"""Workbooks: export against XlsxWriter on preformatted cells; reading with calamine and openpyxl.

Usage::

    .venv/bin/python benchmarks/xlsx.py [--records N] [--rounds R]   # speed (7 000 records, 5)
    .venv/bin/python benchmarks/xlsx.py --memory [--records N]       # peak RSS of each, alone

**Write.** The records (``_synthetic.py``, detailed report) are built once,
before any clock starts. The baseline is XlsxWriter itself writing the same
cells already in their final form (text, whole numbers, naive local
date-times), read back from the library's own workbook before the clock
starts: the same sheet (column widths, frozen and filtered header, bold
header, the date-time format), ``constant_memory``, and per cell the typed
method a careful caller uses (``write_string``, ``write_number``,
``write_datetime`` with the format), empty cells skipped. That is the limit
of any writer going through XlsxWriter; the library starts from records.

**Read.** The library's workbook is read into typed rows with
``xlsx_engine="calamine"`` and ``"openpyxl"``; the baseline is
``pandas.read_excel(engine="calamine")`` with the conversion a careful
analyst adds to reach the same types (date-times in the export's zone,
nullable integers and booleans, text as strings).

Each round runs every case once, in an order rotated from round to round, in
CPU time; the table gives the median over the rounds of each rate, and the
median of the per-round ratios. ``--memory`` runs each case in a fresh
process and prints its peak RSS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
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

import _synthetic

import cloudcontact_results as ccr

OPTIONS = ccr.ExportOptions(format="detailed", file_format="xlsx")
ZONE = OPTIONS.timezone


def export_library(campaign: ccr.Campaign, records: list[ccr.Record]) -> bytes:
    sink = io.BytesIO()
    ccr.export(campaign, records, sink, OPTIONS)
    return sink.getvalue()


def preformatted(data: bytes) -> list[list[Any]]:
    """The cells of a workbook as XlsxWriter takes them: text, whole numbers, date-times, None."""
    import python_calamine  # noqa: PLC0415

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = []
    for row in book.get_sheet_by_index(0).iter_rows():
        cells: list[Any] = []
        for value in row:
            if value == "":
                cells.append(None)
            elif isinstance(value, float):
                cells.append(int(value))
            elif type(value) is dt.date:
                cells.append(dt.datetime.combine(value, dt.time()))
            else:
                cells.append(value)
        rows.append(cells)
    return rows


def export_baseline(rows: list[list[Any]], widths: list[float]) -> bytes:
    """XlsxWriter writing ``rows`` (the header first) as the library lays its sheet out."""
    import xlsxwriter  # noqa: PLC0415

    sink = io.BytesIO()
    book = xlsxwriter.Workbook(
        sink,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    sheet = book.add_worksheet("Detailed report")
    bold = book.add_format({"bold": True})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for position, width in enumerate(widths):
        sheet.set_column(position, position, width)
    sheet.freeze_panes(1, 0)
    header, *body = rows
    for position, title in enumerate(header):
        sheet.write_string(0, position, title, bold)
    write_string, write_number = sheet.write_string, sheet.write_number
    write_datetime = sheet.write_datetime
    for number, row in enumerate(body, 1):
        for position, value in enumerate(row):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                write_string(number, position, value)
            elif kind is int or kind is bool:
                write_number(number, position, int(value))
            else:
                write_datetime(number, position, value, moment)
    sheet.autofilter(0, 0, len(body), len(header) - 1)
    book.close()
    return sink.getvalue()


def read_library(data: bytes, engine: str) -> int:
    return sum(1 for _ in ccr.read_report(io.BytesIO(data), xlsx_engine=engine))  # type: ignore[arg-type]


def read_pandas(data: bytes) -> int:
    """``read_excel(engine="calamine")``, then the library's types, column by column."""
    import pandas as pd  # noqa: PLC0415

    frame = pd.read_excel(io.BytesIO(data), engine="calamine", dtype=object)
    for column in ccr.DETAILED_COLUMNS:
        name = column.en
        if name not in frame:
            continue
        values = frame[name]
        kind = column.kind
        if kind is ccr.ColumnKind.TIME:
            frame[name] = pd.to_datetime(values).dt.tz_localize(ZONE)
        elif kind is ccr.ColumnKind.FLAG:
            frame[name] = values.astype("boolean")
        elif kind in (ccr.ColumnKind.COUNT, ccr.ColumnKind.SECONDS, ccr.ColumnKind.CPA):
            frame[name] = values.astype("Int64")
        else:
            frame[name] = values.astype("string")
    return len(frame)


def widths_of(header: list[str]) -> list[int]:
    """The column widths the library gives its sheet: a date-time 20, else its title's, 10 to 40."""
    kinds = {column.en: column.kind for column in ccr.DETAILED_COLUMNS}
    return [
        20 if kinds.get(title) is ccr.ColumnKind.TIME else min(max(len(title) + 2, 10), 40)
        for title in header
    ]


def sheet_xml(data: bytes) -> bytes:
    import zipfile  # noqa: PLC0415

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def cpu(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def speed(count: int, rounds: int, *, openpyxl: bool) -> None:
    campaign = _synthetic.synthetic_campaign()
    records = list(_synthetic.synthetic_records(campaign, count))
    data = export_library(campaign, records)
    rows = preformatted(data)
    body = len(rows) - 1
    widths = widths_of(rows[0])
    if sheet_xml(export_baseline(rows, widths)) != sheet_xml(data):
        raise SystemExit("the baseline's sheet differs from the library's")
    cases: dict[str, Callable[[], object]] = {
        "write: export()": lambda: export_library(campaign, records),
        "write: XlsxWriter, preformatted cells": lambda: export_baseline(rows, widths),
        "read: read_report, calamine": lambda: read_library(data, "calamine"),
        "read: pandas.read_excel(calamine) + types": lambda: read_pandas(data),
    }
    if openpyxl:
        cases["read: read_report, openpyxl"] = lambda: read_library(data, "openpyxl")
    seconds: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            seconds[name].append(cpu(cases[name]))
        print(f"round {round_number + 1}/{rounds} done", file=sys.stderr)

    def ratio(one: str, other: str) -> float:
        return statistics.median(o / m for m, o in zip(seconds[one], seconds[other], strict=True))

    print(
        f"{body} detailed rows ({count} records), {len(data) / 1e6:.1f} MB, "
        f"median of {rounds} rounds, CPU time\n"
    )
    print("| case | s | rows/s |")
    print("|---|---|---|")
    for name in cases:
        median = statistics.median(seconds[name])
        print(f"| {name} | {median:.2f} | {body / median:,.0f} |")
    write = ratio("write: export()", "write: XlsxWriter, preformatted cells")
    read = ratio("read: read_report, calamine", "read: pandas.read_excel(calamine) + types")
    print(f"\nexport ÷ XlsxWriter (rows/s): {write:.2f} (target >= 0.9)")
    print(f"calamine ÷ pandas (rows/s): {read:.2f}")
    if openpyxl:
        fast = ratio("read: read_report, calamine", "read: read_report, openpyxl")
        print(f"calamine ÷ openpyxl (rows/s): {fast:.2f} (target >= 10)")
    per_row = statistics.median(seconds["write: export()"]) / body * 1e6
    print(f"export: {per_row:.0f} µs of CPU a row")


def measure(case: str, count: int, path: str) -> None:
    if case == "export":
        campaign = _synthetic.synthetic_campaign()
        export_library(campaign, _synthetic.synthetic_records(campaign, count))  # type: ignore[arg-type]
    else:
        data = Path(path).read_bytes()
        _ = read_pandas(data) if case == "pandas" else read_library(data, case)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"peak_mb": peak}))


def memory(count: int) -> None:
    campaign = _synthetic.synthetic_campaign()
    data = export_library(campaign, list(_synthetic.synthetic_records(campaign, count)))
    print("| case | records | peak RSS |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.xlsx"
        path.write_bytes(data)
        for case in ("export", "calamine", "openpyxl", "pandas"):
            output = subprocess.run(
                [sys.executable, __file__, "--measure", case, str(count), str(path)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            print(f"| {case} | {count:,} | {json.loads(output)['peak_mb']:.0f} MB |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=7_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--no-openpyxl", action="store_true", help="leave out the slow reader")
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure[0], int(args.measure[1]), args.measure[2])
    elif args.memory:
        memory(args.records)
    else:
        speed(args.records, args.rounds, openpyxl=not args.no_openpyxl)


if __name__ == "__main__":
    main()
