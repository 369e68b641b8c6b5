"""Streaming a report to CSV, or to a zip holding the CSV, on a path or a stream."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import attrs

from ..._model.campaign import Campaign, Record
from ..._options import ExportOptions, Packaging, Rendering
from ..._report.guard import guarded
from ..._report.kinds import kind_of
from ..._report.plan import ReportPlan
from ..._report.reports import header_of, plan_of
from ...errors import ExportError
from ..dialects import BOM, DIALECTS
from .fused import write_lines
from .sink import ByteCounter, atomic_file, destination_path, member_name, text_sink, zip_member

__all__ = ["Destination", "ExportResult", "export", "write_report"]

#: A path, or a binary file object open for writing.
Destination = str | os.PathLike[str] | IO[bytes]


@attrs.frozen
class ExportResult:
    """What :func:`export` wrote.

    Attributes:
        rows: the number of data rows (the header not counted).
        path: the file written, or None when writing to a stream.
        bytes: the size of the file, or the number of bytes written to the stream.
        member: the name of the CSV inside the zip, or None when not compressed.
    """

    rows: int
    path: Path | None
    bytes: int
    member: str | None = None


def export(
    campaign: Campaign,
    records: Iterable[Record],
    destination: Destination,
    options: ExportOptions | None = None,
) -> ExportResult:
    """Write the report ``options`` ask for to ``destination``, streaming.

    Records are consumed once and one at a time: memory does not grow with
    the report. A path is written atomically: a temporary file in the same
    folder is renamed over it only when everything was written, and removed
    on any failure, so a failed export leaves the destination as it was. A
    binary stream is written from its current position and left open; a
    failed export leaves what was already written in it.

    Args:
        campaign: the campaign the records belong to.
        records: any iterable of its records.
        destination: a path (``str`` or ``os.PathLike``) or a binary file object.
        options: the export dialog; ``ExportOptions()`` by default. With
            ``compress`` the CSV is written inside a zip.

    Returns:
        The number of data rows and bytes written.

    Raises:
        ExportError: the destination is unusable (no such folder, a folder,
            not writable, a text stream), or a value cannot be encoded.
        OptionsError: the options do not fit the campaign.
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
    packaging = options.packaging if options is not None else Packaging()
    return write_report(plan, records, destination, packaging)


def write_report(
    plan: ReportPlan, records: Iterable[Record], destination: Destination, packaging: Packaging
) -> ExportResult:
    """Write ``plan``'s report of ``records`` to ``destination``, packaged as ``packaging``.

    The body of :func:`export`, for callers that hold the parts of the
    options (a store, a scheduled job, a cluster worker).
    """
    kind = kind_of(plan.selection.format)
    header = header_of(plan)
    guard = plan.rendering.formula_guard
    timestamp = _zip_time(packaging, plan.rendering) if packaging.compress else None
    path = destination_path(destination)
    member = member_name(path, f"{plan.campaign.name}-{plan.selection.format.value}")

    with contextlib.ExitStack() as stack:
        raw: IO[bytes] = (
            stack.enter_context(atomic_file(path)) if path is not None else destination  # type: ignore[assignment]
        )
        counter = ByteCounter(raw)
        sink: IO[bytes] = counter  # type: ignore[assignment]
        if timestamp is not None:
            sink = stack.enter_context(zip_member(sink, member, timestamp))
        dialect = DIALECTS[packaging.dialect]
        text = stack.enter_context(text_sink(sink, dialect.encoding))
        stack.enter_context(counter.discarding_on_error())
        writer = csv.writer(
            text,
            delimiter=dialect.delimiter,
            quotechar=dialect.quotechar,
            lineterminator=dialect.lineterminator,
            quoting=csv.QUOTE_MINIMAL,
            doublequote=True,
        )
        try:
            if dialect.bom:
                text.write(BOM)
            writer.writerow(guarded(header) if guard else header)
            count = write_lines(kind, plan, records, text.write, dialect)
        except UnicodeEncodeError as error:
            raise ExportError(
                f"cannot write {error.object[error.start : error.end]!r} as {dialect.encoding}"
            ) from error
    return ExportResult(
        rows=count,
        path=path,
        bytes=counter.count,
        member=member if timestamp is not None else None,
    )


def _zip_time(packaging: Packaging, rendering: Rendering) -> dt.datetime:
    """The member's date-time: local to the export time zone, as zip times are."""
    if packaging.zip_time is not None:
        return packaging.zip_time
    return dt.datetime.now(rendering.tz).replace(tzinfo=None)
