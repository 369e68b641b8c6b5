"""A local folder as a destination (an archive's ``archive_destination``, ``save_to``).

The same steps as a remote folder: the name is looked at first, the file is
written under its temporary name (``.NAME.partial``), made durable, and then
linked to its name, which fails when something is there already: a file at
the name is never replaced, even one put there between the look and the link.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
from pathlib import Path

from .transport import CHUNK, DeliveryFailed, Found, partial_name

__all__ = ["FolderTransport"]


class FolderTransport:
    """Files put into one local folder; it must exist."""

    def __init__(self, folder: Path) -> None:
        if not folder.is_dir():
            raise DeliveryFailed(f"the folder {str(folder)!r} does not exist (or is no folder)")
        self._folder = folder

    def look(self, name: str, size: int, sha256: str) -> Found:
        path = self._folder / name
        # The temporary name is this delivery's own: one left by an attempt cut
        # short (even after its link) goes, whatever is found at the name.
        with contextlib.suppress(OSError):
            (self._folder / partial_name(name)).unlink(missing_ok=True)
        try:
            mode = os.lstat(path)
        except FileNotFoundError:
            return Found.NOTHING
        except OSError as error:
            raise DeliveryFailed(f"{str(path)!r}: {error.strerror or error}") from None
        if not stat.S_ISREG(mode.st_mode) or mode.st_size != size:
            return Found.DIFFERENT
        digest = hashlib.sha256()
        try:
            with path.open("rb") as found:
                while chunk := found.read(CHUNK):
                    digest.update(chunk)
        except OSError as error:
            raise DeliveryFailed(f"{str(path)!r}: {error.strerror or error}") from None
        return Found.SAME if digest.hexdigest() == sha256 else Found.DIFFERENT

    def send(self, source: Path, name: str, sha256: str) -> None:  # noqa: ARG002 - the interface
        partial = self._folder / partial_name(name)
        try:
            partial.unlink(missing_ok=True)  # an earlier attempt's, cut short
            with source.open("rb") as local, partial.open("xb") as copy:
                shutil.copyfileobj(local, copy, CHUNK)
                copy.flush()
                os.fsync(copy.fileno())
            os.link(partial, self._folder / name)
        except FileExistsError:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise DeliveryFailed(
                f"another file came to {str(self._folder / name)!r} while this one was written; "
                "a delivery never replaces what it did not send"
            ) from None
        except OSError as error:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise DeliveryFailed(
                f"{str(partial)!r}: cannot be written ({error.strerror or error})"
            ) from None
        with contextlib.suppress(OSError):
            partial.unlink()
        _sync_folder(self._folder)

    def close(self) -> None:
        """Nothing to close."""


def _sync_folder(folder: Path) -> None:
    """Make the new name durable (POSIX; Windows has no folder handles to sync)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
