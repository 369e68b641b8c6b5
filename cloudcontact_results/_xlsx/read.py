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
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import IO, Any, Final
from xml.etree import ElementTree as ET

from .._files.layout import Layout, layout_of_cells
from .._files.options import ReadOptions
from .._files.rows import Row, RowBuilder, time_cells
from .._files.source import DAMAGED, MiB, ReadLimits, Source, is_path, open_input, shown
from .._report.codecs import CODECS, ValueType
from .._types import FileFormat, import_optional
from ..errors import ReadError, ResultsError

__all__ = ["Workbook", "is_workbook", "open_workbook"]

_WORKBOOK_PART: Final = "xl/workbook.xml"
_ZIP_MAGIC: Final = b"PK\x03\x04"
_HALF_SECOND: Final = dt.timedelta(microseconds=500_000)
#: How a workbook's XML spells a character it cannot hold (ECMA-376 ST_Xstring):
#: ``_x000D_`` for a carriage return, ``_x005F_`` for the ``_`` of a literal ``_xHHHH_``.
_ESCAPED: Final = re.compile(r"_x([0-9A-Fa-f]{4})_")
#: What any part may inflate to, whatever its compressed size (as for a zipped CSV).
_PART_FLOOR: Final = 16 * MiB
#: The shared strings all parts may hold: openpyxl keeps each in memory (about
#: 90 bytes for an empty one), so a small part of ``<si/>`` could take gigabytes.
_MAX_SHARED_STRINGS: Final = 2_000_000
#: A shared string's tag, with or without a namespace prefix (``<si>``, ``<x:si/>``).
_SHARED_STRING: Final = tuple(
    start + b"si" + end for start in (b"<", b":") for end in (b">", b"/", b" ", b"\t", b"\n", b"\r")
)
_CHUNK: Final = 1 << 20


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


def open_workbook(source: Source, options: ReadOptions) -> Workbook | None:
    """The sheet of the workbook ``source`` that ``options.member`` names; None for another file."""
    return Workbook(source, options.member, options.limits) if is_workbook(source) else None


class Workbook:
    """One sheet of a workbook, opened afresh for each pass over its rows."""

    file_format = FileFormat.XLSX
    #: The sheet read.
    sheet: str

    def __init__(self, source: Source, member: str | None, limits: ReadLimits) -> None:
        self._source = source
        self._limits = limits
        self._start = None if is_path(source) else source.tell()  # type: ignore[union-attr]
        self._checked = False
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
            with contextlib.closing(self._lines(book, width=None)) as lines:
                line, header = next(lines, (0, ()))
        self.header_cells = _header(header if line == 1 else ())

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
            start = 0 if self._start is None else self._start
            if not self._checked:
                _check_parts(target, self._limits)
                self._checked = True
                target.seek(start)
            try:
                book = openpyxl.load_workbook(target, read_only=True, data_only=True)
            except (ResultsError, MemoryError):
                raise
            except Exception as exc:  # a damaged workbook raises anything from deep inside
                target.seek(start)
                raise ReadError(
                    f"the workbook cannot be opened: {_ill_formed(target) or ''}"
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            try:
                yield book
            finally:
                with _foreign("the workbook cannot be closed"):
                    book.close()

    def _lines(
        self, book: Any, width: int | None
    ) -> Generator[tuple[int, tuple[Any, ...]], None, None]:
        """The sheet's rows as written (row number, values), in order, each once.

        Only the rows the sheet holds are parsed: a run of empty rows, or a
        dimension claiming a million of them, costs nothing. ``width`` cells
        make a row, or the row's own last cell when None; a value past ``width``
        is kept as one more cell, so a caller can tell that the row is too wide.
        """
        from openpyxl.worksheet._reader import WorkSheetParser  # noqa: PLC0415

        sheet = self.sheet
        limit = self._limits.max_row_bytes
        # openpyxl's own row parser, fed as its read-only sheet feeds it, without
        # the sheet's filling of every missing row and column up to the dimension.
        with _foreign("the sheet cannot be read", sheet=sheet):
            worksheet = book[sheet]
            where = f"the sheet's part {worksheet._worksheet_path!r} cannot be read"  # noqa: SLF001
            parent = worksheet.parent
            source = worksheet._get_source()  # noqa: SLF001
        with contextlib.closing(source):
            with _foreign(where, sheet=sheet):
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
                with _foreign(where, sheet=sheet):
                    found = next(parsed, None)
                if found is None:
                    return
                line, cells = found
                if not isinstance(line, int) or line <= last:
                    continue  # a row written again or out of order: openpyxl skips it too
                last = line
                yield line, _values(cells, width, limit, line, sheet)

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
            position
            for column, position in layout.columns
            if CODECS[column.kind].value is ValueType.TIME
        )
        sheet = self.sheet
        with self._opened() as book:
            for line, values in self._lines(book, width):
                if line < 2 or all(value is None or value == "" for value in values):
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


@contextlib.contextmanager
def _foreign(what: str, *, sheet: str | None = None) -> Iterator[None]:
    """Whatever openpyxl, XML, zip or zlib raise in the block, as a ReadError ``what: <cause>``.

    Out of memory and an interrupt are no property of the file: they go through.
    """
    try:
        yield
    except (ResultsError, MemoryError):
        raise
    except Exception as exc:  # a damaged workbook raises anything from deep inside
        raise ReadError(f"{what}: {type(exc).__name__}: {exc}", sheet=sheet) from exc


def _ill_formed(target: Any) -> str | None:
    """``part 'name' is not well-formed XML; `` for the first XML part that is not, if any.

    Only asked once openpyxl has failed, to say which part it failed on.
    """
    with contextlib.suppress(Exception), zipfile.ZipFile(target) as archive:
        for info in archive.infolist():
            if not info.filename.lower().endswith((".xml", ".rels")):
                continue
            parser: ET.XMLPullParser[Any] = ET.XMLPullParser()
            try:
                with archive.open(info) as part:
                    while chunk := part.read(_CHUNK):
                        parser.feed(chunk)
                        parser.read_events()  # kept from piling up
                    parser.close()
            except ET.ParseError as exc:
                return f"part {info.filename!r} is not well-formed XML ({exc}); "
    return None


def _check_parts(target: Any, limits: ReadLimits) -> None:
    """Refuse a workbook whose parts are damaged or would take too much to read.

    Every part is inflated once, in chunks (zipfile stops a part at its stated
    size and checks its CRC): each may inflate to ``ReadLimits.max_zip_ratio``
    times its compressed size (16 MiB always allowed), and all of them together
    may hold at most 2,000,000 shared strings.
    """
    strings = 0
    with _foreign("the workbook is not a readable zip"):
        archive = zipfile.ZipFile(target)
    with archive:
        for info in archive.infolist():
            name = info.filename
            if info.is_dir():
                continue
            allowed = max(info.compress_size * limits.max_zip_ratio, _PART_FLOOR)
            if info.file_size > allowed:
                raise ReadError(
                    f"the workbook's part {name!r} inflates to {info.file_size} bytes, over "
                    f"ReadLimits.max_zip_ratio ({limits.max_zip_ratio}) times its "
                    f"compressed size ({info.compress_size})"
                )
            tail = b""
            with _foreign(f"the workbook's part {name!r} is damaged"), archive.open(info) as part:
                while chunk := part.read(_CHUNK):
                    # A tag cut by the chunk's end is counted with the next one;
                    # three bytes cannot hold a whole one, so none counts twice.
                    text = tail + chunk
                    strings += sum(text.count(tag) for tag in _SHARED_STRING)
                    tail = text[-3:]
            if strings > _MAX_SHARED_STRINGS:
                raise ReadError(
                    f"the workbook holds more than {_MAX_SHARED_STRINGS} shared strings "
                    f"(part {name!r}); a report never needs that many"
                )


def _values(
    cells: list[dict[str, Any]], width: int | None, limit: int, line: int, sheet: str
) -> tuple[Any, ...]:
    """One row's values, ``width`` of them (one more when the row holds more)."""
    present = [
        (cell["column"], cell["value"])
        for cell in cells
        if cell["value"] is not None and isinstance(cell["column"], int) and cell["column"] >= 1
    ]
    size = sum(len(value) if isinstance(value, str) else 8 for _, value in present)
    if size > limit:
        raise ReadError(
            f"the row holds more than ReadLimits.max_row_bytes ({limit}) characters",
            line=line,
            sheet=sheet,
        )
    if width is None:
        width = max((column for column, _ in present), default=0)
    values: list[Any] = [None] * width
    beyond = [value for column, value in present if column > width]
    for column, value in present:
        if column <= width:
            values[column - 1] = value
    if beyond:
        values.extend(beyond)
    return tuple(values)


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
