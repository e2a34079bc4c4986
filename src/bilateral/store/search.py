"""Full-text search over documents, one implementation per dialect, same query language.

The query language is the one of PostgreSQL's ``websearch_to_tsquery``: words are ANDed,
``"a phrase"`` matches words in sequence, ``or`` between words means either, ``-word`` excludes.
Everything else (colons, parentheses, ``*``, ``AND``/``NOT``, unbalanced quotes) is plain text.

User queries are untrusted: they are always bound as parameters, never formatted into SQL. On
SQLite the query is first rewritten into an FTS5 expression in which every term is a quoted
string, so FTS5 syntax characters in the input cannot reach the FTS5 parser as syntax.

Snippets mark matched terms with ``MARK_START``/``MARK_END`` and are otherwise raw document
text: escape them before putting them into HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

MARK_START = "["
MARK_END = "]"
ELLIPSIS = "…"

#: FTS5 bm25 column weights (title, text): a word in the title counts as much as ten in the text.
_BM25_WEIGHTS = (10.0, 1.0)

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


@dataclass(frozen=True)
class SearchHit:
    """One document matching a search; ``score`` is higher for better matches (same query only)."""

    doc_id: str
    title: str | None
    snippet: str
    score: float
    external_id: str | None = None
    published: str | None = None
    source: str | None = None


def fts5_query(query: str) -> str | None:
    """Rewrite a websearch-style query into a safe FTS5 expression; None when nothing to search.

    >>> fts5_query('host-nation "unbalanced')
    '"host-nation" AND "unbalanced"'
    """
    query = query.replace("\x00", " ")
    groups: list[list[str]] = []  # OR-groups, ANDed together
    negated: list[str] = []
    pending_or = False
    for match in _TOKEN.finditer(query):
        phrase, word = match.group(1), match.group(2)
        if phrase is None and word.lower() == "or":
            pending_or = bool(groups)
            continue
        negate = False
        if phrase is None and word.startswith("-") and len(word) > 1:
            negate, word = True, word[1:]
        body = phrase if phrase is not None else word.replace('"', " ").strip()
        if not any(ch.isalnum() for ch in body):
            continue  # "*", "-", "()": nothing FTS5 would index
        term = '"' + body.replace('"', '""') + '"'
        if negate:
            negated.append(term)
            pending_or = False
        elif pending_or:
            groups[-1].append(term)
            pending_or = False
        else:
            groups.append([term])
    if not groups:
        return None  # nothing positive to look for (FTS5 NOT needs a left operand)
    expr = " AND ".join(g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups)
    if negated:
        expr = f"({expr})" + "".join(f" NOT {term}" for term in negated)
    return expr


_SQLITE_SEARCH = text(f"""
    SELECT d.id, d.title, d.external_id, d.published, d.source,
           snippet(documents_fts, 1, :mark_start, :mark_end, :ellipsis, 24) AS snippet,
           bm25(documents_fts, {_BM25_WEIGHTS[0]}, {_BM25_WEIGHTS[1]}) AS rank
    FROM documents_fts
    JOIN documents_fts_map AS m ON m.rid = documents_fts.rowid
    JOIN documents AS d ON d.id = m.doc_id
    WHERE documents_fts MATCH :match AND (:all_docs OR d.duplicate_of IS NULL)
    ORDER BY rank, d.id
    LIMIT :limit
""")

#: PostgreSQL first looks for matches among the newest this many documents, read in the
#: newest-first index: a common word matches most of a large store, and finding and ranking
#: every match would read every one of them. Only when the window holds fewer matches than were
#: asked for is the whole store searched through the GIN index (a rarer word: few matches).
NEWEST_WINDOW = 1_000

_POSTGRES_RANKED = """
    WITH q AS (SELECT websearch_to_tsquery('english', :query) AS tsq),
    found AS ({found}),
    top AS (
        SELECT found.id, ts_rank(found.search, q.tsq) AS score
        FROM found, q
        ORDER BY score DESC, found.id
        LIMIT :limit
    )
    SELECT d.id, d.title, d.external_id, d.published, d.source,
           ts_headline('english', d.text, q.tsq, :headline_options) AS snippet,
           top.score
    FROM top JOIN documents AS d ON d.id = top.id, q
    ORDER BY top.score DESC, d.id
"""
_POSTGRES_NEWEST = text(_POSTGRES_RANKED.format(found="""
        SELECT recent.id, recent.search
        FROM (SELECT id, search, duplicate_of FROM documents
              ORDER BY published DESC NULLS LAST, id LIMIT :window) AS recent, q
        WHERE recent.search @@ q.tsq AND (:all_docs OR recent.duplicate_of IS NULL)"""))
_POSTGRES_SEARCH = text(_POSTGRES_RANKED.format(found="""
        SELECT d.id, d.search
        FROM documents AS d, q
        WHERE d.search @@ q.tsq AND (:all_docs OR d.duplicate_of IS NULL)"""))
_HEADLINE_OPTIONS = (f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=30, MinWords=12, '
                     f'MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "')


def search(conn: Connection, query: str, limit: int, include_duplicates: bool) -> list[SearchHit]:
    """Run a full-text search on whichever dialect ``conn`` speaks."""
    if not query.strip() or limit <= 0:
        return []
    dialect = conn.dialect.name
    if dialect == "sqlite":
        match = fts5_query(query)
        if match is None:
            return []
        rows = conn.execute(_SQLITE_SEARCH, {
            "match": match, "limit": limit, "all_docs": include_duplicates,
            "mark_start": MARK_START, "mark_end": MARK_END, "ellipsis": ELLIPSIS,
        }).all()
        return [SearchHit(doc_id=r.id, title=r.title, snippet=r.snippet, score=-float(r.rank),
                          external_id=r.external_id, published=r.published, source=r.source)
                for r in rows]
    if dialect == "postgresql":
        params = {"query": query.replace("\x00", " "), "limit": limit,
                  "window": NEWEST_WINDOW, "all_docs": include_duplicates,
                  "headline_options": _HEADLINE_OPTIONS}
        rows = conn.execute(_POSTGRES_NEWEST, params).all()
        if len(rows) < limit:
            rows = conn.execute(_POSTGRES_SEARCH, params).all()
        return [SearchHit(doc_id=r.id, title=r.title, snippet=r.snippet, score=float(r.score),
                          external_id=r.external_id, published=r.published, source=r.source)
                for r in rows]
    raise NotImplementedError(f"full-text search is not implemented for {dialect}")
