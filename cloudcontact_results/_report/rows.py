"""Typed report rows: one attribute per report column, plus list columns and script fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import attrs

from .._model.campaign import NoMatch
from .._model.cpa import CPAResult
from .._model.frozen import FrozenTextMap
from .._model.notes import SystemNote

__all__ = ["DetailedRow", "Note", "QuotaGroup", "SimpleRow"]

#: A note cell: the agent's text, or the system note of a failed dial.
Note = str | SystemNote
#: A quota group cell: the group's name, NO_MATCH, or None when not out of quota.
QuotaGroup = str | NoMatch | None

#: The ``extra`` of rows without unknown columns: one shared, read-only, empty mapping.
NO_EXTRA: Mapping[str, str] = FrozenTextMap()


# No weakref slot: the trusted builders make these by a __class__ assignment.
@attrs.frozen(weakref_slot=False)
class SimpleRow:
    """A row of the simple report: one record and its final results.

    Missing text is ``""``; a missing number, time, disposition or code is None.
    Dispositions are given by their canonical (for system ones, English) name.
    ``extra`` holds the cells of columns the reader did not know (header ->
    text, read-only); it is empty for rows built from the model.
    """

    fields: Mapping[str, str]
    script_fields: tuple[str, ...]
    total_attempts: int
    completed: bool
    record_disposition: str | None
    record_disposition_code: str | None
    out_of_quota: bool
    quota_group: QuotaGroup
    last_phone_called: str
    last_call_disposition: str | None
    last_call_disposition_code: str | None
    last_note: Note
    last_call_time: dt.datetime | None
    last_call_duration: int | None
    last_agent: str
    global_interaction_id: str
    list_name: str
    extra: Mapping[str, str] = NO_EXTRA


# No weakref slot: the trusted builders make these by a __class__ assignment.
@attrs.frozen(weakref_slot=False)
class DetailedRow:
    """A row of the detailed report: one attempt of a record.

    ``ani`` and ``action_applied`` are the columns Bright Pattern 5.x adds
    (``""`` when the report has none); ``extra`` is as for :class:`SimpleRow`.
    """

    fields: Mapping[str, str]
    script_fields: tuple[str, ...]
    this_phone_number: str
    is_call_attempt: bool
    completed: bool
    record_disposition: str | None
    record_disposition_code: str | None
    out_of_quota: bool
    quota_group: QuotaGroup
    call_disposition: str | None
    call_disposition_code: str | None
    call_note: Note
    call_time: dt.datetime
    dialing_duration: int
    cpa_duration: int
    answered_duration: int
    agent: str
    cpa_result: CPAResult | None
    cpa_recording_file: str
    cpa_rtp_server_id: str
    recording_file: str
    rtp_server_id: str
    global_interaction_id: str
    record_id: str
    list_name: str
    is_inbound_call: bool
    ani: str = ""
    action_applied: str = ""
    extra: Mapping[str, str] = NO_EXTRA
