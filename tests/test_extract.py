"""The extractor on short texts written for these tests: what it must find, and what not."""

from __future__ import annotations

import pytest

from bilateral.errors import ExtractionError
from bilateral.extract import Extractor
from bilateral.extract.pipeline import check_order
from bilateral.records import Document


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor("us-japan")


def extract(extractor: Extractor, text: str, published: str | None = "2025-07-23"):
    document = Document(id="t" * 16, text=text, published=published)
    result = extractor.extract(document)
    for record in (*result.observations, *result.events):
        assert text[record.start:record.end] == record.quote  # every quote is its span
        assert record.rule
    return result


def observations(result):
    return {(o.indicator, o.value, o.status, o.when) for o in result.observations}


def events(result):
    return {(e.type, e.source, e.target, e.when) for e in result.events}


def test_agreed_tariff_with_its_date(extractor):
    result = extract(extractor, "Japan and the United States agreed on July 22 to a 15% tariff "
                                "on Japanese goods.")
    assert ("us_tariff_japan_reciprocal", 15.0, "agreed", "2025-07-22") in observations(result)


def test_transition_keeps_the_old_value_as_actual(extractor):
    result = extract(extractor, "Japan plans to raise defence spending from 1.6% to 2% of GDP "
                                "by fiscal 2027.", published="2025-03-01")
    found = observations(result)
    assert ("japan_defense_spending_gdp", 2.0, "target", "2027") in found
    assert any(o[:3] == ("japan_defense_spending_gdp", 1.6, "actual") for o in found)


def test_yen_amounts_are_not_dollar_values(extractor):
    result = extract(extractor, "Japan pays about 211 billion yen a year in host-nation support.")
    assert not [o for o in result.observations if o.unit in ("usd", "usd_per_year")]


def test_troop_count(extractor):
    result = extract(extractor, "About 55,000 U.S. troops are stationed in Japan.")
    assert {o[:2] for o in observations(result)} == {("us_troops_in_japan", 55000.0)}


def test_meeting_resolves_people_to_their_states_on_the_date(extractor):
    result = extract(extractor, "Prime Minister Sanae Takaichi met President Donald Trump in "
                                "Tokyo on Oct. 28.", published="2025-10-29")
    assert ("CONSULT", "JPN", "USA", "2025-10-28") in events(result)


@pytest.mark.parametrize("text", [
    "Ishiba did not meet Trump during the trip.",
    "If talks fail, Trump would impose new tariffs on Japan.",
])
def test_negated_and_hypothetical_acts_are_not_events(extractor, text):
    assert not extract(extractor, text).events


def test_a_list_of_targets_gives_one_event_each(extractor):
    result = extract(extractor, "The United States imposed tariffs on China, Canada and Mexico "
                                "on March 4.", published="2025-03-05")
    sanctions = {(e.source, e.target) for e in result.events if e.type == "SANCTION"}
    assert sanctions == {("USA", "CHN"), ("USA", "CAN"), ("USA", "MEX")}


def test_an_event_without_its_own_time_takes_the_month_it_was_reported(extractor):
    result = extract(extractor, "China criticised Japan over the remarks.", published="2025-11-19")
    assert ("ACCUSE", "CHN", "JPN", "2025-11") in events(result)


def test_one_record_per_event_per_document(extractor):
    result = extract(extractor, "Ishiba met Trump on Feb. 7. Ishiba met Trump on Feb. 7 again.",
                     published="2025-02-08")
    assert len([e for e in result.events if e.type == "CONSULT"]) == 1


def test_stages_out_of_order_fail_early(extractor):
    stages = list(reversed(extractor.stages))
    with pytest.raises(ExtractionError, match="needs"):
        check_order(stages)


def test_an_undated_article_reads_its_dates_in_the_year_it_is_about(extractor):
    result = extract(extractor, "Washington raised tariffs on April 2, 2025. On April 9 the "
                                "United States imposed a 24% tariff on Japanese goods.",
                     published=None)
    assert ("us_tariff_japan_reciprocal", 24.0, "actual", "2025-04-09") in observations(result)


def test_a_time_stated_earlier_in_the_paragraph_carries_over(extractor):
    text = ("Trump set out his reciprocal tariffs on April 2. Japan was told it would face a "
            "24% tariff on its goods.\n\nTokyo said it was studying the details.")
    assert any(o[:2] == ("us_tariff_japan_reciprocal", 24.0) and o[3] == "2025-04-02"
               for o in observations(extract(extractor, text, published="2025-04-05")))


@pytest.mark.parametrize("text, status", [
    ("The United States imposed a 25% tariff on Japanese cars.", "actual"),
    ("The United States will impose a 25% tariff on Japanese cars.", "announced"),
    ("Under the trade deal, the tariff on Japanese cars will be 15%.", "agreed"),
    ("Trump threatened a 25% tariff on Japanese cars if no deal is reached.", "threatened"),
])
def test_status_follows_the_words_near_the_number(extractor, text, status):
    found = [o for o in extract(extractor, text).observations
             if o.indicator == "us_tariff_japan_autos"]
    assert [o.status for o in found] == [status]


def test_an_announced_tariff_is_dated_when_it_takes_effect(extractor):
    result = extract(extractor, "On Wednesday, Trump announced a 25% tariff on imported cars "
                                "starting April 3.", published="2025-03-27")
    assert ("us_tariff_japan_autos", 25.0, "announced", "2025-04-03") in observations(result)


def test_a_claim_without_a_time_is_dated_by_its_report_but_a_fact_is_not(extractor):
    result = extract(extractor, "U.S. officials urged Japan to raise defence spending to 3% of "
                                "GDP. Japan's defence spending stood at 1.6% of GDP.",
                     published="2025-03-05")
    found = observations(result)
    assert ("japan_defense_spending_gdp", 3.0, "demanded", "2025-03") in found
    assert ("japan_defense_spending_gdp", 1.6, "actual", None) in found


def test_the_old_value_of_a_transition_does_not_take_the_deadline(extractor):
    result = extract(extractor, "Japan is raising defence spending from 1% to 2% of GDP by 2027.",
                     published="2025-01-10")
    old = [o for o in result.observations if o.value == 1.0]
    assert [o.when for o in old] == [None]


def test_a_noun_names_an_event_only_when_the_sentence_dates_it(extractor):
    dated = extract(extractor, "Trump signed an order to carry out the trade agreement with "
                               "Japan of July 22.", published="2025-09-05")
    undated = extract(extractor, "The security agreement between the United States and Japan "
                                 "remains the core of the alliance.", published="2025-09-05")
    assert ("AGREE", "USA", "JPN", "2025-07-22") in events(dated)
    assert not [e for e in undated.events if e.type == "AGREE"]


def test_a_value_can_imply_its_event(extractor):
    result = extract(extractor, "Japan's investment package for the United States was set at "
                                "$550 billion.", published="2025-07-23")
    implied = [e for e in result.events if e.rule.startswith("event.from-observation/")]
    assert {(e.type, e.source, e.target, e.when) for e in implied} == {
        ("AID", "JPN", "USA", "2025-07")}



def test_may_as_a_modal_is_hypothetical_but_may_the_month_is_not(extractor):
    assert not extract(extractor, "Washington may raise tariffs on Japanese cars.").events
    dated = extract(extractor, "In May, Trump imposed tariffs on Japan.", published="2025-06-01")
    assert ("SANCTION", "USA", "JPN", "2025-05") in events(dated)


def test_a_figure_repeated_in_a_document_is_one_fact(extractor):
    result = extract(extractor, "Japan agreed to a 15% tariff on its goods.\n\nUnder the deal, "
                                "Japan agreed to a 15% tariff on its goods on July 22.",
                     published="2025-07-23")
    found = [o for o in result.observations if o.indicator == "us_tariff_japan_reciprocal"]
    assert [(o.value, o.status, o.when) for o in found] == [(15.0, "agreed", "2025-07-22")]


@pytest.mark.parametrize("text, status", [
    ("TOKYO, Feb. 8 (Jiji Press)--Japan will increase its investment in the United States to "
     "$1 trillion.", "announced"),
    ("Under the deal, tariffs on Japanese cars were lowered from 25% to 15%.", "agreed"),
    ("Trump said he is going to put a 15% tariff on cars made in Japan.", "announced"),
])
def test_status_words_in_context(extractor, text, status):
    found = {o.status for o in extract(extractor, text, published="2025-02-08").observations
             if o.value in (1e12, 15.0)}
    assert found == {status}


def test_a_plan_to_raise_a_figure_is_a_target(extractor):
    result = extract(extractor, "Takaichi said Japan would move to raise defence spending to 2% "
                                "of GDP in fiscal 2025.", published="2025-10-24")
    assert ("japan_defense_spending_gdp", 2.0, "target", "2025") in observations(result)
