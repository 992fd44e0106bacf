"""What is discussed with a query: the words and multi-word names
over-represented in its matching passages against the whole corpus.

The matching passages are the best-ranked ones, at most ``SAMPLE`` (a
sample of the matches when there are more: the ``sample`` of the result
says how many): their stored text is analyzed again, word by word, into
roots (``analysis.iter_terms``). A term's corpus frequency is the number of
passages of the index holding its root (the index's document frequency; a
name's is the number of passages matching it as a phrase, looked up only
for names that could enter the list). Keyness is
Dunning's log-likelihood G2 of a 2x2 table of passages: holding the term
or not, in the sample or in the rest of the corpus; only terms more
frequent in the sample than in the rest are kept.

Stop words, numbers and the query's own words (as searched: with their
aliases) are left out. Multi-word names are runs of two or more
capitalized words (``Kim Jong-un``, ``Dewan Keamanan``), stop words
trimmed from their ends; a name's words are not listed apart when most of
their occurrences are in the name.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from functools import lru_cache

from nkcorpus.analysis import iter_terms, stop_words
from nkcorpus.model import KeyTerm, KeyTerms
from nkcorpus.search import aliases_of, read_scoped
from nkcorpus.settings import SearchSettings
from nkcorpus.understand import understand
from nkcorpus.understand.plan import all_concepts
from nkcorpus.understand.plan import STEM, Terms

SAMPLE = 2000  # matching passages analyzed at most (the best ranked)
NAME_CANDIDATES = 60  # names whose corpus frequency is looked up (a phrase query each)
_CAP = r"[A-Z][\w'’‐-]*"
_NAME = re.compile(rf"\b{_CAP}(?:[ \t]+{_CAP})+")
_ALNUM = re.compile(r"[^\W\d_]")
# Words that stand before a name rather than in it.
_TITLES = frozenset("presiden wakil pemimpin ketua menteri kepala juru kata ujar tutur sekjen dubes "
                    "jenderal letjen mayjen brigjen kolonel pak bu bapak ibu tuan nyonya".split())


def terms(settings: SearchSettings, limit: int = 30, sample: int = SAMPLE, progress=None) -> KeyTerms:
    """The ``limit`` key terms of the passages matching ``settings.query``."""
    started = time.perf_counter()
    understand(settings.query)  # nothing to search: fails before any indexing
    aliases = aliases_of(settings)

    def work(reader, where):
        plan = understand(settings.query, reader.vocabulary, aliases, settings.exact)
        paths, exclude, filters = where.of(plan)
        found, total = reader.top(all_concepts(plan.root), sample, paths, exclude, filters)
        texts = [f.fields["text"] for f in found]
        return plan, total, texts, _key_terms(reader, texts, plan.highlight, limit)

    (plan, total, texts, found), warnings = read_scoped(settings, work, progress)
    key, corpus = found
    return KeyTerms(query=settings.query, terms=key, matched=total, sample=len(texts), corpus=corpus,
                    seconds=time.perf_counter() - started, warnings=tuple(plan.warnings) + warnings)


def g2(a: int, n1: int, c: int, n2: int) -> float:
    """Log-likelihood G2 of a term in ``a`` of ``n1`` target passages and
    ``c`` of ``n2`` reference passages (Dunning 1993; Rayson and Garside 2000)."""
    total = n1 + n2
    k = a + c
    out = 0.0
    for observed, row, col in ((a, n1, k), (n1 - a, n1, total - k), (c, n2, k), (n2 - c, n2, total - k)):
        expected = row * col / total if total else 0
        if observed > 0 and expected > 0:
            out += observed * math.log(observed / expected)
    return 2 * out


def _key_terms(reader, texts: list[str], query_terms: frozenset[str], limit: int):
    n1 = len(texts)
    corpus = reader.passages()
    n2 = max(corpus - n1, 1)
    if not n1:
        return (), corpus
    stops = stop_words()
    words: Counter[str] = Counter()  # root -> passages holding it
    forms: dict[str, Counter] = {}
    names: Counter[tuple[str, ...]] = Counter()
    name_forms: dict[tuple[str, ...], Counter] = {}
    for text in texts:
        seen = set()
        for term, _, start, end in iter_terms(text):
            if term in stops or term in query_terms or not _ALNUM.search(term) or len(term) < 2:
                continue
            forms.setdefault(term, Counter())[text[start:end]] += 1
            seen.add(term)
        words.update(seen)
        seen_names = {}
        for match in _NAME.finditer(text):
            for name in _names(match.group(), stops, query_terms):
                key = tuple(t for w in name.split() for t in _word_terms(w))
                if len(key) >= 2:
                    seen_names[key] = name
        names.update(seen_names.keys())
        for key, name in seen_names.items():
            name_forms.setdefault(key, Counter())[name] += 1
    least = 2 if n1 < 50 else 3
    scored: list[KeyTerm] = []
    for term, a in words.items():
        if a < least:
            continue
        c = max(reader.doc_frequency(term) - a, 0)
        if a / n1 > c / n2:
            scored.append(KeyTerm(term, forms[term].most_common(1)[0][0], "word", a,
                                  a + c, round(g2(a, n1, c, n2), 2)))
    # A name's corpus frequency costs a phrase query: only names that could
    # enter the list (their score if the corpus had them nowhere else beats
    # the last word listed) are looked up.
    floor = sorted((t.score for t in scored), reverse=True)[limit - 1] if len(scored) >= limit else 0.0
    for key, a in names.most_common(NAME_CANDIDATES):
        if a < least:
            break
        if g2(a, n1, 0, n2) <= floor:
            continue
        c = max(reader.count(Terms(key, STEM, way="name")) - a, 0)
        if a / n1 > c / n2:
            scored.append(KeyTerm(" ".join(key), name_forms[key].most_common(1)[0][0], "name", a,
                                  a + c, round(g2(a, n1, c, n2), 2)))
    scored.sort(key=lambda t: (-t.score, t.term))
    return _without_name_parts(scored)[:limit], corpus


def _names(run: str, stops: frozenset[str], query_terms: frozenset[str]):
    """The names in a run of capitalized words: split at titles and at the
    query's own name (``Pemimpin Korea Utara Kim Jong-un``: ``Kim
    Jong-un``; a query word alone stays: ``Korea Selatan``), stop words
    trimmed from the ends, two words at least."""
    words = run.split()
    ours = [bool(terms) and all(t in query_terms for t in terms) for terms in map(_word_terms, words)]
    cut = [w.lower() in _TITLES for w in words]
    for i in range(len(words)):
        if ours[i] and ((i > 0 and ours[i - 1]) or (i + 1 < len(words) and ours[i + 1])):
            cut[i] = True  # part of two or more query words in a row
    piece: list[str] = []
    for word, stop in zip(words + [""], cut + [True]):
        if not stop:
            piece.append(word)
            continue
        while piece and piece[0].lower() in stops:
            piece.pop(0)
        while piece and piece[-1].lower() in stops:
            piece.pop()
        if len(piece) >= 2 and not all(ours[words.index(w)] for w in piece):
            yield " ".join(piece)
        piece = []


@lru_cache(maxsize=50_000)
def _word_terms(word: str) -> tuple[str, ...]:
    return tuple(t for t, *_ in iter_terms(word))


def _without_name_parts(scored: list[KeyTerm]) -> list[KeyTerm]:
    """Words left out when most of their occurrences are in a listed name
    (``jong`` beside ``Kim Jong-un``)."""
    names = [t for t in scored if t.kind == "name"]
    out = []
    for t in scored:
        if t.kind == "word" and any(t.term in n.term.split() and t.matches <= 1.5 * n.matches for n in names):
            continue
        out.append(t)
    return out
