"""Writing records and attempts into the store: validation, interning, duplicates, sequence."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from .._model.campaign import Attempt, Campaign, Record
from .._model.dispositions import Disposition
from .._options import ExportOptions
from .._report.plan import ReportPlan
from ..errors import (
    CampaignMismatchError,
    UnknownDispositionError,
    UnknownNameError,
)
from ._codec import ATTEMPT_COLUMNS, attempt_row, fields_text

__all__ = ["Ingest"]

_COLUMNS: Final = ", ".join(ATTEMPT_COLUMNS)
_INSERT_ATTEMPT: Final = (
    f"INSERT INTO attempts (seq, record, {_COLUMNS}) "  # noqa: S608 - constant column names
    f"VALUES ({', '.join('?' * (len(ATTEMPT_COLUMNS) + 2))})"
)
_SAME_INSTANT: Final = f"SELECT {_COLUMNS} FROM attempts WHERE record = ? AND t = ?"  # noqa: S608
#: Attempt rows kept in memory before they are written.
_FLUSH_AT: Final = 2000
#: Values bound in one ``IN (...)`` query.
_IN_CHUNK: Final = 500


class Ingest:
    """One write transaction's worth of results for one campaign.

    Every attempt written gets the next number of the store's ingest
    sequence; a record remembers the number of the attempt that first
    completed it. An attempt equal, row for row, to one the record already
    has (or was given earlier in the same call) is skipped.

    Args:
        connection: a connection inside a write transaction.
        path: the store's file, for error messages.
        campaign_id: the campaign's row.
        campaign: its definition.
        lists: list name -> list row id.
    """

    def __init__(
        self,
        connection: sqlite3.Connection,
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
        self._plan: ReportPlan | None = None
        self._script_names = frozenset(field.name for field in campaign.script_fields)
        self._dispositions: dict[Disposition, int] = {}
        # Feeds pass the same few disposition objects again and again: look
        # them up by identity before hashing all their fields.
        self._seen: dict[int, tuple[Disposition, int]] = {}
        self._zones: dict[str, int] = {}
        self._pending: list[tuple[Any, ...]] = []
        self._completions: list[tuple[int, int]] = []
        self._pending_keys: set[tuple[int, tuple[Any, ...]]] = set()
        self._records: dict[tuple[int, str], tuple[int, int | None]] = {}
        self.added = 0
        (self._seq,) = connection.execute(
            "SELECT value FROM counters WHERE name = 'ingest'"
        ).fetchone()

    # --- look-ups --------------------------------------------------------------------

    def list_id(self, list_name: object) -> int:
        """The row of the campaign's list called ``list_name``.

        Raises:
            UnknownNameError: the campaign has no such list.
        """
        list_id = self._lists.get(list_name) if isinstance(list_name, str) else None
        if list_id is None:
            raise UnknownNameError(
                self._path,
                "list",
                list_name,
                f"is not a list of campaign {self._campaign.name!r}",
            )
        return list_id

    def _zone_id(self, text: str) -> int:
        zone_id = self._zones.get(text)
        if zone_id is None:
            self._connection.execute("INSERT OR IGNORE INTO zones (name) VALUES (?)", (text,))
            (zone_id,) = self._connection.execute(
                "SELECT id FROM zones WHERE name = ?", (text,)
            ).fetchone()
            self._zones[text] = zone_id
        return zone_id

    def _disposition_id(self, disposition: Disposition) -> int:
        return self._seen[id(disposition)][1]

    # --- checks ----------------------------------------------------------------------

    def check_attempt(self, where: str, attempt: object) -> Attempt:
        """``attempt``, checked against the campaign; its dispositions interned.

        Raises:
            ValidationError: it is not an :class:`Attempt`.
            UnknownDispositionError: a disposition is neither the campaign's
                (as the campaign defines it) nor a system one.
            CampaignMismatchError: a script value of a field the script lacks.
        """
        if not isinstance(attempt, Attempt):
            raise CampaignMismatchError(where, attempt, "must be an Attempt")
        self._intern_dispositions(where, attempt)
        if attempt.script_values:
            for name in attempt.script_values:
                if name not in self._script_names:
                    raise CampaignMismatchError(
                        f"{where}.script_values",
                        name,
                        f"is not a script field of campaign {self._campaign.name!r}",
                    )
        return attempt

    def _intern_dispositions(self, where: str, attempt: Attempt) -> None:
        for disposition, key in (
            (attempt.call_disposition, "call_disposition"),
            (attempt.record_disposition, "record_disposition"),
        ):
            if disposition is not None:
                seen = self._seen.get(id(disposition))
                if seen is None or seen[0] is not disposition:
                    self._intern_disposition(f"{where}.{key}", disposition)

    def _intern_disposition(self, where: str, disposition: Disposition) -> None:
        known = self._dispositions.get(disposition)
        if known is not None:
            self._seen[id(disposition)] = (disposition, known)
            return
        if self._campaign.find_disposition(disposition.name) != disposition:
            raise UnknownDispositionError(
                where,
                disposition.name,
                f"is neither a disposition of campaign {self._campaign.name!r} "
                "(as the campaign defines it) nor a system one",
            )
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
            CampaignMismatchError: not a :class:`Record`, or a field that is
                not a column of its list.
            UnknownNameError: its list is not the campaign's.
        """
        if not isinstance(record, Record):
            raise CampaignMismatchError(where, record, "must be a Record")
        self.list_id(record.list_name)
        # The checks a report makes as the record streams, with the same messages.
        if self._plan is None:
            options = ExportOptions()
            self._plan = ReportPlan.build(self._campaign, options.selection, options.rendering)
        self._plan.admits(record)
        for position, attempt in enumerate(record.attempts):
            self._intern_dispositions(f"Record {record.id!r}.attempts[{position}]", attempt)
        return record

    # --- writing -----------------------------------------------------------------------

    def _row(self, attempt: Attempt) -> tuple[Any, ...]:
        return attempt_row(attempt, self._zone_id, self._disposition_id)

    def _is_new(self, record: int, row: tuple[Any, ...], stored: bool) -> bool:
        key = (record, row)
        if key in self._pending_keys:
            return False
        if stored and self._stored(record, row):
            return False
        self._pending_keys.add(key)
        return True

    def _append(self, record: int, row: tuple[Any, ...]) -> int:
        self._seq += 1
        self._pending.append((self._seq, record, *row))
        self.added += 1
        return int(self._seq)

    def flush_if_full(self) -> None:
        """Write the attempts kept in memory once there are many of them."""
        if len(self._pending) >= _FLUSH_AT:
            self.flush()

    def add_attempts(self, items: Sequence[tuple[str, str, Attempt]]) -> None:
        """Add checked attempts to stored records, skipping those they have already.

        The records are looked up, and the instants they already hold
        fetched, with one query per list and one per batch, not one per
        attempt; only an attempt at an instant its record already has is
        compared with the stored rows in full.
        """
        records = self._lookup(
            {(self.list_id(list_name), record_id) for list_name, record_id, _ in items}
        )
        targets = []
        for list_name, record_id, _ in items:
            found = records.get((self._lists[list_name], record_id))
            if found is None:
                raise self._unknown_record(list_name, record_id)
            targets.append(found[0])
        instants = self._instants(set(targets))
        for target, (list_name, record_id, attempt) in zip(targets, items, strict=True):
            row = self._row(attempt)
            key = (target, row)
            if key in self._pending_keys:
                continue
            if (target, row[0]) in instants and self._stored(target, row):
                continue
            self._pending_keys.add(key)
            seq = self._append(target, row)
            list_key = (self._lists[list_name], record_id)
            completed = self._records[list_key][1]
            if completed is None and attempt.record_disposition is not None:
                self._complete(target, seq)
                self._records[list_key] = (target, seq)
        self.flush()

    def _lookup(self, keys: set[tuple[int, str]]) -> dict[tuple[int, str], tuple[int, int | None]]:
        """Find the rows of stored records (list id, record id) not looked up yet."""
        missing: dict[int, list[str]] = {}
        for list_id, record_id in keys:
            if (list_id, record_id) not in self._records and isinstance(record_id, str):
                missing.setdefault(list_id, []).append(record_id)
        for list_id, ids in missing.items():
            for start in range(0, len(ids), _IN_CHUNK):
                chunk = ids[start : start + _IN_CHUNK]
                for record_id, row_id, completed in self._connection.execute(
                    "SELECT record_id, id, completed_seq FROM records "  # noqa: S608 - placeholders
                    f"WHERE list = ? AND record_id IN ({', '.join('?' * len(chunk))})",
                    (list_id, *chunk),
                ):
                    self._records[list_id, record_id] = (row_id, completed)
        return self._records

    def _instants(self, records: set[int]) -> set[tuple[int, int]]:
        """The (record, instant) pairs of the attempts ``records`` already have."""
        found: set[tuple[int, int]] = set()
        ids = list(records)
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            found.update(
                self._connection.execute(
                    "SELECT record, t FROM attempts "  # noqa: S608 - placeholders only
                    f"WHERE record IN ({', '.join('?' * len(chunk))})",
                    chunk,
                )
            )
        return found

    def _stored(self, record: int, row: tuple[Any, ...]) -> bool:
        return any(
            other == row for other in self._connection.execute(_SAME_INSTANT, (record, row[0]))
        )

    def _unknown_record(self, list_name: str, record_id: object) -> UnknownNameError:
        return UnknownNameError(
            self._path,
            "record",
            record_id,
            f"is not a record of list {list_name!r} of campaign "
            f"{self._campaign.name!r} (add it with add_records first)",
        )

    def _complete(self, record: int, seq: int) -> None:
        # Written with the attempts; in order, so the first completion wins.
        self._completions.append((seq, record))

    def add_record(self, record: Record) -> None:
        """Load a checked record: insert it, or replace its fields and merge its attempts."""
        list_id = self._lists[record.list_name]
        fields = fields_text(record.fields)
        found = self._connection.execute(
            "SELECT id, completed_seq FROM records WHERE list = ? AND record_id = ?",
            (list_id, record.id),
        ).fetchone()
        rows = [(self._row(attempt), attempt.completed) for attempt in record.attempts]
        if found is None:
            self._add_new_record(list_id, record.id, fields, rows)
            return
        row_id, completed = found
        self._connection.execute("UPDATE records SET fields = ? WHERE id = ?", (fields, row_id))
        for row, completes in rows:
            if self._is_new(row_id, row, stored=True):
                seq = self._append(row_id, row)
                if completed is None and completes:
                    completed = seq
                    self._complete(row_id, seq)
        self._records.pop((list_id, record.id), None)

    def _add_new_record(
        self,
        list_id: int,
        record_id: str,
        fields: str,
        rows: list[tuple[tuple[Any, ...], bool]],
    ) -> None:
        unique: dict[tuple[Any, ...], bool] = {}
        for row, completes in rows:
            unique.setdefault(row, completes)
        first = self._seq + 1
        completed = next(
            (first + index for index, completes in enumerate(unique.values()) if completes), None
        )
        cursor = self._connection.execute(
            "INSERT INTO records (list, record_id, fields, completed_seq) VALUES (?, ?, ?, ?)",
            (list_id, record_id, fields, completed),
        )
        row_id: int = cursor.lastrowid  # type: ignore[assignment]
        for row in unique:
            self._pending_keys.add((row_id, row))
            self._append(row_id, row)

    def flush(self) -> None:
        """Write the attempts kept in memory, and the sequence they reached."""
        if self._completions:
            self._connection.executemany(
                "UPDATE records SET completed_seq = ? WHERE id = ? AND completed_seq IS NULL",
                self._completions,
            )
            self._completions.clear()
        if self._pending:
            self._connection.executemany(_INSERT_ATTEMPT, self._pending)
            self._pending.clear()
            self._pending_keys.clear()
        self._connection.execute(
            "UPDATE counters SET value = ? WHERE name = 'ingest'", (self._seq,)
        )

    def add_all(self, items: Iterable[Record]) -> None:
        """Check and load every record of ``items`` (no replace)."""
        for position, record in enumerate(items):
            self.add_record(self.check_record(f"records[{position}]", record))
            self.flush_if_full()
