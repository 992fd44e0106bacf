"""Confix stripping checked against a root list, and the bundled list."""

from nkcorpus.analysis import snowball, stem
from nkcorpus.analysis.morph import RootStemmer, load_roots, parses, prefix_readings


def roots_of(word):
    return {root for root, _, _ in parses(word)}


def test_nasal_recoding():
    assert "kuasa" in roots_of("menguasai")
    assert "pasok" in roots_of("memasok")
    assert {"nyata", "sata"} & roots_of("menyatakan") == {"nyata", "sata"}
    assert "tarik" in roots_of("penarikan")
    assert "bom" in roots_of("mengebom")


def test_stacked_prefixes_and_confixes():
    assert "tahan" in roots_of("dipertahankan")
    assert "pimpin" in roots_of("kepemimpinannya")
    assert "hasil" in roots_of("keberhasilan")
    assert "kerja" in roots_of("bekerja") and "ajar" in roots_of("belajar")


def test_no_root_starts_with_a_left_over_nasal():
    assert all(not r.startswith("mb") for r, _ in prefix_readings("pembangunan"))


def test_stemmer_prefers_fewest_affixes_then_frequency():
    stemmer = RootStemmer(load_roots("kembang\nkembangan\nusaha\nrusaha\n"))
    assert stemmer("kembangan") == "kembangan"
    assert stemmer("pengembangan") == "kembangan"  # one affix beats two
    assert stemmer("berusaha") == "usaha"  # same affixes: the more frequent root
    assert stemmer("qwerty") is None


def test_bundled_list_fixes_snowball_errors():
    for word, root in [("pengembangan", "kembang"), ("dikembangkan", "kembang"), ("menguasai", "kuasa"),
                       ("bertemu", "temu"), ("pengayaan", "kaya"), ("kepemimpinan", "pimpin"),
                       ("pemimpin", "pimpin"), ("pasokan", "pasok"), ("memasok", "pasok"),
                       ("diplomasinya", "diplomasi"), ("perundingan", "runding")]:
        assert stem(word) == stem(root), word
    assert snowball("berita") != "berita" and stem("berita") == "berita"
    assert stem("selatan") == "selatan" and stem("kepala") == "kepala"


def test_out_of_vocabulary_words_fall_back_to_snowball():
    assert stem("negoisasikan") == snowball("negoisasikan") or stem("negoisasikan") == "negoisasi"


def test_prefix_and_suffix_that_never_combine_are_not_read():
    stemmer = RootStemmer(load_roots("didi\ndidik\nenak\nkena\nsanta\nsantai\n"))
    assert stemmer("pendidikan") == "didik"  # peN-...-an, not peN-didi-kan
    assert stemmer("mengenakan") == "kena"  # meN-kena-kan, not meN-enak-an
    assert stemmer("bersantai") == "santai"  # ber-santai, not ber-santa-i


def test_kan_after_a_root_ending_in_k_written_with_one_k():
    stemmer = RootStemmer(load_roots("naik\nmasuk\n"))
    assert stemmer("menaikan") == "naik" and stemmer("dimasukan") == "masuk"
    assert stemmer("menaikkan") == "naik"


def test_ber_inside_another_prefix_needs_a_suffix():
    stemmer = RootStemmer(load_roots("ikan\nberi\nhenti\n"))
    assert stemmer("memberikan") == "beri" and stemmer("diberikan") == "beri"  # not meN-ber-ikan
    assert stemmer("memberhentikan") == "henti"  # meN-ber-henti-kan


def test_meN_and_se_stand_inside_no_prefix():
    assert "tuju" not in roots_of("menyetujui") and "setuju" in roots_of("menyetujui")
    assert "ting" not in roots_of("mementingkan") and "ting" not in roots_of("terpenting")
    assert "ting" in roots_of("kepentingan")  # ke-peN-...-an is a confix


def test_a_wrongly_stacked_reading_is_the_last_resort():
    assert RootStemmer(load_roots("bicara\n"))("pemebicara") == "bicara"  # a typo of pembicara


def test_bundled_list_reads_common_words_right():
    assert stem("memberikan") == stem("diberikan") == stem("berikan") == stem("memberi") == "beri"
    assert stem("penting") == stem("kepentingan") == stem("terpenting") == "penting"
    assert stem("setuju") == stem("persetujuan") == stem("menyetujui") == "setuju" != stem("tujuan")
    assert stem("memberhentikan") == "henti" and stem("memberlakukan") == "laku"
    assert stem("keberhasilan") == "hasil" and stem("menjadi") == "jadi"
