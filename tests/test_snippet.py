from nkcorpus.model import Match
from nkcorpus.render.snippet import window
from nkcorpus.search import find_matches


def test_short_text_is_shown_whole():
    assert window("uji coba nuklir", ()) == (0, 15)


def test_window_holds_the_most_distinct_terms_and_snaps_to_words():
    text = ("nuklir dan " * 30) + "uji coba nuklir di Punggye-ri " + ("kata " * 80)
    matches = find_matches(text, frozenset({"uji", "coba", "nuklir"}))
    start, end = window(text, matches, width=120)
    shown = text[start:end]
    assert "uji coba nuklir" in shown
    assert start == 0 or text[start - 1] == " "
    assert end == len(text) or text[end] == " "
    assert end - start <= 120 + 20


def test_window_without_matches_starts_at_the_beginning():
    text = "kata " * 200
    assert window(text, (), width=50)[0] == 0


def test_matches_at_the_very_end_are_inside():
    text = "kata " * 200 + "rudal"
    start, end = window(text, (Match(len(text) - 5, len(text), "rudal"),), width=60)
    assert end == len(text) and "rudal" in text[start:end]
