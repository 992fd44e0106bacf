"""The result types of the research views (``nkcorpus.views``): frozen,
like those of ``model``, which hands them out (``from nkcorpus.model import
Timeline`` works) but creates them only when first asked for."""

from __future__ import annotations

from dataclasses import dataclass

from nkcorpus.model import SearchResult


@dataclass(frozen=True, slots=True)
class PeriodCount:
    """Matching documents and passages dated in one period."""

    period: str  # 2019, 2019-03 or 2019-W11
    documents: int
    passages: int


@dataclass(frozen=True, slots=True)
class Series:
    """One query's counts over the timeline's axis (one per period, in
    order); documents without a date (or dated only more coarsely than the
    periods, e.g. a year when counting months) are counted apart."""

    query: str
    counts: tuple[PeriodCount, ...]
    documents: int  # dated matching documents
    passages: int
    undated_documents: int = 0
    undated_passages: int = 0
    peak: str | None = None  # the period with the most documents (the first of equals)


@dataclass(frozen=True, slots=True)
class Timeline:
    """When the queries were discussed: one series per query over one shared axis."""

    by: str  # "year" | "month" | "week"
    axis: tuple[str, ...]
    series: tuple[Series, ...]
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # e.g. that the corpus has no dates, and what to do


@dataclass(frozen=True, slots=True)
class KeyTerm:
    """A word (a root, shown in its most frequent form) or a multi-word
    name over-represented in the matching passages."""

    term: str  # the root, or the roots of a name joined by spaces
    form: str  # as most often written in the matches
    kind: str  # "word" | "name"
    matches: int  # matching passages (of the sample) holding it
    corpus: int  # passages of the whole corpus holding it
    score: float  # log-likelihood G2


@dataclass(frozen=True, slots=True)
class KeyTerms:
    """What is discussed with a query: its key terms, best first.
    ``sample``: the matching passages analyzed (the best ranked, at most
    a cap); ``matched``: all matching passages; ``corpus``: all passages."""

    query: str
    terms: tuple[KeyTerm, ...]
    matched: int
    sample: int
    corpus: int
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()
    statistic: str = "G2"


@dataclass(frozen=True, slots=True)
class Report:
    """One query seen three ways, for ``--report FILE.html``: its best
    passages, its timeline and its key terms (each may be missing)."""

    query: str
    corpus: str
    search: SearchResult | None = None
    timeline: Timeline | None = None
    terms: KeyTerms | None = None
