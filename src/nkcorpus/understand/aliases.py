"""Aliases, acronyms and the English->Indonesian glossary, matched on roots.

File syntax (``data/aliases.txt``, ``data/glossary.txt``, and a user file)::

    # comment
    Korut = Korea Utara = North Korea     each name also finds the others
    missile => rudal = peluru kendali     the left side also finds the right
    dampak ~ akibat ~ pengaruh            related words: found, but weighed lower

Names are analyzed like passage text, so ``Korea Utara``, ``korea-utara`` and
inflected forms all match. ``Aliases.expand`` finds the longest name starting
at a position of a query's analyzed words.

An acronym (a name written in capitals in the table: ``UN``, ``AS``, ``DK
PBB``) finds its other names only where the query has it typed in capitals
or as a word of its own: ``UN`` and ``un`` do, the ``un`` of ``Kim Jong-un``
does not (nor the ``as`` of a hyphenated ``as-is``).
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from nkcorpus.analysis import iter_terms
from nkcorpus.errors import QueryError
from nkcorpus.settings import ALIASES_ENV

BUNDLED = ("data/aliases.txt", "data/glossary.txt")

Terms = tuple[str, ...]


@dataclass(slots=True)
class Aliases:
    """Name (as analyzed terms) -> the other names it also finds."""

    table: dict[Terms, dict[Terms, str]] = field(default_factory=lambda: defaultdict(dict))
    longest: int = 1
    # Targets of one "a => b = c" line are related to each other (b ~ c):
    # two translations of one English word are near-synonyms.
    related: dict[Terms, dict[Terms, str]] = field(default_factory=lambda: defaultdict(dict))
    # Names written only in capitals (acronyms), and names also written otherwise.
    acronyms: set[Terms] = field(default_factory=set)
    spelt: set[Terms] = field(default_factory=set)

    def is_acronym(self, terms: Terms) -> bool:
        return terms in self.acronyms and terms not in self.spelt

    def add_line(self, line: str, where: str = "") -> None:
        line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
        if not line:
            return
        if "~" in line and "=" not in line:  # near-synonyms: related, weighed lower
            self._relate(_names(line.replace("~", "="), where))
            return
        one_way = "=>" in line
        left, _, right = line.partition("=>") if one_way else (line, "", "")
        sources = _names(left, where)
        targets = _names(right, where) if one_way else sources
        for terms, text in sources:
            (self.acronyms if _capitals(text) else self.spelt).add(terms)
        for src_terms, _ in sources:
            for dst_terms, dst_text in targets:
                if dst_terms != src_terms:
                    self.table[src_terms][dst_terms] = dst_text
            self.longest = max(self.longest, len(src_terms))
        if one_way:
            self._relate(targets)

    def _relate(self, names: list[tuple[Terms, str]]) -> None:
        for a, _ in names:
            for b, b_text in names:
                if a != b:
                    self.related[a][b] = b_text
            self.longest = max(self.longest, len(a))

    def expand_related(self, terms: Terms, start: int) -> tuple[int, dict[Terms, str]]:
        """Like ``expand``, for the related names (not already aliases)."""
        for size in range(min(self.longest, len(terms) - start), 0, -1):
            key = tuple(terms[start:start + size])
            alts = {t: text for t, text in self.related.get(key, {}).items()
                    if t not in self.table.get(key, {})}
            if alts:
                return size, alts
        return 0, {}

    def expand(self, terms: Terms, start: int, barred: frozenset[int] = frozenset()) -> tuple[int, dict[Terms, str]]:
        """(length, alternatives) of the longest name at ``terms[start:]``;
        an acronym not where a position of ``barred`` is (a word typed in
        lower case as part of a longer word: the ``un`` of ``Jong-un``)."""
        for size in range(min(self.longest, len(terms) - start), 0, -1):
            key = tuple(terms[start:start + size])
            alts = self.table.get(key)
            if alts and barred and self.is_acronym(key) and not barred.isdisjoint(range(start, start + size)):
                continue
            if alts:
                return size, alts
        return 0, {}


def _capitals(text: str) -> bool:
    """A name written as an acronym: its letters all capitals (``UN``, ``DK PBB``)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _names(side: str, where: str) -> list[tuple[Terms, str]]:
    out = []
    for name in side.split("="):
        name = name.strip()
        terms = tuple(t for t, _, _, _ in iter_terms(name))
        if name and not terms:
            raise QueryError(f"alias {name!r} has no words{where}")
        if terms:
            out.append((terms, name))
    return out


def parse_text(text: str, aliases: Aliases | None = None, where: str = "") -> Aliases:
    aliases = aliases if aliases is not None else Aliases()
    for n, line in enumerate(text.splitlines(), 1):
        aliases.add_line(line, f" ({where}:{n})" if where else "")
    return aliases


@lru_cache(maxsize=8)
def load(user_file: str | None = None) -> Aliases:
    """The bundled tables, then ``user_file`` or ``$NKCORPUS_ALIASES``."""
    aliases = Aliases()
    for name in BUNDLED:
        parse_text(resources.files("nkcorpus").joinpath(name).read_text(encoding="utf-8"), aliases)
    path = user_file or os.environ.get(ALIASES_ENV)
    if path:
        try:
            text = Path(path).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"cannot read the aliases file {path}: {exc.__class__.__name__}",
                             hint="give a UTF-8 text file, one 'a = b' line per alias") from None
        parse_text(text, aliases, path)
    return aliases
