"""Whatever bytes come in, read_report raises ReadError or nothing: never anything else.

The exports fuzzed include copies re-saved as a spreadsheet saves them
(Windows-1251, ``;``, the date-time forms of ``docs/reading.md``), read with
the encoding detected or given.
"""

from __future__ import annotations

import contextlib
import functools
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from tests.conftest import examples
from tests.test_read_resaved import RENDERINGS, resave

MODES = ("raise", "skip", "collect")
#: None detects the encoding; the others are given.
ENCODINGS = (None, None, "cp1251", "utf-8")


@functools.cache
def valid_exports() -> tuple[tuple[bytes, tuple[str, ...]], ...]:
    campaign, records = ccr.demo_campaign(6)
    records = list(records)
    names = tuple(field.name for field in campaign.exported_script_fields)
    exports = []
    for report_format, language, dialect, compress in (
        ("simple", "en", "platform", False),
        ("detailed", "ru", "excel-ru", False),
        ("detailed", "en", "excel", True),
        ("simple", "ru", "platform", True),
    ):
        sink = io.BytesIO()
        options = ccr.ExportOptions(
            format=report_format, language=language, dialect=dialect, compress=compress
        )
        ccr.export(campaign, records, sink, options)
        exports.append((sink.getvalue(), names))
    for (data, names), rendering in zip(
        [exports[0], exports[1]] * len(RENDERINGS), sorted(RENDERINGS), strict=False
    ):
        delimiter = ";" if data.startswith(b"\xef\xbb\xbf") else ","
        exports.append((resave(data, delimiter, rendering, lossy=True).copy, names))
    return tuple(exports)


def read_everything(
    data: bytes, mode: str, script_fields: tuple[str, ...] = (), encoding: str | None = None
) -> None:
    try:
        report = ccr.read_report(
            io.BytesIO(data), errors=mode, script_fields=script_fields, encoding=encoding
        )
        report._repr_html_()
        for _ in report:
            pass
    except ccr.errors.ReadError:
        pass


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, tuple[str, ...], str | None]:
    data, names = draw(st.sampled_from(valid_exports()))
    buffer = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        if not buffer:
            break
        position = draw(st.integers(0, len(buffer) - 1))
        action = draw(st.sampled_from(("flip", "insert", "delete", "truncate")))
        if action == "flip":
            buffer[position] ^= 1 << draw(st.integers(0, 7))
        elif action == "insert":
            buffer[position:position] = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=8), st.sampled_from([b'"', b",", b"\n", b"\xff"])
                )
            )
        elif action == "delete":
            del buffer[position : position + draw(st.integers(1, 16))]
        else:
            del buffer[position:]
    return bytes(buffer), draw(st.sampled_from(((), names))), draw(st.sampled_from(ENCODINGS))


@settings(max_examples=examples(60))
@given(st.binary(max_size=512), st.sampled_from(MODES), st.sampled_from(ENCODINGS))
def test_random_bytes_raise_only_read_errors(data, mode, encoding):
    read_everything(data, mode, encoding=encoding)


@settings(max_examples=examples(60))
@given(st.binary(max_size=64), st.sampled_from(MODES))
def test_random_bytes_after_a_zip_signature_raise_only_read_errors(data, mode):
    read_everything(b"PK\x03\x04" + data, mode)


@pytest.mark.slow
@settings(max_examples=examples(150))
@given(mutated(), st.sampled_from(MODES))
def test_mutated_exports_raise_only_read_errors(case, mode):
    data, names, encoding = case
    read_everything(data, mode, names, encoding)


@settings(max_examples=examples(40))
@given(st.data(), st.sampled_from(MODES))
def test_truncated_exports_raise_only_read_errors(data, mode):
    export, names = data.draw(st.sampled_from(valid_exports()))
    cut = data.draw(st.integers(0, len(export)))
    read_everything(export[:cut], mode, names, data.draw(st.sampled_from(ENCODINGS)))


@pytest.mark.slow
@settings(max_examples=examples(40))
@given(st.data(), st.sampled_from(MODES))
def test_mutated_resaved_times_raise_only_read_errors(data, mode):
    # A time cell of each form, cut or changed where its parts are.
    export, names = data.draw(st.sampled_from(valid_exports()[4:]))
    text = export.decode("cp1251")
    pieces = text.split(";")
    at = data.draw(st.integers(0, len(pieces) - 1))
    change = data.draw(
        st.sampled_from(["", "13/45/2026 25:61 PM", "2/29/2026 0:00 AM", "31.02.2026 9:05", "T"])
    )
    pieces[at] = change if data.draw(st.booleans()) else pieces[at] + change
    changed = ";".join(pieces).encode("cp1251", errors="replace")
    read_everything(changed, mode, names)
    engine = data.draw(st.sampled_from(["pyarrow", "c", "python"]))
    with contextlib.suppress(ccr.errors.ReadError):
        ccr.read_report(io.BytesIO(changed), errors=mode, script_fields=names).to_pandas(
            engine=engine
        )


def test_a_zip_of_a_later_version_is_a_read_error():
    # zipfile refuses a member whose "version needed to extract" (in the
    # central directory) it does not know with NotImplementedError; a reader
    # gives ReadError.
    campaign = ccr.Campaign("C", [ccr.CallingList("L", ["Name"])])
    sink = io.BytesIO()
    options = ccr.ExportOptions(compress=True)
    ccr.export(campaign, [ccr.Record("1", "L", {"Name": "x"})], sink, options)
    data = bytearray(sink.getvalue())
    offset = data.index(b"PK\x01\x02") + 6
    data[offset : offset + 2] = (109).to_bytes(2, "little")  # version 10.9
    with pytest.raises(ccr.errors.ReadError, match=r"zip file version 10\.9"):
        list(ccr.read_report(io.BytesIO(bytes(data))))
