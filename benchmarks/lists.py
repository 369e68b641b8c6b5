"""Reading a calling list: ``read_calling_list`` against a plain ``csv.reader`` loop, same file.

Usage::

    .venv/bin/python benchmarks/lists.py [--lines N] [--rounds R]

Writes a calling list of ``N`` lines (default 1 000 000; six columns as in
the manual's sample, the address quoted because it holds commas, a phone in
every row) once to a temporary file. **Speed**: each round times every
reader once, in an order that rotates from round to round, and divides the
baseline's time by each reader's time *of the same round* (the throughput
ratio: 1.0 is as fast as the baseline); the table gives the median over
``R`` rounds (default 5) and rows per second. The baseline is the plain
``csv.reader`` loop over the file, doing nothing with the rows; beside it,
``csv.DictReader`` (every row a dict, by column name), which is what an
integrator writing the loader by hand usually has. **Memory**: each reader
runs in a fresh process on ``N`` lines and on ``N / 4``; the figure is its
peak RSS less the RSS before the read: the same for both sizes is flat
memory. **Floor**: building the same records (a dict of the row's fields and
one ``Record`` each) from rows parsed beforehand, timed alone, in the same
rounds: no reader that yields records can take less than this on top of
parsing.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cloudcontact_results as ccr
from cloudcontact_results._formats.lists import _build_record

COLUMNS = ("№", "Фамилия", "Имя отчество", "Телефон", "Адрес", "Продукт")
SURNAMES = ("Никифоров", "Егорова", "Маслов", "Ёлкина", "Щукин", "Smith")
PRODUCTS = ("Кредит", "ТВ «Базовый»", "Интернет 100", "Вклад")


def write_list(path: Path, lines: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for number in range(1, lines + 1):
            writer.writerow(
                (
                    str(number),
                    SURNAMES[number % len(SURNAMES)],
                    "Сергей Павлович",
                    f"+7916{number:07d}",
                    f"г. Москва, ул. Песчаная, д. {number % 97}, кв. {number % 251}",
                    PRODUCTS[number % len(PRODUCTS)],
                )
            )


def read_library(path: Path) -> int:
    _, records = ccr.read_calling_list(path, "Клиенты", phone_columns=["Телефон"])
    count = 0
    for _ in records:
        count += 1
    return count


def read_library_keyed(path: Path) -> int:
    _, records = ccr.read_calling_list(
        path, "Клиенты", key_columns=["№"], phone_columns=["Телефон"]
    )
    count = 0
    for _ in records:
        count += 1
    return count


def read_plain(path: Path) -> int:
    count = 0
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        next(reader)
        for _ in reader:
            count += 1
    return count


def read_dicts(path: Path) -> int:
    count = 0
    with path.open(encoding="utf-8-sig", newline="") as file:
        for _ in csv.DictReader(file):
            count += 1
    return count


PLAIN = "plain csv.reader loop (baseline)"
LIBRARY = "read_calling_list, numbered"
READERS: dict[str, Callable[[Path], int]] = {
    PLAIN: read_plain,
    "csv.DictReader loop": read_dicts,
    LIBRARY: read_library,
    "read_calling_list, key_columns=['№']": read_library_keyed,
}


def parsed_rows(path: Path) -> tuple[tuple[str, ...], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        return tuple(next(reader)), list(reader)


def build_records(columns: tuple[str, ...], rows: list[list[str]]) -> float:
    """Seconds to build every record of ``rows`` as the reader does, with no reading."""
    started = time.perf_counter()
    for number, cells in enumerate(rows, 1):
        _build_record(str(number), "Клиенты", dict(zip(columns, cells, strict=True)))
    return time.perf_counter() - started


def speed(path: Path, lines: int, rounds: int) -> None:
    ratios: dict[str, list[float]] = {name: [] for name in READERS}
    seconds: dict[str, list[float]] = {name: [] for name in READERS}
    names = list(READERS)
    columns, rows = parsed_rows(path)
    floor: list[float] = []
    for round_number in range(rounds):
        order = names[round_number % len(names) :] + names[: round_number % len(names)]
        wall: dict[str, float] = {}
        for name in order:
            started = time.perf_counter()
            count = READERS[name](path)
            wall[name] = time.perf_counter() - started
            assert count == lines, (name, count, lines)  # noqa: S101
        for name in names:
            ratios[name].append(wall[PLAIN] / wall[name])
            seconds[name].append(wall[name])
        floor.append(wall[PLAIN] / (wall[PLAIN] + build_records(columns, rows)))
        print(f"round {round_number + 1}/{rounds} done", file=sys.stderr)
    del rows
    print("| reader | wall s (median) | rows/s | throughput ÷ baseline (median) |")
    print("|---|---|---|---|")
    for name in names:
        median = statistics.median(seconds[name])
        print(
            f"| {name} | {median:.2f} | {lines / median:,.0f} "
            f"| {statistics.median(ratios[name]):.2f} |"
        )
    mine = ratios[LIBRARY]
    print(
        f"\nread_calling_list / plain csv.reader loop: {statistics.median(mine):.3f}x median "
        f"(min {min(mine):.3f}, max {max(mine):.3f}; target >= 0.8x)"
    )
    print(
        "the floor: parsing as the plain loop does, then building each record from the "
        f"parsed rows: {statistics.median(floor):.3f}x the plain loop's throughput (median)"
    )


def _status_kib(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:  # noqa: PTH123
        for line in status:
            if line.startswith(key):
                return int(line.split()[1])
    return 0


def measure_memory(name: str, path: str) -> None:
    """One reader in this process: its peak RSS above the RSS before it, as JSON."""
    ccr.read_calling_list(path, "warm-up")  # every import done before the baseline RSS
    # Writing 5 to clear_refs resets the peak (VmHWM) to the RSS now (Linux).
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:  # noqa: PTH123
        refs.write("5")
    before = _status_kib("VmRSS:")
    rows = READERS[name](Path(path))
    peak = _status_kib("VmHWM:")
    print(json.dumps({"rows": rows, "growth_kib": peak - before}))


def memory(folder: Path, lines: int) -> None:
    sizes = (lines // 4, lines)
    paths = {}
    for size in sizes:
        paths[size] = folder / f"list-{size}.csv"
        write_list(paths[size], size)
    print("| reader | " + " | ".join(f"peak RSS growth, {size:,} lines" for size in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for name in READERS:
        cells = []
        for size in sizes:
            output = subprocess.run(
                [sys.executable, __file__, "--measure", name, str(paths[size])],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            result = json.loads(output)
            cells.append(f"{result['growth_kib'] / 1024:.1f} MB")
        print(f"| {name} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--measure", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure_memory(*args.measure)
        return
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = folder / "list.csv"
        write_list(path, args.lines)
        print(f"file: {args.lines:,} lines, {path.stat().st_size / 1e6:.1f} MB\n")
        speed(path, args.lines, args.rounds)
        print()
        memory(folder, args.lines)


if __name__ == "__main__":
    main()
