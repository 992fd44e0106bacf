"""Query text -> a tree of clauses (words, phrases, prefixes, groups), each
optional, required or excluded; ``path:GLOB`` filters apart. Never raises.

Syntax (see the README): plain words are optional and passages holding more
of them rank first; ``"quoted words"`` are a phrase; ``+word`` must appear,
``-word`` / ``NOT word`` must not; ``a AND b`` requires both; ``OR`` is the
default; parentheses group; ``word*`` matches words starting so;
``path:GLOB`` keeps files whose path matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nkcorpus.analysis import fold
from nkcorpus.understand.plan import FILTER_FIELDS

_TOKEN = re.compile(r'\(|\)|[+-]?"[^"]*"?|[^\s()"]+')
_OPERATORS = {"AND", "OR", "NOT"}
MAX_DEPTH = 32  # parentheses nested deeper only group with the enclosing words


@dataclass(slots=True)
class Clause:
    kind: str  # "word" | "phrase" | "prefix" | "group"
    text: str = ""
    occur: str = "should"  # "should" | "must" | "not"
    children: list = field(default_factory=list)


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def parse_tree(text: str) -> tuple[list[Clause], list[str]]:
    """Top-level clauses and path globs; never raises."""
    tokens = tokenize(text)
    paths: list[str] = []
    clauses, _ = _sequence(tokens, 0, paths, depth=0)
    return clauses, paths


def _sequence(tokens: list[str], i: int, paths: list[str], depth: int) -> tuple[list[Clause], int]:
    out: list[Clause] = []
    pending_and = pending_not = False
    flattened = 0  # open groups nested too deep: their words belong to this one
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if tok == "(" and depth >= MAX_DEPTH:
            flattened += 1
            continue
        if tok == ")":
            if flattened:
                flattened -= 1
                continue
            if depth:
                break
            continue  # a stray ")" is ignored
        if tok in _OPERATORS:
            pending_and |= tok == "AND" and bool(out)
            pending_not |= tok == "NOT"
            continue
        if tok == "(":
            children, i = _sequence(tokens, i, paths, depth + 1)
            clause = Clause("group", children=children) if children else None
        else:
            clause = _atom(tok, paths)
        if clause is None:
            continue
        if pending_not:
            clause.occur = "not"
        elif pending_and:
            clause.occur = "must" if clause.occur == "should" else clause.occur
            if out[-1].occur == "should":
                out[-1].occur = "must"
        pending_and = pending_not = False
        out.append(clause)
    return out, i


def _atom(tok: str, paths: list[str]) -> Clause | None:
    occur = "should"
    if tok[:1] in "+-" and len(tok) > 1:
        occur, tok = ("must" if tok[0] == "+" else "not"), tok[1:]
    if tok.startswith('"'):
        body = tok.strip('"')
        return Clause("phrase", body, occur) if body.strip() else None
    if tok.lower().startswith("path:") and len(tok) > 5:
        paths.append(tok[5:])
        return None
    name, colon, value = tok.partition(":")
    if colon and value and name.lower() in FILTER_FIELDS:  # metadata: source:tempo, -year:2018
        return Clause("field", f"{name.lower()}:{value}", occur)
    if tok.endswith("*") and len(tok.rstrip("*")) >= 2 and "*" not in tok.rstrip("*"):
        return Clause("prefix", fold(tok.rstrip("*")), occur)
    if not any(ch.isalnum() for ch in tok):
        return None
    return Clause("word", tok, occur)
