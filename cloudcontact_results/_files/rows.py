"""Header cells -> typed rows: one converter per column, built once per pass, for any format."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs

from .._model.construction import trusted_builder
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
    """The typed row of a line's cells, by one function compiled for the file's layout.

    The report columns may stand in any order: the row function picks their
    cells in the order of the row class's attributes. A column the file lacks
    gets its attribute's default; cells of unknown columns go to ``row.extra``.
    The function sets each attribute once, as the store's trusted builders do:
    a row's attributes are plain values with no validators to run.
    """

    #: The report columns the file has, their header cells, converters and positions.
    columns: tuple[Column, ...]
    headers: tuple[str, ...]
    positions: tuple[int, ...]
    column_converters: tuple[Callable[[str], Any], ...]
    times: TimeCells
    #: ``row(cells)``: the typed row, raising ValueError or KeyError on a bad cell.
    row: Callable[[list[Any]], Row]

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
        if time is None:
            time = times.parse
        position_of = dict(layout.columns)
        converter_of = {column: converter(column.kind, time) for column in position_of}
        return cls(
            columns=tuple(position_of),
            headers=tuple(layout.header[position] for position in position_of.values()),
            positions=tuple(position_of.values()),
            column_converters=tuple(converter_of.values()),
            times=times,
            row=_row_function(layout, converter_of),
        )

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


def _row_function(
    layout: Layout, converter_of: dict[Column, Callable[[str], Any]]
) -> Callable[[list[Any]], Row]:
    """``row(cells)`` for ``layout``: each attribute's value as one expression over ``cells``.

    A cell kept as it is is read in place, a remembered conversion is one
    dictionary look-up, any other conversion one call; an attribute whose
    column the file lacks is its default.
    """
    kind = kind_of(layout.format)
    row_class = kind.row_class
    position_of = dict(layout.columns)
    first_script = len(layout.list_columns)
    first_report = first_script + len(layout.script_field_names)
    namespace: dict[str, Any] = {"wrap": FrozenTextMap.wrap, "LIST_COLUMNS": layout.list_columns}
    values = {
        "fields": "wrap(dict(zip(LIST_COLUMNS, cells)))",
        "script_fields": f"tuple(cells[{first_script}:{first_report}])",
    }
    by_attribute = {column.attribute: column for column in kind.known_columns}
    for field in attrs.fields(row_class)[2:]:
        name = field.name
        column = by_attribute.get(name)
        if column is not None and column in position_of:
            values[name] = _cell_value(name, position_of[column], converter_of[column], namespace)
        elif name == "extra" and layout.extra:
            namespace["EXTRA_COLUMNS"] = tuple(header for header, _ in layout.extra)
            cells = [f"cells[{position}]" for _, position in layout.extra]
            values[name] = f"wrap(dict(zip(EXTRA_COLUMNS, ({', '.join(cells)},))))"
        else:
            namespace[f"{name.upper()}_DEFAULT"] = field.default
            values[name] = f"{name.upper()}_DEFAULT"
    return trusted_builder(
        row_class, arguments=("cells",), values=values, namespace=namespace, what="read row"
    )


def _cell_value(
    attribute: str, position: int, convert: Callable[[str], Any], namespace: dict[str, Any]
) -> str:
    """The expression of ``attribute``'s value from its cell at ``position``."""
    cell = f"cells[{position}]"
    if convert is str:
        return cell
    remembered = getattr(convert, "__self__", None)
    if isinstance(remembered, dict) and getattr(convert, "__name__", "") == "__getitem__":
        namespace[f"{attribute.upper()}_VALUES"] = remembered
        return f"{attribute.upper()}_VALUES[{cell}]"
    namespace[f"parse_{attribute}"] = convert
    return f"parse_{attribute}({cell})"


def time_cells(layout: Layout, zone: dt.tzinfo, datetime_format: str | None) -> TimeCells:
    """The reader of the time cells of one pass over a file of ``layout``."""
    # Every detailed row is an attempt, which has a time; a simple row's
    # record may never have been attempted.
    required = kind_of(layout.format).row_class is DetailedRow
    return TimeCells(datetime_format, zone, required=required)
