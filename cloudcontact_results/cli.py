"""The ``cloudcontact-results`` command line, callable from Python.

>>> from cloudcontact_results.cli import main
>>> main(["--version"])  # doctest: +SKIP
"""

from __future__ import annotations

from ._cli.main import main

__all__ = ["main"]
