"""Typed rows -> text cells, for one set of export options (time zone, language, format)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ._columns import DETAILED_COLUMNS, SIMPLE_COLUMNS, Column, ColumnKind
from ._cpa import CPAResult
from ._dispositions import SYSTEM_DISPOSITIONS
from ._language import Language
from ._model import NoMatch
from ._notes import SystemNote
from ._options import ExportOptions
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


#: The expressions :meth:`RowFormatter._layout` writes instead of calling these functions.
_INLINE: dict[Cell, str] = {
    _text: "{}",
    _flag: '("1" if {} else "0")',
    _count: '("" if (v := {}) is None else str(v))',
    _cpa: '("" if (v := {}) is None else str(int(v)))',
    _code: '("" if (v := {}) is None else v)',
}


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
        self._layouts = {
            SimpleRow: self._layout(SIMPLE_COLUMNS),
            DetailedRow: self._layout(DETAILED_COLUMNS),
        }

    def _layout(self, columns: tuple[Column, ...]) -> Callable[[Any], list[str]]:
        """One compiled function per row type, the way attrs compiles ``__init__``.

        Formatting is the hot loop of an export: the plain cell functions are
        written inline, so a row costs one call instead of one per column.
        The cell functions stay the single source of what a cell holds.
        """
        namespace: dict[str, Any] = {}
        cells = ["*row.fields.values()", "*row.script_fields"]
        for position, column in enumerate(columns):
            function = self.cell[column.kind]
            value = f"row.{column.attribute}"
            inline = _INLINE.get(function)
            if inline is None:
                namespace[f"cell{position}"] = function
                cells.append(f"cell{position}({value})")
            else:
                cells.append(inline.format(value))
        source = f"def cells(row):\n    return [{', '.join(cells)}]\n"
        exec(source, namespace)  # noqa: S102  # the source is built from our own column table
        compiled: Callable[[Any], list[str]] = namespace["cells"]
        return compiled

    def time(self, value: dt.datetime | None) -> str:
        if value is None:
            return ""
        return value.astimezone(self._tz).strftime(self._format)

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
