"""What a file of typed cells (a workbook, a Parquet file) gives the report reader.

The CSV reader turns text into typed rows line by line; a file whose cells
already carry types is read by its own format's reader, behind this one
interface, and the report facade picks that reader from a table of probes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Protocol

from .._types import FileFormat
from ..errors import ReadError
from .layout import Layout
from .options import ReadOptions
from .rows import Row

if TYPE_CHECKING:
    from .source import Source

__all__ = ["TypedCells", "TypedCellsProbe"]


class TypedCells(Protocol):
    """An open file of typed cells: its header as a layout, then its rows, as often as asked."""

    @property
    def file_format(self) -> FileFormat:
        """``FileFormat.XLSX`` or ``FileFormat.PARQUET``."""
        ...

    @property
    def sheet(self) -> str | None:
        """The sheet read, for a workbook; None for a file without sheets."""
        ...

    def layout(self, script_fields: tuple[str, ...]) -> Layout:
        """The file's columns, with ``script_fields`` among its extra ones."""
        ...

    def rows(
        self, layout: Layout, options: ReadOptions, *, fail: Callable[[ReadError], None]
    ) -> Iterator[Row]:
        """The typed rows, each pass from the start; a bad row goes to ``fail``."""
        ...


class TypedCellsProbe(Protocol):
    """A format of typed cells: whether a source is one, and how it is opened."""

    def __call__(self, source: Source, options: ReadOptions) -> TypedCells | None:
        """The open file when ``source`` is of this format; else None (a stream left as it was)."""
        ...
