"""attrs validators whose errors name the class, the field and the value."""

from __future__ import annotations

from typing import Any

import attrs

from ..errors import FieldError, ValidationError

__all__ = ["instance_of", "non_empty_text"]


def instance_of(
    kind: type | tuple[type, ...],
    what: str,
    *,
    optional: bool = False,
    error: type[FieldError] = ValidationError,
) -> Any:
    """A validator: the value must be a ``kind`` (``what`` says so in the message).

    With ``optional`` None is accepted too; ``error`` is the class raised.
    """
    reason = f"must be {what} or None" if optional else f"must be {what}"

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if optional and value is None:
            return
        if not isinstance(value, kind):
            raise error(f"{type(instance).__name__}.{attribute.name}", value, reason)

    return check


def non_empty_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A validator: the value must be text with something in it besides spaces."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, "must be non-empty text"
        )
