"""A campaign's archive options: the language, zone, dialect… its archives are written in.

The answer keys are the product contract (the Russian headers of SPEC section
5, written out here), times converted with ``zoneinfo`` here, and the public
in-memory :func:`export` of the same records, an independent computation.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results.errors import (
    CampaignMismatchError,
    OptionsError,
    UnknownNameError,
    ValidationError,
)
from tests.support.samples import AGREED, NO_ANSWER
from tests.support.strategies import campaign_with_records, export_options
from tests.test_store_properties import expected_records

MOSCOW = ZoneInfo("Europe/Moscow")
VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")

CAMPAIGN = ccr.Campaign(
    "Продажи",
    [
        ccr.CallingList("Клиенты", ["№", "Фамилия"]),
        ccr.CallingList("VIP", ["Фамилия"]),
    ],
    script_fields=[ccr.ScriptField("comment")],
    dispositions=[AGREED],
)
CALL_TIME = dt.datetime(2026, 3, 2, 10, 15, 30, tzinfo=MOSCOW)
RECORDS = [
    ccr.Record(
        "1",
        "Клиенты",
        {"№": "1", "Фамилия": "Егоров"},
        [
            ccr.Attempt(
                "+79161234567",
                CALL_TIME,
                call_disposition=AGREED,
                record_disposition=AGREED,
                answered_duration=95,
                agent="ivanova",
                script_values={"comment": "=доставка"},
            )
        ],
    ),
    ccr.Record("2", "Клиенты", {"№": "2", "Фамилия": "Маслов"}),
    ccr.Record(
        "v1",
        "VIP",
        {"Фамилия": "Архипов"},
        [ccr.Attempt("+79160000000", CALL_TIME, call_disposition=NO_ANSWER)],
    ),
]
RUSSIAN = ccr.ExportOptions(language="ru", timezone="Asia/Vladivostok", dialect="excel-ru")

#: SPEC section 5, the Russian headers of the detailed report, in order.
RUSSIAN_DETAILED = (
    "Номер телефона;Попытка набора;Закрыто;Статус записи;Код статуса записи;"
    "Достигнута квота;Группа квоты;Статус попытки;Код статуса попытки;Комментарий к вызову;"
    "Время попытки;Длительность набора;Длительность CPA;Длительность разговора;Оператор;"
    "Результат CPA;Файл записи результата CPA;Id сервера с результатом CPA;"
    "Файл записи разговора;Id сервера с записью разговора;ID вызова;ID записи;"
    "Название списка;Входящий вызов"
)
#: SPEC section 5, the Russian headers of the simple report, in order.
RUSSIAN_SIMPLE = (
    "Общее число попыток;Закрыто;Статус записи;Код статуса записи;Достигнута квота;"
    "Группа квоты;Последний номер телефона;Статус последней попытки;"
    "Код статуса последней попытки;Последний комментарий;Время последней попытки;"
    "Длительность последнего разговора;Последний оператор;ID вызова;Название списка"
)
BOM = "\ufeff".encode()


@pytest.fixture
def store(store_target: str) -> Iterator[ccr.ResultsStore]:
    """A new store of each database (SQLite, PostgreSQL): an archive is the same zip on both."""
    with ccr.ResultsStore(store_target) as opened:
        yield opened


def members(store: ccr.ResultsStore, archive: ccr.Archive) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(store.archive_bytes(archive))) as zipped:
        return {name: zipped.read(name) for name in zipped.namelist()}


def exported(records: list[ccr.Record], options: ccr.ExportOptions) -> bytes:
    stream = io.BytesIO()
    ccr.export(CAMPAIGN, records, stream, options)
    return stream.getvalue()


def assert_archive_is_the_export(
    data: dict[str, bytes], list_name: str, records: list[ccr.Record], **settings: object
) -> None:
    for member, report in (("simple.csv", "simple"), ("detailed.csv", "detailed")):
        options = ccr.ExportOptions(format=report, lists=[list_name], **settings)  # type: ignore[arg-type]
        assert data[member] == exported(records, options), member


# --- what an archive looks like -----------------------------------------------------------


def test_a_russian_archive_has_russian_headers_local_times_and_excel_ru_csv(
    store: ccr.ResultsStore,
) -> None:
    store.put_campaign(CAMPAIGN, archive_options=RUSSIAN)
    store.add_records(CAMPAIGN.name, RECORDS)
    archive = store.remove_list(CAMPAIGN.name, "Клиенты")
    data = members(store, archive)

    detailed = data["detailed.csv"]
    assert detailed.startswith(BOM + f"№;Фамилия;comment;{RUSSIAN_DETAILED}\r\n".encode())
    assert data["simple.csv"].startswith(BOM + f"№;Фамилия;comment;{RUSSIAN_SIMPLE}\r\n".encode())
    header, *rows = csv.reader(io.StringIO(detailed.decode("utf-8-sig"), newline=""), delimiter=";")
    (row,) = [dict(zip(header, values, strict=True)) for values in rows]
    local = CALL_TIME.astimezone(ZoneInfo("Asia/Vladivostok"))
    assert row["Время попытки"] == local.strftime("%Y-%m-%d %H:%M:%S") == "2026-03-02 17:15:30"
    assert (row["Статус попытки"], row["Оператор"], row["comment"]) == (
        "Согласен",
        "ivanova",
        "'=доставка",  # the formula guard is on
    )
    assert_archive_is_the_export(
        data,
        "Клиенты",
        RECORDS,
        language="ru",
        timezone="Asia/Vladivostok",
        dialect="excel-ru",
    )


def test_the_manifest_records_the_archive_options(store: ccr.ResultsStore) -> None:
    store.put_campaign(CAMPAIGN, archive_options=RUSSIAN)
    store.add_records(CAMPAIGN.name, RECORDS)
    archive = store.remove_list(CAMPAIGN.name, "Клиенты")
    data = members(store, archive)
    manifest = json.loads(data["manifest.json"])
    assert manifest["options"] == {
        "language": "ru",
        "timezone": "Asia/Vladivostok",
        "dialect": "excel-ru",
        "datetime_format": "%Y-%m-%d %H:%M:%S",
        "formula_guard": True,
        "layout": "manual",
    }
    assert manifest["sha256"] == {
        member: hashlib.sha256(data[member]).hexdigest()
        for member in ("simple.csv", "detailed.csv")
    }


def test_the_zip_is_dated_in_the_archive_time_zone(store: ccr.ResultsStore) -> None:
    store.put_campaign(CAMPAIGN, archive_options=RUSSIAN)
    archive = store.remove_list(CAMPAIGN.name, "VIP")
    local = archive.created.astimezone(VLADIVOSTOK)
    with zipfile.ZipFile(io.BytesIO(store.archive_bytes(archive))) as zipped:
        for info in zipped.infolist():
            # A zip keeps even seconds.
            assert info.date_time == (*local.timetuple()[:5], local.second // 2 * 2)


def test_without_archive_options_archives_are_english_moscow_platform(
    store: ccr.ResultsStore,
) -> None:
    store.put_campaign(CAMPAIGN)
    store.add_records(CAMPAIGN.name, RECORDS)
    assert store.archive_options(CAMPAIGN.name) == ccr.ExportOptions()
    data = members(store, store.remove_list(CAMPAIGN.name, "Клиенты"))
    detailed = data["detailed.csv"]
    # No BOM, commas: the platform dialect.
    assert detailed.startswith("№,Фамилия,comment,This Phone number,Is Call Attempt,".encode())
    assert f",{CALL_TIME:%Y-%m-%d %H:%M:%S},".encode() in detailed  # already Moscow time
    assert_archive_is_the_export(data, "Клиенты", RECORDS)
    assert json.loads(data["manifest.json"])["options"] == {
        "language": "en",
        "timezone": "Europe/Moscow",
        "dialect": "platform",
        "datetime_format": "%Y-%m-%d %H:%M:%S",
        "formula_guard": True,
        "layout": "manual",
    }


def test_every_archive_option_is_used(store: ccr.ResultsStore) -> None:
    settings: dict[str, object] = {
        "language": "en",  # Russian: the tests above
        "timezone": "UTC",
        "dialect": "excel",
        "datetime_format": "%d.%m.%Y %H:%M",
        "formula_guard": False,
        "layout": "5.x",
    }
    store.put_campaign(CAMPAIGN, archive_options=ccr.ExportOptions(**settings))  # type: ignore[arg-type]
    store.add_records(CAMPAIGN.name, RECORDS)
    data = members(store, store.remove_list(CAMPAIGN.name, "Клиенты"))
    detailed = data["detailed.csv"].decode("utf-8-sig")
    assert f",{CALL_TIME.astimezone(dt.UTC):%d.%m.%Y %H:%M}," in detailed
    assert ",=доставка" in detailed  # unguarded
    assert {"ANI", "Action Applied"} <= set(detailed.splitlines()[0].split(","))
    assert_archive_is_the_export(data, "Клиенты", RECORDS, **settings)
    assert json.loads(data["manifest.json"])["options"] == settings


# --- every way a list's results become an archive -----------------------------------------


def removed(store: ccr.ResultsStore) -> ccr.Archive:
    return store.remove_list(CAMPAIGN.name, "Клиенты")


def deleted(store: ccr.ResultsStore) -> ccr.Archive:
    (archive,) = store.delete_list("Клиенты")
    return archive


def replaced(store: ccr.ResultsStore) -> ccr.Archive:
    store.add_records(CAMPAIGN.name, [ccr.Record("3", "Клиенты", {"№": "3"})], replace=True)
    (archive,) = store.archives(CAMPAIGN.name)
    return archive


def dropped(store: ccr.ResultsStore) -> ccr.Archive:
    store.put_campaign(attrs.evolve(CAMPAIGN, lists=CAMPAIGN.lists[1:]))
    (archive,) = store.archives(CAMPAIGN.name)
    return archive


@pytest.mark.parametrize("archive_of", [removed, deleted, replaced, dropped])
def test_every_archive_path_uses_the_archive_options(
    store: ccr.ResultsStore, archive_of: Callable[[ccr.ResultsStore], ccr.Archive]
) -> None:
    store.put_campaign(CAMPAIGN, archive_options=RUSSIAN)
    store.add_records(CAMPAIGN.name, RECORDS)
    archive = archive_of(store)
    assert archive.list_name == "Клиенты"
    data = members(store, archive)
    assert data["detailed.csv"].startswith(BOM + f"№;Фамилия;comment;{RUSSIAN_DETAILED}".encode())
    assert_archive_is_the_export(
        data,
        "Клиенты",
        RECORDS,
        language="ru",
        timezone="Asia/Vladivostok",
        dialect="excel-ru",
    )


def test_options_given_with_a_redefinition_apply_to_the_lists_it_drops(
    store: ccr.ResultsStore,
) -> None:
    store.put_campaign(CAMPAIGN)
    store.add_records(CAMPAIGN.name, RECORDS)
    store.put_campaign(attrs.evolve(CAMPAIGN, lists=CAMPAIGN.lists[1:]), archive_options=RUSSIAN)
    (archive,) = store.archives(CAMPAIGN.name)
    data = members(store, archive)
    assert data["detailed.csv"].startswith(BOM + f"№;Фамилия;comment;{RUSSIAN_DETAILED}".encode())


# --- keeping them -------------------------------------------------------------------------


def test_a_redefinition_keeps_the_archive_options_and_the_defaults_reset_them(
    store: ccr.ResultsStore,
) -> None:
    store.put_campaign(CAMPAIGN, archive_options=RUSSIAN)
    added = ccr.CallingList("Новый", ["Фамилия"])
    store.put_campaign(attrs.evolve(CAMPAIGN, lists=[*CAMPAIGN.lists, added]))
    assert store.archive_options(CAMPAIGN.name) == RUSSIAN
    store.put_campaign(CAMPAIGN, archive_options=ccr.ExportOptions())
    assert store.archive_options(CAMPAIGN.name) == ccr.ExportOptions()
    data = members(store, store.remove_list(CAMPAIGN.name, "VIP"))
    assert data["detailed.csv"].startswith("Фамилия,comment,This Phone number,".encode())


def test_archive_options_are_kept_in_the_store(store_target: str) -> None:
    with ccr.ResultsStore(store_target) as store:
        store.put_campaign(CAMPAIGN, archive_options=RUSSIAN)
        store.add_records(CAMPAIGN.name, RECORDS)
    with ccr.ResultsStore(store_target) as store:
        assert store.archive_options(CAMPAIGN.name) == RUSSIAN
        data = members(store, store.remove_list(CAMPAIGN.name, "Клиенты"))
    assert data["detailed.csv"].startswith(BOM + f"№;Фамилия;comment;{RUSSIAN_DETAILED}".encode())


def test_a_refused_redefinition_leaves_the_archive_options(store: ccr.ResultsStore) -> None:
    store.put_campaign(CAMPAIGN, archive_options=RUSSIAN)
    store.add_records(CAMPAIGN.name, RECORDS)
    without_comment = attrs.evolve(CAMPAIGN, script_fields=[])
    with pytest.raises(CampaignMismatchError):
        store.put_campaign(without_comment, archive_options=ccr.ExportOptions())
    assert store.archive_options(CAMPAIGN.name) == RUSSIAN


def test_archive_options_of_an_unknown_campaign_is_an_error(store: ccr.ResultsStore) -> None:
    with pytest.raises(UnknownNameError, match="campaign 'Опрос'"):
        store.archive_options("Опрос")


# --- what cannot be chosen ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("format", "detailed"),
        ("lists", ["Клиенты"]),
        ("dispositions", ["Согласен"]),
        (
            "interval",
            (dt.datetime(2026, 3, 1, tzinfo=MOSCOW), dt.datetime(2026, 4, 1, tzinfo=MOSCOW)),
        ),
        ("compress", True),
        ("file_format", "xlsx"),
        ("zip_timestamp", dt.datetime(2026, 3, 1)),  # noqa: DTZ001 - zip times are naive
        ("report_unknown_dispositions", True),
    ],
)
def test_options_that_would_change_what_an_archive_holds_are_refused(
    store: ccr.ResultsStore, option: str, value: object
) -> None:
    store.put_campaign(CAMPAIGN, archive_options=RUSSIAN)
    refused = ccr.ExportOptions(**{option: value})  # type: ignore[arg-type]
    with pytest.raises(OptionsError, match=rf"^archive_options\.{option}: cannot be chosen"):
        store.put_campaign(CAMPAIGN, archive_options=refused)
    with pytest.raises(OptionsError, match=rf"^archive_options\.{option}:"):
        store.put_campaign(attrs.evolve(CAMPAIGN, name="Новая"), archive_options=refused)
    assert store.campaign_names() == (CAMPAIGN.name,)
    assert store.archive_options(CAMPAIGN.name) == RUSSIAN


def test_archive_options_must_be_export_options(store: ccr.ResultsStore) -> None:
    with pytest.raises(ValidationError, match=r"^archive_options: must be an ExportOptions"):
        store.put_campaign(CAMPAIGN, archive_options={"language": "ru"})  # type: ignore[arg-type]
    assert store.campaign_names() == ()


# --- the property -------------------------------------------------------------------------

archive_options_strategy = export_options(
    format=st.just("simple"),  # the default: the archive holds both reports
    datetime_format=st.sampled_from(["%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M", "%m/%d/%y %I:%M %p"]),
    layout=st.sampled_from(["manual", "5.x"]),
)
ARCHIVE_PATHS = ("remove", "delete", "replace", "redefine")


@pytest.mark.slow
@given(campaign_with_records(max_records=6), archive_options_strategy, st.data())
def test_archive_members_are_the_in_memory_export_for_any_archive_options(
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    options: ccr.ExportOptions,
    data: st.DataObject,
) -> None:
    campaign, records = campaign_and_records
    list_name = data.draw(st.sampled_from([cl.name for cl in campaign.lists]), label="list")
    path = data.draw(st.sampled_from(ARCHIVE_PATHS), label="archive path")
    expected = expected_records(campaign, records)
    with (
        tempfile.TemporaryDirectory() as folder,
        ccr.ResultsStore(Path(folder) / "results.sqlite") as store,
    ):
        store.put_campaign(campaign, archive_options=options)
        store.add_records(campaign.name, records)
        if path == "remove":
            store.remove_list(campaign.name, list_name)
        elif path == "delete":
            store.delete_list(list_name)
        elif path == "replace":
            store.add_records(campaign.name, [ccr.Record("new", list_name, {})], replace=True)
        else:
            remaining = [cl for cl in campaign.lists if cl.name != list_name]
            store.put_campaign(attrs.evolve(campaign, lists=remaining))
        (archive,) = store.archives(campaign.name)
        archived = store.archive_bytes(archive)
    with zipfile.ZipFile(io.BytesIO(archived)) as zipped:
        for member, report in (("simple.csv", "simple"), ("detailed.csv", "detailed")):
            stream = io.BytesIO()
            member_options = attrs.evolve(options, format=report, lists=[list_name])
            ccr.export(campaign, expected, stream, member_options)
            assert zipped.read(member) == stream.getvalue()
        manifest = json.loads(zipped.read("manifest.json"))
    assert manifest["options"] == {
        "language": options.language.value,
        "timezone": options.timezone,
        "dialect": options.dialect.value,
        "datetime_format": options.datetime_format,
        "formula_guard": options.formula_guard,
        "layout": options.layout.value,
    }
