"""Building Records and Attempts fast drops no check: values off the fast paths are still judged."""

from __future__ import annotations

import datetime as dt
import enum
import zoneinfo

import pytest

import cloudcontact_results as ccr
from cloudcontact_results._model.frozen import FrozenTextMap

MSK = zoneinfo.ZoneInfo("Europe/Moscow")
T = dt.datetime(2026, 3, 1, 9, 30, tzinfo=MSK)


class Text(str):
    """A str subclass: accepted by the validators, never by the fast paths."""

    __slots__ = ()


class Seconds(enum.IntEnum):
    TEN = 10


class NoOffset(dt.tzinfo):
    """A zone that gives no UTC offset: its date-times are naive."""

    def utcoffset(self, moment: dt.datetime | None) -> dt.timedelta | None:
        return None


class FixedOffset(dt.tzinfo):
    def utcoffset(self, moment: dt.datetime | None) -> dt.timedelta | None:
        return dt.timedelta(hours=5)


class Moment(dt.datetime):
    """A datetime subclass."""


def test_subclasses_of_the_expected_types_are_accepted() -> None:
    attempt = ccr.Attempt(
        Text("+7916"),
        Moment(2026, 3, 1, tzinfo=FixedOffset()),
        agent=Text("ivanov"),
        dialing_duration=Seconds.TEN,
        script_values={Text("a"): Text("b")},
    )
    assert attempt.phone == "+7916"
    assert attempt.dialing_duration == 10
    assert attempt.script_values == {"a": "b"}
    record = ccr.Record(Text("1"), Text("L"), {Text("c"): Text("v")}, (attempt,))
    assert record.fields == {"c": "v"}


def test_a_zone_without_an_offset_is_naive() -> None:
    with pytest.raises(ccr.errors.ValidationError, match=r"Attempt\.time"):
        ccr.Attempt("1", dt.datetime(2026, 3, 1, tzinfo=NoOffset()))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("dialing_duration", True),
        ("cpa_duration", -1),
        ("answered_duration", 1.5),
        ("sip_code", 99),
        ("sip_code", 700),
        ("sip_code", True),
        ("cpa_result", 10),
        ("cpa_result", "3"),
        ("is_inbound", 1),
        ("note", b"x"),
        ("call_disposition", "Busy"),
        ("quota", "group"),
        ("script_values", FrozenTextMap({"a": 1})),  # type: ignore[dict-item]
        ("script_values", FrozenTextMap({1: "a"})),  # type: ignore[dict-item]
        ("script_values", {"a": None}),
        ("script_values", []),
    ],
)
def test_values_off_the_fast_paths_are_rejected(field: str, value: object) -> None:
    with pytest.raises(ccr.errors.ValidationError, match=rf"Attempt\.{field}"):
        ccr.Attempt("1", T, **{field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", " "),
        ("id", Text("")),
        ("list_name", "\u2003"),
        ("fields", FrozenTextMap({"a": 1})),  # type: ignore[dict-item]
        ("fields", {"a": None}),
        ("attempts", ["attempt"]),
        ("attempts", 5),
    ],
)
def test_record_values_off_the_fast_paths_are_rejected(field: str, value: object) -> None:
    arguments: dict[str, object] = {"id": "1", "list_name": "L", field: value}
    with pytest.raises(ccr.errors.ValidationError, match=rf"Record\.{field}"):
        ccr.Record(**arguments)  # type: ignore[arg-type]


def test_the_first_invalid_field_is_named() -> None:
    """Validators run in field order, as attrs runs them."""
    with pytest.raises(ccr.errors.ValidationError, match=r"Attempt\.phone"):
        ccr.Attempt(1, "not a time")  # type: ignore[arg-type]


def test_post_init_checks_still_run() -> None:
    with pytest.raises(ccr.errors.ValidationError, match=r"Attempt\.is_inbound"):
        ccr.Attempt("1", T, is_call_attempt=False, is_inbound=True)
    busy = ccr.system_disposition("Busy")
    quota = ccr.QuotaOutcome("Москва")
    with pytest.raises(ccr.errors.ValidationError, match="quota-stopped"):
        ccr.Attempt("1", T, record_disposition=busy, quota=quota)


def test_given_mappings_and_lists_are_copied() -> None:
    values = {"a": "1"}
    fields = {"c": "v"}
    attempt = ccr.Attempt("1", T, script_values=values)
    attempts = [attempt]
    record = ccr.Record("1", "L", fields, attempts)
    values["a"] = "2"
    fields["c"] = "w"
    attempts.append(attempt)
    assert attempt.script_values == {"a": "1"}
    assert record.fields == {"c": "v"}
    assert record.attempts == (attempt,)


def test_int_cpa_results_are_converted() -> None:
    assert ccr.Attempt("1", T, cpa_result=8).cpa_result is ccr.CPAResult(8)
