"""Run a query against a corpus's index and turn results into hits."""

from __future__ import annotations

import time
from dataclasses import dataclass

from nkcorpus import index, query
from nkcorpus.analysis import iter_terms
from nkcorpus.corpus import check_root
from nkcorpus.model import Hit, Match, SearchResult
from nkcorpus.passages import is_heading
from nkcorpus.settings import SearchSettings

# A heading alone ("2. Jepang") points at its section rather than answering:
# it scores this share (its words also count for the section's passages).
HEADING_WEIGHT = 0.5


def search(settings: SearchSettings, progress: index.Progress | None = None) -> SearchResult:
    started = time.perf_counter()
    query.parse(settings.query)  # a query with nothing to search fails before any indexing
    root = check_root(settings.corpus.root)
    home = index.corpus_home(settings.index_base, root)
    aliases = None if settings.exact else _aliases(settings)
    found, warnings = index.read_fresh(
        root, home, lambda opened: _run(opened, settings, aliases), progress,
        update_allowed=settings.update)
    parsed = found.parsed
    return SearchResult(
        query=settings.query, hits=found.hits, total=found.total,
        seconds=time.perf_counter() - started, searched_terms=parsed.searched,
        expansions=parsed.expansions, suggestions=parsed.suggestions,
        warnings=warnings + found.warnings,
    )


@dataclass(frozen=True, slots=True)
class _Found:
    parsed: query.ParsedQuery
    hits: tuple[Hit, ...]
    total: int  # matching passages
    warnings: tuple[str, ...]


def _run(opened: index.OpenIndex, settings: SearchSettings, aliases) -> _Found:
    """Parse the query against the index and run it (may run twice: a
    damaged index fails here and is rebuilt)."""
    from whoosh.scoring import BM25F

    with opened.index.searcher(weighting=BM25F()) as searcher:
        parsed = query.parse(settings.query, searcher.reader(), aliases, settings.exact)
        results, total, warnings = _results(searcher, parsed, settings)
        hits = tuple(_hit(rank, score, r, settings, parsed.terms) for rank, (score, r) in enumerate(results, 1))
        return _Found(parsed, hits, total, warnings)


def _results(searcher, parsed: query.ParsedQuery, settings: SearchSettings):
    """The ranked (score, hit) pairs in the chosen files, the number of
    matching passages and warnings; when a quoted phrase matches nothing,
    those of the query without it, if any."""
    globs = settings.files + parsed.paths
    file_filter = path_filter(globs) if globs else None
    ranked, total = ranked_results(searcher, parsed.query, settings.limit, file_filter)
    if ranked or parsed.relaxed is None:
        return ranked, total, ()
    relaxed, relaxed_total = ranked_results(searcher, parsed.relaxed, settings.limit, file_filter)
    if not relaxed:
        return ranked, total, ()
    return relaxed, relaxed_total, ("no passage holds the quoted phrase; showing passages with its words",)


def ranked_results(searcher, query, limit: int, file_filter=None) -> tuple[list, int]:
    """The best ``limit`` (score, Whoosh hit) pairs, headings weighed down,
    and the number of passages matching.

    Whoosh ranks a few more than ``limit``; as long as no more headings than
    that surplus are among them, no passage beyond could enter the top.
    """
    fetch = limit + max(limit, 10)
    while True:
        results = _top(searcher, query, fetch, file_filter)
        scored = [(_weight(r) * r.score, r) for r in results]
        headings = sum(1 for r in results if _weight(r) != 1.0)
        if headings <= fetch - limit or len(scored) < fetch:
            break
        fetch *= 2
    scored.sort(key=lambda pair: -pair[0])
    return scored[:limit], len(results)


def _top(searcher, query, limit: int, file_filter=None):
    """Whoosh's top-``limit`` results, every match counted on the way.

    Whoosh's default skips blocks of postings that cannot reach the top and
    prunes parts of the query likewise (``usequality``, ``replace``), so the
    number of matches then costs a second pass over the whole query; one
    pass that scores every match is quicker (a quarter on CLICK-ID, half on
    the bundled essays) and ranks the same."""
    from whoosh.collectors import FilterCollector, TopCollector

    collector = TopCollector(limit, usequality=False, replace=0)
    if file_filter is not None:
        collector = FilterCollector(collector, file_filter)
    searcher.search_with_collector(query, collector)
    return collector.results()


def _weight(result) -> float:
    return HEADING_WEIGHT if is_heading(_fields(result)["text"]) else 1.0


def _fields(result) -> dict:
    """A hit's stored fields; DamagedData when the index lost them."""
    fields = result.fields()
    if not isinstance(fields, dict) or not _STORED <= fields.keys():  # a damaged record reads as {}
        raise index.DamagedData("a passage has lost its stored fields")
    return fields


def _aliases(settings: SearchSettings):
    from nkcorpus import aliases

    return aliases.load(settings.aliases_file)


def path_filter(globs: tuple[str, ...]):
    """Whoosh filter keeping files whose path inside the corpus, or whose
    name, matches one of ``globs`` (``*`` also crosses folders)."""
    from whoosh import query as q

    parts = []
    for glob in globs:
        glob = glob.strip().lstrip("./") or "*"
        parts.append(q.Wildcard("path", glob))
        if "/" not in glob:
            parts.append(q.Wildcard("path", "*/" + glob))
    return q.Or(parts)


_STORED = frozenset({"path", "unit", "loc_start", "loc_end", "text"})


def _hit(rank: int, score: float, result, settings: SearchSettings, terms: frozenset[str]) -> Hit:
    fields = _fields(result)
    text = fields["text"]
    return Hit(
        rank=rank, score=round(score, 4), path=settings.corpus.show(fields["path"]),
        line_start=fields["loc_start"], line_end=fields["loc_end"], text=text,
        matches=find_matches(text, terms), unit=fields["unit"],
    )


def find_matches(text: str, terms: frozenset[str]) -> tuple[Match, ...]:
    """Every word of ``text`` that analyzes to one of ``terms``."""
    return tuple(Match(start, end, term) for term, _, start, end in iter_terms(text) if term in terms)
