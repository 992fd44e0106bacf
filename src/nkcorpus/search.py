"""Query plan -> backend -> ranked hits.

The query is understood against the index's vocabulary (``understand``),
the plan is run by the backend's reader (``store``), and the passages that
come back become hits with their highlighted words. A heading alone weighs
less than a passage; a quoted phrase that matches nothing is relaxed to its
words, with a warning.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from nkcorpus.analysis import iter_terms
from nkcorpus.ingest.passages import is_heading
from nkcorpus.ingest.scan import check_root
from nkcorpus.model import Hit, Match, SearchResult
from nkcorpus.settings import SearchSettings
from nkcorpus.store.layout import corpus_home
from nkcorpus.store.read import read_fresh
from nkcorpus.understand import QueryPlan, understand

if TYPE_CHECKING:
    from nkcorpus.store.update import Progress

# A heading alone ("2. Jepang") points at its section rather than answering:
# it scores this share (its words also count for the section's passages).
HEADING_WEIGHT = 0.5


def search(settings: SearchSettings, progress: Progress | None = None) -> SearchResult:
    started = time.perf_counter()
    understand(settings.query)  # a query with nothing to search fails before any indexing
    root = check_root(settings.corpus.root)
    home = corpus_home(settings.index_base, root)
    aliases = None if settings.exact else _aliases(settings)
    found, warnings = read_fresh(
        root, home, lambda reader: _run(reader, settings, aliases, home), progress,
        update_allowed=settings.update)
    if found.needs_vectors:  # meaning search asked for, and no vectors yet
        found, more = _meaning_first(root, home, settings, aliases, progress, found, warnings)
        warnings += more
    plan = found.plan
    return SearchResult(
        query=settings.query, hits=found.hits, total=found.total,
        seconds=time.perf_counter() - started, searched_terms=plan.searched,
        expansions=plan.expansions, suggestions=plan.suggestions,
        warnings=warnings + found.warnings, mode=found.mode,
        semantic_weight=found.weight, semantic_coverage=found.coverage,
    )


@dataclass(frozen=True, slots=True)
class _Found:
    plan: QueryPlan
    hits: tuple[Hit, ...]
    total: int  # matching passages
    warnings: tuple[str, ...]
    mode: str = "lexical"
    weight: float = 0.0  # the dense side's weight in the fusion (fusion.py)
    coverage: float | None = None  # share of passages with vectors, when used
    needs_vectors: bool = False  # meaning was asked for and the index has no vectors


def _run(reader, settings: SearchSettings, aliases, home=None) -> _Found:
    """Understand the query against the index and run it (may run twice: a
    damaged index fails here and is rebuilt)."""
    plan = understand(settings.query, reader.vocabulary, aliases, settings.exact)
    needs_vectors, weight = False, 0.0
    if settings.mode != "lexical" and not settings.exact and home is not None:
        fused = _fused(reader, plan, settings, home)
        if fused is not None and not fused.needs_vectors:
            return _Found(plan, fused.hits, fused.total, fused.warnings, settings.mode,
                          fused.weight, fused.coverage)
        needs_vectors, weight = fused is not None, fused.weight if fused else 0.0
    results, total, warnings = _results(reader, plan, settings)
    hits = tuple(_hit(rank, score, fields, settings, plan.highlight)
                 for rank, (score, fields) in enumerate(results, 1))
    return _Found(plan, hits, total, warnings, needs_vectors=needs_vectors, weight=weight)


# --- meaning search (fusion.py) ------------------------------------------------------


def _fused(reader, plan: QueryPlan, settings: SearchSettings, home):
    """The hybrid or semantic ranking (fusion.py), or None: the lexical one."""
    from nkcorpus import fusion
    from nkcorpus.store.layout import current_generation

    return fusion.run(
        reader, plan, settings, current_generation(home),
        lambda limit: _results(reader, plan, replace(settings, limit=limit)),
        lambda rank, score, fields: _hit(rank, score, fields, settings, plan.highlight),
        HEADING_WEIGHT)


def _meaning_first(root, home, settings: SearchSettings, aliases, progress,
                   found: _Found, said: tuple[str, ...] = ()) -> tuple[_Found, tuple[str, ...]]:
    """A meaning query on an index without vectors: make them now for a
    small corpus (automatic where it is cheap), else say how; the lexical
    hits stand meanwhile (--mode semantic: an error)."""
    from nkcorpus.fusion import SemanticUnavailable
    from nkcorpus.store import vectors
    from nkcorpus.store.layout import current_generation, index_command
    from nkcorpus.store.manifest import usable_manifest

    on = vectors.setting(home)
    manifest = usable_manifest(current_generation(home))
    passages = manifest.passages if manifest else 0
    command = index_command(root, home).replace("nkcorpus index", "nkcorpus index --semantic", 1)
    if on is None and passages <= vectors.AUTO_PASSAGES and settings.update:
        from nkcorpus.store.update import IndexWriteError, embed_now

        try:
            embed_now(root, home, progress)
        except IndexWriteError as exc:
            if settings.mode == "semantic":
                raise
            if any("cannot write the index" in w for w in said):
                return found, ()  # said once already
            return found, (f"{exc.message}; meaning search needs passage vectors",)
        again, warnings = read_fresh(root, home, lambda reader: _run(reader, settings, aliases, home),
                                     progress, update_allowed=settings.update)
        if not again.needs_vectors:
            return again, warnings
        found = again
    if settings.mode == "semantic":
        raise SemanticUnavailable("this folder has no passage vectors", hint=f"run: {command}")
    if on is False:
        return found, ()
    why = ("its passage vectors are not computed yet" if on else
           f"meaning search is off for this folder ({passages:,} passages)")
    return found, (f"{why}; run: {command}",)


def _results(reader, plan: QueryPlan, settings: SearchSettings):
    """The ranked (score, stored fields) pairs in the chosen files, the
    number of matching passages and warnings; when a quoted phrase matches
    nothing, those of the query without it, if any."""
    paths = settings.files + plan.paths
    ranked, total = ranked_results(reader, plan.root, settings.limit, paths)
    if ranked or plan.relaxed is None:
        return ranked, total, ()
    relaxed, relaxed_total = ranked_results(reader, plan.relaxed, settings.limit, paths)
    if not relaxed:
        return ranked, total, ()
    return relaxed, relaxed_total, ("no passage holds the quoted phrase; showing passages with its words",)


def ranked_results(reader, node, limit: int, paths: tuple[str, ...] = ()) -> tuple[list, int]:
    """The best ``limit`` (score, stored fields) pairs, headings weighed
    down, and the number of passages matching.

    The backend ranks a few more than ``limit``; as long as no more headings
    than that surplus are among them, no passage beyond could enter the top.
    """
    fetch = limit + max(limit, 10)
    while True:
        results, total = reader.top(node, fetch, paths)
        scored = [(_weight(f.fields) * f.score, f.fields) for f in results]
        headings = sum(1 for f in results if _weight(f.fields) != 1.0)
        if headings <= fetch - limit or len(scored) < fetch:
            break
        fetch *= 2
    scored.sort(key=lambda pair: -pair[0])
    return scored[:limit], total


def _weight(fields: dict) -> float:
    return HEADING_WEIGHT if is_heading(fields["text"]) else 1.0


def _aliases(settings: SearchSettings):
    from nkcorpus.understand import aliases

    return aliases.load(settings.aliases_file)


def _hit(rank: int, score: float, fields: dict, settings: SearchSettings, terms: frozenset[str]) -> Hit:
    text = fields["text"]
    return Hit(
        rank=rank, score=round(score, 4), path=settings.corpus.show(fields["path"]),
        line_start=fields["loc_start"], line_end=fields["loc_end"], text=text,
        matches=find_matches(text, terms), unit=fields["unit"], rel=fields["path"],
        lexical_rank=rank, lexical_score=round(score, 4),
    )


def find_matches(text: str, terms: frozenset[str]) -> tuple[Match, ...]:
    """Every word of ``text`` that analyzes to one of ``terms``."""
    return tuple(Match(start, end, term) for term, _, start, end in iter_terms(text) if term in terms)
