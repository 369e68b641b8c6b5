"""A fake of the platform's List Management API on loopback, for the tests.

It serves the documented methods (docs/platform-api.md) from records the
tests generate: *Get Updated Records* (``getChanged``), *Get Completed
Records* (``getCompleted``), *Query a Record* (``get``) and *Get Campaigns*.
Records are written to JSON here, from the public model only, as the help
pages show them: attempts newest first, UTC times with milliseconds, CPA
results by name, a failed dial's CPA result and SIP code as its call note.

Faults are scripted per request: an HTTP status (``500``, ``429``, ``401``…),
``"malformed"`` (a broken JSON body), ``"slow"`` (an answer later than the
client's timeout) and ``"drop"`` (the connection closed without an answer).
The server is a ``ThreadingHTTPServer`` on 127.0.0.1, port 0; leaving the
``with`` block shuts it down and wakes any slow answer.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import random
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import unquote

import cloudcontact_results as ccr

API = "/configapi/v2"
TOKEN = "tok-3f9a1c77e2b54d0d"  # noqa: S105  # a test token, to prove it never leaks
Fault = int | str


def api_time(moment: dt.datetime) -> str:
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}"


def _name(disposition: ccr.Disposition | None) -> str:
    return "" if disposition is None else disposition.name


def _code(disposition: ccr.Disposition | None) -> str:
    return "" if disposition is None or disposition.code is None else disposition.code


def attempt_json(attempt: ccr.Attempt) -> dict[str, Any]:
    """One attempt as *Get Updated Records* shows it."""
    note = attempt.note
    failed_dial = attempt.is_call_attempt and attempt.answered_duration == 0
    if not note and failed_dial and (attempt.cpa_result, attempt.sip_code) != (None, None):
        note = ccr.SystemNote(attempt.cpa_result, attempt.sip_code).render("en")
    value: dict[str, Any] = {
        "call_attempted": attempt.is_call_attempt,
        "disposition": _name(attempt.call_disposition),
        "dispositionCode": _code(attempt.call_disposition),
        "date": api_time(attempt.time),
        "phone": attempt.phone,
        "callNotes": note,
        "agent": attempt.agent,
        "CPAResult": "" if attempt.cpa_result is None else attempt.cpa_result.label_en,
        "dialingDuration": attempt.dialing_duration,
        "cpaDuration": attempt.cpa_duration,
        "callDuration": attempt.answered_duration,
        "globalInteractionID": attempt.interaction_id,
        "CPARecordingFile": attempt.cpa_recording,
        "CPARTPServerId": attempt.cpa_rtp_server,
        "recordingFile": attempt.recording,
        "RTPServerId": attempt.rtp_server,
        "isInbound": attempt.is_inbound,
        "outOfQuota": attempt.quota is not None,
        "quotaGroup": "" if attempt.quota is None else attempt.quota.label("en"),
        "completed": attempt.record_disposition is not None,
        "recordDisposition": _name(attempt.record_disposition),
        "recordDispositionCode": _code(attempt.record_disposition),
    }
    # Platform 5.x adds the caller id presented and the action applied.
    if attempt.ani:
        value["ANI"] = attempt.ani
    if attempt.action_applied:
        value["actionApplied"] = attempt.action_applied
    value.update(attempt.script_values)
    return value


def record_json(record: ccr.Record) -> dict[str, Any]:
    """One record as *Get Updated Records* shows it: its attempts newest first."""
    completing = record.completing_attempt
    done = None if completing is None else completing.record_disposition
    return {
        "recordId": record.id,
        "entry": dict(record.fields),
        "completed": done is not None,
        "recordDisposition": _name(done),
        "recordDispositionCode": _code(done),
        "totalAttempts": sum(attempt.is_call_attempt for attempt in record.attempts),
        "attempts": [attempt_json(attempt) for attempt in reversed(record.attempts)],
    }


def status_json(record: ccr.Record) -> dict[str, Any]:
    """A record's ``status`` as *Get Completed Records* and *Query a Record* show it."""
    last = record.last_attempt
    completing = record.completing_attempt
    status: dict[str, Any] = {"completed": completing is not None}
    if last is not None:
        shown = completing.record_disposition if completing else last.call_disposition
        status.update(
            lastDisposition=_name(shown),
            lastDate=api_time(last.time),
            lastPhone=last.phone,
            lastCallDuration=last.answered_duration,
            lastAgent=last.agent,
            totalAttempts=sum(attempt.is_call_attempt for attempt in record.attempts),
            globalInteractionID=last.interaction_id,
        )
    return {"recordId": record.id, "entry": dict(record.fields), "status": status}


def activity(record: ccr.Record) -> str:
    """When the record last changed, as the API writes times (they sort as text)."""
    return max(api_time(attempt.time) for attempt in record.attempts)


class FakePlatform:
    """The fake platform: ``with FakePlatform(campaign, records) as platform: ...``.

    Attributes:
        url: the base address to give the client.
        records: list name -> the list's records, in load order (tests may change it).
        requests: (method, path, body) of every request, in order.
        faults: the scripted faults, one taken per request.
        redelivery: chance that an answer of getChanged also repeats records
            from before ``fromTime`` (delivery at least once).
        on_request: called with the path before each answer (a running campaign).
    """

    def __init__(
        self,
        campaign: ccr.Campaign,
        records: Iterable[ccr.Record] = (),
        *,
        token: str = TOKEN,
        slow_seconds: float = 2.0,
        redelivery: float = 0.0,
        seed: int = 0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.campaign = campaign
        self.records: dict[str, list[ccr.Record]] = collections.defaultdict(list)
        for record in records:
            self.records[record.list_name].append(record)
        self.token = token
        self.slow_seconds = slow_seconds
        self.redelivery = redelivery
        self.random = random.Random(seed)  # noqa: S311  # a reproducible fake, not secrets
        self.requests: list[tuple[str, str, Any]] = []
        self.faults: collections.deque[Fault] = collections.deque()
        self.on_request: Callable[[str], None] | None = None
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.platform = self
        self.scheme = "http"
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def put(self, record: ccr.Record) -> None:
        """Add ``record`` to its list, or replace the record of the same id (the campaign runs)."""
        with self._lock:
            records = self.records[record.list_name]
            for index, old in enumerate(records):
                if old.id == record.id:
                    records[index] = record
                    return
            records.append(record)

    def fail(self, *faults: Fault) -> None:
        """Script the next answers: one fault a request, then normal answers again."""
        self.faults.extend(faults)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        assert not self._thread.is_alive()

    # --- the methods

    def answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if method == "GET" and path == f"{API}/campaign/getAll/":
            lists = [calling_list.name for calling_list in self.campaign.lists]
            return 200, [{"name": self.campaign.name, "lists": lists, "state": "RUNNING"}]
        parts = path.removeprefix(f"{API}/callinglist/").split("/")
        if method != "POST" or len(parts) != 3 or not path.startswith(f"{API}/callinglist/"):
            return 404, None
        verb, list_name, campaign_name = parts[0], unquote(parts[1]), unquote(parts[2])
        if campaign_name != self.campaign.name or self.campaign.calling_list(list_name) is None:
            return 404, None
        records = self.records[list_name]
        if verb == "get":
            return self._query(records, body)
        if verb not in {"getChanged", "getCompleted"}:
            return 404, None
        if not isinstance(body, dict) or not isinstance(body.get("fromTime"), str):
            return 400, None
        try:
            size = int(body.get("maxSize", ""))
        except ValueError:
            return 400, None
        if not 1 <= size <= 1000:  # "Current implementation limits maxSize to 1000"
            return 400, None
        if verb == "getChanged":
            return 200, self._changed(records, body["fromTime"], size)
        return 200, self._completed(records, body["fromTime"], size)

    def _changed(self, records: list[ccr.Record], from_time: str, size: int) -> list[Any]:
        touched = [record for record in records if record.attempts]
        after = sorted(
            (record for record in touched if activity(record) >= from_time), key=activity
        )
        before = [record for record in touched if activity(record) < from_time]
        again: list[ccr.Record] = []
        if before and self.random.random() < self.redelivery:
            again = self.random.sample(before, self.random.randint(1, min(len(before), size)))
        page = again + after[: size - len(again)]
        return [record_json(record) for record in page]

    def _completed(self, records: list[ccr.Record], from_time: str, size: int) -> list[Any]:
        def completed_at(record: ccr.Record) -> str:
            completing = record.completing_attempt
            return "" if completing is None else api_time(completing.time)

        done = sorted(
            (record for record in records if completed_at(record) >= from_time > ""),
            key=completed_at,
        )
        return [{"completedTime": completed_at(r), **status_json(r)} for r in done[:size]]

    def _query(self, records: list[ccr.Record], keys: Any) -> tuple[int, Any]:
        if not isinstance(keys, dict) or not keys:
            return 400, None
        for record in records:
            if all(record.fields.get(column) == value for column, value in keys.items()):
                return 200, status_json(record)
        return 404, None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    platform: FakePlatform

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout, refused certificate) is not the server's error


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  # the stdlib's name
        pass  # quiet: pytest treats stray output as noise

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        platform = self.server.platform
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        with platform._lock:
            platform.requests.append((method, self.path, body))
            fault = platform.faults.popleft() if platform.faults else None
        if platform.on_request is not None:
            platform.on_request(self.path)
        if fault == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if fault == "slow":
            platform._closing.wait(platform.slow_seconds)
            fault = None
        if self.headers.get("Authorization") != f"Bearer {platform.token}":
            self._send(401, b"")
            return
        if isinstance(fault, int):
            headers = {"Retry-After": "0"} if fault in (429, 503) else {}
            self._send(fault, b'{"error": "scripted"}', headers)
            return
        if fault == "malformed":
            self._send(200, b'[{"entry": {"id": ')
            return
        with platform._lock:
            status, value = platform.answer(method, self.path, body)
        payload = b"" if value is None else json.dumps(value, ensure_ascii=False).encode()
        self._send(status, payload)

    def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up (a timeout): nothing to answer


def campaign_records(platform: FakePlatform) -> Iterator[ccr.Record]:
    """The platform's records, list by list in the campaign's order."""
    for calling_list in platform.campaign.lists:
        yield from platform.records[calling_list.name]
