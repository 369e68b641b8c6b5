"""A client of the platform's List Management API, on the standard library alone.

Requests are ``urllib.request`` POSTs (GET for *Get Campaigns*) with a JSON
body and the access token as ``Authorization: Bearer <token>``. Rate limits
(429), server errors (5xx), timeouts and network errors are retried with
exponential backoff; anything else the API answers with an error status is a
:class:`~cloudcontact_results.errors.PlatformStatusError` at once. When the
retries are used up, a failure to get an answer is a
:class:`~cloudcontact_results.errors.PlatformTransportError` and an error
status a ``PlatformStatusError``; neither is a ``ValueError``. The token is
kept out of every ``repr``, log record and error message, and never sent in
clear text through a proxy.

Each try is bounded: a deadline covers the connection, the headers and the
body together (a watchdog shuts the socket down when it passes, so an answer
dripped a byte at a time cannot outlast it), and the body is read in chunks
up to ``max_response_bytes``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import ipaddress
import json
import logging
import random
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, Final, NoReturn

import attrs

from .._shown import cut
from ..errors import OptionsError, PlatformError, PlatformStatusError, PlatformTransportError
from .listapi import load_json

__all__ = ["MAX_PAGE_SIZE", "MAX_RESPONSE_BYTES", "ListManagementClient", "Retries"]

_LOG = logging.getLogger("cloudcontact_results.platform")

#: The most records one request may ask for ("Current implementation limits maxSize to 1000").
MAX_PAGE_SIZE: Final = 1000

#: The largest answer read by default (256 MiB): a full page of records with
#: their attempts is a few megabytes.
MAX_RESPONSE_BYTES: Final = 256 * 1024 * 1024

#: How much of the answer's body one read asks for.
_CHUNK: Final = 64 * 1024

_API: Final = "/configapi/v2"
_USER_AGENT: Final = "cloudcontact-results"
_REASONS: Final = {
    400: "bad request (missing fields or a format the platform does not understand)",
    401: "authentication failed: the access token is missing, wrong or expired",
    403: "the token's user lacks the privileges for this method",
    404: "the calling list, the campaign, the record or the URL is not found",
}


def _positive_number(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not value >= 0:
        raise OptionsError(f"Retries.{attribute.name}", value, "must be a number >= 0")


def _check_attempts(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise OptionsError("Retries.attempts", value, "must be a whole number >= 1")


@attrs.frozen
class Retries:
    """How often and how patiently a request is retried.

    A request is tried up to ``attempts`` times. After the n-th failure it
    waits ``backoff * 2**(n-1)`` seconds (at most ``max_backoff``), less a
    random part of up to a half so that clients do not retry in step; a
    ``Retry-After`` of a 429 or 503 answer is honoured up to ``max_backoff``.

    >>> Retries(attempts=3, backoff=0.1).attempts
    3
    """

    attempts: int = attrs.field(default=5, validator=_check_attempts)
    backoff: float = attrs.field(default=0.5, validator=_positive_number)
    max_backoff: float = attrs.field(default=30.0, validator=_positive_number)

    def delay(self, failures: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``failures``-th failure."""
        wait: float = min(self.backoff * 2.0 ** (failures - 1), self.max_backoff)
        wait *= 1 - random.random() / 2  # noqa: S311  # jitter, not cryptography
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_backoff))
        return wait


class _Token:
    """The access token: usable for a header, invisible everywhere else."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def header(self) -> str:
        return f"Bearer {self._value}"

    def redact(self, text: str) -> str:
        """``text`` without the token (a server may echo it back)."""
        return text.replace(self._value, "<access token hidden>")

    def __repr__(self) -> str:
        return "<access token hidden>"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("the access token is not picklable")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are errors: a redirect must not carry the token to another address."""

    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def _check_url(url: Any, *, insecure_http: bool) -> str:
    if not isinstance(url, str):
        raise OptionsError("url", url, "must be the platform's address, e.g. https://example.com")
    parts = urllib.parse.urlsplit(url.strip())
    if parts.username is not None or parts.password is not None:
        # Never echo the URL: it holds a password.
        raise OptionsError("url", "<hidden>", "must not hold a user name or password")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise OptionsError("url", url, "must be an http or https address with a host")
    if parts.query or parts.fragment:
        raise OptionsError("url", url, "must not have a query or fragment")
    if parts.scheme == "http" and not insecure_http and not _is_loopback(parts.hostname):
        raise OptionsError(
            "url",
            url,
            "must be https: the access token would cross the network in clear text "
            "(insecure_http=True allows it)",
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_token(token: Any) -> _Token:
    if not isinstance(token, str) or not token.strip():
        raise OptionsError("token", "<hidden>", "must be a non-empty access token")
    if any(character in token for character in "\r\n\0") or token != token.strip():
        raise OptionsError("token", "<hidden>", "must not hold line breaks or surrounding spaces")
    if not all(ord(character) <= 0xFF and character.isprintable() for character in token):
        # A header carries Latin-1 only; http.client would raise an error holding the token.
        raise OptionsError("token", "<hidden>", "must be printable Latin-1 text")
    return _Token(token)


def _check_timeout(timeout: Any) -> float:
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not timeout > 0:
        raise OptionsError("timeout", timeout, "must be a number of seconds > 0")
    return float(timeout)


def _check_max_bytes(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise OptionsError("max_response_bytes", value, "must be a whole number of bytes >= 1")
    return value


def _check_page_size(max_size: Any) -> int:
    if not isinstance(max_size, int) or isinstance(max_size, bool):
        raise OptionsError("max_size", max_size, f"must be a whole number, 1-{MAX_PAGE_SIZE}")
    if not 1 <= max_size <= MAX_PAGE_SIZE:
        raise OptionsError("max_size", max_size, f"must be 1-{MAX_PAGE_SIZE}")
    return max_size


def api_time(moment: dt.datetime) -> str:
    """``moment`` as the API takes it: UTC, milliseconds, no offset.

    >>> plus_four = dt.timezone(dt.timedelta(hours=4))
    >>> api_time(dt.datetime(2013, 3, 1, 17, 15, 6, 456789, tzinfo=plus_four))
    '2013-03-01T13:15:06.456'
    """
    if not isinstance(moment, dt.datetime) or moment.utcoffset() is None:
        raise OptionsError("from_time", moment, "must be a timezone-aware datetime")
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}"


class ListManagementClient:
    """The platform's List Management API, for reading a campaign's results.

    Args:
        url: the contact centre's address, e.g. ``https://example.brightpattern.com``;
            the API's paths (``/configapi/v2/...``) are added to it. https is
            required except to a loopback address or with ``insecure_http``.
        token: an access token (the platform's *Get Access Token* method gives
            one); sent as ``Authorization: Bearer <token>``, never shown.
        timeout: seconds one try of a request may take in all: the connection,
            the headers and the whole body (a try that runs out is retried).
        retries: how 429, 5xx, timeouts and network errors are retried.
        max_response_bytes: the largest answer read (declared or sent); a
            larger one is a ``PlatformError``, not retried.
        ssl_context: the TLS settings; by default certificates and host names
            are verified against the system's trusted authorities.
        insecure_http: allow plain http to a host that is not on this machine.
            Plain http never goes through a proxy (``http_proxy``): the proxy
            would read the token; https goes through the proxies of the
            environment, in a tunnel.
        sleep: how to wait between retries (tests pass a fake one).

    Raises:
        OptionsError: a bad URL, token, timeout or size (the token is never echoed).

    >>> client = ListManagementClient("https://example.com", "s3cret")
    >>> client
    ListManagementClient('https://example.com')
    >>> "s3cret" in repr(vars(client))
    False
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float = 30.0,
        retries: Retries | None = None,
        ssl_context: ssl.SSLContext | None = None,
        insecure_http: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self._url = _check_url(url, insecure_http=insecure_http)
        self._token = _check_token(token)
        self._timeout = _check_timeout(timeout)
        self._max_bytes = _check_max_bytes(max_response_bytes)
        if retries is not None and not isinstance(retries, Retries):
            raise OptionsError("retries", retries, "must be a Retries")
        self._retries = retries if retries is not None else Retries()
        self._context = ssl_context if ssl_context is not None else ssl.create_default_context()
        self._sleep = sleep

    @property
    def url(self) -> str:
        """The contact centre's address."""
        return self._url

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._url!r})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("a ListManagementClient holds an access token and is not picklable")

    # --- the API's methods

    def campaigns(self) -> Any:
        """*Get Campaigns*: the enabled campaigns with their lists and states (decoded JSON)."""
        return self._call("GET", "/campaign/getAll/", None)

    def get_changed(
        self, list_name: str, campaign_name: str, from_time: dt.datetime, max_size: int
    ) -> Any:
        """*Get Updated Records*: the list's records with activity at or after ``from_time``.

        Returns the decoded JSON; :func:`~cloudcontact_results.parse_changed` reads it.
        """
        body = {"fromTime": api_time(from_time), "maxSize": str(_check_page_size(max_size))}
        return self._call("POST", self._list_path("getChanged", list_name, campaign_name), body)

    def get_completed(
        self, list_name: str, campaign_name: str, from_time: dt.datetime, max_size: int
    ) -> Any:
        """*Get Completed Records*: records completed at or after ``from_time`` (decoded JSON)."""
        body = {"fromTime": api_time(from_time), "maxSize": str(_check_page_size(max_size))}
        return self._call("POST", self._list_path("getCompleted", list_name, campaign_name), body)

    def query_record(self, list_name: str, campaign_name: str, keys: Mapping[str, str]) -> Any:
        """*Query a Record*: the record whose key fields have these values (decoded JSON)."""
        if not isinstance(keys, Mapping) or not keys:
            raise OptionsError("keys", keys, "must map the list's key fields to values")
        return self._call("POST", self._list_path("get", list_name, campaign_name), dict(keys))

    # --- one request, retried

    @staticmethod
    def _list_path(method: str, list_name: str, campaign_name: str) -> str:
        for field, name in (("list_name", list_name), ("campaign_name", campaign_name)):
            if not isinstance(name, str) or not name.strip():
                raise OptionsError(field, name, "must be non-empty text")
        quoted = (urllib.parse.quote(name, safe="") for name in (list_name, campaign_name))
        return f"/callinglist/{method}/" + "/".join(quoted)

    def _opener(self, deadline: _Deadline) -> urllib.request.OpenerDirector:
        handlers: list[urllib.request.BaseHandler] = [
            _NoRedirects(),
            _HTTPHandler(deadline),
            _HTTPSHandler(deadline, self._context),
        ]
        if self._url.startswith("http:"):
            # A proxy would read the token of a plain http request: go straight there.
            handlers.append(urllib.request.ProxyHandler({}))
        return urllib.request.build_opener(*handlers)

    def _exchange(self, request: urllib.request.Request, url: str) -> tuple[int, bytes]:
        """One try: the status and the body, within the deadline and the size limit."""
        deadline = _Deadline(self._timeout)
        try:
            with self._opener(deadline).open(request, timeout=self._timeout) as response:
                status = response.status
                declared = getattr(response, "length", None)
                if isinstance(declared, int) and declared > self._max_bytes:
                    raise self._too_large(url, status)
                chunks: list[bytes] = []
                size = 0
                while chunk := response.read(min(_CHUNK, self._max_bytes + 1 - size)):
                    size += len(chunk)
                    if size > self._max_bytes:
                        raise self._too_large(url, status)
                    chunks.append(chunk)
                if deadline.expired:
                    raise _Expired
                return status, b"".join(chunks)
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            if deadline.expired and not isinstance(error, urllib.error.HTTPError):
                raise _Expired from None
            raise
        finally:
            deadline.close()

    def _too_large(self, url: str, status: int) -> PlatformError:
        return PlatformError(
            url,
            f"the answer is larger than max_response_bytes ({self._max_bytes} bytes)",
            status=status,
        )

    def _call(self, method: str, path: str, body: Any) -> Any:
        url = f"{self._url}{_API}{path}"
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        failures = 0
        failure: PlatformError
        while True:
            request = urllib.request.Request(url, data=data, method=method)  # noqa: S310  # http(s) only, checked
            request.add_header("Accept", "application/json")
            request.add_header("User-Agent", _USER_AGENT)
            if data is not None:
                request.add_header("Content-Type", "application/json; charset=utf-8")
            request.add_unredirected_header("Authorization", self._token.header())
            _LOG.debug("%s %s", method, url)
            try:
                status, payload = self._exchange(request, url)
            except urllib.error.HTTPError as error:
                status = error.code
                retry_after = _retry_after(error.headers)
                phrase = _phrase(self._token.redact(str(error.reason)))
                error.close()
                reason = _REASONS.get(status) or f"the platform answered {status} {phrase}"
                if not (status == 429 or 500 <= status <= 599):
                    raise PlatformStatusError(url, reason, status=status) from None
                failure = PlatformStatusError(url, reason, status=status)
            except _Expired:
                retry_after = None
                failure = PlatformTransportError(url, _timed_out(self._timeout))
            except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
                if _is_certificate_error(error):
                    raise PlatformTransportError(
                        url, "the TLS certificate could not be verified"
                    ) from None
                retry_after = None
                reason = self._token.redact(_network_reason(error, self._timeout))
                failure = PlatformTransportError(url, reason)
            else:
                if not 200 <= status <= 299:
                    raise PlatformStatusError(url, f"unexpected answer {status}", status=status)
                return _json(url, status, payload)
            failures += 1
            if failures >= self._retries.attempts:
                raise type(failure)(
                    url,
                    f"gave up after {failures} tries: {failure.reason}",
                    status=failure.status,
                ) from None
            wait = self._retries.delay(failures, retry_after)
            _LOG.warning(
                "%s %s failed (%s); retry %d of %d in %.1f s",
                method,
                url,
                failure.reason if failure.status is None else f"{failure.status}",
                failures,
                self._retries.attempts - 1,
                wait,
            )
            self._sleep(wait)


class _Expired(Exception):  # noqa: N818  # a signal inside the client, never shown
    """The deadline of a try passed (the watchdog shut the socket down)."""


class _Deadline:
    """The end of one try: when it passes, the try's sockets are shut down.

    A socket timeout bounds each read only; a server sending a byte now and
    then would never trip it. The watchdog shuts the connection down (through
    a duplicate of its socket, which stays valid whatever http.client and ssl
    do with theirs), so the blocked read ends at once.
    """

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._end = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(self._end - time.monotonic(), 0.001)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock.dup())
            if self.expired:
                _shut(self._sockets[-1])

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # closed already
        sock.shutdown(socket.SHUT_RDWR)


def _watched(connection: Any, deadline: _Deadline) -> None:
    """Make ``connection`` connect within ``deadline`` and hand its socket to the watchdog."""
    create = connection._create_connection  # noqa: SLF001  # http.client's hook for it

    def create_watched(address: Any, timeout: Any, *args: Any, **kwargs: Any) -> socket.socket:
        if isinstance(timeout, int | float):
            timeout = min(timeout, deadline.remaining())
        sock: socket.socket = create(address, timeout, *args, **kwargs)
        deadline.watch(sock)
        return sock

    connection._create_connection = create_watched  # noqa: SLF001


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _watched(self, deadline)


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _watched(self, deadline)


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(partial(_HTTPConnection, deadline=self._deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline, context: ssl.SSLContext) -> None:
        super().__init__(context=context)
        self._deadline = deadline
        self._ssl_context = context

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = partial(_HTTPSConnection, deadline=self._deadline)
        return self.do_open(connection, req, context=self._ssl_context)


def _phrase(text: str) -> str:
    """A reason phrase of the server as a message shows it: short, no control characters."""
    text = cut(text, 80)
    return text if text.isprintable() else repr(text)


def _timed_out(timeout: float) -> str:
    return f"no complete answer within the timeout of {timeout:g} s"


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # an HTTP date: the backoff decides
    return seconds if seconds >= 0 else None


def _is_certificate_error(error: BaseException) -> bool:
    reason = getattr(error, "reason", None)
    return isinstance(error, ssl.SSLCertVerificationError) or isinstance(
        reason, ssl.SSLCertVerificationError
    )


def _network_reason(error: BaseException, timeout: float) -> str:
    reason = getattr(error, "reason", error)
    if isinstance(reason, TimeoutError | socket.timeout):
        return _timed_out(timeout)
    if isinstance(reason, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(reason, http.client.RemoteDisconnected | ConnectionResetError):
        return "the connection was closed before an answer"
    text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return f"network error: {_phrase(text)}"


def _json(url: str, status: int, payload: bytes) -> Any:
    """The answer's JSON; what valid JSON holds that cannot be read is a PlatformDataError."""
    try:
        return load_json(payload.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise PlatformError(url, "the answer is not UTF-8 text", status=status) from None
    except json.JSONDecodeError as error:
        raise PlatformError(
            url,
            f"the answer is not valid JSON: {error.msg} "
            f"at line {error.lineno} column {error.colno}",
            status=status,
        ) from None
