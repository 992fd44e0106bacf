"""File-system helpers shared by the index modules."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def atomic_write(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` so that readers see the old file or the
    whole new one, never a part (a synced temporary file, then a rename)."""
    atomic_write_bytes(path, [content.encode("utf-8")])


def atomic_write_bytes(path: Path, parts: Iterable[bytes]) -> None:
    """``atomic_write`` for bytes, written part by part."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            for part in parts:
                f.write(part)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
