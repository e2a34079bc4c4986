"""The HTML brief in a real browser (Debian's Chromium), and the PDF it prints.

Playwright drives the system Chromium at /usr/bin/chromium; it never downloads a browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pypdfium2
import pytest
from playwright.sync_api import Browser, Page, expect

from bilateral.dossier import load_dossier
from bilateral.records import Document, Event, Extraction, Observation
from bilateral.report import Brief, build_brief, write_brief, write_pdf
from bilateral.store import open_store
from live import CHROMIUM, MARKS, clickable_point


def obs(doc: Document, indicator: str, value: float, unit: str, status: str,
        when: str) -> Observation:
    return Observation(doc_id=doc.id, indicator=indicator, value=value, unit=unit, status=status,
                       when=when, quote=f"{indicator} {status} {value:g} <b>{when}</b>",
                       start=0, end=8, rule="test")


def event(doc: Document, kind: str, source: str, target: str, when: str) -> Event:
    return Event(doc_id=doc.id, type=kind, source=source, target=target, when=when,
                 quote=f"{source} and {target}: {kind}", start=0, end=8, rule="test")


@pytest.fixture(scope="module")
def brief(tmp_path_factory: pytest.TempPathFactory) -> Brief:
    a = Document(id="a" * 16, text="Report a.", title="April <tariffs>", source="Wire A",
                 published="2025-04-05", url="https://example.com/a")
    b = Document(id="b" * 16, text="Report b.", title="July deal", source="Paper B",
                 published="2025-07-23")
    path = tmp_path_factory.mktemp("browser") / "b.db"
    with open_store(f"sqlite:///{path}") as store:
        store.write_batch(store.begin_run("ingest"), [
            (Extraction(a, (
                obs(a, "us_tariff_japan_reciprocal", 24, "percent", "announced", "2025-04-02"),
                obs(a, "us_tariff_japan_reciprocal", 25, "percent", "threatened", "2025-04"),
            ), (event(a, "SANCTION", "USA", "JPN", "2025-04-02"),
                event(a, "CONSULT", "JPN", "USA", "2025-04-16"))), [], None, None),
            (Extraction(b, (
                obs(b, "us_tariff_japan_reciprocal", 15, "percent", "agreed", "2025-07-22"),
                obs(b, "japan_investment_pledge_usd", 550e9, "usd", "agreed", "2025-07-22"),
            ), (event(b, "AGREE", "USA", "JPN", "2025-07-22"),)), [], None, None),
        ])
        return build_brief(store, load_dossier("us-japan"))


@pytest.fixture
def opened(brief: Brief, browser: Browser, tmp_path: Path) -> Iterator[tuple[Page, list[str]]]:
    """The HTML brief opened from disk once its charts are drawn, and every problem and
    request the page produced on the way."""
    path = write_brief(brief, tmp_path / "brief.html")
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    page.on("request", lambda r: None if r.url.startswith(("file:", "data:"))
            else seen.append(f"request: {r.url}"))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-charts=drawn], body[data-charts=failed]",
                           state="attached", timeout=20_000)
    yield page, seen
    page.close()


def test_every_chart_is_drawn_offline_without_errors(opened, brief):
    page, seen = opened
    assert page.evaluate("document.body.dataset.charts") == "drawn"
    assert seen == []
    charts = page.locator(".chart")
    forecast = [o for o in brief.negotiations if o.forecast]
    # the key indicators, the index, and each negotiation forecast
    assert charts.count() == len(brief.charts) + 1 + len(forecast)
    for n in range(charts.count()):
        chart = charts.nth(n)
        expect(chart.locator("svg.marks")).to_have_count(1)
        assert chart.locator(MARKS).count() > 0, chart.get_attribute("id")
    points = page.locator(f"#chart-indicator-1 {MARKS}[aria-roledescription=point]")
    assert points.count() == 3  # announced 24%, threatened 25%, agreed 15%


def test_headline_value_opens_its_evidence(opened, brief):
    page, _ = opened
    row = next(h for h in brief.headline if h.status == "agreed"
               and h.history.indicator == "us_tariff_japan_reciprocal")
    page.locator(f'td.value a[href="#claim-{row.claim.id}"]').click()
    page.wait_for_function(f"location.hash === '#claim-{row.claim.id}'")
    evidence = page.locator(f"#claim-{row.claim.id}")
    expect(evidence).to_be_in_viewport()
    expect(evidence).to_contain_text("agreed 15%")
    expect(evidence).to_contain_text("<b>2025-07-22</b>")  # the quote's markup shown as text


def test_chart_point_opens_its_evidence(opened):
    page, _ = opened
    chart = page.locator("#chart-indicator-1")
    chart.scroll_into_view_if_needed()
    target = clickable_point(page, "#chart-indicator-1")
    assert target and target["href"].startswith("#claim-")
    page.mouse.click(target["x"], target["y"])
    page.wait_for_function(f"location.hash === '{target['href']}'")
    expect(page.locator(target["href"])).to_be_in_viewport()
    assert len(page.context.pages) == 1  # same page, no new tab


def test_pdf_is_a4_and_every_page_has_content(brief, tmp_path):
    path = write_pdf(brief, tmp_path / "out" / "brief.pdf", browser=CHROMIUM)
    assert [p.name for p in path.parent.iterdir()] == ["brief.pdf"]  # no partial file left
    document = pypdfium2.PdfDocument(str(path))
    try:
        assert len(document) >= 1
        width, height = document[0].get_size()
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        first = document[0].get_textpage().get_text_range()
        assert "United States–Japan: analyst brief" in first
        for number, page in enumerate(document, 1):
            pixels = page.render(scale=0.5, grayscale=True).to_numpy()
            inked = (pixels < 200).mean()
            assert 0.005 < inked < 0.5, f"page {number} is {inked:.1%} ink"
    finally:
        document.close()
