"""The rows of the two reports, built lazily from records by following a :class:`ReportPlan`."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final

import attrs

from .._codegen import WIDTH, assign, compile_source, function, indent, wrapped
from .._model.campaign import Attempt, Record, latest_attempts
from .._model.cpa import CPAResult
from .._model.frozen import EMPTY_TEXT_MAP
from .._model.notes import SystemNote
from .._types import ReportFormat
from ..errors import CampaignMismatchError
from .plan import ReportPlan
from .rows import DetailedRow, Note, SimpleRow

__all__ = [
    "DETAILED_PRELUDE",
    "DETAILED_VALUES",
    "NOTE_KEYS",
    "ROW_FUNCTIONS",
    "SIMPLE_ATTEMPTS",
    "SIMPLE_DISPOSITIONS",
    "SIMPLE_PRELUDE",
    "SIMPLE_VALUES",
    "AttemptRead",
    "admitted_records",
    "attribute_of",
    "detailed_row",
    "detailed_rows",
    "detailed_values",
    "latest_script_values",
    "note_keys",
    "note_of",
    "simple_dispositions",
    "simple_row",
    "simple_rows",
    "simple_values",
    "system_note_of",
]


#: How code compiled from the tables reads a field (or property) of an attempt:
#: the source of its value, given its name. For :class:`Attempt` objects the
#: attribute itself (:func:`attribute_of`); the results store reads its packed
#: attempts without building them (``_store/_codec.py``).
AttemptRead = Callable[[str], str]


def attribute_of(attempt: str) -> AttemptRead:
    """The reads of the attributes of the :class:`Attempt` named ``attempt``.

    >>> attribute_of("last")("phone")
    'last.phone'
    """

    def read(field: str) -> str:
        return f"{attempt}.{field}"

    return read


def _system_note_arguments(read: AttemptRead) -> list[str]:
    """What the Note cell reads of an attempt without an agent's note: the
    sources of the arguments of :func:`system_note_of`."""
    # Attempt.is_failed_dial written out: a property is a Python call a row.
    failed_dial = f"({read('is_call_attempt')} and {read('answered_duration')} == 0)"
    return [failed_dial, read("cpa_result"), read("sip_code")]


def _note_key(read: AttemptRead) -> str:
    """The source of what the Note cell of an attempt depends on, hashable:
    the agent's note, or else the tuple of :func:`_system_note_arguments`."""
    return _or_else(read("note"), wrapped("(", _system_note_arguments(read), ")"))


def _note(read: AttemptRead) -> str:
    """The source of the Note cell's value of an attempt: :func:`note_of`, written out."""
    return _or_else(read("note"), wrapped("system_note_of(", _system_note_arguments(read), ")"))


def _or_else(first: str, second: list[str]) -> str:
    """``(first or second)``, ``second`` being lines: on one line when it fits."""
    line = f"({first} or {' '.join(second)})"
    if len(second) == 1 and len(line) <= WIDTH:
        return line
    return "\n".join(["(", f"    {first}", *indent([f"or {second[0]}", *second[1:]]), ")"])


def system_note_of(failed_dial: bool, cpa_result: CPAResult | None, sip_code: int | None) -> Note:
    """The Note cell of an attempt without an agent's note: a failed dial's system note, or ""."""
    if failed_dial and (cpa_result is not None or sip_code is not None):
        return _system_note(cpa_result, sip_code)
    return ""


def _compile_note_of() -> Callable[[Attempt], Note]:
    lines = function(
        "note_of",
        ["attempt"],
        wrapped(
            "return attempt.note or system_note_of(",
            _system_note_arguments(attribute_of("attempt")),
            ")",
        ),
    )
    namespace: dict[str, Any] = {"system_note_of": system_note_of}
    compile_source(lines, namespace, "note")
    compiled: Callable[[Attempt], Note] = namespace["note_of"]
    compiled.__doc__ = "The Note cell of ``attempt``: its agent's note, or its system note."
    return compiled


note_of: Final = _compile_note_of()


@functools.cache
def _system_note(cpa_result: CPAResult | None, sip_code: int | None) -> SystemNote:
    # Most failed dials share a few notes (CPA result x SIP code, at most 6 611):
    # sharing them skips building one per row.
    return SystemNote(cpa_result, sip_code)


def admitted_records(
    plan: ReportPlan, records: Iterable[Record], *, completed_inside: bool
) -> Iterator[Record]:
    """The records that belong in the report, checked against the campaign.

    With ``completed_inside`` the interval keeps the records completed inside it.
    """
    for record in records:
        if not isinstance(record, Record):
            raise CampaignMismatchError("records[]", record, "must be a Record")
        if not plan.admits(record):
            continue
        if completed_inside and plan.interval is not None:
            completing = record.completing_attempt
            if completing is None or not plan.inside(completing.time):
                continue
        yield record


def simple_rows(plan: ReportPlan, records: Iterable[Record]) -> Iterator[SimpleRow]:
    for record in admitted_records(plan, records, completed_inside=True):
        row = simple_row(plan, record)
        if plan.keeps_disposition(row.record_disposition, row.last_call_disposition):
            yield row


def _check_values(values: dict[str, str], row: type[Any], name: str) -> None:
    """Fail at import unless ``values`` names every attribute of ``row`` but ``extra``, in order."""
    if tuple(values) != tuple(field.name for field in attrs.fields(row) if field.name != "extra"):
        raise AssertionError(f"{name} must name every attribute of {row.__name__}, in order")


#: What a simple row needs of its record's attempts, as statements over ``plan``
#: and ``record``: they bind ``last`` (the latest attempt), ``completing`` (the
#: latest completing one), ``dialled`` (how many were dialled) and
#: ``script_fields`` (each exported script field's latest non-empty value). The
#: results store binds the same names from the summary it keeps of each
#: record's attempts (``SUMMARY_ATTEMPTS`` in ``_store/_codec.py``).
SIMPLE_ATTEMPTS: Final = (
    "attempts = record.attempts",
    "last, completing = latest_attempts(attempts)",
    "dialled = sum([1 for attempt in attempts if attempt.is_call_attempt])",
    "script_fields = latest_script_values(plan.script_field_names, attempts)",
)


def _when(attempt: str, value: str, otherwise: str) -> str:
    """``value`` if the attempt named ``attempt`` is there, else ``otherwise``: one expression."""
    line = f"({value} if {attempt} is not None else {otherwise})"
    if len(line) <= WIDTH and "\n" not in line:
        return line
    return "\n".join(
        [
            "(",
            *indent(value.splitlines()),
            f"    if {attempt} is not None",
            f"    else {otherwise}",
            ")",
        ]
    )


def simple_dispositions(last: AttemptRead, completing: AttemptRead) -> tuple[str, ...]:
    """What a simple row needs of the names :data:`SIMPLE_ATTEMPTS` binds, as statements
    over ``plan`` and ``record``: they bind ``quota``, ``record_name``/``record_code`` and
    ``call_name``/``call_code``; ``last`` and ``completing`` read the fields of the
    latest and the completing attempt."""
    record_disposition = _when("completing", completing("record_disposition"), "None")
    call_disposition = _when("last", last("call_disposition"), "None")
    return (
        *wrapped(
            "record_name, record_code = plan.disposition(", ["record", record_disposition], ")"
        ),
        *wrapped("call_name, call_code = plan.disposition(", ["record", call_disposition], ")"),
        *assign("quota", _when("last", last("quota"), "None")),
    )


#: :func:`simple_dispositions` of :class:`Attempt` objects named ``last`` and ``completing``.
SIMPLE_DISPOSITIONS: Final = simple_dispositions(attribute_of("last"), attribute_of("completing"))
#: What a simple row needs of its record: both the above. With
#: :data:`SIMPLE_VALUES`, the one definition of the simple row:
#: :func:`simple_row` and the export's fused writers are compiled from both.
SIMPLE_PRELUDE: Final = (*SIMPLE_ATTEMPTS, *SIMPLE_DISPOSITIONS)


def simple_values(last: AttemptRead) -> dict[str, str]:
    """Each attribute of :class:`SimpleRow` (but ``extra``), in order, as an expression
    over the names :data:`SIMPLE_PRELUDE` binds, ``fields`` and ``system_note_of``,
    the fields of the latest attempt read by ``last``."""
    return {
        "fields": "fields",
        "script_fields": "script_fields",
        "total_attempts": "dialled",
        "completed": "completing is not None",
        "record_disposition": "record_name",
        "record_disposition_code": "record_code",
        "out_of_quota": "quota is not None",
        "quota_group": "(quota.group if quota is not None else None)",
        "last_phone_called": _when("last", last("phone"), "plan.unattempted_phone(record)"),
        "last_call_disposition": "call_name",
        "last_call_disposition_code": "call_code",
        "last_note": _when("last", _note(last), '""'),  # see note_keys()
        "last_call_time": _when("last", last("time"), "None"),
        "last_call_duration": _when("last", last("answered_duration"), "None"),
        "last_agent": _when("last", last("agent"), '""'),
        "global_interaction_id": _when("last", last("interaction_id"), '""'),
        "list_name": "record.list_name",
    }


#: :func:`simple_values` of an :class:`Attempt` object named ``last``. The results
#: store's export compiles :func:`simple_values` of the summary it keeps instead.
SIMPLE_VALUES: Final[dict[str, str]] = simple_values(attribute_of("last"))
_check_values(SIMPLE_VALUES, SimpleRow, "SIMPLE_VALUES")


def _compile_simple_row() -> Callable[[ReportPlan, Record], SimpleRow]:
    lines = function(
        "simple_row",
        ["plan", "record"],
        [
            *SIMPLE_PRELUDE,
            *assign("fields", "plan.fields_of(record)"),
            *wrapped("return SimpleRow(", list(SIMPLE_VALUES.values()), ")"),
        ],
    )
    namespace: dict[str, Any] = {"SimpleRow": SimpleRow, **ROW_FUNCTIONS}
    compile_source(lines, namespace, "simple row")
    compiled: Callable[[ReportPlan, Record], SimpleRow] = namespace["simple_row"]
    compiled.__doc__ = "The simple row of ``record`` (already admitted by ``plan``)."
    return compiled


def latest_script_values(names: tuple[str, ...], attempts: tuple[Attempt, ...]) -> tuple[str, ...]:
    """Each of ``names``' value in the last attempt that has one (not empty), or ``""``."""
    if not names:
        return ()
    latest: dict[str, str] = {}
    # One pass over each attempt's own values, the last attempt first: no
    # lookup of each name in each attempt. Most attempts have none: the shared
    # empty mapping, told by identity without a call.
    for attempt in reversed(attempts):
        if (values := attempt.script_values) is not EMPTY_TEXT_MAP:
            for name, value in values.items():
                if value and name not in latest:
                    latest[name] = value
    return tuple([latest.get(name, "") for name in names])


#: The functions the tables of both rows call (:data:`SIMPLE_PRELUDE`,
#: :data:`SIMPLE_VALUES`, :data:`DETAILED_VALUES`), for the namespace of code
#: compiled from them.
ROW_FUNCTIONS: Final[dict[str, Any]] = {
    "note_of": note_of,
    "system_note_of": system_note_of,
    "latest_script_values": latest_script_values,
    "latest_attempts": latest_attempts,
}

simple_row: Final = _compile_simple_row()


def detailed_rows(plan: ReportPlan, records: Iterable[Record]) -> Iterator[DetailedRow]:
    by_attempt_time = plan.selection.format is ReportFormat.DETAILED_INTERVAL
    every_disposition = plan.selected_dispositions is None
    for record in admitted_records(plan, records, completed_inside=not by_attempt_time):
        fields = plan.fields_of(record)
        for attempt in record.attempts:
            if by_attempt_time and not plan.inside(attempt.time):
                continue
            row = detailed_row(plan, record, attempt, fields)
            if every_disposition or plan.keeps_disposition(
                row.call_disposition, row.record_disposition
            ):
                yield row


#: The attributes of :class:`DetailedRow` whose value is not the attempt's field of
#: the same name, each as an expression over the names of one attempt's row —
#: ``record``, ``fields``, ``script_fields``, ``quota`` (the attempt's),
#: ``record_name``/``record_code`` and ``call_name``/``call_code`` (its
#: dispositions as reported), ``system_note_of`` — or, when it reads the
#: attempt's fields, as a function of how they are read (an :data:`AttemptRead`).
_DETAILED_APART: Final[dict[str, str | Callable[[AttemptRead], str]]] = {
    "fields": "fields",
    "script_fields": "script_fields",
    "this_phone_number": lambda read: read("phone"),
    "completed": lambda read: f"{read('record_disposition')} is not None",
    "record_disposition": "record_name",
    "record_disposition_code": "record_code",
    "out_of_quota": "quota is not None",
    "quota_group": "(quota.group if quota is not None else None)",
    "call_disposition": "call_name",
    "call_disposition_code": "call_code",
    "call_note": _note,  # see note_keys()
    "call_time": lambda read: read("time"),
    "cpa_recording_file": lambda read: read("cpa_recording"),
    "cpa_rtp_server_id": lambda read: read("cpa_rtp_server"),
    "recording_file": lambda read: read("recording"),
    "rtp_server_id": lambda read: read("rtp_server"),
    "global_interaction_id": lambda read: read("interaction_id"),
    "record_id": "record.id",
    "list_name": "record.list_name",
    "is_inbound_call": lambda read: read("is_inbound"),
}
_ATTEMPT_FIELDS: Final = frozenset(field.name for field in attrs.fields(Attempt))


def _detailed_value(attribute: str, read: AttemptRead) -> str:
    if attribute in _DETAILED_APART:
        value = _DETAILED_APART[attribute]
        return value if isinstance(value, str) else value(read)
    if attribute in _ATTEMPT_FIELDS:
        return read(attribute)
    raise AssertionError(  # pragma: no cover - a development-time guard
        f"DetailedRow.{attribute} is no field of Attempt: give its value in _DETAILED_APART"
    )


def detailed_values(read: AttemptRead) -> dict[str, str]:
    """Each attribute of :class:`DetailedRow` (but ``extra``), in order, as an expression
    over the names of one attempt's row (see :data:`_DETAILED_APART`), the attempt's
    fields read by ``read``; an attribute named as a field of :class:`Attempt` is that field.
    """
    return {
        field.name: _detailed_value(field.name, read)
        for field in attrs.fields(DetailedRow)
        if field.name != "extra"
    }


#: :func:`detailed_values` of an :class:`Attempt` object named ``attempt``.
#: :func:`detailed_row` and the export's fused writers are all compiled from it
#: (the results store's export from :func:`detailed_values` of its packed attempts).
DETAILED_VALUES: Final[dict[str, str]] = detailed_values(attribute_of("attempt"))
if set(_DETAILED_APART) - set(DETAILED_VALUES):  # pragma: no cover - a development-time guard
    raise AssertionError("_DETAILED_APART names an attribute DetailedRow does not have")

#: What a detailed row needs of its attempt, as statements over ``plan``,
#: ``record`` and ``attempt``: they bind the names :data:`DETAILED_VALUES`
#: reads but ``fields``. :func:`detailed_row` and the typed columns of a
#: Parquet export are compiled from both.
DETAILED_PRELUDE: Final = (
    "record_name, record_code = plan.disposition(record, attempt.record_disposition)",
    "call_name, call_code = plan.disposition(record, attempt.call_disposition)",
    "values = attempt.script_values",
    "script_fields = (",
    '    tuple([values.get(name, "") for name in plan.script_field_names])',
    "    if values",
    "    else plan.no_script_values",
    ")",
    "quota = attempt.quota",
)


def note_keys(read: AttemptRead, last: AttemptRead | None = None) -> dict[str, str]:
    """What a cache of Note cells is looked up by, for each Note column of the rows
    (as :func:`simple_values` with ``last`` and :func:`detailed_values` with ``read``
    give its value, over the same names): the agent's note, or else what makes the
    system note. Hashing that is C; hashing a :class:`SystemNote` is Python.
    """
    last_note = _note_key(attribute_of("last") if last is None else last)
    return {"last_note": _when("last", last_note, '""'), "call_note": _note_key(read)}


#: :func:`note_keys` of an :class:`Attempt` object named ``attempt``.
NOTE_KEYS: Final[dict[str, str]] = note_keys(attribute_of("attempt"))


_DetailedRowFunction = Callable[[ReportPlan, Record, Attempt, Mapping[str, str]], DetailedRow]


def _compile_detailed_row() -> _DetailedRowFunction:
    # Arguments by position, in the order of DetailedRow's attributes: matching
    # 28 keyword arguments costs about 0.9 µs a row, a tenth of the export.
    lines = function(
        "detailed_row",
        ["plan", "record", "attempt", "fields"],
        [*DETAILED_PRELUDE, *wrapped("return DetailedRow(", list(DETAILED_VALUES.values()), ")")],
    )
    namespace: dict[str, Any] = {"DetailedRow": DetailedRow, **ROW_FUNCTIONS}
    compile_source(lines, namespace, "detailed row")
    compiled: _DetailedRowFunction
    compiled = namespace["detailed_row"]
    compiled.__doc__ = "The detailed row of one attempt of ``record``."
    return compiled


detailed_row: Final = _compile_detailed_row()
