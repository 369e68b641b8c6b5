"""What ``pyproject.toml`` promises installs, and the version the package reports."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import cloudcontact_results as ccr

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
    "optional-dependencies"
]
SELF = "cloudcontact-results"


def name_of(requirement: str) -> str:
    """The distribution a requirement names, normalised (PEP 503)."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name is not None, requirement
    return re.sub(r"[-_.]+", "-", name.group()).lower()


def extras_of(requirement: str) -> set[str]:
    found = re.search(r"\[([^\]]*)\]", requirement)
    return {extra.strip() for extra in found.group(1).split(",")} if found else set()


def expanded(extra: str) -> set[str]:
    """Every distribution ``extra`` installs, through the extras it names of this package."""
    names = set()
    for requirement in EXTRAS[extra]:
        if name_of(requirement) == SELF:
            for inner in extras_of(requirement):
                names |= expanded(inner)
        else:
            names.add(name_of(requirement))
    return names


def test_dask_names_dask_with_both_of_its_extras_in_one_requirement() -> None:
    (dask,) = [r for r in EXTRAS["dask"] if name_of(r) == "dask"]
    assert extras_of(dask) >= {"dataframe", "distributed"}
    # distributed comes through dask's own extra, pinned together with dask.
    assert "distributed" not in {name_of(r) for r in EXTRAS["dask"]}


def test_a_dependency_with_an_extra_of_its_own_is_listed_only_there() -> None:
    # Other extras name the extra (cloudcontact-results[xlsx]), so a version
    # bound is kept in one place.
    own = {"pandas": "pandas", "arrow": "pyarrow", "xlsx": "openpyxl", "dask": "dask"}
    where = sorted(
        (extra, name_of(r))
        for extra, requirements in EXTRAS.items()
        for r in requirements
        if name_of(r) in own.values()
    )
    assert where == sorted(own.items())


def test_every_extra_this_package_names_exists() -> None:
    named = {
        extra
        for requirements in EXTRAS.values()
        for r in requirements
        if name_of(r) == SELF
        for extra in extras_of(r)
    }
    assert named <= set(EXTRAS)


def notebook_imports() -> set[str]:
    """The top-level modules the example notebook's code cells import."""
    import nbformat  # noqa: PLC0415  # the notebook's own reader

    notebook = nbformat.read(ROOT / "examples" / "analyse_export.ipynb", as_version=4)
    found = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_the_notebook_extra_installs_what_the_notebook_and_its_runner_import() -> None:
    installed = expanded("notebook")
    standard = set(sys.stdlib_module_names) | {"cloudcontact_results"}
    # Its cells write Parquet and workbooks and read them back (pyarrow,
    # XlsxWriter, openpyxl), and tests/test_examples.py runs it headless.
    # A module's distribution, as name_of() writes it: IPython comes with ipython.
    needed = {name.lower() for name in notebook_imports() - standard} | {
        "pyarrow",
        "xlsxwriter",
        "openpyxl",
        "pandas",
        "ipykernel",
        "nbclient",
        "nbformat",
    }
    assert needed - installed == set()


def test_the_test_extra_installs_every_extra_the_suite_uses() -> None:
    assert expanded("test") >= expanded("notebook") | expanded("dask") | expanded("xlsx")


def test_version_comes_from_the_package_metadata() -> None:
    assert ccr.__version__ == importlib.metadata.version(SELF)
    assert "__version__" in ccr.__all__


def test_version_has_a_fallback_when_the_package_is_not_installed() -> None:
    code = (
        "import importlib.metadata as m\n"
        "def missing(name):\n"
        "    raise m.PackageNotFoundError(name)\n"
        "m.version = missing\n"
        "import cloudcontact_results\n"
        "print(cloudcontact_results.__version__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.stdout.strip() == "0+unknown"
