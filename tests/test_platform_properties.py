"""Property: any campaign, served in pages with repeats, comes back whole, into a store too.

See docs/platform-api.md, "Paging".
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr

from .conftest import examples
from .support.platform_server import TOKEN, FakePlatform
from .support.strategies import campaign_with_records, export_options


def coarse(record: ccr.Record, step: int) -> ccr.Record:
    """``record`` with its attempt times rounded down to ``step`` seconds: many ties."""
    if step == 0:
        return record

    def floor(moment: dt.datetime) -> dt.datetime:
        utc = moment.astimezone(dt.UTC)
        seconds = int(utc.timestamp()) // step * step
        return dt.datetime.fromtimestamp(seconds, dt.UTC).astimezone(moment.tzinfo)

    return attrs.evolve(
        record, attempts=[attrs.evolve(a, time=floor(a.time)) for a in record.attempts]
    )


def detailed(
    campaign: ccr.Campaign, records: list[ccr.Record], options: ccr.ExportOptions
) -> bytes:
    buffer = io.BytesIO()
    ccr.export(campaign, records, buffer, options)
    return buffer.getvalue()


def canonical(campaign: ccr.Campaign, records: list[ccr.Record]) -> list[ccr.Record]:
    order = {calling_list.name: index for index, calling_list in enumerate(campaign.lists)}
    return sorted(records, key=lambda record: (order[record.list_name], record.id))


@attrs.frozen
class Serving:
    """How the fake platform serves: ties made by rounding, page size, repeats."""

    step: int
    page_size: int
    redelivery: float
    seed: int


servings = st.builds(
    Serving,
    step=st.sampled_from([0, 0, 60, 3600, 86400 * 30]),
    page_size=st.integers(1, 6),
    redelivery=st.sampled_from([0.0, 0.3, 0.9]),
    seed=st.integers(0, 2**16),
)


@pytest.mark.slow
@settings(max_examples=examples(40))
@given(
    drawn=campaign_with_records(max_records=10),
    serving=servings,
    options=export_options(format=st.just("detailed")),
)
def test_served_in_pages_with_repeats_every_record_comes_back(
    drawn: tuple[ccr.Campaign, list[ccr.Record]], serving: Serving, options: ccr.ExportOptions
) -> None:
    campaign, records = drawn
    records = [coarse(record, serving.step) for record in records]
    redelivery, seed, page_size = serving.redelivery, serving.seed, serving.page_size
    mirrored: dict[tuple[str, str], ccr.Record] = {}
    with FakePlatform(campaign, records, redelivery=redelivery, seed=seed) as platform:
        api = ccr.ListManagementClient(platform.url, TOKEN, timeout=10)
        for calling_list in campaign.lists:
            for page in ccr.changed_pages(api, campaign, calling_list.name, page_size=page_size):
                for found in page.records:
                    # A record comes whole, with every attempt: the latest copy wins.
                    mirrored[found.record.list_name, found.record.id] = found.record
    # The API shows records that had activity: those with attempts.
    attempted = [record for record in records if record.attempts]
    assert sorted(mirrored) == sorted((r.list_name, r.id) for r in attempted)
    assert detailed(campaign, canonical(campaign, list(mirrored.values())), options) == detailed(
        campaign, canonical(campaign, attempted), options
    )


def to_milliseconds(record: ccr.Record) -> ccr.Record:
    """``record`` as the platform holds it: times to the millisecond."""
    return attrs.evolve(
        record,
        attempts=[
            attrs.evolve(a, time=a.time.replace(microsecond=a.time.microsecond // 1000 * 1000))
            for a in record.attempts
        ],
    )


def mirrored_as(campaign: ccr.Campaign, records: list[ccr.Record]) -> list[ccr.Record]:
    """The answer key: what a mirror of ``records`` holds, in the order the store keeps.

    Only records with attempts (the API shows records that had activity), list by
    list, each list in the order the records first came: by their latest attempt's
    millisecond, then as listed. Times are instants (the API's are UTC) and an attempt
    repeated in every field is kept once, as the store keeps it.
    """
    order = {calling_list.name: index for index, calling_list in enumerate(campaign.lists)}

    def latest(record: ccr.Record) -> dt.datetime:
        return max(a.time.astimezone(dt.UTC) for a in record.attempts)

    indexed = [(record, index) for index, record in enumerate(records) if record.attempts]
    indexed.sort(key=lambda pair: (order[pair[0].list_name], latest(pair[0]), pair[1]))
    result = []
    for record, _ in indexed:
        attempts: list[ccr.Attempt] = []
        for attempt in record.attempts:
            utc = attrs.evolve(attempt, time=attempt.time.astimezone(dt.UTC))
            if utc not in attempts:
                attempts.append(utc)
        result.append(attrs.evolve(record, attempts=attempts))
    return result


@pytest.mark.slow
@settings(max_examples=examples(30))
@given(
    drawn=campaign_with_records(max_records=10),
    serving=servings,
    options=export_options(format=st.just("detailed")),
)
def test_a_campaign_served_in_pages_with_repeats_mirrors_into_the_store(
    drawn: tuple[ccr.Campaign, list[ccr.Record]], serving: Serving, options: ccr.ExportOptions
) -> None:
    campaign, records = drawn
    records = [to_milliseconds(coarse(record, serving.step)) for record in records]
    with (
        FakePlatform(
            campaign, records, redelivery=serving.redelivery, seed=serving.seed
        ) as platform,
        tempfile.TemporaryDirectory() as folder,
        ccr.ResultsStore(Path(folder) / "results.sqlite") as store,
    ):
        store.put_campaign(campaign)
        api = ccr.ListManagementClient(platform.url, TOKEN, timeout=10)
        for calling_list in campaign.lists:
            ccr.sync_list(store, api, campaign.name, calling_list.name, page_size=serving.page_size)
        buffer = io.BytesIO()
        store.export(campaign.name, buffer, options)
    assert buffer.getvalue() == detailed(campaign, mirrored_as(campaign, records), options)
