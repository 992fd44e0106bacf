"""What else says the same: the passages most like a given one.

Lexical "more like this" (Lucene's MoreLikeThis): the passage's most
distinctive roots (term frequency in it times inverse document frequency in
the index; stop words, numbers and roots found in no other passage left
out) become one weighted query plan, a ``Sum`` of ``Terms``, run through
the same backend reader as a search. Passages of other documents come
first, at most ``per_file`` of one document; the passage's own document's
other passages follow.

Passage vectors (meaning search) are not used here yet: no judged set of
"more like this" exists to choose between them and the lexical query.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from pathlib import Path

from nkcorpus.analysis import iter_terms, stop_words
from nkcorpus.errors import QueryError
from nkcorpus.model import SearchResult
from nkcorpus.search import hit_of, read_scoped
from nkcorpus.settings import SearchSettings
from nkcorpus.understand.plan import STEM, Sum, Terms

MAX_TERMS = 25  # distinctive roots in the query
_ALNUM = re.compile(r"[^\W\d_]")
_TARGET = re.compile(r"^(?P<path>.+?):(?:[p¶])?(?P<line>\d+)$")


def parse_target(target: str) -> tuple[str, int]:
    """``PATH:LINE`` (as a hit shows it: ``a.txt:12``, ``b.pdf:p3``) -> (path, line)."""
    m = _TARGET.match(target.strip())
    if not m:
        raise QueryError(f"{target!r} is not PATH:LINE", hint="give a hit's location, e.g. 003_x.txt:14")
    return m.group("path"), int(m.group("line"))


def similar(settings: SearchSettings, target: str, progress=None) -> SearchResult:
    """The ``settings.limit`` passages most like the one at ``target``
    (``PATH:LINE``: the passage holding that line of that file)."""
    started = time.perf_counter()
    path, line = parse_target(target)
    root = Path(settings.corpus.root).expanduser().resolve()

    def work(reader, where):
        rel = _rel(path, root, where.scope)
        passages = reader.in_file(rel)
        if not passages:
            raise QueryError(f"{path}: no such file in the index of {settings.corpus.display}",
                             hint="give the path as a hit shows it (nkcorpus search ... shows PATH:LINE)")
        chosen = _holding(passages, line)
        plan, weights = _plan(reader, chosen["text"])
        fetch = settings.limit * 3 + len(passages) + 10
        neighbours, total = [], 0
        if plan is not None:
            paths = where.scope.globs(settings.files)
            if where.scope.prefix and not paths:
                paths = (f"{where.scope.prefix}/*",)
            found, total = reader.top(plan, fetch, paths, where.scope.globs(settings.exclude),
                                  where.filters if where.filters else None)
            neighbours = [(f.score, f.fields) for f in found]
        total = max(total - 1, len(neighbours))  # not the passage itself
        own = chosen["path"]
        others = [(s, f) for s, f in neighbours if f["path"] != own]
        same = [(s, f) for s, f in neighbours if f["path"] == own and f["loc_start"] != chosen["loc_start"]]
        ranked = (_per_file(others, settings.per_file) + same)[:settings.limit]
        terms = frozenset(weights)
        hits = tuple(hit_of(rank, score, fields, settings, terms, where)
                     for rank, (score, fields) in enumerate(ranked, 1))
        about = hit_of(0, 0.0, chosen, settings, terms, where)
        return about, hits, total, tuple(weights)

    (about, hits, total, searched), warnings = read_scoped(settings, work, progress)
    return SearchResult(
        query=f"similar to {about.path}:{about.line_start}", hits=hits, total=total,
        seconds=time.perf_counter() - started, searched_terms=searched, warnings=warnings)


def _rel(path: str, root: Path, scope) -> str:
    """``path`` as the index names it (relative to the indexed folder)."""
    p = Path(path).expanduser()
    rel = path.lstrip("./") if not p.is_absolute() else None
    if p.is_absolute() or (root / path).exists() and not (root / path).is_dir():
        full = p.resolve() if p.is_absolute() else (root / path).resolve()
        try:
            rel = full.relative_to(scope.root).as_posix()
        except ValueError:
            raise QueryError(f"{path} is not inside the corpus {root}") from None
    elif scope.prefix:
        rel = f"{scope.prefix}/{rel}"
    return rel


def _holding(passages: list[dict], line: int) -> dict:
    """The passage holding ``line``, else the last one starting before it."""
    for f in passages:
        if f["loc_start"] <= line <= f["loc_end"]:
            return f
    before = [f for f in passages if f["loc_start"] <= line]
    return before[-1] if before else passages[0]


def _plan(reader, text: str):
    """The weighted query of a passage's most distinctive roots, and the weights."""
    stops = stop_words()
    tf = Counter(t for t, *_ in iter_terms(text) if t not in stops and len(t) > 1 and _ALNUM.search(t))
    n = max(reader.passages(), 1)
    weights = {}
    for term, count in tf.items():
        df = reader.doc_frequency(term)
        if df <= 1:  # only this passage has it
            continue
        weights[term] = (1 + math.log(count)) * math.log(1 + n / df)
    best = dict(sorted(weights.items(), key=lambda kv: -kv[1])[:MAX_TERMS])
    if not best:
        return None, {}
    top = max(best.values())
    parts = tuple(Terms((t,), STEM, way="similar", source=t, weight=round(w / top, 3)) for t, w in best.items())
    return Sum(parts), best


def _per_file(pairs: list, most: int) -> list:
    if not most:
        return pairs
    seen: Counter[str] = Counter()
    out = []
    for pair in pairs:
        path = pair[1]["path"]
        if seen[path] < most:
            seen[path] += 1
            out.append(pair)
    return out
