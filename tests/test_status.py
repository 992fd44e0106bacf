"""``nkcorpus status`` and the indexing output: progress bar on a terminal,
one summary line otherwise, nothing with --quiet."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from nkcorpus.store import layout
from nkcorpus.store import lock

from conftest import run_cli

STATUS_KEYS = {"corpus", "root", "index", "indexed", "busy", "documents", "passages", "index_bytes",
               "updated", "pending", "skipped", "empty", "ignored", "semantic"}


def make_corpus(root: Path) -> Path:
    root.mkdir()
    (root / "a.txt").write_text("Judul\n\nParagraf tentang laut.\n", encoding="utf-8")
    (root / "b.md").write_text("Satu paragraf.\n", encoding="utf-8")
    (root / "kosong.txt").write_text("", encoding="utf-8")
    (root / "biner.txt").write_bytes(b"\x00\xff" * 50)
    (root / "foto.jpg").write_bytes(b"\xff\xd8")
    (root / "catatan.doc").write_bytes(b"\xd0\xcf")
    return root


def status_json(root: Path) -> tuple[int, dict]:
    proc = run_cli("status", "--corpus", str(root), "--json")
    assert proc.stderr == "" and proc.stdout.count("\n") == 1
    return proc.returncode, json.loads(proc.stdout)


def test_status_before_any_index(tmp_path, index_base):
    root = make_corpus(tmp_path / "korpus")
    code, st = status_json(root)
    assert code == 1 and set(st) == STATUS_KEYS
    assert st["indexed"] is False and st["documents"] == 0 and st["updated"] is None
    assert st["pending"] == {"added": 4, "changed": 0, "removed": 0}
    text = run_cli("status", "--corpus", str(root))
    assert text.returncode == 1 and "none yet (run: nkcorpus index DIR)" in text.stdout
    assert not index_base.exists()  # status writes nothing


def test_status_counts_and_lists(tmp_path, index_base):
    root = make_corpus(tmp_path / "korpus")
    assert run_cli("index", str(root)).returncode == 2
    code, st = status_json(root)
    assert code == 0 and set(st) == STATUS_KEYS
    assert (st["indexed"], st["busy"], st["documents"], st["passages"]) == (True, False, 3, 3)
    assert st["corpus"] == str(root) and st["root"] == str(root.resolve())
    assert st["index_bytes"] > 0 and st["updated"].endswith("Z")
    assert st["pending"] == {"added": 0, "changed": 0, "removed": 0}
    assert st["skipped"] == [{"path": f"{root}/biner.txt", "reason": "binary file"}]
    assert st["empty"] == [f"{root}/kosong.txt"]
    assert st["ignored"] == {".doc": 1, ".jpg": 1}

    (root / "baru.txt").write_text("Baru.\n", encoding="utf-8")
    (root / "b.md").unlink()
    assert status_json(root)[1]["pending"] == {"added": 1, "changed": 0, "removed": 1}

    text = run_cli("status", "--corpus", str(root)).stdout
    for expected in ("documents  3  (1 without text)", "passages   3", "skipped    1 files",
                     f"{root}/biner.txt: binary file", "1 new, 0 changed, 1 removed files",
                     "not read   2 files of other types (.doc 1, .jpg 1)"):
        assert expected in text


def test_status_says_when_another_process_is_indexing(tmp_path, index_base):
    root = make_corpus(tmp_path / "korpus")
    run_cli("index", str(root))
    fd = lock.try_lock(layout.corpus_home(index_base, root.resolve()))
    try:
        assert status_json(root)[1]["busy"] is True
        assert "another nkcorpus process is indexing" in run_cli("status", "--corpus", str(root)).stdout
    finally:
        os.close(fd)
    assert status_json(root)[1]["busy"] is False


def test_status_of_a_missing_folder_is_an_error(tmp_path, index_base):
    proc = run_cli("status", "--corpus", str(tmp_path / "tidak-ada"))
    assert proc.returncode == 2 and proc.stderr.startswith("nkcorpus: error: corpus folder not found")


def test_not_a_terminal_one_summary_line_and_quiet_nothing(tmp_path, index_base):
    root = tmp_path / "korpus"
    root.mkdir()
    (root / "a.txt").write_text("Teks.\n", encoding="utf-8")
    first = run_cli("index", str(root))
    assert first.returncode == 0 and first.stdout == ""
    [line] = first.stderr.splitlines()
    assert line.startswith(f"{root}: built, 1 documents, 1 passages, read 1 files (")
    assert "MB/s" in line
    second = run_cli("index", str(root))
    assert second.stderr.startswith(f"{root}: up to date, 1 documents") and second.stderr.count("\n") == 1
    (root / "b.txt").write_text("Dua.\n", encoding="utf-8")
    quiet = run_cli("index", str(root), "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""


def test_several_corpora_side_by_side_and_a_missing_one(tmp_path, index_base):
    one, two = tmp_path / "satu", tmp_path / "dua"
    for root, word in ((one, "gajah"), (two, "harimau")):
        root.mkdir()
        (root / "a.txt").write_text(f"Seekor {word}.\n", encoding="utf-8")
    proc = run_cli("index", str(one), str(tmp_path / "tidak-ada"), str(two))
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert lines[0].startswith(f"{one}: built") and lines[2].startswith(f"{two}: built")
    assert lines[1].startswith("nkcorpus: error: corpus folder not found")
    assert len(list(index_base.iterdir())) == 2
    assert run_cli("search", "gajah", "--corpus", str(one)).returncode == 0
    assert run_cli("search", "gajah", "--corpus", str(two)).returncode == 1


def test_a_terminal_gets_a_progress_bar(tmp_path, index_base):
    root = tmp_path / "korpus"
    root.mkdir()
    for i in range(30):
        (root / f"{i}.txt").write_text(f"Berkas nomor {i}.\n", encoding="utf-8")
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "nkcorpus", "index", str(root)],
                            stdout=subprocess.DEVNULL, stderr=follower,
                            env={**os.environ, "TERM": "xterm", "COLUMNS": "120"})
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    text = output.decode("utf-8", "replace")
    assert "indexing" in text and "/30 files" in text and "/s" in text and "ETA" in text
    assert f"{root}: built, 30 documents" in text  # the bar is gone, the summary stays
