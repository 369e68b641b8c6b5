"""The reader finds the report's columns by name: any order, 5.x columns, unknown ones kept.

The answer keys here are the files themselves, rewritten with the standard
``csv`` module: the report columns of an export shuffled, unknown columns
inserted among them, and the result compared with what the unshuffled export
reads as.
"""

from __future__ import annotations

import csv
import io
import zipfile

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results.cli import main
from tests.conftest import examples
from tests.support.samples import DETAILED_EN, DETAILED_RU
from tests.support.strategies import campaign_with_records, cell_texts, export_options

DELIMITERS = {"platform": ",", "excel": ",", "excel-ru": ";"}
BOM = "\ufeff"


def fold(name: str) -> str:
    return " ".join(name.replace("ё", "е").replace("Ё", "Е").casefold().split())


#: Every header the reader knows (docs/reading.md's table), folded.
KNOWN = frozenset(
    fold(name)
    for name in (
        *(column.en for column in (*ccr.SIMPLE_COLUMNS, *ccr.DETAILED_COLUMNS)),
        *(column.ru for column in (*ccr.SIMPLE_COLUMNS, *ccr.DETAILED_COLUMNS)),
        "Total attempts",
        "ANI",
        "АОН",
        "Action Applied",
        "Применённое действие",
    )
)


def parse(data: bytes, delimiter: str) -> tuple[bool, list[list[str]]]:
    text = data.decode("utf-8")
    bom = text.startswith(BOM)
    return bom, list(
        csv.reader(io.StringIO(text.removeprefix(BOM), newline=""), delimiter=delimiter)
    )


def write(rows: list[list[str]], delimiter: str, *, bom: bool) -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return ((BOM if bom else "") + text.getvalue()).encode()


def leading_count(campaign: ccr.Campaign) -> int:
    """List columns (the union of the lists') and exported script fields."""
    columns = dict.fromkeys(column for cl in campaign.lists for column in cl.columns)
    return len(columns) + len(campaign.exported_script_fields)


def read(data: bytes, campaign: ccr.Campaign, options: ccr.ExportOptions) -> ccr.Report:
    return ccr.read_report(
        io.BytesIO(data),
        timezone=options.timezone,
        script_fields=[field.name for field in campaign.exported_script_fields],
        formula_guard=options.formula_guard,
    )


def unknown_names() -> st.SearchStrategy[str]:
    return (
        st.one_of(
            st.sampled_from(("Note from CRM", "Комментарий CRM", "Campaign ID")), cell_texts()
        )
        .map(str.strip)
        .filter(lambda name: name and not name.startswith("'") and fold(name) not in KNOWN)
    )


@st.composite
def rearranged(draw: st.DrawFn):
    campaign, records = draw(campaign_with_records(max_records=5))
    options = draw(export_options(layout=st.sampled_from(["manual", "5.x"])))
    exported = io.BytesIO()
    ccr.export(campaign, records, exported, options)
    delimiter = DELIMITERS[options.dialect]
    bom, (header, *rows) = parse(exported.getvalue(), delimiter)

    lead = leading_count(campaign)
    order = draw(st.permutations(range(lead, len(header))))
    names = draw(st.lists(unknown_names(), max_size=3, unique=True))
    # Unknown columns go anywhere after the first report column.
    slots = [draw(st.integers(1, len(order) + position)) for position in range(len(names))]
    values = st.lists(
        cell_texts().filter(lambda text: not text.startswith("'")),
        min_size=len(names),
        max_size=len(names),
    )

    def rearrange(cells: list[str], inserted: list[str]) -> list[str]:
        report = [cells[position] for position in order]
        for slot, value in zip(slots, inserted, strict=True):
            report.insert(slot, value)
        return cells[:lead] + report

    new_header = rearrange(header, names)
    extras = [draw(values) for _ in rows]
    new_rows = [rearrange(cells, inserted) for cells, inserted in zip(rows, extras, strict=True)]
    file_order = [name for name in new_header[lead:] if name in names]
    return (
        campaign,
        options,
        exported.getvalue(),
        write([new_header, *new_rows], delimiter, bom=bom),
        [dict(zip(names, inserted, strict=True)) for inserted in extras],
        tuple(file_order),
    )


@pytest.mark.slow
@settings(max_examples=examples(60))
@given(rearranged())
def test_shuffled_report_columns_and_unknown_columns_read_as_the_plain_export(case):
    campaign, options, plain, shuffled, extras, extra_columns = case

    expected_report = read(plain, campaign, options)
    expected = list(expected_report)
    report = read(shuffled, campaign, options)
    rows = list(report)

    assert [attrs.evolve(row, extra={}) for row in rows] == expected
    assert [dict(row.extra) for row in rows] == extras
    assert report.extra_columns == extra_columns
    assert (report.format, report.language, report.columns) == (
        expected_report.format,
        expected_report.language,
        expected_report.columns,
    )
    assert report.list_columns == expected_report.list_columns


# --- examples -----------------------------------------------------------------------------

ROW = {
    "This Phone number": "+79160000001",
    "Is Call Attempt": "1",
    "Completed": "0",
    "Record Disposition": "",
    "Record Disposition Code": "",
    "Out of Quota": "0",
    "Quota Group": "",
    "Call Disposition": "Busy",
    "Call Disposition Code": "",
    "Call Note": "CPA: Busy (6); SIP: 486 Busy Here",
    "Call Time": "2026-03-02 10:00:00",
    "Dialing Duration": "5",
    "CPA Duration": "1",
    "Answered Duration": "0",
    "Agent": "",
    "CPA result": "6",
    "CPA recording file": "",
    "CPA RTP server id": "",
    "Recording file": "",
    "RTP server id": "",
    "Global Interaction ID": "G1",
    "Record ID": "42",
    "List Name": "Клиенты",
    "Is Inbound Call": "0",
}


def detailed_file(columns: dict[str, str], leading: dict[str, str] | None = None) -> bytes:
    leading = {"Фамилия": "Иванов"} if leading is None else leading
    return write([[*leading, *columns], [*leading.values(), *columns.values()]], ",", bom=False)


def only_row(data: bytes, **kwargs: object) -> ccr.DetailedRow:
    (row,) = ccr.read_report(io.BytesIO(data), **kwargs)  # type: ignore[arg-type]
    assert isinstance(row, ccr.DetailedRow)
    return row


def test_a_5x_file_with_ani_first_and_action_applied_last():
    columns = {"ANI": "+74951112233", **ROW, "Action Applied": "Retry"}
    row = only_row(detailed_file(columns))
    assert (row.ani, row.action_applied) == ("+74951112233", "Retry")
    assert row.fields == {"Фамилия": "Иванов"}
    assert row.extra == {}


def test_a_file_without_the_5x_columns_reads_them_as_empty():
    report = ccr.read_report(io.BytesIO(detailed_file(ROW)))
    (row,) = report
    assert (row.ani, row.action_applied) == ("", "")
    assert "ani" not in [column.attribute for column in report.columns]


def test_only_action_applied_leaves_ani_empty():
    row = only_row(detailed_file({**ROW, "Action Applied": "Wait"}))
    assert (row.ani, row.action_applied) == ("", "Wait")


def test_a_list_column_named_like_a_5x_column_stays_a_list_column():
    # The report's ANI is the last one: the earlier one is the list's.
    data = detailed_file({**ROW, "ANI": "+74951112233"}, leading={"ANI": "9161234567", "№": "1"})
    report = ccr.read_report(io.BytesIO(data))
    (row,) = report
    assert report.list_columns == ("ANI", "№")
    assert row.fields == {"ANI": "9161234567", "№": "1"}
    assert row.ani == "+74951112233"


def test_a_list_column_named_like_a_report_column_stays_a_list_column():
    data = detailed_file(ROW, leading={"Agent": "список", "№": "1"})
    (row,) = ccr.read_report(io.BytesIO(data))
    assert row.fields == {"Agent": "список", "№": "1"}
    assert row.agent == ""


def test_a_russian_header_may_leave_the_5x_columns_in_english():
    columns = dict(zip(DETAILED_RU, ROW.values(), strict=True)) | {
        "ANI": "+7495",
        "Action Applied": "Wait",
    }
    report = ccr.read_report(io.BytesIO(detailed_file(columns)))
    (row,) = report
    assert report.language is ccr.Language.RU
    assert (row.ani, row.action_applied, row.extra) == ("+7495", "Wait", {})


def test_the_5x_columns_are_read_in_russian_too():
    columns = dict(zip(DETAILED_RU, ROW.values(), strict=True))
    columns |= {"АОН": "+7495", "Примененное действие": "Wait"}  # е for ё, as typed
    row = only_row(detailed_file(columns))
    assert (row.ani, row.action_applied) == ("+7495", "Wait")


def test_a_report_column_given_twice_is_an_error():
    header = [*DETAILED_EN, "Call Time"]
    data = write([header, [*ROW.values(), "2026-03-02 11:00:00"]], ",", bom=False)
    with pytest.raises(ccr.errors.ReadError) as caught:
        ccr.read_report(io.BytesIO(data))
    assert caught.value.line == 1
    assert caught.value.column == "Call Time"
    assert "twice" in str(caught.value)


def test_both_spellings_of_total_attempts_at_once_is_an_error():
    # Both after the first report column: a column before it would be a list column.
    header = [column.en for column in ccr.SIMPLE_COLUMNS]
    header[0], header[1] = header[1], header[0]
    header.append("Total attempts")
    data = write([header, ["1"] * len(header)], ",", bom=False)
    with pytest.raises(ccr.errors.ReadError, match="twice"):
        ccr.read_report(io.BytesIO(data))


def test_an_unknown_column_given_twice_is_an_error():
    data = detailed_file({**ROW, "X": "1", "Y": "2"}).replace(b",Y,", b",X,", 1)
    data = data.replace(b"Is Inbound Call,X,Y", b"Is Inbound Call,X,X")
    with pytest.raises(ccr.errors.ReadError) as caught:
        ccr.read_report(io.BytesIO(data))
    assert (caught.value.line, caught.value.column) == (1, "X")


def test_a_missing_report_column_is_named():
    columns = {name: value for name, value in ROW.items() if name != "Call Time"}
    with pytest.raises(ccr.errors.ReadError) as caught:
        ccr.read_report(io.BytesIO(detailed_file(columns)))
    assert "'Call Time'" in str(caught.value)
    assert caught.value.line == 1


def test_unknown_columns_reach_pandas_after_the_report_columns():
    pytest.importorskip("pandas")
    columns = {**ROW, "Note from CRM": "VIP", "ANI": "+7495", "Фамилия": "клон"}
    frame = ccr.read_report(io.BytesIO(detailed_file(columns))).to_pandas()
    assert list(frame.columns)[-4:] == ["is_inbound_call", "ani", "Note from CRM", "Фамилия (2)"]
    assert (frame["ani"][0], frame["Note from CRM"][0], frame["Фамилия (2)"][0]) == (
        "+7495",
        "VIP",
        "клон",
    )


def test_to_pandas_carries_the_5x_columns():
    pytest.importorskip("pandas")
    campaign, records = ccr.demo_campaign(10)
    stream = io.BytesIO()
    ccr.export(campaign, records, stream, ccr.ExportOptions(format="detailed", layout="5.x"))
    stream.seek(0)
    frame = ccr.read_report(stream).to_pandas()
    records = list(ccr.demo_campaign(10)[1])
    attempts = [attempt for record in records for attempt in record.attempts]
    assert list(frame["ani"]) == [attempt.ani for attempt in attempts]
    assert list(frame["action_applied"]) == [attempt.action_applied for attempt in attempts]
    assert str(frame["ani"].dtype) == "string"


def test_the_jupyter_preview_shows_unknown_columns_under_their_names():
    report = ccr.read_report(io.BytesIO(detailed_file({**ROW, "Note from CRM": "VIP"})))
    html = report._repr_html_()
    assert "<th>Note from CRM</th>" in html
    assert "<td>VIP</td>" in html
    assert "1 unknown columns" in repr(report)


def test_a_5x_zip_export_round_trips_through_a_path(tmp_path):
    campaign, records = ccr.demo_campaign(8)
    records = list(records)
    options = ccr.ExportOptions(format="detailed", layout="5.x", compress=True)
    path = tmp_path / "results.zip"
    ccr.export(campaign, records, path, options)
    with zipfile.ZipFile(path) as archive:
        header = archive.read("results.csv").decode().splitlines()[0].split(",")
    assert header[header.index("This Phone number") + 1] == "ANI"
    assert header[header.index("Call Disposition Code") + 1] == "Action Applied"
    rows = list(ccr.read_report(path))
    assert [row.action_applied for row in rows] == [
        attempt.action_applied for record in records for attempt in record.attempts
    ]


def test_inspect_names_the_unknown_columns(tmp_path, capsys):
    path = tmp_path / "unknown.csv"
    path.write_bytes(detailed_file({**ROW, "Note from CRM": "VIP"}))
    assert main(["inspect", str(path)]) == 0
    assert "unknown:  'Note from CRM' (kept in row.extra)" in capsys.readouterr().out
