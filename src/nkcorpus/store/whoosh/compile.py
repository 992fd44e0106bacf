"""Query plan -> Whoosh query.

Each plan node becomes the Whoosh query that scores as the plan says:
``Terms`` a ``Term`` or ``Phrase``, ``Prefix`` a ``Prefix``, ``Sum`` an
``Or``, ``Best`` a ``dismax.BestOf``, ``Bool`` ``AndMaybe``/``And``/
``AndNot`` around an ``Or`` of the optional parts.
"""

from __future__ import annotations

from functools import singledispatch

from whoosh import query as q

from nkcorpus.store.whoosh.dismax import BestOf
from nkcorpus.store.whoosh.schema import FIELDS
from nkcorpus.understand.plan import SURFACE, Best, Bool, Prefix, Sum, Terms

# Whoosh's coordination bonus for several optional parts (a number turns it
# on): measured, no gain (docs/quality.md).
COORD = None


@singledispatch
def compile_node(node) -> q.Query:
    raise TypeError(f"not a plan node: {node!r}")


@compile_node.register
def _terms(node: Terms) -> q.Query:
    field = FIELDS[node.field]
    if len(node.terms) == 1:
        return q.Term(field, node.terms[0], boost=node.weight)
    if not node.ordered:  # "a b"~N: within N words, any order
        from whoosh.query.spans import SpanNear2

        return SpanNear2([q.Term(field, t) for t in node.terms], slop=node.slop, ordered=False,
                         mindist=1).with_boost(node.weight)
    return q.Phrase(field, list(node.terms), slop=node.slop, boost=node.weight)


@compile_node.register
def _prefix(node: Prefix) -> q.Query:
    return q.Prefix(FIELDS[SURFACE], node.text, boost=node.weight)


@compile_node.register
def _sum(node: Sum) -> q.Query:
    return q.Or([compile_node(p) for p in node.parts], boost=node.weight)


@compile_node.register
def _best(node: Best) -> q.Query:
    return BestOf([compile_node(p) for p in node.parts], boost=node.weight, tiebreak=node.tiebreak)


@compile_node.register
def _bool(node: Bool) -> q.Query:
    should = [compile_node(p) for p in node.should]
    must = [compile_node(p) for p in node.must]
    must_not = [compile_node(p) for p in node.must_not]
    pos = q.Or(should, scale=COORD) if len(should) > 1 else (should[0] if should else None)
    if must:
        req = q.And(must) if len(must) > 1 else must[0]
        pos = q.AndMaybe(req, pos) if pos is not None else req
    if must_not:
        pos = q.AndNot(pos, q.Or(must_not) if len(must_not) > 1 else must_not[0])
    if node.weight != 1.0:
        pos.boost = node.weight
    return pos
