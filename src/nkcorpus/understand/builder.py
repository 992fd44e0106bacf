"""Query text -> a query plan: the concepts asked for and the ways to match each.

Query understanding (off with ``exact``): aliases and the glossary add the
other names of what was typed, weighted below it; a word rare or absent in
the index also finds its close spellings (typos), weighted lower still, and
an English word the index lacks its Indonesian loan spelling; stop words are
dropped from the optional words unless nothing else is left; words typed
together score more when they stand close together in a passage.

The index is reached only through a ``spelling.Vocabulary`` (document
frequencies and words by first letter), so this package imports no engine.
Weights were chosen on ``benchmarks/quality.py`` (see docs/quality.md).
"""

from __future__ import annotations

from nkcorpus.analysis import fold, iter_terms, stem, stop_words
from nkcorpus.errors import QueryError
from nkcorpus.understand import loanwords
from nkcorpus.understand.plan import (STEM, SURFACE, Best, Bool, Filters, Node, Prefix, QueryPlan, Sum,
                                      Terms, iso_date, with_weight)
from nkcorpus.understand.spelling import Vocabulary, close_spellings, misspelt
from nkcorpus.understand.syntax import Clause, parse_query

ALIAS_WEIGHT = 0.8
TYPO_WEIGHT = 0.8  # close spellings of a word the index lacks
RARE_TYPO_WEIGHT = 0.4  # ... of a word the index has, but rarely
PHRASE_WORDS_WEIGHT = 0.3  # the words of a quoted phrase, apart
SURFACE_WEIGHT = 0.2  # bonus for the exact typed form (unstemmed field)
PROXIMITY_WEIGHT = 0.5  # bonus for typed words standing together
PROXIMITY_SLOP = 3
RELATED_WEIGHT = 0.5
TIEBREAK = 0.0  # share of a concept's other matching ways added to its best
RARE_DF = 1  # a word in at most this many passages also finds close spellings
MIN_TYPO_LEN = 4
MIN_LOAN_FUZZY = 6  # an English word this long may be one edit from its loan spelling (technologic)


def analyzed(text: str) -> list[tuple[str, str]]:
    """(stem, surface) for each word of ``text``."""
    return [(stem(surface), fold(text[s:e])) for surface, _, s, e in iter_terms(text, stemmed=False)]


def understand(text: str, vocabulary: Vocabulary | None = None, aliases=None,
               exact: bool = False) -> QueryPlan:
    """The plan of query ``text``; ``vocabulary`` (the index's) enables typo
    handling. Raises QueryError when there is nothing to search for."""
    parsed = parse_query(text)
    clauses, filters = take_filters(parsed.clauses)
    builder = Builder(vocabulary, aliases, exact)
    root = builder.build(clauses)
    if root is None:
        if any(c.occur == "not" for c in clauses):
            raise QueryError("the query only excludes words", hint='add a word to search for: nkcorpus search "nuklir -iran"')
        raise QueryError("the query has no words to search for", hint='try: nkcorpus search "uji coba nuklir"')
    relaxed = Builder(vocabulary, aliases, exact).build(clauses, relax=True) if builder.had_phrase else None
    return QueryPlan(
        text=text, root=root, highlight=frozenset(builder.highlight),
        searched=tuple(dict.fromkeys(builder.searched)),
        expansions=tuple(f"{typed} → {', '.join(alts)}" for typed, alts in builder.expansions.items()),
        suggestions=tuple(builder.suggestions), paths=tuple(parsed.paths), relaxed=relaxed,
        exclude=tuple(parsed.exclude), warnings=tuple(parsed.warnings), filters=filters,
    )


def take_filters(clauses: list[Clause]) -> tuple[list[Clause], Filters]:
    """The clauses without their metadata filters (``field:value``, in
    groups too: a filter applies to the whole search), and the filters."""
    keep: list[tuple[str, str]] = []
    drop: list[tuple[str, str]] = []

    def strip(items: list[Clause]) -> list[Clause]:
        out = []
        for clause in items:
            if clause.kind == "field":
                pair = filter_value(*clause.text.split(":", 1))
                if pair is not None:
                    (drop if clause.occur == "not" else keep).append(pair)
            elif clause.kind == "group":
                out.append(Clause("group", occur=clause.occur, children=strip(clause.children)))
            else:
                out.append(clause)
        return out

    rest = strip(clauses)
    return rest, Filters(keep=tuple(dict.fromkeys(keep)), drop=tuple(dict.fromkeys(drop)))


def filter_value(name: str, value: str) -> tuple[str, str] | None:
    """A typed ``name:value`` as the (field, value) a backend filters on:
    ``year``/``date`` an ISO date prefix, ``source`` lowercase, ``title``
    stems and ``author`` words (space-separated), ``folder`` a path; None
    if nothing is left. A malformed date is a QueryError."""
    if name in ("year", "date"):
        date = iso_date(value) if name == "date" or (value.isascii() and len(value) == 4) else None
        if date is None:
            example = "year:2019" if name == "year" else "date:2019-06"
            raise QueryError(f"{name}:{value} is not a {'year' if name == 'year' else 'date'}",
                             hint=f"write it as YYYY, YYYY-MM or YYYY-MM-DD, e.g. {example}")
        return "date", date
    if name == "source":
        return "source", value.strip().lower()
    if name == "folder":
        folder = value.strip().strip("/")
        return ("folder", folder) if folder else None
    stemmed = name == "title"
    words = " ".join(term for term, *_ in iter_terms(value, stemmed))
    return (name, words) if words else None


class Builder:
    """Turns clauses into plan nodes, collecting what it searched."""

    def __init__(self, vocabulary: Vocabulary | None = None, aliases=None, exact: bool = False) -> None:
        self.vocabulary = vocabulary
        self.aliases = None if exact else aliases
        self.exact = exact
        self.highlight: set[str] = set()
        self.searched: list[str] = []
        self.expansions: dict[str, dict[str, None]] = {}
        self.suggestions: dict[str, None] = {}
        self.had_phrase = False
        self._barred: frozenset[int] = frozenset()  # positions of a run whose acronym aliases are off
        self._lower: frozenset[int] = frozenset()  # positions of a run typed in lower case
        self._spelled: dict[tuple[str, int, bool], list[str]] = {}

    # clauses -> plan

    def build(self, clauses: list[Clause], relax: bool = False) -> Node | None:
        parts: dict[str, list[Node]] = {"should": [], "must": [], "not": []}
        for part, occur in self._parts(clauses, relax):
            parts[occur].append(part)
        if not parts["should"] and not parts["must"]:
            return None
        return Bool(tuple(parts["should"]), tuple(parts["must"]), tuple(parts["not"]))

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

    def _clause(self, clause: Clause) -> Node | None:
        if clause.kind == "group":
            return self.build(clause.children)
        if clause.kind == "prefix":
            self.searched.append(clause.text + "*")
            return Prefix(clause.text)
        words = analyzed(clause.text)
        if not words:
            return None
        if clause.kind == "phrase":
            self.had_phrase = clause.occur == "must" or self.had_phrase
            phrase = self._phrase(words, clause.text) if not clause.slop else self._near(words, clause)
            if clause.occur != "should" or len(words) < 2:
                return phrase
            loose = tuple(Terms((s,), way="phrase-words", source=clause.text) for s, _ in dict.fromkeys(words))
            return Sum((phrase, Sum(loose, weight=PHRASE_WORDS_WEIGHT)))
        if len(words) > 1:  # a hyphenated word: Kim Jong-un, Six-Party
            return self._phrase(words, clause.text)
        return self._word(*words[0], expand=clause.occur != "not")

    # plain optional words: stop words, aliases, proximity

    def _run(self, run: list[Clause]):
        words = [w for c in run for w in analyzed(c.text)]
        if not words:
            return
        marks = [m for c in run for m in _cases(c.text)]
        self._barred = frozenset(i for i, (caps, fragment) in enumerate(marks) if fragment and not caps)
        self._lower = frozenset(i for i, (caps, _) in enumerate(marks) if not caps)
        stops = stop_words()
        content = [w for w in words if w[1] not in stops]
        keep = content or words
        for key, parts in self._concepts(words, keep).items():
            yield _one_of(parts, concept=_concept_name(key, words)), "should"
        if len(keep) > 1:
            stems = tuple(s for s, _ in keep)
            source = " ".join(surface for _, surface in keep)
            yield Terms(stems, way="proximity", source=source, weight=PROXIMITY_WEIGHT, slop=PROXIMITY_SLOP), "should"

    def _concepts(self, words, keep) -> dict[object, list[Node]]:
        """Each concept of a run of words (a word, or a name the aliases
        know) -> the ways to match it: as typed, its aliases, related names,
        close spellings. A passage scores a concept once, by its best way
        (see ``_one_of``), so a passage naming one thing three ways does
        not outrank one that names more of the things asked for."""
        corrected = [self._corrected(w) for w in words]
        spans = list(self._alias_spans(words, corrected))
        in_names = {i for start, size, _ in spans if size > 1 for i in range(start, start + size)}
        concepts: dict[object, list[Node]] = {}
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
            concepts.setdefault(key, []).extend(self._name(words[start:start + size], alts, start))
        self._add_related(words, corrected, keyed | names, concepts)
        self._add_typos(words, keep, keyed | names, concepts)
        return concepts

    def _add_related(self, words, corrected, keyed, concepts) -> None:
        if not RELATED_WEIGHT:
            return
        for start, size, alts in self._alias_spans(words, corrected, related=True):
            typed = " ".join(surface for _, surface in words[start:start + size])
            key = keyed.get(start, (start, size))
            concepts.setdefault(key, []).append(self._alternatives(typed, alts, RELATED_WEIGHT, "related"))

    def _add_typos(self, words, keep, keyed, concepts) -> None:
        """Close spellings join their word's concept (a word's inside a name:
        the name's)."""
        if self.vocabulary is None:
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
            size, alts = expand(typed, i, self._barred) if not related else expand(typed, i)
            if not size and fixed != typed:
                size, alts = expand(fixed, i, self._barred) if not related else expand(fixed, i)
            if not size:
                i += 1
                continue
            yield i, size, alts
            i += size

    def _name(self, words: list[tuple[str, str]], alts: dict, start: int = 0) -> list[Node]:
        """A name the aliases know and its other names. A name typed in n
        words weighs about one word: the phrase and the words apart each
        count 1/n (so "Korea" alone is half a match for "Korea Utara"), and
        other names that are part of it ("Amerika" in "Amerika Serikat")
        are not searched twice."""
        typed = " ".join(surface for _, surface in words)
        if len(words) == 1:
            return [self._alternatives(typed, alts)]
        stems = [s for s, _ in words]
        self.highlight.update(stems)
        self.searched.append(typed)
        share = 1 / len(stems)
        first = {word: start + j for j, word in reversed(list(enumerate(words)))}
        apart = tuple(self._apart(s, surface, alts.keys() | {tuple(stems)}, first[s, surface] in self._lower)
                      for s, surface in dict.fromkeys(words))
        parts: list[Node] = [Terms(tuple(stems), way="name", source=typed, weight=share),
                             Sum(apart, weight=share)]
        others = {t: text for t, text in alts.items() if not _inside(t, stems)}
        if others:  # summed with the typed name: measured better than best-of
            parts.append(self._alternatives(typed, others))
        return [Sum(tuple(parts))]

    def _apart(self, stem_: str, surface: str, whole: set, barred: bool = False) -> Node:
        """One word of a name, alone: as typed, or by its own aliases
        ("missile" in "ballistic missile" also finds "rudal"), less those
        that name the whole (``whole``: "Amerika" -> "AS")."""
        term = Terms((stem_,), source=surface)
        if self.aliases is None:
            return term
        found = self.aliases.expand((stem_,), 0, frozenset({0}) if barred else frozenset())[1]
        alts = {t: text for t, text in found.items() if t not in whole}
        return _one_of([term, self._alternatives(surface, alts)]) if alts else term

    def _alternatives(self, typed: str, alts: dict, weight: float | None = None, way: str = "alias") -> Node:
        weight = ALIAS_WEIGHT if weight is None else weight
        parts = []
        for terms, text in alts.items():
            self.highlight.update(terms)
            self.expansions.setdefault(typed, {})[text] = None
            parts.append(Terms(tuple(terms), way=way, source=text))
        if len(parts) == 1:
            return with_weight(parts[0], weight)
        return with_weight(_one_of(parts), weight)

    # single words and phrases

    def _word(self, stem_: str, surface: str, expand: bool = True) -> Node:
        self.highlight.add(stem_)
        self.searched.append(surface)
        parts: list[Node] = [Terms((stem_,), source=surface)]
        if not self.exact:
            parts.append(Terms((surface,), SURFACE, way="surface", source=surface, weight=SURFACE_WEIGHT))
        if expand and not self.exact:
            if self.aliases is not None:
                size, alts = self.aliases.expand((stem_,), 0)
                if size:
                    parts.append(self._alternatives(surface, alts))
            if self.vocabulary is not None:
                typo = self._typos(stem_, surface)
                if typo is not None:
                    parts.append(typo)
        return Sum(tuple(parts)) if len(parts) > 1 else parts[0]

    def _near(self, words: list[tuple[str, str]], clause: Clause) -> Node:
        """``"a b"~N``: the words within N words of each other, in any order."""
        stems = tuple(s for s, _ in words)
        self.highlight.update(stems)
        self.searched.append(f'"{clause.text}"~{clause.slop}')
        if len(stems) == 1:
            return Terms(stems, way="phrase", source=clause.text)
        return Terms(stems, way="proximity", source=clause.text, slop=clause.slop, ordered=False)

    def _phrase(self, words: list[tuple[str, str]], text: str) -> Node:
        stems = tuple(s for s, _ in words)
        self.highlight.update(stems)
        self.searched.append(f'"{" ".join(s for _, s in words)}"')
        phrase = Terms(stems, way="phrase", source=text)
        if self.aliases is None:
            return phrase
        size, alts = self.aliases.expand(stems, 0)
        if size != len(stems):
            return phrase
        return Sum((phrase, self._alternatives(text, alts)))

    # typos

    def _spellings(self, surface: str, df: int, known: bool = False) -> list[str]:
        """Close spellings, looked up once per word and query; ``known``:
        the index has the word or its root (fewer edits allowed)."""
        if (surface, df, known) not in self._spelled:
            self._spelled[surface, df, known] = close_spellings(self.vocabulary, surface, df, known)
        return self._spelled[surface, df, known]

    def _held(self, surface: str, stem_: str) -> int:
        """Whether the index holds the word as written or its root."""
        return (self.vocabulary.doc_frequency(SURFACE, surface)
                or self.vocabulary.doc_frequency(STEM, stem_))

    def _corrected(self, word: tuple[str, str]) -> tuple[str, str]:
        """The word, or its best close spelling if the index lacks it (for alias matching)."""
        stem_, surface = word
        if self.vocabulary is None or self.exact or len(surface) < MIN_TYPO_LEN or not surface.isalpha():
            return word
        if self._held(surface, stem_):
            return word
        found = self._spellings(surface, 0)
        return (stem(found[0]), found[0]) if found else word

    def _typos(self, stem_: str, surface: str) -> Node | None:
        """Close spellings of a word rare or absent in the index, or None."""
        if self.exact or len(surface) < MIN_TYPO_LEN or not surface.isalpha():
            return None
        if surface in stop_words():
            return None
        df = self.vocabulary.doc_frequency(SURFACE, surface)
        if df > RARE_DF or (df == 0 and self.aliases and self.aliases.expand((stem_,), 0)[0]):
            return None  # common, or an absent word its aliases already cover
        known = df or self.vocabulary.doc_frequency(STEM, stem_)
        found = self._spellings(surface, df, bool(known))
        if not found:  # an English word, perhaps: its loan spelling
            return None if known else self._borrowed(surface)
        asked = not known and misspelt(surface, found[0])
        if asked:
            self.suggestions[f"{surface} → {found[0]}"] = None
        for cand in found[asked:]:  # the other spellings searched are shown too
            self.expansions.setdefault(surface, {})[cand] = None
        for cand in found:
            self.highlight.add(stem(cand))
        terms = tuple(Terms((c,), SURFACE, way="spelling", source=c) for c in found)
        weight = RARE_TYPO_WEIGHT if known else TYPO_WEIGHT
        return Sum(terms, weight=weight) if len(terms) > 1 else with_weight(terms[0], weight)

    def _borrowed(self, surface: str) -> Node | None:
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
        terms = [Terms((s,), way="loan", source=surface) for s in dict.fromkeys(stem(f) for f in held)]
        return with_weight(_one_of(terms) if len(terms) > 1 else terms[0], ALIAS_WEIGHT)


def _cases(text: str) -> list[tuple[bool, bool]]:
    """For each word of a query token: (typed in capitals, part of a longer
    word such as the ``un`` of ``Jong-un``). An acronym's aliases apply to a
    word typed in capitals or standing alone, and inside a longer name
    (``_apart``) only to a word typed in capitals."""
    spans = [(s, e) for _, _, s, e in iter_terms(text, stemmed=False)]
    return [(text[s:e].isupper(), len(spans) > 1) for s, e in spans]


def _one_of(parts: list[Node], concept: str = "") -> Node:
    """Ways to match one concept: the best scores, the others add a share."""
    if len(parts) == 1:
        return parts[0]
    return Best(tuple(parts), tiebreak=TIEBREAK, concept=concept)


def _concept_name(key: object, words: list[tuple[str, str]]) -> str:
    """What a concept's key stands for, as typed."""
    if isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, int) for k in key):
        start, size = key
        return " ".join(surface for _, surface in words[start:start + size])
    if isinstance(key, tuple) and key and key[0] == "typo":
        return key[1][1]
    return key[1] if isinstance(key, tuple) else str(key)


def _inside(terms: tuple[str, ...], stems: list[str]) -> bool:
    """True when ``terms`` occur in a row inside ``stems``."""
    n = len(terms)
    return any(tuple(stems[i:i + n]) == terms for i in range(len(stems) - n + 1))

