"""The domain model: campaigns, calling lists, records and their attempts."""

from __future__ import annotations

import datetime as dt
import enum
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Literal

import attrs

from .._html import html_table
from .._types import Language, check_sip_code, in_range, is_naive, normalize_name
from ..errors import ValidationError
from .construction import install_checked_init, post_init_with
from .cpa import CPAResult
from .dispositions import Disposition, find_system_disposition, lookup_key
from .frozen import EMPTY_TEXT_MAP, FrozenTextMap, all_text
from .validators import give_converter_tests, instance_of, non_empty_text, validator_with

__all__ = [
    "NO_MATCH",
    "Attempt",
    "CallingList",
    "Campaign",
    "NoMatch",
    "QuotaOutcome",
    "Record",
    "ScriptField",
    "latest_attempts",
]


class NoMatch(enum.Enum):
    """The type of :data:`NO_MATCH`."""

    NO_MATCH = "no match"

    def __repr__(self) -> str:
        return "NO_MATCH"

    def label(self, language: Language | str = Language.EN) -> str:
        """``no match`` in English reports, ``не соответствует`` in Russian ones."""
        return "не соответствует" if Language.parse(language) is Language.RU else "no match"


#: The quota group of a record that matched none of the campaign's quota groups.
NO_MATCH: Final = NoMatch.NO_MATCH

_NO_MATCH_LABELS = frozenset(normalize_name(NO_MATCH.label(lang)) for lang in Language)


def is_no_match_label(text: str) -> bool:
    """Is ``text`` how a report writes NO_MATCH (either language, any case and spacing)?"""
    return normalize_name(text) in _NO_MATCH_LABELS


# --- validators shared by the classes below ---------------------------------


_TEXT = instance_of(str, "text (str)")
_FLAG = instance_of(bool, "True or False")


def _unique(owner: str, field: str, names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValidationError(f"{owner}.{field}", name, "is given twice")
        seen.add(name)


def _tuple_of(owner: str, kind: type) -> Any:
    def check(instance: object, attribute: attrs.Attribute[tuple[Any, ...]], value: Any) -> None:
        _sequence(f"{owner}.{attribute.name}", value)
        for position, item in enumerate(value):
            if not isinstance(item, kind):
                raise ValidationError(
                    f"{owner}.{attribute.name}[{position}]",
                    item,
                    f"must be a {kind.__name__}",
                )

    return check


def _to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    if isinstance(value, str | bytes):
        return (value,)
    try:
        return tuple(value)
    except TypeError:
        return value  # type: ignore[return-value]  # not iterable: the validator says so


give_converter_tests(
    _to_tuple,
    lambda value: f"type({value}) is tuple",
    inline=(lambda value: f"type({value}) is list", lambda value: f"tuple({value})"),
)


def _sequence(field: str, value: Any) -> None:
    if not isinstance(value, tuple):
        raise ValidationError(field, value, "must be a sequence")


def _to_text_map(value: Mapping[str, str]) -> Mapping[str, str]:
    if isinstance(value, FrozenTextMap) or not isinstance(value, Mapping):
        return value  # already frozen, or rejected by the validator with its field name
    return FrozenTextMap(value)


# A dict becomes a FrozenTextMap of a copy, written inline without the call.
give_converter_tests(
    _to_text_map,
    lambda value: f"type({value}) is FrozenTextMap",
    inline=(lambda value: f"type({value}) is dict", lambda value: f"wrap_text({value}.copy())"),
    FrozenTextMap=FrozenTextMap,
    wrap_text=FrozenTextMap.wrap,
)


def _text_map(owner: str) -> Any:
    @validator_with(
        lambda value: f"type({value}) is FrozenTextMap and all_text({value})",
        FrozenTextMap=FrozenTextMap,
        all_text=all_text,
    )
    def check(instance: object, attribute: attrs.Attribute[Mapping[str, str]], value: Any) -> None:
        if not isinstance(value, Mapping):
            raise ValidationError(
                f"{owner}.{attribute.name}", value, "must be a mapping of name to text"
            )
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValidationError(f"{owner}.{attribute.name}", key, "keys must be text")
            if not isinstance(item, str):
                raise ValidationError(f"{owner}.{attribute.name}[{key!r}]", item, "must be text")

    return check


# --- calling lists, script fields, campaigns ---------------------------------


def _check_columns(instance: CallingList, attribute: attrs.Attribute[Any], value: Any) -> None:
    _sequence("CallingList.columns", value)
    for position, column in enumerate(value):
        if not isinstance(column, str) or not column.strip():
            raise ValidationError(
                f"CallingList.columns[{position}]", column, "must be non-empty text"
            )
    _unique("CallingList", "columns", value)


def _check_phone_columns(
    instance: CallingList, attribute: attrs.Attribute[Any], value: Any
) -> None:
    _sequence("CallingList.phone_columns", value)
    for position, column in enumerate(value):
        if column not in instance.columns:
            raise ValidationError(
                f"CallingList.phone_columns[{position}]",
                column,
                f"is not a column of list {instance.name!r}",
            )
    _unique("CallingList", "phone_columns", value)


@attrs.frozen
class CallingList:
    """A calling list: its name and its columns, in the order they were loaded.

    Args:
        name: the list's name.
        columns: its columns, in the order they were loaded.
        phone_columns: the columns holding its phone numbers, in the order the
            campaign dials them. When given, a record never attempted shows its
            first non-empty one as Last Phone Called, as the platform does.

    >>> CallingList("Клиенты", ["№", "Фамилия", "Телефон"]).columns
    ('№', 'Фамилия', 'Телефон')
    >>> CallingList("Клиенты", ["Телефон", "Телефон 2"], phone_columns=["Телефон"]).phone_columns
    ('Телефон',)
    """

    name: str = attrs.field(validator=non_empty_text)
    columns: tuple[str, ...] = attrs.field(converter=_to_tuple, validator=_check_columns)
    phone_columns: tuple[str, ...] = attrs.field(
        default=(), converter=_to_tuple, validator=_check_phone_columns
    )

    def first_phone(self, fields: Mapping[str, str]) -> str:
        """The first non-empty of ``fields``' phone columns, or ``""``."""
        for column in self.phone_columns:
            if phone := fields.get(column, ""):
                return phone
        return ""


@attrs.frozen
class ScriptField:
    """A field of the campaign's conversation script; only ``export=True`` ones are reported."""

    name: str = attrs.field(validator=non_empty_text)
    export: bool = attrs.field(default=True, validator=_FLAG)


def _check_lists(instance: Campaign, attribute: attrs.Attribute[Any], value: Any) -> None:
    _tuple_of("Campaign", CallingList)(instance, attribute, value)
    _unique("Campaign", "lists", (calling_list.name for calling_list in value))


def _configured(value: Any) -> Any:
    """The campaign's dispositions, with each one named like a system status made its configuration.

    The platform's Statuses section lists system statuses too and may give
    them codes: a campaign disposition called ``Busy`` (or ``Занято``) is the
    catalogue's *Busy* with the campaign's code and finality. Everything else
    about it (both names, category, description) is the catalogue's, so a
    report in either language shows the one status the platform knows.
    """
    value = _to_tuple(value)
    if not isinstance(value, tuple):
        return value  # not iterable: the validator says so
    return tuple(_configuration(item) for item in value)


def _configuration(disposition: Any) -> Any:
    if not isinstance(disposition, Disposition):
        return disposition  # the validator names it
    system = find_system_disposition(disposition.name)
    if system is None or not _same_status(system, disposition.name_ru):
        return disposition  # not a system name, or a conflict the validator names
    if disposition == system:
        return system
    return _configured_as(system, disposition)


def _configured_as(system: Disposition, disposition: Disposition) -> Disposition:
    """The catalogue's ``system`` status with ``disposition``'s code and finality."""
    return attrs.evolve(system, code=disposition.code, final=disposition.final)


def _configures(disposition: Disposition, system: Disposition) -> bool:
    """Is ``disposition`` the catalogue's ``system`` status, but for its code and finality?"""
    return disposition == _configured_as(system, disposition)


def _same_status(system: Disposition, other_name: str | None) -> bool:
    """Is ``other_name`` (a disposition's other name, if any) a name of ``system`` too?"""
    return other_name is None or find_system_disposition(other_name) is system


def _check_dispositions(instance: Campaign, attribute: attrs.Attribute[Any], value: Any) -> None:
    _tuple_of("Campaign", Disposition)(instance, attribute, value)
    # Checked per report language: a Russian report shows name_ru when there is one.
    for language in Language:
        seen: set[str] = set()
        for disposition in value:
            label = disposition.label(language)
            if lookup_key(label) in seen:
                raise ValidationError("Campaign.dispositions", label, "is given twice")
            seen.add(lookup_key(label))
            system = find_system_disposition(label)
            if system is not None and not _configures(disposition, system):
                raise ValidationError(
                    "Campaign.dispositions",
                    label,
                    f"is a name of the system disposition {system.name!r}, but the "
                    "disposition's other name is not: a campaign configures a system "
                    "status under its own names, and its own dispositions need names of "
                    "their own",
                )


@attrs.frozen
class Campaign:
    """A calling campaign: its lists, its script fields and its own dispositions.

    System dispositions are always known and need not be listed. A disposition
    named like a system one (in English or Russian) *configures* that status for
    the campaign: the campaign keeps the catalogue's status with the code and
    finality given, which reports then show for attempts carrying the
    catalogue's object too.

    >>> busy = Disposition("Занято", code="B17")
    >>> campaign = Campaign("Обзвон", [CallingList("Клиенты", ["Телефон"])], dispositions=[busy])
    >>> configured = campaign.dispositions[0]
    >>> configured.name, configured.name_ru, configured.code, configured.category.name
    ('Busy', 'Занято', 'B17', 'CONNECTION_PROBLEM')
    """

    name: str = attrs.field(validator=non_empty_text)
    lists: tuple[CallingList, ...] = attrs.field(converter=_to_tuple, validator=_check_lists)
    script_fields: tuple[ScriptField, ...] = attrs.field(
        default=(), converter=_to_tuple, validator=_tuple_of("Campaign", ScriptField)
    )
    dispositions: tuple[Disposition, ...] = attrs.field(
        default=(), converter=_configured, validator=_check_dispositions
    )

    def calling_list(self, name: str) -> CallingList | None:
        """The list called ``name``, or None."""
        for calling_list in self.lists:
            if calling_list.name == name:
                return calling_list
        return None

    @property
    def exported_script_fields(self) -> tuple[ScriptField, ...]:
        """The script fields that appear in reports, in script order."""
        return tuple(field for field in self.script_fields if field.export)

    def find_disposition(self, name: str) -> Disposition | None:
        """The campaign's or the system's disposition called ``name`` (either language), or None."""
        key = lookup_key(name)
        for disposition in self.dispositions:
            if key in (lookup_key(disposition.name), lookup_key(disposition.label(Language.RU))):
                return disposition
        return find_system_disposition(name)

    def _repr_html_(self) -> str:
        # The definition only, a bounded number of lists: never a record.
        shown = self.lists[:_PREVIEW_LISTS]
        rows = [
            [cl.name, str(len(cl.columns)), _first_names(cl.columns), ", ".join(cl.phone_columns)]
            for cl in shown
        ]
        hidden = len(self.lists) - len(shown)
        caption = (
            f"Campaign {self.name}: {len(self.lists)} lists, "
            f"{len(self.exported_script_fields)} exported script fields "
            f"({_first_names([field.name for field in self.exported_script_fields]) or 'none'}), "
            f"{len(self.dispositions)} own dispositions"
        )
        header = ["list", "columns", "column names", "phone columns"]
        return html_table(caption, header, rows, more=f"… {hidden} more lists" if hidden else "")

    def defined_form(self, disposition: Disposition) -> Disposition | None:
        """How the campaign defines ``disposition``, or None if it does not.

        That is the campaign's disposition of that name when ``disposition`` is
        it, or is the catalogue's status the campaign configures; a system
        status the campaign does not configure is its own definition. Any other
        object (an unknown name, or a known one with another code or finality)
        gives None: stores and formats that keep dispositions by name could not
        give it back.
        """
        known = self.find_disposition(disposition.name)
        if known is None:
            return None
        if disposition == known or disposition == find_system_disposition(disposition.name):
            return known
        return None


#: The lists and the names of columns a notebook preview of a campaign shows.
_PREVIEW_LISTS: Final = 20
_PREVIEW_NAMES: Final = 8


def _first_names(names: Sequence[str]) -> str:
    """The first few ``names``, joined, with how many more there are."""
    shown = ", ".join(names[:_PREVIEW_NAMES])
    return shown + (
        f", … {len(names) - _PREVIEW_NAMES} more" if len(names) > _PREVIEW_NAMES else ""
    )


# --- quota outcomes, attempts, records ---------------------------------------


def _check_group(instance: QuotaOutcome, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is NO_MATCH:
        return
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("QuotaOutcome.group", value, "must be non-empty text or NO_MATCH")
    if is_no_match_label(value):
        raise ValidationError(
            "QuotaOutcome.group", value, "is how reports write NO_MATCH; use NO_MATCH instead"
        )


@attrs.frozen
class QuotaOutcome:
    """Why a quota stopped an attempt: the group that was reached, or :data:`NO_MATCH`."""

    group: str | Literal[NoMatch.NO_MATCH] = attrs.field(validator=_check_group)

    def label(self, language: Language | str = Language.EN) -> str:
        """The Quota Group cell: the group's name, or ``no match`` in ``language``."""
        return self.group if isinstance(self.group, str) else self.group.label(language)


# ZoneInfo and timezone always give an offset: no need to ask for one. A year
# from 2 to 9998 is inside the validator's range in any zone.
@validator_with(
    lambda value: (
        f"type({value}) is datetime and type({value}.tzinfo) in ZONE_TYPES"
        f" and 2 <= {value}.year <= 9998"
    ),
    datetime=dt.datetime,
    ZONE_TYPES=frozenset({zoneinfo.ZoneInfo, dt.timezone}),
)
def _check_time(instance: Attempt, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, dt.datetime):
        raise ValidationError("Attempt.time", value, "must be a datetime")
    if is_naive(value):
        raise ValidationError("Attempt.time", value, "must be timezone-aware (naive datetime)")
    if not in_range(value):
        raise ValidationError(
            "Attempt.time",
            value,
            "must be from 0001-01-02 to 9999-12-30 in UTC (so that every time zone can show it)",
        )


@validator_with(lambda value: f"type({value}) is int and {value} >= 0")
def _check_seconds(instance: Attempt, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(f"Attempt.{attribute.name}", value, "must be whole seconds (int)")
    if value < 0:
        raise ValidationError(f"Attempt.{attribute.name}", value, "must be >= 0 seconds")


def _to_cpa(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool | CPAResult):
        try:
            return CPAResult(value)
        except ValueError:
            raise ValidationError("Attempt.cpa_result", value, "must be 0-9") from None
    return value


give_converter_tests(
    _to_cpa, lambda value: f"{value} is None or type({value}) is CPAResult", CPAResult=CPAResult
)


@validator_with(lambda value: f"{value} is None or type({value}) is CPAResult", CPAResult=CPAResult)
def _check_cpa(instance: Attempt, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, CPAResult):
        raise ValidationError("Attempt.cpa_result", value, "must be a CPAResult (0-9) or None")


@validator_with(
    lambda value: f"{value} is None or (type({value}) is int and 100 <= {value} <= 699)"
)
def _check_sip(instance: Attempt, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    check_sip_code("Attempt.sip_code", value)


def _check_attempt(attempt: Attempt) -> None:
    if not attempt.is_call_attempt:
        if attempt.is_inbound:
            raise ValidationError(
                "Attempt.is_inbound", True, "an attempt that was not dialled cannot be inbound"
            )
        if attempt.interaction_id:
            raise ValidationError(
                "Attempt.interaction_id",
                attempt.interaction_id,
                "an attempt that was not dialled has no interaction id",
            )
    # Any disposition may close a record: a record of a one-number list that
    # runs out of attempts closes with its last attempt's own status (manual,
    # Appendix 1, "No numbers left to call"). Only a quota stop never closes one.
    if attempt.record_disposition is not None and attempt.quota is not None:
        raise ValidationError(
            "Attempt.record_disposition",
            attempt.record_disposition.name,
            "a quota-stopped attempt never completes the record",
        )


# No weakref slot: the trusted builders make these by a __class__ assignment.
@attrs.frozen(weakref_slot=False)
class Attempt:
    """One processing of a record: a real dial, or a DNC match or quota stop that was not.

    See the field list in ``docs/model.md``. Validation rejects impossible
    combinations: naive times, negative durations, CPA results outside 0-9,
    inbound or interaction ids on attempts that were not dialled, and a record
    disposition on a quota-stopped attempt. A record disposition may be any
    disposition: its presence means the record was closed by this attempt.
    """

    phone: str = attrs.field(validator=_TEXT)
    time: dt.datetime = attrs.field(validator=_check_time)
    is_call_attempt: bool = attrs.field(default=True, validator=_FLAG)
    call_disposition: Disposition | None = attrs.field(
        default=None, validator=instance_of(Disposition, "a Disposition", optional=True)
    )
    record_disposition: Disposition | None = attrs.field(
        default=None, validator=instance_of(Disposition, "a Disposition", optional=True)
    )
    quota: QuotaOutcome | None = attrs.field(
        default=None, validator=instance_of(QuotaOutcome, "a QuotaOutcome", optional=True)
    )
    note: str = attrs.field(default="", validator=_TEXT)
    sip_code: int | None = attrs.field(default=None, validator=_check_sip)
    dialing_duration: int = attrs.field(default=0, validator=_check_seconds)
    cpa_duration: int = attrs.field(default=0, validator=_check_seconds)
    answered_duration: int = attrs.field(default=0, validator=_check_seconds)
    agent: str = attrs.field(default="", validator=_TEXT)
    cpa_result: CPAResult | None = attrs.field(
        default=None, converter=_to_cpa, validator=_check_cpa
    )
    cpa_recording: str = attrs.field(default="", validator=_TEXT)
    cpa_rtp_server: str = attrs.field(default="", validator=_TEXT)
    recording: str = attrs.field(default="", validator=_TEXT)
    rtp_server: str = attrs.field(default="", validator=_TEXT)
    interaction_id: str = attrs.field(default="", validator=_TEXT)
    is_inbound: bool = attrs.field(default=False, validator=_FLAG)
    script_values: Mapping[str, str] = attrs.field(
        default=EMPTY_TEXT_MAP, converter=_to_text_map, validator=_text_map("Attempt")
    )
    #: The caller id the campaign presented (Bright Pattern 5.x's ``ANI``).
    ani: str = attrs.field(default="", validator=_TEXT)
    #: What the dialer did after the attempt (5.x's ``Action Applied``: ``Retry``…).
    action_applied: str = attrs.field(default="", validator=_TEXT)

    # Only an attempt that was not dialled or that closed its record has more to check.
    @post_init_with(
        lambda value: f"{value['is_call_attempt']} and {value['record_disposition']} is None"
    )
    def __attrs_post_init__(self) -> None:
        _check_attempt(self)

    @property
    def completed(self) -> bool:
        """True if the record was completed during this attempt."""
        return self.record_disposition is not None

    @property
    def is_failed_dial(self) -> bool:
        """A real dial that never became a conversation (nothing was answered)."""
        return self.is_call_attempt and self.answered_duration == 0


install_checked_init(Attempt)


@validator_with(
    lambda value: f"type({value}) is tuple and {{*map(type, {value})}} <= ATTEMPT_TYPE",
    ATTEMPT_TYPE=frozenset({Attempt}),
)
def _check_attempts(instance: Record, attribute: attrs.Attribute[Any], value: Any) -> None:
    _tuple_of("Record", Attempt)(instance, attribute, value)


# No weakref slot: the trusted builders make these by a __class__ assignment.
@attrs.frozen(weakref_slot=False)
class Record:
    """One row of a calling list, with the attempts made on it in the order they happened.

    Args:
        id: the Record ID the platform created when the list was loaded.
        list_name: the calling list the record belongs to.
        fields: list column -> text value.
        attempts: the record's attempts, oldest first.
    """

    id: str = attrs.field(validator=non_empty_text)
    list_name: str = attrs.field(validator=non_empty_text)
    fields: Mapping[str, str] = attrs.field(
        default=EMPTY_TEXT_MAP, converter=_to_text_map, validator=_text_map("Record")
    )
    attempts: tuple[Attempt, ...] = attrs.field(
        default=(), converter=_to_tuple, validator=_check_attempts
    )

    @property
    def last_attempt(self) -> Attempt | None:
        """The attempt with the latest time (ties: the later one), dialled or not."""
        return latest_attempts(self.attempts)[0]

    @property
    def completing_attempt(self) -> Attempt | None:
        """The latest attempt that closed the record (gave it a record disposition), if any."""
        return latest_attempts(self.attempts)[1]


install_checked_init(Record)


def latest_attempts(attempts: tuple[Attempt, ...]) -> tuple[Attempt | None, Attempt | None]:
    """The latest attempt and the latest completing one (ties: the later one), in one pass."""
    if len(attempts) == 1:  # most records: nothing to compare
        only = attempts[0]
        return only, (only if only.record_disposition is not None else None)
    # Compared in UTC: aware datetimes sharing a tzinfo compare by wall clock,
    # ignoring fold, which misorders the two passes through a DST fall-back.
    latest = completing = None
    latest_instant = completing_instant = None
    utc = dt.UTC
    for attempt in attempts:
        instant = attempt.time.astimezone(utc)
        if latest_instant is None or instant >= latest_instant:
            latest, latest_instant = attempt, instant
        if attempt.record_disposition is not None and (
            completing_instant is None or instant >= completing_instant
        ):
            completing, completing_instant = attempt, instant
    return latest, completing
