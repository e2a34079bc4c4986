"""Where the negotiations are heading, in the brief: a small dossier with two negotiations (one
that can be forecast, one whose bargainers have no position) and a store of reports written for
these tests, rendered as Markdown, HTML and static HTML."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilateral.cli import app
from bilateral.dossier import Dossier, load_dossier
from bilateral.forecast.issues import forecast_issue
from bilateral.records import Document, Extraction, Observation
from bilateral.report import Brief, build_brief, render_html, render_markdown
from bilateral.store import Store, open_store

AS_OF = dt.date(2025, 6, 30)
RUNS = 40
LEVY = "parts_levy"

DOSSIER = """\
id: levy-talks
name: Levy talks
dyad: [USA, JPN]
states:
  USA: {name: United States, aliases: [U.S.], adjectives: [American], capitals: [Washington]}
  JPN: {name: Japan, adjectives: [Japanese], capitals: [Tokyo]}
actors:
  - id: quill
    name: Mara Quill
    aliases: [Quill]
    roles:
      - {state: USA, title: Trade envoy, start: 2024-06-01}
  - id: oda
    name: Ren Oda
    aliases: [Oda]
    roles:
      - {state: JPN, title: Trade minister, start: 2024-10-01}
  - id: parts_council
    name: Machine Parts Council
    roles:
      - {state: JPN, title: Industry body, start: 2020-01-01}
indicators:
  - {id: parts_levy, name: Levy on machine parts, unit: percent, key: true, cues: [[levy*]]}
  - {id: outlay_gdp, name: Defence outlay, unit: percent_gdp, cues: [[outlay*]]}
events:
  - {type: CONSULT, triggers: [met]}
negations: [not, never]
negotiations:
  - id: parts-levy
    name: Levy on machine parts
    indicator: parts_levy
    scale: {low: 0, high: 30, label: "% levy"}
    status_quo: 5
    status_quo_source:
      date: 2025-01-10
      outlet: Harbour Ledger
      title: Parts levy stays at five percent
      url: https://example.org/ledger/levy-baseline
      summary: a 5% levy applies to machine parts for now
    position_statuses: [threatened, proposed, demanded]
    unattributed: {threatened: USA}
    outcome:
      value: 15
      date: 2025-09-15
      source:
        date: 2025-09-16
        outlet: Coastal Times
        summary: the two sides settled on a 15% levy
    backtest_as_of: 2025-06-30
    actors:
      - id: executive
        name: Executive Office
        state: USA
        capability: 1.0
        salience: 0.8
        speakers: [quill]
        voice_of_state: true
        uncertainty: {capability: 0.1, salience: 0.1, position: 2}
      - id: trade_office
        name: Trade Office
        state: USA
        capability: 0.6
        salience: 0.7
        position: 12
        source:
          date: 2025-02-14
          outlet: Coastal Times
          title: Trade office eyes a middle way
          url: https://example.org/coastal/middle-way
          summary: the trade office is said to favour a levy of about 12%
        uncertainty: {capability: 0.1, salience: 0.1, position: 3}
      - id: cabinet
        name: Cabinet Office
        state: JPN
        capability: 0.7
        salience: 0.9
        speakers: [oda]
        voice_of_state: true
        uncertainty: {capability: 0.1, salience: 0.05, position: 2}
      - id: industry
        name: Industry Council
        state: JPN
        capability: 0.2
        salience: 0.6
        speakers: [parts_council]
  - id: outlay
    name: Defence outlay
    indicator: outlay_gdp
    scale: {low: 1, high: 4, label: "% of GDP"}
    status_quo: 1.5
    status_quo_source:
      date: 2025-01-20
      outlet: Harbour Ledger
      summary: defence outlay is about 1.5% of GDP
    actors:
      - {id: executive, name: Executive Office, state: USA, capability: 1, salience: 0.5,
         speakers: [quill]}
      - {id: cabinet, name: Cabinet Office, state: JPN, capability: 0.8, salience: 0.8,
         speakers: [oda]}
"""

# Reports written for these tests: the levy in force (two reports, as the status quo needs), a
# U.S. threat and a Japanese offer before the date, and a demand published after it.
BASE = Document(
    id="0a" * 8, title="Parts levy unchanged", source="Harbour Ledger", published="2025-02-03",
    url="https://example.org/ledger/unchanged",
    text="OSAKA, Feb 3. Machine parts from Japan pay a 5% levy today, customs officers said.")
CONFIRMED = Document(
    id="5f" * 8, title="Importers count the cost", source="Coastal Times",
    published="2025-02-12", url="https://example.org/coastal/cost",
    text="KOBE, Feb 12. Importers said machine parts still pay a 5% levy at the port.")
THREAT = Document(
    id="1b" * 8, title="Envoy warns of a higher levy", source="Harbour Ledger",
    published="2025-03-04", url="https://example.org/ledger/threat",
    text="WASHINGTON, March 4. Mara Quill threatened a 25% levy on machine parts from June. "
         "Talks resume next week.")
OFFER = Document(
    id="2c" * 8, title="Tokyo offers a compromise", source="Coastal Times",
    published="2025-03-20", url="https://example.org/coastal/offer",
    text="TOKYO, March 20. Ren Oda proposed an 8% levy as a compromise on Thursday.")
LATER = Document(
    id="3d" * 8, title="Envoy raises the stakes", source="Harbour Ledger",
    published="2025-08-01", url="https://example.org/ledger/stakes",
    text="WASHINGTON, Aug 1. Mara Quill demanded a 30% levy on machine parts.")

# (document, quote, value, status, when)
REPORTS = [
    (BASE, "pay a 5% levy today", 5, "actual", "2025-02-03"),
    (CONFIRMED, "still pay a 5% levy", 5, "actual", "2025-02-12"),
    (THREAT, "threatened a 25% levy on machine parts", 25, "threatened", "2025-06"),
    (OFFER, "proposed an 8% levy", 8, "proposed", None),
    (LATER, "demanded a 30% levy on machine parts", 30, "demanded", None),
]


def write_dossier(folder: Path) -> Path:
    path = folder / "levy-talks.yaml"
    path.write_text(DOSSIER, encoding="utf-8")
    return path


def write_store(store: Store) -> None:
    batch = []
    for doc, quote, value, status, when in REPORTS:
        start = doc.text.index(quote)
        observation = Observation(doc_id=doc.id, indicator=LEVY, value=value, unit="percent",
                                  status=status, when=when, quote=quote, start=start,
                                  end=start + len(quote), rule="test")
        batch.append((Extraction(doc, (observation,), ()), [], None, None))
    store.write_batch(store.begin_run("ingest"), batch)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("forecast-brief")


@pytest.fixture(scope="module")
def dossier(folder: Path) -> Dossier:
    return load_dossier(write_dossier(folder))


@pytest.fixture(scope="module")
def db(folder: Path) -> str:
    url = f"sqlite:///{folder / 'levy.db'}"
    with open_store(url) as store:
        write_store(store)
    return url


@pytest.fixture(scope="module")
def brief(db: str, dossier: Dossier) -> Brief:
    with open_store(db) as store:
        return build_brief(store, dossier, as_of=AS_OF, forecast_runs=RUNS)


@pytest.fixture(scope="module")
def expected(db: str, dossier: Dossier) -> dict:
    """The forecast as the forecast package makes it, for the renderings to agree with."""
    with open_store(db) as store:
        return forecast_issue(dossier, "parts-levy", store, as_of=AS_OF, runs=RUNS,
                              seed=1).as_json()


def section(markdown: str) -> str:
    start = markdown.index("## Where the negotiations are heading")
    return markdown[start:markdown.index("## Evidence")]


def number(value: float) -> str:
    return f"{value:.1f}"  # the levy's scale is long (0-30): one decimal


def source_number(brief: Brief, doc: Document) -> int:
    return brief.source_number[doc.id]


def test_the_forecast_takes_the_reports_before_the_date_and_the_dossier_otherwise(expected):
    inputs = {row["id"]: row for row in expected["inputs"]}
    assert (inputs["executive"]["position"], inputs["executive"]["source"]["kind"]) == (25, "store")
    assert (inputs["cabinet"]["position"], inputs["cabinet"]["source"]["kind"]) == (8, "store")
    assert (inputs["trade_office"]["position"], inputs["trade_office"]["source"]["kind"]) == (
        12, "dossier")
    assert expected["without_position"] == ["Industry Council"]
    assert expected["status_quo"]["doc_id"] == CONFIRMED.id  # the later of the two agreeing


def test_markdown_shows_forecast_interval_baselines_and_status_quo(brief, expected):
    text = section(render_markdown(brief))
    assert "### Levy on machine parts" in text
    band = expected["interval"]["forecast"]
    assert (f"**Forecast (bdm): {number(expected['forecast'])}% levy**, 80% interval "
            f"{number(band['low'])}–{number(band['high'])} (median of {RUNS} runs "
            f"{number(band['median'])})") in text
    assert "**Status quo:** 5.0% levy" in text
    for name, label in (("weighted_mean", "weighted mean"),
                        ("weighted_median", "weighted median"),
                        ("capability_mean", "capability mean")):
        spread = expected["interval"]["baselines"][name]
        assert (f"| {label} | {number(expected['baselines'][name])} | "
                f"{number(spread['median'])} | {number(spread['low'])}–{number(spread['high'])} |"
                ) in text
    assert f"Median and 80% interval of {RUNS} runs over the inputs' uncertainty (seed 1)" in text
    assert "reporting published before 30 Jun 2025" in text


def test_markdown_cites_each_input_and_the_status_quo(brief):
    text = section(render_markdown(brief))
    assert (f"Status quo: 12 Feb 2025 (actual): “still pay a 5% levy” "
            f"[{source_number(brief, CONFIRMED)}]") in text
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines()
            if " | USA | " in line or " | JPN | " in line}
    assert (f"“threatened a 25% levy on machine parts” [{source_number(brief, THREAT)}]"
            in rows["Executive Office"])
    assert "| 25.0 |" in rows["Executive Office"]
    assert f"“proposed an 8% levy” [{source_number(brief, OFFER)}]" in rows["Cabinet Office"]
    assert ("Coastal Times, [Trade office eyes a middle way]"
            "(<https://example.org/coastal/middle-way>), 14 Feb 2025 (cited by the dossier): "
            "the trade office is said to favour a levy of about 12%") in rows["Trade Office"]
    assert "left out: Industry Council." in text
    assert "demanded a 30% levy" not in text  # published after the date: not an input
    sources = render_markdown(brief).split("## Sources", 1)[1]
    assert (f"{source_number(brief, THREAT)}. [Envoy warns of a higher levy]"
            f"(<{THREAT.url}>)") in sources


def test_an_issue_that_cannot_be_forecast_shows_why(brief):
    text = section(render_markdown(brief))
    outlay = text.split("### Defence outlay", 1)[1]
    assert "**No forecast:** negotiations: outlay as of 2025-06-30: only 0 bargainer(s)" in outlay
    assert "choose a later date" in outlay
    html = render_html(brief)
    block = html.split('id="negotiation-outlay"', 1)[1].split("</div>", 1)[0]
    assert ('<p class="no-forecast"><b>No forecast:</b> negotiations: outlay as of 2025-06-30'
            in block)


def test_markdown_lists_the_positions_by_round(brief, expected):
    text = section(render_markdown(brief))
    rounds = expected["rounds"]
    assert 2 <= len(rounds) <= 8  # few enough to list one by one
    steps = " → ".join(f"{r['round']}: {number(r['median'])} / {number(r['mean'])}"
                       for r in rounds)
    assert f"Median / mean position by round: {steps}." in text


def test_html_has_the_section_its_chart_and_linked_sources(brief, expected):
    html = render_html(brief)
    assert '<a href="#negotiations">Negotiations</a>' in html
    part = html.split('<section id="negotiations">', 1)[1].split("</section>", 1)[0]
    levy = part.split('id="negotiation-parts-levy"', 1)[1].split('id="negotiation-outlay"')[0]
    band = expected["interval"]["forecast"]
    assert f"<b>Forecast (bdm): {number(expected['forecast'])}% levy</b>" in levy
    assert f"{number(band['low'])}–{number(band['high'])}" in levy
    assert "<b>Status quo:</b> 5.0% levy" in levy
    for label in ("weighted mean", "weighted median", "capability mean", "status quo"):
        assert f"<td>{label}</td>" in levy
    threat = source_number(brief, THREAT)
    assert (f'“threatened a 25% levy on machine parts”</span> <span class="cite">'
            f'<a href="#source-{threat}">[{threat}]</a>') in levy
    assert f'<li id="source-{threat}">' in html and f'<a href="{THREAT.url}"' in html
    assert ('<a href="https://example.org/coastal/middle-way" rel="noopener noreferrer">'
            'Trade office eyes a middle way</a>') in levy
    assert "left out: Industry Council." in levy
    spec = json.loads(re.search(
        r'<script type="application/json" id="spec-chart-negotiation-1">(.*?)</script>',
        html, re.S).group(1))
    rows = spec["data"]["values"]
    medians = [r["position"] for r in rows if r["series"] == "median"]
    assert medians == [r["median"] for r in expected["rounds"]]
    bargainers = {r["who"] for r in rows if r["series"] == "each bargainer"}
    assert bargainers == {"Executive Office", "Trade Office", "Cabinet Office"}
    rule = spec["layer"][-1]
    assert rule["mark"]["type"] == "rule" and rule["data"]["values"][0]["position"] == 5
    assert spec["layer"][0]["encoding"]["y"]["scale"]["domain"] == [0, 30]
    assert 'id="spec-chart-negotiation-2"' not in html  # the issue without a forecast


def test_static_html_draws_the_chart_as_svg(brief):
    html = render_html(brief, static=True)
    part = html.split('<section id="negotiations">', 1)[1].split("</section>", 1)[0]
    figure = part.split('id="chart-negotiation-1"', 1)[1]
    assert figure.lstrip(">").startswith("<svg") and "<script" not in part


def test_the_brief_is_the_same_each_time_and_follows_its_options(db, dossier, brief):
    with open_store(db) as store:
        again = build_brief(store, dossier, as_of=AS_OF, forecast_runs=RUNS)
        plain = build_brief(store, dossier, as_of=AS_OF, forecast_runs=0)
        later = build_brief(store, dossier, as_of=dt.date(2025, 9, 1), forecast_runs=0)
    assert section(render_markdown(again)) == section(render_markdown(brief))
    bare = section(render_markdown(plain))
    assert "**Forecast (bdm):" in bare and "80% interval" not in bare and "runs" not in bare
    levy = next(o for o in later.negotiations if o.issue.id == "parts-levy")
    executive = next(r for r in levy.rows if r.id == "executive")
    assert (executive.position, executive.source.doc_id) == (30, LATER.id)


def test_brief_command_takes_the_forecast_options(db, folder):
    runner = CliRunner()
    dossier = str(write_dossier(folder))
    made = runner.invoke(app, ["brief", "--db", db, "--dossier", dossier, "--as-of",
                               "2025-06-30", "--forecast-runs", "0", "--forecast-model",
                               "mean"])
    assert made.exit_code == 0, made.output
    assert "**Forecast (mean):" in made.output and "80% interval" not in section(made.output)
    for option, value in (("--forecast-runs", "1"), ("--forecast-runs", "5000"),
                          ("--forecast-model", "oracle")):
        refused = runner.invoke(app, ["brief", "--db", db, "--dossier", dossier, option, value])
        assert refused.exit_code == 2 and option in refused.output


def test_a_negotiation_that_has_ended_shows_its_outcome_and_its_backtest(db, dossier, expected):
    """Once the outcome is known, the brief does not forecast the settled issue again: it
    shows the outcome and the forecast from the reporting before the backtest date."""
    with open_store(db) as store:
        later = build_brief(store, dossier, as_of=dt.date(2025, 10, 1), forecast_runs=RUNS)
    item = next(o for o in later.negotiations if o.issue.id == "parts-levy")
    assert all(o.concluded is None for o in later.negotiations if o.issue.outcome is None)
    assert item.concluded is not None and item.concluded.value == 15
    assert item.as_of == AS_OF  # the backtest date, not the brief's
    assert item.forecast is not None
    assert item.forecast.as_json()["forecast"] == expected["forecast"]
    markdown = section(render_markdown(later))
    assert ("**Concluded** on 15 Sep 2025 at 15.0% levy (the two sides settled on a 15% "
            "levy). The forecast below is as of 30 Jun 2025") in markdown
    assert "demanded a 30% levy" not in markdown  # published after the backtest date
    html = render_html(later)
    assert "<b>Concluded</b> on 15 Sep 2025" in html
    with open_store(db) as store:
        earlier = build_brief(store, dossier, as_of=AS_OF, forecast_runs=RUNS)
    assert "Concluded" not in section(render_markdown(earlier))
