"""Where a file is delivered: a URL and the few settings of its protocol, never a secret."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path
from typing import Any, Final

import attrs

from ..errors import ValidationError

__all__ = ["SCHEMES", "Remote", "is_url"]

#: The URL forms a delivery takes, each with the settings its protocol reads.
#: ``https`` is a webhook: each file is POSTed to the URL itself.
SCHEMES: Final[dict[str, frozenset[str]]] = {
    "sftp": frozenset({"identity_file"}),
    "ftp": frozenset(),
    "ftps": frozenset(),
    "s3": frozenset({"endpoint"}),
    "https": frozenset({"token_variable"}),
}

_URL: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
#: An environment variable's name, as POSIX shells write one.
_VARIABLE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def is_url(text: str) -> bool:
    """Whether ``text`` is written as a URL (``scheme://…``) rather than a folder's path."""
    return _URL.match(text) is not None


def without_password(url: str) -> str:
    """``url`` with the password of its user part, if any, written ``***``."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _check_url(instance: Remote, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not is_url(value):
        raise ValidationError("Remote.url", value, "must be a URL such as sftp://host/folder")
    try:
        parts = urllib.parse.urlsplit(value)
        port = parts.port
    except ValueError as error:
        raise ValidationError(
            "Remote.url", without_password(value), f"is no URL ({error})"
        ) from None
    shown_url = without_password(value)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ValidationError(
            "Remote.url",
            shown_url,
            f"the scheme {scheme!r} is not one a delivery takes ({', '.join(SCHEMES)})",
        )
    if parts.password is not None:
        raise ValidationError(
            "Remote.url",
            shown_url,
            "holds a password; credentials are never kept in the store: they come from "
            "SSH keys, ~/.netrc, the AWS variables and files, or a webhook's token variable",
        )
    if not parts.hostname:
        raise ValidationError("Remote.url", shown_url, "names no host (or S3 bucket)")
    if parts.query or parts.fragment:
        raise ValidationError(
            "Remote.url",
            shown_url,
            "has a query or a fragment; a webhook's secret goes in the environment variable "
            "named by token_variable, not in the URL the store keeps",
        )
    if port == 0:
        raise ValidationError("Remote.url", shown_url, "names port 0")


def _optional_text(instance: Remote, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValidationError(f"Remote.{attribute.name}", value, "must be non-empty text or None")


def _to_optional_path(value: Any) -> Any:
    return Path(value) if isinstance(value, str) else value


def _check_identity_file(instance: Remote, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, Path):
        raise ValidationError("Remote.identity_file", value, "must be a path or None")


def _check_timeout(instance: Remote, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValidationError("Remote.timeout", value, "must be a positive number of seconds")


@attrs.frozen
class Remote:
    """A remote folder (SFTP, FTP, FTPS, S3) or a webhook that files are delivered to.

    It holds no secret, so the store may keep it and ``repr`` may show it:
    SFTP logs in with the SSH keys and ``~/.ssh/config`` of the user running
    the delivery (or ``identity_file``), FTP with ``~/.netrc`` (or the file
    ``NETRC`` names; anonymously without an entry), S3 with the standard AWS
    variables and files, a webhook with a bearer token read from the
    environment variable ``token_variable`` names.

    Args:
        url: ``sftp://[user@]host[:port]/folder``, ``ftp://…`` or ``ftps://…``
            (explicit TLS), ``s3://bucket/prefix``, or ``https://…`` (a webhook:
            each file is POSTed there). The folder's path is absolute on the
            server. A password, a query or a fragment is refused.
        endpoint: S3 only: the URL of an S3-compatible server
            (``http://127.0.0.1:9000``); None for AWS itself (or
            ``AWS_ENDPOINT_URL``).
        identity_file: SFTP only: the private key to log in with (a path, not
            a secret; the key's passphrase, if any, comes from an SSH agent).
        token_variable: webhook only: the environment variable holding the
            bearer token sent in ``Authorization``.
        timeout: seconds to wait for the server at each step.

    Raises:
        ValidationError: naming the field; a setting the URL's protocol does
            not read is refused too.

    >>> Remote("sftp://reports@files.example.com/incoming").location("a.csv")
    'sftp://reports@files.example.com/incoming/a.csv'
    >>> Remote("ftp://u:pw@h/o")  # the password is never shown
    Traceback (most recent call last):
    ...
    cloudcontact_results.errors.ValidationError: Remote.url: ... (got 'ftp://u:***@h/o')
    """

    url: str = attrs.field(validator=_check_url)
    endpoint: str | None = attrs.field(default=None, kw_only=True, validator=_optional_text)
    identity_file: Path | None = attrs.field(
        default=None, kw_only=True, converter=_to_optional_path, validator=_check_identity_file
    )
    token_variable: str | None = attrs.field(default=None, kw_only=True, validator=_optional_text)
    timeout: float = attrs.field(default=30.0, kw_only=True, validator=_check_timeout)

    def __attrs_post_init__(self) -> None:
        allowed = SCHEMES[self.scheme]
        for name in ("endpoint", "identity_file", "token_variable"):
            value = getattr(self, name)
            if value is not None and name not in allowed:
                raise ValidationError(
                    f"Remote.{name}",
                    value,
                    f"is not a setting of {self.scheme}:// destinations "
                    f"({', '.join(sorted(allowed)) or 'they take none'})",
                )
        if self.token_variable is not None and not _VARIABLE.fullmatch(self.token_variable):
            raise ValidationError(
                "Remote.token_variable", self.token_variable, "must be an environment variable name"
            )
        if self.endpoint is not None and not self.endpoint.startswith(("http://", "https://")):
            raise ValidationError(
                "Remote.endpoint", self.endpoint, "must be an http:// or https:// URL"
            )

    @property
    def scheme(self) -> str:
        """The URL's scheme, lower case: the protocol."""
        return urllib.parse.urlsplit(self.url).scheme.lower()

    @property
    def is_webhook(self) -> bool:
        """Whether files are POSTed to the URL itself rather than put into a folder."""
        return self.scheme == "https"

    @property
    def host(self) -> str:
        """The host (the bucket, for S3)."""
        return urllib.parse.urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int | None:
        """The port the URL names, or None for the protocol's own."""
        return urllib.parse.urlsplit(self.url).port

    @property
    def user(self) -> str | None:
        """The user the URL names, or None."""
        user = urllib.parse.urlsplit(self.url).username
        return None if user is None else urllib.parse.unquote(user)

    @property
    def folder(self) -> str:
        """The remote folder's path, decoded, without a trailing slash (``""``: the root)."""
        return urllib.parse.unquote(urllib.parse.urlsplit(self.url).path).rstrip("/")

    def location(self, name: str) -> str:
        """The URL of the file ``name`` once delivered (a webhook's own URL for a webhook)."""
        if self.is_webhook:
            return self.url
        return f"{self.url.rstrip('/')}/{urllib.parse.quote(name)}"
