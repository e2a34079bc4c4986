"""The server's shared analysis: computed once, then refreshed in the background when the
store changes, while readers keep getting the snapshot they had."""

from __future__ import annotations

from bilateral.dossier import load_dossier
from bilateral.records import Document, Extraction, Observation
from bilateral.serve import answers as answers_module
from bilateral.serve.answers import Answers
from bilateral.store import open_store


def write(store, letter: str, value: float) -> None:
    d = Document(id=letter * 16, text=f"Report {letter}.", published="2025-07-23")
    o = Observation(doc_id=d.id, indicator="us_tariff_japan_reciprocal", value=value,
                    unit="percent", status="agreed", when="2025-07", quote="Report",
                    start=0, end=6, rule="test")
    store.write_batch(store.begin_run("ingest"), [(Extraction(d, (o,)), [], None, None)])


def values(snapshot) -> set[float]:
    return {v.claim.value for v in snapshot.current}


class Clock:
    """time.monotonic for the module under test, moved only by the test."""

    def __init__(self, monkeypatch) -> None:
        self.now = 1000.0
        monkeypatch.setattr(answers_module.time, "monotonic", lambda: self.now)


def test_a_changed_store_is_analysed_again_while_readers_keep_the_old_snapshot(sqlite_url,
                                                                              monkeypatch):
    Clock(monkeypatch)  # the analysis takes no time on it, so nothing delays the next check
    store = open_store(sqlite_url)
    write(store, "a", 15)
    answers = Answers(store, load_dossier("us-japan"), max_age=0)
    first = answers.get()
    assert values(first) == {15} and answers.get() is first  # unchanged store: same snapshot
    write(store, "b", 10)
    assert answers.get() is first  # the refresh runs in the background
    refreshed = answers.wait()
    assert refreshed is not first and refreshed.version == store.version()
    assert {c.value for c in refreshed.history("us_tariff_japan_reciprocal").claims} == {15, 10}


def test_the_version_is_checked_at_most_every_max_age(sqlite_url):
    store = open_store(sqlite_url)
    write(store, "a", 15)
    answers = Answers(store, load_dossier("us-japan"), max_age=3600)
    first = answers.get()
    write(store, "b", 10)
    assert answers.wait() is first  # within max_age the store is not even asked


def test_after_a_long_analysis_the_next_check_waits_as_long_as_it_took(sqlite_url,
                                                                      monkeypatch):
    clock = Clock(monkeypatch)
    store = open_store(sqlite_url)
    write(store, "a", 15)
    answers = Answers(store, load_dossier("us-japan"), max_age=5)
    analyse = answers._analyse

    def slow(version):
        clock.now += 30  # as an analysis of a large store takes
        return analyse(version)

    answers._analyse = slow
    first = answers.get()
    write(store, "b", 10)
    clock.now += 10  # past max_age, but not past the 30 s the analysis took
    assert answers.wait() is first and answers._refresher is None  # not even checked
    clock.now += 21
    answers.get()
    assert answers.wait() is not first
