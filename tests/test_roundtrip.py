"""Round trip: what ``export`` writes, ``read_report`` reads back as the same typed rows."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from tests.conftest import examples
from tests.support.strategies import EXPORT_ZONES, campaign_with_records

# Zones without DST, with DST of an hour, of 30 minutes, at a quarter to, off the hour.
_ZONES = ("Asia/Yekaterinburg", *EXPORT_ZONES)

_COMBINATIONS = tuple(
    itertools.product(
        (ccr.ReportFormat.SIMPLE, ccr.ReportFormat.DETAILED),
        ("en", "ru"),
        ("platform", "excel", "excel-ru"),
        (False, True),  # compress
        (True, False),  # formula guard
        ("manual", "5.x"),  # layout
    )
)


def _to_the_second(
    row: ccr.SimpleRow | ccr.DetailedRow, zone: str | None = None
) -> ccr.SimpleRow | ccr.DetailedRow:
    """``row`` with its time in UTC, to the second: what a file can hold.

    With ``zone``, what a file of that zone holds: the wall clock there, so
    a wall-clock time of a DST fall-back names its first occurrence
    (``fold=0``). In UTC because (PEP 495) aware times in a DST fold never
    compare equal to times in another zone, even for the same instant.
    """
    name = "last_call_time" if isinstance(row, ccr.SimpleRow) else "call_time"
    moment = getattr(row, name)
    if moment is None:
        return row
    if zone is not None:
        moment = moment.astimezone(ZoneInfo(zone)).replace(fold=0)
    return attrs.evolve(row, **{name: moment.astimezone(dt.UTC).replace(microsecond=0)})


def _as_written(row, layout, zone="Europe/Moscow"):
    """``row`` as a file of ``layout`` holds it: only 5.x has ANI and Action Applied."""
    row = _to_the_second(row, zone)
    if isinstance(row, ccr.DetailedRow) and layout == "manual":
        return attrs.evolve(row, ani="", action_applied="")
    return row


def _round_trip(campaign, records, options):
    sink = io.BytesIO()
    result = ccr.export(campaign, records, sink, options)
    sink.seek(0)
    report = ccr.read_report(
        sink,
        timezone=options.timezone,
        script_fields=[field.name for field in campaign.exported_script_fields],
        formula_guard=options.formula_guard,
    )
    return result, report, list(report)


@pytest.mark.slow
@settings(max_examples=examples(40))
@given(
    campaign_with_records(max_records=6),
    st.sampled_from(_COMBINATIONS),
    st.sampled_from(_ZONES),
)
def test_read_report_reads_back_what_export_wrote(data, combination, zone):
    campaign, records = data
    report_format, language, dialect, compress, guard, layout = combination
    options = ccr.ExportOptions(
        format=report_format,
        language=language,
        dialect=dialect,
        compress=compress,
        formula_guard=guard,
        timezone=zone,
        layout=layout,
    )
    expected = [
        _as_written(row, layout, zone) for row in ccr.report_rows(campaign, records, options)
    ]

    result, report, rows = _round_trip(campaign, records, options)

    assert [_to_the_second(row) for row in rows] == expected
    assert report.extra_columns == ()
    assert result.rows == len(rows)
    assert report.format is report_format
    assert report.language == language
    assert report.dialect == dialect
    assert report.header == ccr.report_header(campaign, options)


def test_detailed_interval_export_reads_as_detailed():
    campaign, records = ccr.demo_campaign(20)
    records = list(records)
    start = min(a.time for r in records for a in r.attempts)
    options = ccr.ExportOptions(
        format="detailed-interval", interval=(start, start.replace(year=start.year + 1))
    )
    _, report, rows = _round_trip(campaign, records, options)
    assert report.format is ccr.ReportFormat.DETAILED
    expected = [_as_written(row, "manual") for row in ccr.report_rows(campaign, records, options)]
    assert [_to_the_second(row) for row in rows] == expected
    assert rows


def test_the_5x_layout_keeps_ani_and_action_applied():
    campaign, records = ccr.demo_campaign(30)
    records = list(records)
    options = ccr.ExportOptions(format="detailed", layout="5.x", language="ru")
    _, report, rows = _round_trip(campaign, records, options)
    attempts = [attempt for record in records for attempt in record.attempts]
    assert [(row.ani, row.action_applied) for row in rows] == [
        (attempt.ani, attempt.action_applied) for attempt in attempts
    ]
    assert any(row.ani for row in rows)
    assert any(row.action_applied for row in rows)
    assert [column.attribute for column in report.columns][-2:] == ["ani", "action_applied"]
