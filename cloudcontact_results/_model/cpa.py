"""Call progress analysis (CPA) results."""

from __future__ import annotations

import enum

from .._types import Language

__all__ = ["CPAResult"]


class CPAResult(enum.IntEnum):
    """The verdict of call progress analysis for one dial, written as its number."""

    UNKNOWN = 0
    VOICE = 1
    ANSWERING_MACHINE = 2
    MESSAGE = 3
    FAX = 4
    SIT = 5
    BUSY = 6
    FAST_BUSY = 7
    RING_BACK = 8
    SILENCE = 9

    @property
    def label_en(self) -> str:
        return _LABELS[self][0]

    @property
    def label_ru(self) -> str:
        return _LABELS[self][1]

    @property
    def meaning(self) -> str:
        return _LABELS[self][2]

    def label(self, language: Language | str = Language.EN) -> str:
        """The label shown in reports of ``language`` (``"en"`` or ``"ru"``)."""
        return self.label_ru if Language.parse(language) is Language.RU else self.label_en


_LABELS: dict[CPAResult, tuple[str, str, str]] = {
    CPAResult.UNKNOWN: ("Unknown", "Неизвестно", "no result: the call ended before CPA finished"),
    CPAResult.VOICE: ("Voice", "Голос", "a person answered"),
    CPAResult.ANSWERING_MACHINE: ("Answering machine", "Автоответчик", "an answering machine"),
    CPAResult.MESSAGE: (
        "Message",
        "Сообщение",
        "speech that is neither a person nor a machine, e.g. an IVR",
    ),
    CPAResult.FAX: ("Fax", "Факс", "a fax"),
    CPAResult.SIT: ("SIT", "СИТ-тон", "a special information tone"),
    CPAResult.BUSY: ("Busy", "Занят", "busy"),
    CPAResult.FAST_BUSY: (
        "Fast busy",
        "Fast Busy",
        "a network problem, including an invalid number",
    ),
    CPAResult.RING_BACK: ("Ring back", "КПВ", "rang until the No Answer timeout"),
    CPAResult.SILENCE: ("Silence", "Тишина", "silence for more than 5 seconds"),
}
