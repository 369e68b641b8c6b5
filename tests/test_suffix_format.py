"""A path's suffix sets the file format and compression the options leave unset (SPEC §6)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

import cloudcontact_results as ccr
from cloudcontact_results.errors import OptionsError

CAMPAIGN = ccr.Campaign("March", [ccr.CallingList("Clients", ["Name"])])
RECORDS = [
    ccr.Record(
        "1",
        "Clients",
        {"Name": "Иванов"},
        [ccr.Attempt("+79160000001", dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC))],
    )
]
XLSX_MAGIC = b"PK\x03\x04"  # a workbook is a zip too: told apart by its members
PARQUET_MAGIC = b"PAR1"


def stream_bytes(options: ccr.ExportOptions | None = None) -> bytes:
    stream = io.BytesIO()
    ccr.export(CAMPAIGN, RECORDS, stream, options)
    return stream.getvalue()


def test_options_left_unset_are_csv_uncompressed_for_a_stream() -> None:
    options = ccr.ExportOptions()
    assert options.file_format is None
    assert options.compress is None
    assert stream_bytes().startswith(b"Name,")


@pytest.mark.parametrize("name", ["out.xlsx", "OUT.XLSX"])
def test_an_xlsx_path_is_a_workbook(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    ccr.export(CAMPAIGN, RECORDS, path)
    with zipfile.ZipFile(path) as workbook:
        assert "xl/workbook.xml" in workbook.namelist()
    assert ccr.read_report(path).sheet is not None
    assert [row.fields["Name"] for row in ccr.read_report(path)] == ["Иванов"]


@pytest.mark.parametrize("name", ["out.parquet", "out.pq"])
def test_a_parquet_path_is_a_parquet_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    ccr.export(CAMPAIGN, RECORDS, str(path))
    data = path.read_bytes()
    assert data[:4] == PARQUET_MAGIC
    assert data[-4:] == PARQUET_MAGIC


@pytest.mark.parametrize("name", ["out.zip", "out.csv.zip", "OUT.ZIP"])
def test_a_zip_path_is_a_zip_holding_the_csv(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    ccr.export(CAMPAIGN, RECORDS, path)
    with zipfile.ZipFile(path) as archive:
        (member,) = archive.namelist()
        assert member.endswith(".csv")
        assert archive.read(member) == stream_bytes()


@pytest.mark.parametrize("name", ["out.csv", "out.txt", "out", "out.tsv"])
def test_a_csv_or_unknown_suffix_is_plain_csv(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    ccr.export(CAMPAIGN, RECORDS, path)
    assert path.read_bytes() == stream_bytes()


def test_given_options_that_agree_with_the_suffix_are_kept(tmp_path: Path) -> None:
    ccr.export(CAMPAIGN, RECORDS, tmp_path / "a.zip", ccr.ExportOptions(file_format="csv"))
    assert zipfile.is_zipfile(tmp_path / "a.zip")
    ccr.export(CAMPAIGN, RECORDS, tmp_path / "b.csv", ccr.ExportOptions(compress=False))
    assert (tmp_path / "b.csv").read_bytes() == stream_bytes()
    # A suffix that names no file leaves the options to say it.
    ccr.export(CAMPAIGN, RECORDS, tmp_path / "c.bin", ccr.ExportOptions(compress=True))
    assert zipfile.is_zipfile(tmp_path / "c.bin")


@pytest.mark.parametrize(
    ("name", "options", "field", "value"),
    [
        ("out.xlsx", {"file_format": "csv"}, "file_format", "'csv'"),
        ("out.csv", {"file_format": "xlsx"}, "file_format", "'xlsx'"),
        ("out.parquet", {"file_format": "xlsx"}, "file_format", "'xlsx'"),
        ("out.zip", {"compress": False}, "compress", "False"),
        ("out.csv", {"compress": True}, "compress", "True"),
        ("out.xlsx", {"compress": True}, "compress", "True"),
        ("out.zip", {"file_format": "parquet"}, "file_format", "'parquet'"),
    ],
)
def test_a_given_option_that_conflicts_with_the_suffix_is_an_error(
    tmp_path: Path, name: str, options: dict[str, object], field: str, value: str
) -> None:
    path = tmp_path / name
    with pytest.raises(OptionsError) as caught:
        ccr.export(CAMPAIGN, RECORDS, path, ccr.ExportOptions(**options))  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith(f"ExportOptions.{field}: ")
    assert repr(str(path)) in message  # names both: the option and the path
    assert message.endswith(f"(got {value})")
    assert "\n" not in message
    assert list(tmp_path.iterdir()) == []


def test_the_store_exports_by_the_suffix_too(tmp_path: Path) -> None:
    with ccr.ResultsStore(tmp_path / "results.sqlite") as store:
        store.put_campaign(CAMPAIGN)
        store.add_records("March", RECORDS)
        store.export("March", tmp_path / "march.zip")
        store.export("March", tmp_path / "march.xlsx")
        with pytest.raises(OptionsError, match=r"march\.parquet"):
            store.export("March", tmp_path / "march.parquet", ccr.ExportOptions(file_format="csv"))
    assert zipfile.is_zipfile(tmp_path / "march.zip")
    assert [row.fields["Name"] for row in ccr.read_report(tmp_path / "march.zip")] == ["Иванов"]
    assert ccr.read_report(tmp_path / "march.xlsx").sheet is not None
    assert not (tmp_path / "march.parquet").exists()


def test_archive_options_may_say_the_default_file_options_aloud(tmp_path: Path) -> None:
    with ccr.ResultsStore(tmp_path / "results.sqlite") as store:
        store.put_campaign(
            CAMPAIGN, archive_options=ccr.ExportOptions(compress=False, file_format="csv")
        )
        with pytest.raises(OptionsError, match=r"archive_options\.compress"):
            store.put_campaign(CAMPAIGN, archive_options=ccr.ExportOptions(compress=True))
