"""Reports read back (CSV, zip, workbook, Parquet) -> typed rows: RowFormatter in reverse."""

from __future__ import annotations

import html
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, TypeVar, overload

import attrs

from .._arrow.read import open_parquet
from .._csv.dialects import DIALECTS
from .._csv.header import read_header
from .._csv.rows import typed_rows
from .._files.layout import Layout
from .._files.options import ENGINES, Engine, ErrorMode, ReadOptions, XlsxEngine
from .._files.rows import Row
from .._files.source import Extent, Opened, ReadLimits, Source, open_source
from .._files.typed import TypedCells, TypedCellsProbe
from .._html import html_table
from .._model.campaign import NoMatch
from .._model.cpa import CPAResult
from .._model.notes import SystemNote
from .._progress import EVERY, ProgressCallback, Throttle
from .._report.columns import Column
from .._report.frame import import_pandas
from .._types import (
    Dialect,
    FileFormat,
    Language,
    ReportFormat,
)
from .._xlsx.read import open_workbook
from ..errors import OptionsError, ReadError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from .._report.summary import Summary

__all__ = ["Report", "open_report", "read_report"]

_PREVIEW_ROWS: Final = 10

_T = TypeVar("_T")


def _open_report(source: Source, options: ReadOptions) -> tuple[Opened, Layout]:
    opened = open_source(source, options.member, options.limits, options.encoding)
    try:
        layout = read_header(opened, options)
    except BaseException:
        opened.closer.close()
        raise
    return opened, layout


@attrs.define(eq=False, repr=False)
class Report:
    """A report read from a CSV or zip export: iterate it for typed rows.

    Build it with :func:`read_report`. Iterating yields :class:`SimpleRow` or
    :class:`DetailedRow` objects, streaming, in file order. A report read
    from a *path* can be iterated again (each pass re-reads the file); one
    read from a *file object* can be iterated once.

    Attributes:
        format: ``ReportFormat.SIMPLE`` or ``ReportFormat.DETAILED`` (a
            detailed-interval export has the detailed layout and reads as DETAILED).
        language: the language of the header.
        header: the header cells, as in the file.
        list_columns: the calling-list columns (keys of ``row.fields``).
        script_field_names: the script-field columns (``row.script_fields``).
        delimiter: ``","``, ``";"`` or ``"\\t"``.
        bom: whether the file starts with a UTF-8 byte order mark.
        encoding: the text encoding of a CSV file: the one given, else
            ``"utf-8"``, or ``"cp1251"`` for a header that is not UTF-8 text
            (what Russian Excel saves); None for a workbook.
        errors: with ``errors="collect"``, the :class:`ReadError` of every line
            dropped by the latest pass.
    """

    _layout: Layout
    _source: Source
    _opened: Opened | None
    _options: ReadOptions
    #: Read once (a stream, a pipe), or again on each pass (a regular file).
    _once: bool
    errors: list[ReadError] = attrs.Factory(list)
    #: A file of typed cells (a workbook, a Parquet file): read by its own reader.
    _workbook: TypedCells | None = None
    _peeked: list[Row] = attrs.Factory(list)
    _pending: ReadError | None = None
    _stream_rows: Iterator[Row] | None = None
    _consumed: bool = False
    #: The source the latest pass reads: progress in bytes is read off it.
    _reading: Opened | None = None

    @property
    def timezone(self) -> str:
        """The IANA name of the zone the file's date-times were read in."""
        return self._options.timezone

    @property
    def format(self) -> ReportFormat:
        return self._layout.format

    @property
    def language(self) -> Language:
        return self._layout.language

    @property
    def header(self) -> tuple[str, ...]:
        return self._layout.header

    @property
    def list_columns(self) -> tuple[str, ...]:
        return self._layout.list_columns

    @property
    def script_field_names(self) -> tuple[str, ...]:
        return self._layout.script_field_names

    @property
    def delimiter(self) -> str:
        """The CSV delimiter; ``""`` for a workbook."""
        return self._layout.delimiter

    @property
    def file_format(self) -> FileFormat:
        """``FileFormat.CSV`` (CSV or a zip holding one), ``XLSX`` or ``PARQUET``."""
        return FileFormat.CSV if self._workbook is None else self._workbook.file_format

    @property
    def sheet(self) -> str | None:
        """The sheet read from a workbook; None for CSV and Parquet."""
        return None if self._workbook is None else self._workbook.sheet

    @property
    def bom(self) -> bool:
        return self._layout.bom

    @property
    def encoding(self) -> str | None:
        return self._layout.encoding

    @property
    def dialect(self) -> Dialect | None:
        """The :class:`Dialect` the file was written in, or None for another CSV flavour."""
        for dialect, spec in DIALECTS.items():
            if (spec.delimiter, spec.bom, spec.encoding) == (
                self.delimiter,
                self.bom,
                self.encoding,
            ):
                return dialect
        return None

    @property
    def columns(self) -> tuple[Column, ...]:
        """The report columns the file has, in the order of the rows' attributes.

        The manual's columns always; ``ANI`` and ``Action Applied`` when the
        file has them (Bright Pattern 5.x), whatever their place in the file.
        """
        return tuple(column for column, _ in self._layout.columns)

    @property
    def extra_columns(self) -> tuple[str, ...]:
        """The columns after the first report column that are no report column.

        Their cells are kept per row in ``row.extra`` (header -> text); a
        newer platform version may add columns this library does not know yet.
        """
        return tuple(name for name, _ in self._layout.extra)

    def __iter__(self) -> Iterator[Row]:
        if self._workbook is not None:
            return self._sheet_rows(self._workbook)
        if not self._once:
            return self._pass()
        return self._stream()

    def _sheet_rows(self, workbook: TypedCells) -> Iterator[Row]:
        self.errors = []
        yield from workbook.rows(self._layout, self._options, fail=self._fail)

    def _stream(self) -> Iterator[Row]:
        if self._consumed:
            raise ReadError(
                "a report read from a file object, a pipe or a device can be iterated "
                "once; read it from a file's path to iterate again"
            )
        self._consumed = True
        yield from self._peeked
        self._peeked = []
        if self._pending is not None:
            raise self._pending
        rows = self._started()
        self._opened = None
        self._stream_rows = None
        if rows is not None:
            yield from rows

    def _started(self) -> Iterator[Row] | None:
        """The rows of a report read from a file object, started on first use."""
        if self._stream_rows is None and self._opened is not None:
            self._stream_rows = self._rows(self._opened, self._layout)
        return self._stream_rows

    def _reopen(self) -> tuple[Opened, Layout]:
        """The source opened afresh, its header read again."""
        return _open_report(self._source, self._options)

    def _pass(self) -> Iterator[Row]:
        return self._rows(*self._reopen())

    def _rows(self, opened: Opened, layout: Layout) -> Iterator[Row]:
        with opened.closer:
            self._reading = opened
            self.errors = []
            yield from typed_rows(opened, layout, self._options, fail=self._fail)

    def _fail(self, error: ReadError) -> None:
        if self._options.errors == "raise":
            raise error
        if self._options.errors == "collect":
            self.errors.append(error)

    # --- Jupyter and analysis --------------------------------------------------

    def head(self, count: int = _PREVIEW_ROWS) -> list[Row]:
        """The first ``count`` rows, without consuming a report read from a file object."""
        if not self._once or self._workbook is not None:
            rows: list[Row] = []
            if count <= 0:
                return rows  # as for a stream: no row read, none shown
            iterator = iter(self)
            try:
                for row in iterator:
                    rows.append(row)
                    if len(rows) >= count:
                        break
            finally:
                iterator.close()  # type: ignore[attr-defined]
            return rows
        if self._consumed:
            return []
        self._started()
        while len(self._peeked) < count and self._stream_rows is not None:
            if self._pending is not None:
                break
            try:
                self._peeked.append(next(self._stream_rows))
            except StopIteration:
                self._stream_rows = None
            except ReadError as error:
                self._pending = error
        return self._peeked[:count]

    def _repr_html_(self) -> str:
        try:
            rows = self.head()
            problem = ""
        except ReadError as error:
            rows, problem = [], str(error)
        if self._pending is not None:
            problem = str(self._pending)
        names = [
            *self.list_columns,
            *self.script_field_names,
            *(self.header[position] for _, position in self._layout.columns),
            *self.extra_columns,
        ]
        cells = [_preview_cells(row, self.columns, self.extra_columns) for row in rows]
        caption = f"{self.format.value} report ({self.language.value}), first {len(rows)} rows"
        note = f"<p>{html.escape(problem)}</p>" if problem else ""
        return html_table(caption, names, cells) + note

    def __repr__(self) -> str:
        extra = f", {len(self.extra_columns)} unknown columns" if self.extra_columns else ""
        return (
            f"<Report {self.format.value} {self.language.value} "
            f"{len(self.list_columns)} list columns, "
            f"{len(self.script_field_names)} script fields{extra}>"
        )

    def summary(self, *, progress: ProgressCallback | None = None) -> Summary:
        """Counts and rates over the rows (see :func:`summary`); consumes a stream.

        Args:
            progress: called with a :class:`Progress` of the reading, as
                :meth:`to_pandas` calls it.
        """
        from .._report.summary import summary  # noqa: PLC0415  # _summary reads rows, not files

        if progress is None:
            return summary(self)
        figures = summary(self._progressed(iter(self), progress, lambda _row: 1, EVERY))
        return figures if figures.format is not None else attrs.evolve(figures, format=self.format)

    @overload
    def to_pandas(
        self,
        *,
        chunksize: None = None,
        engine: Engine = "auto",
        progress: ProgressCallback | None = None,
    ) -> pd.DataFrame: ...

    @overload
    def to_pandas(
        self,
        *,
        chunksize: int,
        engine: Engine = "auto",
        progress: ProgressCallback | None = None,
    ) -> Iterator[pd.DataFrame]: ...

    def to_pandas(
        self,
        *,
        chunksize: int | None = None,
        engine: Engine = "auto",
        progress: ProgressCallback | None = None,
    ) -> pd.DataFrame | Iterator[pd.DataFrame]:
        """The rows as a :class:`pandas.DataFrame` (needs the ``pandas`` extra).

        The frame is the same whatever the engine: the one built from the
        typed rows (``engine="python"``), column for column, dtype for dtype.

        Args:
            chunksize: None for one frame; a number of rows for an iterator
                of frames of that many rows (the last may be shorter), for
                files larger than memory. Their indexes count on.
            engine: ``"pyarrow"`` parses the text with pyarrow's CSV reader,
                ``"c"`` with pandas' C parser, ``"python"`` builds the frame
                from the typed rows; ``"auto"`` is pyarrow when installed,
                else ``"c"``. A file the fast engines do not read exactly (a
                bad line, a stream that cannot be re-read, a workbook) is
                read through the typed rows, which report its problems.
            progress: called with a :class:`Progress` of the reading
                (``what="reading"``, with the file's name when read from a
                path) every so often and once at the end, with ``done ==
                total``: in bytes of the file (a zip's compressed bytes) out
                of its size, so ``fraction`` and ``remaining`` are known,
                when the source can tell its size (a path to a regular file,
                a seekable file object); else in rows read (a pipe, a
                workbook, a Parquet file). The fast engines report once a frame.

        Raises:
            ReadError: a bad line (``errors="raise"``), as iterating does.
            OptionsError: an unknown engine or a chunk size below 1.
        """
        if engine not in ENGINES:
            raise OptionsError("engine", engine, "must be 'auto', 'pyarrow', 'c' or 'python'")
        if chunksize is not None and (
            not isinstance(chunksize, int) or isinstance(chunksize, bool) or chunksize < 1
        ):
            raise OptionsError("chunksize", chunksize, "must be a whole number >= 1, or None")
        import_pandas()
        frames = self._frames(chunksize, engine)
        if progress is not None:
            frames = self._progressed(frames, progress, len, 1)
        if chunksize is not None:
            return frames
        (frame,) = frames
        return frame

    def to_arrow(self, *, engine: Engine = "auto") -> pa.Table:
        """The rows as a :class:`pyarrow.Table` (needs the ``arrow`` extra).

        The columns and names of :meth:`to_pandas`, typed for Arrow: text
        ``string``, flags ``bool``, counts, durations and CPA results
        ``int64``, date-times ``timestamp[us, zone]``, dispositions
        dictionary-encoded (sorted), with pandas' metadata so that
        ``table.to_pandas()`` is ``report.to_pandas()``.

        Args:
            engine: as for :meth:`to_pandas`; ``"auto"`` goes through the fast
                DataFrame when pandas is installed, else builds the table from
                the typed rows (``"python"``), which needs only pyarrow.

        Raises:
            ReadError: a bad line (``errors="raise"``), as iterating does.
            OptionsError: an unknown engine.
        """
        from .._arrow.table import ArrowLayout  # noqa: PLC0415  # pyarrow is optional

        if engine not in ENGINES:
            raise OptionsError("engine", engine, "must be 'auto', 'pyarrow', 'c' or 'python'")
        layout = ArrowLayout(
            self.list_columns,
            self.script_field_names,
            self.columns,
            self.extra_columns,
            timezone=self.timezone,
            language=self.language,
        )
        if engine == "auto":
            try:
                import pandas as pd  # noqa: F401, PLC0415  # optional dependency
            except ImportError:
                engine = "python"
        table: pa.Table = (
            layout.table(layout.batches(iter(self)))
            if engine == "python"
            else layout.from_frame(self.to_pandas(engine=engine))
        )
        return table

    def _progressed(
        self,
        items: Iterator[_T],
        progress: ProgressCallback,
        rows_in: Callable[[_T], int],
        every: int,
    ) -> Iterator[_T]:
        """``items`` of one pass (rows, or frames of ``rows_in`` rows), reported to ``progress``.

        In bytes of the source read by the pass when it can tell its size,
        else in rows; looked at once every ``every`` rows at most.
        """
        source = self._source
        name = Path(source).name if isinstance(source, str | os.PathLike) else None
        throttle: Throttle | None = None
        extent = None
        rows = look = 0
        for item in items:
            if throttle is None:
                # The pass opens its source when its first item is asked for.
                extent = self._extent()
                throttle = self._throttle(progress, name, extent)
            rows += rows_in(item)
            if rows >= look:
                look = rows + every
                throttle.advance((rows if extent is None else extent.consumed()) - throttle.done)
            yield item
        if throttle is None:
            extent = self._extent()
            throttle = self._throttle(progress, name, extent)
        throttle.finish(rows if extent is None else extent.size)

    def _extent(self) -> Extent | None:
        """The size and position of the source the current pass reads; None if it cannot tell."""
        if self._workbook is not None or self._reading is None:
            return None
        return self._reading.extent

    @staticmethod
    def _throttle(progress: ProgressCallback, name: str | None, extent: Extent | None) -> Throttle:
        if extent is None:
            return Throttle(progress, "reading", "rows", name=name or None, every=1)
        return Throttle(progress, "reading", "bytes", total=extent.size, name=name or None, every=1)

    def _frames(self, chunksize: int | None, engine: str) -> Iterator[pd.DataFrame]:
        from .._csv.frames import FrameSpec, Irregular, parse_frames, resolve_engine  # noqa: PLC0415
        from .._files.rows import time_cells  # noqa: PLC0415  # with the frames' imports

        engine = resolve_engine(engine)
        if engine == "c" and chunksize is not None and self._options.errors != "raise":
            # The C parser's short rows are found only at the end of the file,
            # too late to drop them from chunks already given.
            engine = "python"
        attempt = None if engine == "python" else self._fast_attempt()
        if attempt is None:
            yield from _row_frames(self, iter(self), chunksize)
            return
        opened, layout, rows_again = attempt
        self._reading = opened
        spec = FrameSpec(
            table=self,
            layout=layout,
            options=self._options,
            times=time_cells(layout, self._options.zone, self._options.datetime_format),
        )
        done = 0
        with opened.closer:
            try:
                for frame in parse_frames(opened.binary, spec, engine=engine, chunksize=chunksize):
                    done += len(frame)
                    yield frame
            except Irregular:
                # Read again through the typed rows, which say what is wrong;
                # the rows already given were read exactly and are not repeated.
                rows = rows_again()
                yield from _row_frames(self, itertools.islice(rows, done, None), chunksize, done)
                return
        self.errors = []

    def _fast_attempt(self) -> tuple[Opened, Layout, Callable[[], Iterator[Row]]] | None:
        """The source open after its header for a fast read, and how to read its rows again.

        None when the rows cannot be read twice (a stream that cannot seek,
        or whose rows were already started).
        """
        if self._workbook is not None:
            return None
        if not self._once:
            return *self._reopen(), self.__iter__
        opened_stream = self._opened
        if (
            self._consumed
            or opened_stream is None
            or self._stream_rows is not None
            or self._peeked
            or not _seekable(opened_stream.binary)
        ):
            return None
        self._consumed = True
        self._opened = None
        start = opened_stream.binary.tell()
        layout = self._layout
        return (
            opened_stream,
            layout,
            lambda: self._rows(opened_stream.reread(start), layout),
        )


def _seekable(binary: IO[bytes]) -> bool:
    try:
        return bool(binary.seekable())
    except (OSError, ValueError):
        return False


def _row_frames(
    report: Report, rows: Iterator[Row], chunksize: int | None, start: int = 0
) -> Iterator[pd.DataFrame]:
    """Frames built from typed rows: the reference the fast engines are held to."""
    from .._report.frame import rows_frame  # noqa: PLC0415  # pandas is optional

    if chunksize is None:
        yield rows_frame(report, rows, start)
        return
    while True:
        frame = rows_frame(report, itertools.islice(rows, chunksize), start)
        if frame.empty:
            return
        start += len(frame)
        yield frame


def _preview_cells(row: Row, columns: tuple[Column, ...], extra: tuple[str, ...]) -> list[str]:
    values: list[Any] = [*row.fields.values(), *row.script_fields]
    values += [getattr(row, column.attribute) for column in columns]
    values += [row.extra[name] for name in extra]
    return ["" if value is None else _text_of(value) for value in values]


def _text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, CPAResult):
        return str(int(value))
    if isinstance(value, SystemNote):
        return value.render()
    if isinstance(value, NoMatch):
        return value.label()
    return str(value)


def read_report(
    source: Source,
    *,
    timezone: str = "Europe/Moscow",
    script_fields: Iterable[str] = (),
    errors: ErrorMode = "raise",
    encoding: str | None = None,
    datetime_format: str | None = None,
    member: str | None = None,
    formula_guard: bool = True,
    limits: ReadLimits | None = None,
    xlsx_engine: XlsxEngine = "auto",
) -> Report:
    """Read a simple or detailed report exported as CSV or zip.

    The header is read at once: the format (simple or detailed), the language
    (English or Russian headers), the delimiter (comma, semicolon or tab), the
    BOM and the encoding are detected from it. Rows are read as the report is
    iterated. A file a spreadsheet re-saved (Windows-1251, ``;``, times such as
    ``02.03.2026 10:00``) reads as the export it was made from.

    Args:
        source: a path, or a binary file object (read from where it stands).
        timezone: IANA zone of the date-times in the file (they carry no offset
            unless ``datetime_format`` has ``%z``).
        script_fields: names of the script-field columns: the last
            ``len(script_fields)`` columns before the report's own.
        errors: ``"raise"`` stops at the first bad line; ``"skip"`` drops bad
            lines; ``"collect"`` drops them and keeps their errors on
            :attr:`Report.errors`. Problems with the file as a whole (not a
            report, damaged zip, empty) always raise.
        encoding: the text encoding of a CSV file; None reads UTF-8 (with or
            without a BOM) and falls back to Windows-1251 (``"cp1251"``, what
            Russian Excel saves) when the header is not UTF-8 text.
        datetime_format: the ``strptime`` format of date-times; None reads the
            library's own (``2026-03-02 10:00:00``) or a form a spreadsheet
            writes on re-saving (``02.03.2026 10:00``, ``3/2/2026 10:00 AM``,
            ``2026-03-02T10:00``…), one form per file, fixed by its first
            date-time (see ``docs/reading.md``).
        member: the CSV member to read in a zip holding several.
        formula_guard: undo the export's formula guard (leading ``'``); pass
            False for a file exported with ``formula_guard=False``.
        limits: how long a row may be, how far a zip member (or a workbook's
            part) may inflate, how many bad lines a read passes over;
            ``ReadLimits()`` by default.
        xlsx_engine: which library reads a workbook's cells: ``"auto"``
            (python-calamine when installed, else openpyxl), ``"calamine"``
            or ``"openpyxl"``. Both give the same rows and errors; calamine
            is about five times as fast, and leaves to openpyxl a sheet too
            big to hold whole (over 4,000,000 cells) or one it would read
            otherwise (see ``docs/reading.md``).

    Returns:
        A :class:`Report`.

    Raises:
        ReadError: naming the line, the column and the value.
        OptionsError: an unknown time zone, errors mode, encoding, date-time format or
            workbook engine.
    """
    return open_report(
        source,
        ReadOptions.of(
            timezone=timezone,
            script_fields=script_fields,
            errors=errors,
            encoding=encoding,
            datetime_format=datetime_format,
            member=member,
            formula_guard=formula_guard,
            limits=limits,
            xlsx_engine=xlsx_engine,
        ),
    )


#: The formats of typed cells, each tried in turn before a source is read as CSV
#: (or a zip holding one): a workbook (a zip too, so looked for first), Parquet.
TYPED_CELLS: Final[tuple[TypedCellsProbe, ...]] = (open_workbook, open_parquet)


def open_report(source: Source, options: ReadOptions) -> Report:
    """The report at ``source``, read with ``options``: :func:`read_report`'s body.

    Raises:
        ReadError: naming the line, the column and the value.
    """
    kept: Opened | None = None
    once = False
    workbook = next(
        (typed for probe in TYPED_CELLS if (typed := probe(source, options)) is not None), None
    )
    if workbook is not None:
        layout = workbook.layout(options.script_fields)
    else:
        opened, layout = _open_report(source, options)
        once = opened.once
        if once:
            kept = opened  # a stream read once: the report goes on from here
        else:
            opened.closer.close()
    return Report(
        layout=layout,
        source=source,
        opened=kept,
        options=options,
        once=once,
        workbook=workbook,
    )
