"""ResultsStore through the public API: campaigns, live results, snapshots, archives, deletion."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import sqlite3
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

import cloudcontact_results as ccr
from cloudcontact_results.errors import (
    CampaignMismatchError,
    StoreError,
    UnknownDispositionError,
    UnknownNameError,
)
from tests.support.samples import AGREED, BUSY, NO_ANSWER

MOSCOW = ZoneInfo("Europe/Moscow")
NEW_YORK = ZoneInfo("America/New_York")
CALL_BACK = ccr.Disposition("Перезвонить", code="2")

CAMPAIGN = ccr.Campaign(
    "Продажи",
    [
        ccr.CallingList("Клиенты", ["№", "Фамилия", "Телефон"]),
        ccr.CallingList("VIP", ["Фамилия", "Телефон"]),
    ],
    script_fields=[ccr.ScriptField("comment")],
    dispositions=[AGREED, CALL_BACK],
)
OTHER = ccr.Campaign("Опрос", [ccr.CallingList("VIP", ["Фамилия", "Телефон"])])


def at(day: int, hour: int, minute: int = 0, zone: dt.tzinfo = MOSCOW) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=zone)


def attempt(when: dt.datetime, **values: object) -> ccr.Attempt:
    fields: dict[str, object] = {"phone": "+79161234567", "time": when}
    fields.update(values)
    return ccr.Attempt(**fields)  # type: ignore[arg-type]


def no_answer(when: dt.datetime, **values: object) -> ccr.Attempt:
    return attempt(when, call_disposition=NO_ANSWER, cpa_result=8, sip_code=480, **values)


def agreed(when: dt.datetime) -> ccr.Attempt:
    return attempt(
        when,
        call_disposition=AGREED,
        record_disposition=AGREED,
        answered_duration=95,
        agent="ivanova",
        interaction_id="A-1",
        script_values={"comment": "=доставка"},
    )


def client(number: int, *attempts: ccr.Attempt) -> ccr.Record:
    fields = {"№": str(number), "Фамилия": f"Фамилия {number}", "Телефон": "+79161234567"}
    return ccr.Record(f"c{number}", "Клиенты", fields, attempts)


def vip(number: int, *attempts: ccr.Attempt) -> ccr.Record:
    return ccr.Record(f"v{number}", "VIP", {"Фамилия": f"VIP {number}"}, attempts)


RECORDS = [
    client(1, no_answer(at(2, 10)), agreed(at(2, 12))),
    client(2),
    vip(1, no_answer(at(3, 9), note="перезвонить")),
    client(3, no_answer(at(2, 11))),
]


def exported(campaign: ccr.Campaign, records: list[ccr.Record], **options: object) -> bytes:
    stream = io.BytesIO()
    ccr.export(campaign, records, stream, ccr.ExportOptions(**options))  # type: ignore[arg-type]
    return stream.getvalue()


def store_export(store: ccr.ResultsStore, name: str, **options: object) -> bytes:
    stream = io.BytesIO()
    store.export(name, stream, ccr.ExportOptions(**options))  # type: ignore[arg-type]
    return stream.getvalue()


def in_list_order(campaign: ccr.Campaign, records: list[ccr.Record]) -> list[ccr.Record]:
    order = {calling_list.name: i for i, calling_list in enumerate(campaign.lists)}
    return sorted(records, key=lambda record: order[record.list_name])


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "results.sqlite"


#: A test of SQLite's file itself: it runs on SQLite only (PostgreSQL's own are in
#: tests/test_store_backends.py).
ON_SQLITE = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture
def store(store_target: str) -> ccr.ResultsStore:
    """A store of the test's backend (SQLite, PostgreSQL) with the campaign and its records."""
    with ccr.ResultsStore(store_target) as opened:
        opened.put_campaign(CAMPAIGN)
        opened.add_records(CAMPAIGN.name, RECORDS)
        yield opened


# --- opening ------------------------------------------------------------------------


def test_a_new_store_is_created_and_kept_across_reopening(store_target: str, backend: str) -> None:
    with ccr.ResultsStore(store_target) as store:
        assert store.campaign_names() == ()
        store.put_campaign(CAMPAIGN)
        assert store.add_records(CAMPAIGN.name, RECORDS) == 4
    if backend == "sqlite":
        assert Path(store_target).is_file()
    with ccr.ResultsStore(store_target) as store:
        assert store.campaign_names() == ("Продажи",)
        assert store.campaign("Продажи") == CAMPAIGN
        assert list(store.records("Продажи")) == in_list_order(CAMPAIGN, RECORDS)


def test_close_without_a_with_block_and_a_closed_store_refuses_work(store_target: str) -> None:
    store = ccr.ResultsStore(store_target)
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.campaign_names()


def test_a_folder_is_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder") as error:
        ccr.ResultsStore(tmp_path)
    assert not isinstance(error.value, ValueError)  # the store's file is the problem, not data
    assert str(tmp_path) in str(error.value)


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"campaign results, not a database\n" * 200)
    with pytest.raises(StoreError, match="not a results store") as error:
        ccr.ResultsStore(path)
    assert not isinstance(error.value, ValueError)
    assert path.read_bytes() == b"campaign results, not a database\n" * 200


def test_another_programs_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="an SQLite database, but not a results store"):
        ccr.ResultsStore(path)
    assert path.read_bytes() == before


def test_a_store_of_a_newer_schema_is_refused_untouched(path: Path) -> None:
    ccr.ResultsStore(path).close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer version") as error:
        ccr.ResultsStore(path)
    assert "99" in str(error.value)
    assert not isinstance(error.value, ValueError)
    assert path.read_bytes() == before


@ON_SQLITE
def test_a_damaged_store_is_a_store_error_not_bad_data(store: ccr.ResultsStore, path: Path) -> None:
    store.close()
    with sqlite3.connect(path) as connection:
        size = connection.execute("PRAGMA page_size").fetchone()[0]
        roots = connection.execute(
            "SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND rootpage > 1"
        ).fetchall()
    connection.close()
    damaged = bytearray(path.read_bytes())
    for (root,) in roots:  # every table's first page overwritten; the schema page stays
        damaged[(root - 1) * size : root * size] = b"\xff" * size
    path.write_bytes(damaged)
    with (
        pytest.raises(StoreError, match="malformed") as error,
        ccr.ResultsStore(path) as reopened,
    ):
        list(reopened.records(CAMPAIGN.name))
    assert not isinstance(error.value, ValueError)
    assert error.value.path == str(path)


def test_the_store_file_is_in_wal_mode_with_a_schema_version(path: Path) -> None:
    ccr.ResultsStore(path).close()
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA user_version").fetchone()[0] >= 1
    connection.close()


# --- campaigns ------------------------------------------------------------------------


def test_unknown_campaign_names_raise_everywhere_naming_the_campaign(
    store: ccr.ResultsStore, tmp_path: Path, backend: str
) -> None:
    calls = [
        lambda: store.campaign("Нет такой"),
        lambda: store.records("Нет такой"),
        lambda: store.add_records("Нет такой", []),
        lambda: store.add_attempts("Нет такой", []),
        lambda: store.export("Нет такой", tmp_path / "x.csv"),
        lambda: store.archives("Нет такой"),
        lambda: store.delete_campaign("Нет такой"),
    ]
    if backend == "sqlite":  # archiving a list: SQLite's only, so far
        calls.append(lambda: store.remove_list("Нет такой", "VIP"))
    for call in calls:
        with pytest.raises(UnknownNameError, match="campaign 'Нет такой'") as error:
            call()
        assert isinstance(error.value, ValueError)  # bad input, not a failing store
        assert not isinstance(error.value, StoreError)
        assert error.value.kind == "campaign"
    assert not (tmp_path / "x.csv").exists()


def test_campaign_names_in_creation_order(store: ccr.ResultsStore) -> None:
    store.put_campaign(OTHER)
    assert store.campaign_names() == ("Продажи", "Опрос")
    assert store.campaign("Опрос") == OTHER


def test_put_campaign_needs_a_campaign(store: ccr.ResultsStore) -> None:
    with pytest.raises(ValueError, match="must be a Campaign"):
        store.put_campaign("Продажи")  # type: ignore[arg-type]


def test_redefining_a_campaign_keeps_its_results_and_applies_the_new_definition(
    store: ccr.ResultsStore,
) -> None:
    recoded = attrs.evolve(AGREED, code="OK")
    redefined = attrs.evolve(
        CAMPAIGN,
        lists=[*CAMPAIGN.lists, ccr.CallingList("Новый", ["Телефон"])],
        dispositions=[recoded, CALL_BACK],
    )
    store.put_campaign(redefined)

    assert store.campaign(CAMPAIGN.name) == redefined
    assert store.archives(CAMPAIGN.name) == ()
    # Dispositions are kept by name and read as the campaign now defines them.
    expected = [
        attrs.evolve(
            record,
            attempts=[
                attrs.evolve(a, call_disposition=recoded, record_disposition=recoded)
                if a.record_disposition is not None
                else a
                for a in record.attempts
            ],
        )
        for record in in_list_order(CAMPAIGN, RECORDS)
    ]
    assert list(store.records(CAMPAIGN.name)) == expected
    assert store_export(store, CAMPAIGN.name) == exported(redefined, expected)


def test_a_redefinition_that_drops_a_list_archives_it_as_removed(
    store: ccr.ResultsStore,
) -> None:
    before = exported(CAMPAIGN, RECORDS, format="detailed", lists=["VIP"])
    store.put_campaign(attrs.evolve(CAMPAIGN, lists=CAMPAIGN.lists[:1]))

    (archive,) = store.archives(CAMPAIGN.name)
    assert (archive.list_name, archive.reason) == ("VIP", ccr.ArchiveReason.REMOVED)
    with zipfile.ZipFile(io.BytesIO(store.archive_bytes(archive))) as zipped:
        assert zipped.read("detailed.csv") == before
    assert [r.list_name for r in store.records(CAMPAIGN.name)] == ["Клиенты"] * 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"lists": [ccr.CallingList("Клиенты", ["№", "Телефон"]), CAMPAIGN.lists[1]]},
            "record 'c1' of the store has a value for it",
        ),
        ({"script_fields": []}, "attempts of the store have values for it"),
        ({"dispositions": [CALL_BACK]}, "is dropped, but attempts of the store use it"),
    ],
)
def test_a_redefinition_the_stored_results_do_not_fit_is_refused(
    store: ccr.ResultsStore, change: dict[str, object], message: str
) -> None:
    with pytest.raises(CampaignMismatchError, match=message):
        store.put_campaign(attrs.evolve(CAMPAIGN, **change))  # type: ignore[arg-type]
    assert store.campaign(CAMPAIGN.name) == CAMPAIGN
    assert list(store.records(CAMPAIGN.name)) == in_list_order(CAMPAIGN, RECORDS)


def test_a_redefinition_may_drop_what_no_result_uses(store: ccr.ResultsStore) -> None:
    trimmed = attrs.evolve(
        CAMPAIGN,
        lists=[ccr.CallingList("Клиенты", ["№", "Фамилия", "Телефон"]), CAMPAIGN.lists[1]],
        dispositions=[AGREED],
    )
    store.put_campaign(trimmed)
    assert store.campaign(CAMPAIGN.name) == trimmed


# --- records ----------------------------------------------------------------------------


def test_records_come_list_by_list_in_load_order(store: ccr.ResultsStore) -> None:
    ids = [record.id for record in store.records(CAMPAIGN.name)]
    assert ids == ["c1", "c2", "c3", "v1"]
    assert [r.id for r in store.records(CAMPAIGN.name, lists=["VIP"])] == ["v1"]
    assert [r.id for r in store.records(CAMPAIGN.name, lists="Клиенты")] == ["c1", "c2", "c3"]


def test_attempts_come_back_in_time_order_ties_in_the_order_they_were_added(
    store: ccr.ResultsStore,
) -> None:
    # The same instant written in two zones, then an earlier attempt added later.
    tie_a = no_answer(at(4, 12), note="first")
    tie_b = no_answer(at(4, 9, zone=dt.UTC), note="second")
    earlier = no_answer(at(1, 8), note="earlier")
    assert (
        store.add_attempts(
            CAMPAIGN.name,
            [("Клиенты", "c2", tie_a), ("Клиенты", "c2", tie_b), ("Клиенты", "c2", earlier)],
        )
        == 3
    )
    (c2,) = (r for r in store.records(CAMPAIGN.name) if r.id == "c2")
    assert [a.note for a in c2.attempts] == ["earlier", "first", "second"]


def test_add_records_updates_known_records_replacing_fields_and_merging_attempts(
    store: ccr.ResultsStore,
) -> None:
    later = no_answer(at(5, 10))
    updated = ccr.Record(
        "c1",
        "Клиенты",
        {"Фамилия": "Новая"},
        [RECORDS[0].attempts[1], later],  # one already stored, one new
    )
    assert store.add_records(CAMPAIGN.name, [updated]) == 1
    (c1,) = (r for r in store.records(CAMPAIGN.name) if r.id == "c1")
    assert c1.fields == {"Фамилия": "Новая"}
    assert c1.attempts == (*RECORDS[0].attempts, later)


def test_the_same_record_twice_in_one_call_is_loaded_then_updated(store_target: str) -> None:
    with ccr.ResultsStore(store_target) as store:
        store.put_campaign(CAMPAIGN)
        first = client(9, no_answer(at(2, 10)))
        second = client(9, no_answer(at(2, 10)), agreed(at(2, 11)))
        assert store.add_records(CAMPAIGN.name, [first, second]) == 2
        assert list(store.records(CAMPAIGN.name)) == [second]


def test_add_records_with_replace_archives_then_holds_exactly_the_given_records(
    store: ccr.ResultsStore,
) -> None:
    before = {
        report: exported(CAMPAIGN, RECORDS, format=report, lists=["Клиенты"])
        for report in ("simple", "detailed")
    }
    reload = [client(7, no_answer(at(6, 9))), client(1)]
    assert store.add_records(CAMPAIGN.name, reload, replace=True) == 2

    assert [r for r in store.records(CAMPAIGN.name) if r.list_name == "Клиенты"] == reload
    assert [r.id for r in store.records(CAMPAIGN.name, lists=["VIP"])] == ["v1"]
    (archive,) = store.archives(CAMPAIGN.name)
    assert archive.reason is ccr.ArchiveReason.REPLACED
    assert (archive.list_name, archive.records, archive.attempts) == ("Клиенты", 3, 3)
    with zipfile.ZipFile(io.BytesIO(store.archive_bytes(archive))) as zipped:
        assert zipped.read("simple.csv") == before["simple"]
        assert zipped.read("detailed.csv") == before["detailed"]


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        (ccr.Record("x", "Нет списка", {}), UnknownNameError, "list 'Нет списка'"),
        (ccr.Record("x", "VIP", {"№": "1"}), CampaignMismatchError, "is not a column of list"),
        ("not a record", CampaignMismatchError, r"records\[1\]: must be a Record"),
        (
            vip(5, attempt(at(2, 9), call_disposition=ccr.Disposition("Чужой"))),
            UnknownDispositionError,
            "'Чужой'",
        ),
        (
            vip(5, attempt(at(2, 9), script_values={"нет поля": "1"})),
            CampaignMismatchError,
            "is not a script field of campaign",
        ),
    ],
)
def test_bad_records_raise_naming_the_problem_and_nothing_is_written(
    store: ccr.ResultsStore, bad: object, error: type[Exception], message: str
) -> None:
    before = store_export(store, CAMPAIGN.name, format="detailed")
    with pytest.raises(error, match=message):
        store.add_records(CAMPAIGN.name, [client(8), bad], replace=True)  # type: ignore[list-item]
    assert store_export(store, CAMPAIGN.name, format="detailed") == before
    assert store.archives(CAMPAIGN.name) == ()


def test_a_disposition_differing_from_the_campaigns_of_that_name_is_refused(
    store: ccr.ResultsStore,
) -> None:
    other_agreed = attrs.evolve(AGREED, code="99")
    assert store.add_attempts(CAMPAIGN.name, [("VIP", "v1", agreed(at(2, 9)))]) == 1
    with pytest.raises(UnknownDispositionError, match="as the campaign defines it"):
        store.add_attempts(
            CAMPAIGN.name,
            [("VIP", "v1", attempt(at(2, 10), call_disposition=other_agreed))],
        )


# --- attempts -----------------------------------------------------------------------------


def test_add_attempts_counts_new_attempts_and_ignores_redelivered_ones(
    store: ccr.ResultsStore,
) -> None:
    new = no_answer(at(7, 10))
    old = RECORDS[0].attempts[0]
    assert (
        store.add_attempts(
            CAMPAIGN.name, [("Клиенты", "c1", new), ("Клиенты", "c1", old), ("Клиенты", "c1", new)]
        )
        == 1
    )
    assert store.add_attempts(CAMPAIGN.name, [("Клиенты", "c1", new)]) == 0
    assert store.add_attempts(CAMPAIGN.name, []) == 0
    (c1,) = (r for r in store.records(CAMPAIGN.name) if r.id == "c1")
    assert c1.attempts == (*RECORDS[0].attempts, new)


def test_an_attempt_differing_in_one_field_is_a_new_attempt(store: ccr.ResultsStore) -> None:
    old = RECORDS[0].attempts[0]
    changed = [
        attrs.evolve(old, note="x"),
        attrs.evolve(old, time=old.time.astimezone(dt.UTC)),  # same instant, another zone
        attrs.evolve(old, sip_code=486),
        attrs.evolve(old, is_call_attempt=False, interaction_id=""),
    ]
    assert store.add_attempts(CAMPAIGN.name, [("Клиенты", "c1", a) for a in changed]) == 4


@pytest.mark.parametrize(
    ("item", "error", "message"),
    [
        (("Нет списка", "c1", None), UnknownNameError, "list 'Нет списка'"),
        (("Клиенты", "нет", None), UnknownNameError, "record 'нет': .* list 'Клиенты'"),
        (("VIP", "c1", None), UnknownNameError, "record 'c1'"),
        (("Клиенты", "c1"), CampaignMismatchError, r"attempts\[1\]: must be a \(list name"),
        (("Клиенты", "c1", "attempt"), CampaignMismatchError, "must be an Attempt"),
        (
            ("Клиенты", "c1", attempt(at(2, 9), call_disposition=ccr.Disposition("Чужой"))),
            UnknownDispositionError,
            r"attempts\[1\]\[2\].call_disposition: is neither",
        ),
    ],
)
def test_a_bad_item_fails_the_whole_batch(
    store: ccr.ResultsStore, item: tuple[object, ...], error: type[Exception], message: str
) -> None:
    good = ("VIP", "v1", no_answer(at(8, 10)))
    if len(item) == 3 and item[2] is None:
        item = (item[0], item[1], no_answer(at(8, 11)))
    before = store_export(store, CAMPAIGN.name, format="detailed")
    with pytest.raises(error, match=message):
        store.add_attempts(CAMPAIGN.name, [good, item])  # type: ignore[list-item]
    assert store_export(store, CAMPAIGN.name, format="detailed") == before


def test_attempts_keep_every_field(store: ccr.ResultsStore) -> None:
    fall_back = dt.datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=1)  # the second 01:30
    in_the_gap = dt.datetime(2026, 3, 8, 2, 30, tzinfo=NEW_YORK)  # a wall clock that never was
    named_offset = dt.datetime(
        2026, 3, 2, 9, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=5), "YEKT")
    )
    attempts = [
        ccr.Attempt(
            "",
            fall_back,
            is_call_attempt=False,
            quota=ccr.QuotaOutcome(ccr.NO_MATCH),
            call_disposition=ccr.system_disposition("Call failed"),
        ),
        ccr.Attempt(
            "+79161234567",
            in_the_gap,
            call_disposition=BUSY,
            cpa_result=ccr.CPAResult.BUSY,
            sip_code=486,
            dialing_duration=12,
            cpa_duration=3,
            cpa_recording="cpa.wav",
            cpa_rtp_server="rtp1",
            interaction_id="ID-1",
            note="",
        ),
        ccr.Attempt(
            "+79161234567",
            named_offset,
            is_inbound=True,
            call_disposition=AGREED,
            record_disposition=AGREED,
            answered_duration=61,
            agent="ivanova",
            recording="rec.mp3",
            rtp_server="rtp2",
            interaction_id="ID-2",
            quota=None,
            note="'=1+1\r\n«да»",
            script_values={"comment": "первая\nвторая"},
        ),
        ccr.Attempt(
            "+1 555",
            dt.datetime(2026, 3, 9, tzinfo=dt.UTC),
            is_call_attempt=False,
            quota=ccr.QuotaOutcome("Москва"),
            cpa_result=ccr.CPAResult.UNKNOWN,
        ),
    ]
    store.add_records(CAMPAIGN.name, [vip(2)])
    store.add_attempts(CAMPAIGN.name, [("VIP", "v2", a) for a in attempts])
    (v2,) = (r for r in store.records(CAMPAIGN.name) if r.id == "v2")
    in_time_order = [attempts[i] for i in (2, 1, 3, 0)]
    assert v2.attempts == tuple(in_time_order)
    for before, after in zip(in_time_order, v2.attempts, strict=True):
        assert after.time.replace(tzinfo=None) == before.time.replace(tzinfo=None)
        assert after.time.fold == before.time.fold
        assert after.time.tzname() == before.time.tzname()
        assert after.time.utcoffset() == before.time.utcoffset()


def test_the_counted_and_last_attempts_follow_the_instants(store: ccr.ResultsStore) -> None:
    # Stored in New York time across the fall-back: wall clocks go backwards.
    first = no_answer(dt.datetime(2026, 11, 1, 1, 50, tzinfo=NEW_YORK), note="first")
    second = no_answer(dt.datetime(2026, 11, 1, 1, 10, tzinfo=NEW_YORK, fold=1), note="second")
    store.add_attempts(CAMPAIGN.name, [("Клиенты", "c2", second), ("Клиенты", "c2", first)])
    (c2,) = (r for r in store.records(CAMPAIGN.name) if r.id == "c2")
    assert [a.note for a in c2.attempts] == ["first", "second"]
    assert c2.last_attempt == second


# --- snapshots and export -------------------------------------------------------------


def test_records_checks_names_when_called_not_when_iterated(store: ccr.ResultsStore) -> None:
    with pytest.raises(UnknownNameError, match="campaign"):
        store.records("Нет такой")
    with pytest.raises(UnknownNameError, match="list 'Нет списка': is not a list of campaign"):
        store.records(CAMPAIGN.name, lists=["VIP", "Нет списка"])


def test_records_read_one_snapshot_while_writers_go_on(
    store: ccr.ResultsStore, store_target: str
) -> None:
    records = store.records(CAMPAIGN.name)
    first = next(records)
    with ccr.ResultsStore(store_target) as writer:
        writer.add_attempts(CAMPAIGN.name, [("VIP", "v1", no_answer(at(9, 9)))])
        writer.add_records(CAMPAIGN.name, [vip(2)])
    assert [first, *records] == in_list_order(CAMPAIGN, RECORDS)
    assert len(list(store.records(CAMPAIGN.name))) == 5


def test_a_snapshot_abandoned_early_does_not_block_writers(store: ccr.ResultsStore) -> None:
    records = store.records(CAMPAIGN.name)
    next(records)
    records.close()  # type: ignore[attr-defined]
    del records
    unread = store.records(CAMPAIGN.name)
    assert store.add_records(CAMPAIGN.name, [vip(3)]) == 1
    del unread


@pytest.mark.parametrize("report", ["simple", "detailed", "detailed-interval"])
@pytest.mark.parametrize("language", ["en", "ru"])
def test_export_is_the_stateless_export_of_the_same_records(
    store: ccr.ResultsStore, report: str, language: str
) -> None:
    options = {"format": report, "language": language, "dialect": "excel-ru"}
    if report == "detailed-interval":
        options["interval"] = (at(2, 11), at(3, 0))
    assert store_export(store, CAMPAIGN.name, **options) == exported(
        CAMPAIGN, in_list_order(CAMPAIGN, RECORDS), **options
    )


def test_export_of_some_lists_and_to_a_zip_path(store: ccr.ResultsStore, tmp_path: Path) -> None:
    moment = dt.datetime(2026, 3, 7, tzinfo=MOSCOW)
    options = ccr.ExportOptions(
        format="detailed", lists=["VIP"], compress=True, zip_timestamp=moment
    )
    result = store.export(CAMPAIGN.name, tmp_path / "vip.zip", options)
    ccr.export(CAMPAIGN, RECORDS, tmp_path / "expected.zip", options)
    assert (tmp_path / "vip.zip").read_bytes() != b""
    with (
        zipfile.ZipFile(tmp_path / "vip.zip") as got,
        zipfile.ZipFile(tmp_path / "expected.zip") as want,
    ):
        assert got.read("vip.csv") == want.read("expected.csv")
    assert result.rows == 1


def test_export_rejects_unknown_lists_as_export_does(store: ccr.ResultsStore) -> None:
    with pytest.raises(CampaignMismatchError, match="Нет списка"):
        store.export(CAMPAIGN.name, io.BytesIO(), ccr.ExportOptions(lists=["Нет списка"]))


# --- archives and deletion ------------------------------------------------------------------


def test_remove_list_archives_the_lists_results(store: ccr.ResultsStore) -> None:
    before = {
        member: exported(CAMPAIGN, RECORDS, format=report, lists=["Клиенты"])
        for member, report in (("simple.csv", "simple"), ("detailed.csv", "detailed"))
    }
    started = dt.datetime.now(dt.UTC)
    archive = store.remove_list(CAMPAIGN.name, "Клиенты")

    assert isinstance(archive, ccr.Archive)
    assert (archive.campaign, archive.list_name) == (CAMPAIGN.name, "Клиенты")
    assert archive.reason is ccr.ArchiveReason.REMOVED
    assert archive.reason == "removed"
    assert (archive.records, archive.attempts) == (3, 3)
    assert started <= archive.created <= dt.datetime.now(dt.UTC)
    assert archive.created.utcoffset() == dt.timedelta(0)
    data = store.archive_bytes(archive)
    assert archive.size == len(data)
    assert store.archives(CAMPAIGN.name) == (archive,)

    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        assert zipped.namelist() == ["simple.csv", "detailed.csv", "manifest.json"]
        for member, content in before.items():
            assert zipped.read(member) == content
        manifest = json.loads(zipped.read("manifest.json"))
    assert manifest == {
        "campaign": CAMPAIGN.name,
        "list": "Клиенты",
        "reason": "removed",
        "archived_at": manifest["archived_at"],
        "records": 3,
        "attempts": 3,
        "sha256": {
            member: hashlib.sha256(content).hexdigest() for member, content in before.items()
        },
        "options": {
            "language": "en",
            "timezone": "Europe/Moscow",
            "dialect": "platform",
            "datetime_format": "%Y-%m-%d %H:%M:%S",
            "formula_guard": True,
            "layout": "manual",
        },
    }
    assert dt.datetime.fromisoformat(manifest["archived_at"]) == archive.created
    assert manifest["archived_at"].endswith("Z")

    report = ccr.read_report(io.BytesIO(data), member="detailed.csv")
    assert [row.record_id for row in report] == ["c1", "c1", "c3"]

    assert [cl.name for cl in store.campaign(CAMPAIGN.name).lists] == ["VIP"]
    assert [r.id for r in store.records(CAMPAIGN.name)] == ["v1"]
    with pytest.raises(UnknownNameError, match="list 'Клиенты'"):
        store.remove_list(CAMPAIGN.name, "Клиенты")


def test_delete_list_archives_it_in_every_campaign_that_uses_it(store: ccr.ResultsStore) -> None:
    store.put_campaign(OTHER)
    store.add_records(OTHER.name, [vip(1), vip(2, no_answer(at(4, 4)))])
    archives = store.delete_list("VIP")

    assert [(a.campaign, a.reason, a.records, a.attempts) for a in archives] == [
        (CAMPAIGN.name, ccr.ArchiveReason.DELETED, 1, 1),
        (OTHER.name, ccr.ArchiveReason.DELETED, 2, 1),
    ]
    assert store.archives(OTHER.name) == archives[1:]
    assert store.campaign(OTHER.name).lists == ()
    assert list(store.records(OTHER.name)) == []
    with pytest.raises(UnknownNameError, match="list 'VIP': no campaign of the store uses it"):
        store.delete_list("VIP")


def test_delete_campaign_deletes_its_results_and_archives_and_nothing_else(
    store: ccr.ResultsStore,
) -> None:
    store.put_campaign(OTHER)
    store.add_records(OTHER.name, [vip(1, no_answer(at(4, 4)))])
    kept = store.remove_list(OTHER.name, "VIP")
    gone = store.remove_list(CAMPAIGN.name, "VIP")
    other_before = store_export(store, OTHER.name, format="detailed")

    store.delete_campaign(CAMPAIGN.name)

    assert store.campaign_names() == (OTHER.name,)
    for call in (lambda: store.campaign(CAMPAIGN.name), lambda: store.records(CAMPAIGN.name)):
        with pytest.raises(UnknownNameError, match="campaign 'Продажи'"):
            call()
    with pytest.raises(UnknownNameError, match="archive"):
        store.archive_bytes(gone)
    assert store.archives(OTHER.name) == (kept,)
    assert store.archive_bytes(kept)
    assert store_export(store, OTHER.name, format="detailed") == other_before

    store.put_campaign(CAMPAIGN)  # a new campaign of the same name starts empty
    assert list(store.records(CAMPAIGN.name)) == []
    assert store.archives(CAMPAIGN.name) == ()


def test_archive_bytes_needs_an_archive_of_this_store(store: ccr.ResultsStore) -> None:
    with pytest.raises(ValueError, match="must be an Archive"):
        store.archive_bytes(1)  # type: ignore[arg-type]
    stranger = ccr.Archive(
        id=1,
        campaign=CAMPAIGN.name,
        list_name="VIP",
        reason=ccr.ArchiveReason.DELETED,
        created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        records=0,
        attempts=0,
        size=0,
    )
    with pytest.raises(UnknownNameError, match=r"archive 1: .* list 'VIP' of campaign"):
        store.archive_bytes(stranger)


def test_text_with_any_character_comes_back_unchanged(store: ccr.ResultsStore) -> None:
    odd = '\x1f\x1e{"a": 1}\x00\'=1'
    record = ccr.Record(
        "odd",
        "VIP",
        {"Фамилия": odd, "Телефон": ""},
        [attempt(at(2, 9), note=odd, script_values={"comment": odd})],
    )
    plain = ccr.Record(
        "plain", "VIP", {"Фамилия": "{"}, [attempt(at(2, 9), script_values={"comment": ""})]
    )
    store.add_records(CAMPAIGN.name, [record, plain])
    back = [r for r in store.records(CAMPAIGN.name, lists=["VIP"]) if r.id in {"odd", "plain"}]
    assert back == [record, plain]


def test_script_values_in_another_order_are_the_same_attempt(store: ccr.ResultsStore) -> None:
    two_fields = attrs.evolve(
        CAMPAIGN, script_fields=[ccr.ScriptField("comment"), ccr.ScriptField("x")]
    )
    store.put_campaign(two_fields)
    first = attempt(at(9, 9), script_values={"comment": "1", "x": "2"})
    again = attempt(at(9, 9), script_values={"x": "2", "comment": "1"})
    assert store.add_attempts(CAMPAIGN.name, [("VIP", "v1", first), ("VIP", "v1", again)]) == 1


@ON_SQLITE
def test_reading_never_waits_for_a_writer(store: ccr.ResultsStore, path: Path) -> None:
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with ccr.ResultsStore(path, timeout=0.2) as reader:
            assert reader.campaign_names() == (CAMPAIGN.name,)
            assert len(list(reader.records(CAMPAIGN.name))) == 4
            assert store_export(reader, CAMPAIGN.name)
            with pytest.raises(StoreError, match="locked") as error:
                reader.add_records(CAMPAIGN.name, [vip(9)])
            assert not isinstance(error.value, ValueError)  # trying later may succeed
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert store.add_records(CAMPAIGN.name, [vip(9)]) == 1
