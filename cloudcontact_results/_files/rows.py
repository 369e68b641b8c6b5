"""The lines after the header -> typed rows; each bad line becomes a ReadError naming it."""

from __future__ import annotations

import csv
import datetime as dt
import operator
from collections.abc import Callable, Iterator
from operator import call
from typing import Any

import attrs

from ..._model.frozen import FrozenTextMap
from ..._report.columns import Column
from ..._report.guard import unguard_cell
from ..._report.kinds import kind_of
from ..._report.rows import DetailedRow, SimpleRow
from ...errors import ReadError
from .cells import converter, reason
from .encodings import FALLBACK, UTF8, named
from .header import Layout
from .source import Opened, RowTooLongError, shown
from .times import TimeCells

__all__ = ["Row", "RowBuilder", "time_cells", "typed_rows"]

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


def _undecodable(encoding: str) -> str:
    """Why a line that does not decode is refused."""
    if encoding == UTF8:
        # The header chose UTF-8: a header of plain ASCII reads as both.
        return f"not UTF-8 text (a file saved as Windows-1251 reads with encoding={FALLBACK!r})"
    return f"not {named(encoding)} text"


def typed_rows(
    opened: Opened,
    layout: Layout,
    *,
    zone: dt.tzinfo,
    datetime_format: str | None,
    formula_guard: bool,
    fail: Callable[[ReadError], None],
) -> Iterator[Row]:
    """The rows of ``opened`` after its header, typed.

    A line that cannot be read is handed to ``fail`` (which may raise) and
    dropped; past ``ReadLimits.max_bad_lines`` of them the read stops with a
    :class:`ReadError`. Runs of blank lines are passed over in bulk.
    """
    builder = RowBuilder.build(layout, time_cells(layout, zone, datetime_format))
    reader = csv.reader(opened.lines, delimiter=layout.delimiter)
    bad_lines = opened.bad_lines
    undecodable = _undecodable(opened.encoding)
    row_bytes = opened.row_bytes
    width = len(layout.header)
    offset = layout.header_lines
    unguard = unguard_cell if formula_guard else None
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
                    drop(ReadError(undecodable, line=line, value=shown(bad_lines[0])))
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
                if unguard is not None and "'" in "".join(cells):
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
