"""Archives are delivered to their campaign's ``archive_destination`` exactly once, and pruned.

Every server is real and runs on 127.0.0.1 (tests/support/delivery_servers.py).
The answer key is the store's own account of each archive (its bytes, from
``archive_bytes``; its file name, from the documented form) against what
arrived, read from the server's side. The tests of delivering into a folder
and of pruning run on each database (the fixture ``store_target``); those of
the transports run on SQLite (the store's side is the same).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results.errors import (
    DeliveryError,
    ExportError,
    StoreError,
    UnknownNameError,
    ValidationError,
)
from tests.conftest import examples
from tests.support.delivery_servers import (
    PASSWORD,
    TLS,
    TOKEN,
    FTPServer,
    S3Server,
    free_port,
    sha256,
)
from tests.test_delivery import Place, a_place, home, s3_server, wait_for_partial
from tests.test_delivery_properties import FTPPlace, WebhookPlace

__all__ = ["home", "s3_server"]  # fixtures, used by name

START = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
LISTS = ("Клиенты", "VIP", "Старые")
CAMPAIGN = ccr.Campaign("Продажи", [ccr.CallingList(name, ["№"]) for name in LISTS])
NO_ANSWER = ccr.system_disposition("No answer")
#: The documented form of an archive's file name.
FILE_NAME = re.compile(
    r"(?P<campaign>[^_]+)_(?P<list>[^_]+)_(?P<reason>[a-z]+)_\d{8}T\d{6}Z_\d+\.zip"
)


def records(list_name: str, count: int = 2, attempts: int = 1) -> list[ccr.Record]:
    return [
        ccr.Record(
            f"{list_name}-{n}",
            list_name,
            {"№": str(n)},
            attempts=[
                ccr.Attempt(
                    "+79161234567",
                    START + dt.timedelta(minutes=a),
                    call_disposition=NO_ANSWER,
                )
                for a in range(attempts)
            ],
        )
        for n in range(count)
    ]


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's cache folder, where a PostgreSQL store keeps its spool: the test's own."""
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def postgres(target: str | Path) -> bool:
    return str(target).startswith("postgresql://")


def spool_of(target: str, cache: Path) -> Path:
    """The store's default spool: beside its file, or the one folder made under ``cache``."""
    if not postgres(target):
        return Path(f"{target}.spool")
    (folder,) = (cache / "cloudcontact_results" / "spool").iterdir()
    return folder


def execute(target: str | Path, sql: str, *parameters: object) -> None:
    """Change the store behind its back (``?`` placeholders): what no method of it does."""
    if postgres(target):
        with psycopg.connect(str(target), autocommit=True) as connection:
            connection.execute(sql.replace("?", "%s"), parameters)  # type: ignore[arg-type]
        return
    with sqlite3.connect(target) as connection:
        connection.execute(sql, parameters)
    connection.close()


def new_store(target: str | Path, destination: Any = None) -> ccr.ResultsStore:
    store = ccr.ResultsStore(target)
    store.put_campaign(CAMPAIGN, archive_destination=destination)
    for name in LISTS:
        store.add_records(CAMPAIGN.name, records(name))
    return store


def failures_of(call: Any) -> list[BaseException]:
    with pytest.raises(ExceptionGroup) as raised:
        call()
    return list(raised.value.exceptions)


def arrived_once(arrived: dict[str, bytes], store: ccr.ResultsStore) -> None:
    """Every archive of the campaign is at the destination, once, with the store's bytes."""
    archives = store.archives(CAMPAIGN.name)
    assert sorted(arrived) == sorted(a.file_name for a in archives)
    for archive in archives:
        data = store.archive_bytes(archive)
        assert arrived[archive.file_name] == data
        assert sha256(data) == archive.sha256
        assert archive.delivered_at is not None
        assert archive.delivery_error is None


# --- into a folder: fast -----------------------------------------------------------------------


def test_an_archive_is_put_into_the_folder_once_with_the_bytes_the_store_holds(
    tmp_path: Path, store_target: str, cache_home: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with new_store(store_target, out) as store:
        removed = store.remove_list(CAMPAIGN.name, "VIP")
        store.add_records(CAMPAIGN.name, records("Клиенты", 3), replace=True)
        (deleted,) = store.delete_list("Старые")
        assert store.deliver_archives() == ()  # nothing left to deliver
        archives = store.archives(CAMPAIGN.name)
        assert [a.reason for a in archives] == [
            ccr.ArchiveReason.REMOVED,
            ccr.ArchiveReason.REPLACED,
            ccr.ArchiveReason.DELETED,
        ]
        assert removed.delivered_at is not None  # delivered before remove_list returned
        assert deleted.delivered_at is not None
        assert [a.delivery_attempts for a in archives] == [1, 1, 1]
        arrived_once({p.name: p.read_bytes() for p in out.iterdir()}, store)
        for archive in archives:
            assert archive.remote_url == str(out / archive.file_name)
            found = FILE_NAME.fullmatch(archive.file_name)
            assert found is not None
            assert found["campaign"] == CAMPAIGN.name
            assert (found["list"], found["reason"]) == (archive.list_name, archive.reason.value)
            with zipfile.ZipFile(io.BytesIO(store.archive_bytes(archive))) as zipped:
                manifest = json.loads(zipped.read("manifest.json"))
            assert manifest["list"] == archive.list_name
    # Nothing left in the spool: the store holds the bytes.
    assert list((spool_of(store_target, cache_home) / "archives").iterdir()) == []


def test_the_archive_destination_is_kept_read_back_and_kept_by_a_redefinition(
    tmp_path: Path, store_target: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    hook = ccr.Remote("https://hooks.example.com/archives", token_variable="HOOK_TOKEN")  # noqa: S106
    with new_store(store_target, out) as store:
        assert store.archive_destination(CAMPAIGN.name) == out
        store.put_campaign(CAMPAIGN)  # without it: kept
        assert store.archive_destination(CAMPAIGN.name) == out
        store.put_campaign(CAMPAIGN, archive_destination="sftp://u@files.example.com/a")
        assert store.archive_destination(CAMPAIGN.name) == ccr.Remote(
            "sftp://u@files.example.com/a"
        )
        store.put_campaign(CAMPAIGN, archive_destination=hook)
    with ccr.ResultsStore(store_target) as store:
        assert store.archive_destination(CAMPAIGN.name) == hook
        store.put_campaign(ccr.Campaign("Другая", [ccr.CallingList("L", ["№"])]))
        assert store.archive_destination("Другая") is None


def test_a_bad_archive_destination_is_refused_naming_it_and_nothing_changes(
    tmp_path: Path, store_target: str
) -> None:
    with ccr.ResultsStore(store_target) as store:
        with pytest.raises(ValidationError, match="archive_destination"):
            store.put_campaign(CAMPAIGN, archive_destination=42)  # type: ignore[arg-type]
        with pytest.raises(ExportError, match="archive_destination"):
            store.put_campaign(CAMPAIGN, archive_destination=tmp_path / "missing")
        with pytest.raises(ValidationError, match=r"Remote\.url.*\*\*\*") as raised:
            store.put_campaign(CAMPAIGN, archive_destination="ftp://u:hunter2@h/out")
        assert "hunter2" not in str(raised.value)
        assert store.campaign_names() == ()


def test_a_folder_gone_fails_the_delivery_and_the_next_call_delivers_it_once(
    tmp_path: Path, store_target: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with new_store(store_target, out) as store:
        out.rename(tmp_path / "away")
        archive = store.remove_list(CAMPAIGN.name, "VIP")  # the removal itself never fails
        assert archive.delivered_at is None
        assert archive.delivery_attempts == 1
        assert "does not exist" in (archive.delivery_error or "")
        (failure,) = failures_of(store.deliver_archives)
        assert isinstance(failure, DeliveryError)
        assert archive.file_name in str(failure)
        (tmp_path / "away").rename(out)
        assert store.run_due_jobs(START) == ()  # no job runs; the archive goes
        (delivered,) = store.archives(CAMPAIGN.name)
        assert delivered == archive
        assert delivered.delivery_attempts == 3
        assert store.deliver_archives(CAMPAIGN.name) == ()
        arrived_once({p.name: p.read_bytes() for p in out.iterdir()}, store)


def test_other_bytes_at_the_archive_s_name_are_never_replaced(
    tmp_path: Path, store_target: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with new_store(store_target, out) as store:
        out.rename(tmp_path / "away")
        archive = store.remove_list(CAMPAIGN.name, "VIP")
        (tmp_path / "away").rename(out)
        (out / archive.file_name).write_bytes(b"not ours")
        (failure,) = failures_of(store.deliver_archives)
        assert "never replaces" in str(failure)
        assert (out / archive.file_name).read_bytes() == b"not ours"
        (out / archive.file_name).unlink()
        (delivered,) = store.deliver_archives()
        assert (out / archive.file_name).read_bytes() == store.archive_bytes(delivered)


def test_a_zip_of_several_megabytes_is_delivered_whole(tmp_path: Path, store_target: str) -> None:
    # Read from the store a megabyte at a time: pieces that must join up exactly.
    out = tmp_path / "out"
    out.mkdir()
    noise = random.Random(3)  # noqa: S311 - text that does not compress, the same every run
    big = [ccr.Record(f"v{n}", "VIP", {"№": noise.randbytes(2000).hex()}) for n in range(1000)]
    with new_store(store_target, out) as store:
        store.add_records(CAMPAIGN.name, big)
        archive = store.remove_list(CAMPAIGN.name, "VIP")
        assert archive.size > 2 * 1024 * 1024
        data = store.archive_bytes(archive)
    assert sha256(data) == archive.sha256
    assert (out / archive.file_name).read_bytes() == data
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        rows = list(ccr.read_report(io.BytesIO(zipped.read("simple.csv"))))
    expected = [*records("VIP"), *big]  # the list as new_store loaded it, then the big ones
    assert sorted(row.fields["№"] for row in rows) == sorted(r.fields["№"] for r in expected)


# --- to real servers ----------------------------------------------------------------------------


@pytest.fixture(params=["sftp", "ftp", "https"])
def place(request: pytest.FixtureRequest, tmp_path: Path, home: Path) -> Any:
    yield from a_place(request, tmp_path, home)


@pytest.mark.slow  # a real server per protocol
def test_each_archive_arrives_once_with_the_bytes_the_store_holds(
    place: Place, tmp_path: Path
) -> None:
    place.up()
    with new_store(tmp_path / "results.sqlite", place.remote) as store:
        store.remove_list(CAMPAIGN.name, "VIP")
        store.add_records(CAMPAIGN.name, records("Клиенты", 5, attempts=2), replace=True)
        store.delete_list("Старые")
        assert store.deliver_archives() == ()
        arrived_once(place.files(), store)
        for archive in store.archives(CAMPAIGN.name):
            assert archive.remote_url == place.remote.location(archive.file_name)
            assert archive.delivery_attempts == 1


@pytest.mark.slow  # a real server, down then up
def test_a_server_down_gets_the_archive_at_the_next_call_once(place: Place, tmp_path: Path) -> None:
    if place.protocol == "https":
        place.webhook.answers = [503]  # type: ignore[union-attr]
        place.up()
    with new_store(tmp_path / "results.sqlite", place.remote) as store:
        archive = store.remove_list(CAMPAIGN.name, "VIP")
        assert archive.delivered_at is None
        assert archive.delivery_error
        if place.protocol != "https":
            place.up()
        assert store.run_due_jobs(START) == ()  # no job; the archive goes
        assert store.deliver_archives() == ()
        (archive,) = store.archives(CAMPAIGN.name)
        assert archive.delivery_attempts == 2
        arrived_once(place.files(), store)
        if place.webhook is not None:
            assert place.webhook.resent == []


@pytest.mark.slow
def test_a_wrong_password_is_an_error_that_never_shows_it(tmp_path: Path, home: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    with FTPServer(root, port=free_port()) as server:
        (home / ".netrc").write_text(server.netrc_line("wrong-" + PASSWORD))
        (home / ".netrc").chmod(0o600)
        with new_store(tmp_path / "results.sqlite", server.url) as store:
            archive = store.remove_list(CAMPAIGN.name, "VIP")
            (failure,) = failures_of(store.deliver_archives)
            shown = [str(failure), repr(failure), archive.delivery_error or "", repr(archive)]
            assert "refused the login" in str(failure)
    assert all(PASSWORD not in text and TOKEN not in text for text in shown)
    assert PASSWORD.encode() not in (tmp_path / "results.sqlite").read_bytes()


@pytest.mark.slow  # an S3 server of its own that checks keys
def test_s3_wrong_credentials_are_a_clear_error_that_never_shows_the_secret(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with S3Server(checks_keys=4) as server:
        key_id, secret = server.login("archives")
        remote = ccr.Remote("s3://archives/cloudcontact", endpoint=server.endpoint)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-" + secret)
        with new_store(tmp_path / "results.sqlite", remote) as store:
            archive = store.remove_list(CAMPAIGN.name, "VIP")
            (failure,) = failures_of(store.deliver_archives)
            assert isinstance(failure, DeliveryError)
            assert "403" in str(failure)
            assert "refused the credentials" in str(failure)
            shown = [str(failure), repr(failure), archive.delivery_error or "", repr(archive)]
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIA" + "0" * 16)
            (unknown,) = failures_of(store.deliver_archives)
            assert "refused the credentials" in str(unknown)
            shown.append(str(unknown))
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
            monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
            (delivered,) = store.deliver_archives()
            assert delivered.delivery_attempts == 4  # at removal, then two refused
        assert all(secret not in text for text in shown)
        assert secret.encode() not in (tmp_path / "results.sqlite").read_bytes()


DELIVERER = """
import sys
import cloudcontact_results as ccr
with ccr.ResultsStore(sys.argv[1]) as store:
    store.remove_list("Продажи", "VIP")
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is a POSIX signal")
def test_the_deliverer_killed_mid_upload_leaves_nothing_under_the_name_and_it_goes_once(
    tmp_path: Path, home: Path
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    slow = FTPServer(root, bytes_per_second=32 * 1024, port=free_port())
    with slow:
        (home / ".netrc").write_text(slow.netrc_line())
        (home / ".netrc").chmod(0o600)
        with new_store(tmp_path / "results.sqlite", slow.url) as store:
            # Phone numbers that do not compress: an archive of some hundred kilobytes.
            big = [ccr.Record(f"v{n}", "VIP", {"№": os.urandom(24).hex()}) for n in range(3000)]
            store.add_records(CAMPAIGN.name, big)
        deliverer = subprocess.Popen(
            [sys.executable, "-c", DELIVERER, str(store.path)],
            env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
        )
        deadline = time.monotonic() + 60
        while not [p for p in root.iterdir() if p.name.endswith(".partial")]:
            assert time.monotonic() < deadline, "the upload never started"
            time.sleep(0.01)
        (partial,) = root.iterdir()
        wait_for_partial(root, partial.name[1 : -len(".partial")])
        deliverer.kill()
        deliverer.wait()
        assert [p.name for p in root.iterdir()] == [partial.name]  # nothing under the name
    with FTPServer(root, port=slow.port), ccr.ResultsStore(store.path) as store:
        (pending,) = store.archives(CAMPAIGN.name)
        assert pending.delivered_at is None
        assert pending.delivery_attempts == 1
        (delivered,) = store.deliver_archives()
        assert delivered.delivery_attempts == 2
        assert {p.name: p.read_bytes() for p in root.iterdir()} == {
            pending.file_name: store.archive_bytes(pending)
        }


# --- any interleaving ---------------------------------------------------------------------------

#: One step: remove a list, reload one in replace mode, add a list back, an outage, recovery.
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("remove"), st.sampled_from(LISTS)),
        st.tuples(st.just("replace"), st.sampled_from(LISTS)),
        st.tuples(st.just("outage"), st.sampled_from(["down", "lost answer"])),
        st.tuples(st.just("recover"), st.just("")),
        st.tuples(st.just("deliver"), st.just("")),
    ),
    max_size=12,
)


def interleave(place: Any, base: Path, steps: list[tuple[str, str]]) -> None:
    with place.serving(), new_store(base / "results.sqlite", place.remote) as store:
        for action, argument in steps:
            if action in {"remove", "replace"}:
                lists = {cl.name for cl in store.campaign(CAMPAIGN.name).lists}
                if argument not in lists:
                    store.put_campaign(
                        ccr.Campaign(
                            CAMPAIGN.name,
                            [cl for cl in CAMPAIGN.lists if cl.name in lists | {argument}],
                        )
                    )
                    store.add_records(CAMPAIGN.name, records(argument))
                elif action == "remove":
                    store.remove_list(CAMPAIGN.name, argument)
                else:
                    store.add_records(CAMPAIGN.name, records(argument, 3), replace=True)
            elif action == "outage":
                place.outage(argument)
            elif action == "recover":
                place.recover()
            else:
                with contextlib.suppress(ExceptionGroup):
                    store.deliver_archives()
        place.recover()
        with contextlib.suppress(ExceptionGroup):  # a lost answer may need a second call
            store.deliver_archives()
        store.run_due_jobs(START)
        archives = store.archives(CAMPAIGN.name)
        arrived = place.arrived()
        names = [name for name, _ in arrived]
        assert sorted(names) == sorted(a.file_name for a in archives)  # each once, no partial
        arrived_once(dict(arrived), store)


@pytest.mark.slow  # many HTTPS deliveries
@given(steps=STEPS)
@settings(max_examples=examples(25))
def test_webhook_archive_deliveries_survive_any_interleaving_of_removals_and_outages(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, str]]
) -> None:
    base = tmp_path_factory.mktemp("hook")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SSL_CERT_FILE", str(TLS / "cert.pem"))
        interleave(WebhookPlace(base), base, steps)


@pytest.mark.slow  # a real FTP server stopped and started again
@given(steps=STEPS)
@settings(max_examples=examples(8))
def test_ftp_archive_deliveries_survive_any_interleaving_of_removals_and_outages(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, str]]
) -> None:
    base = tmp_path_factory.mktemp("ftp")
    place = FTPPlace(base)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NETRC", str(place.netrc))
        interleave(place, base, steps)


# --- pruning ------------------------------------------------------------------------------------


def aged(target: str | Path, days: int) -> None:
    """Make every archive of the store ``days`` older (the store's clock cannot be set)."""
    execute(target, "UPDATE archives SET created = created - ?", days * 86_400 * 1_000_000)


def test_pruning_removes_old_archives_but_never_the_last_of_a_list(
    tmp_path: Path, store_target: str
) -> None:
    with new_store(store_target) as store:
        for _ in range(3):
            store.add_records(CAMPAIGN.name, records("Клиенты"), replace=True)
        store.remove_list(CAMPAIGN.name, "VIP")
        aged(store_target, 40)
        store.add_records(CAMPAIGN.name, records("Клиенты"), replace=True)  # a new one
        before = store.archives(CAMPAIGN.name)
        assert store.prune_archives(older_than=dt.timedelta(days=60)) == ()
        removed = store.prune_archives(CAMPAIGN.name, older_than=dt.timedelta(days=30))
        left = store.archives(CAMPAIGN.name)
    assert [a.id for a in removed] == [a.id for a in before[:3]]  # the old Клиенты ones
    assert [(a.list_name, a.id) for a in left] == [
        ("VIP", before[3].id),  # old, but the last of its list
        ("Клиенты", before[4].id),
    ]


def test_pruning_saves_each_zip_first_and_a_second_prune_finds_nothing(
    tmp_path: Path, store_target: str
) -> None:
    saved = tmp_path / "saved"
    saved.mkdir()
    with new_store(store_target) as store:
        for _ in range(3):
            store.add_records(CAMPAIGN.name, records("VIP"), replace=True)
        aged(store_target, 2)
        old = store.archives(CAMPAIGN.name)
        data = {a.file_name: store.archive_bytes(a) for a in old}
        removed = store.prune_archives(older_than=dt.timedelta(hours=12), save_to=saved)
        assert removed == old[:2]
        assert store.prune_archives(older_than=dt.timedelta(hours=12), save_to=saved) == ()
    assert {p.name: p.read_bytes() for p in saved.iterdir()} == {
        a.file_name: data[a.file_name] for a in removed
    }


def test_pruning_keeps_an_archive_whose_delivery_is_due(tmp_path: Path, store_target: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with new_store(store_target, out) as store:
        out.rmdir()
        for _ in range(2):
            store.add_records(CAMPAIGN.name, records("VIP"), replace=True)
        aged(store_target, 5)
        assert store.prune_archives(older_than=dt.timedelta(days=1)) == ()
        out.mkdir()
        assert len(store.deliver_archives()) == 2
        (removed,) = store.prune_archives(older_than=dt.timedelta(days=1))
        assert removed == store.deliver_archives() or removed.list_name == "VIP"


def test_pruning_refuses_bad_arguments_naming_them(tmp_path: Path, store_target: str) -> None:
    with new_store(store_target) as store:
        with pytest.raises(ValidationError, match="older_than"):
            store.prune_archives(older_than=dt.timedelta(0))
        with pytest.raises(ValidationError, match="older_than"):
            store.prune_archives(older_than=30)  # type: ignore[arg-type]
        with pytest.raises(ExportError, match="save_to"):
            store.prune_archives(older_than=dt.timedelta(days=1), save_to=tmp_path / "nowhere")
        with pytest.raises(UnknownNameError):
            store.prune_archives("nope", older_than=dt.timedelta(days=1))


def test_pruning_stops_when_other_bytes_are_at_a_saved_name(
    tmp_path: Path, store_target: str
) -> None:
    saved = tmp_path / "saved"
    saved.mkdir()
    with new_store(store_target) as store:
        for _ in range(2):
            store.add_records(CAMPAIGN.name, records("VIP"), replace=True)
        aged(store_target, 2)
        first = store.archives(CAMPAIGN.name)[0]
        (saved / first.file_name).write_bytes(b"not ours")
        with pytest.raises(ExportError, match="never replaces"):
            store.prune_archives(older_than=dt.timedelta(days=1), save_to=saved)
        assert store.archives(CAMPAIGN.name)[0] == first  # still there
    assert (saved / first.file_name).read_bytes() == b"not ours"


PRUNER = """
import os, sys, datetime as dt
import cloudcontact_results as ccr
real_link = os.link
def link(*args, **kwargs):
    real_link(*args, **kwargs)
    print("saved", flush=True)
    sys.stdin.read()  # held here, between the save and the delete, until killed
os.link = link
with ccr.ResultsStore(sys.argv[1]) as store:
    store.prune_archives(older_than=dt.timedelta(days=1), save_to=sys.argv[2])
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is a POSIX signal")
def test_a_pruner_killed_between_the_save_and_the_delete_loses_nothing(
    tmp_path: Path, store_target: str
) -> None:
    saved = tmp_path / "saved"
    saved.mkdir()
    with new_store(store_target) as store:
        for _ in range(2):
            store.add_records(CAMPAIGN.name, records("VIP"), replace=True)
        aged(store_target, 2)
        first = store.archives(CAMPAIGN.name)[0]
        data = store.archive_bytes(first)
    pruner = subprocess.Popen(
        [sys.executable, "-c", PRUNER, store_target, str(saved)],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    with pruner:
        assert pruner.stdout is not None
        assert pruner.stdout.readline() == "saved\n"
        pruner.kill()
        pruner.wait()
    assert (saved / first.file_name).read_bytes() == data  # saved, durably
    assert (saved / f".{first.file_name}.partial").exists()  # killed before its clean-up
    with ccr.ResultsStore(store_target) as store:
        assert store.archives(CAMPAIGN.name)[0] == first  # and still in the store
        assert store.prune_archives(older_than=dt.timedelta(days=1), save_to=saved) == (first,)
        assert [a.id for a in store.archives(CAMPAIGN.name)] != [first.id]
    assert [p.name for p in saved.iterdir()] == [first.file_name]


# --- an older store -----------------------------------------------------------------------------


def test_a_v6_store_upgraded_delivers_its_new_archives_and_prunes_its_old_ones(
    tmp_path: Path,
) -> None:
    from tests.support.store_v3 import CAMPAIGN as OLD  # noqa: PLC0415

    path = tmp_path / "old.sqlite"
    path.write_bytes((Path(__file__).parent / "data" / "store-v6.sqlite").read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    with ccr.ResultsStore(path) as store:
        (old,) = store.archives(OLD.name)
        assert (old.sha256, old.remote_url, old.delivered_at) == (None, None, None)
        assert store.archive_destination(OLD.name) is None
        store.put_campaign(store.campaign(OLD.name), archive_destination=out)
        assert store.deliver_archives() == ()  # an archive made before is not delivered
        new = store.remove_list(OLD.name, "VIP")
        assert new.delivered_at is not None
        assert (out / new.file_name).read_bytes() == store.archive_bytes(new)
        with sqlite3.connect(path) as connection:  # a year old
            connection.execute("UPDATE archives SET created = created - 86400000000 * 365")
        # The old archive is the last of its list: kept, however old.
        assert store.prune_archives(older_than=dt.timedelta(days=30)) == ()
        assert store.archives(OLD.name)[0].id == old.id


def test_a_damaged_archive_destination_is_a_store_error_and_the_other_campaigns_still_go(
    tmp_path: Path, store_target: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    other = ccr.Campaign("Другая", [ccr.CallingList("L", ["№"])])
    with new_store(store_target, out) as store:
        store.put_campaign(other, archive_destination=out)
        out.rename(tmp_path / "away")
        store.remove_list(CAMPAIGN.name, "VIP")
        store.remove_list(other.name, "L")
        (tmp_path / "away").rename(out)
        execute(
            store_target, "UPDATE archives SET destination = '{\"url\": 1}' WHERE list_name = 'VIP'"
        )
        (failure,) = failures_of(store.deliver_archives)
        assert isinstance(failure, StoreError)
        assert "archives" in str(failure)
        (delivered,) = store.archives(other.name)
        assert delivered.delivered_at is not None


def test_deleting_a_campaign_removes_its_spooled_files_and_no_other(
    tmp_path: Path, store_target: str, cache_home: Path
) -> None:
    # Nothing listens on the port: every delivery fails and its file stays in the spool.
    down = f"ftp://127.0.0.1:{free_port()}/results"
    other = ccr.Campaign("Другая", [ccr.CallingList("VIP", ["№"])])
    job = ccr.ExportJob(
        "daily", CAMPAIGN.name, ccr.ExportOptions(format="detailed"), "FREQ=DAILY", down, START
    )
    with new_store(store_target, down) as store:
        store.put_campaign(other, archive_destination=down)
        store.add_records(other.name, records("VIP"))
        store.add_job(job)
        failures_of(lambda: store.run_due_jobs(START))
        mine = store.remove_list(CAMPAIGN.name, "VIP")
        theirs = store.remove_list(other.name, "VIP")
        spool = spool_of(store_target, cache_home)
        (run,) = store.job_runs("daily")
        kept = [
            run.path,
            spool / "archives" / mine.file_name,
            spool / "archives" / theirs.file_name,
        ]
        assert all(path.exists() for path in kept)

        store.delete_campaign(CAMPAIGN.name)

        assert not run.path.parent.exists()
        assert not (spool / "archives" / mine.file_name).exists()
        assert (spool / "archives" / theirs.file_name).exists()
        assert [a.file_name for a in store.archives(other.name)] == [theirs.file_name]
