"""The research views: timeline, terms, similar (issue 15), on the seeds
and on a small dated corpus (a sidecar, a date in a file name, an undated
file and one dated only by year)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import run_cli

from nkcorpus import Corpus
from nkcorpus.model import KeyTerms, Timeline
from nkcorpus.understand import understand
from nkcorpus.understand.aliases import load
from nkcorpus.understand.plan import Bool, all_concepts
from nkcorpus.views.terms import g2
from nkcorpus.views.timeline import period_of


# --- timeline ----------------------------------------------------------------------------------------


def test_period_of():
    assert period_of("2019-03-30", "month") == "2019-03"
    assert period_of("2019-03-30", "year") == "2019"
    assert period_of("2019-12-30", "week") == "2020-W01"  # ISO weeks
    assert period_of("2019", "month") is None and period_of(None, "year") is None


def test_timeline_counts_months_on_one_axis(dated):
    t = Corpus(dated).timeline("Korea Utara", "sanksi", by="month")
    assert isinstance(t, Timeline) and t.axis == ("2019-01", "2019-02", "2019-03")
    korea, sanksi = t.series
    assert [c.documents for c in korea.counts] == [2, 0, 2]
    assert [c.passages for c in korea.counts] == [4, 0, 2]
    assert (korea.undated_documents, korea.peak) == (2, "2019-01")  # d.txt and e.txt (a year only)
    assert [c.documents for c in sanksi.counts] == [2, 0, 1]
    assert any("only a coarser one" in n for n in t.notes)
    by_year = Corpus(dated).timeline("Korea Utara", by="year")
    assert by_year.axis == ("2019",) and by_year.series[0].counts[0].documents == 5
    weeks = Corpus(dated).timeline("Korea Utara", by="week")
    assert weeks.axis[0] == "2019-W03" and weeks.axis[-1] == "2019-W13" and len(weeks.axis) == 11


def test_timeline_needs_every_word_of_a_query(dated):
    # "Korea Utara" is a name: "Korea" alone or "Utara" alone does not count
    (dated / "h.txt").write_text("Jakarta Utara banjir. Korea Selatan menang.\n", encoding="utf-8")
    t = Corpus(dated).timeline("Korea Utara", by="year")
    assert t.series[0].counts[0].documents + t.series[0].undated_documents == 6


def test_all_concepts_requires_each_concept_and_drops_ranking_only_parts():
    root = all_concepts(understand("sanksi ekonomi -iran").root)
    assert isinstance(root, Bool) and len(root.must) == 2 and root.must_not and not root.should
    name = all_concepts(understand("Korea Utara", None, load(None)).root)
    assert "proximity" not in repr(name) and "way='typed'" not in repr(name)


def test_timeline_cli_text_csv_jsonl(dated):
    proc = run_cli("timeline", "Korea Utara", "sanksi", "-c", str(dated), "--color", "never")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[1].startswith("2019-01  Korea Utara") and "█" in lines[1]
    assert "Korea Utara: total 4 documents (6 passages) in 3 months; peak 2019-01: 2 documents" in proc.stdout
    rows = list(csv.reader(io.StringIO(run_cli("timeline", "sanksi", "-c", str(dated), "--format", "csv").stdout)))
    assert rows[0] == ["query", "period", "documents", "passages"]
    assert rows[1:] == [["sanksi", "2019-01", "2", "2"], ["sanksi", "2019-02", "0", "0"],
                        ["sanksi", "2019-03", "1", "1"], ["sanksi", "undated", "1", "1"]]
    objs = [json.loads(x) for x in run_cli("timeline", "sanksi", "-c", str(dated), "--format", "jsonl",
                                           "--by", "year").stdout.splitlines()]
    assert objs[0] == {"query": "sanksi", "period": "2019", "documents": 3, "passages": 3}


def test_timeline_on_the_seeds_says_there_are_no_dates(index_base):
    proc = run_cli("timeline", "nuklir", "--color", "never")
    assert proc.returncode == 0
    assert "5 documents (35 passages) without a date" in proc.stdout
    assert "no document of this corpus has a date" in proc.stdout and "sidecar" in proc.stdout


def test_timeline_bad_period(index_base):
    proc = run_cli("timeline", "nuklir", "--by", "day")
    assert proc.returncode == 2 and "day" in proc.stderr


# --- terms -------------------------------------------------------------------------------------------


def test_g2():
    assert g2(10, 100, 100, 1000) == pytest.approx(0.0)  # the same share: no keyness
    # by hand from the four cells: expected 2.727, 97.27, 27.27, 972.7
    assert g2(20, 100, 10, 1000) == pytest.approx(63.20, abs=0.01)
    assert g2(20, 100, 10, 1000) > g2(10, 100, 10, 1000)


def test_terms_keep_names_whole_and_leave_out_stop_and_query_words(dated):
    k = Corpus(dated).terms("sanksi", limit=50)
    assert isinstance(k, KeyTerms) and k.matched == k.sample == 4
    by_form = {t.form: t for t in k.terms}
    assert by_form["Dewan Keamanan"].kind == "name" and by_form["Dewan Keamanan"].matches == 2
    assert "Korea Utara" in by_form
    roots = {t.term for t in k.terms}
    assert "sanksi" not in roots and not roots & {"dan", "di", "yang", "kepada", "terhadap"}
    assert "dewan" not in roots  # a name's word, not apart
    assert all(t.matches / k.sample > (t.corpus - t.matches) / (k.corpus - k.sample) for t in k.terms)
    assert [t.score for t in k.terms] == sorted((t.score for t in k.terms), reverse=True)


def test_terms_show_the_most_frequent_form_and_people(dated):
    k = Corpus(dated).terms("Korea Utara", limit=50)
    forms = {t.form for t in k.terms}
    assert "Kim Jong-un" in forms and "Korea Utara" not in forms


def test_terms_cli(dated, index_base):
    proc = run_cli("terms", "sanksi", "-c", str(dated), "--color", "never")
    assert proc.returncode == 0 and "Dewan Keamanan" in proc.stdout and "G2" in proc.stdout
    rows = list(csv.reader(io.StringIO(run_cli("terms", "sanksi", "-c", str(dated), "--format", "csv").stdout)))
    assert rows[0] == ["rank", "term", "form", "kind", "matches", "corpus", "score"]
    seeds = run_cli("terms", "nuklir", "--format", "jsonl", "-n", "10")
    objs = [json.loads(x) for x in seeds.stdout.splitlines()]
    assert len(objs) == 10 and objs[0]["rank"] == 1 and objs[0]["query"] == "nuklir"
    assert {"term", "form", "kind", "matches", "corpus", "score", "sample", "matched"} <= objs[0].keys()


# --- similar -----------------------------------------------------------------------------------------


def test_similar_finds_other_documents_first(index_base):
    result = Corpus().similar("003_874ad97e462c4b72.txt:5", limit=8)
    assert result.hits and result.query.startswith("similar to")
    paths = [h.rel for h in result.hits]
    own = [i for i, p in enumerate(paths) if p.startswith("003_")]
    assert not own or min(own) > max(i for i, p in enumerate(paths) if not p.startswith("003_"))
    assert all(not (h.rel.startswith("003_") and h.line_start <= 5 <= h.line_end) for h in result.hits)
    assert all(h.matches for h in result.hits)  # the distinctive words are highlighted


def test_similar_cli_formats_and_errors(dated, index_base):
    proc = run_cli("similar", "a.txt:3", "-c", str(dated), "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(x) for x in proc.stdout.splitlines()]
    assert objs and objs[0]["path"] != "a.txt" and "text" in objs[0] and "date" in objs[0]
    assert run_cli("similar", "nope.txt:3", "-c", str(dated)).returncode == 2
    bad = run_cli("similar", "a.txt", "-c", str(dated))
    assert bad.returncode == 2 and "PATH:LINE" in bad.stderr
