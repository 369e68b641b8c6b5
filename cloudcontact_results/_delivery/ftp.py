"""FTP and FTPS (``ftp://``, ``ftps://``: explicit TLS), with the standard library's ``ftplib``.

The login comes from ``~/.netrc`` (or the file ``NETRC`` names): the entry of
the host, or the ``default`` entry; without one, the login is anonymous.
FTPS checks the server's certificate against the system's authorities.
"""

from __future__ import annotations

import contextlib
import ftplib
import hashlib
import netrc
import os
import ssl
from pathlib import Path

from .remote import Remote
from .transport import CHUNK, DeliveryFailed, Found, partial_name, scrubbed

__all__ = ["FTPTransport", "ftp", "ftps", "netrc_login"]


def netrc_login(host: str, user: str | None) -> tuple[str, str]:
    """(user, password) for ``host`` from the netrc file; anonymous without an entry.

    Raises:
        DeliveryFailed: the netrc file exists and cannot be read (its line, never its text).
    """
    path = Path(os.environ.get("NETRC") or Path("~/.netrc").expanduser())
    if path.is_file():
        try:
            entry = netrc.netrc(str(path)).authenticators(host)
        except netrc.NetrcParseError as error:
            raise DeliveryFailed(f"{path} cannot be read (line {error.lineno})") from None
        except OSError as error:
            raise DeliveryFailed(f"{path} cannot be read ({error.strerror})") from None
        if entry is not None:
            login, _account, password = entry
            if user is None or user == login:
                return login, password or ""
    return user or "anonymous", ""


class FTPTransport:
    """One FTP control connection, in the remote folder."""

    def __init__(self, remote: Remote, *, tls: bool) -> None:
        host, port = remote.host, remote.port or 21
        user, password = netrc_login(host, remote.user)
        self._secrets = (password,)
        self._where = f"{user}@{host}:{port}"
        session: ftplib.FTP = (
            ftplib.FTP_TLS(context=ssl.create_default_context(), timeout=remote.timeout)  # noqa: S321
            if tls
            else ftplib.FTP(timeout=remote.timeout)  # noqa: S321 - asked for by ftp://
        )
        self._ftp = session
        try:
            session.connect(host, port)
            if isinstance(session, ftplib.FTP_TLS):
                session.auth()
            session.login(user, password)
            if isinstance(session, ftplib.FTP_TLS):
                session.prot_p()
            session.voidcmd("TYPE I")
            session.cwd(remote.folder or "/")
        except ftplib.error_perm as error:
            self.close()
            reply = self._text(error)
            if reply.startswith("530"):
                raise DeliveryFailed(
                    f"{self._where} refused the login ({reply}; check ~/.netrc or NETRC)"
                ) from None
            raise DeliveryFailed(f"{self._where}: {reply}") from None
        except ftplib.all_errors as error:
            self.close()
            raise DeliveryFailed(f"cannot connect to {host}:{port} ({self._text(error)})") from None

    def _text(self, error: BaseException) -> str:
        if isinstance(error, OSError) and error.strerror:
            return scrubbed(error.strerror, self._secrets)
        return scrubbed(str(error) or type(error).__name__, self._secrets)

    def look(self, name: str, size: int, sha256: str) -> Found:
        try:
            found = self._ftp.size(name)
        except ftplib.error_perm:
            return Found.NOTHING  # 550: no such file
        except ftplib.all_errors as error:
            raise DeliveryFailed(f"{self._where}: SIZE {name}: {self._text(error)}") from None
        if found != size:
            return Found.DIFFERENT
        digest = hashlib.sha256()
        try:
            self._ftp.retrbinary(f"RETR {name}", digest.update, blocksize=CHUNK)
        except ftplib.all_errors as error:
            raise DeliveryFailed(f"{self._where}: RETR {name}: {self._text(error)}") from None
        return Found.SAME if digest.hexdigest() == sha256 else Found.DIFFERENT

    def send(self, source: Path, name: str, sha256: str) -> None:  # noqa: ARG002 - the interface
        partial = partial_name(name)
        try:
            with source.open("rb") as local:
                self._ftp.storbinary(f"STOR {partial}", local, blocksize=CHUNK)
            self._ftp.rename(partial, name)
        except ftplib.all_errors as error:
            with contextlib.suppress(*ftplib.all_errors):
                self._ftp.delete(partial)
            raise DeliveryFailed(f"{self._where}: STOR {partial}: {self._text(error)}") from None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._ftp.quit()
        with contextlib.suppress(Exception):
            self._ftp.close()


def ftp(remote: Remote) -> FTPTransport:
    """A plain FTP transport."""
    return FTPTransport(remote, tls=False)


def ftps(remote: Remote) -> FTPTransport:
    """An FTPS transport: explicit TLS (``AUTH TLS``) for the login and the data."""
    return FTPTransport(remote, tls=True)
