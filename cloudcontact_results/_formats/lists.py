"""Calling lists as the platform loads them: read from CSV, written for the next campaign.

:func:`read_calling_list` reads the CSV a list is loaded from (with the
limits, encodings and error modes of ``read_report``) into a
:class:`CallingList` and its records; :func:`write_calling_list` writes
records back in that form (atomically, guarded, like ``export``), optionally
with columns of their results; :func:`write_dnc_list` writes their phones
for the platform's Do-Not-Call lists.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Final, Literal

from .._csv.dialects import DIALECTS
from .._csv.table import (
    DELIMITERS,
    TableHeader,
    read_table_header,
    table_rows,
    unguarded,
    write_table,
)
from .._files.encodings import UTF8, checked_encoding
from .._files.options import ErrorMode
from .._files.sink import Destination, ExportResult
from .._files.source import Opened, ReadLimits, Source, checked_limits, is_path, open_source
from .._model.campaign import CallingList, Record
from .._model.construction import trusted_builder
from .._model.frozen import FrozenTextMap
from .._model.phones import checked_country, normalize_phone
from .._report.select import record_phones
from .._types import (
    DEFAULT_DATETIME_FORMAT,
    DEFAULT_TIMEZONE,
    Dialect,
    parse_enum,
    parse_timezone,
)
from ..errors import CampaignMismatchError, OptionsError, ReadError, ValidationError

__all__ = [
    "RESULT_COLUMNS",
    "ListRecords",
    "read_calling_list",
    "record_id_of",
    "write_calling_list",
    "write_dnc_list",
]

Duplicates = Literal["error", "merge"]

#: Columns of a record's results a written list may carry after its own columns.
RESULT_COLUMNS: Final = (
    "Record ID",
    "Record Disposition",
    "Last Call Disposition",
    "Total attempts (per rec)",
    "Last Call Time",
    "Last Phone Called",
)
#: The header of a Do-Not-Call extract's one column.
DNC_HEADER: Final = "Phone"
#: Joins the values of several key columns into one Record ID.
_KEY_SEPARATOR: Final = "|"

# The reader makes every value itself: text cells of the CSV reader, a list
# name the CallingList accepted, an id it checked to be non-empty text. So a
# record is set without running the validators that would only say so again.
_build_record: Final[Callable[[str, str, dict[str, str]], Record]] = trusted_builder(
    Record,
    arguments=("record_id", "list_name", "fields"),
    values={
        "id": "record_id",
        "list_name": "list_name",
        "fields": "_wrap(fields)",
        "attempts": "()",
    },
    namespace={"_wrap": FrozenTextMap.wrap},
    what="list row",
)


def record_id_of(values: Iterable[str]) -> str:
    r"""The Record ID of a row whose key columns hold ``values``.

    One key column: its value. Several: the values joined by ``|``, each
    ``\`` and ``|`` in them escaped by a ``\``, so different keys never give
    the same id, and the same key always gives the same one.

    >>> record_id_of(["42"]), record_id_of(["Иванов", "+79161234567"]), record_id_of(["a|b", "c"])
    ('42', 'Иванов|+79161234567', 'a\\|b|c')
    """
    values = list(values)
    if len(values) == 1:
        return values[0]
    return _KEY_SEPARATOR.join(
        value.replace("\\", "\\\\").replace(_KEY_SEPARATOR, "\\" + _KEY_SEPARATOR)
        for value in values
    )


class ListRecords(Iterator[Record]):
    """The records of a calling list being read, one at a time; made by :func:`read_calling_list`.

    Attributes:
        errors: with ``errors="collect"``, the :class:`ReadError` of every line
            passed over, and of every phone that could not be normalised (its
            record keeps the phone as written).
    """

    def __init__(self, start: Callable[[ListRecords], Iterator[Record]]) -> None:
        self.errors: list[ReadError] = []
        self._start: Callable[[ListRecords], Iterator[Record]] | None = start
        self._records: Iterator[Record] | None = None

    def __iter__(self) -> Iterator[Record]:  # noqa: PYI034  # the generator, not self
        # A for loop takes the records straight from the reading generator.
        if self._records is None and self._start is not None:
            self._records, self._start = self._start(self), None
        return self._records if self._records is not None else self

    def __next__(self) -> Record:
        if self._records is None:
            if self._start is None:
                raise StopIteration
            self._records, self._start = self._start(self), None
        return next(self._records)

    def close(self) -> None:
        """Stop reading: the file is closed (iterating to the end closes it too)."""
        self._start = None
        if self._records is not None:
            self._records.close()  # type: ignore[attr-defined]  # a generator


def read_calling_list(  # the keyword arguments of the contract, and the reader's
    source: Source,
    name: str,
    *,
    key_columns: Iterable[str] | None = None,
    phone_columns: Iterable[str] = (),
    encoding: str | None = None,
    delimiter: str | None = None,
    country: str | None = None,
    duplicates: Duplicates = "error",
    errors: ErrorMode = "raise",
    formula_guard: bool = True,
    limits: ReadLimits | None = None,
) -> tuple[CallingList, ListRecords]:
    """Read the CSV a calling list is loaded from: the list, and its records as they are read.

    The header is read at once (the list's columns, the delimiter, the
    encoding); records are read as the second value is iterated, one at a
    time. Every column is in every record's ``fields`` (an empty cell is
    ``""``); no record has attempts yet.

    Args:
        source: a path, or a binary file object (read from where it stands);
            a zip holding one CSV too.
        name: the list's name.
        key_columns: the columns whose values make each record's Record ID
            (see :func:`record_id_of`); None numbers the records ``"1"``,
            ``"2"``… in file order (a line passed over keeps its number).
        phone_columns: the list's phone columns, in dialling order; each must
            be in the header.
        encoding: None reads UTF-8 (with or without a BOM) and falls back to
            Windows-1251 when the header is not UTF-8 text; or a codec name.
        delimiter: ``","``, ``";"`` or ``"\\t"``; None decides from the header.
        country: normalise the phone columns to E.164 with this default
            country (``"RU"``; see :func:`normalize_phone`); None keeps them as
            written.
        duplicates: two lines with the same Record ID are an error naming both
            lines (``"error"``), or one record (``"merge"``: at the first line's
            place, each column's last non-empty value; the list is held in
            memory until it is read whole).
        errors: ``"raise"``, ``"skip"`` or ``"collect"`` as for ``read_report``:
            a bad line is dropped and, collecting, kept on
            :attr:`ListRecords.errors`. A phone that cannot be normalised is
            never dropped: it raises, or its record keeps it as written.
        formula_guard: undo the formula guard of :func:`write_calling_list`.
        limits: the bounds of the read; ``ReadLimits()`` by default.

    Returns:
        The :class:`CallingList` and an iterator of its records.

    Raises:
        ReadError: the file is no CSV table, or (while iterating) a bad line,
            naming it, the column and the value.
        OptionsError: an argument that cannot be taken; a key or phone column
            that is not in the header.
        ValidationError: a name that is no list name.

    >>> import io
    >>> data = "№;Фамилия;Телефон\\r\\n7;Иванов;8 (916) 123-45-67\\r\\n".encode()
    >>> calling_list, records = read_calling_list(
    ...     io.BytesIO(data), "Клиенты", key_columns=["№"], phone_columns=["Телефон"], country="RU"
    ... )
    >>> calling_list.columns
    ('№', 'Фамилия', 'Телефон')
    >>> [(record.id, record.fields["Телефон"]) for record in records]
    [('7', '+79161234567')]
    """
    keys = _columns_argument("key_columns", key_columns)
    if keys is not None and not keys:
        raise OptionsError("key_columns", key_columns, "must name at least one column, or be None")
    phones = _columns_argument("phone_columns", phone_columns) or ()
    if delimiter is not None and delimiter not in DELIMITERS:
        raise OptionsError("delimiter", delimiter, "must be ',', ';', '\\t' or None")
    if duplicates not in ("error", "merge"):
        raise OptionsError("duplicates", duplicates, "must be 'error' or 'merge'")
    if errors not in ("raise", "skip", "collect"):
        raise OptionsError("errors", errors, "must be 'raise', 'skip' or 'collect'")
    reading = _Reading(
        name=name,
        keys=keys or (),
        phones=phones,
        encoding=checked_encoding(encoding),
        delimiter=delimiter,
        country=checked_country(country),
        merge=duplicates == "merge",
        errors=errors,
        formula_guard=bool(formula_guard),
        limits=checked_limits(limits),
    )
    opened, header = reading.open(source)
    try:
        calling_list = reading.calling_list(header)
    except BaseException:
        opened.closer.close()
        raise
    if is_path(source):
        # Read again when iterated: nothing stays open until then.
        opened.closer.close()

        def start(records: ListRecords) -> Iterator[Record]:
            again, header_again = reading.open(source)
            if header_again != header:
                again.closer.close()
                raise ReadError("the file changed since its header was read", line=1)
            return reading.records(again, header, records)

        return calling_list, ListRecords(start)
    return calling_list, ListRecords(lambda records: reading.records(opened, header, records))


def _columns_argument(field: str, value: Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = (value,) if isinstance(value, str) else value
    try:
        columns = tuple(items)
    except TypeError:
        raise OptionsError(field, value, "must be column names") from None
    for column in columns:
        if not isinstance(column, str):
            raise OptionsError(field, column, "must be a column name (text)")
    if len(set(columns)) != len(columns):
        raise OptionsError(field, value, "names a column twice")
    return columns


class _Reading:
    """One call of :func:`read_calling_list`, its arguments checked."""

    def __init__(  # the checked arguments
        self,
        *,
        name: str,
        keys: tuple[str, ...],
        phones: tuple[str, ...],
        encoding: str | None,
        delimiter: str | None,
        country: str | None,
        merge: bool,
        errors: ErrorMode,
        formula_guard: bool,
        limits: ReadLimits,
    ) -> None:
        self.name = name
        self.keys = keys
        self.phones = phones
        self.encoding = encoding
        self.delimiter = delimiter
        self.country = country
        self.merge = merge
        self.errors = errors
        self.formula_guard = formula_guard
        self.limits = limits

    def open(self, source: Source) -> tuple[Opened, TableHeader]:
        opened = open_source(source, None, self.limits, self.encoding)
        try:
            header = read_table_header(
                opened,
                delimiter=self.delimiter,
                wanted=(*self.keys, *self.phones),
                formula_guard=self.formula_guard,
            )
        except BaseException:
            opened.closer.close()
            raise
        return opened, header

    def calling_list(self, header: TableHeader) -> CallingList:
        columns = header.columns
        seen: set[str] = set()
        for position, column in enumerate(columns):
            if not column.strip():
                raise ReadError(
                    f"the header's column {position + 1} has no name: every column of a "
                    "calling list needs one",
                    line=1,
                )
            if column in seen:
                raise ReadError(
                    "the header names a column twice: a calling list's columns are unique",
                    line=1,
                    column=column,
                )
            seen.add(column)
        for field, names in (("key_columns", self.keys), ("phone_columns", self.phones)):
            for column in names:
                if column not in seen:
                    listed = ", ".join(repr(name) for name in columns[:20])
                    raise OptionsError(
                        field, column, f"is not a column of the file's header ({listed})"
                    )
        return CallingList(self.name, columns, phone_columns=self.phones)

    def records(self, opened: Opened, header: TableHeader, out: ListRecords) -> Iterator[Record]:
        with opened.closer:
            if not self.keys and self.country is None:
                yield from self._numbered(opened, header, out)
                return
            rows = self._rows(opened, header, out)
            yield from self._merged(rows) if self.merge else self._unique(rows, out)

    def _numbered(self, opened: Opened, header: TableHeader, out: ListRecords) -> Iterator[Record]:
        """The records numbered in file order, nothing to normalise: the shortest road."""
        fail = self._fail(out)
        ids = map(str, itertools.count(1))

        def passed_over(error: ReadError) -> None:
            next(ids)  # the line keeps its number: the records after it keep theirs
            fail(error)

        columns, name, build = header.columns, self.name, _build_record
        # table_rows passes on only rows as wide as the header: zip need not check again.
        if self.formula_guard:
            for _, cells in table_rows(opened, header, fail=passed_over):
                yield build(next(ids), name, dict(zip(columns, unguarded(cells), strict=False)))
        else:
            for _, cells in table_rows(opened, header, fail=passed_over):
                yield build(next(ids), name, dict(zip(columns, cells, strict=False)))

    def _fail(self, out: ListRecords) -> Callable[[ReadError], None]:
        def fail(error: ReadError) -> None:
            if self.errors == "raise":
                raise error
            if self.errors == "collect":
                out.errors.append(error)

        return fail

    def _rows(
        self, opened: Opened, header: TableHeader, out: ListRecords
    ) -> Iterator[tuple[int, str, dict[str, str]]]:
        """``(line, record id, fields)`` of each good line, phones normalised."""
        fail = self._fail(out)
        columns = header.columns
        keys = [columns.index(column) for column in self.keys]
        phones = [columns.index(column) for column in self.phones] if self.country else []
        guard = self.formula_guard
        ordinal = 0

        def passed_over(error: ReadError) -> None:
            nonlocal ordinal
            ordinal += 1  # the line keeps its number: the records after it keep theirs
            fail(error)

        for line, cells in table_rows(opened, header, fail=passed_over):
            ordinal += 1
            if guard:
                cells = unguarded(cells)  # noqa: PLW2901  # the row as it was before the guard
            for position in phones:
                if cells[position]:
                    cells[position] = self._phone(cells[position], line, columns[position], fail)
            if keys:
                values = [cells[position] for position in keys]
                record_id = record_id_of(values)
                if not all(values) or record_id.isspace():
                    empty = [columns[p] for p, value in zip(keys, values, strict=True) if not value]
                    fail(
                        ReadError(
                            "the key column is empty: every record needs a Record ID",
                            line=line,
                            column=(empty or [columns[keys[0]]])[0],
                        )
                    )
                    continue
            else:
                record_id = str(ordinal)
            yield line, record_id, dict(zip(columns, cells, strict=True))

    def _phone(self, text: str, line: int, column: str, fail: Callable[[ReadError], None]) -> str:
        try:
            return normalize_phone(text, self.country)
        except ValidationError as error:
            fail(ReadError(error.reason, line=line, column=column, value=text))
            return text  # kept as written: reported, never dropped

    def _unique(
        self,
        rows: Iterator[tuple[int, str, dict[str, str]]],
        out: ListRecords,
    ) -> Iterator[Record]:
        name = self.name
        build = _build_record
        if not self.keys:  # numbered in file order: never twice the same
            for _, record_id, fields in rows:
                yield build(record_id, name, fields)
            return
        fail = self._fail(out)
        first_line: dict[str, int] = {}
        for line, record_id, fields in rows:
            earlier = first_line.setdefault(record_id, line)
            if earlier != line:
                fail(
                    ReadError(
                        f"the Record ID {record_id!r} (key columns "
                        f"{', '.join(map(repr, self.keys))}) is on line {earlier} already; "
                        "pass duplicates='merge' to make them one record",
                        line=line,
                        value=record_id,
                    )
                )
                continue
            yield build(record_id, name, fields)

    def _merged(self, rows: Iterator[tuple[int, str, dict[str, str]]]) -> Iterator[Record]:
        merged: dict[str, dict[str, str]] = {}
        for _, record_id, fields in rows:
            kept = merged.setdefault(record_id, fields)
            if kept is not fields:
                kept.update((column, value) for column, value in fields.items() if value)
        name = self.name
        for record_id, fields in merged.items():
            yield _build_record(record_id, name, fields)


def _writing_options(
    calling_list: CallingList, dialect: Dialect | str, encoding: str | None
) -> tuple[CallingList, str, bool, str]:
    """The list checked, the delimiter, the byte order mark and the encoding to write."""
    if not isinstance(calling_list, CallingList):
        raise OptionsError("calling_list", calling_list, "must be a CallingList")
    for column in calling_list.columns:
        if "\n" in column or "\r" in column:
            raise ValidationError(
                f"CallingList({calling_list.name!r}).columns",
                column,
                "holds a line break: a list's header is one line",
            )
    spec = DIALECTS[parse_enum(Dialect, "dialect", dialect)]
    chosen = checked_encoding(encoding) or UTF8
    return calling_list, spec.delimiter, spec.bom and chosen == UTF8, chosen


def write_calling_list(  # the keyword arguments of a writer
    calling_list: CallingList,
    records: Iterable[Record],
    destination: Destination,
    *,
    dialect: Dialect | str = Dialect.PLATFORM,
    encoding: str | None = None,
    results: Iterable[str] = (),
    country: str | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    formula_guard: bool = True,
    overwrite: bool = False,
) -> ExportResult:
    """Write ``records`` as the CSV the platform loads ``calling_list`` from, streaming.

    The header is the list's columns in its order; each record gives one row
    of its values (a field it lacks is empty). The Record ID is not written
    unless asked for: the platform makes new ones when it loads the list.
    Every cell is quoted; formula-like text is guarded as in ``export``; a
    path is written atomically by the destination policy of ``export``.

    Args:
        calling_list: the list written: its columns are the file's.
        records: any iterable of records whose fields are columns of it (of
            any list: a redial list is a new list with the old one's columns).
        destination: a path or a binary file object.
        dialect: ``"platform"`` (comma, UTF-8), ``"excel"`` (comma, BOM) or
            ``"excel-ru"`` (semicolon, BOM).
        encoding: None for UTF-8; ``"cp1251"`` for systems that load
            Windows-1251 (no BOM then).
        results: columns of the records' results written after the list's,
            any of :data:`RESULT_COLUMNS`: ``Record ID``, ``Record
            Disposition``, ``Last Call Disposition``, ``Total attempts (per
            rec)``, ``Last Call Time`` (in ``timezone``, as reports write it),
            ``Last Phone Called``.
        country: normalise the phone columns to E.164 with this default country.
        timezone: the IANA zone of ``Last Call Time``.
        formula_guard: guard formula-like text (on by default).
        overwrite: replace a read-only file too.

    Returns:
        The number of rows (records) and bytes written.

    Raises:
        ValidationError: a record that is not a Record, or a phone that
            cannot be normalised (naming the record and the column).
        CampaignMismatchError: a record's field that is no column of the list.
        OptionsError: a bad argument; a result column that is a list column too.
        ExportError: the destination is unusable, or text the encoding cannot write.

    >>> import io
    >>> stream = io.BytesIO()
    >>> clients = CallingList("Клиенты", ["№", "Телефон"], phone_columns=["Телефон"])
    >>> write_calling_list(clients, [Record("1", "Клиенты", {"№": "1", "Телефон": "=1+1"})],
    ...                    stream).rows
    1
    >>> stream.getvalue().decode().splitlines()
    ['"№","Телефон"', '"1","\\'=1+1"']
    """
    calling_list, delimiter, bom, chosen = _writing_options(calling_list, dialect, encoding)
    extra = _result_columns(calling_list, results)
    zone = parse_timezone("timezone", timezone)
    key = checked_country(country)
    rows = _list_rows(calling_list, records, extra, zone, key)
    return write_table(
        (*calling_list.columns, *extra),
        rows,
        destination,
        delimiter=delimiter,
        bom=bom,
        encoding=chosen,
        formula_guard=bool(formula_guard),
        overwrite=overwrite,
    )


def write_dnc_list(  # the keyword arguments of a writer
    calling_list: CallingList,
    records: Iterable[Record],
    destination: Destination,
    *,
    dialect: Dialect | str = Dialect.PLATFORM,
    encoding: str | None = None,
    country: str | None = None,
    formula_guard: bool = True,
    overwrite: bool = False,
) -> ExportResult:
    """Write the phones of ``records`` for a Do-Not-Call list: one column, ``Phone``.

    Each record gives its phones (its list's phone columns, in dialling
    order, then those its attempts dialled), each once; normalised to E.164
    with ``country``. The same phone of two records is written twice (the
    platform keeps one): nothing is held in memory. ``ExportResult.rows``
    counts the phones.

    Raises:
        ValidationError: a phone that cannot be normalised, naming its record.
        CampaignMismatchError: a record's field that is no column of the list.
        OptionsError, ExportError: as for :func:`write_calling_list`.
    """
    calling_list, delimiter, bom, chosen = _writing_options(calling_list, dialect, encoding)
    key = checked_country(country)
    return write_table(
        (DNC_HEADER,),
        _dnc_rows(calling_list, records, key),
        destination,
        delimiter=delimiter,
        bom=bom,
        encoding=chosen,
        formula_guard=bool(formula_guard),
        overwrite=overwrite,
    )


def _result_columns(calling_list: CallingList, results: Iterable[str]) -> tuple[str, ...]:
    chosen = _columns_argument("results", results) or ()
    for column in chosen:
        if column not in RESULT_COLUMNS:
            raise OptionsError(
                "results", column, f"must be one of {', '.join(map(repr, RESULT_COLUMNS))}"
            )
        if column in calling_list.columns:
            raise OptionsError(
                "results", column, f"is a column of list {calling_list.name!r} already"
            )
    return chosen


def _checked(record: object, columns: frozenset[str]) -> Record:
    if not isinstance(record, Record):
        raise ValidationError("records", record, "must hold Record objects")
    for field in record.fields:
        if field not in columns:
            raise CampaignMismatchError(
                f"Record({record.id!r}).fields", field, "is not a column of the list written"
            )
    return record


def _normalized(record: Record, column: str, phone: str, country: str | None) -> str:
    if not phone or country is None:
        return phone
    try:
        return normalize_phone(phone, country)
    except ValidationError as error:
        raise ValidationError(
            f"Record({record.id!r}).fields[{column!r}]", phone, error.reason
        ) from None


def _list_rows(
    calling_list: CallingList,
    records: Iterable[Record],
    extra: tuple[str, ...],
    zone: dt.tzinfo,
    country: str | None,
) -> Iterator[list[str]]:
    columns = calling_list.columns
    known = frozenset(columns)
    phones = frozenset(calling_list.phone_columns) if country is not None else frozenset()
    for record in records:
        fields = _checked(record, known).fields
        cells = [fields.get(column, "") for column in columns]
        if phones:
            cells = [
                _normalized(record, column, cell, country) if column in phones else cell
                for column, cell in zip(columns, cells, strict=True)
            ]
        if extra:
            cells += _result_cells(record, extra, zone)
        yield cells


def _result_cells(record: Record, extra: tuple[str, ...], zone: dt.tzinfo) -> list[str]:
    last, completing = record.last_attempt, record.completing_attempt
    values = {
        "Record ID": record.id,
        "Record Disposition": (
            completing.record_disposition.name
            if completing is not None and completing.record_disposition is not None
            else ""
        ),
        "Last Call Disposition": (
            last.call_disposition.name
            if last is not None and last.call_disposition is not None
            else ""
        ),
        "Total attempts (per rec)": str(sum(a.is_call_attempt for a in record.attempts)),
        "Last Call Time": (
            last.time.astimezone(zone).strftime(DEFAULT_DATETIME_FORMAT) if last is not None else ""
        ),
        "Last Phone Called": last.phone if last is not None else "",
    }
    return [values[column] for column in extra]


def _dnc_rows(
    calling_list: CallingList, records: Iterable[Record], country: str | None
) -> Iterator[list[str]]:
    known = frozenset(calling_list.columns)
    for record in records:
        _checked(record, known)
        written: set[str] = set()
        for phone in record_phones(record, calling_list.phone_columns):
            number = _normalized(record, "phone", phone, country)
            if number not in written:
                written.add(number)
                yield [number]
