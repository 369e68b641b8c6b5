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

import functools
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

#: A row's number (None when the row has none of its own: calamine and openpyxl
#: would number it otherwise) and a cell's reference, as every writer puts them first.
_ROW: Final = re.compile(rb'<row(?: r="([0-9]{1,7})"|[ />])')
_COLUMN: Final = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_CELL_ROW: Final = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
_CELL: Final = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
#: What calamine places otherwise than openpyxl, or reads otherwise: a cell or
#: a row without its reference first, an element with a namespace prefix, a
#: reference that is no plain one, a cell of a type other than text, number,
#: boolean or date: an error cell (calamine gives it as empty) or a type no
#: writer writes (calamine reads its inline text, openpyxl nothing).
_UNPLACED_CELL: Final = re.compile(rb'<c(?! r="[A-Z]{1,3}[0-9]{1,7}")[ />]')
_UNLIKE: Final = (
    _UNPLACED_CELL,
    re.compile(rb'<row(?! r="[0-9]{1,7}")[ />]'),
    re.compile(rb":(?:c|row)[ />]"),
    re.compile(rb' t="(?!(?:s|str|inlineStr|b|n|d)")'),
)
_SHEET_DATA: Final = b"sheetData"
#: Text of white space alone, not marked to be kept (``xml:space="preserve"``),
#: after ``<t>`` or a prefixed ``:t>``: calamine drops it, openpyxl keeps it. In
#: any part (shared strings too). Sought from ``t>``, which the search finds
#: fast; the byte before is looked at only where the rest matches.
_BLANK_TEXT: Final = re.compile(rb"t>[ \t\r\n]+</")


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
    """The survey of one part, chunk by chunk.

    The cells are many (a report's row holds some thirty), so they are not
    collected one by one: one search per chunk looks for the only cells that
    tell something new, a cell without its reference, or one beyond the
    widest column seen so far or below the chunk's last cell. A sheet written
    in order has none, and the chunk's last cell gives its height; a chunk
    that has one is surveyed cell by cell.
    """

    sheet: bool = False
    unlike: bool = False
    blank_text: bool = False
    last_row: int = 0
    width: int = 0
    height: int = 0

    def add(self, text: bytes, fresh: int) -> None:
        """Survey ``text``, whose bytes from ``fresh`` on were never seen."""
        self.sheet = self.sheet or _SHEET_DATA in text
        self.blank_text = self.blank_text or _holds_blank_text(text)
        if self.unlike:
            return
        # A tag cut by the chunk's end may look unlike itself: only what
        # starts before the overlap counts now; the rest comes again next time.
        before = len(text) - _OVERLAP
        self.unlike = _holds_unlike(text, before, _UNLIKE[2:]) or self._rows_unlike(
            text, fresh, before
        )
        if self.unlike:
            return
        last = _last_cell(text)
        news = _news(self.width, last[1] if last else 0).search(text)
        if news is None or news.start() >= before:
            if last is not None:
                self.width = max(self.width, _column_number(last[0]))
                self.height = max(self.height, last[1])
            return
        self._cells(text, before)

    def _rows_unlike(self, text: bytes, fresh: int, before: int) -> bool:
        """Does ``text`` hold a row without its number, or out of order?"""
        for match in _ROW.finditer(text):
            if match[1] is None:
                if match.start() < before:
                    return True
                continue  # maybe cut: seen whole in the next chunk
            if match.end() <= fresh:
                continue  # seen in the previous chunk
            number = int(match[1])
            if number <= self.last_row:
                return True  # openpyxl skips a row out of order; calamine merges it
            self.last_row = number
        return False

    def _cells(self, text: bytes, before: int) -> None:
        """Survey the cells of ``text`` one by one."""
        self.unlike = _holds_unlike(text, before, (_UNPLACED_CELL,))
        if self.unlike:
            return
        columns = set(_COLUMN.findall(text))
        self.width = max(self.width, *map(_column_number, columns)) if columns else self.width
        rows = set(_CELL_ROW.findall(text))
        self.height = max(self.height, *map(int, rows)) if rows else self.height

    def end(self, tail: bytes) -> None:
        """Survey the part's last bytes, which no later chunk brings again."""
        self.unlike = self.unlike or _holds_unlike(tail, len(tail), _UNLIKE)
        if not self.unlike:
            self._cells(tail, len(tail))

    def grid(self) -> int | None:
        if self.blank_text:
            return None
        if not self.sheet:
            return 0
        if self.unlike:
            return None
        return self.width * self.height


def _holds_blank_text(text: bytes) -> bool:
    return any(
        match.start() > 0 and text[match.start() - 1] in b"<:"
        for match in _BLANK_TEXT.finditer(text)
    )


def _holds_unlike(text: bytes, before: int, patterns: tuple[re.Pattern[bytes], ...]) -> bool:
    """Does ``text`` hold, starting before ``before``, what calamine reads otherwise?"""
    return any(match.start() < before for pattern in patterns for match in pattern.finditer(text))


def _last_cell(text: bytes) -> tuple[bytes, int] | None:
    """The column and row of the last whole cell reference in ``text``, if any."""
    end = len(text)
    while (start := text.rfind(b'<c r="', 0, end)) >= 0:
        match = _CELL.match(text, start)
        if match is not None:
            return match[1], int(match[2])
        end = start  # cut by the chunk's end, or no plain reference
    return None


@functools.lru_cache(maxsize=64)
def _news(width: int, row: int) -> re.Pattern[bytes]:
    """A search for the cells that tell more than ``width`` and ``row`` do.

    That is a cell without its plain reference first, one in a column after
    the ``width``-th, or one in a row after ``row``.
    """
    columns = _above(_letters(width), b"A", b"Z", 3)
    rows = _above(str(row).encode(), b"0", b"9", 7)
    return re.compile(
        rb'<c(?! r="(?!' + columns + rb"[0-9])[A-Z]{1,3}+(?!" + rows + rb'")[0-9]{1,7}")[ />]'
    )


def _above(word: bytes, first: bytes, final: bytes, longest: int) -> bytes:
    """A pattern of the words of letters ``first`` to ``final`` that come after ``word``.

    Words are ordered by length, then letter by letter: so are column
    letters, and numbers written without leading zeros.
    """
    letter = b"[" + first + b"-" + final + b"]"
    choices = []
    if len(word) < longest:
        choices.append(letter + b"{%d,%d}" % (len(word) + 1, longest))
    for place, code in enumerate(word):
        if code < final[0]:
            later = b"[" + bytes([code + 1]) + b"-" + final + b"]"
            rest = len(word) - place - 1
            choices.append(word[:place] + later + letter + b"{%d}" % rest)
    return b"(?:" + b"|".join(choices) + b")" if choices else b"(?!)"


def _letters(number: int) -> bytes:
    """The letters of the ``number``-th column (``b""`` for none)."""
    letters = b""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = bytes([ord("A") + rest]) + letters
    return letters


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
