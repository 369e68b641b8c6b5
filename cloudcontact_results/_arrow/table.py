"""Typed rows -> Arrow record batches, with one schema for tables and Parquet files.

The types follow the DataFrame of ``Report.to_pandas()``: text ``string``,
flags ``bool``, counts, durations and CPA results ``int64``, date-times
``timestamp[us, zone]``, dispositions dictionary-encoded. The schema carries
pandas' own metadata, so ``table.to_pandas()`` and ``pandas.read_parquet``
give the nullable dtypes (``string``, ``boolean``, ``Int64``) of ``to_pandas()``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final

from .._options import Rendering
from .._report.columns import Column, ColumnKind
from .._report.formatting import RowFormatter
from .._report.frame import frame_names
from .._report.rows import DetailedRow, SimpleRow
from .._types import Language, import_optional

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["BATCH_ROWS", "ArrowLayout"]

#: Rows per record batch (and per Parquet row group): memory stays flat however
#: long the report, and readers still get row groups worth skipping over.
BATCH_ROWS: Final = 65_536

#: pandas' own description of each kind of column: (pandas_type, numpy_type).
_PANDAS_TYPES: Final = {
    ColumnKind.TEXT: ("unicode", "string"),
    ColumnKind.CODE: ("unicode", "string"),
    ColumnKind.QUOTA_GROUP: ("unicode", "string"),
    ColumnKind.NOTE: ("unicode", "string"),
    ColumnKind.FLAG: ("bool", "boolean"),
    ColumnKind.COUNT: ("int64", "Int64"),
    ColumnKind.SECONDS: ("int64", "Int64"),
    ColumnKind.CPA: ("int64", "Int64"),
    ColumnKind.TIME: ("datetimetz", "datetime64[us]"),
    ColumnKind.DISPOSITION: ("categorical", "int32"),
}


class ArrowLayout:
    """The Arrow schema of one report, and how its typed rows become record batches."""

    def __init__(
        self,
        list_columns: tuple[str, ...],
        script_field_names: tuple[str, ...],
        columns: tuple[Column, ...],
        extra: tuple[str, ...] = (),
        *,
        timezone: str,
        language: Language,
    ) -> None:
        pa = import_optional("pyarrow", "arrow", "Arrow tables and Parquet files")
        self._pa = pa
        self.names = frame_names(list_columns, script_field_names, columns, extra)
        leading = len(list_columns) + len(script_field_names)
        self.kinds: tuple[ColumnKind, ...] = (
            (ColumnKind.TEXT,) * leading
            + tuple(column.kind for column in columns)
            + (ColumnKind.TEXT,) * len(extra)
        )
        self._leading = leading
        formatter = RowFormatter(Rendering(timezone=timezone, language=language))
        #: The report columns, in the order of the schema.
        self.columns = columns
        self._columns = formatter.column_function(columns, extra)
        self._timezone = timezone
        types = {
            ColumnKind.FLAG: pa.bool_(),
            ColumnKind.COUNT: pa.int64(),
            ColumnKind.SECONDS: pa.int64(),
            ColumnKind.CPA: pa.int64(),
            ColumnKind.TIME: pa.timestamp("us", tz=timezone),
            ColumnKind.DISPOSITION: pa.dictionary(pa.int32(), pa.string()),
        }
        self.schema: Any = pa.schema(
            [
                pa.field(name, types.get(kind, pa.string()))
                for name, kind in zip(self.names, self.kinds, strict=True)
            ],
            metadata={b"pandas": self._pandas_metadata()},
        )

    def _pandas_metadata(self) -> bytes:
        described = []
        for name, kind in zip(self.names, self.kinds, strict=True):
            pandas_type, numpy_type = _PANDAS_TYPES[kind]
            metadata: dict[str, Any] | None = None
            if kind is ColumnKind.TIME:
                metadata = {"timezone": self._timezone}
            elif kind is ColumnKind.DISPOSITION:
                metadata = {"num_categories": None, "ordered": False}
            described.append(
                {
                    "name": name,
                    "field_name": name,
                    "pandas_type": pandas_type,
                    "numpy_type": numpy_type,
                    "metadata": metadata,
                }
            )
        document = {
            "index_columns": [],
            "column_indexes": [],
            "columns": described,
            "attributes": {},
            "creator": {"library": "cloudcontact_results"},
            "pandas_version": "2.0.0",
        }
        return json.dumps(document, ensure_ascii=False).encode()

    def batches(
        self, rows: Iterable[SimpleRow | DetailedRow], size: int = BATCH_ROWS
    ) -> Iterator[pa.RecordBatch]:
        """The rows as record batches of ``size`` rows (the last may be shorter)."""
        rows = iter(rows)
        while batch := list(itertools.islice(rows, size)):
            yield self.batch(batch)

    def batch(self, rows: list[SimpleRow | DetailedRow]) -> Any:
        # One compiled pass over the rows fills every column (see RowFormatter).
        return self.batch_of_columns(*self._columns(rows))

    def batch_of_columns(
        self, runs: list[tuple[str, ...]], run_of: list[int], columns: list[list[Any]]
    ) -> Any:
        """The record batch of typed columns, as :meth:`RowFormatter.column_function` gives them."""
        pa = self._pa
        arrays = []
        if self._leading:
            # List columns and script fields once per run of rows sharing them
            # (the rows of one record), spread over the rows with ``take``.
            take = pa.array(run_of, pa.int32())
            arrays = [
                pa.array(column, pa.string()).take(take) for column in zip(*runs, strict=True)
            ]
        for position, values in enumerate(columns, start=self._leading):
            arrays.append(
                self._array(values, self.kinds[position], self.schema.field(position).type)
            )
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def _array(self, values: list[Any], kind: ColumnKind, arrow_type: Any) -> Any:
        pa = self._pa
        if kind is ColumnKind.DISPOSITION:
            return pa.array(values, pa.string()).dictionary_encode().cast(arrow_type)
        if kind is ColumnKind.TIME:
            # Microseconds since the epoch, in UTC: the column's zone is metadata.
            return pa.array(values, pa.int64()).cast(arrow_type)
        return pa.array(values, arrow_type)

    def table(self, batches: Iterable[pa.RecordBatch]) -> Any:
        """One table of ``batches``, each dictionary column one chunk with sorted values.

        Sorted as pandas sorts categories, so that ``table.to_pandas()`` is
        ``Report.to_pandas()``, and tables of the same rows are equal however built.
        """
        return self._normalized(self._pa.Table.from_batches(list(batches), schema=self.schema))

    def from_frame(self, frame: Any) -> Any:
        """The table of a frame of ``Report.to_pandas()``, with this schema."""
        pa = self._pa
        table = pa.Table.from_pandas(frame, preserve_index=False)
        columns = [
            table.column(position).cast(field.type) for position, field in enumerate(self.schema)
        ]
        return self._normalized(pa.Table.from_arrays(columns, schema=self.schema))

    def _normalized(self, table: pa.Table) -> Any:
        pa = self._pa
        columns = []
        for position, kind in enumerate(self.kinds):
            column = table.column(position)
            if kind is ColumnKind.DISPOSITION:
                column = _sorted_dictionary(pa, column)
            columns.append(column)
        return pa.Table.from_arrays(columns, schema=self.schema)


def _sorted_dictionary(pa: Any, column: Any) -> Any:
    import pyarrow.compute as pc  # noqa: PLC0415  # optional dependency

    values = pa.chunked_array(
        [chunk.dictionary_decode() for chunk in column.chunks], type=pa.string()
    ).combine_chunks()
    dictionary = pc.unique(values.drop_null())
    dictionary = dictionary.take(pc.sort_indices(dictionary))
    indices = pc.index_in(values, value_set=dictionary).cast(pa.int32())
    return pa.chunked_array([pa.DictionaryArray.from_arrays(indices, dictionary)], type=column.type)
