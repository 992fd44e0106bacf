"""BestOf: a disjunction scored by its best match, on a small real index."""

from whoosh import query as q
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.scoring import BM25F

from nkcorpus.store.whoosh.dismax import BestOf

DOCS = {"a": "rudal rudal", "b": "misil", "c": "rudal misil", "d": "nuklir", "e": "rudal"}


def index():
    ix = RamStorage().create_index(Schema(key=ID(stored=True), text=TEXT))
    with ix.writer() as w:
        for key, text in DOCS.items():
            w.add_document(key=key, text=text)
    return ix


def scores(ix, query):
    with ix.searcher(weighting=BM25F()) as s:
        return {hit["key"]: hit.score for hit in s.search(query, limit=None)}


def test_matches_the_union_and_scores_each_passage_by_its_best_match():
    ix = index()
    rudal, misil = q.Term("text", "rudal"), q.Term("text", "misil")
    best = scores(ix, BestOf([rudal, misil]))
    alone = [scores(ix, rudal), scores(ix, misil)]
    assert set(best) == {"a", "b", "c", "e"}
    for key, score in best.items():
        assert abs(score - max(s.get(key, 0) for s in alone)) < 1e-6, key
    summed = scores(ix, q.Or([rudal, misil]))
    assert summed["c"] > best["c"]


def test_tiebreak_adds_a_share_of_the_other_matches():
    ix = index()
    rudal, misil = q.Term("text", "rudal"), q.Term("text", "misil")
    both = scores(ix, BestOf([rudal, misil], tiebreak=0.5))["c"]
    r, m = scores(ix, rudal)["c"], scores(ix, misil)["c"]
    assert abs(both - (max(r, m) + 0.5 * min(r, m))) < 1e-6


def test_top_n_collection_keeps_every_best_passage():
    ix = index()
    query = BestOf([q.Term("text", "rudal"), q.Term("text", "misil"), q.Term("text", "nuklir")])
    full = scores(ix, query)
    with ix.searcher(weighting=BM25F()) as s:
        top = [hit["key"] for hit in s.search(query, limit=2)]
    assert top == sorted(full, key=lambda k: -full[k])[:2]
