"""Time expressions: the forms news uses, and their resolution against the publication date.

Publication dates used below: 2025-07-23 is a Wednesday; 2026-01-10 is a Saturday.
"""

from __future__ import annotations

import time
from datetime import date
from itertools import pairwise

import pytest

from bilateral.extract.times import (
    FOREIGN_MONTHS,
    MONTHS,
    TimeExpr,
    find_times,
    month_number,
    parse_published,
)

PUB = "2025-07-23"  # a Wednesday


def one(text: str, published: str | None = PUB) -> TimeExpr:
    found = find_times(text, published)
    assert len(found) == 1, found
    return found[0]


# --- parse_published ------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("2025", (date(2025, 1, 1), "year")),
    ("2025-07", (date(2025, 7, 1), "month")),
    ("2025-07-23", (date(2025, 7, 23), "day")),
    ("2025-07-23T10:15:00Z", (date(2025, 7, 23), "day")),
    ("2025-7-3", (date(2025, 7, 3), "day")),
    (None, None),
    ("", None),
    ("yesterday", None),
    ("2025-13", None),
    ("2025-02-30", None),
])
def test_parse_published(value, expected):
    assert parse_published(value) == expected


def test_month_names_are_shared_tables():
    assert MONTHS["sept"] == 9 and MONTHS["may"] == 5
    assert FOREIGN_MONTHS["gennaio"] == 1 and FOREIGN_MONTHS["août"] == 8
    assert month_number("Jan.") == 1 and month_number("MÄRZ") == 3
    assert month_number("Dezember") == 12 and month_number("nonsense") is None


# --- absolute forms -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "span", "value", "kind"), [
    ("It was signed on January 20, 2025, in Washington.", "January 20, 2025", "2025-01-20", "date"),
    ("It was signed on Jan. 20, 2025, in Washington.", "Jan. 20, 2025", "2025-01-20", "date"),
    ("It was signed on Sept. 3, 2024.", "Sept. 3, 2024", "2024-09-03", "date"),
    ("It was signed on 20 January 2025 in Rome.", "20 January 2025", "2025-01-20", "date"),
    ("It was signed on the 20th of January 2025.", "20th of January 2025", "2025-01-20", "date"),
    ("Filed 2025-07-23 with the agency.", "2025-07-23", "2025-07-23", "date"),
    ("Filed 2025/07/23 with the agency.", "2025/07/23", "2025-07-23", "date"),
    ("It took effect in July 2025.", "July 2025", "2025-07", "date"),
    ("It took effect in July of 2025.", "July of 2025", "2025-07", "date"),
    ("Trade grew in 2024.", "2024", "2024", "date"),
    ("Growth is expected by mid-2025.", "by mid-2025", "2025", "deadline"),
    ("Growth is expected in mid-2025.", "mid-2025", "2025", "date"),
    ("Production starts in early 2026.", "early 2026", "2026", "date"),
    ("Output fell at the end of 2024.", "the end of 2024", "2024", "date"),
    ("Output rose in the first half of 2026.", "the first half of 2026", "2026", "date"),
    ("Output rose in the third quarter of 2025.", "the third quarter of 2025", "2025", "date"),
    ("Output rose in Q3 2025.", "Q3 2025", "2025", "date"),
    ("Output rose in 3Q 2025.", "3Q 2025", "2025", "date"),
    ("Output rose in H1 2026.", "H1 2026", "2026", "date"),
    ("Talks resume in spring 2026.", "spring 2026", "2026", "date"),
    ("The budget for fiscal 2027 grows.", "fiscal 2027", "2027", "fiscal"),
    ("The budget for fiscal year 2027 grows.", "fiscal year 2027", "2027", "fiscal"),
    ("The FY2027 budget grows.", "FY2027", "2027", "fiscal"),
    ("The FY 2027 budget grows.", "FY 2027", "2027", "fiscal"),
    ("The FY27 budget grows.", "FY27", "2027", "fiscal"),
    ("The fiscal 2025-26 budget grows.", "fiscal 2025-26", "2025", "fiscal"),
    ("In the 2027 fiscal year it grows.", "2027 fiscal year", "2027", "fiscal"),
])
def test_absolute_forms(text, span, value, kind):
    t = one(text)
    assert (t.text, t.value, t.kind) == (span, value, kind)
    assert text[t.start:t.end] == t.text


@pytest.mark.parametrize(("text", "value", "kind"), [
    ("Japan aims to reach the goal by 2027.", "2027", "deadline"),
    ("Japan aims to reach the goal by fiscal 2027.", "2027", "deadline"),
    ("Japan aims to finish by the end of 2026.", "2026", "deadline"),
    ("Japan aims to finish by the end of the year.", "2025", "deadline"),
    ("Japan aims to finish by year-end.", "2025", "deadline"),
    ("Japan aims to finish by the end of March 2026.", "2026-03", "deadline"),
    ("Payments are due no later than Aug. 1.", "2025-08-01", "deadline"),
])
def test_deadlines(text, value, kind):
    t = one(text)
    assert (t.value, t.kind) == (value, kind)
    assert t.text.lower().startswith(("by", "no later"))


def test_deadline_without_year_looks_forward():
    # Published in July 2025: "by March" is March 2026, while "in March" is March 2025.
    assert one("The plan must be ready by March.", "2025-07-23").value == "2026-03"
    assert one("The plan must be ready no later than March.", "2025-07-23").value == "2026-03"
    assert one("The plan was drafted in March.", "2025-07-23").value == "2025-03"
    assert one("The plan must be ready by Friday.", "2025-07-23").value == "2025-07-25"


def test_what_starts_on_a_weekday_is_still_to_come():
    # Published on Wednesday 2025-10-22: "on Monday" is past, "starting Monday" ahead.
    assert one("The talks ended on Monday.", "2025-10-22").value == "2025-10-20"
    assert one("He visits Japan for a week starting Monday.", "2025-10-22").value == "2025-10-27"
    assert one("The curbs apply beginning Friday.", "2025-10-22").value == "2025-10-24"


# --- months and days without a year ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "published", "value"), [
    ("They met on July 23.", PUB, "2025-07-23"),
    ("They met on Jan. 2.", PUB, "2025-01-02"),
    ("They met on 23 July.", PUB, "2025-07-23"),
    ("They met in July.", PUB, "2025-07"),
    ("Talks resume in late October.", PUB, "2025-10"),
    ("They met at the end of March.", PUB, "2025-03"),
    ("Talks resume in mid-August.", PUB, "2025-08"),
    # more than six months after publication: the previous year
    ("They met in December.", "2026-01-10", "2025-12"),
    ("They met on Dec. 15.", "2026-01-10", "2025-12-15"),
    ("They met on July 23.", "2026-01-10", "2025-07-23"),
    ("They will meet on Jan. 20.", "2026-01-10", "2026-01-20"),
    # month-precision publication
    ("They met in December.", "2026-01", "2025-12"),
    ("The review is in July.", "2026-01", "2026-07"),
    # year-precision publication: the publication year
    ("They met in December.", "2026", "2026-12"),
    ("They met on July 23.", "2026", "2026-07-23"),
])
def test_month_without_year_takes_publication_year(text, published, value):
    assert one(text, published).value == value


def test_month_without_year_and_no_publication_date_is_unknown():
    assert one("They met in July.", None).value is None
    assert one("They met on July 23.", None).value is None


def test_a_month_that_is_also_a_name_needs_a_preposition_or_modifier():
    assert find_times("Prime Minister Theresa May said so.", PUB) == []
    assert find_times("Officials may meet again.", PUB) == []
    assert find_times("June Tanaka and April Sato spoke.", PUB) == []
    assert one("They met in May.").value == "2025-05"
    assert [t.value for t in find_times("July's figures beat June's.", PUB)] == [
        "2025-07", "2025-06"]
    assert one("July was the hottest month.").value == "2025-07"
    assert one("Exports rose, and October looks better.").value == "2025-10"


# --- relative expressions -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("Tariffs were announced last April.", "2025-04"),
    ("Tariffs were announced last July.", "2024-07"),  # strictly before the publication month
    ("Tariffs take effect this April.", "2025-04"),
    ("Tariffs take effect next April.", "2026-04"),
    ("Tariffs take effect next August.", "2025-08"),
    ("They met on Wednesday.", "2025-07-23"),  # on or before the publication day
    ("They met Tuesday.", "2025-07-22"),
    ("They met on Thursday.", "2025-07-17"),
    ("They met last Wednesday.", "2025-07-16"),
    ("They meet next Wednesday.", "2025-07-30"),
    ("They met yesterday.", "2025-07-22"),
    ("They meet today.", "2025-07-23"),
    ("They meet tomorrow.", "2025-07-24"),
    ("Exports fell earlier this year.", "2025"),
    ("Exports fell this year.", "2025"),
    ("Exports fell last year.", "2024"),
    ("Exports rise next year.", "2026"),
    ("Exports fell last month.", "2025-06"),
    ("Exports rise next month.", "2025-08"),
    ("Exports rose this month.", "2025-07"),
    ("Exports rose earlier this month.", "2025-07"),
    ("Exports rose two years ago.", "2023"),
    ("Exports rose 3 months ago.", "2025-04"),
    ("Exports rose last week.", "2025-07"),
    ("Exports rose last summer.", "2024"),
    ("Exports rise this fiscal year.", "2025"),
    ("Exports rose in the third quarter.", "2025"),
])
def test_relative_expressions_resolve_against_a_day(text, value):
    t = one(text)
    assert t.value == value
    assert t.kind == ("fiscal" if "fiscal" in text else "relative")


@pytest.mark.parametrize(("text", "value"), [
    ("They met on Wednesday.", "2025-07"),
    ("They met yesterday.", "2025-07"),
    ("Exports fell last month.", "2025-06"),
    ("Exports fell last year.", "2024"),
    ("Tariffs were announced last April.", "2025-04"),
])
def test_relative_expressions_with_a_month_precision_publication(text, value):
    assert one(text, "2025-07").value == value


@pytest.mark.parametrize(("text", "value"), [
    ("They met on Wednesday.", "2025"),
    ("They met yesterday.", "2025"),
    ("Exports fell last month.", "2025"),
    ("Exports fell last year.", "2024"),
])
def test_relative_expressions_with_a_year_precision_publication(text, value):
    assert one(text, "2025").value == value


@pytest.mark.parametrize("text", [
    "They met on Wednesday.", "They met yesterday.", "Exports fell last year.",
    "Tariffs were announced last April.", "Exports fell earlier this month.",
])
def test_relative_expressions_without_publication_date_are_unknown(text):
    t = one(text, None)
    assert t.value is None and t.kind == "relative"


def test_year_boundary():
    pub = "2026-01-10"
    assert one("Tariffs were cut last December.", pub).value == "2025-12"
    assert one("Tariffs were cut in December.", pub).value == "2025-12"
    assert one("Tariffs were cut last January.", pub).value == "2025-01"
    assert one("Tariffs rise next January.", pub).value == "2027-01"
    assert one("Tariffs were cut last month.", pub).value == "2025-12"
    assert one("Tariffs were cut last year.", pub).value == "2025"
    assert one("Tariffs were cut on Friday.", pub).value == "2026-01-09"
    assert one("Spending rises this fiscal year.", pub).value == "2025"  # April-March year


def test_absolute_dates_ignore_the_publication_date():
    for published in (None, "2020", "2031-12-31"):
        assert one("It was signed on Jan. 20, 2025.", published).value == "2025-01-20"
        assert one("It grows by fiscal 2027.", published).value == "2027"


# --- what is not a time ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Japan will invest over the next 10 years.",
    "The program runs over 10 years.",
    "The talks lasted for three months.",
    "About 55,000 troops are stationed there.",
    "A 24% tariff and $550 billion in investment.",
    "Section 232 tariffs apply to 2,025 products.",
    "Read https://example.com/2025/07/23/story.html now.",
    "USA Today reported the deal.",
    "He was on the 2020s shortlist.",
    "Steel tariffs of 2025% are absurd.",
    "The year was hard and the month was long.",
])
def test_not_times(text):
    assert find_times(text, PUB) == []


def test_year_spans_and_iso_months():
    found = find_times("In 2024-25 and 2019-2020; data for 2025-07.", PUB)
    values = [(t.text, t.value) for t in found]
    assert values == [("2024", "2024"), ("25", "2025"), ("2019", "2019"), ("2020", "2020"),
                      ("2025-07", "2025-07")]


def test_results_are_sorted_non_overlapping_and_spans_match():
    text = ("On Wednesday, July 23, 2025, officials said talks held last April and in late "
            "October would continue by the end of the year, with a target of fiscal 2027.")
    found = find_times(text, PUB)
    assert [t.text for t in found] == ["July 23, 2025", "last April", "late October",
                                       "by the end of the year", "fiscal 2027"]
    assert all(a.end <= b.start for a, b in pairwise(found))
    assert all(text[t.start:t.end] == t.text for t in found)


def test_long_text_is_fast_and_safe():
    text = ("The ministry said on Tuesday that exports rose 3.2% in June from a year earlier, "
            "after falling last month, and that the target for fiscal 2027 stands. ") * 40
    start = time.perf_counter()
    found = find_times(text, PUB)
    assert time.perf_counter() - start < 0.5
    assert len(found) == 160


@pytest.mark.parametrize("text, value", [
    ("the fiscal year ending March 2028", "2027"),
    ("the fiscal year ending in September 2026", "2026"),
])
def test_a_fiscal_year_named_by_its_end_is_the_year_holding_most_of_its_months(text, value):
    found = find_times(text, "2025-10-21")
    assert [(t.value, t.kind) for t in found] == [(value, "fiscal")]
