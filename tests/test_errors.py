"""The exception tree: bad data is a ValueError, an operation that failed is not."""

from __future__ import annotations

import pickle
import re

import pytest

import cloudcontact_results as ccr
from cloudcontact_results import errors

CLASSES = [getattr(errors, name) for name in errors.__all__]


def drawn_tree() -> dict[str, str]:
    """Each class drawn in the ``errors`` docstring, mapped to the class it hangs from."""
    _, _, drawing = (errors.__doc__ or "").partition("The tree::\n")
    parents: dict[str, str] = {}
    path: list[tuple[int, str]] = []  # (column of the name, name), from the root down
    for line in drawing.splitlines():
        match = re.match(r"^[\s│├└─]*(\w+)", line)
        if match is None or ("──" not in line and path):
            continue  # a blank line, or the second line of a description
        column, name = match.start(1), match.group(1)
        while path and path[-1][0] >= column:
            path.pop()
        if path:
            parents[name] = path[-1][1]
        path.append((column, name))
    return parents


def test_the_docstring_draws_every_class_under_its_parent() -> None:
    parents = drawn_tree()
    assert set(parents) == set(errors.__all__)
    for cls in CLASSES:
        assert cls.__bases__[0].__name__ == parents[cls.__name__], cls


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_a_value_error_exactly_when_the_error_is_bad_data(cls: type[Exception]) -> None:
    assert issubclass(cls, ccr.ResultsError)
    assert issubclass(cls, ValueError) == issubclass(cls, errors.DataError)


@pytest.mark.parametrize(
    "cls",
    [
        errors.PlatformError,
        errors.PlatformTransportError,
        errors.PlatformStatusError,
        errors.StoreError,
        errors.ExportError,
        errors.JobError,
    ],
    ids=lambda cls: cls.__name__,
)
def test_operational_errors_are_not_value_errors(cls: type[Exception]) -> None:
    assert not issubclass(cls, ValueError)


@pytest.mark.parametrize(
    "cls",
    [
        errors.FieldError,
        errors.ValidationError,
        errors.UnknownDispositionError,
        errors.CampaignMismatchError,
        errors.OptionsError,
        errors.PlatformDataError,
        errors.ReadError,
        errors.UnknownNameError,
    ],
    ids=lambda cls: cls.__name__,
)
def test_bad_data_is_still_a_value_error(cls: type[Exception]) -> None:
    assert issubclass(cls, ValueError)


def test_an_unknown_name_is_bad_input_and_keeps_its_attributes() -> None:
    error = errors.UnknownNameError("results.sqlite", "campaign", "Опрос", "no such campaign")
    assert str(error) == "store 'results.sqlite': campaign 'Опрос': no such campaign"
    assert (error.path, error.kind, error.name) == ("results.sqlite", "campaign", "Опрос")
    assert error.reason == "campaign 'Опрос': no such campaign"
    assert isinstance(error, ValueError)
    assert not isinstance(error, errors.StoreError)


@pytest.mark.parametrize(
    "error",
    [
        errors.PlatformTransportError("https://cc.example/api", "the connection was refused"),
        errors.PlatformStatusError("https://cc.example/api", "server error", status=503),
        errors.StoreError("results.sqlite", "database or disk is full"),
        errors.UnknownNameError("results.sqlite", "list", "VIP", "no such list"),
        errors.ReadError("not a CSV file", line=3, column="Phone"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_every_error_pickles_as_itself(error: errors.ResultsError) -> None:
    again = pickle.loads(pickle.dumps(error))  # noqa: S301  # our own bytes
    assert type(again) is type(error)
    assert (str(again), vars(again)) == (str(error), vars(error))


def test_the_message_helper_is_not_public() -> None:
    assert "shown" not in errors.__all__
    assert "SHOWN_CHARACTERS" not in errors.__all__
