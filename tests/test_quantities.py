"""Quantities: how English news writes percentages, shares of GDP, money and counts."""

from __future__ import annotations

import time

import pytest

from bilateral.extract.quantities import Quantity, find_quantities


def one(text: str) -> Quantity:
    found = find_quantities(text)
    assert len(found) == 1, found
    q = found[0]
    assert text[q.start:q.end] == q.text
    return q


# --- single quantities ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "span", "value", "kind"), [
    ("a tariff of 24% on cars", "24%", 24, "percent"),
    ("a tariff of 24 % on cars", "24 %", 24, "percent"),
    ("a tariff of 24 pct on cars", "24 pct", 24, "percent"),
    ("a tariff of 24 percent on cars", "24 percent", 24, "percent"),
    ("a tariff of 24 per cent on cars", "24 per cent", 24, "percent"),
    ("a 24-percent tariff on cars", "24-percent", 24, "percent"),
    ("a tariff of 27.5% on cars", "27.5%", 27.5, "percent"),
    ("a tariff of two percent on cars", "two percent", 2, "percent"),
    ("a tariff of twenty-five percent", "twenty-five percent", 25, "percent"),
    ("spending of 1.6% of GDP last year", "1.6% of GDP", 1.6, "percent_gdp"),
    ("spending of 1.6 percent of gross domestic product", "1.6 percent of gross domestic product",
     1.6, "percent_gdp"),
    ("spending of 2% of its GDP", "2% of its GDP", 2, "percent_gdp"),
    ("spending of 3.5% of GDP", "3.5% of GDP", 3.5, "percent_gdp"),
    ("spending of 2% of the country's GDP", "2% of the country's GDP", 2, "percent_gdp"),
    ("spending of 2% of Japan's GDP", "2% of Japan's GDP", 2, "percent_gdp"),
])
def test_percentages(text, span, value, kind):
    q = one(text)
    assert (q.text, q.value, q.kind, q.currency) == (span, value, kind, None)


@pytest.mark.parametrize(("text", "span", "value", "currency"), [
    ("a pledge of $550 billion in investment", "$550 billion", 550e9, "USD"),
    ("a pledge of $550bn in investment", "$550bn", 550e9, "USD"),
    ("a pledge of $550 bln in investment", "$550 bln", 550e9, "USD"),
    ("a pledge of US$550bn in investment", "US$550bn", 550e9, "USD"),
    ("a pledge of USD 550 billion in investment", "USD 550 billion", 550e9, "USD"),
    ("a pledge of 550 billion dollars in investment", "550 billion dollars", 550e9, "USD"),
    ("a pledge of 550 billion U.S. dollars", "550 billion U.S. dollars", 550e9, "USD"),
    ("a pledge of $1 trillion in investment", "$1 trillion", 1e12, "USD"),
    ("a pledge of $1.2tn in investment", "$1.2tn", 1.2e12, "USD"),
    ("a deal worth $14.9 billion", "$14.9 billion", 14.9e9, "USD"),
    ("a deal worth $2 million", "$2 million", 2e6, "USD"),
    ("a deal worth $5.5 billion", "$5.5 billion", 5.5e9, "USD"),
    ("a salary of $100,000 a year", "$100,000", 1e5, "USD"),
    ("a deal worth $5m", "$5m", 5e6, "USD"),
    ("one trillion dollars in total", "one trillion dollars", 1e12, "USD"),
    ("a stock of \\$783 billion in 2024", "$783 billion", 783e9, "USD"),  # escaped Markdown $
    ("a budget of ¥43 trillion", "¥43 trillion", 43e12, "JPY"),
    ("a budget of 43 trillion yen", "43 trillion yen", 43e12, "JPY"),
    ("a budget of JPY 43 trillion", "JPY 43 trillion", 43e12, "JPY"),
    ("a payment of 211 billion yen a year", "211 billion yen", 211e9, "JPY"),
    ("a payment of a trillion yen", "a trillion yen", 1e12, "JPY"),
    ("a fund of €10 billion", "€10 billion", 10e9, "EUR"),
    ("a fund of 10 billion euros", "10 billion euros", 10e9, "EUR"),
    ("a fund of 1 trillion won", "1 trillion won", 1e12, "KRW"),
    ("a fund of 5 billion yuan", "5 billion yuan", 5e9, "CNY"),
    ("a fund of £3bn", "£3bn", 3e9, "GBP"),
    ("a fund of A$5bn", "A$5bn", 5e9, "AUD"),
    ("a fund of HK$10 million", "HK$10 million", 10e6, "HKD"),
])
def test_money(text, span, value, currency):
    q = one(text)
    assert (q.text, q.kind, q.currency) == (span, "money", currency)
    assert q.value == pytest.approx(value, rel=1e-12)


def test_yen_is_never_labelled_dollars():
    for text in ("211 billion yen", "¥211 billion", "JPY 211 billion", "211 billion Japanese yen"):
        q = one(f"Japan pays {text} a year.")
        assert (q.currency, q.value) == ("JPY", 211e9)


def test_a_bare_scaled_number_is_money_of_unknown_currency():
    q = one("The figure rose to 1 trillion in May.")
    assert (q.kind, q.value, q.currency) == ("money", 1e12, None)


@pytest.mark.parametrize(("text", "span", "value", "head", "approximate"), [
    ("There are 55,000 troops in Japan.", "55,000 troops", 55_000, "troops", False),
    ("There are about 54,000 U.S. military personnel in Japan.",
     "54,000 U.S. military personnel", 54_000, "personnel", True),
    ("There are 50,000 service members in Japan.", "50,000 service members", 50_000,
     "service members", False),
    ("Japan shipped 1.5 million vehicles.", "1.5 million vehicles", 1.5e6, "vehicles", False),
    ("Japan shipped some 1,200 Japanese cars.", "1,200 Japanese cars", 1200, "cars", True),
    ("It bought 100 Boeing aircraft.", "100 Boeing aircraft", 100, "aircraft", False),
    ("The ships carried 500 pounds of beef.", "500 pounds", 500, "pounds", False),
])
def test_counts_keep_their_noun(text, span, value, head, approximate):
    q = one(text)
    assert (q.text, q.value, q.kind, q.head, q.approximate) == (span, value, "count", head,
                                                                approximate)


def test_a_count_without_a_noun():
    q = one("Troops in Japan number 54,000.")
    assert (q.kind, q.value, q.head) == ("count", 54_000, None)


@pytest.mark.parametrize("word", ["about", "some", "nearly", "around", "roughly", "more than",
                                  "over", "almost", "approximately"])
def test_approximate_words(word):
    q = one(f"Japan pledged {word} $550 billion.")
    assert q.approximate and q.value == 550e9 and q.text == "$550 billion"


def test_exact_numbers_are_not_approximate():
    assert not one("Japan pledged $550 billion.").approximate


# --- ranges and transitions -----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "values", "kind", "roles"), [
    ("tariffs of 10 to 20 percent", (10, 20), "percent", ("low", "high")),
    ("tariffs of 10-20%", (10, 20), "percent", ("low", "high")),
    ("tariffs of 10% to 20%", (10, 20), "percent", ("low", "high")),
    ("tariffs of between 10 and 20 percent", (10, 20), "percent", ("low", "high")),
    ("a pledge of $400 billion to $550 billion", (400e9, 550e9), "money", ("low", "high")),
    ("a pledge of $400 billion-$550 billion", (400e9, 550e9), "money", ("low", "high")),
    ("a pledge of $5 to $10 billion", (5e9, 10e9), "money", ("low", "high")),
    ("between 50,000 and 60,000 troops", (50_000, 60_000), "count", ("low", "high")),
    ("spending from 1% to 2% of GDP", (1, 2), "percent_gdp", ("from", "to")),
    ("spending from 1 to 2 percent of GDP", (1, 2), "percent_gdp", ("from", "to")),
    ("a cut from 25% to 15%", (25, 15), "percent", ("from", "to")),
    ("a cut from 25 percent to 15 percent", (25, 15), "percent", ("from", "to")),
    ("a rise from 10% to 25%", (10, 25), "percent", ("from", "to")),
    ("tariffs were cut to 15% from 25%", (15, 25), "percent", ("to", "from")),
    ("tariffs were cut 25% to 15%", (25, 15), "percent", ("from", "to")),
])
def test_ranges_and_transitions(text, values, kind, roles):
    found = find_quantities(text)
    assert [q.value for q in found] == pytest.approx(list(values))
    assert [q.kind for q in found] == [kind, kind]
    assert tuple(q.role for q in found) == roles
    assert all(text[q.start:q.end] == q.text for q in found)


def test_range_members_share_currency_and_noun():
    low, high = find_quantities("a fund of 2 trillion to 3 trillion yen")
    assert (low.currency, high.currency) == ("JPY", "JPY")
    low, high = find_quantities("between 50,000 and 60,000 troops")
    assert (low.head, high.head) == ("troops", "troops")


def test_unit_on_the_last_of_two_numbers_is_shared_without_a_range():
    a, b = find_quantities("rates of 10 and 20 percent")
    assert (a.kind, b.kind, a.role, b.role) == ("percent", "percent", None, None)


def test_two_quantities_with_their_own_units_stay_apart():
    found = find_quantities("55,000 troops and 20 ships, 15% and 10%")
    assert [(q.value, q.kind, q.role) for q in found] == [
        (55_000, "count", None), (20, "count", None), (15, "percent", None),
        (10, "percent", None)]


# --- what is not a quantity -----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "It happened in 2024.",
    "The 2025 agreement holds.",
    "The budget for fiscal 2027 and FY2028.",
    "They met on July 23.",
    "They met on Jan. 2 and 23 July.",
    "They met on July 23, 2025.",
    "Filed on 2025-07-23 and 7/23/2025.",
    "The call began at 10:30 a.m. and ended at 3 p.m.",
    "The 7th Fleet and the 1st Division.",
    "Read https://example.com/2025/07/24-percent-rise?id=55 now.",
    "Tariffs under Section 232 and Article 9.",
    "Call (202) 555-0143 or +81 3 1234 5678.",
    "The G7 summit discussed F-35 jets, 5G and COVID-19.",
    "Item No. 2 on the list.",
    "Growth slowed by 0.5 percentage point and rates rose 25 basis points.",
    "In the 2024-25 season.",
    "She was the second envoy.",
])
def test_not_quantities(text):
    assert find_quantities(text) == []


def test_a_year_with_a_unit_is_an_amount():
    q = one("It costs 2000 yen.")
    assert (q.value, q.currency) == (2000, "JPY")


def test_results_are_sorted_and_spans_match():
    text = ("WASHINGTON, July 23, 2025 - Japan will invest $550 billion, tariffs fall to 15% "
            "from 25%, defense spending reaches 2% of GDP by 2027 and about 54,000 U.S. troops "
            "stay.")
    found = find_quantities(text)
    assert [q.text for q in found] == ["$550 billion", "15%", "25%", "2% of GDP",
                                       "54,000 U.S. troops"]
    assert [q.start for q in found] == sorted(q.start for q in found)
    assert all(text[q.start:q.end] == q.text for q in found)


def test_long_and_hostile_text_is_fast():
    text = ("1,000,000,000 " * 300 + "12345678901234567890" * 50 + " $1 " * 300
            + "Japan pledged $550 billion and 15% tariffs. " * 40)
    start = time.perf_counter()
    found = find_quantities(text)
    assert time.perf_counter() - start < 0.5
    assert sum(q.text == "$550 billion" for q in found) == 40


def test_a_suspended_hyphen_range_is_a_range():
    found = find_quantities("threatening 10- to 20-percent duties on every shipment")
    assert [(q.value, q.kind, q.role) for q in found] == [
        (10.0, "percent", "low"), (20.0, "percent", "high")]


def test_a_share_of_the_projected_gdp_is_a_share_of_gdp():
    found = find_quantities("Outlays would reach 2.4 percent of the projected GDP by 2031.")
    assert [(q.value, q.kind) for q in found] == [(2.4, "percent_gdp")]
