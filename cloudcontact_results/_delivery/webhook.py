"""Webhooks (``https://``): each file is POSTed to the URL, with an idempotency key.

A receiver cannot be asked whether it has a file already, so a delivery
whose answer was lost is sent again, with the same bytes and the same
``Idempotency-Key`` (the file's name and SHA-256): a receiver drops the
resend by that key. Any 2xx answer is a delivery; redirects are not
followed. The bearer token is read from the environment variable the
destination names, at each delivery, and never shown.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import ssl
import urllib.parse
from pathlib import Path
from typing import Final

from .remote import Remote
from .transport import DeliveryFailed, Found, scrubbed

__all__ = ["WebhookTransport", "idempotency_key"]

#: What a bearer token may hold (RFC 6750, ``b64token``).
_BEARER: Final = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


def idempotency_key(name: str, sha256: str) -> str:
    """The ``Idempotency-Key`` of a file: its name (percent-encoded) and its SHA-256."""
    return f"{urllib.parse.quote(name, safe='')}:{sha256}"


class WebhookTransport:
    """POSTs each file to the webhook's URL."""

    def __init__(self, remote: Remote) -> None:
        self._remote = remote
        self._token: str | None = None
        if remote.token_variable is not None:
            self._token = os.environ.get(remote.token_variable)
            if not self._token:
                raise DeliveryFailed(
                    f"the environment variable {remote.token_variable} (the webhook's bearer "
                    "token) is not set"
                )
            if not _BEARER.fullmatch(self._token):
                raise DeliveryFailed(
                    f"the environment variable {remote.token_variable} holds characters a "
                    "bearer token cannot hold (RFC 6750: letters, digits, -._~+/ and = at the end)"
                )

    def look(self, name: str, size: int, sha256: str) -> Found:  # noqa: ARG002 - the interface
        return Found.NOTHING  # a receiver drops a resend by its Idempotency-Key

    def send(self, source: Path, name: str, sha256: str) -> None:
        remote = self._remote
        parts = urllib.parse.urlsplit(remote.url)
        quoted = urllib.parse.quote(name, safe="")
        headers = {
            "Content-Type": "application/octet-stream",
            "Content-Length": str(source.stat().st_size),
            "Content-Disposition": f"attachment; filename*=UTF-8''{quoted}",
            "Idempotency-Key": idempotency_key(name, sha256),
            "X-File-Name": quoted,
            "X-File-SHA256": sha256,
        }
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token}"
        connection = http.client.HTTPSConnection(
            remote.host,
            remote.port,
            timeout=remote.timeout,
            context=ssl.create_default_context(),
        )
        try:
            with source.open("rb") as body:
                connection.request("POST", parts.path or "/", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
        except (OSError, http.client.HTTPException) as error:
            reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
            raise DeliveryFailed(
                f"POST {remote.url}: {scrubbed(reason, [self._token or ''])}"
            ) from None
        finally:
            with contextlib.suppress(Exception):
                connection.close()
        if not 200 <= response.status < 300:
            raise DeliveryFailed(
                f"POST {remote.url}: the webhook answered HTTP {response.status} "
                f"{scrubbed(response.reason, [self._token or ''])}"
            )

    def close(self) -> None:
        pass
