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

__all__ = ["ENGINES", "Engine", "ErrorMode", "ReadOptions"]

#: Which parser builds a frame: pyarrow, pandas' C or Python parser, or the best installed.
Engine = Literal["auto", "pyarrow", "c", "python"]
ENGINES: Final = ("auto", "pyarrow", "c", "python")

ErrorMode = Literal["raise", "skip", "collect"]

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
    ) -> ReadOptions:
        """The options of ``read_report``'s keyword arguments, checked.

        Raises:
            OptionsError: an unknown time zone, errors mode, encoding or
                date-time format, or limits that are no :class:`ReadLimits`.
        """
        if errors not in _ERROR_MODES:
            raise OptionsError("errors", errors, "must be 'raise', 'skip' or 'collect'")
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
        )
