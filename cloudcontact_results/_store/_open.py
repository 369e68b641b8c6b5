"""Opening a store's database: a file is SQLite's, a ``postgresql://`` URL PostgreSQL's."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final

from ..errors import StoreError
from ._engine import Engine
from ._sqlite import SqliteEngine

__all__ = ["default_spool", "is_url", "open_engine"]

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


def default_spool(engine: Engine, path: Path | None) -> Path:
    """Where a store keeps the files it has still to deliver, unless told otherwise.

    Beside an SQLite file (``results.sqlite.spool``); for a PostgreSQL store,
    a folder under the user's cache folder named after the database as
    :attr:`Engine.name` shows it (never with a password), so two stores never
    share one.
    """
    if path is not None:
        return path.absolute().parent / f"{path.name}.spool"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    name = re.sub(r"[^A-Za-z0-9._@-]+", "_", engine.name.partition("://")[2]).strip("._")
    return Path(cache).absolute() / "cloudcontact_results" / "spool" / (name or "store")
