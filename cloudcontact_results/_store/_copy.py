"""Copying a whole store into an empty one, between any two databases (``store copy``).

Table by table, in the order their references need (a list after its
campaign, a record after its list), every row as it is: ids and ingest
sequence numbers kept, so export jobs' watermarks, archives' ids and the
windows of later runs mean in the copy what they meant in the source. The
source is read in one read snapshot, streaming; the target is written in one
write transaction, a chunk of rows at a time: memory does not grow with the
store, and the copy is all there or not at all.

Leases (``leases``, ``archive_leases``) are not copied: they say which process
is running a job or delivering archives *of the source* at this moment, not
what the store holds, and a copied lease would keep the target's own
processes off a job until it expired. A job run that was running in the
source is picked up again in the target by the next run of its jobs, as after
any process stopped mid-run.

After the rows, the counters of new ids are set past the ones copied (and past
the highest the source ever gave, so an archive's id is never given twice),
and the ingest sequence to where the source's stands, so rows and attempts
added later never collide with copied ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from ..errors import StoreError
from ._engine import Connection, Engine
from ._schema import CURRENT_SCHEMA

__all__ = ["COPIED_TABLES", "begin_reading", "check_empty", "copy_rows", "table_columns"]

#: Rows written by one statement of the copy, and their bytes at most (archives are large).
_CHUNK_ROWS: Final = 1000
_CHUNK_BYTES: Final = 16 * 1024 * 1024
#: Tables not copied: who holds a lease in the source now (see the module's docstring);
#: and ``counters``, whose one row, the ingest sequence, PostgreSQL keeps elsewhere
#: (``Connection.reached``): the copy sets the target's past the source's.
_NOT_COPIED: Final = frozenset({"leases", "archive_leases", "counters"})

_TABLE: Final = re.compile(r"CREATE TABLE (\w+) \((.*?)\n\)", re.DOTALL)
_COLUMN: Final = re.compile(r"^\s*(\w+) ([A-Z]+)")
_KEYWORDS: Final = frozenset({"UNIQUE", "PRIMARY", "FOREIGN", "CHECK", "CONSTRAINT"})


def table_columns(script: str = CURRENT_SCHEMA) -> dict[str, tuple[str, ...]]:
    """Each table of ``script`` (the store's schema) and its columns, in the schema's order."""
    tables = {}
    for name, body in _TABLE.findall(script):
        columns = []
        for line in body.splitlines():
            column = _COLUMN.match(line)
            if column is not None and column.group(1) not in _KEYWORDS:
                columns.append(column.group(1))
        tables[name] = tuple(columns)
    return tables


#: The tables a copy writes, in the schema's order (which is the order references need).
COPIED_TABLES: Final = {
    name: columns for name, columns in table_columns().items() if name not in _NOT_COPIED
}
#: SQLite's tables whose ids are never given twice (``AUTOINCREMENT``).
_AUTOINCREMENT: Final = tuple(
    name
    for name, body in _TABLE.findall(CURRENT_SCHEMA)
    if "PRIMARY KEY AUTOINCREMENT" in body and name in COPIED_TABLES
)
#: A first read of the source: what takes its snapshot.
_FIRST_READ: Final = "SELECT COUNT(*) FROM campaigns"


def begin_reading(engine: Engine, connection: Connection) -> None:
    """Begin the source's read transaction, its snapshot taken now (not at its first read).

    Both databases take a read transaction's snapshot at its first statement:
    one is read at once, so what is written while the target is being opened
    is not in the copy.

    Raises:
        StoreError: the source cannot be read.
    """
    try:
        engine.begin_snapshot(connection)
        connection.execute(_FIRST_READ).fetchone()
    except engine.errors as error:
        raise engine.error(error) from error


def check_empty(engine: Engine, connection: Connection) -> None:
    """Refuse a target that holds anything: a copy goes into an empty store only.

    Raises:
        StoreError: naming what the target holds.
    """
    for table in COPIED_TABLES:
        if connection.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None:  # noqa: S608 - the schema's names
            raise StoreError(
                engine.name, f"is not empty (its table {table} has rows): copy into a new store"
            )


def copy_rows(
    source: Engine, reader: Connection, target: Engine, writer: Connection
) -> dict[str, int]:
    """Copy every row ``reader`` sees (in its snapshot) through ``writer`` (in its transaction).

    Returns:
        How many rows each table copied.
    """
    copied = {}
    for table, columns in COPIED_TABLES.items():
        names = ", ".join(columns)
        # The first column is the table's key (or the key's first part): rows in key order.
        query = f"SELECT {names} FROM {table} ORDER BY {columns[0]}"  # noqa: S608 - the schema's names
        marks = ", ".join("?" * len(columns))
        statement = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        count = 0
        for chunk in _chunks(_read(source, reader.stream(query, ()))):
            writer.executemany(statement, chunk)
            count += len(chunk)
        copied[table] = count
    try:
        highest = _highest_ids(source, reader)
        # Read after the rows (PostgreSQL's sequence is outside the snapshot): past
        # every number they hold.
        reached = reader.reached()
    except source.errors as error:
        raise source.error(error) from error
    _advance_ids(target, writer, highest)
    _advance_ingest(target, writer, reached)
    return copied


def _read(engine: Engine, rows: Iterator[Any]) -> Iterator[Any]:
    """``rows`` of the source, its database's errors made the library's, naming the source.

    (Errors of the target's statements are the target's: both may be of one kind.)
    """
    try:
        yield from rows
    except engine.errors as error:
        raise engine.error(error) from error


def _chunks(rows: Iterator[Any]) -> Iterator[list[tuple[Any, ...]]]:
    """``rows`` a few at a time: at most :data:`_CHUNK_ROWS`, or about :data:`_CHUNK_BYTES`."""
    chunk: list[tuple[Any, ...]] = []
    size = 0
    for row in rows:
        chunk.append(tuple(row))
        size += sum(len(value) for value in row if isinstance(value, bytes | str))
        if len(chunk) >= _CHUNK_ROWS or size >= _CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _advance_ingest(engine: Engine, connection: Connection, reached: int) -> None:
    """Set the target's ingest sequence to ``reached``: its next number is above the copied."""
    if engine.kind == "sqlite":
        connection.execute("UPDATE counters SET value = ? WHERE name = 'ingest'", (reached,))
    elif reached:
        connection.execute("SELECT setval('ingest_numbers', ?, true)", (reached,))


# --- the counters of new ids ---------------------------------------------------------------

#: PostgreSQL's identity columns of the store's tables, with their sequences.
_IDENTITIES: Final = """
SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name)
FROM information_schema.columns
WHERE table_schema = current_schema() AND is_identity = 'YES'
ORDER BY table_name
"""


def _highest_ids(engine: Engine, connection: Connection) -> dict[str, int]:
    """The highest id the source has ever given, by table, where it keeps one."""
    if engine.kind == "sqlite":
        return {
            str(name): int(seq)
            for name, seq in connection.execute("SELECT name, seq FROM sqlite_sequence")
        }
    highest = {}
    for table, _, sequence in connection.execute(_IDENTITIES, ()).fetchall():
        # The sequence's name is the catalogue's, quoted by it.
        last, called = connection.execute(
            f"SELECT last_value, is_called FROM {sequence}"  # noqa: S608
        ).fetchone()
        highest[str(table)] = int(last) if called else 0
    return highest


def _advance_ids(engine: Engine, connection: Connection, highest: dict[str, int]) -> None:
    """Set the target's counters of new ids past every id copied and ``highest``."""
    if engine.kind == "sqlite":
        # Other tables' new ids follow their highest row already.
        for table in _AUTOINCREMENT:
            (top,) = connection.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()  # noqa: S608
            value = max(int(top), highest.get(table, 0))
            connection.execute("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
            if value:
                connection.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, value)
                )
        return
    for table, column, sequence in connection.execute(_IDENTITIES, ()).fetchall():
        (top,) = connection.execute(
            f"SELECT coalesce(max({column}), 0) FROM {table}"  # noqa: S608 - the catalogue's
        ).fetchone()
        value = max(int(top), highest.get(str(table), 0))
        if value:
            connection.execute("SELECT setval(CAST(? AS regclass), ?, true)", (sequence, value))
