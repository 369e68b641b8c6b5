"""A CSV's header: its delimiter, byte order mark and encoding, and the lines it spans."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Final

from .._files.encodings import UTF8, named
from .._files.layout import Layout, layout_of, match_header, missing_columns
from .._files.options import ReadOptions
from .._files.source import Opened, RowTooLongError, shown
from .._report.guard import unguard_cell
from ..errors import ReadError
from .dialects import BOM

__all__ = ["first_line", "read_header"]

_DELIMITERS: Final = (",", ";", "\t")
#: Lines a header may span (quoted line breaks in column names) before we give up.
_MAX_HEADER_LINES: Final = 1000


def first_line(opened: Opened) -> str | None:
    """The first line of ``opened`` (a header's), or None for an empty file.

    Raises:
        ReadError: the line is too long, or not text in the file's encoding.
    """
    try:
        first = next(opened.lines, None)
    except RowTooLongError as error:
        raise ReadError(f"the header: {error.reason}", line=1) from None
    if opened.bad_lines:
        text = named(opened.encoding)
        if opened.detected and opened.encoding != UTF8:
            text = f"UTF-8 or {text}"
        raise ReadError(f"the header is not {text} text", line=1, value=shown(opened.bad_lines[0]))
    return first


def read_header(opened: Opened, options: ReadOptions) -> Layout:
    """Read the header off ``opened``, leaving its lines at the first row.

    The CSV reader decides where the header ends, as it does for rows: a quote
    inside a column name (``Рост 5'11"``) is text, and only a column name that
    *starts* with a quote may hold a line break. A header that spans lines must
    be well formed (every such quote closed, nothing after it), or it is an error:
    it would swallow the rows after it.

    Raises:
        ReadError: the file is empty, not text in its encoding, or not a simple or detailed
            report; or ``options.script_fields`` do not match the header.
    """
    read: list[str] = []
    first = first_line(opened)
    if first is None:
        raise ReadError("the file is empty", line=1)
    bom = first.startswith(BOM)
    read.append(first.removeprefix(BOM))
    if not read[0].strip():
        raise ReadError("the file has no header (it is empty)", line=1)
    candidates = []
    problem: ReadError | None = None
    for delimiter in _DELIMITERS:
        try:
            reader = csv.reader(_replayed(read, opened), delimiter=delimiter)
            cells = next(reader)
        except (csv.Error, StopIteration):
            continue
        except ReadError as error:  # too long for a header with this delimiter
            problem = problem or error
            continue
        header_lines = reader.line_num
        found = match_header(cells)
        candidates.append(cells)
        if found is None:
            continue
        _check_well_formed(read[:header_lines], delimiter)
        if options.formula_guard:
            cells = [unguard_cell(cell) for cell in cells]
        layout = layout_of(
            cells,
            found=found,
            delimiter=delimiter,
            bom=bom,
            encoding=opened.encoding,
            script_fields=options.script_fields,
            header_lines=header_lines,
        )
        # Lines read past the header while other delimiters were tried are rows.
        opened.put_back(read[header_lines:])
        opened.new_row()
        return layout
    if problem is not None:
        raise problem
    raise ReadError(
        f"not a simple or detailed report: {missing_columns(candidates[0] if candidates else [])}",
        line=1,
        value=shown(read[0]),
    )


def _replayed(read: list[str], opened: Opened) -> Iterator[str]:
    """The lines read so far, then more from ``opened`` (kept in ``read``), up to a limit."""
    yield from read
    while len(read) < _MAX_HEADER_LINES:
        try:
            line = next(opened.lines, None)
        except RowTooLongError as error:
            raise ReadError(f"the header: {error.reason}", line=1) from None
        if line is None:
            return
        read.append(line)
        yield line
    raise ReadError(
        f"the header does not end within {_MAX_HEADER_LINES} lines: a column name opens "
        "a quote that never closes",
        line=1,
    )


def _check_well_formed(lines: list[str], delimiter: str) -> None:
    """The header must be well-formed CSV: its quotes closed, nothing after them.

    The CSV reader is lenient with rows (as spreadsheets are); a header read
    leniently could take in lines that are rows, or split names wrongly, and
    every row after it would be misread.
    """
    try:
        records = list(csv.reader(lines, delimiter=delimiter, strict=True))
    except csv.Error as error:
        records, problem = [], str(error)
    else:
        problem = "a quote is left open"
    if len(records) != 1:
        span = f"spans {len(lines)} lines and " if len(lines) > 1 else ""
        raise ReadError(
            f"the header {span}is not well-formed CSV ({problem}): "
            "a quote that opens a column name must enclose the whole name",
            line=1,
            value=shown("".join(lines)),
        )
