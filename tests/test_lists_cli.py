"""``cloudcontact-results lists ...`` and ``store load-list`` / ``export-list`` from the shell.

What the commands write is checked with the stdlib ``csv`` module, against
what the public ``select_records`` keeps of the same campaign.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

import cloudcontact_results as ccr
from cloudcontact_results.cli import main

FIRST = "Список клиентов (моб тлф)"


def rows_of(path: Path, delimiter: str = ",", encoding: str = "utf-8-sig") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as file:
        return list(csv.reader(file, delimiter=delimiter))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(folder), "--records", "200"]) == 0
    return folder / "campaign.jsonl"


def expected_redial(**filters: object) -> list[ccr.Record]:
    campaign, records = ccr.demo_campaign(200)
    mine = [record for record in records if record.list_name == FIRST]
    return list(ccr.select_records(campaign, mine, **filters))


def test_lists_select_writes_the_records_the_filters_keep(demo: Path, tmp_path: Path, capsys):
    out = tmp_path / "next.csv"
    code = main([
        "lists", "select", str(demo), "--list", FIRST,
        "--disposition", "Busy", "--disposition", "Нет ответа",
        "--results", "Record ID", "--results", "Total attempts (per rec)",
        "--dialect", "excel-ru", "--country", "ru", "-o", str(out),
    ])  # fmt: skip
    assert code == 0
    assert "13 records" in capsys.readouterr().out
    expected = expected_redial(dispositions=["Busy", "No answer"])
    campaign, _ = ccr.demo_campaign(1)
    columns = campaign.calling_list(FIRST).columns
    rows = rows_of(out, ";")
    assert rows[0] == [*columns, "Record ID", "Total attempts (per rec)"]
    assert [row[-2] for row in rows[1:]] == [record.id for record in expected]
    phones = [row[columns.index("Телефон")] for row in rows[1:]]
    assert all(phone.startswith("+7") and phone[1:].isdigit() for phone in phones)


def test_lists_select_dnc_and_not_in(demo: Path, tmp_path: Path) -> None:
    dnc = tmp_path / "dnc.csv"
    assert main(["lists", "select", str(demo), "--list", FIRST, "--completed",
                 "--disposition", "Отказ", "--dnc", "-o", str(dnc)]) == 0  # fmt: skip
    refused = expected_redial(dispositions=["Отказ"], completed=True)
    phones = rows_of(dnc)
    assert phones[0] == ["Phone"]
    assert len(phones) > len(refused) > 0
    left = tmp_path / "left.csv"
    assert main(["lists", "select", str(demo), "--list", FIRST, "--open",
                 "--not-in", str(dnc), "-o", str(left)]) == 0  # fmt: skip
    answer = expected_redial(completed=False, not_in=[row[0] for row in phones[1:]])
    assert len(rows_of(left)) - 1 == len(answer)


def test_lists_read_prints_what_the_file_holds_and_rewrites_it(tmp_path: Path, capsys) -> None:
    source = tmp_path / "clients.csv"
    source.write_bytes("№;Фамилия;Телефон\r\n1;Ёлкина;8 (916) 123-45-67\r\n".encode("cp1251"))
    assert main(["lists", "read", str(source), "--phone", "Телефон"]) == 0
    printed = capsys.readouterr().out
    assert "list:     clients" in printed
    assert "columns:  №, Фамилия, Телефон" in printed
    assert "records:  1" in printed
    out = tmp_path / "out.csv"
    assert main(["lists", "read", str(source), "--phone", "Телефон", "--country", "RU",
                 "-o", str(out)]) == 0  # fmt: skip
    assert rows_of(out) == [["№", "Фамилия", "Телефон"], ["1", "Ёлкина", "+79161234567"]]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--phone", "Нет"], "error: --phone: is not a column of the file's header"),
        (["--key", "Фамилия"], "error: clients.csv: line 3: the Record ID 'Иванов'"),
        (["--country", "RU", "--phone", "Телефон"], "line 3, column 'Телефон': is not a phone"),
    ],
)
def test_lists_read_errors_are_one_line_naming_the_flag_or_the_line(
    tmp_path: Path, capsys, argv: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("clients.csv").write_text("Фамилия,Телефон\nИванов,89161234567\nИванов,нет\n")
    assert main(["lists", "read", "clients.csv", *argv]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_store_load_list_and_export_list(demo: Path, tmp_path: Path, capsys) -> None:
    store = tmp_path / "results.sqlite"
    assert main(["store", "load", str(store), str(demo)]) == 0
    campaign, _ = ccr.demo_campaign(1)
    name = campaign.name
    redial = tmp_path / "redial.csv"
    assert main(["store", "export-list", str(store), "--campaign", name, "--list", FIRST,
                 "--disposition", "Busy", "--disposition", "No answer",
                 "--results", "Record ID", "-o", str(redial)]) == 0  # fmt: skip
    expected = expected_redial(dispositions=["Busy", "No answer"])
    assert [row[-1] for row in rows_of(redial)[1:]] == [record.id for record in expected]
    capsys.readouterr()
    assert main(["store", "load-list", str(store), str(redial), "--campaign", name,
                 "--list", "Повтор", "--key", "Record ID", "--phone", "Телефон",
                 "--country", "RU"]) == 0  # fmt: skip
    assert "13 records loaded" in capsys.readouterr().out
    with ccr.ResultsStore(store) as opened:
        loaded = opened.campaign(name).calling_list("Повтор")
        assert loaded is not None
        assert loaded.phone_columns == ("Телефон",)
        records = list(opened.records(name, lists=["Повтор"]))
    assert [record.id for record in records] == [record.id for record in expected]
    assert all(record.fields["Телефон"].startswith("+7") for record in records)
    # The same file again: the records are updated, not added twice.
    assert main(["store", "load-list", str(store), str(redial), "--campaign", name,
                 "--list", "Повтор", "--key", "Record ID"]) == 0  # fmt: skip
    with ccr.ResultsStore(store) as opened:
        assert len(list(opened.records(name, lists=["Повтор"]))) == 13


def test_store_load_list_refuses_a_list_with_other_columns(demo: Path, tmp_path: Path, capsys):
    store = tmp_path / "results.sqlite"
    assert main(["store", "load", str(store), str(demo)]) == 0
    other = tmp_path / "other.csv"
    other.write_text("A,B\n1,2\n")
    name = ccr.demo_campaign(1)[0].name
    assert main(["store", "load-list", str(store), str(other), "--campaign", name,
                 "--list", FIRST]) == 1  # fmt: skip
    assert "error: --list: has the columns" in capsys.readouterr().err


@pytest.mark.slow
def test_the_command_runs_as_a_program(demo: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cloudcontact_results", "lists", "select", str(demo),
         "--list", FIRST, "--last-cpa", "fast busy", "--last-cpa", "SIT", "-o", "-"],
        capture_output=True, check=True,
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(done.stdout.decode(), newline="")))
    expected = expected_redial(last_cpa=["FAST_BUSY", "SIT"])
    assert len(rows) - 1 == len(expected) > 0
