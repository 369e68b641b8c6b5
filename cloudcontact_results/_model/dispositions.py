"""Dispositions: the campaign's own, and the platform's system catalogue."""

from __future__ import annotations

import enum
import re

import attrs

from .._closest import did_you_mean
from .._types import Language, normalize_name
from ..errors import UnknownDispositionError, ValidationError
from .validators import instance_of

__all__ = [
    "SYSTEM_DISPOSITIONS",
    "Disposition",
    "DispositionCategory",
    "system_disposition",
]

_CODE = re.compile(r"[0-9A-Za-zА-Яа-яЁё_.\-]+")


class DispositionCategory(enum.Enum):
    """Who sets a disposition: the campaign's agents, the network, or the platform."""

    USER = "user"
    CONNECTION_PROBLEM = "connection problem"
    SYSTEM = "system"


def _check_name(instance: Disposition, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"Disposition.{attribute.name}", value, "must be non-empty text")
    if value != value.strip():
        raise ValidationError(
            f"Disposition.{attribute.name}", value, "must not start or end with spaces"
        )


def _check_code(
    instance: Disposition, attribute: attrs.Attribute[str | None], value: str | None
) -> None:
    if value is not None and (not isinstance(value, str) or not _CODE.fullmatch(value)):
        raise ValidationError(
            "Disposition.code", value, "must be letters, digits, '_', '.' or '-', or None"
        )


def _check_name_ru(
    instance: Disposition, attribute: attrs.Attribute[str | None], value: str | None
) -> None:
    if value is not None:
        _check_name(instance, attribute, value)  # type: ignore[arg-type]


@attrs.frozen
class Disposition:
    """The status of an attempt or of a whole record.

    Args:
        name: the name shown in reports (for system dispositions, the English one).
        code: the alphanumeric "Disposition Code", when the campaign defines codes.
        final: whether the disposition completes the record.
        category: :class:`DispositionCategory`; ``USER`` for the campaign's own.
        name_ru: the Russian name (system dispositions have one).
        description: what the disposition means.

    >>> agreed = Disposition("Согласен", code="1", final=True)
    >>> agreed.category, agreed.is_system
    (<DispositionCategory.USER: 'user'>, False)
    """

    name: str = attrs.field(validator=_check_name)
    code: str | None = attrs.field(default=None, validator=_check_code)
    final: bool = attrs.field(default=False, validator=instance_of(bool, "True or False"))
    category: DispositionCategory = attrs.field(
        default=DispositionCategory.USER,
        validator=instance_of(DispositionCategory, "a DispositionCategory"),
    )
    name_ru: str | None = attrs.field(default=None, validator=_check_name_ru)
    description: str = attrs.field(default="", validator=instance_of(str, "text (str)"))

    @property
    def is_system(self) -> bool:
        """True for the platform's own dispositions (connection problems and system)."""
        return self.category is not DispositionCategory.USER

    def label(self, language: Language | str = Language.EN) -> str:
        """The name reports of ``language`` show: system ones are translated."""
        if Language.parse(language) is Language.RU and self.name_ru is not None:
            return self.name_ru
        return self.name


def _system(
    name: str, name_ru: str, category: DispositionCategory, description: str, *, final: bool = False
) -> Disposition:
    return Disposition(
        name, final=final, category=category, name_ru=name_ru, description=description
    )


_CP = DispositionCategory.CONNECTION_PROBLEM
_SYS = DispositionCategory.SYSTEM

#: The platform's system dispositions (manual, Appendix 1) and the two Do-Not-Call ones.
SYSTEM_DISPOSITIONS: tuple[Disposition, ...] = (
    _system(
        "Announcement",
        "Автоинформатор или IVR",
        _CP,
        "An answer that is neither the customer's voice nor an answering machine message, "
        "e.g. an out-of-office announcement or an IVR menu.",
    ),
    _system(
        "Answering machine",
        "Автоответчик",
        _CP,
        "An answering machine answered on the customer's side.",
    ),
    _system(
        "Other connection issue",
        "Другая проблема соединения",
        _CP,
        "A connection problem that none of the other connection dispositions describes.",
    ),
    _system("Busy", "Занято", _CP, "The called number is busy."),
    _system("Silence", "Молчание", _CP, "Silence for more than 5 seconds after the answer."),
    _system(
        "Fast busy",
        "Направление перегружено",
        _CP,
        "The call cannot be set up because of a problem in the telephone network, "
        "including an invalid or non-existent number.",
    ),
    _system(
        "No answer",
        "Нет ответа",
        _CP,
        "The customer did not answer within the campaign's No Answer timeout.",
    ),
    _system(
        "Invalid number",
        "Неверный номер",
        _CP,
        "A tone signalled that the dialled number is invalid or does not exist.",
    ),
    _system(
        "Network announcement",
        "Сетевое сообщение",
        _CP,
        "A network message played before the customer was reached, "
        "e.g. 'The call cannot be completed'.",
    ),
    _system("Fax or modem", "Факс или модем", _CP, "A fax or modem answered."),
    _system(
        "Finalized by dial rule",
        "Завершен по правилу набора",
        _SYS,
        "The record was completed because its dial rule ran out of attempts.",
        final=True,
    ),
    _system(
        "Record expired",
        "Запись недействительна",
        _SYS,
        "The record's validity period is over.",
        final=True,
    ),
    _system(
        "No numbers left to call",
        "Достигнуто максимальное количество попыток",
        _SYS,
        "Every number of the record has used up its attempts. Used only when the list has "
        "more than one phone number; with one number the last attempt's disposition is used.",
        final=True,
    ),
    _system(
        "Call failed",
        "Неудавшийся вызов",
        _SYS,
        "The call or the attempt ended for an unknown reason.",
    ),
    _system(
        "No agent",
        "Нет оператора",
        _SYS,
        "The customer hung up because no agent was free.",
    ),
    _system("Abandoned", "Сброшен", _SYS, "The call ended before call progress analysis finished."),
    _system("Congestion", "Перегрузка", _SYS, "Reserved for future use."),
    _system(
        "Skipped",
        "Пропущена",
        _SYS,
        "Preview campaigns: the agent accepted the record and closed it without dialling.",
    ),
    _system(
        "Agent failure",
        "Сбой на р.м. оператора",
        _SYS,
        "The call ended because the agent's application failed.",
    ),
    _system("System failure", "Сбой системы", _SYS, "The call ended because the system failed."),
    _system(
        "No disposition",
        "Статус не выбран",
        _SYS,
        "The agent who handled the call did not choose a disposition.",
    ),
    _system(
        "Disposition not found",
        "Статус не найден",
        _SYS,
        "The campaign tried to set a disposition that is not defined.",
    ),
    _system(
        "Phone network unavailable",
        "Телефонная сеть недоступна",
        _SYS,
        "The call cannot be made because the telephone network is unavailable.",
    ),
    _system(
        "Record matches DNC",
        'Запись есть в списке "Не звонить"',
        _SYS,
        "The record matched a Do-Not-Call list and was not dialled.",
        final=True,
    ),
    _system(
        "Number matches DNC",
        'Номер есть в списке "Не звонить"',
        _SYS,
        "The phone number matched a Do-Not-Call list and was not dialled.",
    ),
)


def lookup_key(name: str) -> str:
    """The folded form of a disposition name that every look-up uses."""
    return normalize_name(name.replace("«", '"').replace("»", '"'))


_BY_NAME: dict[str, Disposition] = {}
for _disposition in SYSTEM_DISPOSITIONS:
    _BY_NAME[lookup_key(_disposition.name)] = _disposition
    _BY_NAME[lookup_key(_disposition.label(Language.RU))] = _disposition


def find_system_disposition(name: str) -> Disposition | None:
    """The system disposition called ``name`` in either language, or None."""
    return _BY_NAME.get(lookup_key(name)) if isinstance(name, str) else None


def system_disposition(name: str) -> Disposition:
    """The system disposition called ``name`` (English or Russian).

    The look-up ignores case, the difference between ``е`` and ``ё``, and
    surrounding or repeated spaces.

    Raises:
        UnknownDispositionError: no system disposition has that name.

    >>> system_disposition("Нет ответа").name
    'No answer'
    >>> system_disposition("  завершён ПО правилу набора ").final
    True
    """
    found = find_system_disposition(name)
    if found is None:
        names = [
            label
            for disposition in SYSTEM_DISPOSITIONS
            for label in (disposition.name, disposition.label(Language.RU))
        ]
        raise UnknownDispositionError(
            "disposition", name, f"is not a system disposition{did_you_mean(name, names)}"
        )
    return found
