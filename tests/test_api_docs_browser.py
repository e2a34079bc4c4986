"""The API's documentation page in a real browser (Debian's Chromium) against a real
`bilateral serve` process: Swagger UI lists every endpoint of the server's own OpenAPI
document, fetches nothing from another host, breaks no rule of the security headers, and tries
a read as it is and a write with a token pasted into Authorize.

Playwright drives the system Chromium at /usr/bin/chromium; it never downloads a browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from bilateral.serve.security import SECURITY_HEADERS
from live import running_server
from test_api import seed

LOADED = ".opblock-summary-path"  # one per operation, drawn once the document is read
ANSWER = ".live-responses-table tr.response td.response-col_description"  # of a try


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """A server over a small store: (base URL, an API token, its folder)."""
    folder = tmp_path_factory.mktemp("api-docs")
    url = f"sqlite:///{folder / 'docs.db'}"
    token = seed(url)
    with running_server(url, "--rate-limit", "0", log=folder / "serve.log") as base:
        yield base, token, folder


@pytest.fixture
def watched(browser: Browser, server) -> Iterator[tuple[Page, list[str]]]:
    """A fresh page on the docs, and every problem it reports: console errors and warnings
    (CSP violations among them), script errors, and requests to any other host."""
    base = server[0]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    page.on("request", lambda r: None if r.url.startswith((base + "/", "data:"))
            else seen.append(f"request: {r.url}"))
    page.goto(base + "/api/docs")
    page.wait_for_selector(LOADED, timeout=20_000)
    yield page, seen
    page.close()


def operation(page: Page, method: str, path: str):
    block = page.locator(f".opblock-{method}").filter(
        has=page.locator(f'{LOADED}[data-path="{path}"]'))
    expect(block).to_have_count(1)
    return block


def execute(page: Page, block) -> str:
    """Run the operation from the page; the status it shows."""
    block.get_by_role("button", name="Execute").click()
    status = block.locator(".live-responses-table .response .response-col_status")
    expect(status).to_be_visible(timeout=20_000)
    return status.inner_text().strip()


def test_the_page_lists_every_endpoint_and_fetches_nothing_from_elsewhere(watched, server):
    page, seen = watched
    base = server[0]
    expect(page.locator(f'{LOADED}[data-path="/api/indicators"]')).to_be_visible()
    document = httpx.get(f"{base}/api/openapi.json", timeout=30).json()
    listed = page.eval_on_selector_all(
        ".opblock", """blocks => blocks.map(b => [
            b.querySelector('.opblock-summary-method').textContent.toLowerCase(),
            b.querySelector('.opblock-summary-path').dataset.path])""")
    assert sorted(map(tuple, listed)) == sorted(
        (method, path) for path, item in document["paths"].items() for method in item)
    assert len(listed) == 15
    expect(page.locator(".info .title")).to_contain_text("bilateral")
    headers = httpx.get(f"{base}/api/docs", timeout=30).headers
    assert headers["content-security-policy"] == SECURITY_HEADERS["content-security-policy"]
    assert seen == []


def test_an_operation_shows_its_answer_and_error_schemas(watched):
    page, seen = watched
    block = operation(page, "get", "/api/indicators/{indicator_id}")
    block.locator(".opblock-summary-control").click()
    codes = block.locator(".responses-table > tbody > tr.response > td.response-col_status")
    expect(codes).to_have_text(["200", "400", "404", "429", "503", "default"])
    assert "422" not in block.inner_text()
    assert seen == []


def test_a_read_can_be_tried_from_the_page(watched):
    page, seen = watched
    block = operation(page, "get", "/api/health")
    block.locator(".opblock-summary-control").click()
    block.get_by_role("button", name="Try it out").click()
    assert execute(page, block) == "200"
    expect(block.locator(ANSWER)).to_contain_text('"status": "ok"')
    assert seen == []


def test_a_token_pasted_into_authorize_reaches_a_write_and_is_not_stored(watched, server):
    page, seen = watched
    token = server[1]
    block = operation(page, "post", "/api/documents")
    block.locator(".opblock-summary-control").click()
    block.get_by_role("button", name="Try it out").click()
    block.locator("textarea.body-param__text").fill('{"documents": []}')
    assert execute(page, block) == "401"  # no token yet
    page.locator(".auth-wrapper .authorize").click()
    dialog = page.locator(".modal-ux")
    dialog.get_by_label("auth-bearer-value").fill(token)
    dialog.get_by_role("button", name="Apply credentials").click()
    dialog.get_by_role("button", name="Close", exact=True).click()
    assert execute(page, block) == "400"  # the token was taken; the empty list was not
    expect(block.locator(ANSWER)).to_contain_text("body.documents")
    assert token not in page.evaluate("JSON.stringify(window.localStorage)")
    assert token not in page.evaluate("JSON.stringify(window.sessionStorage)")
    # the browser reports each refused request itself; nothing else went wrong
    failed = "console error: Failed to load resource: the server responded with a status of"
    assert seen == [f"{failed} 401 (Unauthorized)", f"{failed} 400 (Bad Request)"]


def test_the_dashboard_leads_to_the_page(browser, server):
    page = browser.new_page()
    try:
        page.goto(server[0] + "/")
        page.locator("footer.site").get_by_role("link", name="the API").click()
        page.wait_for_url("**/api/docs")
        expect(page.locator(f'{LOADED}[data-path="/api/timeline"]')).to_be_visible(
            timeout=20_000)
    finally:
        page.close()


def test_the_server_logged_no_error(server):
    told = (server[2] / "serve.log").read_text()
    assert "Traceback" not in told and " 500 " not in told
