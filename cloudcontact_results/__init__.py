"""Typed, streaming results of CloudContact (ServicePattern) outbound calling campaigns."""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

from . import errors
from ._demo import demo_campaign
from ._files.sink import Destination, ExportResult
from ._files.source import ReadLimits
from ._formats.export import export
from ._formats.report import Report, read_report
from ._jsonl import dump_campaign, load_campaign
from ._listapi import PlatformRecord, parse_changed, parse_status
from ._model.campaign import (
    NO_MATCH,
    Attempt,
    CallingList,
    Campaign,
    NoMatch,
    QuotaOutcome,
    Record,
    ScriptField,
)
from ._model.cpa import CPAResult
from ._model.dispositions import (
    SYSTEM_DISPOSITIONS,
    Disposition,
    DispositionCategory,
    system_disposition,
)
from ._model.notes import SystemNote
from ._model.sip import SIP_REASON_PHRASES, sip_reason_phrase
from ._options import ExportOptions
from ._report.columns import DETAILED_COLUMNS, SIMPLE_COLUMNS, Column, ColumnKind
from ._report.formatting import RowFormatter, format_row
from ._report.reports import detailed_rows, report_header, report_rows, simple_rows
from ._report.rows import DetailedRow, Note, QuotaGroup, SimpleRow
from ._report.summary import AgentFigures, Summary, summary
from ._types import (
    DEFAULT_DATETIME_FORMAT,
    Dialect,
    FileFormat,
    Language,
    ReportFormat,
    ReportLayout,
)
from .errors import ResultsError

if _typing.TYPE_CHECKING:
    from ._platform.client import ListManagementClient, Retries
    from ._platform.paging import ChangedPage, changed_pages
    from ._platform.sync import SyncResult, sync_list
    from ._store import Archive, ArchiveReason, ExportJob, JobOutcome, JobRun, ResultsStore

#: Names imported at first use, and their modules. The List Management API
#: client needs ``ssl``, ``http.client`` and ``urllib.request``, the results
#: store ``sqlite3`` and ``hashlib`` (OpenSSL): together about half the memory
#: of importing the package, which exports and reads never use.
_AT_FIRST_USE: dict[str, str] = {
    "ListManagementClient": "._platform.client",
    "Retries": "._platform.client",
    "ChangedPage": "._platform.paging",
    "changed_pages": "._platform.paging",
    "SyncResult": "._platform.sync",
    "sync_list": "._platform.sync",
    "Archive": "._store",
    "ArchiveReason": "._store",
    "ExportJob": "._store",
    "JobOutcome": "._store",
    "JobRun": "._store",
    "ResultsStore": "._store",
}

__all__ = [
    "DEFAULT_DATETIME_FORMAT",
    "DETAILED_COLUMNS",
    "NO_MATCH",
    "SIMPLE_COLUMNS",
    "SIP_REASON_PHRASES",
    "SYSTEM_DISPOSITIONS",
    "AgentFigures",
    "Archive",
    "ArchiveReason",
    "Attempt",
    "CPAResult",
    "CallingList",
    "Campaign",
    "ChangedPage",
    "Column",
    "ColumnKind",
    "Destination",
    "DetailedRow",
    "Dialect",
    "Disposition",
    "DispositionCategory",
    "ExportJob",
    "ExportOptions",
    "ExportResult",
    "FileFormat",
    "JobOutcome",
    "JobRun",
    "Language",
    "ListManagementClient",
    "NoMatch",
    "Note",
    "PlatformRecord",
    "QuotaGroup",
    "QuotaOutcome",
    "ReadLimits",
    "Record",
    "Report",
    "ReportFormat",
    "ReportLayout",
    "ResultsError",
    "ResultsStore",
    "Retries",
    "RowFormatter",
    "ScriptField",
    "SimpleRow",
    "Summary",
    "SyncResult",
    "SystemNote",
    "changed_pages",
    "demo_campaign",
    "detailed_rows",
    "dump_campaign",
    "errors",
    "export",
    "format_row",
    "load_campaign",
    "parse_changed",
    "parse_status",
    "read_report",
    "report_header",
    "report_rows",
    "simple_rows",
    "sip_reason_phrase",
    "summary",
    "sync_list",
    "system_disposition",
]


def __getattr__(name: str) -> object:
    module = _AT_FIRST_USE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_AT_FIRST_USE})
