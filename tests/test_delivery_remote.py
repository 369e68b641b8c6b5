"""Delivery destinations as values: ``Remote``, URL jobs, ``keep``; kept in the store whole."""

from __future__ import annotations

import datetime as dt
import pickle
import re
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results.errors import ValidationError
from tests.support.delivery_servers import Webhook
from tests.support.strategies import remotes

START = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
CAMPAIGN = ccr.Campaign("Продажи", [ccr.CallingList("Клиенты", ["№"])])


def job(destination: object, **settings: object) -> ccr.ExportJob:
    return ccr.ExportJob(
        "hourly",
        CAMPAIGN.name,
        ccr.ExportOptions(format="detailed-interval"),
        "FREQ=HOURLY",
        destination,  # type: ignore[arg-type]
        START,
        **settings,  # type: ignore[arg-type]
    )


@given(remotes(), st.text(min_size=1).filter(lambda name: "/" not in name))
def test_a_file_s_location_is_the_folder_s_url_and_its_name(remote: ccr.Remote, name: str) -> None:
    location = remote.location(name)
    if remote.is_webhook:
        assert location == remote.url
        return
    folder, _, last = location.rpartition("/")
    assert folder == remote.url.rstrip("/")
    assert urllib.parse.unquote(last) == name
    assert urllib.parse.urlsplit(location).path.startswith(urllib.parse.urlsplit(remote.url).path)


@given(remotes())
def test_a_remote_is_a_value_kept_and_pickled_whole(remote: ccr.Remote) -> None:
    assert pickle.loads(pickle.dumps(remote)) == remote  # noqa: S301 - our own bytes
    assert ccr.ExportJob is type(job(remote))
    assert job(remote).destination == remote


@given(remotes(), st.none() | st.integers(1, 1000) | st.timedeltas(dt.timedelta(seconds=1)))
def test_a_url_job_is_kept_in_the_store_as_it_was_given(
    tmp_path_factory: pytest.TempPathFactory,
    remote: ccr.Remote,
    keep: int | dt.timedelta | None,
) -> None:
    given_job = job(remote, keep=keep)
    with ccr.ResultsStore(tmp_path_factory.mktemp("store") / "s.sqlite") as store:
        store.put_campaign(CAMPAIGN)
        store.add_job(given_job)
        assert store.jobs(CAMPAIGN.name) == (given_job,)


def test_a_url_given_as_text_is_a_remote_and_a_path_a_folder() -> None:
    assert job("sftp://reports@files.example.com:2222/in").destination == ccr.Remote(
        "sftp://reports@files.example.com:2222/in"
    )
    assert job("/srv/exports").destination == Path("/srv/exports")
    assert job("relative/folder").destination == Path("relative/folder")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://reports:Секрет-7@host/out", "holds a password"),
        ("sftp://user:@host/out", "holds a password"),
        ("gopher://host/out", "'gopher' is not one a delivery takes"),
        ("http://host/hook", "'http' is not one a delivery takes"),
        ("https://host/hook?code=Секрет-7", "has a query or a fragment"),
        ("s3:///prefix", "names no host"),
        ("sftp://host:99999/x", "is no URL"),
    ],
)
def test_a_url_the_store_must_not_keep_is_refused_and_its_password_never_shown(
    url: str, says: str
) -> None:
    with pytest.raises(ValidationError, match=r"Remote\.url") as raised:
        ccr.Remote(url)
    assert says in str(raised.value)
    assert "Секрет-7" not in str(raised.value) or "query" in says


@pytest.mark.parametrize(
    ("url", "setting", "value"),
    [
        ("ftp://host/out", "identity_file", "/keys/id"),
        ("sftp://host/out", "endpoint", "http://127.0.0.1:9000"),
        ("s3://bucket/out", "token_variable", "TOKEN"),
        ("https://host/hook", "endpoint", "http://127.0.0.1:9000"),
    ],
)
def test_a_setting_the_url_s_protocol_does_not_read_is_refused(
    url: str, setting: str, value: str
) -> None:
    with pytest.raises(ValidationError, match=rf"Remote\.{setting}"):
        ccr.Remote(url, **{setting: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"token_variable": "NOT A NAME"}, "Remote.token_variable"),
        ({"timeout": 0}, "Remote.timeout"),
        ({"timeout": True}, "Remote.timeout"),
    ],
)
def test_bad_webhook_settings_are_named(settings: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(field)):
        ccr.Remote("https://host/hook", **settings)  # type: ignore[arg-type]


def test_an_s3_endpoint_must_be_an_http_url() -> None:
    with pytest.raises(ValidationError, match=r"Remote\.endpoint"):
        ccr.Remote("s3://bucket/x", endpoint="127.0.0.1:9000")


@pytest.mark.parametrize("keep", [0, -1, True, 2.5, dt.timedelta(0), "3"])
def test_keep_is_a_positive_count_or_duration(keep: object) -> None:
    with pytest.raises(ValidationError, match=r"ExportJob\.keep"):
        job("s3://bucket/x", keep=keep)


def test_keep_is_for_url_jobs_only(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"ExportJob\.keep"):
        job(tmp_path, keep=3)


@pytest.mark.parametrize(
    ("keep", "kept"),
    [
        (2, ["T01", "T02", "T03"]),  # the newest two delivered, and the one still due
        (dt.timedelta(hours=1), ["T03"]),  # due within the hour before the last call
        (None, ["T00", "T01", "T02", "T03"]),
    ],
)
def test_keep_prunes_the_spool_of_delivered_files_only(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    keep: int | dt.timedelta | None,
    kept: list[str],
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(Path(__file__).parent / "tls" / "cert.pem"))
    with Webhook(token=None) as hook, ccr.ResultsStore(tmp_path / "s.sqlite") as store:
        store.put_campaign(CAMPAIGN)
        store.add_job(job(ccr.Remote(hook.url), keep=keep))
        for hour in range(3):
            store.run_due_jobs(START + dt.timedelta(hours=hour, minutes=5))
        hook.answers = [503]  # the last one waits for its delivery: kept whatever keep says
        with pytest.raises(ExceptionGroup):
            store.run_due_jobs(START + dt.timedelta(hours=3, minutes=5))
        runs = store.job_runs("hourly")
    spool = tmp_path / "s.sqlite.spool" / "hourly"
    assert sorted(p.name[15:18] for p in spool.iterdir()) == kept
    assert [run.delivered_at is not None for run in runs] == [True, True, True, False]


def test_the_spool_keyword_keeps_files_to_deliver_where_it_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(Path(__file__).parent / "tls" / "cert.pem"))
    spool = tmp_path / "elsewhere" / "outbox"
    with (
        Webhook(token=None) as hook,
        ccr.ResultsStore(tmp_path / "s.sqlite", spool=spool) as store,
    ):
        store.put_campaign(CAMPAIGN)
        store.add_job(job(ccr.Remote(hook.url)))
        hook.answers = [503]
        with pytest.raises(ExceptionGroup):
            store.run_due_jobs(START + dt.timedelta(minutes=5))
        (run,) = store.job_runs("hourly")
    assert run.delivered_at is None
    assert run.path.parent == spool / "hourly"
    assert run.path.is_file()
    assert not (tmp_path / "s.sqlite.spool").exists()  # not beside the store as well
