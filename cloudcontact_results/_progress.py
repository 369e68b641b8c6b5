"""Progress of long work: the value a progress callback is given, and how often it is given.

Every site that reports progress (exporting, reading, loading a store)
wraps its items with :func:`counted` only when a callback is given, so that
work without one costs exactly what it did.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Final, Literal, TypeAlias, TypeVar

import attrs

__all__ = ["Progress", "ProgressCallback", "ProgressUnit", "Throttle", "counted"]

_T = TypeVar("_T")

#: What is counted: records, report rows, attempts, or bytes of input.
ProgressUnit: TypeAlias = Literal["records", "rows", "attempts", "bytes"]

#: Items between two looks at the clock: looking on every item would cost more than the items.
EVERY: Final = 1000

#: Seconds between two calls of the callback, at least.
SECONDS: Final = 0.25


@attrs.frozen
class Progress:
    """How far a long piece of work has come: what is done, of how much, for how long.

    Attributes:
        what: the work: ``"exporting"``, ``"reading"``, ``"loading"`` or
            ``"ingesting"``.
        done: the units done so far.
        total: the units there are, when known before the end; else None.
        unit: what ``done`` and ``total`` count: ``"records"``, ``"rows"``,
            ``"attempts"`` or ``"bytes"``.
        name: the file written or read, when there is one; else None.
        elapsed: seconds since the work started.

    >>> Progress("exporting", 250, 1000, "records", "out.csv", 2.0).fraction
    0.25
    """

    what: str
    done: int
    total: int | None = None
    unit: ProgressUnit = "records"
    name: str | None = None
    elapsed: float = 0.0

    @property
    def fraction(self) -> float | None:
        """``done / total``, between 0 and 1; None without a total."""
        if self.total is None:
            return None
        return min(self.done / self.total, 1.0) if self.total > 0 else 1.0

    @property
    def rate(self) -> float | None:
        """Units per second so far; None before any time has passed."""
        return self.done / self.elapsed if self.elapsed > 0 else None

    @property
    def remaining(self) -> float | None:
        """Seconds left at the rate so far; None without a total or a rate."""
        rate = self.rate
        if self.total is None or not rate:
            return None
        return max(self.total - self.done, 0) / rate


#: A function given :class:`Progress` values as long work goes on.
ProgressCallback: TypeAlias = Callable[[Progress], None]


class Throttle:
    """Calls a progress callback at most every ``every`` units and ``seconds`` seconds.

    :meth:`advance` is cheap between two looks at the clock; :meth:`finish`
    always calls the callback, with ``done == total`` when the total is known
    and the work went to the end.
    """

    def __init__(
        self,
        callback: ProgressCallback,
        what: str,
        unit: ProgressUnit,
        *,
        total: int | None = None,
        name: str | None = None,
        every: int = EVERY,
        seconds: float = SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._callback = callback
        self._what = what
        self._unit: ProgressUnit = unit
        self.total = total
        self._name = name
        self._every = max(every, 1)
        self._seconds = seconds
        self._clock = clock
        self._started = clock()
        self._last = self._started
        self._next = self._every
        self.done = 0

    def _call(self, now: float) -> None:
        self._last = now
        self._callback(
            Progress(self._what, self.done, self.total, self._unit, self._name, now - self._started)
        )

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more units done, calling the callback when it is time."""
        self.done += count
        if self.done < self._next:
            return
        self._next = self.done + self._every
        now = self._clock()
        if now - self._last >= self._seconds:
            self._call(now)

    def finish(self, done: int | None = None) -> None:
        """The work is over: call the callback once more, with ``done`` units done if given."""
        if done is not None:
            self.done = done
        self._call(self._clock())


def counted(
    items: Iterable[_T],
    callback: ProgressCallback,
    what: str,
    unit: ProgressUnit = "records",
    *,
    total: int | None = None,
    name: str | None = None,
    every: int = EVERY,
    seconds: float = SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[_T]:
    """Yield ``items``, calling ``callback`` with how many have passed (see :class:`Throttle`).

    The last call, when the items are exhausted, has every item counted.

    >>> seen = []
    >>> list(counted("abcde", seen.append, "reading", "rows", total=5, every=2, seconds=0))
    ['a', 'b', 'c', 'd', 'e']
    >>> [(p.done, p.total) for p in seen]
    [(2, 5), (4, 5), (5, 5)]
    """
    throttle = Throttle(
        callback, what, unit, total=total, name=name, every=every, seconds=seconds, clock=clock
    )
    for item in items:
        yield item
        throttle.advance()
    throttle.finish()
