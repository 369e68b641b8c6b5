"""CSV/zip exports -> typed rows: the reading side of :class:`RowFormatter`."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import html
import io
import os
import struct
import zipfile
import zlib
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import call
from typing import IO, TYPE_CHECKING, Any, Final, Literal

import attrs

from ._columns import Column, ColumnKind, columns_of
from ._cpa import CPAResult
from ._dialects import BOM, DIALECTS
from ._dispositions import find_system_disposition
from ._guard import unguard_cell
from ._language import Language, normalize_name
from ._model import NO_MATCH, NoMatch
from ._notes import SystemNote
from ._options import DEFAULT_DATETIME_FORMAT, Dialect, ReportFormat
from ._rows import DetailedRow, SimpleRow
from .errors import OptionsError, ReadError

if TYPE_CHECKING:
    import pandas as pd

    from ._summary import Summary

__all__ = ["Report", "read_report"]

ErrorMode = Literal["raise", "skip", "collect"]
Source = str | os.PathLike[str] | IO[bytes]
Row = SimpleRow | DetailedRow

_ERROR_MODES: Final = ("raise", "skip", "collect")
_DELIMITERS: Final = (",", ";", "\t")
_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")
#: Lines a header may span (quoted line breaks in column names) before we give up.
_MAX_HEADER_LINES: Final = 1000
_PREVIEW_ROWS: Final = 10
#: Values remembered per column: dispositions, codes and groups repeat, so most cells
#: cost one dictionary look-up; the cap keeps memory flat on columns that never repeat.
_MEMO_SIZE: Final = 4096

# Everything a damaged zip or file can raise while it is read (zipfile and zlib let
# struct, EOF and OS errors through); each becomes a ReadError naming the file.
_BROKEN: Final = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    OverflowError,
    ValueError,
)

# Extra header spellings the platform has used for a column.
_ALIASES: Final = {"total_attempts": ("Total attempts (per rec)",)}


def _accepted(column: Column, language: Language) -> frozenset[str]:
    names = [column.header(language)]
    if language is Language.EN:
        names += _ALIASES.get(column.attribute, ())
    return frozenset(normalize_name(name) for name in names)


# (format, language, accepted names per report column), longest block first so that
# a detailed header is never mistaken for a shorter one.
_LAYOUTS: Final = tuple(
    (report_format, language, tuple(_accepted(c, language) for c in columns_of(report_format)))
    for report_format in (ReportFormat.DETAILED, ReportFormat.SIMPLE)
    for language in Language
)


@attrs.frozen
class _Layout:
    """What the header says about the file."""

    format: ReportFormat
    language: Language
    header: tuple[str, ...]
    delimiter: str
    bom: bool
    list_columns: tuple[str, ...]
    script_field_names: tuple[str, ...]
    header_lines: int


def _match_header(cells: Sequence[str]) -> tuple[ReportFormat, Language] | None:
    folded = [normalize_name(cell) for cell in cells]
    for report_format, language, accepted in _LAYOUTS:
        width = len(accepted)
        if len(folded) >= width and all(
            name in names for name, names in zip(folded[-width:], accepted, strict=True)
        ):
            return report_format, language
    return None


# --- opening a source ------------------------------------------------------------


@attrs.define
class _Opened:
    """An open source: its decoded lines, and the lines that were not UTF-8."""

    lines: Iterator[str]
    bad_lines: list[bytes]
    closer: contextlib.ExitStack


def _decoded(binary: Iterable[bytes], bad_lines: list[bytes]) -> Iterator[str]:
    # Lines split at b"\n", which never occurs inside a UTF-8 sequence, so each line
    # decodes on its own; a bad one is noted (the row reading it reports it) and read
    # with replacement characters so that the lines after it can still be read.
    try:
        for raw in binary:
            try:
                text = raw.decode()
            except UnicodeDecodeError:
                bad_lines.append(raw)
                text = raw.decode(errors="replace")
            yield text
    except ReadError:
        raise
    except _BROKEN as exc:
        raise ReadError(f"the file cannot be read: {exc}") from exc


def _is_path(source: object) -> bool:
    return isinstance(source, str | os.PathLike)


def _open(source: Source, member: str | None) -> _Opened:
    closer = contextlib.ExitStack()
    try:
        binary: IO[bytes]
        if _is_path(source):
            try:
                binary = closer.enter_context(open(source, "rb"))  # type: ignore[arg-type]  # noqa: PTH123, SIM115
            except OSError as exc:
                raise ReadError(f"cannot open {os.fspath(source)!r}: {exc}") from exc  # type: ignore[arg-type]
        else:
            binary = _binary(source)
        if _starts_like_zip(binary):
            binary = closer.enter_context(_open_member(binary, member))
        else:
            _check_no_member(member)
        bad_lines: list[bytes] = []
        return _Opened(_decoded(binary, bad_lines), bad_lines, closer)
    except BaseException:
        closer.close()
        raise


def _check_no_member(member: str | None) -> None:
    if member is not None:
        raise ReadError("member= was given but the file is not a zip", value=member)


def _binary(source: object) -> IO[bytes]:
    read = getattr(source, "read", None)
    if read is None:
        raise ReadError(
            "the source must be a path or a binary file object", value=type(source).__name__
        )
    if isinstance(source, io.TextIOBase):
        raise ReadError(
            "the source is a text stream; open the file in binary mode ('rb')",
            value=type(source).__name__,
        )
    return source  # type: ignore[return-value]


def _starts_like_zip(binary: IO[bytes]) -> bool:
    try:
        peek = getattr(binary, "peek", None)
        if peek is not None:
            head = peek(4)[:4]
            # peek may return fewer bytes than asked near a buffer boundary.
            if len(head) >= 4 or binary.seekable() is False:
                return head in _ZIP_MAGIC
        if binary.seekable():
            start = binary.tell()
            head = binary.read(4)
            binary.seek(start)
            return head in _ZIP_MAGIC
    except ReadError:
        raise
    except _BROKEN as exc:
        raise ReadError(f"the file cannot be read: {exc}") from exc
    raise ReadError(
        "the source must be seekable or peekable (e.g. wrap it in io.BufferedReader)",
        value=type(binary).__name__,
    )


def _open_member(binary: IO[bytes], member: str | None) -> IO[bytes]:
    try:
        archive = zipfile.ZipFile(binary)
        try:
            files = [info.filename for info in archive.infolist() if not info.is_dir()]
            name = _choose_member(files, member)
            return _ClosingMember(archive.open(name), archive)
        except BaseException:
            archive.close()
            raise
    except ReadError:
        raise
    except _BROKEN as exc:
        raise ReadError(f"the file is not a readable zip: {exc}") from exc


def _choose_member(files: list[str], member: str | None) -> str:
    listed = ", ".join(repr(name) for name in files) or "none"
    if member is not None:
        if member not in files:
            raise ReadError(f"the zip has no member {member!r}; members: {listed}", value=member)
        return member
    csv_files = [name for name in files if name.lower().endswith(".csv")] or files
    if len(csv_files) == 1:
        return csv_files[0]
    if not csv_files:
        raise ReadError("the zip holds no file")
    raise ReadError(f"the zip holds several CSV files; choose one with member=: {listed}")


class _ClosingMember(io.BufferedReader):
    """A zip member that closes its archive with it."""

    def __init__(self, raw: IO[bytes], archive: zipfile.ZipFile) -> None:
        super().__init__(raw)  # type: ignore[arg-type]
        self._archive = archive

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._archive.close()


# --- the header -----------------------------------------------------------------


def _read_header(
    opened: _Opened, script_fields: tuple[str, ...], *, formula_guard: bool
) -> _Layout:
    lines: list[str] = []
    for line in opened.lines:
        lines.append(line)
        # A quoted line break leaves an odd number of quotes: the header goes on.
        if sum(part.count('"') for part in lines) % 2 == 0 or len(lines) >= _MAX_HEADER_LINES:
            break
    if opened.bad_lines:
        raise ReadError("the header is not UTF-8 text", line=1, value=_shown(opened.bad_lines[0]))
    if not lines:
        raise ReadError("the file is empty", line=1)
    bom = lines[0].startswith(BOM)
    if bom:
        lines[0] = lines[0][1:]
    if not "".join(lines).strip():
        raise ReadError("the file has no header (it is empty)", line=1)
    for delimiter in _DELIMITERS:
        try:
            cells = next(csv.reader(lines, delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        found = _match_header(cells)
        if found is None:
            continue
        if formula_guard:
            cells = [unguard_cell(cell) for cell in cells]
        return _layout(
            cells,
            found=found,
            delimiter=delimiter,
            bom=bom,
            script_fields=script_fields,
            header_lines=len(lines),
        )
    raise ReadError(
        "not a simple or detailed report: the header does not end with the report's "
        "columns (in English or Russian)",
        line=1,
        value=_shown("".join(lines)),
    )


def _layout(
    cells: list[str],
    *,
    found: tuple[ReportFormat, Language],
    delimiter: str,
    bom: bool,
    script_fields: tuple[str, ...],
    header_lines: int,
) -> _Layout:
    report_format, language = found
    leading = cells[: len(cells) - len(columns_of(report_format))]
    if len(script_fields) > len(leading):
        raise ReadError(
            f"script_fields names {len(script_fields)} fields but the header has only "
            f"{len(leading)} columns before the report's",
            line=1,
            value=", ".join(script_fields),
        )
    split = len(leading) - len(script_fields)
    list_columns, script_names = tuple(leading[:split]), tuple(leading[split:])
    for given, found_name in zip(script_fields, script_names, strict=True):
        if normalize_name(given) != normalize_name(found_name):
            raise ReadError(
                f"script_fields {script_fields!r} do not match the header's columns "
                f"{script_names!r}",
                line=1,
                column=found_name,
                value=given,
            )
    seen: set[str] = set()
    for name in list_columns:
        if name in seen:
            raise ReadError("a list column appears twice in the header", line=1, column=name)
        seen.add(name)
    return _Layout(
        format=report_format,
        language=language,
        header=tuple(cells),
        delimiter=delimiter,
        bom=bom,
        list_columns=list_columns,
        script_field_names=script_names,
        header_lines=header_lines,
    )


def _shown(value: str | bytes, limit: int = 200) -> str:
    text = value if isinstance(value, str) else repr(value)[2:-1]
    return text if len(text) <= limit else text[:limit] + "…"


# --- cells -> values --------------------------------------------------------------


class _Memo(dict[str, Any]):
    """A converter that remembers: repeated cells cost one C-level dictionary look-up."""

    def __init__(self, parse: Callable[[str], Any]) -> None:
        super().__init__()
        self._parse = parse

    def __missing__(self, text: str) -> Any:
        value = self._parse(text)
        if len(self) < _MEMO_SIZE:
            self[text] = value
        return value


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise ValueError(text)
    return int(text)


def _optional_count(text: str) -> int | None:
    return _count(text) if text else None


def _disposition(text: str) -> str | None:
    if not text:
        return None
    system = find_system_disposition(text)
    return system.name if system is not None else text


_NO_MATCH_LABELS: Final = frozenset(normalize_name(NO_MATCH.label(lang)) for lang in Language)


def _quota_group(text: str) -> Any:
    if not text:
        return None
    return NO_MATCH if normalize_name(text) in _NO_MATCH_LABELS else text


def _note(text: str) -> str | SystemNote:
    if text[:5] in ("CPA: ", "SIP: "):
        return SystemNote.parse(text) or text
    return text


_FLAGS: Final = {"1": True, "0": False}
_CPA: Final[dict[str, CPAResult | None]] = {"": None} | {str(int(r)): r for r in CPAResult}

_REASONS: Final = {
    ColumnKind.FLAG: "must be 1 or 0",
    ColumnKind.COUNT: "must be a whole number >= 0",
    ColumnKind.SECONDS: "must be whole seconds >= 0, or empty",
    ColumnKind.CPA: "must be a CPA result 0-9, or empty",
}


def _time_parser(
    datetime_format: str, zone: dt.tzinfo, *, required: bool
) -> Callable[[str], dt.datetime | None]:
    strptime = dt.datetime.strptime
    # The default format is ISO 8601 with a space; fromisoformat reads it in C, many
    # times faster than strptime. Anything else takes the strptime road.
    iso = datetime_format == DEFAULT_DATETIME_FORMAT
    fromisoformat = dt.datetime.fromisoformat

    def parse(text: str) -> dt.datetime | None:
        if not text:
            if required:
                raise ValueError(text)
            return None
        if iso and len(text) == 19 and text[10] == " ":
            try:
                return fromisoformat(text).replace(tzinfo=zone)
            except ValueError:
                pass  # strptime says what is wrong, or reads what fromisoformat does not
        value = strptime(text, datetime_format)
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)

    return parse


def _converter(kind: ColumnKind, time: Callable[[str], dt.datetime | None]) -> Callable[[str], Any]:
    converters: dict[ColumnKind, Callable[[str], Any]] = {
        ColumnKind.TEXT: str,
        ColumnKind.FLAG: _FLAGS.__getitem__,
        ColumnKind.COUNT: _Memo(_count).__getitem__,
        ColumnKind.SECONDS: _Memo(_optional_count).__getitem__,
        ColumnKind.TIME: time,
        ColumnKind.DISPOSITION: _Memo(_disposition).__getitem__,
        ColumnKind.CODE: _Memo(lambda text: text or None).__getitem__,
        ColumnKind.QUOTA_GROUP: _Memo(_quota_group).__getitem__,
        ColumnKind.NOTE: _Memo(_note).__getitem__,
        ColumnKind.CPA: _CPA.__getitem__,
    }
    return converters[kind]


@attrs.frozen
class _RowBuilder:
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
    def build(cls, layout: _Layout, zone: dt.tzinfo, datetime_format: str) -> _RowBuilder:
        columns = columns_of(layout.format)
        detailed = layout.format is not ReportFormat.SIMPLE
        time = _time_parser(datetime_format, zone, required=detailed)
        first_script = len(layout.list_columns)
        first_report = first_script + len(layout.script_field_names)
        return cls(
            row_class=DetailedRow if detailed else SimpleRow,
            list_columns=layout.list_columns,
            first_script=first_script,
            first_report=first_report,
            columns=columns,
            headers=layout.header[first_report:],
            converters=tuple(_converter(column.kind, time) for column in columns),
            datetime_format=datetime_format,
        )

    def row(self, cells: list[str]) -> Row:
        first_report = self.first_report
        # Positional: the row classes declare their attributes in column order.
        return self.row_class(
            dict(zip(self.list_columns, cells, strict=False)),
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
                if column.kind is ColumnKind.TIME:
                    reason = (
                        f"must be a date-time in the format {self.datetime_format!r}"
                        if cell
                        else "must not be empty (every attempt has a time)"
                    )
                else:
                    reason = _REASONS.get(column.kind, "cannot be read")
                return ReadError(reason, line=line, column=header, value=cell)
        return ReadError("the row cannot be read", line=line)


# --- the report -------------------------------------------------------------------


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
        header: the header cells.
        list_columns: the calling-list columns (keys of ``row.fields``).
        script_field_names: the script-field columns (``row.script_fields``).
        delimiter: ``","``, ``";"`` or ``"\\t"``.
        bom: whether the file starts with a UTF-8 byte order mark.
        errors: with ``errors="collect"``, the :class:`ReadError` of every line
            dropped by the latest pass.
    """

    _layout: _Layout
    _source: Source
    _opened: _Opened | None
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
        """The report columns after the list columns and script fields."""
        return columns_of(self.format)

    def __iter__(self) -> Iterator[Row]:
        if _is_path(self._source):
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
        rows = self._stream_rows
        if rows is None and self._opened is not None:
            rows = self._rows(self._opened, self._layout)
        self._opened = None
        self._stream_rows = None
        if rows is not None:
            yield from rows

    def _pass(self) -> Iterator[Row]:
        opened = _open(self._source, self._member)
        try:
            layout = _read_header(opened, self._script_fields, formula_guard=self._formula_guard)
        except BaseException:
            opened.closer.close()
            raise
        return self._rows(opened, layout)

    def _rows(self, opened: _Opened, layout: _Layout) -> Iterator[Row]:
        with opened.closer:
            self.errors = []
            builder = _RowBuilder.build(layout, self._zone, self._datetime_format)
            reader = csv.reader(opened.lines, delimiter=layout.delimiter)
            yield from self._convert(reader, opened.bad_lines, builder, layout)

    def _convert(
        self,
        reader: Any,
        bad_lines: list[bytes],
        builder: _RowBuilder,
        layout: _Layout,
    ) -> Iterator[Row]:
        width = len(layout.header)
        offset = layout.header_lines
        unguard = unguard_cell if self._formula_guard else None
        build = builder.row
        end = offset
        while True:
            try:
                for raw_cells in reader:
                    cells: list[str] = raw_cells
                    line = end + 1
                    end = reader.line_num + offset
                    if bad_lines:
                        self._fail(
                            ReadError("not UTF-8 text", line=line, value=_shown(bad_lines[0]))
                        )
                        bad_lines.clear()
                        continue
                    if len(cells) != width:
                        if not cells:
                            continue  # blank lines carry no row
                        self._fail(
                            ReadError(
                                f"expected {width} cells like the header, got {len(cells)}",
                                line=line,
                                value=_shown(layout.delimiter.join(cells)),
                            )
                        )
                        continue
                    if unguard is not None and "'" in "".join(cells):
                        cells = [unguard(cell) for cell in cells]
                    try:
                        row = build(cells)
                    except (ValueError, KeyError):
                        self._fail(builder.explain(cells, line))
                        continue
                    yield row
            except csv.Error as exc:
                line = end + 1
                end = reader.line_num + offset
                self._fail(ReadError(f"malformed CSV: {exc}", line=line))
                continue
            return

    def _fail(self, error: ReadError) -> None:
        if self._error_mode == "raise":
            raise error
        if self._error_mode == "collect":
            self.errors.append(error)

    # --- Jupyter and analysis --------------------------------------------------

    def head(self, count: int = _PREVIEW_ROWS) -> list[Row]:
        """The first ``count`` rows, without consuming a report read from a file object."""
        if _is_path(self._source):
            rows: list[Row] = []
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
        if self._stream_rows is None and self._opened is not None:
            self._stream_rows = self._rows(self._opened, self._layout)
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
        header = "".join(f"<th>{html.escape(cell)}</th>" for cell in self.header)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in _cells(row)) + "</tr>"
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
        return (
            f"<Report {self.format.value} {self.language.value} "
            f"{len(self.list_columns)} list columns, "
            f"{len(self.script_field_names)} script fields>"
        )

    def summary(self) -> Summary:
        """Counts and rates over the rows (see :func:`summary`); consumes a stream."""
        from ._summary import summary  # noqa: PLC0415  # _summary reads rows, not files

        return summary(self)

    def to_pandas(self) -> pd.DataFrame:
        """The rows as a :class:`pandas.DataFrame` (needs the ``pandas`` extra)."""
        from ._pandas import to_pandas  # noqa: PLC0415  # pandas is optional

        return to_pandas(self)


def _cells(row: Row) -> list[str]:
    values: list[Any] = [*row.fields.values(), *row.script_fields]
    values += [getattr(row, column.attribute) for column in columns_of(_format_of(row))]
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


def _format_of(row: Row) -> ReportFormat:
    return ReportFormat.SIMPLE if isinstance(row, SimpleRow) else ReportFormat.DETAILED


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
    try:
        zone = zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise OptionsError("timezone", timezone, "is not a known IANA time zone") from None
    if not isinstance(datetime_format, str) or "%" not in datetime_format:
        raise OptionsError("datetime_format", datetime_format, "must be a strptime format")
    names = (script_fields,) if isinstance(script_fields, str) else tuple(script_fields)
    opened = _open(source, member)
    try:
        layout = _read_header(opened, names, formula_guard=formula_guard)
    except BaseException:
        opened.closer.close()
        raise
    if _is_path(source):
        opened.closer.close()
        kept: _Opened | None = None
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
