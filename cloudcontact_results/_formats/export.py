"""Exporting a report: the writer of the file format asked for, picked from one table.

Each format is a peer beneath this module and none imports another; the
optional ones (a workbook needs XlsxWriter, Parquet pyarrow) are imported
only when a report is written in them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sized
from pathlib import Path
from typing import Final, TypeVar

from .._csv.write import write_csv
from .._files.sink import Destination, ExportResult, Writer
from .._model.campaign import Campaign, Record
from .._options import ExportOptions, Packaging, packaging_for
from .._progress import ProgressCallback, counted
from .._report.plan import ReportPlan
from .._report.reports import plan_of
from .._types import FileFormat

__all__ = ["WRITERS", "export", "exporting", "write_report"]

_T = TypeVar("_T")


def _csv() -> Writer:
    return write_csv


def _xlsx() -> Writer:
    from .._xlsx.write import write_workbook  # noqa: PLC0415  # xlsxwriter is optional

    return write_workbook


def _parquet() -> Writer:
    from .._arrow.parquet import write_parquet  # noqa: PLC0415  # pyarrow is optional

    return write_parquet


#: Each file format's writer, imported when it is first asked for.
WRITERS: Final[dict[FileFormat, Callable[[], Writer]]] = {
    FileFormat.CSV: _csv,
    FileFormat.XLSX: _xlsx,
    FileFormat.PARQUET: _parquet,
}


def export(
    campaign: Campaign,
    records: Iterable[Record],
    destination: Destination,
    options: ExportOptions | None = None,
    *,
    overwrite: bool = False,
    progress: ProgressCallback | None = None,
) -> ExportResult:
    """Write the report ``options`` ask for to ``destination``, streaming.

    Records are consumed once and one at a time: memory does not grow with
    the report. A path is written atomically: a temporary file in the same
    folder is renamed over it only when everything was written, and removed
    on any failure, so a failed export leaves the destination as it was. A
    path naming a pipe or a character device is written as a stream, a
    symbolic link is followed, and a read-only file is replaced only with
    ``overwrite=True`` (``docs/security.md``). A binary stream is written from
    its current position and left open; a failed export leaves what was
    already written in it.

    Args:
        campaign: the campaign the records belong to.
        records: any iterable of its records.
        destination: a path (``str`` or ``os.PathLike``) or a binary file object.
            A path's suffix sets the file format and compression the options
            leave unset: ``.xlsx``, ``.parquet`` (``.pq``), ``.zip``
            (``.csv.zip``: a zip holding the CSV), ``.csv``; any other suffix
            is CSV.
        options: the export dialog; ``ExportOptions()`` by default. With
            ``compress`` the CSV is written inside a zip.
        overwrite: replace a read-only file too.
        progress: called with a :class:`Progress` of the records consumed
            (``what="exporting"``, of ``len(records)`` when it has a length,
            with the destination's file name) every so often and once at the
            end (``docs/export.md``, "Progress").

    Returns:
        The number of data rows and bytes written.

    Raises:
        ExportError: the destination is unusable (no such folder, a folder,
            a socket, read-only without ``overwrite``, a text stream), or a
            value cannot be encoded.
        OptionsError: the options do not fit the campaign, or a given
            ``file_format`` or ``compress`` conflicts with the path's suffix.
        CampaignMismatchError: a record does not fit the campaign.
        UnknownDispositionError: a disposition is unknown to the campaign.
        OSError: writing failed (a full disk, a broken stream), unchanged.

    >>> import io
    >>> from cloudcontact_results import CallingList, Campaign, Record
    >>> campaign = Campaign("Demo", [CallingList("Clients", ["Name"])])
    >>> stream = io.BytesIO()
    >>> export(campaign, [Record("1", "Clients", {"Name": "=1+1"})], stream).rows
    1
    >>> stream.getvalue().splitlines()[1]
    b"'=1+1,0,0,,,0,,,,,,,,,,Clients"
    """
    plan = plan_of(campaign, options)
    packaging = packaging_for(options, destination)
    if progress is not None:
        records = exporting(records, progress, destination)
    return write_report(plan, records, destination, packaging, overwrite=overwrite)


def exporting(
    records: Iterable[_T],
    progress: ProgressCallback,
    destination: Destination,
    total: int | None = None,
) -> Iterable[_T]:
    """``records``, counted for ``progress`` as an export to ``destination`` consumes them.

    Records, or what stands for them (a results store's rows).
    """
    if total is None and isinstance(records, Sized):
        total = len(records)
    name = Path(destination).name if isinstance(destination, str | os.PathLike) else None
    return counted(records, progress, "exporting", "records", total=total, name=name or None)


def write_report(
    plan: ReportPlan,
    records: Iterable[Record],
    destination: Destination,
    packaging: Packaging,
    *,
    overwrite: bool = False,
) -> ExportResult:
    """Write ``plan``'s report of ``records`` to ``destination``, packaged as ``packaging``.

    The body of :func:`export`, for callers that hold the parts of the
    options (a store, a scheduled job, a cluster worker).
    """
    write = WRITERS[packaging.file_format]()
    return write(plan, records, destination, packaging, overwrite=overwrite)
