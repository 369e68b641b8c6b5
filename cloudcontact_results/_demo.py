"""A believable sample campaign, generated deterministically, to try the library on.

Everything comes from one ``random.Random(seed)``, so the same seed gives the
same campaign and records, byte for byte, on every machine.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections.abc import Iterator
from typing import Final

import attrs

from ._model.campaign import (
    NO_MATCH,
    Attempt,
    CallingList,
    Campaign,
    QuotaOutcome,
    Record,
    ScriptField,
)
from ._model.cpa import CPAResult
from ._model.dispositions import Disposition, system_disposition
from .errors import ValidationError

__all__ = ["demo_campaign"]

_MOSCOW: Final = zoneinfo.ZoneInfo("Europe/Moscow")
#: Monday: the campaign runs five working days from here.
_START: Final = dt.datetime(2026, 3, 2, tzinfo=_MOSCOW)
_DAYS: Final = 5

MOBILE_LIST: Final = "Список клиентов (моб тлф)"
#: A preview-mode list: agents see the record first, and several dials of
#: one preview share one interaction id.
PREVIEW_LIST: Final = "Повторный обзвон (превью)"

_LISTS: Final = (
    CallingList(MOBILE_LIST, ("№", "Фамилия", "Имя отчество", "Телефон", "Адрес", "Продукт")),
    CallingList(
        PREVIEW_LIST,
        ("№", "Фамилия", "Имя отчество", "Телефон", "Телефон 2", "Город", "Сумма, руб."),
    ),
)

_SCRIPT_FIELDS: Final = (
    ScriptField("Результат опроса"),
    ScriptField("product"),
    ScriptField("Дата доставки"),
    ScriptField("comment"),
    ScriptField("Оценка оператора", export=False),
    # The manual's sample repeats ``comment``; the second one is hidden so the
    # demo's exports read back without naming their script fields.
    ScriptField("comment", export=False),
)

AGREED: Final = Disposition("Согласен", code="1", final=True)
ORDER: Final = Disposition("Заказ", code="2", final=True)
REFUSED: Final = Disposition("Отказ", code="3", final=True)
CALL_BACK: Final = Disposition("Перезвонить", code="4", final=False)
NOT_INTERESTED: Final = Disposition("Не интересно", code="5", final=True)
ALREADY_CLIENT: Final = Disposition("Уже клиент", code="6", final=True)
WRONG_PERSON: Final = Disposition("Не тот человек", code="7", final=False)

_DISPOSITIONS: Final = (
    AGREED,
    ORDER,
    REFUSED,
    CALL_BACK,
    NOT_INTERESTED,
    ALREADY_CLIENT,
    WRONG_PERSON,
)

_SYSTEM: Final = {
    name: system_disposition(name)
    for name in (
        "Busy",
        "No answer",
        "Invalid number",
        "Fast busy",
        "Answering machine",
        "Phone network unavailable",
        "Other connection issue",
        "Network announcement",
        "Silence",
        "Abandoned",
        "No agent",
        "No disposition",
        "Skipped",
        "Finalized by dial rule",
        "No numbers left to call",
        "Record expired",
        "Record matches DNC",
        "Number matches DNC",
    )
}

#: Failed dials: disposition, CPA result, SIP code, dialling seconds (range).
_FAILURES: Final = (
    ("Busy", CPAResult.BUSY, 486, (3, 12), 30),
    ("No answer", CPAResult.RING_BACK, 480, (30, 45), 30),
    ("Answering machine", CPAResult.ANSWERING_MACHINE, None, (8, 25), 12),
    ("Invalid number", CPAResult.SIT, 404, (2, 6), 5),
    ("Fast busy", CPAResult.FAST_BUSY, 503, (1, 4), 4),
    ("Phone network unavailable", None, 503, (0, 2), 3),
    ("Other connection issue", CPAResult.UNKNOWN, 408, (20, 32), 3),
    ("Network announcement", CPAResult.MESSAGE, 487, (5, 15), 3),
    ("Silence", CPAResult.SILENCE, None, (5, 20), 3),
    ("Abandoned", CPAResult.UNKNOWN, None, (5, 20), 3),
    ("No agent", CPAResult.VOICE, None, (5, 20), 4),
)

_SURNAMES: Final = (
    ("Иванов", "Иванова"),
    ("Петров", "Петрова"),
    ("Смирнов", "Смирнова"),
    ("Кузнецов", "Кузнецова"),
    ("Соколов", "Соколова"),
    ("Попов", "Попова"),
    ("Лебедев", "Лебедева"),
    ("Козлов", "Козлова"),
    ("Новиков", "Новикова"),
    ("Морозов", "Морозова"),
    ("Волков", "Волкова"),
    ("Фёдоров", "Фёдорова"),
)
_MALE_NAMES: Final = ("Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Иван", "Михаил")
_FEMALE_NAMES: Final = ("Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Анна", "Ирина")
_PATRONYMICS: Final = (
    ("Александрович", "Александровна"),
    ("Сергеевич", "Сергеевна"),
    ("Петрович", "Петровна"),
    ("Иванович", "Ивановна"),
    ("Викторович", "Викторовна"),
)
_STREETS: Final = (
    "ул. Песчаная",
    "ул. Тверская",
    "Ленинский пр-т",
    "ул. Марьиной Рощи 17-й пр.",
    "ул. Профсоюзная",
    "Кутузовский пр-т",
    "ул. Маросейка",
)
_CITIES: Final = ("Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск")
_PRODUCTS: Final = (
    "Интернет 100 Мбит/с",
    "ТВ «Базовый»",
    "Мобильная связь «Безлимит»",
    "Домашний телефон",
    "Видеонаблюдение",
)
_OPERATORS: Final = ("916", "903", "925", "985", "926", "967", "999")
#: The caller id the campaign presents (Bright Pattern 5.x's ANI); preview dials show none.
CAMPAIGN_ANI: Final = "+74951112233"
#: Bright Pattern 5.x's Action Applied after a failed dial with each disposition.
_FAILURE_ACTIONS: Final = {
    "Busy": "Retry",
    "Invalid number": "Stop calling number for all campaigns",
    "Fast busy": "Retry",
}
_AGENTS: Final = ("a.ivanova", "p.smirnov", "e.kozlova", "d.volkov", "o.novikova", "agent01")
_RTP_SERVERS: Final = ("rtp1", "rtp2", "rtp-03.cc.local")
_QUOTA_GROUPS: Final = ("Москва, 25-34", "Москва, 35-54", "Регионы, 55+")
_NOTES: Final = {
    AGREED: ("Согласен на подключение", "Подключение с 1-го числа", ""),
    ORDER: ("Доставка курьером", "Оплата картой при получении", ""),
    REFUSED: ("Дорого", "Пользуется услугами другого оператора", ""),
    CALL_BACK: ("Просит перезвонить вечером", "Занят, перезвонить завтра", "За рулём"),
    NOT_INTERESTED: ("Не интересно", ""),
    ALREADY_CLIENT: ("Уже подключён", ""),
    WRONG_PERSON: ("Трубку взял родственник", "Номер сменил владельца"),
}


def demo_campaign(records: int = 200, seed: int = 1) -> tuple[Campaign, Iterator[Record]]:
    """A sample campaign and ``records`` of its records, the same for the same ``seed``.

    Two calling lists with partly different columns (one dialled in Preview
    mode), Cyrillic names, addresses and products, exported and hidden script
    fields (``comment`` twice, once hidden), the campaign's own dispositions with codes and
    system ones, failed dials with CPA results and SIP codes, conversations,
    callbacks and inbound calls, Do-Not-Call matches, quota stops (also
    ``NO_MATCH``) and records never dialled, over five working days in
    Europe/Moscow starting on 2 March 2026. Attempts carry the Bright Pattern
    5.x fields too: the campaign's caller id (``ani``, none for preview dials
    or attempts never dialled) and the action the dialer applied after each
    (``action_applied``), so ``ExportOptions(layout="5.x")`` shows them.

    Args:
        records: how many records to generate (>= 0).
        seed: the seed of the generator.

    Returns:
        The campaign and a lazy iterator of its records; call again for a
        second pass, the records will be the same.

    Raises:
        ValidationError: ``records`` is negative.

    >>> campaign, records = demo_campaign(3)
    >>> [calling_list.name for calling_list in campaign.lists]
    ['Список клиентов (моб тлф)', 'Повторный обзвон (превью)']
    >>> len(list(records))
    3
    """
    if not isinstance(records, int) or isinstance(records, bool) or records < 0:
        raise ValidationError("records", records, "must be a whole number >= 0")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValidationError("seed", seed, "must be a whole number")
    campaign = Campaign(
        "Подключение услуг, март 2026",
        _LISTS,
        script_fields=_SCRIPT_FIELDS,
        dispositions=_DISPOSITIONS,
    )
    return campaign, _records(records, seed)


def _records(count: int, seed: int) -> Iterator[Record]:
    rng = random.Random(seed)  # noqa: S311 - sample data, not secrets
    for number in range(1, count + 1):
        yield _Generator(rng, number).record()


@attrs.define
class _Generator:
    """Builds one record: its list data, then a story of attempts in time order."""

    rng: random.Random
    number: int
    attempts: list[Attempt] = attrs.Factory(list)
    time: dt.datetime = _START
    preview_id: str = ""

    def record(self) -> Record:
        rng = self.rng
        preview = rng.random() < 0.3
        fields = self._fields(preview=preview)
        phones = [fields["Телефон"]] + ([fields["Телефон 2"]] if fields.get("Телефон 2") else [])
        self.time = _START + dt.timedelta(
            days=rng.randrange(_DAYS), hours=9 + rng.random() * 3, minutes=rng.randrange(60)
        )
        self.time = self.time.replace(microsecond=0)
        story = rng.choices(
            ("untouched", "dnc-record", "dnc-number", "quota", "expired", "calls"),
            weights=(7, 3, 3, 6, 2, 79),
        )[0]
        if story == "dnc-record":
            self._not_dialled(phones[0], _SYSTEM["Record matches DNC"], completes=True)
        elif story == "dnc-number":
            self._not_dialled(phones[0], _SYSTEM["Number matches DNC"], completes=False)
            if len(phones) > 1:
                self._calls(phones[1:], preview=preview)
        elif story == "quota":
            if rng.random() < 0.5:
                self._failed(phones[0], preview=preview)
                self._later()
            self._quota_stop(phones[0], preview=preview)
        elif story == "expired":
            self._failed(phones[0], preview=preview)
            self._later(hours=30)
            self._not_dialled(phones[0], _SYSTEM["Record expired"], completes=True)
        elif story == "calls":
            self._calls(phones, preview=preview)
        list_name = PREVIEW_LIST if preview else MOBILE_LIST
        return Record(f"{1000 + self.number}", list_name, fields, self.attempts)

    # --- list data ----------------------------------------------------------------

    def _fields(self, *, preview: bool) -> dict[str, str]:
        rng = self.rng
        female = rng.random() < 0.55
        surname = rng.choice(_SURNAMES)[female]
        first = rng.choice(_FEMALE_NAMES if female else _MALE_NAMES)
        patronymic = rng.choice(_PATRONYMICS)[female]
        fields = {
            "№": str(self.number),
            "Фамилия": surname,
            "Имя отчество": f"{first} {patronymic}",
            "Телефон": self._phone(),
        }
        if preview:
            if rng.random() < 0.4:
                fields["Телефон 2"] = self._phone()
            fields["Город"] = rng.choice(_CITIES)
            fields["Сумма, руб."] = str(rng.randrange(5, 120) * 100)
        else:
            street = rng.choice(_STREETS)
            fields["Адрес"] = (
                f"г. Москва, {street}, д. {rng.randrange(1, 90)}, кв. {rng.randrange(1, 300)}"
            )
            fields["Продукт"] = rng.choice(_PRODUCTS)
        return fields

    def _phone(self) -> str:
        return f"+7{self.rng.choice(_OPERATORS)}{self.rng.randrange(10**7):07d}"

    # --- attempts -------------------------------------------------------------------

    def _later(self, *, hours: float = 2) -> None:
        gap = self.rng.uniform(0.25, 1.0) * hours * 3600
        self.time += dt.timedelta(seconds=int(gap))

    def _interaction_id(self, *, preview: bool) -> str:
        if preview:
            # One preview can hold several dials; a new preview starts now and then.
            if not self.preview_id or self.rng.random() < 0.3:
                self.preview_id = self._new_id()
            return self.preview_id
        return self._new_id()

    def _new_id(self) -> str:
        return f"{self.rng.getrandbits(128):032X}"

    def _calls(self, phones: list[str], *, preview: bool) -> None:
        """Dials until a conversation ends the record, or the dial rule gives up."""
        rng = self.rng
        max_attempts = rng.randint(1, 5)
        for index in range(max_attempts):
            phone = phones[index % len(phones)]
            last = index == max_attempts - 1
            if preview and rng.random() < 0.05:
                self._skipped(phone)
                return
            if rng.random() < 0.45:
                outcome = self._conversation(phone, preview=preview)
                if outcome is not None and outcome.final:
                    return
                if outcome is CALL_BACK and rng.random() < 0.4:
                    # The customer rings back before the dialler gets to it.
                    self._later(hours=5)
                    self._conversation(phone, preview=False, inbound=True)
                    return
            else:
                self._failed(phone, preview=preview, closes=last, one_number=len(phones) == 1)
            self._later(hours=rng.choice((1, 3, 20)))

    def _failed(
        self, phone: str, *, preview: bool, closes: bool = False, one_number: bool = False
    ) -> None:
        """A dial that reached nobody; with ``closes``, the dial rule's last one.

        The record is then closed with *No numbers left to call*, or, for a list
        of one number, with this attempt's own status (manual, Appendix 1).
        """
        rng = self.rng
        name, cpa, sip, (low, high), _ = rng.choices(
            _FAILURES, weights=[failure[4] for failure in _FAILURES]
        )[0]
        finalizer = None
        if closes and not one_number:
            finalizer = _SYSTEM["No numbers left to call"]
        elif closes:
            finalizer = _SYSTEM[name]
        interaction_id = self._interaction_id(preview=preview)
        cpa_recording = cpa_server = ""
        if cpa is not None and cpa is not CPAResult.UNKNOWN and rng.random() < 0.5:
            cpa_recording = f"cpa_{interaction_id.lower()[:12]}.wav"
            cpa_server = rng.choice(_RTP_SERVERS)
        if finalizer is not None:
            action = "Stop calling record"
        else:
            action = _FAILURE_ACTIONS.get(name, "Reschedule")
        self.attempts.append(
            Attempt(
                phone,
                self.time,
                call_disposition=_SYSTEM[name],
                record_disposition=finalizer,
                sip_code=sip,
                cpa_result=cpa,
                dialing_duration=rng.randint(low, high),
                cpa_duration=rng.randint(1, 4) if cpa not in (None, CPAResult.UNKNOWN) else 0,
                cpa_recording=cpa_recording,
                cpa_rtp_server=cpa_server,
                interaction_id=interaction_id,
                ani=_ani(preview=preview),
                action_applied=action,
            )
        )

    def _conversation(
        self, phone: str, *, preview: bool, inbound: bool = False
    ) -> Disposition | None:
        """A call answered by a person; returns its disposition (None: no disposition)."""
        rng = self.rng
        disposition = rng.choices(
            (*_DISPOSITIONS, _SYSTEM["No disposition"]),
            weights=(16, 10, 18, 22, 14, 6, 6, 3),
        )[0]
        completes = disposition.final
        interaction_id = self._new_id() if inbound else self._interaction_id(preview=preview)
        script_values: dict[str, str] = {}
        if disposition in (AGREED, ORDER):
            script_values["Результат опроса"] = disposition.name.lower()
            script_values["product"] = rng.choice(_PRODUCTS)
            day = self.time.date() + dt.timedelta(days=rng.randint(1, 7))
            script_values["Дата доставки"] = day.strftime("%d.%m.%Y")
        elif disposition in (REFUSED, NOT_INTERESTED):
            script_values["Результат опроса"] = "отказ"
        script_values["Оценка оператора"] = str(rng.randint(1, 5))
        note = rng.choice(_NOTES.get(disposition, ("",)))
        if note:
            script_values["comment"] = note
        self.attempts.append(
            Attempt(
                phone,
                self.time,
                call_disposition=disposition,
                record_disposition=disposition if completes else None,
                note=note,
                dialing_duration=0 if inbound else rng.randint(4, 25),
                cpa_duration=0 if inbound else rng.randint(1, 3),
                answered_duration=rng.randint(20, 420),
                agent=rng.choice(_AGENTS),
                cpa_result=None if inbound else CPAResult.VOICE,
                recording=f"rec_{interaction_id.lower()[:12]}.wav",
                rtp_server=rng.choice(_RTP_SERVERS),
                interaction_id=interaction_id,
                is_inbound=inbound,
                script_values=script_values,
                # An inbound call's caller is the customer.
                ani=phone if inbound else _ani(preview=preview),
                action_applied=_conversation_action(disposition),
            )
        )
        return None if disposition.is_system else disposition

    def _skipped(self, phone: str) -> None:
        self.attempts.append(
            Attempt(
                phone,
                self.time,
                is_call_attempt=False,
                call_disposition=_SYSTEM["Skipped"],
                agent=self.rng.choice(_AGENTS),
                note="Клиент просил не беспокоить до апреля",
                action_applied="Reschedule (by agent)",
            )
        )

    def _not_dialled(self, phone: str, disposition: Disposition, *, completes: bool) -> None:
        self.attempts.append(
            Attempt(
                phone,
                self.time,
                is_call_attempt=False,
                call_disposition=disposition,
                record_disposition=disposition if completes else None,
                action_applied=(
                    "Stop calling record" if completes else "Stop calling number for all campaigns"
                ),
            )
        )

    def _quota_stop(self, phone: str, *, preview: bool) -> None:
        rng = self.rng
        group = rng.choice((*_QUOTA_GROUPS, NO_MATCH))
        if rng.random() < 0.3:
            # The quota was reached while the call was up: it was dialled and answered.
            self.attempts.append(
                Attempt(
                    phone,
                    self.time,
                    quota=QuotaOutcome(group),
                    dialing_duration=rng.randint(4, 20),
                    cpa_duration=1,
                    answered_duration=rng.randint(20, 90),
                    agent=rng.choice(_AGENTS),
                    cpa_result=CPAResult.VOICE,
                    interaction_id=self._interaction_id(preview=preview),
                    ani=_ani(preview=preview),
                    action_applied="Wait",
                )
            )
        else:
            self.attempts.append(
                Attempt(
                    phone,
                    self.time,
                    is_call_attempt=False,
                    quota=QuotaOutcome(group),
                    action_applied="Wait",
                )
            )


def _ani(*, preview: bool) -> str:
    return "" if preview else CAMPAIGN_ANI


def _conversation_action(disposition: Disposition) -> str:
    if disposition.final:
        return "Stop calling record"
    if disposition is CALL_BACK:
        return "Reschedule (by agent)"
    return "Reschedule"
