"""Campaign analytics as exact, typed tables: what supervisors look at.

Every function takes the results one of four ways and reads them once,
streaming (memory grows with the groups of the tables, never with the rows):

- a :class:`~cloudcontact_results.Report` (its zone is the default ``timezone``);
- typed rows (:class:`~cloudcontact_results.DetailedRow`, or
  :class:`~cloudcontact_results.SimpleRow` for :func:`list_progress`);
- a :class:`~cloudcontact_results.Campaign` and its records;
- a :class:`~cloudcontact_results.store.ResultsStore` and a campaign's name
  (one consistent snapshot).

:func:`tables` makes every table in one pass; each other function makes
one. Hours and days are counted in ``timezone`` (default: the report's zone,
else ``Europe/Moscow``, as for exports). See ``docs/analytics.md``.

>>> import cloudcontact_results as ccr
>>> from cloudcontact_results import analytics
>>> campaign, records = ccr.demo_campaign(50)
>>> progress = analytics.list_progress(campaign, records)
>>> progress.title("ru"), progress.labels()[:3]
('Прогресс по спискам', ('List', 'Records', 'Never attempted'))
>>> sum(row.records for row in progress)
50
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from ._analytics.accumulate import Accumulator
from ._analytics.table import Cell, Label, Table, TableColumn
from ._analytics.tables import (
    PERIODS,
    WEEKDAYS,
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
from ._formats.report import Report
from ._model.campaign import Campaign, Record
from ._options import ExportOptions
from ._public import publish
from ._report.reports import detailed_rows
from ._report.rows import DetailedRow, SimpleRow
from ._types import DEFAULT_TIMEZONE, ReportFormat, parse_timezone
from .errors import AnalyticsInputError, OptionsError

if TYPE_CHECKING:
    from ._store import ResultsStore

__all__ = [
    "PERIODS",
    "WEEKDAYS",
    "AgentDispositionRow",
    "AgentDispositions",
    "AgentRow",
    "Agents",
    "Analytics",
    "AttemptsToClose",
    "AttemptsToCloseRow",
    "CPAByDisposition",
    "CPAByDispositionRow",
    "CampaignInTime",
    "CampaignInTimeRow",
    "Cell",
    "ContactRateByHour",
    "ContactRateRow",
    "DispositionsInTime",
    "DispositionsInTimeRow",
    "Label",
    "ListProgress",
    "ListProgressRow",
    "Period",
    "QuotaGroupRow",
    "QuotaGroups",
    "SIPFailureRow",
    "SIPFailures",
    "Source",
    "Table",
    "TableColumn",
    "TelemarketingCompliance",
    "TelemarketingComplianceRow",
    "agent_dispositions",
    "agents",
    "attempts_to_close",
    "campaign_in_time",
    "contact_rate_by_hour",
    "cpa_by_disposition",
    "dispositions_in_time",
    "list_progress",
    "quota_groups",
    "sip_failures",
    "tables",
    "telemarketing_compliance",
]

#: What the analytics read: a report, typed rows, a campaign (with its
#: records), or a results store (with a campaign's name).
Source: TypeAlias = "Report | Iterable[SimpleRow] | Iterable[DetailedRow] | Campaign | ResultsStore"

#: The private module of the results store: loaded only if a store was ever opened.
_STORE_MODULE: Final = "cloudcontact_results._store._store"


def _store_class() -> type[ResultsStore] | None:
    module = sys.modules.get(_STORE_MODULE)
    return None if module is None else module.ResultsStore


def _noting_unprocessed(records: Iterable[Record], counts: Accumulator) -> Iterator[Record]:
    """``records``, counting those without attempts, which no detailed row shows."""
    for record in records:
        if isinstance(record, Record) and not record.attempts:
            counts.add_unprocessed(record.list_name)
        yield record


def _accumulate(
    source: Any, of: Any, timezone: str | None, *, table: str, needs_attempts: bool = True
) -> Accumulator:
    """One pass over ``source`` (and ``of``): the counts behind the tables."""
    zone_name = timezone
    if zone_name is None:
        zone_name = source.timezone if isinstance(source, Report) else DEFAULT_TIMEZONE
    counts = Accumulator(parse_timezone("timezone", zone_name), needs_attempts, table)
    store_class = _store_class()
    if isinstance(source, Campaign):
        if of is None or isinstance(of, str | bytes):
            raise AnalyticsInputError(table, of, "a Campaign is given with its records")
        campaign, records = source, of
    elif store_class is not None and isinstance(source, store_class):
        if not isinstance(of, str):
            raise AnalyticsInputError(table, of, "a ResultsStore is given with a campaign's name")
        records = source.records(of)
        campaign = source.campaign(of)
    else:
        if of is not None:
            raise AnalyticsInputError(
                table,
                of,
                "only a Campaign (records) or a ResultsStore (a name) takes a second argument",
            )
        if isinstance(source, Report) and source.format is ReportFormat.SIMPLE:
            counts.take_simple()  # before reading a row: an empty report fails too
        if not isinstance(source, Iterable) or isinstance(source, str | bytes):
            raise AnalyticsInputError(
                table, source, "must be a Report, typed rows, a Campaign or a ResultsStore"
            )
        counts.add_rows(source)
        return counts
    options = ExportOptions(format=ReportFormat.DETAILED, timezone=counts.zone.key)
    counts.add_rows(detailed_rows(campaign, _noting_unprocessed(records, counts), options))
    return counts


def _period(value: object) -> Period:
    if value not in PERIODS:
        raise OptionsError("period", value, "must be 'hour' or 'day'")
    return value


def tables(
    source: Source, of: Any = None, /, *, timezone: str | None = None, period: Period = "day"
) -> Analytics:
    """Every analytics table, from one pass over ``source``.

    Args:
        source: a Report, typed rows, a Campaign or a ResultsStore.
        of: with a Campaign, its records; with a ResultsStore, the campaign's name.
        timezone: the IANA zone hours and days are counted in (default: a
            report's own zone, else Europe/Moscow).
        period: ``"day"`` or ``"hour"``: the periods of the tables in time.

    Raises:
        AnalyticsInputError: a simple report (it holds no attempts), or a
            source that is none of the four.
        OptionsError: an unknown time zone or period.
    """
    chosen = _period(period)
    return _accumulate(source, of, timezone, table="analytics.tables()").analytics(chosen)


def list_progress(
    source: Source, of: Any = None, /, *, timezone: str | None = None
) -> ListProgress:
    """Per list: records, never attempted, attempted, completed, remaining, out of quota.

    The one table a simple report gives too. Arguments as for :func:`tables`.
    """
    table = "analytics.list_progress()"
    return _accumulate(source, of, timezone, table=table, needs_attempts=False).list_progress()


def campaign_in_time(
    source: Source, of: Any = None, /, *, timezone: str | None = None, period: Period = "day"
) -> CampaignInTime:
    """Attempts, connects and completions per hour or day. Arguments as for :func:`tables`."""
    chosen = _period(period)
    table = "analytics.campaign_in_time()"
    return _accumulate(source, of, timezone, table=table).campaign_in_time(chosen)


def dispositions_in_time(
    source: Source, of: Any = None, /, *, timezone: str | None = None, period: Period = "day"
) -> DispositionsInTime:
    """Attempts per period and call disposition. Arguments as for :func:`tables`."""
    chosen = _period(period)
    table = "analytics.dispositions_in_time()"
    return _accumulate(source, of, timezone, table=table).dispositions_in_time(chosen)


def telemarketing_compliance(
    source: Source, of: Any = None, /, *, timezone: str | None = None
) -> TelemarketingCompliance:
    """Calls answered and unattended (No agent, Abandoned) per day. As for :func:`tables`."""
    table = "analytics.telemarketing_compliance()"
    return _accumulate(source, of, timezone, table=table).telemarketing_compliance()


def contact_rate_by_hour(
    source: Source, of: Any = None, /, *, timezone: str | None = None
) -> ContactRateByHour:
    """Contact rate by hour of day x weekday. Arguments as for :func:`tables`."""
    table = "analytics.contact_rate_by_hour()"
    return _accumulate(source, of, timezone, table=table).contact_rate_by_hour()


def attempts_to_close(
    source: Source, of: Any = None, /, *, timezone: str | None = None
) -> AttemptsToClose:
    """Dialled attempts needed to close a record, by list. Arguments as for :func:`tables`."""
    table = "analytics.attempts_to_close()"
    return _accumulate(source, of, timezone, table=table).attempts_to_close()


def cpa_by_disposition(
    source: Source, of: Any = None, /, *, timezone: str | None = None
) -> CPAByDisposition:
    """CPA result x call disposition of dialled attempts. Arguments as for :func:`tables`."""
    table = "analytics.cpa_by_disposition()"
    return _accumulate(source, of, timezone, table=table).cpa_by_disposition()


def sip_failures(source: Source, of: Any = None, /, *, timezone: str | None = None) -> SIPFailures:
    """The SIP codes of failed dials. Arguments as for :func:`tables`."""
    table = "analytics.sip_failures()"
    return _accumulate(source, of, timezone, table=table).sip_failures()


def quota_groups(source: Source, of: Any = None, /, *, timezone: str | None = None) -> QuotaGroups:
    """The quota groups reached: attempts stopped, records out of quota. As for :func:`tables`."""
    table = "analytics.quota_groups()"
    return _accumulate(source, of, timezone, table=table).quota_groups()


def agents(source: Source, of: Any = None, /, *, timezone: str | None = None) -> Agents:
    """Calls, talk time, completions and conversion per agent. As for :func:`tables`."""
    table = "analytics.agents()"
    return _accumulate(source, of, timezone, table=table).agents()


def agent_dispositions(
    source: Source, of: Any = None, /, *, timezone: str | None = None
) -> AgentDispositions:
    """Each agent's completions and conversion by record disposition. As for :func:`tables`."""
    table = "analytics.agent_dispositions()"
    return _accumulate(source, of, timezone, table=table).agent_dispositions()


publish(globals())
