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
from nkcorpus.errors import QueryError
from nkcorpus.ingest.passages import is_heading
from nkcorpus.ingest.scan import check_root
from nkcorpus.model import Hit, Match, SearchResult
from nkcorpus.settings import SearchSettings
from nkcorpus.store.layout import corpus_home
from nkcorpus.store.read import read_fresh
from nkcorpus.understand import QueryPlan, understand
from nkcorpus.understand.plan import Filters, iso_date

if TYPE_CHECKING:
    from nkcorpus.store.update import Progress

# A heading alone ("2. Jepang") points at its section rather than answering:
# it scores this share (its words also count for the section's passages).
HEADING_WEIGHT = 0.5


def search(settings: SearchSettings, progress: Progress | None = None) -> SearchResult:
    started = time.perf_counter()
    understand(settings.query)  # a query with nothing to search fails before any indexing
    date_range(settings)  # so does a bad --since or --until
    root = check_root(settings.corpus.root)
    home = corpus_home(settings.index_base, root)
    aliases = None if settings.exact else _aliases(settings)
    found, warnings = read_fresh(
        root, home, lambda reader: _run(reader, settings, aliases), progress,
        update_allowed=settings.update)
    plan = found.plan
    return SearchResult(
        query=settings.query, hits=found.hits, total=found.total,
        seconds=time.perf_counter() - started, searched_terms=plan.searched,
        expansions=plan.expansions, suggestions=plan.suggestions,
        warnings=warnings + found.warnings,
    )


@dataclass(frozen=True, slots=True)
class _Found:
    plan: QueryPlan
    hits: tuple[Hit, ...]
    total: int  # matching passages
    warnings: tuple[str, ...]


def _run(reader, settings: SearchSettings, aliases) -> _Found:
    """Understand the query against the index and run it (may run twice: a
    damaged index fails here and is rebuilt)."""
    plan = understand(settings.query, reader.vocabulary, aliases, settings.exact)
    results, total, warnings = _results(reader, plan, settings)
    hits = tuple(_hit(rank, score, fields, settings, plan.highlight)
                 for rank, (score, fields) in enumerate(results, 1))
    return _Found(plan, hits, total, warnings)


def _results(reader, plan: QueryPlan, settings: SearchSettings):
    """The ranked (score, stored fields) pairs in the chosen files, the
    number of matching passages and warnings; when a quoted phrase matches
    nothing, those of the query without it, if any."""
    paths = settings.files + plan.paths
    filters = replace(plan.filters, **date_range(settings))
    ranked, total = ranked_results(reader, plan.root, settings.limit, paths, filters)
    if ranked or plan.relaxed is None:
        return ranked, total, ()
    relaxed, relaxed_total = ranked_results(reader, plan.relaxed, settings.limit, paths, filters)
    if not relaxed:
        return ranked, total, ()
    return relaxed, relaxed_total, ("no passage holds the quoted phrase; showing passages with its words",)


def ranked_results(reader, node, limit: int, paths: tuple[str, ...] = (),
                   filters: Filters | None = None) -> tuple[list, int]:
    """The best ``limit`` (score, stored fields) pairs, headings weighed
    down, and the number of passages matching.

    The backend ranks a few more than ``limit``; as long as no more headings
    than that surplus are among them, no passage beyond could enter the top.
    """
    fetch = limit + max(limit, 10)
    while True:
        results, total = reader.top(node, fetch, paths, filters) if filters else reader.top(node, fetch, paths)
        scored = [(_weight(f.fields) * f.score, f.fields) for f in results]
        headings = sum(1 for f in results if _weight(f.fields) != 1.0)
        if headings <= fetch - limit or len(scored) < fetch:
            break
        fetch *= 2
    scored.sort(key=lambda pair: -pair[0])
    return scored[:limit], total


def _weight(fields: dict) -> float:
    return HEADING_WEIGHT if is_heading(fields["text"]) else 1.0


def date_range(settings: SearchSettings) -> dict[str, str | None]:
    """``since`` and ``until`` of the settings as ISO dates; a QueryError
    for one that is not YYYY, YYYY-MM or YYYY-MM-DD."""
    out: dict[str, str | None] = {}
    for name in ("since", "until"):
        raw = getattr(settings, name)
        value = iso_date(raw) if raw else None
        if raw and value is None:
            raise QueryError(f"--{name} {raw}: not a date",
                             hint="write it as YYYY, YYYY-MM or YYYY-MM-DD, e.g. --since 2019-09")
        out[name] = value
    if out["since"] and out["until"] and out["since"] > out["until"] + "~":
        raise QueryError(f"--since {out['since']} is after --until {out['until']}")
    return out


def _aliases(settings: SearchSettings):
    from nkcorpus.understand import aliases

    return aliases.load(settings.aliases_file)


def _hit(rank: int, score: float, fields: dict, settings: SearchSettings, terms: frozenset[str]) -> Hit:
    text = fields["text"]
    return Hit(
        rank=rank, score=round(score, 4), path=settings.corpus.show(fields["path"]),
        line_start=fields["loc_start"], line_end=fields["loc_end"], text=text,
        matches=find_matches(text, terms), unit=fields["unit"], rel=fields["path"],
        title=fields.get("title"), date=fields.get("date"), source=fields.get("source"),
        author=fields.get("author"), url=fields.get("url"),
    )


def find_matches(text: str, terms: frozenset[str]) -> tuple[Match, ...]:
    """Every word of ``text`` that analyzes to one of ``terms``."""
    return tuple(Match(start, end, term) for term, _, start, end in iter_terms(text) if term in terms)
