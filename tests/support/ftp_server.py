"""A real FTP (or FTPS) server on 127.0.0.1, in its own process, for the delivery tests.

Run as ``python tests/support/ftp_server.py ROOT USER PASSWORD [options]``; it
prints ``port N`` once it listens, and serves until killed (``kill -9`` too:
the tests kill it mid-upload). The server is ``pyftpdlib``'s, with its own
throttled data channel (``--bytes-per-second``) and a filesystem that fails
writes with ``ENOSPC`` past ``--disk-bytes`` (a full disk).

Options:
    --port N                  listen on N (0: the system's choice)
    --tls CERT KEY            FTPS: explicit TLS, required for the login and the data
    --bytes-per-second N      slow uploads down (to kill them half-way)
    --disk-bytes N            a disk holding N bytes of uploads in all
"""

from __future__ import annotations

import argparse
import errno
import logging
import sys
from typing import Any

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.filesystems import AbstractedFS
from pyftpdlib.handlers import FTPHandler, ThrottledDTPHandler, TLS_FTPHandler
from pyftpdlib.servers import FTPServer


class _FullDiskFile:
    """A file whose writes fail with ``ENOSPC`` once the disk's bytes are used."""

    used = 0
    capacity = -1

    def __init__(self, file: Any) -> None:
        self._file = file
        self.name = file.name
        self.closed = False

    def write(self, data: bytes) -> int:
        if 0 <= _FullDiskFile.capacity < _FullDiskFile.used + len(data):
            raise OSError(errno.ENOSPC, "No space left on device")
        _FullDiskFile.used += len(data)
        return int(self._file.write(data))

    def close(self) -> None:
        self.closed = True
        self._file.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


class _FullDiskFS(AbstractedFS):  # type: ignore[misc]
    def open(self, filename: str, mode: str) -> Any:
        opened = super().open(filename, mode)
        return _FullDiskFile(opened) if "w" in mode or "a" in mode else opened


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("user")
    parser.add_argument("password")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--bytes-per-second", type=int)
    parser.add_argument("--disk-bytes", type=int)
    args = parser.parse_args()

    authorizer = DummyAuthorizer()
    authorizer.add_user(args.user, args.password, args.root, perm="elradfmwMT")
    handler: type[FTPHandler] = TLS_FTPHandler if args.tls else FTPHandler
    handler.authorizer = authorizer
    handler.passive_ports = None
    if args.tls:
        handler.certfile, handler.keyfile = args.tls
        handler.tls_control_required = True
        handler.tls_data_required = True
    if args.bytes_per_second:
        ThrottledDTPHandler.read_limit = args.bytes_per_second
        handler.dtp_handler = ThrottledDTPHandler
    if args.disk_bytes is not None:
        _FullDiskFile.capacity = args.disk_bytes
        handler.abstracted_fs = _FullDiskFS
    logging.basicConfig(level=logging.WARNING)  # not a line per command on the test's stderr
    server = FTPServer(("127.0.0.1", args.port), handler)
    print(f"port {server.address[1]}", flush=True)
    server.serve_forever(handle_exit=False)


if __name__ == "__main__":
    sys.exit(main())
