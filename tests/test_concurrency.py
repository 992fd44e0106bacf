"""Two writers, and readers while writing, in separate real processes: no
lock traceback, no lost documents, and every search answers from a
committed index."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nkcorpus.store import layout
from nkcorpus.store import lock
from nkcorpus.store import manifest as mf
from nkcorpus.store import integrity
from nkcorpus.store import update as upd

from faults import NK, WORD, build, hits, live, make_corpus, python_with

EXTRA_DOCS = 60


def bigger_corpus(parent: Path) -> Path:
    """The seeds plus generated documents, so a build takes a while."""
    root = make_corpus(parent)
    words = (root / next(iter(sorted(p.name for p in root.iterdir())))).read_text(encoding="utf-8").split()
    for i in range(EXTRA_DOCS):
        body = " ".join(words[(i * 37 + j) % len(words)] for j in range(400))
        (root / f"gen{i:03d}.txt").write_text(f"Dokumen{i:03d}\n\n{body}\n", encoding="utf-8")
    return root


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([*NK, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


def test_two_indexers_on_the_same_corpus(tmp_path):
    """Both start while a third holds the writer lock (so they do meet),
    say they wait, then build one after the other."""
    root = bigger_corpus(tmp_path)
    base = tmp_path / "indexes"
    for args in (["index", str(root)], ["index", "--rebuild", str(root)]):
        with lock.writer_lock(layout.corpus_home(base, root), upd.Progress()):
            procs = [start(*args, "--index-dir", str(base)) for _ in range(2)]
            for proc in procs:
                assert "waiting for another nkcorpus index" in proc.stderr.readline()
        for code, out, err in map(finish, procs):
            assert code == 0, err
            assert "Traceback" not in err and "error" not in err
            lines = err.splitlines()
            assert lines[-1].startswith(f"{root}: ") and f"{EXTRA_DOCS + 5} documents" in lines[-1]
            assert all("waiting for another nkcorpus index" in line for line in lines[:-1])
    home = layout.corpus_home(base, root)
    assert [p.name for p in home.iterdir() if p.name.startswith("gen-")] == [live(home).name]
    manifest = mf.load_manifest(live(home))
    assert len(manifest.files) == EXTRA_DOCS + 5 and not manifest.skipped
    found = subprocess.run([*NK, "search", "Dokumen042", "--json", "--corpus", str(root),
                            "--index-dir", str(base)], capture_output=True, text=True, timeout=120)
    # Dokumen042 is the document's first line, so its title: every passage of
    # that document (and of no other) carries it, each passage once.
    names = [h["path"].rsplit("/", 1)[1] for h in hits(found)]
    assert set(names) == {"gen042.txt"} and len(names) == manifest.files["gen042.txt"][2]


# A worker: runs one command in a loop for some seconds, in-process, and
# prints one JSON line per run (exit code, stdout, stderr).
_LOOP = """
import contextlib, io, json, sys, time
from pathlib import Path
from nkcorpus.cli import app as cli
seconds, mode, args = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
end, n = time.time() + seconds, 0
while time.time() < end or n < 3:
    n += 1
    if mode == "edit":  # alternate between one and two paragraphs with Sinpo,
        # saved as editors do: a new file renamed over the old one
        text = "Sinpo satu.\\n" if n % 2 else "Sinpo satu.\\n\\nSinpo dua.\\n"
        Path(args[1], ".berubah.tmp").write_text(text, encoding="utf-8")
        Path(args[1], ".berubah.tmp").replace(Path(args[1], "berubah.txt"))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.run(args)
    print(json.dumps({"code": code, "out": out.getvalue(), "err": err.getvalue()}), flush=True)
"""


def loop(seconds: float, mode: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _LOOP, str(seconds), mode, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def runs(proc: subprocess.Popen) -> list[dict]:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0 and err == "", err
    return [json.loads(line) for line in out.splitlines()]


def test_searches_while_rebuilding_answer_from_a_committed_index(tmp_path):
    """Full builds swap generations and delete the old one while searches
    run: every search gives the same answer, without a warning."""
    root = make_corpus(tmp_path)
    base = tmp_path / "indexes"
    build(root, base)
    where = ["--corpus", str(root), "--index-dir", str(base)]
    writer = loop(2, "run", "index", "--rebuild", "-q", str(root), "--index-dir", str(base))
    reader = loop(2, "run", "search", WORD, "--json", *where)
    rebuilds, searches = runs(writer), runs(reader)
    assert len(rebuilds) >= 3 and all(r["code"] == 0 and r["err"] == "" for r in rebuilds)
    assert len({r["out"] for r in searches}) == 1, "searches differ"
    assert all(r["code"] == 0 and r["err"] == "" for r in searches), searches


def test_searches_while_updating_see_one_committed_state(tmp_path):
    """One process edits a document and updates the index; another searches
    (and updates too when it finds the index stale): each answer is one of
    the committed states, and warnings say only that another process is
    updating."""
    root = make_corpus(tmp_path)
    base = tmp_path / "indexes"
    (root / "berubah.txt").write_text("Sinpo satu.\n", encoding="utf-8")
    build(root, base)
    where = ["--corpus", str(root), "--index-dir", str(base)]
    writer = loop(2, "edit", "index", str(root), "-q", "--index-dir", str(base))
    reader = loop(2, "run", "search", "Sinpo", "--json", *where)
    updates, searches = runs(writer), runs(reader)
    assert all(r["code"] == 0 and r["err"] == "" for r in updates), updates
    allowed = {"", "nkcorpus: warning: another process is updating the index; results may be out of date\n"}
    for r in searches:
        assert r["code"] == 0 and r["err"] in allowed, r
        texts = sorted(json.loads(line)["text"] for line in r["out"].splitlines())
        assert texts in (["Sinpo satu."], ["Sinpo dua.", "Sinpo satu."]), texts
    assert integrity.check(live(layout.corpus_home(base, root)), full=True) is None


_SWAP_BEFORE_OPEN = """
import subprocess, sys
import nkcorpus.store.whoosh.backend as ix
_open, _done = ix.open_generation, []
def open_generation(gen):
    if not _done:  # another process rebuilds between reading CURRENT and opening
        _done.append(1)
        subprocess.run([sys.executable, "-m", "nkcorpus", "index", "--rebuild", "-q", ROOT,
                        "--index-dir", BASE], check=True)
        assert not gen.exists()
    return _open(gen)
ix.open_generation = open_generation
"""

_SWAP_BEFORE_KEY = """
import atexit, subprocess, sys
import nkcorpus.store.freshness as ix
HOLD = ("import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR);"
        " fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(120)")
_load, _done = ix._saved_key, []
def saved_key(gen):
    if not _done:  # a rebuild swaps generations just before the staleness
        _done.append(1)  # check reads the saved key, and still holds the lock
        subprocess.run([sys.executable, "-m", "nkcorpus", "index", "--rebuild", "-q", ROOT,
                        "--index-dir", BASE], check=True)
        holder = subprocess.Popen([sys.executable, "-c", HOLD, str(gen.parent / "lock")],
                                  stdout=subprocess.PIPE, text=True)
        atexit.register(holder.kill)
        assert holder.stdout.readline() == "held\\n"
    return _load(gen)
ix._saved_key = saved_key
"""

_MERGE_AFTER_TOC = """
import pathlib, subprocess, sys
import whoosh.index as wi
_read, _calls = wi.TOC.read, []
def read(cls, *a, **k):
    toc = _read.__func__(cls, *a, **k)
    _calls.append(1)
    if len(_calls) == 2:  # open_dir read the TOC, then the reader did: the
        # reader is about to open the segments, and another process commits
        # (merging segments and deleting the old ones) now
        pathlib.Path(ROOT, "baru.txt").write_text("Sinpo menolak.\\n", encoding="utf-8")
        subprocess.run([sys.executable, "-m", "nkcorpus", "index", "-q", ROOT,
                        "--index-dir", BASE], check=True)
    return toc
wi.TOC.read = classmethod(read)
"""


@pytest.mark.parametrize("patch", [_SWAP_BEFORE_OPEN, _SWAP_BEFORE_KEY, _MERGE_AFTER_TOC],
                         ids=["swap", "swap-stale-check", "merge"])
def test_index_replaced_under_a_reader_is_read_again(tmp_path, patch):
    """Exactly in the window between finding the index and reading it, a
    real process replaces it: the search looks again, quietly (a vanished
    generation: nkcorpus reads CURRENT again; merged segments: Whoosh's
    reader retries by itself)."""
    root = make_corpus(tmp_path)
    base = tmp_path / "indexes"
    home = build(root, base)
    gen = live(home)
    code = patch.replace("ROOT", repr(str(root))).replace("BASE", repr(str(base)))
    proc = python_with(code, "search", WORD, "--exact", "--json", "--corpus", str(root), "--index-dir", str(base))
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert hits(proc) and all(WORD in h["text"] for h in hits(proc))
    if patch is not _MERGE_AFTER_TOC:
        assert live(home) != gen
    else:
        assert live(home) == gen and not (gen / "_MAIN_1.toc").exists()
