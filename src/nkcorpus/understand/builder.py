"""Query text -> a Whoosh query, the terms to highlight, and what else was searched.

Syntax (see the README): plain words are optional and passages holding more
of them rank first; ``"quoted words"`` are a phrase (in any inflected form)
that passages must hold; ``+word`` must appear, ``-word`` / ``NOT word`` must
not; ``a AND b`` requires both; ``OR`` is the default; parentheses group;
``word*`` matches words starting so (unstemmed); ``path:GLOB`` keeps files
whose path matches. Nothing here raises on odd input except a query with no
words to search for.

Query understanding (off with ``exact``): aliases and the glossary add the
other names of what was typed, weighted below it; a word rare or absent in
the index also finds its close spellings (typos), weighted lower still, and
an English word the index lacks its Indonesian loan spelling; stop
words are dropped from the optional words unless nothing else is left; words
typed together score more when they stand close together in a passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from nkcorpus import loanwords
from nkcorpus.analysis import fold, iter_terms, root_rank, stem
from nkcorpus.errors import QueryError

# Weights, chosen on benchmarks/quality.py (see the README).
ALIAS_WEIGHT = 0.8
TYPO_WEIGHT = 0.8  # close spellings of a word the index lacks
RARE_TYPO_WEIGHT = 0.4  # ... of a word the index has, but rarely
PHRASE_WORDS_WEIGHT = 0.3  # the words of a quoted phrase, apart
SURFACE_WEIGHT = 0.2  # bonus for the exact typed form (unstemmed field)
PROXIMITY_WEIGHT = 0.5  # bonus for typed words standing together
PROXIMITY_SLOP = 3
RELATED_WEIGHT = 0.5
TIEBREAK = 0.0  # share of a concept's other matching ways added to its best
COORD = None  # Whoosh's coordination bonus (a number turns it on): measured, no gain
RARE_DF = 1  # a word in at most this many passages also finds close spellings
MIN_TYPO_LEN = 4
OTHER_WORD_RATIO = 10  # see _other_word
MAX_SUGGESTIONS = 3
MIN_LOAN_FUZZY = 6  # an English word this long may be one edit from its loan spelling (technologic)

_TOKEN = re.compile(r'\(|\)|[+-]?"[^"]*"?|[^\s()"]+')
_OPERATORS = {"AND", "OR", "NOT"}
MAX_DEPTH = 32  # parentheses nested deeper only group with the enclosing words


# --- the parse tree ----------------------------------------------------------------


@dataclass(slots=True)
class Clause:
    kind: str  # "word" | "phrase" | "prefix" | "group"
    text: str = ""
    occur: str = "should"  # "should" | "must" | "not"
    children: list = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    query: object  # a whoosh.query.Query
    terms: frozenset[str]  # analyzed terms whose occurrences are highlighted
    searched: tuple[str, ...]  # what was searched, for display
    expansions: tuple[str, ...] = ()  # "korut -> korea utara", for display
    suggestions: tuple[str, ...] = ()  # "nukilr -> nuklir": did you mean
    paths: tuple[str, ...] = ()  # path: globs from the query
    relaxed: object = None  # the query without required phrases, if it had any


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def parse_tree(text: str) -> tuple[list[Clause], list[str]]:
    """Top-level clauses and path globs; never raises."""
    tokens = tokenize(text)
    paths: list[str] = []
    clauses, _ = _sequence(tokens, 0, paths, depth=0)
    return clauses, paths


def _sequence(tokens: list[str], i: int, paths: list[str], depth: int) -> tuple[list[Clause], int]:
    out: list[Clause] = []
    pending_and = pending_not = False
    flattened = 0  # open groups nested too deep: their words belong to this one
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if tok == "(" and depth >= MAX_DEPTH:
            flattened += 1
            continue
        if tok == ")":
            if flattened:
                flattened -= 1
                continue
            if depth:
                break
            continue  # a stray ")" is ignored
        if tok in _OPERATORS:
            pending_and |= tok == "AND" and bool(out)
            pending_not |= tok == "NOT"
            continue
        if tok == "(":
            children, i = _sequence(tokens, i, paths, depth + 1)
            clause = Clause("group", children=children) if children else None
        else:
            clause = _atom(tok, paths)
        if clause is None:
            continue
        if pending_not:
            clause.occur = "not"
        elif pending_and:
            clause.occur = "must" if clause.occur == "should" else clause.occur
            if out[-1].occur == "should":
                out[-1].occur = "must"
        pending_and = pending_not = False
        out.append(clause)
    return out, i


def _atom(tok: str, paths: list[str]) -> Clause | None:
    occur = "should"
    if tok[:1] in "+-" and len(tok) > 1:
        occur, tok = ("must" if tok[0] == "+" else "not"), tok[1:]
    if tok.startswith('"'):
        body = tok.strip('"')
        return Clause("phrase", body, occur) if body.strip() else None
    if tok.lower().startswith("path:") and len(tok) > 5:
        paths.append(tok[5:])
        return None
    if tok.endswith("*") and len(tok.rstrip("*")) >= 2 and "*" not in tok.rstrip("*"):
        return Clause("prefix", fold(tok.rstrip("*")), occur)
    if not any(ch.isalnum() for ch in tok):
        return None
    return Clause("word", tok, occur)


# --- stop words ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    text = resources.files("nkcorpus").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def analyzed(text: str) -> list[tuple[str, str]]:
    """(stem, surface) for each word of ``text``."""
    return [(term, fold(text[s:e])) for term, _, s, e in _raw_terms(text)]


def _raw_terms(text: str):
    for surface, pos, s, e in iter_terms(text, stemmed=False):
        yield stem(surface), pos, s, e


# --- building the Whoosh query ----------------------------------------------------------


class Builder:
    """Turns clauses into a Whoosh query, collecting what it searched."""

    def __init__(self, reader=None, aliases=None, exact: bool = False) -> None:
        from whoosh import query as q

        self.q = q
        self.reader = reader
        self.aliases = None if exact else aliases
        self.exact = exact
        self.highlight: set[str] = set()
        self.searched: list[str] = []
        self.expansions: dict[str, dict[str, None]] = {}
        self.suggestions: dict[str, None] = {}
        self.had_phrase = False
        self._spelled: dict[tuple[str, int], list[str]] = {}

    # clauses -> query

    def build(self, clauses: list[Clause], relax: bool = False):
        should, must, must_not = [], [], []
        for part, occur in self._parts(clauses, relax):
            {"should": should, "must": must, "not": must_not}[occur].append(part)
        return self._combine(should, must, must_not)

    def _combine(self, should, must, must_not):
        q = self.q
        if not should and not must:
            return None
        pos = q.Or(should, scale=COORD) if len(should) > 1 else (should[0] if should else None)
        if must:
            req = q.And(must) if len(must) > 1 else must[0]
            pos = q.AndMaybe(req, pos) if pos is not None else req
        if must_not:
            pos = q.AndNot(pos, q.Or(must_not) if len(must_not) > 1 else must_not[0])
        return pos

    def _parts(self, clauses: list[Clause], relax: bool):
        run: list[Clause] = []
        for clause in clauses:
            if clause.kind == "word" and clause.occur == "should":
                run.append(clause)
                continue
            yield from self._run(run)
            run = []
            part = self._clause(clause)
            if part is not None:
                occur = "should" if relax and clause.kind == "phrase" and clause.occur == "must" else clause.occur
                yield part, occur
        yield from self._run(run)

    def _clause(self, clause: Clause):
        if clause.kind == "group":
            return self.build(clause.children)
        if clause.kind == "prefix":
            self.searched.append(clause.text + "*")
            return self.q.Prefix("raw", clause.text)
        words = analyzed(clause.text)
        if not words:
            return None
        if clause.kind == "phrase":
            self.had_phrase = clause.occur == "must" or self.had_phrase
            phrase = self._phrase(words, clause.text)
            if clause.occur != "should" or len(words) < 2:
                return phrase
            loose = [self.q.Term("text", s) for s, _ in dict.fromkeys(words)]
            return self.q.Or([phrase, self.q.Or(loose, boost=PHRASE_WORDS_WEIGHT)])
        if len(words) > 1:  # a hyphenated word: Kim Jong-un, Six-Party
            return self._phrase(words, clause.text)
        return self._word(*words[0], expand=clause.occur != "not")

    # plain optional words: stop words, aliases, proximity

    def _run(self, run: list[Clause]):
        words = [w for c in run for w in analyzed(c.text)]
        if not words:
            return
        stops = stop_words()
        content = [w for w in words if w[1] not in stops]
        keep = content or words
        for parts in self._concepts(words, keep).values():
            yield _one_of(self.q, parts), "should"
        if len(keep) > 1:
            stems = [s for s, _ in keep]
            yield self.q.Phrase("text", stems, slop=PROXIMITY_SLOP, boost=PROXIMITY_WEIGHT), "should"

    def _concepts(self, words, keep) -> dict[object, list]:
        """Each concept of a run of words (a word, or a name the aliases
        know) -> the ways to match it: as typed, its aliases, related names,
        close spellings. A passage scores a concept once, by its best way
        (see ``_one_of``), so a passage naming one thing three ways does
        not outrank one that names more of the things asked for."""
        corrected = [self._corrected(w) for w in words]
        spans = list(self._alias_spans(words, corrected))
        in_names = {i for start, size, _ in spans if size > 1 for i in range(start, start + size)}
        concepts: dict[object, list] = {}
        keyed: dict[int, object] = {}  # position -> its concept's key
        for i, word in enumerate(words):
            if i not in in_names and word in keep:
                keyed[i] = word
                if word not in concepts:
                    concepts[word] = [self._word(*word, expand=False)]
        names: dict[int, object] = {}  # position in a name -> the name's key
        for start, size, alts in spans:
            key = keyed.setdefault(start, (start, size)) if size == 1 else (start, size)
            names.update((i, key) for i in range(start, start + size) if size > 1)
            concepts.setdefault(key, []).extend(self._name(words[start:start + size], alts))
        self._add_related(words, corrected, keyed | names, concepts)
        self._add_typos(words, keep, keyed | names, concepts)
        return concepts

    def _add_related(self, words, corrected, keyed, concepts) -> None:
        if not RELATED_WEIGHT:
            return
        for start, size, alts in self._alias_spans(words, corrected, related=True):
            typed = " ".join(surface for _, surface in words[start:start + size])
            key = keyed.get(start, (start, size))
            concepts.setdefault(key, []).append(self._alternatives(typed, alts, RELATED_WEIGHT))

    def _add_typos(self, words, keep, keyed, concepts) -> None:
        """Close spellings join their word's concept (a word's inside a name:
        the name's)."""
        if self.reader is None:
            return
        for i, word in enumerate(words):
            typo = self._typos(*word) if word in keep else None
            if typo is not None:
                concepts.setdefault(keyed.get(i, ("typo", word)), []).append(typo)

    def _alias_spans(self, words, corrected, related: bool = False):
        """(start, size, alternatives) of each name the aliases know, longest
        first, as typed or else as corrected (typos)."""
        if self.aliases is None:
            return
        typed = tuple(s for s, _ in words)
        fixed = tuple(s for s, _ in corrected)
        expand = self.aliases.expand_related if related else self.aliases.expand
        i = 0
        while i < len(typed):
            size, alts = expand(typed, i)
            if not size and fixed != typed:
                size, alts = expand(fixed, i)
            if not size:
                i += 1
                continue
            yield i, size, alts
            i += size

    def _name(self, words: list[tuple[str, str]], alts: dict):
        """A name the aliases know and its other names. A name typed in n
        words weighs about one word: the phrase and the words apart each
        count 1/n (so "Korea" alone is half a match for "Korea Utara"), and
        other names that are part of it ("Amerika" in "Amerika Serikat")
        are not searched twice."""
        typed = " ".join(surface for _, surface in words)
        if len(words) == 1:
            return [self._alternatives(typed, alts)]
        q = self.q
        stems = [s for s, _ in words]
        self.highlight.update(stems)
        self.searched.append(typed)
        share = 1 / len(stems)
        apart = [self._apart(s, surface, alts.keys() | {tuple(stems)}) for s, surface in dict.fromkeys(words)]
        parts = [q.Phrase("text", stems, boost=share), q.Or(apart, boost=share)]
        others = {t: text for t, text in alts.items() if not _inside(t, stems)}
        if others:  # summed with the typed name: measured better than best-of
            parts.append(self._alternatives(typed, others))
        return [q.Or(parts)]

    def _apart(self, stem_: str, surface: str, whole: set):
        """One word of a name, alone: as typed, or by its own aliases
        ("missile" in "ballistic missile" also finds "rudal"), less those
        that name the whole (``whole``: "Amerika" -> "AS")."""
        term = self.q.Term("text", stem_)
        if self.aliases is None:
            return term
        alts = {t: text for t, text in self.aliases.expand((stem_,), 0)[1].items() if t not in whole}
        return _one_of(self.q, [term, self._alternatives(surface, alts)]) if alts else term

    def _alternatives(self, typed: str, alts: dict, weight: float | None = None):
        q = self.q
        weight = ALIAS_WEIGHT if weight is None else weight
        parts = []
        for terms, text in alts.items():
            self.highlight.update(terms)
            self.expansions.setdefault(typed, {})[text] = None
            parts.append(q.Phrase("text", list(terms)) if len(terms) > 1 else q.Term("text", terms[0]))
        if len(parts) == 1:
            return _boosted(parts[0], weight)
        return _boosted(_one_of(q, parts), weight)

    # single words and phrases

    def _word(self, stem_: str, surface: str, expand: bool = True):
        q = self.q
        self.highlight.add(stem_)
        self.searched.append(surface)
        parts = [q.Term("text", stem_)]
        if not self.exact:
            parts.append(q.Term("raw", surface, boost=SURFACE_WEIGHT))
        if expand and not self.exact:
            if self.aliases is not None:
                size, alts = self.aliases.expand((stem_,), 0)
                if size:
                    parts.append(self._alternatives(surface, alts))
            if self.reader is not None:
                typo = self._typos(stem_, surface)
                if typo is not None:
                    parts.append(typo)
        return q.Or(parts) if len(parts) > 1 else parts[0]

    def _phrase(self, words: list[tuple[str, str]], text: str):
        q = self.q
        stems = [s for s, _ in words]
        self.highlight.update(stems)
        self.searched.append(f'"{" ".join(s for _, s in words)}"')
        phrase = q.Phrase("text", stems)
        if self.aliases is None:
            return phrase
        size, alts = self.aliases.expand(tuple(stems), 0)
        if size != len(stems):
            return phrase
        return q.Or([phrase, self._alternatives(text, alts)])

    # typos

    def _spellings(self, surface: str, df: int, known: bool = False) -> list[str]:
        """Close spellings, looked up once per word and query; ``known``:
        the index has the word or its root (fewer edits allowed)."""
        if (surface, df, known) not in self._spelled:
            self._spelled[surface, df, known] = _close_spellings(self.reader, surface, df, known)
        return self._spelled[surface, df, known]

    def _held(self, surface: str, stem_: str) -> int:
        """Whether the index holds the word as written or its root."""
        return self.reader.doc_frequency("raw", surface) or self.reader.doc_frequency("text", stem_)

    def _corrected(self, word: tuple[str, str]) -> tuple[str, str]:
        """The word, or its best close spelling if the index lacks it (for alias matching)."""
        stem_, surface = word
        if self.reader is None or self.exact or len(surface) < MIN_TYPO_LEN or not surface.isalpha():
            return word
        if self._held(surface, stem_):
            return word
        found = self._spellings(surface, 0)
        return (stem(found[0]), found[0]) if found else word

    def _typos(self, stem_: str, surface: str):
        """Close spellings of a word rare or absent in the index, or None."""
        if self.exact or len(surface) < MIN_TYPO_LEN or not surface.isalpha():
            return None
        if surface in stop_words():
            return None
        df = self.reader.doc_frequency("raw", surface)
        if df > RARE_DF or (df == 0 and self.aliases and self.aliases.expand((stem_,), 0)[0]):
            return None  # common, or an absent word its aliases already cover
        known = df or self.reader.doc_frequency("text", stem_)
        found = self._spellings(surface, df, bool(known))
        if not found:  # an English word, perhaps: its loan spelling
            return None if known else self._borrowed(surface)
        asked = not known and _misspelt(surface, found[0])
        if asked:
            self.suggestions[f"{surface} → {found[0]}"] = None
        for cand in found[asked:]:  # the other spellings searched are shown too
            self.expansions.setdefault(surface, {})[cand] = None
        for cand in found:
            self.highlight.add(stem(cand))
        terms = [self.q.Term("raw", c) for c in found]
        weight = RARE_TYPO_WEIGHT if known else TYPO_WEIGHT
        return self.q.Or(terms, boost=weight) if len(terms) > 1 else _boosted(terms[0], weight)

    def _borrowed(self, surface: str):
        """A word the index lacks and has no close spelling of, read as an
        English word borrowed into Indonesian (``technology``: teknologi):
        the loan spellings the index holds, else the word one edit from the
        regular one (``technologic``: teknologik, teknologi); weighed as an
        alias."""
        spellings = loanwords.forms(surface)
        held = [f for f in spellings if self._held(f, stem(f))]
        if not held and spellings and len(surface) >= MIN_LOAN_FUZZY:
            held = self._spellings(spellings[0], 0, known=True)[:1]
        if not held:
            return None
        for form in held:
            self.expansions.setdefault(surface, {})[form] = None
            self.highlight.add(stem(form))
        terms = [self.q.Term("text", s) for s in dict.fromkeys(stem(f) for f in held)]
        return _boosted(_one_of(self.q, terms) if len(terms) > 1 else terms[0], ALIAS_WEIGHT)


def _one_of(q, parts: list):
    """Ways to match one concept: the best scores, the others add a share."""
    if len(parts) == 1:
        return parts[0]
    from nkcorpus.dismax import BestOf

    return BestOf(parts, tiebreak=TIEBREAK)


def _inside(terms: tuple[str, ...], stems: list[str]) -> bool:
    """True when ``terms`` occur in a row inside ``stems``."""
    n = len(terms)
    return any(tuple(stems[i:i + n]) == terms for i in range(len(stems) - n + 1))


def _boosted(query, boost: float):
    query.boost = boost
    return query


def max_edits(word: str, known: int) -> int:
    """Edits allowed for a word's close spellings: one (two for a long word
    the index lacks); none for a short word the index has."""
    if known:
        return 1 if len(word) >= 6 else 0
    return 1 if len(word) <= 7 else 2


def _other_word(word: str, cand: str) -> bool:
    """True when ``cand`` is another word rather than a misspelling of
    ``word`` or ``word`` of it: both have known roots, different ones, and
    neither root is far more common than the other (``peran`` / ``perang``,
    but not ``sangsi`` / ``sanksi``)."""
    if not OTHER_WORD_RATIO:
        return False
    a, b = root_rank(word), root_rank(cand)
    if a is None or b is None or stem(word) == stem(cand):
        return False
    return max(a, b) < OTHER_WORD_RATIO * (min(a, b) + 1)


def _misspelt(word: str, cand: str) -> bool:
    """Whether to ask "did you mean ``cand``": unless ``word`` is a known
    word and ``cand`` is not a far more common one (``negosiasi`` is right
    even where the corpus spells it ``negoisasi``)."""
    a, b = root_rank(word), root_rank(cand)
    return a is None or (b is not None and a >= OTHER_WORD_RATIO * (b + 1))


def _close_spellings(reader, word: str, df: int, known: bool = False) -> list[str]:
    """Indexed words within ``max_edits``, more frequent than ``word``,
    nearest and most frequent first (Damerau-Levenshtein in its restricted
    form, as Whoosh counts it: a swap of neighbours is one edit).

    The candidates are the indexed words with the same first letter; their
    distances are computed by rapidfuzz (C++): Whoosh's own automaton and
    Python distance cost a quarter of a second per word on 40 MB of news."""
    from rapidfuzz.distance import OSA
    from rapidfuzz.process import extract_iter

    maxdist = max_edits(word, df or known)
    if not maxdist:
        return []
    candidates = (_text(t) for t in reader.expand_prefix("raw", word[:1]))
    scored = []
    for cand, dist, _ in extract_iter(word, candidates, scorer=OSA.distance, score_cutoff=maxdist):
        if cand == word or not cand.isalpha() or _other_word(word, cand):
            continue
        cdf = reader.doc_frequency("raw", cand)
        if cdf > df:
            scored.append((dist, -cdf, cand))
    scored.sort()
    return [c for _, _, c in scored[:MAX_SUGGESTIONS]]


def _text(term) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


# --- entry point ------------------------------------------------------------------------


def parse(text: str, reader=None, aliases=None, exact: bool = False) -> ParsedQuery:
    """Parse ``text``; ``reader`` (a Whoosh reader) enables typo handling."""
    clauses, paths = parse_tree(text)
    builder = Builder(reader, aliases, exact)
    query = builder.build(clauses)
    if query is None:
        if any(c.occur == "not" for c in clauses):
            raise QueryError("the query only excludes words", hint='add a word to search for: nkcorpus search "nuklir -iran"')
        raise QueryError("the query has no words to search for", hint='try: nkcorpus search "uji coba nuklir"')
    relaxed = Builder(reader, aliases, exact).build(clauses, relax=True) if builder.had_phrase else None
    return ParsedQuery(
        query=query, terms=frozenset(builder.highlight),
        searched=tuple(dict.fromkeys(builder.searched)),
        expansions=tuple(f"{typed} → {', '.join(alts)}" for typed, alts in builder.expansions.items()),
        suggestions=tuple(builder.suggestions),
        paths=tuple(paths), relaxed=relaxed,
    )
