"""Query text -> a Whoosh query and the terms to highlight.

Plain words are all optional (OR), passages holding more of them rank first;
``"quoted words"`` must appear as a phrase (matching across stemmed forms).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nkcorpus.analysis import iter_terms
from nkcorpus.errors import QueryError

_PHRASE = re.compile(r'"([^"]*)"')


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    query: object  # a whoosh.query.Query
    terms: frozenset[str]  # analyzed terms whose occurrences are highlighted
    searched: tuple[str, ...]  # what was searched, for display


def parse(text: str) -> ParsedQuery:
    from whoosh import query as q

    phrases = [_terms(m) for m in _PHRASE.findall(text)]
    words = _terms(_PHRASE.sub(" ", text).replace('"', " "))
    parts = [q.Phrase("text", p) if len(p) > 1 else q.Term("text", p[0]) for p in phrases if p]
    parts += [q.Term("text", w) for w in dict.fromkeys(words)]
    if not parts:
        raise QueryError("the query has no words to search for", hint='try: nkcorpus search "uji coba nuklir"')
    terms = frozenset(words) | frozenset(t for p in phrases for t in p)
    return ParsedQuery(q.Or(parts, scale=0.9) if len(parts) > 1 else parts[0], terms, tuple(sorted(terms)))


def _terms(text: str) -> list[str]:
    return [term for term, _, _, _ in iter_terms(text)]
