"""The ``cloudcontact-results store`` commands: a results store from the shell.

Same conventions as the other commands: exit 0 on success, 1 for bad data
(an unknown campaign, a bad line, a store that cannot be used), 2 for bad
usage; errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import attrs

from .._files.sink import write_data
from .._jsonl import load_attempts, load_campaign
from .._model.campaign import Attempt
from .._options import ExportOptions
from .._progress import counted
from .._store import ResultsStore
from .._types import Dialect, Language
from ..errors import UnknownNameError
from .arguments import (
    add_export_options,
    add_listing_command,
    add_remote_options,
    add_store_command,
    age,
    destination,
    existing_store,
    export_options,
    store_location,
    store_name,
    whole_number,
)
from .output import Value, print_listing, print_table, utc_text, write
from .progress import shown

__all__ = ["add_store_commands"]

#: Attempts sent to the store in one transaction by ``store ingest``.
_DEFAULT_BATCH = 1000
#: The settings of ``store load``'s archive destination.
_REMOTE_FLAGS = ("endpoint", "identity_file", "token_variable")
#: The archive options ``store load`` sets, each with its flag ``--archive-<option>``.
_ARCHIVE_OPTIONS = ("language", "timezone", "dialect")


def add_store_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """Add ``store`` and its sub-commands to the command line's ``commands``.

    Returns:
        The ``store`` group's sub-commands, for the other store commands to join.
    """
    store = commands.add_parser(
        "store",
        help="keep campaigns' results in a results store (an SQLite file or PostgreSQL)",
        description="Keep campaigns' results in a results store: load campaigns, ingest "
        "attempts as they happen, export, archive and delete (docs/store.md).",
    )
    sub = store.add_subparsers(title="store commands", dest="store_command", required=True)
    command = functools.partial(add_store_command, sub)

    load = command(
        "load",
        "create or update a campaign from a JSON Lines campaign file",
        "Put the campaign of a JSON Lines file (docs/campaign-format.md) into the store, "
        "creating the store if it does not exist, and add the file's records.",
    )
    load.add_argument("source", metavar="CAMPAIGN", help="a .jsonl campaign")
    load.add_argument(
        "--replace",
        action="store_true",
        help="reload the lists the records name: archive them, then hold exactly these",
    )
    archive = load.add_argument_group(
        "archive options",
        "How the campaign's archives read from now on. Each flag given replaces that "
        "option only; the others stay as the campaign has them (new campaign: en, "
        "Europe/Moscow, platform).",
    )
    archive.add_argument(
        "--archive-language",
        choices=[language.value for language in Language],
        help="headers and system names of the archives",
    )
    archive.add_argument(
        "--archive-timezone", metavar="ZONE", help="IANA time zone of the archives' date-times"
    )
    archive.add_argument(
        "--archive-dialect", choices=[d.value for d in Dialect], help="CSV dialect of the archives"
    )
    delivery = load.add_argument_group(
        "archive delivery",
        "Where each new archive of the campaign is delivered once it is made (kept with the "
        "campaign: a later load without it keeps it). Credentials come from SSH keys, "
        "~/.netrc, the AWS variables, a webhook's token variable: never from the command line.",
    )
    delivery.add_argument(
        "--archive-destination",
        metavar="DIR|URL",
        help="an existing folder, or sftp://[user@]host[:port]/folder, ftp://…, ftps://…, "
        "s3://bucket/prefix, https://… (a webhook)",
    )
    add_remote_options(delivery)
    load.set_defaults(parser=load, run=_run_load)

    ingest = command(
        "ingest",
        "add attempts from JSON Lines, one attempt a line",
        'Add attempts to the campaign\'s records. Each line is {"list": ..., "record": ..., '
        '"attempt": {...}}, the attempt as in the campaign format. Attempts already stored '
        "are ignored, so a feed may be sent again.",
        "campaign",
    )
    ingest.add_argument(
        "source", metavar="FILE", nargs="?", default="-", help="a .jsonl file; '-' for stdin"
    )
    ingest.add_argument(
        "--batch",
        type=whole_number(1),
        default=_DEFAULT_BATCH,
        metavar="N",
        help="attempts per transaction",
    )
    ingest.set_defaults(parser=ingest, run=_run_ingest)

    export = command(
        "export",
        "export a campaign's results from the store",
        "Export a campaign's results, from one consistent snapshot, with the options of "
        "the export dialog.",
        "campaign",
    )
    export.add_argument(
        "-o", "--out", required=True, metavar="OUT", help="file to write; '-' for stdout"
    )
    add_export_options(export)
    export.add_argument(
        "--force", action="store_true", help="replace OUT even if it is a read-only file"
    )
    export.set_defaults(parser=export, run=_run_export)

    listing = functools.partial(add_listing_command, sub)
    campaigns = listing(
        "campaigns",
        "list the store's campaigns",
        "List the store's campaigns: name and lists.",
    )
    campaigns.set_defaults(parser=campaigns, run=_run_campaigns)

    archives = listing(
        "archives",
        "list a campaign's archives",
        "List a campaign's archives, oldest first: id, created (UTC), reason, list, "
        "records, attempts, size in bytes, file name and, for an archive delivered to the "
        "campaign's archive destination, where to, when (empty while due), the deliveries "
        "started and the last one's error.",
        "campaign",
    )
    archives.set_defaults(parser=archives, run=_run_archives)

    save = command(
        "save-archive",
        "write an archive's zip to a file",
        "Write an archive (simple.csv, detailed.csv, manifest.json) to a zip file.",
        "campaign",
    )
    save.add_argument("archive", metavar="ID", type=int, help="the archive's id (see archives)")
    save.add_argument(
        "-o", "--out", required=True, metavar="OUT", help="zip to write; '-' for stdout"
    )
    save.add_argument(
        "--force", action="store_true", help="replace OUT even if it is a read-only file"
    )
    save.set_defaults(parser=save, run=_run_save_archive)

    prune = command(
        "prune-archives",
        "remove archives older than an age, never the last of a list",
        "Remove the archives made more than AGE ago, of CAMPAIGN or of every campaign. The "
        "newest archive of each list is kept however old, and so is one whose delivery is "
        "due. With --save-to, each zip is written into that folder first, under its file "
        "name, and removed from the store only then.",
    )
    prune.add_argument(
        "campaign", metavar="CAMPAIGN", nargs="?", help="the campaign; every campaign if left out"
    )
    prune.add_argument("--older-than", required=True, type=age, metavar="AGE", help="30d, 12h, 90m")
    prune.add_argument(
        "--save-to", type=Path, metavar="FOLDER", help="an existing folder to save each zip in"
    )
    prune.set_defaults(parser=prune, run=_run_prune_archives)

    deliver = command(
        "deliver-archives",
        "deliver the archives whose delivery is due",
        "Deliver the archives whose delivery failed when they were made (jobs run and serve "
        "do it too); exits with 1, one error: line per campaign, when one still fails.",
    )
    deliver.set_defaults(parser=deliver, run=_run_deliver_archives)

    remove = command(
        "remove-list",
        "remove a list from a campaign, archiving its results",
        "Remove a list from a campaign; its results become an archive (reason removed).",
        "campaign",
        "list",
    )
    remove.set_defaults(parser=remove, run=_run_remove_list)

    delete_list = command(
        "delete-list",
        "delete a list from every campaign, archiving its results",
        "Delete a list from every campaign that uses it; each campaign's results of it "
        "become an archive (reason deleted).",
        "list",
    )
    delete_list.set_defaults(parser=delete_list, run=_run_delete_list)

    copy = sub.add_parser(
        "copy",
        help="copy a whole store into a new one (SQLite file or PostgreSQL database)",
        description="Copy everything SOURCE holds (campaigns, results with their ingest "
        "sequence numbers, archives, export jobs and their runs, where mirrors stand) into "
        "TARGET, a new store: a file that does not exist yet, or an empty PostgreSQL "
        "database. Either kind to either: copying a PostgreSQL store to an SQLite file is "
        "a backup, and copying that file into an empty database restores it. SOURCE is "
        "read in one snapshot while it is in use.",
    )
    copy.add_argument(
        "source", metavar="SOURCE", type=store_location, help="the store's file, or its URL"
    )
    copy.add_argument(
        "target",
        metavar="TARGET",
        type=store_location,
        help="a new store's file, or an empty PostgreSQL database's postgresql:// URL",
    )
    copy.set_defaults(parser=copy, run=_run_copy)

    delete = command(
        "delete-campaign",
        "delete a campaign with its results, archives and jobs",
        "Delete a campaign with its results, its archives and its jobs. Export what you "
        "need first: nothing of it is kept.",
        "campaign",
    )
    delete.add_argument("--yes", action="store_true", help="really delete it")
    delete.set_defaults(parser=delete, run=_run_delete_campaign)

    return sub


def _archive_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The archive options ``store load``'s flags give, checked before the store is opened.

    Raises:
        OptionsError: a bad value, naming the field (a usage error of its
            ``--archive-*`` flag on the command line).
    """
    given = {
        option: value
        for option in _ARCHIVE_OPTIONS
        if (value := getattr(args, f"archive_{option}")) is not None
    }
    ExportOptions(**given)
    return given


def _run_load(args: argparse.Namespace) -> int:
    given = _archive_flags(args)
    target = (
        None
        if args.archive_destination is None
        else destination(args, args.archive_destination, "archive destination")
    )
    if target is None and any(getattr(args, name) is not None for name in _REMOTE_FLAGS):
        args.parser.error(
            "--endpoint, --identity-file, --token-variable: need --archive-destination"
        )
    campaign, records = load_campaign(args.source)
    with ResultsStore(args.store) as store:
        archive_options = None
        if given:
            current = (
                store.archive_options(campaign.name)
                if campaign.name in store.campaign_names()
                else ExportOptions()
            )
            archive_options = attrs.evolve(current, **given)
        store.put_campaign(campaign, archive_options=archive_options, archive_destination=target)
        with shown() as progress:
            count = store.add_records(
                campaign.name, records, replace=args.replace, progress=progress
            )
    write(
        sys.stdout,
        f"{store_name(args.store)}: campaign {campaign.name!r}, {count} records loaded",
    )
    return 0


def _batches(
    items: Iterator[tuple[str, str, Attempt]], size: int
) -> Iterator[list[tuple[str, str, Attempt]]]:
    while batch := list(islice(items, size)):
        yield batch


def _run_ingest(args: argparse.Namespace) -> int:
    with existing_store(args) as store:
        campaign = store.campaign(args.campaign)
        source = sys.stdin if args.source == "-" else args.source
        read = new = 0
        try:
            with shown() as progress:
                attempts: Iterator[tuple[str, str, Attempt]] = load_attempts(source, campaign)
                if progress is not None:
                    name = None if args.source == "-" else Path(args.source).name
                    attempts = counted(attempts, progress, "ingesting", "attempts", name=name)
                for batch in _batches(attempts, args.batch):
                    new += store.add_attempts(campaign.name, batch)
                    read += len(batch)
        finally:
            # What was committed stays: say so, even when a later line fails.
            write(sys.stdout, f"{store_name(args.store)}: {read} attempts read, {new} new")
    return 0


def _run_export(args: argparse.Namespace) -> int:
    options = export_options(args)
    with existing_store(args) as store, shown() as progress:
        if args.out == "-":
            store.export(args.campaign, sys.stdout.buffer, options, progress=progress)
            sys.stdout.flush()
            return 0
        result = store.export(
            args.campaign, args.out, options, overwrite=args.force, progress=progress
        )
    print_table([(Path(args.out), result.rows, "rows", result.bytes)])
    return 0


def _run_campaigns(args: argparse.Namespace) -> int:
    with existing_store(args) as store:
        rows: list[dict[str, Value]] = [
            {"name": name, "lists": [item.name for item in store.campaign(name).lists]}
            for name in store.campaign_names()
        ]
    print_listing(rows, as_json=args.json, empty=f"no campaigns in store {store_name(args.store)}")
    return 0


def _run_archives(args: argparse.Namespace) -> int:
    with existing_store(args) as store:
        archives = store.archives(args.campaign)
    rows: list[dict[str, Value]] = [
        {
            "id": archive.id,
            "created": utc_text(archive.created),
            "reason": archive.reason.value,
            "list": archive.list_name,
            "records": archive.records,
            "attempts": archive.attempts,
            "bytes": archive.size,
            "file": archive.file_name,
            "remote_url": archive.remote_url or "",
            "delivered_at": "" if archive.delivered_at is None else utc_text(archive.delivered_at),
            "delivery_attempts": archive.delivery_attempts,
            "delivery_error": archive.delivery_error or "",
        }
        for archive in archives
    ]
    empty = f"no archives of campaign {args.campaign!r} in store {store_name(args.store)}"
    print_listing(rows, as_json=args.json, empty=empty)
    return 0


def _run_save_archive(args: argparse.Namespace) -> int:
    with existing_store(args) as store:
        found = [a for a in store.archives(args.campaign) if a.id == args.archive]
        if not found:
            raise UnknownNameError(
                store_name(args.store),
                "archive",
                args.archive,
                f"is not an archive of campaign {args.campaign!r}",
            )
        data = store.archive_bytes(found[0])
    if args.out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    write_data(args.out, data, overwrite=args.force)
    print_table([(Path(args.out), found[0].records, "records", len(data))])
    return 0


def _run_prune_archives(args: argparse.Namespace) -> int:
    with existing_store(args) as store:
        removed = store.prune_archives(
            args.campaign, older_than=args.older_than, save_to=args.save_to
        )
    where = "" if args.save_to is None else f", saved to {args.save_to}"
    write(
        sys.stdout,
        *(f"archive {a.id} of {a.campaign!r} ({a.file_name}) removed{where}" for a in removed),
        f"{len(removed)} archives removed",
    )
    return 0


def _run_deliver_archives(args: argparse.Namespace) -> int:
    with existing_store(args) as store:
        try:
            delivered = store.deliver_archives()
        except ExceptionGroup as group:
            write(sys.stderr, *(f"error: {failure}" for failure in group.exceptions))
            return 1
    write(sys.stdout, *(f"archive {a.id} delivered to {a.remote_url}" for a in delivered))
    return 0


def _run_remove_list(args: argparse.Namespace) -> int:
    with existing_store(args) as store:
        archive = store.remove_list(args.campaign, args.list)
    write(sys.stdout, f"list {archive.list_name!r} removed; archive {archive.id}")
    return 0


def _run_delete_list(args: argparse.Namespace) -> int:
    with existing_store(args) as store:
        archives = store.delete_list(args.list)
    write(
        sys.stdout,
        *(f"list {a.list_name!r} deleted from {a.campaign!r}; archive {a.id}" for a in archives),
    )
    return 0


#: What ``store copy`` reports it copied: each table's rows, as it names them.
_COPIED = (
    ("campaigns", "campaigns"),
    ("records", "records"),
    ("ingested", "attempts"),
    ("archives", "archives"),
    ("jobs", "jobs"),
    ("job_runs", "job runs"),
)


def _run_copy(args: argparse.Namespace) -> int:
    with existing_store(args, args.source) as source:
        copied = source.copy_to(args.target)
    counts = ", ".join(f"{copied[table]} {name}" for table, name in _COPIED)
    write(sys.stdout, f"{store_name(args.source)} copied to {store_name(args.target)}: {counts}")
    return 0


def _run_delete_campaign(args: argparse.Namespace) -> int:
    if not args.yes:
        args.parser.error(
            f"deleting campaign {args.campaign!r} deletes its results, archives and jobs: "
            "add --yes to do it"
        )
    with existing_store(args) as store:
        store.delete_campaign(args.campaign)
    write(sys.stdout, f"campaign {args.campaign!r} deleted")
    return 0
