"""This checkout against an earlier revision: the sha256 of every exported file, option by option.

Usage::

    .venv/bin/python benchmarks/digests.py REV [--records N]

Both versions load the same JSON Lines text (the synthetic campaign, with
some cells turned into formula-like, quoted, multi-line and spaced text so
the guard and the quoting are exercised) and export it under each of the
option combinations in :data:`COMBINATIONS`: every report format, dialect,
language, time zone, guard, date-time format, layout, filter, zip, and the
xlsx and Parquet files. It prints one line per combination and exits 1 if
any pair of files differs. An export that fails in one version and not in
the other is a difference too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import sys
from typing import Any

import _synthetic
from revision import both_versions

#: Texts a careful writer must not alter (the guard, quoting, spaces, lines).
AWKWARD = (
    "=1+1",
    " =1+1",
    "a, =1",
    "x;  @SUM(A1)",
    "'=quoted",
    "+79161234567",
    "-5",
    "-2+3",
    'say "hi"',
    "two\nlines",
    "tab\there",
    "  padded  ",
    "",
)

_STAMP = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
_MARCH = {"start": "2026-03-05T00:00:00+03:00", "end": "2026-03-10T00:00:00+03:00"}

#: Option keyword arguments, as plain values both versions accept.
COMBINATIONS: tuple[dict[str, Any], ...] = tuple(
    {"format": fmt, **({"interval": "march"} if fmt == "detailed-interval" else {}), **extra}
    for fmt in ("simple", "detailed", "detailed-interval")
    for extra in (
        {},
        {"dialect": "excel"},
        {"dialect": "excel-ru"},
        {"language": "ru"},
        {"timezone": "UTC"},
        {"timezone": "America/Los_Angeles"},
        {"formula_guard": False},
        {"datetime_format": "%d.%m.%Y %H:%M"},
        {"layout": "5.x"},
        {"report_unknown_dispositions": True},
        {"dispositions": ("Согласен", "No answer")},
        {"interval": "march"},
        {"compress": True, "zip_timestamp": _STAMP},
        # A workbook records when it was made unless it is given a time.
        {"file_format": "xlsx", "zip_timestamp": _STAMP},
        {"file_format": "parquet"},
    )
)


def awkward_lines(count: int) -> list[str]:
    """The synthetic campaign's lines, with every seventh text cell made awkward."""
    lines = []
    turn = 0
    for line in _synthetic.synthetic_lines(count):
        if not line.strip():
            lines.append(line)
            continue
        item = json.loads(line)
        if item.get("type") == "record":
            for name in list(item["fields"])[1:]:
                turn += 1
                if turn % 7 == 0:
                    item["fields"][name] = AWKWARD[(turn // 7) % len(AWKWARD)]
            for attempt in item["attempts"]:
                turn += 1
                if turn % 5 == 0 and "note" in attempt:
                    attempt["note"] = AWKWARD[(turn // 5) % len(AWKWARD)]
        lines.append(json.dumps(item, ensure_ascii=False) + "\n")
    return lines


def exported(library: Any, campaign: Any, records: list[Any], options: dict[str, Any]) -> str:
    """The sha256 of one export, or the name of the error it raised."""
    values = dict(options)
    if values.get("interval") == "march":
        start, end = (dt.datetime.fromisoformat(_MARCH[key]) for key in ("start", "end"))
        values["interval"] = (start, end)
    stream = io.BytesIO()
    try:
        library.export(campaign, records, stream, library.ExportOptions(**values))
    except Exception as exc:  # noqa: BLE001  # a failure is part of the comparison
        return f"error {type(exc).__name__}"
    return hashlib.sha256(stream.getvalue()).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("revision")
    parser.add_argument("--records", type=int, default=2_000)
    args = parser.parse_args()
    lines = awkward_lines(args.records)
    differences = 0
    with both_versions(args.revision, lines) as versions:
        for options in COMBINATIONS:
            digests = {
                label: exported(library, campaign, records, options)
                for label, (library, campaign, records) in versions.items()
            }
            this, before = digests["this"], digests[args.revision]
            same = this == before
            differences += not same
            shown = ", ".join(f"{key}={value}" for key, value in options.items())
            print(f"{'same' if same else 'DIFFERENT'}  {this[:16]}  {shown}")
    print(f"{len(COMBINATIONS)} combinations, {differences} different")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
