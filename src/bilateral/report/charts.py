"""The brief's charts as Vega-Lite specifications (plain dictionaries).

One spec serves every output: the HTML brief draws it in the browser, the PDF and the dashboard
get the same spec drawn to SVG. Sizes fit the text width of an A4 page, fonts are ones a plain
Linux machine has, and each status keeps one colour (and shape) on every chart, so a reader
learns the legend once. Every plotted claim links to its evidence in the same page
(``#claim-<id>``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from bilateral.analyse import Claim, DyadIndex, IndicatorHistory
from bilateral.analyse.periods import first_day
from bilateral.records import STATUSES
from bilateral.report.formatting import format_value, shorten, when_label

if TYPE_CHECKING:
    from bilateral.forecast.scenario import Round

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
FONT = "Liberation Sans, Arial, Helvetica, DejaVu Sans, sans-serif"
#: Total chart width in CSS pixels, within the 180 mm (680 px) text width of an A4 page.
WIDTH = 640
HEIGHT = 190
PANEL_HEIGHT = 96  # one dyad of the relations index
QUOTE_WIDTH = 120  # characters of a quote in a tooltip

#: One colour and one shape per status, the same on every chart (colour-blind safe, and the
#: shapes still tell the statuses apart on a grey print).
STATUS_COLOURS: dict[str, str] = {
    "actual": "#0b5394", "announced": "#e69f00", "agreed": "#009e73", "target": "#8e44ad",
    "demanded": "#d55e00", "proposed": "#56b4e9", "threatened": "#444444",
}
STATUS_SHAPES: dict[str, str] = {
    "actual": "circle", "announced": "diamond", "agreed": "square", "target": "triangle-up",
    "demanded": "triangle-down", "proposed": "cross", "threatened": "triangle-right",
}
COOPERATION_COLOUR = "#2b6ca3"
CONFLICT_COLOUR = "#c0392b"

CONFIG: dict[str, Any] = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal",
             "titleColor": "#333333", "labelColor": "#333333", "gridColor": "#e6e6e6",
             "domainColor": "#888888", "tickColor": "#888888"},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "symbolSize": 80},
    "header": {"labelFontSize": 12, "labelFontWeight": "bold", "labelColor": "#222222"},
}


def unit_title(unit: str, divisor: float = 1.0) -> str:
    """The y-axis title of a unit, with the scale the values were divided by."""
    scale = {1e12: " tn", 1e9: " bn", 1e6: " m"}.get(divisor, "")
    return {"percent": "Percent", "percent_gdp": "% of GDP", "usd": f"US${scale}",
            "usd_per_year": f"US${scale} a year", "count": "Number"}.get(unit, "Value")


def usd_divisor(values: list[float]) -> float:
    """Billions for a $550bn pledge, millions for a $200m grant: the axis shows small numbers."""
    largest = max((abs(v) for v in values), default=0.0)
    return next((size for size in (1e9, 1e6) if largest >= size), 1.0)


def indicator_chart(history: IndicatorHistory,
                    linked: Callable[[Claim], bool] = lambda claim: True,
                    ) -> dict[str, Any] | None:
    """A step chart of an indicator's dated claims, one line per status; None when no claim
    is dated (an undated figure has no place on a time axis). A point links to its evidence
    (``#claim-<id>``) when ``linked`` says the page has it."""
    dated = [c for c in history.claims if c.when]
    if not dated:
        return None
    divisor = usd_divisor([c.value for c in dated]) if history.unit.startswith("usd") else 1.0
    rows = [{
        "date": first_day(c.when).isoformat(), "when": when_label(c.when),
        "value": c.value / divisor, "label": format_value(c.value, c.unit), "status": c.status,
        "sources": c.sources, "quote": shorten(c.quote.quote, QUOTE_WIDTH),
        "href": f"#claim-{c.id}" if linked(c) else None,
    } for c in dated if c.when]
    present = [s for s in STATUSES if any(r["status"] == s for r in rows)]
    present += sorted({r["status"] for r in rows} - set(present))
    legend = {"orient": "top", "direction": "horizontal", "title": None}
    colour = {"field": "status", "type": "nominal", "title": None, "legend": legend,
              "scale": {"domain": present,
                        "range": [STATUS_COLOURS.get(s, "#777777") for s in present]}}
    shape = {"field": "status", "type": "nominal", "title": None, "legend": legend,
             "scale": {"domain": present,
                       "range": [STATUS_SHAPES.get(s, "circle") for s in present]}}
    scale, ticks = _time_scale([first_day(c.when) for c in dated if c.when])
    x = {"field": "date", "type": "temporal", "title": None, "scale": scale,
         "axis": {**ticks, "labelAngle": 0, "labelOverlap": "greedy", "labelFlush": True,
                  "grid": False}}
    y = {"field": "value", "type": "quantitative", "title": unit_title(history.unit, divisor),
         "axis": {"format": ",~r", "tickCount": 5}}
    return {
        "$schema": SCHEMA,
        "description": f"{history.name}: claims by status over time",
        "width": WIDTH, "height": HEIGHT,
        "autosize": {"type": "fit", "contains": "padding"},
        "config": CONFIG,
        "data": {"values": rows},
        "encoding": {"x": x, "y": y, "color": colour},
        "layer": [
            {"mark": {"type": "line", "interpolate": "step-after", "strokeWidth": 2,
                      "opacity": 0.8}},
            {"mark": {"type": "point", "filled": True, "size": 80, "opacity": 0.9,
                      "stroke": "white", "strokeWidth": 1, "cursor": "pointer"},
             "encoding": {
                 "shape": shape,
                 "href": {"field": "href", "type": "nominal"},
                 "tooltip": [
                     {"field": "label", "title": "Value"},
                     {"field": "status", "title": "Status"},
                     {"field": "when", "title": "Date"},
                     {"field": "sources", "title": "Sources", "type": "quantitative"},
                     {"field": "quote", "title": "Quote"},
                 ]}},
        ],
    }


def _time_scale(days: list[dt.date]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(scale, axis) of a time axis with ticks on whole months (or years), at most eight
    labels, so that a short span never shows a month twice and a long one is not crowded. A
    span under three months is widened around its middle, so one point still has dates."""
    first, last = min(days), max(days)
    scale: dict[str, Any] = {"padding": 14}
    if (last - first).days < 90:
        middle = first + (last - first) / 2
        first, last = middle - dt.timedelta(days=60), middle + dt.timedelta(days=60)
        scale = {"domain": [first.isoformat(), last.isoformat()]}
    span = (last.year - first.year) * 12 + last.month - first.month
    step = next((s for s in (1, 2, 3, 6, 12, 24, 60) if span / s <= 8), 120)
    if step >= 12:
        return scale, {"format": "%Y", "tickCount": {"interval": "year", "step": step // 12}}
    return scale, {"format": "%b %Y", "tickCount": {"interval": "month", "step": step}}


def index_chart(index: list[DyadIndex]) -> dict[str, Any] | None:
    """The relations index: a panel per directed dyad, a bar per month (cooperation above the
    zero rule, conflict below), all panels on one scale so that dyads compare at a glance."""
    if not index:
        return None
    order = [d.label for d in index]
    rows = [{"dyad": d.label, "month": f"{m.month}-01", "when": when_label(m.month),
             "score": m.score, "events": m.events}
            for d in index for m in d.months]
    columns = 1 if len(index) == 1 else 2
    width = WIDTH - 70 if columns == 1 else (WIDTH - 110) // 2
    x = {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": None,
         "axis": {"format": "%b %y", "labelAngle": 0, "labelOverlap": "greedy",
                  "labelFontSize": 10, "grid": False, "tickCount": 6}}
    y = {"field": "score", "type": "quantitative", "title": None,
         "axis": {"tickCount": 4, "labelFontSize": 10}}
    return {
        "$schema": SCHEMA,
        "description": "Monthly cooperation–conflict score per directed dyad",
        "config": CONFIG,
        "data": {"values": rows},
        "columns": columns,
        "spacing": {"row": 14, "column": 24},
        "resolve": {"axis": {"x": "independent", "y": "independent"}},
        "facet": {"field": "dyad", "type": "nominal", "sort": order,
                  "header": {"title": None, "labelAnchor": "start", "labelPadding": 4}},
        "spec": {
            "width": width, "height": PANEL_HEIGHT,
            "layer": [
                {"mark": {"type": "bar", "cornerRadius": 1},
                 "encoding": {
                     "x": x, "y": y,
                     "color": {"condition": {"test": "datum.score < 0",
                                             "value": CONFLICT_COLOUR},
                               "value": COOPERATION_COLOUR},
                     "tooltip": [
                         {"field": "dyad", "title": "Dyad"},
                         {"field": "when", "title": "Month"},
                         {"field": "score", "title": "Score", "type": "quantitative",
                          "format": "+,.1~f"},
                         {"field": "events", "title": "Events", "type": "quantitative"},
                     ]}},
                {"mark": {"type": "rule", "color": "#555555", "strokeWidth": 1},
                 "encoding": {"y": {"datum": 0, "type": "quantitative"}}},
            ],
        },
    }


#: The lines of a negotiation chart: the median and mean position, each bargainer thin.
ROUND_SERIES = {"median": "#0b5394", "mean": "#d55e00", "each bargainer": "#9aa3ad"}
STATUS_QUO_COLOUR = "#444444"


def rounds_chart(rounds: Sequence[Round], *, low: float, high: float, label: str,
                 status_quo: float | None = None, name: str = "") -> dict[str, Any] | None:
    """A negotiation's positions round by round: the median and the mean as thick lines, each
    bargainer's position as a thin grey one, the status quo as a dashed rule, on the issue's
    whole scale. None without rounds."""
    if not rounds:
        return None
    rows = []
    for r in rounds:
        rows.append({"round": r.number, "series": "median", "who": "median",
                     "position": r.median[0]})
        rows.append({"round": r.number, "series": "mean", "who": "mean", "position": r.mean[0]})
        rows += [{"round": r.number, "series": "each bargainer", "who": actor,
                  "position": position[0]} for actor, position in r.positions.items()]
    numbers = [r.number for r in rounds]
    colour = {"field": "series", "type": "nominal", "title": None,
              "legend": {"orient": "top", "direction": "horizontal", "title": None},
              "scale": {"domain": list(ROUND_SERIES), "range": list(ROUND_SERIES.values())}}
    x = {"field": "round", "type": "quantitative", "title": "Round",
         "scale": {"domain": [min(numbers), max(max(numbers), min(numbers) + 1)], "nice": False},
         "axis": {"format": "d", "grid": False,
                  **({"values": numbers} if len(numbers) <= 12 else {"tickMinStep": 1})}}
    y = {"field": "position", "type": "quantitative", "title": label,
         "scale": {"domain": [low, high], "nice": False, "zero": False},
         "axis": {"format": ",~r", "tickCount": 5}}
    tooltip = [{"field": "who", "title": "Line"}, {"field": "round", "title": "Round"},
               {"field": "position", "title": label, "format": ",.2f"}]
    layers: list[dict[str, Any]] = [
        {"transform": [{"filter": "datum.series === 'each bargainer'"}],
         "mark": {"type": "line", "strokeWidth": 1, "opacity": 0.8},
         "encoding": {"x": x, "y": y, "color": colour, "detail": {"field": "who"},
                      "tooltip": tooltip}},
        {"transform": [{"filter": "datum.series !== 'each bargainer'"}],
         "mark": {"type": "line", "strokeWidth": 3,
                  "point": {"filled": True, "size": 36} if len(rounds) <= 20 else False},
         "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip}},
    ]
    if status_quo is not None:
        layers.append({
            "data": {"values": [{"position": status_quo, "label": "status quo"}]},
            "mark": {"type": "rule", "strokeDash": [5, 4], "color": STATUS_QUO_COLOUR,
                     "strokeWidth": 1.5},
            "encoding": {"y": {"field": "position", "type": "quantitative"},
                         "tooltip": [{"field": "label", "title": "Line"},
                                     {"field": "position", "title": label,
                                      "format": ",.2f"}]}})
    return {
        "$schema": SCHEMA,
        "description": f"{name}: median, mean and each bargainer's position by round".lstrip(": "),
        "width": WIDTH, "height": HEIGHT,
        "autosize": {"type": "fit", "contains": "padding"},
        "config": CONFIG,
        "data": {"values": rows},
        "layer": layers,
    }
