"""JSON Lines: one object per hit, nothing else on stdout.

Keys (documented in docs/reference.md, locked by a test): rank, score, path, rel,
line_start, line_end, unit, text, matches [{start, end, term}], the
document's title, date and source (null when unknown), and two
query-level keys repeated on every hit, so each line stands alone (as in
ripgrep, one object per hit): expansions, suggestions; and the hit's place
in each ranking that meaning search fuses: lexical_rank, lexical_score,
semantic_rank, semantic_score (null where not ranked). With ``--context``,
``before`` and ``after`` [{line_start, line_end, text}] too.

``--files``: one object per file {rank, score, path, rel, passages};
``--count``: one object {passages, documents}.
"""

from __future__ import annotations

import json
from typing import TextIO

from nkcorpus.model import FileHit, Hit, Nearby, SearchResult, Why


def hit_object(hit: Hit, result: SearchResult | None = None, context: bool = False,
               explain: bool = False) -> dict:
    obj = {
        "rank": hit.rank,
        "score": hit.score,
        "path": hit.path,
        "rel": hit.rel,
        "line_start": hit.line_start,
        "line_end": hit.line_end,
        "unit": hit.unit,
        "text": hit.text,
        "matches": [{"start": m.start, "end": m.end, "term": m.term} for m in hit.matches],
        "title": hit.title,
        "date": hit.date,
        "source": hit.source,
        "expansions": list(result.expansions) if result else [],
        "suggestions": list(result.suggestions) if result else [],
        "lexical_rank": hit.lexical_rank,
        "lexical_score": hit.lexical_score,
        "semantic_rank": hit.semantic_rank,
        "semantic_score": hit.semantic_score,
    }
    if context:
        obj["before"] = [_nearby(n) for n in hit.before]
        obj["after"] = [_nearby(n) for n in hit.after]
    if explain:
        obj["explain"] = [why_object(w) for w in hit.explain]
    return obj


def why_object(w: Why) -> dict:
    return {"concept": w.concept, "score": w.score, "share": w.share,
            "matched": [{"way": way, "text": text} for way, text in w.matched]}


def _nearby(n: Nearby) -> dict:
    return {"line_start": n.line_start, "line_end": n.line_end, "text": n.text}


def file_object(f: FileHit) -> dict:
    return {"rank": f.rank, "score": f.score, "path": f.path, "rel": f.rel, "passages": f.passages}


def count_object(result: SearchResult) -> dict:
    return {"passages": result.total, "documents": result.documents}


def render(result: SearchResult, stream: TextIO, options) -> None:
    if options.mode == "count":
        objects = [count_object(result)]
    elif options.mode == "files":
        objects = [file_object(f) for f in result.files]
    else:
        context = any(h.before or h.after for h in result.hits) or getattr(options, "context", False)
        explain = getattr(options, "explain", False)
        objects = [hit_object(hit, result, context, explain) for hit in result.hits]
    for obj in objects:
        stream.write(json.dumps(obj, ensure_ascii=False) + "\n")
    stream.flush()
