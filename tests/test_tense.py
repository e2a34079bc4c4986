"""The tense of a time's clause, and the direction it gives a date named without a year.

Publication dates used below: 2025-07-23 is a Wednesday; 2026-01-10 is a Saturday.
"""

from __future__ import annotations

import pytest

from bilateral.extract import Extractor
from bilateral.extract.tense import FUTURE, PAST, UNKNOWN, dates_the_report, direction_at
from bilateral.extract.times import find_times
from bilateral.records import Document


def direction(text: str, time: str) -> int:
    start = text.index(time)
    return direction_at(text, start, start + len(time))


def value(text: str, published: str) -> str | None:
    found = find_times(text, published)
    assert len(found) == 1, found
    return found[0].value


# --- the tense of the clause ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "time", "expected"), [
    ("The talks ended in July.", "July", PAST),
    ("The ministers met on Thursday.", "Thursday", PAST),
    ("The agreement was signed in July.", "July", PAST),
    ("The two sides have met twice since April.", "April", PAST),
    ("In July, the two governments agreed a framework.", "July", PAST),
    ("The envoy will visit Beijing in April.", "April", FUTURE),
    ("The envoy'll visit Beijing in April.", "April", FUTURE),
    ("The accord will also be signed in April.", "April", FUTURE),
    ("The envoy is going to visit Beijing in April.", "April", FUTURE),
    ("The envoy is to visit Beijing in April.", "April", FUTURE),
    ("The envoy plans to visit Beijing in April.", "April", FUTURE),
    ("The summit is scheduled for April.", "April", FUTURE),
    ("The summit is expected to be held on July 20.", "July 20", FUTURE),
    ("The envoy is set to arrive in April.", "April", FUTURE),
    ("The envoy is visiting Beijing on Thursday.", "Thursday", FUTURE),
    ("An upcoming summit in April will focus on trade.", "April", FUTURE),
    ("On Thursday, the ministers will meet in Tokyo.", "Thursday", FUTURE),
])
def test_tense_of_the_clause(text, time, expected):
    assert direction(text, time) == expected


@pytest.mark.parametrize(("text", "time"), [
    ("Talks resume in April.", "April"),  # a present tense says nothing of the direction
    ("Tariffs are imposed in April.", "April"),
    ("The quota was set to expire in April.", "April"),  # a plan told in the past
    ("The duties were paused until early July.", "July"),  # an end point, not the act
    ("He announced that starting August 1, duties rise.", "August 1"),
    ("The delegation is staying in Tokyo from Monday.", "Monday"),
    ("Duties will rise following the court ruling on Friday.", "Friday"),  # another clause
    ("The factory, foreign-made parts and all, opens in April.", "April"),  # no verb "made"
])
def test_no_direction_where_the_clause_gives_none(text, time):
    assert direction(text, time) == UNKNOWN


def test_the_verb_nearest_the_time_decides():
    text = "The minister said he will meet his counterpart in April."
    assert direction(text, "April") == FUTURE
    text = "The minister, who will retire soon, met his counterpart in April."
    assert direction(text, "April") == PAST


# --- resolution -----------------------------------------------------------------------------------

def test_a_past_month_is_the_last_one_and_a_future_month_the_next():
    # Published in March 2025: the July of a past clause is July 2024.
    assert value("The talks ended in July.", "2025-03-10") == "2024-07"
    assert value("The talks resume in July.", "2025-03-10") == "2025-07"
    # Published in June 2025: the April of a future clause is April 2026.
    assert value("The envoy will visit Beijing in April.", "2025-06-10") == "2026-04"
    assert value("The envoy visited Beijing in April.", "2025-06-10") == "2025-04"
    assert value("The envoy will visit Beijing on April 7.", "2025-06-10") == "2026-04-07"
    assert value("The envoy visited Beijing on April 7.", "2025-06-10") == "2025-04-07"


def test_a_weekday_looks_back_in_a_past_clause_and_ahead_in_a_future_one():
    pub = "2025-07-23"  # a Wednesday
    assert value("The ministers met on Thursday.", pub) == "2025-07-17"
    assert value("The ministers will meet on Thursday.", pub) == "2025-07-24"
    assert value("The ministers are meeting on Monday.", pub) == "2025-07-28"
    assert value("The ministers met on Monday.", pub) == "2025-07-21"


def test_year_boundary_both_ways():
    pub = "2026-01-10"
    assert value("The ministers met in December.", pub) == "2025-12"
    assert value("The ministers will meet in December.", pub) == "2026-12"
    assert value("The accord took effect in February.", pub) == "2025-02"
    assert value("The accord takes effect in February.", pub) == "2026-02"
    assert value("The ministers met on Dec. 30.", pub) == "2025-12-30"


def test_a_deadline_looks_ahead_whatever_the_tense():
    assert value("They agreed to finish by March.", "2025-07-23") == "2026-03"


def test_a_time_after_a_reporting_verb_dates_the_report():
    text = "The minister said Tuesday he will meet her on Sunday."
    assert dates_the_report(text, text.index("Tuesday"))
    assert not dates_the_report(text, text.index("Sunday"))


# --- through the extractor ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor("us-japan")


def extract(extractor: Extractor, text: str, published: str):
    return extractor.extract(Document(id="t" * 16, text=text, published=published))


def test_a_meeting_is_dated_by_the_tense_of_its_clause(extractor):
    past = extract(extractor, "Japanese Prime Minister Ishiba met President Trump in Washington "
                              "in December.", "2026-01-10")
    future = extract(extractor, "Japanese Prime Minister Ishiba will meet President Trump in "
                                "Washington in December.", "2026-01-10")
    assert {(e.type, e.when) for e in past.events} == {("CONSULT", "2025-12")}
    assert {(e.type, e.when) for e in future.events} == {("CONSULT", "2026-12")}


def test_a_meeting_announced_on_one_day_for_another_takes_the_day_it_happens(extractor):
    result = extract(extractor, "Japanese Defense Minister Nakatani said on Monday he will meet "
                                "U.S. Defense Secretary Hegseth on Thursday.", "2025-07-23")
    assert {(e.type, e.when) for e in result.events} == {("CONSULT", "2025-07-24")}


def test_a_pledge_is_dated_when_it_was_made_not_by_its_deadline(extractor):
    result = extract(extractor, "Under the deal reached in July, Japan will invest $550 "
                                "billion across American industries by January 2029.",
                     "2026-02-10")
    pledges = [o for o in result.observations if o.indicator == "japan_investment_pledge_usd"]
    assert [(o.status, o.when) for o in pledges] == [("agreed", "2025-07")]
    assert {(e.type, e.when) for e in result.events} == {("AID", "2025-07")}


def test_a_target_keeps_its_year_and_a_statistic_its_own(extractor):
    target = extract(extractor, "Japan aims to raise defence spending to 2% of GDP by 2027, the "
                                "prime minister said in March.", "2025-06-10")
    assert {(o.status, o.when) for o in target.observations} == {("target", "2027")}
    figure = extract(extractor, "U.S. imports from Japan totalled $148 billion in 2024, the "
                                "Commerce Department said on Tuesday.", "2025-02-06")
    assert {(o.status, o.when) for o in figure.observations} == {("actual", "2024")}
