"""The store keeps Bright Pattern 5.x's attempt fields, and upgrades a store made before them."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import attrs

import cloudcontact_results as ccr
from tests.support import store_v3

CAMPAIGN = ccr.Campaign("C", [ccr.CallingList("L", ["a"])])
WHEN = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
V3 = Path(__file__).parent / "data" / "store-v3.sqlite"


def test_ani_and_action_applied_are_stored_and_tell_attempts_apart(tmp_path: Path) -> None:
    first = ccr.Attempt("1", WHEN, ani="+74951112233", action_applied="Retry")
    other_action = ccr.Attempt("1", WHEN, ani="+74951112233", action_applied="Wait")
    with ccr.ResultsStore(tmp_path / "s.sqlite") as store:
        store.put_campaign(CAMPAIGN)
        store.add_records("C", [ccr.Record("r", "L")])
        assert store.add_attempts("C", [("L", "r", first), ("L", "r", other_action)]) == 2
        assert store.add_attempts("C", [("L", "r", first)]) == 0  # equal in every field
        (record,) = store.records("C")
    assert record.attempts == (first, other_action)


def test_a_store_from_before_the_5x_fields_is_upgraded_and_keeps_its_attempts(
    tmp_path: Path,
) -> None:
    # The store of version 3 (tests/support/store_v3.py) made a store of version 1:
    # without these columns, nor the later table of mirrors from the platform.
    path = tmp_path / "old.sqlite"
    shutil.copyfile(V3, path)
    connection = sqlite3.connect(path)
    connection.execute("ALTER TABLE attempts DROP COLUMN ani")
    connection.execute("ALTER TABLE attempts DROP COLUMN action_applied")
    connection.execute("DROP TABLE platform_sync")
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()

    with ccr.ResultsStore(path) as store:
        assert list(store.records(store_v3.CAMPAIGN.name)) == [
            attrs.evolve(
                record,
                attempts=[attrs.evolve(a, ani="", action_applied="") for a in record.attempts],
            )
            for record in store_v3.expected()
        ]
        new = ccr.Attempt("1", WHEN, ani="+7495")
        store.add_attempts(store_v3.CAMPAIGN.name, [("Клиенты", "2", new)])
        (_, second, *_) = store.records(store_v3.CAMPAIGN.name)
        assert [a.ani for a in second.attempts] == ["+7495", ""]
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 8  # every step taken
    connection.close()
