"""S3 and S3-compatible servers (``s3://bucket/prefix``), with ``boto3`` (the ``[s3]`` extra).

Credentials come from boto3's own chain: the ``AWS_*`` variables,
``~/.aws/credentials`` and ``~/.aws/config`` (``AWS_PROFILE``), an instance
role. A put is atomic (the object appears whole or not at all), so a file is
put straight at its name; its SHA-256 is kept in the object's metadata
(``x-amz-meta-sha256``), so a later look needs no download.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Final

from .remote import Remote
from .transport import DeliveryFailed, Found, scrubbed, sha256_of_stream

__all__ = ["S3Transport"]


def _boto3() -> tuple[Any, Any, Any]:
    """boto3, botocore's ``config`` and its ``exceptions``: the optional extra, imported now."""
    try:
        import boto3  # noqa: PLC0415
        from botocore import config, exceptions  # noqa: PLC0415
    except ImportError:
        raise DeliveryFailed("s3:// needs boto3: pip install 'cloudcontact-results[s3]'") from None
    return boto3, config, exceptions


#: The codes of an answer that refuses the request's credentials or their rights.
_REFUSED: Final = frozenset(
    {"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "Forbidden"}
)


class S3Transport:
    """A client of the bucket, putting files under the prefix."""

    def __init__(self, remote: Remote) -> None:
        boto3, config, exceptions = _boto3()
        self._errors = (exceptions.BotoCoreError, exceptions.ClientError)
        self._bucket = remote.host
        self._prefix = remote.folder.lstrip("/")
        self._where = f"s3://{self._bucket}"
        try:
            session = boto3.session.Session()
            credentials = session.get_credentials()
            self._secrets = () if credentials is None else (credentials.secret_key or "",)
            self._client = session.client(
                "s3",
                endpoint_url=remote.endpoint,
                region_name=session.region_name or "us-east-1",
                config=config.Config(
                    connect_timeout=remote.timeout,
                    read_timeout=remote.timeout,
                    retries={"max_attempts": 2, "mode": "standard"},
                ),
            )
        except self._errors as error:
            raise DeliveryFailed(f"{self._where}: {error}") from None

    def _key(self, name: str) -> str:
        return f"{self._prefix}/{name}" if self._prefix else name

    def _failed(self, step: str, error: Exception) -> DeliveryFailed:
        text = scrubbed(str(error), self._secrets)
        code = getattr(error, "response", {}).get("Error", {}).get("Code")
        if code in _REFUSED:
            # A HEAD's answer has no body: botocore says only "403 Forbidden".
            text += (
                "; the server refused the credentials or their rights: check "
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws/credentials"
            )
        return DeliveryFailed(f"{self._where}: {step}: {text}")

    def look(self, name: str, size: int, sha256: str) -> Found:
        key = self._key(name)
        try:
            head = self._client.head_object(Bucket=self._bucket, Key=key)
        except self._errors as error:
            code = getattr(error, "response", {}).get("Error", {}).get("Code")
            if code in {"404", "NoSuchKey", "NotFound"}:
                return Found.NOTHING
            raise self._failed(f"HEAD {key}", error) from None
        if head.get("ContentLength") != size:
            return Found.DIFFERENT
        kept = head.get("Metadata", {}).get("sha256")
        if kept is None:
            try:
                body = self._client.get_object(Bucket=self._bucket, Key=key)["Body"]
                with contextlib.closing(body):
                    kept = sha256_of_stream(body)
            except self._errors as error:
                raise self._failed(f"GET {key}", error) from None
        return Found.SAME if kept == sha256 else Found.DIFFERENT

    def send(self, source: Path, name: str, sha256: str) -> None:
        key = self._key(name)
        try:
            with source.open("rb") as local:
                self._client.put_object(
                    Bucket=self._bucket, Key=key, Body=local, Metadata={"sha256": sha256}
                )
        except self._errors as error:
            raise self._failed(f"PUT {key}", error) from None
        except OSError as error:
            raise DeliveryFailed(f"{self._where}: PUT {key}: {error.strerror or error}") from None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._client.close()
