"""The command line in the user's words: errors name flags, help shows defaults, one line always.

Each message is asserted in full: what the user reads is the contract.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

import cloudcontact_results as ccr
from cloudcontact_results._cli.main import _parser
from cloudcontact_results.cli import main

from .support import cli_reference

ROOT = Path(__file__).resolve().parent.parent
PROG = "cloudcontact-results"


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("campaign") / "campaign.jsonl"
    ccr.dump_campaign(*ccr.demo_campaign(20, seed=3), path)
    return path


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    """The error line of a usage error (exit 2, after argparse's usage of the sub-command)."""
    with pytest.raises(SystemExit) as exit_:
        main([str(arg) for arg in argv])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: ")
    assert "Traceback" not in err
    return err.splitlines()[-1]


# --- errors name the flag -----------------------------------------------------------


def test_an_unknown_time_zone_names_the_flag(
    campaign: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.csv"
    assert usage_error(capsys, "export", campaign, "-o", out, "--timezone", "Moscow") == (
        f"{PROG} export: error: --timezone: is not a known IANA time zone "
        "(did you mean 'Europe/Moscow', 'Europe/Monaco' or 'America/Moncton'?) (got 'Moscow')"
    )
    assert not out.exists()


def test_zip_with_a_workbook_names_both_flags(
    campaign: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.bin"
    line = usage_error(capsys, "export", campaign, "-o", out, "--zip", "--file-format", "xlsx")
    assert line == (
        f"{PROG} export: error: --zip: a xlsx file is compressed already; --zip applies to CSV only"
    )
    assert not out.exists()


def test_a_bound_no_time_zone_can_show_is_a_usage_error_of_from_to(
    campaign: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # SPEC section 6: naive bounds are read in the export time zone; year 1 east of UTC
    # is before the first datetime.
    line = usage_error(
        capsys, "export", campaign, "-o", tmp_path / "x.csv", "--from", "0001-01-01T00:00"
    )
    assert line == f"{PROG} export: error: --from/--to: is out of the range of date-times"


def test_argparse_errors_name_the_flag_the_same_way(
    campaign: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = usage_error(capsys, "export", campaign, "-o", tmp_path / "x.csv", "--from", "yesterday")
    assert line == (
        f"{PROG} export: error: --from: 'yesterday' is neither DD.MM.YY H:mm (01.03.26 9:00) "
        "nor ISO 8601 (2026-03-01T09:00)"
    )


def test_inspect_names_its_time_zone_flag(
    campaign: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert usage_error(capsys, "inspect", campaign, "--timezone", "Moscow") == (
        f"{PROG} inspect: error: --timezone: is not a known IANA time zone "
        "(did you mean 'Europe/Moscow', 'Europe/Monaco' or 'America/Moncton'?) (got 'Moscow')"
    )


def test_bad_data_stays_a_one_line_failure(
    campaign: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A field error from a file (not from a flag) is bad data: exit 1, no usage.
    bad = tmp_path / "bad.jsonl"
    first = campaign.read_text(encoding="utf-8").splitlines()[0]
    record = {"type": "record", "id": "9", "list": "Нет такого"}
    bad.write_text(first + "\n" + json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["export", str(bad), "-o", str(tmp_path / "x.csv")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}: line 2")
    assert err.count("\n") == 1


# --- a missing optional dependency ----------------------------------------------------

#: Runs the command in a process where ``sys.argv[1]`` (comma-separated modules) cannot be
#: imported, as on a machine without the extra.
WITHOUT = textwrap.dedent(
    """
    import sys
    for name in sys.argv.pop(1).split(","):
        sys.modules[name] = None  # import raises ModuleNotFoundError, as when not installed
    from cloudcontact_results.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def run_without(modules: str, *argv: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT, modules, *map(str, argv)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("modules", "suffix", "expected"),
    [
        (
            "xlsxwriter",
            "xlsx",
            (
                "error: writing an Excel workbook needs xlsxwriter, which is not installed: "
                'pip install "cloudcontact-results[xlsx]"\n'
            ),
        ),
        (
            "pyarrow,pyarrow.parquet",
            "parquet",
            (
                "error: reading or writing a Parquet file needs pyarrow, which is not installed: "
                'pip install "cloudcontact-results[arrow]"\n'
            ),
        ),
    ],
)
def test_export_without_its_extra_says_what_to_install(
    campaign: Path, tmp_path: Path, modules: str, suffix: str, expected: str
) -> None:
    out = tmp_path / f"x.{suffix}"

    result = run_without(modules, "export", campaign, "-o", out)

    assert (result.returncode, result.stderr) == (1, expected)
    assert not out.exists()


def test_inspect_of_a_workbook_without_either_reader_says_what_to_install(
    campaign: Path, tmp_path: Path
) -> None:
    workbook = tmp_path / "x.xlsx"
    assert main(["export", str(campaign), "-o", str(workbook)]) == 0

    # Either reader reads it (calamine without openpyxl, openpyxl without calamine).
    assert run_without("openpyxl", "inspect", workbook).returncode == 0
    result = run_without("openpyxl,python_calamine", "inspect", workbook)

    assert (result.returncode, result.stderr) == (
        1,
        (
            "error: reading an Excel workbook needs openpyxl, which is not installed: "
            'pip install "cloudcontact-results[xlsx]"\n'
        ),
    )


def test_inspect_of_a_parquet_file_without_pyarrow_says_what_to_install(
    campaign: Path, tmp_path: Path
) -> None:
    parquet = tmp_path / "x.parquet"
    assert main(["export", str(campaign), "-o", str(parquet)]) == 0

    result = run_without("pyarrow,pyarrow.parquet", "inspect", parquet)

    assert (result.returncode, result.stderr) == (
        1,
        (
            "error: reading or writing a Parquet file needs pyarrow, which is not installed: "
            'pip install "cloudcontact-results[arrow]"\n'
        ),
    )


# --- --version and --help ---------------------------------------------------------------


def test_version_is_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        declared = tomllib.load(handle)["project"]["version"]
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"{PROG} {declared}\n"


def commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every parser of the command line with the words that reach it, the root first."""
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += commands(sub, (*path, name))
    return found


def rendered_default(default: object) -> str:
    if isinstance(default, list | tuple):
        return " ".join(map(str, default))
    return str(default)


@pytest.mark.slow
@pytest.mark.parametrize("path", [path for path, _ in commands(_parser())], ids=" ".join)
def test_help_shows_every_default(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    parser = dict(commands(_parser()))[path]
    with pytest.raises(SystemExit) as exit_:
        main([*path, "--help"])
    assert exit_.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())

    for action in parser._actions:
        if action.default in (None, False, argparse.SUPPRESS, (), []):
            continue
        own = " ".join((action.help or "").replace("%%", "%").split())
        assert f"{own} (default: {rendered_default(action.default)})".lstrip() in shown, action.dest


def test_the_moscow_default_is_in_the_help_of_every_command_that_takes_a_zone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for path, parser in commands(_parser()):
        if "--timezone" not in parser._option_string_actions:
            continue
        with pytest.raises(SystemExit):
            main([*path, "--help"])
        assert "(default: Europe/Moscow)" in " ".join(capsys.readouterr().out.split()), path


# --- the reference in docs/cli.md ---------------------------------------------------------


@pytest.mark.slow
def test_the_reference_in_the_docs_is_what_the_commands_print() -> None:
    document = cli_reference.DOC.read_text(encoding="utf-8")
    assert cli_reference.rewritten(document) == document, (
        "docs/cli.md's reference is out of date: python -m tests.support.cli_reference --write"
    )


def test_the_reference_covers_every_command_with_its_help() -> None:
    document = cli_reference.DOC.read_text(encoding="utf-8")
    paths = list(cli_reference.command_paths())
    assert ("store", "jobs", "add") in paths
    assert len(paths) == len(commands(_parser()))
    for path in paths:
        heading = f"### `{' '.join(('cloudcontact-results', *path))}`"
        assert heading in document
        usage = f"usage: {' '.join(('cloudcontact-results', *path))}"
        assert usage in document, path
