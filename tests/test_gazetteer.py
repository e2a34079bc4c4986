"""The world gazetteer: the shipped file is what its generator writes, every state of it is
found in text without a dossier entry, a dossier's own entries win, and the words left out as
ambiguous are not matched in ordinary sentences."""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from bilateral.dossier import Dossier, load_dossier
from bilateral.dossier.world import world_states
from bilateral.extract import Extractor
from bilateral.records import Document

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "src" / "bilateral" / "dossier" / "data" / "world.json"


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("world_gazetteer",
                                                  ROOT / "scripts" / "world_gazetteer.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def extractor() -> Extractor:
    return Extractor(load_dossier("us-japan"))


def mentions(text: str, dossier: Dossier | None = None) -> list[tuple[str, str | None]]:
    stages = Extractor(dossier) if dossier else extractor()
    doc = stages.annotate(Document(id="t", published="2025-09-01", text=text))
    return [(text[m.start:m.end], m.state) for m in doc._.actors]


def test_the_shipped_file_is_what_the_generator_writes():
    assert SHIPPED.read_text(encoding="utf-8") == generator().render(), \
        "run: python scripts/world_gazetteer.py"


def test_every_un_member_and_observer_is_a_state_and_no_territory_is():
    states = world_states()
    assert len(states) == 196  # 193 members, the two observers and Taiwan
    assert {"CHL", "VNM", "BRA", "PSE", "VAT", "TWN", "SSD"} <= set(states)
    assert not {"GUM", "PRI", "HKG", "GRL", "ATA"} & set(states)


def test_no_word_names_two_states_and_no_left_out_word_is_shipped():
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    owner: dict[str, str] = {}
    for code, entry in data["states"].items():
        for word in [entry["name"], *entry["aliases"], *entry["adjectives"], *entry["capitals"]]:
            assert owner.setdefault(word.casefold(), code) == code, word
            assert word not in data["left_out"], word
    assert {"Georgia", "Jordan", "Chad", "Congo", "Brussels"} <= set(data["left_out"])


def test_a_state_the_dossier_does_not_list_is_found_and_acts():
    dossier = load_dossier("us-japan")
    assert "CHL" not in dossier.states and dossier.knows_state("CHL")
    text = ("Japan's foreign minister flew to Santiago and held talks with Chile on March 3, "
            "promising Chilean exporters easier access.")
    assert ("Chile", "CHL") in mentions(text) and ("Chilean", "CHL") in mentions(text)
    extraction = extractor().extract(Document(id="t", published="2025-03-05", text=text))
    assert {(e.type, frozenset((e.source, e.target))) for e in extraction.events} == \
        {("CONSULT", frozenset(("JPN", "CHL")))}


@pytest.mark.parametrize("text, found", [
    ("Tariffs on Vietnam rose, and Hanoi answered.", [("Vietnam", "VNM"), ("Hanoi", "VNM")]),
    ("Brasilia and Brasília are one capital.", [("Brasilia", "BRA"), ("Brasília", "BRA")]),
    ("Papua New Guinea, Guinea-Bissau and Guinea.",
     [("Papua New Guinea", "PNG"), ("Guinea-Bissau", "GNB"), ("Guinea", "GIN")]),
    ("Nigeria and Niger; Sudan and South Sudan.",
     [("Nigeria", "NGA"), ("Niger", "NER"), ("Sudan", "SDN"), ("South Sudan", "SSD")]),
    ("Turkey and Türkiye, and Côte d’Ivoire.",
     [("Turkey", "TUR"), ("Türkiye", "TUR"), ("Côte d’Ivoire", "CIV")]),
])
def test_gazetteer_names_are_found_longest_first(text, found):
    assert mentions(text) == found


@pytest.mark.parametrize("text", [
    "Senators from Georgia toured the plant.",        # the U.S. state
    "Rep. Jim Jordan chaired the hearing.",          # a person
    "Chad said the shipment was late.",              # a first name
    "They served turkey and chile peppers.",         # lowercase words
    "The guinea pig escaped.",
    "Male workers outnumbered female ones.",         # a word at a sentence's start
    "Officials in Brussels set the EU's response.",  # the European Union
    "She teaches at Georgetown.",                    # a Washington university
    "Barges sailed down the Congo.",                 # a river and two states
])
def test_ambiguous_words_are_not_taken_for_states(text):
    assert mentions(text) == []


def test_a_dossier_entry_overrides_the_gazetteer_and_its_words_come_first():
    data = load_dossier("us-japan").model_dump()
    data["states"]["CHL"] = {"name": "Chile", "capitals": ["Santiago"]}
    data["states"]["GEO"] = {"name": "Georgia", "adjectives": ["Georgian"]}
    data["actors"].append({"id": "lima", "name": "Ana Lima", "aliases": ["Lima"],
                           "roles": [{"state": "JPN"}]})
    dossier = Dossier.model_validate(data)
    assert "CHL" not in dossier.gazetteer_states
    found = mentions("Santiago and Chile met Georgian envoys; Lima spoke, not the Chileans.",
                     dossier)
    # the dossier's own entry replaces the gazetteer's: its capital counts, "Chilean" does not
    assert found == [("Santiago", "CHL"), ("Chile", "CHL"), ("Georgian", "GEO"),
                     ("Lima", "JPN")]  # the actor keeps the word the gazetteer gives Peru


def test_a_dossier_can_turn_the_gazetteer_off():
    data = load_dossier("us-japan").model_dump()
    data["gazetteer"] = False
    dossier = Dossier.model_validate(data)
    assert dossier.gazetteer_states == {} and not dossier.knows_state("CHL")
    assert mentions("Talks with Chile and Japan.", dossier) == [("Japan", "JPN")]
