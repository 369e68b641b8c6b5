"""Calling lists: read from the CSV the platform loads, written back for the next campaign.

Answer keys: the stdlib ``csv`` module for what a written file holds, the
guard as ``tests/support/answers.py`` states it, E.164 worked out digit by
digit, and the public ``simple_rows`` for which records a filter keeps.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results.errors import (
    CampaignMismatchError,
    ExportError,
    OptionsError,
    ReadError,
    UnknownDispositionError,
    ValidationError,
)
from tests.conftest import examples

from .support import strategies as cst
from .support.answers import spreadsheet_safe

DIALECTS = ("platform", "excel", "excel-ru")
ENCODINGS = ("utf-8", "cp1251")
E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def written(calling_list, records, **options) -> bytes:
    stream = io.BytesIO()
    ccr.write_calling_list(calling_list, records, stream, **options)
    return stream.getvalue()


def read_back(data: bytes, name: str, **options):
    calling_list, records = ccr.read_calling_list(io.BytesIO(data), name, **options)
    return calling_list, list(records)


# --- the round trip -------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=examples(40))  # more under HYPOTHESIS_PROFILE=ci
@given(st.data(), st.sampled_from(DIALECTS), st.sampled_from(ENCODINGS))
def test_a_written_list_reads_back_as_the_same_list_and_records(data, dialect, encoding):
    calling_list, records = data.draw(cst.list_with_records(encoding=encoding))
    raw = written(calling_list, records, dialect=dialect, encoding=encoding)
    given_encoding = None if encoding == "utf-8" else encoding
    again, back = read_back(
        raw,
        calling_list.name,
        phone_columns=calling_list.phone_columns,
        encoding=given_encoding,
    )
    assert again == calling_list
    assert back == records


@pytest.mark.slow
@settings(max_examples=examples(25))
@given(cst.list_with_records(), st.sampled_from(DIALECTS))
def test_with_a_key_column_the_record_ids_come_from_it(drawn, dialect):
    calling_list, records = drawn
    keyed = ccr.CallingList(calling_list.name, ("Ключ", *calling_list.columns))
    records = [
        ccr.Record(f"K-{r.id}", r.list_name, {"Ключ": f"K-{r.id}", **r.fields}) for r in records
    ]
    _, back = read_back(written(keyed, records, dialect=dialect), keyed.name, key_columns="Ключ")
    assert back == records


@pytest.mark.slow
@settings(max_examples=examples(25))
@given(cst.list_with_records(), st.sampled_from(DIALECTS))
def test_the_file_is_what_the_stdlib_csv_module_reads(drawn, dialect):
    calling_list, records = drawn
    raw = written(calling_list, records, dialect=dialect)
    delimiter = ";" if dialect == "excel-ru" else ","
    assert raw.startswith(b"\xef\xbb\xbf") == (dialect != "platform")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter))
    assert rows[0] == [spreadsheet_safe(column) for column in calling_list.columns]
    expected = [
        [spreadsheet_safe(record.fields[column]) for column in calling_list.columns]
        for record in records
    ]
    assert rows[1:] == expected
    # Every cell is quoted: a spreadsheet reading quoted fields as text keeps phones as text.
    assert raw.count(b'"') >= 2 * len(calling_list.columns) * (len(records) + 1)


def test_phones_with_plus_and_00_and_cyrillic_survive_windows_1251(tmp_path: Path) -> None:
    clients = ccr.CallingList("Клиенты", ["Фамилия", "Телефон"], phone_columns=["Телефон"])
    records = [
        ccr.Record("1", "Клиенты", {"Фамилия": "Ёлкина", "Телефон": "+79161234567"}),
        ccr.Record("2", "Клиенты", {"Фамилия": "Щукин", "Телефон": "0079161234567"}),
        ccr.Record("3", "Клиенты", {"Фамилия": "Smith", "Телефон": "+7 (916) 123-45-67"}),
    ]
    path = tmp_path / "list.csv"
    ccr.write_calling_list(clients, records, path, dialect="excel-ru", encoding="cp1251")
    assert "Ёлкина".encode("cp1251") in path.read_bytes()
    calling_list, back = ccr.read_calling_list(path, "Клиенты", phone_columns=["Телефон"])
    assert calling_list == clients
    assert list(back) == records
    # Read from a path, the records can be read again; nothing stays open meanwhile.
    assert list(ccr.read_calling_list(path, "Клиенты")[1])[1].fields["Телефон"] == "0079161234567"


# --- reading what people and other systems write ---------------------------------------


def test_tab_semicolon_and_comma_files_read_alike() -> None:
    rows = [["№", "Фамилия", "Телефон"], ["1", "Иванов, Иван", "+79161234567"], ["2", "", ""]]
    results = []
    for delimiter in (",", ";", "\t"):
        text = io.StringIO(newline="")
        csv.writer(text, delimiter=delimiter, lineterminator="\n").writerows(rows)
        calling_list, records = read_back(text.getvalue().encode(), "L")
        results.append((calling_list.columns, [dict(r.fields) for r in records]))
    assert results[0] == results[1] == results[2]
    assert results[0][1][0] == {"№": "1", "Фамилия": "Иванов, Иван", "Телефон": "+79161234567"}


def test_an_ambiguous_header_prefers_the_delimiter_that_finds_the_columns_asked_for() -> None:
    data = "Фамилия, Имя;Телефон\nИванов, Иван;+79161234567\n".encode()
    calling_list, _ = read_back(data, "L", phone_columns=["Телефон"])
    assert calling_list.columns == ("Фамилия, Имя", "Телефон")
    calling_list, _ = read_back(data, "L", delimiter=",")
    assert calling_list.columns == ("Фамилия", " Имя;Телефон")


def test_a_russian_excel_file_in_windows_1251_is_detected_by_its_header() -> None:
    data = "Фамилия;Телефон\r\nЁлкина;8 916 123-45-67\r\n".encode("cp1251")
    calling_list, records = read_back(
        data, "L", phone_columns=["Телефон"], key_columns=["Телефон"], country="RU"
    )
    assert calling_list.columns == ("Фамилия", "Телефон")
    assert [(r.id, dict(r.fields)) for r in records] == [
        ("+79161234567", {"Фамилия": "Ёлкина", "Телефон": "+79161234567"})
    ]


def test_a_zip_holding_the_list_reads_too() -> None:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("list.csv", "A,B\r\n1,2\r\n")
    _, records = read_back(stream.getvalue(), "L")
    assert [dict(r.fields) for r in records] == [{"A": "1", "B": "2"}]


def test_ids_in_file_order_skip_no_number_when_a_line_is_passed_over() -> None:
    data = b"A,B\n1,2\nbad\n3,4\n\n\n5,6\n"
    _calling_list, records = ccr.read_calling_list(io.BytesIO(data), "L", errors="collect")
    assert [(r.id, r.fields["A"]) for r in records] == [("1", "1"), ("3", "3"), ("4", "5")]
    assert [(e.line, e.reason) for e in records.errors] == [
        (3, "expected 2 cells like the header, got 1")
    ]
    with pytest.raises(ReadError, match=r"line 3: expected 2 cells"):
        read_back(data, "L")


def test_a_duplicate_key_is_an_error_naming_both_lines() -> None:
    data = "№,Фамилия\n1,Иванов\n2,Петров\n1,Сидоров\n".encode()
    with pytest.raises(ReadError) as caught:
        read_back(data, "L", key_columns=["№"])
    assert caught.value.line == 4
    assert "line 2" in str(caught.value)
    assert "'1'" in str(caught.value)


def test_duplicates_merge_into_the_first_record_with_the_last_non_empty_values() -> None:
    data = "№,Фамилия,Телефон\n1,Иванов,\n2,Петров,+7 2\n1,,+7 1\n1,Иванова,\n".encode()
    _, records = read_back(data, "L", key_columns=["№"], duplicates="merge")
    assert [(r.id, dict(r.fields)) for r in records] == [
        ("1", {"№": "1", "Фамилия": "Иванова", "Телефон": "+7 1"}),
        ("2", {"№": "2", "Фамилия": "Петров", "Телефон": "+7 2"}),
    ]


def test_several_key_columns_join_into_one_stable_id() -> None:
    data = b"Name,Phone,Note\nIvanov,+7916,x\nIvanov,+7495,y\na|b,c,z\na,b|c,w\n"
    _, records = read_back(data, "L", key_columns=["Name", "Phone"])
    assert [r.id for r in records] == ["Ivanov|+7916", "Ivanov|+7495", "a\\|b|c", "a|b\\|c"]


@given(
    st.lists(cst.cell_texts(), min_size=2, max_size=3),
    st.lists(cst.cell_texts(), min_size=2, max_size=3),
)
def test_different_keys_never_make_the_same_record_id(first, second):
    header = ["K1", "K2", "K3"][: max(len(first), len(second))]
    first = ([*first, ""])[: len(header)]
    second = ([*second, ""])[: len(header)]
    text = io.StringIO(newline="")
    csv.writer(text, quoting=csv.QUOTE_ALL).writerows([header, first, second])
    if not all(first) or not all(second):
        return  # an empty key part is refused (tested below)
    data = text.getvalue().encode()
    if first == second:
        with pytest.raises(ReadError, match="is on line 2 already"):
            read_back(data, "L", key_columns=header, formula_guard=False)
    else:
        _, records = read_back(data, "L", key_columns=header, formula_guard=False)
        assert records[0].id != records[1].id


def test_an_empty_key_is_an_error_naming_line_and_column() -> None:
    with pytest.raises(ReadError) as caught:
        read_back(b"A,B\n1,2\n,3\n", "L", key_columns=["A"])
    assert (caught.value.line, caught.value.column) == (3, "A")


def test_key_and_phone_columns_are_checked_against_the_header_at_once() -> None:
    with pytest.raises(OptionsError, match=r"phone_columns: is not a column of the file's header"):
        ccr.read_calling_list(io.BytesIO(b"A,B\n1,2\n"), "L", phone_columns=["Phone"])
    with pytest.raises(OptionsError, match=r"key_columns"):
        ccr.read_calling_list(io.BytesIO(b"A,B\n1,2\n"), "L", key_columns=["C"])
    with pytest.raises(OptionsError, match=r"delimiter"):
        ccr.read_calling_list(io.BytesIO(b"A,B\n"), "L", delimiter="|")
    with pytest.raises(OptionsError, match=r"country"):
        ccr.read_calling_list(io.BytesIO(b"A,B\n"), "L", country="Narnia")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b"\r\n\r\nA\r\n", "the first line is blank"),
        (b"A,A\n1,2\n", "names a column twice"),
        (b"A,,B\n1,2,3\n", "column 2 has no name"),
        ('"Фамилия\n'.encode(), "not one CSV row"),
        ("Name\n".encode("utf-16"), "NUL characters"),
    ],
)
def test_a_file_that_is_no_list_is_a_read_error_at_line_1(data: bytes, reason: str) -> None:
    with pytest.raises(ReadError, match=reason) as caught:
        ccr.read_calling_list(io.BytesIO(data), "L")
    assert caught.value.line == 1


def test_the_read_limits_of_read_report_hold() -> None:
    data = b"A,B\n" + b"1," + b"x" * 5000 + b"\n"
    with pytest.raises(ReadError, match=r"line 2: the row is longer than 1000 bytes"):
        read_back(data, "L", limits=ccr.ReadLimits(max_row_bytes=1000))
    many = b"A,B\n" + b"bad\n" * 20
    with pytest.raises(ReadError, match="max_bad_lines"):
        read_back(many, "L", errors="skip", limits=ccr.ReadLimits(max_bad_lines=5))


def test_a_phone_that_cannot_be_normalised_is_reported_never_dropped() -> None:
    data = "№,Телефон\n1,8 (916) 123-45-67\n2,позвонить вечером\n3,+44 20 7946 0958\n".encode()
    with pytest.raises(ReadError) as caught:
        read_back(data, "L", phone_columns=["Телефон"], country="RU")
    assert (caught.value.line, caught.value.column) == (3, "Телефон")
    assert caught.value.value == "позвонить вечером"
    _, records = ccr.read_calling_list(
        io.BytesIO(data), "L", phone_columns=["Телефон"], country="RU", errors="collect"
    )
    assert [r.fields["Телефон"] for r in records] == [
        "+79161234567",
        "позвонить вечером",
        "+442079460958",
    ]
    assert [(e.line, e.column) for e in records.errors] == [(3, "Телефон")]


def test_without_a_country_phones_stay_exactly_as_written() -> None:
    data = b"Phone\n8 (916) 123-45-67\n0079161234567\n+7 916\n"
    _, records = read_back(data, "L", phone_columns=["Phone"])
    assert [r.fields["Phone"] for r in records] == ["8 (916) 123-45-67", "0079161234567", "+7 916"]


def test_the_records_of_a_stream_are_read_once_and_lazily() -> None:
    stream = io.BytesIO(b"A\n1\n2\n3\n")
    _, records = ccr.read_calling_list(stream, "L")
    assert next(records).fields == {"A": "1"}
    records.close()
    assert list(records) == []


# --- phones -----------------------------------------------------------------------------


@given(cst.national_ru_numbers(), st.sampled_from(range(7)))
def test_every_way_to_write_a_russian_number_gives_one_e164_number(national, form):
    spaced = f"({national[:3]}) {national[3:6]}-{national[6:8]}-{national[8:]}"
    text = (
        f"8 {spaced}",
        f"+7 {spaced}",
        f"7{national}",
        national,
        f"00 7 {national}",
        f"8 10 7 {national}",
        f" +7{national} ",
    )[form]
    assert ccr.normalize_phone(text, "RU") == "+7" + national


@given(cst.list_phone_numbers(), st.sampled_from([None, "RU", "US", "GB", "DE", "BY"]))
def test_normalising_gives_e164_or_a_clear_error_and_is_idempotent(text, country):
    try:
        number = ccr.normalize_phone(text, country)
    except ValidationError as error:
        refused = error
    else:
        refused = None
    if refused is not None:
        assert (refused.field, refused.value) == ("phone", text)
        return
    if not text.strip():
        assert number == ""
        return
    assert E164.fullmatch(number), number
    assert ccr.normalize_phone(number, country) == number
    # Only separators go: the digits are the ones written, minus a prefix.
    assert re.sub(r"\D", "", text).endswith(number[-6:])


@pytest.mark.parametrize(
    "text", ["ext. 12", "+7 916 123 45 67 доб. 2", "12-34", "+0123456789", "*100#"]
)
def test_what_is_no_phone_number_is_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="phone"):
        ccr.normalize_phone(text, "RU")


def test_a_national_number_needs_a_country() -> None:
    with pytest.raises(ValidationError, match="has no country code"):
        ccr.normalize_phone("8 916 123-45-67")
    assert ccr.normalize_phone("(020) 7946 0958", "GB") == "+442079460958"
    assert ccr.normalize_phone("1 (212) 555-0100", "US") == "+12125550100"


# --- writing ----------------------------------------------------------------------------


def test_writing_normalises_phones_and_adds_result_columns() -> None:
    campaign, records = ccr.demo_campaign(records=30)
    records = list(records)
    calling_list = campaign.lists[0]
    mine = [r for r in records if r.list_name == calling_list.name]
    raw = written(
        calling_list,
        mine,
        results=["Record ID", "Last Call Disposition", "Total attempts (per rec)"],
        timezone="UTC",
    )
    rows = list(csv.reader(io.StringIO(raw.decode(), newline="")))
    assert rows[0] == [
        *calling_list.columns,
        "Record ID",
        "Last Call Disposition",
        "Total attempts (per rec)",
    ]
    answer = {
        (row.fields[calling_list.columns[0]], row.last_call_disposition or "", row.total_attempts)
        for row in ccr.simple_rows(campaign, mine)
    }
    got = {(row[0], row[-2], int(row[-1])) for row in rows[1:]}
    assert got == answer
    assert [row[-3] for row in rows[1:]] == [r.id for r in mine]


def test_a_field_that_is_no_column_of_the_list_is_refused() -> None:
    clients = ccr.CallingList("Клиенты", ["Телефон"])
    with pytest.raises(CampaignMismatchError, match="Адрес"):
        written(clients, [ccr.Record("1", "Клиенты", {"Адрес": "x"})])
    with pytest.raises(OptionsError, match="results"):
        written(clients, [], results=["Last Agent"])
    with pytest.raises(ExportError, match="Windows-1251"):
        written(clients, [ccr.Record("1", "x", {"Телефон": "☎"})], encoding="cp1251")


def test_a_phone_that_cannot_be_normalised_while_writing_names_its_record() -> None:
    clients = ccr.CallingList("Клиенты", ["Телефон"], phone_columns=["Телефон"])
    with pytest.raises(ValidationError, match=r"Record\('7'\).fields\['Телефон'\]"):
        written(clients, [ccr.Record("7", "Клиенты", {"Телефон": "нет"})], country="RU")


def test_a_failed_write_leaves_no_file(tmp_path: Path) -> None:
    clients = ccr.CallingList("Клиенты", ["Телефон"])
    path = tmp_path / "next.csv"
    path.write_bytes(b"before")
    records = [ccr.Record("1", "Клиенты", {"Телефон": "1"}), ccr.Record("2", "Клиенты", {"X": "1"})]
    with pytest.raises(CampaignMismatchError):
        ccr.write_calling_list(clients, records, path)
    assert path.read_bytes() == b"before"
    assert [p.name for p in tmp_path.iterdir()] == ["next.csv"]


def test_the_dnc_extract_holds_each_records_phones_once() -> None:
    clients = ccr.CallingList(
        "Клиенты", ["Фамилия", "Мобильный", "Домашний"], phone_columns=["Мобильный", "Домашний"]
    )
    records = [
        ccr.Record("1", "Клиенты", {"Фамилия": "А", "Мобильный": "8 916 1234567", "Домашний": ""}),
        ccr.Record(
            "2", "Клиенты", {"Фамилия": "Б", "Мобильный": "+79161234568", "Домашний": "84951234567"}
        ),
    ]
    stream = io.BytesIO()
    result = ccr.write_dnc_list(clients, records, stream, country="RU")
    rows = list(csv.reader(io.StringIO(stream.getvalue().decode(), newline="")))
    assert rows == [["Phone"], ["+79161234567"], ["+79161234568"], ["+74951234567"]]
    assert result.rows == 3


# --- select_records ---------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=examples(100))
@given(cst.campaign_with_records(), st.data())
def test_select_keeps_what_the_simple_report_says_matches(drawn, data):
    campaign, records = drawn
    names = [d.name for d in campaign.dispositions] + ["No numbers left to call", "Busy"]
    chosen = data.draw(st.none() | st.lists(st.sampled_from(names), min_size=1, max_size=3))
    completed = data.draw(st.sampled_from([None, True, False]))
    at_least = data.draw(st.none() | st.integers(0, 3))
    cpa = data.draw(st.none() | st.lists(st.sampled_from(list(ccr.CPAResult)), max_size=2))
    kept = list(
        ccr.select_records(
            campaign,
            records,
            dispositions=chosen,
            completed=completed,
            attempts_at_least=at_least,
            last_cpa=cpa,
        )
    )
    options = ccr.ExportOptions(report_unknown_dispositions=True)
    expected = []
    for record, row in zip(records, ccr.simple_rows(campaign, records, options), strict=True):
        wanted = {campaign.find_disposition(n).name for n in chosen} if chosen else None
        # The latest instant (compared in UTC: a DST fall-back repeats wall times), ties: the later.
        last = None
        for attempt in record.attempts:
            if last is None or attempt.time.astimezone(dt.UTC) >= last.time.astimezone(dt.UTC):
                last = attempt
        if (
            (wanted is None or {row.record_disposition, row.last_call_disposition} & wanted)
            and (completed is None or row.completed == completed)
            and (at_least is None or row.total_attempts >= at_least)
            and (cpa is None or (last is not None and last.cpa_result in cpa))
        ):
            expected.append(record.id)
    assert [r.id for r in kept] == expected


def test_select_leaves_out_the_do_not_call_numbers_however_written() -> None:
    clients = ccr.CallingList("Клиенты", ["Телефон"], phone_columns=["Телефон"])
    campaign = ccr.Campaign("Обзвон", [clients])
    records = [
        ccr.Record("1", "Клиенты", {"Телефон": "8 (916) 123-45-67"}),
        ccr.Record("2", "Клиенты", {"Телефон": "+79161234568"}),
    ]
    dnc = ["+7 916 123 45 67"]
    assert [r.id for r in ccr.select_records(campaign, records, not_in=dnc)] == ["1", "2"]
    kept = ccr.select_records(campaign, records, not_in=dnc, country="RU")
    assert [r.id for r in kept] == ["2"]


def test_select_checks_its_arguments_when_called() -> None:
    campaign, _ = ccr.demo_campaign(records=1)
    with pytest.raises(UnknownDispositionError, match="Несуществующий"):
        ccr.select_records(campaign, [], dispositions=["Несуществующий"])
    with pytest.raises(OptionsError, match="last_cpa"):
        ccr.select_records(campaign, [], last_cpa=["LOUD"])
    with pytest.raises(OptionsError, match="attempts_at_least"):
        ccr.select_records(campaign, [], attempts_at_least=-1)
    stranger = ccr.Record("1", "Чужой список")
    with pytest.raises(CampaignMismatchError, match="Чужой список"):
        list(ccr.select_records(campaign, [stranger]))
    assert list(ccr.select_records(campaign, [], last_cpa="fast busy")) == []


def test_a_redial_round_results_select_write_read() -> None:
    campaign, records = ccr.demo_campaign(records=200)
    records = list(records)
    calling_list = campaign.lists[0]
    # A one-number list closes a record that ran out of attempts with its last status.
    redial = list(
        ccr.select_records(
            campaign,
            (r for r in records if r.list_name == calling_list.name),
            dispositions=["Busy", "Нет ответа", "No numbers left to call"],
        )
    )
    assert len(redial) == 13
    stream = io.BytesIO()
    ccr.write_calling_list(calling_list, redial, stream, results=["Record ID"])
    next_list, next_records = ccr.read_calling_list(
        io.BytesIO(stream.getvalue()), "Повтор", key_columns=["Record ID"]
    )
    assert next_list.columns == (*calling_list.columns, "Record ID")
    assert [(r.id, {**r.fields}) for r in next_records] == [
        (r.id, {**dict.fromkeys(calling_list.columns, ""), **r.fields, "Record ID": r.id})
        for r in redial
    ]


def test_a_list_read_from_its_file_loads_into_a_results_store(tmp_path: Path) -> None:
    data = "№;Фамилия;Телефон\r\n7;Ёлкина;8 (916) 123-45-67\r\n9;Щукин;\r\n".encode("cp1251")
    calling_list, records = ccr.read_calling_list(
        io.BytesIO(data), "Клиенты", key_columns=["№"], phone_columns=["Телефон"], country="RU"
    )
    campaign = ccr.Campaign("Обзвон", [calling_list])
    with ccr.ResultsStore(tmp_path / "results.sqlite") as store:
        store.put_campaign(campaign)
        assert store.add_records("Обзвон", records) == 2
        back = list(store.records("Обзвон"))
        assert store.campaign("Обзвон").lists == (calling_list,)
    assert back == [
        ccr.Record("7", "Клиенты", {"№": "7", "Фамилия": "Ёлкина", "Телефон": "+79161234567"}),
        ccr.Record("9", "Клиенты", {"№": "9", "Фамилия": "Щукин", "Телефон": ""}),
    ]
