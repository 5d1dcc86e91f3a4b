"""A former holder of a role no longer speaks for its body: "a former commune chief" names no
side (stance_signals.yaml mention_roles.unknown), so the quote's words decide, not the
government's prior; a side word still tells ("a former opposition lawmaker").

The sentences are constructed for these tests (no article text)."""

from test_stance import lex  # noqa: F401 (the shipped lexicon fixture, one home)
from toolkit.core.stance import side_from_mention
from toolkit.pipeline import load_pipeline


def test_a_former_role_names_no_side(lex):
    assert side_from_mention("a commune chief in Kandal", lex) == "government"
    assert side_from_mention("a former commune chief in Kandal", lex) is None
    assert side_from_mention("a former minister", lex) is None
    assert side_from_mention("a retired official", lex) is None


def test_a_side_word_still_tells_after_former(lex):
    assert side_from_mention("a former opposition lawmaker", lex) == "opposition"
    assert side_from_mention("a former CPP official", lex) == "ruling party"


def test_a_former_officials_plain_remark_is_not_prefilled_from_the_government():
    nlp = load_pipeline(None)
    now = "Keo Dara, a commune chief in Kandal, said the villagers had heard of the plan."
    text = "Keo Dara, a former commune chief in Kandal, said the villagers had heard of the plan."
    assert [(q.speaker, q.stance) for q in nlp(now)._.quotes] == [("Keo Dara", "favor")]
    assert [(q.speaker, q.stance) for q in nlp(text)._.quotes] == [("Keo Dara", None)]
