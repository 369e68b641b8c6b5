"""The calling-list commands: ``lists read``/``select``, ``store load-list``/``export-list``.

Same conventions as the other commands: exit 0 on success, 1 for bad data
(a bad line, an unknown disposition, a phone that cannot be normalised),
2 for bad usage; errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

import attrs

from .._files.sink import ExportResult
from .._formats.lists import RESULT_COLUMNS, read_calling_list, write_calling_list, write_dnc_list
from .._jsonl import load_campaign
from .._model.campaign import CallingList, Campaign, Record
from .._model.cpa import CPAResult
from .._model.phones import COUNTRIES
from .._report.select import select_records
from .._types import Dialect
from ..errors import FieldError, OptionsError
from .arguments import add_store_command, existing_store, store_name, whole_number
from .output import print_table, write
from .progress import tracked

__all__ = ["add_list_commands", "add_list_store_commands"]

_DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t"}

#: The flag of each argument of the library's functions these commands pass on.
_FLAGS: Final = {
    "key_columns": "--key",
    "phone_columns": "--phone",
    "encoding": "--encoding",
    "country": "--country",
    "dispositions": "--disposition",
    "last_cpa": "--last-cpa",
    "timezone": "--timezone",
    "results": "--results",
}


@contextlib.contextmanager
def _named_by_flags() -> Iterator[None]:
    """An error about an argument names the flag that gave it."""
    try:
        yield
    except FieldError as error:
        flag = _FLAGS.get(error.field)
        if flag is None:
            raise
        raise type(error)(flag, error.value, error.reason) from None


def add_list_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``lists read`` and ``lists select`` to the command line's ``commands``."""
    lists = commands.add_parser(
        "lists",
        help="read calling-list files; write the next list from a campaign's results",
        description="Read the CSV a calling list is loaded from, and write the next list "
        "(a redial, a cleansing list, a Do-Not-Call extract) from a campaign's results "
        "(docs/lists.md).",
    )
    sub = lists.add_subparsers(title="lists commands", dest="lists_command", required=True)

    read = sub.add_parser(
        "read",
        help="read a calling-list file and say what it holds",
        description="Read a calling-list CSV (UTF-8 or Windows-1251; comma, semicolon or "
        "tab) and print its columns and number of records; with -o, write it again as "
        "the platform loads a list (phones normalised with --country).",
    )
    read.add_argument("source", metavar="FILE", help="a .csv (or a .zip holding one)")
    read.add_argument("--name", default=None, help="the list's name (default: the file's stem)")
    _add_reading_options(read)
    read.add_argument("-o", "--out", metavar="OUT", help="write the list again; '-' for stdout")
    _add_writing_options(read)
    read.set_defaults(parser=read, run=_run_read)

    select = sub.add_parser(
        "select",
        help="write the records of a campaign chosen by their results as the next list",
        description="Choose records of a campaign kept as JSON Lines by their results "
        "and write them as the CSV the platform loads a list from (or, with --dnc, "
        "their phones for a Do-Not-Call list).",
    )
    select.add_argument("source", metavar="CAMPAIGN", help="a .jsonl campaign")
    select.add_argument(
        "--list", dest="list_name", required=True, metavar="LIST", help="the list to choose from"
    )
    _add_selection_options(select)
    select.add_argument("-o", "--out", required=True, metavar="OUT", help="'-' for stdout")
    _add_writing_options(select)
    select.set_defaults(parser=select, run=_run_select)


def add_list_store_commands(
    store_commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Add ``store load-list`` and ``store export-list`` to the ``store`` group."""
    command = functools.partial(add_store_command, store_commands)
    load = command(
        "load-list",
        "load a calling-list file into a campaign of the store",
        "Read a calling-list CSV and load its records into a campaign's list; a list "
        "the campaign does not have yet is added to it with the file's columns.",
    )
    load.add_argument("source", metavar="FILE", help="a calling-list .csv")
    load.add_argument("--campaign", required=True, help="the campaign's name")
    load.add_argument("--list", dest="list_name", required=True, metavar="LIST")
    _add_reading_options(load)
    load.add_argument(
        "--replace",
        action="store_true",
        help="reload the list: archive its results, then hold exactly these records",
    )
    load.set_defaults(parser=load, run=_run_load_list)

    export = command(
        "export-list",
        "write the next list from a campaign's results in the store",
        "Choose records of one of a campaign's lists by their results, from one "
        "consistent snapshot, and write them as the CSV the platform loads a list from "
        "(or, with --dnc, their phones for a Do-Not-Call list).",
    )
    export.add_argument("--campaign", required=True, help="the campaign's name")
    export.add_argument("--list", dest="list_name", required=True, metavar="LIST")
    _add_selection_options(export)
    export.add_argument("-o", "--out", required=True, metavar="OUT", help="'-' for stdout")
    _add_writing_options(export)
    export.set_defaults(parser=export, run=_run_export_list)


# --- shared options -----------------------------------------------------------------


def _add_reading_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("reading the list file")
    group.add_argument(
        "--key",
        action="append",
        metavar="COLUMN",
        help="a column whose values make the Record IDs (repeat for several; "
        "default: the records are numbered in file order)",
    )
    group.add_argument(
        "--phone",
        action="append",
        default=[],
        metavar="COLUMN",
        help="a phone column, in dialling order (repeat for several)",
    )
    _add_country(group)
    group.add_argument(
        "--encoding",
        default=None,
        metavar="NAME",
        help="text encoding (default: UTF-8, or Windows-1251 when the header is not UTF-8)",
    )
    group.add_argument(
        "--delimiter",
        choices=list(_DELIMITERS),
        default=None,
        help="the delimiter (default: the one that splits the header)",
    )
    group.add_argument(
        "--merge-duplicates",
        action="store_true",
        help="make lines with the same key one record (default: an error naming both lines)",
    )


def _add_country(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--country",
        type=str.upper,
        choices=list(COUNTRIES),
        default=None,
        help="normalise phones to E.164 with this default country (default: keep them as written)",
    )


def _add_selection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("choosing records by their results (all given must hold)")
    group.add_argument(
        "--disposition",
        action="append",
        metavar="NAME",
        help="keep a record whose Record or Last Call Disposition is NAME (repeat for several)",
    )
    done = group.add_mutually_exclusive_group()
    done.add_argument(
        "--completed", dest="completed", action="store_const", const=True, default=None
    )
    done.add_argument("--open", dest="completed", action="store_const", const=False)
    group.add_argument(
        "--attempts-at-least", type=whole_number(0), default=None, metavar="N", help="call attempts"
    )
    group.add_argument(
        "--last-cpa",
        action="append",
        choices=[member.name for member in CPAResult],
        type=lambda text: text.strip().upper().replace(" ", "_"),
        metavar="RESULT",
        help="keep a record whose last attempt's CPA result is RESULT (FAST_BUSY, SIT…)",
    )
    group.add_argument(
        "--not-in",
        type=Path,
        metavar="FILE",
        help="leave out records with a phone in FILE (a Do-Not-Call list: its 'Phone' "
        "column, else its first)",
    )


def _add_writing_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("writing the list")
    group.add_argument(
        "--dialect",
        choices=[dialect.value for dialect in Dialect],
        default=Dialect.PLATFORM.value,
        help="CSV dialect",
    )
    group.add_argument(
        "--out-encoding",
        choices=["utf-8", "cp1251"],
        default="utf-8",
        help="text encoding of the file written",
    )
    group.add_argument(
        "--results",
        action="append",
        choices=RESULT_COLUMNS,
        metavar="COLUMN",
        help=f"add a column of the records' results (repeat): {', '.join(RESULT_COLUMNS)}",
    )
    group.add_argument(
        "--timezone",
        default="Europe/Moscow",
        metavar="ZONE",
        help="zone of Last Call Time",
    )
    group.add_argument(
        "--dnc", action="store_true", help="write only the phones, for a Do-Not-Call list"
    )
    group.add_argument(
        "--force", action="store_true", help="replace OUT even if it is a read-only file"
    )
    if not any(action.dest == "country" for action in parser._actions):  # noqa: SLF001
        _add_country(group)


# --- the commands -------------------------------------------------------------------


def _read(args: argparse.Namespace, name: str) -> tuple[CallingList, Iterator[Record]]:
    return read_calling_list(
        args.source,
        name,
        key_columns=args.key,
        phone_columns=args.phone,
        encoding=args.encoding,
        delimiter=_DELIMITERS.get(args.delimiter) if args.delimiter else None,
        country=args.country,
        duplicates="merge" if args.merge_duplicates else "error",
    )


def _written(
    args: argparse.Namespace, calling_list: CallingList, records: Iterable[Record]
) -> ExportResult:
    destination = sys.stdout.buffer if args.out == "-" else args.out
    common = {
        "dialect": args.dialect,
        "encoding": args.out_encoding,
        "country": args.country,
        "overwrite": args.force,
    }
    if args.dnc:
        result = write_dnc_list(calling_list, records, destination, **common)
    else:
        result = write_calling_list(
            calling_list,
            records,
            destination,
            results=args.results or (),
            timezone=args.timezone,
            **common,
        )
    if args.out == "-":
        sys.stdout.flush()
    else:
        print_table(
            [(Path(args.out), result.rows, "phones" if args.dnc else "records", result.bytes)]
        )
    return result


def _run_read(args: argparse.Namespace) -> int:
    with _named_by_flags():
        calling_list, records = _read(args, args.name or Path(args.source).stem or "list")
        if args.out is not None:
            _written(args, calling_list, tracked(records, "reading"))
            return 0
        count = sum(1 for _ in tracked(records, "reading"))
        write(
            sys.stdout,
            f"file:     {args.source}",
            f"list:     {calling_list.name}",
            f"columns:  {', '.join(calling_list.columns)}",
            f"phones:   {', '.join(calling_list.phone_columns) or '-'}",
            f"records:  {count}",
        )
        return 0


def _dnc_phones(path: Path | None) -> list[str] | None:
    if path is None:
        return None
    calling_list, records = read_calling_list(path, "Do-Not-Call")
    column = "Phone" if "Phone" in calling_list.columns else calling_list.columns[0]
    return [phone for record in records if (phone := record.fields[column])]


def _chosen(
    args: argparse.Namespace, campaign: Campaign, records: Iterable[Record]
) -> tuple[CallingList, Iterator[Record]]:
    calling_list = campaign.calling_list(args.list_name)
    if calling_list is None:
        raise OptionsError(
            "--list",
            args.list_name,
            f"is not a list of campaign {campaign.name!r} "
            f"({', '.join(repr(c.name) for c in campaign.lists)})",
        )
    mine = (record for record in records if record.list_name == calling_list.name)
    chosen = select_records(
        campaign,
        mine,
        dispositions=args.disposition,
        completed=args.completed,
        attempts_at_least=args.attempts_at_least,
        last_cpa=args.last_cpa,
        not_in=_dnc_phones(args.not_in),
        country=args.country,
    )
    return calling_list, chosen


def _run_select(args: argparse.Namespace) -> int:
    with _named_by_flags():
        campaign, records = load_campaign(args.source)
        calling_list, chosen = _chosen(args, campaign, tracked(records, "reading"))
        _written(args, calling_list, chosen)
        return 0


def _run_load_list(args: argparse.Namespace) -> int:
    with _named_by_flags():
        with existing_store(args) as store:
            campaign = store.campaign(args.campaign)
            calling_list, records = _read(args, args.list_name)
            store.put_campaign(_with_list(campaign, calling_list))
            count = store.add_records(
                campaign.name, tracked(records, "reading"), replace=args.replace
            )
        write(
            sys.stdout,
            f"{store_name(args.store)}: list {calling_list.name!r} of campaign {campaign.name!r}, "
            f"{count} records loaded",
        )
        return 0


def _with_list(campaign: Campaign, loaded: CallingList) -> Campaign:
    """``campaign`` holding ``loaded``: added, or its phone columns updated."""
    known = campaign.calling_list(loaded.name)
    if known is None:
        return attrs.evolve(campaign, lists=(*campaign.lists, loaded))
    if known.columns != loaded.columns:
        raise OptionsError(
            "--list",
            loaded.name,
            f"has the columns {', '.join(map(repr, known.columns))} in campaign "
            f"{campaign.name!r}, but the file has {', '.join(map(repr, loaded.columns))}",
        )
    phones = loaded.phone_columns or known.phone_columns
    lists = tuple(
        attrs.evolve(known, phone_columns=phones) if item is known else item
        for item in campaign.lists
    )
    return attrs.evolve(campaign, lists=lists)


def _run_export_list(args: argparse.Namespace) -> int:
    with _named_by_flags():
        with existing_store(args) as store:
            campaign = store.campaign(args.campaign)
            if campaign.calling_list(args.list_name) is None:
                _chosen(args, campaign, ())  # names the lists the campaign has
            records = store.records(campaign.name, lists=[args.list_name])
            calling_list, chosen = _chosen(args, campaign, tracked(records, "reading"))
            _written(args, calling_list, chosen)
        return 0
