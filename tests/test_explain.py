"""--explain: each part of the query in each hit, the forms found, and its share."""

import json

from conftest import run_cli


def hits(*args):
    proc = run_cli("search", *args, "--explain", "--json")
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_shares_add_up_to_the_hit_and_name_the_forms(index_base):
    for hit in hits("sanksi korut", "-n", "5"):
        parts = hit["explain"]
        assert parts and abs(sum(p["share"] for p in parts) - 1) < 0.01
        # the parts add up to the passage's score (a heading alone is then halved)
        assert min(abs(sum(p["score"] for p in parts) * w - hit["score"]) for w in (1, 0.5)) < 0.01
        for part in parts:
            assert set(part) == {"concept", "score", "share", "matched"} and part["matched"]
            assert all(set(m) == {"way", "text"} for m in part["matched"])
    ways = {(p["concept"], m["way"], m["text"]) for h in hits("sanksi korut", "-n", "5")
            for p in h["explain"] for m in p["matched"]}
    assert ("korut", "alias", "korea utara") in ways and ("sanksi", "typed", "sanksi") in ways


def test_a_close_spelling_is_named(index_base):
    found = hits("sangsi", "-n", "3")
    assert found and all(any(m["way"] == "spelling" for p in h["explain"] for m in p["matched"]) for h in found)


def test_text_output_shows_why_and_json_has_no_key_without_the_flag(index_base):
    text = run_cli("search", "Kim Jong-un nuklir", "-n", "1", "--explain", "--color", "never").stdout
    assert "why: " in text and "%" in text
    plain = run_cli("search", "Kim Jong-un nuklir", "-n", "1", "--json").stdout
    assert "explain" not in json.loads(plain.splitlines()[0])


def test_stats_is_one_json_line_on_stderr_after_the_results(index_base):
    proc = run_cli("search", "sanksi", "--json", "--stats", "-n", "3")
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 3
    stats = json.loads(proc.stderr.strip().splitlines()[-1])
    assert set(stats) == {"took_ms", "passages", "documents", "hits"}
    assert stats["took_ms"] > 0 and stats["hits"] == 3 and stats["passages"] >= 3
