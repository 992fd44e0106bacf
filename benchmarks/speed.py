"""Speed benchmark: nkcorpus side by side with SQLite FTS5, ripgrep and bare Python.

Run it with the Python of the virtual environment nkcorpus is installed in::

    .venv/bin/python benchmarks/speed.py            # the full run (half an hour or more)
    .venv/bin/python benchmarks/speed.py --quick    # fewer repetitions, no large corpus
    .venv/bin/python benchmarks/speed.py --only c,d # some pairs only

Every pair runs interleaved (A B A B ...) after a warm-up, so both sides see
the same machine load; the ratio of the medians is what is compared with the
goal. Corpora are extracted from ../shared/corpora into benchmarks/.work/
(git-ignored) and reused. Only the CLI and the public library API
(``nkcorpus.Corpus``) are used, so the script
keeps working when the internals change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPORA = Path(os.environ.get("NKCORPUS_CORPORA", REPO.parent / "shared" / "corpora"))
CLICKID_FILES = 21_940
BIN = Path(sys.executable).parent


# --- running a child and measuring it ------------------------------------------


@dataclass
class Run:
    seconds: float
    maxrss_mb: float  # largest single process of the child's tree (getrusage)
    tree_mb: float  # sum of the tree's RSS, sampled from /proc (0 if not sampled)
    code: int


def run(cmd: list[str], env: dict | None = None, cwd: Path | None = None,
        sample_tree: bool = False, ok=(0,)) -> Run:
    """Run ``cmd`` with stdout/stderr to temporary files; time it and its memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
        sampler = _TreeSampler(proc.pid) if sample_tree else None
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        tree = sampler.stop() if sampler else 0.0
        if proc.returncode not in ok:
            err.seek(0)
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err.read().decode()[-2000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, tree, proc.returncode)


class _TreeSampler:
    """Peak of the summed RSS of a process and its descendants, every 0.1 s."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.done = pid, 0.0, threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.done.wait(0.1):
            self.peak = max(self.peak, sum(_rss_mb(p) for p in _tree(self.pid)))

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return self.peak


def _tree(pid: int) -> list[int]:
    pids, stack = [], [pid]
    while stack:
        p = stack.pop()
        pids.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                stack += [int(c) for c in Path(f"/proc/{p}/task/{task}/children").read_text().split()]
        except OSError:
            pass
    return pids


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def interleave(a, b, runs: int, warmup: int = 1) -> tuple[list[Run], list[Run]]:
    """Call ``a`` and ``b`` alternately: ``warmup`` untimed rounds, then ``runs``."""
    for _ in range(warmup):
        a(), b()
    ra, rb = [], []
    for _ in range(runs):
        ra.append(a())
        rb.append(b())
    return ra, rb


def med(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


# --- corpora -------------------------------------------------------------------


def extract(archive: str, work: Path, folder: str, expect: int | None = None) -> Path:
    """Extract a corpus archive into ``work`` once; later runs reuse it."""
    target = work / folder
    marker = work / f".{folder}.done"
    if marker.exists() and target.is_dir():
        return target
    print(f"extracting {archive} into {work} ...", flush=True)
    shutil.rmtree(target, ignore_errors=True)
    with tarfile.open(CORPORA / archive) as tar:
        tar.extractall(work, filter="data")
    count = sum(1 for _ in target.rglob("*.txt"))
    if expect is not None and count != expect:
        raise SystemExit(f"{target}: {count} files, expected {expect}")
    marker.touch()
    return target


def linked_copy(sources: dict[str, Path], target: Path, every: int = 1) -> Path:
    """A folder of hard links (no extra disk space): ``target/<name>/`` per source,
    keeping every ``every``-th file (sorted by name)."""
    marker = target.parent / f".{target.name}.done"
    if marker.exists() and target.is_dir():
        return target
    shutil.rmtree(target, ignore_errors=True)
    for name, src in sources.items():
        dest = target / name if name else target
        dest.mkdir(parents=True, exist_ok=True)
        for path in sorted(src.glob("*.txt"))[::every]:
            os.link(path, dest / path.name)
    marker.touch()
    return target


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*.txt")) / 1e6


def file_count(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.txt"))


# --- the two comparison tools ----------------------------------------------------


def fts5_build(root: Path, db: Path) -> None:
    """SQLite FTS5 (unicode61): one row per non-blank line, inserted from Python."""
    db.unlink(missing_ok=True)
    con = sqlite3.connect(db)
    con.execute("CREATE VIRTUAL TABLE lines USING fts5(path UNINDEXED, line UNINDEXED, "
                "text, tokenize='unicode61')")
    with con:
        con.executemany("INSERT INTO lines VALUES (?, ?, ?)", _lines(root))
    con.close()


def _lines(root: Path):
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not name.endswith(".txt"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    if line.strip():
                        yield path, number, line


def latency(corpus: str, base: str, rounds: int) -> dict:
    """p50/p95 of in-process searches over the query set (in a child process)."""
    from nkcorpus import Corpus

    queries = load_queries()
    result = {}
    folder = Corpus(corpus, index_dir=base)
    for label, update in (("default", True), ("update=False", False)):
        times, failed = [], 0
        for r in range(rounds + 1):  # round 0 warms caches, not counted
            for q in queries:
                t = time.perf_counter()
                try:
                    folder.search(q, update=update)
                except Exception:  # a query the current syntax rejects
                    failed += 1
                if r:
                    times.append(time.perf_counter() - t)
        times.sort()
        result[label] = {"p50": _pct(times, 50), "p95": _pct(times, 95), "max": times[-1],
                         "n": len(times), "errors": failed // (rounds + 1)}
    return result


def load_queries() -> list[str]:
    lines = (HERE / "data" / "speed_queries.tsv").read_text(encoding="utf-8").splitlines()
    return [ln.split("\t", 1)[1] for ln in lines if ln and not ln.startswith("#")]


def _pct(sorted_times: list[float], p: int) -> float:
    k = min(len(sorted_times) - 1, max(0, round(p / 100 * (len(sorted_times) - 1))))
    return sorted_times[k]


# --- the benchmark ------------------------------------------------------------------


@dataclass
class Row:
    what: str
    a: str
    b: str
    ratio: str
    goal: str
    ok: bool | None  # None: reported only
    note: str = ""


@dataclass
class Bench:
    work: Path
    build_runs: int
    search_runs: int
    sizes: list[str]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def nk(self, *args: str) -> list[str]:
        return [str(BIN / "nkcorpus"), *args]

    def env(self, base: Path) -> dict:
        # As after `pip install`: byte code cached (the warm-up writes it).
        drop = {"NKCORPUS_DEBUG", "PYTHONDONTWRITEBYTECODE"}
        env = {k: v for k, v in os.environ.items() if k not in drop}
        env["NKCORPUS_INDEX_DIR"] = str(base)
        return env

    # (a) (b) (e)
    def builds(self, clickid: Path) -> None:
        db = self.work / "fts5.db"
        self_cmd = [sys.executable, __file__, "--fts5-build", str(clickid), str(db)]
        full, reindex, fts = [], [], []
        run(self_cmd, cwd=self.work)  # warm-up: page cache, sqlite
        for i in range(self.build_runs):
            base = self.work / f"ix-build-{i}"
            shutil.rmtree(base, ignore_errors=True)
            env = self.env(base)
            full.append(run(self.nk("index", "-q", clickid.name), env, self.work, sample_tree=True))
            reindex.append(run(self.nk("index", "-q", clickid.name), env, self.work))
            fts.append(run(self_cmd, cwd=self.work, sample_tree=True))
            shutil.rmtree(base, ignore_errors=True)
            print(f"  build {i + 1}/{self.build_runs}: nkcorpus {full[-1].seconds:.1f} s, "
                  f"re-index {reindex[-1].seconds:.2f} s, FTS5 {fts[-1].seconds:.1f} s", flush=True)
        db.unlink(missing_ok=True)
        mb = folder_mb(clickid)
        self.add("(a) full `nkcorpus index` CLICK-ID vs FTS5 build", full, fts, 6.0,
                 note=f"{mb:.0f} MB: nkcorpus {mb / med(full):.2f} MB/s, FTS5 {mb / med(fts):.1f} MB/s")
        self.add("(b) re-index, no change vs full build", reindex, full, 0.05, pct=True)
        peak = max(r.maxrss_mb for r in full)
        tree = max(r.tree_mb for r in full)
        self.rows.append(Row("(e) peak memory of the full build", f"{peak:.0f} MB", "",
                             f"tree {tree:.0f} MB", "≤ 600 MB", max(peak, tree) <= 600,
                             f"largest process (getrusage) / whole process tree (sampled); "
                             f"FTS5 {max(r.maxrss_mb for r in fts):.0f} MB"))

    # (c)
    def startup(self) -> None:
        base = self.work / "ix-seeds"
        env = self.env(base)
        run(self.nk("index", "-q"), env, self.work)
        search = lambda: run(self.nk("search", "Six Party Talks", "--json"), env, self.work)  # noqa: E731
        bare = lambda: run([sys.executable, "-c", "pass"], env, self.work)  # noqa: E731
        a, b = interleave(search, bare, self.search_runs, warmup=3)
        self.add('(c) `search "Six Party Talks" --json` (bundled) vs `python -c pass`', a, b, 8.0)

    # (d)
    def versus_rg(self, corpora: dict[str, Path]) -> None:
        rg = shutil.which("rg")
        if rg is None:
            self.notes.append("(d) skipped: ripgrep (rg) is not installed")
            return
        base = self.work / "ix-corpora"
        env = self.env(base)
        for label, folder in corpora.items():
            started = time.perf_counter()
            run(self.nk("index", "-q", folder.name), env, self.work)
            print(f"  index of {label} ready ({time.perf_counter() - started:.0f} s)", flush=True)
            ours = lambda: run(self.nk("search", "nuklir", "--corpus", folder.name, "--json"),  # noqa: E731
                               env, self.work)
            theirs = lambda: run([rg, "-i", "-w", "nuklir", folder.name], env, self.work)  # noqa: E731
            a, b = interleave(ours, theirs, self.search_runs, warmup=2)
            goal = 1.5 if label == "full" else None
            self.add(f"(d) `search nuklir --json` vs `rg -i -w nuklir`: {label}", a, b, goal,
                     note=f"{file_count(folder)} files, {folder_mb(folder):.0f} MB")

    # (f)
    def latency(self, clickid: Path, rounds: int) -> None:
        base = self.work / "ix-corpora"
        run(self.nk("index", "-q", clickid.name), self.env(base), self.work)
        out = subprocess.run([sys.executable, __file__, "--latency", str(clickid), str(base), str(rounds)],
                             capture_output=True, text=True, check=True, cwd=self.work).stdout
        data = json.loads(out)
        for label, d in data.items():
            self.rows.append(Row(
                f"(f) in-process query latency, CLICK-ID, 50 queries ({label})",
                f"p50 {d['p50'] * 1000:.1f} ms", f"p95 {d['p95'] * 1000:.1f} ms",
                f"max {d['max'] * 1000:.0f} ms", "reported", None,
                f"{d['n']} searches" + (f", {d['errors']} queries rejected" if d["errors"] else "")))

    def add(self, what: str, a: list[Run], b: list[Run], goal: float | None,
            pct: bool = False, note: str = "") -> None:
        ratio = med(a) / med(b)
        shown = f"{ratio * 100:.1f}%" if pct else f"{ratio:.2f}x"
        goal_s = "" if goal is None else (f"≤ {goal * 100:.0f}%" if pct else f"≤ {goal:g}x")
        self.rows.append(Row(what, _secs(a), _secs(b), shown, goal_s or "trend",
                             None if goal is None else ratio <= goal, note))
        print("  " + table(self.rows[-1:])[-1], flush=True)


def _secs(runs: list[Run]) -> str:
    m = med(runs)
    return f"{m:.2f} s" if m >= 1 else f"{m * 1000:.0f} ms"


def header(bench: Bench) -> list[str]:
    def version(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.split("\n")[0].strip()
        except OSError:
            return "not installed"

    from importlib.metadata import version as pkg

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return [
        f"date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average at start {load}",
        f"versions: nkcorpus {pkg('nkcorpus')}, whoosh-reloaded {pkg('whoosh-reloaded')}, "
        f"typer {pkg('typer')}, SQLite {sqlite3.sqlite_version}, {version(['rg', '--version'])}",
        f"runs: {bench.build_runs} full builds, {bench.search_runs} per search pair, interleaved "
        f"A B A B after a warm-up; times are medians; ratio = median A / median B",
    ]


def table(rows: list[Row]) -> list[str]:
    out = ["| pair | A | B | ratio | goal | result | note |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        result = "reported" if r.ok is None else ("PASS" if r.ok else "FAIL")
        out.append(f"| {r.what} | {r.a} | {r.b} | {r.ratio} | {r.goal} | {result} | {r.note} |")
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="1 full build, 5 runs per search pair, no large corpus")
    p.add_argument("--only", default="a,b,c,d,e,f", help="pairs to run, e.g. c,d (a, b, e share builds)")
    p.add_argument("--build-runs", type=int, help="full builds to time [3; --quick 1]")
    p.add_argument("--search-runs", type=int, help="runs per search pair [15; --quick 5]")
    p.add_argument("--sizes", help="corpora for (d): quarter,full,large [--quick: quarter,full]")
    p.add_argument("--work", type=Path, default=HERE / ".work", help="scratch folder")
    p.add_argument("--fts5-build", nargs=2, metavar=("DIR", "DB"), help=argparse.SUPPRESS)
    p.add_argument("--latency", nargs=3, metavar=("DIR", "BASE", "ROUNDS"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.fts5_build:
        fts5_build(Path(args.fts5_build[0]), Path(args.fts5_build[1]))
        return 0
    if args.latency:
        print(json.dumps(latency(args.latency[0], args.latency[1], int(args.latency[2]))))
        return 0
    if not (BIN / "nkcorpus").exists():
        raise SystemExit(f"no nkcorpus in {BIN}: run this with the Python of nkcorpus's environment")
    only = set(args.only.split(","))
    sizes = (args.sizes or ("quarter,full" if args.quick else "quarter,full,large")).split(",")
    bench = Bench(args.work.resolve(), args.build_runs or (1 if args.quick else 3),
                  args.search_runs or (5 if args.quick else 15), sizes)
    bench.work.mkdir(parents=True, exist_ok=True)
    lines = header(bench)
    print("\n".join(lines), flush=True)
    clickid = extract("clickid-2019.tar.gz", bench.work, "clickid-2019", CLICKID_FILES)
    if only & {"a", "b", "e"}:
        print("(a, b, e) full builds ...", flush=True)
        bench.builds(clickid)
    if "c" in only:
        print("(c) start-up ...", flush=True)
        bench.startup()
    if "d" in only:
        print("(d) nkcorpus vs ripgrep ...", flush=True)
        bench.versus_rg(corpora_for(bench.work, clickid, sizes))
    if "f" in only:
        print("(f) in-process latency ...", flush=True)
        bench.latency(clickid, 1 if args.quick else 3)
    print()
    print("\n".join(lines + [f"load average at end {', '.join(f'{x:.1f}' for x in os.getloadavg())}", ""]
                    + table(bench.rows) + bench.notes))
    return 0


def corpora_for(work: Path, clickid: Path, sizes: list[str]) -> dict[str, Path]:
    """quarter: every 4th CLICK-ID file; full: CLICK-ID; large: CLICK-ID three
    times (hard links) plus IndoSum dev."""
    out = {}
    for size in sizes:
        if size == "quarter":
            out[size] = linked_copy({"": clickid}, work / "clickid-quarter", every=4)
        elif size == "full":
            out[size] = clickid
        elif size == "large":
            indosum = extract("indosum-dev.tar.gz", work, "indosum-dev")
            out[size] = linked_copy({"clickid-2019": clickid, "copy-1": clickid, "copy-2": clickid,
                                     "indosum-dev": indosum}, work / "clickid-x3-indosum")
        else:
            raise SystemExit(f"unknown size {size!r}: quarter, full or large")
    return out


if __name__ == "__main__":
    sys.exit(main())
