"""Counts and rates over report rows: what an analyst asks of a report first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from .._types import ReportFormat
from ..errors import CampaignMismatchError
from .kinds import kind_of_row
from .rows import DetailedRow, SimpleRow
from .tally import Tally, rate

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
        return rate(self.completed_records, self.records)

    @property
    def contact_rate(self) -> float | None:
        """Share of dialled attempts answered by a person; None without any.

        An attempt counts as answered when its CPA result is *Voice* or its
        answered duration is above 0. A simple report only holds each
        record's last attempt: there the rate is over the records with at least
        one dialled attempt, answered when ``Last Call Duration`` is above 0.
        """
        return rate(self.answered, self.contact_attempts)

    @property
    def attempts_per_record(self) -> float | None:
        """Dialled attempts / records; None without records."""
        return rate(self.attempts, self.records)

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
    tally: Tally | None = None
    kind = None
    for row in rows:
        if tally is None:
            kind = kind_of_row(row)
            tally = kind.tally()
        elif type(row) is not kind.row_class:  # type: ignore[union-attr]
            raise CampaignMismatchError("rows[]", row, "mixes the rows of two reports")
        tally.add(row)
    report_format = getattr(rows, "format", None)
    if not isinstance(report_format, ReportFormat):
        report_format = kind.format if kind is not None else None
    if tally is None:
        return Summary(report_format, 0, 0, 0, 0, 0, 0, {}, {}, {})
    return Summary(
        format=report_format,
        rows=tally.rows,
        records=tally.records(),
        completed_records=tally.completed(),
        attempts=tally.attempts,
        answered=tally.answered,
        contact_attempts=tally.contact_attempts,
        call_dispositions=dict(tally.calls.most_common()),
        record_dispositions=dict(tally.record_dispositions().most_common()),
        agents={
            login: AgentFigures(*figures)
            for login, figures in sorted(tally.agents.items(), key=lambda item: -item[1][0])
        },
    )
