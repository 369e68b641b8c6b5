"""The columns of the two reports: headers in both languages, and what each holds.

:data:`SIMPLE_COLUMNS` and :data:`DETAILED_COLUMNS` are the manual's layout;
:data:`ANI` and :data:`ACTION_APPLIED` are the two columns Bright Pattern 5.x
adds to the detailed report, and :data:`DETAILED_COLUMNS_5X` is the detailed
report laid out with them (see ``docs/development/decisions.md`` for where they go).
"""

from __future__ import annotations

import enum

import attrs

from .._types import Language

__all__ = [
    "ACTION_APPLIED",
    "ANI",
    "DETAILED_COLUMNS",
    "DETAILED_COLUMNS_5X",
    "SIMPLE_COLUMNS",
    "Column",
    "ColumnKind",
]


class ColumnKind(enum.Enum):
    """How a column's value is written and read back."""

    TEXT = "text"  # str, "" when missing
    FLAG = "flag"  # bool, 1/0
    COUNT = "count"  # int, always present
    SECONDS = "seconds"  # int | None
    TIME = "time"  # aware datetime | None
    DISPOSITION = "disposition"  # canonical name | None; system names translated
    CODE = "code"  # str | None
    QUOTA_GROUP = "quota group"  # str | NO_MATCH | None
    NOTE = "note"  # str | SystemNote
    CPA = "cpa"  # CPAResult | None


def _to_names(value: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class Column:
    """One report column after the list columns and script fields.

    Attributes:
        attribute: the attribute of the typed row that holds its value.
        en: the English header the library writes.
        ru: the Russian header the library writes.
        kind: how its value is written and read back.
        aliases: other headers the reader accepts for it (spellings the
            platform has used).
    """

    attribute: str
    en: str
    ru: str
    kind: ColumnKind
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_to_names)

    def header(self, language: Language | str = Language.EN) -> str:
        """The column's header in ``language`` (a :class:`Language` or its value).

        Raises:
            OptionsError: ``language`` is neither.
        """
        return self.ru if Language.parse(language) is Language.RU else self.en


_K = ColumnKind

SIMPLE_COLUMNS: tuple[Column, ...] = (
    Column(
        "total_attempts",
        "Total attempts (per rec)",
        "Общее число попыток",
        _K.COUNT,
        aliases=("Total attempts",),
    ),
    Column("completed", "Completed", "Закрыто", _K.FLAG),
    Column("record_disposition", "Record Disposition", "Статус записи", _K.DISPOSITION),
    Column("record_disposition_code", "Record Disposition Code", "Код статуса записи", _K.CODE),
    Column("out_of_quota", "Out of Quota", "Достигнута квота", _K.FLAG),
    Column("quota_group", "Quota Group", "Группа квоты", _K.QUOTA_GROUP),
    Column("last_phone_called", "Last Phone Called", "Последний номер телефона", _K.TEXT),
    Column(
        "last_call_disposition",
        "Last Call Disposition",
        "Статус последней попытки",
        _K.DISPOSITION,
    ),
    Column(
        "last_call_disposition_code",
        "Last Call Disposition Code",
        "Код статуса последней попытки",
        _K.CODE,
    ),
    Column("last_note", "Last Note", "Последний комментарий", _K.NOTE),
    Column("last_call_time", "Last Call Time", "Время последней попытки", _K.TIME),
    Column(
        "last_call_duration",
        "Last Call Duration",
        "Длительность последнего разговора",
        _K.SECONDS,
    ),
    Column("last_agent", "Last Agent", "Последний оператор", _K.TEXT),
    Column("global_interaction_id", "Global Interaction ID", "ID вызова", _K.TEXT),
    Column("list_name", "List Name", "Название списка", _K.TEXT),
)

DETAILED_COLUMNS: tuple[Column, ...] = (
    Column("this_phone_number", "This Phone number", "Номер телефона", _K.TEXT),
    Column("is_call_attempt", "Is Call Attempt", "Попытка набора", _K.FLAG),
    Column("completed", "Completed", "Закрыто", _K.FLAG),
    Column("record_disposition", "Record Disposition", "Статус записи", _K.DISPOSITION),
    Column("record_disposition_code", "Record Disposition Code", "Код статуса записи", _K.CODE),
    Column("out_of_quota", "Out of Quota", "Достигнута квота", _K.FLAG),
    Column("quota_group", "Quota Group", "Группа квоты", _K.QUOTA_GROUP),
    Column("call_disposition", "Call Disposition", "Статус попытки", _K.DISPOSITION),
    Column("call_disposition_code", "Call Disposition Code", "Код статуса попытки", _K.CODE),
    Column("call_note", "Call Note", "Комментарий к вызову", _K.NOTE),
    Column("call_time", "Call Time", "Время попытки", _K.TIME),
    Column("dialing_duration", "Dialing Duration", "Длительность набора", _K.COUNT),
    Column("cpa_duration", "CPA Duration", "Длительность CPA", _K.COUNT),
    Column("answered_duration", "Answered Duration", "Длительность разговора", _K.COUNT),
    Column("agent", "Agent", "Оператор", _K.TEXT),
    Column("cpa_result", "CPA result", "Результат CPA", _K.CPA),
    Column("cpa_recording_file", "CPA recording file", "Файл записи результата CPA", _K.TEXT),
    Column("cpa_rtp_server_id", "CPA RTP server id", "Id сервера с результатом CPA", _K.TEXT),
    Column("recording_file", "Recording file", "Файл записи разговора", _K.TEXT),
    Column("rtp_server_id", "RTP server id", "Id сервера с записью разговора", _K.TEXT),
    Column("global_interaction_id", "Global Interaction ID", "ID вызова", _K.TEXT),
    Column("record_id", "Record ID", "ID записи", _K.TEXT),
    Column("list_name", "List Name", "Название списка", _K.TEXT),
    Column("is_inbound_call", "Is Inbound Call", "Входящий вызов", _K.FLAG),
)

#: Bright Pattern 5.x: the caller id the campaign presented (empty in preview campaigns).
ANI = Column("ani", "ANI", "АОН", _K.TEXT)
#: Bright Pattern 5.x: what the dialer did after the attempt (``Retry``, ``Wait``…).
ACTION_APPLIED = Column("action_applied", "Action Applied", "Применённое действие", _K.TEXT)


def _with(columns: tuple[Column, ...], after: dict[str, Column]) -> tuple[Column, ...]:
    laid_out: list[Column] = []
    for column in columns:
        laid_out.append(column)
        if column.attribute in after:
            laid_out.append(after[column.attribute])
    return tuple(laid_out)


#: The detailed report of Bright Pattern 5.x: the caller id beside the number
#: dialled, the action applied after the attempt's disposition.
DETAILED_COLUMNS_5X: tuple[Column, ...] = _with(
    DETAILED_COLUMNS, {"this_phone_number": ANI, "call_disposition_code": ACTION_APPLIED}
)
