"""A synthetic news corpus about the U.S.-Japan relationship, made from templates written for
the tests: tariff rates, investment pledges, defence spending and meetings between named
actors of the us-japan dossier, so that extraction finds observations and events in it.

Some articles are exact copies (the same text under another title) and some near copies (a
line added or changed), as syndicated news is; some have no date; they come as JSONL, .txt
with front matter, and .html. ``bench/spark_scaling.py`` makes its corpus with this module too.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from html import escape
from pathlib import Path

US = ["Howard Lutnick", "Scott Bessent", "Jamieson Greer", "Marco Rubio", "Pete Hegseth",
      "Donald Trump"]
JAPAN = ["Ryosei Akazawa", "Shigeru Ishiba", "Takeshi Iwaya", "Gen Nakatani",
         "Yoshimasa Hayashi", "Sanae Takaichi"]
CITIES = ["Washington", "Tokyo", "Osaka", "Honolulu"]
OUTLETS = ["Harbour Ledger", "Coastal Times", "Pacific Wire", "Evening Dispatch"]
GOODS = ["Japanese cars", "Japanese goods", "Japanese steel", "imports from Japan"]
SECTORS = ["semiconductors", "shipbuilding", "energy projects", "pharmaceuticals"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]

TEMPLATES = [
    "The United States raised its tariff on {goods} to {rate}% on {weekday}, officials in "
    "Tokyo said.",
    "Washington will keep a {rate}% tariff on {goods}, {us} told reporters in {city}.",
    "Japan pledged ${bn} billion of investment in the United States for {sector}, the "
    "White House said on {weekday}.",
    "{japan} met {us} in {city} on {weekday} to press for lower duties on {goods}.",
    "{us} held talks with {japan} in {city} about {sector} and the tariff on {goods}.",
    "Japan's defence spending reached {gdp}% of GDP, the defence ministry said on {weekday}.",
    "About {troops},000 U.S. troops are stationed in Japan, {japan} said in {city}.",
    "Tokyo aims to raise its defence budget to {target}% of GDP by fiscal {year}, the "
    "government said.",
    "Negotiators from both sides will meet again in {city} next month, according to people "
    "familiar with the talks.",
    "Business groups in {city} said the {sector} industry was watching the negotiations "
    "closely and hoped for a settlement before the summer.",
]
UNDATED_TEXT = [  # no date anywhere, so the document lands in the undated partition
    "Trade officials from both countries continued their review of {sector} supply chains, "
    "with {japan} describing the exchange as constructive and frank.",
    "Analysts in {city} expect the dispute over {goods} to shape the alliance's agenda, and "
    "several lawmakers asked for a detailed account of the talks.",
]


# Background prose: real articles are mostly words no other article shares in that order, and
# so must these be, or every pair of articles would look like near copies (their sketches
# sharing most hashes) and near-duplicate search would be measured on a corpus unlike news.
NOUNS = ("port", "harbour", "factory", "supplier", "contract", "budget", "report", "survey",
         "council", "committee", "market", "index", "shipment", "warehouse", "railway",
         "bridge", "farm", "harvest", "school", "clinic", "festival", "museum", "league",
         "season", "forecast", "storm", "river", "valley", "district", "ferry", "airport",
         "engineer", "teacher", "farmer", "mayor", "editor", "banker", "driver", "designer",
         "startup", "lender", "retailer", "brewery", "bakery", "orchard", "fishery", "quarry")
VERBS = ("reviewed", "delayed", "expanded", "closed", "opened", "measured", "praised",
         "questioned", "funded", "repaired", "hired", "moved", "tested", "reported", "planned",
         "cancelled", "approved", "studied", "described", "compared", "announced", "visited")
ADJECTIVES = ("local", "regional", "small", "new", "older", "busy", "quiet", "northern",
              "southern", "coastal", "rural", "private", "public", "seasonal", "annual",
              "second", "larger", "modest", "steady", "cautious", "early", "late", "cheaper")


def _prose(rng: random.Random, sentences: int) -> list[str]:
    """Sentences of background prose, each a fresh arrangement of common words."""
    out = []
    for _ in range(sentences):
        words = []
        for _ in range(rng.randint(3, 5)):
            words += [rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(VERBS)]
        out.append(f"The {' '.join(words)} the {rng.choice(NOUNS)}.")
    return out


@dataclass(frozen=True)
class CorpusFiles:
    """What ``write_corpus`` wrote: the folder and how many articles of each kind."""

    folder: Path
    articles: int
    exact_copies: int
    near_copies: int


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        goods=rng.choice(GOODS), rate=rng.choice([10, 15, 24, 25, 27.5]),
        weekday=rng.choice(WEEKDAYS), us=rng.choice(US), japan=rng.choice(JAPAN),
        city=rng.choice(CITIES), bn=rng.choice([400, 490, 550, 600]),
        sector=rng.choice(SECTORS), gdp=rng.choice([1.4, 1.6, 1.8]),
        troops=rng.choice([52, 54, 55, 56]), target=rng.choice([2, 3, 3.5]),
        year=rng.choice([2027, 2028, 2030]))


def article(number: int, rng: random.Random) -> dict[str, object]:
    """One original article, about 400-500 words (its news in template sentences, then
    background prose), with a serial so no two texts are equal."""
    undated = number % 17 == 5
    sentences = [_fill(t, rng) for t in rng.sample(TEMPLATES, 6)]
    if undated:
        sentences = [_fill(t, rng) for t in UNDATED_TEXT] + [
            s for s in sentences if not any(d in s for d in WEEKDAYS) and "fiscal" not in s]
    sentences += _prose(rng, 24)
    sentences.append(f"Reference {number} of the wire service's trade file, edition "
                     f"{rng.randint(1000, 9999)}.")
    day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(0, 300))
    return {"doc_id": f"wire-{number:06d}", "source": rng.choice(OUTLETS),
            "title": f"Trade and alliance report {number}",
            "published": None if undated else day.isoformat(), "text": " ".join(sentences)}


def near_copy(original: dict[str, object], number: int, rng: random.Random) -> dict[str, object]:
    """A syndicated copy: the same story with one sentence of the outlet's own added."""
    text = str(original["text"]) + " " + (
        f"This copy was distributed by {rng.choice(OUTLETS)} as item {number}.")
    return {**original, "doc_id": f"copy-{number:06d}", "source": rng.choice(OUTLETS),
            "title": f"{original['title']} (syndicated)", "text": text}


def articles(count: int, seed: int = 7) -> tuple[list[dict[str, object]], int, int]:
    """``count`` articles, about a tenth exact copies and a tenth near copies of earlier ones;
    also how many of each."""
    rng = random.Random(seed)
    out: list[dict[str, object]] = []
    exact = near = 0
    for number in range(count):
        roll = rng.random()
        if out and roll < 0.1:
            earlier = rng.choice(out)
            out.append({**earlier, "doc_id": f"repeat-{number:06d}",
                        "title": f"Repeated {number}"})
            exact += 1
        elif out and roll < 0.2:
            out.append(near_copy(rng.choice(out), number, rng))
            near += 1
        else:
            out.append(article(number, rng))
    return out, exact, near


def write_corpus(folder: Path, count: int, seed: int = 7) -> CorpusFiles:
    """The articles as files: most in two JSONL files, some as .txt with front matter and some
    as .html in subfolders, plus a bad JSON line and a file of another type (rejected)."""
    items, exact, near = articles(count, seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes").mkdir(exist_ok=True)
    (folder / "pages").mkdir(exist_ok=True)
    jsonl = [[], []]
    for number, item in enumerate(items):
        kind = number % 10
        if kind == 3:
            meta = "".join(f"{k}: {json.dumps(item[k])}\n" for k in ("title", "source", "published")
                           if item[k] is not None)
            (folder / "notes" / f"{item['doc_id']}.txt").write_text(
                f"---\n{meta}---\n{item['text']}\n", encoding="utf-8")
        elif kind == 7:
            date = (f'<meta property="article:published_time" content="{item["published"]}">'
                    if item["published"] else "")
            (folder / "pages" / f"{item['doc_id']}.html").write_text(
                f"<html><head><title>{escape(str(item['title']))}</title>{date}</head><body>"
                f"<article><h1>{escape(str(item['title']))}</h1><p>{escape(str(item['text']))}"
                f"</p></article></body></html>\n", encoding="utf-8")
        else:
            jsonl[number % 2].append(json.dumps(item))
    jsonl[1].insert(3, '{"doc_id": "broken", "text": ')  # malformed: a rejection
    for n, lines in enumerate(jsonl):
        (folder / f"wire-{n}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "index.csv").write_text("not,an,article\n", encoding="utf-8")  # skipped
    return CorpusFiles(folder, len(items), exact, near)
