"""One matplotlib figure per analytics table, drawn from the table alone.

Figures are made with :class:`matplotlib.figure.Figure` directly, never with
pyplot: no global figure is created or kept, so charts made in a server, a
thread or a notebook do not leak or interfere. Every text is in the chart's
language; the colours come from :mod:`.style`; categories beyond the few a
chart can show are summed as "other"; a table without rows draws labelled,
empty axes. Counts on axes are compact (12k, 3.4M), so a chart of one record
and one of ten million read alike.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Callable, Sequence
from typing import Any, Final

import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .._analytics.table import Table
from .._analytics.tables import (
    WEEKDAYS,
    AgentDispositions,
    Agents,
    AttemptsToClose,
    CampaignInTime,
    ContactRateByHour,
    CPAByDisposition,
    DispositionsInTime,
    ListProgress,
    QuotaGroups,
    SIPFailures,
    TelemarketingCompliance,
)
from .._model.campaign import NoMatch
from .._types import Language
from .style import MISSING, NO_DATA, OTHER, collapse, colours, compact_count, percent, shorten

__all__ = [
    "CHARTS",
    "agent_dispositions",
    "agents",
    "attempts_to_close",
    "campaign_in_time",
    "chart",
    "contact_rate_by_hour",
    "cpa_by_disposition",
    "dispositions_in_time",
    "list_progress",
    "quota_groups",
    "sip_failures",
    "telemarketing_compliance",
]

#: The width of every chart, in inches; heights follow what they show.
WIDTH: Final = 8.0
#: Bars of a horizontal bar chart: at most this many, the rest summed as "other".
MAX_BARS: Final = 15
#: Colours of a stacked chart: at most this many series, the rest as "other".
MAX_SERIES: Final = 7
#: Periods up to which a chart in time draws bars; more are drawn as areas or lines.
MAX_PERIOD_BARS: Final = 60
#: Cells of a heat map up to which each shows its count.
MAX_ANNOTATED_CELLS: Final = 150
#: The share of answered calls left unattended that regulators commonly allow
#: (3 %: the US Telemarketing Sales Rule, the UK's Ofcom).
UNATTENDED_LIMIT: Final = 0.03

#: Date formats of a time axis, for ConciseDateFormatter: ticks, the first
#: tick of a larger unit, and the offset written at the axis' end.
_DATE_FORMATS: Final = {
    Language.EN: (
        ["%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M", "%S"],
        ["", "%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M"],
        ["", "%Y", "%Y-%m", "%Y-%m-%d", "%Y-%m-%d", "%Y-%m-%d %H:%M"],
    ),
    Language.RU: (
        ["%Y", "%m.%Y", "%d.%m", "%H:%M", "%H:%M", "%S"],
        ["", "%Y", "%m.%Y", "%d.%m", "%H:%M", "%H:%M"],
        ["", "%Y", "%m.%Y", "%d.%m.%Y", "%d.%m.%Y", "%d.%m.%Y %H:%M"],
    ),
}


# --- shared parts ---------------------------------------------------------------------


def _figure(height: float) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(WIDTH, height), layout="constrained")
    return figure, figure.add_subplot()


def _label(table: Table[Any], name: str, language: Language) -> str:
    """The label of the table's column ``name``: charts say what the tables say."""
    return next(column.label(language) for column in table.COLUMNS if column.name == name)


def _titled(axes: Axes, table: Table[Any], language: Language) -> None:
    axes.set_title(table.title(language), loc="left", fontsize=12, fontweight="bold")


def _empty(figure: Figure, axes: Axes, table: Table[Any], language: Language) -> Figure:
    """Labelled, empty axes: a table without rows is a chart that says so."""
    _titled(axes, table, language)
    axes.text(
        0.5, 0.5, NO_DATA[language], ha="center", va="center", transform=axes.transAxes, color="0.4"
    )
    axes.set_xticks([])
    axes.set_yticks([])
    return figure


def _counts_axis(axes: Axes, language: Language, *, horizontal: bool = False) -> None:
    """Whole-number ticks written compactly (12k, 3.4M) on the axis of counts."""
    axis = axes.xaxis if horizontal else axes.yaxis
    axis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    axis.set_major_formatter(FuncFormatter(lambda value, _: compact_count(value, language)))


def _shares_axis(axes: Axes, language: Language, *, horizontal: bool = False) -> None:
    axis = axes.xaxis if horizontal else axes.yaxis
    axis.set_major_formatter(FuncFormatter(lambda value, _: percent(value, language)))


def _time_axis(axes: Axes, table: Table[Any], language: Language) -> None:
    """Dates and hours in the table's zone, written the same in every locale, and the
    axis labelled with the periods' start column and that zone."""
    timezone = table.timezone
    axes.set_xlabel(f"{_label(table, 'start', language)} ({timezone})")
    zone = zoneinfo.ZoneInfo(timezone)
    locator = mdates.AutoDateLocator(tz=zone, minticks=3)  # type: ignore[no-untyped-call]
    formats, zero_formats, offset_formats = _DATE_FORMATS[language]
    formatter = mdates.ConciseDateFormatter(  # type: ignore[no-untyped-call]
        locator,
        tz=zone,
        formats=formats,
        zero_formats=zero_formats,
        offset_formats=offset_formats,
    )
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(formatter)


def _days(moments: Sequence[dt.datetime]) -> list[float]:
    """Aware moments as matplotlib's dates: days since its epoch, in UTC."""
    return [float(mdates.date2num(moment)) for moment in moments]  # type: ignore[no-untyped-call]


def _period_length(period: str) -> float:
    """The length of a period, in days (matplotlib's unit of dates)."""
    return 1.0 if period == "day" else 1 / 24


def _period_span(axes: Axes, starts: Sequence[float], period: str) -> None:
    """The time axis from half a period before the first to half one after the last.

    One period alone would otherwise be a range of no length, which the date
    locator cannot divide into ticks.
    """
    if starts:
        half = _period_length(period) / 2
        axes.set_xlim(min(starts) - half, max(starts) + half)


def _plain(value: Any) -> float:
    return float(value)


def _category(value: object, language: Language) -> str:
    """A text cell as a chart names it: none as "(none)", ``NO_MATCH`` as ``no match``."""
    if value is None:
        return MISSING[language]
    if isinstance(value, NoMatch):
        return value.label(language)
    return str(value)


def _legend(axes: Axes, count: int) -> None:
    if count:
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)


def _bars_height(count: int) -> float:
    return 1.4 + 0.32 * max(count, 1)


def _collapsed_series(
    totals: dict[str, float], language: Language
) -> tuple[list[str], dict[str, str]]:
    """The series a stacked chart draws (largest first) and the one each category joins."""
    items = sorted(totals.items(), key=lambda item: -item[1])
    kept = collapse(items, MAX_SERIES, OTHER[language])
    names = [name for name, _ in kept]
    shown = set(names)
    joins = {name: (name if name in shown else OTHER[language]) for name in totals}
    return names, joins


def _stacked_bars(
    axes: Axes,
    positions: Sequence[Any],
    series: dict[str, list[float]],
    *,
    width: float,
    horizontal: bool = False,
    other: str,
) -> None:
    """Bars of ``series`` stacked at ``positions``, in the palette, "other" in grey."""
    names = list(series)
    palette = colours(len(names), other_last=bool(names) and names[-1] == other)
    bottom = [0.0] * len(positions)
    for name, colour in zip(names, palette, strict=True):
        values = series[name]
        if horizontal:
            axes.barh(
                positions, values, height=width, left=bottom, color=colour, label=shorten(name)
            )
        else:
            axes.bar(
                positions, values, width=width, bottom=bottom, color=colour, label=shorten(name)
            )
        bottom = [below + value for below, value in zip(bottom, values, strict=True)]


# --- one chart per table ---------------------------------------------------------------


def list_progress(table: ListProgress, *, language: Language | str = Language.EN) -> Figure:
    """Each list's records: completed and remaining, stacked; the largest lists, then "other"."""
    chosen = Language.parse(language)
    items = collapse(
        [(row.list_name, float(row.records)) for row in table], MAX_BARS, OTHER[chosen]
    )
    figure, axes = _figure(_bars_height(len(items)))
    if not table.rows:
        return _empty(figure, axes, table, chosen)
    by_name = {row.list_name: row for row in table}
    names = [name for name, _ in items]
    completed = [float(by_name[name].completed) if name in by_name else 0.0 for name in names]
    if names[-1] not in by_name:  # "other": what the lists left out completed
        completed[-1] = float(
            sum(row.completed for row in table if row.list_name not in set(names))
        )
    remaining = [total - done for (_, total), done in zip(items, completed, strict=True)]
    positions = list(range(len(names)))
    _stacked_bars(
        axes,
        positions,
        {
            _label(table, "completed", chosen): completed,
            _label(table, "remaining", chosen): remaining,
        },
        width=0.7,
        horizontal=True,
        other="",
    )
    for position, (_, total) in zip(positions, items, strict=True):
        axes.annotate(
            compact_count(total, chosen),
            (total, position),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
        )
    axes.set_yticks(positions, [shorten(name) for name in names])
    axes.invert_yaxis()
    axes.set_xlabel(_label(table, "records", chosen))
    _counts_axis(axes, chosen, horizontal=True)
    axes.margins(x=0.12)
    _legend(axes, 2)
    _titled(axes, table, chosen)
    return figure


def campaign_in_time(table: CampaignInTime, *, language: Language | str = Language.EN) -> Figure:
    """Attempts, connects and completions per period, as lines over time in the table's zone."""
    chosen = Language.parse(language)
    figure, axes = _figure(3.6)
    if not table.rows:
        return _empty(figure, axes, table, chosen)
    starts = _days([row.start for row in table])
    marker = "o" if len(starts) <= MAX_PERIOD_BARS else None
    for name, colour in zip(("attempts", "connects", "completions"), colours(3), strict=True):
        values = [_plain(getattr(row, name)) for row in table]
        axes.plot(starts, values, color=colour, marker=marker, label=_label(table, name, chosen))
    _period_span(axes, starts, table.period)
    _time_axis(axes, table, chosen)
    _counts_axis(axes, chosen)
    axes.set_ylim(bottom=0)
    _legend(axes, 3)
    _titled(axes, table, chosen)
    return figure


def dispositions_in_time(
    table: DispositionsInTime, *, language: Language | str = Language.EN
) -> Figure:
    """Attempts per period, stacked by call disposition (the most frequent, then "other")."""
    chosen = Language.parse(language)
    figure, axes = _figure(3.8)
    if not table.rows:
        return _empty(figure, axes, table, chosen)
    totals: dict[str, float] = {}
    for row in table:
        name = _category(row.call_disposition, chosen)
        totals[name] = totals.get(name, 0.0) + row.attempts
    names, joins = _collapsed_series(totals, chosen)
    starts = sorted({row.start for row in table}, key=lambda start: start.astimezone(dt.UTC))
    index = {start: position for position, start in enumerate(starts)}
    series = {name: [0.0] * len(starts) for name in names}
    for row in table:
        series[joins[_category(row.call_disposition, chosen)]][index[row.start]] += row.attempts
    if len(starts) <= MAX_PERIOD_BARS:
        _stacked_bars(
            axes,
            _days(starts),
            series,
            width=0.8 * _period_length(table.period),
            other=OTHER[chosen],
        )
    else:
        palette = colours(len(names), other_last=names[-1] == OTHER[chosen])
        axes.stackplot(
            _days(starts), *series.values(), labels=[shorten(n) for n in names], colors=palette
        )
    _period_span(axes, _days(starts), table.period)
    _time_axis(axes, table, chosen)
    _counts_axis(axes, chosen)
    axes.set_ylabel(_label(table, "attempts", chosen))
    _legend(axes, len(names))
    _titled(axes, table, chosen)
    return figure


def telemarketing_compliance(
    table: TelemarketingCompliance, *, language: Language | str = Language.EN
) -> Figure:
    """The share of answered calls left unattended per day, against the common 3 % limit."""
    chosen = Language.parse(language)
    figure, axes = _figure(3.4)
    if not table.rows:
        return _empty(figure, axes, table, chosen)
    days = _days([row.start for row in table if row.unattended_rate is not None])
    rates = [float(row.unattended_rate or 0.0) for row in table if row.unattended_rate is not None]
    axes.bar(
        days, rates, width=0.8, color=colours(1)[0], label=_label(table, "unattended_rate", chosen)
    )
    axes.axhline(
        UNATTENDED_LIMIT,
        color="0.2",
        linestyle="--",
        linewidth=1,
        label=percent(UNATTENDED_LIMIT, chosen),
    )
    axes.set_ylim(0, max([UNATTENDED_LIMIT * 2, *rates]) * 1.1)
    _period_span(axes, _days([row.start for row in table]), "day")
    if not days:  # no answered call at all: the limit alone would look like data
        axes.text(0.5, 0.5, NO_DATA[chosen], ha="center", va="center", transform=axes.transAxes)
    _time_axis(axes, table, chosen)
    _shares_axis(axes, chosen)
    _legend(axes, 2)
    _titled(axes, table, chosen)
    return figure


def contact_rate_by_hour(
    table: ContactRateByHour, *, language: Language | str = Language.EN
) -> Figure:
    """A heat map of the contact rate, weekday by hour; hours without attempts left blank."""
    chosen = Language.parse(language)
    figure, axes = _figure(3.6)
    grid = [[float("nan")] * 24 for _ in range(7)]
    for row in table:
        if row.contact_rate is not None:
            grid[row.weekday - 1][row.hour] = row.contact_rate
    rates = [rate for line in grid for rate in line if not math.isnan(rate)]
    if not rates:
        return _empty(figure, axes, table, chosen)
    image = axes.imshow(grid, cmap="cividis", vmin=0.0, vmax=max(*rates, 0.01), aspect="auto")
    axes.set_yticks(range(7), [day(chosen) for day in WEEKDAYS])
    axes.set_xticks(range(0, 24, 2))
    axes.set_xlabel(f"{_label(table, 'hour', chosen)} ({table.timezone})")
    bar = figure.colorbar(image, ax=axes, fraction=0.04)
    bar.set_label(_label(table, "contact_rate", chosen))
    bar.formatter = FuncFormatter(lambda value, _: percent(value, chosen))
    bar.update_ticks()
    _titled(axes, table, chosen)
    return figure


def attempts_to_close(table: AttemptsToClose, *, language: Language | str = Language.EN) -> Figure:
    """Records closed after each number of dialled attempts, stacked by list."""
    chosen = Language.parse(language)
    figure, axes = _figure(3.4)
    if not table.rows:
        return _empty(figure, axes, table, chosen)
    totals: dict[str, float] = {}
    for row in table:
        totals[row.list_name] = totals.get(row.list_name, 0.0) + row.records
    names, joins = _collapsed_series(totals, chosen)
    counts = list(range(max(row.attempts for row in table) + 1))
    series = {name: [0.0] * len(counts) for name in names}
    for row in table:
        series[joins[row.list_name]][row.attempts] += row.records
    _stacked_bars(axes, counts, series, width=0.8, other=OTHER[chosen])
    axes.set_xlabel(_label(table, "attempts", chosen))
    axes.set_ylabel(_label(table, "records", chosen))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    _counts_axis(axes, chosen)
    _legend(axes, len(names))
    _titled(axes, table, chosen)
    return figure


def cpa_by_disposition(
    table: CPAByDisposition, *, language: Language | str = Language.EN
) -> Figure:
    """A heat map of dialled attempts, CPA result by call disposition, counts written in."""
    chosen = Language.parse(language)
    totals: dict[str, float] = {}
    for row in table:
        name = _category(row.call_disposition, chosen)
        totals[name] = totals.get(name, 0.0) + row.attempts
    items = collapse(sorted(totals.items(), key=lambda item: -item[1]), 10, OTHER[chosen])
    columns = [name for name, _ in items]
    joins = {name: (name if name in columns else OTHER[chosen]) for name in totals}
    results = list(dict.fromkeys(row.cpa_result for row in table))
    figure, axes = _figure(1.6 + 0.35 * max(len(results), 3))
    if not table.rows:
        return _empty(figure, axes, table, chosen)
    grid = [[0.0] * len(columns) for _ in results]
    for row in table:
        name = joins[_category(row.call_disposition, chosen)]
        grid[results.index(row.cpa_result)][columns.index(name)] += row.attempts
    image = axes.imshow(grid, cmap="cividis", aspect="auto", vmin=0)
    highest = max(max(line) for line in grid)
    if len(results) * len(columns) <= MAX_ANNOTATED_CELLS:
        for y, line in enumerate(grid):
            for x, value in enumerate(line):
                if value:
                    axes.text(
                        x,
                        y,
                        compact_count(value, chosen),
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="black" if value > highest / 2 else "white",
                    )
    labels = [
        MISSING[chosen] if result is None else f"{int(result)} {table.cpa_label(result, chosen)}"
        for result in results
    ]
    axes.set_yticks(range(len(results)), labels)
    axes.set_xticks(
        range(len(columns)), [shorten(name) for name in columns], rotation=30, ha="right"
    )
    axes.set_ylabel(_label(table, "cpa_result", chosen))
    bar = figure.colorbar(image, ax=axes, fraction=0.04)
    bar.set_label(_label(table, "attempts", chosen))
    bar.formatter = FuncFormatter(lambda value, _: compact_count(value, chosen))
    bar.update_ticks()
    _titled(axes, table, chosen)
    return figure


def _horizontal_bars(
    table: Table[Any],
    items: list[tuple[str, float]],
    value_label: str,
    language: Language,
) -> Figure:
    """One bar per item, largest first as the table orders them, counts at the bars' ends."""
    figure, axes = _figure(_bars_height(len(items)))
    if not items:
        return _empty(figure, axes, table, language)
    names = [name for name, _ in items]
    values = [value for _, value in items]
    palette = colours(len(items), other_last=names[-1] == OTHER[language])
    bars = [palette[0]] * len(items)
    bars[-1] = palette[-1]
    positions = list(range(len(items)))
    axes.barh(positions, values, height=0.7, color=bars)
    for position, value in zip(positions, values, strict=True):
        axes.annotate(
            compact_count(value, language),
            (value, position),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
        )
    axes.set_yticks(positions, [shorten(name) for name in names])
    axes.invert_yaxis()
    axes.set_xlabel(value_label)
    _counts_axis(axes, language, horizontal=True)
    axes.margins(x=0.12)
    _titled(axes, table, language)
    return figure


def sip_failures(table: SIPFailures, *, language: Language | str = Language.EN) -> Figure:
    """Failed dials by SIP code and reason, most frequent first."""
    chosen = Language.parse(language)
    items = collapse(
        [(f"{row.sip_code} {row.reason}", float(row.attempts)) for row in table],
        MAX_BARS,
        OTHER[chosen],
    )
    return _horizontal_bars(table, items, _label(table, "attempts", chosen), chosen)


def quota_groups(table: QuotaGroups, *, language: Language | str = Language.EN) -> Figure:
    """Attempts each quota group stopped."""
    chosen = Language.parse(language)
    items = collapse(
        [(_category(row.quota_group, chosen), float(row.attempts)) for row in table],
        MAX_BARS,
        OTHER[chosen],
    )
    return _horizontal_bars(table, items, _label(table, "attempts", chosen), chosen)


def agents(table: Agents, *, language: Language | str = Language.EN) -> Figure:
    """Calls per agent, the busiest first; the rest of the agents as "other"."""
    chosen = Language.parse(language)
    items = collapse([(row.agent, float(row.calls)) for row in table], MAX_BARS, OTHER[chosen])
    return _horizontal_bars(table, items, _label(table, "calls", chosen), chosen)


def agent_dispositions(
    table: AgentDispositions, *, language: Language | str = Language.EN
) -> Figure:
    """Each agent's completions, stacked by record disposition (the busiest agents)."""
    chosen = Language.parse(language)
    per_agent: dict[str, float] = {}
    totals: dict[str, float] = {}
    for row in table:
        per_agent[row.agent] = per_agent.get(row.agent, 0.0) + row.completions
        totals[row.record_disposition] = totals.get(row.record_disposition, 0.0) + row.completions
    agent_items = collapse(
        sorted(per_agent.items(), key=lambda item: -item[1]), MAX_BARS, OTHER[chosen]
    )
    figure, axes = _figure(_bars_height(len(agent_items)))
    if not table.rows:
        return _empty(figure, axes, table, chosen)
    rows_of = [name for name, _ in agent_items]
    agent_joins = {name: (name if name in rows_of else OTHER[chosen]) for name in per_agent}
    names, joins = _collapsed_series(totals, chosen)
    series = {name: [0.0] * len(rows_of) for name in names}
    for row in table:
        position = rows_of.index(agent_joins[row.agent])
        series[joins[row.record_disposition]][position] += row.completions
    positions = list(range(len(rows_of)))
    _stacked_bars(axes, positions, series, width=0.7, horizontal=True, other=OTHER[chosen])
    axes.set_yticks(positions, [shorten(name) for name in rows_of])
    axes.invert_yaxis()
    axes.set_xlabel(_label(table, "completions", chosen))
    _counts_axis(axes, chosen, horizontal=True)
    _legend(axes, len(names))
    _titled(axes, table, chosen)
    return figure


#: The chart of each kind of table.
CHARTS: Final[dict[type[Table[Any]], Callable[..., Figure]]] = {
    ListProgress: list_progress,
    CampaignInTime: campaign_in_time,
    DispositionsInTime: dispositions_in_time,
    TelemarketingCompliance: telemarketing_compliance,
    ContactRateByHour: contact_rate_by_hour,
    AttemptsToClose: attempts_to_close,
    CPAByDisposition: cpa_by_disposition,
    SIPFailures: sip_failures,
    QuotaGroups: quota_groups,
    Agents: agents,
    AgentDispositions: agent_dispositions,
}


def chart(table: Table[Any], *, language: Language | str = Language.EN) -> Figure:
    """The chart of any analytics table.

    Raises:
        TypeError: ``table`` is not one of the analytics tables.
    """
    draw = CHARTS.get(type(table))
    if draw is None:
        raise TypeError(f"chart(): {table!r} is not an analytics table")
    return draw(table, language=language)
