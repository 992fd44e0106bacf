"""A disjunction scored by its best match: the ways to match one concept.

Whoosh has ``DisjunctionMax``, but its matcher (2.7.x) scores the two sides'
current postings without checking that they are the same passage, ignores
``tiebreak``, and drops every match of a sub-matcher that ends early; this
one unions like ``Or`` and scores ``best + tiebreak * the rest`` per passage
(as Lucene's DisjunctionMaxQuery does).
"""

from __future__ import annotations

from whoosh import matching
from whoosh.matching.binary import UnionMatcher
from whoosh.query import DisjunctionMax


class BestOf(DisjunctionMax):
    """Matches what any subquery matches; scores a passage by the best one."""

    def normalize(self):
        norm = super().normalize()
        if isinstance(norm, BestOf):
            norm.tiebreak = self.tiebreak
        return norm

    def _matcher(self, subs, searcher, context):
        return self._tree_matcher(subs, BestOfMatcher, searcher, context, None, tiebreak=self.tiebreak)


class BestOfMatcher(UnionMatcher):
    """Union of two matchers; where both match a passage, the higher score
    plus ``tiebreak`` times the lower."""

    def __init__(self, a, b, tiebreak: float = 0.0) -> None:
        super().__init__(a, b)
        self.tiebreak = tiebreak

    def copy(self):
        return self.__class__(self.a.copy(), self.b.copy(), tiebreak=self.tiebreak)

    def _combine(self, x: float, y: float) -> float:
        return max(x, y) + self.tiebreak * min(x, y)

    def score(self) -> float:
        a, b = self.a, self.b
        if not a.is_active():
            return b.score()
        if not b.is_active():
            return a.score()
        if a.id() != b.id():
            return (a if a.id() < b.id() else b).score()
        return self._combine(a.score(), b.score())

    def max_quality(self) -> float:
        return self._combine(self.a.max_quality(), self.b.max_quality())

    def block_quality(self) -> float:
        return self._combine(self.a.block_quality(), self.b.block_quality())

    def replace(self, minquality=0):
        """Drop an exhausted side; never turn into an additive matcher."""
        a_active, b_active = self.a.is_active(), self.b.is_active()
        if not (a_active or b_active):
            return matching.NullMatcher()
        if not a_active:
            return self.b.replace()
        if not b_active:
            return self.a.replace()
        a, b = self.a.replace(), self.b.replace()
        if a is not self.a or b is not self.b:
            return self.__class__(a, b, tiebreak=self.tiebreak)
        self._id = None
        return self
