"""The formula-injection guard: cells a spreadsheet would evaluate get a leading quote.

A spreadsheet evaluates a cell that starts with ``=``, ``@``, ``+`` or ``-``
(and some strip a leading tab or carriage return first; LibreOffice's "Trim
spaces" import option strips leading spaces). It also splits text where it
sees a delimiter, and a file opened with the other dialect's delimiter (``;``
for a comma file, ``,`` for a semicolon one) or read line by line splits a
cell at every ``,``, ``;``, tab or line break in it. So the guard quotes every
*start* a cell may get: its own first character, and the text after each of
those separators. A start is formula-like when, past any spaces, it begins a
formula; the quote goes before the spaces, so the start is a quote whether or
not the spreadsheet trims them. A quote is added before formula-like text and
before genuine quotes that precede such text, so :func:`unguard_cell` restores
every value exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Final

__all__ = [
    "FORMULA_CHARACTERS",
    "TRIGGERS",
    "changes_joined",
    "embedded",
    "guard_cell",
    "guard_each",
    "guarded",
    "may_change_joined",
    "may_need_guard",
    "unguard_cell",
]

#: The first characters that can make :func:`guard_cell` change a cell's start.
TRIGGERS = frozenset("=@\t\r+-' ")
#: The characters a formula starts with: text holding none of them is never
#: changed by :func:`guard_cell` (quotes and spaces count only before one).
#: Signs first, the commonest in text (phone numbers, hyphens), so that a test
#: of text holding one stops early.
FORMULA_CHARACTERS: Final = "+-=@\t\r"
_PLAIN_NUMBER = re.compile(r"[+-]\d+(?:[.,]\d+)?")
#: What a spreadsheet trimming a cell strips before its text: LibreOffice's
#: "Trim spaces" strips U+0020 only (not tab, no-break or other Unicode spaces).
_SPACE: Final = " "
#: Where a spreadsheet reading with another delimiter, or line by line, starts
#: a new cell (the body of a regex character set).
_SEPARATORS: Final = r",;\t\r\n"
#: A separator, spaces, then a character that may start a formula (or a quote before one).
_EMBEDDED: Final = re.compile(rf"[{_SEPARATORS}]{_SPACE}*['=@+\-]")
_SPLIT: Final = re.compile(rf"([{_SEPARATORS}])")

#: Does a cell hold text after a separator that :func:`guard_cell` may change?
embedded = _EMBEDDED.search

# A search of cells each preceded by NUL (and holding none): a row at once.
# One search clears a whole row, which is most rows; it never misses a cell
# that guard_cell() may change (a false alarm costs only the cell-by-cell
# guard). It looks for the trigger first and only then behind it for the
# start: triggers are rarer than starts (every cell has one), and a search
# that starts with a character set stops at each character of that set (a
# space, in almost every cell, would stop it everywhere).
#
# Any number of spaces may stand between the start and the trigger, and a
# look behind has a fixed width. So one cheap look at the character before
# the trigger (a start or a space) drops most triggers (a hyphen inside a
# word, a date's minus); then fixed looks find a start right before the
# trigger or one or two spaces before it, and three spaces before a trigger
# count as a start whatever precedes them (a false alarm only for text
# aligned with spaces).
_START: Final = rf"[\x00{_SEPARATORS}]"
_AFTER_START: Final = (
    rf"(?<=[\x00{_SEPARATORS}{_SPACE}].)"
    rf"(?:(?<={_START}.)|(?<={_START}{_SPACE}.)|(?<={_START}{_SPACE * 2}.)|(?<={_SPACE * 3}.))"
)

#: A start (a cell's, or one after a separator), maybe spaces, and a trigger,
#: but ``+`` or ``-`` followed by digits to the end of the cell (a phone
#: number, which guard_cell() keeps).
changes_joined: Final = re.compile(
    rf"['=@\t\r+\-]{_AFTER_START}(?:(?<=[+\-])(?!\d+(?:\x00|\Z))|(?<=['=@\t\r]))"
).search


def _is_formula_like(text: str) -> bool:
    """Would a spreadsheet read ``text`` as a formula, or is it quotes before such text?

    Spaces before the formula count: a spreadsheet that trims them evaluates it.
    Quotes come off before spaces, so ``'`` + ``text`` is formula-like exactly
    when ``text`` is, which is what lets :func:`unguard_cell` tell a guard's
    quote from a genuine one.
    """
    text = text.lstrip("'").lstrip(_SPACE)
    first = text[:1]
    if first in ("=", "@", "\t", "\r"):
        return True
    if first in ("+", "-"):
        return _PLAIN_NUMBER.fullmatch(text) is None
    return False


def _guard_start(text: str) -> str:
    if not text:
        return text
    first = text[0]
    if first not in TRIGGERS:
        return text
    # A phone number (+7...) is the common trigger: str.isdecimal() is exactly
    # the regex's \d+ (Unicode category Nd), and much cheaper than the regex.
    if first in "+-" and text[1:].isdecimal():
        return text
    if _is_formula_like(text):
        return "'" + text
    return text


def _unguard_start(text: str) -> str:
    if text[:1] == "'" and _is_formula_like(text[1:]):
        return text[1:]
    return text


def _each_segment(text: str, change: Callable[[str], str]) -> str:
    """``change`` applied to the text after every separator (the separators kept)."""
    parts = _SPLIT.split(text)  # the start, then separators and segments in turn
    for position in range(2, len(parts), 2):
        parts[position] = change(parts[position])
    return "".join(parts)


def guard_cell(text: str) -> str:
    """``text`` made safe for a spreadsheet: formula-like text gets a leading ``'``.

    Spaces before formula-like text count (a spreadsheet may trim them), and
    the ``'`` goes before them. ``+``/``-`` followed by a plain number (a
    phone number, a negative amount) is left alone, after spaces too; a
    genuine leading ``'`` before formula-like text is quoted the same way, so
    :func:`unguard_cell` restores every value exactly. The text after a
    ``,``, ``;``, tab or line break is guarded the same way.

    >>> guard_cell("=HYPERLINK(\\"x\\")"), guard_cell("+79161234567"), guard_cell("-5")
    ('\\'=HYPERLINK("x")', '+79161234567', '-5')
    >>> guard_cell(" =1+1"), guard_cell("  -2+3"), guard_cell(" -5")
    ("' =1+1", "'  -2+3", ' -5')
    >>> guard_cell("'=1"), guard_cell("' =1")
    ("''=1", "'' =1")
    >>> guard_cell("итог;=1+1"), guard_cell("строка\\n@SUM(A1)"), guard_cell("a, -5")
    ("итог;'=1+1", "строка\\n'@SUM(A1)", 'a, -5')
    >>> guard_cell("a, =1"), guard_cell("x;  @SUM(A1)")
    ("a,' =1", "x;'  @SUM(A1)")
    """
    if not text:
        return text
    if _EMBEDDED.search(text) is not None:
        text = _each_segment(text, _guard_start)
    return _guard_start(text)


def unguard_cell(text: str) -> str:
    """Undo :func:`guard_cell`.

    >>> unguard_cell(guard_cell("@SUM(A1)")), unguard_cell(guard_cell("a;=1;'=2"))
    ('@SUM(A1)', "a;=1;'=2")
    >>> unguard_cell("'plain quote")
    "'plain quote"
    """
    text = _unguard_start(text)
    if "'" in text and _EMBEDDED.search(text) is not None:
        text = _each_segment(text, _unguard_start)
    return text


def may_need_guard(cells: list[str]) -> bool:
    """Might :func:`guard_cell` change one of ``cells``? False is sure; one look at them all."""
    return may_change_joined("\x00" + "\x00".join(cells), len(cells))


def may_change_joined(joined: str, count: int) -> bool:
    """:func:`may_need_guard` of ``count`` cells already joined, each after a NUL.

    A cell holding a NUL itself makes the answer yes: the search cannot tell
    where such a cell starts.
    """
    # Most text holds no character a formula starts with, and a test for each
    # (a C search) is several times cheaper than the search, which goes
    # through the text one character at a time.
    return (
        "+" in joined
        or "-" in joined
        or "=" in joined
        or "@" in joined
        or "\t" in joined
        or "\r" in joined
    ) and (changes_joined(joined) is not None or joined.count("\x00") != count)


def guarded(cells: Iterable[str]) -> list[str]:
    """Every cell of a row through :func:`guard_cell`, untouched cells kept as they are."""
    cells = list(cells)
    if not may_need_guard(cells):
        return cells
    return guard_each(cells)


def guard_each(cells: list[str]) -> list[str]:
    """:func:`guarded` without the one look at them all first (the caller made it)."""
    # `cell and cell[0]` is the cheapest test of the first character.
    return [
        guard_cell(cell) if cell and (cell[0] in TRIGGERS or embedded(cell)) else cell
        for cell in cells
    ]
