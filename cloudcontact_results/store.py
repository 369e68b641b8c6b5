"""Keeping results the way the platform does: the results store (SQLite), archives, export jobs.

Importing this module imports ``sqlite3`` and ``hashlib``; ``import
cloudcontact_results`` does not, and imports this module at the first use of
one of its names, which the package exports too: ``ccr.ResultsStore`` is
``cloudcontact_results.store.ResultsStore``.

>>> import cloudcontact_results as ccr
>>> from cloudcontact_results.store import ResultsStore
>>> ResultsStore is ccr.ResultsStore, ResultsStore.__module__
(True, 'cloudcontact_results.store')
"""

from __future__ import annotations

from ._delivery import Remote
from ._public import publish
from ._store import Archive, ArchiveReason, ExportJob, JobOutcome, JobRun, ResultsStore

__all__ = [
    "Archive",
    "ArchiveReason",
    "ExportJob",
    "JobOutcome",
    "JobRun",
    "Remote",
    "ResultsStore",
]

publish(globals())
