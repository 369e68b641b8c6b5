"""The results store on each of its databases: what differs (opening, credentials, locks), one
schema for both, and the same bytes from both.

The promises themselves are tested once, on both databases: ``tests/test_store.py``
runs on SQLite and on PostgreSQL (the fixture ``backend``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self
from zoneinfo import ZoneInfo

import attrs
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results._store._open import open_engine
from cloudcontact_results._store._schema import (
    APPLICATION_ID,
    FIRST_POSTGRES_VERSION,
    MIGRATIONS,
    SCHEMA_VERSION,
    statements,
)
from cloudcontact_results.errors import StoreError
from tests.support.postgres import PASSWORD, USER, PostgresServer
from tests.support.strategies import campaign_with_records, export_options
from tests.test_store import CAMPAIGN, OTHER, RECORDS, at, no_answer, store_export, vip
from tests.test_store_properties import comparable, expected_records, export_bytes, interleavings

# --- opening a PostgreSQL store ------------------------------------------------------------


def test_a_postgresql_url_opens_an_empty_database_as_a_new_store(postgres_url: str) -> None:
    with ccr.ResultsStore(postgres_url) as store:
        assert store.campaign_names() == ()
        store.put_campaign(CAMPAIGN)
    # postgres:// is the same store.
    with ccr.ResultsStore(postgres_url.replace("postgresql://", "postgres://", 1)) as store:
        assert store.campaign_names() == (CAMPAIGN.name,)
        with pytest.raises(StoreError, match="PostgreSQL database: it has no file"):
            _ = store.path


def test_a_database_that_is_not_a_store_is_refused_untouched(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    database = postgres_url.rsplit("/", 1)[1]
    postgres_server.psql("CREATE TABLE notes (line TEXT); INSERT INTO notes VALUES ('x')", database)
    with pytest.raises(StoreError, match="a PostgreSQL database, but not a results store") as error:
        ccr.ResultsStore(postgres_url)
    assert not isinstance(error.value, ValueError)
    tables = postgres_server.psql(
        "SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'", database
    )
    assert tables.strip() == "notes"


@pytest.mark.parametrize(
    ("version", "said"),
    [
        pytest.param(99, ["newer version", "99"], id="newer"),
        pytest.param(7, ["schema version 7, older than any PostgreSQL store"], id="older"),
    ],
)
def test_a_store_of_another_schema_version_is_refused_untouched(
    postgres_server: PostgresServer, postgres_url: str, version: int, said: list[str]
) -> None:
    with ccr.ResultsStore(postgres_url) as store:
        store.put_campaign(CAMPAIGN)
    database = postgres_url.rsplit("/", 1)[1]
    postgres_server.psql(
        f"UPDATE store_meta SET value = {version} WHERE name = 'schema_version'",  # noqa: S608
        database,
    )
    with pytest.raises(StoreError) as error:
        ccr.ResultsStore(postgres_url)
    for words in said:
        assert words in str(error.value)
    assert postgres_server.psql("SELECT name FROM campaigns", database).strip() == CAMPAIGN.name


def test_one_schema_version_for_both_databases() -> None:
    # PostgreSQL stores exist at one version only, so far: a new version must
    # upgrade them too (``_schema.FIRST_POSTGRES_VERSION``); then this test
    # becomes one that upgrades a PostgreSQL store of that first version.
    assert SCHEMA_VERSION == FIRST_POSTGRES_VERSION == 8


def test_another_programs_marker_is_not_a_store(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    database = postgres_url.rsplit("/", 1)[1]
    postgres_server.psql(
        "CREATE TABLE store_meta (name TEXT PRIMARY KEY, value BIGINT NOT NULL);"
        "INSERT INTO store_meta VALUES ('application_id', 7), ('schema_version', 8)",
        database,
    )
    with pytest.raises(StoreError, match="not a results store"):
        ccr.ResultsStore(postgres_url)


def test_the_password_comes_from_the_usual_places_and_is_never_shown(
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    database = f"secret_{tmp_path.name[-20:].replace('-', '_')}"
    url = postgres_server.create_database(database)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    # ~/.pgpass (here PGPASSFILE): host:port:database:user:password
    passfile = tmp_path / "pgpass"
    port = url.split(":")[2].split("/")[0]
    passfile.write_text(f"127.0.0.1:{port}:*:{USER}:{PASSWORD}\n", encoding="utf-8")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    with ccr.ResultsStore(url) as store:
        store.put_campaign(CAMPAIGN)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))

    # A password in the URL works, and is in no repr and no message.
    host = url.removeprefix(f"postgresql://{USER}@")
    with_password = f"postgresql://{USER}:{_quote(PASSWORD)}@{host}"
    with ccr.ResultsStore(with_password) as store:
        assert store.campaign_names() == (CAMPAIGN.name,)
        shown = repr(store)
        with pytest.raises(StoreError) as unavailable:
            store.path  # noqa: B018 - raises: a database has no file
    wrong = f"postgresql://{USER}:{_quote('not-' + PASSWORD)}@{host}"
    with pytest.raises(StoreError, match="cannot be opened") as refused:
        ccr.ResultsStore(wrong)
    in_query = f"{url}?password={_quote('not-' + PASSWORD)}"
    with pytest.raises(StoreError, match="cannot be opened") as refused_too:
        ccr.ResultsStore(in_query)
    for text in (shown, str(unavailable.value), str(refused.value), str(refused_too.value)):
        assert PASSWORD not in text
        assert _quote(PASSWORD) not in text
        assert "not-" not in text
        assert f"{USER}@127.0.0.1:{port}/{database}" in text


def _quote(text: str) -> str:
    from urllib.parse import quote  # noqa: PLC0415

    return quote(text, safe="")


def test_an_unreachable_server_is_a_store_error(postgres_server: PostgresServer) -> None:
    from tests.support.delivery_servers import free_port  # noqa: PLC0415

    with pytest.raises(StoreError, match="cannot be opened") as error:
        ccr.ResultsStore(f"postgresql://{USER}@127.0.0.1:{free_port()}/none")
    assert not isinstance(error.value, ValueError)


# --- locks ---------------------------------------------------------------------------------


def test_postgresql_readers_never_wait_and_writers_wait_for_the_write_lock(
    postgres_url: str,
) -> None:
    with ccr.ResultsStore(postgres_url) as store:
        store.put_campaign(CAMPAIGN)
        store.add_records(CAMPAIGN.name, RECORDS)
    # Another process is inside a write transaction: it holds the store's write lock.
    with psycopg.connect(postgres_url, autocommit=True) as writer:
        writer.execute("BEGIN")
        writer.execute("SELECT pg_advisory_xact_lock(%s)", (APPLICATION_ID,))
        with ccr.ResultsStore(postgres_url, timeout=0.2) as other:
            assert other.campaign_names() == (CAMPAIGN.name,)
            assert len(list(other.records(CAMPAIGN.name))) == 4
            assert store_export(other, CAMPAIGN.name)
            with pytest.raises(StoreError, match="locked") as error:
                other.add_records(CAMPAIGN.name, [vip(9)])
            assert not isinstance(error.value, ValueError)
        writer.execute("ROLLBACK")
    with ccr.ResultsStore(postgres_url, timeout=0.2) as store:
        assert store.add_records(CAMPAIGN.name, [vip(9)]) == 1


class HeldIngest:
    """``add_attempts`` in a thread of its own, paused inside its transaction until released.

    The attempts are given by a generator that the store reads inside the
    transaction: after the first one it says it is inside, and waits.
    """

    def __init__(
        self,
        url: str,
        name: str,
        items: list[tuple[str, str, ccr.Attempt]],
        *,
        pause_after: int = 1,
    ) -> None:
        self._pause_after = pause_after
        self.inside = threading.Event()
        self.release = threading.Event()
        self.added: int | BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(url, name, items))

    def _items(self, items: list[tuple[str, str, ccr.Attempt]]) -> Iterator[Any]:
        yield from items[: self._pause_after]
        self.inside.set()
        self.release.wait(timeout=60)
        yield from items[self._pause_after :]

    def _run(self, url: str, name: str, items: list[tuple[str, str, ccr.Attempt]]) -> None:
        try:
            with ccr.ResultsStore(url) as store:
                self.added = store.add_attempts(name, self._items(items))
        except BaseException as error:  # noqa: BLE001 - given to the test to look at
            self.added = error

    def __enter__(self) -> Self:
        self._thread.start()
        assert self.inside.wait(timeout=30)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._thread.join(timeout=60)


def two_campaigns(url: str) -> None:
    """The store at ``url`` holds CAMPAIGN with its records and OTHER with record v1."""
    with ccr.ResultsStore(url) as store:
        store.put_campaign(CAMPAIGN)
        store.put_campaign(OTHER)
        store.add_records(CAMPAIGN.name, RECORDS)
        store.add_records(OTHER.name, [vip(1)])


def test_postgresql_ingests_into_two_campaigns_run_side_by_side_into_one_take_turns(
    postgres_url: str,
) -> None:
    two_campaigns(postgres_url)
    held = [("VIP", "v1", no_answer(at(5, 9))), ("VIP", "v1", no_answer(at(5, 10)))]
    with (
        HeldIngest(postgres_url, CAMPAIGN.name, held) as ingest,
        ccr.ResultsStore(postgres_url, timeout=0.3) as other,
    ):
        # Another campaign's ingest does not wait for it...
        assert other.add_attempts(OTHER.name, [("VIP", "v1", no_answer(at(5, 11)))]) == 1
        # ...one into the same campaign does, and so does any other write.
        for write in (
            lambda: other.add_attempts(CAMPAIGN.name, [("VIP", "v1", no_answer(at(5, 12)))]),
            lambda: other.put_campaign(attrs.evolve(OTHER, script_fields=[])),
            lambda: other.add_records(OTHER.name, [vip(2)]),
        ):
            with pytest.raises(StoreError, match="locked"):
                write()
        # Readers wait for nobody, and see none of the paused ingest.
        (paused,) = (r for r in other.records(CAMPAIGN.name) if r.id == "v1")
        assert [a.time for a in paused.attempts] == [at(3, 9)]
    assert ingest.added == 2
    with ccr.ResultsStore(postgres_url, timeout=0.3) as store:
        assert store.add_attempts(CAMPAIGN.name, [("VIP", "v1", no_answer(at(5, 12)))]) == 1
        (record,) = (r for r in store.records(CAMPAIGN.name) if r.id == "v1")
        assert [a.time for a in record.attempts] == [at(3, 9), at(5, 9), at(5, 10), at(5, 12)]
        assert [len(r.attempts) for r in store.records(OTHER.name)] == [1]


def test_postgresql_ingests_adding_the_same_new_zones_in_opposite_orders_both_succeed(
    postgres_url: str,
) -> None:
    # Zones are every campaign's. One ingest adds Tokyo, then (paused in between)
    # Paris; the other adds Paris, then Tokyo. Were each to add its own at once,
    # each would wait for the other's and PostgreSQL would end one of them.
    two_campaigns(postgres_url)
    tokyo, paris = ZoneInfo("Asia/Tokyo"), ZoneInfo("Europe/Paris")
    # Repeats of one attempt: the store reads far more than one batch before the pause.
    first = [("VIP", "v1", no_answer(at(6, 9, zone=tokyo)))] * 5000
    then = [("VIP", "v1", no_answer(at(6, 9, zone=paris)))]
    crossed = [("VIP", "v1", no_answer(at(7, 9, zone=z))) for z in (paris, tokyo)]
    with HeldIngest(postgres_url, CAMPAIGN.name, first + then, pause_after=len(first)) as one:
        other = HeldIngest(postgres_url, OTHER.name, crossed, pause_after=len(crossed))
        other.release.set()
        with other:
            time.sleep(0.5)  # the other ingest reaches the zones and waits
            one.release.set()
    assert (one.added, other.added) == (2, 2)


# --- one schema ----------------------------------------------------------------------------


def sqlite_schema(path: Path) -> dict[str, Any]:
    """Every table's columns, keys and indexes, as SQLite describes them."""
    connection = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"
            )
        ]
        schema: dict[str, Any] = {}
        for table in tables:
            indexes = {}
            for _, name, unique, origin, partial in connection.execute(
                f"PRAGMA index_list({table})"
            ):
                columns = [row[2] for row in connection.execute(f"PRAGMA index_info({name})")]
                (sql,) = connection.execute(
                    "SELECT sql FROM sqlite_schema WHERE name = ?", (name,)
                ).fetchone() or ("",)
                where = sql.partition(" WHERE ")[2] if partial else ""
                indexes[name if origin == "c" else (origin, *columns)] = (
                    unique,
                    columns,
                    " ".join(where.split()),
                )
            (sql,) = connection.execute(
                "SELECT sql FROM sqlite_schema WHERE name = ?", (table,)
            ).fetchone()
            schema[table] = {
                "columns": connection.execute(f"PRAGMA table_info({table})").fetchall(),
                "foreign keys": sorted(connection.execute(f"PRAGMA foreign_key_list({table})")),
                "indexes": indexes,
                "without rowid": sql.rstrip().endswith("WITHOUT ROWID"),
                "checks": sorted(re.findall(r"CHECK \(.*?\)\)", sql)),
            }
        return schema
    finally:
        connection.close()


def test_a_store_migrated_from_version_1_has_the_schema_of_a_new_one(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    connection = sqlite3.connect(old)
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for statement in statements(MIGRATIONS[0][0]):  # type: ignore[arg-type]
        connection.execute(statement)
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()
    ccr.ResultsStore(old).close()  # migrated to the current version
    new = tmp_path / "new.sqlite"
    ccr.ResultsStore(new).close()  # created at the current version
    migrated, created = sqlite_schema(old), sqlite_schema(new)
    assert sorted(migrated) == sorted(created)
    for table in created:
        assert migrated[table] == created[table], table
    for path in (old, new):
        connection = sqlite3.connect(path)
        assert connection.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        connection.close()


def test_a_postgresql_store_has_the_tables_and_columns_of_an_sqlite_one(
    postgres_url: str, tmp_path: Path
) -> None:
    ccr.ResultsStore(postgres_url).close()
    ccr.ResultsStore(tmp_path / "s.sqlite").close()
    sqlite = {
        table: [column[1] for column in described["columns"]]
        for table, described in sqlite_schema(tmp_path / "s.sqlite").items()
        if table != "sqlite_sequence"
    }
    with psycopg.connect(postgres_url) as connection:
        rows = connection.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        ).fetchall()
        indexes = {
            name
            for (name,) in connection.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
            )
        }
        # An archive's zip is read a piece at a time: kept uncompressed out of line.
        zip_storage = connection.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'archives'::regclass AND attname = 'data'"
        ).fetchone()
    postgres: dict[str, list[str]] = {}
    types = {}
    for table, column, kind in rows:
        postgres.setdefault(table, []).append(column)
        types[table, column] = kind
    assert postgres.pop("store_meta") == ["name", "value"]
    assert postgres == sqlite
    assert types["records", "data"] == types["records", "attempts"] == "bytea"
    assert types["archives", "created"] == "bigint"
    assert types["archives", "data"] == "bytea"
    assert zip_storage == ("e",)  # STORAGE EXTERNAL
    named = {"records_by_list", "records_completed", "archives_undelivered", "job_runs_by_job"}
    assert named <= indexes


# --- the same bytes from both ----------------------------------------------------------------

FIXED_ZIP_TIME = dt.datetime(2026, 3, 7, 12, 0, tzinfo=dt.UTC)


def _reset(store: ccr.ResultsStore) -> None:
    for name in store.campaign_names():
        store.delete_campaign(name)
    assert store.campaign_names() == ()


@pytest.mark.slow
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    campaign_with_records(max_records=6),
    st.data(),
    st.lists(
        export_options(
            format=st.sampled_from(["simple", "detailed", "detailed-interval"]),
            compress=st.booleans(),
            zip_timestamp=st.just(FIXED_ZIP_TIME),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_a_postgresql_store_exports_the_bytes_an_sqlite_store_does(
    postgres_url: str,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    data: st.DataObject,
    options: list[ccr.ExportOptions],
) -> None:
    campaign, records = campaign_and_records
    # The same ingest sequence into both: the records, then their attempts in drawn
    # batches, some delivered again.
    feed = list(
        interleavings(data.draw, [[(r.list_name, r.id, a) for a in r.attempts] for r in records])
    )
    batches = []
    position = 0
    while position < len(feed):
        size = data.draw(st.integers(1, 4), label="batch size")
        batch = feed[position : position + size]
        repeated = data.draw(st.lists(st.sampled_from(feed[: position + 1]), max_size=2))
        batches.append(batch + repeated)
        position += size
    expected = expected_records(campaign, records)
    with (
        tempfile.TemporaryDirectory() as folder,
        ccr.ResultsStore(Path(folder) / "s.sqlite") as sqlite,
        ccr.ResultsStore(postgres_url) as postgres,
    ):
        _reset(postgres)
        for store in (sqlite, postgres):
            store.put_campaign(campaign)
            store.add_records(campaign.name, [attrs.evolve(r, attempts=()) for r in records])
            added = [store.add_attempts(campaign.name, batch) for batch in batches]
            assert sum(added) == sum(len(r.attempts) for r in expected)
        assert list(postgres.records(campaign.name)) == expected
        for option in options:
            wanted = _bytes(sqlite, campaign.name, option)
            assert _bytes(postgres, campaign.name, option) == wanted
            # Both are the stateless export of the records (the answer key).
            assert comparable(wanted, option) == export_bytes(campaign, expected, option)
        _reset(postgres)


def _bytes(store: ccr.ResultsStore, name: str, options: ccr.ExportOptions) -> bytes:
    stream = io.BytesIO()
    store.export(name, stream, options)
    return stream.getvalue()


def test_text_postgresql_cannot_hold_comes_back_unchanged(postgres_url: str) -> None:
    odd = "\x00\ufdd0\\0\\"
    campaign = ccr.Campaign(f"C{odd}", [ccr.CallingList(f"L{odd}", ["F"])])
    record = ccr.Record(f"r{odd}", f"L{odd}", {"F": odd}, [no_answer(at(2, 9), note=odd)])
    plain = ccr.Record("\ufdd0", f"L{odd}", {"F": ""}, [])
    with ccr.ResultsStore(postgres_url) as store:
        store.put_campaign(campaign)
        store.put_campaign(OTHER)
        store.add_records(campaign.name, [record, plain])
        assert store.campaign_names() == (campaign.name, OTHER.name)
        assert store.campaign(campaign.name) == campaign
        assert list(store.records(campaign.name)) == [record, plain]
        assert store_export(store, campaign.name) == export_bytes(
            campaign, [record, plain], ccr.ExportOptions()
        )


# --- statements run for many rows ----------------------------------------------------------

_ROWS = st.lists(
    st.tuples(st.integers(1, 6), st.text(max_size=4) | st.none(), st.binary(max_size=4)),
    max_size=8,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(inserted=_ROWS, updated=_ROWS)
def test_a_statement_run_for_many_rows_does_what_running_it_row_by_row_does(
    postgres_url: str,
    inserted: list[tuple[int, str | None, bytes]],
    updated: list[tuple[int, str | None, bytes]],
) -> None:
    # PostgreSQL's connection runs such statements in bulk (COPY, one UPDATE ... FROM);
    # SQLite's runs them row by row: the answer key.
    inserted = list({row[0]: row for row in inserted}.values())  # a key once
    statements = [
        ("INSERT INTO t (id, a, b) VALUES (?, ?, ?)", inserted),
        ("UPDATE t SET a = ?, b = ? WHERE id = ?", [(a, b, key) for key, a, b in updated]),
        ("UPDATE t SET b = ? WHERE id = ?", [(b, key) for key, _, b in updated]),
    ]
    engine = open_engine(postgres_url, 5.0)
    connection = engine.open()
    answer = sqlite3.connect(":memory:")
    try:
        with engine.transaction(connection, write=True):
            connection.execute("DROP TABLE IF EXISTS t")
            connection.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, a TEXT, b BYTEA)")
            answer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b BLOB)")
            for sql, rows in statements:
                connection.executemany(sql, rows)
                answer.executemany(sql, rows)
            got = connection.execute("SELECT id, a, b FROM t ORDER BY id").fetchall()
        assert [tuple(row) for row in got] == answer.execute(
            "SELECT id, a, b FROM t ORDER BY id"
        ).fetchall()
    finally:
        connection.close()
        answer.close()


def test_after_a_large_load_a_lists_records_are_read_in_order_from_their_index(
    postgres_url: str,
) -> None:
    # Right after a load the planner's statistics are stale until it is analysed:
    # it would sort the list's records (on disk, for a large list) before
    # sending the first one, instead of reading them in order from the index.
    campaign = ccr.Campaign("Большой", [ccr.CallingList("L", ["№"])])
    with ccr.ResultsStore(postgres_url) as store:
        store.put_campaign(campaign)
        store.add_records(
            campaign.name, (ccr.Record(str(n), "L", {"№": str(n)}) for n in range(10_000))
        )
    with psycopg.connect(postgres_url) as connection:
        (list_id,) = connection.execute("SELECT id FROM lists").fetchone() or (None,)
        plan = [
            row[0]
            for row in connection.execute(
                "EXPLAIN SELECT record_id, data, summary FROM records WHERE list = %s ORDER BY id",
                (list_id,),
            )
        ]
    assert not any("Sort" in line for line in plan), plan
    assert any("Index Scan" in line for line in plan), plan
