"""What the commands print: lines escaped for a terminal, and the table of files written."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

__all__ = ["print_table", "printable", "write"]


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
