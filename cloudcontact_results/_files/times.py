"""Date-time cells: read in the format given, or in the one form a file's date-times are in.

With a ``datetime_format`` every cell is read with it (``strptime``). Without
one, the file's first date-time decides its *form*, among the library's own
(``2026-03-02 10:00:00``) and those a spreadsheet writes when it re-saves an
export (:data:`FORMS`), and every later date-time must be in that form too: a
file mixing forms was edited by hand or put together from several sources,
and guessing per cell would read some dates with day and month swapped.

The date's separator tells day and month apart, as spreadsheets write them:
``02.03.2026`` is day first (2 March: Russian and most European locales),
``3/2/2026`` is month first (2 March too: Excel in the US). A cell that is no
valid date read that way (``13/2/2026``) is an error, never read the other way.

:class:`TimeCells` is the one reader of time cells: the typed rows, the bulk
DataFrame readers and the workbook reader all take theirs from it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Final

import attrs

from .._types import DEFAULT_DATETIME_FORMAT

__all__ = ["FORMS", "LIBRARY_FORM", "TimeCells", "TimeForm", "form_of"]


@attrs.frozen
class TimeForm:
    """One way of writing a date-time.

    Attributes:
        shape: how messages and docs show it, e.g. ``"DD.MM.YYYY HH:MM"``.
        read: the naive wall-clock time of a cell in this form; ValueError
            for any other text (or an impossible date).
    """

    shape: str
    read: Callable[[str], dt.datetime]


def _strptime(text: str) -> dt.datetime:
    # strptime, not a pattern: it is what the library's own format has always
    # been read with (it also takes unpadded digits, as in "2026-3-2 9:05:00").
    return dt.datetime.strptime(text, DEFAULT_DATETIME_FORMAT)  # noqa: DTZ007  # the zone is the file's, put on by the caller


def _reader(pattern: str) -> Callable[[str], dt.datetime]:
    """A reader of cells matching ``pattern``, whose named groups are the date-time's parts.

    A ``half`` group (AM or PM) makes the hour a 12-hour clock's, 1 to 12.
    """
    compiled = re.compile(pattern, re.ASCII | re.IGNORECASE)

    def read(text: str) -> dt.datetime:
        found = compiled.fullmatch(text)
        if found is None:
            raise ValueError(text)
        parts = found.groupdict()
        hour = int(parts["hour"])
        half = parts.get("half")
        if half is not None:
            if not 1 <= hour <= 12:
                raise ValueError(text)
            hour = hour % 12 + (12 if half.upper() == "PM" else 0)
        return dt.datetime(  # noqa: DTZ001  # the zone is the file's, put on by the caller
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            hour,
            int(parts["minute"]),
            int(parts["second"] or 0),
        )

    return read


# Day, month and hour may have one digit, as spreadsheets write them (9:05, 3/2/2026).
_DAY_MONTH_YEAR: Final = r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})"
_MONTH_DAY_YEAR: Final = r"(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})"
_ISO_DATE: Final = r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
_CLOCK: Final = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})"
_ISO_CLOCK: Final = r"(?P<hour>\d{2}):(?P<minute>\d{2})"
_SECONDS: Final = r":(?P<second>\d{2})"
_NO_SECONDS: Final = r"(?P<second>)"
_HALF: Final = r" (?P<half>AM|PM)"

#: The library's own format, ``DEFAULT_DATETIME_FORMAT``: the fast road of every reader.
LIBRARY_FORM: Final = TimeForm("YYYY-MM-DD HH:MM:SS", _strptime)

#: The forms a file's date-times may be in when no format is given, in the
#: order they are tried on its first date-time (no text is in two of them).
FORMS: Final = (
    LIBRARY_FORM,
    TimeForm("DD.MM.YYYY HH:MM", _reader(f"{_DAY_MONTH_YEAR} {_CLOCK}{_NO_SECONDS}")),
    TimeForm("DD.MM.YYYY HH:MM:SS", _reader(f"{_DAY_MONTH_YEAR} {_CLOCK}{_SECONDS}")),
    TimeForm("M/D/YYYY H:MM AM", _reader(f"{_MONTH_DAY_YEAR} {_CLOCK}{_NO_SECONDS}{_HALF}")),
    TimeForm("M/D/YYYY H:MM:SS AM", _reader(f"{_MONTH_DAY_YEAR} {_CLOCK}{_SECONDS}{_HALF}")),
    TimeForm("M/D/YYYY H:MM", _reader(f"{_MONTH_DAY_YEAR} {_CLOCK}{_NO_SECONDS}")),
    TimeForm("M/D/YYYY H:MM:SS", _reader(f"{_MONTH_DAY_YEAR} {_CLOCK}{_SECONDS}")),
    TimeForm("YYYY-MM-DDTHH:MM", _reader(f"{_ISO_DATE}T{_ISO_CLOCK}{_NO_SECONDS}")),
    TimeForm("YYYY-MM-DDTHH:MM:SS", _reader(f"{_ISO_DATE}T{_ISO_CLOCK}{_SECONDS}")),
)


def form_of(text: str) -> TimeForm:
    """The first of :data:`FORMS` that reads ``text``.

    Raises:
        ValueError: none does.
    """
    for form in FORMS:
        try:
            form.read(text)
        except ValueError:
            continue
        return form
    raise ValueError(text)


#: The spreadsheets' forms, in short.
_SPREADSHEET_SHAPES: Final = (
    "in one a spreadsheet writes: 'DD.MM.YYYY HH:MM[:SS]', 'M/D/YYYY H:MM[:SS] [AM|PM]', "
    "'YYYY-MM-DDTHH:MM[:SS]'"
)


class TimeCells:
    """The time cells of one read of one file: how they are read, and the form they keep to.

    :attr:`parse` converts one cell to an aware date-time (None for an empty
    cell where that is allowed), raising ValueError otherwise. Without a
    ``datetime_format`` the first cell it reads (or :meth:`decide`) fixes
    :attr:`form`, and every later cell must be in it. Build one per pass over
    a file, and share it between the columns and chunks of that pass.
    """

    def __init__(self, datetime_format: str | None, zone: dt.tzinfo, *, required: bool) -> None:
        """``required``: an empty cell is an error (every attempt has a time)."""
        self.datetime_format = datetime_format
        self.zone = zone
        self.required = required
        #: The form of the file's date-times, once a cell decided it (no format given).
        self.form: TimeForm | None = None
        self.parse: Callable[[str], dt.datetime | None] = (
            self._in_one_form() if datetime_format is None else self._formatted(datetime_format)
        )

    @property
    def in_library_format(self) -> bool:
        """Are the cells in the library's own format (as far as is known yet)?

        The bulk readers parse those in one vectorised pass.
        """
        if self.datetime_format is not None:
            return self.datetime_format == DEFAULT_DATETIME_FORMAT
        return self.form is None or self.form is LIBRARY_FORM

    def decide(self, text: str) -> None:
        """Fix the file's form by ``text``, unless it is fixed already or a format was given.

        Raises:
            ValueError: ``text`` is in none of :data:`FORMS`.
        """
        if self.datetime_format is None and self.form is None:
            self.form = form_of(text)

    def reason(self, text: str) -> str:
        """Why :attr:`parse` refused ``text``, for the error message."""
        if not text:
            return "must not be empty (every attempt has a time)"
        if self.datetime_format is not None:
            return f"must be a date-time in the format {self.datetime_format!r}"
        if self.form is not None:
            return (
                f"must be a date-time in the form {self.form.shape!r}, the form of the "
                "file's first date-time (a file keeps to one form)"
            )
        return f"must be a date-time in the form {LIBRARY_FORM.shape!r}, or {_SPREADSHEET_SHAPES}"

    def _formatted(self, fmt: str) -> Callable[[str], dt.datetime | None]:
        zone, required = self.zone, self.required
        strptime = dt.datetime.strptime
        # The default format is ISO 8601 with a space; fromisoformat reads it in C, many
        # times faster than strptime. Anything else takes the strptime road.
        iso = fmt == DEFAULT_DATETIME_FORMAT
        fromisoformat = dt.datetime.fromisoformat

        def parse(text: str) -> dt.datetime | None:
            if not text:
                if required:
                    raise ValueError(text)
                return None
            if iso and len(text) == 19 and text[10] == " ":
                try:
                    return fromisoformat(text).replace(tzinfo=zone)
                except ValueError:
                    pass  # strptime says what is wrong, or reads what fromisoformat does not
            value = strptime(text, fmt)
            return value if value.tzinfo is not None else value.replace(tzinfo=zone)

        return parse

    def _in_one_form(self) -> Callable[[str], dt.datetime | None]:
        zone, required = self.zone, self.required
        fromisoformat = dt.datetime.fromisoformat
        # The library's own form takes fromisoformat's road, as with its format
        # given; only once a cell has shown that the file is in it.
        iso = False

        def parse(text: str) -> dt.datetime | None:
            nonlocal iso
            if not text:
                if required:
                    raise ValueError(text)
                return None
            if iso and len(text) == 19 and text[10] == " ":
                try:
                    return fromisoformat(text).replace(tzinfo=zone)
                except ValueError:
                    pass  # the form's own reader says what is wrong
            form = self.form
            if form is None:
                form = self.form = form_of(text)
            iso = form is LIBRARY_FORM
            return form.read(text).replace(tzinfo=zone)

        return parse
