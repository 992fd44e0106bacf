"""Messy and hostile input: each bad file gives one warning line, the run
goes on, the exit code is 2 when something was skipped, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nkcorpus.store import layout
from nkcorpus.store import update as upd
from nkcorpus.ingest.extract import MAX_PARSED_BYTES

from conftest import run_cli

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

GOOD = {
    "catatan rapat.txt": "Rapat membahas pelabuhan.\n",
    "berita café ñ.md": "Ekspor kopi meningkat.\n",
    "arsip/2019 lama/laporan akhir.txt": "Laporan tentang bendungan.\n",
    "kosong.txt": "",  # empty: indexed, no text, no warning
}


def build_messy(root: Path) -> dict[str, str]:
    """Good files plus one of each kind of bad file; returns bad name -> reason."""
    for name, text in GOOD.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "biner.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
    (root / "rusak.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ntrailer garbage")
    (root / "rusak.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (root / "putar-a.txt").symlink_to("putar-b.txt")
    (root / "putar-b.txt").symlink_to("putar-a.txt")
    (root / "hilang.txt").symlink_to("tidak-ada.txt")
    (root / "arsip" / "induk").symlink_to("..")  # a folder loop: not followed
    os.mkfifo(root / "pipa.txt")  # reading it would block forever
    with open(os.fsencode(root) + b"/nama-\xff-latin1.txt", "wb") as f:
        f.write(b"Teks dengan nama berkas Latin-1.\n")
    return {
        "biner.txt": "binary file",
        "rusak.pdf": "broken PDF",
        "rusak.docx": "not a valid DOCX file",
        "putar-a.txt": "symbolic link loop",
        "putar-b.txt": "symbolic link loop",
        "hilang.txt": "broken symbolic link",
        "pipa.txt": "not a regular file",
        "nama-\\udcff-latin1.txt": "file name is not valid UTF-8",
    }


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("nkcorpus: warning:")]


def test_each_bad_file_gives_one_warning_and_the_run_goes_on(tmp_path, index_base):
    root = tmp_path / "korpus saya"
    root.mkdir()
    bad = build_messy(root)

    proc = run_cli("index", str(root))

    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = warnings(proc.stderr)
    assert len(lines) == len(bad)
    for name, reason in bad.items():
        [line] = [x for x in lines if f"/{name}: " in x]
        assert line.startswith(f"nkcorpus: warning: skipped {root}/{name}: {reason}")
    summary = proc.stderr.splitlines()[-1]
    assert "4 documents" in summary and f"{len(bad)} files skipped" in summary

    for word, name in [("pelabuhan", "catatan rapat.txt"), ("kopi", "berita café ñ.md"),
                       ("bendungan", "arsip/2019 lama/laporan akhir.txt")]:
        found = run_cli("search", word, "--corpus", str(root), "--json")
        assert found.returncode == 0 and "Traceback" not in found.stderr
        assert [json.loads(x)["path"] for x in found.stdout.splitlines()] == [f"{root}/{name}"]


def test_files_that_failed_are_not_warned_again_until_they_change(tmp_path, index_base):
    root = tmp_path / "korpus"
    root.mkdir()
    bad = build_messy(root)
    assert run_cli("index", str(root)).returncode == 2

    again = run_cli("index", str(root))
    assert again.returncode == 0 and warnings(again.stderr) == []
    assert "up to date" in again.stderr and f"{len(bad)} files skipped (nkcorpus status" in again.stderr
    status = json.loads(run_cli("status", "--corpus", str(root), "--json").stdout)
    reasons = {s["path"].rsplit("/", 1)[1]: s["reason"] for s in status["skipped"]}
    assert set(reasons) == set(bad) and all(reasons[n].startswith(r) for n, r in bad.items())
    assert status["empty"] == [f"{root}/kosong.txt"]

    os.chmod(root / "biner.txt", 0o600)  # same bytes, new ctime: tried again
    third = run_cli("index", str(root))
    assert third.returncode == 2 and len(warnings(third.stderr)) == 1

    (root / "biner.txt").write_text("Sekarang teks biasa tentang tambang.\n", encoding="utf-8")
    fixed = run_cli("index", str(root))
    assert fixed.returncode == 0 and warnings(fixed.stderr) == []
    assert run_cli("search", "tambang", "--corpus", str(root)).returncode == 0


@pytest.mark.skipif(IS_ROOT, reason="root reads files whatever their mode (covered by the /proc test)")
def test_unreadable_file_is_skipped_then_indexed_once_readable(tmp_path, index_base):
    root = tmp_path / "korpus"
    root.mkdir()
    (root / "rahasia.txt").write_text("Dokumen tentang perbatasan.\n", encoding="utf-8")
    os.chmod(root / "rahasia.txt", 0)
    try:
        proc = run_cli("index", str(root))
        assert proc.returncode == 2
        assert warnings(proc.stderr) == [f"nkcorpus: warning: skipped {root}/rahasia.txt: Permission denied"]
    finally:
        os.chmod(root / "rahasia.txt", 0o644)
    assert run_cli("index", str(root)).returncode == 0  # chmod changed the ctime
    assert run_cli("search", "perbatasan", "--corpus", str(root)).returncode == 0


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_read_error_even_for_root_is_one_warning(tmp_path, index_base):
    root = tmp_path / "korpus"
    root.mkdir()
    (root / "baik.txt").write_text("Teks tentang gunung.\n", encoding="utf-8")
    (root / "memori.txt").symlink_to("/proc/self/mem")  # a regular file whose read fails (EIO)
    proc = run_cli("index", str(root), env={"NKCORPUS_FOLLOW_LINKS": "1"})  # it lies outside
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert warnings(proc.stderr) == [f"nkcorpus: warning: skipped {root}/memori.txt: Input/output error"]
    assert run_cli("search", "gunung", "--corpus", str(root)).returncode == 0


class VanishingProgress(upd.Progress):
    """Deletes the next file of the run as each file is done (a real race)."""

    def __init__(self, root: Path, victim: str) -> None:
        self.root, self.victim, self.warned = root, victim, []

    def advance(self, nbytes: int) -> None:
        (self.root / self.victim).unlink(missing_ok=True)

    def warn(self, rel: str, reason: str) -> None:
        self.warned.append((rel, reason))


def test_file_that_vanishes_during_indexing_is_one_warning(tmp_path):
    root = tmp_path / "korpus"
    root.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (root / name).write_text(f"Berkas {name} tentang hutan.\n", encoding="utf-8")
    home = layout.corpus_home(tmp_path / "indexes", root)
    progress = VanishingProgress(root, "b.txt")

    report = upd.update(root, home, progress)

    assert progress.warned == [("b.txt", "vanished while indexing")]
    assert report.warnings == (("b.txt", "vanished while indexing"),)
    assert report.documents == 2 and report.skipped == ()  # gone: nothing to report later
    assert not upd.update(root, home).changes


def test_html_over_the_size_limit_is_skipped_with_one_warning(tmp_path, index_base):
    root = tmp_path / "korpus"
    root.mkdir()
    limit = MAX_PARSED_BYTES[".html"]
    with open(root / "raksasa.html", "wb") as f:
        f.write(b"<html><body><p>kata</p>")
        f.truncate(limit + 2**20)  # sparse: costs no disk
    (root / "kecil.html").write_text("<p>Danau yang tenang.</p>", encoding="utf-8")
    proc = run_cli("index", str(root))
    assert proc.returncode == 2
    [line] = warnings(proc.stderr)
    assert line.endswith("raksasa.html: too large to parse: 17.0 MiB (the limit for .html is 16 MiB)")
    assert run_cli("search", "danau", "--corpus", str(root)).returncode == 0


def peak_memory_mb(root: Path) -> float:
    """Peak resident memory of ``nkcorpus index root`` in a subprocess."""
    proc = subprocess.Popen([sys.executable, "-m", "nkcorpus", "index", str(root)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, proc.stderr.read()
    return usage.ru_maxrss / 1024  # kilobytes on Linux


def test_a_50_mb_text_file_is_indexed_in_bounded_memory(tmp_path, index_base):
    small, big = tmp_path / "kecil", tmp_path / "besar"
    small.mkdir()
    big.mkdir()
    (small / "a.txt").write_text("Kalimat tentang samudra.\n", encoding="ascii")
    line = " " * 999 + "\n"  # blank lines: read, decoded and cut, but cheap to index
    with open(big / "besar.txt", "w", encoding="ascii") as f:
        for _ in range(50):
            f.write(line * 1024)
        f.write("Kalimat terakhir tentang samudra.\n")

    growth = peak_memory_mb(big) - peak_memory_mb(small)

    assert growth < 40, f"{growth:.0f} MB more than for a small file"  # read whole: 100 MB more
    found = run_cli("search", "samudra", "--corpus", str(big), "--json")
    assert json.loads(found.stdout)["line_start"] == 50 * 1024 + 1
