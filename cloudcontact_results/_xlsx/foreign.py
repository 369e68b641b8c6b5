"""What a reader's library raises on a damaged workbook, as the library's own ReadError."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ..errors import ReadError, ResultsError

__all__ = ["NOT_THE_FILE", "foreign"]

#: What no file causes: interrupts, exits, a generator closed, memory running out.
NOT_THE_FILE = (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)


@contextlib.contextmanager
def foreign(what: str, *, sheet: str | None = None) -> Iterator[None]:
    """Whatever openpyxl, calamine, XML, zip or zlib raise in the block, as a ReadError.

    The message is ``what: <cause>``. Out of memory and an interrupt are no
    property of the file: they go through. calamine reports a bug of its
    own as a ``PanicException``, which is no ``Exception``: it is the
    file that brought it about, so it becomes a ReadError too.
    """
    try:
        yield
    except (ResultsError, *NOT_THE_FILE):
        raise
    except BaseException as exc:  # a damaged workbook raises anything from deep inside
        raise ReadError(f"{what}: {type(exc).__name__}: {exc}", sheet=sheet) from exc
