"""Turn files into Documents: plain text and Markdown (optional front matter), HTML (main text
and metadata through trafilatura) and JSONL corpora (one article per line).

Readers never raise for bad input: every file or line that cannot be used becomes a Rejection
with the path (and line) and a reason, so the rest of the batch goes on.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from bilateral.ingest.dateline import find_publication_date
from bilateral.ingest.identity import content_id
from bilateral.limits import (
    LimitExceeded,
    check_text,
    load_yaml,
    parse_period,
    without_surrogates,
)
from bilateral.records import Document, Rejection

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

DEFAULT_MAX_BYTES = 5_000_000
#: The code of files found in a folder that are not articles: reported, but not a failure.
SKIPPED = "skipped"  # one article; a JSONL file may be larger, but not one line

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.S)
_WORDY = re.compile(r"\w")
# A short first line with no closing full stop, then a blank line: the headline.
_HEADLINE = re.compile(r"\A[ \t]*([^\n]{3,200}?[^.\n])[ \t]*\r?\n[ \t]*\r?\n")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_ISO_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}")
_SLASH_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_FRONT_MATTER_NESTING = 8  # title, source, published, url: flat; a little room for more


@dataclass(frozen=True)
class Item:
    """One reader output: a document or the reason there is none, and the bytes it consumed."""

    result: Document | Rejection
    size: int


class BadField(ValueError):
    """A metadata field holds something unusable; the message names the field."""


def discover(paths: Iterable[str | Path]) -> Iterator[Path | Rejection]:
    """Files to read, in a stable order: given files as they are, folders recursively.

    A named file of an unsupported type is rejected; one met while walking a folder is only
    skipped (folders hold other things too), and hidden files are ignored.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                yield child if child.suffix.lower() in SUPPORTED else skipped_file(
                    display_path(child), child.suffix)
        elif path.is_file():
            yield path if path.suffix.lower() in SUPPORTED else unsupported_file(
                display_path(path), path.suffix)
        else:
            yield Rejection(display_path(path), "no such file or folder", "missing")


def skipped_file(origin: str, suffix: str) -> Rejection:
    """A file met in a folder that is not an article: reported, not a failure."""
    return Rejection(origin, f"skipped: {suffix or 'no'} file type in a folder; "
                     f"ingest reads {', '.join(sorted(SUPPORTED))}", SKIPPED)


def unsupported_file(origin: str, suffix: str) -> Rejection:
    """A file named as an input that no reader takes."""
    return Rejection(origin, f"unsupported file type {suffix or '(none)'}; "
                     f"ingest reads {', '.join(sorted(SUPPORTED))}", "unsupported")


def read(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    """Documents (or rejections) from one file, whatever its format."""
    suffix = path.suffix.lower()
    origin = display_path(path)
    try:
        size = path.stat().st_size
        if suffix in JSONL_SUFFIXES:
            with path.open("rb") as handle:
                yield from read_jsonl_stream(handle, origin, max_bytes=max_bytes)
            return
        if size > max_bytes:
            yield Item(Rejection(origin, f"file is {size:,} bytes, over the limit of "
                                 f"{max_bytes:,} (raise it with --max-bytes)", "too-large"), size)
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Item(Rejection(origin, f"cannot read: {exc.strerror or exc}", "unreadable"), 0)
        return
    yield from read_bytes(data, origin, suffix, max_bytes=max_bytes)


def read_bytes(data: bytes, origin: str, suffix: str, *,
               max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    """Documents (or rejections) from the content of one file already read, e.g. by a cluster
    from a path no local reader can open; ``suffix`` (``.txt``, ``.html``, ``.jsonl``) says
    its format."""
    suffix = suffix.lower()
    size = len(data)
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl_stream(io.BytesIO(data), origin, max_bytes=max_bytes)
        return
    if size > max_bytes:
        yield Item(Rejection(origin, f"file is {size:,} bytes, over the limit of "
                             f"{max_bytes:,} (raise it with --max-bytes)", "too-large"), size)
        return
    if b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        yield Item(Rejection(origin, "binary content (NUL bytes); not a text article",
                             "binary"), size)
        return
    try:
        text = _decode(data, html=suffix in HTML_SUFFIXES)
    except UnicodeDecodeError as exc:
        yield Item(Rejection(origin, f"undecodable: not valid UTF-8 or the declared charset "
                             f"(byte 0x{data[exc.start]:02x} at offset {exc.start})",
                             "undecodable"), size)
        return
    try:
        if suffix in HTML_SUFFIXES:
            document = from_html(text, origin=origin)
        else:
            document = from_text(text, origin=origin)
    except BadField as exc:
        yield Item(Rejection(origin, str(exc), "bad-field"), size)
        return
    yield Item(document, size)


def from_text(raw: str, *, origin: str) -> Document | Rejection:
    """A .txt or .md article; YAML front matter, when present, gives the metadata, else a
    short first line standing alone above the body is taken as the headline."""
    meta: dict[str, Any] = {}
    body = raw
    match = _FRONT_MATTER.match(raw)
    if match:
        try:
            loaded = load_yaml(match.group(1), max_nesting=_FRONT_MATTER_NESTING)
        except yaml.YAMLError as exc:
            raise BadField(f"front matter is not valid YAML: {exc}".splitlines()[0]) from exc
        except LimitExceeded as exc:
            raise BadField(f"front matter refused: {exc}") from exc
        if not isinstance(loaded, dict):
            raise BadField("front matter must be a mapping of title, source, published, url")
        meta, body = loaded, raw[match.end():]
    elif headline := _HEADLINE.match(raw):
        meta = {"title": headline.group(1).strip()}
    return make_document(body, meta, origin=origin)


def from_html(html: str, *, origin: str) -> Document | Rejection:
    """Main text and metadata of a web page, extracted by trafilatura."""
    import trafilatura  # imported here: loading it costs time that text-only runs need not pay

    try:
        extracted = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=False,
            date_extraction_params={"extensive_search": False, "original_date": True})
    except Exception as exc:
        return Rejection(origin, f"HTML could not be parsed: {exc}", "bad-html")
    if extracted is None or not (extracted.text or "").strip():
        return Rejection(origin, "no main text found in the HTML page", "empty")
    meta = {"title": extracted.title, "url": extracted.url,
            "source": extracted.sitename or extracted.hostname, "published": extracted.date}
    return make_document(extracted.text, meta, origin=origin)


def make_document(text: str, meta: dict[str, Any], *, origin: str) -> Document | Rejection:
    """Build the Document, taking the date from metadata, else the text, else leaving it unknown."""
    if not isinstance(text, str):
        return Rejection(origin, f"'text' must be a string, got {type(text).__name__}", "bad-field")
    text = without_surrogates(text.strip("\ufeff").strip())
    if not _WORDY.search(text):
        return Rejection(origin, "empty: the article has no text", "empty")
    if "\x00" in text:
        return Rejection(origin, "binary content: the text holds NUL characters", "binary")
    try:
        check_text(text)
    except LimitExceeded as exc:
        return Rejection(origin, str(exc), "too-large")
    for key in ("title", "url", "source", "doc_id"):
        value = meta.get(key)
        if value is not None and not isinstance(value, str | int):
            raise BadField(f"'{key}' must be a string, got {type(value).__name__}")
        if isinstance(value, str) and "\x00" in value:
            raise BadField(f"'{key}' holds NUL characters; no store can keep them")
    published = normalise_date(meta.get("published"))
    published_from = "metadata" if published else None
    if published is None:
        published = find_publication_date(text)
        published_from = "text" if published else None
    return Document(
        id=content_id(text), text=text, title=_clean(meta.get("title")),
        url=_clean(meta.get("url")),
        source=_clean(meta.get("source")), published=published, published_from=published_from,
        external_id=_clean(meta.get("doc_id")), origin=origin)


def normalise_date(value: Any) -> str | None:
    """A metadata date as YYYY, YYYY-MM or YYYY-MM-DD; None when absent; BadField when it is
    no real date, or lies outside the plausible range (``bilateral.limits``: from 1900 to two
    days after today)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, int) and not isinstance(value, bool):
        text = f"{value:04d}" if 0 <= value <= 9999 else str(value)
    elif isinstance(value, str):
        text = _period_of(value.strip())
    else:
        raise BadField(f"'published' must be a date such as 2025-07-23, got "
                       f"{type(value).__name__}")
    try:
        return parse_period(text, "'published'", publication=True)
    except LimitExceeded as exc:
        raise BadField(str(exc)) from exc


def _period_of(text: str) -> str:
    """A date string in one of the forms metadata uses, as YYYY[-MM[-DD]] (or as given when
    it is none of them, for the caller to refuse)."""
    if m := _ISO_DATETIME.match(text):
        try:
            dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise BadField(f"'published' {text!r} is not a real date and time ({exc})") from exc
        return m.group(1)
    if m := _SLASH_DATE.match(text):
        return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    if _PARTIAL_DATE.match(text):
        return text
    found = find_publication_date(text)
    if found:
        return found
    raise BadField(f"'published' {text!r} is not a date; use YYYY-MM-DD (or YYYY-MM, YYYY)")


def read_jsonl_stream(handle: BinaryIO, origin: str, *,
                      max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    """The documents of a JSONL corpus read from ``handle``; each origin is
    ``origin:line``."""
    number = 0
    while line := handle.readline(max_bytes + 1):
        number += 1
        size = len(line)
        if size > max_bytes and not line.endswith(b"\n"):
            # read no more of an overlong line than the limit: skip the rest unseen
            while (rest := handle.readline(1 << 20)) and not rest.endswith(b"\n"):
                size += len(rest)
            size += len(rest)
        if line.strip():
            yield read_jsonl_line(line, f"{origin}:{number}", first=number == 1, size=size,
                                  max_bytes=max_bytes)


def read_jsonl_line(line: bytes, origin: str, *, first: bool = False, size: int | None = None,
                    max_bytes: int = DEFAULT_MAX_BYTES) -> Item:
    """One line of a JSONL corpus (``size`` bytes long, when only its start was read): a
    document, or the reason there is none."""
    size = len(line) if size is None else size
    if size > max_bytes:
        return Item(Rejection(origin, f"line is {size:,} bytes, over the limit of "
                              f"{max_bytes:,}", "too-large"), size)
    if first and line.startswith(codecs.BOM_UTF8):
        line = line[len(codecs.BOM_UTF8):]  # a byte-order mark before the first line
    try:
        record = json.loads(line.decode("utf-8"))
    except RecursionError:
        return Item(Rejection(origin, "malformed JSON: nested too deeply", "bad-json"), size)
    except UnicodeDecodeError as exc:
        return Item(Rejection(origin, f"undecodable: not valid UTF-8 (offset {exc.start})",
                              "undecodable"), size)
    except json.JSONDecodeError as exc:
        return Item(Rejection(origin, f"malformed JSON: {exc.msg} (column {exc.colno})",
                              "bad-json"), size)
    if not isinstance(record, dict):
        return Item(Rejection(origin, f"each line must be a JSON object, got "
                              f"{type(record).__name__}", "bad-json"), size)
    if "text" not in record:
        return Item(Rejection(origin, "missing 'text' field", "missing-text"), size)
    try:
        return Item(make_document(record["text"], record, origin=origin), size)
    except BadField as exc:
        return Item(Rejection(origin, str(exc), "bad-field"), size)


def decode_html(data: bytes, charset: str | None = None) -> str:
    """A web page's bytes as text: the charset its HTTP headers declared, else as a file of
    HTML is read (byte-order mark, <meta charset>, UTF-8). Raises UnicodeDecodeError."""
    if charset:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong header is common; the page itself may say better
    return _decode(data, html=True)


def _decode(data: bytes, *, html: bool) -> str:
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec)
    if html:
        declared = re.search(rb"""<meta[^>]+charset=["']?([\w-]+)""", data[:4096], re.I)
        if declared:
            try:
                return data.decode(declared.group(1).decode("ascii"))
            except LookupError:
                pass
    return data.decode("utf-8")


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = without_surrogates(str(value)).strip()
    return text or None


def display_path(path: Path) -> str:
    """A path as text that can be printed and stored: a file name that is not valid UTF-8
    keeps its undecodable bytes as escapes (\\xff) instead of failing on output."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")
