"""Text cells -> typed values: one converter per :class:`ColumnKind`, the reverse of formatting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Final

from .._model.campaign import NO_MATCH, is_no_match_label
from .._model.cpa import CPAResult
from .._model.dispositions import find_system_disposition
from .._model.notes import SystemNote
from .._report.columns import ColumnKind
from .times import TimeCells

__all__ = ["converter", "reason"]

#: Values remembered per column: dispositions, codes and groups repeat, so most cells
#: cost one dictionary look-up; the cap keeps memory flat on columns that never repeat.
_MEMO_SIZE: Final = 4096


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


def _quota_group(text: str) -> Any:
    if not text:
        return None
    return NO_MATCH if is_no_match_label(text) else text


def _note(text: str) -> str | SystemNote:
    return SystemNote.parse(text) or text


_FLAGS: Final = {"1": True, "0": False}
_CPA: Final[dict[str, CPAResult | None]] = {"": None} | {str(int(r)): r for r in CPAResult}

_REASONS: Final = {
    ColumnKind.FLAG: "must be 1 or 0",
    ColumnKind.COUNT: "must be a whole number >= 0",
    ColumnKind.SECONDS: "must be whole seconds >= 0, or empty",
    ColumnKind.CPA: "must be a CPA result 0-9, or empty",
}


def converter(kind: ColumnKind, time: Callable[[str], dt.datetime | None]) -> Callable[[str], Any]:
    """A fresh converter of ``kind`` cells (``time`` for TIME); it raises ValueError or KeyError.

    Each call builds its own memo, so build one per column.
    """
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


def reason(kind: ColumnKind, text: str, times: TimeCells) -> str:
    """Why the converter of ``kind`` refused ``text``, for the error message."""
    if kind is ColumnKind.TIME:
        return times.reason(text)
    return _REASONS.get(kind, "cannot be read")
