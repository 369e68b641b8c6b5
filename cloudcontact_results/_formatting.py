"""Typed rows -> text cells, for one set of export options (time zone, language, format)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ._columns import DETAILED_COLUMNS, SIMPLE_COLUMNS, ColumnKind
from ._cpa import CPAResult
from ._dispositions import SYSTEM_DISPOSITIONS
from ._guard import TRIGGERS, guard_cell, guarded
from ._language import Language
from ._model import NoMatch
from ._notes import SystemNote
from ._options import DEFAULT_DATETIME_FORMAT, ExportOptions
from ._rows import DetailedRow, SimpleRow

__all__ = ["RowFormatter", "format_row"]

Cell = Callable[[Any], str]


def _text(value: str) -> str:
    return value


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _count(value: int | None) -> str:
    return "" if value is None else str(value)


def _cpa(value: CPAResult | None) -> str:
    return "" if value is None else str(int(value))


def _code(value: str | None) -> str:
    return "" if value is None else value


#: The expressions :meth:`RowFormatter.cells_function` writes instead of calling these functions.
_INLINE: dict[Cell, str] = {
    _text: "{}",
    _flag: '("1" if {} else "0")',
    _count: '("" if (v := {}) is None else str(v))',
    _cpa: '("" if (v := {}) is None else str(int(v)))',
    _code: '("" if (v := {}) is None else v)',
}


#: "00" to "59": the zero-padded parts of a date-time in the default format.
_TWO_DIGITS = tuple(f"{number:02d}" for number in range(60))

#: The kinds of cell that can hold any text, so may start a formula.
_TEXT_KINDS = frozenset(
    (
        ColumnKind.TEXT,
        ColumnKind.DISPOSITION,
        ColumnKind.CODE,
        ColumnKind.QUOTA_GROUP,
        ColumnKind.NOTE,
    )
)

#: Opens a guarded cells function: list columns and script fields are guarded
#: once per run of rows sharing them (the rows of one record share their fields).
_GUARDED_PROLOGUE = """\
    last_fields = last_script = None
    fields = script = ()
    def cells(row):
        nonlocal last_fields, last_script, fields, script
        if row.fields is not last_fields:
            last_fields = row.fields
            fields = guarded(last_fields.values())
        if row.script_fields is not last_script:
            last_script = row.script_fields
            script = guarded(last_script)
"""


class RowFormatter:
    """Turns typed rows into the text cells of a report, for fixed options.

    Build it once per export: it resolves the time zone, the language's
    names and one cell function per column up front, so formatting a row is
    a single pass over its values.

    >>> import datetime as dt
    >>> from cloudcontact_results import ExportOptions
    >>> formatter = RowFormatter(ExportOptions(language="ru"))
    >>> formatter.time(dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC))
    '2026-03-01 12:30:00'
    >>> formatter.disposition("No answer")
    'Нет ответа'
    """

    def __init__(self, options: ExportOptions) -> None:
        self.options = options
        self._tz = options.tz
        self._format = options.datetime_format
        self._iso = self._format == DEFAULT_DATETIME_FORMAT
        language = options.language
        self._language = language
        self._notes: dict[SystemNote, str] = {}
        self._names: dict[str, str] = (
            {d.name: d.label(language) for d in SYSTEM_DISPOSITIONS}
            if language is Language.RU
            else {}
        )
        kinds: dict[ColumnKind, Cell] = {
            ColumnKind.TEXT: _text,
            ColumnKind.FLAG: _flag,
            ColumnKind.COUNT: _count,
            ColumnKind.SECONDS: _count,
            ColumnKind.TIME: self.time,
            ColumnKind.DISPOSITION: self.disposition,
            ColumnKind.CODE: _code,
            ColumnKind.QUOTA_GROUP: self.quota_group,
            ColumnKind.NOTE: self.note,
            ColumnKind.CPA: _cpa,
        }
        self.cell: dict[ColumnKind, Cell] = kinds
        # Cells that can never start a formula (flags, numbers, default-format
        # times) are left out of the guard; see cells_function().
        self._guarded_kinds = _TEXT_KINDS if self._iso else _TEXT_KINDS | {ColumnKind.TIME}
        self._layouts = {
            SimpleRow: self.cells_function(SimpleRow),
            DetailedRow: self.cells_function(DetailedRow),
        }

    def cells_function(
        self, row_type: type[SimpleRow | DetailedRow], *, guard: bool = False
    ) -> Callable[[Any], list[str]]:
        """The compiled function formatting rows of ``row_type``, as attrs compiles ``__init__``.

        Formatting is the hot loop of an export: the plain cell functions are
        written inline, so a row costs one call instead of one per column.
        The cell functions stay the single source of what a cell holds.

        With ``guard`` each cell is also passed through the formula guard
        (:func:`guard_cell`), but only cells of a kind that can start a
        formula are tested. List columns and script fields are guarded once
        for a run of rows sharing the same objects (the rows of one record
        share their ``fields``): a function with ``guard`` is for the rows of
        one report, whose ``fields`` nobody changes.
        """
        columns = SIMPLE_COLUMNS if row_type is SimpleRow else DETAILED_COLUMNS
        namespace: dict[str, Any] = {"guard_cell": guard_cell, "guarded": guarded, "T": TRIGGERS}
        cells = ["*fields", "*script"] if guard else ["*row.fields.values()", "*row.script_fields"]
        for position, column in enumerate(columns):
            function = self.cell[column.kind]
            value = f"row.{column.attribute}"
            inline = _INLINE.get(function)
            if inline is None:
                namespace[f"cell{position}"] = function
                cell = f"cell{position}({value})"
            else:
                cell = inline.format(value)
            if guard and column.kind in self._guarded_kinds:
                cell = f"(guard_cell(c) if (c := {cell}) and c[0] in T else c)"
            cells.append(cell)
        returned = f"return [{', '.join(cells)}]"
        if guard:
            source = f"def make():\n{_GUARDED_PROLOGUE}        {returned}\n    return cells\n"
        else:
            source = f"def make():\n    def cells(row):\n        {returned}\n    return cells\n"
        exec(source, namespace)  # noqa: S102  # the source is built from our own column table
        compiled: Callable[[Any], list[str]] = namespace["make"]()
        return compiled

    def time(self, value: dt.datetime | None) -> str:
        if value is None:
            return ""
        local = value.astimezone(self._tz)
        # The time is the costliest cell of a detailed row. The default format
        # written directly is about five times as fast as strftime(), with the
        # same text; strftime() stays for other formats and for years before
        # 1000, which platforms pad differently.
        if self._iso and local.year >= 1000:
            two = _TWO_DIGITS
            return (
                f"{local.year}-{two[local.month]}-{two[local.day]} "
                f"{two[local.hour]}:{two[local.minute]}:{two[local.second]}"
            )
        return local.strftime(self._format)

    def disposition(self, name: str | None) -> str:
        if name is None:
            return ""
        return self._names.get(name, name)

    def quota_group(self, value: str | NoMatch | None) -> str:
        if value is None:
            return ""
        return value.label(self._language) if isinstance(value, NoMatch) else value

    def note(self, value: str | SystemNote) -> str:
        if not isinstance(value, SystemNote):
            return value
        # Few distinct notes exist (CPA result x SIP code): render each once.
        text = self._notes.get(value)
        if text is None:
            text = self._notes[value] = value.render(self._language)
        return text

    def cells(self, row: SimpleRow | DetailedRow) -> list[str]:
        """The text cells of ``row``: list columns, script fields, report columns."""
        return self._layouts[type(row)](row)


def format_row(row: SimpleRow | DetailedRow, options: ExportOptions | None = None) -> list[str]:
    """The text cells of one row (build a :class:`RowFormatter` to format many)."""
    return RowFormatter(options or ExportOptions()).cells(row)
