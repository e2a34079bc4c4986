"""First answers from the store, on records whose right answers are known by construction."""

from __future__ import annotations

from bilateral.analyse import latest_values, timeline
from bilateral.records import Document, Event, Extraction, Observation


def doc(i: str, text: str = "A report on the alliance and its figures.") -> Document:
    return Document(id=i * 16, text=text)


def obs(d: Document, value: float, status: str, when: str | None) -> Observation:
    return Observation(doc_id=d.id, indicator="us_tariff_japan_reciprocal", value=value,
                       unit="percent", status=status, when=when, quote=d.text[:8], start=0,
                       end=8, rule="test")


def event(d: Document, kind: str, source: str, target: str, when: str | None) -> Event:
    return Event(doc_id=d.id, type=kind, source=source, target=target, when=when,
                 quote=d.text[:8], start=0, end=8, rule="test")


def test_latest_value_per_status_counts_copies_once(store):
    a, b, copy = doc("a"), doc("b"), doc("c")
    run = store.begin_run("ingest")
    store.write_batch(run, [
        (Extraction(a, (obs(a, 24, "announced", "2025-04"), obs(a, 15, "agreed", "2025-07"))),
         [], None, None),
        (Extraction(b, (obs(b, 15, "agreed", "2025-07"), obs(b, 25, "threatened", "2025-07"))),
         [], None, None),
        (Extraction(copy, (obs(copy, 15, "agreed", "2025-07"),)), [], a.id, 0.95)])
    rows = {(r.status, r.value): r for r in latest_values(store)}
    assert set(rows) == {("announced", 24), ("agreed", 15), ("threatened", 25)}
    assert rows[("agreed", 15)].sources == 2  # a, b; the copy of a does not count again
    assert rows[("announced", 24)].when == "2025-04"


def test_timeline_merges_reports_of_one_event(store):
    a, b = doc("a"), doc("b")
    store.write_batch(store.begin_run("ingest"), [
        (Extraction(a, (), (event(a, "CONSULT", "USA", "JPN", "2025-02-07"),
                            event(a, "ACCUSE", "CHN", "JPN", None))), [], None, None),
        (Extraction(b, (), (event(b, "CONSULT", "JPN", "USA", "2025-02-07"),
                            event(b, "SANCTION", "USA", "JPN", "2025-04-02"))), [], None, None)])
    entries = timeline(store)
    assert [(e.when, e.type, e.reports) for e in entries] == [
        ("2025-02-07", "CONSULT", 2), ("2025-04-02", "SANCTION", 1)]  # undated left out
