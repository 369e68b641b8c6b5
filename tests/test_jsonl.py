"""The JSON Lines campaign format: round trips, laziness, and errors naming line and field."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings

import cloudcontact_results as ccr
from cloudcontact_results import dump_campaign, load_campaign
from tests.conftest import examples
from tests.support.answers import as_campaign_defines
from tests.support.strategies import campaign_with_records

CAMPAIGN_LINE = {
    "type": "campaign",
    "name": "Опрос",
    "lists": [{"name": "Клиенты", "columns": ["№", "Телефон"]}],
    "script_fields": [{"name": "comment", "export": True}],
    "dispositions": [{"name": "Согласен", "code": "1", "final": True}],
}
GOOD_ATTEMPT = {
    "phone": "+79161234567",
    "time": "2026-03-02T09:15:00+03:00",
    "call_disposition": "Согласен",
    "record_disposition": "Согласен",
    "answered_duration": 95,
    "agent": "a.ivanova",
    "cpa_result": 1,
}


def _record(**changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "type": "record",
        "id": "1",
        "list": "Клиенты",
        "fields": {"№": "1", "Телефон": "+79161234567"},
        "attempts": [GOOD_ATTEMPT],
    }
    record.update(changes)
    return record


def _lines(*records: dict[str, object], campaign: dict[str, object] = CAMPAIGN_LINE) -> list[str]:
    return [json.dumps(campaign, ensure_ascii=False)] + [
        json.dumps(record, ensure_ascii=False) for record in records
    ]


def _load_all(lines: list[str]) -> tuple[ccr.Campaign, list[ccr.Record]]:
    campaign, records = load_campaign(lines)
    return campaign, list(records)


@pytest.mark.slow
@settings(max_examples=examples(40))
@given(campaign_with_records(max_records=6))
def test_dump_then_load_gives_the_same_campaign_and_records(
    drawn: tuple[ccr.Campaign, list[ccr.Record]],
) -> None:
    campaign, records = drawn
    stream = io.StringIO()

    written = dump_campaign(campaign, iter(records), stream)

    assert written == len(records)
    loaded, loaded_records = load_campaign(io.StringIO(stream.getvalue()))
    assert loaded == campaign
    assert list(loaded_records) == [as_campaign_defines(campaign, record) for record in records]


@pytest.mark.slow
@settings(max_examples=examples(15))
@given(campaign_with_records(max_records=4))
def test_round_trip_keeps_the_reports_byte_for_byte(
    drawn: tuple[ccr.Campaign, list[ccr.Record]],
) -> None:
    campaign, records = drawn
    stream = io.StringIO()
    dump_campaign(campaign, records, stream)
    loaded, loaded_records = load_campaign(stream.getvalue().splitlines())
    options = ccr.ExportOptions(format="detailed", layout="5.x")  # every attempt field

    first, second = io.BytesIO(), io.BytesIO()
    ccr.export(campaign, records, first, options)
    ccr.export(loaded, loaded_records, second, options)

    assert first.getvalue() == second.getvalue()


def test_a_path_is_read_lazily_and_closed(tmp_path: Path) -> None:
    path = tmp_path / "campaign.jsonl"
    path.write_text("\n".join(_lines(_record(), _record(id="2"))) + "\n", encoding="utf-8")

    campaign, records = load_campaign(path)
    path.write_text("\n".join(_lines(_record(id="3"))), encoding="utf-8")

    assert campaign.name == "Опрос"
    assert [record.id for record in records] == ["3"]  # read when iterated, not before


def test_records_never_read_leave_no_file_open(tmp_path: Path) -> None:
    path = tmp_path / "campaign.jsonl"
    path.write_text("\n".join(_lines(_record())), encoding="utf-8")

    load_campaign(path)  # ResourceWarning would fail the test (warnings are errors)


def test_blank_lines_and_a_bom_are_tolerated() -> None:
    lines = _lines(_record())
    lines[0] = "\ufeff" + lines[0]

    campaign, records = _load_all([lines[0], "", *lines[1:], "   ", ""])

    assert campaign.name == "Опрос"
    assert len(records) == 1


def test_attempt_fields_are_read() -> None:
    attempt = {
        "phone": "",
        "time": "2026-03-02T09:15:00Z",
        "is_call_attempt": False,
        "quota": {"no_match": True},
        "call_disposition": 'Номер есть в списке "Не звонить"',
        "script_values": {"comment": "нет"},
    }
    quota_attempt = {"phone": "1", "time": "2026-03-02T10:00:00+03:00", "quota": "Москва, 25-34"}

    _, (record,) = _load_all(_lines(_record(attempts=[attempt, quota_attempt])))

    first, second = record.attempts
    assert first.quota == ccr.QuotaOutcome(ccr.NO_MATCH)
    assert first.call_disposition == ccr.system_disposition("Number matches DNC")
    assert first.script_values == {"comment": "нет"}
    assert not first.is_call_attempt
    assert second.quota == ccr.QuotaOutcome("Москва, 25-34")


def test_the_5x_fields_are_read_and_written() -> None:
    attempt = {**GOOD_ATTEMPT, "ani": "+74951112233", "action_applied": "Stop calling record"}
    campaign, (record,) = _load_all(_lines(_record(attempts=[attempt])))

    assert record.attempts[0].ani == "+74951112233"
    assert record.attempts[0].action_applied == "Stop calling record"
    stream = io.StringIO()
    dump_campaign(campaign, [record], stream)
    written = json.loads(stream.getvalue().splitlines()[1])["attempts"][0]
    assert (written["ani"], written["action_applied"]) == ("+74951112233", "Stop calling record")


@pytest.mark.parametrize("key", ["ani", "action_applied"])
def test_a_5x_field_that_is_not_text_names_line_and_field(key: str) -> None:
    _, records = load_campaign(_lines(_record(attempts=[{**GOOD_ATTEMPT, key: 7}])))

    with pytest.raises(ccr.errors.ReadError) as caught:
        list(records)

    assert (caught.value.line, caught.value.column, caught.value.value) == (
        2,
        f"attempts[0].{key}",
        "7",
    )


def test_dump_leaves_out_default_fields() -> None:
    campaign, records = _load_all(_lines(_record()))
    stream = io.StringIO()

    dump_campaign(campaign, records, stream)

    attempt = json.loads(stream.getvalue().splitlines()[1])["attempts"][0]
    assert attempt == {**GOOD_ATTEMPT, "call_disposition": "Согласен"}


def test_dump_to_a_path(tmp_path: Path) -> None:
    campaign, records = ccr.demo_campaign(5)
    path = tmp_path / "demo.jsonl"

    assert dump_campaign(campaign, records, path) == 5

    loaded, loaded_records = load_campaign(path)
    assert loaded == campaign
    assert list(loaded_records) == list(ccr.demo_campaign(5)[1])


def test_dump_refuses_a_disposition_the_campaign_does_not_know() -> None:
    campaign, (record,) = _load_all(_lines(_record()))
    stranger = ccr.Disposition("Согласен", code="99", final=True)
    attempt = ccr.Attempt("1", record.attempts[0].time, call_disposition=stranger)

    with pytest.raises(ccr.errors.CampaignMismatchError, match=r"attempts\[0\]\.call_disposition"):
        dump_campaign(campaign, [ccr.Record("1", "Клиенты", {}, [attempt])], io.StringIO())


@pytest.mark.parametrize(
    ("lines", "line", "field", "fragment"),
    [
        ([], 1, None, "empty"),
        (["{not json"], 1, None, "not valid JSON"),
        (["[1, 2]"], 1, None, "JSON object"),
        ([json.dumps({**CAMPAIGN_LINE, "type": "record"})], 1, "type", "first line"),
        ([json.dumps({**CAMPAIGN_LINE, "nmae": "x"})], 1, "nmae", "not a field"),
        ([json.dumps({"type": "campaign", "lists": []})], 1, "name", "missing"),
        (
            [json.dumps({**CAMPAIGN_LINE, "lists": [{"name": "L", "columns": ["a", "a"]}]})],
            1,
            "lists[0].columns",
            "twice",
        ),
        (
            [json.dumps({**CAMPAIGN_LINE, "dispositions": [{"name": "X", "final": "yes"}]})],
            1,
            "dispositions[0].final",
            "True or False",
        ),
    ],
)
def test_a_bad_campaign_line_fails_at_once(
    lines: list[str], line: int, field: str | None, fragment: str
) -> None:
    with pytest.raises(ccr.errors.ReadError, match=fragment) as caught:
        load_campaign(lines)

    assert caught.value.line == line
    assert caught.value.column == field
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("record", "field", "fragment"),
    [
        (_record(id=None), "id", "JSON string"),
        (_record(list="Другой"), "list", "not a list"),
        (_record(fields={"Имя": "x"}), "fields", "not a column"),
        (_record(fields={"№": 1}), "fields.№", "JSON string"),
        (_record(kind="x"), "kind", "not a field"),
        (_record(attempts=[{**GOOD_ATTEMPT, "time": "вчера"}]), "attempts[0].time", "ISO 8601"),
        (
            _record(attempts=[{**GOOD_ATTEMPT, "time": "2026-03-02T09:15:00"}]),
            "attempts[0].time",
            "offset",
        ),
        (
            _record(attempts=[{**GOOD_ATTEMPT, "call_disposition": "Согласна"}]),
            "attempts[0].call_disposition",
            "neither",
        ),
        (
            _record(attempts=[{**GOOD_ATTEMPT, "record_disposition": "Busy", "quota": "Москва"}]),
            "attempts[0].record_disposition",
            "quota-stopped",
        ),
        (_record(attempts=[{**GOOD_ATTEMPT, "cpa_result": 12}]), "attempts[0].cpa_result", "0-9"),
        (
            _record(attempts=[{**GOOD_ATTEMPT, "is_inbound": "no"}]),
            "attempts[0].is_inbound",
            "True or False",
        ),
        (_record(attempts=[{**GOOD_ATTEMPT, "quota": 5}]), "attempts[0].quota", "quota group"),
        (
            _record(attempts=[{**GOOD_ATTEMPT, "quota": "no match"}]),
            "attempts[0].quota",
            "NO_MATCH",
        ),
        (_record(attempts=[{"time": GOOD_ATTEMPT["time"]}]), "attempts[0].phone", "missing"),
        (
            _record(attempts=[{**GOOD_ATTEMPT, "script_values": {"опрос": "да"}}]),
            "attempts[0].script_values",
            "not a script field",
        ),
        (
            _record(attempts=[{**GOOD_ATTEMPT, "dialing_duration": -1}]),
            "attempts[0].dialing_duration",
            ">= 0",
        ),
        ({**CAMPAIGN_LINE}, "type", "only the first line"),
    ],
)
def test_a_bad_record_line_names_the_line_and_field(
    record: dict[str, object], field: str, fragment: str
) -> None:
    lines = _lines(_record(), record)
    _, records = load_campaign(lines)
    assert next(records).id == "1"  # the good line before it is still read

    with pytest.raises(ccr.errors.ReadError, match=fragment) as caught:
        next(records)

    assert caught.value.line == 3
    assert caught.value.column == field
    assert str(caught.value).startswith(f"line 3, column {field!r}: ")


def test_line_numbers_count_blank_lines() -> None:
    lines = [*_lines(_record()), "", "{"]

    with pytest.raises(ccr.errors.ReadError, match="line 4"):
        _load_all(lines)


def test_a_missing_file_is_the_same_read_error_as_for_reports(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    with pytest.raises(ccr.errors.ReadError, match=r"cannot open .*missing\.jsonl") as campaign:
        ccr.load_campaign(missing)
    with pytest.raises(ccr.errors.ReadError, match=r"cannot open .*missing\.jsonl") as report:
        ccr.read_report(missing)
    assert type(campaign.value) is type(report.value)
    assert str(campaign.value) == str(report.value)
