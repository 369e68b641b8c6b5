"""Dispositions and the system catalogue, CPA results, SIP reason phrases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cloudcontact_results as ccr

CONNECTION_PROBLEMS = {
    "Announcement": "Автоинформатор или IVR",
    "Answering machine": "Автоответчик",
    "Other connection issue": "Другая проблема соединения",
    "Busy": "Занято",
    "Silence": "Молчание",
    "Fast busy": "Направление перегружено",
    "No answer": "Нет ответа",
    "Invalid number": "Неверный номер",
    "Network announcement": "Сетевое сообщение",
    "Fax or modem": "Факс или модем",
}
SYSTEM = {
    "Finalized by dial rule": "Завершен по правилу набора",
    "Record expired": "Запись недействительна",
    "No numbers left to call": "Достигнуто максимальное количество попыток",
    "Call failed": "Неудавшийся вызов",
    "No agent": "Нет оператора",
    "Abandoned": "Сброшен",
    "Congestion": "Перегрузка",
    "Skipped": "Пропущена",
    "Agent failure": "Сбой на р.м. оператора",
    "System failure": "Сбой системы",
    "No disposition": "Статус не выбран",
    "Disposition not found": "Статус не найден",
    "Phone network unavailable": "Телефонная сеть недоступна",
    "Record matches DNC": 'Запись есть в списке "Не звонить"',
    "Number matches DNC": 'Номер есть в списке "Не звонить"',
}
FINAL = {
    "Finalized by dial rule",
    "Record expired",
    "No numbers left to call",
    "Record matches DNC",
}
CATALOGUE = {**CONNECTION_PROBLEMS, **SYSTEM}


# --- the catalogue ---------------------------------------------------------------


def test_catalogue_holds_exactly_the_manuals_dispositions():
    assert {d.name: d.name_ru for d in ccr.SYSTEM_DISPOSITIONS} == CATALOGUE
    assert len(ccr.SYSTEM_DISPOSITIONS) == len(CATALOGUE) == 25


@pytest.mark.parametrize(("name", "name_ru"), CATALOGUE.items())
def test_every_entry_is_found_by_both_names(name, name_ru):
    by_english = ccr.system_disposition(name)
    by_russian = ccr.system_disposition(name_ru)
    assert by_english is by_russian
    assert by_english.name == name
    assert by_english.name_ru == name_ru
    assert by_english.label() == by_english.label("en") == name
    assert by_english.label("ru") == by_english.label(ccr.Language.RU) == name_ru
    assert by_english.description
    assert by_english.code is None


@pytest.mark.parametrize(("name", "name_ru"), CATALOGUE.items())
def test_finality(name, name_ru):
    assert ccr.system_disposition(name).final is (name in FINAL)


@pytest.mark.parametrize("name", CATALOGUE)
def test_categories(name):
    disposition = ccr.system_disposition(name)
    expected = (
        ccr.DispositionCategory.CONNECTION_PROBLEM
        if name in CONNECTION_PROBLEMS
        else ccr.DispositionCategory.SYSTEM
    )
    assert disposition.category is expected
    assert disposition.is_system is True


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("BUSY", "Busy"),
        ("busy", "Busy"),
        ("нет ОТВЕТА", "No answer"),
        ("ЗАНЯТО", "Busy"),
        ("finalized BY dial RULE", "Finalized by dial rule"),
    ],
)
def test_look_up_ignores_case(query, expected):
    assert ccr.system_disposition(query).name == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Завершён по правилу набора", "Finalized by dial rule"),
        ("ЗАВЕРШЁН ПО ПРАВИЛУ НАБОРА", "Finalized by dial rule"),
        ("Завершен по правилу набора", "Finalized by dial rule"),
        ("Сброшён", "Abandoned"),
    ],
)
def test_look_up_treats_yo_as_ye(query, expected):
    assert ccr.system_disposition(query).name == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("  No answer  ", "No answer"),
        ("No   answer", "No answer"),
        ("\tНет\u00a0 ответа\n", "No answer"),
        (" Сбой   на р.м.  оператора ", "Agent failure"),
    ],
)
def test_look_up_ignores_surrounding_and_repeated_spaces(query, expected):
    assert ccr.system_disposition(query).name == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Запись есть в списке «Не звонить»", "Record matches DNC"),
        ("Номер есть в списке «Не звонить»", "Number matches DNC"),
        ('номер есть в списке "не звонить"', "Number matches DNC"),
    ],
)
def test_look_up_accepts_guillemets_for_the_dnc_names(query, expected):
    assert ccr.system_disposition(query).name == expected


@pytest.mark.parametrize(
    "name", ["Согласен", "Busy here", "Нет", "", "   ", "No answer!", "Record matches"]
)
def test_unknown_name_raises(name):
    with pytest.raises(ccr.errors.UnknownDispositionError) as info:
        ccr.system_disposition(name)
    error = info.value
    assert isinstance(error, ccr.errors.ValidationError)
    assert isinstance(error, ValueError)
    assert isinstance(error, ccr.ResultsError)
    assert error.value == name
    assert repr(name) in str(error)


@given(st.sampled_from(ccr.SYSTEM_DISPOSITIONS), st.data())
def test_look_up_survives_any_mix_of_case_and_spacing(disposition, data):
    name = data.draw(st.sampled_from([disposition.name, disposition.name_ru]))
    assert name is not None
    words = name.split(" ")
    cased = [data.draw(st.sampled_from([w, w.upper(), w.lower()])) for w in words]
    padding = st.sampled_from([" ", "  ", "\t"])
    query = data.draw(padding) + data.draw(padding).join(cased) + data.draw(padding)
    assert ccr.system_disposition(query) is disposition


# --- Disposition ------------------------------------------------------------------


def test_user_disposition_defaults():
    agreed = ccr.Disposition("Согласен")
    assert agreed.code is None
    assert agreed.final is False
    assert agreed.category is ccr.DispositionCategory.USER
    assert agreed.is_system is False
    assert agreed.name_ru is None
    assert agreed.description == ""
    # A user disposition has one name: both report languages show it.
    assert agreed.label("en") == agreed.label("ru") == "Согласен"


@pytest.mark.parametrize("code", ["1", "A1", "ЗАК", "ok_2", "1.5", "-1", "x-y"])
def test_disposition_codes_accept_letters_digits_and_separators(code):
    assert ccr.Disposition("Согласен", code=code).code == code


@pytest.mark.parametrize("code", ["", " ", "a b", "код!", "1,2", "=1", "1\n", 5])
def test_disposition_code_is_rejected(code):
    with pytest.raises(ccr.errors.ValidationError) as info:
        ccr.Disposition("Согласен", code=code)
    assert isinstance(info.value, ValueError)
    assert info.value.field == "Disposition.code"
    assert repr(code) in str(info.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", " Согласен"),
        ("name", "Согласен "),
        ("name", None),
        ("name_ru", ""),
        ("name_ru", "Согласен\n"),
        ("final", 1),
        ("final", "yes"),
        ("category", "user"),
        ("description", None),
    ],
)
def test_disposition_fields_are_validated(field, value):
    values = {"name": "Agreed", field: value}
    with pytest.raises(ccr.errors.ValidationError) as info:
        ccr.Disposition(**values)
    assert isinstance(info.value, ValueError)
    assert info.value.field == f"Disposition.{field}"
    assert repr(value) in str(info.value)


# --- CPA results ------------------------------------------------------------------------

CPA_LABELS = [
    (0, "UNKNOWN", "Unknown", "Неизвестно"),
    (1, "VOICE", "Voice", "Голос"),
    (2, "ANSWERING_MACHINE", "Answering machine", "Автоответчик"),
    (3, "MESSAGE", "Message", "Сообщение"),
    (4, "FAX", "Fax", "Факс"),
    (5, "SIT", "SIT", "СИТ-тон"),
    (6, "BUSY", "Busy", "Занят"),
    (7, "FAST_BUSY", "Fast busy", "Fast Busy"),
    (8, "RING_BACK", "Ring back", "КПВ"),
    (9, "SILENCE", "Silence", "Тишина"),
]


def test_cpa_results_are_the_ten_numbers():
    assert [int(r) for r in ccr.CPAResult] == list(range(10))


@pytest.mark.parametrize(("number", "name", "en", "ru"), CPA_LABELS)
def test_cpa_labels(number, name, en, ru):
    result = ccr.CPAResult(number)
    assert result.name == name
    assert result == number
    assert str(int(result)) == str(number)
    assert result.label_en == en
    assert result.label_ru == ru
    assert result.label() == result.label("en") == result.label(ccr.Language.EN) == en
    assert result.label("ru") == result.label(ccr.Language.RU) == ru
    assert result.meaning


def test_cpa_label_in_an_unknown_language_is_an_options_error():
    with pytest.raises(ccr.errors.OptionsError) as info:
        ccr.CPAResult.BUSY.label("de")
    assert isinstance(info.value, ValueError)
    assert "'de'" in str(info.value)


# --- SIP reason phrases ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "phrase"),
    [
        (180, "Ringing"),
        (200, "OK"),
        (404, "Not Found"),
        (408, "Request Timeout"),
        (480, "Temporarily Unavailable"),
        (486, "Busy Here"),
        (487, "Request Terminated"),
        (503, "Service Unavailable"),
        (600, "Busy Everywhere"),
        (603, "Decline"),
        (604, "Does Not Exist Anywhere"),
    ],
)
def test_sip_reason_phrase_of_known_codes(code, phrase):
    assert ccr.sip_reason_phrase(code) == phrase
    assert ccr.SIP_REASON_PHRASES[code] == phrase


@pytest.mark.parametrize(
    ("code", "phrase"),
    [
        (150, "Provisional"),
        (299, "Success"),
        (399, "Redirection"),
        (499, "Client Failure"),
        (599, "Server Failure"),
        (699, "Global Failure"),
    ],
)
def test_sip_reason_phrase_falls_back_to_the_class(code, phrase):
    assert code not in ccr.SIP_REASON_PHRASES
    assert ccr.sip_reason_phrase(code) == phrase


@given(st.integers(100, 699))
def test_every_valid_sip_code_has_a_phrase(code):
    phrase = ccr.sip_reason_phrase(code)
    assert phrase
    assert phrase == ccr.SIP_REASON_PHRASES.get(code, phrase)
