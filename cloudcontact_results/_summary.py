"""Counts and rates over report rows: what an analyst asks of a report first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import attrs

from ._cpa import CPAResult
from ._options import ReportFormat
from ._rows import DetailedRow, SimpleRow

__all__ = ["AgentFigures", "Summary", "summary"]


@attrs.frozen
class AgentFigures:
    """What one agent did, as far as the report shows it.

    Attributes:
        attempts: attempts the agent handled (simple report: last attempts).
        talk_seconds: their answered duration, in seconds.
        completions: those that completed the record.
    """

    attempts: int = 0
    talk_seconds: int = 0
    completions: int = 0


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@attrs.frozen
class Summary:
    """Counts and rates of a report; build it with :func:`summary` or ``Report.summary()``.

    Attributes:
        format: the report's format (None when there were no rows to tell).
        rows: data rows read.
        records: distinct records (simple: one per row; detailed: by list and Record ID).
        completed_records: records given a final disposition.
        attempts: dialled attempts (``Total attempts`` summed, or detailed rows
            with ``Is Call Attempt`` 1).
        answered: attempts answered by a person, out of ``contact_attempts``.
        contact_attempts: the attempts ``contact_rate`` is over: dialled
            attempts (simple report: records with at least one dialled attempt,
            judged by their last attempt).
        call_dispositions: detailed: rows per Call Disposition; simple: records
            per Last Call Disposition. None counts the rows without one.
        record_dispositions: records per Record Disposition (None: not completed).
        agents: :class:`AgentFigures` per agent login.
    """

    format: ReportFormat | None
    rows: int
    records: int
    completed_records: int
    attempts: int
    answered: int
    contact_attempts: int
    call_dispositions: Mapping[str | None, int]
    record_dispositions: Mapping[str | None, int]
    agents: Mapping[str, AgentFigures]

    @property
    def completion_rate(self) -> float | None:
        """Completed records / records; None without records."""
        return _rate(self.completed_records, self.records)

    @property
    def contact_rate(self) -> float | None:
        """Share of dialled attempts answered by a person; None without any.

        An attempt counts as answered when its CPA result is *Voice* or its
        answered duration is above 0. A simple report only holds each
        record's last attempt: there the rate is over the records with at least
        one dialled attempt, answered when ``Last Call Duration`` is above 0.
        """
        return _rate(self.answered, self.contact_attempts)

    @property
    def attempts_per_record(self) -> float | None:
        """Dialled attempts / records; None without records."""
        return _rate(self.attempts, self.records)

    def __str__(self) -> str:
        def percent(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.1%}"

        def per_record(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.2f}"

        kind = self.format.value if self.format is not None else "empty"
        per = per_record(self.attempts_per_record)
        lines = [
            f"{kind} report: {self.rows} rows, {self.records} records",
            f"completed: {self.completed_records} ({percent(self.completion_rate)})",
            f"dialled attempts: {self.attempts} ({per} per record)",
            f"contact rate: {percent(self.contact_rate)}",
        ]
        lines += _counts("call dispositions", self.call_dispositions)
        lines += _counts("record dispositions", self.record_dispositions)
        if self.agents:
            lines.append("agents:")
            lines += [
                f"  {agent}: {figures.attempts} attempts, {figures.talk_seconds} s talk, "
                f"{figures.completions} completions"
                for agent, figures in self.agents.items()
            ]
        return "\n".join(lines)


def _counts(title: str, counts: Mapping[str | None, int]) -> list[str]:
    if not counts:
        return []
    return [f"{title}:"] + [
        f"  {'(none)' if name is None else name}: {count}" for name, count in counts.items()
    ]


@attrs.define
class _Tally:
    rows: int = 0
    completed: int = 0
    attempts: int = 0
    answered: int = 0
    contact_attempts: int = 0
    format: ReportFormat | None = None
    calls: Counter[str | None] = attrs.Factory(Counter)
    records: dict[tuple[str, str], str | None] = attrs.Factory(dict)
    record_dispositions: Counter[str | None] = attrs.Factory(Counter)
    agents: dict[str, list[int]] = attrs.Factory(dict)

    def agent(self, login: str, talk: int, *, completed: bool) -> None:
        if not login:
            return
        figures = self.agents.setdefault(login, [0, 0, 0])
        figures[0] += 1
        figures[1] += talk
        figures[2] += completed

    def simple(self, row: SimpleRow) -> None:
        self.completed += row.completed
        self.attempts += row.total_attempts
        self.calls[row.last_call_disposition] += 1
        self.record_dispositions[row.record_disposition] += 1
        duration = row.last_call_duration or 0
        if row.total_attempts and row.last_call_time is not None:
            self.contact_attempts += 1
            self.answered += duration > 0
        self.agent(row.last_agent, duration, completed=row.completed)

    def detailed(self, row: DetailedRow) -> None:
        key = (row.list_name, row.record_id)
        if row.completed or key not in self.records:
            # The completing attempt names the record's disposition.
            self.records[key] = row.record_disposition if row.completed else None
        if row.is_call_attempt:
            self.attempts += 1
            self.contact_attempts += 1
            self.answered += row.cpa_result is CPAResult.VOICE or row.answered_duration > 0
        self.calls[row.call_disposition] += 1
        self.agent(row.agent, row.answered_duration, completed=row.completed)


def summary(rows: Iterable[SimpleRow | DetailedRow]) -> Summary:
    """Counts and rates of ``rows``: a :class:`Report`, or rows from the report functions.

    No pandas needed; one pass over the rows, memory per distinct record.

    >>> import cloudcontact_results as ccr
    >>> print(ccr.summary([]))
    empty report: 0 rows, 0 records
    completed: 0 (n/a)
    dialled attempts: 0 (n/a per record)
    contact rate: n/a
    """
    tally = _Tally()
    for row in rows:
        tally.rows += 1
        if isinstance(row, SimpleRow):
            tally.format = ReportFormat.SIMPLE
            tally.simple(row)
        else:
            tally.format = ReportFormat.DETAILED
            tally.detailed(row)
    if tally.format is ReportFormat.DETAILED:
        records = len(tally.records)
        completed = sum(1 for name in tally.records.values() if name is not None)
        record_dispositions = Counter(tally.records.values())
    else:
        records, completed = tally.rows, tally.completed
        record_dispositions = tally.record_dispositions
    report_format = getattr(rows, "format", tally.format)
    return Summary(
        format=report_format if isinstance(report_format, ReportFormat) else tally.format,
        rows=tally.rows,
        records=records,
        completed_records=completed,
        attempts=tally.attempts,
        answered=tally.answered,
        contact_attempts=tally.contact_attempts,
        call_dispositions=dict(tally.calls.most_common()),
        record_dispositions=dict(record_dispositions.most_common()),
        agents={
            login: AgentFigures(*figures)
            for login, figures in sorted(tally.agents.items(), key=lambda item: -item[1][0])
        },
    )
