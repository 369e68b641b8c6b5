"""What every analytics table shares: titles and labels in two languages, frames, a preview.

A table is a frozen attrs class holding a tuple of frozen, typed rows; its
class says what it is called and what each column is (:class:`TableColumn`).
pandas and pyarrow are imported only when a frame or an Arrow table is asked for.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Final, Generic, TypeVar

import attrs

from .._html import html_table
from .._model.campaign import NoMatch
from .._types import Language, import_optional

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["PREVIEW_ROWS", "Cell", "Label", "Table", "TableColumn"]

#: Rows a notebook preview shows; the rest are counted, never rendered.
PREVIEW_ROWS: Final = 20

_RowT = TypeVar("_RowT")


@attrs.frozen
class Label:
    """A text in English and in Russian."""

    en: str
    ru: str

    def __call__(self, language: Language | str = Language.EN) -> str:
        """The text in ``language`` (``"en"`` or ``"ru"``)."""
        return self.ru if Language.parse(language) is Language.RU else self.en


class Cell(enum.Enum):
    """What a column holds, and so its dtype in pandas and its type in Arrow."""

    #: Text (``string`` / ``string``); None is missing. A quota group's
    #: ``NO_MATCH`` is written ``no match``.
    TEXT = "text"
    #: A count, never missing (``int64``).
    COUNT = "count"
    #: A whole number that may be missing: a CPA result, a SIP code (``Int64`` / ``int64``).
    NUMBER = "number"
    #: A share (``float64``): NaN in pandas, null in Arrow, when its whole is 0.
    RATE = "rate"
    #: The start of a period, aware, in the table's zone (``datetime64[us, zone]``).
    TIME = "time"


@attrs.frozen
class TableColumn:
    """One column of an analytics table.

    Attributes:
        name: the attribute of the table's rows, and the column's name in frames.
        label: what a chart or a report calls it, in English and Russian.
        cell: what it holds.
    """

    name: str
    label: Label
    cell: Cell


class Table(Generic[_RowT]):
    """The shared face of the analytics tables: rows, title, labels, frames, preview.

    Subclasses are frozen attrs classes with ``rows`` (a tuple of typed rows)
    and ``timezone`` (the IANA zone their times and periods are in), and set
    :attr:`TITLE` and :attr:`COLUMNS`.
    """

    __slots__ = ()

    #: The table's title, in English and Russian.
    TITLE: ClassVar[Label]
    #: The table's columns, in the order of its rows' attributes.
    COLUMNS: ClassVar[tuple[TableColumn, ...]]

    rows: tuple[_RowT, ...]
    timezone: str

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[_RowT]:
        return iter(self.rows)

    def title(self, language: Language | str = Language.EN) -> str:
        """The table's title in ``language``."""
        return self.TITLE(language)

    def labels(self, language: Language | str = Language.EN) -> tuple[str, ...]:
        """The column labels in ``language``, in column order."""
        return tuple(column.label(language) for column in self.COLUMNS)

    def _values(self, column: TableColumn) -> list[Any]:
        return [getattr(row, column.name) for row in self.rows]

    def to_pandas(self) -> pd.DataFrame:
        """The table as a DataFrame (needs ``pip install 'cloudcontact-results[pandas]'``).

        Columns are named after the rows' attributes: counts ``int64``, CPA
        results and SIP codes ``Int64``, rates ``float64`` (NaN where the whole
        is 0), text ``string``, periods ``datetime64[us, zone]`` in the table's zone.
        """
        pandas = import_optional("pandas", "pandas", f"{type(self).__name__}.to_pandas()")
        data = {
            column.name: _series(pandas, column, self._values(column), self.timezone)
            for column in self.COLUMNS
        }
        frame: pd.DataFrame = pandas.DataFrame(
            data, columns=[column.name for column in self.COLUMNS]
        )
        return frame

    def to_arrow(self) -> pa.Table:
        """The table as an Arrow table (needs ``pip install 'cloudcontact-results[arrow]'``).

        The types follow :meth:`to_pandas`; a rate whose whole is 0 is null.
        """
        pyarrow = import_optional("pyarrow", "arrow", f"{type(self).__name__}.to_arrow()")
        arrays = [
            _array(pyarrow, column, self._values(column), self.timezone) for column in self.COLUMNS
        ]
        table: pa.Table = pyarrow.table(arrays, names=[column.name for column in self.COLUMNS])
        return table

    def to_html(self, language: Language | str = Language.EN, max_rows: int = PREVIEW_ROWS) -> str:
        """A small HTML table: the title, the labels and the first ``max_rows`` rows."""
        shown = self.rows[: max(max_rows, 0)]
        cells = [[_text(getattr(row, c.name), c.cell) for c in self.COLUMNS] for row in shown]
        hidden = len(self.rows) - len(shown)
        more = ""
        if hidden:
            english = Language.parse(language) is Language.EN
            more = f"… {hidden} more rows" if english else f"… ещё строк: {hidden}"
        caption = f"{self.title(language)} ({len(self.rows)})"
        return html_table(caption, self.labels(language), cells, more=more)

    def _repr_html_(self) -> str:
        return self.to_html()


def _text(value: Any, cell: Cell) -> str:
    """A cell as a preview shows it."""
    if value is None:
        return ""
    if cell is Cell.RATE:
        return f"{value:.1%}"
    if cell is Cell.TIME:
        return str(value.strftime("%Y-%m-%d %H:%M %Z"))
    if isinstance(value, NoMatch):
        return value.label()
    if cell is Cell.NUMBER:
        return str(int(value))
    return str(value)


def _plain(value: Any) -> Any:
    """A cell as frames hold it: ``NO_MATCH`` as its English label, CPA results as numbers."""
    if isinstance(value, NoMatch):
        return value.label()
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    return value


def _utc(values: list[Any]) -> list[Any]:
    return [None if value is None else value.astimezone(dt.UTC) for value in values]


def _series(pd: Any, column: TableColumn, values: list[Any], timezone: str) -> Any:
    cell = column.cell
    if cell is Cell.TIME:
        times = pd.to_datetime(_utc(values), utc=True)
        return pd.Series(times, dtype="datetime64[us, UTC]").dt.tz_convert(timezone)
    if cell is Cell.RATE:
        return pd.array(
            [float("nan") if value is None else value for value in values], dtype="float64"
        )
    if cell is Cell.COUNT:
        return pd.array(values, dtype="int64")
    if cell is Cell.NUMBER:
        return pd.array([_plain(value) for value in values], dtype="Int64")
    return pd.array([_plain(value) for value in values], dtype="string")


def _array(pa: Any, column: TableColumn, values: list[Any], timezone: str) -> Any:
    cell = column.cell
    if cell is Cell.TIME:
        return pa.array(_utc(values), type=pa.timestamp("us", tz=timezone))
    if cell is Cell.RATE:
        return pa.array(values, type=pa.float64())
    if cell in (Cell.COUNT, Cell.NUMBER):
        return pa.array([_plain(value) for value in values], type=pa.int64())
    return pa.array([_plain(value) for value in values], type=pa.string())
