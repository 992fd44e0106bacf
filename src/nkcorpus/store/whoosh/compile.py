"""Query plan -> Whoosh query.

Each plan node becomes the Whoosh query that scores as the plan says:
``Terms`` a ``Term`` or ``Phrase``, ``Prefix`` a ``Prefix``, ``Sum`` an
``Or``, ``Best`` a ``dismax.BestOf``, ``Bool`` ``AndMaybe``/``And``/
``AndNot`` around an ``Or`` of the optional parts.

``evidence`` compiles the same plan for document records: the stem field
of whole files, every positive part optional (it scores documents; which
passages match is decided by the passage query), surface words, prefixes
and exclusions left out.
"""

from __future__ import annotations

from whoosh import query as q

from nkcorpus.store.whoosh.dismax import BestOf
from nkcorpus.store.whoosh.schema import DOC_FIELDS, FIELDS
from nkcorpus.understand.plan import Best, Bool, Node, Prefix, Sum, Terms

# Whoosh's coordination bonus for several optional parts (a number turns it
# on): measured, no gain (docs/quality.md).
COORD = None


def compile_node(node: Node, preload: bool = False) -> q.Query:
    """The passage query of a plan node. ``preload``: the query is run over
    every passage from the first to the last (``Reader.top``), so an ``Or``
    at its root sums its parts' scores block by block into an array
    (Whoosh's ``PreloadedOr``) instead of walking a tree of unions passage
    by passage: the same matches and scores, a quarter less time for a
    ten-word query on CLICK-ID. Not where the query skips (an ``Among``,
    an optional part): that array is refilled at every skip."""
    return _preloaded(_Compiler(FIELDS, evidence=False).node(node)) if preload else \
        _Compiler(FIELDS, evidence=False).node(node)


def _preloaded(query):
    if type(query) is q.Or and query.scale is None:
        return q.PreloadedOr(query.subqueries, boost=query.boost)
    return query


def evidence(node: Node) -> q.Query | None:
    """The document-record query of a plan node (None: nothing to score),
    preloaded as ``compile_node``'s: it is run over every document record."""
    return _preloaded(_Compiler(DOC_FIELDS, evidence=True).node(node))


class _Compiler:
    def __init__(self, fields: dict, evidence: bool) -> None:
        self.fields = fields
        self.evidence = evidence

    def node(self, node: Node) -> q.Query | None:
        if isinstance(node, Terms):
            return self.terms(node)
        if isinstance(node, Prefix):
            return None if self.evidence else q.Prefix(self.fields["surface"], node.text, boost=node.weight)
        if isinstance(node, Bool):
            return self.bool(node)
        parts = self.parts(node.parts)
        if not parts:
            return None
        if isinstance(node, Sum):
            return q.Or(parts, boost=node.weight)
        if isinstance(node, Best):
            return BestOf(parts, boost=node.weight, tiebreak=node.tiebreak)
        raise TypeError(f"not a plan node: {node!r}")

    def parts(self, nodes) -> list[q.Query]:
        return [c for c in map(self.node, nodes) if c is not None]

    def terms(self, node: Terms) -> q.Query | None:
        field = self.fields[node.field]
        if field is None:
            return None
        if len(node.terms) == 1:
            return q.Term(field, node.terms[0], boost=node.weight)
        if not node.ordered:  # "a b"~N: within N words, any order
            from whoosh.query.spans import SpanNear2

            return SpanNear2([q.Term(field, t) for t in node.terms], slop=node.slop, ordered=False,
                             mindist=1).with_boost(node.weight)
        return q.Phrase(field, list(node.terms), slop=node.slop, boost=node.weight)

    def bool(self, node: Bool) -> q.Query | None:
        if self.evidence:
            parts = self.parts((*node.must, *node.should))
            return q.Or(parts, boost=node.weight) if parts else None
        should, must, must_not = self.parts(node.should), self.parts(node.must), self.parts(node.must_not)
        pos = q.Or(should, scale=COORD) if len(should) > 1 else (should[0] if should else None)
        if must:
            req = q.And(must) if len(must) > 1 else must[0]
            pos = q.AndMaybe(req, pos) if pos is not None else req
        if must_not:
            pos = q.AndNot(pos, q.Or(must_not) if len(must_not) > 1 else must_not[0])
        if node.weight != 1.0:
            pos.boost = node.weight
        return pos
