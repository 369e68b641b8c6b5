"""The PostgreSQL engine: a store in one database, through ``psycopg`` 3 (extra ``[postgres]``).

The store's SQL is SQLite's; each statement is translated once (and cached)
into PostgreSQL's: ``?`` -> ``%s`` (a literal ``%`` -> ``%%``), ``INSERT OR
IGNORE`` -> ``ON CONFLICT DO NOTHING``, ``INSERT OR REPLACE`` -> an upsert on
the first column (the table's key), ``INDEXED BY`` dropped; an insert's new
row id comes from ``RETURNING id``; ``zeroblob(n)`` is an empty ``BYTEA``
(PostgreSQL writes no bytes in place: :meth:`PostgresConnection.blob` writes
the whole value). The schema (``CURRENT_SCHEMA``) is translated too:
``INTEGER PRIMARY KEY`` -> an identity column, ``INTEGER`` -> ``BIGINT``
(micro-seconds do not fit 32 bits), ``BLOB`` -> ``BYTEA``, ``WITHOUT ROWID``
dropped. What SQLite keeps in ``PRAGMA application_id`` and ``user_version``
is the table ``store_meta``.

An archive's zip (``archives.data``) is read and written in pieces, as
SQLite's ``blobopen`` does: read with ``substring`` a piece at a time (the
column is stored uncompressed out of line, ``STORAGE EXTERNAL``, so a piece
reads only its own pages), written through ``COPY`` into a temporary table
and moved into its row by one ``UPDATE``, in the caller's transaction. This
process never holds more than a piece of it.

Writes are kept apart by transaction-level advisory locks taken at ``BEGIN``
(:data:`WRITE_LOCK`): a write holds it alone, as SQLite's ``BEGIN IMMEDIATE``
holds the file, while ingests (``add_attempts``) share it, so ingests into
different campaigns run side by side; each also holds its campaign's lock, so
ingests into one campaign take turns. Their ingest numbers come from the
sequence ``ingest_numbers``, which is not commit-ordered: an ingest may take
lower numbers than one that commits before it. An export job is safe anyway:
it reads the sequence reached (:meth:`PostgresConnection.reached`) in a write
that holds :data:`WRITE_LOCK` alone, when no ingest is in flight, so every
number at or below it is committed (or rolled back) and every later one is
above it (``docs/store.md``, "the watermark"). A read is one ``REPEATABLE
READ READ ONLY`` transaction: one snapshot, which never waits for a writer.

A lease (who runs a job, or delivers a campaign's archives) is a
session-level advisory lock (:class:`AdvisoryLeases`), held on a connection
of its own for the holder's whole turn: the holder's death, on any host,
closes that connection and so frees the lease. No row, expiry or process
check is needed.

Text PostgreSQL cannot hold (a NUL character) is stored escaped, and read
back unescaped, by the connection's own adapters (:class:`_TextDumper`).
"""

from __future__ import annotations

import binascii
import contextlib
import functools
import io
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, BinaryIO, ClassVar, Final, NamedTuple, cast

import psycopg
from psycopg import errors as pg_errors
from psycopg.pq import TransactionStatus
from psycopg.types.string import StrDumperUnknown, TextBinaryLoader, TextLoader

from ..errors import StoreError
from ._engine import Connection, Engine, EngineKind, HeldLock, Leased, Leases, Numbering, Rows
from ._schema import (
    APPLICATION_ID,
    BYTES_COLUMNS,
    CURRENT_SCHEMA,
    FIRST_POSTGRES_VERSION,
    SCHEMA_VERSION,
    statements,
)
from ._url import shown_url, url_passwords

__all__ = [
    "AdvisoryLeases",
    "PostgresConnection",
    "PostgresEngine",
    "schema_statements",
    "translate",
]

#: The key of the advisory lock every write holds: alone, or shared by ingests.
WRITE_LOCK: Final = APPLICATION_ID
#: The first keys (of the two-key space) of the locks a write holds beside others.
_HELD: Final[dict[HeldLock, int]] = {"campaign": 0x43435201, "names": 0x43435202}
#: Rows one write must change for its table's statistics to be made anew.
_ANALYZE_AFTER: Final = 10_000
#: Ingest numbers an ingest takes from the sequence at a time.
_NUMBERS_AT_ONCE: Final = 1000
#: The high bits of a lease's advisory lock key, by what it is held on; the
#: low 48 bits are the job's or campaign's id. Never :data:`WRITE_LOCK`.
_LEASE_SPACES: Final[dict[Leased, int]] = {"job": 1 << 48, "campaign": 2 << 48}
#: How soon the server gives up on a lease holder's host that vanished without
#: closing its connection: keepalives after this idle time, this often, this many.
_KEEPALIVES: Final = (30, 10, 3)
#: Rows a streaming read fetches at a time.
_STREAM_ROWS: Final = 2000
#: The most bytes of a BYTEA one read of :meth:`PostgresConnection.blob` asks for.
_BLOB_PIECE: Final = 1024 * 1024
#: The columns read in pieces (:meth:`PostgresConnection.blob`): kept uncompressed
#: out of line (``STORAGE EXTERNAL``), so that ``substring`` reads only a piece's pages.
#: A zip would not compress anyway.
_PIECEWISE: Final = (("archives", "data"),)
#: The temporary table a BYTEA written in pieces is copied into first.
_UPLOAD: Final = "store_blob_upload"
#: What ``store_meta`` holds: the two values SQLite keeps as PRAGMAs.
_META: Final = """
CREATE TABLE store_meta (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
)
"""
#: A read transaction: one snapshot, which never waits for a writer.
_BEGIN_SNAPSHOT: Final = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
#: What PostgreSQL's exported snapshot ids look like (``00000003-0000001B-1``).
_SNAPSHOT_ID: Final = re.compile(r"[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+")
#: The ingest sequence (SQLite keeps it in ``counters``): see the module's text.
_NUMBERS: Final = "CREATE SEQUENCE ingest_numbers AS BIGINT"

# --- translating SQLite's SQL -------------------------------------------------------------

#: A string literal, or a placeholder (``?``), or a ``%``: what :func:`translate` rewrites.
_TOKENS: Final = re.compile(r"'(?:[^']|'')*'|\?|%")
_INDEXED_BY: Final = re.compile(r"\s+INDEXED BY \w+")
_OR_IGNORE: Final = re.compile(r"^(\s*)INSERT OR IGNORE INTO\b", re.IGNORECASE)
_OR_REPLACE: Final = re.compile(
    r"^(\s*)INSERT OR REPLACE INTO (\w+) \(([^)]*)\)", re.IGNORECASE | re.DOTALL
)
#: SQLite's ``zeroblob(n)``: on PostgreSQL an empty BYTEA (its parameter still taken).
_ZEROBLOB: Final = re.compile(r"\bzeroblob\(\?\)", re.IGNORECASE)


def _placeholders(sql: str) -> str:
    def replace(token: re.Match[str]) -> str:
        text = token.group()
        if text == "?":
            return "%s"
        if text == "%":
            return "%%"
        # A string literal: a ``%`` inside is still psycopg's, ``?`` is text.
        return text.replace("%", "%%")

    return _TOKENS.sub(replace, sql)


@functools.lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """One statement of the store's SQL (SQLite's dialect) in PostgreSQL's, for psycopg."""
    text = _ZEROBLOB.sub("substring(''::bytea FOR ?::integer)", _INDEXED_BY.sub("", sql))
    if _OR_IGNORE.match(text):
        text = _OR_IGNORE.sub(r"\1INSERT INTO", text).rstrip() + " ON CONFLICT DO NOTHING"
    elif replace := _OR_REPLACE.match(text):
        columns = [column.strip() for column in replace.group(3).split(",")]
        updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns[1:])
        text = (
            _OR_REPLACE.sub(r"\1INSERT INTO \2 (\3)", text).rstrip()
            + f" ON CONFLICT ({columns[0]}) DO UPDATE SET {updates}"
        )
    return _placeholders(text)


_PLAIN_INSERT: Final = re.compile(
    r"^\s*INSERT INTO (\w+) \(([\w\s,]+)\) VALUES \(\?(?:\s*,\s*\?)*\)\s*$", re.IGNORECASE
)
_KEYED_UPDATE: Final = re.compile(
    r"^\s*UPDATE (\w+) SET ((?:\w+ = \?\s*,\s*)*\w+ = \?) WHERE (\w+) = \?\s*$", re.IGNORECASE
)


class _Bulk(NamedTuple):
    """A statement run once per row, done in bulk: ``COPY`` the rows, then one statement.

    Attributes:
        prepare: run first (the temporary table an update copies its rows into), or None.
        copy: the ``COPY`` of the rows.
        apply: run last (the update from that table, which is then emptied), or None.
    """

    prepare: str | None
    copy: str
    apply: str | None


@functools.lru_cache(maxsize=128)
def _bulk(sql: str) -> _Bulk | None:
    """How ``sql``, run once per row, is done in bulk; None for a statement run row by row.

    A plain ``INSERT`` is a ``COPY`` into its table, with the same checks. An
    ``UPDATE`` of columns by a key copies the rows into a temporary table and
    updates from it in one statement (for rows whose keys differ: see
    :meth:`PostgresConnection.executemany`).
    """
    if insert := _PLAIN_INSERT.match(sql):
        table, columns = insert.groups()
        names = ", ".join(column.strip() for column in columns.split(","))
        return _Bulk(None, f"COPY {table} ({names}) FROM STDIN", None)
    if update := _KEYED_UPDATE.match(sql):
        table, settings, key = update.groups()
        columns = [setting.split("=")[0].strip() for setting in settings.split(",")]
        rows = f"_bulk_{table}"
        names = ", ".join([*columns, key])
        assignments = ", ".join(f"{column} = {rows}.{column}" for column in columns)
        return _Bulk(
            # Names from the store's own statements (a pattern of \w+), never data.
            f"CREATE TEMP TABLE IF NOT EXISTS {rows} ON COMMIT DELETE ROWS AS "  # noqa: S608
            f"SELECT {names} FROM {table} WITH NO DATA",
            f"COPY {rows} ({names}) FROM STDIN",
            f"UPDATE {table} SET {assignments} FROM {rows} "  # noqa: S608
            f"WHERE {table}.{key} = {rows}.{key}; TRUNCATE {rows}",
        )
    return None


_TABLE: Final = re.compile(r"^\s*CREATE TABLE (\w+)")


_ROWID_TABLE: Final = re.compile(r"^\s*CREATE TABLE (\w+) \(\s*id INTEGER PRIMARY KEY\b")
_INDEX: Final = re.compile(r"^(\s*CREATE INDEX \w+ ON (\w+) \()([^)]*)\)")


def schema_statements(script: str = CURRENT_SCHEMA) -> list[str]:
    """The statements of the store's schema (SQLite's dialect), each in PostgreSQL's.

    An index of a table whose ``id`` is SQLite's rowid ends with ``id`` there
    (SQLite's indexes hold the rowid as their last column): a list's records
    come back by ``id`` from their index alone, and so they do on PostgreSQL.
    """
    translated = []
    rowid_tables: set[str] = set()
    for statement in statements(script):
        text = statement.rstrip()
        if rowid := _ROWID_TABLE.match(text):
            rowid_tables.add(rowid.group(1))
        if (index := _INDEX.match(text)) and index.group(2) in rowid_tables:
            columns = [column.strip() for column in index.group(3).split(",")]
            if columns[-1] != "id":
                text = _INDEX.sub(rf"\1{', '.join([*columns, 'id'])})", text)
        text = re.sub(r"\) WITHOUT ROWID\s*$", ")", text)
        text = text.replace("INTEGER PRIMARY KEY REFERENCES", "BIGINT PRIMARY KEY REFERENCES")
        text = re.sub(
            r"INTEGER PRIMARY KEY( AUTOINCREMENT)?",
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            text,
        )
        text = re.sub(r"\bINTEGER\b", "BIGINT", text)
        text = re.sub(r"\bBLOB\b", "BYTEA", text)
        table = _TABLE.match(text)
        for name, column in BYTES_COLUMNS:
            if table is not None and table.group(1) == name:
                text = re.sub(rf"(\n\s*{column}) TEXT\b", r"\1 BYTEA", text)
        translated.append(_placeholders(text))
        if table is not None:
            translated += [
                f"ALTER TABLE {name} ALTER COLUMN {column} SET STORAGE EXTERNAL"
                for name, column in _PIECEWISE
                if name == table.group(1)
            ]
    return translated


# --- text PostgreSQL cannot hold -----------------------------------------------------------

#: Marks a stored text that was escaped: one that holds a NUL, or starts with the mark.
_MARK: Final = "\ufdd0"


def _escaped(text: str) -> str:
    if "\x00" not in text and not text.startswith(_MARK):
        return text
    return _MARK + text.replace("\\", "\\\\").replace("\x00", "\\0")


def _unescaped(text: str) -> str:
    if not text.startswith(_MARK):
        return text
    return re.sub(r"\\(.)", lambda m: "\x00" if m.group(1) == "0" else m.group(1), text[1:])


class _TextDumper(StrDumperUnknown):
    """Python's text as a parameter, escaped where PostgreSQL's text cannot hold it."""

    def dump(self, obj: str) -> bytes | bytearray | memoryview | None:
        return super().dump(_escaped(obj))


def _given_back(text: str | bytes) -> str:
    """A ``text`` value as loaded, back to the text that was given (:class:`_TextDumper`)."""
    return _unescaped(text) if isinstance(text, str) else text.decode()


class _TextLoader(TextLoader):
    """A ``text`` value read back as the text that was given."""

    def load(self, data: Any) -> str:
        return _given_back(super().load(data))


class _TextBinaryLoader(TextBinaryLoader):
    """:class:`_TextLoader` for values sent in binary (as streamed reads ask)."""

    def load(self, data: Any) -> str:
        return _given_back(super().load(data))


# --- connections ---------------------------------------------------------------------------


class PostgresConnection:
    """A psycopg connection behind the store's :class:`Connection` (SQLite's SQL, translated)."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Rows:
        return self.raw.execute(translate(sql), parameters)

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> object:
        rows = list(parameters)
        if not rows:
            return None
        bulk = _bulk(sql)
        # An update by a key is one statement only for rows whose keys differ: rows
        # run one by one leave the last row's values, a join any one's.
        if bulk is not None and bulk.prepare is not None and len({r[-1] for r in rows}) < len(rows):
            bulk = None
        with self.raw.cursor() as cursor:
            if bulk is None:
                cursor.executemany(translate(sql), rows)
                return None
            # Many rows in one stream: far less work, here and on the server, than
            # one statement a row.
            if bulk.prepare is not None:
                cursor.execute(bulk.prepare)
            with cursor.copy(bulk.copy) as stream:
                for row in rows:
                    stream.write_row(row)
            if bulk.apply is not None:
                cursor.execute(bulk.apply)
        return None

    def insert(self, sql: str, parameters: Sequence[Any]) -> int:
        row = self.raw.execute(translate(f"{sql} RETURNING id"), parameters).fetchone()
        assert row is not None  # noqa: S101 - RETURNING gives the row inserted
        return int(row[0])

    def stream(self, sql: str, parameters: Sequence[Any]) -> Iterator[Any]:
        # The server sends every row at once and the rows are read a chunk at
        # a time as they are asked for: the server works on while this
        # process does, and memory holds one chunk (and the socket's buffer).
        # In binary, BYTEA comes as its bytes, not as hex text twice their size.
        with self.raw.cursor() as cursor:
            yield from cursor.stream(translate(sql), parameters, binary=True, size=_STREAM_ROWS)

    def blob(
        self, table: str, column: str, row: int, *, readonly: bool
    ) -> contextlib.AbstractContextManager[BinaryIO]:
        """The BYTEA of the row whose ``id`` is ``row``, read or written a piece at a time.

        Read: each ``read`` is one ``substring`` of at most :data:`_BLOB_PIECE`
        bytes, in the caller's transaction (its snapshot). Written: the bytes
        written replace the value, once the block ends, in the caller's
        transaction; they reach the server as they are written.

        Raises:
            psycopg.Error: no such row (``NoDataFound``), or the database's error.
        """
        if readonly:
            return _ByteaReader(self.raw, table, column, row)
        return self._written(table, column, row)

    @contextlib.contextmanager
    def _written(self, table: str, column: str, row: int) -> Iterator[BinaryIO]:
        raw = self.raw
        # COPY streams the bytes to the server (hex, in COPY's text format): no
        # statement parameter ever holds the whole value in this process.
        raw.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_UPLOAD} (data BYTEA) ON COMMIT DROP")
        with raw.cursor() as cursor, cursor.copy(f"COPY {_UPLOAD} (data) FROM STDIN") as copy:
            copy.write(b"\\\\x")  # "\\x": COPY's escaped backslash, then BYTEA's hex mark
            yield cast("BinaryIO", _CopyWriter(copy))
            copy.write(b"\n")
        moved = raw.execute(
            f"UPDATE {table} SET {column} = (SELECT data FROM {_UPLOAD}) WHERE id = %s",  # noqa: S608
            (row,),
        ).rowcount
        raw.execute(f"DELETE FROM {_UPLOAD}")  # noqa: S608 - a constant
        if moved != 1:
            raise pg_errors.NoDataFound(f"{table} has no row {row} to write {column} of")

    def hold(self, lock: HeldLock, key: int) -> None:
        self.raw.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_HELD[lock], key))

    def numbering(self) -> Numbering:
        return _SequenceNumbering(self.raw)

    def loaded(self, table: str, rows: int) -> None:
        # After a large load the planner's statistics are stale (autovacuum comes
        # later): a list's records would then be sorted, on disk, instead of read
        # in order from their index. PostgreSQL's advice is ANALYZE after a bulk load.
        if rows >= _ANALYZE_AFTER:
            self.raw.execute(f"ANALYZE {table}")

    def reached(self) -> int:
        row = self.raw.execute(
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM ingest_numbers"
        ).fetchone()
        assert row is not None  # noqa: S101 - a sequence has one row
        return int(row[0])

    def close(self) -> None:
        self.raw.close()


class _SequenceNumbering:
    """PostgreSQL's ingest sequence, taken :data:`_NUMBERS_AT_ONCE` numbers at a time.

    Numbers taken and not used are gaps, which no reader minds: windows are
    ranges of numbers, not counts.
    """

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self._raw = raw
        self._numbers: Iterator[int] = iter(())

    def take(self) -> int:
        number = next(self._numbers, None)
        if number is None:
            rows = self._raw.execute(
                "SELECT nextval('ingest_numbers') FROM generate_series(1, %s)",
                (_NUMBERS_AT_ONCE,),
            ).fetchall()
            self._numbers = iter(sorted(row[0] for row in rows))
            number = next(self._numbers)
        return int(number)

    def save(self) -> None:
        pass  # the sequence keeps what was taken, whatever becomes of the transaction


class _ByteaReader(io.RawIOBase):
    """A BYTEA read a piece at a time: one ``substring`` per ``read``, in the caller's snapshot."""

    def __init__(self, raw: psycopg.Connection[Any], table: str, column: str, row: int) -> None:
        super().__init__()
        self._raw = raw
        self._row = row
        self._piece = (
            f"SELECT substring({column} FROM %s::integer FOR %s::integer) "  # noqa: S608
            f"FROM {table} WHERE id = %s"
        )
        found = raw.execute(
            f"SELECT octet_length({column}) FROM {table} WHERE id = %s",  # noqa: S608
            (row,),
        ).fetchone()
        if found is None:
            raise pg_errors.NoDataFound(f"{table} has no row {row}")
        self._size: int = found[0]
        self._at = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        count = min(len(view), self._size - self._at, _BLOB_PIECE)
        if count <= 0:
            return 0
        found = self._raw.execute(self._piece, (self._at + 1, count, self._row)).fetchone()
        if found is None or found[0] is None:  # pragma: no cover - the snapshot holds the row
            raise pg_errors.NoDataFound(f"the row {self._row} is gone")
        piece: bytes = found[0]
        view[: len(piece)] = piece
        self._at += len(piece)
        return len(piece)

    def __enter__(self) -> BinaryIO:  # type: ignore[override]
        return cast("BinaryIO", self)


class _CopyWriter(io.RawIOBase):
    """The bytes of one BYTEA, written into a ``COPY ... FROM STDIN`` as hex."""

    def __init__(self, copy: psycopg.Copy) -> None:
        super().__init__()
        self._copy = copy

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        piece = memoryview(data).cast("B")
        self._copy.write(binascii.hexlify(piece))
        return len(piece)


class PostgresEngine(Engine):
    """The store in the PostgreSQL database at ``url`` (in its current schema).

    Credentials come from where libpq reads them (the URL, ``~/.pgpass``,
    ``PGPASSWORD``, a service file); no message shows a password.
    """

    kind: ClassVar[EngineKind] = "postgresql"

    def __init__(self, url: str, timeout: float) -> None:
        self._url = url
        self.name = shown_url(url)
        self.errors = (psycopg.Error,)
        self._timeout = timeout
        self._secrets = url_passwords(url)

    # --- connections ------------------------------------------------------------------

    def _connection(self) -> PostgresConnection:
        try:
            raw = psycopg.connect(self._url, autocommit=True)
        except psycopg.Error as error:
            raise self._message(f"cannot be opened ({self._clean(error)})") from None
        try:
            adapters = raw.adapters
            adapters.register_dumper(str, _TextDumper)
            adapters.register_loader("text", _TextLoader)
            adapters.register_loader("text", _TextBinaryLoader)
            # Waits for a lock (another writer's) end after the store's timeout, and
            # every commit is durable, as SQLite's synchronous = FULL has it.
            raw.execute(
                "SELECT set_config('lock_timeout', %s, false), "
                "set_config('synchronous_commit', 'on', false)",
                (f"{max(1, round(self._timeout * 1000))}ms",),
            )
        except psycopg.Error as error:
            raw.close()
            raise self.error(error) from None
        return PostgresConnection(raw)

    def open(self) -> Connection:
        connection = self._connection()
        try:
            if self._version(connection) != SCHEMA_VERSION:
                with self.transaction(connection, write=True):
                    if self._version(connection) is None:
                        self._create(connection)
        except psycopg.Error as error:
            connection.close()
            raise self.error(error) from None
        except BaseException:
            connection.close()
            raise
        return connection

    def connect(self) -> Connection:
        return self._connection()

    def _version(self, connection: PostgresConnection) -> int | None:
        """The store's schema version; None for an empty database.

        Raises:
            StoreError: the database holds tables, but not a results store's,
                or a store of a newer (or older) schema.
        """
        raw = connection.raw
        (meta,) = raw.execute("SELECT to_regclass('store_meta') IS NOT NULL").fetchone() or (0,)
        if not meta:
            (tables,) = raw.execute(
                "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"
            ).fetchone() or (0,)
            if tables:
                raise self._message("is a PostgreSQL database, but not a results store")
            return None
        values = dict(raw.execute("SELECT name, value FROM store_meta").fetchall())
        version = values.get("schema_version")
        if values.get("application_id") != APPLICATION_ID or not isinstance(version, int):
            raise self._message("is a PostgreSQL database, but not a results store")
        if version > SCHEMA_VERSION:
            raise self._message(
                f"was written by a newer version of cloudcontact_results (schema version "
                f"{version}; this version reads up to {SCHEMA_VERSION})"
            )
        if version < FIRST_POSTGRES_VERSION:
            raise self._message(
                f"has schema version {version}, older than any PostgreSQL store (the first "
                f"were of version {FIRST_POSTGRES_VERSION}): cloudcontact_results did not write it"
            )
        if version < SCHEMA_VERSION:  # pragma: no cover - none yet (FIRST_POSTGRES_VERSION)
            raise self._message(f"has schema version {version}, not upgraded on PostgreSQL yet")
        return version

    @staticmethod
    def _create(connection: PostgresConnection) -> None:
        raw = connection.raw
        for statement in schema_statements():
            raw.execute(statement, ())
        raw.execute(_META)
        raw.execute(_NUMBERS)
        raw.execute(
            "INSERT INTO store_meta (name, value) VALUES ('application_id', %s), "
            "('schema_version', %s)",
            (APPLICATION_ID, SCHEMA_VERSION),
        )

    # --- transactions -----------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(
        self, connection: Connection, *, write: bool, ingest: bool = False
    ) -> Iterator[Connection]:
        assert isinstance(connection, PostgresConnection)  # noqa: S101 - this engine's own
        raw = connection.raw
        try:
            if write:
                raw.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
                # Held to the end of the transaction: shared by ingests, alone otherwise.
                lock = "pg_advisory_xact_lock_shared" if ingest else "pg_advisory_xact_lock"
                raw.execute(f"SELECT {lock}(%s)", (WRITE_LOCK,))
            else:
                raw.execute(_BEGIN_SNAPSHOT)
            yield connection
        except BaseException:
            _rollback(raw)
            raise
        try:
            raw.execute("COMMIT")
        except BaseException:
            _rollback(raw)
            raise

    def begin_snapshot(self, connection: Connection) -> None:
        connection.execute(_BEGIN_SNAPSHOT)

    def begin_shared_snapshot(self, connection: Connection) -> str | None:
        connection.execute(_BEGIN_SNAPSHOT)
        (snapshot_id,) = connection.execute("SELECT pg_export_snapshot()").fetchone()
        return str(snapshot_id)

    def join_snapshot(self, connection: Connection, snapshot_id: str) -> None:
        if not _SNAPSHOT_ID.fullmatch(snapshot_id):
            raise self._message(f"{snapshot_id!r} is not a snapshot's id")
        connection.execute(_BEGIN_SNAPSHOT)
        try:
            # A statement of its own: PostgreSQL takes no parameter here (the id is checked).
            connection.execute(f"SET TRANSACTION SNAPSHOT '{snapshot_id}'")
        except psycopg.Error as error:
            raise self._message(
                "the snapshot this part was planned in has ended: keep the bag store_bag "
                f"made (or a bag made from it) until it is computed ({self.error(error).reason})",
            ) from error

    def leases(self) -> Leases:
        return AdvisoryLeases(self)

    # --- errors -----------------------------------------------------------------------

    def error(self, error: Exception) -> StoreError:
        message = self._clean(error)
        if isinstance(error, pg_errors.LockNotAvailable):
            return self._message(f"another process kept the store locked too long ({message})")
        if isinstance(error, (pg_errors.DeadlockDetected, pg_errors.SerializationFailure)):
            return self._message(f"a write beside this one crossed it: nothing written ({message})")
        if isinstance(error, psycopg.OperationalError):
            return self._message(f"cannot be reached ({message})")
        return self._message(message)

    def _clean(self, error: Exception) -> str:
        message = " ".join(str(error).split())
        for secret in self._secrets:
            message = message.replace(secret, "***")
        return message

    def _message(self, message: str) -> StoreError:
        return StoreError(self.name, message)


class AdvisoryLeases(Leases):
    """Leases as session-level advisory locks, on a connection of their own.

    A turn takes the lock (``pg_try_advisory_lock``, never waiting) and
    gives it back at its end; the steps of the turn find the lease theirs.
    The lock lives as long as the connection: a holder that dies, or whose
    host vanishes (the server's keepalives find it gone), frees it, and the
    next holder redoes the run it left. A step that finds the connection
    lost raises: its lease may be another holder's by now, so the step's
    transaction (a run's finish) is rolled back.
    """

    def __init__(self, engine: PostgresEngine) -> None:
        self._engine = engine
        self._session: PostgresConnection | None = None
        self._turns: set[tuple[Leased, int]] = set()
        self._steps: set[tuple[Leased, int]] = set()
        self._lock = threading.Lock()

    def _connection(self) -> psycopg.Connection[Any]:
        if self._session is None:
            session = self._engine.connect()
            assert isinstance(session, PostgresConnection)  # noqa: S101 - the engine's own
            try:
                idle, interval, count = _KEEPALIVES
                session.raw.execute(
                    "SELECT set_config('tcp_keepalives_idle', %s, false), "
                    "set_config('tcp_keepalives_interval', %s, false), "
                    "set_config('tcp_keepalives_count', %s, false)",
                    (str(idle), str(interval), str(count)),
                )
            except BaseException:
                session.close()
                raise
            self._session = session
        return self._session.raw

    def _try(self, key: tuple[Leased, int]) -> bool:
        on, number = key
        try:
            (taken,) = self._connection().execute(
                "SELECT pg_try_advisory_lock(%s)", (_LEASE_SPACES[on] + number,)
            ).fetchone() or (False,)
        except psycopg.Error:
            self._drop()  # the next call opens a new connection
            raise
        return bool(taken)

    def _check(self, on: Leased, key: int) -> None:
        """Raise if the lease connection (so every lease it holds) is lost.

        Raises:
            StoreError: naming the lease; the caller's transaction is rolled back.
        """
        try:
            self._connection().execute("SELECT 1")
        except psycopg.Error as error:
            self._drop()
            raise self._engine._message(  # noqa: SLF001 - the engine of this module
                f"the lease of {on} row {key} was lost with its connection "
                f"({self._engine._clean(error)}); this step is not recorded, and the "  # noqa: SLF001
                "lease's next holder redoes it"
            ) from None

    def _unlock(self, key: tuple[Leased, int]) -> None:
        on, number = key
        if self._session is not None and not self._session.raw.closed:
            with contextlib.suppress(psycopg.Error):
                self._session.raw.execute(
                    "SELECT pg_advisory_unlock(%s)", (_LEASE_SPACES[on] + number,)
                )

    def _drop(self) -> None:
        session, self._session = self._session, None
        self._turns.clear()
        self._steps.clear()
        if session is not None:
            with contextlib.suppress(psycopg.Error):
                session.close()

    def take(self, connection: Connection, on: Leased, key: int) -> bool:
        del connection  # the lease is the lock connection's, not the transaction's
        with self._lock:
            if (on, key) in self._turns or (on, key) in self._steps:
                self._check(on, key)
                return True
            if not self._try((on, key)):
                return False
            self._steps.add((on, key))
            return True

    def give_back(self, connection: Connection, on: Leased, key: int) -> None:
        del connection
        with self._lock:
            if (on, key) in self._turns:
                self._check(on, key)  # the step commits only while the lease is still ours
            elif (on, key) in self._steps:
                self._steps.discard((on, key))
                self._unlock((on, key))

    @contextlib.contextmanager
    def turn(self, on: Leased, key: int) -> Iterator[bool]:
        with self._lock:
            if (on, key) in self._turns:
                owner = False  # a turn of this store object (another thread) holds it
                taken = True
            else:
                taken = owner = self._try((on, key))
                if owner:
                    self._turns.add((on, key))
        try:
            yield taken
        finally:
            if owner:
                with self._lock:
                    self._turns.discard((on, key))
                    if (on, key) not in self._steps:
                        self._unlock((on, key))

    def close(self) -> None:
        with self._lock:
            self._drop()


def _rollback(raw: psycopg.Connection[Any]) -> None:
    if not raw.closed and raw.info.transaction_status != TransactionStatus.IDLE:
        with contextlib.suppress(psycopg.Error):
            raw.execute("ROLLBACK")
