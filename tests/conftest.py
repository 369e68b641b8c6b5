"""Hypothesis profiles, and the reader of workbooks a test runs with.

``default`` keeps the whole suite within a few minutes on a small machine;
``ci`` tries six times harder and prints the reproduction blob of a failure
(``.ci/run`` runs every property test under it after the suite);
``mutation`` is ``default`` made quick to fail, for mutation testing. Choose
with ``HYPOTHESIS_PROFILE=ci pytest`` (or ``pytest --hypothesis-profile=ci``).
"""

from __future__ import annotations

import functools
import itertools
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, Phase, settings

import cloudcontact_results as ccr
from tests.support.postgres import PostgresServer

#: A script the delivery tests run as a server process, not a module to import:
#: pyftpdlib imports ``asyncore``, whose deprecation warning is an error here.
collect_ignore = ["support/ftp_server.py"]

# The domain strategies build whole campaigns with records and attempts, so a
# single example can be slow to generate on a loaded 2-core machine: time is
# not a health problem here, and there is no per-example deadline.
settings.register_profile(
    "default",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# ``derandomize``: the same examples on every run, so that CI passes or fails
# on the code, never on the draw; a failure it finds reproduces anywhere.
settings.register_profile(
    "ci",
    max_examples=150,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# Mutation testing (docs/development/quality.md) asks only whether a test fails: the
# examples of ``default``, without shrinking or explaining a failure, and with
# no example database, so that one mutant's verdict never depends on another's.
settings.register_profile(
    "mutation",
    parent=settings.get_profile("default"),
    phases=[Phase.explicit, Phase.generate, Phase.target],
    database=None,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


#: The run a test's own budget (:func:`examples`) is written for: 50 examples
#: where a test takes the profile's number. The default profile runs half.
_BUDGET_RUN = 50


def examples(budget: int) -> int:
    """A test's example budget: ``budget`` in a run of 50 examples, scaled with the profile.

    Tests that need more (or fewer) examples than others say so with
    ``@settings(max_examples=examples(n))``; each profile scales them as it
    scales the rest (the default profile runs half, ``ci`` three times),
    instead of pinning their count.
    """
    return max(1, round(budget * settings().max_examples / _BUDGET_RUN))


#: The readers of a workbook's cells that every workbook test runs with.
XLSX_ENGINES = ("calamine", "openpyxl")


@pytest.fixture(params=XLSX_ENGINES)
def xlsx_engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every ``ccr.read_report`` of the test reads workbooks with this reader."""
    read_report = ccr.read_report
    monkeypatch.setattr(
        ccr, "read_report", functools.partial(read_report, xlsx_engine=request.param)
    )
    return str(request.param)


#: The databases a results store is kept in: a test of the store's promises takes
#: the fixture ``backend`` (``store_target``) and runs on each.
STORE_BACKENDS = ("sqlite", "postgresql")
_DATABASES = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session (of each worker), started on first use."""
    with PostgresServer() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new, empty database of the session's server; the password in ``PGPASSWORD``."""
    for name, value in postgres_server.environment().items():
        monkeypatch.setenv(name, value)
    return postgres_server.create_database(f"store_{os.getpid()}_{next(_DATABASES)}")


@pytest.fixture(params=STORE_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database of the store under test (override: ``parametrize("backend", [...])``)."""
    return str(request.param)


@pytest.fixture
def store_target(backend: str, request: pytest.FixtureRequest, tmp_path: object) -> str:
    """Where a new store is opened: a file in the test's folder, or a new PostgreSQL database."""
    if backend == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return str(tmp_path) + "/results.sqlite"
