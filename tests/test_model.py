"""The domain model: validation on construction, derived properties, strategies.

Each validation rule of docs/model.md has its own test; every rejection must
be a ``ccr.errors.ValidationError`` (hence a ``ValueError``) whose message
names the field and the value.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import pickle
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cloudcontact_results as ccr
from tests.support.samples import AGREED, BUSY
from tests.support.strategies import (
    attempts_for,
    aware_datetimes,
    calling_lists,
    campaign_with_records,
    campaigns,
    records_for,
    user_dispositions,
)

MOSCOW = ZoneInfo("Europe/Moscow")
T0 = dt.datetime(2024, 3, 1, 10, 0, tzinfo=MOSCOW)
CALL_BACK = ccr.Disposition("Перезвонить", code="2")
CLIENTS = ccr.CallingList("Клиенты", ["№", "Фамилия", "Телефон"])


@contextlib.contextmanager
def rejected(field: str, value: Any) -> Iterator[pytest.ExceptionInfo[ccr.errors.ValidationError]]:
    """Expect a ValidationError (a ValueError) naming ``field`` and ``value``."""
    with pytest.raises(ccr.errors.ValidationError) as info:
        yield info
    error = info.value
    assert isinstance(error, ValueError)
    assert isinstance(error, ccr.ResultsError)
    assert error.field == field
    assert error.value == value
    message = str(error)
    assert field in message
    assert repr(value) in message


def attempt(**changes: Any) -> ccr.Attempt:
    values: dict[str, Any] = {"phone": "+79161234567", "time": T0}
    values.update(changes)
    return ccr.Attempt(**values)


# --- Attempt ------------------------------------------------------------------


def test_valid_attempt_defaults():
    a = attempt()
    assert a.is_call_attempt is True
    assert a.call_disposition is None
    assert a.record_disposition is None
    assert (a.dialing_duration, a.cpa_duration, a.answered_duration) == (0, 0, 0)
    assert (a.note, a.agent, a.interaction_id, a.recording) == ("", "", "", "")
    assert a.cpa_result is None
    assert a.sip_code is None
    assert dict(a.script_values) == {}
    assert a.completed is False
    assert a.is_failed_dial is True


def test_naive_datetime_is_rejected():
    naive = dt.datetime(2024, 3, 1, 10, 0)  # noqa: DTZ001 - the point of the test
    with rejected("Attempt.time", naive) as info:
        attempt(time=naive)
    assert "naive" in str(info.value)


def test_time_must_be_a_datetime():
    with rejected("Attempt.time", "2024-03-01 10:00:00"):
        attempt(time="2024-03-01 10:00:00")
    with rejected("Attempt.time", dt.date(2024, 3, 1)):
        attempt(time=dt.date(2024, 3, 1))


def test_aware_datetime_in_any_zone_is_accepted():
    for zone in (dt.UTC, MOSCOW, dt.timezone(dt.timedelta(hours=5))):
        assert attempt(time=T0.astimezone(zone)).time == T0


DURATIONS = ("dialing_duration", "cpa_duration", "answered_duration")


@pytest.mark.parametrize("field", DURATIONS)
def test_negative_duration_is_rejected(field):
    with rejected(f"Attempt.{field}", -1):
        attempt(**{field: -1})


@pytest.mark.parametrize("field", DURATIONS)
@pytest.mark.parametrize("value", [1.5, 2.0, "3", True, None])
def test_duration_must_be_whole_seconds(field, value):
    with rejected(f"Attempt.{field}", value):
        attempt(**{field: value})


@pytest.mark.parametrize("field", DURATIONS)
def test_zero_and_positive_durations_are_accepted(field):
    assert getattr(attempt(**{field: 0}), field) == 0
    assert getattr(attempt(**{field: 3600}), field) == 3600


@pytest.mark.parametrize("value", [-1, 10, 99])
def test_cpa_result_outside_0_to_9_is_rejected(value):
    with rejected("Attempt.cpa_result", value) as info:
        attempt(cpa_result=value)
    assert "0-9" in str(info.value)


@pytest.mark.parametrize("value", ["6", 6.0, True])
def test_cpa_result_of_another_type_is_rejected(value):
    with rejected("Attempt.cpa_result", value):
        attempt(cpa_result=value)


@pytest.mark.parametrize("number", range(10))
def test_int_cpa_result_is_converted(number):
    result = attempt(cpa_result=number).cpa_result
    assert type(result) is ccr.CPAResult
    assert result == ccr.CPAResult(number)


def test_cpa_result_member_is_kept():
    assert attempt(cpa_result=ccr.CPAResult.SIT).cpa_result is ccr.CPAResult.SIT


@pytest.mark.parametrize("value", [99, 700, 0, "486", 486.0, True])
def test_sip_code_outside_the_sip_range_is_rejected(value):
    with rejected("Attempt.sip_code", value):
        attempt(sip_code=value)


def test_sip_code_in_range_is_accepted():
    assert attempt(sip_code=486).sip_code == 486


def test_is_inbound_needs_a_call_attempt():
    with rejected("Attempt.is_inbound", True):
        attempt(is_call_attempt=False, is_inbound=True)
    assert attempt(is_call_attempt=True, is_inbound=True).is_inbound is True


def test_interaction_id_needs_a_call_attempt():
    with rejected("Attempt.interaction_id", "GID-1"):
        attempt(is_call_attempt=False, interaction_id="GID-1")
    assert attempt(is_call_attempt=True, interaction_id="GID-1").interaction_id == "GID-1"
    assert attempt(is_call_attempt=False).interaction_id == ""


def test_quota_stopped_attempt_never_completes_the_record():
    quota = ccr.QuotaOutcome("Москва")
    with rejected("Attempt.record_disposition", "Согласен"):
        attempt(quota=quota, record_disposition=AGREED)
    with rejected("Attempt.record_disposition", "Finalized by dial rule"):
        attempt(
            quota=ccr.QuotaOutcome(ccr.NO_MATCH),
            record_disposition=ccr.system_disposition("Finalized by dial rule"),
        )
    stopped = attempt(is_call_attempt=False, quota=quota, call_disposition=None)
    assert stopped.completed is False
    assert stopped.quota == quota


def test_any_disposition_may_close_a_record():
    # SPEC §2: a record of a one-number list closes with its last attempt's
    # own status (manual, Appendix 1, "No numbers left to call").
    no_answer = ccr.system_disposition("No answer")
    closed = attempt(call_disposition=no_answer, record_disposition=no_answer)
    assert closed.completed is True
    assert attempt(record_disposition=CALL_BACK).completed is True
    dnc = ccr.system_disposition("Number matches DNC")
    assert attempt(is_call_attempt=False, record_disposition=dnc).completed is True
    assert attempt(record_disposition=AGREED).completed is True


def test_dnc_record_match_completes_without_dialling():
    dnc = ccr.system_disposition("Record matches DNC")
    a = attempt(is_call_attempt=False, call_disposition=dnc, record_disposition=dnc)
    assert a.completed is True
    assert a.is_failed_dial is False


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("call_disposition", "Busy"),
        ("record_disposition", "Согласен"),
        ("quota", "Москва"),
    ],
)
def test_dispositions_and_quota_must_be_objects(field, value):
    with rejected(f"Attempt.{field}", value):
        attempt(**{field: value})


@pytest.mark.parametrize(
    "field",
    [
        "phone",
        "note",
        "agent",
        "cpa_recording",
        "cpa_rtp_server",
        "recording",
        "rtp_server",
        "interaction_id",
    ],
)
def test_text_fields_must_be_text(field):
    with rejected(f"Attempt.{field}", None):
        attempt(**{field: None})
    with rejected(f"Attempt.{field}", 42):
        attempt(**{field: 42})


@pytest.mark.parametrize("field", ["is_call_attempt", "is_inbound"])
@pytest.mark.parametrize("value", [1, 0, "yes", None])
def test_flags_must_be_bool(field, value):
    with rejected(f"Attempt.{field}", value):
        attempt(**{field: value})


def test_script_values_must_be_text():
    with rejected("Attempt.script_values['comment']", 5):
        attempt(script_values={"comment": 5})
    with rejected("Attempt.script_values", 5):
        attempt(script_values={5: "x"})
    with rejected("Attempt.script_values", ["comment"]):
        attempt(script_values=["comment"])


def test_script_values_are_copied():
    given_values = {"comment": "перезвонить вечером"}
    a = attempt(script_values=given_values)
    given_values["comment"] = "changed"
    assert a.script_values == {"comment": "перезвонить вечером"}


def test_is_failed_dial():
    assert attempt(answered_duration=0).is_failed_dial is True
    assert attempt(answered_duration=5).is_failed_dial is False
    assert attempt(is_call_attempt=False).is_failed_dial is False


# --- QuotaOutcome ---------------------------------------------------------------


@pytest.mark.parametrize(
    "group",
    ["no match", "No Match", "  NO   match ", "не соответствует", "Не Соответствует"],
)
def test_quota_group_spelled_no_match_is_rejected(group):
    with rejected("QuotaOutcome.group", group) as info:
        ccr.QuotaOutcome(group)
    assert "NO_MATCH" in str(info.value)


@pytest.mark.parametrize("group", ["", "   ", None, 5])
def test_quota_group_must_be_non_empty_text(group):
    with rejected("QuotaOutcome.group", group):
        ccr.QuotaOutcome(group)


def test_quota_labels():
    assert ccr.QuotaOutcome("Москва").label() == "Москва"
    assert ccr.QuotaOutcome("Москва").label("ru") == "Москва"
    assert ccr.QuotaOutcome(ccr.NO_MATCH).label() == "no match"
    assert ccr.QuotaOutcome(ccr.NO_MATCH).label("en") == "no match"
    assert ccr.QuotaOutcome(ccr.NO_MATCH).label("ru") == "не соответствует"
    assert ccr.QuotaOutcome(ccr.NO_MATCH).label(ccr.Language.RU) == "не соответствует"
    assert repr(ccr.NO_MATCH) == "NO_MATCH"
    # A group whose name merely contains the words is a group.
    assert ccr.QuotaOutcome("no match 2").group == "no match 2"


# --- CallingList, ScriptField, Campaign ---------------------------------------------


def test_duplicate_column_names_are_rejected():
    with rejected("CallingList.columns", "Телефон") as info:
        ccr.CallingList("Клиенты", ["№", "Телефон", "Адрес", "Телефон"])
    assert "twice" in str(info.value)


@pytest.mark.parametrize("column", ["", "  ", None, 3])
def test_column_names_must_be_non_empty_text(column):
    with rejected("CallingList.columns[1]", column):
        ccr.CallingList("Клиенты", ["№", column])


@pytest.mark.parametrize("columns", [5, None])
def test_columns_must_be_a_sequence(columns):
    with rejected("CallingList.columns", columns):
        ccr.CallingList("Клиенты", columns)


def test_columns_keep_their_order():
    assert CLIENTS.columns == ("№", "Фамилия", "Телефон")
    assert ccr.CallingList("x", iter(["b", "a"])).columns == ("b", "a")


@pytest.mark.parametrize("name", ["", "   ", None])
def test_names_must_be_non_empty_text(name):
    with rejected("CallingList.name", name):
        ccr.CallingList(name, ["№"])
    with rejected("ScriptField.name", name):
        ccr.ScriptField(name)
    with rejected("Campaign.name", name):
        ccr.Campaign(name, [CLIENTS])


@pytest.mark.parametrize("value", ["no", 0, None])
def test_script_field_export_must_be_bool(value):
    with rejected("ScriptField.export", value):
        ccr.ScriptField("comment", export=value)
    assert ccr.ScriptField("comment").export is True


def test_duplicate_list_names_are_rejected():
    other = ccr.CallingList("Клиенты", ["Телефон"])
    with rejected("Campaign.lists", "Клиенты") as info:
        ccr.Campaign("Обзвон", [CLIENTS, other])
    assert "twice" in str(info.value)


def test_campaign_lists_must_be_calling_lists():
    with rejected("Campaign.lists[1]", "Клиенты"):
        ccr.Campaign("Обзвон", [CLIENTS, "Клиенты"])
    with rejected("Campaign.lists", None):
        ccr.Campaign("Обзвон", None)


def test_script_fields_must_be_script_fields():
    with rejected("Campaign.script_fields[0]", "comment"):
        ccr.Campaign("Обзвон", [CLIENTS], script_fields=["comment"])


@pytest.mark.parametrize(
    ("name", "system"),
    [
        ("Busy", "Busy"),
        ("busy", "Busy"),
        ("Занято", "Busy"),
        ("  ЗАНЯТО", "Busy"),
        ("Завершён по правилу набора", "Finalized by dial rule"),
        ("No  answer", "No answer"),
    ],
)
def test_a_campaign_disposition_with_a_system_name_configures_that_status(name, system):
    # SPEC §4: it configures the status's code and finality; both names, the
    # category and the description stay the catalogue's (manual, Appendix 1).
    own = ccr.Disposition(name.strip(), code="S7", final=True)
    campaign = ccr.Campaign("Обзвон", [CLIENTS], dispositions=[own])
    (configured,) = campaign.dispositions
    catalogue = ccr.system_disposition(system)
    assert (configured.code, configured.final) == ("S7", True)
    assert configured.name == catalogue.name
    assert configured.name_ru == catalogue.name_ru
    assert configured.category is catalogue.category
    assert configured.description == catalogue.description
    assert campaign.find_disposition(catalogue.name_ru or "") == configured


def test_a_status_configured_under_both_its_names_is_given_twice():
    with rejected("Campaign.dispositions", "Busy"):
        ccr.Campaign(
            "Обзвон",
            [CLIENTS],
            dispositions=[ccr.Disposition("Busy", code="1"), ccr.Disposition("Занято")],
        )


def test_a_disposition_with_the_names_of_two_statuses_is_rejected():
    with rejected("Campaign.dispositions", "Busy") as info:
        ccr.Campaign(
            "Обзвон", [CLIENTS], dispositions=[ccr.Disposition("Busy", name_ru="Нет ответа")]
        )
    assert "system disposition" in str(info.value)


def test_campaign_disposition_reusing_a_system_russian_name_is_rejected():
    own = ccr.Disposition("Agreed", name_ru="Занято")
    with rejected("Campaign.dispositions", "Занято"):
        ccr.Campaign("Обзвон", [CLIENTS], dispositions=[own])


def test_duplicate_campaign_dispositions_are_rejected():
    with rejected("Campaign.dispositions", "согласен"):
        ccr.Campaign("Обзвон", [CLIENTS], dispositions=[AGREED, ccr.Disposition("согласен")])
    # Two names that differ in English but coincide in a Russian report.
    with rejected("Campaign.dispositions", "Согласен"):
        ccr.Campaign(
            "Обзвон",
            [CLIENTS],
            dispositions=[AGREED, ccr.Disposition("Agreed", name_ru="Согласен")],
        )


def test_campaign_may_list_a_system_disposition_itself():
    campaign = ccr.Campaign("Обзвон", [CLIENTS], dispositions=[BUSY, AGREED])
    assert campaign.dispositions == (BUSY, AGREED)


def test_campaign_dispositions_must_be_dispositions():
    with rejected("Campaign.dispositions[0]", "Согласен"):
        ccr.Campaign("Обзвон", [CLIENTS], dispositions=["Согласен"])


def test_campaign_look_ups():
    prospects = ccr.CallingList("Prospects", ["Телефон", "Email"])
    campaign = ccr.Campaign(
        "Обзвон",
        [CLIENTS, prospects],
        script_fields=[
            ccr.ScriptField("LPT", export=False),
            ccr.ScriptField("comment"),
            ccr.ScriptField("product"),
            ccr.ScriptField("comment"),
        ],
        dispositions=[AGREED, CALL_BACK],
    )
    assert campaign.calling_list("Prospects") is prospects
    assert campaign.calling_list("prospects") is None
    assert [f.name for f in campaign.exported_script_fields] == ["comment", "product", "comment"]
    assert campaign.find_disposition("СОГЛАСЕН") is AGREED
    assert campaign.find_disposition("перезвонить") is CALL_BACK
    assert campaign.find_disposition("Занято") is BUSY
    assert campaign.find_disposition("Заказ") is None


# --- Record ---------------------------------------------------------------------


def test_non_text_field_values_are_rejected():
    with rejected("Record.fields['Телефон']", 79161234567):
        ccr.Record("1", "Клиенты", {"Телефон": 79161234567})
    with rejected("Record.fields['№']", None):
        ccr.Record("1", "Клиенты", {"№": None})
    with rejected("Record.fields", 1):
        ccr.Record("1", "Клиенты", {1: "x"})
    with rejected("Record.fields", [("Телефон", "1")]):
        ccr.Record("1", "Клиенты", [("Телефон", "1")])


@pytest.mark.parametrize("field", ["id", "list_name"])
@pytest.mark.parametrize("value", ["", " ", None, 7])
def test_record_id_and_list_name_must_be_non_empty_text(field, value):
    values = {"id": "1", "list_name": "Клиенты", field: value}
    with rejected(f"Record.{field}", value):
        ccr.Record(**values)


def test_record_attempts_must_be_attempts():
    with rejected("Record.attempts[1]", "busy"):
        ccr.Record("1", "Клиенты", attempts=[attempt(), "busy"])
    with rejected("Record.attempts", 3):
        ccr.Record("1", "Клиенты", attempts=3)


def test_record_defaults():
    record = ccr.Record("1", "Клиенты")
    assert record.fields == {}
    assert record.attempts == ()
    assert record.last_attempt is None
    assert record.completing_attempt is None


def test_last_attempt_is_the_latest_in_time():
    early = attempt(time=T0, phone="1")
    late = attempt(time=T0 + dt.timedelta(hours=1), phone="2")
    assert ccr.Record("1", "Клиенты", attempts=[early, late]).last_attempt is late
    # Given out of order, the time decides, not the position.
    assert ccr.Record("1", "Клиенты", attempts=[late, early]).last_attempt is late


def test_last_attempt_on_a_tie_is_the_later_in_order():
    first = attempt(time=T0, phone="1")
    second = attempt(time=T0.astimezone(dt.UTC), phone="2", is_call_attempt=False)
    record = ccr.Record("1", "Клиенты", attempts=[first, second])
    assert record.last_attempt is second
    record = ccr.Record("1", "Клиенты", attempts=[second, first])
    assert record.last_attempt is first


def test_last_attempt_compares_instants_across_zones():
    # 10:00 in Moscow is 07:00 UTC, 09:00 in Berlin is 08:00 UTC: Berlin is the later one.
    moscow = attempt(time=dt.datetime(2024, 3, 1, 10, 0, tzinfo=MOSCOW), phone="1")
    berlin = attempt(
        time=dt.datetime(2024, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")), phone="2"
    )
    assert ccr.Record("1", "Клиенты", attempts=[berlin, moscow]).last_attempt is berlin


def test_last_attempt_inside_a_dst_fall_back():
    new_york = ZoneInfo("America/New_York")
    first = attempt(time=dt.datetime(2024, 11, 3, 1, 45, tzinfo=new_york), phone="1")  # EDT
    second = attempt(time=dt.datetime(2024, 11, 3, 1, 10, tzinfo=new_york, fold=1), phone="2")
    assert second.time.astimezone(dt.UTC) > first.time.astimezone(dt.UTC)
    assert ccr.Record("1", "Клиенты", attempts=[first, second]).last_attempt is second
    assert ccr.Record("1", "Клиенты", attempts=[second, first]).last_attempt is second


def test_completing_attempt():
    busy = attempt(call_disposition=BUSY)
    done = attempt(
        time=T0 + dt.timedelta(minutes=5),
        call_disposition=AGREED,
        record_disposition=AGREED,
        answered_duration=60,
    )
    callback = attempt(time=T0 + dt.timedelta(days=1), is_inbound=True, answered_duration=30)
    record = ccr.Record("1", "Клиенты", attempts=[busy, done, callback])
    assert record.completing_attempt is done
    assert record.last_attempt is callback
    assert ccr.Record("1", "Клиенты", attempts=[busy]).completing_attempt is None


def test_model_objects_are_frozen():
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        attempt().phone = "x"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        CLIENTS.name = "x"  # type: ignore[misc]


# --- properties of the strategies' objects ---------------------------------------


def assert_valid_and_round_trips(obj: Any) -> None:
    attrs.validate(obj)
    assert attrs.evolve(obj) == obj
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        assert attrs.evolve(obj, **{field.name: value}) == obj


@given(aware_datetimes())
def test_aware_datetimes_are_aware_and_in_range(value):
    assert value.tzinfo is not None
    assert value.utcoffset() is not None
    # 2020-2030, or around Monrovia's change from -00:44:30 to UTC in January 1972.
    assert 2019 <= value.astimezone(dt.UTC).year <= 2031 or (
        str(value.tzinfo) == "Africa/Monrovia"
        and abs(value - dt.datetime(1972, 1, 7, 0, 44, 30, tzinfo=dt.UTC)) <= dt.timedelta(hours=2)
    )
    assert attempt(time=value).time == value


@given(user_dispositions())
def test_user_dispositions_are_valid(disposition):
    assert disposition.category is ccr.DispositionCategory.USER
    assert not disposition.is_system
    assert_valid_and_round_trips(disposition)
    # Accepted by a campaign: no collision with a system name.
    ccr.Campaign("c", [CLIENTS], dispositions=[disposition])


@given(calling_lists())
def test_calling_lists_are_valid(calling_list):
    assert calling_list.columns
    assert len(set(calling_list.columns)) == len(calling_list.columns)
    assert_valid_and_round_trips(calling_list)


@pytest.mark.slow
@given(campaigns())
def test_campaigns_are_valid(campaign):
    assert 1 <= len(campaign.lists) <= 3
    # Up to five of its own, and up to three configured system statuses.
    assert len([d for d in campaign.dispositions if not d.is_system]) <= 5
    assert len([d for d in campaign.dispositions if d.is_system]) <= 3
    assert_valid_and_round_trips(campaign)
    for calling_list in campaign.lists:
        assert_valid_and_round_trips(calling_list)
    for field in campaign.script_fields:
        assert_valid_and_round_trips(field)
    for disposition in campaign.dispositions:
        assert_valid_and_round_trips(disposition)


@pytest.mark.slow
@given(st.data())
def test_attempts_for_a_campaign_are_valid(data):
    campaign = data.draw(campaigns())
    a = data.draw(attempts_for(campaign))
    assert_valid_and_round_trips(a)
    for disposition in (a.call_disposition, a.record_disposition):
        if disposition is not None:
            assert campaign.defined_form(disposition) == campaign.find_disposition(disposition.name)
    assert set(a.script_values) <= {f.name for f in campaign.script_fields}


@pytest.mark.slow
@given(st.data())
def test_records_for_a_campaign_are_valid(data):
    campaign = data.draw(campaigns())
    record = data.draw(records_for(campaign, max_attempts=4))
    assert len(record.attempts) <= 4
    assert_valid_and_round_trips(record)


def _check_record_fits(campaign: ccr.Campaign, record: ccr.Record) -> None:
    calling_list = campaign.calling_list(record.list_name)
    assert calling_list is not None
    assert set(record.fields) <= set(calling_list.columns)
    script_names = {f.name for f in campaign.script_fields}
    instants = [a.time.astimezone(dt.UTC) for a in record.attempts]
    assert instants == sorted(instants)
    assert sum(a.completed for a in record.attempts) <= 1
    for a in record.attempts:
        assert_valid_and_round_trips(a)
        assert set(a.script_values) <= script_names
        for disposition in (a.call_disposition, a.record_disposition):
            if disposition is not None:
                # The campaign's own or configured one, or the catalogue's status.
                assert disposition in (
                    campaign.find_disposition(disposition.name),
                    ccr.system_disposition(disposition.name) if disposition.is_system else None,
                )
        if a.record_disposition is not None:
            assert a.quota is None
        if not a.is_call_attempt:
            assert a.interaction_id == ""
            assert a.is_inbound is False


@pytest.mark.slow
@given(campaign_with_records())
def test_campaign_with_records_fit_together(campaign_and_records):
    campaign, records = campaign_and_records
    assert len(records) <= 8
    assert len({r.id for r in records}) == len(records)
    for record in records:
        assert_valid_and_round_trips(record)
        _check_record_fits(campaign, record)


@pytest.mark.slow
@given(campaign_with_records(max_records=3))
def test_last_and_completing_attempt_properties(campaign_and_records):
    _, records = campaign_and_records
    for record in records:
        if not record.attempts:
            assert record.last_attempt is None
            continue
        # The latest instant; on a tie, the later position.
        # (Instants: aware datetimes sharing a tzinfo compare by wall clock.)
        latest = max(
            range(len(record.attempts)),
            key=lambda i: (record.attempts[i].time.astimezone(dt.UTC), i),
        )
        assert record.last_attempt is record.attempts[latest]
        completing = [a for a in record.attempts if a.record_disposition is not None]
        assert record.completing_attempt is (completing[-1] if completing else None)


# --- immutability, hashing, pickling ------------------------------------------------------------


def test_record_fields_and_script_values_cannot_change_after_validation():
    values = {"№": "1"}
    record = ccr.Record("1", "L", values, [ccr.Attempt("1", T0, script_values={"comment": "x"})])
    values["№"] = "2"  # the caller's dict is copied, not kept
    assert record.fields == {"№": "1"}
    with pytest.raises(TypeError):
        record.fields["№"] = "3"  # type: ignore[index]
    with pytest.raises(TypeError):
        record.attempts[0].script_values["comment"] = "y"  # type: ignore[index]


@pytest.mark.slow
@given(campaign_with_records(max_records=3))
def test_records_hash_and_pickle_like_values(campaign_and_records):
    _, records = campaign_and_records
    for record in records:
        copy = pickle.loads(pickle.dumps(record))  # noqa: S301 - our own bytes
        assert copy == record
        assert hash(copy) == hash(record)
        assert copy.fields == dict(record.fields)
