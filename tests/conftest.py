from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def seed(name_prefix: str) -> Path:
    return next(SEEDS.glob(f"{name_prefix}_*.txt"))


def seed_line(name_prefix: str, line: int) -> str:
    return seed(name_prefix).read_text(encoding="utf-8").split("\n")[line - 1]


@pytest.fixture
def index_base(tmp_path, monkeypatch) -> Path:
    """A private index folder, also given to subprocesses through the env."""
    base = tmp_path / "indexes"
    monkeypatch.setenv("NKCORPUS_INDEX_DIR", str(base))
    return base


def run_cli(*args: str, env: dict | None = None, input: str | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m nkcorpus`` in a real subprocess, capturing text output."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("NO_COLOR", None) if env is None or "NO_COLOR" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "nkcorpus", *args],
        capture_output=True, text=True, encoding="utf-8", env=full_env, input=input,
        cwd=cwd, timeout=120,
    )
