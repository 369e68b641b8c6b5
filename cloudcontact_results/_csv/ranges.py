"""Reading one plain CSV report in byte ranges that each start and end on a record.

A large file is cut at nominal offsets ``0, blocksize, 2 * blocksize…``; each
range then starts at the first *record* end at or after its nominal offset
and ends where the next range starts, so every record is in exactly one range.

Where a record ends is decided by counting quote characters from the start
of the file. In CSV as this library and the platform write it (RFC 4180), a
cell holding a quote, a delimiter or a line break is quoted and its quotes
are doubled, so every quote character opens, closes or doubles inside a
quoted cell: a line end with an even number of quotes before it ends a
record, one with an odd number is a line break inside a quoted cell. The
counts come from one cheap pass over the file, block by block
(:func:`count_block`), which also gives each range the number of lines
before it, so errors name the file's own line numbers.

A file whose quotes break that rule (a bare quote inside an unquoted cell,
which :mod:`csv` reads as text) cannot be cut safely: when its quote count is
odd that is detected and reported; read such a file whole.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from typing import IO, Final

import attrs

from .._files.layout import Layout
from .._files.options import ReadOptions
from .._files.rows import Row
from .._files.source import Opened, ReadLimits, open_input, open_source
from .._report.columns import Column
from .._types import Language
from ..errors import ReadError
from .header import read_header
from .rows import typed_rows

__all__ = [
    "BlockCount",
    "ReportRange",
    "block_edges",
    "count_block",
    "read_layout",
    "report_range",
]

#: How much of the file is read at a time while counting or looking for a record end.
_PIECE: Final = 1 << 20
_QUOTE: Final = b'"'
_NEWLINE: Final = b"\n"


@attrs.frozen
class BlockCount:
    """The quote characters and line ends in one block of a file."""

    quotes: int
    newlines: int


def block_edges(size: int, blocksize: int) -> tuple[int, ...]:
    """The nominal offsets of the blocks of a ``size``-byte file, and its end."""
    return (*range(0, size, blocksize), size) if size else (0, 0)


def read_layout(path: str, options: ReadOptions) -> Layout:
    """The header of the report at ``path``, in ``options.encoding`` (None: the header decides).

    Raises:
        ReadError: the file cannot be opened, or is not a report.
    """
    opened = open_source(path, None, ReadLimits(), options.encoding)
    with opened.closer:
        return read_header(opened, options)


def count_block(path: str, start: int, end: int) -> BlockCount:
    """Count the quote characters and line ends in bytes ``[start, end)`` of ``path``."""
    quotes = newlines = 0
    with open_input(path) as file:
        file.seek(start)
        remaining = end - start
        while remaining > 0:
            piece = file.read(min(_PIECE, remaining))
            if not piece:
                break
            remaining -= len(piece)
            quotes += piece.count(_QUOTE)
            newlines += piece.count(_NEWLINE)
    return BlockCount(quotes, newlines)


def _record_end(file: IO[bytes], nominal: int, inside_quotes: bool) -> tuple[int, int]:
    """The first record end after ``nominal``, and the line ends from ``nominal`` to it.

    ``inside_quotes`` tells whether ``nominal`` lies inside a quoted cell.
    The end of the file ends the last record.
    """
    file.seek(nominal)
    position = nominal
    newlines = 0
    while piece := file.read(_PIECE):
        index = 0
        while (found := piece.find(_NEWLINE, index)) >= 0:
            inside_quotes ^= piece.count(_QUOTE, index, found) % 2 == 1
            newlines += 1
            if not inside_quotes:
                return position + found + 1, newlines
            index = found + 1
        inside_quotes ^= piece.count(_QUOTE, index) % 2 == 1
        position += len(piece)
    return position, newlines


@attrs.frozen
class ReportRange:
    """The rows of one byte range of a report file: what a partition of a large file reads.

    Iterating opens the file, reads the range and yields its typed rows, as
    :class:`Report` does for a whole file; it describes its columns the way
    a :class:`Report` does, so it converts to a DataFrame the same way.
    """

    path: str
    layout: Layout
    start: int
    end: int
    lines_before: int
    #: With no datetime_format, each range keeps to the form of its own first date-time.
    options: ReadOptions

    @property
    def timezone(self) -> str:
        return self.options.timezone

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(column for column, _ in self.layout.columns)

    @property
    def extra_columns(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.layout.extra)

    @property
    def list_columns(self) -> tuple[str, ...]:
        return self.layout.list_columns

    @property
    def script_field_names(self) -> tuple[str, ...]:
        return self.layout.script_field_names

    @property
    def language(self) -> Language:
        return self.layout.language

    def __iter__(self) -> Iterator[Row]:
        file = open_input(self.path)
        with file:
            opened = Opened(
                _Between(file, self.start, self.end),
                contextlib.ExitStack(),
                ReadLimits(),
                once=True,
                # The header decided it (read_layout): a range in the middle has none.
                encoding=self.layout.encoding,
            )
            layout = self.layout
            if self.start == 0:
                # The first range holds the header: read past it as a whole file would.
                layout = read_header(opened, self.options)
            else:
                layout = attrs.evolve(layout, header_lines=self.lines_before)
            yield from typed_rows(opened, layout, self.options, fail=self._fail)

    def _fail(self, error: ReadError) -> None:
        if self.options.errors == "raise":
            raise error


class _Between:
    """The bytes of ``file`` from ``start`` (a line start) up to ``end`` (a line start), by line."""

    def __init__(self, file: IO[bytes], start: int, end: int) -> None:
        file.seek(start)
        self._file = file
        self._remaining = end - start

    def readline(self, size: int = -1) -> bytes:
        limit = self._remaining if size < 0 else min(size, self._remaining)
        if limit <= 0:
            return b""
        line = self._file.readline(limit)
        self._remaining -= len(line)
        return line

    def read(self, size: int = -1) -> bytes:
        limit = self._remaining if size < 0 else min(size, self._remaining)
        data = self._file.read(limit) if limit > 0 else b""
        self._remaining -= len(data)
        return data


def report_range(
    path: str,
    index: int,
    edges: Sequence[int],
    counts: Sequence[BlockCount],
) -> tuple[int, int, int]:
    """Where range ``index`` of ``path`` starts and ends, and the lines before it.

    ``edges`` are the file's :func:`block_edges`, ``counts`` the
    :func:`count_block` of every block.

    Raises:
        ReadError: the file's quote characters do not pair up, so record
            ends cannot be told from line breaks inside quoted cells.
    """
    if sum(count.quotes for count in counts) % 2:
        raise ReadError(
            "the file has an odd number of quote characters (a bare quote in an unquoted "
            "cell, or a quoted cell left open), so it cannot be read in byte ranges; "
            "read it whole (blocksize=None)",
            file=os.fspath(path),
        )
    last = len(edges) - 2
    with open_input(path) as file:
        start, lines_before = 0, 0
        if index > 0:
            before = counts[:index]
            inside = sum(count.quotes for count in before) % 2 == 1
            start, skipped = _record_end(file, edges[index], inside)
            lines_before = sum(count.newlines for count in before) + skipped
        end = edges[-1]
        if index < last:
            inside = sum(count.quotes for count in counts[: index + 1]) % 2 == 1
            end, _ = _record_end(file, edges[index + 1], inside)
    return start, max(start, end), lines_before
