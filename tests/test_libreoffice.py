"""Guarded exports opened in a real spreadsheet program: LibreOffice Calc, headless.

Each dialect's export is converted to xlsx by ``soffice --headless
--convert-to xlsx`` with the CSV filter of its own delimiter, with the other
dialect's delimiter and with LibreOffice's defaults, and ``openpyxl`` counts
the formula cells: none, while the same values exported without the guard
give formulas (so the count can fail). Cyrillic text must come through intact.
Each delimiter is also opened with LibreOffice's "Trim spaces" option, which
strips the spaces before a cell's text: a formula behind spaces must stay text.
``.ci/run`` installs ``libreoffice-calc`` where it is missing; the test is
skipped only where the program cannot be had.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

import cloudcontact_results as ccr
from tests.support.answers import spreadsheet_safe

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.skipif(
        SOFFICE is None,
        reason="LibreOffice (soffice) is not installed here and could not be had "
        "(.ci/run installs libreoffice-calc from the Debian packages)",
    ),
    pytest.mark.slow,  # LibreOffice starts for each round of conversions
]

#: LibreOffice's CSV import options: separator, text delimiter ("), UTF-8 (76), from line 1.
#: The 11th token is "Trim spaces" (before it: column formats, language, quoted
#: field as text, detect special numbers, and two tokens used only by export).
_TRIM = ",,0,false,true,false,false,true"
FILTERS = {
    "comma": "CSV:44,34,76,1",
    "semicolon": "CSV:59,34,76,1",
    "defaults": None,
    "comma-trim": f"CSV:44,34,76,1{_TRIM}",
    "semicolon-trim": f"CSV:59,34,76,1{_TRIM}",
}
OWN = {"platform": "comma", "excel": "comma", "excel-ru": "semicolon"}

HOSTILE = (
    "=1+1",
    "@SUM(1;2)",
    "+7 (916) 123",
    "-2+3",
    "'=1+1",
    "итог;=2+2",
    "итог,=3+3",
    "строка\n=4+4",
    "строка\r\n-5+5",
    "таб\t=6+6",
    'кавычки;"=7+7"',
    "a;=1,b;@c\n+8+8",
    " =1+1",
    "a, =2+2",
    "итог;  =3+3",
    "  -2+3",
    " +79161234567",
    "' =4+4",
)
SURNAME = "Ёлкина-Щукина «Ромашка»"


def campaign_and_records() -> tuple[ccr.Campaign, list[ccr.Record]]:
    agreed = ccr.Disposition("Согласен;=1+1", code="-2", final=True)
    campaign = ccr.Campaign(
        "Опрос",
        [ccr.CallingList("Клиенты", ["Фамилия", "Комментарий", "Телефон"])],
        script_fields=[ccr.ScriptField("comment")],
        dispositions=[agreed],
    )
    when = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    records = [
        ccr.Record(
            str(number),
            "Клиенты",
            {"Фамилия": SURNAME, "Комментарий": value, "Телефон": "+79161234567"},
            [
                ccr.Attempt(
                    "+79161234567",
                    when,
                    call_disposition=agreed,
                    record_disposition=agreed,
                    note=value,
                    agent=value,
                    answered_duration=10,
                    script_values={"comment": value},
                    ani=value,
                    action_applied=value,
                )
            ],
        )
        for number, value in enumerate(HOSTILE)
    ]
    return campaign, records


def convert(files: list[Path], options: str | None, out: Path, profile: Path) -> list[Path]:
    command = [
        str(SOFFICE),
        "--headless",
        "--norestore",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(out),
    ]
    if options is not None:
        command.append(f"--infilter={options}")
    subprocess.run(
        [*command, *map(str, files)],
        check=True,
        capture_output=True,
        timeout=600,
        env={**os.environ, "HOME": str(profile.parent)},
    )
    return [out / f"{file.stem}.xlsx" for file in files]


def cells(workbook: Path) -> list[openpyxl.cell.cell.Cell]:
    book = openpyxl.load_workbook(workbook)
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


def formulas(workbook: Path) -> list[str]:
    return [
        f"{cell.coordinate}: {cell.value!r}" for cell in cells(workbook) if cell.data_type == "f"
    ]


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, bool, str], Path]:
    """(dialect, format, guarded, filter) -> the xlsx LibreOffice made of that export."""
    folder = tmp_path_factory.mktemp("libreoffice")
    campaign, records = campaign_and_records()
    exports: dict[Path, tuple[str, str, bool]] = {}
    for dialect in OWN:
        for guard in (True, False):
            for report_format in ("simple", "detailed"):
                path = folder / f"{dialect}-{report_format}-{'guarded' if guard else 'open'}.csv"
                options = ccr.ExportOptions(
                    format=report_format, dialect=dialect, formula_guard=guard, layout="5.x"
                )
                ccr.export(campaign, records, path, options)
                exports[path] = (dialect, report_format, guard)
    result = {}
    for name, options in FILTERS.items():
        made = convert(list(exports), options, folder / name, folder / "profile")
        for (dialect, report_format, guard), workbook in zip(exports.values(), made, strict=True):
            result[dialect, report_format, guard, name] = workbook
    return result


def workbooks(converted, dialect: str, filter_name: str, *, guarded: bool) -> list[Path]:
    return [
        path
        for (their_dialect, _, their_guard, name), path in converted.items()
        if (their_dialect, their_guard, name) == (dialect, guarded, filter_name)
    ]


@pytest.mark.parametrize("dialect", list(OWN))
@pytest.mark.parametrize("filter_name", list(FILTERS))
def test_guarded_exports_hold_no_formula_whatever_the_delimiter(converted, dialect, filter_name):
    found = workbooks(converted, dialect, filter_name, guarded=True)
    assert len(found) == 2
    for workbook in found:
        assert formulas(workbook) == [], workbook.name


@pytest.mark.parametrize("dialect", list(OWN))
def test_the_same_values_unguarded_do_give_formulas(converted, dialect):
    found = workbooks(converted, dialect, OWN[dialect], guarded=False)
    assert len(found) == 2
    assert all(formulas(workbook) for workbook in found)


@pytest.mark.parametrize("dialect", list(OWN))
def test_cyrillic_text_comes_through_intact(converted, dialect):
    for workbook in workbooks(converted, dialect, OWN[dialect], guarded=True):
        values = [cell.value for cell in cells(workbook)]
        assert values.count(SURNAME) == len(HOSTILE), workbook.name
        assert "Фамилия" in values
        assert "итог;'=2+2" in values


def comments(workbook: Path) -> list[openpyxl.cell.cell.Cell]:
    """The cells of the Комментарий column below its header, one per hostile value."""
    sheet = openpyxl.load_workbook(workbook).active
    rows = list(sheet.iter_rows())
    column = [cell.value for cell in rows[0]].index("Комментарий")
    return [row[column] for row in rows[1:]]


@pytest.mark.parametrize("dialect", list(OWN))
def test_trimmed_import_shows_the_guarded_text(converted, dialect):
    # Trimming strips no guard's quote: each cell shows the guarded text, as
    # the answer key writes it ("' =1+1"), but for what LibreOffice makes of
    # any cell: a line break is LF, a phone number after a space is a number.
    numbers = {" +79161234567": 79161234567}
    expected = [
        numbers.get(value, spreadsheet_safe(value).replace("\r\n", "\n").replace("\r", "\n"))
        for value in HOSTILE
    ]
    for workbook in workbooks(converted, dialect, f"{OWN[dialect]}-trim", guarded=True):
        assert [cell.value for cell in comments(workbook)] == expected, workbook.name


@pytest.mark.parametrize("dialect", list(OWN))
def test_trimming_does_make_formulas_of_spaces_before_a_formula_unguarded(converted, dialect):
    # The option is on: the same value unguarded becomes a formula once trimmed.
    for workbook in workbooks(converted, dialect, f"{OWN[dialect]}-trim", guarded=False):
        cell = comments(workbook)[HOSTILE.index(" =1+1")]
        assert (cell.data_type, cell.value) == ("f", "=1+1"), workbook.name


# --- a written calling list ----------------------------------------------------------

#: The CSV filter with its seventh option, "Format quoted field as text".
QUOTED_AS_TEXT = {"comma": "CSV:44,34,76,1,,0,true", "semicolon": "CSV:59,34,76,1,,0,true"}
PHONES = ("+79161234567", "0079161234567", "89161234567", "+7 (916) 123-45-67", "0012125550100")


def calling_list_and_records() -> tuple[ccr.CallingList, list[ccr.Record]]:
    clients = ccr.CallingList(
        "Клиенты", ["№", "Фамилия", "Телефон", "Комментарий"], phone_columns=["Телефон"]
    )
    records = [
        ccr.Record(
            str(number),
            "Клиенты",
            {"№": f"{number:05d}", "Фамилия": SURNAME, "Телефон": phone, "Комментарий": value},
        )
        for number, (phone, value) in enumerate(zip(PHONES * 3, HOSTILE, strict=False), 1)
    ]
    return clients, records


@pytest.fixture(scope="module")
def converted_lists(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """(dialect or "unquoted", filter) -> the xlsx LibreOffice made of that list file."""
    folder = tmp_path_factory.mktemp("lists")
    clients, records = calling_list_and_records()
    files = {}
    for dialect in OWN:
        path = folder / f"list-{dialect}.csv"
        ccr.write_calling_list(clients, records, path, dialect=dialect)
        files[dialect] = path
    # The control: the same cells as the csv module writes them, quoting only where needed.
    unquoted = folder / "list-unquoted.csv"
    with unquoted.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(clients.columns)
        writer.writerows([record.fields[c] for c in clients.columns] for record in records)
    files["unquoted"] = unquoted
    result = {}
    for name, options in {**QUOTED_AS_TEXT, "defaults": None}.items():
        made = convert(list(files.values()), options, folder / name, folder / "profile")
        for key, workbook in zip(files, made, strict=True):
            result[key, name] = workbook
    return result


def column_values(workbook: Path, header: str) -> list[object]:
    sheet = openpyxl.load_workbook(workbook).active
    rows = list(sheet.iter_rows(values_only=True))
    position = rows[0].index(header)
    return [row[position] for row in rows[1:]]


@pytest.mark.parametrize("dialect", list(OWN))
def test_a_written_list_keeps_its_phones_as_text_and_has_no_formula(converted_lists, dialect):
    _, records = calling_list_and_records()
    workbook = converted_lists[dialect, OWN[dialect]]
    # Text, never numbers: "+" and the zeros stay. A formatted phone is formula-like to a
    # spreadsheet and keeps the guard's quote (country= writes it as E.164 instead).
    phones = column_values(workbook, "Телефон")
    assert phones == [spreadsheet_safe(r.fields["Телефон"]) for r in records]
    assert "'+7 (916) 123-45-67" in phones
    assert column_values(workbook, "№") == [r.fields["№"] for r in records]
    assert column_values(workbook, "Фамилия") == [SURNAME] * len(records)
    for filter_name in (OWN[dialect], "defaults"):
        assert formulas(converted_lists[dialect, filter_name]) == [], filter_name


def test_the_same_phones_unquoted_become_numbers(converted_lists):
    phones = column_values(converted_lists["unquoted", "comma"], "Телефон")
    _, records = calling_list_and_records()
    plain = [r.fields["Телефон"] for r in records if r.fields["Телефон"].lstrip("+").isdigit()]
    # "+" and leading zeros are lost: 0079161234567 becomes the number 79161234567.
    assert [phone for phone in phones if not isinstance(phone, str)] == [
        int(phone.lstrip("+")) for phone in plain
    ]
    assert formulas(converted_lists["unquoted", "comma"])
