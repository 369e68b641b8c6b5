"""Properties of the reports over generated campaigns (docs/reports.md, docs/options.md)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from tests.conftest import examples
from tests.support.strategies import (
    ZONES,
    aware_datetimes,
    campaign_with_records,
    campaigns,
    records_for,
)

NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC
ZONE_NAMES = ("Europe/Moscow", "UTC", "America/New_York", "Asia/Yekaterinburg", "Europe/Berlin")


def detailed(campaign, records, **options) -> list[ccr.DetailedRow]:
    options.setdefault("format", "detailed")
    return list(ccr.detailed_rows(campaign, records, ccr.ExportOptions(**options)))


def simple(campaign, records, **options) -> list[ccr.SimpleRow]:
    return list(ccr.simple_rows(campaign, records, ccr.ExportOptions(**options)))


def attempts_of(records):
    return [(record, attempt) for record in records for attempt in record.attempts]


def bag(rows) -> Counter[str]:
    """Rows as a multiset (identical attempts give identical rows)."""
    return Counter(repr(row) for row in rows)


@pytest.mark.slow
@given(campaign_with_records())
def test_unfiltered_detailed_rows_are_all_attempts_in_order(drawn):
    campaign, records = drawn
    rows = detailed(campaign, records)
    assert [(r.record_id, r.call_time, r.this_phone_number) for r in rows] == [
        (record.id, attempt.time, attempt.phone) for record, attempt in attempts_of(records)
    ]


@pytest.mark.slow
@given(campaign_with_records())
def test_simple_rows_are_all_records_in_order(drawn):
    campaign, records = drawn
    rows = simple(campaign, records)
    assert [r.list_name for r in rows] == [record.list_name for record in records]
    for row, record in zip(rows, records, strict=True):
        assert {k: v for k, v in row.fields.items() if v} == {
            k: v for k, v in record.fields.items() if v
        }
        assert row.completed == any(attempt.completed for attempt in record.attempts)
        if record.attempts:
            latest = max(attempt.time.astimezone(UTC) for attempt in record.attempts)
            assert row.last_call_time.astimezone(UTC) == latest
        else:
            assert row.last_call_time is None


@pytest.mark.slow
@given(campaign_with_records())
def test_total_attempts_counts_the_dialled_detailed_rows(drawn):
    campaign, records = drawn
    dialled = Counter(r.record_id for r in detailed(campaign, records) if r.is_call_attempt)
    for row, record in zip(simple(campaign, records), records, strict=True):
        assert row.total_attempts == dialled[record.id]


def _partition(campaign, records, cuts, **options) -> list[list[ccr.DetailedRow]]:
    return [
        detailed(campaign, records, format="detailed-interval", interval=(start, end), **options)
        for start, end in itertools.pairwise(cuts)
    ]


@pytest.mark.slow
@given(campaign_with_records(), st.lists(aware_datetimes(), max_size=4), st.data())
def test_adjacent_intervals_partition_the_attempts(drawn, extra_cuts, data):
    campaign, records = drawn
    times = [attempt.time for _, attempt in attempts_of(records)]
    # Cutting exactly at attempt times checks the half-open bounds.
    at_attempts = data.draw(st.lists(st.sampled_from(times), max_size=3)) if times else []
    moments = sorted({t.astimezone(UTC) for t in [*times, *extra_cuts]})
    if not moments:
        return
    inner = sorted({t.astimezone(UTC) for t in [*extra_cuts, *at_attempts]})
    cuts = [moments[0] - dt.timedelta(seconds=1), *inner, moments[-1] + dt.timedelta(seconds=1)]
    cuts = sorted(set(cuts))
    parts = _partition(campaign, records, cuts)
    for (start, end), rows in zip(itertools.pairwise(cuts), parts, strict=True):
        assert all(start <= r.call_time < end for r in rows)
    assert bag(row for rows in parts for row in rows) == bag(detailed(campaign, records))


_TRANSITIONS = (
    dt.datetime(2026, 3, 8, 7, 0, tzinfo=UTC),  # 02:00 EST -> 03:00 EDT
    dt.datetime(2026, 11, 1, 6, 0, tzinfo=UTC),  # 02:00 EDT -> 01:00 EST
)


def _is_real_wall_time(naive: dt.datetime) -> bool:
    aware = naive.replace(tzinfo=NEW_YORK)
    return aware.astimezone(UTC).astimezone(NEW_YORK).replace(tzinfo=None) == naive


@st.composite
def _around_a_dst_change(draw):
    """A campaign whose attempts happen within hours of a New York DST change."""
    campaign = draw(campaigns())
    transition = draw(st.sampled_from(_TRANSITIONS))
    records = []
    for number in range(draw(st.integers(1, 4))):
        record = draw(records_for(campaign, max_attempts=5, record_id=str(number)))
        offsets = sorted(
            draw(
                st.lists(
                    st.integers(-3 * 3600, 3 * 3600),
                    min_size=len(record.attempts),
                    max_size=len(record.attempts),
                )
            )
        )
        attempts = [
            attrs.evolve(attempt, time=(transition + dt.timedelta(seconds=s)).astimezone(NEW_YORK))
            for attempt, s in zip(record.attempts, offsets, strict=True)
        ]
        records.append(attrs.evolve(record, attempts=attempts))
    wall = transition.astimezone(NEW_YORK).replace(tzinfo=None)
    naive_cuts = draw(
        st.lists(
            st.integers(-4 * 60, 4 * 60).map(lambda m: wall + dt.timedelta(minutes=m)),
            max_size=6,
        )
    )
    return campaign, records, transition, naive_cuts


@pytest.mark.slow
@settings(max_examples=examples(30))
@given(_around_a_dst_change())
def test_adjacent_naive_intervals_partition_the_attempts_across_dst(drawn):
    campaign, records, transition, naive_cuts = drawn
    naive = sorted({cut for cut in naive_cuts if _is_real_wall_time(cut)})
    # Aware outer bounds around naive inner ones, read in New York.
    cuts = [transition - dt.timedelta(days=1), *naive, transition + dt.timedelta(days=1)]
    parts = _partition(campaign, records, cuts, timezone="America/New_York")
    zone = "America/New_York"
    for (start, end), rows in zip(itertools.pairwise(cuts), parts, strict=True):
        options = ccr.ExportOptions(timezone=zone)
        low, high = options.localize(start), options.localize(end)
        assert all(low <= r.call_time.astimezone(UTC) < high for r in rows)
    assert bag(row for rows in parts for row in rows) == bag(detailed(campaign, records))


def _known_names(campaign, rows) -> list[str]:
    names = {d.name for d in campaign.dispositions}
    for row in rows:
        for attribute in ("record_disposition", "call_disposition", "last_call_disposition"):
            name = getattr(row, attribute, None)
            if name is not None:
                names.add(name)
    return sorted(names)


def _spelled(name: str, russian: bool) -> str:
    found = [d for d in ccr.SYSTEM_DISPOSITIONS if d.name == name]
    return found[0].label("ru") if russian and found else name


@pytest.mark.slow
@given(campaign_with_records(), st.data())
def test_disposition_filter_keeps_exactly_the_rows_showing_a_selected_one(drawn, data):
    campaign, records = drawn
    every_simple = simple(campaign, records)
    every_detailed = detailed(campaign, records)
    names = _known_names(campaign, every_simple + every_detailed) or ["Busy"]
    selected = data.draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
    spelled = [_spelled(name, data.draw(st.booleans())) for name in selected]
    chosen = set(selected)

    assert simple(campaign, records, dispositions=spelled) == [
        r for r in every_simple if {r.record_disposition, r.last_call_disposition} & chosen
    ]
    assert detailed(campaign, records, dispositions=spelled) == [
        r for r in every_detailed if {r.record_disposition, r.call_disposition} & chosen
    ]


_TIME_ATTRIBUTES = {
    column.header("en")
    for column in (*ccr.SIMPLE_COLUMNS, *ccr.DETAILED_COLUMNS)
    if column.kind is ccr.ColumnKind.TIME
}


@pytest.mark.slow
@given(
    campaign_with_records(),
    st.sampled_from(list(ccr.ReportFormat)),
    st.tuples(aware_datetimes(), aware_datetimes()).filter(lambda b: b[0] < b[1]) | st.none(),
    st.sampled_from(ZONE_NAMES),
    st.sampled_from(ZONE_NAMES),
)
def test_time_zone_changes_only_the_rendering(drawn, fmt, interval, zone, other_zone):
    campaign, records = drawn
    one = ccr.ExportOptions(format=fmt, interval=interval, timezone=zone)
    two = ccr.ExportOptions(format=fmt, interval=interval, timezone=other_zone)
    rows = list(ccr.report_rows(campaign, records, one))
    assert rows == list(ccr.report_rows(campaign, records, two))
    header = ccr.report_header(campaign, one)
    kept = [i for i, name in enumerate(header) if name not in _TIME_ATTRIBUTES]
    for row in rows:
        first, second = ccr.format_row(row, one), ccr.format_row(row, two)
        assert [first[i] for i in kept] == [second[i] for i in kept]


def test_zones_of_the_strategies_include_one_with_dst():
    # The DST property above is only meaningful if New York is one of the drawn zones.
    assert NEW_YORK in ZONES
