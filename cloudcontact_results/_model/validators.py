"""attrs validators and converters whose errors name the class, the field and the value.

A validator or converter here may carry an **inline test**: the source of a
cheap expression that is true only when calling it would change nothing
(the validator would accept the value, the converter would give it back as
it is), and that never raises, whatever the value. A class's checked ``__init__`` (``construction.py``) writes those
tests inline and calls the validator or converter itself only when its test
fails, so the validator stays the one definition of each check and of its
error message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from .._codegen import InlineExpression
from ..errors import FieldError, ValidationError

__all__ = [
    "Converter",
    "Validator",
    "converter_with",
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


def validator_with(
    accepts: Callable[[str], str], **names: Any
) -> Callable[[Check], Validator]:
    """A decorator: the validator below it, with ``accepts`` as its inline test.

    ``accepts(name)`` is the test's source over the variable ``name``;
    ``names`` are the globals it reads.
    """

    def decorate(check: Check) -> Validator:
        return Validator(check, InlineExpression(accepts, names))

    return decorate


class Converter:
    """An attrs converter (``convert``) with inline tests for generated code.

    Args:
        convert: the converter.
        keeps: an inline test true only for values ``convert`` gives back as
            they are, or None.
        inline: (a test, the conversion) written inline: when the test is
            true, the conversion's expression gives what ``convert`` would.
    """

    __slots__ = ("_convert", "inline", "keeps")

    def __init__(
        self,
        convert: Callable[[Any], Any],
        keeps: InlineExpression | None = None,
        inline: tuple[InlineExpression, InlineExpression] | None = None,
    ) -> None:
        self._convert = convert
        self.keeps = keeps
        self.inline = inline

    def __call__(self, value: Any) -> Any:
        return self._convert(value)

    def __repr__(self) -> str:
        return f"<converter {getattr(self._convert, '__name__', self._convert)!r}>"


def converter_with(
    keeps: Callable[[str], str],
    *,
    inline: tuple[Callable[[str], str], Callable[[str], str]] | None = None,
    **names: Any,
) -> Callable[[Callable[[Any], Any]], Converter]:
    """A decorator: the converter below it, with its inline tests (see :class:`Converter`).

    ``keeps`` and ``inline``'s two are sources over a variable name;
    ``names`` are the globals they read.
    """

    def decorate(convert: Callable[[Any], Any]) -> Converter:
        written = None
        if inline is not None:
            written = (InlineExpression(inline[0], names), InlineExpression(inline[1], names))
        return Converter(convert, InlineExpression(keeps, names), written)

    return decorate


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
