"""A process that works on a results store, for the concurrency and crash tests.

Run as ``python tests/support/store_worker.py MODE STORE [ARGS]`` (STORE a file or a
``postgresql://`` URL); the tests start it
with :mod:`subprocess`, and kill some of them with ``SIGKILL``. The data it
writes is deterministic, so the tests compute what the store must hold from
the same functions.

Modes:
    feed STORE FIRST LAST [PAUSE [STOP]]
                                    add batches FIRST..LAST-1 of attempts (until
                                    the file STOP exists)
    export STORE OUT STOP           export in a loop until the file STOP exists;
                                    write what each export held to OUT (JSON)
    replace STORE                   reload list L1 in replace mode, versions 1, 2, ...
    remove STORE                    remove list L1 from the campaign
    jobs STORE HOURS [GO]           run the due export jobs as at START + HOURS hours
                                    (once the file GO exists); print how many files
                                    were written
    serve STORE STOP                run the due export jobs in a loop until the
                                    file STOP exists; print how many files were written

Every mode prints ``ready`` once the store is open, before its first write.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
import time
from pathlib import Path

import cloudcontact_results as ccr

CAMPAIGN = ccr.Campaign(
    "Обзвон",
    [
        ccr.CallingList("L1", ["№", "Фамилия", "Телефон"]),
        ccr.CallingList("L2", ["№", "Телефон"]),
    ],
    script_fields=[ccr.ScriptField("comment")],
)
NO_ANSWER = ccr.system_disposition("No answer")
FINALIZED = ccr.system_disposition("Finalized by dial rule")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
#: Records of each list fed by ``feed``, and attempts per batch.
FEED_RECORDS = 10
BATCH_SIZE = 20
#: Records of L1 in each version loaded by ``replace`` (and in the base store).
LIST_RECORDS = 300


def attempt(number: int, note: str, *, completes: bool = False) -> ccr.Attempt:
    return ccr.Attempt(
        "+7916" + str(1000000 + number),
        START + dt.timedelta(seconds=number),
        call_disposition=NO_ANSWER,
        record_disposition=FINALIZED if completes else None,
        cpa_result=ccr.CPAResult.RING_BACK,
        sip_code=480,
        dialing_duration=number % 40,
        interaction_id=f"I{number}",
        note=note,
        script_values={"comment": f"c{number}"} if number % 3 == 0 else {},
    )


def version_records(version: int) -> list[ccr.Record]:
    """The records of list L1 in its ``version`` (0: the base store's)."""
    return [
        ccr.Record(
            f"v{version}-{i}",
            "L1",
            {"№": str(i), "Фамилия": f"Фамилия {version}.{i}", "Телефон": "+79160000000"},
            [
                attempt(version * 100_000 + i * 10 + k, f"v{version}", completes=k == 2)
                for k in range(i % 4)
            ],
        )
        for i in range(LIST_RECORDS)
    ]


def feed_records() -> list[ccr.Record]:
    """The records of list L2 that ``feed`` adds attempts to (no attempts of their own)."""
    return [ccr.Record(f"f{i}", "L2", {"№": str(i)}) for i in range(FEED_RECORDS)]


def batch(number: int) -> list[tuple[str, str, ccr.Attempt]]:
    """Batch ``number`` of the feed: its attempts are noted ``b<number>``."""
    return [
        ("L2", f"f{(number + i) % FEED_RECORDS}", attempt(number * BATCH_SIZE + i, f"b{number}"))
        for i in range(BATCH_SIZE)
    ]


def base_store(path: Path | str) -> None:
    """The store every test starts from: the campaign, L1 version 0 and the feed's records."""
    with ccr.ResultsStore(path) as store:
        store.put_campaign(CAMPAIGN)
        store.add_records(CAMPAIGN.name, version_records(0))
        store.add_records(CAMPAIGN.name, feed_records())


def notes(data: bytes) -> dict[str, int]:
    """How many rows of a detailed export carry each note."""
    counts: dict[str, int] = {}
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    for row in reader:
        counts[row["Call Note"]] = counts.get(row["Call Note"], 0) + 1
    return counts


def _ready() -> None:
    sys.stdout.write("ready\n")
    sys.stdout.flush()


def main(arguments: list[str]) -> None:
    mode = arguments[0]
    path = arguments[1] if "://" in arguments[1] else Path(arguments[1])
    with ccr.ResultsStore(path, timeout=30) as store:
        _ready()
        if mode == "feed":
            first, last = int(arguments[2]), int(arguments[3])
            pause = float(arguments[4]) if len(arguments) > 4 else 0.0
            stop = Path(arguments[5]) if len(arguments) > 5 else None
            for number in range(first, last):
                if stop is not None and stop.exists():
                    break
                store.add_attempts(CAMPAIGN.name, batch(number))
                sys.stdout.write(f"{number}\n")
                sys.stdout.flush()
                time.sleep(pause)
        elif mode == "export":
            out, stop = Path(arguments[2]), Path(arguments[3])
            seen = []
            while True:
                last = stop.exists()
                stream = io.BytesIO()
                store.export(
                    CAMPAIGN.name, stream, ccr.ExportOptions(format="detailed", lists=["L2"])
                )
                seen.append(notes(stream.getvalue()))
                if last:
                    break
            out.write_text(json.dumps(seen))
        elif mode == "replace":
            for version in range(1, 1000):
                store.add_records(CAMPAIGN.name, version_records(version), replace=True)
                sys.stdout.write(f"{version}\n")
                sys.stdout.flush()
        elif mode == "jobs":
            while len(arguments) > 3 and not Path(arguments[3]).exists():
                time.sleep(0.001)  # started with another: both run at once
            runs = store.run_due_jobs(START + dt.timedelta(hours=float(arguments[2])))
            sys.stdout.write(f"{len(runs)}\n")
            sys.stdout.flush()
        elif mode == "serve":
            stop, written = Path(arguments[2]), 0
            while not stop.exists():
                written += len(store.run_due_jobs())
                time.sleep(0.05)  # a store serve's minute, made short
            sys.stdout.write(f"{written}\n")
            sys.stdout.flush()
        elif mode == "remove":
            store.remove_list(CAMPAIGN.name, "L1")
            sys.stdout.write("removed\n")
            sys.stdout.flush()
        else:
            raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
