"""The shared vocabulary every layer speaks: report formats, languages, dialects, defaults.

This module is the bottom of the package: it imports nothing of the library
but :mod:`cloudcontact_results.errors`, and everything else may import it.
The enums accept their string values wherever the public API takes them
(``format="detailed"``, ``language="ru"``, ``dialect="excel-ru"``);
:func:`parse_enum` is the one place that turns such a string into a member.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import importlib
import zoneinfo
from typing import Any, Final, TypeVar

from ._closest import MOST, closest, suggestion
from .errors import OptionsError, ValidationError

__all__ = [
    "DEFAULT_DATETIME_FORMAT",
    "DEFAULT_TIMEZONE",
    "FIRST_INSTANT",
    "LAST_INSTANT",
    "Dialect",
    "FileFormat",
    "Language",
    "ReportFormat",
    "ReportLayout",
    "check_datetime_format",
    "import_optional",
    "in_range",
    "is_naive",
    "normalize_name",
    "parse_enum",
    "parse_timezone",
]

#: The zone the platform's export dialog uses unless told otherwise.
DEFAULT_TIMEZONE: Final = "Europe/Moscow"
#: How date-times are written unless told otherwise: ``2026-03-02 10:15:00``.
DEFAULT_DATETIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"

_E = TypeVar("_E", bound=enum.Enum)


class ReportFormat(enum.StrEnum):
    """Which report to produce."""

    #: One row per record: its final results (the last attempt).
    SIMPLE = "simple"
    #: One row per attempt, for the records in the report.
    DETAILED = "detailed"
    #: One row per attempt made inside the interval.
    DETAILED_INTERVAL = "detailed-interval"


class ReportLayout(enum.StrEnum):
    """Which columns a report has: the manual's, or those of a later platform version.

    Only the detailed report differs; the simple report is the same in both.
    """

    #: The columns of the CloudContact manual (and of Bright Pattern 3.x).
    MANUAL = "manual"
    #: Bright Pattern 5.x: the detailed report adds ``ANI`` and ``Action Applied``.
    V5 = "5.x"


class Dialect(enum.StrEnum):
    """How the CSV is written: as the platform does, or as a spreadsheet wants it."""

    #: Comma, CRLF, UTF-8 without BOM: what the platform exports.
    PLATFORM = "platform"
    #: UTF-8 with BOM, comma: Excel in English locales.
    EXCEL = "excel"
    #: UTF-8 with BOM, semicolon: Excel in Russian locales, no Text-to-Columns needed.
    EXCEL_RU = "excel-ru"


class FileFormat(enum.StrEnum):
    """Which kind of file an export writes."""

    #: Text, in one of the :class:`Dialect` flavours, optionally zipped.
    CSV = "csv"
    #: An Excel workbook: typed cells, one sheet, frozen header, filter.
    XLSX = "xlsx"
    #: A Parquet file: typed columns for pandas, polars, DuckDB, Spark.
    PARQUET = "parquet"


class Language(enum.StrEnum):
    """Language of report headers, system disposition names and ``no match``.

    Every bilingual label of the library (:meth:`Column.header`,
    :meth:`Disposition.label`, :meth:`CPAResult.label`, :meth:`NoMatch.label`)
    takes a ``Language`` or its value and rejects anything else.
    """

    EN = "en"
    RU = "ru"

    @classmethod
    def parse(cls, value: str | Language, field: str = "language") -> Language:
        """``value`` as a member; :class:`OptionsError` naming ``field`` otherwise."""
        return parse_enum(cls, field, value)


def parse_enum(kind: type[_E], field: str, value: Any) -> _E:
    """The member of ``kind`` that is or has the value ``value``.

    Raises:
        OptionsError: naming ``field``, the value and the choices.

    >>> parse_enum(ReportFormat, "format", "detailed")
    <ReportFormat.DETAILED: 'detailed'>
    >>> parse_enum(Dialect, "dialect", "csv")
    Traceback (most recent call last):
    ...
    cloudcontact_results.errors.OptionsError: dialect: must be one of 'platform', 'excel', ...
    """
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(repr(member.value) for member in kind)
        raise OptionsError(field, value, f"must be one of {choices}") from None


def parse_timezone(field: str, value: Any) -> zoneinfo.ZoneInfo:
    """The time zone called ``value``, its name matched without regard to case.

    ``"europe/moscow"`` is ``Europe/Moscow``. A name that is none gives the
    closest zone names, matched on a city alone too (``"Moscow"``); an
    abbreviation (``"MSK"``) gives the zones that use it, never one of them
    silently, since one abbreviation may stand for several zones.

    Raises:
        OptionsError: naming ``field`` and the value, with the closest names.

    >>> parse_timezone("timezone", "europe/moscow").key
    'Europe/Moscow'
    >>> parse_timezone("timezone", "Moscow")
    Traceback (most recent call last):
    ...
    cloudcontact_results.errors.OptionsError: timezone: ...(did you mean 'Europe/Moscow', ...
    """
    try:
        return zoneinfo.ZoneInfo(value)
    # A name that is a folder of the zone database ("Europe") or too long for a
    # file name reaches the file system, which says so with an OSError.
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        pass
    if isinstance(value, str):
        known = _zone_names().get(value.casefold())
        if known is not None:
            return zoneinfo.ZoneInfo(known)
    users = _zones_by_abbreviation().get(value) if isinstance(value, str) else None
    if users:
        reason = (
            "is not a known IANA time zone; an abbreviation may stand for several zones, "
            f"name one{suggestion(users[:MOST])}"
        )
    else:
        reason = f"is not a known IANA time zone{suggestion(closest(value, _zone_spellings()))}"
    raise OptionsError(field, value, reason) from None


@functools.cache
def _zone_names() -> dict[str, str]:
    """Every zone's name, by its case-folded form; read once, when a name is not found."""
    return {name.casefold(): name for name in sorted(zoneinfo.available_timezones())}


@functools.cache
def _zone_spellings() -> dict[str, str]:
    """What a user may type for a zone (its name, its city alone) -> the zone's name."""
    spellings: dict[str, str] = {}
    for name in _zone_names().values():
        spellings.setdefault(name, name)
    for name in _zone_names().values():
        city = name.rpartition("/")[2]
        spellings.setdefault(city, name)
        spellings.setdefault(city.replace("_", " "), name)
    return spellings


@functools.cache
def _zones_by_abbreviation() -> dict[str, tuple[str, ...]]:
    """The zones each abbreviation (``MSK``, ``PST``…) stands for, in winter or summer this year.

    Names of a region and a city come first (``Europe/Moscow`` before ``W-SU``),
    then alphabetical order.
    """
    year = dt.datetime.now(dt.UTC).year
    moments = (dt.datetime(year, 1, 15, tzinfo=dt.UTC), dt.datetime(year, 7, 15, tzinfo=dt.UTC))
    users: dict[str, list[str]] = {}
    for name in sorted(_zone_names().values(), key=lambda name: ("/" not in name, name)):
        zone = zoneinfo.ZoneInfo(name)
        for abbreviation in {moment.astimezone(zone).tzname() for moment in moments}:
            # Zones with no abbreviation of their own write their offset ("+04").
            if abbreviation and abbreviation[0].isalpha():
                users.setdefault(abbreviation, []).append(name)
    return {abbreviation: tuple(names) for abbreviation, names in users.items()}


def check_datetime_format(field: str, value: Any) -> None:
    """``value`` must be a strftime/strptime format; :class:`OptionsError` naming ``field``."""
    if not isinstance(value, str) or "%" not in value:
        raise OptionsError(field, value, "must be a date-time format such as '%Y-%m-%d'")


#: The instants an attempt may have: a day inside the range of ``datetime``, so that
#: its time can be written in any zone (UTC offsets stay under a day).
FIRST_INSTANT: Final = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
LAST_INSTANT: Final = dt.datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=dt.UTC)


def in_range(moment: dt.datetime) -> bool:
    """Can aware ``moment`` be written in any time zone?

    >>> in_range(dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
    True
    >>> in_range(dt.datetime(1, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5))))
    False
    """
    try:
        return FIRST_INSTANT <= moment.astimezone(dt.UTC) <= LAST_INSTANT
    except OverflowError:
        return False


def is_naive(moment: dt.datetime) -> bool:
    """True if ``moment`` has no UTC offset (no zone, or a zone that gives none).

    >>> is_naive(dt.datetime(2026, 3, 1)), is_naive(dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    (True, False)
    """
    return moment.tzinfo is None or moment.utcoffset() is None


def check_sip_code(field: str, code: Any) -> int:
    """``code`` if it is a SIP response code (100-699, RFC 3261 section 21).

    Raises:
        ValidationError: naming ``field`` and the value.
    """
    if not isinstance(code, int) or isinstance(code, bool) or not 100 <= code <= 699:
        raise ValidationError(field, code, "must be a SIP response code, 100-699")
    return code


def normalize_name(name: str) -> str:
    """Fold a name for look-ups: case, ``ё``/``е``, surrounding and repeated spaces."""
    return " ".join(name.replace("ё", "е").replace("Ё", "Е").casefold().split())


def import_optional(module: str, extra: str, what: str, *, name: str | None = None) -> Any:
    """``module``, an optional dependency, imported when first needed.

    Without it, an ImportError that says ``what`` needs it (by ``name``, the
    module's own by default) and which extra of the package installs it.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{what} needs {name or module}: pip install 'cloudcontact-results[{extra}]'"
        ) from exc
