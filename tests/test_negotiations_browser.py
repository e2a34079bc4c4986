"""The dashboard's Negotiations page in a real browser (Debian's Chromium) against a real
`bilateral serve` process over the levy talks of the brief's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bilateral.store import open_store
from live import MARKS, running_server
from test_forecast_brief import OFFER, THREAT, write_dossier, write_store

CHARTS_DONE = "body[data-charts=drawn], body[data-charts=failed], body[data-charts=none]"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("negotiations-browser")


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[str]:
    url = f"sqlite:///{folder / 'levy.db'}"
    with open_store(url) as store:
        write_store(store)
    with running_server(url, "--dossier", str(write_dossier(folder)),
                        log=folder / "serve.log") as base:
        yield base


@pytest.fixture
def watched(browser: Browser, server: str) -> Iterator[tuple[Page, list[str]]]:
    """A fresh page, and every problem it reports: console errors and warnings (CSP violations
    among them), script errors, and requests that leave the server's origin."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    page.on("request", lambda r: None if r.url.startswith((server + "/", "data:"))
            else seen.append(f"request: {r.url}"))
    yield page, seen
    page.close()


def test_the_page_draws_each_forecast_offline_without_errors(watched, server):
    page, seen = watched
    page.goto(server + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Negotiations").click()
    page.wait_for_url("**/negotiations")
    page.wait_for_selector(CHARTS_DONE, state="attached", timeout=20_000)
    assert page.evaluate("document.body.dataset.charts") == "drawn"
    chart = page.locator("#chart-negotiation-1")
    expect(chart.locator("svg.marks")).to_have_count(1)
    assert chart.locator(f"{MARKS}[aria-roledescription='line mark']").count() >= 5
    levy = page.locator("#issue-parts-levy")
    expect(levy.locator("dd.forecast")).to_contain_text("% levy")
    expect(levy.locator("dd.status-quo")).to_contain_text("5.0% levy")
    expect(page.locator("#issue-outlay .no-forecast")).to_contain_text("only 0 bargainer(s)")
    assert seen == []


def test_a_source_leads_to_its_quote_in_the_article(watched, server):
    page, seen = watched
    page.goto(server + "/negotiations?as_of=2025-06-30")
    page.wait_for_selector(CHARTS_DONE, state="attached", timeout=20_000)
    row = page.locator("#issue-parts-levy tr[data-actor=cabinet]")
    expect(row.locator("td.value")).to_have_text("position 8.0")
    quote = "proposed an 8% levy"
    row.get_by_role("link", name=quote).click()
    start = OFFER.text.index(quote)
    page.wait_for_url(f"**/documents/{OFFER.id}?mark={start}-{start + len(quote)}#mark")
    mark = page.locator("#mark")
    expect(mark).to_have_text(quote)
    expect(mark).to_be_in_viewport()
    page.go_back()
    executive = page.locator("#issue-parts-levy tr[data-actor=executive]")
    expect(executive.locator("a.quote-link")).to_have_attribute(
        "href", f"/documents/{THREAT.id}?mark={THREAT.text.index('threatened')}-"
                f"{THREAT.text.index('threatened') + 38}#mark")
    assert seen == []


def test_another_date_and_model_are_chosen_in_the_form(watched, server):
    page, seen = watched
    page.goto(server + "/negotiations")
    page.wait_for_selector(CHARTS_DONE, state="attached", timeout=20_000)
    page.get_by_label("Reporting before").fill("2025-06-30")
    page.get_by_label("Model").select_option("mean")
    page.get_by_role("button", name="Forecast").click()
    page.wait_for_url("**/negotiations?as_of=2025-06-30&model=mean")
    page.wait_for_selector(CHARTS_DONE, state="attached", timeout=20_000)
    expect(page.locator("#issue-parts-levy dt").first).to_have_text("Forecast (mean)")
    # the demand published in August is not yet known on 30 June
    expect(page.locator("#issue-parts-levy tr[data-actor=executive] td.value")).to_have_text(
        "position 25.0")
    assert seen == []


def test_the_page_fits_a_narrow_window(browser, server):
    page = browser.new_page(viewport={"width": 390, "height": 800})
    try:
        page.goto(server + "/negotiations")
        page.wait_for_selector(CHARTS_DONE, state="attached", timeout=20_000)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide"
    finally:
        page.close()


def test_the_server_logged_no_error(server, folder):
    told = (folder / "serve.log").read_text()
    assert "Traceback" not in told and " 500 " not in told
