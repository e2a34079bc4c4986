"""The U.S.–South Korea dossier: a second relationship read with no code of its own, only its
dossier over the shared lexicon. Sentences are written for these tests."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bilateral.dossier import available, check_dossier, load_dossier
from bilateral.extract import Extractor
from bilateral.records import Document

CATALOGUE = Path(__file__).resolve().parents[2] / "shared" / "spec" / "us-korea-catalogue.md"
CATALOGUE_IDS = {
    "us_tariff_korea_reciprocal", "us_tariff_korea_autos", "us_tariff_steel_aluminum",
    "us_tariff_china", "korea_investment_pledge_usd", "korea_energy_purchase_pledge_usd",
    "us_korea_goods_trade_usd", "us_trade_deficit_korea_usd", "us_imports_from_korea_usd",
    "korea_exports_share_to_us", "korea_defense_spending_gdp", "korea_host_nation_support_usd",
    "us_troops_in_korea",
}


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor("us-korea")


def extract(extractor: Extractor, text: str, published: str = "2025-09-15"):
    result = extractor.extract(Document(id="k" * 16, text=text, published=published))
    return ({(o.indicator, o.value) for o in result.observations},
            {(o.indicator, o.value, o.status, o.when) for o in result.observations},
            {(e.type, *sorted((e.source, e.target))) for e in result.events})


def test_the_dossier_ships_checks_clean_and_covers_its_catalogue():
    assert "us-korea" in available()
    assert check_dossier("us-korea").findings == ()
    dossier = load_dossier("us-korea")
    assert dossier.dyad == ("USA", "KOR")
    assert {i.id for i in dossier.indicators} == CATALOGUE_IDS
    if CATALOGUE.exists():  # the spec's table, when the shared folder is beside us
        rows = re.findall(r"^\| (\w+) \| (\w+) \|", CATALOGUE.read_text(encoding="utf-8"), re.M)
        assert {i.id: i.unit for i in dossier.indicators} == {i: u for i, u in rows if i != "id"}


def test_presidents_and_acting_presidents_resolve_by_date():
    actors = {a.id: a for a in load_dossier("us-korea").actors}
    assert actors["yoon"].role_on(dt.date(2024, 11, 7)).title == "President"
    assert actors["choi_sang_mok"].role_on(dt.date(2025, 1, 15)).title == "Acting President"
    assert actors["han_duck_soo"].role_on(dt.date(2025, 4, 8)).title == "Acting President"
    assert actors["lee_jae_myung"].role_on(dt.date(2025, 1, 1)) is None
    assert actors["lee_jae_myung"].role_on(dt.date(2025, 8, 25)).state == "KOR"


def test_the_lexicons_party_words_name_korea_not_japan():
    dossier = load_dossier("us-korea")
    threats = next(s.words for s in dossier.statuses if s.status == "threatened" and s.frame)
    assert "unless seoul" in threats and "unless south korea" in threats
    assert not any("japan" in w or "tokyo" in w for w in threats)


@pytest.mark.parametrize("text, indicator, value", [
    ("Washington imposed a 25% tariff on South Korean cars and auto parts in April.",
     "us_tariff_korea_autos", 25.0),
    ("The United States set a 15% reciprocal tariff on goods from South Korea.",
     "us_tariff_korea_reciprocal", 15.0),
    ("Under the trade deal, Seoul pledged $350 billion of investment in American industry.",
     "korea_investment_pledge_usd", 350e9),
    ("Seoul also agreed to buy $100 billion of American liquefied natural gas.",
     "korea_energy_purchase_pledge_usd", 100e9),
    ("About 28,500 U.S. troops are stationed in South Korea.", "us_troops_in_korea", 28500.0),
    ("Last year the U.S. trade deficit with South Korea stood at $60 billion.",
     "us_trade_deficit_korea_usd", 60e9),
])
def test_korea_figures_get_the_korea_indicator(extractor, text, indicator, value):
    found, _, _ = extract(extractor, text)
    assert (indicator, value) in found


def test_a_defence_target_has_its_status_and_year(extractor):
    _, detailed, _ = extract(extractor, "South Korea plans to lift military outlays to "
                                        "3.5% of GDP by 2035.")
    assert ("korea_defense_spending_gdp", 3.5, "target", "2035") in detailed


def test_a_summit_and_a_pledge_are_events_between_the_two_states(extractor):
    _, _, events = extract(extractor, "President Lee Jae-myung met President Donald Trump in "
                                      "Washington on August 25. South Korea pledged $350 "
                                      "billion of investment in American industry.")
    assert ("CONSULT", "KOR", "USA") in events
    assert ("AID", "KOR", "USA") in events


def test_a_rate_on_a_list_and_a_toll_read_as_in_the_first_dossier(extractor):
    found, _, _ = extract(extractor, "Seoul still pays a 30% toll on Korean cars, steel and "
                                     "aluminum.")
    assert {("us_tariff_korea_autos", 30.0), ("us_tariff_steel_aluminum", 30.0)} <= found


@pytest.mark.parametrize("text", [
    "Seoul will buy more American gas and oil to shrink its $55 billion trade surplus with the "
    "U.S.",
    "Seoul agreed to purchase American energy as part of a $300 billion investment package.",
])
def test_an_energy_purchase_is_neither_the_trade_balance_nor_the_investment(extractor, text):
    found, _, _ = extract(extractor, text)
    assert not {i for i, _ in found} & {"korea_energy_purchase_pledge_usd"}


def test_money_earmarked_from_the_pledge_is_part_of_it(extractor):
    found, _, _ = extract(extractor, "Under the deal with Washington, $120 billion was earmarked "
                                     "for Korean shipbuilding in America.")
    assert ("korea_investment_pledge_usd", 120e9) in found
