"""An Excel workbook -> typed rows, with calamine when installed, else openpyxl.

A workbook holds typed cells, so nothing is guessed from text: strings are
the text, numbers are counts, date-times are wall-clock times in the zone
``read_report`` is given. The cells then go through the same converters as
a CSV's (dispositions by either name, system notes, ``no match``), so a
workbook and a CSV of the same export read back as the same rows. A cell
written as a formula by someone else gives the value Excel saved with it.

Two readers give the same rows and the same errors: calamine
(``python-calamine``), which parses a sheet in Rust many times faster, and
openpyxl, which streams. Before either sees a workbook, one pass over its
zip checks its parts and surveys its sheets (``parts.py``); a sheet calamine
would hold in too big a grid, or read otherwise than openpyxl, is streamed
by openpyxl, and so is a workbook calamine cannot open, so that openpyxl's
error is the one reported.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import os
import stat
import zipfile
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import IO, Any, Final, Literal

from .._files.cells import Memo
from .._files.layout import Layout, layout_of_cells
from .._files.options import ReadOptions, XlsxEngine
from .._files.rows import Row, RowBuilder, time_cells
from .._files.source import DAMAGED, ReadLimits, Source, is_path, open_input, shown
from .._report.codecs import CODECS, ValueType
from .._types import FileFormat
from ..errors import ReadError, ResultsError
from .calamine_book import CalamineBook, calamine_lines
from .foreign import NOT_THE_FILE
from .openpyxl_book import OpenpyxlBook
from .parts import Survey, check_parts, ill_formed

__all__ = ["CALAMINE_MAX_CELLS", "Workbook", "is_workbook", "open_workbook"]

_WORKBOOK_PART: Final = "xl/workbook.xml"
_ZIP_MAGIC: Final = b"PK\x03\x04"
_HALF_SECOND: Final = dt.timedelta(microseconds=500_000)
#: The biggest grid of cells (rows times columns, from ``A1``) calamine is
#: given: it holds the grid whole, at its peak about 90 bytes a cell with
#: the rows' text (a detailed report of 88 955 rows, 2.9 million cells, peaked
#: at 262 MB), so this is some 350 MB, a detailed report of 120 000 rows. A
#: bigger sheet is streamed by openpyxl.
CALAMINE_MAX_CELLS: Final = 4_000_000

Engine = Literal["calamine", "openpyxl"]


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
    if not is_workbook(source):
        return None
    return Workbook(source, options.member, options.limits, engine=options.xlsx_engine)


def calamine_installed() -> bool:
    """Can ``python_calamine`` be imported?"""
    return importlib.util.find_spec("python_calamine") is not None


class Workbook:
    """One sheet of a workbook, opened afresh for each pass over its rows."""

    file_format = FileFormat.XLSX
    #: The sheet read.
    sheet: str
    #: The reader of its rows: ``"calamine"`` or ``"openpyxl"``.
    engine: Engine

    def __init__(
        self,
        source: Source,
        member: str | None,
        limits: ReadLimits,
        *,
        engine: XlsxEngine = "auto",
    ) -> None:
        self._source = source
        self._limits = limits
        self._start = None if is_path(source) else source.tell()  # type: ignore[union-attr]
        with self._target() as target:
            survey = check_parts(target, limits)
        self.engine = _engine(engine, survey)
        #: calamine's grid of the sheet, parsed on opening and kept for the first pass only.
        self._grid: Any = None
        if self.engine == "calamine":
            self._grid = self._calamine_grid(member)
        if self._grid is None:
            self.engine = "openpyxl"
            with self._target() as target, self._openpyxl(target) as book:
                self.sheet = _chosen(book.sheet_names, member)
        with contextlib.closing(self._lines(keep_grid=True)) as lines:
            line, header = next(lines, (0, []))
        self.header_cells = _header(header if line == 1 else [])

    def layout(self, script_fields: tuple[str, ...]) -> Layout:
        return layout_of_cells(self.header_cells, script_fields, where=f"sheet {self.sheet!r}")

    @contextlib.contextmanager
    def _target(self) -> Iterator[IO[bytes]]:
        """The workbook's bytes, from its start."""
        if self._start is not None:
            self._source.seek(self._start)  # type: ignore[union-attr]
            yield self._source  # type: ignore[misc]
        else:
            # A file object: a reader would judge a path by its suffix.
            with open_input(os.fspath(self._source)) as binary:  # type: ignore[arg-type]
                yield binary

    def _calamine_grid(self, member: str | None) -> Any:
        """The grid of the sheet ``member`` names, parsed by calamine, and the sheet chosen.

        None when calamine cannot read the workbook and openpyxl is installed:
        openpyxl then reads it, or says what is wrong with it.
        """
        with self._target() as target:
            try:
                book = CalamineBook(target)
            except (ImportError, ResultsError, *NOT_THE_FILE):
                raise
            except BaseException as exc:  # a damaged workbook raises anything from deep inside
                if _openpyxl_installed():
                    return None
                target.seek(self._start or 0)
                raise ReadError(
                    f"the workbook cannot be opened: {ill_formed(target) or ''}"
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            try:
                self.sheet = _chosen(book.sheet_names, member)
                return book.grid(self.sheet)
            except ReadError as error:
                if error.sheet is not None and _openpyxl_installed():
                    return None
                raise
            finally:
                book.close()

    @contextlib.contextmanager
    def _openpyxl(self, target: IO[bytes]) -> Iterator[OpenpyxlBook]:
        try:
            book = OpenpyxlBook(target)
        except (ImportError, ResultsError, *NOT_THE_FILE):
            raise
        except BaseException as exc:  # a damaged workbook raises anything from deep inside
            target.seek(self._start or 0)
            raise ReadError(
                f"the workbook cannot be opened: {ill_formed(target) or ''}"
                f"{type(exc).__name__}: {exc}"
            ) from exc
        try:
            yield book
        finally:
            book.close()

    def _lines(self, *, keep_grid: bool = False) -> Generator[tuple[int, list[Any]], None, None]:
        """The sheet's rows that hold a value, each at most ``ReadLimits.max_row_bytes`` long.

        A pass takes calamine's grid parsed on opening (``keep_grid``: leaves
        it for the next pass), or parses the sheet again.
        """
        limit = self._limits.max_row_bytes
        sheet = self.sheet
        with contextlib.ExitStack() as stack:
            if self.engine == "calamine":
                grid = self._grid
                if not keep_grid:
                    self._grid = None
                if grid is None:
                    grid = self._calamine_grid(sheet)
                lines = calamine_lines(grid, sheet)
            else:
                target = stack.enter_context(self._target())
                lines = stack.enter_context(self._openpyxl(target)).lines(sheet)
            for line, values in lines:
                # Text is what can be long: a number or a date-time is a few bytes.
                if sum(map(len, filter(_is_text, values))) > limit:
                    raise ReadError(
                        f"the row holds more than ReadLimits.max_row_bytes ({limit}) characters",
                        line=line,
                        sheet=sheet,
                    )
                yield line, values

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
            if value.__class__ is dt.date:  # calamine's date-time at midnight
                return dt.datetime.combine(value, dt.time(), zone)
            return parse(value)

        builder = RowBuilder.build(layout, text_times, time=time)
        width = len(layout.header)
        times = frozenset(
            position
            for column, position in layout.columns
            if CODECS[column.kind].value is ValueType.TIME
        )
        time_positions = sorted(times)
        # Text is its own cell; any other value's text is remembered (numbers repeat).
        text = Memo(_text).__getitem__
        sheet = self.sheet
        with contextlib.closing(self._lines()) as lines:
            for line, values in lines:
                if line < 2:
                    continue
                if (
                    len(values) > width
                    and values[width:].count(None) + values[width:].count("") < len(values) - width
                ):
                    fail(
                        ReadError(
                            f"expected {width} cells like the header, got more",
                            line=line,
                            value=shown(", ".join(map(_text, _trimmed(values)))),
                            sheet=sheet,
                        )
                    )
                    continue
                # A time cell keeps its date-time (a date: calamine's midnight), never
                # made text: each is new, so its text would be one strftime a row.
                moments = [
                    (position, values[position])
                    for position in time_positions
                    if position < len(values) and isinstance(values[position], dt.date)
                ]
                for position, _ in moments:
                    values[position] = None
                cells = [value if value.__class__ is str else text(value) for value in values]
                cells += [""] * (width - len(cells))
                for position, moment in moments:
                    cells[position] = moment
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


def _engine(asked: XlsxEngine, survey: Survey) -> Engine:
    """The reader of a workbook of ``survey``, when ``asked`` for one."""
    if asked == "openpyxl":
        return "openpyxl"
    if asked == "auto" and not calamine_installed():
        return "openpyxl"
    fits = survey.grid is not None and survey.grid <= CALAMINE_MAX_CELLS
    if fits or not _openpyxl_installed():
        return "calamine"
    return "openpyxl"


def _chosen(names: list[str], member: str | None) -> str:
    """The sheet ``member`` names, or the only one."""
    if member is not None:
        if member not in names:
            listed = ", ".join(repr(name) for name in names)
            raise ReadError(f"the workbook has no sheet {member!r}; sheets: {listed}")
        return member
    if len(names) == 1:
        return names[0]
    listed = ", ".join(repr(name) for name in names)
    raise ReadError(f"the workbook has several sheets; choose one with member=: {listed}")


def _openpyxl_installed() -> bool:
    return importlib.util.find_spec("openpyxl") is not None


def _trimmed(values: list[Any]) -> list[Any]:
    """``values`` without their empty cells at the end."""
    end = len(values)
    while end and (values[end - 1] is None or values[end - 1] == ""):
        end -= 1
    return values[:end]


def _header(values: list[Any]) -> list[str]:
    return [_text(value) for value in _trimmed(values)]


#: Is a value text? (In C, for ``filter``.)
_is_text: Final = str.__instancecheck__


def _text(value: Any) -> str:
    """A cell's value as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):  # calamine's date-time at midnight
        return value.strftime("%Y-%m-%d 00:00:00")
    # A duration or a time of day is days as a float too: to the nearest
    # second, as a date-time (the readers round what is below differently).
    if isinstance(value, dt.timedelta):
        return str(dt.timedelta(seconds=round(value.total_seconds())))
    if isinstance(value, dt.time):
        moment = dt.datetime.combine(dt.date.min, value) + _HALF_SECOND
        return moment.time().replace(microsecond=0).isoformat()
    return str(value)
