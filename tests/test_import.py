"""Importing the package loads only what exports and reads need."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from cloudcontact_results import platform, store

#: What only the List Management API client (the first four) and the results
#: store (the last two: OpenSSL's hashes) need.
NOT_FOR_EXPORTS = ("ssl", "http.client", "urllib.request", "email", "sqlite3", "_hashlib")


def loaded_after(code: str, among: Iterable[str] = NOT_FOR_EXPORTS) -> set[str]:
    """The modules of ``among`` loaded after running ``code`` in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(*sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split()) & set(among)


def test_importing_the_package_loads_no_network_client_and_no_store() -> None:
    assert loaded_after("import cloudcontact_results") == set()


def test_an_export_and_a_read_load_no_network_client_and_no_store() -> None:
    code = (
        "import io\n"
        "import cloudcontact_results as ccr\n"
        "campaign, records = ccr.demo_campaign(5)\n"
        "stream = io.BytesIO()\n"
        "options = ccr.ExportOptions(format='detailed', compress=True)\n"
        "ccr.export(campaign, records, stream, options)\n"
        "list(ccr.read_report(io.BytesIO(stream.getvalue())))\n"
    )
    assert loaded_after(code) == set()


#: The names of the public modules the package imports at the first use of one of them.
AT_FIRST_USE = sorted(set(store.__all__) | set(platform.__all__))


def test_the_names_left_out_of_the_import_are_those_of_the_store_and_the_platform() -> None:
    code = (
        "import cloudcontact_results as ccr\nprint(*(n for n in ccr.__all__ if n not in vars(ccr)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    # The version too is read at first use: importlib.metadata imports the email package.
    left_out = set(result.stdout.split()) - {"__version__"}
    assert set(store.__all__) <= left_out <= set(AT_FIRST_USE)
    assert {"ListManagementClient", "sync_list"} <= left_out


@pytest.mark.slow
@pytest.mark.parametrize("name", AT_FIRST_USE)
def test_the_names_imported_at_first_use_import_from_the_package(name: str) -> None:
    code = f"from cloudcontact_results import {name}\nprint({name}.__name__)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == name


@pytest.mark.slow
def test_the_client_and_the_store_are_loaded_when_first_used() -> None:
    assert loaded_after("import cloudcontact_results as ccr\nccr.ListManagementClient") >= {
        "ssl",
        "http.client",
    }
    assert "sqlite3" in loaded_after("import cloudcontact_results as ccr\nccr.ResultsStore")


#: What only deliveries to URLs load, each when its first delivery starts.
FOR_DELIVERIES = ("ftplib", "http.client", "paramiko", "boto3", "botocore")


@pytest.mark.slow
def test_the_store_and_its_folder_jobs_load_no_delivery_library(tmp_path: Path) -> None:
    code = (
        "import datetime as dt, sys\n"
        "import cloudcontact_results as ccr\n"
        f"store = ccr.ResultsStore({str(tmp_path / 's.sqlite')!r})\n"
        "store.put_campaign(ccr.Campaign('C', [ccr.CallingList('L', ['F'])]))\n"
        "start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)\n"
        "options = ccr.ExportOptions()\n"
        f"job = ccr.ExportJob('j', 'C', options, 'FREQ=HOURLY', {str(tmp_path)!r}, start)\n"
        "store.add_job(job)\n"
        "ccr.Remote('sftp://host/folder')\n"
        "store.run_due_jobs(start)\n"
    )
    assert loaded_after(code, among=FOR_DELIVERIES) == set()


@pytest.mark.slow
def test_an_sqlite_store_never_loads_psycopg(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import cloudcontact_results as ccr\n"
        f"with ccr.ResultsStore({str(tmp_path / 's.sqlite')!r}) as store:\n"
        "    store.put_campaign(ccr.Campaign('C', [ccr.CallingList('L', ['F'])]))\n"
        "    list(store.records('C'))\n"
    )
    # psycopg, and the compiled part it loads (psycopg_binary or psycopg_c).
    assert loaded_after(code, among=("psycopg", "psycopg_binary", "psycopg_c")) == set()


def test_an_unknown_name_is_an_attribute_error() -> None:
    import cloudcontact_results as ccr  # noqa: PLC0415  # the import under test

    with pytest.raises(AttributeError, match="no_such_name"):
        ccr.no_such_name  # noqa: B018
