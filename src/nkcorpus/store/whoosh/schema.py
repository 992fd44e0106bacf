"""The fields of a passage in the Whoosh index.

Two kinds of record share the index. A *passage* has ``path``, ``unit``,
``loc_start``, ``loc_end`` (stored), ``text`` (its stems, its context after
a mark, weighed down, stored) and ``raw`` (its lowercase words as written,
for close spellings and prefixes). A *document* record, one per file, has
``path``, ``record`` = ``doc`` and ``doc``: the stems of the whole file (up
to ``DOC_CHARS``), its first words weighed more (``backend.with_lead``),
which rank files by document (``search --files``). No
field is shared between the two kinds, and the weighting counts each
field's statistics over the records that have it (``weighting``), so
passage scores are what they would be in an index of passages alone.

The plan's fields map onto them: ``stem`` -> ``text``, ``surface`` -> ``raw``
for passages; ``stem`` -> ``doc`` for documents (no surface field there).

Every passage also carries its document's metadata (``ingest.meta``), for
filters and display: ``title`` (stems, stored), ``date`` (an ISO string, so
ranges compare as text), ``source`` (lowercase), ``author`` (words),
``folder`` and ``url`` (stored only). A field the document lacks is absent.
"""

from __future__ import annotations

from nkcorpus.understand.plan import STEM, SURFACE

FIELDS = {STEM: "text", SURFACE: "raw"}
DOC_FIELDS = {STEM: "doc", SURFACE: None}
DOC_RECORD = ("record", "doc")
# The metadata fields a filter may name (plan.Filters), and their Whoosh fields.
META_FIELDS = {"title": "title", "date": "date", "source": "source", "author": "author", "folder": "folder"}
# What the schema is, for the analysis fingerprint (changes rebuild indexes).
SCHEMA_ID = ("whoosh-2.7:path=ID;unit,loc_start,loc_end=STORED;text=TEXT(stem,phrase,stored);raw=TEXT(surface)"
             ";title=TEXT(stem,stored);date,folder=ID(stored);source=ID(lower,stored)"
             ";author=TEXT(surface,stored);url=STORED;record=ID;doc=TEXT(stem,phrase)+lead15x4,40x3,80x2")


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
        record=ID,
        doc=TEXT(analyzer=analyzer(stemmed=True), phrase=True),
    )
