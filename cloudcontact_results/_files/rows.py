"""Header cells -> typed rows: one converter per column, built once per pass, for any format."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from operator import call
from typing import Any

import attrs

from .._model.frozen import FrozenTextMap
from .._report.columns import Column
from .._report.kinds import kind_of
from .._report.rows import DetailedRow, SimpleRow
from ..errors import ReadError
from .cells import converter, reason
from .layout import Layout
from .times import TimeCells

__all__ = ["Row", "RowBuilder", "time_cells"]

Row = SimpleRow | DetailedRow


@attrs.frozen
class RowBuilder:
    """One converter per column, resolved once: building a row is one pass over its cells.

    The report columns may stand in any order: the builder picks their cells
    in the order of the row class's attributes. A column the file lacks gets
    its attribute's default; cells of unknown columns go to ``row.extra``.
    """

    row_class: type[SimpleRow | DetailedRow]
    list_columns: tuple[str, ...]
    first_script: int
    first_report: int
    #: The report columns the file has, their header cells, converters and positions.
    columns: tuple[Column, ...]
    headers: tuple[str, ...]
    positions: tuple[int, ...]
    column_converters: tuple[Callable[[str], Any], ...]
    #: The converters of the row's attributes passed by position, and their cells.
    converters: tuple[Callable[[str], Any], ...]
    pick: Callable[[list[Any]], tuple[Any, ...]]
    extra_names: tuple[str, ...]
    pick_extra: Callable[[list[Any]], tuple[Any, ...]] | None
    times: TimeCells

    @classmethod
    def build(
        cls,
        layout: Layout,
        times: TimeCells,
        *,
        time: Callable[[Any], dt.datetime | None] | None = None,
    ) -> RowBuilder:
        """The builder of ``layout``'s rows; ``time`` converts TIME cells if given
        (else ``times.parse``), ``times`` explains a refused one."""
        kind = kind_of(layout.format)
        if time is None:
            time = times.parse
        position_of = dict(layout.columns)
        converter_of = {column: converter(column.kind, time) for column in position_of}
        # Attributes after the last column the file has keep their defaults;
        # one the file lacks before that (only a layout's own column can be
        # missing) gets its default from a converter that ignores its cell.
        passed = list(kind.known_columns)
        while passed[-1] not in position_of:
            passed.pop()
        defaults = attrs.fields_dict(kind.row_class)
        first_script = len(layout.list_columns)
        extra_positions = tuple(position for _, position in layout.extra)
        return cls(
            row_class=kind.row_class,
            list_columns=layout.list_columns,
            first_script=first_script,
            first_report=first_script + len(layout.script_field_names),
            columns=tuple(position_of),
            headers=tuple(layout.header[position] for position in position_of.values()),
            positions=tuple(position_of.values()),
            column_converters=tuple(converter_of.values()),
            converters=tuple(
                converter_of.get(column) or _constant(defaults[column.attribute].default)
                for column in passed
            ),
            pick=_picker(tuple(position_of.get(column, 0) for column in passed)),
            extra_names=tuple(name for name, _ in layout.extra),
            pick_extra=_picker(extra_positions) if extra_positions else None,
            times=times,
        )

    def row(self, cells: list[Any]) -> Row:
        # map(call, ...) runs the per-cell loop in C.
        values = map(call, self.converters, self.pick(cells))
        fields = FrozenTextMap.wrap(dict(zip(self.list_columns, cells, strict=False)))
        script = tuple(cells[self.first_script : self.first_report])
        if self.pick_extra is None:
            return self.row_class(fields, script, *values)
        extra = FrozenTextMap.wrap(dict(zip(self.extra_names, self.pick_extra(cells), strict=True)))
        # The values stop before ``extra``, the rows' last attribute.
        return self.row_class(fields, script, *values, extra=extra)  # type: ignore[misc]

    def explain(self, cells: list[Any], line: int) -> ReadError:
        """The error of the first cell of ``cells`` that does not convert."""
        for column, header, convert, position in zip(
            self.columns, self.headers, self.column_converters, self.positions, strict=True
        ):
            cell = cells[position]
            try:
                convert(cell)
            except (ValueError, KeyError):
                why = reason(column.kind, str(cell), self.times)
                return ReadError(why, line=line, column=header, value=str(cell))
        return ReadError("the row cannot be read", line=line)


def time_cells(layout: Layout, zone: dt.tzinfo, datetime_format: str | None) -> TimeCells:
    """The reader of the time cells of one pass over a file of ``layout``."""
    # Every detailed row is an attempt, which has a time; a simple row's
    # record may never have been attempted.
    required = kind_of(layout.format).row_class is DetailedRow
    return TimeCells(datetime_format, zone, required=required)


def _picker(positions: tuple[int, ...]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """The cells at ``positions``, as a tuple, picked in C."""
    if len(positions) == 1:
        (position,) = positions
        return lambda cells: (cells[position],)
    return operator.itemgetter(*positions)


def _constant(value: Any) -> Callable[[str], Any]:
    return lambda _cell: value
