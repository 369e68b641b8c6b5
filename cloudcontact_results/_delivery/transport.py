"""The one interface every transport implements, and the failure each one raises."""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Final, Protocol

__all__ = [
    "CHUNK",
    "DeliveryFailed",
    "Found",
    "Readable",
    "Transport",
    "partial_name",
    "scrubbed",
    "sha256_of_stream",
]

#: Bytes read or sent at a time.
CHUNK: Final = 1024 * 1024


class DeliveryFailed(Exception):  # noqa: N818 - the store turns it into DeliveryError
    """A transport could not do its step; ``reason`` holds no secret."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class Found(enum.Enum):
    """What is at a file's remote name before it is sent."""

    #: Nothing (or a transport that cannot look: a webhook).
    NOTHING = "nothing"
    #: A file with the same bytes: an earlier delivery got there, its record did not.
    SAME = "same"
    #: A file with other bytes: not one this delivery sent.
    DIFFERENT = "different"


class Transport(Protocol):
    """Moves bytes to one remote folder (or webhook) over one connection.

    A transport connects when it is made and raises :class:`DeliveryFailed`
    for every failure, with a reason that names no secret.
    """

    def look(self, name: str, size: int, sha256: str) -> Found:
        """What is at ``name``, compared with the file of ``size`` bytes and ``sha256``.

        A remote file of another size differs without being read; one of the
        same size is read and hashed, unless the server keeps its SHA-256.
        """

    def send(self, source: Path, name: str, sha256: str) -> None:
        """Put the file ``source`` at ``name``, never showing a part of it under ``name``."""

    def close(self) -> None:
        """Close the connection; never raises."""


def partial_name(name: str) -> str:
    """The temporary remote name a file is sent under before it is renamed into place."""
    return f".{name}.partial"


class Readable(Protocol):
    """A file opened for reading bytes: local, or a remote one a protocol library opened."""

    def read(self, size: int, /) -> bytes: ...


def sha256_of_stream(stream: Readable) -> str:
    """The SHA-256 of what ``stream`` holds from where it stands, hex."""
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def scrubbed(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret in it written ``***``: a library's message may quote one."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
