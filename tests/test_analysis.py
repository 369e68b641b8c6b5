"""``Report.to_pandas`` and ``Report.to_arrow`` (docs/analysis.md, docs/reading.md).

Every engine must give the frame the typed rows describe, exactly: the
answer key is built in plain pandas from iterating the report
(``tests/support/answers.py``), never from the library's frame code.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results.arrow import to_arrow
from cloudcontact_results.pandas import to_pandas
from tests.conftest import examples
from tests.support.answers import expected_frame
from tests.support.strategies import campaign_with_records, export_options
from tests.test_read_columns import rearranged

ENGINES = ("pyarrow", "c", "python")
#: The default, one strptime format without seconds and one with an offset.
DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M:%S%z")


def exported(campaign, records, options) -> bytes:
    sink = io.BytesIO()
    ccr.export(campaign, records, sink, options)
    return sink.getvalue()


def reader(data: bytes | Path, campaign, options, **given):
    source = data if isinstance(data, Path) else io.BytesIO(data)
    return ccr.read_report(
        source,
        timezone=options.timezone,
        script_fields=[field.name for field in campaign.exported_script_fields],
        formula_guard=options.formula_guard,
        datetime_format=options.datetime_format,
        **given,
    )


@pytest.mark.slow
@settings(max_examples=examples(30))
@given(
    campaign_with_records(max_records=6),
    export_options(
        datetime_format=st.sampled_from(DATETIME_FORMATS),
        layout=st.sampled_from(["manual", "5.x"]),
    ),
    st.sampled_from(ENGINES),
    st.booleans(),
)
def test_every_engine_gives_the_frame_of_the_typed_rows(
    campaign_and_records, options, engine, from_path
):
    campaign, records = campaign_and_records
    data = exported(campaign, records, options)
    key = expected_frame(reader(data, campaign, options))
    with tempfile.TemporaryDirectory() as folder:
        source: bytes | Path = data
        if from_path:
            source = Path(folder) / "report.csv"
            source.write_bytes(data)
        frame = reader(source, campaign, options).to_pandas(engine=engine)
    pd.testing.assert_frame_equal(frame, key)


@pytest.mark.slow
@settings(max_examples=examples(15))
@given(
    campaign_with_records(max_records=8),
    export_options(),
    st.sampled_from(ENGINES),
    st.integers(1, 7),
)
def test_chunks_are_the_frames_of_their_rows(campaign_and_records, options, engine, size):
    campaign, records = campaign_and_records
    data = exported(campaign, records, options)
    rows = list(reader(data, campaign, options))
    chunks = list(reader(data, campaign, options).to_pandas(chunksize=size, engine=engine))
    assert [len(chunk) for chunk in chunks] == [
        min(size, len(rows) - start) for start in range(0, len(rows), size)
    ]
    report = reader(data, campaign, options)
    for number, chunk in enumerate(chunks):
        start = number * size
        key = expected_frame(report, rows[start : start + size], start)
        pd.testing.assert_frame_equal(chunk, key)


@pytest.mark.slow
@settings(max_examples=examples(40))
@given(rearranged(), st.sampled_from(ENGINES), st.sampled_from([None, 1, 3]))
def test_shuffled_and_unknown_columns_give_the_frame_of_the_typed_rows(case, engine, size):
    """Report columns in any order, unknown columns among them, either layout."""
    campaign, options, _plain, shuffled, extras, extra_columns = case
    report = reader(shuffled, campaign, options)
    rows = list(report)
    key = expected_frame(report, rows)
    # The unknown columns come last, as text, holding what the file holds.
    assert report.extra_columns == extra_columns
    unknown = key.columns[len(key.columns) - len(extra_columns) :]
    for column, name in zip(unknown, extra_columns, strict=True):
        assert list(key[column]) == [cells[name] for cells in extras]
        assert key[column].dtype == "string"
    frames = reader(shuffled, campaign, options).to_pandas(engine=engine, chunksize=size)
    if size is None:
        pd.testing.assert_frame_equal(frames, key)
    else:
        chunks = list(frames)
        assert sum(map(len, chunks)) == len(rows)
        for number, chunk in enumerate(chunks):
            start = number * size
            pd.testing.assert_frame_equal(
                chunk, expected_frame(report, rows[start : start + size], start)
            )
    table = reader(shuffled, campaign, options).to_arrow(engine=engine)
    assert table.column_names == list(key.columns)
    assert table.equals(reader(shuffled, campaign, options).to_arrow(engine="python"))


def demo_export(tmp_path: Path, records: int = 120, **options) -> tuple[Path, list[str]]:
    campaign, rows = ccr.demo_campaign(records)
    path = tmp_path / "detailed.csv"
    ccr.export(campaign, rows, path, ccr.ExportOptions(format="detailed", **options))
    return path, [field.name for field in campaign.exported_script_fields]


@pytest.mark.parametrize("engine", ["pyarrow", "c"])
def test_a_clean_file_is_read_without_the_typed_rows(tmp_path, monkeypatch, engine):
    path, names = demo_export(tmp_path)
    key = expected_frame(ccr.read_report(path, script_fields=names))

    def no_rows(self):
        raise AssertionError("the fast engine fell back to the typed rows")

    monkeypatch.setattr(ccr.Report, "__iter__", no_rows)
    frame = ccr.read_report(path, script_fields=names).to_pandas(engine=engine)
    pd.testing.assert_frame_equal(frame, key)


BAD_CELL = b",abc,"  # a count that is not a number


def damaged(path: Path, line: int) -> bytes:
    """The file with the Dialing Duration cell of physical line ``line`` made ``abc``."""
    lines = path.read_bytes().split(b"\r\n")
    cells = lines[line - 1].rsplit(b",", 13)
    cells[1] = b"abc"
    lines[line - 1] = b",".join(cells)
    return b"\r\n".join(lines)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bad_line_is_reported_as_iterating_reports_it(tmp_path, engine):
    path, names = demo_export(tmp_path)
    data = damaged(path, 50)
    with pytest.raises(ccr.errors.ReadError) as raised:
        ccr.read_report(io.BytesIO(data), script_fields=names).to_pandas(engine=engine)
    assert (raised.value.line, raised.value.column, raised.value.value) == (
        50,
        "Dialing Duration",
        "abc",
    )
    collected = ccr.read_report(io.BytesIO(data), script_fields=names, errors="collect")
    frame = collected.to_pandas(engine=engine)
    assert [error.line for error in collected.errors] == [50]
    good = ccr.read_report(io.BytesIO(data), script_fields=names, errors="skip")
    pd.testing.assert_frame_equal(frame, expected_frame(good))


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_chunks_stop_at_a_bad_line_in_raise_mode(tmp_path, engine):
    path, names = demo_export(tmp_path)
    data_path = tmp_path / "bad.csv"
    data_path.write_bytes(damaged(path, 60))
    chunks = ccr.read_report(data_path, script_fields=names).to_pandas(chunksize=10, engine=engine)
    sizes: list[int] = []
    with pytest.raises(ccr.errors.ReadError, match="line 60"):
        sizes.extend(len(chunk) for chunk in chunks)
    assert sum(sizes) <= 58  # the rows before line 60, in whole chunks


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda data: data.replace(b"\r\n", b"\r", 3), id="lone carriage returns"),
        pytest.param(lambda data: data + b"1,2\r\n", id="a short row"),
        pytest.param(lambda data: data.replace(b"\r\n", b"\r\n\xff", 1), id="not UTF-8"),
        pytest.param(lambda data: data.replace(b"\r\n", b'\r\n"', 4), id="a stray quote"),
    ],
)
@pytest.mark.parametrize("engine", ["pyarrow", "c"])
def test_irregular_text_reads_as_the_typed_rows_read_it(tmp_path, change, engine):
    path, names = demo_export(tmp_path, records=30)
    header, _, body = path.read_bytes().partition(b"\r\n")
    assert_engines_agree(header + b"\r\n" + change(body), names, engine)


def test_a_stream_that_cannot_seek_is_read_through_the_typed_rows(tmp_path):
    path, names = demo_export(tmp_path, records=20)

    class OneWay(io.BufferedReader):
        def seekable(self):
            return False

    stream = OneWay(io.BytesIO(path.read_bytes()))  # type: ignore[arg-type]
    frame = ccr.read_report(stream, script_fields=names).to_pandas()
    pd.testing.assert_frame_equal(frame, expected_frame(ccr.read_report(path, script_fields=names)))


def test_a_stream_is_read_once(tmp_path):
    path, names = demo_export(tmp_path, records=5)
    report = ccr.read_report(io.BytesIO(path.read_bytes()), script_fields=names)
    report.to_pandas()
    with pytest.raises(ccr.errors.ReadError, match="iterated once"):
        report.to_pandas()


def test_to_pandas_after_head_keeps_the_rows_head_saw(tmp_path):
    path, names = demo_export(tmp_path, records=5)
    report = ccr.read_report(io.BytesIO(path.read_bytes()), script_fields=names)
    assert len(report.head(3)) == 3
    frame = to_pandas(report, engine="pyarrow")
    pd.testing.assert_frame_equal(frame, expected_frame(ccr.read_report(path, script_fields=names)))


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"engine": "numba"}, "engine"),
        ({"chunksize": 0}, "chunksize"),
        ({"chunksize": True}, "chunksize"),
    ],
)
def test_bad_arguments_are_options_errors(tmp_path, given, field):
    path, _ = demo_export(tmp_path, records=2)
    with pytest.raises(ccr.errors.OptionsError) as raised:
        ccr.read_report(path).to_pandas(**given)
    assert raised.value.field == field


def test_an_empty_report_is_an_empty_frame_with_the_dtypes(tmp_path):
    campaign = ccr.Campaign("Empty", [ccr.CallingList("L", ["Name"])])
    path = tmp_path / "empty.csv"
    ccr.export(campaign, [], path, ccr.ExportOptions(format="detailed"))
    key = expected_frame(ccr.read_report(path))
    for engine in ENGINES:
        pd.testing.assert_frame_equal(ccr.read_report(path).to_pandas(engine=engine), key)
        assert list(ccr.read_report(path).to_pandas(chunksize=5, engine=engine)) == []


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("value", ["\n@", "итог;=1+1", "a, -x", "'=1", "+79161234567"])
def test_a_value_the_guard_quotes_inside_reads_back_whole(value, engine):
    # The guard also quotes the text after a separator inside a cell
    # ("\n'@"): every engine must undo that, not only a quote at the start.
    campaign = ccr.Campaign("C", [ccr.CallingList("L", ["Адрес"])])
    record = ccr.Record("1", "L", {"Адрес": value})
    data = exported(campaign, [record], ccr.ExportOptions())
    assert ccr.read_report(io.BytesIO(data)).to_pandas(engine=engine)["Адрес"].tolist() == [value]
    table = ccr.read_report(io.BytesIO(data)).to_arrow(engine=engine)
    assert table.column("Адрес").to_pylist() == [value]


@pytest.mark.slow
@settings(max_examples=examples(10))
@given(campaign_with_records(max_records=6), export_options(), st.sampled_from(ENGINES))
def test_to_arrow_is_the_frame_in_arrow_types(campaign_and_records, options, engine):
    campaign, records = campaign_and_records
    data = exported(campaign, records, options)
    table = to_arrow(reader(data, campaign, options), engine=engine)
    assert table.equals(reader(data, campaign, options).to_arrow(engine="python"))
    frame, key = table.to_pandas(), expected_frame(reader(data, campaign, options))
    for name in key.columns:
        # A disposition column without any value: pandas types the empty
        # categories of the list [None, ...] as float64, Arrow's as object.
        if isinstance(key[name].dtype, pd.CategoricalDtype) and key[name].isna().all():
            assert frame[name].isna().all()
            assert list(frame[name].cat.categories) == []
            frame, key = frame.drop(columns=name), key.drop(columns=name)
    pd.testing.assert_frame_equal(frame, key)


def test_arrow_types(tmp_path):
    path, names = demo_export(tmp_path, records=10)
    schema = ccr.read_report(path, script_fields=names).to_arrow().schema
    assert schema.field("Фамилия").type == pa.string()
    assert schema.field("is_call_attempt").type == pa.bool_()
    assert schema.field("answered_duration").type == pa.int64()
    assert schema.field("cpa_result").type == pa.int64()
    assert schema.field("call_time").type == pa.timestamp("us", tz="Europe/Moscow")
    assert schema.field("call_disposition").type == pa.dictionary(pa.int32(), pa.string())


def test_the_core_imports_no_optional_package():
    code = (
        "import sys, cloudcontact_results as ccr, io\n"
        "campaign = ccr.Campaign('C', [ccr.CallingList('L', ['N'])])\n"
        "sink = io.BytesIO(); ccr.export(campaign, [ccr.Record('1', 'L', {'N': 'x'})], sink)\n"
        "list(ccr.read_report(io.BytesIO(sink.getvalue())))\n"
        "print(sorted(m for m in ('pandas', 'pyarrow', 'xlsxwriter', 'openpyxl', 'numpy',"
        " 'polars', 'duckdb', 'matplotlib') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


_SMALL = None


def small_export() -> tuple[bytes, list[str]]:
    """A detailed export of a few demo records, built once."""
    global _SMALL  # noqa: PLW0603  # a cache for the property test below
    if _SMALL is None:
        campaign, records = ccr.demo_campaign(6)
        sink = io.BytesIO()
        ccr.export(campaign, records, sink, ccr.ExportOptions(format="detailed", language="ru"))
        _SMALL = (sink.getvalue(), [field.name for field in campaign.exported_script_fields])
    return _SMALL


@pytest.mark.slow
@settings(max_examples=examples(40))
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1, exclude_max=True),
            st.sampled_from(
                [b'"', b",", b";", b"\r", b"\n", b"\r\n", b"'", b"\xff", b"", b"=", b"9"]
            ),
            st.integers(0, 3),
        ),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(["pyarrow", "c"]),
)
# A quote inside a two-byte character: the C parsers drop it as a closing
# quote and would join the character again before checking the text.
@example(edits=[(0.28515625, b'"', 0)], engine="pyarrow")
@example(edits=[(0.28515625, b'"', 0)], engine="c")
def test_damaged_text_reads_as_the_typed_rows_read_it(edits, engine):
    data, names = small_export()
    header, _, body = data.partition(b"\r\n")
    body = bytearray(body)
    for where, insert, removed in edits:
        at = int(where * len(body))
        body[at : at + removed] = insert
    assert_engines_agree(header + b"\r\n" + bytes(body), names, engine)


def assert_engines_agree(
    data: bytes, names: list[str], engine: str, *, timezone: str = "Europe/Moscow"
) -> None:
    """``engine`` gives the typed rows' frame, or the same errors."""

    def outcome(engine: str):
        report = ccr.read_report(
            io.BytesIO(data), script_fields=names, errors="collect", timezone=timezone
        )
        try:
            frame = report.to_pandas(engine=engine)
        except ccr.errors.ReadError as error:
            return str(error), None
        return [str(error) for error in report.errors], frame

    expected_errors, expected = outcome("python")
    errors, frame = outcome(engine)
    assert errors == expected_errors
    if expected is not None:
        pd.testing.assert_frame_equal(frame, expected)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["pyarrow", "c", "c, strings in Python"])
@pytest.mark.parametrize(
    "time",
    [
        "2026-02-30 10:00:00",  # no such day: Arrow would roll it over to 03-02
        "2026-01-01 23:59:60",  # a leap second: Arrow and pandas would read 00:00:00
        "2026-01-01 10:00:60",  # the same within a day
        "2026-01-01 24:00:00",
        "0000-01-01 00:00:00",  # year 0, which Python has not
        "0001-01-01 03:00:00",
        "0999-05-06 07:08:09",
        "2026-1-1 1:02:03",  # unpadded digits, which strptime reads
        "2026-01-+5 10:00:00",  # a signed field, which strptime reads
        "2026-01- 5 10:00:00",  # a space-padded field
        "2024-02-29 10:00:00",  # a day that is there in a leap year
        "2026-04-31 10:00:00",
        "9999-12-31 23:59:59",
    ],
)
def test_a_call_time_reads_as_the_typed_rows_read_it(time, engine):
    data, names = small_export()
    times = re.findall(rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", data)
    assert times  # the export has call times to replace
    changed = data.replace(times[len(times) // 2], time.encode())
    assert changed != data
    if engine == "c, strings in Python":
        # As without pyarrow: the text columns are not in Arrow.
        with pd.option_context("mode.string_storage", "python"):
            assert_engines_agree(changed, names, "c")
    else:
        assert_engines_agree(changed, names, engine)


# --- zones that move by 30 minutes, or sit off the hour -------------------------------

UTC = dt.UTC

#: (export zone, attempt instant in UTC, the Call Time cell written, the UTC instant
#: that cell reads back as). A wall-clock time written twice (a fall-back) reads as
#: its first occurrence (``fold=0``); every other one as the instant written.
ODD_ZONE_TIMES = (
    # Lord Howe: 02:00 +10:30 -> 02:30 +11:00 on Sunday 2026-10-04 (15:30 UTC the day before).
    ("Australia/Lord_Howe", (2026, 10, 3, 15, 29, 59), "2026-10-04 01:59:59", None),
    ("Australia/Lord_Howe", (2026, 10, 3, 15, 30, 0), "2026-10-04 02:30:00", None),
    ("Australia/Lord_Howe", (2026, 10, 3, 15, 45, 0), "2026-10-04 02:45:00", None),
    ("Australia/Lord_Howe", (2026, 10, 3, 15, 59, 59), "2026-10-04 02:59:59", None),
    ("Australia/Lord_Howe", (2026, 10, 3, 16, 0, 0), "2026-10-04 03:00:00", None),
    # Lord Howe: 02:00 +11:00 -> 01:30 +10:30 on Sunday 2026-04-05 (15:00 UTC the day before).
    ("Australia/Lord_Howe", (2026, 4, 4, 14, 45, 0), "2026-04-05 01:45:00", None),
    ("Australia/Lord_Howe", (2026, 4, 4, 15, 15, 0), "2026-04-05 01:45:00", (2026, 4, 4, 14, 45)),
    ("Australia/Lord_Howe", (2026, 4, 4, 15, 30, 0), "2026-04-05 02:00:00", None),
    # Chatham: 02:45 +12:45 -> 03:45 +13:45 on Sunday 2026-09-27 (14:00 UTC the day before).
    ("Pacific/Chatham", (2026, 9, 26, 13, 59, 59), "2026-09-27 02:44:59", None),
    ("Pacific/Chatham", (2026, 9, 26, 14, 10, 0), "2026-09-27 03:55:00", None),
    # Chatham: 03:45 +13:45 -> 02:45 +12:45 on Sunday 2026-04-05 (14:00 UTC the day before):
    # 03:50 is written once, in the hour whose 03:10 is written twice.
    ("Pacific/Chatham", (2026, 4, 4, 13, 25, 0), "2026-04-05 03:10:00", None),
    ("Pacific/Chatham", (2026, 4, 4, 14, 25, 0), "2026-04-05 03:10:00", (2026, 4, 4, 13, 25)),
    ("Pacific/Chatham", (2026, 4, 4, 15, 5, 0), "2026-04-05 03:50:00", None),
    # Kathmandu: +05:45 all year.
    ("Asia/Kathmandu", (2026, 10, 3, 15, 45, 0), "2026-10-03 21:30:00", None),
    ("Asia/Kathmandu", (2026, 10, 3, 18, 14, 59), "2026-10-03 23:59:59", None),
    # Monrovia: 00:00 -00:44:30 -> 00:44:30 GMT on 1972-01-07.
    ("Africa/Monrovia", (1971, 12, 31, 12, 0, 0), "1971-12-31 11:15:30", None),
    ("Africa/Monrovia", (1972, 1, 7, 0, 44, 29), "1972-01-06 23:59:59", None),
    ("Africa/Monrovia", (1972, 1, 7, 0, 44, 30), "1972-01-07 00:44:30", None),
    ("Africa/Monrovia", (1972, 1, 7, 0, 50, 0), "1972-01-07 00:50:00", None),
)
ODD_ZONES = tuple(dict.fromkeys(zone for zone, *_ in ODD_ZONE_TIMES))


def _odd_zone_cases(zone: str) -> list[tuple[dt.datetime, str, dt.datetime]]:
    """(instant, text, instant read back) of ``zone``, each checked by zoneinfo arithmetic."""
    cases = []
    for name, moment, text, read_back in ODD_ZONE_TIMES:
        if name != zone:
            continue
        instant = dt.datetime(*moment, tzinfo=UTC)
        back = instant if read_back is None else dt.datetime(*read_back, tzinfo=UTC)
        # The answer key, checked here without the library: the wall clock of the
        # instant, and that wall clock put back in the zone as replace() does.
        local = instant.astimezone(ZoneInfo(zone))
        assert f"{local:%Y-%m-%d %H:%M:%S}" == text
        naive = dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007
        assert naive.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC) == back
        cases.append((instant, text, back))
    return cases


def _odd_zone_export(zone: str, report_format: str) -> tuple[bytes, list[tuple]]:
    campaign = ccr.Campaign("C", [ccr.CallingList("L", ["Телефон"])])
    cases = _odd_zone_cases(zone)
    records = [
        ccr.Record(str(number), "L", {"Телефон": "+79161234567"}, [ccr.Attempt("1", instant)])
        for number, (instant, _, _) in enumerate(cases)
    ]
    options = ccr.ExportOptions(format=report_format, timezone=zone)
    return exported(campaign, records, options), cases


@pytest.mark.slow
@pytest.mark.parametrize("report_format", ["simple", "detailed"])
@pytest.mark.parametrize("zone", ODD_ZONES)
def test_times_in_zones_off_the_hour_are_written_and_read_back(zone, report_format):
    data, cases = _odd_zone_export(zone, report_format)
    header = "Last Call Time" if report_format == "simple" else "Call Time"
    name = "last_call_time" if report_format == "simple" else "call_time"
    (head, *rows) = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert [row[head.index(header)] for row in rows] == [text for _, text, _ in cases]

    typed = list(ccr.read_report(io.BytesIO(data), timezone=zone))
    assert [getattr(row, name).astimezone(UTC) for row in typed] == [back for *_, back in cases]
    assert [f"{getattr(row, name):%Y-%m-%d %H:%M:%S}" for row in typed] == [
        text for _, text, _ in cases
    ]
    expected = [pd.Timestamp(back) for *_, back in cases]
    for engine in ENGINES:
        frame = ccr.read_report(io.BytesIO(data), timezone=zone).to_pandas(engine=engine)
        assert str(frame[name].dt.tz) == zone
        assert list(frame[name].dt.tz_convert("UTC")) == expected, engine
        table = ccr.read_report(io.BytesIO(data), timezone=zone).to_arrow(engine=engine)
        assert table.schema.field(name).type == pa.timestamp("us", tz=zone)
        # In UTC: (PEP 495) a repeated wall-clock time never equals a time in another zone.
        moments = [moment.astimezone(UTC) for moment in table.column(name).to_pylist()]
        assert moments == [back for *_, back in cases], engine
        assert_engines_agree(data, [], engine, timezone=zone)


def _transitions(zone: str, years: range) -> list[dt.datetime]:
    """The UTC instants (to the second) at which ``zone``'s offset changes in ``years``."""
    tz = ZoneInfo(zone)

    def offset(moment: dt.datetime) -> dt.timedelta | None:
        return moment.astimezone(tz).utcoffset()

    found = []
    hour = dt.timedelta(hours=1)
    moment = dt.datetime(years.start, 1, 1, tzinfo=UTC)
    while moment.year < years.stop:
        if offset(moment) != offset(moment + hour):
            low, high = 0, 3600  # the change is after low seconds, at or before high
            while high - low > 1:
                middle = (low + high) // 2
                if offset(moment + dt.timedelta(seconds=middle)) == offset(moment):
                    low = middle
                else:
                    high = middle
            found.append(moment + dt.timedelta(seconds=high))
        moment += hour
    return found


_ODD_TRANSITIONS = tuple(
    (zone, at)
    for zone, years in (
        ("Australia/Lord_Howe", range(2025, 2028)),
        ("Pacific/Chatham", range(2025, 2028)),
        ("Africa/Monrovia", range(1972, 1973)),
    )
    for at in _transitions(zone, years)
)


@pytest.mark.slow
@settings(max_examples=examples(20))
@given(
    st.sampled_from(_ODD_TRANSITIONS),
    st.lists(st.integers(-2 * 3600, 2 * 3600), min_size=1, max_size=12),
    st.sampled_from(["simple", "detailed"]),
    st.sampled_from(ENGINES),
)
def test_times_around_changes_off_the_hour_read_back_on_every_engine(
    transition, seconds, report_format, engine
):
    """Wall-clock times near a change of 30 or 44.5 minutes, or at a quarter to, read
    back as zoneinfo puts them in the zone (``fold=0``), on every engine."""
    zone, at = transition
    instants = [at + dt.timedelta(seconds=second) for second in seconds]
    campaign = ccr.Campaign("C", [ccr.CallingList("L", ["Телефон"])])
    records = [
        ccr.Record(str(number), "L", {}, [ccr.Attempt("1", instant)])
        for number, instant in enumerate(instants)
    ]
    data = exported(campaign, records, ccr.ExportOptions(format=report_format, timezone=zone))
    # fold=0: the file holds the wall clock only, so a repeated one is its first occurrence.
    walls = [
        instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None, fold=0) for instant in instants
    ]
    expected = [wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC) for wall in walls]
    name = "last_call_time" if report_format == "simple" else "call_time"

    typed = [getattr(row, name) for row in ccr.read_report(io.BytesIO(data), timezone=zone)]
    assert [moment.replace(tzinfo=None) for moment in typed] == walls
    assert [moment.astimezone(UTC) for moment in typed] == expected
    frame = ccr.read_report(io.BytesIO(data), timezone=zone).to_pandas(engine=engine)
    assert list(frame[name].dt.tz_convert("UTC")) == [pd.Timestamp(e) for e in expected]
    table = ccr.read_report(io.BytesIO(data), timezone=zone).to_arrow(engine=engine)
    assert [moment.astimezone(UTC) for moment in table.column(name).to_pylist()] == expected
