"""The examples a new user starts from run headless, quickly, and show what they promise."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import nbclient
import nbformat
import pytest
from ipykernel.kernelspec import install
from jupyter_client.kernelspec import KernelSpecManager

EXAMPLES = Path(__file__).parent.parent / "examples"
# Each example starts a Python (the notebook a kernel) of its own.
pytestmark = pytest.mark.slow

#: Each example must stay quick to try.
BUDGET_SECONDS = 20


def cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended.

    The budget is for the example's work: wall time would also count every
    other process of a busy machine (a parallel run of this suite, for one).
    The example's Python, or the notebook's kernel, is a child that has
    ended by the time the budget is checked.
    """
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_example(name: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    started = cpu_seconds()
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env={**os.environ, "MPLBACKEND": "Agg"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert cpu_seconds() - started < BUDGET_SECONDS
    return result


def test_quickstart(tmp_path: Path) -> None:
    output = run_example("quickstart.py", tmp_path).stdout

    assert "wrote simple.csv: 3 rows" in output
    assert "wrote detailed.csv: 3 rows" in output
    assert "CPA: Busy (6); SIP: 486 Busy Here" in output
    assert "detailed report: 3 rows, 2 records" in output
    assert list(tmp_path.iterdir()) == []  # it cleans up after itself


def test_dialer_events(tmp_path: Path) -> None:
    output = run_example("dialer_events.py", tmp_path).stdout

    assert "simple.csv: 3 rows" in output
    assert "detailed.csv: 5 rows" in output
    assert "Обещал оплатить,PTP" in output
    assert "CPA: Занят (6); SIP: 486 Busy Here" in output
    assert "Завершен по правилу набора" in output


@pytest.fixture
def python3_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The ``python3`` kernel; installed into a temporary prefix if the environment lacks it."""
    if "python3" not in KernelSpecManager().find_kernel_specs():
        install(prefix=str(tmp_path / "prefix"))
        monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "prefix" / "share" / "jupyter"))
    return "python3"


def test_notebook(python3_kernel: str, tmp_path: Path) -> None:
    notebook = nbformat.read(EXAMPLES / "analyse_export.ipynb", as_version=4)
    nbformat.validate(notebook)
    started = cpu_seconds()

    nbclient.NotebookClient(
        notebook,
        kernel_name=python3_kernel,
        timeout=60,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()

    assert cpu_seconds() - started < BUDGET_SECONDS
    outputs = [
        output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    ]
    assert not [output for output in outputs if output.output_type == "error"]
    text = "\n".join(
        str(output.get("text", "")) + str(output.get("data", {}).get("text/plain", ""))
        for output in outputs
    )
    assert "detailed report: 542 rows" in text
    assert "call_disposition" in text  # the pivot
    assert "ListProgressRow(list_name=" in text  # the analytics
    assert "unattended_rate" in text
    shown = "\n".join(str(output.get("data", {}).get("text/html", "")) for output in outputs)
    assert "<caption>Agents" in shown
    assert "<caption>List progress" in shown
    assert "Операторы | Оператор | Вызовы" in text
    assert "talk seconds" in text  # polars, through Arrow
    assert "('Busy'," in text or "('No answer'," in text  # DuckDB over the Parquet file
    assert "workbook: 542 rows" in text
    assert text.rstrip().endswith("True")  # the chart was saved
    assert list(tmp_path.iterdir()) == []  # the notebook cleans up after itself
