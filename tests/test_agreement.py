"""Inter-annotator agreement: span matching, speaker agreement, Cohen's and Fleiss' kappa."""

from __future__ import annotations

import json
import sys
from collections import Counter

import pytest

from fixtures.lsexport import Ann, annotation, task, write
from toolkit.cli import main
from toolkit.dataset import build_dataset, compute_agreement
from toolkit.dataset.agreement import cohen_kappa, fleiss_category_kappa, fleiss_kappa, match_quotes, token_jaccard
from toolkit.labelstudio.export import QuoteRecord

STANCE = ("favor", "against", "neutral")

# Two annotators, A and B, on 10 matched quotes (5 per article):
#
#   quote  1  2  3  4  5  6  7  8  9  10
#   A      f  f  f  a  a  a  n  n  n  f
#   B      f  f  a  a  a  n  n  n  f  f
#
# observed agreement po = 7/10 (quotes 1, 2, 4, 5, 7, 8, 10)
# A: favor 4, against 3, neutral 3; B: favor 4, against 3, neutral 3
# chance pe = (4*4 + 3*3 + 3*3) / 100 = 0.34
# Cohen's kappa = (0.7 - 0.34) / (1 - 0.34) = 0.36 / 0.66 = 6/11 = 0.5454...
# 'favor' vs rest: both yes {1,2,10} = 3, A only {3} = 1, B only {9} = 1, both no = 5
#   po = 0.8, pe = 0.4*0.4 + 0.6*0.6 = 0.52, kappa = 0.28 / 0.48 = 7/12 = 0.5833...
# Spans: each annotator also has an 11th quote; B's is a one-word piece of A's (Jaccard 1/9 < 0.5),
#   so 10 matches out of 11 + 11 quotes: span F1 = 2*10 / 22 = 10/11.
# Speakers: on quote 5 B links the other person in the sentence: speaker agreement = 9/10.
A_LABELS = "f f f a a a n n n f".split()
B_LABELS = "f f a a a n n n f f".split()
FULL = dict(f="favor", a="against", n="neutral")


def sentence(k: int) -> str:
    return f"Ann {k:02d} met Bob {k:02d}. Ann {k:02d} said “statement number {k:02d} is here.”\n"


TEXTS = ["".join(sentence(k) for k in range(1, 6)), "".join(sentence(k) for k in range(6, 11)) + "Ann 11 said the eleventh claim was made with many more words today.\n"]


def two_annotator_export(tmp_path):
    tasks = []
    for t, text in enumerate(TEXTS, start=1):
        anns = []
        for who, labels, uid in (("A", A_LABELS, 1), ("B", B_LABELS, 2)):
            a = Ann(text, seed=f"{who}{t}")
            for k in range(5 * (t - 1) + 1, 5 * t + 1):
                speaker = f"Bob {k:02d}" if (who == "B" and k == 5) else f"Ann {k:02d}"
                a.quote(f"statement number {k:02d} is here.", speaker, FULL[labels[k - 1]])
            if t == 2:
                a.quote("the eleventh claim was made with many more words today" if who == "A" else "today", "Ann 11", "neutral")
            anns.append(annotation(a, id=10 * t + uid, task=t, completed_by={"id": uid, "email": f"{who.lower()}@example.org"}, created_at=f"2026-01-0{uid}T10:00:00Z"))
        tasks.append(task(text, id=t, article_id=f"ag-{t}", annotations=anns))
    return write(tmp_path / "two.json", tasks)


def test_two_annotators_cohen_kappa_by_hand(tmp_path):
    rep = compute_agreement([two_annotator_export(tmp_path)])
    assert rep.tasks == 2 and rep.annotators == ["a@example.org", "b@example.org"]
    assert rep.matched == 10 and rep.quotes_compared == 22
    assert rep.span_f1 == pytest.approx(10 / 11)
    assert rep.speaker_agreement == pytest.approx(0.9)
    assert rep.kappa_method == "cohen" and rep.stance_items == 10
    assert rep.stance_observed == pytest.approx(0.7)
    assert rep.stance_kappa == pytest.approx(6 / 11)
    assert rep.per_label["favor"] == pytest.approx(7 / 12)


def test_agreement_command_prints_the_table(tmp_path, monkeypatch, capsys):
    e = two_annotator_export(tmp_path)
    monkeypatch.setattr(sys, "argv", ["quotekit", "agreement", str(e)])
    with pytest.raises(SystemExit) as exc:
        main()
    out = capsys.readouterr().out
    assert exc.value.code == 0
    assert "Cohen's kappa" in out and "0.545" in out and "0.909" in out
    monkeypatch.setattr(sys, "argv", ["quotekit", "agreement", "--json", str(e)])
    with pytest.raises(SystemExit):
        main()
    data = json.loads(capsys.readouterr().out)
    assert data["stance_kappa"] == pytest.approx(6 / 11) and data["kappa_method"] == "cohen"


def test_card_reports_agreement_and_keeps_the_latest_annotation(tmp_path):
    e = two_annotator_export(tmp_path)
    s = build_dataset([e], tmp_path / "ds")
    assert s.agreement.stance_kappa == pytest.approx(6 / 11)
    assert s.stance == Counter({"favor": 4, "against": 3, "neutral": 4})  # B's labels (the later annotation) + quote 11
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert "| stance: Cohen's kappa | 0.545 |" in card
    # the kept annotations are B's; agreement names both annotators
    assert "2 annotation(s) from 1 Label Studio account(s): `b@example.org` (2)" in card
    assert "annotators: `a@example.org`, `b@example.org`" in card


# Three annotators, four quotes in one article:
#   item 1: f f f   item 2: f f a   item 3: a a n   item 4: n n n
# P_i = (sum n_ij^2 - 3) / 6 = 1, 1/3, 1/3, 1 -> mean 2/3
# p_j = favor 5/12, against 3/12, neutral 4/12 -> Pe = (25 + 9 + 16) / 144 = 25/72
# Fleiss' kappa = (2/3 - 25/72) / (1 - 25/72) = (23/72) / (47/72) = 23/47 = 0.4893...
# 'favor' per category: 1 - sum x(n-x) / (sum n(n-1) p q) = 1 - 2 / (24 * 35/144) = 23/35
THREE = [("f", "f", "f"), ("f", "f", "a"), ("a", "a", "n"), ("n", "n", "n")]


def test_three_annotators_fleiss_kappa_by_hand(tmp_path):
    text = "".join(sentence(k) for k in range(1, 5))
    anns = []
    for r in range(3):
        a = Ann(text, seed=f"r{r}")
        for k in range(1, 5):
            a.quote(f"statement number {k:02d} is here.", f"Ann {k:02d}", FULL[THREE[k - 1][r]])
        anns.append(annotation(a, id=r + 1, task=1, completed_by=r + 1))
    rep = compute_agreement([write(tmp_path / "three.json", [task(text, id=1, article_id="x", annotations=anns)])])
    assert rep.kappa_method == "fleiss" and rep.stance_items == 4
    assert rep.stance_kappa == pytest.approx(23 / 47)
    assert rep.per_label["favor"] == pytest.approx(23 / 35)
    assert rep.span_f1 == 1.0 and rep.speaker_agreement == 1.0
    items = [Counter(FULL[x] for x in row) for row in THREE]
    assert fleiss_kappa(items, STANCE) == pytest.approx(23 / 47)
    assert fleiss_category_kappa(items, "favor") == pytest.approx(23 / 35)


def test_single_annotator_has_no_agreement(tmp_path):
    a = Ann(TEXTS[0])
    a.quote("statement number 01 is here.", "Ann 01", "favor")
    rep = compute_agreement([write(tmp_path / "one.json", [task(TEXTS[0], id=1, article_id="x", annotations=[annotation(a, id=1, task=1)])])])
    assert rep.tasks == 0 and rep.stance_kappa is None and rep.span_f1 is None


def _q(start, end, text, stance="favor"):
    return QuoteRecord("id", start, end, text, "direct", None, None, None, None, None, stance, None)


def test_matching_is_one_to_one_and_needs_overlap_and_jaccard():
    assert token_jaccard("we will win", "we will") == pytest.approx(2 / 3)
    a = [_q(0, 11, "we will win"), _q(20, 30, "far away x")]
    b = [_q(0, 7, "we will"), _q(3, 11, "will win"), _q(40, 50, "far away x")]
    # b[0] and b[1] both fit a[0]; only one is matched; b[2] has the same words as a[1] but no overlap
    assert match_quotes(a, b) == [(0, 1)]  # tie on Jaccard: the closer offsets win
    assert match_quotes([_q(0, 11, "we will win")], [_q(8, 11, "win")]) == []  # Jaccard 1/3


def test_kappa_edge_cases():
    assert cohen_kappa([], STANCE) is None
    assert cohen_kappa([("favor", "favor")] * 3, STANCE) is None  # chance agreement is 1
    assert cohen_kappa([("favor", "against"), ("against", "favor")], STANCE) == pytest.approx(-1.0)
    assert fleiss_kappa([Counter({"favor": 1})], STANCE) is None


# --------------------------------------------------------------------------- Krippendorff's alpha, tolerant spans, least agreed


def test_krippendorff_alpha_by_hand():
    from toolkit.dataset.agreement import krippendorff_alpha_nominal

    # the two-annotator data above as units: coincidences o[f,f]=6, o[a,a]=4, o[n,n]=4 and 1 each for
    # (f,a), (a,f), (a,n), (n,a), (n,f), (f,n); n_f=8, n_a=6, n_n=6, n=20
    # alpha = 1 - (n-1) * 6 / (400 - 64 - 36 - 36) = 1 - 19*6/264 = 25/44
    pairs = [Counter((FULL[x], FULL[y])) for x, y in zip(A_LABELS, B_LABELS)]
    assert krippendorff_alpha_nominal(pairs) == pytest.approx(25 / 44)
    # three annotators (THREE above): o[f,f]=4, o[f,a]=o[a,f]=1, o[a,a]=1, o[a,n]=o[n,a]=1, o[n,n]=3;
    # n_f=5, n_a=3, n_n=4, n=12: alpha = 1 - 11*4 / (144 - 25 - 9 - 16) = 1 - 44/94 = 25/47
    items = [Counter(FULL[x] for x in row) for row in THREE]
    assert krippendorff_alpha_nominal(items) == pytest.approx(25 / 47)
    # missing values: the third annotator did not mark item 4 (n n): o[n,n] = 2 instead of 3;
    # n_f=5, n_a=3, n_n=3, n=11: alpha = 1 - 10*4 / (121 - 25 - 9 - 9) = 1 - 40/78 = 19/39
    items[3] = Counter({"neutral": 2})
    assert krippendorff_alpha_nominal(items) == pytest.approx(19 / 39)
    # a unit with one value is not pairable: it changes nothing
    assert krippendorff_alpha_nominal(items + [Counter({"favor": 1})]) == pytest.approx(19 / 39)
    # undefined: nothing pairable, or one value throughout; perfect disagreement is below 0
    assert krippendorff_alpha_nominal([Counter({"favor": 1})]) is None
    assert krippendorff_alpha_nominal([Counter({"favor": 2}), Counter({"favor": 3})]) is None
    assert krippendorff_alpha_nominal([Counter({"favor": 1, "against": 1})] * 2) == pytest.approx(1 - 3 * 4 / 8)


def test_alpha_in_reports_two_and_three_annotators_with_a_missing_quote(tmp_path):
    rep = compute_agreement([two_annotator_export(tmp_path)])
    assert rep.stance_alpha == pytest.approx(25 / 44) and rep.stance_alpha_units == 10
    # three annotators, the third one did not mark quote 4: a unit with a missing value
    text = "".join(sentence(k) for k in range(1, 5))
    anns = []
    for r in range(3):
        a = Ann(text, seed=f"m{r}")
        for k in range(1, 5):
            if r == 2 and k == 4:
                continue
            a.quote(f"statement number {k:02d} is here.", f"Ann {k:02d}", FULL[THREE[k - 1][r]])
        anns.append(annotation(a, id=r + 1, task=1, completed_by=r + 1))
    rep = compute_agreement([write(tmp_path / "three.json", [task(text, id=1, article_id="x", annotations=anns)])])
    assert rep.stance_alpha == pytest.approx(19 / 39) and rep.stance_alpha_units == 4


# One article, two annotators, three quotes each:
#   quote 1: the same offsets;
#   quote 2: B also takes "that" (one token more at the start): within 2 tokens;
#   quote 3: B stops three tokens earlier: beyond 2 tokens (but the Jaccard is 5/8 >= 0.5).
# exact F1 = 2*1/6 = 1/3; tolerant F1 = 2*2/6 = 2/3; Jaccard-overlap F1 = 2*3/6 = 1.
SPAN_TEXT = ("Ann said the vote was fair.\n"
             "Bob said that the count was slow.\n"
             "Cy said the result will stand for the next five years.\n")


def _span_export(tmp_path, b_stance="favor"):
    anns = []
    for who, uid in (("A", 1), ("B", 2)):
        a = Ann(SPAN_TEXT, seed=who)
        a.quote("the vote was fair", "Ann", "favor")
        a.quote("the count was slow" if who == "A" else "that the count was slow", "Bob", "favor")
        a.quote("the result will stand for the next five years" if who == "A" else "the result will stand for the", "Cy",
                "favor" if who == "A" else b_stance)
        anns.append(annotation(a, id=uid, task=1, completed_by=uid))
    return write(tmp_path / "spans.json", [task(SPAN_TEXT, id=1, article_id="spans", annotations=anns)])


def test_boundary_tolerant_and_exact_span_f1_by_hand(tmp_path):
    from toolkit.dataset.agreement import boundary_gap, match_boundaries

    rep = compute_agreement([_span_export(tmp_path)])
    assert rep.span_f1 == pytest.approx(1.0)
    assert rep.tolerant_span_f1 == pytest.approx(2 / 3) and rep.boundary_tolerance == 2
    assert rep.exact_span_f1 == pytest.approx(1 / 3)
    end = SPAN_TEXT.index(" five years") + len(" five years")
    cut = SPAN_TEXT.index(" next five")
    assert boundary_gap(SPAN_TEXT, cut, end) == 3
    a = [_q(cut - 30, end, "x")]
    b = [_q(cut - 30, cut, "x")]
    assert match_boundaries(SPAN_TEXT, a, b, tolerance=2) == [] and match_boundaries(SPAN_TEXT, a, b, tolerance=3) == [(0, 0)]
    assert match_boundaries(SPAN_TEXT, a, a, tolerance=0) == [(0, 0)]


def _graded_export(tmp_path):
    """Three articles: 'calm' agreed entirely, 'split' with one stance difference of two quotes,
    'apart' where B marked a different quote and no speaker agrees."""
    tasks = []
    for t, (aid, b_quotes) in enumerate([
        ("calm", [("statement number 01 is here.", "Ann 01", "favor"), ("statement number 02 is here.", "Ann 02", "against")]),
        ("split", [("statement number 01 is here.", "Ann 01", "favor"), ("statement number 02 is here.", "Ann 02", "neutral")]),
        ("apart", [("statement number 01 is here.", "Bob 01", "favor"), ("Bob 02", "Ann 02", "against")]),
    ], start=1):
        text = sentence(1) + sentence(2)
        a = Ann(text, seed=f"a{t}")
        a.quote("statement number 01 is here.", "Ann 01", "favor")
        a.quote("statement number 02 is here.", "Ann 02", "against")
        b = Ann(text, seed=f"b{t}")
        for quote, speaker, stance in b_quotes:
            b.quote(quote, speaker, stance)
        tasks.append(task(text, id=t, article_id=aid, annotations=[annotation(a, id=10 * t + 1, task=t, completed_by=1),
                                                                  annotation(b, id=10 * t + 2, task=t, completed_by=2)]))
    return write(tmp_path / "graded.json", tasks)


def test_least_agreed_articles_are_listed_lowest_first_with_what_differed(tmp_path, monkeypatch, capsys):
    from toolkit.dataset.agreement import AgreementAccumulator

    e = _graded_export(tmp_path)
    rep = compute_agreement([e])
    # calm: 2 agreed of 2+2 -> 1.0; split: 1 agreed -> 0.5; apart: quote 1 matches with another speaker,
    # B's quote "Bob 02" matches nothing: 0 agreed -> 0.0
    assert [(a["article_id"], a["agreement"]) for a in rep.least_agreed] == [("apart", 0.0), ("split", 0.5), ("calm", 1.0)]
    assert rep.least_agreed[0]["differences"] == {"unmatched": 2, "speaker": 1, "stance": 0}
    assert rep.least_agreed[1]["differences"] == {"unmatched": 0, "speaker": 0, "stance": 1}
    assert rep.least_agreed[0]["quotes"] == {"user:1": 2, "user:2": 2}
    # the command prints them, --json carries them
    monkeypatch.setattr(sys, "argv", ["quotekit", "agreement", str(e)])
    with pytest.raises(SystemExit):
        main()
    out = capsys.readouterr().out
    assert "least agreed articles" in out and out.index("apart") < out.index("split") < out.index("calm")
    assert "2 unmatched, 1 speaker" in out
    monkeypatch.setattr(sys, "argv", ["quotekit", "agreement", "--json", str(e)])
    with pytest.raises(SystemExit):
        main()
    data = json.loads(capsys.readouterr().out)
    assert [a["article_id"] for a in data["least_agreed"]] == ["apart", "split", "calm"]
    # the card lists them too
    build_dataset([e], tmp_path / "ds")
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert "| apart | 0.000 | user:1 2, user:2 2 | 2 unmatched, 1 speaker |" in card
    assert "| stance: Krippendorff's alpha (nominal) |" in card
    # only the lowest few are kept, ties by article id
    acc = AgreementAccumulator(STANCE, keep=2)
    for k in range(20):
        acc.add(f"art-{k:02d}", "x y", {"a": [], "b": [_q(0, 1, "x")] if k % 3 else []})
    assert [a["article_id"] for a in acc.report().least_agreed] == ["art-01", "art-02"]
