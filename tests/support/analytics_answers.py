"""Answer keys of the analytics tables, computed in plain pandas from detailed rows.

Written from docs/analytics.md, independently of the library: each key reads
the rows' public attributes into one frame and groups it the way the page
describes the table. Keys return frames with the dtypes the page gives
(``int64`` counts, ``Int64`` CPA results and SIP codes, ``float64`` rates
with NaN for 0/0, ``string`` text, ``datetime64[us, zone]`` period starts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

import cloudcontact_results as ccr

VOICE = 1  # SPEC section 3: the CPA result of a person answering
UNATTENDED = ("No agent", "Abandoned")


def attempts_frame(rows: Iterable[ccr.DetailedRow], zone: str) -> pd.DataFrame:
    """One line per row, with the facts every key groups by."""
    rows = list(rows)

    def sip(row: ccr.DetailedRow) -> int | None:
        note = row.call_note
        return note.sip_code if isinstance(note, ccr.SystemNote) else None

    def group(row: ccr.DetailedRow) -> str | None:
        if not row.out_of_quota:
            return None
        value = row.quota_group
        return "no match" if isinstance(value, ccr.NoMatch) else value

    utc = pd.to_datetime([row.call_time.astimezone(dt.UTC) for row in rows], utc=True)
    frame = pd.DataFrame(
        {
            "position": np.arange(len(rows)),
            "list": [row.list_name for row in rows],
            "record": [row.record_id for row in rows],
            "utc": pd.Series(utc, dtype="datetime64[us, UTC]"),
            "dialled": [row.is_call_attempt for row in rows],
            "cpa": pd.array(
                [None if row.cpa_result is None else int(row.cpa_result) for row in rows],
                dtype="Int64",
            ),
            "talk": [row.answered_duration for row in rows],
            "completed": [row.completed for row in rows],
            "record_disposition": pd.Series([row.record_disposition for row in rows], dtype=object),
            "call_disposition": pd.Series([row.call_disposition for row in rows], dtype=object),
            "quota": pd.Series([group(row) for row in rows], dtype=object),
            "agent": [row.agent for row in rows],
            "sip": pd.array([sip(row) for row in rows], dtype="Int64"),
        }
    )
    frame["dialled"] = frame["dialled"].astype(bool)
    frame["completed"] = frame["completed"].astype(bool)
    frame["connect"] = frame["dialled"] & (
        (frame["cpa"] == VOICE).fillna(False) | (frame["talk"] > 0)
    )
    local = frame["utc"].dt.tz_convert(zone)
    wall = local.dt.tz_localize(None)
    offset = wall - frame["utc"].dt.tz_localize(None)
    # An hour starts at its wall-clock hour under the offset the attempt had.
    frame["hour"] = (wall.dt.floor("h") - offset).dt.tz_localize("UTC").dt.tz_convert(zone)
    days = wall.dt.normalize()
    frame["day"] = pd.Series(
        [
            pd.Timestamp(day).tz_localize(zone, ambiguous=True, nonexistent="shift_forward")
            for day in days
        ],
        dtype=f"datetime64[us, {zone}]",
    )
    frame["weekday"] = wall.dt.day_of_week + 1
    frame["clock_hour"] = wall.dt.hour
    return frame


def _rate(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (part / whole.where(whole != 0)).astype("float64")


def _frame(data: Mapping[str, object], dtypes: Mapping[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(data[name]) for name in dtypes}, columns=list(dtypes))
    for name, dtype in dtypes.items():
        frame[name] = frame[name].astype(dtype) if len(frame) else pd.Series([], dtype=dtype)
    return frame.reset_index(drop=True)


def _records(frame: pd.DataFrame) -> pd.DataFrame:
    """One line per record: list, dialled count, completion, dialled until it, last quota."""
    lines = []
    for (name, _record), attempts in frame.groupby(["list", "record"], sort=False):
        ordered = attempts.sort_values(["utc", "position"], kind="stable")
        last = ordered.iloc[-1]
        closing = ordered[ordered["completed"]]
        closed_after = None
        if len(closing):
            at = closing.iloc[-1]["position"]
            closed_after = int(attempts.loc[attempts["position"] <= at, "dialled"].sum())
        lines.append(
            {
                "list": name,
                "attempted": bool(attempts["dialled"].any()),
                "completed": bool(len(closing)),
                "closed_after": closed_after,
                "quota": last["quota"],
            }
        )
    records = pd.DataFrame(
        lines, columns=["list", "attempted", "completed", "closed_after", "quota"]
    )
    return records.astype({"attempted": bool, "completed": bool})


def list_progress(
    frame: pd.DataFrame, unprocessed: Mapping[str, int] | None = None
) -> pd.DataFrame:
    records = _records(frame)
    names = sorted(set(records["list"]) | set(unprocessed or {}))
    data: dict[str, list[object]] = {key: [] for key in ("list_name", "records", "never_attempted",
                                                        "attempted", "completed", "remaining",
                                                        "out_of_quota")}  # fmt: skip
    for name in names:
        own = records[records["list"] == name]
        total = len(own) + (unprocessed or {}).get(name, 0)
        attempted = int(own["attempted"].sum())
        completed = int(own["completed"].sum())
        data["list_name"].append(name)
        data["records"].append(total)
        data["never_attempted"].append(total - attempted)
        data["attempted"].append(attempted)
        data["completed"].append(completed)
        data["remaining"].append(total - completed)
        data["out_of_quota"].append(int(own["quota"].notna().sum()))
    dtypes = {"list_name": "string", **dict.fromkeys(list(data)[1:], "int64")}
    return _frame(data, dtypes)


def campaign_in_time(frame: pd.DataFrame, zone: str, period: str) -> pd.DataFrame:
    grouped = frame.groupby(period, sort=True).agg(
        attempts=("dialled", "sum"), connects=("connect", "sum"), completions=("completed", "sum")
    )
    data = {
        "start": grouped.index,
        "attempts": grouped["attempts"].to_numpy(),
        "connects": grouped["connects"].to_numpy(),
        "completions": grouped["completions"].to_numpy(),
        "contact_rate": _rate(grouped["connects"], grouped["attempts"]).to_numpy(),
    }
    return _frame(data, {"start": f"datetime64[us, {zone}]", "attempts": "int64",
                         "connects": "int64", "completions": "int64",
                         "contact_rate": "float64"})  # fmt: skip


def dispositions_in_time(frame: pd.DataFrame, zone: str, period: str) -> pd.DataFrame:
    counts: dict[tuple[pd.Timestamp, str | None], int] = {}
    for start, name in zip(frame[period], frame["call_disposition"], strict=True):
        counts[start, name] = counts.get((start, name), 0) + 1
    keys = sorted(counts, key=lambda key: (key[0], key[1] is not None, key[1] or ""))
    data = {
        "start": [start for start, _ in keys],
        "call_disposition": [name for _, name in keys],
        "attempts": [counts[key] for key in keys],
    }
    dtypes = {"start": f"datetime64[us, {zone}]", "call_disposition": "string", "attempts": "int64"}
    return _frame(data, dtypes)


def telemarketing_compliance(frame: pd.DataFrame, zone: str) -> pd.DataFrame:
    dialled = frame["dialled"]
    no_agent = dialled & (frame["call_disposition"] == UNATTENDED[0])
    abandoned = dialled & (frame["call_disposition"] == UNATTENDED[1])
    work = pd.DataFrame(
        {
            "day": frame["day"],
            "answered": dialled & (frame["connect"] | no_agent | abandoned),
            "no_agent": no_agent,
            "abandoned": abandoned,
        }
    )
    grouped = work.groupby("day", sort=True).sum()
    unattended = grouped["no_agent"] + grouped["abandoned"]
    data = {
        "start": grouped.index,
        "calls_answered": grouped["answered"].to_numpy(),
        "no_agent": grouped["no_agent"].to_numpy(),
        "abandoned": grouped["abandoned"].to_numpy(),
        "unattended": unattended.to_numpy(),
        "unattended_rate": _rate(unattended, grouped["answered"]).to_numpy(),
    }
    return _frame(data, {"start": f"datetime64[us, {zone}]", "calls_answered": "int64",
                         "no_agent": "int64", "abandoned": "int64", "unattended": "int64",
                         "unattended_rate": "float64"})  # fmt: skip


def contact_rate_by_hour(frame: pd.DataFrame) -> pd.DataFrame:
    dialled = frame[frame["dialled"]]
    grid = pd.MultiIndex.from_product([range(1, 8), range(24)], names=["weekday", "hour"])
    grouped = (
        dialled.groupby(["weekday", "clock_hour"])
        .agg(attempts=("dialled", "sum"), connects=("connect", "sum"))
        .rename_axis(["weekday", "hour"])
        .reindex(grid, fill_value=0)
    )
    data = {
        "weekday": grid.get_level_values(0),
        "hour": grid.get_level_values(1),
        "attempts": grouped["attempts"].to_numpy(),
        "connects": grouped["connects"].to_numpy(),
        "contact_rate": _rate(grouped["connects"], grouped["attempts"]).to_numpy(),
    }
    return _frame(data, {"weekday": "int64", "hour": "int64", "attempts": "int64",
                         "connects": "int64", "contact_rate": "float64"})  # fmt: skip


def attempts_to_close(frame: pd.DataFrame) -> pd.DataFrame:
    records = _records(frame)
    closed = records[records["completed"]]
    counts = closed.groupby(["list", "closed_after"]).size()
    completed = closed.groupby("list").size()
    keys = sorted(counts.index)
    data = {
        "list_name": [name for name, _ in keys],
        "attempts": [int(attempts) for _, attempts in keys],
        "records": [int(counts[key]) for key in keys],
        "share": [counts[key] / completed[key[0]] for key in keys],
    }
    return _frame(data, {"list_name": "string", "attempts": "int64", "records": "int64",
                         "share": "float64"})  # fmt: skip


def cpa_by_disposition(frame: pd.DataFrame) -> pd.DataFrame:
    counts: dict[tuple[int | None, str | None], int] = {}
    dialled = frame[frame["dialled"]]
    for cpa, name in zip(dialled["cpa"], dialled["call_disposition"], strict=True):
        key = (None if pd.isna(cpa) else int(cpa), name)
        counts[key] = counts.get(key, 0) + 1
    keys = sorted(counts, key=lambda k: (k[0] is None, k[0] or 0, k[1] is not None, k[1] or ""))
    data = {
        "cpa_result": [cpa for cpa, _ in keys],
        "call_disposition": [name for _, name in keys],
        "attempts": [counts[key] for key in keys],
    }
    return _frame(data, {"cpa_result": "Int64", "call_disposition": "string", "attempts": "int64"})


def sip_failures(frame: pd.DataFrame) -> pd.DataFrame:
    codes = frame["sip"].dropna().astype(int)
    counts = codes.value_counts()
    keys = sorted(counts.index, key=lambda code: (-counts[code], code))
    total = int(counts.sum())
    data = {
        "sip_code": keys,
        "reason": [ccr.sip_reason_phrase(int(code)) for code in keys],
        "attempts": [int(counts[code]) for code in keys],
        "share": [counts[code] / total for code in keys],
    }
    return _frame(data, {"sip_code": "Int64", "reason": "string", "attempts": "int64",
                         "share": "float64"})  # fmt: skip


def quota_groups(frame: pd.DataFrame) -> pd.DataFrame:
    attempts = frame["quota"].dropna().value_counts()
    records = _records(frame)["quota"].dropna().value_counts()
    names = sorted(set(attempts.index) | set(records.index), key=lambda n: (n == "no match", n))
    data = {
        "quota_group": names,
        "attempts": [int(attempts.get(name, 0)) for name in names],
        "records": [int(records.get(name, 0)) for name in names],
    }
    return _frame(data, {"quota_group": "string", "attempts": "int64", "records": "int64"})


def agents(frame: pd.DataFrame) -> pd.DataFrame:
    handled = frame[frame["agent"] != ""]
    grouped = handled.groupby("agent").agg(
        calls=("agent", "size"), talk=("talk", "sum"), completions=("completed", "sum")
    )
    order = sorted(grouped.index, key=lambda agent: (-grouped.loc[agent, "calls"], agent))
    grouped = grouped.loc[order] if order else grouped
    data = {
        "agent": list(grouped.index),
        "calls": grouped["calls"].to_numpy(),
        "talk_seconds": grouped["talk"].to_numpy(),
        "completions": grouped["completions"].to_numpy(),
        "conversion": _rate(grouped["completions"], grouped["calls"]).to_numpy(),
    }
    return _frame(data, {"agent": "string", "calls": "int64", "talk_seconds": "int64",
                         "completions": "int64", "conversion": "float64"})  # fmt: skip


def agent_dispositions(frame: pd.DataFrame) -> pd.DataFrame:
    handled = frame[frame["agent"] != ""]
    calls = handled.groupby("agent").size()
    closed = handled[handled["completed"]]
    counts = closed.groupby(["agent", "record_disposition"]).size()
    keys = sorted(counts.index)
    data = {
        "agent": [agent for agent, _ in keys],
        "record_disposition": [name for _, name in keys],
        "completions": [int(counts[key]) for key in keys],
        "conversion": [counts[key] / calls[key[0]] for key in keys],
    }
    return _frame(data, {"agent": "string", "record_disposition": "string",
                         "completions": "int64", "conversion": "float64"})  # fmt: skip
