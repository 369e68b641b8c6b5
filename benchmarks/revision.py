"""This checkout against an earlier revision, in one process: output bytes and speed.

Usage::

    .venv/bin/python benchmarks/revision.py REV [--records N] [--rounds R]

The package of revision ``REV`` is extracted with ``git archive`` into a
temporary folder under another name (its imports are relative, so it runs
as ``cloudcontact_results_<rev>``) and both versions export and read the
same records, loaded by each from the same JSON Lines text, round after
round in alternating order. It prints, for each format, whether the output
bytes are identical, the median CPU seconds of each version, and the median
of the per-round ratios (this / REV; below 1 is faster). CPU time, not wall
time, because the machine is shared: a concurrent job slows wall time
without changing the work done.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import _synthetic

import cloudcontact_results as current

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("simple", "detailed")


def load_revision(revision: str, folder: Path) -> ModuleType:
    """The package as it was at ``revision``, importable under a name of its own."""
    name = "cloudcontact_results_" + "".join(c if c.isalnum() else "_" for c in revision)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision, "cloudcontact_results"],  # noqa: S607
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "cloudcontact_results").rename(folder / name)
    sys.path.insert(0, str(folder))
    return importlib.import_module(name)


def arguments(description: str) -> argparse.Namespace:
    """The command line of a comparison with an earlier revision: REV, --records, --rounds."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("revision")
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=9)
    return parser.parse_args()


@contextlib.contextmanager
def both_versions(
    revision: str, records: int | list[str]
) -> Iterator[dict[str, tuple[ModuleType, Any, Any]]]:
    """This checkout ("this") and ``revision``: each its package, campaign and records.

    Each version loads the same JSON Lines text: ``records`` synthetic records,
    or the lines given.
    """
    lines = _synthetic.synthetic_lines(records) if isinstance(records, int) else records
    with tempfile.TemporaryDirectory() as folder:
        earlier = load_revision(revision, Path(folder))
        versions = {}
        for label, library in (("this", current), (revision, earlier)):
            campaign, records = library.load_campaign(lines)
            versions[label] = (library, campaign, list(records))
        yield versions


def run_once(
    library: Any, campaign: Any, records: list[Any], fmt: str
) -> tuple[float, float, bytes]:
    stream = io.BytesIO()
    started = time.process_time()
    library.export(campaign, records, stream, library.ExportOptions(format=fmt))
    exported = time.process_time() - started
    data = stream.getvalue()
    started = time.process_time()
    for _ in library.read_report(io.BytesIO(data)):
        pass
    return exported, time.process_time() - started, data


def main() -> None:
    args = arguments(__doc__.split("\n", 1)[0])
    with both_versions(args.revision, args.records) as versions:
        seconds: dict[tuple[str, str, str], list[float]] = {}
        digests: dict[tuple[str, str], set[str]] = {}
        for round_number in range(args.rounds):
            order = list(versions) if round_number % 2 else list(reversed(versions))
            for label in order:
                library, loaded, records = versions[label]
                for fmt in FORMATS:
                    exported, read, data = run_once(library, loaded, records, fmt)
                    seconds.setdefault((fmt, "export", label), []).append(exported)
                    seconds.setdefault((fmt, "read", label), []).append(read)
                    digests.setdefault((fmt, label), set()).add(hashlib.sha256(data).hexdigest())

    print(f"{args.records} records, {args.rounds} rounds, CPU seconds (median)")
    for fmt in FORMATS:
        same = digests[fmt, "this"] == digests[fmt, args.revision]
        print(f"{fmt}: output bytes {'identical' if same else 'DIFFERENT'}")
        for operation in ("export", "read"):
            this = seconds[fmt, operation, "this"]
            before = seconds[fmt, operation, args.revision]
            ratio = statistics.median(a / b for a, b in zip(this, before, strict=True))
            print(
                f"  {operation}: {args.revision} {statistics.median(before):.3f} s, "
                f"this {statistics.median(this):.3f} s, this/{args.revision} {ratio:.3f}"
            )


if __name__ == "__main__":
    main()
