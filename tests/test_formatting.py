"""RowFormatter / format_row: typed rows to text cells (docs/reports.md, docs/options.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import linecache
import pickle
import traceback
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results._report import guard as _guard
from cloudcontact_results._report.guard import guard_cell
from tests.conftest import examples
from tests.support.answers import parse, spreadsheet_safe
from tests.support.samples import AGREED
from tests.support.strategies import campaign_with_records, export_options

MOSCOW = ZoneInfo("Europe/Moscow")
# 09:05:07 UTC on the day New York moves its clocks forward (05:05 EDT).
MOMENT = dt.datetime(2026, 3, 8, 9, 5, 7, tzinfo=dt.UTC)

CAMPAIGN = ccr.Campaign(
    "Опрос",
    [ccr.CallingList("Список 1", ["№", "Телефон"])],
    script_fields=[ccr.ScriptField("comment")],
    dispositions=[AGREED],
)


def one_row(*attempts: ccr.Attempt, fmt: str = "simple"):
    record = ccr.Record("R1", "Список 1", {"№": "1"}, attempts)
    options = ccr.ExportOptions(format=fmt)
    return next(iter(ccr.report_rows(CAMPAIGN, [record], options)))


def by_header(row, **options) -> dict[str, str]:
    fmt = "simple" if isinstance(row, ccr.SimpleRow) else "detailed"
    export = ccr.ExportOptions(format=fmt, **options)
    cells = ccr.RowFormatter(export).cells(row)
    return dict(zip(ccr.report_header(CAMPAIGN, export), cells, strict=True))


@pytest.mark.parametrize(
    ("zone", "text"),
    [
        ("Europe/Moscow", "2026-03-08 12:05:07"),
        ("UTC", "2026-03-08 09:05:07"),
        ("America/New_York", "2026-03-08 05:05:07"),
        ("Asia/Yekaterinburg", "2026-03-08 14:05:07"),
    ],
)
def test_times_are_written_in_the_export_time_zone(zone, text):
    row = one_row(ccr.Attempt("1", MOMENT))
    assert by_header(row, timezone=zone)["Last Call Time"] == text
    assert (
        by_header(one_row(ccr.Attempt("1", MOMENT), fmt="detailed"), timezone=zone)["Call Time"]
        == text
    )


def test_time_in_another_zone_is_the_same_instant():
    in_new_york = MOMENT.astimezone(ZoneInfo("America/New_York"))
    assert by_header(one_row(ccr.Attempt("1", in_new_york)))["Last Call Time"] == (
        "2026-03-08 12:05:07"
    )


@pytest.mark.parametrize(
    ("fmt", "text"),
    [("%d.%m.%Y %H:%M", "08.03.2026 12:05"), ("%Y-%m-%dT%H:%M:%S%z", "2026-03-08T12:05:07+0300")],
)
def test_datetime_format_is_configurable(fmt, text):
    row = one_row(ccr.Attempt("1", MOMENT))
    assert by_header(row, datetime_format=fmt)["Last Call Time"] == text


def test_flags_are_one_and_zero():
    done = one_row(
        ccr.Attempt(
            "1", MOMENT, call_disposition=AGREED, record_disposition=AGREED, is_inbound=True
        ),
        fmt="detailed",
    )
    cells = by_header(done)
    assert (cells["Is Call Attempt"], cells["Completed"], cells["Is Inbound Call"]) == (
        "1",
        "1",
        "1",
    )
    assert cells["Out of Quota"] == "0"
    stopped = one_row(
        ccr.Attempt("", MOMENT, is_call_attempt=False, quota=ccr.QuotaOutcome("Москва")),
        fmt="detailed",
    )
    cells = by_header(stopped)
    assert (cells["Is Call Attempt"], cells["Completed"], cells["Out of Quota"]) == ("0", "0", "1")
    assert cells["Quota Group"] == "Москва"


def test_missing_values_are_empty_and_numbers_are_plain():
    row = one_row(ccr.Attempt("1", MOMENT, dialing_duration=17, cpa_result=0), fmt="detailed")
    cells = by_header(row)
    assert cells["comment"] == ""
    assert cells["Record Disposition"] == cells["Record Disposition Code"] == ""
    assert cells["Call Disposition"] == cells["Quota Group"] == cells["Agent"] == ""
    assert cells["Dialing Duration"] == "17"
    assert cells["Answered Duration"] == "0"
    assert cells["CPA result"] == "0"  # UNKNOWN is a result, written as its number
    assert by_header(one_row(ccr.Attempt("1", MOMENT), fmt="detailed"))["CPA result"] == ""


@pytest.mark.parametrize(("language", "text"), [("en", "no match"), ("ru", "не соответствует")])
def test_no_match_label(language, text):
    row = one_row(
        ccr.Attempt("", MOMENT, is_call_attempt=False, quota=ccr.QuotaOutcome(ccr.NO_MATCH))
    )
    assert ccr.format_row(row, ccr.ExportOptions(language=language))[-10] == text


def test_russian_names_system_dispositions_and_keeps_user_ones():
    dialled = ccr.Attempt(
        "1",
        MOMENT,
        call_disposition=ccr.system_disposition("No answer"),
        record_disposition=ccr.system_disposition("Finalized by dial rule"),
    )
    cells = by_header(one_row(dialled, fmt="detailed"), language="ru")
    assert cells["Статус попытки"] == "Нет ответа"
    assert cells["Статус записи"] == "Завершен по правилу набора"
    agreed = ccr.Attempt(
        "1", MOMENT, call_disposition=AGREED, record_disposition=AGREED, answered_duration=5
    )
    cells = by_header(one_row(agreed), language="ru")
    assert cells["Статус последней попытки"] == cells["Статус записи"] == "Согласен"
    assert cells["Код статуса записи"] == "1"
    english = by_header(one_row(dialled))
    assert english["Last Call Disposition"] == "No answer"


def test_cells_are_list_columns_then_script_fields_then_report_columns():
    attempt = ccr.Attempt(
        "+79160000000", MOMENT, script_values={"comment": "пример"}, answered_duration=42
    )
    cells = ccr.format_row(one_row(attempt))
    assert cells[:3] == ["1", "", "пример"]
    assert cells[3] == "1"  # Total attempts
    assert len(cells) == len(ccr.report_header(CAMPAIGN))


def test_formatter_is_reusable_and_agrees_with_format_row():
    options = ccr.ExportOptions(language="ru", timezone="UTC")
    formatter = ccr.RowFormatter(options)
    rows = [one_row(ccr.Attempt("1", MOMENT)), one_row(ccr.Attempt("1", MOMENT), fmt="detailed")]
    assert [formatter.cells(r) for r in rows] == [ccr.format_row(r, options) for r in rows]
    assert formatter.time(None) == ""
    assert formatter.disposition(None) == ""
    assert formatter.disposition("Перезвонить") == "Перезвонить"


# --- fast paths: each must write exactly what the plain path writes --------------------------

_EARLIEST = dt.datetime(1, 1, 1)  # noqa: DTZ001 - bounds of st.datetimes are naive
_LATEST = dt.datetime(9999, 12, 31, 23, 59, 59, 999999)  # noqa: DTZ001


@pytest.mark.slow
@settings(max_examples=examples(400))
@given(
    moment=st.datetimes(_EARLIEST, _LATEST, timezones=st.timezones()),
    zone=st.one_of(
        st.sampled_from(["Europe/Moscow", "UTC", "America/New_York", "Asia/Kolkata"]),
        st.timezone_keys(),
    ),
)
@example(moment=dt.datetime(999, 12, 31, 23, 59, 59, tzinfo=dt.UTC), zone="UTC")
@example(moment=dt.datetime(1000, 1, 1, tzinfo=dt.UTC), zone="UTC")
@example(moment=dt.datetime(1000, 1, 1, 2, 59, 59, 999999, tzinfo=dt.UTC), zone="Europe/Moscow")
@example(moment=dt.datetime(9999, 12, 31, 20, 59, 59, 999999, tzinfo=dt.UTC), zone="Europe/Moscow")
@example(moment=dt.datetime(1900, 1, 1, 12, tzinfo=dt.UTC), zone="Europe/Amsterdam")  # +00:19:32
def test_default_time_format_writes_what_strftime_writes(moment: dt.datetime, zone: str) -> None:
    formatter = ccr.RowFormatter(ccr.ExportOptions(timezone=zone))
    try:
        local = moment.astimezone(ZoneInfo(zone))
        # Four-digit years always (strftime writes "999" on some platforms).
        expected = f"{local.year:04d}" + local.strftime("-%m-%d %H:%M:%S")
    except (OverflowError, ValueError):
        with pytest.raises((OverflowError, ValueError)):
            formatter.time(moment)
        return
    assert formatter.time(moment) == expected


def test_default_time_format_over_more_days_than_are_kept_written() -> None:
    # The default format writes each day's date once and keeps a bounded number.
    formatter = ccr.RowFormatter(ccr.ExportOptions(timezone="Asia/Kolkata"))
    start = dt.datetime(1990, 1, 1, 20, 30, 5, tzinfo=dt.UTC)
    for days in range(0, 6000, 1):
        moment = start + dt.timedelta(days=days, seconds=days * 37)
        local = moment.astimezone(ZoneInfo("Asia/Kolkata"))
        assert formatter.time(moment) == local.strftime("%Y-%m-%d %H:%M:%S")
    again = formatter.time(start)
    assert again == start.astimezone(ZoneInfo("Asia/Kolkata")).strftime("%Y-%m-%d %H:%M:%S")


def test_default_time_format_drops_microseconds_without_rounding() -> None:
    moment = dt.datetime(2026, 3, 8, 9, 5, 7, 999999, tzinfo=dt.UTC)
    assert ccr.RowFormatter(ccr.ExportOptions(timezone="UTC")).time(moment) == (
        "2026-03-08 09:05:07"
    )


#: Spaces before a trigger (a spreadsheet that trims them sees the trigger), often.
_SPACES = st.text(" ", max_size=4)
#: Text with a start (a cell's, or after separators), quotes, spaces and triggers, often.
_STARTS = st.lists(
    st.tuples(
        st.text(",;\t\r\n", max_size=2),
        st.text("'", max_size=2),
        _SPACES,
        st.sampled_from("=@+-'\t\r1 a"),
        st.text("0123456789 a.,", max_size=3),
    ).map("".join),
    max_size=4,
).map("".join)


@settings(max_examples=examples(100))
@given(
    text=st.one_of(
        st.text(max_size=12),
        st.tuples(
            st.text("'", max_size=2),
            _SPACES,
            st.sampled_from("+-'=@\t\r"),
            st.text("0123456789٠١٢²,.+-' a", max_size=8),
        ).map("".join),
        st.text(",;\t\r\n'=+-@1 a", max_size=12),
        _STARTS,
    )
)
@example(text="итог;=1+1")
@example(text="\t'=1,'-x\n@")
@example(text="-1,5")
@example(text="+²")
@example(text="-5.")
@example(text="-٣")
@example(text=" =1+1")
@example(text="' =1")
@example(text=" '=1")
@example(text="a;'  -2+3")
@example(text="   \t-5")
def test_guard_cell_fast_path_agrees_with_the_rule(text: str) -> None:
    assert guard_cell(text) == spreadsheet_safe(text)
    assert _guard.unguard_cell(guard_cell(text)) == text


@given(
    st.lists(
        st.one_of(st.text(",;\t\r\n'=+-@19٣ aж.", max_size=8), _STARTS), min_size=1, max_size=6
    )
)
@example(cells=["+79161234567", "г. Москва, ул. Тверская, д. 1"])
@example(cells=["a", "+7x"])
@example(cells=["x\t-5", "b"])
@example(cells=["-", ""])
@example(cells=["a", " =1+1"])
@example(cells=["a, =1", "b"])
@example(cells=["x;  @SUM(A1)"])
@example(cells=["     -x"])
@example(cells=["a,   \t"])
def test_one_search_of_joined_cells_finds_every_cell_the_guard_changes(cells: list[str]) -> None:
    # The fused writer clears a row's cells with one search of them joined by
    # NUL: it may raise a false alarm, but never miss a cell the guard changes.
    if any(spreadsheet_safe(cell) != cell for cell in cells):
        assert _guard.changes_joined("\x00" + "\x00".join(cells)) is not None


@given(
    st.lists(
        st.one_of(st.text(",;\t\r\n'=+-@19٣ aж.\x00", max_size=8), _STARTS), min_size=1, max_size=6
    )
)
@example(cells=["+7\x00x"])  # digits, then a NUL inside the cell: not a phone number
@example(cells=["'+x"])  # a quote before a sign
@example(cells=["a", "b, -x"])
@example(cells=["a", "-5\x00=1"])
@example(cells=["+79161234567", "г. Москва, ул. Тверская, д. 1"])
def test_the_look_before_a_run_of_cells_misses_no_cell_the_guard_changes(cells: list[str]) -> None:
    # may_change_joined() first looks for the characters a formula starts
    # with, then searches; NULs inside cells included.
    joined = "\x00" + "\x00".join(cells)
    if any(spreadsheet_safe(cell) != cell for cell in cells):
        assert _guard.may_change_joined(joined, len(cells))


@given(
    st.text(
        st.one_of(
            # Every character the guard looks at, less those the claim leaves out.
            st.sampled_from(",;\t\r\n'=+-@ 19aж\x00"),
            st.characters(),
        ).filter(lambda char: char not in _guard.FORMULA_CHARACTERS)
    )
)
@example(text="' ;'  ,x\n'")
@example(text="a, 'b")
def test_text_without_a_character_a_formula_starts_with_is_never_guarded(text: str) -> None:
    # The writers skip the guard's search for such text (FORMULA_CHARACTERS).
    assert spreadsheet_safe(text) == text
    assert not _guard.may_change_joined("\x00" + text, 1)


_GUARD_OPTIONS = export_options(
    datetime_format=st.sampled_from(["%Y-%m-%d %H:%M:%S", "=%d.%m.%Y", "-%H:%M", "%d.%m.%Y"]),
)


@pytest.mark.slow
@settings(max_examples=examples(60))
@given(campaign_with_records(max_records=6), _GUARD_OPTIONS)
def test_guarded_export_is_the_guard_over_every_formatted_cell(
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]], options: ccr.ExportOptions
) -> None:
    # Date-time formats starting with "=" or "-" make time cells formula-like:
    # the export's compiled rows must guard them like any text cell.
    campaign, records = campaign_and_records
    formatter = ccr.RowFormatter(options)
    stream = io.BytesIO()
    ccr.export(campaign, records, stream, attrs.evolve(options, formula_guard=True))
    expected = [list(ccr.report_header(campaign, options))]
    expected += [formatter.cells(row) for row in ccr.report_rows(campaign, records, options)]
    assert parse(stream.getvalue(), options.dialect) == [
        [spreadsheet_safe(cell) for cell in row] for row in expected
    ]


# --- the guard's edge cases (docs/export.md: "+"/"-" not followed by a plain number) ---


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("-1,5", "-1,5"),  # a plain number with a decimal comma
        ("+1.25", "+1.25"),
        ("-5.", "'-5."),  # a separator without digits after it is not a plain number
        ("+²", "'+²"),  # a superscript is not a decimal digit
        ("-٣", "-٣"),  # an Arabic-Indic digit is one
        ("+", "'+"),
        ("-1,5,6", "'-1,5,6"),
        ("'=1", "''=1"),  # a genuine quote before formula-like text is quoted too
        ("'plain", "'plain"),
        # Spaces before a trigger: a spreadsheet trimming them would see it.
        (" =1+1", "' =1+1"),
        ("  -2+3", "'  -2+3"),
        (" @SUM(A1)", "' @SUM(A1)"),
        (" \tcmd", "' \tcmd"),
        (" +79161234567", " +79161234567"),  # a phone number after spaces stays
        (" -5", " -5"),
        ("' =1", "'' =1"),  # a genuine quote before spaces before a trigger
        (" '=1", " '=1"),  # trimmed, it starts with a quote: text already
        ("1 =1", "1 =1"),
        ("\u00a0=1", "\u00a0=1"),  # a no-break space is not trimmed
    ],
)
def test_guard_edge_cases(text: str, written: str) -> None:
    campaign = ccr.Campaign("C", [ccr.CallingList("L", ["Value"])])
    stream = io.BytesIO()
    ccr.export(campaign, [ccr.Record("1", "L", {"Value": text})], stream)
    data_line = stream.getvalue().decode().splitlines()[1]
    assert next(csv.reader([data_line]))[0] == written
    report = ccr.read_report(io.BytesIO(stream.getvalue()))
    assert next(iter(report)).fields["Value"] == text


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("a, =1", "a,' =1"),
        ("x;  @SUM(A1)", "x;'  @SUM(A1)"),
        ("итог;   =1+1", "итог;'   =1+1"),
        ("строка\n -2+3", "строка\n' -2+3"),
        ("a, -5", "a, -5"),
        ("тел.; +79161234567", "тел.; +79161234567"),
        ("a;' =1", "a;'' =1"),
        ("Москва - столица", "Москва - столица"),
    ],
)
@pytest.mark.parametrize("dialect", ["platform", "excel-ru"])
def test_spaces_before_a_trigger_after_a_separator_are_guarded(
    text: str, written: str, dialect: str
) -> None:
    campaign = ccr.Campaign("C", [ccr.CallingList("L", ["Value"])])
    stream = io.BytesIO()
    options = ccr.ExportOptions(dialect=dialect)
    ccr.export(campaign, [ccr.Record("1", "L", {"Value": text})], stream, options)
    assert parse(stream.getvalue(), dialect)[1][0] == written
    report = ccr.read_report(io.BytesIO(stream.getvalue()))
    assert next(iter(report)).fields["Value"] == text


# --- the formatter as an object ------------------------------------------------------------


def test_formatter_pickles_and_formats_the_same_after() -> None:
    options = ccr.ExportOptions(language="ru", timezone="Asia/Yekaterinburg")
    formatter = ccr.RowFormatter(options)
    row = one_row(ccr.Attempt("1", MOMENT), fmt="detailed")
    copy = pickle.loads(pickle.dumps(formatter))  # noqa: S301  # bytes this test made
    assert copy.cells(row) == formatter.cells(row)
    assert copy.rendering == formatter.rendering == options.rendering


def test_generated_row_code_is_named_in_tracebacks() -> None:
    # A row whose time is not a datetime fails inside the generated function:
    # the traceback names its generated file and shows its source line.
    row = attrs.evolve(one_row(ccr.Attempt("1", MOMENT), fmt="detailed"), call_time="not a time")
    with pytest.raises(AttributeError) as caught:
        ccr.RowFormatter().cells(row)
    frames = traceback.extract_tb(caught.value.__traceback__)
    generated = [frame for frame in frames if "generated" in frame.filename]
    assert generated
    assert generated[0].filename.startswith("<cloudcontact_results generated detailed rows")
    assert "value.astimezone(ZONE)" in (generated[0].line or "")
    source = linecache.getlines(generated[0].filename)
    assert "    value = row.call_time\n" in source


def test_rows_are_hashable_and_their_fields_read_only() -> None:
    campaign = ccr.Campaign("C", [ccr.CallingList("L", ["A", "B"])])
    attempts = [ccr.Attempt("1", MOMENT), ccr.Attempt("1", MOMENT + dt.timedelta(hours=1))]
    first, second = ccr.detailed_rows(
        campaign, [ccr.Record("1", "L", {"A": "x"}, attempts)], ccr.ExportOptions(format="detailed")
    )
    assert hash(first) != hash(second)
    assert first.fields == second.fields == {"A": "x", "B": ""}
    with pytest.raises(TypeError):
        first.fields["A"] = "changed"  # type: ignore[index]
    assert second.fields["A"] == "x"
