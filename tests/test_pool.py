"""BuildWriter writes the index Whoosh's own writer writes, only faster."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh.index import create_in

from nkcorpus.ingest.read import passages_of, read_parts
from nkcorpus.ingest.scan import scan
from nkcorpus.store.whoosh import backend as wb
from nkcorpus.analysis import CONTEXT_MARK
from nkcorpus.store.whoosh.tokenizer import IndonesianTokenizer
from nkcorpus.store.whoosh.pool import BuildWriter

from conftest import SEEDS
from fuzzing import FUZZ, WORDS, any_char

_text = st.lists(st.one_of(st.sampled_from(WORDS + ["Berpuluh-puluh", "makan-makanan", "Qur'an", "ΟΔΟΣ-ΣΑΣ",
                                                    "İstanbul", "a_b", "‘x’", "e\u0301", "  ", "\n"]),
                           st.text(any_char, max_size=5)), max_size=40).map(" ".join)


@FUZZ
@given(_text, st.one_of(st.just(""), _text))
def test_terms_are_the_tokens_the_analyzer_yields(text, context):
    value = f"{text}{CONTEXT_MARK}{context}" if context else text
    for stemmed in (True, False):
        tokenizer = IndonesianTokenizer(stemmed)
        tokens = [(t.text, t.pos, t.boost) for t in tokenizer(value, positions=True)]
        fast = [(term, first + i, boost) for terms, first, boost in tokenizer.terms(value)
                for i, term in enumerate(terms)]
        assert fast == tokens


def _build(folder, make_writer, docs):
    folder.mkdir()
    ix = create_in(str(folder), wb.schema())
    writer = make_writer(ix)
    for rel, document in docs:
        for located in passages_of(document):
            wb.Writer(writer).add(rel, located)
    writer.commit()
    return ix


def _everything(ix):
    """Every term with its statistics and postings, lengths and stored fields."""
    with ix.reader() as r:
        out = []
        for term in r.all_terms():
            info = r.term_info(*term)
            m = r.postings(*term)
            postings = []
            while m.is_active():
                postings.append((m.id(), m.weight(), m.value(), m.block_max_weight(),
                                 m.block_min_length(), m.block_max_length()))
                m.next()
            out.append((term, info.weight(), info.doc_frequency(), info.min_length(),
                        info.max_length(), info.max_weight(), info.min_id(), info.max_id(), postings))
        docs = range(r.doc_count_all())
        lengths = [(r.doc_field_length(d, "text"), r.doc_field_length(d, "raw")) for d in docs]
        return out, lengths, [r.stored_fields(d) for d in docs], r.field_length("text")


@pytest.fixture(scope="module")
def seed_docs():
    root = SEEDS.resolve()
    return [(rel, d) for rel in sorted(scan(root).files) for d in read_parts(root, rel)]


def test_same_index_as_whooshs_writer(tmp_path, seed_docs):
    theirs = _build(tmp_path / "whoosh", lambda ix: ix.writer(compound=False), seed_docs)
    ours = _build(tmp_path / "ours", lambda ix: BuildWriter(ix, compound=False), seed_docs)
    assert len(ours._segments()) == 1
    assert _everything(ours) == _everything(theirs)


def test_a_full_pool_starts_a_new_segment(tmp_path, seed_docs, monkeypatch):
    monkeypatch.setattr("nkcorpus.store.whoosh.pool._POSTING_BYTES", 2**14)  # a few documents fill 1 MB
    ix = _build(tmp_path / "ours", lambda ix: BuildWriter(ix, limitmb=1, compound=False), seed_docs)
    one = _build(tmp_path / "one", lambda ix: BuildWriter(ix, compound=False), seed_docs)
    assert len(ix._segments()) > 3
    with ix.searcher() as s, one.searcher() as s1:
        for word in ("nuklir", "sanksi", "juche"):
            assert s.doc_frequency("text", word) == s1.doc_frequency("text", word) > 0
        assert s.doc_count() == s1.doc_count()
        assert sorted(map(str, s.all_stored_fields())) == sorted(map(str, s1.all_stored_fields()))


def test_a_value_the_analyzer_cannot_take_fails_like_whoosh(tmp_path):
    (tmp_path / "ix").mkdir()
    writer = BuildWriter(create_in(str(tmp_path / "ix"), wb.schema()))
    with pytest.raises(ValueError):
        writer.add_document(path="a", unit="line", loc_start=1, loc_end=1, text=12345, raw="x")
    writer.cancel()
