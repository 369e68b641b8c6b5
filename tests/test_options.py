"""ExportOptions: defaults, strings for enums, and validation of every field (docs/options.md)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

import cloudcontact_results as ccr

MOSCOW = ZoneInfo("Europe/Moscow")
NEW_YORK = ZoneInfo("America/New_York")


def naive(*parts: int) -> dt.datetime:
    """A naive date-time on purpose: interval bounds like it are read in the export zone."""
    return dt.datetime(*parts)  # noqa: DTZ001


def test_defaults_are_the_dialogs():
    options = ccr.ExportOptions()
    assert options.format is ccr.ReportFormat.SIMPLE
    assert options.lists is None
    assert options.dispositions is None
    assert options.interval is None
    assert options.timezone == "Europe/Moscow"
    assert options.language is ccr.Language.EN
    # Not given: a path's suffix says (tests/test_suffix_format.py); a stream is plain CSV.
    assert options.compress is None
    assert options.packaging.compress is False
    assert options.dialect is ccr.Dialect.PLATFORM
    assert options.formula_guard is True
    assert options.datetime_format == "%Y-%m-%d %H:%M:%S"
    assert options.report_unknown_dispositions is False


@pytest.mark.parametrize(
    ("text", "member"),
    [
        ("simple", ccr.ReportFormat.SIMPLE),
        ("detailed", ccr.ReportFormat.DETAILED),
        ("detailed-interval", ccr.ReportFormat.DETAILED_INTERVAL),
    ],
)
def test_format_accepts_its_value(text, member):
    assert ccr.ExportOptions(format=text).format is member
    assert ccr.ExportOptions(format=member).format is member


@pytest.mark.parametrize(
    ("text", "member"),
    [("en", ccr.Language.EN), ("ru", ccr.Language.RU)],
)
def test_language_accepts_its_value(text, member):
    assert ccr.ExportOptions(language=text).language is member


@pytest.mark.parametrize(
    ("text", "member"),
    [
        ("platform", ccr.Dialect.PLATFORM),
        ("excel", ccr.Dialect.EXCEL),
        ("excel-ru", ccr.Dialect.EXCEL_RU),
    ],
)
def test_dialect_accepts_its_value(text, member):
    assert ccr.ExportOptions(dialect=text).dialect is member


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("format", "detailed_interval"),
        ("format", "full"),
        ("format", 3),
        ("language", "de"),
        ("language", "RU "),
        ("dialect", "excel_ru"),
        ("dialect", "tsv"),
        ("timezone", "Europe/Atlantis"),
        ("timezone", "MSK+3"),
        ("timezone", ""),
        ("timezone", 3),
        ("datetime_format", "YYYY-MM-DD"),
        ("compress", "yes"),
        ("formula_guard", 1),
        ("report_unknown_dispositions", None),
        ("zip_timestamp", "2026-01-01"),
    ],
)
def test_invalid_field_is_an_options_error_naming_field_and_value(field, value):
    with pytest.raises(ccr.errors.OptionsError) as caught:
        ccr.ExportOptions(**{field: value})
    message = str(caught.value)
    assert f"ExportOptions.{field}" in message or field in message
    assert repr(value) in message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("field", ["lists", "dispositions"])
def test_empty_name_tuple_is_an_error(field):
    with pytest.raises(ccr.errors.OptionsError, match=rf"ExportOptions\.{field}.*\(\)"):
        ccr.ExportOptions(**{field: ()})


@pytest.mark.parametrize("field", ["lists", "dispositions"])
def test_blank_name_is_an_error(field):
    with pytest.raises(ccr.errors.OptionsError, match=rf"ExportOptions\.{field}.*'  '"):
        ccr.ExportOptions(**{field: ("Список 1", "  ")})


def test_a_single_name_may_be_given_as_a_string():
    options = ccr.ExportOptions(lists="Список 1", dispositions=["Согласен", "Busy"])
    assert options.lists == ("Список 1",)
    assert options.dispositions == ("Согласен", "Busy")


def test_interval_may_be_a_list_and_keeps_its_bounds():
    start = dt.datetime(2026, 3, 1, tzinfo=MOSCOW)
    end = dt.datetime(2026, 3, 2, tzinfo=MOSCOW)
    assert ccr.ExportOptions(interval=[start, end]).interval == (start, end)


@pytest.mark.parametrize(
    "interval",
    [
        (dt.datetime(2026, 3, 2, tzinfo=dt.UTC), dt.datetime(2026, 3, 1, tzinfo=dt.UTC)),
        (dt.datetime(2026, 3, 1, tzinfo=dt.UTC), dt.datetime(2026, 3, 1, tzinfo=dt.UTC)),
        (naive(2026, 3, 1, 12), naive(2026, 3, 1, 9)),  # naive, both in Moscow
    ],
)
def test_interval_start_must_be_before_end(interval):
    with pytest.raises(ccr.errors.OptionsError, match=r"ExportOptions\.interval.*2026") as caught:
        ccr.ExportOptions(interval=interval)
    assert caught.value.value == interval


def test_naive_and_aware_bounds_mix_read_in_the_export_zone():
    # 12:00 naive in Moscow is 09:00 UTC: an aware end at 10:00 UTC is after it...
    start = naive(2026, 3, 1, 12)
    ccr.ExportOptions(interval=(start, dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)))
    # ...but not an aware end at 08:00 UTC, though 08:00 > 12:00 is false either way,
    # and not 09:00 UTC (the same instant: the interval would be empty).
    for hour in (8, 9):
        with pytest.raises(ccr.errors.OptionsError, match=r"ExportOptions\.interval"):
            ccr.ExportOptions(interval=(start, dt.datetime(2026, 3, 1, hour, tzinfo=dt.UTC)))
    # In UTC as the export zone, the naive 12:00 is after an aware 10:00 UTC.
    with pytest.raises(ccr.errors.OptionsError, match=r"ExportOptions\.interval"):
        ccr.ExportOptions(
            interval=(start, dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)), timezone="UTC"
        )


def test_interval_bounds_are_compared_as_instants_across_a_fall_back():
    # 01:30 EST (the second 01:30) is an hour after 01:45 EDT (the first 01:45).
    start = dt.datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=1)
    end = dt.datetime(2026, 11, 1, 1, 45, tzinfo=NEW_YORK)
    with pytest.raises(ccr.errors.OptionsError, match=r"ExportOptions\.interval"):
        ccr.ExportOptions(interval=(start, end))
    ccr.ExportOptions(interval=(end, start))


@pytest.mark.parametrize(
    "interval",
    [
        (dt.datetime(2026, 3, 1, tzinfo=dt.UTC),),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 2)),
        "2026-03-01/2026-03-02",
    ],
)
def test_interval_must_be_a_pair_of_datetimes(interval):
    with pytest.raises(ccr.errors.OptionsError, match=r"ExportOptions\.interval"):
        ccr.ExportOptions(interval=interval)


def test_interval_bounds_read_naive_bounds_in_the_export_zone():
    start = naive(2026, 3, 1, 12)
    aware = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    options = ccr.ExportOptions(interval=(start, aware), timezone="Asia/Yekaterinburg")
    start, end = options.interval_bounds()
    assert start == dt.datetime(2026, 3, 1, 7, tzinfo=dt.UTC)
    assert end == aware
