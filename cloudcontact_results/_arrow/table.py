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
from .._report.codecs import CODECS, UNTYPED, ValueType
from .._report.columns import Column
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

#: pandas' own description of each type of column: (pandas_type, numpy_type).
_PANDAS_TYPES: Final = {
    ValueType.TEXT: ("unicode", "string"),
    ValueType.BOOLEAN: ("bool", "boolean"),
    ValueType.INTEGER: ("int64", "Int64"),
    ValueType.TIME: ("datetimetz", "datetime64[us]"),
    ValueType.CATEGORY: ("categorical", "int32"),
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
        #: What each column of the schema holds.
        self.value_types: tuple[ValueType, ...] = (
            (UNTYPED.value,) * leading
            + tuple(CODECS[column.kind].value for column in columns)
            + (UNTYPED.value,) * len(extra)
        )
        self._leading = leading
        formatter = RowFormatter(Rendering(timezone=timezone, language=language))
        #: The report columns, in the order of the schema.
        self.columns = columns
        self._columns = formatter.column_function(columns, extra)
        self._timezone = timezone
        types = {
            ValueType.TEXT: pa.string(),
            ValueType.BOOLEAN: pa.bool_(),
            ValueType.INTEGER: pa.int64(),
            ValueType.TIME: pa.timestamp("us", tz=timezone),
            ValueType.CATEGORY: pa.dictionary(pa.int32(), pa.string()),
        }
        self.schema: Any = pa.schema(
            [
                pa.field(name, types[value_type])
                for name, value_type in zip(self.names, self.value_types, strict=True)
            ],
            metadata={b"pandas": self._pandas_metadata()},
        )

    def _pandas_metadata(self) -> bytes:
        described = []
        for name, value_type in zip(self.names, self.value_types, strict=True):
            pandas_type, numpy_type = _PANDAS_TYPES[value_type]
            metadata: dict[str, Any] | None = None
            if value_type is ValueType.TIME:
                metadata = {"timezone": self._timezone}
            elif value_type is ValueType.CATEGORY:
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
                self._array(values, self.value_types[position], self.schema.field(position).type)
            )
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def _array(self, values: list[Any], value_type: ValueType, arrow_type: Any) -> Any:
        pa = self._pa
        if value_type is ValueType.CATEGORY:
            return pa.array(values, pa.string()).dictionary_encode().cast(arrow_type)
        if value_type is ValueType.TIME:
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
        for position, value_type in enumerate(self.value_types):
            column = table.column(position)
            if value_type is ValueType.CATEGORY:
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
