"""A PostgreSQL store's URL as messages show it: without its password (wherever it is kept)."""

from __future__ import annotations

import urllib.parse

__all__ = ["shown_url", "url_passwords"]


def shown_url(url: str) -> str:
    """``url`` without its password (in the address or as a parameter)."""
    try:
        parts = urllib.parse.urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            credentials, _, host = netloc.rpartition("@")
            user = credentials.partition(":")[0]
            netloc = f"{user}@{host}"
        query = urllib.parse.urlencode(
            [
                (key, value)
                for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
                if key.lower() != "password"
            ]
        )
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc, query=query))
    except ValueError:
        return "postgresql://…"


def url_passwords(url: str) -> list[str]:
    """The passwords ``url`` itself holds (as written, and quoted): never shown in a message."""
    try:
        parts = urllib.parse.urlsplit(url)
        found = [parts.password] if parts.password else []
        found += [
            value
            for key, value in urllib.parse.parse_qsl(parts.query)
            if key.lower() == "password" and value
        ]
    except ValueError:
        return []
    return found + [urllib.parse.quote(value, safe="") for value in found]
