"""A workbook's sheets read by calamine (``python-calamine``): the fast reader.

calamine parses a sheet in Rust into one grid of cells, from its first used
cell to its last, and hands its rows over one at a time. The grid is held
whole, so a sheet is given to calamine only when ``parts.Survey`` has found
its grid small enough and its cells placed as openpyxl places them. Its
values are the ones openpyxl gives, but for a date-time at midnight, which
calamine gives as a date: the reader takes a date for that date-time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from .._types import import_optional
from .foreign import foreign

__all__ = ["CalamineBook", "calamine_lines"]


class CalamineBook:
    """An open workbook: its sheets' names, and the grid of one of them."""

    def __init__(self, target: IO[bytes]) -> None:
        calamine = import_optional(
            "python_calamine",
            "xlsx",
            "read_report(..., xlsx_engine='calamine')",
            name="python-calamine",
        )
        self._book = calamine.CalamineWorkbook.from_filelike(target)

    @property
    def sheet_names(self) -> list[str]:
        return list(self._book.sheet_names)

    def close(self) -> None:
        with foreign("the workbook cannot be closed"):
            self._book.close()

    def grid(self, sheet: str) -> Any:
        """The sheet's cells, parsed whole: pass it to :func:`calamine_lines`, as often as asked."""
        with foreign("the sheet cannot be read", sheet=sheet):
            return self._book.get_sheet_by_name(sheet)


def calamine_lines(grid: Any, sheet: str) -> Iterator[tuple[int, list[Any]]]:
    """The grid's rows that hold a value (row number, values from column A), in order.

    Empty text and no value are alike (calamine gives ``""`` for both).
    """
    with foreign("the sheet cannot be read", sheet=sheet):
        start = grid.start
        rows = iter(grid.iter_rows())
    if start is None:
        return
    line, first_column = start
    before = [None] * first_column
    # One guard for the whole walk: the grid is parsed already, and a guard a
    # row would cost as much as the row's own cells.
    with foreign("the sheet cannot be read", sheet=sheet):
        for values in rows:
            line += 1
            if values.count("") != len(values):
                yield line, before + values if first_column else values
