"""Building Records and Attempts, this checkout against an earlier revision, in one process.

Usage::

    .venv/bin/python benchmarks/model.py REV [--records N] [--rounds R]

Both versions load the same synthetic campaign (``_synthetic.py``, 3 attempts
a record on average) from the same JSON Lines text; the values of every
record and attempt are then taken out as plain Python values (the fields a
caller passes: those that differ from the default, by keyword), and each
round builds all records with their attempts again through the public
constructors, validation included, in rotated order. It prints the median
CPU microseconds per attempt (the record's own construction shared among its
attempts) of each version and the median of the per-round ratios.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import attrs
from revision import arguments, both_versions


def specs(library: Any, records: list[Any]) -> list[tuple[Any, ...]]:
    """Each record as the arguments a caller would pass to build it again."""
    fields = attrs.fields(library.Attempt)
    out = []
    for record in records:
        attempts = []
        for attempt in record.attempts:
            values = {}
            for field in fields:
                value = getattr(attempt, field.name)
                default = field.default
                if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                    default = default.factory()  # type: ignore[attr-defined]
                if field.default is attrs.NOTHING or value != default:
                    values[field.name] = dict(value) if field.name == "script_values" else value
            attempts.append(values)
        out.append((record.id, record.list_name, dict(record.fields), attempts))
    return out


def build(library: Any, arguments: list[tuple[Any, ...]]) -> float:
    record_class, attempt_class = library.Record, library.Attempt
    started = time.process_time()
    for record_id, list_name, fields, attempts in arguments:
        record_class(record_id, list_name, fields, [attempt_class(**values) for values in attempts])
    return time.process_time() - started


def main() -> None:
    args = arguments(__doc__.split("\n", 1)[0])
    with both_versions(args.revision, args.records) as loaded:
        versions = {
            label: (library, specs(library, records))
            for label, (library, _, records) in loaded.items()
        }
        attempts = sum(len(spec[3]) for spec in versions["this"][1])
        seconds: dict[str, list[float]] = {label: [] for label in versions}
        for round_number in range(args.rounds):
            labels = list(versions)
            shift = round_number % len(labels)
            for label in labels[shift:] + labels[:shift]:
                seconds[label].append(build(*versions[label]))
    print(f"{args.records} records, {attempts} attempts, {args.rounds} rounds, CPU (median)")
    for label, values in seconds.items():
        print(f"  {label}: {statistics.median(values) / attempts * 1e6:.2f} µs per attempt")
    ratio = statistics.median(
        a / b for a, b in zip(seconds[args.revision], seconds["this"], strict=True)
    )
    print(f"  speed-up {args.revision}/this: {ratio:.2f}x")


if __name__ == "__main__":
    main()
