"""``store save-archive`` and ``dump_campaign`` write files by the destination policy of ``export``.

Each test does the same thing with ``export -o`` and with ``store save-archive
-o``: ``export``'s behaviour is the answer key (docs/security.md, "The destination").
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import cloudcontact_results as ccr
from cloudcontact_results.cli import main
from tests.test_store_cli import CAMPAIGN_LINES, NAME

Run = Callable[..., tuple[int, str]]


@pytest.fixture
def campaign_file(tmp_path: Path) -> Path:
    path = tmp_path / "campaign.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in CAMPAIGN_LINES), encoding="utf-8")
    return path


@pytest.fixture
def archive(tmp_path: Path, campaign_file: Path, capsys: pytest.CaptureFixture[str]) -> bytes:
    """A store holding archive 1 of the campaign; the archive's zip bytes."""
    store = tmp_path / "results.sqlite"
    assert main(["store", "load", str(store), str(campaign_file)]) == 0
    assert main(["store", "remove-list", str(store), NAME, "VIP"]) == 0
    capsys.readouterr()
    with ccr.ResultsStore(store) as opened:
        (found,) = opened.archives(NAME)
        return opened.archive_bytes(found)


@pytest.fixture
def export_to(campaign_file: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    def run(out: Path | str, *flags: str) -> tuple[int, str]:
        code = main(["export", str(campaign_file), "-o", str(out), *flags])
        return code, capsys.readouterr().err

    return run


@pytest.fixture
def save_archive_to(archive: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    store = tmp_path / "results.sqlite"

    def run(out: Path | str, *flags: str) -> tuple[int, str]:
        code = main(["store", "save-archive", str(store), NAME, "1", "-o", str(out), *flags])
        return code, capsys.readouterr().err

    return run


@contextlib.contextmanager
def fifo_read(path: Path) -> Iterator[list[bytes]]:
    """A FIFO at ``path`` whose reader collects everything written until the block ends.

    The reader holds a writer of its own open, so it never blocks for ever,
    even if the FIFO is replaced by a file instead of being written to.
    """
    os.mkfifo(path)
    reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    keeper = os.open(path, os.O_WRONLY)
    os.set_blocking(reader, True)
    received: list[bytes] = []

    def drain() -> None:
        with os.fdopen(reader, "rb") as stream:
            received.append(stream.read())

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    try:
        yield received
    finally:
        os.close(keeper)
        thread.join(timeout=30)


def exported_csv(path: Path) -> bytes:
    """The CSV an export wrote to ``path``, a ``.zip`` path: the zip's one member."""
    with zipfile.ZipFile(path) as archive:
        (member,) = archive.namelist()
        return archive.read(member)


def test_a_read_only_file_is_refused_without_force_as_export_refuses_it(
    tmp_path: Path, export_to: Run, save_archive_to: Run, archive: bytes
) -> None:
    target = tmp_path / "kept.zip"
    target.write_bytes(b"keep me")
    target.chmod(0o444)

    refusals = [run(target) for run in (export_to, save_archive_to)]

    code, message = refusals[0]
    assert code == 1
    assert "read-only" in message
    assert message.count("\n") == 1
    assert refusals[1] == refusals[0]  # the same exit code, the same one line
    assert target.read_bytes() == b"keep me"

    assert export_to(target, "--force") == (0, "")
    assert exported_csv(target).startswith("№".encode())  # a .zip path: a zip of the CSV
    assert save_archive_to(target, "--force") == (0, "")
    assert target.read_bytes() == archive
    assert stat.S_IMODE(target.stat().st_mode) == 0o444


def test_a_symlink_is_followed_and_stays_a_link_as_export_does(
    tmp_path: Path, export_to: Run, save_archive_to: Run, archive: bytes
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "real.zip"
    link = folder / "link.zip"
    link.symlink_to(target)

    for run, written in ((export_to, exported_csv), (save_archive_to, Path.read_bytes)):
        target.write_bytes(b"old")
        target.chmod(0o640)

        assert run(link) == (0, "")

        assert link.is_symlink()
        assert written(target).startswith("№".encode() if run is export_to else archive)
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
        assert sorted(p.name for p in folder.iterdir()) == ["link.zip", "real.zip"]


def test_a_fifo_is_written_as_a_stream_as_export_writes_it(
    tmp_path: Path, export_to: Run, save_archive_to: Run, archive: bytes
) -> None:
    for name, run, expected in (
        ("export.csv", export_to, "№".encode()),
        ("archive.zip", save_archive_to, archive),
    ):
        fifo = tmp_path / name
        with fifo_read(fifo) as received:
            assert run(fifo) == (0, "")

        assert stat.S_ISFIFO(fifo.stat().st_mode)
        assert received[0].startswith(expected)
    assert received[0] == archive


@pytest.fixture
def null_device(tmp_path: Path) -> Path:
    """A null device of the test's own where one can be made, else ``/dev/null``.

    Where the tests may write to ``/dev`` (as root), a writer that replaced the
    device by a file would replace the machine's ``/dev/null``: a private node
    keeps that harmless.
    """
    node = tmp_path / "null"
    if sys.platform == "linux":  # the null device's numbers are Linux's
        with contextlib.suppress(OSError):
            os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
            with node.open("wb"):
                return node
    if os.access("/dev", os.W_OK):
        pytest.skip("no private device here, and /dev/null itself could be replaced")
    return Path("/dev/null")


def test_a_character_device_is_written_to_not_replaced_as_export_does(
    export_to: Run, save_archive_to: Run, null_device: Path
) -> None:
    before = null_device.stat()

    for run in (export_to, save_archive_to):
        assert run(null_device) == (0, "")

        after = null_device.stat()
        assert stat.S_ISCHR(after.st_mode)
        assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_dump_campaign_writes_a_path_by_the_same_policy(tmp_path: Path) -> None:
    campaign, records = ccr.demo_campaign(3)
    kept = tmp_path / "kept.jsonl"
    kept.write_text("keep me", encoding="utf-8")
    kept.chmod(0o444)
    with pytest.raises(ccr.errors.ExportError, match="read-only"):
        ccr.dump_campaign(campaign, records, kept)
    assert kept.read_text(encoding="utf-8") == "keep me"
    assert ccr.dump_campaign(campaign, records, kept, overwrite=True) == 3
    assert stat.S_IMODE(kept.stat().st_mode) == 0o444
    assert ccr.load_campaign(kept)[0] == campaign

    folder = tmp_path / "linked"
    folder.mkdir()
    target = folder / "real.jsonl"
    target.write_text("old", encoding="utf-8")
    (folder / "link.jsonl").symlink_to(target)
    ccr.dump_campaign(campaign, records, folder / "link.jsonl")
    assert (folder / "link.jsonl").is_symlink()
    assert target.read_text(encoding="utf-8").startswith('{"type": "campaign"')
    assert sorted(p.name for p in folder.iterdir()) == ["link.jsonl", "real.jsonl"]
