"""Reading a campaign's records from the store, streaming, in one read transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import starmap
from typing import Final, Literal

import attrs

from .._model.campaign import Attempt, Campaign, Record
from .._model.dispositions import Disposition
from ._codec import attempt_decoder, build_record, unpack_attempts, unpack_fields
from ._damage import DAMAGE as _DAMAGE
from ._damage import Damaged, reading
from ._engine import Connection

__all__ = ["RECORDS", "Reading", "RowRange", "Window", "WindowKind", "decoder", "read_records"]

#: What a window holds (see :class:`Window`).
WindowKind = Literal["all", "completed", "ingested"]


@attrs.frozen
class Reading:
    """How one list's records are read: the records query and which attempts they keep.

    Attributes:
        query: the records query; its first parameter is the list's id.
        bounds: its other parameters.
        lo: attempts with sequence numbers up to ``lo`` are left out (None: none).
        hi: attempts with sequence numbers above ``hi`` are left out (None: none).
        with_attempts: a record left with no attempt is left out too.
    """

    query: str
    bounds: tuple[int, ...] = ()
    lo: int | None = None
    hi: int | None = None
    with_attempts: bool = False


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

    def reading(self) -> Reading:
        """How to read one list's part of the window."""
        lo, hi = self.lo, self.hi
        if self.kind == "all":
            return Reading(RECORDS, hi=hi)
        if self.kind == "completed":
            # Found through the completions' index, however long the list.
            query = _WINDOW_RECORDS.format(
                index="INDEXED BY records_completed",
                where="AND r.completed_seq > ? AND r.completed_seq <= ?",
            )
            return Reading(query, (lo, hi), hi=hi)
        # Found through the sequence numbers' own index (``ingested``).
        query = _WINDOW_RECORDS.format(
            index="", where="AND r.id IN (SELECT record FROM ingested WHERE seq > ? AND seq <= ?)"
        )
        return Reading(query, (lo, hi), lo=lo, hi=hi, with_attempts=True)


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

    def reading(self) -> Reading:
        """As :meth:`Window.reading`."""
        query = RECORDS.replace("ORDER BY", "AND r.id >= ? AND r.id <= ? ORDER BY")
        return Reading(query, (self.first, self.last), hi=self.hi)


# In load order (the rowid, via records_by_list): SQLite walks the index and
# never sorts, so the cursor streams in constant memory. Each row holds the
# record's fields and its attempts, packed in the order
# they come back in (by instant, ties in ingest order): one row per record,
# not one per attempt.
RECORDS: Final = """
SELECT r.record_id, r.data, r.attempts FROM records AS r INDEXED BY records_by_list
WHERE r.list = ? ORDER BY r.id
"""
# A job's window picks few records of a list: let SQLite choose how to find them.
_WINDOW_RECORDS: Final = """
SELECT r.record_id, r.data, r.attempts FROM records AS r {index}
WHERE r.list = ? {where} ORDER BY r.id
"""


def decoder(connection: Connection, campaign_id: int, campaign: Campaign) -> Callable[..., Attempt]:
    """A decoder of the campaign's packed attempts, its dispositions resolved by name."""
    dispositions: dict[int, Disposition] = {}
    for disposition_id, name in connection.execute(
        "SELECT id, name FROM dispositions WHERE campaign = ?", (campaign_id,)
    ):
        # put_campaign keeps every stored name resolvable; a name that is not
        # (a store edited by hand) is reported as any unknown disposition is.
        dispositions[disposition_id] = campaign.find_disposition(name) or Disposition(name)
    zones = dict(connection.execute("SELECT id, name FROM zones"))
    with reading("zones", None):
        return attempt_decoder(zones, dispositions)


def read_records(
    connection: Connection,
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
    record_id: str | None = None
    list_name: str | None = None
    try:
        if window is None:
            # The hot loop of every export: one row, one unpacking (in C) and
            # one call per attempt (starmap, in C) per record.
            for list_id, list_name in lists:
                for record_id, data, packed in connection.stream(RECORDS, (list_id,)):
                    attempts = tuple(starmap(decode, unpack_attempts(packed)))
                    yield build_record(record_id, list_name, unpack_fields(data), attempts)
            return
        part = window.reading()
        lo = -1 if part.lo is None else part.lo
        hi = part.hi
        for list_id, list_name in lists:
            for record_id, data, packed in connection.stream(part.query, (list_id, *part.bounds)):
                kept = [
                    a for a in unpack_attempts(packed) if lo < a[0] and (hi is None or a[0] <= hi)
                ]
                if kept or not part.with_attempts:
                    attempts = tuple(starmap(decode, kept))
                    yield build_record(record_id, list_name, unpack_fields(data), attempts)
    except _DAMAGE as error:
        # Never the consumer's error: it is not raised in here. A packed
        # value that does not unpack, or unpacks into something no record holds.
        raise Damaged("records", (list_name, record_id), error) from error
