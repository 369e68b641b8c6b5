"""``cloudcontact-results report`` and ``store report``: the HTML report of a campaign's analytics.

Both write one self-contained HTML page (``analytics.write_html_report``):
from an export read back, or from a campaign of a results store. The charts
need matplotlib (the ``plot`` extra); without it the command says so in one line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from .._formats.report import read_report
from .._types import Language
from ..analytics import PERIODS, write_html_report
from .arguments import (
    add_reading_options,
    add_store_command,
    add_time_zone_option,
    aware,
    dialog_moment,
    existing_store,
    interval_of,
    reading_options,
)
from .output import print_table

__all__ = ["add_report_command", "add_store_report_command"]

_ABOUT = (
    "Write the campaign's analytics (list progress, campaign and dispositions in time, "
    "telemarketing compliance, when to call, attempts to close, CPA x disposition, SIP "
    "failures, quotas, agents) as one self-contained HTML page: a chart and a table each, "
    "no script, nothing fetched, ready to print. Needs the 'plot' extra (matplotlib)."
)


def add_report_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report FILE -o OUT`` to the command line's ``commands``."""
    report = commands.add_parser(
        "report",
        help="write an export's analytics as one HTML page with charts",
        description=f"{_ABOUT} A simple report gives list progress only; the rest needs "
        "a detailed report.",
    )
    report.add_argument("source", metavar="FILE", help="a .csv, .zip, .xlsx or .parquet export")
    report.add_argument(
        "--campaign", metavar="NAME", help="the campaign's name, for the page's heading"
    )
    _add_report_options(report, "the file's date-times, of the report and of --from/--to")
    add_reading_options(report)
    report.set_defaults(parser=report, run=_run_report)


def add_store_report_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Add ``store report STORE CAMPAIGN -o OUT`` to the ``store`` group's ``commands``."""
    report = add_store_command(
        commands,
        "report",
        "write a campaign's analytics as one HTML page with charts",
        f"{_ABOUT} Read from one consistent snapshot of the store.",
        "campaign",
    )
    _add_report_options(report, "the report and of --from/--to")
    report.set_defaults(parser=report, run=_run_store_report)


def _add_report_options(parser: argparse.ArgumentParser, zone_of: str) -> None:
    parser.add_argument(
        "-o", "--out", required=True, metavar="OUT", help="HTML file to write; '-' for stdout"
    )
    parser.add_argument(
        "--language",
        choices=[language.value for language in Language],
        default="en",
        help="the language of every word of the page and its charts",
    )
    add_time_zone_option(parser, zone_of)
    parser.add_argument(
        "--from",
        dest="start",
        type=dialog_moment,
        metavar="WHEN",
        help="report the attempts made from then on: 01.03.26 9:00 or ISO 8601",
    )
    parser.add_argument(
        "--to",
        dest="end",
        type=dialog_moment,
        metavar="WHEN",
        help="report the attempts made before then (excluded), same forms",
    )
    parser.add_argument(
        "--period",
        choices=PERIODS,
        default="day",
        help="the periods of campaign and dispositions in time",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace OUT even if it is a read-only file"
    )


def _interval(args: argparse.Namespace) -> tuple[dt.datetime | None, dt.datetime | None] | None:
    """--from/--to as aware moments: a time without an offset is in --timezone."""
    start, end = (None if at is None else aware(at, args.timezone) for at in (args.start, args.end))
    return interval_of(start, end)


def _write(args: argparse.Namespace, source: Any, of: Any, campaign: str | None) -> int:
    destination: Any = sys.stdout.buffer if args.out == "-" else args.out
    result = write_html_report(
        source,
        of,
        destination=destination,
        language=args.language,
        timezone=args.timezone,
        period=args.period,
        interval=_interval(args),
        campaign=campaign,
        overwrite=args.force,
    )
    if args.out == "-":
        sys.stdout.flush()
        return 0
    print_table([(Path(args.out), result.rows, "rows", result.bytes)])
    return 0


def _run_report(args: argparse.Namespace) -> int:
    report = read_report(args.source, **reading_options(args))
    return _write(args, report, None, args.campaign)


def _run_store_report(args: argparse.Namespace) -> int:
    with existing_store(args) as store:
        return _write(args, store, args.campaign, None)
