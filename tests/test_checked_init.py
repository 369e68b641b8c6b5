"""A checked ``__init__`` does what attrs' own ``__init__`` does, for any arguments.

The answer key is attrs itself: a twin class that attrs builds from the same
fields (same defaults, validators, converters, aliases, keyword-only flags,
post-init check) has attrs' generated ``__init__``; both are called with the
same arguments, valid or not, and must build equal objects or raise the same
exception with the same message.
"""

from __future__ import annotations

import datetime as dt
import enum
import inspect
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results._model.construction import install_checked_init, post_init_with
from cloudcontact_results._model.frozen import EMPTY_TEXT_MAP, FrozenTextMap
from cloudcontact_results._model.validators import give_converter_tests, validator_with
from tests.support.strategies import aware_datetimes


def attrs_twin(cls: type) -> type:
    """A class attrs builds from ``cls``'s fields and post-init check: attrs' own ``__init__``."""
    these = {
        field.name: attrs.field(
            default=field.default,
            validator=field.validator,
            converter=field.converter,
            kw_only=field.kw_only,
            alias=field.alias,
        )
        for field in attrs.fields(cls)
    }
    body = {}
    if "__attrs_post_init__" in vars(cls):
        body["__attrs_post_init__"] = vars(cls)["__attrs_post_init__"]
    twin: type = attrs.frozen(these=these)(type(cls.__name__, (), body))
    return twin


Outcome = tuple[Any, ...]


def outcome(cls: type, arguments: tuple[Any, ...], keywords: dict[str, Any]) -> Outcome:
    """What calling ``cls`` gives: its fields' values (and their types), or the error."""
    try:
        built = cls(*arguments, **keywords)
    except Exception as error:  # noqa: BLE001  # any error is part of the answer
        # attrs' own validators put the field itself in their errors: the twin's
        # field is another object, with the same name.
        if any(isinstance(argument, attrs.Attribute) for argument in error.args):
            return ("raised", type(error), *(_named(argument) for argument in error.args))
        return ("raised", type(error), str(error))
    return ("built", *((type(value), value) for value in attrs.astuple(built, recurse=False)))


def _named(argument: Any) -> Any:
    return argument.name if isinstance(argument, attrs.Attribute) else argument


@st.composite
def calls(
    draw: st.DrawFn, cls: type, values: Callable[[attrs.Attribute[Any]], st.SearchStrategy[Any]]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Arguments for ``cls``: each field given (by position while it can be) or left out."""
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    by_position = True
    for field in attrs.fields(cls):
        optional = field.default is not attrs.NOTHING
        if draw(st.integers(0, 9)) == 0 and (optional or draw(st.booleans())):
            by_position = False  # left out: later fields go by keyword
            continue
        value = draw(values(field))
        if by_position and not field.kw_only and draw(st.booleans()):
            positional.append(value)
        else:
            by_position = False
            keywords[field.alias or field.name] = value
    if draw(st.integers(0, 19)) == 0:
        keywords["unknown"] = 1
    if draw(st.integers(0, 19)) == 0:
        positional.append(1)
    return tuple(positional), keywords


class Text(str):
    __slots__ = ()


class Seconds(enum.IntEnum):
    TEN = 10


NAIVE = dt.datetime(2026, 3, 1, 9, 30)  # noqa: DTZ001  # invalid on purpose
#: Values no field accepts, or only some: every field is also given these.
JUNK = st.sampled_from(
    [
        None,
        0,
        -1,
        1.5,
        True,
        "",
        " ",
        "x",
        Text("t"),
        b"x",
        Seconds.TEN,
        NAIVE,
        dt.datetime(1, 1, 1, tzinfo=dt.UTC),
        [],
        ["x"],
        (),
        {"a": "b"},
        {"a": 1},
        {1: "a"},
        FrozenTextMap({"a": 1}),  # type: ignore[dict-item]
        EMPTY_TEXT_MAP,
        ccr.CPAResult(3),
        10,
        700,
        ccr.system_disposition("Busy"),
        ccr.QuotaOutcome("g"),
    ]
)
TEXT = st.text(max_size=3)
TEXT_MAPS = st.one_of(
    st.dictionaries(TEXT, TEXT, max_size=2),
    st.dictionaries(TEXT, TEXT, max_size=2).map(FrozenTextMap),
)
DISPOSITIONS = st.none() | st.sampled_from([ccr.system_disposition("Busy"), ccr.Disposition("Own")])
ATTEMPT_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "time": aware_datetimes(),
    "is_call_attempt": st.booleans(),
    "is_inbound": st.booleans(),
    "call_disposition": DISPOSITIONS,
    "record_disposition": DISPOSITIONS,
    "quota": st.none() | st.sampled_from([ccr.QuotaOutcome("g"), ccr.QuotaOutcome(ccr.NO_MATCH)]),
    "sip_code": st.none() | st.integers(99, 700),
    "dialing_duration": st.integers(-1, 10**6),
    "cpa_duration": st.integers(-1, 10),
    "answered_duration": st.integers(-1, 10),
    "cpa_result": st.none() | st.integers(-1, 10) | st.sampled_from(list(ccr.CPAResult)),
    "script_values": TEXT_MAPS,
}
ATTEMPTS = st.builds(ccr.Attempt, phone=TEXT, time=aware_datetimes())
RECORD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "fields": TEXT_MAPS,
    "attempts": st.one_of(
        st.lists(ATTEMPTS, max_size=2),
        st.lists(ATTEMPTS, max_size=2).map(tuple),
        st.lists(st.one_of(ATTEMPTS, JUNK), max_size=2).map(tuple),
    ),
}


def valid_or_junk(table: dict[str, st.SearchStrategy[Any]]) -> Any:
    def values(field: attrs.Attribute[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(table.get(field.name, TEXT), table.get(field.name, TEXT), JUNK)

    return values


ATTEMPT_TWIN = attrs_twin(ccr.Attempt)
RECORD_TWIN = attrs_twin(ccr.Record)


@given(call=calls(ccr.Attempt, valid_or_junk(ATTEMPT_VALUES)))
def test_attempt_is_built_as_attrs_builds_it(call: tuple[tuple[Any, ...], dict[str, Any]]) -> None:
    assert outcome(ccr.Attempt, *call) == outcome(ATTEMPT_TWIN, *call)


@given(call=calls(ccr.Record, valid_or_junk(RECORD_VALUES)))
def test_record_is_built_as_attrs_builds_it(call: tuple[tuple[Any, ...], dict[str, Any]]) -> None:
    assert outcome(ccr.Record, *call) == outcome(RECORD_TWIN, *call)


# --- what attrs' __init__ does that the model's classes do not use ---------------------


@validator_with(lambda value: f"type({value}) is int and {value} >= 0")
def natural(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, int) or value < 0:
        raise ValueError(f"{type(instance).__name__}.{attribute.name}: {value!r}")


def to_int(value: Any) -> Any:
    """A plain converter: no inline test."""
    return int(value) if isinstance(value, float | str) and value != "" else value


def rounded(value: Any) -> Any:
    return int(value) if isinstance(value, float) else value


give_converter_tests(
    rounded,
    lambda value: f"type({value}) is int",
    inline=(lambda value: f"type({value}) is float", lambda value: f"int({value})"),
)


def texts_to_int(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.isdigit() else value


give_converter_tests(texts_to_int, lambda value: f"type({value}) is not str")


def not_too_many(sample: Sample) -> None:
    if sample.count + sample.twice >= 100:
        raise ValueError("too many")


@attrs.frozen
class Sample:
    count: int = attrs.field(validator=natural)
    _hidden: Any = attrs.field(alias="shown", converter=to_int, validator=natural)
    size: Any = attrs.field(default=3, converter=rounded, validator=natural)
    items: Any = attrs.field(factory=tuple, validator=attrs.validators.instance_of(tuple))
    twice: Any = attrs.field(
        default=attrs.Factory(lambda self: self.count * 2, takes_self=True),
        converter=rounded,
        validator=[natural, attrs.validators.lt(1000)],
    )
    label: Any = attrs.field(default="x", kw_only=True, validator=attrs.validators.instance_of(str))
    flag: Any = attrs.field(kw_only=True)
    _private: Any = attrs.field(default=None, kw_only=True, converter=texts_to_int)

    @post_init_with(
        lambda value: (
            f"type({value['count']}) is type({value['twice']}) is int"
            f" and {value['count']} + {value['twice']} < 100"
        )
    )
    def __attrs_post_init__(self) -> None:
        not_too_many(self)


SAMPLE_TWIN = attrs_twin(Sample)
ATTRS_SAMPLE_INIT = Sample.__init__
install_checked_init(Sample)
SAMPLE_VALUES = st.one_of(
    st.integers(-2, 120), st.floats(-2, 120, allow_nan=False), st.sampled_from(["", "7", (), (1,)])
)


@given(call=calls(Sample, lambda field: st.one_of(SAMPLE_VALUES, JUNK)), disabled=st.booleans())
def test_defaults_factories_aliases_and_keyword_only_fields_follow_attrs(
    call: tuple[tuple[Any, ...], dict[str, Any]], disabled: bool
) -> None:
    with attrs.validators.disabled() if disabled else _nothing():
        assert outcome(Sample, *call) == outcome(SAMPLE_TWIN, *call)


def test_the_comparison_sees_a_wrong_inline_test() -> None:
    # The property above must be able to fail: an inline test accepting a
    # value its validator rejects builds an object attrs would refuse.
    @validator_with(lambda value: f"type({value}) is int")  # wrong: -1 passes
    def wrong(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        natural(instance, attribute, value)

    @attrs.frozen
    class Wrong:
        count: int = attrs.field(validator=wrong)

    twin = attrs_twin(Wrong)
    install_checked_init(Wrong)
    assert outcome(Wrong, (-1,), {})[0] == "built"
    assert outcome(twin, (-1,), {})[0] == "raised"


def test_the_checked_init_keeps_attrs_signature() -> None:
    assert Sample.__init__ is not ATTRS_SAMPLE_INIT
    assert inspect.signature(Sample.__init__) == inspect.signature(ATTRS_SAMPLE_INIT)
    assert Sample.__init__.__qualname__ == ATTRS_SAMPLE_INIT.__qualname__


class _nothing:  # noqa: N801  # a null context manager, named for the with statement above
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


# --- what it refuses, when the class is defined -------------------------------------------


def test_a_class_that_is_not_slotted_is_refused() -> None:
    @attrs.define(slots=False)
    class Open:
        count: int

    with pytest.raises(TypeError, match="slotted"):
        install_checked_init(Open)


def test_pre_init_is_refused() -> None:
    @attrs.frozen
    class Early:
        count: int

        def __attrs_pre_init__(self) -> None:
            pass

    with pytest.raises(TypeError, match="__attrs_pre_init__"):
        install_checked_init(Early)


def test_fields_outside_init_are_refused() -> None:
    @attrs.frozen
    class Hidden:
        count: int = attrs.field(init=False, default=0)

    with pytest.raises(TypeError, match="init=False"):
        install_checked_init(Hidden)


def test_attrs_converter_objects_are_refused() -> None:
    @attrs.frozen
    class Converted:
        count: int = attrs.field(converter=attrs.Converter(int))

    with pytest.raises(TypeError, match=r"attrs\.Converter"):
        install_checked_init(Converted)


def test_exceptions_are_refused() -> None:
    @attrs.define
    class FailureError(Exception):
        count: int

    with pytest.raises(TypeError, match="exception"):
        install_checked_init(FailureError)


def test_one_name_for_two_objects_is_refused() -> None:
    @attrs.frozen
    class Clash:
        first: int = attrs.field(
            validator=validator_with(lambda v: f"{v} is LIMIT", LIMIT=1)(natural)
        )
        second: int = attrs.field(
            validator=validator_with(lambda v: f"{v} is LIMIT", LIMIT=2)(natural)
        )

    with pytest.raises(TypeError, match="LIMIT"):
        install_checked_init(Clash)
