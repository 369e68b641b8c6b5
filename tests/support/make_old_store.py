"""Write ``tests/data/store-vN.sqlite`` with the library at schema version N.

Run it with the package of the last commit of that schema version first on
the path, from the repository's root, giving the version: 2b7e847 for
version 3, 13603e5 for version 4, e3f3d5e for version 5, 35a0ee7 for version 6,
8b98fac for version 7::

    mkdir /tmp/v3 && git archive 2b7e847 cloudcontact_results | tar -x -C /tmp/v3
    PYTHONPATH=/tmp/v3:. .venv/bin/python tests/support/make_old_store.py 3

The file holds what ``tests/support/store_v3.py`` describes, a job that ran once and
an archive, whatever the version.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

import cloudcontact_results as ccr
from tests.support.store_v3 import CAMPAIGN, JOB_START, fed, loaded

FOLDER = Path(__file__).parent.parent / "data"


def main(wanted: int) -> None:
    target = FOLDER / f"store-v{wanted}.sqlite"
    target.unlink(missing_ok=True)
    with ccr.ResultsStore(target) as store, tempfile.TemporaryDirectory() as folder:
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
    connection = sqlite3.connect(target)
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    connection.execute("VACUUM")
    connection.close()
    if version != wanted:
        target.unlink()
        sys.exit(f"written at schema version {version}, not {wanted}: put the old package first")


if __name__ == "__main__":
    main(int(sys.argv[1]))
