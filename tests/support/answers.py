"""Answer keys written independently of the library: documented rules in plain Python."""

from __future__ import annotations

import csv
import io
import re

import attrs
import pandas as pd

import cloudcontact_results as ccr

DELIMITERS = {"platform": ",", "excel": ",", "excel-ru": ";"}
_PLAIN_NUMBER = re.compile(r"[+-]\d+(?:[.,]\d+)?")


def _start_safe(text: str) -> str:
    # Past the genuine quotes, then past the spaces a spreadsheet may trim.
    bare = text.lstrip("'").lstrip(" ")
    formula = bare[:1] in {"=", "@", "\t", "\r"} or (
        bare[:1] in {"+", "-"} and _PLAIN_NUMBER.fullmatch(bare) is None
    )
    return "'" + text if formula else text


def spreadsheet_safe(cell: str) -> str:
    """The guard as docs/export.md states it, written independently of the library.

    The cell's start, and the text after each ``,``, ``;``, tab, CR or LF in it
    (where a spreadsheet using another delimiter, or reading line by line,
    starts a new cell), get a ``'`` before formula-like text, spaces before
    it included (the ``'`` goes before the spaces a spreadsheet may trim).
    """
    pieces = re.split(r"([,;\t\r\n])", cell)
    for position in range(2, len(pieces), 2):
        pieces[position] = _start_safe(pieces[position])
    return _start_safe("".join(pieces))


def parse(data: bytes, dialect: str) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff") == (dialect != "platform")
    reader = csv.reader(
        io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=DELIMITERS[dialect]
    )
    return list(reader)


def renamed(names: list[str], taken: list[str]) -> list[str]:
    """``names`` with the first free `` (n)`` (n = 2, 3…) added where a name is taken."""
    used = set(taken)
    result = []
    for name in names:
        candidate, number = name, 1
        while candidate in used:
            number += 1
            candidate = f"{name} ({number})"
        used.add(candidate)
        result.append(candidate)
    return result


def expected_frame(report, rows=None, start=0):
    """The DataFrame docs/reading.md describes, built in plain pandas from typed rows.

    ``rows`` default to iterating ``report`` (the public, one-row-at-a-time
    path). List columns and script fields by header, report columns by
    attribute, then the unknown columns (``row.extra``) by header, as text; a
    header repeated or equal to a name before it gets `` (2)``, `` (3)``…;
    ``string`` text, ``boolean`` flags, ``Int64`` numbers, categorical
    dispositions, date-times (microseconds) in the report's zone;
    ``NO_MATCH`` and system notes as the report's language writes them.
    """
    rows = list(report if rows is None else rows)
    kinds = ccr.ColumnKind
    language = report.language
    attributes = [column.attribute for column in report.columns]
    names = renamed([*report.list_columns, *report.script_field_names], attributes)
    extra_names = renamed(list(report.extra_columns), [*names, *attributes])
    data = {}
    for position, name in enumerate(names):
        leading = [(*row.fields.values(), *row.script_fields)[position] for row in rows]
        data[name] = pd.array(leading, dtype="string")
    for column in report.columns:
        values = [getattr(row, column.attribute) for row in rows]
        values = [
            value.label(language)
            if isinstance(value, ccr.NoMatch)
            else value.render(language)
            if isinstance(value, ccr.SystemNote)
            else value
            for value in values
        ]
        if column.kind is kinds.TIME:
            times = pd.to_datetime(values, utc=True).as_unit("us")
            data[column.attribute] = times.tz_convert(report.timezone)
        elif column.kind is kinds.DISPOSITION:
            # Text categories, sorted, even when the column holds no disposition.
            present = sorted({value for value in values if value is not None})
            categories = pd.Index(present, dtype=str)
            data[column.attribute] = pd.Categorical(values, categories=categories)
        elif column.kind is kinds.FLAG:
            data[column.attribute] = pd.array(values, dtype="boolean")
        elif column.kind in (kinds.COUNT, kinds.SECONDS, kinds.CPA):
            ints = [None if value is None else int(value) for value in values]
            data[column.attribute] = pd.array(ints, dtype="Int64")
        else:
            data[column.attribute] = pd.array(values, dtype="string")
    for position, name in enumerate(report.extra_columns):
        data[extra_names[position]] = pd.array([row.extra[name] for row in rows], dtype="string")
    names += [*attributes, *extra_names]
    return pd.DataFrame(data, columns=names, index=pd.RangeIndex(start, start + len(rows)))


def as_campaign_defines(campaign: ccr.Campaign, record: ccr.Record) -> ccr.Record:
    """``record`` with each disposition as ``campaign`` defines it (SPEC §4).

    Formats and stores that keep dispositions by name give back the campaign's
    configuration of a system status where an attempt carried the catalogue's
    object: found here by name, the way the manual's Statuses section works.
    """

    def defined(disposition: ccr.Disposition | None) -> ccr.Disposition | None:
        if disposition is None:
            return None
        return campaign.find_disposition(disposition.name) or disposition

    attempts = [
        attrs.evolve(
            attempt,
            call_disposition=defined(attempt.call_disposition),
            record_disposition=defined(attempt.record_disposition),
        )
        for attempt in record.attempts
    ]
    return attrs.evolve(record, attempts=attempts)
