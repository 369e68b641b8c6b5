"""The store exports from what it keeps per record: still the bytes of the in-memory export.

A simple export reads each record's summary (its latest and completing
attempts, the number dialled, the latest script values) and a detailed one
its packed attempts, never building the records (``_store/_export.py``). The
answer key is :func:`export` of the results the store should hold, kept here
without the store (:class:`Model`): after live ingest with repeats, loads
that update records, reloads in replace mode, removed lists, reopening, and
an upgrade from the layout before schema version 8, for every option the
export dialog has.
"""

from __future__ import annotations

import datetime as dt
import io
import marshal
import sqlite3
import tempfile
from collections.abc import Iterable
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cloudcontact_results as ccr
from tests.support.answers import as_campaign_defines
from tests.support.strategies import aware_datetimes, campaign_with_records, export_options
from tests.test_store_properties import export_bytes, store_bytes

FIXED_ZIP_TIME = dt.datetime(2026, 3, 7, 12, 0, tzinfo=dt.UTC)
UTC_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def identity(attempt: ccr.Attempt) -> tuple[object, ...]:
    """What makes two attempts the same for the store: every field, the time in its own zone."""
    time = attempt.time
    return (attempt, repr(time.tzinfo), time.replace(tzinfo=None), time.fold)


@attrs.define
class Model:
    """The results a store holds after each call, kept without one (docs/store.md).

    Records list by list in the campaign's order, each list in load order; a
    record's attempts without repeats, in time order, ties in the order they
    came; dispositions as the campaign defines them.
    """

    campaign: ccr.Campaign
    records: dict[tuple[str, str], tuple[ccr.Record, list[ccr.Attempt]]] = attrs.Factory(dict)

    def load(self, records: Iterable[ccr.Record], *, replace: bool = False) -> None:
        records = list(records)
        if replace:
            reloaded = {record.list_name for record in records}
            self.records = {k: v for k, v in self.records.items() if k[0] not in reloaded}
        for record in records:
            key = (record.list_name, record.id)
            attempts = self.records[key][1] if key in self.records else []
            self.records[key] = (record, attempts)
            self._add(attempts, as_campaign_defines(self.campaign, record).attempts)

    def feed(self, items: Iterable[tuple[str, str, ccr.Attempt]]) -> int:
        added = 0
        for list_name, record_id, attempt in items:
            record, attempts = self.records[list_name, record_id]
            defined = as_campaign_defines(self.campaign, attrs.evolve(record, attempts=[attempt]))
            added += self._add(attempts, defined.attempts)
        return added

    def remove(self, list_name: str) -> None:
        lists = [cl for cl in self.campaign.lists if cl.name != list_name]
        self.campaign = attrs.evolve(self.campaign, lists=lists)
        self.records = {k: v for k, v in self.records.items() if k[0] != list_name}

    @staticmethod
    def _add(attempts: list[ccr.Attempt], new: Iterable[ccr.Attempt]) -> int:
        added = 0
        for attempt in new:
            if identity(attempt) not in {identity(known) for known in attempts}:
                attempts.append(attempt)
                added += 1
        return added

    def expected(self) -> list[ccr.Record]:
        order = {calling_list.name: i for i, calling_list in enumerate(self.campaign.lists)}
        result = []
        for record, attempts in sorted(self.records.values(), key=lambda v: order[v[0].list_name]):
            in_time = sorted(attempts, key=lambda a: a.time - UTC_EPOCH)  # stable: ties keep order
            result.append(attrs.evolve(record, attempts=in_time))
        return result


def in_memory(model: Model, options: ccr.ExportOptions) -> bytes:
    return export_bytes(model.campaign, model.expected(), options)


@st.composite
def every_option(draw: st.DrawFn, campaign: ccr.Campaign) -> ccr.ExportOptions:
    """Options over everything the export dialog has: selection, rendering, packaging."""
    names = [d.name for d in campaign.dispositions] + ["No answer", "Busy"]
    lists = [cl.name for cl in campaign.lists]
    start, end = draw(st.one_of(st.none(), aware_datetimes())), None
    if draw(st.booleans()):
        end = draw(aware_datetimes())
    interval = None if start is None and end is None else (start, end)
    if start is not None and end is not None:
        # Half-open, start before end: equal bounds leave it open at the end. Ordered
        # as instants: date-times of one zone compare their wall clocks, fold ignored.
        first, last = sorted((start, end), key=lambda moment: moment.astimezone(dt.UTC))
        interval = (
            (first, last) if first.astimezone(dt.UTC) != last.astimezone(dt.UTC) else (start, None)
        )
    return draw(
        export_options(
            format=st.sampled_from(["simple", "detailed", "detailed-interval"]),
            lists=st.one_of(st.none(), st.lists(st.sampled_from(lists), min_size=1, unique=True)),
            dispositions=st.one_of(
                st.none(), st.lists(st.sampled_from(names), min_size=1, unique=True)
            ),
            interval=st.just(interval),
            datetime_format=st.sampled_from(["%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M:%S.%f %Z"]),
            layout=st.sampled_from(["manual", "5.x"]),
            compress=st.booleans(),
            zip_timestamp=st.just(FIXED_ZIP_TIME),
        )
    )


def check(store: ccr.ResultsStore, model: Model, options: list[ccr.ExportOptions]) -> None:
    name = model.campaign.name
    assert list(store.records(name)) == model.expected()
    for each in options:
        assert store_bytes(store, name, each) == in_memory(model, each), each


@pytest.mark.slow
@given(campaign_with_records(max_records=6), st.data())
def test_every_write_keeps_the_export_the_in_memory_export(
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]], data: st.DataObject
) -> None:
    campaign, records = campaign_and_records
    options = [
        ccr.ExportOptions(format="simple"),
        ccr.ExportOptions(format="detailed"),
        *data.draw(st.lists(every_option(campaign), min_size=1, max_size=3), label="options"),
    ]
    model = Model(campaign)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "results.sqlite"
        store = ccr.ResultsStore(path)
        try:
            store.put_campaign(campaign)
            # Each record loaded with the first of its attempts, the rest fed live.
            split = {
                r.id: data.draw(st.integers(0, len(r.attempts)), label="loaded") for r in records
            }
            first = [attrs.evolve(r, attempts=r.attempts[: split[r.id]]) for r in records]
            store.add_records(campaign.name, first)
            model.load(first)
            feed = [(r.list_name, r.id, a) for r in records for a in r.attempts[split[r.id] :]]
            feed = data.draw(st.permutations(feed), label="arrival order")
            delivered: list[tuple[str, str, ccr.Attempt]] = []
            while feed:
                size = data.draw(st.integers(1, 4), label="batch")
                batch, feed = feed[:size], feed[size:]
                # At-least-once delivery: earlier items again.
                batch += (
                    data.draw(st.lists(st.sampled_from(delivered), max_size=2)) if delivered else []
                )
                delivered += batch
                assert store.add_attempts(campaign.name, batch) == model.feed(batch)
            check(store, model, options)

            step = data.draw(st.sampled_from(["reload", "replace", "remove", "reopen"]))
            if step in ("reload", "replace") and records:
                again = data.draw(st.lists(st.sampled_from(records), min_size=1), label="again")
                again = [
                    attrs.evolve(r, attempts=data.draw(st.permutations(r.attempts))[:2])
                    for r in again
                ]
                store.add_records(campaign.name, again, replace=step == "replace")
                model.load(again, replace=step == "replace")
            elif step == "remove" and len(campaign.lists) > 1:
                gone = data.draw(st.sampled_from(campaign.lists)).name
                store.remove_list(campaign.name, gone)
                model.remove(gone)
                options = [o for o in options if o.lists is None or gone not in o.lists]
            else:
                store.close()
                store = ccr.ResultsStore(path)
            check(store, model, options)
        finally:
            store.close()


def as_version_7(path: Path) -> None:
    """Rewrite the store at ``path`` in the layout of schema version 7, by hand.

    Versions 4 to 7 keep a record's fields and packed attempts in one value,
    ``data``: ``marshal`` of (fields, attempts); there is no summary.
    """
    connection = sqlite3.connect(path)
    with connection:
        rows = connection.execute("SELECT id, data, attempts FROM records").fetchall()
        for row_id, fields, attempts in rows:
            values = (marshal.loads(fields), marshal.loads(attempts))  # noqa: S302 - our own
            data = marshal.dumps(values, 4)
            connection.execute("UPDATE records SET data = ? WHERE id = ?", (data, row_id))
        connection.execute("ALTER TABLE records DROP COLUMN summary")
        connection.execute("ALTER TABLE records DROP COLUMN attempts")
        connection.execute("PRAGMA user_version = 7")
    connection.close()


@pytest.mark.slow
@given(campaign_with_records(max_records=6), st.data())
def test_an_upgraded_store_exports_what_it_held(
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]], data: st.DataObject
) -> None:
    campaign, records = campaign_and_records
    model = Model(campaign)
    options = [
        ccr.ExportOptions(format="simple"),
        ccr.ExportOptions(format="detailed"),
        data.draw(every_option(campaign), label="options"),
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "old.sqlite"
        with ccr.ResultsStore(path) as store:
            store.put_campaign(campaign)
            store.add_records(campaign.name, records)
            model.load(records)
        as_version_7(path)
        with ccr.ResultsStore(path) as store:
            check(store, model, options)
            # And the summary goes on from there.
            more = [
                (r.list_name, r.id, attrs.evolve(a, note=f"{a.note} again"))
                for r in records
                for a in r.attempts[:1]
            ]
            assert store.add_attempts(campaign.name, more) == model.feed(more)
            check(store, model, options)


# --- quick cases, each path once -------------------------------------------------------

MOSCOW = ccr.ExportOptions().rendering.tz
AGREED = ccr.Disposition("Согласен", code="1", final=True)
NO_ANSWER = ccr.system_disposition("No answer")
CAMPAIGN = ccr.Campaign(
    "Опрос",
    [ccr.CallingList("Клиенты", ["Фамилия", "Телефон"], phone_columns=["Телефон"])],
    script_fields=[ccr.ScriptField("Ответ")],
    dispositions=[AGREED],
)


def at(hour: int, **values: object) -> ccr.Attempt:
    time = dt.datetime(2026, 3, 2, hour, tzinfo=MOSCOW)
    return ccr.Attempt("+7916", time, **values)  # type: ignore[arg-type]


def test_a_late_attempt_an_earlier_one_and_a_repeat_leave_the_latest_as_it_is(
    tmp_path: Path,
) -> None:
    model = Model(CAMPAIGN)
    records = [
        ccr.Record("1", "Клиенты", {"Фамилия": "Егоров", "Телефон": "+7916"}),
        ccr.Record("2", "Клиенты", {"Фамилия": "=Маслов", "Телефон": "+7495"}),  # never dialled
    ]
    feed = [
        ("Клиенты", "1", at(12, call_disposition=AGREED, record_disposition=AGREED,
                            script_values={"Ответ": "да"}, answered_duration=30)),
        ("Клиенты", "1", at(10, call_disposition=NO_ANSWER, cpa_result=8, sip_code=480,
                            script_values={"Ответ": "нет"})),
        ("Клиенты", "1", at(14, is_call_attempt=False, quota=ccr.QuotaOutcome(ccr.NO_MATCH))),
    ]  # fmt: skip
    with ccr.ResultsStore(tmp_path / "s.sqlite") as store:
        store.put_campaign(CAMPAIGN)
        store.add_records(CAMPAIGN.name, records)
        model.load(records)
        for batch in ([feed[0]], [feed[1], feed[0]], [feed[2], feed[1]]):
            assert store.add_attempts(CAMPAIGN.name, batch) == model.feed(batch)
        options = [
            ccr.ExportOptions(format="simple"),
            ccr.ExportOptions(format="simple", language="ru", dialect="excel-ru"),
            ccr.ExportOptions(format="simple", dispositions=["Согласен"]),
            ccr.ExportOptions(format="simple", interval=(at(11).time, at(13).time)),
            ccr.ExportOptions(format="detailed", formula_guard=False, layout="5.x"),
            ccr.ExportOptions(format="detailed", interval=(at(11).time, None)),
            ccr.ExportOptions(format="detailed-interval", interval=(at(11).time, at(13).time)),
        ]
        check(store, model, options)
        exported = io.BytesIO(store_bytes(store, CAMPAIGN.name, options[0]))
        first, never = ccr.read_report(exported, script_fields=["Ответ"])
        assert (first.total_attempts, first.completed, first.out_of_quota) == (2, True, True)
        assert (first.record_disposition, first.last_call_disposition) == ("Согласен", None)
        assert first.script_fields == ("да",)
        assert (never.total_attempts, never.last_phone_called) == (0, "+7495")


def test_a_workbook_from_the_store_is_the_in_memory_workbook(tmp_path: Path) -> None:
    pytest.importorskip("xlsxwriter")
    model = Model(CAMPAIGN)
    records = [ccr.Record("1", "Клиенты", {"Фамилия": "Егоров"}, [at(10, note="перезвонить")])]
    with ccr.ResultsStore(tmp_path / "s.sqlite") as store:
        store.put_campaign(CAMPAIGN)
        store.add_records(CAMPAIGN.name, records)
        model.load(records)
        options = ccr.ExportOptions(file_format="xlsx", zip_timestamp=FIXED_ZIP_TIME)
        assert list(store.records(CAMPAIGN.name)) == model.expected()
        store.export(CAMPAIGN.name, tmp_path / "store.xlsx", options)
        ccr.export(model.campaign, model.expected(), tmp_path / "memory.xlsx", options)
        assert [r.last_note for r in ccr.read_report(tmp_path / "store.xlsx")] == ["перезвонить"]
        assert (tmp_path / "store.xlsx").read_bytes() == (tmp_path / "memory.xlsx").read_bytes()


@pytest.mark.parametrize("report", ["simple", "detailed"])
def test_a_stored_disposition_the_campaign_does_not_know_fails_as_export_fails(
    tmp_path: Path, report: str
) -> None:
    # A store edited by hand: its dispositions no longer all resolve, so the
    # export reads records, and reports the one unknown as export does.
    path = tmp_path / "s.sqlite"
    with ccr.ResultsStore(path) as store:
        store.put_campaign(CAMPAIGN)
        store.add_records(
            CAMPAIGN.name, [ccr.Record("1", "Клиенты", {}, [at(10, call_disposition=AGREED)])]
        )
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE dispositions SET name = 'Передумал' WHERE name = 'Согласен'")
    connection.close()
    options = ccr.ExportOptions(format=report)
    with ccr.ResultsStore(path) as store:
        with pytest.raises(ccr.errors.UnknownDispositionError, match="Передумал") as from_store:
            store.export(CAMPAIGN.name, io.BytesIO(), options)
        with pytest.raises(ccr.errors.UnknownDispositionError) as in_memory:
            ccr.export(CAMPAIGN, store.records(CAMPAIGN.name), io.BytesIO(), options)
    assert str(from_store.value) == str(in_memory.value)
