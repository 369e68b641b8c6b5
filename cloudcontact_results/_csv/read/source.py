"""Opening a report file: a path or binary stream, the CSV member of a zip, decoded lines."""

from __future__ import annotations

import contextlib
import io
import os
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Final

import attrs

from ...errors import ReadError

__all__ = ["Opened", "Source", "decoded_lines", "is_path", "open_input", "open_source", "shown"]

Source = str | os.PathLike[str] | IO[bytes]

_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")

# Everything a damaged zip or file can raise while it is read (zipfile and zlib let
# struct, EOF and OS errors through); each becomes a ReadError naming the file.
_BROKEN: Final = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
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
        raise  # a ReadError is a ValueError, which _BROKEN would catch
    except _BROKEN as exc:
        raise ReadError(f"{reason}: {exc}") from exc


@attrs.define
class Opened:
    """An open source: its decoded lines, the lines that were not UTF-8, the bytes beneath."""

    lines: Iterator[str]
    bad_lines: list[bytes]
    closer: contextlib.ExitStack
    #: What ``lines`` are read from; after the header, it stands at the first row.
    binary: IO[bytes]

    def reread(self, position: int) -> Opened:
        """The lines again from ``position`` of :attr:`binary` (which must be seekable).

        The new lines share this source's closer, which stays with this one.
        """
        with _unreadable("the file cannot be read"):
            self.binary.seek(position)
        bad_lines: list[bytes] = []
        return Opened(
            decoded_lines(self.binary, bad_lines), bad_lines, contextlib.ExitStack(), self.binary
        )


def shown(value: str | bytes, limit: int = 200) -> str:
    """``value`` as an error message shows it: bytes escaped, long text cut short."""
    text = value if isinstance(value, str) else repr(value)[2:-1]
    return text if len(text) <= limit else text[:limit] + "…"


def is_path(source: object) -> bool:
    return isinstance(source, str | os.PathLike)


def open_input(path: str | os.PathLike[str]) -> IO[bytes]:
    """``path`` opened for reading bytes.

    Raises:
        ReadError: it cannot be opened (missing, a folder, no permission), naming it.
    """
    try:
        return open(path, "rb")  # noqa: PTH123  # str or PathLike; the caller closes it
    except OSError as exc:
        raise ReadError(f"cannot open {os.fspath(path)!r}: {exc.strerror or exc}") from exc


def open_source(source: Source, member: str | None) -> Opened:
    """Open ``source`` (a path or a binary file object, a zip or not) for its lines."""
    closer = contextlib.ExitStack()
    try:
        binary: IO[bytes] = (
            closer.enter_context(open_input(source))  # type: ignore[arg-type]
            if is_path(source)
            else _binary(source)
        )
        if _starts_like_zip(binary):
            binary = closer.enter_context(_open_member(binary, member))
        else:
            _check_no_member(member)
        bad_lines: list[bytes] = []
        return Opened(decoded_lines(binary, bad_lines), bad_lines, closer, binary)
    except BaseException:
        closer.close()
        raise


def decoded_lines(binary: Iterable[bytes], bad_lines: list[bytes]) -> Iterator[str]:
    """The lines of ``binary`` as text; lines that are not UTF-8 are noted in ``bad_lines``."""
    # Lines split at b"\n", which never occurs inside a UTF-8 sequence, so each line
    # decodes on its own; a bad one is noted (the row reading it reports it) and read
    # with replacement characters so that the lines after it can still be read.
    with _unreadable("the file cannot be read"):
        for raw in binary:
            try:
                text = raw.decode()
            except UnicodeDecodeError:
                bad_lines.append(raw)
                text = raw.decode(errors="replace")
            yield text


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


def _open_member(binary: IO[bytes], member: str | None) -> IO[bytes]:
    with _unreadable("the file is not a readable zip"):
        archive = zipfile.ZipFile(binary)
        try:
            files = [info.filename for info in archive.infolist() if not info.is_dir()]
            name = _choose_member(files, member)
            return _ClosingMember(archive.open(name), archive)
        except BaseException:
            archive.close()
            raise


def _choose_member(files: list[str], member: str | None) -> str:
    listed = ", ".join(repr(name) for name in files) or "none"
    if member is not None:
        if member not in files:
            raise ReadError(f"the zip has no member {member!r}; members: {listed}", value=member)
        return member
    csv_files = [name for name in files if name.lower().endswith(".csv")] or files
    if len(csv_files) == 1:
        return csv_files[0]
    if not csv_files:
        raise ReadError("the zip holds no file")
    raise ReadError(f"the zip holds several CSV files; choose one with member=: {listed}")


class _ClosingMember(io.BufferedReader):
    """A zip member that closes its archive with it."""

    def __init__(self, raw: IO[bytes], archive: zipfile.ZipFile) -> None:
        super().__init__(raw)  # type: ignore[arg-type]
        self._archive = archive

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._archive.close()
