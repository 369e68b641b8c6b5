"""The command line, driven as a user drives it: ``python -m cloudcontact_results``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import cloudcontact_results as ccr
from cloudcontact_results.cli import main

# The command line reads naive --from/--to in --timezone, like the options do.
NAIVE_START = dt.datetime(2026, 3, 3, 9)  # noqa: DTZ001
NAIVE_END = dt.datetime(2026, 3, 4, 18, 30)  # noqa: DTZ001
DEMO_FILES = ("simple.csv", "detailed.csv", "detailed.zip", "simple-excel-ru.csv")


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cloudcontact_results", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = run("demo", "--out", out, "--records", "60", "--seed", "7")
    assert result.returncode == 0, result.stderr
    return out


# --- demo -------------------------------------------------------------------------


@pytest.mark.slow
def test_demo_writes_readable_exports_and_says_what_it_wrote(demo_dir: Path) -> None:
    listing = run("demo", "--out", demo_dir, "--records", "60", "--seed", "7").stdout

    for name in (*DEMO_FILES, "campaign.jsonl"):
        path = demo_dir / name
        line = next(line for line in listing.splitlines() if line.startswith(str(path)))
        assert f"{path.stat().st_size} bytes" in line
    for name in DEMO_FILES:
        report = ccr.read_report(demo_dir / name)
        rows = list(report)
        assert rows
        assert f"{len(rows)} rows" in listing.splitlines()[DEMO_FILES.index(name)]
    assert ccr.read_report(demo_dir / "simple-excel-ru.csv").language is ccr.Language.RU
    assert ccr.read_report(demo_dir / "detailed.zip").format is ccr.ReportFormat.DETAILED


def test_demo_files_match_the_python_api(demo_dir: Path) -> None:
    campaign, records = ccr.demo_campaign(60, seed=7)
    expected = io.BytesIO()
    ccr.export(campaign, records, expected, ccr.ExportOptions(format="detailed"))

    assert (demo_dir / "detailed.csv").read_bytes() == expected.getvalue()
    loaded, loaded_records = ccr.load_campaign(demo_dir / "campaign.jsonl")
    assert loaded == campaign
    assert list(loaded_records) == list(ccr.demo_campaign(60, seed=7)[1])


def test_demo_is_reproducible(demo_dir: Path, tmp_path: Path) -> None:
    assert run("demo", "--out", tmp_path, "--records", "60", "--seed", "7").returncode == 0

    for name in (*DEMO_FILES, "campaign.jsonl"):
        assert (tmp_path / name).read_bytes() == (demo_dir / name).read_bytes(), name


# --- export -----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("flags", "options"),
    [
        ([], ccr.ExportOptions()),
        (
            ["--format", "detailed", "--language", "ru", "--dialect", "excel-ru"],
            ccr.ExportOptions(format="detailed", language="ru", dialect="excel-ru"),
        ),
        (
            [
                "--format",
                "detailed-interval",
                "--from",
                "03.03.26 9:00",
                "--to",
                "2026-03-04T18:30",
                "--timezone",
                "Asia/Yekaterinburg",
            ],
            ccr.ExportOptions(
                format="detailed-interval",
                interval=(NAIVE_START, NAIVE_END),
                timezone="Asia/Yekaterinburg",
            ),
        ),
        (
            [
                "--lists",
                "Повторный обзвон (превью)",
                "--dispositions",
                "Согласен",
                "--dispositions",
                "Нет ответа",
            ],
            ccr.ExportOptions(
                lists=["Повторный обзвон (превью)"], dispositions=["Согласен", "No answer"]
            ),
        ),
        (["--no-guard"], ccr.ExportOptions(formula_guard=False)),
    ],
)
def test_export_gives_the_bytes_of_the_python_api(
    demo_dir: Path, tmp_path: Path, flags: list[str], options: ccr.ExportOptions
) -> None:
    out = tmp_path / "out.csv"

    result = run("export", demo_dir / "campaign.jsonl", *flags, "-o", out)

    assert result.returncode == 0, result.stderr
    expected = io.BytesIO()
    campaign, records = ccr.load_campaign(demo_dir / "campaign.jsonl")
    written = ccr.export(campaign, records, expected, options)
    assert out.read_bytes() == expected.getvalue()
    assert f"{written.rows} rows" in result.stdout
    assert result.stderr == ""  # no progress when stderr is not a terminal


@pytest.mark.slow
def test_export_zip_and_stdout(demo_dir: Path, tmp_path: Path) -> None:
    zipped = tmp_path / "out.zip"
    assert run("export", demo_dir / "campaign.jsonl", "--zip", "-o", zipped).returncode == 0
    assert len(list(ccr.read_report(zipped))) == 60

    campaign = demo_dir / "campaign.jsonl"
    piped = subprocess.run(
        [sys.executable, "-m", "cloudcontact_results", "export", "-o", "-", campaign],
        capture_output=True,
        check=True,
        timeout=120,
    )
    assert piped.stdout == (demo_dir / "simple.csv").read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("flags", "name", "file_format"),
    [
        (["--file-format", "xlsx"], "out.bin", "xlsx"),
        ([], "out.xlsx", "xlsx"),
        (["--file-format", "parquet"], "out.bin", "parquet"),
        ([], "out.parquet", "parquet"),
        (["--file-format", "csv"], "out.txt", "csv"),
        ([], "out.txt", "csv"),
    ],
)
def test_export_file_format_by_flag_or_suffix(
    demo_dir: Path, tmp_path: Path, flags: list[str], name: str, file_format: str
) -> None:
    out = tmp_path / name
    result = run("export", demo_dir / "campaign.jsonl", "--format", "detailed", *flags, "-o", out)
    assert result.returncode == 0, result.stderr
    campaign, records = ccr.load_campaign(demo_dir / "campaign.jsonl")
    rows = list(ccr.detailed_rows(campaign, records, ccr.ExportOptions(format="detailed")))
    assert f"{len(rows)} rows" in result.stdout
    if file_format == "parquet":
        import pyarrow.parquet as pq  # noqa: PLC0415  # the test extra has it

        assert pq.read_table(out).num_rows == len(rows)
        return
    report = ccr.read_report(out)
    assert report.file_format is ccr.FileFormat(file_format)
    assert len(list(report)) == len(rows)
    if file_format == "xlsx":
        inspected = run("inspect", out)
        assert inspected.returncode == 0, inspected.stderr
        assert "dialect:  workbook, sheet 'Detailed report'" in inspected.stdout
        assert f"rows:     {len(rows)}" in inspected.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("flags", "name"),
    [(["--file-format", "csv"], "out.xlsx"), (["--file-format", "xlsx"], "out.zip")],
)
def test_a_file_format_the_suffix_contradicts_is_a_usage_error(
    demo_dir: Path, tmp_path: Path, flags: list[str], name: str
) -> None:
    result = run("export", demo_dir / "campaign.jsonl", *flags, "-o", tmp_path / name)
    assert result.returncode == 2
    last = result.stderr.splitlines()[-1]
    assert last.startswith(
        "cloudcontact-results export: error: --file-format: conflicts with the destination '"
    )
    assert last.endswith(f"(leave --file-format unset, or change the suffix) (got '{flags[1]}')")
    assert name in last
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_zip_suffix_writes_a_zip_without_the_flag(demo_dir: Path, tmp_path: Path) -> None:
    assert (
        run("export", demo_dir / "campaign.jsonl", "-o", tmp_path / "out.csv.zip").returncode == 0
    )
    assert zipfile.is_zipfile(tmp_path / "out.csv.zip")


def test_zip_with_another_file_format_is_a_usage_error(demo_dir: Path, tmp_path: Path) -> None:
    result = run("export", demo_dir / "campaign.jsonl", "--zip", "-o", tmp_path / "out.xlsx")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "cloudcontact-results export: error: --zip: conflicts with the destination "
        f"'{tmp_path / 'out.xlsx'}', whose suffix names a xlsx file; a xlsx file is "
        "compressed already, --zip applies to CSV only (leave --zip unset, or change the suffix)"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_an_open_interval_side_is_unbounded(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "late.csv"

    result = run("export", demo_dir / "campaign.jsonl", "--from", "04.03.26 0:00", "-o", out)

    assert result.returncode == 0, result.stderr
    times = [row.last_call_time for row in ccr.read_report(out)]
    assert times
    assert all(t is not None and t >= dt.datetime(2026, 3, 3, 21, tzinfo=dt.UTC) for t in times)


# --- inspect ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", DEMO_FILES)
def test_inspect_prints_format_language_rows_and_summary(demo_dir: Path, name: str) -> None:
    report = ccr.read_report(demo_dir / name)
    rows = len(list(report))

    result = run("inspect", demo_dir / name)

    assert result.returncode == 0, result.stderr
    assert f"format:   {report.format.value}" in result.stdout
    assert f"language: {report.language.value}" in result.stdout
    assert f"rows:     {rows}" in result.stdout
    assert str(report.summary()) in result.stdout


@pytest.mark.slow
def test_inspect_with_repeated_script_fields(tmp_path: Path) -> None:
    campaign = ccr.Campaign(
        "C", [ccr.CallingList("L", ["Телефон"])], [ccr.ScriptField("comment")] * 2
    )
    record = ccr.Record("1", "L", {"Телефон": "1"})
    path = tmp_path / "r.csv"
    ccr.export(campaign, [record], path)

    assert run("inspect", path).returncode == 1
    result = run("inspect", path, "--script-fields", "comment", "--script-fields", "comment")
    assert result.returncode == 0, result.stderr
    assert "rows:     1" in result.stdout


# --- errors -----------------------------------------------------------------------


def _campaign_line(demo_dir: Path) -> str:
    with (demo_dir / "campaign.jsonl").open(encoding="utf-8") as handle:
        return handle.readline()


LIST = "Список клиентов (моб тлф)"


def _record_line(**attempt: str) -> str:
    attempt = {"phone": "1", "time": "2026-03-02T09:00:00+03:00", **attempt}
    return json.dumps({"type": "record", "id": "9", "list": LIST, "attempts": [attempt]})


@pytest.mark.slow
@pytest.mark.parametrize(
    ("record_line", "fragment"),
    [
        ("{oops", "line 3: not valid JSON"),
        (json.dumps({"type": "record", "list": LIST}), "line 3, column 'id': is missing"),
        (_record_line(time="9:00"), "line 3, column 'attempts[0].time'"),
        (_record_line(call_disposition="Ура"), "line 3, column 'attempts[0].call_disposition'"),
    ],
)
def test_bad_json_lines_exit_1_naming_line_and_field(
    demo_dir: Path, tmp_path: Path, record_line: str, fragment: str
) -> None:
    source = tmp_path / "bad.jsonl"
    first = _campaign_line(demo_dir)
    good = json.dumps({"type": "record", "id": "1", "list": LIST})
    source.write_text(first + good + "\n" + record_line + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"

    result = run("export", source, "-o", out)

    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {source}: ")
    assert fragment in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not out.exists()  # a failed export leaves no partial file


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["export", "missing.jsonl", "-o", "x.csv"],
        ["inspect", "missing.csv"],
        ["inspect", "."],
    ],
)
def test_unreadable_input_exits_1(tmp_path: Path, args: list[str]) -> None:
    result = run(*args, cwd=tmp_path)

    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_file_that_is_not_a_report_exits_1(demo_dir: Path) -> None:
    result = run("inspect", demo_dir / "campaign.jsonl")

    assert result.returncode == 1
    assert "line 1" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        [],
        ["frobnicate"],
        ["export", "c.jsonl", "-o", "x.csv", "--colour"],
        ["export", "c.jsonl", "-o", "x.csv", "--format", "daily"],
        ["export", "c.jsonl", "-o", "x.csv", "--from", "yesterday"],
        ["export", "c.jsonl", "-o", "x.csv", "--from", "32.03.26 9:00"],
        ["export", "c.jsonl", "-o", "x.csv", "--from", "05.03.26 9:00", "--to", "01.03.26 9:00"],
        ["export", "c.jsonl", "-o", "x.csv", "--language", "de"],
        ["export", "c.jsonl"],
        ["demo"],
        ["demo", "--out", "d", "--records", "-5"],
    ],
)
def test_bad_usage_exits_2(tmp_path: Path, args: list[str]) -> None:
    result = run(*args, cwd=tmp_path)

    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.csv").exists()


def test_main_returns_the_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(tmp_path / "none.jsonl"), "-o", str(tmp_path / "x.csv")]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: cannot open ")
    assert "none.jsonl': No such file or directory" in error


def test_records_are_read_lazily_while_exporting(demo_dir: Path, tmp_path: Path) -> None:
    lines = (demo_dir / "campaign.jsonl").read_text(encoding="utf-8").splitlines()
    broken = [*lines[:5], "{", *lines[5:]]
    source = tmp_path / "late-error.jsonl"
    source.write_text("\n".join(broken), encoding="utf-8")

    result = run("export", source, "-o", tmp_path / "x.csv")

    assert result.returncode == 1
    assert "line 6" in result.stderr
    assert json.loads(lines[0])["type"] == "campaign"


# --- inspect: zone, Parquet, date-time format, bad lines ------------------------------


@pytest.mark.slow
def test_inspect_prints_the_zone_it_read_in(demo_dir: Path) -> None:
    assert "timezone: Europe/Moscow\n" in run("inspect", demo_dir / "simple.csv").stdout
    omsk = run("inspect", demo_dir / "simple.csv", "--timezone", "Asia/Omsk")
    assert omsk.returncode == 0, omsk.stderr
    assert "timezone: Asia/Omsk\n" in omsk.stdout


@pytest.mark.slow
def test_inspect_reads_the_parquet_file_export_writes(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "detailed.parquet"
    assert (
        run("export", demo_dir / "campaign.jsonl", "--format", "detailed", "-o", out).returncode
        == 0
    )

    result = run("inspect", out)

    assert result.returncode == 0, result.stderr
    expected = ccr.read_report(demo_dir / "detailed.csv")
    lines = result.stdout.splitlines()
    assert lines[:6] == [
        f"file:     {out}",
        "format:   detailed",
        "language: en",
        "dialect:  Parquet file",
        "timezone: Europe/Moscow",
        f"rows:     {len(list(expected))}",
    ]
    assert str(expected.summary()) in result.stdout


@pytest.mark.slow
def test_inspect_with_a_datetime_format(demo_dir: Path, tmp_path: Path) -> None:
    campaign, records = ccr.load_campaign(demo_dir / "campaign.jsonl")
    path = tmp_path / "odd-times.csv"
    ccr.export(campaign, records, path, ccr.ExportOptions(datetime_format="%H:%M:%S %d/%m/%Y"))

    assert run("inspect", path).returncode == 1
    result = run("inspect", path, "--datetime-format", "%H:%M:%S %d/%m/%Y")
    assert result.returncode == 0, result.stderr
    assert "rows:     60\n" in result.stdout


@pytest.mark.slow
def test_inspect_skips_or_collects_bad_lines(demo_dir: Path, tmp_path: Path) -> None:
    text = (demo_dir / "simple.csv").read_text(encoding="utf-8")
    table = list(csv.reader(io.StringIO(text, newline="")))
    # Line 3 of the file: its Total attempts cell (SPEC section 5: a count) is no number.
    table[2][table[0].index("Total attempts (per rec)")] = "many"
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(table)
    collected = ccr.read_report(path, errors="collect")
    rows = len(list(collected))
    (error,) = collected.errors

    stopped = run("inspect", path)
    assert stopped.returncode == 1
    assert stopped.stderr == f"error: {path}: {error}\n"
    skipped = run("inspect", path, "--errors", "skip")
    assert skipped.returncode == 0, skipped.stderr
    assert f"rows:     {rows}\n" in skipped.stdout
    assert "dropped" not in skipped.stdout
    listed = run("inspect", path, "--errors", "collect")
    assert listed.returncode == 0, listed.stderr
    assert f"rows:     {rows}\ndropped:  1 bad lines (listed below)\n" in listed.stdout
    assert listed.stdout.endswith(f"\nerror: {error}\n")
    assert str(error).startswith("line 3, column 'Total attempts (per rec)'")
    assert rows == 59


def test_repeated_options_leave_the_positional_argument_alone(
    demo_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "two.csv"
    campaign = demo_dir / "campaign.jsonl"
    lists = [calling_list.name for calling_list in ccr.load_campaign(campaign)[0].lists]

    result = run("export", "--lists", lists[0], "--lists", lists[1], campaign, "-o", out)

    assert result.returncode == 0, result.stderr
    assert {row.list_name for row in ccr.read_report(out)} == set(lists[:2])
