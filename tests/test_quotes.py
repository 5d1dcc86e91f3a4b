"""Quotation-mark pairing (toolkit.core.quotes)."""

from toolkit.core.quotes import find_quotations


def contents(text):
    return [q.content(text) for q in find_quotations(text).quotations]


def test_two_quotes_around_an_attribution():
    assert contents("“A thing,” he said. “Another.”") == ["A thing,", "Another."]


def test_trailing_comma_and_period_stay_inside_the_content():
    text = "“We will win.” She smiled."
    q = find_quotations(text).quotations[0]
    assert text[q.start : q.end] == "We will win."
    assert text[q.open] == "“" and text[q.close] == "”"


def test_apostrophes_are_not_closing_marks():
    text = "“They led a peoples’ uprising in the ’90s, don’t forget Rainsy’s role,” he said."
    assert contents(text) == ["They led a peoples’ uprising in the ’90s, don’t forget Rainsy’s role,"]


def test_nested_single_quotes_belong_to_the_outer_quote():
    text = "“Don’t ever join the ‘nine-fingers’ campaign,” he said."
    assert contents(text) == ["Don’t ever join the ‘nine-fingers’ campaign,"]


def test_straight_double_quotes_are_toggled():
    assert contents('"First," he said. "Second."') == ["First,", "Second."]


def test_typewriter_double_apostrophes_are_one_mark():
    text = "''The dam isn't safe,'' said the engineer."
    assert contents(text) == ["The dam isn't safe,"]


def test_multi_paragraph_quote_ends_at_the_line_break_without_warning():
    text = "“First paragraph of the speech.\n\n“Second paragraph,” he said."
    scan = find_quotations(text)
    assert [q.content(text) for q in scan.quotations] == ["First paragraph of the speech.", "Second paragraph,"]
    first = scan.quotations[0]
    assert not first.closed and first.continues
    assert scan.warnings == []


def test_unbalanced_mark_costs_only_its_own_quote():
    text = "“Never closed here.\n\nPlain narration.\n\n“A fine quote,” she said. A stray ” mark."
    scan = find_quotations(text)
    assert "A fine quote," in [q.content(text) for q in scan.quotations]
    assert len(scan.warnings) == 2  # the unclosed opener and the stray closer
    assert all(isinstance(off, int) for off, _ in scan.warnings)


def test_marks_never_pair_across_paragraphs_of_different_type():
    text = "He said ‘yes.\n\nThen “no,” she said."
    assert contents(text) == ["no,"]


def test_closing_mark_typed_as_opener_pairs_with_the_next_one():
    text = "”We deserve better than this.” ― A reader"
    scan = find_quotations(text)
    assert [q.content(text) for q in scan.quotations] == ["We deserve better than this."]
    assert scan.warnings == []


from hypothesis import given, settings
from hypothesis import strategies as st

_ALPHABET = st.sampled_from(list("ab ,.\n“”‘’\"'") + ["don’t", " said ", "Rainsy’s", "\n\n"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_pairing_never_fails_and_spans_stay_inside_their_marks(text):
    scan = find_quotations(text)
    for q in scan.quotations:
        assert 0 <= q.open < q.start <= q.end <= len(text)
        assert "\n" not in text[q.open : q.end]
        if q.close is not None:
            assert q.end <= q.close
    opens = [q.open for q in scan.quotations]
    assert opens == sorted(opens) and len(set(opens)) == len(opens)
