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

from bilateral.analyse import Claim, DyadIndex, Report, TimelineEntry
from bilateral.quotes import Sentence
from bilateral.report.brief import Brief
from bilateral.report.formatting import format_value, signed, when_label

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
