"""Parquet export (docs/analysis.md, docs/export.md): typed columns for pandas, polars, DuckDB."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import types
from pathlib import Path
from typing import Any

import attrs
import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from tests.conftest import examples
from tests.support.answers import expected_frame
from tests.support.strategies import campaign_with_records, export_options


def exports(tmp_path: Path, campaign, records, options: ccr.ExportOptions) -> tuple[Path, Path]:
    """The same report as CSV and as Parquet."""
    records = list(records)
    csv_path, parquet_path = tmp_path / "report.csv", tmp_path / "report.parquet"
    ccr.export(campaign, records, csv_path, options)
    result = ccr.export(
        campaign,
        records,
        parquet_path,
        ccr.ExportOptions(**_fields(options), file_format="parquet"),
    )
    assert result.path == parquet_path
    assert result.bytes == parquet_path.stat().st_size
    return csv_path, parquet_path


def _fields(options: ccr.ExportOptions) -> dict[str, object]:
    return {
        "format": options.format,
        "language": options.language,
        "timezone": options.timezone,
        "formula_guard": options.formula_guard,
        "layout": options.layout,
    }


def csv_frame(path: Path, campaign, options) -> pd.DataFrame:
    return ccr.read_report(
        path,
        timezone=options.timezone,
        script_fields=[field.name for field in campaign.exported_script_fields],
        formula_guard=options.formula_guard,
    ).to_pandas()


def python_values(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    """Every cell as a plain Python value: None for missing, times as UTC instants."""

    def plain(value: object) -> object:
        if value is None or value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        if hasattr(value, "item"):
            return value.item()  # numpy scalars
        return value

    return [
        tuple(plain(value) for value in row) for row in frame.astype(object).itertuples(index=False)
    ]


@pytest.mark.slow
@pytest.mark.parametrize("report_format", ["simple", "detailed"])
@pytest.mark.parametrize(
    ("language", "layout"), [("en", "manual"), ("ru", "manual"), ("en", "5.x")]
)
def test_pandas_polars_and_duckdb_read_the_values_of_the_csv_export(
    tmp_path, report_format, language, layout
):
    campaign, records = ccr.demo_campaign(150)
    options = ccr.ExportOptions(
        format=report_format, language=language, timezone="America/New_York", layout=layout
    )
    csv_path, parquet_path = exports(tmp_path, campaign, records, options)
    expected = csv_frame(csv_path, campaign, options)

    by_pandas = pd.read_parquet(parquet_path)
    pd.testing.assert_frame_equal(by_pandas, expected, check_categorical=False)

    by_polars = pl.read_parquet(parquet_path)
    assert by_polars.columns == list(expected.columns)
    assert in_utc(by_polars.rows()) == python_values(expected)

    relation = duckdb.sql(f"SELECT * FROM read_parquet('{parquet_path}')")  # noqa: S608
    assert relation.columns == list(expected.columns)
    assert in_utc(relation.fetchall()) == python_values(expected)


def in_utc(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows with each date-time as a naive UTC one, as ``python_values`` gives them."""
    return [
        tuple(
            value.astimezone(dt.UTC).replace(tzinfo=None)
            if isinstance(value, dt.datetime)
            else value
            for value in row
        )
        for row in rows
    ]


#: The 5.x layout's own columns, text, after the manual's in the rows' attribute order.
_COLUMNS_5X = tuple(
    types.SimpleNamespace(attribute=name, kind=ccr.ColumnKind.TEXT)
    for name in ("ani", "action_applied")
)


@pytest.mark.slow
@settings(max_examples=examples(15))
@given(
    campaign_with_records(max_records=6),
    export_options(layout=st.sampled_from(["manual", "5.x"])),
)
def test_parquet_holds_the_typed_rows(campaign_and_records, options):
    campaign, records = campaign_and_records
    sink = io.BytesIO()
    ccr.export(
        campaign, records, sink, ccr.ExportOptions(**_fields(options), file_format="parquet")
    )
    table = pq.read_table(io.BytesIO(sink.getvalue()))
    rows = list(getattr(ccr, f"{options.format.value}_rows")(campaign, records, options))

    if not rows:
        assert table.num_rows == 0
        return
    # What the answer key needs of a report: its columns, language and zone.
    columns = (calling_list.columns for calling_list in campaign.lists)
    described = types.SimpleNamespace(
        list_columns=tuple(dict.fromkeys(itertools.chain.from_iterable(columns))),
        script_field_names=tuple(field.name for field in campaign.exported_script_fields),
        columns=ccr.SIMPLE_COLUMNS
        if options.format.value == "simple"
        else ccr.DETAILED_COLUMNS + (_COLUMNS_5X if options.layout.value == "5.x" else ()),
        extra_columns=(),
        language=options.language,
        timezone=options.timezone,
    )
    expected = expected_frame(described, rows)
    # Parquet keeps the instant itself, microseconds and DST folds included.
    pd.testing.assert_frame_equal(table.to_pandas(), expected, check_categorical=False)


def test_types_and_row_groups(tmp_path):
    campaign, records = ccr.demo_campaign(30)
    path = tmp_path / "d.parquet"
    ccr.export(campaign, records, path, ccr.ExportOptions(format="detailed", file_format="parquet"))
    schema = pq.read_schema(path)
    assert schema.field("call_time").type == pa.timestamp("us", tz="Europe/Moscow")
    assert schema.field("call_disposition").type == pa.dictionary(pa.int32(), pa.string())
    assert schema.field("dialing_duration").type == pa.int64()
    assert schema.field("is_inbound_call").type == pa.bool_()
    assert schema.field("Фамилия").type == pa.string()
    metadata = pq.ParquetFile(path).metadata
    assert metadata.num_row_groups == 1
    assert metadata.row_group(0).column(0).compression == "ZSTD"


@pytest.mark.slow
def test_a_long_report_is_written_in_row_groups(tmp_path):
    campaign = ccr.Campaign("Long", [ccr.CallingList("L", ["N"])])
    records = (ccr.Record(str(number), "L", {"N": str(number)}) for number in range(70_000))
    path = tmp_path / "long.parquet"
    result = ccr.export(campaign, records, path, ccr.ExportOptions(file_format="parquet"))
    assert result.rows == 70_000
    metadata = pq.ParquetFile(path).metadata
    assert [metadata.row_group(group).num_rows for group in range(metadata.num_row_groups)] == [
        65_536,
        70_000 - 65_536,
    ]
    assert pq.read_table(path, columns=["N"]).column(0).to_pylist()[-1] == "69999"


@pytest.mark.slow
def test_a_row_group_ends_inside_a_record_and_the_next_goes_on(tmp_path):
    campaign = ccr.Campaign("Long", [ccr.CallingList("L", ["N"])])
    start = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)

    def attempts(number: int) -> list[ccr.Attempt]:
        return [
            ccr.Attempt(time=start + dt.timedelta(minutes=which), phone=f"+7{number}{which}")
            for which in range(3)
        ]

    records = [
        ccr.Record(str(number), "L", {"N": str(number)}, attempts(number))
        for number in range(22_000)
    ]
    path = tmp_path / "long.parquet"
    options = ccr.ExportOptions(format="detailed", file_format="parquet")
    assert ccr.export(campaign, records, path, options).rows == 66_000
    metadata = pq.ParquetFile(path).metadata
    assert [metadata.row_group(group).num_rows for group in range(metadata.num_row_groups)] == [
        65_536,
        66_000 - 65_536,
    ]
    table = pq.read_table(path, columns=["N", "this_phone_number", "record_id"])
    assert table.column("N").to_pylist() == [record.id for record in records for _ in range(3)]
    assert table.column("this_phone_number").to_pylist() == [
        attempt.phone for record in records for attempt in record.attempts
    ]
    assert table.column("record_id").to_pylist() == table.column("N").to_pylist()


def test_compress_is_for_csv_only():
    with pytest.raises(ccr.errors.OptionsError, match="compress applies to CSV only"):
        ccr.ExportOptions(file_format="parquet", compress=True)


def test_a_failed_parquet_export_leaves_no_file(tmp_path):
    campaign = ccr.Campaign("C", [ccr.CallingList("L", ["N"])])

    def records():
        yield ccr.Record("1", "L", {"N": "a"})
        raise RuntimeError("the feed broke")

    path = tmp_path / "broken.parquet"
    with pytest.raises(RuntimeError):
        ccr.export(campaign, records(), path, ccr.ExportOptions(file_format="parquet"))
    assert list(tmp_path.iterdir()) == []


# --- reading back --------------------------------------------------------------------

#: Date-times to the microsecond with their offset: a CSV that keeps the instant, as
#: Parquet does (the default format keeps whole seconds of the wall clock).
_EXACT = "%Y-%m-%d %H:%M:%S.%f%z"


@pytest.mark.slow
@settings(max_examples=examples(15))
@given(
    campaign_with_records(max_records=6),
    export_options(layout=st.sampled_from(["manual", "5.x"])),
)
def test_read_report_of_a_parquet_file_gives_the_rows_of_the_csv(campaign_and_records, options):
    campaign, records = campaign_and_records
    csv, parquet = io.BytesIO(), io.BytesIO()
    ccr.export(
        campaign, records, csv, ccr.ExportOptions(**_fields(options), datetime_format=_EXACT)
    )
    ccr.export(
        campaign, records, parquet, ccr.ExportOptions(**_fields(options), file_format="parquet")
    )
    script_fields = [field.name for field in campaign.exported_script_fields]
    csv.seek(0)
    parquet.seek(0)
    from_csv = ccr.read_report(
        csv,
        timezone=options.timezone,
        script_fields=script_fields,
        formula_guard=options.formula_guard,
        datetime_format=_EXACT,
    )
    from_parquet = ccr.read_report(parquet, timezone=options.timezone, script_fields=script_fields)

    assert from_parquet.file_format is ccr.FileFormat.PARQUET
    # SPEC section 5: a detailed-interval export is a detailed report.
    simple = options.format is ccr.ReportFormat.SIMPLE
    expected_format = ccr.ReportFormat.SIMPLE if simple else ccr.ReportFormat.DETAILED
    assert (from_parquet.format, from_parquet.language) == (expected_format, options.language)
    assert from_parquet.columns == from_csv.columns
    assert _instants(from_parquet) == _instants(from_csv)


def _instants(rows):
    """The rows with their date-times in UTC: an ambiguous wall-clock time (a DST fold)
    compares unequal with any other zone's, even for the same instant (PEP 495)."""
    return [
        attrs.evolve(
            row,
            **{
                field.name: value.astimezone(dt.UTC)
                for field in attrs.fields(type(row))
                if isinstance(value := getattr(row, field.name), dt.datetime)
            },
        )
        for row in rows
    ]


def test_a_parquet_file_read_from_its_path_twice_and_in_another_zone(tmp_path):
    campaign, records = ccr.demo_campaign(30, seed=5)
    csv_path, parquet_path = exports(
        tmp_path, campaign, records, ccr.ExportOptions(format="detailed", language="ru")
    )
    report = ccr.read_report(parquet_path, timezone="Asia/Omsk")
    first, again = list(report), list(report)

    assert first == again == list(ccr.read_report(csv_path))  # the same instants
    assert report.language is ccr.Language.RU
    assert report.summary() == ccr.read_report(csv_path).summary()
    times = [row.call_time for row in first]
    assert {time.utcoffset() for time in times} == {dt.timedelta(hours=6)}  # shown in Omsk


def test_a_parquet_file_without_the_header_reads_by_its_column_names(tmp_path):
    campaign, records = ccr.demo_campaign(20, seed=2)
    csv_path, parquet_path = exports(
        tmp_path, campaign, records, ccr.ExportOptions(format="simple")
    )
    # Another tool's copy keeps the columns and loses the metadata.
    table = pq.read_table(parquet_path)
    bare = tmp_path / "bare.parquet"
    pq.write_table(table.replace_schema_metadata(None), bare)

    report = ccr.read_report(bare)
    assert report.format is ccr.ReportFormat.SIMPLE
    assert report.header[-1] == "List Name"  # SPEC section 5: the simple report's last column
    assert list(report) == list(ccr.read_report(csv_path))


def test_a_damaged_parquet_file_is_a_read_error(tmp_path):
    campaign, records = ccr.demo_campaign(5, seed=1)
    _, parquet_path = exports(tmp_path, campaign, records, ccr.ExportOptions())
    damaged = tmp_path / "damaged.parquet"
    data = parquet_path.read_bytes()
    damaged.write_bytes(data[:4] + b"\0" * (len(data) - 8) + data[-4:])

    with pytest.raises(ccr.errors.ReadError, match=r"^the Parquet file cannot be read: "):
        list(ccr.read_report(damaged))
