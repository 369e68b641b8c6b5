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
    except ccr.errors.DataError as error:  # bad data (each is a ValueError)
        print(f"invalid input: {error}")
    except ccr.ResultsError as error:  # an operation that failed
        print(f"failed: {error}")


def analyse(path: str) -> int:
    """An analyst's code: frames, chunks, Arrow and the file formats type-check."""
    import pandas as pd  # noqa: PLC0415  # an optional extra
    import pyarrow as pa  # noqa: PLC0415

    report = ccr.read_report(path)
    frame: pd.DataFrame = report.to_pandas(engine="pyarrow")
    rows = len(frame)
    for chunk in report.to_pandas(chunksize=10_000):
        rows += len(chunk)
    table: pa.Table = report.to_arrow()
    kind: ccr.FileFormat = report.file_format
    options = ccr.ExportOptions(format="detailed", file_format=ccr.FileFormat.PARQUET)
    print(kind, options.file_format, report.sheet)
    return rows + table.num_rows


def pull_changes(campaign: Campaign, token: str, since: dt.datetime | None) -> dt.datetime | None:
    """Page through the platform's changes, as an integration would."""
    client = ccr.ListManagementClient(
        "https://example.brightpattern.com",
        token,
        timeout=20.0,
        retries=ccr.Retries(attempts=3, backoff=1.0),
    )
    watermark = since
    try:
        for page in ccr.changed_pages(client, campaign, "Клиенты", since=since, page_size=500):
            for found in page.records:
                record: Record = found.record
                extras = [dict(extra) for extra in found.attempt_extras]
                print(record.id, found.activity, found.total_attempts, extras, found.ignored)
            watermark = page.watermark
    except ccr.errors.PlatformError as error:
        status: int | None = error.status
        print(error.url, status, error.reason)
    except ccr.errors.PlatformDataError as error:
        print(error.field, error.reason)
    return watermark


def read_answer(campaign: Campaign, body: bytes) -> list[Record]:
    changed: tuple[ccr.PlatformRecord, ...] = ccr.parse_changed(
        body, campaign, "Клиенты", key_columns=["№"]
    )
    status = ccr.parse_status(body, campaign, "Клиенты", key_columns=("№",))
    return [found.record for found in (*changed, *status)]


def mirror(store: ccr.ResultsStore, client: ccr.ListManagementClient) -> dt.datetime | None:
    result: ccr.SyncResult = ccr.sync_list(
        store, client, "Продажи", "Клиенты", key_columns=["№"], page_size=1000
    )
    print(result.pages, result.records, result.since)
    return store.sync_watermark("Продажи", "Клиенты", client.url)


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


def keep_results(path: str, campaign: ccr.Campaign, feed: list[tuple[str, str, Attempt]]) -> None:
    """An integration's loop over the results store, as users write it."""
    with ccr.ResultsStore(path) as store:
        store.put_campaign(campaign)
        russian = ccr.ExportOptions(language="ru", timezone="Asia/Omsk", dialect="excel-ru")
        store.put_campaign(campaign, archive_options=russian)
        archived_in: ccr.ExportOptions = store.archive_options(campaign.name)
        added: int = store.add_attempts(campaign.name, feed)
        records: list[ccr.Record] = list(store.records(campaign.name, lists=["Клиенты"]))
        result: ccr.ExportResult = store.export(campaign.name, "out.csv", ccr.ExportOptions())
        archive: ccr.Archive = store.remove_list(campaign.name, "Клиенты")
        reason: ccr.ArchiveReason = archive.reason
        data: bytes = store.archive_bytes(archive)
        job = ccr.ExportJob(
            "hourly",
            campaign.name,
            ccr.ExportOptions(format="detailed-interval"),
            "FREQ=HOURLY",
            "exports",
            dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        )
        store.add_job(job)
        try:
            runs: tuple[ccr.JobRun, ...] = store.run_due_jobs()
        except* ccr.errors.JobError as failures:
            print(len(failures.exceptions))
            runs = ()
        print(added, len(records), result.rows, reason.value, len(data), len(runs))
        print(archived_in.language.value)
        for run in store.job_runs("hourly"):
            outcome: ccr.JobOutcome = run.outcome
            print(run.due, run.window, run.path, outcome.value)


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
