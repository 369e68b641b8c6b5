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

__all__ = ["Connection", "Engine", "EngineKind", "Rows", "SqliteConnection"]

#: The databases a store can be kept in.
EngineKind = Literal["sqlite", "postgresql"]


class Rows(Protocol):
    """What a statement gives back: its rows, one at a time or all, and how many it changed."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


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
        """The BLOB of one row's column, read or written in place."""
        ...

    def close(self) -> None: ...


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
        self, connection: Connection, *, write: bool
    ) -> contextlib.AbstractContextManager[Connection]:
        """One transaction: committed if the block succeeds, rolled back otherwise.

        A write transaction waits for the store's other writers (up to the
        store's timeout) and excludes them until it ends; a read transaction
        reads one snapshot and never waits for a writer.
        """

    @abc.abstractmethod
    def begin_snapshot(self, connection: Connection) -> None:
        """Begin a read transaction of one snapshot, left open for a reader to end."""

    @abc.abstractmethod
    def error(self, error: Exception) -> StoreError:
        """The library's error for one of :attr:`errors`."""

    def unavailable(self, what: str) -> StoreError:
        """The error of a method this kind of store does not offer yet."""
        return StoreError(self.name, f"{what} is not available on a {self.title} store yet")

    @property
    def title(self) -> str:
        """The database's name, as messages write it."""
        return "PostgreSQL" if self.kind == "postgresql" else "SQLite"
