"""CSV/zip exports -> typed rows: the reading side of :class:`RowFormatter`."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from ..._model.campaign import NoMatch
from ..._model.cpa import CPAResult
from ..._model.notes import SystemNote
from ..._report.columns import Column
from ..._types import (
    DEFAULT_DATETIME_FORMAT,
    Dialect,
    Language,
    ReportFormat,
    check_datetime_format,
    parse_timezone,
)
from ...errors import OptionsError, ReadError
from ..dialects import DIALECTS
from .header import Layout, read_header
from .rows import Row, typed_rows
from .source import Opened, Source, is_path, open_source

if TYPE_CHECKING:
    import pandas as pd

    from ..._report.summary import Summary

__all__ = ["Report", "read_report"]

ErrorMode = Literal["raise", "skip", "collect"]

_ERROR_MODES: Final = ("raise", "skip", "collect")
_PREVIEW_ROWS: Final = 10


def _open_report(
    source: Source, member: str | None, script_fields: tuple[str, ...], *, formula_guard: bool
) -> tuple[Opened, Layout]:
    opened = open_source(source, member)
    try:
        layout = read_header(opened, script_fields, formula_guard=formula_guard)
    except BaseException:
        opened.closer.close()
        raise
    return opened, layout


@attrs.define(eq=False, repr=False)
class Report:
    """A report read from a CSV or zip export: iterate it for typed rows.

    Build it with :func:`read_report`. Iterating yields :class:`SimpleRow` or
    :class:`DetailedRow` objects, streaming, in file order. A report read
    from a *path* can be iterated again (each pass re-reads the file); one
    read from a *file object* can be iterated once.

    Attributes:
        format: ``ReportFormat.SIMPLE`` or ``ReportFormat.DETAILED`` (a
            detailed-interval export has the detailed layout and reads as DETAILED).
        language: the language of the header.
        header: the header cells, as in the file.
        list_columns: the calling-list columns (keys of ``row.fields``).
        script_field_names: the script-field columns (``row.script_fields``).
        delimiter: ``","``, ``";"`` or ``"\\t"``.
        bom: whether the file starts with a UTF-8 byte order mark.
        errors: with ``errors="collect"``, the :class:`ReadError` of every line
            dropped by the latest pass.
    """

    _layout: Layout
    _source: Source
    _opened: Opened | None
    timezone: str
    _zone: dt.tzinfo
    _error_mode: ErrorMode
    _datetime_format: str
    _formula_guard: bool
    _member: str | None
    _script_fields: tuple[str, ...]
    errors: list[ReadError] = attrs.Factory(list)
    _peeked: list[Row] = attrs.Factory(list)
    _pending: ReadError | None = None
    _stream_rows: Iterator[Row] | None = None
    _consumed: bool = False

    @property
    def format(self) -> ReportFormat:
        return self._layout.format

    @property
    def language(self) -> Language:
        return self._layout.language

    @property
    def header(self) -> tuple[str, ...]:
        return self._layout.header

    @property
    def list_columns(self) -> tuple[str, ...]:
        return self._layout.list_columns

    @property
    def script_field_names(self) -> tuple[str, ...]:
        return self._layout.script_field_names

    @property
    def delimiter(self) -> str:
        return self._layout.delimiter

    @property
    def bom(self) -> bool:
        return self._layout.bom

    @property
    def dialect(self) -> Dialect | None:
        """The :class:`Dialect` the file was written in, or None for another CSV flavour."""
        for dialect, spec in DIALECTS.items():
            if spec.delimiter == self.delimiter and spec.bom == self.bom:
                return dialect
        return None

    @property
    def columns(self) -> tuple[Column, ...]:
        """The report columns the file has, in the order of the rows' attributes.

        The manual's columns always; ``ANI`` and ``Action Applied`` when the
        file has them (Bright Pattern 5.x), whatever their place in the file.
        """
        return tuple(column for column, _ in self._layout.columns)

    @property
    def extra_columns(self) -> tuple[str, ...]:
        """The columns after the first report column that are no report column.

        Their cells are kept per row in ``row.extra`` (header -> text); a
        newer platform version may add columns this library does not know yet.
        """
        return tuple(name for name, _ in self._layout.extra)

    def __iter__(self) -> Iterator[Row]:
        if is_path(self._source):
            return self._pass()
        return self._stream()

    def _stream(self) -> Iterator[Row]:
        if self._consumed:
            raise ReadError(
                "a report read from a file object can be iterated once; "
                "read it from a path to iterate again"
            )
        self._consumed = True
        yield from self._peeked
        self._peeked = []
        if self._pending is not None:
            raise self._pending
        rows = self._started()
        self._opened = None
        self._stream_rows = None
        if rows is not None:
            yield from rows

    def _started(self) -> Iterator[Row] | None:
        """The rows of a report read from a file object, started on first use."""
        if self._stream_rows is None and self._opened is not None:
            self._stream_rows = self._rows(self._opened, self._layout)
        return self._stream_rows

    def _pass(self) -> Iterator[Row]:
        opened, layout = _open_report(
            self._source, self._member, self._script_fields, formula_guard=self._formula_guard
        )
        return self._rows(opened, layout)

    def _rows(self, opened: Opened, layout: Layout) -> Iterator[Row]:
        with opened.closer:
            self.errors = []
            yield from typed_rows(
                opened,
                layout,
                zone=self._zone,
                datetime_format=self._datetime_format,
                formula_guard=self._formula_guard,
                fail=self._fail,
            )

    def _fail(self, error: ReadError) -> None:
        if self._error_mode == "raise":
            raise error
        if self._error_mode == "collect":
            self.errors.append(error)

    # --- Jupyter and analysis --------------------------------------------------

    def head(self, count: int = _PREVIEW_ROWS) -> list[Row]:
        """The first ``count`` rows, without consuming a report read from a file object."""
        if is_path(self._source):
            rows: list[Row] = []
            if count <= 0:
                return rows  # as for a stream: no row read, none shown
            iterator = self._pass()
            try:
                for row in iterator:
                    rows.append(row)
                    if len(rows) >= count:
                        break
            finally:
                iterator.close()  # type: ignore[attr-defined]
            return rows
        if self._consumed:
            return []
        self._started()
        while len(self._peeked) < count and self._stream_rows is not None:
            if self._pending is not None:
                break
            try:
                self._peeked.append(next(self._stream_rows))
            except StopIteration:
                self._stream_rows = None
            except ReadError as error:
                self._pending = error
        return self._peeked[:count]

    def _repr_html_(self) -> str:
        try:
            rows = self.head()
            problem = ""
        except ReadError as error:
            rows, problem = [], str(error)
        if self._pending is not None:
            problem = str(self._pending)
        names = [
            *self.list_columns,
            *self.script_field_names,
            *(self.header[position] for _, position in self._layout.columns),
            *self.extra_columns,
        ]
        header = "".join(f"<th>{html.escape(name)}</th>" for name in names)
        body = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(cell)}</td>"
                for cell in _preview_cells(row, self.columns, self.extra_columns)
            )
            + "</tr>"
            for row in rows
        )
        caption = html.escape(
            f"{self.format.value} report ({self.language.value}), first {len(rows)} rows"
        )
        note = f"<p>{html.escape(problem)}</p>" if problem else ""
        return (
            f"<table><caption>{caption}</caption><thead><tr>{header}</tr></thead>"
            f"<tbody>{body}</tbody></table>{note}"
        )

    def __repr__(self) -> str:
        extra = f", {len(self.extra_columns)} unknown columns" if self.extra_columns else ""
        return (
            f"<Report {self.format.value} {self.language.value} "
            f"{len(self.list_columns)} list columns, "
            f"{len(self.script_field_names)} script fields{extra}>"
        )

    def summary(self) -> Summary:
        """Counts and rates over the rows (see :func:`summary`); consumes a stream."""
        from ..._report.summary import summary  # noqa: PLC0415  # _summary reads rows, not files

        return summary(self)

    def to_pandas(self) -> pd.DataFrame:
        """The rows as a :class:`pandas.DataFrame` (needs the ``pandas`` extra)."""
        from ..._report.frame import to_pandas  # noqa: PLC0415  # pandas is optional

        return to_pandas(self)


def _preview_cells(row: Row, columns: tuple[Column, ...], extra: tuple[str, ...]) -> list[str]:
    values: list[Any] = [*row.fields.values(), *row.script_fields]
    values += [getattr(row, column.attribute) for column in columns]
    values += [row.extra[name] for name in extra]
    return ["" if value is None else _text_of(value) for value in values]


def _text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, CPAResult):
        return str(int(value))
    if isinstance(value, SystemNote):
        return value.render()
    if isinstance(value, NoMatch):
        return value.label()
    return str(value)


def read_report(
    source: Source,
    *,
    timezone: str = "Europe/Moscow",
    script_fields: Iterable[str] = (),
    errors: ErrorMode = "raise",
    datetime_format: str = DEFAULT_DATETIME_FORMAT,
    member: str | None = None,
    formula_guard: bool = True,
) -> Report:
    """Read a simple or detailed report exported as CSV or zip.

    The header is read at once: the format (simple or detailed), the language
    (English or Russian headers), the delimiter (comma, semicolon or tab) and
    the BOM are detected from it. Rows are read as the report is iterated.

    Args:
        source: a path, or a binary file object (read from where it stands).
        timezone: IANA zone of the date-times in the file (they carry no offset
            unless ``datetime_format`` has ``%z``).
        script_fields: names of the script-field columns: the last
            ``len(script_fields)`` columns before the report's own.
        errors: ``"raise"`` stops at the first bad line; ``"skip"`` drops bad
            lines; ``"collect"`` drops them and keeps their errors on
            :attr:`Report.errors`. Problems with the file as a whole (not a
            report, damaged zip, empty) always raise.
        datetime_format: the ``strptime`` format of date-times.
        member: the CSV member to read in a zip holding several.
        formula_guard: undo the export's formula guard (leading ``'``); pass
            False for a file exported with ``formula_guard=False``.

    Returns:
        A :class:`Report`.

    Raises:
        ReadError: naming the line, the column and the value.
        OptionsError: an unknown time zone or errors mode.
    """
    if errors not in _ERROR_MODES:
        raise OptionsError("errors", errors, "must be 'raise', 'skip' or 'collect'")
    zone = parse_timezone("timezone", timezone)
    check_datetime_format("datetime_format", datetime_format)
    names = (script_fields,) if isinstance(script_fields, str) else tuple(script_fields)
    opened, layout = _open_report(source, member, names, formula_guard=formula_guard)
    if is_path(source):
        opened.closer.close()
        kept: Opened | None = None
    else:
        kept = opened
    return Report(
        layout=layout,
        source=source,
        opened=kept,
        timezone=timezone,
        zone=zone,
        error_mode=errors,
        datetime_format=datetime_format,
        formula_guard=formula_guard,
        member=member,
        script_fields=names,
    )
