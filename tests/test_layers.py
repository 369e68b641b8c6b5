"""The package's layers import only downwards (docs/index.md, "The layers")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cloudcontact_results"

#: Bottom to top, each layer one or more groups of modules. A module may import
#: its own group and the layers below its own; the groups of one layer are peers
#: and import none of each other (the file formats: docs/index.md, "The layers").
LAYERS: tuple[tuple[frozenset[str], ...], ...] = (
    (
        frozenset(
            {
                "_shown",
                "_closest",
                "errors",
                "_types",
                "_public",
                "_jsontext",
                "_codegen",
                "_progress",
                "_html",
            }
        ),
    ),
    (frozenset({"_model"}),),
    (frozenset({"_options"}),),
    (frozenset({"_report"}),),
    (frozenset({"_analytics"}),),
    (frozenset({"_charts"}),),
    (frozenset({"_files"}),),
    (
        frozenset({"_csv"}),
        frozenset({"_xlsx"}),
        frozenset({"_arrow"}),
        frozenset({"_jsonl", "_demo"}),
    ),
    (frozenset({"_formats"}),),
    (frozenset({"_delivery"}),),
    (frozenset({"_store"}),),
    (frozenset({"_platform"}),),
    (
        frozenset(
            {
                "_cli",
                "cli",
                "pandas",
                "arrow",
                "dask",
                "store",
                "platform",
                "analytics",
                "charts",
                "__init__",
                "__main__",
            }
        ),
    ),
)


def place_of(top: str) -> tuple[int, int]:
    """(layer, group within the layer) of a package-level name."""
    for rank, groups in enumerate(LAYERS):
        for group, names in enumerate(groups):
            if top in names:
                return rank, group
    raise AssertionError(f"{top!r} is in no layer: add it to LAYERS in {__file__}")


def layer_of(top: str) -> int:
    return place_of(top)[0]


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def top_name(path: Path) -> str:
    """The package-level name a module belongs to: ``_report/plan.py`` -> ``_report``."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def imported_tops(path: Path, source: str | None = None) -> list[tuple[int, str]]:
    """(line, package-level name) of every import of the library in ``path``, nested ones too."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if source is None:
        source = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            # Resolve the relative import against the module's own package.
            base = list(parts[: len(parts) - node.level])
            target = [*base, *(node.module.split(".") if node.module else [])]
            names = [target[0]] if target else [alias.name for alias in node.names]
            found += [(node.lineno, name) for name in names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "cloudcontact_results"
        ):
            target = (node.module or "").split(".")[1:]
            names = [target[0]] if target else [alias.name for alias in node.names]
            found += [(node.lineno, name) for name in names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("cloudcontact_results."):
                    found.append((node.lineno, alias.name.split(".")[1]))
                elif alias.name == "cloudcontact_results":
                    found.append((node.lineno, "__init__"))
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_layer_above_its_own_or_a_peer(path: Path) -> None:
    # CSV, workbooks and Parquet stand side by side: none imports another.
    own_layer, own_group = place_of(top_name(path))
    wrong = []
    for line, name in imported_tops(path):
        layer, group = place_of(name if name != "" else "__init__")
        if layer > own_layer:
            wrong.append(f"line {line}: {name}, a layer above")
        elif layer == own_layer and group != own_group:
            wrong.append(f"line {line}: {name}, a peer")
    assert wrong == [], f"{path.relative_to(PACKAGE)} imports upward or across: {wrong}"


@pytest.mark.parametrize(
    ("own", "source"),
    [
        ("_xlsx", "from .._csv.header import read_header\n"),
        ("_csv", "def late():\n    from .._arrow.table import ArrowLayout\n"),
        ("_arrow", "from cloudcontact_results._xlsx.write import sheet_name\n"),
    ],
)
def test_the_layer_test_sees_a_format_importing_another(own: str, source: str) -> None:
    probe = PACKAGE / own / "probe.py"
    (_line, name), *_ = imported_tops(probe, source)
    assert place_of(name)[0] == place_of(own)[0]
    assert place_of(name) != place_of(own)


@pytest.mark.parametrize(
    "source",
    [
        "from .._report.plan import ReportPlan\n",
        "def late():\n    from ..pandas import to_pandas\n",
        "from cloudcontact_results._formats.report import Report\n",
        "import cloudcontact_results\n",
    ],
)
def test_the_layer_test_sees_an_upward_import(source: str) -> None:
    # The check above must be able to fail: a model module importing from above.
    probe = PACKAGE / "_model" / "probe.py"
    (_line, name), *_ = imported_tops(probe, source)
    assert layer_of(name) > layer_of("_model")


def test_every_top_level_module_is_in_a_layer() -> None:
    for path in modules():
        layer_of(top_name(path))


#: Import circles known today, each to be removed; none is left.
KNOWN_CIRCLES: frozenset[frozenset[str]] = frozenset()


def module_name(path: Path) -> str:
    """The dotted name of a module: ``_cli/main.py`` -> ``cloudcontact_results._cli.main``."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Every module of the package, with the modules of the package it imports, nested ones too."""
    names = {module_name(path): path for path in modules()}
    graph: dict[str, set[str]] = {name: set() for name in names}
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    target = node.module or ""
                for alias in node.names:
                    # ``from . import store`` imports a module; ``from .x import f``, x.
                    found = (
                        f"{target}.{alias.name}" if f"{target}.{alias.name}" in names else target
                    )
                    if found in names:
                        graph[name].add(found)
            elif isinstance(node, ast.Import):
                graph[name] |= {alias.name for alias in node.names if alias.name in names}
    return graph


def circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The modules that import each other in a loop, one set a loop (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while not component or node not in component:
                component.add(stack.pop())
            if len(component) > 1 or node in graph[node]:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_through_others() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]
    unknown = [sorted(circle) for circle in circles(import_graph()) if circle not in KNOWN_CIRCLES]
    assert unknown == [], f"import circles: {unknown}"
