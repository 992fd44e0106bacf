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
class Hit:
    """A passage found: ``path`` as displayed (the corpus as given, then the
    path inside it), ``rel`` the path relative to the corpus folder;
    ``line_start``/``line_end`` count ``unit`` (line, page or paragraph)."""

    rank: int
    score: float
    path: str
    line_start: int
    line_end: int
    text: str
    matches: tuple[Match, ...]
    unit: str = "line"
    rel: str = ""
    # meaning search (``SearchResult.mode`` hybrid or semantic): the passage's
    # place and score in each ranking fused; None where it was not ranked.
    # lexical_score is BM25F (headings weighed down); semantic_score is the
    # dense score normalised to 0..1 over the corpus (headings weighed down).
    lexical_rank: int | None = None
    lexical_score: float | None = None
    semantic_rank: int | None = None
    semantic_score: float | None = None


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    hits: tuple[Hit, ...]
    total: int
    seconds: float
    searched_terms: tuple[str, ...] = ()
    expansions: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    # how the hits were ranked: "lexical", "hybrid" or "semantic"; the dense
    # side's weight in the fusion (0: the lexical ranking as it is) and the
    # share of passages that have vectors (None: no vectors were used)
    mode: str = "lexical"
    semantic_weight: float = 0.0
    semantic_coverage: float | None = None
