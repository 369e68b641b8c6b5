"""How every chart looks: a colour-blind-safe palette, readable counts and shares, "other".

Pure functions and constants, no matplotlib: the figures (``figures.py``)
take their colours, numbers and categories from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from .._types import Language

__all__ = [
    "MISSING",
    "NO_DATA",
    "OTHER",
    "OTHER_COLOUR",
    "PALETTE",
    "collapse",
    "colours",
    "compact_count",
    "percent",
    "shorten",
]

#: Okabe and Ito's eight colours, told apart with every common colour-vision
#: deficiency; black left out (it reads as text), blue first.
PALETTE: Final = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442")
#: The colour of "other": a neutral grey, never one of the palette's.
OTHER_COLOUR: Final = "#999999"

#: What a chart says when its table has no rows.
NO_DATA: Final = {Language.EN: "No data", Language.RU: "Нет данных"}
#: The name of the categories a chart collapses together.
OTHER: Final = {Language.EN: "other", Language.RU: "прочие"}
#: A missing category (an attempt without a disposition, say).
MISSING: Final = {Language.EN: "(none)", Language.RU: "(нет)"}

#: Thousands, millions, billions: the scale and its short name in each language.
_UNITS: Final = (
    (1_000, "k", "тыс."),
    (1_000_000, "M", "млн"),
    (1_000_000_000, "B", "млрд"),
)
#: Counts below this are written in full, digits grouped.
_IN_FULL: Final = 10_000
_NO_BREAK_SPACE: Final = "\u00a0"
#: The longest name a chart writes beside a bar or in a legend, in characters.
NAME_LIMIT: Final = 40


def colours(count: int, *, other_last: bool = False) -> list[str]:
    """``count`` colours of the palette, repeated if need be; grey for a last "other".

    >>> colours(2)
    ['#0072B2', '#E69F00']
    >>> colours(2, other_last=True)
    ['#0072B2', '#999999']
    """
    chosen = [PALETTE[index % len(PALETTE)] for index in range(count)]
    if other_last and chosen:
        chosen[-1] = OTHER_COLOUR
    return chosen


def _decimal(text: str, language: Language) -> str:
    return text.replace(".", ",") if language is Language.RU else text


def compact_count(value: float, language: Language | str = Language.EN) -> str:
    """A count as an axis or a label shows it: in full below 10 000, else 12k, 3.4M.

    >>> compact_count(9500), compact_count(9500, "ru")
    ('9,500', '9\\xa0500')
    >>> compact_count(12_345), compact_count(3_400_000, "ru")
    ('12.3k', '3,4\\xa0млн')
    >>> compact_count(999_960)
    '1M'
    """
    chosen = Language.parse(language)
    whole = round(value)
    sign = "-" if whole < 0 else ""
    size = abs(whole)
    if size < _IN_FULL:
        grouped = f"{size:,}"
        if chosen is Language.RU:
            grouped = grouped.replace(",", _NO_BREAK_SPACE)
        return sign + grouped
    for index, (scale, english, russian) in enumerate(_UNITS):
        scaled = size / scale
        digits = f"{scaled:.1f}" if scaled < 99.95 else f"{scaled:.0f}"
        # 999 960 is 1000.0k: a larger unit reads it as 1M.
        if float(digits) < 1000 or index == len(_UNITS) - 1:
            digits = digits.removesuffix(".0")
            if chosen is Language.RU:
                return f"{sign}{_decimal(digits, chosen)}{_NO_BREAK_SPACE}{russian}"
            return f"{sign}{digits}{english}"
    raise AssertionError("unreachable: the last unit takes every size")  # pragma: no cover


def percent(share: float, language: Language | str = Language.EN) -> str:
    """A share (0.25) as a percentage: a whole number, or one decimal below 10 %.

    >>> percent(0.25), percent(0.034, "ru"), percent(1.0)
    ('25%', '3,4\\xa0%', '100%')
    """
    chosen = Language.parse(language)
    value = share * 100
    digits = f"{value:.1f}" if abs(value) < 9.95 else f"{value:.0f}"
    digits = digits.removesuffix(".0")
    if chosen is Language.RU:
        return f"{_decimal(digits, chosen)}{_NO_BREAK_SPACE}%"
    return f"{digits}%"


def collapse(items: Sequence[tuple[str, float]], keep: int, other: str) -> list[tuple[str, float]]:
    """The ``keep`` largest items, in their order, and the rest summed as ``other``, last.

    A chart of many categories shows the largest and one bar (or colour) for
    the rest; nothing is lost from the sum. Ties keep the first seen. When at
    most one item would go, nothing is collapsed: "other" of one is just that one.

    >>> collapse([("a", 5), ("b", 1), ("c", 3), ("d", 2)], 2, "other")
    [('a', 5), ('c', 3), ('other', 3)]
    """
    if len(items) <= keep + 1:
        return list(items)
    ranked = sorted(range(len(items)), key=lambda index: -items[index][1])
    kept = sorted(ranked[:keep])
    rest = sum(items[index][1] for index in ranked[keep:])
    return [*(items[index] for index in kept), (other, rest)]


def shorten(name: str, limit: int = NAME_LIMIT) -> str:
    """``name`` on one line, cut to ``limit`` characters with an ellipsis: a label, not the data.

    A name of 400 characters would leave a chart no room; the tables beside
    the charts keep every name whole.

    >>> shorten("Список" + chr(10) + "клиентов"), shorten("Ы" * 50, 10)
    ('Список клиентов', 'ЫЫЫЫЫЫЫЫЫ…')
    """
    line = " ".join(name.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
