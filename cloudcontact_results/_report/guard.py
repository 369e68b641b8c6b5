"""The formula-injection guard: cells a spreadsheet would evaluate get a leading quote."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["TRIGGERS", "guard_cell", "guarded", "unguard_cell"]

#: The first characters that can make :func:`guard_cell` change a cell; no other can.
TRIGGERS = frozenset("=@\t\r+-'")
_PLAIN_NUMBER = re.compile(r"[+-]\d+(?:[.,]\d+)?")


def _is_formula_like(text: str) -> bool:
    """Would a spreadsheet read ``text`` as a formula, or is it quotes before such text?"""
    text = text.lstrip("'")
    first = text[:1]
    if first in ("=", "@", "\t", "\r"):
        return True
    if first in ("+", "-"):
        return _PLAIN_NUMBER.fullmatch(text) is None
    return False


def guard_cell(text: str) -> str:
    """``text`` made safe for a spreadsheet: formula-like text gets a leading ``'``.

    ``+``/``-`` followed by a plain number (a phone number, a negative amount)
    is left alone; a genuine leading ``'`` before formula-like text is quoted
    the same way, so :func:`unguard_cell` restores every value exactly.

    >>> guard_cell("=HYPERLINK(\\"x\\")"), guard_cell("+79161234567"), guard_cell("-5")
    ('\\'=HYPERLINK("x")', '+79161234567', '-5')
    >>> guard_cell("'=1")
    "''=1"
    """
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


def unguard_cell(text: str) -> str:
    """Undo :func:`guard_cell`.

    >>> unguard_cell(guard_cell("@SUM(A1)"))
    '@SUM(A1)'
    >>> unguard_cell("'plain quote")
    "'plain quote"
    """
    if text[:1] == "'" and _is_formula_like(text[1:]):
        return text[1:]
    return text


def guarded(cells: Iterable[str]) -> list[str]:
    """Every cell of a row through :func:`guard_cell`, untouched cells kept as they are."""
    # The export's hot loop: `cell and cell[0]` is the cheapest test of the first character.
    return [guard_cell(cell) if cell and cell[0] in TRIGGERS else cell for cell in cells]
