"""The scripted annotator's plan (benchmarks/annotator/plan.py, pure): a drawn quote leaves to the
export reader what the reader gives by itself (the kind its quotation marks imply, the links to
its paragraph's only unlinked SPEAKER and CUE), and draws them when the reader would not."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ANNOTATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "annotator"


@pytest.fixture(scope="module")
def P():
    sys.path.insert(0, str(ANNOTATOR))
    try:
        import plan
    finally:
        sys.path.remove(str(ANNOTATOR))
    return plan


def _gold(P, text, quote, kind, speaker, cue, stance="neutral"):
    s, c, q = text.index(speaker), text.index(cue), text.index(quote)
    return P.Gold(q, q + len(quote), kind, speaker, (s, s + len(speaker)), (c, c + len(cue)), stance)


def _ops(steps, bucket):
    return [[op.kind for op in st.ops] for st in steps if st.bucket == bucket]


def test_added_quotes_leave_kind_and_links_to_the_reader(P):
    text = "Hun Sen said “we will win” today.\n\nSam Rainsy told reporters that the vote was rigged."
    gold = [_gold(P, text, "we will win", "direct", "Hun Sen", "said"),
            _gold(P, text, "the vote was rigged", "indirect", "Sam Rainsy", "told")]
    steps = P.plan(text, P.Proposal(), gold, orphans="keep")
    # each drawn over its speaker's own name: no name to pick; kind = the reader's default
    assert _ops(steps, "add_quote") == [["draw", "draw", "draw", "stance"]] * 2


def test_a_kind_other_than_the_default_is_chosen(P):
    text = "Hun Sen said “we will win” today."
    gold = [_gold(P, text, "we will win", "indirect", "Hun Sen", "said")]
    assert _ops(P.plan(text, P.Proposal(), gold), "add_quote") == [["draw", "draw", "draw", "stance", "kind"]]


def test_links_are_drawn_where_the_reader_would_not_imply_them(P):
    # two added quotes in one paragraph: two unlinked speakers, so nothing is implied for the
    # first; once its links are drawn the second one's speaker and cue are the only ones left
    text = "Hun Sen said “we will win” and Sam Rainsy replied “we will not”."
    gold = [_gold(P, text, "we will win", "direct", "Hun Sen", "said"),
            _gold(P, text, "we will not", "direct", "Sam Rainsy", "replied")]
    steps = P.plan(text, P.Proposal(), gold)
    assert _ops(steps, "add_quote") == [["draw", "draw", "draw", "stance", "link", "link"],
                                        ["draw", "draw", "draw", "stance"]]
    assert _ops(P.plan(text, P.Proposal(), gold, implied=False), "add_quote") == [
        ["draw", "draw", "draw", "stance", "link", "link"]] * 2


def test_a_kept_orphan_in_the_paragraph_blocks_the_implied_link(P):
    # the proposal's second quote is spurious: deleting it leaves its speaker (orphans kept), a
    # second unlinked SPEAKER in the paragraph of the quote to add
    text = "Hun Sen said “we will win”. Officials added “nothing”."
    q, s, c = ("QUOTE", 14, 25), ("SPEAKER", 28, 37), ("CUE", 38, 43)
    spurious = ("QUOTE", text.index("nothing"), text.index("nothing") + 7)
    prop = P.Proposal(regions={spurious, s, c}, stance={spurious: "neutral"}, said_by={spurious: {s}},
                      cue={spurious: {c}})
    assert text[q[1]:q[2]] == "we will win" and text[s[1]:s[2]] == "Officials"
    gold = [_gold(P, text, "we will win", "direct", "Hun Sen", "said")]
    steps = P.plan(text, prop, gold, orphans="keep")
    assert _ops(steps, "delete_quote") == [["delete"]]
    assert _ops(steps, "add_quote") == [["draw", "draw", "draw", "stance", "link", "link"]]
    # with the orphans deleted too, the reader implies the links again
    steps = P.plan(text, prop, gold, orphans="delete")
    assert _ops(steps, "delete_quote") == [["delete", "delete", "delete"]]
    assert _ops(steps, "add_quote") == [["draw", "draw", "draw", "stance"]]


def test_a_speaker_named_by_the_candidate_radio_needs_no_fix(P):
    # the pre-annotation names a registry speaker in the article's candidate radio (speaker_pick)
    from toolkit.labelstudio import names as N

    text = "Hun Sen said “we will win” today."
    q, s, c = (14, 25), (0, 7), (8, 12)
    assert (text[q[0]:q[1]], text[s[0]:s[1]], text[c[0]:c[1]]) == ("we will win", "Hun Sen", "said")

    def region(rid, span, label):
        return {"id": rid, "from_name": N.LABELS, "to_name": N.TEXT, "type": "labels",
                "value": {"start": span[0], "end": span[1], "labels": [label]}}

    def pick(name):
        return {"id": "s", "from_name": N.SPEAKER_PICK, "to_name": N.TEXT, "type": "choices",
                "value": {"start": s[0], "end": s[1], "choices": [name]}}

    result = [region("q", q, N.QUOTE), region("s", s, N.SPEAKER), region("c", c, N.CUE),
              {"id": "q", "from_name": N.STANCE, "to_name": N.TEXT, "type": "choices",
               "value": {"start": q[0], "end": q[1], "choices": ["favor"]}},
              {"id": "q", "from_name": N.KIND, "to_name": N.TEXT, "type": "choices",
               "value": {"start": q[0], "end": q[1], "choices": ["direct"]}},
              {"type": "relation", "from_id": "q", "to_id": "s", "labels": [N.SAID_BY]},
              {"type": "relation", "from_id": "q", "to_id": "c", "labels": [N.CUE_OF]}]
    gold = [P.Gold(q[0], q[1], "direct", "Hun Sen", s, c, "favor")]
    assert [st.bucket for st in P.plan(text, P.read_proposal(result + [pick("Hun Sen")]), gold)] == ["review"]
    steps = P.plan(text, P.read_proposal(result + [pick("Sam Rainsy")]), gold)
    assert [(st.bucket, [op.kind for op in st.ops]) for st in steps] == [("review", ["review"]),
                                                                         ("fix_speaker", ["name"])]
