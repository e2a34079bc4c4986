"""The English lexicon: shipped once, merged under every dossier, extended by a dossier's own
words, and written out for the dossier's two states where a word names a party."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from bilateral.dossier import check_dossier, load_dossier
from bilateral.dossier.lexicon import available_lexicons, load_lexicon, party_names
from bilateral.errors import DossierError
from bilateral.extract import Extractor
from bilateral.limits import load_yaml
from bilateral.records import Document

#: A dossier that names states and one indicator, and no word of English.
BARE = """\
id: bare
name: Bare
dyad: [USA, KOR]
states:
  USA: {name: United States, aliases: ["United States", "U.S.", US], capitals: [Washington]}
  KOR: {name: South Korea, aliases: ["South Korea"], adjectives: [South Korean], capitals: [Seoul]}
indicators:
  - {id: tariff, name: Tariff, unit: percent, cues: [[tariff*], [korea*, seoul]]}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bare.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def words(dossier, status: str, frame: bool = False, weak: bool = False) -> list[str]:
    return next(s.words for s in dossier.statuses
                if (s.status, s.frame, s.weak) == (status, frame, weak))


def triggers(dossier, event_type: str) -> list[str]:
    return next(r.triggers for r in dossier.events if r.type == event_type)


def extract(dossier, text: str):
    result = Extractor(dossier).extract(Document(id="x" * 16, text=text, published="2025-06-10"))
    return ({(o.indicator, o.value, o.status) for o in result.observations},
            {(e.type, e.source, e.target) for e in result.events})


def test_the_english_lexicon_ships_and_holds_every_section():
    assert "en" in available_lexicons()
    lexicon = load_lexicon("en")
    assert {r.type for r in lexicon.events} >= {"AGREE", "CONSULT", "REQUEST", "SANCTION"}
    assert {s.status for s in lexicon.statuses} == {"threatened", "demanded", "proposed",
                                                     "agreed", "target", "announced", "actual"}
    assert "never" in lexicon.negations and "allegedly" in lexicon.hypotheticals


def test_the_lexicon_names_no_state():
    """Its words hold for any relationship: a state is only ever a {party}."""
    text = (resources.files("bilateral.dossier") / "data" / "lexicon" / "en.yaml").read_text()
    vocabulary = load_yaml(text)
    flat = str(vocabulary).lower()
    for name in ("japan", "tokyo", "washington", "u.s.", "korea", "china"):
        assert name not in flat


def test_the_builtin_dossier_leaves_english_to_the_lexicon():
    text = (resources.files("bilateral.dossier") / "data" / "us-japan.yaml").read_text()
    assert not {"statuses", "events", "negations", "hypotheticals"} & set(load_yaml(text))
    dossier = load_dossier("us-japan")
    assert "unless japan" in words(dossier, "threatened", frame=True)
    assert "deal with tokyo" in triggers(dossier, "AGREE")


def test_a_dossier_with_no_english_extracts_with_the_lexicons(tmp_path):
    dossier = load_dossier(write(tmp_path, BARE))
    found_obs, found_events = extract(
        dossier, "The United States threatened a 30% tariff on South Korea. "
                 "South Korean officials held talks with the United States in Seoul on Monday.")
    assert ("tariff", 30.0, "threatened") in found_obs
    assert ("CONSULT", "KOR", "USA") in found_events or ("CONSULT", "USA", "KOR") in found_events


def test_a_dossier_adds_its_own_words_to_the_lexicons(tmp_path):
    text = BARE + ("events:\n  - {type: CONSULT, triggers: [huddled]}\n"
                   "statuses:\n  - {status: threatened, frame: true, words: [brandished]}\n"
                   "negations: [scarcely]\n")
    dossier = load_dossier(write(tmp_path, text))
    assert {"huddled", "held talks"} <= set(triggers(dossier, "CONSULT"))
    assert [r.type for r in dossier.events].count("CONSULT") == 1
    assert {"brandished", "threaten*"} <= set(words(dossier, "threatened", frame=True))
    assert {"scarcely", "never"} <= set(dossier.negations)
    _, found_events = extract(dossier, "South Korea huddled with the United States on Monday.")
    assert {e[0] for e in found_events} == {"CONSULT"}


def test_a_dossiers_said_and_passive_triggers_join_the_lexicons(tmp_path):
    text = BARE + ("events:\n  - {type: REQUEST, triggers: [beseeched], said_triggers: "
                   "[\"is bound to\"]}\n"
                   "  - {type: THREATEN, triggers: [menaced], passive_triggers: "
                   "[\"was menaced by\"]}\n")
    dossier = load_dossier(write(tmp_path, text))
    request = next(r for r in dossier.events if r.type == "REQUEST")
    assert {"is bound to", "should"} <= set(request.said_triggers)
    _, found = extract(dossier, "Seoul was menaced by the United States on Monday.")
    assert ("THREATEN", "USA", "KOR") in found


def test_a_replaced_section_is_the_dossiers_alone_and_no_lexicon_means_none(tmp_path):
    replaced = load_dossier(write(tmp_path, BARE + "lexicon: {replace: [negations]}\n"
                                                   "negations: [scarcely]\n"))
    assert replaced.negations == ["scarcely"] and "could" in replaced.hypotheticals
    alone = load_dossier(write(tmp_path, BARE + "lexicon: {name: null}\n"
                                                "events:\n  - {type: CONSULT, triggers: [met]}\n"))
    assert [(r.type, r.triggers) for r in alone.events] == [("CONSULT", ["met"])]
    assert alone.statuses == [] and alone.negations == []


def test_party_stands_for_every_name_of_the_dyad_but_lowercase_words(tmp_path):
    dossier = load_dossier(write(tmp_path, BARE))
    assert party_names(dossier) == ["united states", "u.s.", "washington", "south korea",
                                    "south korean", "seoul"]
    threats = words(dossier, "threatened", frame=True)
    assert {"unless seoul", "unless south korea", "unless u.s."} <= set(threats)
    assert "unless us" not in threats and not any("{" in w for w in threats)
    assert not any("japan" in w for r in dossier.events for w in r.triggers)


def test_an_unknown_lexicon_or_placeholder_is_an_error_naming_it(tmp_path):
    checked = check_dossier(write(tmp_path, BARE + "lexicon: {name: klingon}\n"))
    assert checked.errors and "klingon" in checked.errors[0].message
    assert "en" in checked.errors[0].message
    with pytest.raises(DossierError, match=r"events\[0\].*\{country\}"):
        load_dossier(write(tmp_path, BARE + "events:\n  - {type: AGREE, "
                                            "triggers: ['deal with {country}']}\n"))
