import pickle

from nkcorpus.analysis import iter_terms, stem
from nkcorpus.store.whoosh.tokenizer import IndonesianTokenizer


def terms(text, stemmed=True):
    return [t for t, _, _, _ in iter_terms(text, stemmed)]


def test_golden_tokens_seed_004_line_1():
    text = "Dalam rangka untuk meredakan ketegangan, pada bulan Oktobe 1994, Korut dan AS"
    assert terms(text) == [
        "dalam", "rangka", "untuk", "reda", "tegang", "pada", "bulan", "oktobe", "1994",
        "korut", "dan", "as",
    ]


def test_golden_tokens_seed_002_line_1():
    text = "Ketegangan konflik Korea Utara dengan negara-negara lain juga semakin membulatkan keputusan"
    assert terms(text) == [
        "tegang", "konflik", "korea", "utara", "dengan", "negara", "lain", "juga", "semakin",
        "bulat", "putus",
    ]


def test_unstemmed_field_keeps_surface_forms():
    assert terms("Negoisasi DK PBB, Kim Jong-un", stemmed=False) == [
        "negoisasi", "dk", "pbb", "kim", "jong", "un",
    ]


def test_reduplication_matches_plain_word():
    assert terms("negara-negara") == terms("negara") == ["negara"]
    assert terms("berpuluh-puluh tahun") == ["puluh", "tahun"]
    assert terms("Bersama-sama") == terms("bersama")
    assert len(terms("bermacam-macam")) == 1


def test_as_is_never_dropped():
    assert "as" in terms("Presiden AS Donald Trump")
    assert terms("AS") == ["as"]


def test_lowercase_before_stemming():
    assert stem("mengembangkan") == terms("MENGEMBANGKAN")[0]
    assert terms("Pengembangan") == terms("pengembangan")


def test_offsets_point_at_the_words():
    text = "Uji coba nuklir-nuklir Korut."
    for term, _, start, end in iter_terms(text, stemmed=False):
        assert text[start:end].lower() == term


def test_tokenizer_pickles_and_yields_whoosh_tokens():
    tokenizer = pickle.loads(pickle.dumps(IndonesianTokenizer(stemmed=True)))
    tokens = [(t.text, t.pos, t.startchar, t.endchar)
              for t in tokenizer("uji coba nuklir", positions=True, chars=True)]
    assert tokens == [("uji", 0, 0, 3), ("coba", 1, 4, 8), ("nuklir", 2, 9, 15)]


def test_offsets_hold_when_lowercasing_changes_the_length():
    # "İ" lowercases to two characters: the text cannot be lowercased at once
    for text in ("Kota İstanbul dan negara-negara Qur'an", "KORUT, Korsel dan AS-Korut"):
        found = list(iter_terms(text, stemmed=False))
        assert [p for _, p, _, _ in found] == list(range(len(found)))
        for term, _, start, end in found:
            assert text[start:end].lower() == term
    assert terms("Kota İstanbul", stemmed=False)[0] == "kota"
    assert terms("AS-Korut dan NEGARA-NEGARA") == ["as", "korut", "dan", "negara"]


def test_context_after_the_mark_weighs_less_and_stands_apart():
    from nkcorpus.analysis import CONTEXT_WEIGHT, with_context

    value = with_context("Respon Jepang tegas", "2. Jepang")
    tokens = [(t.text, t.pos, t.boost, value[t.startchar:t.endchar])
              for t in IndonesianTokenizer(stemmed=True)(value, positions=True, chars=True)]
    assert tokens[:3] == [("respon", 0, 1.0, "Respon"), ("jepang", 1, 1.0, "Jepang"), ("tegas", 2, 1.0, "tegas")]
    assert [(t, b, s) for t, _, b, s in tokens[3:]] == [("2", CONTEXT_WEIGHT, "2"), ("jepang", CONTEXT_WEIGHT, "Jepang")]
    assert tokens[3][1] > tokens[2][1] + 50  # no phrase runs across
    assert with_context("teks", "") == "teks"
