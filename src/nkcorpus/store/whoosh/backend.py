"""The Whoosh backend: write passages into a generation folder, read them back.

The store (``nkcorpus.store``) owns the generation folders, the manifest, the
lock and the checksums; this module only puts Whoosh's files inside a
generation and answers query plans from them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nkcorpus.analysis import with_context
from nkcorpus.store.backend import DamagedData
from nkcorpus.store.whoosh.schema import DOC_RECORD, FIELDS, META_FIELDS, SCHEMA_ID, schema
from nkcorpus.understand.plan import Filters, Node

if TYPE_CHECKING:
    from nkcorpus.ingest.meta import Meta
    from nkcorpus.ingest.read import Located

INDEX_NAME = "MAIN"  # Whoosh's default index name
# Whoosh's in-memory pool for updates; the process's peak memory grows with it.
WRITER_LIMITMB = 128
# The pool of a full build (pool.BuildWriter), shared by its worker processes:
# a worker whose share is full writes a segment and starts another.
BUILD_LIMITMB = 320
# Below this much text a full build is quicker than starting worker processes.
PARALLEL_MIN_BYTES = 4 * 2**20
# Stored fields every passage has; a record without them is damaged.
STORED = frozenset({"path", "unit", "loc_start", "loc_end", "text"})
# A document record holds its first words again before its text, the
# earliest the most: (end word, extra copies) -- words 1-15 count four
# times, 16-40 three times, 41-80 twice. A document's title, or a news
# article's lead, says most about what it is (BM25F's weighted title field,
# graded, in one field: the words count more in the term frequency and the
# length alike). Chosen on the known-item benchmark (docs/quality.md),
# confirmed on 2 x 1,000 fresh headlines per corpus: CLICK-ID document BM25
# MRR@10 0.745 -> 0.760 and 0.741 -> 0.760, IndoSum 0.936 -> 0.951 and
# 0.942 -> 0.954.
LEAD_STEPS = ((15, 3), (40, 2), (80, 1))


class Writer:
    """Adds and deletes the passages of files in one generation; ``commit``
    makes the change visible at once, ``cancel`` drops it."""

    def __init__(self, writer) -> None:
        self._writer = writer

    def add(self, rel: str, located: Located, meta: Meta | None = None) -> None:
        """Add a passage of file ``rel``, with its document's metadata."""
        p = located.passage
        self._writer.add_document(
            path=rel, unit=located.unit, loc_start=located.loc_start, loc_end=located.loc_end,
            text=with_context(p.text, p.context), _stored_text=p.text, raw=p.text,
            **(_meta_fields(meta) if meta is not None else {}),
        )

    def add_document(self, rel: str, text: str) -> None:
        """The document record of file ``rel``: its whole text (as far as
        ``DOC_CHARS``), its first words weighed more, to rank files by document."""
        self._writer.add_document(path=rel, record=DOC_RECORD[1], doc=with_lead(text))

    def delete(self, rels: Iterable[str]) -> None:
        with self._writer.searcher() as searcher:
            for rel in rels:
                self._writer.delete_by_term("path", rel, searcher=searcher)

    def commit(self, merge: bool = True) -> None:
        """Make the change visible; ``merge=False`` keeps every segment as
        it is (a build's checkpoints: nothing is merged until the end)."""
        if merge:
            self._writer.commit()
        else:
            from whoosh.writing import NO_MERGE

            self._writer.commit(mergetype=NO_MERGE)

    def cancel(self) -> None:
        self._writer.cancel()


def with_lead(text: str) -> str:
    """``text`` after the extra copies of its first words (``LEAD_STEPS``)."""
    from itertools import islice

    from nkcorpus.analysis import WORD

    ends = [m.end() for m in islice(WORD.finditer(text), LEAD_STEPS[-1][0])]
    parts, first = [], 0
    for last, copies in LEAD_STEPS:
        if first >= len(ends):
            break
        start = ends[first - 1] if first else 0
        parts += [text[start:ends[min(last, len(ends)) - 1]].strip()] * copies
        first = last
    return "\n".join([*parts, text]) if parts else text


def _meta_fields(meta: Meta) -> dict:
    """The metadata fields of a passage; an unknown one is left out."""
    fields = {"title": meta.title, "date": meta.date, "source": meta.source,
              "author": meta.author, "folder": meta.folder or None, "url": meta.url}
    return {name: value for name, value in fields.items() if value is not None}


class Vocabulary:
    """The index's words, for query understanding (``understand.spelling``)."""

    def __init__(self, reader) -> None:
        self._reader = reader

    def doc_frequency(self, field: str, term: str) -> int:
        return self._reader.doc_frequency(FIELDS[field], term)

    def words_starting(self, prefix: str):
        for term in self._reader.expand_prefix(FIELDS["surface"], prefix):
            yield term.decode("utf-8") if isinstance(term, bytes) else term


@dataclass(frozen=True, slots=True)
class Found:
    """A matching passage: its score and stored fields (path, unit,
    loc_start, loc_end, text)."""

    score: float
    fields: dict


class Reader:
    """An open generation: its vocabulary, and the best passages for a plan."""

    def __init__(self, ix) -> None:
        from whoosh.searching import Searcher

        from nkcorpus.store.whoosh.weighting import SplitBM25F

        reader = ix.reader()
        try:
            documents = reader.doc_frequency(*DOC_RECORD)
            passages = reader.doc_count_all() - documents
            counts = {"text": passages, "raw": passages, "doc": documents}
            self._searcher = Searcher(reader, weighting=SplitBM25F(counts), fromindex=ix)
        except BaseException:
            reader.close()
            raise
        self.documents = documents
        self.vocabulary = Vocabulary(reader)

    def close(self) -> None:
        self._searcher.close()

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def top(self, node: Node, limit: int, paths: tuple[str, ...] = (),
            exclude: tuple[str, ...] = (), filters: Filters | None = None) -> tuple[list[Found], int]:
        """The best ``limit`` passages for ``node`` in files matching
        ``paths`` (globs; all files when empty), not ``exclude`` (globs),
        and ``filters`` (metadata),
        and how many match.

        Whoosh's default skips blocks of postings that cannot reach the top
        and prunes parts of the query likewise (``usequality``, ``replace``),
        so the number of matches then costs a second pass over the whole
        query; one pass that scores every match is quicker (a quarter on
        CLICK-ID, half on the bundled essays) and ranks the same."""
        from whoosh.collectors import TopCollector

        from nkcorpus.store.whoosh.compile import compile_node

        collector = TopCollector(limit, usequality=False, replace=0)
        collector = self._filtered(collector, paths, exclude, filters)
        self._searcher.search_with_collector(compile_node(node, preload=True), collector)
        results = collector.results()
        return [Found(r.score, _fields(r) | {"_docnum": r.docnum}) for r in results], len(results)

    def explain(self, node: Node, docnum: int) -> list[tuple[Node, float, list]]:
        """For each part of ``node`` (a concept, a phrase, the proximity
        bonus): its score in passage ``docnum`` and the leaves that match
        there (parts that do not match are left out)."""
        from nkcorpus.store.whoosh.compile import compile_node
        from nkcorpus.understand.plan import Bool, leaves

        parts = (*node.must, *node.should) if isinstance(node, Bool) else (node,)
        out = []
        for part in parts:
            score = self._score(compile_node(part), docnum)
            if score is None:
                continue
            matched = [leaf for leaf in leaves(part) if self._score(compile_node(leaf), docnum) is not None]
            out.append((part, score, matched))
        return out

    def _score(self, query, docnum: int) -> float | None:
        """``query``'s score in passage ``docnum``, or None if it does not match."""
        matcher = query.matcher(self._searcher)
        if not matcher.is_active():
            return None
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
        if not matcher.is_active() or matcher.id() != docnum:
            return None
        return matcher.score()

    def _filtered(self, collector, paths, exclude, filters):
        allow = [path_filter(paths)] if paths else []
        drop = [path_filter(exclude)] if exclude else []
        if filters:
            allow += meta_allow(filters)
            dropped = meta_restrict(filters)
            if dropped is not None:
                drop.append(dropped)
        if not allow and not drop:
            return collector
        from whoosh import query as q
        from whoosh.collectors import FilterCollector

        keep = None if not allow else allow[0] if len(allow) == 1 else q.And(allow)
        restrict = None if not drop else drop[0] if len(drop) == 1 else q.Or(drop)
        return FilterCollector(collector, keep, restrict)

    def every(self, node: Node, paths: tuple[str, ...] = (), exclude: tuple[str, ...] = (),
              filters: Filters | None = None) -> list[int]:
        """The ids of every passage matching ``node`` (unscored, unordered),
        in the files and documents chosen as for ``top``; read their fields
        with ``fields``."""
        from whoosh.collectors import UnsortedCollector

        from nkcorpus.store.whoosh.compile import compile_node

        collector = self._filtered(UnsortedCollector(), paths, exclude, filters)
        self._searcher.search_with_collector(compile_node(node), collector)
        return sorted(collector.results().docs())

    def kept_files(self, paths: tuple[str, ...] = (), exclude: tuple[str, ...] = (),
                   filters: Filters | None = None) -> set[str]:
        """The files whose passages ``top`` may return with these paths,
        exclusions and metadata filters (they all keep or drop whole files):
        meaning search ranks passages of these only."""
        from whoosh import query as q
        from whoosh.collectors import UnsortedCollector

        collector = self._filtered(UnsortedCollector(), paths, exclude, filters)
        self._searcher.search_with_collector(q.Every(), collector)
        kept = set(collector.results().docs())
        reader = self._searcher.reader()
        out = set()
        for term in reader.lexicon("path"):
            if any(d in kept for d in reader.postings("path", term).all_ids()):
                out.add(term.decode("utf-8") if isinstance(term, bytes) else term)
        return out

    def fields(self, ids) -> list[dict]:
        """The stored fields of passages ``ids`` (as ``every`` gives them)."""
        stored = self._searcher.reader().stored_fields
        return [stored(i) for i in ids]

    def count(self, node: Node) -> int:
        """How many passages match ``node`` (a name's corpus frequency)."""
        from whoosh.collectors import UnsortedCollector

        from nkcorpus.store.whoosh.compile import compile_node

        collector = UnsortedCollector()
        self._searcher.search_with_collector(compile_node(node), collector)
        return len(collector.results().docs())

    def top_documents(self, node: Node, limit: int, paths: tuple[str, ...] = (),
                      exclude: tuple[str, ...] = ()) -> dict[str, float]:
        """The files whose whole text best matches ``node``: path -> score,
        the best ``limit``, best first, in files matching ``paths`` and not
        ``exclude`` (globs); empty for an index without document records."""
        from whoosh.collectors import TopCollector

        from nkcorpus.store.whoosh.compile import evidence

        query = evidence(node) if self.documents else None
        if query is None:
            return {}
        collector = self._filtered(TopCollector(limit, usequality=False, replace=0), paths, exclude, None)
        self._searcher.search_with_collector(query, collector)
        return {r["path"]: r.score for r in collector.results()}

    def top_within(self, node: Node, rels) -> list[Found]:
        """Every passage of the files ``rels`` that matches ``node``, best
        first (scored as ``top`` scores them)."""
        from whoosh.collectors import TopCollector

        from nkcorpus.store.whoosh.among import Among
        from nkcorpus.store.whoosh.compile import compile_node

        docs_for = self._searcher.docs_for_query
        ids = sorted({i for rel in rels for i in docs_for(_path_term(rel))})
        if not ids:
            return []
        collector = TopCollector(len(ids), usequality=False, replace=0)
        self._searcher.search_with_collector(Among(compile_node(node), ids), collector)
        return [Found(r.score, _fields(r) | {"_docnum": r.docnum}) for r in collector.results()]

    def passages(self) -> int:
        """How many passages the index holds (its document records left out)."""
        return self._searcher.doc_count() - self.documents

    def doc_frequency(self, term: str) -> int:
        """In how many passages root ``term`` occurs."""
        return self._searcher.reader().doc_frequency(FIELDS["stem"], term)

    def has_dates(self) -> bool:
        """Whether any passage has a date."""
        return any(True for _ in self._searcher.reader().lexicon("date"))

    def stored(self, rel: str) -> list[dict]:
        """The stored fields of every passage of the file ``rel`` (for
        passages found by meaning, which the engine did not rank)."""
        return self.in_file(rel)

    def in_file(self, rel: str) -> list[dict]:
        """The stored fields of every passage of file ``rel``, in order."""
        reader = self._searcher.reader()
        ids = list(self._searcher.docs_for_query(_path_term(rel)))
        found = [f for f in map(reader.stored_fields, ids) if "loc_start" in f]  # not its document record
        return sorted(found, key=lambda f: f["loc_start"])


def _path_term(rel: str):
    from whoosh import query as q

    return q.Term("path", rel)


def _fields(result) -> dict:
    """A hit's stored fields; DamagedRecord when the index lost them."""
    fields = result.fields()
    if not isinstance(fields, dict) or not STORED <= fields.keys():  # a damaged record reads as {}
        raise DamagedData("a passage has lost its stored fields")
    return fields


def path_filter(globs: tuple[str, ...]):
    """Whoosh filter keeping files whose path inside the corpus, or whose
    name, matches one of ``globs`` (``*`` also crosses folders)."""
    from whoosh import query as q

    parts = []
    for glob in globs:
        glob = glob.strip().lstrip("./") or "*"
        parts.append(q.Wildcard("path", glob))
        if "/" not in glob:
            parts.append(q.Wildcard("path", "*/" + glob))
    return q.Or(parts)


# Sorts after every character an ISO date holds: ``until`` 2019-09 takes
# all of September (2019-09-30 < 2019-09~).
_AFTER = "~"


def _field_query(name: str, value: str):
    """The documents whose metadata field ``name`` matches ``value``."""
    from whoosh import query as q

    field = META_FIELDS[name]
    if name == "date":
        return q.Prefix(field, value)
    if name in ("title", "author"):
        words = value.split()
        return q.And([q.Term(field, w) for w in words]) if len(words) > 1 else q.Term(field, words[0])
    return q.Term(field, value)


def meta_allow(filters: Filters) -> list:
    """Queries every kept passage matches: the date range, and for each
    field named in ``filters.keep`` one of its values."""
    from whoosh import query as q

    parts = []
    if filters.since or filters.until:
        end = filters.until + _AFTER if filters.until else None
        parts.append(q.TermRange("date", filters.since, end))
    by_field: dict[str, list] = {}
    for name, value in filters.keep:
        by_field.setdefault(name, []).append(_field_query(name, value))
    parts += [alts[0] if len(alts) == 1 else q.Or(alts) for alts in by_field.values()]
    return parts


def meta_restrict(filters: Filters):
    """The query of passages ``filters.drop`` leaves out (None: none)."""
    from whoosh import query as q

    parts = [_field_query(name, value) for name, value in filters.drop]
    return None if not parts else parts[0] if len(parts) == 1 else q.Or(parts)


class WhooshBackend:
    """The store's engine: Whoosh files inside a generation folder."""

    name = "whoosh"
    schema_id = SCHEMA_ID

    def create(self, gen: Path) -> None:
        """An empty index in the new folder ``gen``."""
        from whoosh.index import create_in

        create_in(str(gen), schema())

    def builder(self, gen: Path, nbytes: int) -> Writer:
        """A writer for a full build of ``nbytes`` of files into ``gen``
        (empty, or holding a checkpoint of an interrupted build): one worker
        process per core for a large corpus (``parallel``), else the build
        writer of ``pool`` in this process.

        Segments stay separate files (``compound=False``): Whoosh opens a
        file inside a compound segment by copying it into memory, which
        costs every search of a 40 MB corpus some 100 ms; separate files are
        read lazily."""
        ix = open_generation(gen)
        if nbytes >= PARALLEL_MIN_BYTES:
            from nkcorpus.store.whoosh.parallel import parallel_writer, usable_procs

            procs = usable_procs()
            if procs > 1:
                return Writer(parallel_writer(ix, procs, BUILD_LIMITMB // procs, compound=False))
        from nkcorpus.store.whoosh.pool import BuildWriter

        return Writer(BuildWriter(ix, limitmb=BUILD_LIMITMB, compound=False))

    def paths(self, gen: Path) -> set[str]:
        """The files ``gen`` holds passages of."""
        with open_generation(gen).reader() as reader:
            return {t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.field_terms("path")}

    def updater(self, gen: Path) -> Writer:
        """A writer that changes the generation ``gen`` in place."""
        return Writer(open_generation(gen).writer(limitmb=WRITER_LIMITMB, compound=False))

    def version(self, gen: Path) -> int:
        """The number of ``gen``'s latest commit."""
        return open_generation(gen).latest_generation()

    def check(self, gen: Path) -> None:
        """Open ``gen``; raises whatever Whoosh raises on a damaged index."""
        open_generation(gen)

    def open(self, gen: Path) -> Reader:
        return Reader(open_generation(gen))

    def tidy(self, gen: Path) -> None:
        """Remove Whoosh's pool folder, temporary files, and the segments no
        commit refers to (of a killed or cancelled writer) from ``gen``."""
        from whoosh.filedb.filestore import FileStorage
        from whoosh.index import TOC, clean_files

        for entry in gen.iterdir():
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)  # Whoosh's MAIN.tmp pool
            elif entry.name.startswith(".") and entry.name.endswith(".tmp"):
                entry.unlink(missing_ok=True)
        storage = FileStorage(str(gen))
        try:
            toc = TOC.read(storage, INDEX_NAME, schema=schema())
        except Exception:  # noqa: BLE001 - unreadable: a damaged index, rebuilt where found
            return
        clean_files(storage, INDEX_NAME, toc.generation, toc.segments)


def open_generation(gen: Path):
    """The Whoosh index in ``gen``, read with this code's schema (the
    pickled copy in the index is skipped: a damaged one cannot mislead)."""
    from whoosh.index import open_dir

    return open_dir(str(gen), schema=schema())
