"""Observations: a quantity near the words of an indicator becomes a sourced value with a status
and the time it refers to."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from spacy.tokens import Doc

from bilateral.dossier import Dossier, Indicator
from bilateral.extract.context import (
    AHEAD,
    Layout,
    check_budget,
    report_month,
    span_gap,
    starting_in,
    time_options,
    times_in,
    word_pattern,
)
from bilateral.extract.decisions import (
    IndicatorCandidate,
    IndicatorComponent,
    IndicatorOption,
    ObservationCandidate,
    RuleIndicator,
    RuleStatus,
    RuleWhen,
    StatusComponent,
    StatusEvidence,
    WhenCandidate,
    WhenComponent,
)
from bilateral.extract.quantities import Quantity
from bilateral.extract.tense import FUTURE, PAST, direction_at
from bilateral.extract.times import MONTHS, WEEKDAYS, TimeExpr

#: Words either side of a number in which an indicator's cues are looked for: what a number
#: measures is often named some way off ("the ministry's outlays reached $48 billion last year,
#: roughly 1.3% of GDP").
CUE_WORDS = 20
#: Characters of distance between cue and number within which indicators rank by priority.
REACH_STEP = 30
#: Characters added to the distance of a cue that is nearer another number than this one.
OWNED_PENALTY = 4 * REACH_STEP
#: Words either side of a number that make its own phrase, where exclusions are looked for.
PHRASE_WORDS = 4
#: Words before and after a number in which status cues are looked for (and the quote): the
#: verb or frame that says what a value is ("under the deal", "threatened") mostly precedes it.
STATUS_WORDS = (12, 6)

#: Which quantity kinds can fill an indicator of each catalogue unit.
KINDS_FOR_UNIT = {
    "percent": ("percent",),
    "percent_gdp": ("percent_gdp",),
    "usd": ("money",),
    "usd_per_year": ("money",),
    "count": ("count",),
}


#: The evidence of a status no word set: the indicator's first, or "actual".
DEFAULT = StatusEvidence("default")

#: Words that introduce the date a measure takes effect.
_EFFECTIVE = re.compile(r"\b(?:starting|from|effective|beginning|as of|as from|on)\s+$")
#: The roles of the two numbers of a range or transition, in text order.
_PAIRS = frozenset({("low", "high"), ("from", "to"), ("to", "from")})
#: Characters between two numbers beyond which they are not read as coordinated.
_COORDINATION_CHARS = 120
#: What joins two coordinated numbers: "and" with up to a few words either side, with no
#: comma before it (", and settled at 15%" starts a new clause with its own subject and cues).
_COORDINATED = re.compile(r"(?:\W+\w+){0,8}?[^\w,]*\s(?:and|or)\W+(?:\w+\W+){0,3}?",
                          re.IGNORECASE)
#: What joins a clause to the one before: "and" or "but" with a verb after it ("... in March
#: and imposed", "but later raised").
_CONJUNCT = re.compile(r"\s(?:and|but)\s+(?:then\s+|later\s+|also\s+)?[a-z]+ed\b",
                       re.IGNORECASE)
#: What opens a contrasting clause, whose status is its own.
_CONTRAST = re.compile(r",\s+(?:but|while|whereas|although|though|yet)\b\s*", re.IGNORECASE)
#: A relative clause, whose number qualifies the noun before it.
_RELATIVE = re.compile(r", (?:which|who)\b")
#: What stands between a figure and the same figure in another currency: "yen ($".
_GLOSS = re.compile(r"\s*[(\[]\s*")
#: How a sentence opens when its subject is the measure named in the sentence before.
_REFERENCE = re.compile(r"(?:It|(?:The|This|That) (?:figure|ratio|share|rate|level|amount|"
                        r"total|number|sum))\b")
#: Status cues that say a value holds at the time of the report, not at an earlier time.
_CURRENT = re.compile(r"\b(?:already|currently|current|now|still)\b")
#: A present tense before a value in force that says it holds as the report is written:
#: "Japan is subject to the same 10% rate", "Japanese cars face a 25% duty".
_PRESENT_IN_FORCE = re.compile(r"\b(?:(?:is|are|remains?)\s+(?:still\s+)?subject\s+to|"
                               r"(?<!would )(?<!could )(?<!will )(?:faces?|pays?))\b",
                               re.IGNORECASE)
#: Words in the sentence after an announced measure that give the date it applies from.
_TAKES_EFFECT = re.compile(r"\b(?:takes?|took|will take) effect\b|\beffective\b|\bkicks? in\b"
                           r"|\b(?:comes?|will come|enters?|will enter) into force\b",
                           re.IGNORECASE)
#: Words before a number that make it a level rather than a change.
_LEVEL_LEAD = re.compile(r"\b(?:to|at|of|reach(?:ed|es)?|around|about|nearly|roughly)\s+$",
                         re.IGNORECASE)
#: Words right before a percentage that make it a change, not a level ("steel shipments, down
#: 32%", "exports rose 4.1 percent", "sales fell by 9%"): no indicator measures a change. "Up"
#: after a verb it completes is no change ("made up 20%", "takes up a third").
_CHANGE_LEAD = re.compile(
    r"\b(?:(?<!made )(?<!make )(?<!makes )(?<!making )(?<!took )(?<!take )(?<!takes )"
    r"(?<!taking )(?<!taken )(?<!add )(?<!adds )(?<!added )(?<!adding )up|"
    r"down|rose|rises|rising|fell|falls|falling|dropped|drops|declined|declines|"
    r"decreased|increased|grew|grows|jumped|jumps|slid|slumped|plunged|plummeted|tumbled|"
    r"surged|soared|climbed|gained|lost|shrank|contracted|expanded)(?:\s+by)?"
    r"(?:\s+(?:about|around|roughly|nearly|almost|some|over|more\s+than|less\s+than))?\s+$",
    re.IGNORECASE)
#: What stands between a number and a cue in the phrase that says what the number applies to:
#: its noun, a preposition and a few words, with no clause break or other figure ("25% levies
#: on all imported steel").
_OWN_OBJECT = re.compile(r"(?:\s+[a-z-]+){0,2}?\s+(?:on|for|against)(?:\s+[a-z-]+){0,3}?\s+")
#: Where a clause begins: a break in the sentence, or the sentence's own start.
_CLAUSE_BREAK = re.compile(r"[,;:!?()\n\u2014]|\.\s|\b(?:while|whereas|but|than|as)\s",
                           re.IGNORECASE)
#: The words right before a state that make it the origin of the goods a rate falls on: "on
#: Indian goods", "on goods from India", "imports from Brazil".
_GOODS_OF = re.compile(r"(?:\b(?:on|against)|\b(?:goods|imports|products|exports|shipments)"
                       r"\s+from)\s+(?:the\s+)?$", re.IGNORECASE)
#: What may open a clause before its subject state: "Brazil was hit", "the United States".
_CLAUSE_OPENING = re.compile(r"\s*(?:the\s+)?", re.IGNORECASE)
#: The ways a percentage is written after its figure, read as the word "percent".
_PERCENT_SIGN = re.compile(r"\s?%|[\s-](?:per\s+cent|pct|pc)\b")
#: What joins two figures in a row, and so parts their words.
_JOIN = re.compile(r",|;|\b(?:and|or)\b", re.IGNORECASE)
#: What opens a new clause after a comma: the words before it are another figure's.
_NEW_CLAUSE = re.compile(r",\s+(?:and|but|while|whereas|or)\b|;")
_SPACE = re.compile(r"\s*")
#: What makes a number a part of a rate named beside it, not the rate: "15%, including the
#: existing 2.5% duty", "25% on top of the 2.5% base rate", "24%, which includes a 10%
#: baseline". ``whole`` says where the rate it is part of stands: before it, or either side.
_COMPONENT_LEAD = re.compile(
    r"\b(?:(?P<before>including|includes|included|include)"
    r"|(?P<either>on top of|in addition to|atop|over and above))\s+(?:[\w-]+\s+){0,4}?$",
    re.IGNORECASE)
#: Characters before a number in which a component lead is looked for.
_COMPONENT_CHARS = 48
#: What makes a number the old value of a change even when no new value is paired with it:
#: "down from the previous rate of 25%", "from the current 27.5%", "a cut from 25%".
_OLD_LEAD = re.compile(
    r"\b(?:(?:up|down|reduction|cut|increase|rise|drop|decline|decrease)\s+from"
    r"|from\s+(?:the\s+|its\s+|their\s+)?"
    r"(?:previous|prior|current|existing|original|earlier|old|initial|former)(?:ly)?)"
    r"\s+(?:[\w-]+\s+){0,4}?$", re.IGNORECASE)
#: Characters before a number in which an old-value lead is looked for.
_OLD_CHARS = 64
#: Words after an old value that date it to the time of the report ("the 27.5% now in force").
_IN_FORCE = re.compile(r"\b(?:current|currently|now|in effect|in force|in place|existing)\b",
                       re.IGNORECASE)
#: Where the words that belong to a number end: the next clause break.
_PHRASE_END = re.compile(r"[,;:()\u2014]|\.(?!\d)|\s(?:and|but|while|which|as)\s")
#: What opens an apposition that names what a number is: "from 15% — the level agreed in July".
_APPOSITION = re.compile(r"\s*(?:[,\u2014\u2013]|--)\s*(?:the|a|its|their)\s+(?:[\w-]+\s+)?"
                         r"(?:level|rate|figure|tariff|duty|levy|one)\b", re.IGNORECASE)
#: Words after a number that tie it to one state: "46% for Vietnam", "the 34% imposed on
#: China", "a 24 percent rate for goods from Japan".
_OWN_STATE_AFTER = re.compile(
    r"(?:\s+[\w-]+){0,2}?\s+(?:for|on|against)\s+(?:(?:goods|imports|products|exports)\s+"
    r"from\s+)?(?:the\s+)?", re.IGNORECASE)
#: A rate for a named party that is no state the dossier knows: "20% for the EU", "20% on
#: the European Union", "20% against goods from the bloc's members" is not.
_OTHER_PARTY = re.compile(r"(?:\s+[\w-]+){0,2}?\s+(?:for|on|against)\s+(?:(?:goods|imports|"
                          r"products|exports)\s+from\s+)?(?:the\s+)?(?P<name>[A-Z][\w.]*)")
#: ... and words before it: "Vietnam's 46%", "Vietnam at 46%".
_OWN_STATE_BEFORE = re.compile(r"(?:'s(?:\s+[\w-]+){0,2}?|\s+(?:at|with))\s+",
                               re.IGNORECASE)
#: ... or a state that is the subject of "faces" or "is subject to" before it: "Japan, a close
#: ally, is subject to the same 10% rate", "Korean goods face a 15% duty". A general rate a
#: state faces is that state's rate.
_STATE_FACES = re.compile(
    r"(?:'s)?(?:\s*,[^,.;:]{1,60},)?(?:\s+[\w-]+)??\s+(?:faces?|faced|facing|will face|"
    r"(?:is|are|was|were|remains?|remained|will be|will remain|would be)\s+subject\s+to)"
    r"(?:\s+[\w-]+){0,4}?\s+", re.IGNORECASE)
#: A preposition before a state's name: the state qualifies another noun ("cars from Japan
#: face"), it is not the subject.
_PREPOSITION_BEFORE = re.compile(r"\b(?:from|of|on|to|in|for|against|with|by)\s+(?:the\s+)?$",
                                 re.IGNORECASE)
#: A condition clause that opens the sentence before a number ("If talks fail, Japanese
#: goods face 25%") or follows it in its clause ("25% unless Tokyo opens its market").
_CONDITION_BEFORE = re.compile(r"\W*(?:if|unless)\b[^.;:]*,", re.IGNORECASE)
_CONDITION_AFTER = re.compile(r"[^.;:,]*?\b(?:if|unless)\b", re.IGNORECASE)
#: Characters between a negation and the status cue it governs ("did not agree", "has not
#: yet agreed"): at most a word.
_NEGATION_GAP = re.compile(r"\s+(?:[\w-]+\s+)?")
#: What makes a time the start of a period rather than the time of an act.
_SINCE = re.compile(r"\bsince\s+$", re.IGNORECASE)
#: A status that a negated cue leaves: the figure has no status the text asserts.
NEGATED = "negated"
#: A list of short noun phrases joined by commas and "and"/"or" ("cars, steel and aluminum",
#: "reciprocal and automobile tariffs"): a number whose own phrase holds one measures each item.
#: An item is content words only, so that clauses ("to buy X and to invest Y") and phrases
#: with their own relations ("from its allies, including Japan") are no list.
_FUNCTION_WORDS = (r"and|or|nor|but|a|an|the|to|on|in|of|from|for|with|by|at|as|into|over|"
                   r"including|during|after|before|than|his|her|its|their|our|this|that|these|"
                   r"those|which|who|is|are|was|were|be|been|will|would|has|have|had|it|they")
_LIST_WORD = rf"(?!(?:{_FUNCTION_WORDS})\b)[a-z][\w'-]*"
_LIST_ITEM = rf"(?:(?:a|an|the|all|other)[ \t]+)*{_LIST_WORD}(?:[ \t]+{_LIST_WORD}){{0,2}}"
_LIST = re.compile(rf"{_LIST_ITEM}(?:[ \t]*,[ \t]*{_LIST_ITEM})*(?:[ \t]*,)?[ \t]+(?:and|or)"
                   rf"[ \t]+{_LIST_ITEM}")
_LIST_ITEMS = re.compile(_LIST_ITEM)
#: What may stand between a number and the list that is its own: a few words with no clause
#: break ("25% tariffs imposed on cars, ...", "car and steel duties of 25%").
_LIST_GAP = re.compile(r"[^\S\n]*(?:[\w'%-]+[^\S\n]+){0,5}?[\w'%-]*[^\S\n]*")
#: A number right after a list: its last item is a verb or noun with its own figure ("into
#: investments and purchasing $100 billion"), so the list is no list of what one number measures.
#: A word between a list and the number after it ("car and steel duties of 25%"): a list
#: right against a figure ends in a verb or noun that takes it ("and buying $9 billion").
_WORD = re.compile(r"[a-z]")
_FIGURE_AFTER = re.compile(r"\W*(?:[\w'-]+\W+){0,2}?[$\u20ac\u00a5\u00a3\d]")


@dataclass(frozen=True)
class ObservationMatch:
    indicator: str
    value: float
    unit: str
    status: str
    when: str | None
    start: int  # the quote: a word window around the number
    end: int
    rule: str
    actor: str | None
    note: str | None = None
    evidence: StatusEvidence = DEFAULT  # how the status was set, and the span of its cue

    @property
    def status_cue(self) -> tuple[int, int] | None:
        """Where the words that set the status stand, when a cue near the number did."""
        return self.evidence.cue if self.evidence.how == "cue" else None


@dataclass(frozen=True)
class _Cues:
    indicator: Indicator
    groups: tuple[re.Pattern[str], ...]
    exclude: re.Pattern[str] | None


@dataclass(frozen=True)
class _StatusCue:
    status: str
    pattern: re.Pattern[str]
    order: int  # place in the dossier: the more specific statuses first
    tier: int  # 0: a frame, tried in order; 1: the nearest wins; 2: weak, only when alone


class ObservationStage:
    name = "observations"
    requires = ("layout", "actors", "times", "quantities")
    assigns = ("observations",)

    def __init__(self, dossier: Dossier, status: StatusComponent | None = None,
                 when: WhenComponent | None = None,
                 indicator: IndicatorComponent | None = None) -> None:
        self.status_decision = status or RuleStatus()
        self.when_decision = when or RuleWhen()
        self.indicator_decision = indicator or RuleIndicator()
        self.by_id = {i.id: i for i in dossier.indicators}
        self.cues = sorted(
            (_Cues(i, tuple(word_pattern(g) for g in i.cues),
                   word_pattern(i.exclude) if i.exclude else None) for i in dossier.indicators),
            key=lambda c: -c.indicator.priority)
        self.statuses = [_StatusCue(s.status, word_pattern(s.words), order,
                                    0 if s.frame else 2 if s.weak else 1)
                         for order, s in enumerate(dossier.statuses)]
        agreed = [w for s in dossier.statuses if s.status == "agreed" for w in s.words]
        self.deal = word_pattern(agreed) if agreed else None
        self.negation = word_pattern(dossier.negations) if dossier.negations else None

    def __call__(self, doc: Doc) -> Doc:
        layout: Layout = doc._.layout
        text = doc._.layout.match_text
        found: list[ObservationMatch] = []
        published = doc._.document.published if doc._.document else None
        reported = report_month(published)
        quantities = doc._.quantities
        starts = [q.start for q in quantities]
        parts = _components(text, quantities, layout)
        past: list[tuple[int, Quantity]] = []  # in-force values in the past tense
        at: dict[int, int] = {}  # where the number of each found value stands
        states = [m for m in doc._.actors if m.state]
        counted: dict[tuple[int, str], tuple[int, int]] = {}  # cue groups per sentence
        for i, quantity in enumerate(quantities):
            check_budget(doc)
            if quantity.kind == "percent" and quantity.role is None and _CHANGE_LEAD.search(
                    text, max(0, quantity.start - 40), quantity.start):
                continue
            first, anchor, last = _pair(quantities, i)
            cue_start, cue_end = layout.window(anchor.start, anchor.end, CUE_WORDS)
            if first is last:
                cue_start = _shared_start(quantities, i, layout, cue_start)
            start, end = _clause(text, first, last,
                                 *layout.window(anchor.start, anchor.end, *STATUS_WORDS))
            nearby = _others(text, quantities, starts, first, last, min(cue_start, start),
                             max(cue_end, end), parts)
            own_start, own_end = _between(text, first, last, nearby, *_clause(
                text, first, last, *layout.window(anchor.start, anchor.end, PHRASE_WORDS)))
            relative = _last(_RELATIVE.finditer(text, start, anchor.start))
            if relative:
                # "rice, which is subject to a 700% tariff": the number qualifies the noun
                # before "which", so what rules an indicator out may stand there
                own_start = min(own_start, layout.window(relative.start(), relative.start(),
                                                         PHRASE_WORDS, 0)[0])
            phrase = _phrase(text[own_start:own_end])
            level = bool(_LEVEL_LEAD.search(text, max(0, anchor.start - 24), anchor.start))
            state = _own_state(text, quantity, states) if quantity.kind == "percent" else None
            context = text[cue_start:cue_end].lower()
            span = (first.start - cue_start, last.end - cue_start)
            others = [(a - cue_start, b - cue_start) for a, b in nearby]
            indicator = self.indicator_for(anchor, context, phrase, level=level, span=span,
                                           others=others, state=state)
            how = "cue" if indicator else "none"
            if indicator is None:
                indicator = self.indicator_by_reference(anchor, layout, cue_end, phrase,
                                                        level=level, state=state)
                how = "reference" if indicator else "none"
            s_start, s_end = layout.sentence(quantity.start)
            options = self._options(quantity, layout, context, phrase, span, others,
                                    level=level, state=state,
                                    chosen=indicator.id if indicator else None,
                                    counted=counted) \
                if self.indicator_decision.reads_options else ()
            chosen = self.indicator_decision.predict([IndicatorCandidate(
                text=text, sentence=(s_start, s_end), value=(quantity.start, quantity.end),
                figure=quantity.value, kind=quantity.kind, role=quantity.role, level=level,
                options=options, rule_indicator=indicator.id if indicator else None,
                rule_evidence=how)])[0].indicator
            indicator = self.by_id.get(chosen) if chosen else None
            if indicator is None:
                continue
            measured = [indicator, *self.coordinated_with(
                indicator, quantity, text, (first.start, last.end),
                layout.sentence(quantity.start), (own_start, own_end), level=level, state=state)]
            for indicator in measured:
                part = i in parts
                old_lead = None if part or quantity.role is not None else _OLD_LEAD.search(
                    text, max(s_start, quantity.start - _OLD_CHARS), quantity.start)
                if part or old_lead or quantity.role == "from":
                    found.extend(self._earlier_value(
                        quantity, indicator, layout, s_end, doc._.times, reported, start, end,
                        part=part, following=quantities[i + 1] if i + 1 < len(quantities) else None,
                        lead=old_lead.group() if old_lead else None))
                    continue
                # A pledge is an offer in a negotiation: one reported after a deal word in its
                # paragraph is part of the deal; so is a change a deal will make ("the tariff will
                # fall to 15%"). Other values only in their own sentence.
                pledge = bool(indicator.statuses) and "actual" not in indicator.statuses
                future_change = quantity.role == "to" and \
                    direction_at(text, quantity.start, quantity.end) == FUTURE
                lead_start = layout.paragraph_start(quantity.start) if pledge or future_change \
                    else s_start
                status, evidence = self.status_for(
                    quantity, indicator, text[start:end].lower(), quantity.start - start,
                    text[lead_start:quantity.start].lower(),
                    others=[(a - start, b - start) for a, b in nearby], offset=start)
                if status == NEGATED:
                    continue  # "Japan did not agree to 25%": no agreed 25%, nor any other
                if evidence == DEFAULT and future_change and _allows(indicator, "announced"):
                    # a change still to come with no word of who decided it: announced, or part
                    # of the deal the paragraph reports
                    status, evidence = "announced", StatusEvidence("future-change")
                    if self.deal is not None and _allows(indicator, "agreed") \
                            and self.deal.search(text[lead_start:quantity.start].lower()):
                        status, evidence = "agreed", StatusEvidence("future-change", deal=True)
                if evidence == DEFAULT:
                    status, evidence = _status_in_context(found, indicator, quantity, layout,
                                                          status, evidence)
                figure = ObservationCandidate(
                    text=text, sentence=(s_start, s_end),
                    value=(quantity.start, quantity.end), figure=quantity.value,
                    indicator=indicator.id, unit=indicator.unit,
                    allowed=tuple(indicator.statuses), role=quantity.role, rule_status=status,
                    rule_evidence=evidence)
                decided = self.status_decision.predict([figure])[0]
                status, evidence = decided.status, decided.evidence
                if status in ("announced", "actual") and _allows(indicator, "threatened") \
                        and evidence.cue is None and _conditional(text, s_start, quantity, end):
                    status, evidence = "threatened", StatusEvidence("condition")
                # a value in force in the present tense holds as the report is written; an
                # undated report leaves it the time stated before
                cue = evidence.cue
                current = (cue is not None
                           and bool(_CURRENT.search(text[cue[0]:cue[1]].lower()))) or (
                    status == "actual" and reported is not None
                    and bool(_PRESENT_IN_FORCE.search(text, s_start, quantity.start)))
                when = self.when_for(quantity, status, doc._.times, layout, reported,
                                     current=current)
                when = self.when_decision.predict([WhenCandidate(
                    text=text, span=(quantity.start, quantity.end), what=status,
                    unit=indicator.unit, figure=figure, published=published,
                    options=time_options(quantity.start, doc._.times, layout, reported, when)
                    if self.when_decision.reads_options else (),
                    rule_when=when)])[0].when
                if status == "actual" and direction_at(text, quantity.start, quantity.end) == PAST:
                    past.append((len(found), quantity))
                actor = _nearest_state_before(doc._.actors, quantity.start, layout, quantities)
                at[len(found)] = quantity.start
                found.append(ObservationMatch(
                    indicator=indicator.id, value=quantity.value, unit=indicator.unit,
                    status=status, when=when, start=start, end=end, actor=actor,
                    rule=f"obs.cue/{indicator.id}+status.{evidence.describe(text)}",
                    evidence=evidence))
        found = _superseded(found, past, at, quantities, layout, doc._.times)
        doc._.observations = _one_per_fact(found)
        return doc

    def _options(self, quantity: Quantity, layout: Layout, context: str, phrase: str,
                 span: tuple[int, int], others: list[tuple[int, int]], *, level: bool,
                 state: tuple[str, str] | None, chosen: str | None,
                 counted: dict[tuple[int, str], tuple[int, int]]) -> tuple[IndicatorOption, ...]:
        """Every indicator whose unit the number fits, which a cue of its sentence, or of the
        sentence before, names and which the dossier does not rule out for it (and the rules'
        ``chosen`` one), with how much of its cues stands in the window ``context`` (where
        the number is at ``span``), the sentence and the sentence before, for the indicator
        decision to weigh. ``counted`` keeps the counts of a sentence (and the one before)
        for the other numbers in it."""
        text = layout.match_text
        s_start, s_end = layout.sentence(quantity.start)
        sentence = text[s_start:s_end].lower()
        before = ""
        if s_start > 0 and layout.sentence(s_start - 1)[0] >= layout.paragraph_start(s_start):
            b_start, _ = layout.sentence(s_start - 1)
            before = text[b_start:s_start].lower()
        options = []
        for cues in self.cues:
            indicator = cues.indicator
            if not _unit_fits(indicator, quantity, level=level):
                continue
            in_sentence, in_before = counted.get((s_start, indicator.id)) or counted.setdefault(
                (s_start, indicator.id), (_groups_in(cues.groups, sentence),
                                          _groups_in(cues.groups, before) if before else 0))
            if not (in_sentence or in_before or indicator.id == chosen):
                continue  # nothing there names it
            if indicator.id != chosen and (_excluded(cues, phrase)
                                           or _other_state(indicator, state)):
                continue  # the dossier rules it out: a word of its phrase, another state
            near = _groups_in(cues.groups, context)
            options.append(IndicatorOption(
                indicator=indicator.id, unit=indicator.unit, groups=len(cues.groups),
                near=near, sentence=in_sentence, before=in_before,
                # the farthest group's distance, when every group is near
                reach=_reach(cues.groups, context, *span, others)
                if near == len(cues.groups) else None))
        return tuple(options)

    def _earlier_value(self, quantity: Quantity, indicator: Indicator, layout: Layout, s_end: int,
                       times: list[TimeExpr], reported: str | None, start: int, end: int, *,
                       part: bool, following: Quantity | None,
                       lead: str | None) -> list[ObservationMatch]:
        """The old value of a change ("to 15% from 27.5%", "up from 1.6%") or a part of the
        rate beside it ("including the existing 2.5% duty"): never the clause's new value. It
        is the value in force before (actual), unless words of its own give it another status
        ("up from the 24% announced in April"); it is dated only by a time of its own, by the
        report when its words say it holds now, or by a time earlier in the paragraph (for an
        old value, one that precedes every time of its sentence); else it is left undated,
        before the new one.
        """
        text = layout.match_text
        phrase_end = _PHRASE_END.search(text, quantity.end, s_end)
        own_end = phrase_end.start() if phrase_end else s_end
        if quantity.role == "from" and following is not None and following.role == "to":
            own_end = min(own_end, following.start)  # "from 12% in 2017 to 18.7% last year"
        if quantity.role == "from" and (following is None or following.role != "to"):
            # what follows "to 15% from 27.5%" is the change's, unless it is an apposition to
            # the old value ("from 15%, the rate agreed in July")
            apposition = _APPOSITION.match(text, quantity.end)
            own_end = quantity.end if apposition is None else next(
                (m.start() for m in _PHRASE_END.finditer(text, apposition.end(), s_end)), s_end)
        own = text[quantity.end:own_end].lower()
        status, evidence = "actual", StatusEvidence("part" if part else "transition-from")
        if not part:
            for cue in self.statuses:
                if cue.tier < 2 and (not indicator.statuses or cue.status in indicator.statuses):
                    match = cue.pattern.search(own)
                    if match:
                        status, evidence = cue.status, StatusEvidence(
                            "transition-from+cue", (quantity.end + match.start(),
                                                    quantity.end + match.end()))
                        break
        if indicator.statuses and status not in indicator.statuses:
            return []  # a pledge has no value in force
        dated = times_in(times, quantity.end, own_end, ahead=False)
        in_force = _IN_FORCE.search(own) or (lead is not None and _IN_FORCE.search(lead))
        s_start = layout.sentence(quantity.start)[0]
        when = dated[0].value if dated else reported if in_force else \
            _earlier_in_paragraph(times, layout, s_start) if part else \
            _before_the_change(times, layout, quantity.start)
        return [ObservationMatch(
            indicator=indicator.id, value=quantity.value, unit=indicator.unit, status=status,
            when=when, start=start, end=end, actor=None,
            rule=f"obs.cue/{indicator.id}+status.{evidence.describe(text)}",
            evidence=evidence)]

    def indicator_for(self, quantity: Quantity, context: str, phrase: str, *,
                      level: bool = False, span: tuple[int, int] | None = None,
                      others: list[tuple[int, int]] | None = None,
                      state: tuple[str, str] | None = None) -> Indicator | None:
        """The indicator whose unit fits and whose cues are all near, the nearest first (the
        words closest to a number say what it measures), then the highest priority.

        A share of GDP is often written as a bare percentage once the story has said what it
        measures ("aims to lift the defence outlay to 2% in five years"); ``level`` says the
        number is read as a level ("to 2%", "at 1.6%"), not a change ("by 9%"), and lets it
        count.
        Exclusions are looked for in the number's own ``phrase``, cues in the wider
        ``context``: a word that rules an indicator out must qualify this number, not the
        next one. ``span`` is where the number (with its range partner) sits in ``context``;
        a cue nearer one of the ``others`` numbers qualifies that one ("a 60% tax on Chinese
        goods and a 10% levy on allies") and counts as far off. A rate tied to a ``state``
        ("46% for Vietnam": the state and how it is tied, see ``_own_state``) is no indicator
        whose implied event falls on another state.
        """
        if span is None:
            center = context.find(quantity.text.lower())
            span = (center, center + len(quantity.text))
        best: tuple[int, int, Indicator] | None = None
        for cues in self.cues:
            if not _fits(cues, quantity, phrase, level=level, state=state):
                continue
            reach = _reach(cues.groups, context, *span, others or ())
            event = cues.indicator.event
            # a rate a state faces is that state's own before any general one, and the most
            # general of its own unless words in its phrase (which exclude that one) say more
            faces = state is not None and state[1] == "faces"
            own = faces and event is not None and event.target == state[0] \
                and reach is not None and reach < OWNED_PENALTY // REACH_STEP
            rank = (0 if own or not faces else 1, reach or 0,
                    cues.indicator.priority if own else -cues.indicator.priority)
            if reach is not None and (best is None or rank < best[:3]):
                best = (*rank, cues.indicator)
        return best[3] if best else None

    def coordinated_with(self, chosen: Indicator, quantity: Quantity, text: str,
                         span: tuple[int, int], sentence: tuple[int, int],
                         own: tuple[int, int], *, level: bool = False,
                         state: tuple[str, str] | None = None) -> list[Indicator]:
        """The other indicators a number measures when its own phrase is a list whose items
        name different indicators: "a 25% tariff on cars, steel and aluminum" is the car rate
        and the steel rate; "15% on reciprocal and car tariffs" the general rate and the car
        rate. The list must stand right after the number (``span``) or right before it, within
        its ``sentence``; the ``chosen`` indicator's own words must fill one item and another
        indicator's words another. What rules that other indicator out is looked for in the
        number's ``own`` phrase without the chosen one's items (the car words that exclude a
        general rate are the car rate's, not this one's).
        """
        items = _own_list(text, span, sentence)
        if len(items) < 2:
            return []
        chosen_cues = next(c for c in self.cues if c.indicator is chosen)
        chosen_groups = {g.pattern for g in chosen_cues.groups}
        words = [text[a:b].lower() for a, b in items]
        extra = []
        for cues in self.cues:
            if cues is chosen_cues or cues.indicator.unit != chosen.unit:
                continue
            groups = {g.pattern for g in cues.groups}
            # the words that tell the two apart, not those they share ("tariff")
            chosen_items = {k for k, item in enumerate(words)
                            if _names(chosen_cues, chosen_groups - groups, item)}
            if not chosen_items or not any(_names(cues, groups - chosen_groups, item)
                                           for k, item in enumerate(words)
                                           if k not in chosen_items):
                continue
            if not all(g.search(text[sentence[0]:sentence[1]].lower()) for g in cues.groups):
                continue
            masked = list(text[own[0]:own[1]].lower())
            for k in chosen_items:
                a, b = items[k]
                for at in range(max(a, own[0]), min(b, own[1])):
                    masked[at - own[0]] = " "
            if _fits(cues, quantity, _phrase("".join(masked)), level=level, state=state):
                extra.append(cues.indicator)
        return extra

    def indicator_by_reference(self, quantity: Quantity, layout: Layout, cue_end: int,
                               phrase: str, *, level: bool,
                               state: tuple[str, str] | None = None) -> Indicator | None:
        """For a sentence that opens with a pronoun or a bare "the figure" ("It came to 1.2%
        of output that year"), the indicator named in the sentence before, which the pronoun
        stands for."""
        s_start, _ = layout.sentence(quantity.start)
        text = layout.match_text
        if s_start == 0 or not _REFERENCE.match(text, s_start):
            return None
        before, _ = layout.sentence(s_start - 1)
        if before < layout.paragraph_start(s_start):
            return None
        context = text[before:cue_end].lower()
        at = quantity.start - before
        return self.indicator_for(quantity, context, phrase, level=level,
                                  span=(at, at + len(quantity.text)), state=state)

    def status_for(self, quantity: Quantity, indicator: Indicator, context: str, at: int,
                   lead: str, others: Iterable[tuple[int, int]] = (), *,
                   offset: int = 0) -> tuple[str, StatusEvidence]:
        """The status the words around the number give it, and how (``at`` is where the number
        starts in ``context``, which starts at ``offset`` of the text, where the evidence's cue
        span is; ``lead`` is its sentence up to the number, or its paragraph for a pledge). A
        cue with another number (``others``) between it and this one is that number's
        ("threatened with 25% in July, and settled at 15%").

        A frame (threat, demand, proposal) governs its clause and is taken first; else the cue
        nearest the number, as the verb or noun next to a figure says what it is; weak cues
        only when nothing else is near. What a deal will do is part of the deal: an
        announcement after a deal word in ``lead`` is agreed. The old value of a transition
        is the one in force; an indicator may fix or narrow the status.
        """
        if quantity.role == "from":
            return "actual", StatusEvidence("transition-from")
        allowed = indicator.statuses
        if len(allowed) == 1:
            return allowed[0], StatusEvidence("indicator")
        end = at + len(quantity.text)
        best: tuple[int, int, int, int, str, str, int] | None = None
        for cue in self.statuses:
            if allowed and cue.status not in allowed:
                continue
            for match in cue.pattern.finditer(context):
                if any((match.end() <= a and b <= at) or (end <= a and b <= match.start())
                       or (a <= match.start() and match.end() <= b) for a, b in others):
                    continue
                distance = span_gap(match.start(), match.end(), at, end)
                rank = (cue.tier, cue.order if cue.tier == 0 else distance,
                        match.start() - match.end(), cue.order, cue.status, match.group(),
                        match.start())
                if best is None or rank < best:
                    best = rank
        if best is None:
            return (allowed[0] if allowed else "actual"), DEFAULT
        status, cue = best[4], (offset + best[6], offset + best[6] + len(best[5]))
        if self._negated(context, best[6]):
            return NEGATED, StatusEvidence("negated", cue)
        if status == "announced" and self.deal is not None and self.deal.search(lead) \
                and (not allowed or "agreed" in allowed):
            return "agreed", StatusEvidence("cue", cue, deal=True)
        return status, StatusEvidence("cue", cue)

    def _negated(self, context: str, cue_start: int) -> bool:
        """Whether a negation governs the status cue at ``cue_start``: it ends at most a word
        before it, in its clause ("did not agree", "has not yet agreed", "never threatened")."""
        if self.negation is None:
            return False
        lo = max(0, cue_start - 40)
        for match in self.negation.finditer(context, lo, cue_start):
            if _NEGATION_GAP.fullmatch(context, match.end(), cue_start) or \
                    match.end() == cue_start:
                return True
        return False

    def when_for(self, quantity: Quantity, status: str, times: list[TimeExpr], layout: Layout,
                 reported: str | None, *, current: bool = False) -> str | None:
        """The time the value refers to: a deadline for a target; the date a measure takes
        effect ("starting April 3") for one announced or threatened; else the time expression
        nearest the number in its sentence; for one announced, the start date given in the
        next sentence ("The duties take effect on April 3"); for one agreed, the date given to
        the deal earlier in the paragraph; for one in force ``current``ly ("already face"),
        the report's; else one stated earlier in the paragraph. A claim (announced, agreed,
        demanded, proposed, threatened) with no time is dated by its report; an old value
        ("from 1%") never takes the deadline of the new one."""
        s_start, s_end = layout.sentence(quantity.start)
        text = layout.match_text
        candidates = times_in(times, s_start, s_end)
        if status == "target":
            candidates = [t for t in candidates if t.kind in AHEAD] or candidates
        else:
            candidates = times_in(times, s_start, s_end, ahead=False)
            effective = [t for t in candidates if t.start >= quantity.end
                         and _EFFECTIVE.search(text[max(s_start, t.start - 16):t.start])]
            if effective and status in ("announced", "threatened"):
                return effective[0].value
        if candidates:
            # a time before the number that "and" parts from it dates the conjunct before
            # ("imposed 25% on steel in March and imposed 25% on cars in April")
            own = [t for t in candidates if t.start >= quantity.end
                   or not _CONJUNCT.search(text, t.end, quantity.start)] or candidates
            nearest = min(own, key=lambda t: min(abs(t.start - quantity.end),
                                                 abs(quantity.start - t.end)))
            return nearest.value
        if status == "target":
            return None
        if status in ("announced", "threatened") and s_end < len(text):
            # "... a 25% tariff on all cars," he said. "The duties take effect on April 3."
            following = _SPACE.match(text, s_end).end()
            n_start, n_end = layout.sentence(min(following, len(text) - 1))
            takes_effect = _TAKES_EFFECT.search(text, n_start, n_end)
            if takes_effect:
                later = times_in(times, takes_effect.end(), n_end, ahead=False)
                if later:
                    return later[0].value
        if status == "agreed" and self.deal is not None:
            dated = _deal_time(self.deal, times, layout, s_start)
            if dated:
                return dated
        if current:
            return reported  # "which already face a 25% tariff": as of the report
        earlier = _earlier_in_paragraph(times, layout, s_start)
        if earlier or status == "actual":
            return earlier
        return reported


def _pair(quantities: list[Quantity], i: int) -> tuple[Quantity, Quantity, Quantity]:
    """The first and last number of the range or transition quantity ``i`` belongs to (itself
    alone when none) and the one whose context names both: the second of a range or of
    "from 25% to 15%" ("10 to 20 percent levy on imports"), the first of "to 15% from 25%"."""
    quantity = quantities[i]
    after = quantities[i + 1] if i + 1 < len(quantities) else None
    before = quantities[i - 1] if i > 0 else None
    if after is not None and (quantity.role, after.role) in _PAIRS:
        return quantity, (quantity if quantity.role == "to" else after), after
    if before is not None and (before.role, quantity.role) in _PAIRS:
        return before, (before if before.role == "to" else quantity), quantity
    # "to 15%, including the existing 2.5% duty, from 27.5%": an aside between the two
    if quantity.role == "to" and i + 2 < len(quantities) and quantities[i + 2].role == "from":
        return quantity, quantity, quantities[i + 2]
    if quantity.role == "from" and i >= 2 and quantities[i - 2].role == "to":
        return quantities[i - 2], quantities[i - 2], quantity
    return quantity, quantity, quantity


def _clause(text: str, first: Quantity, last: Quantity, start: int, end: int) -> tuple[int, int]:
    """The window [start, end) cut to the clause of the number: a contrast ("threatened with
    30% in a letter, but settled at 15%") opens a clause with its own status, and its own
    words that rule an indicator out ("to 90%, while Beijing retaliated")."""
    before = _last(_CONTRAST.finditer(text, start, first.start))
    after = _CONTRAST.search(text, last.end, end)
    return (before.end() if before else start), (after.start() if after else end)


def _between(text: str, first: Quantity, last: Quantity, others: list[tuple[int, int]],
             start: int, end: int) -> tuple[int, int]:
    """The window [start, end) cut where the words of the figures either side begin: at the
    last "and", "or" or comma between a figure and this one ("a $120 billion fund for new
    plants and $40 billion in gas purchases": "plants" is the first figure's word)."""
    for a, b in others:
        if b <= first.start and b > start - 1:
            joins = _last(_JOIN.finditer(text, b, first.start))
            start = max(start, joins.end() if joins else b)
        elif a >= last.end and a < end:
            joins = _last(_JOIN.finditer(text, last.end, a))
            end = min(end, joins.start() if joins else a)
    return start, end


def _shared_start(quantities: list[Quantity], i: int, layout: Layout, cue_start: int) -> int:
    """Where the cue window of number ``i`` starts: a number coordinated with the one before
    it ("pledged $8 billion of farm goods and $550 billion of investment") shares what that
    one's window names."""
    quantity = quantities[i]
    if i == 0 or quantity.role is not None:
        return cue_start
    before = quantities[i - 1]
    if quantity.start - before.end < _COORDINATION_CHARS \
            and _COORDINATED.fullmatch(layout.match_text, before.end, quantity.start) \
            and layout.sentence(before.start) == layout.sentence(quantity.start):
        return min(cue_start, layout.window(before.start, before.end, CUE_WORDS)[0])
    return cue_start


def _last(matches: Iterable[re.Match[str]]) -> re.Match[str] | None:
    """The last match: the relative clause nearest the number is the one it stands in."""
    tail = deque(matches, maxlen=1)
    return tail[0] if tail else None


def _others(text: str, quantities: list[Quantity], starts: list[int], first: Quantity,
            last: Quantity, lo: int, hi: int,
            parts: frozenset[int] | set[int] = frozenset()) -> list[tuple[int, int]]:
    """The spans of the numbers in [lo, hi) other than this one (``first`` to ``last``, the
    two ends of a range or transition) and its conversion ("211 billion yen ($1.5 billion)");
    the span of a part begins with the words that make it one ("including the existing")."""
    i = max(0, bisect_left(starts, lo) - 1)
    spans = []
    while i < len(quantities) and quantities[i].start < hi:
        q = quantities[i]
        if q.end > lo and q is not first and q is not last \
                and not _GLOSS.fullmatch(text, q.end, first.start) \
                and not _GLOSS.fullmatch(text, last.end, q.start):
            spans.append((_component_span(text, q) if i in parts else q.start, q.end))
        i += 1
    return spans


def _status_in_context(found: list[ObservationMatch], indicator: Indicator,
                       quantity: Quantity, layout: Layout, status: str,
                       evidence: StatusEvidence) -> tuple[str, StatusEvidence]:
    """A number with no status cue of its own shares the status of the figure of the same unit
    stated before it in the paragraph: figures in a row report the same act ("Trump announced
    tariffs on April 2 ... Japan's rate was set ... with Japan facing 24%")."""
    start = layout.paragraph_start(quantity.start)
    for match in reversed(found):
        if match.start < start:
            break
        if match.unit == indicator.unit and match.evidence.how not in ("default", "context") \
                and (not indicator.statuses or match.status in indicator.statuses):
            return match.status, StatusEvidence("context")
    return status, evidence


def _deal_time(deal: re.Pattern[str], times: list[TimeExpr], layout: Layout,
               s_start: int) -> str | None:
    """When the deal a value belongs to was made: the time nearest the last deal word earlier
    in the paragraph, in that word's sentence ("the agreement with Japan of July 22"); a time
    after "since" opens a period ("his eighth trip since April") and dates no deal."""
    start = layout.paragraph_start(s_start)
    text = layout.match_text
    for match in reversed(list(deal.finditer(text[start:s_start].lower()))):
        at = start + match.start()
        c_start, c_end = layout.sentence(at)
        dated = [t for t in times_in(times, c_start, c_end, ahead=False)
                 if not _SINCE.search(text, max(c_start, t.start - 7), t.start)]
        if dated:
            return min(dated, key=lambda t: abs(t.start - at)).value
    return None


def _one_per_fact(found: list[ObservationMatch]) -> list[ObservationMatch]:
    """One record per indicator, value and status in a document, as for events: a figure
    repeated (headline, lead, body) is one fact. The first mention is kept, unless a later one
    dates it more precisely ("in July", then "on July 22"); a mention with no status words of
    its own repeats a figure stated elsewhere with them, whatever status it defaulted to."""
    kept: dict[tuple[str, float, str], ObservationMatch] = {}
    stated = {(m.indicator, m.value, m.status) for m in found if m.evidence != DEFAULT}
    figures = {key[:2] for key in stated}
    for match in found:
        if match.evidence == DEFAULT and (match.indicator, match.value) in figures \
                and (match.indicator, match.value, match.status) not in stated:
            continue  # no words of its own: the figure repeated, not a new status of it
        key = (match.indicator, match.value, match.status)
        old = kept.get(key)
        if old is None or (match.when is not None and (
                old.when is None or (len(match.when) > len(old.when)
                                     and match.when.startswith(old.when)))):
            kept[key] = match
    return sorted(kept.values(), key=lambda m: m.start)


def _reach(groups: tuple[re.Pattern[str], ...], context: str, start: int, end: int,
           others: Iterable[tuple[int, int]] = ()) -> int | None:
    """How far from the number (the span [start, end) of ``context``) the farthest cue group
    is matched, in steps of a few words (within a step, priority decides); None when a group
    has no match. A cue nearer another number (``others``) is taken as ``OWNED_PENALTY``
    farther, unless it stands in the phrase that follows this number and says what the number
    applies to ("30% duties on every steel and aluminium import and 20% on trucks"); so is one
    after another number that a new clause parts from this one ("25% on cars and steel, and
    the 10% baseline")."""
    farthest = 0
    for group in groups:
        distances = []
        for m in group.finditer(context):
            distance = span_gap(m.start(), m.end(), start, end)
            if (any(span_gap(m.start(), m.end(), a, b) < distance for a, b in others)
                    and not _OWN_OBJECT.fullmatch(context, end, m.start())) \
                    or (m.end() <= start and any(b <= m.start() for _, b in others)
                        and _NEW_CLAUSE.search(context, m.end(), start)):
                distance += OWNED_PENALTY
            distances.append(distance)
        if not distances:
            return None
        farthest = max(farthest, min(distances))
    return farthest // REACH_STEP


def _fits(cues: _Cues, quantity: Quantity, phrase: str, *, level: bool,
          state: tuple[str, str] | None) -> bool:
    """Whether ``quantity`` can fill the indicator: its unit fits, nothing in its own
    ``phrase`` rules the indicator out, and the rate is not tied to another ``state``."""
    return _unit_fits(cues.indicator, quantity, level=level) \
        and not _excluded(cues, phrase) and not _other_state(cues.indicator, state)


def _unit_fits(indicator: Indicator, quantity: Quantity, *, level: bool) -> bool:
    """Whether the quantity is of a kind the indicator's unit takes; a share of GDP also takes
    a bare percentage read as a level. A yen or euro figure is never a dollar value."""
    unit = indicator.unit
    if not (quantity.kind in KINDS_FOR_UNIT[unit] or
            (level and unit == "percent_gdp" and quantity.kind == "percent")):
        return False
    return quantity.kind != "money" or quantity.currency in ("USD", None)


def _excluded(cues: _Cues, phrase: str) -> bool:
    return cues.exclude is not None and bool(cues.exclude.search(phrase))


def _other_state(indicator: Indicator, state: tuple[str, str] | None) -> bool:
    """Whether the rate is tied to a ``state`` the indicator's implied event does not
    concern (a rate "for" a state concerns its target only)."""
    event = indicator.event
    return state is not None and event is not None and state[0] not in (
        (event.target,) if state[1] == "for" else (event.source, event.target))


def _groups_in(groups: tuple[re.Pattern[str], ...], text: str) -> int:
    """How many of the cue ``groups`` have a word in ``text``."""
    return sum(1 for group in groups if group.search(text))


@lru_cache(maxsize=4)
def _lowered(text: str) -> str:
    """The document's text in lower case, made once for all its numbers."""
    return text.lower()


def _own_list(text: str, span: tuple[int, int], sentence: tuple[int, int]) -> list[tuple[int, int]]:
    """The items, as spans, of the list that stands right after the number at ``span`` ("25%
    tariffs on cars, steel and aluminum") or, failing that, right before it ("car and steel
    duties of 25%"), in its sentence; none when no list is that near."""
    lowered = _lowered(text)
    found = None
    for match in _LIST.finditer(lowered, span[1], min(sentence[1], span[1] + 240)):
        if _LIST_GAP.fullmatch(lowered, span[1], match.start()) \
                and not _FIGURE_AFTER.match(lowered, match.end(), sentence[1]):
            found = match
        break
    if found is None:
        lo = max(sentence[0], span[0] - 240)
        found = _last(m for m in _LIST.finditer(lowered, lo, span[0])
                      if _LIST_GAP.fullmatch(lowered, _after_comma(lowered, m.end()), span[0])
                      and _WORD.search(lowered, m.end(), span[0]))
    if found is None:
        return []
    return [(m.start(), m.end()) for m in _LIST_ITEMS.finditer(lowered, found.start(), found.end())]


def _after_comma(text: str, at: int) -> int:
    """Past a comma that closes a list before its number ("on cars and steel, from 10% to
    25%")."""
    return at + 1 if text.startswith(",", at) else at


def _names(cues: _Cues, groups: set[str], item: str) -> bool:
    """Whether one of the indicator's cue ``groups`` (by pattern) has a word in ``item``."""
    return any(g.pattern in groups and g.search(item) for g in cues.groups)


def _phrase(words: str) -> str:
    """A number's own phrase as exclusions read it: in lower case, with a percent sign spelt as
    the word, so that one entry ("percent of") stands for "15% of" and "15 percent of"."""
    return _PERCENT_SIGN.sub(" percent", words.lower())


def _nearest_state_before(mentions, offset: int, layout: Layout,
                          quantities: list[Quantity]) -> str | None:
    """The state that states or sets the figure at ``offset``: the nearest acting one before
    it in its sentence, passing over a state that another rate of a list is for ("46% on
    Vietnam and 24% on Japan": Vietnam sets neither)."""
    s_start, _ = layout.sentence(offset)
    text = layout.match_text
    owned = [q for q in starting_in(quantities, s_start, offset) if q.kind == "percent"]
    before = [m for m in starting_in(mentions, s_start, offset) if m.acts_for_state and m.state
              and not any(q.end <= m.start and _OWN_STATE_AFTER.fullmatch(text, q.end, m.start)
                          for q in owned)]
    return before[-1].state if before else None


def _allows(indicator: Indicator, status: str) -> bool:
    return not indicator.statuses or status in indicator.statuses


def _components(text: str, quantities: list[Quantity], layout: Layout) -> set[int]:
    """The numbers that are a part of a rate named beside them in their sentence ("15%,
    including the existing 2.5% duty"; "25% on top of the 2.5% base rate"), by index: a part
    needs a whole of its kind in the sentence, before it for "including", either side for
    "on top of"."""
    parts: set[int] = set()
    for i, quantity in enumerate(quantities):
        if quantity.role is not None:
            continue
        s_start, s_end = layout.sentence(quantity.start)
        lead = _COMPONENT_LEAD.search(text, max(s_start, quantity.start - _COMPONENT_CHARS),
                                      quantity.start)
        if lead is None:
            continue
        wholes = [q for q in quantities if q is not quantity and q.kind == quantity.kind
                  and s_start <= q.start < s_end
                  and (q.end <= lead.start() or (lead["either"] and q.start >= quantity.end))]
        if wholes:
            parts.add(i)
    return parts


def _component_span(text: str, quantity: Quantity) -> int:
    """Where the words that make ``quantity`` a part begin ("including the existing ...")."""
    lead = _COMPONENT_LEAD.search(text, max(0, quantity.start - _COMPONENT_CHARS),
                                  quantity.start)
    return lead.start() if lead else quantity.start


def _conditional(text: str, s_start: int, quantity: Quantity, clause_end: int) -> bool:
    """Whether a condition governs the number: an "if" or "unless" clause that opens its
    sentence before it, or one that follows it in its clause."""
    before = _CONDITION_BEFORE.match(text, s_start, quantity.start)
    return bool(before) or bool(_CONDITION_AFTER.match(text, quantity.end, clause_end))


def _own_state(text: str, quantity: Quantity, mentions) -> tuple[str, str] | None:
    """The party a rate is tied to by the words next to it, and how: ("VNM", "for") for "46%
    for Vietnam", ("", "for") for a party that is no known state ("20% for the EU"),
    ("JPN", "of") for "Japan's 24%". In a list of rates each one is its own party's."""
    after = starting_in(mentions, quantity.end, quantity.end + 40)
    if after and _OWN_STATE_AFTER.fullmatch(text, quantity.end, after[0].start):
        return after[0].state, "for"
    other = _OTHER_PARTY.match(text, quantity.end)
    if other and not any(m.start == other.start("name") for m in after) \
            and other["name"].lower().rstrip(".") not in MONTHS \
            and other["name"].lower().rstrip(".") not in WEEKDAYS:
        return "", "for"
    before = [m for m in mentions if quantity.start - 40 <= m.end <= quantity.start]
    if before and _OWN_STATE_BEFORE.fullmatch(text, before[-1].end, quantity.start):
        return before[-1].state, "of"
    subject = [m for m in mentions if quantity.start - 120 <= m.end <= quantity.start]
    for mention in reversed(subject):
        if _STATE_FACES.fullmatch(text, mention.end, quantity.start) and \
                not _PREPOSITION_BEFORE.search(text, max(0, mention.start - 16), mention.start):
            return mention.state, "faces"
    return _state_of_clause(text, quantity, subject)


def _state_of_clause(text: str, quantity: Quantity, mentions) -> tuple[str, str] | None:
    """The state that the clause of a rate names before it as the goods it falls on ("the
    duty on Indian goods rose to 50%": ("IND", "for")) or as its subject ("Brazil was hit with
    a 50% tariff": ("BRA", "of")); none when the clause names neither."""
    breaks = list(_CLAUSE_BREAK.finditer(text, max(0, quantity.start - 160), quantity.start))
    clause_start = breaks[-1].end() if breaks else max(0, quantity.start - 160)
    for mention in reversed([m for m in mentions if m.start >= clause_start]):
        if _GOODS_OF.search(text, clause_start, mention.start):
            return mention.state, "for"
        if _CLAUSE_OPENING.fullmatch(text, clause_start, mention.start):
            return mention.state, "of"
    return None


def _before_the_change(times: list[TimeExpr], layout: Layout, offset: int) -> str | None:
    """The time stated earlier in the paragraph when it precedes every time of the sentence at
    ``offset`` ("In 2022 Japan spent 1% ... It will lift spending from 1% to 2% by 2027"): the
    old value's, not the change's."""
    s_start, s_end = layout.sentence(offset)
    own = [t.value for t in times_in(times, s_start, s_end)]
    earlier = _earlier_in_paragraph(times, layout, s_start)
    if earlier is None or not own:
        return None
    if all(earlier[:min(len(earlier), len(t))] < t[:min(len(earlier), len(t))] for t in own):
        return earlier
    return None


def _superseded(found: list[ObservationMatch], past: list[tuple[int, Quantity]],
                at: dict[int, int], quantities: list[Quantity], layout: Layout,
                times: list[TimeExpr]) -> list[ObservationMatch]:
    """An in-force value in the past tense followed in its sentence by another value of its
    unit that is not in force, or by a number of its kind still to come ("cars paid 2.5%;
    under the deal they will face 15%"), is
    the old value of a change: it keeps only a time of its own clause, before the new value,
    or one that precedes the sentence, and is otherwise left undated."""
    out = list(found)
    for index, quantity in past:
        match = found[index]
        s_start, s_end = layout.sentence(quantity.start)
        later = [at[i] for i in range(index + 1, len(found)) if i in at
                 and found[i].unit == match.unit and found[i].value != match.value
                 and found[i].status != "actual" and s_start <= at[i] < s_end]
        later += [q.start for q in starting_in(quantities, quantity.end, s_end)
                  if q.kind == quantity.kind and q.value != quantity.value
                  and direction_at(layout.match_text, q.start, q.end) == FUTURE]
        later.sort()
        if not later:
            continue
        own = times_in(times, s_start, later[0], ahead=False)
        when = own[-1].value if own else _before_the_change(times, layout, quantity.start)
        out[index] = replace(match, when=when, rule=f"{match.rule}+superseded")
    return out


def _earlier_in_paragraph(times: list[TimeExpr], layout: Layout, s_start: int) -> str | None:
    """The latest time stated earlier in the paragraph, leaving out one after "since", which
    opens a period ("his eighth trip since April") and dates nothing said later."""
    text = layout.match_text
    earlier = [t for t in times_in(times, layout.paragraph_start(s_start), s_start, ahead=False)
               if not _SINCE.search(text, max(0, t.start - 7), t.start)]
    return earlier[-1].value if earlier else None
