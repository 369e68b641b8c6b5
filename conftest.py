"""Doctests of published classes run in the namespace they were written in."""

from __future__ import annotations

import sys

import pytest
from _pytest.doctest import DoctestItem


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A public class's docstring is collected from its public module (its
    # __module__); its examples may use names of the private module it was
    # written in, as they did before the class was published.
    written_in = getattr(sys.modules.get("cloudcontact_results._public"), "WRITTEN_IN", {})
    for item in items:
        if isinstance(item, DoctestItem) and item.dtest is not None:
            home = written_in.get(item.dtest.name)
            if home is not None:
                item.dtest.globs = {**vars(sys.modules[home]), **item.dtest.globs}
