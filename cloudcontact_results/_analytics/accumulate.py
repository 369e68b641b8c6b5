"""One pass over report rows that keeps, per group, what every analytics table needs.

Memory grows with the groups (hours x call dispositions, CPA results x
dispositions, agents, lists, SIP codes, quota groups), never with the rows:
a detailed report gives the attempts of one record together (SPEC section 5,
"Order"), so only the record being read is kept. The tables are made from
the counts at the end.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Final

import attrs

from .._model.cpa import CPAResult
from .._model.dispositions import system_disposition
from .._model.notes import SystemNote
from .._model.sip import sip_reason_phrase
from .._report.rows import DetailedRow, QuotaGroup, SimpleRow
from .._report.tally import is_answered, rate
from ..errors import AnalyticsInputError, CampaignMismatchError
from .tables import (
    AgentDispositionRow,
    AgentDispositions,
    AgentRow,
    Agents,
    Analytics,
    AttemptsToClose,
    AttemptsToCloseRow,
    CampaignInTime,
    CampaignInTimeRow,
    ContactRateByHour,
    ContactRateRow,
    CPAByDisposition,
    CPAByDispositionRow,
    DispositionsInTime,
    DispositionsInTimeRow,
    ListProgress,
    ListProgressRow,
    Period,
    QuotaGroupRow,
    QuotaGroups,
    SIPFailureRow,
    SIPFailures,
    TelemarketingCompliance,
    TelemarketingComplianceRow,
)

__all__ = ["Accumulator"]

_NO_AGENT: Final = system_disposition("No agent")
_ABANDONED: Final = system_disposition("Abandoned")
#: Both names of each unattended status: rows name system statuses in English,
#: but a row built by hand may use the Russian name.
_NO_AGENT_NAMES: Final = frozenset({_NO_AGENT.name, _NO_AGENT.name_ru})
_ABANDONED_NAMES: Final = frozenset({_ABANDONED.name, _ABANDONED.name_ru})

#: The local year, month, day and hour, the UTC offset, the call disposition, and
#: whether the attempt was dialled, a connect, a completion: the key of the
#: timeline, which every table in time is made of.
_Moment = tuple[int, int, int, int, dt.timedelta | None, str | None, bool, bool, bool]
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_NO_OFFSET: Final = dt.timedelta(0)
#: The local year, month, day and hour, and the UTC offset, of an hour of the timeline.
_Hour = tuple[int, int, int, int, dt.timedelta | None]


@attrs.define
class _Record:
    """The record being read: what its list's progress and its closing need."""

    list_name: str
    dialled: int = 0
    completed: bool = False
    #: Dialled attempts up to and including its latest completing attempt.
    closed_after: int = 0
    completed_at: dt.timedelta | None = None
    last_at: dt.timedelta | None = None
    #: The quota group of its latest attempt (None: not stopped by a quota).
    last_quota: QuotaGroup = None


@attrs.define
class _ListCounts:
    records: int = 0
    attempted: int = 0
    completed: int = 0
    out_of_quota: int = 0


@attrs.define
class Accumulator:
    """The counts of every analytics table, fed one row at a time.

    Args:
        zone: the zone hours and days are counted in.
        needs_attempts: the tables asked for need a detailed report (one row
            per attempt); a simple row then raises, naming ``table``.
        table: what the caller asked for, as the error names it.
    """

    zone: zoneinfo.ZoneInfo
    needs_attempts: bool = True
    table: str = "analytics.tables()"
    _kind: type | None = None
    _timeline: Counter[_Moment] = attrs.Factory(Counter)
    _cpa: Counter[tuple[CPAResult | None, str | None]] = attrs.Factory(Counter)
    _sip: Counter[int] = attrs.Factory(Counter)
    _quota_attempts: Counter[QuotaGroup] = attrs.Factory(Counter)
    _quota_records: Counter[QuotaGroup] = attrs.Factory(Counter)
    _agents: dict[str, list[int]] = attrs.Factory(dict)
    _agent_dispositions: Counter[tuple[str, str]] = attrs.Factory(Counter)
    _lists: dict[str, _ListCounts] = attrs.Factory(dict)
    _closes: Counter[tuple[str, int]] = attrs.Factory(Counter)
    _key: tuple[str, str] | None = None
    _record: _Record | None = None

    # --- feeding ------------------------------------------------------------------------

    def add_rows(self, rows: Iterable[SimpleRow | DetailedRow]) -> None:
        """Count ``rows``: all of one report, simple or detailed."""
        iterator = iter(rows)
        for first in iterator:
            add = self._adder_for(first)
            add(first)
            for row in iterator:
                if type(row) is not self._kind:
                    raise CampaignMismatchError("rows[]", row, "mixes the rows of two reports")
                add(row)
            break

    def _adder_for(self, row: object) -> Callable[[object], None]:
        kind = type(row)
        if self._kind is not None and kind is not self._kind:
            raise CampaignMismatchError("rows[]", row, "mixes the rows of two reports")
        if kind is DetailedRow:
            self._kind = kind
            return self._add_detailed  # type: ignore[return-value]
        if kind is SimpleRow:
            self.take_simple()
            self._kind = kind
            return self._add_simple  # type: ignore[return-value]
        raise CampaignMismatchError("rows[]", row, "must be a SimpleRow or a DetailedRow")

    def take_simple(self) -> None:
        """Accept a simple report, or raise if the tables asked for need attempts."""
        if self.needs_attempts:
            raise AnalyticsInputError(
                self.table,
                "simple report",
                "needs a detailed report (one row per attempt): export it with "
                "format='detailed'; a simple report gives only list_progress()",
            )

    def add_unprocessed(self, list_name: str) -> None:
        """Count a record of ``list_name`` that has no attempt (no detailed row shows it)."""
        self._list(list_name).records += 1

    def _list(self, name: str) -> _ListCounts:
        counts = self._lists.get(name)
        if counts is None:
            counts = self._lists[name] = _ListCounts()
        return counts

    def _add_simple(self, row: SimpleRow) -> None:
        counts = self._list(row.list_name)
        counts.records += 1
        counts.attempted += row.total_attempts > 0
        counts.completed += row.completed
        counts.out_of_quota += row.out_of_quota

    def _add_detailed(self, row: DetailedRow) -> None:
        moment = row.call_time
        local = moment.astimezone(self.zone)
        # An aware difference counts offsets and folds: it orders instants exactly.
        instant = moment - _EPOCH
        dialled = row.is_call_attempt
        connect = dialled and is_answered(row.cpa_result, row.answered_duration)
        completed = row.completed
        disposition = row.call_disposition
        self._timeline[
            local.year,
            local.month,
            local.day,
            local.hour,
            local.utcoffset(),
            disposition,
            dialled,
            connect,
            completed,
        ] += 1
        if dialled:
            self._cpa[row.cpa_result, disposition] += 1
        note = row.call_note
        if type(note) is SystemNote and note.sip_code is not None:
            self._sip[note.sip_code] += 1
        if row.out_of_quota:
            self._quota_attempts[row.quota_group] += 1
        agent = row.agent
        if agent:
            figures = self._agents.get(agent)
            if figures is None:
                figures = self._agents[agent] = [0, 0, 0]
            figures[0] += 1
            figures[1] += row.answered_duration
            if completed:
                figures[2] += 1
                self._agent_dispositions[agent, row.record_disposition or ""] += 1

        key = (row.list_name, row.record_id)
        record = self._record
        if key != self._key or record is None:
            self._close_record()
            self._key = key
            record = self._record = _Record(row.list_name)
        record.dialled += dialled
        if completed and (record.completed_at is None or instant >= record.completed_at):
            record.completed = True
            record.completed_at = instant
            record.closed_after = record.dialled
        if record.last_at is None or instant >= record.last_at:
            record.last_at = instant
            record.last_quota = row.quota_group if row.out_of_quota else None

    def _close_record(self) -> None:
        record = self._record
        if record is None:
            return
        counts = self._list(record.list_name)
        counts.records += 1
        counts.attempted += record.dialled > 0
        if record.completed:
            counts.completed += 1
            self._closes[record.list_name, record.closed_after] += 1
        if record.last_quota is not None:
            counts.out_of_quota += 1
            self._quota_records[record.last_quota] += 1
        self._record = None
        self._key = None

    # --- the tables -----------------------------------------------------------------------

    def list_progress(self) -> ListProgress:
        self._close_record()
        rows = tuple(
            ListProgressRow(
                list_name=name,
                records=counts.records,
                never_attempted=counts.records - counts.attempted,
                attempted=counts.attempted,
                completed=counts.completed,
                remaining=counts.records - counts.completed,
                out_of_quota=counts.out_of_quota,
            )
            for name, counts in sorted(self._lists.items())
        )
        return ListProgress(rows, self.zone.key)

    def _periods(self, period: Period) -> dict[_Hour, dt.datetime]:
        """The start of the period of each hour of the timeline, in UTC (instants sort)."""
        starts = {}
        for year, month, day, hour, offset, *_ in self._timeline:
            key = (year, month, day, hour, offset)
            if key in starts:
                continue
            if period == "day":
                start = dt.datetime(year, month, day, tzinfo=self.zone)
            else:
                # The hour's wall-clock start under the offset its attempts had:
                # an hour a DST fall-back repeats is two periods.
                start = dt.datetime(year, month, day, hour, tzinfo=dt.UTC) - (offset or _NO_OFFSET)
            starts[key] = start.astimezone(dt.UTC)
        return starts

    def campaign_in_time(self, period: Period) -> CampaignInTime:
        starts = self._periods(period)
        totals: dict[dt.datetime, list[int]] = {}
        for moment, count in self._timeline.items():
            dialled, connect, completed = moment[6:]
            figures = totals.setdefault(starts[moment[:5]], [0, 0, 0])
            figures[0] += count if dialled else 0
            figures[1] += count if connect else 0
            figures[2] += count if completed else 0
        rows = tuple(
            CampaignInTimeRow(start.astimezone(self.zone), a, c, done, rate(c, a))
            for start, (a, c, done) in sorted(totals.items())
        )
        return CampaignInTime(rows, self.zone.key, period)

    def dispositions_in_time(self, period: Period) -> DispositionsInTime:
        starts = self._periods(period)
        totals: Counter[tuple[dt.datetime, str | None]] = Counter()
        for moment, count in self._timeline.items():
            totals[starts[moment[:5]], moment[5]] += count
        rows = tuple(
            DispositionsInTimeRow(start.astimezone(self.zone), name, count)
            for (start, name), count in sorted(
                totals.items(), key=lambda item: (item[0][0], _text_order(item[0][1]))
            )
        )
        return DispositionsInTime(rows, self.zone.key, period)

    def telemarketing_compliance(self) -> TelemarketingCompliance:
        starts = self._periods("day")
        totals: dict[dt.datetime, list[int]] = {}
        for moment, count in self._timeline.items():
            name, dialled, connect = moment[5:8]
            figures = totals.setdefault(starts[moment[:5]], [0, 0, 0])
            if not dialled:
                continue
            no_agent = name in _NO_AGENT_NAMES
            abandoned = name in _ABANDONED_NAMES
            figures[0] += count if connect or no_agent or abandoned else 0
            figures[1] += count if no_agent else 0
            figures[2] += count if abandoned else 0
        rows = tuple(
            TelemarketingComplianceRow(
                start.astimezone(self.zone), answered, no_agent, abandoned,
                no_agent + abandoned, rate(no_agent + abandoned, answered),
            )
            for start, (answered, no_agent, abandoned) in sorted(totals.items())
        )  # fmt: skip
        return TelemarketingCompliance(rows, self.zone.key)

    def contact_rate_by_hour(self) -> ContactRateByHour:
        grid = {(weekday, hour): [0, 0] for weekday in range(1, 8) for hour in range(24)}
        for (year, month, day, hour, _o, _n, dialled, connect, _c), count in self._timeline.items():
            if dialled:
                cell = grid[dt.date(year, month, day).isoweekday(), hour]
                cell[0] += count
                cell[1] += count if connect else 0
        rows = tuple(
            ContactRateRow(weekday, hour, attempts, connects, rate(connects, attempts))
            for (weekday, hour), (attempts, connects) in grid.items()
        )
        return ContactRateByHour(rows, self.zone.key)

    def attempts_to_close(self) -> AttemptsToClose:
        self._close_record()
        completed = {name: counts.completed for name, counts in self._lists.items()}
        rows = tuple(
            AttemptsToCloseRow(name, attempts, count, rate(count, completed[name]))
            for (name, attempts), count in sorted(self._closes.items())
        )
        return AttemptsToClose(rows, self.zone.key)

    def cpa_by_disposition(self) -> CPAByDisposition:
        rows = tuple(
            CPAByDispositionRow(cpa, name, count)
            for (cpa, name), count in sorted(
                self._cpa.items(),
                key=lambda item: (
                    item[0][0] is None,
                    item[0][0] or 0,
                    _text_order(item[0][1]),
                ),
            )
        )
        return CPAByDisposition(rows, self.zone.key)

    def sip_failures(self) -> SIPFailures:
        total = sum(self._sip.values())
        rows = tuple(
            SIPFailureRow(code, sip_reason_phrase(code), count, rate(count, total))
            for code, count in sorted(self._sip.items(), key=lambda item: (-item[1], item[0]))
        )
        return SIPFailures(rows, self.zone.key)

    def quota_groups(self) -> QuotaGroups:
        self._close_record()
        groups = set(self._quota_attempts) | set(self._quota_records)
        rows = tuple(
            QuotaGroupRow(group, self._quota_attempts[group], self._quota_records[group])
            for group in sorted(groups, key=lambda group: (not isinstance(group, str), str(group)))
        )
        return QuotaGroups(rows, self.zone.key)

    def agents(self) -> Agents:
        rows = tuple(
            AgentRow(agent, calls, talk, done, rate(done, calls))
            for agent, (calls, talk, done) in sorted(
                self._agents.items(), key=lambda item: (-item[1][0], item[0])
            )
        )
        return Agents(rows, self.zone.key)

    def agent_dispositions(self) -> AgentDispositions:
        rows = tuple(
            AgentDispositionRow(agent, name, count, rate(count, self._agents[agent][0]))
            for (agent, name), count in sorted(self._agent_dispositions.items())
        )
        return AgentDispositions(rows, self.zone.key)

    def analytics(self, period: Period) -> Analytics:
        """Every table."""
        return Analytics(
            list_progress=self.list_progress(),
            campaign_in_time=self.campaign_in_time(period),
            dispositions_in_time=self.dispositions_in_time(period),
            telemarketing_compliance=self.telemarketing_compliance(),
            contact_rate_by_hour=self.contact_rate_by_hour(),
            attempts_to_close=self.attempts_to_close(),
            cpa_by_disposition=self.cpa_by_disposition(),
            sip_failures=self.sip_failures(),
            quota_groups=self.quota_groups(),
            agents=self.agents(),
            agent_dispositions=self.agent_dispositions(),
        )


def _text_order(name: str | None) -> tuple[bool, str]:
    """Missing text first, then by text."""
    return (name is not None, name or "")
