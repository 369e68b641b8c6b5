"""The simple and detailed reports as pure, lazy functions over the model (the public face)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .._model.campaign import Campaign, Record
from .._options import ExportOptions
from ..errors import OptionsError
from .build import detailed_rows as _detailed_rows
from .build import simple_rows as _simple_rows
from .kinds import kind_of
from .plan import ReportPlan
from .rows import DetailedRow, SimpleRow

__all__ = ["detailed_rows", "plan_of", "report_header", "report_rows", "simple_rows"]


def plan_of(campaign: Campaign, options: ExportOptions | None) -> ReportPlan:
    """The plan of ``campaign``'s report with ``options`` (``ExportOptions()`` for None).

    Raises:
        OptionsError: ``options`` is not an :class:`ExportOptions`.
        CampaignMismatchError: the options do not fit the campaign.
    """
    if options is None:
        options = ExportOptions()
    elif not isinstance(options, ExportOptions):
        raise OptionsError("options", options, "must be ExportOptions or None")
    return ReportPlan.build(campaign, options.selection, options.rendering)


def header_of(plan: ReportPlan) -> tuple[str, ...]:
    """The header row of ``plan``'s report."""
    rendering = plan.rendering
    columns = kind_of(plan.selection.format).columns_in(rendering.layout)
    return (
        *plan.columns,
        *plan.script_field_names,
        *(column.header(rendering.language) for column in columns),
    )


def report_header(campaign: Campaign, options: ExportOptions | None = None) -> tuple[str, ...]:
    """The header row: list columns, exported script fields, then the report's columns.

    With several lists the list columns are their union, in first-seen order.
    """
    return header_of(plan_of(campaign, options))


def simple_rows(
    campaign: Campaign, records: Iterable[Record], options: ExportOptions | None = None
) -> Iterator[SimpleRow]:
    """One :class:`SimpleRow` per record, lazily, in the order the records are given.

    The options are checked at once; each record is checked against the
    campaign when it is reached. ``options.format`` is not consulted: this is
    always the simple report (the interval keeps records completed inside it).

    Raises:
        CampaignMismatchError: a record does not fit the campaign.
        UnknownDispositionError: a disposition is unknown to the campaign.
    """
    return _simple_rows(plan_of(campaign, options), records)


def detailed_rows(
    campaign: Campaign, records: Iterable[Record], options: ExportOptions | None = None
) -> Iterator[DetailedRow]:
    """One :class:`DetailedRow` per attempt, lazily, records in the order given.

    ``ReportFormat.DETAILED_INTERVAL`` keeps the attempts made inside the
    interval; otherwise the interval keeps every attempt of the records
    completed inside it.

    Raises:
        CampaignMismatchError: a record does not fit the campaign.
        UnknownDispositionError: a disposition is unknown to the campaign.
    """
    return _detailed_rows(plan_of(campaign, options), records)


def report_rows(
    campaign: Campaign, records: Iterable[Record], options: ExportOptions | None = None
) -> Iterator[SimpleRow] | Iterator[DetailedRow]:
    """The rows of the report ``options.format`` asks for."""
    plan = plan_of(campaign, options)
    rows: Iterator[SimpleRow] | Iterator[DetailedRow] = kind_of(plan.selection.format).rows(
        plan, records
    )
    return rows
