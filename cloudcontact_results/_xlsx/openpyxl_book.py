"""A workbook's sheets read by openpyxl in its read-only mode: the reader that streams.

Only the rows the sheet holds are parsed: a run of empty rows, or a
dimension claiming a million of them, costs nothing. openpyxl reads any
sheet in memory that does not grow with it, so it reads what calamine
should not (see ``parts.Survey``), and everything when calamine is not
installed.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import IO, Any, Final

from .._types import import_optional
from .foreign import foreign

__all__ = ["OpenpyxlBook"]

#: How a workbook's XML spells a character it cannot hold (ECMA-376 ST_Xstring):
#: ``_x000D_`` for a carriage return, ``_x005F_`` for the ``_`` of a literal ``_xHHHH_``.
_ESCAPED: Final = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescaped(text: str) -> str:
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda match: chr(int(match[1], 16)), text)


class OpenpyxlBook:
    """An open workbook: its sheets' names, and the rows of one of them."""

    def __init__(self, target: IO[bytes]) -> None:
        openpyxl = import_optional("openpyxl", "xlsx", "read_report() of a workbook")
        self._book = openpyxl.load_workbook(target, read_only=True, data_only=True)

    @property
    def sheet_names(self) -> list[str]:
        return list(self._book.sheetnames)

    def close(self) -> None:
        with foreign("the workbook cannot be closed"):
            self._book.close()

    def lines(self, sheet: str) -> Iterator[tuple[int, list[Any]]]:
        """The sheet's rows that hold a value (row number, values from column A), in order.

        A row written again or out of order is skipped, as openpyxl does;
        empty text and no value are alike; text has its ``_xHHHH_`` undone.
        """
        from openpyxl.worksheet._reader import WorkSheetParser  # noqa: PLC0415

        # openpyxl's own row parser, fed as its read-only sheet feeds it, without
        # the sheet's filling of every missing row and column up to the dimension.
        with foreign("the sheet cannot be read", sheet=sheet):
            worksheet = self._book[sheet]
            where = f"the sheet's part {worksheet._worksheet_path!r} cannot be read"  # noqa: SLF001
            parent = worksheet.parent
            source = worksheet._get_source()  # noqa: SLF001
        with contextlib.closing(source):
            with foreign(where, sheet=sheet):
                parser = WorkSheetParser(
                    source,
                    worksheet._shared_strings,  # noqa: SLF001
                    data_only=parent.data_only,
                    epoch=parent.epoch,
                    date_formats=parent._date_formats,  # noqa: SLF001
                    timedelta_formats=parent._timedelta_formats,  # noqa: SLF001
                )
                parsed = parser.parse()
            last = 0
            while True:
                with foreign(where, sheet=sheet):
                    found = next(parsed, None)
                if found is None:
                    return
                line, cells = found
                if not isinstance(line, int) or line <= last:
                    continue  # a row written again or out of order: openpyxl skips it too
                last = line
                present = [
                    (cell["column"], cell["value"])
                    for cell in cells
                    if cell["value"] is not None
                    and cell["value"] != ""
                    and isinstance(cell["column"], int)
                    and cell["column"] >= 1
                ]
                if not present:
                    continue
                values: list[Any] = [None] * max(column for column, _ in present)
                for column, value in present:
                    values[column - 1] = _unescaped(value) if isinstance(value, str) else value
                yield line, values
