"""Offline: the candidate speakers of a task (a radio each on a SPEAKER region), the config that
shows them, the precedence of the speaker controls at export reading, and older projects."""

from __future__ import annotations

import copy

import pytest

from toolkit.config import Registry, Speaker, load_registry, load_stance
from toolkit.labelstudio import names as N
from toolkit.labelstudio.config import (
    build_label_config,
    config_controls,
    foreign_config_reason,
    quotekit_config_controls,
    speaker_control_of,
)
from toolkit.labelstudio.export import IssueLog, parse_annotation, resolve_speaker
from toolkit.labelstudio.tasks import (
    MAX_CANDIDATES,
    MAX_WITH_ACTING,
    acting_mentions,
    build_task,
    candidate_names,
    label_interface,
    region_id,
    registry_mentions,
    speaker_candidates,
    validate_prediction,
)
from toolkit.types import Quote

REG = Registry([
    Speaker("Hun Sen", "government", aliases=("Samdech Hun Sen",)),
    Speaker("Kem Sokha", "opposition"),
    Speaker("Sam Rainsy", "opposition", aliases=("Rainsy",)),
    Speaker("Cambodian government", "government", aliases=("the government",)),
])
TEXT = "Kem Sokha met Sam Rainsy. The premier said the talks were over, the government added."


def _q(content: str, speaker: str | None, mention: str | None) -> Quote:
    start = TEXT.index(content)
    at = TEXT.index(mention) if mention else None
    return Quote(start, start + len(content), content, "indirect", speaker=speaker, stance="neutral", score=0.8,
                 speaker_start=at, speaker_end=None if at is None else at + len(mention))


# --------------------------------------------------------------------------- the candidates


def test_mentions_are_whole_words_with_a_capital_first_mention_kept():
    assert registry_mentions("Rainsyite views; Sam Rainsy and Rainsy.", REG) == {"Sam Rainsy": 17}
    # "the government" (no capital) is not a mention: a candidate per article otherwise
    assert registry_mentions("the government said so", REG) == {}
    assert registry_mentions("Samdech Hun Sen spoke", REG) == {"Hun Sen": 0}  # the longest form, one name


def test_resolved_speakers_then_mentions_by_first_mention():
    quotes = [_q("the talks were over", "Hun Sen", "The premier"), _q("the talks were over", "Cambodian government", "the government")]
    # resolved through a mention without a capital: still a candidate, at its mention
    assert speaker_candidates(TEXT, quotes, REG) == ["Kem Sokha", "Sam Rainsy", "Hun Sen", "Cambodian government"]


def test_the_cap_never_drops_a_resolved_speaker():
    quotes = [_q("the talks were over", "Hun Sen", "The premier")]
    assert speaker_candidates(TEXT, quotes, REG, limit=2) == ["Kem Sokha", "Hun Sen"]
    assert speaker_candidates(TEXT, quotes, REG, limit=0) == ["Hun Sen"]
    many = " ".join(f"We met Person{i} Name." for i in range(30))
    big = Registry([Speaker(f"Person{i} Name", "unknown") for i in range(30)])
    assert speaker_candidates(many, [], big) == [f"Person{i} Name" for i in range(MAX_CANDIDATES)]


# --------------------------------------------------------------------------- names the text shows acting

BIG = Registry([Speaker(f"Person{i} Name", "unknown") for i in range(40)])


def _resolved(n: int) -> tuple[str, list[Quote]]:
    """A text where the proposal resolved ``n`` speakers (Person0..n-1), each quoted once."""
    parts, quotes = [], []
    for i in range(n):
        head = " ".join(parts) + (" " if parts else "")
        said = f"Person{i} Name said that it was fine number {i}."
        start = len(head) + said.index("it was")
        quotes.append(Quote(start, start + len(f"it was fine number {i}"), f"it was fine number {i}", "indirect",
                            speaker=f"Person{i} Name", speaker_start=len(head), speaker_end=len(head) + len(f"Person{i} Name")))
        parts.append(said)
    return " ".join(parts), quotes


def test_a_name_the_text_shows_acting_is_offered_when_the_resolved_speakers_fill_the_list():
    """The speaker of a quote the proposal missed (its verb is no cue) is a name the text shows
    acting: offered even when the resolved speakers already fill the list; a name only
    mentioned is not."""
    assert MAX_WITH_ACTING > MAX_CANDIDATES
    text, quotes = _resolved(MAX_CANDIDATES)
    text += " Person30 Name justified the ruling. Reporters met Person31 Name, who smiled."
    got = speaker_candidates(text, quotes, BIG)
    assert got == [f"Person{i} Name" for i in range(MAX_CANDIDATES)] + ["Person30 Name"]
    # the resolved speakers are always all offered; acting names only up to the ceiling
    text, quotes = _resolved(MAX_WITH_ACTING)
    text += " Person30 Name justified the ruling."
    assert speaker_candidates(text, quotes, BIG) == [f"Person{i} Name" for i in range(MAX_WITH_ACTING)]


def test_acting_names_come_before_mere_mentions_and_stop_at_their_ceiling():
    text = "Reporters met Person0 Name and Person1 Name. " + " ".join(f"Person{i} Name warned them." for i in range(2, 30))
    got = speaker_candidates(text, [], BIG)
    assert got == [f"Person{i} Name" for i in range(2, 2 + MAX_WITH_ACTING)]  # acting first, then the ceiling
    few = "Reporters met Person0 Name and Person1 Name. Person2 Name warned them."
    assert speaker_candidates(few, [], BIG, limit=2) == ["Person0 Name", "Person2 Name"]  # by first mention
    assert acting_mentions(few, BIG, verb_forms=()) == {"Person2 Name": few.index("Person2")}


@pytest.mark.parametrize("after, acting", [
    (" justified it", True), (" ruled that", True), (" says so", True), (" told them", True),
    (", who said", False), (" and others", False), (" Minister said", False), (" states met", False),
    (" stated that", True), ("’s claims", False), (" claims that", False),
])
def test_verb_after_is_a_lower_case_verb_right_after_the_name(after, acting):
    from toolkit.labelstudio.tasks import speech_verb_forms, verb_after

    text = "Hun Sen" + after
    assert verb_after(text, len("Hun Sen"), speech_verb_forms()) is acting


def test_an_unregistered_speaker_is_no_candidate_and_no_registry_gives_none():
    quotes = [_q("the talks were over", "The premier", "The premier")]  # not in the registry: typed, not offered
    assert speaker_candidates(TEXT, quotes, REG) == ["Kem Sokha", "Sam Rainsy"]
    assert speaker_candidates(TEXT, quotes, None) == []


def test_candidate_names_reads_the_task_data():
    assert candidate_names({N.SPEAKER_CANDIDATES: [{"value": "A"}, {"value": 3}, "B"]}) == ["A"]
    assert candidate_names({N.SPEAKER_CANDIDATES: "A"}) is None and candidate_names({}) is None


# --------------------------------------------------------------------------- the config


def test_the_config_offers_the_candidates_from_task_data_first():
    xml = build_label_config(["Hun Sen"], ("favor",), "t")
    controls = [(tag, name) for tag, name, _to, _v in config_controls(xml)]
    speaker_controls = [c for c in controls if c[1] in (N.SPEAKER_PICK, N.SPEAKER_NAME, N.SPEAKER_NEW)]
    assert speaker_controls == [("Choices", N.SPEAKER_PICK), ("Taxonomy", N.SPEAKER_NAME), ("TextArea", N.SPEAKER_NEW)]
    pick = xml[xml.index(f'name="{N.SPEAKER_PICK}"'):].split(">", 1)[0]
    for attr in (f'value="${N.SPEAKER_CANDIDATES}"', 'perRegion="true"', 'choice="single-radio"',
                 f'whenTagName="{N.LABELS}"', f'whenLabelValue="{N.SPEAKER}"'):
        assert attr in pick, (attr, pick)
    assert speaker_control_of(xml) == "Candidates" and foreign_config_reason(xml) is None
    assert quotekit_config_controls()[N.SPEAKER_PICK][:2] == ("Choices", N.TEXT)


@pytest.mark.parametrize("control", ["Taxonomy", "Choices"])
def test_older_configs_have_no_candidates_and_stay_quotekits(control):
    xml = build_label_config(["Hun Sen"], ("favor",), "t", speaker_control=control)
    assert N.SPEAKER_PICK not in xml and N.SPEAKER_CANDIDATES not in xml
    assert speaker_control_of(xml) == control and foreign_config_reason(xml) is None


# --------------------------------------------------------------------------- the prediction


def test_the_prediction_names_a_candidate_in_the_radio_only():
    rec = {"article_id": "c1", "text": TEXT}
    quotes = [_q("the talks were over", "Hun Sen", "The premier")]
    bt = build_task(rec, quotes, "mv", REG)
    assert candidate_names(bt.task["data"]) == ["Kem Sokha", "Sam Rainsy", "Hun Sen"]
    sid = region_id("c1", quotes[0].speaker_start, quotes[0].speaker_end, N.SPEAKER)
    named = [(r["id"], r["from_name"], r["value"].get("choices")) for r in bt.prediction["result"]
             if r.get("from_name") in (N.SPEAKER_PICK, N.SPEAKER_NAME, N.SPEAKER_NEW)]
    assert named == [(sid, N.SPEAKER_PICK, ["Hun Sen"])]  # not also in the registry list: one click changes it
    # a record that brings its candidates (a task's data, as the ML backend gets it) keeps them
    given = build_task({**rec, N.SPEAKER_CANDIDATES: [{"value": "Kem Sokha"}]}, quotes, "mv", REG)
    assert candidate_names(given.task["data"]) == ["Kem Sokha"]
    assert [r["from_name"] for r in given.prediction["result"] if r.get("id") == sid and r["type"] != "labels"] == [N.SPEAKER_NAME]


def _check(bt, control="Candidates", candidates="data"):
    reg = load_registry()
    cands = candidate_names(bt.task["data"]) if candidates == "data" else candidates
    return validate_prediction(bt.article_id, bt.task["data"]["text"], bt.prediction, stance_labels=load_stance().labels,
                               speaker_names=reg.names(), candidates=cands,
                               interface=label_interface(build_label_config(speaker_control=control)))


def _sample():
    text = "“We will win,” Hun Sen said. Kem Sokha disagreed."
    q = Quote(1, 13, "We will win,", "direct", speaker="Hun Sen", speaker_start=15, speaker_end=22, stance="favor", score=0.9)
    return {"article_id": "c2", "text": text}, [q]


def test_validation_holds_a_candidate_to_the_tasks_list_and_older_projects_to_none():
    rec, quotes = _sample()
    bt = build_task(rec, quotes, "mv", load_registry())
    assert candidate_names(bt.task["data"]) == ["Hun Sen", "Kem Sokha"] and _check(bt) == []
    wrong = copy.deepcopy(bt)
    next(r for r in wrong.prediction["result"] if r.get("from_name") == N.SPEAKER_PICK)["value"]["choices"] = ["Sam Rainsy"]
    assert any("speaker_pick value ['Sam Rainsy'] not one of ['Hun Sen', 'Kem Sokha']" in e for e in _check(wrong))
    two = copy.deepcopy(bt)
    next(r for r in two.prediction["result"] if r.get("from_name") == N.SPEAKER_PICK)["value"]["choices"] = ["Hun Sen", "Kem Sokha"]
    assert any("one candidate" in e for e in _check(two))
    # a project without the candidate list: such a result is an error, named
    assert any("no candidate list" in e for e in _check(bt, "Taxonomy", candidates=None))
    for control in ("Taxonomy", "Choices"):
        older = build_task(rec, quotes, "mv", load_registry(), speaker_control=control)
        assert N.SPEAKER_CANDIDATES not in older.task["data"]
        assert _check(older, control, candidates=None) == []


# --------------------------------------------------------------------------- precedence at export reading


def _annotation(named: dict[str, tuple[str, str]]):
    """A one-quote annotation whose SPEAKER region is named by ``named``: from_name -> (name, origin)."""
    text = "“We will win,” Hun Sen said."
    q = {"id": "q1", "from_name": N.LABELS, "to_name": N.TEXT, "type": "labels",
         "value": {"start": 1, "end": 13, "text": "We will win,", "labels": [N.QUOTE]}}
    s = {"id": "s1", "from_name": N.LABELS, "to_name": N.TEXT, "type": "labels",
         "value": {"start": 15, "end": 22, "text": "Hun Sen", "labels": [N.SPEAKER]}}
    stance = {"id": "q1", "from_name": N.STANCE, "to_name": N.TEXT, "type": "choices",
              "value": {"start": 1, "end": 13, "text": "We will win,", "choices": ["favor"]}}
    rel = {"type": "relation", "from_id": "q1", "to_id": "s1", "direction": "right", "labels": [N.SAID_BY]}
    result = [q, s, stance, rel]
    for fname, (name, origin) in named.items():
        value = {"start": 15, "end": 22, "text": "Hun Sen"}
        if fname == N.SPEAKER_NEW:
            value = {**value, "text": [name]}
            kind = "textarea"
        elif fname == N.SPEAKER_NAME:
            value["taxonomy"] = [[name]]
            kind = "taxonomy"
        else:
            value["choices"] = [name]
            kind = "choices"
        result.append({"id": "s1", "from_name": fname, "to_name": N.TEXT, "type": kind, "value": value, "origin": origin})
    return text, result


def _read(named, prediction=None):
    text, result = _annotation(named)
    log = IssueLog()
    pred = None
    if prediction is not None:
        pred = _annotation(prediction)[1]
    quotes = parse_annotation(text, result, article_id="a", where="t", issues=log, stance_labels=["favor"], prediction=pred)
    return quotes[0].speaker, log


def test_clicking_another_candidate_changes_the_speaker():
    got, log = _read({N.SPEAKER_PICK: ("Kem Sokha", "prediction-changed")}, prediction={N.SPEAKER_PICK: ("Hun Sen", "")})
    assert got == "Kem Sokha" and log.total == 0 and not log.notes


@pytest.mark.parametrize("named, want", [
    # the annotator set several: typed > registry > candidate
    ({N.SPEAKER_NEW: "Jane Roe", N.SPEAKER_NAME: "Sam Rainsy", N.SPEAKER_PICK: "Kem Sokha"}, "Jane Roe"),
    ({N.SPEAKER_NAME: "Sam Rainsy", N.SPEAKER_PICK: "Kem Sokha"}, "Sam Rainsy"),
    ({N.SPEAKER_NEW: "Jane Roe", N.SPEAKER_PICK: "Kem Sokha"}, "Jane Roe"),
])
def test_among_the_annotators_names_the_precedence_decides(named, want):
    got, log = _read({k: (v, "manual") for k, v in named.items()}, prediction={})
    assert got == want and log.notes == {"speaker_conflict": 1}
    assert f"kept {want!r}" in log.note_messages[0][1]


def test_an_untouched_pre_annotation_yields_to_the_annotators_candidate():
    """The pre-annotation named the region in the registry list (its name was no candidate): a
    click on a candidate still changes it, and the registry list is not consulted first."""
    pred = {N.SPEAKER_NAME: ("Hun Sen", "")}
    got, log = _read({N.SPEAKER_NAME: ("Hun Sen", "prediction"), N.SPEAKER_PICK: ("Kem Sokha", "prediction-changed")}, prediction=pred)
    assert got == "Kem Sokha" and log.notes == {"speaker_conflict": 1}
    assert "the candidate was made by the annotator" in log.note_messages[0][1]


def test_untouched_names_prefer_the_registry_then_the_candidate_then_the_typed_name():
    both = {N.SPEAKER_PICK: ("Kem Sokha", "prediction"), N.SPEAKER_NEW: ("the premier", "prediction")}
    got, _ = _read(both, prediction=both)
    assert got == "Kem Sokha"
    assert resolve_speaker({N.SPEAKER_NAME: "A", N.SPEAKER_PICK: "B", N.SPEAKER_NEW: "C"},
                           {N.SPEAKER_NAME: True, N.SPEAKER_PICK: True, N.SPEAKER_NEW: True})[0] == "A"
    assert N.SPEAKER_PRECEDENCE == (N.SPEAKER_NEW, N.SPEAKER_NAME, N.SPEAKER_PICK)


def test_an_export_of_an_older_project_reads_as_before():
    """No candidate radio: the registry list (taxonomy, or the drop-down's choices) and the typed name."""
    got, log = _read({N.SPEAKER_NAME: ("Kem Sokha", "prediction-changed")}, prediction={N.SPEAKER_NAME: ("Hun Sen", "")})
    assert got == "Kem Sokha" and log.total == 0
    text, result = _annotation({})
    result.append({"id": "s1", "from_name": N.SPEAKER_NAME, "to_name": N.TEXT, "type": "choices",
                   "value": {"start": 15, "end": 22, "text": "Hun Sen", "choices": ["Sam Rainsy"]}})
    quotes = parse_annotation(text, result, article_id="a", where="t", issues=IssueLog(), stance_labels=["favor"])
    assert quotes[0].speaker == "Sam Rainsy"


# --------------------------------------------------------------------------- ls push on an older project


def test_push_looks_the_project_up_once_and_keeps_an_older_projects_drop_down():
    """``ls push`` chooses the project's config from the project it looks up once (ensure_project):
    an older project (speaker drop-down) keeps its config and gets predictions in its own control;
    a new one gets the candidates."""
    from test_roundtrip_push_pull import MemoryLS

    from toolkit.labelstudio.push import push_records
    from toolkit.labelstudio.testing import sample_data

    class Counting(MemoryLS):
        lookups = 0

        def find_project(self, title):
            Counting.lookups += 1
            return super().find_project(title)

    client = Counting()
    reg, scheme = load_registry(), load_stance()
    older = build_label_config(reg.names(), scheme.labels, scheme.target.description, speaker_control="Choices")
    client.create_project(title="old", label_config=older)
    report = push_records(client, sample_data(), "old", progress=False, echo=lambda s: None)
    assert Counting.lookups == 1 and report.speaker_control == "Choices" and not report.config_updated
    preds = [p for t in client.tasks.values() for p in t["predictions"]]
    named = [(r["from_name"], r["type"]) for p in preds for r in p["result"] if r.get("from_name") in (N.SPEAKER_NAME, N.SPEAKER_PICK)]
    assert named and set(named) == {(N.SPEAKER_NAME, "choices")}
    assert all(N.SPEAKER_CANDIDATES not in t["data"] for t in client.tasks.values())

    Counting.lookups = 0
    fresh = push_records(client, sample_data(), "new", progress=False, echo=lambda s: None)
    assert Counting.lookups == 1 and fresh.speaker_control == "Candidates" and fresh.project_created
    assert speaker_control_of(client.projects[fresh.project_id]["label_config"]) == "Candidates"
