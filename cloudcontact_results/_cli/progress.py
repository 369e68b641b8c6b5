"""Progress of long command-line runs, on a terminal only: what, how far of how much, how fast.

The commands pass :func:`shown`'s callback as the ``progress=`` of the API
they call; on a pipe or a log file there is no callback at all, so the work
costs what it costs without one.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

from .._progress import Progress, ProgressCallback, ProgressUnit, counted

__all__ = ["DELAY", "Display", "describe", "shown", "tracked"]

_T = TypeVar("_T")

#: Seconds of work before anything is shown: short runs stay clean.
DELAY = 1.0


class Display:
    """A progress callback rewriting one line in place on a terminal ``stream``.

    Nothing is written before ``delay`` seconds of work: short runs stay
    clean. :meth:`close` erases the line.
    """

    def __init__(self, stream: TextIO, *, delay: float = 1.0) -> None:
        self._stream = stream
        self._delay = delay
        self._width = 0

    def __call__(self, progress: Progress) -> None:
        if progress.elapsed < self._delay:
            return
        line = describe(progress)
        self._stream.write("\r" + line.ljust(self._width))
        self._stream.flush()
        self._width = max(self._width, len(line))

    def close(self) -> None:
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0


@contextlib.contextmanager
def shown(
    stream: TextIO | None = None, *, delay: float | None = None
) -> Iterator[ProgressCallback | None]:
    """A :class:`Display` on ``stream`` (default: ``sys.stderr``) if it is a terminal, else None.

    The line is erased when the block ends, however it ends.
    """
    out = sys.stderr if stream is None else stream
    if not out.isatty():
        yield None
        return
    display = Display(out, delay=DELAY if delay is None else delay)
    try:
        yield display
    finally:
        display.close()


def tracked(
    items: Iterable[_T], what: str, unit: ProgressUnit = "records", *, name: str | None = None
) -> Iterator[_T]:
    """``items``, counted on a terminal's progress line while they pass (for work that
    takes no ``progress=`` of its own)."""
    with shown() as progress:
        if progress is None:
            yield from items
        else:
            yield from counted(items, progress, what, unit, name=name)


def describe(progress: Progress) -> str:
    """One line: ``exporting out.csv: 1 200 / 5 000 records (24%), 600/s, 0:06 left``.

    >>> describe(Progress("reading", 1200, None, "rows", None, 2.0))
    'reading: 1\\xa0200 rows, 600/s'
    """
    what = f"{progress.what} {progress.name}" if progress.name else progress.what
    done = _grouped(progress.done)
    if progress.total is None:
        line = f"{what}: {done} {progress.unit}"
    else:
        fraction = progress.fraction or 0.0
        line = f"{what}: {done} / {_grouped(progress.total)} {progress.unit} ({fraction:.0%})"
    rate = progress.rate
    if rate is not None:
        line += f", {_grouped(round(rate))}/s"
    remaining = progress.remaining
    if remaining is not None and progress.done < (progress.total or 0):
        line += f", {_clock(remaining)} left"
    return line


def _clock(seconds: float) -> str:
    minutes, whole = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{whole:02}" if hours else f"{minutes}:{whole:02}"


def _grouped(number: int) -> str:
    return f"{number:,}".replace(",", "\N{NO-BREAK SPACE}")
