"""A dossier's negotiation, seeded from the store: who holds which position, and why.

Each bargainer's position is the value of the latest observation of the issue's indicator,
with one of the issue's position statuses, that the reporting attributes to it, published
before the as-of date. A report is a bargainer's when its sentence names one of the
bargainer's speakers (dossier actors); a report naming no speaker of any bargainer goes to the
voice of the state the issue's ``unattributed`` map gives for its status. A bargainer with no
such report keeps the dossier's fallback position and its cited source. Every input position
carries the quote or report it came from.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from bilateral.analyse.periods import last_day
from bilateral.errors import ForecastError
from bilateral.forecast.models import Forecast, forecast
from bilateral.forecast.montecarlo import Spread
from bilateral.forecast.scenario import Actor, Dimension, Scenario

if TYPE_CHECKING:
    from bilateral.dossier import Dossier
    from bilateral.dossier.negotiations import Bargainer, Negotiation, Report
    from bilateral.store import Store


#: Days of reporting, back from the latest, whose "actual" values vote on the status quo.
STATUS_QUO_WINDOW = 90
#: Documents that must report a value in force before it replaces the dossier's status quo.
STATUS_QUO_SOURCES = 2


@dataclass(frozen=True)
class Evidence:
    """Where an input value came from: a stored quote, or a report the dossier cites."""

    kind: str  # "store" or "dossier"
    date: str | None
    value: float  # on the issue's scale
    status: str | None = None
    quote: str | None = None
    doc_id: str | None = None
    start: int | None = None
    end: int | None = None
    outlet: str | None = None
    title: str | None = None
    url: str | None = None
    summary: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class IssueInputs:
    """Everything a forecast of one issue starts from, each value traceable."""

    issue: Negotiation
    as_of: dt.date | None
    scenario: Scenario
    evidence: dict[str, Evidence]  # by actor name; missing when the actor has no position
    spreads: dict[str, Spread]
    status_quo: Evidence
    left_out: tuple[str, ...]  # bargainers without any position as of the date

    def inputs_json(self) -> list[dict[str, Any]]:
        rows = []
        for actor in self.scenario.actors:
            bargainer = next(b for b in self.issue.actors if b.name == actor.name)
            rows.append({"actor": actor.name, "id": bargainer.id, "state": bargainer.state,
                         "capability": actor.capability, "salience": actor.saliences[0],
                         "position": actor.positions[0],
                         "source": self.evidence[actor.name].as_json()})
        return rows


def issue_inputs(dossier: Dossier, issue_id: str, store: Store | None = None,
                 as_of: dt.date | None = None) -> IssueInputs:
    """The scenario of ``issue_id`` as the reporting published before ``as_of`` stood."""
    issue = dossier.negotiation(issue_id)
    if issue is None:
        known = ", ".join(n.id for n in dossier.negotiations) or "none"
        raise ForecastError(f"dossier {dossier.id!r} has no negotiation {issue_id!r}; its "
                            f"negotiations: {known}")
    found: dict[str, Evidence] = {}
    status_quo = _report_evidence(issue.status_quo_source, issue.status_quo)
    if store is not None:
        found, in_force = _from_store(dossier, issue, store, as_of)
        if in_force is not None:
            status_quo = in_force
    evidence: dict[str, Evidence] = {}
    actors, left_out, rows = [], [], {}
    for i, bargainer in enumerate(issue.actors):
        chosen = found.get(bargainer.id)
        if (chosen is None and bargainer.position is not None and bargainer.source is not None
                and (as_of is None or bargainer.source.date < as_of)):
            chosen = _report_evidence(bargainer.source, bargainer.position)
        if chosen is None:
            left_out.append(bargainer.name)
            continue
        evidence[bargainer.name] = chosen
        rows[bargainer.name] = i + 1
        actors.append(Actor(bargainer.name, bargainer.capability, (chosen.value,),
                            (bargainer.salience,), description=bargainer.state))
    where = f"negotiations: {issue.id}" + (f" as of {as_of}" if as_of else "")
    if len(actors) < 2:
        raise ForecastError(
            f"{where}: only {len(actors)} bargainer(s) have a position from reporting "
            f"published before the date ({', '.join(left_out)} have none); give fallback "
            f"positions with a source in the dossier, or choose a later date")
    scale = issue.scale
    scenario = Scenario(issue.name, (Dimension(scale.label, scale.low, scale.high),),
                        tuple(actors), source=f"dossier {dossier.id}, {where}", rows=rows)
    spreads = {b.name: Spread(b.uncertainty.capability, b.uncertainty.salience,
                              b.uncertainty.position) for b in issue.actors}
    return IssueInputs(issue, as_of, scenario, evidence, spreads, status_quo, tuple(left_out))


def _report_evidence(report: Report, value: float) -> Evidence:
    return Evidence(kind="dossier", date=report.date.isoformat(), value=value,
                    outlet=report.outlet, title=report.title, url=report.url,
                    summary=report.summary)


def _from_store(dossier: Dossier, issue: Negotiation, store: Store, as_of: dt.date | None
                ) -> tuple[dict[str, Evidence], Evidence | None]:
    """The latest attributable position of each bargainer, and the latest value in force."""
    observations = [o for o in store.observations(indicator=issue.indicator)
                    if o.status in issue.position_statuses or o.status == "actual"]
    citations = store.citations(o.doc_id for o in observations)
    dated = []
    for obs in observations:
        cited = citations.get(obs.doc_id)
        published = _day(cited.published if cited else None)
        if published is None or (as_of is not None and published >= as_of):
            continue  # a report is only evidence once it is known to precede the date
        value = obs.value / issue.scale.per
        if not issue.scale.low <= value <= issue.scale.high:
            continue
        dated.append((published, obs, cited, value))
    dated.sort(key=lambda item: (item[0], item[1].doc_id, item[1].start))
    sentences = store.sentences((o.doc_id, o.start, o.end) for _, o, _, _ in dated)
    speakers = _speaker_patterns(dossier, issue.actors)
    state_of = {b.id: b.state for b in issue.actors}
    voices = {b.state: b.id for b in issue.actors if b.voice_of_state}
    found: dict[str, Evidence] = {}
    actuals: list[Evidence] = []
    for published, obs, cited, value in dated:
        evidence = Evidence(kind="store", date=published.isoformat(), value=value,
                            status=obs.status, quote=obs.quote, doc_id=obs.doc_id,
                            start=obs.start, end=obs.end, outlet=cited.outlet if cited else None,
                            title=cited.title if cited else None,
                            url=cited.url if cited else None)
        if obs.status == "actual":
            actuals.append(evidence)
            if "actual" not in issue.position_statuses:
                continue
        sentence = sentences.get((obs.doc_id, obs.start, obs.end))
        text = sentence.text if sentence is not None else obs.quote
        # a status that belongs to one side (a target is its own government's) is only
        # attributed to that side's bargainers, whoever else the sentence names
        side = issue.unattributed.get(obs.status)
        candidates = [(b, p) for b, p in speakers if side is None or state_of[b] == side]
        holder = _speaker_in(text, candidates)
        if holder is None and side is not None:
            holder = voices.get(side)
        if holder is not None:
            found[holder] = evidence  # later reports replace earlier ones
    return found, _in_force(actuals)


def _in_force(actuals: list[Evidence]) -> Evidence | None:
    """The value most documents published in the last STATUS_QUO_WINDOW days call the one
    in force (the latest such report cites it), when at least STATUS_QUO_SOURCES documents
    agree: one stray figure does not move the status quo."""
    if not actuals:
        return None
    latest = max(dt.date.fromisoformat(e.date or "") for e in actuals)
    recent = [e for e in actuals
              if (latest - dt.date.fromisoformat(e.date or "")).days <= STATUS_QUO_WINDOW]
    documents: dict[float, set[str]] = {}
    for e in recent:
        documents.setdefault(e.value, set()).add(e.doc_id or "")
    value = max(documents, key=lambda v: (len(documents[v]),
                                          max(e.date or "" for e in recent if e.value == v)))
    if len(documents[value]) < STATUS_QUO_SOURCES:
        return None  # one document alone does not overrule the dossier's cited status quo
    return [e for e in recent if e.value == value][-1]


def _speaker_patterns(dossier: Dossier, bargainers: Iterable[Bargainer]
                      ) -> list[tuple[str, re.Pattern[str]]]:
    by_id = {a.id: a for a in dossier.actors}
    patterns = []
    for bargainer in bargainers:
        names = [name for speaker in bargainer.speakers if speaker in by_id
                 for name in (by_id[speaker].name, *by_id[speaker].aliases)]
        if names:
            alternatives = "|".join(re.escape(n) for n in sorted(set(names), key=len,
                                                                 reverse=True))
            patterns.append((bargainer.id, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")))
    return patterns


def _speaker_in(text: str, speakers: list[tuple[str, re.Pattern[str]]]) -> str | None:
    """The bargainer whose speaker is named first in the sentence."""
    best: tuple[int, str] | None = None
    for bargainer_id, pattern in speakers:
        match = pattern.search(text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), bargainer_id)
    return best[1] if best else None


def _day(published: str | None) -> dt.date | None:
    """The last day a publication date could be (a month-only date counts as its end), so a
    report dated "2025-06" is not taken as preceding 2025-06-15."""
    if not published:
        return None
    try:
        return last_day(published[:10])
    except ValueError:
        return None


def forecast_issue(dossier: Dossier, issue_id: str, store: Store | None = None, *,
                   as_of: dt.date | None = None, model: str = "bdm",
                   rounds: int | None = None, runs: int = 0, seed: int | None = None,
                   progress: Callable[[int], None] | None = None) -> Forecast:
    """Forecast one dossier issue from the reporting published before ``as_of``; the result
    carries the issue, its status quo and every input with its source."""
    inputs = issue_inputs(dossier, issue_id, store, as_of)
    return forecast_inputs(inputs, model=model, rounds=rounds, runs=runs, seed=seed,
                           progress=progress)


def forecast_inputs(inputs: IssueInputs, *, model: str = "bdm", rounds: int | None = None,
                    runs: int = 0, seed: int | None = None,
                    progress: Callable[[int], None] | None = None) -> Forecast:
    """Forecast an issue from inputs already gathered (``issue_inputs``), so a caller can show
    the typed inputs beside the forecast made from them."""
    made = forecast(inputs.scenario, model, rounds=rounds, runs=runs, seed=seed,
                    spreads=inputs.spreads, progress=progress)
    issue = inputs.issue
    extra = {
        "issue": {"id": issue.id, "name": issue.name, "indicator": issue.indicator,
                  "scale": {"low": issue.scale.low, "high": issue.scale.high,
                            "label": issue.scale.label}},
        "as_of": inputs.as_of.isoformat() if inputs.as_of else None,
        "status_quo": inputs.status_quo.as_json(),
        "inputs": inputs.inputs_json(),
        "without_position": list(inputs.left_out),
    }
    return replace(made, extra=extra)
