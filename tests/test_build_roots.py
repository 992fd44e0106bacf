"""Rules of benchmarks/build_roots.py on small made-up word counts."""

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from build_roots import derive_roots, family_counts  # noqa: E402

from nkcorpus.analysis import stem  # noqa: E402


def test_clitic_form_of_a_common_base_is_not_a_root():
    roots = derive_roots(Counter({"negara": 500, "negaranya": 80, "masa": 300, "masalah": 20}), set())
    assert "negara" in roots and "negaranya" not in roots
    assert "masalah" not in roots  # nothing says otherwise: masa-lah


def test_word_whose_base_is_rare_beside_it_is_a_root():
    roots = derive_roots(Counter({"langkah": 2000, "lang": 4}), set())
    assert "langkah" in roots


def test_word_taking_a_derivational_suffix_is_not_a_clitic_form():
    vocab = Counter({"masa": 300, "masalah": 300, "permasalahan": 60, "dipermasalahkan": 10})
    roots = derive_roots(vocab, set())
    assert "masalah" in roots and "permasalahan" not in roots


def test_word_after_ber_does_not_end_in_suffix_i():
    vocab = Counter({"santa": 400, "santai": 300, "bersantai": 80, "disantai": 1})
    assert {"santai"} <= derive_roots(vocab, set()) - {"bersantai"}
    assert "bersantai" not in derive_roots(vocab, set())


def test_bundled_list_keeps_these_words_apart():
    assert stem("masalah") != stem("masa") and stem("permasalahan") == stem("masalah")
    assert stem("langkah") == stem("melangkah") != stem("lang")
    assert stem("bersantai") == stem("santai")


def test_word_some_common_word_is_read_from_alone_is_a_root():
    vocab = Counter({"tuju": 3, "tujuan": 400, "menuju": 500, "ditujukan": 200, "setuju": 800,
                     "menyetujui": 300, "persetujuan": 250})
    roots = derive_roots(vocab, set())
    assert {"setuju", "tuju"} <= roots and "menuju" not in roots


def test_roots_are_ranked_with_the_words_read_from_them():
    counts = Counter({"ikan": 900, "beri": 300, "memberikan": 6000, "diberikan": 1700})
    family = family_counts({"ikan", "beri"}, counts)
    assert family["beri"] == 8000 > family["ikan"] == 900
