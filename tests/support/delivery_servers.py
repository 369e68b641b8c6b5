"""Real servers on 127.0.0.1 that export jobs deliver to: SFTP, FTP(S), S3 and a webhook.

Each is started by the tests and stopped (or killed) by them: OpenSSH's
``sshd`` with a throwaway host key and user key, ``pyftpdlib`` in a process of
its own (``tests/support/ftp_server.py``), ``moto``'s standalone S3 server,
and an HTTPS receiver on ``http.server``. A server that cannot be started
fails the test that needs it, loudly: none is skipped.

The credentials they accept are set up the way a user sets them up, in a
home folder of the test's own (``HOME``): ``~/.ssh/id_ed25519`` and
``~/.ssh/known_hosts``, ``~/.netrc``, the ``AWS_*`` variables.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import http.server
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import pytest

SUPPORT = Path(__file__).parent
TLS = SUPPORT.parent / "tls"
PASSWORD = "ftp-secret-Пароль-1"  # noqa: S105 - the throwaway login of a test server
TOKEN = "hook-secret-token-2"  # noqa: S105 - the throwaway token of a test webhook
STARTUP_SECONDS = 30.0


def free_port() -> int:
    """A port nothing listens on now (for servers that cannot be given port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until something accepts connections on ``port``; fail the test if it never does."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode} before it listened")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    pytest.fail(f"no server listened on port {port} within {STARTUP_SECONDS} s")


def stop(process: subprocess.Popen[Any], *, kill: bool = False) -> None:
    """Stop a server process this module started (SIGKILL with ``kill``)."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class SFTPServer:
    """OpenSSH's ``sshd`` on a free port, logging in the current user with a throwaway key.

    ``home`` is the user's home as the delivery sees it (the test sets
    ``HOME`` to it): ``.ssh/id_ed25519`` is authorized, ``.ssh/known_hosts``
    holds the server's host key. ``folder`` is an empty folder to deliver into.
    """

    def __init__(self, base: Path) -> None:
        sshd = shutil.which("sshd") or "/usr/sbin/sshd"
        if not Path(sshd).exists():
            pytest.fail("sshd is not installed (Debian: openssh-server; .ci/run installs it)")
        self._sshd = sshd
        self.base = base
        self.home = base / "home"
        self.folder = base / "incoming"
        self.folder.mkdir(parents=True)
        ssh = self.home / ".ssh"
        ssh.mkdir(parents=True, mode=0o700)
        keygen = shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"
        for key in (base / "host_key", ssh / "id_ed25519", base / "stranger_key"):
            subprocess.run(
                [keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
                check=True,
                stdin=subprocess.DEVNULL,
            )
        (base / "authorized_keys").write_bytes((ssh / "id_ed25519.pub").read_bytes())
        self.port = free_port()
        host_key = (base / "host_key.pub").read_text().split()
        (ssh / "known_hosts").write_text(f"[127.0.0.1]:{self.port} {host_key[0]} {host_key[1]}\n")
        self.stranger_key = base / "stranger_key"
        self.user = getpass.getuser()
        self.config = base / "sshd_config"
        self.config.write_text(
            "\n".join(
                [
                    f"Port {self.port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {base / 'host_key'}",
                    f"AuthorizedKeysFile {base / 'authorized_keys'}",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PubkeyAuthentication yes",
                    "UsePAM no",
                    "StrictModes no",
                    "PermitRootLogin prohibit-password",
                    "PidFile none",
                    "Subsystem sftp internal-sftp",
                    "",
                ]
            )
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"sftp://{self.user}@127.0.0.1:{self.port}{self.folder}"

    def start(self) -> None:
        if os.geteuid() == 0:
            # Run as root, sshd wants its privilege separation folder (systemd makes it).
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        with (self.base / "sshd.log").open("ab") as log:
            self.process = subprocess.Popen(
                [self._sshd, "-D", "-e", "-f", str(self.config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        wait_for_port(self.port, self.process)

    def stop(self, *, kill: bool = False) -> None:
        if self.process is not None:
            stop(self.process, kill=kill)
            # A killed listener leaves its sessions: they are part of the server too.
            self.process = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class FTPServer:
    """``pyftpdlib`` in its own process, serving ``root`` to ``user`` with :data:`PASSWORD`."""

    def __init__(
        self,
        root: Path,
        *,
        user: str = "reports",
        tls: bool = False,
        bytes_per_second: int | None = None,
        disk_bytes: int | None = None,
        port: int = 0,
    ) -> None:
        self.root = root
        self.user = user
        self.tls = tls
        self.port = port
        self._options = []
        if tls:
            self._options += ["--tls", str(TLS / "cert.pem"), str(TLS / "key.pem")]
        if bytes_per_second is not None:
            self._options += ["--bytes-per-second", str(bytes_per_second)]
        if disk_bytes is not None:
            self._options += ["--disk-bytes", str(disk_bytes)]
        self.process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"{'ftps' if self.tls else 'ftp'}://{self.user}@127.0.0.1:{self.port}/"

    def netrc_line(self, password: str = PASSWORD) -> str:
        return f"machine 127.0.0.1 login {self.user} password {password}\n"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(SUPPORT / "ftp_server.py"),
                str(self.root),
                self.user,
                PASSWORD,
                "--port",
                str(self.port),
                *self._options,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("port "):
            self.stop()
            pytest.fail(f"the FTP server did not start (it said {line!r})")
        self.port = int(line.split()[1])

    def stop(self, *, kill: bool = False) -> None:
        if self.process is not None:
            stop(self.process, kill=kill)
            if self.process.stdout is not None:
                self.process.stdout.close()
            self.process = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class S3Server:
    """``moto``'s standalone S3 server on a free port.

    With ``checks_keys``, the server checks every request's access key and
    signature (moto's ``INITIAL_NO_AUTH_ACTION_COUNT``) after the first
    ``checks_keys`` requests, which :meth:`login` spends making a user and its key.
    """

    def __init__(self, *, checks_keys: int | None = None) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.checks_keys = checks_keys

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            env=os.environ
            if self.checks_keys is None
            else {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(self.checks_keys)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process)

    def stop(self, *, kill: bool = False) -> None:
        if self.process is not None:
            stop(self.process, kill=kill)
            self.process = None

    def client(self) -> Any:
        """A boto3 client of the server, with the test's credentials."""
        import boto3  # noqa: PLC0415 - only the S3 tests import it

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing-secret",  # noqa: S106 - moto's throwaway key
        )

    def login(self, bucket: str) -> tuple[str, str]:
        """A user of the server's IAM with full rights, and its (key id, secret); ``bucket`` made.

        Four requests, before the server checks keys (``checks_keys=4``).
        """
        import boto3  # noqa: PLC0415 - only the S3 tests import it

        iam = boto3.client(
            "iam",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing-secret",  # noqa: S106 - moto's throwaway key
        )
        iam.create_user(UserName="reports")
        everything = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        }
        iam.put_user_policy(
            UserName="reports", PolicyName="s3", PolicyDocument=json.dumps(everything)
        )
        key = iam.create_access_key(UserName="reports")["AccessKey"]
        boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
        ).create_bucket(Bucket=bucket)
        return key["AccessKeyId"], key["SecretAccessKey"]

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def aws_environment(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """The standard AWS variables of a test, and nothing from the machine's own files."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "aws-credentials"))
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)


class Webhook:
    """An HTTPS receiver (``tests/tls``'s certificate) that keeps every POST it answers.

    ``answers`` scripts the next statuses (then 200). A POST whose
    ``Idempotency-Key`` was seen already is answered 200 and kept in
    ``resent``, not in ``received``: what a receiver that drops resends does.
    """

    def __init__(self, token: str | None = TOKEN) -> None:
        self.token = token
        self.answers: list[int] = []
        #: How many of the next deliveries to keep and then answer 500 (an answer lost).
        self.lose_answers = 0
        self.received: dict[str, tuple[dict[str, str], bytes]] = {}
        self.resent: list[str] = []
        self.lock = threading.Lock()
        webhook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with webhook.lock:
                    status = webhook.answers.pop(0) if webhook.answers else 200
                    wanted = None if webhook.token is None else f"Bearer {webhook.token}"
                    if self.headers.get("Authorization") != wanted:
                        status = 401
                    key = self.headers["Idempotency-Key"]
                    lost = status == 200 and webhook.lose_answers > 0
                    if lost:
                        webhook.lose_answers -= 1
                    if 200 <= status < 300:
                        if key in webhook.received:
                            webhook.resent.append(key)
                        else:
                            webhook.received[key] = (dict(self.headers), body)
                self.send_response(500 if lost else status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}/hooks/results"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()


@contextlib.contextmanager
def nothing_listening() -> Iterator[int]:
    """A port with no server on it: a destination that is down."""
    yield free_port()
