"""Every Python block of the README and the docs runs: as a doctest, or here.

A ```python block is either a doctest (its first line starts with ``>>>``;
pytest runs it with ``--doctest-glob=*.md``), or a script preceded by the
line :data:`MARKER`, which this file runs with what it needs around it (a
file to read, a fake platform, an in-process cluster). Shell, JSON and text
blocks are not Python and are not run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import cloudcontact_results as ccr
from tests.support.platform_server import TOKEN, FakePlatform

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
MARKER = "<!-- run by tests/test_docs_code_blocks.py -->"
PYTHON = {"python", "py", "pycon"}
FENCE = re.compile(r"^```(?P<language>[\w-]*)[^\n]*\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)


class Block:
    """A fenced block of a page: its language, its code, and whether the marker precedes it."""

    def __init__(self, page: Path, text: str, match: re.Match[str]) -> None:
        self.page = page.relative_to(ROOT).as_posix()
        self.line = text.count("\n", 0, match.start()) + 1
        self.language = match.group("language")
        self.body = match.group("body")
        before = text[: match.start()].rstrip("\n").rpartition("\n")[2]
        self.marked = before.strip() == MARKER

    @property
    def is_doctest(self) -> bool:
        return self.body.lstrip().startswith(">>>")

    def __repr__(self) -> str:
        return f"{self.page}:{self.line}"


def blocks() -> list[Block]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        found += [Block(page, text, match) for match in FENCE.finditer(text)]
    return found


def scripts() -> dict[str, Block]:
    """The marked blocks, by the first line of their code (how a runner below names one)."""
    return {
        f"{block.page}: {block.body.strip().splitlines()[0]}": block
        for block in blocks()
        if block.marked
    }


def test_the_blocks_are_found() -> None:
    found = blocks()
    assert any(block.is_doctest and block.page == "README.md" for block in found)
    assert any(block.language == "sh" for block in found)


def test_every_python_block_is_a_doctest_or_is_run_here() -> None:
    neither = [
        block
        for block in blocks()
        if block.language in PYTHON and not block.is_doctest and not block.marked
    ]
    assert neither == [], f"mark these with {MARKER!r} and run them here, or make them doctests"


def test_only_python_blocks_are_marked() -> None:
    assert [block for block in blocks() if block.marked and block.language not in PYTHON] == []


# --- what each marked block needs around it ----------------------------------------------

Runner = Callable[[Block, Path, pytest.MonkeyPatch], None]
RUNNERS: dict[str, Runner] = {}


def runs(key: str) -> Callable[[Runner], Runner]:
    def register(runner: Runner) -> Runner:
        RUNNERS[key] = runner
        return runner

    return register


def execute(block: Block, namespace: dict[str, Any]) -> str:
    """Run the block's code as it is written; what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(block.body, repr(block), "exec"), namespace)  # noqa: S102  # the docs' own code
    return printed.getvalue()


def demo() -> tuple[ccr.Campaign, list[ccr.Record]]:
    campaign, records = ccr.demo_campaign(40, seed=3)
    return campaign, list(records)


@runs("README.md: import cloudcontact_results as ccr")
def run_for_analysts(block: Block, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    campaign, records = demo()
    ccr.export(campaign, records, folder / "detailed.csv", ccr.ExportOptions(format="detailed"))
    execute(block, {"campaign": campaign, "records": records})
    assert len(list(ccr.read_report(folder / "results.xlsx"))) == len(records)
    assert (folder / "results.parquet").read_bytes()[:4] == b"PAR1"


def on_the_fake_platform(
    block: Block, monkeypatch: pytest.MonkeyPatch, campaign: ccr.Campaign, key: str
) -> dict[str, Any]:
    """Run a block that talks to ``https://example.brightpattern.com`` against the fake platform."""
    moscow = dt.timezone(dt.timedelta(hours=3))
    records = [
        ccr.Record(
            str(number),
            "Клиенты",
            {key: str(number), "Фамилия": "Егоров", "Телефон": "+79055446868"},
            [ccr.Attempt("+79055446868", dt.datetime(2026, 3, 2, 10, number, tzinfo=moscow))],
        )
        for number in (1, 2)
    ]
    namespace: dict[str, Any] = {"campaign": campaign}
    with FakePlatform(campaign, records) as platform:
        real = ccr.ListManagementClient

        def to_the_fake(url: str, token: str, **options: Any) -> ccr.ListManagementClient:
            assert url == "https://example.brightpattern.com"
            return real(platform.url, token, **options)

        monkeypatch.setattr(ccr, "ListManagementClient", to_the_fake)
        monkeypatch.setenv("CLOUDCONTACT_TOKEN", TOKEN)
        namespace["printed"] = execute(block, namespace)
    return namespace


@runs("README.md: import os")
def run_readme_platform(block: Block, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The campaign of the README's short tour: its list has no "id" column.
    campaign = ccr.Campaign(
        "Продажи",
        lists=[ccr.CallingList("Клиенты", ["№", "Фамилия", "Телефон"])],
        script_fields=[ccr.ScriptField("comment")],
    )
    printed = on_the_fake_platform(block, monkeypatch, campaign, "№")["printed"]
    assert printed.splitlines() == ["1 [None]", "2 [None]"]


@runs("docs/platform-api.md: import os")
def run_platform_api(block: Block, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The campaign of the page's first example.
    campaign = ccr.Campaign("Опрос", [ccr.CallingList("Клиенты", ["id", "Фамилия", "Телефон"])])
    namespace = on_the_fake_platform(block, monkeypatch, campaign, "id")
    assert namespace["watermark"] == dt.datetime(2026, 3, 2, 7, 2, tzinfo=dt.UTC)


@runs("README.md: import dask.bag as db")
def run_on_dask(block: Block, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    campaign, records = demo()
    campaign = ccr.Campaign("March", campaign.lists, campaign.script_fields, campaign.dispositions)
    records = list(records)
    earlier = folder / "exports" / "2026-03-01" / "part.zip"
    earlier.parent.mkdir(parents=True)
    ccr.export(campaign, records, earlier, ccr.ExportOptions(format="detailed"))
    real = distributed.Client

    class InProcess(real):  # type: ignore[misc,valid-type]
        """A client of a cluster in this process: the block's code is tested, not a cluster."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, processes=False, dashboard_address=":0", **kwargs)

    monkeypatch.setattr(distributed, "Client", InProcess)
    with ccr.ResultsStore(folder / "results.sqlite") as store:
        store.put_campaign(campaign)
        store.add_records("March", records)
        namespace = {"campaign": campaign, "records": records, "store": store}
        try:
            execute(block, namespace)
        finally:
            if "client" in namespace:
                namespace["client"].close()
    # "the same bytes as ccr.export(campaign, records, "march.zip", options)"
    alone = folder / "alone" / "march.zip"
    alone.parent.mkdir()
    ccr.export(campaign, records, alone, namespace["options"])
    assert (folder / "march.zip").read_bytes() == alone.read_bytes()
    assert len(list((folder / "exports" / "march").iterdir())) == 40


class FakeRDD:
    """Enough of a PySpark RDD for docs/scale.md: partitions held in memory, run in order."""

    def __init__(self, partitions: list[list[Any]]) -> None:
        self.partitions = partitions

    def mapPartitionsWithIndex(self, function: Callable[[int, Iterator[Any]], Any]) -> FakeRDD:
        return FakeRDD([list(function(i, iter(p))) for i, p in enumerate(self.partitions)])

    def mapPartitions(self, function: Callable[[Iterator[Any]], Any]) -> FakeRDD:
        return FakeRDD([list(function(iter(p))) for p in self.partitions])

    def collect(self) -> list[Any]:
        return [item for partition in self.partitions for item in partition]

    def toLocalIterator(self) -> Iterator[Any]:
        return iter(self.collect())


def fake_pyspark() -> dict[str, types.ModuleType]:
    def parallelize(data: range, slices: int) -> FakeRDD:
        items = list(data)
        return FakeRDD([items[i::slices] for i in range(slices)])

    context = types.SimpleNamespace(parallelize=parallelize)
    session = types.SimpleNamespace(sparkContext=context)
    builder = types.SimpleNamespace(getOrCreate=lambda: session)
    builder.appName = lambda name: builder
    sql = types.ModuleType("pyspark.sql")
    sql.SparkSession = types.SimpleNamespace(builder=builder)  # type: ignore[attr-defined]
    pyspark = types.ModuleType("pyspark")
    pyspark.sql = sql  # type: ignore[attr-defined]
    return {"pyspark": pyspark, "pyspark.sql": sql}


@runs("docs/scale.md: import io")
def run_under_pyspark(block: Block, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, module in fake_pyspark().items():
        monkeypatch.setitem(sys.modules, name, module)
    # The example writes to /shared, the cluster's shared storage: here, a temporary folder.
    shared = folder / "shared"
    (shared / "march").mkdir(parents=True)
    block.body = block.body.replace('"/shared/', f'"{shared.as_posix()}/').replace(
        'f"/shared/', f'f"{shared.as_posix()}/'
    )
    assert "/shared/" not in block.body.replace(shared.as_posix(), "")
    namespace: dict[str, Any] = {}
    execute(block, namespace)
    rows = sum(count for _, count, _ in namespace["written"])
    assert len(list(ccr.read_report(shared / "march.csv"))) == rows
    assert len(list(shared.joinpath("march").iterdir())) == len(namespace["written"])


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(scripts()))
def test_each_marked_block_runs(key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert key in RUNNERS, f"no runner here for the marked block {scripts()[key]!r}"
    monkeypatch.chdir(tmp_path)
    RUNNERS[key](scripts()[key], tmp_path, monkeypatch)


def test_every_runner_has_its_block() -> None:
    assert sorted(RUNNERS) == sorted(scripts())
