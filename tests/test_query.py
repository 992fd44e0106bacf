"""The query language: parse tree, fallbacks, stop words, the plan compiled for Whoosh."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nkcorpus.errors import QueryError
from nkcorpus.store.whoosh.compile import compile_node
from nkcorpus.understand import understand as parse
from nkcorpus.understand.spelling import max_edits
from nkcorpus.understand.syntax import parse_tree


def shape(text):
    clauses, paths = parse_tree(text)
    return [(c.kind, c.text, c.occur) for c in clauses], paths


def test_plain_words_are_optional():
    assert shape("uji coba nuklir")[0] == [("word", w, "should") for w in ("uji", "coba", "nuklir")]


def test_plus_minus_and_not():
    assert shape("+sanksi -iran NOT irak")[0] == [
        ("word", "sanksi", "must"), ("word", "iran", "not"), ("word", "irak", "not")]


def test_and_requires_both_neighbours_or_is_the_default():
    assert shape("sanksi AND korut OR korsel")[0] == [
        ("word", "sanksi", "must"), ("word", "korut", "must"), ("word", "korsel", "should")]


def test_phrases_prefixes_paths_and_groups():
    clauses, paths = parse_tree('"uji coba" +"six party" nukl* path:004* (korut OR korsel)')
    assert [(c.kind, c.occur) for c in clauses] == [
        ("phrase", "should"), ("phrase", "must"), ("prefix", "should"), ("group", "should")]
    assert clauses[2].text == "nukl" and paths == ["004*"]
    assert [c.text for c in clauses[3].children] == ["korut", "korsel"]


def test_malformed_queries_fall_back_to_words():
    assert shape('"uji coba')[0] == [("phrase", "uji coba", "should")]
    assert shape("(sanksi korut")[0][0][0] == "group"
    assert shape("sanksi ) AND")[0] == [("word", "sanksi", "should")]
    assert shape('"" () * AND OR')[0] == []


def test_stop_words_are_dropped_unless_nothing_else_is_left():
    assert parse("peran china dalam perundingan").searched == ("peran", "china", "perundingan")
    assert parse("yang dan atau").searched == ("yang", "dan", "atau")
    assert "dalam" in parse('"dalam perundingan"').searched[0]


def test_as_is_not_a_stop_word():
    assert "as" in parse("sanksi AS").searched


def test_no_words_or_only_exclusions_is_a_query_error():
    with pytest.raises(QueryError):
        parse("?! ()")
    with pytest.raises(QueryError, match="only excludes"):
        parse("-nuklir")


def test_aliases_add_other_names_unless_exact():
    from nkcorpus.understand.aliases import load

    parsed = parse("sanksi korut", aliases=load())
    assert any(e.startswith("korut → ") and "Korea Utara" in e for e in parsed.expansions)
    assert {"korea", "utara"} <= parsed.highlight
    assert parse("sanksi korut", aliases=load(), exact=True).expansions == ()


def _weights(query, factor=1.0):
    """(leaf as text, its weight: the product of the boosts above it) for text leaves."""
    if query.is_leaf():
        if query.field() == "text":
            yield str(query), round(factor * query.boost, 3)
        return
    for child in query.children():
        yield from _weights(child, factor * query.boost)


def test_a_name_typed_in_words_counts_once():
    from nkcorpus.understand.aliases import load

    parsed = parse("amerika serikat", aliases=load())
    assert parsed.expansions == ("amerika serikat → AS, USA, United States, Paman Sam",)
    weights = set(_weights(compile_node(parsed.root)))
    assert {('text:"amerika serikat"', 0.5), ("text:amerika", 0.5), ("text:serikat", 0.5), ("text:as", 0.8)} <= weights
    assert [w for leaf, w in weights if leaf == "text:amerika"] == [0.5]  # not again as another name


def test_english_glossary_finds_indonesian():
    from nkcorpus.understand.aliases import load

    parsed = parse("ballistic missile", aliases=load())
    assert {"rudal", "balistik"} <= parsed.highlight


def test_edit_budget():
    assert max_edits("nukilr", 0) == 1 and max_edits("perundigan", 0) == 2
    assert max_edits("sanksi", 3) == 1 and max_edits("uji", 1) == 0


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab "()+-*:AND OR NOT path\u00e9')), max_size=30))
def test_any_text_parses_or_raises_query_error(text):
    try:
        parse(text)
    except QueryError:
        pass
