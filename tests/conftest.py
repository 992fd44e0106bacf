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


# A small dated corpus for the research views and the report (test_views,
# test_report): dates from a sidecar, from a file name, by year only, none.
DOCS = {
    "a.txt": "Korea Utara kembali menguji rudal balistik.\n\n"
             "Dewan Keamanan PBB menjatuhkan sanksi baru kepada Korea Utara.\n",
    "b.txt": "Dewan Keamanan membahas sanksi terhadap Korea Utara.\n\n"
             "Pemimpin Korea Utara Kim Jong-un menolak perundingan.\n",
    "c.txt": "Kim Jong-un bertemu Presiden Trump. Korea Utara berjanji denuklirisasi.\n",
    "berita-2019-03-02.txt": "Korea Utara dan Dewan Keamanan kembali berselisih soal sanksi.\n",
    "d.txt": "Korea Utara tidak disebut tanggalnya. Sanksi ekonomi tetap berlaku.\n",
    "e.txt": "Laporan tahunan tentang Korea Utara.\n",
    "f.txt": "Harga beras di pasar naik lagi minggu ini.\n\nPetani menanam padi di sawah.\n\n"
             "Hujan deras membuat jalan di kota tergenang.\n\nSekolah libur karena banjir.\n",
    "g.txt": "Pemerintah daerah membangun jembatan baru.\n\nPasar tradisional ramai menjelang lebaran.\n",
}
SIDECAR = "file,date,title\na,2019-01-15,Uji rudal\nb,2019-01-20,Sanksi DK PBB\nc,2019-03-30,KTT\ne,2019,Tahunan\n"


@pytest.fixture
def dated(tmp_path, index_base):
    root = tmp_path / "dated"
    root.mkdir()
    for name, text in DOCS.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "meta.csv").write_text(SIDECAR, encoding="utf-8")
    return root
