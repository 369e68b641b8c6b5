"""Campaigns, records and attempts to and from the store's rows, losslessly.

A record is one row of the ``records`` table: its ``data`` column holds its
fields (:func:`pack_fields`), its ``attempts`` column all its attempts,
packed (:func:`pack_attempts`), and its ``summary`` column what the simple
report reads of those attempts (:func:`summarize`) — the latest attempt, the
latest completing one, the number dialled and the latest script values —
kept up to date in the transaction that writes the attempts, the way the
platform keeps a record's state. An
export reads one row per record, not one per attempt, and a simple export
never unpacks the attempts at all. An attempt is packed as a tuple: its
ingest sequence number, then the values of :data:`ATTEMPT_COLUMNS` — the
time as a UTC instant in microseconds (which orders attempts) with its time
zone interned in ``zones``, dispositions interned by name per campaign in
``dispositions`` and resolved against the campaign when read, the flags as
bits, and the rare script values as (name, value) pairs. Packed attempts
read back are turned into :class:`Attempt` and :class:`Record` objects
without running the validators again: the store only holds values it
validated when they came in. Both are built through the model's one
trusted-source path, ``trusted_builder`` (``_model/construction.py``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import marshal
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs

from .._codegen import compile_source, function, indent, joined, wrapped
from .._jsonl import dump_campaign, load_campaign
from .._model.campaign import NO_MATCH, Attempt, Campaign, QuotaOutcome, Record
from .._model.construction import trusted_builder
from .._model.cpa import CPAResult
from .._model.dispositions import Disposition
from .._model.frozen import EMPTY_TEXT_MAP, FrozenTextMap

__all__ = [
    "ATTEMPT_COLUMNS",
    "CALL",
    "EMPTY_SUMMARY",
    "MARSHAL_VERSION",
    "PACKED_POSITION",
    "TABLE_COLUMNS",
    "WIDTH",
    "ColumnRead",
    "PackedAttempt",
    "Summary",
    "all_widened",
    "attempt_decoder",
    "attempt_names",
    "attempt_reads",
    "build_record",
    "campaign_from_text",
    "campaign_text",
    "decode_time",
    "decode_zone",
    "encode_time",
    "fields_from_text",
    "micros",
    "moment_of",
    "pack_attempts",
    "pack_fields",
    "pack_summary",
    "script_items",
    "summarize",
    "unpack_attempts",
    "unpack_fields",
    "unpack_summary",
    "widened",
]

#: A column that holds the Attempt field of its name, as it is.
_AS_IS: Final = ""
#: The first values of a packed attempt after its sequence number, in this order
#: (the columns of the ``attempts`` table of schema version 3, after ``seq`` and
#: ``record``; stored data depends on it): each with how :func:`attempt_row`
#: writes it, after the statements of :data:`_ROW_START`. A field ``Attempt``
#: gains later is packed after them without an entry here (:data:`_PACKING`).
TABLE_COLUMNS: Final = {
    "t": "instant",
    "zone": "zone_id(zone)",
    "wall": "wall",
    "phone": _AS_IS,
    "flags": "flags",
    "call_disposition": "None if call is None else disposition_id(call)",
    "record_disposition": "None if record is None else disposition_id(record)",
    "quota": "None if quota is None else quota_text(quota)",
    "note": _AS_IS,
    "sip_code": _AS_IS,
    "dialing_duration": _AS_IS,
    "cpa_duration": _AS_IS,
    "answered_duration": _AS_IS,
    "agent": _AS_IS,
    "cpa_result": "None if cpa is None else int(cpa)",
    "cpa_recording": _AS_IS,
    "cpa_rtp_server": _AS_IS,
    "recording": _AS_IS,
    "rtp_server": _AS_IS,
    "interaction_id": _AS_IS,
    "script_values": "script_items(script) if script else None",
    "ani": _AS_IS,
    "action_applied": _AS_IS,
}

_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_NAIVE_EPOCH: Final = dt.datetime(1970, 1, 1)  # noqa: DTZ001 - wall clocks are naive
_MICROSECOND: Final = dt.timedelta(microseconds=1)
_from_timestamp: Final = dt.datetime.fromtimestamp
_CALL, _INBOUND, _FOLD = 1, 2, 4
#: The bit of a packed attempt's flags that says it was dialled (``is_call_attempt``).
CALL: Final = _CALL
#: How NO_MATCH is kept in the quota column (a group's name is never empty).
_NO_MATCH_TEXT: Final = ""
_FIXED: Final = "@"
#: Between the names and values of a mapping kept as text by schema version 3.
_SEPARATOR: Final = "\x1f"
#: The packing's format: read by every CPython since 3.4 (docs/development/decisions.md).
MARSHAL_VERSION: Final = 4


# --- campaigns ------------------------------------------------------------------------


def campaign_text(campaign: Campaign) -> str:
    """The campaign as the first line of the JSON Lines format."""
    stream = io.StringIO()
    dump_campaign(campaign, (), stream)
    return stream.getvalue()


def campaign_from_text(text: str) -> Campaign:
    """The campaign a :func:`campaign_text` line describes."""
    campaign, _ = load_campaign([text])
    return campaign


# --- record fields ----------------------------------------------------------------------


def fields_from_text(text: str) -> FrozenTextMap:
    """The mapping a text of schema version 3 holds (record fields, script values).

    Names and values joined by the unit separator (``\\x1f``), after one; a
    JSON object when they held that character themselves.
    """
    if text.startswith(_SEPARATOR):
        parts = text[1:].split(_SEPARATOR)
        return _frozen_map(dict(zip(parts[::2], parts[1::2], strict=True)))
    return _frozen_map(json.loads(text))


_frozen_map: Final = FrozenTextMap.wrap


# --- times ------------------------------------------------------------------------------


def micros(moment: dt.datetime) -> int:
    """Aware ``moment`` as microseconds since the epoch (UTC): how the store keeps an instant."""
    return (moment - _EPOCH) // _MICROSECOND


def moment_of(value: int) -> dt.datetime:
    """The UTC date-time of :func:`micros` ``value``."""
    return _EPOCH + dt.timedelta(microseconds=value)


def encode_time(moment: dt.datetime) -> tuple[int, str, int | None, bool]:
    """``moment`` as (UTC microseconds, zone text, wall clock or None, fold).

    A :class:`zoneinfo.ZoneInfo` with a key is kept by its key, a
    :class:`datetime.timezone` by its offset and name; any other time zone
    becomes the fixed offset it had at that moment. The wall clock is kept
    only when the instant alone would not give it back: a time inside a DST
    gap (which has no instant of its own), or a ``fold=1`` that the zone
    ignores at that time.
    """
    instant = micros(moment)
    zone = moment.tzinfo
    if isinstance(zone, zoneinfo.ZoneInfo) and isinstance(zone.key, str):
        text = zone.key
        if instant >= 0 and not instant % 1_000_000:
            # Whole seconds (most times): the instant says it all when the
            # date-time it gives back in the zone is this one, fold included
            # (equal aware date-times of one tzinfo compare their wall clocks).
            back = _from_timestamp(instant // 1_000_000, zone)
            if back == moment and back.fold == moment.fold:
                return instant, text, None, False
        # Neither in a DST gap nor in a repeated hour: the instant says it all.
        elif not moment.fold and moment.replace(fold=1).utcoffset() == moment.utcoffset():
            return instant, text, None, False
    elif isinstance(zone, dt.timezone):
        text = _fixed_text(zone, moment)
        if not moment.fold:
            return instant, text, None, False
    else:
        zone = dt.timezone(moment.utcoffset() or dt.timedelta(0))
        text = _fixed_text(zone, moment)
    back = moment_of(instant).astimezone(zone)
    wall_clock = moment.replace(tzinfo=None)
    if back.replace(tzinfo=None) == wall_clock and back.fold == moment.fold:
        return instant, text, None, False
    return instant, text, (wall_clock - _NAIVE_EPOCH) // _MICROSECOND, bool(moment.fold)


def _fixed_text(zone: dt.timezone, moment: dt.datetime) -> str:
    offset = zone.utcoffset(moment) // _MICROSECOND
    name = zone.tzname(moment)
    if name == dt.timezone(dt.timedelta(microseconds=offset)).tzname(moment):
        return f"{_FIXED}{offset}"
    return f"{_FIXED}{offset}/{name}"


def decode_zone(text: str) -> dt.tzinfo:
    """The time zone an :func:`encode_time` zone text names."""
    if not text.startswith(_FIXED):
        return zoneinfo.ZoneInfo(text)
    offset, _, name = text[1:].partition("/")
    delta = dt.timedelta(microseconds=int(offset))
    return dt.timezone(delta, name) if name else dt.timezone(delta)


# --- attempts ---------------------------------------------------------------------------

_ATTEMPT_FIELDS: Final = tuple(field.name for field in attrs.fields(Attempt))
#: The fields of Attempt that no column holds as it is: packed and read apart.
_PACKED_APART: Final = frozenset(
    {
        "time",
        "is_call_attempt",
        "is_inbound",
        "call_disposition",
        "record_disposition",
        "quota",
        "cpa_result",
        "script_values",
    }
)
#: What a field Attempt gains later may hold to be packed as it is: marshal keeps these.
_PLAIN_VALUES: Final = (str, int, bool, float, type(None))


def _later_field(field: attrs.Attribute[Any]) -> tuple[str, Any]:
    """A field packed after :data:`TABLE_COLUMNS`, and what an attempt packed before it reads."""
    if not isinstance(field.default, _PLAIN_VALUES):
        raise TypeError(  # pragma: no cover - a development-time guard
            f"Attempt.{field.name} is packed as it is by the store, so its default must be "
            "text, a number, a flag or None; else give it an entry in TABLE_COLUMNS"
        )
    return field.name, field.default


#: Each field packed after :data:`TABLE_COLUMNS`, with the value an attempt packed
#: before the field existed reads (its default): such stores need no migration.
_LATER_FIELDS: Final = dict(
    _later_field(field)
    for field in attrs.fields(Attempt)
    if field.name not in TABLE_COLUMNS and field.name not in _PACKED_APART
)
#: Every value of a packed attempt after its sequence number, in order, with
#: how :func:`attempt_row` writes it.
_PACKING: Final = {**TABLE_COLUMNS, **dict.fromkeys(_LATER_FIELDS, _AS_IS)}
ATTEMPT_COLUMNS: Final = tuple(_PACKING)
#: The items of a packed attempt: its sequence number and :data:`ATTEMPT_COLUMNS`.
WIDTH: Final = 1 + len(ATTEMPT_COLUMNS)
#: What the items an older packed attempt lacks read as, from its length on.
_MISSING: Final = (None,) * (1 + len(TABLE_COLUMNS)) + tuple(_LATER_FIELDS.values())

#: What :func:`attempt_row` works out before writing the columns of :data:`_PACKING`.
_ROW_START: Final = (
    "instant, zone, wall, fold = encode_time(attempt.time)",
    "flags = (",
    "    (CALL if attempt.is_call_attempt else 0)",
    "    | (INBOUND if attempt.is_inbound else 0)",
    "    | (FOLD if fold else 0)",
    ")",
    "call = attempt.call_disposition",
    "record = attempt.record_disposition",
    "quota = attempt.quota",
    "cpa = attempt.cpa_result",
    "script = attempt.script_values",
)


def _compile_attempt_row() -> Callable[..., tuple[Any, ...]]:
    columns = [f"attempt.{column}" if how == _AS_IS else how for column, how in _PACKING.items()]
    lines = function(
        "attempt_row",
        ["attempt", "zone_id", "disposition_id"],
        [*_ROW_START, *wrapped("return (", columns, ")")],
    )
    namespace: dict[str, Any] = {
        "encode_time": encode_time,
        "script_items": script_items,
        "quota_text": _quota_text,
        "CALL": _CALL,
        "INBOUND": _INBOUND,
        "FOLD": _FOLD,
    }
    compile_source(lines, namespace, "attempt row")
    compiled: Callable[..., tuple[Any, ...]] = namespace["attempt_row"]
    compiled.__doc__ = """``attempt`` as the values of :data:`ATTEMPT_COLUMNS`.

    Args:
        attempt: a validated attempt.
        zone_id: the interned id of a zone text.
        disposition_id: the interned id of a disposition (checked against the
            campaign by the caller).
    """
    return compiled


def script_items(values: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Script values as the store packs them: (name, value) pairs sorted by name.

    Sorted, so that equal values are equal pairs whatever their order (they
    tell duplicate attempts apart); pairs, so that a packed attempt stays
    hashable and reads back into a dict in one call.
    """
    return tuple(sorted(values.items()))


def _quota_text(quota: QuotaOutcome) -> str:
    return quota.group if isinstance(quota.group, str) else _NO_MATCH_TEXT


#: ``attempt_row(attempt, zone_id, disposition_id)``: the attempt's packed values.
attempt_row: Final[
    Callable[[Attempt, Callable[[str], int], Callable[[Disposition], int]], tuple[Any, ...]]
] = _compile_attempt_row()

_NO_MATCH_OUTCOME: Final = QuotaOutcome(NO_MATCH)
#: CPA results by number, and None for none.
_CPA: Final[dict[int | None, CPAResult | None]] = {None: None, **{int(c): c for c in CPAResult}}

#: How code reads a column of a packed attempt: the name its value is bound to,
#: given the column's (the decoder's arguments are the columns themselves).
ColumnRead = Callable[[str], str]


def _time_read(column: ColumnRead) -> str:
    # Whole seconds after 1970 in a zone whose instant says it all (the usual
    # case) take the one C call; anything else goes through _time.
    t, zone, wall, flags = (column(name) for name in ("t", "zone", "wall", "flags"))
    fast = wrapped("from_timestamp(", [f"{t} // 1000000", f"ZONES[{zone}]"], ")")
    whole = joined("and", [f"{wall} is None", f"{t} >= 0", f"not {t} % 1000000"])
    other = wrapped("time_of(", [t, f"ZONES[{zone}]", wall, flags], ")")
    return "\n".join(
        [
            "(",
            *indent(fast),
            *indent(f"if {whole}".splitlines()),
            *indent([f"else {other[0]}", *other[1:]]),
            ")",
        ]
    )


def _script_values_read(column: ColumnRead) -> str:
    values = column("script_values")
    return "\n".join(
        ["(", "    NO_VALUES", f"    if {values} is None", f"    else frozen(dict({values}))", ")"]
    )


# How each field of Attempt that is not a column of its own (_AS_IS) is read
# from a packed attempt, as a function of how its columns are read. Checked
# against the class below, so a field added to Attempt cannot be forgotten here.
_DECODE_APART: Final[dict[str, Callable[[ColumnRead], str]]] = {
    "time": _time_read,
    "is_call_attempt": lambda column: f"CALLED[{column('flags')}]",
    "call_disposition": lambda column: f"DISPOSITIONS[{column('call_disposition')}]",
    "record_disposition": lambda column: f"DISPOSITIONS[{column('record_disposition')}]",
    "quota": lambda column: (
        f"(None if {column('quota')} is None else quota_outcome({column('quota')}))"
    ),
    "cpa_result": lambda column: f"CPA_RESULTS[{column('cpa_result')}]",
    "is_inbound": lambda column: f"INBOUND[{column('flags')}]",
    "script_values": _script_values_read,
}
_KEPT_AS_IS: Final = tuple(column for column, how in _PACKING.items() if how == _AS_IS)
if sorted((*_KEPT_AS_IS, *_DECODE_APART)) != sorted(_ATTEMPT_FIELDS):  # pragma: no cover
    raise AssertionError(
        "every field of Attempt must be a column kept as it is (_PACKING) or be read "
        "apart (_DECODE_APART), and only one of them"
    )


def attempt_reads(column: ColumnRead) -> dict[str, str]:
    """How each field of Attempt is read from a packed attempt, in the fields' order.

    Each an expression over the names ``column`` gives the columns
    (:data:`ATTEMPT_COLUMNS`), and the names of :func:`attempt_names`.
    """
    return {
        name: _DECODE_APART[name](column) if name in _DECODE_APART else column(name)
        for name in _ATTEMPT_FIELDS
    }


def _column_itself(name: str) -> str:
    return name


#: How each field of Attempt is read from the decoder's arguments (the columns).
_DECODE: Final = attempt_reads(_column_itself)
#: is_call_attempt and is_inbound by the flags column (fold is the third bit).
_CALLED: Final = tuple(bool(flags & _CALL) for flags in range(8))
_INBOUND_FLAGS: Final = tuple(bool(flags & _INBOUND) for flags in range(8))


def _time(instant: int, zone: dt.tzinfo, wall: int | None, flags: int) -> dt.datetime:
    if wall is None:
        if instant >= 0:
            # fromtimestamp is the fastest way to an aware datetime; it takes
            # whole seconds exactly (a float would round the microseconds).
            seconds, micros = divmod(instant, 1_000_000)
            moment = _from_timestamp(seconds, zone)
            return moment.replace(microsecond=micros) if micros else moment
        return moment_of(instant).astimezone(zone)
    return (_NAIVE_EPOCH + dt.timedelta(microseconds=wall)).replace(
        tzinfo=zone, fold=1 if flags & _FOLD else 0
    )


def decode_time(instant: int, zone: str, wall: int | None, fold: bool) -> dt.datetime:
    """The date-time an :func:`encode_time` tuple describes."""
    return _time(instant, decode_zone(zone), wall, _FOLD if fold else 0)


def _quota(text: str) -> QuotaOutcome:
    return _NO_MATCH_OUTCOME if text == _NO_MATCH_TEXT else QuotaOutcome(text)


def attempt_names(
    zones: Mapping[int, str], dispositions: Mapping[int, Disposition]
) -> dict[str, Any]:
    """The names :func:`attempt_reads`' expressions use, for the store's ``zones``
    (id -> zone text) and the campaign's ``dispositions`` (id -> the
    disposition the campaign gives that name)."""
    return {
        "time_of": _time,
        "from_timestamp": _from_timestamp,
        "ZONES": {zone_id: decode_zone(text) for zone_id, text in zones.items()},
        "DISPOSITIONS": {None: None, **dispositions},
        "quota_outcome": _quota,
        "CPA_RESULTS": _CPA,
        "CALLED": _CALLED,
        "INBOUND": _INBOUND_FLAGS,
        "NO_VALUES": EMPTY_TEXT_MAP,
        "frozen": _frozen_map,
    }


def attempt_decoder(
    zones: Mapping[int, str], dispositions: Mapping[int, Disposition]
) -> Callable[..., Attempt]:
    """A function turning the items of a packed attempt into an Attempt: ``decode(*packed)``.

    A packed attempt is its ingest sequence number followed by the values of
    :data:`ATTEMPT_COLUMNS` (see :func:`pack_attempts`). Generated once per
    read (like attrs' ``__init__``, its source is in :mod:`linecache`), with
    the store's zones and the campaign's dispositions bound in: one call per
    attempt, no validators run again.

    Args:
        zones: zone id -> zone text (the ``zones`` table).
        dispositions: disposition id -> the disposition the campaign gives
            that name.
    """
    # The store's rows hold only values validated when they came in: the trusted-source path.
    later = tuple(f"{name}={default!r}" for name, default in _LATER_FIELDS.items())
    return trusted_builder(
        Attempt,
        arguments=("seq", *TABLE_COLUMNS, *later),
        values=_DECODE,
        namespace=attempt_names(zones, dispositions),
        what="packed attempt",
    )


# --- records ----------------------------------------------------------------------------

#: A packed attempt: its ingest sequence number, then the values of ATTEMPT_COLUMNS.
PackedAttempt = tuple[Any, ...]
#: Where each of ATTEMPT_COLUMNS is in a packed attempt.
PACKED_POSITION: Final = {column: 1 + index for index, column in enumerate(ATTEMPT_COLUMNS)}


def widened(packed: PackedAttempt) -> PackedAttempt:
    """``packed`` with the values of the fields added since it was packed: their defaults."""
    return packed if len(packed) == WIDTH else packed + _MISSING[len(packed) :]


def all_widened(attempts: Sequence[PackedAttempt]) -> tuple[PackedAttempt, ...]:
    """Each of ``attempts`` :func:`widened`, checked at once: most stores need none widened."""
    if min(map(len, attempts), default=WIDTH) == WIDTH:
        return tuple(attempts)  # a tuple is given back as it is, not copied
    return tuple(map(widened, attempts))


def pack_attempts(attempts: Sequence[PackedAttempt]) -> bytes:
    """A record's packed attempts as the one value of its ``attempts`` column.

    ``attempts`` must be in the order records give them back: by instant,
    ties by sequence number. ``marshal`` (format version 4, read by every
    CPython since 3.4) is the fastest way back to Python values, in C, and
    only ever builds plain values (no code runs while reading it).
    """
    return marshal.dumps(tuple(attempts), MARSHAL_VERSION)


#: The packed attempts :func:`pack_attempts` made an ``attempts`` value of.
unpack_attempts: Final[Callable[[bytes], tuple[PackedAttempt, ...]]] = marshal.loads

#: What a record's attempts give its simple row (:func:`summarize`): the number
#: dialled, the latest attempt, the latest completing attempt (both packed, or
#: None) and the latest non-empty value of each script field (None for none).
Summary = tuple[int, PackedAttempt | None, PackedAttempt | None, dict[str, str] | None]
#: The summary of a record without attempts.
EMPTY_SUMMARY: Final[Summary] = (0, None, None, None)

_FLAGS: Final = PACKED_POSITION["flags"]
_COMPLETION: Final = PACKED_POSITION["record_disposition"]
_SCRIPT_VALUES: Final = PACKED_POSITION["script_values"]


def summarize(attempts: Sequence[PackedAttempt]) -> Summary:
    """What ``attempts`` (packed, in the order records give them back) give a simple row.

    The order is by instant, ties by sequence number, so the latest attempt
    is the last one and the latest completing one the last with a record
    disposition: what ``latest_attempts`` finds in the record read back
    (``_model/campaign.py``). Script values are, per field, the value of the
    last attempt that has a non-empty one, as ``latest_script_values`` takes
    them (``_report/build.py``); every field's, exported or not, since a
    redefinition of the campaign may export others.
    """
    if not attempts:
        return EMPTY_SUMMARY
    last = attempts[-1]
    completing = None
    for packed in reversed(attempts):
        if packed[_COMPLETION] is not None:
            completing = packed
            break
    dialled = sum([1 for packed in attempts if packed[_FLAGS] & _CALL])
    latest: dict[str, str] | None = None
    for packed in reversed(attempts):
        script = packed[_SCRIPT_VALUES]
        if script is not None:
            if latest is None:
                latest = {}
            for name, value in script:
                if value and name not in latest:
                    latest[name] = value
    return dialled, last, completing, latest or None


def pack_summary(summary: Summary) -> bytes:
    """:func:`summarize`'s summary as the one value of a record's ``summary`` column.

    The latest and completing attempts are often one tuple: marshal writes
    it once and reads it back as one object.
    """
    return marshal.dumps(summary, MARSHAL_VERSION)


#: The summary :func:`pack_summary` made a ``summary`` value of.
unpack_summary: Final[Callable[[bytes], Summary]] = marshal.loads


def pack_fields(fields: Mapping[str, str]) -> bytes:
    """A record's fields as the one value of its ``data`` column."""
    return marshal.dumps(dict(fields), MARSHAL_VERSION)


#: The fields :func:`pack_fields` made a ``data`` value of.
unpack_fields: Final[Callable[[bytes], dict[str, str]]] = marshal.loads


#: A Record from the store: ``build_record(record id, list name, fields dict, attempts)``,
#: the fields dict (unpacked, used nowhere else) becoming the record's mapping.
build_record: Final[Callable[[str, str, dict[str, str], tuple[Attempt, ...]], Record]] = (
    trusted_builder(
        Record,
        arguments=("record_id", "list_name", "fields", "attempts"),
        values={
            "id": "record_id",
            "list_name": "list_name",
            "fields": "frozen(fields)",
            "attempts": "attempts",
        },
        namespace={"frozen": _frozen_map},
        what="packed record",
    )
)
