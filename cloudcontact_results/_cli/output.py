"""What the commands print: lines escaped for a terminal, the table of files written, listings."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

__all__ = ["Value", "print_listing", "print_table", "printable", "utc_text", "write"]

#: A value of a listing: what JSON can hold.
Value = str | int | list[str] | None


def write(stream: TextIO, *lines: str) -> None:
    """Write ``lines`` to ``stream``, one a line, each escaped by :func:`printable`."""
    # The stream is looked up at call time, so doctests and tests can capture it.
    # A summary is several lines in one; each is printed escaped.
    text = [part for line in lines for part in line.split("\n")]
    stream.write("".join(f"{printable(line)}\n" for line in text))


def print_table(written: Sequence[tuple[Path, int, str, int]]) -> None:
    """One line per file written: its path, how many rows (or records) and bytes."""
    width = max(len(str(path)) for path, *_ in written)
    write(
        sys.stdout,
        *(
            f"{path!s:<{width}}  {count:>7} {unit:<7}  {size:>10} bytes"
            for path, count, unit, size in written
        ),
    )


def printable(text: str) -> str:
    r"""``text`` with every character a terminal would act on escaped.

    Names from a file (columns, dispositions, logins) reach the terminal: an
    escape sequence in one must show as text, not move the cursor or retitle
    the window.

    >>> printable("ok\x1b]0;owned\x07 \u202eabc")
    'ok\\x1b]0;owned\\x07 \\u202eabc'
    """
    if text.isprintable():
        return text
    # A tab moves the cursor only: tables printed here use it between columns.
    return "".join(c if c.isprintable() or c == "\t" else repr(c)[1:-1] for c in text)


def print_listing(rows: Sequence[Mapping[str, Value]], *, as_json: bool, empty: str) -> None:
    """A listing on stdout: a table with a header row, or one JSON array of objects.

    Every row has the same keys, in the same order: the table's columns (the
    key upper-cased is the heading) and the JSON objects' keys. With no rows
    the table is the line ``empty``, the JSON an empty array.
    """
    if as_json:
        text = json.dumps(list(rows), ensure_ascii=False, indent=2)
        # JSON escapes control characters itself; what it leaves a terminal would act
        # on (bidirectional controls…) is escaped the JSON way, so the text stays JSON.
        sys.stdout.write(
            "".join(c if c.isprintable() or c == "\n" else json.dumps(c)[1:-1] for c in text) + "\n"
        )
        return
    if not rows:
        write(sys.stdout, empty)
        return
    table = [[key.upper() for key in rows[0]]]
    table += [[_cell(value) for value in row.values()] for row in rows]
    widths = [
        max(len(printable(line[column])) for line in table) for column in range(len(table[0]))
    ]
    write(
        sys.stdout,
        *(
            "  ".join(
                printable(cell).ljust(width) for cell, width in zip(line, widths, strict=True)
            ).rstrip()
            for line in table
        ),
    )


def utc_text(moment: dt.datetime) -> str:
    """``moment`` in UTC as ISO 8601 with ``Z``: ``2026-03-02T10:00:00Z``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)
