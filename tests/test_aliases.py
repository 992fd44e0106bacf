"""Alias tables: syntax, analysis-based matching, the user's own file."""

import pytest

from nkcorpus.understand.aliases import Aliases, load, parse_text
from nkcorpus.analysis import iter_terms
from nkcorpus.errors import QueryError


def terms(text):
    return tuple(t for t, _, _, _ in iter_terms(text))


def test_two_way_and_one_way_lines():
    table = parse_text("Korut = Korea Utara\nmissile => rudal = peluru kendali\n# comment\n")
    assert table.expand(terms("korut"), 0) == (1, {terms("Korea Utara"): "Korea Utara"})
    assert table.expand(terms("korea utara"), 0)[0] == 2
    assert set(table.expand(terms("missile"), 0)[1]) == {terms("rudal"), terms("peluru kendali")}
    assert table.expand(terms("rudal"), 0) == (0, {})


def test_longest_name_wins_and_inflection_is_ignored():
    table = parse_text("PBB = Perserikatan Bangsa-Bangsa\nDK PBB = Dewan Keamanan PBB")
    size, alts = table.expand(terms("sanksi dk pbb"), 1)
    assert size == 2 and terms("Dewan Keamanan PBB") in alts
    assert parse_text("perundingan = negosiasi").expand(terms("berunding"), 0)[0] == 1


def test_bundled_tables_cover_the_field():
    table = load()
    for typed, expected in [("Korsel", "Korea Selatan"), ("AS", "Amerika Serikat"), ("Tiongkok", "China"),
                            ("IAEA", "Badan Energi Atom Internasional"), ("NPT", "Non-Proliferation Treaty"),
                            ("Six-Party Talks", "Perundingan Enam Pihak"), ("enrichment", "pengayaan")]:
        size, alts = table.expand(terms(typed), 0)
        assert size == len(terms(typed)) and terms(expected) in alts, typed


def test_user_file_extends_and_bad_file_is_a_query_error(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("Kim Jong-un => Pemimpin Tertinggi\n", encoding="utf-8")
    assert terms("Pemimpin Tertinggi") in load(str(path)).expand(terms("kim jong-un"), 0)[1]
    with pytest.raises(QueryError, match="cannot read"):
        load(str(tmp_path / "missing.txt"))


def test_empty_table():
    assert Aliases().expand(terms("korut"), 0) == (0, {})


def test_translations_of_one_word_are_related():
    table = parse_text("response => respon = tanggapan = reaksi\nKorut = Korea Utara\nPyongyang => Korut")
    size, related = table.expand_related(terms("tanggapan"), 0)
    assert size == 1 and set(related) == {terms("respon"), terms("reaksi")}
    assert table.expand(terms("tanggapan"), 0) == (0, {})  # not an alias: weighed lower
    assert table.expand_related(terms("korut"), 0) == (0, {})  # already an alias of Korea Utara


def test_tilde_lines_are_related_words_not_aliases():
    table = parse_text("ancaman ~ bahaya ~ marabahaya\n")
    size, related = table.expand_related(terms("membahayakan"), 0)
    assert size == 1 and set(related) == {terms("ancaman"), terms("marabahaya")}
    assert table.expand(terms("bahaya"), 0) == (0, {})  # weighed as related, not as an alias
    assert terms("bahaya") in load().expand_related(terms("ancaman"), 0)[1]  # bundled
