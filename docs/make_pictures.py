"""Draw the pictures of docs/analytics.md: each chart of the demo campaign, as PNG.

Run from the repository's root after changing a chart (needs the ``plot`` extra)::

    python docs/make_pictures.py

The pictures are committed; ``tests/test_docs_pictures.py`` checks that each
one this script draws is there and shown on the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import cloudcontact_results as ccr
from cloudcontact_results import analytics, charts

FOLDER: Final = Path(__file__).resolve().parent / "pictures"
#: Records of the demo campaign the pictures show.
RECORDS: Final = 3000
#: Each picture: its file and the analytics table it draws, and the language.
PICTURES: Final = (
    ("list-progress.png", "list_progress", "en"),
    ("campaign-in-time.png", "campaign_in_time", "en"),
    ("dispositions-in-time.png", "dispositions_in_time", "en"),
    ("telemarketing-compliance.png", "telemarketing_compliance", "en"),
    ("contact-rate-by-hour.png", "contact_rate_by_hour", "en"),
    ("attempts-to-close.png", "attempts_to_close", "en"),
    ("cpa-by-disposition.png", "cpa_by_disposition", "en"),
    ("sip-failures.png", "sip_failures", "en"),
    ("quota-groups.png", "quota_groups", "en"),
    ("agents.png", "agents", "en"),
    ("agent-dispositions.png", "agent_dispositions", "en"),
    ("contact-rate-by-hour-ru.png", "contact_rate_by_hour", "ru"),
)


def main() -> None:
    campaign, records = ccr.demo_campaign(RECORDS)
    tables = analytics.tables(campaign, records)
    FOLDER.mkdir(exist_ok=True)
    for file_name, table, language in PICTURES:
        figure = charts.chart(getattr(tables, table), language=language)
        # Metadata left out: the same chart is the same file, run after run.
        figure.savefig(FOLDER / file_name, dpi=80, metadata={"Software": None})


if __name__ == "__main__":
    main()
