"""Incremental updates: only new and changed files are read; deleted and
renamed files leave; an update interrupted anywhere is finished next time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nkcorpus.ingest.scan import scan
from nkcorpus.store import freshness
from nkcorpus.store import layout
from nkcorpus.store import manifest as mf
from nkcorpus.store import read as rd
from nkcorpus.store import update as upd
from nkcorpus import Corpus as NkCorpus


def make(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def found(root: Path, base: Path, word: str, update: bool = False) -> list[tuple[str, int]]:
    hits = NkCorpus(str(root), index_dir=base).search(word, limit=100, update=update).hits
    return sorted((h.path.rsplit("/", 1)[1], h.line_start) for h in hits)


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "korpus"
    make(root, {f"berita-{i}.txt": f"Berita {i} tentang pertanian.\n" for i in range(10)})
    make(root, {"a.txt": "Judul\n\nKapal nelayan berlabuh.\n", "sub/b.md": "Sungai meluap.\n"})
    home = layout.corpus_home(tmp_path / "indexes", root)
    upd.update(root, home)
    return root, home, tmp_path / "indexes"


def refuse_reading(monkeypatch, allowed: set[str] = frozenset()) -> list[str]:
    """Make reading any file but ``allowed`` fail the test; return what was read."""
    read: list[str] = []
    real = upd.read_parts

    def guarded(root, rel):
        assert rel in allowed, f"{rel} was read"
        read.append(rel)
        return real(root, rel)

    monkeypatch.setattr(upd, "read_parts", guarded)
    return read


def test_no_change_reads_no_file(corpus, monkeypatch):
    root, home, _ = corpus
    refuse_reading(monkeypatch)
    report = upd.update(root, home)
    assert not report.full and not report.changes and report.files_read == 0


def test_only_new_and_changed_files_are_read(corpus, monkeypatch):
    root, home, base = corpus
    make(root, {"baru.txt": "Panen raya.\n", "berita-3.txt": "Berita tiga: panen gagal.\n"})
    read = refuse_reading(monkeypatch, {"baru.txt", "berita-3.txt"})
    report = upd.update(root, home)
    assert sorted(read) == ["baru.txt", "berita-3.txt"]
    assert (report.changes.added, report.changes.changed) == (("baru.txt",), ("berita-3.txt",))
    assert found(root, base, "panen") == [("baru.txt", 1), ("berita-3.txt", 1)]
    assert ("berita-3.txt", 1) not in found(root, base, "pertanian")


def test_deleted_and_renamed_files_leave_the_index(corpus, monkeypatch):
    root, home, base = corpus
    (root / "a.txt").rename(root / "sub" / "kapal.txt")
    (root / "sub" / "b.md").unlink()
    read = refuse_reading(monkeypatch, {"sub/kapal.txt"})
    report = upd.update(root, home)
    assert read == ["sub/kapal.txt"]
    assert report.changes.removed == ("a.txt", "sub/b.md")
    assert found(root, base, "nelayan") == [("kapal.txt", 3)]
    assert found(root, base, "sungai") == []
    assert report.documents == 11


def test_an_update_killed_after_its_commit_is_finished_next_time(corpus, monkeypatch):
    """The window between Whoosh's commit and the manifest: the journal covers it."""
    root, home, base = corpus
    make(root, {"sementara.txt": "Gempa kecil.\n", "berita-1.txt": "Berita satu: gempa besar.\n"})
    gen = layout.current_generation(home)

    def killed(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(upd, "save_manifest", killed)
    with pytest.raises(KeyboardInterrupt):
        upd.update(root, home)
    monkeypatch.undo()
    assert (gen / mf.JOURNAL).exists()
    assert found(root, base, "gempa") == [("berita-1.txt", 1), ("sementara.txt", 1)]  # committed

    (root / "sementara.txt").unlink()  # gone before the next run
    upd.update(root, home)
    assert found(root, base, "gempa") == [("berita-1.txt", 1)]  # once, and no ghost
    assert not (gen / mf.JOURNAL).exists()
    assert not upd.update(root, home).changes


def test_leftovers_of_killed_runs_are_removed(corpus):
    root, home, base = corpus
    gen = layout.current_generation(home)
    junk = [home / "gen-dead-1", home / ".CURRENT.99.tmp", gen / "MAIN.tmp",
            gen / "MAIN_deadbeef00000000.seg", gen / ".manifest.json.99.tmp"]
    junk[0].mkdir()
    (junk[0] / "MAIN_x.seg").write_bytes(b"x")
    junk[2].mkdir()
    (junk[2] / "run1").write_bytes(b"x")
    for path in junk[3:] + [junk[1]]:
        path.write_bytes(b"x")

    upd.update(root, home)

    assert [p for p in junk if p.exists()] == []
    assert found(root, base, "sungai") == [("b.md", 1)]


def test_a_skipped_file_is_tried_again_when_its_mode_changes(corpus):
    root, home, _ = corpus
    (root / "biner.txt").write_bytes(b"\x00\x01\x02" * 100)
    assert upd.update(root, home).warnings
    assert not upd.update(root, home).warnings
    os.chmod(root / "biner.txt", 0o640)
    assert upd.update(root, home).changes.changed == ("biner.txt",)


def test_a_big_text_file_is_indexed_in_parts_with_true_lines(corpus, monkeypatch):
    root, home, base = corpus
    lines = [f"Baris {n} biasa saja." for n in range(1, 3001)]
    lines[1499] = "Di sini ada paus biru."
    lines[2999] = "Di akhir ada lumba-lumba."
    make(root, {"panjang.txt": "\n\n".join(lines) + "\n"})  # paragraph k on line 2k - 1
    from nkcorpus.ingest import extract

    monkeypatch.setattr(extract, "TEXT_PART_BYTES", 4096)  # dozens of parts
    upd.update(root, home)
    assert found(root, base, "paus") == [("panjang.txt", 2999)]
    assert found(root, base, "lumba") == [("panjang.txt", 5999)]


def refuse_manifest(monkeypatch) -> None:
    def refused(gen):
        raise AssertionError("the manifest was read")

    for module in (freshness, rd):  # each reads it through its own name
        monkeypatch.setattr(module, "load_manifest", refused)


def test_a_fresh_index_is_known_by_its_scan_key_alone(corpus, monkeypatch):
    """The search of an unchanged corpus compares one digest of the scan
    with the one the update saved: it reads neither the manifest nor a file."""
    root, home, base = corpus
    refuse_manifest(monkeypatch)
    refuse_reading(monkeypatch)
    assert found(root, base, "nelayan", update=True) == [("a.txt", 3)]
    assert rd.read_fresh(root, home, lambda opened: "read")[0] == "read"


@pytest.mark.parametrize("edit", ["same size, new mtime", "added", "deleted", "renamed"])
def test_any_change_to_the_corpus_changes_the_scan_key(corpus, edit):
    root, home, _ = corpus
    gen = layout.current_generation(home)
    before = freshness.scan_key(gen, scan(root))
    assert before == (gen / freshness.SCAN_KEY).read_text()
    target = root / "a.txt"
    if edit == "same size, new mtime":
        target.write_text(target.read_text().replace("Kapal", "Sampa"), encoding="utf-8")
        os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 1))
    elif edit == "added":
        make(root, {"sub/c.txt": "Baru.\n"})
    elif edit == "deleted":
        target.unlink()
    else:
        target.rename(root / "sub" / "a.txt")
    assert freshness.scan_key(gen, scan(root)) != before


def test_a_key_gone_stale_without_a_change_is_saved_again(corpus, monkeypatch):
    """A chmod moves a file's ctime only: the search compares the manifest
    file by file, finds nothing to index, and saves the new key, so the next
    search needs no manifest again."""
    root, home, base = corpus
    gen = layout.current_generation(home)
    old = (gen / freshness.SCAN_KEY).read_text()
    os.chmod(root / "a.txt", 0o600)
    refuse_reading(monkeypatch)
    assert found(root, base, "nelayan", update=True) == [("a.txt", 3)]
    assert (gen / freshness.SCAN_KEY).read_text() not in ("", old)
    refuse_manifest(monkeypatch)
    assert found(root, base, "nelayan", update=True) == [("a.txt", 3)]
