"""What ``tests/data/store-v3.sqlite``, ``-v4`` and ``-v5`` hold: stores of older schemas.

The files were made by ``tests/support/make_old_store.py`` with the library as it was
at schema version 3 (commit 2b7e847), 4 (commit 13603e5) and 5 (commit e3f3d5e), so the
upgrade is tested on files earlier versions really wrote. The values here are the answer
key, written out by hand: every kind of value an attempt can hold, in two transactions.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import attrs

import cloudcontact_results as ccr

MOSCOW = ZoneInfo("Europe/Moscow")
NEW_YORK = ZoneInfo("America/New_York")
AGREED = ccr.Disposition("Согласен", code="1", final=True)
NO_ANSWER = ccr.system_disposition("No answer")
JOB_START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)

CAMPAIGN = ccr.Campaign(
    "Продажи",
    [
        ccr.CallingList("Клиенты", ["№", "Фамилия"]),
        ccr.CallingList("VIP", ["Фамилия"]),
        ccr.CallingList("Старый", ["Фамилия"]),
    ],
    script_fields=[ccr.ScriptField("comment"), ccr.ScriptField("hidden", export=False)],
    dispositions=[AGREED],
)


def loaded() -> list[ccr.Record]:
    """The records of the first transaction (``add_records``)."""
    return [
        ccr.Record(
            "1",
            "Клиенты",
            {"№": "1", "Фамилия": "Егоров\x1fс разделителем"},
            [
                ccr.Attempt(
                    "+79161234567",
                    dt.datetime(2026, 3, 2, 10, tzinfo=MOSCOW),
                    call_disposition=NO_ANSWER,
                    cpa_result=8,
                    sip_code=480,
                    dialing_duration=31,
                    interaction_id="A-1",
                    ani="+74951112233",
                    action_applied="Retry",
                ),
                ccr.Attempt(
                    "+79161234567",
                    dt.datetime(2026, 3, 3, 9, 30, 15, 250, tzinfo=dt.UTC),
                    call_disposition=AGREED,
                    record_disposition=AGREED,
                    answered_duration=95,
                    agent="ivanova",
                    note="=доставка",
                    recording="r.wav",
                    rtp_server="rtp-1",
                    cpa_recording="c.wav",
                    cpa_rtp_server="rtp-2",
                    is_inbound=True,
                    script_values={"comment": "ждёт\x1fзвонка", "hidden": "x"},
                ),
            ],
        ),
        ccr.Record("2", "Клиенты", {"№": "2"}),
        ccr.Record(
            "v1",
            "VIP",
            {"Фамилия": "Архипов"},
            [
                # The repeated hour of a DST fall-back, second pass.
                ccr.Attempt(
                    "+1212",
                    dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK),
                    is_call_attempt=False,
                    quota=ccr.QuotaOutcome(ccr.NO_MATCH),
                ),
                # Inside the DST gap of a spring-forward.
                ccr.Attempt(
                    "+1212",
                    dt.datetime(2026, 3, 8, 2, 30, tzinfo=NEW_YORK),
                    quota=ccr.QuotaOutcome("Москва"),
                ),
            ],
        ),
        ccr.Record(
            "s1",
            "Старый",
            {"Фамилия": "Сидоров"},
            [
                ccr.Attempt(
                    "+7",
                    dt.datetime(2026, 3, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=5), "YEKT")),
                )
            ],
        ),
    ]


def fed() -> list[tuple[str, str, ccr.Attempt]]:
    """The attempts of the second transaction (``add_attempts``)."""
    return [
        (
            "Клиенты",
            "2",
            ccr.Attempt(
                "+79160000000",
                dt.datetime(2026, 3, 4, 12, tzinfo=dt.timezone(dt.timedelta(hours=3))),
                call_disposition=NO_ANSWER,
                script_values={"comment": "потом"},
            ),
        ),
        ("Клиенты", "1", ccr.Attempt("+79161234567", dt.datetime(2026, 3, 1, 9, tzinfo=MOSCOW))),
    ]


def expected() -> list[ccr.Record]:
    """Every record the store holds after both, as ``records`` gives them back.

    Attempts come back by instant, ties in the order they were added; the
    list "Старый" was removed into an archive.
    """
    records = {(r.list_name, r.id): r for r in loaded()}
    for list_name, record_id, attempt in fed():
        record = records[list_name, record_id]
        records[list_name, record_id] = attrs.evolve(record, attempts=(*record.attempts, attempt))
    return [
        attrs.evolve(record, attempts=sorted(record.attempts, key=_instant))
        for record in (records["Клиенты", "1"], records["Клиенты", "2"], records["VIP", "v1"])
    ]


def _instant(attempt: ccr.Attempt) -> dt.datetime:
    return attempt.time.astimezone(dt.UTC)
