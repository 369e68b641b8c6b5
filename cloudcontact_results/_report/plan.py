"""What a report of a campaign contains, decided once up front: the plan every row follows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import attrs

from .._model.campaign import CallingList, Campaign, Record
from .._model.dispositions import Disposition, system_disposition
from .._model.fit import CampaignFit, DispositionRule
from .._model.frozen import FrozenTextMap
from .._options import Rendering, Selection
from ..errors import CampaignMismatchError

__all__ = ["ReportPlan"]

_NOT_FOUND = system_disposition("Disposition not found")
#: What a report's error adds to an attempt's unknown disposition.
_REPORT_UNKNOWN = "report_unknown_dispositions=True reports it as 'Disposition not found'"


@attrs.define
class ReportPlan:
    """What a report of ``campaign`` with ``options`` contains, checked once up front.

    It knows the exported lists and their union of columns, the exported script
    fields, the disposition filter resolved to canonical names, and the interval;
    it checks each record against the campaign as the record streams past.
    """

    campaign: Campaign
    selection: Selection
    rendering: Rendering
    list_names: frozenset[str]
    columns: tuple[str, ...]
    script_field_names: tuple[str, ...]
    selected_dispositions: frozenset[str] | None
    interval: tuple[dt.datetime, dt.datetime] | None
    #: Whether a record fits the campaign, as a report asks it.
    fit: CampaignFit
    #: The lists that name their phone columns, by name.
    _phone_lists: dict[str, CallingList]
    _resolved: dict[Disposition, tuple[str | None, str | None]] = attrs.Factory(dict)
    _by_identity: dict[int, tuple[Disposition, tuple[str | None, str | None]]] = attrs.Factory(dict)
    #: The columns of each exported list. A record of such a list whose fields
    #: are all among them passes the checks :meth:`admits` makes of the record
    #: itself: a loop that makes those of its attempts as it goes (every
    #: attempt's script values within the fit's ``script_names``, both its
    #: dispositions through :meth:`disposition`, the call disposition first)
    #: need not ask :meth:`admits`.
    exported_columns: Mapping[str, frozenset[str]] = attrs.field(init=False)
    #: The script_fields of an attempt without script values, shared by all such rows.
    no_script_values: tuple[str, ...] = attrs.field(init=False)

    @exported_columns.default
    def _exported_columns(self) -> Mapping[str, frozenset[str]]:
        return {name: self.fit.columns[name] for name in self.list_names}

    @no_script_values.default
    def _no_script_values(self) -> tuple[str, ...]:
        return ("",) * len(self.script_field_names)

    @classmethod
    def build(cls, campaign: Campaign, selection: Selection, rendering: Rendering) -> ReportPlan:
        """The plan of ``campaign``'s report; checks the selection against the campaign.

        Raises:
            CampaignMismatchError: ``campaign`` is not a Campaign, or a selected list is not its.
            UnknownDispositionError: a selected disposition is unknown to it.
        """
        if not isinstance(campaign, Campaign):
            raise CampaignMismatchError("campaign", campaign, "must be a Campaign")
        fit = CampaignFit(
            campaign,
            DispositionRule.ANY if selection.report_unknown_dispositions else DispositionRule.NAMED,
            advice=_REPORT_UNKNOWN,
        )
        lists = campaign.lists
        if selection.lists is not None:
            for name in selection.lists:
                fit.list_columns("ExportOptions.lists", name)
            lists = tuple(cl for cl in campaign.lists if cl.name in selection.lists)
        columns: dict[str, None] = {}
        for calling_list in lists:
            columns.update(dict.fromkeys(calling_list.columns))
        selected = None
        if selection.dispositions is not None:
            selected = frozenset(
                fit.find_disposition("ExportOptions.dispositions", name).name
                for name in selection.dispositions
            )
        return cls(
            campaign=campaign,
            selection=selection,
            rendering=rendering,
            list_names=frozenset(cl.name for cl in lists),
            columns=tuple(columns),
            script_field_names=tuple(f.name for f in campaign.exported_script_fields),
            selected_dispositions=selected,
            interval=selection.interval,
            fit=fit,
            phone_lists={cl.name: cl for cl in campaign.lists if cl.phone_columns},
        )

    def admits(self, record: Record) -> bool:
        """Check ``record`` against the campaign (its fit); True if its list is exported.

        Raises:
            CampaignMismatchError, UnknownDispositionError: it does not fit.
        """
        self.fit.check_record(record)
        return record.list_name in self.list_names

    def disposition(
        self, record: Record, disposition: Disposition | None
    ) -> tuple[str | None, str | None]:
        """The reported name and code of ``disposition`` (``(None, None)`` for none)."""
        if disposition is None:
            return _NONE
        # Records share their Disposition objects: looking one up by identity
        # skips hashing its fields, which the hot loop would do for every cell.
        known = self._by_identity.get(id(disposition))
        if known is not None and known[0] is disposition:
            return known[1]
        resolved = self._resolved.get(disposition)
        if resolved is None:
            resolved = self._resolve(record, disposition)
            self._resolved[disposition] = resolved
        if len(self._by_identity) >= _IDENTITY_CACHE_SIZE:
            self._by_identity.clear()  # records that build their own objects: stay small
        self._by_identity[id(disposition)] = (disposition, resolved)
        return resolved

    def _resolve(self, record: Record, disposition: Disposition) -> tuple[str | None, str | None]:
        known = self.campaign.find_disposition(disposition.name)
        if known is None:
            # Raises, naming the attempt, unless unknown ones are reported.
            self.fit.check_record(record)
            self.fit.check_disposition(f"Record {record.id!r}", disposition)
            known, disposition = _NOT_FOUND, _NOT_FOUND
        code = disposition.code if disposition.code is not None else known.code
        return known.name, code

    def unattempted_phone(self, record: Record) -> str:
        """Last Phone Called of ``record`` when it has no attempts.

        The first non-empty of its list's phone columns, as the platform shows
        it; ``""`` when the list names none.
        """
        calling_list = self._phone_lists.get(record.list_name)
        return "" if calling_list is None else calling_list.first_phone(record.fields)

    def keeps_disposition(self, *names: str | None) -> bool:
        selected = self.selected_dispositions
        return selected is None or any(name in selected for name in names)

    def inside(self, moment: dt.datetime) -> bool:
        interval = self.interval
        return interval is None or interval[0] <= moment < interval[1]

    def fields_of(self, record: Record) -> Mapping[str, str]:
        """The record's values of the exported list columns, read-only ("" where it has none).

        The rows of one record share this mapping, so it must not change.
        """
        values = record.fields
        if tuple(values) == self.columns:
            # Its own fields in the columns' order (the common case): already
            # read-only, so no copy.
            return values
        return FrozenTextMap.wrap({column: values.get(column, "") for column in self.columns})


_NONE: tuple[None, None] = (None, None)
_IDENTITY_CACHE_SIZE = 256
