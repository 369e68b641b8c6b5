"""Writing records and attempts into the store: validation, interning, duplicates, sequence."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from .._model.campaign import Attempt, Campaign, Record
from .._model.dispositions import Disposition
from .._model.fit import CampaignFit, not_a_list
from .._model.frozen import EMPTY_TEXT_MAP
from ..errors import CampaignMismatchError, UnknownNameError
from ._codec import (
    EMPTY_SUMMARY,
    PackedAttempt,
    all_widened,
    attempt_row,
    pack_attempts,
    pack_fields,
    pack_summary,
    summarize,
    unpack_attempts,
)
from ._damage import reading
from ._engine import Connection

__all__ = ["Ingest"]

#: A record's attempts and their summary, written in one statement: the summary
#: never disagrees with the attempts, whatever the process goes through.
_UPDATE_ATTEMPTS: Final = (
    "UPDATE records SET summary = ?, attempts = ?, completed_seq = ? WHERE id = ?"
)
#: Packed attempts are ordered by instant, ties by sequence number.
_BY_INSTANT: Final = operator.itemgetter(1, 0)
#: A stored record: its row id, the number of its first completing attempt, its
#: packed attempts.
_Stored = tuple[int, int | None, bytes]
#: What an identity look-up of a disposition not seen yet finds.
_UNSEEN: Final = (None, 0)
#: Sequence numbers kept in memory before they are written.
_FLUSH_AT: Final = 2000
#: Values bound in one ``IN (...)`` query.
_IN_CHUNK: Final = 500


class Ingest:
    """One write transaction's worth of results for one campaign.

    Every attempt written gets the next number of the store's ingest
    sequence (kept with it, and in ``ingested`` with its record); a record
    remembers the number of the attempt that first completed it. An attempt
    equal, value for value, to one the record already has (or was given
    earlier in the same call) is skipped.

    Args:
        connection: a connection inside a write transaction.
        path: the store's file, for error messages.
        campaign_id: the campaign's row.
        campaign: its definition.
        lists: list name -> list row id.
    """

    def __init__(
        self,
        connection: Connection,
        path: str,
        campaign_id: int,
        campaign: Campaign,
        lists: Mapping[str, int],
    ) -> None:
        self._connection = connection
        self._path = path
        self._campaign_id = campaign_id
        self._campaign = campaign
        self._lists = lists
        self._fit = CampaignFit(campaign)
        self._dispositions: dict[Disposition, int] = {}
        # Feeds pass the same few disposition objects again and again: look
        # them up by identity before hashing all their fields.
        self._seen: dict[int, tuple[Disposition, int]] = {}
        self._zones: dict[str, int] = {}
        self._ingested: list[tuple[int, int]] = []
        self.added = 0
        self._numbering = connection.numbering()

    # --- look-ups --------------------------------------------------------------------

    def list_id(self, list_name: object) -> int:
        """The row of the campaign's list called ``list_name``.

        Raises:
            UnknownNameError: the campaign has no such list.
        """
        list_id = self._lists.get(list_name) if isinstance(list_name, str) else None
        if list_id is None:
            raise UnknownNameError(
                self._path, "list", list_name, not_a_list(self._campaign, list_name)
            )
        return list_id

    def _zone_id(self, text: str) -> int:
        zone_id = self._zones.get(text)
        if zone_id is None:
            connection = self._connection
            found = connection.execute("SELECT id FROM zones WHERE name = ?", (text,)).fetchone()
            if found is None:
                # Zones are every campaign's: writes beside this one add theirs
                # one at a time, so two never wait for each other's new names.
                connection.hold("names", 0)
                connection.execute("INSERT OR IGNORE INTO zones (name) VALUES (?)", (text,))
                found = connection.execute(
                    "SELECT id FROM zones WHERE name = ?", (text,)
                ).fetchone()
            (zone_id,) = found
            self._zones[text] = zone_id
        return zone_id

    def _disposition_id(self, disposition: Disposition) -> int:
        return self._seen[id(disposition)][1]

    # --- checks ----------------------------------------------------------------------

    def check_item(self, position: int, item: object) -> tuple[str, str, Attempt]:
        """Item ``position`` of a feed, a (list name, record id, attempt) triple, checked.

        The list must be the campaign's, the attempt's dispositions the
        campaign's (as it defines them) or system ones, its script values
        those of script fields. Nothing is formatted unless it is wrong: this
        runs once per attempt of the feed.

        Raises:
            CampaignMismatchError: not such a triple, or a script value of a
                field the script lacks.
            UnknownNameError: the list is not the campaign's.
            UnknownDispositionError: a disposition is neither the campaign's
                (as the campaign defines it) nor a system one.
        """
        if not isinstance(item, tuple) or len(item) != 3:
            raise CampaignMismatchError(
                f"attempts[{position}]", item, "must be a (list name, record id, Attempt) tuple"
            )
        list_name, _, attempt = item
        self.list_id(list_name)
        if not isinstance(attempt, Attempt):
            raise CampaignMismatchError(f"attempts[{position}][2]", attempt, "must be an Attempt")
        # The fit's own tests, written out for the attempts it cleared before:
        # anything else is checked by the fit, then interned.
        seen = self._seen
        script = attempt.script_values
        call, completion = attempt.call_disposition, attempt.record_disposition
        if (
            (script is not EMPTY_TEXT_MAP and not self._fit.script_names.issuperset(script))
            or (call is not None and seen.get(id(call), _UNSEEN)[0] is not call)
            or (completion is not None and seen.get(id(completion), _UNSEEN)[0] is not completion)
        ):
            self._fit.check_attempt(f"attempts[{position}][2]", attempt)
            self._intern_dispositions(attempt)
        return item

    def _intern_dispositions(self, attempt: Attempt) -> None:
        """Intern the dispositions of ``attempt``, which fits the campaign."""
        for disposition in (attempt.call_disposition, attempt.record_disposition):
            if disposition is not None:
                seen = self._seen.get(id(disposition))
                if seen is None or seen[0] is not disposition:
                    self._intern_disposition(disposition)

    def _intern_disposition(self, disposition: Disposition) -> None:
        known = self._dispositions.get(disposition)
        if known is not None:
            self._seen[id(disposition)] = (disposition, known)
            return
        connection = self._connection
        connection.execute(
            "INSERT OR IGNORE INTO dispositions (campaign, name) VALUES (?, ?)",
            (self._campaign_id, disposition.name),
        )
        (known,) = connection.execute(
            "SELECT id FROM dispositions WHERE campaign = ? AND name = ?",
            (self._campaign_id, disposition.name),
        ).fetchone()
        self._dispositions[disposition] = known
        self._seen[id(disposition)] = (disposition, known)

    def check_record(self, where: str, record: object) -> Record:
        """``record``, checked against the campaign (list, fields, attempts).

        Raises:
            CampaignMismatchError: not a :class:`Record`, or it does not fit
                the campaign (:class:`CampaignFit`).
            UnknownNameError: its list is not the campaign's.
            UnknownDispositionError: a disposition the campaign does not define.
        """
        if not isinstance(record, Record):
            raise CampaignMismatchError(where, record, "must be a Record")
        self.list_id(record.list_name)
        self._fit.check_record(record)
        for attempt in record.attempts:
            self._intern_dispositions(attempt)
        return record

    # --- writing -----------------------------------------------------------------------

    def _row(self, attempt: Attempt) -> tuple[Any, ...]:
        return attempt_row(attempt, self._zone_id, self._disposition_id)

    def _merge(
        self,
        stored: Sequence[PackedAttempt],
        completed: int | None,
        rows: Iterable[tuple[tuple[Any, ...], bool]],
    ) -> tuple[list[PackedAttempt], int | None, list[int]]:
        """A record's packed attempts with ``rows`` (row, completes it) merged in.

        Rows equal to one the record has (or to an earlier one of ``rows``)
        are skipped; each new one takes the next sequence number. Returns
        the attempts in the order records give them back (by instant, ties
        by sequence number), the sequence number of the first completing
        attempt, and the new numbers.
        """
        # Attempts packed before a field was added read its default, as new ones write it.
        merged = list(all_widened(stored))
        # A new row can only repeat an attempt of the same instant: the rows
        # themselves are compared (and hashed) only when instants meet.
        instants = {packed[1] for packed in merged}
        known: set[tuple[Any, ...]] | None = None
        new: list[int] = []
        for row, completes in rows:
            if row[0] in instants:
                if known is None:
                    known = {packed[1:] for packed in merged}
                if row in known:
                    continue
            instants.add(row[0])
            if known is not None:
                known.add(row)
            seq = self._numbering.take()
            merged.append((seq, *row))
            new.append(seq)
            if completed is None and completes:
                completed = seq
        if new:
            merged.sort(key=_BY_INSTANT)
            self.added += len(new)
        return merged, completed, new

    def flush_if_full(self) -> None:
        """Write the sequence numbers kept in memory once there are many of them."""
        if len(self._ingested) >= _FLUSH_AT:
            self.flush()

    def add_attempts(self, items: Sequence[tuple[str, str, Attempt]]) -> None:
        """Add checked attempts to stored records, skipping those they have already.

        The records are read with one query per list (and per 500 of them),
        each record's new attempts merged into its packed ones, and every
        record changed written back with one ``executemany``: a few
        statements per batch, none per attempt.
        """
        lists = self._lists  # the items were checked (check_item): their lists exist
        found = self._lookup({(lists[list_name], record_id) for list_name, record_id, _ in items})
        rows: dict[int, list[tuple[tuple[Any, ...], bool]]] = {}
        for list_name, record_id, attempt in items:
            hit = found.get((lists[list_name], record_id))
            if hit is None:
                raise self._unknown_record(list_name, record_id)
            row = (self._row(attempt), attempt.record_disposition is not None)
            rows.setdefault(hit[0], []).append(row)
        state = {row_id: (completed, packed) for row_id, completed, packed in found.values()}
        changed = []
        for row_id, given in rows.items():
            completed, packed = state[row_id]
            # A damaged value fails to unpack, or to merge as attempts.
            with reading("records", row_id):
                merged, completed, new = self._merge(unpack_attempts(packed), completed, given)
            if new:
                changed.append((*_packed(merged), completed, row_id))
                self._ingested += [(seq, row_id) for seq in new]
        self._connection.executemany(_UPDATE_ATTEMPTS, changed)
        self.flush()

    def _lookup(self, keys: set[tuple[int, str]]) -> dict[tuple[int, str], _Stored]:
        """The stored records (row id, completion, attempts) by (list id, record id)."""
        wanted: dict[int, list[str]] = {}
        for list_id, record_id in keys:
            if isinstance(record_id, str):
                wanted.setdefault(list_id, []).append(record_id)
        found: dict[tuple[int, str], _Stored] = {}
        for list_id, ids in wanted.items():
            for start in range(0, len(ids), _IN_CHUNK):
                chunk = ids[start : start + _IN_CHUNK]
                for record_id, row_id, completed, packed in self._connection.execute(
                    "SELECT record_id, id, completed_seq, attempts FROM records "  # noqa: S608
                    f"WHERE list = ? AND record_id IN ({', '.join('?' * len(chunk))})",
                    (list_id, *chunk),
                ):
                    found[list_id, record_id] = (row_id, completed, packed)
        return found

    def _unknown_record(self, list_name: str, record_id: object) -> UnknownNameError:
        return UnknownNameError(
            self._path,
            "record",
            record_id,
            f"is not a record of list {list_name!r} of campaign "
            f"{self._campaign.name!r} (add it with add_records first)",
        )

    def add_record(self, record: Record) -> None:
        """Load a checked record: insert it, or replace its fields and merge its attempts."""
        list_id = self._lists[record.list_name]
        rows = [(self._row(attempt), attempt.completed) for attempt in record.attempts]
        found = self._connection.execute(
            "SELECT id, completed_seq, attempts FROM records WHERE list = ? AND record_id = ?",
            (list_id, record.id),
        ).fetchone()
        if found is None:
            merged, completed, new = self._merge((), None, rows)
            row_id = self._connection.insert(
                "INSERT INTO records (list, record_id, data, summary, attempts, completed_seq) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (list_id, record.id, pack_fields(record.fields), *_packed(merged), completed),
            )
        else:
            row_id, completed, packed = found
            with reading("records", row_id):
                merged, completed, new = self._merge(unpack_attempts(packed), completed, rows)
            self._connection.execute(
                "UPDATE records SET data = ?, summary = ?, attempts = ?, completed_seq = ? "
                "WHERE id = ?",
                (pack_fields(record.fields), *_packed(merged), completed, row_id),
            )
        self._ingested += [(seq, row_id) for seq in new]

    def flush(self) -> None:
        """Write which records the new sequence numbers went to, and the number reached."""
        if self._ingested:
            self._connection.executemany(
                "INSERT INTO ingested (seq, record) VALUES (?, ?)", self._ingested
            )
            self._ingested.clear()
        self._numbering.save()

    def add_all(self, items: Iterable[Record]) -> None:
        """Check and load every record of ``items`` (no replace)."""
        for position, record in enumerate(items):
            self.add_record(self.check_record(f"records[{position}]", record))
            self.flush_if_full()


def _packed(attempts: Sequence[PackedAttempt]) -> tuple[bytes, bytes]:
    """A record's ``summary`` and ``attempts`` values, for ``attempts`` in their order."""
    return pack_summary(summarize(attempts) if attempts else EMPTY_SUMMARY), pack_attempts(attempts)
