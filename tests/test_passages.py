import pytest

from nkcorpus.ingest.normalize import repair
from nkcorpus.ingest.passages import MAX_WORDS, split_passages

from conftest import SEEDS


def _seed_passages(path):
    text = repair(path.read_text(encoding="utf-8"))
    return text, split_passages(text)


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_every_seed_line_is_a_passage_with_its_line_number(path):
    text, passages = _seed_passages(path)
    lines = text.split("\n")
    expected = [(i, line.strip()) for i, line in enumerate(lines, 1) if line.strip()]
    assert [(p.line_start, p.text) for p in passages] == expected
    for p in passages:
        assert p.line_start == p.line_end
        assert text[p.char_start:p.char_end] == p.text


def test_headings_stand_alone():
    _, passages = _seed_passages(next(SEEDS.glob("001_*.txt")))
    assert [(p.line_start, p.text) for p in passages if len(p.text) < 20] == [
        (6, "1. Korea Selatan"),
        (9, "2. Jepang"),
    ]


def test_hard_wrapped_blocks_become_paragraphs():
    text = (
        "Judul Artikel\n\n"
        "Perundingan enam pihak dimulai pada tahun 2003 di Beijing\n"
        "dengan peserta Korea Utara, Korea Selatan, Amerika Serikat,\n"
        "China, Jepang dan Rusia.\n\n"
        "Paragraf kedua juga dibungkus\n"
        "di beberapa baris pendek.\n"
    )
    passages = split_passages(text)
    assert [(p.line_start, p.line_end) for p in passages] == [(1, 1), (3, 5), (7, 8)]
    assert passages[1].text.startswith("Perundingan") and passages[1].text.endswith("Rusia.")


def test_long_paragraph_is_cut_at_sentences_into_windows():
    sentence = "Korea Utara terus mengembangkan senjata nuklir dan rudal balistik antarbenua. "
    text = "Kata pengantar.\n" + sentence * 60  # 600 words on line 2
    passages = split_passages(text)
    body = passages[1:]
    assert len(body) >= 4
    for p in body:
        words = len(p.text.split())
        assert words <= MAX_WORDS
        assert p.text.endswith(".") and p.text.startswith("Korea")
        assert p.line_start == p.line_end == 2
        assert text[p.char_start:p.char_end] == p.text
    assert sum(len(p.text.split()) for p in body) == 600


def test_sentence_without_boundaries_is_cut_at_words():
    text = " ".join(["nuklir"] * 400)
    passages = split_passages(text)
    assert all(len(p.text.split()) <= MAX_WORDS for p in passages)
    assert sum(len(p.text.split()) for p in passages) == 400


def test_initials_do_not_end_sentences():
    from nkcorpus.ingest.passages import _SENTENCE_END

    text = "karya Michael J. Mazarr dan George W. Bush menjabat. Lalu AS datang."
    starts = [m.end() for m in _SENTENCE_END.finditer(text)]
    assert [text[s:s + 4] for s in starts] == ["Lalu"]


def test_empty_and_blank_text():
    assert split_passages("") == []
    assert split_passages("\n\n   \n") == []


def test_passages_carry_the_heading_they_stand_under():
    _, passages = _seed_passages(next(SEEDS.glob("001_*.txt")))
    context = {p.line_start: p.context for p in passages}
    assert context[5] == "" and context[6] == ""
    assert context[7] == context[8] == "1. Korea Selatan"
    assert context[9] == "" and context[10] == context[11] == "2. Jepang"


def test_title_from_metadata_or_a_first_heading_line():
    text = "Korut Uji Rudal Lagi\n\nPyongyang meluncurkan dua rudal.\n\nReaksi Seoul\n\nSeoul mengecam."
    passages = split_passages(text)
    assert [p.context for p in passages] == [
        "", "Korut Uji Rudal Lagi", "Korut Uji Rudal Lagi", "Korut Uji Rudal Lagi Reaksi Seoul"]
    titled = split_passages("Paragraf pertama yang panjang, tanpa judul.\nLagi.", title="Judul  Berkas")
    assert [p.context for p in titled] == ["Judul Berkas", "Judul Berkas"]


@pytest.mark.parametrize("line, heading", [
    ("2. Jepang", True), ("Politik Kim Jong-un", True), ("“Six-Party Talks.” (Pembiraan Enam Pihak)", True),
    ("Respon Jepang sangat tegas, mencakup:", False), ("Korea Utara menolak.", False),
    ("Baca juga: Korut uji rudal", False), ("2019", False), ("kata " * 13, False), ("", False),
])
def test_what_reads_as_a_heading(line, heading):
    from nkcorpus.ingest.passages import is_heading

    assert is_heading(line) is heading
