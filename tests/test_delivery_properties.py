"""Any interleaving of ingest, runs and outages delivers every window exactly once, per destination.

The answer key is the test's own account: what it fed (each attempt has a
time of its own, so the count of rows is the count of attempts), and what
arrived at the destination, read from the server's side. ``job_runs`` must
record, for each file, the bytes that arrived; the windows must chain from
nothing to everything ingested; and each file must arrive once, under its
name (a webhook's receiver drops a resend by its ``Idempotency-Key``, as the
docs tell receivers to).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results.errors import DeliveryError
from tests.conftest import examples
from tests.support.delivery_servers import TLS, FTPServer, Webhook, free_port, sha256

START = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
CAMPAIGN = ccr.Campaign("Продажи", [ccr.CallingList("Клиенты", ["№"])])
NO_ANSWER = ccr.system_disposition("No answer")

#: One step: ingest N attempts, run after advancing H hours, or an outage of the destination.
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("ingest"), st.integers(1, 3)),
        st.tuples(st.just("run"), st.integers(0, 2)),
        st.tuples(st.just("outage"), st.sampled_from(["down", "lost answer"])),
        st.tuples(st.just("recover"), st.just(0)),
    ),
    max_size=14,
)


class WebhookPlace:
    """A webhook; down: it answers 503; a lost answer: it keeps the file, answers 500."""

    def __init__(self, base: Path) -> None:
        self.hook = Webhook(token=None)
        self.remote = ccr.Remote(self.hook.url)

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        with self.hook:
            yield

    def outage(self, kind: str) -> None:
        if kind == "down":
            self.hook.answers = [503] * 100
        else:
            self.hook.lose_answers = 1

    def recover(self) -> None:
        self.hook.answers = []
        self.hook.lose_answers = 0

    def arrived(self) -> list[tuple[str, bytes]]:
        return [
            (urllib.parse.unquote(headers["X-File-Name"]), body)
            for headers, body in self.hook.received.values()
        ]


class FTPPlace:
    """An FTP server in its own process; down: the process is stopped, and started again."""

    def __init__(self, base: Path) -> None:
        self.root = base / "root"
        self.root.mkdir()
        self.server = FTPServer(self.root, port=free_port())
        self.remote = ccr.Remote(self.server.url)
        (base / "netrc").write_text(self.server.netrc_line())
        (base / "netrc").chmod(0o600)
        self.netrc = base / "netrc"

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        self.server.start()
        try:
            yield
        finally:
            self.server.stop()

    def outage(self, kind: str) -> None:
        self.server.stop(kill=kind == "lost answer")

    def recover(self) -> None:
        if self.server.process is None:
            self.server.start()

    def arrived(self) -> list[tuple[str, bytes]]:
        return [(path.name, path.read_bytes()) for path in self.root.iterdir()]


def interleave(place: Any, base: Path, steps: list[tuple[str, int]]) -> None:
    fed = 0
    hour = 0
    with place.serving(), ccr.ResultsStore(base / "results.sqlite") as store:
        store.put_campaign(CAMPAIGN)
        store.add_records(CAMPAIGN.name, [ccr.Record("1", "Клиенты", {"№": "1"})])
        job = ccr.ExportJob(
            "hourly",
            CAMPAIGN.name,
            ccr.ExportOptions(format="detailed-interval"),
            "FREQ=HOURLY",
            place.remote,
            START,
        )
        store.add_job(job)

        def run() -> None:
            now = START + dt.timedelta(hours=hour, minutes=30)
            failures: tuple[Exception, ...] = ()
            try:
                store.run_due_jobs(now)
            except ExceptionGroup as group:
                failures = group.exceptions
            assert all(isinstance(failure, DeliveryError) for failure in failures), failures

        for action, number in steps:
            if action == "ingest":
                batch = [
                    (
                        "Клиенты",
                        "1",
                        ccr.Attempt(
                            "+7916",
                            START + dt.timedelta(seconds=fed + n),
                            call_disposition=NO_ANSWER,
                        ),
                    )
                    for n in range(number)
                ]
                store.add_attempts(CAMPAIGN.name, batch)
                fed += number
            elif action == "run":
                hour += number
                run()
            elif action == "outage":
                place.outage(number)
            else:
                place.recover()
        place.recover()
        hour += 1
        run()  # the last window, and every delivery still due
        runs = store.job_runs("hourly")

    assert all(r.outcome is ccr.JobOutcome.OK for r in runs)
    assert all(r.delivered_at is not None and r.delivery_error is None for r in runs)
    # The windows chain from nothing to everything fed: each attempt in one window.
    assert [r.window[0] for r in runs] == [0, *(r.window[1] for r in runs[:-1])]
    assert runs[-1].window[1] == fed
    arrived = place.arrived()
    names = [name for name, _ in arrived]
    assert sorted(names) == sorted(r.path.name for r in runs)  # each once, nothing partial
    by_name = dict(arrived)
    for r in runs:
        assert sha256(by_name[r.path.name]) == r.sha256
    rows = sum(len(list(ccr.read_report(io.BytesIO(body)))) for body in by_name.values())
    assert rows == fed


@pytest.mark.slow  # hundreds of HTTPS deliveries
@given(steps=STEPS)
@settings(max_examples=examples(40))
def test_webhook_deliveries_survive_any_interleaving_of_ingest_runs_and_outages(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, Any]]
) -> None:
    base = tmp_path_factory.mktemp("hook")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SSL_CERT_FILE", str(TLS / "cert.pem"))
        interleave(WebhookPlace(base), base, steps)


@pytest.mark.slow  # a real FTP server stopped and started again, several times an example
@given(steps=STEPS)
@settings(max_examples=examples(10))
def test_ftp_deliveries_survive_any_interleaving_of_ingest_runs_and_outages(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, Any]]
) -> None:
    base = tmp_path_factory.mktemp("ftp")
    place = FTPPlace(base)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NETRC", str(place.netrc))
        interleave(place, base, steps)


def test_one_interleaving_with_both_outages_delivers_each_file_once(tmp_path: Path) -> None:
    # The property's quick companion: a down receiver, then one that lost its answer.
    steps = [
        ("ingest", 2),
        ("outage", "down"),
        ("run", 1),
        ("ingest", 1),
        ("run", 1),
        ("recover", 0),
        ("outage", "lost answer"),
        ("ingest", 3),
        ("run", 0),
        ("run", 2),
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SSL_CERT_FILE", str(TLS / "cert.pem"))
        interleave(WebhookPlace(tmp_path), tmp_path, steps)
