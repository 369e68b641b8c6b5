"""``cloudcontact-results store sync``: mirror lists of a campaign from the platform's API.

The access token is read from an environment variable (``CLOUDCONTACT_TOKEN``
unless ``--token-env`` names another): never from the command line, where
other users of the machine and shell histories would see it.
"""

from __future__ import annotations

import argparse
import os
import ssl
import sys
import time
from pathlib import Path
from typing import Final

from .._platform.client import MAX_PAGE_SIZE, ListManagementClient, Retries, api_time
from .._platform.sync import SyncResult, sync_list
from .arguments import (
    add_store_command,
    add_time_zone_option,
    aware,
    dialog_moment,
    existing_store,
    seconds,
    whole_number,
)
from .output import write

__all__ = ["TOKEN_ENV", "add_sync_commands"]

#: The environment variable the access token is read from by default.
TOKEN_ENV: Final = "CLOUDCONTACT_TOKEN"  # noqa: S105  # a variable's name, not a secret


def add_sync_commands(store_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``sync`` to the ``store`` commands."""
    sync = add_store_command(
        store_commands,
        "sync",
        "mirror lists of a campaign from the platform's List Management API",
        "Bring the store's copy of the campaign's lists up to date with the platform "
        "(Get Updated Records, docs/platform-api.md). The campaign must be in the store "
        "(store load). Each page is stored with where the sync stands, so a sync "
        f"stopped at any point resumes without loss. The access token is read from "
        f"the environment variable {TOKEN_ENV} (or --token-env).",
    )
    sync.add_argument(
        "--url",
        required=True,
        help="the contact centre's address, e.g. https://example.brightpattern.com",
    )
    sync.add_argument("--campaign", required=True, help="the campaign's name")
    sync.add_argument(
        "--list",
        dest="lists",
        action="append",
        required=True,
        metavar="LIST",
        help="a list of the campaign to mirror (repeat for several)",
    )
    sync.add_argument(
        "--key-column",
        dest="key_columns",
        action="append",
        default=[],
        metavar="COLUMN",
        help="a key column of the list, whose values identify a record "
        "(repeat for several; default: the recordId the platform sends)",
    )
    sync.add_argument(
        "--token-env",
        default=TOKEN_ENV,
        metavar="NAME",
        help="the environment variable holding the access token",
    )
    sync.add_argument(
        "--page-size",
        type=whole_number(1, MAX_PAGE_SIZE),
        default=MAX_PAGE_SIZE,
        metavar="N",
        help=f"records per request, 1-{MAX_PAGE_SIZE}",
    )
    sync.add_argument(
        "--timeout",
        type=seconds,
        default=30.0,
        metavar="SECONDS",
        help="how long one request may wait",
    )
    sync.add_argument(
        "--tries",
        type=whole_number(1),
        default=5,
        metavar="N",
        help="tries of a request on rate limits, server and network errors",
    )
    sync.add_argument(
        "--since",
        type=dialog_moment,
        metavar="TIME",
        help="start at this time (DD.MM.YY H:mm or ISO 8601; without an offset, in "
        "--timezone) instead of where the last sync stopped",
    )
    add_time_zone_option(sync, "--since")
    sync.add_argument(
        "--follow",
        type=seconds,
        metavar="SECONDS",
        help="keep mirroring a running campaign: sync again every SECONDS until interrupted",
    )
    sync.add_argument(
        "--ca-file",
        type=Path,
        metavar="PEM",
        help="trust this certificate authority (default: the system's)",
    )
    sync.add_argument(
        "--insecure-http",
        action="store_true",
        help="allow plain http to another machine (the token crosses the network in clear)",
    )
    sync.set_defaults(parser=sync, run=_run_sync)


def _client(args: argparse.Namespace) -> ListManagementClient:
    token = os.environ.get(args.token_env, "")
    if not token.strip():
        args.parser.error(
            f"set the access token in the environment variable {args.token_env} "
            "(it is never taken from the command line)"
        )
    context = None
    if args.ca_file is not None:
        try:
            context = ssl.create_default_context(cafile=str(args.ca_file))
        except (OSError, ssl.SSLError) as error:
            args.parser.error(f"--ca-file {args.ca_file}: {error}")
    return ListManagementClient(
        args.url,
        token,
        timeout=args.timeout,
        retries=Retries(attempts=args.tries),
        ssl_context=context,
        insecure_http=args.insecure_http,
    )


def _run_sync(args: argparse.Namespace) -> int:
    client = _client(args)
    since = None if args.since is None else aware(args.since, args.timezone)
    with existing_store(args) as store:
        while True:
            for list_name in args.lists:
                result = sync_list(
                    store,
                    client,
                    args.campaign,
                    list_name,
                    key_columns=args.key_columns,
                    page_size=args.page_size,
                    since=since,
                )
                write(sys.stdout, _summary(result))
            if args.follow is None:
                return 0
            since = None  # --since is where the first round starts
            time.sleep(args.follow)


def _summary(result: SyncResult) -> str:
    stands = "the beginning" if result.watermark is None else api_time(result.watermark)
    return (
        f"{result.list_name}: {_count(result.records, 'record')} in "
        f"{_count(result.pages, 'page')}; synced up to {stands} UTC"
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
