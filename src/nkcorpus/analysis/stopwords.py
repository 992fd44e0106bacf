"""Indonesian stop words (``data/stopwords.txt``): dropped from a query's
optional words unless nothing else is left."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    text = resources.files("nkcorpus").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))
