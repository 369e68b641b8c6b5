"""The store's SQLite schema, its forward migrations, and opening a connection to it.

The schema version is ``PRAGMA user_version``; ``PRAGMA application_id`` marks
the file as a results store, so another program's SQLite file is refused
instead of being written into. Each entry of :data:`MIGRATIONS` takes the
store from the version before it to its own; a store is upgraded, in one
transaction, when it is opened by a library that knows newer versions, and
refused when it was written by a newer library.
"""

from __future__ import annotations

import contextlib
import marshal
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

from ..errors import StoreError
from ._codec import (
    MARSHAL_VERSION,
    PACKED_POSITION,
    TABLE_COLUMNS,
    all_widened,
    fields_from_text,
    pack_attempts,
    pack_fields,
    pack_summary,
    script_items,
    summarize,
)
from ._damage import DAMAGE
from ._engine import SqliteConnection

__all__ = [
    "APPLICATION_ID",
    "BYTES_COLUMNS",
    "CURRENT_SCHEMA",
    "FIRST_POSTGRES_VERSION",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "connect",
    "retrying",
    "statements",
    "store_error",
    "transaction",
]

_T = TypeVar("_T")

#: "CCRS" (CloudContact Results Store), as a 32-bit integer.
APPLICATION_ID: Final = 0x43435253

#: Version 1: campaigns, lists, records, attempts, archives; jobs, job runs and leases.
_VERSION_1: Final = """
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('ingest', 0);

CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL
);

CREATE TABLE lists (
    id INTEGER PRIMARY KEY,
    campaign INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    UNIQUE (campaign, name)
);

CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    list INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    record_id TEXT NOT NULL,
    fields TEXT NOT NULL,
    completed_seq INTEGER,
    UNIQUE (list, record_id)
);
CREATE INDEX records_by_list ON records (list);
CREATE INDEX records_completed ON records (completed_seq) WHERE completed_seq IS NOT NULL;

CREATE TABLE dispositions (
    id INTEGER PRIMARY KEY,
    campaign INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    UNIQUE (campaign, name)
);

CREATE TABLE zones (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE attempts (
    seq INTEGER PRIMARY KEY,
    record INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    t INTEGER NOT NULL,
    zone INTEGER NOT NULL,
    wall INTEGER,
    phone TEXT NOT NULL,
    flags INTEGER NOT NULL,
    call_disposition INTEGER,
    record_disposition INTEGER,
    quota TEXT,
    note TEXT NOT NULL,
    sip_code INTEGER,
    dialing_duration INTEGER NOT NULL,
    cpa_duration INTEGER NOT NULL,
    answered_duration INTEGER NOT NULL,
    agent TEXT NOT NULL,
    cpa_result INTEGER,
    cpa_recording TEXT NOT NULL,
    cpa_rtp_server TEXT NOT NULL,
    recording TEXT NOT NULL,
    rtp_server TEXT NOT NULL,
    interaction_id TEXT NOT NULL,
    script_values TEXT
);
CREATE INDEX attempts_by_record ON attempts (record, t);

CREATE TABLE archives (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    list_name TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('deleted', 'removed', 'replaced')),
    created INTEGER NOT NULL,
    records INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX archives_by_campaign ON archives (campaign);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    campaign INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    definition TEXT NOT NULL,
    watermark INTEGER NOT NULL DEFAULT 0,
    last_due INTEGER
);
CREATE INDEX jobs_by_campaign ON jobs (campaign);

CREATE TABLE job_runs (
    id INTEGER PRIMARY KEY,
    job INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    due INTEGER NOT NULL,
    lo INTEGER NOT NULL,
    hi INTEGER NOT NULL,
    file TEXT NOT NULL,
    rows INTEGER,
    bytes INTEGER,
    sha256 TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'running')),
    error TEXT,
    finished INTEGER
);
CREATE INDEX job_runs_by_job ON job_runs (job, id);

CREATE TABLE leases (
    job INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    holder TEXT NOT NULL,
    expires INTEGER NOT NULL
);
"""

#: Version 2: the attempt fields of Bright Pattern 5.x (``ANI``, ``Action Applied``).
_VERSION_2: Final = """
ALTER TABLE attempts ADD COLUMN ani TEXT NOT NULL DEFAULT '';
ALTER TABLE attempts ADD COLUMN action_applied TEXT NOT NULL DEFAULT ''
"""

#: Version 3: where mirroring each list from the platform's API stands (docs/platform-api.md).
_VERSION_3: Final = """
CREATE TABLE platform_sync (
    list INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    watermark INTEGER NOT NULL,
    synced INTEGER NOT NULL,
    PRIMARY KEY (list, source)
) WITHOUT ROWID;
"""

#: Version 4: each record's attempts packed into its own row (``data``, which was
#: ``fields``: it holds the fields too), so an export reads one row per record;
#: ``ingested`` keeps which record each ingest sequence number went to, for the
#: windows of export jobs.
_VERSION_4_BEFORE: Final = """
ALTER TABLE records RENAME COLUMN fields TO data;
CREATE TABLE ingested (
    seq INTEGER PRIMARY KEY,
    record INTEGER NOT NULL
);
INSERT INTO ingested (seq, record) SELECT seq, record FROM attempts
"""
_VERSION_4_AFTER: Final = """
DROP TABLE attempts
"""
#: Records packed by one statement of the version 4 migration.
_PACK_CHUNK: Final = 1000
_SCRIPT: Final = PACKED_POSITION["script_values"]


def _pack_records(connection: sqlite3.Connection) -> None:
    """Version 4: pack every record's fields and attempts (version 3's rows) into ``data``."""
    columns = ", ".join(TABLE_COLUMNS)
    (last,) = connection.execute("SELECT coalesce(max(id), 0) FROM records").fetchone()
    for first in range(1, last + 1, _PACK_CHUNK):
        bounds = (first, first + _PACK_CHUNK)
        attempts: dict[int, list[tuple[Any, ...]]] = {}
        for record, *packed in connection.execute(
            f"SELECT record, seq, {columns} FROM attempts "  # noqa: S608 - constant columns
            "WHERE record >= ? AND record < ? ORDER BY record, t, seq",
            bounds,
        ):
            script = packed[_SCRIPT]
            if script is not None:
                packed[_SCRIPT] = script_items(fields_from_text(script))
            attempts.setdefault(record, []).append(tuple(packed))
        rows = connection.execute(
            "SELECT id, data FROM records WHERE id >= ? AND id < ?", bounds
        ).fetchall()
        connection.executemany(
            "UPDATE records SET data = ? WHERE id = ?",
            [
                (_pack_version_4(fields_from_text(text), attempts.get(row_id, ())), row_id)
                for row_id, text in rows
            ],
        )


def _pack_version_4(fields: Mapping[str, str], attempts: Sequence[tuple[Any, ...]]) -> bytes:
    """A record's ``data`` as versions 4 to 7 keep it: its fields and packed attempts."""
    return marshal.dumps((dict(fields), tuple(attempts)), MARSHAL_VERSION)


#: Version 5: the options each campaign's archives are written with (NULL: the defaults).
_VERSION_5: Final = """
ALTER TABLE campaigns ADD COLUMN archive_options TEXT
"""

#: Version 6: the delivery of each job file to its URL (docs/automatic-export.md): where
#: to, when it was recorded as delivered, how many times it was started, why it last failed.
_VERSION_6: Final = """
ALTER TABLE job_runs ADD COLUMN remote TEXT;
ALTER TABLE job_runs ADD COLUMN delivered INTEGER;
ALTER TABLE job_runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_runs ADD COLUMN delivery_error TEXT;
CREATE INDEX job_runs_undelivered ON job_runs (job, id)
    WHERE remote IS NOT NULL AND delivered IS NULL AND outcome = 'ok'
"""


#: Version 7: archives delivered too (docs/store.md, "Delivering archives"): the
#: campaign's ``archive_destination``; each archive's SHA-256, where it goes (kept
#: with it: a later change of the campaign's destination does not move it) and its
#: delivery, as a job file's (``delivery_attempts``: ``attempts`` counts the calls
#: it holds); and the lease a process delivers a campaign's archives under.
_VERSION_7: Final = """
ALTER TABLE campaigns ADD COLUMN archive_destination TEXT;
ALTER TABLE archives ADD COLUMN sha256 TEXT;
ALTER TABLE archives ADD COLUMN destination TEXT;
ALTER TABLE archives ADD COLUMN remote TEXT;
ALTER TABLE archives ADD COLUMN delivered INTEGER;
ALTER TABLE archives ADD COLUMN delivery_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE archives ADD COLUMN delivery_error TEXT;
CREATE INDEX archives_undelivered ON archives (campaign, id)
    WHERE remote IS NOT NULL AND delivered IS NULL;
CREATE TABLE archive_leases (
    campaign INTEGER PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
    holder TEXT NOT NULL,
    expires INTEGER NOT NULL
)
"""


#: Version 8: a record's packed attempts move to a column of their own
#: (``attempts``), ``data`` keeps its fields, and ``summary`` what the simple
#: report reads of its attempts (``summarize``): a simple export reads two
#: small values per record, and a new attempt leaves the fields as they are.
_VERSION_8: Final = """
ALTER TABLE records ADD COLUMN attempts BLOB;
ALTER TABLE records ADD COLUMN summary BLOB
"""


def _summarize_records(connection: sqlite3.Connection) -> None:
    """Version 8: split every record's ``data`` (fields, attempts), and summarize the attempts."""
    (last,) = connection.execute("SELECT coalesce(max(id), 0) FROM records").fetchone()
    for first in range(1, last + 1, _PACK_CHUNK):
        rows = connection.execute(
            "SELECT id, data FROM records WHERE id >= ? AND id < ?", (first, first + _PACK_CHUNK)
        ).fetchall()
        changed = []
        for row_id, data in rows:
            try:
                fields, packed = marshal.loads(data)  # noqa: S302 - the store's own value
                # Attempts packed before a field was added read its default, as new ones do.
                attempts = list(all_widened(packed))
                changed.append(
                    (
                        pack_fields(fields),
                        pack_summary(summarize(attempts)),
                        pack_attempts(attempts),
                        row_id,
                    )
                )
            except DAMAGE:
                # Left as it is: reading the record reports it damaged, naming its row.
                continue
        connection.executemany(
            "UPDATE records SET data = ?, summary = ?, attempts = ? WHERE id = ?", changed
        )


#: The schema at :data:`SCHEMA_VERSION`, for a new store of either database: what
#: :data:`MIGRATIONS` make of an empty one, each table's columns in the same order
#: (a test compares the two). Written in SQLite's dialect; PostgreSQL's engine
#: translates it (``_postgres.py``). ``records.data`` keeps the type version 1
#: gave it (it holds bytes: see :data:`BYTES_COLUMNS`).
CURRENT_SCHEMA: Final = """
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('ingest', 0);

CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,
    archive_options TEXT,
    archive_destination TEXT
);

CREATE TABLE lists (
    id INTEGER PRIMARY KEY,
    campaign INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    UNIQUE (campaign, name)
);

CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    list INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    record_id TEXT NOT NULL,
    data TEXT NOT NULL,
    completed_seq INTEGER,
    attempts BLOB,
    summary BLOB,
    UNIQUE (list, record_id)
);
CREATE INDEX records_by_list ON records (list);
CREATE INDEX records_completed ON records (completed_seq) WHERE completed_seq IS NOT NULL;

CREATE TABLE dispositions (
    id INTEGER PRIMARY KEY,
    campaign INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    UNIQUE (campaign, name)
);

CREATE TABLE zones (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE ingested (
    seq INTEGER PRIMARY KEY,
    record INTEGER NOT NULL
);

CREATE TABLE archives (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    list_name TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('deleted', 'removed', 'replaced')),
    created INTEGER NOT NULL,
    records INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL,
    sha256 TEXT,
    destination TEXT,
    remote TEXT,
    delivered INTEGER,
    delivery_attempts INTEGER NOT NULL DEFAULT 0,
    delivery_error TEXT
);
CREATE INDEX archives_by_campaign ON archives (campaign);
CREATE INDEX archives_undelivered ON archives (campaign, id)
    WHERE remote IS NOT NULL AND delivered IS NULL;

CREATE TABLE archive_leases (
    campaign INTEGER PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
    holder TEXT NOT NULL,
    expires INTEGER NOT NULL
);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    campaign INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    definition TEXT NOT NULL,
    watermark INTEGER NOT NULL DEFAULT 0,
    last_due INTEGER
);
CREATE INDEX jobs_by_campaign ON jobs (campaign);

CREATE TABLE job_runs (
    id INTEGER PRIMARY KEY,
    job INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    due INTEGER NOT NULL,
    lo INTEGER NOT NULL,
    hi INTEGER NOT NULL,
    file TEXT NOT NULL,
    rows INTEGER,
    bytes INTEGER,
    sha256 TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'running')),
    error TEXT,
    finished INTEGER,
    remote TEXT,
    delivered INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    delivery_error TEXT
);
CREATE INDEX job_runs_by_job ON job_runs (job, id);
CREATE INDEX job_runs_undelivered ON job_runs (job, id)
    WHERE remote IS NOT NULL AND delivered IS NULL AND outcome = 'ok';

CREATE TABLE leases (
    job INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    holder TEXT NOT NULL,
    expires INTEGER NOT NULL
);

CREATE TABLE platform_sync (
    list INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    watermark INTEGER NOT NULL,
    synced INTEGER NOT NULL,
    PRIMARY KEY (list, source)
) WITHOUT ROWID
"""

#: Columns the schema declares ``TEXT`` (as version 1 named them) that hold bytes:
#: SQLite keeps any value in any column, PostgreSQL declares them ``BYTEA``.
BYTES_COLUMNS: Final = frozenset({("records", "data")})


def statements(script: str) -> list[str]:
    """The statements of one step of the schema (``;`` at the end of a line ends one)."""
    return [statement for statement in script.split(";\n") if statement.strip()]


#: One step of the schema: SQL statements, or a function run inside the migration.
Step = str | Callable[[sqlite3.Connection], None]

#: ``MIGRATIONS[n - 1]`` takes a store from version ``n - 1`` to version ``n``.
MIGRATIONS: Final[tuple[tuple[Step, ...], ...]] = (
    (_VERSION_1,),
    (_VERSION_2,),
    (_VERSION_3,),
    (_VERSION_4_BEFORE, _pack_records, _VERSION_4_AFTER),
    (_VERSION_5,),
    (_VERSION_6,),
    (_VERSION_7,),
    (_VERSION_8, _summarize_records),
)
SCHEMA_VERSION: Final = len(MIGRATIONS)

#: The schema version of the first PostgreSQL stores. One schema version for both
#: databases: a PostgreSQL store records its version in ``store_meta`` and is never
#: older than this, so one of an older version was not written by this library.
#: A later version's step of :data:`MIGRATIONS` must upgrade both databases: its
#: SQL is translated as the schema is (``_postgres.schema_statements``), and the
#: PostgreSQL engine runs the steps from the store's version on, as SQLite's does.
FIRST_POSTGRES_VERSION: Final = 8


def store_error(path: str, error: sqlite3.Error) -> StoreError:
    """The library's error for what SQLite said about the store at ``path``."""
    message = str(error)
    if "locked" in message or "busy" in message:
        return StoreError(path, f"another process kept the store locked too long ({message})")
    if "not a database" in message:
        return StoreError(path, "is not a results store (not an SQLite database)")
    if "unable to open" in message:
        return StoreError(path, f"cannot be opened ({message})")
    return StoreError(path, message)


def retrying(path: str, action: Callable[[], _T], *, seconds: float) -> _T:
    """``action()``, retried while SQLite answers busy without waiting (recovery, WAL setup).

    The busy timeout covers ordinary lock waits; a few states of a store that
    another process is opening or recovering answer ``SQLITE_BUSY`` at once.
    Gives up after ``seconds`` (the store's timeout) in all.
    """
    deadline = time.monotonic() + seconds
    delay = 0.005
    while True:
        try:
            return action()
        except sqlite3.OperationalError as error:
            message = str(error)
            if ("locked" not in message and "busy" not in message) or time.monotonic() > deadline:
                raise store_error(path, error) from error
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def connect(path: Path, timeout: float) -> SqliteConnection:
    """A connection to the store at ``path``, created and migrated if need be.

    Raises:
        StoreError: ``path`` is a folder or cannot be opened, is not an SQLite
            file, is another program's SQLite file, or was written by a newer
            version of the library.
    """
    name = str(path)
    if path.is_dir():
        raise StoreError(name, "is a folder, not a store file")
    try:
        connection = sqlite3.connect(
            path,
            timeout=timeout,
            isolation_level=None,
            check_same_thread=False,
            factory=SqliteConnection,
        )
    except sqlite3.Error as error:
        raise store_error(name, error) from error
    try:
        retrying(name, lambda: _prepare(name, connection, timeout), seconds=timeout)
    except BaseException:
        connection.close()
        raise
    return connection


def _prepare(name: str, connection: sqlite3.Connection, timeout: float) -> None:
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        # Archives are the only copy of the results they hold: every commit is
        # made durable (FULL), not merely consistent (NORMAL).
        connection.execute("PRAGMA synchronous = FULL")
        _check_kind(name, connection)
        if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                raise StoreError(name, f"cannot use write-ahead logging (journal mode {mode!r})")
        if _version(connection) == SCHEMA_VERSION:
            return  # the usual case: no write lock taken, so opening never waits for writers
        with transaction(name, connection, immediate=True, seconds=timeout):
            _check_kind(name, connection)
            _migrate(name, connection)
    except sqlite3.OperationalError:
        raise
    except sqlite3.Error as error:
        raise store_error(name, error) from error


def _version(connection: sqlite3.Connection) -> int:
    version: int = connection.execute("PRAGMA user_version").fetchone()[0]
    return version


def _check_kind(name: str, connection: sqlite3.Connection) -> None:
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if application_id == APPLICATION_ID:
        if version > SCHEMA_VERSION:
            raise StoreError(
                name,
                f"was written by a newer version of cloudcontact_results (schema version "
                f"{version}; this version reads up to {SCHEMA_VERSION})",
            )
        return
    tables = connection.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
    if application_id != 0 or version != 0 or tables != 0:
        raise StoreError(name, "is an SQLite database, but not a results store")


def _migrate(name: str, connection: sqlite3.Connection) -> None:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    if version == 0:
        # A new store: the current schema at once, not the steps to it.
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        for statement in statements(CURRENT_SCHEMA):
            connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return
    for target in range(version + 1, SCHEMA_VERSION + 1):
        for step in MIGRATIONS[target - 1]:
            if callable(step):
                step(connection)
                continue
            for statement in statements(step):
                connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


@contextlib.contextmanager
def transaction(
    name: str, connection: sqlite3.Connection, *, immediate: bool, seconds: float
) -> Iterator[sqlite3.Connection]:
    """One transaction: committed if the block succeeds, rolled back otherwise.

    ``immediate`` takes the write lock at once (waiting up to the busy
    timeout), so a writer never fails half-way on a lock; otherwise the
    transaction reads one snapshot, taken at its first read. Waits for
    locks up to ``seconds``.
    """
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"
    retrying(name, lambda: connection.execute(begin), seconds=seconds)
    try:
        yield connection
    except BaseException:
        if connection.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
        raise
    try:
        retrying(name, lambda: connection.execute("COMMIT"), seconds=seconds)
    except BaseException:
        if connection.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
        raise
