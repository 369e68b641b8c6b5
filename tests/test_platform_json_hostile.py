"""Hostile JSON of the List Management API: only PlatformDataError, naming the JSON path.

Deep nesting, numbers of more digits than Python converts, digits that are
not ASCII, keys given twice; then a fuzz test over mutated and generated
answers, as bytes, text and decoded JSON, each within 5 s and 200 MB.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results.errors import PlatformDataError
from tests.conftest import examples

CAMPAIGN = ccr.Campaign("Sales", [ccr.CallingList("Clients", ["id", "phone"])])
LIST = "Clients"
ATTEMPT = {
    "call_attempted": True,
    "disposition": "Busy",
    "date": "2021-02-19T19:12:37.000",
    "phone": "16505555555",
    "CPAResult": "Busy",
    "dialingDuration": 12,
    "globalInteractionID": "9D91",
}
CHANGED = [
    {"entry": {"id": "7", "phone": "16505555555"}, "completed": False, "attempts": [ATTEMPT]}
]
STATUS = {
    "entry": {"id": "7", "phone": "16505555555"},
    "status": {
        "completed": False,
        "lastDisposition": "Busy",
        "lastDate": "2021-02-19T19:12:37.000",
        "lastCallDuration": 5,
        "totalAttempts": 1,
    },
}
PARSERS = {"changed": ccr.parse_changed, "status": ccr.parse_status}


def refused(kind: str, data: Any) -> PlatformDataError:
    with pytest.raises(PlatformDataError) as caught:
        PARSERS[kind](data, CAMPAIGN, LIST, key_columns=["id"])
    return caught.value


def test_the_answers_here_are_read() -> None:
    (changed,) = ccr.parse_changed(json.dumps(CHANGED), CAMPAIGN, LIST, key_columns=["id"])
    (status,) = ccr.parse_status(json.dumps(STATUS), CAMPAIGN, LIST, key_columns=["id"])
    assert changed.record.attempts[0].dialing_duration == 12
    assert status.record.attempts[0].answered_duration == 5


# --- keys given twice ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text", "path"),
    [
        ("status", '{"entry": {"id": "1"}, "entry": {"id": "2"}}', "$.entry"),
        ("changed", '[{"entry": {"id": "1", "id": "2"}}]', "$[0].entry.id"),
        (
            "changed",
            (
                '[{"entry": {"id": "1"}, "attempts": [{"date": "2021-02-19T19:12:37.000",'
                ' "dialingDuration": 1, "dialingDuration": 2}]}]'
            ),
            "$[0].attempts[0].dialingDuration",
        ),
        (
            "status",
            '{"entry": {"id": "1"}, "status": {"completed": true, "completed": false}}',
            "$.status.completed",
        ),
        ("changed", '[{"entry": {"id": "1"}, "unknown": {"a": 1, "a": 1}}]', "$[0].unknown.a"),
    ],
)
def test_a_key_given_twice_is_refused_naming_its_path(kind: str, text: str, path: str) -> None:
    for data in (text, text.encode()):
        error = refused(kind, data)
        assert error.field == path
        assert "given twice" in error.reason


# --- nesting -----------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [65, 2_000, 200_000])
def test_deep_nesting_is_refused(depth: int) -> None:
    text = '[{"entry": {"id": "1"}, "x": ' + "[" * depth + "]" * depth + "}]"
    error = refused("changed", text)
    assert "deep" in error.reason
    assert error.field.startswith("$")


def test_deep_nesting_given_decoded_is_refused_too() -> None:
    value: Any = []
    for _ in range(100_000):  # deeper than any recursion could go
        value = [value]
    error = refused("changed", [{"entry": {"id": "1"}, "x": value}])
    assert error.field.startswith("$[0].x[0][0]")
    assert "more than 64 deep" in error.reason


def test_nesting_within_the_limit_is_kept_as_unknown() -> None:
    item = {"entry": {"id": "1"}, "x": json.loads("[" * 60 + "]" * 60)}
    (found,) = ccr.parse_changed([item], CAMPAIGN, LIST, key_columns=["id"])
    assert found.ignored == ("$[0].x",)


# --- numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text", "path"),
    [
        (
            "changed",
            '[{"entry": {"id": "1"}, "totalAttempts": ' + "9" * 5000 + "}]",
            "$[0].totalAttempts",
        ),
        ("changed", '[{"entry": {"id": ' + "1" * 4301 + "}}]", "$[0].entry.id"),
        ("status", '{"entry": {"id": "1"}, "unknown": [' + "1" * 10_000 + "]}", "$.unknown[0]"),
    ],
)
def test_a_number_too_long_to_convert_is_refused(kind: str, text: str, path: str) -> None:
    error = refused(kind, text)
    assert error.field == path
    assert "digits" in error.reason


def test_huge_numbers_given_decoded_are_refused() -> None:
    huge = 10**5000  # its repr would raise ValueError
    error = refused("changed", [{"entry": {"id": huge}}])
    assert error.field == "$[0].entry.id"
    assert "digits" in str(error)
    error = refused("status", {**STATUS, "status": {**STATUS["status"], "lastCallDuration": huge}})
    assert error.field == "$.status.lastCallDuration"


@pytest.mark.parametrize("value", [2**31, "2147483648", 1e300, "9" * 700])
def test_seconds_beyond_any_call_are_refused(value: Any) -> None:
    attempt = {**ATTEMPT, "dialingDuration": value}
    error = refused("changed", [{**CHANGED[0], "attempts": [attempt]}])
    assert error.field == "$[0].attempts[0].dialingDuration"


@pytest.mark.parametrize("digits", ["²", "١٢", "１２", "1²", "٣"])
def test_digits_must_be_ascii(digits: str) -> None:
    for key in ("dialingDuration", "CPAResult"):
        error = refused("changed", [{**CHANGED[0], "attempts": [{**ATTEMPT, key: digits}]}])
        assert error.field == f"$[0].attempts[0].{key}"
    status = {**STATUS, "status": {**STATUS["status"], "lastCallDuration": digits}}
    assert refused("status", status).field == "$.status.lastCallDuration"
    status = {**STATUS, "status": {**STATUS["status"], "totalAttempts": digits}}
    assert refused("status", status).field == "$.status.totalAttempts"


def test_ascii_digit_strings_are_still_read() -> None:
    attempt = {**ATTEMPT, "dialingDuration": " 12 ", "CPAResult": "6"}
    (found,) = ccr.parse_changed(
        [{**CHANGED[0], "attempts": [attempt]}], CAMPAIGN, LIST, key_columns=["id"]
    )
    assert found.record.attempts[0].dialing_duration == 12
    assert found.record.attempts[0].cpa_result is ccr.CPAResult.BUSY


@pytest.mark.parametrize("date", ["２０２１-02-19T19:12:37.000", "2021-02-19T19:12:3٧.000"])
def test_times_must_be_ascii(date: str) -> None:
    error = refused("changed", [{**CHANGED[0], "attempts": [{**ATTEMPT, "date": date}]}])
    assert error.field == "$[0].attempts[0].date"


def test_values_that_are_no_json_are_refused() -> None:
    assert refused("changed", [{"entry": {"id": "1"}, "x": {1, 2}}]).field == "$[0].x"
    assert refused("changed", [{"entry": {"id": "1"}, 5: "x"}]).field == "$[0]"


# --- fuzz ----------------------------------------------------------------------------------------

SECONDS = 5.0
PEAK_MB = 200.0
ANSWERS = (json.dumps(CHANGED).encode(), json.dumps(STATUS).encode(), json.dumps([STATUS]).encode())
#: Pieces a hostile answer is made of.
PIECES = (
    b"[" * 3000,
    b"{" * 3000,
    b'{"a": ' * 100,
    b"9" * 5000,
    b"-" + b"1" * 4400,
    b"1e99999",
    b"-0.0",
    b"NaN",
    b"Infinity",
    b'"\xc2\xb2"',
    b'"\\u00b2"',
    b'"\\u0661\\u0662"',
    b'"\\ud800"',
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b'"entry": {"id": "1"}, ',
    b'"id": "2", ',
    b'"attempts": [{}], ',
    b'"date": "9999-12-31T23:59:59.999-2359", ',
    b'"date": "0001-01-01T00:00:00.000+2359", ',
    b'"CPAResult": 10, ',
    b'"dialingDuration": -1, ',
    b'"completed": true, ',
    b'"recordDisposition": "X", ',
    b'"outOfQuota": true, ',
    b'"status": [], ',
    b"null",
    b"true",
    b",",
    b":",
    b"]",
    b"}",
)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(ANSWERS)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        if draw(st.booleans()):
            piece = draw(st.sampled_from(PIECES) | st.binary(max_size=8))
            data[at:at] = piece
        else:
            data[at : at + draw(st.integers(1, 20))] = b""
    return bytes(data)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["²", "١٢", "9" * 30, "Busy", "2021-02-19T19:12:37.000", "true", "-1"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from([*ATTEMPT, *STATUS["status"], "entry", "id", "x"]), inner, max_size=5
        )
    ),
    max_leaves=30,
)


@st.composite
def generated(draw: st.DrawFn) -> Any:
    """A decoded answer whose values are any JSON, in the documented places and others."""
    attempt = draw(st.dictionaries(st.sampled_from(list(ATTEMPT)), JSON_VALUES, max_size=8))
    status = draw(st.dictionaries(st.sampled_from(list(STATUS["status"])), JSON_VALUES, max_size=6))
    entry = draw(st.dictionaries(st.sampled_from(["id", "phone"]), JSON_VALUES, max_size=2))
    record = {"entry": entry, "attempts": [attempt], "status": status}
    record.update(
        draw(
            st.dictionaries(
                st.sampled_from(["completed", "totalAttempts", "x"]), JSON_VALUES, max_size=3
            )
        )
    )
    return draw(st.sampled_from([[record], record, draw(JSON_VALUES)]))


def bounded(kind: str, data: Any, keyed: bool) -> None:
    tracemalloc.start()
    # CPU seconds of this process, not wall time: the budget is for the work,
    # and a busy machine (other processes, a parallel run) stretches wall time.
    started = time.process_time()
    try:
        PARSERS[kind](data, CAMPAIGN, LIST, key_columns=["id"] if keyed else [])
    except ccr.ResultsError:
        pass
    finally:
        elapsed = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    assert elapsed < SECONDS, f"{elapsed:.1f} s"
    assert peak < PEAK_MB, f"{peak:.0f} MB"


@settings(max_examples=examples(150))
@given(
    data=mutated(),
    kind=st.sampled_from(sorted(PARSERS)),
    as_text=st.booleans(),
    keyed=st.booleans(),
)
def test_fuzz_mutated_answers_raise_only_library_errors(
    data: bytes, kind: str, as_text: bool, keyed: bool
) -> None:
    bounded(kind, data.decode("utf-8", "replace") if as_text else data, keyed)


@pytest.mark.slow
@settings(max_examples=examples(150))
@given(
    data=generated(),
    kind=st.sampled_from(sorted(PARSERS)),
    as_text=st.booleans(),
    keyed=st.booleans(),
)
def test_fuzz_generated_answers_raise_only_library_errors(
    data: Any, kind: str, as_text: bool, keyed: bool
) -> None:
    if as_text:
        data = json.dumps(data)
    bounded(kind, data, keyed)
