"""The store keeps Bright Pattern 5.x's attempt fields, and upgrades a store made before them."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import cloudcontact_results as ccr

CAMPAIGN = ccr.Campaign("C", [ccr.CallingList("L", ["a"])])
WHEN = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


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
    path = tmp_path / "old.sqlite"
    attempt = ccr.Attempt("1", WHEN, agent="ivanov")
    with ccr.ResultsStore(path) as store:
        store.put_campaign(CAMPAIGN)
        store.add_records("C", [ccr.Record("r", "L", attempts=[attempt])])
    # Make it the store of version 1: no such columns (nor the later table of
    # mirrors from the platform).
    connection = sqlite3.connect(path)
    connection.execute("ALTER TABLE attempts DROP COLUMN ani")
    connection.execute("ALTER TABLE attempts DROP COLUMN action_applied")
    connection.execute("DROP TABLE platform_sync")
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()

    with ccr.ResultsStore(path) as store:
        (record,) = store.records("C")
        assert record.attempts == (attempt,)
        store.add_attempts("C", [("L", "r", ccr.Attempt("1", WHEN, ani="+7495"))])
        assert [a.ani for a in next(iter(store.records("C"))).attempts] == ["", "+7495"]
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 3  # every step taken
    connection.close()
