"""Offline: tasks and predictions built from articles + quotes, and their validation."""

from __future__ import annotations

import json

import pytest

from toolkit.config import load_registry, load_stance
from toolkit.errors import BadInputError
from toolkit.labelstudio import names as N
from toolkit.labelstudio.config import build_label_config
from toolkit.labelstudio.pull import write_new_file
from toolkit.labelstudio.push import PushReport, push_records, read_records
from toolkit.labelstudio.tasks import (
    build_result,
    build_task,
    candidate_names,
    label_interface,
    model_version,
    region_id,
    text_sha256,
    validate_prediction,
)
from toolkit.labelstudio.testing import T2, quote, sample_data
from toolkit.types import Quote

TEXT = "“We will win,” Hun Sen said. “We will not stop,” he added. It was announced that talks ended."


def _q(content: str, speaker=None, mention=None, cue=None, stance="favor", kind="direct", occurrence=0) -> Quote:
    return Quote.from_dict(quote(TEXT, content, kind, speaker, mention, cue, stance, 0.8, occurrence))


def _validate(article_id: str, text: str, prediction: dict, interface=True, candidates=None) -> list[str]:
    return validate_prediction(
        article_id, text, prediction, stance_labels=load_stance().labels, speaker_names=load_registry().names(),
        interface=label_interface(build_label_config()) if interface else None, candidates=candidates,
    )


def _items(result, from_name):
    return [r for r in result if r.get("from_name") == from_name]


def test_region_ids_are_derived_not_random():
    assert region_id("a1", 1, 13, N.QUOTE) == region_id("a1", 1, 13, N.QUOTE)
    ids = {region_id("a1", 1, 13, N.QUOTE), region_id("a1", 1, 13, N.SPEAKER), region_id("a1", 1, 14, N.QUOTE),
           region_id("a2", 1, 13, N.QUOTE)}
    assert len(ids) == 4
    assert all(len(i) == 10 for i in ids)


def test_model_version_names_toolkit_and_ruleset():
    from toolkit import __version__
    from toolkit.core import RULESET_ID

    assert model_version() == f"quotekit-{__version__}+{RULESET_ID}"


def test_one_speaker_mention_shared_by_two_quotes_is_one_region():
    q1 = _q("We will win,", "Hun Sen", "Hun Sen", "said")
    q2 = Quote.from_dict({**q1.to_dict(), **quote(TEXT, "We will not stop,", "direct", "Hun Sen", "Hun Sen", "added", "favor")})
    result, warnings = build_result("a1", TEXT, [q1, q2], load_registry())
    assert warnings == []
    speakers = [r for r in _items(result, N.LABELS) if r["value"]["labels"] == [N.SPEAKER]]
    assert len(speakers) == 1
    said_by = [r for r in result if r.get("type") == "relation" and r["labels"] == [N.SAID_BY]]
    assert {r["to_id"] for r in said_by} == {speakers[0]["id"]} and len(said_by) == 2
    assert _items(result, N.SPEAKER_NAME)[0]["value"]["taxonomy"] == [["Hun Sen"]]
    assert _validate("a1", TEXT, {"result": result}) == []


@pytest.mark.parametrize("control", ["Candidates", "Taxonomy"])
def test_speaker_alias_resolves_to_canonical_and_unknown_name_goes_to_textarea(control):
    """Today's screen names a registry speaker in the candidate radio, the older one (a project made
    before the candidates) in the registry list; an unknown name is typed in both."""
    rec = sample_data()[1]  # T2: "The opposition", "Kuy Kuong", "A village chief"
    bt = build_task(rec, [Quote.from_dict(q) for q in rec["quotes"]], "mv", load_registry(), speaker_control=control)
    result = bt.prediction["result"]
    if control == "Candidates":
        named = {r["value"]["text"]: r["value"]["choices"][0] for r in _items(result, N.SPEAKER_PICK)}
        assert _items(result, N.SPEAKER_NAME) == [] and {r["type"] for r in _items(result, N.SPEAKER_PICK)} == {"choices"}
    else:
        named = {r["value"]["text"]: r["value"]["taxonomy"][0][0] for r in _items(result, N.SPEAKER_NAME)}
        assert _items(result, N.SPEAKER_PICK) == [] and N.SPEAKER_CANDIDATES not in bt.task["data"]
    assert named == {"The opposition": "Cambodia National Rescue Party", "Kuy Kuong": "Koy Kuong"}
    (new,) = _items(result, N.SPEAKER_NEW)
    assert new["type"] == "textarea" and new["value"]["text"] == ["village chief"]
    assert new["value"]["start"] == T2.index("A village chief")
    cands = candidate_names(bt.task["data"])
    interface = label_interface(build_label_config(speaker_control=control))
    assert validate_prediction("int-2", T2, bt.prediction, stance_labels=load_stance().labels,
                               speaker_names=load_registry().names(), interface=interface, candidates=cands) == []


def test_quote_without_speaker_is_flagged_unknown():
    q = _q("talks ended", None, None, "announced", stance="neutral", kind="indirect")
    result, warnings = build_result("a1", TEXT, [q], load_registry())
    assert [r["value"]["choices"] for r in _items(result, N.QUOTE_FLAGS)] == [[N.SPEAKER_UNKNOWN]]
    assert not [r for r in result if r.get("type") == "relation" and r["labels"] == [N.SAID_BY]]
    assert warnings == []


def test_speaker_name_without_span_is_a_warning_not_a_silent_drop():
    q = _q("talks ended", "Hun Sen", None, None, stance="neutral", kind="indirect")
    result, warnings = build_result("a9", TEXT, [q], load_registry())
    assert len(warnings) == 1 and "article a9, quote 1" in warnings[0] and "Hun Sen" in warnings[0]


def test_task_data_carries_metadata_and_text_hash():
    rec = {"article_id": "a1", "text": TEXT, "title": "T", "outlet": None, "date": "2019-11-09"}
    bt = build_task(rec, [], "mv", load_registry())
    data = dict(bt.task["data"])
    assert "No quote proposed" in data.pop(N.REVIEW)
    assert data == {"text": TEXT, "article_id": "a1", "title": "T", "outlet": "", "date": "2019-11-09",
                    "text_sha256": text_sha256(TEXT), N.DOUBT: 0.0, N.LOWEST_SCORE: 1.0, N.STANCE_EMPTY: 0.0,
                    N.SPEAKER_CANDIDATES: [{"value": "Hun Sen"}]}  # nothing proposed: the registry names mentioned
    # nothing proposed: nothing doubtful to check (score = 1 - doubt)
    assert bt.prediction == {"model_version": "mv", "result": [], "score": 1.0}
    plain = build_task(rec, None, "mv").task
    assert "predictions" not in plain and plain["data"][N.REVIEW] == ""  # the config shows the key: it must exist
    assert plain["data"][N.SPEAKER_CANDIDATES] == []  # the same (no registry given: no candidate)


def test_sample_predictions_are_valid():
    for rec in sample_data():
        bt = build_task(rec, [Quote.from_dict(q) for q in rec["quotes"]], model_version(), load_registry())
        assert _validate(rec["article_id"], rec["text"], bt.prediction, candidates=candidate_names(bt.task["data"])) == []
        assert 0 < bt.prediction["score"] <= 1


def _good():
    """A valid prediction whose speakers are in the registry list (the screen before the candidates:
    the breakages below edit its taxonomy results; the candidate radio's are in test_ls_candidates.py)."""
    rec = sample_data()[1]
    bt = build_task(rec, [Quote.from_dict(q) for q in rec["quotes"]], "mv", load_registry(), speaker_control="Taxonomy")
    return rec, json.loads(json.dumps(bt.prediction))


@pytest.mark.parametrize(
    "breakage, message",
    [
        (lambda p, t: p["result"][0]["value"].update(text="not the text"), "!= text["),
        (lambda p, t: p["result"][0]["value"].update(end=len(t) + 5), "out of range"),
        (lambda p, t: p["result"][0]["value"].update(labels=["QUOTATION"]), "not one of"),
        (lambda p, t: next(r for r in p["result"] if r.get("from_name") == N.STANCE)["value"].update(choices=["pro"]),
         "stance value ['pro']"),
        (lambda p, t: next(r for r in p["result"] if r.get("from_name") == N.SPEAKER_NAME)["value"].update(taxonomy=[["Nobody"]]),
         "speaker value ['Nobody']"),
        (lambda p, t: next(r for r in p["result"] if r.get("from_name") == N.SPEAKER_NAME)["value"].update(taxonomy=[["Hun Sen"], ["Sar Kheng"]]),
         "(one name)"),
        (lambda p, t: next(r for r in p["result"] if r.get("type") == "relation").update(to_id="nope"),
         "points to region 'nope'"),
        (lambda p, t: next(r for r in p["result"] if r.get("type") == "relation").update(labels=["spoke"]),
         "relation labels"),
        (lambda p, t: next(r for r in p["result"] if r.get("from_name") == N.STANCE).update(id="ghost"),
         "does not exist"),
    ],
)
def test_validation_names_article_and_quote(breakage, message):
    rec, pred = _good()
    breakage(pred, rec["text"])
    errors = _validate("int-2", rec["text"], pred, interface=False)
    assert errors, "the broken prediction passed"
    assert any(message in e for e in errors), errors
    assert all(e.startswith("article int-2") for e in errors), errors


def test_stance_on_a_speaker_region_is_refused():
    rec, pred = _good()
    sp = next(r for r in pred["result"] if r.get("type") == "labels" and r["value"]["labels"] == [N.SPEAKER])
    pred["result"].append({**next(r for r in pred["result"] if r.get("from_name") == N.STANCE), "id": sp["id"],
                           "value": {**sp["value"], "choices": ["favor"]}})
    pred["result"][-1]["value"].pop("labels")
    errors = _validate("int-2", rec["text"], pred, interface=False)
    assert any("belongs on a QUOTE region, not on SPEAKER" in e for e in errors), errors


def test_a_bad_prediction_is_refused_before_anything_is_sent():
    class NoServer:
        def __getattr__(self, name):
            raise AssertionError(f"the server was contacted ({name})")

    records = sample_data()
    records[0]["quotes"][1]["start"] += 1  # quote text no longer matches the span
    with pytest.raises(BadInputError, match=r"article int-1, quote 2 .*!= text\["):
        push_records(NoServer(), records, "p", progress=False, echo=lambda s: None)


def test_read_records_dedupes_and_explains(tmp_path):
    path = tmp_path / "in.jsonl"
    rec = {"article_id": "a", "text": "x"}
    path.write_text(json.dumps(rec) + "\n" + json.dumps(rec) + "\n")
    report = PushReport()
    assert len(read_records(path, report)) == 1 and report.duplicates_in_input == 1
    path.write_text(json.dumps(rec) + "\n" + json.dumps({"article_id": "a", "text": "y"}) + "\n")
    with pytest.raises(BadInputError, match="in.jsonl:2: article a appears twice with different texts"):
        read_records(path, PushReport())
    path.write_text(json.dumps({"id": "a"}) + "\n")
    with pytest.raises(BadInputError, match="in.jsonl:1: needs 'article_id' and 'text'"):
        read_records(path, PushReport())
    with pytest.raises(BadInputError, match="file not found"):
        read_records(tmp_path / "missing.jsonl", PushReport())


def test_export_file_is_written_once_and_atomically(tmp_path):
    out = tmp_path / "exports" / "round1.json"
    write_new_file(out, b"[]\n")
    assert out.read_bytes() == b"[]\n"
    with pytest.raises(BadInputError, match="already exists.*choose another name"):
        write_new_file(out, b"[1]\n")
    assert out.read_bytes() == b"[]\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["round1.json"]


def test_client_timeout_from_environment(monkeypatch):
    import pytest

    from toolkit.errors import BadInputError
    from toolkit.labelstudio.client import TIMEOUT, default_timeout

    monkeypatch.delenv("QUOTEKIT_LS_TIMEOUT", raising=False)
    assert default_timeout() == TIMEOUT
    monkeypatch.setenv("QUOTEKIT_LS_TIMEOUT", "2.5")
    assert default_timeout() == (2.5, 2.5)
    monkeypatch.setenv("QUOTEKIT_LS_TIMEOUT", "soon")
    with pytest.raises(BadInputError, match="QUOTEKIT_LS_TIMEOUT"):
        default_timeout()


def test_push_refuses_text_label_studio_would_draw_off_by_one(tmp_path):
    """A NUL (measured in the real UI: tests/browser/test_ls_chars.py) shifts every highlight after
    it: ls push refuses such text from any source, naming file, line and article, before sending."""
    from toolkit.errors import BadInputError
    from toolkit.labelstudio.push import push_file
    from toolkit.labelstudio.testing import make_article, write_jsonl

    class NoServer:
        url = "http://nowhere"

        def __getattr__(self, name):
            raise AssertionError(f"nothing may be sent ({name})")

    ok = make_article("ok-1", "fine", "Nothing was said.", [])
    bad = make_article("nul-1", "nul", "Sam\x00 Rainsy said that it was fine.", [])
    src = write_jsonl(tmp_path / "in.jsonl", [ok, bad])
    with pytest.raises(BadInputError) as exc:
        push_file(NoServer(), src, "p", progress=False, echo=lambda s: None)
    msg = str(exc.value)
    assert f"{src}:2: article nul-1" in msg and "1 x U+0000 NUL" in msg and "quotekit ingest" in msg
    with pytest.raises(BadInputError, match=r"article nul-1: .*U\+0000 NUL"):
        push_records(NoServer(), [bad], "p", progress=False, echo=lambda s: None)


def test_relations_carry_the_direction_that_colours_their_type():
    from toolkit.labelstudio.config import RELATION_DIRECTIONS

    q = _q("We will win,", "Hun Sen", "Hun Sen", "said")
    result, _ = build_result("a1", TEXT, [q], load_registry())
    directions = {r["labels"][0]: r["direction"] for r in result if r.get("type") == "relation"}
    assert directions == RELATION_DIRECTIONS


def test_an_older_project_gets_the_speaker_as_choices_and_it_validates_against_its_config():
    rec = sample_data()[0]
    quotes = [Quote.from_dict(q) for q in rec["quotes"]]
    bt = build_task(rec, quotes, "mv", load_registry(), speaker_control="Choices")
    speaker = _items(bt.prediction["result"], N.SPEAKER_NAME)
    assert speaker and {r["type"] for r in speaker} == {"choices"}
    assert {r["value"]["choices"][0] for r in speaker} == {q.speaker for q in quotes}
    older = build_label_config(speaker_control="Choices")
    assert validate_prediction(rec["article_id"], rec["text"], bt.prediction, stance_labels=load_stance().labels,
                               speaker_names=load_registry().names(), interface=label_interface(older)) == []
    with pytest.raises(ValueError, match="speaker_control"):
        build_label_config(speaker_control="Select")
