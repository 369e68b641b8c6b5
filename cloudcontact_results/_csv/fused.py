"""The export's fused writer: records straight to CSV lines, byte for byte ``csv.writer``.

:func:`simple_rows`/:func:`detailed_rows`, the typed rows and
:class:`RowFormatter` are the reference: ``csv.writer`` over the formatted
reference rows is what an export must write, and the property tests say so
for every option and dialect. This module writes the same bytes faster:

- each record's list columns are formatted, guarded and encoded once, as
  the start of every line; an attempt's script fields are cached so, by
  their values;
- dispositions are resolved once per object and kept by identity with both
  their cells written; codes, quota groups, notes, numbers, agents, RTP
  servers and list names are cached already guarded and quoted, in plain
  dicts (:func:`_looked_up`);
- every other cell is formatted by the expression :func:`cell_source` gives
  for its kind, and the text cells of a row (of a record, for its own cells,
  and of a new phone) are looked at once, joined by NUL: only when one holds
  a delimiter, a quote or a line break, or a character a formula starts with
  and the guard's search finds a start it may change, is each passed through
  the one guard and encoded by ``csv.writer`` itself; the line is joined as
  one string;
- the detailed row's values come from :data:`DETAILED_VALUES`, the table the
  typed :func:`detailed_row` is compiled from, so no :class:`DetailedRow` is
  built; the records are checked against the campaign in the same loop;
- lines are joined with their line ends and written in batches.

The loop is generated per export from those tables and compiled under its own
file name with a :mod:`linecache` entry, so tracebacks show its lines.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, TypeVar

import attrs

from .._codegen import (
    assign,
    branches,
    compile_source,
    for_loop,
    function,
    if_block,
    joined,
    try_block,
    wrapped,
)
from .._model.campaign import Record
from .._model.dispositions import Disposition
from .._model.frozen import EMPTY_TEXT_MAP, text_dict
from .._report.build import (
    DETAILED_VALUES,
    NOTE_KEYS,
    ROW_FUNCTIONS,
    SIMPLE_ATTEMPTS,
    SIMPLE_DISPOSITIONS,
    SIMPLE_VALUES,
    AttemptRead,
    attribute_of,
    detailed_values,
    note_keys,
    simple_dispositions,
    simple_values,
    system_note_of,
)
from .._report.codecs import CODECS
from .._report.columns import Column, ColumnKind
from .._report.formatting import (
    RowFormatter,
    cell_function,
    cell_source,
    generated_namespace,
    guard_lines,
    guards,
    over_value,
)
from .._report.guard import (
    FORMULA_CHARACTERS,
    changes_joined,
    guard_cell,
    guard_each,
    guarded,
    may_change_joined,
)
from .._report.kinds import SIMPLE, ReportKind
from .._report.plan import ReportPlan
from .._types import ReportFormat
from ..errors import CampaignMismatchError
from .dialects import CsvDialect

__all__ = ["RECORDS", "AttemptSource", "LoopSource", "write_lines"]

#: What a cached cell is made from before it is encoded: a text, or a run of cells.
_Made = TypeVar("_Made")

#: Lines joined into one write.
_BATCH: Final = 512
#: Cached cells of one kind kept at most (agents' notes are free text).
_CACHE_SIZE: Final = 4096

#: Cells that are usually the previous row's: the last one is kept guarded and
#: quoted (an attempt's phone is mostly the one of the record's previous attempt).
_REPEATED: Final = frozenset(("this_phone_number",))
#: Text cells of few distinct values, cached like the columns whose codec
#: ``repeats``: a campaign has a few agents, RTP servers and lists, and a
#: lookup is cheaper than the guard's and the quotes' look at the text.
_FEW_VALUES: Final = frozenset(
    ("agent", "last_agent", "cpa_rtp_server_id", "rtp_server_id", "list_name")
)


def _cached(column: Column) -> bool:
    """Are the cells of ``column`` looked up in a cache of cells already written?"""
    return CODECS[column.kind].repeats or column.attribute in _FEW_VALUES


@attrs.frozen
class LoopSource:
    """Where a fused loop's records come from, and how each gives the names the tables read.

    The report's tables (``_report/build.py``) are written over a record and
    its attempts; a source says how the loop comes by them. :data:`RECORDS`
    is the caller's :class:`Record` objects; the results store has a source
    of its own, reading its stored form.

    Attributes:
        target: what the loop binds for each item of its ``records``.
        record: statements binding ``record`` (whose ``id``, ``list_name``
            and ``fields`` the tables read) and ``own`` (its fields, a
            dict), checking it against the campaign, or skipping it
            (``continue``) when its list is not exported.
        attempts: statements binding what ``SIMPLE_ATTEMPTS`` binds: what
            the simple row reads of the record's attempts.
        names: the globals these statements read.
        what: what the items are, for the generated source's file name.
        last: how the tables read a field of the latest attempt (``last``,
            None if there is none), over the names the statements bind.
        completing: the same, of the latest completing attempt (``completing``).
    """

    target: str
    record: tuple[str, ...]
    attempts: tuple[str, ...]
    names: Mapping[str, Any] = attrs.field(factory=dict)
    what: str = "records"
    last: AttemptRead | None = None
    completing: AttemptRead | None = None


@attrs.frozen
class AttemptSource:
    """Where the detailed loop's records and their attempts come from, and how they are read.

    The caller's :class:`Record` objects are the loop's own; a results store
    gives its stored attempts instead, never built into objects: the row's
    values are then :func:`detailed_values` with the store's own ``read``.

    Attributes:
        target: what the loop binds for each item of its ``records``.
        record: statements binding ``record`` (whose ``id`` and ``list_name``
            the tables read), ``own`` (its fields, a dict), ``attempts``
            (what ``attempt`` iterates) and ``checked`` (True: the record
            and its attempts fit the campaign, as the store's do).
        attempt: what the loop binds for each of ``attempts``.
        read: how the tables read a field of the attempt, over the
            names ``attempt`` binds.
        names: the globals these statements and reads use.
        what: what the items are, for the generated source's file name.
    """

    target: str
    record: tuple[str, ...]
    attempt: str
    read: AttemptRead
    names: Mapping[str, Any] = attrs.field(factory=dict)
    what: str = "records"


class _Returned:
    """A file whose ``write`` gives back the line: ``csv.writer.writerow`` returns it then."""

    write = staticmethod(str)


class _Encoder:
    """Encodes cells exactly as ``csv.writer`` with the dialect does (``QUOTE_MINIMAL``).

    With ``guard`` the runs of cells given to :meth:`cells` are guarded first.
    """

    def __init__(self, dialect: CsvDialect, *, guard: bool) -> None:
        # writerow() returns what the file's write() returns: the line itself.
        self._writerow = csv.writer(
            _Returned(),
            delimiter=dialect.delimiter,
            quotechar=dialect.quotechar,
            lineterminator=dialect.lineterminator,
            quoting=csv.QUOTE_MINIMAL,
            doublequote=True,
        ).writerow
        self.delimiter = dialect.delimiter
        self.quote = dialect.quotechar
        self._terminator_length = len(dialect.lineterminator)
        self._guard = guard

    def needs_quotes(self, text: str) -> bool:
        """Would ``csv.writer`` quote ``text`` (a superset: then it is asked)?"""
        return self.delimiter in text or self.quote in text or "\n" in text or "\r" in text

    def cell(self, text: str) -> str:
        """``text`` as ``csv.writer`` writes it among other cells."""
        if not text or not self.needs_quotes(text):
            return text
        line: str = self._writerow((text,))
        return line[: -self._terminator_length]

    def cells(self, cells: list[str]) -> str:
        """``cells`` (guarded with the guard) encoded, each followed by the delimiter.

        A line's start: a record's list columns, an attempt's script fields.
        """
        if not cells:
            return ""
        joined = "\x00" + "\x00".join(cells)
        if self._guard and may_change_joined(joined, len(cells)):
            cells = guard_each(cells)
            joined = "\x00" + "\x00".join(cells)
        delimiter, quote = self.delimiter, self.quote
        # A NUL in a cell needs no quotes (csv.writer writes it as it is), so
        # the cells are not counted here: only the guard's search needs that.
        if quote in joined or "\n" in joined or "\r" in joined:
            # Rarely reached: csv.writer itself encodes the whole run at once.
            line: str = self._writerow(cells)
            return line[: -self._terminator_length] + delimiter
        if delimiter not in joined:
            return delimiter.join(cells) + delimiter
        # Delimiters inside cells (an address), nothing else: csv.writer would
        # quote exactly those cells, whole, and copy every character to do so.
        return (
            delimiter.join([quote + text + quote if delimiter in text else text for text in cells])
            + delimiter
        )


def _cache(
    function: Callable[[Any], _Made], encode: Callable[[_Made], str]
) -> tuple[dict[Any, str], Callable[[Any], str]]:
    """A cache of ``encode(function(value))`` per value, and what fills it.

    The cache is a plain dict, looked up by :func:`_looked_up`: the
    interpreter specialises a subscript of a dict, not one of a dict subclass
    (a ``__missing__``), which costs half as much again. The second item
    writes a missing value's cell, keeps it and returns it.
    """
    cells: dict[Any, str] = {}

    def missing(value: Any) -> str:
        if len(cells) >= _CACHE_SIZE:
            cells.clear()
        text = cells[value] = encode(function(value))
        return text

    return cells, missing


def _cached_names(
    name: str, function: Callable[[Any], _Made], encode: Callable[[_Made], str]
) -> dict[str, Any]:
    """The globals :func:`_looked_up` reads for ``name``: a :func:`_cache` and what fills it."""
    cells, write = _cache(function, encode)
    return {f"{name}_cells": cells, f"write_{name}": write}


def _looked_up(target: str, name: str, key: str) -> list[str]:
    """Binding ``target`` to the cell of ``key`` in the cache of ``name`` (:func:`_cached_names`).

    A missing cell is written and kept by ``write_<name>``; ``key`` is read
    again then, so it is a name or reads without side effects. A ``try``
    costs nothing until a key is missing.
    """
    return try_block(
        assign(target, f"{name}_cells[{key}]"), "KeyError", assign(target, f"write_{name}({key})")
    )


def _note_cell(cell: Callable[[Any], str]) -> Callable[[Any], str]:
    """The Note cell's text by :func:`_cell_key`'s key: a note's text, or its system note's key."""

    def text(key: Any) -> str:
        return cell(system_note_of(*key) if type(key) is tuple else key)

    return text


class _GuardCache(dict[str, str]):
    """:func:`guard_cell`'s answers, remembered (a phone number is guarded once, not per row)."""

    def __missing__(self, text: str) -> str:
        if len(self) >= _CACHE_SIZE:
            self.clear()
        guarded_text = self[text] = guard_cell(text)
        return guarded_text


#: An attempt's dispositions, in the order the fit checks them: each is the
#: attribute of one ``<prefix>``; the detailed loop binds ``<prefix>_name`` and
#: ``<prefix>_code`` (its reported name and code, the values of two adjacent
#: columns) and ``<prefix>_cells`` (both those cells, written).
_DISPOSITIONS: Final = {"call": "call_disposition", "record": "record_disposition"}


def _disposition_lookup(prefix: str, disposition: str, *, named: bool) -> list[str]:
    """How the detailed loop binds the names of :data:`_DISPOSITIONS` for one disposition.

    ``disposition`` is the source of the attempt's disposition. Without
    ``named`` only ``<prefix>_cells`` is bound: nothing reads the name and
    the code when both cells are written together and no filter asks for them.
    """
    if named:
        bound = f"{prefix}_name, {prefix}_code, {prefix}_cells, _"
        unknown = [f"{prefix}_name = {prefix}_code = None", f"{prefix}_cells = no_pair"]
        known, resolved = assign(bound, "known"), assign(bound, "pair(record, called)")
    else:
        # The cells are the third item of a _DispositionCells entry.
        unknown = [f"{prefix}_cells = no_pair"]
        known = assign(f"{prefix}_cells", "known[2]")
        resolved = assign(f"{prefix}_cells", "pair(record, called)[2]")
    return branches(
        [
            (f"(called := {disposition}) is None", unknown),
            ("(known := pairs.get(id(called))) is not None", known),
        ],
        resolved,
    )


#: Dispositions kept resolved at most (records that build their own objects).
_PAIRS_SIZE: Final = 256


#: A disposition's reported name and code, both its cells written, and itself.
_Pair = tuple[Any, Any, str, Disposition]


class _DispositionCells(dict[int, _Pair]):
    """Each disposition seen, by identity: its reported name and code, and both cells written.

    An entry holds its disposition, so no other object can have its ``id``
    while the entry is there. The loop looks a disposition up here first and
    calls :meth:`resolve` (which checks it against the campaign, and raises
    for the record at hand) only for one not seen yet.
    """

    def __init__(
        self,
        plan: ReportPlan,
        name_cell: Callable[[Any], str],
        code_cell: Callable[[Any], str],
        encoder: _Encoder,
    ) -> None:
        super().__init__()
        self._plan = plan
        self._name_cell = name_cell
        self._code_cell = code_cell
        self._encoder = encoder

    def cells(self, name: Any, code: Any) -> str:
        """The two cells of a disposition reported as ``name`` and ``code``, written."""
        encode = self._encoder.cell
        return (
            encode(self._name_cell(name)) + self._encoder.delimiter + encode(self._code_cell(code))
        )

    def resolve(self, record: Record, disposition: Disposition) -> _Pair:
        """``disposition``'s entry, made now: it is checked against the campaign for ``record``."""
        name, code = self._plan.disposition(record, disposition)
        if len(self) >= _PAIRS_SIZE:
            self.clear()
        entry = self[id(disposition)] = (name, code, self.cells(name, code), disposition)
        return entry


def _probed(
    names: list[str], kinds: list[ColumnKind], formatter: RowFormatter, *, guard: bool
) -> list[str]:
    """The statements that make text cells ``names`` (of ``kinds``) ready to write.

    One look at them joined by NUL clears them all (most rows); otherwise
    each is guarded and quoted on its own.
    """
    if not names:
        return []
    tests = ["DELIMITER in probe", "QUOTE in probe", '"\\n" in probe', '"\\r" in probe']
    if guard:
        # may_change_joined(), written out: a call per row would cost more
        # than the test. A carriage return is looked for above already.
        formula = [f"{char!r} in probe" for char in FORMULA_CHARACTERS if char != "\r"]
        search = f'(changes(probe) is not None or probe.count("\\x00") != {len(names)})'
        tests.append(joined("and", [joined("or", formula), search]))
    fixed: list[str] = []
    for name, kind in zip(names, kinds, strict=True):
        if guard and guards(formatter, kind):
            fixed += guard_lines(name)
        fixed += assign(name, f"encode({name})")
    if len(names) == 1:
        probe = assign("probe", f'"\\x00" + {names[0]}')
    else:
        probe = wrapped('probe = "\\x00" + "\\x00".join((', names, "))")
    return [*probe, *if_block(joined("or", tests), fixed)]


def _cell_key(column: Column, value: str, keys: Mapping[str, str]) -> str:
    """What a cached cell of ``column`` is looked up by: its value, but for notes.

    A note (a column of ``keys``, :func:`note_keys`) is looked up by its key
    there: hashing that is C, a :class:`SystemNote`'s hash is Python.
    """
    return keys.get(column.attribute, value)


def _line_source(
    columns: tuple[Column, ...],
    values: dict[str, str],
    formatter: RowFormatter,
    *,
    guard: bool,
    hoisted: frozenset[str],
    pairs: bool = False,
    keys: Mapping[str, str] = NOTE_KEYS,
) -> tuple[list[str], list[str], list[str], list[str]]:
    """The statements of one line: per export, per record, per row, and the line's cells.

    Returns the statements run once per export (the remembered cells of
    :data:`_REPEATED`), once per record (cells of ``hoisted`` attributes),
    those run per row, and the names of the line's cells after its start,
    each named after its column's attribute. With ``pairs`` the loop binds
    ``<prefix>_cells`` (:data:`_DISPOSITIONS`) to both cells of a
    disposition, which stand for its two columns.
    """
    per_export: list[str] = []
    per_record: list[str] = []
    per_row: list[str] = []
    names: list[str] = []
    # Text cells looked at together: per record, and per row.
    record_text: tuple[list[str], list[ColumnKind]] = ([], [])
    row_text: tuple[list[str], list[ColumnKind]] = ([], [])
    paired = ""
    for position, column in enumerate(columns):
        name = column.attribute
        value = values[column.attribute]
        if value == paired:
            continue  # the second cell of a pair, written with the first
        following = values[columns[position + 1].attribute] if position + 1 < len(columns) else ""
        prefix = value.removesuffix("_name")
        if pairs and prefix in _DISPOSITIONS and following == f"{prefix}_code":
            names.append(f"{prefix}_cells")
            paired = following
            continue
        names.append(name)
        kind = column.kind
        # A cell that can start no formula is plain text: never guarded, never quoted.
        plain = not guards(formatter, kind)
        bind_value, cell = over_value(cell_source(formatter, kind), value)
        if _cached(column):
            # Few distinct values: cached already guarded and quoted (a lookup
            # of a number of seconds is cheaper than writing its digits).
            key = _cell_key(column, value, keys)
            if all(part.isidentifier() for part in key.split(".")):  # a name, or an attribute
                lookup = _looked_up(name, name, key)
            else:
                lookup = [*assign("value", key), *_looked_up(name, name, "value")]
            if column.attribute in hoisted:
                per_record += lookup
            else:
                per_row += lookup
        elif column.attribute in hoisted:
            per_record += [*bind_value, *assign(name, cell)]
            if not plain:
                record_text[0].append(name)
                record_text[1].append(kind)
        elif column.attribute in _REPEATED:
            changed = [
                *assign(f"last_{name}", name),
                *_probed([name], [kind], formatter, guard=guard),
                *assign(f"{name}_text", name),
            ]
            per_row += if_block(f"({name} := {value}) != last_{name}", changed)
            per_row += assign(name, f"{name}_text")
            per_export += [*assign(f"last_{name}", "None"), *assign(f"{name}_text", "None")]
        elif plain:
            per_row += [*bind_value, *assign(name, cell)]
        else:
            per_row += [*bind_value, *assign(name, cell)]
            row_text[0].append(name)
            row_text[1].append(kind)
    per_record += _probed(*record_text, formatter, guard=guard)
    per_row += _probed(*row_text, formatter, guard=guard)
    return per_export, per_record, per_row, names


def _namespace(
    kind: ReportKind, plan: ReportPlan, formatter: RowFormatter, encoder: _Encoder, guard: bool
) -> dict[str, Any]:
    namespace = generated_namespace(formatter)
    for column in kind.columns_in(plan.rendering.layout):
        cell = cell_function(formatter, column.kind, guard=guard)
        if _cached(column):
            # Looked up by _cell_key(): a note by its text or its system note's key.
            if column.attribute in NOTE_KEYS:
                cell = _note_cell(cell)
            namespace.update(_cached_names(column.attribute, cell, encoder.cell))
    # The one guard, asked once per distinct text.
    namespace["guard_cell"] = _GuardCache().__getitem__
    namespace.update(
        encode=encoder.cell,
        encode_cells=encoder.cells,
        changes=changes_joined,
        guarded=guarded,
        DELIMITER=encoder.delimiter,
        QUOTE=encoder.quote,
        **ROW_FUNCTIONS,
        Record=Record,
        no_values=EMPTY_TEXT_MAP,
        text_dict=text_dict,
        CampaignMismatchError=CampaignMismatchError,
        plan=plan,
        admits=plan.admits,
        check_record=plan.fit.check_record,
        exported_columns=plan.exported_columns,
        known_script_names=plan.fit.script_names,
        inside=plan.inside,
        disposition=plan.disposition,
        keeps=plan.keeps_disposition,
        list_columns=plan.columns,
        script_names=plan.script_field_names,
        BATCH=_BATCH,
    )
    return namespace


#: How both loops write their lines: ``BATCH`` lines at a time (checked once
#: a record, after its lines).
_FLUSH: Final = if_block(
    "len(batch) >= BATCH",
    [
        "write(terminator.join(batch) + terminator)",
        "count += len(batch)",
        "batch.clear()",
    ],
)
#: How both loops end: the rest of the lines written, and their number returned.
_END: Final = (
    *if_block("batch", ["write(terminator.join(batch) + terminator)"]),
    "return count + len(batch)",
)
#: How both loops start, and how they check each record is a Record.
_START: Final = ("batch = []", "append = batch.append", "count = 0")
_IS_RECORD: Final = if_block(
    "not isinstance(record, Record)",
    ['raise CampaignMismatchError("records[]", record, "must be a Record")'],
)
#: Is the record's list one of the report's (binding its exported ``columns``)?
_KNOWN_LIST: Final = "(columns := exported_columns.get(record.list_name)) is not None"
#: A record's values of the exported columns; its own fields in their order
#: when they are those columns (the common case), without a lookup each.
_LIST_CELLS: Final = if_block(
    "tuple(own) == list_columns",
    ["cells = list(own.values())"],
    ['cells = [own.get(column, "") for column in list_columns]'],
)


def _completed_inside(
    plan: ReportPlan, completing: str, time: str = "completing.time"
) -> list[str]:
    """Skipping a record not completed inside the interval, when the report asks for that.

    ``completing`` is the source of the record's latest completing attempt,
    ``time`` of its time.
    """
    if plan.selection.format is ReportFormat.DETAILED_INTERVAL or plan.interval is None:
        return []
    return [
        *([] if completing == "completing" else assign("completing", completing)),
        *if_block(f"completing is None or not inside({time})", ["continue"]),
    ]


def _keeps(plan: ReportPlan, first: str, second: str) -> list[str]:
    """Skipping a row whose dispositions the report does not select, when it selects some."""
    if plan.selected_dispositions is None:
        return []
    return if_block(f"not keeps({first}, {second})", ["continue"])


def _simple_loop(
    plan: ReportPlan, formatter: RowFormatter, columns: tuple[Column, ...], source: LoopSource
) -> list[str]:
    guard = plan.rendering.formula_guard
    values, keys, dispositions, time = SIMPLE_VALUES, NOTE_KEYS, SIMPLE_DISPOSITIONS, None
    if source.last is not None and source.completing is not None:
        values = simple_values(source.last)
        keys = note_keys(attribute_of("attempt"), source.last)
        dispositions = simple_dispositions(source.last, source.completing)
        time = source.completing("time")
    per_export, _, per_row, names = _line_source(
        columns, values, formatter, guard=guard, hoisted=frozenset(), keys=keys
    )
    record = [
        *source.record,
        *source.attempts,
        *_completed_inside(plan, "completing", *([time] if time else [])),
        *dispositions,
        *_keeps(plan, "record_name", "call_name"),
        *_LIST_CELLS,
        "cells += script_fields",
        "start = encode_cells(cells)",
        *per_row,
        *wrapped("append(start + DELIMITER.join((", names, ")))"),
        *_FLUSH,
    ]
    return function(
        "write_lines",
        ["records", "write", "terminator"],
        [*_START, *per_export, *for_loop(source.target, "records", record), *_END],
    )


def _records_source() -> LoopSource:
    """The records of the caller: Record objects, checked against the campaign as they pass."""
    # The checks check_record() makes of each attempt, in its order.
    checks = [
        "values = attempt.script_values",
        *if_block(
            joined(
                "and",
                [
                    "values is not no_values",
                    "(values := text_dict(values))",
                    "not known_script_names.issuperset(values)",
                ],
            ),
            ["check_record(record)  # raises, naming the script field"],
        ),
        *if_block(
            "(called := attempt.call_disposition) is not None", ["disposition(record, called)"]
        ),
        *if_block(
            "(called := attempt.record_disposition) is not None", ["disposition(record, called)"]
        ),
    ]
    record = [
        *_IS_RECORD,
        "own = text_dict(record.fields)",
        *branches(
            [
                (
                    joined("and", [_KNOWN_LIST, "columns.issuperset(own)"]),
                    for_loop("attempt", "record.attempts", checks),
                ),
                ("not admits(record)", ["continue"]),
            ]
        ),
    ]
    return LoopSource("record", tuple(record), SIMPLE_ATTEMPTS)


#: The caller's :class:`Record` objects, checked as they pass.
RECORDS: Final = _records_source()


def _detailed_loop(
    plan: ReportPlan,
    formatter: RowFormatter,
    columns: tuple[Column, ...],
    no_script: str,
    source: AttemptSource | None,
) -> list[str]:
    guard = plan.rendering.formula_guard
    read = attribute_of("attempt") if source is None else source.read
    values = DETAILED_VALUES if source is None else detailed_values(read)
    hoisted = frozenset(
        attribute for attribute, value in values.items() if value.startswith("record.")
    )
    per_export, per_record, per_row, names = _line_source(
        columns, values, formatter, guard=guard, hoisted=hoisted, pairs=True, keys=note_keys(read)
    )
    completed_inside = _completed_inside(plan, "record.completing_attempt")
    if source is not None and completed_inside:  # pragma: no cover - a development-time guard
        raise AssertionError("a source of attempts gives no completing attempt: read records")
    known_list = [_KNOWN_LIST, "columns.issuperset(own)"]
    if completed_inside:
        # Records completed inside an interval are filtered before their
        # attempts are seen: admits() checks them all first.
        known_list = ["False", *known_list]
    # An attempt's script cells are cached by their values: answers to a
    # script repeat from attempt to attempt, and a lookup by a tuple of them is
    # several times cheaper than guarding and quoting them.
    script_cells = if_block(
        "tuple(values) == script_names",
        ["script = tuple(values.values())"],
        ['script = tuple([values.get(name, "") for name in script_names])'],
    )
    attempt = [
        # The checks check_record() makes of each attempt, in its order, before
        # any filter: whether a record fits does not depend on them. The
        # default empty mapping is told by identity: asking a mapping whether
        # it is empty is a call in Python.
        *assign("values", read("script_values")),
        *branches(
            [
                ("values is no_values", ["values = None"]),
                (
                    joined(
                        "and",
                        [
                            "(values := text_dict(values))",
                            "not checked",
                            "not known_script_names.issuperset(values)",
                        ],
                    ),
                    ["check_record(record)  # raises, naming the script field"],
                ),
            ]
        ),
        *(
            line
            for prefix, attribute in _DISPOSITIONS.items()
            for line in _disposition_lookup(
                prefix,
                read(attribute),
                named=plan.selected_dispositions is not None or f"{prefix}_cells" not in names,
            )
        ),
        *(
            if_block(f"not inside({read('time')})", ["continue"])
            if plan.selection.format is ReportFormat.DETAILED_INTERVAL
            else []
        ),
        *_keeps(plan, "call_name", "record_name"),
        *if_block(
            "values",
            [
                *script_cells,
                *_looked_up("script_text", "script", "script"),
                "head = start + script_text",
            ],
            ["head = bare"],
        ),
        *assign("quota", read("quota")),
        *per_row,
        *wrapped("append(head + DELIMITER.join((", names, ")))"),
    ]
    if source is None:
        record = [
            *_IS_RECORD,
            "own = text_dict(record.fields)",
            *branches(
                [
                    (joined("and", known_list), ["checked = False"]),
                    ("admits(record)", ["checked = True"]),
                ],
                ["continue"],
            ),
            *completed_inside,
            "attempts = record.attempts",
        ]
        target, each = "record", "attempt"
    else:
        record, target, each = list(source.record), source.target, source.attempt
    record += [
        *_LIST_CELLS,
        "start = encode_cells(cells)",
        "bare = start + no_script",
        *per_record,
        *for_loop(each, "attempts", attempt),
        *_FLUSH,
    ]
    return function(
        "write_lines",
        ["records", "write", "terminator"],
        [
            *_START,
            f"no_script = {no_script!r}",
            *per_export,
            *for_loop(target, "records", record),
            *_END,
        ],
    )


def write_lines(
    kind: ReportKind,
    plan: ReportPlan,
    records: Iterable[Any],
    write: Callable[[str], Any],
    dialect: CsvDialect,
    *,
    source: LoopSource | AttemptSource | None = None,
) -> int:
    """Write the data lines of ``plan``'s report of ``records`` through ``write``; their number.

    The lines are the bytes ``csv.writer`` with ``dialect`` writes for the
    reference rows formatted by :class:`RowFormatter` (guarded when the
    rendering asks for the formula guard). ``records`` are :class:`Record`
    objects, or the items of ``source``: a :class:`LoopSource` for the
    simple report, an :class:`AttemptSource` for the detailed ones.
    """
    formatter = RowFormatter(plan.rendering)
    guard = plan.rendering.formula_guard
    encoder = _Encoder(dialect, guard=guard)
    namespace = _namespace(kind, plan, formatter, encoder, guard)
    columns = kind.columns_in(plan.rendering.layout)
    if kind is SIMPLE:
        if isinstance(source, AttemptSource):  # pragma: no cover - a development-time guard
            raise TypeError("the simple report reads a LoopSource")
        source = RECORDS if source is None else source
        namespace.update(source.names)
        what = "simple lines" if source is RECORDS else f"simple lines of {source.what}"
        compile_source(_simple_loop(plan, formatter, columns, source), namespace, what)
        count: int = namespace["write_lines"](records, write, dialect.lineterminator)
        return count
    # A disposition's two cells, of the kinds of the columns of the call's.
    kind_of_value = {DETAILED_VALUES[column.attribute]: column.kind for column in columns}
    name_cell, code_cell = (
        cell_function(formatter, kind_of_value[f"call_{part}"], guard=guard)
        for part in ("name", "code")
    )
    pair_cells = _DispositionCells(plan, name_cell, code_cell, encoder)
    namespace.update(
        pairs=pair_cells,
        pair=pair_cells.resolve,
        no_pair=pair_cells.cells(None, None),
    )
    namespace.update(_cached_names("script", list, encoder.cells))
    if isinstance(source, LoopSource):  # pragma: no cover - a development-time guard
        raise TypeError("the detailed reports read an AttemptSource")
    no_script = encoder.cells(list(plan.no_script_values))
    lines = _detailed_loop(plan, formatter, columns, no_script, source)
    what = "detailed lines"
    if source is not None:
        namespace.update(source.names)
        what = f"detailed lines of {source.what}"
    compile_source(lines, namespace, what)
    detailed: int = namespace["write_lines"](records, write, dialect.lineterminator)
    return detailed
