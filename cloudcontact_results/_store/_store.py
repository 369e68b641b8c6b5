"""The results store: campaigns, their live results, archives and deletion (SQLite, PostgreSQL)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import html
import json
import os
import shutil
import stat
import tempfile
import threading
import weakref
from collections.abc import Generator, Iterable, Iterator, Sequence, Sized
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

import attrs

from .._delivery import DeliveryFailed, Remote, Target, deliver, open_transport
from .._files.sink import Destination, ExportResult, atomic_file
from .._formats.export import export, exporting
from .._html import html_table
from .._model.campaign import Attempt, Campaign, Record
from .._model.fit import not_a_list
from .._options import ExportOptions
from .._progress import ProgressCallback, counted
from .._report.plan import ReportPlan
from .._shown import shown
from .._types import is_naive
from ..errors import (
    CampaignMismatchError,
    DeliveryError,
    ExportError,
    JobError,
    ResultsError,
    StoreError,
    UnknownNameError,
    ValidationError,
)
from ._archive import (
    Archive,
    ArchiveReason,
    archive_settings,
    check_archive_options,
    options_from_settings,
    write_archive,
)
from ._archive_delivery import (
    ARCHIVE_COLUMNS,
    archive_from_row,
    archive_target,
    prunable_archives,
    remote_of,
    target_text,
    undelivered_archives,
)
from ._codec import (
    PACKED_POSITION,
    campaign_from_text,
    campaign_text,
    micros,
    moment_of,
    unpack_attempts,
    unpack_fields,
    widened,
)
from ._copy import begin_reading, check_empty, copy_rows
from ._damage import Damaged, reading
from ._delivering import Due, deliver_due, prunable, undelivered
from ._engine import Connection, Engine, Leased
from ._export import fast_export
from ._ingest import Ingest
from ._jobs import (
    ExportJob,
    JobRun,
    job_from_text,
    job_text,
    spool_folder_name,
    to_destination,
)
from ._open import default_spool, open_engine
from ._runner import (
    RUN_COLUMNS,
    Claim,
    claim,
    finish,
    run_from_row,
    write_run,
    written_claim,
)
from ._snapshot import Window, read_records

__all__ = ["ResultsStore"]

#: Archives up to this size are built in memory, larger ones in a temporary file.
_SPOOL_BYTES: Final = 8 * 1024 * 1024
_BLOB_CHUNK: Final = 1024 * 1024
#: Attempts of one ``add_attempts`` call looked up and written together.
_BATCH: Final = 1000
#: The folder of the spool where archives are written from the store to be delivered.
_ARCHIVE_SPOOL: Final = "archives"
#: The campaigns with an archive to deliver.
_CAMPAIGNS_TO_DELIVER: Final = (
    "SELECT DISTINCT campaign FROM archives WHERE remote IS NOT NULL AND delivered IS NULL "
    "ORDER BY campaign"
)
#: Deletes a pruned archive, unless it became the newest of its list or due for delivery.
_PRUNE: Final = (
    "DELETE FROM archives WHERE id = ? AND NOT (remote IS NOT NULL AND delivered IS NULL) "
    "AND EXISTS (SELECT 1 FROM archives AS n WHERE n.campaign = archives.campaign "
    "AND n.list_name = archives.list_name AND n.id > ?)"
)


def _guarded(
    engine: Engine, connection: Connection, records: Iterator[Record]
) -> Generator[Record, None, None]:
    """``records``, the database's errors and damaged values made the library's errors; the
    connection closed at the end."""
    try:
        with engine.translated():
            yield from records
    finally:
        connection.close()


#: The campaigns a notebook preview of a store lists, and what it counts of each.
_PREVIEW_CAMPAIGNS: Final = 50
_OVERVIEW: Final = """
SELECT c.name,
    (SELECT COUNT(*) FROM lists AS l WHERE l.campaign = c.id),
    (SELECT COUNT(*) FROM records AS r JOIN lists AS l ON r.list = l.id WHERE l.campaign = c.id),
    (SELECT COUNT(*) FROM records AS r JOIN lists AS l ON r.list = l.id
        WHERE l.campaign = c.id AND r.completed_seq IS NOT NULL),
    (SELECT COUNT(*) FROM archives AS a WHERE a.campaign = c.id)
FROM campaigns AS c ORDER BY c.id LIMIT ?
"""


class _Snapshot(Iterator[Record]):
    """Records read from one read transaction of a connection of their own.

    The transaction starts, and the campaign is read, when the snapshot is
    made; records are read as they are asked for. The connection is closed
    when the records run out, on :meth:`close`, or when the iterator is
    garbage-collected.
    """

    def __init__(
        self,
        engine: Engine,
        connection: Connection,
        campaign: Campaign,
        records: Iterator[Record],
        *,
        lists: Sequence[tuple[int, str]] = (),
        campaign_id: int = 0,
    ) -> None:
        self._engine = engine
        self._connection = connection
        self.campaign = campaign
        self.campaign_id = campaign_id
        #: The snapshot's lists: (list id, name), in the campaign's order.
        self.lists = tuple(lists)
        self._list_ids = tuple(list_id for list_id, _ in lists)
        self._records = _guarded(engine, connection, records)
        # The generator owns the connection: a loop may hold it after this object
        # is gone, and an unstarted generator never runs its ``finally``.
        weakref.finalize(self._records, connection.close)

    def __iter__(self) -> Iterator[Record]:  # noqa: PYI034 - the generator, on purpose
        # The generator itself: no Python-level call between the reader and the export.
        return self._records

    def __next__(self) -> Record:
        return next(self._records)

    def count(self) -> int:
        """How many records the snapshot's lists hold, in its read transaction."""
        marks = ", ".join("?" * len(self._list_ids))
        query = f"SELECT COUNT(*) FROM records WHERE list IN ({marks})"  # noqa: S608
        (count,) = self._connection.execute(query, self._list_ids).fetchone()
        return int(count)

    def export(
        self,
        destination: Destination,
        options: ExportOptions,
        *,
        overwrite: bool,
        progress: ProgressCallback | None,
    ) -> ExportResult:
        """Export the snapshot: from its stored form where that path applies, else its records."""
        with self._engine.translated():
            written = fast_export(
                self._connection,
                self.campaign_id,
                self.campaign,
                self.lists,
                destination=destination,
                options=options,
                overwrite=overwrite,
                progress=progress,
                count=self.count,
            )
        if written is not None:
            return written
        records: Iterable[Record] = self
        if progress is not None:
            records = exporting(self, progress, destination, self.count())
        return export(self.campaign, records, destination, options, overwrite=overwrite)

    def close(self) -> None:
        """End the read transaction and close its connection."""
        self._records.close()
        self._connection.close()


class ResultsStore:
    """Campaigns and their results, kept the way the platform keeps them: in one SQLite file,
    or in a PostgreSQL database.

    The file is created if missing; so is the store in an empty PostgreSQL
    database. Several processes may open the same store at once: each call
    that writes is one transaction (all or nothing), and reads see one
    consistent snapshot while writers go on. See ``docs/store.md``.

    Args:
        path: the store's file, or the URL of its PostgreSQL database
            (``postgresql://user@host:port/database``, or ``postgres://``;
            the extra ``[postgres]``). The password comes from where
            PostgreSQL's clients read it (``~/.pgpass``, ``PGPASSWORD``, a
            service file) and is never shown.
        timeout: how long, in seconds, a call waits for another process's
            write to finish before raising :class:`StoreError`.
        spool: the folder where this process keeps the files it has still to
            deliver (job files and archives sent to URLs). By default it is
            beside an SQLite file (``results.sqlite.spool``); for a PostgreSQL
            store, a folder named after the database under the user's cache
            folder (``$XDG_CACHE_HOME``, or ``~/.cache``).

    Raises:
        StoreError: ``path`` is a folder, not an SQLite file, another
            program's SQLite file, or a store of a newer schema version; a
            PostgreSQL database that cannot be reached, holds tables that are
            not a results store, or a store of a newer schema version.

    >>> import tempfile, pathlib
    >>> from cloudcontact_results import CallingList, Campaign
    >>> folder = tempfile.mkdtemp()
    >>> with ResultsStore(pathlib.Path(folder) / "results.sqlite") as store:
    ...     store.put_campaign(Campaign("Sales", [CallingList("Clients", ["Name"])]))
    ...     store.campaign_names()
    ('Sales',)
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 60.0,
        spool: str | os.PathLike[str] | None = None,
    ) -> None:
        self._engine = open_engine(path, timeout)
        self._name = self._engine.name
        self._timeout = timeout
        self._lock = threading.RLock()
        self._campaigns: dict[str, Campaign] = {}
        self._leases = self._engine.leases()
        self._path: Path | None = None
        if self._engine.kind == "sqlite":
            self._path = Path(path)
        # Absolute: the folder does not move when the process's does.
        self._spool = (
            Path(spool).absolute() if spool is not None else default_spool(self._engine, self._path)
        )
        self._connection: Connection | None = self._engine.open()

    # --- the store itself ----------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The store's file.

        Raises:
            StoreError: the store is a PostgreSQL database, not a file.
        """
        if self._path is None:
            raise StoreError(self._name, "is a PostgreSQL database: it has no file (path)")
        return self._path

    def close(self) -> None:
        """Close the store; snapshots already being read stay readable until they end."""
        with self._lock:
            connection, self._connection = self._connection, None
            if connection is not None:
                connection.close()
            self._leases.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ResultsStore({self._name!r})"

    def copy_to(self, target: str | os.PathLike[str]) -> dict[str, int]:
        """Copy the whole store into a new, empty store at ``target``: a file or a URL.

        Everything the store holds is copied, as it is: campaigns, lists,
        records and attempts with their ingest sequence numbers, archives,
        export jobs with their watermarks and runs, where mirroring from the
        platform stands; ids are kept, so the copy's exports, archives and
        next job runs are the source's. The source is read in one snapshot
        while writers go on, the target written in one transaction, streaming.
        Either database to either: copying a PostgreSQL store to an SQLite
        file is a backup, which copying back restores.

        Args:
            target: a new store's file, or the URL of an empty PostgreSQL
                database (or a store that holds nothing yet).

        Returns:
            How many rows each of the store's tables copied.

        Raises:
            StoreError: the target holds anything, or cannot be opened or
                written; the source cannot be read.
        """
        self._live()
        engine = self._engine
        reader = engine.connect()
        try:
            begin_reading(engine, reader)
            with ResultsStore(target, timeout=self._timeout) as copy, copy._write() as writer:
                check_empty(copy._engine, writer)
                return copy_rows(engine, reader, copy._engine, writer)
        finally:
            reader.close()

    def _live(self) -> Connection:
        if self._connection is None:
            raise StoreError(self._name, "is closed")
        return self._connection

    @contextlib.contextmanager
    def _transaction(self, *, write: bool, ingest: bool = False) -> Iterator[Connection]:
        """One transaction on the store's connection; the database's errors become the library's."""
        with self._lock:
            connection = self._live()
            engine = self._engine
            with engine.translated(), engine.transaction(connection, write=write, ingest=ingest):
                yield connection

    @contextlib.contextmanager
    def _turn(self, on: Leased, key: int) -> Iterator[bool]:
        """Hold the lease on ``key`` for a turn of several transactions (:meth:`Leases.turn`)."""
        with contextlib.ExitStack() as stack:
            with self._engine.translated():  # taking it: the block's errors are its own
                ours = stack.enter_context(self._leases.turn(on, key))
            yield ours

    def _write(self) -> contextlib.AbstractContextManager[Connection]:
        return self._transaction(write=True)

    def _read(self) -> contextlib.AbstractContextManager[Connection]:
        return self._transaction(write=False)

    def _ingest(self) -> contextlib.AbstractContextManager[Connection]:
        """A write that only adds results to one campaign's records (see ``Engine.transaction``).

        The block must :meth:`Connection.hold` the campaign before it writes.
        """
        return self._transaction(write=True, ingest=True)

    def _decode(self, text: str, row: int) -> Campaign:
        campaign = self._campaigns.get(text)
        if campaign is None:
            if len(self._campaigns) > 64:
                self._campaigns.clear()
            with reading("campaigns", row):
                campaign = campaign_from_text(text)
            self._campaigns[text] = campaign
        return campaign

    def _find(self, connection: Connection, name: object) -> tuple[int, Campaign]:
        row = (
            connection.execute(
                "SELECT id, definition FROM campaigns WHERE name = ?", (name,)
            ).fetchone()
            if isinstance(name, str)
            else None
        )
        if row is None:
            raise UnknownNameError(
                self._name,
                "campaign",
                name,
                "the store holds no such campaign",
                known=_names(connection, "SELECT name FROM campaigns"),
            )
        return row[0], self._decode(row[1], row[0])

    @staticmethod
    def _lists(connection: Connection, campaign_id: int) -> dict[str, int]:
        return dict(
            connection.execute("SELECT name, id FROM lists WHERE campaign = ?", (campaign_id,))
        )

    # --- campaigns ---------------------------------------------------------------------

    def put_campaign(
        self,
        campaign: Campaign,
        *,
        archive_options: ExportOptions | None = None,
        archive_destination: str | os.PathLike[str] | Remote | None = None,
    ) -> None:
        """Create the campaign, or redefine the one of the same name.

        A redefinition that drops a list archives that list's results first
        (reason ``REMOVED``). It may change anything else as long as the
        results already stored still fit: list columns the records use,
        script fields the attempts have values for, and dispositions the
        attempts carry (a record disposition must stay final) cannot go.

        Args:
            campaign: the campaign's definition.
            archive_options: how the campaign's archives read: their
                ``language``, ``timezone``, ``dialect``, ``datetime_format``,
                ``formula_guard`` and ``layout``; the other options must keep
                their defaults (an archive is always both reports of the one
                list, whole, as CSV in its zip). They apply from this call on,
                to the archives it makes too. None keeps the options the
                campaign has (the defaults for a new campaign: English,
                Europe/Moscow, platform dialect); ``ExportOptions()`` resets them.
            archive_destination: where each new archive of the campaign is
                delivered, after the transaction that makes it commits: an
                existing folder (kept absolute), a URL (``sftp://``,
                ``ftp://``, ``ftps://``, ``s3://``, an ``https://`` webhook)
                or a :class:`Remote`, as an export job's destination (see
                :meth:`deliver_archives`). None keeps the campaign's (none
                for a new campaign). It applies to the archives this call
                makes too.

        Raises:
            ValidationError: ``campaign`` is not a :class:`Campaign`,
                ``archive_options`` not an :class:`ExportOptions`, or
                ``archive_destination`` neither a folder, a URL nor a
                :class:`Remote`.
            ExportError: ``archive_destination`` is a folder that does not exist.
            OptionsError: ``archive_options`` sets another option, naming it
                (``archive_options.compress``…); nothing is changed.
            CampaignMismatchError: stored results would not fit the new
                definition; nothing is changed.
        """
        if not isinstance(campaign, Campaign):
            raise ValidationError("campaign", campaign, "must be a Campaign")
        settings = (
            None
            if archive_options is None
            else json.dumps(archive_settings(check_archive_options(archive_options)))
        )
        target = target_text(_archive_destination(archive_destination))
        text = campaign_text(campaign)
        with self._write() as connection:
            row = connection.execute(
                "SELECT id, definition FROM campaigns WHERE name = ?", (campaign.name,)
            ).fetchone()
            if row is None:
                campaign_id = connection.insert(
                    "INSERT INTO campaigns (name, definition, archive_options, "
                    "archive_destination) VALUES (?, ?, ?, ?)",
                    (campaign.name, text, settings, target),
                )
                connection.executemany(
                    "INSERT INTO lists (campaign, name) VALUES (?, ?)",
                    [(campaign_id, cl.name) for cl in campaign.lists],
                )
                return
            campaign_id, old = row[0], self._decode(row[1], row[0])
            if settings is not None:
                # Before the lists dropped below are archived: they take the new options.
                connection.execute(
                    "UPDATE campaigns SET archive_options = ? WHERE id = ?",
                    (settings, campaign_id),
                )
            if target is not None:
                connection.execute(
                    "UPDATE campaigns SET archive_destination = ? WHERE id = ?",
                    (target, campaign_id),
                )
            lists = self._lists(connection, campaign_id)
            kept = {cl.name for cl in campaign.lists}
            dropped = False
            for calling_list in old.lists:
                if calling_list.name not in kept:
                    dropped = True
                    self._archive_list(
                        connection, campaign_id, old, calling_list.name, ArchiveReason.REMOVED
                    )
                    connection.execute(
                        "DELETE FROM lists WHERE id = ?", (lists[calling_list.name],)
                    )
            connection.executemany(
                "INSERT OR IGNORE INTO lists (campaign, name) VALUES (?, ?)",
                [(campaign_id, cl.name) for cl in campaign.lists],
            )
            connection.execute(
                "UPDATE campaigns SET definition = ? WHERE id = ?", (text, campaign_id)
            )
            _check_fit(connection, campaign_id, old, campaign, self._lists(connection, campaign_id))
        if dropped:
            self._deliver_after_commit([campaign_id])

    def archive_destination(self, name: str) -> Path | Remote | None:
        """Where the campaign's new archives are delivered (see :meth:`put_campaign`), or None.

        Raises:
            UnknownNameError: the store holds no such campaign.
        """
        with self._read() as connection:
            campaign_id, _ = self._find(connection, name)
            return archive_target(connection, campaign_id)

    def archive_options(self, name: str) -> ExportOptions:
        """The options the campaign's archives are written with (see :meth:`put_campaign`).

        Raises:
            UnknownNameError: the store holds no such campaign.
        """
        with self._read() as connection:
            campaign_id, _ = self._find(connection, name)
            return _archive_options(connection, campaign_id)

    def campaign(self, name: str) -> Campaign:
        """The campaign called ``name``.

        Raises:
            UnknownNameError: the store holds no such campaign.
        """
        with self._read() as connection:
            return self._find(connection, name)[1]

    def _repr_html_(self) -> str:
        # Counted through the indexes of lists and records: no attempt is read.
        try:
            with self._read() as connection:
                (total,) = connection.execute("SELECT COUNT(*) FROM campaigns").fetchone()
                rows = connection.execute(_OVERVIEW, (_PREVIEW_CAMPAIGNS,)).fetchall()
        except StoreError as error:
            return f"<p>{html.escape(str(error))}</p>"
        cells = [[name, *(str(number) for number in numbers)] for name, *numbers in rows]
        hidden = total - len(rows)
        return html_table(
            f"Results store {self._name}: {total} campaigns",
            ["campaign", "lists", "records", "completed records", "archives"],
            cells,
            more=f"… {hidden} more campaigns" if hidden else "",
        )

    def campaign_names(self) -> tuple[str, ...]:
        """The names of the store's campaigns, in the order they were created."""
        with self._read() as connection:
            return tuple(
                row[0] for row in connection.execute("SELECT name FROM campaigns ORDER BY id")
            )

    def delete_campaign(self, name: str) -> None:
        """Delete the campaign with its results, its archives and its jobs, and nothing else.

        Raises:
            UnknownNameError: the store holds no such campaign.
        """
        with self._write() as connection:
            campaign_id, _ = self._find(connection, name)
            spooled = self._spooled(connection, campaign_id)
            connection.execute("DELETE FROM campaigns WHERE id = ?", (campaign_id,))
        # Once the deletion is committed, the local copies kept only to be sent
        # go too: its URL jobs' spool folders and its archives' spool files.
        # A crash before this leaves files no row names any more, never a row
        # without its file.
        for path in spooled:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def _spooled(self, connection: Connection, campaign_id: int) -> list[Path]:
        """Where the spool keeps the campaign's files: its URL jobs' folders, its archives'."""
        jobs = [
            _job(job_id, text)
            for job_id, text in connection.execute(
                "SELECT id, definition FROM jobs WHERE campaign = ?", (campaign_id,)
            )
        ]
        archives = [
            archive_from_row(row)
            for row in connection.execute(
                f"SELECT {ARCHIVE_COLUMNS} FROM archives AS a JOIN campaigns AS c "  # noqa: S608
                "ON a.campaign = c.id WHERE a.campaign = ?",
                (campaign_id,),
            )
        ]
        return [
            *(
                self._spool / spool_folder_name(job)
                for job in jobs
                if isinstance(job.destination, Remote)
            ),
            *(self._spool / _ARCHIVE_SPOOL / archive.file_name for archive in archives),
        ]

    # --- results -------------------------------------------------------------------------

    def add_records(
        self,
        name: str,
        records: Iterable[Record],
        *,
        replace: bool = False,
        progress: ProgressCallback | None = None,
    ) -> int:
        """Load records, with any attempts they carry, into the campaign's lists.

        A record whose list and id are already stored is updated: its fields
        are replaced and its attempts merged, without duplicates. With
        ``replace``, each list the records name is first archived (reason
        ``REPLACED``) and emptied, so that it then holds exactly the records
        given: the platform's reload in replace mode. One transaction: all
        the records or none.

        Args:
            name: the campaign.
            records: its records, consumed once.
            replace: reload the lists the records name.
            progress: called with a :class:`Progress` of the records loaded
                (``what="loading"``, of ``len(records)`` when it has a
                length) every so often and once at the end.

        Returns:
            The number of records given.

        Raises:
            UnknownNameError: no such campaign, or a record of a list the
                campaign does not have.
            CampaignMismatchError: not a record, or a field that is not a
                column of its list, or a script value of an unknown field.
            UnknownDispositionError: an attempt's disposition is neither the
                campaign's nor a system one.
        """
        with self._write() as connection:
            campaign_id, campaign = self._find(connection, name)
            lists = self._lists(connection, campaign_id)
            ingest = Ingest(connection, self._name, campaign_id, campaign, lists)
            replaced: set[str] = set()
            count = 0
            if progress is not None:
                total = len(records) if isinstance(records, Sized) else None
                records = counted(records, progress, "loading", total=total)
            for position, record in enumerate(records):
                ingest.check_record(f"records[{position}]", record)
                if replace and record.list_name not in replaced:
                    ingest.flush()
                    self._archive_list(
                        connection, campaign_id, campaign, record.list_name, ArchiveReason.REPLACED
                    )
                    connection.execute(
                        "DELETE FROM records WHERE list = ?", (lists[record.list_name],)
                    )
                    replaced.add(record.list_name)
                ingest.add_record(record)
                ingest.flush_if_full()
                count += 1
            ingest.flush()
            connection.loaded("records", count)
        if replaced:
            self._deliver_after_commit([campaign_id])
        return count

    def add_attempts(
        self,
        name: str,
        attempts: Iterable[tuple[str, str, Attempt]],
        *,
        progress: ProgressCallback | None = None,
    ) -> int:
        """Add attempts to stored records: the dialer's live feed.

        One transaction: every attempt or none. An attempt equal in every
        field (its time the same instant in the same time zone) to one the
        record already has is ignored, as are repeats within the call, so a
        feed may deliver more than once.

        Args:
            name: the campaign.
            attempts: ``(list name, record id, attempt)`` triples.
            progress: called with a :class:`Progress` of the attempts read
                (``"ingesting"``; a total when ``attempts`` has a length), as
                :meth:`add_records` calls it.

        Returns:
            The number of attempts that were new.

        Raises:
            UnknownNameError: no such campaign, or a list or record it does
                not hold.
            CampaignMismatchError: an item is not such a triple, or an
                attempt has a script value of an unknown field.
            UnknownDispositionError: a disposition is neither the campaign's
                nor a system one.
        """
        with self._ingest() as connection:
            campaign_id, campaign = self._find(connection, name)
            connection.hold("campaign", campaign_id)
            ingest = Ingest(
                connection, self._name, campaign_id, campaign, self._lists(connection, campaign_id)
            )
            batch: list[tuple[str, str, Attempt]] = []
            if progress is not None:
                total = len(attempts) if isinstance(attempts, Sized) else None
                attempts = counted(attempts, progress, "ingesting", "attempts", total=total)
            for position, item in enumerate(attempts):
                batch.append(ingest.check_item(position, item))
                if len(batch) == _BATCH:
                    ingest.add_attempts(batch)
                    batch.clear()
            ingest.add_attempts(batch)
            return ingest.added

    # --- mirroring from the platform ----------------------------------------------------

    def _list_id(self, connection: Connection, name: str, list_name: object) -> int:
        campaign_id, campaign = self._find(connection, name)
        lists = self._lists(connection, campaign_id)
        list_id = lists.get(list_name) if isinstance(list_name, str) else None
        if list_id is None:
            raise UnknownNameError(self._name, "list", list_name, not_a_list(campaign, list_name))
        return list_id

    def sync_watermark(self, name: str, list_name: str, source: str) -> dt.datetime | None:
        """Where mirroring ``list_name`` of campaign ``name`` from ``source`` stands.

        Args:
            name: the campaign.
            list_name: one of its lists.
            source: the platform's address the list is mirrored from.

        Returns:
            The latest moment (UTC) up to which the list's changes are stored,
            or None if it was never mirrored from ``source``.

        Raises:
            UnknownNameError: no such campaign, or it has no such list.
        """
        with self._read() as connection:
            list_id = self._list_id(connection, name, list_name)
            row = connection.execute(
                "SELECT watermark FROM platform_sync WHERE list = ? AND source = ?",
                (list_id, source),
            ).fetchone()
            if row is None:
                return None
            with reading("platform_sync", (list_name, source)):
                return moment_of(row[0])

    def add_synced_records(
        self,
        name: str,
        list_name: str,
        source: str,
        records: Iterable[Record],
        watermark: dt.datetime,
    ) -> int:
        """Load records of one list mirrored from ``source``, and where the mirror stands.

        As :meth:`add_records` (an existing record's fields are replaced and
        its attempts merged without duplicates), and in the same transaction
        the list's watermark for ``source`` is set: either both are stored or
        neither, so a mirror stopped at any point resumes without loss.

        Returns:
            The number of records given.

        Raises:
            UnknownNameError: no such campaign or list.
            CampaignMismatchError: a record of another list, or that does not
                fit the campaign.
            UnknownDispositionError: a disposition the campaign does not define.
            ValidationError: ``watermark`` is not an aware datetime.
        """
        if not isinstance(watermark, dt.datetime) or watermark.utcoffset() is None:
            raise ValidationError("watermark", watermark, "must be an aware datetime")
        with self._write() as connection:
            campaign_id, campaign = self._find(connection, name)
            lists = self._lists(connection, campaign_id)
            list_id = self._list_id(connection, name, list_name)
            ingest = Ingest(connection, self._name, campaign_id, campaign, lists)
            count = 0
            for position, record in enumerate(records):
                where = f"records[{position}]"
                ingest.check_record(where, record)
                if record.list_name != list_name:
                    raise CampaignMismatchError(
                        f"{where}.list_name", record.list_name, f"must be {list_name!r}"
                    )
                ingest.add_record(record)
                ingest.flush_if_full()
                count += 1
            ingest.flush()
            connection.execute(
                "INSERT INTO platform_sync (list, source, watermark, synced) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (list, source) DO UPDATE "
                "SET watermark = excluded.watermark, synced = excluded.synced",
                (list_id, source, micros(watermark), micros(dt.datetime.now(dt.UTC))),
            )
            return count

    def records(self, name: str, *, lists: Iterable[str] | None = None) -> Iterator[Record]:
        """The campaign's records, from one consistent snapshot, streaming.

        The snapshot is taken by this call (an unknown name raises here, not
        at the first ``next()``); records come list by list in the campaign's
        order of lists, each list in load order, each record's attempts in
        time order (ties in the order they were added). Memory does not grow
        with the campaign. Close the iterator (or exhaust it) to end the
        read transaction early.

        Args:
            name: the campaign.
            lists: names of the lists to read; None for all of them.

        Raises:
            UnknownNameError: no such campaign, or a list it does not have.
        """
        return self._snapshot(name, lists, strict=True)

    def _snapshot(
        self,
        name: str,
        lists: Iterable[str] | None,
        *,
        strict: bool,
        window: Window | None = None,
    ) -> _Snapshot:
        """A snapshot of ``lists``; unknown list names raise when ``strict``, else are skipped.

        With a ``window``, only that part of the results (an export job's run).
        """
        wanted = None if lists is None else ([lists] if isinstance(lists, str) else list(lists))
        self._live()
        engine = self._engine
        connection = engine.connect()
        try:
            with engine.translated():
                engine.begin_snapshot(connection)
                campaign_id, campaign = self._find(connection, name)
                ids = self._lists(connection, campaign_id)
                if strict:
                    self._check_lists(campaign, ids, wanted or ())
                chosen = [
                    (ids[cl.name], cl.name)
                    for cl in campaign.lists
                    if wanted is None or cl.name in wanted
                ]
        except BaseException:
            connection.close()
            raise
        return _Snapshot(
            engine,
            connection,
            campaign,
            read_records(connection, campaign_id, campaign, chosen, window),
            lists=chosen,
            campaign_id=campaign_id,
        )

    def _check_lists(self, campaign: Campaign, ids: dict[str, int], names: Iterable[str]) -> None:
        for list_name in names:
            if list_name not in ids:
                raise UnknownNameError(
                    self._name, "list", list_name, not_a_list(campaign, list_name)
                )

    def export(
        self,
        name: str,
        destination: Destination,
        options: ExportOptions | None = None,
        *,
        overwrite: bool = False,
        progress: ProgressCallback | None = None,
    ) -> ExportResult:
        """Export the campaign's results from one snapshot, exactly as :func:`export` would.

        The bytes written are those of ``export(store.campaign(name),
        store.records(name), destination, options)`` at one moment, while
        writers go on. ``overwrite`` replaces a read-only file too, as
        :func:`export`'s does. ``progress`` is called as :func:`export`'s is,
        of the number of records in the snapshot.

        Raises:
            UnknownNameError: no such campaign.
            ExportError, OptionsError, OSError: as :func:`export` raises them.
        """
        options = options if options is not None else ExportOptions()
        # Only the lists exported are read; export itself rejects unknown names.
        snapshot = self._snapshot(name, options.lists, strict=False)
        with contextlib.closing(snapshot):
            return snapshot.export(destination, options, overwrite=overwrite, progress=progress)

    # --- archives ------------------------------------------------------------------------

    def _archive_list(
        self,
        connection: Connection,
        campaign_id: int,
        campaign: Campaign,
        list_name: str,
        reason: ArchiveReason,
    ) -> Archive:
        """Archive a list's results inside the caller's write transaction.

        The zip is built from the transaction's own view and stored as a BLOB
        in the same transaction that then removes the results, so the two
        steps commit together or not at all.
        """
        (list_id,) = connection.execute(
            "SELECT id FROM lists WHERE campaign = ? AND name = ?", (campaign_id, list_name)
        ).fetchone()
        created = dt.datetime.now(dt.UTC)

        def records() -> Iterator[Record]:
            return read_records(connection, campaign_id, campaign, [(list_id, list_name)])

        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as spool:
            record_count, attempt_count = write_archive(
                spool,
                campaign=campaign,
                list_name=list_name,
                reason=reason,
                created=created,
                records=records,
                options=_archive_options(connection, campaign_id),
            )
            size = spool.tell()
            spool.seek(0)
            digest = hashlib.sha256()
            while chunk := spool.read(_BLOB_CHUNK):
                digest.update(chunk)
            target = archive_target(connection, campaign_id)
            archive_id = connection.insert(
                "INSERT INTO archives (campaign, list_name, reason, created, records, attempts, "
                "size, data, sha256, destination) VALUES (?, ?, ?, ?, ?, ?, ?, zeroblob(?), ?, ?)",
                (
                    campaign_id,
                    list_name,
                    reason.value,
                    micros(created),
                    record_count,
                    attempt_count,
                    size,
                    size,
                    digest.hexdigest(),
                    target_text(target),
                ),
            )
            spool.seek(0)
            with connection.blob("archives", "data", archive_id, readonly=False) as blob:
                shutil.copyfileobj(spool, blob, _BLOB_CHUNK)
        archive = Archive(
            id=archive_id,
            campaign=campaign.name,
            list_name=list_name,
            reason=reason,
            created=moment_of(micros(created)),
            records=record_count,
            attempts=attempt_count,
            size=size,
            sha256=digest.hexdigest(),
        )
        if target is None:
            return archive
        remote = remote_of(target, archive)
        connection.execute("UPDATE archives SET remote = ? WHERE id = ?", (remote, archive_id))
        return attrs.evolve(archive, remote_url=remote)

    def _drop_list(
        self,
        connection: Connection,
        campaign_id: int,
        campaign: Campaign,
        list_name: str,
        reason: ArchiveReason,
    ) -> Archive:
        archive = self._archive_list(connection, campaign_id, campaign, list_name, reason)
        connection.execute(
            "DELETE FROM lists WHERE campaign = ? AND name = ?", (campaign_id, list_name)
        )
        remaining = attrs.evolve(
            campaign, lists=[cl for cl in campaign.lists if cl.name != list_name]
        )
        connection.execute(
            "UPDATE campaigns SET definition = ? WHERE id = ?",
            (campaign_text(remaining), campaign_id),
        )
        return archive

    def remove_list(self, name: str, list_name: str) -> Archive:
        """Remove a list from the campaign; its results become an archive (``REMOVED``).

        Raises:
            UnknownNameError: no such campaign, or a list it does not have.
        """
        with self._write() as connection:
            campaign_id, campaign = self._find(connection, name)
            if campaign.calling_list(list_name) is None:
                raise UnknownNameError(
                    self._name, "list", list_name, not_a_list(campaign, list_name)
                )
            archive = self._drop_list(
                connection, campaign_id, campaign, list_name, ArchiveReason.REMOVED
            )
        (archive,) = self._deliver_after_commit([campaign_id], [archive])
        return archive

    def delete_list(self, list_name: str) -> tuple[Archive, ...]:
        """Delete a list from every campaign that uses it; each one's results become an archive.

        Returns:
            The archives (reason ``DELETED``), one per campaign, in the
            campaigns' order of creation.

        Raises:
            UnknownNameError: no campaign of the store uses the list.
        """
        with self._write() as connection:
            rows = connection.execute(
                "SELECT c.id, c.definition FROM lists AS l JOIN campaigns AS c "
                "ON l.campaign = c.id WHERE l.name = ? ORDER BY c.id",
                (list_name,),
            ).fetchall()
            if not rows:
                raise UnknownNameError(
                    self._name,
                    "list",
                    list_name,
                    "no campaign of the store uses it",
                    known=_names(connection, "SELECT DISTINCT name FROM lists"),
                )
            made = [
                self._drop_list(
                    connection,
                    campaign_id,
                    self._decode(text, campaign_id),
                    list_name,
                    ArchiveReason.DELETED,
                )
                for campaign_id, text in rows
            ]
        return self._deliver_after_commit([campaign_id for campaign_id, _ in rows], made)

    def archives(self, name: str) -> tuple[Archive, ...]:
        """The campaign's archives, oldest first.

        Raises:
            UnknownNameError: no such campaign.
        """
        with self._read() as connection:
            campaign_id, _ = self._find(connection, name)
            return tuple(
                archive_from_row(row)
                for row in connection.execute(
                    f"SELECT {ARCHIVE_COLUMNS} FROM archives AS a JOIN campaigns AS c "  # noqa: S608
                    "ON a.campaign = c.id WHERE a.campaign = ? ORDER BY a.id",
                    (campaign_id,),
                )
            )

    def archive_bytes(self, archive: Archive) -> bytes:
        """The zip of an archive: ``simple.csv``, ``detailed.csv`` and ``manifest.json``.

        Raises:
            UnknownNameError: the store does not hold that archive (its
                campaign was deleted, or it comes from another store).
        """
        if not isinstance(archive, Archive):
            raise ValidationError("archive", archive, "must be an Archive")
        with self._read() as connection:
            row = connection.execute(
                "SELECT a.data FROM archives AS a JOIN campaigns AS c ON a.campaign = c.id "
                "WHERE a.id = ? AND c.name = ? AND a.list_name = ? AND a.created = ?",
                (archive.id, archive.campaign, archive.list_name, micros(archive.created)),
            ).fetchone()
        if row is None:
            raise UnknownNameError(
                self._name,
                "archive",
                archive.id,
                f"the store holds no such archive of list {archive.list_name!r} "
                f"of campaign {archive.campaign!r}",
            )
        return bytes(row[0])

    # --- automatic export ------------------------------------------------------------------

    def add_job(self, job: ExportJob) -> None:
        """Keep an export job in the store; it runs from ``run_due_jobs``.

        Raises:
            ValidationError: ``job`` is not an :class:`ExportJob`.
            UnknownNameError: no such campaign.
            CampaignMismatchError: its options name a list or a disposition
                the campaign does not have.
            StoreError: the store has a job of that name already.
            ExportError: its destination is not an existing folder.

        A relative destination is resolved against the current folder now and
        kept absolute, so every run writes into the same folder wherever it
        runs from (``jobs()`` gives the job back with that absolute path).
        """
        if not isinstance(job, ExportJob):
            raise ValidationError("job", job, "must be an ExportJob")
        job = _anchored(job)
        with self._write() as connection:
            campaign_id, campaign = self._find(connection, job.campaign)
            options = job.options
            ReportPlan.build(campaign, options.selection, options.rendering)
            taken = connection.execute("SELECT 1 FROM jobs WHERE name = ?", (job.name,)).fetchone()
            if taken is not None:
                raise StoreError(self._name, f"job {job.name!r}: the store has a job of that name")
            connection.execute(
                "INSERT INTO jobs (name, campaign, definition) VALUES (?, ?, ?)",
                (job.name, campaign_id, job_text(job)),
            )

    def jobs(self, name: str) -> tuple[ExportJob, ...]:
        """The campaign's export jobs, in the order they were added.

        Raises:
            UnknownNameError: no such campaign.
        """
        with self._read() as connection:
            campaign_id, _ = self._find(connection, name)
            return tuple(
                _job(job_id, text)
                for job_id, text in connection.execute(
                    "SELECT id, definition FROM jobs WHERE campaign = ? ORDER BY id", (campaign_id,)
                )
            )

    def _job_id(self, connection: Connection, job_name: object) -> int:
        row = (
            connection.execute("SELECT id FROM jobs WHERE name = ?", (job_name,)).fetchone()
            if isinstance(job_name, str)
            else None
        )
        if row is None:
            raise UnknownNameError(
                self._name,
                "job",
                job_name,
                "the store holds no such job",
                known=_names(connection, "SELECT name FROM jobs"),
            )
        return int(row[0])

    def remove_job(self, job_name: str) -> None:
        """Remove an export job, with its run history (the files it wrote stay).

        Raises:
            UnknownNameError: no such job.
        """
        with self._write() as connection:
            connection.execute(
                "DELETE FROM jobs WHERE id = ?", (self._job_id(connection, job_name),)
            )

    def job_runs(self, job_name: str) -> tuple[JobRun, ...]:
        """The job's runs, oldest first: what was delivered, and what failed.

        Raises:
            UnknownNameError: no such job.
        """
        with self._read() as connection:
            job_id = self._job_id(connection, job_name)
            return self._runs(connection, job_name, "job = ?", (job_id,))

    @staticmethod
    def _runs(
        connection: Connection, job_name: str, where: str, values: Sequence[object]
    ) -> tuple[JobRun, ...]:
        runs = []
        for run_id, *row in connection.execute(
            f"SELECT id, {RUN_COLUMNS} FROM job_runs WHERE {where} ORDER BY id",  # noqa: S608 - constants
            values,
        ):
            with reading("job_runs", run_id):
                runs.append(run_from_row(job_name, row))
        return tuple(runs)

    def run_due_jobs(self, now: dt.datetime | None = None) -> tuple[JobRun, ...]:
        """Run every job with an occurrence at or before ``now`` not yet run.

        Missed occurrences of a job are coalesced into one run, due at the
        latest of them. A job whose last run failed (or whose process died
        running it) has that run redone first, with the same window, due
        time and file name. A job another process is running is left to it.

        Args:
            now: the moment to run for (aware); the current time by default.

        Returns:
            A :class:`JobRun` for each file written, in the order of the jobs.

        Raises:
            ValidationError: ``now`` is naive.
            ExceptionGroup: of :class:`JobError`, one per failed run, and of
                :class:`StoreError`, one per job whose stored definition or
                run cannot be read back (damaged), after every other due job
                has run.
        """
        if now is None:
            now = dt.datetime.now(dt.UTC)
        if not isinstance(now, dt.datetime) or is_naive(now):
            raise ValidationError("now", now, "must be a timezone-aware datetime")
        with self._read() as connection:
            jobs = connection.execute("SELECT id, definition FROM jobs ORDER BY id").fetchall()
        done: list[JobRun] = []
        failures: list[ResultsError] = []
        for job_id, text in jobs:
            try:
                job = _job(job_id, text)
            except Damaged as damage:  # the others still run
                failures.append(damage.store_error(self._name))
                continue
            with self._turn("job", job_id) as ours:
                if not ours:
                    continue  # another holder's turn: it runs the job and delivers its files
                written = self._run_job(job_id, job, now, failures)
                if isinstance(job.destination, Remote):
                    failures += self._deliver(job_id, job, now)
                    if written:
                        with self._read() as connection:
                            marks = ", ".join("?" * len(written))
                            written = list(
                                self._runs(connection, job.name, f"id IN ({marks})", written)
                            )
            done += written
        with self._read() as connection:
            owing = [row[0] for row in connection.execute(_CAMPAIGNS_TO_DELIVER)]
        failures += self._deliver_archives_of(owing)[1]
        if failures:
            raise ExceptionGroup(f"{len(failures)} export job run(s) failed", failures)
        return tuple(done)

    def _run_job(
        self, job_id: int, job: ExportJob, now: dt.datetime, failures: list[ResultsError]
    ) -> list[Any]:
        """Run what is due of one job; the runs whose files were written (or their ids).

        A URL job's runs are given by their ids, to be read again once delivered.
        """
        folder = (
            self._spool / spool_folder_name(job)
            if isinstance(job.destination, Remote)
            else job.destination
        )
        done: list[Any] = []
        while True:
            try:
                with self._write() as connection:
                    claimed = claim(connection, job_id, job, now, self._leases, folder=folder)
            except StoreError as unreadable:
                if not isinstance(unreadable.__cause__, Damaged):
                    raise
                failures.append(unreadable)
                break
            if claimed is None:
                break
            written, error = None, None
            try:
                written = self._write_run(claimed)
            except (ResultsError, OSError) as exc:
                error = exc
            with self._write() as connection:
                run = finish(
                    connection, job_id, claimed, self._leases, written=written, error=error
                )
            if error is not None:
                failure = JobError(run.job, run.due, str(run.path), str(error))
                failure.__cause__ = error
                failures.append(failure)
                break
            done.append(claimed.run_id if isinstance(job.destination, Remote) else run)
            if not claimed.redo:
                break
        return done

    def _deliver(self, job_id: int, job: ExportJob, now: dt.datetime) -> list[ResultsError]:
        """Deliver the URL job's written files, oldest first; prune its spool (``keep``).

        The first failure stops the job's deliveries until the next call (a
        server down fails them all alike); each failure is a :class:`DeliveryError`.
        """
        remote = job.destination
        assert isinstance(remote, Remote)  # noqa: S101 - the caller checked
        with self._write() as connection:
            if not self._leases.take(connection, "job", job_id):
                return []  # another holder is running or delivering the job
            due = undelivered(connection, job_id, remote)
        failures: list[ResultsError] = []
        rewritten: list[Path] = []
        try:
            _, failed = deliver_due(
                due, "job_runs", self._write, functools.partial(self._run_file, job, rewritten)
            )
            if failed is not None:
                item, reason = failed
                failures.append(DeliveryError(_subject(job, item), item.remote, reason))
            if job.keep is not None:
                with self._read() as connection:
                    old = list(prunable(connection, job_id, job.keep, now))
                for path in old:
                    path.unlink(missing_ok=True)
        finally:
            for path in rewritten:  # the store can write them again: no copy kept here
                path.unlink(missing_ok=True)
            with self._write() as connection:
                self._leases.give_back(connection, "job", job_id)
        return failures

    def _run_file(self, job: ExportJob, rewritten: list[Path], item: Due) -> Path:
        """The file to deliver for a written run: the one written, or the same written again.

        A run written by another process keeps its file in that process's
        spool, on its host. When the file is not at its recorded path here,
        it is written again from the store into this process's spool, for
        the run's recorded window, due time and name, and delivered only if
        it holds the bytes recorded (its SHA-256): never other bytes under
        the run's name. It does not when the window's results changed since
        (a record updated, a list replaced) or the file has a time of its
        own (a zip without ``zip_timestamp``); the run then waits for the
        process that has its file. A file that is here is delivered as it
        is (:func:`deliver` checks its bytes).

        Raises:
            DeliveryFailed: the file cannot be written again, or not the same.
        """
        if os.path.lexists(item.path):
            return item.path
        path = self._spool / spool_folder_name(job) / item.path.name
        with self._read() as connection:
            again = written_claim(connection, item.row_id, job, path)
        try:
            _, _, sha256 = self._write_run(again)
        except (ResultsError, OSError) as error:
            raise DeliveryFailed(
                f"the file {str(item.path)!r} is not in this process's spool and cannot be "
                f"written again from the store ({error})"
            ) from None
        if path != item.path:
            rewritten.append(path)
        if sha256 != item.sha256:
            path.unlink(missing_ok=True)
            raise DeliveryFailed(
                f"the file {str(item.path)!r} is not in this process's spool, and written "
                f"again from the store it holds other bytes (SHA-256 {sha256}, not the "
                f"{item.sha256} recorded): the results of its window changed since it was "
                "written, or the file holds a time of its own; it is delivered by the process "
                "that wrote it"
            )
        return path

    # --- archives that leave the store -------------------------------------------------------

    def deliver_archives(self, name: str | None = None) -> tuple[Archive, ...]:
        """Deliver the archives whose delivery is due: of the campaign ``name``, or of all.

        An archive made while its campaign has an ``archive_destination`` is
        delivered right after the call that made it commits; one whose
        delivery failed then (the server down) is delivered here, and by
        :meth:`run_due_jobs` (so by ``store serve`` within a minute), exactly
        once: the same bytes under the same name, never replacing other
        bytes. A campaign's archives go oldest first; its first failure
        stops its deliveries until the next call.

        Returns:
            The archives this call delivered, with their delivery recorded.

        Raises:
            UnknownNameError: no such campaign.
            ExceptionGroup: of :class:`DeliveryError`, one per campaign whose
                delivery failed, after every other campaign's were tried (and
                of :class:`StoreError`, one per campaign whose archive rows
                cannot be read back).
        """
        with self._read() as connection:
            if name is None:
                ids = [row[0] for row in connection.execute(_CAMPAIGNS_TO_DELIVER)]
            else:
                ids = [self._find(connection, name)[0]]
        delivered, failures = self._deliver_archives_of(ids)
        if failures:
            raise ExceptionGroup(f"{len(failures)} archive delivery(ies) failed", failures)
        return tuple(delivered)

    def _deliver_archives_of(
        self, campaign_ids: Iterable[int]
    ) -> tuple[list[Archive], list[ResultsError]]:
        """Deliver the due archives of each campaign; those delivered, and the failures.

        A failure is a :class:`DeliveryError`, or a :class:`StoreError` for a
        campaign whose archive rows cannot be read back (damaged).
        """
        delivered: list[Due] = []
        failures: list[ResultsError] = []
        for campaign_id in campaign_ids:
            try:
                done, failure = self._deliver_campaign_archives(campaign_id)
            except StoreError as unreadable:
                if not isinstance(unreadable.__cause__, Damaged):
                    raise
                failures.append(unreadable)  # a damaged archive row: the others still go
                continue
            delivered += done
            if failure is not None:
                failures.append(failure)
        return self._archives_by_id([item.row_id for item in delivered]), failures

    def _deliver_campaign_archives(
        self, campaign_id: int
    ) -> tuple[list[Due], DeliveryError | None]:
        with self._turn("campaign", campaign_id) as ours:
            if not ours:
                return [], None  # another holder is delivering them
            return self._deliver_archives_in_turn(campaign_id)

    def _deliver_archives_in_turn(self, campaign_id: int) -> tuple[list[Due], DeliveryError | None]:
        spool = self._spool / _ARCHIVE_SPOOL
        with self._write() as connection:
            if not self._leases.take(connection, "campaign", campaign_id):
                return [], None  # another holder is delivering them
            due = undelivered_archives(connection, campaign_id, spool)
            if not due:
                self._leases.give_back(connection, "campaign", campaign_id)
                return [], None
        try:
            delivered, failed = deliver_due(due, "archives", self._write, self._archive_file)
            for item in delivered:  # the store holds the bytes: no spool copy kept
                item.path.unlink(missing_ok=True)
        finally:
            with self._write() as connection:
                self._leases.give_back(connection, "campaign", campaign_id)
        if failed is None:
            return delivered, None
        item, reason = failed
        return delivered, DeliveryError(
            f"archive {item.row_id}, file {item.path.name!r}", item.remote, reason
        )

    def _deliver_after_commit(
        self, campaign_ids: Iterable[int], made: Sequence[Archive] = ()
    ) -> tuple[Archive, ...]:
        """Deliver the campaigns' due archives after a call that made some; ``made`` re-read.

        A failure is recorded with the archive (``delivery_error``), never
        raised: the call's own work is committed. The next call that delivers
        archives tries again.
        """
        with contextlib.suppress(ResultsError):
            self._deliver_archives_of(dict.fromkeys(campaign_ids))
        if not made:
            return ()
        try:
            found = {a.id: a for a in self._archives_by_id([a.id for a in made])}
        except ResultsError:
            return tuple(made)
        return tuple(found.get(archive.id, archive) for archive in made)

    def _archives_by_id(self, ids: Sequence[int]) -> list[Archive]:
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        with self._read() as connection:
            return [
                archive_from_row(row)
                for row in connection.execute(
                    f"SELECT {ARCHIVE_COLUMNS} FROM archives AS a JOIN campaigns AS c "  # noqa: S608
                    f"ON a.campaign = c.id WHERE a.id IN ({marks}) ORDER BY a.id",
                    tuple(ids),
                )
            ]

    def _archive_file(self, item: Due) -> Path:
        """Write the archive's zip from the store to ``item.path``, atomically.

        Raises:
            DeliveryFailed: the archive is gone, or the file cannot be written.
        """
        item.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            with (
                self._read() as connection,
                connection.blob("archives", "data", item.row_id, readonly=True) as blob,
                atomic_file(item.path) as file,
            ):
                shutil.copyfileobj(blob, file, _BLOB_CHUNK)
        except StoreError as error:
            raise DeliveryFailed(f"archive {item.row_id} cannot be read ({error})") from None
        except (ExportError, OSError) as error:
            reason = getattr(error, "strerror", None) or error
            raise DeliveryFailed(f"{str(item.path)!r} cannot be written ({reason})") from None
        return item.path

    def prune_archives(
        self,
        name: str | None = None,
        *,
        older_than: dt.timedelta,
        save_to: str | os.PathLike[str] | None = None,
    ) -> tuple[Archive, ...]:
        """Remove the archives made more than ``older_than`` ago: of the campaign ``name``, or all.

        The newest archive of each list (per campaign and list) is never
        removed, however old, and neither is an archive whose delivery is
        still due. With ``save_to``, each archive's zip is first put in that
        folder under its :attr:`Archive.file_name`, durably, by the steps of a
        delivery (the same bytes already there count as saved; other bytes
        there stop the pruning); its row is deleted only then, in a
        transaction of its own: after a crash, an archive is either still in
        the store or saved (and then, if the crash fell between the two,
        both: the next call finds it saved and removes it).

        Returns:
            The archives removed, oldest first.

        Raises:
            ValidationError: ``older_than`` is not a positive ``timedelta``.
            UnknownNameError: no such campaign.
            ExportError: ``save_to`` is not an existing folder, or an
                archive cannot be saved there (nothing more is removed).
        """
        if not isinstance(older_than, dt.timedelta) or older_than <= dt.timedelta(0):
            raise ValidationError("older_than", older_than, "must be a positive timedelta")
        folder = None if save_to is None else _existing_folder("save_to", Path(save_to))
        before = dt.datetime.now(dt.UTC) - older_than
        with self._read() as connection:
            if name is None:
                ids = [row[0] for row in connection.execute("SELECT id FROM campaigns ORDER BY id")]
            else:
                ids = [self._find(connection, name)[0]]
            candidates = [
                archive
                for campaign_id in ids
                for archive in prunable_archives(connection, campaign_id, before)
            ]
        removed = []
        for archive in candidates:
            if folder is not None:
                self._save_archive(archive, folder)
            with self._write() as connection:
                gone = connection.execute(_PRUNE, (archive.id, archive.id)).rowcount
            if gone:
                removed.append(archive)
        return tuple(removed)

    def _save_archive(self, archive: Archive, folder: Path) -> None:
        """Put the archive's zip into ``folder`` under its file name, by a delivery's steps.

        Raises:
            ExportError: it cannot be saved there.
        """
        item = Due(
            archive.id,
            archive.created,
            self._spool / _ARCHIVE_SPOOL / archive.file_name,
            archive.sha256 or "",
            str(folder / archive.file_name),
            folder,
        )
        try:
            path = self._archive_file(item)
            sha256 = archive.sha256 or _sha256_of(path)
            transport = open_transport(folder)
            try:
                deliver(transport, folder, path, sha256)
            finally:
                transport.close()
        except DeliveryFailed as failed:
            raise ExportError(
                f"archive {archive.id} ({archive.file_name!r}) cannot be saved to "
                f"{shown(str(folder))}: {failed.reason}"
            ) from None
        finally:
            item.path.unlink(missing_ok=True)

    def _write_run(self, claimed: Claim) -> tuple[int, int, str]:
        snapshot = self._snapshot(
            claimed.job.campaign, claimed.job.options.lists, strict=False, window=claimed.window
        )
        with contextlib.closing(snapshot):
            return write_run(claimed, (snapshot.campaign, snapshot))


def _subject(job: ExportJob, item: Due) -> str:
    """What a :class:`DeliveryError` says is being delivered."""
    stamp = item.due.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"job {job.name!r}, run due {stamp}, file {str(item.path)!r}"


def _anchored(job: ExportJob) -> ExportJob:
    """``job`` with its destination made absolute, checked to be an existing folder.

    A URL destination is kept as it is: its server is asked only when a run delivers.

    Raises:
        ExportError: the destination does not exist or is not a folder.
    """
    if isinstance(job.destination, Remote):
        return job
    folder = _existing_folder(f"job {job.name!r}: destination", job.destination)
    return job if folder == job.destination else attrs.evolve(job, destination=folder)


def _existing_folder(what: str, folder: Path) -> Path:
    """``folder``, absolute, checked to be an existing folder.

    Raises:
        ExportError: naming ``what``: it does not exist or is not a folder.
    """
    absolute = folder.absolute()
    try:
        mode = absolute.stat().st_mode
    except OSError as error:
        raise ExportError(
            f"{what} {shown(str(folder))}: {error.strerror or error} "
            "(files are written into an existing folder)"
        ) from error
    if not stat.S_ISDIR(mode):
        raise ExportError(
            f"{what} {shown(str(folder))}: is not a folder "
            "(files are written into an existing folder)"
        )
    return absolute


def _archive_destination(value: object) -> Target | None:
    """``put_campaign``'s ``archive_destination``: a folder made absolute, a URL, a Remote.

    Raises:
        ValidationError: it is none of those.
        ExportError: a folder that does not exist.
    """
    if value is None:
        return None
    target = to_destination(value)
    if isinstance(target, Remote):
        return target
    if not isinstance(target, Path) or isinstance(value, bool):
        raise ValidationError(
            "archive_destination", value, "must be a folder's path, a URL or a Remote"
        )
    return _existing_folder("archive_destination", target)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_BLOB_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _job(job_id: int, text: str) -> ExportJob:
    """The job a ``jobs`` row's definition describes.

    Raises:
        Damaged: the definition cannot be read back.
    """
    with reading("jobs", job_id):
        return job_from_text(text)


def _archive_options(connection: Connection, campaign_id: int) -> ExportOptions:
    """The campaign's archive options, read in the caller's transaction."""
    (text,) = connection.execute(
        "SELECT archive_options FROM campaigns WHERE id = ?", (campaign_id,)
    ).fetchone()
    with reading("campaigns", campaign_id):
        return options_from_settings(None if text is None else json.loads(text))


def _check_fit(
    connection: Connection,
    campaign_id: int,
    old: Campaign,
    new: Campaign,
    lists: dict[str, int],
) -> None:
    """Raise if the results stored for the campaign do not fit its new definition.

    Reads the packed records only for what the redefinition takes away.
    """
    for calling_list in new.lists:
        before = old.calling_list(calling_list.name)
        if before is None or set(before.columns) <= set(calling_list.columns):
            continue
        columns = set(calling_list.columns)
        for record_id, data in connection.execute(
            "SELECT record_id, data FROM records WHERE list = ?", (lists[calling_list.name],)
        ):
            with reading("records", record_id):
                fields = unpack_fields(data)
            for column in fields:
                if column not in columns:
                    raise CampaignMismatchError(
                        f"Campaign.lists[{calling_list.name!r}].columns",
                        column,
                        f"is dropped, but record {record_id!r} of the store has a value for it",
                    )
    names = {field.name for field in new.script_fields}
    if not {field.name for field in old.script_fields} <= names:
        for script in _attempt_values(connection, campaign_id, ("script_values",)):
            for field, _ in script or ():
                if field not in names:
                    raise CampaignMismatchError(
                        "Campaign.script_fields",
                        field,
                        "is dropped, but attempts of the store have values for it",
                    )
    for disposition_id, name in connection.execute(
        "SELECT id, name FROM dispositions WHERE campaign = ?", (campaign_id,)
    ).fetchall():
        now = new.find_disposition(name)
        if now == old.find_disposition(name):
            continue
        if now is None:
            _refuse_if_used(
                connection,
                (campaign_id, disposition_id, name),
                "is dropped",
                ("call_disposition", "record_disposition"),
            )


def _attempt_values(
    connection: Connection, campaign_id: int, columns: tuple[str, ...]
) -> Iterator[Any]:
    """The values of ``columns`` of every attempt of the campaign."""
    positions = [PACKED_POSITION[column] for column in columns]
    for record_id, packed_attempts in connection.execute(
        "SELECT r.record_id, r.attempts FROM records AS r JOIN lists AS l ON r.list = l.id "
        "WHERE l.campaign = ?",
        (campaign_id,),
    ):
        with reading("records", record_id):
            values = [
                widened(packed)[position]
                for packed in unpack_attempts(packed_attempts)
                for position in positions
            ]
        yield from values


def _refuse_if_used(
    connection: Connection,
    used_by: tuple[int, int, str],
    change: str,
    columns: tuple[str, ...],
) -> None:
    """Raise if an attempt of the campaign has the disposition in one of ``columns``.

    ``used_by`` is (campaign id, disposition id, disposition name).
    """
    campaign_id, disposition_id, name = used_by
    if disposition_id in _attempt_values(connection, campaign_id, columns):
        raise CampaignMismatchError(
            "Campaign.dispositions", name, f"{change}, but attempts of the store use it"
        )


def _names(connection: Connection, query: str) -> list[str]:
    """The names one column of ``query`` holds: what a message suggests for an unknown one."""
    return [name for (name,) in connection.execute(query)]
