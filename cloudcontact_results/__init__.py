"""Typed, streaming results of CloudContact (ServicePattern) outbound calling campaigns."""

from __future__ import annotations

from . import errors
from ._columns import DETAILED_COLUMNS, SIMPLE_COLUMNS, Column, ColumnKind
from ._cpa import CPAResult
from ._dispositions import (
    SYSTEM_DISPOSITIONS,
    Disposition,
    DispositionCategory,
    system_disposition,
)
from ._formatting import RowFormatter, format_row
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
from ._notes import SystemNote
from ._options import DEFAULT_DATETIME_FORMAT, Dialect, ExportOptions, ReportFormat
from ._reports import detailed_rows, report_header, report_rows, simple_rows
from ._rows import DetailedRow, Note, QuotaGroup, SimpleRow
from ._sip import SIP_REASON_PHRASES, sip_reason_phrase
from .errors import ResultsError

__all__ = [
    "DEFAULT_DATETIME_FORMAT",
    "DETAILED_COLUMNS",
    "NO_MATCH",
    "SIMPLE_COLUMNS",
    "SIP_REASON_PHRASES",
    "SYSTEM_DISPOSITIONS",
    "Attempt",
    "CPAResult",
    "CallingList",
    "Campaign",
    "Column",
    "ColumnKind",
    "DetailedRow",
    "Dialect",
    "Disposition",
    "DispositionCategory",
    "ExportOptions",
    "Language",
    "NoMatch",
    "Note",
    "QuotaGroup",
    "QuotaOutcome",
    "Record",
    "ReportFormat",
    "ResultsError",
    "RowFormatter",
    "ScriptField",
    "SimpleRow",
    "SystemNote",
    "detailed_rows",
    "errors",
    "format_row",
    "report_header",
    "report_rows",
    "simple_rows",
    "sip_reason_phrase",
    "system_disposition",
]
