"""BM25F whose statistics count, for each field, only the records that have it.

Whoosh's BM25F takes the number of records (for idf) and the average field
length over every record of the index. Passages and document records share
one index but no field (``schema``), so each field's statistics must count
its own kind of record only: then a passage scores exactly as it would in
an index of passages alone, and a document as in an index of documents.
"""

from __future__ import annotations

from math import log

from whoosh.scoring import BM25F, BM25FScorer, WeightScorer


class SplitBM25F(BM25F):
    """BM25F with ``counts``: field name -> the number of records having it."""

    def __init__(self, counts: dict[str, int], **kwargs) -> None:
        super().__init__(**kwargs)
        self.counts = counts

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        n = parent.doc_frequency(fieldname, text)
        dc = self.counts.get(fieldname) or parent.doc_count_all()
        return log(dc / (n + 1)) + 1

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return WeightScorer.for_(searcher, fieldname, text)
        B = self._field_B.get(fieldname, self.B)
        return _Scorer(searcher, fieldname, text, B, self.K1, qf, self.counts.get(fieldname))


class _Scorer(BM25FScorer):
    """``BM25FScorer`` with the average field length over ``count`` records."""

    def __init__(self, searcher, fieldname, text, B, K1, qf, count) -> None:
        parent = searcher.get_parent()
        self.idf = parent.idf(fieldname, text)
        records = count or parent.doc_count_all()
        self.avgfl = parent.field_length(fieldname) / (records or 1) or 1
        self.B, self.K1, self.qf = B, K1, qf
        self.setup(searcher, fieldname, text)
