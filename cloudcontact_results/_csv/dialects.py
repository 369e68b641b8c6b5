"""The three CSV dialects: how the platform writes reports, and how spreadsheets want them."""

from __future__ import annotations

import attrs

from .._types import Dialect

__all__ = ["BOM", "DIALECTS", "CsvDialect"]

BOM = "\ufeff"


@attrs.frozen
class CsvDialect:
    """Delimiter, byte order mark and line ends of one :class:`Dialect`."""

    delimiter: str
    bom: bool
    lineterminator: str = "\r\n"
    quotechar: str = '"'
    encoding: str = "utf-8"


DIALECTS: dict[Dialect, CsvDialect] = {
    Dialect.PLATFORM: CsvDialect(delimiter=",", bom=False),
    Dialect.EXCEL: CsvDialect(delimiter=",", bom=True),
    Dialect.EXCEL_RU: CsvDialect(delimiter=";", bom=True),
}
