"""The extractor on short texts written for these tests: what it must find, and what not.

These tests hold the rule implementation of every decision (``model="rules"``); the trained
decisions are tested alone in test_decisions.py and on the shared corpora by the quality
gate."""

from __future__ import annotations

import pytest

from bilateral.errors import ExtractionError
from bilateral.extract import Extractor
from bilateral.extract.pipeline import check_order
from bilateral.records import Document


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor("us-japan", model="rules")


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
    result = extract(extractor, "The White House announced on Wednesday a 25% tariff on "
                                "foreign-made cars starting April 3.", published="2025-03-27")
    assert ("us_tariff_japan_autos", 25.0, "announced", "2025-04-03") in observations(result)


def test_a_claim_without_a_time_is_dated_by_its_report_but_a_fact_is_not(extractor):
    result = extract(extractor, "U.S. officials urged Japan to raise defence spending to 3% of "
                                "GDP. Japan's defence spending stood at 1.6% of GDP.",
                     published="2025-03-05")
    found = observations(result)
    assert ("japan_defense_spending_gdp", 3.0, "demanded", "2025-03") in found
    assert ("japan_defense_spending_gdp", 1.6, "actual", None) in found


def test_the_old_value_of_a_transition_does_not_take_the_deadline(extractor):
    result = extract(extractor,
                     "Tokyo plans to lift defence spending from 1% to 2% of its GDP by 2027.",
                     published="2025-01-10")
    old = [o for o in result.observations if o.value == 1.0]
    assert [o.when for o in old] == [None]


@pytest.mark.parametrize("text, expected", [
    ("Trump warned he would lift tariffs on Japanese goods to 25% from 15%, the level agreed "
     "in July.", (15.0, "agreed", "2025-07")),
    ("Trump warned he would lift tariffs on Japanese goods to 25% from 15%, citing slow "
     "investment.", (15.0, "actual", None)),
])
def test_an_apposition_to_the_old_value_says_what_it_is(extractor, text, expected):
    result = extract(extractor, text, published="2025-09-10")
    assert expected in found_for(result, "us_tariff_japan_reciprocal")


def test_a_time_in_the_conjunct_before_dates_that_conjunct_not_the_next(extractor):
    result = extract(extractor, "Trump imposed 25% tariffs on steel in March and imposed a 25% "
                                "duty on Japanese cars in April.", published="2025-05-05")
    assert found_for(result, "us_tariff_steel_aluminum") == {(25.0, "actual", "2025-03")}
    assert found_for(result, "us_tariff_japan_autos") == {(25.0, "actual", "2025-04")}


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


def found_for(result, indicator):
    return {(o.value, o.status, o.when) for o in result.observations if o.indicator == indicator}


def test_the_verb_next_to_a_figure_beats_a_frame_further_off(extractor):
    result = extract(extractor, "Under the current cost-sharing agreement, Japan pays about $1.8 "
                                "billion a year for hosting U.S. forces.", published="2025-05-02")
    assert [s for _, s, _ in found_for(result, "host_nation_support_usd")] == ["actual"]


def test_what_a_deal_will_do_is_agreed(extractor):
    result = extract(extractor, "The two governments unveiled a trade deal that will set a 15% "
                                "tariff on Japanese goods, with Japan pledging $400 billion in "
                                "investment in the United States.", published="2025-07-23")
    assert [s for _, s, _ in found_for(result, "japan_investment_pledge_usd")] == ["agreed"]
    assert [s for _, s, _ in found_for(result, "us_tariff_japan_reciprocal")] == ["agreed"]


def test_a_pledge_after_a_deal_in_its_paragraph_is_the_deals(extractor):
    text = ("Tokyo and Washington concluded their trade agreement on July 22. Tariffs on "
            "Japanese cars fell. Japan committed $400 billion of investment in America.")
    result = extract(extractor, text, published="2025-08-10")
    assert found_for(result, "japan_investment_pledge_usd") == {(4e11, "agreed", "2025-07-22")}


@pytest.mark.parametrize("text, status", [
    ("Under their new accord, Tokyo promised Washington $300 billion of investment.", "agreed"),
    ("Officials said Japan promised to invest $300 billion in American plants.", "announced"),
    ("On the stump he promised to slap a 50% tariff on Japanese goods.", "proposed"),
])
def test_money_promised_is_a_pledge_but_a_campaign_promise_is_a_proposal(extractor, text,
                                                                         status):
    result = extract(extractor, text, published="2025-08-10")
    assert {o.status for o in result.observations} == {status}


def test_a_pledge_is_never_a_value_in_force(extractor):
    result = extract(extractor, "Tokyo will finance $200 billion of investment in America, "
                                "officials were told.", published="2025-08-10")
    assert [s for _, s, _ in found_for(result, "japan_investment_pledge_usd")] == ["announced"]


def test_a_takeover_price_is_the_agreed_price_whatever_the_verb(extractor):
    result = extract(extractor, "Several senators spoke against the $14.9 billion bid Nippon "
                                "Steel had proposed for U.S. Steel.", published="2024-09-01")
    assert [s for _, s, _ in found_for(result, "nippon_steel_deal_usd")] == ["agreed"]


@pytest.mark.parametrize("text, status", [
    ("Japanese cars will face a 15% tariff, unless their existing rate is higher.", "announced"),
    ("Japanese cars would see a 35% tariff unless Japan opens its market to U.S. rice.",
     "threatened"),
])
def test_unless_threatens_only_with_a_condition_on_the_other_side(extractor, text, status):
    result = extract(extractor, text, published="2025-09-05")
    assert [s for _, s, _ in found_for(result, "us_tariff_japan_autos")] == [status]


def test_a_pronoun_takes_the_measure_of_the_sentence_before(extractor):
    text = "Japan's defence budget has grown for a decade. It reached 1.8% of GDP in 2025."
    result = extract(extractor, text, published="2026-02-01")
    assert found_for(result, "japan_defense_spending_gdp") == {(1.8, "actual", "2025")}


def test_a_range_after_another_figure_takes_its_own_words(extractor):
    result = extract(extractor, "He vowed a 50 percent duty on Chinese imports and a 5 to 15 "
                                "percent levy on goods from allied nations.",
                     published="2024-10-01")
    assert {v for v, _, _ in found_for(result, "us_tariff_allies_baseline")} == {5.0, 15.0}
    assert {v for v, _, _ in found_for(result, "us_tariff_china")} == {50.0}
    assert {s for _, s, _ in found_for(result, "us_tariff_allies_baseline")} == {"proposed"}


def test_a_figure_without_a_cue_shares_the_status_of_the_one_before(extractor):
    text = ("On April 2 Trump announced a 10% baseline tariff on all countries. Dozens of "
            "economies were singled out for higher rates. Japan faces a tariff rate of 24%.")
    result = extract(extractor, text, published="2025-04-03")
    assert found_for(result, "us_tariff_japan_reciprocal") == {(24.0, "announced", "2025-04-02")}


def test_a_cue_beyond_another_figure_is_that_figures(extractor):
    result = extract(extractor, "Tokyo was threatened with a 30 percent tariff in a letter in "
                                "June, but settled at 15 percent in a deal with Washington.",
                     published="2025-08-01")
    assert {(v, s) for v, s, _ in found_for(result, "us_tariff_japan_reciprocal")} == {
        (30.0, "threatened"), (15.0, "agreed")}


def test_an_announced_measure_takes_the_start_date_given_next(extractor):
    text = ('"We will charge a 25% tariff on all foreign cars," Trump said.\n\n'
            "The duties take effect on April 3.")
    result = extract(extractor, text, published="2025-03-27")
    assert found_for(result, "us_tariff_japan_autos") == {(25.0, "announced", "2025-04-03")}


def test_a_conversion_in_brackets_is_the_same_figure(extractor):
    result = extract(extractor, "Japan has paid about 300 billion yen ($2 billion) a year for "
                                "hosting U.S. forces.", published="2025-05-02")
    assert [s for _, s, _ in found_for(result, "host_nation_support_usd")] == ["actual"]


def test_a_relative_clause_figure_qualifies_the_noun_before_it(extractor):
    result = extract(extractor, "Trump criticised the duties Japan levies on U.S. beef, which he "
                                "said face a 40% tariff.", published="2025-04-03")
    assert not found_for(result, "us_tariff_japan_reciprocal")


def test_a_coordinated_figure_shares_the_subject_of_the_one_before(extractor):
    text = ("Japan has promised to open its markets to American companies in a range of "
            "industries, offering to purchase $6 billion of U.S. farm goods a year and to invest "
            "$400 billion in American factories.")
    result = extract(extractor, text, published="2025-09-05")
    assert {v for v, _, _ in found_for(result, "japan_investment_pledge_usd")} == {4e11}


def test_a_value_in_force_now_is_dated_by_its_report(extractor):
    text = ("Japan shipped 21 trillion yen of goods to the U.S. in 2024. Japanese cars already "
            "face a 25% tariff.")
    result = extract(extractor, text, published="2025-05-10")
    assert found_for(result, "us_tariff_japan_autos") == {(25.0, "actual", "2025-05")}


@pytest.mark.parametrize("published, when", [("2025-09-10", "2025-09"), (None, "2025-06")])
def test_a_value_in_force_in_the_present_tense_is_dated_by_its_report(extractor, published,
                                                                      when):
    text = ("Japan's exports fell in June 2025. Japan is subject to the same 10% baseline tariff "
            "imposed on most countries.")
    result = extract(extractor, text, published=published)
    assert found_for(result, "us_tariff_japan_reciprocal") == {(10.0, "actual", when)}


def test_suggesting_that_the_other_side_do_something_is_a_demand(extractor):
    result = extract(extractor, "A Pentagon nominee suggested Japan lift defence spending to "
                                "3.5% of GDP.", published="2025-03-05")
    assert [s for _, s, _ in found_for(result, "japan_defense_spending_gdp")] == ["demanded"]


@pytest.mark.parametrize("text", [
    "Beijing summoned the Japanese ambassador on Friday over the remarks.",
    "China lodged stern representations with Japan on Friday.",
])
def test_a_government_protest_is_an_accusation(extractor, text):
    found = events(extract(extractor, text, published="2025-11-15"))
    assert ("ACCUSE", "CHN", "JPN", "2025-11-14") in found
    assert not [e for e in found if e[0] == "PROTEST"]


@pytest.mark.parametrize("text, expected", [
    # the participle's own object
    ("Trump said on Monday he will raise tariffs on Japanese goods, accusing Japan of "
     "stalling its deal with the United States.", ("ACCUSE", "USA", "JPN")),
    # none in its clause: the object of the main clause
    ("Beijing moved to isolate Tokyo on Monday, sending protest letters to the United "
     "Nations.", ("ACCUSE", "CHN", "JPN")),
    # a verb coordinated with the main one; its pronoun object is the main clause's
    ("Trump announced tariffs on Japan on Monday but later paused them.",
     ("CONCEDE", "USA", "JPN")),
    ("Trump sided with Beijing on Monday and urged Japan's prime minister to back down.",
     ("REQUEST", "USA", "JPN")),
])
def test_a_verb_sharing_the_sentences_subject_has_it_as_source(extractor, text, expected):
    found = {e[:3] for e in events(extract(extractor, text, published="2025-11-15"))}
    assert expected in found
    assert expected[:1] + expected[:0:-1] not in found  # not the other way round


@pytest.mark.parametrize("text", [
    "The Pentagon said on Tuesday that Japan should spend more on defense.",
    "Trump spoke to reporters on Tuesday. \"Japan must pay far more for its own defense,\" he "
    "said.",
    # the request is its own act, not the object of the one before nor a reference back to it
    "Washington keeps leaning on Tokyo, and the Pentagon said on Tuesday that Japan "
    "should spend more on defense.",
])
def test_what_a_speaker_says_another_state_should_do_is_a_request(extractor, text):
    found = events(extract(extractor, text, published="2025-06-20"))
    assert ("REQUEST", "USA", "JPN", "2025-06-17") in found


@pytest.mark.parametrize("text", [
    "Japan should spend more on defense, one analyst said on Tuesday.",  # no state speaks
    "Ishiba said on Tuesday that Japan must decide its defense budget itself.",  # its own
])
def test_should_without_another_states_speaker_is_no_request(extractor, text):
    assert not extract(extractor, text, published="2025-06-20").events


@pytest.mark.parametrize("text, expected", [
    ("Trump said on Monday that Japan would face higher tariffs.", ("THREATEN", "USA", "JPN")),
    ("Takaichi's remarks drew sharp criticism from Beijing on Monday.", ("ACCUSE", "CHN", "JPN")),
    ("Under pressure from the United States, Japan raised its defense budget on Monday.",
     ("REQUEST", "USA", "JPN")),
])
def test_the_state_before_a_passive_trigger_undergoes_the_act(extractor, text, expected):
    found = {e[:3] for e in events(extract(extractor, text, published="2025-11-18"))}
    assert expected in found
    assert expected[:1] + expected[:0:-1] not in found


def test_they_with_both_states_named_after_the_trigger_are_those_two(extractor):
    text = ("Leaders gathered on Friday for a summit hosted by South Korea. They agreed to "
            "build stable ties between Japan and China.")
    found = {(e[0], frozenset(e[1:3])) for e in events(extract(extractor, text,
                                                                published="2025-11-01"))}
    assert ("AGREE", frozenset(("JPN", "CHN"))) in found
    assert not [e for e in found if e[0] == "AGREE" and "KOR" in e[1]]


def test_a_states_provocations_do_not_make_it_the_accuser(extractor):
    text = "North Korea's provocations on Monday alarmed Japan and the United States."
    found = events(extract(extractor, text, published="2025-05-13"))
    assert not [e for e in found if e[0] == "ACCUSE" and e[1] == "PRK"]


def test_a_condemned_missile_launch_is_no_mobilization_against_the_condemning_states(extractor):
    text = "Japan and the United States on Friday condemned North Korea's missile launch."
    found = events(extract(extractor, text, published="2025-05-10"))
    assert not [e for e in found if e[0] == "MOBILIZE"]


def test_pausing_tariffs_is_a_concession(extractor):
    text = "The United States paused the tariffs on Japan on April 9."
    found = events(extract(extractor, text, published="2025-04-10"))
    assert ("CONCEDE", "USA", "JPN", "2025-04-09") in found
    assert not [e for e in found if e[0] == "RETREAT"]


def test_what_was_discussed_is_a_topic_not_a_partner(extractor):
    found = events(extract(extractor, "Rubio on Monday discussed closer cooperation with "
                                      "partners such as Australia.", published="2026-02-10"))
    assert not [e for e in found if e[0] == "CONSULT"]
    found = events(extract(extractor, "Ishiba discussed with Trump on Monday how to cut the "
                                      "trade deficit.",
                           published="2025-02-11"))
    assert {(e[0], frozenset(e[1:3])) for e in found} == {("CONSULT", frozenset(("JPN", "USA")))}


def test_a_concession_noun_is_an_act_only_when_dated(extractor):
    undated = "The deal weighs farm concessions by Japan against access to the United States."
    assert not [e for e in events(extract(extractor, undated)) if e[0] == "CONCEDE"]
    dated = "Japan offered concessions to the United States on Monday."
    assert ("CONCEDE", "JPN", "USA", "2025-07-21") in events(extract(extractor, dated))


def test_threats_are_dangers_unless_threats_of_something(extractor):
    dangers = "Japan and the United States on Friday vowed to counter North Korea's threats."
    assert not [e for e in events(extract(extractor, dangers)) if e[0] == "THREATEN"]
    threat = "Trump renewed his threats of tariffs on Japan on Friday."
    assert ("THREATEN", "USA", "JPN", "2025-07-18") in events(extract(extractor, threat))


@pytest.mark.parametrize("text", [
    "Tokyo struck a deal on Monday that lowered Trump's threatened tariffs on Japan.",
    "Japan raced on Monday to beat the U.S. self-imposed deadline.",
])
def test_a_participle_qualifying_a_noun_reports_no_act(extractor, text):
    found = events(extract(extractor, text, published="2025-08-12"))
    assert not [e for e in found if e[0] in ("THREATEN", "SANCTION")]


@pytest.mark.parametrize("text", [
    "Japan pays steeper duties from May 5, failing an agreement with the United States.",
    "Barring a deal with the United States on Monday, Japan will pay more.",
])
def test_an_act_named_as_a_condition_is_not_reported(extractor, text):
    assert not [e for e in events(extract(extractor, text)) if e[0] == "AGREE"]


def test_a_state_beyond_amid_is_no_party(extractor):
    text = ("Japan agreed on Monday to strengthen its defenses amid the deployment of North "
            "Korean troops.")
    found = events(extract(extractor, text, published="2025-06-10"))
    assert not [e for e in found if "PRK" in e[1:3]]


def test_what_a_state_has_invested_is_a_stock_not_a_pledge(extractor):
    stock = "Japan has invested heavily in the United States for decades, Trump said on Monday."
    assert not [e for e in events(extract(extractor, stock)) if e[0] == "AID"]
    pledge = "Japan pledged on Monday to invest more in the United States."
    assert ("AID", "JPN", "USA", "2025-07-21") in events(extract(extractor, pledge))


def test_what_rules_an_indicator_out_stops_at_a_contrasting_clause(extractor):
    text = ("The administration lifted its levy on goods from China to 90 percent, while Beijing "
            "retaliated with duties on American farm products.")
    result = extract(extractor, text, published="2025-04-20")
    assert {v for v, _, _ in found_for(result, "us_tariff_china")} == {90.0}


def test_made_up_is_no_change(extractor):
    result = extract(extractor, "Sales to the U.S. made up 19% of Japan's total exports last "
                                "year.", published="2025-06-20")
    assert {v for v, _, _ in found_for(result, "japan_exports_share_to_us")} == {19.0}


def test_a_percentage_after_a_verb_of_change_is_no_level(extractor):
    text = ("Shipments of Japanese steel slid 12 percent in May under the 25% tariff on steel, "
            "and car exports were down 8% as the auto duty bit.")
    result = extract(extractor, text, published="2025-06-20")
    assert {o.value for o in result.observations} == {25.0}


def test_the_goods_named_after_a_figure_are_its_own_before_the_next_figure(extractor):
    text = ("Washington, which says its partners treat it unfairly, charges 30 percent duties on "
            "all foreign steel and aluminium and 20 percent duties on cars built abroad.")
    result = extract(extractor, text, published="2025-05-03")
    assert {v for v, _, _ in found_for(result, "us_tariff_steel_aluminum")} == {30.0}


@pytest.mark.parametrize("text", [
    "The levy on Indian goods climbed to 50% in August, far above the 15% Japan pays.",
    "Duties on products from Vietnam reached 46 percent, against 24 percent for Japan.",
    "Brazil was hit with a 50% tariff, while Japan got 15%.",
])
def test_a_rate_whose_clause_names_another_state_is_not_the_dyads(extractor, text):
    result = extract(extractor, text, published="2025-09-01")
    assert {o.value for o in result.observations} <= {15.0, 24.0}


def test_a_figure_repeated_without_status_words_is_not_a_second_fact(extractor):
    text = ("Tokyo agreed to a 15% tariff on Japanese goods in July.\n\n"
            "Makers of Japanese goods are adjusting their prices to the 15% tariff.")
    result = extract(extractor, text, published="2025-08-20")
    assert {(v, s) for v, s, _ in found_for(result, "us_tariff_japan_reciprocal")} == {
        (15.0, "agreed")}


@pytest.mark.parametrize("text", [
    "A 25% tariff on Japanese cars could wipe out 15% of the carmakers' operating income.",
    "Around 8 percent of Japanese jobs hang on the car makers, who face a 25% tariff.",
])
def test_a_share_of_something_is_no_tariff_rate(extractor, text):
    result = extract(extractor, text, published="2025-05-01")
    assert {(o.indicator, o.value) for o in result.observations} == {
        ("us_tariff_japan_autos", 25.0)}


def test_a_trade_balance_with_the_world_is_not_the_dyads(extractor):
    result = extract(extractor, "Japan recorded a 1.5 trillion yen ($10 billion) trade deficit "
                                "last year. Japan's surplus with the United States was $68 "
                                "billion.", published="2025-01-25")
    assert {v for v, _, _ in found_for(result, "us_trade_deficit_japan_usd")} == {68e9}


def test_existing_investment_is_the_stock_not_a_pledge(extractor):
    result = extract(extractor, "Japanese firms hold $790 billion of existing investments in "
                                "America.", published="2025-03-01")
    assert {o.indicator for o in result.observations} == {"japan_fdi_stock_in_us_usd"}


def test_words_between_two_figures_belong_to_the_one_before_the_and(extractor):
    result = extract(extractor, "Tokyo offered a $400 billion investment package and $8 billion "
                                "in purchases of U.S. farm goods.", published="2025-07-23")
    assert {v for v, _, _ in found_for(result, "japan_agri_purchase_pledge_usd")} == {8e9}
    assert {v for v, _, _ in found_for(result, "japan_investment_pledge_usd")} == {4e11}


def test_goods_named_for_a_figure_before_a_new_clause_are_not_the_next_ones(extractor):
    text = ("Tokyo wants an end to the 25% duties charged on cars, steel and aluminum, and the "
            "removal of the 10% baseline tariff applied to all countries.")
    result = extract(extractor, text, published="2025-05-03")
    assert {v for v, _, _ in found_for(result, "us_tariff_allies_baseline")} == {10.0}
    assert {v for v, _, _ in found_for(result, "us_tariff_steel_aluminum")} == {25.0}


@pytest.mark.parametrize("text, indicator", [
    # a trade balance beside farm purchases is no purchase
    ("Japan will buy more corn and beef to narrow its $60 billion trade surplus.",
     "japan_agri_purchase_pledge_usd"),
    # the alliance in Europe has its own spending goal
    ("The new NATO goal of 5% of GDP for defence is far above what Japan spends.",
     "japan_defense_spending_gdp"),
    # a rate on one product is not the general rate
    ("Washington set a 40% duty on Japanese electronics.", "us_tariff_japan_reciprocal"),
    # troops on the move are not the count stationed
    ("About 4,000 Marines will be moved out of Okinawa over the next decade, Tokyo said.",
     "us_troops_in_japan"),
    ("Washington may withdraw 4,500 troops stationed in Japan, officials said.",
     "us_troops_in_japan"),
])
def test_words_in_the_figures_phrase_rule_the_indicator_out(extractor, text, indicator):
    result = extract(extractor, text, published="2025-07-01")
    assert not found_for(result, indicator)


def test_a_list_of_rates_gives_each_rate_to_its_own_party(extractor):
    """Each rate of a list is its own party's: one on a party that is no state ("the
    European Union") is not the dyad's rate, and the state a neighbouring rate is on does not
    set the dyad's; each state of the list is sanctioned once."""
    result = extract(extractor, "On Monday the White House imposed duties of 38% on Laos, 17% on "
                                "the European Union and 26% on Japan.", published="2025-04-08")
    [rate] = result.observations
    assert (rate.indicator, rate.value, rate.actor) == ("us_tariff_japan_reciprocal", 26.0,
                                                        "USA")
    assert {(e.type, e.source, e.target) for e in result.events} == {
        ("SANCTION", "USA", "LAO"), ("SANCTION", "USA", "JPN")}


def test_a_rate_on_a_weekday_or_a_month_stays_the_dyads(extractor):
    result = extract(extractor, "Washington raised its tariff on Japanese goods to 26% on "
                                "Monday.", published="2025-04-08")
    assert [(o.indicator, o.value) for o in result.observations] == [
        ("us_tariff_japan_reciprocal", 26.0)]
