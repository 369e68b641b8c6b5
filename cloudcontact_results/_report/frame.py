"""A :class:`Report` as a pandas DataFrame, one typed row at a time: the reference path.

pandas is imported only when asked for. The fast paths that parse CSV text
in bulk (``_csv/frames.py``) build the same frame from the same column
table and dtypes here, and are tested against this one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final, Protocol

from .._model.campaign import NoMatch
from .._model.cpa import CPAResult
from .._model.notes import SystemNote
from .._types import Language, import_optional
from .codecs import CODECS, ValueType
from .columns import Column
from .rows import DetailedRow, SimpleRow

if TYPE_CHECKING:
    import pandas as pd


__all__ = [
    "DTYPES",
    "TIME_UNIT",
    "Table",
    "categories_of",
    "frame_names",
    "import_pandas",
    "rows_frame",
    "shown",
    "to_pandas",
]


class Table(Protocol):
    """Typed rows with the description of their columns: what a read report is."""

    @property
    def columns(self) -> tuple[Column, ...]: ...

    @property
    def list_columns(self) -> tuple[str, ...]: ...

    @property
    def script_field_names(self) -> tuple[str, ...]: ...

    @property
    def extra_columns(self) -> tuple[str, ...]: ...

    @property
    def language(self) -> Language: ...

    @property
    def timezone(self) -> str: ...

    def __iter__(self) -> Iterator[SimpleRow | DetailedRow]: ...


#: The unit of date-time columns: ``datetime64[us, zone]``.
TIME_UNIT: Final = "us"

#: The pandas dtype of each type of report column (TIME: ``datetime64[unit, zone]``).
DTYPES: Final = {
    ValueType.TEXT: "string",
    ValueType.BOOLEAN: "boolean",
    ValueType.INTEGER: "Int64",
    ValueType.CATEGORY: "category",
}


def import_pandas() -> Any:
    """pandas, for ``Report.to_pandas()``."""
    return import_optional("pandas", "pandas", "Report.to_pandas()")


def shown(value: Any, language: Language) -> Any:
    """A cell's value in a frame: ``NO_MATCH`` and system notes as the report writes
    them, CPA results as their numbers."""
    if isinstance(value, NoMatch):
        return value.label(language)
    if isinstance(value, SystemNote):
        return value.render(language)
    if isinstance(value, CPAResult):
        return int(value)
    return value


def categories_of(pandas: Any, values: Sequence[str | None]) -> Any:
    """A disposition column: categories of text, sorted, whatever the data.

    With no value at all pandas would make the categories objects; text
    categories let the frames of several files (or chunks) concatenate.
    """
    present = sorted({value for value in values if value is not None})
    categories = pandas.Index(present, dtype=str)
    return pandas.Categorical(values, categories=categories)


def frame_names(
    list_columns: Iterable[str],
    script_field_names: Iterable[str],
    columns: Iterable[Column],
    extra: Iterable[str] = (),
) -> list[str]:
    """The column names of a frame (or Arrow table, or Parquet file) of a report.

    Headers of list columns and script fields, then the attributes of the
    report columns, then the headers of the columns the reader did not know
    (``row.extra``). Report columns keep their attribute names; a header name
    repeated, or equal to a name before it, gets `` (2)``, `` (3)``….
    """
    attributes = [column.attribute for column in columns]
    leading = _unique([*list_columns, *script_field_names], frozenset(attributes))
    return [*leading, *attributes, *_unique(list(extra), frozenset([*leading, *attributes]))]


def _unique(names: list[str], reserved: frozenset[str]) -> list[str]:
    """``names`` made unique, and distinct from ``reserved``: `` (2)``, `` (3)``… appended."""
    seen: dict[str, int] = dict.fromkeys(reserved, 1)
    unique = []
    for name in names:
        count = seen.get(name, 0) + 1
        candidate = name if count == 1 else f"{name} ({count})"
        while candidate in seen:
            count += 1
            candidate = f"{name} ({count})"
        seen[name] = count
        seen[candidate] = 1
        unique.append(candidate)
    return unique


def to_pandas(report: Table) -> pd.DataFrame:
    """One column per list column, script field and report column, with nullable dtypes.

    List columns and script fields keep their header names (a repeated name,
    or one that is a report column's attribute, gets `` (2)``, `` (3)``…);
    report columns are named by their row attribute (``call_time``,
    ``answered_duration``, ``ani``…), whatever the language; the columns the
    reader did not know (``row.extra``) come last, by header name, as text.
    Counts are ``Int64``, flags ``boolean``, date-times ``datetime64[us, tz]``
    in the report's time zone, dispositions ``category``, CPA results
    ``Int64`` (compare with :class:`CPAResult`), everything else ``string``;
    ``NO_MATCH`` and system notes are shown as the report writes them.
    """
    return rows_frame(report, report)


def rows_frame(
    table: Table, rows: Iterable[SimpleRow | DetailedRow], start: int = 0
) -> pd.DataFrame:
    """The frame of ``rows`` (rows of ``table``), its index counting from ``start``."""
    pandas = import_pandas()
    columns = table.columns
    extra = table.extra_columns
    names = frame_names(table.list_columns, table.script_field_names, columns, extra)
    first_extra = len(table.list_columns) + len(table.script_field_names) + len(columns)
    values: list[list[Any]] = [[] for _ in names]
    language = table.language
    first_report = len(table.list_columns) + len(table.script_field_names)
    count = 0
    for row in rows:
        cells = [*row.fields.values(), *row.script_fields]
        cells += [getattr(row, column.attribute) for column in columns]
        cells += [row.extra[name] for name in extra]
        for position, value in enumerate(cells):
            values[position].append(shown(value, language))
        count += 1
    data = {}
    for position, name in enumerate(names):
        if not first_report <= position < first_extra:
            data[name] = pandas.array(values[position], dtype="string")
            continue
        value_type = CODECS[columns[position - first_report].kind].value
        if value_type is ValueType.TIME:
            # Always microseconds, as Arrow and Parquet have them, whatever the
            # data (pandas infers a unit from the values, and another for no
            # values): frames of several files concatenate.
            times = pandas.to_datetime(values[position], utc=True).as_unit(TIME_UNIT)
            data[name] = times.tz_convert(table.timezone)
        elif value_type is ValueType.CATEGORY:
            data[name] = categories_of(pandas, values[position])
        else:
            data[name] = pandas.array(values[position], dtype=DTYPES[value_type])
    index = pandas.RangeIndex(start, start + count)
    frame: pd.DataFrame = pandas.DataFrame(data, columns=names, index=index)
    return frame
