"""Revisions apart from disputes: a figure its source changed over time is a revision; values
that differ at about the same time, or for different states, are a dispute."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bilateral.analyse import current_values, differences, histories
from bilateral.cli import EXIT_OK, app
from bilateral.dossier import Dossier, load_dossier
from bilateral.records import Document, Extraction, Observation
from bilateral.report import build_brief, render_html, render_markdown

DEFENCE = "japan_defense_spending_gdp"
AUTOS = "us_tariff_japan_autos"


@pytest.fixture(scope="module")
def dossier() -> Dossier:
    return load_dossier("us-japan")


def doc(letter: str, published: str | None) -> Document:
    return Document(id=letter * 16, text="A report written for these tests.",
                    published=published)


def obs(d: Document, value: float, status: str, when: str, indicator: str = DEFENCE,
        actor: str | None = "JPN") -> Observation:
    unit = "percent_gdp" if indicator == DEFENCE else "percent"
    return Observation(doc_id=d.id, indicator=indicator, value=value, unit=unit, status=status,
                       when=when, quote=f"{value:g} by {when}", start=0, end=8, rule="test",
                       actor=actor)


def write(store, *documents: tuple[Document, list[Observation]]) -> None:
    store.write_batch(store.begin_run("ingest"),
                      [(Extraction(d, tuple(o)), [], None, None) for d, o in documents])


def target_brought_forward(store) -> None:
    """A target for fiscal 2027, then the same target for 2025 months later; the later report
    also mentions the old date."""
    early, late, again = doc("a", "2024-11-05"), doc("b", "2025-06-10"), doc("c", "2025-06-12")
    write(store, (early, [obs(early, 2, "target", "2027")]),
          (late, [obs(late, 2, "target", "2025"), obs(late, 2, "target", "2027")]),
          (again, [obs(again, 2, "target", "2025")]))


def test_a_target_brought_forward_is_a_revision_not_a_dispute(store, dossier):
    target_brought_forward(store)
    found, revised = differences(histories(store, dossier))
    assert found == []
    [revision] = revised
    assert (revision.indicator, revision.status, revision.kind) == (DEFENCE, "target", "time")
    assert (revision.before.when, revision.after.when) == ("2027", "2025")
    assert revision.after.last_reported == "2025-06-12"


def test_a_rate_lowered_later_is_a_revision_and_the_new_rate_is_current(store, dossier):
    april, july = doc("a", "2025-04-03"), doc("b", "2025-07-23")
    write(store, (april, [obs(april, 25, "announced", "2025", AUTOS, "USA")]),
          (july, [obs(july, 15, "announced", "2025", AUTOS, "USA")]))
    stories = histories(store, dossier)
    found, revised = differences(stories)
    assert found == []
    assert [(r.kind, r.before.value, r.after.value) for r in revised] == [("value", 25, 15)]
    [current] = current_values(stories, found)
    assert (current.claim.value, current.disputed) == (15, False)


@pytest.mark.parametrize(("first", "second", "actors"), [
    ("2025-07-23", "2025-07-24", ("USA", "USA")),  # about the same time
    ("2025-04-03", "2025-07-23", ("USA", "JPN")),  # two states, not one source revising
    (None, "2025-07-23", ("USA", "USA")),  # one side's date unknown: no order to read
])
def test_values_that_do_not_read_as_a_change_stay_a_dispute(store, dossier, first, second,
                                                            actors):
    a, b = doc("a", first), doc("b", second)
    write(store, (a, [obs(a, 25, "agreed", "2025-07", AUTOS, actors[0])]),
          (b, [obs(b, 15, "agreed", "2025-07", AUTOS, actors[1])]))
    found, revised = differences(histories(store, dossier))
    assert revised == []
    assert [(d.kind, sorted(c.value for c in d.claims)) for d in found] == [("value", [15, 25])]


def test_sides_whose_dates_interleave_are_a_dispute(store, dossier):
    a, b, c = doc("a", "2025-03-01"), doc("b", "2025-05-01"), doc("c", "2025-07-01")
    write(store, (a, [obs(a, 2, "target", "2027")]), (b, [obs(b, 2, "target", "2025")]),
          (c, [obs(c, 2, "target", "2027")]))
    found, revised = differences(histories(store, dossier))
    assert revised == [] and [d.kind for d in found] == ["time"]


def test_the_cli_lists_revisions_apart_from_disputes(tmp_path, dossier):
    from bilateral.store import open_store

    db = f"sqlite:///{tmp_path / 'r.db'}"
    with open_store(db) as store:
        target_brought_forward(store)
    runner = CliRunner()
    disputes = runner.invoke(app, ["disputes", "--db", db, "--json"])
    assert disputes.exit_code == EXIT_OK and json.loads(disputes.output) == []
    listed = runner.invoke(app, ["revisions", "--db", db, "--json"])
    [revision] = json.loads(listed.output)
    assert (revision["from"]["when"], revision["to"]["when"]) == ("2027", "2025")
    table = runner.invoke(app, ["revisions", "--db", db])
    assert "Revisions (1)" in table.output and "from" in table.output
    history = json.loads(runner.invoke(app, ["indicator", DEFENCE, "--db", db, "--json"]).output)
    assert [r["to"]["when"] for r in history["revisions"]] == ["2025"]


def test_the_brief_and_the_api_show_revisions_apart_from_disputes(db_url, dossier):
    from bilateral.serve.app import create_app
    from bilateral.serve.settings import ServeSettings
    from bilateral.store import open_store

    with open_store(db_url) as store:
        target_brought_forward(store)
        brief = build_brief(store, dossier)
    assert brief.disputes == [] and len(brief.revisions) == 1
    html = render_html(brief)
    assert 'id="revisions"' in html and "No disagreement between sources" in html
    assert "### Revisions" in render_markdown(brief)
    with TestClient(create_app(ServeSettings(db=db_url))) as client:
        assert client.get("/api/disputes").json()["items"] == []
        [item] = client.get("/api/revisions").json()["items"]
        assert (item["kind"], item["from"]["when"], item["to"]["when"]) == ("time", "2027", "2025")
        history = client.get(f"/api/indicators/{DEFENCE}").json()
        assert [r["status"] for r in history["revisions"]] == ["target"]
        shown = client.get("/disputes").text
        assert "No disagreement between sources" in shown and 'id="revisions"' in shown
        # each step with the year it is for and the day it was reported, the oldest first
        steps = shown[shown.index('id="revision-1"'):]
        assert steps.index("2027") < steps.index("2025") and "12 Jun 2025" in steps
        assert 'id="revisions"' not in client.get(f"/disputes?indicator={AUTOS}").text
