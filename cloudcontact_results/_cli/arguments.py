"""Arguments several commands share: their types, the flags that add them, what they mean.

A type raises :class:`argparse.ArgumentTypeError`, so a bad value is a usage
error (exit 2) that names its flag.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Final

from .._options import OUT_OF_RANGE, ExportOptions, packaging_for
from .._store import ResultsStore
from .._types import Dialect, FileFormat, Language, ReportFormat, ReportLayout
from ..errors import OptionsError, StoreError

__all__ = [
    "add_export_options",
    "add_store_command",
    "dialog_moment",
    "existing_store",
    "export_options",
    "seconds",
    "utc_moment",
    "whole_number",
]

#: The export dialog's own format first (``01.03.26 9:00``), then variations of it.
_DIALOG_FORMATS: Final = ("%d.%m.%y %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%y", "%d.%m.%Y")

#: Help of the positional arguments that several store commands take.
_POSITIONALS: Final = {
    "campaign": "the campaign's name",
    "list": "the list's name",
    "name": "the job's name",
}


# --- types --------------------------------------------------------------------------


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argument type: a whole number from ``low`` to ``high`` (no limit for None).

    >>> whole_number(1, 5)("3")
    3
    >>> whole_number(0)("-1")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be a whole number >= 0, not '-1'
    """
    allowed = f"{low}-{high}" if high is not None else f">= {low}"

    def whole(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be a whole number {allowed}, not {text!r}")
        return value

    return whole


def seconds(text: str) -> float:
    """An argument type: a number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds > 0, not {text!r}")
    return value


def dialog_moment(text: str) -> dt.datetime:
    """A date-time as the export dialog writes it, or ISO 8601; naive unless an offset is given."""
    for pattern in _DIALOG_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), pattern)  # noqa: DTZ007 - read in --timezone
        except ValueError:
            continue
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither DD.MM.YY H:mm (01.03.26 9:00) nor ISO 8601 (2026-03-01T09:00)"
        ) from None


def utc_moment(text: str) -> dt.datetime:
    """An ISO 8601 time, in UTC unless it has an offset."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be an ISO 8601 time such as 2026-03-02T09:00:00+03:00, not {text!r}"
        ) from None
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=dt.UTC)


# --- the export dialog's options ----------------------------------------------------


def add_export_options(parser: argparse.ArgumentParser) -> None:
    """The export dialog's options, as ``export``, ``store export`` and ``jobs add`` take them."""
    parser.add_argument("--format", choices=[f.value for f in ReportFormat], default="simple")
    parser.add_argument(
        "--lists",
        nargs="+",
        action="extend",
        metavar="NAME",
        help="lists to export (default: all)",
    )
    parser.add_argument(
        "--dispositions",
        nargs="+",
        action="extend",
        metavar="NAME",
        help="dispositions to keep, English or Russian names (default: all)",
    )
    parser.add_argument(
        "--from",
        dest="start",
        type=dialog_moment,
        metavar="WHEN",
        help="start of the interval: 01.03.26 9:00 or ISO 8601",
    )
    parser.add_argument(
        "--to",
        dest="end",
        type=dialog_moment,
        metavar="WHEN",
        help="end of the interval (excluded), same forms",
    )
    parser.add_argument("--timezone", default="Europe/Moscow", metavar="ZONE")
    parser.add_argument(
        "--language", choices=[language.value for language in Language], default="en"
    )
    parser.add_argument("--dialect", choices=[d.value for d in Dialect], default="platform")
    parser.add_argument(
        "--layout",
        choices=[layout.value for layout in ReportLayout],
        default="manual",
        help="report columns: the manual's (default) or Bright Pattern 5.x's "
        "(the detailed report adds ANI and Action Applied)",
    )
    parser.add_argument("--zip", action="store_true", help="write a zip holding the CSV")
    parser.add_argument(
        "--file-format",
        choices=[f.value for f in FileFormat],
        default=None,
        help="csv, xlsx (an Excel workbook) or parquet; default: from the suffix of --out "
        "(.xlsx, .parquet), else csv",
    )
    parser.add_argument(
        "--no-guard", action="store_true", help="do not guard cells against formula injection"
    )


def export_options(args: argparse.Namespace) -> ExportOptions:
    """The export options given on the command line (see :func:`add_export_options`).

    A bad combination is a usage error: it exits with 2, as argparse does. A
    time zone the machine does not know and a bound no time zone can show are
    the library's errors, exit 1, like the same values in a campaign file:
    they are wrong values, not a wrongly typed command.
    """
    try:
        options = ExportOptions(
            format=args.format,
            lists=args.lists,
            dispositions=args.dispositions,
            interval=_interval(args.start, args.end),
            timezone=args.timezone,
            language=args.language,
            dialect=args.dialect,
            # Not given: the library's rule takes them from the suffix of --out
            # (a job's files, and stdout, are CSV unless told otherwise).
            compress=True if args.zip else None,
            formula_guard=not args.no_guard,
            file_format=args.file_format,
            layout=args.layout,
        )
        out = getattr(args, "out", None)
        if out is not None:
            packaging_for(options, out)  # a flag the suffix of --out contradicts
    except OptionsError as exc:
        if exc.field == "ExportOptions.timezone" or exc.reason == OUT_OF_RANGE:
            raise
        # Exits with 2: the options, not the data, are wrong.
        parser: argparse.ArgumentParser = args.parser
        if exc.field == "ExportOptions.interval":
            parser.error(f"--from/--to: {exc.reason}")
        parser.error(str(exc))
    return options


def _interval(
    start: dt.datetime | None, end: dt.datetime | None
) -> tuple[dt.datetime | None, dt.datetime | None] | None:
    return None if start is None and end is None else (start, end)


# --- the store ----------------------------------------------------------------------


def add_store_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    description: str,
    *names: str,
) -> argparse.ArgumentParser:
    """A sub-command of ``commands`` taking the store, then the positional arguments ``names``."""
    parser = commands.add_parser(name, help=help_text, description=description)
    parser.add_argument("store", metavar="STORE", type=Path, help="the store's file")
    for positional in names:
        parser.add_argument(positional, metavar=positional.upper(), help=_POSITIONALS[positional])
    return parser


def existing_store(args: argparse.Namespace) -> ResultsStore:
    """The store named on the command line; it must exist (only ``store load`` creates one)."""
    path: Path = args.store
    if not path.exists():
        raise StoreError(str(path), "does not exist (create it with 'store load')")
    return ResultsStore(path)
