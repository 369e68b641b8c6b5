"""``cloudcontact-results store sync``: stopped and restarted at any point, nothing lost or twice.

In-process runs go through :func:`cloudcontact_results.cli.main`; the runs that
are killed (SIGKILL) or interrupted (SIGINT) are real processes.
"""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import cloudcontact_results as ccr
from cloudcontact_results.cli import main

from .support.platform_server import TOKEN, FakePlatform
from .test_platform_sync import CAMPAIGN, DETAILED, busy, expected_export, many, minutes, record

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "results.sqlite"
    with ccr.ResultsStore(path) as store:
        store.put_campaign(CAMPAIGN)
    return path


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CLOUDCONTACT_TOKEN", TOKEN)
    return TOKEN


def arguments(store_path: Path, platform: FakePlatform, *extra: str) -> list[str]:
    return [
        "store",
        "sync",
        str(store_path),
        "--url",
        platform.url,
        "--campaign",
        CAMPAIGN.name,
        "--list",
        "Клиенты",
        *extra,
    ]


def exported(store_path: Path) -> bytes:
    with ccr.ResultsStore(store_path) as store:
        buffer = io.BytesIO()
        store.export(CAMPAIGN.name, buffer, DETAILED)
        return buffer.getvalue()


def test_sync_mirrors_the_list(
    store_path: Path, token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    records = many(12)
    with FakePlatform(CAMPAIGN, records) as platform:
        assert main(arguments(store_path, platform, "--page-size", "5")) == 0
        out = capsys.readouterr().out
        assert out == "Клиенты: 12 records in 3 pages; synced up to 2026-03-02T06:11:00.000 UTC\n"
        assert main(arguments(store_path, platform)) == 0
        # Again: only the record at the watermark comes back.
        assert capsys.readouterr().out == (
            "Клиенты: 1 record in 1 page; synced up to 2026-03-02T06:11:00.000 UTC\n"
        )
    assert exported(store_path) == expected_export(records)


def test_several_lists_and_key_columns(
    store_path: Path, token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [record(1, busy(1, minutes(1))), record(2, busy(2, minutes(2)), list_name="VIP")]
    with FakePlatform(CAMPAIGN, records) as platform:
        assert main([*arguments(store_path, platform, "--list", "VIP", "--key-column", "id")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["Клиенты", "VIP"]
    assert exported(store_path) == expected_export(records)


def test_the_token_comes_from_the_environment_only(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CLOUDCONTACT_TOKEN", raising=False)
    with FakePlatform(CAMPAIGN, many(2)) as platform:
        with pytest.raises(SystemExit) as missing:
            main(arguments(store_path, platform))
        assert missing.value.code == 2
        assert "environment variable CLOUDCONTACT_TOKEN" in capsys.readouterr().err
        with pytest.raises(SystemExit) as on_the_line:
            main(arguments(store_path, platform, "--token", TOKEN))
        assert on_the_line.value.code == 2
        capsys.readouterr()
        monkeypatch.setenv("MY_TOKEN", TOKEN)
        assert main(arguments(store_path, platform, "--token-env", "MY_TOKEN")) == 0
    assert platform.requests


def test_errors_are_one_line_without_the_token(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLOUDCONTACT_TOKEN", "wrong-" + TOKEN)
    with FakePlatform(CAMPAIGN, many(2)) as platform:
        assert main(arguments(store_path, platform)) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: http://127.0.0.1:")
    assert "HTTP 401: authentication failed" in err
    assert err.count("\n") == 1
    assert TOKEN not in err


def test_a_missing_store_or_campaign(
    store_path: Path, token: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakePlatform(CAMPAIGN) as platform:
        missing = tmp_path / "missing.sqlite"
        assert main(arguments(missing, platform)) == 1
        assert "does not exist" in capsys.readouterr().err
        assert not missing.exists()
        args = arguments(store_path, platform)
        args[args.index(CAMPAIGN.name)] = "Нет такой"
        assert main(args) == 1
        assert "campaign 'Нет такой'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra",
    [
        ["--page-size", "0"],
        ["--page-size", "1001"],
        ["--timeout", "0"],
        ["--tries", "0"],
        ["--since", "вчера"],
        ["--follow", "-1"],
    ],
)
def test_bad_options_are_usage_errors(store_path: Path, token: str, extra: list[str]) -> None:
    with FakePlatform(CAMPAIGN) as platform, pytest.raises(SystemExit) as caught:
        main(arguments(store_path, platform, *extra))
    assert caught.value.code == 2


@pytest.mark.slow
def test_a_server_error_mid_sync_then_a_rerun(
    store_path: Path, token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    records = many(20)
    with FakePlatform(CAMPAIGN, records) as platform:
        platform.fail(None, 502, 502)
        assert main(arguments(store_path, platform, "--page-size", "5", "--tries", "2")) == 1
        assert "gave up after 2 tries" in capsys.readouterr().err
        assert main(arguments(store_path, platform, "--page-size", "5")) == 0
    assert exported(store_path) == expected_export(records)


def test_since_restarts_from_a_moment(
    store_path: Path, token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakePlatform(CAMPAIGN, many(6)) as platform:
        assert main(arguments(store_path, platform)) == 0
        assert main(arguments(store_path, platform, "--since", "2026-03-02T09:03:00+03:00")) == 0
        asked = [body["fromTime"] for _, path, body in platform.requests if "getChanged" in path]
    assert asked[-1] == "2026-03-02T06:03:00.000"
    assert "3 records in 1 page" in capsys.readouterr().out.splitlines()[-1]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("since", "zone"),
    [
        # The one rule of every command: a naive time is in --timezone (Moscow by default).
        (["--since", "2026-03-02T09:03"], []),
        (["--since", "02.03.26 9:03"], []),
        (["--since", "02.03.2026 6:03"], ["--timezone", "utc"]),
        (["--since", "2026-03-02T01:03"], ["--timezone", "America/New_York"]),
    ],
)
def test_a_naive_since_is_read_in_the_time_zone(
    store_path: Path, token: str, since: list[str], zone: list[str]
) -> None:
    with FakePlatform(CAMPAIGN, many(6)) as platform:
        assert main(arguments(store_path, platform)) == 0
        assert main(arguments(store_path, platform, *since, *zone)) == 0
        asked = [body["fromTime"] for _, path, body in platform.requests if "getChanged" in path]
    assert asked[-1] == "2026-03-02T06:03:00.000"


def test_an_unknown_time_zone_of_since_is_a_usage_error(
    store_path: Path, token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakePlatform(CAMPAIGN) as platform, pytest.raises(SystemExit) as caught:
        main(arguments(store_path, platform, "--since", "02.03.26 9:03", "--timezone", "Moscow"))
    assert caught.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "cloudcontact-results store sync: error: --timezone: is not a known IANA time zone "
        "(did you mean 'Europe/Moscow', 'Europe/Monaco' or 'America/Moncton'?) (got 'Moscow')"
    )


# --- real processes ---------------------------------------------------------------------


def start(store_path: Path, platform: FakePlatform, *extra: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "CLOUDCONTACT_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "cloudcontact_results", *arguments(store_path, platform, *extra)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )


def changed_asked(platform: FakePlatform) -> int:
    return sum("getChanged" in path for _, path, _ in platform.requests)


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    opened = threading.Event()
    yield opened
    opened.set()


@pytest.mark.slow
def test_killed_while_waiting_for_an_answer_then_restarted(
    store_path: Path, gate: threading.Event
) -> None:
    records = many(40)
    with FakePlatform(CAMPAIGN, records) as platform:

        def hold_the_fourth_page(path: str) -> None:
            if "getChanged" in path and changed_asked(platform) == 4:
                gate.wait(30)

        platform.on_request = hold_the_fourth_page
        process = start(store_path, platform, "--page-size", "5")
        wait_for(lambda: changed_asked(platform) == 4)
        process.kill()
        process.communicate(timeout=30)
        assert process.returncode == -signal.SIGKILL
        gate.set()
        platform.on_request = None
        with ccr.ResultsStore(store_path) as store:
            stands = store.sync_watermark(CAMPAIGN.name, "Клиенты", platform.url)
        assert stands == minutes(12.5)  # three pages were stored: up to record 12
        rerun = start(store_path, platform, "--page-size", "5")
        _, err = rerun.communicate(timeout=60)
        assert (rerun.returncode, err) == (0, "")
    assert exported(store_path) == expected_export(records)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_killed_at_a_random_moment_then_restarted(store_path: Path, seed: int) -> None:
    records = many(60)
    with FakePlatform(CAMPAIGN, records) as platform:
        platform.on_request = lambda path: time.sleep(0.01)
        process = start(store_path, platform, "--page-size", "3")
        time.sleep(random.Random(seed).uniform(0.3, 1.5))  # noqa: S311
        process.kill()
        process.communicate(timeout=30)
        platform.on_request = None
        rerun = start(store_path, platform, "--page-size", "3")
        _, err = rerun.communicate(timeout=60)
        assert (rerun.returncode, err) == (0, "")
    assert exported(store_path) == expected_export(records)


@pytest.mark.slow
def test_follow_mirrors_a_running_campaign_until_interrupted(store_path: Path) -> None:
    records = many(5)
    with FakePlatform(CAMPAIGN, records) as platform:
        process = start(store_path, platform, "--follow", "0.1")
        try:
            wait_for(lambda: changed_asked(platform) >= 2)  # the first round is done
            new = record(7, busy(7, minutes(40)))
            platform.put(new)
            called_back = record(2, *records[2].attempts, busy(2, minutes(41)))
            platform.put(called_back)

            def mirrored() -> bool:
                with ccr.ResultsStore(store_path) as store:
                    stands = store.sync_watermark(CAMPAIGN.name, "Клиенты", platform.url)
                return stands == minutes(41)

            wait_for(mirrored)
        finally:
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert err == "interrupted\n"
    assert out.startswith("Клиенты: 5 records in 1 page;")
    expected = [*records[:2], called_back, *records[3:], new]
    assert exported(store_path) == expected_export(expected)


def test_plain_http_to_another_machine_is_a_usage_error_naming_the_flags(
    store_path: Path, token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    command = ["store", "sync", str(store_path), "--url", "http://example.com"]
    command += ["--campaign", CAMPAIGN.name, "--list", "Клиенты"]
    with pytest.raises(SystemExit) as exit_:
        main(command)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "cloudcontact-results store sync: error: --url: must be https: the access token "
        "would cross the network in clear text (--insecure-http allows it) "
        "(got 'http://example.com')"
    )
