"""Delivering files to where operations teams need them: SFTP, FTP(S), S3 and webhooks.

The transports only move bytes; the store records what was delivered. One
table (:data:`TRANSPORTS`, in :mod:`.table`) picks a transport by the URL's
scheme; each transport is one module that imports its protocol's library only
when a delivery runs, and no transport imports another.
"""

from __future__ import annotations

from .deliver import Delivered, Target, deliver, location, open_transport
from .remote import Remote
from .transport import DeliveryFailed, Transport

__all__ = [
    "Delivered",
    "DeliveryFailed",
    "Remote",
    "Target",
    "Transport",
    "deliver",
    "location",
    "open_transport",
]
