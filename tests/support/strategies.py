"""Hypothesis strategies that build *valid* domain objects.

Every property test of the project draws its campaigns, records and attempts
from here, so the strategies aim to be realistic *and* nasty at once:

* times are timezone-aware, in several zones (some with DST, some off the
  hour), sometimes with microseconds or inside the repeated wall-clock times
  of a DST fall-back (``fold=1``);
  attempts of a record are in time order as instants, with ties;
* names and cell values mix Cyrillic and Latin text, commas, quotes, line
  breaks, text that looks like a spreadsheet formula (``=``, ``+``, ``-``,
  ``@``, a leading ``'``) and phone numbers such as ``+79161234567``;
* attempts come in the shapes the platform produces (see :func:`attempts_for`),
  most with Bright Pattern 5.x's ``ani`` and ``action_applied``:
  failed dials with CPA results and SIP codes, answered calls with an agent,
  inbound callbacks, quota stops, Do-Not-Call matches, expired records,
  skipped preview records; Preview campaigns reuse one interaction id across
  several dials of a record.

Everything built here passes the validators of ``cloudcontact_results._model``
and also the checks made when a record meets its campaign: a record belongs to
one of the campaign's lists, its ``fields`` are columns of that list, its
script values are keyed by names of the campaign's script fields, and every
disposition is the campaign's own or a system one.

Public API (names are stable, later tests import them)::

    aware_datetimes()                       -> datetime (aware)
    user_dispositions()                     -> Disposition (category USER)
    calling_lists(name=None)                -> CallingList
    campaigns()                             -> Campaign
    attempts_for(campaign)                  -> Attempt
    records_for(campaign, *, max_attempts)  -> Record
    campaign_with_records(max_records=8)    -> (Campaign, list[Record])
    list_with_records(max_records=8)        -> (CallingList, list[Record]) as a list file loads

plus the building blocks ``cell_texts()``, ``phone_numbers()``,
``quota_outcomes()`` and the constants ``ZONES``, ``EXPORT_ZONES``,
``COLUMN_POOL`` and ``SCRIPT_FIELD_POOL``.
"""

from __future__ import annotations

import datetime as dt
import string
import urllib.parse
from collections.abc import Sequence
from typing import Literal
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results._model.dispositions import find_system_disposition, lookup_key

__all__ = [
    "COLUMN_POOL",
    "EXPORT_ZONES",
    "SCRIPT_FIELD_POOL",
    "ZONES",
    "attempts_for",
    "aware_datetimes",
    "calling_lists",
    "campaign_with_records",
    "campaigns",
    "cell_texts",
    "export_options",
    "list_phone_numbers",
    "list_with_records",
    "national_ru_numbers",
    "phone_numbers",
    "quota_outcomes",
    "records_for",
    "remotes",
    "system_configurations",
    "user_dispositions",
]

UTC = dt.UTC

#: The zones times are drawn in. America/New_York and Europe/Berlin have DST;
#: Moscow and Yekaterinburg do not (since 2014), UTC is the neutral one. The
#: others move or sit off the hour: Australia/Lord_Howe (+10:30) moves its
#: clocks by 30 minutes, Pacific/Chatham (+12:45) by an hour at a quarter to,
#: Asia/Kathmandu is +05:45 all year, and Africa/Monrovia was 44 minutes 30
#: seconds behind UTC until 1972 (times around that change are drawn too).
ZONES: tuple[dt.tzinfo, ...] = (
    UTC,
    ZoneInfo("Europe/Moscow"),
    ZoneInfo("Asia/Yekaterinburg"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("Australia/Lord_Howe"),
    ZoneInfo("Pacific/Chatham"),
    ZoneInfo("Asia/Kathmandu"),
    ZoneInfo("Africa/Monrovia"),
)

#: The export zones drawn by :func:`export_options`: a few with whole-hour
#: changes and the ones above that move or sit off the hour.
EXPORT_ZONES: tuple[str, ...] = (
    "Europe/Moscow",
    "UTC",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "Africa/Monrovia",
)

#: Column names of calling lists, as in the manual's sample (plus a few more).
#: Lists draw subsets of this pool, so lists of one campaign share some
#: columns and differ in others.
COLUMN_POOL: tuple[str, ...] = (
    "№",
    "Фамилия",
    "Имя отчество",
    "Телефон",
    "Адрес",
    "Продукт",
    "Email",
    "Город",
    "Телефон 2",
    "Сумма, руб.",
)

#: Names of script (activity form) fields, as in the manual's sample.
SCRIPT_FIELD_POOL: tuple[str, ...] = (
    "LPT",
    "Last name",
    "First name",
    "address",
    "product",
    "comment",
    "Результат опроса",
    "Дата доставки",
)

_PHONE_COLUMNS = frozenset({"Телефон", "Телефон 2"})

_LATIN = string.ascii_letters
_CYRILLIC = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_DIGITS = string.digits


# --- times --------------------------------------------------------------------


def _sunday(year: int, month: int, nth: int) -> dt.date:
    """The ``nth`` Sunday of a month (``nth=-1``: the last one)."""
    if nth > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(6 - first.weekday()) % 7 + 7 * (nth - 1))
    last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


def _dst_transitions() -> tuple[tuple[dt.datetime, dt.tzinfo], ...]:
    """The UTC instants at which the zones of :data:`ZONES` change their clocks, 2020-2030.

    Also Monrovia's one change, in 1972, from -00:44:30 to UTC.
    """
    new_york, berlin = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")
    lord_howe, chatham = ZoneInfo("Australia/Lord_Howe"), ZoneInfo("Pacific/Chatham")
    transitions = []
    for year in range(2020, 2031):
        for day, at, zone in (
            (_sunday(year, 3, 2), dt.time(7), new_york),  # 02:00 EST -> 03:00 EDT
            (_sunday(year, 11, 1), dt.time(6), new_york),  # 02:00 EDT -> 01:00 EST
            (_sunday(year, 3, -1), dt.time(1), berlin),  # 02:00 CET -> 03:00 CEST
            (_sunday(year, 10, -1), dt.time(1), berlin),  # 03:00 CEST -> 02:00 CET
            # The day before in UTC: 02:00 +11:00 -> 01:30 +10:30 ...
            (_sunday(year, 4, 1) - dt.timedelta(days=1), dt.time(15), lord_howe),
            # ... and 02:00 +10:30 -> 02:30 +11:00.
            (_sunday(year, 10, 1) - dt.timedelta(days=1), dt.time(15, 30), lord_howe),
            # 03:45 +13:45 -> 02:45 +12:45, and 02:45 +12:45 -> 03:45 +13:45.
            (_sunday(year, 4, 1) - dt.timedelta(days=1), dt.time(14), chatham),
            (_sunday(year, 9, -1) - dt.timedelta(days=1), dt.time(14), chatham),
        ):
            transitions.append((dt.datetime.combine(day, at, tzinfo=UTC), zone))
    # 00:00 -00:44:30 -> 00:44:30 GMT.
    transitions.append(
        (dt.datetime(1972, 1, 7, 0, 44, 30, tzinfo=UTC), ZoneInfo("Africa/Monrovia"))
    )
    return tuple(transitions)


def _falls_back(at: dt.datetime, zone: dt.tzinfo) -> bool:
    """Whether the clocks of ``zone`` go back at ``at``: its wall-clock time then is a repeat."""
    return at.astimezone(zone).fold == 1


_DST_TRANSITIONS = _dst_transitions()
# Fall-backs are the tricky ones: wall-clock times of up to an hour happen twice.
_FALL_BACKS = tuple((at, zone) for at, zone in _DST_TRANSITIONS if _falls_back(at, zone))


def aware_datetimes() -> st.SearchStrategy[dt.datetime]:
    """Timezone-aware datetimes from 2020 to 2030 in one of :data:`ZONES`.

    Besides, times within two hours of Monrovia's change in January 1972.

    Wall-clock times that do not exist (DST gaps) are never drawn; about half
    of the values have microseconds, the others are whole seconds like the
    platform's own times. Some fall within two hours of a DST change, so
    repeated wall-clock times (``fold=1``) do occur: order them as instants.
    """
    base = st.datetimes(
        min_value=dt.datetime(2020, 1, 1),  # noqa: DTZ001 - bounds of st.datetimes are naive
        max_value=dt.datetime(2030, 12, 31, 23, 59, 59),  # noqa: DTZ001
        timezones=st.sampled_from(ZONES),
        allow_imaginary=False,
    )
    near_dst = st.builds(
        lambda transition, seconds: (transition[0] + dt.timedelta(seconds=seconds)).astimezone(
            transition[1]
        ),
        st.sampled_from(_DST_TRANSITIONS),
        st.integers(-2 * 3600, 2 * 3600),
    )
    return st.one_of(base.map(lambda value: value.replace(microsecond=0)), base, near_dst)


@st.composite
def _times_in_order(draw: st.DrawFn, count: int) -> list[dt.datetime]:
    """``count`` aware times, non-decreasing as instants (ties allowed).

    The arithmetic is done in UTC: adding a timedelta to a zoned datetime is
    wall-clock arithmetic, which can go backwards across a DST fall-back.
    About one sequence in five starts in the hour before a fall-back and
    moves in short steps in the same zone, so that a later attempt has an
    earlier wall-clock time (``fold=1``): ordering must use instants.
    """
    if count == 0:
        return []
    if draw(st.integers(0, 4)) == 0:
        at, zone = draw(st.sampled_from(_FALL_BACKS))
        start = (at - dt.timedelta(seconds=draw(st.integers(1, 3600)))).astimezone(zone)
        gaps = st.integers(0, 1800).map(lambda s: dt.timedelta(seconds=s))
        zones: st.SearchStrategy[dt.tzinfo] = st.just(zone)
    else:
        start = draw(aware_datetimes())
        gaps = st.one_of(
            st.just(dt.timedelta(0)),  # ties: two attempts in the same instant
            st.integers(1, 3600).map(lambda s: dt.timedelta(seconds=s)),
            st.integers(1, 3 * 24 * 3600).map(lambda s: dt.timedelta(seconds=s)),
            st.integers(1, 10**7).map(lambda us: dt.timedelta(microseconds=us)),
        )
        # Mostly the zone of the first attempt; sometimes another one, so
        # that the order must be read from instants, not wall-clock times.
        zones = st.one_of(st.just(start.tzinfo), st.sampled_from(ZONES))
    times = [start]
    for _ in range(count - 1):
        instant = times[-1].astimezone(UTC) + draw(gaps)
        times.append(instant.astimezone(draw(zones)))
    return times


# --- text ---------------------------------------------------------------------


def phone_numbers() -> st.SearchStrategy[str]:
    """Phone numbers the way calling lists hold them (some are formula-like)."""
    return st.one_of(
        st.from_regex(r"\+79[0-9]{9}", fullmatch=True),
        st.from_regex(r"89[0-9]{9}", fullmatch=True),
        st.from_regex(r"9[0-9]{9}", fullmatch=True),  # the manual's sample: 9055446868
        st.from_regex(r"\+7 \(9[0-9]{2}\) [0-9]{3}-[0-9]{2}-[0-9]{2}", fullmatch=True),
        st.from_regex(r"\+1[2-9][0-9]{9}", fullmatch=True),
        st.from_regex(r"-[0-9]{3,6}", fullmatch=True),  # a negative-looking "number"
    )


_CELL_ALPHABET = st.one_of(
    st.sampled_from(_CYRILLIC + _LATIN + _DIGITS + " "),
    st.sampled_from(",;\"'=+-@\t\n\r.()№«»"),
    # Any other printable text, emoji included; no control characters other
    # than the tab and line breaks above, no surrogates.
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
)

_PLAIN_TEXTS = st.sampled_from(
    (
        "Иванов",
        "Мария Петровна",
        "Г.Москва ул.Песчаная д.25 кв.112",
        "Колл центр",
        "IVR",
        "ivanov@example.com",
        "Санкт-Петербург",
        "Smith, John",
        'ООО "Ромашка"',
        "первая строка\nвторая строка",
        "1 234,56",
    )
)

_FORMULA_LIKE = st.one_of(
    st.sampled_from(
        (
            "=1+2",
            '=HYPERLINK("http://example.com","клик")',
            "+7 (916) 123-45-67",
            "-5",
            "-abc",
            "+1",
            "@SUM(A1:A2)",
            "'=1+2",
            "'начинается с апострофа",
            "''",
            "\tтаб",
            "\rвозврат",
            " =1+2",
            "итог,  -2+3",
            " +79161234567",
            "' =1",
        )
    ),
    # Spaces before the trigger (a spreadsheet that trims them sees it), at the
    # cell's start or after a separator.
    st.tuples(
        st.sampled_from(("", "a,", "итог;", "x\n")),
        st.text(" ", max_size=3),
        st.sampled_from("=+-@'"),
        st.text(_CELL_ALPHABET, max_size=10),
    ).map("".join),
)


def cell_texts(*, max_size: int = 30) -> st.SearchStrategy[str]:
    """Text values of list fields, script fields and notes.

    Cyrillic and Latin text, empty strings, surrounding spaces, commas,
    semicolons, quotes, line breaks, phone numbers and formula-like text.
    """
    return st.one_of(
        st.just(""),
        _PLAIN_TEXTS,
        phone_numbers(),
        _FORMULA_LIKE,
        st.text(_CELL_ALPHABET, max_size=max_size),
    )


def _names(pool: Sequence[str], *, max_size: int = 24) -> st.SearchStrategy[str]:
    """Non-empty names without surrounding spaces: from ``pool`` or made up."""
    made_up = (
        st.text(
            st.sampled_from(_CYRILLIC + _LATIN + _DIGITS + " -.'\"№,"),
            min_size=1,
            max_size=max_size,
        )
        .map(str.strip)
        .filter(bool)
    )
    return st.one_of(st.sampled_from(tuple(pool)), made_up)


def _logins() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(("ivanov", "a.petrova", "agent01", "supervisor", "s.sidorov")),
        st.from_regex(r"[a-z][a-z0-9._]{1,11}", fullmatch=True),
    )


def _file_names(prefix: str) -> st.SearchStrategy[str]:
    return st.builds(
        lambda uid, ext: f"{prefix}_{uid.hex}.{ext}",
        st.uuids(),
        st.sampled_from(("wav", "mp3")),
    )


def _rtp_servers() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(("rtp1", "rtp2", "rtp-03.cc.local")),
        st.from_regex(r"[a-z]{3}[0-9]{1,2}", fullmatch=True),
    )


def _interaction_ids() -> st.SearchStrategy[str]:
    return st.uuids().map(lambda uid: uid.hex.upper())


def _record_ids() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(1, 10**6).map(str),
        st.uuids().map(str),
        st.from_regex(r"[0-9A-F]{16}", fullmatch=True),
    )


# --- dispositions ---------------------------------------------------------------

_USER_DISPOSITION_NAMES = (
    "Согласен",
    "Отказ",
    "Заказ",
    "Перезвонить",
    "Не интересно",
    "Уже клиент",
    "Agreed",
    "Refused",
    "Call back",
    "Sale",
    "Wrong person",
)


def user_dispositions() -> st.SearchStrategy[ccr.Disposition]:
    """Dispositions a campaign defines itself (category USER).

    Names are Cyrillic or Latin (sometimes with digits, dashes, dots, quotes)
    and never the name of a system disposition in either language: the
    Campaign validator rejects that. Codes are optional, made of letters,
    digits, ``_``, ``.`` and ``-``; some dispositions are final.
    """
    names = _names(_USER_DISPOSITION_NAMES).filter(
        lambda name: find_system_disposition(name) is None
    )
    codes = st.one_of(
        st.none(),
        st.integers(0, 99).map(str),
        st.from_regex(r"[0-9A-Za-zА-Яа-я_.\-]{1,8}", fullmatch=True),
    )
    return st.builds(
        ccr.Disposition,
        name=names,
        code=codes,
        final=st.booleans(),
        description=st.one_of(st.just(""), st.text(max_size=20)),
    )


def system_configurations() -> st.SearchStrategy[ccr.Disposition]:
    """A campaign's configuration of a system status (SPEC §4).

    Named by the status's English or Russian name (in any case), with a code
    or none, final or not, as the platform's Statuses section may set them.
    """
    return st.builds(
        lambda status, russian, upper, code, final: ccr.Disposition(
            _cased(status.label("ru") if russian else status.name, upper=upper),
            code=code,
            final=final,
        ),
        st.sampled_from(ccr.SYSTEM_DISPOSITIONS),
        st.booleans(),
        st.booleans(),
        st.one_of(st.none(), st.from_regex(r"[0-9A-Za-z_]{1,4}", fullmatch=True)),
        st.booleans(),
    )


def _cased(name: str, *, upper: bool) -> str:
    return name.upper() if upper else name


def _status_of(configuration: ccr.Disposition) -> str:
    status = find_system_disposition(configuration.name)
    assert status is not None
    return status.name


_SYSTEM = {d.name: d for d in ccr.SYSTEM_DISPOSITIONS}
_CONNECTION_PROBLEMS = tuple(
    d for d in ccr.SYSTEM_DISPOSITIONS if d.category is ccr.DispositionCategory.CONNECTION_PROBLEM
)
_FAILED_SYSTEM = tuple(
    _SYSTEM[name]
    for name in (
        "Call failed",
        "No agent",
        "Abandoned",
        "Congestion",
        "System failure",
        "Phone network unavailable",
    )
)
_ANSWERED_SYSTEM = tuple(
    _SYSTEM[name] for name in ("No disposition", "Disposition not found", "Agent failure")
)
_FINALIZERS = (_SYSTEM["Finalized by dial rule"], _SYSTEM["No numbers left to call"])

# The CPA results and SIP codes a failed dial with each disposition plausibly has.
_CPA = ccr.CPAResult
_FAILURE_SIGNALS: dict[str, tuple[tuple[ccr.CPAResult, ...], tuple[int, ...]]] = {
    "Busy": ((_CPA.BUSY,), (486, 600)),
    "No answer": ((_CPA.RING_BACK,), (480, 408, 487)),
    "Fast busy": ((_CPA.FAST_BUSY,), (503, 502, 500)),
    "Invalid number": ((_CPA.SIT, _CPA.FAST_BUSY), (404, 484, 604)),
    "Answering machine": ((_CPA.ANSWERING_MACHINE,), ()),
    "Silence": ((_CPA.SILENCE,), ()),
    "Fax or modem": ((_CPA.FAX,), ()),
    "Announcement": ((_CPA.MESSAGE,), ()),
    "Network announcement": ((_CPA.SIT, _CPA.MESSAGE), (480, 503)),
    "Abandoned": ((_CPA.UNKNOWN,), (487,)),
    "Phone network unavailable": ((), (503, 500)),
    "Congestion": ((_CPA.FAST_BUSY,), (503,)),
}

#: The values Bright Pattern 5.x documents for Action Applied.
_ACTIONS = (
    "Retry",
    "Reschedule",
    "Reschedule (by agent)",
    "Run scenario",
    "Wait",
    "Stop calling record",
    "Stop calling number for all campaigns",
)

#: Quota group names; "no match" and its Russian form are NO_MATCH, never a group.
_QUOTA_GROUPS = ("Москва", "Регионы", "18-25", "Women 35+", "Группа A")


def quota_outcomes() -> st.SearchStrategy[ccr.QuotaOutcome]:
    """``QuotaOutcome(group)`` for a named group, or ``QuotaOutcome(NO_MATCH)``."""
    return st.one_of(
        st.just(ccr.QuotaOutcome(ccr.NO_MATCH)),
        st.builds(ccr.QuotaOutcome, _names(_QUOTA_GROUPS).filter(_not_no_match)),
    )


def _not_no_match(name: str) -> bool:
    return lookup_key(name) not in {"no match", "не соответствует"}


# --- lists and campaigns ----------------------------------------------------------

_LIST_NAMES = ("Клиенты Москва", "Список 1", "Regions, part 2", "Повторный обзвон", "VIP")


@st.composite
def calling_lists(draw: st.DrawFn, name: str | None = None) -> ccr.CallingList:
    """A calling list with columns drawn from :data:`COLUMN_POOL` (1 to all of them).

    Column order is drawn too, though ``№`` usually comes first as in the
    manual's sample. A list with phone columns sometimes names them (in any
    order) as its ``phone_columns``. ``name`` fixes the list's name.
    """
    if name is None:
        name = draw(_names(_LIST_NAMES))
    columns = draw(st.lists(st.sampled_from(COLUMN_POOL), min_size=1, unique=True))
    if "№" in columns and draw(st.booleans()):
        columns.remove("№")
        columns.insert(0, "№")
    phones = [column for column in columns if column in _PHONE_COLUMNS]
    phone_columns = draw(st.permutations(phones)) if phones and draw(st.booleans()) else []
    return ccr.CallingList(name, columns, phone_columns=phone_columns)


@st.composite
def _script_fields(draw: st.DrawFn) -> list[ccr.ScriptField]:
    names = draw(st.lists(st.sampled_from(SCRIPT_FIELD_POOL), max_size=5, unique=True))
    if names and draw(st.integers(0, 3)) == 0:
        # A name repeated in the script, like `comment` twice in the manual.
        repeated = draw(st.sampled_from(names))
        names.insert(draw(st.integers(0, len(names))), repeated)
    return [ccr.ScriptField(name, export=draw(st.booleans() | st.just(True))) for name in names]


_CAMPAIGN_NAMES = ("Обзвон клиентов", "Опрос 2024", "Sales Q3", "Кампания «Весна»")


@st.composite
def campaigns(draw: st.DrawFn, *, max_lists: int = 3, max_dispositions: int = 5) -> ccr.Campaign:
    """A campaign of 1 to ``max_lists`` lists with unique names, 0-5 script
    fields (some not exported, sometimes a repeated name), 0 to
    ``max_dispositions`` user dispositions with unique names, and 0-3
    system statuses it configures (:func:`system_configurations`)."""
    list_names = draw(st.lists(_names(_LIST_NAMES), min_size=1, max_size=max_lists, unique=True))
    lists = [draw(calling_lists(name)) for name in list_names]
    dispositions = draw(
        st.lists(
            user_dispositions(),
            max_size=max_dispositions,
            unique_by=lambda d: lookup_key(d.name),
        )
    )
    dispositions += draw(st.lists(system_configurations(), max_size=3, unique_by=_status_of))
    return ccr.Campaign(
        draw(_names(_CAMPAIGN_NAMES)),
        lists,
        script_fields=draw(_script_fields()),
        dispositions=dispositions,
    )


# --- attempts -----------------------------------------------------------------------

AttemptKind = Literal[
    "failed", "answered", "inbound", "quota", "dnc-record", "dnc-number", "expired", "skipped"
]
#: Kinds that may complete the record, and those that never do.
_COMPLETING_KINDS: tuple[AttemptKind, ...] = (
    "failed",
    "answered",
    "inbound",
    "dnc-record",
    "expired",
)
_OPEN_KINDS: tuple[AttemptKind, ...] = (
    "failed",
    "answered",
    "inbound",
    "quota",
    "dnc-number",
    "skipped",
)


def _script_values(campaign: ccr.Campaign) -> st.SearchStrategy[dict[str, str]]:
    names = sorted({field.name for field in campaign.script_fields})
    if not names:
        return st.just({})
    return st.dictionaries(st.sampled_from(names), cell_texts(), max_size=len(names))


@st.composite
def attempts_for(
    draw: st.DrawFn,
    campaign: ccr.Campaign,
    *,
    time: dt.datetime | None = None,
    phone: str | None = None,
    completes: bool | None = None,
    kind: AttemptKind | None = None,
) -> ccr.Attempt:
    """One attempt on a record of ``campaign``, of one of the platform's shapes.

    Kinds:

    * ``failed`` — a dial that reached nobody: a connection-problem or
      system call disposition, a CPA result and/or SIP code that usually fit
      it (sometimes not: docs/model.md reports both as given), answered duration
      0, no agent; when it completes the record, the record disposition is
      *Finalized by dial rule* or *No numbers left to call*.
    * ``answered`` — a conversation: an agent, answered duration > 0, a call
      disposition of the campaign (or *No disposition*…), often a note,
      recordings and script values; completes with a final disposition.
    * ``inbound`` — the customer called back (``is_inbound=True``).
    * ``quota`` — stopped by a quota (``QuotaOutcome(group)`` or NO_MATCH),
      usually not dialled; never completes.
    * ``dnc-record`` / ``dnc-number`` — matched a Do-Not-Call list, not
      dialled; *Record matches DNC* completes the record, *Number matches DNC*
      does not.
    * ``expired`` — *Record expired*, not dialled, completes.
    * ``skipped`` — a Preview record closed without dialling (*Skipped*).

    Args:
        campaign: dispositions and script fields come from it.
        time: the attempt's time (drawn when None).
        phone: the number used (drawn when None).
        completes: True for an attempt that completes the record, False for
            one that does not, None for either.
        kind: one of the kinds above (drawn when None; must fit ``completes``).
    """
    if kind is None:
        if completes is None:
            kinds = tuple(dict.fromkeys(_COMPLETING_KINDS + _OPEN_KINDS))
        else:
            kinds = _COMPLETING_KINDS if completes else _OPEN_KINDS
        kind = draw(st.sampled_from(kinds))
    if completes is None:
        completes = kind in _COMPLETING_KINDS and draw(st.booleans())
    if completes and kind not in _COMPLETING_KINDS:
        raise ValueError(f"an attempt of kind {kind!r} never completes the record")
    if time is None:
        time = draw(aware_datetimes())
    if phone is None:
        phone = draw(phone_numbers())

    values: dict[str, object] = {"phone": phone, "time": time}
    dialled = kind in {"failed", "answered", "inbound"}
    if kind == "quota":
        dialled = draw(st.integers(0, 3)) == 0  # often stopped before dialling
        values["quota"] = draw(quota_outcomes())
        if not dialled and draw(st.booleans()):
            values["phone"] = ""
    values["is_call_attempt"] = dialled
    if dialled:
        values["interaction_id"] = draw(_interaction_ids())

    if kind == "failed":
        values.update(draw(_failed_dial(completes=completes)))
    elif kind in {"answered", "inbound"}:
        values.update(draw(_conversation(campaign, inbound=kind == "inbound", completes=completes)))
    elif kind == "quota":
        if dialled:
            values.update(draw(_failed_dial(completes=False)))
        elif draw(st.booleans()):
            values["call_disposition"] = draw(st.sampled_from(_FAILED_SYSTEM))
    else:
        disposition = _SYSTEM[
            {
                "dnc-record": "Record matches DNC",
                "dnc-number": "Number matches DNC",
                "expired": "Record expired",
                "skipped": "Skipped",
            }[kind]
        ]
        values["call_disposition"] = disposition
        if completes:
            values["record_disposition"] = disposition
        if kind == "skipped" and draw(st.booleans()):
            values["agent"] = draw(_logins())
            values["note"] = draw(cell_texts())

    if kind != "failed" and draw(st.integers(0, 2)) == 0:
        values["script_values"] = draw(_script_values(campaign))
    # Bright Pattern 5.x's fields: the presented caller id (mostly on dials),
    # the action applied after the attempt (documented values or any text).
    if draw(st.integers(0, 2)):
        values["ani"] = draw(phone_numbers() if dialled else st.one_of(st.just(""), cell_texts()))
    if draw(st.integers(0, 2)):
        values["action_applied"] = draw(st.one_of(st.sampled_from(_ACTIONS), cell_texts()))
    for key in ("call_disposition", "record_disposition"):
        given = values.get(key)
        if isinstance(given, ccr.Disposition) and given.is_system and draw(st.booleans()):
            # The campaign's configuration of the status, or the catalogue's own
            # object: reports show both as the campaign configures it.
            values[key] = campaign.defined_form(given)
    return ccr.Attempt(**values)  # type: ignore[arg-type]  # values are checked at run time


@st.composite
def _failed_dial(draw: st.DrawFn, *, completes: bool) -> dict[str, object]:
    disposition = draw(st.sampled_from(_CONNECTION_PROBLEMS + _FAILED_SYSTEM))
    fitting_cpa, fitting_sip = _FAILURE_SIGNALS.get(disposition.name, ((), ()))
    cpa = draw(
        st.one_of(
            st.sampled_from(fitting_cpa) if fitting_cpa else st.nothing(),
            st.sampled_from(ccr.CPAResult),
            st.integers(0, 9),  # ints are converted to CPAResult
            st.none(),
        )
    )
    sip = draw(
        st.one_of(
            st.sampled_from(fitting_sip) if fitting_sip else st.nothing(),
            st.sampled_from(sorted(code for code in ccr.SIP_REASON_PHRASES if code >= 400)),
            st.integers(400, 699),  # also codes the table does not know
            st.none(),
        )
    )
    values: dict[str, object] = {
        "call_disposition": disposition,
        "cpa_result": cpa,
        "sip_code": sip,
        "dialing_duration": draw(st.integers(0, 120)),
        "cpa_duration": draw(st.integers(0, 10)),
        "answered_duration": 0,
    }
    if cpa is not None and draw(st.booleans()):
        values["cpa_recording"] = draw(_file_names("cpa"))
        values["cpa_rtp_server"] = draw(_rtp_servers())
    if draw(st.integers(0, 4)) == 0:
        values["note"] = draw(cell_texts())  # an agent's note wins over the system note
    if completes:
        # A list of one number closes the record with the last attempt's own
        # status (manual, Appendix 1, "No numbers left to call").
        values["record_disposition"] = draw(st.sampled_from((*_FINALIZERS, disposition)))
    return values


@st.composite
def _conversation(
    draw: st.DrawFn, campaign: ccr.Campaign, *, inbound: bool, completes: bool
) -> dict[str, object]:
    own = campaign.dispositions
    if completes:
        finals = tuple(d for d in own if d.final)
        call = draw(st.sampled_from(finals + _ANSWERED_SYSTEM))
        record = (
            call if call.final and draw(st.integers(0, 3)) else draw(st.sampled_from(_FINALIZERS))
        )
    else:
        # A final disposition would have completed the record.
        call = draw(st.sampled_from(tuple(d for d in own if not d.final) + _ANSWERED_SYSTEM))
        record = None
    values: dict[str, object] = {
        "call_disposition": call,
        "record_disposition": record,
        "is_inbound": inbound,
        "agent": draw(_logins()),
        "note": draw(cell_texts()),
        "answered_duration": draw(st.integers(1, 3600)),
        "dialing_duration": 0 if inbound else draw(st.integers(0, 60)),
    }
    if not inbound:
        values["cpa_result"] = draw(
            st.one_of(st.just(ccr.CPAResult.VOICE), st.none(), st.sampled_from(ccr.CPAResult))
        )
        values["cpa_duration"] = draw(st.integers(0, 5))
    if draw(st.integers(0, 3)):
        values["recording"] = draw(_file_names("rec"))
        values["rtp_server"] = draw(_rtp_servers())
    return values


# --- records ----------------------------------------------------------------------------


@st.composite
def _fields_for(draw: st.DrawFn, calling_list: ccr.CallingList) -> dict[str, str]:
    """Values of all, or of a subset of, the list's columns."""
    columns = calling_list.columns
    if draw(st.booleans()):
        chosen = list(columns)
    else:
        chosen = draw(st.lists(st.sampled_from(columns), unique=True, max_size=len(columns)))
    fields: dict[str, str] = {}
    for column in columns:  # keep the list's order, as a loaded record has it
        if column not in chosen:
            continue
        if column in _PHONE_COLUMNS:
            fields[column] = draw(st.one_of(phone_numbers(), phone_numbers(), cell_texts()))
        else:
            fields[column] = draw(cell_texts())
    return fields


@st.composite
def records_for(
    draw: st.DrawFn,
    campaign: ccr.Campaign,
    *,
    max_attempts: int = 6,
    record_id: str | None = None,
) -> ccr.Record:
    """A record of one of ``campaign``'s lists with 0 to ``max_attempts`` attempts.

    The attempts are in time order (ties allowed); at most one completes the
    record (mostly the last one, sometimes an earlier one, followed e.g. by a
    callback); the phones used are the record's own numbers when it has any.
    In a Preview-like record, consecutive dials share one interaction id.
    ``record_id`` fixes the id (drawn when None).
    """
    calling_list = draw(st.sampled_from(campaign.lists))
    fields = draw(_fields_for(calling_list))
    own_phones = [v for c, v in fields.items() if c in _PHONE_COLUMNS and v]
    phones = st.sampled_from(own_phones) if own_phones else phone_numbers()
    if own_phones and draw(st.integers(0, 4)) == 0:
        phones = st.one_of(phones, phone_numbers())

    count = draw(st.integers(0, max_attempts))
    times = draw(_times_in_order(count))
    completing = None
    if count:
        completing = draw(st.one_of(st.none(), st.just(count - 1), st.integers(0, count - 1)))
    preview = draw(st.integers(0, 3)) == 0

    attempts: list[ccr.Attempt] = []
    shared_id = ""
    for index, time in enumerate(times):
        attempt = draw(
            attempts_for(campaign, time=time, phone=draw(phones), completes=index == completing)
        )
        if preview and attempt.is_call_attempt:
            if not shared_id or draw(st.integers(0, 3)) == 0:
                shared_id = attempt.interaction_id
            attempt = attrs.evolve(attempt, interaction_id=shared_id)
        attempts.append(attempt)

    if record_id is None:
        record_id = draw(_record_ids())
    return ccr.Record(record_id, calling_list.name, fields, attempts)


@st.composite
def campaign_with_records(
    draw: st.DrawFn, max_records: int = 8, *, max_attempts: int = 6
) -> tuple[ccr.Campaign, list[ccr.Record]]:
    """A campaign and 0 to ``max_records`` of its records, with unique record ids."""
    campaign = draw(campaigns())
    ids = draw(st.lists(_record_ids(), max_size=max_records, unique=True))
    records = [
        draw(records_for(campaign, max_attempts=max_attempts, record_id=record_id))
        for record_id in ids
    ]
    return campaign, records


def export_options(**fixed: st.SearchStrategy[object]) -> st.SearchStrategy[ccr.ExportOptions]:
    """Export options over every format, dialect, language, guard and a few zones.

    Unknown dispositions are never reported (the strategies only use known
    ones); pass strategies by keyword to narrow or add a field, e.g.
    ``export_options(format=st.just("detailed"))``.
    """
    fields: dict[str, st.SearchStrategy[object]] = {
        "format": st.sampled_from(["simple", "detailed"]),
        "dialect": st.sampled_from(["platform", "excel", "excel-ru"]),
        "language": st.sampled_from(["en", "ru"]),
        "formula_guard": st.booleans(),
        "timezone": st.sampled_from(EXPORT_ZONES),
        "report_unknown_dispositions": st.just(False),
    }
    fields.update(fixed)
    return st.builds(ccr.ExportOptions, **fields)  # type: ignore[arg-type]


# --- calling lists as files load them -----------------------------------------------


def list_phone_numbers() -> st.SearchStrategy[str]:
    """Phones of list files: those of :func:`phone_numbers`, and international ones after ``00``."""
    return st.one_of(
        phone_numbers(),
        st.from_regex(r"00[1-9][0-9]{7,12}", fullmatch=True),
        st.from_regex(r"00 44 20 [0-9]{4} [0-9]{4}", fullmatch=True),
        st.just(""),
    )


def national_ru_numbers() -> st.SearchStrategy[str]:
    """The ten digits of a Russian national number (area or mobile code first)."""
    return st.from_regex(r"[3489][0-9]{9}", fullmatch=True)


@st.composite
def list_with_records(
    draw: st.DrawFn, max_records: int = 8, *, encoding: str = "utf-8"
) -> tuple[ccr.CallingList, list[ccr.Record]]:
    """A calling list and records as reading its file gives them back.

    Every record holds every column (an empty cell is ``""``), has no
    attempts and is numbered ``"1"``, ``"2"``… in order, as a list read
    without key columns is. Phone columns hold phones with ``+`` and ``00``;
    every text can be written in ``encoding``.
    """
    calling_list = draw(calling_lists())

    def writable(text: str) -> bool:
        try:
            text.encode(encoding)
        except UnicodeEncodeError:
            return False
        return True

    count = draw(st.integers(0, max_records))
    records = []
    for number in range(1, count + 1):
        fields = {}
        for column in calling_list.columns:
            values = list_phone_numbers() if column in _PHONE_COLUMNS else cell_texts()
            fields[column] = draw(values.filter(writable))
        records.append(ccr.Record(str(number), calling_list.name, fields))
    return calling_list, records


def remotes() -> st.SearchStrategy[ccr.Remote]:
    """Delivery destinations of every protocol, each with the settings its protocol reads."""
    hosts = st.sampled_from(["127.0.0.1", "files.example.com", "reports-bucket"])
    folders = st.lists(
        st.text(st.characters(codec="utf-8", exclude_characters="/?#%\x00"), min_size=1),
        max_size=3,
    ).map(lambda parts: "".join(f"/{urllib.parse.quote(part)}" for part in parts))
    ports = st.none() | st.integers(1, 65535)

    def url(scheme: str, host: str, port: int | None, folder: str) -> str:
        where = host if port is None or scheme == "s3" else f"{host}:{port}"
        return f"{scheme}://{where}{folder}"

    def remote(scheme: str, host: str, port: int | None, folder: str, setting: bool) -> ccr.Remote:
        settings: dict[str, object] = {}
        if setting and scheme == "sftp":
            settings["identity_file"] = "/keys/id_ed25519"
        elif setting and scheme == "s3":
            settings["endpoint"] = "http://127.0.0.1:9000"
        elif setting and scheme == "https":
            settings["token_variable"] = "HOOK_TOKEN"  # noqa: S105 - a variable's name
        return ccr.Remote(url(scheme, host, port, folder), **settings)  # type: ignore[arg-type]

    return st.builds(
        remote,
        st.sampled_from(["sftp", "ftp", "ftps", "s3", "https"]),
        hosts,
        ports,
        folders,
        st.booleans(),
    )
