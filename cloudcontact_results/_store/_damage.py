"""Values of a store that cannot be read back: the library's error, naming table and row.

SQLite's integrity check says nothing about what the store's own columns
hold: a definition that is no longer JSON, a zone name no time zone has, a
packed record cut short. Reading such a value raises whatever the decoder
raises (``JSONDecodeError``, ``ZoneInfoNotFoundError``, ``EOFError``, a
model's own error); :func:`reading` turns those into :class:`Damaged`, and
the store turns that into a :class:`StoreError` naming the store, the table
and the row.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Final

from .._shown import cut
from ..errors import ResultsError, StoreError

__all__ = ["DAMAGE", "Damaged", "reading"]

#: What decoding a damaged value may raise. ``ZoneInfoNotFoundError`` is a
#: ``KeyError``, ``JSONDecodeError`` and the library's data errors are
#: ``ValueError``\\ s, marshal's short reads are ``EOFError``\\ s.
DAMAGE: Final = (
    ValueError,
    TypeError,
    LookupError,
    AttributeError,
    EOFError,
    ArithmeticError,
    RecursionError,
    # ZoneInfo of a damaged zone name that is a folder of the zone database
    # ("America") opens the folder.
    IsADirectoryError,
)


class Damaged(Exception):  # noqa: N818 - internal, always turned into a StoreError
    """A stored value of ``table``'s row ``row`` that cannot be read back."""

    def __init__(self, table: str, row: object, error: BaseException) -> None:
        super().__init__(table, row, error)
        self.table = table
        self.row = row
        self.error = error

    def store_error(self, path: str) -> StoreError:
        """The library's error for this damage, in the store at ``path``."""
        why = cut(f"{type(self.error).__name__}: {self.error}")
        return StoreError(
            path, f"table {self.table!r}, row {self.row!r}: a damaged value cannot be read ({why})"
        )


@contextlib.contextmanager
def reading(table: str, row: object) -> Iterator[None]:
    """Turn a decoder's failure inside the block into :class:`Damaged` for ``table``'s ``row``."""
    try:
        yield
    except (Damaged, StoreError):
        raise
    except DAMAGE as error:
        if isinstance(error, ResultsError) and not isinstance(error, ValueError):
            raise
        raise Damaged(table, row, error) from error
