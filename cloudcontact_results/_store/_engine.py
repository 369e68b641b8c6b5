"""The store's connection seam: the one small interface its code talks to, and opening one.

The store's code runs its SQL through a :class:`Connection` and its
transactions through an :class:`Engine`, whatever the database is. SQL is
written once, in SQLite's dialect with ``?`` placeholders; an engine for
another database translates each statement (``_postgres.py``). Two engines:

- SQLite (``_sqlite.py``): a file, ``sqlite3`` of the standard library;
- PostgreSQL (``_postgres.py``): a ``postgresql://`` or ``postgres://`` URL;
  its module, and ``psycopg``, are imported only when such a store is opened
  (``_open.py``).
"""

from __future__ import annotations

import abc
import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, BinaryIO, ClassVar, Literal, Protocol

from ..errors import StoreError
from ._damage import Damaged

__all__ = [
    "Connection",
    "Engine",
    "EngineKind",
    "HeldLock",
    "Leased",
    "Leases",
    "Numbering",
    "Rows",
    "SqliteConnection",
]

#: The databases a store can be kept in.
EngineKind = Literal["sqlite", "postgresql"]
#: What a write holds while it runs beside other writes (:meth:`Connection.hold`):
#: one campaign's records, or the tables of names shared by every campaign.
HeldLock = Literal["campaign", "names"]
#: What a lease is held on: a job (its runs and their deliveries), or a campaign
#: (its archives' deliveries).
Leased = Literal["job", "campaign"]


class Rows(Protocol):
    """What a statement gives back: its rows, one at a time or all, and how many it changed."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Numbering(Protocol):
    """The store's ingest sequence, as one write transaction takes its numbers."""

    def take(self) -> int:
        """The next number: greater than every number taken before, here or elsewhere."""
        ...

    def save(self) -> None:
        """Record in the transaction the numbers taken so far (where the database needs it)."""
        ...


class Connection(Protocol):
    """A connection to the store: statements in SQLite's dialect, ``?`` placeholders."""

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Rows:
        """Run one statement; its rows."""
        ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> object:
        """Run one statement once per row of ``parameters``."""
        ...

    def insert(self, sql: str, parameters: Sequence[Any]) -> int:
        """Run one ``INSERT`` of a row into a table with an ``id`` column; the new row's id."""
        ...

    def stream(self, sql: str, parameters: Sequence[Any]) -> Iterator[Any]:
        """The rows of one query, read as they are asked for: memory does not grow with them."""
        ...

    def blob(
        self, table: str, column: str, row: int, *, readonly: bool
    ) -> contextlib.AbstractContextManager[BinaryIO]:
        """The BLOB of the row ``row`` (its id), read or written a piece at a time.

        Written, it is the value made with ``zeroblob(size)`` in the same
        transaction: SQLite writes into it in place; PostgreSQL replaces it
        with the bytes written when the block ends.
        """
        ...

    def hold(self, lock: HeldLock, key: int) -> None:
        """Hold ``lock`` on ``key`` to the end of the transaction: writes beside it wait."""
        ...

    def numbering(self) -> Numbering:
        """The ingest sequence for this write transaction."""
        ...

    def loaded(self, table: str, rows: int) -> None:
        """Say that this transaction wrote ``rows`` rows of ``table`` (a database may plan anew)."""
        ...

    def reached(self) -> int:
        """The highest ingest number taken so far.

        Called in a write transaction other than an ingest (no ingest runs
        beside it then): every batch numbered at or below it is committed or
        will never be, and every batch still to come is numbered above it.
        """
        ...

    def close(self) -> None: ...


class _CounterNumbering:
    """SQLite's ingest sequence: one row of ``counters``, written back once a flush.

    SQLite's writers run one at a time, so the row read at the start stays
    this transaction's until it commits: numbers are given in commit order.
    """

    def __init__(self, connection: SqliteConnection) -> None:
        self._connection = connection
        self._reached = connection.reached()

    def take(self) -> int:
        self._reached += 1
        return self._reached

    def save(self) -> None:
        self._connection.execute(
            "UPDATE counters SET value = ? WHERE name = 'ingest'", (self._reached,)
        )


class SqliteConnection(sqlite3.Connection):
    """SQLite's connection with the rest of :class:`Connection`: ``execute`` is SQLite's own."""

    def insert(self, sql: str, parameters: Sequence[Any]) -> int:
        row_id = self.execute(sql, parameters).lastrowid
        if row_id is None:  # pragma: no cover - every INSERT of the store makes a row
            raise sqlite3.OperationalError("an INSERT made no row")
        return row_id

    def stream(self, sql: str, parameters: Sequence[Any]) -> Iterator[Any]:
        # SQLite's cursor reads its rows as they are asked for.
        return self.execute(sql, parameters)

    def blob(
        self, table: str, column: str, row: int, *, readonly: bool
    ) -> contextlib.AbstractContextManager[BinaryIO]:
        return self.blobopen(table, column, row, readonly=readonly)  # type: ignore[return-value]

    def hold(self, lock: HeldLock, key: int) -> None:
        del lock, key  # BEGIN IMMEDIATE already runs SQLite's writers one at a time

    def numbering(self) -> Numbering:
        return _CounterNumbering(self)

    def loaded(self, table: str, rows: int) -> None:
        del table, rows  # SQLite's plans for the store's queries do not depend on statistics

    def reached(self) -> int:
        (value,) = self.execute("SELECT value FROM counters WHERE name = 'ingest'").fetchone()
        return int(value)


class Leases(abc.ABC):
    """One store object's leases: who runs a job, or delivers a campaign's archives, now.

    A lease keeps every other holder (another store object, process or
    host) off its job or campaign until it is given back or its holder is
    gone; a holder that died never keeps it.
    """

    @abc.abstractmethod
    def take(self, connection: Connection, on: Leased, key: int) -> bool:
        """Take (or renew) the lease on ``key`` inside the caller's write transaction.

        False, and nothing taken, while another live holder has it.
        """

    @abc.abstractmethod
    def give_back(self, connection: Connection, on: Leased, key: int) -> None:
        """Give back the lease on ``key`` taken by :meth:`take`, inside a write transaction."""

    @abc.abstractmethod
    def turn(self, on: Leased, key: int) -> contextlib.AbstractContextManager[bool]:
        """Hold the lease on ``key`` across a turn of several transactions, where it can be.

        A job's turn is its run claimed, written, finished and delivered. The
        block gets False when another holder has the lease: the turn is
        theirs. Where a lease is a row with an expiry, each step takes and
        gives back its own, and the turn holds nothing (True).
        """

    @abc.abstractmethod
    def close(self) -> None:
        """Give back what is held; the leases are not taken again."""


class Engine(abc.ABC):
    """One store's database: its connections, their transactions, and its errors.

    Attributes:
        kind: which database.
        name: how errors and ``repr`` name the store (never with a password).
        errors: the exceptions the database's driver raises, made :class:`StoreError`
            by :meth:`error`.
    """

    kind: ClassVar[EngineKind]
    name: str
    errors: tuple[type[Exception], ...]

    @abc.abstractmethod
    def open(self) -> Connection:
        """The store's own connection: the store checked, and created or upgraded if need be.

        Raises:
            StoreError: it is not a results store, or of a newer schema, or
                cannot be reached.
        """

    @abc.abstractmethod
    def connect(self) -> Connection:
        """Another connection to the store :meth:`open` checked (a snapshot's)."""

    @abc.abstractmethod
    def transaction(
        self, connection: Connection, *, write: bool, ingest: bool = False
    ) -> contextlib.AbstractContextManager[Connection]:
        """One transaction: committed if the block succeeds, rolled back otherwise.

        A write transaction waits for the store's other writers (up to the
        store's timeout) and excludes them until it ends; a read transaction
        reads one snapshot and never waits for a writer. An *ingest* (a write
        that only adds results to one campaign's records) may run beside other
        ingests where the database allows it: it holds its campaign
        (:meth:`Connection.hold`), and every other write waits for it.
        """

    @abc.abstractmethod
    def begin_snapshot(self, connection: Connection) -> None:
        """Begin a read transaction of one snapshot, left open for a reader to end."""

    def begin_shared_snapshot(self, connection: Connection) -> str | None:
        """Begin a read transaction as :meth:`begin_snapshot`; the id other connections
        join its snapshot by (:meth:`join_snapshot`), or None where there is none.

        The snapshot lives as long as this transaction.
        """
        self.begin_snapshot(connection)
        return None

    def join_snapshot(self, connection: Connection, snapshot_id: str) -> None:
        """Begin a read transaction of the snapshot ``snapshot_id`` another connection shared.

        Raises:
            StoreError: this database shares no snapshot, or that one has ended.
        """
        del connection  # nothing begun: there is no such snapshot to join
        raise StoreError(self.name, f"shares no snapshot ({snapshot_id!r})")

    @abc.abstractmethod
    def leases(self) -> Leases:
        """New leases, of one store object: its holder is told apart from every other."""

    @abc.abstractmethod
    def error(self, error: Exception) -> StoreError:
        """The library's error for one of :attr:`errors`."""

    @contextlib.contextmanager
    def translated(self) -> Iterator[None]:
        """The block's database errors and damaged values raised as :class:`StoreError`."""
        try:
            yield
        except self.errors as error:
            raise self.error(error) from error
        except Damaged as damage:
            raise damage.store_error(self.name) from damage

    @property
    def title(self) -> str:
        """The database's name, as messages write it."""
        return "PostgreSQL" if self.kind == "postgresql" else "SQLite"
