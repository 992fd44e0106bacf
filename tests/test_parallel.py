"""Full builds in worker processes: same hits as one process, failures are loud."""

import shutil

import pytest

from nkcorpus.store import layout
from nkcorpus.store import update as upd
from nkcorpus.store.whoosh import backend as wb
from nkcorpus.store.whoosh import parallel
from nkcorpus.errors import IndexError_
from nkcorpus import Corpus as NkCorpus

from conftest import SEEDS

# One term or one phrase each: Whoosh's coordination bonus for several words
# (Or(scale=...)) depends on document numbers, which the workers reorder.
QUERIES = ('"perundingan enam pihak"', '"uji coba nuklir"', "sanksi", '"Kim Jong-un"', "Juche")


def results(root, base, query):
    """Every hit: (path, line, matches) -> score."""
    hits = NkCorpus(str(root), index_dir=base).search(query, limit=1000).hits
    return {(h.path, h.line_start, h.matches): h.score for h in hits}


def segments(home):
    return wb.open_generation(layout.current_generation(home))._segments()


@pytest.fixture
def corpus(tmp_path):
    """The essays four times over: 216 passages, three batches for the workers."""
    root = tmp_path / "korpus"
    for n in range(4):
        shutil.copytree(SEEDS, root / f"salinan-{n}")
    return root.resolve()


def build(root, base, monkeypatch, procs: str):
    monkeypatch.setattr(wb, "PARALLEL_MIN_BYTES", 0)  # the seeds are small
    monkeypatch.setenv("NKCORPUS_PROCS", procs)
    return upd.update(root, layout.corpus_home(base, root), rebuild=True)


def test_parallel_build_finds_exactly_what_one_process_finds(corpus, tmp_path, monkeypatch):
    one, two = tmp_path / "one", tmp_path / "two"
    assert build(corpus, one, monkeypatch, "1").passages == build(corpus, two, monkeypatch, "2").passages
    assert len(segments(layout.corpus_home(one, corpus))) == 1
    assert 1 <= len(segments(layout.corpus_home(two, corpus))) <= 2  # one per busy worker
    for query in QUERIES:
        serial = results(corpus, one, query)
        assert serial and results(corpus, two, query) == serial, query


def test_updates_after_a_parallel_build(corpus, tmp_path, monkeypatch):
    base = tmp_path / "ix"
    build(corpus, base, monkeypatch, "2")
    (corpus / "baru.txt").write_text("Sinpo menolak tawaran itu.\n", encoding="utf-8")
    next(corpus.glob("*/000_*.txt")).unlink()
    report = upd.update(corpus, layout.corpus_home(base, corpus))
    assert not report.full and report.documents == 20
    assert [path.rsplit("/", 1)[1] for path, _, _ in results(corpus, base, "Sinpo")] == ["baru.txt"]


def test_a_dead_worker_fails_the_build_and_keeps_the_old_index(corpus, tmp_path, monkeypatch):
    base = tmp_path / "ix"
    home = layout.corpus_home(base, corpus)
    build(corpus, base, monkeypatch, "1")
    live = layout.current_generation(home)
    before = results(corpus, base, "sanksi")

    def poisoned(self, rel, located, meta=None):  # the worker's analyzer chokes on an int
        self._writer.add_document(path=rel, unit="line", loc_start=1, loc_end=1, text=12345, raw="x")

    monkeypatch.setattr(wb.Writer, "add", poisoned)
    with pytest.raises(IndexError_, match="worker process failed"):
        build(corpus, base, monkeypatch, "2")
    assert layout.current_generation(home) == live
    assert sorted(p.name for p in home.iterdir() if p.name.startswith("gen-")) == [live.name]
    monkeypatch.undo()
    assert results(corpus, base, "sanksi") == before


def test_procs_setting():
    assert parallel.usable_procs({"NKCORPUS_PROCS": "1"}) == 1
    assert parallel.usable_procs({"NKCORPUS_PROCS": "3"}) == 3
    assert 1 <= parallel.usable_procs({}) <= 4
