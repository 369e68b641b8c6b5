"""A report's header: its format, language, delimiter, list columns and script fields."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator, Sequence
from typing import Final

import attrs

from ..._report.columns import Column
from ..._report.guard import unguard_cell
from ..._report.kinds import KINDS, ReportKind
from ..._types import Language, ReportFormat, normalize_name
from ...errors import ReadError
from ..dialects import BOM
from .encodings import UTF8, named
from .source import Opened, RowTooLongError, shown

__all__ = ["Layout", "layout_of_cells", "read_header"]

_DELIMITERS: Final = (",", ";", "\t")
#: Lines a header may span (quoted line breaks in column names) before we give up.
_MAX_HEADER_LINES: Final = 1000


def _recogniser(kind: ReportKind, language: Language) -> dict[str, Column]:
    """Folded header name -> the column it names, for a header in ``language``.

    Columns every layout has are recognised in ``language`` only (they tell the
    header's language); the others, which a platform may leave untranslated,
    in either language.
    """
    names: dict[str, Column] = {}
    for column in kind.known_columns:
        if column.attribute in kind.required:
            spellings = [column.header(language)]
            if language is Language.EN:
                spellings += column.aliases
        else:
            spellings = [column.en, column.ru, *column.aliases]
        names.update(dict.fromkeys((normalize_name(name) for name in spellings), column))
    return names


# (kind, language, recogniser), longest report first, so that a header holding the
# columns of both reports reads as the detailed one.
_RECOGNISERS: Final = tuple(
    (kind, language, _recogniser(kind, language)) for kind in KINDS for language in Language
)


@attrs.frozen
class Layout:
    """What the header says about the file.

    Attributes:
        columns: the report columns the header has, each with its position,
            in the order of the row class's attributes.
        extra: the columns after the first report column that are no report
            column, each with its position, in file order.
    """

    format: ReportFormat
    language: Language
    header: tuple[str, ...]
    delimiter: str
    bom: bool
    #: The text encoding of a CSV file (a codec name); None for a workbook.
    encoding: str | None
    list_columns: tuple[str, ...]
    script_field_names: tuple[str, ...]
    header_lines: int
    columns: tuple[tuple[Column, int], ...]
    extra: tuple[tuple[str, int], ...]


@attrs.frozen
class _Match:
    kind: ReportKind
    language: Language
    recogniser: dict[str, Column]
    #: Each report column at its last position: a calling list may have a
    #: column of the same name, and list columns come first.
    last: dict[Column, int]


def _match_header(cells: Sequence[str]) -> _Match | None:
    folded = [normalize_name(cell) for cell in cells]
    for kind, language, recogniser in _RECOGNISERS:
        last: dict[Column, int] = {}
        for position, name in enumerate(folded):
            column = recogniser.get(name)
            if column is not None:
                last[column] = position
        if kind.required.issubset(column.attribute for column in last):
            return _Match(kind, language, recogniser, last)
    return None


def _missing(cells: Sequence[str]) -> str:
    """The report columns the header lacks, for the report it comes closest to."""
    folded = {normalize_name(cell) for cell in cells}
    best: list[str] = []
    found = 0
    for kind, language, recogniser in _RECOGNISERS:
        present = {column.attribute for name, column in recogniser.items() if name in folded}
        if len(present & kind.required) > found:
            found = len(present & kind.required)
            best = [
                column.header(language)
                for column in kind.known_columns
                if column.attribute in kind.required - present
            ]
    if found < len(best) or not best:
        return "the header does not name the report's columns (in English or Russian)"
    return f"the header lacks the columns {', '.join(repr(name) for name in best)}"


def read_header(opened: Opened, script_fields: tuple[str, ...], *, formula_guard: bool) -> Layout:
    """Read the header off ``opened``, leaving its lines at the first row.

    The CSV reader decides where the header ends, as it does for rows: a quote
    inside a column name (``Рост 5'11"``) is text, and only a column name that
    *starts* with a quote may hold a line break. A header that spans lines must
    be well formed (every such quote closed, nothing after it), or it is an error:
    it would swallow the rows after it.

    Raises:
        ReadError: the file is empty, not text in its encoding, or not a simple or detailed
            report; or ``script_fields`` do not match the header.
    """
    read: list[str] = []
    try:
        first = next(opened.lines, None)
    except RowTooLongError as error:
        raise ReadError(f"the header: {error.reason}", line=1) from None
    if opened.bad_lines:
        text = named(opened.encoding)
        if opened.detected and opened.encoding != UTF8:
            text = f"UTF-8 or {text}"
        raise ReadError(f"the header is not {text} text", line=1, value=shown(opened.bad_lines[0]))
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
        found = _match_header(cells)
        candidates.append(cells)
        if found is None:
            continue
        _check_well_formed(read[:header_lines], delimiter)
        if formula_guard:
            cells = [unguard_cell(cell) for cell in cells]
        layout = _layout(
            cells,
            found=found,
            delimiter=delimiter,
            bom=bom,
            encoding=opened.encoding,
            script_fields=script_fields,
            header_lines=header_lines,
        )
        # Lines read past the header while other delimiters were tried are rows.
        opened.lines = itertools.chain(read[header_lines:], opened.lines)
        opened.new_row()
        return layout
    if problem is not None:
        raise problem
    raise ReadError(
        f"not a simple or detailed report: {_missing(candidates[0] if candidates else [])}",
        line=1,
        value=shown(read[0]),
    )


def layout_of_cells(cells: list[str], script_fields: tuple[str, ...], *, where: str) -> Layout:
    """The layout a header row of cells (a workbook's first row) describes.

    Raises:
        ReadError: the cells are not a report's header, naming ``where``.
    """
    found = _match_header(cells)
    if found is None:
        raise ReadError(
            f"{where}: not a simple or detailed report: the header does not end with the "
            "report's columns (in English or Russian)",
            line=1,
            value=shown(", ".join(cells)),
        )
    return _layout(
        cells,
        found=found,
        delimiter="",
        bom=False,
        encoding=None,
        script_fields=script_fields,
        header_lines=1,
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


def _layout(
    cells: list[str],
    *,
    found: _Match,
    delimiter: str,
    bom: bool,
    encoding: str | None,
    script_fields: tuple[str, ...],
    header_lines: int,
) -> Layout:
    first_report = min(found.last.values())
    leading = cells[:first_report]
    if len(script_fields) > len(leading):
        raise ReadError(
            f"script_fields names {len(script_fields)} fields but the header has only "
            f"{len(leading)} columns before the report's",
            line=1,
            value=", ".join(script_fields),
        )
    split = len(leading) - len(script_fields)
    list_columns, script_names = tuple(leading[:split]), tuple(leading[split:])
    for given, found_name in zip(script_fields, script_names, strict=True):
        if normalize_name(given) != normalize_name(found_name):
            raise ReadError(
                f"script_fields {script_fields!r} do not match the header's columns "
                f"{script_names!r}",
                line=1,
                column=found_name,
                value=given,
            )
    _check_unique(
        list_columns,
        "a list column appears twice in the header; if the repeated name is a "
        "script field (a script may repeat one), name the script fields with "
        "read_report(..., script_fields=[...])",
    )
    extra: list[tuple[str, int]] = []
    for position in range(first_report, len(cells)):
        column = found.recogniser.get(normalize_name(cells[position]))
        if column is None:
            extra.append((cells[position], position))
        elif found.last[column] != position:
            raise ReadError(
                "a report column appears twice in the header", line=1, column=cells[position]
            )
    _check_unique(
        [name for name, _ in extra],
        "an unknown column appears twice in the header, so its values cannot be told apart",
    )
    return Layout(
        format=found.kind.format,
        language=found.language,
        header=tuple(cells),
        delimiter=delimiter,
        bom=bom,
        encoding=encoding,
        list_columns=list_columns,
        script_field_names=script_names,
        header_lines=header_lines,
        columns=tuple(
            (column, found.last[column])
            for column in found.kind.known_columns
            if column in found.last
        ),
        extra=tuple(extra),
    )


def _check_unique(names: Sequence[str], reason: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ReadError(reason, line=1, column=name)
        seen.add(name)
