"""Analysis: answers computed from the stored records.

Observations become claims and indicator histories (``claims``), histories yield disputes
and revisions (``disputes``), events become a merged timeline (``timeline``) and the timeline a
monthly relations index (``relations``). Every answer keeps the reports, and so the quotes,
behind it.
"""

from bilateral.analyse.claims import Claim, IndicatorHistory, Report, histories, merge_claims
from bilateral.analyse.disputes import (
    CurrentValue,
    Dispute,
    Revision,
    current_values,
    differences,
    disputes,
    revisions,
)
from bilateral.analyse.relations import (
    DyadIndex,
    IndexMonth,
    dossier_index,
    relations_index,
    score_months,
)
from bilateral.analyse.timeline import TimelineEntry, merge_events, timeline

__all__ = [
    "Claim",
    "CurrentValue",
    "Dispute",
    "DyadIndex",
    "IndexMonth",
    "IndicatorHistory",
    "Report",
    "Revision",
    "TimelineEntry",
    "current_values",
    "differences",
    "disputes",
    "dossier_index",
    "histories",
    "merge_claims",
    "merge_events",
    "relations_index",
    "revisions",
    "score_months",
    "timeline",
]
