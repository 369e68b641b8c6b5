"""summary(): counts and rates of a report, from a file or straight from the report functions."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import given, settings

import cloudcontact_results as ccr
from tests.conftest import examples
from tests.support.samples import AGREED, NO_ANSWER
from tests.support.strategies import campaign_with_records

T0 = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


def campaign_and_records():
    campaign = ccr.Campaign("c", [ccr.CallingList("L", ["Телефон"])], dispositions=[AGREED])
    records = [
        ccr.Record(
            "1",
            "L",
            {"Телефон": "1"},
            [
                ccr.Attempt("1", T0, call_disposition=NO_ANSWER, cpa_result=8, dialing_duration=30),
                ccr.Attempt(
                    "1",
                    T0 + dt.timedelta(hours=1),
                    call_disposition=AGREED,
                    record_disposition=AGREED,
                    agent="ivanov",
                    answered_duration=60,
                    cpa_result=1,
                ),
            ],
        ),
        ccr.Record(
            "2",
            "L",
            {"Телефон": "2"},
            [
                ccr.Attempt("2", T0, call_disposition=NO_ANSWER, cpa_result=8),
                ccr.Attempt(
                    "2",
                    T0 + dt.timedelta(hours=2),
                    call_disposition=ccr.system_disposition("No disposition"),
                    agent="ivanov",
                    cpa_result=1,
                    answered_duration=5,
                ),
            ],
        ),
        ccr.Record("3", "L", {"Телефон": "3"}),
    ]
    return campaign, records


def test_detailed_summary():
    campaign, records = campaign_and_records()
    rows = ccr.detailed_rows(campaign, records, ccr.ExportOptions(format="detailed"))
    result = ccr.summary(rows)
    assert result.format is ccr.ReportFormat.DETAILED
    assert (result.rows, result.records, result.completed_records) == (4, 2, 1)
    assert result.attempts == 4
    assert result.answered == 2
    assert result.contact_rate == 0.5
    assert result.completion_rate == 0.5
    assert result.attempts_per_record == 2.0
    assert result.call_dispositions == {"No answer": 2, "Согласен": 1, "No disposition": 1}
    assert result.record_dispositions == {"Согласен": 1, None: 1}
    assert result.agents == {"ivanov": ccr.AgentFigures(2, 65, 1)}


def test_simple_summary_from_a_read_report():
    campaign, records = campaign_and_records()
    sink = io.BytesIO()
    ccr.export(campaign, records, sink, ccr.ExportOptions(language="ru"))
    sink.seek(0)
    result = ccr.read_report(sink).summary()
    assert result.format is ccr.ReportFormat.SIMPLE
    assert (result.rows, result.records, result.completed_records) == (3, 3, 1)
    assert result.attempts == 4
    assert result.completion_rate == 1 / 3
    assert result.contact_rate == 1.0  # both attempted records ended in a conversation
    assert result.record_dispositions == {None: 2, "Согласен": 1}
    assert result.call_dispositions == {"Согласен": 1, "No disposition": 1, None: 1}
    text = str(result)
    assert "simple report: 3 rows, 3 records" in text
    assert "completed: 1 (33.3%)" in text
    assert "ivanov: 2 attempts, 65 s talk, 1 completions" in text


def test_empty_summary():
    result = ccr.summary([])
    assert result.format is None
    assert result.completion_rate is None
    assert result.contact_rate is None
    assert result.attempts_per_record is None


@pytest.mark.slow
@settings(max_examples=examples(25))
@given(campaign_with_records(max_records=6))
def test_simple_and_detailed_agree_on_records(data):
    campaign, records = data
    simple = ccr.summary(ccr.simple_rows(campaign, records))
    detailed = ccr.summary(
        ccr.detailed_rows(campaign, records, ccr.ExportOptions(format="detailed"))
    )
    attempted = [record for record in records if record.attempts]
    assert simple.records == len(records)
    assert detailed.records == len(attempted)
    assert simple.completed_records == detailed.completed_records
    assert simple.attempts == detailed.attempts
    assert sum(simple.record_dispositions.values()) == simple.records
    assert sum(detailed.call_dispositions.values()) == detailed.rows
    assert 0 <= (detailed.contact_rate or 0) <= 1
