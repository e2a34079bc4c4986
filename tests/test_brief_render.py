"""The brief rendered as HTML, static HTML and Markdown, from records whose figures are known."""

from __future__ import annotations

import json
import re
import stat
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bilateral.dossier import load_dossier
from bilateral.errors import ReportError
from bilateral.records import Document, Event, Extraction, Observation
from bilateral.report import Brief, build_brief, render_html, render_markdown, write_brief
from bilateral.report import pdf as pdf_module
from bilateral.report.charts import index_chart, indicator_chart
from bilateral.report.markdown import escape as escape_markdown
from bilateral.report.markdown import sparkline
from bilateral.store import open_store

HOSTILE = "<script>alert(1)</script>"
ODD = "Zürich “550 billion” — 日本語 e\u0301 \u202eevil\u202c 🙂 R&D"
RECIPROCAL = "us_tariff_japan_reciprocal"


def document(letter: str, published: str, **meta: str) -> Document:
    return Document(id=letter * 16, text=f"Report {letter} on the alliance.", published=published,
                    **meta)


def obs(doc: Document, indicator: str, value: float, unit: str, status: str, when: str | None,
        quote: str) -> Observation:
    return Observation(doc_id=doc.id, indicator=indicator, value=value, unit=unit, status=status,
                       when=when, quote=quote, start=0, end=8, rule="test")


def event(doc: Document, kind: str, source: str, target: str, when: str, quote: str) -> Event:
    return Event(doc_id=doc.id, type=kind, source=source, target=target, when=when, quote=quote,
                 start=0, end=8, rule="test")


@pytest.fixture(scope="module")
def brief(tmp_path_factory: pytest.TempPathFactory) -> Brief:
    """Two reports of the 15% deal (plus a copy of one), a hostile quote and title, an odd
    Unicode quote, a value dispute on autos, an undated troop count and a pending target."""
    a = document("a", "2025-07-23", title=f"Tariff deal {HOSTILE}", source="Wire A",
                 url="https://example.com/a")
    b = document("b", "2025-07-24", title="Deal sealed", source="Paper B",
                 url="javascript:alert(2)")
    copy = document("c", "2025-07-25", title="Tariff deal (syndicated)", source="Wire C")
    d = document("d", "2025-09-02", title="Autos at 15%", source="Paper D")
    e = document("e", "2025-09-03", title="Autos still at 27.5%", source="Paper E")
    deal = f"Japan agreed to a 15% tariff {HOSTILE}"
    path = tmp_path_factory.mktemp("brief") / "b.db"
    with open_store(f"sqlite:///{path}") as store:
        store.write_batch(store.begin_run("ingest"), [
            (Extraction(a, (
                obs(a, RECIPROCAL, 24, "percent", "announced", "2025-04-02",
                    "Trump announced a 24% tariff."),
                obs(a, RECIPROCAL, 15, "percent", "agreed", "2025-07-22", deal),
                obs(a, "japan_defense_spending_gdp", 2, "percent_gdp", "target", "2027",
                    "Japan aims for 2% of GDP by 2027."),
            ), (event(a, "AGREE", "USA", "JPN", "2025-07-22", f"They agreed {HOSTILE}"),)),
             [], None, None),
            (Extraction(b, (
                obs(b, RECIPROCAL, 15, "percent", "agreed", "2025-07-22", "The deal sets 15%."),
                obs(b, "japan_investment_pledge_usd", 550e9, "usd", "agreed", "2025-07-22",
                    ODD),
                obs(b, "us_troops_in_japan", 54000, "count", "actual", None,
                    "About 54,000 troops."),
            ), (event(b, "CONSULT", "JPN", "USA", "2025-02-07", "Ishiba met Trump."),)),
             [], None, None),
            (Extraction(copy, (obs(copy, RECIPROCAL, 15, "percent", "agreed", "2025-07-22",
                                   deal),)), [], a.id, 0.97),
            (Extraction(d, (obs(d, "us_tariff_japan_autos", 15, "percent", "actual", "2025-09",
                                "Autos now pay 15%."),)), [], None, None),
            (Extraction(e, (obs(e, "us_tariff_japan_autos", 27.5, "percent", "actual",
                                "2025-09", "Autos still pay 27.5%."),)), [], None, None),
        ])
        return build_brief(store, load_dossier("us-japan"))


class Page(HTMLParser):
    """What a browser would see: element ids, links, scripts and their text, visible text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.repeated_ids: set[str] = set()
        self.links: list[str] = []
        self.scripts: list[tuple[str | None, str]] = []
        self.svgs = 0
        self.text: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            (self.repeated_ids if found["id"] in self.ids else self.ids).add(found["id"] or "")
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        if tag == "script":
            self._in_script = True
            self.scripts.append((found.get("type"), ""))
        self.svgs += tag == "svg"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            kind, text = self.scripts[-1]
            self.scripts[-1] = (kind, text + data)
        else:
            self.text.append(data)


def headline(brief: Brief, indicator: str, status: str):
    return next(h for h in brief.headline
                if h.history.indicator == indicator and h.status == status)


def test_headline_counts_sources_and_flags_disputes(brief):
    deal = headline(brief, RECIPROCAL, "agreed")
    assert (deal.claim.value, deal.claim.sources) == (15, 2)  # the copy of a does not count
    assert headline(brief, "us_tariff_japan_autos", "actual").disputed
    assert not deal.disputed


def test_html_shows_every_headline_figure_linked_to_its_evidence(brief):
    html = render_html(brief)
    page = Page(html)
    numbers = brief.source_number
    for row in brief.headline:
        assert f"#claim-{row.claim.id}" in page.links
    deal = headline(brief, RECIPROCAL, "agreed").claim
    cells = re.search(
        rf'<a href="#claim-{deal.id}"[^>]*>(.*?)</a>.*?<td class="num sources">(\d+) ', html, re.S)
    assert cells and cells.groups() == ("15%", "2")
    pledge = headline(brief, "japan_investment_pledge_usd", "agreed").claim
    assert f'<a href="#claim-{pledge.id}" title="Evidence for this figure">$550bn</a>' in html
    assert not page.repeated_ids
    internal = [link[1:] for link in page.links if link.startswith("#")]
    assert internal and set(internal) <= page.ids  # every in-page link has its target
    assert {f"source-{n}" for n in numbers.values()} <= page.ids
    assert "disputed" in " ".join(page.text)


def test_html_escapes_article_text(brief):
    html = render_html(brief)
    page = Page(html)
    executable = [text for kind, text in page.scripts if kind != "application/json"]
    assert len(executable) == 2  # the chart libraries and the embedding code, nothing else
    assert not any("alert(" in text for text in executable)
    assert escape(HOSTILE, quote=False) in html
    assert HOSTILE not in html
    text = " ".join(page.text)
    assert HOSTILE in text and ODD in text  # shown as text, verbatim
    assert "javascript:" not in " ".join(page.links).lower()
    assert "https://example.com/a" in page.links
    for kind, content in page.scripts:
        if kind == "application/json":
            assert "<" not in content and ">" not in content
            json.loads(content)  # still valid after escaping
    specs = [json.loads(c) for k, c in page.scripts if k == "application/json"]
    quotes = {row["quote"] for spec in specs for row in spec["data"]["values"] if "quote" in row}
    assert any(HOSTILE in q for q in quotes)


def test_static_html_has_inline_svg_charts_and_no_script(brief):
    html = render_html(brief, static=True)
    page = Page(html)
    plotted = [h for h in brief.charts if any(c.when for c in h.claims)]
    forecast = [o for o in brief.negotiations if o.forecast]
    # one per key indicator with a date, the index, and one per negotiation forecast
    assert page.svgs == len(plotted) + 1 + len(forecast)
    inner = re.findall(r'id="([^"]+)"', "".join(re.findall(r"<svg.*?</svg>", html, re.S)))
    assert inner and all(i.startswith("chart-") for i in inner)  # each chart's own ids
    assert not page.repeated_ids
    assert "<script" not in html.lower() and not page.scripts
    assert "No dated figure to plot." in html  # the troop count is undated
    assert HOSTILE not in html
    assert f"#claim-{headline(brief, RECIPROCAL, 'agreed').claim.id}" in page.links


def test_indicator_chart_plots_dated_claims_as_steps(brief):
    history = next(h for h in brief.charts if h.indicator == RECIPROCAL)
    spec = indicator_chart(history)
    rows = spec["data"]["values"]
    assert {(r["status"], r["value"], r["date"], r["sources"]) for r in rows} == {
        ("announced", 24, "2025-04-02", 1), ("agreed", 15, "2025-07-22", 2)}
    assert {r["href"] for r in rows} == {f"#claim-{c.id}" for c in history.claims}
    assert spec["layer"][0]["mark"]["interpolate"] == "step-after"
    assert spec["encoding"]["y"]["title"] == "Percent"
    pledge = next(h for h in brief.charts if h.indicator == "japan_investment_pledge_usd")
    pledge_spec = indicator_chart(pledge)
    assert pledge_spec["data"]["values"][0]["value"] == 550  # plotted in billions
    assert pledge_spec["encoding"]["y"]["title"] == "US$ bn"
    troops = next(h for h in brief.charts if h.indicator == "us_troops_in_japan")
    assert indicator_chart(troops) is None  # only an undated claim


def test_index_chart_has_a_series_per_dyad_and_a_zero_rule(brief):
    spec = index_chart(brief.index)
    rows = spec["data"]["values"]
    assert {r["dyad"] for r in rows} == {"USA→JPN", "JPN→USA"}
    july = {r["dyad"]: (r["score"], r["events"]) for r in rows if r["month"] == "2025-07-01"}
    assert july == {"USA→JPN": (4, 1), "JPN→USA": (4, 1)}  # AGREE counts both ways
    assert spec["spec"]["layer"][1]["encoding"]["y"]["datum"] == 0
    assert index_chart([]) is None


def test_markdown_has_the_same_figures_escaped(brief):
    text = render_markdown(brief)
    numbers = brief.source_number
    deal = headline(brief, RECIPROCAL, "agreed").claim
    cites = "".join(f"[{n}]" for n in sorted({numbers[r.doc.id] for r in deal.reports}))
    assert f"| agreed | [15%](#claim-{deal.id}) | 22 Jul 2025 | 2 {cites} |" in text
    assert "<script>" not in text and r"\<script\>alert(1)\</script\>" in text
    assert "Zürich “550 billion” — 日本語" in text
    assert "2 Apr 2025 announced 24% → 22 Jul 2025 agreed 15%" in text
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    assert set(re.findall(r"\]\(#([^)]+)\)", text)) <= anchors
    assert "⚑ disputed" in text
    assert "javascript:" not in text
    assert "## Pending" in text and "Japan's defense spending (% of GDP): target" in text


def test_markdown_escape_keeps_text_literal():
    assert escape_markdown("a\x1b[31m *b* | [c](x)\n<i>") == r"a\[31m \*b\* \| \[c\](x) \<i\>"


def test_sparkline_spans_the_range():
    assert sparkline([-2, 0, 6]) == "▁▃█"
    assert sparkline([3, 3]) == "▁▁"
    assert sparkline([0, -5], low=-10, high=10) == "▅▃"  # a shared scale: zero mid-way
    assert sparkline([]) == ""


def test_write_brief_dispatches_on_suffix(brief, tmp_path):
    html = write_brief(brief, tmp_path / "new" / "dir" / "brief.HTML")
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    md = write_brief(brief, tmp_path / "brief.md")
    assert md.read_text(encoding="utf-8").startswith("# United States–Japan")
    with pytest.raises(ReportError, match=r"\.html, \.htm, \.pdf, \.md") as caught:
        write_brief(brief, tmp_path / "brief.docx")
    assert caught.value.code == "B600"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.md", "new"]


def test_pdf_without_a_browser_says_how_to_get_one(brief, tmp_path, monkeypatch):
    target = tmp_path / "brief.pdf"
    with pytest.raises(ReportError, match="BILATERAL_BROWSER") as caught:
        write_brief(brief, target, browser=str(tmp_path / "no-such-chrome"))
    assert "Chromium or Chrome" in caught.value.message and ".html" in caught.value.message
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("BILATERAL_BROWSER", raising=False)
    monkeypatch.setattr(pdf_module, "FALLBACK_BROWSER", str(tmp_path / "missing"))
    with pytest.raises(ReportError, match="none was found"):
        pdf_module.write_pdf(brief, target)
    assert list(tmp_path.iterdir()) == []


def test_pdf_browser_failure_reports_its_output_and_leaves_no_file(brief, tmp_path):
    broken = tmp_path / "broken-chrome"
    broken.write_text("#!/bin/sh\necho 'cannot open display :99' >&2\nexit 3\n")
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    target = tmp_path / "out" / "brief.pdf"
    with pytest.raises(ReportError, match="exit code 3") as caught:
        pdf_module.write_pdf(brief, target, browser=str(broken))
    assert "cannot open display :99" in caught.value.message
    assert list(Path(target.parent).iterdir()) == []


def test_a_widely_reported_figure_quotes_a_few_sources_and_counts_them_all(tmp_path):
    from bilateral.report.brief import QUOTES_PER_ITEM

    reports = [document(letter, f"2025-07-{10 + n:02d}", source=f"Outlet {n}")
               for n, letter in enumerate("pqrstu")]
    with open_store(f"sqlite:///{tmp_path / 'wide.db'}") as store:
        store.write_batch(store.begin_run("ingest"), [
            (Extraction(d, (obs(d, RECIPROCAL, 15, "percent", "agreed", "2025-07",
                                f"Outlet {n} says 15%."),
                            obs(d, RECIPROCAL, 25, "percent", "threatened", f"2025-0{n + 1}",
                                "A 25% threat.") if n < 2 else
                            obs(d, RECIPROCAL, 10, "percent", "actual", "2025-04", "10% now."))),
             [], None, None) for n, d in enumerate(reports)])
        made = build_brief(store, load_dossier("us-japan"))
    deal = headline(made, RECIPROCAL, "agreed").claim
    assert deal.sources == 6
    quoted = made.quotes(deal)
    assert len(quoted) == QUOTES_PER_ITEM
    assert quoted[0][0].text == "Outlet 0 says 15%."  # the earliest first
    assert made.cited(deal) == [made.source_number[d.id] for d in reports[:QUOTES_PER_ITEM]]
    # the source list holds what is quoted, not every report of every figure: the deal quotes
    # p, q, r; the 10% in force (reported by r, s, t, u) quotes r, s, t; nothing quotes u
    assert {c.id[0] for c in made.sources} == set("pqrst")
    # a charted single-source figure outside the headline has no evidence block, so its point
    # carries no link (its quote is in the tooltip), while the headline figures do
    [chart] = [h for h in made.charts if h.indicator == RECIPROCAL]
    points = {(p["status"], p["date"]): p for p in
              indicator_chart(chart, made.has_evidence)["data"]["values"]}
    assert points[("threatened", "2025-01-01")]["href"] is None
    assert points[("threatened", "2025-02-01")]["href"] == \
        f"#claim-{headline(made, RECIPROCAL, 'threatened').claim.id}"
    assert points[("agreed", "2025-07-01")]["href"] == f"#claim-{deal.id}"


def test_the_chart_library_bundle_is_made_once_and_kept_in_the_user_cache(tmp_path,
                                                                          monkeypatch):
    from bilateral.report.html import vega_bundle

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    vega_bundle.cache_clear()
    try:
        bundle = vega_bundle()
        [kept] = (tmp_path / "bilateral").glob("vega-bundle-*.js")
        assert kept.read_text(encoding="utf-8") == bundle and "vegaEmbed" in bundle
        kept.write_text("/* kept */", encoding="utf-8")
        vega_bundle.cache_clear()
        assert vega_bundle() == "/* kept */"  # read back, not bundled again
    finally:
        vega_bundle.cache_clear()
