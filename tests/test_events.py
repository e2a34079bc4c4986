"""Events: who the trigger words make source and target, and which values imply an act."""

from __future__ import annotations

import pytest

from bilateral.extract import Extractor
from bilateral.records import Document


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor("us-japan")


def events(extractor: Extractor, text: str, published: str = "2025-05-10"):
    result = extractor.extract(Document(id="e" * 16, text=text, published=published))
    return {(e.type, e.source, e.target, e.when): e for e in result.events}


def test_the_object_of_tariffs_on_is_their_target(extractor):
    found = events(extractor, "Washington imposed tariffs on imports from Japan in April.")
    assert ("SANCTION", "USA", "JPN", "2025-04") in found


def test_an_agreement_between_two_states_is_theirs_not_the_hosts(extractor):
    found = events(extractor, "Leaders gathered in Malaysia on Sunday to see a truce agreement "
                              "between Thailand and Cambodia signed.")
    assert {(k[0], frozenset(k[1:3])) for k in found if k[0] == "AGREE"} == \
        {("AGREE", frozenset(("THA", "KHM")))}


def test_an_object_that_points_back_is_not_a_state_named_later(extractor):
    found = events(extractor, "Canada and Mexico trade heavily with each other, so tariffs on "
                              "those two neighbours would end up harming Japan as well.")
    assert not [k for k in found if k[0] == "SANCTION"]


def test_a_trigger_with_its_object_needs_a_source_before_it(extractor):
    # nobody named before "tariffs on" imposes them: the states after are object and aside
    found = events(extractor, "Tariffs on Chinese steel were raised again, and the United "
                              "States said more could follow.")
    assert not [k for k in found if k[0] == "SANCTION"]


@pytest.mark.parametrize("text", [
    "Japanese cars already face a 25% tariff in the United States.",  # a value in force
    "The tariff on Japanese cars was lowered from 25% to 15% under the deal.",  # the old value
])
def test_a_value_without_an_act_implies_no_sanction(extractor, text):
    implied = [e for e in events(extractor, text).values()
               if e.rule.startswith("event.from-observation/") and e.type == "SANCTION"]
    assert implied == []


def test_a_value_does_not_repeat_the_event_its_sentence_coded(extractor):
    found = events(extractor, "Trump on Wednesday unveiled a 25% tariff on vehicles from Japan, "
                              "starting June 3.", published="2025-05-30")
    sanctions = [e for e in found.values() if e.type == "SANCTION"]
    assert [(e.source, e.target) for e in sanctions] == [("USA", "JPN")]
    assert sanctions[0].rule == "event.trigger/SANCTION"


@pytest.mark.parametrize("text", [
    "Japan seeks to balance its ties with China and the United States.",  # an aim
    "On Monday, Japan said the U.S. levy was a threat to the Japanese car industry.",  # a danger
    "The Quadrilateral Security Dialogue brings together Japan, India and Australia.",  # a forum
])
def test_phrases_holding_a_trigger_that_report_no_act(extractor, text):
    assert not events(extractor, text)


def test_seeking_an_exemption_is_a_request_not_a_concession(extractor):
    found = events(extractor, "Japan is seeking an exemption from the U.S. steel tariffs.")
    assert {k[:3] for k in found} == {("REQUEST", "JPN", "USA")}


def test_a_demand_as_a_noun_is_an_event_only_when_dated(extractor):
    assert not events(extractor, "Trump's demands on Japan have shaped the debate in Tokyo.")
    dated = events(extractor, "Trump's demand to Japan on Monday was for more defense spending.")
    assert ("REQUEST", "USA", "JPN", "2025-05-05") in dated


def test_states_listed_after_a_verb_are_its_objects_not_its_parties(extractor):
    assert not events(extractor, "Last month the envoy visited Taiwan, Thailand and South Korea.")
    found = events(extractor, "The plan was signed on March 3 during the visit of Poland's "
                              "foreign minister to Tokyo.")
    assert {k[:3] for k in found} >= {("AGREE", "POL", "JPN"), ("CONSULT", "POL", "JPN")}


def test_an_event_takes_the_time_of_its_own_clause(extractor):
    found = events(extractor, "Trump, who took office again in January, had last traveled "
                              "to Japan in 2019.", published="2025-10-22")
    assert {k for k in found if k[0] == "CONSULT"} == {("CONSULT", "USA", "JPN", "2019")}


def test_an_opening_time_dates_the_act_not_the_date_it_takes_effect(extractor):
    found = events(extractor, "On Wednesday, President Donald Trump formally announced a 25% "
                              "tariff on Japanese cars starting April 3.", published="2025-03-28")
    assert ("SANCTION", "USA", "JPN", "2025-03-26") in found


def test_an_object_pronoun_refers_back_to_a_state_named_before(extractor):
    found = events(extractor, "Ishiba asked to meet the president-elect in November. Trump "
                              "turned down his request, and met South Korea's leader instead.",
                   published="2025-01-10")
    assert ("REJECT", "USA", "JPN", "2024-11") in found
    assert not [k for k in found if k[0] == "REJECT" and k[2] == "KOR"]


def test_a_subject_pronoun_refers_back_to_the_person_named_before(extractor):
    found = events(extractor, "Trump spoke at the White House on Wednesday.\n\nHe took aim at "
                              "Germany and Japan over their car exports.", published="2025-03-27")
    assert {k[:3] for k in found} == {("ACCUSE", "USA", "DEU"), ("ACCUSE", "USA", "JPN")}


def test_a_speaker_is_not_a_party_to_the_act_reported(extractor):
    found = events(extractor, "Japan's top government spokesman said Trump is expected to meet "
                              "business leaders.")
    assert not found


def test_a_possessive_inside_a_phrase_is_not_the_subject(extractor):
    found = events(extractor, "The minister voiced concerns over Pyongyang's missile launches "
                              "and asked the United States for help, Japan said.")
    assert not [k for k in found if k[1] == "PRK"]


def test_the_object_of_tariffs_on_stays_in_their_clause(extractor):
    found = events(extractor, "The United States doubled tariffs on steel to 50% as it kept "
                              "negotiating with Japan.")
    assert not [k for k in found if k[0] == "SANCTION"]
    assert [k for k in found if k[0] == "CONSULT"]


@pytest.mark.parametrize("text", [
    "A spokesman for Japan declined to comment on the U.S. proposal.",
    "The U.S. withdrawal from the Pacific trade pact still weighs on Japan.",
])
def test_words_that_report_no_act_between_states(extractor, text):
    assert not events(extractor, text)


def test_a_meeting_with_a_list_of_states_is_one_meeting_with_each(extractor):
    found = events(extractor, "Takaichi held meetings with the leaders of the United States "
                              "and China in her first weeks.", published="2025-11-15")
    assert {k[:3] for k in found} == {("CONSULT", "JPN", "USA"), ("CONSULT", "JPN", "CHN")}


def test_telling_citizens_not_to_travel_to_a_state_restricts_travel_to_it(extractor):
    found = events(extractor, "Beijing warned its citizens against travelling to Japan on "
                              "Friday.", published="2025-11-17")
    assert ("SANCTION", "CHN", "JPN", "2025-11-14") in found


def test_an_event_mentioned_again_in_its_month_is_one_event(extractor):
    found = events(extractor, "Trump will visit Japan on October 27. On Wednesday, Japan's "
                              "top spokesman said Trump's visit to Japan would strengthen ties.",
                   published="2025-10-22")
    assert [k for k in found if k[0] == "CONSULT"] == [("CONSULT", "USA", "JPN", "2025-10-27")]


@pytest.mark.parametrize("text", [
    "Trump said Japan, which he claimed imposes huge tariffs on American rice, must open up.",
    "Japan has so far avoided criticizing the United States over the tariffs.",
])
def test_claimed_and_avoided_acts_are_not_reported_as_happening(extractor, text):
    found = events(extractor, text)
    assert not [k for k in found if k[0] in ("SANCTION", "ACCUSE")]


def test_a_negation_in_another_clause_does_not_cancel_an_act(extractor):
    found = events(extractor, "Japan has not been spared (on Monday it asked the United States "
                              "for an exemption).")
    assert ("REQUEST", "JPN", "USA", "2025-05-05") in found


def test_an_opening_participle_takes_the_subject_after_it(extractor):
    found = events(extractor, "Speaking to Ishiba on the sidelines of the summit on November 15, "
                              "Xi said ties should improve.", published="2025-01-10")
    assert ("CONSULT", "CHN", "JPN", "2024-11-15") in found


def test_an_announced_value_implies_an_act_dated_by_its_announcement(extractor):
    found = events(extractor, "Japanese autos will face a 25% tariff, the White House announced. "
                              "The duties take effect on April 3.", published="2025-03-28")
    implied = [k for k, e in found.items() if e.rule.startswith("event.from-observation/")]
    assert implied == [("SANCTION", "USA", "JPN", "2025-03")]


@pytest.mark.parametrize("text", [
    "The two navies could cooperate in fields such as joint military exercises with Japan and "
    "Australia.",  # an example of a kind of act
    "A U.S. nominee put forth a provocative proposal that Japan spend more.",  # the writer's word
    "Trump has avoided repeating the harsh public criticisms of Japan.",  # negated some words back
])
def test_examples_descriptions_and_negated_acts_are_not_events(extractor, text):
    assert not events(extractor, text)


@pytest.mark.parametrize("text", [
    "President Trump threatened a 40% tariff on Japanese trucks last week.",  # a threat's object
    "Under the accord Washington lowered American duties on Japanese machinery to 10%.",  # conceded
])
def test_a_measure_another_act_governs_is_not_imposed(extractor, text):
    found = events(extractor, text)
    assert not [k for k in found if k[0] == "SANCTION"]
    assert [k for k in found if k[0] in ("THREATEN", "CONCEDE")]


def test_lowering_a_measure_is_a_concession(extractor):
    found = events(extractor, "On Tuesday the United States agreed to slash levies on "
                              "Japanese wine.")
    assert ("CONCEDE", "USA", "JPN") in {k[:3] for k in found}


def test_an_act_a_request_asks_for_has_not_happened(extractor):
    found = events(extractor, "Japan on Monday asked that its cars be exempt from the new "
                              "American tariffs.")
    assert {k[:3] for k in found} == {("REQUEST", "JPN", "USA")}


@pytest.mark.parametrize("text", [
    "Steel tariffs imposed by the United States hurt Japan on Monday.",
    "Tokyo said on Monday its steel mills suffered from duties imposed by President Trump.",
])
def test_the_agent_of_a_passive_trigger_is_its_source(extractor, text):
    found = events(extractor, text)
    assert ("SANCTION", "USA", "JPN") in {k[:3] for k in found}
    assert ("SANCTION", "JPN", "USA") not in {k[:3] for k in found}


@pytest.mark.parametrize("text", [
    "Asked by a reporter on Monday whether Japan would retaliate, the U.S. envoy smiled.",
    "Trump has often expressed a desire to meet the Chinese leader in Tokyo.",
    "The United States wants to avoid lengthy negotiations with Japan this year.",
])
def test_questions_wishes_and_avoided_acts_are_not_events(extractor, text):
    assert not events(extractor, text)


@pytest.mark.parametrize("text, expected", [
    ("Japan's trade envoy will travel to Washington on May 30.", ("CONSULT", "JPN", "USA")),
    ("Trump complained on Monday about Japan's rice tariffs.", ("ACCUSE", "USA", "JPN")),
    ("On Saturday Japan allocated $2 billion to Ukraine.", ("AID", "JPN", "UKR")),
])
def test_general_english_trigger_forms(extractor, text, expected):
    assert expected in {k[:3] for k in events(extractor, text)}


def _consults(found):
    return sorted(k[3] for k in found if k[0] == "CONSULT")


def test_a_definite_mention_without_a_time_repeats_the_act_coded_before(extractor):
    found = events(extractor, "Japan's prime minister met President Trump in Washington on "
                              "April 3.\n\nThe talks between Japan and the United States "
                              "covered tariffs and defence.")
    assert _consults(found) == ["2025-04-03"]


def test_a_time_in_another_clause_does_not_make_a_back_reference_a_new_act(extractor):
    found = events(extractor, "Japan's prime minister met President Trump in Washington on "
                              "April 3. The meeting between Japan and the U.S., which followed "
                              "tariffs announced in March, went well.")
    assert _consults(found) == ["2025-04-03"]


def test_a_time_of_its_own_phrase_makes_a_definite_mention_another_act(extractor):
    found = events(extractor, "Japan's prime minister met President Trump in Washington on "
                              "April 3. Tokyo later recalled Trump's 2019 visit to Japan.")
    assert _consults(found) == ["2019", "2025-04-03"]


def test_a_verb_reports_a_new_act_even_without_a_time(extractor):
    found = events(extractor, "Japan's prime minister met President Trump in Washington on "
                              "April 3.\n\nJapan's trade minister also met U.S. officials.")
    assert _consults(found) == ["2025-04-03", "2025-05"]


def test_a_state_named_as_the_place_of_a_summit_is_no_party_to_it(extractor):
    found = events(extractor, "Japan's prime minister met President Trump on May 2 at a "
                              "summit in Canada.")
    assert {k[:3] for k in found} == {("CONSULT", "JPN", "USA")}


def test_a_state_after_a_town_in_a_locative_phrase_is_a_place(extractor):
    found = events(extractor, "The leaders of Japan and the U.S. will meet at the G7 in "
                              "Kananaskis, Canada, next month.")
    assert {frozenset(k[1:3]) for k in found} == {frozenset(("JPN", "USA"))}


def test_the_state_a_visitor_arrives_in_is_the_trigger_object_and_a_party(extractor):
    found = events(extractor, "President Trump arrived in Japan on Sunday for talks.")
    assert ("CONSULT", "USA", "JPN", "2025-05-04") in found


def test_an_investment_in_a_state_is_aid_to_it(extractor):
    found = events(extractor, "Japan pledged on Monday to invest $10 billion in the "
                              "United States.")
    assert ("AID", "JPN", "USA", "2025-05-05") in found


def test_a_state_after_an_opening_place_or_time_is_the_subject(extractor):
    found = events(extractor, "In Tokyo, Japan's trade minister met U.S. officials on Monday.")
    assert ("CONSULT", "JPN", "USA", "2025-05-05") in found


def test_a_headline_names_the_story_and_the_body_reports_the_act(extractor):
    headline = "Tokyo Pledges Fresh Billions For American Shipyards Before Summit\n"
    body = "Japan pledged on Monday to invest $40 billion in shipyards in the United States."
    assert not events(extractor, headline)
    found = events(extractor, headline + body)
    assert [(e.type, e.source, e.target, e.when) for e in found.values()] == \
        [("AID", "JPN", "USA", "2025-05-05")]


def test_congratulating_a_leader_is_a_courtesy_not_support(extractor):
    found = events(extractor, "The Japanese prime minister congratulated President Trump on "
                              "Friday on his victory at the polls.")
    assert not [k for k in found if k[0] == "SUPPORT"]
    found = events(extractor, "Tokyo praised Washington on Friday for its steady line.")
    assert [k[:3] for k in found if k[0] == "SUPPORT"] == [("SUPPORT", "JPN", "USA")]


def test_a_mention_that_refers_back_with_a_time_dates_the_act_told_undated(extractor):
    found = events(extractor, "Japan and the United States held talks on tariffs. The talks "
                              "between Tokyo and Washington, which opened on July 22, ended "
                              "without a deal.", published="2025-08-10")
    assert [k for k in found if k[0] == "CONSULT"] == [("CONSULT", "JPN", "USA", "2025-07-22")]


def test_the_state_just_before_a_directed_verb_is_its_subject(extractor):
    found = events(extractor, "Japan is still weighing the steel tariffs that Washington "
                              "imposed in March.")
    assert [k[:3] for k in found if k[0] == "SANCTION"] == [("SANCTION", "USA", "JPN")]
    # a two-sided act keeps the order the text gives
    found = events(extractor, "Japan and the United States agreed on Monday to cut duties.")
    assert [k[:3] for k in found if k[0] == "AGREE"] == [("AGREE", "JPN", "USA")]


@pytest.mark.parametrize(("text", "coded"), [
    # a qualified dissatisfaction with a state is an accusation
    ("On Monday Tokyo voiced deep dissatisfaction with Washington's new levies.",
     ("ACCUSE", "JPN", "USA")),
    # a commitment to defend a state supports it
    ("On Tuesday Washington restated its commitment to the defense of Japan.",
     ("SUPPORT", "USA", "JPN")),
])
def test_words_that_code_an_act_and_its_parties(extractor, text, coded):
    assert [k[:3] for k in events(extractor, text) if k[0] == coded[0]] == [coded]


def test_a_lowering_that_a_deal_makes_is_a_term_of_the_deal(extractor):
    found = events(extractor, "Tokyo and Washington struck a deal on Monday that lowered duties "
                              "on Japanese cars to 15%.")
    assert [k[0] for k in found if k[0] in ("AGREE", "CONCEDE")] == ["AGREE"]
    found = events(extractor, "Washington lowered duties on Japanese cars on Monday.")
    assert [k[:3] for k in found if k[0] == "CONCEDE"] == [("CONCEDE", "USA", "JPN")]


@pytest.mark.parametrize("text", [
    "Washington published the terms of its pact with Tokyo on Monday following tariff talks.",
    "Tokyo thanked Washington on Monday ahead of a call with Beijing.",
])
def test_a_meeting_named_as_the_backdrop_of_another_act_is_not_reported(extractor, text):
    assert not [k for k in events(extractor, text) if k[0] == "CONSULT"]


def test_following_their_summit_says_its_subjects_met(extractor):
    found = events(extractor, "The Japanese and American leaders spoke to reporters on Monday "
                              "following their summit.")
    assert [frozenset(k[1:3]) for k in found if k[0] == "CONSULT"] == \
        [frozenset(("JPN", "USA"))]
