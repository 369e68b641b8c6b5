"""A figure as SVG text to put inside an HTML page: self-contained, no outside reference.

Text is drawn as paths (DejaVu Sans, which matplotlib ships, has Cyrillic),
so the page needs no font; the XML prologue (its DTD is a URL), the RDF
metadata (namespaces and a creator URL) and the comments (each text again)
are left out. Every id gets a prefix, so several charts on one page never
share one: matplotlib names a glyph's path after the font and the glyph
(``DejaVuSans-41``) in every figure.
"""

from __future__ import annotations

import io
import re
import secrets
from typing import Final

import matplotlib as mpl
from matplotlib.figure import Figure

from ..errors import OptionsError

__all__ = ["to_svg"]

_METADATA: Final = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
#: matplotlib escapes ``--`` inside the comments it writes, so none ends early.
_COMMENT: Final = re.compile(r"<!--.*?-->\s*", re.DOTALL)
#: An id, and the two ways matplotlib refers to one: ``href="#…"`` and ``url(#…)``.
_ID: Final = re.compile(r'(\bid="|href="#|url\(#)')
_PREFIX: Final = re.compile(r"[A-Za-z][\w-]*")
#: matplotlib's ids are hashes of what they name, salted: a fixed salt makes
#: the same figure the same text, run after run.
_SALT: Final = "cloudcontact_results"


def to_svg(figure: Figure, *, id_prefix: str | None = None) -> str:
    """``figure`` as one self-contained ``<svg>`` element, to be written inline in HTML.

    Args:
        figure: a matplotlib figure.
        id_prefix: put before every id of the SVG (letters, digits, ``-``,
            ``_``; a letter first). None: a new random one, so that any
            number of figures can share a page.

    Raises:
        OptionsError: ``id_prefix`` is not such a name.
    """
    prefix = f"s{secrets.token_hex(4)}-" if id_prefix is None else id_prefix
    if not _PREFIX.fullmatch(prefix):
        raise OptionsError(
            "id_prefix", prefix, "must be letters, digits, '-' or '_', a letter first"
        )
    out = io.StringIO()
    # The SVG backend reads these two settings from rcParams alone: set for
    # this drawing only, whatever the caller's matplotlib configuration says.
    with mpl.rc_context({"svg.fonttype": "path", "svg.hashsalt": _SALT}):
        figure.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    text = text[text.index("<svg") :]
    text = _METADATA.sub("", text, count=1)
    text = _COMMENT.sub("", text)
    return _ID.sub(lambda match: match.group(1) + prefix, text)
