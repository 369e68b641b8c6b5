"""A figure as SVG text to put inside an HTML page: self-contained, no outside reference.

Text is drawn as paths (DejaVu Sans, which matplotlib ships, has Cyrillic),
so the page needs no font; the XML prologue (its DTD is a URL), the RDF
metadata (namespaces and a creator URL) and the comments (each text again)
are left out; ids are salted at random, so several charts on one page never
share one.
"""

from __future__ import annotations

import io
import re
from typing import Final

import matplotlib as mpl
from matplotlib.figure import Figure

__all__ = ["to_svg"]

_METADATA: Final = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
#: matplotlib escapes ``--`` inside the comments it writes, so none ends early.
_COMMENT: Final = re.compile(r"<!--.*?-->\s*", re.DOTALL)


def to_svg(figure: Figure) -> str:
    """``figure`` as one self-contained ``<svg>`` element, to be written inline in HTML."""
    out = io.StringIO()
    # The SVG backend reads these two settings from rcParams alone: set for
    # this drawing only, whatever the caller's matplotlib configuration says.
    with mpl.rc_context({"svg.fonttype": "path", "svg.hashsalt": None}):
        figure.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    text = text[text.index("<svg") :]
    text = _METADATA.sub("", text, count=1)
    return _COMMENT.sub("", text)
