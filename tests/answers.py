"""Answer keys written independently of the library: documented rules in plain Python."""

from __future__ import annotations

import csv
import io
import re

DELIMITERS = {"platform": ",", "excel": ",", "excel-ru": ";"}
_PLAIN_NUMBER = re.compile(r"[+-]\d+(?:[.,]\d+)?")


def _start_safe(text: str) -> str:
    bare = text.lstrip("'")
    formula = bare[:1] in {"=", "@", "\t", "\r"} or (
        bare[:1] in {"+", "-"} and _PLAIN_NUMBER.fullmatch(bare) is None
    )
    return "'" + text if formula else text


def spreadsheet_safe(cell: str) -> str:
    """The guard as docs/export.md states it, written independently of the library.

    The cell's start, and the text after each ``,``, ``;``, tab, CR or LF in it
    (where a spreadsheet using another delimiter, or reading line by line,
    starts a new cell), get a ``'`` before formula-like text.
    """
    pieces = re.split(r"([,;\t\r\n])", cell)
    for position in range(2, len(pieces), 2):
        pieces[position] = _start_safe(pieces[position])
    return _start_safe("".join(pieces))


def parse(data: bytes, dialect: str) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff") == (dialect != "platform")
    reader = csv.reader(
        io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=DELIMITERS[dialect]
    )
    return list(reader)
