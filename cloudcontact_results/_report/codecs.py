"""What every format knows of a kind of report column: a :class:`Codec` per :class:`ColumnKind`.

:data:`CODECS` is the one table. A format never asks ``if kind is
ColumnKind.TIME``: it looks the kind's codec up and reads plain data off it
(an expression, a :class:`ValueType`, a parser), which it maps with one rule
of its own (a :class:`ValueType` to a pandas dtype, an Arrow type, a
spreadsheet cell). A new kind of column is one more entry here.

>>> CODECS[ColumnKind.FLAG].cell
'"1" if value else "0"'
>>> CODECS[ColumnKind.COUNT].parse("12")
12
>>> time = CODECS[ColumnKind.TIME]
>>> time.plain(default_format=True), time.plain(default_format=False)
(True, False)
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from .._model.campaign import NO_MATCH, is_no_match_label
from .._model.cpa import CPAResult
from .._model.dispositions import find_system_disposition
from .._model.notes import SystemNote
from .columns import ColumnKind

__all__ = ["CODECS", "DEFAULT_FORMAT_TIME", "UNTYPED", "Codec", "Text", "ValueType"]


class ValueType(enum.Enum):
    """What a typed column holds: each format maps it to its own type with one rule.

    pandas: ``string``, ``boolean``, ``Int64``, ``datetime64[us, zone]``,
    ``category``; Arrow: ``string``, ``bool``, ``int64``, ``timestamp[us, zone]``,
    dictionary of ``string``; a spreadsheet: text, numbers, date-times, text.
    """

    TEXT = "text"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    TIME = "time"
    CATEGORY = "category"


class Text(enum.Enum):
    """What the text cell of a kind can hold, for the formula guard and the CSV quotes."""

    #: Any text: it may start a formula, and hold a delimiter, a quote or a line break.
    ANY = "any"
    #: Digits, a flag or nothing: never guarded, never quoted.
    PLAIN = "plain"
    #: A date-time: plain in the library's default format, any text in another.
    PLAIN_IN_DEFAULT_FORMAT = "plain in the default format"


@attrs.frozen
class Codec:
    """How a cell of one :class:`ColumnKind` is written and read, in every format.

    Attributes:
        cell: the text cell, as a Python expression over the variable
            ``value`` (generated code binds it first: see ``over_value``);
            ``time_text``, ``disposition_text``, ``quota_group_text`` and
            ``note_text`` are the methods of :class:`RowFormatter` without
            ``_text``, which depend on the rendering. CSV and the text of a
            workbook's cells.
        text: what that text can hold (the formula guard, CSV quoting).
        value: what a typed column (pandas, Arrow, Parquet, a workbook) holds.
        typed: what a typed file (Arrow, Parquet) holds of the value, as an
            expression over ``value``: the value itself unless no typed
            column can hold it.
        parse: the text cell -> the value (raising ValueError or KeyError);
            None for a date-time, which the reader parses in its own zone
            and format, and for text, which is its own value.
        refused: why ``parse`` refused a cell, for the error message.
        repeats: a column holds few distinct values: the CSV writer caches
            their cells, readers remember their values.
        parsed_prefixes: only text starting with one of these parses to
            something other than itself (free text otherwise): a bulk reader
            parses just those cells.
        width: the characters a spreadsheet column of it shows; None: as
            wide as its header.
        default_format_cell: ``cell`` in the library's default date-time
            format, written inline (``ZONE``, ``DAYS`` and ``TWO_DIGITS`` are
            the formatter's), when that is faster.
    """

    cell: str
    text: Text
    value: ValueType
    typed: str = "value"
    parse: Callable[[str], Any] | None = None
    refused: str = "cannot be read"
    repeats: bool = False
    parsed_prefixes: tuple[str, ...] = ()
    width: int | None = None
    default_format_cell: str | None = None

    def plain(self, *, default_format: bool) -> bool:
        """Is the text never guarded, never quoted? (``default_format``: in the default format.)"""
        return self.text is Text.PLAIN or (
            self.text is Text.PLAIN_IN_DEFAULT_FORMAT and default_format
        )

    def cell_source(self, *, default_format: bool) -> str:
        """The expression of the text cell (``default_format``: in the default format)."""
        if default_format and self.default_format_cell is not None:
            return self.default_format_cell
        return self.cell


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


def _code(text: str) -> str | None:
    return text or None


def _quota_group(text: str) -> Any:
    if not text:
        return None
    return NO_MATCH if is_no_match_label(text) else text


def _note(text: str) -> str | SystemNote:
    return SystemNote.parse(text) or text


_FLAGS: Final = {"1": True, "0": False}
_CPA_RESULTS: Final[dict[str, CPAResult | None]] = {"": None} | {str(int(r)): r for r in CPAResult}

#: The text of an optional number: empty for None.
_OPTIONAL_NUMBER: Final = '"" if value is None else str(value)'

#: A date-time in the default format, written directly: the time is the
#: costliest cell of a detailed row, and this is about five times as fast as
#: ``strftime()``, with the same text (``ZONE`` is the export zone; ``DAYS``
#: the date and a space, by the local day's ordinal). One f-string, written
#: over two lines.
DEFAULT_FORMAT_TIME: Final = (
    '"" if value is None else (\n'
    '    f"{DAYS[(local := value.astimezone(ZONE)).toordinal()]}{TWO_DIGITS[local.hour]}"\n'
    '    f":{TWO_DIGITS[local.minute]}:{TWO_DIGITS[local.second]}"\n'
    ")"
)

_K = ColumnKind

#: The codec of each kind of report column.
CODECS: Final[Mapping[ColumnKind, Codec]] = MappingProxyType(
    {
        _K.TEXT: Codec("value", Text.ANY, ValueType.TEXT),
        _K.FLAG: Codec(
            '"1" if value else "0"',
            Text.PLAIN,
            ValueType.BOOLEAN,
            parse=_FLAGS.__getitem__,
            refused="must be 1 or 0",
        ),
        _K.COUNT: Codec(
            _OPTIONAL_NUMBER,
            Text.PLAIN,
            ValueType.INTEGER,
            parse=_count,
            refused="must be a whole number >= 0",
            repeats=True,
        ),
        _K.SECONDS: Codec(
            _OPTIONAL_NUMBER,
            Text.PLAIN,
            ValueType.INTEGER,
            parse=_optional_count,
            refused="must be whole seconds >= 0, or empty",
            repeats=True,
        ),
        # Date-times are microseconds since the epoch in a typed file: pyarrow
        # would ask each one's zone for its offset, about fifteen times slower.
        _K.TIME: Codec(
            "time_text(value)",
            Text.PLAIN_IN_DEFAULT_FORMAT,
            ValueType.TIME,
            typed="None if value is None else (value - EPOCH) // MICROSECOND",
            width=20,
            default_format_cell=DEFAULT_FORMAT_TIME,
        ),
        _K.DISPOSITION: Codec(
            "disposition_text(value)",
            Text.ANY,
            ValueType.CATEGORY,
            parse=_disposition,
            repeats=True,
        ),
        _K.CODE: Codec(
            '"" if value is None else value',
            Text.ANY,
            ValueType.TEXT,
            parse=_code,
            repeats=True,
        ),
        # NO_MATCH takes its text in a typed file (None stays None).
        _K.QUOTA_GROUP: Codec(
            "quota_group_text(value)",
            Text.ANY,
            ValueType.TEXT,
            typed="None if value is None else quota_group_text(value)",
            parse=_quota_group,
            repeats=True,
        ),
        # System notes take their text in a typed file.
        _K.NOTE: Codec(
            "note_text(value)",
            Text.ANY,
            ValueType.TEXT,
            typed="note_text(value)",
            parse=_note,
            repeats=True,
            parsed_prefixes=("CPA: ", "SIP: "),
        ),
        _K.CPA: Codec(
            '"" if value is None else str(int(value))',
            Text.PLAIN,
            ValueType.INTEGER,
            parse=_CPA_RESULTS.__getitem__,
            refused="must be a CPA result 0-9, or empty",
            repeats=True,
        ),
    }
)

#: The codec of the columns that are no report column (list columns, script
#: fields, the columns a reader does not know): text, as is.
UNTYPED: Final = CODECS[_K.TEXT]
