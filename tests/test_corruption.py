"""A damaged, foreign or outdated index: the search says so in one line and
rebuilds from the corpus, or names the command that will. Real index files
are damaged on disk and the CLI runs in a real process."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from nkcorpus.analysis import terms as analysis
from nkcorpus.store import layout
from nkcorpus.store import manifest as mf
from nkcorpus.ingest import passages
from nkcorpus.store import integrity
from nkcorpus.store.whoosh import backend as wb
from nkcorpus.errors import IndexError_
from nkcorpus import Corpus as NkCorpus

from faults import (
    WORD, assert_one_error_line, build, hits, live, make_corpus, nk, python_with, search_json,
    warnings_of,
)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A corpus and its freshly built index, copied by each test."""
    top = tmp_path_factory.mktemp("pristine")
    root = make_corpus(top)
    build(root, top / "indexes")
    return root, top / "indexes"


@pytest.fixture(scope="module")
def expected(pristine):
    """What the CLI finds with the intact index."""
    proc = search_json(*pristine)
    assert proc.returncode == 0 and proc.stderr == ""
    return hits(proc)


@pytest.fixture
def damaged(pristine, tmp_path):
    root, base = pristine
    shutil.copytree(base, tmp_path / "indexes")
    base = tmp_path / "indexes"
    home = layout.corpus_home(base, root)
    return root, base, home, live(home)


def search_here(root: Path, base: Path, query: str = WORD):
    """The same search in this process, through the library."""
    return NkCorpus(str(root), index_dir=base).search(query)


def same_hits(result, json_hits: list[dict]) -> bool:
    return [(h.path, h.line_start, h.text) for h in result.hits] == [
        (h["path"], h["line_start"], h["text"]) for h in json_hits]


def one(gen: Path, suffix: str) -> Path:
    return next(p for p in gen.iterdir() if p.name.endswith(suffix))


def flip(path: Path, at: float) -> None:
    data = bytearray(path.read_bytes())
    data[int(len(data) * at)] ^= 0x10
    path.write_bytes(bytes(data))


def truncate(path: Path, share: float) -> None:
    os.truncate(path, int(path.stat().st_size * share))


FAULTS = {
    "toc truncated": lambda g: truncate(one(g, ".toc"), 0.02),
    "toc deleted": lambda g: one(g, ".toc").unlink(),
    "toc bit flipped": lambda g: flip(one(g, ".toc"), 0.95),
    "segment truncated": lambda g: truncate(one(g, ".pst"), 0.5),
    "segment deleted": lambda g: one(g, ".pst").unlink(),
    "segment bit flipped": lambda g: flip(one(g, ".pst"), 0.5),
    "segment zeroed": lambda g: one(g, ".pst").write_bytes(bytes(one(g, ".pst").stat().st_size)),
    "manifest deleted": lambda g: (g / "manifest.json").unlink(),
    "manifest not JSON": lambda g: (g / "manifest.json").write_text("{[", encoding="utf-8"),
    "manifest wrong shape": lambda g: (g / "manifest.json").write_text('{"root": 1, "files": []}'),
    "checksums garbage": lambda g: (g / "checksums.json").write_text("[]", encoding="utf-8"),
    "generation deleted": lambda g: shutil.rmtree(g),
    "CURRENT garbage": lambda g: (g.parent / "CURRENT").write_bytes(b"\x00\xff garbage"),
    "CURRENT deleted": lambda g: (g.parent / "CURRENT").unlink(),
    "CURRENT names another folder": lambda g: (g.parent / "CURRENT").write_text("../../etc"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_search_rebuilds_a_damaged_index_and_says_so(damaged, expected, fault):
    root, base, home, gen = damaged
    FAULTS[fault](gen)
    proc = search_json(root, base)
    assert proc.returncode == 0, proc.stderr
    assert hits(proc) == expected
    if fault != "CURRENT deleted":  # an index never built looks the same: built silently
        [warning] = warnings_of(proc)
        assert "rebuilt it" in warning and str(root) in warning
    assert live(home) != gen and not gen.exists()
    assert integrity.check(live(home), full=True) is None
    again = search_here(root, base)
    assert not again.warnings and same_hits(again, expected)


def _hide_checksums(gen: Path) -> None:
    """Rewrite the checksum record unchanged: its ctime now follows the
    damage, as after bit rot on the disk (which leaves ctime alone)."""
    record = gen / "checksums.json"
    record.write_bytes(record.read_bytes())


@pytest.mark.parametrize("fault", ["segment truncated", "segment zeroed", "toc truncated"])
def test_damage_found_only_while_searching_is_rebuilt(damaged, expected, fault):
    """Without a usable checksum record, Whoosh fails while it reads (it reads
    lazily): the search rebuilds and answers all the same."""
    root, base, home, gen = damaged
    (gen / "checksums.json").unlink()
    FAULTS[fault](gen)
    proc = search_json(root, base)
    assert proc.returncode == 0, proc.stderr
    assert hits(proc) == expected
    [warning] = warnings_of(proc)
    assert "was damaged" in warning and live(home) != gen


def _first_bad_hit(gen: Path, seg: Path, data: bytes) -> str | None:
    """With ``data`` in place of ``seg``: does Whoosh open ``gen`` and run the
    search below, then fail on a hit? "raises" or "empty" (stored fields
    read as {}) by the first hit that fails, None if none does."""
    from whoosh.scoring import BM25F

    from nkcorpus.store.whoosh.compile import compile_node
    from nkcorpus.understand import aliases, understand

    seg.write_bytes(data)
    try:
        searcher = wb.open_generation(gen).searcher(weighting=BM25F())
        plan = understand("nuklir", wb.Vocabulary(searcher.reader()), aliases.load())
        results = searcher.search(compile_node(plan.root), limit=100)
    except Exception:  # noqa: BLE001 - any failure: not the damage wanted
        return None
    try:
        for result in results:
            if not result.fields():
                return "empty"
    except Exception:  # noqa: BLE001 - any failure here is the damage wanted
        return "raises"
    finally:
        searcher.close()
    return None


def _damage_hits(gen: Path, wanted: str, spots, width: int = 64) -> None:
    """Zero ``width`` bytes of the segment at the first of ``spots`` where
    the search fails as ``wanted``, and only once it reads its hits."""
    seg = one(gen, "._stored.col")
    intact = seg.read_bytes()
    for at in spots:
        if _first_bad_hit(gen, seg, intact[:at] + bytes(width) + intact[at + width:]) == wanted:
            return
    pytest.fail(f"found no damage that fails only while reading hits ({wanted})")


def _stored_column_end(gen: Path) -> int:
    """Where the column of stored passages ends (its table of record offsets
    and lengths comes last in its file)."""
    return one(gen, "._stored.col").stat().st_size


def test_damage_found_while_reading_hits_is_rebuilt(damaged):
    """Stored passages are read only for the hits shown: damage there makes
    Whoosh fail in the middle of a search, after the index opened fine."""
    root, base, home, gen = damaged
    (gen / "checksums.json").unlink()
    size = one(gen, "._stored.col").stat().st_size
    _damage_hits(gen, "raises", [size - step * size // 80 for step in range(1, 80)])
    proc = search_json(root, base, "nuklir", "-n", "100", "--per-file", "0")
    assert proc.returncode == 0, proc.stderr
    assert len(hits(proc)) == 35
    [warning] = warnings_of(proc)
    assert "was damaged (error: Error -" in warning and "while decompressing" in warning, warning
    assert live(home) != gen


def test_passage_read_as_nothing_is_damage_too(damaged):
    """Whoosh may read a damaged passage as no fields at all, without an
    error: the search rebuilds just the same."""
    root, base, home, gen = damaged
    (gen / "checksums.json").unlink()
    end = _stored_column_end(gen)
    _damage_hits(gen, "empty", [end - back for back in range(8, 600, 8)], width=8)
    proc = search_json(root, base, "nuklir", "-n", "100", "--per-file", "0")
    assert proc.returncode == 0, proc.stderr
    assert len(hits(proc)) == 35
    [warning] = warnings_of(proc)
    assert "was damaged (DamagedData: a passage has lost its stored fields)" in warning, warning
    assert live(home) != gen


def test_bit_rot_is_found_by_the_index_command(damaged):
    """A flip the cheap per-search check cannot see (no write after the
    commit) is found by ``nkcorpus index``, which checks every checksum."""
    root, base, home, gen = damaged
    flip(one(gen, ".pst"), 0.9)
    _hide_checksums(gen)
    assert integrity.check(gen) is None and integrity.check(gen, full=True)
    proc = nk("index", str(root), "--index-dir", str(base))
    assert proc.returncode == 0, proc.stderr
    [warning, summary] = proc.stderr.splitlines()
    assert "checksum mismatch" in warning and "rebuilt it" in warning
    assert "built, 5 documents" in summary
    assert live(home) != gen and integrity.check(live(home), full=True) is None


def test_index_from_another_format_version_is_rebuilt(damaged):
    root, base, home, gen = damaged
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    (gen / "manifest.json").write_text(json.dumps({**manifest, "format": "0"}), encoding="utf-8")
    proc = search_json(root, base)
    assert proc.returncode == 0
    [warning] = warnings_of(proc)
    assert "built by another version of nkcorpus (index format 0" in warning
    assert live(home) != gen


@pytest.mark.parametrize("change", ["context weight", "no headings"])
def test_the_fingerprint_follows_how_context_is_indexed(monkeypatch, change):
    """A passage is indexed with its title and heading, weighted apart:
    changing either without a new ANALYZER_VERSION still rebuilds."""
    before = mf.analysis_fingerprint()
    if change == "context weight":
        monkeypatch.setattr(analysis, "CONTEXT_WEIGHT", analysis.CONTEXT_WEIGHT * 2)
    else:
        monkeypatch.setattr(passages, "is_heading", lambda line: False)
    mf.analysis_fingerprint.cache_clear()
    try:
        assert mf.analysis_fingerprint() != before
    finally:
        mf.analysis_fingerprint.cache_clear()


def test_a_change_in_text_analysis_rebuilds_the_index_end_to_end(damaged):
    """A process whose analyzer stems nothing (as if the code changed,
    ANALYZER_VERSION untouched) rebuilds the index, and its results follow
    the new analysis; the normal code then rebuilds it back."""
    root, base, _, _ = damaged
    # --exact: the glossary's related translations would find "pengembangan" too
    args = ["search", "mengembangkan", "--exact", "--json", "--corpus", str(root), "--index-dir", str(base)]
    stemmed = hits(nk(*args))
    assert any("pengembangan" in h["text"].lower() for h in stemmed)
    unstemmed = python_with("import nkcorpus.analysis.terms as a\na._MIN_STEM_LEN = 10**6", *args)
    assert unstemmed.returncode == 0, unstemmed.stderr
    assert "built with a different text analysis; rebuilt it" in unstemmed.stderr
    assert all("mengembangkan" in h["text"].lower() for h in hits(unstemmed))
    assert len(hits(unstemmed)) < len(stemmed)
    back = nk(*args)
    assert "different text analysis" in back.stderr and hits(back) == stemmed


def test_damaged_index_without_updates_names_the_command(damaged):
    root, base, home, gen = damaged
    truncate(one(gen, ".pst"), 0.5)
    with pytest.raises(IndexError_) as caught:
        NkCorpus(str(root), index_dir=base).search(WORD, update=False)
    assert "is damaged" in caught.value.message
    assert caught.value.hint == f"run: nkcorpus index --rebuild {root} --index-dir {base}"
    assert live(home) == gen  # untouched


def test_index_dir_that_is_a_file(pristine, tmp_path):
    root, _ = pristine
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    for args in (["search", WORD, "--corpus", str(root)], ["index", str(root)]):
        proc = nk(*args, "--index-dir", str(blocker))
        assert_one_error_line(proc, "cannot write the index", "Not a directory", "must name a folder")
    assert blocker.read_text() == "x"


def test_index_home_that_is_a_file(pristine, tmp_path):
    root, _ = pristine
    home = layout.corpus_home(tmp_path, root)
    home.write_text("x")
    assert_one_error_line(search_json(root, tmp_path), "cannot write the index")
    assert home.read_text() == "x"


def test_index_dir_full_of_other_files_is_left_alone(pristine, tmp_path):
    """An --index-dir that holds other things: the index goes into its own
    subfolder, and nothing else there is read or changed."""
    root, _ = pristine
    base = tmp_path / "random"
    base.mkdir()
    (base / "notes.txt").write_bytes(os.urandom(500))
    (base / "gen-0").mkdir()
    (base / "CURRENT").write_text("gen-0")
    before = {p: p.stat().st_mtime_ns for p in base.rglob("*")}
    proc = search_json(root, base)
    assert proc.returncode == 0 and hits(proc)
    assert all(p.stat().st_mtime_ns == t for p, t in before.items())
    assert sorted(p.name for p in base.iterdir()) == sorted(["notes.txt", "gen-0", "CURRENT",
                                                             layout.corpus_home(base, root).name])


def test_home_holding_random_files_is_rebuilt(pristine, tmp_path):
    """A corpus's index folder filled with junk (a half-copied index)."""
    root, _ = pristine
    home = layout.corpus_home(tmp_path, root)
    home.mkdir()
    (home / "CURRENT").write_text("gen-x")
    (home / "gen-x").mkdir()
    (home / "gen-x" / "_MAIN_1.toc").write_bytes(os.urandom(300))
    (home / "gen-x" / "MAIN_a.seg").write_bytes(os.urandom(3000))
    proc = search_json(root, tmp_path)
    assert proc.returncode == 0 and hits(proc)
    [warning] = warnings_of(proc)
    assert "rebuilt it" in warning and not (home / "gen-x").exists()
