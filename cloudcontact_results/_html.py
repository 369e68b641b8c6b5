"""The small HTML tables notebooks show: one shape for every ``_repr_html_`` of the library."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

__all__ = ["html_table"]


def html_table(
    caption: str, header: Sequence[str], rows: Iterable[Sequence[str]], *, more: str = ""
) -> str:
    """A ``<table>`` of text cells, every text escaped.

    Args:
        caption: the table's caption.
        header: the column names.
        rows: the cells of each row; the caller bounds how many.
        more: a last row across every column (what was left out), if any.

    >>> shown = html_table("Lists", ["name"], [["<VIP>"]], more="1 more")
    >>> shown[:70]
    '<table><caption>Lists</caption><thead><tr><th>name</th></tr></thead><t'
    >>> shown[70:]
    'body><tr><td>&lt;VIP&gt;</td></tr><tr><td colspan="1">1 more</td></tr></tbody></table>'
    """
    head = "".join(f"<th>{html.escape(name)}</th>" for name in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    if more:
        body += f'<tr><td colspan="{len(header)}">{html.escape(more)}</td></tr>'
    return (
        f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )
