"""Exports written straight from the store's stored form, where that gives the same bytes.

``store.export`` writes exactly what :func:`export` writes of the records the
store gives back (``docs/store.md``). Building those records is most of the
work, and most of it is thrown away:

- a simple row reads a record's latest attempt, its latest completing one,
  how many were dialled and its latest script values, which the store keeps
  per record (the summary, kept up to date by every write: ``_codec.py``).
  A simple CSV export reads the fields and the summary, and feeds the fused
  writer's loop through a :class:`LoopSource` of its own: the loop and the
  row's values are those the export of records is compiled from
  (``simple_values``, ``simple_dispositions``), the two attempts read where
  they are packed (``attempt_reads``), never built;
- a detailed CSV export feeds the detailed loop each record's packed
  attempts through an :class:`AttemptSource`: the row's values are
  ``detailed_values`` with the same reads.

Which exports take this path (:func:`fast_export`), and which read records:

- CSV, zipped or not, of the simple and detailed-interval reports with any
  selection (lists, dispositions, interval) and rendering (language, zone,
  dialect, date-time format, guard, layout), and of the detailed report
  without an interval;
- not the detailed report with an interval (the records completed inside it
  are found by their completing attempts), not a workbook or a Parquet file
  (their writers take records), and not a campaign whose stored dispositions
  do not all resolve against its definition (a store edited by hand): the
  export of records reports those as it always has.

The store checked every record and attempt against the campaign when they
came in, and a redefinition of the campaign that would make them not fit is
refused (``put_campaign``): so the path does not check them again.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final

from .._codegen import assign, if_block, indent, wrapped
from .._csv.fused import AttemptSource, LoopSource
from .._csv.write import write_csv
from .._files.sink import Destination, ExportResult
from .._formats.export import exporting
from .._model.campaign import Campaign, Record
from .._model.dispositions import Disposition
from .._options import ExportOptions, packaging_for
from .._progress import ProgressCallback
from .._report.build import AttemptRead
from .._report.plan import ReportPlan
from .._report.reports import plan_of
from .._types import FileFormat, ReportFormat
from ._codec import (
    ATTEMPT_COLUMNS,
    WIDTH,
    PackedAttempt,
    Summary,
    all_widened,
    attempt_names,
    attempt_reads,
    build_record,
    unpack_attempts,
    unpack_fields,
    unpack_summary,
    widened,
)
from ._damage import DAMAGE, Damaged, reading
from ._engine import Connection

__all__ = ["fast_export"]

#: A list's records, in load order as :data:`_snapshot.RECORDS` reads them, each
#: with its list's name: the fields and summary only, never the attempts.
_SUMMARIES: Final = """
SELECT r.record_id, ?, r.data, r.summary FROM records AS r INDEXED BY records_by_list
WHERE r.list = ? ORDER BY r.id
"""

#: A list's records as :data:`_snapshot.RECORDS` reads them, each with its list's name.
_ATTEMPTS: Final = """
SELECT r.record_id, ?, r.data, r.attempts FROM records AS r INDEXED BY records_by_list
WHERE r.list = ? ORDER BY r.id
"""


def _packed(prefix: str) -> Callable[[str], str]:
    """The names a loop binds the columns of a packed attempt to: ``prefix`` and the column."""

    def name(column: str) -> str:
        return f"{prefix}{column}"

    return name


def _unpacked(prefix: str) -> str:
    """The target binding each value of a packed attempt to its name (:func:`_packed`)."""
    name = _packed(prefix)
    return "\n".join(wrapped("(", [name(column) for column in ("seq", *ATTEMPT_COLUMNS)], ")"))


def _packed_read(prefix: str) -> AttemptRead:
    """How the tables read a field of a packed attempt bound by :func:`_unpacked`."""
    return attempt_reads(_packed(prefix)).__getitem__


#: Where the simple loop binds the columns of a record's latest and completing attempts.
_LAST, _COMPLETING = "stored_last_", "stored_completing_"

#: What the simple row reads of a record's attempts (the names ``SIMPLE_ATTEMPTS``
#: binds, ``_report/build.py``), from the summary :func:`_read_summary` gives:
#: ``last`` and ``completing`` are packed attempts (or None), their values bound
#: to names of their own, which :func:`_packed_read` reads.
_SUMMARY_ATTEMPTS: Final = (
    "dialled, last, completing, latest = summary",
    *if_block("last is not None", assign(_unpacked(_LAST), "last")),
    *if_block("completing is not None", assign(_unpacked(_COMPLETING), "completing")),
    "script_fields = (",
    "    plan.no_script_values",
    "    if latest is None",
    "    else tuple([latest.get(name, '') for name in plan.script_field_names])",
    ")",
)

#: A record read from its ``data`` and ``summary``: the record (its id, list and
#: fields; its attempts are in the summary), its fields, and its summary with the
#: latest and completing attempts packed, as wide as attempts are packed now.
_ReadSummary = tuple[Record, dict[str, str], Summary]


def _read_summary(record_id: str, list_name: str, data: bytes, summary: bytes) -> _ReadSummary:
    """A record's ``data`` and ``summary`` read into what the simple loop needs.

    A value that does not unpack, or unpacks into something no record
    holds, is damaged (``_damage.py``).
    """
    try:
        fields = unpack_fields(data)
        dialled, last, completing, latest = unpack_summary(summary)
        # Packed before a field was added: read its default, as new ones do.
        if last is not None and len(last) != WIDTH:
            last = widened(last)
        if completing is not None and len(completing) != WIDTH:
            completing = widened(completing)
        if (
            type(fields) is not dict
            or (latest is not None and type(latest) is not dict)
            or (last is not None and len(last) != WIDTH)
            or (completing is not None and len(completing) != WIDTH)
        ):
            raise TypeError("not a record's fields and summary")
        record = build_record(record_id, list_name, fields, ())
    except DAMAGE as error:
        raise Damaged("records", (list_name, record_id), error) from error
    return record, fields, (dialled, last, completing, latest)


def _summary_source(names: dict[str, Any]) -> LoopSource:
    return LoopSource(
        "record_id, list_name, data, packed_summary",
        (
            "record, own, summary = read_summary(",
            "    record_id, list_name, data, packed_summary",
            ")",
        ),
        _SUMMARY_ATTEMPTS,
        {**names, "read_summary": _read_summary},
        what="stored summaries",
        last=_packed_read(_LAST),
        completing=_packed_read(_COMPLETING),
    )


#: Where the detailed loop binds the columns of each packed attempt.
_STORED = "stored_"
_STORED_READ: Final = _packed_read(_STORED)


def _written_read(field: str) -> str:
    """The detailed loop's read, but the time in the export's zone: for an export that only
    writes it.

    A cell of a date-time is written from the date-time in the export's
    zone (``astimezone``), the same for the same instant whatever zone it
    was given in, when the instant says it all (no wall clock kept: not in a
    DST gap, no fold the zone ignores, which ``astimezone`` keeps as given
    in its own zone); so such a whole second after 1970 is read straight
    into that zone, one C call. A report that compares times (an interval)
    reads them as they were given.
    """
    if field != "time":
        return _STORED_READ(field)
    instant, wall = _packed(_STORED)("t"), _packed(_STORED)("wall")
    return "\n".join(
        [
            "(",
            f"    from_timestamp({instant} // 1000000, EXPORT_ZONE)",
            f"    if {wall} is None and {instant} >= 0 and not {instant} % 1000000",
            *indent(f"else {_STORED_READ('time')}".splitlines()),
            ")",
        ]
    )


#: A record read from its ``data`` and ``attempts``: the record (its id, list
#: and fields; no attempts), its fields, and its packed attempts, each as wide
#: as the attempts packed now.
_ReadAttempts = tuple[Record, dict[str, str], tuple[PackedAttempt, ...]]


def _read_stored(record_id: str, list_name: str, data: bytes, packed: bytes) -> _ReadAttempts:
    """A record's ``data`` and ``attempts`` read into what the detailed loop needs.

    A value that does not unpack, or unpacks into something no record
    holds, is damaged (``_damage.py``).
    """
    try:
        fields = unpack_fields(data)
        # Packed before a field was added: read its default, as new ones do.
        attempts = all_widened(unpack_attempts(packed))
        if type(fields) is not dict or max(map(len, attempts), default=WIDTH) != WIDTH:
            raise TypeError("not a record's fields and packed attempts")
        record = build_record(record_id, list_name, fields, ())
    except DAMAGE as error:
        raise Damaged("records", (list_name, record_id), error) from error
    return record, fields, attempts


def _attempts_source(plan: ReportPlan, names: dict[str, Any]) -> AttemptSource:
    compares_times = plan.selection.format is ReportFormat.DETAILED_INTERVAL
    return AttemptSource(
        "record_id, list_name, data, packed_attempts",
        (
            "record, own, attempts = read_stored(record_id, list_name, data, packed_attempts)",
            "checked = True",
        ),
        _unpacked(_STORED),
        _STORED_READ if compares_times else _written_read,
        {**names, "read_stored": _read_stored, "EXPORT_ZONE": plan.rendering.tz},
        what="stored attempts",
    )


def _dispositions(
    connection: Connection, campaign_id: int, campaign: Campaign
) -> dict[int, Disposition] | None:
    """The stored dispositions by id, as the campaign defines them; None if one is unknown."""
    resolved: dict[int, Disposition] = {}
    for disposition_id, name in connection.execute(
        "SELECT id, name FROM dispositions WHERE campaign = ?", (campaign_id,)
    ):
        known = campaign.find_disposition(name)
        if known is None:
            return None
        resolved[disposition_id] = known
    return resolved


def fast_export(
    connection: Connection,
    campaign_id: int,
    campaign: Campaign,
    lists: Sequence[tuple[int, str]],
    *,
    destination: Destination,
    options: ExportOptions,
    overwrite: bool,
    progress: ProgressCallback | None,
    count: Callable[[], int],
) -> ExportResult | None:
    """Export ``lists`` (list id, name) of the campaign from the stored form, if the path applies.

    Reads with ``connection`` inside the read transaction the caller holds.
    Returns None, having written nothing, for an export the path does not
    cover (see the module's documentation): the caller exports records.

    Raises:
        Damaged: a record's stored value cannot be read back.
        ExportError, OptionsError, OSError: as :func:`export` raises them.
    """
    plan = plan_of(campaign, options)
    packaging = packaging_for(options, destination)
    report = plan.selection.format
    if packaging.file_format is not FileFormat.CSV or (
        # The records completed inside an interval: their completing attempts decide.
        report is ReportFormat.DETAILED and plan.interval is not None
    ):
        return None
    dispositions = _dispositions(connection, campaign_id, campaign)
    if dispositions is None:
        return None
    zones = dict(connection.execute("SELECT id, name FROM zones"))
    source: LoopSource | AttemptSource
    with reading("zones", None):
        names = attempt_names(zones, dispositions)
    if report is ReportFormat.SIMPLE:
        query, source = _SUMMARIES, _summary_source(names)
    else:
        query, source = _ATTEMPTS, _attempts_source(plan, names)
    rows: Iterator[tuple[str, str, bytes, bytes]] = itertools.chain.from_iterable(
        connection.stream(query, (list_name, list_id)) for list_id, list_name in lists
    )
    if progress is not None:
        rows = iter(exporting(rows, progress, destination, count()))
    return write_csv(plan, rows, destination, packaging, overwrite=overwrite, source=source)
