"""The Dask integration on a real two-process LocalCluster (docs/scale.md).

The answer keys are the single-process public functions: ``export`` of the
same records must give the same bytes, ``read_report(...).to_pandas()`` of
each file the same frame.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
import pickle
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import attrs
import dask.bag as db
import distributed
import pandas as pd
import pytest
from dask.delayed import delayed

import cloudcontact_results as ccr
from cloudcontact_results.dask import export_partitioned, read_reports, store_bag
from cloudcontact_results.errors import (
    CampaignMismatchError,
    ExportError,
    OptionsError,
    ReadError,
    UnknownNameError,
)
from tests.support.postgres import PASSWORD

ZIP_TIME = dt.datetime(2026, 3, 6, 18, 0)  # noqa: DTZ001  # a zip's local date-time
#: Uneven partitions, one of them empty: the bag's order is what counts.
CHUNKS = (0, 170, 171, 171, 400, 400, 750, 1200)


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    # dashboard_address=":0": the scheduler's HTTP server on a free port of its own
    # (with None it still tries 8787, and warns when another cluster holds it).
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as connected,
    ):
        yield connected


def with_line_breaks(record: ccr.Record, index: int) -> ccr.Record:
    """Every third record's last list column holds a quote and a long second line.

    Its rows are two lines of about equal length, so the ends of byte ranges
    often fall inside a quoted cell.
    """
    if index % 3:
        return record
    fields = dict(record.fields)
    column = list(fields)[-1]
    fields[column] = f'{fields[column]} "{index}"\n{"вторая строка " * 12}'
    return attrs.evolve(record, fields=fields)


@pytest.fixture(scope="module")
def campaign_and_records() -> tuple[ccr.Campaign, list[ccr.Record]]:
    campaign, records = ccr.demo_campaign(CHUNKS[-1])
    return campaign, [with_line_breaks(record, i) for i, record in enumerate(records)]


def chunks_of(records: list[ccr.Record]) -> list[list[ccr.Record]]:
    chunks = [records[start:end] for start, end in itertools.pairwise(CHUNKS)]
    chunks.insert(2, [])
    return chunks


def bag_of(records: list[ccr.Record]) -> db.Bag:
    return db.from_delayed([delayed(list)(chunk) for chunk in chunks_of(records)])


def script_fields(campaign: ccr.Campaign) -> list[str]:
    return [field.name for field in campaign.exported_script_fields]


# --- import ----------------------------------------------------------------------------


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )


def test_the_package_never_imports_dask() -> None:
    code = (
        "import io, sys\n"
        "import cloudcontact_results as ccr\n"
        "campaign, records = ccr.demo_campaign(20)\n"
        "stream = io.BytesIO()\n"
        "ccr.export(campaign, records, stream, ccr.ExportOptions(format='detailed'))\n"
        "ccr.read_report(io.BytesIO(stream.getvalue())).summary()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_without_dask_the_module_names_the_extra() -> None:
    code = (
        "import sys\n"
        "sys.modules['dask'] = None\n"
        "try:\n"
        "    import cloudcontact_results.dask\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert "pip install 'cloudcontact-results[dask]'" in result.stdout


# --- export: one file --------------------------------------------------------------------

FORMATS = ("simple", "detailed", "detailed-interval")


def options_for(report_format: str, *, compress: bool, **more: object) -> ccr.ExportOptions:
    interval = None
    if report_format == "detailed-interval":
        interval = (dt.datetime(2026, 3, 3), dt.datetime(2026, 3, 5, 12))  # noqa: DTZ001
    return ccr.ExportOptions(
        format=report_format,
        compress=compress,
        interval=interval,
        zip_timestamp=ZIP_TIME,
        **more,  # type: ignore[arg-type]
    )


@pytest.mark.slow  # on the cluster
@pytest.mark.parametrize("compress", [False, True], ids=["csv", "zip"])
@pytest.mark.parametrize("report_format", FORMATS)
def test_one_file_is_the_export_byte_for_byte(
    client: distributed.Client,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    tmp_path: Path,
    report_format: str,
    compress: bool,
) -> None:
    campaign, records = campaign_and_records
    options = options_for(report_format, compress=compress)
    (tmp_path / "dask").mkdir()
    (tmp_path / "one").mkdir()
    result = export_partitioned(
        campaign, bag_of(records), tmp_path / "dask" / "report", options, single_file=True
    )
    expected = ccr.export(campaign, records, tmp_path / "one" / "report", options)
    written = (tmp_path / "dask" / "report").read_bytes()
    assert written == (tmp_path / "one" / "report").read_bytes()
    assert (result.rows, result.bytes, result.member) == (
        expected.rows,
        expected.bytes,
        expected.member,
    )
    assert result.path == tmp_path / "dask" / "report"
    assert expected.rows > 0
    assert sorted(path.name for path in (tmp_path / "dask").iterdir()) == ["report"]


@pytest.mark.slow  # on the cluster
@pytest.mark.parametrize(
    "more",
    [
        {"dialect": "excel-ru", "language": "ru"},
        {"dialect": "excel", "formula_guard": False, "datetime_format": "%d.%m.%Y %H:%M"},
        {"layout": "5.x", "timezone": "Asia/Yekaterinburg"},
    ],
    ids=["excel-ru", "excel", "5.x"],
)
def test_one_file_on_a_stream_is_the_export_on_a_stream(
    client: distributed.Client,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    more: dict[str, object],
) -> None:
    campaign, records = campaign_and_records
    options = options_for("detailed", compress=False, **more)
    stream, expected = io.BytesIO(b"kept"), io.BytesIO(b"kept")
    stream.seek(4)
    expected.seek(4)
    result = export_partitioned(campaign, bag_of(records), stream, options, single_file=True)
    ccr.export(campaign, records, expected, options)
    assert stream.getvalue() == expected.getvalue()
    assert result.path is None
    assert result.bytes == len(expected.getvalue()) - 4


# --- export: part files ------------------------------------------------------------------


@pytest.mark.slow  # on the cluster
@pytest.mark.parametrize("compress", [False, True], ids=["csv", "zip"])
@pytest.mark.parametrize("report_format", FORMATS)
def test_each_part_file_is_the_export_of_its_partition(
    client: distributed.Client,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    tmp_path: Path,
    report_format: str,
    compress: bool,
) -> None:
    campaign, records = campaign_and_records
    options = options_for(report_format, compress=compress)
    partitions = chunks_of(records)
    result = export_partitioned(campaign, bag_of(records), tmp_path / "parts", options)

    suffix = ".zip" if compress else ".csv"
    names = [f"part-{index:05d}{suffix}" for index in range(len(partitions))]
    assert sorted(path.name for path in (tmp_path / "parts").iterdir()) == names
    assert sorted(path.name for path in tmp_path.iterdir()) == ["parts"]  # no temporary left
    assert [part.path for part in result.parts] == [tmp_path / "parts" / name for name in names]
    for name, chunk in zip(names, partitions, strict=True):
        expected = io.BytesIO()
        ccr.export(campaign, chunk, expected, options)
        data = (tmp_path / "parts" / name).read_bytes()
        if compress:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                assert archive.namelist() == [name.replace(".zip", ".csv")]
                data = archive.read(archive.namelist()[0])
            with zipfile.ZipFile(expected) as archive:
                expected = io.BytesIO(archive.read(archive.namelist()[0]))
        assert data == expected.getvalue()
    everything = ccr.export(campaign, records, io.BytesIO(), options)
    assert result.rows == everything.rows == sum(part.rows for part in result.parts)
    assert result.bytes == sum(path.stat().st_size for path in (tmp_path / "parts").iterdir())


@pytest.mark.slow  # on the cluster
def test_part_files_go_to_a_new_or_empty_folder(
    client: distributed.Client,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    tmp_path: Path,
) -> None:
    campaign, records = campaign_and_records
    bag = db.from_sequence(records[:50], npartitions=2)
    (tmp_path / "empty").mkdir()
    assert len(export_partitioned(campaign, bag, tmp_path / "empty").parts) == 2
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.txt").write_text("keep me")
    with pytest.raises(ExportError, match="not empty"):
        export_partitioned(campaign, bag, tmp_path / "full")
    assert [path.name for path in (tmp_path / "full").iterdir()] == ["mine.txt"]
    with pytest.raises(ExportError, match="folder path"):
        export_partitioned(campaign, bag, io.BytesIO())  # type: ignore[call-overload]


@pytest.mark.slow  # on the cluster
def test_a_record_that_does_not_fit_fails_on_the_worker_and_leaves_nothing(
    client: distributed.Client,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    tmp_path: Path,
) -> None:
    campaign, records = campaign_and_records
    stranger = ccr.Record("X-1", "No such list", {})
    bag = db.from_sequence([*records[:300], stranger, *records[300:400]], npartitions=4)
    with pytest.raises(CampaignMismatchError) as caught:
        export_partitioned(campaign, bag, tmp_path / "parts")
    assert caught.value.field == "Record 'X-1'.list_name"
    assert caught.value.value == "No such list"
    with pytest.raises(CampaignMismatchError, match="No such list"):
        export_partitioned(campaign, bag, tmp_path / "one.zip", single_file=True)
    assert list(tmp_path.iterdir()) == []


def test_options_that_do_not_fit_fail_before_any_work(
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]], tmp_path: Path
) -> None:
    campaign, records = campaign_and_records
    bag = db.from_sequence(records[:10])
    with pytest.raises(CampaignMismatchError, match="Nowhere"):
        export_partitioned(campaign, bag, tmp_path / "x", ccr.ExportOptions(lists=["Nowhere"]))
    with pytest.raises(OptionsError, match=r"dask\.bag\.Bag"):
        export_partitioned(campaign, records, tmp_path / "x")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "error",
    [
        CampaignMismatchError("Record 'X'.list_name", "L", "is not a list"),
        ReadError("bad cell", line=7, column="Agent", value="x", file="a.csv"),
        OptionsError("ExportOptions.timezone", "Mars/Base", "unknown"),
    ],
)
def test_errors_cross_process_boundaries_whole(error: ccr.ResultsError) -> None:
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301  # bytes this test made
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)


# --- reading -----------------------------------------------------------------------------

DIALECTS = ("platform", "excel", "excel-ru")


@pytest.fixture(scope="module")
def twelve_files(
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    tmp_path_factory: pytest.TempPathFactory,
) -> list[str]:
    """Twelve detailed exports of consecutive records: CSV in three dialects, and zips."""
    campaign, records = campaign_and_records
    folder = tmp_path_factory.mktemp("exports")
    paths = []
    for day in range(12):
        options = ccr.ExportOptions(
            format="detailed", dialect=DIALECTS[day % 3], compress=day % 4 == 3
        )
        path = folder / f"day-{day:02d}.{'zip' if options.compress else 'csv'}"
        ccr.export(campaign, records[day * 100 : day * 100 + 100], path, options)
        paths.append(os.fspath(path))
    return paths


def expected_frame(paths: list[str], campaign: ccr.Campaign, **options: object) -> pd.DataFrame:
    frames = [
        ccr.read_report(path, script_fields=script_fields(campaign), **options).to_pandas()  # type: ignore[arg-type]
        for path in paths
    ]
    return pd.concat(frames)


def dtypes_of(frame: pd.DataFrame) -> dict[str, object]:
    """The dtypes, a categorical's categories left out (they are the data's)."""
    return {
        name: "category" if isinstance(dtype, pd.CategoricalDtype) else dtype
        for name, dtype in frame.dtypes.items()
    }


def assert_same_frame(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    # Categories differ from file to file: pd.concat falls back to object, dask keeps them.
    assert list(got.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(got.astype(object), expected.astype(object))


@pytest.mark.slow  # on the cluster
def test_twelve_files_read_as_the_concatenation_of_each(
    client: distributed.Client,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    twelve_files: list[str],
) -> None:
    campaign, _ = campaign_and_records
    frame = read_reports(twelve_files, script_fields=script_fields(campaign))
    assert frame.npartitions == 12
    assert not frame.known_divisions
    single = ccr.read_report(twelve_files[0], script_fields=script_fields(campaign)).to_pandas()
    assert list(frame.columns) == list(single.columns)
    assert dtypes_of(frame) == dtypes_of(single)  # categories: unknown until computed

    got = frame.compute()
    expected = expected_frame(twelve_files, campaign)
    assert len(got) == len(expected) > 1200
    assert_same_frame(got, expected)
    assert dtypes_of(got) == dtypes_of(single)
    assert got["call_time"].min() == expected["call_time"].min()


@pytest.mark.slow  # on the cluster
def test_a_glob_reads_the_files_in_sorted_order(
    client: distributed.Client,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    twelve_files: list[str],
) -> None:
    campaign, _ = campaign_and_records
    pattern = os.fspath(Path(twelve_files[0]).parent / "day-*.csv")
    frame = read_reports(pattern, script_fields=script_fields(campaign)).compute()
    csvs = [path for path in twelve_files if path.endswith(".csv")]
    assert_same_frame(frame, expected_frame(csvs, campaign))


@pytest.mark.slow  # on the cluster
@pytest.mark.parametrize("blocksize", [5_000, 20_000])
def test_large_files_are_read_in_byte_ranges_that_end_on_records(
    client: distributed.Client,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    twelve_files: list[str],
    blocksize: int,
) -> None:
    campaign, _ = campaign_and_records
    csvs = [path for path in twelve_files if path.endswith(".csv")][:4]
    # Some nominal range ends fall where the next line end is inside a quoted cell.
    inside = [
        data.count(b'"', 0, data.index(b"\n", offset)) % 2 == 1
        for data in (Path(path).read_bytes() for path in csvs)
        for offset in range(blocksize, len(data), blocksize)
    ]
    assert any(inside)
    assert not all(inside)
    frame = read_reports(csvs, script_fields=script_fields(campaign), blocksize=blocksize)
    sizes = [Path(path).stat().st_size for path in csvs]
    assert frame.npartitions == sum(-(-size // blocksize) for size in sizes)
    got = frame.compute().reset_index(drop=True)
    assert_same_frame(got, expected_frame(csvs, campaign).reset_index(drop=True))


def corrupted(path: Path, source: bytes, marker: str) -> int:
    """Write ``source`` with an extra cell after ``marker``; the line it is on."""
    lines = source.split(b"\n")
    number = next(i for i, line in enumerate(lines, 1) if marker.encode() in line)
    path.write_bytes(source.replace(marker.encode(), f"{marker},extra".encode()))
    return number


@pytest.mark.slow  # on the cluster
@pytest.mark.parametrize("blocksize", [None, 20_000])
def test_an_error_names_the_file_and_its_line(
    client: distributed.Client,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    tmp_path: Path,
    blocksize: int | None,
) -> None:
    campaign, records = campaign_and_records
    marked = records[:300]
    index = next(i for i in range(250, 300) if marked[i].attempts)
    fields = dict(marked[index].fields)
    fields[next(iter(fields))] = "MARKER"
    marked[index] = attrs.evolve(marked[index], fields=fields)
    source = io.BytesIO()
    ccr.export(campaign, marked, source, ccr.ExportOptions(format="detailed"))
    good, bad = tmp_path / "a.csv", tmp_path / "b.csv"
    good.write_bytes(source.getvalue())
    line = corrupted(bad, source.getvalue(), "MARKER")
    assert source.getvalue().index(b"MARKER") > 2 * 20_000  # in a later range when split
    names = script_fields(campaign)

    frame = read_reports([good, bad], script_fields=names, blocksize=blocksize)
    with pytest.raises(ReadError) as caught:
        frame.compute()
    assert caught.value.file == os.fspath(bad)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"file {os.fspath(bad)!r}, line {line}: ")

    skipped = read_reports(
        [good, bad], script_fields=names, blocksize=blocksize, errors="skip"
    ).compute()
    expected = expected_frame([os.fspath(good), os.fspath(bad)], campaign, errors="skip")
    bad_rows = source.getvalue().count(b"MARKER")
    assert len(skipped) == 2 * len(expected_frame([os.fspath(good)], campaign)) - bad_rows
    assert_same_frame(skipped.reset_index(drop=True), expected.reset_index(drop=True))


@pytest.mark.slow  # on the cluster
def test_files_of_another_layout_are_named(
    client: distributed.Client,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    tmp_path: Path,
) -> None:
    campaign, records = campaign_and_records
    detailed, simple = tmp_path / "detailed.csv", tmp_path / "simple.csv"
    ccr.export(campaign, records[:20], detailed, ccr.ExportOptions(format="detailed"))
    ccr.export(campaign, records[:20], simple, ccr.ExportOptions(format="simple"))
    frame = read_reports([detailed, simple], script_fields=script_fields(campaign))
    with pytest.raises(ReadError, match="not those of the first file") as caught:
        frame.compute()
    assert caught.value.file == os.fspath(simple)


@pytest.mark.slow  # on the cluster
def test_a_file_whose_quotes_do_not_pair_is_not_split(
    client: distributed.Client,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    tmp_path: Path,
) -> None:
    campaign, records = campaign_and_records
    source = io.BytesIO()
    ccr.export(campaign, records[:60], source, ccr.ExportOptions(format="simple"))
    # A bare quote inside an unquoted cell: csv reads it as text, the quote count is odd.
    text = source.getvalue().replace(b"+7", b'+7"', 1)
    path = tmp_path / "odd.csv"
    path.write_bytes(text)
    names = script_fields(campaign)
    with pytest.raises(ReadError, match=r"odd number of quote characters.*blocksize=None"):
        read_reports(path, script_fields=names, blocksize=2_000).compute()
    whole = read_reports(path, script_fields=names, blocksize=None).compute()
    assert_same_frame(whole, ccr.read_report(path, script_fields=names).to_pandas())


def test_bad_reading_options(twelve_files: list[str], tmp_path: Path) -> None:
    with pytest.raises(OptionsError, match="nowhere to collect"):
        read_reports(twelve_files, errors="collect")  # type: ignore[arg-type]
    with pytest.raises(OptionsError, match="blocksize"):
        read_reports(twelve_files, blocksize=0)
    with pytest.raises(ReadError, match="no file matches") as caught:
        read_reports(os.fspath(tmp_path / "*.zip"))
    assert caught.value.file == os.fspath(tmp_path / "*.zip")
    with pytest.raises(ReadError, match="cannot open") as missing:
        read_reports([twelve_files[0], os.fspath(tmp_path / "gone.csv")])
    assert missing.value.file == os.fspath(tmp_path / "gone.csv")
    assert re.search(r"^file '.*gone\.csv'", str(missing.value))


# --- the results store -------------------------------------------------------------------


@pytest.fixture
def store(
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]], tmp_path: Path
) -> Iterator[ccr.ResultsStore]:
    campaign, records = campaign_and_records
    with ccr.ResultsStore(tmp_path / "results.sqlite") as opened:
        opened.put_campaign(campaign)
        opened.add_records(campaign.name, records[:700])
        yield opened


@pytest.mark.slow  # on the cluster
def test_a_store_bag_is_the_snapshot_in_order(
    client: distributed.Client,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    store: ccr.ResultsStore,
    tmp_path: Path,
) -> None:
    campaign, _ = campaign_and_records
    bag = store_bag(store, campaign.name, 6)
    assert bag.npartitions == 6
    assert bag.compute() == list(store.records(campaign.name))
    sizes = bag.map_partitions(lambda part: [len(part)]).compute()
    assert max(sizes) - min(sizes) <= 1  # runs of about equal size

    options = ccr.ExportOptions(format="detailed", compress=True, zip_timestamp=ZIP_TIME)
    (tmp_path / "dask").mkdir()
    (tmp_path / "store").mkdir()
    export_partitioned(campaign, bag, tmp_path / "dask" / "r.zip", options, single_file=True)
    store.export(campaign.name, tmp_path / "store" / "r.zip", options)
    assert (tmp_path / "dask" / "r.zip").read_bytes() == (tmp_path / "store" / "r.zip").read_bytes()


@pytest.mark.slow  # on the cluster
def test_a_store_bag_shows_the_attempts_of_the_moment_it_was_made(
    client: distributed.Client,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    store: ccr.ResultsStore,
) -> None:
    campaign, records = campaign_and_records
    before = list(store.records(campaign.name))
    bag = store_bag(store, campaign.name, 3)
    dialled = next(record for record in before if record.attempts)
    later = attrs.evolve(
        dialled.attempts[-1], time=dialled.attempts[-1].time + dt.timedelta(days=1)
    )
    assert store.add_attempts(campaign.name, [(dialled.list_name, dialled.id, later)]) == 1
    assert store.add_records(campaign.name, records[700:710]) == 10
    assert bag.compute() == before
    assert list(store.records(campaign.name)) != before


def test_store_bag_checks_its_arguments_at_once(
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]], store: ccr.ResultsStore
) -> None:
    campaign, _ = campaign_and_records
    with pytest.raises(UnknownNameError, match="Nowhere"):
        store_bag(store, "Nowhere", 2)
    with pytest.raises(OptionsError, match="npartitions"):
        store_bag(store, campaign.name, 0)


@pytest.mark.slow  # on the cluster
def test_more_partitions_than_records_leaves_some_empty(
    client: distributed.Client,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    tmp_path: Path,
) -> None:
    campaign, records = campaign_and_records
    with ccr.ResultsStore(tmp_path / "small.sqlite") as small:
        small.put_campaign(campaign)
        small.add_records(campaign.name, records[:3])
        bag = store_bag(small, campaign.name, 5)
        assert bag.npartitions == 5
        assert bag.compute() == list(small.records(campaign.name))


@pytest.mark.slow  # a cluster of its own
def test_a_postgresql_store_bag_is_one_snapshot_read_by_workers_that_log_in_themselves(
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    store: ccr.ResultsStore,
    postgres_url: str,
) -> None:
    campaign, records = campaign_and_records
    # The URL holds the password; the workers have theirs from their environment
    # (PGPASSWORD, set by ``postgres_url`` before they start).
    url = postgres_url.replace("postgres@", f"postgres:{quote(PASSWORD, safe='')}@")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster),
        ccr.ResultsStore(url) as database,
    ):
        database.put_campaign(campaign)
        database.add_records(campaign.name, records[:700])
        before = list(database.records(campaign.name))
        bag = store_bag(database, campaign.name, 4)
        graph = pickle.dumps(dict(bag.__dask_graph__()))
        assert PASSWORD.encode() not in graph
        assert quote(PASSWORD, safe="").encode() not in graph
        # Written after the bag was made: none of it shows in it, not even a
        # record's fields replaced (the SQLite store's bag shows those).
        dialled = next(record for record in before if record.attempts)
        later = attrs.evolve(
            dialled.attempts[-1], time=dialled.attempts[-1].time + dt.timedelta(days=1)
        )
        assert database.add_attempts(campaign.name, [(dialled.list_name, dialled.id, later)]) == 1
        renamed = dict.fromkeys(before[0].fields, "изменено")
        database.add_records(campaign.name, [attrs.evolve(before[0], fields=renamed, attempts=())])
        assert database.add_records(campaign.name, records[700:710]) == 10
        assert bag.compute() == before
        assert list(database.records(campaign.name)) != before
        # The same records as the SQLite store's bag of the same campaign.
        assert before == store_bag(store, campaign.name, 3).compute()
