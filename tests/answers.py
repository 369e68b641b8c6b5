"""Answer keys written independently of the library: documented rules in plain Python."""

from __future__ import annotations

import csv
import io
import re

DELIMITERS = {"platform": ",", "excel": ",", "excel-ru": ";"}
_PLAIN_NUMBER = re.compile(r"[+-]\d+(?:[.,]\d+)?")


def spreadsheet_safe(cell: str) -> str:
    """The guard as docs/export.md states it, written independently of the library."""
    bare = cell.lstrip("'")
    formula = bare[:1] in {"=", "@", "\t", "\r"} or (
        bare[:1] in {"+", "-"} and _PLAIN_NUMBER.fullmatch(bare) is None
    )
    return "'" + cell if formula else cell


def parse(data: bytes, dialect: str) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff") == (dialect != "platform")
    reader = csv.reader(
        io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=DELIMITERS[dialect]
    )
    return list(reader)
