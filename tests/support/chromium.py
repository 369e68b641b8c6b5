"""Headless Chromium driven through its DevTools protocol: start, open a page, ask, close.

Started with a profile of its own under the test's temporary folder (two
instances never share one) and with everything that would reach the network
by itself turned off, so that any request recorded is one the page made.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Final

import websocket

#: The Chromium of the machine: Debian's package installs ``chromium``.
EXECUTABLE: Final = next(
    (
        found
        for name in ("chromium", "chromium-browser", "google-chrome")
        if (found := shutil.which(name)) is not None
    ),
    None,
)

FLAGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--remote-debugging-port=0",
)
#: Seconds to wait for Chromium to start, and for one answer or event.
PATIENCE: Final = 60.0


class Chromium:
    """One headless Chromium process and a DevTools connection to it."""

    def __init__(self, profile: Path) -> None:
        if EXECUTABLE is None:
            raise RuntimeError("no Chromium on this machine")
        profile.mkdir(parents=True, exist_ok=True)
        self._log = (profile / "chromium.log").open("wb")
        self.process = subprocess.Popen(
            [EXECUTABLE, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
        )
        # Chromium writes the port it chose, and the browser's path, to this file.
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + PATIENCE
        while not (port_file.exists() and len(port_file.read_text().split()) == 2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"Chromium did not start: see {profile / 'chromium.log'}")
            time.sleep(0.1)
        port, path = port_file.read_text().split()
        self._socket = websocket.create_connection(
            f"ws://127.0.0.1:{port}{path}", timeout=PATIENCE, suppress_origin=True
        )
        self._next = 0
        #: Every event received, in order: (session, method, params).
        self.events: list[tuple[str | None, str, dict[str, Any]]] = []

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and return its result, keeping the events that come first."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        self._socket.send(json.dumps(message))
        while True:
            answer = self._receive()
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result

    def wait_for(self, method: str, session: str | None) -> dict[str, Any]:
        """The params of the next event ``method`` of ``session`` (or one already received)."""
        for seen_session, seen, params in self.events:
            if (seen_session, seen) == (session, method):
                return params
        while True:
            self._receive()
            seen_session, seen, params = self.events[-1]
            if (seen_session, seen) == (session, method):
                return params

    def _receive(self) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self._socket.recv())
        if "method" in message:
            self.events.append((message.get("sessionId"), message["method"], message["params"]))
        return message

    def open_page(self) -> str:
        """A new tab, attached: the session id its commands take."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session: str = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Network", "Runtime", "Log", "DOM", "CSS"):
            self.call(f"{domain}.enable", session)
        return session

    def evaluate(self, session: str, expression: str) -> Any:
        """The value of a JavaScript expression: the test's own script, not the page's."""
        result = self.call("Runtime.evaluate", session, expression=expression, returnByValue=True)
        return result["result"].get("value")

    def close(self) -> None:
        try:
            if hasattr(self, "_socket"):
                self._socket.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
            self._log.close()
