"""``cloudcontact-results store ...``: the results store from the shell."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import cloudcontact_results as ccr
from cloudcontact_results.cli import main
from tests.support.delivery_servers import TOKEN, Webhook

NAME = "Продажи"
#: A UTC time as ``store serve`` starts its lines with it: ISO 8601 with ``Z``.
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
CAMPAIGN_LINES = [
    {
        "type": "campaign",
        "name": NAME,
        "lists": [
            {"name": "Клиенты", "columns": ["№", "Телефон"]},
            {"name": "VIP", "columns": ["№"]},
        ],
        "dispositions": [{"name": "Согласен", "code": "1", "final": True}],
    },
    {"type": "record", "id": "1", "list": "Клиенты", "fields": {"№": "1", "Телефон": "+7916"}},
    {"type": "record", "id": "2", "list": "Клиенты", "fields": {"№": "2"}},
    {"type": "record", "id": "v1", "list": "VIP", "fields": {"№": "v1"}},
]


def attempt_line(record: str, minute: int, **attempt: object) -> str:
    value = {
        "list": "Клиенты",
        "record": record,
        "attempt": {
            "phone": "+7916",
            "time": f"2026-03-02T10:{minute:02d}:00+03:00",
            "call_disposition": "No answer",
            **attempt,
        },
    }
    return json.dumps(value, ensure_ascii=False) + "\n"


@pytest.fixture
def campaign_file(tmp_path: Path) -> Path:
    path = tmp_path / "campaign.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in CAMPAIGN_LINES), encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path: Path, campaign_file: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "results.sqlite"
    assert main(["store", "load", str(path), str(campaign_file)]) == 0
    assert capsys.readouterr().out == f"{path}: campaign '{NAME}', 3 records loaded\n"
    return path


def test_load_creates_the_store_and_campaigns_lists_it(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["store", "campaigns", str(store)]) == 0
    assert capsys.readouterr().out == f"NAME     LISTS\n{NAME}  Клиенты, VIP\n"
    with ccr.ResultsStore(store) as opened:
        assert [r.id for r in opened.records(NAME)] == ["1", "2", "v1"]


def test_ingest_from_a_file_in_batches_then_again_adds_nothing(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        attempt_line("1", 1)
        + attempt_line("2", 2)
        + attempt_line("1", 3, call_disposition="Согласен", record_disposition="Согласен"),
        encoding="utf-8",
    )
    assert main(["store", "ingest", str(store), NAME, str(feed), "--batch", "2"]) == 0
    assert capsys.readouterr().out == f"{store}: 3 attempts read, 3 new\n"
    assert main(["store", "ingest", str(store), NAME, str(feed)]) == 0
    assert capsys.readouterr().out == f"{store}: 3 attempts read, 0 new\n"
    with ccr.ResultsStore(store) as opened:
        first = next(opened.records(NAME))
        assert [a.time.minute for a in first.attempts] == [1, 3]
        assert first.completing_attempt is first.attempts[1]


@pytest.mark.slow
def test_ingest_from_stdin_and_a_bad_line_names_it(store: Path) -> None:
    lines = attempt_line("1", 1) + attempt_line("нет", 2) + attempt_line("2", 3)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cloudcontact_results",
            "store",
            "ingest",
            str(store),
            NAME,
            "--batch",
            "1",
        ],
        input=lines,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == f"{store}: 1 attempts read, 1 new\n"
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ")
    assert "record 'нет'" in result.stderr


def test_ingest_reports_a_malformed_line_with_its_number(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(attempt_line("1", 1) + '{"list": "Клиенты", "record": "1"}\n', encoding="utf-8")
    assert main(["store", "ingest", str(store), NAME, str(feed)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "line 2" in err
    assert "attempt" in err


@pytest.mark.parametrize("report", ["simple", "detailed"])
def test_export_takes_every_option_of_export(
    store: Path, campaign_file: Path, tmp_path: Path, report: str
) -> None:
    options = [
        "--format",
        report,
        "--language",
        "ru",
        "--dialect",
        "excel-ru",
        "--lists",
        "Клиенты",
    ]
    options += ["--timezone", "UTC", "--no-guard", "--from", "01.03.26 0:00", "--to", "2026-04-01"]
    assert main(["store", "export", str(store), NAME, "-o", str(tmp_path / "a.csv"), *options]) == 0
    assert main(["export", str(campaign_file), "-o", str(tmp_path / "b.csv"), *options]) == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_export_bad_options_are_usage_errors(store: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(
            [
                "store",
                "export",
                str(store),
                NAME,
                "-o",
                str(tmp_path / "a.csv"),
                "--from",
                "2026-03-02",
                "--to",
                "2026-03-01",
            ]
        )
    assert exit_.value.code == 2


def test_unknown_campaign_and_missing_store_are_one_line_errors(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["store", "export", str(store), "Нет", "-o", str(tmp_path / "a.csv")]) == 1
    assert (
        capsys.readouterr().err
        == f"error: store '{store}': campaign 'Нет': the store holds no such campaign\n"
    )
    missing = tmp_path / "missing.sqlite"
    assert main(["store", "archives", str(missing), NAME]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert not missing.exists()


def test_remove_list_archives_and_save_archive_writes_the_zip(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["store", "remove-list", str(store), NAME, "VIP"]) == 0
    assert capsys.readouterr().out == "list 'VIP' removed; archive 1\n"
    assert main(["store", "archives", str(store), NAME]) == 0
    listing = capsys.readouterr().out
    assert "removed" in listing
    assert "VIP" in listing
    out = tmp_path / "archive.zip"
    assert main(["store", "save-archive", str(store), NAME, "1", "-o", str(out)]) == 0
    with ccr.ResultsStore(store) as opened:
        (archive,) = opened.archives(NAME)
        assert out.read_bytes() == opened.archive_bytes(archive)
    with zipfile.ZipFile(out) as zipped:
        assert json.loads(zipped.read("manifest.json"))["list"] == "VIP"
    assert main(["store", "save-archive", str(store), NAME, "7", "-o", str(out)]) == 1
    assert "archive 7" in capsys.readouterr().err


def test_delete_list_and_delete_campaign_which_asks_for_yes(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["store", "delete-list", str(store), "Клиенты"]) == 0
    assert capsys.readouterr().out == f"list 'Клиенты' deleted from '{NAME}'; archive 1\n"
    with pytest.raises(SystemExit) as exit_:
        main(["store", "delete-campaign", str(store), NAME])
    assert exit_.value.code == 2
    assert "--yes" in capsys.readouterr().err
    with ccr.ResultsStore(store) as opened:
        assert opened.campaign_names() == (NAME,)
    assert main(["store", "delete-campaign", str(store), NAME, "--yes"]) == 0
    with ccr.ResultsStore(store) as opened:
        assert opened.campaign_names() == ()


def test_load_with_replace_archives_the_reloaded_lists(
    store: Path, campaign_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["store", "load", str(store), str(campaign_file), "--replace"]) == 0
    capsys.readouterr()
    with ccr.ResultsStore(store) as opened:
        archives = opened.archives(NAME)
        assert [(a.list_name, a.reason) for a in archives] == [
            ("Клиенты", ccr.ArchiveReason.REPLACED),
            ("VIP", ccr.ArchiveReason.REPLACED),
        ]
        assert archives[0].created.tzinfo is dt.UTC
        data = opened.archive_bytes(archives[0])
    assert [row.record_id for row in ccr.read_report(io.BytesIO(data), member="detailed.csv")] == []


def test_load_sets_the_archive_options_flag_by_flag(
    store: Path, campaign_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load = ["store", "load", str(store), str(campaign_file)]
    assert main([*load, "--archive-language", "ru", "--archive-timezone", "Asia/Omsk"]) == 0
    # A later flag changes its option only; a load without any keeps them all.
    assert main([*load, "--archive-dialect", "excel-ru"]) == 0
    assert main(load) == 0
    capsys.readouterr()
    with ccr.ResultsStore(store) as opened:
        assert opened.archive_options(NAME) == ccr.ExportOptions(
            language="ru", timezone="Asia/Omsk", dialect="excel-ru"
        )
    assert main(["store", "remove-list", str(store), NAME, "VIP"]) == 0
    out = store.parent / "archive.zip"
    assert main(["store", "save-archive", str(store), NAME, "1", "-o", str(out)]) == 0
    with zipfile.ZipFile(out) as zipped:
        # SPEC section 5: the first Russian header of the detailed report, after the list's.
        assert zipped.read("detailed.csv").startswith("\ufeff№;Номер телефона;".encode())


def test_load_refuses_an_unknown_archive_time_zone_before_opening_the_store(
    tmp_path: Path, campaign_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.sqlite"
    command = ["store", "load", str(path), str(campaign_file), "--archive-timezone", "Mars/Base"]
    with pytest.raises(SystemExit) as exit_:
        main(command)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "cloudcontact-results store load: error: --archive-timezone: "
        "is not a known IANA time zone (did you mean 'Pacific/Marquesas'?) (got 'Mars/Base')"
    )
    assert not path.exists()


@pytest.mark.parametrize("flag", ["--archive-language", "--archive-dialect"])
def test_load_bad_archive_language_or_dialect_is_a_usage_error(
    tmp_path: Path, campaign_file: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["store", "load", str(tmp_path / "new.sqlite"), str(campaign_file), flag, "de"])
    assert exit_.value.code == 2
    assert flag in capsys.readouterr().err


# --- export jobs ------------------------------------------------------------------------------


def test_jobs_add_list_run_runs_and_remove(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    add = ["store", "jobs", "add", str(store), "hourly", NAME, "--schedule", "FREQ=HOURLY"]
    add += ["--start", "2026-03-02T00:00", "--timezone", "UTC", "--destination", str(out)]
    assert main([*add, "--format", "detailed-interval"]) == 0
    assert capsys.readouterr().out == "job 'hourly' added\n"
    assert main(["store", "jobs", "list", str(store), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {
            "name": "hourly",
            "campaign": NAME,
            "schedule": "FREQ=HOURLY",
            "start": "2026-03-02T00:00:00+00:00",
            "mode": "incremental",
            "format": "detailed-interval",
            "file_format": "csv",
            "destination": str(out),
        }
    ]

    feed = tmp_path / "feed.jsonl"
    feed.write_text(attempt_line("1", 1), encoding="utf-8")
    assert main(["store", "ingest", str(store), NAME, str(feed)]) == 0
    capsys.readouterr()
    # A naive --now is read in --timezone, Moscow by default: 13:30 there is 10:30 UTC.
    assert main(["store", "jobs", "run", str(store), "--now", "02.03.26 13:30"]) == 0
    ran = capsys.readouterr().out
    path = out / "hourly_20260302T100000Z.csv"
    assert ran == f"job 'hourly' due 2026-03-02T10:00:00Z (0, 1]: 1 rows -> {path}\n"
    now = ["--now", "2026-03-02T10:45", "--timezone", "UTC"]
    assert main(["store", "jobs", "run", str(store), *now]) == 0
    assert capsys.readouterr().out == ""
    assert main(["store", "jobs", "runs", str(store), "hourly", "--json"]) == 0
    (run,) = json.loads(capsys.readouterr().out)
    assert run == {
        "due": "2026-03-02T10:00:00Z",
        "after": 0,
        "up_to": 1,
        "rows": 1,
        "outcome": "ok",
        "bytes": path.stat().st_size,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "path": str(path),
        "error": None,
        "finished": run["finished"],
        "remote_url": None,
        "delivered_at": None,
        "delivery_attempts": 0,
        "delivery_error": None,
    }
    assert dt.datetime.fromisoformat(run["finished"]).tzinfo == dt.UTC
    assert run["finished"].endswith("Z")
    assert main(["store", "jobs", "runs", str(store), "hourly"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == [
        "DUE",
        "AFTER",
        "UP_TO",
        "ROWS",
        "OUTCOME",
        "BYTES",
        "SHA256",
        "PATH",
        "ERROR",
        "FINISHED",
        "REMOTE_URL",
        "DELIVERED_AT",
        "DELIVERY_ATTEMPTS",
        "DELIVERY_ERROR",
    ]
    assert table[1].split()[:5] == ["2026-03-02T10:00:00Z", "0", "1", "1", "ok"]

    assert main(["store", "jobs", "remove", str(store), "hourly"]) == 0
    assert main(["store", "jobs", "remove", str(store), "hourly"]) == 1
    assert "job 'hourly'" in capsys.readouterr().err


def test_jobs_add_a_webhook_destination_runs_delivers_and_shows_the_delivery(
    store: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(Path(__file__).parent / "tls" / "cert.pem"))
    monkeypatch.setenv("HOOK_TOKEN", TOKEN)
    with Webhook() as hook:
        add = ["store", "jobs", "add", str(store), "hook", NAME, "--schedule", "FREQ=HOURLY"]
        add += ["--start", "2026-03-02T00:00", "--timezone", "UTC", "--destination", hook.url]
        assert main([*add, "--token-variable", "HOOK_TOKEN", "--keep", "7d"]) == 0
        assert capsys.readouterr().out == "job 'hook' added\n"
        assert main(["store", "jobs", "list", str(store), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)[0]["destination"] == hook.url
        now = ["--now", "2026-03-02T10:30", "--timezone", "UTC"]
        hook.answers = [503]
        assert main(["store", "jobs", "run", str(store), *now]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: job 'hook', run due 2026-03-02T10:00:00Z")
        assert f"delivery to {hook.url}: POST {hook.url}: the webhook answered HTTP 503" in err
        assert TOKEN not in err
        assert main(["store", "jobs", "run", str(store), *now]) == 0  # delivers what is due
        assert main(["store", "jobs", "runs", str(store), "hook", "--json"]) == 0
    (run,) = json.loads(capsys.readouterr().out)
    assert run["remote_url"] == hook.url
    assert run["delivered_at"].endswith("Z")
    assert run["delivery_attempts"] == 2
    assert run["delivery_error"] is None
    ((_, body),) = hook.received.values()
    assert hashlib.sha256(body).hexdigest() == run["sha256"]


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--endpoint", "http://127.0.0.1:9000"], "--endpoint: is for a URL destination"),
        (["--keep", "3"], "--keep: prunes the local copies"),
        (["--keep", "soon"], "--keep: must be a count of files (5) or an age"),
    ],
)
def test_jobs_add_url_settings_with_a_folder_are_usage_errors(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], says: str
) -> None:
    add = ["store", "jobs", "add", str(store), "j", NAME, "--schedule", "FREQ=DAILY"]
    add += ["--start", "2026-03-01", "--destination", str(tmp_path), *flags]
    with pytest.raises(SystemExit) as exit_:
        main(add)
    assert exit_.value.code == 2
    assert says in capsys.readouterr().err.splitlines()[-1]


def test_jobs_add_a_url_with_a_password_is_refused_without_showing_it(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add = ["store", "jobs", "add", str(store), "j", NAME, "--schedule", "FREQ=DAILY"]
    add += ["--start", "2026-03-01", "--destination", "ftp://reports:Секрет-9@host/out"]
    with pytest.raises(SystemExit) as exit_:
        main(add)
    assert exit_.value.code == 2
    err = capsys.readouterr().err.splitlines()[-1]
    assert "--destination: holds a password" in err
    assert err.endswith("(got 'ftp://reports:***@host/out')")
    assert "Секрет-9" not in err


def test_jobs_run_reports_failures_one_line_each_and_exits_1(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add = ["store", "jobs", "add", str(store), "j", NAME, "--schedule", "FREQ=DAILY"]
    add += ["--start", "2026-03-01", "--destination", str(tmp_path / "missing")]
    (tmp_path / "missing").mkdir()
    assert main(add) == 0
    (tmp_path / "missing").rmdir()
    assert main(["store", "jobs", "run", str(store), "--now", "2026-03-02T12:00"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: job 'j', run due 2026-03-01T21:00:00Z")  # midnight in Moscow


@pytest.mark.parametrize("rule", ["FREQ=NEVER", "every day"])
def test_jobs_add_bad_rule_is_a_usage_error_of_schedule(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], rule: str
) -> None:
    add = ["store", "jobs", "add", str(store), "j", NAME, "--schedule", rule]
    add += ["--start", "2026-03-01", "--destination", str(tmp_path)]
    with pytest.raises(SystemExit) as exit_:
        main(add)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "cloudcontact-results store jobs add: error: --schedule: must be an RFC 5545 "
        f"recurrence rule such as FREQ=HOURLY or FREQ=DAILY;BYHOUR=6, not {rule!r}"
    )


def test_jobs_add_an_interval_to_an_incremental_job_is_a_usage_error(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add = ["store", "jobs", "add", str(store), "j", NAME, "--schedule", "FREQ=DAILY"]
    add += ["--start", "2026-03-01", "--destination", str(tmp_path), "--from", "2026-03-01"]
    with pytest.raises(SystemExit) as exit_:
        main(add)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "cloudcontact-results store jobs add: error: --from/--to: an incremental job takes "
        "no interval: each run covers what was ingested since the previous one"
    )
    # A full job exports that interval on each run.
    assert main([*add, "--full"]) == 0


def test_store_export_refuses_a_read_only_file_unless_forced(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "kept.csv"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o444)
    export = ["store", "export", str(store), NAME, "-o", str(out)]
    assert main(export) == 1
    assert capsys.readouterr().err == (
        f"error: destination '{out}': is read-only; pass --force to replace it\n"
    )
    assert out.read_text(encoding="utf-8") == "old"
    assert main([*export, "--force"]) == 0
    assert [row.fields["№"] for row in ccr.read_report(out)] == ["1", "2", "v1"]


@pytest.mark.slow
def test_serve_stops_on_sigterm_within_a_second_while_idle(store: Path, tmp_path: Path) -> None:
    add = ["store", "jobs", "add", str(store), "yearly", NAME, "--schedule", "FREQ=YEARLY"]
    add += ["--start", "2099-01-01", "--destination", str(tmp_path)]
    assert main(add) == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "cloudcontact_results", "store", "serve", str(store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert process.stdout is not None
    assert re.fullmatch(rf"{STAMP} serving {re.escape(str(store))}\n", process.stdout.readline())
    time.sleep(0.3)  # idle: asleep until 2099
    asked = time.monotonic()
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=10)
    assert time.monotonic() - asked < 1.0
    assert process.returncode == 0, err
    assert re.fullmatch(rf"{STAMP} stopped\n", out.splitlines(keepends=True)[-1])


def test_export_writes_workbooks_and_parquet_files(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    pytest.importorskip("xlsxwriter")
    pytest.importorskip("openpyxl")
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        attempt_line("1", 1, phone="0079160000001", ani="+74950000000", action_applied="Retry")
        + attempt_line("2", 2, phone="+79160000002", note="=1+1")
        + attempt_line("1", 3, call_disposition="Согласен", answered_duration=30),
        encoding="utf-8",
    )
    assert main(["store", "ingest", str(store), NAME, str(feed)]) == 0
    options = ["--format", "detailed", "--layout", "5.x", "--language", "ru"]
    export = ["store", "export", str(store), NAME, "-o"]
    assert main([*export, str(tmp_path / "a.csv"), *options]) == 0
    # The option names the format whatever the suffix; the suffix gives the default.
    assert main([*export, str(tmp_path / "a.out"), "--file-format", "xlsx", *options]) == 0
    assert main([*export, str(tmp_path / "a.parquet"), *options]) == 0
    assert main([*export, str(tmp_path / "b.txt"), "--file-format", "csv", *options]) == 0
    with pytest.raises(SystemExit) as exit_:  # a flag the suffix contradicts
        main([*export, str(tmp_path / "b.xlsx"), "--file-format", "csv", *options])
    assert exit_.value.code == 2
    printed = capsys.readouterr().out
    assert "a.parquet" in printed
    assert "a.out" in printed

    expected = list(ccr.read_report(tmp_path / "a.csv", timezone="Europe/Moscow"))
    assert len(expected) == 3
    assert [row.ani for row in expected] == ["+74950000000", "", ""]
    workbook = ccr.read_report(tmp_path / "a.out", timezone="Europe/Moscow")
    assert workbook.file_format is ccr.FileFormat.XLSX
    assert list(workbook) == expected
    assert (tmp_path / "b.txt").read_bytes() == (tmp_path / "a.csv").read_bytes()
    assert not (tmp_path / "b.xlsx").exists()

    frame = ccr.read_report(tmp_path / "a.csv", timezone="Europe/Moscow").to_pandas()
    parquet = pd.read_parquet(tmp_path / "a.parquet")
    pd.testing.assert_frame_equal(parquet, frame, check_categorical=False)
    assert list(parquet["this_phone_number"]) == ["0079160000001", "+7916", "+79160000002"]


def test_export_a_zipped_workbook_is_a_usage_error(store: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["store", "export", str(store), NAME, "-o", str(tmp_path / "a.xlsx"), "--zip"])
    assert exit_.value.code == 2
    assert not (tmp_path / "a.xlsx").exists()


def test_a_job_writes_the_file_format_it_was_given(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("openpyxl")
    pytest.importorskip("xlsxwriter")
    out = tmp_path / "out"
    out.mkdir()
    add = ["store", "jobs", "add", str(store), "sheet", NAME, "--schedule", "FREQ=HOURLY"]
    add += ["--start", "2026-03-02T00:00", "--timezone", "UTC", "--destination", str(out)]
    assert main([*add, "--format", "detailed-interval", "--file-format", "xlsx"]) == 0
    feed = tmp_path / "feed.jsonl"
    feed.write_text(attempt_line("1", 1, phone="0079160000001"), encoding="utf-8")
    assert main(["store", "ingest", str(store), NAME, str(feed)]) == 0
    capsys.readouterr()
    assert main(["store", "jobs", "run", str(store), "--now", "2026-03-02T10:30Z"]) == 0
    path = out / "sheet_20260302T100000Z.xlsx"
    assert f"1 rows -> {path}" in capsys.readouterr().out
    report = ccr.read_report(path)
    assert report.file_format is ccr.FileFormat.XLSX
    assert [row.this_phone_number for row in report] == ["0079160000001"]  # type: ignore[union-attr]


# --- listings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "empty"),
    [
        (["campaigns"], "no campaigns in store {store}\n"),
        (["archives", NAME], f"no archives of campaign '{NAME}' in store {{store}}\n"),
        (["jobs", "list"], "no export jobs in store {store}\n"),
    ],
)
def test_an_empty_listing_says_so_and_its_json_is_an_empty_array(
    store: Path, capsys: pytest.CaptureFixture[str], command: list[str], empty: str
) -> None:
    if command == ["campaigns"]:
        assert main(["store", "delete-campaign", str(store), NAME, "--yes"]) == 0
        capsys.readouterr()
    group, rest = (command[:-1], command[-1:]) if command[0] == "jobs" else ([], command)
    argv = ["store", *group, rest[0], str(store), *rest[1:]]
    assert main(argv) == 0
    assert capsys.readouterr().out == empty.format(store=store)
    assert main([*argv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_runs_of_a_job_that_never_ran(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add = ["store", "jobs", "add", str(store), "j", NAME, "--schedule", "FREQ=DAILY"]
    assert main([*add, "--start", "2026-03-01", "--destination", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["store", "jobs", "runs", str(store), "j"]) == 0
    assert capsys.readouterr().out == "no runs of job 'j' yet\n"


def test_campaigns_and_archives_as_tables_and_json(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["store", "remove-list", str(store), NAME, "VIP"]) == 0
    capsys.readouterr()
    assert main(["store", "campaigns", str(store), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"name": NAME, "lists": ["Клиенты"]}]

    assert main(["store", "archives", str(store), NAME, "--json"]) == 0
    (archive,) = json.loads(capsys.readouterr().out)
    with ccr.ResultsStore(store) as opened:
        (kept,) = opened.archives(NAME)
    assert archive == {
        "id": kept.id,
        "created": kept.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "reason": "removed",
        "list": "VIP",
        "records": 1,
        "attempts": 0,
        "bytes": kept.size,
        "file": kept.file_name,
        "remote_url": "",  # the campaign has no archive destination
        "delivered_at": "",
        "delivery_attempts": 0,
        "delivery_error": "",
    }
    assert main(["store", "archives", str(store), NAME]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split() == [
        "ID",
        "CREATED",
        "REASON",
        "LIST",
        "RECORDS",
        "ATTEMPTS",
        "BYTES",
        "FILE",
        "REMOTE_URL",
        "DELIVERED_AT",
        "DELIVERY_ATTEMPTS",
        "DELIVERY_ERROR",
    ]
    assert row.split() == [
        str(kept.id),
        archive["created"],
        "removed",
        "VIP",
        "1",
        "0",
        str(kept.size),
        kept.file_name,
        "0",
    ]


def test_json_listings_escape_what_a_terminal_would_act_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "Кампания \u202eевил\x1b]0;x\x07"
    lines = [{**CAMPAIGN_LINES[0], "name": name}]
    source = tmp_path / "c.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    store = tmp_path / "s.sqlite"
    assert main(["store", "load", str(store), str(source)]) == 0
    capsys.readouterr()
    assert main(["store", "campaigns", str(store), "--json"]) == 0
    out = capsys.readouterr().out
    assert all(c.isprintable() or c == "\n" for c in out)
    assert json.loads(out)[0]["name"] == name
    assert main(["store", "campaigns", str(store)]) == 0
    assert "\x1b" not in capsys.readouterr().out


# --- archive delivery and pruning -------------------------------------------------------------


def test_load_sets_the_archive_destination_and_archives_shows_the_delivery(
    store: Path, campaign_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "delivered"
    out.mkdir()
    load = ["store", "load", str(store), str(campaign_file)]
    assert main([*load, "--archive-destination", str(out)]) == 0
    assert main(load) == 0  # a load without it keeps it
    assert main(["store", "remove-list", str(store), NAME, "VIP"]) == 0
    capsys.readouterr()
    assert main(["store", "archives", str(store), NAME, "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["remote_url"] == str(out / row["file"])
    assert row["delivered_at"]
    assert row["delivery_attempts"] == 1
    assert row["delivery_error"] == ""
    with ccr.ResultsStore(store) as opened:
        (archive,) = opened.archives(NAME)
        assert (out / row["file"]).read_bytes() == opened.archive_bytes(archive)
    assert main(["store", "deliver-archives", str(store)]) == 0
    assert capsys.readouterr().out == ""


def test_load_takes_a_url_with_its_settings_and_refuses_settings_without_one(
    store: Path, campaign_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load = ["store", "load", str(store), str(campaign_file)]
    hook = "https://hooks.example.com/archives"
    assert main([*load, "--archive-destination", hook, "--token-variable", "HOOK_TOKEN"]) == 0
    with ccr.ResultsStore(store) as opened:
        assert opened.archive_destination(NAME) == ccr.Remote(
            hook,
            token_variable="HOOK_TOKEN",  # noqa: S106 - a variable's name
        )
    for flags in (["--token-variable", "T"], ["--archive-destination", ".", "--endpoint", "x"]):
        with pytest.raises(SystemExit) as exit_:
            main([*load, *flags])
        assert exit_.value.code == 2
        assert "--" in capsys.readouterr().err
    assert main([*load, "--archive-destination", "ftp://u:hunter2@h/o"]) == 1
    error = capsys.readouterr().err
    assert "password" in error
    assert "hunter2" not in error


def test_deliver_archives_names_each_failure_and_exits_1(
    store: Path, campaign_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "delivered"
    out.mkdir()
    assert (
        main(["store", "load", str(store), str(campaign_file), "--archive-destination", str(out)])
        == 0
    )
    out.rmdir()
    assert main(["store", "remove-list", str(store), NAME, "VIP"]) == 0
    capsys.readouterr()
    assert main(["store", "deliver-archives", str(store)]) == 1
    assert capsys.readouterr().err.startswith("error: archive 1, file ")
    out.mkdir()
    assert main(["store", "deliver-archives", str(store)]) == 0
    assert capsys.readouterr().out == f"archive 1 delivered to {out / next(out.iterdir()).name}\n"


def test_prune_archives_keeps_the_last_of_each_list_and_saves_first(
    store: Path, campaign_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(3):
        assert main(["store", "load", str(store), str(campaign_file), "--replace"]) == 0
    import sqlite3  # noqa: PLC0415

    with sqlite3.connect(store) as connection:
        connection.execute("UPDATE archives SET created = created - 86400000000 * 40")
    saved = tmp_path / "saved"
    saved.mkdir()
    capsys.readouterr()
    prune = ["store", "prune-archives", str(store), NAME, "--older-than", "30d"]
    assert main([*prune, "--save-to", str(saved)]) == 0
    out = capsys.readouterr().out
    assert out.endswith("4 archives removed\n")
    with ccr.ResultsStore(store) as opened:
        assert [a.list_name for a in opened.archives(NAME)] == ["Клиенты", "VIP"]
    assert len(list(saved.iterdir())) == 4
    assert main(["store", "prune-archives", str(store), "--older-than", "1d"]) == 0
    assert capsys.readouterr().out == "0 archives removed\n"
    with pytest.raises(SystemExit) as exit_:
        main(["store", "prune-archives", str(store), "--older-than", "soon"])
    assert exit_.value.code == 2
