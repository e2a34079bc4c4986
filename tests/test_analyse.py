"""Histories, disputes, the timeline and the relations index, on records whose right answers
are known by construction. The store-backed tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bilateral.analyse import (
    disputes,
    histories,
    merge_claims,
    merge_events,
    relations_index,
    score_months,
    timeline,
)
from bilateral.analyse.periods import merge_precisions, months, overlaps
from bilateral.dossier import Dossier, RelationsIndex, load_dossier
from bilateral.records import Document, Event, Extraction, Observation
from bilateral.store import Citation

RECIPROCAL = "us_tariff_japan_reciprocal"
DEFENCE = "japan_defense_spending_gdp"


@pytest.fixture(scope="module")
def dossier() -> Dossier:
    return load_dossier("us-japan")


def doc(i: str, published: str | None = None, outlet: str | None = None) -> Document:
    return Document(id=i * 16, text="A report on the alliance and its figures.",
                    published=published, source=outlet)


def obs(d: Document, value: float, status: str, when: str | None, indicator: str = RECIPROCAL,
        unit: str = "percent") -> Observation:
    return Observation(doc_id=d.id, indicator=indicator, value=value, unit=unit, status=status,
                       when=when, quote=f"{d.id[:1]}: {value:g} {status}", start=0, end=8,
                       rule="test")


def event(d: Document, kind: str, source: str, target: str, when: str | None) -> Event:
    return Event(doc_id=d.id, type=kind, source=source, target=target, when=when,
                 quote=f"{d.id[:1]}: {kind}", start=0, end=8, rule="test")


def write(store, *items: tuple[Document, list, list, Document | None]) -> None:
    """Each item: a document, its observations, its events, the original it copies (or None)."""
    store.write_batch(store.begin_run("ingest"), [
        (Extraction(d, tuple(o), tuple(e)), [], copy_of.id if copy_of else None,
         0.95 if copy_of else None) for d, o, e, copy_of in items])


def cite(d: Document, copy_of: Document | None = None) -> Citation:
    return Citation(id=d.id, label=d.id, title=None, outlet=d.source, url=None,
                    published=d.published, duplicate_of=copy_of.id if copy_of else None)


# --- periods ----------------------------------------------------------------------------------

def test_a_coarser_time_joins_the_one_finer_time_inside_it():
    merged = merge_precisions({"2025-07": ["a"], "2025-07-22": ["b"], "2025": ["c"]})
    assert merged == {"2025-07-22": ["b", "a", "c"]}


def test_a_coarser_time_with_two_finer_times_inside_it_stays_apart():
    merged = merge_precisions({"2025-04": ["a"], "2025-04-05": ["b"], "2025-04-09": ["c"]})
    assert merged == {"2025-04-05": ["b"], "2025-04-09": ["c"], "2025-04": ["a"]}


def test_undated_reports_join_only_when_asked_and_only_a_single_dated_group():
    assert merge_precisions({None: ["u"], "2025": ["a"]}) == {"2025": ["a"], None: ["u"]}
    assert merge_precisions({None: ["u"], "2025": ["a"]}, undated_joins=True) == {
        "2025": ["a", "u"]}
    assert merge_precisions({None: ["u"], "2025": ["a"], "2026": ["b"]}, undated_joins=True) == {
        "2025": ["a"], "2026": ["b"], None: ["u"]}


def test_periods_overlap_and_months_run_across_a_new_year():
    assert overlaps("2025", "2025-03", None)
    assert not overlaps("2025-02-15", "2025-03", None)
    assert overlaps("2025-02-15", None, "2025-02")
    assert list(months("2024-11", "2025-02")) == ["2024-11", "2024-12", "2025-01", "2025-02"]


# --- claims and histories ---------------------------------------------------------------------

def test_claims_merge_reports_across_documents_and_count_copies_once():
    a, b, c, copy = doc("a"), doc("b"), doc("c"), doc("d")
    claims = merge_claims(
        [obs(a, 15, "agreed", "2025-07"), obs(b, 15, "agreed", "2025-07-22"),
         obs(copy, 15, "agreed", "2025-07"), obs(c, 15.0000000000001, "agreed", None),
         obs(a, 25, "threatened", "2025-07")],
        {d.id: cite(d) for d in (a, b, c)} | {copy.id: cite(copy, copy_of=a)})
    agreed = [x for x in claims if x.status == "agreed"]
    assert [(x.value, x.when, len(x.reports), x.sources) for x in agreed] == [
        (15, "2025-07-22", 4, 3)]  # a, b and c; the copy of a does not count again
    assert {x.status for x in claims} == {"agreed", "threatened"}


def test_histories_from_the_store_keep_every_status_as_its_own_series(store, dossier):
    a = doc("a", "2025-04-03", "Wire")
    b = doc("b", "2025-07-23", "Daily")
    copy = doc("c", "2025-07-24", "Syndicate")
    write(store,
          (a, [obs(a, 24, "announced", "2025-04-02"), obs(a, 10, "actual", "2025-04-05")], [],
           None),
          (b, [obs(b, 24, "announced", "2025-04"), obs(b, 15, "agreed", "2025-07-22"),
               obs(b, 25, "threatened", "2025-07")], [], None),
          (copy, [obs(copy, 15, "agreed", "2025-07-22")], [], b))
    [history] = histories(store, dossier)
    assert history.indicator == RECIPROCAL and history.key
    assert history.statuses() == ["actual", "announced", "agreed", "threatened"]
    announced = history.series("announced")
    assert [(c.value, c.when, c.sources) for c in announced] == [(24, "2025-04-02", 2)]
    assert {r.doc.outlet for r in announced[0].reports} == {"Wire", "Daily"}
    agreed = history.current("agreed")
    assert (agreed.value, agreed.sources, len(agreed.reports)) == (15, 1, 2)
    assert agreed.quote.doc.id == b.id  # the original is quoted before its copy
    [corroborated] = histories(store, dossier, min_sources=2)
    assert [(c.status, c.value) for c in corroborated.claims] == [("announced", 24)]


def test_a_settled_value_is_current_by_its_time_a_goal_by_when_it_was_last_said(store, dossier):
    old, new, later = doc("a", "2023-01-10"), doc("b", "2025-10-24"), doc("c", "2025-11-02")
    write(store,
          (old, [obs(old, 2, "target", "2027", DEFENCE, "percent_gdp"),
                 obs(old, 1.6, "actual", "2024", DEFENCE, "percent_gdp")], [], None),
          (new, [obs(new, 2, "target", "2025", DEFENCE, "percent_gdp")], [], None),
          (later, [obs(later, 1.4, "actual", "2023", DEFENCE, "percent_gdp")], [], None))
    [history] = histories(store, dossier)
    target, actual = history.current("target"), history.current("actual")
    assert (target.value, target.when) == (2, "2025")  # said last, though its date is earlier
    assert (actual.value, actual.when) == (1.6, "2024")  # the latest year, though said earlier


# --- disputes ---------------------------------------------------------------------------------

def test_different_values_for_one_status_and_time_are_a_dispute(store, dossier):
    a, b, c = doc("a"), doc("b"), doc("c")
    write(store,
          (a, [obs(a, 15, "agreed", "2025-07")], [], None),
          (b, [obs(b, 15, "agreed", "2025-07")], [], None),
          (c, [obs(c, 10, "agreed", "2025-07"), obs(c, 25, "threatened", "2025-07")], [], None))
    [dispute] = disputes(histories(store, dossier))
    assert (dispute.kind, dispute.status, dispute.subject) == ("value", "agreed", "2025-07")
    assert [(x.value, x.sources) for x in dispute.claims] == [(15, 2), (10, 1)]
    assert dispute.sources == 3


def test_one_value_at_times_apart_is_a_dispute_only_for_once_only_statuses(store, dossier):
    feb, jul, vague = doc("a"), doc("b"), doc("c")
    unit = "usd"
    pledge = "japan_investment_pledge_usd"
    write(store,
          (feb, [obs(feb, 5.5e11, "agreed", "2025-02", pledge, unit),
                 obs(feb, 15, "actual", "2025-08")], [], None),
          (jul, [obs(jul, 550e9, "agreed", "2025-07", pledge, unit),
                 obs(jul, 15, "actual", "2025-10")], [], None),
          (vague, [obs(vague, 5.5e11, "agreed", "2025", pledge, unit)], [], None))
    found = disputes(histories(store, dossier))
    assert [(d.indicator, d.kind) for d in found] == [(pledge, "time")]
    # the year-only report lies inside both months, so it disagrees with neither
    assert sorted(c.when for c in found[0].claims) == ["2025-02", "2025-07"]


def test_one_document_giving_both_sides_disputes_nothing(store, dossier):
    a, b, c = doc("a"), doc("b"), doc("c")
    copy = doc("d")
    write(store,
          # a transition read as two rates in force: one document, no disagreement
          (a, [obs(a, 15, "actual", "2025-09"), obs(a, 27.5, "actual", "2025-09")], [], None),
          # and its near-duplicate copy adds no second voice
          (copy, [obs(copy, 27.5, "actual", "2025-09")], [], a),
          # a second document backing one of its sides is still no second voice against it
          (b, [obs(b, 24, "agreed", "2025-07"), obs(b, 15, "agreed", "2025-07")], [], None),
          (c, [obs(c, 15, "agreed", "2025-07")], [], None))
    assert disputes(histories(store, dossier)) == []
    # two more documents, one for each side: now documents disagree
    low, high = doc("e"), doc("f")
    write(store, (low, [obs(low, 15, "actual", "2025-09")], [], None),
          (high, [obs(high, 27.5, "actual", "2025-09")], [], None))
    [dispute] = disputes(histories(store, dossier))
    assert (dispute.status, sorted(c.value for c in dispute.claims)) == ("actual", [15, 27.5])


def test_no_dispute_when_the_sources_agree(store, dossier):
    a, b = doc("a"), doc("b")
    write(store, (a, [obs(a, 15, "agreed", "2025-07")], [], None),
          (b, [obs(b, 15, "agreed", "2025-07-22"), obs(b, 24, "announced", "2025-04")], [], None))
    assert disputes(histories(store, dossier)) == []


# --- timeline ---------------------------------------------------------------------------------

def test_one_event_reported_by_several_documents_is_one_timeline_entry(store):
    a, b, c, copy = doc("a"), doc("b"), doc("c"), doc("d")
    write(store,
          (a, [], [event(a, "CONSULT", "USA", "JPN", "2025-02-07"),
                   event(a, "ACCUSE", "CHN", "JPN", None)], None),
          (b, [], [event(b, "CONSULT", "JPN", "USA", "2025-02"),
                   event(b, "SANCTION", "USA", "JPN", "2025-04-02")], None),
          (c, [], [event(c, "SANCTION", "JPN", "USA", "2025-04-02"),
                   event(c, "PROTEST", "CHN", "JPN", "2025-11-14")], None),
          (copy, [], [event(copy, "CONSULT", "USA", "JPN", "2025-02-07")], a))
    entries = timeline(store)
    assert [(e.when, e.type, e.source, e.target, len(e.reports), e.sources) for e in entries] == [
        ("2025-02-07", "CONSULT", "JPN", "USA", 3, 2),  # sides sorted: one meeting
        ("2025-04-02", "SANCTION", "JPN", "USA", 1, 1),  # directed: not the U.S. sanction
        ("2025-04-02", "SANCTION", "USA", "JPN", 1, 1),
        ("2025-11-14", "PROTEST", "CHN", "JPN", 1, 1)]  # the undated accusation is left out
    assert [e.type for e in timeline(store, state="CHN")] == ["PROTEST"]
    assert [e.type for e in timeline(store, type="SANCTION", since="2025-04", until="2025-04")
            ] == ["SANCTION", "SANCTION"]
    assert [e.type for e in timeline(store, min_sources=2)] == ["CONSULT"]


# --- relations index --------------------------------------------------------------------------

def test_the_index_sums_weights_per_month_and_directed_dyad():
    a, b, c = doc("a"), doc("b"), doc("c")
    events = [event(a, "CONSULT", "USA", "JPN", "2025-02-07"),
              event(b, "CONSULT", "JPN", "USA", "2025-02-07"),  # the same meeting: counts once
              event(c, "CONSULT", "USA", "JPN", "2025-02-07"),
              event(a, "SANCTION", "USA", "JPN", "2025-04-02"),
              event(b, "REQUEST", "USA", "JPN", "2025-04-20"),
              event(c, "AID", "JPN", "USA", "2025"),  # a year has no month: left out
              event(c, "ACCUSE", "CHN", "JPN", "2025-04-11")]
    entries = merge_events(events, {})
    weights = RelationsIndex()
    index = score_months(entries, weights, first=("USA", "JPN"))
    assert [d.label for d in index] == ["USA→JPN", "JPN→USA", "CHN→JPN"]
    usa_jpn = index[0]
    assert [(m.month, m.score, m.events) for m in usa_jpn.months] == [
        ("2025-02", 1.0, 1), ("2025-03", 0.0, 0), ("2025-04", -8.0, 2)]
    assert (usa_jpn.months[2].cooperation, usa_jpn.months[2].conflict) == (0.0, -8.0)
    jpn_usa = index[1]
    assert [(m.month, m.score) for m in jpn_usa.months] == [
        ("2025-02", 1.0), ("2025-03", 0.0), ("2025-04", 0.0)]  # the meeting counts both ways
    assert [m.score for m in index[2].months] == [0.0, 0.0, -3.0]


def test_index_weights_come_from_the_dossier_and_a_period_pads_the_months():
    entries = merge_events([event(doc("a"), "SANCTION", "USA", "JPN", "2025-04-02")], {})
    [index] = score_months(entries, RelationsIndex(weights={"SANCTION": -2}),
                           since="2025-03", until="2025-06")
    assert [(m.month, m.score) for m in index.months] == [
        ("2025-03", 0.0), ("2025-04", -2.0), ("2025-05", 0.0), ("2025-06", 0.0)]


def test_a_dyad_warms_when_its_last_months_score_above_the_months_before():
    d = doc("a")
    events = ([event(d, "SANCTION", "USA", "JPN", f"2025-0{m}-01") for m in (1, 2, 3)]
              + [event(d, "AID", "USA", "JPN", f"2025-0{m}-01") for m in (4, 5, 6)])
    [index] = score_months(merge_events(events, {}), RelationsIndex())
    assert index.trend() == pytest.approx(14.0)  # from -7 a month to +7 a month
    assert score_months(merge_events(events[:3], {}), RelationsIndex())[0].trend() is None


def test_relations_index_reads_the_store(store, dossier):
    a = doc("a")
    write(store, (a, [], [event(a, "THREATEN", "USA", "JPN", "2025-07-07"),
                          event(a, "CONSULT", "JPN", "CHN", "2025-09-01")], None))
    index = relations_index(store, dossier)
    assert [(d.label, d.score) for d in index] == [
        ("USA→JPN", -5.0), ("CHN→JPN", 1.0), ("JPN→CHN", 1.0)]
    assert [d.label for d in relations_index(store, dossier, state="CHN")] == [
        "CHN→JPN", "JPN→CHN"]


def test_dossier_index_weights_are_checked():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=r"-10\.\.10"):
        RelationsIndex(weights={"SANCTION": -70})
    with pytest.raises(ValidationError, match="PLOVER"):
        RelationsIndex(weights={"SANCTIONS": -7})


def test_two_days_in_a_row_are_one_day_seen_from_two_time_zones():
    merged = merge_precisions({"2025-02-07": ["a", "b"], "2025-02-08": ["c"],
                               "2025-02": ["d"], "2025-02-20": ["e"]})
    assert merged == {"2025-02-07": ["a", "b", "c"], "2025-02-20": ["e"], "2025-02": ["d"]}
    # three days in a row are not one event: the first two join, the third stays
    merged = merge_precisions({"2025-03-01": ["a"], "2025-03-02": ["b"], "2025-03-03": ["c"]})
    assert merged == {"2025-03-01": ["a", "b"], "2025-03-03": ["c"]}


def test_disputes_rank_by_the_support_of_the_second_side_and_shorten_to_their_best_sides(
        store, dossier):
    a, b, c, d, e, f, g, h = (doc(letter) for letter in "abcdefgh")
    write(store,
          # one value said by four documents against a lone other value: contest 1
          *[(x, [obs(x, 15, "agreed", "2025-07")], [], None) for x in (a, b, c, d)],
          (e, [obs(e, 10, "agreed", "2025-07"),
               obs(e, 2, "target", "2027", DEFENCE, "percent_gdp")], [], None),
          # two documents against two: contest 2, ranked first though fewer sources in all
          (f, [obs(f, 2, "target", "2025", DEFENCE, "percent_gdp")], [], None),
          (g, [obs(g, 2, "target", "2025", DEFENCE, "percent_gdp")], [], None),
          (h, [obs(h, 2, "target", "2027", DEFENCE, "percent_gdp")], [], None))
    found = disputes(histories(store, dossier))
    assert [(x.indicator, x.kind, x.contest, x.sources) for x in found] == [
        (DEFENCE, "time", 2, 4), (RECIPROCAL, "value", 1, 5)]
    shortened = found[1].top(1)
    assert ([c.value for c in shortened.claims], shortened.hidden) == ([15], 1)
    assert found[0].top(5) is found[0]


def test_a_dyad_reads_as_warming_cooling_or_steady():
    d = doc("a")
    cooling = [event(d, "AID", "USA", "JPN", f"2025-0{m}-01") for m in (1, 2, 3)] + [
        event(d, "SANCTION", "USA", "JPN", f"2025-0{m}-01") for m in (4, 5, 6)]
    steady = [event(d, "CONSULT", "USA", "JPN", f"2025-0{m}-01") for m in range(1, 7)]
    assert score_months(merge_events(cooling, {}), RelationsIndex())[0].tone() == "cooling"
    assert score_months(merge_events(steady, {}), RelationsIndex())[0].tone() == "steady"
    assert score_months(merge_events(steady[:5], {}), RelationsIndex())[0].tone() == \
        "too short to tell"
