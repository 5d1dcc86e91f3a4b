"""Offline: what the labeling screen's changes (issue 18) need from the export parser: a deleted
quote's leftovers (orphan SPEAKER/CUE regions) are ignored and counted; the speaker read from the
searchable Taxonomy control and from the older Choices drop-down."""

from __future__ import annotations

from fixtures.lsexport import ART1, Ann
from toolkit.labelstudio import names as N
from toolkit.labelstudio.export import IssueLog, parse_annotation
from toolkit.labelstudio.pull import PullResult, count_orphans

STANCE = ("favor", "against", "neutral")


def _parse(ann: Ann, strict: bool = False):
    log = IssueLog(strict=strict)
    quotes = parse_annotation(ann.text, ann.result, article_id="a1", where="t.json task 1", issues=log, stance_labels=STANCE)
    return quotes, log


def _two_quotes() -> Ann:
    a = Ann(ART1)
    a.quote("the plan would fail", "Phay Siphan", "favor")
    a.quote("the regime fears the truth.", "Sam Rainsy", "against")
    return a


def _delete_quote(a: Ann, quote_text: str) -> None:
    """What the editor does when the annotator deletes a QUOTE region: the region, its per-region
    results and its relations go; its SPEAKER and CUE regions stay."""
    qid = next(r["id"] for r in a.result if r.get("type") == "labels" and r["value"]["text"] == quote_text)
    a.result = [r for r in a.result if r.get("id") != qid and qid not in (r.get("from_id"), r.get("to_id"))]


def test_a_deleted_quote_needs_no_clean_up_its_speaker_and_cue_are_ignored_and_counted():
    a = _two_quotes()
    before = [r for r in a.result if r.get("type") == "labels"]
    _delete_quote(a, "the regime fears the truth.")
    left = [r for r in a.result if r.get("type") == "labels"]
    assert len(before) - len(left) == 1  # only the QUOTE region went
    quotes, log = _parse(a, strict=True)  # never a failure, even under --strict
    assert [(q.text, q.speaker) for q in quotes] == [("the plan would fail", "Phay Siphan")]
    orphans = sorted(m for r, m in log.note_messages if r == "orphan_region")
    labels = sorted(reg["value"]["labels"][0] for reg in left if reg["value"]["text"] not in ("the plan would fail", "Phay Siphan"))
    # a note, not a defect: nothing the annotator meant is lost
    assert log.notes["orphan_region"] == len(orphans) == len(labels) >= 1 and log.total == 0
    assert all("t.json task 1 region" in m and "linked to no QUOTE" in m for m in orphans)
    assert count_orphans([{"data": {"text": a.text}, "annotations": [{"result": a.result}]}]) == len(orphans)
    assert "linked to no quote" in PullResult(path="x.json", tasks=1, annotations=1, project_id=1, seconds=0.0,
                                              orphan_regions=len(orphans)).summary()


def test_linked_regions_are_not_orphans_and_cancelled_annotations_are_not_counted():
    a = _two_quotes()
    quotes, log = _parse(a)
    assert len(quotes) == 2 and log.notes["orphan_region"] == 0
    _delete_quote(a, "the plan would fail")
    assert count_orphans([{"data": {"text": a.text}, "annotations": [{"result": a.result, "was_cancelled": True}]}]) == 0


def _added_quote_without_links(a: Ann, quote: str, speaker: str, cue: str, stance: str = "against") -> str:
    """What an annotator draws to add a quote, leaving out both links: three regions and a stance."""
    q = a.span(N.QUOTE, quote)
    a.choice(q, N.STANCE, stance)
    a.span(N.SPEAKER, speaker)
    a.span(N.CUE, cue)
    return q


def test_a_quote_drawn_without_links_takes_the_only_unlinked_speaker_and_cue_of_its_paragraph():
    a = Ann(ART1)
    a.quote("the plan would fail", "Phay Siphan", "favor")
    _added_quote_without_links(a, "the regime fears the truth.", "Sam Rainsy", "told")
    quotes, log = _parse(a, strict=True)
    added = next(q for q in quotes if q.text == "the regime fears the truth.")
    s = ART1.index("Sam Rainsy")
    c = ART1.index("told")
    assert (added.speaker, added.speaker_start, added.cue_start) == ("Sam Rainsy", s, c)
    assert log.notes["implied_link"] == 2 and log.notes["orphan_region"] == 0 and log.total == 0
    assert all("no link drawn" in m for r, m in log.note_messages if r == "implied_link")


def test_no_link_is_implied_when_two_unlinked_speakers_could_be_meant_or_the_quote_has_a_link():
    a = Ann(ART1)
    a.quote("the plan would fail", "Phay Siphan", "favor")
    _added_quote_without_links(a, "the regime fears the truth.", "Sam Rainsy", "told")
    a.span(N.SPEAKER, "Phay Siphan")  # a second unlinked SPEAKER in the same paragraph: ambiguous
    quotes, log = _parse(a)
    assert [q.text for q in quotes] == ["the plan would fail"]  # the added quote is reported, not guessed
    assert log.counts["no_speaker"] == 1 and log.notes["implied_link"] == 1  # only its cue was unambiguous
    # a quote with a link of its own takes nothing: a deleted quote's leftovers stay orphans
    b = _two_quotes()
    _delete_quote(b, "the regime fears the truth.")
    _, log2 = _parse(b)
    assert log2.notes["implied_link"] == 0 and log2.notes["orphan_region"] >= 1
