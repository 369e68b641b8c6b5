"""Writing records and attempts into the store: validation, interning, duplicates, sequence."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any, Final

from cloudcontact_results._dispositions import Disposition
from cloudcontact_results._model import Attempt, Campaign, Record
from cloudcontact_results.errors import (
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
        self._columns = {cl.name: frozenset(cl.columns) for cl in campaign.lists}
        self._script_names = frozenset(field.name for field in campaign.script_fields)
        self._dispositions: dict[Disposition, int] = {}
        self._zones: dict[str, int] = {}
        self._pending: list[tuple[Any, ...]] = []
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

    def record(self, list_name: str, record_id: object) -> tuple[int, int | None]:
        """The row and completion sequence of a record already stored.

        Raises:
            UnknownNameError: the list or the record is not in the store.
        """
        list_id = self.list_id(list_name)
        key = (list_id, record_id)
        found = self._records.get(key) if isinstance(record_id, str) else None  # type: ignore[arg-type]
        if found is None:
            row = (
                self._connection.execute(
                    "SELECT id, completed_seq FROM records WHERE list = ? AND record_id = ?",
                    key,
                ).fetchone()
                if isinstance(record_id, str)
                else None
            )
            if row is None:
                raise UnknownNameError(
                    self._path,
                    "record",
                    record_id,
                    f"is not a record of list {list_name!r} of campaign "
                    f"{self._campaign.name!r} (add it with add_records first)",
                )
            found = self._records[key] = (row[0], row[1])  # type: ignore[index]
        return found

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
        return self._dispositions[disposition]

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
        for key in ("call_disposition", "record_disposition"):
            disposition: Disposition | None = getattr(attempt, key)
            if disposition is not None and disposition not in self._dispositions:
                self._intern_disposition(f"{where}.{key}", disposition)
        if attempt.script_values:
            for name in attempt.script_values:
                if name not in self._script_names:
                    raise CampaignMismatchError(
                        f"{where}.script_values",
                        name,
                        f"is not a script field of campaign {self._campaign.name!r}",
                    )
        return attempt

    def _intern_disposition(self, where: str, disposition: Disposition) -> None:
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
        (self._dispositions[disposition],) = connection.execute(
            "SELECT id FROM dispositions WHERE campaign = ? AND name = ?",
            (self._campaign_id, disposition.name),
        ).fetchone()

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
        columns = self._columns[record.list_name]
        for column in record.fields:
            if column not in columns:
                raise CampaignMismatchError(
                    f"Record {record.id!r}.fields",
                    column,
                    f"is not a column of list {record.list_name!r}",
                )
        for position, attempt in enumerate(record.attempts):
            self.check_attempt(f"Record {record.id!r}.attempts[{position}]", attempt)
        return record

    # --- writing -----------------------------------------------------------------------

    def _row(self, attempt: Attempt) -> tuple[Any, ...]:
        return attempt_row(attempt, self._zone_id, self._disposition_id)

    def _is_new(self, record: int, row: tuple[Any, ...], stored: bool) -> bool:
        key = (record, row)
        if key in self._pending_keys:
            return False
        if stored:
            for other in self._connection.execute(_SAME_INSTANT, (record, row[0])):
                if other == row:
                    return False
        self._pending_keys.add(key)
        return True

    def _append(self, record: int, row: tuple[Any, ...]) -> int:
        self._seq += 1
        self._pending.append((self._seq, record, *row))
        self.added += 1
        if len(self._pending) >= _FLUSH_AT:
            self.flush()
        return int(self._seq)

    def add_attempt(self, list_name: str, record_id: str, attempt: Attempt) -> None:
        """Add a checked attempt to a stored record, unless it has it already."""
        record, completed = self.record(list_name, record_id)
        row = self._row(attempt)
        if not self._is_new(record, row, stored=True):
            return
        seq = self._append(record, row)
        if completed is None and attempt.record_disposition is not None:
            self._complete(record, seq)
            self._records[self.list_id(list_name), record_id] = (record, seq)

    def _complete(self, record: int, seq: int) -> None:
        self._connection.execute(
            "UPDATE records SET completed_seq = ? WHERE id = ? AND completed_seq IS NULL",
            (seq, record),
        )

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
