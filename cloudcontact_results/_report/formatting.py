"""Typed rows -> text cells, for one rendering (time zone, language, date-time format, guard).

What a cell of each :class:`ColumnKind` holds is written once, as a Python
expression over the variable ``value`` in its :data:`CODECS` entry. From that one
definition the formatter compiles both the function of a single cell and,
for the hot loop of an export, one function per report that formats a whole
row in one call, as lines of ``_codegen.py``'s helpers. The generated source
is registered with :mod:`linecache` under its own file name, as attrs does
for its generated ``__init__``, so tracebacks and debuggers show the
generated lines.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, Final

from .._codegen import (
    assign,
    compile_source,
    for_loop,
    function,
    if_block,
    joined,
    wrapped,
)
from .._model.campaign import NoMatch
from .._model.dispositions import SYSTEM_DISPOSITIONS
from .._model.notes import SystemNote
from .._options import ExportOptions, Rendering
from .._types import DEFAULT_DATETIME_FORMAT, Language
from .codecs import CODECS, DEFAULT_FORMAT_TIME
from .columns import Column, ColumnKind
from .guard import TRIGGERS, embedded, guard_cell, guarded
from .kinds import ReportKind, kind_of_row
from .rows import DetailedRow, SimpleRow

__all__ = [
    "RowFormatter",
    "cell_function",
    "cell_source",
    "format_row",
    "generated_namespace",
    "guard_lines",
    "guards",
    "over_value",
    "row_function",
    "typed_columns_start",
    "typed_run",
    "typed_source",
]

Cells = Callable[[Any], list[str]]

#: Columns of typed values of a list of rows: the distinct runs of list
#: columns and script fields, each row's run, and one list per report column.
Columns = Callable[[list[Any]], tuple[list[tuple[str, ...]], list[int], list[list[Any]]]]

#: Opens a guarded row function: list columns and script fields are guarded
#: once per run of rows sharing them (the rows of one record share their fields).
_GUARDED_RUN: Final = (
    *if_block(
        "row.fields is not last_fields",
        ["last_fields = row.fields", "fields = guarded(last_fields.values())"],
    ),
    *if_block(
        "row.script_fields is not last_script",
        ["last_script = row.script_fields", "script = guarded(last_script)"],
    ),
)

_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND: Final = dt.timedelta(microseconds=1)

#: "00" to "59": the zero-padded parts of a date-time in the default format.
_TWO_DIGITS: Final = tuple(f"{number:02d}" for number in range(60))


#: Days kept written at most (an export's times span a few hundred days).
_DAYS_KEPT: Final = 4096


class _Days(dict[int, str]):
    """A day's date in the default format and the space after it, by its ordinal, kept once seen."""

    def __missing__(self, ordinal: int) -> str:
        if len(self) >= _DAYS_KEPT:
            self.clear()
        day = dt.date.fromordinal(ordinal)
        text = self[ordinal] = f"{day.year:04d}-{day.month:02d}-{day.day:02d} "
        return text


#: A lookup, not a format specification: the date is written once a day, not
#: once a row, which is about a third of the time cell.
_DAYS: Final = _Days()


#: ``%Y`` (and ``%%``, so that ``%%Y`` stays text) in a date-time format.
_PERCENT_Y: Final = re.compile("%[%Y]")


def _year(match: re.Match[str], year: int) -> str:
    return "%%" if match.group() == "%%" else f"{year:04d}"


def guard_lines(cell: str) -> list[str]:
    """The statements passing variable ``cell`` through the formula guard, when it may change it."""
    return if_block(
        joined("and", [cell, f"({cell}[0] in TRIGGERS or embedded({cell}))"]),
        assign(cell, f"guard_cell({cell})"),
    )


def over_value(expression: str, value: str) -> tuple[list[str], str]:
    """``expression`` (over the variable ``value``) of the value whose source is ``value``.

    Returns the statements binding ``value`` (none when ``expression`` is the
    value itself) and the expression to use after them.
    """
    if expression == "value":
        return [], value
    return ([] if value == "value" else assign("value", value)), expression


class RowFormatter:
    """Turns typed rows into the text cells of a report, for fixed options.

    Build it once per export: it resolves the time zone, the language's
    names and the compiled row functions up front, so formatting a row is a
    single call. It pickles as its options and is rebuilt where it lands.

    >>> import datetime as dt
    >>> from cloudcontact_results import ExportOptions
    >>> formatter = RowFormatter(ExportOptions(language="ru"))
    >>> formatter.time(dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC))
    '2026-03-01 12:30:00'
    >>> formatter.disposition("No answer")
    'Нет ответа'
    """

    def __init__(self, options: ExportOptions | Rendering | None = None) -> None:
        rendering = options.rendering if isinstance(options, ExportOptions) else options
        self._rendering = rendering if rendering is not None else Rendering()
        self._tz = self._rendering.tz
        self._format = self._rendering.datetime_format
        self._iso = self._format == DEFAULT_DATETIME_FORMAT
        language = self._rendering.language
        self._language = language
        self._notes: dict[SystemNote, str] = {}
        self._names: dict[str, str] = (
            {d.name: d.label(language) for d in SYSTEM_DISPOSITIONS}
            if language is Language.RU
            else {}
        )
        self._namespace: dict[str, Any] = {
            "time_text": self.time,
            "disposition_text": self.disposition,
            "quota_group_text": self.quota_group,
            "note_text": self.note,
            "guard_cell": guard_cell,
            "guarded": guarded,
            "TRIGGERS": TRIGGERS,
            "embedded": embedded,
            "ZONE": self._tz,
            "DAYS": _DAYS,
            "TWO_DIGITS": _TWO_DIGITS,
        }
        # Cells that can never start a formula (flags, numbers, default-format
        # times) are left out of the guard.
        self._guarded_kinds = frozenset(
            kind for kind, codec in CODECS.items() if not codec.plain(default_format=self._iso)
        )
        self._default_format_time: Callable[[Any], str] | None = None
        self._compiled: dict[tuple[ReportKind, bool], Cells] = {}
        self._cells: dict[tuple[ColumnKind, bool], Callable[[Any], str]] = {}

    def __reduce__(self) -> tuple[type[RowFormatter], tuple[Rendering]]:
        return RowFormatter, (self._rendering,)

    @property
    def rendering(self) -> Rendering:
        """How this formatter writes cells."""
        return self._rendering

    def _row_function(self, kind: ReportKind, *, guard: bool) -> Cells:
        """The compiled function formatting the rows of ``kind``.

        With ``guard`` each cell that can start a formula is passed through
        :func:`guard_cell`; list columns and script fields are guarded once
        for a run of rows sharing the same objects, so such a function is for
        the rows of one report, whose ``fields`` nobody changes.
        """
        compiled = self._compiled.get((kind, guard))
        if compiled is None:
            compiled = self._compiled[kind, guard] = self._compile_rows(kind, guard=guard)
        return compiled

    def _cell_source(self, column_kind: ColumnKind) -> str:
        """The expression (over ``value``) of the text of a cell of ``column_kind``."""
        return CODECS[column_kind].cell_source(default_format=self._iso)

    def _cell_lines(
        self, name: str, column_kind: ColumnKind, value: str, *, guard: bool
    ) -> list[str]:
        """The statements binding ``name`` to the text of ``value``, a cell of ``column_kind``.

        With ``guard`` it is passed through the formula guard when a cell of
        its kind can start a formula.
        """
        lines, expression = over_value(self._cell_source(column_kind), value)
        lines += assign(name, expression)
        if guard and column_kind in self._guarded_kinds:
            lines += guard_lines(name)
        return lines

    def _guards(self, column_kind: ColumnKind) -> bool:
        """Can a cell of ``column_kind`` start a formula in this rendering?"""
        return column_kind in self._guarded_kinds

    def _cell_function(self, column_kind: ColumnKind, *, guard: bool) -> Callable[[Any], str]:
        """The compiled function of one cell of ``column_kind`` (guarded with ``guard``)."""
        compiled = self._cells.get((column_kind, guard))
        if compiled is None:
            body = self._cell_lines("text", column_kind, "value", guard=guard)
            compiled = self._cells[column_kind, guard] = self._compile_cell(
                body, f"{column_kind.value} cell"
            )
        return compiled

    def _compile_time_cell(self) -> Callable[[Any], str]:
        """The compiled function of a date-time cell in the default format."""
        lines, expression = over_value(DEFAULT_FORMAT_TIME, "value")
        return self._compile_cell([*lines, *assign("text", expression)], "time cell")

    def _compile_cell(self, body: list[str], what: str) -> Callable[[Any], str]:
        """The compiled function ``cell(value)`` of ``body``, which binds ``text``."""
        lines = function("cell", ["value"], [*body, "return text"])
        namespace = dict(self._namespace)
        compile_source(lines, namespace, what)
        compiled: Callable[[Any], str] = namespace["cell"]
        return compiled

    def _compile_rows(self, kind: ReportKind, *, guard: bool) -> Cells:
        names = ["*fields", "*script"] if guard else ["*row.fields.values()", "*row.script_fields"]
        body = list(_GUARDED_RUN) if guard else []
        for column in kind.columns_in(self._rendering.layout):
            body += self._cell_lines(
                column.attribute, column.kind, f"row.{column.attribute}", guard=guard
            )
            names.append(column.attribute)
        body += wrapped("return [", names, "]")
        namespace = dict(self._namespace)
        what = f"{kind.format.value} rows{' guarded' if guard else ''}"
        if not guard:
            compile_source(function("cells", ["row"], body), namespace, what)
            cells: Cells = namespace["cells"]
            return cells
        # The run's guarded cells are kept between calls, for the rows of one report.
        state = ["last_fields", "last_script", "fields", "script"]
        lines = function(
            "make",
            [],
            [
                *assign("last_fields", "None"),
                *assign("last_script", "None"),
                *assign("fields", "()"),
                *assign("script", "()"),
                *function("cells", ["row"], [f"nonlocal {', '.join(state)}", *body]),
                "return cells",
            ],
        )
        compile_source(lines, namespace, what)
        compiled: Cells = namespace["make"]()
        return compiled

    def column_function(self, columns: tuple[Column, ...], extra: tuple[str, ...] = ()) -> Columns:
        """The compiled function turning a list of rows into columns of typed values.

        From the same column table as the text cells: one list per column of
        ``columns`` (then one per unknown column of ``extra``, ``row.extra``'s
        text), filled in one pass over the rows. List columns and script
        fields are kept once per run of rows sharing the same objects (the
        rows of one record), with each row's run number.
        """
        names = [column.attribute for column in columns]
        names += [f"extra_{position}" for position in range(len(extra))]
        row: list[str] = typed_run("row.fields", "row.script_fields")
        for column in columns:
            row += typed_source(column.attribute, column.kind, f"row.{column.attribute}")
        for position in range(len(extra)):
            row.append(f"append_extra_{position}(row.extra[EXTRA_NAME_{position}])")
        body = [
            *typed_columns_start(names),
            *for_loop("row", "rows", row),
            *wrapped("return runs, run_of, [", [f"{name}_values" for name in names], "]"),
        ]
        namespace = generated_namespace(self)
        namespace.update({f"EXTRA_NAME_{position}": name for position, name in enumerate(extra)})
        compile_source(function("columns", ["rows"], body), namespace, "typed columns")
        compiled: Columns = namespace["columns"]
        return compiled

    def time(self, value: dt.datetime | None) -> str:
        """A date-time cell: in the export zone and format; ``""`` for None."""
        if value is None:
            return ""
        if self._iso:
            if self._default_format_time is None:
                self._default_format_time = self._compile_time_cell()
            return self._default_format_time(value)
        local = value.astimezone(self._tz)
        if local.year < 1000:
            # Platforms pad such years differently ("999", "0999"); strptime's %Y
            # reads four digits, so write four.
            return local.strftime(_PERCENT_Y.sub(lambda m: _year(m, local.year), self._format))
        return local.strftime(self._format)

    def disposition(self, name: str | None) -> str:
        """A disposition cell: system names in the export language; ``""`` for None."""
        if name is None:
            return ""
        return self._names.get(name, name)

    def quota_group(self, value: str | NoMatch | None) -> str:
        """A Quota Group cell: the group, or ``no match`` in the export language."""
        if value is None:
            return ""
        return value.label(self._language) if isinstance(value, NoMatch) else value

    def note(self, value: str | SystemNote) -> str:
        """A note cell: the agent's text, or the system note in the export language."""
        if not isinstance(value, SystemNote):
            return value
        # Few distinct notes exist (CPA result x SIP code): render each once.
        text = self._notes.get(value)
        if text is None:
            text = self._notes[value] = value.render(self._language)
        return text

    def cells(self, row: SimpleRow | DetailedRow) -> list[str]:
        """The text cells of ``row``: list columns, script fields, report columns (unguarded)."""
        return self._row_function(kind_of_row(row), guard=False)(row)


def row_function(formatter: RowFormatter, kind: ReportKind, *, guard: bool) -> Cells:
    """The compiled function formatting the rows of ``kind``: the export's hot loop."""
    return formatter._row_function(kind, guard=guard)  # noqa: SLF001  # this module's own class


def cell_function(
    formatter: RowFormatter, column_kind: ColumnKind, *, guard: bool
) -> Callable[[Any], str]:
    """The compiled function of one cell of ``column_kind``: its text, guarded with ``guard``."""
    return formatter._cell_function(column_kind, guard=guard)  # noqa: SLF001  # this module's own class


def cell_source(formatter: RowFormatter, column_kind: ColumnKind) -> str:
    """The expression (over ``value``) of ``formatter``'s text of a cell of ``column_kind``.

    Its codec's :attr:`Codec.cell`, but a default-format time written inline.
    """
    return formatter._cell_source(column_kind)  # noqa: SLF001  # this module's own class


def guards(formatter: RowFormatter, column_kind: ColumnKind) -> bool:
    """Does ``formatter``'s guard look at cells of ``column_kind`` (can they start a formula)?"""
    return formatter._guards(column_kind)  # noqa: SLF001  # this module's own class


def generated_namespace(formatter: RowFormatter) -> dict[str, Any]:
    """The names the codecs' expressions, :func:`guard_lines` and :func:`typed_source` use."""
    namespace = dict(formatter._namespace)  # noqa: SLF001  # this module's own class
    namespace.update(EPOCH=_EPOCH, MICROSECOND=_MICROSECOND)
    return namespace


def typed_columns_start(names: list[str]) -> list[str]:
    """The statements that open typed columns: for each of ``names`` an empty list
    ``<name>_values`` and its appender ``append_<name>``, and no runs yet."""
    lines = [
        "runs = []",
        "run_of = []",
        "keep = runs.append",
        "run = run_of.append",
        "last_fields = None",
        "last_script = None",
        "number = -1",
    ]
    for name in names:
        lines += [f"{name}_values = []", f"append_{name} = {name}_values.append"]
    return lines


def typed_run(fields: str, script_fields: str) -> list[str]:
    """The statements that give a row its run: a new one when its list columns
    ``fields`` or its ``script_fields`` are not the previous row's objects."""
    return [
        *if_block(
            f"{fields} is not last_fields or {script_fields} is not last_script",
            [
                f"last_fields = {fields}",
                f"last_script = {script_fields}",
                "keep((*last_fields.values(), *last_script))",
                "number += 1",
            ],
        ),
        "run(number)",
    ]


def typed_source(name: str, column_kind: ColumnKind, value: str) -> list[str]:
    """The statements appending to column ``name`` what a typed file (Arrow,
    Parquet) holds of ``value``, a cell of ``column_kind``."""
    lines, expression = over_value(CODECS[column_kind].typed, value)
    return [*lines, *wrapped(f"append_{name}(", [expression], ")")]


def format_row(row: SimpleRow | DetailedRow, options: ExportOptions | None = None) -> list[str]:
    """The text cells of one row (build a :class:`RowFormatter` to format many)."""
    return RowFormatter(options).cells(row)
