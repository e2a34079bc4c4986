"""Each contextual decision alone, the model directory, and training end to end, on sentences
written for these tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilateral.cli import app
from bilateral.errors import ModelError
from bilateral.extract.decisions import (
    BY_MODEL,
    NO_EVENT,
    NO_INDICATOR,
    NOT_REPORTED,
    REPORTED,
    EventCandidate,
    FactualityCandidate,
    IndicatorCandidate,
    IndicatorOption,
    ObservationCandidate,
    PairCandidate,
    Party,
    RuleEventType,
    RuleFactuality,
    RuleIndicator,
    RulePair,
    RuleStatus,
    RuleWhen,
    StatusEvidence,
    TimeOption,
    TrainedEventType,
    TrainedFactuality,
    TrainedIndicator,
    TrainedPair,
    TrainedStatus,
    TrainedWhen,
    WhenCandidate,
    event_type_features,
    factuality_features,
    indicator_features,
    pair_features,
    pair_options,
    status_features,
    when_features,
)
from bilateral.extract.linear import LinearModel, fit
from bilateral.extract.model import Model, load_model
from bilateral.extract.pipeline import Extractor
from bilateral.records import Document

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def events_by_model(document: Document, *models: Model) -> dict[str, set[tuple[str, str, str]]]:
    """The (type, source, target) of the events each model's extractor codes in ``document``."""
    return {m.name: {(e.type, e.source, e.target) for e in Extractor(model=m).extract(
        document).events} for m in models}


def candidate(sentence: str, figure: str, *, rule: str = "actual",
              indicator: str = "japan_defense_spending_gdp",
              allowed: tuple[str, ...] = ()) -> ObservationCandidate:
    at = sentence.index(figure)
    return ObservationCandidate(
        text=sentence, sentence=(0, len(sentence)), value=(at, at + len(figure)),
        figure=float(figure.rstrip("%")), indicator=indicator, unit="percent_gdp",
        allowed=allowed, role=None,
        rule_status=rule, rule_evidence=StatusEvidence("default"))


# --- the linear model --------------------------------------------------------------------------

def test_linear_model_scores_and_respects_allowed_classes():
    model = LinearModel(("actual", "demanded", "target"), (0.0, 0.0, 0.0),
                        {"before=urged": (-1.0, 3.0, 0.0), "before=aims": (0.0, 0.0, 2.0)})
    assert model.best({"before=urged": 1.0})[0] == "demanded"
    assert model.best({"before=aims": 1.0})[0] == "target"
    # an indicator that admits only some statuses gets the best of those
    assert model.best({"before=urged": 1.0}, ("actual", "target"))[0] in ("actual", "target")
    probabilities = model.probabilities({"before=urged": 1.0})
    assert abs(sum(probabilities.values()) - 1.0) < 1e-9


def test_linear_model_round_trips_through_json():
    model = LinearModel(("a", "b"), (0.5, -0.5), {"x": (1.0, -1.0)})
    again = LinearModel.from_json(json.loads(json.dumps(model.to_json())), "m.json")
    assert again == model


@pytest.mark.parametrize("data, message", [
    ({"classes": ["a"], "bias": [0.0], "weights": {}}, "two or more classes"),
    ({"classes": ["a", "b"], "bias": [0.0, 0.0], "weights": {"x": [1.0]}}, "feature 'x'"),
    ({"classes": ["a", "b"], "bias": [0.0, "nan"], "weights": {}}, "finite"),
    ({"bias": [0.0, 0.0], "weights": {}}, "needs classes"),
])
def test_a_broken_linear_model_is_refused_with_its_file(data, message):
    with pytest.raises(ModelError, match=message) as caught:
        LinearModel.from_json(data, "weights/status.json")
    assert "weights/status.json" in str(caught.value)


def test_fit_is_deterministic_and_learns_the_cue():
    examples = [{"before=urged": 1.0}, {"before=pressed": 1.0}, {"before=stood": 1.0},
                {"before=was": 1.0}] * 3
    labels = ["demanded", "demanded", "actual", "actual"] * 3
    first, second = fit(examples, labels, seed=3), fit(examples, labels, seed=3)
    assert first == second
    assert first.best({"before=urged": 1.0})[0] == "demanded"
    assert first.best({"before=stood": 1.0})[0] == "actual"
    with pytest.raises(ModelError, match="two or more classes"):
        fit(examples, ["actual"] * len(examples))


# --- the status decision -----------------------------------------------------------------------

def test_rule_status_returns_what_the_rules_chose():
    chosen = RuleStatus().predict([candidate("Outlays rose to 1.9% last year.", "1.9%",
                                             rule="actual")])
    assert [(d.status, d.evidence.how) for d in chosen] == [("actual", "default")]


def test_a_figures_status_evidence_is_the_span_of_its_cue_words():
    text = "Washington threatened a 35% tariff on Japanese cars on Monday."
    found = Extractor(model="rules").extract(Document(id="d", text=text,
                                                      published="2025-06-01")).observations
    assert [(o.status, o.value) for o in found] == [("threatened", 35.0)]
    record = found[0]
    assert record.rule.endswith("+status.cue:threatened")
    stage_found = _stage_matches(text)
    start, end = stage_found[0].evidence.cue
    assert text[start:end] == "threatened" and stage_found[0].evidence.how == "cue"
    assert stage_found[0].status_cue == (start, end)
    assert StatusEvidence("cue", (start, end)).describe(text) == "cue:threatened"
    assert StatusEvidence("default").describe(text) == "default"


def _stage_matches(text: str) -> list:
    """The observation stage's own matches, evidence included, for ``text``."""
    extractor = Extractor(model="rules")
    doc = extractor.annotate(Document(id="d", text=text, published="2025-06-01"))
    return list(doc._.observations)


def test_status_features_read_the_words_either_side_of_the_figure():
    features = status_features(candidate("Ministers urged Tokyo to reach 2.5% soon.", "2.5%",
                                         rule="demanded"), with_rules=True)
    assert features["just_before=reach"] == 1.0
    assert features["before=urged"] == 1.0
    assert features["after=soon"] == 1.0
    assert features["rule=demanded"] == 1.0
    assert "rule=demanded" not in status_features(
        candidate("Ministers urged Tokyo to reach 2.5% soon.", "2.5%"), with_rules=False)


def test_trained_status_overrides_the_rules_and_says_so():
    model = LinearModel(("actual", "demanded"), (0.5, -0.5), {"before=insisted": (-2.0, 2.0)})
    decision = TrainedStatus(model, with_rules=False).predict(
        [candidate("The envoy insisted on 3% within two years.", "3%", rule="actual")])[0]
    assert decision.status == "demanded" and decision.evidence == BY_MODEL
    kept = TrainedStatus(model, with_rules=False).predict(
        [candidate("Spending came to 1.4% in 2023.", "1.4%", rule="actual")])[0]
    assert kept.status == "actual" and kept.evidence == StatusEvidence("default")


# --- the when decision -------------------------------------------------------------------------

def when_candidate(sentence: str, figure: str, times: dict[str, str], *, status: str,
                   rule_when: str | None) -> WhenCandidate:
    options = []
    for phrase, value in times.items():
        at = sentence.index(phrase)
        options.append(TimeOption(value, "sentence", "date", (at, at + len(phrase))))
    options += [TimeOption("2025-03", "report"), TimeOption(None, "none")]
    figured = candidate(sentence, figure, rule=status)
    return WhenCandidate(sentence, figured.value, status, "percent_gdp", "2025-03-10",
                         tuple(options), rule_when, figure=figured)


def test_rule_when_returns_what_the_rules_chose():
    chosen = RuleWhen().predict([when_candidate(
        "Outlays reached 1.3% in 2022 and will reach 2% by 2027.", "2%",
        {"2022": "2022", "2027": "2027"}, status="target", rule_when="2027")])
    assert [(d.when, d.source) for d in chosen] == [("2027", "rules")]


def test_when_features_say_where_a_time_stands_from_the_figure():
    sentence = "Outlays reached 1.3% in 2022 and will reach 2% by 2027."
    found = when_candidate(sentence, "2%", {"2022": "2022", "2027": "2027"},
                           status="target", rule_when="2027")
    deadline, earlier = found.options[1], found.options[0]
    near = when_features(found, deadline)
    assert near["lead=by"] == 1.0 and near["side|distance=after|<12"] == 1.0
    assert near["chosen_by_rules"] == 1.0 and near["vs_report=after"] == 1.0
    far = when_features(found, earlier)
    assert "chosen_by_rules" not in far and far["vs_report=before"] == 1.0
    assert any(k.startswith("side|distance=before|") for k in far)
    assert when_features(found, found.options[-1])["precision=none"] == 1.0


class _SeenWhen(RuleWhen):
    """The rules' time, remembering the options each candidate came with."""

    def __init__(self, reads_options: bool) -> None:
        self.reads_options = reads_options
        self.options: list[tuple[TimeOption, ...]] = []

    def predict(self, candidates):
        self.options += [c.options for c in candidates]
        return super().predict(candidates)


def test_time_options_are_gathered_only_for_a_when_decision_that_reads_them():
    text = "Japan raised defence outlays to 1.8% of GDP in March, officials said on Friday."
    document = Document(id="d", text=text, published="2025-06-01")
    for reads in (False, True):
        seen = _SeenWhen(reads)
        Extractor(model=Model("seen", RuleStatus(), when=seen)).extract(document)
        assert seen.options, "the figure was not offered to the when decision"
        assert all(bool(options) is reads for options in seen.options)


def test_trained_when_takes_the_best_scored_option():
    model = LinearModel(("no", "yes"), (0.0, 0.0),
                        {"lead=by": (-1.0, 1.0), "status|lead=target|by": (-1.0, 1.0),
                         "source=report": (1.0, -1.0), "source=none": (1.0, -1.0)})
    decision = TrainedWhen(model).predict([when_candidate(
        "Outlays reached 1.3% in 2022 and will reach 2% by 2027.", "2%",
        {"2022": "2022", "2027": "2027"}, status="target", rule_when="2022")])[0]
    assert decision.when == "2027" and decision.source == "sentence"


# --- the event type ----------------------------------------------------------------------------

def event(sentence: str, trigger: str, source: str, target: str, *, rule: str = "CONSULT",
          states: tuple[str, str] = ("USA", "JPN"),
          cues: tuple[tuple[str, int, int], ...] = ()) -> EventCandidate:
    at = sentence.index(trigger)
    first, second = sentence.index(source), sentence.index(target)
    return EventCandidate(
        text=sentence, sentence=(0, len(sentence)), trigger=(at, at + len(trigger)),
        lemma=trigger.lower(), rule_type=rule, source=states[0], target=states[1],
        source_span=(first, first + len(source)), target_span=(second, second + len(target)),
        states=states, cues=cues)


def test_rule_event_type_keeps_the_lexicon_type_with_the_trigger_as_evidence():
    proposed = event("The U.S. met Japan's request for a later start.", "met", "U.S.", "Japan")
    decided = RuleEventType().predict([proposed])[0]
    assert (decided.type, decided.evidence, decided.decided_by) == ("CONSULT", (9, 12), "rules")


def test_event_type_features_read_the_trigger_its_words_cues_and_parties():
    sentence = "Officials said the U.S. could soon meet Japan's demand on beef."
    at = sentence.index("could")
    features = event_type_features(event(sentence, "meet", "U.S.", "Japan",
                                         cues=(("hypothetical", at, at + 5),)))
    assert features["rule|lemma=CONSULT|meet"] == 1.0
    assert features["just_before=soon"] == 1.0 and features["just_after=demand"] == 1.0
    assert features["cue=hypothetical|before"] == 1.0
    assert features["source_side=before"] == 1.0 and features["target_side=after"] == 1.0
    assert not any(name.endswith(("=USA", "=JPN")) for name in features)  # no state codes


def test_trained_event_type_retypes_or_drops_only_by_a_margin():
    model = LinearModel(("CONCEDE", "CONSULT", NO_EVENT), (0.0, 0.0, 0.0),
                        {"just_after=demand": (2.0, 0.0, 0.0),
                         "just_after=deadline": (0.0, 0.0, 2.0)})
    demand = event("The U.S. met Japan's demand for a later start.", "met", "U.S.", "Japan")
    deadline = event("Japan met the U.S. deadline for an offer.", "met", "Japan", "U.S.",
                     states=("JPN", "USA"))
    retyped, dropped = TrainedEventType(model).predict([demand, deadline])
    assert (retyped.type, retyped.decided_by) == ("CONCEDE", "model")
    assert (dropped.type, dropped.evidence) == (NO_EVENT, deadline.trigger)
    kept = TrainedEventType(model, margin=0.9).predict([demand])[0]
    assert (kept.type, kept.decided_by) == ("CONSULT", "rules")


def test_the_extractor_codes_the_type_the_event_type_decision_gives():
    model = LinearModel(("CONCEDE", "CONSULT", NO_EVENT), (0.0, 0.0, 0.0),
                        {"just_after=demand": (3.0, 0.0, 0.0),
                         "just_after=deadline": (0.0, 0.0, 3.0)})
    rules = load_model("rules")
    trained = Model("retyped", rules.status, event_type=TrainedEventType(model))
    text = ("Washington met Tokyo's demand for softer rules on Monday. Japan met the U.S. "
            "deadline for new quotas in May.")
    document = Document(id="d", text=text, published="2025-06-01")
    coded = events_by_model(document, rules, trained)
    # the demand is also a request, a type the model was not trained on: the rules' stands
    assert coded == {"rules": {("CONSULT", "USA", "JPN"), ("REQUEST", "USA", "JPN")},
                     "retyped": {("CONCEDE", "USA", "JPN"), ("REQUEST", "USA", "JPN")}}


# --- indicator ---------------------------------------------------------------------------------

def number(sentence: str, figure: str, *, rule: str | None = "us_tariff_japan_autos",
           options: tuple[IndicatorOption, ...] = ()) -> IndicatorCandidate:
    at = sentence.index(figure)
    return IndicatorCandidate(
        text=sentence, sentence=(0, len(sentence)), value=(at, at + len(figure)),
        figure=float(figure.rstrip("%")), kind="percent", role=None, level=False,
        options=options, rule_indicator=rule, rule_evidence="cue" if rule else "none")


def option(indicator: str, *, near: int = 2, groups: int = 2) -> IndicatorOption:
    return IndicatorOption(indicator=indicator, unit="percent", groups=groups, near=near,
                           sentence=near, before=0, reach=0 if near == groups else None)


_AUTOS, _RECIPROCAL = option("us_tariff_japan_autos"), option("us_tariff_japan_reciprocal",
                                                             near=1)


def test_rule_indicator_returns_what_the_rules_chose():
    decided = RuleIndicator().predict([number("Car duties stay at 25%.", "25%"),
                                       number("Sales grew 5%.", "5%", rule=None)])
    assert [(d.indicator, d.decided_by) for d in decided] == [
        ("us_tariff_japan_autos", "rules"), (None, "rules")]
    assert RuleIndicator.reads_options is False and TrainedIndicator.reads_options is True


def test_indicator_features_read_the_cues_the_rules_and_the_words_by_unit():
    candidate = number("Analysts put the odds of a car tariff cut at 35%.", "35%",
                       options=(_AUTOS, _RECIPROCAL))
    autos = indicator_features(candidate, _AUTOS)
    assert autos["near=all"] == 1.0 and autos["chosen_by_rules"] == 1.0
    assert autos["percent|just_before=at"] == 1.0 and autos["percent|before=odds"] == 1.0
    assert autos["rivals=0"] == 1.0  # the other option is named only in part
    reciprocal = indicator_features(candidate, _RECIPROCAL)
    assert reciprocal["near=some"] == 1.0 and reciprocal["rules_chose_another"] == 1.0
    assert reciprocal["rivals=1"] == 1.0
    assert not any("us_tariff" in name for name in autos)  # no indicator ids


def test_trained_indicator_drops_relabels_or_adds_only_by_a_margin():
    # "odds" says a number measures nothing; an option whose cues are all near is likely
    model = LinearModel(("no", "yes"), (0.0, 0.0),
                        {"percent|before=odds": (3.0, -3.0), "near=all": (-2.0, 2.0)})
    odds = number("Analysts put the odds of a car tariff cut at 35%.", "35%",
                  options=(_AUTOS, _RECIPROCAL))
    # the rules chose the car tariff, whose cues stand near only in part
    other = number("The reciprocal rate on cars is now 15%.", "15%",
                   options=(option("us_tariff_japan_autos", near=1),
                            option("us_tariff_japan_reciprocal")))
    missed = number("The reciprocal levy on cars reached 24%.", "24%", rule=None,
                    options=(option("us_tariff_japan_reciprocal"),))
    dropped, relabelled, added = TrainedIndicator(model).predict([odds, other, missed])
    assert (dropped.indicator, dropped.decided_by) == (None, "model")
    assert (relabelled.indicator, relabelled.decided_by) == (
        "us_tariff_japan_reciprocal", "model")
    assert (added.indicator, added.decided_by) == ("us_tariff_japan_reciprocal", "model")
    kept = TrainedIndicator(model, margin=0.99).predict([odds, other, missed])
    assert [(d.indicator, d.decided_by) for d in kept] == [
        ("us_tariff_japan_autos", "rules"), ("us_tariff_japan_autos", "rules"),
        (None, "rules")]


def test_trained_indicator_scores_each_option_as_its_whole_features_would():
    # the words around the number are summed once per unit: the same sums as feature by feature
    model = LinearModel(("no", "yes"), (0.3, -0.2),
                        {"percent|before=odds": (1.5, -1.1), "near=all": (-0.7, 0.9),
                         "percent|just_before=at": (0.2, 0.4), "chosen_by_rules": (-0.5, 0.6),
                         "rivals=1": (0.1, -0.3)})
    odds = number("Analysts put the odds of a car tariff cut at 35%.", "35%",
                  options=(_AUTOS, _RECIPROCAL))
    decided = TrainedIndicator(model).predict([odds])[0]
    whole = {o.indicator: model.probabilities(indicator_features(odds, o))["yes"]
             for o in odds.options}
    best = max(whole, key=whole.__getitem__)
    expected = best if whole[best] > 1 - whole[best] else None
    assert decided.indicator == expected
    assert decided.confidence == pytest.approx(max(whole[best], 1 - whole[best]))
    assert model.probability(indicator_features(odds, _AUTOS), "yes") == pytest.approx(
        whole["us_tariff_japan_autos"])
    assert model.probability({}, "maybe") == 0.0


def test_the_extractor_records_the_indicator_the_decision_gives():
    model = LinearModel(("no", "yes"), (0.0, 0.0),
                        {"percent|just_after=chance": (4.0, -4.0)})
    rules = load_model("rules")
    trained = Model("odds", rules.status, indicator=TrainedIndicator(model))
    text = ("Markets give the tariff on Japanese cars a 35% chance of falling by June. The "
            "tariff on Japanese cars rose to 25% in April.")
    document = Document(id="d", text=text, published="2025-06-01")
    found = {m.name: {(o.indicator, o.value) for o in Extractor(model=m).extract(
        document).observations} for m in (rules, trained)}
    assert found == {"rules": {("us_tariff_japan_autos", 35.0), ("us_tariff_japan_autos", 25.0)},
                     "odds": {("us_tariff_japan_autos", 25.0)}}
    assert NO_INDICATOR == NO_EVENT  # one word for "nothing here" in every decision


# --- pair --------------------------------------------------------------------------------------

def coded(sentence: str, trigger: str, source: str, target: str, *, rule: str = "REQUEST",
          states: tuple[str, str] = ("USA", "JPN"), also: tuple[tuple[str, str], ...] = ()
          ) -> PairCandidate:
    """The rules' pair is ``source`` (of ``states[0]``) acting on ``target``; ``also`` names
    other mentions (text, state) the sentence offers."""
    proposed = event(sentence, trigger, source, target, rule=rule, states=states)
    parties = [Party(states[0], proposed.source_span), Party(states[1], proposed.target_span)]
    for name, state in also:
        at = sentence.index(name)
        parties.append(Party(state, (at, at + len(name))))
    return PairCandidate(event=proposed, parties=tuple(parties), symmetric=False)


def test_rule_pair_returns_what_the_rules_read():
    asked = coded("The U.S. asked Japan for more ships.", "asked", "U.S.", "Japan")
    decided = RulePair().predict([asked])[0]
    assert (decided.source.state, decided.target.state, decided.decided_by) == (
        "USA", "JPN", "rules")
    assert RulePair.reads_options is False and TrainedPair.reads_options is True


def test_pair_options_and_features_say_where_each_party_stands():
    asked = coded("Under pressure from China, the U.S. asked Japan for more ships.", "asked",
                  "U.S.", "Japan", also=(("China", "CHN"),))
    options = pair_options(asked)
    assert len(options) == 6  # every ordered pair of the three states
    rules = options[0]
    features = pair_features(asked, rules)
    assert features["chosen_by_rules"] == 1.0 and features["source=before|<3"] == 1.0
    assert features["sides=before|after"] == 1.0 and features["source_first=True"] == 1.0
    china = next(p for p in options if p[0].state == "CHN" and p[1].state == "JPN")
    assert pair_features(asked, china)["source|lead=from"] == 1.0
    assert pair_features(asked, china)["shares_a_party_with_rules"] == 1.0
    reverse = next(p for p in options if p == rules[::-1])
    assert pair_features(asked, reverse)["rules_reversed"] == 1.0
    assert not any(name.endswith(("USA", "JPN", "CHN")) for name in features)  # no codes


def test_trained_pair_replaces_the_rules_pair_only_by_a_margin():
    model = LinearModel(("no", "yes"), (0.0, 0.0), {"source|lead=from": (-3.0, 3.0)})
    asked = coded("Under pressure from China, the U.S. asked Japan for more ships.", "asked",
                  "U.S.", "Japan", also=(("China", "CHN"),))
    decided = TrainedPair(model).predict([asked])[0]
    assert (decided.source.state, decided.decided_by) == ("CHN", "model")
    kept = TrainedPair(model, margin=0.99).predict([asked])[0]
    assert (kept.source.state, kept.target.state, kept.decided_by) == ("USA", "JPN", "rules")


def test_the_extractor_codes_the_pair_the_pair_decision_gives():
    model = LinearModel(("no", "yes"), (0.0, 0.0), {"rules_reversed": (-4.0, 4.0)})
    rules = load_model("rules")
    reversed_ = Model("reversed", rules.status, pair=TrainedPair(model))
    document = Document(id="d", text="The U.S. asked Japan on Monday to buy more gas.",
                        published="2025-06-01")
    found = events_by_model(document, rules, reversed_)
    assert found == {"rules": {("REQUEST", "USA", "JPN")},
                     "reversed": {("REQUEST", "JPN", "USA")}}


# --- factuality --------------------------------------------------------------------------------

def guarded(sentence: str, trigger: str, source: str, target: str, guard: str | None,
            kind: str = "hypothetical") -> FactualityCandidate:
    at = sentence.index(guard) if guard else 0
    return FactualityCandidate(
        event=event(sentence, trigger, source, target, rule="REQUEST"),
        guard=(kind, at, at + len(guard)) if guard else None)


def test_rule_factuality_drops_what_a_guard_word_governs():
    plain = guarded("The U.S. asked Japan for more ships.", "asked", "U.S.", "Japan", None)
    possible = guarded("The U.S. could ask Japan for more ships.", "ask", "U.S.", "Japan",
                       "could")
    assert [d.reported for d in RuleFactuality().predict([plain, possible])] == [True, False]
    assert RuleFactuality.reads_context is False and TrainedFactuality.reads_context is True


def test_factuality_features_read_the_guard_word_and_where_it_stands():
    possible = guarded("The U.S. could soon ask Japan for more ships.", "ask", "U.S.",
                       "Japan", "could")
    features = factuality_features(possible)
    assert features["guard=hypothetical"] == 1.0 and features["guard_word=could"] == 1.0
    assert features["guard|gap=hypothetical|1"] == 1.0  # "soon" stands between
    assert features["guarded=True"] == 1.0 and features["lemma=ask"] == 1.0
    assert features["just_before=soon"] == 1.0
    plain = factuality_features(guarded("The U.S. asked Japan for ships.", "asked", "U.S.",
                                        "Japan", None))
    assert plain["guarded=False"] == 1.0 and not any(n.startswith("guard=") for n in plain)


def test_trained_factuality_keeps_or_drops_against_the_rules_only_by_a_margin():
    # "reportedly" says an event is hearsay; a guard word "whether" asks about a real talk
    model = LinearModel((NOT_REPORTED, REPORTED), (0.0, 0.0),
                        {"just_before=reportedly": (3.0, -3.0),
                         "guard_word=whether": (-3.0, 3.0)})
    hearsay = guarded("The U.S. reportedly asked Japan for ships.", "asked", "U.S.", "Japan",
                      None)
    question = guarded("Reporters wondered whether the U.S. asked Japan for ships.", "asked",
                       "U.S.", "Japan", "whether")
    dropped, kept = TrainedFactuality(model).predict([hearsay, question])
    assert (dropped.reported, dropped.decided_by) == (False, "model")
    assert (kept.reported, kept.decided_by) == (True, "model")
    cautious = TrainedFactuality(model, margin=0.999).predict([hearsay, question])
    assert [(d.reported, d.decided_by) for d in cautious] == [(True, "rules"), (False, "rules")]


def test_the_extractor_drops_the_events_the_factuality_decision_drops():
    model = LinearModel((NOT_REPORTED, REPORTED), (0.0, 0.0),
                        {"just_before=reportedly": (4.0, -4.0)})
    rules = load_model("rules")
    trained = Model("hearsay", rules.status, factuality=TrainedFactuality(model))
    text = ("The U.S. reportedly asked Japan on Monday to buy more gas. Japan asked the U.S. "
            "on Tuesday to lower its car tariff.")
    document = Document(id="d", text=text, published="2025-06-01")
    found = events_by_model(document, rules, trained)
    assert found == {"rules": {("REQUEST", "USA", "JPN"), ("REQUEST", "JPN", "USA")},
                     "hearsay": {("REQUEST", "JPN", "USA")}}


# --- the model directory -----------------------------------------------------------------------

def test_built_in_models_load():
    rules = load_model("rules")
    assert (rules.status.name, rules.when.name) == ("rules", "rules")
    default = load_model(None)
    assert default.status.name == "trained" and default.when.name == "trained"
    assert default.indicator.name == "rules" and rules.indicator.name == "rules"
    assert default.event_when.name == "trained" and rules.event_when.name == "rules"
    assert default.meta["data_sha256"] and "cross_validated_accuracy" in default.meta


def test_every_decision_is_trained_configured_and_loaded_by_one_name():
    from bilateral.extract.model import _IMPLEMENTATIONS, Decisions
    from bilateral.extract.train import DECISIONS

    assert set(DECISIONS) == set(Decisions.model_fields) == set(_IMPLEMENTATIONS)
    rules = load_model("rules")
    assert {name: getattr(rules, name).name for name in DECISIONS} == dict.fromkeys(
        DECISIONS, "rules")


def test_a_model_directory_written_before_the_event_type_decision_uses_its_rules(
        tmp_path: Path):
    (tmp_path / "config.json").write_text('{"format": 1, "decisions": {"status": '
                                          '{"use": "rules"}}}', encoding="utf-8")
    assert load_model(tmp_path).event_type.name == "rules"
    assert load_model("rules").event_type.name == "rules"


def test_a_missing_or_broken_model_directory_names_what_is_wrong(tmp_path: Path):
    with pytest.raises(ModelError, match="no model directory"):
        load_model(tmp_path / "nowhere")
    (tmp_path / "config.json").write_text('{"format": 1, "decisions": {"status": '
                                          '{"use": "learned"}}}', encoding="utf-8")
    with pytest.raises(ModelError, match=r"decisions\.status\.use") as caught:
        load_model(tmp_path)
    assert "config.json" in str(caught.value)
    (tmp_path / "config.json").write_text('{"decisions": {"status": {"use": "trained", '
                                          '"weights": "gone.json"}}}', encoding="utf-8")
    with pytest.raises(ModelError, match=r"gone\.json: the weights file is missing"):
        load_model(tmp_path)


@pytest.mark.parametrize("text, expected", [
    ("Japan's defence spending came to 1.4% of GDP in 2023.",
     ("japan_defense_spending_gdp", 1.4, "actual", "2023")),
    ("Colby urged Japan to raise defence spending to 3.5% of GDP.",
     ("japan_defense_spending_gdp", 3.5, "demanded", "2025-02")),
    ("Trump threatened a 30% tariff on Japanese goods from August 1 if no deal is reached.",
     ("us_tariff_japan_reciprocal", 30.0, "threatened", "2025-08-01")),
    ("Under the deal agreed on Tuesday, cars from Japan will face a 15% tariff.",
     ("us_tariff_japan_autos", 15.0, "agreed", "2025-02-04")),
])
def test_the_default_model_reads_plain_sentences_as_the_rules_do(text, expected):
    document = Document(id="d", text=text, published="2025-02-06")
    for model in ("rules", "default"):
        found = {(o.indicator, o.value, o.status, o.when)
                 for o in Extractor(model=model).extract(document).observations}
        assert expected in found, (model, found)


@pytest.mark.parametrize("text, expected", [
    ("Prime Minister Ishiba met President Trump at the White House on February 7.",
     ("CONSULT", "2025-02-07")),
    ("Japan's trade envoy will fly to Washington next week to meet Commerce Secretary "
     "Lutnick.", ("CONSULT", "2025-02")),
])
def test_the_default_model_dates_plain_events_as_the_rules_do(text, expected):
    document = Document(id="d", text=text, published="2025-02-10")
    for model in ("rules", "default"):
        found = {(e.type, e.when) for e in Extractor(model=model).extract(document).events}
        assert expected in found, (model, found)


def test_the_trained_status_overrules_the_rules_only_by_a_margin():
    model = LinearModel(("actual", "demanded"), (0.0, 0.0), {"before=insisted": (-0.2, 0.2)})
    sentence = candidate("The envoy insisted on 3% within two years.", "3%", rule="actual")
    assert TrainedStatus(model, with_rules=False).predict([sentence])[0].status == "demanded"
    kept = TrainedStatus(model, with_rules=False, margin=0.3).predict([sentence])[0]
    assert (kept.status, kept.evidence.how) == ("actual", "default")


def test_rules_and_the_default_model_are_interchangeable_in_the_extractor():
    text = ("Japan's defence spending came to 1.4% of GDP in 2023, and the government "
            "aims to lift it to 2% of GDP by 2027.")
    document = Document(id="d", text=text, published="2025-02-01")
    for model in ("rules", "default"):
        found = {(o.value, o.status, o.when) for o in Extractor(model=model)
                 .extract(document).observations}
        assert found == {(1.4, "actual", "2023"), (2.0, "target", "2027")}, model


# --- training end to end -----------------------------------------------------------------------

_SENTENCES = [  # (sentence, status, when) for a report of March 2025
    ("Japan's defence spending came to {a}% of GDP last year.", "actual", "2024"),
    ("Washington urged Tokyo to raise defence spending to {a}% of GDP.", "demanded", "2025-03"),
    ("Japan aims to lift defence spending to {a}% of GDP by 2027.", "target", "2027"),
    ("Japan's military outlays stood at {a}% of GDP in 2024.", "actual", "2024"),
    ("U.S. officials pressed Japan to spend {a}% of GDP on defence.", "demanded", "2025-03"),
]


#: (sentence, gold event: type, source, target, quote; None: no event) where the trigger "met"
#: reads as a meeting to the rules, though meeting a demand is a concession and meeting a
#: deadline no act towards the other state at all.
_EVENTS = [
    ("Washington met Tokyo's demand for {thing}.",
     ("CONCEDE", "USA", "JPN", "met Tokyo's demand")),
    ("Japan met with U.S. negotiators to discuss {thing}.",
     ("CONSULT", "JPN", "USA", "met with U.S. negotiators")),
    ("The U.S. met Japan's request for {thing}.",
     ("CONCEDE", "USA", "JPN", "met Japan's request")),
    ("Japan met the U.S. deadline for {thing}.", None),
]
_THINGS = ["lower rice duties", "a quicker timetable", "new steel quotas", "a revised offer",
           "cheaper beef imports", "a larger fund", "shorter customs checks"]


def _fixture(folder: Path) -> tuple[Path, Path]:
    corpus, gold = [], []
    for n in range(10):
        text_parts, observations, events = [], [], []
        for k, (sentence, status, when) in enumerate(_SENTENCES):
            if (n + k) % 2:
                continue
            value = round(1.1 + 0.1 * ((n * 3 + k) % 20), 1)
            text_parts.append(sentence.format(a=value))
            observations.append({"indicator": "japan_defense_spending_gdp", "value": value,
                                 "unit": "percent_gdp", "status": status, "when": when,
                                 "quote": f"{value}% of GDP"})
        for k, (sentence, event) in enumerate(_EVENTS):
            if (n + k // 2) % 2:
                continue  # a document meets a deadline or meets with negotiators, not both
            text_parts.append(sentence.format(thing=_THINGS[(n + k) % len(_THINGS)]))
            if event is not None:
                kind, source, target, quote = event
                events.append({"type": kind, "source": source, "target": target,
                               "when": "2025-03", "quote": quote})
        doc_id = f"fixture-{n}"
        corpus.append({"doc_id": doc_id, "published": "2025-03-01",
                       "text": " ".join(text_parts)})
        gold.append({"doc_id": doc_id, "published": "2025-03-01",
                     "observations": observations, "events": events})
    corpus_file, gold_file = folder / "corpus.jsonl", folder / "gold.jsonl"
    corpus_file.write_text("".join(json.dumps(d) + "\n" for d in corpus), encoding="utf-8")
    gold_file.write_text("".join(json.dumps(d) + "\n" for d in gold), encoding="utf-8")
    return corpus_file, gold_file


def test_train_writes_a_model_that_extract_and_eval_use(tmp_path: Path):
    corpus, gold = _fixture(tmp_path)
    code, output = invoke("train", str(corpus), str(gold), "--out",
                          str(tmp_path / "model"), "--seed", "4", "--json")
    assert code == 0, output
    report = json.loads(output)
    assert report["documents"] == 10 and report["examples"]["status"] > 10
    assert report["examples"]["when"] > 10
    assert set(report["accuracy"]) == {"status", "when", "event_when", "event_type",
                                       "indicator", "pair", "factuality"}
    assert set(report["accuracy"]["when"]) == {"rules", "trained", "margin"}
    config = json.loads((tmp_path / "model" / "config.json").read_text(encoding="utf-8"))
    assert config["decisions"]["status"]["use"] == "trained"
    # the when decision ships trained only where it beat the rules on held-out documents,
    # each with the margin cross-validation chose
    when = report["accuracy"]["when"]
    assert config["decisions"]["when"]["use"] == (
        "trained" if when["trained"] > when["rules"] else "rules")
    assert config["decisions"]["status"]["margin"] == report["accuracy"]["status"]["margin"]
    assert config["meta"]["seed"] == 4 and len(config["meta"]["data_sha256"]) == 64
    weights = (tmp_path / "model" / "status.json").read_bytes()

    # the same data and seed give the same model, byte for byte
    code, _ = invoke("train", str(corpus), str(gold), "--out",
                     str(tmp_path / "again"), "--seed", "4", "--json")
    assert code == 0 and (tmp_path / "again" / "status.json").read_bytes() == weights

    code, output = invoke("eval", str(gold), "--corpus", str(corpus), "--model",
                          str(tmp_path / "model"), "--json")
    assert code == 0, output
    scores = json.loads(output)
    assert scores["observations.strict"]["f1"] > 0.9


def test_train_refuses_gold_that_matches_nothing(tmp_path: Path):
    corpus, _ = _fixture(tmp_path)
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"doc_id": "elsewhere", "observations": [], "events": []})
                     + "\n", encoding="utf-8")
    code, output = invoke("train", str(corpus), str(other), "--out",
                          str(tmp_path / "model"))
    assert code == 1 and "no training example" in " ".join(output.split())
    assert not (tmp_path / "model").exists()


def test_a_model_option_naming_no_model_is_an_error(tmp_path: Path):
    corpus, _ = _fixture(tmp_path)
    code, output = invoke("extract", str(corpus), "--out", str(tmp_path / "p.jsonl"),
                          "--model", str(tmp_path / "nowhere"))
    assert code == 1 and "no model directory" in " ".join(output.split())


def test_train_learns_the_event_type_the_trigger_lexicon_misreads(tmp_path: Path):
    corpus, gold = _fixture(tmp_path)
    code, output = invoke("train", str(corpus), str(gold), "--out", str(tmp_path / "model"),
                          "--json")
    assert code == 0, output
    report = json.loads(output)
    # every "met" the rules code is an example: four or five per document
    assert report["examples"]["event_type"] >= 20
    scores = report["accuracy"]["event_type"]
    assert scores["trained"] > scores["rules"] and report["shipped"]["event_type"] == "trained"
    assert "held_out_sets" not in scores  # one annotated set: nothing to hold out whole
    config = json.loads((tmp_path / "model" / "config.json").read_text(encoding="utf-8"))
    assert config["decisions"]["event_type"] == {
        "use": "trained", "weights": "event_type.json", "with_rules": False,
        "margin": scores["margin"]}

    text = ("Washington met Tokyo's demand for tighter export rules. Japan met the U.S. "
            "deadline for a fresh proposal.")
    document = Document(id="d", text=text, published="2025-03-01")
    coded = {m: {(e.type, e.source, e.target) for e in Extractor(model=m).extract(
        document).events} for m in ("rules", str(tmp_path / "model"))}
    assert coded["rules"] == {("CONSULT", "USA", "JPN")}  # one meeting, twice
    assert coded[str(tmp_path / "model")] == {("CONCEDE", "USA", "JPN")}


def test_train_on_two_sets_ships_the_event_type_only_if_it_beats_the_rules_on_each(
        tmp_path: Path):
    corpus, gold = _fixture(tmp_path)
    code, output = invoke("train", str(corpus), str(gold), "--also",
                          f"{corpus},{gold},us-japan", "--out", str(tmp_path / "model"),
                          "--json")
    assert code == 0, output
    report = json.loads(output)
    held_out = report["accuracy"]["event_type"]["held_out_sets"]
    assert set(held_out) == {"0:us-japan", "1:us-japan"}
    beaten = all(s["trained"] > s["rules"] for s in held_out.values()) and (
        report["accuracy"]["event_type"]["trained"] > report["accuracy"]["event_type"]["rules"])
    assert report["shipped"]["event_type"] == ("trained" if beaten else "rules")


def test_train_learns_to_drop_numbers_the_indicator_cues_misread(tmp_path: Path):
    odds = "Analysts put the odds of a tariff cut on Japanese cars at {v}%."
    real = ("The tariff on Japanese cars {verb} {v}% in {month}.",
            "Both sides agreed to set the tariff on Japanese cars at {v}% from {month}.")
    verbs, months = ("rose to", "stood at", "fell to", "reached"), ("April", "May", "June")
    corpus, gold = [], []
    for n in range(12):
        chance, rate = 20 + 3 * n, 10 + n
        text = " ".join([odds.format(v=chance), real[n % 2].format(
            verb=verbs[n % 4], v=rate, month=months[n % 3])])
        doc_id = f"odds-{n}"
        corpus.append({"doc_id": doc_id, "published": "2025-07-01", "text": text})
        gold.append({"doc_id": doc_id, "published": "2025-07-01", "events": [],
                     "observations": [{"indicator": "us_tariff_japan_autos", "value": rate,
                                       "unit": "percent",
                                       "status": ("actual", "agreed")[n % 2],
                                       "when": "2025", "quote": f"{rate}%"}]})
    corpus_file, gold_file = tmp_path / "corpus.jsonl", tmp_path / "gold.jsonl"
    corpus_file.write_text("".join(json.dumps(d) + "\n" for d in corpus), encoding="utf-8")
    gold_file.write_text("".join(json.dumps(d) + "\n" for d in gold), encoding="utf-8")
    code, output = invoke("train", str(corpus_file), str(gold_file), "--out",
                          str(tmp_path / "model"), "--json")
    assert code == 0, output
    report = json.loads(output)
    assert report["examples"]["indicator"] == 24  # every number of every document
    scores = report["accuracy"]["indicator"]
    assert scores["trained"] > scores["rules"] and report["shipped"]["indicator"] == "trained"

    text = "Analysts put the odds of a tariff cut on Japanese cars at 55%."
    document = Document(id="d", text=text, published="2025-07-01")
    found = {m: [o.value for o in Extractor(model=m).extract(document).observations]
             for m in ("rules", str(tmp_path / "model"))}
    assert found == {"rules": [55.0], str(tmp_path / "model"): []}


def test_train_ships_a_decision_trained_when_told_and_names_an_unknown_one(tmp_path: Path):
    corpus, gold = _fixture(tmp_path)
    code, output = invoke("train", str(corpus), str(gold), "--out", str(tmp_path / "model"),
                          "--ship-trained", "factuality", "--json")
    assert code == 0, output
    report = json.loads(output)
    scores = report["accuracy"]["factuality"]
    assert report["shipped"]["factuality"] == "trained"
    assert scores.get("forced", False) is (scores["trained"] <= scores["rules"])
    config = json.loads((tmp_path / "model" / "config.json").read_text(encoding="utf-8"))
    assert config["decisions"]["factuality"]["use"] == "trained"
    assert load_model(tmp_path / "model").factuality.name == "trained"
    # trained again into the same directory without it: its old weights go with it
    assert (tmp_path / "model" / "factuality.json").is_file()
    if not scores["trained"] > scores["rules"]:
        code, output = invoke("train", str(corpus), str(gold), "--out",
                              str(tmp_path / "model"))
        assert code == 0, output
        assert not (tmp_path / "model" / "factuality.json").exists()
        assert load_model(tmp_path / "model").factuality.name == "rules"
    # a decision whose examples all have one answer cannot be trained, forced or not
    code, output = invoke("train", str(corpus), str(gold), "--out", str(tmp_path / "pairs"),
                          "--ship-trained", "pair")
    assert code == 1 and "the pair decision cannot be trained" in " ".join(output.split())
    code, output = invoke("train", str(corpus), str(gold), "--out", str(tmp_path / "other"),
                          "--ship-trained", "colour")
    assert code == 2 and "no decision 'colour'" in " ".join(output.split())
    assert not (tmp_path / "other").exists()
