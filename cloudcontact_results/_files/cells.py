"""Text cells -> typed values: each column's from its kind's codec, the reverse of formatting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Final

from .._report.codecs import CODECS, ValueType
from .._report.columns import ColumnKind
from .times import TimeCells

__all__ = ["Memo", "converter", "reason"]

#: Values remembered per column: dispositions, codes and groups repeat, so most cells
#: cost one dictionary look-up; the cap keeps memory flat on columns that never repeat.
_MEMO_SIZE: Final = 4096


class Memo(dict[Any, Any]):
    """A converter that remembers: repeated cells cost one C-level dictionary look-up."""

    def __init__(self, parse: Callable[[Any], Any]) -> None:
        super().__init__()
        self._parse = parse

    def __missing__(self, text: Any) -> Any:
        value = self._parse(text)
        if len(self) < _MEMO_SIZE:
            self[text] = value
        return value


def converter(kind: ColumnKind, time: Callable[[str], dt.datetime | None]) -> Callable[[str], Any]:
    """A fresh converter of ``kind`` cells (``time`` for times), raising ValueError or KeyError.

    Each call builds its own memo, so build one per column.
    """
    codec = CODECS[kind]
    if codec.value is ValueType.TIME:
        return time  # in the reader's zone and format
    if codec.parse is None:
        return str
    return Memo(codec.parse).__getitem__ if codec.repeats else codec.parse


def reason(kind: ColumnKind, text: str, times: TimeCells) -> str:
    """Why the converter of ``kind`` refused ``text``, for the error message."""
    codec = CODECS[kind]
    if codec.value is ValueType.TIME:
        return times.reason(text)
    return codec.refused
