"""Phone numbers of calling lists: one normaliser to E.164, kept as text.

Calling lists hold numbers the way people type them: ``8 (916) 123-45-67``,
``+7 916 123 45 67``, ``00 44 20 7946 0958``. The platform dials what the
list holds, its Do-Not-Call lists match what they hold, and a spreadsheet
that reads ``+79161234567`` as a number drops the ``+`` (and the zeros of
``0044…``). So a number is normalised once, to E.164 text (``+`` and the
digits), by :func:`normalize_phone`, the one normaliser the list reader, the
list writer and the store use; it is never turned into a number.
"""

from __future__ import annotations

from typing import Final

import attrs

from ..errors import OptionsError, ValidationError

__all__ = ["COUNTRIES", "Country", "checked_country", "normalize_phone"]


@attrs.frozen
class Country:
    """How one country's numbers are written without their country code.

    Attributes:
        code: the country calling code (``7`` for Russia).
        trunk: the trunk prefix of national numbers (``8`` in Russia, ``0``
            in most of Europe), taken off before the country code is added.
        exits: the international prefixes dialled from the country
            (``810`` in Russia, besides the ``00`` every country here accepts).
        lengths: the lengths of a national number without the trunk prefix.
    """

    code: str
    trunk: str
    exits: tuple[str, ...]
    lengths: frozenset[int]


#: The default countries a list's national numbers can be read in, by ISO 3166 code.
COUNTRIES: Final[dict[str, Country]] = {
    "RU": Country("7", "8", ("810", "00"), frozenset({10})),
    "KZ": Country("7", "8", ("810", "00"), frozenset({10})),
    "BY": Country("375", "80", ("810", "00"), frozenset({9})),
    "UA": Country("380", "0", ("00",), frozenset({9})),
    "US": Country("1", "1", ("011", "00"), frozenset({10})),
    "CA": Country("1", "1", ("011", "00"), frozenset({10})),
    "GB": Country("44", "0", ("00",), frozenset({9, 10})),
    "DE": Country("49", "0", ("00",), frozenset(range(6, 12))),
    "FR": Country("33", "0", ("00",), frozenset({9})),
}

#: What may separate the digits of a number as people write it.
_SEPARATORS: Final = frozenset(" \u00a0-.()/")
#: E.164: at most 15 digits after the "+"; fewer than 7 is no subscriber number.
_LONGEST: Final = 15
_SHORTEST: Final = 7


def checked_country(value: object, field: str = "country") -> str | None:
    """``value`` as a key of :data:`COUNTRIES` (any case); None stays None.

    Raises:
        OptionsError: naming ``field``, for a country the normaliser does not know.
    """
    if value is None:
        return None
    key = value.upper() if isinstance(value, str) else ""
    if key not in COUNTRIES:
        known = ", ".join(COUNTRIES)
        raise OptionsError(field, value, f"must be one of {known} (ISO 3166 codes), or None")
    return key


def normalize_phone(text: str, country: str | None = None) -> str:
    """``text`` as an E.164 number (``+79161234567``), as text; ``""`` stays ``""``.

    Spaces, ``-``, ``.``, ``(``, ``)`` and ``/`` between the digits go. A
    number with a leading ``+`` or an international prefix (``00``, or the
    country's own, e.g. ``810`` in Russia) is international already. Any
    other number is national and needs ``country``: its trunk prefix (``8``
    for RU) is taken off and its calling code put in front; a national
    number that already starts with the calling code (``79161234567`` for RU)
    keeps it.

    Args:
        text: the number as written.
        country: the ISO 3166 code of the country of national numbers
            (a key of :data:`COUNTRIES`), or None: then only international
            numbers can be normalised.

    Raises:
        ValidationError: ``text`` is not a phone number, or a national
            number without a country or of the wrong length; field ``phone``.
        OptionsError: an unknown ``country``.

    >>> normalize_phone("8 (916) 123-45-67", "RU")
    '+79161234567'
    >>> normalize_phone("00 44 20 7946 0958"), normalize_phone("+7 916 123 45 67")
    ('+442079460958', '+79161234567')
    >>> normalize_phone("9161234567", "ru"), normalize_phone("79161234567", "RU")
    ('+79161234567', '+79161234567')
    >>> normalize_phone("8 916 123", "RU")
    Traceback (most recent call last):
    ...
    cloudcontact_results.errors.ValidationError: phone: is not a phone number of RU: 7 digits...
    """
    key = checked_country(country)
    if not isinstance(text, str):
        raise ValidationError("phone", text, "must be text")
    stripped = text.strip(" \u00a0")
    if not stripped:
        return ""
    international = stripped.startswith("+")
    digits = "".join(c for c in stripped[1:] if c not in _SEPARATORS) if international else ""
    if not international:
        digits = "".join(c for c in stripped if c not in _SEPARATORS)
    if not digits.isascii() or not digits.isdecimal():
        raise ValidationError(
            "phone",
            text,
            "is not a phone number: only digits, spaces, '-', '.', '(', ')', '/' and a leading '+'",
        )
    if not international:
        digits = _international(digits, text, key)
    if digits.startswith("0") or not _SHORTEST <= len(digits) <= _LONGEST:
        raise ValidationError(
            "phone",
            text,
            f"is not an E.164 number: +{digits} needs {_SHORTEST} to {_LONGEST} digits "
            "and a country code (which never starts with 0)",
        )
    return "+" + digits


def _international(digits: str, text: str, key: str | None) -> str:
    """The digits of national or prefixed ``digits`` after the "+" of E.164."""
    country = COUNTRIES[key] if key is not None else None
    exits = country.exits if country is not None else ("00",)
    for prefix in exits:
        if digits.startswith(prefix):
            return digits[len(prefix) :]
    if country is None:
        raise ValidationError(
            "phone",
            text,
            "has no country code (no leading '+' or '00'); give the default country of "
            "national numbers (e.g. country='RU')",
        )
    lengths = country.lengths
    if digits.startswith(country.trunk) and len(digits) - len(country.trunk) in lengths:
        return country.code + digits[len(country.trunk) :]
    if digits.startswith(country.code) and len(digits) - len(country.code) in lengths:
        return digits
    if len(digits) in lengths:
        return country.code + digits
    raise ValidationError(
        "phone",
        text,
        f"is not a phone number of {key}: {len(digits)} digits, where a national number "
        f"has {_lengths(lengths)} (or the trunk prefix {country.trunk!r} or the code "
        f"{country.code!r} before them)",
    )


def _lengths(lengths: frozenset[int]) -> str:
    ordered = sorted(lengths)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]} to {ordered[-1]}"
    return " or ".join(map(str, ordered))
