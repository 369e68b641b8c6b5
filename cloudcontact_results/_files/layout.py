"""A report's header, whatever the file: its format, language, list columns and script fields.

The header row's cells, once a format has read them (a CSV's first line, a
workbook's first row), name the report, its language and its columns in the
same way; this module reads them. A CSV's delimiter, byte order mark and
encoding are found by the CSV reader (``_csv/header.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import attrs

from .._report.columns import Column
from .._report.kinds import KINDS, ReportKind
from .._types import Language, ReportFormat, normalize_name
from ..errors import ReadError
from .source import shown

__all__ = [
    "HeaderMatch",
    "Layout",
    "layout_of",
    "layout_of_cells",
    "match_header",
    "missing_columns",
]


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
class HeaderMatch:
    """The report a header row names, in which language, and where its columns are."""

    kind: ReportKind
    language: Language
    recogniser: dict[str, Column]
    #: Each report column at its last position: a calling list may have a
    #: column of the same name, and list columns come first.
    last: dict[Column, int]


def match_header(cells: Sequence[str]) -> HeaderMatch | None:
    """The report the cells of a header row name, or None when they name none."""
    folded = [normalize_name(cell) for cell in cells]
    for kind, language, recogniser in _RECOGNISERS:
        last: dict[Column, int] = {}
        for position, name in enumerate(folded):
            column = recogniser.get(name)
            if column is not None:
                last[column] = position
        if kind.required.issubset(column.attribute for column in last):
            return HeaderMatch(kind, language, recogniser, last)
    return None


def missing_columns(cells: Sequence[str]) -> str:
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


def layout_of_cells(cells: list[str], script_fields: tuple[str, ...], *, where: str) -> Layout:
    """The layout a header row of cells (a workbook's first row) describes.

    Raises:
        ReadError: the cells are not a report's header, naming ``where``.
    """
    found = match_header(cells)
    if found is None:
        raise ReadError(
            f"{where}: not a simple or detailed report: the header does not end with the "
            "report's columns (in English or Russian)",
            line=1,
            value=shown(", ".join(cells)),
        )
    return layout_of(
        cells,
        found=found,
        delimiter="",
        bom=False,
        encoding=None,
        script_fields=script_fields,
        header_lines=1,
    )


def layout_of(
    cells: list[str],
    *,
    found: HeaderMatch,
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
