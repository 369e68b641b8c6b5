"""Reading a campaign's records from the store, streaming, in one read transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final, Literal

import attrs

from .._model.campaign import Attempt, Campaign, Record
from .._model.dispositions import Disposition
from ._codec import ATTEMPT_COLUMNS, attempt_decoder, fields_from_text, make_record

__all__ = ["RowRange", "Window", "WindowKind", "decoder", "read_records"]

#: What a window holds (see :class:`Window`).
WindowKind = Literal["all", "completed", "ingested"]


@attrs.frozen
class Window:
    """A part of the results, by ingest sequence number, for a run of an export job.

    Attributes:
        kind: ``"all"`` — every record, with the attempts ingested up to
            ``hi``; ``"completed"`` — the records first completed by an
            attempt ingested in ``(lo, hi]``, with their attempts up to
            ``hi``; ``"ingested"`` — the attempts ingested in ``(lo, hi]``,
            with their records.
        lo: the last sequence number before the window.
        hi: the last sequence number in it.
    """

    kind: WindowKind
    lo: int
    hi: int

    def queries(self) -> tuple[str, tuple[int, ...], str, tuple[int, ...]]:
        """The records and the attempts queries of one list, each with its parameters.

        The parameters follow the list's id, the first parameter of both.
        """
        lo, hi = self.lo, self.hi
        if self.kind == "all":
            return _RECORDS, (), _ATTEMPTS.replace("ORDER BY", "AND a.seq <= ? ORDER BY"), (hi,)
        if self.kind == "completed":
            # Found through the completions' index, however long the list.
            where = "AND r.completed_seq > ? AND r.completed_seq <= ?"
            index = "INDEXED BY records_completed"
            attempts = _WINDOW_ATTEMPTS.format(index=index, where=f"{where} AND a.seq <= ?")
            records = _WINDOW_RECORDS.format(index=index, where=where)
            return records, (lo, hi), attempts, (lo, hi, hi)
        where = "AND r.id IN (SELECT record FROM attempts WHERE seq > ? AND seq <= ?)"
        attempts = _WINDOW_ATTEMPTS.format(index="", where=f"{where} AND a.seq > ? AND a.seq <= ?")
        records = _WINDOW_RECORDS.format(index="", where=where)
        return records, (lo, hi), attempts, (lo, hi, lo, hi)


@attrs.frozen
class RowRange:
    """The records of a list with row ids in ``[first, last]``, with the attempts up to ``hi``.

    One part of a campaign's results read by a worker of its own
    (``cloudcontact_results.dask.store_bag``), pinned to the ingest sequence
    number ``hi`` of the moment the parts were planned.
    """

    first: int
    last: int
    hi: int

    def queries(self) -> tuple[str, tuple[int, ...], str, tuple[int, ...]]:
        """As :meth:`Window.queries`."""
        rows = "AND r.id >= ? AND r.id <= ? ORDER BY"
        records = _RECORDS.replace("ORDER BY", rows)
        attempts = _ATTEMPTS.replace(
            "ORDER BY", rows.replace("ORDER BY", "AND a.seq <= ? ORDER BY")
        )
        return records, (self.first, self.last), attempts, (self.first, self.last, self.hi)


# Both in load order (the rowid, via records_by_list); attempts of a record
# in time order, ties in ingest order (attempts_by_record holds (record, t)
# and the rowid, seq). SQLite walks the indexes and never sorts, so both
# cursors stream in constant memory; the two are merged on the record's id,
# so a record's fields are read once, not once per attempt.
_RECORDS: Final = """
SELECT r.id, r.record_id, r.fields FROM records AS r INDEXED BY records_by_list
WHERE r.list = ? ORDER BY r.id
"""
_ATTEMPTS: Final = f"""
SELECT r.id, {", ".join(f"a.{c}" for c in ATTEMPT_COLUMNS)}
FROM records AS r INDEXED BY records_by_list
JOIN attempts AS a INDEXED BY attempts_by_record ON a.record = r.id
WHERE r.list = ?
ORDER BY r.id, a.t, a.seq
"""  # noqa: S608 - constant column names
# A job's window picks few records of a list: let SQLite choose how to find them.
_WINDOW_RECORDS: Final = """
SELECT r.id, r.record_id, r.fields FROM records AS r {index}
WHERE r.list = ? {where} ORDER BY r.id
"""
_WINDOW_ATTEMPTS: Final = f"""
SELECT r.id, {", ".join(f"a.{c}" for c in ATTEMPT_COLUMNS)}
FROM records AS r {{index}} JOIN attempts AS a INDEXED BY attempts_by_record ON a.record = r.id
WHERE r.list = ? {{where}}
ORDER BY r.id, a.t, a.seq
"""  # noqa: S608 - constant column names


def decoder(
    connection: sqlite3.Connection, campaign_id: int, campaign: Campaign
) -> Callable[[Sequence[Any]], Attempt]:
    """A decoder of the campaign's attempt rows, its dispositions resolved by name."""
    dispositions: dict[int, Disposition] = {}
    for disposition_id, name in connection.execute(
        "SELECT id, name FROM dispositions WHERE campaign = ?", (campaign_id,)
    ):
        # put_campaign keeps every stored name resolvable; a name that is not
        # (a store edited by hand) is reported as any unknown disposition is.
        dispositions[disposition_id] = campaign.find_disposition(name) or Disposition(name)
    zones = dict(connection.execute("SELECT id, name FROM zones"))
    return attempt_decoder(zones, dispositions)


def read_records(
    connection: sqlite3.Connection,
    campaign_id: int,
    campaign: Campaign,
    lists: Sequence[tuple[int, str]],
    window: Window | RowRange | None = None,
) -> Iterator[Record]:
    """The records of ``lists`` (list id, name), list by list, each in load order.

    Reads with ``connection`` inside the transaction the caller holds; with
    a ``window``, only that part of the results.
    """
    decode = decoder(connection, campaign_id, campaign)
    records_query, records_bounds, attempts_query, attempts_bounds = (
        (_RECORDS, (), _ATTEMPTS, ()) if window is None else window.queries()
    )
    for list_id, list_name in lists:
        attempts = connection.execute(attempts_query, (list_id, *attempts_bounds))
        pending = next(attempts, None)
        for row_id, record_id, fields in connection.execute(
            records_query, (list_id, *records_bounds)
        ):
            found = []
            while pending is not None and pending[0] == row_id:
                found.append(decode(pending))
                pending = next(attempts, None)
            yield make_record(record_id, list_name, fields_from_text(fields), tuple(found))
