"""Streaming a report to CSV, or to a zip holding the CSV, on a path or a stream."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import attrs

from .._files.sink import (
    ByteCounter,
    Destination,
    ExportResult,
    counted_destination,
    member_name,
    text_sink,
    zip_member,
)
from .._options import Packaging, Rendering
from .._report.guard import guarded
from .._report.kinds import kind_of
from .._report.plan import ReportPlan
from .._report.reports import header_of
from ..errors import ExportError
from .dialects import BOM, DIALECTS
from .fused import AttemptSource, LoopSource, write_lines

__all__ = ["write_csv", "write_parts"]


def write_csv(
    plan: ReportPlan,
    records: Iterable[Any],
    destination: Destination,
    packaging: Packaging,
    *,
    overwrite: bool = False,
    header: bool = True,
    source: LoopSource | AttemptSource | None = None,
) -> ExportResult:
    """Write ``plan``'s report of ``records`` to ``destination`` as CSV, zipped if asked.

    With ``header`` False only the rows are written, without the byte order
    mark and the header: the body of one part of a report that
    :func:`write_parts` assembles. With a ``source``, ``records`` are its
    items instead of :class:`Record` objects (``_csv/fused.py``).
    """
    kind = kind_of(plan.selection.format)
    dialect = DIALECTS[packaging.dialect]
    with _csv_output(plan, destination, packaging, overwrite=overwrite) as output:
        if header:
            output.write_header()
        count = write_lines(kind, plan, records, output.text.write, dialect, source=source)
    return output.result(count)


def write_parts(
    plan: ReportPlan,
    parts: Iterable[tuple[bytes, int]],
    destination: Destination,
    packaging: Packaging,
    *,
    overwrite: bool = False,
) -> ExportResult:
    """Write the header of ``plan``'s report, then ``parts`` as they come, to ``destination``.

    Each part is ``(body, rows)``: the bytes :func:`write_csv` wrote with
    ``header=False`` to a stream (uncompressed, in ``packaging``'s dialect)
    and their number of rows. The parts in record order make the same bytes
    as :func:`write_csv` of all the records; with ``packaging.compress``
    they are zipped here as they stream, so one part is held at a time.
    """
    with _csv_output(plan, destination, packaging, overwrite=overwrite) as output:
        output.write_header()
        output.text.flush()
        count = 0
        for body, rows in parts:
            output.sink.write(body)
            count += rows
    return output.result(count)


@attrs.frozen
class _CsvOutput:
    """An opened destination: the CSV writer, the bytes under it, what to report when done."""

    plan: ReportPlan
    bom: bool
    writer: Any
    text: io.TextIOWrapper
    sink: IO[bytes]
    counter: ByteCounter
    path: Path | None
    member: str | None

    def write_header(self) -> None:
        """The dialect's byte order mark, if it has one, and the header row."""
        if self.bom:
            self.text.write(BOM)
        header = header_of(self.plan)
        self.writer.writerow(guarded(header) if self.plan.rendering.formula_guard else header)

    def result(self, rows: int) -> ExportResult:
        """What was written; call it once the destination is closed (a zip ends then)."""
        return ExportResult(rows=rows, path=self.path, bytes=self.counter.count, member=self.member)


@contextlib.contextmanager
def _csv_output(
    plan: ReportPlan, destination: Destination, packaging: Packaging, *, overwrite: bool
) -> Iterator[_CsvOutput]:
    """Open ``destination`` (an atomic file or the caller's stream), zipped if asked, for CSV.

    Raises:
        ExportError: the destination is unusable, or a value cannot be encoded.
    """
    timestamp = _zip_time(packaging, plan.rendering) if packaging.compress else None
    dialect = DIALECTS[packaging.dialect]
    with contextlib.ExitStack() as stack:
        counter, path = stack.enter_context(counted_destination(destination, overwrite=overwrite))
        member = member_name(path, f"{plan.campaign.name}-{plan.selection.format.value}")
        sink: IO[bytes] = counter  # type: ignore[assignment]
        if timestamp is not None:
            sink = stack.enter_context(zip_member(sink, member, timestamp))
        text = stack.enter_context(text_sink(sink, dialect.encoding))
        # Entered last, left first: on failure nothing more reaches the destination.
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
            yield _CsvOutput(
                plan=plan,
                bom=dialect.bom,
                writer=writer,
                text=text,
                sink=sink,
                counter=counter,
                path=path,
                member=member if timestamp is not None else None,
            )
        except UnicodeEncodeError as error:
            raise ExportError(
                f"cannot write {error.object[error.start : error.end]!r} as {dialect.encoding}"
            ) from error


def _zip_time(packaging: Packaging, rendering: Rendering) -> dt.datetime:
    """The member's date-time: local to the export time zone, as zip times are."""
    if packaging.zip_time is not None:
        return packaging.zip_time
    return dt.datetime.now(rendering.tz).replace(tzinfo=None)
