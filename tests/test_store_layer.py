"""The results store is a top layer: nothing below it imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import cloudcontact_results

PACKAGE = Path(cloudcontact_results.__file__).parent
#: The only modules outside the store's package that may import it.
ABOVE = {"__init__.py", "_cli_store.py"}


def imports_of(path: Path) -> set[str]:
    """The modules ``path`` imports, relative ones resolved inside the package."""
    # The package a relative import starts from: the module's own package.
    package = ".".join(path.relative_to(PACKAGE.parent).parent.parts)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base]) if base else ".".join(parts)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def test_only_the_package_root_and_the_command_line_import_the_store() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if (
            "_store" in path.relative_to(PACKAGE).parts
            or path.relative_to(PACKAGE).as_posix() in ABOVE
        ):
            continue
        if any(name.startswith("cloudcontact_results._store") for name in imports_of(path)):
            offenders.append(path.relative_to(PACKAGE).as_posix())
    assert offenders == []


def test_the_check_sees_an_import_of_the_store() -> None:
    assert "cloudcontact_results._store" in imports_of(PACKAGE / "__init__.py")
    assert "cloudcontact_results._store" in imports_of(PACKAGE / "_cli_store.py")
