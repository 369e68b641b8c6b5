"""The test commands the README and docs/development give are the ones CI and pytest know."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL = "python -m pytest -n auto"
QUICK = 'python -m pytest -n auto -m "not slow and not memory"'


def text(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def last_command(line: str) -> str:
    """The command after a line's last ``&&``."""
    return line.rsplit("&&", 1)[-1].strip()


def test_the_readme_test_command_is_the_parallel_run() -> None:
    block = re.search(r"```sh\n(.*?)```", text("README.md"), re.DOTALL)
    assert block is not None
    assert last_command(block.group(1).splitlines()[1]) == FULL


def test_ci_runs_the_readme_test_command() -> None:
    steps = [last_command(line) for line in text(".ci/run").splitlines() if "pytest" in line]
    assert FULL in steps
    # The memory checks stay a step of their own, after the suite.
    assert steps.index(FULL) < max(i for i, step in enumerate(steps) if "-m memory" in step)


def test_the_quick_subset_is_documented_and_leaves_out_both_markers() -> None:
    assert QUICK in text("README.md")
    assert QUICK in text("docs/development/README.md")
    # A command-line -m replaces the one in addopts, so the quick command
    # must leave the memory checks out itself.
    options = tomllib.loads(text("pyproject.toml"))["tool"]["pytest"]["ini_options"]
    default = options["addopts"][options["addopts"].index("-m") + 1]
    assert set(re.findall(r"not (\w+)", default)) == {"memory", "long"}
    expression = shlex.split(QUICK)[-1]
    assert {"slow", "memory"} <= set(re.findall(r"not (\w+)", expression))
    markers = {line.split(":", 1)[0] for line in options["markers"]}
    assert {"slow", "memory", "long"} <= markers
    # The quick command does not name the long runs: each is marked slow too.
    for path in (ROOT / "tests").glob("test_*.py"):
        for decorators in re.findall(r"((?:@pytest\.mark\.\w+\n)+)def ", path.read_text("utf-8")):
            if "@pytest.mark.long" in decorators:
                assert "@pytest.mark.slow" in decorators, path
