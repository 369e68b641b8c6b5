"""Charts of the analytics tables: one figure per table, readable in both languages,
for no data, one record and counts in the millions; their SVG is self-contained."""

from __future__ import annotations

import io
import re
from typing import Any

import matplotlib.dates as mdates
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

import cloudcontact_results as ccr
from cloudcontact_results import analytics, charts
from cloudcontact_results._charts.style import PALETTE, collapse, compact_count, percent
from tests.support.report_samples import at, hostile_campaign

#: Every analytics table with its chart function: the attribute names of ``Analytics``.
NAMES = (
    "list_progress",
    "campaign_in_time",
    "dispositions_in_time",
    "telemarketing_compliance",
    "contact_rate_by_hour",
    "attempts_to_close",
    "cpa_by_disposition",
    "sip_failures",
    "quota_groups",
    "agents",
    "agent_dispositions",
)


def texts(figure: Figure) -> list[str]:
    """Every text the figure shows, once drawn (tick labels are made when drawing)."""
    figure.savefig(io.BytesIO(), format="svg")
    found = [
        text.get_text() for text in figure.findobj(match=lambda artist: hasattr(artist, "get_text"))
    ]
    return [text for text in found if text]


@pytest.fixture(scope="module")
def tables() -> analytics.Analytics:
    campaign, records = hostile_campaign()
    return analytics.tables(campaign, records)


def test_there_is_a_chart_for_every_table_and_no_other() -> None:
    assert sorted(NAMES) == sorted(field for field in analytics.Analytics.__annotations__)
    assert set(NAMES) < set(charts.__all__)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("name", NAMES)
def test_each_chart_is_a_figure_titled_in_its_language(
    tables: analytics.Analytics, name: str, language: str
) -> None:
    table = getattr(tables, name)
    figure = getattr(charts, name)(table, language=language)

    assert isinstance(figure, Figure)
    assert figure.axes[0].get_title(loc="left") == table.title(language)
    # Made without pyplot: no figure manager, nothing kept globally.
    assert figure.canvas.manager is None
    assert charts.chart(table, language=language).axes[0].get_title(loc="left") == table.title(
        language
    )


def test_russian_charts_have_russian_labels(tables: analytics.Analytics) -> None:
    shown = texts(charts.contact_rate_by_hour(tables.contact_rate_by_hour, language="ru"))
    assert {"Понедельник", "Воскресенье", "Доля соединений"} <= set(shown)
    shown = texts(charts.list_progress(tables.list_progress, language="ru"))
    assert {"Закрыто", "Осталось", "Записи"} <= set(shown)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_no_data_is_a_labelled_empty_chart(language: str) -> None:
    campaign = ccr.Campaign("Пусто", [ccr.CallingList("L", ["Phone"])])
    empty = analytics.tables(campaign, [])
    words = {"en": "No data", "ru": "Нет данных"}[language]
    for name in NAMES:
        figure = getattr(charts, name)(getattr(empty, name), language=language)
        assert words in texts(figure), name


def test_one_record_draws_every_chart() -> None:
    campaign = ccr.Campaign("C", [ccr.CallingList("L", ["Phone"])])
    record = ccr.Record(
        "1",
        "L",
        {"Phone": "1"},
        [ccr.Attempt("1", at(2, 10), call_disposition=ccr.system_disposition("Busy"))],
    )
    tables = analytics.tables(campaign, [record])
    for name in NAMES:
        assert charts.to_svg(getattr(charts, name)(getattr(tables, name))).startswith("<svg")


def test_many_agents_collapse_into_other() -> None:
    rows = tuple(
        analytics.AgentRow(
            f"agent{n:02}", calls=100 - n, talk_seconds=0, completions=0, conversion=0.0
        )
        for n in range(40)
    )
    table = analytics.Agents(rows=rows, timezone="UTC")
    figure = charts.agents(table)
    axes = figure.axes[0]
    names = [label.get_text() for label in axes.get_yticklabels()]
    widths = [patch.get_width() for patch in axes.patches]

    assert len(names) == 16
    assert names[:15] == [f"agent{n:02}" for n in range(15)]
    assert names[-1] == "other"
    assert sum(widths) == sum(row.calls for row in rows)  # nothing lost
    assert patch_colours(axes)[-1] == "#999999"


def patch_colours(axes: Any) -> list[str]:
    from matplotlib.colors import to_hex  # noqa: PLC0415

    return [to_hex(patch.get_facecolor()) for patch in axes.patches]


def test_bars_use_the_colour_blind_safe_palette(tables: analytics.Analytics) -> None:
    figure = charts.list_progress(tables.list_progress)
    colours = {colour.upper() for colour in patch_colours(figure.axes[0])}
    assert colours <= {colour.upper() for colour in PALETTE}


@pytest.mark.parametrize(("language", "expected"), [("en", "12.3M"), ("ru", "12,3\u00a0млн")])
def test_ten_million_calls_read_as_millions(language: str, expected: str) -> None:
    row = analytics.AgentRow(
        "ivanov", calls=12_345_678, talk_seconds=1, completions=1, conversion=0.0
    )
    figure = charts.agents(analytics.Agents(rows=(row,), timezone="UTC"), language=language)
    shown = texts(figure)
    assert expected in shown
    assert not any(re.fullmatch(r"\d{5,}", text.replace(",", "")) for text in shown)


def test_time_axes_are_in_the_table_zone() -> None:
    campaign = ccr.Campaign("C", [ccr.CallingList("L", ["Phone"])])
    busy = ccr.system_disposition("Busy")
    record = ccr.Record(
        "1",
        "L",
        {"Phone": "1"},
        [ccr.Attempt("1", at(2, hour), call_disposition=busy) for hour in (9, 10, 11, 12)],
    )
    # 9:00 to 12:00 in Moscow is 15:00 to 18:00 in Vladivostok.
    table = analytics.campaign_in_time(
        campaign, [record], timezone="Asia/Vladivostok", period="hour"
    )
    figure = charts.campaign_in_time(table)
    axes = figure.axes[0]
    xs = list(axes.lines[0].get_xdata())
    assert xs == [mdates.date2num(row.start) for row in table]
    labels = [label for label in texts(figure) if re.fullmatch(r"\d\d:\d\d", label)]
    assert labels
    assert set(labels) <= {
        f"{hour:02}:{minute:02}" for hour in range(14, 20) for minute in (0, 15, 30, 45)
    }


def test_the_svg_is_self_contained(tables: analytics.Analytics) -> None:
    svg = charts.to_svg(charts.agents(tables.agents, language="ru"))

    assert svg.startswith("<svg")
    assert svg.rstrip().endswith("</svg>")
    assert "<text" not in svg  # text is drawn as paths: no font needed
    assert "font-family" not in svg
    assert "<!--" not in svg
    assert "<metadata" not in svg
    assert not re.search(r"(href|src)\s*=\s*[\"']?(https?:|//)", svg)
    assert not re.search(r"url\((?!#)", svg)  # only references inside the SVG


def test_two_figures_never_share_an_id(tables: analytics.Analytics) -> None:
    first = charts.to_svg(charts.agents(tables.agents))
    second = charts.to_svg(charts.agents(tables.agents))
    ids = re.compile(r'\bid="([^"]+)"')
    assert set(ids.findall(first)).isdisjoint(ids.findall(second))


def test_chart_refuses_what_is_not_an_analytics_table() -> None:
    with pytest.raises(TypeError, match="not an analytics table"):
        charts.chart([1, 2, 3])  # type: ignore[arg-type]


# --- the pure helpers behind the charts ---------------------------------------------------


def read_count(text: str) -> float:
    """A compact count read back, independently of how it was written."""
    text = text.replace("\u00a0", " ").strip()
    scales = {"k": 1e3, "M": 1e6, "B": 1e9, "тыс.": 1e3, "млн": 1e6, "млрд": 1e9}
    for suffix, scale in scales.items():
        if text.endswith(suffix):
            return float(text.removesuffix(suffix).strip().replace(",", ".")) * scale
    return float(text.replace(",", "").replace(" ", ""))


@given(st.integers(-(10**13), 10**13), st.sampled_from(["en", "ru"]))
def test_a_compact_count_reads_back_within_five_percent(value: int, language: str) -> None:
    text = compact_count(value, language)
    assert len(text) <= 12
    if abs(value) < 10_000:
        assert read_count(text) == value
    else:
        assert abs(read_count(text) - value) <= 0.05 * abs(value)


@given(st.floats(0, 1), st.sampled_from(["en", "ru"]))
def test_a_percentage_reads_back_within_half_a_point(share: float, language: str) -> None:
    text = percent(share, language)
    assert text.endswith("%")
    value = float(text.removesuffix("%").replace("\u00a0", "").replace(",", "."))
    assert abs(value - share * 100) <= 0.5


@given(
    st.lists(
        st.tuples(st.text(max_size=3), st.integers(0, 1000)),
        max_size=30,
        unique_by=lambda item: item[0],
    ),
    st.integers(1, 10),
)
def test_collapse_keeps_the_largest_and_the_sum(items: list[tuple[str, int]], keep: int) -> None:
    result = collapse(items, keep, "other")

    assert sum(value for _, value in result) == sum(value for _, value in items)
    assert len(result) <= keep + 1
    if len(items) <= keep + 1:
        assert result == items
    else:
        kept = result[:-1]
        assert result[-1][0] == "other"
        assert [item for item in items if item in kept] == kept  # in their order
        dropped = list(items)
        for item in kept:
            dropped.remove(item)
        assert min(value for _, value in kept) >= max(value for _, value in dropped)


def test_the_same_figure_is_the_same_svg_with_a_given_prefix(tables: analytics.Analytics) -> None:
    figure = charts.agents(tables.agents)
    first = charts.to_svg(figure, id_prefix="agents-")
    assert first == charts.to_svg(figure, id_prefix="agents-")
    assert all(name.startswith("agents-") for name in re.findall(r'\bid="([^"]+)"', first))


def test_a_prefix_that_is_no_name_is_refused(tables: analytics.Analytics) -> None:
    with pytest.raises(ccr.errors.OptionsError, match="id_prefix"):
        charts.to_svg(charts.agents(tables.agents), id_prefix='x"><script>')
