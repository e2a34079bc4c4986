"""Analysis: answers computed from the stored records."""

from bilateral.analyse.summary import IndicatorValue, TimelineEntry, latest_values, timeline

__all__ = ["IndicatorValue", "TimelineEntry", "latest_values", "timeline"]
