"""One coherent reading of the figures of a sentence: a change is an old value and a new one, a
part of a rate is not the rate, a list of rates gives each state its own, and a negation or a
condition governs a figure as it does an event. Sentences written for these tests."""

from __future__ import annotations

import pytest

from bilateral.extract import Extractor
from bilateral.extract.quantities import find_quantities
from bilateral.records import Document


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor("us-japan", model="rules")


def figures(extractor: Extractor, text: str, published: str = "2025-07-23"):
    result = extractor.extract(Document(id="f" * 16, text=text, published=published))
    return {(o.indicator, o.value, o.status, o.when) for o in result.observations}


def test_a_change_with_an_aside_is_one_transition():
    found = find_quantities("Duties will drop to 12%, counting the old 3.5% levy, from 30%.")
    assert [(q.value, q.role) for q in found] == [(12.0, "to"), (3.5, None), (30.0, "from")]


def test_up_from_names_the_old_value():
    found = find_quantities("Outlays reached 1.9% of GDP, up from 1.7%.")
    assert [(q.value, q.kind, q.role) for q in found] == [
        (1.9, "percent_gdp", "to"), (1.7, "percent_gdp", "from")]


def test_the_old_value_is_in_force_and_undated_the_new_one_takes_the_clause(extractor):
    found = figures(extractor, "On July 22 the two governments signed the deal. The levy on "
                               "Japanese vehicles will come down to 12% from 30%.")
    autos = {f[1:] for f in found if f[0] == "us_tariff_japan_autos"}
    assert (30.0, "actual", None) in autos
    assert (12.0, "agreed", "2025-07-22") in autos
    assert not [f for f in autos if f[0] == 12.0 and f[1] == "actual"]


def test_a_future_change_without_a_deal_is_announced(extractor):
    found = figures(extractor, "Washington would lower the duty on Japanese cars to 12% from "
                               "30%, officials said.")
    autos = {f[1:3] for f in found if f[0] == "us_tariff_japan_autos"}
    assert autos == {(12.0, "announced"), (30.0, "actual")}


def test_a_part_of_the_rate_is_not_the_new_rate(extractor):
    found = figures(extractor, "The levy on Japanese vehicles will come down to 12%, including "
                               "the current 3.5% duty, from 30%.")
    autos = {f[1:] for f in found if f[0] == "us_tariff_japan_autos"}
    # "current" belongs to the part, so it neither makes 12% a value in force nor dates it
    assert not [f for f in autos if f[0] == 12.0 and f[1] == "actual"]
    assert (30.0, "actual", None) in autos


def test_a_part_named_with_including_keeps_only_its_own_date(extractor):
    text = "Tariffs on Japanese vehicles will be 12%, including the existing 3.5% duty."
    result = extractor.extract(Document(id="f" * 16, text=text, published="2025-07-23"))
    autos = {o.value: o for o in result.observations if o.indicator == "us_tariff_japan_autos"}
    assert (autos[3.5].status, autos[3.5].when) == ("actual", None)
    assert "existing" not in autos[12.0].rule  # the part's word is not the rate's status


def test_on_top_of_makes_a_part_either_side(extractor):
    result = extractor.extract(Document(id="f" * 16, published="2025-05-01", text=(
        "Japanese carmakers pay a 20% tariff on top of the 3.5% base rate.")))
    rules = {o.value: o.rule for o in result.observations}
    assert rules[3.5].endswith("status.part")
    assert not rules[20.0].endswith("status.part")


def test_each_rate_of_a_list_is_its_own_states(extractor):
    found = figures(extractor, "The White House set tariffs of 41% for Laos, 18% for the EU "
                               "and 26% for Japan.", published="2025-04-03")
    reciprocal = {f[1] for f in found if f[0] == "us_tariff_japan_reciprocal"}
    assert reciprocal == {26.0}


def test_a_negated_status_is_no_figure(extractor):
    assert not [f for f in figures(extractor, "Tokyo has not agreed to a 20% tariff on its cars.")
                if f[1] == 20.0]
    assert ("us_tariff_japan_autos", 20.0, "agreed", "2025-07") in figures(
        extractor, "Tokyo has agreed to a 20% tariff on its cars.")


def test_a_condition_makes_a_figure_a_threat(extractor):
    found = figures(extractor, "If the talks collapse, the levy on Japanese cars goes to 35%.")
    assert {f[2] for f in found if f[1] == 35.0} == {"threatened"}


def test_a_past_value_followed_by_a_new_one_does_not_take_the_deal_date(extractor):
    found = figures(extractor, "The two sides signed the pact on July 22. Before it, tariffs on "
                               "Japanese cars were 3.5%; under it they will be 12%.")
    old = [f for f in found if f[1] == 3.5]
    assert old and all(f[3] is None for f in old)


def test_a_rate_on_a_list_of_goods_is_each_goods_rate(extractor):
    found = figures(extractor, "Tokyo still pays a 30% duty on Japanese cars, copper and "
                               "aluminum, officials said.")
    assert {f[0] for f in found if f[1] == 30.0} == {"us_tariff_japan_autos",
                                                    "us_tariff_steel_aluminum"}


def test_a_list_before_the_rate_names_each_rate(extractor):
    found = figures(extractor, "Washington agreed to lower reciprocal and car duties on Japan "
                               "to 12% from 30%.")
    assert {f[:2] for f in found} >= {("us_tariff_japan_reciprocal", 12.0),
                                      ("us_tariff_japan_autos", 12.0),
                                      ("us_tariff_japan_reciprocal", 30.0),
                                      ("us_tariff_japan_autos", 30.0)}


def test_a_rate_on_one_kind_of_goods_is_one_rate(extractor):
    found = figures(extractor, "Tokyo still pays a 30% duty on Japanese cars and buses, "
                               "officials said.")
    assert {f[0] for f in found if f[1] == 30.0} == {"us_tariff_japan_autos"}


def test_clauses_joined_by_and_are_no_list(extractor):
    found = figures(extractor, "Japan pledged to buy $7 billion of American corn every year "
                               "and to invest $400 billion in U.S. factories.")
    assert {f[:2] for f in found if f[1] == 7e9} == {("japan_agri_purchase_pledge_usd", 7e9)}


def test_a_general_rate_a_state_faces_is_that_states_rate(extractor):
    found = figures(extractor, "Japan, a close partner of Washington, is subject to the same "
                               "12% baseline duty put on most nations.")
    assert {f[0] for f in found if f[1] == 12.0} == {"us_tariff_japan_reciprocal"}


def test_a_general_rate_on_all_countries_stays_general(extractor):
    found = figures(extractor, "Washington has kept the 12% baseline duty on all countries "
                               "and regions, which Japan also faces, since the spring.")
    assert {f[0] for f in found if f[1] == 12.0} == {"us_tariff_allies_baseline"}


def test_a_rate_another_state_faces_is_not_the_dyads(extractor):
    found = figures(extractor, "Japan won a lower rate, but Mexico still faces a 30% duty on "
                               "cars.")
    assert not [f for f in found if f[1] == 30.0]


def test_a_toll_is_a_tariff(extractor):
    found = figures(extractor, "Washington announced a 30% toll on Japanese goods.")
    assert {f[:2] for f in found} == {("us_tariff_japan_reciprocal", 30.0)}


def test_money_a_state_would_provide_is_its_pledge(extractor):
    found = figures(extractor, "Tokyo said it would provide up to $300 billion for new American "
                               "shipyards.")
    assert {f[:2] for f in found} == {("japan_investment_pledge_usd", 3e11)}


def test_farm_sales_a_deal_adds_are_a_purchase_pledge(extractor):
    found = figures(extractor, "The deal with Japan should lift U.S. farm sales by $5 billion "
                               "a year.")
    assert {f[:2] for f in found} == {("japan_agri_purchase_pledge_usd", 5e9)}
