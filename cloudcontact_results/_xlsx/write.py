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
        write = _CellWriter(sheet, moment, formatter.rendering.tz)
        for position, title in enumerate(header):
            write.text(0, position, title, bold)
        # One kind a cell: text as it is, a number, a time, or a value rendered as text.
        kinds = (_TEXT,) * leading + tuple(_kind(column) for column in columns)
        renders = (None,) * leading + tuple(_render(formatter, column) for column in columns)
        plan_cells = tuple(enumerate(zip(kinds, renders, strict=True)))
        attributes = tuple(column.attribute for column in columns)
        text, time = write.text, write.time
        write_string, write_number = write.write_string, write.write_number
        try:
            for row in kind.rows(plan, records):
                count += 1
                if count >= MAX_ROWS:
                    raise ExportError(
                        f"a sheet holds at most {MAX_ROWS - 1:,} rows and the report has more; "
                        "export it as CSV or Parquet instead"
                    )
                values = [*row.fields.values(), *row.script_fields]
                values += [getattr(row, attribute) for attribute in attributes]
                for (position, (cell_kind, render)), value in zip(plan_cells, values, strict=True):
                    if value is None or value == "":
                        continue
                    if cell_kind is _NUMBER:
                        write_number(count, position, int(value))
                    elif cell_kind is _TIME:
                        time(count, position, value)
                    else:
                        cell = value if cell_kind is _TEXT else render(value)  # type: ignore[misc]
                        # Markup, or a cell cut to fit (non-zero): the careful way.
                        if cell and (
                            cell.startswith(_RICH_START) or write_string(count, position, cell)
                        ):
                            text(count, position, cell)
            sheet.autofilter(0, 0, count, len(header) - 1)
        finally:
            try:
                workbook.close()
            except Exception as error:
                if not isinstance(error, ExportError | OSError):
                    raise ExportError(f"cannot write the workbook: {error}") from error
                raise
    return ExportResult(rows=count, path=path, bytes=counter.count)


#: The kinds of cell a workbook holds.
_TEXT: Final = "text"
_NUMBER: Final = "number"
_TIME: Final = "time"
_RENDERED: Final = "rendered"
#: What XlsxWriter takes for rich text in a string (in its constant-memory
#: mode, a string that starts and ends so is written as XML, unescaped).
_RICH_START: Final = "<r>"
_RICH_END: Final = "</r>"
#: What XlsxWriter's ``write_string`` returns when it cut a string to fit a cell.
_TRUNCATED: Final = -2


def _kind(column: Column) -> str:
    """How a cell of ``column`` is written, from its kind's codec."""
    codec = CODECS[column.kind]
    if codec.value in _NUMBERS:
        return _NUMBER
    if codec.value is ValueType.TIME:
        return _TIME
    if codec.cell == UNTYPED.cell:
        return _TEXT  # the value is its text: no call in between
    return _RENDERED


def _render(formatter: RowFormatter, column: Column) -> Callable[[Any], str] | None:
    """The text of a rendered cell of ``column``, as the CSV has it, unguarded.

    A workbook's text cell is never a formula, so it needs no guard.
    """
    if _kind(column) is not _RENDERED:
        return None
    return cell_function(formatter, column.kind, guard=False)


class _CellWriter:
    """Writes one cell of each kind, with the checks XlsxWriter leaves to its caller."""

    def __init__(self, sheet: Any, moment: Any, zone: dt.tzinfo) -> None:
        self._sheet = sheet
        self._moment = moment
        self._zone = zone
        # XlsxWriter's public methods first try the row as A1 notation; its
        # undecorated ones, the same but for that, save a tenth of the export.
        self.write_string = getattr(sheet, "_write_string", sheet.write_string)
        self.write_number = getattr(sheet, "_write_number", sheet.write_number)
        self._write_datetime = getattr(sheet, "_write_datetime", sheet.write_datetime)

    def text(self, row: int, column: int, value: str, cell_format: Any = None) -> None:
        if value.startswith(_RICH_START) and value.endswith(_RICH_END):
            # Plain runs of rich text: XlsxWriter escapes each, and a reader
            # joins them into the text as written.
            runs: tuple[Any, ...] = (value[:1], value[1:2], value[2:])  # three at least
            if cell_format is not None:
                runs = (*runs, cell_format)
            result = self._sheet.write_rich_string(row, column, *runs)
        else:
            result = self.write_string(row, column, value, cell_format)
        if result == _TRUNCATED:
            raise ExportError(
                f"row {row + 1}, column {column + 1}: a cell holds at most "
                f"{MAX_CELL_CHARACTERS} characters (UTF-16 code units), got "
                f"{len(value.encode('utf-16-le')) // 2}; export it as CSV or Parquet instead"
            )

    def time(self, row: int, column: int, value: dt.datetime) -> None:
        local = value.astimezone(self._zone).replace(tzinfo=None, microsecond=0)
        if local < _FIRST_DATE:
            # Before the spreadsheet calendar: text, as the CSV has it.
            self.write_string(row, column, local.isoformat(sep=" "))
        else:
            self._write_datetime(row, column, local, self._moment)
