"""Typical user code that ``mypy --strict`` must accept (see ``[tool.mypy]``).

It is not a test module (pytest collects ``test_*.py`` only); importing it
defines functions and runs nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import dask.bag as db

import cloudcontact_results as ccr
from cloudcontact_results import (
    NO_MATCH,
    Attempt,
    CallingList,
    Campaign,
    CPAResult,
    Disposition,
    DispositionCategory,
    QuotaOutcome,
    Record,
    ScriptField,
    system_disposition,
)
from cloudcontact_results.dask import (
    PartitionedExport,
    export_partitioned,
    read_reports,
    store_bag,
)
from cloudcontact_results.errors import UnknownDispositionError, ValidationError

MOSCOW = ZoneInfo("Europe/Moscow")


def build_campaign() -> Campaign:
    agreed = Disposition("Согласен", code="1", final=True)
    refused = Disposition("Отказ", code="2", final=True, description="клиент отказался")
    clients = CallingList("Клиенты", ["№", "Фамилия", "Телефон"])
    return Campaign(
        "Обзвон",
        [clients],
        script_fields=[ScriptField("comment"), ScriptField("LPT", export=False)],
        dispositions=[agreed, refused],
    )


def build_records(campaign: Campaign) -> list[Record]:
    agreed = campaign.find_disposition("согласен")
    assert agreed is not None
    start = dt.datetime(2024, 3, 1, 10, 0, tzinfo=MOSCOW)
    busy = Attempt(
        phone="+79161234567",
        time=start,
        call_disposition=system_disposition("Busy"),
        cpa_result=CPAResult.BUSY,
        sip_code=486,
        dialing_duration=12,
        interaction_id="A1B2",
    )
    talk = Attempt(
        phone="+79161234567",
        time=start + dt.timedelta(hours=2),
        call_disposition=agreed,
        record_disposition=agreed,
        agent="ivanov",
        note="перезвонить не нужно",
        answered_duration=95,
        cpa_result=1,  # an int is converted to CPAResult.VOICE
        script_values={"comment": "доволен"},
        interaction_id="C3D4",
    )
    quota = Attempt(
        phone="",
        time=start,
        is_call_attempt=False,
        quota=QuotaOutcome(NO_MATCH),
    )
    return [
        Record("1", "Клиенты", {"№": "1", "Телефон": "+79161234567"}, [busy, talk]),
        Record("2", "Клиенты", {"№": "2"}, [quota]),
        Record("3", "Клиенты"),
    ]


def summarize(record: Record) -> tuple[int, bool, str]:
    attempts = sum(1 for attempt in record.attempts if attempt.is_call_attempt)
    last = record.last_attempt
    completing = record.completing_attempt
    disposition: Disposition | None = (
        completing.record_disposition if completing is not None else None
    )
    label = disposition.label("ru") if disposition is not None else ""
    when: dt.datetime | None = last.time if last is not None else None
    return attempts, when is not None, label


def quota_label(attempt: Attempt) -> str:
    return attempt.quota.label(ccr.Language.RU) if attempt.quota is not None else ""


def cpa_text(attempt: Attempt) -> str:
    result: CPAResult | None = attempt.cpa_result
    if result is None:
        return ""
    return f"{result.label('en')} ({int(result)})"


def sip_text(attempt: Attempt) -> str:
    code: int | None = attempt.sip_code
    return f"{code} {ccr.sip_reason_phrase(code)}" if code is not None else ""


def disposition_or_none(name: str) -> Disposition | None:
    try:
        return system_disposition(name)
    except UnknownDispositionError as error:
        print(f"unknown: {error.value!r}")
        return None


def is_connection_problem(disposition: Disposition) -> bool:
    return disposition.category is DispositionCategory.CONNECTION_PROBLEM


def safe_attempt(seconds: int) -> Attempt | None:
    try:
        return Attempt(
            phone="+79161234567",
            time=dt.datetime(2024, 3, 1, 10, 0, tzinfo=dt.UTC),
            answered_duration=seconds,
        )
    except ValidationError as error:
        field: str = error.field
        print(field, error.value, error.reason)
        return None


def run() -> None:
    try:
        campaign = build_campaign()
        for record in build_records(campaign):
            print(summarize(record))
    except ccr.ResultsError as error:  # every error of the library (each is a ValueError)
        print(f"invalid input: {error}")


def export_5x(campaign: Campaign, records: list[Record], path: str) -> int:
    options = ccr.ExportOptions(format=ccr.ReportFormat.DETAILED, layout=ccr.ReportLayout.V5)
    return ccr.export(campaign, records, path, options).rows


def callers_and_unknown_columns(path: str) -> dict[str, list[str]]:
    report = ccr.read_report(path)
    unknown: tuple[str, ...] = report.extra_columns
    seen: dict[str, list[str]] = {name: [] for name in unknown}
    for row in report:
        if isinstance(row, ccr.DetailedRow):
            caller: str = row.ani
            action: str = row.action_applied
            print(caller, action)
        for name, value in row.extra.items():
            seen[name].append(value)
    return seen


def on_a_cluster(campaign: Campaign, bag: db.Bag, folder: str) -> int:
    parts: PartitionedExport = export_partitioned(campaign, bag, folder)
    first: Path | None = parts.parts[0].path
    one: ccr.ExportResult = export_partitioned(campaign, bag, f"{folder}.zip", single_file=True)
    frame = read_reports(f"{folder}/part-*.csv", blocksize=None, errors="skip")
    print(first, frame.columns)
    return parts.rows + one.rows


def from_the_store(store: ccr.ResultsStore, name: str, folder: str) -> int:
    bag = store_bag(store, name, npartitions=8)
    return export_partitioned(store.campaign(name), bag, folder).rows
