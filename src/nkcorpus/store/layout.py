"""Where a corpus's index lives, and its generations.

One folder per corpus under the index base::

    <base>/<name>-<hash>/lock        writers hold an flock on it (``lock``)
    <base>/<name>-<hash>/CURRENT     name of the live generation folder
    <base>/<name>-<hash>/gen-<id>/   the backend's files + manifest.json + checksums.json

A full build writes a new generation and then swaps ``CURRENT`` atomically,
so an interrupted build leaves the previous index searchable.
"""

from __future__ import annotations

import hashlib
import re
import shlex
import shutil
from pathlib import Path

from nkcorpus.store.backend import backend

def corpus_home(base: Path, root: Path) -> Path:
    """The folder holding ``root``'s index under ``base``."""
    digest = hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    name = re.sub(r"[^\w.-]+", "_", root.name)[:40] or "corpus"
    return base / f"{name}-{digest}"


_GENERATION = re.compile(r"gen-[0-9a-f]+-[0-9]+")


def current_generation(home: Path) -> Path | None:
    """The live generation folder, or None (no index, or a damaged CURRENT:
    only a generation folder right inside ``home`` is ever used)."""
    try:
        name = (home / "CURRENT").read_text(encoding="utf-8").strip()
    except (OSError, ValueError):
        return None
    gen = home / name
    return gen if _GENERATION.fullmatch(name) and gen.is_dir() else None


def tidy(home: Path) -> None:
    """Remove what killed runs left behind (call with the writer lock held):
    dead generations (but an interrupted build that can be continued),
    temporary files, and what the backend's killed writers left in the
    live generation."""
    from nkcorpus.store import resume

    live = current_generation(home)
    unfinished = resume.kept(home)  # an interrupted build is kept to resume
    for entry in home.iterdir():
        if entry.name.startswith("gen-") and entry not in (live, unfinished):
            shutil.rmtree(entry, ignore_errors=True)
        elif _is_temp(entry.name):
            entry.unlink(missing_ok=True)
    if live is not None:
        backend().tidy(live)


def _is_temp(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")


def index_command(root: Path, home: Path, rebuild: bool = False) -> str:
    """The command that (re)builds the index of ``root`` kept in ``home``."""
    from nkcorpus.settings import index_base

    words = ["nkcorpus", "index", *(["--rebuild"] if rebuild else []), str(root)]
    if home.parent != index_base():
        words += ["--index-dir", str(home.parent)]
    return shlex.join(words)
