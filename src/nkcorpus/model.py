"""Plain, frozen data passed between the stages of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Passage:
    """A searchable piece of one document: a paragraph or a window of one.

    ``line_start``/``line_end`` are 1-based lines of the document's text;
    ``char_start``/``char_end`` are offsets into that (normalized) text;
    ``context`` is the document's title and the heading the passage stands
    under (indexed apart, with a lower weight).
    """

    line_start: int
    line_end: int
    char_start: int
    char_end: int
    text: str
    context: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    """A highlighted word: offsets into ``Hit.text`` and the query term it matched."""

    start: int
    end: int
    term: str


@dataclass(frozen=True, slots=True)
class Nearby:
    """A passage next to a hit (``--context``), in the hit's ``unit``."""

    line_start: int
    line_end: int
    text: str


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage found: ``path`` as displayed (the corpus as given, then the
    path inside it), ``rel`` the path relative to the corpus folder;
    ``line_start``/``line_end`` count ``unit`` (line, page or paragraph);
    ``title``, ``date``, ``source``, ``author``, ``url``: the document's
    metadata, None when unknown."""

    rank: int
    score: float
    path: str
    line_start: int
    line_end: int
    text: str
    matches: tuple[Match, ...]
    unit: str = "line"
    rel: str = ""
    # the document's metadata (ingest.meta); None when unknown
    title: str | None = None
    date: str | None = None  # YYYY-MM-DD, YYYY-MM or YYYY
    source: str | None = None
    author: str | None = None
    url: str | None = None
    # meaning search (``SearchResult.mode`` hybrid or semantic): the passage's
    # place and score in each ranking fused; None where it was not ranked.
    # lexical_score is BM25F (headings weighed down); semantic_score is the
    # dense score normalised to 0..1 over the corpus (headings weighed down).
    lexical_rank: int | None = None
    lexical_score: float | None = None
    semantic_rank: int | None = None
    semantic_score: float | None = None
    explain: tuple[Why, ...] = ()  # with --explain: what of the query matched, and its share
    before: tuple[Nearby, ...] = ()  # with --context: the passages before it, in order
    after: tuple[Nearby, ...] = ()


@dataclass(frozen=True, slots=True)
class Why:
    """One part of a query in one hit (``--explain``): the concept as typed,
    its score in the hit and its share of the hit's score, and each way it
    matched there: ``(way, text)`` with way typed, surface, alias, related,
    spelling, loan, phrase, name, phrase-words or proximity."""

    concept: str
    score: float
    share: float
    matched: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class FileHit:
    """A matching document (``--files``): ranked by its best passage's
    score; ``passages`` is how many of its passages match."""

    rank: int
    score: float
    path: str
    rel: str
    passages: int


@dataclass(frozen=True, slots=True)
class SearchResult:
    """``total``: matching passages (None when not counted: ``--files``
    with a limit reads the passages of the best files only);
    ``documents``: the documents they are in (None when not counted: too
    many matches to count quickly, or ``total`` is None);
    ``files``: the matching documents, best first (when asked for);
    ``capped``: passages left out by the per-file limit."""

    query: str
    hits: tuple[Hit, ...]
    total: int | None
    seconds: float
    searched_terms: tuple[str, ...] = ()
    expansions: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    documents: int | None = None
    files: tuple[FileHit, ...] = ()
    capped: int = 0
    # how the hits were ranked: "lexical", "hybrid" or "semantic"; the dense
    # side's weight in the fusion (0: the lexical ranking as it is) and the
    # share of passages that have vectors (None: no vectors were used)
    mode: str = "lexical"
    semantic_weight: float = 0.0
    semantic_coverage: float | None = None


# The research views' result types (nkcorpus.views) are defined in
# ``viewtypes`` and created when first used: a search does not pay for them.
_VIEW_TYPES = {"PeriodCount", "Series", "Timeline", "KeyTerm", "KeyTerms", "Report"}


def __getattr__(name: str):
    if name in _VIEW_TYPES:
        from nkcorpus import viewtypes

        return getattr(viewtypes, name)
    raise AttributeError(f"module 'nkcorpus.model' has no attribute {name!r}")
