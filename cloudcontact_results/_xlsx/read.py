"""An Excel workbook -> typed rows, with openpyxl in its read-only mode.

A workbook holds typed cells, so nothing is guessed from text: strings are
the text, numbers are counts, date-times are wall-clock times in the zone
``read_report`` is given. The cells then go through the same converters as
a CSV's (dispositions by either name, system notes, ``no match``), so a
workbook and a CSV of the same export read back as the same rows. A cell
written as a formula by someone else gives the value Excel saved with it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Final

from .._files.layout import Layout, layout_of_cells
from .._files.options import ReadOptions
from .._files.rows import Row, RowBuilder, time_cells
from .._files.source import DAMAGED, Source, is_path, open_input, shown
from .._report.columns import ColumnKind
from .._types import import_optional
from ..errors import ReadError

__all__ = ["Workbook", "is_workbook"]

_WORKBOOK_PART: Final = "xl/workbook.xml"
_ZIP_MAGIC: Final = b"PK\x03\x04"
_HALF_SECOND: Final = dt.timedelta(microseconds=500_000)
#: How a workbook's XML spells a character it cannot hold (ECMA-376 ST_Xstring):
#: ``_x000D_`` for a carriage return, ``_x005F_`` for the ``_`` of a literal ``_xHHHH_``.
_ESCAPED: Final = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescaped(text: str) -> str:
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda match: chr(int(match[1], 16)), text)


def is_workbook(source: Source) -> bool:
    """Is ``source`` an Excel workbook (a zip holding ``xl/workbook.xml``)?

    A stream is left where it was; one that cannot seek is never taken for one.
    """
    if is_path(source):
        # Only a regular file can be looked into and then read again: a pipe
        # or a device would lose what this look took from it.
        try:
            if not stat.S_ISREG(Path(source).stat().st_mode):  # type: ignore[arg-type]
                return False
        except (OSError, ValueError):
            return False
        with contextlib.suppress(OSError), open_input(source) as binary:  # type: ignore[arg-type]
            return _holds_workbook(binary)
        return False
    seekable = getattr(source, "seekable", None)
    try:
        if seekable is None or not seekable():
            return False
        start = source.tell()  # type: ignore[union-attr]
        try:
            return _holds_workbook(source)  # type: ignore[arg-type]
        finally:
            source.seek(start)  # type: ignore[union-attr]
    except (OSError, ValueError):
        return False


def _holds_workbook(binary: IO[bytes]) -> bool:
    start = binary.tell()
    if binary.read(4) != _ZIP_MAGIC:
        return False
    binary.seek(start)
    try:
        with zipfile.ZipFile(binary) as archive:
            return _WORKBOOK_PART in archive.namelist()
    except DAMAGED:
        return False  # then read as a zipped CSV, which reports what is wrong


class Workbook:
    """One sheet of a workbook, opened afresh for each pass over its rows."""

    def __init__(self, source: Source, member: str | None) -> None:
        self._source = source
        self._start = None if is_path(source) else source.tell()  # type: ignore[union-attr]
        with self._opened() as book:
            names = list(book.sheetnames)
            if member is not None:
                if member not in names:
                    listed = ", ".join(repr(name) for name in names)
                    raise ReadError(f"the workbook has no sheet {member!r}; sheets: {listed}")
                self.sheet = member
            elif len(names) == 1:
                self.sheet = names[0]
            else:
                listed = ", ".join(repr(name) for name in names)
                raise ReadError(
                    f"the workbook has several sheets; choose one with member=: {listed}"
                )
            header = next(book[self.sheet].iter_rows(values_only=True), ())
        self.header_cells = _header(header)

    def layout(self, script_fields: tuple[str, ...]) -> Layout:
        return layout_of_cells(self.header_cells, script_fields, where=f"sheet {self.sheet!r}")

    @contextlib.contextmanager
    def _opened(self) -> Iterator[Any]:
        openpyxl = import_optional("openpyxl", "xlsx", "read_report() of a workbook")
        with contextlib.ExitStack() as stack:
            if self._start is not None:
                self._source.seek(self._start)  # type: ignore[union-attr]
                target: Any = self._source
            else:
                # A file object: openpyxl would judge a path by its suffix.
                target = stack.enter_context(open_input(os.fspath(self._source)))  # type: ignore[arg-type]
            try:
                book = openpyxl.load_workbook(target, read_only=True, data_only=True)
            except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
                raise ReadError(f"the workbook cannot be read: {exc}") from exc
            try:
                yield book
            finally:
                book.close()

    def rows(
        self,
        layout: Layout,
        options: ReadOptions,
        *,
        fail: Callable[[ReadError], None],
    ) -> Iterator[Row]:
        """The typed rows under the header; a bad one goes to ``fail`` and is dropped."""
        zone = options.zone
        text_times = time_cells(layout, zone, options.datetime_format)
        parse = text_times.parse

        def time(value: Any) -> dt.datetime | None:
            if isinstance(value, dt.datetime):
                # A cell holds days as a float: the nearest second is the time written.
                return (value + _HALF_SECOND).replace(microsecond=0, tzinfo=zone)
            return parse(value)

        builder = RowBuilder.build(layout, text_times, time=time)
        width = len(layout.header)
        times = frozenset(
            position for column, position in layout.columns if column.kind is ColumnKind.TIME
        )
        sheet = self.sheet
        with self._opened() as book:
            cells_of = book[sheet].iter_rows(min_row=2, values_only=True)
            for line, values in enumerate(cells_of, start=2):
                if all(value is None or value == "" for value in values):
                    continue
                extra = [value for value in values[width:] if value is not None]
                if extra:
                    fail(
                        ReadError(
                            f"expected {width} cells like the header, got more",
                            line=line,
                            value=shown(", ".join(map(str, values))),
                            sheet=sheet,
                        )
                    )
                    continue
                cells = [
                    value if position in times and isinstance(value, dt.datetime) else _text(value)
                    for position, value in enumerate(values[:width])
                ]
                cells += [""] * (width - len(cells))
                try:
                    row = builder.row(cells)
                except (ValueError, KeyError, OverflowError):
                    error = builder.explain(cells, line)
                    fail(
                        ReadError(
                            error.reason,
                            line=line,
                            column=error.column,
                            value=error.value,
                            sheet=sheet,
                        )
                    )
                    continue
                yield row


def _header(values: tuple[Any, ...]) -> list[str]:
    cells = [_text(value) for value in values]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _text(value: Any) -> str:
    """A cell's value as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _unescaped(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)
