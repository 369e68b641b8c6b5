"""Where exported bytes go: an atomic file, the caller's stream, optionally a zip member.

The destination policy (``docs/security.md``): a regular file or a new path is
written atomically, through a temporary file beside it; a pipe or a character
device (``/dev/null``, ``/dev/stdout``) is written as a stream, never replaced;
anything else is refused. A symbolic link is followed: the file it points to is
written and the link stays. A read-only file is replaced only when asked
(``overwrite=True``). The new file never gets setuid, setgid or sticky bits.
Temporary files are named ``.<name>.cloudcontact.<pid>.<hex>.part``; those of
processes that died (``kill -9``, power loss) are removed by the next export to
the same target.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import shutil
import stat
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, Protocol

import attrs

from .._shown import shown as quoted
from ..errors import ExportError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .._model.campaign import Record
    from .._options import Packaging
    from .._report.plan import ReportPlan

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locks, so no clean-up of others' files
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "ZIP_LEVEL",
    "ByteCounter",
    "Destination",
    "ExportResult",
    "Writer",
    "atomic_file",
    "atomic_folder",
    "counted_destination",
    "destination_path",
    "member_name",
    "open_destination",
    "text_sink",
    "write_data",
    "zip_member",
]

#: The deflate level of an exported zip: zlib's fastest. CSV still shrinks
#: about sevenfold, and deflating costs a third of what the default level 6
#: does, which would otherwise be half the time of the export itself
#: (docs/development/decisions.md, "Zip").
ZIP_LEVEL: Final = 1

#: A path, or a binary file object open for writing.
Destination = str | os.PathLike[str] | IO[bytes]


@attrs.frozen
class ExportResult:
    """What :func:`export` wrote.

    Attributes:
        rows: the number of data rows (the header not counted).
        path: the file written, or None when writing to a stream.
        bytes: the size of the file, or the number of bytes written to the stream.
        member: the name of the CSV inside the zip, or None when not compressed.
    """

    rows: int
    path: Path | None
    bytes: int
    member: str | None = None


class Writer(Protocol):
    """What each file format implements to be exported to: a report's records to a destination.

    The destination policy is the format's to follow through
    :func:`counted_destination`; the packaging's dialect and zip apply to CSV only.
    """

    def __call__(
        self,
        plan: ReportPlan,
        records: Iterable[Record],
        destination: Destination,
        packaging: Packaging,
        *,
        overwrite: bool = False,
    ) -> ExportResult: ...


#: Characters Windows (and zip tools) refuse in a file name.
_UNSAFE_NAME = re.compile(r'[\x00-\x1f<>:"/\\|?*]')


def destination_path(destination: Any) -> Path | None:
    """``destination`` as a path, or None when it is a binary file object.

    Raises:
        ExportError: it is neither, or it is a text stream.
    """
    if isinstance(destination, str | os.PathLike):
        if not os.fspath(destination):
            raise ExportError("destination '': is empty; name a file to write")
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
def open_destination(path: Path, *, overwrite: bool) -> Iterator[IO[bytes]]:
    """``path`` opened for writing by the destination policy (see the module's docstring).

    Raises:
        ExportError: the path is unusable: a folder, a socket or block device, a
            missing folder, or a read-only file without ``overwrite``.
    """
    target = Path(os.path.realpath(path))  # a link is followed: its file is written
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise ExportError(f"destination {quoted(str(path))}: {error.strerror or error}") from error
    if mode is None or stat.S_ISREG(mode):
        if mode is not None and not overwrite and _read_only(target, mode):
            raise ExportError(
                f"destination {quoted(str(path))}: is read-only; pass overwrite=True to replace it"
            )
        with atomic_file(target, shown_as=path) as file:
            yield file
    elif stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        # A pipe or a device is written to, never replaced by a file.
        with _named(path), open(target, "wb") as stream:  # noqa: PTH123
            yield stream
    elif stat.S_ISDIR(mode):
        raise ExportError(f"destination {quoted(str(path))}: is a folder, not a file")
    else:
        raise ExportError(
            f"destination {quoted(str(path))}: is neither a regular file, a pipe nor a "
            "character device"
        )


@contextlib.contextmanager
def counted_destination(
    destination: Any, *, overwrite: bool
) -> Iterator[tuple[ByteCounter, Path | None]]:
    """Bytes to ``destination``, counted: a path opened by the destination
    policy (:func:`open_destination`), or the caller's binary stream as it is;
    and the path, if it was one.

    Every writer (CSV, Parquet, workbook) opens its destination here, so all
    follow the same policy. Enter the counter's ``discarding_on_error()``
    after any layer that writes on closing (a zip), so that on failure
    nothing more reaches the destination.
    """
    path = destination_path(destination)
    if path is None:
        yield ByteCounter(destination), None
        return
    with open_destination(path, overwrite=overwrite) as raw:
        yield ByteCounter(raw), path


def write_data(destination: Any, data: bytes, *, overwrite: bool = False) -> int:
    """Write ``data`` to ``destination`` by the destination policy; the number of bytes.

    For bytes already whole in memory (an archive's zip): a path is opened by
    :func:`counted_destination`, as every export's is; a binary stream is
    written as it is.
    """
    with counted_destination(destination, overwrite=overwrite) as (counter, _):
        counter.write(data)
    return counter.count


def _read_only(path: Path, mode: int) -> bool:
    # The permission bits too: root may write any file, but a 0444 file says "keep me".
    return not mode & 0o222 or not os.access(path, os.W_OK)


@contextlib.contextmanager
def _named(path: Path) -> Iterator[None]:
    """An OSError inside names ``path``, not a temporary file or nothing."""
    try:
        yield
    except OSError as error:
        if error.filename == os.fspath(path) or error.errno is None:
            raise
        raise OSError(error.errno, error.strerror, os.fspath(path)) from error


@contextlib.contextmanager
def atomic_file(path: Path, *, shown_as: Path | None = None) -> Iterator[IO[bytes]]:
    """A temporary file beside ``path`` that replaces ``path`` only if the block succeeds.

    The data is flushed and fsynced before the rename. On any failure, even
    ``KeyboardInterrupt``, the temporary file is removed and ``path`` is left
    as it was; an ``OSError`` (a full disk, no permission) names ``path``. The
    temporary files of writers that died before, for the same ``path``, are
    removed first.

    Raises:
        ExportError: the folder does not exist, ``path`` is a folder, or the
            temporary file cannot be created there.
    """
    name = shown_as if shown_as is not None else path
    folder = path.parent
    if not folder.is_dir():
        raise ExportError(
            f"destination {quoted(str(name))}: the folder {quoted(str(folder))} does not exist"
        )
    if path.is_dir():
        raise ExportError(f"destination {quoted(str(name))}: is a folder, not a file")
    remove_stale_parts(path)
    try:
        handle, temporary = _create_beside(path)
    except OSError as error:
        raise ExportError(
            f"destination {quoted(str(name))}: cannot write there ({error.strerror or error})"
        ) from error
    try:
        with _named(name):
            with os.fdopen(handle, "wb") as file:
                _lock(file)
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
        _remove_tree(temporary)
        raise
    _sync_folder(parent)


def _remove_tree(folder: Path, patience: float = 30.0) -> None:
    """Remove ``folder`` even while writers still finishing add files to it.

    Parallel writers (cluster workers) may still be writing into the folder
    when another one's failure aborts the export: a removal racing one of
    them fails on the folder it just filled again, so it is tried again. Once
    the folder is gone none of them can make it again (an atomic file needs
    its folder), so nothing is left behind.
    """
    deadline = time.monotonic() + patience
    while True:
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists() or time.monotonic() > deadline:
            return
        time.sleep(0.05)


def _make_folder_beside(path: Path) -> Path:
    """A new, uniquely named folder in ``path``'s folder."""
    for _ in range(100):
        temporary = path.with_name(f".{path.name}.{_token()}.part")
        try:
            temporary.mkdir()
        except FileExistsError:
            continue
        return temporary
    raise FileExistsError(f"no free temporary name beside {str(path)!r}")


#: ``.<name>.cloudcontact.<pid>.<hex>.part``: whose, for which target, and by which process.
_PART: Final = ".cloudcontact.{pid}.{token}.part"
_PART_PATTERN: Final = re.compile(r"\.cloudcontact\.(\d+)\.[0-9a-f]{8}\.part")
#: Target names longer than this are shortened in temporary names (a name has 255 bytes).
_LONGEST_STEM: Final = 120


def _token() -> str:
    """Eight random hex digits, for a temporary name."""
    # Imported at first use: secrets loads OpenSSL (about 3 MB), which only
    # writing to a path needs, not importing the package.
    import secrets  # noqa: PLC0415

    return secrets.token_hex(4)


def _part_stem(path: Path) -> str:
    name = path.name
    if len(name.encode()) <= _LONGEST_STEM:
        return f".{name}"
    # Imported here: hashlib loads OpenSSL (about 3 MB) for this rare case.
    import hashlib  # noqa: PLC0415

    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    return f".{name[:40]}~{digest}"


def _create_beside(path: Path) -> tuple[int, Path]:
    """A new, uniquely named file in ``path``'s folder: its descriptor and path.

    Created with mode 0666, so the operating system applies the user's umask
    as it does for any new file (``tempfile.mkstemp`` would make it 0600).
    """
    stem = _part_stem(path)
    for _ in range(100):
        part = _PART.format(pid=os.getpid(), token=_token())
        temporary = path.with_name(stem + part)
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {str(path)!r}")


def _lock(file: IO[bytes]) -> None:
    """Hold a lock on our temporary file while we write it: it says "alive" to others."""
    if fcntl is not None:
        with contextlib.suppress(OSError):  # a file system without locks: pids still tell
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def remove_stale_parts(path: Path) -> int:
    """Remove the temporary files that dead writers left beside ``path``; how many.

    A file is a dead writer's when the process its name gives no longer
    exists and nobody holds its lock (a live writer locks its file for as long
    as it writes). Files of live processes, ours included, are never touched.
    Best effort: whatever cannot be checked or removed is left alone.
    """
    if fcntl is None:
        return 0
    stem = _part_stem(path)
    removed = 0
    try:
        candidates = [entry for entry in os.scandir(path.parent) if entry.name.startswith(stem)]
    except OSError:
        return 0
    for entry in candidates:
        match = _PART_PATTERN.fullmatch(entry.name, len(stem))
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        pid = int(match.group(1))
        if pid == os.getpid() or _alive(pid):
            continue
        removed += _remove_unlocked(Path(entry.path))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process (or no way to tell): leave its file
    return True


def _remove_unlocked(part: Path) -> int:
    try:
        descriptor = os.open(part, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return 0
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(descriptor)
        return 0  # locked: a writer is at work
    try:
        part.unlink()
    except OSError:
        return 0
    finally:
        os.close(descriptor)
    return 1


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
    # The level a ZipInfo is opened with (ZipFile's own is only for names);
    # "_compresslevel" on every Python this supports (3.13 adds the public name).
    info._compresslevel = ZIP_LEVEL  # type: ignore[attr-defined]  # noqa: SLF001
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
