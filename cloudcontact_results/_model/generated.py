"""Compiling the library's generated hot paths so tracebacks and debuggers show their lines."""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Iterable
from typing import Any

__all__ = ["compile_source", "indented", "indented_lines"]

_generated = itertools.count(1)


def indented_lines(statements: str | Iterable[str], levels: int = 1) -> list[str]:
    """``statements`` (lines, or a text of them) each indented ``levels`` times four spaces."""
    lines = statements.splitlines() if isinstance(statements, str) else statements
    indent = "    " * levels
    return [indent + line for line in lines]


def indented(statements: str | Iterable[str], levels: int = 1) -> str:
    """:func:`indented_lines` as source text: each line ended."""
    return "".join(line + "\n" for line in indented_lines(statements, levels))


def compile_source(source: str, namespace: dict[str, Any], what: str) -> None:
    """Run generated ``source`` in ``namespace`` under a file name that tracebacks can show.

    As attrs does for its generated ``__init__``: the file name is unique and
    the source is registered with :mod:`linecache` under it.
    """
    filename = f"<cloudcontact_results generated {what} #{next(_generated)}>"
    code = compile(source, filename, "exec")
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(code, namespace)  # noqa: S102  # the source is built from the library's own tables
