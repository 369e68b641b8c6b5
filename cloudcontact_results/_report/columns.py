"""The columns of the two reports: headers in both languages, and what each holds."""

from __future__ import annotations

import enum

import attrs

from .._types import Language

__all__ = ["DETAILED_COLUMNS", "SIMPLE_COLUMNS", "Column", "ColumnKind"]


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


@attrs.frozen
class Column:
    """One report column after the list columns and script fields."""

    attribute: str
    en: str
    ru: str
    kind: ColumnKind

    def header(self, language: Language | str = Language.EN) -> str:
        """The column's header in ``language`` (a :class:`Language` or its value).

        Raises:
            OptionsError: ``language`` is neither.
        """
        return self.ru if Language.parse(language) is Language.RU else self.en


_K = ColumnKind

SIMPLE_COLUMNS: tuple[Column, ...] = (
    Column("total_attempts", "Total attempts", "Общее число попыток", _K.COUNT),
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
