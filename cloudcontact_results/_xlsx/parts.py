"""The one pass over a workbook's zip before any reader sees it: limits, damage, and a survey.

Every part is inflated once, in chunks (zipfile stops a part at its stated
size and checks its CRC), and refused past ``ReadLimits.max_zip_ratio``
times its compressed size (16 MiB always allowed); all parts together may
hold at most 2,000,000 shared strings (counted as their tags' start, ``<si``
or ``:si``, in any part: at most a few more than there are). The same pass surveys the parts that
hold a sheet's cells (``sheetData``): calamine holds a sheet as one grid,
from its first used cell to its last, so a cell at ``XFD1048576`` would ask
it for 17 billion cells. The survey says how big that grid is, and whether
calamine would read the sheet as openpyxl does (cells and rows numbered,
in order, no error cells, no text of white space alone that is not marked to
be kept); the reader streams anything else through openpyxl.
"""

from __future__ import annotations

import re
import zipfile
from typing import Any, Final
from xml.etree import ElementTree as ET

import attrs

from .._files.source import MiB, ReadLimits
from ..errors import ReadError
from .foreign import foreign

__all__ = ["MAX_SHARED_STRINGS", "Survey", "check_parts", "ill_formed"]

#: What any part may inflate to, whatever its compressed size (as for a zipped CSV).
_PART_FLOOR: Final = 16 * MiB
#: The shared strings all parts may hold: each reader keeps them all in memory
#: (openpyxl about 90 bytes for an empty one), so a small part of ``<si/>``
#: could take gigabytes.
MAX_SHARED_STRINGS: Final = 2_000_000
_CHUNK: Final = 1 << 20
#: The end of the previous chunk kept before the next one, so that no tag or
#: reference (at most ``<c r="XFD1048576"``) is cut in two unseen.
_OVERLAP: Final = 32

#: A row's number and a cell's reference, as every writer puts them first.
_ROW: Final = re.compile(rb'<row r="([0-9]{1,7})"')
_COLUMN: Final = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_CELL_ROW: Final = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
#: What calamine places otherwise than openpyxl, or reads otherwise: a cell or
#: a row without its reference first, an element with a namespace prefix, a
#: reference that is no plain one, an error cell (calamine gives it as empty).
_UNLIKE: Final = (
    re.compile(rb'<c(?! r="[A-Z]{1,3}[0-9]{1,7}")[ />]'),
    re.compile(rb'<row(?! r="[0-9]{1,7}")[ />]'),
    re.compile(rb":(?:c|row)[ />]"),
    re.compile(rb' t="e"'),
)
_SHEET_DATA: Final = b"sheetData"
#: Text of white space alone, not marked to be kept (``xml:space="preserve"``):
#: calamine drops it, openpyxl keeps it. In any part (shared strings too).
_BLANK_TEXT: Final = re.compile(rb"[<:]t>[ \t\r\n]+</")


@attrs.frozen
class Survey:
    """What the pass over the parts learnt of the sheets' cells.

    Attributes:
        grid: the cells of the largest grid calamine would hold for a sheet
            (rows times columns, from ``A1`` to the last cell); None when a
            sheet holds something calamine reads otherwise than openpyxl.
    """

    grid: int | None


@attrs.define
class _PartSurvey:
    """The survey of one part, chunk by chunk."""

    sheet: bool = False
    unlike: bool = False
    blank_text: bool = False
    last_row: int = 0
    columns: set[bytes] = attrs.Factory(set)
    rows: set[bytes] = attrs.Factory(set)

    def add(self, text: bytes, fresh: int) -> None:
        """Survey ``text``, whose bytes from ``fresh`` on were never seen."""
        self.sheet = self.sheet or _SHEET_DATA in text
        self.blank_text = self.blank_text or _BLANK_TEXT.search(text) is not None
        if self.unlike:
            return
        # A tag cut by the chunk's end may look unlike itself: only what
        # starts before the overlap counts now; the rest comes again next time.
        self.unlike = _holds_unlike(text, len(text) - _OVERLAP)
        if self.unlike:
            return
        for match in _ROW.finditer(text):
            if match.end() <= fresh:
                continue  # seen in the previous chunk
            number = int(match[1])
            if number <= self.last_row:
                self.unlike = True  # openpyxl skips a row out of order; calamine merges it
                return
            self.last_row = number
        self.columns.update(_COLUMN.findall(text))
        self.rows.update(_CELL_ROW.findall(text))

    def end(self, tail: bytes) -> None:
        """Survey the part's last bytes, which no later chunk brings again."""
        self.unlike = self.unlike or _holds_unlike(tail, len(tail))

    def grid(self) -> int | None:
        if self.blank_text:
            return None
        if not self.sheet:
            return 0
        if self.unlike:
            return None
        width = max((_column_number(letters) for letters in self.columns), default=0)
        height = max((int(number) for number in self.rows), default=0)
        return width * height


def _holds_unlike(text: bytes, before: int) -> bool:
    """Does ``text`` hold, starting before ``before``, what calamine reads otherwise?"""
    return any(match.start() < before for pattern in _UNLIKE for match in pattern.finditer(text))


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def check_parts(target: Any, limits: ReadLimits) -> Survey:
    """Refuse a workbook whose parts are damaged or would take too much to read; survey its sheets.

    Raises:
        ReadError: a part inflates past the limit or is damaged, or the parts
            hold too many shared strings.
    """
    strings = 0
    grid: int | None = 0
    with foreign("the workbook is not a readable zip"):
        archive = zipfile.ZipFile(target)
    with archive:
        for info in archive.infolist():
            name = info.filename
            if info.is_dir():
                continue
            allowed = max(info.compress_size * limits.max_zip_ratio, _PART_FLOOR)
            if info.file_size > allowed:
                raise ReadError(
                    f"the workbook's part {name!r} inflates to {info.file_size} bytes, over "
                    f"ReadLimits.max_zip_ratio ({limits.max_zip_ratio}) times its "
                    f"compressed size ({info.compress_size})"
                )
            tail = b""
            survey = _PartSurvey()
            with foreign(f"the workbook's part {name!r} is damaged"), archive.open(info) as part:
                while chunk := part.read(_CHUNK):
                    text = tail + chunk
                    # A tag cut by the chunk's end is counted with the next one:
                    # the count starts two bytes before the new ones, which
                    # cannot hold a whole tag, so none counts twice.
                    start = max(len(tail) - 2, 0)
                    strings += text.count(b"<si", start) + text.count(b":si", start)
                    survey.add(text, len(tail))
                    tail = text[-_OVERLAP:]
                survey.end(tail)
            if strings > MAX_SHARED_STRINGS:
                raise ReadError(
                    f"the workbook holds more than {MAX_SHARED_STRINGS} shared strings "
                    f"(part {name!r}); a report never needs that many"
                )
            part_grid = survey.grid()
            grid = None if grid is None or part_grid is None else max(grid, part_grid)
    return Survey(grid=grid)


def ill_formed(target: Any) -> str | None:
    """``part 'name' is not well-formed XML; `` for the first XML part that is not, if any.

    Only asked once a reader has failed, to say which part it failed on.
    """
    try:
        with zipfile.ZipFile(target) as archive:
            for info in archive.infolist():
                if not info.filename.lower().endswith((".xml", ".rels")):
                    continue
                parser: ET.XMLPullParser[Any] = ET.XMLPullParser()
                try:
                    with archive.open(info) as part:
                        while chunk := part.read(_CHUNK):
                            parser.feed(chunk)
                            parser.read_events()  # kept from piling up
                        parser.close()
                except ET.ParseError as exc:
                    return f"part {info.filename!r} is not well-formed XML ({exc}); "
    except Exception:  # noqa: BLE001  # only a better message was asked for
        return None
    return None
