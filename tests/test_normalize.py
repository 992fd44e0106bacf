from nkcorpus.ingest.normalize import repair

from conftest import seed


def test_stray_a_circumflex_from_lost_nbsp_is_removed():
    # 003 ends paragraphs with "Â" left over from a no-break space.
    raw = seed("003").read_text(encoding="utf-8")
    assert "\u00c2" in raw
    fixed = repair(raw)
    assert "\u00c2" not in fixed
    assert fixed.split("\n")[0].endswith("uji coba pada tahun 2004.")


def test_nbsp_becomes_space_and_lines_are_kept():
    raw = seed("000").read_text(encoding="utf-8")
    fixed = repair(raw)
    assert "\u00a0" not in fixed
    assert fixed.count("\n") == raw.count("\n")
    assert "menguasai dan memutuskan segala sesuatu.  Kehebatan" in fixed


def test_mojibake_is_repaired():
    assert repair("perundingan â€œenam pihakâ€\x9d") == "perundingan “enam pihak”"
    assert repair("caf\u00c3\u00a9 Pr\u00c3\u00a9sident") == "café Président"


def test_line_count_survives_odd_breaks_and_controls():
    text = "a\u2028b\rc\r\nd\x0ce\x00f\n\u00c2\n"
    fixed = repair(text)
    assert fixed.split("\n") == ["a b c", "d ef", "", ""]


def test_nfc_and_invisible_characters():
    assert repair("Kore\u0301a\u200b") == "Koréa"
    assert repair("nu\u00adklir") == "nuklir"
