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
from pathlib import Path
from typing import TYPE_CHECKING

from nkcorpus.analysis import iter_terms
from nkcorpus.errors import QueryError
from nkcorpus.ingest.passages import is_heading
from nkcorpus.ingest.scan import check_root
from nkcorpus.model import FileHit, Hit, Match, Nearby, SearchResult, Why
from nkcorpus.settings import COUNT_DOCUMENTS_MAX, SearchSettings
from nkcorpus.store.layout import corpus_home
from nkcorpus.store.read import read_fresh
from nkcorpus.understand import QueryPlan, understand
from nkcorpus.understand.plan import Filters, Prefix, concept_of, iso_date

if TYPE_CHECKING:
    from nkcorpus.store.update import Progress

# A heading alone ("2. Jepang") points at its section rather than answering:
# it scores this share (its words also count for the section's passages).
HEADING_WEIGHT = 0.5
# Files ranked by document (``--files``): a file scores PASSAGE_SHARE times
# its best passage's score and the rest its whole text's score (the plan run
# on document records), each divided by the best of the query; the whole
# texts of the best EVIDENCE_DOCS files are scored. Chosen on the dev splits
# of the known-item benchmark, both corpora (benchmarks/knownitem.py
# --share-sweep, docs/quality.md): 0.0 and 0.1 best on CLICK-ID, 0.3 on
# IndoSum, 0.1 within 0.004 of the best on each. Passages keep their own
# scores: the judged passage sets fall with any share of document score.
PASSAGE_SHARE = 0.1
EVIDENCE_DOCS = 200
# With a limit of N files (at most EVIDENCE_DOCS), the best max(N,
# CANDIDATE_DOCS) whole texts are the candidates and only their passages are
# matched (``ranked_files``): a ten-word query on CLICK-ID reads the passages
# of 50 files instead of all 20,000 that hold one of its words.
CANDIDATE_DOCS = 50


def search(settings: SearchSettings, progress: Progress | None = None) -> SearchResult:
    started = time.perf_counter()
    understand(settings.query)  # a query with nothing to search fails before any indexing
    date_range(settings)  # so does a bad --since or --until
    root = check_root(settings.corpus.root)
    scope = _scope(settings.index_base, root)
    aliases = None if settings.exact else _aliases(settings)
    found, warnings = read_fresh(
        scope.root, scope.home, lambda reader: _run(reader, settings, aliases, scope), progress,
        update_allowed=settings.update)
    if found.needs_vectors:  # meaning search asked for, and no vectors yet
        found, more = _meaning_first(scope, settings, aliases, progress, found, warnings)
        warnings += more
    plan = found.plan
    hits = _with_context(found.hits, scope, settings.context) if settings.context else found.hits
    return SearchResult(
        query=settings.query, hits=hits, total=found.total,
        seconds=time.perf_counter() - started, searched_terms=plan.searched,
        expansions=plan.expansions, suggestions=plan.suggestions,
        warnings=plan.warnings + warnings + found.warnings, documents=found.documents,
        files=found.files, capped=found.capped, mode=found.mode,
        semantic_weight=found.weight, semantic_coverage=found.coverage,
    )


@dataclass(frozen=True, slots=True)
class _Scope:
    """The index a corpus is searched in: its own, or that of a folder
    holding it (then ``prefix`` is the corpus's path inside that folder)."""

    root: Path
    home: Path
    prefix: str = ""

    def globs(self, globs: tuple[str, ...]) -> tuple[str, ...]:
        """Globs relative to the corpus, made relative to the indexed folder."""
        if not self.prefix:
            return globs
        out = []
        for glob in globs:
            glob = glob.strip().lstrip("./") or "*"
            out.append(f"{self.prefix}/{glob}")
            if "/" not in glob:
                out.append(f"{self.prefix}/*/{glob}")
        return tuple(out)

    def rel(self, path: str) -> str:
        """A path of the index, relative to the corpus."""
        return path[len(self.prefix) + 1:] if self.prefix and path.startswith(self.prefix + "/") else path


def _scope(base: Path, root: Path) -> _Scope:
    """``root``'s own index; or, when it has none yet, the index of the
    nearest folder above it that has one (searched within ``root``)."""
    from nkcorpus.store.layout import current_generation

    home = corpus_home(base, root)
    if current_generation(home) is not None:
        return _Scope(root, home)
    for parent in root.parents:
        above = corpus_home(base, parent)
        if current_generation(above) is not None:
            return _Scope(parent, above, root.relative_to(parent).as_posix())
    return _Scope(root, home)


@dataclass(frozen=True, slots=True)
class _Found:
    plan: QueryPlan
    hits: tuple[Hit, ...]
    total: int | None  # matching passages (None: not counted)
    warnings: tuple[str, ...]
    documents: int | None = None
    files: tuple[FileHit, ...] = ()
    capped: int = 0
    mode: str = "lexical"
    weight: float = 0.0  # the dense side's weight in the fusion (fusion.py)
    coverage: float | None = None  # share of passages with vectors, when used
    needs_vectors: bool = False  # meaning was asked for and the index has no vectors


@dataclass(frozen=True, slots=True)
class _Ranked:
    """Ranked (score, stored fields) pairs and what else was learnt."""

    pairs: list
    total: int | None
    documents: int | None = None
    files: list | None = None  # [(score, path, passages)], best first
    capped: int = 0


def _run(reader, settings: SearchSettings, aliases, scope: _Scope = _Scope(Path(), Path())) -> _Found:
    """Understand the query against the index and run it (may run twice: a
    damaged index fails here and is rebuilt). Meaning search fuses in where
    asked for (not for --files, --count or --explain, which are lexical)."""
    plan = understand(settings.query, reader.vocabulary, aliases, settings.exact)
    needs_vectors, weight = False, 0.0
    meaning = settings.mode != "lexical" and not settings.exact and not settings.documents
    if meaning and not settings.explain and scope.home != Path():
        fused = _fused(reader, plan, settings, scope)
        if fused is not None and not fused.needs_vectors:
            return _Found(plan, fused.hits, fused.total, fused.warnings, mode=settings.mode,
                          weight=fused.weight, coverage=fused.coverage)
        needs_vectors, weight = fused is not None, fused.weight if fused else 0.0
    ranked, warnings = _results(reader, plan, settings, scope)
    hits = tuple(_hit(rank, score, fields, settings, plan.highlight, scope)
                 for rank, (score, fields) in enumerate(ranked.pairs, 1))
    if settings.explain:
        node = plan.relaxed if warnings and plan.relaxed is not None else plan.root
        hits = tuple(replace(hit, explain=_why(reader, node, fields["_docnum"]))
                     for hit, (_, fields) in zip(hits, ranked.pairs))
    files = tuple(FileHit(rank, round(score, 4), settings.corpus.show(scope.rel(path)), scope.rel(path), count)
                  for rank, (score, path, count) in enumerate(ranked.files or (), 1))
    return _Found(plan, hits, ranked.total, warnings, ranked.documents, files, ranked.capped,
                  needs_vectors=needs_vectors, weight=weight)


# --- meaning search (fusion.py) ------------------------------------------------------


def _narrowed(plan: QueryPlan, settings: SearchSettings, scope: _Scope) -> bool:
    """Whether the search keeps or drops files (paths, metadata, dates, a
    subfolder)."""
    return bool(settings.files or settings.exclude or plan.paths or plan.exclude or plan.filters
                or settings.since or settings.until or scope.prefix)


def _kept(reader, plan: QueryPlan, settings: SearchSettings, scope: _Scope) -> set[str] | None:
    """The files a narrowed search keeps (as ``_results`` asks the backend),
    for meaning search to rank passages of these only; None: all files."""
    if not _narrowed(plan, settings, scope):
        return None
    paths, exclude, filters = _limits(plan, settings, scope)
    return reader.kept_files(paths, exclude, filters or None)


def _limits(plan: QueryPlan, settings: SearchSettings, scope: _Scope):
    """The path globs kept and dropped (relative to the indexed folder) and
    the metadata filters with the date range: what narrows a search."""
    paths = scope.globs(settings.files + plan.paths)
    if scope.prefix and not paths:
        paths = (f"{scope.prefix}/*",)
    exclude = scope.globs(settings.exclude + plan.exclude)
    return paths, exclude, replace(plan.filters, **date_range(settings))


def _fused(reader, plan: QueryPlan, settings: SearchSettings, scope: _Scope):
    """The hybrid or semantic ranking (fusion.py), or None: the lexical one."""
    from nkcorpus import fusion
    from nkcorpus.store.layout import current_generation

    def lexical(limit: int):
        ranked, warnings = _results(reader, plan, replace(settings, limit=limit), scope)
        return ranked.pairs, ranked.total, warnings

    if _narrowed(plan, settings, scope) and not hasattr(reader, "kept_files"):
        return None  # a backend that cannot say which files it keeps: lexical
    return fusion.run(
        reader, plan, settings, current_generation(scope.home), lexical,
        lambda rank, score, fields: _hit(rank, score, fields, settings, plan.highlight, scope),
        HEADING_WEIGHT, lambda: _kept(reader, plan, settings, scope))


def _meaning_first(scope: _Scope, settings: SearchSettings, aliases, progress,
                   found: _Found, said: tuple[str, ...] = ()) -> tuple[_Found, tuple[str, ...]]:
    """A meaning query on an index without vectors: make them now for a
    small corpus (automatic where it is cheap), else say how; the lexical
    hits stand meanwhile (--mode semantic: an error)."""
    root, home = scope.root, scope.home
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
        again, warnings = read_fresh(root, home, lambda reader: _run(reader, settings, aliases, scope),
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


def _why(reader, node, docnum: int) -> tuple[Why, ...]:
    """What of the query matched passage ``docnum``, part by part, with
    each part's share of the passage's score (before headings are weighed
    down: they weigh every part alike)."""
    parts = reader.explain(node, docnum)
    total = sum(score for _, score, _ in parts) or 1.0
    return tuple(Why(concept_of(part), round(score, 4), round(score / total, 3),
                     tuple(dict.fromkeys((leaf.way, _shown(leaf)) for leaf in matched)))
                 for part, score, matched in parts)


def _shown(leaf) -> str:
    """A matched leaf as the user reads it: the words it looked for."""
    if isinstance(leaf, Prefix):
        return leaf.text + "*"
    return leaf.source if leaf.way in ("typed", "surface") and leaf.source else " ".join(leaf.terms)


def _results(reader, plan: QueryPlan, settings: SearchSettings, scope: _Scope):
    """The ranked passages in the chosen files and warnings; when a quoted
    phrase matches nothing, those of the query without it, if any."""
    paths, exclude, filters = _limits(plan, settings, scope)
    if _files_first(reader, settings, filters):
        run = lambda node: ranked_files(reader, node, settings.file_limit, settings.limit,  # noqa: E731
                                        paths, exclude, settings.per_file)
    else:
        run = lambda node: ranked_results(reader, node, settings.limit, paths, exclude,  # noqa: E731
                                          settings.per_file, settings.documents, filters,
                                          settings.by_document)
    ranked = run(plan.root)
    if ranked.pairs or plan.relaxed is None:
        return ranked, ()
    relaxed = run(plan.relaxed)
    if not relaxed.pairs:
        return ranked, ()
    return relaxed, ("no passage holds the quoted phrase; showing passages with its words",)


def ranked_results(reader, node, limit: int, paths: tuple[str, ...] = (), exclude: tuple[str, ...] = (),
                   per_file: int = 0, documents: bool = False, filters: Filters | None = None,
                   by_document: bool = False) -> _Ranked:
    """The best ``limit`` (score, stored fields) pairs, headings weighed
    down, at most ``per_file`` of one file (0: any number), the number of
    passages matching, and (``documents``: always; else when they are few)
    the matching documents (``by_document``: ranked with their whole text's
    score, see ``PASSAGE_SHARE``).

    The backend ranks a few more than ``limit``; as long as no more headings
    than that surplus are among them, no passage beyond could enter the top.
    With a per-file limit, enough of those fetched must be certain: scored
    at least as high as any passage not fetched could be.
    """
    fetch = limit + max(limit, 10)
    while True:
        results, total = reader.top(node, fetch, paths, exclude, filters or None)
        complete = len(results) < fetch
        if (documents or total <= COUNT_DOCUMENTS_MAX) and not complete:
            fetch = total + 1  # every match, to count (and rank) documents
            continue
        scored = [(_weight(f.fields) * f.score, f.fields) for f in results]
        scored.sort(key=lambda pair: -pair[0])
        if per_file:
            capped = _per_file(scored, per_file)
            floor = results[-1].score if results else 0.0
            done = complete or sum(1 for score, _ in capped if score >= floor) >= limit
        else:
            capped = scored
            headings = sum(1 for f in results if _weight(f.fields) != 1.0)
            done = headings <= fetch - limit or complete
        if done:
            break
        fetch *= 2
    files = _by_file(scored) if complete else None
    if by_document and files:
        files = _by_document(files, reader.top_documents(node, EVIDENCE_DOCS, paths, exclude))
    return _Ranked(capped[:limit], total, len(files) if files is not None else None,
                   files if documents else None, len(scored) - len(capped) if complete else 0)


def _files_first(reader, settings: SearchSettings, filters: Filters) -> bool:
    """Whether the files can be ranked from their document records first
    (``ranked_files``): a few best files asked for, and no metadata filter
    (document records have no metadata)."""
    return (settings.by_document and settings.file_limit is not None
            and settings.file_limit <= EVIDENCE_DOCS and reader.documents > 0
            and filters == Filters())


def ranked_files(reader, node, want: int, limit: int, paths: tuple[str, ...] = (),
                 exclude: tuple[str, ...] = (), per_file: int = 0) -> _Ranked:
    """The best ``want`` files by document, found from their document
    records: the ``max(want, CANDIDATE_DOCS)`` whole texts that best match
    ``node`` are the candidates, and the passages of those files alone are
    matched (a file none of whose passages matches is dropped; see
    ``PASSAGE_SHARE``).
    The passage hits are the best of those files' passages; the numbers
    of matching passages and documents are left unknown (None): the files
    beyond the candidates were never matched."""
    documents = reader.top_documents(node, max(want, CANDIDATE_DOCS), paths, exclude)
    if not documents:  # a query whose words the document records lack (prefixes, --exact)
        return ranked_results(reader, node, limit, paths, exclude, per_file, True, None, True)
    found = reader.top_within(node, documents)
    scored = [(_weight(f.fields) * f.score, f.fields) for f in found]
    scored.sort(key=lambda pair: -pair[0])
    files = _by_document(_by_file(scored), documents)[:want]
    capped = _per_file(scored, per_file) if per_file else scored
    return _Ranked(capped[:limit], None, None, files, 0)


def _per_file(scored: list, most: int) -> list:
    """``scored`` with at most ``most`` passages of one file (its best)."""
    seen: dict[str, int] = {}
    out = []
    for pair in scored:
        path = pair[1]["path"]
        if seen.get(path, 0) < most:
            seen[path] = seen.get(path, 0) + 1
            out.append(pair)
    return out


def _by_file(scored: list) -> list:
    """[(best score, path, matching passages)] of the files in ``scored``
    (best first), best first."""
    best: dict[str, list] = {}
    for score, fields in scored:
        entry = best.setdefault(fields["path"], [score, fields["path"], 0])
        entry[2] += 1
    return [tuple(entry) for entry in best.values()]


def _with_context(hits: tuple[Hit, ...], scope: _Scope, around: int) -> tuple[Hit, ...]:
    """``hits`` with the ``around`` passages before and after each, read
    again from their files (cut as the index cut them); a file that cannot
    be read any more gives none."""
    from nkcorpus.ingest.read import passages_of, read_parts

    cache: dict[str, list] = {}
    out = []
    for hit in hits:
        rel = f"{scope.prefix}/{hit.rel}" if scope.prefix else hit.rel
        if rel not in cache:
            try:
                cache[rel] = [p for doc in read_parts(scope.root, rel) for p in passages_of(doc)]
            except Exception:  # noqa: BLE001 - changed or gone since: no context
                cache[rel] = []
        located = cache[rel]
        at = next((i for i, p in enumerate(located) if p.loc_start == hit.line_start
                   and p.loc_end == hit.line_end and p.passage.text == hit.text), None)
        if at is None:
            out.append(hit)
            continue
        near = lambda part: tuple(Nearby(p.loc_start, p.loc_end, p.passage.text) for p in part)  # noqa: E731
        out.append(replace(hit, before=near(located[max(0, at - around):at]),
                           after=near(located[at + 1:at + 1 + around])))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Where:
    """Where a query looks (for the research views, ``nkcorpus.views``):
    the settings' path globs kept and dropped, their dates, and the index scope."""

    files: tuple[str, ...]
    exclude: tuple[str, ...]
    filters: Filters
    scope: _Scope

    def of(self, plan: QueryPlan) -> tuple[tuple[str, ...], tuple[str, ...], Filters]:
        """Paths, excluded paths and filters, with those the query typed (as search does)."""
        paths = self.scope.globs(self.files + plan.paths)
        if self.scope.prefix and not paths:
            paths = (f"{self.scope.prefix}/*",)
        filters = replace(plan.filters, since=self.filters.since, until=self.filters.until)
        return paths, self.scope.globs(self.exclude + plan.exclude), filters


def read_scoped(settings: SearchSettings, work, progress: Progress | None = None):
    """``work(reader, where)`` on the up-to-date index of the settings'
    corpus (or of a folder holding it), and the warnings of reading it."""
    filters = replace(Filters(), **date_range(settings))
    root = check_root(settings.corpus.root)
    scope = _scope(settings.index_base, root)
    where = Where(settings.files, settings.exclude, filters, scope)
    return read_fresh(scope.root, scope.home, lambda reader: work(reader, where), progress,
                      update_allowed=settings.update)


def aliases_of(settings: SearchSettings):
    """The alias tables a query of these settings uses (None: --exact)."""
    return None if settings.exact else _aliases(settings)


def hit_of(rank: int, score: float, fields: dict, settings: SearchSettings, terms: frozenset[str],
           where: Where) -> Hit:
    """A hit from a passage's stored fields, ``terms`` highlighted."""
    return _hit(rank, score, fields, settings, terms, where.scope)
def _by_document(files: list, documents: dict[str, float]) -> list:
    """``files`` ([(best passage score, path, passages)]) ranked by document:
    see ``PASSAGE_SHARE``."""
    if not documents:
        return files
    best = max(score for score, _, _ in files) or 1.0
    best_doc = max((documents.get(path, 0.0) for _, path, _ in files), default=0.0) or 1.0
    blended = [(PASSAGE_SHARE * score / best + (1 - PASSAGE_SHARE) * documents.get(path, 0.0) / best_doc,
                path, count) for score, path, count in files]
    blended.sort(key=lambda entry: -entry[0])
    return blended


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


def _hit(rank: int, score: float, fields: dict, settings: SearchSettings, terms: frozenset[str],
         scope: _Scope) -> Hit:
    text = fields["text"]
    rel = scope.rel(fields["path"])
    return Hit(
        rank=rank, score=round(score, 4), path=settings.corpus.show(rel),
        line_start=fields["loc_start"], line_end=fields["loc_end"], text=text,
        matches=find_matches(text, terms), unit=fields["unit"], rel=rel,
        title=fields.get("title"), date=fields.get("date"), source=fields.get("source"),
        author=fields.get("author"), url=fields.get("url"),
        lexical_rank=rank, lexical_score=round(score, 4),
    )


def find_matches(text: str, terms: frozenset[str]) -> tuple[Match, ...]:
    """Every word of ``text`` that analyzes to one of ``terms``."""
    return tuple(Match(start, end, term) for term, _, start, end in iter_terms(text) if term in terms)
