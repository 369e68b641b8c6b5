"""The client's memory in a partitioned export of 1 000 000 records (docs/scale.md).

Marked ``memory``: the default run leaves it out (it takes minutes on two
cores); ``.ci/run`` runs it on its own with ``pytest -m memory``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.memory

RECORDS = 1_000_000
PARTITIONS = 100
LIMIT_MB = 200

#: Run in a fresh interpreter, so that its peak RSS is the client's alone, and
#: all of it: the LocalCluster's scheduler runs in this process too (checked).
#: The peak is the kernel's VmHWM, the high-water mark of this process's own
#: memory since it started, not ru_maxrss: Linux carries ru_maxrss over fork
#: and exec, so a child of this test would start at the peak of the pytest
#: process (225 MB after collecting the whole suite). No dashboard: it is no
#: part of an export, and with bokeh installed its imports and task stream
#: would be measured as the client's.
CLIENT = f"""
import json, os, tempfile
from pathlib import Path
import dask.bag as db
import distributed
import cloudcontact_results as ccr
from cloudcontact_results.dask import export_partitioned

SIZE = {RECORDS // PARTITIONS}


def records(indexes):
    # Made on the workers: the client never holds a record.
    return [r for index in indexes for r in ccr.demo_campaign(SIZE, seed=index)[1]]


def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


if __name__ == "__main__":
    campaign, _ = ccr.demo_campaign(0)
    options = ccr.ExportOptions(format="detailed")
    found = {{"start": peak_mb()}}
    with (
        tempfile.TemporaryDirectory() as folder,
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        found["scheduler_here"] = client.run_on_scheduler(os.getpid) == os.getpid()
        found["before"] = peak_mb()
        bag = db.from_sequence(range({PARTITIONS}), npartitions={PARTITIONS})
        bag = bag.map_partitions(records)
        parts = export_partitioned(campaign, bag, Path(folder) / "parts", options)
        found["parts"] = [parts.rows, len(parts.parts), peak_mb()]
        one = export_partitioned(campaign, bag, Path(folder) / "one.csv", options, single_file=True)
        found["one"] = [one.rows, (Path(folder) / "one.csv").stat().st_size, peak_mb()]
    print(json.dumps(found))
"""


@pytest.mark.skipif(
    not Path("/proc/self/status").is_file(), reason="reads the peak RSS from Linux's /proc"
)
def test_a_million_records_keep_the_client_under_200_mb() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CLIENT], capture_output=True, text=True, check=False, timeout=3600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.splitlines()[-1])
    rows, parts, parts_peak = found["parts"]
    one_rows, one_size, one_peak = found["one"]
    assert found["scheduler_here"]  # so the peak includes the scheduler's memory
    assert parts == PARTITIONS
    assert rows == one_rows > RECORDS  # the detailed report: a row per attempt
    assert one_size > 100 * 1024 * 1024  # far more than the client may hold
    # The high-water mark never falls: the one file's peak is the whole run's.
    assert parts_peak < LIMIT_MB, found
    assert one_peak < LIMIT_MB, found
