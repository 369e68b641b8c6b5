"""The lines after the header -> typed rows; each bad line becomes a ReadError naming it."""

from __future__ import annotations

import csv
import datetime as dt
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
from .cells import converter, reason, time_parser
from .header import Layout
from .source import Opened, shown

__all__ = ["Row", "RowBuilder", "typed_rows"]

Row = SimpleRow | DetailedRow


@attrs.frozen
class RowBuilder:
    """One converter per column, resolved once: building a row is one pass over its cells."""

    row_class: type[SimpleRow | DetailedRow]
    list_columns: tuple[str, ...]
    first_script: int
    first_report: int
    columns: tuple[Column, ...]
    headers: tuple[str, ...]
    converters: tuple[Callable[[str], Any], ...]
    datetime_format: str

    @classmethod
    def build(cls, layout: Layout, zone: dt.tzinfo, datetime_format: str) -> RowBuilder:
        kind = kind_of(layout.format)
        columns = kind.columns
        # Every detailed row is an attempt, which has a time; a simple row's
        # record may never have been attempted.
        time = time_parser(datetime_format, zone, required=kind.row_class is DetailedRow)
        first_script = len(layout.list_columns)
        first_report = first_script + len(layout.script_field_names)
        return cls(
            row_class=kind.row_class,
            list_columns=layout.list_columns,
            first_script=first_script,
            first_report=first_report,
            columns=columns,
            headers=layout.header[first_report:],
            converters=tuple(converter(column.kind, time) for column in columns),
            datetime_format=datetime_format,
        )

    def row(self, cells: list[str]) -> Row:
        first_report = self.first_report
        # Positional: the row classes declare their attributes in column order.
        return self.row_class(
            FrozenTextMap.wrap(dict(zip(self.list_columns, cells, strict=False))),
            tuple(cells[self.first_script : first_report]),
            # map(call, ...) runs the per-cell loop in C.
            *map(call, self.converters, cells[first_report:]),
        )

    def explain(self, cells: list[str], line: int) -> ReadError:
        """The error of the first cell of ``cells`` that does not convert."""
        for column, header, convert, cell in zip(
            self.columns, self.headers, self.converters, cells[self.first_report :], strict=True
        ):
            try:
                convert(cell)
            except (ValueError, KeyError):
                why = reason(column.kind, cell, self.datetime_format)
                return ReadError(why, line=line, column=header, value=cell)
        return ReadError("the row cannot be read", line=line)


def typed_rows(
    opened: Opened,
    layout: Layout,
    *,
    zone: dt.tzinfo,
    datetime_format: str,
    formula_guard: bool,
    fail: Callable[[ReadError], None],
) -> Iterator[Row]:
    """The rows of ``opened`` after its header, typed.

    A line that cannot be read is handed to ``fail`` (which may raise) and dropped.
    """
    builder = RowBuilder.build(layout, zone, datetime_format)
    reader = csv.reader(opened.lines, delimiter=layout.delimiter)
    bad_lines = opened.bad_lines
    width = len(layout.header)
    offset = layout.header_lines
    unguard = unguard_cell if formula_guard else None
    build = builder.row
    end = offset
    while True:
        try:
            for raw_cells in reader:
                cells: list[str] = raw_cells
                line = end + 1
                end = reader.line_num + offset
                if bad_lines:
                    fail(ReadError("not UTF-8 text", line=line, value=shown(bad_lines[0])))
                    bad_lines.clear()
                    continue
                if len(cells) != width:
                    if not cells:
                        continue  # blank lines carry no row
                    fail(
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
                    fail(builder.explain(cells, line))
                    continue
                yield row
        except csv.Error as exc:
            line = end + 1
            end = reader.line_num + offset
            fail(ReadError(f"malformed CSV: {exc}", line=line))
            continue
        return
