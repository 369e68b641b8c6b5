"""The analytics tables: what supervisors look at, each a frozen table of typed rows.

Each row class declares its columns once, with their labels in English and
Russian (:func:`_column`); each table class reads them from its row class.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Final, Literal

import attrs

from .._model.cpa import CPAResult
from .._report.rows import QuotaGroup
from .._types import Language
from .table import Cell, Label, Table, TableColumn

__all__ = [
    "PERIODS",
    "WEEKDAYS",
    "AgentDispositionRow",
    "AgentDispositions",
    "AgentRow",
    "Agents",
    "AttemptsToClose",
    "AttemptsToCloseRow",
    "CPAByDisposition",
    "CPAByDispositionRow",
    "CampaignInTime",
    "CampaignInTimeRow",
    "ContactRateByHour",
    "ContactRateRow",
    "DispositionsInTime",
    "DispositionsInTimeRow",
    "ListProgress",
    "ListProgressRow",
    "Period",
    "QuotaGroupRow",
    "QuotaGroups",
    "SIPFailureRow",
    "SIPFailures",
    "TelemarketingCompliance",
    "TelemarketingComplianceRow",
]

#: The length of a period of the tables in time: a clock hour or a calendar day.
Period = Literal["hour", "day"]
PERIODS: Final[tuple[Period, ...]] = ("hour", "day")

#: Weekday names, Monday (ISO weekday 1) first, for labels only: tables hold the number.
WEEKDAYS: Final = (
    Label("Monday", "Понедельник"),
    Label("Tuesday", "Вторник"),
    Label("Wednesday", "Среда"),
    Label("Thursday", "Четверг"),
    Label("Friday", "Пятница"),
    Label("Saturday", "Суббота"),
    Label("Sunday", "Воскресенье"),
)

_LABEL: Final = "label"
_CELL: Final = "cell"


def _column(en: str, ru: str, cell: Cell) -> dict[str, Any]:
    """The metadata of a row's attribute that is a column labelled ``en`` / ``ru``."""
    return {_LABEL: Label(en, ru), _CELL: cell}


def _columns(row: type) -> tuple[TableColumn, ...]:
    """The columns a row class declares, in attribute order."""
    return tuple(
        TableColumn(field.name, field.metadata[_LABEL], field.metadata[_CELL])
        for field in attrs.fields(row)
    )


_PERIOD_DOC = """The period's start, aware, in the table's zone: the start of a clock
            hour (an hour repeated by a DST fall-back is two periods) or midnight."""


# --- list progress ------------------------------------------------------------------------


@attrs.frozen
class ListProgressRow:
    """One calling list's progress (the platform's campaign metrics).

    Attributes:
        list_name: the calling list.
        records: records of the list the input holds.
        never_attempted: records never dialled (no attempt with Is Call Attempt).
        attempted: records dialled at least once.
        completed: records given a record disposition.
        remaining: records not completed.
        out_of_quota: records whose last attempt was stopped by a quota.
    """

    list_name: str = attrs.field(metadata=_column("List", "Список", Cell.TEXT))
    records: int = attrs.field(metadata=_column("Records", "Записи", Cell.COUNT))
    never_attempted: int = attrs.field(
        metadata=_column("Never attempted", "Не набирались", Cell.COUNT)
    )
    attempted: int = attrs.field(metadata=_column("Attempted", "Набирались", Cell.COUNT))
    completed: int = attrs.field(metadata=_column("Completed", "Закрыто", Cell.COUNT))
    remaining: int = attrs.field(metadata=_column("Remaining", "Осталось", Cell.COUNT))
    out_of_quota: int = attrs.field(
        metadata=_column("Out of quota", "Достигнута квота", Cell.COUNT)
    )


@attrs.frozen
class ListProgress(Table[ListProgressRow]):
    """Per calling list: records, never attempted, attempted, completed, remaining, out of quota.

    A detailed report holds only records that were processed at least once;
    records, a simple report or a store also count the records never processed.
    Lists are sorted by name.
    """

    TITLE: ClassVar = Label("List progress", "Прогресс по спискам")
    COLUMNS: ClassVar = _columns(ListProgressRow)

    rows: tuple[ListProgressRow, ...]
    timezone: str


# --- campaign and dispositions in time ----------------------------------------------------


@attrs.frozen
class CampaignInTimeRow:
    """What happened in one period.

    Attributes:
        start: the period's start (see :class:`CampaignInTime`).
        attempts: dialled attempts (Is Call Attempt).
        connects: dialled attempts answered by a person (CPA *Voice* or a conversation).
        completions: attempts that completed their record.
        contact_rate: connects / attempts; None without attempts.
    """

    start: dt.datetime = attrs.field(metadata=_column("Period", "Период", Cell.TIME))
    attempts: int = attrs.field(metadata=_column("Attempts", "Попытки", Cell.COUNT))
    connects: int = attrs.field(metadata=_column("Connects", "Соединения", Cell.COUNT))
    completions: int = attrs.field(metadata=_column("Completions", "Закрыто", Cell.COUNT))
    contact_rate: float | None = attrs.field(
        metadata=_column("Contact rate", "Доля соединений", Cell.RATE)
    )


@attrs.frozen
class CampaignInTime(Table[CampaignInTimeRow]):
    """Attempts, connects and completions per hour or day (the platform's "Campaign in Time").

    Periods are clock hours or calendar days in ``timezone``, in time order;
    a period appears when some attempt (dialled or not) was made in it.
    """

    TITLE: ClassVar = Label("Campaign in time", "Кампания во времени")
    COLUMNS: ClassVar = _columns(CampaignInTimeRow)

    rows: tuple[CampaignInTimeRow, ...]
    timezone: str
    period: Period


@attrs.frozen
class DispositionsInTimeRow:
    """How many attempts of one period ended with one call disposition.

    Attributes:
        start: the period's start.
        call_disposition: the call disposition (None: attempts without one).
        attempts: attempts, dialled or not, with that call disposition.
    """

    start: dt.datetime = attrs.field(metadata=_column("Period", "Период", Cell.TIME))
    call_disposition: str | None = attrs.field(
        metadata=_column("Call Disposition", "Статус попытки", Cell.TEXT)
    )
    attempts: int = attrs.field(metadata=_column("Attempts", "Попытки", Cell.COUNT))


@attrs.frozen
class DispositionsInTime(Table[DispositionsInTimeRow]):
    """Attempts per period and call disposition (the platform's "Dispositions in Time").

    In time order, then by disposition (attempts without one first).
    """

    TITLE: ClassVar = Label("Dispositions in time", "Статусы во времени")
    COLUMNS: ClassVar = _columns(DispositionsInTimeRow)

    rows: tuple[DispositionsInTimeRow, ...]
    timezone: str
    period: Period


# --- telemarketing compliance ---------------------------------------------------------


@attrs.frozen
class TelemarketingComplianceRow:
    """One day's answered and unattended calls.

    Attributes:
        start: midnight of the day, in the table's zone.
        calls_answered: dialled attempts a person answered: connects, and
            the unattended calls (the person answered, no agent took the call).
        no_agent: dialled attempts with call disposition *No agent*.
        abandoned: dialled attempts with call disposition *Abandoned*.
        unattended: ``no_agent + abandoned``.
        unattended_rate: unattended / calls answered; None without answered calls.
    """

    start: dt.datetime = attrs.field(metadata=_column("Day", "День", Cell.TIME))
    calls_answered: int = attrs.field(
        metadata=_column("Calls answered", "Отвеченные вызовы", Cell.COUNT)
    )
    no_agent: int = attrs.field(metadata=_column("No agent", "Нет оператора", Cell.COUNT))
    abandoned: int = attrs.field(metadata=_column("Abandoned", "Сброшен", Cell.COUNT))
    unattended: int = attrs.field(metadata=_column("Unattended", "Без оператора", Cell.COUNT))
    unattended_rate: float | None = attrs.field(
        metadata=_column("Unattended, %", "Без оператора, %", Cell.RATE)
    )


@attrs.frozen
class TelemarketingCompliance(Table[TelemarketingComplianceRow]):
    """Calls answered and unattended per day (the platform's Telemarketing Compliance report)."""

    TITLE: ClassVar = Label("Telemarketing compliance", "Соответствие требованиям телемаркетинга")
    COLUMNS: ClassVar = _columns(TelemarketingComplianceRow)

    rows: tuple[TelemarketingComplianceRow, ...]
    timezone: str


# --- when to call -------------------------------------------------------------------------


@attrs.frozen
class ContactRateRow:
    """Dialled attempts and connects in one hour of one weekday.

    Attributes:
        weekday: ISO weekday, 1 (Monday) to 7 (Sunday); name it with
            :meth:`ContactRateByHour.weekday_name`.
        hour: the hour of the day, 0 to 23, in the table's zone.
        attempts: dialled attempts.
        connects: those answered by a person.
        contact_rate: connects / attempts; None without attempts.
    """

    weekday: int = attrs.field(metadata=_column("Weekday", "День недели", Cell.COUNT))
    hour: int = attrs.field(metadata=_column("Hour", "Час", Cell.COUNT))
    attempts: int = attrs.field(metadata=_column("Attempts", "Попытки", Cell.COUNT))
    connects: int = attrs.field(metadata=_column("Connects", "Соединения", Cell.COUNT))
    contact_rate: float | None = attrs.field(
        metadata=_column("Contact rate", "Доля соединений", Cell.RATE)
    )


@attrs.frozen
class ContactRateByHour(Table[ContactRateRow]):
    """Contact rate by hour of day and weekday: when to call.

    Always the full grid of 7 x 24 rows, Monday 0:00 first, so a heat map
    needs no reshaping.
    """

    TITLE: ClassVar = Label(
        "Contact rate by hour and weekday", "Доля соединений по часам и дням недели"
    )
    COLUMNS: ClassVar = _columns(ContactRateRow)

    rows: tuple[ContactRateRow, ...]
    timezone: str

    @staticmethod
    def weekday_name(weekday: int, language: Language | str = Language.EN) -> str:
        """The name of ISO weekday ``weekday`` (1 is Monday) in ``language``."""
        return WEEKDAYS[weekday - 1](language)


# --- attempts needed to close a record ------------------------------------------------


@attrs.frozen
class AttemptsToCloseRow:
    """How many records of one list were closed after one number of dialled attempts.

    Attributes:
        list_name: the calling list.
        attempts: dialled attempts of the record up to and including the one
            that completed it (0: closed without a dial, e.g. a Do-Not-Call match).
        records: records closed after that many.
        share: records / the list's completed records.
    """

    list_name: str = attrs.field(metadata=_column("List", "Список", Cell.TEXT))
    attempts: int = attrs.field(
        metadata=_column("Attempts to close", "Попыток до закрытия", Cell.COUNT)
    )
    records: int = attrs.field(metadata=_column("Records", "Записи", Cell.COUNT))
    share: float | None = attrs.field(metadata=_column("Share", "Доля", Cell.RATE))


@attrs.frozen
class AttemptsToClose(Table[AttemptsToCloseRow]):
    """The distribution of dialled attempts needed to close a record, by list.

    Sorted by list, then attempts. A record closed more than once counts at
    its last completion (latest time, ties the later in order), like the
    simple report's Record Disposition.
    """

    TITLE: ClassVar = Label("Attempts to close a record", "Попыток до закрытия записи")
    COLUMNS: ClassVar = _columns(AttemptsToCloseRow)

    rows: tuple[AttemptsToCloseRow, ...]
    timezone: str


# --- CPA result x call disposition ----------------------------------------------------


@attrs.frozen
class CPAByDispositionRow:
    """Dialled attempts with one CPA result and one call disposition.

    Attributes:
        cpa_result: the CPA result (None: the attempt has none).
        call_disposition: the call disposition (None: the attempt has none).
        attempts: dialled attempts with both.
    """

    cpa_result: CPAResult | None = attrs.field(
        metadata=_column("CPA result", "Результат CPA", Cell.NUMBER)
    )
    call_disposition: str | None = attrs.field(
        metadata=_column("Call Disposition", "Статус попытки", Cell.TEXT)
    )
    attempts: int = attrs.field(metadata=_column("Attempts", "Попытки", Cell.COUNT))


@attrs.frozen
class CPAByDisposition(Table[CPAByDispositionRow]):
    """CPA result x call disposition of the dialled attempts, where the two disagree.

    The manual warns that the CPA result may differ from the call
    disposition, which the platform also derives from network signalling.
    Sorted by CPA result (none last), then disposition (none first).
    """

    TITLE: ClassVar = Label("CPA result by call disposition", "Результат CPA и статус попытки")
    COLUMNS: ClassVar = _columns(CPAByDispositionRow)

    rows: tuple[CPAByDispositionRow, ...]
    timezone: str

    @staticmethod
    def cpa_label(cpa_result: CPAResult | None, language: Language | str = Language.EN) -> str:
        """The CPA result as reports of ``language`` name it ("" for none)."""
        return "" if cpa_result is None else cpa_result.label(language)


# --- SIP failures, quota groups -----------------------------------------------------------


@attrs.frozen
class SIPFailureRow:
    """Failed dials that ended with one SIP response code.

    Attributes:
        sip_code: the final SIP response code.
        reason: its reason phrase (RFC 3261).
        attempts: failed dials with that code.
        share: attempts / all failed dials with a SIP code.
    """

    sip_code: int = attrs.field(metadata=_column("SIP code", "Код SIP", Cell.NUMBER))
    reason: str = attrs.field(metadata=_column("Reason", "Причина", Cell.TEXT))
    attempts: int = attrs.field(metadata=_column("Attempts", "Попытки", Cell.COUNT))
    share: float | None = attrs.field(metadata=_column("Share", "Доля", Cell.RATE))


@attrs.frozen
class SIPFailures(Table[SIPFailureRow]):
    """The SIP codes of failed dials, most frequent first (ties: by code).

    The code is the one the report's system note shows (``SIP: 486 Busy
    Here``): an agent's note takes the note's place, and its dial is not counted.
    """

    TITLE: ClassVar = Label("SIP failures", "Ошибки SIP")
    COLUMNS: ClassVar = _columns(SIPFailureRow)

    rows: tuple[SIPFailureRow, ...]
    timezone: str


@attrs.frozen
class QuotaGroupRow:
    """One quota group that stopped processing.

    Attributes:
        quota_group: the group's name, or ``NO_MATCH`` for records that matched no group.
        attempts: attempts stopped (or never started) by it.
        records: records whose last attempt it stopped: out of quota now.
    """

    quota_group: QuotaGroup = attrs.field(
        metadata=_column("Quota Group", "Группа квоты", Cell.TEXT)
    )
    attempts: int = attrs.field(metadata=_column("Attempts", "Попытки", Cell.COUNT))
    records: int = attrs.field(
        metadata=_column("Records out of quota", "Записи вне квоты", Cell.COUNT)
    )


@attrs.frozen
class QuotaGroups(Table[QuotaGroupRow]):
    """The quota groups reached, by name (``NO_MATCH`` last)."""

    TITLE: ClassVar = Label("Quota groups reached", "Достигнутые квоты")
    COLUMNS: ClassVar = _columns(QuotaGroupRow)

    rows: tuple[QuotaGroupRow, ...]
    timezone: str


# --- agents -------------------------------------------------------------------------------


@attrs.frozen
class AgentRow:
    """What one agent did.

    Attributes:
        agent: the agent's login.
        calls: attempts the agent handled.
        talk_seconds: their answered duration, in seconds.
        completions: those that completed the record.
        conversion: completions / calls.
    """

    agent: str = attrs.field(metadata=_column("Agent", "Оператор", Cell.TEXT))
    calls: int = attrs.field(metadata=_column("Calls", "Вызовы", Cell.COUNT))
    talk_seconds: int = attrs.field(
        metadata=_column("Talk time, s", "Время разговора, с", Cell.COUNT)
    )
    completions: int = attrs.field(metadata=_column("Completions", "Закрыто", Cell.COUNT))
    conversion: float | None = attrs.field(metadata=_column("Conversion", "Конверсия", Cell.RATE))


@attrs.frozen
class Agents(Table[AgentRow]):
    """Calls, talk time, completions and conversion per agent, most calls first (ties: by login)."""

    TITLE: ClassVar = Label("Agents", "Операторы")
    COLUMNS: ClassVar = _columns(AgentRow)

    rows: tuple[AgentRow, ...]
    timezone: str


@attrs.frozen
class AgentDispositionRow:
    """How many of one agent's calls closed their record with one record disposition.

    Attributes:
        agent: the agent's login.
        record_disposition: the record disposition the agent's call gave.
        completions: the agent's calls that completed a record with it.
        conversion: completions / the agent's calls.
    """

    agent: str = attrs.field(metadata=_column("Agent", "Оператор", Cell.TEXT))
    record_disposition: str = attrs.field(
        metadata=_column("Record Disposition", "Статус записи", Cell.TEXT)
    )
    completions: int = attrs.field(metadata=_column("Completions", "Закрыто", Cell.COUNT))
    conversion: float | None = attrs.field(metadata=_column("Conversion", "Конверсия", Cell.RATE))


@attrs.frozen
class AgentDispositions(Table[AgentDispositionRow]):
    """Conversion of each agent by final (record) disposition, by login, then disposition."""

    TITLE: ClassVar = Label("Agents by record disposition", "Операторы по статусам записи")
    COLUMNS: ClassVar = _columns(AgentDispositionRow)

    rows: tuple[AgentDispositionRow, ...]
    timezone: str


# --- every table at once ------------------------------------------------------------------


@attrs.frozen
class Analytics:
    """Every analytics table of one campaign, from one pass over its rows.

    Attributes:
        list_progress: :class:`ListProgress`.
        campaign_in_time: :class:`CampaignInTime`.
        dispositions_in_time: :class:`DispositionsInTime`.
        telemarketing_compliance: :class:`TelemarketingCompliance`.
        contact_rate_by_hour: :class:`ContactRateByHour`.
        attempts_to_close: :class:`AttemptsToClose`.
        cpa_by_disposition: :class:`CPAByDisposition`.
        sip_failures: :class:`SIPFailures`.
        quota_groups: :class:`QuotaGroups`.
        agents: :class:`Agents`.
        agent_dispositions: :class:`AgentDispositions`.
    """

    list_progress: ListProgress
    campaign_in_time: CampaignInTime
    dispositions_in_time: DispositionsInTime
    telemarketing_compliance: TelemarketingCompliance
    contact_rate_by_hour: ContactRateByHour
    attempts_to_close: AttemptsToClose
    cpa_by_disposition: CPAByDisposition
    sip_failures: SIPFailures
    quota_groups: QuotaGroups
    agents: Agents
    agent_dispositions: AgentDispositions

    @property
    def tables(self) -> tuple[Table[Any], ...]:
        """Every table, in the order of the attributes."""
        return tuple(getattr(self, field.name) for field in attrs.fields(type(self)))

    def _repr_html_(self) -> str:
        # A few rows of each: the whole set stays small however long the campaign.
        return "".join(table.to_html(max_rows=5) for table in self.tables)
