"""Edges of the reports found by mutation testing: summary text and counts.

Mutation testing: docs/development/quality.md. Every expected value here is
worked out by hand from docs/reading.md.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import traceback

import attrs
import pytest

import cloudcontact_results as ccr
from tests.support.samples import NO_ANSWER

T0 = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
AGREED = ccr.Disposition("Agreed", code="1", final=True)
CAMPAIGN = ccr.Campaign("c", [ccr.CallingList("L", ["Phone"])], dispositions=[AGREED])


def attempt(phone: str, time: dt.datetime, **values: object) -> ccr.Attempt:
    return ccr.Attempt(phone, time, **values)  # type: ignore[arg-type]


#: Record 1 completes on its second attempt, record 2 never does, record 3 is never dialled.
RECORDS = [
    ccr.Record(
        "1",
        "L",
        {"Phone": "1"},
        [
            attempt("1", T0, call_disposition=NO_ANSWER, cpa_result=8),
            attempt(
                "1",
                T0 + HOUR,
                call_disposition=AGREED,
                record_disposition=AGREED,
                agent="ivanov",
                answered_duration=60,
                cpa_result=1,
            ),
        ],
    ),
    ccr.Record(
        "2",
        "L",
        {"Phone": "2"},
        [
            attempt("2", T0, call_disposition=NO_ANSWER, cpa_result=8),
            # Not Voice, but one second answered: a person answered all the same.
            attempt(
                "2", T0 + 2 * HOUR, call_disposition=NO_ANSWER, agent="petrov", answered_duration=1
            ),
        ],
    ),
    ccr.Record("3", "L", {"Phone": "3"}),
]


def test_detailed_summary_text():
    result = ccr.summary(ccr.detailed_rows(CAMPAIGN, RECORDS, ccr.ExportOptions(format="detailed")))
    assert result.answered == 2
    assert str(result) == (
        "detailed report: 4 rows, 2 records\n"
        "completed: 1 (50.0%)\n"
        "dialled attempts: 4 (2.00 per record)\n"
        "contact rate: 50.0%\n"
        "call dispositions:\n"
        "  No answer: 3\n"
        "  Agreed: 1\n"
        "record dispositions:\n"
        "  Agreed: 1\n"
        "  (none): 1\n"
        "agents:\n"
        "  ivanov: 1 attempts, 60 s talk, 1 completions\n"
        "  petrov: 1 attempts, 1 s talk, 0 completions"
    )


def test_simple_summary_text():
    result = ccr.summary(ccr.simple_rows(CAMPAIGN, RECORDS))
    assert str(result) == (
        "simple report: 3 rows, 3 records\n"
        "completed: 1 (33.3%)\n"
        "dialled attempts: 4 (1.33 per record)\n"
        "contact rate: 100.0%\n"
        "call dispositions:\n"
        "  Agreed: 1\n"
        "  No answer: 1\n"
        "  (none): 1\n"
        "record dispositions:\n"
        "  (none): 2\n"
        "  Agreed: 1\n"
        "agents:\n"
        "  ivanov: 1 attempts, 60 s talk, 1 completions\n"
        "  petrov: 1 attempts, 1 s talk, 0 completions"
    )


def test_summary_without_agents_or_dispositions_has_no_such_sections():
    records = [ccr.Record("1", "L", {"Phone": "1"}, [attempt("1", T0, cpa_result=8)])]
    result = ccr.summary(ccr.detailed_rows(CAMPAIGN, records, ccr.ExportOptions(format="detailed")))
    assert str(result) == (
        "detailed report: 1 rows, 1 records\n"
        "completed: 0 (0.0%)\n"
        "dialled attempts: 1 (1.00 per record)\n"
        "contact rate: 0.0%\n"
        "call dispositions:\n"
        "  (none): 1\n"
        "record dispositions:\n"
        "  (none): 1"
    )


def test_simple_contact_rate_counts_last_attempts_answered_for_more_than_zero_seconds():
    records = [
        # Dialled, last attempt not answered (0 s).
        ccr.Record("1", "L", {"Phone": "1"}, [attempt("1", T0, call_disposition=NO_ANSWER)]),
        # Dialled, answered for one second.
        ccr.Record(
            "2",
            "L",
            {"Phone": "2"},
            [attempt("2", T0, call_disposition=NO_ANSWER, answered_duration=1, agent="petrov")],
        ),
        # Its one attempt was not dialled: no dialled attempt, so not in the rate.
        ccr.Record(
            "3",
            "L",
            {"Phone": "3"},
            [attempt("3", T0, call_disposition=NO_ANSWER, is_call_attempt=False)],
        ),
    ]
    result = ccr.summary(ccr.simple_rows(CAMPAIGN, records))
    assert (result.attempts, result.contact_attempts, result.answered) == (2, 2, 1)
    assert result.contact_rate == 0.5
    assert result.call_dispositions == {"No answer": 3}
    assert result.agents == {"petrov": ccr.AgentFigures(1, 1, 0)}


def test_simple_summary_of_a_file_without_a_last_call_duration():
    # A platform file may leave Last Call Duration empty on an attempted record:
    # the attempt was dialled, nobody talked.
    header = [column.en for column in ccr.SIMPLE_COLUMNS]
    cells = ["1", "0", "", "", "0", "", "+7916", "No answer", "", "", "2026-03-02 10:00:00"]
    cells += ["", "ivanov", "ID", "L"]
    data = (",".join(header) + "\r\n" + ",".join(cells) + "\r\n").encode()
    result = ccr.read_report(io.BytesIO(data)).summary()
    assert (result.contact_attempts, result.answered) == (1, 0)
    assert result.agents == {"ivanov": ccr.AgentFigures(1, 0, 0)}


def test_summary_refuses_rows_of_two_reports():
    simple = next(ccr.simple_rows(CAMPAIGN, RECORDS))
    detailed = next(ccr.detailed_rows(CAMPAIGN, RECORDS, ccr.ExportOptions(format="detailed")))
    with pytest.raises(ccr.errors.CampaignMismatchError) as caught:
        ccr.summary([simple, detailed])
    assert caught.value.field == "rows[]"
    assert caught.value.value is detailed
    assert caught.value.reason == "mixes the rows of two reports"
    # The message shows the offending row, cut short (docs/security.md: bounded messages).
    assert str(caught.value).startswith("rows[]: mixes the rows of two reports (got DetailedRow(")
    assert caught.value.value is detailed


# --- Report.to_pandas() -------------------------------------------------------

FRAME_CAMPAIGN = ccr.Campaign(
    "c",
    [ccr.CallingList("L", ["comment", "list_name"])],
    script_fields=[ccr.ScriptField("comment")],
)
FRAME_RECORDS = [
    ccr.Record(
        "1",
        "L",
        {"comment": "from the list", "list_name": "a column of the list"},
        [
            attempt(
                "+7916",
                T0,
                call_disposition=NO_ANSWER,
                cpa_result=6,
                sip_code=486,
                quota=ccr.QuotaOutcome(ccr.NO_MATCH),
                script_values={"comment": "from the script"},
            )
        ],
    ),
    ccr.Record("2", "L", {"comment": "", "list_name": ""}),
]


def frame_of(**options: object):
    pytest.importorskip("pandas")
    stream = io.BytesIO()
    ccr.export(FRAME_CAMPAIGN, FRAME_RECORDS, stream, ccr.ExportOptions(**options))  # type: ignore[arg-type]
    stream.seek(0)
    return ccr.read_report(stream, script_fields=["comment"]).to_pandas()


def test_frame_names_repeated_and_clashing_columns_apart():
    # docs/reading.md: list columns and script fields keep their header names, a
    # repeated name gets " (2)"; report columns are named by their row attribute.
    # A list column named like a row attribute is a repeated name too: its values
    # must not be lost behind the report column's.
    frame = frame_of(format="detailed")
    names = [column.attribute for column in ccr.DETAILED_COLUMNS]
    assert list(frame.columns) == ["comment", "list_name (2)", "comment (2)", *names]
    assert list(frame["comment"]) == ["from the list"]
    assert list(frame["list_name (2)"]) == ["a column of the list"]
    assert list(frame["comment (2)"]) == ["from the script"]
    assert list(frame["list_name"]) == ["L"]
    assert {str(frame[name].dtype) for name in ("comment", "list_name (2)", "comment (2)")} == {
        "string"
    }


@pytest.mark.parametrize(("language", "no_match"), [("en", "no match"), ("ru", "не соответствует")])
def test_frame_shows_no_match_and_notes_as_the_report_writes_them(language, no_match):
    frame = frame_of(format="detailed", language=language)
    assert list(frame["quota_group"]) == [no_match]
    label = "Busy" if language == "en" else "Занят"
    assert list(frame["call_note"]) == [f"CPA: {label} (6); SIP: 486 Busy Here"]
    assert list(frame["cpa_result"]) == [6]
    assert str(frame["cpa_result"].dtype) == "Int64"


def test_frame_of_a_simple_report_keeps_missing_values_missing():
    pd = pytest.importorskip("pandas")
    frame = frame_of()
    assert list(frame["total_attempts"]) == [1, 0]
    assert frame["last_call_duration"].isna().tolist() == [False, True]
    assert frame["last_call_time"].isna().tolist() == [False, True]
    assert frame["quota_group"].tolist()[0] == "no match"
    assert frame["quota_group"].tolist()[1] is pd.NA


def test_frame_without_pandas_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    stream = io.BytesIO()
    ccr.export(FRAME_CAMPAIGN, FRAME_RECORDS, stream)
    stream.seek(0)
    with pytest.raises(ImportError) as caught:
        ccr.read_report(stream, script_fields=["comment"]).to_pandas()
    assert str(caught.value) == (
        "Report.to_pandas() needs pandas: pip install 'cloudcontact-results[pandas]'"
    )


# --- what the errors of the report functions say ---------------------------------------


def test_a_record_of_another_shape_is_named():
    with pytest.raises(ccr.errors.CampaignMismatchError) as caught:
        list(ccr.simple_rows(CAMPAIGN, [42]))  # type: ignore[list-item]
    assert str(caught.value) == "records[]: must be a Record (got 42)"


def test_a_field_that_is_no_column_of_the_list_is_named():
    record = ccr.Record("7", "L", {"Phone": "1", "Email": "a@b"})
    with pytest.raises(ccr.errors.CampaignMismatchError) as caught:
        list(ccr.simple_rows(CAMPAIGN, [record]))
    assert str(caught.value) == "Record '7'.fields: is not a column of list 'L' (got 'Email')"


def test_a_script_value_of_no_script_field_is_named():
    record = ccr.Record("7", "L", {"Phone": "1"}, [attempt("1", T0, script_values={"q": "a"})])
    with pytest.raises(ccr.errors.CampaignMismatchError) as caught:
        list(ccr.simple_rows(CAMPAIGN, [record]))
    assert str(caught.value) == (
        "Record '7'.attempts[0].script_values: is not a script field of campaign 'c' (got 'q')"
    )


def test_an_unknown_disposition_says_how_to_report_it():
    unknown = ccr.Disposition("Перезвонить")
    record = ccr.Record("7", "L", {"Phone": "1"}, [attempt("1", T0, call_disposition=unknown)])
    with pytest.raises(ccr.errors.UnknownDispositionError) as caught:
        list(ccr.simple_rows(CAMPAIGN, [record]))
    assert str(caught.value) == (
        "Record '7'.attempts[0].call_disposition: is neither a disposition of campaign 'c' "
        "nor a system one "
        "(report_unknown_dispositions=True reports it as 'Disposition not found') "
        "(got 'Перезвонить')"
    )


@pytest.mark.parametrize("not_a_row", [42, "row", None])
def test_formatting_something_that_is_no_row_is_named(not_a_row):
    with pytest.raises(ccr.errors.CampaignMismatchError) as caught:
        ccr.format_row(not_a_row)  # type: ignore[arg-type]
    assert str(caught.value) == f"row: must be a SimpleRow or a DetailedRow (got {not_a_row!r})"


def test_generated_row_code_is_named_exactly_in_tracebacks():
    (row,) = ccr.simple_rows(CAMPAIGN, RECORDS[:1])
    broken = attrs.evolve(row, last_call_time="not a time")
    with pytest.raises(AttributeError) as caught:
        ccr.format_row(broken)
    files = [frame.filename for frame in traceback.extract_tb(caught.value.__traceback__)]
    assert any(re.fullmatch(r"<cloudcontact_results generated simple rows #\d+>", f) for f in files)


# --- summary: formats, empty reports, order -----------------------------------------------


def test_summary_of_a_report_without_rows_keeps_the_reports_format():
    header = ",".join(column.en for column in ccr.DETAILED_COLUMNS) + "\r\n"
    result = ccr.read_report(io.BytesIO(header.encode())).summary()
    assert result == ccr.Summary(ccr.ReportFormat.DETAILED, 0, 0, 0, 0, 0, 0, {}, {}, {})
    assert str(result).splitlines()[0] == "detailed report: 0 rows, 0 records"


def test_summary_of_nothing():
    assert ccr.summary([]) == ccr.Summary(None, 0, 0, 0, 0, 0, 0, {}, {}, {})


def test_summary_lists_agents_and_dispositions_most_frequent_first():
    def record(number: str, agents: list[str]) -> ccr.Record:
        attempts = [
            attempt(number, T0 + index * HOUR, call_disposition=NO_ANSWER, agent=agent)
            for index, agent in enumerate(agents)
        ]
        return ccr.Record(number, "L", {"Phone": number}, attempts)

    records = [record("1", ["alpha", "zeta"]), record("2", ["zeta", "mid", "mid", "zeta"])]
    result = ccr.summary(ccr.detailed_rows(CAMPAIGN, records, ccr.ExportOptions(format="detailed")))
    assert list(result.agents) == ["zeta", "mid", "alpha"]
    assert [figures.attempts for figures in result.agents.values()] == [3, 2, 1]


def test_a_campaign_and_options_of_another_type_are_named():
    with pytest.raises(ccr.errors.CampaignMismatchError) as caught:
        ccr.report_header("Опрос")  # type: ignore[arg-type]
    assert str(caught.value) == "campaign: must be a Campaign (got 'Опрос')"
    with pytest.raises(ccr.errors.OptionsError) as caught_options:
        ccr.report_header(CAMPAIGN, {"format": "simple"})  # type: ignore[arg-type]
    assert str(caught_options.value) == (
        "options: must be ExportOptions or None (got {'format': 'simple'})"
    )


def test_frame_numbers_a_name_past_the_numbers_already_taken():
    pytest.importorskip("pandas")
    campaign = ccr.Campaign(
        "c", [ccr.CallingList("L", ["c (2)", "c"])], script_fields=[ccr.ScriptField("c")]
    )
    stream = io.BytesIO()
    ccr.export(campaign, [ccr.Record("1", "L", {"c (2)": "x", "c": "y"})], stream)
    stream.seek(0)
    frame = ccr.read_report(stream, script_fields=["c"]).to_pandas()
    assert list(frame.columns[:3]) == ["c (2)", "c", "c (3)"]
