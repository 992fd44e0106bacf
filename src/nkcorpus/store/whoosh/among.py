"""A query limited to given records: the passages of a few files.

Ranking files by document (``search --files``) scores the passages of the
best few hundred documents only. Whoosh's filters still run the query over
every record and drop the rest afterwards; here the query's matcher is
intersected with the sorted list of the chosen records, so it skips to them
(``skip_to`` jumps over whole blocks of postings) and scores nothing else.
Scores are the query's own.
"""

from __future__ import annotations

from bisect import bisect_left

from whoosh.matching.mcore import ListMatcher, NullMatcher
from whoosh.matching.wrappers import RequireMatcher
from whoosh.query import WrappingQuery


class Among(WrappingQuery):
    """``child``, matching only the records ``ids`` (sorted global numbers)."""

    def __init__(self, child, ids: list[int]) -> None:
        super().__init__(child)
        self.ids = ids

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.child == self.child and other.ids == self.ids

    def __hash__(self) -> int:
        return hash((type(self), self.child, len(self.ids)))

    def _rewrap(self, child):
        return Among(child, self.ids)

    def matcher(self, searcher, context=None):
        offset = _offset(searcher)
        size = searcher.doc_count_all()
        lo, hi = bisect_left(self.ids, offset), bisect_left(self.ids, offset + size)
        if lo == hi:
            return NullMatcher()
        matcher = self.child.matcher(searcher, context)
        if not matcher.is_active():
            return matcher
        local = [i - offset for i in self.ids[lo:hi]]
        return RequireMatcher(matcher, ListMatcher(local, all_weights=0.0))


def _offset(searcher) -> int:
    """The number of the first record of ``searcher``'s segment in the index."""
    parent = searcher.get_parent()
    if parent is searcher:
        return 0
    for sub, offset in parent.subsearchers:
        if sub is searcher:
            return offset
    raise LookupError("a segment searcher outside its index")
