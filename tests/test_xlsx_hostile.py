"""Hostile workbooks: bounded reads, and only the library's errors, naming the part or sheet."""

from __future__ import annotations

import contextlib
import io
import re
import signal
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from functools import cache
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from tests.conftest import examples
from tests.test_xlsx import sample_campaign, workbook_of

openpyxl = pytest.importorskip("openpyxl")
python_calamine = pytest.importorskip("python_calamine")

# Every test reads workbooks with each reader (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("xlsx_engine")

SHEET = "xl/worksheets/sheet1.xml"
NAME = "Detailed report"


@cache
def small_workbook() -> bytes:
    campaign, records = sample_campaign()
    return workbook_of(campaign, records, format="detailed")


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(parts: dict[str, bytes]) -> bytes:
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return sink.getvalue()


def edited(sheet: bytes | None = None, parts: dict[str, bytes] | None = None) -> bytes:
    """The small workbook with its sheet's XML (or other parts) replaced."""
    members = parts_of(small_workbook())
    if sheet is not None:
        members[SHEET] = sheet
    members.update(parts or {})
    return zipped(members)


def read_all(data: bytes, **options: object) -> ccr.Report:
    report = ccr.read_report(io.BytesIO(data), **options)  # type: ignore[arg-type]
    list(report)
    return report


@contextlib.contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail the block when it runs longer than ``seconds`` (it is interrupted)."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"took over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_the_small_workbook_reads_as_before():
    report = read_all(small_workbook())
    assert len(list(report)) == 7
    assert report.errors == []


@pytest.mark.slow
def test_a_part_inflating_past_the_ratio_is_refused_before_it_is_parsed():
    sheet = parts_of(small_workbook())[SHEET]
    padded = sheet.replace(b"</sheetData>", b"</sheetData>" + b" " * (40 << 20))
    data = edited(padded)
    assert len(data) < 200_000
    with within(5), pytest.raises(ccr.errors.ReadError) as raised:
        read_all(data)
    assert "'xl/worksheets/sheet1.xml'" in str(raised.value)
    assert "ReadLimits.max_zip_ratio" in str(raised.value)
    # A higher ratio lets it through: the limit is the caller's to raise.
    assert len(list(read_all(data, limits=ccr.ReadLimits(max_zip_ratio=100_000)))) == 7


def test_too_many_shared_strings_are_refused_in_bounded_memory():
    members = parts_of(small_workbook())
    ns = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    members["xl/sharedStrings.xml"] = b'<sst xmlns="%s">%s</sst>' % (ns, b"<si/>" * 2_100_000)
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    data = zipped(members)
    assert len(data) < 100_000
    tracemalloc.start()
    try:
        with within(5), pytest.raises(ccr.errors.ReadError, match="shared strings"):
            read_all(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20


def test_a_row_at_the_last_row_under_a_full_width_dimension_costs_little():
    sheet = parts_of(small_workbook())[SHEET]
    sheet = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
    last = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>late</t></is></c></row>'
    sheet = sheet.replace(b"</sheetData>", last + b"</sheetData>")
    started = time.perf_counter()
    with within(10):
        report = read_all(edited(sheet), errors="collect")
    assert time.perf_counter() - started < 5
    assert len(list(report)) == 7
    assert [(error.sheet, error.line) for error in report.errors] == [(NAME, 1_048_576)]


def test_empty_rows_between_rows_are_passed_over_and_rows_keep_their_numbers():
    sheet = parts_of(small_workbook())[SHEET]
    # Row 8 (the last) moves to row 900,000; rows 9 … 899,999 do not exist.
    sheet = sheet.replace(b'<row r="8"', b'<row r="900000"')
    sheet = re.sub(rb'r="([A-Z]+)8"', rb'r="\g<1>900000"', sheet)
    with within(10):
        report = read_all(edited(sheet))
    assert len(list(report)) == 7


def test_a_row_over_the_row_limit_names_sheet_and_row():
    sheet = parts_of(small_workbook())[SHEET]
    long = b'<c r="B3" t="inlineStr"><is><t>' + b"x" * 5000 + b"</t></is></c>"
    sheet = re.sub(rb'<c r="B3"[^>]*>.*?</c>', long, sheet, count=1)
    with pytest.raises(ccr.errors.ReadError) as raised:
        read_all(edited(sheet), limits=ccr.ReadLimits(max_row_bytes=1000))
    assert (raised.value.sheet, raised.value.line) == (NAME, 3)
    assert "ReadLimits.max_row_bytes" in str(raised.value)


def flipped_crc(data: bytes) -> bytes:
    """The workbook with one byte of its sheet's compressed data changed."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(SHEET)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    damaged = bytearray(data)
    damaged[start + info.compress_size // 2] ^= 0x55
    return bytes(damaged)


FOREIGN = {
    "bad CRC or inflate": lambda: flipped_crc(small_workbook()),
    "sheet XML cut short": lambda: edited(parts_of(small_workbook())[SHEET][:-300]),
    "shared string out of range": lambda: edited(
        parts_of(small_workbook())[SHEET].replace(b'<c r="B2"', b'<c r="B2" t="s"><v>99</v></c><c')
    ),
    "workbook part missing": lambda: zipped(
        {k: v for k, v in parts_of(small_workbook()).items() if k != "xl/_rels/workbook.xml.rels"}
    ),
    "workbook XML broken": lambda: edited(parts={"xl/workbook.xml": b"<workbook><sheets><sheet"}),
    "a row number that is no number": lambda: edited(
        parts_of(small_workbook())[SHEET].replace(b'<row r="3"', b'<row r="x3"')
    ),
}


@pytest.mark.parametrize("damage", sorted(FOREIGN))
def test_a_damaged_workbook_is_a_read_error_naming_the_part_or_sheet(damage):
    data = FOREIGN[damage]()
    with pytest.raises(ccr.ResultsError) as raised:
        read_all(data, errors="collect")
    error = raised.value
    assert isinstance(error, ccr.errors.ReadError)
    assert error.sheet == NAME or re.search(r"'[^']+\.(xml|rels)'", str(error)), str(error)


def test_out_of_memory_is_not_taken_for_a_damaged_file(monkeypatch, xlsx_engine):
    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    if xlsx_engine == "openpyxl":
        monkeypatch.setattr(openpyxl, "load_workbook", exhausted)
    else:
        monkeypatch.setattr(
            python_calamine, "CalamineWorkbook", SimpleNamespace(from_filelike=exhausted)
        )
    with pytest.raises(MemoryError):
        read_all(small_workbook())


# Fuzzing: every input is a few kilobytes, and each must fail (or read) fast.

LIMIT_SECONDS = 5
LIMIT_BYTES = 200 * 2**20


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    data = bytearray(small_workbook())
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "insert", "delete"]))
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            del data[at : at + draw(st.integers(1, 64))]
    return bytes(data)


XML_TOKENS = [
    b"<",
    b">",
    b"/>",
    b'"',
    b"&",
    b"&#0;",
    b' r="XFD1048576"',
    b' r="0"',
    b' r="-1"',
    b' t="s"',
    b"<v>99999</v>",
    b'<row r="1048576">',
    b"</row>",
    b'<dimension ref="A1:XFD1048576"/>',
    b"\x00",
    b"\xff",
    b'<!DOCTYPE x [<!ENTITY a "aaaa">]>',
    b"&a;",
    b"<c>",
    b"<is><t>x</t></is>",
]


@st.composite
def mutated_parts(draw: st.DrawFn) -> bytes:
    parts = parts_of(small_workbook())
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(sorted(parts)))
        text = bytearray(parts[name])
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "drop"]))
        if kind == "drop":
            del parts[name]
            if not parts:
                break
            continue
        if kind == "delete":
            del text[at : at + draw(st.integers(1, 200))]
        else:
            token = draw(st.sampled_from(XML_TOKENS) | st.binary(max_size=8))
            end = at + (draw(st.integers(1, 20)) if kind == "replace" else 0)
            text[at:end] = token
        parts[name] = bytes(text)
    return zipped(parts)


def assert_bounded(data: bytes) -> None:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        raised: ccr.ResultsError | None = None
        with within(LIMIT_SECONDS * 4):
            try:
                for mode in ("raise", "collect"):
                    read_all(data, errors=mode)
            except ccr.ResultsError as error:
                raised = error
        assert raised is None or isinstance(raised, ccr.errors.ReadError)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < LIMIT_SECONDS
    assert peak < LIMIT_BYTES


@pytest.mark.slow
@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        # The fixture only chooses the reader: the same for every example.
        HealthCheck.function_scoped_fixture,
    ],
)
@given(st.one_of(mutated_bytes(), mutated_parts()))
def test_mutated_workbooks_raise_only_the_librarys_errors(data):
    assert_bounded(data)
