"""The JSON of the platform's List Management API, read into the model. Pure: no network.

Three methods return a calling list's results (``docs/platform-api.md``):

- *Get Updated Records* (``getChanged``): records with every attempt, "in a
  format similar to the one used for detailed campaign result export";
  :func:`parse_changed` reads them;
- *Get Completed Records* (``getCompleted``), *Query a Record* (``get``) and
  *Get All Records* (``getAll``): records with a ``status`` that sums up their
  last attempt; :func:`parse_status` reads them.

A record's entry fields become :attr:`Record.fields`, each attempt an
:class:`Attempt`; dispositions are found by name (either language) among the
campaign's and the system's. Every value the library cannot read raises
:class:`~cloudcontact_results.errors.PlatformDataError` naming its JSON path;
keys the library does not know are ignored and listed in
:attr:`PlatformRecord.ignored`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from .._jsontext import DuplicateKey, unique_object
from .._model.campaign import NO_MATCH, Attempt, Campaign, QuotaOutcome, Record, is_no_match_label
from .._model.cpa import CPAResult
from .._model.dispositions import Disposition
from .._model.fit import CampaignFit
from .._model.frozen import FrozenTextMap
from .._model.notes import SystemNote
from .._report.kinds import DETAILED
from ..errors import CampaignMismatchError, PlatformDataError, ValidationError

__all__ = [
    "EXTRA_INBOUND",
    "EXTRA_INTERACTION_ID",
    "PlatformRecord",
    "checked_key_columns",
    "parse_changed",
    "parse_status",
    "platform_time",
]

#: How deeply an answer may nest arrays and objects (the documented ones nest four deep).
MAX_DEPTH: Final = 64
#: The most seconds a duration, or a count, may be (a 32-bit signed integer).
MAX_SECONDS: Final = 2**31 - 1

#: Keys of :attr:`PlatformRecord.attempt_extras`: the detailed export's headers.
EXTRA_INTERACTION_ID: Final = "Global Interaction ID"
EXTRA_INBOUND: Final = "Is Inbound Call"


@attrs.frozen
class PlatformRecord:
    """One record of the platform's answer, read into the model.

    Attributes:
        record: the record, its attempts oldest first.
        activity: the latest moment the answer shows for the record (UTC): its
            latest attempt's ``date`` (``getChanged``), else ``completedTime``
            or the status's ``lastDate``; None when it shows none. Paging
            through ``getChanged`` uses it as the next ``fromTime``.
        total_attempts: the platform's ``totalAttempts``, when it sends it.
        attempt_extras: per attempt of ``record.attempts`` (same order), what
            the platform sent that the model cannot hold: the ``"Global
            Interaction ID"`` or ``"Is Inbound Call"`` of an attempt that was
            not dialled (the model keeps those for dialled attempts only).
        ignored: JSON paths of the keys the library does not know, ignored.
    """

    record: Record
    activity: dt.datetime | None
    total_attempts: int | None = None
    attempt_extras: tuple[Mapping[str, str], ...] = ()
    ignored: tuple[str, ...] = ()


# --- keys -------------------------------------------------------------------------------


def _key(name: str) -> str:
    """How keys are compared: case, spaces and underscores do not count."""
    return name.replace("_", "").replace(" ", "").casefold()


def _aliases(**fields: str) -> dict[str, str]:
    """Normalised key -> field, from ``field="alias | alias"``."""
    table: dict[str, str] = {}
    for field, names in fields.items():
        for name in names.split("|"):
            table[_key(name.strip())] = field
    return table


#: The record of ``getChanged``: the documented keys.
_CHANGED_RECORD: Final = _aliases(
    entry="entry",
    record_id="recordId | Record ID",
    completed="completed",
    record_disposition="recordDisposition",
    record_disposition_code="recordDispositionCode",
    total_attempts="totalAttempts",
    attempts="attempts",
)

#: An attempt of ``getChanged``: the documented keys, and the detailed export's
#: headers (the API calls its attempts "similar to" that export).
#: The keys an attempt sends what it says under (see :data:`_ATTEMPT`).
_ATTEMPT_KEYS: Final = _aliases(
    call_attempted="call_attempted | Is Call Attempt",
    disposition="disposition | Call Disposition",
    disposition_code="dispositionCode | Call Disposition Code",
    date="date | Call Time",
    phone="phone | This Phone number",
    note="callNotes | Call Note",
    agent="agent",
    cpa_result="CPAResult",
    dialing_duration="dialingDuration",
    cpa_duration="cpaDuration",
    answered_duration="answeredDuration | callDuration",
    interaction_id="globalInteractionID",
    cpa_recording="CPA recording file",
    cpa_rtp_server="CPA RTP server id",
    recording="Recording file",
    rtp_server="RTP server id",
    inbound="Is Inbound Call | isInbound",
    out_of_quota="Out of Quota",
    quota_group="Quota Group",
    completed="completed",
    record_disposition="recordDisposition",
    record_disposition_code="recordDispositionCode",
    ani="ANI",
    action_applied="Action Applied",
)

#: A record of ``getCompleted``, ``getAll`` and ``get``.
_STATUS_RECORD: Final = _aliases(
    entry="entry",
    record_id="recordId | Record ID",
    completed_time="completedTime",
    index="index",
    status="status",
)
_STATUS: Final = _aliases(
    completed="completed",
    last_disposition="lastDisposition",
    last_date="lastDate",
    last_phone="lastPhone",
    last_call_duration="lastCallDuration",
    last_agent="lastAgent",
    total_attempts="totalAttempts",
    interaction_id="globalInteractionID",
)


# --- reading values ---------------------------------------------------------------------

#: ISO 8601 as the API writes it: ``2013-07-05T15:19:04.000``, maybe with an offset.
_ISO_TIME: Final = re.compile(
    r"(?P<base>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d{1,9}))?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?",
    re.ASCII,
)

_CPA_NAMES: Final = {
    _key(name): result
    for result in CPAResult
    for name in (result.name, result.label_en, result.label_ru)
}


def platform_time(text: str, path: str = "date") -> dt.datetime:
    """An ISO 8601 time of the API as an aware UTC datetime (the API's times are UTC).

    Raises:
        PlatformDataError: naming ``path``.

    >>> platform_time("2013-07-05T15:19:04.000")
    datetime.datetime(2013, 7, 5, 15, 19, 4, tzinfo=datetime.timezone.utc)
    >>> platform_time("2013-07-05T15:19:04.000+0400").isoformat()
    '2013-07-05T11:19:04+00:00'
    """
    match = _ISO_TIME.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise PlatformDataError(path, text, "must be an ISO 8601 date-time")
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    zone = match["zone"] or "+00:00"
    try:
        moment = dt.datetime.fromisoformat(f"{match['base']}.{fraction}{zone}")
        return moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise PlatformDataError(path, text, "is not a valid date-time") from None


def checked_key_columns(
    campaign: Campaign, list_name: str, key_columns: Sequence[str]
) -> tuple[str, ...]:
    """``key_columns`` (one name or several), each a column of ``campaign``'s list ``list_name``.

    Raises:
        CampaignMismatchError: ``campaign`` is none, the list is not one of its
            lists, or a key column is not a column of the list, naming the
            closest columns.
    """
    if not isinstance(campaign, Campaign):
        raise CampaignMismatchError("campaign", campaign, "must be a Campaign")
    fit = CampaignFit(campaign)
    fit.list_columns("list_name", list_name)
    if isinstance(key_columns, str):
        key_columns = (key_columns,)
    fit.check_fields("key_columns", list_name, key_columns)
    return tuple(key_columns)


class _Reader:
    """Reads one answer against one campaign's list, naming JSON paths in its errors."""

    def __init__(self, campaign: Campaign, list_name: str, key_columns: Sequence[str]) -> None:
        if not isinstance(campaign, Campaign):
            raise CampaignMismatchError("campaign", campaign, "must be a Campaign")
        self.fit = fit = CampaignFit(campaign)
        self.columns = fit.list_columns("list_name", list_name)
        self.campaign = campaign
        self.list_name = list_name
        self.key_columns = checked_key_columns(campaign, list_name, key_columns)
        self.script_names = fit.script_names
        self._dispositions: dict[tuple[str, str | None, bool], Disposition] = {}

    # --- plain values

    def fields_of(
        self,
        path: str,
        obj: Any,
        table: Mapping[str, str],
        ignored: list[str],
        extra: Callable[[str, Any], bool] | None = None,
    ) -> dict[str, tuple[str, Any]]:
        """``obj``'s known keys as field -> (path, value); unknown keys go to ``ignored``."""
        if not isinstance(obj, dict):
            raise PlatformDataError(path, _show(obj), "must be a JSON object")
        found: dict[str, tuple[str, Any]] = {}
        for key, value in obj.items():
            where = f"{path}.{key}"
            field = table.get(_key(key))
            if field is None:
                if extra is None or not extra(key, value):
                    ignored.append(where)
                continue
            if field in found and found[field][1] != value:
                raise PlatformDataError(
                    where, _show(value), f"says otherwise than {found[field][0]} (the same field)"
                )
            found[field] = (where, value)
        return found

    @staticmethod
    def text(path: str, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool) and not _huge(value):
            return str(value)
        raise PlatformDataError(path, _show(value), "must be a JSON string")

    @staticmethod
    def flag(path: str, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().casefold() in _FLAGS:
            return _FLAGS[value.strip().casefold()]
        raise PlatformDataError(path, _show(value), "must be true or false")

    @staticmethod
    def seconds(path: str, value: Any) -> int:
        if value is None or value == "":
            return 0
        number: Any = value
        if isinstance(value, str):
            number = _ascii_number(value)
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        if not isinstance(number, int) or isinstance(number, bool):
            raise PlatformDataError(path, _show(value), "must be whole seconds (a JSON number)")
        if number < 0:
            raise PlatformDataError(path, _show(value), "must be >= 0 seconds")
        if number > MAX_SECONDS:
            raise PlatformDataError(path, _show(value), f"must be at most {MAX_SECONDS} seconds")
        return number

    @staticmethod
    def count(path: str, value: Any) -> int | None:
        if value is None or value == "":
            return None
        return _Reader.seconds(path, value)

    @staticmethod
    def time(path: str, value: Any) -> dt.datetime:
        if not isinstance(value, str):
            raise PlatformDataError(path, _show(value), "must be an ISO 8601 date-time string")
        return platform_time(value, path)

    @staticmethod
    def cpa(path: str, value: Any) -> CPAResult | None:
        if value is None or value == "":
            return None
        number: Any = value
        if isinstance(value, str):
            found = _CPA_NAMES.get(_key(value))
            if found is not None:
                return found
            number = _ascii_number(value)
        if isinstance(number, int) and not isinstance(number, bool) and 0 <= number <= 9:
            return CPAResult(number)
        raise PlatformDataError(path, _show(value), "must be a CPA result name or number (0-9)")

    @staticmethod
    def code(path: str, value: Any) -> str | None:
        text = _Reader.text(path, value).strip()
        return text or None

    # --- dispositions

    def disposition(
        self, path: str, name: Any, code_path: str, code: Any, *, final: bool
    ) -> Disposition | None:
        """The disposition called ``name`` with ``code``; None for no name.

        A name that is neither the campaign's nor a system one becomes a
        disposition of its own: reports then raise, or write it as
        *Disposition not found*, as ``ExportOptions.report_unknown_dispositions`` says.
        """
        label = self.text(path, name).strip()
        given_code = self.code(code_path, code)
        if not label:
            return None
        cache_key = (label, given_code, final)
        cached = self._dispositions.get(cache_key)
        if cached is not None:
            return cached
        known = self.campaign.find_disposition(label)
        try:
            if known is None:
                found = Disposition(label, code=given_code, final=final)
            elif given_code is None or given_code == known.code:
                found = known
            else:
                found = attrs.evolve(known, code=given_code)
        except ValidationError as exc:
            where = code_path if exc.field == "Disposition.code" else path
            raise PlatformDataError(where, exc.value, exc.reason) from None
        self._dispositions[cache_key] = found
        return found

    # --- records

    def record_id(self, path: str, given: tuple[str, Any] | None, fields: Mapping[str, str]) -> str:
        if self.key_columns:
            values = []
            for column in self.key_columns:
                value = fields.get(column, "")
                if not value:
                    raise PlatformDataError(
                        f"{path}.entry.{column}", value, "the record's key column is empty"
                    )
                values.append(value)
            if len(values) == 1:
                return values[0]
            return json.dumps(values, ensure_ascii=False)
        if given is None:
            raise PlatformDataError(
                f"{path}.entry",
                None,
                "the answer does not identify the record: name the list's key columns "
                "(key_columns) or let the platform send a recordId",
            )
        text = self.text(given[0], given[1]).strip()
        if not text:
            raise PlatformDataError(given[0], given[1], "must be a non-empty record id")
        return text

    def entry(self, path: str, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise PlatformDataError(path, _show(value), "must be a JSON object (the list entry)")
        fields: dict[str, str] = {}
        for column, text in value.items():
            if column not in self.columns:
                try:
                    self.fit.check_fields(f"{path}.{column}", self.list_name, (column,))
                except CampaignMismatchError as exc:
                    raise PlatformDataError(exc.field, exc.value, exc.reason) from None
            fields[column] = self.text(f"{path}.{column}", text)
        return fields

    def build_record(
        self, path: str, record_id: str, fields: Mapping[str, str], attempts: Iterable[Attempt]
    ) -> Record:
        try:
            return Record(record_id, self.list_name, fields, tuple(attempts))
        except ValidationError as exc:
            raise PlatformDataError(path, exc.value, exc.reason) from None


_FLAGS: Final = {"true": True, "false": False, "1": True, "0": False}


def _show(value: Any) -> Any:
    """The value as errors show it: JSON text for containers."""
    if isinstance(value, int) and _huge(value):
        return _TooLong(value.bit_length() * 30103 // 100000 + 1)
    if isinstance(value, dict | list):
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError, RecursionError):  # what the tree check refuses anyway
            text = "[...]" if isinstance(value, list) else "{...}"
        return text if len(text) <= 80 else text[:77] + "..."
    return value


#: Integers of more bits than this (about 3,900 digits) are never written as text:
#: Python refuses to convert more than 4,300 digits (``sys.get_int_max_str_digits``).
_HUGE_BITS: Final = 13_000


def _huge(value: int) -> bool:
    return value.bit_length() > _HUGE_BITS


#: The most digits a string of digits may have to be read as a number.
_MAX_DIGITS: Final = 600


def _ascii_number(text: str) -> int | None:
    """``text`` as a whole number if it is one in ASCII digits (``"²".isdigit()`` is true)."""
    digits = text.strip()
    if digits.isascii() and digits.isdigit() and len(digits) <= _MAX_DIGITS:
        return int(digits)
    return None


class _TooLong:
    """A JSON number of more digits than Python converts: refused, naming its path."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"<a number of about {self.digits} digits>"


class _Twice(dict[str, Any]):
    """A JSON object with a key given twice: refused, naming the key's path."""

    twice: str


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    try:
        return unique_object(pairs)
    except DuplicateKey as exc:
        marked = _Twice(pairs)
        marked.twice = exc.key
        return marked


def _int(text: str) -> Any:
    try:
        return int(text)
    except ValueError:  # more digits than Python converts
        return _TooLong(len(text))


_SCALARS: Final = (str, int, float, type(None))


def _check_tree(data: Any) -> None:
    """Refuse what decoded JSON must not hold, naming its path.

    A key given twice, a number too long to read, nesting deeper than
    :data:`MAX_DEPTH`, a key that is not text or a value that is no JSON
    value (when the caller decoded the JSON). Iterative: any depth is safe.
    """
    stack: list[tuple[str, Any, int]] = [("$", data, 0)]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, _TooLong):
            raise PlatformDataError(path, value, "is a number of more digits than can be read")
        if isinstance(value, _SCALARS):
            continue
        if depth >= MAX_DEPTH:
            raise PlatformDataError(
                path, None, f"nests arrays and objects more than {MAX_DEPTH} deep"
            )
        children: list[tuple[str, Any, int]] = []
        if isinstance(value, list):
            children = [(f"{path}[{index}]", item, depth + 1) for index, item in enumerate(value)]
        elif isinstance(value, dict):
            if isinstance(value, _Twice):
                raise PlatformDataError(
                    f"{path}.{value.twice}", None, "is given twice in one object (which is meant?)"
                )
            for key, item in value.items():
                if not isinstance(key, str):
                    raise PlatformDataError(path, _show(key), "must have text keys")
                children.append((f"{path}.{key}", item, depth + 1))
        else:
            raise PlatformDataError(path, type(value).__name__, "is not a JSON value")
        children.reverse()
        stack.extend(children)


def load_json(text: str) -> Any:
    """``json.loads(text)``, checked as :func:`decode_answer` checks.

    Raises:
        json.JSONDecodeError: ``text`` is not JSON.
        PlatformDataError: what :func:`decode_answer` refuses in valid JSON.
    """
    try:
        data = json.loads(text, object_pairs_hook=_object, parse_int=_int)
    except RecursionError:
        raise PlatformDataError(
            "$", None, f"nests arrays and objects more than {MAX_DEPTH} deep"
        ) from None
    _check_tree(data)
    return data


def decode_answer(data: Any) -> Any:
    """An answer as decoded JSON, checked: from bytes (UTF-8), text, or decoded already.

    Raises:
        PlatformDataError: not UTF-8 JSON, a key given twice, a number of more
            digits than can be read, nesting deeper than :data:`MAX_DEPTH`;
            naming the JSON path.

    >>> decode_answer(b'[{"entry": {"id": "1"}}]')
    [{'entry': {'id': '1'}}]
    >>> try:
    ...     decode_answer('{"entry": {"id": "1"}, "entry": {"id": "2"}}')
    ... except PlatformDataError as exc:
    ...     print(exc.field, exc.reason)
    $.entry is given twice in one object (which is meant?)
    """
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PlatformDataError(
                "$", None, f"is not UTF-8 text (byte {exc.start}: {exc.reason})"
            ) from None
    if isinstance(data, str):
        try:
            return load_json(data)
        except json.JSONDecodeError as exc:
            raise PlatformDataError(
                "$", None, f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
    _check_tree(data)
    return data


def _items(data: Any) -> list[Any]:
    if not isinstance(data, list):
        raise PlatformDataError("$", _show(data), "must be a JSON array of records")
    return data


# --- getChanged -----------------------------------------------------------------------------


def parse_changed(
    data: Any, campaign: Campaign, list_name: str, *, key_columns: Sequence[str] = ()
) -> tuple[PlatformRecord, ...]:
    """Read the answer of *Get Updated Records* (``getChanged``) for one list of ``campaign``.

    Args:
        data: the answer: its bytes or text, or the decoded JSON (an array).
        campaign: the campaign the list belongs to; entry keys must be columns
            of the list, dispositions are found among the campaign's and the
            system's, attempt keys named like a script field are its values.
        list_name: the calling list the answer is of.
        key_columns: the list's key columns, whose values identify a record;
            by default the record's ``recordId``.

    Returns:
        The records in the answer's order, attempts oldest first.

    Raises:
        PlatformDataError: a value the library cannot read, naming its JSON path.
        CampaignMismatchError: ``list_name`` or a key column is not the campaign's.

    >>> import cloudcontact_results as ccr
    >>> campaign = ccr.Campaign("Sales", [ccr.CallingList("Clients", ["id", "phone"])])
    >>> (found,) = ccr.parse_changed(
    ...     '[{"entry": {"id": "7", "phone": "16505555555"}, "completed": false,'
    ...     ' "attempts": [{"call_attempted": true, "disposition": "Busy",'
    ...     ' "date": "2021-02-19T19:12:37.000", "phone": "16505555555",'
    ...     ' "CPAResult": "Busy", "dialingDuration": 12, "globalInteractionID": "9D91"}]}]',
    ...     campaign,
    ...     "Clients",
    ...     key_columns=["id"],
    ... )
    >>> attempt = found.record.attempts[0]
    >>> found.record.id, attempt.call_disposition.name, attempt.cpa_result, attempt.time.isoformat()
    ('7', 'Busy', <CPAResult.BUSY: 6>, '2021-02-19T19:12:37+00:00')
    """
    reader = _Reader(campaign, list_name, key_columns)
    return tuple(
        _changed_record(reader, f"$[{index}]", item)
        for index, item in enumerate(_items(decode_answer(data)))
    )


def _changed_record(reader: _Reader, path: str, item: Any) -> PlatformRecord:
    ignored: list[str] = []
    found = reader.fields_of(path, item, _CHANGED_RECORD, ignored)
    if "entry" not in found:
        raise PlatformDataError(f"{path}.entry", None, "is missing")
    fields = reader.entry(*found["entry"])
    record_id = reader.record_id(path, found.get("record_id"), fields)

    attempts_path, attempts_value = found.get("attempts", (f"{path}.attempts", []))
    if not isinstance(attempts_value, list):
        raise PlatformDataError(attempts_path, _show(attempts_value), "must be a JSON array")
    read = [
        _attempt(reader, f"{attempts_path}[{index}]", value, ignored)
        for index, value in enumerate(attempts_value)
    ]
    # The API lists attempts newest first; the model keeps them oldest first.
    # Reversing before a stable sort keeps attempts of one instant in time order too.
    read.reverse()
    read.sort(key=lambda one: one.time)

    completed = reader.flag(*found["completed"]) if "completed" in found else None
    if not any(one.completion_given for one in read) and completed is not False:
        _complete_from_record(reader, path, found, read)

    attempts = [one.build() for one in read]
    record = reader.build_record(path, record_id, fields, attempts)
    total = reader.count(*found["total_attempts"]) if "total_attempts" in found else None
    return PlatformRecord(
        record,
        activity=max((one.time for one in read), default=None),
        total_attempts=total,
        attempt_extras=tuple(FrozenTextMap(one.extras) for one in read),
        ignored=tuple(ignored),
    )


def _complete_from_record(
    reader: _Reader, path: str, found: Mapping[str, tuple[str, Any]], read: list[_Attempt]
) -> None:
    """Give the record's own disposition to its latest attempt a quota did not stop."""
    name_path, name = found.get("record_disposition", (f"{path}.recordDisposition", None))
    code_path, code = found.get("record_disposition_code", (f"{path}.recordDispositionCode", None))
    disposition = reader.disposition(name_path, name, code_path, code, final=True)
    if disposition is None:
        return
    for one in reversed(read):
        if one.values.get("quota") is None:
            one.record_disposition = disposition
            one.record_disposition_path = name_path
            return


@attrs.define
class _Attempt:
    """An attempt being read: its values, and where they came from."""

    path: str
    time: dt.datetime
    values: dict[str, Any]
    extras: dict[str, str]
    completion_given: bool
    record_disposition: Disposition | None = None
    record_disposition_path: str = ""

    def build(self) -> Attempt:
        values = dict(self.values)
        if self.record_disposition is not None:
            values["record_disposition"] = self.record_disposition
        try:
            return Attempt(time=self.time, **values)
        except ValidationError as exc:
            field = exc.field.removeprefix("Attempt.")
            where = self.path
            if field == "record_disposition" and self.record_disposition_path:
                where = self.record_disposition_path
            raise PlatformDataError(where, exc.value, exc.reason) from None


def _attempt(reader: _Reader, path: str, item: Any, ignored: list[str]) -> _Attempt:
    script_values: dict[str, str] = {}

    def script_value(key: str, value: Any) -> bool:
        if key not in reader.script_names:
            return False
        script_values[key] = reader.text(f"{path}.{key}", value)
        return True

    found = reader.fields_of(path, item, _ATTEMPT, ignored, extra=script_value)

    def get(field: str) -> tuple[str, Any]:
        return found.get(field, (f"{path}.{field}", None))

    if "date" not in found:
        raise PlatformDataError(f"{path}.date", None, "is missing")
    time = reader.time(*found["date"])
    dialled = reader.flag(*found["call_attempted"]) if "call_attempted" in found else True
    extras: dict[str, str] = {}

    values: dict[str, Any] = {name: read(*get(name)) for name, read in _PLAIN_ATTEMPT_FIELDS}
    values["is_call_attempt"] = dialled
    name_path, name = get("disposition")
    code_path, code = get("disposition_code")
    values["call_disposition"] = reader.disposition(name_path, name, code_path, code, final=False)

    interaction_id = reader.text(*get("interaction_id"))
    inbound = reader.flag(*found["inbound"]) if "inbound" in found else False
    if dialled:
        values["interaction_id"] = interaction_id
        values["is_inbound"] = inbound
    else:
        # The model keeps these for dialled attempts only; keep what was sent.
        if interaction_id:
            extras[EXTRA_INTERACTION_ID] = interaction_id
        if inbound:
            extras[EXTRA_INBOUND] = "1"

    cpa = reader.cpa(*get("cpa_result"))
    note = reader.text(*get("note"))
    sip_code = None
    system = SystemNote.parse(note) if note else None
    failed_dial = dialled and values["answered_duration"] == 0
    if system is not None and failed_dial and (cpa is None or system.cpa_result == cpa):
        # The platform writes a failed dial's CPA result and SIP code as its note.
        note, cpa, sip_code = "", system.cpa_result, system.sip_code
    values.update(note=note, cpa_result=cpa, sip_code=sip_code)

    values["quota"] = _quota(reader, found, path)
    if script_values:
        values["script_values"] = script_values

    completed = reader.flag(*found["completed"]) if "completed" in found else None
    record_path, record_name = get("record_disposition")
    record_code_path, record_code = get("record_disposition_code")
    completion_given = completed is not None or bool(reader.text(record_path, record_name).strip())
    one = _Attempt(path, time, values, extras, completion_given)
    if completed is not False:
        if completed and not reader.text(record_path, record_name).strip():
            record_name = name  # completed with no record disposition: its call disposition
            record_path = name_path
        one.record_disposition = reader.disposition(
            record_path, record_name, record_code_path, record_code, final=True
        )
        one.record_disposition_path = record_path
    return one


#: Fields of Attempt that :func:`_attempt` reads in a way of its own.
_READ_APART: Final = frozenset(
    {
        "time",
        "is_call_attempt",
        "call_disposition",
        "record_disposition",
        "quota",
        "note",
        "sip_code",
        "cpa_result",
        "interaction_id",
        "is_inbound",
        "script_values",
    }
)
#: How a field of Attempt of each type is read from the key of its name (in :data:`_ATTEMPT`).
_READERS: Final[dict[Any, Callable[[str, Any], Any]]] = {
    "str": _Reader.text,
    "int": _Reader.seconds,
}
#: Every other field of Attempt, with how it is read.
_PLAIN_ATTEMPT_FIELDS: Final = tuple(
    (field.name, _READERS[field.type])
    for field in attrs.fields(Attempt)
    if field.name not in _READ_APART
)
if not {field.name for field in attrs.fields(Attempt)} >= _READ_APART:  # pragma: no cover
    raise AssertionError("_READ_APART names a field Attempt does not have")


def _own_keys(field: str) -> dict[str, str]:
    """The keys of a field :data:`_ATTEMPT_KEYS` does not name: its own name (as
    ``campaignTag`` or ``campaign_tag``) and the English header of its detailed column."""
    headers = [column.en for column in DETAILED.known_columns if column.attribute == field]
    return _aliases(**{field: " | ".join([field, *headers])})


#: Normalised key of an attempt -> what it says: a field of Attempt read by its
#: type (:data:`_PLAIN_ATTEMPT_FIELDS`), or a part of one read apart.
_ATTEMPT: Final = {
    **{
        key: field
        for name, _ in _PLAIN_ATTEMPT_FIELDS
        if name not in _ATTEMPT_KEYS.values()
        for key, field in _own_keys(name).items()
    },
    **_ATTEMPT_KEYS,
}


def _quota(reader: _Reader, found: Mapping[str, tuple[str, Any]], path: str) -> QuotaOutcome | None:
    out = reader.flag(*found["out_of_quota"]) if "out_of_quota" in found else None
    group_path, group_value = found.get("quota_group", (f"{path}.quotaGroup", None))
    group = reader.text(group_path, group_value).strip()
    if out is False:
        if group:
            raise PlatformDataError(
                group_path, group, "names a quota group, but outOfQuota is false"
            )
        return None
    if not group:
        if out:
            raise PlatformDataError(group_path, group_value, "outOfQuota is true: name the group")
        return None
    return QuotaOutcome(NO_MATCH if is_no_match_label(group) else group)


# --- getCompleted, getAll, get ------------------------------------------------------------


def parse_status(
    data: Any, campaign: Campaign, list_name: str, *, key_columns: Sequence[str] = ()
) -> tuple[PlatformRecord, ...]:
    """Read the answer of *Get Completed Records*, *Get All Records* or *Query a Record*.

    These methods send each record's entry and a ``status`` that sums up its
    last attempt, not the attempts themselves: each record gets one attempt,
    built from the status (``lastDate``, ``lastPhone``, ``lastDisposition``,
    ``lastCallDuration``, ``lastAgent``, ``globalInteractionID``), or none if
    the record was never called. A completed record's ``lastDisposition`` is
    its record disposition (the status does not say the call disposition);
    ``totalAttempts`` is kept in :attr:`PlatformRecord.total_attempts`.

    Args:
        data: the answer (bytes, text or decoded JSON): an array of records,
            or one record (*Query a Record*).
        campaign, list_name, key_columns: as for :func:`parse_changed`.

    Raises:
        PlatformDataError: a value the library cannot read, naming its JSON path.
        CampaignMismatchError: ``list_name`` or a key column is not the campaign's.
    """
    reader = _Reader(campaign, list_name, key_columns)
    decoded = decode_answer(data)
    if isinstance(decoded, dict):
        return (_status_record(reader, "$", decoded),)
    return tuple(
        _status_record(reader, f"$[{index}]", item) for index, item in enumerate(_items(decoded))
    )


def _status_record(reader: _Reader, path: str, item: Any) -> PlatformRecord:
    ignored: list[str] = []
    found = reader.fields_of(path, item, _STATUS_RECORD, ignored)
    if "entry" not in found:
        raise PlatformDataError(f"{path}.entry", None, "is missing")
    fields = reader.entry(*found["entry"])
    record_id = reader.record_id(path, found.get("record_id"), fields)
    completed_time = reader.time(*found["completed_time"]) if "completed_time" in found else None
    status_path, status_value = found.get("status", (f"{path}.status", {}))
    status = reader.fields_of(status_path, status_value, _STATUS, ignored)

    def get(field: str) -> tuple[str, Any]:
        return status.get(field, (f"{status_path}.{field}", None))

    completed = reader.flag(*status["completed"]) if "completed" in status else False
    last_date = reader.time(*status["last_date"]) if "last_date" in status else None
    attempts: list[Attempt] = []
    if last_date is not None:
        name_path, name = get("last_disposition")
        code_path = f"{status_path}.lastDispositionCode"
        disposition = reader.disposition(name_path, name, code_path, None, final=completed)
        values: dict[str, Any] = {
            "phone": reader.text(*get("last_phone")),
            "answered_duration": reader.seconds(*get("last_call_duration")),
            "agent": reader.text(*get("last_agent")),
            "interaction_id": reader.text(*get("interaction_id")),
        }
        if completed:
            values["record_disposition"] = disposition
        else:
            values["call_disposition"] = disposition
        try:
            attempts.append(Attempt(time=last_date, **values))
        except ValidationError as exc:
            raise PlatformDataError(status_path, exc.value, exc.reason) from None
    record = reader.build_record(path, record_id, fields, attempts)
    total = reader.count(*status["total_attempts"]) if "total_attempts" in status else None
    return PlatformRecord(
        record,
        activity=completed_time or last_date,
        total_attempts=total,
        attempt_extras=tuple(FrozenTextMap() for _ in attempts),
        ignored=tuple(ignored),
    )
