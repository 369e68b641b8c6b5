"""Whatever bytes come in, read_report raises ReadError or nothing: never anything else."""

from __future__ import annotations

import functools
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from tests.conftest import examples

MODES = ("raise", "skip", "collect")


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
    return tuple(exports)


def read_everything(data: bytes, mode: str, script_fields: tuple[str, ...] = ()) -> None:
    try:
        report = ccr.read_report(io.BytesIO(data), errors=mode, script_fields=script_fields)
        report._repr_html_()
        for _ in report:
            pass
    except ccr.errors.ReadError:
        pass


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, tuple[str, ...]]:
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
    return bytes(buffer), draw(st.sampled_from(((), names)))


@settings(max_examples=examples(60))
@given(st.binary(max_size=512), st.sampled_from(MODES))
def test_random_bytes_raise_only_read_errors(data, mode):
    read_everything(data, mode)


@settings(max_examples=examples(60))
@given(st.binary(max_size=64), st.sampled_from(MODES))
def test_random_bytes_after_a_zip_signature_raise_only_read_errors(data, mode):
    read_everything(b"PK\x03\x04" + data, mode)


@settings(max_examples=examples(150))
@given(mutated(), st.sampled_from(MODES))
def test_mutated_exports_raise_only_read_errors(case, mode):
    data, names = case
    read_everything(data, mode, names)


@settings(max_examples=examples(40))
@given(st.data(), st.sampled_from(MODES))
def test_truncated_exports_raise_only_read_errors(data, mode):
    export, names = data.draw(st.sampled_from(valid_exports()))
    cut = data.draw(st.integers(0, len(export)))
    read_everything(export[:cut], mode, names)


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
