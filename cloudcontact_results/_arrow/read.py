"""A Parquet file that ``export`` wrote -> the typed rows its CSV export reads as.

The file holds typed columns, so nothing is guessed from text: text is the
text, flags and numbers are values, date-times are instants (shown in the
zone ``read_report`` is given). The cells then go through the same converters
as a CSV's, so a Parquet file and a CSV of the same export read back as the
same rows. The header is the one the CSV would have, kept in the file's
metadata by :func:`header_metadata`; a file without it (written by another
tool from such a file) has its columns named by the rows' attributes, read
as the English header.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from .._files.layout import Layout, layout_of_cells
from .._files.options import ReadOptions
from .._files.rows import Row, RowBuilder, time_cells
from .._files.source import Source, is_path, open_input
from .._report.codecs import CODECS, ValueType
from .._report.kinds import KINDS
from .._types import FileFormat, import_optional
from ..errors import ReadError

__all__ = ["ParquetReport", "header_metadata", "is_parquet", "open_parquet"]

#: The first (and last) bytes of every Parquet file.
_MAGIC: Final = b"PAR1"
#: The schema metadata key of the header the CSV export of the same report has.
_HEADER_KEY: Final = b"cloudcontact_results.header"
#: Rows converted at a time: memory holds one batch of Python values.
_BATCH_ROWS: Final = 8192
#: A report column's attribute (a Parquet column's name) -> its English header.
_HEADERS: Final = {column.attribute: column.en for kind in KINDS for column in kind.known_columns}


def header_metadata(cells: Sequence[str]) -> dict[bytes, bytes]:
    """The schema metadata that keeps the CSV header of the report a Parquet file holds."""
    return {_HEADER_KEY: json.dumps(list(cells), ensure_ascii=False).encode()}


def is_parquet(source: Source) -> bool:
    """Does ``source`` start as a Parquet file does?

    A stream is left where it was; only a regular file or a stream that can
    seek is looked into: a pipe or a device would lose what the look took.
    """
    if is_path(source):
        try:
            if not stat.S_ISREG(Path(source).stat().st_mode):  # type: ignore[arg-type]
                return False
            with open_input(source) as binary:  # type: ignore[arg-type]
                return binary.read(len(_MAGIC)) == _MAGIC
        except (OSError, ValueError):
            return False  # the CSV reader says what is wrong with it
    stream: Any = source
    try:
        if not stream.seekable():
            return False
        start = stream.tell()
        head = stream.read(len(_MAGIC))
        stream.seek(start)
    except (OSError, ValueError, AttributeError):
        return False
    return bool(head == _MAGIC)


def open_parquet(source: Source, options: ReadOptions) -> ParquetReport | None:
    """The Parquet file ``source``; None for another file."""
    return ParquetReport(source) if is_parquet(source) else None


class ParquetReport:
    """A Parquet file of a report, opened afresh for each pass over its rows."""

    file_format = FileFormat.PARQUET
    #: A Parquet file has no sheets.
    sheet: str | None = None

    def __init__(self, source: Source) -> None:
        self._source = source
        self._start = None if is_path(source) else source.tell()  # type: ignore[union-attr]
        with self._opened() as file:
            schema = file.schema_arrow
        names = [str(name) for name in schema.names]
        kept = (schema.metadata or {}).get(_HEADER_KEY)
        header = json.loads(kept) if kept is not None else None
        if not (isinstance(header, list) and len(header) == len(names)):
            header = _english_header(names)
        self.header_cells: list[str] = [str(cell) for cell in header]

    def layout(self, script_fields: tuple[str, ...]) -> Layout:
        return layout_of_cells(self.header_cells, script_fields, where="the Parquet file")

    @contextlib.contextmanager
    def _opened(self) -> Iterator[Any]:
        import_optional("pyarrow", "arrow", "read_report() of a Parquet file")
        import pyarrow.parquet as pq  # noqa: PLC0415  # optional dependency

        with contextlib.ExitStack() as stack:
            if self._start is not None:
                self._source.seek(self._start)  # type: ignore[union-attr]
                target: Any = self._source
            else:
                target = stack.enter_context(open_input(os.fspath(self._source)))  # type: ignore[arg-type]
            with _damaged():
                file = stack.enter_context(contextlib.closing(pq.ParquetFile(target)))
            yield file

    def rows(
        self,
        layout: Layout,
        options: ReadOptions,
        *,
        fail: Callable[[ReadError], None],
    ) -> Iterator[Row]:
        """The typed rows; a bad one goes to ``fail`` and is dropped.

        A row's line is its place after the header, as in the CSV export.
        """
        zone = options.zone
        text_times = time_cells(layout, zone, options.datetime_format)
        parse = text_times.parse

        def time(value: Any) -> dt.datetime | None:
            if isinstance(value, dt.datetime):
                return value.astimezone(zone) if value.utcoffset() is not None else value
            return parse(value)

        builder = RowBuilder.build(layout, text_times, time=time)
        times = frozenset(
            position
            for column, position in layout.columns
            if CODECS[column.kind].value is ValueType.TIME
        )
        line = 1
        with self._opened() as file:
            batches = file.iter_batches(batch_size=_BATCH_ROWS)
            while True:
                with _damaged():
                    batch = next(batches, None)
                    if batch is None:
                        return
                    columns = [column.to_pylist() for column in batch.columns]
                for values in zip(*columns, strict=True):
                    line += 1
                    cells = [
                        value
                        if position in times and isinstance(value, dt.datetime)
                        else _text(value)
                        for position, value in enumerate(values)
                    ]
                    try:
                        row = builder.row(cells)
                    except (ValueError, KeyError, OverflowError):
                        error = builder.explain(cells, line)
                        fail(
                            ReadError(
                                error.reason, line=line, column=error.column, value=error.value
                            )
                        )
                        continue
                    yield row


@contextlib.contextmanager
def _damaged() -> Iterator[None]:
    """pyarrow's errors on a damaged file, as the :class:`ReadError` every reader raises."""
    import pyarrow as pa  # noqa: PLC0415  # optional dependency, imported by the caller

    try:
        yield
    except (pa.ArrowException, OSError) as exc:
        raise ReadError(f"the Parquet file cannot be read: {exc}") from exc


def _english_header(names: list[str]) -> list[str]:
    """Column names -> header cells: report attributes as their English headers.

    Only the names from the report's first column on are report columns; the
    list and script columns before it keep their names.
    """
    first = next(
        (position for position, name in enumerate(names) if name in _FIRST_COLUMNS), len(names)
    )
    return names[:first] + [_HEADERS.get(name, name) for name in names[first:]]


#: The first report column of each report: where the report's own columns start.
_FIRST_COLUMNS: Final = frozenset(kind.known_columns[0].attribute for kind in KINDS)


def _text(value: Any) -> str:
    """A value as the text the CSV export holds."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
