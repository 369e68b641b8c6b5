"""Records -> an Excel workbook with XlsxWriter in its constant-memory mode.

What a spreadsheet user gets that no CSV can say: text cells *are* text
(phones keep their ``+`` and ``00``, ``1/2`` stays ``1/2``, ``=…`` is never
a formula, Cyrillic needs no encoding dialog), counters are numbers, times
are real date-times in the export time zone with a visible format. One
sheet per report, its header row frozen and filtered.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, Final

from .._files.sink import ExportResult, counted_destination
from .._model.campaign import Record
from .._options import Packaging
from .._report.codecs import CODECS, UNTYPED, ValueType
from .._report.columns import Column
from .._report.formatting import RowFormatter, cell_function
from .._report.kinds import kind_of
from .._report.plan import ReportPlan
from .._report.reports import header_of
from .._types import Language, ReportFormat, import_optional
from ..errors import ExportError

__all__ = ["MAX_CELL_CHARACTERS", "MAX_ROWS", "TIME_FORMAT", "sheet_name", "write_workbook"]

#: What one sheet holds, the header row included.
MAX_ROWS: Final = 1_048_576
#: What one cell holds.
MAX_CELL_CHARACTERS: Final = 32_767
#: How date-time cells show.
TIME_FORMAT: Final = "yyyy-mm-dd hh:mm:ss"

#: The first date-time a spreadsheet cell holds as one.
_FIRST_DATE: Final = dt.datetime(1900, 3, 1)  # noqa: DTZ001  # a wall-clock bound

_SHEET_NAMES: Final = {
    (ReportFormat.SIMPLE, Language.EN): "Simple report",
    (ReportFormat.SIMPLE, Language.RU): "Простой отчёт",
    (ReportFormat.DETAILED, Language.EN): "Detailed report",
    (ReportFormat.DETAILED, Language.RU): "Подробный отчёт",
}
#: Cells written as numbers.
_NUMBERS: Final = frozenset((ValueType.BOOLEAN, ValueType.INTEGER))


def sheet_name(report_format: ReportFormat, language: Language) -> str:
    """The name of the sheet a report is written to."""
    return _SHEET_NAMES[kind_of(report_format).format, language]


def write_workbook(
    plan: ReportPlan,
    records: Iterable[Record],
    destination: object,
    packaging: Packaging,
    *,
    overwrite: bool = False,
) -> ExportResult:
    """Write ``plan``'s report of ``records`` as a workbook of one sheet, streaming."""
    xlsxwriter = import_optional(
        "xlsxwriter", "xlsx", "export(..., file_format='xlsx')", name="XlsxWriter"
    )
    kind = kind_of(plan.selection.format)
    rendering = plan.rendering
    header = header_of(plan)
    formatter = RowFormatter(rendering)
    columns = kind.columns_in(rendering.layout)
    leading = len(header) - len(columns)
    codecs = (UNTYPED,) * leading + tuple(CODECS[column.kind] for column in columns)
    name = sheet_name(plan.selection.format, rendering.language)
    count = 0
    with contextlib.ExitStack() as stack:
        counter, path = stack.enter_context(counted_destination(destination, overwrite=overwrite))
        stack.enter_context(counter.discarding_on_error())
        workbook = xlsxwriter.Workbook(
            counter,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        created = packaging.zip_time or dt.datetime.now(rendering.tz).replace(tzinfo=None)
        workbook.set_properties({"created": created, "title": f"{plan.campaign.name}: {name}"})
        sheet = workbook.add_worksheet(name)
        bold = workbook.add_format({"bold": True})
        moment = workbook.add_format({"num_format": TIME_FORMAT})
        for position, (title, codec) in enumerate(zip(header, codecs, strict=True)):
            width = codec.width or min(max(len(title) + 2, 10), 40)
            sheet.set_column(position, position, width)
        sheet.freeze_panes(1, 0)
        for position, title in enumerate(header):
            sheet.write_string(0, position, title, bold)
        writers = _cell_writers(sheet, leading, columns, formatter, moment)
        try:
            for row in kind.rows(plan, records):
                count += 1
                if count >= MAX_ROWS:
                    raise ExportError(
                        f"a sheet holds at most {MAX_ROWS - 1:,} rows and the report has more; "
                        "export it as CSV or Parquet instead"
                    )
                values = [*row.fields.values(), *row.script_fields]
                values += [getattr(row, column.attribute) for column in columns]
                for position, (write, value) in enumerate(zip(writers, values, strict=True)):
                    write(count, position, value)
            sheet.autofilter(0, 0, count, len(header) - 1)
        finally:
            try:
                workbook.close()
            except Exception as error:
                if not isinstance(error, ExportError | OSError):
                    raise ExportError(f"cannot write the workbook: {error}") from error
                raise
    return ExportResult(rows=count, path=path, bytes=counter.count)


Write = Callable[[int, int, Any], None]


def _cell_writers(
    sheet: Any, leading: int, columns: tuple[Column, ...], formatter: RowFormatter, moment: Any
) -> list[Write]:
    """One function per column (``leading`` text ones, then ``columns``) writing its cell."""
    zone = formatter.rendering.tz

    def text(row: int, column: int, value: str) -> None:
        if value:
            if len(value) > MAX_CELL_CHARACTERS:
                raise ExportError(
                    f"row {row + 1}, column {column + 1}: a cell holds at most "
                    f"{MAX_CELL_CHARACTERS} characters, got {len(value)}; "
                    "export it as CSV or Parquet instead"
                )
            sheet.write_string(row, column, value)

    def number(row: int, column: int, value: Any) -> None:
        if value is not None:
            sheet.write_number(row, column, int(value))

    def time(row: int, column: int, value: dt.datetime | None) -> None:
        if value is not None:
            local = value.astimezone(zone).replace(tzinfo=None, microsecond=0)
            if local < _FIRST_DATE:
                # Before the spreadsheet calendar: text, as the CSV has it.
                sheet.write_string(row, column, local.isoformat(sep=" "))
            else:
                sheet.write_datetime(row, column, local, moment)

    def rendered(render: Callable[[Any], str]) -> Write:
        return lambda row, column, value: text(row, column, render(value))

    def writer(column: Column) -> Write:
        codec = CODECS[column.kind]
        if codec.value in _NUMBERS:
            return number
        if codec.value is ValueType.TIME:
            return time
        if codec.cell == UNTYPED.cell:
            return text  # the value is its text: no call in between
        # Any other value is its text cell, as the CSV has it (unguarded: a
        # workbook's text cell is never a formula).
        return rendered(cell_function(formatter, column.kind, guard=False))

    return [text] * leading + [writer(column) for column in columns]
