"""The one registry of the two reports: format -> row class, columns, row builder, tally.

Code that treats the reports differently looks the difference up here
instead of asking ``if format is SIMPLE``; a third report would be one more
entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final

import attrs

from .._model.campaign import Record
from .._types import ReportFormat
from ..errors import CampaignMismatchError
from .build import detailed_rows, simple_rows
from .columns import DETAILED_COLUMNS, SIMPLE_COLUMNS, Column
from .plan import ReportPlan
from .rows import DetailedRow, SimpleRow
from .tally import DetailedTally, SimpleTally, Tally

__all__ = ["DETAILED", "KINDS", "SIMPLE", "ReportKind", "kind_of", "kind_of_row"]


@attrs.frozen
class ReportKind:
    """One report: its rows, its columns, how rows are built and tallied.

    Attributes:
        format: the format whose layout this is (``DETAILED`` also serves
            ``DETAILED_INTERVAL``, which selects rows differently, not lays them out).
        row_class: the typed row.
        columns: the report columns after list columns and script fields, in
            the order of ``row_class``'s attributes after ``fields`` and ``script_fields``.
        rows: builds the rows of records following a plan, lazily.
        tally: makes an empty tally of rows for :func:`summary`.
    """

    format: ReportFormat
    row_class: type[SimpleRow | DetailedRow]
    columns: tuple[Column, ...]
    rows: Callable[[ReportPlan, Iterable[Record]], Iterator[Any]]
    tally: Callable[[], Tally]


SIMPLE: Final = ReportKind(ReportFormat.SIMPLE, SimpleRow, SIMPLE_COLUMNS, simple_rows, SimpleTally)
DETAILED: Final = ReportKind(
    ReportFormat.DETAILED, DetailedRow, DETAILED_COLUMNS, detailed_rows, DetailedTally
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
