"""Public names live in public modules: pickles, ``repr`` and ``help`` never show a private path."""

from __future__ import annotations

import datetime as dt
import io
import pickle
import pydoc
import types
import typing
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

import cloudcontact_results as ccr
from cloudcontact_results import analytics, platform, store

PRIVATE = b"cloudcontact_results._"
NOW = dt.datetime(2026, 3, 1, 6, 30, tzinfo=dt.UTC)


def public_modules() -> Iterator[types.ModuleType]:
    yield from (ccr, store, platform, analytics)


def exported_objects() -> Iterator[tuple[str, object]]:
    for module in public_modules():
        for name in module.__all__:
            yield f"{module.__name__}.{name}", getattr(module, name)


def public_classes() -> list[type]:
    return sorted(
        {value for _, value in exported_objects() if isinstance(value, type)},
        key=lambda cls: cls.__name__,
    )


def values() -> dict[str, object]:
    """One of every picklable public value type, built through the public API."""
    campaign, records = ccr.demo_campaign(20)
    records = list(records)
    record = next(record for record in records if record.attempts and record.fields)
    attempt = record.attempts[-1]
    detailed = ccr.ExportOptions(format="detailed", interval=(NOW.replace(year=2020), None))
    stream = io.BytesIO()
    exported = ccr.export(campaign, records, stream, detailed)
    rows = list(ccr.read_report(io.BytesIO(stream.getvalue())))
    options = ccr.ExportOptions(language="ru", compress=True, zip_timestamp=NOW)
    found = ccr.PlatformRecord(record, NOW, total_attempts=2)
    return {
        "Campaign": campaign,
        "CallingList": campaign.lists[0],
        "ScriptField": ccr.ScriptField("comment"),
        "Record": record,
        "Attempt": attempt,
        "FrozenTextMap": record.fields,
        "Disposition": ccr.system_disposition("Busy"),
        "DispositionCategory": ccr.DispositionCategory.CONNECTION_PROBLEM,
        "CPAResult": ccr.CPAResult(8),
        "QuotaOutcome": ccr.QuotaOutcome("Москва"),
        "NO_MATCH": ccr.QuotaOutcome(ccr.NO_MATCH),
        "SystemNote": ccr.SystemNote(ccr.CPAResult.BUSY, 486),
        "ExportOptions": options,
        "ExportOptions with an interval": detailed,
        "ReportFormat": ccr.ReportFormat.DETAILED,
        "Language": ccr.Language.RU,
        "Dialect": ccr.Dialect.EXCEL_RU,
        "FileFormat": ccr.FileFormat.XLSX,
        "ReportLayout": ccr.ReportLayout.V5,
        "Column": ccr.DETAILED_COLUMNS[0],
        "ColumnKind": ccr.DETAILED_COLUMNS[0].kind,
        "SimpleRow": next(ccr.simple_rows(campaign, records, ccr.ExportOptions())),
        "DetailedRow": rows[0],
        "Summary": ccr.summary(rows),
        "Progress": ccr.Progress("exporting", 3, 10, "records", "out.csv", 1.5),
        "ExportResult": exported,
        "ReadLimits": ccr.ReadLimits(),
        "Archive": ccr.Archive(1, "Sales", "Clients", ccr.ArchiveReason.DELETED, NOW, 2, 3, 400),
        "ExportJob": ccr.ExportJob("daily", "Sales", options, "FREQ=DAILY", "/srv/exports", NOW),
        "JobRun": ccr.JobRun("daily", NOW, Path("daily.zip"), 3, outcome=ccr.JobOutcome.FAILED),
        "Remote": ccr.Remote("s3://bucket/out", endpoint="http://127.0.0.1:9000", timeout=5),
        "PlatformRecord": found,
        "ChangedPage": ccr.ChangedPage((found,), NOW, NOW, last=True),
        "SyncResult": ccr.SyncResult("Sales", "Clients", 1, 2, None, NOW),
        "Retries": ccr.Retries(attempts=3),
        **analytics_values(),
    }


def analytics_values() -> dict[str, object]:
    """Every analytics table with one of its rows, and what describes them."""
    campaign, records = ccr.demo_campaign(300)
    tables = analytics.tables(campaign, records)
    found: dict[str, object] = {"Analytics": tables, "Cell": analytics.Cell.RATE}
    for table in tables.tables:
        found[type(table).__name__] = table
        found[type(table.rows[0]).__name__] = table.rows[0]
        found["TableColumn"] = table.COLUMNS[0]
        found["Label"] = table.COLUMNS[0].label
    return found


VALUES = values()


@pytest.mark.parametrize("name", VALUES)
def test_a_pickle_names_only_public_modules_and_loads_back(name: str) -> None:
    value = VALUES[name]
    data = pickle.dumps(value)
    assert PRIVATE not in data
    assert pickle.loads(data) == value  # noqa: S301  # our own pickle


def test_an_error_pickles_with_its_public_module() -> None:
    with pytest.raises(ccr.errors.ValidationError) as caught:
        ccr.Record("", "Clients")
    # The error as a worker sends it: without its traceback, which tblib (with
    # dask installed) pickles frame by frame, private modules included.
    error = caught.value.with_traceback(None)
    error.__context__ = None
    data = pickle.dumps(error)
    assert PRIVATE not in data
    loaded = pickle.loads(data)  # noqa: S301  # our own pickle
    assert type(loaded) is type(error)
    assert str(loaded) == str(error)


def test_every_public_value_type_is_pickled_above() -> None:
    # A new public value type is added to values() too (or to this list, when
    # its objects hold a file, a connection or a token).
    not_values = {
        "ResultsStore", "ListManagementClient", "Report", "RowFormatter", "ResultsError",
        "NoMatch", "AgentFigures", "ArchiveReason", "JobOutcome", "ListRecords", "Table",
    }  # fmt: skip
    pickled = {type(value).__name__ for value in VALUES.values()}
    missing = {cls.__name__ for cls in public_classes()} - pickled - not_values
    assert missing == set()


@pytest.mark.parametrize("qualified", [name for name, _ in exported_objects()])
def test_every_public_class_and_function_shows_a_public_module(qualified: str) -> None:
    module_name, _, name = qualified.rpartition(".")
    value = getattr(__import__(module_name, fromlist=[name]), name)
    if not isinstance(value, type | types.FunctionType):
        return  # a constant or a type alias
    assert not value.__module__.startswith("cloudcontact_results._")
    home = __import__(value.__module__, fromlist=[name])
    assert getattr(home, name) is value


@pytest.mark.parametrize("cls", public_classes(), ids=lambda cls: cls.__name__)
def test_the_type_hints_of_every_public_class_resolve(cls: type) -> None:
    hints = typing.get_type_hints(cls)
    assert set(hints) >= set(vars(cls).get("__annotations__", {}))
    if attrs.has(cls):
        assert attrs.resolve_types(cls) is cls


def test_the_type_hints_of_an_attempt_are_the_classes_they_name() -> None:
    hints = typing.get_type_hints(ccr.Attempt)
    assert hints["time"] is dt.datetime
    assert hints["call_disposition"] == ccr.Disposition | None
    assert hints["cpa_result"] == ccr.CPAResult | None


def test_help_and_repr_show_public_paths() -> None:
    for cls in (ccr.Record, ccr.ExportOptions, ccr.ResultsStore, ccr.ListManagementClient):
        text = pydoc.render_doc(cls, renderer=pydoc.plaintext)
        assert "cloudcontact_results._" not in text
        assert f"in module {cls.__module__}" in text
    assert repr(ccr.Record) == "<class 'cloudcontact_results.Record'>"
    assert repr(ccr.ResultsStore) == "<class 'cloudcontact_results.store.ResultsStore'>"
    assert repr(ccr.sync_list).startswith("<function sync_list")


def test_the_package_exports_the_names_of_its_public_modules() -> None:
    for module in (store, platform):
        assert set(module.__all__) <= set(ccr.__all__)
        for name in module.__all__:
            assert getattr(ccr, name) is getattr(module, name)
