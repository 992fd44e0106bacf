"""The query plan: what a query asks for, as a structure no engine is in.

Golden plans for the syntax, query understanding (aliases, typos through a
vocabulary) and weights; the plan is rendered with ``plan.describe``.
"""

from textwrap import dedent

import pytest

from nkcorpus.understand import aliases, understand
from nkcorpus.understand.plan import Best, Bool, Sum, Terms, describe, leaves


class Vocabulary:
    """A small index's words (any backend's vocabulary has these two methods)."""

    words = {"nuklir": 12, "nuklirnya": 2, "korea": 30, "sanksi": 9}

    def doc_frequency(self, field, term):
        return self.words.get(term, 0)

    def words_starting(self, prefix):
        return [w for w in self.words if w.startswith(prefix)]


PLANS = {
    ('"uji coba" +nuklir -iran', "exact"): """
        bool
          must:
            term stem:nuklir [typed]
          should:
            sum
              phrase stem:uji coba [phrase]
              sum ^0.3
                term stem:uji [phrase-words]
                term stem:coba [phrase-words]
          not:
            term stem:iran [typed]""",
    ("nukl* AND (korut OR korsel)", "exact"): """
        bool
          must:
            prefix surface:nukl*
            bool
              should:
                term stem:korut [typed]
                term stem:korsel [typed]
                phrase stem:korut korsel ~3 [proximity] ^0.5""",
    ("sanksi nukilr", "vocabulary"): """
        bool
          should:
            sum
              term stem:sanksi [typed]
              term surface:sanksi [surface] ^0.2
            best 'nukilr'
              sum
                term stem:nukilr [typed]
                term surface:nukilr [surface] ^0.2
              term surface:nuklir [spelling] ^0.8
            phrase stem:sanksi nukilr ~3 [proximity] ^0.5""",
    ("amerika serikat", "aliases"): """
        bool
          should:
            sum
              phrase stem:amerika serikat [name] ^0.5
              sum ^0.5
                term stem:amerika [typed]
                term stem:serikat [typed]
              best ^0.8
                term stem:as [alias]
                term stem:usa [alias]
                phrase stem:united states [alias]
                phrase stem:paman sam [alias]
            phrase stem:amerika serikat ~3 [proximity] ^0.5""",
}


def plan_of(text, how):
    if how == "exact":
        return understand(text, exact=True)
    if how == "vocabulary":
        return understand(text, Vocabulary())
    return understand(text, aliases=aliases.load())


@pytest.mark.parametrize("text,how", PLANS)
def test_plans_are_the_expected_structures(text, how):
    assert describe(plan_of(text, how).root) == dedent(PLANS[text, how]).strip("\n")


def test_a_plan_says_what_was_searched_and_suggested():
    plan = understand("sanksi nukilr", Vocabulary())
    assert plan.suggestions == ("nukilr → nuklir",)
    assert plan.searched == ("sanksi", "nukilr")
    assert {"sanksi", "nuklir"} <= plan.highlight


def test_a_concept_holds_every_way_to_match_it():
    plan = understand("sanksi korut", aliases=aliases.load())
    [korut] = [p for p in plan.root.should if isinstance(p, Best) and p.concept == "korut"]
    ways = {leaf.way for leaf in leaves(korut)}
    assert ways == {"typed", "surface", "alias"}
    assert any(leaf.terms == ("korea", "utara") for leaf in leaves(korut) if isinstance(leaf, Terms))


def test_required_phrases_have_a_relaxed_plan():
    plan = understand('+"uji coba" nuklir', exact=True)
    assert isinstance(plan.relaxed, Bool) and not plan.relaxed.must and plan.root.must


def test_plans_are_frozen_values():
    plan = understand("nuklir", exact=True)
    assert plan == understand("nuklir", exact=True)
    with pytest.raises(AttributeError):
        plan.root.should = ()  # type: ignore[misc]
    assert isinstance(plan.root, Bool) and not isinstance(plan.root, Sum)
