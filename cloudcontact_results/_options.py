"""The export dialog, as three small settings and the facade users know.

An export answers three separate questions, each a frozen, picklable value
that the layer needing it takes on its own:

- :class:`Selection` — *which rows*: the format, lists, dispositions, interval;
- :class:`Rendering` — *how cells read*: zone, language, date-time format, guard,
  and the layout of the report's columns;
- :class:`Packaging` — *which file*: CSV dialect, zip, the zip member's date-time.

The report functions need only the first two, so a store, a scheduled job or
a cluster worker can carry "which rows, rendered how" without file concerns.
:class:`ExportOptions` keeps the dialog's thirteen options in one place and
builds the three parts when it is built, so every invalid value is reported
at construction, naming the option.
"""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any, Final

import attrs

from ._model.validators import instance_of
from ._types import (
    DEFAULT_DATETIME_FORMAT,
    DEFAULT_TIMEZONE,
    Dialect,
    FileFormat,
    Language,
    ReportFormat,
    ReportLayout,
    check_datetime_format,
    is_naive,
    parse_enum,
    parse_timezone,
)
from .errors import OptionsError

__all__ = ["SUFFIXES", "ExportOptions", "Packaging", "Rendering", "Selection", "packaging_for"]

#: Why an interval bound no time zone can show is refused (the command line
#: tells it from a bound typed the wrong way round).
OUT_OF_RANGE: Final = "is out of the range of date-times"

#: What a zip's DOS date-time can hold.
_ZIP_FIRST: Final = dt.datetime(1980, 1, 1)  # noqa: DTZ001  # zip times are local and naive
_ZIP_LAST: Final = dt.datetime(2107, 12, 31, 23, 59, 59)  # noqa: DTZ001

Interval = tuple[dt.datetime, dt.datetime]
#: An interval as given: either side may be None, open on that side.
OpenInterval = tuple[dt.datetime | None, dt.datetime | None]

#: The bounds of an open side: earlier and later than any attempt can be.
EARLIEST: Final = dt.datetime.min.replace(tzinfo=dt.UTC)
LATEST: Final = dt.datetime.max.replace(tzinfo=dt.UTC)


# --- converters and validators, shared by the parts and the facade -------------


def _to_format(value: ReportFormat | str) -> ReportFormat:
    return parse_enum(ReportFormat, "ExportOptions.format", value)


def _to_language(value: Language | str) -> Language:
    return parse_enum(Language, "ExportOptions.language", value)


def _to_dialect(value: Dialect | str) -> Dialect:
    return parse_enum(Dialect, "ExportOptions.dialect", value)


def _to_file_format(value: FileFormat | str) -> FileFormat:
    return parse_enum(FileFormat, "ExportOptions.file_format", value)


def _to_given_file_format(value: FileFormat | str | None) -> FileFormat | None:
    return None if value is None else _to_file_format(value)


def _to_layout(value: ReportLayout | str) -> ReportLayout:
    return parse_enum(ReportLayout, "ExportOptions.layout", value)


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


def _to_interval(value: OpenInterval | list[dt.datetime | None] | None) -> OpenInterval | None:
    if value is None:
        return None
    bounds = tuple(value) if isinstance(value, list | tuple) else value
    if (
        not isinstance(bounds, tuple)
        or len(bounds) != 2
        or not all(bound is None or isinstance(bound, dt.datetime) for bound in bounds)
    ):
        raise OptionsError(
            "ExportOptions.interval",
            value,
            "must be a (start, end) pair of datetimes, either of them None for an open side",
        )
    if bounds == (None, None):
        raise OptionsError(
            "ExportOptions.interval",
            value,
            "must have at least one bound (interval=None means no interval)",
        )
    return bounds


def _to_timezone(value: str) -> str:
    # Kept by the zone's own name: "europe/moscow" is "Europe/Moscow".
    return parse_timezone("ExportOptions.timezone", value).key


def _check_datetime_format(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    check_datetime_format("ExportOptions.datetime_format", value)


_FLAG = instance_of(bool, "True or False", error=OptionsError)
_GIVEN_FLAG = instance_of(bool, "True or False", optional=True, error=OptionsError)
_DATETIME = instance_of(dt.datetime, "a datetime", optional=True, error=OptionsError)


# --- the three parts --------------------------------------------------------------


@attrs.frozen
class Selection:
    """Which rows a report holds.

    Attributes:
        format: the report.
        lists: names of the exported lists; None for all.
        dispositions: names (English or Russian) of the kept dispositions; None for all.
        interval: half-open ``[start, end)`` as aware instants (UTC); None for no
            limit. An open side (given as None) is kept as :data:`EARLIEST` or
            :data:`LATEST`, so that the rows keep one test for every interval.
        report_unknown_dispositions: report an unknown disposition as the
            system *Disposition not found* instead of raising.
    """

    format: ReportFormat = attrs.field(default=ReportFormat.SIMPLE, converter=_to_format)
    lists: tuple[str, ...] | None = attrs.field(default=None, converter=_to_lists)
    dispositions: tuple[str, ...] | None = attrs.field(default=None, converter=_to_dispositions)
    interval: Interval | None = attrs.field(default=None, converter=_to_interval)
    report_unknown_dispositions: bool = attrs.field(default=False, validator=_FLAG)

    def __attrs_post_init__(self) -> None:
        if self.interval is None:
            return
        given_start, given_end = self.interval
        start = EARLIEST if given_start is None else given_start
        end = LATEST if given_end is None else given_end
        if is_naive(start) or is_naive(end):
            raise OptionsError(
                "ExportOptions.interval",
                self.interval,
                "must be aware here (naive bounds are read in the export time zone first)",
            )
        # Kept in UTC: aware date-times sharing a zone compare by wall clock,
        # which misorders the two passes through a DST fall-back.
        try:
            utc = (start.astimezone(dt.UTC), end.astimezone(dt.UTC))
        except OverflowError:
            raise OptionsError("ExportOptions.interval", self.interval, OUT_OF_RANGE) from None
        if not utc[0] < utc[1]:
            raise OptionsError(
                "ExportOptions.interval", self.interval, "the start must be before the end"
            )
        object.__setattr__(self, "interval", utc)


@attrs.frozen
class Rendering:
    """How the cells of a report read.

    Attributes:
        timezone: IANA name of the zone date-times are written in.
        language: headers, system disposition names, ``no match``.
        datetime_format: the ``strftime`` format of date-times.
        formula_guard: neutralise cells a spreadsheet would read as a formula.
        layout: which report columns are written, and in which order.
    """

    timezone: str = attrs.field(default=DEFAULT_TIMEZONE, converter=_to_timezone)
    language: Language = attrs.field(default=Language.EN, converter=_to_language)
    datetime_format: str = attrs.field(
        default=DEFAULT_DATETIME_FORMAT, validator=_check_datetime_format
    )
    formula_guard: bool = attrs.field(default=True, validator=_FLAG)
    layout: ReportLayout = attrs.field(default=ReportLayout.MANUAL, converter=_to_layout)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The export time zone."""
        return zoneinfo.ZoneInfo(self.timezone)


@attrs.frozen
class Packaging:
    """Which file a report is written as.

    Attributes:
        dialect: the CSV flavour.
        compress: write a zip holding the CSV.
        zip_time: the zip member's local date-time (naive, as zip times
            are); None for the time of writing.
        file_format: CSV, an Excel workbook or a Parquet file; the dialect
            and ``compress`` apply to CSV only.
    """

    dialect: Dialect = attrs.field(default=Dialect.PLATFORM, converter=_to_dialect)
    compress: bool = attrs.field(default=False, validator=_FLAG)
    zip_time: dt.datetime | None = attrs.field(default=None, validator=_DATETIME)
    file_format: FileFormat = attrs.field(default=FileFormat.CSV, converter=_to_file_format)

    def __attrs_post_init__(self) -> None:
        if self.compress and self.file_format is not FileFormat.CSV:
            raise OptionsError(
                "ExportOptions.compress",
                self.compress,
                f"a {self.file_format.value} file is compressed already; "
                "compress applies to CSV only",
            )
        moment = self.zip_time
        if moment is not None and not (is_naive(moment) and _ZIP_FIRST <= moment <= _ZIP_LAST):
            raise OptionsError(
                "ExportOptions.zip_timestamp",
                moment,
                "a zip holds local date-times from 1980-01-01 to 2107-12-31",
            )


# --- the facade -------------------------------------------------------------------


@attrs.frozen
class ExportOptions:
    """Everything the export dialog asks, plus the file options of this library.

    Strings work wherever an enum exists: ``format="detailed"``,
    ``language="ru"``, ``dialect="excel-ru"``. Every value is checked here,
    when the options are built; ``attrs.evolve(options, ...)`` makes a
    checked, changed copy.

    Args:
        format: :class:`ReportFormat` or its value.
        lists: names of the lists to export; None for all the campaign's lists.
        dispositions: disposition names (English or Russian) to keep; None for all.
        interval: ``(start, end)``, half-open; naive bounds are read in ``timezone``;
            either bound may be None, open on that side (``(start, None)``: from
            ``start`` to the moment of export).
        timezone: IANA name of the zone date-times are written in.
        language: ``"en"`` or ``"ru"``: headers, system dispositions, ``no match``.
        compress: write a zip holding the CSV; None (the default): as the
            suffix of a path says (``.zip``), else not.
        dialect: ``"platform"``, ``"excel"`` or ``"excel-ru"``.
        formula_guard: neutralise cells a spreadsheet would read as a formula.
        datetime_format: the ``strftime`` format of date-times.
        report_unknown_dispositions: report a disposition the campaign does not
            know as the system *Disposition not found* instead of raising.
        zip_timestamp: a fixed date-time for the zip member, making archives
            byte-reproducible (naive: local to ``timezone``); None for the
            time of writing.
        file_format: ``"csv"``, ``"xlsx"`` (an Excel workbook, needs the
            ``xlsx`` extra) or ``"parquet"`` (needs the ``arrow`` extra); None
            (the default): as the suffix of a path says (``.xlsx``,
            ``.parquet``), else CSV. ``dialect`` and ``compress`` apply to CSV only.
        layout: ``"manual"`` (default: the columns of the platform's manual)
            or ``"5.x"`` (Bright Pattern 5.x: the detailed report adds
            ``ANI`` and ``Action Applied``).

    Raises:
        OptionsError: naming the option and the value.

    >>> ExportOptions(format="detailed", language="ru").format
    <ReportFormat.DETAILED: 'detailed'>
    >>> ExportOptions(format="detailed").selection.format is ReportFormat.DETAILED
    True
    """

    format: ReportFormat = attrs.field(default=ReportFormat.SIMPLE, converter=_to_format)
    lists: tuple[str, ...] | None = attrs.field(default=None, converter=_to_lists)
    dispositions: tuple[str, ...] | None = attrs.field(default=None, converter=_to_dispositions)
    interval: OpenInterval | None = attrs.field(default=None, converter=_to_interval)
    timezone: str = attrs.field(default=DEFAULT_TIMEZONE, converter=_to_timezone)
    language: Language = attrs.field(default=Language.EN, converter=_to_language)
    compress: bool | None = attrs.field(default=None, validator=_GIVEN_FLAG)
    dialect: Dialect = attrs.field(default=Dialect.PLATFORM, converter=_to_dialect)
    formula_guard: bool = attrs.field(default=True, validator=_FLAG)
    datetime_format: str = attrs.field(
        default=DEFAULT_DATETIME_FORMAT, validator=_check_datetime_format
    )
    report_unknown_dispositions: bool = attrs.field(default=False, validator=_FLAG)
    zip_timestamp: dt.datetime | None = attrs.field(default=None, validator=_DATETIME)
    file_format: FileFormat | None = attrs.field(default=None, converter=_to_given_file_format)
    layout: ReportLayout = attrs.field(default=ReportLayout.MANUAL, converter=_to_layout)
    #: Which rows: built from the options above when the options are built.
    selection: Selection = attrs.field(init=False, eq=False, repr=False)
    #: How cells read.
    rendering: Rendering = attrs.field(init=False, eq=False, repr=False)
    #: Which file, written to a stream: what is not given is CSV, uncompressed
    #: (a path's suffix may say otherwise: :func:`packaging_for`).
    packaging: Packaging = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        rendering = Rendering(
            self.timezone, self.language, self.datetime_format, self.formula_guard, self.layout
        )
        interval = self.interval
        if interval is not None:
            start, end = interval
            interval = (
                None if start is None else self.localize(start),
                None if end is None else self.localize(end),
            )
        try:
            selection = Selection(
                self.format,
                self.lists,
                self.dispositions,
                interval,
                self.report_unknown_dispositions,
            )
        except OptionsError as error:
            # Name the interval as given, not as read in the export time zone.
            raise OptionsError(error.field, self.interval, error.reason) from None
        packaging = Packaging(
            self.dialect,
            bool(self.compress),
            self._zip_time(rendering.tz),
            FileFormat.CSV if self.file_format is None else self.file_format,
        )
        # A frozen class sets its derived parts the way attrs itself does.
        object.__setattr__(self, "selection", selection)
        object.__setattr__(self, "rendering", rendering)
        object.__setattr__(self, "packaging", packaging)

    def __reduce__(self) -> tuple[type[ExportOptions], tuple[object, ...]]:
        # Pickled as the options given, the three parts rebuilt from them: a
        # pickle names only public classes, whatever module the parts live in.
        return ExportOptions, tuple(getattr(self, name) for name in _GIVEN)

    def _zip_time(self, zone: dt.tzinfo) -> dt.datetime | None:
        moment = self.zip_timestamp
        if moment is None or is_naive(moment):
            return moment
        try:
            return moment.astimezone(zone).replace(tzinfo=None)
        except OverflowError:
            raise OptionsError(
                "ExportOptions.zip_timestamp", moment, "is out of range in the export time zone"
            ) from None

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The export time zone."""
        return self.rendering.tz

    def interval_bounds(self) -> Interval | None:
        """The interval as UTC instants, naive bounds read in the export time zone.

        In UTC because aware date-times sharing a time zone compare by wall
        clock, which misorders the two passes through a DST fall-back.
        """
        if self.selection.interval is None:
            return None
        start, end = self.selection.interval
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    def localize(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` as an aware date-time: naive ones are read in the export time zone."""
        if is_naive(moment):
            return moment.replace(tzinfo=parse_timezone("ExportOptions.timezone", self.timezone))
        return moment


#: The file a path's suffix names (compared without regard to case): its
#: format, and whether it is a zip of the CSV. Other suffixes name none.
SUFFIXES: Final = {
    ".csv": (FileFormat.CSV, False),
    ".zip": (FileFormat.CSV, True),
    ".xlsx": (FileFormat.XLSX, False),
    ".parquet": (FileFormat.PARQUET, False),
    ".pq": (FileFormat.PARQUET, False),
}


def packaging_for(options: ExportOptions | None, destination: object) -> Packaging:
    """The file ``options`` write to ``destination``: a path's suffix fills in what they leave out.

    ``out.xlsx`` is a workbook, ``out.parquet`` (or ``.pq``) a Parquet file,
    ``out.zip`` (``out.csv.zip``) a zip holding the CSV, ``out.csv`` plain
    CSV, when ``file_format`` and ``compress`` are not given. A stream, and a
    path of any other suffix (``.txt``, none), get what the options say, else
    CSV, uncompressed.

    Raises:
        OptionsError: a given ``file_format`` or ``compress`` conflicts with
            the suffix, naming the option, its value and the path.

    >>> packaging_for(ExportOptions(), "out.xlsx").file_format
    <FileFormat.XLSX: 'xlsx'>
    >>> packaging_for(ExportOptions(), "march.csv.zip").compress
    True
    >>> packaging_for(ExportOptions(file_format="csv"), "out.xlsx")
    Traceback (most recent call last):
    ...
    cloudcontact_results.errors.OptionsError: ExportOptions.file_format: conflicts with ...
    """
    options = options if options is not None else ExportOptions()
    packaging = options.packaging
    if not isinstance(destination, str | os.PathLike):
        return packaging
    path = os.fspath(destination)
    if not isinstance(path, str):  # a bytes path names no suffix this table knows
        return packaging
    named = SUFFIXES.get(PurePath(path).suffix.lower())
    if named is None:
        return packaging
    file_format, compress = named
    what = "a zip holding the CSV" if compress else f"a {file_format.value} file"
    for option, given, wanted in (
        ("file_format", options.file_format, file_format),
        ("compress", options.compress, compress),
    ):
        if given is None or given == wanted:
            continue
        reason = f"conflicts with the destination {path!r}, whose suffix names {what}"
        if option == "compress" and file_format is not FileFormat.CSV:
            reason += (
                f"; a {file_format.value} file is compressed already, compress applies to CSV only"
            )
        raise OptionsError(
            f"ExportOptions.{option}",
            given.value if isinstance(given, FileFormat) else given,
            f"{reason} (leave {option} unset, or change the suffix)",
        )
    return attrs.evolve(packaging, file_format=file_format, compress=compress)


#: The options :class:`ExportOptions` is built from, in the order of its arguments.
_GIVEN: Final = tuple(field.name for field in attrs.fields(ExportOptions) if field.init)
