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

from .._model.validators import non_empty_text
from .._options import ExportOptions
from .._types import is_naive
from ..errors import ValidationError
from ._codec import decode_time, encode_time

__all__ = [
    "ExportJob",
    "JobOutcome",
    "JobRun",
    "job_from_text",
    "job_text",
    "latest_occurrence",
    "next_occurrence",
]

#: Characters written as ``%XX`` in file names: those Windows and zip tools refuse,
#: and ``%`` itself, so that different job names never give the same file name.
_UNSAFE: Final = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*%]')


def _escaped(character: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in character.group().encode())


def _check_start(instance: ExportJob, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, dt.datetime):
        raise ValidationError("ExportJob.start", value, "must be a datetime")
    if is_naive(value):
        raise ValidationError("ExportJob.start", value, "must be timezone-aware (naive datetime)")


def _check_options(instance: ExportJob, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, ExportOptions):
        raise ValidationError("ExportJob.options", value, "must be an ExportOptions")


def _to_path(value: str | os.PathLike[str]) -> Path:
    return Path(value) if isinstance(value, str | os.PathLike) else value


def _check_destination(instance: ExportJob, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Path):
        raise ValidationError("ExportJob.destination", value, "must be a folder's path")


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
    """A campaign's export, written into a folder on a schedule.

    Args:
        name: the job's name, unique in the store.
        campaign: the campaign's name.
        options: the export options of every run (no ``interval`` when incremental).
        schedule: an RFC 5545 recurrence rule such as ``"FREQ=DAILY;BYHOUR=6"``,
            counted from ``start`` in ``start``'s time zone.
        destination: the folder the files are written into.
        start: the first moment of the schedule (aware).
        incremental: each run covers what was ingested since the previous
            successful run; otherwise each run exports the whole snapshot.

    Raises:
        ValidationError: naming the field: a naive ``start``, a rule
            ``dateutil`` cannot read, an incremental job with an interval.

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
    destination: Path = attrs.field(converter=_to_path, validator=_check_destination)
    start: dt.datetime = attrs.field(validator=_check_start)
    incremental: bool = attrs.field(default=True, validator=_check_flag)

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
        return f"{_UNSAFE.sub(_escaped, self.name)}_{stamp}.{extension}"


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


def job_text(job: ExportJob) -> str:
    """The job as the JSON the store keeps."""
    return json.dumps(
        {
            "name": job.name,
            "campaign": job.campaign,
            "options": _options_json(job.options),
            "schedule": job.schedule,
            "destination": str(job.destination),
            "start": _moment_json(job.start),
            "incremental": job.incremental,
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
        destination=value["destination"],
        start=_moment(value["start"]),  # type: ignore[arg-type]
        incremental=value["incremental"],
    )
