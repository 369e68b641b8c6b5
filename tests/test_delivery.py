"""Export jobs deliver their files to SFTP, FTP, FTPS, S3 and webhooks, exactly once.

Every server is real and runs on 127.0.0.1 (tests/support/delivery_servers.py);
the credentials are set up as a user sets them up, in the test's own home.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import cloudcontact_results as ccr
from cloudcontact_results.errors import DeliveryError
from tests.support.delivery_servers import (
    PASSWORD,
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
            self.remote = hook_remote(self.webhook)

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


@pytest.mark.slow  # a real server per protocol
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


@pytest.mark.slow  # a real server per protocol
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


@pytest.mark.slow  # a real server per protocol
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


@pytest.mark.slow  # a real server per protocol
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


# --- webhooks ---------------------------------------------------------------------------------


def hook_remote(hook: Webhook) -> ccr.Remote:
    """The webhook as a destination, its bearer token in ``HOOK_TOKEN``."""
    return ccr.Remote(hook.url, token_variable="HOOK_TOKEN")  # noqa: S106 - a variable's name


def test_a_webhook_gets_the_file_with_its_name_sha256_and_idempotency_key(
    tmp_path: Path, home: Path
) -> None:
    with (
        Webhook() as hook,
        store_with_job(tmp_path, hook_remote(hook)) as store,
    ):
        feed(store, 1)
        (run,) = store.run_due_jobs(hour(0))
    ((headers, body),) = hook.received.values()
    assert body == run.path.read_bytes()
    assert headers["X-File-SHA256"] == run.sha256 == sha256(body)
    assert urllib.parse.unquote(headers["X-File-Name"]) == run.path.name
    assert headers["Idempotency-Key"] == f"{run.path.name}:{run.sha256}"
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert run.remote_url == hook.url
    assert run.delivered_at is not None


def test_a_webhook_whose_answer_was_lost_gets_the_same_bytes_and_key_again(
    tmp_path: Path, home: Path
) -> None:
    with (
        Webhook() as hook,
        store_with_job(tmp_path, hook_remote(hook)) as store,
    ):
        hook.lose_answers = 1
        feed(store, 1)
        (failure,) = failures_of(lambda: store.run_due_jobs(hour(0)))
        assert "HTTP 500" in str(failure)
        (pending,) = store.job_runs("hourly")
        assert pending.delivered_at is None
        store.run_due_jobs(hour(0))
        (run,) = store.job_runs("hourly")
    assert run.delivery_attempts == 2
    assert run.delivered_at is not None
    key = f"{run.path.name}:{run.sha256}"
    assert list(hook.received) == [key]
    assert hook.resent == [key]  # the receiver dropped the resend by its key


def test_a_webhook_refusing_the_token_is_an_error_that_never_shows_it(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "wrong-token-3"
    monkeypatch.setenv("HOOK_TOKEN", wrong)
    with (
        Webhook() as hook,
        store_with_job(tmp_path, hook_remote(hook)) as store,
    ):
        feed(store, 1)
        (failure,) = failures_of(lambda: store.run_due_jobs(hour(0)))
        (run,) = store.job_runs("hourly")
    assert isinstance(failure, DeliveryError)
    assert "HTTP 401" in str(failure)
    assert "'hourly'" in str(failure)
    assert hook.url in str(failure)
    assert wrong not in str(failure)
    assert wrong not in repr(run)
    assert wrong.encode() not in (tmp_path / "results.sqlite").read_bytes()


@pytest.mark.parametrize("token", [None, "Секрет-5 with spaces"], ids=["unset", "not-a-token"])
def test_a_webhook_token_variable_unset_or_unusable_is_named_and_its_value_never_shown(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch, token: str | None
) -> None:
    if token is None:
        monkeypatch.delenv("HOOK_TOKEN")
    else:
        monkeypatch.setenv("HOOK_TOKEN", token)
    with (
        Webhook() as hook,
        store_with_job(tmp_path, hook_remote(hook)) as store,
    ):
        feed(store, 1)
        (failure,) = failures_of(lambda: store.run_due_jobs(hour(0)))
    assert "HOOK_TOKEN" in str(failure)
    assert token is None or token not in str(failure)
    assert hook.received == {}


def test_a_spool_file_changed_before_its_delivery_is_not_sent(tmp_path: Path, home: Path) -> None:
    with (
        Webhook() as hook,
        store_with_job(tmp_path, hook_remote(hook)) as store,
    ):
        hook.answers = [503]
        feed(store, 1)
        failures_of(lambda: store.run_due_jobs(hour(0)))
        (run,) = store.job_runs("hourly")
        run.path.write_bytes(b"edited by someone\r\n")
        (failure,) = failures_of(lambda: store.run_due_jobs(hour(0)))
    assert "no longer holds the bytes recorded" in str(failure)
    assert hook.received == {}


# --- wrong credentials, full disks ---------------------------------------------------------


@pytest.mark.slow
def test_an_sftp_key_the_server_refuses_is_an_error_naming_the_job_and_url(
    tmp_path: Path, home: Path
) -> None:
    with SFTPServer(tmp_path / "sshd") as server:
        (home / ".ssh").mkdir(mode=0o700)
        (home / ".ssh" / "known_hosts").write_bytes(
            (server.home / ".ssh" / "known_hosts").read_bytes()
        )
        remote = ccr.Remote(server.url, identity_file=server.stranger_key)
        with store_with_job(tmp_path, remote) as store:
            feed(store, 1)
            (failure,) = failures_of(lambda: store.run_due_jobs(hour(0)))
    assert isinstance(failure, DeliveryError)
    assert "refused the login" in str(failure)
    assert "'hourly'" in str(failure)
    assert server.url in str(failure)
    key = server.stranger_key.read_text()
    assert key.splitlines()[1] not in str(failure)
    assert list(server.folder.iterdir()) == []


@pytest.mark.slow
def test_an_sftp_host_not_in_known_hosts_is_refused(tmp_path: Path, home: Path) -> None:
    with SFTPServer(tmp_path / "sshd") as server:
        remote = ccr.Remote(server.url, identity_file=server.home / ".ssh" / "id_ed25519")
        with store_with_job(tmp_path, remote) as store:
            feed(store, 1)
            (failure,) = failures_of(lambda: store.run_due_jobs(hour(0)))
    assert "not in ~/.ssh/known_hosts" in str(failure)
    assert list(server.folder.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize("tls", [False, True], ids=["ftp", "ftps"])
def test_a_wrong_ftp_password_is_an_error_that_never_shows_it(
    tmp_path: Path, home: Path, tls: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "wrong-Пароль-4"
    (tmp_path / "root").mkdir()
    with FTPServer(tmp_path / "root", tls=tls) as server:
        netrc = tmp_path / "netrc"
        netrc.write_text(server.netrc_line(wrong))
        monkeypatch.setenv("NETRC", str(netrc))
        with store_with_job(tmp_path, server.url) as store:
            feed(store, 1)
            (failure,) = failures_of(lambda: store.run_due_jobs(hour(0)))
            (run,) = store.job_runs("hourly")
    assert "refused the login" in str(failure)
    assert "530" in str(failure)
    assert "'hourly'" in str(failure)
    for text in (str(failure), repr(run), repr(store.path)):
        assert wrong not in text
        assert PASSWORD not in text
    assert wrong.encode() not in (tmp_path / "results.sqlite").read_bytes()
    assert list((tmp_path / "root").iterdir()) == []


@pytest.mark.slow
def test_a_full_disk_on_the_sftp_server_fails_the_delivery_and_the_next_call_sends_it(
    tmp_path: Path, home: Path
) -> None:
    if not Path("/dev/full").exists():
        pytest.fail("/dev/full is needed to fill the server's disk")
    with SFTPServer(tmp_path / "sshd") as server:
        (home / ".ssh").mkdir(mode=0o700)
        for name in ("known_hosts", "id_ed25519"):
            (home / ".ssh" / name).write_bytes((server.home / ".ssh" / name).read_bytes())
            (home / ".ssh" / name).chmod(0o600)
        name = "hourly_20260302T000000Z.csv"
        # Every byte written to the file being uploaded meets a full device.
        (server.folder / f".{name}.partial").symlink_to("/dev/full")
        with store_with_job(tmp_path, server.url) as store:
            feed(store, 1)
            (failure,) = failures_of(lambda: store.run_due_jobs(hour(0)))
            assert isinstance(failure, DeliveryError)
            assert not (server.folder / name).exists()
            (server.folder / f".{name}.partial").unlink(missing_ok=True)
            store.run_due_jobs(hour(0))
            (run,) = store.job_runs("hourly")
    assert run.delivery_attempts == 2
    assert {p.name: p.read_bytes() for p in server.folder.iterdir()} == {
        name: run.path.read_bytes()
    }


@pytest.mark.slow
def test_a_full_disk_on_the_ftp_server_fails_the_delivery_and_leaves_no_file(
    tmp_path: Path, home: Path
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    with FTPServer(root, disk_bytes=10) as server:
        (home / ".netrc").write_text(server.netrc_line())
        (home / ".netrc").chmod(0o600)
        with store_with_job(tmp_path, server.url) as store:
            feed(store, 1)
            (failure,) = failures_of(lambda: store.run_due_jobs(hour(0)))
    assert isinstance(failure, DeliveryError)
    assert "STOR" in str(failure)
    assert "426" in str(failure)  # pyftpdlib's answer to a write that failed
    assert list(root.iterdir()) == []  # the partial file removed, nothing under the name


# --- kill -9 in the middle of an upload --------------------------------------------------------

#: Attempts fed before a killed upload: a file of about 300 kB, sent at 64 kB/s.
MANY = 3000
RUNNER = """
import datetime as dt, sys
import cloudcontact_results as ccr
with ccr.ResultsStore(sys.argv[1]) as store:
    store.run_due_jobs(dt.datetime.fromisoformat(sys.argv[2]))
"""


def feed_many(store: ccr.ResultsStore) -> None:
    store.add_attempts(CAMPAIGN.name, [("Клиенты", "1", attempt(n)) for n in range(MANY)])


def wait_for_partial(folder: Path, name: str) -> None:
    """Wait until an upload is under way: bytes in the temporary file."""
    partial = folder / f".{name}.partial"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(FileNotFoundError):
            if partial.stat().st_size > 0:
                return
        time.sleep(0.01)
    pytest.fail("the upload never started")


def only_the_whole_file_is_there(root: Path, run: ccr.JobRun) -> None:
    assert {p.name: p.read_bytes() for p in root.iterdir()} == {
        run.path.name: run.path.read_bytes()
    }
    assert run.delivered_at is not None
    assert run.delivery_attempts == 2


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is a POSIX signal")
def test_the_runner_killed_mid_upload_leaves_nothing_under_the_name_and_the_next_call_sends_once(
    tmp_path: Path, home: Path
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    name = "hourly_20260302T000000Z.csv"
    slow = FTPServer(root, bytes_per_second=64 * 1024, port=free_port())
    with slow:
        (home / ".netrc").write_text(slow.netrc_line())
        (home / ".netrc").chmod(0o600)
        with store_with_job(tmp_path, slow.url) as store:
            feed_many(store)
        runner = subprocess.Popen(
            [sys.executable, "-c", RUNNER, str(store.path), hour(0).isoformat()],
            env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
        )
        wait_for_partial(root, name)
        runner.kill()
        runner.wait()
        assert not (root / name).exists()  # nothing partial is ever under the name
    with FTPServer(root, port=slow.port), ccr.ResultsStore(store.path) as store:
        (pending,) = store.job_runs("hourly")
        assert pending.delivered_at is None
        assert pending.delivery_attempts == 1
        assert store.run_due_jobs(hour(0)) == ()  # nothing new is due; the file goes
        (run,) = store.job_runs("hourly")
    only_the_whole_file_is_there(root, run)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is a POSIX signal")
def test_the_server_killed_mid_upload_leaves_nothing_under_the_name_and_the_next_call_sends_once(
    tmp_path: Path, home: Path
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    name = "hourly_20260302T000000Z.csv"
    slow = FTPServer(root, bytes_per_second=64 * 1024, port=free_port())
    with slow, store_with_job(tmp_path, slow.url) as store:
        (home / ".netrc").write_text(slow.netrc_line())
        (home / ".netrc").chmod(0o600)
        feed_many(store)
        killer = threading.Thread(
            target=lambda: (wait_for_partial(root, name), slow.stop(kill=True))
        )
        killer.start()
        (failure,) = failures_of(lambda: store.run_due_jobs(hour(0)))
        killer.join()
        assert isinstance(failure, DeliveryError)
        assert not (root / name).exists()
        with FTPServer(root, port=slow.port):
            assert store.run_due_jobs(hour(0)) == ()
            (run,) = store.job_runs("hourly")
    only_the_whole_file_is_there(root, run)
