"""Export jobs deliver their files to SFTP, FTP, FTPS, S3 and webhooks, exactly once.

Every server is real and runs on 127.0.0.1 (tests/support/delivery_servers.py);
the credentials are set up as a user sets them up, in the test's own home.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import cloudcontact_results as ccr
from cloudcontact_results.errors import DeliveryError
from tests.support.delivery_servers import (
    TLS,
    TOKEN,
    FTPServer,
    S3Server,
    SFTPServer,
    Webhook,
    aws_environment,
    free_port,
    sha256,
)

START = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
CAMPAIGN = ccr.Campaign("Продажи", [ccr.CallingList("Клиенты", ["№"])])
NO_ANSWER = ccr.system_disposition("No answer")
#: The protocols that put files into a remote folder, which can be looked at before sending.
FOLDER_PROTOCOLS = ("sftp", "ftp", "ftps", "s3")
PROTOCOLS = (*FOLDER_PROTOCOLS, "https")


def attempt(minute: int) -> ccr.Attempt:
    return ccr.Attempt(
        "+79161234567", START + dt.timedelta(minutes=minute), call_disposition=NO_ANSWER
    )


def hour(number: int) -> dt.datetime:
    return START + dt.timedelta(hours=number, minutes=30)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test's own home folder: its SSH keys, netrc and AWS files, nothing of the machine's."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(TLS / "cert.pem"))
    monkeypatch.setenv("HOOK_TOKEN", TOKEN)
    aws_environment(monkeypatch, folder)
    return folder


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    with S3Server() as server:
        yield server


class Place:
    """One destination of one protocol, with a way to look at what arrived there."""

    def __init__(self, protocol: str, tmp_path: Path, home: Path, s3: S3Server | None) -> None:
        self.protocol = protocol
        self.folder = tmp_path / "server"
        self.folder.mkdir()
        self.webhook: Webhook | None = None
        self.server: Any = None
        self.s3 = s3
        if protocol == "sftp":
            self.server = SFTPServer(tmp_path / "sshd")
            for item in (self.server.home / ".ssh").iterdir():
                (home / ".ssh").mkdir(exist_ok=True, mode=0o700)
                (home / ".ssh" / item.name).write_bytes(item.read_bytes())
                (home / ".ssh" / item.name).chmod(0o600)
            self.folder = self.server.folder
            self.remote = ccr.Remote(self.server.url)
        elif protocol in {"ftp", "ftps"}:
            self.server = FTPServer(self.folder, tls=protocol == "ftps", port=free_port())
            (home / ".netrc").write_text(self.server.netrc_line())
            (home / ".netrc").chmod(0o600)
            self.remote = ccr.Remote(self.server.url + "out")
            (self.folder / "out").mkdir()
            self.folder = self.folder / "out"
        elif protocol == "s3":
            assert s3 is not None
            self.bucket = f"bucket-{os.getpid()}-{id(self)}"
            s3.client().create_bucket(Bucket=self.bucket)
            self.remote = ccr.Remote(f"s3://{self.bucket}/exports/daily", endpoint=s3.endpoint)
        else:
            self.webhook = Webhook()
            self.remote = ccr.Remote(self.webhook.url, token_variable="HOOK_TOKEN")  # noqa: S106

    def own_s3_server(self) -> None:
        """An S3 server of this place's own, not started yet (to be down at first)."""
        self.s3 = self.server = S3Server()
        self.remote = ccr.Remote(f"s3://{self.bucket}/exports/daily", endpoint=self.s3.endpoint)

    def up(self) -> None:
        if self.server is not None:
            self.server.start()
        elif self.webhook is not None:
            self.webhook.__enter__()
        if self.protocol == "s3" and self.server is not None:
            self.s3.client().create_bucket(Bucket=self.bucket)  # type: ignore[union-attr]

    def down(self) -> None:
        if self.server is not None:
            self.server.stop()

    def files(self) -> dict[str, bytes]:
        """Every file at the destination, by name (partial ones included)."""
        if self.protocol == "s3":
            assert self.s3 is not None
            client = self.s3.client()
            listed = client.list_objects_v2(Bucket=self.bucket).get("Contents", [])
            return {
                item["Key"].rpartition("/")[2]: client.get_object(
                    Bucket=self.bucket, Key=item["Key"]
                )["Body"].read()
                for item in listed
            }
        if self.webhook is not None:
            return {
                urllib.parse.unquote(headers["X-File-Name"]): body
                for headers, body in self.webhook.received.values()
            }
        return {path.name: path.read_bytes() for path in self.folder.iterdir()}

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
        if self.webhook is not None:
            self.webhook.__exit__()


def a_place(request: pytest.FixtureRequest, tmp_path: Path, home: Path) -> Iterator[Place]:
    s3 = request.getfixturevalue("s3_server") if request.param == "s3" else None
    found = Place(request.param, tmp_path, home, s3)
    try:
        yield found
    finally:
        found.close()


@pytest.fixture(params=PROTOCOLS)
def place(request: pytest.FixtureRequest, tmp_path: Path, home: Path) -> Iterator[Place]:
    yield from a_place(request, tmp_path, home)


@pytest.fixture(params=FOLDER_PROTOCOLS)
def folder_place(request: pytest.FixtureRequest, tmp_path: Path, home: Path) -> Iterator[Place]:
    """A place that is a remote folder: what is at a name there can be looked at."""
    yield from a_place(request, tmp_path, home)


def store_with_job(tmp_path: Path, destination: Any, **settings: Any) -> ccr.ResultsStore:
    store = ccr.ResultsStore(tmp_path / "results.sqlite")
    store.put_campaign(CAMPAIGN)
    store.add_records(CAMPAIGN.name, [ccr.Record(str(n), "Клиенты", {"№": str(n)}) for n in (1, 2)])
    job = ccr.ExportJob(
        "hourly",
        CAMPAIGN.name,
        ccr.ExportOptions(format="detailed-interval"),
        "FREQ=HOURLY",
        destination,
        START,
        **settings,
    )
    store.add_job(job)
    return store


def feed(store: ccr.ResultsStore, minute: int) -> None:
    store.add_attempts(CAMPAIGN.name, [("Клиенты", "1", attempt(minute))])


def failures_of(call: Any) -> list[BaseException]:
    with pytest.raises(ExceptionGroup) as raised:
        call()
    return list(raised.value.exceptions)


# --- delivering, for every protocol -----------------------------------------------------------


def test_each_file_arrives_once_under_its_name_with_the_bytes_job_runs_records(
    place: Place, tmp_path: Path
) -> None:
    place.up()
    with store_with_job(tmp_path, place.remote) as store:
        feed(store, 1)
        (first,) = store.run_due_jobs(hour(0))
        feed(store, 2)
        (second,) = store.run_due_jobs(hour(1))
        assert store.run_due_jobs(hour(1)) == ()
        runs = store.job_runs("hourly")
    assert runs == (first, second)
    arrived = place.files()
    assert sorted(arrived) == sorted(run.path.name for run in runs)  # nothing partial, no extra
    for run in runs:
        assert sha256(arrived[run.path.name]) == run.sha256
        assert arrived[run.path.name] == run.path.read_bytes()
        assert run.remote_url == place.remote.location(run.path.name)
        assert run.delivery_attempts == 1
        assert run.delivered_at is not None
        assert run.delivery_error is None
        # The spool folder is beside the store, one folder a job.
        assert run.path.parent == tmp_path / "results.sqlite.spool" / "hourly"
    assert [row.record_id for row in ccr.read_report(io.BytesIO(arrived[second.path.name]))] == [
        "1"
    ]


def test_a_server_down_at_run_time_gets_the_file_at_the_next_call_once(
    place: Place, tmp_path: Path
) -> None:
    if place.protocol == "https":
        place.webhook.answers = [503]  # type: ignore[union-attr]
        place.up()
    if place.protocol == "s3":
        place.own_s3_server()
    with store_with_job(tmp_path, place.remote) as store:
        feed(store, 1)
        (failure,) = failures_of(lambda: store.run_due_jobs(hour(0)))
        assert isinstance(failure, DeliveryError)
        assert "'hourly'" in str(failure)
        assert failure.url == place.remote.location("hourly_20260302T000000Z.csv")
        (run,) = store.job_runs("hourly")
        # The file is written and the watermark moved: the network is not waited on.
        assert run.outcome is ccr.JobOutcome.OK
        assert run.delivered_at is None
        assert run.delivery_attempts == 1
        assert run.delivery_error
        feed(store, 2)
        if place.protocol != "https":
            place.up()
        (next_run,) = store.run_due_jobs(hour(1))
        runs = store.job_runs("hourly")
    assert next_run.window == (1, 2)
    assert [r.delivery_attempts for r in runs] == [2, 1]
    assert all(r.delivered_at is not None and r.delivery_error is None for r in runs)
    arrived = place.files()
    assert sorted(arrived) == sorted(r.path.name for r in runs)
    assert [sha256(arrived[r.path.name]) for r in runs] == [r.sha256 for r in runs]


def test_a_file_already_there_with_the_same_bytes_is_recorded_without_sending(
    folder_place: Place, tmp_path: Path
) -> None:
    # A crash between the upload and its record: the next call finds the file there.
    # (A webhook cannot be asked what it holds: test_webhook_* sends the resend's key.)
    place = folder_place
    place.up()
    (tmp_path / "local").mkdir()
    local = store_with_job(tmp_path / "local", tmp_path / "local")
    with local:
        feed(local, 1)
        (written,) = local.run_due_jobs(hour(0))
    data = written.path.read_bytes()
    if place.protocol == "s3":
        place.s3.client().put_object(  # type: ignore[union-attr]
            Bucket=place.bucket, Key=f"exports/daily/{written.path.name}", Body=data
        )
    else:
        (place.folder / written.path.name).write_bytes(data)
        os.utime(place.folder / written.path.name, (1_000_000_000, 1_000_000_000))
    with store_with_job(tmp_path, place.remote) as store:
        feed(store, 1)
        (run,) = store.run_due_jobs(hour(0))
    assert run.sha256 == sha256(data)
    assert run.delivered_at is not None
    assert run.delivery_attempts == 1
    if place.protocol == "s3":
        head = place.s3.client().head_object(  # type: ignore[union-attr]
            Bucket=place.bucket, Key=f"exports/daily/{written.path.name}"
        )
        assert head["Metadata"] == {}  # ours would carry its sha256: not sent again
    else:
        assert (place.folder / written.path.name).stat().st_mtime == 1_000_000_000
    assert place.files() == {written.path.name: data}


def test_other_bytes_at_the_name_are_never_replaced(folder_place: Place, tmp_path: Path) -> None:
    place = folder_place
    place.up()
    name = "hourly_20260302T000000Z.csv"
    if place.protocol == "s3":
        place.s3.client().put_object(  # type: ignore[union-attr]
            Bucket=place.bucket, Key=f"exports/daily/{name}", Body=b"not ours"
        )
    else:
        (place.folder / name).write_bytes(b"not ours")
    with store_with_job(tmp_path, place.remote) as store:
        feed(store, 1)
        (failure,) = failures_of(lambda: store.run_due_jobs(hour(0)))
        assert isinstance(failure, DeliveryError)
        assert "never replaces what it did not send" in str(failure)
    assert place.files() == {name: b"not ours"}
