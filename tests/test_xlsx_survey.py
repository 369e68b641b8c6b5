"""The survey of a workbook's sheets: the grid calamine would hold, whatever the cells' order.

The survey looks only for the cells that tell it something new; these
tests compare its grid with one counted cell by cell, and both readers'
rows, on sheets whose widest or lowest cell hides anywhere in a chunk.
"""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudcontact_results._files.source import ReadLimits
from cloudcontact_results._xlsx.parts import _above, check_parts
from tests.conftest import examples
from tests.test_xlsx_hostile import SHEET, edited, parts_of, small_workbook
from tests.test_xlsx_readers import ENGINES, outcome

pytest.importorskip("python_calamine")

LETTERS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=3)
NUMBERS = st.integers(0, 9_999_999)


def column_number(letters: str) -> int:
    """The column's number, A = 1, as a spreadsheet counts."""
    number = 0
    for letter in letters:
        number = number * 26 + "ABCDEFGHIJKLMNOPQRSTUVWXYZ".index(letter) + 1
    return number


@settings(max_examples=examples(300))
@given(LETTERS | st.just(""), LETTERS)
def test_after_a_column_matches_exactly_the_later_columns(word, other):
    pattern = re.compile(_above(word.encode(), b"A", b"Z", 3))
    later = column_number(other) > (column_number(word) if word else 0)
    assert (pattern.fullmatch(other.encode()) is not None) is later


@settings(max_examples=examples(300))
@given(NUMBERS, NUMBERS)
def test_after_a_number_matches_exactly_the_greater_numbers(number, other):
    pattern = re.compile(_above(str(number).encode(), b"0", b"9", 7))
    assert (pattern.fullmatch(str(other).encode()) is not None) is (other > number)


def counted_grid(sheet: bytes) -> int:
    """The grid from every cell's reference, one by one: widest column times lowest row."""
    references = re.findall(rb'<c r="([A-Z]+)([0-9]+)"', sheet)
    width = max(column_number(letters.decode()) for letters, _ in references)
    return width * max(int(number) for _, number in references)


def padded_sheet(where: int, reference: bytes) -> bytes:
    """The small workbook's sheet, made longer than two chunks of the survey, with one cell
    renamed ``reference`` at the ``where``-th place of its row 3 (its row kept)."""
    sheet = parts_of(small_workbook())[SHEET]
    row = re.search(rb'<row r="3".*?</row>', sheet)
    assert row is not None
    cells = re.findall(rb'<c r="[A-Z]+3".*?</c>', row[0])
    cell = cells[where % len(cells)]
    renamed = re.sub(rb'<c r="[A-Z]+3"', b'<c r="' + reference + b'"', cell)
    # Spaces between the header and the rows (the survey reads a mebibyte at a time).
    padding = b" " * (2**20 + 2**19)
    sheet = sheet.replace(b'<row r="2"', padding + b'<row r="2"')
    return sheet.replace(cell, renamed)


@pytest.mark.parametrize(
    "reference",
    [b"ZZ3", b"XFD3", b"AB3", b"A1048576", b"B4000", b"A2", b"XFD1048576"],
)
@pytest.mark.parametrize("where", [0, 5, -1])
def test_the_grid_is_the_widest_column_times_the_lowest_row(where, reference):
    sheet = padded_sheet(where, reference)
    survey = check_parts(io.BytesIO(edited(sheet)), ReadLimits())
    assert survey.grid == counted_grid(sheet)


@pytest.mark.slow
@settings(max_examples=examples(20), deadline=None)
@given(st.integers(0, 40), LETTERS)
def test_both_readers_agree_wherever_the_widest_cell_is(where, letters):
    # The cell keeps its row: one named for another row is placed by its
    # reference by calamine, by its row by openpyxl.
    sheet = padded_sheet(where, letters.encode() + b"3")
    data = edited(sheet)
    assert check_parts(io.BytesIO(data), ReadLimits()).grid == counted_grid(sheet)
    read = [outcome(data, engine) for engine in ENGINES]
    assert read[0] == read[1]


def test_white_space_alone_after_a_prefixed_text_tag_is_found():
    # ``<x:t> </x:t>``: calamine drops such text, openpyxl keeps it.
    sheet = parts_of(small_workbook())[SHEET]
    for tag, grid in ((b"t", None), (b"x:t", None), (b"at", counted_grid(sheet))):
        blank = b"<" + tag + b">  </" + tag + b">"
        data = edited(parts={"xl/extra.xml": b"<root>" + blank + b"</root>"})
        assert check_parts(io.BytesIO(data), ReadLimits()).grid == grid
