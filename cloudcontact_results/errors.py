"""Every exception the library defines.

Every one is a :class:`ResultsError` (so ``except ResultsError`` catches
exactly ours), in one of two branches:

- **Bad data** — a model value, an option, a file or a platform answer the
  library cannot take, a name the store does not hold — is a
  :class:`DataError`, also a :class:`ValueError` (so ``except ValueError``
  keeps working in code that does not know this library). Trying again with
  the same input fails the same way. Each message names the field and the
  offending value; errors met while reading a file also name the line and the
  column.
- **An operation that failed** — the platform unreachable or answering an
  error status, a store locked, damaged or full, a destination that cannot be
  written, a job's run — is not a ``ValueError``: the input may be fine, and
  the same call may succeed later or elsewhere.

The tree::

    Exception
    └── ResultsError
        ├── DataError (also ValueError)  bad data: the input cannot be taken as it is
        │   ├── FieldError               a value of a named field (.field, .value, .reason)
        │   │   ├── ValidationError      a model object cannot hold the value
        │   │   │   ├── UnknownDispositionError
        │   │   │   └── CampaignMismatchError   a record does not fit its campaign
        │   │   ├── OptionsError         an option (export, reading, command line) is invalid
        │   │   ├── AnalyticsInputError  an analytics table cannot be made of the input given
        │   │   └── PlatformDataError    the platform's JSON has a value the library cannot read
        │   ├── ReadError                a file cannot be read (.line, .column, .value, .file)
        │   └── UnknownNameError         a campaign, list, record, archive or job the store
        │                                does not hold (.path, .kind, .name)
        ├── PlatformError                the platform's API did not answer as documented
        │   │                            (.url, .status; never the access token): an answer
        │   │                            that is not JSON, or a page the API cannot page past
        │   ├── PlatformTransportError   no answer: refused, timed out, cut off, TLS (.status None)
        │   └── PlatformStatusError      an answer with an error status: 4xx, 5xx, 3xx (.status)
        ├── StoreError                   a results store cannot be used as asked: a folder or
        │                                not a store, locked too long, damaged, full, newer
        │                                schema, closed (.path, .reason)
        ├── ExportError                  the destination is unusable or cannot hold the report
        ├── JobError                     a run of an export job failed (raised in an ExceptionGroup)
        └── DeliveryError                a written file could not be delivered to its URL yet
                                         (.subject, .url, .reason; never a credential)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ._closest import did_you_mean
from ._shown import REASON_CHARACTERS, cut, shown

__all__ = [
    "AnalyticsInputError",
    "CampaignMismatchError",
    "DataError",
    "DeliveryError",
    "ExportError",
    "FieldError",
    "JobError",
    "OptionsError",
    "PlatformDataError",
    "PlatformError",
    "PlatformStatusError",
    "PlatformTransportError",
    "ReadError",
    "ResultsError",
    "StoreError",
    "UnknownDispositionError",
    "UnknownNameError",
    "ValidationError",
]


class ResultsError(Exception):
    """Base class of every error of ``cloudcontact_results``.

    Bad data is a :class:`DataError` (a :class:`ValueError`); the other
    subclasses are operations that failed. Every error pickles with its
    attributes, so one raised in another process (a cluster worker) reaches
    the caller as the same error.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls: type[ResultsError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """An error unpickled as it was: its message and attributes, without calling ``__init__``."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class DataError(ResultsError, ValueError):
    """Bad data: a value, an option, a file or a name the library cannot take.

    Also a :class:`ValueError`. Every problem with input raises one of its
    subclasses; calling again with the same input fails the same way.
    """


class FieldError(DataError):
    """A named field was given a value it cannot take.

    Attributes:
        field: the dotted name of the field, e.g. ``"Attempt.cpa_result"``.
        value: the offending value.
        reason: what is wrong with it.
    """

    def __init__(self, field: str, value: Any, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{cut(field)}: {cut(reason, REASON_CHARACTERS)} (got {shown(value)})")


class ValidationError(FieldError):
    """A model object was given a value it cannot hold."""


class UnknownDispositionError(ValidationError):
    """A disposition name is neither a system one nor one of the campaign's."""


class CampaignMismatchError(ValidationError):
    """A record does not fit the campaign it is reported with.

    Raised as records stream through a report: a record of a list the campaign
    does not have, a field that is not a column of its list, a script value of
    a field the script does not have, or an unknown disposition.
    """


class OptionsError(FieldError):
    """An export option is invalid (unknown time zone, language, dialect…)."""


class AnalyticsInputError(FieldError):
    """An analytics table cannot be made of the input given.

    A simple report holds each record's last attempt only: the tables of
    attempts (in time, CPA, SIP, agents…) need a detailed report.
    """


class PlatformDataError(FieldError):
    """The platform's JSON holds a value the library cannot read.

    ``field`` is the JSON path of the value, e.g. ``"$[3].attempts[0].dialingDuration"``.
    """


class PlatformError(ResultsError):
    """The platform's List Management API did not answer as documented.

    Not a :class:`ValueError`: the platform, or the way to it, failed. A
    failure to reach it is a :class:`PlatformTransportError`, an answer with
    an error status a :class:`PlatformStatusError`. This class itself is
    raised for an answer that is not UTF-8 JSON, and for more records changed
    at one moment than the API can page past. The message names the URL; it
    never holds the access token.

    Attributes:
        url: the URL that was asked (no query string, no credentials).
        status: the HTTP status, or None when there was no answer.
        reason: what went wrong.
    """

    def __init__(self, url: str, reason: str, *, status: int | None = None) -> None:
        self.url = url
        self.status = status
        self.reason = reason
        where = f"{url}: HTTP {status}" if status is not None else url
        super().__init__(f"{where}: {reason}")


class PlatformTransportError(PlatformError):
    """The platform could not be asked: no answer came.

    Raised, once the retries are used up, for a connection refused, reset or
    closed before an answer, a timeout and any other network error; and at
    once for a TLS certificate that cannot be verified. ``status`` is None.
    """


class PlatformStatusError(PlatformError):
    """The platform answered with an error status.

    Raised at once for an authentication failure (401, 403), a missing list or
    campaign (404), a bad request (400) or a redirect (3xx), and once the
    retries are used up for a rate limit (429) or a server error (5xx).
    ``status`` is the HTTP status of the last answer.
    """


class ExportError(ResultsError):
    """An export could not be written: the destination is unusable or cannot hold it.

    Not a :class:`ValueError`. Raised for a destination that is no file or
    binary stream, a missing folder, a folder where a file should be, a
    read-only file without ``overwrite``, a file that cannot be created, text
    the dialect's encoding cannot write, and a report too large for a workbook.
    An ``OSError`` met while writing (a full disk) is raised as it is.
    """


class ReadError(DataError):
    """A report file could not be read: it is malformed, or no report at all.

    Attributes:
        line: 1-based physical line number in the CSV, or row number in a
            workbook's sheet (``None`` when the problem is with the file as a
            whole, e.g. a broken zip).
        column: the header of the offending column, when there is one.
        value: the offending text, when there is one.
        sheet: the sheet of a workbook, when the file is one.
        file: the file, when the error comes from one of several files
            (``cloudcontact_results.dask.read_reports``).
    """

    def __init__(
        self,
        reason: str,
        *,
        line: int | None = None,
        column: str | None = None,
        value: str | None = None,
        sheet: str | None = None,
        file: str | None = None,
    ) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        self.value = value
        self.sheet = sheet
        self.file = file
        where = []
        if file is not None:
            where.append(f"file {file!r}")
        if sheet is not None:
            where.append(f"sheet {sheet!r}")
        if line is not None:
            where.append(f"row {line}" if sheet is not None else f"line {line}")
        if column is not None:
            where.append(f"column {shown(column)}")
        prefix = ", ".join(where)
        reason = cut(reason, REASON_CHARACTERS)
        message = f"{prefix}: {reason}" if prefix else reason
        if value is not None:
            message += f" (got {shown(value)})"
        super().__init__(message)

    def in_file(self, file: str, *, lines_before: int = 0) -> ReadError:
        """This error, naming ``file``, its line counted after ``lines_before`` other lines."""
        line = None if self.line is None else self.line + lines_before
        return ReadError(
            self.reason,
            line=line,
            column=self.column,
            value=self.value,
            sheet=self.sheet,
            file=file,
        )


class StoreError(ResultsError):
    """A results store cannot be used as asked.

    Not a :class:`ValueError`: the store's file, not the data given, is the
    problem. Raised for a path that is a folder or does not exist where it
    must, a file that is not a store, a store written by a newer version of the
    library, a store that stayed locked by another process for longer than the
    timeout, a store that SQLite reports as damaged or out of space, a closed
    store, and a job name the store holds already.

    Attributes:
        path: the store's file.
        reason: what went wrong.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"store {path!r}: {reason}")


class UnknownNameError(DataError):
    """A results store holds no campaign, list, record, archive or job of that name.

    Bad input, so a :class:`ValueError` (and not a :class:`StoreError`: the
    store itself is fine). Given the names the store holds (``known``), the
    message adds the closest of them.

    Attributes:
        path: the store's file.
        kind: ``"campaign"``, ``"list"``, ``"record"``, ``"archive"`` or ``"job"``.
        name: the name asked for.
        reason: what is wrong with it.
    """

    def __init__(
        self, path: str, kind: str, name: object, reason: str, *, known: Iterable[str] = ()
    ) -> None:
        self.path = path
        self.kind = kind
        self.name = name
        self.reason = f"{kind} {shown(name)}: {reason}{did_you_mean(name, known)}"
        super().__init__(f"store {path!r}: {self.reason}")


class JobError(ResultsError):
    """A run of an export job could not write its file; the next run redoes it first.

    Not a :class:`ValueError`: the job is fine, its run failed.

    ``run_due_jobs`` raises these together, in an :class:`ExceptionGroup`,
    after the other due jobs have run; each one's ``__cause__`` is what went
    wrong (an :class:`ExportError`, or the :class:`OSError` of a full disk).

    Attributes:
        job: the job's name.
        due: the occurrence the run is for (UTC).
        path: the file it was writing.
        reason: what went wrong.
    """

    def __init__(self, job: str, due: dt.datetime, path: str, reason: str) -> None:
        self.job = job
        self.due = due
        self.path = path
        self.reason = reason
        stamp = due.strftime("%Y-%m-%dT%H:%M:%SZ")
        super().__init__(f"job {job!r}, run due {stamp}, file {path!r}: {reason}")


class DeliveryError(ResultsError):
    """A file the store wrote could not be delivered to its URL yet; the next call retries.

    Not a :class:`ValueError`: the file is written and recorded, the way to
    its destination failed (the server down or refusing the login, a full
    disk there, other bytes already at its name). ``run_due_jobs`` raises
    these in its :class:`ExceptionGroup`, after every due job has run. The
    message names what was being delivered and where; it never holds a
    password, a key or a token.

    Attributes:
        subject: what was being delivered (``job 'hourly', run due …, file …``).
        url: where to (no credentials).
        reason: what went wrong.
    """

    def __init__(self, subject: str, url: str, reason: str) -> None:
        self.subject = subject
        self.url = url
        self.reason = reason
        super().__init__(f"{subject}: delivery to {url}: {cut(reason, REASON_CHARACTERS)}")
