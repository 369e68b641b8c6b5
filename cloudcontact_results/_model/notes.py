"""System notes: what a report writes in the note of a failed dial without an agent's note."""

from __future__ import annotations

import re

import attrs

from .._types import Language
from .cpa import CPAResult
from .sip import sip_reason_phrase

__all__ = ["SystemNote"]

_CPA_PART = re.compile(r"CPA: (?P<label>.+?) \((?P<number>\d)\)")
_SIP_PART = re.compile(r"SIP: (?P<code>[1-6]\d\d)(?: .*)?")


@attrs.frozen
class SystemNote:
    """The platform's note on a failed dial: its CPA result and SIP code.

    Written ``CPA: <label> (<n>); SIP: <code> <reason phrase>``, either part
    omitted when absent.

    >>> note = SystemNote(CPAResult.BUSY, 486)
    >>> note.render("en")
    'CPA: Busy (6); SIP: 486 Busy Here'
    >>> SystemNote.parse(note.render("ru")) == note
    True
    """

    cpa_result: CPAResult | None = None
    sip_code: int | None = None

    def render(self, language: Language | str = Language.EN) -> str:
        parts = []
        if self.cpa_result is not None:
            parts.append(f"CPA: {self.cpa_result.label(language)} ({int(self.cpa_result)})")
        if self.sip_code is not None:
            parts.append(f"SIP: {self.sip_code} {sip_reason_phrase(self.sip_code)}")
        return "; ".join(parts)

    @classmethod
    def parse(cls, text: str) -> SystemNote | None:
        """The system note ``text`` spells, or None if it is not one (an agent's note).

        The CPA label may be English or Russian; any SIP reason phrase is accepted.
        """
        if not text.startswith(("CPA: ", "SIP: ")):
            return None
        cpa_text, _, sip_text = text.partition("; ")
        if cpa_text.startswith("SIP: "):
            cpa_text, sip_text = "", cpa_text
        cpa_result: CPAResult | None = None
        if cpa_text:
            cpa_match = _CPA_PART.fullmatch(cpa_text)
            if cpa_match is None:
                return None
            cpa_result = CPAResult(int(cpa_match["number"]))
            if cpa_match["label"] not in (cpa_result.label_en, cpa_result.label_ru):
                return None
        sip_code: int | None = None
        if sip_text:
            sip_match = _SIP_PART.fullmatch(sip_text)
            if sip_match is None:
                return None
            sip_code = int(sip_match["code"])
        return cls(cpa_result, sip_code)
