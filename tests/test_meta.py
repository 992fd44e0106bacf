"""Document metadata (ingest/meta.py) and the filters on it: dates as people
write them, dates in file names, the CSV/TSV sidecar, formats' own dates,
field:value in the query, --since/--until through a real subprocess, and
CLICK-ID's manifest as a sidecar."""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
from datetime import datetime
from pathlib import Path

import pytest

from nkcorpus import Corpus
from nkcorpus.errors import QueryError
from nkcorpus.ingest import meta
from nkcorpus.ingest.extract import extract
from nkcorpus.store.freshness import fresh_live
from nkcorpus.understand import understand
from nkcorpus.understand.plan import Filters, iso_date

from conftest import ROOT, run_cli


@pytest.mark.parametrize("text, iso", [
    ("2019-10-09", "2019-10-09"),  # ISO: year, month, day, always
    ("16/09/2019", "2019-09-16"),  # day first
    ("Oct 9, 2019", "2019-10-09"),
    ("09-Sep-19", "2019-09-09"),
    ("16 Agustus 2019", "2019-08-16"),
    ("Agustus 16, 2019", "2019-08-16"),
    ("Senin, 16 September 2019 10:00 WIB", "2019-09-16"),
    ("Agustus 2019", "2019-08"),
    ("2019", "2019"),
    ("2019-09-16T10:00:00+07:00", "2019-09-16"),
    ("D:20190301120000+07'00'", "2019-03-01"),
    ("", None), ("kemarin", None), ("12", None), ("2019-13-01", None), ("31/02/2019", None),
])
def test_parse_date(text, iso):
    assert meta.parse_date(text) == iso


def test_parse_date_of_datetime():
    assert meta.parse_date(datetime(2020, 1, 2, 3, 4)) == "2020-01-02"
    assert meta.parse_date(None) is None


@pytest.mark.parametrize("name, iso", [
    ("laporan-2019-06-30.pdf", "2019-06-30"),
    ("arsip/20190630_rapat.txt", "2019-06-30"),
    ("30-06-2019 notulen.docx", "2019-06-30"),
    ("edisi_2019_06.txt", "2019-06"),
    ("tahunan-2019.pdf", "2019"),
    ("2019/catatan.txt", None),  # a folder's name is not the file's date
    ("clickid-tempo-02447.txt", None),
    ("scan-20191399.txt", None),
    ("002_ce2136e8353e10c5.txt", None),  # a hash, not the year 2136
])
def test_date_in_name(name, iso):
    assert meta.date_in_name(name) == iso


def test_iso_date_for_filters():
    assert [iso_date(x) for x in ("2019", "2019-9", "2019-09-01", "2019-13", "19", "2019-02-30")] == \
        ["2019", "2019-09", "2019-09-01", None, None, None]


def test_first_line_title_and_file_meta():
    own = meta.file_meta("a/b/berita-2019-09-16.txt", None, None, "\nJudul Berita\n\nIsi berita ini.")
    assert own == meta.Meta(title="Judul Berita", date="2019-09-16", folder="a/b")
    assert meta.file_meta("x.txt", None, None, "Kalimat pertama ini berakhir dengan titik.").title is None
    # the file's own metadata wins over its name
    assert meta.file_meta("r-2018.pdf", "T", "2019-01-02").date == "2019-01-02"


def write_sidecar(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    text = "\n".join(delimiter.join(row) for row in rows) + "\n"
    path.write_bytes(gzip.compress(text.encode()) if path.name.endswith(".gz") else text.encode())


def test_sidecar_columns_synonyms_and_matching(tmp_path):
    write_sidecar(tmp_path / "meta.tsv", [
        ["id", "publisher", "date", "link", "title", "penulis"],
        ["berita-001", "Tempo", "16/09/2019", "https://x/1", "Judul Satu", "Budi"],
        ["sub/b.txt", "kompas", "2019-10-01", "", "", ""],
        ["c.html", "detik", "bukan tanggal", "", "", ""],
        ["tidak-ada", "x", "", "", "", ""],
    ], "\t")
    sidecar = meta.load_sidecar(tmp_path, ["meta.tsv"])
    assert sidecar.files == ("meta.tsv",) and sidecar.rows == 4 and not sidecar.problems
    one = sidecar.lookup("arsip/berita-001.txt")  # by the name without its extension
    assert one == meta.Meta(title="Judul Satu", date="2019-09-16", source="tempo", author="Budi",
                            url="https://x/1")
    assert sidecar.lookup("sub/b.txt").source == "kompas"  # by path
    assert sidecar.lookup("c.html").date is None  # a date that is not one is no date
    assert sidecar.lookup("other.txt") is None
    rels = ["arsip/berita-001.txt", "sub/b.txt", "c.html"]
    assert sidecar.unmatched(rels) == {"meta.tsv": 1}
    assert sidecar.notes(rels) == ["metadata file meta.tsv: 1 of 4 rows match no file in the corpus"]


def test_sidecar_precedence_over_the_file(tmp_path):
    write_sidecar(tmp_path / "m.csv", [["file", "title", "source"], ["a.txt", "Dari Sidecar", "Antara"]])
    sidecar = meta.load_sidecar(tmp_path, ["m.csv"])
    own = meta.Meta(title="Dari Berkas", date="2019-01-01", folder="")
    assert meta.resolve("a.txt", own, sidecar) == meta.Meta(
        title="Dari Sidecar", date="2019-01-01", source="antara", folder="")


def test_sidecar_csv_sniffed_gzipped_and_not_metadata(tmp_path):
    write_sidecar(tmp_path / "semicolon.csv", [["filename", "date"], ["a.txt", "2019-05-05"]], ";")
    write_sidecar(tmp_path / "m.tsv.gz", [["path", "source"], ["b.txt", "Kompas"]], "\t")
    write_sidecar(tmp_path / "data.csv", [["kota", "jumlah"], ["Jakarta", "3"]])  # not metadata
    sidecar = meta.load_sidecar(tmp_path, ["semicolon.csv", "m.tsv.gz", "data.csv"])
    assert sidecar.files == ("m.tsv.gz", "semicolon.csv")
    assert sidecar.lookup("a.txt").date == "2019-05-05" and sidecar.lookup("b.txt").source == "kompas"


def test_a_broken_sidecar_is_a_warning_not_a_crash(tmp_path):
    (tmp_path / "rusak.csv.gz").write_bytes(b"not gzip at all")
    (tmp_path / "kutip.csv").write_text('file,title\na.txt,"tidak ditutup\n' + "x" * 10, encoding="utf-8")
    sidecar = meta.load_sidecar(tmp_path, ["rusak.csv.gz", "kutip.csv", "hilang.csv"])
    assert any("rusak.csv.gz cannot be read" in p for p in sidecar.problems)
    assert any("hilang.csv cannot be read" in p for p in sidecar.problems)


def test_formats_give_their_dates(tmp_path):
    html = ('<html><head><title>T</title><meta name="dc.date" content="16/09/2019">'
            '<meta property="article:published_time" content="2019-09-15T08:00:00Z"></head>'
            '<body><p>isi</p></body></html>')
    assert extract(tmp_path / "a.html", html.encode()).date == "2019-09-15"
    timed = '<html><body><time datetime="2018-02-03">3 Feb</time><p>isi</p></body></html>'
    assert extract(tmp_path / "b.html", timed.encode()).date == "2018-02-03"
    assert extract(tmp_path / "c.html", b"<p>isi</p>").date is None
    assert extract(tmp_path / "d.txt", b"isi").date is None

    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(datetime(2017, 4, 5, 6, 7))
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 10, "isi")
    assert extract(tmp_path / "e.pdf", bytes(pdf.output())).date == "2017-04-05"

    import docx

    document = docx.Document()
    document.core_properties.created = datetime(2016, 7, 8)
    document.add_paragraph("isi")
    buffer = io.BytesIO()
    document.save(buffer)
    assert extract(tmp_path / "f.docx", buffer.getvalue()).date == "2016-07-08"


def test_query_filters_are_taken_out_of_the_query():
    plan = understand("nuklir source:Tempo -year:2018 (iran title:sanksi-ekonomi) -author:budi date:2019-9")
    assert plan.filters == Filters(
        keep=(("source", "tempo"), ("title", "sanksi ekonomi"), ("date", "2019-09")),
        drop=(("date", "2018"), ("author", "budi")))
    assert plan.searched == understand("nuklir (iran)").searched
    assert understand("nuklir foo:bar").filters == Filters()  # an unknown field stays words
    assert "foo" in understand("nuklir foo:bar").searched
    with pytest.raises(QueryError, match="year:19 is not a year"):
        understand("nuklir year:19")
    with pytest.raises(QueryError, match="no words"):
        understand("source:tempo")


# --- through the CLI -----------------------------------------------------------------------


@pytest.fixture
def dated(tmp_path) -> Path:
    """A small corpus with dates in names, HTML meta dates, a CSV and a TSV sidecar."""
    root = tmp_path / "dated"
    (root / "arsip").mkdir(parents=True)
    (root / "berita-2019-09-16.txt").write_text(
        "Uji Nuklir Korea Utara\n\nKorea Utara melakukan uji coba nuklir lagi, kata pejabat.\n", encoding="utf-8")
    (root / "arsip" / "20180301_sanksi.txt").write_text(
        "Sanksi Baru\n\nDewan Keamanan menjatuhkan sanksi terkait program nuklir Iran.\n", encoding="utf-8")
    (root / "reaktor.html").write_text(
        '<html><head><title>Reaktor Nuklir Baru</title>'
        '<meta property="article:published_time" content="2019-10-02T08:00:00+07:00"></head>'
        '<body><p>Pembangunan reaktor nuklir dimulai tahun ini.</p></body></html>', encoding="utf-8")
    (root / "tanpa.txt").write_text("Artikel nuklir tanpa tanggal sama sekali.\n", encoding="utf-8")
    (root / "opini.txt").write_text("Opini: tenaga nuklir untuk listrik.\n", encoding="utf-8")
    write_sidecar(root / "sumber.csv", [["file", "source", "author", "date"],
                                        ["opini.txt", "Tempo", "Budi Santoso", "16/09/2019"],
                                        ["hilang.txt", "kompas", "", ""]])
    write_sidecar(root / "judul.tsv", [["filename", "judul", "publisher"],
                                       ["berita-2019-09-16.txt", "Korut Uji Nuklir Lagi", "Kompas"]], "\t")
    return root


def hits(*args: str) -> list[dict]:
    proc = run_cli("search", *args, "--json", "-n", "50")
    assert proc.returncode in (0, 1), proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def files(found: list[dict]) -> set[str]:
    return {h["path"].rsplit("/", 1)[-1] for h in found}


def test_metadata_and_filters_through_the_cli(dated, index_base):
    c = str(dated)
    built = run_cli("index", c)  # the sidecar's row for a missing file is noted when indexing
    assert built.returncode == 0 and "sumber.csv: 1 of 2 rows match no file" in built.stderr
    every = hits("nuklir", "-c", c)
    assert files(every) == {"berita-2019-09-16.txt", "20180301_sanksi.txt", "reaktor.html", "tanpa.txt", "opini.txt"}
    by_file = {h["path"].rsplit("/", 1)[-1]: h for h in every}
    assert (by_file["berita-2019-09-16.txt"]["title"], by_file["berita-2019-09-16.txt"]["date"],
            by_file["berita-2019-09-16.txt"]["source"]) == ("Korut Uji Nuklir Lagi", "2019-09-16", "kompas")
    assert by_file["reaktor.html"]["date"] == "2019-10-02" and by_file["reaktor.html"]["source"] is None
    assert by_file["opini.txt"]["date"] == "2019-09-16" and by_file["opini.txt"]["source"] == "tempo"
    assert (by_file["tanpa.txt"]["date"], by_file["tanpa.txt"]["title"]) == (None, None)
    assert by_file["20180301_sanksi.txt"]["title"] == "Sanksi Baru"

    assert files(hits("nuklir", "-c", c, "--since", "2019-09")) == {
        "berita-2019-09-16.txt", "reaktor.html", "opini.txt"}
    assert files(hits("nuklir", "-c", c, "--until", "2019-09")) == {
        "berita-2019-09-16.txt", "20180301_sanksi.txt", "opini.txt"}
    assert files(hits("nuklir", "-c", c, "--since", "2019-09-17", "--until", "2019")) == {"reaktor.html"}
    assert files(hits("nuklir source:TEMPO", "-c", c)) == {"opini.txt"}
    assert files(hits("nuklir source:tempo source:kompas", "-c", c)) == {"opini.txt", "berita-2019-09-16.txt"}
    assert files(hits("nuklir -source:kompas year:2019", "-c", c)) == {"reaktor.html", "opini.txt"}
    assert files(hits("nuklir date:2018-03", "-c", c)) == {"20180301_sanksi.txt"}
    assert files(hits("nuklir title:reaktor", "-c", c)) == {"reaktor.html"}
    assert files(hits("nuklir author:santoso", "-c", c)) == {"opini.txt"}
    assert files(hits("nuklir folder:arsip", "-c", c)) == {"20180301_sanksi.txt"}
    assert hits("nuklir source:antara", "-c", c) == []

    text = run_cli("search", "reaktor", "-c", c, "--color", "never")
    assert "reaktor.html:1  2019-10-02  “Reaktor Nuklir Baru”  score" in text.stdout


@pytest.mark.parametrize("args, message", [
    (["--since", "2019-13"], "--since 2019-13: not a date"),
    (["--until", "kemarin"], "--until kemarin: not a date"),
    (["--since", "2020", "--until", "2019"], "--since 2020 is after --until 2019"),
])
def test_a_bad_date_is_one_line_and_exit_2(dated, index_base, args, message):
    proc = run_cli("search", "nuklir", "-c", str(dated), *args)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"nkcorpus: error: {message}")


def test_a_changed_sidecar_reindexes_and_is_noticed(dated, index_base):
    c = str(dated)
    assert files(hits("nuklir source:tempo", "-c", c)) == {"opini.txt"}
    sidecar = dated / "sumber.csv"
    before = sidecar.stat()
    write_sidecar(sidecar, [["file", "source"], ["tanpa.txt", "Tempo"]])
    os.utime(sidecar, ns=(before.st_atime_ns, before.st_mtime_ns + 10**9))
    assert files(hits("nuklir source:tempo", "-c", c)) == {"tanpa.txt"}
    # touched but the same contents: no re-index needed, and still fresh after
    os.utime(sidecar, ns=(before.st_atime_ns, before.st_mtime_ns + 5 * 10**9))
    report = Corpus(dated, index_dir=index_base).update()
    assert not report.full and report.files_read == 0
    corpus = Corpus(dated, index_dir=index_base)
    assert fresh_live(corpus.root, corpus.home) is not None
    os.utime(sidecar, ns=(before.st_atime_ns, before.st_mtime_ns + 9 * 10**9))
    assert fresh_live(corpus.root, corpus.home) is None  # the freshness check sees the sidecar
    sidecar.unlink()  # gone: its metadata goes too
    assert hits("nuklir source:tempo", "-c", c) == []
    assert files(hits("nuklir source:kompas", "-c", c)) == {"berita-2019-09-16.txt"}


def test_api_since_until_and_hit_metadata(dated, index_base):
    result = Corpus(dated, index_dir=index_base).search("nuklir", limit=20, since="2019-10")
    assert {(h.rel, h.date, h.title) for h in result.hits} == {
        ("reaktor.html", "2019-10-02", "Reaktor Nuklir Baru")}


# --- CLICK-ID, with its manifest as the sidecar -----------------------------------------------


def shared_corpora() -> Path | None:
    for base in (ROOT.parent / "shared", ROOT.parent.parent / "shared"):
        if (base / "corpora" / "clickid-2019.tar.gz").is_file():
            return base / "corpora"
    return None


@pytest.fixture(scope="module")
def clickid_slice(tmp_path_factory) -> Path:
    corpora = shared_corpora()
    if corpora is None or not (corpora / "clickid-2019-manifest.tsv.gz").is_file():
        pytest.skip("CLICK-ID (shared/corpora/clickid-2019*.gz) is not here")
    root = tmp_path_factory.mktemp("clickid") / "slice"
    root.mkdir()
    wanted = {f"clickid-{p}-{n:05d}.txt" for p in ("tempo", "kompas", "okezone", "sindonews")
              for n in range(1, 101)}
    with tarfile.open(corpora / "clickid-2019.tar.gz") as tar:
        for member in tar:
            name = member.name.rsplit("/", 1)[-1]
            if member.isfile() and name in wanted:
                (root / name).write_bytes(tar.extractfile(member).read())
    (root / "clickid-2019-manifest.tsv.gz").write_bytes((corpora / "clickid-2019-manifest.tsv.gz").read_bytes())
    return root


def test_clickid_manifest_as_sidecar(clickid_slice, index_base):
    c = str(clickid_slice)
    proc = run_cli("index", c)
    assert proc.returncode == 0, proc.stderr
    assert "rows match no file in the corpus" in proc.stderr  # the manifest lists all 21,940
    found = hits("nuklir", "-c", c)
    assert found and all(h["date"] and h["source"] and h["title"] for h in found)
    since = hits("nuklir", "-c", c, "--since", "2019-09")
    assert since and all(h["date"] >= "2019-09" for h in since)
    assert len(since) < len(found) or all(h["date"] >= "2019-09" for h in found)
    tempo = hits("pemerintah source:tempo", "-c", c)
    assert tempo and all(h["source"] == "tempo" and "-tempo-" in h["path"] for h in tempo)
    not_tempo = hits("pemerintah -source:tempo", "-c", c)
    assert not_tempo and not any(h["source"] == "tempo" for h in not_tempo)
