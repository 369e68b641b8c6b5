"""Campaigns as JSON Lines: one campaign line, then one line per record.

The format is documented in ``docs/campaign-format.md``. Loading streams: the
campaign line is read at once (so a bad header fails early) and records are
built lazily, one line at a time, each checked against the campaign with the
line number at hand.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import os
import re
from collections.abc import Generator, Iterable, Iterator, Mapping
from typing import IO, Any, Final

import attrs

from ._files.sink import counted_destination, text_sink
from ._files.source import ReadLimits, checked_limits, open_path
from ._jsontext import DuplicateKey as _DuplicateKey
from ._jsontext import unique_object as _object
from ._model.campaign import (
    NO_MATCH,
    Attempt,
    CallingList,
    Campaign,
    QuotaOutcome,
    Record,
    ScriptField,
)
from ._model.dispositions import Disposition, DispositionCategory
from ._model.fit import CampaignFit
from ._types import is_naive, parse_enum, parse_timezone
from .errors import (
    CampaignMismatchError,
    OptionsError,
    ReadError,
    UnknownDispositionError,
    ValidationError,
)

__all__ = ["dump_campaign", "load_attempts", "load_campaign"]

Source = str | os.PathLike[str] | Iterable[str]

#: Attempt fields the format writes in a way of its own.
_CONVERTED_ATTEMPT_FIELDS: Final = (
    "phone",
    "time",
    "call_disposition",
    "record_disposition",
    "quota",
)
#: The other attempt fields, written as they are (the CPA result as its number).
_PLAIN_ATTEMPT_FIELDS: Final = tuple(
    field.name for field in attrs.fields(Attempt) if field.name not in _CONVERTED_ATTEMPT_FIELDS
)
_ATTEMPT_KEYS: Final = frozenset(field.name for field in attrs.fields(Attempt))
if not _ATTEMPT_KEYS.issuperset(_CONVERTED_ATTEMPT_FIELDS):  # pragma: no cover - development
    raise AssertionError("_CONVERTED_ATTEMPT_FIELDS must name fields of Attempt")
_RECORD_KEYS: Final = frozenset({"type", "id", "list", "fields", "attempts"})
_ATTEMPT_LINE_KEYS: Final = frozenset({"list", "record", "attempt"})
_CAMPAIGN_KEYS: Final = frozenset({"type", "name", "lists", "script_fields", "dispositions"})
_LIST_KEYS: Final = frozenset({"name", "columns", "phone_columns"})
_SCRIPT_FIELD_KEYS: Final = frozenset({"name", "export"})
_DISPOSITION_KEYS: Final = frozenset(
    {"name", "code", "final", "name_ru", "description", "category"}
)
#: RFC 9557: an RFC 3339 time, optionally followed by the IANA zone in brackets.
_ZONED_TIME: Final = re.compile(r"(?P<time>[^\[\]]+)(?:\[(?P<zone>[^\[\]]+)\])?")
_DEFAULT_ATTEMPT: Final = Attempt("", dt.datetime(2000, 1, 1, tzinfo=dt.UTC))


# --- loading ------------------------------------------------------------------------


class _Line:
    """One campaign or record object being read: knows its line, so every error can name it.

    ``where`` is the object's place in a campaign document (``records[3]``),
    put before the fields its errors name; nothing on a JSON line of its own.
    """

    def __init__(self, number: int, value: Any, where: str = "") -> None:
        self.number = number
        self._where = where
        if not isinstance(value, dict):
            raise ReadError(
                "must be a JSON object", line=number, column=where or None, value=_show(value)
            )
        self.value: dict[str, Any] = value

    @classmethod
    def parse(cls, number: int, text: str) -> _Line:
        """The JSON line ``text``, the ``number``-th of its file, decoded."""
        # Without its line end, an object cut short ends on its own line.
        return cls(number, _decode(text.rstrip("\r\n"), number))

    def error(self, field: str, reason: str, value: Any = None) -> ReadError:
        column = f"{self._where}.{field}" if self._where and field else self._where or field
        return ReadError(reason, line=self.number, column=column, value=_show(value))

    @contextlib.contextmanager
    def fits(self) -> Iterator[None]:
        """What :class:`CampaignFit` refuses (named by the JSON field) as this line's error."""
        try:
            yield
        except (CampaignMismatchError, UnknownDispositionError) as exc:
            raise self.error(exc.field, exc.reason, exc.value) from None

    def model_error(self, prefix: str, exc: ValidationError) -> ReadError:
        """``exc`` from a model constructor, re-pointed at the JSON field it came from."""
        _, _, attribute = exc.field.partition(".")
        field = f"{prefix}.{attribute}" if prefix and attribute else prefix or attribute
        return self.error(field or exc.field, exc.reason, exc.value)


def _decode(text: str, first_line: int = 1, *, unique: bool = True) -> Any:
    """``text`` as JSON, keys given once; errors name the line and column the decoder found.

    ``first_line`` is the line of the file ``text`` starts on; ``unique=False``
    lets a key be given twice (a document's objects are checked one by one).
    """
    try:
        return json.loads(text, object_pairs_hook=_object if unique else None)
    except json.JSONDecodeError as exc:
        raise ReadError(
            f"not valid JSON: {exc.msg} at column {exc.colno}", line=first_line + exc.lineno - 1
        ) from None
    except _DuplicateKey as exc:
        raise ReadError(
            "a key is given twice in one object (which value is meant?)",
            line=first_line,
            column=exc.key,
        ) from None
    except RecursionError:
        raise ReadError("the JSON is nested too deeply", line=first_line) from None
    except ValueError as exc:  # e.g. a number of more digits than Python converts
        raise ReadError(f"not valid JSON: {exc}", line=first_line) from None


def _show(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _check_keys(line: _Line, where: str, value: Mapping[str, Any], allowed: frozenset[str]) -> None:
    for key in value:
        if key not in allowed:
            field = f"{where}.{key}" if where else key
            raise line.error(
                field, f"is not a field of the format (known: {', '.join(sorted(allowed))})"
            )


def _get(
    line: _Line, obj: Mapping[str, Any], where: str, key: str, kind: type | tuple[type, ...]
) -> Any:
    field = f"{where}.{key}" if where else key
    if key not in obj:
        raise line.error(field, "is missing")
    value = obj[key]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise line.error(field, f"must be a JSON {_JSON_NAMES.get(names, names)}", value)
    return value


_JSON_NAMES: Final = {"str": "string", "list": "array", "dict": "object", "bool": "boolean"}


def _items(line: _Line, obj: Mapping[str, Any], where: str, key: str) -> list[dict[str, Any]]:
    items = _get(line, obj, where, key, list) if key in obj else []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise line.error(f"{key}[{position}]", "must be a JSON object", item)
    return items


def _campaign(line: _Line) -> Campaign:
    value = line.value
    if value.get("type") != "campaign":
        raise line.error(
            "type", 'the first line must be the campaign ("type": "campaign")', value.get("type")
        )
    _check_keys(line, "", value, _CAMPAIGN_KEYS)
    name = _get(line, value, "", "name", str)
    lists = []
    for position, item in enumerate(_items(line, value, "", "lists")):
        where = f"lists[{position}]"
        _check_keys(line, where, item, _LIST_KEYS)
        try:
            lists.append(
                CallingList(
                    _get(line, item, where, "name", str),
                    _get(line, item, where, "columns", list),
                    _get(line, item, where, "phone_columns", list)
                    if "phone_columns" in item
                    else (),
                )
            )
        except ValidationError as exc:
            raise line.model_error(where, exc) from None
    script_fields = []
    for position, item in enumerate(_items(line, value, "", "script_fields")):
        where = f"script_fields[{position}]"
        _check_keys(line, where, item, _SCRIPT_FIELD_KEYS)
        export = _get(line, item, where, "export", bool) if "export" in item else True
        try:
            script_fields.append(ScriptField(_get(line, item, where, "name", str), export))
        except ValidationError as exc:
            raise line.model_error(where, exc) from None
    dispositions = [
        _disposition(line, f"dispositions[{position}]", item)
        for position, item in enumerate(_items(line, value, "", "dispositions"))
    ]
    try:
        return Campaign(name, lists, script_fields, dispositions)
    except ValidationError as exc:
        raise line.model_error("", exc) from None


def _disposition(line: _Line, where: str, item: dict[str, Any]) -> Disposition:
    _check_keys(line, where, item, _DISPOSITION_KEYS)
    category = item.get("category", DispositionCategory.USER.value)
    try:
        category = parse_enum(DispositionCategory, f"{where}.category", category)
    except OptionsError as exc:
        raise line.error(exc.field, exc.reason, category) from None
    try:
        return Disposition(
            _get(line, item, where, "name", str),
            code=item.get("code"),
            final=item.get("final", False),
            category=category,
            name_ru=item.get("name_ru"),
            description=item.get("description", ""),
        )
    except ValidationError as exc:
        raise line.model_error(where, exc) from None


def _record(line: _Line, fit: CampaignFit) -> Record:
    value = line.value
    if value.get("type") != "record":
        raise line.error(
            "type", 'must be "record" (only the first line is the campaign)', value.get("type")
        )
    _check_keys(line, "", value, _RECORD_KEYS)
    record_id = _get(line, value, "", "id", str)
    list_name = _get(line, value, "", "list", str)
    with line.fits():
        columns = fit.list_columns("list", list_name)
    fields = _get(line, value, "", "fields", dict) if "fields" in value else {}
    for column, text in fields.items():
        if column not in columns:
            with line.fits():
                fit.check_fields("fields", list_name, (column,))
        if not isinstance(text, str):
            raise line.error(f"fields.{column}", "must be a JSON string", text)
    attempts = [
        _attempt(line, f"attempts[{position}]", item, fit)
        for position, item in enumerate(_items(line, value, "", "attempts"))
    ]
    try:
        return Record(record_id, list_name, fields, attempts)
    except ValidationError as exc:
        raise line.model_error("", exc) from None


def _attempt(line: _Line, where: str, item: dict[str, Any], fit: CampaignFit) -> Attempt:
    _check_keys(line, where, item, _ATTEMPT_KEYS)
    values: dict[str, Any] = {key: item[key] for key in _PLAIN_ATTEMPT_FIELDS if key in item}
    values["phone"] = _get(line, item, where, "phone", str)
    values["time"] = _time(line, f"{where}.time", _get(line, item, where, "time", str))
    for key in ("call_disposition", "record_disposition"):
        name = item.get(key)
        if name is None:
            continue
        if not isinstance(name, str):
            raise line.error(f"{where}.{key}", "must be a disposition name (a JSON string)", name)
        with line.fits():
            values[key] = fit.find_disposition(f"{where}.{key}", name)
    if item.get("quota") is not None:
        values["quota"] = _quota(line, f"{where}.quota", item["quota"])
    script_values = values.get("script_values", {})
    if isinstance(script_values, dict):
        with line.fits():
            fit.check_script_values(f"{where}.script_values", script_values)
    try:
        return Attempt(**values)
    except ValidationError as exc:
        raise line.model_error(where, exc) from None


def _time(line: _Line, field: str, text: str) -> dt.datetime:
    match = _ZONED_TIME.fullmatch(text)
    try:
        moment = dt.datetime.fromisoformat(match["time"] if match else text)
    except ValueError:
        moment = None
    if match is None or moment is None:
        raise line.error(field, "must be an ISO 8601 date-time with a UTC offset", text)
    if is_naive(moment):
        raise line.error(field, "has no UTC offset (write e.g. 2026-03-02T09:15:00+03:00)", text)
    if match["zone"] is None:
        return moment
    try:
        zone = parse_timezone(field, match["zone"])
    except OptionsError:
        raise line.error(field, "names an unknown IANA time zone", match["zone"]) from None
    return moment.astimezone(zone)


def _time_text(moment: dt.datetime) -> str:
    # A fixed offset alone loses the zone, and Python never finds two times
    # equal across zones inside a DST fold: keep the name, as RFC 9557 does.
    key = getattr(moment.tzinfo, "key", None)
    return f"{moment.isoformat()}[{key}]" if isinstance(key, str) else moment.isoformat()


def _quota(line: _Line, field: str, value: Any) -> QuotaOutcome:
    # Compared by type too: {"no_match": 1} equals {"no_match": True} in Python.
    if isinstance(value, dict) and list(value) == ["no_match"] and value["no_match"] is True:
        return QuotaOutcome(NO_MATCH)
    if not isinstance(value, str):
        raise line.error(field, 'must be a quota group name or {"no_match": true}', value)
    try:
        return QuotaOutcome(value)
    except ValidationError as exc:
        raise line.error(field, exc.reason, value) from None


def _file_lines(path: str | os.PathLike[str], limit: int) -> tuple[Iterator[str], bool]:
    """The decoded lines of the file at ``path``, and whether it is a regular file.

    Binary, decoded line by line: a text file decodes ahead in chunks, which
    would blame the wrong line for bytes that are not UTF-8.
    """
    handle, regular = open_path(path)

    def lines() -> Iterator[str]:
        with handle:
            yield from _decoded(handle, limit)

    return lines(), regular


def _decoded(handle: IO[bytes], limit: int) -> Iterator[str]:
    number = 0
    while raw := handle.readline(limit + 1):
        number += 1
        if len(raw) > limit:
            raise _too_long(number, limit)
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"not UTF-8 text ({exc.reason} at byte {exc.start + 1})", line=number
            ) from None


def _too_long(number: int, limit: int) -> ReadError:
    reason = f"the line is longer than {limit} bytes (ReadLimits.max_row_bytes)"
    return ReadError(reason, line=number)


def _numbered(lines: Iterable[str], limit: int) -> Generator[tuple[int, str], None, None]:
    """Non-blank lines with their 1-based numbers."""
    for number, text in enumerate(lines, start=1):
        if len(text) > limit:  # text handed in by the caller: characters, at most its bytes
            raise _too_long(number, limit)
        line = text.removeprefix("\ufeff") if number == 1 else text
        if line.strip():
            yield number, line


#: The keys of a campaign document.
_DOCUMENT_KEYS: Final = frozenset({"campaign", "records"})
_DOCUMENT_SHAPE: Final = 'a campaign document is one JSON object: {"campaign": {…}, "records": […]}'
_BLANK: Final = re.compile(r"[ \t\n\r]*")


def _opens_document(first: str) -> bool:
    """Does the first non-blank line open a campaign document, not a campaign line?

    A line that is no JSON value of its own is the start of a pretty-printed
    document; an object without ``type`` but with ``campaign`` is a document
    written on one line.
    """
    try:
        value = json.loads(first)
    except (ValueError, RecursionError):
        return True
    return isinstance(value, dict) and "type" not in value and "campaign" in value


def _document_text(lines: Iterable[tuple[int, str]], limit: int) -> str:
    """The document the numbered non-blank ``lines`` make, each on its own line again."""
    parts: list[str] = []
    at = 1
    size = 0
    text = ""
    for number, text in lines:
        size += len(text.encode("utf-8", "surrogatepass"))
        if size > limit:
            reason = f"the document is longer than {limit} bytes (ReadLimits.max_row_bytes)"
            raise ReadError(reason, line=number)
        parts.append("\n" * (number - at))
        parts.append(text.rstrip("\r\n"))
        at = number
    # The last line's end counts: a document cut short ends on the line after it.
    return "".join(parts) + ("\n" if text.endswith("\n") else "")


def _document(text: str) -> tuple[_Line, list[_Line]]:
    """The campaign and the records of a campaign document, each with the line it starts on.

    Decoded twice: whole, so that a syntax error is reported at the decoder's
    own line and column; then object by object, to know where each starts
    (its errors name that line and its place, ``records[3].attempts[0].time``).
    """
    _decode(text, unique=False)
    decoder = json.JSONDecoder(object_pairs_hook=_object)

    def line_at(position: int) -> int:
        return text.count("\n", 0, position) + 1

    def value_at(position: int) -> tuple[Any, int]:
        try:
            return decoder.raw_decode(text, position)
        except _DuplicateKey as exc:
            raise ReadError(
                "a key is given twice in one object (which value is meant?)",
                line=line_at(position),
                column=exc.key,
            ) from None

    def skip(position: int) -> int:
        return _BLANK.match(text, position).end()  # type: ignore[union-attr]  # always matches

    position = skip(0)
    if text[position] != "{":
        raise ReadError(_DOCUMENT_SHAPE, line=line_at(position))
    campaign: _Line | None = None
    records: list[_Line] = []
    seen: set[str] = set()
    position = skip(position + 1)
    while text[position] != "}":
        key_line = line_at(position)
        key, position = json.decoder.scanstring(text, position + 1)  # type: ignore[attr-defined]
        if key in seen or key not in _DOCUMENT_KEYS:
            reason = (
                "is given twice"
                if key in seen
                else f"is not a key of a document; {_DOCUMENT_SHAPE}"
            )
            raise ReadError(reason, line=key_line, column=key)
        seen.add(key)
        position = skip(skip(position) + 1)  # past the colon
        if key == "records" and text[position] == "[":
            position = skip(position + 1)
            while text[position] != "]":
                start = position
                item, position = value_at(position)
                where = f"records[{len(records)}]"
                records.append(_Line(line_at(start), _typed(item, "record"), where))
                position = skip(position)
                position = skip(position + 1) if text[position] == "," else position
            position += 1
        else:
            start = position
            item, position = value_at(position)
            if key == "records":
                raise ReadError("must be a JSON array", line=line_at(start), column=key)
            campaign = _Line(line_at(start), _typed(item, "campaign"), "campaign")
        position = skip(position)
        position = skip(position + 1) if text[position] == "," else position
    if campaign is None:
        raise ReadError(f"is missing; {_DOCUMENT_SHAPE}", line=1, column="campaign")
    return campaign, records


def _typed(item: Any, kind: str) -> Any:
    """A document's object with the ``type`` its place gives it, unless it says one itself."""
    return {"type": kind, **item} if isinstance(item, dict) and "type" not in item else item


def load_campaign(
    source: Source, *, limits: ReadLimits | None = None
) -> tuple[Campaign, Iterator[Record]]:
    """Read a campaign in the JSON Lines format of ``docs/campaign-format.md``.

    Args:
        source: a path, or an iterable of text lines (an open text file, a list
            of strings…).
        limits: ``ReadLimits.max_row_bytes`` bounds a line; ``ReadLimits()``
            by default.

    Returns:
        The campaign (read at once) and an iterator of its records, read
        lazily. A regular file is opened again when the iteration starts and
        closed when it ends, so nothing stays open if the records are never
        read; a pipe or device is read once, from where the campaign line ended.

    Raises:
        ReadError: naming the line, the field and the value, for invalid JSON,
            a key given twice, a missing or unknown field, a bad time, an unknown
            disposition or list, or anything the model rejects, and for a line
            longer than the limit. Errors of the campaign line are raised by this
            call; those of record lines while iterating.
    """
    limit = checked_limits(limits).max_row_bytes
    regular = False
    if isinstance(source, str | os.PathLike):
        text, regular = _file_lines(source, limit)
        lines = _numbered(text, limit)
    else:
        lines = _numbered(source, limit)
    with contextlib.closing(lines) if regular else contextlib.nullcontext():
        first = next(lines, None)
    if first is None:
        raise ReadError("the file is empty: the first line must be the campaign", line=1)
    if _opens_document(first[1]):
        rest = _reopened(source, limit) if regular else lines  # type: ignore[arg-type]
        with contextlib.closing(rest):
            whole = _document_text(rest if regular else itertools.chain([first], rest), limit)
        campaign_line, record_lines = _document(whole)
        campaign = _campaign(campaign_line)
        return campaign, _document_records(record_lines, campaign)
    campaign = _campaign(_Line.parse(*first))
    if regular:
        return campaign, _records(_reopened(source, limit), campaign, after=first[0])  # type: ignore[arg-type]
    return campaign, _records(lines, campaign, after=first[0])


def _document_records(lines: list[_Line], campaign: Campaign) -> Iterator[Record]:
    fit = CampaignFit(campaign)
    for line in lines:
        yield _record(line, fit)


def _reopened(path: str | os.PathLike[str], limit: int) -> Generator[tuple[int, str], None, None]:
    text, _ = _file_lines(path, limit)
    yield from _numbered(text, limit)


def _numbered_lines(source: Source, limit: int) -> Generator[tuple[int, str], None, None]:
    """Non-blank lines of ``source`` (a path or text lines) with their 1-based numbers."""
    if isinstance(source, str | os.PathLike):
        yield from _reopened(source, limit)
    else:
        yield from _numbered(source, limit)


def _records(
    lines: Generator[tuple[int, str], None, None], campaign: Campaign, *, after: int
) -> Iterator[Record]:
    fit = CampaignFit(campaign)
    with contextlib.closing(lines):
        for number, text in lines:
            if number > after:
                yield _record(_Line.parse(number, text), fit)


def load_attempts(
    source: Source, campaign: Campaign, *, limits: ReadLimits | None = None
) -> Iterator[tuple[str, str, Attempt]]:
    """Read a feed of attempts: one JSON object a line, ``{"list", "record", "attempt"}``.

    ``attempt`` is an attempt as the campaign format writes it (see
    ``docs/campaign-format.md``), checked against ``campaign``.

    Args:
        source: a path, or an iterable of text lines.
        campaign: the campaign the attempts belong to.
        limits: ``ReadLimits.max_row_bytes`` bounds a line.

    Returns:
        ``(list name, record id, attempt)`` triples, read lazily.

    Raises:
        ReadError: naming the line and the field, while iterating.
        OSError: the file cannot be read.
    """
    lines = _numbered_lines(source, checked_limits(limits).max_row_bytes)
    fit = CampaignFit(campaign)
    with contextlib.closing(lines):
        for number, text in lines:
            line = _Line.parse(number, text)
            _check_keys(line, "", line.value, _ATTEMPT_LINE_KEYS)
            list_name = _get(line, line.value, "", "list", str)
            with line.fits():
                fit.list_columns("list", list_name)
            record_id = _get(line, line.value, "", "record", str)
            item = _get(line, line.value, "", "attempt", dict)
            yield list_name, record_id, _attempt(line, "attempt", item, fit)


# --- dumping ------------------------------------------------------------------------


def _campaign_json(campaign: Campaign) -> dict[str, Any]:
    return {
        "type": "campaign",
        "name": campaign.name,
        "lists": [_list_json(calling_list) for calling_list in campaign.lists],
        "script_fields": [{"name": f.name, "export": f.export} for f in campaign.script_fields],
        "dispositions": [_disposition_json(d) for d in campaign.dispositions],
    }


def _list_json(calling_list: CallingList) -> dict[str, Any]:
    value: dict[str, Any] = {"name": calling_list.name, "columns": list(calling_list.columns)}
    if calling_list.phone_columns:
        value["phone_columns"] = list(calling_list.phone_columns)
    return value


def _disposition_json(disposition: Disposition) -> dict[str, Any]:
    value: dict[str, Any] = {
        "name": disposition.name,
        "code": disposition.code,
        "final": disposition.final,
    }
    if disposition.name_ru is not None:
        value["name_ru"] = disposition.name_ru
    if disposition.description:
        value["description"] = disposition.description
    if disposition.category is not DispositionCategory.USER:
        value["category"] = disposition.category.value
    return value


def _record_json(fit: CampaignFit, record: Record) -> dict[str, Any]:
    # The format names dispositions, so only those the campaign defines
    # survive a round trip; anything else would change silently.
    try:
        fit.check_record(record)
    except UnknownDispositionError as exc:
        raise CampaignMismatchError(exc.field, exc.value, exc.reason) from None
    return {
        "type": "record",
        "id": record.id,
        "list": record.list_name,
        "fields": dict(record.fields),
        "attempts": [_attempt_json(attempt) for attempt in record.attempts],
    }


def _attempt_json(attempt: Attempt) -> dict[str, Any]:
    value: dict[str, Any] = {"phone": attempt.phone, "time": _time_text(attempt.time)}
    for key in ("call_disposition", "record_disposition"):
        disposition: Disposition | None = getattr(attempt, key)
        if disposition is not None:
            value[key] = disposition.name
    if attempt.quota is not None:
        group = attempt.quota.group
        value["quota"] = group if isinstance(group, str) else {"no_match": True}
    for key in _PLAIN_ATTEMPT_FIELDS:
        item = getattr(attempt, key)
        if item != getattr(_DEFAULT_ATTEMPT, key):
            value[key] = dict(item) if key == "script_values" else item
    if attempt.cpa_result is not None:
        value["cpa_result"] = int(attempt.cpa_result)
    return value


def dump_campaign(
    campaign: Campaign,
    records: Iterable[Record],
    stream: IO[str] | str | os.PathLike[str],
    *,
    overwrite: bool = False,
) -> int:
    """Write ``campaign`` and ``records`` as JSON Lines (``docs/campaign-format.md``).

    Attempt fields that hold their default value are left out.

    Args:
        campaign: the campaign, written on the first line.
        records: its records, one line each, consumed once and lazily.
        stream: a text stream, or a path to write (UTF-8, ``\\n`` line ends)
            by the destination policy of :func:`export` (``docs/security.md``).
        overwrite: replace a read-only file too.

    Returns:
        The number of records written.

    Raises:
        CampaignMismatchError: a record does not fit the campaign: its list,
            a field or a script value is not the campaign's, or an attempt
            carries a disposition the campaign does not define (the format
            names dispositions, so it could not bring it back): see
            :meth:`Campaign.defined_form`.
        ExportError: the path is unusable (a folder, a missing folder, a
            read-only file without ``overwrite``).
    """
    if isinstance(stream, str | os.PathLike):
        with (
            counted_destination(stream, overwrite=overwrite) as (raw, _),
            text_sink(raw, "utf-8") as text,  # type: ignore[arg-type]  # a binary stream
        ):
            return dump_campaign(campaign, records, text)
    stream.write(_line(_campaign_json(campaign)))
    fit = CampaignFit(campaign)
    count = 0
    for record in records:
        stream.write(_line(_record_json(fit, record)))
        count += 1
    return count


def _line(value: dict[str, Any]) -> str:
    # str.splitlines() also breaks at these; JSON allows them only inside
    # strings, where an escape means the same, so every splitter sees one line.
    return json.dumps(value, ensure_ascii=False).translate(_LINE_BREAKS) + "\n"


_LINE_BREAKS: Final = {ord(c): f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029"}
