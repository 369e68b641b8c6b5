"""How a report is read: the options of ``read_report``, checked once and passed down whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final, Literal

import attrs

from .._types import DEFAULT_TIMEZONE, check_datetime_format, parse_timezone
from ..errors import OptionsError
from .encodings import checked_encoding
from .source import ReadLimits, checked_limits

__all__ = ["ENGINES", "XLSX_ENGINES", "Engine", "ErrorMode", "ReadOptions", "XlsxEngine"]

#: Which parser builds a frame: pyarrow, pandas' C or Python parser, or the best installed.
Engine = Literal["auto", "pyarrow", "c", "python"]
ENGINES: Final = ("auto", "pyarrow", "c", "python")

ErrorMode = Literal["raise", "skip", "collect"]

#: Which library reads a workbook's cells: calamine when installed (else
#: openpyxl), calamine, or openpyxl.
XlsxEngine = Literal["auto", "calamine", "openpyxl"]
XLSX_ENGINES: Final = ("auto", "calamine", "openpyxl")

_ERROR_MODES: Final = ("raise", "skip", "collect")


@attrs.frozen
class ReadOptions:
    """The options of one read, as every reader of every format takes them.

    Build it with :meth:`of`, which checks the keyword arguments of
    ``read_report`` once; the readers of CSV, workbooks, frames and byte
    ranges take the value whole.

    Attributes:
        timezone: the IANA name of the zone of the file's date-times.
        zone: that zone.
        script_fields: the names of the script-field columns.
        errors: what a bad line does: ``"raise"``, ``"skip"`` or ``"collect"``.
        encoding: the text encoding of a CSV file (None: decided by its header).
        datetime_format: the ``strptime`` format of date-times (None: the
            file's first date-time decides).
        member: the CSV member of a zip, or the sheet of a workbook.
        formula_guard: undo the export's formula guard.
        limits: the bounds of the read.
        xlsx_engine: which library reads a workbook: ``"auto"``,
            ``"calamine"`` or ``"openpyxl"``.
    """

    timezone: str
    zone: dt.tzinfo
    script_fields: tuple[str, ...]
    errors: ErrorMode
    encoding: str | None
    datetime_format: str | None
    member: str | None
    formula_guard: bool
    limits: ReadLimits
    xlsx_engine: XlsxEngine = "auto"

    @classmethod
    def of(
        cls,
        *,
        timezone: str = DEFAULT_TIMEZONE,
        script_fields: Iterable[str] = (),
        errors: ErrorMode = "raise",
        encoding: str | None = None,
        datetime_format: str | None = None,
        member: str | None = None,
        formula_guard: bool = True,
        limits: ReadLimits | None = None,
        xlsx_engine: XlsxEngine = "auto",
    ) -> ReadOptions:
        """The options of ``read_report``'s keyword arguments, checked.

        Raises:
            OptionsError: an unknown time zone, errors mode, encoding,
                date-time format or workbook engine, or limits that are no
                :class:`ReadLimits`.
        """
        if errors not in _ERROR_MODES:
            raise OptionsError("errors", errors, "must be 'raise', 'skip' or 'collect'")
        if xlsx_engine not in XLSX_ENGINES:
            raise OptionsError(
                "xlsx_engine", xlsx_engine, "must be 'auto', 'calamine' or 'openpyxl'"
            )
        zone = parse_timezone("timezone", timezone)
        if datetime_format is not None:
            check_datetime_format("datetime_format", datetime_format)
        return cls(
            timezone=zone.key,
            zone=zone,
            script_fields=(
                (script_fields,) if isinstance(script_fields, str) else tuple(script_fields)
            ),
            errors=errors,
            encoding=checked_encoding(encoding),
            datetime_format=datetime_format,
            member=member,
            formula_guard=formula_guard,
            limits=checked_limits(limits),
            xlsx_engine=xlsx_engine,
        )
