"""Reading the List Management API's JSON into the model (docs/platform-api.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest

import cloudcontact_results as ccr
from cloudcontact_results.errors import (
    CampaignMismatchError,
    PlatformDataError,
    UnknownDispositionError,
)

UTC = dt.UTC
SOLD = ccr.Disposition("Product sold", code="7", final=True)
LATER = ccr.Disposition("Try again later", code="3")
CAMPAIGN = ccr.Campaign(
    "Sales",
    [ccr.CallingList("list.csv", ["firstname", "phone", "id", "lastname", "status"])],
    script_fields=[ccr.ScriptField("comment"), ccr.ScriptField("agent")],
    dispositions=[SOLD, LATER],
)

#: The example answer of Get Updated Records in the platform's published Postman
#: collection (List Management API), two of its four records.
POSTMAN_CHANGED = """[
  {"entry": {"firstname": "Graham", "phone": "16509999999", "id": "1", "lastname": "Smith",
             "status": "Gold"},
   "completed": false, "recordDisposition": "", "recordDispositionCode": "", "totalAttempts": 1,
   "attempts": [{"call_attempted": false, "disposition": "No disposition", "dispositionCode": "",
                 "date": "2021-02-19T19:11:40.000", "phone": "16509999999", "callDuration": 0,
                 "dialingDuration": 0, "callNotes": "", "agent": "elizabeth",
                 "globalInteractionID": "0B767156-D012-4F63-A3E2-12ACFC2F26EA",
                 "CPADuration": 0}]},
  {"entry": {"firstname": "Katrina", "phone": "16505555555", "id": "3", "lastname": "Johnson",
             "status": "Silver"},
   "completed": true, "recordDisposition": "Product sold", "recordDispositionCode": "",
   "totalAttempts": 1,
   "attempts": [{"call_attempted": false, "disposition": "Product sold", "dispositionCode": "",
                 "date": "2021-02-19T19:12:37.000", "phone": "16505555555", "callDuration": 0,
                 "dialingDuration": 0, "callNotes": "", "agent": "elizabeth",
                 "globalInteractionID": "9D914127-C1C4-4587-8B30-4E2A9790D184",
                 "CPADuration": 0}]}
]"""

#: The example answer of Get Completed Records in the same collection.
POSTMAN_COMPLETED = """[
  {"completedTime": "2021-02-19T19:12:37.000",
   "entry": {"firstname": "Katrina", "phone": "16502222222", "id": "3", "lastname": "Johnson",
             "status": "Silver"},
   "status": {"globalInteractionID": "9D914127-C1C4-4587-8B30-4E2A9790D184",
              "lastCallDuration": 0, "lastDisposition": "Product sold", "totalAttempts": 1,
              "completed": true, "lastAgent": "elizabeth", "lastPhone": "16502222222",
              "lastDate": "2021-02-19T19:12:37.000"}}
]"""

ENTRY = {"firstname": "Ivan", "phone": "79161234567", "id": "42"}


def changed(*attempts: dict[str, Any], **record: Any) -> list[dict[str, Any]]:
    """A one-record answer of getChanged with these attempts (newest first)."""
    return [{"entry": dict(ENTRY), "attempts": list(attempts), **record}]


def attempt(**values: Any) -> dict[str, Any]:
    return {"date": "2026-03-02T07:15:00.000", "phone": "79161234567", **values}


def parse_one(data: Any, **kwargs: Any) -> ccr.PlatformRecord:
    (found,) = ccr.parse_changed(data, CAMPAIGN, "list.csv", key_columns=["id"], **kwargs)
    return found


def detailed(records: list[ccr.Record], **options: Any) -> list[dict[str, str]]:
    """The detailed export's rows, by header (read with the csv module)."""
    buffer = io.BytesIO()
    ccr.export(CAMPAIGN, records, buffer, ccr.ExportOptions(format="detailed", **options))
    return list(csv.DictReader(io.StringIO(buffer.getvalue().decode("utf-8"), newline="")))


# --- the published examples -----------------------------------------------------------


def test_the_published_example_of_get_updated_records() -> None:
    graham, katrina = ccr.parse_changed(POSTMAN_CHANGED, CAMPAIGN, "list.csv", key_columns=["id"])
    assert graham.record.id == "1"
    assert graham.record.fields == {
        "firstname": "Graham",
        "phone": "16509999999",
        "id": "1",
        "lastname": "Smith",
        "status": "Gold",
    }
    (first,) = graham.record.attempts
    assert first.time == dt.datetime(2021, 2, 19, 19, 11, 40, tzinfo=UTC)
    assert first.is_call_attempt is False
    assert first.call_disposition == ccr.system_disposition("No disposition")
    assert first.agent == "elizabeth"
    assert first.record_disposition is None
    # Not dialled: the model keeps no interaction id, the extras keep what was sent.
    assert first.interaction_id == ""
    assert graham.attempt_extras == (
        {"Global Interaction ID": "0B767156-D012-4F63-A3E2-12ACFC2F26EA"},
    )
    assert graham.total_attempts == 1
    assert graham.activity == dt.datetime(2021, 2, 19, 19, 11, 40, tzinfo=UTC)
    assert graham.ignored == ()

    (sold,) = katrina.record.attempts
    assert sold.call_disposition is SOLD
    assert sold.record_disposition is SOLD  # the record's own completion, on its attempt
    assert sold.completed


def test_the_published_example_of_get_completed_records() -> None:
    (katrina,) = ccr.parse_status(POSTMAN_COMPLETED, CAMPAIGN, "list.csv", key_columns=["id"])
    assert katrina.record.fields["lastname"] == "Johnson"
    (last,) = katrina.record.attempts
    assert last.record_disposition is SOLD
    assert last.call_disposition is None  # the status does not say it
    assert last.phone == "16502222222"
    assert last.interaction_id == "9D914127-C1C4-4587-8B30-4E2A9790D184"
    assert last.time == dt.datetime(2021, 2, 19, 19, 12, 37, tzinfo=UTC)
    assert katrina.activity == dt.datetime(2021, 2, 19, 19, 12, 37, tzinfo=UTC)
    assert katrina.total_attempts == 1


def test_query_a_record_answers_one_object() -> None:
    answer = {
        "entry": {"id": "2", "lastname": "Miller"},
        "status": {
            "completed": False,
            "lastDisposition": "Try again later",
            "lastDate": "2021-02-19T19:12:21.000+0400",
            "lastPhone": "16505555555",
            "lastCallDuration": 31,
            "lastAgent": "elizabeth",
            "totalAttempts": 2,
        },
    }
    (found,) = ccr.parse_status(answer, CAMPAIGN, "list.csv", key_columns=["id"])
    (last,) = found.record.attempts
    assert last.call_disposition is LATER
    assert last.record_disposition is None
    assert last.answered_duration == 31
    assert last.time == dt.datetime(2021, 2, 19, 15, 12, 21, tzinfo=UTC)
    assert found.total_attempts == 2


def test_a_record_never_called_has_no_attempt() -> None:
    answer = [{"index": 0, "entry": {"id": "9"}, "status": {"completed": False}}]
    (found,) = ccr.parse_status(answer, CAMPAIGN, "list.csv", key_columns=["id"])
    assert found.record.attempts == ()
    assert found.activity is None


# --- keys -----------------------------------------------------------------------------


def test_every_attempt_value_is_read() -> None:
    found = parse_one(
        changed(
            attempt(
                call_attempted=True,
                disposition="Try again later",
                dispositionCode="3",
                date="2026-03-02T07:15:00.250",
                callNotes="перезвонить вечером",
                agent="ivanova",
                CPAResult="Voice",
                dialingDuration=12,
                cpaDuration=2,
                callDuration=95,
                globalInteractionID="A-1",
                CPARecordingFile="cpa_1.wav",
                CPARTPServerId="rtp1",
                recordingFile="rec_1.wav",
                RTPServerId="rtp2",
                isInbound=True,
                comment="доставка в пятницу",
            )
        )
    )
    (one,) = found.record.attempts
    assert one == ccr.Attempt(
        "79161234567",
        dt.datetime(2026, 3, 2, 7, 15, 0, 250000, tzinfo=UTC),
        call_disposition=LATER,
        note="перезвонить вечером",
        agent="ivanova",
        cpa_result=ccr.CPAResult.VOICE,
        dialing_duration=12,
        cpa_duration=2,
        answered_duration=95,
        interaction_id="A-1",
        cpa_recording="cpa_1.wav",
        cpa_rtp_server="rtp1",
        recording="rec_1.wav",
        rtp_server="rtp2",
        is_inbound=True,
        script_values={"comment": "доставка в пятницу"},
    )


def test_keys_are_matched_ignoring_case_spaces_and_underscores() -> None:
    # The help page writes cpaDuration, the Postman example CPADuration; the detailed
    # export's headers ("CPA recording file", "Is Call Attempt") name the same values.
    found = parse_one(
        changed(
            attempt(
                **{
                    "Is Call Attempt": True,
                    "CPA Duration": 4,
                    "CPA recording file": "c.wav",
                    "Answered Duration": 7,
                    "Global Interaction ID": "G",
                }
            )
        )
    )
    (one,) = found.record.attempts
    assert (one.cpa_duration, one.cpa_recording, one.answered_duration) == (4, "c.wav", 7)
    assert one.interaction_id == "G"


def test_one_value_under_two_spellings_must_agree() -> None:
    assert (
        parse_one(changed(attempt(cpaDuration=3, CPADuration=3))).record.attempts[0].cpa_duration
        == 3
    )
    with pytest.raises(PlatformDataError) as caught:
        parse_one(changed(attempt(cpaDuration=3, CPADuration=4)))
    assert caught.value.field == "$[0].attempts[0].CPADuration"


def test_unknown_keys_are_ignored_and_listed() -> None:
    found = parse_one(changed(attempt(mood="good", cpaDuration=1), priority=5, entry=dict(ENTRY)))
    assert found.record.attempts[0].cpa_duration == 1
    assert found.ignored == ("$[0].priority", "$[0].attempts[0].mood")


def test_missing_optional_keys_are_fine() -> None:
    found = parse_one(changed({"date": "2026-03-02T07:15:00"}))
    assert found.record.attempts == (ccr.Attempt("", dt.datetime(2026, 3, 2, 7, 15, tzinfo=UTC)),)
    assert parse_one([{"entry": {"id": "5"}}]).record.attempts == ()


def test_ani_and_action_applied_of_platform_5() -> None:
    found = parse_one(changed(attempt(ANI="74951234567", actionApplied="Retry in 1 h")))
    (one,) = found.record.attempts
    assert (one.ani, one.action_applied) == ("74951234567", "Retry in 1 h")
    assert found.attempt_extras == ({},)
    row = detailed([found.record], layout="5.x")[0]
    assert (row["ANI"], row["Action Applied"]) == ("74951234567", "Retry in 1 h")
    # Older platforms send neither: empty, as the model's default.
    (older,) = parse_one(changed(attempt())).record.attempts
    assert (older.ani, older.action_applied) == ("", "")


def test_attempts_come_newest_first_and_are_kept_oldest_first() -> None:
    found = parse_one(
        changed(
            attempt(date="2026-03-02T09:00:00.000", agent="c"),
            attempt(date="2026-03-02T08:00:00.000", agent="b2"),
            attempt(date="2026-03-02T08:00:00.000", agent="b1"),
            attempt(date="2026-03-02T07:00:00.000", agent="a"),
        )
    )
    assert [one.agent for one in found.record.attempts] == ["a", "b1", "b2", "c"]
    assert found.activity == dt.datetime(2026, 3, 2, 9, tzinfo=UTC)


# --- values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02T07:15:00.000", dt.datetime(2026, 3, 2, 7, 15, tzinfo=UTC)),
        ("2026-03-02T07:15:00", dt.datetime(2026, 3, 2, 7, 15, tzinfo=UTC)),
        ("2026-03-02T10:15:00.000+0300", dt.datetime(2026, 3, 2, 7, 15, tzinfo=UTC)),
        ("2026-03-02T10:15:00+03:00", dt.datetime(2026, 3, 2, 7, 15, tzinfo=UTC)),
        ("2026-03-02T07:15:00.123456789Z", dt.datetime(2026, 3, 2, 7, 15, 0, 123456, tzinfo=UTC)),
    ],
)
def test_times_are_utc_unless_they_say_otherwise(text: str, expected: dt.datetime) -> None:
    (one,) = parse_one(changed(attempt(date=text))).record.attempts
    assert one.time == expected
    assert one.time.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    "name", ["Answering machine", "ANSWERING_MACHINE", "answering machine", "Автоответчик", 2, "2"]
)
def test_a_cpa_result_is_read_by_name_or_number(name: Any) -> None:
    (one,) = parse_one(changed(attempt(CPAResult=name, callDuration=5))).record.attempts
    assert one.cpa_result is ccr.CPAResult.ANSWERING_MACHINE


def test_a_failed_dials_system_note_gives_its_cpa_result_and_sip_code() -> None:
    found = parse_one(
        changed(
            attempt(
                disposition="Busy",
                CPAResult="Busy",
                callNotes="CPA: Busy (6); SIP: 486 Busy Here",
                globalInteractionID="X",
            )
        )
    )
    (one,) = found.record.attempts
    assert (one.note, one.cpa_result, one.sip_code) == ("", ccr.CPAResult.BUSY, 486)
    assert detailed([found.record])[0]["Call Note"] == "CPA: Busy (6); SIP: 486 Busy Here"


def test_an_agents_note_stays_a_note() -> None:
    # Answered: a note is the agent's, whatever it looks like.
    answered = parse_one(changed(attempt(callNotes="SIP: 486 Busy Here", callDuration=30)))
    assert answered.record.attempts[0].note == "SIP: 486 Busy Here"
    # A note that disagrees with the attempt's CPA result is not the system's either.
    odd = parse_one(changed(attempt(callNotes="CPA: Busy (6)", CPAResult="Silence")))
    assert odd.record.attempts[0].note == "CPA: Busy (6)"
    assert odd.record.attempts[0].sip_code is None


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("Москва", ccr.QuotaOutcome("Москва")),
        ("no match", ccr.QuotaOutcome(ccr.NO_MATCH)),
        ("не соответствует", ccr.QuotaOutcome(ccr.NO_MATCH)),
    ],
)
def test_quota_fields(group: str, expected: ccr.QuotaOutcome) -> None:
    found = parse_one(changed(attempt(call_attempted=False, outOfQuota=True, quotaGroup=group)))
    assert found.record.attempts[0].quota == expected


@pytest.mark.parametrize(
    ("values", "path", "reason"),
    [
        ({"dialingDuration": "twelve"}, "$[0].attempts[0].dialingDuration", "whole seconds"),
        ({"dialingDuration": -1}, "$[0].attempts[0].dialingDuration", ">= 0"),
        ({"dialingDuration": True}, "$[0].attempts[0].dialingDuration", "whole seconds"),
        ({"call_attempted": "maybe"}, "$[0].attempts[0].call_attempted", "true or false"),
        ({"date": "02.03.2026 07:15"}, "$[0].attempts[0].date", "ISO 8601"),
        ({"date": "2026-02-30T07:15:00"}, "$[0].attempts[0].date", "not a valid date-time"),
        ({"date": 1772435700}, "$[0].attempts[0].date", "ISO 8601"),
        ({"CPAResult": "Loud"}, "$[0].attempts[0].CPAResult", "CPA result"),
        ({"CPAResult": 12}, "$[0].attempts[0].CPAResult", "CPA result"),
        ({"agent": ["a", "b"]}, "$[0].attempts[0].agent", "JSON string"),
        ({"outOfQuota": True}, "$[0].attempts[0].quotaGroup", "name the group"),
        (
            {"dispositionCode": "1 2", "disposition": "Busy"},
            "$[0].attempts[0].dispositionCode",
            "letters, digits",
        ),
    ],
)
def test_a_wrong_value_names_its_json_path(values: dict[str, Any], path: str, reason: str) -> None:
    with pytest.raises(PlatformDataError, match=reason) as caught:
        parse_one(changed(attempt(**values)))
    assert caught.value.field == path
    assert isinstance(caught.value, ValueError)
    assert caught.value.field in str(caught.value)


@pytest.mark.parametrize(
    ("answer", "path", "reason"),
    [
        ('{"entry": {}}', "$", "JSON array"),
        ("[{", "$", "not valid JSON"),
        (b"\xff[]", "$", "not UTF-8"),
        ("[7]", "$[0]", "JSON object"),
        ('[{"attempts": []}]', "$[0].entry", "missing"),
        ('[{"entry": [1]}]', "$[0].entry", "JSON object"),
        ('[{"entry": {"id": "1"}, "attempts": {}}]', "$[0].attempts", "JSON array"),
        (
            '[{"entry": {"id": "1"}, "attempts": [{"phone": "1"}]}]',
            "$[0].attempts[0].date",
            "missing",
        ),
        ('[{"entry": {"id": "1", "Фамилия": "Егоров"}}]', "$[0].entry.Фамилия", "not a column"),
        ('[{"entry": {"id": "1", "phone": true}}]', "$[0].entry.phone", "JSON string"),
        ('[{"entry": {"phone": "1"}}]', "$[0].entry.id", "key column is empty"),
    ],
)
def test_a_wrong_shape_names_its_json_path(answer: Any, path: str, reason: str) -> None:
    with pytest.raises(PlatformDataError, match=reason) as caught:
        ccr.parse_changed(answer, CAMPAIGN, "list.csv", key_columns=["id"])
    assert caught.value.field == path


def test_numbers_in_an_entry_are_read_as_their_text() -> None:
    found = parse_one([{"entry": {"id": 42, "phone": 79161234567}}])
    assert found.record.fields == {"id": "42", "phone": "79161234567"}


# --- records --------------------------------------------------------------------------


def test_a_record_is_identified_by_key_columns_or_by_the_record_id() -> None:
    answer = [{"recordId": "R-17", "entry": dict(ENTRY)}]
    (by_id,) = ccr.parse_changed(answer, CAMPAIGN, "list.csv")
    assert by_id.record.id == "R-17"
    (by_keys,) = ccr.parse_changed(answer, CAMPAIGN, "list.csv", key_columns=["id", "phone"])
    assert by_keys.record.id == '["42", "79161234567"]'
    with pytest.raises(PlatformDataError, match="key_columns") as caught:
        ccr.parse_changed([{"entry": dict(ENTRY)}], CAMPAIGN, "list.csv")
    assert caught.value.field == "$[0].entry"


def test_the_list_and_key_columns_must_be_the_campaigns() -> None:
    with pytest.raises(CampaignMismatchError, match="list_name"):
        ccr.parse_changed("[]", CAMPAIGN, "Other list")
    with pytest.raises(CampaignMismatchError, match="key_columns"):
        ccr.parse_changed("[]", CAMPAIGN, "list.csv", key_columns=["Телефон"])


def test_an_empty_answer_has_no_records() -> None:
    assert ccr.parse_changed(b"[]", CAMPAIGN, "list.csv") == ()
    assert ccr.parse_status([], CAMPAIGN, "list.csv") == ()


def test_an_attempts_own_completion_wins_over_the_records() -> None:
    found = parse_one(
        changed(
            attempt(date="2026-03-02T09:00:00.000", disposition="Try again later", completed=False),
            attempt(
                date="2026-03-02T08:00:00.000",
                disposition="Product sold",
                completed=True,
                recordDisposition="Product sold",
            ),
            completed=True,
            recordDisposition="Product sold",
        )
    )
    first, callback = found.record.attempts
    assert first.record_disposition is SOLD
    assert callback.record_disposition is None
    assert found.record.completing_attempt is first


def test_a_completed_attempt_without_a_record_disposition_takes_its_call_disposition() -> None:
    found = parse_one(changed(attempt(disposition="Product sold", completed=True)))
    assert found.record.attempts[0].record_disposition is SOLD


def test_a_record_closed_with_its_last_attempts_status_is_read() -> None:
    # Manual, Appendix 1: a one-number list's record closes with the status of
    # its last attempt, which is not a final disposition.
    found = parse_one(
        changed(attempt(disposition="No answer"), completed=True, recordDisposition="No answer")
    )
    (one,) = found.record.attempts
    assert one.record_disposition == ccr.system_disposition("No answer")
    assert one.call_disposition == ccr.system_disposition("No answer")
    assert one.completed is True
    again = parse_one(changed(attempt(), completed=True, recordDisposition="Try again later"))
    assert again.record.attempts[0].record_disposition.name == "Try again later"


def test_a_status_sums_up_a_record_closed_with_a_connection_problem() -> None:
    (found,) = ccr.parse_status(
        {
            "entry": {"id": "5", "phone": "+79161234567"},
            "status": {
                "completed": True,
                "lastDate": "2026-03-02T08:00:00",
                "lastDisposition": "Нет ответа",
                "lastPhone": "+79161234567",
                "totalAttempts": 3,
            },
        },
        CAMPAIGN,
        "list.csv",
        key_columns=["id"],
    )
    (one,) = found.record.attempts
    assert one.record_disposition == ccr.system_disposition("No answer")


# --- dispositions ---------------------------------------------------------------------


def test_system_dispositions_are_found_in_either_language() -> None:
    found = parse_one(
        changed(
            attempt(date="2026-03-02T08:00:00", disposition="Занято"),
            attempt(date="2026-03-02T07:00:00", disposition="no answer"),
        )
    )
    assert [one.call_disposition for one in found.record.attempts] == [
        ccr.system_disposition("No answer"),
        ccr.system_disposition("Busy"),
    ]


def test_a_code_the_platform_sends_is_reported() -> None:
    found = parse_one(changed(attempt(disposition="Try again later", dispositionCode=31)))
    (one,) = found.record.attempts
    assert one.call_disposition is not None
    assert (one.call_disposition.name, one.call_disposition.code) == ("Try again later", "31")
    assert detailed([found.record])[0]["Call Disposition Code"] == "31"
    same = parse_one(changed(attempt(disposition="Try again later", dispositionCode="3")))
    assert same.record.attempts[0].call_disposition is LATER


def test_an_unknown_disposition_is_handled_as_export_handles_it() -> None:
    found = parse_one(changed(attempt(disposition="Перезвонить в мае", callDuration=20)))
    (one,) = found.record.attempts
    assert one.call_disposition == ccr.Disposition("Перезвонить в мае")
    with pytest.raises(UnknownDispositionError, match="Перезвонить в мае"):
        detailed([found.record])
    rows = detailed([found.record], report_unknown_dispositions=True)
    assert rows[0]["Call Disposition"] == "Disposition not found"


def test_parsing_is_pure_and_takes_decoded_json_too() -> None:
    decoded = json.loads(POSTMAN_CHANGED)
    assert ccr.parse_changed(
        decoded, CAMPAIGN, "list.csv", key_columns=["id"]
    ) == ccr.parse_changed(POSTMAN_CHANGED.encode(), CAMPAIGN, "list.csv", key_columns=["id"])
    assert decoded == json.loads(POSTMAN_CHANGED)  # not changed
