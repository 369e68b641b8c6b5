"""SFTP (``sftp://``), with ``paramiko`` (the ``[sftp]`` extra): SSH keys, ``~/.ssh/config``.

The server's host key must be in ``~/.ssh/known_hosts`` (or a
``UserKnownHostsFile`` of the SSH config): an unknown host is refused, never
trusted on first use, since the files hold customers' data.
"""

from __future__ import annotations

import contextlib
import errno
import getpass
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .remote import Remote
from .transport import CHUNK, DeliveryFailed, Found, partial_name, sha256_of_stream

if TYPE_CHECKING:
    import paramiko

__all__ = ["SFTPTransport"]


def _paramiko() -> Any:
    try:
        import paramiko  # noqa: PLC0415 - the optional extra, imported when a delivery runs
    except ImportError:
        raise DeliveryFailed(
            "sftp:// needs paramiko: pip install 'cloudcontact-results[sftp]'"
        ) from None
    return paramiko


def _ssh_config(ssh: Any, host: str) -> dict[str, Any]:
    """What ``~/.ssh/config`` says about ``host`` (nothing when there is no such file)."""
    path = Path("~/.ssh/config").expanduser()
    if not path.is_file():
        return {}
    try:
        found: dict[str, Any] = dict(ssh.SSHConfig.from_path(str(path)).lookup(host))
    except (OSError, ssh.SSHException) as error:
        raise DeliveryFailed(f"{path} cannot be read ({error})") from None
    return found


class SFTPTransport:
    """One SFTP session into the remote folder."""

    def __init__(self, remote: Remote) -> None:
        ssh = _paramiko()
        config = _ssh_config(ssh, remote.host)
        host = str(config.get("hostname", remote.host))
        port = remote.port or int(config.get("port", 22))
        user = remote.user or config.get("user") or getpass.getuser()
        keys = (
            [str(remote.identity_file.expanduser())]
            if remote.identity_file is not None
            else [str(Path(key).expanduser()) for key in config.get("identityfile", [])]
        )
        self._where = f"{user}@{host}:{port}"
        client = ssh.SSHClient()
        client.load_system_host_keys()
        for known in str(config.get("userknownhostsfile", "")).split():
            path = Path(known).expanduser()
            if path.is_file():
                client.load_host_keys(str(path))
        client.set_missing_host_key_policy(ssh.RejectPolicy())
        self._client = client
        try:
            client.connect(
                host,
                port,
                username=user,
                key_filename=keys or None,
                look_for_keys=remote.identity_file is None,
                timeout=remote.timeout,
                banner_timeout=remote.timeout,
                auth_timeout=remote.timeout,
            )
            self._sftp: paramiko.SFTPClient = client.open_sftp()
            self._sftp.get_channel().settimeout(remote.timeout)
        except ssh.AuthenticationException:
            self.close()
            raise DeliveryFailed(
                f"{self._where} refused the login (check the SSH key: identity_file, "
                "~/.ssh/config, ~/.ssh/id_*, the agent)"
            ) from None
        except ssh.SSHException as error:
            self.close()
            if "known_hosts" in str(error):
                raise DeliveryFailed(
                    f"the host key of {host}:{port} is not in ~/.ssh/known_hosts: "
                    "add it (ssh-keyscan) after checking it"
                ) from None
            raise DeliveryFailed(f"{self._where}: {error}") from None
        except OSError as error:
            self.close()
            raise DeliveryFailed(f"cannot connect to {host}:{port} ({_reason(error)})") from None
        self._folder = remote.folder or "/"

    def _path(self, name: str) -> str:
        return f"{self._folder.rstrip('/')}/{name}"

    def look(self, name: str, size: int, sha256: str) -> Found:
        path = self._path(name)
        try:
            found = self._sftp.stat(path)
            if found.st_size != size:
                return Found.DIFFERENT
            with self._sftp.open(path, "rb") as remote_file:
                remote_file.prefetch(size)
                digest = sha256_of_stream(remote_file)
        except FileNotFoundError:
            return Found.NOTHING
        except OSError as error:
            raise DeliveryFailed(f"{self._where}: reading {path}: {_reason(error)}") from None
        return Found.SAME if digest == sha256 else Found.DIFFERENT

    def send(self, source: Path, name: str, sha256: str) -> None:  # noqa: ARG002 - the interface
        partial = self._path(partial_name(name))
        try:
            # Opened for writing with truncation: a partial file a dead delivery
            # left behind is overwritten, not appended to. Writes are not
            # pipelined: paramiko drops the server's answer to a pipelined write,
            # and with it the news of a full disk.
            with source.open("rb") as local, self._sftp.open(partial, "wb") as remote_file:
                while chunk := local.read(CHUNK):
                    remote_file.write(chunk)
            self._check_kept(partial, source.stat().st_size)
            self._sftp.posix_rename(partial, self._path(name))
        except OSError as error:
            with contextlib.suppress(OSError, EOFError):
                self._sftp.remove(partial)
            raise DeliveryFailed(f"{self._where}: writing {partial}: {_reason(error)}") from None

    def _check_kept(self, partial: str, size: int) -> None:
        """Refuse to rename into place what is not a regular file of all the bytes sent."""
        kept = self._sftp.lstat(partial)
        if not stat.S_ISREG(kept.st_mode or 0) or kept.st_size != size:
            raise OSError(errno.EIO, f"the server kept {kept.st_size} of the {size} bytes sent")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._client.close()


def _reason(error: OSError) -> str:
    text = error.strerror or str(error) or type(error).__name__
    if text == "Failure":  # SFTP's generic status: a full disk, a quota, a server error
        return "the server failed to write (SFTP status 'Failure': a full disk or a quota?)"
    return text
