"""The ``store`` commands on a PostgreSQL store: a ``postgresql://`` URL wherever a store's
file goes (docs/cli.md), and no message ever shows its password."""

from __future__ import annotations

import datetime as dt
import json
import re
import signal
import urllib.parse
from pathlib import Path

import pytest

import cloudcontact_results as ccr
from cloudcontact_results.cli import main
from tests.support.cli_reference import command_paths
from tests.support.platform_server import TOKEN, FakePlatform
from tests.support.postgres import PASSWORD
from tests.test_store_cli import CAMPAIGN_LINES, NAME, attempt_line
from tests.test_store_processes import store_serve

#: The campaign of :data:`CAMPAIGN_LINES`, as the platform's API serves it.
CAMPAIGN = ccr.Campaign(
    NAME,
    [ccr.CallingList("Клиенты", ["№", "Телефон"]), ccr.CallingList("VIP", ["№"])],
    dispositions=[ccr.Disposition("Согласен", code="1", final=True)],
)


def with_password(url: str) -> str:
    """``url`` with the server's password in it, as a user may write it."""
    return url.replace("postgres@", f"postgres:{urllib.parse.quote(PASSWORD, safe='')}@")


def secret_free(text: str) -> bool:
    return PASSWORD not in text and urllib.parse.quote(PASSWORD, safe="") not in text


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    campaign = tmp_path / "campaign.jsonl"
    campaign.write_text(
        "".join(json.dumps(line) + "\n" for line in CAMPAIGN_LINES), encoding="utf-8"
    )
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        attempt_line("1", 1) + attempt_line("2", 2, call_disposition="Согласен"), encoding="utf-8"
    )
    calling_list = tmp_path / "list.csv"
    calling_list.write_text("№,Телефон\n7,+79160000007\n8,+79160000008\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    return {"campaign": campaign, "feed": feed, "list": calling_list, "out": out}


def commands(store: str, files: dict[str, Path], tag: str) -> dict[tuple[str, ...], list[str]]:
    """Each ``store`` command that takes a store, called on ``store`` (outputs named ``tag``)."""
    out = files["out"]
    return {
        ("store", "load"): [str(files["campaign"])],
        ("store", "ingest"): [NAME, str(files["feed"])],
        ("store", "load-list"): [str(files["list"]), "--campaign", NAME, "--list", "Новый"],
        ("store", "export"): [NAME, "-o", str(out / f"{tag}.csv"), "--format", "detailed"],
        ("store", "report"): [NAME, "-o", str(out / f"{tag}-report.csv")],
        ("store", "export-list"): [
            "--campaign",
            NAME,
            "--list",
            "Клиенты",
            "-o",
            str(out / f"{tag}-list.csv"),
        ],
        ("store", "campaigns"): ["--json"],
        ("store", "archives"): [NAME],
        ("store", "save-archive"): [NAME, "1", "-o", str(out / f"{tag}.zip")],
        ("store", "prune-archives"): ["--older-than", "30d"],
        ("store", "deliver-archives"): [],
        ("store", "remove-list"): [NAME, "Новый"],
        ("store", "delete-list"): ["VIP"],
        ("store", "jobs", "add"): [
            "daily",
            NAME,
            "--schedule",
            "FREQ=DAILY",
            "--start",
            "2099-01-01",
            "--destination",
            str(out),
        ],
        ("store", "jobs", "list"): [],
        ("store", "jobs", "run"): [],
        ("store", "jobs", "runs"): ["daily"],
        ("store", "jobs", "remove"): ["daily"],
    }


#: Commands tested on their own below: they take two stores, or run until stopped,
#: or call the platform.
ELSEWHERE = {("store", "copy"), ("store", "serve"), ("store", "sync"), ("store", "delete-campaign")}


def run(path: tuple[str, ...], store: str, arguments: list[str]) -> int:
    return main([*path, store, *arguments])


@pytest.mark.slow  # every command, twice
def test_every_store_command_takes_a_url_and_never_shows_its_password(
    postgres_url: str,
    files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = with_password(postgres_url)
    by_url = commands(url, files, "pg")
    store_commands = {
        path for path in command_paths() if path[:1] == ("store",) and len(path) > 1
    } - {("store", "jobs")}
    assert set(by_url) | ELSEWHERE == store_commands
    sqlite = str(tmp_path / "results.sqlite")
    by_file = commands(sqlite, files, "file")
    for path, arguments in by_url.items():
        code = run(path, url, arguments)
        said = capsys.readouterr()
        # A command that fails does so with the library's error, about the store
        # (not about a file named like the URL).
        assert code in (0, 1), (path, said.err)
        assert secret_free(said.out + said.err), path
        assert "does not exist" not in said.err, path
        assert re.search(r"postgresql:/[^/]", said.out + said.err) is None, path
        if code == 1:
            assert said.err.startswith(f"error: store '{postgres_url}': "), (path, said.err)
        run(path, sqlite, by_file[path])
        capsys.readouterr()
    # The store in the database is the one the same commands make in a file.
    for name in ("pg.csv", "pg-report.csv", "pg-list.csv"):
        assert (files["out"] / name).read_bytes() == (
            files["out"] / name.replace("pg", "file")
        ).read_bytes()
    assert main(["store", "delete-campaign", url, NAME, "--yes"]) == 0
    assert capsys.readouterr().out == f"campaign '{NAME}' deleted\n"
    with ccr.ResultsStore(postgres_url) as store:
        assert store.campaign_names() == ()


def test_store_copy_from_a_file_to_a_url_and_back(
    postgres_url: str,
    files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = str(tmp_path / "source.sqlite")
    assert main(["store", "load", source, str(files["campaign"])]) == 0
    assert main(["store", "ingest", source, NAME, str(files["feed"])]) == 0
    capsys.readouterr()
    url = with_password(postgres_url)
    assert main(["store", "copy", source, url]) == 0
    assert capsys.readouterr().out == (
        f"{source} copied to {postgres_url}: "
        "1 campaigns, 3 records, 2 attempts, 0 archives, 0 jobs, 0 job runs\n"
    )
    backup = str(tmp_path / "backup.sqlite")
    assert main(["store", "copy", url, backup]) == 0
    assert capsys.readouterr().out.startswith(f"{postgres_url} copied to {backup}: 1 campaigns")
    export = ["--format", "detailed", "-o"]
    for store, name in ((source, "a.csv"), (url, "b.csv"), (backup, "c.csv")):
        assert main(["store", "export", store, NAME, *export, str(tmp_path / name)]) == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "c.csv").read_bytes()
    # Into a store that holds something: refused, the target left as it was.
    assert main(["store", "copy", backup, url]) == 1
    said = capsys.readouterr()
    assert said.err == (
        f"error: store '{postgres_url}': is not empty (its table campaigns has rows): "
        "copy into a new store\n"
    )
    assert secret_free(said.out + said.err)
    # A source file that does not exist is not created.
    assert main(["store", "copy", str(tmp_path / "none.sqlite"), backup]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite").exists()


def test_store_load_names_the_store_without_its_password(
    postgres_url: str, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["store", "load", with_password(postgres_url), str(files["campaign"])]) == 0
    assert capsys.readouterr().out == f"{postgres_url}: campaign '{NAME}', 3 records loaded\n"


def test_store_sync_into_a_url(
    postgres_url: str,
    files: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = with_password(postgres_url)
    assert main(["store", "load", url, str(files["campaign"])]) == 0
    monkeypatch.setenv("CLOUDCONTACT_TOKEN", TOKEN)
    called = ccr.Attempt(
        "+7916",
        dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC),
        call_disposition=CAMPAIGN.dispositions[0],
    )
    record = ccr.Record("7", "Клиенты", {"№": "7", "Телефон": "+7916"}, [called])
    with FakePlatform(CAMPAIGN, [record]) as platform:
        command = ["store", "sync", url, "--url", platform.url, "--campaign", NAME]
        assert main([*command, "--list", "Клиенты"]) == 0
    said = capsys.readouterr()
    assert secret_free(said.out + said.err)
    with ccr.ResultsStore(postgres_url) as store:
        assert "7" in [r.id for r in store.records(NAME, lists=["Клиенты"])]


def test_store_serve_names_the_store_without_its_password(
    postgres_url: str, files: dict[str, Path]
) -> None:
    url = with_password(postgres_url)
    assert main(["store", "load", url, str(files["campaign"])]) == 0
    process, first = store_serve(url)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert first.endswith(f"Z serving {postgres_url}\n")
    assert secret_free(first + out + err)
