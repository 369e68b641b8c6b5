"""Reading a campaign's records from the store, streaming, in one read transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final

from cloudcontact_results._dispositions import Disposition
from cloudcontact_results._model import Attempt, Campaign, Record

from ._codec import ATTEMPT_COLUMNS, attempt_decoder, fields_from_text, make_record

__all__ = ["decoder", "read_records"]

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
) -> Iterator[Record]:
    """The records of ``lists`` (list id, name), list by list, each in load order.

    Reads with ``connection`` inside the transaction the caller holds.
    """
    decode = decoder(connection, campaign_id, campaign)
    for list_id, list_name in lists:
        attempts = connection.execute(_ATTEMPTS, (list_id,))
        pending = next(attempts, None)
        for row_id, record_id, fields in connection.execute(_RECORDS, (list_id,)):
            found = []
            while pending is not None and pending[0] == row_id:
                found.append(decode(pending))
                pending = next(attempts, None)
            yield make_record(record_id, list_name, fields_from_text(fields), tuple(found))
