"""One record that does not fit its campaign is refused alike by every way records come in.

Reports (both CSV loops and the typed rows), the results store (records and
the live feed), JSON Lines (writing and reading) and the platform's JSON each
refuse it with the same reason, naming the same place where they can.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

import cloudcontact_results as ccr
from cloudcontact_results.errors import (
    CampaignMismatchError,
    PlatformDataError,
    ReadError,
    UnknownDispositionError,
    UnknownNameError,
    ValidationError,
)
from tests.support.samples import AGREED

CAMPAIGN = ccr.Campaign(
    "Продажи",
    [ccr.CallingList("Клиенты", ["№", "Телефон"])],
    script_fields=[ccr.ScriptField("comment", export=False)],
    dispositions=[AGREED],
)
T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
REPORT_ADVICE = " (report_unknown_dispositions=True reports it as 'Disposition not found')"


def record(
    list_name: str = "Клиенты", fields: dict[str, str] | None = None, **attempt: Any
) -> ccr.Record:
    attempts = [ccr.Attempt("1", T0, **attempt)] if attempt else []
    return ccr.Record("7", list_name, fields or {"№": "7"}, attempts)


def export_error(bad: ccr.Record, report: str) -> ValidationError:
    records = [record(call_disposition=AGREED), bad]
    if report == "rows":
        with pytest.raises(ValidationError) as caught:
            list(ccr.detailed_rows(CAMPAIGN, records))
        return caught.value
    with pytest.raises(ValidationError) as caught:
        ccr.export(CAMPAIGN, records, io.BytesIO(), ccr.ExportOptions(format=report))
    return caught.value


def store_error(tmp_path: Path, add: Callable[[ccr.ResultsStore], object]) -> Exception:
    tmp_path.mkdir(exist_ok=True)
    with ccr.ResultsStore(tmp_path / "store.db") as store:
        store.put_campaign(CAMPAIGN)
        store.add_records(CAMPAIGN.name, [record()])
        with pytest.raises((ValidationError, UnknownNameError)) as caught:
            add(store)
        return caught.value


def records_error(tmp_path: Path, bad: ccr.Record) -> Exception:
    return store_error(tmp_path, lambda store: store.add_records(CAMPAIGN.name, [bad]))


def feed_error(tmp_path: Path, bad: ccr.Record) -> Exception:
    items = [(bad.list_name, bad.id, attempt) for attempt in bad.attempts]
    return store_error(tmp_path, lambda store: store.add_attempts(CAMPAIGN.name, items))


def dump_error(bad: ccr.Record) -> CampaignMismatchError:
    with pytest.raises(CampaignMismatchError) as caught:
        ccr.dump_campaign(CAMPAIGN, [bad], io.StringIO())
    return caught.value


def load_error(bad: dict[str, Any]) -> ReadError:
    """The error of reading a record line ``bad`` (a JSON object) after the campaign's."""
    stream = io.StringIO()
    ccr.dump_campaign(CAMPAIGN, [], stream)
    line = json.dumps({"type": "record", "id": "7", **bad}, ensure_ascii=False)
    _, records = ccr.load_campaign([stream.getvalue(), line])
    with pytest.raises(ReadError) as caught:
        list(records)
    return caught.value


REPORTS = ["simple", "detailed", "detailed-interval", "rows"]


@pytest.mark.parametrize("report", REPORTS)
def test_a_record_of_another_list(tmp_path: Path, report: str) -> None:
    bad = record("Чужой", call_disposition=AGREED)
    reason = "is not a list of campaign 'Продажи'"
    message = f"Record '7'.list_name: {reason} (got 'Чужой')"
    assert str(export_error(bad, report)) == message
    assert str(dump_error(bad)) == message
    for error in (records_error(tmp_path / "r", bad), feed_error(tmp_path / "f", bad)):
        assert isinstance(error, UnknownNameError)
        assert (error.name, error.reason) == ("Чужой", f"list 'Чужой': {reason}")
    read = load_error({"list": "Чужой"})
    assert (read.column, read.reason, read.value) == ("list", reason, "Чужой")
    with pytest.raises(CampaignMismatchError) as parsed:
        ccr.parse_changed("[]", CAMPAIGN, "Чужой")
    assert str(parsed.value) == f"list_name: {reason} (got 'Чужой')"


@pytest.mark.parametrize("report", REPORTS)
def test_a_field_that_is_no_column_of_the_list(tmp_path: Path, report: str) -> None:
    bad = record(fields={"№": "7", "Email": "a@b"})
    reason = "is not a column of list 'Клиенты'"
    message = f"Record '7'.fields: {reason} (got 'Email')"
    assert str(export_error(bad, report)) == message
    assert str(dump_error(bad)) == message
    assert str(records_error(tmp_path, bad)) == message
    read = load_error({"list": "Клиенты", "fields": {"Email": "a@b"}})
    assert (read.column, read.reason, read.value) == ("fields", reason, "Email")
    with pytest.raises(PlatformDataError) as parsed:
        ccr.parse_changed('[{"entry": {"№": "7", "Email": "a@b"}}]', CAMPAIGN, "Клиенты")
    assert str(parsed.value) == f"$[0].entry.Email: {reason} (got 'Email')"
    with pytest.raises(CampaignMismatchError) as keyed:
        ccr.parse_changed("[]", CAMPAIGN, "Клиенты", key_columns=["Email"])
    assert str(keyed.value) == f"key_columns: {reason} (got 'Email')"


@pytest.mark.parametrize("report", REPORTS)
def test_a_script_value_of_no_script_field(tmp_path: Path, report: str) -> None:
    bad = record(script_values={"нет поля": "1"})
    reason = "is not a script field of campaign 'Продажи'"
    message = f"Record '7'.attempts[0].script_values: {reason} (got 'нет поля')"
    assert str(export_error(bad, report)) == message
    assert str(dump_error(bad)) == message
    assert str(records_error(tmp_path / "r", bad)) == message
    feed = feed_error(tmp_path / "f", bad)
    assert str(feed) == f"attempts[0][2].script_values: {reason} (got 'нет поля')"
    read = load_error(
        {
            "list": "Клиенты",
            "attempts": [
                {"phone": "1", "time": T0.isoformat(), "script_values": {"нет поля": "1"}}
            ],
        }
    )
    assert (read.column, read.reason, read.value) == (
        "attempts[0].script_values",
        reason,
        "нет поля",
    )


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("key", ["call_disposition", "record_disposition"])
def test_an_unknown_disposition(tmp_path: Path, report: str, key: str) -> None:
    bad = record(**{key: ccr.Disposition("Чужой")})
    reason = "is neither a disposition of campaign 'Продажи' nor a system one"
    where = f"Record '7'.attempts[0].{key}"
    exported = export_error(bad, report)
    assert isinstance(exported, UnknownDispositionError)
    assert str(exported) == f"{where}: {reason}{REPORT_ADVICE} (got 'Чужой')"
    assert str(dump_error(bad)) == f"{where}: {reason} (got 'Чужой')"
    stored = records_error(tmp_path / "r", bad)
    assert isinstance(stored, UnknownDispositionError)
    assert str(stored) == f"{where}: {reason} (got 'Чужой')"
    feed = feed_error(tmp_path / "f", bad)
    assert str(feed) == f"attempts[0][2].{key}: {reason} (got 'Чужой')"
    read = load_error(
        {"list": "Клиенты", "attempts": [{"phone": "1", "time": T0.isoformat(), key: "Чужой"}]}
    )
    assert (read.column, read.reason, read.value) == (f"attempts[0].{key}", reason, "Чужой")


def test_a_report_may_show_an_unknown_disposition_instead() -> None:
    bad = record(call_disposition=ccr.Disposition("Чужой"))
    options = ccr.ExportOptions(format="detailed", report_unknown_dispositions=True)
    (row,) = ccr.detailed_rows(CAMPAIGN, [bad], options)
    assert row.call_disposition == "Disposition not found"


def test_a_known_name_with_another_code_is_reported_but_not_kept(tmp_path: Path) -> None:
    recoded = attrs.evolve(AGREED, code="99")
    bad = record(call_disposition=recoded)
    (row,) = ccr.detailed_rows(CAMPAIGN, [bad], ccr.ExportOptions(format="detailed"))
    assert (row.call_disposition, row.call_disposition_code) == ("Согласен", "99")
    message = (
        "Record '7'.attempts[0].call_disposition: has code '99' and final=True, but campaign "
        "'Продажи' defines it as code '1', final=True (as the campaign defines it is what "
        "is kept) (got 'Согласен')"
    )
    assert str(dump_error(bad)) == message
    assert str(records_error(tmp_path / "r", bad)) == message
    assert str(feed_error(tmp_path / "f", bad)).startswith(
        "attempts[0][2].call_disposition: has code '99'"
    )


def test_the_first_attempt_that_does_not_fit_is_named() -> None:
    good = ccr.Attempt("1", T0, call_disposition=AGREED)
    bad = ccr.Record(
        "7",
        "Клиенты",
        {"№": "7"},
        [good, ccr.Attempt("1", T0, script_values={"x": "1"}), good],
    )
    with pytest.raises(CampaignMismatchError, match=r"^Record '7'\.attempts\[1\]\.script_values"):
        ccr.export(CAMPAIGN, [bad], io.BytesIO(), ccr.ExportOptions(format="detailed"))
