"""Records chosen by their results: the source of a redial or a list-cleansing list.

The platform's Lists page: "You can use results of previous campaigns,
filtered by disposition if necessary, as the source of your list data."
:func:`select_records` is that filter, lazy, over any iterable of records.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Any

import attrs

from .._model.campaign import Campaign, Record
from .._model.cpa import CPAResult
from .._model.dispositions import lookup_key
from .._model.fit import not_a_disposition, not_a_list
from .._model.phones import checked_country, normalize_phone
from ..errors import CampaignMismatchError, OptionsError, UnknownDispositionError, ValidationError

__all__ = ["record_phones", "select_records"]


def select_records(
    campaign: Campaign,
    records: Iterable[Record],
    *,
    dispositions: Iterable[str] | None = None,
    completed: bool | None = None,
    attempts_at_least: int | None = None,
    last_cpa: Iterable[CPAResult | int | str] | CPAResult | int | str | None = None,
    not_in: Collection[str] | None = None,
    country: str | None = None,
) -> Iterator[Record]:
    """The records of ``campaign`` whose results pass every filter given, lazily, in order.

    A filter left None keeps every record. The arguments are checked when
    this is called; records are read one at a time as the result is iterated.

    Args:
        campaign: the campaign the records belong to.
        records: any iterable of its records.
        dispositions: disposition names (English or Russian, the campaign's
            or system ones): a record is kept when its Record Disposition or
            its Last Call Disposition is one of them, as the export dialog
            keeps simple rows (``"No numbers left to call"`` for a redial).
        completed: True keeps the completed records, False the open ones.
        attempts_at_least: keeps records with at least this many call
            attempts (Total attempts: dialled attempts only).
        last_cpa: CPA results (members, numbers or names such as
            ``"FAST_BUSY"``): keeps records whose last attempt has one of them
            (``FAST_BUSY`` and ``SIT`` for a bad-number list).
        not_in: phone numbers to leave out (a Do-Not-Call list): a record is
            dropped when one of its phones (its list's phone columns and the
            phones its attempts dialled) is one of them.
        country: normalise the phones on both sides to E.164 before ``not_in``
            compares them (see :func:`normalize_phone`); None compares them as
            written, E.164 where they are international already.

    Raises:
        UnknownDispositionError: a disposition name the campaign does not know.
        OptionsError: any other argument that cannot be taken.
        CampaignMismatchError: (while iterating) a record of a list the
            campaign does not have.

    >>> from cloudcontact_results import demo_campaign
    >>> campaign, records = demo_campaign(records=40)
    >>> redial = select_records(campaign, records, dispositions=["No numbers left to call"])
    >>> all(r.completing_attempt.record_disposition.name == "No numbers left to call"
    ...     for r in redial)
    True
    """
    selected = _dispositions(campaign, dispositions)
    if completed is not None and not isinstance(completed, bool):
        raise OptionsError("completed", completed, "must be True, False or None")
    if attempts_at_least is not None and (
        not isinstance(attempts_at_least, int)
        or isinstance(attempts_at_least, bool)
        or attempts_at_least < 0
    ):
        raise OptionsError("attempts_at_least", attempts_at_least, "must be a whole number >= 0")
    cpa = _cpa_results(last_cpa)
    key = checked_country(country)
    excluded = _excluded(not_in, key)
    filters = _Filters(selected, completed, attempts_at_least, cpa, excluded, key)
    return _selected(campaign, records, filters)


@attrs.frozen
class _Filters:
    """The checked arguments of one :func:`select_records` call."""

    selected: frozenset[str] | None
    completed: bool | None
    attempts_at_least: int | None
    cpa: frozenset[CPAResult] | None
    excluded: frozenset[str] | None
    country: str | None


def _selected(campaign: Campaign, records: Iterable[Record], filters: _Filters) -> Iterator[Record]:
    selected, completed, attempts_at_least = (
        filters.selected,
        filters.completed,
        filters.attempts_at_least,
    )
    cpa, excluded, country = filters.cpa, filters.excluded, filters.country
    lists = {calling_list.name: calling_list.phone_columns for calling_list in campaign.lists}
    for record in records:
        phone_columns = lists.get(record.list_name)
        if phone_columns is None:
            raise CampaignMismatchError(
                f"Record({record.id!r}).list_name",
                record.list_name,
                not_a_list(campaign, record.list_name),
            )
        last, completing = record.last_attempt, record.completing_attempt
        if completed is not None and (completing is not None) is not completed:
            continue
        if attempts_at_least is not None and (
            sum(attempt.is_call_attempt for attempt in record.attempts) < attempts_at_least
        ):
            continue
        if selected is not None:
            names = (
                completing.record_disposition if completing is not None else None,
                last.call_disposition if last is not None else None,
            )
            if not any(d is not None and lookup_key(d.name) in selected for d in names):
                continue
        if cpa is not None and (last is None or last.cpa_result not in cpa):
            continue
        if excluded is not None and not excluded.isdisjoint(
            _comparable(phone, country) for phone in record_phones(record, phone_columns)
        ):
            continue
        yield record


def record_phones(record: Record, phone_columns: Iterable[str]) -> Iterator[str]:
    """The record's non-empty phones: its phone columns', then those its attempts dialled."""
    fields = record.fields
    for column in phone_columns:
        if phone := fields.get(column, ""):
            yield phone
    for attempt in record.attempts:
        if attempt.phone:
            yield attempt.phone


def _comparable(phone: str, country: str | None) -> str:
    """``phone`` in E.164 when it can be; as written when it cannot."""
    try:
        return normalize_phone(phone, country)
    except ValidationError:
        return phone


def _excluded(not_in: Collection[str] | None, country: str | None) -> frozenset[str] | None:
    if not_in is None:
        return None
    if isinstance(not_in, str) or not isinstance(not_in, Iterable):
        raise OptionsError("not_in", not_in, "must be a collection of phone numbers, or None")
    phones = set()
    for phone in not_in:
        if not isinstance(phone, str):
            raise OptionsError("not_in", phone, "must hold phone numbers as text")
        phones.add(_comparable(phone, country))
    return frozenset(phones)


def _dispositions(campaign: Campaign, names: Iterable[str] | None) -> frozenset[str] | None:
    if names is None:
        return None
    if isinstance(names, str):
        names = (names,)
    keys = set()
    for name in names:
        if not isinstance(name, str):
            raise OptionsError("dispositions", name, "must be disposition names (text)")
        found = campaign.find_disposition(name)
        if found is None:
            raise UnknownDispositionError("dispositions", name, not_a_disposition(campaign, name))
        keys.add(lookup_key(found.name))
    return frozenset(keys)


def _cpa_results(value: Any) -> frozenset[CPAResult] | None:
    if value is None:
        return None
    items = (value,) if isinstance(value, str | int) else value
    try:
        items = tuple(items)
    except TypeError:
        raise OptionsError("last_cpa", value, "must be CPA results, or None") from None
    found = set()
    for item in items:
        found.add(_cpa_result(item))
    return frozenset(found)


def _cpa_result(item: Any) -> CPAResult:
    if isinstance(item, CPAResult):
        return item
    if isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= max(CPAResult):
        return CPAResult(item)
    if isinstance(item, str):
        name = item.strip().upper().replace(" ", "_")
        if name in CPAResult.__members__:
            return CPAResult[name]
        if name.isdecimal():
            return _cpa_result(int(name))
    names = ", ".join(member.name for member in CPAResult)
    raise OptionsError("last_cpa", item, f"must be a CPA result 0-9 or one of {names}")
