"""Resource limits: an index folder that is read-only or full, a corpus that
disappears. Always one clear line, exit code 2, and the index as it was.

Read-only and full file systems are real: a read-only bind mount and a small
tmpfs in a private mount namespace (as root, where ``unshare`` works), or
permissions for other users. A file size limit (RLIMIT_FSIZE) gives EFBIG
everywhere.
"""

from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from nkcorpus.store import integrity, layout
from nkcorpus import Corpus as NkCorpus

from faults import (
    NK, WORD, assert_one_error_line, build, can_mount, hits, in_private_mounts, live,
    make_corpus, nk, python_with, read_only, search_json, snapshot, warnings_of,
)



def _permissions_stop_writes() -> bool:
    """False for root (with CAP_DAC_OVERRIDE): chmod cannot make a folder
    read-only for it, a read-only mount must."""
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o555)
        try:
            Path(folder, "probe").touch()
        except PermissionError:
            return True
        finally:
            os.chmod(folder, 0o755)
    return False


CHMOD_WORKS = _permissions_stop_writes()
MOUNTS = can_mount()
READ_ONLY_ERROR = "Permission denied" if CHMOD_WORKS else "Read-only file system"
NEW_WORD = "Sinpo"


def add_document(root: Path, name: str = "baru.txt", paragraphs: int = 1) -> None:
    text = "\n\n".join(f"{NEW_WORD} {i} menolak tawaran itu, kata pejabat Korut." for i in range(paragraphs))
    (root / name).write_text(text + "\n", encoding="utf-8")


def search_without_update(root: Path, base: Path, query: str = WORD, mode: str = "hybrid"):
    return NkCorpus(str(root), index_dir=base).search(query, update=False, mode=mode)


@pytest.fixture
def built(tmp_path):
    root = make_corpus(tmp_path)
    base = tmp_path / "indexes"
    home = build(root, base)
    return root, base, home


def run_read_only(base: Path, *args: str) -> subprocess.CompletedProcess:
    """The CLI with ``base`` read-only: chmod where permissions bind this
    user, else a read-only bind mount (root)."""
    if not CHMOD_WORKS:
        if not MOUNTS:
            pytest.skip("root, and no private mounts here: read-only folders cannot be made")
        return in_private_mounts(read_only(base), *NK, *args)
    modes = {p: p.stat().st_mode for p in [base, *base.rglob("*")]}
    for p, mode in modes.items():
        p.chmod(stat.S_IMODE(mode) & ~0o222)
    try:
        return nk(*args)
    finally:
        for p, mode in modes.items():
            p.chmod(stat.S_IMODE(mode))


# --- a read-only index folder ----------------------------------------------------


def test_read_only_index_still_answers(built):
    root, base, _ = built
    proc = run_read_only(base, "search", WORD, "--json", "--corpus", str(root), "--index-dir", str(base))
    assert proc.returncode == 0 and proc.stderr == "" and hits(proc)


def test_read_only_stale_index_answers_as_it_was_with_a_warning(built):
    root, base, _ = built
    before = snapshot(base)
    add_document(root)
    args = ["--json", "--corpus", str(root), "--index-dir", str(base)]
    proc = run_read_only(base, "search", f"{WORD} {NEW_WORD}", *args)
    assert proc.returncode == 0, proc.stderr
    [warning] = warnings_of(proc)
    assert "cannot write the index" in warning
    assert READ_ONLY_ERROR in warning
    assert "searching the index as it was" in warning
    assert NEW_WORD not in proc.stdout and WORD in proc.stdout
    assert snapshot(base) == before


def test_index_command_on_read_only_folder(built):
    root, base, _ = built
    before = snapshot(base)
    add_document(root)
    proc = run_read_only(base, "index", str(root), "--index-dir", str(base))
    assert_one_error_line(proc, "cannot write the index", "writable folder")
    assert snapshot(base) == before


def test_no_index_and_a_read_only_folder(tmp_path):
    root = make_corpus(tmp_path)
    base = tmp_path / "indexes"
    base.mkdir()
    proc = run_read_only(base, "search", WORD, "--corpus", str(root), "--index-dir", str(base))
    assert_one_error_line(proc, "cannot write the index")
    assert list(base.iterdir()) == []


def test_damaged_index_on_a_read_only_folder_names_the_command(built):
    root, base, home = built
    seg = next(live(home).glob("*.pst"))
    os.truncate(seg, seg.stat().st_size // 2)
    proc = run_read_only(base, "search", WORD, "--corpus", str(root), "--index-dir", str(base))
    assert_one_error_line(proc, "is damaged", "cannot be rebuilt",
                          f"run: nkcorpus index --rebuild {root} --index-dir {base}")


# --- a full file system -------------------------------------------------------------


@pytest.mark.skipif(not MOUNTS, reason="needs root and private mounts (tmpfs)")
def test_full_file_system_keeps_the_last_index(built, tmp_path):
    """The seeds' index (about 500 KiB) copied onto a 620 KiB tmpfs, leaving ~120 KiB: an
    update that adds a large document does not fit, nor does a second
    generation. Each fails in one line, and the index stays as it was
    (checked from a copy taken inside the namespace)."""
    root, prebuilt, _ = built
    base, out = tmp_path / "full", tmp_path / "out"
    base.mkdir()
    steps = [
        ["ADD"],
        ["search", f"{WORD} {NEW_WORD}", "--json", "--mode", "lexical", "--corpus", str(root)],
        ["index", str(root)],
        ["index", "--rebuild", str(root)],
    ]
    setup = f"mount -t tmpfs -o size=620k tmpfs '{base}'\ncp -a '{prebuilt}/.' '{base}/'"
    proc = in_private_mounts(setup, sys.executable, "-c", _STEPS, json.dumps(steps), str(root), str(base),
                             after=f"cp -a '{base}' '{out}'")
    assert proc.returncode == 0, proc.stderr
    _, stale_search, update, rebuild = json.loads(proc.stdout)
    assert stale_search["rc"] == 0 and NEW_WORD not in stale_search["out"] and WORD in stale_search["out"]
    assert "No space left on device; searching the index as it was" in stale_search["err"]
    for failed in (update, rebuild):
        assert failed["rc"] == 2 and failed["err"].count("\n") == 1, failed
        assert "No space left on device" in failed["err"] and "free some space" in failed["err"]
    home = layout.corpus_home(out, root)
    gen = live(home)
    assert gen.name == live(layout.corpus_home(prebuilt, root)).name
    assert [p.name for p in home.iterdir() if p.name.startswith("gen-")] == [gen.name]
    assert integrity.check(gen, full=True) is None
    assert not [p for p in home.rglob(".*.tmp")]
    assert uncommitted(gen) == set()
    assert {h.path for h in search_without_update(root, out).hits} == {
        json.loads(line)["path"] for line in stale_search["out"].splitlines()}


# Runs CLI steps inside the namespace and prints their results as JSON.
_STEPS = """
import json, subprocess, sys
steps, root, base = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
results = []
for step in steps:
    if step == ["ADD"]:
        text = "\\n\\n".join(f"Sinpo {i} menolak tawaran kata{i} pejabat{i} Korut." for i in range(300))
        open(root + "/besar.txt", "w", encoding="utf-8").write(text)
        results.append({})
        continue
    p = subprocess.run([sys.executable, "-m", "nkcorpus", *step, "--index-dir", base],
                       capture_output=True, text=True)
    results.append({"rc": p.returncode, "out": p.stdout, "err": p.stderr})
print(json.dumps(results))
"""


def uncommitted(gen: Path) -> set[str]:
    """Files in ``gen`` that its checksum record does not list."""
    listed = json.loads((gen / "checksums.json").read_text(encoding="utf-8"))["files"]
    ours = {"manifest.json", "checksums.json", "scan.key", "MAIN_WRITELOCK"}
    return {p.name for p in gen.iterdir()} - set(listed) - ours


def _limit_file_size(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_file_size_limit_keeps_the_last_index(built):
    """EFBIG (RLIMIT_FSIZE; Python ignores SIGXFSZ) while writing a new
    generation: one line, no leftover files, the old index intact."""
    root, base, home = built
    gen = live(home)
    before = snapshot(base)
    proc = subprocess.run([*NK, "index", "--rebuild", str(root), "--index-dir", str(base)],
                          capture_output=True, text=True, preexec_fn=_limit_file_size(64 * 1024),
                          env={**os.environ, "NKCORPUS_DEBUG": ""}, timeout=120)
    assert_one_error_line(proc, "File too large", "free some space")
    assert live(home) == gen and snapshot(base) == before
    assert integrity.check(gen, full=True) is None


# --- a corpus folder that disappears --------------------------------------------------


def test_corpus_gone_before_the_search(built):
    root, base, _ = built
    before = snapshot(base)
    root.rename(root.with_name("elsewhere"))
    proc = search_json(root, base)
    assert_one_error_line(proc, "corpus folder not found")
    root.with_name("elsewhere").rename(root)
    assert snapshot(base) == before
    again = search_json(root, base)
    assert again.returncode == 0 and again.stderr == "" and snapshot(base) == before


_VANISH = """
import os, nkcorpus.store.update as c
_read, _calls = c.read_parts, []
def read_parts(root, rel):
    _calls.append(rel)
    if len(_calls) == 2:
        os.rename(root, str(root) + ".gone")
    return _read(root, rel)
c.read_parts = read_parts
"""


@pytest.mark.parametrize("how", ["index --rebuild", "index update", "search update"])
def test_corpus_vanishing_while_indexing_leaves_the_index_alone(built, how):
    """The folder is renamed away after the first document was read."""
    root, base, home = built
    gen = live(home)
    if how != "index --rebuild":
        add_document(root, "a-baru.txt")
        add_document(root, "b-baru.txt")
    before = snapshot(base)
    args = {
        "index --rebuild": ["index", "--rebuild", str(root)],
        "index update": ["index", str(root)],
        "search update": ["search", WORD, "--corpus", str(root)],
    }[how]
    proc = python_with(_VANISH, *args, "--index-dir", str(base))
    assert_one_error_line(proc, "the corpus folder vanished", str(root))
    assert live(home) == gen and snapshot(base) == before and uncommitted(gen) == set()
    Path(f"{root}.gone").rename(root)
    result = search_without_update(root, base)
    assert result.hits and not result.warnings
