"""Hostile bytes, in every error mode: only the library's errors, within 5 s and 200 MB.

Report files (exports mutated, random bytes, zip bombs) go through
``read_report`` with ``errors="raise"``, ``"skip"`` and ``"collect"``;
campaign files (a JSON Lines dump mutated, random bytes) through
``load_campaign`` and on into ``export``. Whatever comes in, the only
exception is a ``ResultsError``; no example runs over five seconds or peaks
over 200 MB of Python memory (the inputs stay far under 10 MB). The default
profile keeps the whole file to about a minute; ``HYPOTHESIS_PROFILE=ci``
tries harder.
"""

from __future__ import annotations

import functools
import io
import tempfile
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from tests.conftest import examples
from tests.support.zipbombs import zipped

MODES = ("raise", "skip", "collect")
SECONDS = 5.0
PEAK_MB = 200.0
MiB = 1024 * 1024


def bounded(run) -> None:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    # CPU seconds of this process, not wall time: the budget is for the work,
    # and a busy machine (other processes, a parallel run) stretches wall time.
    started = time.process_time()
    try:
        run()
    except ccr.ResultsError:
        pass
    finally:
        elapsed = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1] / MiB
        tracemalloc.stop()
    assert elapsed < SECONDS, f"{elapsed:.1f} s"
    assert peak < PEAK_MB, f"{peak:.0f} MB"


@functools.cache
def reports() -> tuple[bytes, ...]:
    campaign, records = ccr.demo_campaign(8)
    records = list(records)
    exports = []
    for report_format, language, dialect, compress, layout in (
        ("simple", "en", "platform", False, "manual"),
        ("detailed", "ru", "excel-ru", False, "5.x"),
        ("detailed", "en", "excel", True, "manual"),
        ("simple", "ru", "platform", True, "5.x"),
    ):
        sink = io.BytesIO()
        options = ccr.ExportOptions(
            format=report_format,
            language=language,
            dialect=dialect,
            compress=compress,
            layout=layout,
        )
        ccr.export(campaign, records, sink, options)
        exports.append(sink.getvalue())
    return tuple(exports)


@functools.cache
def bombs() -> tuple[bytes, ...]:
    header = ",".join(column.en for column in ccr.DETAILED_COLUMNS).encode() + b"\r\n"
    return (
        zipped("nul.csv", b"", b"\0" * MiB, 64),  # one line of NUL
        zipped("blank.csv", header, b"\r\n" * (MiB // 2), 64),  # a header, then blank lines
        zipped("bad.csv", header, b"1\r\n" * (MiB // 3), 64),  # a header, then bad lines
        zipped("quote.csv", header, b'"a\r\n' * (MiB // 4), 64),  # one quote left open
        zipped("long.csv", header, b"x," * (MiB // 2), 64),  # one row of endless cells
    )


@functools.cache
def campaign_file() -> bytes:
    campaign, records = ccr.demo_campaign(6)
    text = io.StringIO()
    ccr.dump_campaign(campaign, records, text)
    return text.getvalue().encode()


@st.composite
def mutated(draw: st.DrawFn, seeds: st.SearchStrategy[bytes]) -> bytes:
    buffer = bytearray(draw(seeds))
    for _ in range(draw(st.integers(1, 4))):
        if not buffer:
            break
        position = draw(st.integers(0, len(buffer) - 1))
        action = draw(st.sampled_from(("flip", "insert", "delete", "duplicate")))
        if action == "flip":
            buffer[position] ^= 1 << draw(st.integers(0, 7))
        elif action == "insert":
            buffer[position:position] = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=8),
                    st.sampled_from(
                        [
                            b'"',
                            b",",
                            b";",
                            b"\n",
                            b"\xff",
                            b"{",
                            b"[" * 2000,
                            b'"x":1,',
                            b"9" * 5000,
                        ]
                    ),
                )
            )
        elif action == "delete":
            del buffer[position : position + draw(st.integers(1, 32))]
        else:
            end = position + draw(st.integers(1, 64))
            buffer[position:position] = buffer[position:end] * draw(st.integers(2, 50))
    return bytes(buffer)


def read_report_fully(data: bytes, mode: str) -> None:
    report = ccr.read_report(io.BytesIO(data), errors=mode)  # type: ignore[arg-type]
    report._repr_html_()
    for _ in report:
        pass
    _ = report.errors


def load_and_export(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "campaign.jsonl"
        path.write_bytes(data)
        campaign, records = ccr.load_campaign(path)
        sink = io.BytesIO()
        ccr.export(campaign, records, sink, ccr.ExportOptions(format="detailed", layout="5.x"))


REPORT_BYTES = st.one_of(
    st.deferred(lambda: mutated(st.sampled_from(reports()))),
    st.binary(max_size=2048),
    st.binary(max_size=64).map(lambda tail: b"PK\x03\x04" + tail),
)


@pytest.mark.slow
@settings(max_examples=examples(400))
@given(REPORT_BYTES, st.sampled_from(MODES))
def test_report_bytes_raise_only_library_errors_fast_and_small(data, mode):
    bounded(lambda: read_report_fully(data, mode))


@pytest.mark.slow
@settings(max_examples=examples(15))
@given(st.deferred(lambda: st.sampled_from(bombs())), st.sampled_from(MODES))
def test_zip_bombs_raise_only_library_errors_fast_and_small(data, mode):
    assert len(data) < MiB
    bounded(lambda: read_report_fully(data, mode))


@pytest.mark.slow
@settings(max_examples=examples(200))
@given(
    st.one_of(
        st.deferred(lambda: mutated(st.just(campaign_file()))),
        st.binary(max_size=1024),
        st.deferred(
            lambda: st.just(campaign_file()).map(lambda data: data + b"[" * 100_000 + b"\n")
        ),
    )
)
def test_campaign_bytes_raise_only_library_errors_fast_and_small(data):
    bounded(lambda: load_and_export(data))
