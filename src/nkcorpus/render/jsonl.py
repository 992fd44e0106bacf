"""JSON Lines: one object per hit, nothing else on stdout.

Keys (documented in the README, locked by a test): rank, score, path,
line_start, line_end, unit, text, matches [{start, end, term}], and two
query-level keys repeated on every hit, so each line stands alone (as in
ripgrep, one object per hit): expansions, suggestions; and the hit's place
in each ranking that meaning search fuses: lexical_rank, lexical_score,
semantic_rank, semantic_score (null where not ranked).
"""

from __future__ import annotations

import json
from typing import TextIO

from nkcorpus.model import Hit, SearchResult


def hit_object(hit: Hit, result: SearchResult | None = None) -> dict:
    return {
        "rank": hit.rank,
        "score": hit.score,
        "path": hit.path,
        "line_start": hit.line_start,
        "line_end": hit.line_end,
        "unit": hit.unit,
        "text": hit.text,
        "matches": [{"start": m.start, "end": m.end, "term": m.term} for m in hit.matches],
        "expansions": list(result.expansions) if result else [],
        "suggestions": list(result.suggestions) if result else [],
        "lexical_rank": hit.lexical_rank,
        "lexical_score": hit.lexical_score,
        "semantic_rank": hit.semantic_rank,
        "semantic_score": hit.semantic_score,
    }


def render(result: SearchResult, stream: TextIO, options) -> None:
    for hit in result.hits:
        stream.write(json.dumps(hit_object(hit, result), ensure_ascii=False) + "\n")
    stream.flush()
