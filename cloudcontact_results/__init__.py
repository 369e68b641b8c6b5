"""Typed, streaming results of CloudContact (ServicePattern) outbound calling campaigns."""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

from . import errors
from ._demo import demo_campaign
from ._files.sink import Destination, ExportResult
from ._files.source import ReadLimits
from ._formats.export import export
from ._formats.lists import ListRecords, read_calling_list, write_calling_list, write_dnc_list
from ._formats.report import Report, read_report
from ._jsonl import dump_campaign, load_campaign
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
from ._model.frozen import FrozenTextMap
from ._model.notes import SystemNote
from ._model.phones import normalize_phone
from ._model.sip import SIP_REASON_PHRASES, sip_reason_phrase
from ._options import ExportOptions
from ._platform.listapi import PlatformRecord, parse_changed, parse_status
from ._progress import Progress, ProgressCallback, ProgressUnit
from ._public import publish as _publish
from ._report.columns import DETAILED_COLUMNS, SIMPLE_COLUMNS, Column, ColumnKind
from ._report.formatting import RowFormatter, format_row
from ._report.reports import detailed_rows, report_header, report_rows, simple_rows
from ._report.rows import DetailedRow, Note, QuotaGroup, SimpleRow
from ._report.select import select_records
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

#: The installed version, read from the package's metadata at first use.
__version__: str

if _typing.TYPE_CHECKING:
    from .platform import *  # noqa: F403
    from .store import *  # noqa: F403

#: The public modules whose names the package exports too, each imported at
#: the first use of one of its names (their ``__all__`` says which). The List
#: Management API client needs ``ssl``, ``http.client`` and ``urllib.request``,
#: the results store ``sqlite3`` and ``hashlib`` (OpenSSL): together about half
#: the memory of importing the package, which exports and reads never use.
_AT_FIRST_USE: _typing.Final = ("store", "platform")

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
    "FrozenTextMap",
    "JobOutcome",
    "JobRun",
    "Language",
    "ListManagementClient",
    "ListRecords",
    "NoMatch",
    "Note",
    "PlatformRecord",
    "Progress",
    "ProgressCallback",
    "ProgressUnit",
    "QuotaGroup",
    "QuotaOutcome",
    "ReadLimits",
    "Record",
    "Remote",
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
    "__version__",
    "changed_pages",
    "demo_campaign",
    "detailed_rows",
    "dump_campaign",
    "errors",
    "export",
    "format_row",
    "load_campaign",
    "normalize_phone",
    "parse_changed",
    "parse_status",
    "read_calling_list",
    "read_report",
    "report_header",
    "report_rows",
    "select_records",
    "simple_rows",
    "sip_reason_phrase",
    "summary",
    "sync_list",
    "system_disposition",
    "write_calling_list",
    "write_dnc_list",
]


def __getattr__(name: str) -> object:
    # Only names of __all__ get here unfound: those of the modules imported at first
    # use, and the version (importlib.metadata imports the email package).
    if name == "__version__":
        globals()[name] = version = _version()
        return version
    if name in __all__:
        for module_name in _AT_FIRST_USE:
            module = _importlib.import_module(f".{module_name}", __name__)
            if name in module.__all__:
                value = getattr(module, name)
                globals()[name] = value  # found directly from now on
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _version() -> str:
    """The installed distribution's version (``pyproject.toml``)."""
    from importlib import metadata  # noqa: PLC0415  # at first use: see __getattr__

    try:
        return metadata.version("cloudcontact-results")
    except metadata.PackageNotFoundError:  # a source tree put on the path, never installed
        return "0+unknown"


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


_publish(globals())
