"""Campaign analytics: every table against an independent pandas key, worked examples,
the same tables from every kind of input, errors, previews and flat memory."""

from __future__ import annotations

import datetime as dt
import io
import sys
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import attrs
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results import analytics
from tests.conftest import examples
from tests.support import analytics_answers as key
from tests.support.strategies import EXPORT_ZONES, campaign_with_records

MOSCOW = ZoneInfo("Europe/Moscow")
DETAILED = ccr.ExportOptions(format="detailed")

#: Each table with its key: (attribute of Analytics, key of a frame of attempts).
KEYS = {
    "campaign_in_time": key.campaign_in_time,
    "dispositions_in_time": key.dispositions_in_time,
    "telemarketing_compliance": lambda frame, zone, _p: key.telemarketing_compliance(frame, zone),
    "contact_rate_by_hour": lambda frame, _z, _p: key.contact_rate_by_hour(frame),
    "attempts_to_close": lambda frame, _z, _p: key.attempts_to_close(frame),
    "cpa_by_disposition": lambda frame, _z, _p: key.cpa_by_disposition(frame),
    "sip_failures": lambda frame, _z, _p: key.sip_failures(frame),
    "quota_groups": lambda frame, _z, _p: key.quota_groups(frame),
    "agents": lambda frame, _z, _p: key.agents(frame),
    "agent_dispositions": lambda frame, _z, _p: key.agent_dispositions(frame),
}


def unprocessed(records: list[ccr.Record]) -> Counter[str]:
    """Records without attempts, per list: what no detailed row shows."""
    return Counter(record.list_name for record in records if not record.attempts)


def assert_matches_keys(
    tables: analytics.Analytics,
    rows: list[ccr.DetailedRow],
    zone: str,
    period: str,
    records: list[ccr.Record] | None = None,
) -> None:
    frame = key.attempts_frame(rows, zone)
    expected = key.list_progress(frame, unprocessed(records) if records is not None else None)
    pd.testing.assert_frame_equal(tables.list_progress.to_pandas(), expected)
    for name, make in KEYS.items():
        got = getattr(tables, name).to_pandas()
        pd.testing.assert_frame_equal(got, make(frame, zone, period), obj=name)


# --- every table against its key ----------------------------------------------------------


TABLE_INPUTS = (
    campaign_with_records(max_records=8),
    st.sampled_from(EXPORT_ZONES),
    st.sampled_from(["hour", "day"]),
)


def check_every_table_against_pandas(data, zone, period):
    campaign, records = data
    rows = list(ccr.detailed_rows(campaign, records, DETAILED))
    tables = analytics.tables(rows, timezone=zone, period=period)
    assert_matches_keys(tables, rows, zone, period)


@settings(max_examples=examples(5), deadline=None)
@given(*TABLE_INPUTS)
def test_every_table_is_what_pandas_computes_from_the_same_rows(data, zone, period):
    check_every_table_against_pandas(data, zone, period)


@pytest.mark.slow
@settings(max_examples=examples(30), deadline=None)
@given(*TABLE_INPUTS)
def test_every_table_is_what_pandas_computes_on_many_campaigns(data, zone, period):
    check_every_table_against_pandas(data, zone, period)


@pytest.mark.slow
@settings(max_examples=examples(10), deadline=None)
@given(campaign_with_records(max_records=8), st.sampled_from(["hour", "day"]))
def test_records_of_a_campaign_give_the_tables_of_their_rows_and_count_unprocessed_records(
    data, period
):
    campaign, records = data
    rows = list(ccr.detailed_rows(campaign, records, DETAILED))
    tables = analytics.tables(campaign, records, period=period)
    assert_matches_keys(tables, rows, "Europe/Moscow", period, records)


@settings(max_examples=examples(3), deadline=None)
@given(campaign_with_records(max_records=8))
def test_each_function_gives_the_table_tables_gives(data):
    campaign, records = data
    everything = analytics.tables(campaign, records, period="hour")
    for field in attrs.fields(analytics.Analytics):
        function = getattr(analytics, field.name)
        extra = {"period": "hour"} if field.name.endswith("_in_time") else {}
        assert function(campaign, records, **extra) == getattr(everything, field.name)


# --- the same tables from every kind of input -------------------------------------------


def read_back(campaign, records, options):
    stream = io.BytesIO()
    ccr.export(campaign, records, stream, options)
    stream.seek(0)
    names = [field.name for field in campaign.exported_script_fields]
    return ccr.read_report(stream, timezone=options.timezone, script_fields=names)


@settings(max_examples=examples(4), deadline=None)
@given(campaign_with_records(max_records=6))
def test_rows_a_report_records_and_a_store_give_the_same_tables(tmp_path_factory, data):
    campaign, records = data
    rows = list(ccr.detailed_rows(campaign, records, DETAILED))
    from_rows = analytics.tables(rows)
    from_report = analytics.tables(read_back(campaign, records, DETAILED))
    from_records = analytics.tables(campaign, records)
    path = tmp_path_factory.mktemp("store") / "results.sqlite"
    with ccr.ResultsStore(path) as store:
        store.put_campaign(campaign)
        store.add_records(campaign.name, records)
        from_store = analytics.tables(store, campaign.name)
    assert from_report == from_rows
    assert from_store == from_records
    # Records without attempts have no detailed row: only list progress tells them.
    assert attrs.evolve(from_records, list_progress=from_rows.list_progress) == from_rows
    counted = sum(row.records for row in from_records.list_progress)
    assert counted == len(records)


# --- worked examples ------------------------------------------------------------------------

AGREED = ccr.Disposition("Согласен", final=True)
REFUSED = ccr.Disposition("Отказ", final=True)
CALL_BACK = ccr.Disposition("Перезвонить")
NO_ANSWER = ccr.system_disposition("No answer")
NO_AGENT = ccr.system_disposition("No agent")
ABANDONED = ccr.system_disposition("Abandoned")
BUSY = ccr.system_disposition("Busy")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A time in March 2026 (2 March is a Monday), Moscow."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=MOSCOW)


def worked_campaign() -> tuple[ccr.Campaign, list[ccr.Record]]:
    """Two lists, five records, eight attempts: every number below is counted by hand."""
    campaign = ccr.Campaign(
        "Опрос",
        [ccr.CallingList("A", ["Phone"]), ccr.CallingList("B", ["Phone"])],
        dispositions=[AGREED, REFUSED, CALL_BACK],
    )
    records = [
        # A1: no answer (busy, SIP 486), then agreed with agent ivanov: closed after 2 dials.
        ccr.Record("1", "A", {"Phone": "1"}, [
            ccr.Attempt("1", at(2, 10, 5), call_disposition=BUSY, cpa_result=6, sip_code=486),
            ccr.Attempt("1", at(2, 11, 0), call_disposition=AGREED, record_disposition=AGREED,
                        cpa_result=1, answered_duration=120, agent="ivanov"),
        ]),
        # A2: answered by a person, nobody free (No agent); then refused with petrov.
        ccr.Record("2", "A", {"Phone": "2"}, [
            ccr.Attempt("2", at(2, 10, 30), call_disposition=NO_AGENT, cpa_result=1),
            ccr.Attempt("2", at(3, 9, 0), call_disposition=REFUSED, record_disposition=REFUSED,
                        answered_duration=30, agent="petrov"),
        ]),
        # A3: never processed.
        ccr.Record("3", "A", {"Phone": "3"}),
        # B4: stopped by a quota before dialling.
        ccr.Record("4", "B", {"Phone": "4"}, [
            ccr.Attempt("4", at(2, 12, 0), is_call_attempt=False,
                        quota=ccr.QuotaOutcome("Москва")),
        ]),
        # B5: abandoned, then no answer (SIP 480), then call back later with ivanov.
        ccr.Record("5", "B", {"Phone": "5"}, [
            ccr.Attempt("5", at(3, 9, 15), call_disposition=ABANDONED),
            ccr.Attempt("5", at(3, 9, 45), call_disposition=NO_ANSWER, cpa_result=8,
                        sip_code=480),
            ccr.Attempt("5", at(3, 18, 0), call_disposition=CALL_BACK, cpa_result=1,
                        answered_duration=45, agent="ivanov"),
        ]),
    ]  # fmt: skip
    return campaign, records


def test_the_worked_campaign_list_progress():
    campaign, records = worked_campaign()
    progress = analytics.list_progress(campaign, records)
    assert [attrs.astuple(row) for row in progress] == [
        # list, records, never attempted, attempted, completed, remaining, out of quota
        ("A", 3, 1, 2, 2, 1, 0),
        ("B", 2, 1, 1, 0, 2, 1),
    ]


def test_the_worked_campaign_in_time_by_day_and_by_hour():
    campaign, records = worked_campaign()
    by_day = analytics.campaign_in_time(campaign, records)
    assert [(row.start, row.attempts, row.connects, row.completions) for row in by_day] == [
        (at(2, 0), 3, 2, 1),  # busy, no agent (CPA voice), agreed
        (at(3, 0), 4, 2, 1),  # refused, abandoned, no answer, call back
    ]
    assert [row.contact_rate for row in by_day] == [2 / 3, 2 / 4]
    by_hour = analytics.campaign_in_time(campaign, records, period="hour")
    assert [(row.start.hour, row.attempts) for row in by_hour] == [
        (10, 2), (11, 1), (12, 0), (9, 3), (18, 1),
    ]  # fmt: skip
    assert by_hour.rows[2].contact_rate is None  # the quota stop: no dial, no rate


def test_the_worked_campaign_dispositions_in_time():
    campaign, records = worked_campaign()
    table = analytics.dispositions_in_time(campaign, records)
    assert [(row.start.day, row.call_disposition, row.attempts) for row in table] == [
        (2, None, 1), (2, "Busy", 1), (2, "No agent", 1), (2, "Согласен", 1),
        (3, "Abandoned", 1), (3, "No answer", 1), (3, "Отказ", 1), (3, "Перезвонить", 1),
    ]  # fmt: skip


def test_the_worked_campaign_telemarketing_compliance():
    campaign, records = worked_campaign()
    table = analytics.telemarketing_compliance(campaign, records)
    assert [attrs.astuple(row)[1:] for row in table] == [
        (2, 1, 0, 1, 1 / 2),  # agreed + no agent answered; no agent unattended
        (3, 0, 1, 1, 1 / 3),  # refused, call back + abandoned; abandoned unattended
    ]


def test_the_worked_campaign_contact_rate_by_hour():
    campaign, records = worked_campaign()
    table = analytics.contact_rate_by_hour(campaign, records)
    assert len(table) == 7 * 24
    seen = {(row.weekday, row.hour): (row.attempts, row.connects) for row in table if row.attempts}
    assert seen == {(1, 10): (2, 1), (1, 11): (1, 1), (2, 9): (3, 1), (2, 18): (1, 1)}
    assert table.weekday_name(1, "ru") == "Понедельник"


def test_the_worked_campaign_attempts_to_close_cpa_sip_quota():
    campaign, records = worked_campaign()
    tables = analytics.tables(campaign, records)
    assert [attrs.astuple(row) for row in tables.attempts_to_close] == [("A", 2, 2, 1.0)]
    assert [attrs.astuple(row) for row in tables.cpa_by_disposition] == [
        (ccr.CPAResult.VOICE, "No agent", 1),
        (ccr.CPAResult.VOICE, "Перезвонить", 1),
        (ccr.CPAResult.VOICE, "Согласен", 1),
        (ccr.CPAResult.BUSY, "Busy", 1),
        (ccr.CPAResult.RING_BACK, "No answer", 1),
        (None, "Abandoned", 1),
        (None, "Отказ", 1),
    ]
    assert [attrs.astuple(row) for row in tables.sip_failures] == [
        (480, "Temporarily Unavailable", 1, 0.5),
        (486, "Busy Here", 1, 0.5),
    ]
    assert [attrs.astuple(row) for row in tables.quota_groups] == [("Москва", 1, 1)]


def test_the_worked_campaign_agents():
    campaign, records = worked_campaign()
    tables = analytics.tables(campaign, records)
    assert [attrs.astuple(row) for row in tables.agents] == [
        ("ivanov", 2, 165, 1, 0.5),
        ("petrov", 1, 30, 1, 1.0),
    ]
    assert [attrs.astuple(row) for row in tables.agent_dispositions] == [
        ("ivanov", "Согласен", 1, 0.5),
        ("petrov", "Отказ", 1, 1.0),
    ]


def test_every_table_knows_its_title_and_labels_in_both_languages():
    campaign, records = worked_campaign()
    for table in analytics.tables(campaign, records).tables:
        for language in ("en", "ru"):
            assert table.title(language)
            labels = table.labels(language)
            assert len(labels) == len(table.COLUMNS) == len(attrs.fields(type(table.rows[0])))
            assert all(labels)
        assert table.title("en") != table.title("ru")
    assert [row.name for row in analytics.ListProgress.COLUMNS][:2] == ["list_name", "records"]


def test_frames_and_arrow_tables_have_the_documented_types():
    campaign, records = worked_campaign()
    tables = analytics.tables(campaign, records, timezone="Asia/Yekaterinburg")
    frame = tables.campaign_in_time.to_pandas()
    assert str(frame["start"].dtype) == "datetime64[us, Asia/Yekaterinburg]"
    assert frame["attempts"].dtype == "int64"
    assert frame["contact_rate"].dtype == "float64"
    cpa = tables.cpa_by_disposition.to_pandas()
    assert str(cpa["cpa_result"].dtype) == "Int64"
    assert cpa["cpa_result"].isna().sum() == 2
    arrow = tables.campaign_in_time.to_arrow()
    assert str(arrow.schema.field("start").type) == "timestamp[us, tz=Asia/Yekaterinburg]"
    hours = analytics.campaign_in_time(campaign, records, period="hour").to_arrow()
    assert hours.column("contact_rate").null_count == 1
    assert arrow.column("attempts").to_pylist() == [3, 4]


# --- a simple report ----------------------------------------------------------------------


def test_a_simple_report_gives_list_progress_and_refuses_the_tables_of_attempts():
    campaign, records = worked_campaign()
    report = read_back(campaign, records, ccr.ExportOptions())
    assert analytics.list_progress(report) == analytics.list_progress(campaign, records)
    with pytest.raises(ccr.errors.AnalyticsInputError, match=r"analytics\.agents\(\).*detailed"):
        analytics.agents(report)
    empty = read_back(campaign, [], ccr.ExportOptions())
    with pytest.raises(ccr.errors.AnalyticsInputError, match="simple report"):
        analytics.tables(empty)
    simple_rows = list(ccr.simple_rows(campaign, records))
    with pytest.raises(ValueError, match=r"campaign_in_time\(\)"):
        analytics.campaign_in_time(simple_rows)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda c, r: analytics.tables(c, r, period="week"), ccr.errors.OptionsError, "period"),
        (lambda c, r: analytics.tables(c, r, timezone="Moscow"), ccr.errors.OptionsError,
         "timezone"),
        (lambda c, _r: analytics.tables(c), ccr.errors.AnalyticsInputError, "records"),
        (lambda _c, r: analytics.tables(r, "x"), ccr.errors.AnalyticsInputError, "second"),
        (lambda _c, _r: analytics.tables(42), ccr.errors.AnalyticsInputError, "Report"),
        (lambda _c, r: analytics.tables(r), ccr.errors.CampaignMismatchError, "SimpleRow"),
        (lambda c, r: analytics.tables([*ccr.detailed_rows(c, r), *ccr.simple_rows(c, r)]),
         ccr.errors.CampaignMismatchError, "mixes"),
    ],
)  # fmt: skip
def test_bad_input_is_a_library_error_naming_it(call, error, message):
    campaign, records = worked_campaign()
    with pytest.raises(error, match=message):
        call(campaign, records)


def test_a_store_is_given_with_a_campaign_name(tmp_path):
    campaign, records = worked_campaign()
    with ccr.ResultsStore(tmp_path / "results.sqlite") as store:
        store.put_campaign(campaign)
        store.add_records(campaign.name, records)
        with pytest.raises(ccr.errors.AnalyticsInputError, match="campaign's name"):
            analytics.tables(store)
        with pytest.raises(ccr.errors.UnknownNameError, match="Продажи"):
            analytics.tables(store, "Продажи")
        assert analytics.tables(store, campaign.name) == analytics.tables(campaign, records)


def test_without_pandas_or_pyarrow_the_error_names_the_extra(monkeypatch):
    campaign, records = worked_campaign()
    table = analytics.agents(campaign, records)
    monkeypatch.setitem(sys.modules, "pandas", None)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r"cloudcontact-results\[pandas\]"):
        table.to_pandas()
    with pytest.raises(ImportError, match=r"cloudcontact-results\[arrow\]"):
        table.to_arrow()


# --- previews -------------------------------------------------------------------------------


def test_the_preview_of_a_large_table_stays_small():
    start = at(2, 0)
    rows = tuple(
        analytics.DispositionsInTimeRow(start + dt.timedelta(hours=n), f"<Статус {n % 7}>", n)
        for n in range(50_000)
    )
    table = analytics.DispositionsInTime(rows, "Europe/Moscow", "hour")
    shown = table._repr_html_()
    assert len(shown) < 5_000
    # The header, the first 20 rows (50 000 - 20 = 49 980 more) and the line saying so.
    assert shown.count("<tr>") == 1 + 20 + 1
    assert "49980 more rows" in shown
    assert "&lt;Статус 0&gt;" in shown  # text is escaped
    assert "ещё строк: 49980" in table.to_html("ru")
    assert "Статусы во времени (50000)" in table.to_html("ru")


def test_the_preview_of_every_table_at_once_is_bounded():
    campaign, records = ccr.demo_campaign(300)
    tables = analytics.tables(campaign, records, period="hour")
    shown = tables._repr_html_()
    assert len(shown) < 40_000
    assert all(table.title() in shown for table in tables.tables)


# --- memory ---------------------------------------------------------------------------------


def many_rows(count: int) -> Iterator[ccr.DetailedRow]:
    """``count`` detailed rows of one week, three attempts a record: few groups, many rows."""
    campaign, records = worked_campaign()
    template = [row for row in ccr.detailed_rows(campaign, records) if row.agent]
    for number in range(count):
        row = template[number % len(template)]
        moment = at(2, 0) + dt.timedelta(minutes=number % (7 * 24 * 60))
        yield attrs.evolve(row, record_id=str(number // 3), call_time=moment)


def peak_bytes(count: int) -> int:
    tracemalloc.start()
    try:
        analytics.tables(many_rows(count))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_memory_does_not_grow_with_the_rows():
    small, large = peak_bytes(2_000), peak_bytes(20_000)
    assert large < small * 1.5 + 200_000, (small, large)


# --- what a notebook shows of campaigns and stores --------------------------------------


def test_a_campaign_shows_its_lists_bounded():
    lists = [ccr.CallingList(f"<Список {n}>", [f"c{k}" for k in range(30)]) for n in range(100)]
    shown = ccr.Campaign("Большая", lists)._repr_html_()
    assert "&lt;Список 0&gt;" in shown
    assert "Список 20" not in shown
    assert "… 80 more lists" in shown
    assert "c7, … 22 more" in shown
    assert len(shown) < 10_000


def test_a_store_lists_its_campaigns_with_counts(tmp_path):
    campaign, records = worked_campaign()
    with ccr.ResultsStore(tmp_path / "results.sqlite") as store:
        assert "0 campaigns" in store._repr_html_()
        store.put_campaign(campaign)
        store.add_records(campaign.name, records)
        for number in range(60):
            store.put_campaign(ccr.Campaign(f"C{number}", [ccr.CallingList("L", ["Phone"])]))
        shown = store._repr_html_()
        # campaign, lists, records, completed records, archives
        assert "<td>Опрос</td><td>2</td><td>5</td><td>2</td><td>0</td>" in shown
        assert "61 campaigns" in shown
        assert "… 11 more campaigns" in shown
        assert "C49" not in shown
    assert "closed" in store._repr_html_()
