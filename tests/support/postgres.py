"""A real PostgreSQL server for the tests: ``initdb`` and ``postgres`` in a folder of its own.

The server listens on 127.0.0.1 on a free port and on a Unix socket in its
folder, with a superuser ``postgres`` whose password is :data:`PASSWORD`
(``scram-sha-256`` over TCP, as a deployment has it). Run as root, the
server runs as the system user ``postgres`` (PostgreSQL refuses root), and
its folder is that user's. It can be stopped cleanly, killed with
``SIGKILL`` (the postmaster: its backends then end too) and started again on
the same data, as the fault tests need.

A server that cannot be started fails the test that needs it, loudly: none
is skipped (Debian: ``postgresql``; ``.ci/run`` installs it).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Self

import pytest

from .delivery_servers import free_port

PASSWORD = "pg-secret-Пароль-3"  # noqa: S105 - the throwaway login of a test server
USER = "postgres"
STARTUP_SECONDS = 60


def _binaries() -> Path:
    """The folder of ``initdb`` and ``pg_ctl``: on the PATH, else Debian's newest."""
    initdb = shutil.which("initdb")
    if initdb is not None:
        return Path(initdb).resolve().parent
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_version)
    if not found:
        pytest.fail("PostgreSQL is not installed (Debian: postgresql; .ci/run installs it)")
    return found[-1].parent


def _version(path: Path) -> int:
    number = path.parts[-3]
    return int(number) if number.isdigit() else 0


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder, on a free port of 127.0.0.1."""

    def __init__(self) -> None:
        self._bin = _binaries()
        # Not under pytest's temporary folders: they are closed to other users,
        # and the server runs as the user postgres when the tests run as root.
        self.base = Path(tempfile.mkdtemp(prefix="ccr-postgres-"))
        self.data = self.base / "data"
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._as_root = os.geteuid() == 0
        if self._as_root:
            self.base.chmod(0o755)
            owner = pwd.getpwnam(USER)
            os.chown(self.base, owner.pw_uid, owner.pw_gid)
        password_file = self.base / "password"
        password_file.write_text(PASSWORD + "\n", encoding="utf-8")
        if self._as_root:
            os.chown(password_file, pwd.getpwnam(USER).pw_uid, -1)
        self._run(
            "initdb",
            "--pgdata",
            str(self.data),
            "--username",
            USER,
            "--pwfile",
            str(password_file),
            "--auth-local",
            "trust",
            "--auth-host",
            "scram-sha-256",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        )
        password_file.unlink()
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                f"port = {self.port}\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.base}'\n"
                # Enough connections for 4 writers, 2 servers and the test itself, each
                # with a few, and a quick exit on SIGTERM.
                "max_connections = 100\n"
                "fsync = on\n"
                "shared_buffers = 32MB\n"
            )

    def url(self, database: str = "postgres") -> str:
        """The database's URL, without the password (which comes from ``PGPASSWORD``)."""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def environment(self) -> dict[str, str]:
        """Variables a client needs to log in: the password, as a deployment passes it."""
        return {"PGPASSWORD": PASSWORD}

    def create_database(self, name: str) -> str:
        """A new, empty database; its URL."""
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def psql(self, statement: str, database: str = "postgres") -> str:
        """Run one statement over the socket, as the superuser; its output."""
        return self._run(
            "psql",
            "--no-psqlrc",
            "--quiet",
            "--tuples-only",
            "--no-align",
            "--set",
            "ON_ERROR_STOP=1",
            "--host",
            str(self.base),
            "--port",
            str(self.port),
            "--username",
            USER,
            "--dbname",
            database,
            "--command",
            statement,
        )

    def start(self) -> None:
        """Start the server on its data and wait until it accepts connections.

        The postmaster is this process's own child (not ``pg_ctl``'s, which
        leaves it to whoever adopts orphans): after a ``SIGKILL`` it is reaped
        at once, and its lock file names no living process when it starts again.
        """
        command = [str(self._bin / "postgres"), "-D", str(self.data)]
        if self._as_root:
            command = ["setpriv", "--reuid", USER, "--regid", USER, "--clear-groups", *command]
        with (self.base / "server.log").open("ab") as log:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, cwd=self.base
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                pytest.fail(f"postgres exited with {self._process.returncode}: {self._log()}")
            ready = subprocess.run(
                [str(self._bin / "pg_isready"), "--host", str(self.base), "--port", str(self.port)],
                capture_output=True,
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        pytest.fail(
            f"postgres did not accept connections within {STARTUP_SECONDS} s: {self._log()}"
        )

    def stop(self) -> None:
        """A fast shutdown (open sessions are ended); nothing if it is not running."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)  # PostgreSQL's "fast" shutdown
            self._process.wait(STARTUP_SECONDS)
        self._process = None

    def kill(self) -> None:
        """``SIGKILL`` of the postmaster, as a crash; its backends end as they find it gone."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(STARTUP_SECONDS)
        self._process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def _run(self, program: str, *arguments: str) -> str:
        command = [str(self._bin / program), *arguments]
        if self._as_root:
            command = ["runuser", "-u", USER, "--", *command]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=False,
            cwd=self.base,
            timeout=STARTUP_SECONDS * 2,
        )
        if done.returncode != 0:
            pytest.fail(f"{program} failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout

    def _log(self) -> str:
        log = self.base / "server.log"
        return log.read_text(encoding="utf-8", errors="replace")[-2000:] if log.exists() else ""

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
