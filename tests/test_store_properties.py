"""Properties of the results store, over Hypothesis-drawn campaigns and records.

The answer key is always the stateless :func:`export` of the same records:
the store must write exactly its bytes, whatever the format, language,
dialect or feed order, and after reopening. Each property runs on both
databases (the fixture ``backend``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import itertools
import zipfile
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from tests.support.answers import as_campaign_defines
from tests.support.strategies import campaign_with_records, export_options

FIXED_ZIP_TIME = dt.datetime(2026, 3, 7, 12, 0, tzinfo=dt.UTC)

options_strategy = export_options(
    format=st.sampled_from(["simple", "detailed", "detailed-interval"]),
    compress=st.booleans(),
    zip_timestamp=st.just(FIXED_ZIP_TIME),
)


def identity(attempt: ccr.Attempt) -> tuple[object, ...]:
    """What makes two attempts the same for the store: every field, the time in its own zone."""
    time = attempt.time
    return (attempt, repr(time.tzinfo), time.replace(tzinfo=None), time.fold)


def expected_records(campaign: ccr.Campaign, records: list[ccr.Record]) -> list[ccr.Record]:
    """The records as the store gives them back: list by list, repeated attempts once.

    Dispositions come back as the campaign defines them, so an attempt with the
    catalogue's object of a status the campaign configures repeats one with
    the campaign's configuration.
    """
    order = {calling_list.name: i for i, calling_list in enumerate(campaign.lists)}
    result = []
    defined = [as_campaign_defines(campaign, record) for record in records]
    for record in sorted(defined, key=lambda r: order[r.list_name]):
        unique = {identity(a): a for a in reversed(record.attempts)}
        attempts = [a for a in record.attempts if unique.get(identity(a)) is a]
        result.append(attrs.evolve(record, attempts=attempts))
    return result


def export_bytes(
    campaign: ccr.Campaign, records: list[ccr.Record], options: ccr.ExportOptions
) -> bytes:
    stream = io.BytesIO()
    ccr.export(campaign, records, stream, options)
    return comparable(stream.getvalue(), options)


def store_bytes(store: ccr.ResultsStore, name: str, options: ccr.ExportOptions) -> bytes:
    stream = io.BytesIO()
    store.export(name, stream, options)
    return comparable(stream.getvalue(), options)


def comparable(data: bytes, options: ccr.ExportOptions) -> bytes:
    """``data`` as exports compare: a zip (named after its campaign) by its one member."""
    if not options.compress:
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (member,) = archive.namelist()
        return archive.read(member)


_EXAMPLES = itertools.count()
#: The fixture ``store_target`` is the test's, reused by each of its examples.
_ONE_STORE_EACH_EXAMPLE = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@contextlib.contextmanager
def example_store(target: str) -> Iterator[str]:
    """Where one example keeps its store: a new file beside ``target``, or its database emptied.

    A PostgreSQL database is not made anew for each example (that takes
    longer than the example): its campaigns are deleted, as a user would.
    """
    if target.startswith("postgresql://"):
        with ccr.ResultsStore(target) as store:
            for name in store.campaign_names():
                store.delete_campaign(name)
        yield target
        return
    path = f"{target}.{next(_EXAMPLES)}"
    try:
        yield path
    finally:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(path + suffix).unlink()


@pytest.mark.slow
@_ONE_STORE_EACH_EXAMPLE
@given(campaign_with_records(max_records=6), options_strategy)
def test_store_export_is_the_stateless_export_before_and_after_reopening(
    store_target: str,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    options: ccr.ExportOptions,
) -> None:
    campaign, records = campaign_and_records
    expected = expected_records(campaign, records)
    with example_store(store_target) as path:
        with ccr.ResultsStore(path) as store:
            store.put_campaign(campaign)
            assert store.add_records(campaign.name, records) == len(records)
            assert list(store.records(campaign.name)) == expected
            assert store_bytes(store, campaign.name, options) == export_bytes(
                campaign, expected, options
            )
        with ccr.ResultsStore(path) as store:
            assert store.campaign(campaign.name) == campaign
            assert list(store.records(campaign.name)) == expected
            assert store_bytes(store, campaign.name, options) == export_bytes(
                campaign, expected, options
            )


def interleavings(
    draw: st.DrawFn, queues: list[list[tuple[str, str, ccr.Attempt]]]
) -> Iterator[tuple[str, str, ccr.Attempt]]:
    """The items of all ``queues`` in a drawn order that keeps each queue's own order."""
    queues = [list(queue) for queue in queues if queue]
    while queues:
        index = draw(st.integers(0, len(queues) - 1))
        yield queues[index].pop(0)
        if not queues[index]:
            del queues[index]


@pytest.mark.slow
@_ONE_STORE_EACH_EXAMPLE
@given(campaign_with_records(max_records=6), st.data())
def test_live_ingest_in_any_batches_with_redelivery_ends_as_loading_at_once(
    store_target: str,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    data: st.DataObject,
) -> None:
    campaign, records = campaign_and_records
    # Each record's attempts in their own order (ties keep it); records interleaved.
    feed = list(
        interleavings(
            data.draw,
            [[(r.list_name, r.id, a) for a in r.attempts] for r in records],
        )
    )
    batches: list[list[tuple[str, str, ccr.Attempt]]] = []
    delivered: list[tuple[str, str, ccr.Attempt]] = []
    position = 0
    while position < len(feed):
        size = data.draw(st.integers(1, 5), label="batch size")
        batch = feed[position : position + size]
        position += size
        # At-least-once delivery: earlier items come again, in this batch or alone.
        repeats = data.draw(st.lists(st.sampled_from(delivered), max_size=3)) if delivered else []
        delivered += batch
        batches.append(batch + repeats)
        if data.draw(st.booleans(), label="repeat the batch"):
            batches.append(list(batch))

    options = [ccr.ExportOptions(format=f) for f in ("simple", "detailed")]
    with example_store(store_target) as target:
        # Loaded at once, then deleted; then fed live into the same store.
        with ccr.ResultsStore(target) as at_once:
            at_once.put_campaign(campaign)
            at_once.add_records(campaign.name, records)
            wanted = [store_bytes(at_once, campaign.name, o) for o in options]
            at_once.delete_campaign(campaign.name)
        with ccr.ResultsStore(target) as live:
            live.put_campaign(campaign)
            live.add_records(campaign.name, [attrs.evolve(r, attempts=()) for r in records])
            added = sum(live.add_attempts(campaign.name, batch) for batch in batches)
            assert [store_bytes(live, campaign.name, o) for o in options] == wanted
            expected = expected_records(campaign, records)
            # Both stores export from what they keep: the reference is the in-memory export.
            assert wanted == [export_bytes(campaign, expected, o) for o in options]
            assert added == sum(len(r.attempts) for r in expected)
            assert list(live.records(campaign.name)) == expected
