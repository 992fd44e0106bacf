"""Fuzzing the text pipeline: bytes -> document -> repair -> passages -> terms.

Whatever comes in, nothing raises (a file that cannot be read is a
``SkipFile``), repair keeps the lines where they were, passages cover every
visible character with true line numbers, and terms point into the text.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from hypothesis import assume, example, given
from hypothesis import strategies as st

from nkcorpus.analysis import iter_terms
from nkcorpus.ingest.read import Document, SkipFile, read_parts
from nkcorpus.ingest.normalize import repair
from nkcorpus.ingest.passages import split_passages

from fuzzing import FUZZ, any_char, any_text, fewer, query_text

# Text shaped like documents: lines of words and odd characters, some long
# (one paragraph per line), some blank, some wrapped.
_line = st.one_of(
    st.just(""),
    st.text(any_char, max_size=80),
    query_text,
    st.lists(st.sampled_from(["Korea", "Utara.", "Ia", "berkata:", "nuklir", "Sanksi!", "A.", "“Ya.”"]),
             min_size=100, max_size=400).map(" ".join),
)
document_text = st.lists(_line, max_size=25).map("\n".join)
_breaks = st.sampled_from(["\n", "\r\n", "\r", "\u2028", "\x85", "\x0b", "\x0c"])


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def check_passages(text: str) -> None:
    passages = split_passages(text)
    covered = [False] * len(text)
    previous_end = 0
    for p in passages:
        assert 0 <= previous_end <= p.char_start < p.char_end <= len(text)
        assert p.text == text[p.char_start:p.char_end]
        assert not p.text[0].isspace() and not p.text[-1].isspace()
        assert p.line_start == _line_of(text, p.char_start)
        assert p.line_end == _line_of(text, p.char_end - 1)
        covered[p.char_start:p.char_end] = [True] * (p.char_end - p.char_start)
        previous_end = p.char_end
    missed = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
    assert not missed, f"characters outside every passage at {missed[:5]}"


def check_terms(text: str) -> None:
    last = -1
    for stemmed in (True, False):
        last = -1
        for term, pos, start, end in iter_terms(text, stemmed):
            assert term and 0 <= start < end <= len(text) and pos > last
            last = pos
            if not stemmed:
                assert term == text[start:end].lower()


@FUZZ
@given(any_text)
@example("a\r\nb\rc\u2028d\x85e\n\nf")
@example("Â\u00a0Â\nÃ©\u200b")
def test_repair_keeps_lines_and_is_idempotent(text):
    fixed = repair(text)
    assert fixed.count("\n") == text.replace("\r\n", "\n").count("\n")
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", fixed), "a control character survived"
    assert repair(fixed).count("\n") == fixed.count("\n")


@FUZZ
@given(document_text)
@example("")
@example("\n\n   \n\t")
@example("satu\n\ndua\ntiga\nempat\n\nlima")
def test_passages_cover_text_with_true_line_numbers(raw):
    text = repair(raw)
    check_passages(text)


@FUZZ
@given(st.lists(st.tuples(st.text(any_char, max_size=40), _breaks), max_size=30))
def test_passages_of_any_unicode(parts):
    text = repair("".join(a + b for a, b in parts))
    check_passages(text)
    check_terms(text)


@FUZZ
@given(any_text)
@example("negara-negara berpuluh-puluh Jong-un Qur'an ‐‐ -- '' x-")
@example("\u0130stanbul \u00df \ufb01 e\u0301")
def test_terms_point_into_the_text(text):
    check_terms(text)
    check_terms(repair(text))


def read_document(root: Path, rel: str) -> Document:
    """The one part ``read_parts`` gives of a small file."""
    [document] = read_parts(root, rel)
    return document


_suffix = st.sampled_from([".txt", ".md", ".html", ".htm", ".pdf", ".docx"])


@fewer(0.5)
@given(st.binary(max_size=2000), _suffix)
@example(b"\xff\xfe\x00", ".txt")
@example(b"%PDF-1.4\n%\xe2\xe3\n", ".pdf")
@example(b"PK\x03\x04", ".docx")
@example(b"<html><script>x</script><p>Korea\x00Utara</p>", ".html")
def test_any_bytes_read_as_a_document_or_a_skip(tmp_path_factory, data, suffix):
    root = tmp_path_factory.mktemp("bytes")
    (root / f"doc{suffix}").write_bytes(data)
    try:
        document = read_document(root, f"doc{suffix}")
    except SkipFile as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    check_passages(document.text)
    check_terms(document.text)
    lines = document.text.count("\n") + 1
    if document.locations is not None:
        assert len(document.locations) == lines
        assert all(loc >= 1 for loc in document.locations)


_BOMS = ["", "\ufeff"]


@fewer(0.5)
@given(st.lists(st.tuples(st.text(any_char.filter(lambda c: not 0xD800 <= ord(c) <= 0xDFFF), max_size=30),
                          st.sampled_from(["\n", "\r\n", "\r"])), max_size=20),
       st.sampled_from(["utf-8", "utf-16"]), st.sampled_from(_BOMS))
def test_utf_text_files_keep_their_line_numbers(tmp_path_factory, parts, encoding, bom):
    source = "".join(a + b for a, b in parts)
    assume("\x00" not in source or encoding == "utf-16")
    assume(not source.startswith("\x00"))  # FF FE 00 00 is UTF-32's BOM
    root = tmp_path_factory.mktemp("utf")
    data = source.encode(encoding) if encoding == "utf-16" else (bom + source).encode("utf-8")
    (root / "doc.txt").write_bytes(data)
    try:
        document = read_document(root, "doc.txt")
    except SkipFile:
        assert encoding == "utf-8" and _looks_binary(source)
        return
    assert document.locations is None
    source_lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    assert document.text.count("\n") == len(source_lines) - 1
    for p in split_passages(document.text):
        first = p.text.split("\n")[0]
        assert first.strip() and _visible(first) in _visible(repair(source_lines[p.line_start - 1]))


def _visible(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


def _looks_binary(text: str) -> bool:
    return any(ord(c) < 32 and c not in "\t\n\r\x0b\x0c" for c in text)


def test_boms_are_known():
    assert codecs.BOM_UTF8.decode("utf-8-sig") == ""
