"""A CSV's lines after the header -> typed rows; each bad line becomes a ReadError naming it."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator

from .._files.encodings import FALLBACK, UTF8, named
from .._files.layout import Layout
from .._files.options import ReadOptions
from .._files.rows import Row, RowBuilder, time_cells
from .._files.source import Opened, RowTooLongError, shown
from .._report.guard import unguard_cell
from ..errors import ReadError

__all__ = ["typed_rows", "undecodable"]


def undecodable(encoding: str) -> str:
    """Why a line that does not decode is refused."""
    if encoding == UTF8:
        # The header chose UTF-8: a header of plain ASCII reads as both.
        return f"not UTF-8 text (a file saved as Windows-1251 reads with encoding={FALLBACK!r})"
    return f"not {named(encoding)} text"


def typed_rows(
    opened: Opened,
    layout: Layout,
    options: ReadOptions,
    *,
    fail: Callable[[ReadError], None],
) -> Iterator[Row]:
    """The rows of ``opened`` after its header, typed.

    A line that cannot be read is handed to ``fail`` (which may raise) and
    dropped; past ``ReadLimits.max_bad_lines`` of them the read stops with a
    :class:`ReadError`. Runs of blank lines are passed over in bulk.
    """
    builder = RowBuilder.build(layout, time_cells(layout, options.zone, options.datetime_format))
    reader = csv.reader(opened.lines, delimiter=layout.delimiter)
    bad_lines = opened.bad_lines
    refused = undecodable(opened.encoding)
    row_bytes = opened.row_bytes
    width = len(layout.header)
    offset = layout.header_lines
    unguard = unguard_cell if options.formula_guard else None
    # Set by the lines a row came from when one holds a quote: a row without
    # one has nothing to unguard. Left set by a dropped row, it only makes
    # the next row look at its cells (unguarding a cell without a quote
    # changes nothing).
    quoted = opened.quoted
    build = builder.row
    end = offset
    allowed = opened.limits.max_bad_lines
    failed = 0

    def drop(error: ReadError) -> None:
        nonlocal failed
        fail(error)
        failed += 1
        if failed >= allowed:
            raise ReadError(
                f"{failed} bad lines, the last at line {error.line}: the read stops here "
                "(ReadLimits.max_bad_lines); is this file a report?"
            )

    while True:
        try:
            for raw_cells in reader:
                row_bytes[0] = 0
                cells: list[str] = raw_cells
                line = end + 1
                end = reader.line_num + offset
                if bad_lines:
                    drop(ReadError(refused, line=line, value=shown(bad_lines[0])))
                    bad_lines.clear()
                    continue
                if len(cells) != width:
                    if not cells:  # blank lines carry no row; a run of them costs one read
                        offset += opened.skip_blank_lines()
                        end = reader.line_num + offset
                        continue
                    drop(
                        ReadError(
                            f"expected {width} cells like the header, got {len(cells)}",
                            line=line,
                            value=shown(layout.delimiter.join(cells)),
                        )
                    )
                    continue
                if quoted[0]:
                    quoted[0] = False
                    if unguard is not None:
                        cells = [unguard(cell) for cell in cells]
                try:
                    row = build(cells)
                except (ValueError, KeyError):
                    drop(builder.explain(cells, line))
                    continue
                yield row
        except csv.Error as exc:
            line = end + 1
            end = reader.line_num + offset
            drop(ReadError(f"malformed CSV: {exc}", line=line))
            continue
        except RowTooLongError as error:
            raise ReadError(error.reason, line=end + 1) from None
        return
