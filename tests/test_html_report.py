"""The HTML report: what the page holds, that every text is escaped and nothing is
fetched, the interval, a simple report, the destination, and the command line."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest

import cloudcontact_results as ccr
from cloudcontact_results import analytics
from cloudcontact_results.cli import main
from tests.support.report_samples import HOSTILE, MOSCOW, hostile_campaign

GENERATED = dt.datetime(2026, 3, 7, 9, 30, tzinfo=dt.UTC)
SECTIONS = (
    "list-progress",
    "campaign-in-time",
    "dispositions-in-time",
    "telemarketing-compliance",
    "contact-rate-by-hour",
    "attempts-to-close",
    "cpa-by-disposition",
    "sip-failures",
    "quota-groups",
    "agents",
    "agent-dispositions",
)
#: Every element the page may hold: its own, the tables' and matplotlib's SVG.
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "dl", "dt", "dd",
    "main", "section", "figure", "p", "table", "caption", "thead", "tbody", "tr", "th", "td",
    "svg", "defs", "g", "path", "use", "clippath", "rect", "image",
}  # fmt: skip


class Parsed(HTMLParser):
    """The tags and attributes of a page, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs


def parsed(page: str) -> Parsed:
    parser = Parsed()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    campaign, records = hostile_campaign()
    path = tmp_path_factory.mktemp("report") / "report.html"
    analytics.write_html_report(campaign, records, destination=path, generated=GENERATED)
    return path.read_text(encoding="utf-8")


def test_every_analytic_has_its_chart_and_its_table(hostile_page: str) -> None:
    for section in SECTIONS:
        chart = re.search(
            rf'<figure class="chart" id="chart-{section}"><svg.*?</svg>\s*</figure>',
            hostile_page,
            re.DOTALL,
        )
        assert chart is not None, section
        assert chart.group(0).count("<path") > 5, section
    assert hostile_page.count("<table>") == len(SECTIONS)


def test_the_heading_names_campaign_period_zone_time_and_language(hostile_page: str) -> None:
    heading = hostile_page.split("<main>", 1)[0]
    assert html.escape(HOSTILE[3]) in heading  # the campaign's name, escaped
    assert "<dd>all results, by day</dd>" in heading
    assert "<dd>Europe/Moscow</dd>" in heading
    assert "<dd>2026-03-07 12:30 MSK</dd>" in heading  # 09:30 UTC in Moscow
    assert "<dd>English</dd>" in heading
    assert '<html lang="en">' in hostile_page


def test_every_text_from_the_data_is_escaped(hostile_page: str) -> None:
    page = parsed(hostile_page)
    assert set(page.tags) <= ALLOWED_TAGS
    assert not [name for name, _ in page.attributes if name.startswith("on")]
    for text in HOSTILE:
        if "<" in text or '"' in text:
            assert text not in hostile_page
    assert html.escape("<script>alert(1)</script>") in hostile_page
    assert "Ы" * 400 in hostile_page  # the tables keep a long name whole
    # The formula is text in a cell: nothing evaluates an HTML page's cells.
    assert html.escape(HOSTILE[2]) in hostile_page


def test_nothing_in_the_page_points_outside_it(hostile_page: str) -> None:
    page = parsed(hostile_page)
    for name, value in page.attributes:
        if name in {"src", "href", "xlink:href", "action", "data", "poster"}:
            assert value is not None
            # Inside the page: an id, or an image the page carries (a heat map's pixels).
            assert value.startswith(("#", "data:image/png;base64,")), (name, value)
    assert not re.search(r"url\(\s*['\"]?(?!#)", hostile_page)
    assert "@import" not in hostile_page
    assert "<script" not in hostile_page
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', hostile_page)
    assert policy is not None
    assert "default-src 'none'" in policy.group(1)


@pytest.mark.slow  # several pages: a second or more each
def test_the_russian_report_speaks_russian(tmp_path: Path) -> None:
    campaign, records = ccr.demo_campaign(40)
    path = tmp_path / "отчёт.html"
    analytics.write_html_report(
        campaign, records, destination=path, language="ru", period="hour", generated=GENERATED
    )
    page = path.read_text(encoding="utf-8")
    assert '<html lang="ru">' in page
    for words in (
        "Кампания",
        "Часовой пояс",
        "все результаты, по часам",
        "Русский",
        "Операторы (",
        "Прогресс по спискам (",
    ):
        assert words in page, words


@pytest.mark.slow  # several pages: a second or more each
def test_an_interval_keeps_the_attempts_a_detailed_interval_export_keeps(tmp_path: Path) -> None:
    campaign, records = ccr.demo_campaign(60)
    records = list(records)
    # Naive bounds are read in the report's zone, Moscow.
    interval = (dt.datetime(2026, 3, 3, 0, 0), dt.datetime(2026, 3, 5, 12, 0))  # noqa: DTZ001
    exported = io.BytesIO()
    options = ccr.ExportOptions(format="detailed-interval", interval=interval)
    expected = ccr.export(campaign, records, exported, options).rows
    report = ccr.read_report(io.BytesIO(exported.getvalue()))
    whole = ccr.read_report(io.BytesIO(export_detailed(campaign, records)))

    from_records = analytics.write_html_report(
        campaign, records, destination=tmp_path / "a.html", interval=interval
    )
    from_report = analytics.write_html_report(
        whole, destination=tmp_path / "b.html", interval=interval
    )
    aware = tuple(moment.replace(tzinfo=MOSCOW) for moment in interval)
    from_rows = analytics.write_html_report(
        list(ccr.read_report(io.BytesIO(export_detailed(campaign, records)))),
        destination=tmp_path / "c.html",
        interval=aware,
    )

    assert 0 < expected < sum(len(record.attempts) for record in records)
    assert from_records.rows == from_report.rows == from_rows.rows == expected
    assert sum(row.attempts for row in analytics.dispositions_in_time(report)) == expected
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert "<dd>from 2026-03-03 00:00 MSK until 2026-03-05 12:00 MSK, by day</dd>" in page


def export_detailed(campaign: ccr.Campaign, records: list[ccr.Record]) -> bytes:
    stream = io.BytesIO()
    ccr.export(campaign, records, stream, ccr.ExportOptions(format="detailed"))
    return stream.getvalue()


def test_a_simple_report_gives_list_progress_and_says_why(tmp_path: Path) -> None:
    campaign, records = ccr.demo_campaign(25)
    stream = io.BytesIO()
    ccr.export(campaign, records, stream)
    report = ccr.read_report(io.BytesIO(stream.getvalue()))
    result = analytics.write_html_report(report, destination=tmp_path / "s.html")
    page = (tmp_path / "s.html").read_text(encoding="utf-8")

    assert result.rows == 25
    assert page.count("<svg") == 1
    assert 'id="chart-list-progress"' in page
    assert "need a detailed report" in page
    with pytest.raises(ccr.errors.AnalyticsInputError, match="an interval needs a detailed report"):
        analytics.write_html_report(
            list(ccr.read_report(io.BytesIO(stream.getvalue()))),
            destination=tmp_path / "t.html",
            interval=(None, dt.datetime(2026, 3, 4, tzinfo=dt.UTC)),
        )
    assert not (tmp_path / "t.html").exists()


@pytest.mark.slow  # several pages: a second or more each
def test_a_stream_gets_the_page_and_a_store_names_its_campaign(tmp_path: Path) -> None:
    campaign, records = ccr.demo_campaign(20)
    stream = io.BytesIO()
    with ccr.ResultsStore(tmp_path / "s.sqlite") as store:
        store.put_campaign(campaign)
        store.add_records(campaign.name, records)
        result = analytics.write_html_report(store, campaign.name, destination=stream)
    page = stream.getvalue().decode("utf-8")
    assert (result.path, result.bytes) == (None, len(stream.getvalue()))
    assert f"<h1>{html.escape(campaign.name)}</h1>" in page


@pytest.mark.parametrize(
    ("keywords", "error", "field"),
    [
        ({"language": "de"}, ccr.errors.OptionsError, "language"),
        ({"period": "week"}, ccr.errors.OptionsError, "period"),
        ({"timezone": "Moscow"}, ccr.errors.OptionsError, "timezone"),
        (
            {
                "interval": (
                    dt.datetime(2026, 3, 5, tzinfo=dt.UTC),
                    dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
                )
            },
            ccr.errors.OptionsError,
            "ExportOptions.interval",
        ),
    ],
)
def test_bad_options_name_their_field(
    tmp_path: Path, keywords: dict[str, object], error: type[Exception], field: str
) -> None:
    campaign, records = ccr.demo_campaign(3)
    with pytest.raises(error) as raised:
        analytics.write_html_report(campaign, records, destination=tmp_path / "x.html", **keywords)  # type: ignore[arg-type]
    assert raised.value.field == field  # type: ignore[attr-defined]
    assert not (tmp_path / "x.html").exists()


@pytest.mark.slow  # several pages: a second or more each
def test_the_destination_policy_of_exports_holds(tmp_path: Path) -> None:
    campaign, records = ccr.demo_campaign(3)
    with pytest.raises(ccr.errors.ExportError, match="does not exist"):
        analytics.write_html_report(campaign, records, destination=tmp_path / "no" / "x.html")
    kept = tmp_path / "kept.html"
    kept.write_text("old", encoding="utf-8")
    kept.chmod(0o444)
    with pytest.raises(ccr.errors.ExportError, match="read-only"):
        analytics.write_html_report(campaign, records, destination=kept)
    assert kept.read_text(encoding="utf-8") == "old"
    analytics.write_html_report(campaign, records, destination=kept, overwrite=True)
    assert kept.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [path.name for path in tmp_path.iterdir()] == ["kept.html"]  # no temporary left


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    assert main(["demo", "--out", str(tmp_path / "demo"), "--records", "40"]) == 0
    return tmp_path / "demo"


def test_report_writes_the_page_of_an_export(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    out = tmp_path / "r.html"
    argv = ["report", str(exports / "detailed.csv"), "-o", str(out), "--language", "ru"]
    assert (
        main(
            [
                *argv,
                "--from",
                "03.03.26 0:00",
                "--timezone",
                "Asia/Yekaterinburg",
                "--campaign",
                "Март",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert printed.startswith(str(out))
    assert "<h1>Март</h1>" in page
    assert "с 2026-03-03 00:00 +05" in page  # --from without an offset is in --timezone
    assert "<dd>Asia/Yekaterinburg</dd>" in page
    assert page.count("<svg") == len(SECTIONS)


@pytest.mark.slow  # several pages: a second or more each
def test_store_report_writes_the_page_of_a_stored_campaign(exports: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    assert main(["store", "load", str(store), str(exports / "campaign.jsonl")]) == 0
    campaign, _ = ccr.load_campaign(exports / "campaign.jsonl")
    out = tmp_path / "s.html"
    assert (
        main(["store", "report", str(store), campaign.name, "-o", str(out), "--period", "hour"])
        == 0
    )
    assert "by hour" in out.read_text(encoding="utf-8")


@pytest.mark.slow  # two pages
def test_report_reads_the_file_as_inspect_does(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A date-time format no reader guesses, and a line that is not a row.
    campaign, records = ccr.load_campaign(exports / "campaign.jsonl")
    source = tmp_path / "odd.csv"
    form = "%Y/%m/%d %H.%M.%S"
    ccr.export(
        campaign, records, source, ccr.ExportOptions(format="detailed", datetime_format=form)
    )
    with source.open("a", encoding="utf-8") as file:
        file.write("not,a,row\r\n")
    out = tmp_path / "odd.html"
    argv = ["report", str(source), "-o", str(out)]

    assert main(argv) == 1  # the first date-time is in no form the reader knows
    assert "Call Time" in capsys.readouterr().err
    assert main([*argv, "--datetime-format", form]) == 1  # now the last line stops it
    assert "expected" in capsys.readouterr().err
    assert main([*argv, "--datetime-format", form, "--errors", "skip"]) == 0
    assert out.read_text(encoding="utf-8").count("<svg") == len(SECTIONS)


def test_report_flags_are_checked_as_flags(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(
            [
                "report",
                str(exports / "detailed.csv"),
                "-o",
                str(tmp_path / "x.html"),
                "--from",
                "05.03.26",
                "--to",
                "01.03.26",
            ]
        )
    assert exit_.value.code == 2
    assert "--from/--to: the start must be before the end" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


WITHOUT_MATPLOTLIB = textwrap.dedent(
    """
    import sys
    sys.modules["matplotlib"] = None  # import raises ModuleNotFoundError, as when not installed
    import cloudcontact_results, cloudcontact_results.analytics
    from cloudcontact_results.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def test_report_without_matplotlib_names_the_plot_extra_in_one_line(
    exports: Path, tmp_path: Path
) -> None:
    out = tmp_path / "x.html"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            WITHOUT_MATPLOTLIB,
            "report",
            str(exports / "detailed.csv"),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stderr) == (
        1,
        (
            "error: drawing the charts of the HTML report needs matplotlib, which is not "
            'installed: pip install "cloudcontact-results[plot]"\n'
        ),
    )
    assert not out.exists()


def test_the_analytics_import_no_plotting_library() -> None:
    code = (
        "import sys, cloudcontact_results, cloudcontact_results.analytics\n"
        "print(sorted(m for m in sys.modules if m.startswith(('matplotlib', 'PIL'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
