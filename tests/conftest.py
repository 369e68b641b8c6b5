"""Hypothesis profiles, and the reader of workbooks a test runs with.

``default`` keeps runs short on a small machine; ``ci`` tries harder and
prints the reproduction blob of a failure; ``mutation`` is ``default`` made
quick to fail, for mutation testing. Choose with
``HYPOTHESIS_PROFILE=ci pytest`` (or ``pytest --hypothesis-profile=ci``).
"""

from __future__ import annotations

import functools
import os

import pytest
from hypothesis import HealthCheck, Phase, settings

import cloudcontact_results as ccr

#: A script the delivery tests run as a server process, not a module to import:
#: pyftpdlib imports ``asyncore``, whose deprecation warning is an error here.
collect_ignore = ["support/ftp_server.py"]

# The domain strategies build whole campaigns with records and attempts, so a
# single example can be slow to generate on a loaded 2-core machine: time is
# not a health problem here, and there is no per-example deadline.
settings.register_profile(
    "default",
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=300,
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


def examples(budget: int) -> int:
    """A test's example budget: ``budget`` in the default profile, scaled with the profile.

    Tests that need more (or fewer) examples than the profile's default say
    so with ``@settings(max_examples=examples(n))``; under ``ci`` they try
    as many times harder as the profile does, instead of pinning their count.
    """
    scale = settings().max_examples / settings.get_profile("default").max_examples
    return max(1, round(budget * scale))


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
