"""Whether a record or an attempt fits its campaign: the one rule, and its messages.

A record fits when its list is one of the campaign's, its fields are among
that list's columns, and each of its attempts fits: its script values are
values of the campaign's script fields, and its dispositions are known to the
campaign as :class:`DispositionRule` asks. Every part of the library that
takes records in (reports, the results store, JSON Lines, the platform's
JSON) checks them here, or tests first the sets :class:`CampaignFit` keeps
and asks it only when those do not clear a record, so that one record is
refused the same way, with the same message, wherever it goes.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Final

from .._closest import did_you_mean
from .._types import Language
from ..errors import CampaignMismatchError, UnknownDispositionError
from .campaign import Attempt, Campaign, Record
from .dispositions import SYSTEM_DISPOSITIONS, Disposition
from .frozen import EMPTY_TEXT_MAP

__all__ = [
    "CampaignFit",
    "DispositionRule",
    "not_a_column",
    "not_a_disposition",
    "not_a_list",
    "not_a_script_field",
]


def not_a_list(campaign: Campaign, name: object) -> str:
    """Why the list name ``name`` is refused: it is not one of ``campaign``'s lists."""
    lists = [calling_list.name for calling_list in campaign.lists]
    return f"is not a list of campaign {campaign.name!r}{did_you_mean(name, lists)}"


def not_a_column(list_name: str, name: object, columns: Iterable[str] = ()) -> str:
    """Why the field ``name`` is refused: it is not one of ``columns``, list ``list_name``'s."""
    return f"is not a column of list {list_name!r}{did_you_mean(name, columns)}"


def not_a_script_field(campaign: Campaign) -> str:
    """Why a script value's name is refused: ``campaign``'s script has no such field."""
    return f"is not a script field of campaign {campaign.name!r}"


def not_a_disposition(campaign: Campaign, name: object) -> str:
    """Why the disposition ``name`` is refused: neither ``campaign`` nor the system knows it."""
    known = [
        label
        for disposition in (*campaign.dispositions, *SYSTEM_DISPOSITIONS)
        for label in (disposition.name, disposition.label(Language.RU))
    ]
    return (
        f"is neither a disposition of campaign {campaign.name!r} nor a system one"
        f"{did_you_mean(name, known)}"
    )


class DispositionRule(enum.Enum):
    """Which dispositions of an attempt fit the campaign."""

    #: As the campaign defines them (:meth:`Campaign.defined_form`): what the
    #: store and JSON Lines keep by name, so that nothing changes silently.
    DEFINED = "defined"
    #: Any of a name the campaign or the system knows, whatever its code and
    #: finality: what a report shows (with the attempt's own code).
    NAMED = "named"
    #: Any disposition: a report that shows an unknown one as *Disposition not found*.
    ANY = "any"


#: How many dispositions a fit remembers by identity (records that build their own objects).
_REMEMBERED: Final = 256


class CampaignFit:
    """The one rule of whether records and attempts fit ``campaign``, ready to ask often.

    Fast paths may test :attr:`columns` and :attr:`script_names` themselves
    and :meth:`knows` for each disposition; whatever they do not clear they
    give to :meth:`check_record` or :meth:`check_attempt`, which raise the
    error naming what does not fit.

    Args:
        campaign: the campaign.
        dispositions: which dispositions fit.
        advice: added to the reason of an attempt's unknown disposition (a
            report says how to report it instead).
    """

    __slots__ = ("_advice", "_known", "_rule", "campaign", "columns", "script_names")

    def __init__(
        self,
        campaign: Campaign,
        dispositions: DispositionRule = DispositionRule.DEFINED,
        *,
        advice: str = "",
    ) -> None:
        self.campaign = campaign
        #: The columns of each of the campaign's lists, by list name.
        self.columns = {cl.name: frozenset(cl.columns) for cl in campaign.lists}
        #: The campaign's script fields, exported or not.
        self.script_names = frozenset(field.name for field in campaign.script_fields)
        self._rule = dispositions
        self._advice = advice
        # Records share their Disposition objects: one that fits is remembered
        # by identity (and held, so that no other object can take its id).
        self._known: dict[int, Disposition] = {}

    # --- the parts of the rule ---------------------------------------------------

    def list_columns(self, where: str, list_name: object) -> frozenset[str]:
        """The columns of the campaign's list called ``list_name``.

        Raises:
            CampaignMismatchError: the campaign has no such list.
        """
        columns = self.columns.get(list_name) if isinstance(list_name, str) else None
        if columns is None:
            raise CampaignMismatchError(where, list_name, not_a_list(self.campaign, list_name))
        return columns

    def check_fields(self, where: str, list_name: str, names: Iterable[str]) -> None:
        """Refuse the first of ``names`` that is not a column of the list ``list_name``.

        Raises:
            CampaignMismatchError: naming the first field outside the list's columns.
        """
        columns = self.list_columns(where, list_name)
        for name in names:
            if name not in columns:
                raise CampaignMismatchError(where, name, not_a_column(list_name, name, columns))

    def check_script_values(self, where: str, names: Iterable[str]) -> None:
        """Refuse the first of ``names`` that is not a script field of the campaign.

        Raises:
            CampaignMismatchError: naming the first one the script lacks.
        """
        script_names = self.script_names
        for name in names:
            if name not in script_names:
                raise CampaignMismatchError(where, name, not_a_script_field(self.campaign))

    def find_disposition(self, where: str, name: str) -> Disposition:
        """The campaign's or the system's disposition called ``name``.

        Raises:
            UnknownDispositionError: neither knows it.
        """
        found = self.campaign.find_disposition(name)
        if found is None:
            raise UnknownDispositionError(where, name, not_a_disposition(self.campaign, name))
        return found

    def knows(self, disposition: Disposition) -> bool:
        """Was ``disposition`` (this very object) found to fit before? A look-up by identity."""
        return self._known.get(id(disposition)) is disposition

    def check_disposition(self, where: str, disposition: Disposition) -> Disposition | None:
        """How the campaign knows ``disposition`` (None: unknown, and the rule is ANY).

        Raises:
            UnknownDispositionError: the campaign does not know it as the rule asks.
        """
        campaign = self.campaign
        known = campaign.find_disposition(disposition.name)
        if known is None and self._rule is not DispositionRule.ANY:
            raise UnknownDispositionError(where, disposition.name, self._unknown(disposition.name))
        if known is not None and self._rule is DispositionRule.DEFINED:
            defined = campaign.defined_form(disposition)
            if defined is None:
                raise UnknownDispositionError(
                    where,
                    disposition.name,
                    f"has code {disposition.code!r} and final={disposition.final}, but "
                    f"campaign {campaign.name!r} defines it as code {known.code!r}, "
                    f"final={known.final} (as the campaign defines it is what is kept)",
                )
            known = defined
        if len(self._known) >= _REMEMBERED:
            self._known.clear()
        self._known[id(disposition)] = disposition
        return known

    def _unknown(self, name: str) -> str:
        reason = not_a_disposition(self.campaign, name)
        return f"{reason} ({self._advice})" if self._advice else reason

    # --- the whole rule ----------------------------------------------------------

    def check_attempt(self, where: str, attempt: Attempt) -> None:
        """Check ``attempt``: its script values, then its call and its record disposition.

        ``where`` names the attempt (``"Record '7'.attempts[0]"``); errors name
        its field after it.

        Raises:
            CampaignMismatchError: a script value of a field the script lacks.
            UnknownDispositionError: a disposition the campaign does not know
                as the rule asks.
        """
        values = attempt.script_values
        if values and not self.script_names.issuperset(values):
            self.check_script_values(f"{where}.script_values", values)
        call, completion = attempt.call_disposition, attempt.record_disposition
        if call is not None and not self.knows(call):
            self.check_disposition(f"{where}.call_disposition", call)
        if completion is not None and not self.knows(completion):
            self.check_disposition(f"{where}.record_disposition", completion)

    def check_record(self, record: Record) -> None:
        """Check ``record``: its list, its fields, then each attempt in order.

        Raises:
            CampaignMismatchError: its list is not the campaign's, a field is not
                a column of its list, or a script value is of no script field.
            UnknownDispositionError: a disposition the campaign does not know
                as the rule asks.
        """
        name = f"Record {record.id!r}"
        columns = self.list_columns(f"{name}.list_name", record.list_name)
        # Set comparisons first: the loops only find what to name.
        if not columns.issuperset(record.fields):
            self.check_fields(f"{name}.fields", record.list_name, record.fields)
        script_names, known = self.script_names, self._known
        for position, attempt in enumerate(record.attempts):
            values = attempt.script_values
            call, completion = attempt.call_disposition, attempt.record_disposition
            if (
                (values is not EMPTY_TEXT_MAP and not script_names.issuperset(values))
                or (call is not None and known.get(id(call)) is not call)
                or (completion is not None and known.get(id(completion)) is not completion)
            ):
                self.check_attempt(f"{name}.attempts[{position}]", attempt)
