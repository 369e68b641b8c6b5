"""A campaign file may be one JSON document too; decoder errors name the exact line and column."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results.errors import ReadError
from tests.conftest import examples
from tests.support.strategies import campaign_with_records

CAMPAIGN_LINE = {
    "type": "campaign",
    "name": "Опрос",
    "lists": [{"name": "Клиенты", "columns": ["№", "Фамилия"]}],
}
RECORD_LINE = {
    "type": "record",
    "id": "1",
    "list": "Клиенты",
    "fields": {"Фамилия": "Иванов"},
    "attempts": [{"phone": "+79161234567", "time": "2026-03-02T10:00:00+03:00"}],
}


def as_document(json_lines: str, *, typed: bool) -> dict[str, Any]:
    """The document of the docs (docs/campaign-format.md) built from JSON Lines with ``json``."""
    campaign, *records = [json.loads(line) for line in json_lines.splitlines() if line.strip()]
    if not typed:
        for item in (campaign, *records):
            del item["type"]
    return {"campaign": campaign, "records": records}


def json_lines(campaign: ccr.Campaign, records: list[ccr.Record]) -> str:
    stream = io.StringIO()
    ccr.dump_campaign(campaign, records, stream)
    return stream.getvalue()


def loaded(source: Any) -> tuple[ccr.Campaign, list[ccr.Record]]:
    campaign, records = ccr.load_campaign(source)
    return campaign, list(records)


@pytest.mark.slow
@settings(max_examples=examples(25))
@given(
    drawn=campaign_with_records(max_records=5),
    typed=st.booleans(),
    indent=st.sampled_from([None, 1, 2, 4, "\t"]),
)
def test_a_campaign_loads_the_same_from_json_lines_and_from_one_document(
    drawn: tuple[ccr.Campaign, list[ccr.Record]], typed: bool, indent: int | str | None
) -> None:
    text = json_lines(*drawn)
    document = json.dumps(as_document(text, typed=typed), ensure_ascii=False, indent=indent)

    from_lines = loaded(io.StringIO(text))
    assert loaded(io.StringIO(document)) == from_lines
    # Lines as a file gives them: split at line feeds only (str.splitlines()
    # would also split at U+0085 and U+2028 inside a JSON string).
    assert loaded(document.split("\n")) == from_lines


def test_a_pretty_printed_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "campaign.json"
    document = {"campaign": CAMPAIGN_LINE, "records": [RECORD_LINE]}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")

    campaign, records = loaded(path)

    assert campaign.name == "Опрос"
    assert [record.fields["Фамилия"] for record in records] == ["Иванов"]


def test_a_document_without_records_is_a_campaign_without_records() -> None:
    campaign, records = loaded([json.dumps({"campaign": CAMPAIGN_LINE})])
    assert campaign.name == "Опрос"
    assert records == []


def mistakes() -> list[str]:
    document = json.dumps(
        {"campaign": CAMPAIGN_LINE, "records": [RECORD_LINE]}, ensure_ascii=False, indent=2
    )
    return [
        document.replace('"Клиенты"', '"Клиенты",', 1),  # a trailing comma
        document.replace('"name":', '"name"', 1),  # a missing colon
        document.replace("]", "", 1),  # an array left open
        document[:-1],  # the document cut short
        document[:-2],  # cut short, with no line end
        document.replace('"+79161234567"', "+79161234567", 1),  # a number is no phone text
        document + "\n{}",  # a second document after the first
    ]


@pytest.mark.parametrize("document", mistakes())
def test_a_document_error_names_the_decoders_line_and_column(document: str) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(document)
    with pytest.raises(ReadError) as caught:
        loaded(io.StringIO(document))
    assert caught.value.line == expected.value.lineno
    assert f"at column {expected.value.colno}" in caught.value.reason
    assert expected.value.msg in caught.value.reason
    assert "\n" not in str(caught.value)


def test_a_json_lines_error_names_its_line_and_column() -> None:
    second = json.dumps(RECORD_LINE, ensure_ascii=False).replace('"id":', '"id"')
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(second)
    lines = [json.dumps(CAMPAIGN_LINE), "", second]
    with pytest.raises(ReadError) as caught:
        loaded(lines)
    assert caught.value.line == 3
    assert f"at column {expected.value.colno}" in caught.value.reason


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ('{\n  "campaign": {},\n  "campaign": {}\n}', 3, "campaign"),
        ('{\n  "campaign": {"name": "a", "name": "b"}\n}', 2, "name"),
        ('{\n  "campaign": {"name": "a", "lists": []},\n  "notes": []\n}', 3, "notes"),
        ('{\n  "records": []\n}', 1, "campaign"),
        ('{\n  "campaign": {"name": "a", "lists": []},\n  "records": {}\n}', 3, "records"),
    ],
)
def test_a_document_keeps_the_strict_rules(document: str, line: int, column: str) -> None:
    with pytest.raises(ReadError) as caught:
        loaded(io.StringIO(document))
    assert (caught.value.line, caught.value.column) == (line, column)


def test_a_bad_record_names_its_line_and_place_in_the_document() -> None:
    broken = {**RECORD_LINE, "list": "Клиенти"}
    document = json.dumps(
        {"campaign": CAMPAIGN_LINE, "records": [RECORD_LINE, broken]}, ensure_ascii=False, indent=2
    )
    start = document.splitlines().index("    {", document.splitlines().index("    {") + 1) + 1
    _, records = ccr.load_campaign(io.StringIO(document))
    assert next(records).id == "1"
    with pytest.raises(ReadError) as caught:
        next(records)
    assert caught.value.line == start
    assert caught.value.column == "records[1].list"
    assert "did you mean 'Клиенты'" in str(caught.value)


def test_a_document_larger_than_the_limit_is_refused() -> None:
    document = json.dumps({"campaign": CAMPAIGN_LINE, "records": [RECORD_LINE] * 50}, indent=2)
    with pytest.raises(ReadError, match="max_row_bytes"):
        ccr.load_campaign(io.StringIO(document), limits=ccr.ReadLimits(max_row_bytes=1000))


def test_a_json_line_cut_short_is_reported_on_its_own_line() -> None:
    lines = [json.dumps(CAMPAIGN_LINE) + "\n", "{\n", json.dumps(RECORD_LINE) + "\n"]
    _, records = ccr.load_campaign(lines)
    with pytest.raises(ReadError) as caught:
        list(records)
    assert caught.value.line == 2
    assert "at column 2" in caught.value.reason
