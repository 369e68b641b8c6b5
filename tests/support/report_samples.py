"""Small campaigns for the charts and the HTML report: Cyrillic, hostile text, many agents."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import cloudcontact_results as ccr

MOSCOW = ZoneInfo("Europe/Moscow")

#: Texts that must reach a page as text: markup, a script, a formula, a comment's end,
#: an entity, a URL, and a very long word.
HOSTILE = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    '=HYPERLINK("http://example.com")',
    "--><svg onload=alert(3)>",
    "&amp; &lt;b&gt;",
    "http://example.com/tracker.png",
    "Ы" * 400,
)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=MOSCOW)


def hostile_campaign() -> tuple[ccr.Campaign, list[ccr.Record]]:
    """A campaign whose list, dispositions, agents and quota group are hostile texts."""
    agreed = ccr.Disposition(HOSTILE[0], final=True)
    refused = ccr.Disposition("Отказ", final=True)
    lists = [ccr.CallingList(HOSTILE[1], ["Телефон"]), ccr.CallingList("Список Б", ["Телефон"])]
    campaign = ccr.Campaign(HOSTILE[3], lists, dispositions=[agreed, refused])
    busy = ccr.system_disposition("Busy")
    records = []
    for number in range(12):
        agent = HOSTILE[number % len(HOSTILE)]
        attempts = [
            ccr.Attempt(
                f"+7916{number:07}",
                at(2, 9 + number % 8),
                call_disposition=busy,
                cpa_result=6,
                sip_code=486,
            ),
            ccr.Attempt(
                f"+7916{number:07}",
                at(3, 10 + number % 6, 15),
                call_disposition=agreed if number % 2 else refused,
                record_disposition=agreed if number % 2 else refused,
                cpa_result=1,
                answered_duration=60 + number,
                agent=agent,
            ),
        ]
        if number == 11:
            attempts = [
                ccr.Attempt(
                    "+79160000011",
                    at(4, 12),
                    is_call_attempt=False,
                    quota=ccr.QuotaOutcome(HOSTILE[2]),
                )
            ]
        records.append(
            ccr.Record(str(number), lists[number % 2].name, {"Телефон": str(number)}, attempts)
        )
    return campaign, records
