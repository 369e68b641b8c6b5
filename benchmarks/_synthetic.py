"""A deterministic synthetic campaign, streamed record by record, for the benchmarks.

The same ``count`` and ``seed`` give the same records on every machine and
every run, so export and read benchmarks measure the same content. Records
are built lazily: memory stays flat however many are asked for.

>>> campaign = synthetic_campaign()
>>> first = next(synthetic_records(campaign, 1))
>>> first.id, first.list_name
('R0000000', 'Клиенты Москва')
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import cloudcontact_results as ccr

__all__ = ["synthetic_campaign", "synthetic_lines", "synthetic_records"]

MOSCOW = ZoneInfo("Europe/Moscow")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=MOSCOW)

_SURNAMES = (
    "Архипов", "Маслов", "Егоров", "Семенова", "Кузнецова", "Смирнов", "Попов",
    "Васильева", "Петров", "Соколов", "Михайлова", "Новиков", "Фёдоров", "Морозова",
)  # fmt: skip
_NAMES = (
    "Денис Евгеньевич", "Петр Николаевич", "Михаил Константинович", "Лариса Николаевна",
    "Анна Сергеевна", "Иван Петрович", "Ольга Викторовна", "Сергей Александрович",
)  # fmt: skip
_STREETS = ("ул. Песчаная", "Ленинский пр-т", "ул. Тверская", "Кутузовский пр-т", "ул. Арбат")
_PRODUCTS = ("Колл центр", "Тариф «Бизнес»", "Тариф «Старт»", "Виртуальная АТС")
_AGENTS = ("ivanov", "a.petrova", "agent01", "s.sidorov", "m.orlova")
_NOTES = (
    "Перезвонить после 18:00",
    "Клиент согласен, отправить договор",
    'Просил не звонить, "занят"',
    "Интересуется ценой; перезвонить",
    "",
)
_ANSWERS = ("Да", "Нет", "Затрудняюсь ответить", "Частично")

AGREED = ccr.Disposition("Согласен", code="OK", final=True)
REFUSED = ccr.Disposition("Отказ", code="REF", final=True)
CALLBACK = ccr.Disposition("Перезвонить", code="CB")
_NO_ANSWER = ccr.system_disposition("No answer")
_BUSY = ccr.system_disposition("Busy")
_ANSWERING_MACHINE = ccr.system_disposition("Answering machine")
_NO_NUMBERS_LEFT = ccr.system_disposition("No numbers left to call")
_FAILURES = (
    (_NO_ANSWER, ccr.CPAResult.RING_BACK, 480),
    (_BUSY, ccr.CPAResult.BUSY, 486),
    (_ANSWERING_MACHINE, ccr.CPAResult.ANSWERING_MACHINE, None),
)


def synthetic_campaign() -> ccr.Campaign:
    """One list of six Cyrillic columns, three exported script fields, three dispositions."""
    return ccr.Campaign(
        "Опрос клиентов",
        [
            ccr.CallingList(
                "Клиенты Москва",
                ["№", "Фамилия", "Имя отчество", "Телефон", "Адрес", "Продукт"],
            )
        ],
        script_fields=[
            ccr.ScriptField("Результат опроса"),
            ccr.ScriptField("comment"),
            ccr.ScriptField("Дата доставки"),
            ccr.ScriptField("internal", export=False),
        ],
        dispositions=[AGREED, REFUSED, CALLBACK],
    )


def synthetic_records(
    campaign: ccr.Campaign, count: int, *, seed: int = 20260302
) -> Iterator[ccr.Record]:
    """``count`` records of ``campaign``'s first list, 1-5 attempts each (3 on average)."""
    rng = random.Random(seed)
    list_name = campaign.lists[0].name
    for number in range(count):
        phone = f"+79{rng.randrange(10**9):09d}"
        fields = {
            "№": str(number + 1),
            "Фамилия": rng.choice(_SURNAMES),
            "Имя отчество": rng.choice(_NAMES),
            "Телефон": phone,
            "Адрес": f"г. Москва, {rng.choice(_STREETS)}, д. {rng.randint(1, 120)}",
            "Продукт": rng.choice(_PRODUCTS),
        }
        yield ccr.Record(
            f"R{number:07d}", list_name, fields, _attempts(rng, phone, rng.randint(1, 5))
        )


def _attempts(rng: random.Random, phone: str, count: int) -> list[ccr.Attempt]:
    time = START + dt.timedelta(seconds=rng.randrange(30 * 86_400))
    attempts = []
    for index in range(count):
        time += dt.timedelta(seconds=rng.randrange(600, 86_400))
        last = index == count - 1
        interaction = f"{rng.getrandbits(64):016X}"
        if not last or rng.random() < 0.3:
            disposition, cpa, sip = rng.choice(_FAILURES)
            attempts.append(
                ccr.Attempt(
                    phone,
                    time,
                    call_disposition=disposition,
                    record_disposition=_NO_NUMBERS_LEFT if last and count == 5 else None,
                    dialing_duration=rng.randint(5, 40),
                    cpa_duration=rng.randint(0, 4),
                    cpa_result=cpa,
                    sip_code=sip,
                    interaction_id=interaction,
                )
            )
            continue
        disposition = rng.choice((AGREED, REFUSED, CALLBACK))
        attempts.append(
            ccr.Attempt(
                phone,
                time,
                call_disposition=disposition,
                record_disposition=disposition if disposition.final else None,
                note=rng.choice(_NOTES),
                dialing_duration=rng.randint(5, 30),
                cpa_duration=rng.randint(1, 3),
                answered_duration=rng.randint(20, 900),
                agent=rng.choice(_AGENTS),
                cpa_result=ccr.CPAResult.VOICE,
                recording=f"rec_{interaction}.wav",
                rtp_server="rtp-01",
                interaction_id=interaction,
                script_values={
                    "Результат опроса": rng.choice(_ANSWERS),
                    "comment": rng.choice(_NOTES),
                    "Дата доставки": (time + dt.timedelta(days=3)).strftime("%d.%m.%Y"),
                    "internal": "x",
                },
            )
        )
    return attempts


def synthetic_lines(count: int) -> list[str]:
    """The synthetic campaign with ``count`` records, as JSON Lines text lines.

    Benchmarks that compare two versions of the library load the same records
    into each from these lines.
    """
    campaign = synthetic_campaign()
    text = io.StringIO()
    ccr.dump_campaign(campaign, synthetic_records(campaign, count), text)
    return text.getvalue().splitlines(keepends=True)
