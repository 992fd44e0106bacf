"""Files ranked by document (``search --files``, ``Corpus.documents``).

A few best files are found from their document records first and only
their passages are matched (``search.ranked_files``); every file, or a
search narrowed by metadata, goes through every matching passage
(``search.ranked_results``). Both must rank alike wherever both apply.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from nkcorpus import Corpus
from nkcorpus.settings import SearchSettings
from nkcorpus.store.whoosh.backend import LEAD_STEPS, with_lead
from tests.conftest import SEEDS, run_cli

QUERIES = ("sanksi nuklir", "perundingan enam pihak", "Kim Jong-un diplomasi", "uji coba rudal balistik",
           "Korea Utara keluar dari NPT", "bantuan ekonomi dan energi")


def _every_file(corpus: Corpus, query: str, **more) -> list:
    """The complete ranking: every matching passage read (file_limit None)."""
    settings = SearchSettings(query=query, documents=True, by_document=True, update=False, **more)
    return list(corpus.search_with(settings).files)


@pytest.mark.parametrize("query", QUERIES)
def test_best_files_from_document_records_rank_as_the_complete_ranking(index_base, query):
    corpus = Corpus(SEEDS, index_dir=index_base)
    corpus.update()
    complete = _every_file(corpus, query)
    assert complete, query
    for want in (1, 3, 10):
        quick = corpus.documents(query, limit=want, update=False)
        assert [(f.rel, f.score, f.passages) for f in quick] == \
            [(f.rel, f.score, f.passages) for f in complete[:want]]


def test_lead_words_count_more(tmp_path, index_base):
    """Of two files holding the query's words as often, in texts as long,
    the one where they come first ranks first by document."""
    root = tmp_path / "berita"
    root.mkdir()
    filler = " ".join(f"kalimat{i} pengisi" for i in range(60))
    (root / "awal.txt").write_text(f"Sanksi minyak dijatuhkan.\n\n{filler}\n", encoding="utf-8")
    (root / "akhir.txt").write_text(f"{filler}\n\nSanksi minyak dijatuhkan.\n", encoding="utf-8")
    corpus = Corpus(root, index_dir=index_base)
    corpus.update()
    files = corpus.documents("sanksi minyak", limit=2, update=False)
    assert [f.rel for f in files] == ["awal.txt", "akhir.txt"]
    assert files[0].score > files[1].score


def test_with_lead_repeats_the_first_words_the_earliest_most():
    words = [f"kata{i}" for i in range(100)]
    text = " ".join(words)
    part = lambda a, b: " ".join(words[a:b])  # noqa: E731
    assert LEAD_STEPS == ((15, 3), (40, 2), (80, 1))
    assert with_lead(text) == "\n".join([part(0, 15)] * 3 + [part(15, 40)] * 2 + [part(40, 80), text])
    short = " ".join(words[:20])
    assert with_lead(short) == "\n".join([part(0, 15)] * 3 + [part(15, 20)] * 2 + [short])
    assert with_lead("dua kata") == "\n".join(["dua kata"] * 3 + ["dua kata"])
    assert with_lead("") == "" and with_lead("  ... ") == "  ... "


def test_a_file_whose_passages_do_not_match_is_not_listed(tmp_path, index_base):
    """The document record holds both words, no one passage does: a required
    pair of words (+a +b) lists no file, by either way of ranking."""
    root = tmp_path / "catatan"
    root.mkdir()
    (root / "a.txt").write_text("Sanksi dijatuhkan.\n\nMinyak mahal.\n", encoding="utf-8")
    (root / "b.txt").write_text("Sanksi minyak dijatuhkan.\n", encoding="utf-8")
    corpus = Corpus(root, index_dir=index_base)
    corpus.update()
    assert [f.rel for f in corpus.documents("+sanksi +minyak", limit=5, update=False)] == ["b.txt"]
    assert [f.rel for f in _every_file(corpus, "+sanksi +minyak")] == ["b.txt"]


def test_exact_and_prefix_queries_rank_files_too(index_base):
    """Document records hold stems only: a query they cannot score (--exact,
    a prefix) ranks its files from every matching passage instead."""
    corpus = Corpus(SEEDS, index_dir=index_base)
    corpus.update()
    exact = corpus.documents("nuklir", limit=3, exact=True, update=False)
    assert len(exact) == 3 and all(f.passages > 0 for f in exact)
    prefix = corpus.documents("denuklir*", limit=3, update=False)
    assert prefix and all(f.passages > 0 for f in prefix)


def test_files_narrowed_by_path_rank_within_the_glob(index_base):
    corpus = Corpus(SEEDS, index_dir=index_base)
    corpus.update()
    every = corpus.documents("nuklir", limit=10, update=False)
    chosen = every[-1].rel
    narrowed = corpus.documents("nuklir", limit=5, files=(chosen,), update=False)
    assert [f.rel for f in narrowed] == [chosen]
    settings = SearchSettings(query="nuklir", documents=True, by_document=True, update=False,
                              files=(chosen,), file_limit=5)
    assert corpus.search_with(settings).files == corpus.search_with(replace(settings, file_limit=None)).files


def test_cli_files_with_a_limit(index_base):
    """--files -n N ranks the best files from their whole text; the matching
    passages are then not counted (null in --stats), without a limit they are."""
    proc = run_cli("search", "sanksi nuklir", "--files", "-n", "2", "--json", "--stats")
    assert proc.returncode == 0, proc.stderr
    files = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [f["rank"] for f in files] == [1, 2] and files[0]["score"] >= files[1]["score"]
    stats = json.loads(proc.stderr.strip().splitlines()[-1])
    assert stats["passages"] is None and stats["documents"] is None
    every = run_cli("search", "sanksi nuklir", "--files", "--json", "--stats")
    assert [json.loads(line)["rel"] for line in every.stdout.splitlines()][:2] == [f["rel"] for f in files]
    counted = json.loads(every.stderr.strip().splitlines()[-1])
    assert counted["passages"] > 0 and counted["documents"] == len(every.stdout.splitlines())
