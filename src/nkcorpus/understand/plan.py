"""The query plan: what the user asked for, independent of any search engine.

A plan is a small tree of frozen nodes. Its leaves say which analyzed terms
to look for and in which field; its inner nodes say how the scores of their
parts combine. A backend compiles the tree to its own queries: the Whoosh
backend (``store.whoosh.compile``) to ``Term``/``Phrase``/``Or``/``And``/
``DisjunctionMax``; a remote engine would use ``term``/``match_phrase``/
``bool``/``dis_max`` the same way.

Leaves:

* ``Terms``: one way to match, a word or words in a row (within ``slop``),
  in the ``stem`` field (roots) or the ``surface`` field (lowercase words as
  written). ``way`` says where it came from: ``typed``, ``surface``,
  ``alias``, ``related``, ``spelling``, ``loan``, ``phrase``, ``name``,
  ``phrase-words`` or ``proximity``; ``source`` is the query text it stands for.
* ``Prefix``: words starting so, in the surface field.

Inner nodes:

* ``Sum``: matches what any part matches; the parts' scores add up.
* ``Best``: matches what any part matches; a passage scores its best part
  plus ``tiebreak`` times the others (``dis_max``). With ``concept`` set, it
  holds the ways to match one concept of the query (a word or a name, with
  its aliases, related words and close spellings).
* ``Bool``: ``must`` parts are required, ``should`` parts add to the score,
  ``must_not`` parts exclude.

Every node has a ``weight`` that multiplies its score.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date as _date

STEM = "stem"
SURFACE = "surface"


@dataclass(frozen=True, slots=True)
class Terms:
    terms: tuple[str, ...]
    field: str = STEM
    way: str = "typed"
    source: str = ""
    weight: float = 1.0
    slop: int = 1
    ordered: bool = True  # False: the words within ``slop`` of each other, in any order


@dataclass(frozen=True, slots=True)
class Prefix:
    text: str
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Sum:
    parts: tuple[Node, ...]
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Best:
    parts: tuple[Node, ...]
    weight: float = 1.0
    tiebreak: float = 0.0
    concept: str = ""


@dataclass(frozen=True, slots=True)
class Bool:
    should: tuple[Node, ...] = ()
    must: tuple[Node, ...] = ()
    must_not: tuple[Node, ...] = ()
    weight: float = 1.0


Node = Terms | Prefix | Sum | Best | Bool

# The document metadata fields a query may filter on (``field:value``);
# ``year`` is a date that starts so.
FILTER_FIELDS = ("title", "source", "author", "year", "date", "folder")


@dataclass(frozen=True, slots=True)
class Filters:
    """Which documents a search keeps, by their metadata (``ingest.meta``).

    ``since``/``until``: ISO dates (YYYY, YYYY-MM or YYYY-MM-DD), inclusive
    (``until`` 2019-09 keeps all of September); a document without a date
    is then left out. ``keep``/``drop``: (field, value) pairs; a document is
    kept when, for each field named in ``keep``, one of its values matches,
    and none of ``drop`` does. Values are as typed: ``source`` lowercase,
    ``title`` and ``author`` words (all must be there), ``date`` an ISO
    prefix (``year`` is turned into ``date``).
    """

    since: str | None = None
    until: str | None = None
    keep: tuple[tuple[str, str], ...] = ()
    drop: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.since or self.until or self.keep or self.drop)

    def describe(self) -> str:
        parts = [f"since {self.since}"] if self.since else []
        parts += [f"until {self.until}"] if self.until else []
        parts += [f"{f}:{v}" for f, v in self.keep] + [f"-{f}:{v}" for f, v in self.drop]
        return " ".join(parts)


_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def iso_date(text: str) -> str | None:
    """``text`` as a date filter: YYYY, YYYY-MM or YYYY-MM-DD (month and
    day may have one digit), zero-padded; None if it is not such a date."""
    found = _ISO_DATE.fullmatch(text.strip())
    if not found:
        return None
    year, month, day = (int(g) if g else None for g in found.groups())
    try:
        _date(year, month or 1, day or 1)
    except ValueError:
        return None
    return "-".join(f"{n:02d}" if i else f"{n:04d}" for i, n in enumerate((year, month, day)) if n is not None)


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """A parsed and understood query.

    ``relaxed`` is the same query with its required phrases made optional,
    searched when the phrases match nothing. ``highlight`` holds the analyzed
    terms whose occurrences are highlighted in hits; ``searched``,
    ``expansions`` and ``suggestions`` are for display; ``paths`` are the
    ``path:GLOB`` filters typed in the query, ``exclude`` the ``-path:GLOB``
    ones; ``warnings`` say what of the query was not understood; ``filters``
    the metadata filters typed in it (``source:tempo``, ``-year:2018``).
    """

    text: str
    root: Node
    highlight: frozenset[str]
    searched: tuple[str, ...] = ()
    expansions: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    relaxed: Node | None = None
    exclude: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    filters: Filters = Filters()


def with_weight(node: Node, weight: float) -> Node:
    """``node`` with its weight replaced."""
    return replace(node, weight=weight)


def leaves(node: Node) -> Iterator[Terms | Prefix]:
    """Every leaf of ``node``, depth first."""
    if isinstance(node, (Terms, Prefix)):
        yield node
    elif isinstance(node, Bool):
        for part in (*node.should, *node.must, *node.must_not):
            yield from leaves(part)
    else:
        for part in node.parts:
            yield from leaves(part)


def describe(node: Node, indent: int = 0) -> str:
    """A plan as indented text, one node a line (for tests and ``--explain``)."""
    pad = "  " * indent
    w = "" if node.weight == 1.0 else f" ^{node.weight:g}"
    if isinstance(node, Terms):
        kind = "phrase" if len(node.terms) > 1 else "term"
        slop = f" ~{node.slop}" if node.slop != 1 else ""
        slop += " any order" if not node.ordered else ""
        return f"{pad}{kind} {node.field}:{' '.join(node.terms)}{slop} [{node.way}]{w}"
    if isinstance(node, Prefix):
        return f"{pad}prefix surface:{node.text}*{w}"
    if isinstance(node, Bool):
        lines = [f"{pad}bool{w}"]
        for label, parts in (("must", node.must), ("should", node.should), ("not", node.must_not)):
            if parts:
                lines.append(f"{pad}  {label}:")
                lines += [describe(p, indent + 2) for p in parts]
        return "\n".join(lines)
    if isinstance(node, Best):
        head = f"best{' ' + repr(node.concept) if node.concept else ''}"
        head += f" tiebreak {node.tiebreak:g}" if node.tiebreak else ""
    else:
        head = "sum"
    return "\n".join([f"{pad}{head}{w}", *(describe(p, indent + 1) for p in node.parts)])


# Ways of matching that only rank (a name's or phrase's words apart, words
# near each other), or that find other words (related: perundingan ~ dialog).
_RANKING_ONLY = ("proximity", "phrase-words", "related")


def all_concepts(node: Node) -> Node:
    """The plan that counts: every concept of the query required (a word or
    name in any of its ways: inflections, aliases, close spellings), a name
    or a quoted phrase as a whole; what only ranks (a name's words apart,
    a phrase's words, words near each other) and related words (other
    words: ``perundingan`` ~ ``dialog``) dropped. Groups keep their OR.
    The research views count matches with it (``nkcorpus.views``)."""
    if isinstance(node, Bool):
        must = tuple(p for p in (_strict(x) for x in node.should + node.must) if p is not None)
        if not must:
            return node
        return Bool(must=must, must_not=node.must_not, weight=node.weight)
    return _strict(node) or node


def _strict(node: Node) -> Node | None:
    if isinstance(node, Terms):
        return None if node.way in _RANKING_ONLY else node
    if isinstance(node, Prefix):
        return node
    if isinstance(node, Bool):
        should = tuple(p for p in (_strict(x) for x in node.should) if p is not None)
        must = tuple(p for p in (_strict(x) for x in node.must) if p is not None)
        if not should and not must:
            return None
        return Bool(should=should, must=must, must_not=node.must_not, weight=node.weight)
    whole = any(isinstance(p, Terms) and p.way in ("name", "phrase") for p in node.parts)
    parts = []
    for part in node.parts:
        if whole and isinstance(part, Sum) and all(
                isinstance(t, Terms) and len(t.terms) == 1 and t.way == "typed" for t in part.parts):
            continue  # a name's words apart
        strict = _strict(part)
        if strict is not None:
            parts.append(strict)
    if not parts:
        return None
    return replace(node, parts=tuple(parts))


def concept_of(node: Node) -> str:
    """What a part of a plan stands for, as typed: a concept's name, a
    phrase's or a word's text, ``near: ...`` for the proximity bonus."""
    if isinstance(node, Best) and node.concept:
        return node.concept
    if isinstance(node, Terms):
        text = node.source or " ".join(node.terms)
        return f"near: {text}" if node.way == "proximity" else text
    if isinstance(node, Prefix):
        return node.text + "*"
    for leaf in leaves(node):
        if leaf.way in ("typed", "phrase", "name") or isinstance(leaf, Prefix):
            return concept_of(leaf)
    first = next(leaves(node), None)
    return concept_of(first) if first is not None else ""
