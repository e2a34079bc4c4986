"""Property-based fuzzing of the readers and the extractor (Hypothesis, derandomised so every run
checks the same inputs; about a minute in all). bench/fuzz.py runs a million more.

The contract: readers turn any bytes into a Document or a typed Rejection; the extractor
returns records whose quotes are the text at their spans, with finite values and real dates,
or refuses a document with ExtractionError at its input check; the tokenizer covers the text
exactly; YAML loading fails only with its own errors.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bilateral.errors import ExtractionError
from bilateral.extract import Extractor
from bilateral.ingest.readers import BadField, from_text, read_jsonl_line
from bilateral.limits import LimitExceeded, load_yaml, without_surrogates
from bilateral.records import Document, Rejection


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# What the extractor reacts to, written for these tests: figures, times, names, cue words,
# punctuation and characters that have broken text pipelines.
TOKENS = [
    "15%", "24 percent", "$550 billion", "1.6% of GDP", "55,000 troops", "9" * 30, "9" * 330,
    "from 25% to 15%", "twenty-five", "¥", "trillion", "July 22", "last April", "by 2027",
    "fiscal 2026", "Jan. 2", "2025-07-23", "Monday", "Feb. 30", "Japan", "the United States",
    "the U.S.", "Tokyo", "Washington", "Trump", "Ishiba", "China", "South Korea", "agreed", "met",
    "imposed tariffs on", "threatened", "urged", "pledged", "tariff", "investment",
    "defence spending", "troops", "did not", "if", "said", "(", ")", "“", "”", "'s", ",", ".",
    ";", "—", "\n", "\n\n", "---", "\x00", "\ud800", "\x1b[2J", "\u202e", "\ufeff", "\u00a0",
    "日本", "🇯🇵",
]
words = st.lists(st.sampled_from(TOKENS), max_size=80).map(" ".join)
runs = st.tuples(st.sampled_from(["(", "“", ".,;", "$", "9", "a", "%"]),
                 st.integers(100, 3000)).map(lambda pair: "Japan " + pair[0] * pair[1])
texts = st.one_of(st.text(max_size=400), words, runs,
                  st.tuples(words, st.text(max_size=50), words).map("".join))


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor("us-japan")


@fuzz(3000)
@given(st.one_of(st.binary(max_size=300),
                 st.builds(lambda t, d: f'{{"text": {t}, "published": {d}}}'.encode(
                     "utf-8", "surrogatepass"),
                     st.text(max_size=80).map(lambda t: repr(t).replace("'", '"')),
                     st.sampled_from(['"2025-02-30"', '"2999"', "[1]", "1e999", '"x"', "null"])),
                 st.integers(1, 3000).map(lambda n: b'{"text": ' + b"[" * n + b"]" * n + b"}")))
def test_a_jsonl_line_is_a_document_or_a_rejection(line):
    item = read_jsonl_line(line, "fuzz.jsonl:1", first=True)
    assert isinstance(item.result, Document | Rejection)
    if isinstance(item.result, Rejection):
        assert item.result.code and len(item.result.reason) <= 500


@fuzz(1500)
@given(st.lists(st.tuples(st.sampled_from(["title", "published", "source", "url", "x"]),
                          st.one_of(st.text(max_size=30), st.sampled_from(
                              ["2025-02-30", "&a [1]", "*a", "[[[[[[[[[[]]]]]]]]]]", "!!str x",
                               "lone \udfff surrogate",
                               "2025-07-23T25:99:00", "0999", "{a: {b: {c: {d: e}}}}"]))),
                max_size=4), texts)
def test_a_text_file_is_a_document_or_a_rejection(matter, body):
    raw = "---\n" + "".join(f"{k}: {v}\n" for k, v in matter) + "---\n" + body if matter else body
    try:
        result = from_text(raw, origin="fuzz.md")
    except BadField as exc:  # how from_text asks its caller to reject, with the reason
        assert str(exc)
        return
    assert isinstance(result, Document | Rejection)
    if isinstance(result, Document):
        assert result.published is None or result.published[:4] >= "1900"


@fuzz(2500)
@given(texts, st.sampled_from([None, "2025", "2025-07", "2025-07-23", "2025-13", "1850"]))
def test_the_extractor_keeps_its_contract_on_any_text(extractor, text, published):
    document = Document(id="fuzz", text=text, published=published)
    try:
        extraction = extractor.extract(document)
    except ExtractionError as exc:
        assert exc.stage == "input", exc  # refused up front, never failed inside a stage
        return
    for record in (*extraction.observations, *extraction.events):
        assert 0 <= record.start < record.end <= len(text)
        assert record.quote == text[record.start:record.end]
        if record.when is not None:
            parts = [int(p) for p in record.when.split("-")]
            dt.date(*parts, *[1] * (3 - len(parts)))  # a real period, or ValueError
    assert all(math.isfinite(o.value) for o in extraction.observations)


@fuzz(1000)
@given(texts.map(without_surrogates))  # which the extractor refuses before tokenizing
def test_the_tokenizer_covers_the_text_exactly(extractor, text):
    assert extractor.nlp.make_doc(text).text == text


@fuzz(800)
@given(st.one_of(st.text(max_size=200),
                 st.lists(st.sampled_from(["a: ", "&x ", "*x", "[", "]", "{", "}", "- ", "\n",
                                           "  ", "2025-02-30", ": ", "!!binary ", "? "]),
                          max_size=60).map("".join)))
def test_yaml_fails_only_with_its_own_errors(text):
    with contextlib.suppress(yaml.YAMLError, LimitExceeded):
        load_yaml(text)
