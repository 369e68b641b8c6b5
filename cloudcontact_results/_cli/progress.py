"""Progress of long command-line runs: items done and items per second, on a terminal only."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO, TypeVar

__all__ = ["tracked"]

_T = TypeVar("_T")

#: Checking the clock on every item would cost more than the items themselves.
_CHECK_EVERY = 64


def tracked(
    items: Iterable[_T],
    what: str,
    stream: TextIO | None = None,
    *,
    delay: float = 1.0,
    every: float = 0.5,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[_T]:
    """Yield ``items``, showing ``<n> <what>, <rate>/s`` on ``stream`` as they pass.

    Nothing is written unless ``stream`` (default: ``sys.stderr``) is a
    terminal, and nothing before ``delay`` seconds: short runs, pipes and log
    files stay clean. The line is rewritten in place and erased at the end.
    """
    out = sys.stderr if stream is None else stream
    if not out.isatty():
        yield from items
        return
    started = clock()
    next_update = started + delay
    count = 0
    width = 0
    try:
        for item in items:
            yield item
            count += 1
            if count % _CHECK_EVERY:
                continue
            now = clock()
            if now < next_update:
                continue
            next_update = now + every
            rate = count / (now - started) if now > started else 0.0
            line = f"{_grouped(count)} {what}, {_grouped(round(rate))}/s"
            out.write("\r" + line.ljust(width))
            out.flush()
            width = len(line)
    finally:
        if width:
            out.write("\r" + " " * width + "\r")
            out.flush()


def _grouped(number: int) -> str:
    return f"{number:,}".replace(",", "\N{NO-BREAK SPACE}")
