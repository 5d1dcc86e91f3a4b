"""Offline: doubt first (issue 15) and the review panel (issue 18): each task carries its doubt as
task data and as the prediction score, ``ls push --order doubt`` imports the most doubtful first,
and ``--update`` never rewrites a task an annotator worked on, naming its task id."""

from __future__ import annotations

import copy
import dataclasses
import re

import pytest

from test_roundtrip_push_pull import MemoryLS
from toolkit.config import load_registry
from toolkit.errors import BadInputError
from toolkit.labelstudio import names as N
from toolkit.labelstudio.push import push_records
from toolkit.labelstudio.tasks import build_task, quote_doubt, review_html, task_doubt
from toolkit.labelstudio.testing import sample_data
from toolkit.types import Quote


def _quotes(rec) -> list[Quote]:
    return [Quote.from_dict(q) for q in rec["quotes"]]


def _push(ls, records, **kw):
    return push_records(ls, records, "P", progress=False, echo=lambda s: None, **kw)


def test_doubt_follows_the_lowest_score_and_the_empty_stances():
    rec = sample_data()[0]
    quotes = _quotes(rec)
    sure = task_doubt(quotes)
    assert sure[N.LOWEST_SCORE] == min(q.score for q in quotes) and sure[N.STANCE_EMPTY] == 0.0
    assert sure[N.DOUBT] == pytest.approx(1 - min(q.score for q in quotes))
    # one stance left empty: the share and the doubt rise
    quotes[0] = dataclasses.replace(quotes[0], stance=None)
    unsure = task_doubt(quotes)
    assert unsure[N.STANCE_EMPTY] == pytest.approx(1 / len(quotes)) and unsure[N.DOUBT] > sure[N.DOUBT]
    assert quote_doubt(quotes[0]) == 1.0 and quote_doubt(quotes[1]) == pytest.approx(1 - quotes[1].score)
    # a lower score raises it too
    quotes[1] = dataclasses.replace(quotes[1], score=0.1)
    assert task_doubt(quotes)[N.DOUBT] > unsure[N.DOUBT]


def test_each_task_carries_its_doubt_as_data_and_as_the_prediction_score():
    registry = load_registry()
    for rec in sample_data():
        bt = build_task(rec, _quotes(rec), "mv", registry)
        fig = task_doubt(_quotes(rec))
        assert {k: bt.task["data"][k] for k in fig} == fig
        assert bt.prediction["score"] == pytest.approx(1 - fig[N.DOUBT])


def test_the_review_panel_lists_every_proposed_quote_with_speaker_stance_and_doubt():
    registry = load_registry()
    rec = copy.deepcopy(sample_data()[0])
    quotes = _quotes(rec)
    quotes[1] = dataclasses.replace(quotes[1], stance=None)
    html = review_html(rec["text"], quotes, registry)
    rows = re.findall(r'<tr class="qk-quote".*?</tr>', html)
    assert len(rows) == len(quotes)
    for row, q in zip(rows, sorted(quotes, key=lambda q: q.start)):
        assert q.speaker in row
        assert f"stance: {q.stance or '?'}" in row
        assert f">{quote_doubt(q):.2f}</td>" in row
        assert q.kind in row
    assert f"doubt {task_doubt(quotes)[N.DOUBT]:.2f}" in html
    # text from the article is escaped, never markup
    evil = Quote(0, 5, "<b>x</b>", "direct", speaker="<script>", stance="favor", score=0.5)
    out = review_html("<b>x</b> said", [evil])
    assert "<script>" not in out and "&lt;b&gt;x&lt;/b&gt;" in out and "(new)" in out


def test_push_order_doubt_imports_the_most_doubtful_first():
    recs = sample_data()
    doubts = {r["article_id"]: task_doubt(_quotes(r))[N.DOUBT] for r in recs}
    assert len(set(doubts.values())) > 1, doubts  # the sample must tell the orders apart
    ls = MemoryLS()
    _push(ls, recs, order="doubt")
    imported = [t["data"]["article_id"] for t in sorted(ls.tasks.values(), key=lambda t: t["id"])]
    assert imported == sorted(doubts, key=lambda a: (-doubts[a], [r["article_id"] for r in recs].index(a)))
    plain = MemoryLS()
    _push(plain, recs)
    assert [t["data"]["article_id"] for t in plain.tasks.values()] == [r["article_id"] for r in recs]
    with pytest.raises(BadInputError, match="--order 'random'"):
        _push(MemoryLS(), recs, order="random")


def test_update_never_rewrites_a_task_with_an_annotation_or_a_draft_and_lists_its_task_id():
    ls = MemoryLS()
    recs = sample_data()
    _push(ls, recs)
    by_aid = {t["data"]["article_id"]: t["id"] for t in ls.tasks.values()}
    annotated, drafted = recs[0]["article_id"], recs[1]["article_id"]
    ls.annotate(by_aid[annotated], [])
    ls.tasks[by_aid[drafted]]["draft_exists"] = True  # what Label Studio sends with fields=all
    before = copy.deepcopy(ls.tasks)
    changed = copy.deepcopy(recs)
    for r in changed:  # a new proposal for every article (same text): lower scores
        for q in r["quotes"]:
            q["score"] = round(q["score"] / 2, 4)
    report = _push(ls, changed, update=True)
    assert sorted(report.worked_not_updated) == sorted([annotated, drafted])
    for aid in (annotated, drafted):
        tid = by_aid[aid]
        assert ls.tasks[tid]["predictions"] == before[tid]["predictions"] and ls.tasks[tid]["data"] == before[tid]["data"]
        assert f"{aid} (task {tid})" in report.summary()
    others = [r["article_id"] for r in recs if r["article_id"] not in (annotated, drafted)]
    assert others and report.predictions_replaced == len(others)
    for aid in others:  # the rest get the new proposal, its review panel and its doubt
        t = ls.tasks[by_aid[aid]]
        rec = next(r for r in changed if r["article_id"] == aid)
        assert t["data"][N.DOUBT] == task_doubt(_quotes(rec))[N.DOUBT] != before[by_aid[aid]]["data"][N.DOUBT]


def test_cli_push_order_doubt_and_a_bad_order(tmp_path, monkeypatch, capsys):
    import sys

    import toolkit.labelstudio.client as client_mod
    from toolkit.cli import main
    from toolkit.labelstudio.testing import write_jsonl

    recs = sample_data()
    path = write_jsonl(tmp_path / "a.jsonl", recs)
    ls = MemoryLS()
    monkeypatch.setattr(client_mod, "connect", lambda *a, **k: ls)
    for order, code in (("doubt", 0), ("random", 2)):
        monkeypatch.setattr(sys, "argv", ["quotekit", "ls", "push", str(path), "--project", "P", "--order", order])
        try:
            main()
            got = 0
        except SystemExit as exc:
            got = exc.code or 0
        out = capsys.readouterr()
        assert got == code, out.err
        if order == "random":
            assert "--order 'random'" in out.err and "doubt" in out.err
    doubts = [t["data"][N.DOUBT] for t in sorted(ls.tasks.values(), key=lambda t: t["id"])]
    assert doubts == sorted(doubts, reverse=True) and len(doubts) == len(recs)


def test_the_review_panel_asks_for_the_name_of_a_mention_nobody_could_name():
    """A SPEAKER span the pre-annotator could not name ("She" with no antecedent: rule ..._unresolved)
    shows "name?" and the mention, not "unknown" (which means no speaker at all)."""
    text = "She said the vote was rigged. It was announced that S."
    nameless = Quote(9, 28, "the vote was rigged", "indirect", speaker=None, speaker_start=0, speaker_end=3, score=0.2)
    nobody = Quote(52, 53, "S", "indirect", speaker=None, score=0.5)
    rows = re.findall(r'<tr class="qk-quote".*?</tr>', review_html(text, [nameless, nobody]))
    assert "name?" in rows[0] and "&larr; She" in rows[0] and "unknown" not in rows[0]
    assert "unknown" in rows[1] and "name?" not in rows[1]
