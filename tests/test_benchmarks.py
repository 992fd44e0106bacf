"""The benchmark scripts keep running against the library as it changes
(no timing here: quality figures only, which do not depend on the machine)."""

import re
import subprocess
import sys

from conftest import ROOT


def run_script(*args: str) -> str:
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_quality_benchmark_runs_and_nkcorpus_beats_every_baseline():
    out = run_script("benchmarks/quality.py", "--split", "all")
    ndcg = {m[0]: float(m[1]) for m in re.findall(r"^\| ([a-z0-9-]+) \| ([\d.]+) \|", out, re.M)}
    assert set(ndcg) == {"nkcorpus", "fts5", "whoosh-plain", "whoosh-snowball"}
    assert all(ndcg["nkcorpus"] > score + 0.1 for name, score in ndcg.items() if name != "nkcorpus")


def test_stemming_benchmark_runs_and_beats_bare_snowball():
    out = run_script("benchmarks/stemming.py")
    nk, snowball = re.search(r"^\| \*\*all\*\* \| \d+ \| \**([\d.]+)%\** \| \**([\d.]+)%\** \|", out, re.M).groups()
    assert float(nk) > float(snowball)
