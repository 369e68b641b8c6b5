"""Archives: a list's results in a zip of ``simple.csv``, ``detailed.csv`` and ``manifest.json``."""

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

from .._csv.write.export import export
from .._model.campaign import Campaign, Record
from .._options import ExportOptions
from .._types import ReportFormat

__all__ = ["MEMBERS", "Archive", "ArchiveReason", "write_archive"]

#: The members of an archive, in the order they are written.
MEMBERS: Final = ("simple.csv", "detailed.csv", "manifest.json")
#: Zip member times are local, like an export's: in the default export time zone.
_ZIP_ZONE: Final = ExportOptions().tz


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
    """

    id: int
    campaign: str
    list_name: str
    reason: ArchiveReason
    created: dt.datetime
    records: int
    attempts: int
    size: int


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

    Returns:
        The number of records and of attempts archived.
    """
    digests: dict[str, str] = {}
    counts: dict[str, int] = {}
    timestamp = created.astimezone(_ZIP_ZONE).replace(tzinfo=None).timetuple()[:6]
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, report in zip(
            MEMBERS, (ReportFormat.SIMPLE, ReportFormat.DETAILED), strict=False
        ):
            options = ExportOptions(format=report, lists=[list_name])
            with archive.open(_info(member, timestamp), "w", force_zip64=True) as stream:
                digest = _Digest(stream)
                counts[member] = export(campaign, records(), digest, options).rows  # type: ignore[arg-type]
                digests[member] = digest.sha256.hexdigest()
        manifest = {
            "campaign": campaign.name,
            "list": list_name,
            "reason": reason.value,
            "archived_at": created.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "records": counts["simple.csv"],
            "attempts": counts["detailed.csv"],
            "sha256": digests,
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
