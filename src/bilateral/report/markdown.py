"""The brief as Markdown: the same sections as the HTML page, readable in a terminal.

Charts become text: each key indicator's dated claims as one line in time order, each dyad's
monthly index as a sparkline with its range. Source numbers are ``[n]`` as in the HTML, and
every figure links to its evidence (``#claim-<id>``). Titles and quotes come from articles, so
Markdown's special characters in them are escaped: a quote can never become a link, a table
cell break or raw HTML.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from bilateral.analyse import Claim, DyadIndex, Report, TimelineEntry
from bilateral.forecast.issues import Evidence
from bilateral.quotes import Sentence
from bilateral.report.brief import Brief
from bilateral.report.formatting import format_value, shorten, signed, when_label
from bilateral.report.negotiations import MODEL_NAMES, Outlook, scale_number, scale_value

SPARKS = "▁▂▃▄▅▆▇█"
QUOTE_WIDTH = 160
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~])")


def render_markdown(brief: Brief) -> str:
    """The brief as one Markdown document."""
    numbers = brief.source_number
    parts = [
        _header(brief),
        _headline(brief, numbers),
        _indicators(brief),
        _relations(brief),
        _timeline(brief, numbers),
        _disputes(brief, numbers),
        _pending(brief, numbers),
        _negotiations(brief),
        _evidence(brief, numbers),
        _sources(brief, numbers),
    ]
    return "\n\n".join(p.rstrip("\n") for p in parts) + "\n"


def escape(text: str | None) -> str:
    """Text as literal Markdown on one line: special characters backslash-escaped, control
    characters (a terminal's escape sequences) dropped."""
    flat = "".join(ch for ch in " ".join((text or "").split())
                   if unicodedata.category(ch) != "Cc")
    return _SPECIAL.sub(r"\\\1", flat)


def sparkline(values: list[float], low: float | None = None, high: float | None = None) -> str:
    """One block character per value, from ``low`` (▁) to ``high`` (█); by default the
    values' own range. Several series on one scale compare at a glance."""
    if not values:
        return ""
    low = min(values) if low is None else low
    high = max(values) if high is None else high
    if high <= low:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[_level(v, low, high)] for v in values)


def _level(value: float, low: float, high: float) -> int:
    top = len(SPARKS) - 1
    return max(0, min(top, round((value - low) / (high - low) * top)))


def _header(brief: Brief) -> str:
    corroborated = (f" Only figures and events reported by at least {brief.min_sources} "
                    f"sources are shown." if brief.min_sources > 1 else "")
    return (f"# {escape(brief.title)}\n\n"
            f"**Period:** {brief.period} · **As of:** {when_label(brief.as_of.isoformat())} · "
            f"**Documents:** {brief.documents:,} · **Sources cited:** {len(brief.sources)}\n\n"
            f"Every figure links to its evidence below; [n] numbers refer to the source list."
            + corroborated)


def _cites(brief: Brief, item: Claim | TimelineEntry) -> str:
    return "".join(f"[{n}]" for n in brief.cited(item))


def _value_link(claim: Claim) -> str:
    return f"[{escape(format_value(claim.value, claim.unit))}](#claim-{claim.id})"


def _quote(report: Report, width: int = QUOTE_WIDTH) -> str:
    return f"“{_marked(report.shown.one_line().fit(width))}”"


def _marked(sentence: Sentence) -> str:
    """A one-line sentence as Markdown, its evidence span in bold."""
    gap_before = " " if sentence.before.endswith(" ") else ""
    gap_after = " " if sentence.after.startswith(" ") else ""
    return (f"{escape(sentence.before)}{gap_before}**{escape(sentence.marked)}**{gap_after}"
            f"{escape(sentence.after)}")


def _table(head: list[str], rows: list[list[str]], right: Iterable[int] = ()) -> str:
    align = ["---:" if n in set(right) else "---" for n in range(len(head))]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _headline(brief: Brief, numbers: dict[str, int]) -> str:
    if not brief.headline:
        return "## Headline figures\n\nNo indicator figures in this period."
    rows, previous = [], None
    for h in brief.headline:
        name = escape(h.history.name) if h.history.indicator != previous else ""
        previous = h.history.indicator
        rows.append([name, h.status, _value_link(h.claim), when_label(h.claim.when),
                     f"{h.claim.sources} {_cites(brief, h.claim)}",
                     "⚑ disputed" if h.disputed else ""])
    return "## Headline figures\n\n" + _table(
        ["Indicator", "Status", "Value", "Date", "Sources", ""], rows, right=(2, 4))


def _indicators(brief: Brief) -> str:
    lines = ["## Key indicators"]
    if not brief.charts:
        lines.append("No key indicator has a figure in this period.")
    for history in brief.charts:
        steps = [f"{when_label(c.when)} {c.status} {escape(format_value(c.value, c.unit))}"
                 for c in history.claims if c.when]
        undated = sum(1 for c in history.claims if not c.when)
        line = f"**{escape(history.name)}**: " + (" → ".join(steps) or "no dated figure")
        if undated:
            line += f" ({undated} undated not shown)"
        lines.append(line)
    return "\n\n".join(lines)


def _relations(brief: Brief) -> str:
    if not brief.index:
        return "## Relations index\n\nNo dated events between states in this period."
    months = brief.index[0].months
    span = f"{when_label(months[0].month)} – {when_label(months[-1].month)}" if months else ""
    scores = [m.score for d in brief.index for m in d.months]
    low, high = min([*scores, 0.0]), max([*scores, 0.0])
    rows = [[escape(d.label), str(d.events), signed(d.score), _trend(d),
             f"`{sparkline([m.score for m in d.months], low, high)}` "
             f"{signed(min(m.score for m in d.months))} … "
             f"{signed(max(m.score for m in d.months))}"]
            for d in brief.index]
    zero = SPARKS[_level(0.0, low, high)] if high > low else SPARKS[0]
    return ("## Relations index\n\n"
            f"Monthly cooperation–conflict score per directed dyad, {span}: the sum of the "
            f"month's event weights (cooperation above zero, conflict below). The sparklines "
            f"share one scale, from {signed(low)} (▁) to {signed(high)} (█); zero is "
            f"{zero}.\n\n"
            + _table(["Dyad", "Events", "Total", "Trend", "Monthly score (min … max)"], rows,
                     right=(1, 2)))


def _trend(dyad: DyadIndex) -> str:
    change = dyad.trend()
    word = dyad.tone()
    return word if change is None else f"{word} ({signed(change)} a month)"


def _timeline(brief: Brief, numbers: dict[str, int]) -> str:
    if not brief.timeline:
        return "## Timeline\n\nNo dated events involving the pair in this period."
    rows = [[when_label(e.when), f"[{e.type}](#event-{e.id})", f"{e.source}→{e.target}",
             f"{e.sources} {_cites(brief, e)}", _quote(e.quote)]
            for e in brief.timeline]
    more = (f"\n\n{_plural(brief.more_events, 'earlier event')} of the period not shown: "
            f"`bilateral timeline` lists them all." if brief.more_events else "")
    return "## Timeline\n\n" + _table(["Date", "Event", "Between", "Sources", "Reported as"],
                                      rows, right=(3,)) + more


def _disputes(brief: Brief, numbers: dict[str, int]) -> str:
    if not brief.disputes:
        return ("## Disputes\n\nNo disagreement between sources in this period."
                + _revisions(brief))
    blocks = ["## Disputes"]
    for d in brief.disputes:
        first, sides = d.claims[0], len(d.claims) + d.hidden
        what = (f"{sides} values for {when_label(first.when)}" if d.kind == "value"
                else f"{format_value(first.value, first.unit)} given {sides} different dates")
        if d.hidden:
            what += f"; the {len(d.claims)} best sourced shown"
        rows = [[_value_link(c), when_label(c.when), f"{c.sources} {_cites(brief, c)}",
                 _quote(c.quote, 200)] for c in d.claims]
        blocks.append(f"### {escape(d.name)}: {d.status}\n\n{what}.\n\n"
                      + _table(["Value", "Date", "Sources", "Reported as"], rows, right=(0, 2)))
    if brief.more_disputes:
        blocks.append(f"{_plural(brief.more_disputes, 'less contested dispute')} not shown: "
                      f"`bilateral disputes` lists them all.")
    return "\n\n".join(blocks) + _revisions(brief)


def _revisions(brief: Brief) -> str:
    """Figures a source changed over time: told apart from disputes, shown below them."""
    if not brief.revisions:
        return ""
    rows = [[f"{escape(r.name)}: {r.status}",
             f"{_value_link(r.before)} for {when_label(r.before.when)} "
             f"({when_label(r.before.last_reported) if r.before.last_reported else 'undated'})",
             f"{_value_link(r.after)} for {when_label(r.after.when)} "
             f"({when_label(r.after.last_reported) if r.after.last_reported else 'undated'})",
             _quote(r.after.quote, 200)] for r in brief.revisions]
    return ("\n\n### Revisions\n\nFigures a source changed over time, not disputes: the "
            "later report gives the new value.\n\n"
            + _table(["Figure", "Was (reported)", "Now (reported)", "Reported as"], rows))


def _pending(brief: Brief, numbers: dict[str, int]) -> str:
    if not brief.pending:
        return f"## Pending\n\nNothing pending as of {brief.as_of.isoformat()}."
    rows = []
    for p in brief.pending:
        if p.claim:
            value, item = _value_link(p.claim), p.claim
        elif p.event:
            value, item = f"[event](#event-{p.event.id})", p.event
        else:
            continue
        rows.append([when_label(p.when), escape(p.what), value,
                     f"{item.sources} {_cites(brief, item)}", _quote(item.quote)])
    return "## Pending\n\n" + _table(["When", "What", "Value", "Sources", "Reported as"], rows,
                                     right=(2, 3))


#: Rounds listed one by one; a longer run is drawn as a sparkline.
ROUNDS_LISTED = 8
#: Most rounds a sparkline of a long run shows (evenly spaced, the last always among them).
SPARK_ROUNDS = 40


def _negotiations(brief: Brief) -> str:
    """Each negotiation's forecast beside the baselines and the status quo, the positions by
    round, and every input with its source."""
    head = "## Where the negotiations are heading"
    if not brief.negotiations:
        return f"{head}\n\nThe dossier names no negotiation to forecast."
    made = next((o for o in brief.negotiations if o.forecast), None)
    model = brief.negotiations[0].model
    intro = (f"Forecasts from the reporting published before "
             f"{when_label(brief.as_of.isoformat())}: {MODEL_NAMES.get(model, model)} "
             f"(`{model}`), beside three baselines that assume no bargaining (weighted mean "
             f"and median of the positions by capability × salience, and the capability-"
             f"weighted mean). A position comes from the latest report that attributes one to "
             f"the bargainer, else from the report the dossier cites.")
    if made is not None and made.runs:
        intro += (f" Median and 80% interval of {made.runs} runs over the inputs' uncertainty "
                  f"(seed {made.seed}).")
    blocks = [head, intro]
    for item in brief.negotiations:
        blocks.append(_outlook(brief, item))
    return "\n\n".join(blocks)


def _outlook(brief: Brief, item: Outlook) -> str:
    scale = item.scale
    title = (f"### {escape(item.issue.name)}\n\n"
             f"Scale: {scale.low:g}–{scale.high:g} ({escape(scale.label)}).")
    ended = _concluded(item)
    if item.forecast is None or item.value is None:
        return "\n\n".join(p for p in (title, ended, f"**No forecast:** {escape(item.reason)}")
                             if p)
    parts = [title, *([ended] if ended else [])]
    line = f"**Forecast ({item.model}): {escape(scale_value(item.value, scale))}**"
    band = item.interval
    if band is not None:
        line += (f", 80% interval {scale_number(band.low, scale)}–"
                 f"{scale_number(band.high, scale)} (median of {item.runs} runs "
                 f"{scale_number(band.median, scale)})")
    if item.status_quo is not None:
        line += f" · **Status quo:** {escape(scale_value(item.status_quo.value, scale))}"
    parts.append(line)
    spread = band is not None  # with runs: the median and interval columns
    rows = [[f"{item.model} forecast", scale_number(item.value, scale),
             *(_band_cells(band, item) if spread else [])]]
    rows += [[b.label, scale_number(b.value, scale),
              *(_band_cells(b.band, item) if spread else [])] for b in item.baselines]
    if item.status_quo is not None:
        rows.append(["status quo", scale_number(item.status_quo.value, scale),
                     *(["", ""] if spread else [])])
    head = ["", "Value", *(["Median of runs", "80% interval"] if spread else [])]
    parts.append(_table(head, rows, right=(1, 2, 3)))
    if item.status_quo is not None:
        parts.append(f"Status quo: {_source(brief, item.status_quo)}")
    parts.append(_rounds_text(item))
    inputs = [[escape(r.actor), r.state, f"{r.capability:g}", f"{r.salience:g}",
               scale_number(r.position, scale), _source(brief, r.source)] for r in item.rows]
    parts.append(_table(["Bargainer", "State", "Capability", "Salience", "Position", "Source"],
                        inputs, right=(2, 3, 4)))
    if item.without_position:
        parts.append(f"Without a position reported before the date, left out: "
                     f"{escape(', '.join(item.without_position))}.")
    return "\n\n".join(parts)


def _concluded(item: Outlook) -> str:
    """For a negotiation that has ended: its outcome, and that the forecast is its backtest."""
    if item.concluded is None:
        return ""
    outcome, scale = item.concluded, item.scale
    made = (f" The forecast below is as of {when_label(item.as_of.isoformat())}, from the "
            f"reporting published before it: a backtest." if item.as_of else "")
    return (f"**Concluded** on {when_label(outcome.date.isoformat())} at "
            f"{escape(scale_value(outcome.value, scale))} ({escape(outcome.source.summary)})."
            f"{made}")


def _band_cells(band: Any, item: Outlook) -> list[str]:
    if band is None:
        return ["", ""]
    return [scale_number(band.median, item.scale),
            f"{scale_number(band.low, item.scale)}–{scale_number(band.high, item.scale)}"]


def _rounds_text(item: Outlook) -> str:
    """The median and mean by round: each round when there are few, else a sparkline on the
    issue's scale from the first round to the last."""
    rounds, scale = item.rounds, item.scale
    if len(rounds) <= ROUNDS_LISTED:
        steps = " → ".join(f"{r.number}: {scale_number(r.median[0], scale)} / "
                           f"{scale_number(r.mean[0], scale)}" for r in rounds)
        return f"Median / mean position by round: {steps}."
    step = -(-len(rounds) // SPARK_ROUNDS)  # every round, or every second, third, ...
    shown = [*rounds[:-1:step], rounds[-1]]
    lines = []
    for name, values in (("median", [r.median[0] for r in shown]),
                         ("mean", [r.mean[0] for r in shown])):
        lines.append(f"{name} `{sparkline(values, scale.low, scale.high)}` "
                     f"{scale_number(values[0], scale)} → {scale_number(values[-1], scale)}")
    every = f", every {_ordinal(step)} round" if step > 1 else ""
    return (f"Positions over {len(rounds)} rounds ({rounds[0].number}–{rounds[-1].number}"
            f"{every}; sparklines on the scale {scale.low:g}–{scale.high:g}): "
            + "; ".join(lines) + ".")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _source(brief: Brief, evidence: Evidence) -> str:
    """A position's source in one cell: the quote and its source number for a stored report,
    the report the dossier cites otherwise."""
    when = when_label(evidence.date) if evidence.date else "undated"
    if evidence.kind == "store":
        number = brief.source_of(evidence)
        cite = f" [{number}]" if number is not None else ""
        status = f" ({evidence.status})" if evidence.status else ""
        return f"{when}{status}: “{escape(shorten(evidence.quote, QUOTE_WIDTH))}”{cite}"
    title = escape(evidence.title or evidence.outlet or "report")
    if evidence.url and evidence.url.lower().startswith(("http://", "https://")):
        title = f"[{title}](<{evidence.url.replace('>', '%3E').replace(' ', '%20')}>)"
    outlet = f"{escape(evidence.outlet)}, " if evidence.outlet and evidence.title else ""
    return f"{outlet}{title}, {when} (cited by the dossier): {escape(evidence.summary)}"


def _evidence(brief: Brief, numbers: dict[str, int]) -> str:
    blocks = ["## Evidence"]
    for name, claim in brief.evidence_claims:
        blocks.append(
            f'<a id="claim-{claim.id}"></a>**{escape(name)}: {claim.status} '
            f"{escape(format_value(claim.value, claim.unit))}, {when_label(claim.when)}** "
            f"({_plural(claim.sources, 'source')})\n\n" + _quotes(brief, claim))
    for entry in brief.evidence_events:
        blocks.append(
            f'<a id="event-{entry.id}"></a>**{entry.type} {entry.source}→{entry.target}, '
            f"{when_label(entry.when)}** ({_plural(entry.sources, 'source')})\n\n"
            + _quotes(brief, entry))
    if len(blocks) == 1:
        blocks.append("Nothing cited.")
    return "\n\n".join(blocks)


def _quotes(brief: Brief, item: Claim | TimelineEntry) -> str:
    return "\n".join(f"> “{_marked(text)}” {''.join(f'[{n}]' for n in cited)}  "
                     for text, cited in brief.quotes(item))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _sources(brief: Brief, numbers: dict[str, int]) -> str:
    if not brief.sources:
        return "## Sources\n\nNo sources cited."
    lines = ["## Sources", ""]
    for n, doc in enumerate(brief.sources, 1):
        title = escape(doc.title or "Untitled document")
        if doc.url and doc.url.lower().startswith(("http://", "https://")):
            title = f"[{title}](<{doc.url.replace('>', '%3E').replace(' ', '%20')}>)"
        outlet = f"{escape(doc.outlet)}, " if doc.outlet else ""
        date = when_label(doc.published) if doc.published else "date unknown"
        copy = (f" Near-duplicate of [{numbers[doc.duplicate_of]}]."
                if doc.duplicate_of and doc.duplicate_of in numbers else "")
        lines.append(f"{n}. {title}. {outlet}{date}. {escape(doc.label)}.{copy}")
    return "\n".join(lines)
