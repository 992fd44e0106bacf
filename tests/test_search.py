"""Library-level search over the bundled essays (no CLI)."""

import pytest

from nkcorpus.errors import QueryError
from nkcorpus import Corpus as NkCorpus
from nkcorpus.settings import Corpus

from conftest import seed_line


def run(query, index_base, **kw):
    return NkCorpus(None, index_dir=index_base).search(query, **kw)


def top(result, n=3):
    return [(h.path.rsplit("/", 1)[1][:3], h.line_start) for h in result.hits[:n]]


def test_korut_finds_paragraphs_that_say_korut(index_base):
    result = run("Korut", index_base, exact=True)
    assert result.hits and result.expansions == ()
    for hit in result.hits:
        assert hit.path.endswith("004_9e8869e5b5bb319d.txt")
        assert "korut" in hit.text.lower()
        assert hit.text == seed_line("004", hit.line_start).strip()


def test_sanksi_dk_pbb(index_base):
    result = run("sanksi DK PBB", index_base)
    assert ("003", 8) in top(result, 3) or ("003", 7) in top(result, 3)
    assert all(h.matches for h in result.hits)


def test_quoted_phrase_uji_coba_nuklir_ranks_the_phrase_first(index_base):
    result = run('"uji coba nuklir"', index_base, exact=True, limit=50)
    holding = ["uji coba nuklir" in h.text.lower() for h in result.hits]
    assert holding[0] and holding == sorted(holding, reverse=True)
    required = run('+"uji coba nuklir"', index_base, exact=True, limit=50)
    assert required.hits and all("uji coba nuklir" in h.text.lower() for h in required.hits)


def test_mengembangkan_senjata_highlights_pengembangan(index_base):
    result = run("mengembangkan senjata", index_base)
    words = {h.text[m.start:m.end].lower() for h in result.hits for m in h.matches}
    assert {"mengembangkan", "pengembangan", "senjata"} <= words


def test_hits_point_at_their_seed_lines(index_base):
    for hit in run("nuklir", index_base, limit=50).hits:
        name = hit.path.rsplit("/", 1)[1][:3]
        raw = seed_line(name, hit.line_start).replace("\u00a0", " ").replace("\u00c2", "")
        assert hit.text == raw.strip()
        for m in hit.matches:
            assert 0 <= m.start < m.end <= len(hit.text)


def test_reduplicated_query_matches_plain_word(index_base):
    assert top(run("negara-negara", index_base), 50) == top(run("negara", index_base), 50)


def test_no_hits_and_no_words(index_base):
    assert run("qwertyuiop", index_base).hits == ()
    with pytest.raises(QueryError):
        run("  ?! ", index_base)


def test_limit_and_ranks(index_base):
    result = run("nuklir", index_base, limit=3)
    assert [h.rank for h in result.hits] == [1, 2, 3]
    assert result.total > 3
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)


def test_typo_gives_a_suggestion_and_still_finds(index_base):
    result = run("reaktor nukilr", index_base)
    assert "nukilr → nuklir" in result.suggestions
    assert any(h.text[m.start:m.end].lower() == "nuklir" for h in result.hits for m in h.matches)
    assert run("reaktor nukilr", index_base, exact=True).suggestions == ()


@pytest.mark.parametrize("typed", ["pmebicaraam", "pemibcaraam", "pembicaraam"])
def test_a_swap_of_neighbours_is_one_edit(tmp_path, index_base, typed):
    """A long word the index lacks may be two edits off: a swap (me/em, ib/bi)
    and a wrong letter is two, not three."""
    (tmp_path / "a.txt").write_text("Pembicaraan damai dimulai lagi.\n", encoding="utf-8")
    result = NkCorpus(str(tmp_path), index_dir=index_base).search(typed)
    assert result.suggestions == (f"{typed} → pembicaraan",) and result.hits


def test_author_typo_is_found_from_the_right_spelling(index_base):
    result = run("negosiasi", index_base)
    words = {h.text[m.start:m.end].lower() for h in result.hits for m in h.matches}
    assert "negoisasi" in words


def test_alias_finds_the_other_name(index_base):
    result = run("Korea Utara menyerahkan", index_base, limit=50)
    assert any("korut" in h.text.lower() for h in result.hits)
    assert any(e.startswith("korea utara → ") for e in result.expansions)


def test_english_query_finds_indonesian_passages(index_base):
    result = run("ballistic missile", index_base)
    assert result.hits and "rudal" in result.hits[0].text.lower()


def test_not_and_file_filter(index_base):
    without = run("nuklir -korut", index_base, limit=100)
    assert without.hits and all("korut" not in h.text.lower() for h in without.hits)
    only = run("nuklir path:004*", index_base, limit=100)
    assert only.hits and all("/004_" in h.path for h in only.hits)
    files = run("nuklir", index_base, limit=100, files=("001_*.txt",))
    assert files.hits and all("/001_" in h.path for h in files.hits)


def test_prefix_wildcard_uses_surface_forms(index_base):
    result = run("denukl*", index_base, limit=100)
    assert result.hits and all("denukl" in h.text.lower() for h in result.hits)


def test_stop_words_only_query_still_works(index_base):
    assert run("yang dan", index_base).hits


def test_a_word_of_the_heading_finds_the_section(index_base):
    # 001:11 is a list item under the heading "2. Jepang" that never says Jepang
    found = top(run("jepang", index_base, limit=50), 50)
    assert ("001", 11) in found and found.index(("001", 10)) < found.index(("001", 11))
    required = top(run("+jepang", index_base, limit=50), 50)
    assert ("001", 11) in required  # the heading counts for +word and -word too
    assert ("001", 11) not in top(run("pertahanan -jepang", index_base, limit=50), 50)
    assert ("001", 11) in top(run("pertahanan", index_base, limit=50), 50)


def test_a_correct_spelling_keeps_its_aliases_when_the_corpus_misspells_it(index_base):
    # the essays write "negoisasi"; "negosiasi" is a translation of "negotiation", like "perundingan"
    result = run("negosiasi", index_base, limit=20)
    assert any("perundingan" in e for e in result.expansions)
    words = {h.text[m.start:m.end].lower() for h in result.hits for m in h.matches}
    assert {"negoisasi", "perundingan"} <= words


def test_a_heading_alone_ranks_below_the_paragraphs_it_heads(index_base):
    # "Upaya Diplomasi Nuklir Korea Utara" (002:10) holds every word, in four words
    ranked = top(run("diplomasi nuklir korea utara", index_base, limit=5), 5)
    assert ranked.index(("002", 11)) < ranked.index(("002", 10))
    scores = [h.score for h in run("diplomasi nuklir korea utara", index_base, limit=5).hits]
    assert scores == sorted(scores, reverse=True)


def test_many_headings_do_not_hide_a_paragraph_ranked_beyond_them(tmp_path, index_base):
    lines = [f"Jepang {i}" for i in range(40)] + ["Jepang menanggapi uji coba itu dengan tegas."]
    (tmp_path / "a.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    result = NkCorpus(str(tmp_path), index_dir=index_base).search("jepang", limit=3)
    assert result.hits[0].text.startswith("Jepang menanggapi") and result.total == 41


@pytest.mark.parametrize("text", ["nuklir", "perundingan enam pihak", "sanksi DK PBB OR Korut",
                                  "nuklir -rudal", "negoisasi korea", "path:*001* nuklir"])
@pytest.mark.parametrize("limit", [1, 3, 1000])
def test_one_pass_ranks_like_whoosh_and_counts_every_match(index_base, text, limit):
    """Hits are collected in one pass that also counts: the same top, with
    the same scores, as Whoosh's own (pruning) search, and the count is
    every passage the query matches (within the chosen files)."""
    from nkcorpus.ingest.scan import check_root
    from nkcorpus.store.layout import corpus_home, current_generation
    from nkcorpus.store.whoosh import backend as wb
    from nkcorpus.store.whoosh.compile import compile_node
    from nkcorpus.understand import understand

    run(text, index_base)  # the index is up to date
    gen = current_generation(corpus_home(index_base, check_root(Corpus.from_arg(None).root)))
    with wb.WhooshBackend().open(gen) as reader:
        plan = understand(text, reader.vocabulary)
        ours, total = reader.top(plan.root, limit, plan.paths)
    with wb.WhooshBackend().open(gen) as other:  # the same weighting (store.whoosh.weighting)
        searcher = other._searcher
        query = compile_node(plan.root)
        chosen = wb.path_filter(plan.paths) if plan.paths else None
        theirs = searcher.search(query, limit=limit, filter=chosen)
        assert [(f.fields["path"], f.fields["loc_start"], round(f.score, 9)) for f in ours] == [
            (h["path"], h["loc_start"], round(h.score, 9)) for h in theirs]
        matching = set(searcher.docs_for_query(query))
        if chosen is not None:
            matching &= set(searcher.docs_for_query(chosen))
        assert total == len(matching) > 0


def test_one_thing_named_three_ways_counts_once(tmp_path, index_base):
    paragraphs = [
        "Perundingan enam pihak, atau Six-Party Talks, juga disebut dialog enam pihak, berlanjut.",
        "Pembicaraan enam pihak pertama digelar di Beijing pada Agustus 2003.",
        "Para diplomat bertemu lagi tahun berikutnya di kota lain.",
    ]
    (tmp_path / "a.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    result = NkCorpus(str(tmp_path), index_dir=index_base).search("pembicaraan enam pihak di beijing")
    assert result.hits[0].text.startswith("Pembicaraan enam pihak pertama")


def test_a_real_word_is_not_taken_for_a_typo_of_another(index_base):
    result = run("peran korea selatan", index_base)
    assert not any(s.startswith("peran") for s in result.suggestions)
    assert not any("Korean War" in e for e in result.expansions)


def test_no_did_you_mean_from_a_right_spelling_to_the_authors_typo(index_base):
    result = run("negosiasi nuklir", index_base)
    assert result.suggestions == ()
    assert any(e.startswith("negosiasi → ") and "negoisasi" in e for e in result.expansions)


def test_a_word_of_an_english_name_also_finds_its_own_translation(index_base):
    result = run("ballistic missile", index_base)
    assert any(e.startswith("missile → rudal") for e in result.expansions)


@pytest.mark.parametrize(("typed", "seed", "line"), [
    ("inter-Korean", "001", 8),  # pembicaraan antar-Korea
    ("rogue state", "004", 3),  # "negara jahat"
])
def test_the_field_glossary_finds_the_essays_words(index_base, typed, seed, line):
    result = run(typed, index_base)
    assert top(result, 1) == [(seed, line)]
    assert any(e.startswith(typed.lower().replace("-", " ") + " → ") for e in result.expansions)
    assert top(run(typed, index_base, exact=True), 1) != [(seed, line)]
