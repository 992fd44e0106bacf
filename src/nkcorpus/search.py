"""Run a query against a corpus's index and turn results into hits."""

from __future__ import annotations

import time

from nkcorpus import index, query
from nkcorpus.analysis import iter_terms
from nkcorpus.corpus import check_root
from nkcorpus.model import Hit, Match, SearchResult
from nkcorpus.settings import SearchSettings


def search(settings: SearchSettings, progress: index.Progress | None = None) -> SearchResult:
    started = time.perf_counter()
    parsed = query.parse(settings.query)
    root = check_root(settings.corpus.root)
    home = index.corpus_home(settings.index_base, root)
    (hits, total), warnings = index.read_fresh(
        root, home, lambda opened: _run(opened, parsed, settings), progress,
        update_allowed=settings.update)
    return SearchResult(
        query=settings.query, hits=hits, total=total,
        seconds=time.perf_counter() - started, searched_terms=parsed.searched,
        warnings=warnings,
    )


def _run(opened: index.OpenIndex, parsed: query.ParsedQuery,
         settings: SearchSettings) -> tuple[tuple[Hit, ...], int]:
    """The hits and the number of matching passages (may run twice: a
    damaged index fails here and is rebuilt)."""
    from whoosh.scoring import BM25F

    with opened.index.searcher(weighting=BM25F()) as searcher:
        results = searcher.search(parsed.query, limit=settings.limit)
        hits = tuple(_hit(rank, r, settings, parsed.terms) for rank, r in enumerate(results, 1))
        return hits, len(results)


def _hit(rank: int, result, settings: SearchSettings, terms: frozenset[str]) -> Hit:
    fields = result.fields()
    text = fields["text"]
    return Hit(
        rank=rank, score=round(result.score, 4), path=settings.corpus.show(fields["path"]),
        line_start=fields["loc_start"], line_end=fields["loc_end"], text=text,
        matches=find_matches(text, terms), unit=fields["unit"],
    )


def find_matches(text: str, terms: frozenset[str]) -> tuple[Match, ...]:
    """Every word of ``text`` that analyzes to one of ``terms``."""
    return tuple(Match(start, end, term) for term, _, start, end in iter_terms(text) if term in terms)
