"""Records -> columns of typed values, without typed rows: the columns of a Parquet export.

The reference is the typed rows (``simple_rows`` / ``detailed_rows``) turned
into columns by :meth:`RowFormatter.column_function`. Here one compiled
generator goes from the records straight to the columns, from the same
definitions: the rows' values are the expressions of :data:`SIMPLE_VALUES` /
:data:`DETAILED_VALUES` after the statements of :data:`SIMPLE_PRELUDE` /
:data:`DETAILED_PRELUDE`, each put in its typed form by :func:`typed_source`;
which records and attempts are reported is decided by
:func:`admitted_records`, the interval and the disposition filter, in the
order ``simple_rows`` and ``detailed_rows`` apply them. Building a frozen row
of 28 attributes per attempt was half of the Parquet export's time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .._codegen import assign, compile_source, for_loop, function, if_block, wrapped
from .._model.campaign import Record
from .._report.build import (
    DETAILED_PRELUDE,
    DETAILED_VALUES,
    ROW_FUNCTIONS,
    SIMPLE_PRELUDE,
    SIMPLE_VALUES,
    admitted_records,
)
from .._report.columns import Column
from .._report.formatting import (
    RowFormatter,
    generated_namespace,
    typed_columns_start,
    typed_run,
    typed_source,
)
from .._report.plan import ReportPlan
from .._types import ReportFormat

__all__ = ["ColumnChunk", "record_columns"]

#: The columns of some rows: the distinct runs of list columns and script
#: fields (the rows of one record share them), each row's run, and one list
#: of typed values per report column.
ColumnChunk = tuple[list[tuple[str, ...]], list[int], list[list[Any]]]


def record_columns(
    plan: ReportPlan, columns: tuple[Column, ...], records: Iterable[Record], size: int
) -> Iterator[ColumnChunk]:
    """The typed columns of ``plan``'s report of ``records``, ``size`` rows at a time.

    ``columns`` are report columns of ``plan``'s format, in the order wanted;
    the last chunk may be shorter, and no rows give no chunk.
    """
    report = plan.selection.format
    values = DETAILED_VALUES if report is not ReportFormat.SIMPLE else SIMPLE_VALUES
    names = [column.attribute for column in columns]
    start = [*typed_columns_start(names), "count = 0"]
    chunk = wrapped("yield runs, run_of, [", [f"{name}_values" for name in names], "]")
    row_end = typed_run("fields", "script_fields")
    for column in columns:
        row_end += typed_source(column.attribute, column.kind, f"({values[column.attribute]})")
    # A chunk when ``size`` rows are in, and empty columns for the next.
    row_end += ["count += 1", *if_block("count == size", [*chunk, *start])]
    if report is ReportFormat.SIMPLE:
        row = list(SIMPLE_PRELUDE)
        if plan.selected_dispositions is not None:
            row += if_block("not plan.keeps_disposition(record_name, call_name)", ["continue"])
        per_record = [*row, *assign("fields", "plan.fields_of(record)"), *row_end]
    else:
        row = []
        if report is ReportFormat.DETAILED_INTERVAL:
            row += if_block("not plan.inside(attempt.time)", ["continue"])
        row += DETAILED_PRELUDE
        if plan.selected_dispositions is not None:
            row += if_block("not plan.keeps_disposition(call_name, record_name)", ["continue"])
        per_record = [
            *assign("fields", "plan.fields_of(record)"),
            *for_loop("attempt", "record.attempts", [*row, *row_end]),
        ]
    # Only the detailed report by attempt time reports attempts of records
    # completed outside the interval.
    completed_inside = report is not ReportFormat.DETAILED_INTERVAL
    lines = function(
        "chunks",
        ["records", "size"],
        [
            *start,
            *for_loop(
                "record",
                f"admitted_records(plan, records, completed_inside={completed_inside})",
                per_record,
            ),
            *if_block("count", chunk),
        ],
    )
    namespace = generated_namespace(RowFormatter(plan.rendering))
    namespace.update(
        plan=plan,
        admitted_records=admitted_records,
        **ROW_FUNCTIONS,
    )
    compile_source(lines, namespace, f"{report.value} typed columns")
    chunks: Iterator[ColumnChunk] = namespace["chunks"](records, size)
    return chunks
