"""Events: a trigger word of the dossier's event vocabulary between two states' mentions in one
sentence becomes a PLOVER-coded event, unless the sentence negates it or makes it hypothetical."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from spacy.tokens import Doc

from bilateral.dossier import Dossier
from bilateral.extract.actors import Mention
from bilateral.extract.context import (
    Layout,
    check_budget,
    report_month,
    span_gap,
    starting_in,
    time_earlier_in_paragraph,
    time_options,
    times_in,
    word_pattern,
    word_trie,
)
from bilateral.extract.decisions import (
    NO_EVENT,
    EventCandidate,
    EventTypeComponent,
    FactualityCandidate,
    FactualityComponent,
    PairCandidate,
    PairComponent,
    Party,
    RuleEventType,
    RuleFactuality,
    RulePair,
    RuleWhen,
    WhenCandidate,
    WhenComponent,
)
from bilateral.extract.tense import FUTURE, PAST, dates_the_report, direction_at
from bilateral.records import SYMMETRIC_TYPES, dyad

#: "may" in lower case is the modal ("may raise tariffs"); "May" is also the month, so it is
#: told apart by case, which the dossier's lower-case word lists cannot do.
_MODAL_MAY = re.compile(r"\bmay\b")
#: How many characters before a trigger, within its clause, a negation or hypothetical word
#: may stand (some six words: "has avoided repeating his earlier criticisms of Japan").
GUARD_CHARS = 40
#: Punctuation that ends the clause a negation or hypothetical word must share with a trigger.
_GUARD_BREAKS = (",", ";", ":", "(", ")", "\u2014")
#: A trigger that ends in a preposition ("tariffs on", "trip to", "took aim at") names its
#: object next, so its source is a state before it ...
_ENDS_IN_PREPOSITION = re.compile(r"\b(?:on|at|to|against|with|from|into|for|of)$")
#: ... and an object that points back ("duties on these partners would harm Japan too") is
#: not a state named later in the sentence ...
_POINTS_BACK = re.compile(r"\s*(?:those|these|them|it|such|this|that|their|its)\b",
                          re.IGNORECASE)
#: ... nor one in another clause ("tariffs on steel as talks with Japan went on").
_CONJUNCTION = re.compile(r"\b(?:as|while|whereas|because|but|although|though|which|who|"
                          r"when|after|before|since)\b", re.IGNORECASE)
#: At most a word before a trigger that opens its sentence; a participle opening it
#: ("Speaking to Ishiba, Xi said ...") has its subject after the opening clause.
_OPENS_SENTENCE = re.compile(r"\W*(?:\w+\s+){0,1}")
_PARTICIPLE = re.compile(r"\w+ing\b", re.IGNORECASE)
#: A speaker reports an act ("Kihara said Trump is expected to meet ..."), not a party to it.
_SPEAKS = re.compile(r"(?:'s(?:\s+[a-z-]+){1,3})?\s+(?:said|says|told|added|noted|stated)\b")
#: Words a possessive may stand before the noun it qualifies ("Trump's 2019 Yokosuka visit").
NOUN_WORDS = 3
#: A preposition (and article) just before a mention: the mention sits inside its phrase.
_PREPOSITION_BEFORE = re.compile(
    r"\b(?:over|on|about|of|against|regarding|with|to|for|from|at|in|into|by)\s+(?:the\s+)?$",
    re.IGNORECASE)
#: A locative phrase before a state's mention: "a summit in Canada", "held in the Hague,
#: Netherlands", "at the G7 in Kananaskis, Canada", "en route from Tokyo".
_PLACE_BEFORE = re.compile(
    r"\b(?:[Ii]n|en route (?:from|to))\s+(?:the\s+)?"
    r"(?:(?:[A-Z][\w.'\u2019-]*|eastern|western|northern|southern|central),?\s+){0,3}$")
#: What may stand before a phrase that opens its sentence or clause.
_OPENS_CLAUSE = re.compile(r"(?:^|[,;:\u2014])\W*$")
_ARTICLE_ONLY = re.compile(r"\s*(?:the\s+)?", re.IGNORECASE)
#: Acts whose party may be named as a place: an investment "in the United States" is in it.
_PLACE_MAY_BE_PARTY = frozenset({"AID"})
#: How many sentences back a pronoun may refer.
ANTECEDENT_SENTENCES = 2
#: A trigger whose object is a pronoun ("turned down his request", "criticised them") acts
#: on a state named before, not on the next one.
_OBJECT_PRONOUN = re.compile(r"\s+(?:him|her|his|its|their|them)\b", re.IGNORECASE)
#: A sentence whose subject is a pronoun ("He took aim at Germany and Japan"), after at most
#: a short opening ("On Monday, she ...").
_SUBJECT_PRONOUN = re.compile(r"\W*(?:[\w.]+\s+){0,3}?[\w.]*,?\s*\b(he|she|they|it)\b(?!')",
                              re.IGNORECASE)
#: With no state before the trigger, the states after it are its two parties only when the
#: trigger introduces them ("talks between Japan and China", "the visit of Poland's foreign
#: minister to Tokyo"), not when they are its objects ("visited Taiwan, Thailand and Korea").
_BETWEEN = re.compile(r"\b(?:between|among|with|of|to|by)\b", re.IGNORECASE)
#: A trigger followed, within a few words, by "between"/"among" names both its parties after
#: it ("a ceasefire agreement between Thailand and Cambodia"), whoever stands before it (the
#: host or mediator of a deal between two others is no party to it).
_BOTH_PARTIES_NEXT = re.compile(r"[^\w.;:]*(?:[\w-]+\s+){0,3}?(?:between|among)\s+(?:the\s+)?",
                                re.IGNORECASE)

#: A headline: a line with no closing stop whose longer words are all capitalised. It names
#: the story the body reports in full (with the time and parties a headline drops), so its
#: words are not coded as an act of their own.
_LONG_WORD = re.compile(r"\b[^\W\d_][\w'\u2019-]{4,}")
HEADLINE_WORDS = 3


def _is_headline(line: str) -> bool:
    line = line.strip()
    if not line or line[-1] in ".!?\"\u201d":
        return False
    words = _LONG_WORD.findall(line)
    return len(words) >= HEADLINE_WORDS and all(w[0].isupper() for w in words)


@dataclass(frozen=True)
class EventMatch:
    type: str
    source: str
    target: str
    when: str | None
    start: int  # the quote: from the first actor to the last, trigger included
    end: int
    rule: str
    source_actor: str | None
    target_actor: str | None
    trigger: str | None


class EventStage:
    name = "events"
    requires = ("layout", "actors", "times", "observations")
    assigns = ("events",)

    def __init__(self, dossier: Dossier, when: WhenComponent | None = None,
                 event_type: EventTypeComponent | None = None,
                 pair: PairComponent | None = None,
                 factuality: FactualityComponent | None = None) -> None:
        self.when_decision = when or RuleWhen()
        self.type_decision = event_type or RuleEventType()
        self.pair_decision = pair or RulePair()
        self.factuality_decision = factuality or RuleFactuality()
        # (type, how the trigger works), one per word list of self.scan; type None: a phrase
        # that codes nothing
        self.rules: list[tuple[str | None, str]] = []
        lists: list[list[str]] = []
        for rule in dossier.events:
            for kind, how, words in ((rule.type, "act", rule.triggers),
                                     (rule.type, "dated", rule.dated_triggers),
                                     (rule.type, "said", rule.said_triggers),
                                     (rule.type, "passive", rule.passive_triggers),
                                     (None, "act", rule.not_triggers)):
                if words:
                    self.rules.append((kind, how))
                    lists.append(words)
        self.scan = _one_scan(lists)
        self.implied = {i.id: i.event for i in dossier.indicators if i.event}
        self.acts = {i.id: word_pattern(i.event.acts) for i in dossier.indicators
                     if i.event and i.event.acts}
        self.negation = word_pattern(dossier.negations)
        self.hypothetical = word_pattern(dossier.hypotheticals)
        self.cues = (("negation", self.negation), ("hypothetical", self.hypothetical))

    def __call__(self, doc: Doc) -> Doc:
        layout: Layout = doc._.layout
        text = doc._.layout.match_text
        # A reported event with no time of its own happened around when it was reported.
        published = doc._.document.published if doc._.document else None
        reported = report_month(published)
        found: dict[tuple[str, str, str, str | None], EventMatch] = {}
        coded: set[tuple[str, str, str]] = set()  # the types and pairs coded from words
        # the found keys of acts coded with no time of their own
        undated: dict[tuple[str, str, str], tuple[str, str, str, str | None]] = {}
        acting = [m for m in doc._.actors if m.acts_for_state and m.state]
        for i, (s_start, s_end) in enumerate(layout.sentences):
            check_budget(doc)
            mentions = starting_in(acting, s_start, s_end)
            if not mentions:
                continue
            # what a pronoun may refer back to: the two sentences before, paragraph or not
            context_start = layout.sentences[max(0, i - ANTECEDENT_SENTENCES)][0]
            earlier = starting_in(acting, context_start, s_start)
            if len({m.state for m in mentions}) < 2 and not earlier:
                continue
            if _is_headline(text[s_start:s_end]):
                continue
            sentence = text[s_start:s_end].lower()
            triggers = self._triggers(sentence)
            repeated_here: set[tuple[str, str, str]] = set()
            for n, (kind, how, start, end) in enumerate(triggers):
                # a negation or condition governs the trigger only from within its clause
                opening = max(start - GUARD_CHARS, 0,
                              *(sentence.rfind(c, 0, start) + 1 for c in _GUARD_BREAKS))
                guard = self._guard(text, sentence, s_start, opening, start)
                if guard is not None and not self.factuality_decision.reads_context:
                    continue
                if how != "said" and _object_of_act(triggers[:n], sentence, start, end, opening,
                                                kind):
                    continue  # "threatened a tariff on Japan", "lowered duties on Korean goods"
                if _ATTRIBUTIVE.search(sentence, max(0, start - 6), start) \
                        and sentence[start:end].split()[0].endswith("ed"):
                    continue  # "Trump's threatened tariffs", "self-imposed": a thing, no act
                if kind == "CONSULT" and _BACKDROP.search(
                        sentence, max(0, start - BACKDROP_CHARS), start):
                    continue  # "following tariff talks": the scene of another act
                parties_here = mentions
                if kind not in _PLACE_MAY_BE_PARTY:
                    # "a summit in Canada", "en route from Tokyo": a place, not a party,
                    # unless it is the trigger's own object ("arrived in Seoul")
                    parties_here = [m for m in mentions
                                    if not _named_as_place(m, text, s_start, s_start + end)]
                pair = _parties(how, kind, parties_here, earlier, text, (s_start, s_end),
                                s_start + start, s_start + end)
                if pair is None:
                    continue
                if self.pair_decision.reads_options:
                    pair = self._decide_pair(text, (s_start, s_end),
                                             (s_start + start, s_start + end), kind, pair,
                                             parties_here, mentions)
                # what the factuality and type decisions read, built once for both
                proposed = event_candidate(
                    text, (s_start, s_end), (s_start + start, s_start + end), kind, pair,
                    mentions, self.cues) if self.factuality_decision.reads_context \
                    or self.type_decision.reads_context else None
                if self.factuality_decision.reads_context and not \
                        self.factuality_decision.predict([FactualityCandidate(
                            proposed, guard)])[0].reported:
                    continue
                if self.type_decision.reads_context:
                    kind = self.type_decision.predict([proposed])[0].type
                    if kind == NO_EVENT:
                        continue
                nearest = _nearest_time(doc._.times, s_start, s_end, s_start + start,
                                        s_start + end, text, kind)
                own_time = nearest.value if nearest else None
                if how == "dated" and own_time is None:
                    continue
                rule_when = (own_time or time_earlier_in_paragraph(doc._.times, layout, s_start)
                             or reported)
                when = self.when_decision.predict([WhenCandidate(
                    text=text, span=(s_start + start, s_start + end), what=kind, unit="event",
                    published=published, rule_when=rule_when,
                    options=time_options(s_start + start, doc._.times, layout, reported,
                                         rule_when) if self.when_decision.reads_options else (),
                    event=(kind, pair[0].state, pair[1].state))])[0].when
                for source, target in _expand(pair, mentions, text, kind):
                    # one event per type, pair and month: the same visit is mentioned again
                    # with the day of the briefing or of the report
                    parties = dyad(kind, source.state, target.state)
                    key = (kind, *parties, when and when[:7])
                    if key in found:
                        continue
                    if (kind, *parties) in repeated_here or ((kind, *parties) in coded and \
                            how != "said" and
                            _refers_back(text, s_start + start, s_start + end, nearest)):
                        # "the talks", "during his visit": the act coded before, and so is
                        # what the sentence goes on to say of it ("the deal was signed")
                        repeated_here.add((kind, *parties))
                        first = undated.pop((kind, *parties), None)
                        if own_time is not None and first in found:
                            # the act was first told with no time of its own ("the two
                            # struck a deal"); the mention that refers back to it with a
                            # time ("the deal of July 30") dates it
                            found[key] = replace(found.pop(first), when=when)
                        continue
                    coded.add((kind, *parties))
                    if own_time is None:
                        undated[(kind, *parties)] = key
                    quoted = [m for m in (source, target) if m.start >= s_start]
                    quote_start = min([m.start for m in quoted] + [s_start + start])
                    quote_end = max([m.end for m in quoted] + [s_start + end])
                    found[key] = EventMatch(
                        type=kind, source=source.state, target=target.state, when=when,
                        start=quote_start, end=quote_end, rule=f"event.trigger/{kind}",
                        source_actor=layout.text[source.start:source.end],
                        target_actor=layout.text[target.start:target.end],
                        trigger=sentence[start:end])
        for observation in doc._.observations or ():
            event = self.implied.get(observation.indicator)
            if event is None or observation.status not in event.statuses:
                continue
            cue = observation.status_cue
            if observation.status == "actual" and event.acts and not (
                    cue and self.acts[observation.indicator].fullmatch(
                        text[cue[0]:cue[1]].lower())):
                continue  # a value in force, not the act that set it
            sentence = layout.sentence(observation.start)
            when = observation.when or reported
            if observation.status == "announced":
                # the act is the announcement: dated when it was made, not when the measure
                # it announces takes effect
                when = (_time_of_act(doc._.times, *sentence, text)
                        or time_earlier_in_paragraph(doc._.times, layout, sentence[0])
                        or reported)
            pair = dyad(event.type, event.source, event.target)
            if any(k[:3] == (event.type, *pair) and (
                    k[3] == when or k[3] is None or when is None or k[3][:7] == when[:7]
                    or layout.sentence(m.start) == sentence) for k, m in found.items()):
                continue  # the words of the sentence, or another report of it, coded it
            found[(event.type, *pair, when)] = EventMatch(
                type=event.type, source=event.source, target=event.target, when=when,
                start=observation.start, end=observation.end,
                rule=f"event.from-observation/{observation.indicator}",
                source_actor=None, target_actor=None, trigger=None)
        doc._.events = list(found.values())
        return doc

    def _guard(self, text: str, sentence: str, s_start: int, opening: int,
               start: int) -> tuple[str, int, int] | None:
        """The negation, hypothetical or lower-case "may" nearest before the trigger at
        ``start`` of ``sentence``, from the ``opening`` of its clause, as (kind, span in
        ``text``); None when there is none."""
        found = [(m.start(), m.end(), kind) for kind, pattern in self.cues
                 for m in pattern.finditer(sentence, opening, start)]
        found += [(m.start() - s_start, m.end() - s_start, "modal")
                  for m in _MODAL_MAY.finditer(text, s_start + opening, s_start + start)]
        if not found:
            return None
        a, b, kind = max(found)
        return kind, s_start + a, s_start + b

    def _decide_pair(self, text: str, sentence: tuple[int, int], trigger: tuple[int, int],
                     kind: str, pair: tuple[Mention, Mention], parties: list[Mention],
                     mentions: list[Mention]) -> tuple[Mention, Mention]:
        """The pair the pair decision chooses among the states' mentions nearest the trigger
        on either side (and the rules' pair, which may stand before the sentence)."""
        offered = [*parties, *(m for m in pair if m not in parties)]
        nearest: dict[tuple[str, bool], Mention] = {}
        for mention in offered:
            before = mention.end <= trigger[0]
            key = (str(mention.state), before)
            best = nearest.get(key)
            if best is None or span_gap(mention.start, mention.end, *trigger) \
                    < span_gap(best.start, best.end, *trigger):
                nearest[key] = mention
        chosen = [*nearest.values(), *(m for m in pair if m not in nearest.values())]
        decided = self.pair_decision.predict([PairCandidate(
            event=event_candidate(text, sentence, trigger, kind, pair, mentions, self.cues),
            parties=tuple(Party(str(m.state), (m.start, m.end)) for m in chosen),
            symmetric=kind in SYMMETRIC_TYPES)])[0]
        by_span = {(m.start, m.end): m for m in chosen}
        return by_span[decided.source.span], by_span[decided.target.span]

    def _triggers(self, sentence: str) -> list[tuple[str, str, int, int]]:
        """Non-overlapping trigger matches (type, how it works, span), the longest at any
        place winning; where a phrase that is not a trigger wins ("seeks to"), nothing is coded."""
        hits = [(*self.rules[i], start, end)
                for i, start, end in matches_per_list(self.scan, len(self.rules), sentence)]
        hits.sort(key=lambda h: (h[2], -(h[3] - h[2])))
        chosen: list[tuple[str | None, str, int, int]] = []
        for hit in hits:
            if not chosen or hit[2] >= chosen[-1][3]:
                chosen.append(hit)
        return [hit for hit in chosen if hit[0] is not None]


def matches_per_list(scan: re.Pattern[str], lists: int,
                     sentence: str) -> list[tuple[int, int, int]]:
    """(list index, start, end) of each match of each word list in one pass of ``scan`` (see
    ``_one_scan``): at each place any list matches, each list's longest phrase there, a list's
    next match starting after its last, as its own ``finditer`` would."""
    found: list[tuple[int, int, int]] = []
    ends = [0] * lists
    for match in scan.finditer(sentence):
        for i in range(lists):
            start, end = match.span(i + 1)
            if start >= ends[i]:
                found.append((i, start, end))
                ends[i] = end
    return found


def _one_scan(lists: list[list[str]]) -> re.Pattern[str]:
    """One regex that stops where a phrase of any of the word ``lists`` starts and captures,
    in group i + 1, the longest phrase of list i that starts there: the trigger lists are
    scanned once per sentence rather than once each."""
    anywhere = word_trie(word for words in lists for word in words)
    each = "".join(rf"(?:(?=({word_trie(words)})(?![\w]))|)" for words in lists)
    return re.compile(rf"(?<![\w])(?=(?:{anywhere})(?![\w])){each}")


#: What before a participle makes it qualify a noun ("Trump's threatened tariffs",
#: "a self-imposed deadline") rather than report an act.
_ATTRIBUTIVE = re.compile(r"(?:'s\s+|\bself-)$")
#: How many words may stand between a trigger noun and a time of its own phrase ("the trip
#: to South Korea in late October").
OWN_PHRASE_WORDS = 6
#: A determiner (and up to two modifiers) before a trigger noun that makes it definite:
#: "the talks", "that deal", "during his visit", "the leaders' two-hour meeting".
_DEFINITE_BEFORE = re.compile(
    r"\b(?:the|this|that|these|those|his|her|their|its|[\w.-]+['\u2019]s?)\s+"
    r"(?:[\w-]+\s+){0,2}$", re.IGNORECASE)


def _refers_back(text: str, start: int, end: int, time) -> bool:
    """Whether the trigger at [start, end) is a definite noun ("the meeting", "Trump's
    visit") naming an act the text has reported already, while a verb ("met", "agreed")
    reports one. A time of its own phrase ("Trump's 2019 visit", "the trip to Seoul in
    May") makes it another act; one in another clause ("his first trip since taking office
    in June") does not."""
    word = re.match(r"[\w-]+", text[start:start + 30])
    if word is None or (_VERB_FORM.match(word.group().lower()) and not _NOUN_IN_ING.match(
            word.group().lower())):
        return False
    determiner = _DEFINITE_BEFORE.search(text, max(0, start - 60), start)
    if determiner is None:
        return False
    if time is None:
        return True
    if determiner.start() <= time.start and time.end <= start:
        return False  # "Trump's 2019 visit"
    gap = text[end:time.start]
    return not (time.start >= end and len(gap.split()) <= OWN_PHRASE_WORDS
                and not _CLAUSE_BREAK.search(gap) and not _CONJUNCTION.search(gap))


#: Acts whose object may name another act: lowering, threatening, withdrawing, demanding or
#: rejecting "tariffs on Japan" is not imposing them.
#: How far after a request, within its clause, the act it asks for may stand.
REQUESTED_CHARS = 80
_GOVERNING_TYPES = frozenset({"CONCEDE", "THREATEN", "RETREAT", "REQUEST", "REJECT"})
#: Acts that a deal reached just before them in their clause makes its terms ("struck a
#: deal that lowered"); a state that agrees to lower, or "the U.S. agreement to lower",
#: concedes.
_AGREED_TERMS = frozenset({"CONCEDE"})
#: The first word of a trigger that is a verb, not a noun naming an act ("spoke with").
_VERB_FORM = re.compile(r"\w+(?:ed|ing)$|spoke|took|met|sat|fought$")
#: Words in "-ing" that are nouns naming an act, not verbs.
_NOUN_IN_ING = re.compile(r"^(?:meeting|briefing|signing|gathering|hearing)s?$")


def _object_of_act(earlier: list[tuple[str, str, int, int]], sentence: str, start: int,
                   end: int, opening: int, kind: str) -> bool:
    """Whether the trigger at [start, end) is a noun naming an act ("tariffs on") that is the
    object of another act just before it in its clause ("threatened a 25% tariff on Japan",
    "an agreement to lower its duties on"): the act reported is that other one."""
    clause = max(0, *(sentence.rfind(c, 0, start) + 1 for c in _GUARD_BREAKS))
    if any((other == "REQUEST" or (other == "AGREE" and how == "act"
                                   and kind in _AGREED_TERMS
                                   and not sentence.startswith("agree", hit_start)))
           and clause <= hit_end and start - hit_end <= REQUESTED_CHARS
           for other, how, hit_start, hit_end in earlier):
        # "asked that its cars be exempt from": the exemption is asked for; "struck a deal
        # that lowered the duties": the lowering is a term of the deal, which is the act
        return True
    words = sentence[start:end].split()
    if not _ENDS_IN_PREPOSITION.search(sentence, start, end) or _VERB_FORM.match(words[0]):
        return False
    return any(kind in _GOVERNING_TYPES and opening <= hit_end <= start
               for kind, _how, _hit_start, hit_end in earlier)


def _named_as_place(mention: Mention, text: str, s_start: int, trigger_end: int) -> bool:
    """Whether a state is named as where something happens ("a summit in Canada"), not as
    the object of the trigger just before it ("arrived in Seoul"), nor as the subject after
    an opening place or time ("In Tokyo, Japan's minister said ...")."""
    if not mention.ref.startswith("state:"):
        return False
    if mention.start >= trigger_end and _ARTICLE_ONLY.fullmatch(text, trigger_end,
                                                                 mention.start):
        return False
    place = _PLACE_BEFORE.search(text, max(s_start, mention.start - 60), mention.start)
    if place is None:
        return False
    return "," not in place.group() or not _OPENS_CLAUSE.search(text, s_start, place.start())


def _parties(how: str, kind: str, mentions: list[Mention], earlier: list[Mention], text: str,
             sentence: tuple[int, int], start: int, end: int) -> tuple[Mention, Mention] | None:
    """Source and target of the trigger at [start, end) of ``sentence`` (its bounds), from
    the states the sentence names and, through pronouns, those named just before."""
    s_start = sentence[0]
    parties = mentions
    subject = _SUBJECT_PRONOUN.match(text, s_start)
    if subject and subject.end() <= start and not _named_after(subject.group(1), mentions,
                                                                  text, end):
        antecedent = _antecedent(earlier, subject.group(1).lower())
        parties = [antecedent, *mentions] if antecedent else mentions
    if how in ("act", "dated") and len({m.state for m in parties}) >= 2:
        shared = _shared_subject(parties, text, start, end)
        if shared is not None:
            return shared
    if _OBJECT_PRONOUN.match(text, end) and how != "said":
        return _pronoun_dyad(mentions, earlier, start)
    if how == "said":
        return _speaker_dyad(parties, earlier, text, sentence, start, end)
    if len({m.state for m in parties}) < 2:
        return None
    if how == "passive":
        return _undergone_dyad(parties, text, start, end)
    agent = _passive_agent(parties, text, start, end)
    if agent is not None:
        return agent
    return _dyad(parties, start, end, text=text, s_start=s_start,
                 object_next=bool(_ENDS_IN_PREPOSITION.search(text, start, end)),
                 symmetric=kind in SYMMETRIC_TYPES)


#: A participle trigger followed by its agent ("tariffs imposed by the U.S.", "a move welcomed
#: by President Trump"): at most a few words (titles) between "by" and the agent's mention.
_BY_AGENT = re.compile(r"\s+by\s+(?:\S+\s+){0,3}")


def _passive_agent(mentions: list[Mention], text: str, start: int,
                   end: int) -> tuple[Mention, Mention] | None:
    """Source and target of a passive trigger: the agent after "by" acts, on the state the
    participle's noun or subject belongs to, the nearest other state before it ("Japan asked
    that its steel be exempt from tariffs imposed by the U.S.")."""
    if not text[start:end].endswith("ed"):
        return None
    agent = next((m for m in mentions if m.start >= end), None)
    if agent is None or not _BY_AGENT.fullmatch(text, end, agent.start):
        return None
    target = next((m for m in reversed(mentions) if m.end <= start and m.state != agent.state),
                  None)
    return (agent, target) if target else None


def _undergone_dyad(mentions: list[Mention], text: str, start: int,
                    end: int) -> tuple[Mention, Mention] | None:
    """Source and target of a trigger whose subject undergoes the act ("Japan would face
    tariffs from the U.S.", "Under pressure from Washington, Tokyo ..."): the state before it
    is the target, the state after it in its clause (else another one before) the source."""
    before = [m for m in mentions if m.end <= start and not _governed(m, text, start)]
    after = [m for m in mentions if m.start >= end
             and not _CLAUSE_END.search(text, end, m.start)]
    if before:
        target = before[-1]
        source = next((m for m in [*after, *reversed(before)] if m.state != target.state),
                      None)
    else:
        source = after[0] if after else None
        target = next((m for m in mentions if m.start >= end and source
                       and m.state != source.state), None)
    return (source, target) if source and target else None


#: A speaker's words: "the Pentagon said", "Japan's defence minister told", "a Pentagon
#: spokesperson reportedly told".
_SAYS = re.compile(r"(?:'s)?(?:\s+[a-z-]+){0,2}\s+(?:said|says|told|tells|stated|added|noted|"
                   r"argued|insisted|emphasi[sz]ed|stressed|wrote|posted)\b")
#: A pronoun that speaks ("..., he said"): the speaker is named before.
_PRONOUN_SAYS = re.compile(r"\b(he|she|they)" + _SAYS.pattern, re.IGNORECASE)


def _speaker_dyad(mentions: list[Mention], earlier: list[Mention], text: str,
                  sentence: tuple[int, int], start: int,
                  end: int) -> tuple[Mention, Mention] | None:
    """Source and target of what a speaker says another state should do ("Hegseth said Japan
    should spend more", "Japan must pay, she said"): the speaker, a state's mention before a
    word of saying or the one its pronoun refers to, on the nearest other state before the
    trigger or, with none, after it."""
    speaker = next((m for m in mentions if _SAYS.match(text, m.end)), None)
    if speaker is None:
        pronoun = _PRONOUN_SAYS.search(text, *sentence)
        speaker = _antecedent(earlier, pronoun.group(1).lower()) if pronoun else None
    if speaker is None:
        return None
    before = [m for m in mentions if m.end <= start and m.state != speaker.state
              and m.start > (speaker.end if speaker.end <= start else -1)]
    target = before[-1] if before else next(
        (m for m in mentions if m.start >= end and m.state != speaker.state), None)
    return (speaker, target) if target else None


#: A verb whose subject is the sentence's: a participle that opens a clause after a comma
#: ("raised tariffs, accusing Seoul of ..."), or a verb coordinated with the main one
#: ("announced tariffs on Japan but later paused them", "sided with Beijing and urged Tokyo").
_SHARES_SUBJECT = re.compile(r"(?:,|\s(?:and|but)(?:\s+(?:then|later|also|subsequently))?)\s*$",
                             re.IGNORECASE)
#: What ends the clause of a participle: a state after it is its object only within it.
_CLAUSE_END = re.compile(r"[;:()\u2014]|\b(?:but|while|whereas|although|though)\b", re.IGNORECASE)


def _shared_subject(mentions: list[Mention], text: str, start: int,
                    end: int) -> tuple[Mention, Mention] | None:
    """Source and target of a verb that shares the sentence's subject ("Trump raised tariffs
    on Korean goods, accusing Seoul of stalling"): the subject, the first state of its first
    words, acts on the state after the verb in its clause or, with none there or a pronoun
    as its object, on the object of the main clause ("Beijing moved to isolate Tokyo,
    sending protest letters to the UN"; "announced tariffs on Japan but later paused them")."""
    word = re.match(r"[\w-]+", text[start:end])
    if word is None:
        return None
    verb = word.group().lower()
    comma = text[max(0, start - 4):start].rstrip().endswith(",")
    if not (verb.endswith("ing") if comma else _VERB_FORM.match(verb)) \
            or _NOUN_IN_ING.match(verb) \
            or not _SHARES_SUBJECT.search(text, max(0, start - 24), start):
        return None
    subject = mentions[0]
    if subject.end > start or _PREPOSITION_BEFORE.search(text, max(0, subject.start - 12),
                                                         subject.start):
        return None
    after = [m for m in mentions if m.start >= end and m.state != subject.state]
    if after and not _OBJECT_PRONOUN.match(text, end) \
            and not _CLAUSE_END.search(text, end, after[0].start):
        return subject, after[0]
    main = next((m for m in mentions if subject.end <= m.start and m.end <= start
                 and m.state != subject.state), None)
    return (subject, main) if main else None


def _time_of_act(times, s_start: int, s_end: int, text: str) -> str | None:
    """The first time in a sentence that is not a deadline or the date a measure takes effect."""
    return next((t.value for t in times_in(times, s_start, s_end, ahead=False)
                 if not _takes_effect(t, text, s_start)), None)


def _takes_effect(time, text: str, s_start: int) -> bool:
    """Whether ``time`` is introduced as the date a measure takes effect ("starting April 3")."""
    return bool(_EFFECTIVE_LEAD.search(text, max(s_start, time.start - 16), time.start))


def _named_after(pronoun: str, mentions: list[Mention], text: str, end: int) -> bool:
    """Whether a plural subject is named after the trigger, both its states ("They agreed to
    build stable ties between Japan and China"): no one state named before stands for it."""
    after = [m for m in mentions if m.start >= end]
    return pronoun.lower() == "they" and len({m.state for m in after}) >= 2 \
        and bool(_BETWEEN.search(text, end, after[0].start))


def _antecedent(earlier: list[Mention], pronoun: str) -> Mention | None:
    """What a sentence's subject pronoun stands for: "he"/"she" the last person named before
    in the paragraph, "it"/"they" the last actor of any kind."""
    people = pronoun in ("he", "she")
    return next((m for m in reversed(earlier)
                 if not people or m.ref.startswith("actor:")), None)


def _governed(mention: Mention, text: str, trigger: int) -> bool:
    """A possessive after a preposition ("concerns over Pyongyang's missiles") sits inside a
    phrase: it is not the subject of a later verb, though it is the agent of a trigger noun
    it qualifies ("referred to Trump's 2019 visit")."""
    if not text.startswith("'s", mention.end) or not _PREPOSITION_BEFORE.search(
            text, max(0, mention.start - 12), mention.start):
        return False
    between = text[mention.end + 2:trigger]
    return len(between.split()) > NOUN_WORDS or bool(re.search(r",|\band\b", between))


def _pronoun_dyad(mentions: list[Mention], earlier: list[Mention],
                  start: int) -> tuple[Mention, Mention] | None:
    """Source: the nearest state before the trigger in its sentence; target: the one its
    object pronoun refers back to, the nearest other state named before ("Ishiba asked for a
    meeting. Trump turned down his request")."""
    before = [m for m in mentions if m.end <= start]
    if not before:
        return None
    source = before[-1]
    target = next((m for m in reversed(earlier + before[:-1]) if m.state != source.state), None)
    return (source, target) if target else None


def _dyad(mentions: list[Mention], start: int, end: int, *, object_next: bool = False,
          text: str = "", s_start: int = 0, symmetric: bool = True
          ) -> tuple[Mention, Mention] | None:
    """Source: the nearest state before the trigger; target: the nearest other state after it,
    or, when none follows, another state before it ("Japan and the U.S. agreed"), which then
    leads, unless the act is directed (not ``symmetric``) and the nearer state is the verb's
    subject just before it ("the tariffs that Washington imposed").

    With ``object_next`` the trigger ends in a preposition whose object is the target: it must
    follow within a few words, and the source must precede the trigger.
    """
    before = [m for m in mentions if m.end <= start and not _governed(m, text, start)]
    after = [m for m in mentions if m.start >= end]
    if object_next and not before and after and _OPENS_SENTENCE.fullmatch(text, s_start, start) \
            and _PARTICIPLE.match(text, start):
        # "Speaking to Ishiba on Friday, Xi said ...": the subject follows the opening clause
        subject = next((m for m in after if m.state != after[0].state), None)
        return (subject, after[0]) if subject else None
    if object_next:
        if not before or _POINTS_BACK.match(text, end):
            return None
        # the object is in the trigger's clause ("tariffs on steel as it kept talking with
        # Japan" is no tariff on Japan)
        after = [m for m in after if not _CONJUNCTION.search(text, end, m.start)]
        if not after:
            return None
    if before and not (len({m.state for m in after}) >= 2
                       and _BOTH_PARTIES_NEXT.fullmatch(text, end, after[0].start)):
        source = before[-1]
        target = next((m for m in after if m.state != source.state
                       and not _AMID.search(text, end, m.start)), None)
        if target is None:
            target = next((m for m in reversed(before) if m.state != source.state
                           and not _SPEAKS.match(text, m.end)), None)
            if target is not None and (symmetric or not _SUBJECT_GAP.fullmatch(
                    text, source.end, start)):
                source, target = target, source
        return (source, target) if target else None
    if len({m.state for m in after}) >= 2 and _BETWEEN.search(text, end, after[0].start):
        source = after[0]
        target = next(m for m in after if m.state != source.state)
        return source, target
    return None


#: What stands between a directed act's subject and its verb ("Washington has imposed",
#: "the U.S. then imposed"): the state just before is the source, whoever is named before it.
_SUBJECT_GAP = re.compile(r"\s+(?:(?:has|have|had|will|would|then|also|later|now|again)\s+)*")


#: A meeting named as the backdrop of another act ("released the deal following tariff
#: talks", "urged Tokyo after a call from Xi") is no report of a meeting between the states
#: the sentence names; "following their summit" says its subjects met.
_BACKDROP = re.compile(r"\b(?:following|after|ahead of|before|follows)\s+"
                       r"(?!(?:their|his|her)\b)(?:[\w-]+\s+){0,3}$")
BACKDROP_CHARS = 40


#: A phrase that sets the scene of an act: a state beyond it is no party to it ("agreed to
#: strengthen dialogue amid the deployment of North Korean troops").
_AMID = re.compile(r"\b(?:amid|amidst|despite|in the wake of)\b", re.IGNORECASE)


def _expand(pair: tuple[Mention, Mention], mentions: list[Mention], text: str,
            kind: str) -> list[tuple[Mention, Mention]]:
    """One event per state of a coordinated list: "tariffs on China, Canada and Mexico" is a
    sanction of each; "the U.S. and Japan criticised China" an accusation by each. Of a
    two-sided act only the list that follows it counts ("Takaichi met the leaders of the U.S.
    and China"): the states before and after "Japan and the U.S. agreed" are its two sides."""
    source, target = pair
    if kind in SYMMETRIC_TYPES:
        if source.start > target.start:
            return [pair]
        return [(source, t) for t in _listed(target, mentions, text, forward=True)
                if t.state != source.state]
    sources = _listed(source, mentions, text, forward=False)
    targets = _listed(target, mentions, text, forward=True)
    return [(s, t) for s in sources for t in targets if s.state != t.state]


#: What may stand between two items of a list of states: commas, "and"/"or", "the", and a
#: few words for items that are not states ("the EU").
_LIST_GAP = re.compile(r"^(?:[\s,]|\band\b|\bor\b|\bthe\b|\bas well as\b)*"
                       r"(?:\w[\w.'-]*[\s,]+(?:and\s+|or\s+)?){0,3}$", re.IGNORECASE)


#: What stands between two states of a list of rates ("46% on Vietnam, 20% on the EU and
#: 24% on Japan"): the next rate's lead, after any items that are no state.
_RATE_LEAD = r"\d[\d.,]*\s*(?:%|percent)\s+(?:on|for|against)\s+(?:the\s+)?"
_RATE_LIST_GAP = re.compile(
    rf"\s*,?\s*(?:(?:and|or)\s+)?(?:{_RATE_LEAD}(?:[A-Z][\w.'-]*\s*){{1,3}},?\s*"
    rf"(?:(?:and|or)\s+)?)*{_RATE_LEAD}$")


def _listed(first: Mention, mentions: list[Mention], text: str, *,
            forward: bool) -> list[Mention]:
    """``first`` and the mentions that continue a comma/and list from it in one direction."""
    ordered = sorted(mentions, key=lambda m: m.start, reverse=not forward)
    chain = [first]
    states = {first.state}
    for mention in ordered:
        last = chain[-1]
        if (mention.start <= last.start) if forward else (mention.start >= last.start):
            continue
        gap = text[last.end:mention.start] if forward else text[mention.end:last.start]
        if not (forward and _RATE_LIST_GAP.match(gap)) and (
                not ("," in gap or " and " in f" {gap} " or " or " in f" {gap} ")
                or not _LIST_GAP.match(gap)):
            break
        if mention.state not in states:
            chain.append(mention)
            states.add(mention.state)
    return chain


#: Punctuation that closes a clause: a time on its far side belongs to another clause.
_CLAUSE_BREAK = re.compile(r"[,;:()\u2014]| - ")
#: How many characters a clause break counts for when times compete for a trigger.
CLAUSE_PENALTY = 60
#: What may precede a time that opens a sentence ("On Wednesday," "Earlier in November,").
_OPENING = re.compile(r"\W*(?:\w+\s+){0,2}", re.IGNORECASE)
#: Event types dated when they were made, never by the deadline they set ("pledged in July to
#: invest $1 billion by 2029" is a pledge of July).
_DATED_WHEN_MADE = frozenset({"AID", "AGREE"})
#: Event types performed by saying something: the day it was said is their day.
_SPOKEN_ACTS = frozenset({"REQUEST", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SUPPORT"})
#: Words that introduce the date a measure takes effect.
_EFFECTIVE_LEAD = re.compile(r"\b(?:starting|effective|beginning|from|as of)\s+$", re.IGNORECASE)


def _nearest_time(times, s_start: int, s_end: int, start: int, end: int, text: str,
                  kind: str):
    """The time in the sentence nearest the trigger [start, end), one in the trigger's own
    clause first ("back in office since March, she had last flown to Seoul in 2018"); a
    time that opens the sentence ("On Wednesday, ...") stands for all of it, and the date a
    measure takes effect ("starting April 3") is not when it was decided, though a visit
    "starting Monday" happens then."""
    candidates = times_in(times, s_start, s_end)
    if kind in _DATED_WHEN_MADE:
        candidates = [t for t in candidates if t.kind != "deadline"]
    if not candidates:
        return None

    def distance(t) -> int:
        lo, hi = (t.end, start) if t.end <= start else (end, t.start)
        gap = max(0, hi - lo)
        opening = _OPENING.fullmatch(text, s_start, t.start)
        crosses = not opening and _CLAUSE_BREAK.search(text, lo, max(lo, hi))
        effective = kind != "CONSULT" and _takes_effect(t, text, s_start)
        # "said Tuesday he will meet her on Sunday": the day of the report counts as far off,
        # unless the act is the saying ("said Tuesday that Japan should spend more")
        report = 2 * (kind not in _SPOKEN_ACTS and dates_the_report(text, t.start))
        return gap + CLAUSE_PENALTY * (bool(crosses) + bool(effective) + report)

    return min(candidates, key=distance)


def event_candidate(text: str, sentence: tuple[int, int], trigger: tuple[int, int], kind: str,
                    pair: tuple[Mention, Mention], mentions: list[Mention],
                    cues: tuple[tuple[str, re.Pattern[str]], ...]) -> EventCandidate:
    """What the event type decision reads of a trigger the rules coded as ``kind`` between
    ``pair``: the sentence's states, its negation and hypothetical cues (those the guard let
    through: outside the trigger's clause, or after it), its quotation and tense."""
    s_start, s_end = sentence
    lowered = text[s_start:s_end].lower()
    found = [(name, s_start + m.start(), s_start + m.end()) for name, pattern in cues
             for m in pattern.finditer(lowered)]
    found += [("modal", s_start + m.start(), s_start + m.end())
              for m in _MODAL_MAY.finditer(text, s_start, s_end)]
    direction = direction_at(text, *trigger)
    source, target = pair
    return EventCandidate(
        text=text, sentence=sentence, trigger=trigger,
        lemma=lowered[trigger[0] - s_start:trigger[1] - s_start], rule_type=kind,
        source=str(source.state), target=str(target.state),
        source_span=(source.start, source.end),
        target_span=(target.start, target.end), states=tuple(str(m.state) for m in mentions),
        cues=tuple(sorted(found, key=lambda c: c[1])), quoted='"' in text[s_start:s_end],
        tense={PAST: "past", FUTURE: "future"}.get(direction, "unknown"))
