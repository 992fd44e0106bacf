"""The benchmark scripts keep running against the library as it changes
(no timing here: quality figures only, which do not depend on the machine)."""

import re
import subprocess
import sys

import pytest

from conftest import ROOT


def run_script(*args: str) -> str:
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_quality_benchmark_runs_and_nkcorpus_beats_every_baseline():
    out = run_script("benchmarks/quality.py", "--split", "all", "--mode", "lexical")
    ndcg = {m[0]: float(m[1]) for m in re.findall(r"^\| ([a-z0-9-]+) \| ([\d.]+) \|", out, re.M)}
    assert set(ndcg) == {"nkcorpus", "fts5", "whoosh-plain", "whoosh-snowball"}
    assert all(ndcg["nkcorpus"] > score + 0.1 for name, score in ndcg.items() if name != "nkcorpus")


def test_quality_benchmark_hybrid_keeps_the_keyword_set_and_gains_on_meaning():
    """The recommended fusion as measured by benchmarks/semantic_fusion.py
    (docs/semantic-notes.md): keyword set level with lexical, meaning set up."""
    from nkcorpus.analysis import embed

    reason = embed.available()
    if reason:
        pytest.skip(f"meaning search unavailable: {reason}")

    def ndcg(*args):
        out = run_script("benchmarks/quality.py", "--split", "all", "--mode", "both", *args)
        return {m[0]: float(m[1]) for m in re.findall(r"^\| ([a-z0-9-]+) \| ([\d.]+) \|", out, re.M)}

    keyword = ndcg()
    assert keyword["nkcorpus-hybrid"] >= keyword["nkcorpus"] - 0.01
    meaning = ndcg("--queries", "benchmarks/data/queries_meaning.tsv")
    assert meaning["nkcorpus-hybrid"] >= meaning["nkcorpus"] + 0.05


def test_stemming_benchmark_runs_and_beats_bare_snowball():
    out = run_script("benchmarks/stemming.py")
    nk, snowball = re.search(r"^\| \*\*all\*\* \| \d+ \| \**([\d.]+)%\** \| \**([\d.]+)%\** \|", out, re.M).groups()
    assert float(nk) > float(snowball)


def load_quality():
    """benchmarks/quality.py as a module (it is a script, not a package)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import quality
    return quality


KEYWORD_CATEGORIES = {"plain", "morph", "alias", "english", "typo", "phrase", "multi"}


@pytest.mark.parametrize("name, at_least, allowed", [
    ("queries.tsv", 67, KEYWORD_CATEGORIES), ("queries_heldout.tsv", 30, KEYWORD_CATEGORIES),
    ("queries_meaning.tsv", 66, {"english", "question", "paraphrase"})])
def test_judged_sets_parse_and_point_at_real_seed_passages(name, at_least, allowed):
    quality = load_quality()
    path = ROOT / "benchmarks/data" / name
    queries = quality.load_queries(path)
    real = {(f, line) for f, line, _ in quality.passages()}
    assert len(queries) >= at_least
    assert all(j.grades and set(j.grades.values()) <= {1, 2, 3} for j in queries)
    assert [(j.qid, ref) for j in queries for ref in j.grades if ref not in real] == []
    cats = quality.categories(path)
    assert {j.qid for j in queries} <= set(cats)
    assert set(cats.values()) <= allowed
    if name == "queries_meaning.tsv":  # the three categories of issue 16, all present
        assert {j.qid for j in queries} == set(cats) and set(cats.values()) == allowed


def load_knownitem():
    """benchmarks/knownitem.py as a module (its corpora are not needed here)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import knownitem
    return knownitem


def test_knownitem_queries_splits_and_metrics():
    ki = load_knownitem()
    assert ki.clickid_split("Judul Berita Ini\n\nParagraf satu.\nParagraf dua.\n") == (
        "Judul Berita Ini", "Paragraf satu.\nParagraf dua.\n")
    # a slug of 50 characters may be cut: its last word is dropped
    assert ki.indosum_query("indosum-1472925641-tidur-di-rapat-kim-jong-un-hukum-mati-2-pejabat-pa.txt") == (
        "indosum-1472925641", "tidur di rapat kim jong un hukum mati 2 pejabat")
    assert ki.indosum_query("indosum-1472554836-ketua-parfi-ditangkap-bawa-sabu.txt") == (
        "indosum-1472554836", "ketua parfi ditangkap bawa sabu")
    items = [ki.Item(f"a{i}", f"satu dua tiga empat lima {i}", f"a{i}.txt") for i in range(50)]
    items += [ki.Item("b1", "Sama Judul Ini Lima Kata", "b1.txt"), ki.Item("b2", "sama judul ini lima kata", "b2.txt"),
              ki.Item("c1", "hanya empat kata saja", "c1.txt")]
    drawn = ki.draw(items, 100, seed=1)
    assert {it.qid for it in drawn} == {f"a{i}" for i in range(50)}  # shared and short headlines never
    assert ki.draw(items, 10, seed=1) == ki.draw(items, 10, seed=1)
    assert {ki.split_of(it.qid) for it in drawn} == {"dev", "test"}
    assert ki.collapse(["x", "y", "x", "z"]) == ["x", "y", "z"]
    m = ki.metrics([1, 2, None, 20])
    assert m["MRR@10"] == (1 + 0.5) / 4 and m["S@1"] == 0.25 and m["S@10"] == 0.5 and m["S@100"] == 0.75
    passages = [("a", 10.0), ("b", 9.0), ("b", 8.0)]
    doc = [("b", 5.0), ("c", 4.0)]
    assert ki.blend(passages, doc, 1.0) == ["a", "b", "c"]
    assert ki.blend(passages, doc, 0.0)[:2] == ["b", "c"]
    assert ki.blend(passages, doc, 1.0, k=2) == ["b", "a", "c"]
