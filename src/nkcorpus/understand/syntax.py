"""Query text -> a tree of clauses (words, phrases, prefixes, groups), each
optional, required or excluded; ``path:GLOB`` filters apart. Never raises.

Syntax (see the README): plain words are optional and passages holding more
of them rank first; ``"quoted words"`` are a phrase; ``+word`` must appear,
``-word`` / ``NOT word`` must not; ``a AND b`` requires both; ``OR`` is the
default; parentheses group; ``word*`` matches words starting so;
``"a b"~N`` finds the words within N words of each other, in any order;
``path:GLOB`` keeps files whose path matches, ``-path:GLOB`` drops them;
metadata fields (``source:tempo``, ``-year:2018``: FILTER_FIELDS) filter.
Other ``name:value`` tokens are searched as words, with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nkcorpus.analysis import fold
from nkcorpus.understand.plan import FILTER_FIELDS

_TOKEN = re.compile(r'\(|\)|[+-]?"[^"]*"(?:~\d+)?|[+-]?"[^"]*|[^\s()"]+')
_OPERATORS = {"AND", "OR", "NOT"}
_FIELD = re.compile(r"[+-]?([^\W\d_]{2,}):(?!//)\S")  # year:2019, title:nuklir (not http://)
_SLOP = re.compile(r'~(\d+)$')
MAX_SLOP = 1000
MAX_DEPTH = 32  # parentheses nested deeper only group with the enclosing words


@dataclass(slots=True)
class Clause:
    kind: str  # "word" | "phrase" | "prefix" | "group"
    text: str = ""
    occur: str = "should"  # "should" | "must" | "not"
    children: list = field(default_factory=list)
    slop: int = 0  # a phrase's "..."~N: its words within N words, any order (0: in a row)


@dataclass(slots=True)
class Parsed:
    """A query's clauses, its ``path:`` globs (kept) and ``-path:`` globs
    (excluded), and warnings about syntax searched as words."""

    clauses: list[Clause]
    paths: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def parse_tree(text: str) -> tuple[list[Clause], list[str]]:
    """Top-level clauses and path globs kept; never raises."""
    parsed = parse_query(text)
    return parsed.clauses, parsed.paths


def parse_query(text: str) -> Parsed:
    """Clauses, path globs kept and excluded, warnings; never raises."""
    parsed = Parsed([])
    parsed.clauses, _ = _sequence(tokenize(text), 0, parsed, depth=0)
    return parsed


def _sequence(tokens: list[str], i: int, paths: Parsed, depth: int) -> tuple[list[Clause], int]:
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
            if pending_not and tok.lower().startswith("path:"):
                tok = "-" + tok  # NOT path:GLOB excludes, like -path:GLOB
            clause = _atom(tok, paths)
        if clause is None:
            if tok.lower().lstrip("+-").startswith("path:"):
                pending_and = pending_not = False  # NOT path:GLOB is done
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


def _atom(tok: str, parsed: Parsed) -> Clause | None:
    occur = "should"
    field_ = _FIELD.match(tok)
    if tok[:1] in "+-" and len(tok) > 1:
        occur, tok = ("must" if tok[0] == "+" else "not"), tok[1:]
    if tok.startswith('"'):
        slop = _SLOP.search(tok)
        if slop:
            tok = tok[:slop.start()]
        body = tok.strip('"')
        if not body.strip():
            return None
        return Clause("phrase", body, occur, slop=min(int(slop.group(1)), MAX_SLOP) if slop else 0)
    if tok.lower().startswith("path:") and len(tok) > 5:
        (parsed.exclude if occur == "not" else parsed.paths).append(tok[5:])
        return None
    name, colon, value = tok.partition(":")
    if colon and value and name.lower() in FILTER_FIELDS:  # metadata: source:tempo, -year:2018
        return Clause("field", f"{name.lower()}:{value}", occur)
    if field_ is not None:
        name = field_.group(1).lower()
        known = ", ".join(f"{f}:" for f in ("path", *sorted(FILTER_FIELDS)))
        note = f"unknown field '{name}:' (searched as words; the fields are {known})"
        if note not in parsed.warnings:
            parsed.warnings.append(note)
    if tok.endswith("*") and len(tok.rstrip("*")) >= 2 and "*" not in tok.rstrip("*"):
        return Clause("prefix", fold(tok.rstrip("*")), occur)
    if not any(ch.isalnum() for ch in tok):
        return None
    return Clause("word", tok, occur)
