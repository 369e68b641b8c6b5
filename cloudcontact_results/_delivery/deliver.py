"""Delivering one file: the steps every transport shares, exactly once at the remote end.

1. the local file is checked to still hold the bytes recorded when it was
   written (a file changed or removed since is never sent);
2. the transport looks at the file's remote name: the same bytes there mean an
   earlier delivery got there and its record did not (a crash between the
   two), so nothing is sent; other bytes there are not this delivery's to
   replace;
3. the transport sends the file under a temporary name and renames it into
   place (S3: one atomic put; a webhook: a POST with an idempotency key).

A destination is a :class:`Remote` or a local folder (:mod:`.folder`), which
takes the same steps.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from .folder import FolderTransport
from .remote import Remote
from .table import transport_for
from .transport import DeliveryFailed, Found, Transport, sha256_of_stream

__all__ = ["Delivered", "Target", "deliver", "location", "open_transport"]

#: Where files are delivered: a remote folder or webhook, or a local folder.
Target = Remote | Path


@attrs.frozen
class Delivered:
    """A file now at its remote name.

    Attributes:
        location: its URL (the webhook's URL for a webhook).
        sent: False when the same bytes were found there already.
    """

    location: str
    sent: bool


def open_transport(target: Target) -> Transport:
    """A connected transport for ``target``: a remote one picked by its scheme, or a folder.

    Raises:
        DeliveryFailed: the server cannot be reached, or refused the login; the
            folder does not exist.
    """
    if isinstance(target, Path):
        return FolderTransport(target)
    return transport_for(target.scheme)(target)


def location(target: Target, name: str) -> str:
    """Where the file ``name`` is once delivered: its URL, or its path in the folder."""
    return str(target / name) if isinstance(target, Path) else target.location(name)


def deliver(transport: Transport, target: Target, source: Path, sha256: str) -> Delivered:
    """Deliver the local file ``source``, whose bytes hash to ``sha256``, under its own name.

    Raises:
        DeliveryFailed: the local file changed, other bytes are at the remote
            name, or the transport failed.
    """
    name = source.name
    try:
        with source.open("rb") as local:
            found_here = sha256_of_stream(local)
            size = local.tell()
    except OSError as error:
        raise DeliveryFailed(
            f"the local file {str(source)!r} cannot be read ({error.strerror or error}); "
            "it was written and recorded, and is not sent again from anything else"
        ) from None
    if found_here != sha256:
        raise DeliveryFailed(
            f"the local file {str(source)!r} no longer holds the bytes recorded when it was "
            f"written (SHA-256 {sha256}); it is not sent"
        )
    where = location(target, name)
    found = transport.look(name, size, sha256)
    if found is Found.SAME:
        return Delivered(where, sent=False)
    if found is Found.DIFFERENT:
        raise DeliveryFailed(
            f"another file is at {where} (other bytes than SHA-256 {sha256}); a delivery "
            "never replaces what it did not send (remove it to let the delivery go on)"
        )
    transport.send(source, name, sha256)
    return Delivered(where, sent=True)
