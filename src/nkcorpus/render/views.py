"""The research views for scripts: CSV, TSV and JSON Lines of a timeline
or of key terms (``text`` is in ``chart``, the report page in ``html``).

Timeline rows, one per query and period (then one per query with period
``undated``: its documents without a date by that period):
query, period, documents, passages. Key terms rows, best first: rank,
term (the root, or a name's roots), form (as most often written), kind
(word or name), matches (matching passages holding it; of the sample),
corpus (passages of the corpus holding it), score (G2).
"""

from __future__ import annotations

import csv
import json
from typing import TextIO

from nkcorpus.model import KeyTerms, Timeline

TIMELINE_COLUMNS = ("query", "period", "documents", "passages")
TERM_COLUMNS = ("rank", "term", "form", "kind", "matches", "corpus", "score")


def timeline_rows(result: Timeline) -> list[tuple]:
    out = []
    for s in result.series:
        out += [(s.query, c.period, c.documents, c.passages) for c in s.counts]
        out.append((s.query, "undated", s.undated_documents, s.undated_passages))
    return out


def term_rows(result: KeyTerms) -> list[tuple]:
    return [(i, t.term, t.form, t.kind, t.matches, t.corpus, t.score) for i, t in enumerate(result.terms, 1)]


def render(result: Timeline | KeyTerms, stream: TextIO, fmt: str) -> None:
    if isinstance(result, Timeline):
        header, rows = TIMELINE_COLUMNS, timeline_rows(result)
    else:
        header, rows = TERM_COLUMNS, term_rows(result)
    if fmt == "jsonl":
        for row in rows:
            obj = dict(zip(header, row))
            if isinstance(result, KeyTerms):
                obj.update(query=result.query, sample=result.sample, matched=result.matched)
            stream.write(json.dumps(obj, ensure_ascii=False) + "\n")
    else:
        tsv = fmt == "tsv"
        writer = csv.writer(stream, delimiter="\t" if tsv else ",", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    stream.flush()
