"""Index life cycle: automatic build, staleness by stat, updates, rebuilds."""

import os
import shutil

from nkcorpus.store import layout
from nkcorpus.store import manifest as mf
from nkcorpus.store import update as upd
from nkcorpus.store.whoosh import backend as wb
from nkcorpus import Corpus as NkCorpus

from conftest import SEEDS


def make_corpus(tmp_path):
    root = tmp_path / "korpus"
    shutil.copytree(SEEDS, root)
    return root


def hits(root, base, query):
    result = NkCorpus(str(root), index_dir=base).search(query, limit=50)
    return {(h.path.rsplit("/", 1)[1], h.line_start) for h in result.hits}


def test_index_lives_outside_the_corpus_under_the_base(tmp_path, index_base):
    root = make_corpus(tmp_path)
    before = sorted(p.name for p in root.iterdir())
    report = upd.update(root.resolve(), layout.corpus_home(index_base, root.resolve()))
    assert report.full and report.documents == 5 and report.passages == 54
    assert sorted(p.name for p in root.iterdir()) == before
    assert len(list(index_base.iterdir())) == 1


def test_second_update_reads_nothing(tmp_path, index_base):
    root = make_corpus(tmp_path).resolve()
    home = layout.corpus_home(index_base, root)
    upd.update(root, home)
    report = upd.update(root, home)
    assert not report.full and not report.changes


def test_search_sees_added_changed_and_deleted_files(tmp_path, index_base):
    root = make_corpus(tmp_path)
    assert hits(root, index_base, "Sinpo") == set()
    (root / "baru.md").write_text("Judul\n\nSinpo menolak tawaran itu.\n", encoding="utf-8")
    assert hits(root, index_base, "Sinpo") == {("baru.md", 3)}

    target = next(root.glob("004_*.txt"))
    text = target.read_text(encoding="utf-8") + "\nKorut dan Sinpo lagi.\n"
    target.write_text(text, encoding="utf-8")
    os.utime(target, ns=(1, 1))  # a different mtime even on coarse clocks
    assert (target.name, 12) in hits(root, index_base, "Sinpo")

    (root / "baru.md").unlink()
    assert hits(root, index_base, "Sinpo") == {(target.name, 12)}


def test_analyzer_version_change_triggers_rebuild(tmp_path, index_base, monkeypatch):
    root = make_corpus(tmp_path).resolve()
    home = layout.corpus_home(index_base, root)
    upd.update(root, home)
    monkeypatch.setattr(upd, "ANALYZER_VERSION", "test-new")
    monkeypatch.setattr(mf.Manifest, "compatible", lambda self: self.analyzer == "test-new")
    assert upd.update(root, home).full


def test_interrupted_build_keeps_the_last_good_index(tmp_path, index_base, monkeypatch):
    root = make_corpus(tmp_path)
    assert hits(root, index_base, "Juche")
    home = layout.corpus_home(index_base, root.resolve())
    live = layout.current_generation(home)

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(wb.Writer, "add", boom)
    try:
        upd.update(root.resolve(), home, rebuild=True)
    except KeyboardInterrupt:
        pass
    assert layout.current_generation(home) == live
    assert [p.name for p in home.iterdir() if p.name.startswith("gen-")] == [live.name]
    monkeypatch.undo()
    monkeypatch.setenv("NKCORPUS_INDEX_DIR", str(index_base))
    assert hits(root, index_base, "Juche")
