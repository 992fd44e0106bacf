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
from nkcorpus.store.whoosh.schema import FIELDS, SCHEMA_ID, schema
from nkcorpus.understand.plan import Node

if TYPE_CHECKING:
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


class Writer:
    """Adds and deletes the passages of files in one generation; ``commit``
    makes the change visible at once, ``cancel`` drops it."""

    def __init__(self, writer) -> None:
        self._writer = writer

    def add(self, rel: str, located: Located) -> None:
        p = located.passage
        self._writer.add_document(
            path=rel, unit=located.unit, loc_start=located.loc_start, loc_end=located.loc_end,
            text=with_context(p.text, p.context), _stored_text=p.text, raw=p.text,
        )

    def delete(self, rels: Iterable[str]) -> None:
        with self._writer.searcher() as searcher:
            for rel in rels:
                self._writer.delete_by_term("path", rel, searcher=searcher)

    def commit(self) -> None:
        self._writer.commit()

    def cancel(self) -> None:
        self._writer.cancel()


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
        from whoosh.scoring import BM25F

        self._searcher = ix.searcher(weighting=BM25F())
        self.vocabulary = Vocabulary(self._searcher.reader())

    def close(self) -> None:
        self._searcher.close()

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def top(self, node: Node, limit: int, paths: tuple[str, ...] = ()) -> tuple[list[Found], int]:
        """The best ``limit`` passages for ``node`` in files matching
        ``paths`` (globs; all files when empty), and how many match.

        Whoosh's default skips blocks of postings that cannot reach the top
        and prunes parts of the query likewise (``usequality``, ``replace``),
        so the number of matches then costs a second pass over the whole
        query; one pass that scores every match is quicker (a quarter on
        CLICK-ID, half on the bundled essays) and ranks the same."""
        from whoosh.collectors import FilterCollector, TopCollector

        from nkcorpus.store.whoosh.compile import compile_node

        collector = TopCollector(limit, usequality=False, replace=0)
        if paths:
            collector = FilterCollector(collector, path_filter(paths))
        self._searcher.search_with_collector(compile_node(node), collector)
        results = collector.results()
        return [Found(r.score, _fields(r)) for r in results], len(results)


    def stored(self, rel: str) -> list[dict]:
        """The stored fields of every passage of the file ``rel`` (for
        passages found by meaning, which the engine did not rank)."""
        return [dict(f) for f in self._searcher.documents(path=rel)]


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


class WhooshBackend:
    """The store's engine: Whoosh files inside a generation folder."""

    name = "whoosh"
    schema_id = SCHEMA_ID

    def create(self, gen: Path, nbytes: int) -> Writer:
        """A writer for a full build into the empty folder ``gen``: one
        worker process per core for a large corpus (``parallel``), else the
        build writer of ``pool`` in this process.

        Segments stay separate files (``compound=False``): Whoosh opens a
        file inside a compound segment by copying it into memory, which
        costs every search of a 40 MB corpus some 100 ms; separate files are
        read lazily."""
        from whoosh.index import create_in

        ix = create_in(str(gen), schema())
        if nbytes >= PARALLEL_MIN_BYTES:
            from nkcorpus.store.whoosh.parallel import parallel_writer, usable_procs

            procs = usable_procs()
            if procs > 1:
                return Writer(parallel_writer(ix, procs, BUILD_LIMITMB // procs, compound=False))
        from nkcorpus.store.whoosh.pool import BuildWriter

        return Writer(BuildWriter(ix, limitmb=BUILD_LIMITMB, compound=False))

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
