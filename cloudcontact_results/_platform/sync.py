"""Mirroring a campaign's lists from the platform into a results store, incrementally.

Each page of *Get Updated Records* is stored with the list's watermark in one
transaction of the store (:meth:`ResultsStore.add_synced_records`), so a sync
stopped at any point, even killed, resumes from the last page it stored:
nothing is lost, and what comes again is stored once (a record's attempts are
merged without duplicates).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

import attrs

from .._model.campaign import Attempt, Campaign, Record
from .._model.dispositions import Disposition
from .._store import ResultsStore
from .client import MAX_PAGE_SIZE, ListManagementClient
from .paging import changed_pages

__all__ = ["SyncResult", "sync_list"]

_LOG = logging.getLogger("cloudcontact_results.platform")


@attrs.frozen
class SyncResult:
    """What one :func:`sync_list` call did.

    Attributes:
        campaign: the campaign's name.
        list_name: the list.
        pages: answers of *Get Updated Records* stored.
        records: records stored: new and changed ones, and those at the
            moment the last sync stopped at, which come once more (the API's
            ``fromTime`` is inclusive) and change nothing.
        since: where the call started (UTC); None for the beginning.
        watermark: where the mirror stands now (UTC); None if nothing has
            changed since the beginning.
    """

    campaign: str
    list_name: str
    pages: int
    records: int
    since: dt.datetime | None
    watermark: dt.datetime | None


def sync_list(
    store: ResultsStore,
    client: ListManagementClient,
    campaign_name: str,
    list_name: str,
    *,
    key_columns: Sequence[str] = (),
    page_size: int = MAX_PAGE_SIZE,
    since: dt.datetime | None = None,
) -> SyncResult:
    """Bring the store's copy of one list of a campaign up to date with the platform.

    The campaign must be in the store (``store.put_campaign``, or ``store
    load``): its definition says the list's columns and the dispositions. The
    sync starts where the last one for this list and this platform
    (``client.url``) stopped, or at ``since`` when given, and pages through
    :func:`~cloudcontact_results.changed_pages` until nothing more has changed.

    Args:
        store: the results store.
        client: the platform.
        campaign_name: the campaign, in the store and on the platform.
        list_name: one of its lists.
        key_columns: the list's key columns (see :func:`~cloudcontact_results.parse_changed`).
        page_size: ``maxSize`` of a request, 1-1000.
        since: start here instead of where the last sync stopped (aware).

    Returns:
        What was done.

    Raises:
        UnknownNameError: the store has no such campaign or list.
        PlatformError: the platform failed (what was stored before stays).
        PlatformDataError: an answer the library cannot read.
        UnknownDispositionError: a disposition the campaign does not define:
            add it to the campaign and sync again.
    """
    campaign = store.campaign(campaign_name)
    source = client.url
    start = since if since is not None else store.sync_watermark(campaign_name, list_name, source)
    pages = count = 0
    watermark = start
    for page in changed_pages(
        client, campaign, list_name, since=start, page_size=page_size, key_columns=key_columns
    ):
        records = [_as_defined(campaign, found.record) for found in page.records]
        store.add_synced_records(campaign_name, list_name, source, records, page.watermark)
        pages += 1
        count += len(records)
        watermark = page.watermark
        _LOG.info(
            "%s / %s: %d records stored, synced up to %s",
            campaign_name,
            list_name,
            len(records),
            watermark.isoformat(),
        )
    return SyncResult(campaign_name, list_name, pages, count, start, watermark)


def _as_defined(campaign: Campaign, record: Record) -> Record:
    """``record`` with its dispositions as the campaign defines them.

    The store keeps a disposition by name and reads it as the campaign
    defines it, so a code the platform sends that differs from the
    campaign's is not kept.
    """
    attempts = []
    changed = False
    for attempt in record.attempts:
        call = _defined(campaign, attempt.call_disposition)
        final = _defined(campaign, attempt.record_disposition)
        if call is attempt.call_disposition and final is attempt.record_disposition:
            attempts.append(attempt)
            continue
        changed = True
        attempts.append(_with(attempt, call, final))
    return attrs.evolve(record, attempts=attempts) if changed else record


def _defined(campaign: Campaign, disposition: Disposition | None) -> Disposition | None:
    if disposition is None:
        return None
    known = campaign.find_disposition(disposition.name)
    if known is None or known == disposition:
        return disposition  # unknown: the store says so, naming the record
    if known.code != disposition.code:
        _LOG.warning(
            "disposition %r: the platform sends code %r, campaign %r defines %r; "
            "the store keeps the campaign's",
            disposition.name,
            disposition.code,
            campaign.name,
            known.code,
        )
    return known


def _with(attempt: Attempt, call: Disposition | None, final: Disposition | None) -> Attempt:
    return attrs.evolve(attempt, call_disposition=call, record_disposition=final)
