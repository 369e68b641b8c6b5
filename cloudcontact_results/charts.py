"""Charts of the analytics tables: one matplotlib figure per table (extra ``plot``).

Each function takes the table of the same name in
:mod:`cloudcontact_results.analytics` and returns a
:class:`matplotlib.figure.Figure`, made without pyplot (nothing global is
created or kept; in Jupyter a figure shows itself as it is the cell's value).
Texts are in English or Russian (``language="ru"``), colours are Okabe and
Ito's colour-blind-safe palette, categories beyond the largest few are summed
as "other", times are in the table's zone, and a table without rows draws a
labelled, empty chart. :func:`to_svg` gives a figure as a self-contained
``<svg>`` (text drawn as paths), as the HTML report
(:func:`cloudcontact_results.analytics.write_html_report`) embeds it.

>>> import cloudcontact_results as ccr
>>> from cloudcontact_results import analytics, charts
>>> campaign, records = ccr.demo_campaign(30)
>>> figure = charts.agents(analytics.agents(campaign, records), language="ru")
>>> figure.axes[0].get_title(loc="left")
'Операторы'
>>> charts.to_svg(figure).startswith("<svg")
True
"""

from __future__ import annotations

from ._types import import_optional

# The one line a missing extra gives, before any import of matplotlib fails less clearly.
import_optional("matplotlib", "plot", "cloudcontact_results.charts")

from ._charts.figures import (  # noqa: E402
    agent_dispositions,
    agents,
    attempts_to_close,
    campaign_in_time,
    chart,
    contact_rate_by_hour,
    cpa_by_disposition,
    dispositions_in_time,
    list_progress,
    quota_groups,
    sip_failures,
    telemarketing_compliance,
)
from ._charts.svg import to_svg  # noqa: E402
from ._public import publish  # noqa: E402

__all__ = [
    "agent_dispositions",
    "agents",
    "attempts_to_close",
    "campaign_in_time",
    "chart",
    "contact_rate_by_hour",
    "cpa_by_disposition",
    "dispositions_in_time",
    "list_progress",
    "quota_groups",
    "sip_failures",
    "telemarketing_compliance",
    "to_svg",
]

publish(globals())
