"""The public API is exactly what the docs document: ``cloudcontact_results.__all__``."""

from __future__ import annotations

import re
import types
from pathlib import Path

import cloudcontact_results as ccr

ROOT = Path(__file__).resolve().parent.parent

#: The names the product contract lists as the public API (docs/index.md, "Every public name").
CONTRACT = {
    "CallingList", "ScriptField", "Campaign", "Record", "Attempt",
    "Disposition", "DispositionCategory", "system_disposition",
    "CPAResult", "QuotaOutcome", "NO_MATCH",
    "ExportOptions", "ReportFormat",
    "simple_rows", "detailed_rows", "report_header",
    "export", "read_report",
    "ResultsStore", "Archive", "ArchiveReason", "ExportJob", "JobRun",
}  # fmt: skip


def documented_text() -> str:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


def test_all_is_exactly_the_public_names_of_the_package() -> None:
    # dir(), not vars(): some names are imported at first use (test_import.py).
    public = {
        name
        for name in dir(ccr)
        if not name.startswith("_")
        and not isinstance(getattr(ccr, name), types.ModuleType)
        and name != "annotations"  # from __future__
    }
    assert set(ccr.__all__) == public | {"errors", "__version__"}
    assert len(ccr.__all__) == len(set(ccr.__all__))


def test_the_contract_is_exported() -> None:
    assert set(ccr.__all__) >= CONTRACT


def test_every_exported_name_is_documented() -> None:
    text = documented_text()
    missing = [name for name in ccr.__all__ if not re.search(rf"\b{re.escape(name)}\b", text)]
    assert missing == []


def test_private_modules_are_not_reached_from_the_docs() -> None:
    # Users import from the package (or its public modules), never from a private module.
    used = re.findall(r"cloudcontact_results\.(_[a-z]\w*)", documented_text())
    assert used == []
