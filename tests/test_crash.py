"""Crash safety and concurrency with real processes.

An indexer is stopped at a known point of its run, without timing guesses:
its stderr is a one-page pipe that nobody reads, and a run of bad files sorts
after the first files it indexes. Each bad file gives a warning line; when
the pipe has no room left for another line, the indexer is stuck in that
run of warnings (as it would be behind a stalled ``| less``), holding the
writer lock, with the files before it added and the rest still to do. Then
it is killed (SIGKILL, SIGINT) or kept waiting while other commands run, and
the index is checked from outside.
"""

from __future__ import annotations

import fcntl
import os
import queue
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from nkcorpus.store import freshness
from nkcorpus.store import layout
from nkcorpus.store import manifest as mf
from nkcorpus.store import update as upd
from nkcorpus.store import integrity
from nkcorpus.store.whoosh import backend as wb
from nkcorpus import Corpus as NkCorpus

from conftest import run_cli

pytestmark = pytest.mark.skipif(not hasattr(fcntl, "F_SETPIPE_SZ"), reason="needs Linux pipes")

PARAGRAPH = (
    "Pemerintah daerah menyiapkan anggaran untuk perbaikan jalan desa, irigasi sawah dan "
    "gedung sekolah dasar sebelum musim hujan tiba pada akhir tahun ini."
)
BAD = b"\x00\x01binary\x00" * 64
PIPE_BYTES = 4096


def write_files(root: Path, names, marker: str) -> None:
    """One small article per name, two passages each, ``marker`` in the first."""
    root.mkdir(parents=True, exist_ok=True)
    for n, name in enumerate(names):
        (root / name).write_text(f"Berita {marker} nomor {n}.\n\n{PARAGRAPH}\n", encoding="utf-8")


def names(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{i:04d}.txt" for i in range(count)]


def warning_line(root: Path, name: str) -> str:
    return f"nkcorpus: warning: skipped {root}/{name}: binary file\n"


def write_bad_run(root: Path, prefix: str) -> int:
    """Enough bad files named ``prefix``-NNN.txt to fill the pipe with warnings."""
    count = PIPE_BYTES // len(warning_line(root, f"{prefix}-000.txt").encode()) + 3
    for n in range(count):
        (root / f"{prefix}-{n:03d}.txt").write_bytes(BAD)
    return count


def hit_files(root: Path, base: Path, word: str) -> list[str]:
    """Files of every passage matching ``word`` in the index as it is (no update)."""
    hits = NkCorpus(str(root), index_dir=base).search(word, limit=10_000, update=False).hits
    return [hit.path.rsplit("/", 1)[1] for hit in hits]


class Indexer:
    """``nkcorpus index ARGS`` in a subprocess. With ``stall``, its stderr is
    a one-page pipe left unread until ``release()``."""

    def __init__(self, *args: str, stall: bool = False) -> None:
        read_fd, write_fd = os.pipe()
        if stall:
            fcntl.fcntl(write_fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        self.proc = subprocess.Popen([sys.executable, "-m", "nkcorpus", "index", *args],
                                     stdout=subprocess.DEVNULL, stderr=write_fd,
                                     preexec_fn=_default_sigint)
        os.close(write_fd)
        self.read_fd = read_fd
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        if not stall:
            self.release()

    def wait_until_stalled(self, line_bytes: int, timeout: float = 120) -> None:
        """Until the pipe has no room for another ``line_bytes`` line: the
        indexer is then blocked writing a warning, or about to be."""
        deadline = time.monotonic() + timeout
        while PIPE_BYTES - self._unread() >= line_bytes:
            assert self.proc.poll() is None, "the indexer ended before its stderr filled up"
            assert time.monotonic() < deadline, "the indexer never filled its stderr"
            time.sleep(0.01)

    def _unread(self) -> int:
        return struct.unpack("i", fcntl.ioctl(self.read_fd, termios.FIONREAD, b"\0" * 4))[0]

    def release(self) -> None:
        """Read stderr from now on (a stalled indexer goes on)."""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        with open(self.read_fd, encoding="utf-8") as stream:
            for line in stream:
                self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, needle: str, timeout: float = 120) -> None:
        """Until a stderr line contains ``needle`` (fails at EOF)."""
        while True:
            line = self.lines.get(timeout=timeout)
            assert line is not None, f"ended without {needle!r}: {self.seen}"
            self.seen.append(line)
            if needle in line:
                return

    def finish(self, timeout: float = 120) -> tuple[int, str]:
        code = self.proc.wait(timeout=timeout)
        while (line := self.lines.get(timeout=timeout)) is not None:
            self.seen.append(line)
        return code, "".join(self.seen)

    def kill(self, sig: int = signal.SIGKILL) -> tuple[int, str]:
        self.proc.send_signal(sig)
        self.release()
        return self.finish()


def _default_sigint() -> None:
    """Let Ctrl-C reach the child even when this test runs with SIGINT
    ignored (a background job of a shell does)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def generations(home: Path) -> list[str]:
    return sorted(p.name for p in home.iterdir() if p.name.startswith("gen-"))


def leftovers(home: Path) -> set[str]:
    """Files in the index folder that neither the live index nor the lock needs."""
    from whoosh.index import TOC

    gen = layout.current_generation(home)
    ix = wb.open_generation(gen)
    toc = TOC.read(ix.storage, ix.indexname)
    segments = tuple(s.segment_id() for s in toc.segments)
    wanted = {"MAIN_WRITELOCK", mf.MANIFEST, freshness.SCAN_KEY, integrity.RECORD, f"_MAIN_{toc.generation}.toc"}
    extra = {p.name for p in gen.iterdir()
             if p.name not in wanted and not p.name.startswith(segments)}
    extra |= {p.name for p in home.iterdir() if p.name not in {"lock", "CURRENT", gen.name}}
    return extra


def stalled_indexer(root: Path, prefix: str) -> Indexer:
    indexer = Indexer(str(root), stall=True)
    indexer.wait_until_stalled(len(warning_line(root, f"{prefix}-000.txt").encode()))
    return indexer


def build_index(root: Path, index_base: Path) -> Path:
    """Index ``root`` in this process; its index home."""
    home = layout.corpus_home(index_base, root.resolve())
    upd.update(root.resolve(), home)
    return home


def indexed_corpus(tmp_path: Path, index_base: Path, files: int) -> tuple[Path, Path]:
    """A corpus of ``files`` files holding "lama", indexed: (root, home)."""
    root = tmp_path / "korpus"
    write_files(root, names("a", files), "lama")
    return root, build_index(root, index_base)


def test_sigkill_during_a_full_build_keeps_the_last_index(tmp_path, index_base):
    root, home = indexed_corpus(tmp_path, index_base, 300)
    old = layout.current_generation(home)
    # more than half the files are new: a full build into a new generation
    write_files(root, names("b", 700), "baru")
    bad = write_bad_run(root, "a-0100-rusak")  # after 100 files, before 900 others

    code, _ = stalled_indexer(root, "a-0100-rusak").kill()

    assert code == -signal.SIGKILL
    assert layout.current_generation(home) == old
    assert len(generations(home)) == 2  # the killed build's half-written one
    assert len(hit_files(root, index_base, "lama")) == 300
    assert hit_files(root, index_base, "baru") == []

    code, err = Indexer(str(root)).finish()
    assert code == 2 and err.count("warning") == bad and "Traceback" not in err
    assert len(set(hit_files(root, index_base, "baru"))) == 700
    assert generations(home) == [layout.current_generation(home).name]
    assert leftovers(home) == set()


def test_sigkill_during_an_update_then_the_next_run_completes_it(tmp_path, index_base):
    root = tmp_path / "korpus"
    all_names = names("a", 800)
    write_files(root, all_names, "lama")
    (root / "a-0001.txt").write_text("Kata hilangsatu di sini.\n", encoding="utf-8")
    (root / "a-0002.txt").write_text("Kata pindahdua di sini.\n", encoding="utf-8")
    home = build_index(root, index_base)
    gen = layout.current_generation(home)

    write_files(root, ["0-baru.txt"], "tambah")
    changed = all_names[100:350]
    write_files(root, changed, "ubah")
    (root / "a-0001.txt").unlink()
    (root / "a-0002.txt").rename(root / "z-pindah.txt")
    bad = write_bad_run(root, "1-rusak")  # new files are read first: 0-baru, then these

    stalled_indexer(root, "1-rusak").kill()

    assert layout.current_generation(home) == gen and (gen / mf.JOURNAL).exists()
    assert hit_files(root, index_base, "tambah") == hit_files(root, index_base, "ubah") == []
    assert hit_files(root, index_base, "hilangsatu") == ["a-0001.txt"]

    code, err = Indexer(str(root)).finish()
    assert code == 2 and err.count("warning") == bad  # the bad files, read again
    assert sorted(hit_files(root, index_base, "ubah")) == changed  # each once: nothing doubled
    assert hit_files(root, index_base, "tambah") == ["0-baru.txt"]
    assert hit_files(root, index_base, "hilangsatu") == []
    assert hit_files(root, index_base, "pindahdua") == ["z-pindah.txt"]
    assert len(hit_files(root, index_base, "lama")) == 800 - 2 - 250
    assert leftovers(home) == set()


def test_ctrl_c_during_a_build_exits_130_and_keeps_the_index(tmp_path, index_base):
    root, home = indexed_corpus(tmp_path, index_base, 100)
    write_files(root, names("b", 300), "baru")
    write_bad_run(root, "b-0010-rusak")

    code, err = stalled_indexer(root, "b-0010-rusak").kill(signal.SIGINT)

    assert code == 130 and err.endswith("nkcorpus: interrupted\n") and "Traceback" not in err
    assert len(generations(home)) == 1  # the unfinished generation was removed
    assert len(hit_files(root, index_base, "lama")) == 100


def test_while_an_indexer_runs_others_wait_fail_or_read_the_last_index(tmp_path, index_base):
    root, home = indexed_corpus(tmp_path, index_base, 200)
    write_files(root, names("b", 60), "baru")
    write_bad_run(root, "0-rusak")

    first = stalled_indexer(root, "0-rusak")  # holding the lock, in the middle
    try:
        no_wait = run_cli("index", str(root), "--no-wait")
        assert no_wait.returncode == 2
        assert no_wait.stderr.startswith("nkcorpus: error: another nkcorpus process is indexing")
        assert no_wait.stderr.count("\n") == 1

        found = run_cli("search", "lama", "--corpus", str(root), "--json", "-n", "500")
        assert found.returncode == 0 and len(found.stdout.splitlines()) == 200
        assert "another process is updating the index" in found.stderr
        assert run_cli("search", "baru", "--corpus", str(root)).returncode == 1
        assert '"busy": true' in run_cli("status", "--corpus", str(root), "--json").stdout

        second = Indexer(str(root))
        second.wait_for("waiting for another nkcorpus index")
    finally:
        first.release()
    assert first.finish()[0] == 2
    code, err = second.finish()
    assert code == 0 and "up to date" in err
    assert len(hit_files(root, index_base, "baru")) == 60
