"""Bueno de Mesquita's expected-utility ("challenge") model, as reconstructed by Scholz,
Calbert & Smith (2011), "Unravelling Bueno de Mesquita's group decision model", Journal of
Theoretical Politics 23(4).

Each round, on one issue scale whose range is the dimension's bounds (high − low) when it has
them and the span of the input positions otherwise:

1. **Votes and probabilities.** Actor k gives c_k·s_k votes to whichever of two positions it
   prefers, in proportion to how much it prefers it: d_k(x) = (|x_k − x| / range)^r_k. The
   probability that i prevails over j is the votes for x_i over x_j divided by the votes cast
   in every pairwise contest among the actors' positions (the reconstruction's normalisation;
   it keeps probabilities small, so salience decides most contests).
2. **Risk attitudes.** With every r = 1, the danger of actor i is the sum of the expected
   utilities the others have of challenging it. With D_max and D_min the extremes over all
   actors, R_i = (2·D_i − D_max − D_min) / (D_max − D_min) and r_i = (1 − R_i/3)/(1 + R_i/3):
   the most exposed actor (R = 1) gets r = 1/2 and takes risks, the most secure (R = −1)
   r = 2 and avoids them.
3. **Expected utility of challenging**, seen by an actor p with p's risk exponent r:
   EU(i→j) = s_j·(P_ij·U_s + (1 − P_ij)·U_f) + (1 − s_j)·U_s − Q·U_sq − (1 − Q)·(T·U_b +
   (1 − T)·U_w), with U_s = 2 − 4(½ − ½δ)^r, U_f = 2 − 4(½ + ½δ)^r, U_sq = 2 − 4(½)^r,
   U_b and U_w the same with ¼(|x_i − μ| + |x_i − x_j|)/range in place of ½δ, δ =
   |x_i − x_j|/range and μ the median voter position at the start of the round. Q is the
   probability that the status quo persists if nobody challenges (``q``); T, the probability
   that things get better for i when it does not, is fixed at 1 as in the reconstruction.
4. **Offers.** Each actor i, with its own r, compares EU(i→j) and EU(j→i) for every other
   actor j at a different position: *confrontation* when EU(j→i) > EU(i→j) > 0 (i loses and
   takes x_j), *compromise* when EU(i→j) < 0 < EU(j→i) and |EU(i→j)| < EU(j→i) (i moves the
   fraction |EU(i→j)/EU(j→i)| of the way to x_j), *capitulation* when EU(i→j) < 0 < EU(j→i)
   and |EU(i→j)| ≥ EU(j→i) (i takes x_j).
5. **The move rule.** A confrontation beats a compromise, which beats a capitulation. Among
   confrontations and capitulations i takes the nearest position; among compromises the
   reconstruction takes the one whose EU-weighted meeting point (|EU(i→j)|·x_i + EU(j→i)·x_j)
   / (|EU(i→j)| + EU(j→i)) lies lowest on the scale. That last rule depends on the scale's
   direction; it is kept because it is what reproduces the reconstruction's published rounds.
   Remaining ties go to the actor listed first. Every actor moves at once.

The median voter position is the actor position that wins the most pairwise votes with
linear distances (c·s votes each); on one scale that is a weighted median, the lowest one
when two tie. The mean is the c·s-weighted mean.

A scenario with several dimensions is played one dimension at a time, each on its own
(``Scenario.on``); round k of the run holds every dimension's positions after its own round
k, a dimension that stopped earlier keeping its last positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bilateral.errors import ForecastError, ScenarioError
from bilateral.forecast.scenario import ModelRun, Round, Scenario, weighted_mean

T = 1.0  # probability that things get better for the challenger if the status quo goes

CONFRONTATION = "confrontation"
COMPROMISE = "compromise"
CAPITULATION = "capitulation"


@dataclass(frozen=True)
class _Offer:
    """What actor ``receiver`` is offered by ``challenger``, seen with the receiver's r."""

    challenger: int
    kind: str
    own_eu: float  # the receiver's expected utility of challenging the challenger
    challenger_eu: float  # the challenger's expected utility of challenging the receiver
    position: float  # where the receiver would move
    target: float  # the challenger's position


@dataclass(frozen=True)
class _Issue:
    """One dimension's fixed inputs."""

    names: tuple[str, ...]
    caps: tuple[float, ...]
    sals: tuple[float, ...]
    low: float
    high: float
    q: float

    @property
    def span(self) -> float:
        return self.high - self.low

    @property
    def votes(self) -> list[float]:
        return [c * s for c, s in zip(self.caps, self.sals, strict=True)]


def run_bdm(scenario: Scenario, *, rounds: int | None = None, q: float = 1.0,
            max_rounds: int = 100, tolerance: float = 1e-6) -> ModelRun:
    """Play the expected-utility model on every dimension of ``scenario``.

    ``rounds=N`` plays exactly N rounds; ``rounds=None`` plays until no position moves by more
    than ``tolerance`` × the scale's range between two rounds, or until the positions repeat
    an earlier round's (the model is deterministic, so from there it cycles for ever), at most
    ``max_rounds``. The forecast is the median voter position after the last round.

    ``details`` holds ``q``, ``t``, ``rounds_played``, ``stopped`` ("rounds", "converged",
    "cycle" or "max_rounds"), ``converged`` (whether the last round moved nobody by more than
    the tolerance) and, per dimension, its ``scale``, rounds played, ``cycle`` (the length of
    the cycle it stopped on, if it did) and per round the risk
    exponents r, the risk acceptances R, how many offers each actor received and the moves
    (``actor`` moved ``towards`` another by ``kind``, ``from`` → ``to``, with ``own_eu`` and
    ``challenger_eu`` the two expected utilities that decided it).
    """
    _check_arguments(rounds, q, max_rounds, tolerance)
    _check_saliences(scenario)
    played = [_play(scenario, d, rounds, q, max_rounds, tolerance)
              for d in range(len(scenario.dimensions))]
    count = max(len(p.history) for p in played) - 1
    names = scenario.names
    all_rounds = []
    for k in range(count + 1):
        positions = {
            name: tuple(p.history[min(k, len(p.history) - 1)][a] for p in played)
            for a, name in enumerate(names)}
        all_rounds.append(Round(
            number=k, positions=positions,
            median=tuple(p.medians[min(k, len(p.medians) - 1)] for p in played),
            mean=tuple(p.means[min(k, len(p.means) - 1)] for p in played)))
    if rounds is not None:
        stopped = "rounds"
    elif all(p.converged for p in played):
        stopped = "converged"
    elif all(p.converged or p.cycle for p in played):
        stopped = "cycle"
    else:
        stopped = "max_rounds"
    details: dict[str, object] = {
        "q": q,
        "t": T,
        "rounds_played": count,
        "stopped": stopped,
        "converged": all(p.converged for p in played),
        "dimensions": [p.details for p in played],
    }
    return ModelRun("bdm", scenario, tuple(all_rounds), all_rounds[-1].median, details)


def _check_arguments(rounds: int | None, q: float, max_rounds: int, tolerance: float) -> None:
    if rounds is not None and (isinstance(rounds, bool) or not isinstance(rounds, int)
                               or rounds < 0):
        raise ForecastError(f"bdm: rounds must be a whole number of rounds ≥ 0 or None "
                            f"(play until positions settle), not {rounds!r}")
    if isinstance(max_rounds, bool) or not isinstance(max_rounds, int) or max_rounds < 1:
        raise ForecastError(f"bdm: max_rounds must be a whole number ≥ 1, not {max_rounds!r}")
    if not isinstance(q, (int, float)) or not 0.0 <= q <= 1.0:
        raise ForecastError(f"bdm: q is the probability that the status quo persists and must "
                            f"be between 0 and 1, not {q!r}")
    if not isinstance(tolerance, (int, float)) or not tolerance >= 0.0:
        raise ForecastError(f"bdm: tolerance must be a number ≥ 0, not {tolerance!r}")


def _check_saliences(scenario: Scenario) -> None:
    """The model reads a salience as the probability that an actor resists a challenge."""
    for actor in scenario.actors:
        for d, sal in enumerate(actor.saliences):
            if sal > 1.0:
                row = scenario.rows.get(actor.name)
                at = f"{scenario.source}, row {row}" if row is not None else scenario.source
                raise ScenarioError(
                    f"{at}, field salience ({scenario.dimensions[d].name}): {sal:g} for "
                    f"{actor.name!r} is above 1; the expected-utility model reads salience "
                    f"as a probability, so rescale the saliences to 0–1")


@dataclass
class _Played:
    history: list[list[float]]
    medians: list[float]
    means: list[float]
    converged: bool
    details: dict[str, object]
    cycle: int | None = None


def _play(scenario: Scenario, d: int, rounds: int | None, q: float, max_rounds: int,
          tolerance: float) -> _Played:
    one = scenario.on(d)
    dim = one.dimensions[0]
    xs = [float(a.positions[0]) for a in one.actors]
    low = float(dim.low) if dim.low is not None else min(xs)
    high = float(dim.high) if dim.high is not None else max(xs)
    issue = _Issue(one.names, tuple(a.capability for a in one.actors),
                   tuple(a.saliences[0] for a in one.actors), low, high, q)
    votes = issue.votes
    history = [list(xs)]
    medians = [median_voter(xs, votes)]
    means = [weighted_mean(xs, votes)]
    log: list[dict[str, object]] = []
    limit = rounds if rounds is not None else max_rounds
    converged = False
    cycle: int | None = None
    for k in range(1, limit + 1):
        new, detail = _round(issue, history[-1], medians[-1])
        detail = {"round": k, **detail}
        moved = max(abs(a - b) for a, b in zip(new, history[-1], strict=True))
        history.append(new)
        medians.append(median_voter(new, votes))
        means.append(weighted_mean(new, votes))
        log.append(detail)
        converged = moved <= tolerance * issue.span
        if rounds is None and converged:
            break
        if rounds is None:  # a round depends on the positions alone: a state seen before
            cycle = _repeats(history, tolerance * issue.span)  # comes round again for ever
            if cycle:
                break
    details: dict[str, object] = {
        "dimension": dim.name,
        "scale": [low, high],
        "rounds_played": len(history) - 1,
        "converged": converged,
        "cycle": cycle,
        "rounds": log,
    }
    return _Played(history, medians, means, converged, details, cycle)


def _repeats(history: list[list[float]], tolerance: float) -> int | None:
    """How many rounds ago the latest positions were last seen (the cycle's length), if
    ever: none of the earlier states but the one just before (that is convergence)."""
    latest = history[-1]
    for back in range(2, len(history)):
        earlier = history[-1 - back]
        if max(abs(a - b) for a, b in zip(latest, earlier, strict=True)) <= tolerance:
            return back
    return None


def median_voter(positions: Sequence[float], votes: Sequence[float]) -> float:
    """The actor position that wins the most pairwise contests, each actor voting c·s for the
    nearer of two positions in proportion to how much nearer it is; the lowest on a tie.
    With no votes at all, every actor counts once."""
    if sum(votes) <= 0:
        votes = [1.0] * len(positions)
    candidates = sorted(set(positions))
    # The votes for x over y are F(y) − F(x), F the weighted distance to x, so the winner of
    # the most votes against all the others is the candidate with the smallest F.
    loss = [sum(w * abs(p - x) for p, w in zip(positions, votes, strict=True))
            for x in candidates]
    best = min(loss)
    slack = 1e-12 * max(1.0, abs(best))
    return next(x for x, f in zip(candidates, loss, strict=True) if f <= best + slack)


def _round(issue: _Issue, xs: list[float], mu: float) -> tuple[list[float], dict[str, object]]:
    """One round: risk attitudes, the offers each actor receives, the moves they make."""
    n = len(xs)
    if issue.span <= 0:
        return list(xs), {"risk": {name: 1.0 for name in issue.names},
                          "risk_acceptance": {name: 0.0 for name in issue.names},
                          "offers_received": {name: 0 for name in issue.names}, "moves": []}
    neutral = [1.0] * n
    prob = _probabilities(issue, xs, neutral)
    danger = [sum(_eu(issue, xs, prob, j, i, 1.0, mu) for j in range(n) if j != i)
              for i in range(n)]
    top, bottom = max(danger), min(danger)
    accept = [(2 * dg - top - bottom) / (top - bottom) if top > bottom else 0.0
              for dg in danger]
    risk = [(1 - a / 3) / (1 + a / 3) for a in accept]

    prob = _probabilities(issue, xs, risk)
    offers = [_offers(issue, xs, prob, i, risk[i], mu) for i in range(n)]
    new = list(xs)
    moves: list[dict[str, object]] = []
    for i, received in enumerate(offers):
        chosen = _choose(xs[i], received)
        if chosen is None:
            continue
        new[i] = min(max(chosen.position, issue.low), issue.high)
        moves.append({
            "actor": issue.names[i],
            "towards": issue.names[chosen.challenger],
            "kind": chosen.kind,
            "from": xs[i],
            "to": new[i],
            "own_eu": chosen.own_eu,
            "challenger_eu": chosen.challenger_eu,
        })
    return new, {
        "risk": dict(zip(issue.names, risk, strict=True)),
        "risk_acceptance": dict(zip(issue.names, accept, strict=True)),
        "offers_received": {name: len(o) for name, o in zip(issue.names, offers, strict=True)},
        "moves": moves,
    }


def _probabilities(issue: _Issue, xs: list[float], risk: list[float]) -> list[list[float]]:
    """P[i][j], the probability that i's position prevails over j's (0 on the diagonal and
    between actors at the same position)."""
    n = len(xs)
    span = issue.span
    votes = issue.votes
    # dist[k][a]: how far actor a's position is from voter k, in k's risk-bent utility.
    dist = [[(abs(xs[k] - xs[a]) / span) ** risk[k] for a in range(n)] for k in range(n)]
    total = 0.0
    for k in range(n):
        if votes[k] == 0:
            continue
        row = dist[k]
        total += votes[k] * sum(abs(db - da) for da in row for db in row)
    prob = [[0.0] * n for _ in range(n)]
    if total <= 0:
        return prob
    for i in range(n):
        for j in range(n):
            if xs[i] == xs[j]:
                continue
            prob[i][j] = sum(votes[k] * max(0.0, dist[k][j] - dist[k][i])
                             for k in range(n)) / total
    return prob


def _eu(issue: _Issue, xs: list[float], prob: list[list[float]], i: int, j: int, r: float,
        mu: float) -> float:
    """The expected utility of i challenging j, seen by an actor with risk exponent r."""
    span = issue.span
    gap = abs(xs[i] - xs[j]) / span
    spread = (abs(xs[i] - mu) + abs(xs[i] - xs[j])) / span

    def u(base: float) -> float:
        return 2 - 4 * max(base, 0.0) ** r

    success, failure, status_quo = u(0.5 - 0.5 * gap), u(0.5 + 0.5 * gap), u(0.5)
    p, s = prob[i][j], issue.sals[j]
    value = s * (p * success + (1 - p) * failure) + (1 - s) * success
    value -= issue.q * status_quo
    if issue.q < 1.0:
        better, worse = u(0.5 - 0.25 * spread), u(0.5 + 0.25 * spread)
        value -= (1 - issue.q) * (T * better + (1 - T) * worse)
    return value


def _offers(issue: _Issue, xs: list[float], prob: list[list[float]], i: int, r: float,
            mu: float) -> list[_Offer]:
    """The offers actor i receives, judged with its own risk exponent."""
    received = []
    for j in range(len(xs)):
        if j == i or xs[j] == xs[i]:
            continue
        own = _eu(issue, xs, prob, i, j, r, mu)
        theirs = _eu(issue, xs, prob, j, i, r, mu)
        if theirs > own > 0:
            received.append(_Offer(j, CONFRONTATION, own, theirs, xs[j], xs[j]))
        elif own < 0 < theirs:
            if -own < theirs:
                position = xs[i] + (xs[j] - xs[i]) * (-own / theirs)
                received.append(_Offer(j, COMPROMISE, own, theirs, position, xs[j]))
            else:
                received.append(_Offer(j, CAPITULATION, own, theirs, xs[j], xs[j]))
    return received


def _choose(x: float, received: list[_Offer]) -> _Offer | None:
    """The offer an actor at x accepts (see the module docstring for the rule)."""
    for kind in (CONFRONTATION, COMPROMISE, CAPITULATION):
        of_kind = [o for o in received if o.kind == kind]
        if not of_kind:
            continue
        if kind == COMPROMISE:
            return min(of_kind, key=lambda o: _meeting_point(x, o))
        return min(of_kind, key=lambda o: abs(x - o.position))
    return None


def _meeting_point(x: float, offer: _Offer) -> float:
    """Where x and the challenger's position meet when each is weighted by the size of its
    side's expected utility."""
    own, theirs = abs(offer.own_eu), abs(offer.challenger_eu)
    return (own * x + theirs * offer.target) / (own + theirs)
