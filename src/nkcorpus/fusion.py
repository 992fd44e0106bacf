"""Meaning search: the dense ranking (passage vectors) fused with the
lexical one, as ``benchmarks/semantic_fusion.py`` chose it
(``adapt-u2-0.0-0.9/xmix-h/max``, docs/semantic-notes.md):

* ``w = 0.9 * u2``, ``u2`` the share of the query's words that neither the
  index (word or stem) nor nkcorpus's expansions know. When ``w`` is 0 the
  query is not embedded and the lexical ranking is returned as it is.
* lexical: BM25F (headings weighed down) divided by the top score, times
  the share of the query's concepts the passage matches (a concept: a word
  or name as typed, with its aliases, spellings and translations; an
  unknown word is a concept nothing matches); 0 for a passage lexical did
  not return. So a passage that matched one word of a long description no
  longer counts as a full lexical match (third round, semantic-notes.md).
* dense: the query plus the Indonesian targets of its expansions, embedded;
  a passage scores the mean of its cosine with the passage-with-heading
  vector and with its best sentence's, min-max normalised over every
  passage with vectors; headings x0.5.
* ``score = (1 - w) * lexical + w * dense``, over every passage with vectors
  and every passage lexical returned.

The model is loaded only here, and only for a query that needs it; numpy
only for a large folder's cosines (store/vectors.py: NUMPY_FROM).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from nkcorpus.analysis import iter_terms
from nkcorpus.errors import NkError
from nkcorpus.model import Hit
from nkcorpus.settings import SearchSettings
from nkcorpus.understand.plan import STEM, SURFACE, Best, Bool, Prefix, Sum, Terms, leaves
from nkcorpus.understand.syntax import parse_query

# w = LOW + (HIGH - LOW) * u2
LOW, HIGH = 0.0, 0.9
# Lexical candidates fused: the top this many (or 3x the limit).
LEXICAL_DEPTH = 100


class SemanticUnavailable(NkError):
    """--mode semantic where meaning search cannot run."""


@dataclass(frozen=True, slots=True)
class Fused:
    hits: tuple[Hit, ...]
    total: int
    warnings: tuple[str, ...]
    weight: float
    coverage: float | None
    needs_vectors: bool = False  # a small corpus whose vectors can be made now


def targets(expansions: tuple[str, ...]) -> list[str]:
    """The Indonesian words nkcorpus's expansions add ('sanctions → sanksi')."""
    return list(dict.fromkeys(t.strip() for e in expansions if "→" in e
                              for t in e.split("→", 1)[1].split(",") if t.strip()))


def unknown_share(query: str, vocabulary, expansions: tuple[str, ...]) -> float:
    """u2: the share of the query's words that neither the index (as a word
    or a stem) nor the expansions know."""
    text = " ".join(_typed_words(parse_query(query).clauses))
    raw = [t for t, *_ in iter_terms(text, stemmed=False)]
    stems = [t for t, *_ in iter_terms(text, stemmed=True)]
    if not raw:
        return 0.0
    expanded = {t for e in expansions for t, *_ in iter_terms(e.split("→")[0], stemmed=False)}

    def known(term: str) -> bool:
        return vocabulary.doc_frequency(SURFACE, term) > 0 or vocabulary.doc_frequency(STEM, term) > 0

    unknown = sum(1 for w, s in zip(raw, stems) if w not in expanded and not known(w) and not known(s))
    return unknown / len(raw)


def concepts(root) -> list[list]:
    """The query's concepts, each as its leaves (the proximity bonus left out)."""
    if isinstance(root, Sum):
        parts = root.parts
    elif isinstance(root, Bool):
        parts = root.should + root.must
    else:
        parts = (root,)
    out = []
    for part in parts:
        if isinstance(part, Terms) and part.way == "proximity":
            continue
        if isinstance(part, (Sum, Bool)) and not isinstance(part, Best):
            out.extend(concepts(part))
            continue
        out.append(list(leaves(part)))
    return out


def coverage(groups: list[list], fields: dict) -> float:
    """The share of ``groups`` (concepts) with a leaf whose words all occur
    in the passage (its text and the heading it stands under)."""
    if not groups:
        return 1.0
    from nkcorpus.analysis.terms import stem

    text = " ".join(filter(None, (fields.get("context", ""), fields.get("text", ""))))
    surface = {t for t, *_ in iter_terms(text, stemmed=False)}
    roots = {t for group in groups for leaf in group
             if isinstance(leaf, Terms) and leaf.field != SURFACE for t in leaf.terms}
    # Stemming every word of every candidate costs more than the rest of the
    # fusion: only words that may have one of the roots are stemmed (a root
    # less its first letter, which meN- may change, is inside its words).
    lowered = text.lower()
    inside = [r[1:] for r in roots if r[1:] in lowered]
    stems = {stem(w) for w in surface if any(r in w for r in inside)} if inside else set()

    def hit(leaf) -> bool:
        if isinstance(leaf, Prefix):
            p = leaf.text.lower()
            return any(t.startswith(p) for t in surface)
        words = surface if leaf.field == SURFACE else stems
        return all(t in words for t in leaf.terms)

    return sum(1 for group in groups if any(hit(leaf) for leaf in group)) / len(groups)


def _typed_words(clauses) -> list[str]:
    """The words and phrases typed to be found: not the query syntax
    (operators, prefixes, ``path:`` and metadata filters) nor excluded words."""
    out = []
    for clause in clauses:
        if clause.occur == "not" or clause.kind in ("prefix", "field"):
            continue
        if clause.kind == "group":
            out.extend(_typed_words(clause.children))
        else:
            out.append(clause.text)
    return out


def weight(u2: float) -> float:
    return round(LOW + (HIGH - LOW) * u2, 6)


@lru_cache(maxsize=1)
def embedder():
    from nkcorpus.analysis.embed import Embedder

    return Embedder()


def run(reader, plan, settings: SearchSettings, gen: Path | None, lexical, exact_hit,
        heading_weight: float, kept=lambda: None) -> Fused | None:
    """The fused hits, or None when the lexical ranking stands as it is
    (``w`` is 0, or meaning search is not available here).

    ``lexical(limit)`` -> (ranked (score, fields), total, warnings) as
    search.py ranks; ``exact_hit(rank, score, fields)`` -> Hit; ``kept()``
    -> the files a narrowed search keeps (paths, dates, metadata, a
    subfolder), None for all: only their passages are ranked by meaning."""
    semantic = settings.mode == "semantic"
    w = 1.0 if semantic else weight(unknown_share(settings.query, reader.vocabulary, plan.expansions))
    if w == 0.0:
        return None
    from nkcorpus.analysis import embed
    from nkcorpus.store import vectors

    reason = embed.available()
    if reason is not None:
        if semantic:
            raise SemanticUnavailable(f"meaning search is not available: {reason}")
        return None
    if gen is None or not vectors.has_vectors(gen):
        return _without_vectors(settings, semantic, w)
    vs = vectors.load(gen)
    if not len(vs.covered):
        return _without_vectors(settings, semantic, w)
    return _fuse(reader, plan, settings, vs, w, lexical, exact_hit, heading_weight, kept())


def _without_vectors(settings: SearchSettings, semantic: bool, w: float) -> Fused:
    """No vectors yet: search.py decides (make them now for a small corpus,
    else the lexical ranking with a note, or an error for --mode semantic)."""
    return Fused((), 0, (), w, None, needs_vectors=True)


def _fuse(reader, plan, settings: SearchSettings, vs, w: float, lexical, exact_hit,
          heading_weight: float, kept: set[str] | None = None) -> Fused:
    from nkcorpus.store.vectors import text_key

    limit = settings.limit
    semantic = settings.mode == "semantic"
    ranked, total, warnings = lexical(max(LEXICAL_DEPTH, 3 * limit))
    if not ranked and not semantic and len(settings.query.split()) < 2:
        # One word that nothing in the folder matches (a name it lacks, a
        # typo, gibberish): meaning alone would rank every passage anyway
        # (e5's cosines sit at 0.7-0.85 even for gibberish), so a hybrid
        # search stays empty, as grep would. Several words describe
        # something: those are searched by meaning. --mode semantic always is.
        return Fused((), 0, tuple(warnings), w, vs.share)
    query_text = " ".join([settings.query, *targets(plan.expansions)])
    qv = embedder().query_vector(query_text)
    idx, dense = vs.dense(qv, heading_weight)
    den = dict(zip(idx, dense))
    if kept is not None:
        allowed = [rel in kept for rel in vs.map.files]
        idx = [i for i in idx if allowed[vs.file_of(i)]]
    # semantic ranks: among the usable passages, by dense score (passage order breaks ties)
    order = sorted(idx, key=lambda i: -den[i])
    sem_rank = {i: r for r, i in enumerate(order, 1)}
    usable = set(idx)
    # lexical candidates, found in the map by file, place and text
    top = ranked[0][0] if ranked and ranked[0][0] > 0 else 1.0
    groups = concepts(plan.root)
    lex: dict[int, float] = {}
    lex_rank: dict[int, int] = {}
    outside = []  # lexical hits the map does not know (it lags the index)
    known: dict[int, dict] = {}
    file_index = {rel: i for i, rel in enumerate(vs.map.files)}
    for rank, (score, fields) in enumerate(ranked, 1):
        i = _locate(vs, file_index, fields, text_key)
        if i is None:
            outside.append((rank, score, fields))
        else:
            lex[i], lex_rank[i] = score / top * coverage(groups, fields), rank
            usable.add(i)
            known[i] = fields
    constrained = isinstance(plan.root, Bool) and (plan.root.must or plan.root.must_not)
    if constrained:  # required or excluded words: only passages lexical found qualify
        usable &= set(lex_rank)
    if semantic:
        usable &= set(sem_rank)
    lw = 0.0 if semantic else 1.0 - w
    # Fused over lexical's candidates and, of the rest (dense only), those
    # that can still make the list: the best by dense score.
    depth = limit + len(outside) + 20
    rest = [i for i in order if i in usable and i not in lex_rank][:depth]
    fused = {i: lw * lex.get(i, 0.0) + w * den.get(i, 0.0) for i in (usable & set(lex_rank)).union(rest)}
    # passage order breaks ties, as the benchmark's stable sort did
    best = sorted(fused, key=lambda i: (-fused[i], i))
    # (score, passage index or None, lexical rank of a passage the map lacks)
    picks: list[tuple[float, int | None, int]] = []
    for rank, score, fields in outside if not semantic else ():
        picks.append((lw * score / top * coverage(groups, fields), None, rank))
    for i in best[:depth]:
        picks.append((fused[i], i, 0))
    picks.sort(key=lambda p: -p[0])  # stable: passage order breaks ties
    stored: dict[str, list[dict]] = {}
    hits: list[Hit] = []
    for score, i, rank in picks:
        if len(hits) == limit:
            break
        if i is None:
            lr, sr, ss = rank, None, None
            fields = ranked[rank - 1][1]
        else:
            fields = known.get(i) or _stored(reader, vs, i, stored, text_key)
            if fields is None:
                continue
            lr = lex_rank.get(i)
            sr = sem_rank.get(i)
            ss = den[i] if sr else None
        ls = ranked[lr - 1][0] if lr else None
        hit = exact_hit(len(hits) + 1, score, fields)
        hits.append(replace(hit, lexical_rank=lr, lexical_score=None if ls is None else round(ls, 4),
                            semantic_rank=sr, semantic_score=None if ss is None else round(ss, 4)))
    share = vs.share
    if share < 1.0:
        warnings = (*warnings, f"meaning search covers {100 * share:.0f}% of the passages so far "
                               "(nkcorpus index --semantic computes the rest)")
    return Fused(tuple(hits), max(total, len(hits)), tuple(warnings), w, share)


def _locate(vs, file_index: dict, fields: dict, text_key) -> int | None:
    fi = file_index.get(fields["path"])
    return None if fi is None else vs.locate(fi, fields["loc_start"], text_key(fields["text"]))


def _stored(reader, vs, i: int, cache: dict, text_key) -> dict | None:
    """The stored fields of passage ``i`` (read from the index by file)."""
    rel, loc, key = vs.identity(i)
    if rel not in cache:
        cache[rel] = list(reader.stored(rel))
    for fields in cache[rel]:
        if fields.get("loc_start") == loc and text_key(fields.get("text", "")) == key:
            return fields
    return None
