"""``cloudcontact-results demo``, ``export`` and ``inspect``: the commands on files."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import zoneinfo
from pathlib import Path
from typing import Final

from .._demo import demo_campaign
from .._formats.export import export
from .._formats.report import read_report
from .._jsonl import dump_campaign, load_campaign
from .._options import ExportOptions
from .._progress import counted
from .._types import Dialect, FileFormat, Language, ReportFormat
from ..errors import ReadError
from .arguments import (
    add_export_options,
    add_reading_options,
    export_options,
    reading_options,
    whole_number,
)
from .output import print_table, write
from .progress import shown

__all__ = ["add_file_commands"]

#: ``read_report``'s ways with a bad line (``--errors``).

_MOSCOW: Final = zoneinfo.ZoneInfo("Europe/Moscow")

#: What ``demo`` writes: file name and export options.
_DEMO_FILES: Final = (
    ("simple.csv", ExportOptions()),
    ("detailed.csv", ExportOptions(format=ReportFormat.DETAILED)),
    # A fixed member date-time keeps the demo's zip the same from run to run.
    (
        "detailed.zip",
        ExportOptions(
            format=ReportFormat.DETAILED,
            compress=True,
            zip_timestamp=dt.datetime(2026, 3, 7, tzinfo=_MOSCOW),
        ),
    ),
    ("simple-excel-ru.csv", ExportOptions(language=Language.RU, dialect=Dialect.EXCEL_RU)),
)


def add_file_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``demo``, ``export`` and ``inspect`` to the command line's ``commands``."""

    demo = commands.add_parser(
        "demo",
        help="write sample exports and a sample campaign to a folder",
        description="Generate a sample campaign and write its simple and detailed "
        "exports (CSV, zip, Russian Excel) and the campaign itself as JSON Lines.",
    )
    demo.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write")
    demo.add_argument(
        "--records", type=whole_number(0), default=200, metavar="N", help="records of the campaign"
    )
    demo.add_argument(
        "--seed", type=int, default=1, metavar="S", help="the random generator's seed"
    )
    demo.set_defaults(parser=demo, run=_run_demo)

    ex = commands.add_parser(
        "export",
        help="export a campaign kept as JSON Lines to CSV, zip, Excel or Parquet",
        description="Export the results of a campaign kept in the JSON Lines format "
        "(docs/campaign-format.md), with the options of the export dialog.",
    )
    ex.add_argument("source", metavar="CAMPAIGN", help="a .jsonl campaign")
    ex.add_argument(
        "-o", "--out", required=True, metavar="OUT", help="file to write; '-' for stdout"
    )
    add_export_options(ex)
    ex.add_argument(
        "--force", action="store_true", help="replace OUT even if it is a read-only file"
    )
    ex.set_defaults(parser=ex, run=_run_export)

    inspect = commands.add_parser(
        "inspect",
        help="read an export and summarise it",
        description="Read a simple or detailed export (CSV, zip, Excel workbook or Parquet "
        "file, English or Russian, any dialect) and print its format, language, the time "
        "zone it was read in, row count and summary.",
    )
    inspect.add_argument("source", metavar="FILE", help="a .csv, .zip, .xlsx or .parquet export")
    inspect.add_argument(
        "--timezone",
        default="Europe/Moscow",
        metavar="ZONE",
        help="IANA time zone the file's date-times are in",
    )
    add_reading_options(inspect)
    inspect.set_defaults(parser=inspect, run=_run_inspect)


# --- the commands -------------------------------------------------------------------


def _run_demo(args: argparse.Namespace) -> int:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Path, int, str, int]] = []
    for name, options in _DEMO_FILES:
        campaign, records = demo_campaign(args.records, args.seed)
        with shown() as progress:
            result = export(campaign, records, out / name, options, progress=progress)
        written.append((out / name, result.rows, "rows", result.bytes))
    campaign, records = demo_campaign(args.records, args.seed)
    path = out / "campaign.jsonl"
    with shown() as progress:
        if progress is not None:
            records = counted(records, progress, "writing", name=path.name)
        count = dump_campaign(campaign, records, path)
    written.append((path, count, "records", path.stat().st_size))
    print_table(written)
    return 0


def _run_export(args: argparse.Namespace) -> int:
    options = export_options(args)
    campaign, records = load_campaign(args.source)
    if args.out == "-":
        with shown() as progress:
            export(campaign, records, sys.stdout.buffer, options, progress=progress)
        sys.stdout.flush()
        return 0
    with shown() as progress:
        result = export(
            campaign, records, args.out, options, overwrite=args.force, progress=progress
        )
    print_table([(Path(args.out), result.rows, "rows", result.bytes)])
    return 0


def _run_inspect(args: argparse.Namespace) -> int:
    report = read_report(args.source, **reading_options(args))
    with shown() as progress:
        figures = report.summary(progress=progress)
    dialect = report.dialect
    if report.sheet is not None:
        kind = f"workbook, sheet {report.sheet!r}"
    elif report.file_format is FileFormat.PARQUET:
        kind = "Parquet file"
    else:
        kind = dialect.value if dialect is not None else "other"
    unknown = (
        [f"unknown:  {', '.join(repr(name) for name in report.extra_columns)} (kept in row.extra)"]
        if report.extra_columns
        else []
    )
    encoding = [] if report.encoding is None else [f"encoding: {report.encoding}"]
    write(
        sys.stdout,
        f"file:     {args.source}",
        f"format:   {report.format.value}",
        f"language: {report.language.value}",
        f"dialect:  {kind}",
        *encoding,
        f"timezone: {report.timezone}",
        *unknown,
        f"rows:     {figures.rows}",
        *_dropped(args.errors, report.errors),
        "",
        str(figures),
        *(f"error: {error}" for error in report.errors),
    )
    return 0


def _dropped(mode: str, errors: list[ReadError]) -> list[str]:
    """The line saying how many bad lines were left out, with ``--errors collect``.

    ``skip`` drops them without counting: that is what it is for.
    """
    if mode != "collect":
        return []
    return [f"dropped:  {len(errors)} bad lines" + (" (listed below)" if errors else "")]


def _name_of(source: str) -> str | None:
    """The file name of a source path; None for standard input."""
    return None if source == "-" else Path(source).name
