"""Where exported bytes go: an atomic file, the caller's stream, optionally a zip member."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import secrets
import shutil
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ...errors import ExportError

__all__ = [
    "ByteCounter",
    "atomic_file",
    "atomic_folder",
    "destination_path",
    "member_name",
    "text_sink",
    "zip_member",
]

#: Characters Windows (and zip tools) refuse in a file name.
_UNSAFE_NAME = re.compile(r'[\x00-\x1f<>:"/\\|?*]')


def destination_path(destination: Any) -> Path | None:
    """``destination`` as a path, or None when it is a binary file object.

    Raises:
        ExportError: it is neither, or it is a text stream.
    """
    if isinstance(destination, str | os.PathLike):
        return Path(destination)
    if isinstance(destination, io.TextIOBase):
        raise ExportError(
            f"destination {destination!r}: must be a binary file object (open it with 'wb')"
        )
    if not callable(getattr(destination, "write", None)):
        raise ExportError(f"destination {destination!r}: must be a path or a binary file object")
    return None


def member_name(path: Path | None, fallback: str) -> str:
    """The CSV member of a zip: named after the zip (``results.zip`` -> ``results.csv``)."""
    stem = path.stem if path is not None else fallback
    return _UNSAFE_NAME.sub("_", stem) + ".csv"


class ByteCounter(io.BufferedIOBase):
    """A write-only, unseekable view of a binary stream that counts the bytes written.

    Being unseekable makes :mod:`zipfile` stream the member (a data descriptor
    after the data instead of seeking back), so a zip written to a path and one
    written to the caller's stream are the same bytes, and the caller's stream
    is never seeked. Closing the view never closes the stream.
    """

    def __init__(self, target: IO[bytes]) -> None:
        super().__init__()
        self._target: IO[bytes] | None = target
        self.count = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        written = memoryview(data).nbytes
        if self._target is not None:
            self._target.write(data)
            self.count += written
        return written

    def tell(self) -> int:
        return self.count

    def flush(self) -> None:
        if self._target is not None and not self.closed:
            self._target.flush()

    @contextlib.contextmanager
    def discarding_on_error(self) -> Iterator[None]:
        """On failure, drop whatever the layers above still write while they unwind.

        A zip would otherwise be finished with a central directory around a
        partial CSV and look like a complete export; a flush into a stream
        that just failed would fail again.
        """
        try:
            yield
        except BaseException:
            self._target = None
            raise


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A temporary file beside ``path`` that replaces ``path`` only if the block succeeds.

    The data is flushed and fsynced before the rename. On any failure, even
    ``KeyboardInterrupt``, the temporary file is removed and ``path`` is left
    as it was.

    Raises:
        ExportError: the folder does not exist, ``path`` is a folder, or the
            temporary file cannot be created there.
    """
    folder = path.parent
    if not folder.is_dir():
        raise ExportError(f"destination {str(path)!r}: the folder {str(folder)!r} does not exist")
    if path.is_dir():
        raise ExportError(f"destination {str(path)!r}: is a folder, not a file")
    try:
        handle, temporary = _create_beside(path)
    except OSError as error:
        raise ExportError(f"destination {str(path)!r}: cannot write there ({error})") from error
    try:
        with os.fdopen(handle, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        _keep_permissions(path, temporary)
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):  # never hide why the export failed
            temporary.unlink(missing_ok=True)
        raise
    _sync_folder(folder)


@contextlib.contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """A temporary folder beside ``path`` that becomes ``path`` only if the block succeeds.

    ``path`` must not exist, or be an empty folder: files already there are
    never replaced or mixed with new ones. On any failure the temporary
    folder and everything written into it are removed.

    Raises:
        ExportError: the parent folder does not exist, ``path`` is a file or a
            folder that is not empty, or the temporary folder cannot be made.
    """
    parent = path.parent
    if not parent.is_dir():
        raise ExportError(f"destination {str(path)!r}: the folder {str(parent)!r} does not exist")
    if path.exists() and not path.is_dir():
        raise ExportError(f"destination {str(path)!r}: is a file, not a folder")
    if path.is_dir() and any(path.iterdir()):
        raise ExportError(
            f"destination {str(path)!r}: the folder is not empty (part files go to a new "
            "or empty folder)"
        )
    try:
        temporary = _make_folder_beside(path)
    except OSError as error:
        raise ExportError(f"destination {str(path)!r}: cannot write there ({error})") from error
    try:
        yield temporary
        _sync_folder(temporary)
        if path.is_dir():
            path.rmdir()  # empty, as checked: a folder cannot be renamed over another everywhere
        temporary.replace(path)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    _sync_folder(parent)


def _make_folder_beside(path: Path) -> Path:
    """A new, uniquely named folder in ``path``'s folder."""
    for _ in range(100):
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        try:
            temporary.mkdir()
        except FileExistsError:
            continue
        return temporary
    raise FileExistsError(f"no free temporary name beside {str(path)!r}")


def _create_beside(path: Path) -> tuple[int, Path]:
    """A new, uniquely named file in ``path``'s folder: its descriptor and path.

    Created with mode 0666, so the operating system applies the user's umask
    as it does for any new file (``tempfile.mkstemp`` would make it 0600).
    """
    for _ in range(100):
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {str(path)!r}")


def _keep_permissions(path: Path, temporary: Path) -> None:
    """An existing target keeps its permission bits; never setuid, setgid or sticky."""
    with contextlib.suppress(FileNotFoundError):
        temporary.chmod(path.stat().st_mode & 0o777)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable; folders cannot be opened on Windows, so it is best effort."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@contextlib.contextmanager
def zip_member(target: IO[bytes], name: str, timestamp: dt.datetime) -> Iterator[IO[bytes]]:
    """A deflated zip holding one member ``name``, written to ``target`` as it streams."""
    info = zipfile.ZipInfo(name, date_time=timestamp.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever the platform: the same archive everywhere
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    with (
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open(info, "w", force_zip64=True) as member,
    ):
        yield member


@contextlib.contextmanager
def text_sink(target: IO[bytes], encoding: str) -> Iterator[io.TextIOWrapper]:
    """``target`` as text for :mod:`csv`; detached afterwards so ``target`` stays open."""
    text = io.TextIOWrapper(target, encoding=encoding, newline="")
    try:
        yield text
    finally:
        text.detach()  # flushes
