"""Records -> a Parquet file, straight to typed columns, one row group at a time."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Final

from .._files.sink import ExportResult, counted_destination
from .._model.campaign import Record
from .._options import Packaging
from .._report.kinds import kind_of
from .._report.plan import ReportPlan
from .._types import import_optional
from ..errors import ExportError
from .fused import record_columns
from .read import header_metadata
from .table import BATCH_ROWS, ArrowLayout

__all__ = ["write_parquet"]

#: Compact and quick, and read by pandas, polars, DuckDB and Spark alike.
_COMPRESSION: Final = "zstd"


def write_parquet(
    plan: ReportPlan,
    records: Iterable[Record],
    destination: object,
    packaging: Packaging,
    *,
    overwrite: bool = False,
    batch_rows: int = BATCH_ROWS,
) -> ExportResult:
    """Write ``plan``'s report of ``records`` as Parquet: one row group per ``batch_rows`` rows.

    Memory holds one row group, however long the report.
    """
    pa = import_optional("pyarrow", "arrow", "export(..., file_format='parquet')")
    import pyarrow.parquet as pq  # noqa: PLC0415  # optional dependency

    del packaging  # no CSV dialect or zip applies to a Parquet file
    kind = kind_of(plan.selection.format)
    rendering = plan.rendering
    written = frozenset(kind.columns_in(rendering.layout))
    columns = tuple(column for column in kind.known_columns if column in written)
    layout = ArrowLayout(
        plan.columns,
        plan.script_field_names,
        # The order of the rows' attributes, as a frame of the CSV export has them.
        columns,
        timezone=rendering.timezone,
        language=rendering.language,
    )
    # The CSV export's header, so that read_report gives the rows the CSV gives.
    header = (
        *plan.columns,
        *plan.script_field_names,
        *(column.header(rendering.language) for column in columns),
    )
    schema = layout.schema.with_metadata({**layout.schema.metadata, **header_metadata(header)})
    count = 0
    with contextlib.ExitStack() as stack:
        counter, path = stack.enter_context(counted_destination(destination, overwrite=overwrite))
        stack.enter_context(counter.discarding_on_error())
        try:
            with pq.ParquetWriter(
                counter,  # type: ignore[arg-type]  # a writable binary stream
                schema,
                compression=_COMPRESSION,
                write_statistics=True,
            ) as writer:
                for chunk in record_columns(plan, layout.columns, records, batch_rows):
                    batch = layout.batch_of_columns(*chunk)
                    writer.write_batch(batch, row_group_size=batch_rows)
                    count += batch.num_rows
        except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
            raise ExportError(f"cannot write the Parquet file: {error}") from error
    return ExportResult(rows=count, path=path, bytes=counter.count)
