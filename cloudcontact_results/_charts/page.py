"""The HTML report: one self-contained page of charts and tables, for screen and print.

Everything is inside the file: CSS inline, charts as inline SVG (text as
paths), no script, no font, no image and no link out of the page. Its
Content-Security-Policy says so too: a browser refuses any request the page
might still make. Every text is escaped, since campaign names, agents and
dispositions come from the data.
"""

from __future__ import annotations

import datetime as dt
import html
import zoneinfo
from collections.abc import Iterable
from typing import Any, Final

import attrs

from .._analytics.table import Table
from .._analytics.tables import Analytics, ContactRateByHour, ListProgress
from .._types import Language
from .figures import chart
from .svg import to_svg

__all__ = ["REPORT_ROWS", "ReportHeading", "html_page"]

#: Rows of each table the report prints; the charts show every row.
REPORT_ROWS: Final = 50

#: Nothing may be fetched; only the page's own styles apply.
_POLICY: Final = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_STYLE: Final = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1a1a1a;
  margin: 2rem auto; max-width: 60rem; padding: 0 1rem; line-height: 1.4; }
header h1 { font-size: 1.6rem; margin-bottom: 0.5rem; overflow-wrap: anywhere; }
header dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
header dt { font-weight: bold; }
header dd { margin: 0; overflow-wrap: anywhere; }
section { margin: 2rem 0; }
figure.chart { margin: 0 0 0.8rem 0; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 0.85rem; }
caption { text-align: left; font-weight: bold; padding: 0.3rem 0; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left;
  max-width: 24rem; overflow-wrap: anywhere; vertical-align: top; }
th { background: #f0f0f0; }
p.note { color: #444; font-style: italic; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  section { break-inside: avoid-page; }
  table { break-inside: auto; }
  tr, figure.chart { break-inside: avoid; }
  @page { size: A4; margin: 14mm; }
}
"""

_WORDS: Final = {
    "campaign": {Language.EN: "Campaign", Language.RU: "Кампания"},
    "period": {Language.EN: "Period", Language.RU: "Период"},
    "timezone": {Language.EN: "Time zone", Language.RU: "Часовой пояс"},
    "generated": {Language.EN: "Generated", Language.RU: "Сформирован"},
    "language": {Language.EN: "Language", Language.RU: "Язык"},
    "heading": {Language.EN: "Campaign analytics", Language.RU: "Аналитика кампании"},
    "everything": {Language.EN: "all results", Language.RU: "все результаты"},
    "from": {Language.EN: "from", Language.RU: "с"},
    "to": {Language.EN: "until", Language.RU: "до"},
    "by day": {Language.EN: "by day", Language.RU: "по дням"},
    "by hour": {Language.EN: "by hour", Language.RU: "по часам"},
    "name": {Language.EN: "English", Language.RU: "Русский"},
    "simple": {
        Language.EN: "A simple report holds each record's last attempt only: the other "
        "analytics need a detailed report (export it with format 'detailed').",
        Language.RU: "Простой отчёт содержит только последнюю попытку каждой записи: "
        "для остальной аналитики нужен подробный отчёт (формат 'detailed').",
    },
    "hours": {
        Language.EN: "The table lists the hours with attempts; the chart shows them all.",
        Language.RU: "В таблице — часы с попытками; на графике — все часы.",
    },
}

#: How a moment of the heading is written.
_MOMENT: Final = "%Y-%m-%d %H:%M %Z"


@attrs.frozen
class ReportHeading:
    """What the report's heading says.

    Attributes:
        campaign: the campaign's name, or None when the input does not say.
        timezone: the zone of every time and period of the report.
        language: the report's language.
        period: ``"day"`` or ``"hour"``: the periods of the tables in time.
        interval: the half-open interval of attempts reported (aware bounds,
            either None), or None for all of them.
        generated: when the report was made (aware).
    """

    campaign: str | None
    timezone: str
    language: Language
    period: str
    interval: tuple[dt.datetime | None, dt.datetime | None] | None
    generated: dt.datetime


def _word(name: str, language: Language) -> str:
    return _WORDS[name][language]


def _moment(moment: dt.datetime, timezone: str) -> str:
    return moment.astimezone(zoneinfo.ZoneInfo(timezone)).strftime(_MOMENT)


def _interval_text(heading: ReportHeading) -> str:
    language = heading.language
    granularity = _word("by day" if heading.period == "day" else "by hour", language)
    if heading.interval is None:
        return f"{_word('everything', language)}, {granularity}"
    start, end = heading.interval
    parts = []
    if start is not None:
        parts.append(f"{_word('from', language)} {_moment(start, heading.timezone)}")
    if end is not None:
        parts.append(f"{_word('to', language)} {_moment(end, heading.timezone)}")
    return f"{' '.join(parts)}, {granularity}"


def _heading(heading: ReportHeading) -> str:
    language = heading.language
    title = heading.campaign if heading.campaign is not None else _word("heading", language)
    facts = [
        ("campaign", heading.campaign or ""),
        ("period", _interval_text(heading)),
        ("timezone", heading.timezone),
        ("generated", _moment(heading.generated, heading.timezone)),
        ("language", _word("name", language)),
    ]
    items = "".join(
        f"<dt>{html.escape(_word(name, language))}</dt><dd>{html.escape(value)}</dd>"
        for name, value in facts
    )
    return f"<header><h1>{html.escape(title)}</h1><dl>{items}</dl></header>"


def _section(name: str, table: Table[Any], language: Language) -> str:
    """The chart and the table of ``table``, the attribute ``name`` of :class:`Analytics`."""
    shown = table
    note = ""
    if isinstance(table, ContactRateByHour):
        # 168 hours, most of them empty: the heat map is the view, the table the detail.
        shown = attrs.evolve(table, rows=tuple(row for row in table if row.attempts))
        note = f'<p class="note">{html.escape(_word("hours", language))}</p>'
    figure = chart(table, language=language)
    anchor = name.replace("_", "-")
    svg = to_svg(figure, id_prefix=f"{anchor}-")
    return (
        f'<section id="{anchor}"><figure class="chart" id="chart-{anchor}">{svg}'
        f"</figure>{note}{shown.to_html(language, REPORT_ROWS)}</section>"
    )


def html_page(tables: Analytics | ListProgress, heading: ReportHeading) -> str:
    """The whole report: every table of ``tables`` (or list progress alone, from a simple report).

    Args:
        tables: the analytics, or the list progress a simple report gives.
        heading: what the heading says.
    """
    language = heading.language
    chosen: Iterable[tuple[str, Table[Any]]]
    notes = ""
    if isinstance(tables, ListProgress):
        chosen = [("list_progress", tables)]
        notes = f'<p class="note">{html.escape(_word("simple", language))}</p>'
    else:
        chosen = [(field.name, getattr(tables, field.name)) for field in attrs.fields(Analytics)]
    title = heading.campaign if heading.campaign is not None else _word("heading", language)
    sections = "".join(_section(name, table, language) for name, table in chosen)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{language.value}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"{_heading(heading)}\n<main>{notes}{sections}</main>\n</body>\n</html>\n"
    )
