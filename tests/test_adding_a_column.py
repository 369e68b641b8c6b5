"""The steps of docs/development/adding-a-column.md, made on a copy of the package, suffice.

The copy gets an attempt field ``campaign_tag`` and a TEXT column "Campaign
Tag" at the end of the 5.x detailed report, by exactly the edits the page
lists (no codec: TEXT is a kind the table has). A child process then exports
the column in every file format, reads it back, and keeps the field through
JSON Lines, a new results store and the platform's API. When an edit no
longer applies (the code moved), this test fails: update the page with it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cloudcontact_results as ccr

PACKAGE = Path(ccr.__file__).resolve().parent

#: (file, a text in it, what goes right after that text): the page's steps.
EDITS: tuple[tuple[str, str, str], ...] = (
    # 1. The model: the field on Attempt.
    (
        "_model/campaign.py",
        '    action_applied: str = attrs.field(default="", validator=_TEXT)\n',
        '    campaign_tag: str = attrs.field(default="", validator=_TEXT)\n',
    ),
    # 2. The report: the row's attribute (its value is the attempt's field of its name).
    ("_report/rows.py", '    action_applied: str = ""\n', '    campaign_tag: str = ""\n'),
    # 3. The column table: the column, and the layout that has it (last).
    (
        "_report/columns.py",
        '"Применённое действие", _K.TEXT)\n',
        'CAMPAIGN_TAG = Column("campaign_tag", "Campaign Tag", "Метка кампании", _K.TEXT)\n',
    ),
    (
        "_report/columns.py",
        '"call_disposition_code": ACTION_APPLIED',
        ', "is_inbound_call": CAMPAIGN_TAG',
    ),
)

#: Run with the package as it is: a store made before the field existed.
BEFORE = r"""
import datetime as dt
import pathlib
import sys

import cloudcontact_results as ccr

campaign = ccr.Campaign("C", [ccr.CallingList("L", ["phone"])])
attempts = [ccr.Attempt("+1", dt.datetime(2026, 3, 2, hour, tzinfo=dt.UTC)) for hour in (10, 11)]
with ccr.ResultsStore(pathlib.Path(sys.argv[1]) / "old.sqlite") as store:
    store.put_campaign(campaign)
    store.add_records("C", [ccr.Record("r", "L", {"phone": "+1"}, attempts)])
"""

CHILD = r'''
import datetime as dt
import io
import pathlib
import sys

import cloudcontact_results as ccr

folder = pathlib.Path(sys.argv[1])
assert pathlib.Path(ccr.__file__).parent.parent == pathlib.Path(sys.argv[2]), ccr.__file__
TAG = '=spring, "A"; весна'
campaign = ccr.Campaign("C", [ccr.CallingList("L", ["phone"])])
attempts = [
    ccr.Attempt("+1", dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), campaign_tag=TAG),
    ccr.Attempt("+1", dt.datetime(2026, 3, 2, 11, tzinfo=dt.UTC)),
]
records = [ccr.Record("r", "L", {"phone": "+1"}, attempts)]

for suffix in ("csv", "zip", "xlsx", "parquet"):
    for language in ("en", "ru"):
        path = folder / f"report-{language}.{suffix}"
        options = ccr.ExportOptions(format="detailed", layout="5.x", language=language)
        ccr.export(campaign, records, path, options)
        report = ccr.read_report(path, timezone="Europe/Moscow")
        assert report.columns[-1].attribute == "campaign_tag", (suffix, report.columns)
        assert [row.campaign_tag for row in report] == [TAG, ""], suffix
        if suffix != "parquet":
            assert report.columns[-1].header(language) in {"Campaign Tag", "Метка кампании"}
        frame = report.to_pandas()
        assert str(frame["campaign_tag"].dtype) == "string", suffix
        assert list(frame["campaign_tag"]) == [TAG, ""], suffix

# The CSV holds the cell as SPEC §7 says: guarded, quoted for its comma and quote.
text = (folder / "report-en.csv").read_text(encoding="utf-8")
assert text.splitlines()[1].endswith(""",0,"'=spring, ""A""; весна\""""), text

# The manual's layout has no such column, and reads back with the default.
ccr.export(campaign, records, folder / "manual.csv", ccr.ExportOptions(format="detailed"))
assert "Campaign Tag" not in (folder / "manual.csv").read_text(encoding="utf-8")
assert [row.campaign_tag for row in ccr.read_report(folder / "manual.csv")] == ["", ""]

# JSON Lines and a new store keep the field.
lines = io.StringIO()
ccr.dump_campaign(campaign, records, lines)
_, loaded = ccr.load_campaign(io.StringIO(lines.getvalue()))
assert list(loaded) == records
with ccr.ResultsStore(folder / "results.sqlite") as store:
    store.put_campaign(campaign)
    store.add_records("C", records)
    assert list(store.records("C")) == records

# A store made before the field existed reads it as its default, needing no
# migration; an attempt equal to a stored one but for the new field is new.
untagged = [ccr.Attempt("+1", dt.datetime(2026, 3, 2, hour, tzinfo=dt.UTC)) for hour in (10, 11)]
with ccr.ResultsStore(folder / "old.sqlite") as store:
    assert [a.campaign_tag for a in next(store.records("C")).attempts] == ["", ""]
    assert store.add_attempts("C", [("L", "r", attempt) for attempt in untagged]) == 0
    assert store.add_attempts("C", [("L", "r", attempts[0])]) == 1
    assert [a.campaign_tag for a in next(store.records("C")).attempts] == ["", TAG, ""]
    out = folder / "old.csv"
    store.export("C", out, ccr.ExportOptions(format="detailed", layout="5.x"))
    assert [row.campaign_tag for row in ccr.read_report(out)] == ["", TAG, ""]

# The platform's answer carries it under its key.
answer = (
    '[{"entry": {"phone": "+1"}, "recordId": "r", "completed": false, "attempts": ['
    '{"call_attempted": true, "date": "2026-03-02T10:00:00.000", "phone": "+1",'
    ' "campaignTag": "spring"}]}]'
)
(found,) = ccr.parse_changed(answer, campaign, "L")
assert found.record.attempts[0].campaign_tag == "spring"
(found,) = ccr.parse_changed(answer.replace("campaignTag", "Campaign Tag"), campaign, "L")
assert found.record.attempts[0].campaign_tag == "spring"
print("ok")
'''


def edited_copy(target: Path) -> Path:
    """A copy of the package under ``target`` with the page's edits made."""
    copy = target / "cloudcontact_results"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for relative, anchor, added in EDITS:
        path = copy / relative
        source = path.read_text(encoding="utf-8")
        assert source.count(anchor) == 1, f"{relative}: the page's edit no longer applies"
        path.write_text(source.replace(anchor, anchor + added), encoding="utf-8")
    return target


@pytest.mark.slow
def test_a_column_of_a_new_attempt_field_is_exported_and_read_back(tmp_path: Path) -> None:
    root = edited_copy(tmp_path / "package")
    work = tmp_path / "work"
    work.mkdir()
    before = subprocess.run(
        [sys.executable, "-c", BEFORE, str(work)],
        env={"PYTHONPATH": str(PACKAGE.parent), "PATH": "", "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert before.returncode == 0, before.stderr
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(work), str(root)],
        env={"PYTHONPATH": str(root), "PATH": "", "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=work,
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "ok"


def test_without_the_edits_the_field_is_unknown(tmp_path: Path) -> None:
    # The child's checks can fail: the unedited package has no such field.
    work = tmp_path / "work"
    work.mkdir()
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(work), str(PACKAGE.parent)],
        env={"PYTHONPATH": str(PACKAGE.parent), "PATH": "", "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=work,
    )
    assert child.returncode != 0
    assert "campaign_tag" in child.stderr
