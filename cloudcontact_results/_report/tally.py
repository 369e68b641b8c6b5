"""Per-report tallies behind :func:`summary`: one pass over rows, memory per distinct record."""

from __future__ import annotations

from collections import Counter
from typing import Any, Protocol

import attrs

from .._model.cpa import CPAResult
from .rows import DetailedRow, SimpleRow

__all__ = ["DetailedTally", "SimpleTally", "Tally", "is_answered", "rate"]


def is_answered(cpa_result: CPAResult | None, answered_duration: int) -> bool:
    """Was a dialled attempt answered by a person: CPA result *Voice*, or a conversation.

    The one rule of a connect, shared by :func:`summary` and the analytics:
    the CPA result may disagree with the call disposition (SPEC section 3), so
    an answered duration above 0 counts even when CPA said otherwise.
    """
    return cpa_result is CPAResult.VOICE or answered_duration > 0


def rate(part: int, whole: int) -> float | None:
    """``part / whole``; None when ``whole`` is 0 (a rate of nothing is unknown, not 0)."""
    return part / whole if whole else None


class Tally(Protocol):
    """Counts of one report's rows; :func:`summary` reads its attributes."""

    rows: int
    attempts: int
    answered: int
    contact_attempts: int
    calls: Counter[str | None]
    agents: dict[str, list[int]]

    def add(self, row: Any) -> None: ...

    def records(self) -> int: ...

    def completed(self) -> int: ...

    def record_dispositions(self) -> Counter[str | None]: ...


@attrs.define
class _Counts:
    rows: int = 0
    attempts: int = 0
    answered: int = 0
    contact_attempts: int = 0
    calls: Counter[str | None] = attrs.Factory(Counter)
    agents: dict[str, list[int]] = attrs.Factory(dict)

    def agent(self, login: str, talk: int, *, completed: bool) -> None:
        if not login:
            return
        figures = self.agents.setdefault(login, [0, 0, 0])
        figures[0] += 1
        figures[1] += talk
        figures[2] += completed


@attrs.define
class SimpleTally(_Counts):
    """A simple report: one row per record, judged by its last attempt."""

    _completed: int = 0
    _record_dispositions: Counter[str | None] = attrs.Factory(Counter)

    def add(self, row: SimpleRow) -> None:
        self.rows += 1
        self._completed += row.completed
        self.attempts += row.total_attempts
        self.calls[row.last_call_disposition] += 1
        self._record_dispositions[row.record_disposition] += 1
        duration = row.last_call_duration or 0
        if row.total_attempts and row.last_call_time is not None:
            self.contact_attempts += 1
            self.answered += duration > 0
        self.agent(row.last_agent, duration, completed=row.completed)

    def records(self) -> int:
        return self.rows

    def completed(self) -> int:
        return self._completed

    def record_dispositions(self) -> Counter[str | None]:
        return self._record_dispositions


@attrs.define
class DetailedTally(_Counts):
    """A detailed report: one row per attempt, records told apart by list and Record ID."""

    _records: dict[tuple[str, str], str | None] = attrs.Factory(dict)

    def add(self, row: DetailedRow) -> None:
        self.rows += 1
        key = (row.list_name, row.record_id)
        if row.completed or key not in self._records:
            # The completing attempt names the record's disposition.
            self._records[key] = row.record_disposition if row.completed else None
        if row.is_call_attempt:
            self.attempts += 1
            self.contact_attempts += 1
            self.answered += is_answered(row.cpa_result, row.answered_duration)
        self.calls[row.call_disposition] += 1
        self.agent(row.agent, row.answered_duration, completed=row.completed)

    def records(self) -> int:
        return len(self._records)

    def completed(self) -> int:
        return sum(1 for name in self._records.values() if name is not None)

    def record_dispositions(self) -> Counter[str | None]:
        return Counter(self._records.values())
