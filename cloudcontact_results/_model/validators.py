"""attrs validators and converters whose errors name the class, the field and the value.

A validator or converter here may carry an **inline test**: the source of a
cheap expression that is true only when calling it would change nothing
(the validator would accept the value, the converter would give it back as
it is), and that never raises, whatever the value. A class's checked
``__init__`` (``construction.py``) writes those tests inline and calls the
validator or converter itself only when its test fails, so the validator
stays the one definition of each check and of its error message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import attrs

from .._codegen import InlineExpression
from ..errors import FieldError, ValidationError

__all__ = [
    "ConverterTests",
    "Validator",
    "converter_tests",
    "give_converter_tests",
    "instance_of",
    "non_empty_text",
    "validator_with",
]

#: An attrs validator: called with the instance, the field and the value.
Check = Callable[[Any, "attrs.Attribute[Any]", Any], None]


class Validator:
    """An attrs validator (``check``) with the inline test of the values it accepts.

    Args:
        check: the validator.
        accepts: an inline test true only for values ``check`` accepts, or None.
    """

    __slots__ = ("_check", "accepts")

    def __init__(self, check: Check, accepts: InlineExpression | None = None) -> None:
        self._check = check
        self.accepts = accepts

    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        self._check(instance, attribute, value)

    def __repr__(self) -> str:
        return f"<validator {getattr(self._check, '__name__', self._check)!r}>"


def validator_with(accepts: Callable[[str], str], **names: Any) -> Callable[[Check], Validator]:
    """A decorator: the validator below it, with ``accepts`` as its inline test.

    ``accepts(name)`` is the test's source over the variable ``name``;
    ``names`` are the globals it reads.
    """

    def decorate(check: Check) -> Validator:
        return Validator(check, InlineExpression(accepts, names))

    return decorate


@attrs.frozen
class ConverterTests:
    """The inline tests of a converter (:func:`give_converter_tests` gives it them).

    Args:
        keeps: true only for values the converter gives back as they are.
        inline: (a test, the conversion) written inline: when the test is
            true, the conversion's expression gives what the converter would.
    """

    keeps: InlineExpression
    inline: tuple[InlineExpression, InlineExpression] | None = None


def converter_tests(converter: Callable[[Any], Any]) -> ConverterTests | None:
    """The inline tests :func:`give_converter_tests` gave ``converter``, if any."""
    tests = getattr(converter, _CONVERTER_TESTS, None)
    return tests if isinstance(tests, ConverterTests) else None


_CONVERTER_TESTS: Final = "inline_tests"


def give_converter_tests(
    convert: Callable[[Any], Any],
    keeps: Callable[[str], str],
    *,
    inline: tuple[Callable[[str], str], Callable[[str], str]] | None = None,
    **names: Any,
) -> None:
    """Give converter ``convert`` its inline tests (:class:`ConverterTests`).

    ``keeps`` and ``inline``'s two are sources over a variable name;
    ``names`` are the globals they read. Not a decorator: the converter stays
    a plain function, from which type checkers read the class's ``__init__``.
    """
    written = None
    if inline is not None:
        written = (InlineExpression(inline[0], names), InlineExpression(inline[1], names))
    setattr(convert, _CONVERTER_TESTS, ConverterTests(InlineExpression(keeps, names), written))


def instance_of(
    kind: type,
    what: str,
    *,
    optional: bool = False,
    error: type[FieldError] = ValidationError,
) -> Validator:
    """A validator: the value must be a ``kind`` (``what`` says so in the message).

    With ``optional`` None is accepted too; ``error`` is the class raised.
    Its inline test accepts exactly ``kind`` (and None when ``optional``);
    the validator itself judges subclasses.
    """
    reason = f"must be {what} or None" if optional else f"must be {what}"

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if optional and value is None:
            return
        if not isinstance(value, kind):
            raise error(f"{type(instance).__name__}.{attribute.name}", value, reason)

    name = kind.__name__

    def accepts(value: str) -> str:
        exact = f"type({value}) is {name}"
        return f"{value} is None or {exact}" if optional else exact

    return Validator(check, InlineExpression(accepts, {name: kind}))


@validator_with(lambda value: f"type({value}) is str and {value} and not {value}.isspace()")
def non_empty_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A validator: the value must be text with something in it besides spaces."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "must be non-empty text"
        )
