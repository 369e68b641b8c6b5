"""The one table from a URL's scheme to the transport that delivers there.

Each transport's module is imported when a delivery to its scheme starts:
the store, and jobs that write into folders, never load ``ftplib``,
``http.client``, ``paramiko`` or ``boto3``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final, cast

from .remote import Remote
from .transport import Transport

__all__ = ["TRANSPORTS", "transport_for"]

#: Each scheme of :data:`.remote.SCHEMES`: the module of its transport, and what connects one.
TRANSPORTS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "sftp": ("sftp", "SFTPTransport"),
        "ftp": ("ftp", "ftp"),
        "ftps": ("ftp", "ftps"),
        "s3": ("s3", "S3Transport"),
        "https": ("webhook", "WebhookTransport"),
    }
)


def transport_for(scheme: str) -> Callable[[Remote], Transport]:
    """What connects a transport for ``scheme``, its module imported now."""
    module, name = TRANSPORTS[scheme]
    connect = getattr(importlib.import_module(f"{__package__}.{module}"), name)
    return cast("Callable[[Remote], Transport]", connect)
