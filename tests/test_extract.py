"""Tests for nkcorpus.extract, on real files built in tmp_path (no mocks)."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nkcorpus.ingest.extract import SUPPORTED_SUFFIXES, Extracted, ExtractError, decode_text, extract

# --------------------------------------------------------------- helpers


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def lines_at(extracted: Extracted) -> list[tuple[str, int]]:
    """Each text line with its location (identity when locations is None)."""
    lines = extracted.text.split("\n")
    locations = extracted.locations or range(1, len(lines) + 1)
    assert len(lines) == len(locations)
    return list(zip(lines, locations, strict=True))


def location_of(extracted: Extracted, needle: str) -> int:
    return next(loc for line, loc in lines_at(extracted) if needle in line)


def make_pdf(pages: list[str], title: str | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    if title:
        pdf.set_title(title)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 10, text)
    return bytes(pdf.output())


def make_docx() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Notulen Rapat"
    document.add_paragraph("Paragraf pertama tentang anggaran.")
    document.add_paragraph("")  # empty: not counted
    document.add_paragraph("Paragraf kedua tentang perundingan.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Nama"
    table.cell(0, 1).text = "Jabatan"
    table.cell(1, 0).text = "Budi"
    document.add_paragraph("Paragraf ketiga, penutup.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------ plain text


def test_cp1252_with_curly_quotes_decodes_correctly(tmp_path: Path) -> None:
    text = "Hasil “perundingan” di café itu ‘baik’ – selesai…\nBaris kedua.\n"
    result = extract(write(tmp_path, "a.txt", text.encode("cp1252")))
    assert result.text == text
    assert result.encoding == "cp1252"
    assert (result.unit, result.locations, result.title) == ("line", None, None)


def test_utf8_plain_and_with_bom(tmp_path: Path) -> None:
    text = "Rapat “kerja” dan café\n"
    plain = extract(write(tmp_path, "a.md", text.encode("utf-8")))
    bom = extract(write(tmp_path, "b.txt", b"\xef\xbb\xbf" + text.encode("utf-8")))
    assert plain.text == bom.text == text
    assert (plain.encoding, bom.encoding) == ("utf-8", "utf-8-sig")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom(tmp_path: Path, codec: str) -> None:
    text = "Undang-undang “baru”\nPasal 2\n"
    bom = {"utf-16-be": b"\xfe\xff"}.get(codec, b"")
    result = extract(write(tmp_path, "a.txt", bom + text.encode(codec)))
    assert result.text == text


def test_cyrillic_is_left_to_the_detector(tmp_path: Path) -> None:
    text = "Привет, мир! Как дела у вас сегодня? Всё хорошо, спасибо."
    assert extract(write(tmp_path, "a.txt", text.encode("cp1251"))).text == text


def test_line_endings_keep_the_line_count(tmp_path: Path) -> None:
    result = extract(write(tmp_path, "a.txt", b"satu\r\ndua\rtiga\n\r\nlima"))
    assert result.text == "satu\ndua\ntiga\n\nlima"
    assert "\r" not in result.text


def test_markdown_is_kept_as_is(tmp_path: Path) -> None:
    source = "# Judul\n\n*Penting*: [tautan](http://x)\n"
    result = extract(write(tmp_path, "A.MARKDOWN", source.encode()))
    assert (result.text, result.unit) == (source, "line")


def test_empty_file_is_empty_text(tmp_path: Path) -> None:
    result = extract(write(tmp_path, "a.txt", b""))
    assert result.text == ""


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4 + os.urandom(512),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00",
    ],
    ids=["random-with-nul", "png"],
)
def test_binary_file_is_rejected(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ExtractError, match="binary file"):
        extract(write(tmp_path, "a.txt", data))


def test_decode_text_returns_text_and_encoding() -> None:
    assert decode_text("Kata “kunci”\r\n".encode("cp1252")) == ("Kata “kunci”\n", "cp1252")
    assert decode_text(b"abc") == ("abc", "utf-8")


def test_passed_bytes_win_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.txt"
    assert extract(path, b"dari memori").text == "dari memori"


def test_missing_file_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        extract(tmp_path / "missing.txt")


@pytest.mark.parametrize("name", ["a.exe", "a.doc", "noext", "a.txt.bak"])
def test_unsupported_suffix(tmp_path: Path, name: str) -> None:
    with pytest.raises(ExtractError, match="unsupported file type"):
        extract(write(tmp_path, name, b"teks biasa"))


def test_supported_suffixes() -> None:
    expected = {".txt", ".md", ".markdown", ".text", ".html", ".htm", ".xhtml", ".pdf", ".docx"}
    assert expected == SUPPORTED_SUFFIXES


# ------------------------------------------------------------------ HTML

HTML = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>Berita  Daerah</title>
<style>p { color: red; } .gaya-rahasia {}</style>
<script>var rahasia = "skrip-rahasia";</script>
</head>
<body>
<nav><a href="/">Beranda</a></nav>
<h1>Judul &amp; Subjudul</h1>
<p>Hasil <a href="#">perun</a>dingan di caf&eacute;&nbsp;kota
berjalan <b>lancar</b>.</p>
<ul>
<li>butir satu</li>
<li>butir dua</li>
</ul>
<p>baris atas<br>baris bawah</p>
<noscript>tanpa-skrip</noscript>
<template>templat-rahasia</template>
<!-- komentar-rahasia -->
</body>
</html>
"""


@pytest.fixture
def html_result(tmp_path: Path) -> Extracted:
    return extract(write(tmp_path, "berita.html", HTML.encode("utf-8")))


def test_html_title_comes_first(html_result: Extracted) -> None:
    assert html_result.title == "Berita Daerah"
    assert html_result.text.split("\n")[:2] == ["Berita Daerah", ""]
    assert (html_result.unit, html_result.encoding) == ("line", "utf-8")


def test_html_drops_invisible_text(html_result: Extracted) -> None:
    for hidden in ("rahasia", "color", "tanpa-skrip", "<", "&amp;", "&eacute;"):
        assert hidden not in html_result.text


def test_html_visible_text_entities_and_inline_tags(html_result: Extracted) -> None:
    lines = html_result.text.split("\n")
    assert "Judul & Subjudul" in lines
    assert "Hasil perundingan di café kota berjalan lancar." in lines
    assert [line for line in lines if line.startswith("butir")] == ["butir satu", "butir dua"]
    assert lines[lines.index("baris atas") + 1] == "baris bawah"


def test_html_blocks_are_separate_paragraphs(html_result: Extracted) -> None:
    paragraphs = html_result.text.split("\n\n")
    assert "Judul & Subjudul" in paragraphs
    assert "butir satu\nbutir dua" in paragraphs
    assert "baris atas\nbaris bawah" in paragraphs


def test_html_locations_point_at_source_lines(html_result: Extracted) -> None:
    def source_line(needle: str) -> int:
        return next(i for i, line in enumerate(HTML.split("\n"), 1) if needle in line)

    assert location_of(html_result, "perundingan") == source_line("perun</a>dingan")
    assert location_of(html_result, "butir dua") == source_line("<li>butir dua")
    assert location_of(html_result, "Berita Daerah") == source_line("<title>")
    locations = html_result.locations
    assert locations is not None and list(locations) == sorted(locations)


def test_html_meta_charset_windows_1252(tmp_path: Path) -> None:
    head = '<html><head><meta charset="iso-8859-1"></head>'
    body = "<body><p>\x93kutip\x94 caf\xe9</p></body></html>"
    result = extract(write(tmp_path, "a.htm", (head + body).encode("latin-1")))
    assert result.text == "“kutip” café"
    assert result.encoding == "cp1252"


def test_html_pre_keeps_lines(tmp_path: Path) -> None:
    source = "<body>\n<pre>\nbaris 1\n\nbaris 3\n</pre>\n</body>"
    result = extract(write(tmp_path, "a.xhtml", source.encode()))
    assert lines_at(result) == [("baris 1", 3), ("", 3), ("baris 3", 5)]


def test_html_deep_nesting_does_not_crash(tmp_path: Path) -> None:
    source = "<div>" * 5000 + "dalam" + "</div>" * 5000
    assert extract(write(tmp_path, "a.html", source.encode())).text == "dalam"


# ------------------------------------------------------------------- PDF


def test_pdf_pages_are_locations(tmp_path: Path) -> None:
    data = make_pdf(
        ["Halaman pertama tentang anggaran.", "Halaman kedua tentang perundingan."], "Laporan"
    )
    result = extract(write(tmp_path, "laporan.pdf", data))
    assert result.unit == "page"
    assert result.title == "Laporan"
    assert location_of(result, "anggaran") == 1
    assert location_of(result, "perundingan") == 2
    assert "\n\n" in result.text  # pages never merge into one paragraph


def test_pdf_three_pages_in_order(tmp_path: Path) -> None:
    result = extract(write(tmp_path, "a.PDF", make_pdf(["satu", "dua", "tiga"])))
    assert [line for line, _ in lines_at(result) if line] == ["satu", "dua", "tiga"]
    assert [loc for line, loc in lines_at(result) if line] == [1, 2, 3]


def test_pdf_without_text_is_empty(tmp_path: Path) -> None:
    result = extract(write(tmp_path, "scan.pdf", make_pdf(["", ""])))
    assert result.text == ""
    assert result.locations == (1,)


@pytest.mark.parametrize(
    "data",
    [
        make_pdf(["Halaman pertama.", "Halaman kedua."])[:900],
        b"%PDF-1.4\n" + b"sampah " * 200 + b"\n%%EOF\n",
        b"",
    ],
    ids=["truncated", "garbage-with-header", "empty"],
)
def test_broken_pdf(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ExtractError, match="broken PDF"):
        extract(write(tmp_path, "rusak.pdf", data))


def encrypt_pdf(user_password: str, algorithm: str = "RC4-128") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Isi rahasia negara."]))))
    writer.encrypt(user_password=user_password, owner_password="pemilik", algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_encrypted_pdf_with_password_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ExtractError, match="encrypted PDF"):
        extract(write(tmp_path, "a.pdf", encrypt_pdf("rahasia")))


def test_encrypted_pdf_with_empty_password_is_read(tmp_path: Path) -> None:
    assert "rahasia negara" in extract(write(tmp_path, "a.pdf", encrypt_pdf(""))).text


def test_aes_encrypted_pdf_with_empty_password_is_read(tmp_path: Path) -> None:
    pytest.importorskip("cryptography")  # pypdf needs it for AES
    data = encrypt_pdf("", algorithm="AES-128")
    assert "rahasia negara" in extract(write(tmp_path, "a.pdf", data)).text


# ------------------------------------------------------------------ DOCX


def test_docx_paragraphs_and_table_in_order(tmp_path: Path) -> None:
    result = extract(write(tmp_path, "notulen.docx", make_docx()))
    assert result.unit == "paragraph"
    assert result.title == "Notulen Rapat"
    assert [(line, loc) for line, loc in lines_at(result) if line] == [
        ("Paragraf pertama tentang anggaran.", 1),
        ("Paragraf kedua tentang perundingan.", 2),
        ("Nama", 3),
        ("Jabatan", 4),
        ("Budi", 5),
        ("Paragraf ketiga, penutup.", 6),
    ]
    assert result.text.count("\n\n") == 5  # a blank line between paragraphs


def test_docx_soft_line_break_keeps_its_paragraph(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("awal")
    run = document.add_paragraph().add_run("atas")
    run.add_break()
    run.add_text("bawah")
    buffer = io.BytesIO()
    document.save(buffer)
    result = extract(write(tmp_path, "a.docx", buffer.getvalue()))
    assert lines_at(result) == [("awal", 1), ("", 1), ("atas", 2), ("bawah", 2)]


def zip_without_word_document() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "bukan dokumen word")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"Ini teks biasa yang diberi nama .docx",
        b"PK\x03\x04" + b"\x00" * 100,
        zip_without_word_document(),
    ],
    ids=["plain-text", "zip-garbage", "zip-not-docx"],
)
def test_broken_docx(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ExtractError, match="not a valid DOCX file"):
        extract(write(tmp_path, "rusak.docx", data))


# ------------------------------------------------------------ properties

PREFIXES = {".pdf": b"%PDF-1.7\n", ".docx": b"PK\x03\x04", ".html": b"<html><p>"}


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2048), with_prefix=st.booleans())
def test_any_bytes_give_text_or_extract_error(suffix: str, data: bytes, with_prefix: bool) -> None:
    if with_prefix:
        data = PREFIXES.get(suffix, b"") + data
    try:
        result = extract(Path("x" + suffix), data)
    except ExtractError as exc:
        assert str(exc)
        return
    assert "\r" not in result.text
    if result.locations is not None:
        assert len(result.locations) == result.text.count("\n") + 1
        assert all(loc >= 1 for loc in result.locations)


@settings(max_examples=100, deadline=None)
@given(text=st.text(st.characters(blacklist_characters="\x00\ufeff", blacklist_categories=["Cs"])))
def test_utf8_text_keeps_its_lines(text: str) -> None:
    result = extract(Path("a.txt"), text.encode("utf-8"))
    assert result.text == text.replace("\r\n", "\n").replace("\r", "\n")
    assert result.text.count("\n") == text.count("\n") + text.count("\r") - text.count("\r\n")
