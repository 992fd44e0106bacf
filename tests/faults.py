"""Helpers for the failure-injection tests: real corpora, real index files,
the real CLI in a subprocess, and private mounts where the sandbox allows."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from nkcorpus.store import layout
from nkcorpus.store import update as upd

from conftest import SEEDS, run_cli

# A word found in one seed paragraph only (004, line 7): "Korut".
WORD = "Korut"


def make_corpus(parent: Path, name: str = "korpus") -> Path:
    root = parent / name
    shutil.copytree(SEEDS, root)
    return root.resolve()


def build(root: Path, base: Path) -> Path:
    """Index ``root`` under ``base`` in-process; the corpus's index home."""
    home = layout.corpus_home(base, root)
    upd.update(root, home)
    return home


def live(home: Path) -> Path | None:
    return layout.current_generation(home)


def nk(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The CLI in a real process (NKCORPUS_DEBUG unset: what users see)."""
    return run_cli(*args, env={"NKCORPUS_DEBUG": "", **(env or {})})


def search_json(root: Path, base: Path, query: str = WORD, *extra: str) -> subprocess.CompletedProcess:
    return nk("search", query, "--json", "--corpus", str(root), "--index-dir", str(base), *extra)


def hits(proc: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.splitlines()]


def assert_one_error_line(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("nkcorpus: error: "), proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    for word in words:
        assert word in proc.stderr, (word, proc.stderr)


def warnings_of(proc: subprocess.CompletedProcess) -> list[str]:
    lines = proc.stderr.splitlines()
    assert all(line.startswith("nkcorpus: warning: ") for line in lines), proc.stderr
    return lines


def python_with(patch: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The CLI in a real process after running ``patch`` (a fault injected at
    an exact point, e.g. a folder removed while the index is being built)."""
    code = f"import sys\n{patch}\nfrom nkcorpus.cli.app import run\nsys.exit(run(sys.argv[1:]))\n"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env={**os.environ, "NKCORPUS_DEBUG": "", **(env or {})}, timeout=120)


def snapshot(*folders: Path) -> dict[str, tuple[int, int] | None]:
    """Every file below ``folders``: path -> (size, mtime_ns); folders -> None
    (a folder's own mtime changes when something is created and removed)."""
    seen = {}
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            seen.update({os.path.join(dirpath, name): None for name in dirnames})
            for name in filenames:
                st = os.lstat(os.path.join(dirpath, name))
                seen[os.path.join(dirpath, name)] = (st.st_size, st.st_mtime_ns)
    return seen


_UNSHARE = shutil.which("unshare")


def can_mount() -> bool:
    """True if a private mount namespace with tmpfs and bind mounts works here."""
    if _UNSHARE is None or os.geteuid() != 0:
        return False
    probe = subprocess.run([_UNSHARE, "-m", "--propagation", "private", "sh", "-c",
                            "mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null || exit 1"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


def in_private_mounts(setup: str, *argv: str, after: str = "") -> subprocess.CompletedProcess:
    """Run ``argv`` in a private mount namespace after the shell ``setup``,
    then ``after`` (mounts vanish with the namespace; the host's stay as
    they were). The exit code is ``argv``'s."""
    script = f'set -e\n{setup}\nset +e\n"$@"\nrc=$?\n{after}\nexit $rc\n'
    return subprocess.run([_UNSHARE, "-m", "--propagation", "private", "sh", "-c", script, "sh", *argv],
                          capture_output=True, text=True, timeout=180,
                          env={**os.environ, "NKCORPUS_DEBUG": ""})


def read_only(folder: Path) -> str:
    """Shell lines that make ``folder`` a read-only bind mount of itself."""
    return f"mount --bind '{folder}' '{folder}'\nmount -o remount,bind,ro '{folder}'"


NK = [sys.executable, "-m", "nkcorpus"]
