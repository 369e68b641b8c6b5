"""An integration: turn a stream of dialer events into records, then export them.

A dialer (or a CTI connector) reports what happens as events: a number is
dialled, the call fails or is answered, an agent sets a disposition. This
example folds such events into :class:`~cloudcontact_results.Attempt` objects,
one per dial, and exports the campaign's simple and detailed reports.

Run it with ``python examples/dialer_events.py``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

import cloudcontact_results as ccr

CAMPAIGN = ccr.Campaign(
    "Обзвон должников",
    [ccr.CallingList("Должники", ["№", "ФИО", "Телефон", "Сумма, руб."])],
    script_fields=[ccr.ScriptField("Дата оплаты")],
    dispositions=[
        ccr.Disposition("Обещал оплатить", code="PTP", final=True),
        ccr.Disposition("Отказ", code="REF", final=True),
        ccr.Disposition("Перезвонить", code="CB"),
    ],
)

#: The calling list as it was loaded: Record ID -> list columns.
LIST_ROWS = {
    "A-1": {
        "№": "1",
        "ФИО": "Иванов Иван Иванович",
        "Телефон": "+79161234567",
        "Сумма, руб.": "12500",
    },
    "A-2": {
        "№": "2",
        "ФИО": "Петрова Анна Сергеевна",
        "Телефон": "+79035550101",
        "Сумма, руб.": "800",
    },
    "A-3": {"№": "3", "ФИО": "Сидоров Пётр", "Телефон": "+79250000000", "Сумма, руб.": "4300"},
}

#: What the dialer sent, in order. Times are ISO 8601 with an offset.
EVENTS: list[dict[str, Any]] = [
    {
        "event": "dial",
        "record": "A-1",
        "phone": "+79161234567",
        "time": "2026-03-02T10:00:05+03:00",
        "call": "C1",
        "sip": 486,
        "cpa": 6,
        "dialing": 6,
    },
    {
        "event": "dial",
        "record": "A-2",
        "phone": "+79035550101",
        "time": "2026-03-02T10:00:09+03:00",
        "call": "C2",
    },
    {
        "event": "answered",
        "record": "A-2",
        "agent": "o.novikova",
        "cpa": 1,
        "dialing": 11,
        "cpa_seconds": 2,
    },
    {
        "event": "disposition",
        "record": "A-2",
        "disposition": "Обещал оплатить",
        "talk": 143,
        "note": "Оплатит в пятницу",
        "script": {"Дата оплаты": "06.03.2026"},
    },
    {
        "event": "dial",
        "record": "A-3",
        "phone": "+79250000000",
        "time": "2026-03-02T10:01:00+03:00",
        "call": "C3",
        "sip": 404,
        "cpa": 5,
        "dialing": 2,
    },
    {
        "event": "dial",
        "record": "A-1",
        "phone": "+79161234567",
        "time": "2026-03-02T14:30:00+03:00",
        "call": "C4",
    },
    {"event": "answered", "record": "A-1", "agent": "d.volkov", "cpa": 1, "dialing": 9},
    {
        "event": "disposition",
        "record": "A-1",
        "disposition": "Перезвонить",
        "talk": 41,
        "note": "За рулём",
    },
    {
        "event": "finalize",
        "record": "A-3",
        "time": "2026-03-02T10:01:03+03:00",
        "disposition": "Finalized by dial rule",
    },
]

#: How the dialer's SIP codes of failed dials map to the platform's call dispositions.
SIP_DISPOSITIONS = {
    486: "Busy",
    480: "No answer",
    404: "Invalid number",
    503: "Fast busy",
}


@attrs.define
class RecordState:
    """The attempts of one record, while its events arrive."""

    record_id: str
    attempts: list[ccr.Attempt] = attrs.Factory(list)

    def dial(self, event: dict[str, Any]) -> None:
        sip = event.get("sip")
        disposition = SIP_DISPOSITIONS.get(sip) if sip is not None else None
        self.attempts.append(
            ccr.Attempt(
                event["phone"],
                dt.datetime.fromisoformat(event["time"]),
                interaction_id=event["call"],
                sip_code=sip,
                cpa_result=event.get("cpa"),
                dialing_duration=event.get("dialing", 0),
                call_disposition=ccr.system_disposition(disposition) if disposition else None,
            )
        )

    def answered(self, event: dict[str, Any]) -> None:
        self._update(
            agent=event["agent"],
            cpa_result=event.get("cpa"),
            dialing_duration=event.get("dialing", 0),
            cpa_duration=event.get("cpa_seconds", 0),
        )

    def disposition(self, event: dict[str, Any]) -> None:
        disposition = CAMPAIGN.find_disposition(event["disposition"])
        if disposition is None:
            msg = f"record {self.record_id}: unknown disposition {event['disposition']!r}"
            raise ValueError(msg)
        self._update(
            call_disposition=disposition,
            record_disposition=disposition if disposition.final else None,
            answered_duration=event.get("talk", 0),
            note=event.get("note", ""),
            script_values=event.get("script", {}),
        )

    def finalize(self, event: dict[str, Any]) -> None:
        """The dial rule gave up: a last, not dialled, attempt completes the record."""
        disposition = ccr.system_disposition(event["disposition"])
        phone = self.attempts[-1].phone if self.attempts else ""
        self.attempts.append(
            ccr.Attempt(
                phone,
                dt.datetime.fromisoformat(event["time"]),
                is_call_attempt=False,
                call_disposition=disposition,
                record_disposition=disposition,
            )
        )

    def _update(self, **changes: Any) -> None:
        self.attempts[-1] = attrs.evolve(self.attempts[-1], **changes)


def records_from(events: Iterable[dict[str, Any]]) -> Iterator[ccr.Record]:
    """Fold ``events`` into records, in the order records were first seen."""
    states: dict[str, RecordState] = {}
    for event in events:
        state = states.setdefault(event["record"], RecordState(event["record"]))
        getattr(state, event["event"])(event)
    for record_id, fields in LIST_ROWS.items():
        attempts = states[record_id].attempts if record_id in states else []
        yield ccr.Record(record_id, "Должники", fields, attempts)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for report_format in ("simple", "detailed"):
            path = Path(folder) / f"{report_format}.csv"
            options = ccr.ExportOptions(format=report_format, language="ru")
            result = ccr.export(CAMPAIGN, records_from(EVENTS), path, options)
            print(f"{path.name}: {result.rows} rows")
            print(path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
