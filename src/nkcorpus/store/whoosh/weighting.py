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
from whoosh.util.numeric import byte_to_length


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
        # bm25() as three constants: idf*tf*(K1+1) / (tf + K1*(1-B) + K1*B*fl/avgfl)
        self._c1, self._c2, self._c3 = self.idf * (K1 + 1), K1 * (1 - B), K1 * B / self.avgfl
        self._lengths = _lengths(searcher, fieldname)

    def score(self, matcher):
        """``bm25(idf, tf, field length, ...)``, the length read from the
        segment's length bytes held in memory (``_lengths``) rather than
        through four calls to Whoosh's column reader per passage and word
        (a fifth of a long query's time)."""
        lengths = self._lengths
        if lengths is None:
            return super().score(matcher)
        tf = matcher.weight()
        docnum = matcher.id()
        fl = _BYTE_LENGTH[lengths[docnum]] if docnum < len(lengths) else 0
        return self._c1 * tf / (tf + self._c2 + self._c3 * (fl or 1))


# Field length byte -> length, as Whoosh decodes it (whoosh.util.numeric).
_BYTE_LENGTH = tuple(byte_to_length(b) for b in range(256))


def _lengths(searcher, fieldname) -> bytes | None:
    """The length bytes of ``fieldname`` in ``searcher``'s segment, one per
    record, read once per segment and field (None: not a segment whose
    lengths Whoosh 2.7's codec keeps in a one-byte column; then Whoosh's
    own lookup is used)."""
    reader = searcher.reader()
    cache = getattr(reader, "_nk_lengths", None)
    if cache is None:
        cache = {}
        try:
            reader._nk_lengths = cache
        except AttributeError:  # a reader that takes no attributes: read each time
            pass
    if fieldname not in cache:
        cache[fieldname] = _read_lengths(reader, fieldname)
    return cache[fieldname]


def _read_lengths(reader, fieldname) -> bytes | None:
    try:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None or column._fixedlen != 1:
            return None
        return bytes(column._dbfile.get(column._basepos, column._count))
    except (AttributeError, ImportError, TypeError):
        return None
