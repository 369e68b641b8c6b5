"""Leases kept as rows of the store, with an expiry: an SQLite store's.

A lease is a row (``leases`` for a job, ``archive_leases`` for a campaign)
naming its holder: this machine, this process, this store object. A holder
of this machine is seen to be gone when its process is (``os.kill(pid, 0)``);
one of another machine cannot be checked, and holds until the row expires.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import uuid
from collections.abc import Iterator
from typing import Final

import attrs

from ._codec import micros
from ._engine import Connection, Leased, Leases

__all__ = ["LEASE_SECONDS", "Holder", "RowLeases"]

#: How long a lease holds when its holder cannot be checked (another machine).
LEASE_SECONDS: Final = 3600
#: The table and the column of the leases on each kind of key.
_TABLES: Final = {"job": ("leases", "job"), "campaign": ("archive_leases", "campaign")}


@attrs.frozen
class Holder:
    """Who holds a lease: this machine's name, this process, this store object."""

    host: str = attrs.Factory(socket.gethostname)
    pid: int = attrs.Factory(os.getpid)
    token: str = attrs.Factory(lambda: uuid.uuid4().hex)

    @property
    def text(self) -> str:
        return f"{self.host}\t{self.pid}\t{self.token}"

    def yields_to(self, holder: str, expires: int, now: int) -> bool:
        """Whether a lease held by ``holder`` (until ``expires``) keeps us off the job."""
        if holder == self.text or expires <= now:
            return False
        host, _, rest = holder.partition("\t")
        pid_text, _, _ = rest.partition("\t")
        if host != self.host or not pid_text.isdecimal():
            return True  # cannot check another machine's process: wait for the expiry
        pid = int(pid_text)
        if pid == self.pid:
            return True  # another store object of this process is running it
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False  # its holder died: the run it left is ours to redo
        except PermissionError:
            return True
        return True


class RowLeases(Leases):
    """Leases as rows of the store, each taken and given back inside a write transaction."""

    def __init__(self) -> None:
        self.holder = Holder()

    def take(self, connection: Connection, on: Leased, key: int) -> bool:
        table, column = _TABLES[on]
        held = connection.execute(
            f"SELECT holder, expires FROM {table} WHERE {column} = ?",  # noqa: S608 - constants
            (key,),
        ).fetchone()
        wall = micros(dt.datetime.now(dt.UTC))
        if held is not None and self.holder.yields_to(held[0], held[1], wall):
            return False
        connection.execute(
            f"INSERT OR REPLACE INTO {table} ({column}, holder, expires) VALUES (?, ?, ?)",  # noqa: S608
            (key, self.holder.text, wall + LEASE_SECONDS * 1_000_000),
        )
        return True

    def give_back(self, connection: Connection, on: Leased, key: int) -> None:
        table, column = _TABLES[on]
        connection.execute(
            f"DELETE FROM {table} WHERE {column} = ? AND holder = ?",  # noqa: S608 - constants
            (key, self.holder.text),
        )

    @contextlib.contextmanager
    def turn(self, on: Leased, key: int) -> Iterator[bool]:
        # Each step takes its own row: a row held across the turn would be
        # given back by the first step that ends.
        del on, key
        yield True

    def close(self) -> None:
        pass  # the rows are given back by the steps; a row left behind expires
