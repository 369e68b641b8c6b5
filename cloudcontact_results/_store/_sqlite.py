"""The SQLite engine: a store in one file (WAL mode), ``sqlite3`` of the standard library."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from ..errors import StoreError
from ._engine import Connection, Engine, EngineKind, Leases, SqliteConnection
from ._leases import RowLeases
from ._schema import connect, retrying, store_error, transaction

__all__ = ["SqliteEngine"]


class SqliteEngine(Engine):
    """The store in the SQLite file at ``path``; checked, created or upgraded when made.

    A write transaction is ``BEGIN IMMEDIATE``: it takes the file's write lock
    at once, so writers are serialised; a read transaction reads the WAL
    snapshot of its first read. Lock waits last up to ``timeout`` seconds.
    """

    kind: ClassVar[EngineKind] = "sqlite"

    def __init__(self, path: str | os.PathLike[str], timeout: float) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.errors = (sqlite3.Error,)
        self._timeout = timeout

    def open(self) -> Connection:
        return connect(self.path, self._timeout)

    def connect(self) -> Connection:
        # SQLite checks the file again: a snapshot's connection is a new open of it.
        return connect(self.path, self._timeout)

    @contextlib.contextmanager
    def transaction(
        self, connection: Connection, *, write: bool, ingest: bool = False
    ) -> Iterator[Connection]:
        del ingest  # every write is one at a time on SQLite
        assert isinstance(connection, SqliteConnection)  # noqa: S101 - this engine's own
        with transaction(self.name, connection, immediate=write, seconds=self._timeout):
            yield connection

    def begin_snapshot(self, connection: Connection) -> None:
        retrying(self.name, lambda: connection.execute("BEGIN"), seconds=self._timeout)

    def leases(self) -> Leases:
        return RowLeases()

    def error(self, error: Exception) -> StoreError:
        assert isinstance(error, sqlite3.Error)  # noqa: S101 - one of ``errors``
        return store_error(self.name, error)
