"""Typed rows -> Arrow record batches, with one schema for tables and Parquet files.

The types follow the DataFrame of ``Report.to_pandas()``: text ``string``,
flags ``bool``, counts, durations and CPA results ``int64``, date-times
``timestamp[us, zone]``, dispositions dictionary-encoded. The schema carries
pandas' own metadata, so ``table.to_pandas()`` and ``pandas.read_parquet``
give the nullable dtypes (``string``, ``boolean``, ``Int64``) of ``to_pandas()``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterable, Iterator
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Final

from .._model.campaign import NoMatch
from .._model.notes import SystemNote
from .._report.columns import Column, ColumnKind
from .._report.frame import frame_names
from .._report.rows import DetailedRow, SimpleRow
from .._types import Language

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["BATCH_ROWS", "ArrowLayout", "import_pyarrow"]

#: Rows per record batch (and per Parquet row group): memory stays flat however
#: long the report, and readers still get row groups worth skipping over.
BATCH_ROWS: Final = 65_536

_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND: Final = dt.timedelta(microseconds=1)

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


def import_pyarrow(what: str) -> Any:
    try:
        import pyarrow as pa  # noqa: PLC0415  # optional dependency
    except ImportError as exc:
        raise ImportError(
            f"{what} needs pyarrow: pip install 'cloudcontact-results[arrow]'"
        ) from exc
    return pa


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
        pa = import_pyarrow("Arrow tables and Parquet files")
        self._pa = pa
        self.names = frame_names(list_columns, script_field_names, columns, extra)
        leading = len(list_columns) + len(script_field_names)
        self.kinds: tuple[ColumnKind, ...] = (
            (ColumnKind.TEXT,) * leading
            + tuple(column.kind for column in columns)
            + (ColumnKind.TEXT,) * len(extra)
        )
        self._leading = leading
        self._extra = extra
        self._attributes = _getter(tuple(column.attribute for column in columns))
        self._timezone = timezone
        self._language = language
        self._notes: dict[SystemNote, str] = {}
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
        pa = self._pa
        leading = self._leading
        arrays = []
        if leading:
            arrays = self._leading_arrays(rows)
        report = list(zip(*map(self._attributes, rows), strict=True))
        for position, values in enumerate(report, start=leading):
            field = self.schema.field(position)
            arrays.append(self._array(values, self.kinds[position], field.type))
        for name in self._extra:
            arrays.append(pa.array([row.extra[name] for row in rows], pa.string()))
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def _leading_arrays(self, rows: list[SimpleRow | DetailedRow]) -> list[Any]:
        """List columns and script fields, converted once per run of rows sharing them.

        The rows of one record share their ``fields`` and most attempts share
        one tuple of script values, so each distinct run is converted once and
        spread over its rows with ``take``.
        """
        pa = self._pa
        distinct: list[tuple[Any, ...]] = []
        positions = []
        last_fields: object = None
        last_script: object = None
        for row in rows:
            fields, script = row.fields, row.script_fields
            if fields is not last_fields or script is not last_script:
                last_fields, last_script = fields, script
                distinct.append((*fields.values(), *script))
            positions.append(len(distinct) - 1)
        take = pa.array(positions, pa.int32())
        return [pa.array(column, pa.string()).take(take) for column in zip(*distinct, strict=True)]

    def _array(self, values: tuple[Any, ...], kind: ColumnKind, arrow_type: Any) -> Any:
        pa = self._pa
        if kind is ColumnKind.DISPOSITION:
            return pa.array(values, pa.string()).dictionary_encode().cast(arrow_type)
        if kind is ColumnKind.TIME:
            # Microseconds since the epoch, computed here: pyarrow asks each
            # date-time's zone for its offset, about fifteen times slower.
            epoch, unit = _EPOCH, _MICROSECOND
            micros = [None if v is None else (v - epoch) // unit for v in values]
            return pa.array(micros, pa.int64()).cast(arrow_type)
        if kind is ColumnKind.NOTE:
            values = tuple(map(self._note, values))
        elif kind is ColumnKind.QUOTA_GROUP:
            language = self._language
            values = tuple(v.label(language) if isinstance(v, NoMatch) else v for v in values)
        return pa.array(values, arrow_type)

    def _note(self, value: str | SystemNote) -> str:
        if not isinstance(value, SystemNote):
            return value
        text = self._notes.get(value)
        if text is None:
            text = self._notes[value] = value.render(self._language)
        return text

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


def _getter(attributes: tuple[str, ...]) -> Any:
    """The values of ``attributes`` of a row, always as a tuple."""
    if len(attributes) == 1:
        (attribute,) = attributes
        return lambda row: (getattr(row, attribute),)
    return attrgetter(*attributes)


def _sorted_dictionary(pa: Any, column: Any) -> Any:
    import pyarrow.compute as pc  # noqa: PLC0415  # optional dependency

    values = pa.chunked_array(
        [chunk.dictionary_decode() for chunk in column.chunks], type=pa.string()
    ).combine_chunks()
    dictionary = pc.unique(values.drop_null())
    dictionary = dictionary.take(pc.sort_indices(dictionary))
    indices = pc.index_in(values, value_set=dictionary).cast(pa.int32())
    return pa.chunked_array([pa.DictionaryArray.from_arrays(indices, dictionary)], type=column.type)
