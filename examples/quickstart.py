"""Quickstart: build a small campaign in code, export both reports, read them back.

Run it with ``python examples/quickstart.py``; it writes into a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import cloudcontact_results as ccr

MOSCOW = ZoneInfo("Europe/Moscow")


def build() -> tuple[ccr.Campaign, list[ccr.Record]]:
    """A campaign with one calling list, a script and two dispositions of its own."""
    agreed = ccr.Disposition("Согласен", code="1", final=True)
    call_back = ccr.Disposition("Перезвонить", code="4")
    campaign = ccr.Campaign(
        "Подписка на журнал",
        [ccr.CallingList("Клиенты", ["№", "Фамилия", "Телефон"])],
        script_fields=[ccr.ScriptField("comment")],
        dispositions=[agreed, call_back],
    )
    busy = ccr.system_disposition("Занято")  # Russian or English names both work
    records = [
        ccr.Record(
            "1001",
            "Клиенты",
            {"№": "1", "Фамилия": "Иванов", "Телефон": "+79161234567"},
            [
                ccr.Attempt(
                    "+79161234567",
                    dt.datetime(2026, 3, 2, 10, 0, tzinfo=MOSCOW),
                    call_disposition=busy,
                    cpa_result=ccr.CPAResult.BUSY,
                    sip_code=486,
                    dialing_duration=7,
                ),
                ccr.Attempt(
                    "+79161234567",
                    dt.datetime(2026, 3, 2, 12, 30, tzinfo=MOSCOW),
                    call_disposition=agreed,
                    record_disposition=agreed,
                    answered_duration=184,
                    agent="a.ivanova",
                    cpa_result=ccr.CPAResult.VOICE,
                    interaction_id="6C1F0D3A9B2E4F5A8D7C6B5A4F3E2D1C",
                    script_values={"comment": "Доставка на дом"},
                ),
            ],
        ),
        ccr.Record(
            "1002",
            "Клиенты",
            {"№": "2", "Фамилия": "Петрова", "Телефон": "+79031112233"},
            [
                ccr.Attempt(
                    "+79031112233",
                    dt.datetime(2026, 3, 2, 11, 15, tzinfo=MOSCOW),
                    call_disposition=call_back,
                    note="Просит перезвонить вечером",
                    answered_duration=35,
                    agent="p.smirnov",
                    cpa_result=ccr.CPAResult.VOICE,
                    interaction_id="0A1B2C3D4E5F60718293A4B5C6D7E8F9",
                ),
            ],
        ),
        ccr.Record("1003", "Клиенты", {"№": "3", "Фамилия": "Сидоров", "Телефон": "89057654321"}),
    ]
    return campaign, records


def main() -> None:
    campaign, records = build()
    with tempfile.TemporaryDirectory() as folder:
        for report_format in ("simple", "detailed"):
            path = Path(folder) / f"{report_format}.csv"
            options = ccr.ExportOptions(format=report_format)
            result = ccr.export(campaign, records, path, options)
            print(f"wrote {path.name}: {result.rows} rows, {result.bytes} bytes")

        report = ccr.read_report(Path(folder) / "detailed.csv")
        for row in report:
            note = row.call_note  # the agent's text, or the system note of a failed dial
            text = note.render() if isinstance(note, ccr.SystemNote) else note
            print(row.record_id, row.call_time, row.call_disposition, text, sep=" | ")
        print()
        print(report.summary())


if __name__ == "__main__":
    main()
