"""Compiling the library's generated hot paths so tracebacks and debuggers show their lines."""

from __future__ import annotations

import itertools
import linecache
from typing import Any

__all__ = ["compile_source"]

_generated = itertools.count(1)


def compile_source(source: str, namespace: dict[str, Any], what: str) -> None:
    """Run generated ``source`` in ``namespace`` under a file name that tracebacks can show.

    As attrs does for its generated ``__init__``: the file name is unique and
    the source is registered with :mod:`linecache` under it.
    """
    filename = f"<cloudcontact_results generated {what} #{next(_generated)}>"
    code = compile(source, filename, "exec")
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(code, namespace)  # noqa: S102  # the source is built from the library's own tables
