"""The ``cloudcontact-results`` command: ``demo``, ``export``, ``inspect`` and ``store``.

Exit codes: 0 on success, 1 for bad data (a campaign or report that cannot be
read, an export that cannot be written), 2 for bad usage (argparse's own).
Errors are one line on stderr, ``error: …``, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import zoneinfo
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final, TextIO

from .._csv.read.report import read_report
from .._csv.write.export import export
from .._demo import demo_campaign
from .._jsonl import dump_campaign, load_campaign
from .._options import OUT_OF_RANGE, ExportOptions
from .._report.summary import summary
from .._types import Dialect, FileFormat, Language, ReportFormat, ReportLayout
from ..errors import OptionsError, ResultsError
from .progress import tracked

__all__ = ["main"]

PROG: Final = "cloudcontact-results"
_MOSCOW: Final = zoneinfo.ZoneInfo("Europe/Moscow")

#: The export dialog's own format first (``01.03.26 9:00``), then variations of it.
_DIALOG_FORMATS: Final = ("%d.%m.%y %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%y", "%d.%m.%Y")

#: The file format an ``--out`` suffix names when ``--file-format`` is not given.
_SUFFIXES: Final = {
    ".xlsx": FileFormat.XLSX,
    ".parquet": FileFormat.PARQUET,
    ".pq": FileFormat.PARQUET,
}

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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Usage errors raise :class:`SystemExit` with code 2, as argparse does.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except (ResultsError, OSError) as exc:
        _write(sys.stderr, f"error: {_describe(exc, args)}")
        return 1
    except KeyboardInterrupt:
        _write(sys.stderr, "interrupted")
        return 130


def _describe(exc: ResultsError | OSError, args: argparse.Namespace) -> str:
    if isinstance(exc, OSError):
        if exc.filename is not None and exc.strerror:
            return f"{exc.filename}: {exc.strerror}"
        return str(exc)
    source = getattr(args, "source", None)
    if source is not None and getattr(exc, "line", None) is not None:
        return f"{source}: {exc}"
    return str(exc)


# --- the parser ---------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Export and read the results of CloudContact (ServicePattern) "
        "calling campaigns.",
    )
    commands = parser.add_subparsers(title="commands", dest="command", required=True)

    demo = commands.add_parser(
        "demo",
        help="write sample exports and a sample campaign to a folder",
        description="Generate a sample campaign and write its simple and detailed "
        "exports (CSV, zip, Russian Excel) and the campaign itself as JSON Lines.",
    )
    demo.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write")
    demo.add_argument("--records", type=_count, default=200, metavar="N", help="default: 200")
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="default: 1")
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
    _add_export_options(ex)
    ex.add_argument(
        "--force", action="store_true", help="replace OUT even if it is a read-only file"
    )
    ex.set_defaults(parser=ex, run=_run_export)

    inspect = commands.add_parser(
        "inspect",
        help="read an export and summarise it",
        description="Read a simple or detailed export (CSV or zip, English or Russian, "
        "any dialect) and print its format, language, row count and summary.",
    )
    inspect.add_argument("source", metavar="FILE", help="a .csv, .zip or .xlsx export")
    inspect.add_argument("--timezone", default="Europe/Moscow", metavar="ZONE")
    inspect.add_argument(
        "--script-fields",
        nargs="+",
        default=(),
        metavar="NAME",
        help="names of the script-field columns (needed when a name repeats)",
    )
    inspect.add_argument(
        "--encoding",
        default=None,
        metavar="NAME",
        help="text encoding of a CSV file (default: UTF-8, or Windows-1251 when the "
        "header is not UTF-8, as Russian Excel saves it)",
    )
    inspect.set_defaults(parser=inspect, run=_run_inspect)

    # The store's commands use this module's helpers, so they are imported here.
    from .store import add_store_commands  # noqa: PLC0415

    add_store_commands(commands)
    return parser


def _add_export_options(parser: argparse.ArgumentParser) -> None:
    """The options of the export dialog, as ``export`` and ``store export`` take them."""
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
        type=_moment,
        metavar="WHEN",
        help="start of the interval: 01.03.26 9:00 or ISO 8601",
    )
    parser.add_argument(
        "--to",
        dest="end",
        type=_moment,
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


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, not {text!r}")
    return value


def _moment(text: str) -> dt.datetime:
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


# --- the commands -------------------------------------------------------------------


def _run_demo(args: argparse.Namespace) -> int:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Path, int, str, int]] = []
    for name, options in _DEMO_FILES:
        campaign, records = demo_campaign(args.records, args.seed)
        result = export(campaign, tracked(records, "records"), out / name, options)
        written.append((out / name, result.rows, "rows", result.bytes))
    campaign, records = demo_campaign(args.records, args.seed)
    path = out / "campaign.jsonl"
    count = dump_campaign(campaign, tracked(records, "records"), path)
    written.append((path, count, "records", path.stat().st_size))
    _print_table(written)
    return 0


def _export_options(args: argparse.Namespace) -> ExportOptions:
    """The export options given on the command line (see :func:`_add_export_options`).

    A bad combination is a usage error: it exits with 2, as argparse does. A
    time zone the machine does not know and a bound no time zone can show are
    the library's errors, exit 1, like the same values in a campaign file:
    they are wrong values, not a wrongly typed command.
    """
    try:
        return ExportOptions(
            format=args.format,
            lists=args.lists,
            dispositions=args.dispositions,
            interval=_interval(args.start, args.end),
            timezone=args.timezone,
            language=args.language,
            dialect=args.dialect,
            compress=args.zip,
            formula_guard=not args.no_guard,
            file_format=_file_format(args.file_format, getattr(args, "out", "")),
            layout=args.layout,
        )
    except OptionsError as exc:
        if exc.field == "ExportOptions.timezone" or exc.reason == OUT_OF_RANGE:
            raise
        # Exits with 2: the options, not the data, are wrong.
        parser: argparse.ArgumentParser = args.parser
        if exc.field == "ExportOptions.interval":
            parser.error(f"--from/--to: {exc.reason}")
        parser.error(str(exc))


def _run_export(args: argparse.Namespace) -> int:
    options = _export_options(args)
    campaign, records = load_campaign(args.source)
    if args.out == "-":
        export(campaign, tracked(records, "records"), sys.stdout.buffer, options)
        sys.stdout.flush()
        return 0
    result = export(campaign, tracked(records, "records"), args.out, options, overwrite=args.force)
    _print_table([(Path(args.out), result.rows, "rows", result.bytes)])
    return 0


def _file_format(given: str | None, out: str) -> FileFormat:
    """``--file-format``, or the one the suffix of ``--out`` names, or CSV.

    A job's files (no ``--out``) are CSV unless ``--file-format`` says otherwise.
    """
    if given is not None:
        return FileFormat(given)
    return _SUFFIXES.get(Path(out).suffix.lower(), FileFormat.CSV)


def _interval(
    start: dt.datetime | None, end: dt.datetime | None
) -> tuple[dt.datetime | None, dt.datetime | None] | None:
    return None if start is None and end is None else (start, end)


def _run_inspect(args: argparse.Namespace) -> int:
    report = read_report(
        args.source,
        timezone=args.timezone,
        script_fields=args.script_fields,
        encoding=args.encoding,
    )
    figures = summary(tracked(report, "rows"))
    dialect = report.dialect
    if report.sheet is not None:
        kind = f"workbook, sheet {report.sheet!r}"
    else:
        kind = dialect.value if dialect is not None else "other"
    encoding = [] if report.encoding is None else [f"encoding: {report.encoding}"]
    unknown = (
        [f"unknown:  {', '.join(repr(name) for name in report.extra_columns)} (kept in row.extra)"]
        if report.extra_columns
        else []
    )
    _write(
        sys.stdout,
        f"file:     {args.source}",
        f"format:   {report.format.value}",
        f"language: {report.language.value}",
        f"dialect:  {kind}",
        *encoding,
        *unknown,
        f"rows:     {figures.rows}",
        "",
        str(figures),
    )
    return 0


def _print_table(written: Sequence[tuple[Path, int, str, int]]) -> None:
    """One line per file written: its path, how many rows (or records) and bytes."""
    width = max(len(str(path)) for path, *_ in written)
    _write(
        sys.stdout,
        *(
            f"{path!s:<{width}}  {count:>7} {unit:<7}  {size:>10} bytes"
            for path, count, unit, size in written
        ),
    )


def _write(stream: TextIO, *lines: str) -> None:
    # The stream is looked up at call time, so doctests and tests can capture it.
    # A summary is several lines in one; each is printed escaped.
    text = [part for line in lines for part in line.split("\n")]
    stream.write("".join(f"{printable(line)}\n" for line in text))


def printable(text: str) -> str:
    r"""``text`` with every character a terminal would act on escaped.

    Names from a file (columns, dispositions, logins) reach the terminal: an
    escape sequence in one must show as text, not move the cursor or retitle
    the window.

    >>> printable("ok\x1b]0;owned\x07 \u202eabc")
    'ok\\x1b]0;owned\\x07 \\u202eabc'
    """
    if text.isprintable():
        return text
    # A tab moves the cursor only: tables printed here use it between columns.
    return "".join(c if c.isprintable() or c == "\t" else repr(c)[1:-1] for c in text)
