"""Archives: a list's results in a zip of ``simple.csv``, ``detailed.csv`` and ``manifest.json``.

How an archive's cells read (language, time zone, dialect, date-time format,
layout, formula guard) is the campaign's choice, its *archive options*; what
an archive holds (both reports, of the one list, complete, as CSV in this
zip) is the archive's own, so the options that would change it are refused.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import io
import json
import stat
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any, Final

import attrs

from .._formats.export import export
from .._model.campaign import Campaign, Record
from .._options import ExportOptions
from .._types import ReportFormat
from ..errors import OptionsError, ValidationError
from ._jobs import escaped_name

__all__ = [
    "MEMBERS",
    "Archive",
    "ArchiveReason",
    "archive_settings",
    "check_archive_options",
    "options_from_settings",
    "write_archive",
]

#: The members of an archive, in the order they are written.
MEMBERS: Final = ("simple.csv", "detailed.csv", "manifest.json")

#: The options of :class:`ExportOptions` a campaign chooses for its archives.
ARCHIVE_SETTINGS: Final = (
    "language",
    "timezone",
    "dialect",
    "datetime_format",
    "formula_guard",
    "layout",
)
#: Why each other option cannot be chosen for archives: they would change what an
#: archive holds, not how it reads, and a reader of archives counts on that.
_DECIDED_BY_THE_ARCHIVE: Final = {
    "format": "an archive holds both reports, simple.csv and detailed.csv",
    "lists": "an archive holds the list archived",
    "dispositions": "an archive holds all of the list's results",
    "interval": "an archive holds all of the list's results",
    "compress": "an archive is a zip already",
    "file_format": "an archive holds CSV files",
    "zip_timestamp": "an archive's zip is dated by the moment of archiving",
    "report_unknown_dispositions": "the store holds only dispositions the campaign knows",
}
_DEFAULTS: Final = ExportOptions()
#: The options whose default (None) means "as the destination says": compared as packaged.
_PACKAGED: Final = frozenset({"compress", "file_format"})


class ArchiveReason(enum.StrEnum):
    """Why a list's results were archived."""

    #: The list was deleted (from every campaign that used it).
    DELETED = "deleted"
    #: The list was removed from the campaign.
    REMOVED = "removed"
    #: The list was reloaded in replace mode.
    REPLACED = "replaced"


@attrs.frozen
class Archive:
    """A list's results as they were when they left the campaign; never changed.

    Attributes:
        id: the archive's number in the store.
        campaign: the campaign's name.
        list_name: the list's name.
        reason: why the results were archived.
        created: when, in UTC.
        records: how many records the archive holds.
        attempts: how many attempts.
        size: the size of the zip, in bytes.
        sha256: the SHA-256 of the zip, hex (None for archives made before
            version 7 of the store's schema).
        remote_url: where the archive is delivered (the campaign's
            ``archive_destination`` when it was made: a URL, or the path
            of the file in a folder), or None.
        delivered_at: when its delivery was recorded (UTC), None while due.
        delivery_attempts: how many deliveries were started.
        delivery_error: why the last one failed, while it is due.

    The delivery state is not compared: an archive equals itself before and
    after its delivery.
    """

    id: int
    campaign: str
    list_name: str
    reason: ArchiveReason
    created: dt.datetime
    records: int
    attempts: int
    size: int
    sha256: str | None = None
    remote_url: str | None = None
    delivered_at: dt.datetime | None = attrs.field(default=None, eq=False)
    delivery_attempts: int = attrs.field(default=0, eq=False)
    delivery_error: str | None = attrs.field(default=None, eq=False)

    @property
    def file_name(self) -> str:
        """The archive's file name where it is delivered or saved: unique in its store.

        ``<campaign>_<list>_<reason>_<YYYYMMDDTHHMMSSZ>_<id>.zip``, the time
        in UTC, the names written as job file names write them (``%XX`` for
        what a file name cannot hold).

        >>> import datetime as dt
        >>> Archive(7, "Sales", "EU/2026", ArchiveReason.REMOVED,
        ...         dt.datetime(2026, 3, 2, 6, 30, tzinfo=dt.UTC), 1, 2, 300).file_name
        'Sales_EU%2F2026_removed_20260302T063000Z_7.zip'
        """
        stamp = self.created.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        parts = (escaped_name(self.campaign), escaped_name(self.list_name), self.reason.value)
        return f"{'_'.join(parts)}_{stamp}_{self.id}.zip"


def check_archive_options(options: object) -> ExportOptions:
    """``options`` as archive options: only the options of :data:`ARCHIVE_SETTINGS` set.

    Raises:
        ValidationError: ``options`` is not an :class:`ExportOptions`.
        OptionsError: naming the first other option set to something other
            than its default (``archive_options.compress``…).
    """
    if not isinstance(options, ExportOptions):
        raise ValidationError("archive_options", options, "must be an ExportOptions")
    for field in attrs.fields(ExportOptions):
        if not field.init or field.name in ARCHIVE_SETTINGS:
            continue
        value = getattr(options, field.name)
        if _chosen(options, field.name) != _chosen(_DEFAULTS, field.name):
            reason = _DECIDED_BY_THE_ARCHIVE.get(field.name, "it is not one of the archive options")
            raise OptionsError(
                f"archive_options.{field.name}", value, f"cannot be chosen: {reason}"
            )
    return options


def _chosen(options: ExportOptions, name: str) -> object:
    # The file options count by the file they make: compress=False is the default's.
    return getattr(options.packaging if name in _PACKAGED else options, name)


def archive_settings(options: ExportOptions) -> dict[str, str | bool]:
    """The archive options as JSON values: what the manifest records and the store keeps."""
    settings: dict[str, str | bool] = {}
    for name in ARCHIVE_SETTINGS:
        value = getattr(options, name)
        settings[name] = value.value if isinstance(value, enum.Enum) else value
    return settings


def options_from_settings(settings: dict[str, Any] | None) -> ExportOptions:
    """The archive options :func:`archive_settings` gave; None (never chosen): the defaults."""
    if settings is None:
        return _DEFAULTS
    return ExportOptions(**{name: settings[name] for name in ARCHIVE_SETTINGS})


class _Digest(io.RawIOBase):
    """A write-only stream that hashes what goes through it and counts the lines."""

    def __init__(self, target: IO[bytes]) -> None:
        super().__init__()
        self._target = target
        self.sha256 = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.sha256.update(data)
        return self._target.write(data)


def write_archive(
    sink: IO[bytes],
    *,
    campaign: Campaign,
    list_name: str,
    reason: ArchiveReason,
    created: dt.datetime,
    records: Callable[[], Iterator[Record]],
    options: ExportOptions,
) -> tuple[int, int]:
    """Write the archive of ``list_name``'s results to ``sink``.

    Args:
        sink: a binary stream, written from its position.
        campaign: the campaign the list still belongs to.
        list_name: the list archived.
        reason: why.
        created: the moment of archiving (aware).
        records: returns a fresh iterator of the list's records each call
            (each report reads them once).
        options: the campaign's archive options (:func:`check_archive_options`):
            how both reports read; the zip's times are local to its zone too,
            as an export's are.

    Returns:
        The number of records and of attempts archived.
    """
    digests: dict[str, str] = {}
    counts: dict[str, int] = {}
    timestamp = created.astimezone(options.tz).replace(tzinfo=None).timetuple()[:6]
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, report in zip(
            MEMBERS, (ReportFormat.SIMPLE, ReportFormat.DETAILED), strict=False
        ):
            member_options = attrs.evolve(options, format=report, lists=[list_name])
            with archive.open(_info(member, timestamp), "w", force_zip64=True) as stream:
                digest = _Digest(stream)
                counts[member] = export(campaign, records(), digest, member_options).rows  # type: ignore[arg-type]
                digests[member] = digest.sha256.hexdigest()
        manifest = {
            "campaign": campaign.name,
            "list": list_name,
            "reason": reason.value,
            "archived_at": created.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "records": counts["simple.csv"],
            "attempts": counts["detailed.csv"],
            "sha256": digests,
            "options": archive_settings(options),
        }
        text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        archive.writestr(_info(MEMBERS[2], timestamp), text.encode("utf-8"))
    return counts["simple.csv"], counts["detailed.csv"]


def _info(name: str, timestamp: tuple[int, ...]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=timestamp)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever the platform, as exports do
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info
