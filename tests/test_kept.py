"""The analysis kept in the store: after any sequence of writes and refreshes it answers exactly
what the analysis computed afresh from every record answers, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import text

from bilateral.analyse import (
    current_values,
    differences,
    dossier_index,
    histories,
    timeline,
)
from bilateral.analyse import kept as kept_module
from bilateral.analyse.kept import KEPT_REPORTS, refresh
from bilateral.demo import example_corpus
from bilateral.dossier import load_dossier
from bilateral.ingest.run import ingest
from bilateral.records import Document, Extraction, Observation
from bilateral.report.plain import claim_dict, dispute_dict, entry_dict, index_dict, revision_dict
from bilateral.serve.answers import Answers
from bilateral.serve.app import create_app
from bilateral.serve.settings import ServeSettings
from bilateral.store import Store, open_store
from bilateral.store import store as store_module

DOSSIER = load_dossier("us-japan")
SHOWN = 3  # reports shown per claim or entry, as the API's default


def afresh(store: Store) -> dict[str, object]:
    """Every answer computed from all the records, as the API prints them."""
    stories = histories(store, DOSSIER)
    disputes, revisions = differences(stories)
    entries = timeline(store)
    return {
        "current": [(v.history.indicator, v.status, claim_dict(v.claim, SHOWN), v.disputed)
                    for v in current_values(stories, disputes)],
        "claims": {h.indicator: [claim_dict(c, SHOWN) for c in h.claims] for h in stories},
        "disputes": [dispute_dict(d, SHOWN) for d in disputes],
        "revisions": [revision_dict(r, SHOWN) for r in revisions],
        "timeline": [entry_dict(e, SHOWN) for e in entries[::-1]],
        "index": [index_dict(d) for d in dossier_index(entries, DOSSIER)],
    }


def kept(store: Store, reports: int | None = None) -> dict[str, object]:
    """The same answers, read from what the store keeps (decoding only the first ``reports``
    of each claim or entry, or all)."""
    answers = Answers(store, DOSSIER)
    claims = {}
    for history in answers.histories():
        page = answers.history(history.indicator, reports=reports)
        assert page is not None
        claims[history.indicator] = [claim_dict(c, SHOWN) for c in page.items[0].claims]
    return {
        "current": [(v.history.indicator, v.status, claim_dict(v.claim, SHOWN), v.disputed)
                    for v in answers.current(reports=reports)],
        "claims": claims,
        "disputes": [dispute_dict(d, SHOWN) for d in answers.disputes(reports=reports).items],
        "revisions": [revision_dict(r, SHOWN)
                      for r in answers.revisions(reports=reports).items],
        "timeline": [entry_dict(e, SHOWN) for e in answers.events(reports=reports).items],
        "index": [index_dict(d) for d in answers.index()],
    }


def assert_same(store: Store) -> None:
    expected = afresh(store)
    assert expected["claims"], "the store should hold claims to compare"
    for found in (kept(store), kept(store, reports=SHOWN)):
        for part in expected:
            assert found[part] == expected[part], part


@pytest.fixture
def halves(tmp_path: Path) -> tuple[Path, Path]:
    """The example corpus in two folders, so it can be ingested in two writes."""
    files = sorted(p for p in example_corpus().iterdir() if p.is_file())
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, part in ((first, files[::2]), (second, files[1::2])):
        folder.mkdir()
        for path in part:
            shutil.copy(path, folder / path.name)
    return first, second


def test_kept_answers_equal_the_analysis_afresh_after_each_write(db_url, halves):
    store = open_store(db_url)
    ingest([halves[0]], store, DOSSIER)
    first = refresh(store, DOSSIER)
    assert first.indicators > 0 and first.event_groups > 0 and first.dyads > 0
    assert_same(store)
    assert store.kept.pending() == 0
    ingest([halves[1]], store, DOSSIER)
    assert store.kept.pending() > 0  # the write marked what it changed
    again = refresh(store, DOSSIER)
    assert again.indicators > 0
    assert_same(store)
    nothing = refresh(store, DOSSIER)
    assert (nothing.indicators, nothing.event_groups, nothing.dyads) == (0, 0, 0)


@pytest.mark.parametrize("state,since,until", [(None, None, None), ("JPN", None, None),
                                                (None, "2025-04", "2025-10"),
                                                ("USA", "2025", None)])
def test_the_index_reads_only_the_dyads_it_shows_and_shows_what_the_analysis_does(
        sqlite_url, state, since, until):
    store = open_store(sqlite_url)
    ingest([example_corpus()], store, DOSSIER)
    refresh(store, DOSSIER)
    entries = timeline(store, state=state, since=since, until=until)
    expected = [index_dict(d) for d in dossier_index(entries, DOSSIER, since=since, until=until)]
    assert len(expected) > 2, "the example corpus should have more dyads than are shown"
    answers = Answers(store, DOSSIER)
    for shown in (1, 2, None):
        found = answers.index(state=state, since=since, until=until, dyads=shown)
        assert [index_dict(d) for d in found] == expected[:shown]


def test_a_listing_total_is_counted_once_until_the_kept_answers_change(sqlite_url, halves,
                                                                       monkeypatch):
    store = open_store(sqlite_url)
    ingest([halves[0]], store, DOSSIER)
    refresh(store, DOSSIER)
    answers = Answers(store, DOSSIER)
    first = answers.events(limit=1).total
    assert first == store.kept.count_entries() > 1
    counted = []
    original = store.kept.count_entries
    monkeypatch.setattr(store.kept, "count_entries",
                        lambda **filters: counted.append(filters) or original(**filters))
    assert answers.events(limit=1).total == first and counted == []  # kept, not counted again
    changes = store.kept.changes()
    ingest([halves[1]], store, DOSSIER)
    refresh(store, DOSSIER)
    assert store.kept.changes() > changes
    assert answers.events(limit=1).total == original() > first  # counted again
    assert len(counted) == 1


def test_a_refresh_asked_to_stop_ends_after_the_unit_under_way_and_frees_its_lease(
        sqlite_url):
    store = open_store(sqlite_url)
    ingest([example_corpus()], store, DOSSIER)
    refresh(store, DOSSIER)
    store.kept.set_dossier("another:0")  # every indicator and event group to redo
    units: list[str] = []
    done = refresh(store, DOSSIER, progress=lambda what, *_: units.append(what),
                   stop=lambda: len(units) >= 2)
    assert done.indicators + done.event_groups + done.dyads == 2 and len(units) == 2
    assert store.kept.pending() > 0  # the rest stays marked
    assert store.kept.state()["holder"] is None  # and another may take over at once
    refresh(store, DOSSIER)
    assert store.kept.pending() == 0
    assert_same(store)


def test_replaced_records_leave_the_answers_they_made(db_url):
    store = open_store(db_url)
    ingest([example_corpus()], store, DOSSIER)
    refresh(store, DOSSIER)
    doc = next(d for d in store.documents(limit=500)
               if store.observations(doc_id=d.id) and store.events(doc_id=d.id))
    store.replace_records(store.begin_run("reextract"),
                          [Extraction(doc.as_document(), (), ())])
    refresh(store, DOSSIER)
    assert_same(store)
    shown = json.dumps(kept(store))
    assert f'"doc_id": "{doc.id}"' not in shown  # none of its reports is kept any more


def test_only_one_process_refreshes_at_a_time_and_marks_wait_for_it(sqlite_url):
    store = open_store(sqlite_url)
    ingest([example_corpus()], store, DOSSIER)
    assert store.kept.take_lease("another", timedelta(minutes=1), datetime.now(UTC))
    pending = store.kept.pending()
    assert refresh(store, DOSSIER).busy
    assert store.kept.pending() == pending  # left for the holder
    store.kept.release_lease("another", None)
    assert not refresh(store, DOSSIER).busy and store.kept.pending() == 0
    assert_same(store)


def test_a_lease_whose_process_died_runs_out(sqlite_url):
    store = open_store(sqlite_url)
    ingest([example_corpus()], store, DOSSIER)
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    assert store.kept.take_lease("killed", timedelta(minutes=2), long_ago)
    assert not refresh(store, DOSSIER).busy
    assert_same(store)


def test_a_refresh_stopped_half_way_leaves_the_rest_marked(sqlite_url, monkeypatch):
    store = open_store(sqlite_url)
    ingest([example_corpus()], store, DOSSIER)
    done = []
    real = kept_module._keep_indicator

    def fails_on_the_third(*args, **kwargs):
        if len(done) == 2:
            raise RuntimeError("killed")
        done.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(kept_module, "_keep_indicator", fails_on_the_third)
    with pytest.raises(RuntimeError):
        refresh(store, DOSSIER)
    assert store.kept.state()["holder"] is None  # the lease was given back
    assert {m.key for m in store.kept.marks() if m.kind == "indicator"}.isdisjoint(done)
    monkeypatch.setattr(kept_module, "_keep_indicator", real)
    refresh(store, DOSSIER)
    assert store.kept.pending() == 0
    assert_same(store)


def test_another_dossier_remakes_every_answer(sqlite_url):
    store = open_store(sqlite_url)
    ingest([example_corpus()], store, DOSSIER)
    refresh(store, DOSSIER)
    renamed = DOSSIER.model_copy(update={"indicators": [
        i.model_copy(update={"name": f"{i.name} (renamed)"}) for i in DOSSIER.indicators]})
    refresh(store, renamed)
    names = {h.name for h in Answers(store, renamed).histories()}
    assert names and all(n.endswith("(renamed)") for n in names)


def test_a_claim_keeps_its_first_reports_and_counts_them_all(sqlite_url):
    store = open_store(sqlite_url)
    documents = [Document(id=f"{n:016x}", text=f"Report {n}: the tariff is 15%.",
                          published=f"2025-07-{n + 1:02d}", source=f"Outlet {n}")
                 for n in range(KEPT_REPORTS + 5)]
    store.write_batch(store.begin_run("ingest"), [
        (Extraction(d, (Observation(doc_id=d.id, indicator="us_tariff_japan_reciprocal",
                                    value=15, unit="percent", status="agreed", when="2025-07",
                                    quote="the tariff is 15%", start=d.text.index("the"),
                                    end=len(d.text) - 1, rule="test"),)), [], None, None)
        for d in documents])
    refresh(store, DOSSIER)
    page = Answers(store, DOSSIER).history("us_tariff_japan_reciprocal")
    assert page is not None
    (claim,) = page.items[0].claims
    assert len(claim.reports) == KEPT_REPORTS
    assert (claim.sources, claim.reports_total) == (KEPT_REPORTS + 5, KEPT_REPORTS + 5)
    assert [r.doc.published for r in claim.reports] == [d.published for d in
                                                        documents[:KEPT_REPORTS]]
    assert claim.last_reported == documents[-1].published
    assert claim.reports[0].sentence is not None  # shown in its sentence


# --- pages by key -------------------------------------------------------------------------------

@pytest.fixture
def client(db_url):
    store = open_store(db_url)
    ingest([example_corpus()], store, DOSSIER)
    refresh(store, DOSSIER)
    with TestClient(create_app(ServeSettings(db=db_url))) as opened:
        yield opened


@pytest.mark.parametrize("path, size", [
    ("/api/documents", 7), ("/api/observations", 13), ("/api/events", 11),
    ("/api/timeline", 9), ("/api/timeline?order=oldest&state=JPN", 4), ("/api/disputes", 1),
    ("/api/revisions", 1), ("/api/observations?indicator=us_tariff_japan_reciprocal", 3)])
def test_pages_by_key_list_everything_once_in_order(client, path, size):
    whole = client.get(path, params={"limit": 1000}).json()["items"]
    assert len(whole) > size, "the listing should need several pages"
    found, after = [], None
    while True:
        page = client.get(path, params={"limit": size, **({"after": after} if after else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        found.extend(body["items"])
        after = body["next"]
        if after is None:
            break
        assert len(body["items"]) == size
    assert found == whole


def test_a_history_pages_its_claims(client):
    indicator = "us_tariff_japan_reciprocal"
    whole = client.get(f"/api/indicators/{indicator}").json()
    assert whole["next"] is None and whole["claims_total"] == len(whole["claims"]) > 2
    found, after = [], -1
    while after is not None:
        page = client.get(f"/api/indicators/{indicator}", params={"limit": 2, "after": after})
        body = page.json()
        assert body["claims_total"] == len(whole["claims"]) and body["current"] == whole["current"]
        found.extend(body["claims"])
        after = body["next"]
    assert found == whole["claims"]


@pytest.mark.parametrize("path", ["/api/documents", "/api/observations", "/api/events"])
def test_a_key_that_is_no_position_is_a_clear_400(client, path):
    answer = client.get(path, params={"after": "not a key"})
    assert answer.status_code == 400
    assert "is not a position in the" in answer.json()["error"]["message"]


def test_a_store_made_before_kept_answers_gets_them_at_its_first_refresh(db_url):
    store = open_store(db_url)
    ingest([example_corpus()], store, DOSSIER)
    with store.engine.begin() as conn:  # back to the schema of before the kept answers
        command.downgrade(store_module._alembic_config(conn), "0006")
    with store.engine.connect() as conn:
        assert "answer_marks" not in {r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master") if store.dialect == "sqlite" else text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))}
    store.close()
    upgraded = open_store(db_url)  # migrates, marking everything for a refresh
    assert [m.kind for m in upgraded.kept.marks()] == ["all"]
    refresh(upgraded, DOSSIER)
    assert upgraded.kept.pending() == 0
    assert_same(upgraded)
