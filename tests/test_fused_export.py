"""The fused writer behind export() writes exactly what csv.writer writes for the reference rows.

The reference is the public API: the typed rows of ``report_rows``, their
cells from the public ``RowFormatter``, the guard from the independent answer
key, and ``csv.writer`` with the dialect's delimiter and CRLF line ends.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import zipfile

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from tests.conftest import examples
from tests.support.answers import DELIMITERS, spreadsheet_safe
from tests.support.strategies import campaign_with_records, export_options

MSK = dt.timezone(dt.timedelta(hours=3))


def reference_bytes(
    campaign: ccr.Campaign, records: list[ccr.Record], options: ccr.ExportOptions
) -> bytes:
    """csv.writer over the reference rows formatted by the public formatter."""
    formatter = ccr.RowFormatter(options)
    lines = [list(ccr.report_header(campaign, options))]
    lines += [formatter.cells(row) for row in ccr.report_rows(campaign, records, options)]
    if options.formula_guard:
        lines = [[spreadsheet_safe(cell) for cell in line] for line in lines]
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=DELIMITERS[options.dialect.value], lineterminator="\r\n").writerows(
        lines
    )
    bom = "" if options.dialect.value == "platform" else "\ufeff"
    return (bom + text.getvalue()).encode("utf-8")


def exported_bytes(
    campaign: ccr.Campaign, records: list[ccr.Record], options: ccr.ExportOptions
) -> bytes:
    stream = io.BytesIO()
    result = ccr.export(campaign, iter(records), stream, options)
    if not options.compress:
        return stream.getvalue()
    with zipfile.ZipFile(stream) as archive:
        return archive.read(str(result.member))


@pytest.mark.slow
@settings(max_examples=examples(60))
@given(
    campaign_with_records(max_records=6),
    export_options(
        format=st.sampled_from(["simple", "detailed", "detailed-interval"]),
        layout=st.sampled_from(["manual", "5.x"]),
        datetime_format=st.sampled_from(
            [ccr.DEFAULT_DATETIME_FORMAT, "%d.%m.%Y %H:%M", '=%d;%m,"%Y"\n%H']
        ),
        compress=st.booleans(),
    ),
)
def test_export_is_csv_writer_over_the_reference_rows(
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]], options: ccr.ExportOptions
) -> None:
    campaign, records = campaign_and_records
    if options.format.value == "detailed-interval":
        options = attrs.evolve(
            options,
            interval=(dt.datetime(2020, 1, 1, tzinfo=MSK), dt.datetime(2030, 1, 1, tzinfo=MSK)),
        )
    assert exported_bytes(campaign, records, options) == reference_bytes(campaign, records, options)


# --- every option combination on adversarial data --------------------------------------

HOSTILE = (
    "=1+1",
    "a,b",
    "a;b",
    'say "hi"',
    "line\nbreak",
    "cr\rx",
    "'=x",
    "-5",
    "+79161234567",
    "-x",
    "@SUM(A1)",
    "\tTab",
    "",
    " lead",
    "Иван, Пётр; «да»",
    '"',
    ",",
    # NUL inside a cell, where a row's cells are looked at joined by NUL.
    "+7\x00x",
    "a\x00=b",
    "\x00",
    "+٣٤٥",  # Arabic-Indic digits: a number to the guard, like ASCII digits
)


def hostile_records() -> tuple[ccr.Campaign, list[ccr.Record]]:
    campaign, records = ccr.demo_campaign(records=30, seed=3)
    texts = itertools.cycle(HOSTILE)
    changed = []
    for record in records:
        attempts = tuple(
            attrs.evolve(
                attempt,
                phone=next(texts),
                agent=next(texts),
                note=next(texts) if attempt.note or position % 2 else "",
                recording=next(texts),
                rtp_server=next(texts),
                ani=next(texts),
                action_applied=next(texts),
                script_values={name: next(texts) for name in attempt.script_values},
            )
            for position, attempt in enumerate(record.attempts)
        )
        fields = {column: next(texts) for column in record.fields}
        changed.append(attrs.evolve(record, fields=fields, attempts=attempts))
    return campaign, changed


CAMPAIGN, RECORDS = hostile_records()
FIRST_LIST = CAMPAIGN.lists[0].name
SELECTIONS = {
    "all": {},
    "filtered": {"dispositions": ("Busy", "Согласен", "No answer"), "lists": (FIRST_LIST,)},
    "interval": {
        "interval": (dt.datetime(2026, 3, 2, tzinfo=MSK), dt.datetime(2026, 3, 4, 12, tzinfo=MSK))
    },
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("selection", "report_format", "dialect"),
    list(
        itertools.product(
            sorted(SELECTIONS),
            ["simple", "detailed", "detailed-interval"],
            ["platform", "excel", "excel-ru"],
        )
    ),
)
@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("layout", ["manual", "5.x"])
@pytest.mark.parametrize(
    "datetime_format", [ccr.DEFAULT_DATETIME_FORMAT, "%d/%m/%Y %I:%M %p", '+%d;%m,"%Y"']
)
def test_every_option_combination(
    selection: str,
    report_format: str,
    dialect: str,
    language: str,
    *,
    layout: str,
    datetime_format: str,
) -> None:
    for guard in (True, False):
        options = ccr.ExportOptions(
            format=report_format,  # type: ignore[arg-type]
            dialect=dialect,  # type: ignore[arg-type]
            language=language,  # type: ignore[arg-type]
            layout=layout,  # type: ignore[arg-type]
            datetime_format=datetime_format,
            formula_guard=guard,
            **SELECTIONS[selection],  # type: ignore[arg-type]
        )
        expected = reference_bytes(CAMPAIGN, RECORDS, options)
        assert expected.count(b"\r\n") > 1
        assert exported_bytes(CAMPAIGN, RECORDS, options) == expected
        zipped = attrs.evolve(options, compress=True)
        assert exported_bytes(CAMPAIGN, RECORDS, zipped) == expected


def test_the_hostile_data_needs_quotes_and_the_guard() -> None:
    """The combinations above exercise csv.writer's quoting and the guard in every column kind."""
    options = ccr.ExportOptions(format="detailed", formula_guard=True)
    data = exported_bytes(CAMPAIGN, RECORDS, options)
    assert b'"a,b"' in data
    assert b'"say ""hi"""' in data
    assert b'"line\nbreak"' in data
    assert b"'=1+1" in data
    assert b",-5," in data or b",-5\r\n" in data
    assert b"'+7\x00x" in data
    assert "+٣٤٥".encode() in data
    assert "'+٣٤٥".encode() not in data


def test_many_rows_are_written_in_batches_in_order() -> None:
    """More rows than one batch: every line arrives, in order."""
    campaign, records = ccr.demo_campaign(records=400, seed=5)
    records = list(records)
    for report_format in ("simple", "detailed"):
        options = ccr.ExportOptions(format=report_format)  # type: ignore[arg-type]
        assert exported_bytes(campaign, records, options) == reference_bytes(
            campaign, records, options
        )


def test_more_distinct_cached_cells_than_a_cache_keeps() -> None:
    """Agents, RTP servers, notes and script answers are cells written once and
    kept, a bounded number of each: past the bound every cell is still the reference's."""
    campaign, records = ccr.demo_campaign(records=2400, seed=11)
    texts = itertools.cycle(HOSTILE)
    numbers = itertools.count()

    def distinct() -> str:
        return f"{next(texts)}{next(numbers)}"

    changed = [
        attrs.evolve(
            record,
            attempts=tuple(
                attrs.evolve(
                    attempt,
                    agent=distinct(),
                    rtp_server=distinct(),
                    cpa_rtp_server=distinct(),
                    note=distinct() if attempt.note else "",
                    script_values={name: distinct() for name in attempt.script_values},
                )
                for attempt in record.attempts
            ),
        )
        for record in records
    ]
    assert sum(len(record.attempts) for record in changed) > 4096
    for report_format in ("simple", "detailed"):
        for guard in (False, True):
            options = ccr.ExportOptions(format=report_format, formula_guard=guard)  # type: ignore[arg-type]
            assert exported_bytes(campaign, changed, options) == reference_bytes(
                campaign, changed, options
            )


# --- records that do not fit the campaign fail as the reference rows do ------------------


def _misfits() -> list[tuple[str, ccr.Record]]:
    record = RECORDS[0]
    first, *rest = record.attempts
    unknown = ccr.Disposition("Not of this campaign")
    other_list = next(r for r in RECORDS if r.list_name != record.list_name)
    return [
        (
            "script field of a later attempt",
            attrs.evolve(record, attempts=(first, attrs.evolve(first, script_values={"x": "1"}))),
        ),
        (
            "call disposition of a later attempt",
            attrs.evolve(record, attempts=(first, attrs.evolve(first, call_disposition=unknown))),
        ),
        (
            "both dispositions unknown",
            attrs.evolve(
                record,
                attempts=(
                    attrs.evolve(
                        first,
                        call_disposition=unknown,
                        record_disposition=ccr.Disposition("Also not", final=True),
                    ),
                    *rest,
                ),
            ),
        ),
        ("a column of no list", attrs.evolve(record, fields={"Nope": "1"})),
        ("a list of no campaign", attrs.evolve(record, list_name="Nowhere")),
        (
            "a record of a list not exported",
            attrs.evolve(
                other_list,
                attempts=(attrs.evolve(other_list.attempts[0], call_disposition=unknown),),
            ),
        ),
    ]


@pytest.mark.parametrize("narrow", [False, True])
@pytest.mark.parametrize("report_format", ["simple", "detailed", "detailed-interval"])
@pytest.mark.parametrize(("what", "misfit"), _misfits(), ids=[what for what, _ in _misfits()])
def test_a_record_that_does_not_fit_fails_as_the_reference_does(
    report_format: str, what: str, misfit: ccr.Record, *, narrow: bool
) -> None:
    """Narrowed to one list and an empty interval, or not: the checks never depend on it."""
    interval = (dt.datetime(2000, 1, 1, tzinfo=MSK), dt.datetime(2000, 1, 2, tzinfo=MSK))
    options = ccr.ExportOptions(
        format=report_format,  # type: ignore[arg-type]
        lists=(FIRST_LIST,) if narrow else None,
        interval=interval if narrow or report_format == "detailed-interval" else None,
    )
    records = [RECORDS[1], misfit]
    with pytest.raises(ccr.ResultsError) as expected:
        list(ccr.report_rows(CAMPAIGN, records, options))
    with pytest.raises(ccr.ResultsError) as written:
        ccr.export(CAMPAIGN, records, io.BytesIO(), options)
    assert type(written.value) is type(expected.value), what
    assert str(written.value) == str(expected.value)
