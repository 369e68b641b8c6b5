"""One codec per kind of report column, and no format that asks for a kind by name."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results._report.codecs import CODECS, Text

PACKAGE = Path(ccr.__file__).resolve().parent

#: The modules that may name a kind: the column table and the codec table.
NAMING_KINDS = frozenset({"_report/columns.py", "_report/codecs.py"})
#: Other modules allowed to name a kind, each with the reason (none so far).
JUSTIFIED: dict[str, str] = {}


def test_every_kind_has_exactly_one_codec() -> None:
    assert list(CODECS) == list(ccr.ColumnKind)


def kinds_named(source: str) -> list[tuple[int, str]]:
    """(line, member) of every ``ColumnKind.X`` in ``source``, through any alias of ColumnKind."""
    tree = ast.parse(source)
    aliases = {"ColumnKind"}
    aliases |= {
        node.asname
        for node in ast.walk(tree)
        if isinstance(node, ast.alias) and node.name == "ColumnKind" and node.asname
    }
    assignments = [
        (node.value.id, {target.id for target in node.targets if isinstance(target, ast.Name)})
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name)
    ]
    while new := {
        name
        for value, targets in assignments
        if value in aliases
        for name in targets
        if name not in aliases
    }:
        aliases |= new
    members = {kind.name for kind in ccr.ColumnKind}
    return [
        (node.lineno, node.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in aliases
        and node.attr in members
    ]


def test_the_scan_finds_a_kind_named_through_an_alias() -> None:
    source = "from x import ColumnKind as K\nY = K\nif kind is Y.TIME:\n    pass\n"
    assert kinds_named(source) == [(3, "TIME")]


def test_no_module_outside_the_tables_branches_on_a_kind() -> None:
    named = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in NAMING_KINDS or relative in JUSTIFIED:
            continue
        found = kinds_named(path.read_text(encoding="utf-8"))
        if found:
            named[relative] = found
    assert named == {}, "look the kind's codec up in CODECS instead"


# SPEC §5 "Values": flags are 1/0, durations whole seconds, a CPA result its
# number, a missing value the empty string. These kinds' cells need no rendering.
def cell_text(kind: ccr.ColumnKind, value: Any) -> str:
    text: str = eval(CODECS[kind].cell, {}, {"value": value})  # noqa: S307
    return text


@given(st.booleans())
def test_a_flag_is_1_or_0_and_reads_back(flag: bool) -> None:
    text = cell_text(ccr.ColumnKind.FLAG, flag)
    assert text == ("1" if flag else "0")
    assert CODECS[ccr.ColumnKind.FLAG].parse is not None
    assert CODECS[ccr.ColumnKind.FLAG].parse(text) is flag


@given(st.integers(min_value=0, max_value=10**12))
def test_a_count_is_its_digits_and_reads_back(count: int) -> None:
    text = cell_text(ccr.ColumnKind.COUNT, count)
    assert text == f"{count:d}"
    parse = CODECS[ccr.ColumnKind.COUNT].parse
    assert parse is not None
    assert parse(text) == count


@given(st.none() | st.integers(min_value=0, max_value=10**9))
def test_seconds_are_digits_or_empty_and_read_back(seconds: int | None) -> None:
    text = cell_text(ccr.ColumnKind.SECONDS, seconds)
    assert text == ("" if seconds is None else str(seconds))
    parse = CODECS[ccr.ColumnKind.SECONDS].parse
    assert parse is not None
    assert parse(text) == seconds


@given(st.none() | st.sampled_from(list(ccr.CPAResult)))
def test_a_cpa_result_is_its_number_and_reads_back(result: ccr.CPAResult | None) -> None:
    text = cell_text(ccr.ColumnKind.CPA, result)
    assert text == ("" if result is None else str(result.value))
    parse = CODECS[ccr.ColumnKind.CPA].parse
    assert parse is not None
    assert parse(text) is result


@given(st.none() | st.text(min_size=1))
def test_a_code_is_its_text_or_empty_and_reads_back(code: str | None) -> None:
    text = cell_text(ccr.ColumnKind.CODE, code)
    assert text == (code or "")
    parse = CODECS[ccr.ColumnKind.CODE].parse
    assert parse is not None
    assert parse(text) == code


@pytest.mark.parametrize(
    "kind", [kind for kind, codec in CODECS.items() if codec.text is Text.PLAIN]
)
@pytest.mark.parametrize("text", ["=1+2", "@A1", "+7 495", "-1", "1,5", 'a"b', "1\n2", "x"])
def test_a_plain_kind_refuses_text_that_is_not_a_number_or_a_flag(
    kind: ccr.ColumnKind, text: str
) -> None:
    # SPEC §7: only text cells are guarded; the cells left out of the guard (and
    # of CSV quoting) can hold no text that would need either.
    parse = CODECS[kind].parse
    assert parse is not None
    with pytest.raises((ValueError, KeyError)):
        parse(text)


@pytest.mark.parametrize(
    ("kind", "plain"),
    [
        (ccr.ColumnKind.TEXT, False),
        (ccr.ColumnKind.DISPOSITION, False),
        (ccr.ColumnKind.CODE, False),
        (ccr.ColumnKind.QUOTA_GROUP, False),
        (ccr.ColumnKind.NOTE, False),
        (ccr.ColumnKind.FLAG, True),
        (ccr.ColumnKind.COUNT, True),
        (ccr.ColumnKind.SECONDS, True),
        (ccr.ColumnKind.CPA, True),
    ],
)
def test_only_text_cells_are_guarded(kind: ccr.ColumnKind, *, plain: bool) -> None:
    # SPEC §7: the guard is about text cells; numbers and flags never start a formula.
    assert CODECS[kind].plain(default_format=True) is plain
    assert CODECS[kind].plain(default_format=False) is plain


def test_a_time_is_guarded_only_in_a_format_of_the_user() -> None:
    # The default format starts with the year's digits; any other may start with anything.
    time = CODECS[ccr.ColumnKind.TIME]
    assert time.plain(default_format=True)
    assert not time.plain(default_format=False)
