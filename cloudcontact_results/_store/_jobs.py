"""Export jobs and their runs: the values, their schedule, and how the store keeps them."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import os
import re
from pathlib import Path
from typing import Any, Final

import attrs
from dateutil import rrule

from .._delivery import Remote
from .._delivery.remote import is_url
from .._model.validators import non_empty_text
from .._options import ExportOptions
from .._types import is_naive
from ..errors import ValidationError
from ._codec import decode_time, encode_time

__all__ = [
    "ExportJob",
    "JobOutcome",
    "JobRun",
    "destination_from_json",
    "destination_json",
    "escaped_name",
    "job_from_text",
    "job_text",
    "latest_occurrence",
    "next_occurrence",
    "spool_folder_name",
    "to_destination",
]

#: Characters written as ``%XX`` in file names: those Windows and zip tools refuse,
#: and ``%`` itself, so that different job names never give the same file name.
_UNSAFE: Final = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*%]')


def _escaped(character: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in character.group().encode())


def escaped_name(text: str) -> str:
    """``text`` as a part of a file name: what a file name cannot hold, and ``%``, as ``%XX``."""
    return _UNSAFE.sub(_escaped, text)


def _check_start(instance: ExportJob, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, dt.datetime):
        raise ValidationError("ExportJob.start", value, "must be a datetime")
    if is_naive(value):
        raise ValidationError("ExportJob.start", value, "must be timezone-aware (naive datetime)")


def _check_options(instance: ExportJob, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, ExportOptions):
        raise ValidationError("ExportJob.options", value, "must be an ExportOptions")


def to_destination(value: Any) -> Any:
    """A URL becomes a :class:`Remote`; any other text or path-like, a folder's path."""
    if isinstance(value, str) and is_url(value):
        return Remote(value)
    return Path(value) if isinstance(value, str | os.PathLike) else value


def _check_destination(instance: ExportJob, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Path | Remote):
        raise ValidationError(
            "ExportJob.destination", value, "must be a folder's path, a URL or a Remote"
        )


def _check_keep(instance: ExportJob, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if isinstance(value, dt.timedelta):
        if value <= dt.timedelta(0):
            raise ValidationError("ExportJob.keep", value, "must be a positive duration")
    elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(
            "ExportJob.keep", value, "must be a count of files (1 or more) or a timedelta"
        )
    if not isinstance(instance.destination, Remote):
        raise ValidationError(
            "ExportJob.keep",
            value,
            "prunes the local copies of files delivered to a URL; a job writing into a "
            "folder delivers there, and the folder's files are its own to keep",
        )


def _check_flag(instance: ExportJob, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, bool):
        raise ValidationError("ExportJob.incremental", value, "must be True or False")


def _check_job(job: ExportJob) -> None:
    if job.incremental and job.options.interval is not None:
        raise ValidationError(
            "ExportJob.options",
            job.options.interval,
            "an incremental job takes no interval: each run covers what was ingested since "
            "the previous one",
        )
    job.rule()  # a bad rule is an error now, not at the first run


@attrs.frozen
class ExportJob:
    """A campaign's export, written into a folder or delivered to a URL on a schedule.

    Args:
        name: the job's name, unique in the store.
        campaign: the campaign's name.
        options: the export options of every run (no ``interval`` when incremental).
        schedule: an RFC 5545 recurrence rule such as ``"FREQ=DAILY;BYHOUR=6"``,
            counted from ``start`` in ``start``'s time zone.
        destination: the folder the files are written into, or where they are
            delivered: a URL (``sftp://``, ``ftp://``, ``ftps://``, ``s3://``,
            ``https://`` webhook) or a :class:`Remote` with its protocol's
            settings. A delivered file is written first into the job's folder
            of the running process's spool (``ResultsStore(spool=)``;
            docs/automatic-export.md).
        start: the first moment of the schedule (aware).
        incremental: each run covers what was ingested since the previous
            successful run; otherwise each run exports the whole snapshot.
        keep: for a URL destination, how many delivered files (a count), or
            for how long after their due time (a ``timedelta``), the spool
            folder keeps; None keeps them all.

    Raises:
        ValidationError: naming the field: a naive ``start``, a rule
            ``dateutil`` cannot read, an incremental job with an interval, a
            ``keep`` that is no positive count or duration, or is given with a
            folder destination.

    >>> import datetime as dt
    >>> from zoneinfo import ZoneInfo
    >>> job = ExportJob("daily", "Sales", ExportOptions(format="detailed-interval"),
    ...                 "FREQ=DAILY;BYHOUR=6", "/srv/exports",
    ...                 dt.datetime(2026, 3, 1, tzinfo=ZoneInfo("Europe/Moscow")))
    >>> job.file_name(dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC))
    'daily_20260302T030000Z.csv'
    """

    name: str = attrs.field(validator=non_empty_text)
    campaign: str = attrs.field(validator=non_empty_text)
    options: ExportOptions = attrs.field(validator=_check_options)
    schedule: str = attrs.field(validator=non_empty_text)
    destination: Path | Remote = attrs.field(converter=to_destination, validator=_check_destination)
    start: dt.datetime = attrs.field(validator=_check_start)
    incremental: bool = attrs.field(default=True, validator=_check_flag)
    keep: int | dt.timedelta | None = attrs.field(default=None, kw_only=True, validator=_check_keep)

    def __attrs_post_init__(self) -> None:
        _check_job(self)

    def rule(self) -> rrule.rrule | rrule.rruleset:
        """The schedule as a ``dateutil`` rule counted from ``start``.

        Raises:
            ValidationError: the rule cannot be read.
        """
        try:
            return _rule(self.schedule, self.start)
        except (ValueError, TypeError) as error:
            raise ValidationError(
                "ExportJob.schedule", self.schedule, f"is not an RFC 5545 recurrence rule ({error})"
            ) from None

    def file_name(self, due: dt.datetime) -> str:
        """The file of the run due at ``due``: the job's name and the due time in UTC.

        Its extension is the file's format: ``csv``, ``zip``, ``xlsx`` or ``parquet``.
        Characters a file name cannot hold, and ``%``, are written ``%XX``
        (``daily:eu`` -> ``daily%3Aeu``), so two jobs' file names never meet.
        """
        stamp = due.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        packaging = self.options.packaging
        extension = "zip" if packaging.compress else packaging.file_format.value
        return f"{escaped_name(self.name)}_{stamp}.{extension}"


def spool_folder_name(job: ExportJob) -> str:
    """The name of the folder a URL job's files are written into before delivery.

    The job's name as its files write it, with a name of dots only (``.``,
    ``..``) written ``%2E`` so that it stays a folder of its own.
    """
    name = escaped_name(job.name)
    return "%2E" * len(name) if set(name) == {"."} else name


class JobOutcome(enum.StrEnum):
    """How a run of a job ended."""

    #: The file was written and the job's watermark advanced.
    OK = "ok"
    #: Writing the file failed; the next call redoes the run first.
    FAILED = "failed"
    #: Started and not finished (its process is running it, or died doing so).
    RUNNING = "running"


@attrs.frozen
class JobRun:
    """One run of a job: the file it wrote (or failed to write) for one window.

    Attributes:
        job: the job's name.
        due: the occurrence of the schedule the run is for (UTC).
        path: the file.
        rows: the data rows written (0 until written).
        window: the ingest sequence numbers ``(after, up_to]`` the run covers.
        bytes: the file's size (0 until written).
        sha256: the file's SHA-256, hex (empty until written).
        outcome: :class:`JobOutcome`.
        error: why it failed, when it did.
        finished: when it ended (UTC), or None while running.
        remote_url: where the file is delivered (a URL job's run), or None
            for a job that writes into a folder.
        delivered_at: when the delivery was recorded (UTC), or None while
            it is due.
        delivery_attempts: how many times the delivery was started.
        delivery_error: why the last attempt failed, while it is due.
    """

    job: str
    due: dt.datetime
    path: Path
    rows: int
    window: tuple[int, int] = (0, 0)
    bytes: int = 0
    sha256: str = ""
    outcome: JobOutcome = JobOutcome.OK
    error: str | None = None
    finished: dt.datetime | None = None
    remote_url: str | None = None
    delivered_at: dt.datetime | None = None
    delivery_attempts: int = 0
    delivery_error: str | None = None


# --- schedules ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=128)
def _rule(schedule: str, start: dt.datetime) -> rrule.rrule | rrule.rruleset:
    """The parsed rule, kept: it caches the occurrences it has computed."""
    return rrule.rrulestr(schedule, dtstart=start, cache=True)


def latest_occurrence(job: ExportJob, now: dt.datetime) -> dt.datetime | None:
    """The job's latest occurrence at or before ``now`` (UTC), or None."""
    rule = job.rule()
    occurrence = rule.before(now.astimezone(job.start.tzinfo), inc=True)
    if occurrence is None:
        return None
    instant: dt.datetime = occurrence.astimezone(dt.UTC)
    return instant


def next_occurrence(job: ExportJob, after: dt.datetime) -> dt.datetime | None:
    """The job's first occurrence strictly after ``after`` (UTC), or None."""
    occurrence = job.rule().after(after.astimezone(job.start.tzinfo), inc=False)
    return None if occurrence is None else occurrence.astimezone(dt.UTC)


# --- keeping jobs in the store ------------------------------------------------------------


def _moment_json(moment: dt.datetime | None) -> Any:
    if moment is None:
        return None
    if is_naive(moment):
        return {"naive": moment.isoformat()}
    instant, zone, wall, fold = encode_time(moment)
    return {"instant": instant, "zone": zone, "wall": wall, "fold": fold}


def _moment(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if "naive" in value:
        return dt.datetime.fromisoformat(str(value["naive"]))
    return decode_time(value["instant"], value["zone"], value["wall"], bool(value["fold"]))


def _options_json(options: ExportOptions) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in attrs.fields(ExportOptions):
        if not field.init:
            continue
        value = getattr(options, field.name)
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, tuple) and field.name == "interval":
            value = [_moment_json(bound) for bound in value]
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, dt.datetime):
            value = _moment_json(value)
        values[field.name] = value
    return values


def _options(values: dict[str, Any]) -> ExportOptions:
    values = dict(values)
    if values.get("interval") is not None:
        values["interval"] = tuple(_moment(bound) for bound in values["interval"])
    if values.get("zip_timestamp") is not None:
        values["zip_timestamp"] = _moment(values["zip_timestamp"])
    return ExportOptions(**values)


def destination_json(destination: Path | Remote) -> Any:
    if isinstance(destination, Path):
        return str(destination)
    return {
        "url": destination.url,
        "endpoint": destination.endpoint,
        "identity_file": None
        if destination.identity_file is None
        else str(destination.identity_file),
        "token_variable": destination.token_variable,
        "timeout": destination.timeout,
    }


def destination_from_json(value: Any) -> Path | Remote:
    if isinstance(value, str):
        return Path(value)
    return Remote(
        value["url"],
        endpoint=value["endpoint"],
        identity_file=value["identity_file"],
        token_variable=value["token_variable"],
        timeout=value["timeout"],
    )


def _keep_json(keep: int | dt.timedelta | None) -> Any:
    if isinstance(keep, dt.timedelta):
        return {"microseconds": keep // dt.timedelta(microseconds=1)}  # exact, unlike seconds
    return keep


def _keep(value: Any) -> int | dt.timedelta | None:
    if isinstance(value, dict):
        return dt.timedelta(microseconds=value["microseconds"])
    return None if value is None else int(value)


def job_text(job: ExportJob) -> str:
    """The job as the JSON the store keeps."""
    return json.dumps(
        {
            "name": job.name,
            "campaign": job.campaign,
            "options": _options_json(job.options),
            "schedule": job.schedule,
            "destination": destination_json(job.destination),
            "start": _moment_json(job.start),
            "incremental": job.incremental,
            "keep": _keep_json(job.keep),
        },
        ensure_ascii=False,
    )


def job_from_text(text: str) -> ExportJob:
    """The job a :func:`job_text` JSON describes."""
    value = json.loads(text)
    return ExportJob(
        name=value["name"],
        campaign=value["campaign"],
        options=_options(value["options"]),
        schedule=value["schedule"],
        destination=destination_from_json(value["destination"]),
        start=_moment(value["start"]),  # type: ignore[arg-type]
        incremental=value["incremental"],
        keep=_keep(value.get("keep")),
    )
