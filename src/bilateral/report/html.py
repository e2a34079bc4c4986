"""The brief as one self-contained HTML page: for a browser, and (static) for printing to PDF.

Everything the page needs is inside it: the styles, the chart specifications and, for the
browser, the Vega libraries, so the file opens offline and fetches nothing. The static variant
carries no script at all; its charts are drawn to SVG beforehand. Titles and quotes come from
articles and are untrusted: the template escapes every value, links only to http(s) addresses,
and a content security policy forbids loading anything from elsewhere.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from bilateral.analyse import Claim, CurrentValue, DyadIndex
from bilateral.errors import ReportError
from bilateral.report.brief import Brief
from bilateral.report.charts import STATUS_COLOURS, index_chart, indicator_chart, rounds_chart
from bilateral.report.formatting import format_value, shorten, signed, when_label
from bilateral.report.negotiations import MODEL_NAMES, Outlook, scale_number, scale_value

TIMELINE_QUOTE = 160  # characters of an event's quote in the timeline table
_WEB_URL = re.compile(r"^https?://", re.IGNORECASE)


@dataclass(frozen=True)
class Chart:
    """A chart as the template places it: its container id, its spec as script-safe JSON, or
    (static) its SVG."""

    id: str
    title: str
    json: Markup | None
    svg: Markup | None
    note: str = ""


def render_html(brief: Brief, *, static: bool = False) -> str:
    """The brief as a standalone HTML page; ``static`` draws the charts to SVG and leaves every
    script out (what the PDF is printed from)."""
    return _template().render(brief=brief, static=static, **_context(brief, static))


@cache
def _template() -> Any:
    env = Environment(loader=PackageLoader("bilateral.report", "templates"),
                      autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True)
    env.filters.update(when=when_label, value=_value, shorten=shorten, signed=signed)
    env.globals.update(scaled=scale_value, number=scale_number)
    return env.get_template("brief.html.j2")


def _context(brief: Brief, static: bool) -> dict[str, Any]:
    numbers = brief.source_number
    specs = [(f"chart-indicator-{n}", h.name, indicator_chart(h, brief.has_evidence),
              _undated_note(h.claims))
             for n, h in enumerate(brief.charts, 1)]
    charts = [_chart(cid, title, spec, static, note) for cid, title, spec, note in specs]
    index_spec = index_chart(brief.index)
    index = _chart("chart-index", "Monthly score by dyad", index_spec, static) if index_spec \
        else None
    return {
        "numbers": numbers,
        "cites": brief.cited,
        "quotes": brief.quotes,
        "css_title": _css_string(brief.title),
        "headline_groups": by_indicator(brief.headline),
        "charts": charts,
        "index_chart": index,
        "dyads": [_dyad_line(d) for d in brief.index],
        "index_span": _span(brief.index),
        "claims": brief.evidence_claims,
        "events": brief.evidence_events,
        "safe_url": safe_url,
        "status_colours": STATUS_COLOURS,
        "timeline_quote": TIMELINE_QUOTE,
        "period": brief.period,
        "negotiation_charts": {o.issue.id: _chart(f"chart-negotiation-{n}",
                                                  f"{o.issue.name}: positions by round",
                                                  negotiation_chart(o), static)
                               for n, o in enumerate(brief.negotiations, 1) if o.forecast},
        "model_names": MODEL_NAMES,
        "bundle": None if static else Markup(_script_safe(vega_bundle())),
    }


def _chart(chart_id: str, title: str, spec: dict[str, Any] | None, static: bool,
           note: str = "") -> Chart:
    if spec is None:
        return Chart(id=chart_id, title=title, json=None, svg=None,
                     note="No dated figure to plot.")
    if static:
        return Chart(id=chart_id, title=title, json=None, svg=Markup(_svg(spec, chart_id, title)),
                     note=note)
    return Chart(id=chart_id, title=title, json=Markup(script_json(spec)), svg=None, note=note)


def negotiation_chart(outlook: Outlook) -> dict[str, Any] | None:
    """The chart of an outlook's positions by round, on its issue's whole scale."""
    scale = outlook.scale
    status_quo = outlook.status_quo.value if outlook.status_quo else None
    return rounds_chart(outlook.rounds, low=scale.low, high=scale.high, label=scale.label,
                        status_quo=status_quo, name=outlook.issue.name)


def script_json(value: Any) -> str:
    """JSON that cannot end its <script> element or open a comment in it, whatever the data."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _script_safe(code: str) -> str:
    """JavaScript that can sit inside a <script> element: no "</script", no "<!--"."""
    code = re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)
    return code.replace("<!--", "<\\!--")


@cache
def vega_bundle() -> str:
    """The Vega, Vega-Lite and vega-embed libraries as one script, to inline or serve.

    Bundling takes seconds, so the result is kept in the user's cache directory
    ($XDG_CACHE_HOME/bilateral, else ~/.cache/bilateral), one file per library version; where
    that directory cannot be written, the bundle is made afresh each time."""
    import vl_convert

    versions = "-".join([vl_convert.get_vega_version(), vl_convert.get_vega_embed_version(),
                         *vl_convert.get_vegalite_versions()[-1:]])
    cached = _cache_dir() / f"vega-bundle-{re.sub(r'[^0-9A-Za-z.]+', '_', versions)}.js"
    with contextlib.suppress(OSError):
        return cached.read_text(encoding="utf-8")
    bundle = vl_convert.javascript_bundle()
    with contextlib.suppress(OSError):
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f".{cached.name}.{os.getpid()}.part")
        partial.write_text(bundle, encoding="utf-8")
        os.replace(partial, cached)
    return bundle


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bilateral"


def _svg(spec: dict[str, Any], prefix: str, title: str) -> str:
    """The chart drawn to SVG, its internal ids prefixed so that several charts share a page."""
    import vl_convert

    try:
        svg = vl_convert.vegalite_to_svg(spec)
    except Exception as exc:  # the converter raises its own ValueError subclasses
        raise ReportError(f"the chart {title!r} could not be drawn to SVG for the PDF: {exc}; "
                          f"write the brief as .html to draw it in a browser instead") from exc
    for name in set(re.findall(r'\bid="([^"]+)"', svg)):
        svg = svg.replace(f'id="{name}"', f'id="{prefix}-{name}"')
        svg = svg.replace(f"url(#{name})", f"url(#{prefix}-{name})")
    return re.sub(r"^<\?xml[^>]*>\s*", "", svg)


def _css_string(text: str) -> Markup:
    """A CSS string literal of ``text``: anything but letters, digits and plain punctuation as
    a hex escape, so no text can close the string or the <style> element."""
    kept = " .,:;()'–—-_"
    body = "".join(ch if ch.isalnum() or ch in kept else f"\\{ord(ch):x} " for ch in text)
    return Markup(f'"{body}"')


def _value(claim: Claim) -> str:
    return format_value(claim.value, claim.unit)


def safe_url(url: str | None) -> bool:
    """Whether an article's URL may become a link: http(s) only, never javascript: or data:."""
    return bool(url and _WEB_URL.match(url))


def by_indicator(headline: list[CurrentValue]) -> list[list[CurrentValue]]:
    """Headline rows in runs of one indicator, so each indicator's rows print together."""
    groups: list[list[CurrentValue]] = []
    for row in headline:
        if groups and groups[-1][0].history.indicator == row.history.indicator:
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def _undated_note(claims: tuple[Claim, ...]) -> str:
    undated = sum(1 for c in claims if not c.when)
    if not undated:
        return ""
    return (f"{undated} undated claim{'s' if undated > 1 else ''} not plotted; "
            f"see the evidence section.")


def _dyad_line(dyad: DyadIndex) -> dict[str, Any]:
    trend = dyad.trend()
    return {"label": dyad.label, "events": dyad.events, "score": dyad.score,
            "trend": dyad.tone(), "change": trend}


def _span(index: list[DyadIndex]) -> str:
    if not index or not index[0].months:
        return ""
    months = index[0].months
    return f"{when_label(months[0].month)} – {when_label(months[-1].month)}"
