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

import datetime as dt
import itertools
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
from ._files.sink import Destination, ExportResult, destination_path, write_data
from ._formats.report import Report
from ._model.campaign import Campaign, Record
from ._options import ExportOptions
from ._public import publish
from ._report.reports import detailed_rows
from ._report.rows import DetailedRow, SimpleRow
from ._types import DEFAULT_TIMEZONE, Language, ReportFormat, import_optional, parse_timezone
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
    "write_html_report",
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


# --- the HTML report ----------------------------------------------------------------------

#: An interval of attempts: half-open ``[start, end)``, either side open (None).
_Interval: TypeAlias = "tuple[dt.datetime | None, dt.datetime | None]"


def _peeked(rows: Iterable[Any]) -> tuple[Any, Iterable[Any]]:
    """The first of ``rows`` (None if there is none) and all of them, the first included."""
    iterator = iter(rows)
    first = next(iterator, None)
    return first, (iterator if first is None else itertools.chain([first], iterator))


def _attempts_inside(
    source: Any, of: Any, options: ExportOptions, table: str
) -> Iterable[DetailedRow]:
    """The detailed rows of the attempts made inside ``options``' interval.

    Records become the detailed-interval report's rows, so the interval means
    what it means in an export; rows already read are kept by the same test.
    """
    store_class = _store_class()
    if isinstance(source, Campaign) and of is not None and not isinstance(of, str | bytes):
        return detailed_rows(source, of, options)
    if store_class is not None and isinstance(source, store_class) and isinstance(of, str):
        return detailed_rows(source.campaign(of), source.records(of), options)
    if of is not None or not isinstance(source, Iterable) or isinstance(source, str | bytes):
        _accumulate(source, of, options.timezone, table=table)  # raises its error
    bounds = options.interval_bounds()
    assert bounds is not None  # noqa: S101 - the options were made with an interval
    start, end = bounds
    return (row for row in source if start <= row.call_time < end)


def write_html_report(
    source: Source,
    of: Any = None,
    /,
    *,
    destination: Destination,
    language: Language | str = Language.EN,
    timezone: str | None = None,
    period: Period = "day",
    interval: _Interval | None = None,
    campaign: str | None = None,
    generated: dt.datetime | None = None,
    overwrite: bool = False,
) -> ExportResult:
    """Write every analytics table, each with its chart, as one self-contained HTML page.

    The page holds its CSS and its charts (inline SVG, text drawn as paths):
    no script, no font, no request out of it, and it prints on A4. Its
    heading names the campaign, the interval, the zone, when it was made and
    the language. The input is read once, streaming, as :func:`tables` reads
    it; the page is written atomically, as exports are. Needs ``pip install
    'cloudcontact-results[plot]'`` (matplotlib).

    Args:
        source: a Report, typed rows, a Campaign or a ResultsStore (as :func:`tables`).
            A simple report gives list progress only, and says so on the page.
        of: with a Campaign, its records; with a ResultsStore, the campaign's name.
        destination: a path, or a binary file object.
        language: ``"en"`` or ``"ru"``: every word of the page and its charts.
        timezone: the IANA zone of every time and period (default: a
            report's own zone, else Europe/Moscow).
        period: ``"day"`` or ``"hour"``: the periods of the tables in time.
        interval: ``(start, end)``, half-open, either side None: only the
            attempts made inside it, as the detailed-interval report keeps
            them; naive bounds are read in ``timezone``.
        campaign: the name the heading shows (default: the Campaign's or the
            store's campaign; none for a report or rows).
        generated: the moment the heading says the page was made (default: now).
        overwrite: replace ``destination`` even if it is a read-only file.

    Returns:
        The file written; ``rows`` counts the attempts reported (a simple
        report's records).

    Raises:
        ImportError: matplotlib is not installed (the ``plot`` extra).
        AnalyticsInputError: a source that is none of the four, or an
            interval with a simple report (it holds no attempts).
        OptionsError: an unknown language, zone or period, or a bad interval.
        ExportError: a destination that cannot be written.
    """
    import_optional("matplotlib", "plot", "analytics.write_html_report()")
    from ._charts.page import ReportHeading, html_page  # noqa: PLC0415 - imports matplotlib

    table = "analytics.write_html_report()"
    chosen = Language.parse(language)
    period = _period(period)
    zone_name = timezone
    if zone_name is None:
        zone_name = source.timezone if isinstance(source, Report) else DEFAULT_TIMEZONE
    zone = parse_timezone("timezone", zone_name).key
    destination_path(destination)  # a bad destination fails before the input is read
    name = campaign
    if name is None and isinstance(source, Campaign):
        name = source.name
    elif name is None and isinstance(of, str):
        name = of
    given: Any = source
    simple = isinstance(given, Report) and given.format is ReportFormat.SIMPLE
    if of is None and not isinstance(given, Report) and isinstance(given, Iterable):
        first, given = _peeked(given)
        simple = isinstance(first, SimpleRow)
    shown: _Interval | None = None
    if interval is not None:
        options = ExportOptions(
            format=ReportFormat.DETAILED_INTERVAL, interval=interval, timezone=zone
        )
        if simple:
            raise AnalyticsInputError(
                table, "simple report", "an interval needs a detailed report (one row per attempt)"
            )
        shown = (
            None if interval[0] is None else options.localize(interval[0]),
            None if interval[1] is None else options.localize(interval[1]),
        )
        given, of = _attempts_inside(given, of, options, table), None
    made: Analytics | ListProgress
    if simple:
        made = _accumulate(given, of, zone, table=table, needs_attempts=False).list_progress()
        rows = sum(row.records for row in made)
    else:
        made = _accumulate(given, of, zone, table=table).analytics(period)
        rows = sum(row.attempts for row in made.dispositions_in_time)
    heading = ReportHeading(
        campaign=name,
        timezone=zone,
        language=chosen,
        period=period,
        interval=shown,
        generated=generated if generated is not None else dt.datetime.now(dt.UTC),
    )
    data = html_page(made, heading).encode("utf-8")
    written = write_data(destination, data, overwrite=overwrite)
    return ExportResult(rows=rows, path=destination_path(destination), bytes=written)


publish(globals())
