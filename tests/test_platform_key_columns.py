"""changed_pages checks its list and key columns before it asks the platform anything."""

from __future__ import annotations

import datetime as dt

import pytest

import cloudcontact_results as ccr
from cloudcontact_results.errors import CampaignMismatchError
from tests.support.platform_server import TOKEN, FakePlatform

CAMPAIGN = ccr.Campaign("Продажи", [ccr.CallingList("Клиенты", ["№", "Фамилия", "Телефон"])])
RECORD = ccr.Record(
    "1",
    "Клиенты",
    {"№": "1", "Фамилия": "Егоров"},
    [ccr.Attempt("+79055446868", dt.datetime(2026, 3, 2, 7, tzinfo=dt.UTC))],
)


@pytest.mark.parametrize(
    ("list_name", "key_columns", "field", "value"),
    [
        ("Клиенты", ["id"], "key_columns", "id"),
        ("Клиенты", ["№", "Телфон"], "key_columns", "Телфон"),
        ("Клиенты", "id", "key_columns", "id"),
        ("Клиент", ["№"], "list_name", "Клиент"),
    ],
)
def test_a_key_column_the_list_lacks_is_refused_before_the_first_request(
    list_name: str, key_columns: list[str] | str, field: str, value: str
) -> None:
    with FakePlatform(CAMPAIGN, [RECORD]) as platform:
        client = ccr.ListManagementClient(platform.url, TOKEN, timeout=5)
        with pytest.raises(CampaignMismatchError) as caught:
            ccr.changed_pages(client, CAMPAIGN, list_name, key_columns=key_columns)
        assert platform.requests == []
    assert (caught.value.field, caught.value.value) == (field, value)
    assert "\n" not in str(caught.value)


def test_a_misspelt_key_column_names_the_closest_columns() -> None:
    with FakePlatform(CAMPAIGN, [RECORD]) as platform:
        client = ccr.ListManagementClient(platform.url, TOKEN, timeout=5)
        with pytest.raises(CampaignMismatchError, match=r"did you mean 'Телефон'\?"):
            ccr.changed_pages(client, CAMPAIGN, "Клиенты", key_columns=["Телфон"])


def test_the_list_s_own_key_columns_page_through_the_platform() -> None:
    with FakePlatform(CAMPAIGN, [RECORD]) as platform:
        client = ccr.ListManagementClient(platform.url, TOKEN, timeout=5)
        pages = list(ccr.changed_pages(client, CAMPAIGN, "Клиенты", key_columns=["№"]))
    assert [found.record.fields["Фамилия"] for page in pages for found in page.records] == [
        "Егоров"
    ]
