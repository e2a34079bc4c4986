"""The Spatial Model of Politics (SMP) of KTAB, the KAPSARC Toolkit for Behavioral Analysis.

Actors hold positions in a space of one or more dimensions and bargain, turn after turn, until
their moves die down. This module follows KTAB's ``smpc`` run on a CSV file, whose parameters are
the defaults here (KTAB's names in brackets):

1. **Utilities.** Actor *i* values actor *j*'s position by the distance between them, each
   dimension weighted by *i*'s salience (the root of Σ(sₖdₖ)² / Σsₖ²), curved by a risk attitude
   *r*: u = (1 − d)(1 + d·r). Risk attitudes come from how likely each position is to win when
   everyone is risk-neutral: −1/2 for the least likely, +1 for the most [BigRRange Mid]; actor *h*
   takes *i*'s to be (2rₕ + rᵢ)/3 [BigRAdjust OneThird].
2. **Win probabilities.** Every actor votes between two options with its capability times its
   difference in utility [VotingRule Proportional]; a coalition's strength is the sum of its
   votes, *i* beats *j* with probability Cᵢⱼ/(Cᵢⱼ + Cⱼᵢ) [VictoryProbModel Linear], and an
   option's probability is that of beating every other, normalised [PCEModel Conditional].
3. **Challenges.** Each actor estimates, for every other, the expected gain of challenging it:
   the two principals vote with capability × total salience, third parties join the side whose
   little three-actor contest they prefer [ThirdPartyCommit SemiCommit], and the target gives in
   at once with probability one minus its total salience. Each actor proposes a bargain to the
   actor of largest expected gain (if any gain is above 10⁻⁵): on each dimension the two
   positions averaged with weights salience² × probability² [InterVecBrgn S2P2], rounded to 10⁻⁴
   of the scale; both parties get the initiator's proposal [BargnModel InitOnlyInterp].
4. **Resolution.** Each actor weighs its status quo and the bargains it is part of by the mean
   utility of the state each would lead to, all actors vote over them as in step 2, and the most
   likely is adopted [StateTransitions Deterministic].
5. **Stopping.** After at least two turns, when a turn moves the actors (the sum of their
   Euclidean moves) by less than 2% of what the first turn moved them; at most 100 turns.

KTAB defines no forecast point: the forecast is the capability × salience-weighted mean of the
final positions. ``details`` carries, for every round, each position's probability of winning as
KTAB prints it (the probability of the actor's position among the distinct positions, every
actor valuing positions with its own risk attitude) and the risk attitudes; for every turn
(``bargains[t]``, ``choices[t]`` lead from round t to round t + 1) the bargains proposed and the
one each actor took.

The options ``voting_rule``, ``pce`` and ``transitions`` give KTAB's alternatives (the XML
example's PropCbc, MarkovIncentive and Stochastic among them); stochastic transitions draw from
Python's generator seeded with ``seed``, so they do not repeat KTAB's own random runs.

KTAB works on [0, 1]: positions are rescaled from each dimension's bounds (the span of the
actors' positions where a bound is unknown) and saliences read as percentages when any is above
1 (KTAB's CSV scale), as fractions otherwise; each actor's total must be at most 1. Where KTAB
would divide by zero (every position equally likely to win, an actor with no salience, no
capability), the model takes the neutral value: risk-neutral, indifferent, no vote.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bilateral.errors import ForecastError, ScenarioError
from bilateral.forecast.scenario import ModelRun, Round, Scenario, make_round

VOTING_RULES = ("binary", "prop_bin", "proportional", "prop_cubic", "cubic", "asym_prospect")
PCE_MODELS = ("conditional", "markov_incentive", "markov_uniform")
TRANSITIONS = ("deterministic", "stochastic")

MIN_TURNS = 2  # the stopping rule looks at no run shorter than this
STOP_RATIO = 0.02  # a turn moving the actors less than this share of the first turn's move ends
MIN_FIRST_MOVE = 1e-4  # added to the first turn's move so that a still first turn divides
MIN_GAIN = 1e-5  # the smallest expected gain worth a challenge
POSITION_TOLERANCE = 1e-3  # positions closer than this (on [0, 1]) are one position

Matrix = list[list[float]]
Vote = Callable[[float, float, float], float]


def run_smp(scenario: Scenario, *, turns: int | None = None, seed: int | None = None,
            max_turns: int = 100, voting_rule: str = "proportional",
            pce: str = "conditional", transitions: str = "deterministic",
            salience_scale: float | None = None) -> ModelRun:
    """Play KTAB's Spatial Model of Politics on a scenario.

    ``turns`` plays exactly that many turns; ``None`` stops by KTAB's rule, after at most
    ``max_turns``. The defaults are KTAB's for a CSV run, which is deterministic: ``seed`` is
    used only with ``transitions="stochastic"`` (each actor draws its bargain by probability
    instead of taking the likeliest). ``salience_scale`` divides the saliences (default: 100
    when any salience is above 1, else 1).
    """
    if voting_rule not in VOTING_RULES:
        raise ForecastError(f"smp: unknown voting rule {voting_rule!r}; use one of "
                            f"{', '.join(VOTING_RULES)}")
    if pce not in PCE_MODELS:
        raise ForecastError(f"smp: unknown PCE model {pce!r}; use one of {', '.join(PCE_MODELS)}")
    if transitions not in TRANSITIONS:
        raise ForecastError(f"smp: unknown state transitions {transitions!r}; use one of "
                            f"{', '.join(TRANSITIONS)}")
    if turns is not None and turns < 0:
        raise ForecastError(f"smp: turns must be 0 or more, not {turns}")
    if max_turns < 1:
        raise ForecastError(f"smp: max_turns must be 1 or more, not {max_turns}")

    model = _Model.of(scenario, _VOTES[voting_rule], pce, salience_scale)
    rng = random.Random(seed)
    history = [model.initial_positions()]
    assessed = [model.assess(history[0])]
    bargains: list[list[dict[str, object]]] = []
    choices: list[list[dict[str, object]]] = []
    ratios: list[float] = []
    limit = max_turns if turns is None else turns
    while len(history) - 1 < limit:
        proposed, chosen, positions = model.turn(assessed[-1], transitions == "stochastic", rng)
        history.append(positions)
        assessed.append(model.assess(positions))
        bargains.append(proposed)
        choices.append(chosen)
        first = _moved(history[0], history[1]) + MIN_FIRST_MOVE
        ratios.append(_moved(history[-2], history[-1]) / first)
        if turns is None and len(history) - 1 >= MIN_TURNS and ratios[-1] < STOP_RATIO:
            stopped = "rule"
            break
    else:
        stopped = "turns" if turns is not None else "max_turns"

    rounds = tuple(model.round(t, positions) for t, positions in enumerate(history))
    names = scenario.names
    details: dict[str, object] = {
        "parameters": {
            "VictoryProbModel": "Linear", "PCEModel": pce, "StateTransitions": transitions,
            "VotingRule": voting_rule, "BigRAdjust": "OneThird", "BigRRange": "Mid",
            "ThirdPartyCommit": "SemiCommit", "InterVecBrgn": "S2P2",
            "BargnModel": "InitOnlyInterp", "seed": seed,
        },
        "turns": len(history) - 1,
        "stopped_by": stopped,
        "change_ratios": ratios,
        "win_probabilities": [dict(zip(names, model.win_probabilities(a), strict=True))
                              for a in assessed],
        "risk_attitudes": [dict(zip(names, a.risk, strict=True)) for a in assessed],
        "bargains": bargains,
        "choices": choices,
        "scales": [list(s) for s in model.scales],
        "salience_scale": model.salience_scale,
    }
    return ModelRun("smp", scenario, rounds, rounds[-1].mean, details)


# ------------------------------------------------------------------------------------------
# Votes, coalitions and the probabilities of options


def _vote_binary(w: float, u1: float, u2: float) -> float:
    return w * max(-1.0, min(1.0, (u1 - u2) / 1e-8)) if w > 0 else 0.0


def _vote_prop_bin(w: float, u1: float, u2: float) -> float:
    du = u1 - u2
    binary = max(-1.0, min(1.0, du / 1e-8))
    return w * ((1 - 0.2) * du + 0.2 * binary) if w > 0 else 0.0


def _vote_proportional(w: float, u1: float, u2: float) -> float:
    return w * (u1 - u2) if w > 0 else 0.0


def _vote_prop_cubic(w: float, u1: float, u2: float) -> float:
    du = u1 - u2
    return w * ((1 - 0.5) * du + 0.5 * (du * du * du)) if w > 0 else 0.0


def _vote_cubic(w: float, u1: float, u2: float) -> float:
    du = u1 - u2
    return w * (du * du * du) if w > 0 else 0.0


def _vote_asym_prospect(w: float, u1: float, u2: float) -> float:
    """Losses count in full, gains at two thirds."""
    du = u1 - u2
    if w <= 0 or du == 0:
        return 0.0
    return w * du if du < 0 else (2.0 * w * du) / 3.0


_VOTES: dict[str, Vote] = {
    "binary": _vote_binary, "prop_bin": _vote_prop_bin, "proportional": _vote_proportional,
    "prop_cubic": _vote_prop_cubic, "cubic": _vote_cubic, "asym_prospect": _vote_asym_prospect,
}


def _coalitions(vote: Vote, weights: Sequence[float], utils: Matrix, n_options: int) -> Matrix:
    """C[i][j]: the votes for option i against option j (never quite 0, so no 0/0)."""
    floor = 1e-8
    c = [[floor] * n_options for _ in range(n_options)]
    for i in range(n_options):
        for j in range(i):
            cij = cji = floor
            for k, w in enumerate(weights):
                v = vote(w, utils[k][i], utils[k][j])
                if v > 0:
                    cij = cij + v
                elif v < 0:
                    cji = cji - v
            c[i][j] = cij
            c[j][i] = cji
    return c


def _victory(c: Matrix) -> Matrix:
    """P[i][j]: the probability option i beats option j, Cᵢⱼ/(Cᵢⱼ + Cⱼᵢ)."""
    n = len(c)
    p = [[0.5] * n for _ in range(n)]
    for i in range(n):
        for j in range(i):
            total = c[i][j] + c[j][i]
            p[i][j] = c[i][j] / total
            p[j][i] = c[j][i] / total
    return p


def _conditional(pv: Matrix) -> list[float]:
    """The probability each option beats all the others, given that one does."""
    products = []
    for row in pv:
        x = 1.0
        for pij in row:
            x = x * pij
        products.append(x)
    total = sum(products)
    if total <= 0:
        return [1.0 / len(pv)] * len(pv)
    return [x / total for x in products]


def _markov_incentive(c: Matrix, pv: Matrix) -> list[float]:
    """The stationary distribution of a contest where an option is challenged in proportion to
    the support and odds of its challengers."""
    n = len(c)
    incentive = [[c[i][j] * pv[i][j] + (1e-10 if i == j else 0.0) for j in range(n)]
                 for i in range(n)]
    totals = [sum(incentive[k][j] for k in range(n)) for j in range(n)]
    challenge = [[incentive[i][j] / totals[j] for j in range(n)] for i in range(n)]
    p = [1.0 / n] * n
    return _iterate(p, lambda p: [
        sum(pv[i][j] * (p[i] * challenge[j][i] + p[j] * challenge[i][j]) for j in range(n))
        for i in range(n)], 1e-8)


def _markov_uniform(pv: Matrix) -> list[float]:
    """The stationary distribution of a contest where every option challenges equally often."""
    n = len(pv)
    p = [1.0 / n] * n
    return _iterate(p, lambda p: [sum(pv[i][j] * (p[i] + p[j]) for j in range(n)) / n
                                  for i in range(n)], 1e-6)


def _iterate(p: list[float], step: Callable[[list[float]], list[float]],
             tolerance: float) -> list[float]:
    for _ in range(1000):
        q = step(p)
        change = max(abs(a - b) for a, b in zip(q, p, strict=True))
        p = [(a + b) / 2.0 for a, b in zip(p, q, strict=True)]
        if change <= tolerance:
            return p
    raise ForecastError("smp: the Markov probabilities of the options did not settle in 1000 "
                        "iterations; use pce='conditional'")


def _options(pce: str, c: Matrix) -> list[float]:
    pv = _victory(c)
    if pce == "conditional":
        return _conditional(pv)
    if pce == "markov_incentive":
        return _markov_incentive(c, pv)
    return _markov_uniform(pv)


def _risk_attitudes(p: Sequence[float]) -> list[float]:
    """−1/2 for the least likely position, +1 for the likeliest, linear between (risk-neutral
    when all are equally likely)."""
    low, high = min(p), max(p)
    if high <= low:
        return [0.0] * len(p)
    return [(3 * x - (high + 2 * low)) / (2 * (high - low)) for x in p]


def _distance(a: Sequence[float], b: Sequence[float], sal: Sequence[float]) -> float:
    """Salience-weighted distance on [0, 1]; 0 for an actor with no salience at all."""
    ds2 = ss2 = 0.0
    for x, y, s in zip(a, b, sal, strict=True):
        ds = (x - y) * s
        ds2 = ds2 + ds * ds
        ss2 = ss2 + s * s
    return math.sqrt(ds2 / ss2) if ss2 > 0 else 0.0


def _utility(d: float, r: float) -> float:
    """Closer is better, curved by risk attitude r (−1/2 risk-seeking ... +1 risk-averse)."""
    return (1 - d) * (1 + d * r) if d <= 1 else (1 - d) * (1 + r)


def _round4(x: float) -> float:
    return int(0.5 + x * 10000.0) / 10000.0


def _moved(a: Sequence[Sequence[float]], b: Sequence[Sequence[float]]) -> float:
    """The sum over actors of the Euclidean distance each moved."""
    return sum(math.sqrt(sum((x - y) * (x - y) for x, y in zip(pa, pb, strict=True)))
               for pa, pb in zip(a, b, strict=True))


# ------------------------------------------------------------------------------------------
# The model


@dataclass(frozen=True)
class _State:
    """One turn's positions (on [0, 1]) with what every actor makes of them."""

    positions: list[list[float]]
    risk: list[float]
    util: list[Matrix]  # util[h][i][j]: h's estimate of i's utility for j's position


@dataclass(frozen=True)
class _Bargain:
    initiator: int
    receiver: int
    initiator_position: list[float]
    receiver_position: list[float]


@dataclass(frozen=True)
class _Model:
    scenario: Scenario
    vote: Vote
    pce: str
    scales: tuple[tuple[float, float], ...]
    salience_scale: float
    capability: list[float]
    salience: list[list[float]]  # on KTAB's scale, each actor's total at most 1
    total_salience: list[float]

    @classmethod
    def of(cls, scenario: Scenario, vote: Vote, pce: str,
           salience_scale: float | None) -> _Model:
        totals = [sum(a.saliences) for a in scenario.actors]
        if salience_scale is None:
            salience_scale = 100.0 if max(max(a.saliences) for a in scenario.actors) > 1 else 1.0
        elif not salience_scale > 0:
            raise ForecastError(f"smp: salience_scale must be above 0, not {salience_scale}")
        for actor, total in zip(scenario.actors, totals, strict=True):
            if total / salience_scale > 1.0 + 1e-9:
                at = (f"{scenario.source}, row {scenario.rows[actor.name]}"
                      if actor.name in scenario.rows else scenario.source)
                raise ScenarioError(
                    f"{at}, field salience: {actor.name!r}'s saliences add up to {total:g}, "
                    f"above {salience_scale:g}; the SMP needs each actor's attention to add up "
                    f"to at most 100% (pass salience_scale to divide the saliences by more)")
        scales = []
        for d, dim in enumerate(scenario.dimensions):
            xs = [a.positions[d] for a in scenario.actors]
            low = dim.low if dim.low is not None else min(xs)
            high = dim.high if dim.high is not None else max(xs)
            scales.append((low, high) if high > low else (low, low + 1.0))
        return cls(scenario, vote, pce, tuple(scales), salience_scale,
                   [a.capability for a in scenario.actors],
                   [[s / salience_scale for s in a.saliences] for a in scenario.actors],
                   [sum(s / salience_scale for s in a.saliences) for a in scenario.actors])

    @property
    def n(self) -> int:
        return len(self.capability)

    def initial_positions(self) -> list[list[float]]:
        return [[(x - lo) / (hi - lo) for x, (lo, hi) in zip(a.positions, self.scales,
                                                              strict=True)]
                for a in self.scenario.actors]

    def round(self, number: int, positions: list[list[float]]) -> Round:
        return make_round(self.scenario, number, {
            name: [lo + x * (hi - lo) for x, (lo, hi) in zip(p, self.scales, strict=True)]
            for name, p in zip(self.scenario.names, positions, strict=True)})

    def assess(self, positions: list[list[float]]) -> _State:
        """Distances, risk attitudes inferred from risk-neutral win probabilities, and every
        actor's estimate of every actor's utilities."""
        n = self.n
        diff = [[_distance(positions[i], positions[j], self.salience[i]) for j in range(n)]
                for i in range(n)]
        neutral = [[_utility(d, 0.0) for d in row] for row in diff]
        c = _coalitions(self.vote, self.capability, neutral, n)
        risk = _risk_attitudes(_options(self.pce, c))
        util = [[[_utility(d, ((2.0 * risk[h]) + risk[i]) / 3.0) for d in diff[i]]
                 for i in range(n)] for h in range(n)]
        return _State(positions, risk, util)

    def challenge(self, s: _State, h: int, k: int, i: int, j: int) -> tuple[float, float]:
        """h's estimate of the probability that i beats j, and of what i challenging j gains
        k over the status quo."""
        u = s.util[h]
        vote = self.vote
        eu_sq = u[k][i] + u[k][j]
        eu_win = u[k][i] + u[k][i]
        eu_lose = u[k][j] + u[k][j]
        sj = self.total_salience[j]
        for_i = for_j = 1e-10
        for v in (vote(self.total_salience[i] * self.capability[i], u[i][i], u[i][j]),
                  vote(sj * self.capability[j], u[j][i], u[j][j])):
            if v > 0:
                for_i = for_i + v
            elif v < 0:
                for_j = for_j - v
        base_i, base_j = for_i, for_j
        for n in range(self.n):
            if n in (i, j):
                continue
            w = self.total_salience[n] * self.capability[n]
            uni, unj, unn = u[n][i], u[n][j], u[n][n]
            # the little contest of i, j and n alone decides the odds n expects
            own = vote(w, uni, unj)
            ci = base_i + own if own > 0 else base_i
            cj = base_j - own if own < 0 else base_j
            pin = ci / (ci + cj)
            pjn = 1.0 - pin
            # joining i, n keeps its own position if i wins; j winning takes everything
            with_i = pin * (uni + uni + unn) + pjn * (unj + unj + unj)
            with_j = pin * (uni + uni + uni) + pjn * (unj + unj + unn)
            v = vote(w, with_i, with_j)
            if v > 0:
                for_i = for_i + v
            elif v < 0:
                for_j = for_j - v
        p_i = for_i / (for_i + for_j)
        p_j = for_j / (for_i + for_j)
        contest = p_i * eu_win + p_j * eu_lose
        expected = (1 - sj) * eu_win + sj * contest
        return p_i, expected - eu_sq

    def propose(self, s: _State, i: int) -> tuple[_Bargain, float, float] | None:
        """i's bargain with the actor whose challenge gains it most, if any gains."""
        best, best_p, best_gain = -1, 0.0, -1.0
        for j in range(self.n):
            if j == i:
                continue
            p, gain = self.challenge(s, i, i, i, j)
            if gain > MIN_GAIN and gain > best_gain:
                best, best_p, best_gain = j, p, gain
        if best < 0:
            return None
        pos_i, pos_j = s.positions[i], s.positions[best]
        bi, bj = [], []
        w_p_i, w_p_j = best_p ** 2, (1 - best_p) ** 2
        for tik, sik, tjk, sjk in zip(pos_i, self.salience[i], pos_j, self.salience[best],
                                      strict=True):
            wik = (sik ** 2) * w_p_i
            wjk = (sjk ** 2) * w_p_j
            # the 1e-6 keeps each party at its own position when neither weighs anything
            bi.append(_round4(((wik + 1e-6) * tik + wjk * tjk) / (wik + 1e-6 + wjk)))
            bj.append(_round4((wik * tik + (1e-6 + wjk) * tjk) / (wik + 1e-6 + wjk)))
        return _Bargain(i, best, bi, bj), best_p, best_gain

    def state_utility(self, s: _State, a: int, b: _Bargain | None, k: int) -> float:
        """a's mean utility over all positions once bargain b (None: k's status quo) is done."""
        own = s.util[a][a]
        total = 0.0
        if b is None:
            for x in own:
                total = total + x
        else:
            r = s.risk[a]
            total = total + _utility(
                _distance(s.positions[a], b.initiator_position, self.salience[a]), r)
            total = total + _utility(
                _distance(s.positions[a], b.receiver_position, self.salience[a]), r)
            for n, x in enumerate(own):
                if n != b.initiator and n != b.receiver:
                    total = total + x
        return total / self.n

    def turn(self, s: _State, stochastic: bool, rng: random.Random
             ) -> tuple[list[dict[str, object]], list[dict[str, object]], list[list[float]]]:
        """One round of proposals and their resolution: the bargains, each actor's choice and
        the new positions."""
        names = self.scenario.names
        options: list[list[_Bargain | None]] = [[] for _ in range(self.n)]
        proposed: list[dict[str, object]] = []
        for i in range(self.n):
            options[i].append(None)
            offer = self.propose(s, i)
            if offer is None:
                continue
            b, p, gain = offer
            options[i].append(b)
            options[b.receiver].append(b)
            proposed.append({
                "initiator": names[i], "target": names[b.receiver], "probability": p,
                "expected_gain": gain,
                "initiator_position": self._scaled(b.initiator_position),
                "target_position": self._scaled(b.receiver_position)})
        chosen: list[dict[str, object]] = []
        positions = []
        for k in range(self.n):
            utils = [[self.state_utility(s, a, b, k) for b in options[k]] for a in range(self.n)]
            c = _coalitions(self.vote, self.capability, utils, len(options[k]))
            p = _options(self.pce, c)
            m = _draw(p, rng) if stochastic else max(range(len(p)), key=lambda x: (p[x], -x))
            b = options[k][m]
            if b is None:
                positions.append(list(s.positions[k]))
            else:
                positions.append(list(b.initiator_position if b.initiator == k
                                      else b.receiver_position))
            chosen.append({
                "actor": names[k], "options": len(p), "probability": p[m],
                "took": "status quo" if b is None
                else f"{names[b.initiator]} -> {names[b.receiver]}"})
        return proposed, chosen, positions

    def win_probabilities(self, s: _State) -> list[float]:
        """The probability of each actor's position among the distinct positions, each actor
        valuing them with its own risk attitude and voting in proportion (as KTAB prints it)."""
        unique: list[int] = []
        for i, pos in enumerate(s.positions):
            if not any(_same(pos, s.positions[u]) for u in unique):
                unique.append(i)
        utils = [[s.util[i][i][u] for u in unique] for i in range(self.n)]
        c = _coalitions(_vote_proportional, self.capability, utils, len(unique))
        p = _options(self.pce, c)
        out = []
        for pos in s.positions:
            match = [m for m, u in enumerate(unique) if _same(pos, s.positions[u])]
            out.append(p[match[-1]])
        return out

    def _scaled(self, position: Sequence[float]) -> list[float]:
        return [lo + x * (hi - lo) for x, (lo, hi) in zip(position, self.scales, strict=True)]


def _same(a: Sequence[float], b: Sequence[float]) -> bool:
    return math.sqrt(sum((x - y) * (x - y) for x, y in zip(a, b, strict=True))
                     ) < POSITION_TOLERANCE


def _draw(p: Sequence[float], rng: random.Random) -> int:
    x = rng.random() * sum(p)
    for m, pm in enumerate(p):
        x -= pm
        if x < 0:
            return m
    return len(p) - 1
