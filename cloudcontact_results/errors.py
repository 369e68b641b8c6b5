"""Every exception the library raises on bad input.

All of them are subclasses of :class:`ValueError` (so ``except ValueError``
keeps working in code that does not know this library) and of
:class:`ResultsError` (so ``except ResultsError`` catches exactly ours).
Each message names the field and the offending value; errors met while
reading a file also name the line and the column.

The tree::

    ValueError
    └── ResultsError
        ├── FieldError                  a value of a named field (.field, .value, .reason)
        │   ├── ValidationError         a model object cannot hold the value
        │   │   ├── UnknownDispositionError
        │   │   └── CampaignMismatchError   a record does not fit its campaign
        │   ├── OptionsError            an option (export, reading, command line) is invalid
        │   └── PlatformDataError       the platform's JSON has a value the library cannot read
        ├── ExportError                 the destination is unusable
        ├── ReadError                   a file cannot be read (.line, .column, .value, .file)
        ├── PlatformError               the platform's API did not answer as documented
        │                               (.url, .status; never the access token)
        ├── StoreError                  a results store cannot be used as asked
        │   └── UnknownNameError        a campaign, list, record, archive or job it does not hold
        └── JobError                    a run of an export job failed (raised in an ExceptionGroup)
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

__all__ = [
    "SHOWN_CHARACTERS",
    "CampaignMismatchError",
    "ExportError",
    "FieldError",
    "JobError",
    "OptionsError",
    "PlatformDataError",
    "PlatformError",
    "ReadError",
    "ResultsError",
    "StoreError",
    "UnknownDispositionError",
    "UnknownNameError",
    "ValidationError",
    "shown",
]


#: How much of an offending value a message shows: a hostile file must not make
#: a message (or a terminal line) megabytes long.
SHOWN_CHARACTERS: Final = 200


def shown(value: Any) -> str:
    """``repr(value)`` as a message shows it: cut to :data:`SHOWN_CHARACTERS`, its size said.

    >>> shown("Иванов")
    "'Иванов'"
    >>> shown("x" * 5000)[-28:]
    "x'… (5000 characters in all)"
    """
    if isinstance(value, str | bytes) and len(value) > SHOWN_CHARACTERS:
        return f"{value[:SHOWN_CHARACTERS]!r}… ({len(value)} characters in all)"
    text = repr(value)
    if len(text) > SHOWN_CHARACTERS:
        return f"{text[:SHOWN_CHARACTERS]}… ({len(text)} characters in all)"
    return text


#: Reasons are ours, but may quote names from a file (a zip's member list…).
_REASON_CHARACTERS: Final = 5 * SHOWN_CHARACTERS


def _cut(text: str, limit: int = SHOWN_CHARACTERS) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters in all)"


class ResultsError(ValueError):
    """Base class of every error of ``cloudcontact_results``.

    Every error pickles with its attributes, so one raised in another
    process (a cluster worker) reaches the caller as the same error.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls: type[ResultsError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """An error unpickled as it was: its message and attributes, without calling ``__init__``."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class FieldError(ResultsError):
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
        super().__init__(f"{_cut(field)}: {_cut(reason, _REASON_CHARACTERS)} (got {shown(value)})")


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


class PlatformDataError(FieldError):
    """The platform's JSON holds a value the library cannot read.

    ``field`` is the JSON path of the value, e.g. ``"$[3].attempts[0].dialingDuration"``.
    """


class PlatformError(ResultsError):
    """The platform's List Management API did not answer as documented.

    Raised for an authentication failure (401, 403), a missing list or campaign
    (404), a bad request (400), and when retries of a rate limit (429), a server
    error (5xx), a timeout or a network error are used up. The message names the
    method and the URL; it never holds the access token.

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


class ExportError(ResultsError):
    """An export could not be written (the destination is unusable)."""


class ReadError(ResultsError):
    """A report file could not be read.

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
        reason = _cut(reason, _REASON_CHARACTERS)
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

    Raised for a path that is a folder, a file that is not a store, a store
    written by a newer version of the library, a store that stayed locked by
    another process for longer than the timeout, and a store that SQLite
    reports as damaged or out of space.

    Attributes:
        path: the store's file.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"store {path!r}: {reason}")


class UnknownNameError(StoreError):
    """A results store holds no campaign, list, record or archive of that name.

    Attributes:
        kind: ``"campaign"``, ``"list"``, ``"record"`` or ``"archive"``.
        name: the name asked for.
    """

    def __init__(self, path: str, kind: str, name: object, reason: str) -> None:
        self.kind = kind
        self.name = name
        super().__init__(path, f"{kind} {name!r}: {reason}")


class JobError(ResultsError):
    """A run of an export job could not write its file; the next run redoes it first.

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
