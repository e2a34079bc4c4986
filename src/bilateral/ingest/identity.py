"""Content identity: the same article always gets the same id, and near copies look alike.

The id is a hash of the normalised text, so re-ingesting a file (or the same article from
another file) is a no-op. Near-duplicates (syndicated copies with small edits) are found with a
bottom-k MinHash sketch of word shingles: cheap to store, and two sketches estimate the Jaccard
similarity of the texts they came from.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")

SHINGLE = 3  # words per shingle: small enough that a few edits keep most shingles intact
SKETCH_SIZE = 64  # hashes kept per document


def normalise(text: str) -> str:
    """Unicode-compatible form with whitespace collapsed: what identity is computed over."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def content_id(text: str) -> str:
    """A stable 16-hex-digit id for the article text (64 bits of SHA-256)."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:16]


def sketch(text: str, size: int = SKETCH_SIZE) -> list[int]:
    """The ``size`` smallest 64-bit (signed) hashes of the text's word shingles."""
    words = _WORD.findall(normalise(text).casefold())
    if len(words) < SHINGLE:
        shingles = {" ".join(words)} if words else set()
    else:
        shingles = {" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    hashes = {_hash64(s) for s in shingles}
    return sorted(hashes)[:size]


def similarity(a: list[int], b: list[int], size: int = SKETCH_SIZE) -> float:
    """Estimated Jaccard similarity of two texts from their bottom-k sketches."""
    if not a or not b:
        return 0.0
    union_bottom = sorted(set(a) | set(b))[:size]
    shared = set(a) & set(b)
    return sum(1 for h in union_bottom if h in shared) / len(union_bottom)


def _hash64(value: str) -> int:
    digest = hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
