"""The one table from a URL's scheme to the transport that delivers there."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from . import ftp, s3, sftp, webhook
from .remote import Remote
from .transport import Transport

__all__ = ["TRANSPORTS"]

#: Each scheme of :data:`.remote.SCHEMES`, with what connects a transport for it.
TRANSPORTS: Final[Mapping[str, Callable[[Remote], Transport]]] = MappingProxyType(
    {
        "sftp": sftp.SFTPTransport,
        "ftp": ftp.ftp,
        "ftps": ftp.ftps,
        "s3": s3.S3Transport,
        "https": webhook.WebhookTransport,
    }
)
