"""Mirroring lists from the platform into a results store (docs/platform-api.md, "Mirroring")."""

from __future__ import annotations

import datetime as dt
import io
import logging
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

import cloudcontact_results as ccr
from cloudcontact_results.errors import PlatformError, UnknownDispositionError, UnknownNameError

from .support import store_v3
from .support.platform_server import TOKEN, FakePlatform
from .support.samples import AGREED

UTC = dt.UTC
START = dt.datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
LATER = ccr.Disposition("Перезвонить", code="5")
CAMPAIGN = ccr.Campaign(
    "Обзвон",
    [ccr.CallingList("Клиенты", ["id", "Фамилия"]), ccr.CallingList("VIP", ["id"])],
    script_fields=[ccr.ScriptField("comment")],
    dispositions=[AGREED, LATER],
)
DETAILED = ccr.ExportOptions(format="detailed")


def minutes(count: float) -> dt.datetime:
    return START + dt.timedelta(minutes=count)


def busy(number: int, moment: dt.datetime) -> ccr.Attempt:
    return ccr.Attempt(
        f"+7916{number:07d}",
        moment,
        call_disposition=ccr.system_disposition("Busy"),
        cpa_result=ccr.CPAResult.BUSY,
        sip_code=486,
        dialing_duration=12,
        interaction_id=f"B-{number}-{moment:%H%M}",
    )


def agreed(number: int, moment: dt.datetime) -> ccr.Attempt:
    return ccr.Attempt(
        f"+7916{number:07d}",
        moment,
        call_disposition=AGREED,
        record_disposition=AGREED,
        answered_duration=95,
        agent="ivanova",
        note="доставка в пятницу",
        interaction_id=f"A-{number}",
        script_values={"comment": "VIP"},
    )


def record(number: int, *attempts: ccr.Attempt, list_name: str = "Клиенты") -> ccr.Record:
    fields = {"id": str(number)}
    if list_name == "Клиенты":
        fields["Фамилия"] = f"Иванов {number}"
    return ccr.Record(str(number), list_name, fields, attempts)


def many(count: int) -> list[ccr.Record]:
    """``count`` records: a busy dial each, some called back and agreed."""
    result = []
    for n in range(count):
        attempts = [busy(n, minutes(n))]
        if n % 3 == 0:
            attempts.append(agreed(n, minutes(n + 0.5)))
        result.append(record(n, *attempts))
    return result


def as_utc(records: list[ccr.Record]) -> list[ccr.Record]:
    return [
        attrs.evolve(r, attempts=[attrs.evolve(a, time=a.time.astimezone(UTC)) for a in r.attempts])
        for r in records
    ]


def store_export(store: ccr.ResultsStore) -> bytes:
    buffer = io.BytesIO()
    store.export(CAMPAIGN.name, buffer, DETAILED)
    return buffer.getvalue()


def expected_export(records: list[ccr.Record]) -> bytes:
    buffer = io.BytesIO()
    ccr.export(CAMPAIGN, records, buffer, DETAILED)
    return buffer.getvalue()


@pytest.fixture
def store(store_target: str) -> Iterator[ccr.ResultsStore]:
    """A store with the campaign, on each backend."""
    with ccr.ResultsStore(store_target) as opened:
        opened.put_campaign(CAMPAIGN)
        yield opened


def client(platform: FakePlatform, **kwargs: object) -> ccr.ListManagementClient:
    return ccr.ListManagementClient(
        platform.url, TOKEN, timeout=5, retries=ccr.Retries(attempts=2, backoff=0), **kwargs
    )


def sync(store: ccr.ResultsStore, platform: FakePlatform, **kwargs: object) -> ccr.SyncResult:
    return ccr.sync_list(store, client(platform), CAMPAIGN.name, "Клиенты", **kwargs)


def test_a_list_is_mirrored_and_the_watermark_kept(store: ccr.ResultsStore) -> None:
    records = many(25)
    with FakePlatform(CAMPAIGN, records) as platform:
        assert store.sync_watermark(CAMPAIGN.name, "Клиенты", platform.url) is None
        result = sync(store, platform, page_size=10)
    assert (result.pages, result.records) == (3, 25)
    assert result.since is None
    assert (
        result.watermark
        == minutes(24.5)  # record 24 was called back and agreed
        == store.sync_watermark(CAMPAIGN.name, "Клиенты", platform.url)
    )
    assert store_export(store) == expected_export(records)
    assert list(store.records(CAMPAIGN.name)) == as_utc(records)


def test_a_live_sync_takes_records_closed_with_their_last_attempts_status(
    store: ccr.ResultsStore,
) -> None:
    # The commonest ending of an outbound campaign: a one-number list's record
    # runs out of attempts and closes with the last attempt's own status
    # (manual, Appendix 1, "No numbers left to call").
    no_answer = ccr.system_disposition("No answer")
    closed = [
        record(
            n,
            busy(n, minutes(n)),
            attrs.evolve(
                busy(n, minutes(n + 0.5)),
                call_disposition=no_answer,
                record_disposition=no_answer,
                cpa_result=ccr.CPAResult.RING_BACK,
                sip_code=480,
            ),
        )
        for n in range(12)
    ]
    with FakePlatform(CAMPAIGN, closed) as platform:
        result = sync(store, platform, page_size=5)
    assert result.records == 12
    assert store_export(store) == expected_export(closed)


def test_the_next_sync_starts_where_the_last_stopped(store: ccr.ResultsStore) -> None:
    records = many(6)
    with FakePlatform(CAMPAIGN, records) as platform:
        sync(store, platform)
        # The campaign runs on: record 4 is dialled again, record 9 is new.
        platform.put(record(4, *records[4].attempts, busy(4, minutes(30))))
        platform.put(record(9, busy(9, minutes(31))))
        second = sync(store, platform)
        third = sync(store, platform)
        asked = [body["fromTime"] for _, path, body in platform.requests if "getChanged" in path]
    assert asked == [
        "1970-01-01T00:00:00.000",
        "2026-03-02T06:05:00.000",
        "2026-03-02T06:31:00.000",
    ]
    # The record at the watermark comes again: stored once more, which changes nothing.
    assert (second.records, third.records) == (3, 1)
    assert second.since == minutes(5)
    assert third.watermark == minutes(31)
    expected = [*records[:4], record(4, *records[4].attempts, busy(4, minutes(30))), records[5]]
    assert store_export(store) == expected_export([*expected, record(9, busy(9, minutes(31)))])


def test_a_server_error_mid_sync_then_resume(store: ccr.ResultsStore) -> None:
    records = many(30)
    with FakePlatform(CAMPAIGN, records) as platform:
        platform.fail(None, None, 500, 503)  # the third page: retries used up
        with pytest.raises(PlatformError, match="gave up"):
            sync(store, platform, page_size=10)
        # Two pages are stored (records 0-9, then 9-18: record 9 is the
        # boundary), and where the sync stands: record 18's agreement.
        assert store.sync_watermark(CAMPAIGN.name, "Клиенты", platform.url) == minutes(18.5)
        assert len(list(store.records(CAMPAIGN.name))) == 19
        resumed = sync(store, platform, page_size=10)
    assert resumed.since == minutes(18.5)
    assert store_export(store) == expected_export(records)  # nothing lost, nothing twice


def test_since_starts_elsewhere(store: ccr.ResultsStore) -> None:
    with FakePlatform(CAMPAIGN, many(10)) as platform:
        result = sync(store, platform, since=minutes(7))
    assert [r.id for r in store.records(CAMPAIGN.name)] == ["7", "8", "9"]
    assert result.since == minutes(7)


def test_each_platform_has_its_own_watermark(store: ccr.ResultsStore) -> None:
    with FakePlatform(CAMPAIGN, many(3)) as one, FakePlatform(CAMPAIGN, many(5)) as two:
        sync(store, one)
        assert store.sync_watermark(CAMPAIGN.name, "Клиенты", two.url) is None
        sync(store, two)
        assert store.sync_watermark(CAMPAIGN.name, "Клиенты", one.url) == minutes(2)
        assert store.sync_watermark(CAMPAIGN.name, "Клиенты", two.url) == minutes(4)


def test_an_unknown_disposition_stops_the_sync_until_the_campaign_knows_it(
    store: ccr.ResultsStore,
) -> None:
    later = ccr.Disposition("Отложено")
    odd = ccr.Attempt("+7916", minutes(3), call_disposition=later, interaction_id="X")
    records = [record(1, busy(1, minutes(1))), record(2, odd)]
    with FakePlatform(CAMPAIGN, records) as platform:
        with pytest.raises(UnknownDispositionError, match="Отложено"):
            sync(store, platform, page_size=1)
        assert store.sync_watermark(CAMPAIGN.name, "Клиенты", platform.url) == minutes(1)
        store.put_campaign(attrs.evolve(CAMPAIGN, dispositions=[*CAMPAIGN.dispositions, later]))
        sync(store, platform, page_size=1)
    assert [r.id for r in store.records(CAMPAIGN.name)] == ["1", "2"]


def test_the_store_keeps_dispositions_as_the_campaign_defines_them(
    store: ccr.ResultsStore, caplog: pytest.LogCaptureFixture
) -> None:
    recoded = attrs.evolve(LATER, code="55")
    attempt = ccr.Attempt("+7916", minutes(1), call_disposition=recoded, answered_duration=3)
    with FakePlatform(CAMPAIGN, [record(1, attempt)]) as platform:
        sync(store, platform)
    (stored,) = store.records(CAMPAIGN.name)
    assert stored.attempts[0].call_disposition == LATER
    assert "code '55'" in caplog.text


def test_unknown_names(store: ccr.ResultsStore, tmp_path: Path) -> None:
    with FakePlatform(CAMPAIGN) as platform:
        api = client(platform)
        with pytest.raises(UnknownNameError, match="campaign"):
            ccr.sync_list(store, api, "Нет такой", "Клиенты")
        with pytest.raises(UnknownNameError, match="list"):
            ccr.sync_list(store, api, CAMPAIGN.name, "Нет такого")
    assert platform.requests == []


# ``remove_list`` is SQLite's only so far.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_watermark_goes_with_its_list(store: ccr.ResultsStore) -> None:
    with FakePlatform(CAMPAIGN, [record(1, busy(1, minutes(1)), list_name="VIP")]) as platform:
        ccr.sync_list(store, client(platform), CAMPAIGN.name, "VIP")
        assert store.sync_watermark(CAMPAIGN.name, "VIP", platform.url) == minutes(1)
        store.remove_list(CAMPAIGN.name, "VIP")
        store.put_campaign(CAMPAIGN)  # the list comes back, empty: sync it from the start
        assert store.sync_watermark(CAMPAIGN.name, "VIP", platform.url) is None


def test_records_and_watermark_are_one_transaction(store: ccr.ResultsStore) -> None:
    bad = record(2, busy(2, minutes(2)))
    with pytest.raises(ValueError, match="must be"):
        store.add_synced_records(
            CAMPAIGN.name,
            "Клиенты",
            "https://a",
            [record(1, busy(1, minutes(1))), "x"],
            minutes(9),  # type: ignore[list-item]
        )
    assert store.sync_watermark(CAMPAIGN.name, "Клиенты", "https://a") is None
    assert list(store.records(CAMPAIGN.name)) == []
    with pytest.raises(ValueError, match="must be 'Клиенты'"):
        store.add_synced_records(
            CAMPAIGN.name,
            "Клиенты",
            "https://a",
            [attrs.evolve(bad, list_name="VIP", fields={"id": "2"})],
            minutes(9),
        )
    with pytest.raises(ValueError, match="aware"):
        store.add_synced_records(CAMPAIGN.name, "Клиенты", "https://a", [], dt.datetime(2026, 3, 2))  # noqa: DTZ001
    assert store.add_synced_records(CAMPAIGN.name, "Клиенты", "https://a", [bad], minutes(9)) == 1
    assert store.sync_watermark(CAMPAIGN.name, "Клиенты", "https://a") == minutes(9)


def test_a_store_of_schema_2_is_upgraded(tmp_path: Path) -> None:
    # The store of version 3 (tests/support/store_v3.py) made a store of version 2:
    # no table of mirrors yet.
    path = tmp_path / "old.sqlite"
    shutil.copyfile(Path(__file__).parent / "data" / "store-v3.sqlite", path)
    connection = sqlite3.connect(path)
    connection.execute("DROP TABLE platform_sync")
    connection.execute("PRAGMA user_version = 2")
    connection.commit()
    connection.close()
    name = store_v3.CAMPAIGN.name
    with ccr.ResultsStore(path) as upgraded:
        assert upgraded.campaign_names() == (name,)
        assert upgraded.sync_watermark(name, "Клиенты", "https://a") is None
        upgraded.add_synced_records(name, "Клиенты", "https://a", [], minutes(1))
        assert upgraded.sync_watermark(name, "Клиенты", "https://a") == minutes(1)
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 8
    connection.close()


def test_sync_logs_without_the_token(
    store: ccr.ResultsStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="cloudcontact_results")
    with FakePlatform(CAMPAIGN, many(3)) as platform:
        platform.fail(500)
        sync(store, platform)
    assert "records stored" in caplog.text
    assert TOKEN not in caplog.text
