"""A hostile platform, or a hostile network, against the List Management API client.

Each server here is a plain TCP server on loopback that speaks just enough
HTTP to be hostile: an endless body, a huge declared length, headers or a
body dripped a byte at a time, a reason phrase that echoes the token, and a
proxy that records what reaches it. Limits and timeouts are small, so each
test runs in seconds and in little memory.
"""

from __future__ import annotations

import logging
import pickle
import socket
import threading
import time
import traceback
import tracemalloc
from collections.abc import Callable
from typing import Any, Self

import pytest

import cloudcontact_results as ccr
from cloudcontact_results.errors import (
    OptionsError,
    PlatformError,
    PlatformTransportError,
)

TOKEN = "tok-hostile-5e1f0c9ab7d24e86"  # noqa: S105  # a test token, to prove it never leaks
MiB = 1024 * 1024
Handler = Callable[[socket.socket, bytes, threading.Event], None]


class RawServer:
    """A TCP server on 127.0.0.1: each connection's request goes to ``handle``, in a thread.

    ``received`` holds every request's bytes (headers and what came of the body).
    """

    def __init__(self, handle: Handler) -> None:
        self.handle = handle
        self.received: list[bytes] = []
        self.stop = threading.Event()
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.05)
        host, port = self._socket.getsockname()[:2]
        self.url = f"http://{host}:{port}"
        self._threads: list[threading.Thread] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._thread.join(timeout=10)
        for thread in self._threads:
            thread.join(timeout=10)
        self._socket.close()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            thread = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(10)
            request = b""
            try:
                while b"\r\n\r\n" not in request:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    request += chunk
                self.received.append(request)
                self.handle(connection, request, self.stop)
            except OSError:
                pass  # the client gave up, as it should


def header(request: bytes, name: str) -> str:
    for line in request.decode("latin-1").split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().casefold() == name.casefold():
            return value.strip()
    return ""


def client(server: RawServer, **kwargs: Any) -> ccr.ListManagementClient:
    kwargs.setdefault("timeout", 2)
    kwargs.setdefault("retries", ccr.Retries(attempts=1))
    return ccr.ListManagementClient(server.url, TOKEN, **kwargs)


def measured(call: Callable[[], object]) -> tuple[BaseException, float, float]:
    """What ``call`` raised, the seconds it took and its peak of Python memory (MiB)."""
    tracemalloc.start()
    began = time.monotonic()
    try:
        call()
    except Exception as exc:  # noqa: BLE001  # the test looks at it
        raised: BaseException = exc
    else:
        raise AssertionError("no error")
    finally:
        elapsed = time.monotonic() - began
        peak = tracemalloc.get_traced_memory()[1] / MiB
        tracemalloc.stop()
    return raised, elapsed, peak


# --- size ----------------------------------------------------------------------------------


def endless(connection: socket.socket, request: bytes, stop: threading.Event) -> None:
    """200, no length, then ``[`` without end (stopping at 64 MiB, to bound a broken client)."""
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
    block = b"[" * 65536
    for _ in range(1024):
        if stop.is_set():
            return
        connection.sendall(block)


def test_an_endless_body_stops_at_the_size_limit() -> None:
    with RawServer(endless) as server:
        api = client(server, max_response_bytes=MiB)
        error, elapsed, peak = measured(api.campaigns)
    assert type(error) is PlatformError, repr(error)  # operational, not bad data, not retried
    assert "max_response_bytes (1048576 bytes)" in str(error)
    assert error.url == f"{server.url}/configapi/v2/campaign/getAll/"
    assert error.status == 200
    assert TOKEN not in str(error)
    assert elapsed < 5
    assert peak < 20
    assert len(server.received) == 1


def huge_length(connection: socket.socket, request: bytes, stop: threading.Event) -> None:
    connection.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Content-Length: 10737418240\r\n\r\n[]"
    )
    stop.wait(5)


def test_a_huge_declared_length_is_refused_before_reading() -> None:
    with RawServer(huge_length) as server:
        api = client(server)  # the default limit
        error, elapsed, peak = measured(api.campaigns)
    assert type(error) is PlatformError, repr(error)
    assert f"max_response_bytes ({256 * MiB} bytes)" in str(error)  # the default
    assert elapsed < 2
    assert peak < 20


def test_an_answer_at_the_limit_is_read() -> None:
    body = b'[{"name": "Sales"}]'

    def exact(connection: socket.socket, request: bytes, stop: threading.Event) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body)

    with RawServer(exact) as server:
        assert client(server, max_response_bytes=len(body)).campaigns() == [{"name": "Sales"}]
        with pytest.raises(PlatformError, match="max_response_bytes"):
            client(server, max_response_bytes=len(body) - 1).campaigns()


@pytest.mark.parametrize("value", [0, -1, 1.5, "1", True, None])
def test_a_bad_size_limit_is_an_options_error(value: Any) -> None:
    with pytest.raises(OptionsError) as caught:
        ccr.ListManagementClient("https://example.com", TOKEN, max_response_bytes=value)
    assert caught.value.field == "max_response_bytes"


# --- time ----------------------------------------------------------------------------------


def dripped(head: bytes, drip: bytes) -> Handler:
    """Send ``head`` at once, then ``drip`` a byte every 0.2 s (for at most 8 s)."""

    def handle(connection: socket.socket, request: bytes, stop: threading.Event) -> None:
        connection.sendall(head)
        for byte in drip[:40]:
            if stop.wait(0.2):
                return
            connection.sendall(bytes([byte]))

    return handle


@pytest.mark.slow
@pytest.mark.parametrize(
    "handle",
    [
        dripped(b"", b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"x" * 100),  # the headers
        dripped(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", b"[" + b" " * 99),  # the body
        dripped(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", b"1\r\n[\r\n" * 20),
    ],
    ids=["headers", "body", "chunked"],
)
def test_a_dripped_answer_cannot_outlast_the_timeout(handle: Handler) -> None:
    with RawServer(handle) as server:
        api = client(server, timeout=1, retries=ccr.Retries(attempts=2, backoff=0))
        error, elapsed, _ = measured(api.campaigns)
    assert type(error) is PlatformTransportError, repr(error)
    assert "within the timeout of 1 s" in str(error)
    assert "gave up after 2 tries" in str(error)  # a timeout is retried, each try bounded
    assert elapsed < 4
    assert len(server.received) == 2


@pytest.mark.slow
def test_a_quick_answer_is_not_cut_by_the_deadline() -> None:
    def quick(connection: socket.socket, request: bytes, stop: threading.Event) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]")

    with RawServer(quick) as server:
        api = client(server, timeout=0.5)
        for _ in range(5):
            assert api.campaigns() == []
        time.sleep(0.7)  # the watchdogs of the finished tries pass harmlessly
        assert api.campaigns() == []


# --- the token -----------------------------------------------------------------------------


def answer_json(connection: socket.socket, request: bytes, stop: threading.Event) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]")


def test_plain_http_never_goes_through_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    with RawServer(answer_json) as proxy, RawServer(answer_json) as server:
        for name in ("no_proxy", "NO_PROXY"):
            monkeypatch.delenv(name, raising=False)
        for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
            monkeypatch.setenv(name, proxy.url)
        assert client(server).campaigns() == []
    assert proxy.received == []  # the proxy saw nothing, so not the token
    (request,) = server.received
    assert header(request, "Authorization") == f"Bearer {TOKEN}"


def echo(status_line: str) -> Handler:
    """Answer with ``status_line``, its ``{auth}`` the request's Authorization header."""

    def handle(connection: socket.socket, request: bytes, stop: threading.Event) -> None:
        line = status_line.format(auth=header(request, "Authorization"))
        body = f'{{"error": {header(request, "Authorization")}}}'.encode()  # not JSON
        connection.sendall(
            line.encode("latin-1")
            + f"\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )

    return handle


@pytest.mark.parametrize(
    "status_line",
    [
        "HTTP/1.1 503 {auth}",  # a reason phrase (retried, then raised)
        "HTTP/1.1 418 {auth}",  # a status the client does not know
        "HTTP/1.1 2OO {auth}",  # a status line http.client cannot read
        "HTTP/1.1 200 {auth}",  # an answer that is not JSON (the token is in the body)
    ],
)
def test_an_echoed_token_never_shows(status_line: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="cloudcontact_results")
    with RawServer(echo(status_line)) as server:
        api = client(server, retries=ccr.Retries(attempts=2, backoff=0))
        with pytest.raises(PlatformError) as caught:
            api.campaigns()
    error = caught.value
    assert f"Bearer {TOKEN}" in header(server.received[0], "Authorization")
    shown = [
        str(error),
        repr(error),
        repr(vars(error)),
        str(pickle.loads(pickle.dumps(error))),  # noqa: S301  # our own error
        "".join(traceback.format_exception(error)),
        caplog.text,
    ]
    assert not [text for text in shown if TOKEN in text]


@pytest.mark.parametrize(
    "token",
    [
        "tok-Ключ-1",  # not Latin-1: http.client's UnicodeEncodeError would hold it
        "tok-\u20ac-1",
        "tok-\x7f-1",  # control characters
        "tok-\x85-1",
        "tok-\x00-1",
        "tok\r\nX-Injected: 1",
        "tok-\u00a0-1",  # a space that is no space
    ],
)
def test_a_token_that_cannot_be_a_header_is_refused_up_front(token: str) -> None:
    with pytest.raises(OptionsError) as caught:
        ccr.ListManagementClient("https://example.com", token)
    assert caught.value.field == "token"
    assert token not in str(caught.value)
    assert token not in repr(caught.value)
    assert "tok-" not in str(caught.value)


def test_a_printable_latin_1_token_is_taken() -> None:
    received: list[bytes] = []

    def record(connection: socket.socket, request: bytes, stop: threading.Event) -> None:
        received.append(request)
        answer_json(connection, request, stop)

    token = "tok-ßé-1"  # noqa: S105  # a test token
    with RawServer(record) as server:
        assert ccr.ListManagementClient(server.url, token).campaigns() == []
    assert f"Bearer {token}".encode("latin-1") in received[0]
