"""How a message shows a value: ``repr`` cut short, its full size said.

A hostile file must not make a message (or a terminal line) megabytes long,
so every message of the library quotes what it got through :func:`shown`.
This module is at the bottom of the package with :mod:`cloudcontact_results.errors`
and imports nothing of the library.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["REASON_CHARACTERS", "SHOWN_CHARACTERS", "cut", "shown"]

#: How much of an offending value a message shows.
SHOWN_CHARACTERS: Final = 200

#: Reasons are the library's own, but may quote names from a file (a zip's member list…).
REASON_CHARACTERS: Final = 5 * SHOWN_CHARACTERS


def shown(value: Any) -> str:
    """``repr(value)`` as a message shows it: cut to :data:`SHOWN_CHARACTERS`, its size said.

    >>> shown("Иванов")
    "'Иванов'"
    >>> shown("x" * 5000)[-28:]
    "x'… (5000 characters in all)"
    """
    if isinstance(value, str | bytes) and len(value) > SHOWN_CHARACTERS:
        return f"{value[:SHOWN_CHARACTERS]!r}… ({len(value)} characters in all)"
    text = repr(value)
    if len(text) > SHOWN_CHARACTERS:
        return f"{text[:SHOWN_CHARACTERS]}… ({len(text)} characters in all)"
    return text


def cut(text: str, limit: int = SHOWN_CHARACTERS) -> str:
    """``text`` itself, or its first ``limit`` characters and its size.

    >>> cut("x" * 300, 5)
    'xxxxx… (300 characters in all)'
    """
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters in all)"
