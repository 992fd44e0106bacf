"""The fields of a passage in the Whoosh index.

``text`` holds the passage's stems (its context after a mark, weighed down),
``raw`` its lowercase words as written (for close spellings and prefixes).
The plan's fields map onto them: ``stem`` -> ``text``, ``surface`` -> ``raw``.

Every passage also carries its document's metadata (``ingest.meta``), for
filters and display: ``title`` (stems, stored), ``date`` (an ISO string, so
ranges compare as text), ``source`` (lowercase), ``author`` (words),
``folder`` and ``url`` (stored only). A field the document lacks is absent.
"""

from __future__ import annotations

from nkcorpus.understand.plan import STEM, SURFACE

FIELDS = {STEM: "text", SURFACE: "raw"}
# The metadata fields a filter may name (plan.Filters), and their Whoosh fields.
META_FIELDS = {"title": "title", "date": "date", "source": "source", "author": "author", "folder": "folder"}
# What the schema is, for the analysis fingerprint (changes rebuild indexes).
SCHEMA_ID = ("whoosh-2.7:path=ID;unit,loc_start,loc_end=STORED;text=TEXT(stem,phrase,stored);raw=TEXT(surface)"
             ";title=TEXT(stem,stored);date,folder=ID(stored);source=ID(lower,stored)"
             ";author=TEXT(surface,stored);url=STORED")


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
        title=TEXT(analyzer=analyzer(stemmed=True), stored=True, phrase=False),
        date=ID(stored=True),
        source=ID(stored=True),  # lowercased by ingest.meta and the query
        author=TEXT(analyzer=analyzer(stemmed=False), stored=True, phrase=False),
        folder=ID(stored=True),
        url=STORED,
    )
