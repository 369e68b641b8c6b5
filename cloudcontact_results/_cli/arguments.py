"""Arguments several commands share: the parser, their types, the flags that add them.

A type raises :class:`argparse.ArgumentTypeError`, so a bad value is a usage
error (exit 2) that names its flag. A value only the library can judge (a
time zone, flags that conflict) is checked by it: its error names the field,
which :mod:`.failures` turns into the same usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, NoReturn, get_args

from dateutil import rrule

from .._delivery import Remote
from .._delivery.remote import is_url
from .._files.options import ErrorMode
from .._options import ExportOptions, packaging_for
from .._store import ResultsStore
from .._store._open import is_url as is_store_url
from .._store._url import shown_url
from .._types import (
    DEFAULT_TIMEZONE,
    Dialect,
    FileFormat,
    Language,
    ReportFormat,
    ReportLayout,
    parse_timezone,
)
from ..errors import OptionsError, StoreError

__all__ = [
    "ERROR_MODES",
    "PROG",
    "Parser",
    "add_export_options",
    "add_listing_command",
    "add_reading_options",
    "add_remote_options",
    "add_store_command",
    "add_time_zone_option",
    "age",
    "aware",
    "destination",
    "dialog_moment",
    "existing_store",
    "export_options",
    "interval_of",
    "kept_files",
    "reading_options",
    "recurrence_rule",
    "seconds",
    "time_zone",
    "version",
    "whole_number",
]

#: The command's name, as installed.
PROG: Final = "cloudcontact-results"

#: The export dialog's own format first (``01.03.26 9:00``), then variations of it.
_DIALOG_FORMATS: Final = ("%d.%m.%y %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%y", "%d.%m.%Y")

#: Help of the positional arguments that several store commands take.
_POSITIONALS: Final = {
    "campaign": "the campaign's name",
    "list": "the list's name",
    "name": "the job's name",
}


# --- the parser ---------------------------------------------------------------------


class DefaultsShown(argparse.HelpFormatter):
    """Help that ends each option's text with ``(default: …)`` when it has a default.

    A default of None, False or nothing means "not given" (the help text says
    what that does), so it is not shown. Each flag shows as ``-o OUT, --out
    OUT`` on every Python version, so the reference in ``docs/cli.md`` holds.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            "(default:" in text
            or default is None
            or default is False
            or default is argparse.SUPPRESS
            or default in ((), [])
        ):
            return text
        shown = " ".join(map(str, default)) if isinstance(default, list | tuple) else str(default)
        return f"{text} (default: {shown.replace('%', '%%')})".lstrip()

    def _format_action_invocation(self, action: argparse.Action) -> str:
        if not action.option_strings or action.nargs == 0:
            return super()._format_action_invocation(action)
        value = self._format_args(action, self._get_default_metavar_for_optional(action))
        return ", ".join(f"{option} {value}" for option in action.option_strings)


class Parser(argparse.ArgumentParser):
    """The parser of the command and of each sub-command.

    Its help shows every default; its usage errors name the flag first
    (``--format: invalid choice: …``), as those the library's errors become do.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", DefaultsShown)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        super().error(message.removeprefix("argument "))


def version() -> str:
    """The installed package's version, from its metadata."""
    try:
        return importlib.metadata.version("cloudcontact_results")
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


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


#: The units of an age on the command line, in seconds.
_AGE_UNITS: Final = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}


def age(text: str) -> dt.timedelta:
    """An argument type: a positive age, a whole number and a unit: ``30d``, ``12h``, ``90m``.

    >>> age("30d"), age("90m")
    (datetime.timedelta(days=30), datetime.timedelta(seconds=5400))
    >>> age("soon")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be a whole number and a unit (w, d, h, m, s) such as 30d \
or 12h, not 'soon'
    """
    number, unit = text[:-1], text[-1:].lower()
    if not number.isdecimal() or unit not in _AGE_UNITS or int(number) == 0:
        raise argparse.ArgumentTypeError(
            f"must be a whole number and a unit (w, d, h, m, s) such as 30d or 12h, not {text!r}"
        )
    return dt.timedelta(seconds=int(number) * _AGE_UNITS[unit])


def kept_files(text: str) -> int | dt.timedelta:
    """An argument type: how many files to keep (``5``), or for how long (``30d``).

    >>> kept_files("5"), kept_files("2d")
    (5, datetime.timedelta(days=2))
    """
    if text.isdecimal() and int(text) > 0:
        return int(text)
    try:
        return age(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"must be a count of files (5) or an age (30d, 12h, 90m), not {text!r}"
        ) from None


def recurrence_rule(text: str) -> str:
    """An argument type: an RFC 5545 recurrence rule, as ``dateutil`` reads it.

    >>> recurrence_rule("FREQ=DAILY;BYHOUR=6")
    'FREQ=DAILY;BYHOUR=6'
    >>> recurrence_rule("every day")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be an RFC 5545 recurrence rule such as FREQ=HOURLY or \
FREQ=DAILY;BYHOUR=6, not 'every day'
    """
    try:
        # Counted from an aware start, as a job's rule is (an UNTIL must then be UTC).
        rrule.rrulestr(text, dtstart=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        raise argparse.ArgumentTypeError(
            "must be an RFC 5545 recurrence rule such as FREQ=HOURLY or FREQ=DAILY;BYHOUR=6, "
            f"not {text!r}"
        ) from None
    return text


def time_zone(text: str) -> str:
    """An argument type: an IANA time zone, its name matched without regard to case."""
    try:
        return parse_timezone("--timezone", text).key
    except OptionsError as exc:
        raise argparse.ArgumentTypeError(f"{exc.reason} (got {text!r})") from None


def add_time_zone_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--timezone``, the zone naive times of ``what`` are read in (see :func:`aware`)."""
    parser.add_argument(
        "--timezone",
        type=time_zone,
        default=DEFAULT_TIMEZONE,
        metavar="ZONE",
        help=f"IANA time zone of {what} given without an offset",
    )


def aware(moment: dt.datetime, zone: str) -> dt.datetime:
    """A time as typed: with an offset it is that instant, without one it is read in ``zone``.

    The one rule of every command: a naive time is in the command's ``--timezone``.

    >>> aware(dt.datetime(2026, 3, 2, 9, 0), "Europe/Moscow").isoformat()
    '2026-03-02T09:00:00+03:00'
    >>> aware(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), "Europe/Moscow").isoformat()
    '2026-03-02T09:00:00+00:00'
    """
    if moment.utcoffset() is not None:
        return moment
    return moment.replace(tzinfo=zoneinfo.ZoneInfo(zone))


# --- reading an export ----------------------------------------------------------------

#: What a bad line does to a read (``read_report``'s ``errors``).
ERROR_MODES: Final = get_args(ErrorMode)


def add_reading_options(parser: argparse.ArgumentParser) -> None:
    """How an export is read back: its script fields, encoding, date-time format, bad lines."""
    parser.add_argument(
        "--script-fields",
        action="append",
        metavar="NAME",
        help="the name of a script-field column, in order; repeat for each "
        "(needed when a name repeats)",
    )
    parser.add_argument(
        "--encoding",
        default=None,
        metavar="NAME",
        help="text encoding of a CSV file (default: UTF-8, or Windows-1251 when the "
        "header is not UTF-8, as Russian Excel saves it)",
    )
    parser.add_argument(
        "--datetime-format",
        metavar="FORMAT",
        help="strptime format of the file's date-times, e.g. '%%d.%%m.%%Y %%H:%%M' "
        "(default: the library's own or the form a spreadsheet writes on re-saving, "
        "fixed by the first date-time)",
    )
    parser.add_argument(
        "--errors",
        choices=ERROR_MODES,
        default="raise",
        help="a bad line: stop with its error (raise), leave it out (skip), or leave it "
        "out and list its error afterwards (collect)",
    )


def reading_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of ``read_report`` that :func:`add_reading_options` gives."""
    return {
        "timezone": args.timezone,
        "script_fields": args.script_fields or (),
        "encoding": args.encoding,
        "datetime_format": args.datetime_format,
        "errors": args.errors,
    }


# --- the export dialog's options ----------------------------------------------------


def add_export_options(parser: argparse.ArgumentParser) -> None:
    """The export dialog's options, as ``export``, ``store export`` and ``jobs add`` take them."""
    parser.add_argument(
        "--format",
        choices=[f.value for f in ReportFormat],
        default="simple",
        help="the report: final results (simple), all attempts (detailed), or the "
        "attempts made inside --from/--to (detailed-interval)",
    )
    # One value a flag, repeated for more: a flag taking several values would
    # swallow the positional argument after it.
    parser.add_argument(
        "--lists",
        action="append",
        metavar="NAME",
        help="a list to export; repeat for more (default: all)",
    )
    parser.add_argument(
        "--dispositions",
        action="append",
        metavar="NAME",
        help="a disposition to keep, English or Russian name; repeat for more (default: all)",
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
    parser.add_argument(
        "--timezone",
        default="Europe/Moscow",
        metavar="ZONE",
        help="IANA time zone of the report's date-times and of --from/--to without an offset",
    )
    parser.add_argument(
        "--language",
        choices=[language.value for language in Language],
        default="en",
        help="headers, system disposition names and 'no match'",
    )
    parser.add_argument(
        "--dialect",
        choices=[d.value for d in Dialect],
        default="platform",
        help="CSV flavour: the platform's (comma, no BOM), excel (BOM) or excel-ru "
        "(BOM, semicolon)",
    )
    parser.add_argument(
        "--layout",
        choices=[layout.value for layout in ReportLayout],
        default="manual",
        help="report columns: the manual's or Bright Pattern 5.x's "
        "(the detailed report adds ANI and Action Applied)",
    )
    parser.add_argument("--zip", action="store_true", help="write a zip holding the CSV")
    parser.add_argument(
        "--file-format",
        choices=[f.value for f in FileFormat],
        default=None,
        help="csv, xlsx (an Excel workbook) or parquet (default: from the suffix of --out, "
        ".xlsx, .parquet or .pq, else csv)",
    )
    parser.add_argument(
        "--no-guard", action="store_true", help="do not guard cells against formula injection"
    )


def export_options(args: argparse.Namespace) -> ExportOptions:
    """The export options given on the command line (see :func:`add_export_options`).

    Raises:
        OptionsError: a bad value or combination, naming its field; the
            command line reports it as a usage error of the flag (exit 2).
    """
    options = ExportOptions(
        format=args.format,
        lists=args.lists,
        dispositions=args.dispositions,
        interval=interval_of(args.start, args.end),
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
    return options


def interval_of(
    start: dt.datetime | None, end: dt.datetime | None
) -> tuple[dt.datetime | None, dt.datetime | None] | None:
    """``--from``/``--to`` as an interval; None when neither is given."""
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
    parser.add_argument(
        "store",
        metavar="STORE",
        type=store_location,
        help="the store's file, or its PostgreSQL database's postgresql:// URL",
    )
    for positional in names:
        parser.add_argument(positional, metavar=positional.upper(), help=_POSITIONALS[positional])
    return parser


def add_listing_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    description: str,
    *names: str,
) -> argparse.ArgumentParser:
    """A store command that lists things: a table with a header row, or ``--json``."""
    parser = add_store_command(commands, name, help_text, description, *names)
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON array of objects, keyed as the table's columns in lower case",
    )
    return parser


def store_location(text: str) -> Path | str:
    """A store on the command line: a file's path, or a PostgreSQL URL kept as it is given."""
    return text if is_store_url(text) else Path(text)


def store_name(location: Path | str) -> str:
    """How messages name a store: a URL without its password."""
    return shown_url(location) if isinstance(location, str) else str(location)


def existing_store(args: argparse.Namespace, location: Path | str | None = None) -> ResultsStore:
    """The store named on the command line (``args.store``, or ``location``).

    A file must exist (only ``store load`` creates one); a PostgreSQL
    database is opened as it is (an empty one is an empty store).
    """
    where: Path | str = args.store if location is None else location
    if isinstance(where, Path) and not where.exists():
        raise StoreError(str(where), "does not exist (create it with 'store load')")
    return ResultsStore(where)


#: The settings of a URL destination, each a flag of its own.
_REMOTE_SETTINGS: Final = ("endpoint", "identity_file", "token_variable")


def add_remote_options(parser: argparse.ArgumentParser | Any) -> None:
    """The flags of a URL destination's settings; never a credential (the environment's)."""
    parser.add_argument(
        "--endpoint", metavar="URL", help="s3:// only: an S3-compatible server's URL"
    )
    parser.add_argument(
        "--identity-file", type=Path, metavar="FILE", help="sftp:// only: the private key to use"
    )
    parser.add_argument(
        "--token-variable",
        metavar="NAME",
        help="https:// only: the environment variable holding the webhook's bearer token",
    )


def destination(args: argparse.Namespace, text: str, flag: str) -> Path | Remote:
    """The folder ``text`` names, or its URL with the settings of :func:`add_remote_options`.

    A setting given with a folder is a usage error of its flag.
    """
    settings = {
        name: getattr(args, name) for name in _REMOTE_SETTINGS if getattr(args, name) is not None
    }
    if not is_url(text):
        if settings:
            given = "--" + next(iter(settings)).replace("_", "-")
            args.parser.error(f"{given}: is for a URL {flag}, not a folder")
        return Path(text)
    return Remote(text, **settings)
