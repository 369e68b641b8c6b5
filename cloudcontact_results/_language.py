"""The two languages of the platform's reports, and name normalisation."""

from __future__ import annotations

import enum

from .errors import OptionsError


class Language(enum.StrEnum):
    """Language of report headers, system disposition names and ``no match``."""

    EN = "en"
    RU = "ru"

    @classmethod
    def parse(cls, value: str | Language, field: str = "language") -> Language:
        try:
            return cls(value)
        except ValueError:
            choices = ", ".join(repr(m.value) for m in cls)
            raise OptionsError(field, value, f"must be one of {choices}") from None


def normalize_name(name: str) -> str:
    """Fold a name for look-ups: case, ``ё``/``е``, surrounding and repeated spaces."""
    return " ".join(name.replace("ё", "е").replace("Ё", "Е").casefold().split())
