"""The dashboard in a real browser (Debian's Chromium) against a real `bilateral serve` process.

Playwright drives the system Chromium at /usr/bin/chromium; it never downloads a browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bilateral.store import open_store
from live import MARKS, clickable_point, running_server
from test_dashboard import DEAL, HOSTILE, IMG, RECIPROCAL, SCRIPT, write_corpus

CHARTS_DONE = "body[data-charts=drawn], body[data-charts=failed], body[data-charts=none]"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dashboard-browser")


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[str]:
    """A server over the known corpus; yields its base URL."""
    url = f"sqlite:///{folder / 'd.db'}"
    with open_store(url) as store:
        write_corpus(store)
    with running_server(url, log=folder / "serve.log") as base:
        yield base


@pytest.fixture
def watched(browser: Browser, server: str) -> Iterator[tuple[Page, list[str]]]:
    """A fresh page, and every problem it reports: console errors and warnings (CSP violations
    among them), script errors, dialogs, and requests that leave the server's origin."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    page.on("dialog", lambda d: (seen.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("request", lambda r: None if r.url.startswith((server + "/", "data:"))
            else seen.append(f"request: {r.url}"))
    yield page, seen
    page.close()


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(CHARTS_DONE, state="attached", timeout=20_000)


def test_overview_draws_its_chart_offline_without_errors(watched, server):
    page, seen = watched
    open_page(page, server + "/")
    assert page.evaluate("document.body.dataset.charts") == "drawn"
    chart = page.locator("#chart-index")
    expect(chart.locator("svg.marks")).to_have_count(1)
    assert chart.locator(f"{MARKS}[aria-roledescription=bar]").count() > 0
    expect(page.locator("table.figures")).to_contain_text("15%")
    assert seen == []


def test_a_chart_point_leads_to_the_quote_in_its_article(watched, server):
    page, seen = watched
    open_page(page, f"{server}/indicators/{RECIPROCAL}")
    assert page.evaluate("document.body.dataset.charts") == "drawn"
    chart = page.locator("#chart-indicator")
    chart.scroll_into_view_if_needed()
    target = clickable_point(page, "#chart-indicator", "agreed", "15%")
    assert target and target["href"].startswith("#claim-")
    page.mouse.click(target["x"], target["y"])
    page.wait_for_function(f"location.hash === '{target['href']}'")
    claim = page.locator(target["href"])
    expect(claim).to_be_in_viewport()
    assert len(page.context.pages) == 1  # the same tab, no pop-up
    quote = "agreed on Tuesday a 15% tariff on Japanese goods"
    claim.locator(f'a[href^="/documents/{DEAL.id}?mark="]').click()
    page.wait_for_url(f"**/documents/{DEAL.id}?mark=*#mark")
    mark = page.locator("#mark")
    expect(mark).to_have_text(quote)
    expect(mark).to_be_in_viewport()
    expect(page.locator("li.record.selected")).to_contain_text(quote)
    assert seen == []


def test_search_from_the_header_finds_an_article_by_a_word_of_its_text(watched, server):
    page, seen = watched
    open_page(page, server + "/timeline")
    box = page.get_by_role("search").get_by_label("Search articles")
    box.fill("Ishiba")
    box.press("Enter")
    page.wait_for_url("**/search?q=Ishiba")
    result = page.locator(f'ol.hits a[href="/documents/{DEAL.id}"]')
    expect(result).to_have_text(DEAL.title)
    expect(page.locator("ol.hits mark").first).to_have_text("Ishiba")
    result.click()
    page.wait_for_url(f"**/documents/{DEAL.id}")
    expect(page.locator("h1")).to_have_text(DEAL.title)
    assert seen == []


def test_a_hostile_article_shows_as_text_and_runs_nothing(watched, server):
    page, seen = watched
    for url in (f"/documents/{HOSTILE.id}", "/", "/search?q=pledge",
                "/indicators/japan_investment_pledge_usd"):
        open_page(page, server + url)
        expect(page.locator("main")).to_contain_text(SCRIPT)
    open_page(page, f"{server}/documents/{HOSTILE.id}")
    text = page.locator("article .body").text_content()
    assert text == HOSTILE.text
    assert SCRIPT in text and IMG in text
    assert page.locator("main img").count() == 0
    assert page.evaluate("document.querySelectorAll('main script').length") == 0
    assert seen == []  # no dialog opened, no error, nothing fetched from elsewhere


@pytest.mark.parametrize("url", ["/", f"/documents/{DEAL.id}", "/timeline", "/disputes"])
def test_pages_fit_a_narrow_window(browser, server, url):
    page = browser.new_page(viewport={"width": 390, "height": 800})
    try:
        open_page(page, server + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width} px wide"
    finally:
        page.close()


def test_the_server_logged_no_error(server, folder):
    told = (folder / "serve.log").read_text()
    assert "Traceback" not in told and " 500 " not in told
