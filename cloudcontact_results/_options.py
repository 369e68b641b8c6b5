"""The export dialog: report format, filters, time zone, language and file options."""

from __future__ import annotations

import datetime as dt
import enum
import zoneinfo
from collections.abc import Iterable
from typing import Any, TypeVar

import attrs

from ._language import Language
from ._validators import instance_of
from .errors import OptionsError

__all__ = ["DEFAULT_DATETIME_FORMAT", "Dialect", "ExportOptions", "ReportFormat"]

DEFAULT_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"

_E = TypeVar("_E", bound=enum.StrEnum)


class ReportFormat(enum.StrEnum):
    """Which report to produce."""

    #: One row per record: its final results (the last attempt).
    SIMPLE = "simple"
    #: One row per attempt, for the records in the report.
    DETAILED = "detailed"
    #: One row per attempt made inside the interval.
    DETAILED_INTERVAL = "detailed-interval"


class Dialect(enum.StrEnum):
    """How the CSV is written: as the platform does, or as a spreadsheet wants it."""

    #: Comma, CRLF, UTF-8 without BOM: what the platform exports.
    PLATFORM = "platform"
    #: UTF-8 with BOM, comma: Excel in English locales.
    EXCEL = "excel"
    #: UTF-8 with BOM, semicolon: Excel in Russian locales, no Text-to-Columns needed.
    EXCEL_RU = "excel-ru"


def _parse_enum(kind: type[_E], field: str, value: _E | str) -> _E:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(repr(member.value) for member in kind)
        raise OptionsError(field, value, f"must be one of {choices}") from None


def _to_format(value: ReportFormat | str) -> ReportFormat:
    return _parse_enum(ReportFormat, "ExportOptions.format", value)


def _to_language(value: Language | str) -> Language:
    return _parse_enum(Language, "ExportOptions.language", value)


def _to_dialect(value: Dialect | str) -> Dialect:
    return _parse_enum(Dialect, "ExportOptions.dialect", value)


def _parse_names(field: str, value: Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = (value,)
    names = tuple(value)
    if not names:
        raise OptionsError(field, names, "must name at least one, or be None for all")
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise OptionsError(field, name, "must be non-empty text")
    return names


def _to_lists(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return _parse_names("ExportOptions.lists", value)


def _to_dispositions(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return _parse_names("ExportOptions.dispositions", value)


def parse_timezone(field: str, value: Any) -> zoneinfo.ZoneInfo:
    """The time zone called ``value``; OptionsError naming ``field`` if there is none."""
    try:
        return zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise OptionsError(field, value, "is not a known IANA time zone") from None


def check_datetime_format(field: str, value: Any) -> None:
    """``value`` must be a strftime/strptime format; OptionsError naming ``field``."""
    if not isinstance(value, str) or "%" not in value:
        raise OptionsError(field, value, "must be a date-time format such as '%Y-%m-%d'")


def _check_timezone(instance: ExportOptions, attribute: attrs.Attribute[Any], value: Any) -> None:
    parse_timezone("ExportOptions.timezone", value)


def _check_interval(instance: ExportOptions, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if (
        not isinstance(value, tuple)
        or len(value) != 2
        or not all(isinstance(bound, dt.datetime) for bound in value)
    ):
        raise OptionsError("ExportOptions.interval", value, "must be a (start, end) datetime pair")


def _to_interval(
    value: tuple[dt.datetime, dt.datetime] | list[dt.datetime] | None,
) -> tuple[dt.datetime, dt.datetime] | None:
    return tuple(value) if isinstance(value, list) else value  # type: ignore[return-value]


def _check_datetime_format(
    instance: ExportOptions, attribute: attrs.Attribute[Any], value: Any
) -> None:
    check_datetime_format("ExportOptions.datetime_format", value)


_FLAG = instance_of(bool, "True or False", error=OptionsError)
_ZIP_TIMESTAMP = instance_of(dt.datetime, "a datetime", optional=True, error=OptionsError)


def _check_options(options: ExportOptions) -> None:
    bounds = options.interval_bounds()
    if bounds is not None and not bounds[0] < bounds[1]:
        raise OptionsError(
            "ExportOptions.interval", options.interval, "the start must be before the end"
        )


@attrs.frozen
class ExportOptions:
    """Everything the export dialog asks, plus the file options of this library.

    Strings work wherever an enum exists: ``format="detailed"``,
    ``language="ru"``, ``dialect="excel-ru"``.

    Args:
        format: :class:`ReportFormat` or its value.
        lists: names of the lists to export; None for all the campaign's lists.
        dispositions: disposition names (English or Russian) to keep; None for all.
        interval: ``(start, end)``, half-open; naive bounds are read in ``timezone``.
        timezone: IANA name of the zone date-times are written in.
        language: ``"en"`` or ``"ru"``: headers, system dispositions, ``no match``.
        compress: write a zip holding the CSV.
        dialect: ``"platform"``, ``"excel"`` or ``"excel-ru"``.
        formula_guard: neutralise cells a spreadsheet would read as a formula.
        datetime_format: the ``strftime`` format of date-times.
        report_unknown_dispositions: report a disposition the campaign does not
            know as the system *Disposition not found* instead of raising.
        zip_timestamp: a fixed date-time for the zip member, making archives
            byte-reproducible; None for the time of writing.

    Raises:
        OptionsError: naming the option and the value.

    >>> ExportOptions(format="detailed", language="ru").format
    <ReportFormat.DETAILED: 'detailed'>
    """

    format: ReportFormat = attrs.field(
        default=ReportFormat.SIMPLE,
        converter=_to_format,
    )
    lists: tuple[str, ...] | None = attrs.field(default=None, converter=_to_lists)
    dispositions: tuple[str, ...] | None = attrs.field(default=None, converter=_to_dispositions)
    interval: tuple[dt.datetime, dt.datetime] | None = attrs.field(
        default=None, converter=_to_interval, validator=_check_interval
    )
    timezone: str = attrs.field(default="Europe/Moscow", validator=_check_timezone)
    language: Language = attrs.field(default=Language.EN, converter=_to_language)
    compress: bool = attrs.field(default=False, validator=_FLAG)
    dialect: Dialect = attrs.field(default=Dialect.PLATFORM, converter=_to_dialect)
    formula_guard: bool = attrs.field(default=True, validator=_FLAG)
    datetime_format: str = attrs.field(
        default=DEFAULT_DATETIME_FORMAT, validator=_check_datetime_format
    )
    report_unknown_dispositions: bool = attrs.field(default=False, validator=_FLAG)
    zip_timestamp: dt.datetime | None = attrs.field(default=None, validator=_ZIP_TIMESTAMP)

    def __attrs_post_init__(self) -> None:
        _check_options(self)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The export time zone."""
        return zoneinfo.ZoneInfo(self.timezone)

    def interval_bounds(self) -> tuple[dt.datetime, dt.datetime] | None:
        """The interval as UTC instants, naive bounds read in the export time zone.

        In UTC because aware date-times sharing a time zone compare by wall
        clock, which misorders the two passes through a DST fall-back.
        """
        if self.interval is None:
            return None
        start, end = self.interval
        return self.localize(start).astimezone(dt.UTC), self.localize(end).astimezone(dt.UTC)

    def localize(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` as an aware date-time: naive ones are read in the export time zone."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            return moment.replace(tzinfo=self.tz)
        return moment
