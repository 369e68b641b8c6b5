"""A :class:`Report` as a pandas DataFrame; pandas is imported only when asked for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from .._model.campaign import NoMatch
from .._model.notes import SystemNote
from .._types import Language
from .columns import Column, ColumnKind
from .rows import DetailedRow, SimpleRow

if TYPE_CHECKING:
    import pandas as pd


__all__ = ["Table", "to_pandas"]


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


_DTYPES = {
    ColumnKind.TEXT: "string",
    ColumnKind.FLAG: "boolean",
    ColumnKind.COUNT: "Int64",
    ColumnKind.SECONDS: "Int64",
    ColumnKind.DISPOSITION: "category",
    ColumnKind.CODE: "string",
    ColumnKind.QUOTA_GROUP: "string",
    ColumnKind.NOTE: "string",
    ColumnKind.CPA: "Int64",
}


def _import_pandas() -> Any:
    try:
        import pandas as pd  # noqa: PLC0415  # optional dependency
    except ImportError as exc:
        raise ImportError(
            "Report.to_pandas() needs pandas: pip install 'cloudcontact-results[pandas]'"
        ) from exc
    return pd


def _shown(value: Any, language: Language) -> Any:
    if isinstance(value, NoMatch):
        return value.label(language)
    if isinstance(value, SystemNote):
        return value.render(language)
    return value


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
    pandas = _import_pandas()
    columns = report.columns
    extra = report.extra_columns
    first_report = len(report.list_columns) + len(report.script_field_names)
    first_extra = first_report + len(columns)
    attributes = [column.attribute for column in columns]
    # Report columns keep their attribute names; header names give way to them.
    leading = _unique([*report.list_columns, *report.script_field_names], frozenset(attributes))
    taken = frozenset([*leading, *attributes])
    names = [*leading, *attributes, *_unique(list(extra), taken)]
    values: list[list[Any]] = [[] for _ in names]
    language = report.language
    for row in report:
        cells = [*row.fields.values(), *row.script_fields]
        cells += [getattr(row, column.attribute) for column in columns]
        cells += [row.extra[name] for name in extra]
        for position, value in enumerate(cells):
            values[position].append(_shown(value, language))
    data = {}
    for position, name in enumerate(names):
        if not first_report <= position < first_extra:
            data[name] = pandas.array(values[position], dtype="string")
            continue
        kind = columns[position - first_report].kind
        if kind is ColumnKind.TIME:
            # One unit whatever the data (pandas infers one from the values,
            # and another for no values): frames of several files concatenate.
            times = pandas.to_datetime(values[position], utc=True).as_unit("us")
            data[name] = times.tz_convert(report.timezone)
        else:
            column_values = values[position]
            if kind is ColumnKind.CPA:
                column_values = [None if v is None else int(v) for v in column_values]
            if kind is ColumnKind.DISPOSITION:
                # Categories of text whatever the data (none at all would make them
                # objects), so the frames of several files concatenate.
                present = sorted({value for value in column_values if value is not None})
                categories = pandas.Index(present, dtype=str)
                data[name] = pandas.Categorical(column_values, categories=categories)
            else:
                data[name] = pandas.array(column_values, dtype=_DTYPES[kind])
    frame: pd.DataFrame = pandas.DataFrame(data, columns=names)
    return frame
