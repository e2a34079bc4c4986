"""The dashboard's pages, rendered by the application over a store whose records are known."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bilateral.analyse import IndicatorHistory, TimelineEntry, histories, timeline
from bilateral.analyse.claims import claim_id
from bilateral.analyse.kept import refresh
from bilateral.analyse.periods import overlaps
from bilateral.dossier import load_dossier
from bilateral.records import Document, Event, Extraction, Observation
from bilateral.serve import pages
from bilateral.serve.app import create_app
from bilateral.serve.settings import ServeSettings
from bilateral.store import Store, open_store

RECIPROCAL = "us_tariff_japan_reciprocal"
PLEDGE = "japan_investment_pledge_usd"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
ODD = "Zürich “550 billion” — 日本語 e\u0301 \u202eevil\u202c 🙂 R&D"

DEAL = Document(
    id="a" * 16, external_id="wire-a", title="Japan and U.S. agree 15% tariff deal",
    source="Wire A", published="2025-07-23", url="https://example.com/a",
    text="TOKYO, July 23. Japan and the United States agreed on Tuesday a 15% tariff on "
         "Japanese goods. Ishiba welcomed the deal after talks with Trump in Washington.")
SEALED = Document(
    id="b" * 16, title="Deal sealed at 15%", source="Paper B", published="2025-07-24",
    text="The agreed rate is 15%, officials said. Earlier, Trump had threatened 25% from "
         "August 1 on every Japanese import.")
DOUBT = Document(
    id="c" * 16, title="Deal at 10%?", source="Paper C", published="2025-07-23",
    text="Some reports put the agreed rate at 10% instead.")
COPY = Document(
    id="d" * 16, title="Japan and U.S. agree 15% tariff deal (syndicated)", source="Wire D",
    published="2025-07-24", text=DEAL.text + " Syndicated.")
HOSTILE = Document(
    id="e" * 16, title=f"{SCRIPT} {IMG} {ODD}", source="<b>Outlet</b>",
    published="2025-07-21", url="javascript:alert(3)",
    text=f"{ODD}\nThe pledge {SCRIPT} is $550 billion. {IMG} Ishiba met Trump {SCRIPT}.")


def observation(doc: Document, quote: str, indicator: str, value: float, unit: str,
                status: str, when: str | None) -> Observation:
    start = doc.text.index(quote)
    return Observation(doc_id=doc.id, indicator=indicator, value=value, unit=unit,
                       status=status, when=when, quote=quote, start=start,
                       end=start + len(quote), rule="test")


def event(doc: Document, quote: str, kind: str, source: str, target: str, when: str) -> Event:
    start = doc.text.index(quote)
    return Event(doc_id=doc.id, type=kind, source=source, target=target, when=when, quote=quote,
                 start=start, end=start + len(quote), rule="test")


def extractions() -> list[tuple[Extraction, str | None]]:
    """The corpus: a 15% deal in two articles and a copy, a 10% dispute, a threat, and a
    hostile article. Spans nest (DEAL) and cross (SEALED)."""
    return [
        (Extraction(DEAL, (
            observation(DEAL, "agreed on Tuesday a 15% tariff on Japanese goods", RECIPROCAL, 15,
                        "percent", "agreed", "2025-07-22"),
        ), (
            event(DEAL, "Japan and the United States agreed on Tuesday a 15% tariff", "AGREE",
                  "USA", "JPN", "2025-07-22"),
            event(DEAL, "talks with Trump in Washington", "CONSULT", "JPN", "USA", "2025-07-22"),
        )), None),
        (Extraction(SEALED, (
            observation(SEALED, "The agreed rate is 15%, officials said", RECIPROCAL, 15,
                        "percent", "agreed", "2025-07-22"),
            observation(SEALED, "Trump had threatened 25% from August 1", RECIPROCAL, 25,
                        "percent", "threatened", "2025-08-01"),
        ), (
            event(SEALED, "officials said. Earlier, Trump had threatened", "THREATEN", "USA",
                  "JPN", "2025-07"),
        )), None),
        (Extraction(DOUBT, (
            observation(DOUBT, "the agreed rate at 10%", RECIPROCAL, 10, "percent", "agreed",
                        "2025-07-22"),
        )), None),
        (Extraction(COPY, (
            observation(COPY, "agreed on Tuesday a 15% tariff on Japanese goods", RECIPROCAL, 15,
                        "percent", "agreed", "2025-07-22"),
        )), DEAL.id),
        (Extraction(HOSTILE, (
            observation(HOSTILE, f"The pledge {SCRIPT} is $550 billion", PLEDGE, 550e9, "usd",
                        "agreed", "2025-07-20"),
        ), (
            event(HOSTILE, f"Ishiba met Trump {SCRIPT}", "CONSULT", "JPN", "USA", "2025-07-20"),
        )), None),
    ]


def write_corpus(store: Store) -> None:
    store.write_batch(store.begin_run("ingest"), [
        (extraction, [], original, 0.97 if original else None)
        for extraction, original in extractions()])


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'd.db'}"
    with open_store(url) as store:
        write_corpus(store)
        refresh(store, load_dossier("us-japan"))
    return url


@dataclass(frozen=True)
class Analysis:
    """What the pages should show, computed from the records by the analysis itself."""

    histories: list[IndicatorHistory]
    timeline: list[TimelineEntry]

    def history(self, indicator: str) -> IndicatorHistory | None:
        return next((h for h in self.histories if h.indicator == indicator), None)

    def events(self, since: str, until: str) -> list[TimelineEntry]:
        return [e for e in self.timeline if overlaps(e.when, since, until)]


@pytest.fixture(scope="module")
def analysis(db: str) -> Analysis:
    with open_store(db) as store:
        return Analysis(histories(store, load_dossier("us-japan")), timeline(store))


@pytest.fixture(scope="module")
def client(db: str) -> Iterator[TestClient]:
    with TestClient(create_app(ServeSettings(db=db))) as opened:
        yield opened


# --- reading a page as a browser would ----------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parts: list[str] = field(default_factory=list)
    inside: list[Element] = field(default_factory=list)  # its descendants, in page order

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class Parsed(HTMLParser):
    """Every element of a page with its attributes and its text (its descendants' too)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        for parent in self._open:
            parent.inside.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._open.pop()

    def handle_endtag(self, tag: str) -> None:
        for n in range(len(self._open) - 1, -1, -1):
            if self._open[n].tag == tag:
                del self._open[n:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.parts.append(data)

    def find(self, tag: str | None = None, **attrs: str) -> list[Element]:
        return [e for e in self.elements if (tag is None or e.tag == tag)
                and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def by_id(self, element_id: str) -> Element:
        found = self.find(id=element_id)
        assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
        return found[0]

    def links(self) -> list[str]:
        return [e.attrs["href"] for e in self.find("a") if "href" in e.attrs]

    @property
    def body_text(self) -> str:
        return self.find("body")[0].text


def page(client: TestClient, url: str, status: int = 200) -> Parsed:
    response = client.get(url)
    assert response.status_code == status, response.text[:2000]
    assert response.headers["content-type"].startswith("text/html")
    return Parsed(response.text)


def spec(parsed: Parsed, chart: str) -> dict:
    return json.loads(parsed.by_id(f"spec-{chart}").text)


# --- the pages ----------------------------------------------------------------------------------

def test_overview_shows_current_values_with_their_sources(client):
    found = page(client, "/")
    agreed = claim_id(RECIPROCAL, "agreed", 15.0, "2025-07-22")
    link = f"/indicators/{RECIPROCAL}#claim-{agreed}"
    assert [a.text for a in found.find("a", href=link)] == ["15%"]
    cells = [e.text.strip() for e in _row_of(found, link).inside if e.tag == "td"]
    assert cells[1:5] == ["15%", "22 Jul 2025", "2 sources", "Paper B, Wire A, Wire D"]
    assert f"/disputes?indicator={RECIPROCAL}" in found.links()  # 15% against 10%
    facts = dict(zip([e.text.strip() for e in found.find("dt")],
                     [e.text.strip() for e in found.find("dd")], strict=True))
    assert (facts["Documents"], facts["Near-duplicates"], facts["Disputes"]) == ("5", "1", "1")
    assert [e.attrs["src"] for e in found.find("script") if "src" in e.attrs] == [
        "/static/vega.js", "/static/dashboard.js"]
    index = spec(found, "chart-index")
    assert {row["dyad"] for row in index["data"]["values"]} >= {"USA→JPN", "JPN→USA"}


def _row_of(parsed: Parsed, href: str) -> Element:
    """The table row holding the link to ``href``."""
    link = parsed.find("a", href=href)[0]
    return [e for e in parsed.elements[:parsed.elements.index(link)] if e.tag == "tr"][-1]


def test_latest_events_are_the_timeline_newest_first(client, analysis):
    found = page(client, "/")
    shown = [a.attrs["href"] for a in found.find("a") if "quote-link" in a.classes]
    assert shown == [pages.quote_url(e.quote) for e in analysis.timeline[::-1]]
    threat = "officials said. Earlier, Trump had threatened"
    start = SEALED.text.index(threat)
    assert f"/documents/{SEALED.id}?mark={start}-{start + len(threat)}#mark" in shown


def test_every_chart_point_leads_to_a_claim_and_its_quotes(client, analysis):
    found = page(client, f"/indicators/{RECIPROCAL}")
    chart = spec(found, "chart-indicator")
    assert chart["layer"][1]["encoding"]["href"]["field"] == "href"
    history = analysis.history(RECIPROCAL)
    assert sorted(row["href"] for row in chart["data"]["values"]) == \
        sorted(f"#claim-{c.id}" for c in history.claims)
    for claim in history.claims:
        row = found.by_id(f"claim-{claim.id}")
        links = [a.attrs["href"] for a in row.inside if a.tag == "a"]
        assert links == [pages.quote_url(r) for r in claim.reports]
        for report, link in zip(claim.reports, links, strict=True):
            opened = page(client, link.removesuffix("#mark"))
            assert opened.by_id("mark").text == report.quote
    agreed = found.by_id(f"claim-{claim_id(RECIPROCAL, 'agreed', 15.0, '2025-07-22')}")
    assert "copy" in agreed.text  # the near-duplicate is marked as such
    assert "3 sources" not in agreed.text


@pytest.mark.parametrize("doc", [DEAL, SEALED, HOSTILE], ids=["nested", "crossing", "hostile"])
def test_document_highlights_every_quote_exactly(client, doc):
    records = {e for e, _ in extractions() if e.document.id == doc.id}.pop()
    spans = {(r.start, r.end, "observation") for r in records.observations} | \
        {(r.start, r.end, "event") for r in records.events}
    found = page(client, f"/documents/{doc.id}")
    body = next(e for e in found.find("div") if "body" in e.classes)
    assert body.text == doc.text  # nothing lost, doubled or left escaped
    listed = {}
    for item in found.find("li"):
        if "data-key" in item.attrs:
            link = next(a for a in item.inside if a.tag == "a")
            start, end = map(int, re.search(r"mark=(\d+)-(\d+)", link.attrs["href"]).groups())
            listed[item.attrs["data-key"]] = (start, end, "observation" if "record-observation"
                                              in item.classes else "event")
    assert set(listed.values()) == spans
    marks = [m for m in found.find("mark") if "hl" in m.classes]
    for key, (start, end, kind) in listed.items():
        pieces = [m for m in marks if key in m.attrs["data-r"].split()]
        assert "".join(m.text for m in pieces) == doc.text[start:end]
        assert all(f"hl-{kind}" in m.classes for m in pieces)
        selected = page(client, f"/documents/{doc.id}?mark={start}-{end}")
        assert selected.by_id("mark").text == doc.text[start:end]


def test_a_mark_need_not_be_a_record(client):
    found = page(client, f"/documents/{DOUBT.id}?mark=0-4")
    assert found.by_id("mark").text == "Some"


def test_hostile_article_is_shown_as_text_everywhere(client):
    urls = [f"/documents/{HOSTILE.id}", "/", f"/indicators/{PLEDGE}", "/timeline", "/documents",
            "/search?q=pledge", f"/search?q={SCRIPT}"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.text
        assert SCRIPT not in html and "<img" not in html and "<b>Outlet" not in html, url
        parsed = Parsed(html)
        assert not parsed.find("img"), url
        for script in parsed.find("script"):
            assert script.attrs.get("src", "").startswith("/static/") or \
                script.attrs.get("type") == "application/json", url
        for element in parsed.elements:
            assert not any(name.startswith("on") for name in element.attrs), (url, element)
            assert not element.attrs.get("href", "").lower().startswith("javascript:"), url
    document = page(client, f"/documents/{HOSTILE.id}")
    assert SCRIPT in document.body_text and IMG in document.body_text
    assert ODD in document.by_id("content").text  # odd Unicode intact, neither lost nor mangled
    assert "<b>Outlet</b>" in document.body_text
    assert "javascript:alert(3)" in document.body_text  # shown, never linked
    indicator = page(client, f"/indicators/{PLEDGE}")
    assert f"The pledge {SCRIPT} is $550 billion" in indicator.body_text


def test_timeline_filters_and_pages(client, analysis, monkeypatch):
    agree = page(client, "/timeline?type=AGREE&state=&since=&until=")
    rows = [r for r in agree.find("tr") if r.attrs.get("id", "").startswith("event-")]
    assert len(rows) == 1 and "AGREE" in rows[0].text
    july = page(client, "/timeline?since=2025-07-21&until=2025-07-22&order=oldest")
    shown = [r.attrs["id"] for r in july.find("tr") if r.attrs.get("id", "").startswith("ev")]
    expected = analysis.events(since="2025-07-21", until="2025-07-22")
    assert shown == [f"event-{e.id}" for e in expected]
    assert {e.type for e in expected} == {"AGREE", "CONSULT", "THREATEN"}  # July overlaps
    assert not [r for r in page(client, "/timeline?min_sources=2").find("tr")
                if r.attrs.get("id", "").startswith("event-")]
    monkeypatch.setattr(pages, "TIMELINE_PAGE", 2)
    first = page(client, "/timeline?state=JPN")
    following = next(a.attrs["href"] for a in first.find("a") if a.attrs.get("rel") == "next")
    assert following == "/timeline?state=JPN&page=2"
    second = page(client, following)
    shown = [r.attrs["id"] for r in second.find("tr") if r.attrs.get("id", "").startswith("ev")]
    assert shown and not set(shown) & {r.attrs["id"] for r in first.find("tr")
                                       if r.attrs.get("id", "").startswith("ev")}


def test_disputes_list_every_side_with_its_quotes(client):
    found = page(client, "/disputes")
    text = found.body_text
    assert "15%" in text and "10%" in text
    assert "the agreed rate at 10%" in text and "The agreed rate is 15%, officials said" in text
    start = DOUBT.text.index("the agreed rate at 10%")
    assert f"/documents/{DOUBT.id}?mark={start}-{start + 22}#mark" in found.links()
    assert "No disagreement" in page(client, f"/disputes?indicator={PLEDGE}").body_text


def test_search_finds_articles_and_an_empty_query_shows_the_form(client):
    empty = page(client, "/search?q=")
    assert empty.find("input", name="q") and not empty.find("ol")
    found = page(client, "/search?q=Washington")
    assert f"/documents/{DEAL.id}" in found.links()
    words = [m.text for m in found.find("mark")]
    assert words and set(words) == {"Washington"}
    assert "No article matches" in page(client, "/search?q=zzzxq").body_text


def test_documents_list_every_article(client):
    found = page(client, "/documents")
    assert {f"/documents/{d.id}" for d in (DEAL, SEALED, DOUBT, COPY, HOSTILE)} <= \
        set(found.links())
    by_their_id = page(client, f"/documents/{DEAL.external_id}")  # the id its source gave
    assert DEAL.title in by_their_id.by_id("content").text


@pytest.mark.parametrize(("url", "status", "says"), [
    ("/timeline?type=FOO", 400, "type = 'FOO'"),
    ("/timeline?since=2025-13", 400, "since = '2025-13'"),
    ("/timeline?state=jpn", 400, "state = 'jpn'"),
    ("/timeline?min_sources=0", 400, "min_sources"),
    ("/timeline?order=random", 400, "order"),
    ("/timeline?page=0", 400, "page"),
    ("/timeline?page=99", 404, "no page 99"),
    ("/documents?page=99", 404, "no page 99"),
    ("/indicators/Not-An-Id", 400, "indicator_id"),
    ("/indicators/no_such_indicator", 404, "not an indicator"),
    ("/indicators/japan_ukraine_aid_usd", 404, "no value"),
    ("/disputes?indicator=Bad!", 400, "indicator"),
    (f"/documents/{'f' * 16}", 404, "No document"),
    (f"/documents/{'x' * 201}", 400, "ref"),
    (f"/documents/{'a' * 16}?mark=9-3", 400, "not a span"),
    (f"/documents/{'a' * 16}?mark=0-100000", 400, "not a span"),
    (f"/documents/{'a' * 16}?mark=1-2-3", 400, "mark"),
    (f"/search?q={'w' * 501}", 400, "q = "),
])
def test_bad_parameters_get_a_friendly_page(client, url, status, says):
    found = page(client, url, status)
    assert says.lower() in found.by_id("content").text.lower()
    assert found.find("form", action="/search")  # the usual header, search box and all
    assert "Traceback" not in found.body_text


def test_static_files_and_chart_libraries_are_served(client):
    for path, kind, content in [("/static/dashboard.js", "javascript", "vegaEmbed"),
                                ("/static/dashboard.css", "text/css", "#mark"),
                                ("/static/statuses.css", "text/css", ".s-agreed i"),
                                ("/static/vega.js", "javascript", "vegaEmbed"),
                                ("/static/favicon.svg", "image/svg", "<svg")]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert kind in response.headers["content-type"] and content in response.text, path


def test_pages_load_nothing_from_elsewhere_and_run_no_inline_code(client):
    urls = ["/", f"/indicators/{RECIPROCAL}", "/timeline", "/disputes", "/documents",
            f"/documents/{DEAL.id}", "/search?q=tariff", "/timeline?type=FOO", "/negotiations"]
    for url in urls:
        response = client.get(url)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        parsed = Parsed(response.text)
        loaded = [e.attrs.get("src") or e.attrs.get("href") or "" for e in parsed.elements
                  if e.tag in ("script", "link", "img", "iframe", "style")]
        assert all(u.startswith("/static/") for u in loaded if u), (url, loaded)
        assert not parsed.find("style"), url
        assert not [e for e in parsed.elements if "style" in e.attrs], url
        inline = [e for e in parsed.find("script") if "src" not in e.attrs]
        assert all(e.attrs.get("type") == "application/json" for e in inline), url


def test_new_documents_show_without_a_restart(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    with open_store(url) as store, \
            TestClient(create_app(ServeSettings(db=url))) as fresh:
        assert "No indicator figures" in page(fresh, "/").body_text
        assert "No documents yet" in page(fresh, "/documents").body_text
        write_corpus(store)  # marks what it changes; the next read keeps the answers
        assert f"/indicators/{RECIPROCAL}#claim-" in " ".join(page(fresh, "/").links())
        assert DEAL.title in page(fresh, "/documents").body_text
        assert f"/documents/{DEAL.id}" in page(fresh, "/search?q=Ishiba").links()


def test_an_unknown_page_is_a_page_for_a_browser_and_json_for_a_program(client):
    as_browser = client.get("/no-such-page", headers={"accept": "text/html"})
    assert as_browser.status_code == 404
    assert as_browser.headers["content-type"].startswith("text/html")
    assert "Not found" in as_browser.text
    as_program = client.get("/no-such-page", headers={"accept": "application/json"})
    assert as_program.status_code == 404 and as_program.json()["error"]["status"] == 404


def test_negotiations_page_shows_each_forecast_with_its_sources(tmp_path: Path):
    """The levy talks of the brief's tests: a forecast with its baselines, status quo, chart
    and sourced inputs, and an issue that cannot be forecast, with the reason."""
    from test_forecast_brief import CONFIRMED, OFFER, THREAT, write_dossier, write_store

    url = f"sqlite:///{tmp_path / 'levy.db'}"
    with open_store(url) as store:
        write_store(store)
    settings = ServeSettings(db=url, dossier=str(write_dossier(tmp_path)))
    with TestClient(create_app(settings)) as levy:
        found = page(levy, "/negotiations?as_of=2025-06-30")
        assert "/negotiations" in found.links()  # in the navigation
        section = found.by_id("issue-parts-levy")
        text = " ".join(section.text.split())
        # the same forecast as the API's, with its interval and the status quo
        api = levy.get("/api/negotiations/parts-levy", params={"as_of": "2025-06-30"}).json()
        facts = {e.attrs.get("class", ""): " ".join(e.text.split())
                 for e in section.inside if e.tag == "dd"}
        band = api["interval"]["forecast"]
        assert facts["forecast"] == f"{api['forecast']:.1f}% levy"
        assert facts["interval"] == (f"{band['low']:.1f}–{band['high']:.1f} median "
                                     f"{band['median']:.1f}")
        assert facts["status-quo"] == "5.0% levy 12 Feb 2025"
        baselines = [[c.text.strip() for c in row.inside if c.tag in ("th", "td")][:2]
                     for row in section.inside
                     if row.tag == "tr" and row.attrs.get("class") == "baseline"]
        assert baselines == [[label, f"{api['baselines'][name]:.1f}"] for name, label in (
            ("weighted_mean", "weighted mean"), ("weighted_median", "weighted median"),
            ("capability_mean", "capability mean"))]
        links = [e.attrs["href"] for e in section.inside if e.tag == "a"]
        for doc, quote in ((CONFIRMED, "still pay a 5% levy"),
                           (THREAT, "threatened a 25% levy on machine parts"),
                           (OFFER, "proposed an 8% levy")):
            start = doc.text.index(quote)
            assert f"/documents/{doc.id}?mark={start}-{start + len(quote)}#mark" in links
        assert "https://example.org/coastal/middle-way" in links  # the dossier's report
        assert "left out: Industry Council" in text
        spec = json.loads(found.by_id("spec-chart-negotiation-1").text)
        assert {r["series"] for r in spec["data"]["values"]} == {"median", "mean",
                                                                 "each bargainer"}
        outlay = " ".join(found.by_id("issue-outlay").text.split())
        assert "No forecast: negotiations: outlay as of 2025-06-30: only 0 bargainer(s)" in outlay
        bad = levy.get("/negotiations?as_of=2025-13-01", headers={"accept": "text/html"})
        assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text
