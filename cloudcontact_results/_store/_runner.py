"""Running export jobs: claiming a run under a lease, writing its file, recording it.

A run goes through three steps, each durable before the next starts:

1. *claim* (one write transaction): take the job's lease, then either pick
   up the job's unfinished run (failed, or left running by a process that
   died) or, when an occurrence is due, record a new run with its window
   ``(watermark, ingest sequence now]``, its due time and its file name;
2. *write* (no transaction held): export the window's results from one
   snapshot to the file, atomically (temporary file, fsync, rename, fsync of
   the folder), by the export's destination policy for a new file; the
   job's folder may be writable by others, so nothing already at the file's
   name is opened, followed or (except the run's own earlier attempt) replaced;
3. *finish* (one write transaction): record the outcome and, on success,
   advance the job's watermark to the window's end; release the lease.

A job with a URL destination writes its files into its folder of the
running process's spool and delivers each one afterwards (:mod:`._delivery`): the
watermark never waits on the network.

A crash between the steps leaves the run recorded as running: the next call
(once the lease's holder is gone: :class:`~._engine.Leases`) redoes it with the same
window, due time and file name, replacing the regular file the crashed run
may have left (and nothing else).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, Final

import attrs

from .._delivery import Remote
from .._files.sink import ByteCounter, atomic_file, member_name, zip_member
from .._formats.export import export
from .._shown import shown
from ..errors import ExportError, ResultsError
from ._codec import micros, moment_of
from ._damage import reading
from ._engine import Connection, Leases
from ._jobs import ExportJob, JobOutcome, JobRun, latest_occurrence
from ._snapshot import Window, WindowKind

__all__ = [
    "RUN_COLUMNS",
    "Claim",
    "claim",
    "finish",
    "run_from_row",
    "write_run",
    "written_claim",
]


@attrs.frozen
class Claim:
    """A run this process has claimed: what to write, and where."""

    run_id: int
    job: ExportJob
    due: dt.datetime
    window: Window
    path: Path
    redo: bool


def claim(
    connection: Connection,
    job_id: int,
    job: ExportJob,
    now: dt.datetime,
    leases: Leases,
    *,
    folder: Path,
) -> Claim | None:
    """Claim the job's next run inside the caller's write transaction, or None.

    A new run's file is in ``folder``: the job's destination, or its spool
    folder when it delivers to a URL.

    None when another live holder has the job's lease, or when nothing is
    due: no unfinished run, and no occurrence at or before ``now`` after the
    last one run.
    """
    if not leases.take(connection, "job", job_id):
        return None
    unfinished = connection.execute(
        "SELECT id, due, lo, hi, file FROM job_runs WHERE job = ? AND outcome != 'ok' "
        "ORDER BY id LIMIT 1",
        (job_id,),
    ).fetchone()
    kind = _kind(job)
    found: Claim | None
    if unfinished is not None:
        run_id, due, lo, hi, file = unfinished
        with reading("job_runs", run_id):
            found = Claim(run_id, job, moment_of(due), Window(kind, lo, hi), Path(file), redo=True)
        connection.execute(
            "UPDATE job_runs SET outcome = 'running', error = NULL WHERE id = ?", (run_id,)
        )
    else:
        found = _new_run(connection, job_id, job, now, kind=kind, folder=folder)
        if found is None:
            leases.give_back(connection, "job", job_id)
    return found


def written_claim(connection: Connection, run_id: int, job: ExportJob, path: Path) -> Claim:
    """A written run as a claim, to write its file again at ``path``: its window, its due time.

    Raises:
        Damaged: the run's row cannot be read back.
    """
    due, lo, hi = connection.execute(
        "SELECT due, lo, hi FROM job_runs WHERE id = ?", (run_id,)
    ).fetchone()
    with reading("job_runs", run_id):
        return Claim(run_id, job, moment_of(due), Window(_kind(job), lo, hi), path, redo=True)


def _kind(job: ExportJob) -> WindowKind:
    if not job.incremental:
        return "all"
    return "ingested" if job.options.format.value == "detailed-interval" else "completed"


def _new_run(
    connection: Connection,
    job_id: int,
    job: ExportJob,
    now: dt.datetime,
    *,
    kind: WindowKind,
    folder: Path,
) -> Claim | None:
    due = latest_occurrence(job, now)
    state = connection.execute(
        "SELECT watermark, last_due FROM jobs WHERE id = ?", (job_id,)
    ).fetchone()
    if state is None:
        return None  # removed by another process since this call listed the jobs
    watermark, last_due = state
    if due is None or (last_due is not None and micros(due) <= last_due):
        return None
    # A write: no ingest is in flight, so no batch at or below ``hi`` commits later.
    hi = connection.reached()
    lo = watermark if job.incremental else 0
    name = job.file_name(due)
    path = folder / name
    remote = job.destination.location(name) if isinstance(job.destination, Remote) else None
    run_id = connection.insert(
        "INSERT INTO job_runs (job, due, lo, hi, file, outcome, remote) "
        "VALUES (?, ?, ?, ?, ?, 'running', ?)",
        (job_id, micros(due), lo, hi, str(path), remote),
    )
    connection.execute("UPDATE jobs SET last_due = ? WHERE id = ?", (micros(due), job_id))
    return Claim(run_id, job, due, Window(kind, lo, hi), path, redo=False)


class _Hashed(ByteCounter):
    """A counted view of the job's temporary file that also hashes what goes through.

    The digest is of the bytes written, so the finished file is never opened
    again (by then another process may have put something else at its name).
    """

    def __init__(self, target: IO[bytes]) -> None:
        super().__init__(target)
        self.digest = hashlib.sha256()

    def write(self, data: Any) -> int:
        written = super().write(data)
        self.digest.update(data)
        return written


def _check_free(path: Path, *, redo: bool) -> None:
    """Refuse a run whose file's name is taken by something it must not replace.

    Nothing is at a new run's name unless someone else put it there: job
    file names are unique in the store. A redone run may find the regular
    file its own crashed attempt renamed into place; that one it replaces.

    Raises:
        ExportError: a link, a pipe, a device, a folder, or (for a new run) a file.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise ExportError(f"destination {shown(str(path))}: {error.strerror or error}") from error
    if redo and stat.S_ISREG(mode):
        return
    kind = "a symbolic link" if stat.S_ISLNK(mode) else "something"
    if stat.S_ISREG(mode):
        kind = "a file"
    raise ExportError(
        f"destination {shown(str(path))}: {kind} is already at the job file's name; "
        "a job never replaces what it did not write (remove it to let the run go on)"
    )


def write_run(claim_: Claim, records_and_campaign: tuple[object, object]) -> tuple[int, int, str]:
    """Write the claimed run's file from a snapshot; (rows, bytes, sha256).

    The file is a new one: written through a temporary file beside it (whose
    dead predecessors are removed first, by their exact names) and renamed
    into place; what is at its name is never opened, so a planted link is
    not followed and a planted pipe cannot block the run.

    Raises:
        ExportError, OSError: the destination is unusable or writing failed.
    """
    path = claim_.path
    options = claim_.job.options
    campaign, records = records_and_campaign
    if isinstance(claim_.job.destination, Remote):
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    _check_free(path, redo=claim_.redo)
    with atomic_file(path) as file:
        sink = _Hashed(file)
        if options.packaging.compress:
            # The zip is made here, around the plain CSV, so that its member is
            # named after the job's file as an export to the path names it.
            moment = options.packaging.zip_time or dt.datetime.now(options.rendering.tz).replace(
                tzinfo=None
            )
            plain = attrs.evolve(options, compress=False)
            with zip_member(sink, member_name(path, path.stem), moment) as member:  # type: ignore[arg-type]
                result = export(campaign, records, member, plain)  # type: ignore[arg-type]
        else:
            result = export(campaign, records, sink, options)  # type: ignore[arg-type]
    return result.rows, sink.count, sink.digest.hexdigest()


def finish(
    connection: Connection,
    job_id: int,
    claim_: Claim,
    leases: Leases,
    *,
    written: tuple[int, int, str] | None,
    error: ResultsError | OSError | None,
) -> JobRun:
    """Record how the claimed run ended, inside the caller's write transaction."""
    ended = dt.datetime.now(dt.UTC)
    if written is not None:
        rows, size, sha256 = written
        connection.execute(
            "UPDATE job_runs SET outcome = 'ok', rows = ?, bytes = ?, sha256 = ?, error = NULL, "
            "finished = ? WHERE id = ?",
            (rows, size, sha256, micros(ended), claim_.run_id),
        )
        connection.execute("UPDATE jobs SET watermark = ? WHERE id = ?", (claim_.window.hi, job_id))
        outcome, message = JobOutcome.OK, None
    else:
        rows, size, sha256 = 0, 0, ""
        message = str(error)
        connection.execute(
            "UPDATE job_runs SET outcome = 'failed', error = ?, finished = ? WHERE id = ?",
            (message, micros(ended), claim_.run_id),
        )
        outcome = JobOutcome.FAILED
    leases.give_back(connection, "job", job_id)
    return JobRun(
        job=claim_.job.name,
        due=claim_.due,
        path=claim_.path,
        rows=rows,
        window=(claim_.window.lo, claim_.window.hi),
        bytes=size,
        sha256=sha256,
        outcome=outcome,
        error=message,
        finished=moment_of(micros(ended)),
        remote_url=_remote_url(claim_),
    )


def _remote_url(claim_: Claim) -> str | None:
    destination = claim_.job.destination
    return destination.location(claim_.path.name) if isinstance(destination, Remote) else None


#: The ``job_runs`` columns :func:`run_from_row` reads, in its order.
RUN_COLUMNS: Final = (
    "due, lo, hi, file, rows, bytes, sha256, outcome, error, finished, "
    "remote, delivered, attempts, delivery_error"
)


def run_from_row(name: str, row: Sequence[Any]) -> JobRun:
    """A :class:`JobRun` from a ``job_runs`` row.

    The row's columns are :data:`RUN_COLUMNS`.
    """
    (
        due,
        lo,
        hi,
        file,
        rows,
        size,
        sha256,
        outcome,
        error,
        finished,
        remote,
        delivered,
        attempts,
        delivery_error,
    ) = row
    return JobRun(
        job=name,
        due=moment_of(due),
        path=Path(file),
        rows=rows or 0,
        window=(lo, hi),
        bytes=size or 0,
        sha256=sha256 or "",
        outcome=JobOutcome(outcome),
        error=error,
        finished=None if finished is None else moment_of(finished),
        remote_url=remote,
        delivered_at=None if delivered is None else moment_of(delivered),
        delivery_attempts=attempts or 0,
        delivery_error=delivery_error,
    )
