"""CSV text -> DataFrames in bulk: the fast paths of ``Report.to_pandas()``.

The reference is the typed rows, one at a time (``_report/frame.py``). Here
the text after the header is parsed in C, by pyarrow's CSV reader or by
pandas' own parser, into columns of strings, and each column is converted
once, as a whole:

- the formula guard is undone only on cells starting with ``'``;
- flags, counts, CPA results, dispositions, codes and quota groups are
  converted once per *distinct* text, by the very converters the typed rows
  use, then spread back over the rows;
- system notes (``CPA: …`` / ``SIP: …``) are re-rendered once per distinct text;
- date-times in the default format are parsed in one vectorised pass, and
  put in the time zone with Python's own rules (``fold=0``), asked once per
  hour of wall-clock time and per row only in an hour holding a transition.

Only a well-formed file is read this way. Anything irregular (a row of the
wrong width, a cell a converter refuses, text that is not UTF-8, a lone
carriage return, a field longer than :func:`csv.field_size_limit`) raises
:class:`Irregular`, and the caller reads the file again through the typed
rows, which report the problem with its line as they always do.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import warnings
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any, Final

import attrs

from .._files.cells import converter
from .._files.encodings import UTF8
from .._files.layout import Layout
from .._files.options import ReadOptions
from .._files.times import TimeCells
from .._report.codecs import CODECS, ValueType
from .._report.columns import Column, ColumnKind
from .._report.frame import DTYPES, TIME_UNIT, Table, categories_of, frame_names, shown
from .._report.guard import unguard_cell
from .._types import DEFAULT_DATETIME_FORMAT

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FrameSpec", "Irregular", "parse_frames", "resolve_engine"]

#: Bytes pyarrow parses at a time (and so the granularity of chunks).
_BLOCK_SIZE: Final = 1 << 20
_BOM: Final = b"\xef\xbb\xbf"
#: A quote before a UTF-8 continuation byte: never valid UTF-8, yet the C
#: parsers drop a closing quote before they check the text, which can join a
#: character split by it into a valid one.
_QUOTE_SPLITS_CHARACTER: Final = re.compile(b'"[\x80-\xbf]')
_ISO_SHAPE: Final = r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"
_EPOCH: Final = dt.datetime(1970, 1, 1)  # noqa: DTZ001  # wall-clock arithmetic, no zone
_UTC_EPOCH: Final = _EPOCH.replace(tzinfo=dt.UTC)
#: 0001-01-01 00:00:00 in seconds since the epoch: the first wall-clock second Python has.
# Arrow's regular expressions (RE2): the default format with seconds below 60.
_ARROW_SHAPE: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-5][0-9]$"
_FIRST_SECOND: Final = (dt.datetime.min - _EPOCH) // dt.timedelta(seconds=1)  # noqa: DTZ901


class Irregular(Exception):  # noqa: N818  # a signal to the caller, never seen by users
    """The file is not one the fast path reads exactly: read it through the typed rows."""


def resolve_engine(engine: str) -> str:
    """``engine`` with ``"auto"`` resolved: pyarrow when it imports, else pandas' C parser."""
    if engine != "auto":
        return engine
    try:
        import pyarrow.csv  # noqa: F401, PLC0415  # optional dependency
    except ImportError:
        return "c"
    return "pyarrow"


@attrs.frozen
class FrameSpec:
    """What converting the text of a report needs besides the text."""

    table: Table
    layout: Layout
    options: ReadOptions
    #: The time cells of this read: one form for every chunk of the file.
    times: TimeCells


def parse_frames(
    binary: IO[bytes], spec: FrameSpec, *, engine: str, chunksize: int | None
) -> Iterator[pd.DataFrame]:
    """The frames of the rows in ``binary`` (standing after the header).

    One frame for ``chunksize=None``, else frames of ``chunksize`` rows (the
    last may be shorter; an empty file gives none), indexes counting on.

    Raises:
        Irregular: the text is not read exactly here; nothing is said about
            the frames already yielded, which were read exactly.
    """
    import pandas as pd  # noqa: PLC0415  # optional dependency

    encoding = spec.layout.encoding
    if encoding is not None and encoding != UTF8:
        binary = io.BufferedReader(_AsUtf8(binary, encoding), _BLOCK_SIZE)
    checked = _Checked(binary, spec.layout.delimiter)
    width = len(spec.layout.header)
    arrow = engine == "pyarrow"
    pieces = (
        _arrow_pieces(checked, spec.layout.delimiter, width)
        if arrow
        else _c_pieces(checked, spec.layout.delimiter, width, chunksize)
    )
    start = 0
    for columns in _rechunked(pd, pieces, chunksize, arrow=arrow):
        frame = _frame(pd, columns, spec, start, arrow=arrow)
        start += len(frame)
        yield frame
    checked.finish()
    if engine == "c" and checked.delimiters != checked.delimiters_in_values + start * (width - 1):
        # Pandas pads a short row with empty cells: the delimiters tell.
        raise Irregular
    if chunksize is None and start == 0:
        yield _frame(pd, [[] for _ in range(width)], spec, 0, arrow=False)


# --- reading the text ------------------------------------------------------------------


class _Checked(io.RawIOBase):
    """The bytes after the header, checked for what the two parsers would read differently.

    A lone carriage return ends a row for the C parsers but not for the
    line-by-line reader; a byte order mark before the first row is dropped
    by them but kept by it. Delimiters are counted for the C engine's check.
    """

    def __init__(self, binary: IO[bytes], delimiter: str) -> None:
        super().__init__()
        self._binary = binary
        self._delimiter = delimiter.encode()
        self._first = True
        self._cr_pending = False
        self._quote_ended = False
        self.delimiters = 0
        self.delimiters_in_values = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._binary.read(len(buffer))
        if data is None:  # pragma: no cover - a non-blocking stream
            raise Irregular
        size = len(data)
        buffer[:size] = data
        self._check(data)
        return size

    def _check(self, data: bytes) -> None:
        if self._first and data:
            self._first = False
            if data.startswith(_BOM[: len(data)]):
                raise Irregular
        if self._cr_pending and data and not data.startswith(b"\n"):
            raise Irregular
        if data.count(b"\r") - data.count(b"\r\n") != (1 if data.endswith(b"\r") else 0):
            raise Irregular
        self._cr_pending = data.endswith(b"\r")
        self.delimiters += data.count(self._delimiter)
        # A quote that ends the block before may stand before this one's first byte.
        if self._quote_ended and data and 0x80 <= data[0] <= 0xBF:
            raise Irregular
        if not data.isascii() and b'"' in data and _QUOTE_SPLITS_CHARACTER.search(data):
            raise Irregular
        self._quote_ended = data.endswith(b'"')

    def finish(self) -> None:
        if self._cr_pending:
            raise Irregular


class _AsUtf8(io.RawIOBase):
    """The bytes of a file in another encoding, as UTF-8: what the C parsers read.

    Delimiters, quotes and line ends are ASCII in both, so the parsers and the
    checks after them see the same cells. Bytes that do not decode are
    irregular: the typed rows name their line.
    """

    def __init__(self, binary: IO[bytes], encoding: str) -> None:
        super().__init__()
        self._binary = binary
        self._decoder = codecs.getincrementaldecoder(encoding)("strict")
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            data = self._binary.read(len(buffer))
            if data is None:  # pragma: no cover - a non-blocking stream
                raise Irregular
            try:
                self._pending = self._decoder.decode(data, final=not data).encode()
            except UnicodeDecodeError as exc:
                raise Irregular from exc
            if not data:
                break
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _arrow_pieces(checked: _Checked, delimiter: str, width: int) -> Iterator[list[Any]]:
    import pyarrow as pa  # noqa: PLC0415  # optional dependency
    import pyarrow.csv as pacsv  # noqa: PLC0415

    names = [f"c{position}" for position in range(width)]
    try:
        reader = pacsv.open_csv(
            io.BufferedReader(checked, _BLOCK_SIZE),
            read_options=pacsv.ReadOptions(
                column_names=names, block_size=_BLOCK_SIZE, use_threads=True
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=True,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,
            ),
        )
        for batch in reader:
            yield list(batch.columns)
    except (pa.ArrowException, ValueError, OSError) as exc:
        raise Irregular from exc


def _c_pieces(
    checked: _Checked, delimiter: str, width: int, chunksize: int | None
) -> Iterator[list[Any]]:
    with warnings.catch_warnings():
        yield from _c_pieces_warned(checked, delimiter, width, chunksize)


def _c_pieces_warned(
    checked: _Checked, delimiter: str, width: int, chunksize: int | None
) -> Iterator[list[Any]]:
    import pandas as pd  # noqa: PLC0415  # optional dependency

    names = [f"c{position}" for position in range(width)]
    try:
        # A long row loses its last cells with only a warning: that is irregular here.
        warnings.simplefilter("error", pd.errors.ParserWarning)
        read = pd.read_csv(
            io.BufferedReader(checked, _BLOCK_SIZE),
            sep=delimiter,
            header=None,
            names=names,
            index_col=False,
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            quotechar='"',
            quoting=csv.QUOTE_MINIMAL,
            doublequote=True,
            escapechar=None,
            comment=None,
            skip_blank_lines=True,
            skipinitialspace=False,
            engine="c",
            encoding="utf-8",
            encoding_errors="strict",
            chunksize=chunksize or (1 << 16),
        )
        with read:
            for chunk in read:
                columns = [chunk[name].array for name in names]
                checked.delimiters_in_values += sum(
                    int(pd.Series(column, copy=False).str.count(delimiter).sum())
                    for column in columns
                )
                yield columns
    except (
        pd.errors.ParserError,
        pd.errors.ParserWarning,
        UnicodeDecodeError,
        ValueError,
        OSError,
    ) as exc:
        raise Irregular from exc


def _rechunked(
    pd: Any, pieces: Iterator[list[Any]], chunksize: int | None, *, arrow: bool
) -> Iterator[list[Any]]:
    """Pieces of any length as columns of ``chunksize`` rows (all at once for None).

    Each list yielded is the only reference to its columns, so converting
    them one by one frees each column's text as it goes.
    """
    pending: list[list[Any]] = []
    rows = 0
    for piece in pieces:
        length = len(piece[0])
        if length == 0:
            continue
        pending.append(piece)
        rows += length
        while chunksize is not None and rows >= chunksize:
            columns = _concatenated(pd, pending, arrow=arrow)
            pending.clear()
            rest = [column[chunksize:] for column in columns]
            columns = [column[:chunksize] for column in columns]
            rows -= chunksize
            if rows:
                pending.append(rest)
            del rest
            yield columns
    if rows:
        columns = _concatenated(pd, pending, arrow=arrow)
        pending.clear()
        yield columns


def _concatenated(pd: Any, pieces: list[list[Any]], *, arrow: bool) -> list[Any]:
    """Each column as one piece: a chunked Arrow array, or one object array."""
    width = len(pieces[0])
    if arrow:
        import pyarrow as pa  # noqa: PLC0415  # optional dependency

        return [
            pa.chunked_array(
                [chunk for piece in pieces for chunk in getattr(piece[p], "chunks", [piece[p]])],
                type=pa.string(),
            )
            for p in range(width)
        ]
    if len(pieces) == 1:
        return list(pieces[0])
    return [pd.concat([pd.Series(piece[p]) for piece in pieces]).array for p in range(width)]


def _strings(pd: Any, column: Any, *, arrow: bool) -> Any:
    """One column as a pandas ``string`` array (the dtype the typed rows' frame has)."""
    if arrow:
        return pd.StringDtype().__from_arrow__(column)
    return pd.array(column, dtype="string")


# --- converting the columns ----------------------------------------------------------


def _frame(pd: Any, texts: list[Any], spec: FrameSpec, start: int, *, arrow: bool) -> Any:
    """The frame of columns of text; ``texts`` is emptied as its columns are converted.

    ``texts`` holds the file's columns in file order; the frame's columns are
    list columns and script fields, the report columns in the order of the
    rows' attributes, then the unknown columns, each picked by its position.
    """
    table = spec.table
    layout = spec.layout
    names = frame_names(
        table.list_columns, table.script_field_names, table.columns, table.extra_columns
    )
    leading = len(table.list_columns) + len(table.script_field_names)
    # (position in the file, the report column there or None for text)
    sources: list[tuple[int, Column | None]] = [(position, None) for position in range(leading)]
    sources += [(position, column) for column, position in layout.columns]
    sources += [(position, None) for _, position in layout.extra]
    count = len(texts[0])
    limit = csv.field_size_limit()
    data: dict[str, Any] = {}
    for name, (position, column) in zip(names, sources, strict=True):
        text = pd.Series(_strings(pd, texts[position], arrow=arrow), copy=False)
        texts[position] = None
        if count and int(text.str.len().max()) > limit:
            raise Irregular
        if column is None:
            data[name] = _unguarded(text, spec).array
            continue
        data[name] = _converted(pd, text, column, spec)
    frame: pd.DataFrame = pd.DataFrame(
        data, columns=names, index=pd.RangeIndex(start, start + count), copy=False
    )
    return frame


def _unguarded(text: Any, spec: FrameSpec) -> Any:
    if not spec.options.formula_guard:
        return text
    # The guard quotes text after a separator inside a cell too, not only its start.
    return _replaced(text, text.str.contains("'", regex=False), unguard_cell)


def _replaced(text: Any, where: Any, change: Callable[[str], Any]) -> Any:
    """``text`` with the cells ``where`` holds replaced by ``change(cell)``.

    ``change`` is called once per distinct cell.
    """
    import numpy as np  # noqa: PLC0415  # comes with pandas
    import pandas as pd  # noqa: PLC0415  # optional dependency

    where = where.to_numpy(dtype=bool, na_value=False)
    if not where.any():
        return text
    codes, uniques = pd.factorize(text[where])
    changed = [change(cell) for cell in uniques]
    moved = np.array([new != old for new, old in zip(changed, uniques, strict=True)])
    if not moved.any():
        # Nothing to replace (a note already in the report's words): no copy
        # of the column, which would double what it holds at the peak.
        return text
    where[where] = moved[codes]
    text = text.copy()
    text[where] = np.array(changed, dtype=object)[codes[moved[codes]]]
    return text


def _converted(pd: Any, text: Any, column: Column, spec: FrameSpec) -> Any:
    codec = CODECS[column.kind]
    # No date-time the library reads without a format starts a formula.
    default_format = spec.times.datetime_format in {None, DEFAULT_DATETIME_FORMAT}
    if not codec.plain(default_format=default_format):
        text = _unguarded(text, spec)
    if codec.value is ValueType.TIME:
        return _times(pd, text, spec)
    if codec.parse is None:
        return text.array
    if codec.parsed_prefixes:
        # Free text: only the cells that may parse to something else are parsed.
        parse, language = codec.parse, spec.table.language
        return _replaced(
            text,
            text.str.startswith(codec.parsed_prefixes),
            lambda cell: shown(parse(cell), language),
        ).array
    return _distinct(pd, text, column.kind, spec)


def _distinct(pd: Any, text: Any, kind: ColumnKind, spec: FrameSpec) -> Any:
    """Convert each distinct text once, with the typed rows' own converter."""
    convert = converter(kind, _no_time)
    codes, uniques = pd.factorize(text)
    language = spec.table.language
    try:
        values = [shown(convert(cell), language) for cell in uniques]
    except (ValueError, KeyError) as exc:
        raise Irregular from exc
    value_type = CODECS[kind].value
    if value_type is ValueType.CATEGORY:
        template = categories_of(pd, values)
        return pd.Categorical.from_codes(template.codes[codes], dtype=template.dtype)
    return pd.array(values, dtype=DTYPES[value_type]).take(codes)


def _no_time(text: str) -> dt.datetime | None:  # pragma: no cover - TIME never gets here
    raise AssertionError(text)


def _times(pd: Any, text: Any, spec: FrameSpec) -> Any:
    import numpy as np  # noqa: PLC0415  # comes with pandas

    times = spec.times
    parse = times.parse
    timezone = spec.table.timezone
    empty = (text == "").to_numpy(dtype=bool)
    if not empty.all():
        # The file's first date-time fixes its form, as it does for the typed rows.
        try:
            times.decide(text[~empty].iloc[0])
        except ValueError as exc:
            raise Irregular from exc
    if not times.in_library_format:
        # Any other format or form: once per distinct text, in the order the file
        # has them, so the form is held as the typed rows hold it.
        codes, uniques = pd.factorize(text)
        try:
            moments = np.array([parse(cell) for cell in uniques] + [None], dtype=object)
        except (ValueError, OverflowError) as exc:
            raise Irregular from exc
        times = pd.to_datetime(list(moments[codes]), utc=True).as_unit(TIME_UNIT)
        return times.tz_convert(timezone)
    if empty.any() and times.required:
        raise Irregular
    seconds, read = _wall_seconds(pd, np, text)
    utc = _utc_seconds(np, seconds, spec.options.zone)
    others = ~read & ~empty
    if others.any():
        # Text of another shape (e.g. unpadded digits, which strptime reads):
        # the typed rows' own parser, once per row.
        try:
            utc[others] = [
                _seconds_since_epoch(parse(cell)) for cell in text[others].to_numpy(dtype=object)
            ]
        except (ValueError, OverflowError) as exc:
            raise Irregular from exc
    nat = np.iinfo(np.int64).min
    utc[empty] = nat
    instants = pd.DatetimeIndex(utc.view("datetime64[s]"))
    try:
        return instants.tz_localize("UTC").tz_convert(timezone).as_unit(TIME_UNIT)
    except (OverflowError, ValueError) as exc:
        raise Irregular from exc


def _wall_seconds(pd: Any, np: Any, text: Any) -> tuple[Any, Any]:
    """Wall-clock seconds of the cells in the default format, and which cells those are.

    A cell not marked read (another shape, an impossible date, year 0) is
    left to the typed rows' own parser.
    """
    arrow = _arrow_text(text)
    if arrow is None:
        shaped = text.str.fullmatch(_ISO_SHAPE).to_numpy(dtype=bool, na_value=False)
        wall = pd.to_datetime(text.where(shaped), format=DEFAULT_DATETIME_FORMAT, errors="coerce")
        seconds = wall.to_numpy(dtype="datetime64[s]").view("int64")
        read = shaped & ~wall.isna().to_numpy() & (wall.dt.year >= 1).to_numpy(dtype=bool)
        # pandas reads second 60 as the next minute; Python refuses it.
        leap = (text.str.slice(17, 19) == "60").to_numpy(dtype=bool, na_value=False)
        return seconds, read & ~leap
    # Arrow's kernels, without a Python string per cell (pandas would make
    # one each: 0.1 KB a row at the peak).
    import pyarrow as pa  # noqa: PLC0415  # the column is in Arrow: pyarrow is there
    import pyarrow.compute as pc  # noqa: PLC0415

    wall = pc.strptime(arrow, format=DEFAULT_DATETIME_FORMAT, unit="s", error_is_null=True)
    # A cell counts as read only if it is what the typed rows read the same
    # way: padded digits of the default shape (Arrow also takes "+5" or "5"
    # for a field), seconds below 60 (Arrow takes a leap second), and the day
    # it names (Arrow rolls an impossible day over: 02-30 reads as 03-02).
    # Cheaper than writing every cell back with strftime to compare.
    shaped = pc.match_substring_regex(arrow, _ARROW_SHAPE)
    day = pc.cast(pc.if_else(shaped, pc.utf8_slice_codeunits(arrow, 8, 10), "0"), pa.int64())
    same = pc.and_(shaped, pc.equal(pc.day(wall), day))
    seconds = pc.fill_null(wall.cast(pa.int64()), 0).to_numpy()
    read = pc.fill_null(same, False).to_numpy() & (seconds >= _FIRST_SECOND)
    return seconds, read


def _arrow_text(text: Any) -> Any:
    """The Arrow array under a ``string`` column stored in Arrow, else None."""
    if getattr(text.dtype, "storage", None) != "pyarrow":
        return None
    return text.array.__arrow_array__()


def _seconds_since_epoch(moment: dt.datetime | None) -> int:
    if moment is None:  # pragma: no cover - empty cells are handled before
        raise Irregular
    return (moment - _UTC_EPOCH) // dt.timedelta(seconds=1)


def _utc_seconds(np: Any, wall: Any, zone: dt.tzinfo) -> Any:
    """UTC seconds of wall-clock seconds in ``zone``, read as ``replace(tzinfo=zone)`` does.

    The offset is asked once per hour of wall-clock time; where it differs
    between the start and the end of an hour (a transition inside it), once
    per row of that hour.
    """
    hours = wall // 3600
    distinct, inverse = np.unique(hours, return_inverse=True)
    offsets = np.empty(len(distinct), dtype=np.int64)
    steady = np.ones(len(distinct), dtype=bool)
    for index, hour in enumerate(distinct.tolist()):
        first = _offset(hour * 3600, zone)
        offsets[index] = first
        steady[index] = first == _offset(hour * 3600 + 3599, zone)
    utc = wall - offsets[inverse]
    moving = ~steady[inverse]
    if moving.any():
        utc[moving] = [second - _offset(second, zone) for second in wall[moving].tolist()]
    return utc


def _offset(wall_seconds: int, zone: dt.tzinfo) -> int:
    try:
        moment = (_EPOCH + dt.timedelta(seconds=wall_seconds)).replace(tzinfo=zone)
    except OverflowError:
        return 0  # a cell this far out is not a valid date and is refused anyway
    offset = moment.utcoffset()
    return 0 if offset is None else offset // dt.timedelta(seconds=1)
