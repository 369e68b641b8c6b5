"""The built-in sample campaign: deterministic, valid, and as varied as the manual."""

from __future__ import annotations

import collections
import io
import zoneinfo

import pytest

import cloudcontact_results as ccr

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


@pytest.fixture(scope="module")
def demo() -> tuple[ccr.Campaign, list[ccr.Record]]:
    campaign, records = ccr.demo_campaign(300)
    return campaign, list(records)


def test_the_same_seed_gives_the_same_data(demo: tuple[ccr.Campaign, list[ccr.Record]]) -> None:
    campaign, records = ccr.demo_campaign(300, seed=1)

    assert (campaign, list(records)) == demo


def test_another_seed_gives_other_records(demo: tuple[ccr.Campaign, list[ccr.Record]]) -> None:
    _, records = ccr.demo_campaign(300, seed=2)

    assert list(records) != demo[1]


def test_records_are_generated_lazily() -> None:
    _, records = ccr.demo_campaign(10**9)

    assert next(records).id == "1001"


def test_the_count_is_respected() -> None:
    assert len(list(ccr.demo_campaign(0)[1])) == 0
    assert len(list(ccr.demo_campaign(7)[1])) == 7


@pytest.mark.parametrize("bad", [-1, 2.5, True, "10"])
def test_a_bad_count_is_an_error(bad: object) -> None:
    with pytest.raises(ccr.errors.ValidationError, match="records"):
        ccr.demo_campaign(bad)  # type: ignore[arg-type]


def test_it_has_what_the_manual_describes(demo: tuple[ccr.Campaign, list[ccr.Record]]) -> None:
    campaign, records = demo
    attempts = [attempt for record in records for attempt in record.attempts]
    call_dispositions = collections.Counter(
        a.call_disposition.name for a in attempts if a.call_disposition is not None
    )

    assert {cl.name for cl in campaign.lists} == {r.list_name for r in records}
    assert set(campaign.lists[0].columns) != set(campaign.lists[1].columns)
    assert [f.name for f in campaign.script_fields].count("comment") == 2
    assert any(not field.export for field in campaign.script_fields)
    for name in ("Согласен", "Отказ", "Заказ", "Перезвонить", "Busy", "No answer"):
        assert call_dispositions[name] > 0, name
    assert any(not d.final for d in campaign.dispositions)
    assert {d.code for d in campaign.dispositions} >= {"1", "2", "3"}
    assert any(not record.attempts for record in records)
    assert any(a.quota == ccr.QuotaOutcome(ccr.NO_MATCH) for a in attempts)
    assert any(a.quota is not None and a.quota.group != ccr.NO_MATCH for a in attempts)
    assert call_dispositions["Record matches DNC"] > 0
    assert call_dispositions["Number matches DNC"] > 0
    assert any(a.is_inbound for a in attempts)
    assert not any(a.is_call_attempt for a in attempts if "DNC" in str(a.call_disposition))
    assert {a.sip_code for a in attempts} >= {486, 480, 404, 503}
    assert len({a.cpa_result for a in attempts}) >= 6
    assert any(a.answered_duration > 0 for a in attempts)
    assert any(any("+79" in value for value in record.fields.values()) for record in records)


def test_preview_dials_share_an_interaction_id(
    demo: tuple[ccr.Campaign, list[ccr.Record]],
) -> None:
    _, records = demo

    shared = [
        record
        for record in records
        if len({a.interaction_id for a in record.attempts if a.is_call_attempt})
        < sum(1 for a in record.attempts if a.is_call_attempt)
    ]

    assert shared
    assert all(record.list_name == "Повторный обзвон (превью)" for record in shared)


def test_attempts_carry_the_5x_fields(demo: tuple[ccr.Campaign, list[ccr.Record]]) -> None:
    _, records = demo
    preview = "Повторный обзвон (превью)"
    pairs = [(record.list_name, attempt) for record in records for attempt in record.attempts]

    # The campaign's caller id on its own dials; none in preview mode (5.x shows none
    # there) or without a dial; an inbound call's caller is the customer.
    for list_name, attempt in pairs:
        if attempt.is_inbound:
            assert attempt.ani == attempt.phone
        elif attempt.is_call_attempt and list_name != preview:
            assert attempt.ani == "+74951112233"
        else:
            assert attempt.ani == ""
    assert any(a.is_call_attempt and name == preview for name, a in pairs)
    actions = collections.Counter(attempt.action_applied for _, attempt in pairs)
    assert set(actions) == {
        "Retry",
        "Reschedule",
        "Reschedule (by agent)",
        "Wait",
        "Stop calling record",
        "Stop calling number for all campaigns",
    }
    for _, attempt in pairs:
        if attempt.record_disposition is not None:
            assert attempt.action_applied == "Stop calling record"


def test_attempts_are_spread_over_working_days_in_moscow(
    demo: tuple[ccr.Campaign, list[ccr.Record]],
) -> None:
    _, records = demo
    times = [attempt.time.astimezone(MOSCOW) for record in records for attempt in record.attempts]

    assert len({time.date() for time in times}) >= 4
    for record in records:
        moments = [attempt.time for attempt in record.attempts]
        assert moments == sorted(moments)


@pytest.mark.parametrize("report_format", list(ccr.ReportFormat))
def test_every_report_of_it_exports(
    demo: tuple[ccr.Campaign, list[ccr.Record]], report_format: ccr.ReportFormat
) -> None:
    campaign, records = demo
    options = ccr.ExportOptions(format=report_format, language="ru")

    result = ccr.export(campaign, records, io.BytesIO(), options)

    assert result.rows > 0
