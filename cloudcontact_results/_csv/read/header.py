"""A report's header: its format, language, delimiter, list columns and script fields."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import Final

import attrs

from ..._report.columns import Column
from ..._report.guard import unguard_cell
from ..._report.kinds import KINDS, kind_of
from ..._types import Language, ReportFormat, normalize_name
from ...errors import ReadError
from ..dialects import BOM
from .source import Opened, shown

__all__ = ["Layout", "read_header"]

_DELIMITERS: Final = (",", ";", "\t")
#: Lines a header may span (quoted line breaks in column names) before we give up.
_MAX_HEADER_LINES: Final = 1000

# Extra header spellings the platform has used for a column.
_ALIASES: Final = {"total_attempts": ("Total attempts (per rec)",)}


def _accepted(column: Column, language: Language) -> frozenset[str]:
    names = [column.header(language)]
    if language is Language.EN:
        names += _ALIASES.get(column.attribute, ())
    return frozenset(normalize_name(name) for name in names)


# (format, language, accepted names per report column), longest block first so that
# a detailed header is never mistaken for a shorter one.
_LAYOUTS: Final = tuple(
    (kind.format, language, tuple(_accepted(c, language) for c in kind.columns))
    for kind in KINDS
    for language in Language
)


@attrs.frozen
class Layout:
    """What the header says about the file."""

    format: ReportFormat
    language: Language
    header: tuple[str, ...]
    delimiter: str
    bom: bool
    list_columns: tuple[str, ...]
    script_field_names: tuple[str, ...]
    header_lines: int


def _match_header(cells: Sequence[str]) -> tuple[ReportFormat, Language] | None:
    folded = [normalize_name(cell) for cell in cells]
    for report_format, language, accepted in _LAYOUTS:
        width = len(accepted)
        if len(folded) >= width and all(
            name in names for name, names in zip(folded[-width:], accepted, strict=True)
        ):
            return report_format, language
    return None


def read_header(opened: Opened, script_fields: tuple[str, ...], *, formula_guard: bool) -> Layout:
    """Read the header off ``opened``, leaving its lines at the first row.

    Raises:
        ReadError: the file is empty, not UTF-8, or not a simple or detailed
            report; or ``script_fields`` do not match the header.
    """
    lines: list[str] = []
    for line in opened.lines:
        lines.append(line)
        # A quoted line break leaves an odd number of quotes: the header goes on.
        if sum(part.count('"') for part in lines) % 2 == 0 or len(lines) >= _MAX_HEADER_LINES:
            break
    if opened.bad_lines:
        raise ReadError("the header is not UTF-8 text", line=1, value=shown(opened.bad_lines[0]))
    if not lines:
        raise ReadError("the file is empty", line=1)
    bom = lines[0].startswith(BOM)
    if bom:
        lines[0] = lines[0][1:]
    if not "".join(lines).strip():
        raise ReadError("the file has no header (it is empty)", line=1)
    for delimiter in _DELIMITERS:
        try:
            cells = next(csv.reader(lines, delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        found = _match_header(cells)
        if found is None:
            continue
        if formula_guard:
            cells = [unguard_cell(cell) for cell in cells]
        return _layout(
            cells,
            found=found,
            delimiter=delimiter,
            bom=bom,
            script_fields=script_fields,
            header_lines=len(lines),
        )
    raise ReadError(
        "not a simple or detailed report: the header does not end with the report's "
        "columns (in English or Russian)",
        line=1,
        value=shown("".join(lines)),
    )


def _layout(
    cells: list[str],
    *,
    found: tuple[ReportFormat, Language],
    delimiter: str,
    bom: bool,
    script_fields: tuple[str, ...],
    header_lines: int,
) -> Layout:
    report_format, language = found
    leading = cells[: len(cells) - len(kind_of(report_format).columns)]
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
    seen: set[str] = set()
    for name in list_columns:
        if name in seen:
            raise ReadError(
                "a list column appears twice in the header; if the repeated name is a "
                "script field (a script may repeat one), name the script fields with "
                "read_report(..., script_fields=[...])",
                line=1,
                column=name,
            )
        seen.add(name)
    return Layout(
        format=report_format,
        language=language,
        header=tuple(cells),
        delimiter=delimiter,
        bom=bom,
        list_columns=list_columns,
        script_field_names=script_names,
        header_lines=header_lines,
    )
