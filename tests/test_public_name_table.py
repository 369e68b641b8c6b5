"""The "Every public name" table of docs/index.md matches the package and its public modules."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import cloudcontact_results as ccr

DOCS = Path(__file__).resolve().parent.parent / "docs"
PACKAGE = "cloudcontact_results"
#: The public module whose row in the table names the module itself: its
#: names are the exception tree, each on the page that row links to.
NAMED_AS_A_WHOLE = "errors"


def public_modules() -> dict[str, ModuleType]:
    """Every public module of the package, by its short name: whatever exists today."""
    found = {}
    for info in pkgutil.iter_modules(ccr.__path__):
        if not info.name.startswith("_"):
            found[info.name] = importlib.import_module(f"{PACKAGE}.{info.name}")
    return found


def table_rows() -> list[tuple[str, list[str]]]:
    """The table's rows: the first cell and the pages its last cell links to."""
    text = (DOCS / "index.md").read_text(encoding="utf-8")
    section = text.split("## Every public name", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 3 or cells[0] in {"name", "---"}:
            continue
        rows.append((cells[0], re.findall(r"\]\(([^)#]+)", cells[2])))
    return rows


def listed() -> set[tuple[str, str]]:
    """Every name the table lists, as (module, name); module "" is the package itself.

    A first cell lists names of the package (`` `Campaign` ``), names of a
    public module (`` `cloudcontact_results.pandas.to_pandas` ``, or
    `` `cloudcontact_results.dask`: `read_reports` ``), or names of the package
    that a public module has too (`` `ResultsStore` (`cloudcontact_results.store`) ``).
    """
    found = set()
    prefix = re.escape(PACKAGE)
    for first, _ in table_rows():
        also = re.findall(rf"\(`{prefix}\.(\w+)`[^)]*\)", first)
        head = re.match(rf"`{prefix}\.(\w+)`:", first)
        body = re.sub(rf"\(`{prefix}\.\w+`[^)]*\)", "", first)
        if head is not None:
            body = body[head.end() :]
        for name in re.findall(r"`([\w.]+)`", body):
            if name.startswith(f"{PACKAGE}."):
                module, _, short = name.removeprefix(f"{PACKAGE}.").rpartition(".")
                found.add((module, short))
                continue
            found.add(("" if head is None else head.group(1), name))
            if head is None:
                found.update((module, name) for module in also)
    return found


def test_the_table_is_read() -> None:
    names = listed()
    assert ("", "Campaign") in names
    assert ("store", "ResultsStore") in names
    assert ("dask", "read_reports") in names
    assert ("pandas", "to_pandas") in names


def test_every_name_the_table_lists_exists() -> None:
    modules = public_modules()
    missing = []
    for module, name in sorted(listed()):
        exported = ccr.__all__ if not module else getattr(modules.get(module), "__all__", ())
        if name not in exported:
            missing.append(f"{PACKAGE}.{module}.{name}" if module else name)
    assert missing == []


def test_every_name_of_the_package_is_in_the_table() -> None:
    names = {name for module, name in listed() if not module}
    assert [name for name in ccr.__all__ if name not in names] == []


def test_every_name_of_each_public_module_is_in_the_table() -> None:
    names = listed()
    missing = [
        f"{PACKAGE}.{module}.{name}"
        for module, public in sorted(public_modules().items())
        if module != NAMED_AS_A_WHOLE
        for name in public.__all__
        if (module, name) not in names
    ]
    assert missing == []


def test_the_module_named_as_a_whole_is_on_its_page() -> None:
    (pages,) = [pages for first, pages in table_rows() if f"`{NAMED_AS_A_WHOLE}`" in first]
    text = "\n".join((DOCS / page).read_text(encoding="utf-8") for page in pages)
    module = public_modules()[NAMED_AS_A_WHOLE]
    assert [name for name in module.__all__ if not re.search(rf"\b{name}\b", text)] == []


def test_every_page_the_table_links_to_exists() -> None:
    pages = {page for _, linked in table_rows() for page in linked}
    assert pages
    assert sorted(page for page in pages if not (DOCS / page).is_file()) == []
