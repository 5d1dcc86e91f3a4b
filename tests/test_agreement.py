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
