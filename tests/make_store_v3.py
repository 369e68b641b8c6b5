"""Write ``tests/data/store-v3.sqlite`` with the library at schema version 3.

Run it with the package of commit 2b7e847 (the last of schema version 3)
first on the path, from the repository's root::

    mkdir /tmp/v3 && git archive 2b7e847 cloudcontact_results | tar -x -C /tmp/v3
    PYTHONPATH=/tmp/v3:. .venv/bin/python tests/make_store_v3.py

The file holds what ``tests/store_v3.py`` describes, a job that ran once and
an archive.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

import cloudcontact_results as ccr
from tests.store_v3 import CAMPAIGN, JOB_START, fed, loaded

TARGET = Path(__file__).parent / "data" / "store-v3.sqlite"


def main() -> None:
    TARGET.unlink(missing_ok=True)
    with ccr.ResultsStore(TARGET) as store, tempfile.TemporaryDirectory() as folder:
        store.put_campaign(CAMPAIGN)
        store.add_records(CAMPAIGN.name, loaded())
        job = ccr.ExportJob(
            "hourly",
            CAMPAIGN.name,
            ccr.ExportOptions(format="detailed-interval"),
            "FREQ=HOURLY",
            folder,
            JOB_START,
        )
        store.add_job(job)
        store.run_due_jobs(JOB_START)  # its window: the first transaction
        store.add_attempts(CAMPAIGN.name, fed())
        store.remove_list(CAMPAIGN.name, "Старый")
    connection = sqlite3.connect(TARGET)
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    connection.execute("VACUUM")
    connection.close()
    if version != 3:
        sys.exit(f"written at schema version {version}, not 3: put the old package first")


if __name__ == "__main__":
    main()
