"""Every source the library generates is readable: short lines, one statement a line.

Exports of every format and option family, a read into Arrow and a round
trip through the results store make the library generate each kind of code
it has; every source registered with :mod:`linecache` under a generated file
name is then held to the rules of ``docs/development/README.md``.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import linecache
import re
from pathlib import Path

import pytest

import cloudcontact_results as ccr

#: The longest line a generated source may have.
LONGEST = 100
#: Names of the old style: cells ``c0``…, one-letter globals.
CRYPTIC = re.compile(r"\b(?:a?c\d+|[DQTE]|cache_\d+|cell_\d+)\b")


def problems(filename: str, source: str) -> list[str]:
    """What is wrong with one generated source (nothing, for a readable one)."""
    found = []
    compile(source, filename, "exec")  # raises if it does not compile
    long_lines = [line for line in source.splitlines() if len(line) > LONGEST]
    found += [f"longer than {LONGEST}: {line!r}" for line in long_lines]
    starts = [node.lineno for node in ast.walk(ast.parse(source)) if isinstance(node, ast.stmt)]
    found += [
        f"two statements on line {line}" for line in sorted(set(starts)) if starts.count(line) > 1
    ]
    found += [f"cryptic name {match[0]!r}" for match in CRYPTIC.finditer(source)]
    if "._" in re.sub(r"\bself\._", "", source):
        found.append("reaches into a private attribute")
    return found


def generated_sources() -> dict[str, str]:
    return {
        name: "".join(entry[2])
        for name, entry in list(linecache.cache.items())
        if name.startswith("<cloudcontact_results generated ") and len(entry) == 4 and entry[2]
    }


def sample() -> tuple[ccr.Campaign, list[ccr.Record]]:
    busy = ccr.system_disposition("Busy")
    own = ccr.Disposition("Sale")
    campaign = ccr.Campaign(
        "C",
        [ccr.CallingList("L", ["Name", "Phone"])],
        script_fields=[ccr.ScriptField("Answer")],
        dispositions=[own],
    )
    moment = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    records = [
        ccr.Record(
            f"R{number}",
            "L",
            {"Name": "=1+1", "Phone": "+7916"},
            [
                ccr.Attempt("+7916", moment, call_disposition=busy, cpa_result=3, sip_code=486),
                ccr.Attempt(
                    "+7916",
                    moment + dt.timedelta(hours=number),
                    call_disposition=own,
                    record_disposition=own,
                    note='a, "b"',
                    script_values={"Answer": "yes"},
                ),
            ],
        )
        for number in range(3)
    ]
    return campaign, records


FAMILIES = [
    {},
    {"formula_guard": False},
    {"datetime_format": "%d.%m.%Y %H:%M"},
    {"dispositions": ["Sale"]},
    {"interval": (dt.datetime(2026, 3, 1, tzinfo=dt.UTC), dt.datetime(2026, 3, 2, tzinfo=dt.UTC))},
    {"layout": "5.x"},
    {"language": "ru"},
    {"dialect": "excel-ru"},
]


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    campaign, records = sample()
    for report in ("simple", "detailed", "detailed-interval"):
        for file_format in ("csv", "xlsx", "parquet"):
            for options in FAMILIES:
                if file_format != "csv" and "dialect" in options:
                    continue
                chosen = ccr.ExportOptions(format=report, file_format=file_format, **options)
                ccr.export(campaign, records, io.BytesIO(), chosen)
        written = io.BytesIO()
        ccr.export(campaign, records, written, ccr.ExportOptions(format=report))
        written.seek(0)
        ccr.read_report(written).to_arrow(engine="python")
    path: Path = tmp_path_factory.mktemp("store") / "results.db"
    with ccr.ResultsStore(path) as store:
        store.put_campaign(campaign)
        store.add_records("C", records)
        list(store.records("C"))
        # The store's own loops (_store/_export.py), for every report and option family.
        for report in ("simple", "detailed", "detailed-interval"):
            for options in FAMILIES:
                store.export("C", io.BytesIO(), ccr.ExportOptions(format=report, **options))
    return generated_sources()


@pytest.mark.slow
def test_every_kind_of_generated_code_was_made(sources: dict[str, str]) -> None:
    kinds = {
        re.sub(r" #\d+>$", "", name.removeprefix("<cloudcontact_results generated "))
        for name in sources
    }
    for expected in (
        "Attempt.__init__",
        "Record.__init__",
        "simple lines",
        "detailed lines",
        "detailed typed columns",
        "typed columns",
        "attempt row",
        "trusted Attempt packed attempt",
        "simple lines of stored summaries",
        "detailed lines of stored attempts",
        "time cell",
    ):
        assert expected in kinds


@pytest.mark.slow
def test_generated_code_is_readable(sources: dict[str, str]) -> None:
    found = {name: problems(name, source) for name, source in sources.items()}
    assert {name: wrong for name, wrong in found.items() if wrong} == {}


@pytest.mark.parametrize(
    "source",
    [
        "x = 1; y = 2\n",
        f"x = {'1 + ' * 40}1\n",
        "c21 = record.id\n",
        "own = record.fields._items\n",
        "if T: pass\n",
    ],
)
def test_the_check_sees_unreadable_code(source: str) -> None:
    assert problems("<probe>", source) != []
