"""Opening a report file: a path or binary stream, the CSV member of a zip, decoded lines.

Everything read here is bounded (:class:`ReadLimits`): a row's bytes, the
bytes a zip member may inflate to, and runs of blank lines cost no more than
reading them. A path that is no regular file (a pipe, a device) is read once,
as a stream, and never blocks when nothing writes to it.
"""

from __future__ import annotations

import bz2
import contextlib
import copy
import io
import itertools
import lzma
import os
import stat
import struct
import time
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO, Any, Final, Protocol

import attrs

from .._shown import shown as quoted
from ..errors import OptionsError, ReadError
from .encodings import UTF8, encoding_of_header

__all__ = [
    "DAMAGED",
    "Extent",
    "Opened",
    "ReadLimits",
    "RowTooLongError",
    "Source",
    "checked_limits",
    "is_path",
    "open_input",
    "open_path",
    "open_source",
    "shown",
]

MiB: Final = 1024 * 1024


def _positive(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise OptionsError(f"ReadLimits.{attribute.name}", value, "must be a whole number >= 1")


class RowTooLongError(ReadError):
    """A row passed ``ReadLimits.max_row_bytes``; the row reader adds the line."""


@attrs.frozen
class ReadLimits:
    """How much a read may take: hostile files fail fast with a :class:`ReadError`.

    The defaults are far above what real exports and campaign files hold.

    Attributes:
        max_row_bytes: the bytes of one CSV row (all its lines, when quoted
            cells hold line breaks), of the header, or of one JSON line.
        max_zip_ratio: how many times its compressed size a zip member may
            inflate to (real exports: about 10); the first 16 MiB are always allowed.
        max_bad_lines: with ``errors="skip"`` or ``"collect"``, the bad lines
            a read passes over before it gives up (a file that bad is not a report).

    >>> ReadLimits().max_row_bytes // MiB, ReadLimits().max_zip_ratio
    (4, 100)
    """

    max_row_bytes: int = attrs.field(default=4 * MiB, validator=_positive)
    max_zip_ratio: int = attrs.field(default=100, validator=_positive)
    max_bad_lines: int = attrs.field(default=1000, validator=_positive)


def checked_limits(limits: ReadLimits | None) -> ReadLimits:
    """``limits``, or the defaults for None.

    Raises:
        OptionsError: ``limits`` is neither.
    """
    if limits is None:
        return ReadLimits()
    if not isinstance(limits, ReadLimits):
        raise OptionsError("limits", limits, "must be ReadLimits or None")
    return limits


#: What any zip member may inflate to, whatever its compressed size.
_ZIP_FLOOR: Final = 16 * MiB

Source = str | os.PathLike[str] | IO[bytes]

_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")

#: Everything a damaged zip or file can raise while it is read (zipfile and zlib
#: let struct, EOF and OS errors through, and refuse a zip of a later version
#: with NotImplementedError); each becomes a ReadError naming the file.
DAMAGED: Final = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    struct.error,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    OverflowError,
    ValueError,
)


@contextlib.contextmanager
def _unreadable(reason: str) -> Iterator[None]:
    """What a damaged file raises inside the block, as a ReadError ``reason: <cause>``."""
    try:
        yield
    except ReadError:
        raise  # a ReadError is a ValueError, which DAMAGED would catch
    except DAMAGED as exc:
        raise ReadError(f"{reason}: {exc}") from exc


class Binary(Protocol):
    """What lines are read from: a binary file, or a range of one."""

    def readline(self, size: int = -1, /) -> bytes: ...

    def read(self, size: int = -1, /) -> bytes: ...


class Extent:
    """How much of an input there is and how far it has been read: for progress in bytes.

    Counted on the file itself, before any zip member is inflated from it, so
    a zip's progress is that of its compressed bytes, whose total is known.
    """

    def __init__(self, handle: IO[bytes], start: int, size: int) -> None:
        self._handle = handle
        self._start = start
        #: The input's bytes from where reading began.
        self.size = size

    def consumed(self) -> int:
        """The bytes read so far (buffered ones included), at most :attr:`size`."""
        try:
            return min(max(self._handle.tell() - self._start, 0), self.size)
        except (OSError, ValueError):  # closed meanwhile: the read is over
            return self.size


def _extent_of(handle: IO[bytes], regular: bool) -> Extent | None:
    """The extent of a regular file or a seekable stream, from where it stands; else None."""
    try:
        if not (regular or handle.seekable()):
            return None
        start = handle.tell()
        end = handle.seek(0, os.SEEK_END)
        handle.seek(start)
    except (OSError, ValueError, AttributeError):
        return None
    return Extent(handle, start, max(end - start, 0))


class Opened:
    """An open source: its decoded lines, and the lines that did not decode.

    ``lines`` hands out one physical line at a time, never reading ahead, and
    fails with a :class:`ReadError` (without a line number: the caller knows
    it) once the bytes since :meth:`new_row` pass ``ReadLimits.max_row_bytes``.
    """

    def __init__(
        self,
        binary: Binary,
        closer: contextlib.ExitStack,
        limits: ReadLimits,
        *,
        once: bool,
        encoding: str | None,
        extent: Extent | None = None,
    ) -> None:
        self.bad_lines: list[bytes] = []
        #: The input's size and how far it has been read, when it can tell.
        self.extent = extent
        #: The text encoding: as given, or (given None) decided by the first line
        #: as it is read (see :func:`encoding_of_header`); UTF-8 until then.
        self.encoding = encoding or UTF8
        #: True when the first line chose the encoding (none was given).
        self.detected = encoding is None
        self.closer = closer
        self.limits = limits
        #: True for a source that can be read only once (a stream, a pipe).
        self.once = once
        self._binary = binary
        #: Bytes of the row being read: a list, so the line generator and the
        #: row reader share it; the row reader zeroes it as each row begins.
        self.row_bytes = [0]
        #: ``[True]`` once a line handed out holds a ``'``, until a reader clears it:
        #: the formula guard's mark, so rows without one skip looking at each cell.
        self.quoted = [False]
        self.lines: Iterator[str] = self._lines()

    @property
    def binary(self) -> IO[bytes]:
        """What :attr:`lines` are read from; after the header, it stands at the first row."""
        return self._binary  # type: ignore[return-value]  # a file or a zip member here

    def reread(self, position: int) -> Opened:
        """The lines again from ``position`` of :attr:`binary` (which must be seekable).

        The new lines share this source's file, which stays with this one's closer.
        """
        with _unreadable("the file cannot be read"):
            self.binary.seek(position)
        return Opened(
            self._binary,
            contextlib.ExitStack(),
            self.limits,
            once=self.once,
            encoding=self.encoding,
            extent=self.extent,
        )

    def new_row(self) -> None:
        """The next line starts a row."""
        self.row_bytes[0] = 0

    def put_back(self, lines: list[str]) -> None:
        """Hand ``lines`` (read ahead) out again before the lines still to read."""
        self.lines = itertools.chain(self._marked(lines), self.lines)

    def _marked(self, lines: list[str]) -> Iterator[str]:
        quoted = self.quoted
        for line in lines:
            if "'" in line:
                quoted[0] = True
            yield line

    def _lines(self) -> Iterator[str]:
        # Lines split at b"\n", which never occurs inside a UTF-8 sequence (nor is
        # it anything but a line feed in the other encodings read), so each line
        # decodes on its own; a bad one is noted (the row reading it reports it)
        # and read with replacement characters so the lines after it can be read.
        limit = self.limits.max_row_bytes
        readline = self._binary.readline
        bad_lines = self.bad_lines
        row = self.row_bytes
        quoted = self.quoted
        with _unreadable("the file cannot be read"):
            raw = readline(limit + 1)
            if raw and self.detected:
                self.encoding = encoding_of_header(raw)
            # None for UTF-8: bytes.decode() without arguments takes CPython's
            # shortest road, and UTF-8 is the file of every export.
            other = None if self.encoding == UTF8 else self.encoding
            while raw:
                row[0] += len(raw)
                if row[0] > limit:
                    raise RowTooLongError(
                        f"the row is longer than {limit} bytes (ReadLimits.max_row_bytes)"
                    )
                try:
                    text = raw.decode() if other is None else raw.decode(other)
                except UnicodeDecodeError:
                    bad_lines.append(raw[:200])
                    text = raw.decode(self.encoding, errors="replace")
                if "'" in text:
                    quoted[0] = True
                yield text
                raw = readline(limit + 1)

    def skip_blank_lines(self) -> int:
        """Pass over the blank lines that follow, in bulk; how many there were.

        Only between rows: inside a quoted cell a blank line is part of the value.
        """
        skipped = 0
        peek = getattr(self._binary, "peek", None)
        read = self._binary.read
        with _unreadable("the file cannot be read"):
            while True:
                if peek is None:
                    return skipped
                chunk = peek(1 << 16)
                blank = len(chunk) - len(chunk.lstrip(b"\r\n"))
                if not blank:
                    return skipped
                skipped += chunk.count(b"\n", 0, blank)
                read(blank)


def shown(value: str | bytes, limit: int = 200) -> str:
    """``value`` as an error message shows it: bytes escaped, long text cut short."""
    text = value if isinstance(value, str) else repr(value)[2:-1]
    return text if len(text) <= limit else text[:limit] + "…"


def is_path(source: object) -> bool:
    return isinstance(source, str | os.PathLike)


def open_input(path: str | os.PathLike[str]) -> IO[bytes]:
    """``path`` opened for reading bytes (see :func:`open_path`).

    Raises:
        ReadError: it cannot be opened (missing, a folder, no permission), naming it.
    """
    return open_path(path)[0]


def open_path(path: str | os.PathLike[str]) -> tuple[IO[bytes], bool]:
    """``path`` opened for reading bytes, and whether it is a regular file.

    A pipe is opened without waiting for a writer (none there reads as an
    empty file); a device or pipe is then read as a stream.

    Raises:
        ReadError: it cannot be opened (missing, a folder, no permission), naming it.
    """
    name = os.fspath(path)
    try:
        descriptor = os.open(name, os.O_RDONLY | _NONBLOCK | getattr(os, "O_BINARY", 0))
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ReadError(f"cannot open {quoted(name)}: {reason}") from exc
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise ReadError(f"cannot open {quoted(name)}: it is a folder")  # noqa: TRY301  # the descriptor is closed below
        first = _await_writer(descriptor, name) if stat.S_ISFIFO(mode) and _NONBLOCK else b""
        if _NONBLOCK:
            os.set_blocking(descriptor, True)  # reads wait for a writer's data again
        file = io.FileIO(descriptor, "rb")
        raw: io.RawIOBase = _Prefixed(file, first) if first else file
    except BaseException:
        os.close(descriptor)
        raise
    return io.BufferedReader(raw), stat.S_ISREG(mode)


#: How long a pipe may go without a writer before reading it is given up.
PIPE_WAIT_SECONDS: Final = 10.0


def _await_writer(descriptor: int, name: str) -> bytes:
    """Wait for a process to open the pipe for writing; the byte it may have sent already.

    A pipe without a writer reads as empty (end of file); one whose writer has
    nothing to say yet answers "try again". So a read of one byte tells them apart.
    """
    deadline = time.monotonic() + PIPE_WAIT_SECONDS
    while True:
        try:
            return os.read(descriptor, 1) or _no_writer_yet(deadline, name)
        except BlockingIOError:
            return b""  # a writer is there: reads may now wait for its data
        except _Retry:
            time.sleep(0.02)


class _Retry(Exception):  # noqa: N818  # a signal inside _await_writer, never raised out
    pass


def _no_writer_yet(deadline: float, name: str) -> bytes:
    if time.monotonic() > deadline:
        raise ReadError(
            f"cannot read {quoted(name)}: it is a pipe that no process wrote to within "
            f"{PIPE_WAIT_SECONDS:.0f} s (the file is empty)"
        )
    raise _Retry


class _Prefixed(io.RawIOBase):
    """A raw file that first gives back ``prefix`` (bytes read before it was wrapped)."""

    def __init__(self, raw: io.FileIO, prefix: bytes) -> None:
        super().__init__()
        self._raw = raw
        self._prefix = prefix

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            size = min(len(buffer), len(self._prefix))
            buffer[:size] = self._prefix[:size]
            self._prefix = self._prefix[size:]
            return size
        return self._raw.readinto(buffer)

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


#: Opening a pipe for reading waits for a writer unless told not to.
_NONBLOCK: Final = getattr(os, "O_NONBLOCK", 0)


def open_source(
    source: Source, member: str | None, limits: ReadLimits, encoding: str | None = None
) -> Opened:
    """Open ``source`` (a path or a binary file object, a zip or not) for its lines.

    ``encoding`` None: decided by the first line (see :class:`Opened`).
    """
    closer = contextlib.ExitStack()
    try:
        if is_path(source):
            handle, regular = open_path(source)  # type: ignore[arg-type]
            binary: IO[bytes] = closer.enter_context(handle)
        else:
            binary, regular = _binary(source), False
        extent = _extent_of(binary, regular)
        if _starts_like_zip(binary):
            binary = closer.enter_context(_open_member(binary, member, limits))
        else:
            _check_no_member(member)
        return Opened(binary, closer, limits, once=not regular, encoding=encoding, extent=extent)
    except BaseException:
        closer.close()
        raise


def _check_no_member(member: str | None) -> None:
    if member is not None:
        raise ReadError("member= was given but the file is not a zip", value=member)


def _binary(source: object) -> IO[bytes]:
    read = getattr(source, "read", None)
    if read is None:
        raise ReadError(
            "the source must be a path or a binary file object", value=type(source).__name__
        )
    if isinstance(source, io.TextIOBase):
        raise ReadError(
            "the source is a text stream; open the file in binary mode ('rb')",
            value=type(source).__name__,
        )
    return source  # type: ignore[return-value]


def _starts_like_zip(binary: IO[bytes]) -> bool:
    with _unreadable("the file cannot be read"):
        peek = getattr(binary, "peek", None)
        if peek is not None:
            head = peek(4)[:4]
            # peek may return fewer bytes than asked near a buffer boundary.
            if len(head) >= 4 or binary.seekable() is False:
                return head in _ZIP_MAGIC
        if binary.seekable():
            start = binary.tell()
            head = binary.read(4)
            binary.seek(start)
            return head in _ZIP_MAGIC
    raise ReadError(
        "the source must be seekable or peekable (e.g. wrap it in io.BufferedReader)",
        value=type(binary).__name__,
    )


def _open_member(binary: IO[bytes], member: str | None, limits: ReadLimits) -> IO[bytes]:
    with _unreadable("the file is not a readable zip"):
        archive = zipfile.ZipFile(binary)
        try:
            # Not ZipInfo.is_dir(), which fails on an empty name.
            names = [info.filename for info in archive.infolist()]
            name = _choose_member([name for name in names if not name.endswith("/")], member)
            info = archive.getinfo(name)
            allowed = max(info.compress_size * limits.max_zip_ratio, _ZIP_FLOOR)
            return _ClosingMember(_Inflated(_member(archive, info), allowed, name), archive)
        except BaseException:
            archive.close()
            raise


#: Members a message lists before it says how many more there are.
_LISTED: Final = 10


def _choose_member(files: list[str], member: str | None) -> str:
    listed = ", ".join(quoted(name) for name in files[:_LISTED]) or "none"
    if len(files) > _LISTED:
        listed += f" and {len(files) - _LISTED} more"
    if member is not None:
        if member not in files:
            raise ReadError(f"the zip has no member {quoted(member)}; members: {listed}")
        return _named(member)
    csv_files = [name for name in files if name.lower().endswith(".csv")] or files
    if len(csv_files) == 1:
        return _named(csv_files[0])
    if not csv_files:
        raise ReadError("the zip holds no file")
    raise ReadError(f"the zip holds several CSV files; choose one with member=: {listed}")


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> IO[bytes]:
    """The member's inflated bytes, each read inflating no more than it asks for.

    zipfile bounds what a deflated member inflates to per read, but decompresses
    bzip2 and LZMA members a whole read of compressed bytes at a time (as many as
    the bytes asked for), which may inflate ten thousand times or more: those
    are read raw here and decompressed at most a buffer at a time.
    """
    if info.compress_type not in (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        return archive.open(info)
    raw = copy.copy(info)
    raw.compress_type = zipfile.ZIP_STORED
    raw.file_size = info.compress_size
    del raw.CRC  # checked on the decompressed bytes instead
    return _Decompressed(archive.open(raw), info)  # type: ignore[return-value]


#: Compressed bytes a bzip2 or LZMA member is read in.
_RAW_CHUNK: Final = 1 << 14


class _Decompressed(io.RawIOBase):
    """A bzip2 or LZMA member, decompressed at most the buffer read into at a time.

    Ends, like zipfile's own reading, at the end of the stream, of the compressed
    bytes or of the member's size, then checks the CRC.
    """

    def __init__(self, raw: IO[bytes], info: zipfile.ZipInfo) -> None:
        super().__init__()
        self._raw = raw
        self._name = info.filename
        self._left = info.file_size
        self._expected_crc = info.CRC
        self._crc = 0
        self._decompressor: bz2.BZ2Decompressor | lzma.LZMADecompressor | None = (
            bz2.BZ2Decompressor() if info.compress_type == zipfile.ZIP_BZIP2 else None
        )

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = min(len(buffer), self._left)
        while size > 0:
            if self._decompressor is None:
                self._decompressor = self._lzma()
            decompressor = self._decompressor
            if decompressor.eof:
                break
            data = b""
            if decompressor.needs_input:
                data = self._raw.read(_RAW_CHUNK)
                if not data:
                    break
            out = decompressor.decompress(data, size)
            if out:
                buffer[: len(out)] = out
                self._left -= len(out)
                self._crc = zlib.crc32(out, self._crc)
                if not self._left:
                    self._check_crc()
                return len(out)
        self._check_crc()
        return 0

    def _lzma(self) -> lzma.LZMADecompressor:
        # A zip's LZMA member: a version (2 bytes), the size of the properties
        # (2 bytes, little-endian), the LZMA1 properties, then the raw stream.
        head = self._raw.read(4)
        if len(head) < 4:
            raise zipfile.BadZipFile(f"the LZMA member {self._name!r} is truncated")
        properties = self._raw.read(int.from_bytes(head[2:4], "little"))
        if len(properties) != 5:
            raise zipfile.BadZipFile(f"the LZMA member {self._name!r} has bad properties")
        shape, dict_size = properties[0], int.from_bytes(properties[1:], "little")
        lzma1 = {
            "id": lzma.FILTER_LZMA1,
            "lc": shape % 9,
            "lp": shape // 9 % 5,
            "pb": shape // 45,
            "dict_size": dict_size,
        }
        return lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[lzma1])

    def _check_crc(self) -> None:
        if self._crc != self._expected_crc:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {self._name!r}")

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def _named(member: str) -> str:
    if not member:
        raise ReadError("the zip member to read has an empty name")
    return member


class _Inflated(io.RawIOBase):
    """A zip member's bytes, refused past ``allowed`` of them: a zip bomb fails fast."""

    def __init__(self, member: IO[bytes], allowed: int, name: str) -> None:
        super().__init__()
        self._member = member
        self._left = allowed
        self._allowed = allowed
        self._name = name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._member.read(min(len(buffer), self._left + 1))
        if len(data) > self._left:
            raise ReadError(
                f"the zip member {quoted(self._name)} inflates to more than {self._allowed} "
                "bytes, over ReadLimits.max_zip_ratio times its compressed size"
            )
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._member.close()
        finally:
            super().close()


class _ClosingMember(io.BufferedReader):
    """A zip member that closes its archive with it."""

    def __init__(self, raw: io.RawIOBase, archive: zipfile.ZipFile) -> None:
        super().__init__(raw, buffer_size=1 << 16)
        self._archive = archive

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._archive.close()
