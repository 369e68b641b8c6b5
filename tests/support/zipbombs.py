"""Zip files of highly repetitive members, made in memory: the zip bombs of the hostile tests."""

from __future__ import annotations

import functools
import io
import zipfile


@functools.cache
def zipped(
    member: str, head: bytes, chunk: bytes, repeat: int, method: int = zipfile.ZIP_DEFLATED
) -> bytes:
    """A zip of one member, ``head`` then ``chunk`` ``repeat`` times, compressed as it streams."""
    sink = io.BytesIO()
    info = zipfile.ZipInfo(member, date_time=(2026, 3, 2, 0, 0, 0))
    info.compress_type = method
    with zipfile.ZipFile(sink, "w") as archive, archive.open(info, "w", force_zip64=True) as out:
        out.write(head)
        for _ in range(repeat):
            out.write(chunk)
    return sink.getvalue()
