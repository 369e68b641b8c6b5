"""Plain CSV tables (a calling list as the platform loads it): the header, the rows, writing.

A report's header names known columns, which tell the delimiter; a calling
list's columns are the user's own, so the delimiter is the one (``,``, ``;``
or tab) that splits the header into the most cells, preferring one under
which the columns asked for by name are there. Everything else is the
report reader's: the source and its limits (:mod:`.._files.source`), the
encoding decided by the header, the formula guard undone; and the report
writer's: the destination policy and atomic files (:mod:`.._files.sink`),
the guard, the dialects.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Final

import attrs

from .._files.encodings import named
from .._files.sink import Destination, ExportResult, counted_destination, text_sink
from .._files.source import Opened, RowTooLongError, shown
from .._report.guard import guard_each, may_need_guard, unguard_cell
from ..errors import ExportError, ReadError
from .dialects import BOM
from .header import first_line
from .rows import undecodable

__all__ = [
    "DELIMITERS",
    "TableHeader",
    "read_table_header",
    "table_rows",
    "unguarded",
    "write_table",
]

#: The delimiters a table may have, in the order a tie is decided.
DELIMITERS: Final = (",", ";", "\t")


@attrs.frozen
class TableHeader:
    """What a table's first row says: its column names and how the file is written."""

    columns: tuple[str, ...]
    delimiter: str
    bom: bool
    encoding: str


def read_table_header(
    opened: Opened,
    *,
    delimiter: str | None,
    wanted: Collection[str] = (),
    formula_guard: bool = True,
) -> TableHeader:
    """Read the header row off ``opened``, leaving its lines at the first row.

    Args:
        opened: the source.
        delimiter: the delimiter, or None to decide it from the header.
        wanted: column names the caller needs: a delimiter under which they
            are all there is preferred.
        formula_guard: undo the writer's formula guard on the names.

    Raises:
        ReadError: the file is empty or its header is not text in its encoding,
            or not one CSV row.
    """
    first = first_line(opened)
    if first is None:
        raise ReadError("the file is empty: a calling list starts with its header row", line=1)
    if not first.strip(BOM + "\r\n"):
        raise ReadError(
            "the first line is blank: a calling list starts with its header row", line=1
        )
    if "\x00" in first:
        raise ReadError(
            "the header is not text: it holds NUL characters (a UTF-16 file? save it as UTF-8)",
            line=1,
            value=shown(first),
        )
    bom = first.startswith(BOM)
    text = first.removeprefix(BOM)
    if "\n" not in text:  # the last line of a file without a line end
        text += "\n"
    best: tuple[tuple[bool, int, int], str, list[str]] | None = None
    for rank, candidate in enumerate((delimiter,) if delimiter else DELIMITERS):
        found = _header_cells(text, candidate)
        if found is None:
            continue
        score = (all(name in found for name in wanted), len(found), -rank)
        if best is None or score > best[0]:
            best = (score, candidate, found)
    if best is None:
        raise ReadError(
            "the header is not one CSV row (a quote in it is left open or not closed "
            "before a delimiter)",
            line=1,
            value=shown(text.rstrip("\r\n")),
        )
    _, chosen, cells = best
    if formula_guard:
        cells = [unguard_cell(cell) for cell in cells]
    opened.new_row()
    return TableHeader(tuple(cells), chosen, bom, opened.encoding)


def _header_cells(line: str, delimiter: str) -> list[str] | None:
    """The cells of a one-line header; None when it is not one well-formed row."""
    try:
        rows = list(csv.reader([line], delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 else None


def table_rows(
    opened: Opened,
    header: TableHeader,
    *,
    fail: Callable[[ReadError], None],
) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` of every row after the header; ``line`` is where the row starts.

    A line that cannot be read (not text in the file's encoding, another
    number of cells than the header, malformed CSV) is handed to ``fail``
    (which may raise) and dropped; past ``ReadLimits.max_bad_lines`` of them
    the read stops. Runs of blank lines are passed over in bulk.
    """
    reader = csv.reader(opened.lines, delimiter=header.delimiter)
    bad_lines = opened.bad_lines
    refused = undecodable(opened.encoding)
    row_bytes = opened.row_bytes
    width = len(header.columns)
    allowed = opened.limits.max_bad_lines
    offset = 1
    end = offset
    failed = 0

    def drop(error: ReadError) -> None:
        nonlocal failed
        fail(error)
        failed += 1
        if failed >= allowed:
            raise ReadError(
                f"{failed} bad lines, the last at line {error.line}: the read stops here "
                "(ReadLimits.max_bad_lines); is this file a calling list?"
            )

    while True:
        try:
            for cells in reader:
                row_bytes[0] = 0
                line = end + 1
                end = reader.line_num + offset
                if bad_lines:
                    drop(ReadError(refused, line=line, value=shown(bad_lines[0])))
                    bad_lines.clear()
                    continue
                if len(cells) != width:
                    if not cells:
                        offset += opened.skip_blank_lines()
                        end = reader.line_num + offset
                        continue
                    drop(
                        ReadError(
                            f"expected {width} cells like the header, got {len(cells)}",
                            line=line,
                            value=shown(header.delimiter.join(cells)),
                        )
                    )
                    continue
                yield line, cells
        except csv.Error as exc:
            line = end + 1
            end = reader.line_num + offset
            drop(ReadError(f"malformed CSV: {exc}", line=line))
            continue
        except RowTooLongError as error:
            raise ReadError(error.reason, line=end + 1) from None
        return


def unguarded(cells: list[str]) -> list[str]:
    """``cells`` with the formula guard undone (cells without a quote are kept as they are)."""
    if "'" not in "".join(cells):
        return cells
    return [unguard_cell(cell) for cell in cells]


def write_table(
    header: Iterable[str],
    rows: Iterable[Iterable[str]],
    destination: Destination,
    *,
    delimiter: str,
    bom: bool,
    encoding: str,
    formula_guard: bool = True,
    overwrite: bool = False,
) -> ExportResult:
    """Write ``header`` and ``rows`` to ``destination`` as CSV, every cell quoted.

    Every cell is quoted, so a spreadsheet told to read quoted fields as text
    keeps phones, codes and numbers with leading zeros as they are, and an
    empty cell of a one-column table is a row, not a blank line. The
    destination is opened by the destination policy: a path atomically.

    Raises:
        ExportError: the destination is unusable, or a cell cannot be written
            in ``encoding``.
    """
    with (
        counted_destination(destination, overwrite=overwrite) as (counter, path),
        text_sink(counter, encoding) as text,  # type: ignore[arg-type]  # a binary stream
        counter.discarding_on_error(),
    ):
        writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
        write = writer.writerow
        count = 0
        try:
            if bom:
                text.write(BOM)
            for given in itertools.chain((header,), rows):
                cells = list(given)
                write(guard_each(cells) if formula_guard and may_need_guard(cells) else cells)
                count += 1
        except UnicodeEncodeError as error:
            raise ExportError(
                f"cannot write {error.object[error.start : error.end]!r} as "
                f"{named(encoding)} (row {count + 1} of the file)"
            ) from error
    return ExportResult(rows=count - 1, path=path, bytes=counter.count)
