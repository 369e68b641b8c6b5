"""The one registry of the two reports: format -> row class, columns, row builder, tally.

Code that treats the reports differently looks the difference up here
instead of asking ``if format is SIMPLE``; a third report would be one more
entry. Each report lists its columns per :class:`ReportLayout`: the writer
writes the layout it is asked for, the reader knows the columns of every
layout and requires those all layouts share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final

import attrs

from .._model.campaign import Record
from .._types import ReportFormat, ReportLayout
from ..errors import CampaignMismatchError
from .build import detailed_rows, simple_rows
from .columns import DETAILED_COLUMNS, DETAILED_COLUMNS_5X, SIMPLE_COLUMNS, Column
from .plan import ReportPlan
from .rows import DetailedRow, SimpleRow
from .tally import DetailedTally, SimpleTally, Tally

__all__ = ["DETAILED", "KINDS", "SIMPLE", "ReportKind", "kind_of", "kind_of_row"]


@attrs.frozen(eq=False)  # one object per report: compared and hashed by identity
class ReportKind:
    """One report: its rows, its columns, how rows are built and tallied.

    Attributes:
        format: the format whose layout this is (``DETAILED`` also serves
            ``DETAILED_INTERVAL``, which selects rows differently, not lays them out).
        row_class: the typed row.
        columns: the report columns of the manual's layout (the default), in
            the order of ``row_class``'s attributes after ``fields`` and ``script_fields``.
        rows: builds the rows of records following a plan, lazily.
        tally: makes an empty tally of rows for :func:`summary`.
        layouts: the report columns of each layout, in the order they are written.
        known_columns: every column of every layout, in the order of
            ``row_class``'s attributes (those no layout shares last, with defaults).
        required: the attributes of the columns every layout has.
    """

    format: ReportFormat
    row_class: type[SimpleRow | DetailedRow]
    columns: tuple[Column, ...]
    rows: Callable[[ReportPlan, Iterable[Record]], Iterator[Any]]
    tally: Callable[[], Tally]
    layouts: Mapping[ReportLayout, tuple[Column, ...]]
    known_columns: tuple[Column, ...] = attrs.field(init=False)
    required: frozenset[str] = attrs.field(init=False)

    @known_columns.default
    def _known_columns(self) -> tuple[Column, ...]:
        known = dict.fromkeys(self.columns)
        for columns in self.layouts.values():
            known.update(dict.fromkeys(columns))
        return tuple(known)

    @required.default
    def _required(self) -> frozenset[str]:
        layouts = [frozenset(c.attribute for c in columns) for columns in self.layouts.values()]
        return frozenset.intersection(*layouts)

    def columns_in(self, layout: ReportLayout) -> tuple[Column, ...]:
        """The report columns written in ``layout``, in order."""
        return self.layouts[layout]


SIMPLE: Final = ReportKind(
    ReportFormat.SIMPLE,
    SimpleRow,
    SIMPLE_COLUMNS,
    simple_rows,
    SimpleTally,
    # Bright Pattern 5.x documents the simple report with the manual's columns.
    {ReportLayout.MANUAL: SIMPLE_COLUMNS, ReportLayout.V5: SIMPLE_COLUMNS},
)
DETAILED: Final = ReportKind(
    ReportFormat.DETAILED,
    DetailedRow,
    DETAILED_COLUMNS,
    detailed_rows,
    DetailedTally,
    {ReportLayout.MANUAL: DETAILED_COLUMNS, ReportLayout.V5: DETAILED_COLUMNS_5X},
)
#: Every layout, longest first: a detailed header is never mistaken for a shorter one.
KINDS: Final = (DETAILED, SIMPLE)

_BY_FORMAT: Final[Mapping[ReportFormat, ReportKind]] = {
    ReportFormat.SIMPLE: SIMPLE,
    ReportFormat.DETAILED: DETAILED,
    ReportFormat.DETAILED_INTERVAL: DETAILED,
}
_BY_ROW_CLASS: Final[Mapping[type, ReportKind]] = {kind.row_class: kind for kind in KINDS}


def kind_of(report_format: ReportFormat) -> ReportKind:
    """The report ``report_format`` lays out."""
    return _BY_FORMAT[report_format]


def kind_of_row(row: object) -> ReportKind:
    """The report ``row`` belongs to.

    Raises:
        CampaignMismatchError: ``row`` is not a report row.
    """
    kind = _BY_ROW_CLASS.get(type(row))
    if kind is None:
        raise CampaignMismatchError("row", row, "must be a SimpleRow or a DetailedRow")
    return kind
