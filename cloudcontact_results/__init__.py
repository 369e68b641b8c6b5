"""Typed, streaming results of CloudContact (ServicePattern) outbound calling campaigns."""

from __future__ import annotations

from . import errors
from ._cpa import CPAResult
from ._dispositions import (
    SYSTEM_DISPOSITIONS,
    Disposition,
    DispositionCategory,
    system_disposition,
)
from ._language import Language
from ._model import (
    NO_MATCH,
    Attempt,
    CallingList,
    Campaign,
    NoMatch,
    QuotaOutcome,
    Record,
    ScriptField,
)
from ._sip import SIP_REASON_PHRASES, sip_reason_phrase
from .errors import ResultsError

__all__ = [
    "NO_MATCH",
    "SIP_REASON_PHRASES",
    "SYSTEM_DISPOSITIONS",
    "Attempt",
    "CPAResult",
    "CallingList",
    "Campaign",
    "Disposition",
    "DispositionCategory",
    "Language",
    "NoMatch",
    "QuotaOutcome",
    "Record",
    "ResultsError",
    "ScriptField",
    "errors",
    "sip_reason_phrase",
    "system_disposition",
]
