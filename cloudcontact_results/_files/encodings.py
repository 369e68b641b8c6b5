"""Which text encoding a report file is in: UTF-8, or what Russian Excel saves.

The platform and this library write UTF-8. A spreadsheet that re-saves the
file in a Russian locale writes Windows-1251 ("ANSI"). Nothing in a CSV file
says which, so the first line (the header) decides: UTF-8 when it decodes as
UTF-8 (with or without a byte order mark), else Windows-1251. Plain ASCII
decodes as both, so a header of ASCII alone reads as UTF-8; a Windows-1251
body after it needs ``encoding="cp1251"``.
"""

from __future__ import annotations

import codecs
from typing import Any, Final

from ..errors import OptionsError

__all__ = ["FALLBACK", "UTF8", "checked_encoding", "encoding_of_header", "named"]

UTF8: Final = "utf-8"
#: What Russian Excel saves a CSV file as.
FALLBACK: Final = "cp1251"
_UTF8_BOM: Final = codecs.BOM_UTF8
#: Text whose bytes must be the same in any encoding a report can be read in:
#: lines are split at b"\n" and cells at ASCII delimiters and quotes, before decoding.
_ASCII_PROBE: Final = "Call Time,;\t\"'\r\n0123456789"


def checked_encoding(value: Any) -> str | None:
    """The codec's canonical name for ``value``; None (detect) for None.

    UTF-8 with a signature (``utf-8-sig``) is UTF-8: a byte order mark is
    always taken off.

    Raises:
        OptionsError: ``value`` names no codec Python knows, or one that is
            not a superset of ASCII (UTF-16, UTF-32…), naming ``encoding``.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise OptionsError("encoding", value, "must be the name of a text encoding, or None")
    try:
        name = codecs.lookup(value).name
    except LookupError:
        raise OptionsError(
            "encoding", value, "is not a text encoding Python knows (e.g. 'utf-8', 'cp1251')"
        ) from None
    if name in {UTF8, "utf-8-sig"}:
        return UTF8
    try:
        same = codecs.encode(_ASCII_PROBE, name) == _ASCII_PROBE.encode("ascii")
    except (UnicodeError, LookupError, TypeError):
        same = False  # a codec of bytes to bytes (zlib, base64…), or one ASCII is not in
    if not same:
        raise OptionsError(
            "encoding",
            value,
            "must be an encoding that writes ASCII as ASCII, as CSV files use "
            "(e.g. 'utf-8', 'cp1251')",
        )
    return name


def encoding_of_header(first_line: bytes) -> str:
    """The encoding of a file whose first line is ``first_line``, when none is given.

    A line that starts with the UTF-8 byte order mark is UTF-8, whatever follows:
    the mark is no Windows-1251 text a report starts with.
    """
    if first_line.startswith(_UTF8_BOM):
        return UTF8
    try:
        first_line.decode()
    except UnicodeDecodeError:
        return FALLBACK
    return UTF8


def named(encoding: str) -> str:
    """``encoding`` as a message names it: ``UTF-8``, ``Windows-1251``, else the codec's name."""
    return {UTF8: "UTF-8", FALLBACK: "Windows-1251"}.get(encoding, encoding)
