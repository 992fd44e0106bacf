"""The fields of a passage in the Whoosh index.

``text`` holds the passage's stems (its context after a mark, weighed down),
``raw`` its lowercase words as written (for close spellings and prefixes).
The plan's fields map onto them: ``stem`` -> ``text``, ``surface`` -> ``raw``.
"""

from __future__ import annotations

from nkcorpus.understand.plan import STEM, SURFACE

FIELDS = {STEM: "text", SURFACE: "raw"}
# What the schema is, for the analysis fingerprint (changes rebuild indexes).
SCHEMA_ID = "whoosh-2.7:path=ID;unit,loc_start,loc_end=STORED;text=TEXT(stem,phrase,stored);raw=TEXT(surface)"


def schema():
    from whoosh.fields import ID, STORED, TEXT, Schema

    from nkcorpus.store.whoosh.tokenizer import analyzer

    return Schema(
        path=ID(stored=True),
        unit=STORED,
        loc_start=STORED,
        loc_end=STORED,
        text=TEXT(analyzer=analyzer(stemmed=True), stored=True, phrase=True),
        raw=TEXT(analyzer=analyzer(stemmed=False), phrase=False),
    )
