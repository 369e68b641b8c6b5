"""Data real campaigns produce: records closed with their last attempt's status,
campaign-coded system statuses, open intervals and a list's phone columns.

Answer keys are written from the manual (Appendix 1, the Statuses section, the
export dialog and its screenshot) and SPEC §2, §4, §5 and §6: the expected
cells are spelled out here, never computed by the library's helpers.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import cloudcontact_results as ccr
from cloudcontact_results import dump_campaign, load_campaign
from tests.support.samples import AGREED, BUSY, NO_ANSWER

MSK = ZoneInfo("Europe/Moscow")
ONE_NUMBER = ccr.CallingList("Один номер", ["№", "Телефон"], phone_columns=["Телефон"])
TWO_NUMBERS = ccr.CallingList(
    "Два номера", ["№", "Мобильный", "Домашний"], phone_columns=["Мобильный", "Домашний"]
)
#: The campaign's Statuses section gives two system statuses codes (SPEC §4).
CAMPAIGN = ccr.Campaign(
    "Обзвон",
    [ONE_NUMBER, TWO_NUMBERS],
    dispositions=[
        AGREED,
        ccr.Disposition("Занято", code="B17"),
        ccr.Disposition("No answer", code="NA"),
    ],
)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=MSK)


def dial(when: dt.datetime, disposition: ccr.Disposition, **values: object) -> ccr.Attempt:
    return ccr.Attempt(
        phone="+79161234567",
        time=when,
        call_disposition=disposition,
        dialing_duration=30,
        **values,  # type: ignore[arg-type]
    )


#: A one-number list's record that ran out of attempts: closed with "No answer".
RAN_OUT = ccr.Record(
    "1",
    ONE_NUMBER.name,
    {"№": "1", "Телефон": "+79161234567"},
    [
        dial(at(2, 10), BUSY),
        dial(at(3, 11), NO_ANSWER, record_disposition=NO_ANSWER),
    ],
)
#: Never dialled: its first non-empty phone column is Last Phone Called.
WAITING = ccr.Record("2", TWO_NUMBERS.name, {"№": "2", "Мобильный": "", "Домашний": "+74957654321"})
#: Agreed on the 4th.
SOLD = ccr.Record(
    "3",
    TWO_NUMBERS.name,
    {"№": "3", "Мобильный": "+79031112233", "Домашний": ""},
    [
        ccr.Attempt(
            "+79031112233",
            at(4, 9),
            call_disposition=AGREED,
            record_disposition=AGREED,
            answered_duration=95,
            agent="petrova",
        )
    ],
)
RECORDS = [RAN_OUT, WAITING, SOLD]


def exported(records: list[ccr.Record], **options: object) -> list[list[str]]:
    stream = io.BytesIO()
    ccr.export(CAMPAIGN, records, stream, ccr.ExportOptions(**options))  # type: ignore[arg-type]
    text = stream.getvalue().decode("utf-8-sig")
    delimiter = ";" if options.get("dialect") == "excel-ru" else ","
    return [line.split(delimiter) for line in text.split("\r\n") if line]


def column(rows: list[list[str]], header: str) -> list[str]:
    position = rows[0].index(header)
    return [row[position] for row in rows[1:]]


# --- 1. a record closed with its last attempt's status ------------------------------


def test_a_record_closed_with_its_last_attempts_status_is_completed_in_the_simple_report() -> None:
    rows = exported([RAN_OUT])
    assert column(rows, "Completed") == ["1"]
    assert column(rows, "Record Disposition") == ["No answer"]
    assert column(rows, "Record Disposition Code") == ["NA"]
    assert column(rows, "Last Call Disposition") == ["No answer"]
    assert column(rows, "Total attempts (per rec)") == ["2"]


def test_the_detailed_report_shows_the_closing_attempt() -> None:
    rows = exported([RAN_OUT], format="detailed")
    assert column(rows, "Completed") == ["0", "1"]
    assert column(rows, "Record Disposition") == ["", "No answer"]
    assert column(rows, "Call Disposition") == ["Busy", "No answer"]


def test_the_store_takes_a_live_feed_that_closes_records_with_connection_problems(
    tmp_path: Path,
) -> None:
    with ccr.ResultsStore(tmp_path / "live.sqlite") as store:
        store.put_campaign(CAMPAIGN)
        store.add_records(CAMPAIGN.name, [ccr.Record("1", ONE_NUMBER.name, RAN_OUT.fields)])
        feed = [(ONE_NUMBER.name, "1", attempt) for attempt in RAN_OUT.attempts]
        assert store.add_attempts(CAMPAIGN.name, feed) == 2
        for report in ("simple", "detailed"):
            options = ccr.ExportOptions(format=report)
            from_store = io.BytesIO()
            store.export(CAMPAIGN.name, from_store, options)
            in_memory = io.BytesIO()
            ccr.export(CAMPAIGN, [RAN_OUT], in_memory, options)
            assert from_store.getvalue() == in_memory.getvalue()


def test_redefining_a_closing_disposition_as_not_final_keeps_the_stored_results(
    tmp_path: Path,
) -> None:
    with ccr.ResultsStore(tmp_path / "results.sqlite") as store:
        store.put_campaign(CAMPAIGN)
        store.add_records(CAMPAIGN.name, [SOLD])
        relaxed = ccr.Disposition("Согласен", code="1", final=False)
        store.put_campaign(ccr.Campaign(CAMPAIGN.name, CAMPAIGN.lists, dispositions=[relaxed]))
        (record,) = store.records(CAMPAIGN.name)
        assert record.attempts[0].record_disposition == relaxed


# --- 2. system statuses with the campaign's codes ----------------------------------


def test_an_attempt_with_the_catalogues_status_is_reported_with_the_campaigns_code() -> None:
    record = ccr.Record("4", ONE_NUMBER.name, attempts=[dial(at(2, 12), BUSY)])
    english = exported([record], format="detailed")
    assert column(english, "Call Disposition") == ["Busy"]
    assert column(english, "Call Disposition Code") == ["B17"]
    russian = exported([record], format="detailed", language="ru")
    assert column(russian, "Статус попытки") == ["Занято"]
    assert column(russian, "Код статуса попытки") == ["B17"]


def test_the_store_json_lines_the_api_and_the_reader_agree_on_a_configured_status(
    tmp_path: Path,
) -> None:
    record = ccr.Record("4", ONE_NUMBER.name, attempts=[dial(at(2, 12), BUSY)])
    options = ccr.ExportOptions(format="detailed")
    in_memory = io.BytesIO()
    ccr.export(CAMPAIGN, [record], in_memory, options)

    with ccr.ResultsStore(tmp_path / "results.sqlite") as store:
        store.put_campaign(CAMPAIGN)
        store.add_records(CAMPAIGN.name, [record])
        from_store = io.BytesIO()
        store.export(CAMPAIGN.name, from_store, options)
    assert from_store.getvalue() == in_memory.getvalue()

    lines = io.StringIO()
    dump_campaign(CAMPAIGN, [record], lines)
    loaded, loaded_records = load_campaign(io.StringIO(lines.getvalue()))
    through_lines = io.BytesIO()
    ccr.export(loaded, loaded_records, through_lines, options)
    assert through_lines.getvalue() == in_memory.getvalue()

    (found,) = ccr.parse_changed(
        [
            {
                "entry": {"№": "4"},
                "recordId": "4",
                "attempts": [
                    {
                        "call_attempted": True,
                        "disposition": "Busy",
                        "dispositionCode": "B17",
                        "date": "2026-03-02T09:00:00.000",
                        "phone": "+79161234567",
                        "dialingDuration": 30,
                    }
                ],
            }
        ],
        CAMPAIGN,
        ONE_NUMBER.name,
    )
    (from_api,) = found.record.attempts
    assert from_api.call_disposition == CAMPAIGN.find_disposition("Busy")

    (row,) = ccr.read_report(io.BytesIO(in_memory.getvalue()))
    assert (row.call_disposition, row.call_disposition_code) == ("Busy", "B17")


def test_the_store_names_the_codes_of_a_differently_coded_copy(tmp_path: Path) -> None:
    other = ccr.Disposition("Busy", code="X9", category=ccr.DispositionCategory.CONNECTION_PROBLEM)
    with ccr.ResultsStore(tmp_path / "results.sqlite") as store:
        store.put_campaign(CAMPAIGN)
        store.add_records(CAMPAIGN.name, [ccr.Record("4", ONE_NUMBER.name)])
        with pytest.raises(ccr.errors.UnknownDispositionError) as caught:
            store.add_attempts(CAMPAIGN.name, [(ONE_NUMBER.name, "4", dial(at(2, 12), other))])
    assert caught.value.value == "Busy"
    assert "'X9'" in caught.value.reason
    assert "'B17'" in caught.value.reason


def test_a_configured_status_survives_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "campaign.jsonl"
    dump_campaign(CAMPAIGN, [], path)
    loaded, _ = load_campaign(path)
    assert loaded == CAMPAIGN
    assert loaded.find_disposition("Занято").code == "B17"  # type: ignore[union-attr]


# --- 4. open intervals --------------------------------------------------------------


def test_an_interval_open_at_its_end_keeps_what_was_completed_from_its_start() -> None:
    # SIMPLE keeps the records completed inside [start, end): RAN_OUT closed on
    # the 3rd at 11:00, SOLD on the 4th at 09:00 (Moscow), WAITING never.
    rows = exported(RECORDS, interval=(dt.datetime(2026, 3, 3, 12), None))  # noqa: DTZ001
    assert column(rows, "№") == ["3"]
    rows = exported(RECORDS, interval=(at(3, 11), None))
    assert column(rows, "№") == ["1", "3"]


def test_an_interval_open_at_its_start_keeps_what_was_completed_before_its_end() -> None:
    rows = exported(RECORDS, interval=(None, at(4, 9)))
    assert column(rows, "№") == ["1"]
    rows = exported(RECORDS, format="detailed-interval", interval=(None, at(3, 0)))
    assert column(rows, "Call Time") == ["2026-03-02 10:00:00"]


def test_an_interval_with_no_bound_at_all_is_refused() -> None:
    with pytest.raises(ccr.errors.OptionsError) as caught:
        ccr.ExportOptions(interval=(None, None))
    assert caught.value.field == "ExportOptions.interval"


# --- 7. a list's phone columns ------------------------------------------------------


def test_a_record_never_dialled_shows_its_first_phone_as_last_phone_called() -> None:
    rows = exported(RECORDS)
    assert column(rows, "Last Phone Called") == ["+79161234567", "+74957654321", "+79031112233"]
    assert column(rows, "Total attempts (per rec)") == ["2", "0", "1"]


def test_without_phone_columns_a_record_never_dialled_has_no_last_phone() -> None:
    plain = ccr.Campaign("Обзвон", [ccr.CallingList(TWO_NUMBERS.name, TWO_NUMBERS.columns)])
    stream = io.BytesIO()
    ccr.export(plain, [WAITING], stream)
    header, row = stream.getvalue().decode().splitlines()
    assert row.split(",")[header.split(",").index("Last Phone Called")] == ""


@pytest.mark.slow
def test_phone_columns_survive_json_lines_the_store_and_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "campaign.jsonl"
    dump_campaign(CAMPAIGN, [WAITING], path)
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert first["lists"][1]["phone_columns"] == ["Мобильный", "Домашний"]
    with ccr.ResultsStore(tmp_path / "results.sqlite") as store:
        store.put_campaign(CAMPAIGN)
    with ccr.ResultsStore(tmp_path / "results.sqlite") as store:
        assert store.campaign(CAMPAIGN.name).lists == CAMPAIGN.lists
    out = tmp_path / "simple.csv"
    done = subprocess.run(
        [sys.executable, "-m", "cloudcontact_results", "export", str(path), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (row,) = ccr.read_report(out)
    assert row.last_phone_called == "+74957654321"
