"""The reports, rule by rule (docs/reports.md and the filters of docs/options.md)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import attrs
import pytest

import cloudcontact_results as ccr
from tests.support.samples import AGREED, BUSY, NO_ANSWER

MOSCOW = ZoneInfo("Europe/Moscow")
NEW_YORK = ZoneInfo("America/New_York")
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=MOSCOW)
PHONE = "9055446868"

REFUSED = ccr.Disposition("Отказ", code="2", final=True)
ORDER = ccr.Disposition("Заказ", final=True)
CALL_BACK = ccr.Disposition("Перезвонить", code="CB")
FINALIZED = ccr.system_disposition("Finalized by dial rule")
NUMBER_DNC = ccr.system_disposition("Number matches DNC")


def naive(*parts: int) -> dt.datetime:
    """A naive date-time on purpose: interval bounds like it are read in the export zone."""
    return dt.datetime(*parts)  # noqa: DTZ001


CLIENTS = ccr.CallingList("Клиенты", ["№", "Фамилия", "Телефон"])
REGIONS = ccr.CallingList("Регионы", ["№", "Город", "Телефон", "Email"])
CAMPAIGN = ccr.Campaign(
    "Обзвон",
    [CLIENTS, REGIONS],
    script_fields=[
        ccr.ScriptField("Last name"),
        ccr.ScriptField("LPT", export=False),
        ccr.ScriptField("comment"),
        ccr.ScriptField("comment"),
    ],
    dispositions=[AGREED, REFUSED, ORDER, CALL_BACK],
)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def dial(minutes: float, disposition: ccr.Disposition | None = NO_ANSWER, **values):
    values.setdefault("phone", PHONE)
    return ccr.Attempt(time=at(minutes), call_disposition=disposition, **values)


def talk(minutes: float, disposition: ccr.Disposition, **values):
    """An answered call; it completes the record when the disposition is final."""
    values.setdefault("answered_duration", 60)
    values.setdefault("agent", "ivanov")
    if disposition.final:
        values.setdefault("record_disposition", disposition)
    return dial(minutes, disposition, **values)


def record(record_id: str, *attempts: ccr.Attempt, list_name: str = "Клиенты", **fields: str):
    if not fields:
        fields = {"№": record_id, "Фамилия": "Маслов", "Телефон": PHONE}
    return ccr.Record(record_id, list_name, fields, attempts)


def simple(records, campaign: ccr.Campaign = CAMPAIGN, **options) -> list[ccr.SimpleRow]:
    return list(ccr.simple_rows(campaign, records, ccr.ExportOptions(**options)))


def detailed(records, campaign: ccr.Campaign = CAMPAIGN, **options) -> list[ccr.DetailedRow]:
    options.setdefault("format", "detailed")
    return list(ccr.detailed_rows(campaign, records, ccr.ExportOptions(**options)))


def cells(row, **options) -> dict[str, str]:
    """The formatted cells of ``row`` by header (the list columns come first, so no clash)."""
    export = ccr.ExportOptions(format=_format_of(row), **options)
    return dict(zip(ccr.report_header(CAMPAIGN, export), ccr.format_row(row, export), strict=True))


def _format_of(row) -> str:
    return "simple" if isinstance(row, ccr.SimpleRow) else "detailed"


def only(rows):
    assert len(rows) == 1, rows
    return rows[0]


# --- the last attempt ----------------------------------------------------------------------------


def test_last_attempt_is_the_latest_in_time_not_in_order():
    row = only(simple([record("1", dial(10, BUSY, phone="111"), dial(5, phone="222"))]))
    assert row.last_call_disposition == "Busy"
    assert row.last_phone_called == "111"
    assert row.last_call_time == at(10)


def test_last_attempt_on_a_tie_is_the_later_in_order():
    row = only(simple([record("1", dial(10, BUSY, phone="111"), dial(10, phone="222"))]))
    assert row.last_call_disposition == "No answer"
    assert row.last_phone_called == "222"


def test_last_attempt_compares_instants_across_zones():
    # 08:00 UTC is 11:00 in Moscow: later than 10:30 Moscow despite the smaller wall clock.
    utc = ccr.Attempt(PHONE, dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC), call_disposition=BUSY)
    row = only(simple([record("1", utc, dial(30))]))
    assert row.last_call_disposition == "Busy"


def test_last_attempt_compares_instants_across_a_dst_fall_back():
    # 01:50 EDT (05:50 UTC) happens before 01:10 EST (06:10 UTC) on 2026-11-01.
    edt = ccr.Attempt("111", dt.datetime(2026, 11, 1, 1, 50, tzinfo=NEW_YORK))
    est = ccr.Attempt("222", dt.datetime(2026, 11, 1, 1, 10, tzinfo=NEW_YORK, fold=1))
    assert only(simple([record("1", edt, est)])).last_phone_called == "222"


def test_last_attempt_may_be_one_that_was_not_dialled():
    dnc = ccr.Attempt("", at(30), is_call_attempt=False, call_disposition=NUMBER_DNC)
    row = only(simple([record("1", dial(0), dial(10, BUSY), dnc)]))
    assert row.last_call_disposition == "Number matches DNC"
    assert row.last_phone_called == ""
    assert row.total_attempts == 2


def test_total_attempts_counts_only_dialled_attempts():
    quota = ccr.Attempt(PHONE, at(5), is_call_attempt=False, quota=ccr.QuotaOutcome("Москва"))
    row = only(simple([record("1", dial(0), quota, dial(10), dial(20))]))
    assert row.total_attempts == 3


# --- completion and record dispositions ----------------------------------------------------------


def test_completed_record_shows_the_completing_attempts_disposition():
    row = only(simple([record("1", dial(0), talk(10, AGREED))]))
    assert row.completed is True
    assert (row.record_disposition, row.record_disposition_code) == ("Согласен", "1")
    assert (row.last_call_disposition, row.last_call_disposition_code) == ("Согласен", "1")


def test_record_disposition_is_the_completing_attempts_even_when_not_the_last():
    row = only(simple([record("1", talk(0, REFUSED), talk(10, CALL_BACK, is_inbound=True))]))
    assert row.completed is True
    assert (row.record_disposition, row.record_disposition_code) == ("Отказ", "2")
    assert (row.last_call_disposition, row.last_call_disposition_code) == ("Перезвонить", "CB")


def test_record_not_completed_has_no_record_disposition():
    row = only(simple([record("1", dial(0), talk(10, CALL_BACK))]))
    assert row.completed is False
    assert row.record_disposition is None
    assert row.record_disposition_code is None


def test_system_record_disposition_of_a_failed_dial():
    row = only(simple([record("1", dial(0, record_disposition=FINALIZED))]))
    assert row.completed is True
    assert (row.record_disposition, row.record_disposition_code) == ("Finalized by dial rule", None)


def test_code_falls_back_to_the_campaigns_definition():
    uncoded = ccr.Disposition("Согласен", final=True)  # as an attempt may carry it
    row = only(simple([record("1", talk(0, uncoded))]))
    assert row.record_disposition_code == "1"
    assert row.last_call_disposition_code == "1"


def test_the_attempts_own_code_wins():
    recoded = ccr.Disposition("Согласен", code="77", final=True)
    row = only(simple([record("1", talk(0, recoded))]))
    assert row.record_disposition_code == "77"


def test_a_disposition_without_any_code_has_none():
    row = only(simple([record("1", talk(0, ORDER))]))
    assert (row.record_disposition, row.record_disposition_code) == ("Заказ", None)


def test_disposition_is_reported_by_its_canonical_name():
    # A system disposition given by its Russian name is reported by its English one.
    russian_busy = ccr.Disposition("Занято")
    row = only(simple([record("1", dial(0, russian_busy))]))
    assert row.last_call_disposition == "Busy"


# --- quotas --------------------------------------------------------------------------------------


def quota_stop(minutes: float, group) -> ccr.Attempt:
    return ccr.Attempt(PHONE, at(minutes), is_call_attempt=False, quota=ccr.QuotaOutcome(group))


def test_quota_stopped_last_attempt_is_out_of_quota_and_not_completed():
    row = only(simple([record("1", dial(0), quota_stop(10, "Москва"))]))
    assert row.out_of_quota is True
    assert row.quota_group == "Москва"
    assert row.completed is False


def test_quota_group_no_match():
    row = only(simple([record("1", quota_stop(0, ccr.NO_MATCH))]))
    assert row.quota_group is ccr.NO_MATCH
    assert cells(row)["Quota Group"] == "no match"
    assert cells(row)["Out of Quota"] == "1"
    assert cells(row, language="ru")["Группа квоты"] == "не соответствует"


def test_only_the_last_attempt_decides_out_of_quota():
    row = only(simple([record("1", quota_stop(0, "Москва"), dial(10))]))
    assert row.out_of_quota is False
    assert row.quota_group is None


def test_detailed_quota_columns_follow_each_attempt():
    rows = detailed([record("1", quota_stop(0, ccr.NO_MATCH), dial(10))])
    assert [(r.out_of_quota, r.quota_group) for r in rows] == [(True, ccr.NO_MATCH), (False, None)]


# --- last call values ----------------------------------------------------------------------------


def test_last_call_duration_agent_and_id_are_the_last_attempts():
    first = talk(0, CALL_BACK, answered_duration=300, agent="petrova", interaction_id="A1")
    last = talk(10, AGREED, answered_duration=125, agent="ivanov", interaction_id="B2")
    row = only(simple([record("1", first, last)]))
    assert row.last_call_duration == 125
    assert row.last_agent == "ivanov"
    assert row.global_interaction_id == "B2"
    assert row.list_name == "Клиенты"


def test_last_call_duration_of_a_failed_last_dial_is_zero():
    row = only(simple([record("1", talk(0, CALL_BACK, answered_duration=300), dial(10))]))
    assert row.last_call_duration == 0


# --- script fields -------------------------------------------------------------------------------


def test_header_has_exported_script_fields_in_script_order_repeats_included():
    header = ccr.report_header(CAMPAIGN)
    assert header[:8] == (
        "№",
        "Фамилия",
        "Телефон",
        "Город",
        "Email",
        "Last name",
        "comment",
        "comment",
    )
    assert "LPT" not in header
    assert header[8] == "Total attempts (per rec)"


def test_simple_script_values_are_the_latest_non_empty_per_field():
    attempts = (
        talk(0, CALL_BACK, script_values={"Last name": "Маслов", "comment": "первый", "LPT": "x"}),
        talk(10, CALL_BACK, script_values={"comment": ""}),
        talk(20, CALL_BACK, script_values={"comment": "второй"}),
        talk(30, CALL_BACK, script_values={"Last name": ""}),
    )
    row = only(simple([record("1", *attempts)]))
    assert row.script_fields == ("Маслов", "второй", "второй")


def test_detailed_script_values_are_the_attempts_own():
    attempts = (
        talk(0, CALL_BACK, script_values={"Last name": "Маслов", "LPT": "x"}),
        talk(10, AGREED, script_values={"comment": "пример"}),
    )
    rows = detailed([record("1", *attempts)])
    assert [r.script_fields for r in rows] == [("Маслов", "", ""), ("", "пример", "пример")]


def test_hidden_script_field_never_appears():
    hidden = talk(0, AGREED, script_values={"LPT": "секрет"})
    row = only(simple([record("1", hidden)]))
    assert "секрет" not in ccr.format_row(row)
    assert "секрет" not in ccr.format_row(only(detailed([record("1", hidden)])))


# --- records never attempted ---------------------------------------------------------------------


def test_record_never_attempted():
    row = only(simple([record("1")]))
    assert row.total_attempts == 0
    assert row.completed is False
    assert row.out_of_quota is False
    assert row.script_fields == ("", "", "")
    assert row.last_call_time is None
    assert row.last_call_duration is None
    text = cells(row)
    assert text["Total attempts (per rec)"] == "0"
    assert text["Completed"] == "0"
    assert text["Out of Quota"] == "0"
    for column in ("Record Disposition", "Last Phone Called", "Last Call Time", "Last Note"):
        assert text[column] == ""
    assert text["Last Call Duration"] == ""
    assert text["List Name"] == "Клиенты"
    assert detailed([record("1")]) == []


# --- list columns --------------------------------------------------------------------------------


def test_union_of_list_columns_in_first_seen_order_missing_values_empty():
    records = [
        record("1", **{"№": "1", "Фамилия": "Егоров"}),
        record("2", list_name="Регионы", **{"№": "2", "Город": "Казань", "Email": "a@b.ru"}),
    ]
    rows = simple(records)
    assert [dict(r.fields) for r in rows] == [
        {"№": "1", "Фамилия": "Егоров", "Телефон": "", "Город": "", "Email": ""},
        {"№": "2", "Фамилия": "", "Телефон": "", "Город": "Казань", "Email": "a@b.ru"},
    ]
    assert ccr.format_row(rows[1])[:5] == ["2", "", "", "Казань", "a@b.ru"]


def test_exporting_one_list_gives_its_columns_and_its_records_only():
    records = [record("1"), record("2", list_name="Регионы", Город="Казань")]
    options = ccr.ExportOptions(lists=["Регионы"])
    assert ccr.report_header(CAMPAIGN, options)[:4] == ("№", "Город", "Телефон", "Email")
    rows = simple(records, lists=["Регионы"])
    assert [r.list_name for r in rows] == ["Регионы"]
    assert list(rows[0].fields) == ["№", "Город", "Телефон", "Email"]


def test_unknown_list_in_options_is_an_error_naming_it():
    with pytest.raises(ccr.ResultsError, match="Нет такого"):
        ccr.simple_rows(CAMPAIGN, [], ccr.ExportOptions(lists=["Нет такого"]))


# --- notes ---------------------------------------------------------------------------------------


def test_system_note_of_a_failed_dial():
    attempt = dial(0, BUSY, cpa_result=ccr.CPAResult.BUSY, sip_code=486)
    row = only(simple([record("1", attempt)]))
    assert row.last_note == ccr.SystemNote(ccr.CPAResult.BUSY, 486)
    assert cells(row)["Last Note"] == "CPA: Busy (6); SIP: 486 Busy Here"
    assert (
        cells(row, language="ru")["Последний комментарий"] == "CPA: Занят (6); SIP: 486 Busy Here"
    )
    detail = only(detailed([record("1", attempt)]))
    assert cells(detail)["Call Note"] == "CPA: Busy (6); SIP: 486 Busy Here"


@pytest.mark.parametrize(
    ("cpa", "sip", "text"),
    [
        (None, 480, "SIP: 480 Temporarily Unavailable"),
        (ccr.CPAResult.RING_BACK, None, "CPA: Ring back (8)"),
    ],
)
def test_system_note_omits_the_absent_part(cpa, sip, text):
    row = only(simple([record("1", dial(0, cpa_result=cpa, sip_code=sip))]))
    assert cells(row)["Last Note"] == text


def test_agents_note_wins_over_the_system_note():
    attempt = dial(0, BUSY, cpa_result=6, sip_code=486, note="занято весь день")
    assert only(simple([record("1", attempt)])).last_note == "занято весь день"


def test_no_system_note_for_an_answered_call_or_a_dial_without_signals():
    answered = talk(0, CALL_BACK, cpa_result=ccr.CPAResult.VOICE, sip_code=200)
    silent = dial(0, NO_ANSWER)
    assert only(simple([record("1", answered)])).last_note == ""
    assert only(simple([record("1", silent)])).last_note == ""


# --- detailed rows -------------------------------------------------------------------------------


def test_detailed_row_follows_its_attempt():
    attempt = dial(
        5,
        BUSY,
        phone="+79161234567",
        cpa_result=ccr.CPAResult.BUSY,
        dialing_duration=12,
        cpa_duration=3,
        cpa_recording="cpa_1.wav",
        cpa_rtp_server="rtp1",
        interaction_id="GID-1",
    )
    inbound = talk(
        20,
        AGREED,
        is_inbound=True,
        answered_duration=95,
        agent="a.petrova",
        recording="rec_1.wav",
        rtp_server="rtp2",
        interaction_id="GID-2",
    )
    first, second = detailed([record("42", attempt, inbound, list_name="Клиенты")])
    assert (first.this_phone_number, first.call_time, first.is_call_attempt) == (
        "+79161234567",
        at(5),
        True,
    )
    assert (first.completed, first.record_disposition, first.record_disposition_code) == (
        False,
        None,
        None,
    )
    assert (first.call_disposition, first.call_disposition_code) == ("Busy", None)
    assert (first.dialing_duration, first.cpa_duration, first.answered_duration) == (12, 3, 0)
    assert first.cpa_result is ccr.CPAResult.BUSY
    assert (first.cpa_recording_file, first.cpa_rtp_server_id) == ("cpa_1.wav", "rtp1")
    assert (first.global_interaction_id, first.record_id, first.list_name) == (
        "GID-1",
        "42",
        "Клиенты",
    )
    assert first.is_inbound_call is False
    assert (second.completed, second.record_disposition, second.record_disposition_code) == (
        True,
        "Согласен",
        "1",
    )
    assert (second.agent, second.answered_duration, second.is_inbound_call) == (
        "a.petrova",
        95,
        True,
    )
    assert (second.recording_file, second.rtp_server_id) == ("rec_1.wav", "rtp2")
    assert second.cpa_result is None


def test_detailed_rows_keep_attempts_that_were_not_dialled():
    dnc = ccr.Attempt("", at(30), is_call_attempt=False, call_disposition=NUMBER_DNC)
    rows = detailed([record("1", dial(0), dnc)])
    assert [r.is_call_attempt for r in rows] == [True, False]


def test_rows_come_in_the_order_given_attempts_in_their_order():
    records = [record("9", dial(5), dial(1)), record("2", dial(0)), record("5", dial(3))]
    assert [r.fields["№"] for r in simple(records)] == ["9", "2", "5"]
    assert [(r.record_id, r.call_time) for r in detailed(records)] == [
        ("9", at(5)),
        ("9", at(1)),
        ("2", at(0)),
        ("5", at(3)),
    ]


def test_report_rows_follows_the_format():
    records = [record("1", dial(0), dial(1))]
    assert [type(r) for r in ccr.report_rows(CAMPAIGN, records)] == [ccr.SimpleRow]
    options = ccr.ExportOptions(format="detailed-interval")
    assert [type(r) for r in ccr.report_rows(CAMPAIGN, records, options)] == [ccr.DetailedRow] * 2


# --- disposition filter --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Busy", "Занято", "  занято "])
def test_disposition_filter_by_english_or_russian_name(name):
    records = [record("1", dial(0, BUSY)), record("2", dial(0, NO_ANSWER))]
    assert [r.fields["№"] for r in simple(records, dispositions=[name])] == ["1"]
    assert [r.record_id for r in detailed(records, dispositions=[name])] == ["1"]


def test_disposition_filter_finds_a_campaign_disposition_by_its_russian_name():
    agreed = ccr.Disposition("Agreed", final=True, name_ru="Согласна")
    campaign = ccr.Campaign("C", [CLIENTS], dispositions=[agreed])
    records = [record("1", talk(0, agreed)), record("2", dial(0, BUSY))]
    rows = ccr.simple_rows(campaign, records, ccr.ExportOptions(dispositions=["согласна"]))
    assert [r.record_disposition for r in rows] == ["Agreed"]


def test_unknown_disposition_in_the_filter_is_an_error_naming_it():
    with pytest.raises(ccr.errors.UnknownDispositionError, match="Согласна"):
        ccr.simple_rows(CAMPAIGN, [], ccr.ExportOptions(dispositions=["Согласна"]))


@pytest.mark.parametrize(
    ("selected", "kept"),
    [("Отказ", True), ("Перезвонить", True), ("Согласен", False), ("No answer", False)],
)
def test_simple_row_kept_if_record_or_last_call_disposition_selected(selected, kept):
    records = [record("1", dial(0), talk(10, REFUSED), talk(20, CALL_BACK))]
    assert len(simple(records, dispositions=[selected])) == int(kept)


def test_detailed_row_kept_if_call_or_record_disposition_selected():
    records = [record("1", dial(0, BUSY), dial(10, NO_ANSWER, record_disposition=FINALIZED))]
    rows = detailed(records, dispositions=["Завершен по правилу набора"])
    assert [r.call_time for r in rows] == [at(10)]
    rows = detailed(records, dispositions=["Busy", "No answer"])
    assert [r.call_time for r in rows] == [at(0), at(10)]


# --- interval ------------------------------------------------------------------------------------


def test_detailed_interval_is_half_open():
    records = [record("1", dial(0), dial(10), dial(20), dial(30))]
    rows = detailed(records, format="detailed-interval", interval=(at(10), at(30)))
    assert [r.call_time for r in rows] == [at(10), at(20)]


def test_detailed_interval_keeps_attempts_whatever_the_completion():
    records = [record("1", dial(0), dial(10)), record("2", dial(12), talk(40, AGREED))]
    rows = detailed(records, format="detailed-interval", interval=(at(5), at(20)))
    assert [(r.record_id, r.call_time) for r in rows] == [("1", at(10)), ("2", at(12))]


def test_naive_bounds_are_read_in_the_export_time_zone():
    records = [record("1", dial(0))]  # 10:00 Moscow = 07:00 UTC
    moscow = (naive(2026, 3, 2, 9, 30), naive(2026, 3, 2, 10, 30))
    assert len(detailed(records, format="detailed-interval", interval=moscow)) == 1
    assert detailed(records, format="detailed-interval", interval=moscow, timezone="UTC") == []
    utc_naive = (naive(2026, 3, 2, 6, 30), naive(2026, 3, 2, 7, 30))
    assert (
        len(detailed(records, format="detailed-interval", interval=utc_naive, timezone="UTC")) == 1
    )


def test_simple_interval_keeps_records_completed_inside():
    records = [
        record("in", dial(0), talk(10, AGREED)),
        record("before", talk(-60, AGREED), talk(10, CALL_BACK)),  # last attempt inside
        record("open", dial(10)),
        record("never"),
        record("after", talk(60, REFUSED)),
    ]
    rows = simple(records, interval=(at(5), at(60)))
    assert [r.fields["№"] for r in rows] == ["in"]


def test_detailed_interval_of_completion_keeps_all_attempts_of_those_records():
    records = [record("in", dial(-600), dial(0), talk(10, AGREED)), record("open", dial(10))]
    rows = detailed(records, interval=(at(5), at(60)))
    assert [r.call_time for r in rows] == [at(-600), at(0), at(10)]


def test_interval_compares_instants_across_a_dst_fall_back():
    # 2026-11-01 in New York: 01:00-02:00 happens twice (EDT, then EST).
    first = ccr.Attempt(PHONE, dt.datetime(2026, 11, 1, 1, 50, tzinfo=NEW_YORK))  # 05:50 UTC
    second = ccr.Attempt(PHONE, dt.datetime(2026, 11, 1, 1, 10, tzinfo=NEW_YORK, fold=1))  # 06:10
    records = [record("1", first, second)]
    wall = (naive(2026, 11, 1, 1, 0), naive(2026, 11, 1, 1, 55))  # 05:00-05:55 UTC
    options = {"format": "detailed-interval", "timezone": "America/New_York"}
    assert [r.call_time for r in detailed(records, interval=wall, **options)] == [first.time]
    aware = tuple(bound.replace(tzinfo=NEW_YORK) for bound in wall)
    assert [r.call_time for r in detailed(records, interval=aware, **options)] == [first.time]


# --- records meet their campaign -----------------------------------------------------------------


def test_record_of_an_unknown_list_names_the_record_and_the_list():
    with pytest.raises(ccr.errors.CampaignMismatchError, match=r"'77'.*Архив"):
        simple([ccr.Record("77", "Архив", {}, ())])


def test_record_field_not_a_column_of_its_list_names_the_record_and_the_column():
    with pytest.raises(ccr.errors.CampaignMismatchError, match=r"'77'.*Город"):
        detailed([record("77", Город="Казань")])


def test_script_value_of_an_unknown_field_names_the_record_and_the_field():
    attempt = talk(0, AGREED, script_values={"Отзыв": "хорошо"})
    with pytest.raises(ccr.errors.CampaignMismatchError, match=r"'77'.*Отзыв"):
        simple([record("77", attempt)])


UNKNOWN = ccr.Disposition("Перезвоните позже")


@pytest.mark.parametrize("report", [simple, detailed])
def test_unknown_disposition_names_the_record_and_the_disposition(report):
    with pytest.raises(ccr.errors.UnknownDispositionError, match=r"'77'.*Перезвоните позже"):
        report([record("77", dial(0, UNKNOWN), talk(10, AGREED))])


def test_unknown_disposition_can_be_reported_as_disposition_not_found():
    records = [record("77", dial(0, UNKNOWN))]
    row = only(simple(records, report_unknown_dispositions=True))
    assert (row.last_call_disposition, row.last_call_disposition_code) == (
        "Disposition not found",
        None,
    )
    detail = only(detailed(records, report_unknown_dispositions=True))
    assert detail.call_disposition == "Disposition not found"
    assert cells(row, language="ru")["Статус последней попытки"] == "Статус не найден"


def test_records_that_are_not_records_are_rejected():
    with pytest.raises(ccr.errors.CampaignMismatchError, match="records"):
        simple([{"id": "1"}])


def test_errors_arrive_when_the_bad_record_is_reached():
    rows = ccr.simple_rows(CAMPAIGN, [record("1"), ccr.Record("2", "Архив")])
    assert next(rows).fields["№"] == "1"
    with pytest.raises(ccr.errors.CampaignMismatchError, match="Архив"):
        next(rows)


# --- laziness ------------------------------------------------------------------------------------


def endless() -> Iterator[ccr.Record]:
    for number in itertools.count():
        yield record(str(number), dial(0), dial(1))


@pytest.mark.parametrize("rows", [ccr.simple_rows, ccr.detailed_rows, ccr.report_rows])
def test_an_endless_stream_yields_its_first_row_at_once(rows):
    assert next(rows(CAMPAIGN, endless())).fields["№"] == "0"


class Counting:
    """An iterable that counts how many records were pulled from it."""

    def __init__(self, records) -> None:
        self.records = records
        self.pulled = 0

    def __iter__(self):
        for item in self.records:
            self.pulled += 1
            yield item


@pytest.mark.parametrize("format_", ["simple", "detailed", "detailed-interval"])
def test_records_are_pulled_one_at_a_time(format_):
    source = Counting(record(str(n), dial(0), dial(1), dial(2)) for n in range(5))
    rows = ccr.report_rows(CAMPAIGN, source, ccr.ExportOptions(format=format_))
    assert source.pulled == 0
    next(rows)
    assert source.pulled == 1
    if format_ != "simple":
        next(rows)
        next(rows)
        assert source.pulled == 1
    next(rows)
    assert source.pulled == 2


def test_filtered_records_are_skipped_as_they_stream():
    source = Counting([record("1", list_name="Регионы", Город="Казань"), record("2"), record("3")])
    rows = ccr.simple_rows(CAMPAIGN, source, ccr.ExportOptions(lists=["Клиенты"]))
    assert next(rows).fields["№"] == "2"
    assert source.pulled == 2


def test_detailed_row_puts_every_value_in_its_own_attribute():
    # detailed_row builds the row by position (faster): every value here is
    # distinct, so a value in the wrong position shows up as a wrong attribute.
    quota_stop = ccr.Attempt(
        "+79160000001",
        at(1),
        call_disposition=CALL_BACK,
        quota=ccr.QuotaOutcome("Москва"),
        note="заметка",
        dialing_duration=11,
        cpa_duration=12,
        answered_duration=13,
        agent="agent-x",
        cpa_result=ccr.CPAResult.VOICE,
        cpa_recording="cpa.wav",
        cpa_rtp_server="cpa-rtp",
        recording="rec.wav",
        rtp_server="rtp",
        interaction_id="GID",
        is_inbound=True,
        script_values={"comment": "c", "Last name": "L", "LPT": "hidden"},
        ani="+74950000000",
        action_applied="Wait",
    )
    completed = ccr.Attempt(
        "+79160000002", at(2), call_disposition=AGREED, record_disposition=AGREED
    )
    rows = detailed([record("77", quota_stop, completed, list_name="Регионы", Город="Тула")])
    assert [attrs.asdict(row, recurse=False) for row in rows] == [
        {
            "fields": {"№": "", "Город": "Тула", "Телефон": "", "Email": "", "Фамилия": ""},
            "script_fields": ("L", "c", "c"),
            "this_phone_number": "+79160000001",
            "is_call_attempt": True,
            "completed": False,
            "record_disposition": None,
            "record_disposition_code": None,
            "out_of_quota": True,
            "quota_group": "Москва",
            "call_disposition": "Перезвонить",
            "call_disposition_code": "CB",
            "call_note": "заметка",
            "call_time": at(1),
            "dialing_duration": 11,
            "cpa_duration": 12,
            "answered_duration": 13,
            "agent": "agent-x",
            "cpa_result": ccr.CPAResult.VOICE,
            "cpa_recording_file": "cpa.wav",
            "cpa_rtp_server_id": "cpa-rtp",
            "recording_file": "rec.wav",
            "rtp_server_id": "rtp",
            "global_interaction_id": "GID",
            "record_id": "77",
            "list_name": "Регионы",
            "is_inbound_call": True,
            "ani": "+74950000000",
            "action_applied": "Wait",
            "extra": {},
        },
        {
            "fields": {"№": "", "Город": "Тула", "Телефон": "", "Email": "", "Фамилия": ""},
            "script_fields": ("", "", ""),
            "this_phone_number": "+79160000002",
            "is_call_attempt": True,
            "completed": True,
            "record_disposition": "Согласен",
            "record_disposition_code": "1",
            "out_of_quota": False,
            "quota_group": None,
            "call_disposition": "Согласен",
            "call_disposition_code": "1",
            "call_note": "",
            "call_time": at(2),
            "dialing_duration": 0,
            "cpa_duration": 0,
            "answered_duration": 0,
            "agent": "",
            "cpa_result": None,
            "cpa_recording_file": "",
            "cpa_rtp_server_id": "",
            "recording_file": "",
            "rtp_server_id": "",
            "global_interaction_id": "",
            "record_id": "77",
            "list_name": "Регионы",
            "is_inbound_call": False,
            "ani": "",
            "action_applied": "",
            "extra": {},
        },
    ]


# --- what the redesign pins with answer keys of its own ----------------------------------------

STRANGER = ccr.Disposition("Неизвестный статус", final=True)


@pytest.mark.parametrize(
    "options",
    [
        # The unknown disposition is on an attempt outside the interval: no row shows it.
        {"format": "detailed-interval", "interval": (naive(2026, 1, 1), naive(2026, 1, 2))},
        # ...or on a record no row shows: another disposition is selected.
        {"format": "detailed", "dispositions": ["Отказ"]},
        {"format": "simple", "dispositions": ["Отказ"]},
    ],
)
@pytest.mark.parametrize("where", ["call_disposition", "record_disposition"])
def test_an_unknown_disposition_raises_even_on_an_attempt_no_row_shows(options, where):
    # docs/development/decisions.md: whether a record fits its campaign does not depend on
    # the report format or the filters, so every attempt's dispositions are checked.
    attempt = ccr.Attempt(PHONE, at(5), **{where: STRANGER})
    records = [record("1", attempt)]
    rows = ccr.report_rows(CAMPAIGN, records, ccr.ExportOptions(**options))
    with pytest.raises(ccr.errors.UnknownDispositionError, match="Неизвестный статус"):
        list(rows)


def test_codes_and_quota_groups_that_look_like_formulas_are_guarded():
    minus_code = ccr.Disposition("Отказ", code="-A1", final=True)
    campaign = ccr.Campaign("Обзвон", [CLIENTS], dispositions=[minus_code])
    stopped = ccr.Attempt(PHONE, at(1), quota=ccr.QuotaOutcome("=HYPERLINK(1)"))
    completing = ccr.Attempt(
        PHONE, at(2), call_disposition=minus_code, record_disposition=minus_code
    )
    stream = io.BytesIO()
    ccr.export(
        campaign,
        [record("1", stopped), record("2", completing)],
        stream,
        ccr.ExportOptions(format="detailed"),
    )
    lines = stream.getvalue().decode().splitlines()
    # The Quota Group cell of the first attempt, the two code cells of the second.
    assert ",'=HYPERLINK(1)," in lines[1]
    assert lines[2].count(",'-A1,") == 2
