"""A PostgreSQL store's memory while it writes an archive and delivers it: not the archive's size.

An archive's zip is written into the store and read back from it a piece at a
time (docs/store.md): a process's peak memory grows with the records it reads
a batch at a time, never with the archive's size. Two archives, of some 12
and 36 MB, and each step in a fresh interpreter, so that its peak is its own:
the removal that writes the archive (and reads it back for a delivery that
fails, its folder missing), then the delivery that reads it. The peaks for
the two archives must be within a few megabytes of each other. (Measured:
about 55 MB for either removal, 8 MB for either delivery; holding the zip in
memory once, as a statement's parameter or a query's result, takes 3 to 6
times the archive's size.)

Marked ``memory``: left out by default; ``.ci/run`` runs it with ``pytest -m memory``.
"""

from __future__ import annotations

import base64
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

import cloudcontact_results as ccr

pytestmark = [
    pytest.mark.memory,
    pytest.mark.skipif(
        not Path("/proc/self/status").is_file(), reason="reads the peak RSS from Linux's /proc"
    ),
]

#: Records of 1000 per batch; each record has 4 KB of text that does not compress.
BATCHES = {"Small": 4, "Big": 12}
#: How much more a process may take for the big archive than for the small one.
SLACK_MB = 5

#: One step, in a fresh interpreter; prints how far its peak RSS (the kernel's
#: VmHWM, never lowered) rose over the step. The store is opened, and its
#: modules imported, before the peak is taken.
STEP = """
import json, sys
import cloudcontact_results as ccr


def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


url, name, step = sys.argv[1:]
with ccr.ResultsStore(url) as store:
    store.archives(name)
    before = peak_mb()
    if step == "write":
        archive = store.remove_list(name, "L")
    else:
        (archive,) = store.deliver_archives(name)
    print(json.dumps({"mb": peak_mb() - before, "size": archive.size}))
"""


def campaign(name: str) -> ccr.Campaign:
    return ccr.Campaign(name, [ccr.CallingList("L", ["№", "text"]), ccr.CallingList("K", ["№"])])


def step(url: str, name: str, which: str) -> tuple[float, int]:
    done = subprocess.run(
        [sys.executable, "-c", STEP, url, name, which],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    return found["mb"], found["size"]


def test_writing_and_delivering_an_archive_takes_memory_independent_of_its_size(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    noise = random.Random(7)  # noqa: S311 - text that does not compress, the same every run
    with ccr.ResultsStore(postgres_url) as store:
        for name, batches in BATCHES.items():
            (tmp_path / name).mkdir()
            store.put_campaign(campaign(name), archive_destination=tmp_path / name)
            (tmp_path / name).rmdir()  # the removal's delivery fails: a step of its own
            for number in range(batches):
                store.add_records(
                    name,
                    [
                        ccr.Record(
                            f"{number}-{n}",
                            "L",
                            {"№": str(n), "text": base64.b64encode(noise.randbytes(3000)).decode()},
                        )
                        for n in range(1000)
                    ],
                )
    peaks: dict[str, dict[str, float]] = {name: {} for name in BATCHES}
    sizes: dict[str, int] = {}
    for name in BATCHES:
        peaks[name]["write"], sizes[name] = step(postgres_url, name, "write")
        (tmp_path / name).mkdir()
        peaks[name]["read"], _ = step(postgres_url, name, "read")
        with ccr.ResultsStore(postgres_url) as store:
            (archive,) = store.archives(name)
            assert archive.size == sizes[name]
            delivered = (tmp_path / name / archive.file_name).read_bytes()
            assert delivered == store.archive_bytes(archive)
    grown = (sizes["Big"] - sizes["Small"]) / 2**20
    assert grown > 3 * SLACK_MB, sizes  # the test itself: archives far apart
    for which in ("write", "read"):
        assert peaks["Big"][which] < peaks["Small"][which] + SLACK_MB, (peaks, sizes)
