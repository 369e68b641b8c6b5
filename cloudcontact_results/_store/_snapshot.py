"""Reading a campaign's records from the store, streaming, in one read transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Final

from cloudcontact_results._dispositions import Disposition
from cloudcontact_results._model import Attempt, Campaign, Record

from ._codec import ATTEMPT_COLUMNS, AttemptDecoder, fields_from_text, make_record

__all__ = ["attempt_decoder", "read_records"]

# Records in load order (the rowid, via records_by_list), each followed by its
# attempts in time order, ties in ingest order (attempts_by_record holds
# (record, t) and the rowid, seq): SQLite walks both indexes and never sorts,
# so the cursor streams in constant memory.
_RECORDS_OF_LIST: Final = f"""
SELECT r.id, r.record_id, r.fields, a.seq, {", ".join(f"a.{c}" for c in ATTEMPT_COLUMNS)}
FROM records AS r INDEXED BY records_by_list
LEFT JOIN attempts AS a INDEXED BY attempts_by_record ON a.record = r.id
WHERE r.list = ?
ORDER BY r.id, a.t, a.seq
"""  # noqa: S608 - constant column names


def attempt_decoder(
    connection: sqlite3.Connection, campaign_id: int, campaign: Campaign
) -> AttemptDecoder:
    """A decoder of the campaign's attempt rows, its dispositions resolved by name."""
    dispositions: dict[int, Disposition | None] = {}
    for disposition_id, name in connection.execute(
        "SELECT id, name FROM dispositions WHERE campaign = ?", (campaign_id,)
    ):
        # put_campaign keeps every stored name resolvable; a name that is not
        # (a store edited by hand) is reported as any unknown disposition is.
        dispositions[disposition_id] = campaign.find_disposition(name) or Disposition(name)
    zones = dict(connection.execute("SELECT id, name FROM zones"))
    return AttemptDecoder(zones, dispositions)


def read_records(
    connection: sqlite3.Connection,
    campaign_id: int,
    campaign: Campaign,
    lists: Sequence[tuple[int, str]],
) -> Iterator[Record]:
    """The records of ``lists`` (list id, name), list by list, each in load order.

    Reads with ``connection`` inside the transaction the caller holds.
    """
    decode = attempt_decoder(connection, campaign_id, campaign).decode
    for list_id, list_name in lists:
        current: int | None = None
        record_id = fields = ""
        attempts: list[Attempt] = []
        for row in connection.execute(_RECORDS_OF_LIST, (list_id,)):
            if row[0] != current:
                if current is not None:
                    yield make_record(
                        record_id, list_name, fields_from_text(fields), tuple(attempts)
                    )
                current, record_id, fields = row[0], row[1], row[2]
                attempts = []
            if row[3] is not None:
                attempts.append(decode(row[4:]))
        if current is not None:
            yield make_record(record_id, list_name, fields_from_text(fields), tuple(attempts))
