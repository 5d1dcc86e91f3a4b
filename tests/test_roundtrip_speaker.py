"""A SPEAKER region with both a registry choice (``speaker``) and a typed name (``speaker_new``):
the one the annotator acted on wins, and the conflict is counted (audit defect 1).

The pre-annotator writes an unregistered mention into ``speaker_new``; the annotator accepts the
prediction and picks a registry name from the list. Label Studio's editor stamps every result of
a region with the region's origin, so the two items cannot be told apart by ``origin``: the
parser compares them with the prediction the annotation started from.
"""

from __future__ import annotations

import copy

import pytest

from fixtures.lsexport import ART1, annotation, task, write
from toolkit.dataset import build_dataset
from toolkit.labelstudio import names as N
from toolkit.labelstudio.export import ExportReader, IssueLog

STANCE = ("favor", "against", "neutral")
QUOTE = "the plan would fail"
MENTION = "Government spokesman"  # an unregistered mention, as the pre-annotator typed it
PRED_ID = 900


def _span(s: str) -> tuple[int, int]:
    i = ART1.index(s)
    return i, i + len(s)


def _item(rid: str, from_name: str, kind: str, start: int, end: int, origin: str | None, **value) -> dict:
    it = {"id": rid, "from_name": from_name, "to_name": N.TEXT, "type": kind,
          "value": {"start": start, "end": end, **value}}
    if origin is not None:
        it["origin"] = origin
    return it


def predicted_result(origin: str | None = None) -> list[dict]:
    """What ``ls push`` sends: QUOTE (stance) -said_by-> SPEAKER with the mention in speaker_new."""
    qs, qe = _span(QUOTE)
    ss, se = _span(MENTION)
    return [
        _item("qPRED00001", N.LABELS, "labels", qs, qe, origin, text=QUOTE, labels=[N.QUOTE]),
        _item("qPRED00001", N.STANCE, "choices", qs, qe, origin, text=QUOTE, choices=["favor"]),
        _item("sPRED00001", N.LABELS, "labels", ss, se, origin, text=MENTION, labels=[N.SPEAKER]),
        _item("sPRED00001", N.SPEAKER_NEW, "textarea", ss, se, origin, text=[MENTION]),
        {"type": "relation", "from_id": "qPRED00001", "to_id": "sPRED00001", "direction": "right", "labels": [N.SAID_BY]},
    ]


def annotated(*, pick: str | None = "Phay Siphan", typed: str | None = None, origin: str | None = "prediction-changed") -> list[dict]:
    """The annotation: the prediction accepted, a registry name picked, optionally a name typed."""
    res = copy.deepcopy(predicted_result(origin))
    ss, se = _span(MENTION)
    if typed is not None:
        for it in res:
            if it.get("from_name") == N.SPEAKER_NEW:
                it["value"]["text"] = [typed]
    if pick is not None:
        res.append(_item("sPRED00001", N.SPEAKER_NAME, "choices", ss, se, origin, text=MENTION, choices=[pick]))
    return res


def export(tmp_path, result, *, link: str = "expanded", pred_result=None):
    """One task with its quotekit prediction; the annotation points at it (``link``: "expanded" =
    ``annotation.prediction`` holds it, as Label Studio exports; "id" = ``parent_prediction`` only;
    "none" = no link and no prediction in the export)."""
    t = task(ART1, id=3, article_id="a3", annotations=[annotation(result, id=9, task=3)])
    pred = {"id": PRED_ID, "model_version": "quotekit-0.1.0+rules-1", "result": pred_result or predicted_result(), "score": 0.6}
    if link == "none":
        t["predictions"] = []
    else:
        t["predictions"] = [pred]
        t["annotations"][0]["parent_prediction"] = PRED_ID
        if link == "expanded":
            t["annotations"][0]["prediction"] = copy.deepcopy(pred)
    return write(tmp_path / "export.json", [t])


def speakers(path, strict: bool = False):
    log = IssueLog(strict=strict)
    arts = list(ExportReader([path], issues=log, stance_labels=STANCE).articles())
    return [q.speaker for a in arts for q in a.quotes], log


@pytest.mark.parametrize("link", ["expanded", "id"])
@pytest.mark.parametrize("origin", [None, "prediction", "prediction-changed"])
def test_list_choice_beats_the_untouched_predicted_speaker_new(tmp_path, link, origin):
    """The audit case: speaker_new holds the pre-annotation, the annotator picked from the list."""
    got, log = speakers(export(tmp_path, annotated(origin=origin), link=link))
    assert got == ["Phay Siphan"]
    assert log.notes == {"speaker_conflict": 1} and log.total == 0
    (_, msg), = log.note_messages
    assert "export.json task 3 annotation 9 region sPRED00001" in msg
    assert "'Phay Siphan'" in msg and repr(MENTION) in msg and "kept 'Phay Siphan'" in msg


def test_typed_name_beats_an_untouched_predicted_choice(tmp_path):
    """The prediction filled the list; the annotator typed a new name: the typed name wins."""
    ss, se = _span(MENTION)
    pred = predicted_result()
    pred = [it for it in pred if it.get("from_name") != N.SPEAKER_NEW]
    pred.append(_item("sPRED00001", N.SPEAKER_NAME, "choices", ss, se, None, text=MENTION, choices=["Hun Sen"]))
    ann = copy.deepcopy(pred) + [_item("sPRED00001", N.SPEAKER_NEW, "textarea", ss, se, "prediction-changed", text=["Spokesman Kao Kim"])]
    got, log = speakers(export(tmp_path, ann, pred_result=pred))
    assert got == ["Spokesman Kao Kim"]
    assert log.notes == {"speaker_conflict": 1} and log.total == 0 and "kept 'Spokesman Kao Kim'" in log.note_messages[0][1]


def test_both_touched_the_typed_name_wins(tmp_path):
    got, log = speakers(export(tmp_path, annotated(typed="Spokesman Kao Kim")))
    assert got == ["Spokesman Kao Kim"]
    assert log.notes == {"speaker_conflict": 1} and log.total == 0 and "both were set by the annotator" in log.note_messages[0][1]


def test_without_a_prediction_to_compare_origin_decides(tmp_path):
    got, _ = speakers(export(tmp_path, annotated(origin="prediction"), link="none"))
    assert got == ["Phay Siphan"]  # the whole region is the untouched prediction: the list choice
    got, log = speakers(export(tmp_path, annotated(origin="manual"), link="none"))
    assert got == [MENTION] and log.notes == {"speaker_conflict": 1} and log.total == 0  # cannot tell: the typed name, counted


def test_same_name_twice_is_no_conflict(tmp_path):
    got, log = speakers(export(tmp_path, annotated(pick="Phay Siphan", typed="Phay Siphan")))
    assert got == ["Phay Siphan"] and log.total == 0


def test_conflict_never_fails_strict_and_is_reported_in_the_build_not_as_a_skip(tmp_path):
    path = export(tmp_path, annotated())
    got, _ = speakers(path, strict=True)
    assert got == ["Phay Siphan"]
    s = build_dataset([path], tmp_path / "ds", strict=True, chart=False)
    assert s.notes == {"speaker_conflict": 1} and s.skipped == {}
    assert ("resolved: speaker_conflict", "1") in s.rows()
    assert [r for r, m in s.issues if "region sPRED00001" in m] == ["speaker_conflict"]  # shown by `quotekit build`
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert "| `speaker_conflict` | 1 |" in card and "1 such conflict(s) were resolved" in card
    assert "Skipped quotes (see above)" not in card
