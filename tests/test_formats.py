"""Every format, end to end: real files (PDF by fpdf2, DOCX by python-docx)
indexed by the CLI, found by a word with the right location and unit; and
big files read in parts with the same locations as when read whole."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nkcorpus.cli import app as cli
from nkcorpus.ingest import read as corpus_mod
from nkcorpus.ingest.extract import extract, extract_parts

from conftest import run_cli
from test_extract import make_pdf


def make_docx(paragraphs: list[str], title: str) -> bytes:
    import io

    import docx

    document = docx.Document()
    document.core_properties.title = title
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


HTML = """<!DOCTYPE html>
<html>
<head>
  <title>Laporan Khusus Pelabuhan Sinpo</title>
  <style>.iklan { color: red } /* katagaya */</style>
  <script>var kataskrip = "jangan diindeks";</script>
</head>
<body>
  <nav>Beranda</nav>
  <h1>Galangan kapal selam</h1>
  <p>Citra satelit menunjukkan <b>aktivitas</b> baru di galangan.</p>
  <p hidden>katatersembunyi</p>
</body>
</html>
"""


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """A folder with one file of each format, indexed once by the CLI."""
    root = tmp_path_factory.mktemp("formats") / "dokumen saya"
    (root / "catatan").mkdir(parents=True)
    (root / "catatan" / "rapat.md").write_text("# Notulen\n\nAgenda pertama.\n\nKeputusan tentang anggaranmd.\n",
                                               encoding="utf-8")
    (root / "berita.txt").write_text("Judul\n\nbaris dua\nKata kuncitxt ada di baris empat.\n", encoding="utf-8")
    (root / "lama-cp1252.txt").write_bytes("Baris satu.\nRapat di café “Sederhana” membahas koperasi.\n".encode("cp1252"))
    (root / "utf16.txt").write_bytes("Pertama.\nKata kunciutf ada di sini.\n".encode("utf-16"))
    (root / "rusak-mojibake.txt").write_text("Perjanjian itu disebut â€œbersejarahâ€\x9d oleh menteri.\n",
                                             encoding="utf-8")
    (root / "halaman.html").write_text(HTML, encoding="utf-8")
    (root / "makalah.pdf").write_bytes(make_pdf(["Halaman pertama tentang sejarah.",
                                                 "Halaman kedua tentang ekonomi.",
                                                 "Halaman ketiga menyebut kuncipdf."]))
    (root / "memo.docx").write_bytes(make_docx(["Satu.", "Dua.", "Tiga.", "Paragraf keempat berisi kuncidocx."],
                                               title="Memo"))
    base = tmp_path_factory.mktemp("indexes")
    env = {"NKCORPUS_INDEX_DIR": str(base)}
    proc = run_cli("index", str(root), env=env)
    assert proc.returncode == 0 and proc.stderr.count("\n") == 1, proc.stderr
    return root, env


def search_output(indexed, *args: str) -> str:
    """stdout of ``nkcorpus search ARGS --corpus ROOT``, run in this process."""
    root, env = indexed
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.run(["search", *args, "--corpus", str(root), "--index-dir", env["NKCORPUS_INDEX_DIR"]])
    assert code in (0, 1)
    return out.getvalue()


def hits(indexed, query: str) -> list[dict]:
    return [json.loads(line) for line in search_output(indexed, query, "--json").splitlines()]


@pytest.mark.parametrize(
    ("query", "name", "unit", "location"),
    [
        ("kuncitxt", "berita.txt", "line", 4),
        ("anggaranmd", "catatan/rapat.md", "line", 5),
        ("koperasi", "lama-cp1252.txt", "line", 2),
        ("kunciutf", "utf16.txt", "line", 2),
        ("aktivitas", "halaman.html", "line", 11),
        ("kuncipdf", "makalah.pdf", "page", 3),
        ("kuncidocx", "memo.docx", "paragraph", 4),
    ],
)
def test_each_format_is_found_at_its_location(indexed, query, name, unit, location):
    found = hits(indexed, query)
    assert len(found) == 1
    hit = found[0]
    assert hit["path"] == f"{indexed[0]}/{name}"
    assert (hit["unit"], hit["line_start"], hit["line_end"]) == (unit, location, location)
    assert query in hit["text"].lower()


def test_html_title_is_searchable_and_invisible_text_is_not(indexed):
    title = hits(indexed, "Sinpo")
    # The title is a passage of its own and ranks first; the page's other
    # passages carry it as low-weight context, so they follow.
    assert title[0]["text"] == "Laporan Khusus Pelabuhan Sinpo"
    assert title[0]["line_start"] == 4
    assert {h["path"] for h in title} == {title[0]["path"]}
    for hidden in ("katagaya", "kataskrip", "katatersembunyi", "iklan"):
        assert hits(indexed, hidden) == []


def test_text_is_repaired_and_shown_faithfully(indexed):
    [cafe] = hits(indexed, "koperasi")
    assert cafe["text"] == "Rapat di café “Sederhana” membahas koperasi."
    [moji] = hits(indexed, "perjanjian")
    assert moji["text"] == "Perjanjian itu disebut “bersejarah” oleh menteri."


def test_terminal_shows_page_and_paragraph(indexed):
    assert "makalah.pdf:p3" in search_output(indexed, "kuncipdf", "--color", "never")
    assert "memo.docx:¶4" in search_output(indexed, "kuncidocx", "--color", "never")


# --- big files in parts ---------------------------------------------------------


def char_locations(parts) -> list[int]:
    """The location of every character of the parts' text, in order."""
    out: list[int] = []
    for part in parts:
        document = corpus_mod.Document(part.text, part.unit, part.locations, None, part.first_line)
        for number, line in enumerate(part.text.split("\n"), 1):
            out.extend([document.location(number)] * (len(line) + 1))
        out.pop()  # no line end after a part's last line
    return out


def same_as_whole(parts, path: Path) -> bool:
    whole = extract(path)
    return "".join(p.text for p in parts) == whole.text and char_locations(parts) == char_locations([whole])


SAMPLES = {
    "paragraphs": ("Paragraf satu yang cukup panjang.\n\nKedua.\nKetiga baris.\n\n" * 40).encode(),
    "crlf": ("baris dengan akhir windows\r\n" * 120 + "akhir").encode(),
    "old-mac": ("baris mac lama\r" * 100).encode(),
    "one-long-line": ("kata " * 1000).encode(),
    "no-spaces": b"x" * 3000 + b"\nakhir\n",
    "cp1252": ("Rapat “koperasi” di café\n" * 100).encode("cp1252"),
    "utf8-multibyte": ("Ekspor ke Jepang — naik 5 %, ‘kata’ “bagus” ✓\n" * 80).encode(),
    "utf16": ("Undang-undang baru\nPasal dua\n" * 60).encode("utf-16"),
}


@pytest.mark.parametrize("name", SAMPLES)
@pytest.mark.parametrize("part_bytes", [97, 256, 1000])
def test_text_in_parts_has_the_same_lines_and_locations(tmp_path, name, part_bytes):
    path = tmp_path / "besar.txt"
    path.write_bytes(SAMPLES[name])
    parts = list(extract_parts(path, part_bytes))
    assert len(parts) > 1
    assert same_as_whole(parts, path)


def test_a_utf8_file_with_stray_cp1252_bytes_keeps_both(tmp_path):
    path = tmp_path / "campur.txt"
    path.write_bytes("Bagian UTF-8: café\n".encode() * 50 + "Bagian lama: “kutip”\n".encode("cp1252"))
    text = "".join(p.text for p in extract_parts(path, 128))
    assert "café" in text and "“kutip”" in text


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab é\n\r\t—")), max_size=400), st.integers(16, 80))
def test_any_text_in_parts_joins_to_the_whole(tmp_path_factory, text, part_bytes):
    path = tmp_path_factory.mktemp("parts") / "x.txt"
    path.write_bytes(text.encode("utf-8"))
    assert same_as_whole(list(extract_parts(path, part_bytes)), path)


def test_pieces_keep_locations_of_parsed_formats(tmp_path):
    pages = [f"Halaman {n} baris satu.\nHalaman {n} baris dua." for n in range(1, 8)]
    path = tmp_path / "buku.pdf"
    path.write_bytes(make_pdf(pages))
    extracted = extract(path)
    pieces = list(corpus_mod.pieces(extracted, max_chars=60))
    assert len(pieces) > 3
    assert "".join(p.text for p in pieces) == extracted.text
    assert char_locations(pieces) == char_locations([extracted])
