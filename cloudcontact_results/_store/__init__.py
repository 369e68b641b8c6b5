"""Keeping results the way the platform does: the results store (SQLite), archives, export jobs.

This layer sits on top of the model and the export; nothing below it imports it.
"""

from __future__ import annotations

from ._archive import Archive, ArchiveReason
from ._jobs import ExportJob, JobOutcome, JobRun
from ._store import ResultsStore

__all__ = [
    "Archive",
    "ArchiveReason",
    "ExportJob",
    "JobOutcome",
    "JobRun",
    "Remote",
    "ResultsStore",
]
