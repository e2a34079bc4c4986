"""The input budgets: safe YAML, dates in range, finite magnitudes, bounded messages."""

from __future__ import annotations

import datetime as dt
import tracemalloc

import pytest
import yaml

from bilateral.limits import (
    LimitExceeded,
    bounded,
    check_date,
    check_text,
    finite_magnitude,
    first_surrogate,
    load_yaml,
    parse_period,
    printable,
)


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ['l0: &l0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * width)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_plain_yaml_loads_with_its_dates_and_shared_anchors():
    data = load_yaml("when: 2025-03-04\nbase: &b {rate: 15}\ncopy: *b\n")
    assert data == {"when": dt.date(2025, 3, 4), "base": {"rate": 15}, "copy": {"rate": 15}}


def test_an_alias_bomb_is_refused_before_it_is_built():
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded, match="alias bomb"):
            load_yaml(alias_bomb())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


@pytest.mark.parametrize("text, problem", [
    ("a: &a [1, *a]\n", "cycle"),
    ("[" * 5000 + "]" * 5000, "nested"),
])
def test_cycles_and_deep_nesting_are_refused(text, problem):
    with pytest.raises(LimitExceeded, match=problem):
        load_yaml(text)


def test_an_impossible_date_is_a_yaml_error_not_a_crash():
    with pytest.raises(yaml.YAMLError, match="day is out of range"):
        load_yaml("published: 2025-02-30\n")


def test_a_lone_surrogate_in_yaml_is_replaced_not_a_crash():
    assert load_yaml("title: a\ud800b\n") == {"title": "a\ufffdb"}


def test_python_tags_are_not_constructed():
    with pytest.raises(yaml.YAMLError):
        load_yaml("!!python/object/apply:os.getcwd []\n")


@pytest.mark.parametrize("text", ["2999-01-01", "9999-12-31", "0999", "2025-13", "2025-02-30",
                                  "25-01-01", "1899-12-31"])
def test_implausible_or_impossible_periods_are_refused(text):
    with pytest.raises(LimitExceeded, match="published"):
        parse_period(text, "published", publication=True)


def test_plausible_periods_pass():
    assert parse_period("2025", "x") == "2025"
    assert parse_period("2025-07-23", "x", publication=True) == "2025-07-23"
    assert parse_period("2099-01", "end") == "2099-01"  # a role may end in the future
    with pytest.raises(LimitExceeded):
        check_date(dt.date.today() + dt.timedelta(days=30), "published", publication=True)


def test_magnitudes_text_and_messages_are_bounded():
    assert finite_magnitude(550e9) and not finite_magnitude(float("inf"))
    assert not finite_magnitude(1e300) and not finite_magnitude(float("nan"))
    check_text("Japan " * 10)
    with pytest.raises(LimitExceeded, match="1,000,001 characters"):
        check_text("x" * 1_000_001)
    assert len(bounded("y" * 10_000)) == 500


def test_printable_escapes_terminal_controls_and_surrogates():
    assert printable("red \x1b[31m text\x07") == "red \\x1b[31m text\\x07"
    assert printable("line\nnext\ttab") == "line\nnext\ttab"
    assert printable("a\ud800b") == "a\\ud800b"
    assert first_surrogate("ok \udc80") == 3 and first_surrogate("ok") is None
