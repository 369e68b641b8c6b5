"""Opening a store's database: a file is SQLite's, a ``postgresql://`` URL PostgreSQL's."""

from __future__ import annotations

import os
from typing import Final

from ..errors import StoreError
from ._engine import Engine
from ._sqlite import SqliteEngine

__all__ = ["is_url", "open_engine"]

#: The schemes of a PostgreSQL store's URL.
_POSTGRES_SCHEMES: Final = ("postgresql://", "postgres://")


def is_url(target: object) -> bool:
    """Whether ``target`` names a PostgreSQL store (a URL), not a file."""
    return isinstance(target, str) and target.lower().startswith(_POSTGRES_SCHEMES)


def open_engine(target: str | os.PathLike[str], timeout: float) -> Engine:
    """The engine of the store at ``target``, a file or a URL (its ``open`` checks the store).

    Raises:
        StoreError: a PostgreSQL URL without ``psycopg`` installed.
    """
    if is_url(target):
        # Imported only for such a URL: psycopg is an extra ([postgres]).
        try:
            from ._postgres import PostgresEngine  # noqa: PLC0415
        except ImportError as error:
            if error.name is None or not error.name.startswith("psycopg"):
                raise
            raise StoreError(
                "postgresql://…",
                "a PostgreSQL store needs psycopg: pip install 'cloudcontact-results[postgres]'",
            ) from None

        return PostgresEngine(str(target), timeout)
    return SqliteEngine(target, timeout)
