"""The export's fused writer: records straight to CSV lines, byte for byte ``csv.writer``.

:func:`simple_rows`/:func:`detailed_rows`, the typed rows and
:class:`RowFormatter` are the reference: ``csv.writer`` over the formatted
reference rows is what an export must write, and the property tests say so
for every option and dialect. This module writes the same bytes faster:

- each record's list columns (and a run of rows' script fields) are
  formatted, guarded and encoded once, as the start of every line;
- dispositions are resolved once per object and kept by identity with both
  their cells written; codes, quota groups, notes and numbers are cached
  already guarded and quoted;
- every other cell is formatted by the expression :func:`cell_source` gives
  for its kind, and the text cells of a row (of a record, for its own cells,
  and of a new phone) are looked at once, joined by NUL: only when the
  formula guard may change one of them, or one holds a delimiter, a quote or
  a line break, is each passed through the one guard and encoded by
  ``csv.writer`` itself; the line is joined as one string;
- the detailed row's values come from :data:`DETAILED_VALUES`, the table the
  typed :func:`detailed_row` is compiled from, so no :class:`DetailedRow` is
  built; the records are checked against the campaign in the same loop;
- lines are joined with their line ends and written in batches.

The loop is generated per export from those tables and compiled under its own
file name with a :mod:`linecache` entry, so tracebacks show its lines.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from typing import Any, Final

from .._model.campaign import Record
from .._model.dispositions import Disposition
from .._model.frozen import EMPTY_TEXT_MAP, dict_source
from .._model.generated import compile_source, indented, indented_lines
from .._report.build import (
    DETAILED_VALUES,
    ROW_FUNCTIONS,
    SIMPLE_PRELUDE,
    SIMPLE_VALUES,
    SYSTEM_NOTE_KEY,
    system_note_of,
)
from .._report.columns import Column, ColumnKind
from .._report.formatting import (
    RowFormatter,
    cell_function,
    cell_source,
    generated_namespace,
    guarded_source,
    guards,
)
from .._report.guard import (
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

__all__ = ["write_lines"]

#: Lines joined into one write.
_BATCH: Final = 512
#: Cached cells of one kind kept at most (agents' notes are free text).
_CACHE_SIZE: Final = 4096

#: Cells whose text is a number, a flag or empty: never guarded, never quoted.
_PLAIN_KINDS: Final = frozenset((ColumnKind.FLAG,))
#: Cells that are usually the previous row's: the last one is kept guarded and
#: quoted (an attempt's phone is mostly the one of the record's previous attempt).
_REPEATED: Final = frozenset(("this_phone_number",))
#: Cells with few distinct values: cached already guarded and quoted (a
#: lookup of a number of seconds is cheaper than writing its digits).
_CACHED_KINDS: Final = frozenset(
    (
        ColumnKind.COUNT,
        ColumnKind.SECONDS,
        ColumnKind.DISPOSITION,
        ColumnKind.CODE,
        ColumnKind.QUOTA_GROUP,
        ColumnKind.NOTE,
        ColumnKind.CPA,
    )
)


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
        if (
            quote in joined
            or "\n" in joined
            or "\r" in joined
            or joined.count("\x00") != len(cells)
        ):
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


def _cache(function: Callable[[Any], str], encode: Callable[[str], str]) -> dict[Any, str]:
    """A cache of ``encode(function(value))`` per value, filled by its ``__missing__``."""

    class Cache(dict[Any, str]):
        def __missing__(self, value: Any) -> str:
            if len(self) >= _CACHE_SIZE:
                self.clear()
            text = self[value] = encode(function(value))
            return text

    return Cache()


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
#: How the detailed loop binds those names for one disposition.
_DISPOSITION_LOOKUP: Final = """\
if (called := attempt.{attribute}) is None:
    {prefix}_name = {prefix}_code = None
    {prefix}_cells = no_pair
elif (known := pairs.get(id(called))) is not None:
    {prefix}_name, {prefix}_code, {prefix}_cells, _ = known
else:
    {prefix}_name, {prefix}_code, {prefix}_cells, _ = pair(record, called)
"""
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
    test = "D in probe or Q in probe or '\\n' in probe or '\\r' in probe"
    if guard:
        # may_change_joined(), written out: a call per row would cost more than the test.
        test = f"changes(probe) is not None or {test} or probe.count('\\x00') != {len(names)}"
    fixed = [
        f"encode({guarded_source(name) if guard and guards(formatter, kind) else name})"
        for name, kind in zip(names, kinds, strict=True)
    ]
    return [
        f"probe = '\\x00' + '\\x00'.join(({', '.join(names)},))",
        f"if {test}: {', '.join(names)} = {', '.join(fixed)}",
    ]


#: A call of the Note cell's function, in the row tables.
_NOTE_OF: Final = re.compile(r"note_of\((\w+)\)")


def _cell_key(kind: ColumnKind, value: str) -> str:
    """What a cached cell of ``kind`` is looked up by: ``value``, but for notes.

    A note is looked up by the agent's text, or else by what makes its system
    note (:data:`SYSTEM_NOTE_KEY`): hashing that is C, a :class:`SystemNote`'s
    hash is Python.
    """
    if kind is not ColumnKind.NOTE:
        return value
    return _NOTE_OF.sub(
        lambda match: f"({match[1]}.note or {SYSTEM_NOTE_KEY.format(a=match[1])})", value
    )


def _line_source(
    columns: tuple[Column, ...],
    values: dict[str, str],
    formatter: RowFormatter,
    *,
    guard: bool,
    hoisted: frozenset[str],
    pairs: bool = False,
) -> tuple[list[str], list[str], list[str], str]:
    """The statements of one line: per export, per record, per row, and the line's expression.

    Returns the statements run once per export (the remembered cells of
    :data:`_REPEATED`), once per record (cells of ``hoisted`` attributes),
    those run per row, and the expression of the line's cells after its start.
    With ``pairs`` the loop binds ``<prefix>_cells`` (:data:`_DISPOSITIONS`)
    to both cells of a disposition, which stand for its two columns.
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
        name = f"c{position}"
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
        cell = cell_source(formatter, kind, value)
        if column.attribute in hoisted:
            per_record.append(f"{name} = {cell}")
            if kind not in _PLAIN_KINDS:
                record_text[0].append(name)
                record_text[1].append(kind)
        elif kind in _CACHED_KINDS:
            per_row.append(f"{name} = cache_{position}[{_cell_key(kind, value)}]")
        elif column.attribute in _REPEATED:
            per_row.append(f"if ({name} := {value}) != last_{name}:")
            per_row.append(f"    last_{name} = {name}")
            per_row += indented_lines(_probed([name], [kind], formatter, guard=guard))
            per_row.append(f"    text_{name} = {name}")
            per_row.append(f"{name} = text_{name}")
            per_export.append(f"last_{name} = text_{name} = None")
        elif kind in _PLAIN_KINDS or (kind is ColumnKind.TIME and not guards(formatter, kind)):
            per_row.append(f"{name} = {cell}")
        else:
            per_row.append(f"{name} = {cell}")
            row_text[0].append(name)
            row_text[1].append(kind)
    per_record += _probed(*record_text, formatter, guard=guard)
    per_row += _probed(*row_text, formatter, guard=guard)
    return per_export, per_record, per_row, f"D.join(({', '.join(names)},))"


def _namespace(
    kind: ReportKind, plan: ReportPlan, formatter: RowFormatter, encoder: _Encoder, guard: bool
) -> dict[str, Any]:
    namespace = generated_namespace(formatter)
    columns = kind.columns_in(plan.rendering.layout)
    for position, column in enumerate(columns):
        function = cell_function(formatter, column.kind, guard=guard)
        namespace[f"cell_{position}"] = function
        if column.kind is ColumnKind.NOTE:
            namespace[f"cache_{position}"] = _cache(_note_cell(function), encoder.cell)
        elif column.kind in _CACHED_KINDS:
            namespace[f"cache_{position}"] = _cache(function, encoder.cell)
    # The one guard, asked once per distinct text.
    namespace["guard_cell"] = _GuardCache().__getitem__
    namespace.update(
        encode=encoder.cell,
        encode_cells=encoder.cells,
        changes=changes_joined,
        guarded=guarded,
        D=encoder.delimiter,
        Q=encoder.quote,
        **ROW_FUNCTIONS,
        Record=Record,
        no_values=EMPTY_TEXT_MAP,
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
#: a record, after its lines), and the rest at the end.
_FLUSH: Final = """\
if len(batch) >= BATCH:
    write(terminator.join(batch) + terminator)
    count += len(batch)
    batch.clear()
"""
_END: Final = """\
    if batch:
        write(terminator.join(batch) + terminator)
    return count + len(batch)
"""

_DETAILED_LOOP: Final = (
    """\
def write_lines(records, write, terminator):
    batch = []
    append = batch.append
    count = 0
    no_script = {no_script}
{per_export}\
    for record in records:
        if not isinstance(record, Record):
            raise CampaignMismatchError("records[]", record, "must be a Record")
        own = {own_fields}
        if {quick}(columns := exported_columns.get(record.list_name)) is not None and (
            columns.issuperset(own)
        ):
            checked = False
        elif admits(record):
            checked = True
        else:
            continue
{completed_inside}\
{fields}\
        start = encode_cells(cells)
        bare = start + no_script
{per_record}\
        for attempt in record.attempts:
            # The checks check_record() makes of each attempt, in its order, before
            # any filter: whether a record fits does not depend on them.
            # The default empty mapping is told by identity: asking a mapping
            # whether it is empty is a call in Python.
            if (values := attempt.script_values) is no_values:
                values = None
            elif (
                (values := {values_dict})
                and not checked
                and not known_script_names.issuperset(values)
            ):
                check_record(record)  # raises, naming the script field
{dispositions}\
{by_attempt_time}\
{keeps}\
            if values:
                if tuple(values) == script_names:
                    cells = list(values.values())
                else:
                    cells = [values.get(name, "") for name in script_names]
                head = start + encode_cells(cells)
            else:
                head = bare
            quota = attempt.quota
{per_row}\
            append({line})
{flush}\
"""
    + _END
)

_SIMPLE_LOOP: Final = (
    """\
def write_lines(records, write, terminator):
    batch = []
    append = batch.append
    count = 0
{per_export}\
    for record in records:
        if not isinstance(record, Record):
            raise CampaignMismatchError("records[]", record, "must be a Record")
        own = {own_fields}
        if (columns := exported_columns.get(record.list_name)) is not None and (
            columns.issuperset(own)
        ):
            # The checks check_record() makes of each attempt, in its order.
            for attempt in record.attempts:
                values = attempt.script_values
                if (
                    values is not no_values
                    and (values := {values_dict})
                    and not known_script_names.issuperset(values)
                ):
                    check_record(record)  # raises, naming the script field
                if (called := attempt.call_disposition) is not None:
                    disposition(record, called)
                if (called := attempt.record_disposition) is not None:
                    disposition(record, called)
        elif not admits(record):
            continue
{completed_inside}\
{prelude}\
{keeps}\
{fields}\
        cells += script_fields
        start = encode_cells(cells)
{per_row}\
        append({line})
{flush}\
"""
    + _END
)


def write_lines(
    kind: ReportKind,
    plan: ReportPlan,
    records: Iterable[Record],
    write: Callable[[str], Any],
    dialect: CsvDialect,
) -> int:
    """Write the data lines of ``plan``'s report of ``records`` through ``write``; their number.

    The lines are the bytes ``csv.writer`` with ``dialect`` writes for the
    reference rows formatted by :class:`RowFormatter` (guarded when the
    rendering asks for the formula guard).
    """
    formatter = RowFormatter(plan.rendering)
    guard = plan.rendering.formula_guard
    encoder = _Encoder(dialect, guard=guard)
    namespace = _namespace(kind, plan, formatter, encoder, guard)
    columns = kind.columns_in(plan.rendering.layout)
    # A record's values of the exported columns; its own fields in their order
    # when they are those columns (the common case), without a lookup each.
    fields = (
        "        if tuple(own) == list_columns:\n"
        "            cells = list(own.values())\n"
        "        else:\n"
        '            cells = [own.get(column, "") for column in list_columns]\n'
    )
    # The dicts behind the record's fields and an attempt's script values.
    mappings = {"own_fields": dict_source("record.fields"), "values_dict": dict_source("values")}
    completed_inside = (
        ""
        if plan.selection.format is ReportFormat.DETAILED_INTERVAL or plan.interval is None
        else (
            "        completing = record.completing_attempt\n"
            "        if completing is None or not inside(completing.time):\n"
            "            continue\n"
        )
    )
    if kind is SIMPLE:
        per_export, _, per_row, line = _line_source(
            columns, SIMPLE_VALUES, formatter, guard=guard, hoisted=frozenset()
        )
        source = _SIMPLE_LOOP.format(
            **mappings,
            per_export=indented(per_export, 1),
            completed_inside=completed_inside,
            prelude=indented(SIMPLE_PRELUDE, 2),
            keeps=(
                ""
                if plan.selected_dispositions is None
                else "        if not keeps(record_name, call_name):\n            continue\n"
            ),
            fields=fields,
            per_row=indented(per_row, 2),
            line=f"start + {line}",
            flush=indented(_FLUSH, 2),
        )
        compile_source(source, namespace, "simple lines")
        count: int = namespace["write_lines"](records, write, dialect.lineterminator)
        return count
    hoisted = frozenset(
        attribute for attribute, value in DETAILED_VALUES.items() if value.startswith("record.")
    )
    per_export, per_record, per_row, line = _line_source(
        columns, DETAILED_VALUES, formatter, guard=guard, hoisted=hoisted, pairs=True
    )
    name_cell, code_cell = (
        cell_function(formatter, kind, guard=guard)
        for kind in (ColumnKind.DISPOSITION, ColumnKind.CODE)
    )
    pair_cells = _DispositionCells(plan, name_cell, code_cell, encoder)
    namespace.update(
        pairs=pair_cells, pair=pair_cells.resolve, no_pair=pair_cells.cells(None, None)
    )
    by_attempt_time = plan.selection.format is ReportFormat.DETAILED_INTERVAL
    no_script = encoder.cells(list(plan.no_script_values))
    source = _DETAILED_LOOP.format(
        **mappings,
        # Records completed inside an interval are filtered before their
        # attempts are seen: admits() checks them all first.
        quick="False and " if completed_inside else "",
        no_script=repr(no_script),
        per_export=indented(per_export, 1),
        completed_inside=completed_inside,
        fields=fields,
        per_record=indented(per_record, 2),
        by_attempt_time=(
            "            if not inside(attempt.time):\n                continue\n"
            if by_attempt_time
            else ""
        ),
        keeps=(
            ""
            if plan.selected_dispositions is None
            else "            if not keeps(call_name, record_name):\n                continue\n"
        ),
        dispositions="".join(
            indented(_DISPOSITION_LOOKUP.format(prefix=prefix, attribute=attribute), 3)
            for prefix, attribute in _DISPOSITIONS.items()
        ),
        per_row=indented(per_row, 3),
        line=f"head + {line}",
        flush=indented(_FLUSH, 2),
    )
    compile_source(source, namespace, "detailed lines")
    detailed: int = namespace["write_lines"](records, write, dialect.lineterminator)
    return detailed
