"""English words as Indonesian borrows them (loanwords.forms) and their use in queries."""

import pytest

from nkcorpus.understand.loanwords import forms
from nkcorpus import Corpus as NkCorpus


@pytest.mark.parametrize(("english", "indonesian"), [
    ("legitimacy", "legitimasi"),
    ("proliferation", "proliferasi"),
    ("sanction", "sanksi"),
    ("succession", "suksesi"),
    ("technology", "teknologi"),
    ("conflict", "konflik"),
    ("missile", "misil"),
    ("ballistic", "balistik"),
    ("military", "militer"),
    ("hegemony", "hegemoni"),
    ("cyber", "siber"),
    ("terrorism", "terorisme"),
    ("infrastructure", "infrastruktur"),
    ("capability", "kapabilitas"),
    ("export", "ekspor"),
    ("hydrogen", "hidrogen"),
])
def test_the_regular_spelling_comes_first(english, indonesian):
    assert forms(english)[0] == indonesian


def test_other_readings_of_an_ending_follow():
    assert forms("geopolitical")[:2] == ["geopolitis", "geopolitik"]
    assert forms("military")[:2] == ["militer", "militari"]


@pytest.mark.parametrize("word", ["perundingan", "kedaulatan", "sanksi", "multilateral", "korut", "", "über", "2003"])
def test_words_no_rule_changes_give_nothing(word):
    assert forms(word) == []


def run(query, index_base, **kw):
    return NkCorpus(None, index_dir=index_base).search(query, **kw)


def test_an_english_word_finds_the_essays_loanword(index_base):
    result = run("technology", index_base)
    assert result.expansions == ("technology → teknologi",)
    assert result.hits and all("teknologi" in h.text.lower() for h in result.hits)
    assert any(m.term == "teknologi" for m in result.hits[0].matches)
    assert run("technology", index_base, exact=True).hits == ()


def test_one_edit_from_the_regular_spelling_is_allowed_for_long_words(index_base):
    assert forms("technologic")[0] == "teknologik"  # the essays write teknologi
    result = run("technologic", index_base)
    assert result.expansions == ("technologic → teknologi",)
    assert result.hits and "teknologi" in result.hits[0].text.lower()


def test_a_word_the_index_holds_is_not_rewritten(index_base):
    result = run("multilateral", index_base)
    assert result.expansions == () and result.hits
