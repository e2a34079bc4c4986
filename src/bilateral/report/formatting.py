"""How values read to an analyst: $550bn, 15%, 1.6% of GDP, 55,000; "22 Jul 2025"; "−0.3"."""

from __future__ import annotations


def format_value(value: float, unit: str) -> str:
    """A catalogue value in the words reporting uses, e.g. ``$550bn`` or ``1.6% of GDP``."""
    if unit in ("usd", "usd_per_year"):
        suffix = "/yr" if unit == "usd_per_year" else ""
        for size, word in ((1e12, "tn"), (1e9, "bn"), (1e6, "m")):
            if abs(value) >= size:
                return f"${value / size:,.4g}{word}{suffix}"
        return f"${value:,.0f}{suffix}"
    if unit == "percent":
        return f"{value:.4g}%"
    if unit == "percent_gdp":
        return f"{value:.4g}% of GDP"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.6g}"


def shorten(text: str | None, width: int = 100) -> str:
    """One line, cut at a word boundary with an ellipsis when longer than ``width``."""
    flat = " ".join((text or "").split())
    if len(flat) <= width:
        return flat
    cut = flat[:width - 1].rsplit(" ", 1)[0]
    return cut + "…"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def when_label(period: str | None) -> str:
    """How a period reads in a brief: "22 Jul 2025", "Jul 2025", "2025", or "undated"."""
    if not period:
        return "undated"
    parts = period.split("-")
    if len(parts) == 1:
        return period
    month = _MONTHS[int(parts[1]) - 1]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


def signed(number: float) -> str:
    """A score with its sign and a true minus: "+12", "−0.3", "0"."""
    if round(number, 1) == 0:
        return "0"
    return f"{number:+,.1f}".removesuffix(".0").replace("-", "−")
