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
