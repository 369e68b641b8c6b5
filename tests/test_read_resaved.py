"""Exports that went through a spreadsheet: Windows-1251, ``;`` and its date-time forms.

The manual walks its readers through opening an export in Excel; a file
Russian Excel saves back is Windows-1251, separated by ``;``, with times such
as ``02.03.2026 10:00``. The answer keys here are written by hand from the
manual's sample and the spec (the bytes are the test's own, encoded with
Python's codecs), or, in the property, the export read back in the library's
own format.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from zoneinfo import ZoneInfo

import attrs
import dask
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results.cli import main
from cloudcontact_results.dask import read_reports
from tests.conftest import examples
from tests.support.answers import expected_frame
from tests.support.samples import DETAILED_EN
from tests.support.strategies import campaign_with_records, export_options
from tests.test_analysis import assert_engines_agree

MOSCOW = ZoneInfo("Europe/Moscow")
ENGINES = ("pyarrow", "c", "python")

# The manual's simple report, in Russian, as Russian Excel saves it: list columns
# first (№, Фамилия, Имя отчество, Телефон, Адрес, Продукт), then the report's.
SIMPLE_RU_HEADER = (
    "№;Фамилия;Имя отчество;Телефон;Адрес;Продукт;Общее число попыток;Закрыто;"
    "Статус записи;Код статуса записи;Достигнута квота;Группа квоты;"
    "Последний номер телефона;Статус последней попытки;Код статуса последней попытки;"
    "Последний комментарий;Время последней попытки;Длительность последнего разговора;"
    "Последний оператор;ID вызова;Название списка"
)
SIMPLE_RU_ROWS = (
    (
        "2;Маслов;Петр Николаевич;9055446868;Г.Москва ул.Песчаная д.25 кв.112;Колл центр;3;1;"
        "Согласен;;0;;9055446868;Согласен;;Перезвонить вечером;02.03.2026 10:00;95;ivanov;"
        "A1B2;Список клиентов (моб тлф)"
    ),
    (
        "3;Архипов;Денис Евгеньевич;9055446868;Г.Москва;Колл центр;1;0;;;1;не соответствует;"
        "9055446868;Нет ответа;;CPA: КПВ (8);02.03.2026 9:05;0;;C3D4;Список клиентов (моб тлф)"
    ),
    (
        "9;Поляков;Вадим Константинович;9055446868;Г.Санкт-Петербург;Поддержка;0;0;;;0;;"
        "9055446868;;;;;;;;Список клиентов (моб тлф)"
    ),
)


def excel_ru_bytes(header: str, rows: tuple[str, ...] | list[str]) -> bytes:
    """The lines as Russian Excel writes them: Windows-1251, CRLF line ends."""
    return "".join(f"{line}\r\n" for line in (header, *rows)).encode("cp1251")


SIMPLE_RU_FILE = excel_ru_bytes(SIMPLE_RU_HEADER, SIMPLE_RU_ROWS)


def read(data: bytes, **options: object) -> ccr.Report:
    return ccr.read_report(io.BytesIO(data), **options)  # type: ignore[arg-type]


def test_the_manuals_sample_saved_by_russian_excel_reads_as_typed_values():
    report = read(SIMPLE_RU_FILE)
    assert (report.format, report.language, report.delimiter) == (
        ccr.ReportFormat.SIMPLE,
        ccr.Language.RU,
        ";",
    )
    assert report.encoding == "cp1251"
    assert report.dialect is None  # no dialect of the library's: those are UTF-8
    assert report.list_columns == ("№", "Фамилия", "Имя отчество", "Телефон", "Адрес", "Продукт")
    maslov, arkhipov, polyakov = report
    assert maslov.fields["Фамилия"] == "Маслов"
    assert maslov.fields["Адрес"] == "Г.Москва ул.Песчаная д.25 кв.112"
    assert (maslov.total_attempts, maslov.completed, maslov.record_disposition) == (
        3,
        True,
        "Согласен",
    )
    assert maslov.last_call_time == dt.datetime(2026, 3, 2, 10, 0, tzinfo=MOSCOW)
    assert (maslov.last_call_duration, maslov.last_agent, maslov.last_note) == (
        95,
        "ivanov",
        "Перезвонить вечером",
    )
    # Russian system names read as the canonical English ones (spec, section 4).
    assert arkhipov.last_call_disposition == "No answer"
    assert arkhipov.last_call_time == dt.datetime(2026, 3, 2, 9, 5, tzinfo=MOSCOW)
    assert arkhipov.quota_group is ccr.NO_MATCH
    assert arkhipov.last_note == ccr.SystemNote(cpa_result=ccr.CPAResult.RING_BACK)
    # A record never attempted: no time, zero counters (spec, section 5).
    assert (polyakov.total_attempts, polyakov.last_call_time) == (0, None)


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_reads_the_resaved_sample_as_the_typed_rows_do(engine):
    frame = read(SIMPLE_RU_FILE).to_pandas(engine=engine)
    assert frame["Фамилия"].tolist() == ["Маслов", "Архипов", "Поляков"]
    times = frame["last_call_time"]
    assert str(times.dt.tz) == "Europe/Moscow"
    assert times.iloc[0] == pd.Timestamp("2026-03-02 10:00", tz="Europe/Moscow")
    assert times.iloc[1] == pd.Timestamp("2026-03-02 09:05", tz="Europe/Moscow")
    assert pd.isna(times.iloc[2])
    assert frame["last_call_disposition"].tolist()[:2] == ["Согласен", "No answer"]
    pd.testing.assert_frame_equal(frame, expected_frame(read(SIMPLE_RU_FILE)))
    arrow = read(SIMPLE_RU_FILE).to_arrow(engine=engine)
    assert arrow.equals(read(SIMPLE_RU_FILE).to_arrow(engine="python"))
    assert arrow.column("last_call_time").to_pylist()[0] == dt.datetime(
        2026, 3, 2, 10, 0, tzinfo=MOSCOW
    )


def detailed_line(time: str, *, surname: str = "Иванов", delimiter: str = ";") -> str:
    cells = {
        "This Phone number": "+79161234567",
        "Is Call Attempt": "1",
        "Completed": "0",
        "Out of Quota": "0",
        "Call Disposition": "Busy",
        # Excel quotes a cell holding the delimiter.
        "Call Note": '"CPA: Busy (6); SIP: 486 Busy Here"',
        "Call Time": time,
        "Dialing Duration": "12",
        "CPA Duration": "1",
        "Answered Duration": "0",
        "CPA result": "6",
        "Global Interaction ID": "G1",
        "Record ID": "42",
        "List Name": "Клиенты",
        "Is Inbound Call": "0",
    }
    return delimiter.join([surname, *(cells.get(name, "") for name in DETAILED_EN)])


def detailed_file(times: list[str], *, encoding: str = "cp1251", delimiter: str = ";") -> bytes:
    header = delimiter.join(["Фамилия", *DETAILED_EN])
    lines = [detailed_line(time, delimiter=delimiter) for time in times]
    return "".join(f"{line}\r\n" for line in (header, *lines)).encode(encoding)


# Each form a spreadsheet writes, and the wall-clock time it stands for (the
# separator decides: "." is day first, "/" month first, as Excel en-US writes).
# The times are wall-clock times, naive: the zone is the reader's.
FORMS = [
    ("02.03.2026 10:00", dt.datetime(2026, 3, 2, 10, 0)),  # noqa: DTZ001
    ("02.03.2026 9:05:07", dt.datetime(2026, 3, 2, 9, 5, 7)),  # noqa: DTZ001
    ("3/2/2026 1:05 PM", dt.datetime(2026, 3, 2, 13, 5)),  # noqa: DTZ001
    ("3/2/2026 12:30:15 AM", dt.datetime(2026, 3, 2, 0, 30, 15)),  # noqa: DTZ001
    ("12/31/2026 12:00 pm", dt.datetime(2026, 12, 31, 12, 0)),  # noqa: DTZ001
    ("3/2/2026 13:05", dt.datetime(2026, 3, 2, 13, 5)),  # noqa: DTZ001
    ("3/2/2026 0:05:09", dt.datetime(2026, 3, 2, 0, 5, 9)),  # noqa: DTZ001
    ("2026-03-02T10:00:00", dt.datetime(2026, 3, 2, 10, 0, 0)),  # noqa: DTZ001
    ("2026-03-02T10:00", dt.datetime(2026, 3, 2, 10, 0)),  # noqa: DTZ001
    ("2026-03-02 10:00:00", dt.datetime(2026, 3, 2, 10, 0, 0)),  # noqa: DTZ001
]


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("text", "wall_clock"), FORMS)
def test_each_form_a_spreadsheet_writes_reads_as_its_wall_clock_time(text, wall_clock, engine):
    data = detailed_file([text, text])
    (first, second) = read(data)
    assert first.call_time == second.call_time == wall_clock.replace(tzinfo=MOSCOW)
    frame = read(data).to_pandas(engine=engine)
    assert frame["call_time"].tolist() == [pd.Timestamp(wall_clock, tz="Europe/Moscow")] * 2
    assert_engines_agree(data, [], engine)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("first", "later"),
    [
        ("02.03.2026 10:00", "2026-03-02 10:05:00"),
        ("02.03.2026 10:00", "02.03.2026 10:05:00"),  # with seconds: another form
        ("2026-03-02 10:00:00", "02.03.2026 10:05"),
        ("3/2/2026 10:00 AM", "3/2/2026 10:05"),
        ("2026-03-02T10:00", "3/2/2026 10:05"),
    ],
)
def test_a_file_keeps_to_the_form_of_its_first_time(first, later, engine):
    data = detailed_file([first, first, later])
    with pytest.raises(ccr.errors.ReadError) as raised:
        read(data).to_pandas(engine=engine)
    error = raised.value
    assert (error.line, error.column, error.value) == (4, "Call Time", later)
    assert "the form of the file's first date-time" in error.reason
    collected = read(data, errors="collect")
    assert len(list(collected)) == 2
    assert [error.line for error in collected.errors] == [4]
    assert_engines_agree(data, [], engine)


@pytest.mark.parametrize(
    "text",
    [
        "13/02/2026 10:00",  # month 13: never read day first because "/" says month first
        "32.01.2026 10:00",
        "2/30/2026 10:00",
        "3/2/2026 13:05 PM",
        "3/2/2026 0:05 AM",
        "02.03.26 10:00",
        "yesterday",
    ],
)
def test_a_time_in_no_form_names_the_forms(text):
    with pytest.raises(ccr.errors.ReadError) as raised:
        list(read(detailed_file([text])))
    error = raised.value
    assert (error.line, error.column, error.value) == (2, "Call Time", text)
    assert "'DD.MM.YYYY HH:MM[:SS]'" in error.reason


def test_a_format_given_is_the_only_one_read():
    data = detailed_file(["02.03.2026 10:00"])
    with pytest.raises(ccr.errors.ReadError, match=r"in the format '%Y-%m-%d %H:%M:%S'"):
        list(read(data, datetime_format="%Y-%m-%d %H:%M:%S"))
    (row,) = read(data, datetime_format="%d.%m.%Y %H:%M")
    assert row.call_time == dt.datetime(2026, 3, 2, 10, 0, tzinfo=MOSCOW)


def test_an_encoding_given_wins():
    data = SIMPLE_RU_FILE
    assert read(data, encoding="cp1251").encoding == "cp1251"
    assert read(data, encoding="windows-1251").encoding == "cp1251"
    # Read as KOI8-R the header is no report's.
    with pytest.raises(ccr.errors.ReadError, match="not a simple or detailed report"):
        read(data, encoding="koi8-r")
    with pytest.raises(ccr.errors.ReadError, match="the header is not UTF-8 text"):
        read(data, encoding="utf-8")


@pytest.mark.parametrize("encoding", ["klingon", "utf-16", "rot13", "base64", 1251])
def test_an_unknown_or_unusable_encoding_is_an_options_error(encoding):
    with pytest.raises(ccr.errors.OptionsError) as raised:
        read(SIMPLE_RU_FILE, encoding=encoding)
    assert (raised.value.field, raised.value.value) == ("encoding", encoding)
    assert "encoding: " in str(raised.value)


def test_utf8_with_and_without_a_bom_is_utf8():
    text = SIMPLE_RU_FILE.decode("cp1251")
    for data, bom in ((text.encode(), False), (b"\xef\xbb\xbf" + text.encode(), True)):
        report = read(data)
        assert (report.encoding, report.bom) == ("utf-8", bom)
        assert [row.fields["Фамилия"] for row in report] == ["Маслов", "Архипов", "Поляков"]


@pytest.mark.parametrize("engine", ENGINES)
def test_windows_1251_after_a_plain_ascii_header_is_a_read_error_naming_the_line(engine):
    # An English header of ASCII alone decodes as UTF-8, so the file is read as UTF-8.
    header = ";".join(["Name", *DETAILED_EN])
    lines = [detailed_line("02.03.2026 10:00", surname=name) for name in ("Smith", "Иванов")]
    text = "".join(f"{line}\r\n" for line in (header, *lines)).replace("Клиенты", "Clients")
    data = text.encode("cp1251")
    with pytest.raises(ccr.errors.ReadError) as raised:
        read(data).to_pandas(engine=engine)
    assert raised.value.line == 3
    assert raised.value.reason.startswith("not UTF-8 text")
    assert "encoding='cp1251'" in raised.value.reason
    assert [row.fields["Name"] for row in read(data, encoding="cp1251")] == ["Smith", "Иванов"]
    assert_engines_agree(data, [], engine)


def test_a_byte_windows_1251_lacks_is_a_read_error_naming_the_line():
    data = SIMPLE_RU_FILE.replace("Маслов".encode("cp1251"), b"\x98")
    report = read(data, errors="collect")
    assert [row.fields["Фамилия"] for row in report] == ["Архипов", "Поляков"]
    assert [(error.line, error.reason) for error in report.errors] == [(2, "not Windows-1251 text")]
    with pytest.raises(ccr.errors.ReadError, match="UTF-8 or Windows-1251"):
        read(b"\x98" + SIMPLE_RU_FILE)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_zip_of_a_resaved_file_reads_the_same(engine, tmp_path):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as writing:
        writing.writestr("results.csv", SIMPLE_RU_FILE)
    path = tmp_path / "results.zip"
    path.write_bytes(archive.getvalue())
    report = ccr.read_report(path)
    assert report.encoding == "cp1251"
    assert list(report) == list(read(SIMPLE_RU_FILE))
    pd.testing.assert_frame_equal(
        ccr.read_report(path).to_pandas(engine=engine), read(SIMPLE_RU_FILE).to_pandas()
    )


def test_a_row_too_long_in_a_windows_1251_file_is_stopped_at_its_line():
    long_row = SIMPLE_RU_ROWS[0].replace("Колл центр", "ж" * 5000)
    data = excel_ru_bytes(SIMPLE_RU_HEADER, [SIMPLE_RU_ROWS[1], long_row])
    with pytest.raises(ccr.errors.ReadError) as raised:
        list(read(data, limits=ccr.ReadLimits(max_row_bytes=1000)))
    assert raised.value.line == 3
    assert "ReadLimits.max_row_bytes" in raised.value.reason
    with pytest.raises(ccr.errors.ReadError, match="the header"):
        read(data, limits=ccr.ReadLimits(max_row_bytes=100))


@pytest.mark.parametrize("blocksize", [None, 300])
def test_dask_reads_resaved_files_in_their_encoding(tmp_path, blocksize):
    times = [f"{day:02d}.03.2026 10:{day:02d}" for day in range(1, 21)]
    path = tmp_path / "resaved.csv"
    path.write_bytes(detailed_file(times))
    with dask.config.set(scheduler="sync"):
        frame = read_reports(path, blocksize=blocksize).compute()
    assert frame["Фамилия"].tolist() == ["Иванов"] * 20
    assert frame["call_time"].tolist() == [
        pd.Timestamp(2026, 3, day, 10, day, tz="Europe/Moscow") for day in range(1, 21)
    ]


def test_inspect_detects_or_takes_the_encoding(tmp_path, capsys):
    path = tmp_path / "resaved.csv"
    path.write_bytes(SIMPLE_RU_FILE)
    assert main(["inspect", str(path)]) == 0
    detected = capsys.readouterr().out
    assert "encoding: cp1251" in detected
    assert "rows:     3" in detected
    assert main(["inspect", str(path), "--encoding", "windows-1251"]) == 0
    assert "encoding: cp1251" in capsys.readouterr().out
    assert main(["inspect", str(path), "--encoding", "utf-8"]) == 1
    assert "the header is not UTF-8 text" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["inspect", str(path), "--encoding", "klingon"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "cloudcontact-results inspect: error: --encoding: is not a text encoding Python knows "
        "(e.g. 'utf-8', 'cp1251') (got 'klingon')"
    )


# --- the property: any export, re-saved as a spreadsheet saves it ------------------


def _hour_12(moment: dt.datetime) -> int:
    return moment.hour % 12 or 12


def _half(moment: dt.datetime) -> str:
    return "AM" if moment.hour < 12 else "PM"


#: How a spreadsheet writes a wall-clock time, written out by hand for each form,
#: and whether the form keeps the seconds.
RENDERINGS: dict[str, tuple[Callable[[dt.datetime], str], bool]] = {
    "library": (lambda t: f"{t:%Y-%m-%d %H:%M:%S}", True),
    "ru": (lambda t: f"{t.day:02d}.{t.month:02d}.{t.year} {t.hour}:{t.minute:02d}", False),
    "ru seconds": (
        lambda t: f"{t.day:02d}.{t.month:02d}.{t.year} {t.hour:02d}:{t.minute:02d}:{t.second:02d}",
        True,
    ),
    "us 12-hour": (
        lambda t: f"{t.month}/{t.day}/{t.year} {_hour_12(t)}:{t.minute:02d} {_half(t)}",
        False,
    ),
    "us 12-hour seconds": (
        lambda t: (
            f"{t.month}/{t.day}/{t.year} {_hour_12(t)}:{t.minute:02d}:{t.second:02d} {_half(t)}"
        ),
        True,
    ),
    "us 24-hour": (lambda t: f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}", False),
    "us 24-hour seconds": (
        lambda t: f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}:{t.second:02d}",
        True,
    ),
    "iso T": (lambda t: f"{t:%Y-%m-%dT%H:%M}", False),
    "iso T seconds": (lambda t: f"{t:%Y-%m-%dT%H:%M:%S}", True),
}

#: The time columns, by header, in both languages.
TIME_HEADERS = frozenset(
    name
    for column in (*ccr.SIMPLE_COLUMNS, *ccr.DETAILED_COLUMNS)
    if column.attribute in {"last_call_time", "call_time"}
    for name in (column.en, column.ru)
)


@attrs.frozen
class Resaved:
    """An export re-saved by a spreadsheet, and the same text in the library's own format."""

    original: bytes
    copy: bytes
    seconds: bool


def resave(data: bytes, delimiter: str, rendering: str, *, lossy: bool) -> Resaved:
    """``data`` as a spreadsheet saves it: ``;``, times in ``rendering``, Windows-1251.

    Text Windows-1251 cannot hold stays UTF-8 (with a BOM, as "CSV UTF-8"), or
    with ``lossy`` becomes ``?`` as Excel writes it; then the original is made
    of the same ``?`` text, so that both files hold the same values.
    """
    text = data.decode("utf-8-sig")
    try:
        text.encode("cp1251")
        encoding = "cp1251"
    except UnicodeEncodeError:
        encoding = "cp1251" if lossy else "utf-8-sig"
    if encoding == "cp1251":
        text = text.encode("cp1251", errors="replace").decode("cp1251")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = rows[0]
    at = max(position for position, name in enumerate(header) if name in TIME_HEADERS)
    render, seconds = RENDERINGS[rendering]
    for row in rows[1:]:
        if len(row) > at and row[at]:
            wall = dt.datetime.strptime(row[at], "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007  # wall-clock text
            row[at] = render(wall)
    copy = io.StringIO(newline="")
    csv.writer(copy, delimiter=";", lineterminator="\r\n").writerows(rows)
    return Resaved(text.encode(), copy.getvalue().encode(encoding), seconds)


def to_the_minute(row: ccr.SimpleRow | ccr.DetailedRow) -> ccr.SimpleRow | ccr.DetailedRow:
    name = "call_time" if isinstance(row, ccr.DetailedRow) else "last_call_time"
    moment = getattr(row, name)
    if moment is None:
        return row
    return attrs.evolve(row, **{name: moment.replace(second=0)})


@pytest.mark.slow
@settings(max_examples=examples(40))
@given(
    campaign_with_records(max_records=5),
    export_options(),
    st.sampled_from(sorted(RENDERINGS)),
    st.booleans(),
    st.sampled_from(ENGINES),
)
def test_any_export_resaved_by_a_spreadsheet_reads_back_the_same(
    campaign_and_records, options, rendering, lossy, engine
):
    campaign, records = campaign_and_records
    sink = io.BytesIO()
    ccr.export(campaign, records, sink, options)
    delimiter = ";" if options.dialect == ccr.Dialect.EXCEL_RU else ","
    resaved = resave(sink.getvalue(), delimiter, rendering, lossy=lossy)
    names = [field.name for field in campaign.exported_script_fields]
    given = {
        "timezone": options.timezone,
        "script_fields": names,
        "formula_guard": options.formula_guard,
    }
    expected = list(read(resaved.original, **given))
    header = resaved.copy.split(b"\n", 1)[0]
    if header.isascii() and not resaved.copy.isascii() and not header.startswith(b"\xef\xbb\xbf"):
        # An ASCII header tells nothing of the encoding: docs/reading.md says a
        # Windows-1251 body after one is read with encoding="cp1251".
        given["encoding"] = "cp1251"
    if not resaved.seconds:
        expected = [to_the_minute(row) for row in expected]
    assert list(read(resaved.copy, **given)) == expected
    frame = read(resaved.copy, **given).to_pandas(engine=engine)
    pd.testing.assert_frame_equal(frame, expected_frame(read(resaved.copy, **given)))
