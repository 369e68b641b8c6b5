"""An unknown name is refused with the closest valid ones, in one line naming field and value."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results.errors import (
    CampaignMismatchError,
    OptionsError,
    UnknownDispositionError,
    UnknownNameError,
)

#: Every zone of the database; the answers below are computed from it, not from the library.
ZONES = sorted(zoneinfo.available_timezones())
#: Zones named by region and city: no typo of one is an abbreviation such as ``MSK``.
REGION_ZONES = [name for name in ZONES if "/" in name]
#: How many names a message suggests at most (docs/options.md).
AT_MOST = 3

CAMPAIGN = ccr.Campaign(
    "March",
    [ccr.CallingList("Clients", ["Name"]), ccr.CallingList("Debtors", ["Name"])],
    dispositions=[ccr.Disposition("Согласен", code="OK")],
)


def suggested(message: str) -> list[str]:
    """The names a message suggests (names here are letters, digits, ``/``, ``_``, ``+``, ``-``)."""
    found = re.search(r"\(did you mean (.*?)\?\)", message)
    return re.findall(r"'([^']*)'", found.group(1)) if found else []


def one_edit_apart(a: str, b: str) -> bool:
    """Levenshtein distance with adjacent swaps (optimal string alignment) of at most one."""
    rows = [list(range(len(b) + 1))]
    for i, x in enumerate(a, 1):
        row = [i]
        for j, y in enumerate(b, 1):
            best = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                best = min(best, rows[-2][j - 2] + 1)
            row.append(best)
        rows.append(row)
    return rows[-1][-1] <= 1


@st.composite
def typos(draw: st.DrawFn, name: str) -> str:
    """``name`` with one character added, left out, changed, or two neighbours swapped."""
    position = draw(st.integers(0, len(name) - 1))
    kind = draw(st.sampled_from(["add", "drop", "change", "swap"]))
    letter = draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz_/"))
    if kind == "add":
        return name[:position] + letter + name[position:]
    if kind == "drop":
        return name[:position] + name[position + 1 :]
    if kind == "change":
        return name[:position] + letter + name[position + 1 :]
    assume(position + 1 < len(name))
    return name[:position] + name[position + 1] + name[position] + name[position + 2 :]


def is_suggested(name: str, typo: str, message: str) -> bool:
    """``name`` is among the suggestions, or as many others just as close (one edit) are."""
    names = suggested(message)
    if name in names:
        return True
    return len(names) == AT_MOST and all(
        one_edit_apart(typo.casefold(), other.casefold()) for other in names
    )


# --- time zones -----------------------------------------------------------------------


@pytest.mark.parametrize("given", ["europe/moscow", "EUROPE/MOSCOW", "Europe/moscow"])
def test_a_zone_name_is_matched_without_regard_to_case(given: str) -> None:
    assert ccr.ExportOptions(timezone=given).timezone == "Europe/Moscow"
    record = ccr.Record(
        "1",
        "Clients",
        {"Name": "A"},
        [ccr.Attempt("+7 916 000-00-00", dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC))],
    )
    row = next(ccr.detailed_rows(CAMPAIGN, [record], ccr.ExportOptions(timezone=given)))
    assert row.call_time == dt.datetime(2026, 3, 2, 11, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))


def test_read_report_matches_a_zone_without_regard_to_case(tmp_path: Path) -> None:
    path = tmp_path / "simple.csv"
    ccr.export(CAMPAIGN, [ccr.Record("1", "Clients", {"Name": "A"})], path)
    assert ccr.read_report(path, timezone="europe/moscow").timezone == "Europe/Moscow"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Moscow", "Europe/Moscow"),
        ("moscow", "Europe/Moscow"),
        ("Europe/Moskow", "Europe/Moscow"),
        ("New York", "America/New_York"),
        ("MSK", "Europe/Moscow"),
    ],
)
def test_an_unknown_zone_names_the_closest_zones(given: str, expected: str) -> None:
    with pytest.raises(OptionsError) as caught:
        ccr.ExportOptions(timezone=given)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("ExportOptions.timezone: ")
    assert message.endswith(f"(got {given!r})")
    assert expected in suggested(message)
    assert len(suggested(message)) <= AT_MOST


def test_an_abbreviation_is_never_taken_for_a_zone() -> None:
    # MSK is Moscow's abbreviation, and Simferopol's, Kirov's and Volgograd's too.
    with pytest.raises(OptionsError, match="abbreviation") as caught:
        ccr.ExportOptions(timezone="MSK")
    assert all(
        dt.datetime(2026, 1, 15, tzinfo=dt.UTC).astimezone(zoneinfo.ZoneInfo(name)).tzname()
        == "MSK"
        for name in suggested(str(caught.value))
    )


def test_read_report_names_the_closest_zones(tmp_path: Path) -> None:
    with pytest.raises(OptionsError, match=r"^timezone: .*'Europe/Moscow'") as caught:
        ccr.read_report(tmp_path / "none.csv", timezone="Moscow")
    assert "\n" not in str(caught.value)


@given(name=st.sampled_from(ZONES), data=st.data())
def test_any_case_of_a_zone_name_is_that_zone(name: str, data: st.DataObject) -> None:
    cases = data.draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    given = "".join(c.upper() if up else c.lower() for c, up in zip(name, cases, strict=True))
    assert ccr.ExportOptions(timezone=given).timezone == name


@given(data=st.data())
def test_a_one_character_typo_of_a_zone_is_suggested(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(REGION_ZONES))
    typo = data.draw(typos(name))
    assume(typo.casefold() not in {zone.casefold() for zone in ZONES})
    with pytest.raises(OptionsError) as caught:
        ccr.ExportOptions(timezone=typo)
    assert is_suggested(name, typo, str(caught.value)), str(caught.value)


# --- lists and dispositions of a campaign ------------------------------------------------


def test_an_unknown_list_names_the_closest_lists() -> None:
    with pytest.raises(CampaignMismatchError) as caught:
        list(ccr.simple_rows(CAMPAIGN, [], ccr.ExportOptions(lists=["Client"])))
    message = str(caught.value)
    assert message.startswith("ExportOptions.lists: ")
    assert suggested(message) == ["Clients"]
    assert message.endswith("(got 'Client')")


def test_a_record_of_an_unknown_list_names_the_closest_lists() -> None:
    with pytest.raises(CampaignMismatchError) as caught:
        list(ccr.simple_rows(CAMPAIGN, [ccr.Record("1", "Debtor", {})]))
    assert suggested(str(caught.value)) == ["Debtors"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [("Bussy", "Busy"), ("согласн", "Согласен"), ("Нет отвта", "Нет ответа")],
)
def test_an_unknown_disposition_names_the_closest_dispositions(given: str, expected: str) -> None:
    with pytest.raises(UnknownDispositionError) as caught:
        list(ccr.simple_rows(CAMPAIGN, [], ccr.ExportOptions(dispositions=[given])))
    message = str(caught.value)
    assert message.startswith("ExportOptions.dispositions: ")
    assert expected in suggested(message)


def test_an_unknown_system_disposition_names_the_closest() -> None:
    with pytest.raises(UnknownDispositionError) as caught:
        ccr.system_disposition("No anwser")
    assert suggested(str(caught.value)) == ["No answer"]


def test_a_name_with_nothing_close_suggests_nothing() -> None:
    with pytest.raises(CampaignMismatchError) as caught:
        list(ccr.simple_rows(CAMPAIGN, [], ccr.ExportOptions(lists=["zzzzzz"])))
    assert "did you mean" not in str(caught.value)


LIST_NAMES = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ", min_size=1, max_size=12),
    min_size=1,
    max_size=6,
    unique=True,
)


@given(names=LIST_NAMES, data=st.data())
def test_a_one_character_typo_of_a_list_is_suggested(names: list[str], data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(names))
    typo = data.draw(typos(name))
    assume(typo and typo not in names)
    campaign = ccr.Campaign("C", [ccr.CallingList(n, ["a"]) for n in names])
    with pytest.raises(CampaignMismatchError) as caught:
        list(ccr.simple_rows(campaign, [], ccr.ExportOptions(lists=[typo])))
    assert is_suggested(name, typo, str(caught.value)), str(caught.value)


# --- names a store holds ---------------------------------------------------------------


def test_a_store_names_its_closest_campaigns_lists_and_jobs(tmp_path: Path) -> None:
    with ccr.ResultsStore(tmp_path / "results.sqlite") as store:
        store.put_campaign(CAMPAIGN)
        store.add_job(
            ccr.ExportJob(
                "daily",
                "March",
                ccr.ExportOptions(),
                "FREQ=DAILY",
                tmp_path,
                dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
            )
        )
        cases = [
            (lambda: store.campaign("Marhc"), "campaign 'Marhc'", "March"),
            (lambda: store.export("Mrch", tmp_path / "x.csv"), "campaign 'Mrch'", "March"),
            (lambda: store.remove_list("March", "Clinets"), "list 'Clinets'", "Clients"),
            (lambda: store.delete_list("Debtor"), "list 'Debtor'", "Debtors"),
            (lambda: store.remove_job("dialy"), "job 'dialy'", "daily"),
        ]
        for call, named, expected in cases:
            with pytest.raises(UnknownNameError) as caught:
                call()
            message = str(caught.value)
            assert named in message
            assert "\n" not in message
            assert suggested(message) == [expected], message
