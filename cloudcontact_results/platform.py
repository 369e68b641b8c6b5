"""Results straight from the platform: the List Management API's JSON, client, paging, mirroring.

Importing this module imports ``ssl``, ``http.client``, ``urllib.request`` and
the results store; ``import cloudcontact_results`` does not, and imports this
module at the first use of one of its names, which the package exports too:
``ccr.sync_list`` is ``cloudcontact_results.platform.sync_list``. Reading the
API's JSON (:func:`parse_changed`, :func:`parse_status`) needs none of that
and is imported with the package.

>>> import cloudcontact_results as ccr
>>> from cloudcontact_results.platform import ListManagementClient, parse_changed
>>> ListManagementClient is ccr.ListManagementClient, ListManagementClient.__module__
(True, 'cloudcontact_results.platform')
>>> parse_changed is ccr.parse_changed, parse_changed.__module__
(True, 'cloudcontact_results')
"""

from __future__ import annotations

from ._platform.client import ListManagementClient, Retries
from ._platform.listapi import PlatformRecord, parse_changed, parse_status
from ._platform.paging import ChangedPage, changed_pages
from ._platform.sync import SyncResult, sync_list
from ._public import publish

__all__ = [
    "ChangedPage",
    "ListManagementClient",
    "PlatformRecord",
    "Retries",
    "SyncResult",
    "changed_pages",
    "parse_changed",
    "parse_status",
    "sync_list",
]

publish(globals())
