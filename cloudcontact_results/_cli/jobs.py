"""``cloudcontact-results store jobs add|list|remove|run|runs`` and ``store serve``."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Final, TextIO

from .._delivery import Remote
from .._store import ExportJob, JobRun, ResultsStore
from .._store._jobs import next_occurrence
from ..errors import ResultsError
from .arguments import (
    add_export_options,
    add_listing_command,
    add_remote_options,
    add_store_command,
    add_time_zone_option,
    aware,
    destination,
    dialog_moment,
    existing_store,
    export_options,
    kept_files,
    recurrence_rule,
    store_name,
)
from .output import Value, print_listing, utc_text, write

__all__ = ["add_job_commands"]

#: ``serve`` looks for new jobs (and retries failed runs) at least this often.
_LONGEST_SLEEP: Final = 60.0
#: ``serve`` notices a stop request within this many seconds while it sleeps.
_TICK: Final = 0.2


def add_job_commands(store_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``jobs ...`` and ``serve`` to the ``store`` commands."""
    jobs = store_commands.add_parser(
        "jobs",
        help="automatic export: add, list, remove and run export jobs",
        description="Export jobs write a campaign's results into a folder, or deliver them to "
        "an SFTP, FTP(S), S3 or webhook URL, on a schedule (docs/automatic-export.md).",
    )
    sub = jobs.add_subparsers(title="jobs commands", dest="jobs_command", required=True)
    job_command = functools.partial(add_store_command, sub)
    command = functools.partial(add_store_command, store_commands)

    add = job_command(
        "add",
        "add an export job",
        "Add an export job: a campaign's export written into a folder, or delivered to a "
        "URL, on a schedule.",
        "name",
        "campaign",
    )
    add.add_argument(
        "--schedule",
        required=True,
        type=recurrence_rule,
        metavar="RULE",
        help='an RFC 5545 rule, e.g. "FREQ=DAILY;BYHOUR=6"',
    )
    add.add_argument(
        "--start",
        dest="first",
        required=True,
        type=dialog_moment,
        metavar="WHEN",
        help="when the schedule starts; without an offset, in --timezone",
    )
    add.add_argument(
        "--destination",
        required=True,
        metavar="DIR|URL",
        help="the folder, or the URL each file is delivered to: sftp://[user@]host[:port]/folder, "
        "ftp://…, ftps://…, s3://bucket/prefix, https://… (a webhook); credentials come from "
        "SSH keys, ~/.netrc, the AWS variables, never from the command line",
    )
    add_remote_options(add)
    add.add_argument(
        "--keep",
        type=kept_files,
        metavar="N|AGE",
        help="URL destinations: keep the local copies of the newest N delivered files, or "
        "those due within AGE (30d, 12h, 90m); all by default",
    )
    add.add_argument(
        "--full", action="store_true", help="export the whole snapshot each run (not incremental)"
    )
    add_export_options(add)
    add.set_defaults(parser=add, run=_run_add)

    listing = add_listing_command(
        sub,
        "list",
        "list export jobs",
        "List the store's export jobs: name, campaign, schedule, start, mode (incremental "
        "or full), report format, file format and destination.",
    )
    listing.set_defaults(parser=listing, run=_run_list)

    remove = job_command("remove", "remove an export job", "Remove an export job.", "name")
    remove.set_defaults(parser=remove, run=_run_remove)

    run = job_command(
        "run",
        "run what is due, once",
        "Run every job with an occurrence due and not yet run, then exit (for cron). "
        "Exit 1 if a run failed: the next call redoes it first.",
    )
    run.add_argument(
        "--now",
        type=dialog_moment,
        metavar="WHEN",
        help="run as if it were WHEN (DD.MM.YY H:mm or ISO 8601; without an offset, in --timezone)",
    )
    add_time_zone_option(run, "--now")
    run.set_defaults(parser=run, run=_run_run)

    runs = add_listing_command(
        sub,
        "runs",
        "show a job's run history",
        "Show a job's runs, oldest first: due (UTC), the ingest window (after, up to], "
        "rows, outcome, size in bytes, SHA-256, file, error and when it finished (UTC); "
        "for a URL job, where each file goes, when its delivery was recorded (UTC; empty "
        "while it is due), how many times it was started and why it last failed.",
        "name",
    )
    runs.set_defaults(parser=runs, run=_run_runs)

    serve = command(
        "serve",
        "run export jobs as they fall due, until stopped",
        "Run every export job as it falls due, sleeping in between, until SIGTERM or "
        "SIGINT (which stop it cleanly, after the run in progress); deliveries that "
        "failed are retried at each wake-up (at least once a minute). Each line it prints "
        "starts with the time in UTC (2026-03-02T06:00:00Z).",
    )
    serve.set_defaults(parser=serve, run=_run_serve)


def _run_add(args: argparse.Namespace) -> int:
    options = export_options(args)
    job = ExportJob(
        args.name,
        args.campaign,
        options,
        args.schedule,
        destination(args, args.destination, "destination"),
        aware(args.first, args.timezone),
        incremental=not args.full,
        keep=args.keep,
    )
    with existing_store(args) as store:
        store.add_job(job)
    write(sys.stdout, f"job {job.name!r} added")
    return 0


def _all_jobs(store: ResultsStore) -> Iterator[ExportJob]:
    for name in store.campaign_names():
        yield from store.jobs(name)


def _run_list(args: argparse.Namespace) -> int:
    with existing_store(args) as store:
        jobs = list(_all_jobs(store))
    rows: list[dict[str, Value]] = [
        {
            "name": job.name,
            "campaign": job.campaign,
            "schedule": job.schedule,
            "start": job.start.isoformat(),
            "mode": "incremental" if job.incremental else "full",
            "format": job.options.format.value,
            "file_format": job.options.packaging.file_format.value,
            "destination": job.destination.url
            if isinstance(job.destination, Remote)
            else str(job.destination),
        }
        for job in jobs
    ]
    print_listing(
        rows, as_json=args.json, empty=f"no export jobs in store {store_name(args.store)}"
    )
    return 0


def _run_remove(args: argparse.Namespace) -> int:
    with existing_store(args) as store:
        store.remove_job(args.name)
    write(sys.stdout, f"job {args.name!r} removed")
    return 0


def _describe(run: JobRun) -> str:
    lo, hi = run.window
    line = f"job {run.job!r} due {utc_text(run.due)} ({lo}, {hi}]: {run.rows} rows -> {run.path}"
    if run.remote_url is not None and run.delivered_at is not None:
        line += f", delivered to {run.remote_url}"
    return line


def _unstamped(stream: TextIO, *lines: str) -> None:
    write(stream, *lines)


def _stamped(stream: TextIO, *lines: str) -> None:
    """``lines`` on ``stream``, each after the time in UTC: a log line of ``serve``."""
    stamp = utc_text(dt.datetime.now(dt.UTC))
    write(stream, *(f"{stamp} {line}" for line in lines))


def _run_due(
    store: ResultsStore, now: dt.datetime | None, say: Callable[..., None] = _unstamped
) -> int:
    """Run what is due; one line a run, one ``error:`` line a failure; the exit code."""
    try:
        runs = store.run_due_jobs(now)
    except ExceptionGroup as group:
        # Failed runs, and jobs whose stored definition is damaged: one line each.
        failures, rest = group.split(ResultsError)
        if rest is not None or failures is None:
            raise
        say(sys.stderr, *(f"error: {failure}" for failure in failures.exceptions))
        return 1
    say(sys.stdout, *(_describe(run) for run in runs))
    return 0


def _run_run(args: argparse.Namespace) -> int:
    now = None if args.now is None else aware(args.now, args.timezone)
    with existing_store(args) as store:
        return _run_due(store, now)


def _run_runs(args: argparse.Namespace) -> int:
    with existing_store(args) as store:
        runs = store.job_runs(args.name)
    rows: list[dict[str, Value]] = [
        {
            "due": utc_text(run.due),
            "after": run.window[0],
            "up_to": run.window[1],
            "rows": run.rows,
            "outcome": run.outcome.value,
            "bytes": run.bytes,
            "sha256": run.sha256,
            "path": str(run.path),
            "error": run.error,
            "finished": None if run.finished is None else utc_text(run.finished),
            "remote_url": run.remote_url,
            "delivered_at": None if run.delivered_at is None else utc_text(run.delivered_at),
            "delivery_attempts": run.delivery_attempts,
            "delivery_error": run.delivery_error,
        }
        for run in runs
    ]
    print_listing(rows, as_json=args.json, empty=f"no runs of job {args.name!r} yet")
    return 0


def _seconds_to_next(store: ResultsStore) -> float:
    """Seconds until the next occurrence of any job (at most :data:`_LONGEST_SLEEP`)."""
    now = dt.datetime.now(dt.UTC)
    upcoming = []
    for name in store.campaign_names():
        try:
            jobs = store.jobs(name)
        except ResultsError:  # a damaged job: run_due_jobs reports it; look again soon
            continue
        upcoming += [moment for job in jobs if (moment := next_occurrence(job, now)) is not None]
    if not upcoming:
        return _LONGEST_SLEEP
    return max(0.0, min(_LONGEST_SLEEP, (min(upcoming) - now).total_seconds()))


def _run_serve(args: argparse.Namespace) -> int:
    stop = threading.Event()

    def request_stop(number: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {
        number: signal.signal(number, request_stop) for number in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        with existing_store(args) as store:
            _stamped(sys.stdout, f"serving {store_name(args.store)}")
            sys.stdout.flush()
            while not stop.is_set():
                try:
                    _run_due(store, None, _stamped)
                except ResultsError as error:  # the store itself: say so, go on
                    _stamped(sys.stderr, f"error: {error}")
                sys.stdout.flush()
                deadline = _seconds_to_next(store)
                waited = 0.0
                while waited < deadline and not stop.is_set():
                    stop.wait(min(_TICK, deadline - waited))
                    waited += _TICK
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    _stamped(sys.stdout, "stopped")
    return 0
