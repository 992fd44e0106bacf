"""Interruptions of a parallel full build, with real processes and signals.

A few thousand CLICK-ID articles (from ``shared/corpora`` beside the repo)
make a build of several seconds with two worker processes and checkpoints
every second (``NKCORPUS_CHECKPOINT_SECONDS``). The indexer alone (not its
process group) gets SIGKILL, SIGTERM, SIGHUP or SIGINT at a known stage,
found by polling: workers started, a first checkpoint written, several.
Then no process of its group may remain, the next ``index`` must finish
(resuming, and saying so), and every document must be in the index.
Nothing waits a fixed time: conditions are polled with generous bounds.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from nkcorpus.store import layout, lock, lockfile, resume
from nkcorpus.store import manifest as mf
from nkcorpus.store import update as upd
from nkcorpus.store.whoosh import backend as wb

from conftest import ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux /proc")

TEXT_BYTES = wb.PARALLEL_MIN_BYTES + 2**18  # built by worker processes, in a few seconds
ARTICLES = 0  # how many articles that is (set by the fixture)
BOUND = 120  # seconds any one run may take on a slow, shared machine
GONE_WITHIN = 15  # seconds for a killed indexer's workers to be gone


def _tarball() -> Path | None:
    for shared in (ROOT.parent / "shared", ROOT.parent.parent / "shared"):
        path = shared / "corpora" / "clickid-2019.tar.gz"
        if path.is_file():
            return path
    return None


@pytest.fixture(scope="module")
def articles(tmp_path_factory) -> Path:
    """A folder of CLICK-ID articles (extracted once for the module)."""
    tarball = _tarball()
    if tarball is None:
        pytest.skip("clickid-2019.tar.gz not found in ../shared/corpora or ../../shared/corpora")
    global ARTICLES
    root = tmp_path_factory.mktemp("clickid") / "artikel"
    root.mkdir()
    taken = nbytes = 0
    with tarfile.open(tarball) as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".txt"):
                data = tar.extractfile(member).read()
                (root / Path(member.name).name).write_bytes(data)
                taken, nbytes = taken + 1, nbytes + len(data)
                if nbytes >= TEXT_BYTES:
                    break
    ARTICLES = taken
    return root


@pytest.fixture(scope="module")
def clean(articles, tmp_path_factory) -> Path:
    """The index folder of an uninterrupted build of ``articles``."""
    base = tmp_path_factory.mktemp("clean") / "indexes"
    done, _ = run_index(articles, base)
    assert done.returncode == 0, done.stderr
    return base


def env_for(base: Path, **more: str) -> dict:
    env = {**os.environ, "NKCORPUS_INDEX_DIR": str(base), "NKCORPUS_PROCS": "2",
           resume.CHECKPOINT_ENV: "0.3", resume.CHECKPOINT_BYTES_ENV: str(2**18)}
    env.pop("NO_COLOR", None)
    env.update(more)
    return env


def start_index(root: Path, base: Path, *extra: str) -> subprocess.Popen:
    """``nkcorpus index`` in its own process group (the group is its pid)."""
    return subprocess.Popen([sys.executable, "-m", "nkcorpus", "index", *extra, str(root)],
                            env=env_for(base), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def run_index(root: Path, base: Path, *extra: str) -> tuple[subprocess.CompletedProcess, float]:
    """``nkcorpus index``, which must end within ``BOUND`` seconds; its time."""
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "nkcorpus", "index", *extra, str(root)],
                          env=env_for(base), capture_output=True, text=True, timeout=BOUND)
    return proc, time.monotonic() - started


def poll(condition, what: str, bound: float = BOUND, every: float = 0.02):
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {bound}s: {what}")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group ``pgid``."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields and int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry))
    return members


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields and int(fields[1]) == pid:
                found.append(int(entry))
    return found


def home_of(root: Path, base: Path) -> Path:
    return layout.corpus_home(base, root.resolve())


def unfinished_files(home: Path) -> int:
    """Files recorded by the newest checkpoint of an unfinished build."""
    for gen in sorted(home.glob("gen-*")):
        try:
            return len(json.loads((gen / resume.UNFINISHED).read_text())["files"])
        except (OSError, ValueError, KeyError):
            continue
    return 0


def check_complete(root: Path, base: Path) -> None:
    """Every article is in the live index, once."""
    gen = layout.current_generation(home_of(root, base))
    assert gen is not None
    manifest = mf.load_manifest(gen)
    names = {p.name for p in root.iterdir()}
    assert set(manifest.files) == names and not manifest.skipped
    with wb.open_generation(gen).reader() as reader:
        assert set(reader.field_terms("path")) == names
        documents = reader.doc_frequency("record", "doc")  # a document record per file
        assert documents == len(names) and reader.doc_count() - documents == manifest.passages  # no passage twice
    assert not (gen / resume.UNFINISHED).exists()


def stop_at(proc: subprocess.Popen, home: Path, stage: str, sig: int, after: int = 0) -> int:
    """Wait for ``stage`` of the build (workers running; a checkpoint of
    more than ``after`` files), send ``sig`` to the indexer alone, wait for
    its whole group to be gone; the files its last checkpoint holds."""
    poll(lambda: len(children(proc.pid)) >= 2 or proc.poll() is not None, "workers started")
    if stage == "checkpoint":
        poll(lambda: unfinished_files(home) > after or proc.poll() is not None, "a checkpoint")
    assert proc.poll() is None, "the build ended before it could be interrupted"
    os.kill(proc.pid, sig)
    proc.wait(timeout=BOUND)
    poll(lambda: not group_members(proc.pid), "the indexer's workers gone", bound=GONE_WITHIN, every=0.05)
    return unfinished_files(home)


def resumed_count(stderr: str) -> int:
    found = re.search(r"resuming: ([\d,]+) of ([\d,]+) files already indexed", stderr)
    assert found, stderr
    assert int(found.group(2).replace(",", "")) == ARTICLES
    return int(found.group(1).replace(",", ""))


def files_read(stderr: str) -> int:
    return int(re.search(r"read ([\d,]+) files", stderr).group(1).replace(",", ""))


def kill_chain(root: Path, base: Path, sigs: list[int], codes: list[int], *extra: str) -> None:
    """Interrupt successive runs with ``sigs`` (the first as soon as its
    workers run, each other one at its first checkpoint), checking each
    stop and each resume; then a last run finishes the build."""
    home = home_of(root, base)
    kept = 0
    for n, (sig, code) in enumerate(zip(sigs, codes)):
        proc = start_index(root, base, *(extra if n == 0 else ()))
        before = kept
        kept = stop_at(proc, home, "workers" if n == 0 else "checkpoint", sig, after=before)
        err = proc.stderr.read()
        assert proc.returncode == code, err
        if sig != signal.SIGKILL:
            assert err.strip().endswith("nkcorpus: interrupted") and "Traceback" not in err, err
            assert not (home / lockfile.HOLDER).exists()  # released, not left behind
        if before:
            assert resumed_count(err) == before
        assert n == 0 or kept > before
    done, _ = run_index(root, base)
    assert done.returncode == 0, done.stderr
    assert resumed_count(done.stderr) == kept and files_read(done.stderr) == ARTICLES - kept
    check_complete(root, base)
    assert [p.name for p in home.glob("gen-*")] == [layout.current_generation(home).name]


def test_sigkill_at_several_moments_leaves_no_worker_and_loses_no_checkpoint(articles, tmp_path, clean):
    base = tmp_path / "indexes"
    kill_chain(articles, base, [signal.SIGKILL] * 3, [-signal.SIGKILL] * 3)
    same_answers(articles, clean, base)


def test_sigterm_sighup_sigint_stop_cleanly_and_keep_the_work(articles, tmp_path):
    base = tmp_path / "indexes"
    kill_chain(articles, base, [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], [143, 129, 130])


def test_an_interrupted_rebuild_is_finished_by_the_next_run(articles, tmp_path, clean):
    """The live index answers throughout; the next run without --rebuild
    finishes the rebuild."""
    import shutil

    base = tmp_path / "indexes"
    shutil.copytree(clean, base)
    home = home_of(articles, base)
    live = layout.current_generation(home)
    proc = start_index(articles, base, "--rebuild")
    kept = stop_at(proc, home, "checkpoint", signal.SIGKILL)
    assert kept > 0 and layout.current_generation(home) == live  # the old one stays live
    done, _ = run_index(articles, base)  # no --rebuild: it finishes the interrupted one
    assert done.returncode == 0 and resumed_count(done.stderr) == kept, done.stderr
    assert layout.current_generation(home) != live
    check_complete(articles, base)


def same_answers(root: Path, clean: Path, base: Path) -> None:
    """Searches answer alike on both indexes (every hit, its line and score)."""
    for query in ("banjir", "presiden jokowi", '"piala dunia"'):
        answers = []
        for b in (clean, base):
            out = subprocess.run([sys.executable, "-m", "nkcorpus", "search", query, "--json", "-n", "10000",
                                  "--per-file", "0", "--corpus", str(root)], env=env_for(b), capture_output=True,
                                 text=True, timeout=BOUND).stdout
            hits = [json.loads(line) for line in out.splitlines()]
            answers.append(sorted((h["path"], h["line_start"], round(h["score"], 4)) for h in hits))
        assert answers[0] and answers[0] == answers[1], query


# --- the lock ---------------------------------------------------------------------


def small_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "korpus"
    root.mkdir()
    for n in range(5):
        (root / f"berita-{n}.txt").write_text(f"Banjir melanda desa nomor {n}.\n", encoding="utf-8")
    return root


FAKE_INDEXER = """
import fcntl, json, os, sys, time
home = sys.argv[1]
fd = os.open(os.path.join(home, "lock"), os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
with open(os.path.join(home, "lock.holder"), "w") as f:
    json.dump({"pid": os.getpid(), "start": None, "started": time.time(), "command": "nkcorpus index"}, f)
if os.fork() == 0:  # a worker that inherits the lock, as older versions' did
    os.setsid()
    time.sleep(120)
    os._exit(0)
os._exit(0)  # the indexer dies without releasing anything
"""


def test_a_lock_left_to_an_orphan_of_a_dead_indexer_is_taken_over(tmp_path):
    root = small_corpus(tmp_path)
    base = tmp_path / "indexes"
    home = home_of(root, base)
    home.mkdir(parents=True)
    script = tmp_path / "bin" / "nkcorpus"  # its command line names nkcorpus, as a worker's does
    script.parent.mkdir()
    script.write_text(FAKE_INDEXER)
    subprocess.run([sys.executable, str(script), str(home)], check=True, timeout=BOUND)
    dead = lockfile.read_holder(home).pid
    orphans = poll(lambda: [p for p, _ in lockfile.flock_holders(home / "lock")], "the orphan holds the lock")
    assert dead not in orphans and not lockfile.alive(dead)
    done, _ = run_index(root, base)
    assert done.returncode == 0, done.stderr
    assert f"took over the index lock from pid {orphans[0]}, left behind by an nkcorpus index (pid {dead})" \
        in done.stderr
    poll(lambda: not lockfile.alive(orphans[0]), "the orphan killed", bound=GONE_WITHIN)


def test_a_stale_holder_record_does_not_stop_anything(tmp_path):
    root = small_corpus(tmp_path)
    base = tmp_path / "indexes"
    home = home_of(root, base)
    home.mkdir(parents=True)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    (home / lockfile.HOLDER).write_text(json.dumps(
        {"pid": gone.pid, "start": None, "started": time.time(), "command": "nkcorpus index"}))
    done, _ = run_index(root, base, "--no-wait")
    assert done.returncode == 0 and "waiting" not in done.stderr, done.stderr


def test_a_lock_held_by_an_unrelated_live_process_is_taken_over(tmp_path):
    root = small_corpus(tmp_path)
    base = tmp_path / "indexes"
    home = home_of(root, base)
    home.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time\n"
         "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\nfcntl.flock(fd, fcntl.LOCK_EX)\n"
         "print('locked', flush=True)\ntime.sleep(120)\n", str(home / "lock")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        done, _ = run_index(root, base)
        assert done.returncode == 0, done.stderr
        assert f"the index lock was held by pid {holder.pid}" in done.stderr
        assert "which is not an nkcorpus index; took it over" in done.stderr
        assert holder.poll() is None  # left alone
        assert run_index(root, base, "--no-wait")[0].returncode == 0  # the new lock file is free
    finally:
        holder.kill()
        holder.wait()


def test_a_live_indexer_is_named_and_waited_for(tmp_path):
    root = small_corpus(tmp_path)
    base = tmp_path / "indexes"
    home = home_of(root, base)
    with lock.writer_lock(home, upd.Progress()):
        refused, _ = run_index(root, base, "--no-wait")
        assert refused.returncode == 2
        assert f"another nkcorpus process is indexing this corpus (pid {os.getpid()}, started " \
            in refused.stderr
        waiting = start_index(root, base)
        line = waiting.stderr.readline()
        assert re.fullmatch(rf"nkcorpus: waiting for another nkcorpus index \(pid {os.getpid()}, "
                            r"started \d\d:\d\d\)…\n", line), line
    assert waiting.wait(timeout=BOUND) == 0
    assert "waiting" not in waiting.stderr.read()  # said once


def test_closing_the_terminal_stops_the_build_cleanly(articles, tmp_path):
    """SIGHUP as a terminal sends it, to the whole foreground group, with
    the progress bar drawn on that terminal: exit 129, no worker left, the
    checkpoint kept, the lock released."""
    import pty
    import select

    base = tmp_path / "indexes"
    home = home_of(articles, base)
    pid, fd = pty.fork()
    if pid == 0:  # the child: its session's controlling terminal is the pty
        os.execve(sys.executable, [sys.executable, "-m", "nkcorpus", "index", str(articles)], env_for(base))
    try:
        deadline = time.monotonic() + BOUND
        while not unfinished_files(home) and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.05)[0]:
                os.read(fd, 65536)  # the progress bar
    finally:
        os.close(fd)  # the terminal goes: the kernel sends SIGHUP to the group
    assert unfinished_files(home), "no checkpoint"
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 129
    poll(lambda: not group_members(pid), "the indexer's workers gone", bound=GONE_WITHIN, every=0.05)
    assert unfinished_files(home) and layout.current_generation(home) is None
    assert not (home / lockfile.HOLDER).exists()
