"""Did you mean: the valid names closest to one that is not valid.

Every message that refuses a name the library does not know (a time zone, a
list, a disposition, a campaign or a job of a store) adds the closest valid
ones through :func:`did_you_mean`, so a typo is fixed from the message alone.
This module is at the bottom of the package and imports nothing of the library.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Final

__all__ = ["MOST", "closest", "did_you_mean", "suggestion"]

#: How many names a message suggests at most: a few, not a list to read through.
MOST: Final = 3
#: How alike (``difflib``'s ratio) a name must be to be suggested, unless one edit away.
_CUTOFF: Final = 0.6


def closest(
    name: object, choices: Iterable[str] | Mapping[str, str], *, most: int = MOST
) -> tuple[str, ...]:
    """The valid names closest to ``name``, closest first, ``most`` at most.

    Compared without regard to case. A name one edit away (a character
    added, left out, changed, or two swapped) is always close, however short;
    others must be alike as ``difflib.get_close_matches`` measures it.

    Args:
        name: what was given; anything but non-empty text has no close names.
        choices: the valid names; or a mapping from what a user may type
            (``"Moscow"``) to the name to suggest for it (``"Europe/Moscow"``).

    >>> closest("Clints", ["Clients", "Debtors"])
    ('Clients',)
    >>> closest("moscow", {"Moscow": "Europe/Moscow", "Europe/Moscow": "Europe/Moscow"})
    ('Europe/Moscow',)
    >>> closest("xyz", ["Clients"])
    ()
    """
    if not isinstance(name, str) or not name:
        return ()
    targets = choices if isinstance(choices, Mapping) else {choice: choice for choice in choices}
    folded = name.casefold()
    matcher = difflib.SequenceMatcher(b=folded)
    ranked = []
    for order, (typed, target) in enumerate(targets.items()):
        candidate = typed.casefold()
        near = _one_edit_apart(folded, candidate)
        matcher.set_seq1(candidate)
        if near or (
            matcher.real_quick_ratio() >= _CUTOFF
            and matcher.quick_ratio() >= _CUTOFF
            and matcher.ratio() >= _CUTOFF
        ):
            ranked.append((not near, -matcher.ratio(), order, target))
    found: dict[str, None] = {}
    for *_, target in sorted(ranked):
        found.setdefault(target)
    return tuple(found)[:most]


def did_you_mean(name: object, choices: Iterable[str] | Mapping[str, str]) -> str:
    """What a message adds after its reason: `` (did you mean 'A' or 'B'?)``, or nothing.

    >>> did_you_mean("Clints", ["Clients", "Clienty", "Debtors"])
    " (did you mean 'Clients' or 'Clienty'?)"
    >>> did_you_mean("xyz", ["Clients"])
    ''
    """
    return suggestion(closest(name, choices))


def suggestion(names: Iterable[str]) -> str:
    """`` (did you mean 'A', 'B' or 'C'?)`` for ``names``; nothing for none."""
    quoted = [repr(name) for name in names]
    if not quoted:
        return ""
    listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f" (did you mean {listed}?)"


def _one_edit_apart(a: str, b: str) -> bool:
    """Are ``a`` and ``b`` different by one character added, left out, changed, or two swapped?"""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    if len(a) == len(b):
        swapped = a[start + 1 : start + 2] + a[start : start + 1]
        return a[start + 1 :] == b[start + 1 :] or (
            swapped == b[start : start + 2] and a[start + 2 :] == b[start + 2 :]
        )
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return shorter[start:] == longer[start + 1 :]
