"""The HTML report opened in a real browser: headless Chromium, driven by its DevTools protocol.

The page must load without a console error and without a single request
out of it (only the file itself and the images it carries, ``data:``), show
every chart with a size, draw Cyrillic with a font that has it, and print.
A screenshot and the printed PDF of each page are left in
``tests/output/chromium/`` (git-ignored; CI keeps them as artifacts).
``.ci/run`` installs Debian's ``chromium`` where it is missing; the test is
skipped only where the browser cannot be had.
"""

from __future__ import annotations

import base64
import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import cloudcontact_results as ccr
from cloudcontact_results import analytics
from tests.support.chromium import EXECUTABLE, Chromium
from tests.support.report_samples import hostile_campaign

pytestmark = [
    pytest.mark.skipif(
        EXECUTABLE is None,
        reason="Chromium is not installed here and could not be had "
        "(.ci/run installs Debian's chromium)",
    ),
    pytest.mark.slow,  # a browser starts
]

OUTPUT = Path(__file__).resolve().parent / "output" / "chromium"
GENERATED = dt.datetime(2026, 3, 7, 9, 30, tzinfo=dt.UTC)
CHARTS = 11

#: What the test asks the page: each chart's size and how many paths its SVG draws.
CHART_SIZES = """
Array.from(document.querySelectorAll("figure.chart")).map(figure => {
  const svg = figure.querySelector("svg");
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  return {id: figure.id, width: box.width, height: box.height,
          paths: svg ? svg.querySelectorAll("path").length : 0};
})
"""


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    browser = Chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield browser
    finally:
        browser.close()


def russian_fonts() -> set[str]:
    """The font families of the machine that cover Russian, as fontconfig says."""
    listed = subprocess.run(
        ["fc-list", ":lang=ru", "family"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return {family.strip() for line in listed.splitlines() for family in line.split(",")}


def write_page(folder: Path, language: str) -> Path:
    if language == "en":
        campaign, records = hostile_campaign()
    else:
        campaign, records = ccr.demo_campaign(120)
    path = folder / f"report-{language}.html"
    analytics.write_html_report(
        campaign, records, destination=path, language=language, generated=GENERATED
    )
    return path


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_report_opens_in_chromium(chromium: Chromium, tmp_path: Path, language: str) -> None:
    page = write_page(tmp_path, language)
    session = chromium.open_page()
    chromium.call(
        "Emulation.setDeviceMetricsOverride",
        session,
        width=1100,
        height=900,
        deviceScaleFactor=1,
        mobile=False,
    )
    chromium.call("Page.navigate", session, url=page.as_uri())
    chromium.wait_for("Page.loadEventFired", session)
    charts = chromium.evaluate(session, CHART_SIZES)
    events = [(method, params) for seen, method, params in chromium.events if seen == session]

    requested = [
        params["request"]["url"]
        for method, params in events
        if method == "Network.requestWillBeSent"
    ]
    assert [url for url in requested if not url.startswith(("file:", "data:"))] == []
    assert page.as_uri() in requested
    errors = [
        params
        for method, params in events
        if method == "Runtime.exceptionThrown"
        or (method == "Runtime.consoleAPICalled" and params["type"] in {"error", "assert"})
        or (method == "Log.entryAdded" and params["entry"]["level"] == "error")
    ]
    assert errors == []
    assert not [method for method, _ in events if method == "Page.javascriptDialogOpening"]
    assert chromium.evaluate(session, "document.scripts.length") == 0

    assert len(charts) == CHARTS
    for chart in charts:
        assert chart["width"] > 100, chart
        assert chart["height"] > 100, chart
        assert chart["paths"] > 5, chart

    # Cyrillic text of the page (not of the charts: they are paths) is drawn in
    # a font that has Cyrillic, never in boxes of a font without it.
    document = chromium.call("DOM.getDocument", session)["root"]["nodeId"]
    selector = "header dt" if language == "ru" else "#list-progress tbody tr:nth-child(2) td"
    node = chromium.call("DOM.querySelector", session, nodeId=document, selector=selector)
    text = chromium.evaluate(session, f"document.querySelector({selector!r}).textContent")
    assert any("а" <= letter.lower() <= "я" for letter in text), text
    fonts = chromium.call("CSS.getPlatformFontsForNode", session, nodeId=node["nodeId"])["fonts"]
    assert fonts
    if shutil.which("fc-list") is not None:
        assert {font["familyName"] for font in fonts} <= russian_fonts()

    OUTPUT.mkdir(parents=True, exist_ok=True)
    size = chromium.call("Page.getLayoutMetrics", session)["cssContentSize"]
    shot = chromium.call(
        "Page.captureScreenshot",
        session,
        format="png",
        captureBeyondViewport=True,
        clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
    )
    picture = base64.b64decode(shot["data"])
    assert picture.startswith(b"\x89PNG")
    (OUTPUT / f"report-{language}.png").write_bytes(picture)
    printed = base64.b64decode(chromium.call("Page.printToPDF", session)["data"])
    assert printed.startswith(b"%PDF")
    (OUTPUT / f"report-{language}.pdf").write_bytes(printed)


def test_the_browser_checks_can_fail(chromium: Chromium, tmp_path: Path) -> None:
    # A page that fetches an image and logs an error: both are seen, so the
    # report's empty lists above mean something.
    page = tmp_path / "leaky.html"
    page.write_text(
        '<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/pixel.png">'
        "<script>console.error('boom')</script></body></html>",
        encoding="utf-8",
    )
    session = chromium.open_page()
    chromium.call("Page.navigate", session, url=page.as_uri())
    chromium.wait_for("Page.loadEventFired", session)
    events = [(method, params) for seen, method, params in chromium.events if seen == session]
    requested = [p["request"]["url"] for m, p in events if m == "Network.requestWillBeSent"]
    assert "http://127.0.0.1:9/pixel.png" in requested
    assert any(m == "Runtime.consoleAPICalled" and p["type"] == "error" for m, p in events)
