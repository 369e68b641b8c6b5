"""``kill -9`` during an export: the target is never damaged, and leftovers are cleaned up.

Real child processes export to the same path and are killed at random
moments. After each kill the target holds either the old file or the whole
new export, never a part of it; temporary files of killed writers may stay
behind, and the next export to the same target removes them.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cloudcontact_results as ccr

TRIALS = 24
RECORDS = 4000
CHILD = """
import sys
import cloudcontact_results as ccr
campaign, records = ccr.demo_campaign({records})
ccr.export(campaign, records, sys.argv[1], ccr.ExportOptions(format="detailed"))
"""

SLOW_CHILD = """
import sys, time
import cloudcontact_results as ccr
campaign, records = ccr.demo_campaign(3)
def slow(records):
    for record in records:
        yield record
        time.sleep(20)
ccr.export(campaign, slow(records), sys.argv[1])
"""

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is a POSIX signal"),
    pytest.mark.slow,  # dozens of real exporting processes, killed
]


def parts(folder: Path, name: str) -> list[Path]:
    """The temporary files beside ``name``, by the documented naming."""
    return [p for p in folder.iterdir() if p.name.startswith(f".{name}.cloudcontact.")]


def test_kill_9_never_damages_the_target_and_the_next_export_cleans_up(tmp_path):
    target = tmp_path / "results.csv"
    old = b"the previous export\r\n"
    target.write_bytes(old)
    campaign, lazy = ccr.demo_campaign(RECORDS)
    records = list(lazy)
    expected_path = tmp_path / "expected.csv"
    ccr.export(campaign, records, expected_path, ccr.ExportOptions(format="detailed"))
    expected = expected_path.read_bytes()

    # How long a child takes, to spread the kills over its whole run.
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-c", CHILD.format(records=RECORDS), str(tmp_path / "timing.csv")],
        check=True,
    )
    duration = time.monotonic() - started

    rng = random.Random(9)  # noqa: S311  # moments to kill at, not secrets
    left_behind = 0
    finished = 0
    for _ in range(TRIALS):
        target.write_bytes(old)
        child = subprocess.Popen([sys.executable, "-c", CHILD.format(records=RECORDS), str(target)])
        time.sleep(rng.uniform(0.0, duration * 1.1))
        child.kill()
        child.wait()
        content = target.read_bytes()
        assert content in (old, expected), "a kill left a damaged target"
        finished += content == expected
        left_behind += len(parts(tmp_path, target.name))

    assert left_behind, "no kill hit a running export: the test did not test"
    assert finished < TRIALS
    ccr.export(campaign, records, target, ccr.ExportOptions(format="detailed"))

    assert parts(tmp_path, target.name) == []
    assert target.read_bytes() == expected


def test_a_live_writers_temporary_file_is_left_alone(tmp_path):
    target = tmp_path / "results.csv"
    campaign, records = ccr.demo_campaign(3)
    slow_child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SLOW_CHILD,
            str(target),
        ]
    )
    try:
        deadline = time.monotonic() + 60
        while not parts(tmp_path, target.name) and time.monotonic() < deadline:
            time.sleep(0.05)
        live = parts(tmp_path, target.name)
        assert live, "the child never started writing"

        ccr.export(campaign, records, target)

        assert parts(tmp_path, target.name) == live
    finally:
        slow_child.kill()
        slow_child.wait()
