"""The List Management API client against a real HTTP server on loopback.

The server is tests/support/platform_server.py: the documented methods, served from
records the tests make, with faults scripted per request.
"""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import ssl
import time
import traceback
from pathlib import Path
from typing import Any

import attrs
import pytest

import cloudcontact_results as ccr
from cloudcontact_results.errors import (
    OptionsError,
    PlatformDataError,
    PlatformError,
    PlatformStatusError,
    PlatformTransportError,
)

from .support.platform_server import API, TOKEN, FakePlatform
from .support.samples import AGREED

UTC = dt.UTC
TLS = Path(__file__).resolve().parent / "tls"
START = dt.datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
CAMPAIGN = ccr.Campaign(
    "Обзвон клиентов",
    [ccr.CallingList("Клиенты / Москва", ["id", "Телефон"]), ccr.CallingList("VIP", ["id"])],
    dispositions=[AGREED],
)
LIST = "Клиенты / Москва"


def record(number: int, *times: dt.datetime, list_name: str = LIST) -> ccr.Record:
    """A record with one failed dial at each of ``times``."""
    attempts = [
        ccr.Attempt(
            f"+7916{number:07d}",
            moment,
            call_disposition=ccr.system_disposition("Busy"),
            cpa_result=ccr.CPAResult.BUSY,
            sip_code=486,
            interaction_id=f"{number}-{index}",
        )
        for index, moment in enumerate(times)
    ]
    return ccr.Record(str(number), list_name, {"id": str(number)}, attempts)


def minutes(count: int) -> dt.datetime:
    return START + dt.timedelta(minutes=count)


def client(platform: FakePlatform, **kwargs: Any) -> ccr.ListManagementClient:
    kwargs.setdefault("timeout", 5)
    kwargs.setdefault("retries", ccr.Retries(attempts=3, backoff=0))
    return ccr.ListManagementClient(platform.url, TOKEN, **kwargs)


def pull(api: ccr.ListManagementClient, **kwargs: Any) -> list[ccr.ChangedPage]:
    return list(ccr.changed_pages(api, CAMPAIGN, LIST, **kwargs))


def ids(pages: list[ccr.ChangedPage]) -> list[str]:
    return [found.record.id for page in pages for found in page.records]


def changed_requests(platform: FakePlatform) -> list[Any]:
    return [body for method, path, body in platform.requests if "/getChanged/" in path]


# --- requests ------------------------------------------------------------------------------


def test_get_changed_is_asked_as_documented() -> None:
    nine_in_moscow = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    with FakePlatform(CAMPAIGN, [record(1, minutes(1))]) as platform:
        (page,) = pull(client(platform), since=nine_in_moscow)
    ((method, path, body),) = platform.requests
    assert method == "POST"
    # Names are percent-encoded, "/" too: "Клиенты / Москва", "Обзвон клиентов".
    list_part = (
        "%D0%9A%D0%BB%D0%B8%D0%B5%D0%BD%D1%82%D1%8B%20%2F%20%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0"
    )
    campaign_part = (
        "%D0%9E%D0%B1%D0%B7%D0%B2%D0%BE%D0%BD%20%D0%BA%D0%BB%D0%B8%D0%B5%D0%BD%D1%82%D0%BE%D0%B2"
    )
    assert path == f"{API}/callinglist/getChanged/{list_part}/{campaign_part}"
    assert body == {"fromTime": "2026-03-02T06:00:00.000", "maxSize": "1000"}
    assert [found.record for found in page.records] == [record(1, minutes(1))]
    assert page.last
    assert page.watermark == minutes(1)


def test_the_other_methods() -> None:
    done = ccr.Record(
        "7",
        LIST,
        {"id": "7", "Телефон": "+79160000007"},
        [
            ccr.Attempt(
                "+79160000007",
                minutes(5),
                call_disposition=AGREED,
                record_disposition=AGREED,
                answered_duration=40,
                agent="ivanova",
                interaction_id="I-7",
            )
        ],
    )
    with FakePlatform(CAMPAIGN, [record(1, minutes(1)), done]) as platform:
        api = client(platform)
        assert api.campaigns() == [
            {"name": CAMPAIGN.name, "lists": [LIST, "VIP"], "state": "RUNNING"}
        ]
        (completed,) = ccr.parse_status(
            api.get_completed(LIST, CAMPAIGN.name, START, 10), CAMPAIGN, LIST, key_columns=["id"]
        )
        (queried,) = ccr.parse_status(
            api.query_record(LIST, CAMPAIGN.name, {"id": "7"}), CAMPAIGN, LIST, key_columns=["id"]
        )
        with pytest.raises(PlatformError) as missing:
            api.query_record(LIST, CAMPAIGN.name, {"id": "8"})
    assert completed == queried
    (last,) = completed.record.attempts
    assert (last.record_disposition, last.answered_duration, last.agent) == (AGREED, 40, "ivanova")
    assert missing.value.status == 404


# --- paging -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_paging_across_the_1000_limit() -> None:
    records = [record(n, START + dt.timedelta(seconds=n)) for n in range(2500)]
    with FakePlatform(CAMPAIGN, records) as platform:
        pages = pull(client(platform))
    # Each later page repeats the record at its fromTime, which is dropped.
    assert [len(page.records) for page in pages] == [1000, 999, 501]
    assert sorted(ids(pages), key=int) == [str(n) for n in range(2500)]  # nothing lost
    assert len(set(ids(pages))) == 2500  # nothing twice
    asked = changed_requests(platform)
    assert [body["maxSize"] for body in asked] == ["1000", "1000", "1000"]
    # Each page starts at the latest moment of the one before (fromTime is inclusive).
    assert [body["fromTime"] for body in asked] == [
        "1970-01-01T00:00:00.000",
        "2026-03-02T06:16:39.000",
        "2026-03-02T06:33:18.000",
    ]
    assert [page.last for page in pages] == [False, False, True]


def test_boundary_repeats_are_dropped() -> None:
    # Page size 3: the first page ends inside the group of records changed at minute 2.
    records = [
        record(1, minutes(1)),
        record(2, minutes(2)),
        record(3, minutes(2)),
        record(4, minutes(2)),
        record(5, minutes(3)),
    ]
    with FakePlatform(CAMPAIGN, records) as platform:
        pages = pull(client(platform), page_size=3)
    assert ids(pages) == ["1", "2", "3", "4", "5"]
    # The second page repeats 2 and 3 and adds only 4: it does not move past
    # minute 2, so that page is asked again, larger.
    assert [(body["fromTime"][11:19], body["maxSize"]) for body in changed_requests(platform)] == [
        ("00:00:00", "3"),
        ("06:02:00", "3"),
        ("06:02:00", "6"),
    ]


def test_a_full_page_of_one_moment_asks_for_a_larger_page() -> None:
    records = [record(n, minutes(1)) for n in range(5)] + [record(9, minutes(2))]
    with FakePlatform(CAMPAIGN, records) as platform:
        pages = pull(client(platform), page_size=2)
    assert sorted(ids(pages)) == ["0", "1", "2", "3", "4", "9"]
    assert len(ids(pages)) == 6
    assert [body["maxSize"] for body in changed_requests(platform)] == ["2", "2", "4", "8"]


def test_more_than_1000_records_of_one_millisecond_cannot_be_paged() -> None:
    records = [record(n, minutes(1)) for n in range(1001)]
    with (
        FakePlatform(CAMPAIGN, records) as platform,
        pytest.raises(PlatformError, match="cannot page past"),
    ):
        pull(client(platform), since=minutes(1))


def test_a_record_that_changes_is_given_again() -> None:
    with FakePlatform(CAMPAIGN, [record(1, minutes(1)), record(2, minutes(2))]) as platform:
        api = client(platform)
        first = pull(api)
        # The campaign goes on: record 1 is dialled again.
        platform.records[LIST][0] = record(1, minutes(1), minutes(4))
        second = pull(api, since=first[-1].watermark)
    assert ids(first) == ["1", "2"]
    assert ids(second) == ["2", "1"]  # record 2 is at the boundary: asked again, given again
    assert second[-1].records[-1].record.attempts[-1].time == minutes(4)
    assert second[-1].watermark == minutes(4)


def test_records_repeated_from_before_from_time_do_not_stop_paging() -> None:
    records = [record(n, minutes(n)) for n in range(1, 30)]
    with FakePlatform(CAMPAIGN, records, redelivery=0.7, seed=3) as platform:
        pages = pull(client(platform), page_size=4)
    assert set(ids(pages)) == {str(n) for n in range(1, 30)}
    assert pages[-1].watermark == minutes(29)


# --- failures ------------------------------------------------------------------------------


def test_a_server_error_mid_sync_then_resume() -> None:
    records = [record(n, minutes(n)) for n in range(1, 8)]
    with FakePlatform(CAMPAIGN, records) as platform:
        api = client(platform, retries=ccr.Retries(attempts=2, backoff=0))
        platform.fail(None, 500, 502)  # the second page fails twice: retries are used up
        got: list[ccr.ChangedPage] = []
        pages = ccr.changed_pages(api, CAMPAIGN, LIST, page_size=3)
        got.append(next(pages))
        with pytest.raises(PlatformStatusError, match="gave up after 2 tries") as caught:
            next(pages)
        assert caught.value.status == 502
        # Resume from where the last page left off: nothing lost.
        got += pull(api, since=got[-1].watermark, page_size=3)
    assert ids(got)[:3] == ["1", "2", "3"]
    assert sorted(set(ids(got))) == [str(n) for n in range(1, 8)]


def test_rate_limits_and_server_errors_are_retried_with_backoff() -> None:
    waits: list[float] = []
    with FakePlatform(CAMPAIGN, [record(1, minutes(1))]) as platform:
        api = client(platform, retries=ccr.Retries(attempts=4, backoff=0.25), sleep=waits.append)
        platform.fail(429, 503, "drop")
        (page,) = pull(api)
    assert ids([page]) == ["1"]
    assert len(platform.requests) == 4
    assert len(waits) == 3
    # 0.25, 0.5, 1.0 less up to a half of jitter.
    for wait, base in zip(waits, (0.25, 0.5, 1.0), strict=True):
        assert base / 2 <= wait <= base


def test_retry_after_is_honoured() -> None:
    retries = ccr.Retries(attempts=2, backoff=0.1, max_backoff=5)
    assert retries.delay(1, retry_after=3) == 3
    assert retries.delay(1, retry_after=60) == 5  # capped
    assert 0.05 <= retries.delay(1) <= 0.1


@pytest.mark.parametrize(("fault", "status"), [(401, 401), (403, 403), (400, 400), (302, 302)])
def test_client_errors_are_not_retried(fault: int, status: int) -> None:
    with FakePlatform(CAMPAIGN) as platform:
        platform.fail(fault)
        with pytest.raises(PlatformStatusError) as caught:
            pull(client(platform))
    assert caught.value.status == status
    assert len(platform.requests) == 1


def test_a_wrong_token_is_401() -> None:
    with (
        FakePlatform(CAMPAIGN, token="the-right-one") as platform,  # noqa: S106
        pytest.raises(PlatformStatusError, match="authentication failed") as caught,
    ):
        pull(client(platform))
    assert caught.value.status == 401
    assert len(platform.requests) == 1


def test_an_unknown_list_or_campaign_is_404() -> None:
    other = attrs.evolve(CAMPAIGN, name="Другая кампания")
    with FakePlatform(CAMPAIGN) as platform, pytest.raises(PlatformStatusError) as caught:
        list(ccr.changed_pages(client(platform), other, LIST))
    assert caught.value.status == 404


def test_malformed_json_is_an_error_not_a_retry() -> None:
    with FakePlatform(CAMPAIGN, [record(1, minutes(1))]) as platform:
        platform.fail("malformed")
        with pytest.raises(PlatformError, match="not valid JSON") as caught:
            pull(client(platform))
    assert type(caught.value) is PlatformError  # an answer came, with a status of success
    assert caught.value.status == 200
    assert len(platform.requests) == 1


def test_json_the_library_cannot_read_names_its_path() -> None:
    bad = record(1, minutes(1))
    with FakePlatform(CAMPAIGN, [bad]) as platform:
        platform.records[LIST] = [attrs.evolve(bad, fields={"id": "1", "Телефон": "1"})]
        # A list the campaign in hand does not know the column of.
        narrow = attrs.evolve(CAMPAIGN, lists=[ccr.CallingList(LIST, ["id"]), CAMPAIGN.lists[1]])
        with pytest.raises(PlatformDataError) as caught:
            list(ccr.changed_pages(client(platform), narrow, LIST))
    assert caught.value.field == "$[0].entry.Телефон"


@pytest.mark.slow
def test_a_slow_answer_hits_the_timeout() -> None:
    with FakePlatform(CAMPAIGN, [record(1, minutes(1))], slow_seconds=30) as platform:
        platform.fail("slow", "slow")
        api = client(platform, timeout=0.3, retries=ccr.Retries(attempts=2, backoff=0))
        began = time.monotonic()
        with pytest.raises(PlatformTransportError, match=r"timeout of 0\.3 s") as caught:
            pull(api)
        elapsed = time.monotonic() - began
    assert caught.value.status is None
    assert elapsed < 5
    assert len(platform.requests) == 2


def test_a_slow_answer_then_a_quick_one_succeeds() -> None:
    with FakePlatform(CAMPAIGN, [record(1, minutes(1))], slow_seconds=30) as platform:
        platform.fail("slow")
        (page,) = pull(client(platform, timeout=0.3))
    assert ids([page]) == ["1"]


def test_nobody_listening_is_a_network_error() -> None:
    with FakePlatform(CAMPAIGN) as platform:
        url = platform.url
    api = ccr.ListManagementClient(url, TOKEN, retries=ccr.Retries(attempts=2, backoff=0))
    with pytest.raises(PlatformTransportError, match="refused") as caught:
        api.campaigns()
    assert not isinstance(caught.value, ValueError)  # the network failed, not the input
    assert caught.value.status is None


def test_a_server_error_is_a_status_error_not_bad_data() -> None:
    with FakePlatform(CAMPAIGN, [record(1, minutes(1))]) as platform:
        platform.fail(503, 503, 503)
        with pytest.raises(PlatformStatusError, match="gave up after 3 tries") as caught:
            pull(client(platform))
    error = caught.value
    assert not isinstance(error, ValueError)
    assert isinstance(error, PlatformError)
    assert isinstance(error, ccr.ResultsError)
    assert error.status == 503
    assert error.url.startswith(f"{platform.url}{API}/callinglist/getChanged/")
    assert TOKEN not in str(error)
    again = pickle.loads(pickle.dumps(error))  # noqa: S301  # e.g. from a worker process
    assert (type(again), again.status, again.url, str(again)) == (
        PlatformStatusError,
        503,
        error.url,
        str(error),
    )


def test_a_dropped_connection_is_a_transport_error_after_the_retries() -> None:
    with FakePlatform(CAMPAIGN, [record(1, minutes(1))]) as platform:
        platform.fail("drop", "drop", "drop")
        with pytest.raises(PlatformTransportError, match="gave up after 3 tries") as caught:
            pull(client(platform))
    assert not isinstance(caught.value, ValueError)
    assert caught.value.status is None
    assert len(platform.requests) == 3


# --- the token ------------------------------------------------------------------------------


def test_the_token_never_shows(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="cloudcontact_results")
    with FakePlatform(CAMPAIGN, [record(1, minutes(1))]) as platform:
        api = client(platform, retries=ccr.Retries(attempts=2, backoff=0))
        platform.fail(500, 500, 401, "malformed")
        errors = []
        for _ in range(3):
            with pytest.raises(PlatformError) as caught:
                pull(api)
            errors.append(caught.value)
    assert caplog.records  # retries were logged...
    shown = [
        caplog.text,
        repr(api),
        str(api),
        repr(vars(api)),
        *(str(error) for error in errors),
        *(repr(error) for error in errors),
        *("".join(traceback.format_exception(error)) for error in errors),
    ]
    assert not [text for text in shown if TOKEN in text]  # ...without the token
    with pytest.raises(TypeError, match="not picklable"):
        pickle.dumps(api)


def test_a_bad_token_is_refused_without_showing_it() -> None:
    for token in ("", "  ", "abc\r\nX-Injected: 1"):
        with pytest.raises(OptionsError) as caught:
            ccr.ListManagementClient("https://example.com", token)
        assert "Injected" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://example.com", "must be https"),
        ("ftp://example.com", "http or https"),
        ("https://", "http or https"),
        ("https://example.com/?a=1", "query"),
        ("https://user:s3cret-pass@example.com", "user name or password"),
        (42, "platform's address"),
    ],
)
def test_bad_urls(url: Any, reason: str) -> None:
    with pytest.raises(OptionsError, match=reason) as caught:
        ccr.ListManagementClient(url, TOKEN)
    assert "s3cret-pass" not in str(caught.value)


def test_plain_http_is_for_this_machine_or_on_request() -> None:
    for url in ("http://127.0.0.1:8080", "http://localhost", "http://[::1]:80"):
        assert ccr.ListManagementClient(url, TOKEN).url == url
    api = ccr.ListManagementClient("http://example.com/base/", TOKEN, insecure_http=True)
    assert api.url == "http://example.com/base"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"page_size": 0}, "page_size"),
        ({"page_size": 1001}, "page_size"),
        ({"page_size": "10"}, "page_size"),
        ({"since": dt.datetime(2026, 3, 2)}, "since"),  # noqa: DTZ001  # naive on purpose
    ],
)
def test_bad_paging_options(kwargs: dict[str, Any], field: str) -> None:
    api = ccr.ListManagementClient("https://example.com", TOKEN)
    with pytest.raises(OptionsError) as caught:
        pull(api, **kwargs)
    assert caught.value.field == field


@pytest.mark.parametrize(
    "kwargs", [{"attempts": 0}, {"attempts": 1.5}, {"backoff": -1}, {"max_backoff": "1"}]
)
def test_bad_retries(kwargs: dict[str, Any]) -> None:
    with pytest.raises(OptionsError):
        ccr.Retries(**kwargs)


# --- TLS -----------------------------------------------------------------------------------


#: A self-signed certificate for 127.0.0.1 and its key, valid 2000-2100, made once with
#: openssl for these tests only (tests/tls/): the client must refuse it unless told to trust it.
CERTIFICATE = (TLS / "cert.pem", TLS / "key.pem")


def tls_server() -> FakePlatform:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*CERTIFICATE)
    return FakePlatform(CAMPAIGN, [record(1, minutes(1))], tls=context)


def test_tls_certificates_are_verified_by_default() -> None:
    with tls_server() as platform:
        with pytest.raises(PlatformTransportError, match="certificate could not be verified"):
            pull(ccr.ListManagementClient(platform.url, TOKEN))
        trusting = ssl.create_default_context(cafile=str(CERTIFICATE[0]))
        (page,) = pull(ccr.ListManagementClient(platform.url, TOKEN, ssl_context=trusting))
    assert ids([page]) == ["1"]
