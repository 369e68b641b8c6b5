"""Paging through *Get Updated Records* (``getChanged``) without losing or repeating a record.

``fromTime`` is inclusive and the API gives at most ``maxSize`` (<= 1000)
records an answer, so a client pages by asking again from the latest moment
it has seen. The records of that moment come back once more: the pager
drops the ones it has already given, unchanged. When a full page does not
move past its ``fromTime`` (more records share one millisecond than the page
holds), the pager asks again with a larger page, up to 1000, and raises if
even that cannot move on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Final

import attrs

from .._model.campaign import Campaign, Record
from ..errors import OptionsError, PlatformError
from .client import MAX_PAGE_SIZE, ListManagementClient, api_time
from .listapi import PlatformRecord, checked_key_columns, parse_changed

__all__ = ["EPOCH", "ChangedPage", "changed_pages"]

#: Where paging starts when no ``since`` is given: before any campaign ran.
EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@attrs.frozen
class ChangedPage:
    """One answer of *Get Updated Records*, read and rid of boundary repeats.

    Attributes:
        records: the records the pager had not given yet (new, or changed).
        from_time: the ``fromTime`` asked (UTC).
        watermark: where the next page (or a later run) starts: the latest
            activity seen so far, never earlier than ``from_time``.
        last: True when the answer was not full: nothing more has changed.
    """

    records: tuple[PlatformRecord, ...]
    from_time: dt.datetime
    watermark: dt.datetime
    last: bool


def changed_pages(
    client: ListManagementClient,
    campaign: Campaign,
    list_name: str,
    *,
    since: dt.datetime | None = None,
    page_size: int = MAX_PAGE_SIZE,
    key_columns: Sequence[str] = (),
) -> Iterator[ChangedPage]:
    """The pages of *Get Updated Records* of ``campaign``'s list, from ``since`` on.

    Each page is read with :func:`~cloudcontact_results.parse_changed`. The
    iteration ends after the first page that is not full; a campaign that is
    still running is followed by calling again from the last page's
    ``watermark``.

    Args:
        client: the platform.
        campaign: the campaign (its name is the one asked for).
        list_name: one of its calling lists.
        since: the first ``fromTime`` (aware); None for the beginning.
        page_size: ``maxSize`` of a request, 1-1000.
        key_columns: as for :func:`~cloudcontact_results.parse_changed`.

    Raises:
        PlatformTransportError: no answer, after the client's retries.
        PlatformStatusError: an error status, after the client's retries.
        PlatformError: an answer that is not JSON, or more than 1000 records
            share one moment (the API cannot page past them).
        PlatformDataError: an answer the library cannot read.
        OptionsError: a bad ``since`` or ``page_size``.
        CampaignMismatchError: the list is not one of the campaign's, or a
            key column is not one of the list's columns.

    The arguments are checked when it is called, before any request.
    """
    if since is None:
        since = EPOCH
    if not isinstance(since, dt.datetime) or since.utcoffset() is None:
        raise OptionsError("since", since, "must be a timezone-aware datetime")
    if not isinstance(page_size, int) or isinstance(page_size, bool):
        raise OptionsError("page_size", page_size, f"must be a whole number, 1-{MAX_PAGE_SIZE}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise OptionsError("page_size", page_size, f"must be 1-{MAX_PAGE_SIZE}")
    keys = checked_key_columns(campaign, list_name, key_columns)
    return _pages(client, campaign, list_name, since.astimezone(dt.UTC), page_size, keys)


def _pages(  # noqa: PLR0917  # the checked arguments of changed_pages, in its order
    client: ListManagementClient,
    campaign: Campaign,
    list_name: str,
    from_time: dt.datetime,
    page_size: int,
    key_columns: tuple[str, ...],
) -> Iterator[ChangedPage]:
    """The pages :func:`changed_pages` gives, its arguments checked."""
    # Records given whose activity is at from_time: the next answer repeats them.
    boundary: dict[str, Record] = {}
    size = page_size
    while True:
        answer = client.get_changed(list_name, campaign.name, from_time, size)
        page = parse_changed(answer, campaign, list_name, key_columns=key_columns)
        fresh = tuple(
            found
            for found in page
            if boundary.get(found.record.id) != found.record or found.activity != from_time
        )
        watermark = max(
            (found.activity for found in page if found.activity is not None), default=from_time
        )
        watermark = max(watermark, from_time)
        full = len(page) >= size
        if watermark == from_time:
            boundary.update(
                (found.record.id, found.record) for found in page if found.activity == from_time
            )
        else:
            boundary = {
                found.record.id: found.record for found in page if found.activity == watermark
            }
        if full and watermark == from_time:
            # A full page that does not move on: everything in it is at from_time.
            if size >= MAX_PAGE_SIZE:
                raise PlatformError(
                    client.url,
                    f"{size} or more records of list {list_name!r} changed at "
                    f"{api_time(from_time)}; the API cannot page past them",
                )
            if fresh:
                yield ChangedPage(fresh, from_time, watermark, last=False)
            size = min(size * 2, MAX_PAGE_SIZE)
            continue
        yield ChangedPage(fresh, from_time, watermark, last=not full)
        if not full:
            return
        from_time, size = watermark, page_size
