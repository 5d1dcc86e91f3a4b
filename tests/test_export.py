"""The Label Studio export parser: JSON streaming, annotation choice, joins and validation."""

from __future__ import annotations

import json

import pytest

from fixtures.lsexport import ART1, ART2, Ann, annotation, small_export, task, write
from toolkit.errors import BadInputError, ValidationFailed
from toolkit.labelstudio import names as N
from toolkit.labelstudio.export import (
    ExportReader,
    IssueLog,
    is_direct,
    iter_json_items,
    make_quote_id,
    parse_annotation,
)

STANCE = ("favor", "against", "neutral")


def parse(ann: Ann, text: str | None = None, strict: bool = False, **kw):
    log = IssueLog(strict=strict)
    quotes = parse_annotation(text or ann.text, ann.result, article_id="a1", where="t.json task 1", issues=log, stance_labels=STANCE, **kw)
    return quotes, log


def read(paths, annotator=None, strict=False, on_multi=None):
    log = IssueLog(strict=strict)
    reader = ExportReader(paths, issues=log, stance_labels=STANCE, annotator=annotator)
    return list(reader.articles(on_multi=on_multi)), log


# --------------------------------------------------------------------------- JSON streaming


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20])
def test_json_items_are_streamed_whatever_the_chunk_size(tmp_path, chunk):
    tasks = small_export() * 3
    p = write(tmp_path / "e.json", tasks)
    log = IssueLog()
    assert list(iter_json_items(p, log, chunk_size=chunk)) == tasks
    assert log.total == 0


def test_truncated_file_keeps_the_items_before_and_names_the_file(tmp_path):
    p = tmp_path / "cut.json"
    full = json.dumps(small_export())
    p.write_text(full[: len(full) - 40], encoding="utf-8")
    log = IssueLog()
    items = list(iter_json_items(p, log, chunk_size=50))
    assert len(items) == 1
    assert log.counts == {"invalid_json": 1}
    assert "cut.json" in log.messages[0][1] and "truncated" in log.messages[0][1]


@pytest.mark.parametrize("content", ["", "not json", "[1, 2", "{\"a\": 1} trailing", "[{}] x"])
def test_invalid_json_is_reported_with_the_file_name(tmp_path, content):
    p = tmp_path / "bad.json"
    p.write_text(content, encoding="utf-8")
    log = IssueLog()
    list(iter_json_items(p, log))
    assert log.counts["invalid_json"] == 1
    assert "bad.json" in log.messages[0][1]


def test_invalid_json_fails_under_strict(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text("[{\"id\": 1,", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="bad.json") as exc:
        list(iter_json_items(p, IssueLog(strict=True)))
    assert exc.value.exit_code == 4


def test_a_utf8_byte_order_mark_is_skipped_and_positions_count_its_bytes(tmp_path):
    import codecs

    tasks = small_export()
    p = tmp_path / "bom.json"
    p.write_bytes(codecs.BOM_UTF8 + json.dumps(tasks).encode("utf-8"))
    log = IssueLog()
    assert list(iter_json_items(p, log)) == tasks and log.total == 0
    one = tmp_path / "bom-one.json"
    one.write_bytes(codecs.BOM_UTF8 + json.dumps(tasks[0]).encode("utf-8"))
    assert list(iter_json_items(one, log)) == [tasks[0]] and log.total == 0
    raw = json.dumps(tasks)
    cut = tmp_path / "bom-cut.json"
    cut.write_bytes(codecs.BOM_UTF8 + raw[:-40].encode("utf-8"))
    assert list(iter_json_items(cut, log)) == tasks[:1]
    second = 1 + len(json.dumps(tasks[0])) + 2  # "[", the first task, ", "
    assert f"it starts at byte {second + 3}, char {second}" in log.messages[0][1]


def test_a_single_task_object_is_one_item(tmp_path):
    t = small_export()[0]
    p = tmp_path / "one.json"
    p.write_text(json.dumps(t), encoding="utf-8")
    assert list(iter_json_items(p, IssueLog())) == [t]


def test_missing_file_is_bad_input(tmp_path):
    with pytest.raises(BadInputError, match="nope.json"):
        ExportReader([tmp_path / "nope.json"], issues=IssueLog(), stance_labels=STANCE)


# --------------------------------------------------------------------------- joins


def test_quote_joined_to_speaker_stance_cue_and_kind():
    a = Ann(ART1)
    q = a.quote("the regime fears the truth.", "Sam Rainsy", "against", cue="told", kind="mixed")
    quotes, log = parse(a)
    assert log.total == 0
    (got,) = quotes
    start = ART1.index("the regime fears")
    sp = ART1.index("Sam Rainsy")
    cue = ART1.index("told")
    assert got.quote_id == make_quote_id("a1", start, start + 27) == f"a1:{start}-{start + 27}"
    assert (got.start, got.end, got.text) == (start, start + 27, "the regime fears the truth.")
    assert (got.speaker, got.speaker_start, got.speaker_end) == ("Sam Rainsy", sp, sp + 10)
    assert (got.cue_start, got.cue_end) == (cue, cue + 4)
    assert (got.stance, got.kind, got.region_id) == ("against", "mixed", q)


def test_speaker_new_textarea_wins_over_speaker_choice_over_region_text():
    a = Ann(ART1)
    a.quote("the plan would fail", "Government spokesman Phay Siphan", "favor", speaker_name="Hun Sen", speaker_new="Phay Siphan")
    a.quote("the regime fears the truth.", "Sam Rainsy", "against", speaker_name="Hun Sen")
    a.quote("We will protect peace and stability,", "Phay Siphan", "favor", occurrence=0)
    quotes, log = parse(a)
    assert log.notes == {"speaker_conflict": 1} and log.total == 0  # both set by the annotator (origin manual): the typed name wins, counted
    assert [q.speaker for q in quotes] == ["Phay Siphan", "Phay Siphan", "Hun Sen"]


def test_relation_drawn_backwards_or_without_label_is_understood():
    a = Ann(ART1)
    q = a.span(N.QUOTE, "the regime fears the truth.")
    a.choice(q, N.STANCE, "against")
    s = a.span(N.SPEAKER, "Sam Rainsy")
    c = a.span(N.CUE, "told")
    a.relate(s, q, N.SAID_BY)  # SPEAKER -> QUOTE
    a.relate(q, c, None)  # no label: inferred from the region types
    (got,), log = parse(a)
    assert log.total == 0
    assert got.speaker == "Sam Rainsy" and got.cue_start == ART1.index("told")


def test_speaker_canonicalised_and_affiliation_through_the_callbacks():
    a = Ann(ART1)
    a.quote("the regime fears the truth.", "Sam Rainsy", "against")
    a.quote("the plan would fail", "Phay Siphan", "favor")
    quotes, _ = parse(a, canonical=lambda s: "SAM RAINSY" if s == "Sam Rainsy" else s, affiliation=lambda s: "opposition" if s == "SAM RAINSY" else None)
    by = {q.speaker: q.affiliation for q in quotes}
    assert by == {"SAM RAINSY": "opposition", "Phay Siphan": "other"}


@pytest.mark.parametrize(
    "text,start,end,direct",
    [
        ('He said “we will win” today.', 9, 20, True),
        ('He said "we will win" today.', 9, 20, True),
        ('He said “we will win” today.', 8, 21, True),  # the marks inside the span
        ("He said we will win today.", 8, 19, False),
    ],
)
def test_default_kind_from_quotation_marks(text, start, end, direct):
    assert is_direct(text, start, end) is direct
    a = Ann(text)
    q = a.region(N.QUOTE, start, end)
    a.choice(q, N.STANCE, "neutral")
    a.choice(q, N.QUOTE_FLAGS, N.SPEAKER_UNKNOWN)
    (got,), _ = parse(a)
    assert got.kind == ("direct" if direct else "indirect")


def test_speaker_unknown_flag_gives_null_speaker_and_affiliation():
    a = Ann(ART1)
    a.quote("the border was calm", None, "neutral", unknown=True)
    (got,), log = parse(a)
    assert log.total == 0
    assert (got.speaker, got.speaker_start, got.affiliation) == (None, None, None)


def test_ui_region_ids_of_any_shape_are_accepted():
    a = Ann(ART1)
    q = a.region(N.QUOTE, 61, 80, rid="Xy_9-aB3kQ")
    a.choice(q, N.STANCE, "favor")
    s = a.region(N.SPEAKER, 44, 55, rid="7")
    a.relate(q, s)
    (got,), log = parse(a)
    assert log.total == 0 and got.speaker == "Phay Siphan"


# --------------------------------------------------------------------------- validation


def _valid() -> Ann:
    a = Ann(ART1)
    a.quote("the plan would fail", "Phay Siphan", "favor")
    return a


def _case_no_speaker(a):
    q = a.span(N.QUOTE, "the regime fears the truth.")
    a.choice(q, N.STANCE, "against")


def _case_dangling(a):
    q = a.span(N.QUOTE, "the regime fears the truth.")
    a.choice(q, N.STANCE, "against")
    a.relate(q, "NoSuchRegn")


def _case_out_of_range(a):
    a.region(N.SPEAKER, len(ART1) - 3, len(ART1) + 5, text="")


def _case_mismatch(a):
    a.region(N.SPEAKER, 0, 10, text="Something else")


def _case_no_stance(a):
    q = a.span(N.QUOTE, "the regime fears the truth.")
    a.relate(q, a.span(N.SPEAKER, "Sam Rainsy"))


def _case_unknown_region_label(a):
    a.region("PERSON", 0, 5)


def _case_unknown_stance(a):
    q = a.span(N.QUOTE, "the regime fears the truth.")
    a.choice(q, N.STANCE, "positive")
    a.relate(q, a.span(N.SPEAKER, "Sam Rainsy"))


def _case_duplicate_id(a):
    a.region(N.SPEAKER, 149, 159, rid="dup0000000")
    a.region(N.CUE, 160, 164, rid="dup0000000")


def _case_bad_relation(a):
    q = a.span(N.QUOTE, "the regime fears the truth.")
    a.choice(q, N.STANCE, "against")
    a.relate(q, a.span(N.CUE, "told"), N.SAID_BY)
    a.relate(q, a.span(N.SPEAKER, "Sam Rainsy"))


def _case_ambiguous(a):
    q = a.span(N.QUOTE, "the regime fears the truth.")
    a.choice(q, N.STANCE, "against")
    a.relate(q, a.span(N.SPEAKER, "Sam Rainsy"))
    a.relate(q, a.span(N.SPEAKER, "Phay Siphan", 1))


def _case_orphan(a):
    a.result.append({"id": "ghost12345", "from_name": N.STANCE, "to_name": N.TEXT, "type": "choices", "value": {"start": 0, "end": 3, "text": "Phn", "choices": ["favor"]}})


def _case_duplicate_quote(a):
    q = a.region(N.QUOTE, *_span("the plan would fail"))
    a.choice(q, N.STANCE, "against")
    a.choice(q, N.QUOTE_FLAGS, N.SPEAKER_UNKNOWN)


def _span(s: str) -> tuple[int, int]:
    i = ART1.index(s)
    return i, i + len(s)


CASES = {
    "no_speaker": _case_no_speaker,
    "dangling_relation": _case_dangling,
    "offsets_out_of_range": _case_out_of_range,
    "text_mismatch": _case_mismatch,
    "no_stance": _case_no_stance,
    "unknown_label": _case_unknown_region_label,
    "unknown_label/stance": _case_unknown_stance,
    "duplicate_region_id": _case_duplicate_id,
    "bad_relation": _case_bad_relation,
    "ambiguous_speaker": _case_ambiguous,
    "orphan_region_result": _case_orphan,
    "duplicate_quote": _case_duplicate_quote,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_invalid_item_is_skipped_counted_and_located(case):
    a = _valid()
    CASES[case](a)
    quotes, log = parse(a)
    reason = case.split("/")[0]
    assert log.counts[reason] >= 1, log.counts
    # the valid quote survives; the bad item is gone (a bad relation beside a good one: the quote stays)
    extra = ["the regime fears the truth."] if case == "bad_relation" else []
    assert [q.text for q in quotes] == ["the plan would fail", *extra]
    msg = next(m for r, m in log.messages if r == reason)
    assert "t.json task 1" in msg and ("region" in msg or "relation" in msg)


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_invalid_item_fails_under_strict(case):
    a = _valid()
    CASES[case](a)
    with pytest.raises(ValidationFailed) as exc:
        parse(a, strict=True)
    assert exc.value.exit_code == 4
    assert "t.json task 1" in str(exc.value)


def test_quote_without_speaker_message_names_the_region():
    a = _valid()
    q = a.span(N.QUOTE, "the regime fears the truth.")
    a.choice(q, N.STANCE, "against")
    _, log = parse(a)
    assert log.counts == {"no_speaker": 1}
    assert q in log.messages[0][1] and "task 1" in log.messages[0][1]


# --------------------------------------------------------------------------- tasks and annotations


def _ann(text, quote, speaker, stance, **kw):
    a = Ann(text, seed=str(kw.get("id")))
    a.quote(quote, speaker, stance)
    return annotation(a, **kw)


def test_task_level_problems_are_counted(tmp_path):
    tasks = [
        task(ART1, id=1, article_id="a1", annotations=[_ann(ART1, "the plan would fail", "Phay Siphan", "favor", id=1, task=1)]),
        task(None, id=2, article_id="a2", annotations=[_ann(ART1, "the plan would fail", "Phay Siphan", "favor", id=2, task=2)]),
        task(ART2, id=3, article_id="a3", annotations=[annotation([], id=3, task=3)]),
        task(ART2, id=4, article_id="a4", annotations=[annotation([], id=4, task=4, was_cancelled=True)]),
        task(ART2, id=5, article_id="a5"),
        {"not": "a task"},
    ]
    arts, log = read([write(tmp_path / "e.json", tasks)])
    assert [a.article_id for a in arts] == ["a1", "a3"]  # a3: an empty annotation is the judgement "no quotes"
    a3 = arts[1]
    assert a3.quotes == [] and a3.no_quotes_judged and not arts[0].no_quotes_judged
    assert log.counts == {"no_text": 1, "cancelled": 1, "not_annotated": 1, "not_a_task": 1}
    msgs = dict((r, m) for r, m in log.messages)
    assert "task 2" in msgs["no_text"] and "task 4" in msgs["cancelled"]


def test_unannotated_tasks_do_not_fail_a_strict_build(tmp_path):
    tasks = [
        task(ART1, id=1, article_id="a1", annotations=[_ann(ART1, "the plan would fail", "Phay Siphan", "favor", id=1, task=1)]),
        task(ART2, id=2, article_id="a2"),
    ]
    arts, log = read([write(tmp_path / "e.json", tasks)], strict=True)
    assert len(arts) == 1 and log.counts == {"not_annotated": 1}


def test_cancelled_annotation_fails_a_strict_build(tmp_path):
    tasks = [task(ART2, id=4, article_id="a4", annotations=[annotation([], id=4, task=4, was_cancelled=True)])]
    with pytest.raises(ValidationFailed, match="task 4"):
        read([write(tmp_path / "e.json", tasks)], strict=True)


def test_ground_truth_wins_over_a_later_annotation(tmp_path):
    gt = _ann(ART1, "the plan would fail", "Phay Siphan", "favor", id=1, task=1, created_at="2026-01-01T10:00:00Z", ground_truth=True)
    later = _ann(ART1, "the plan would fail", "Phay Siphan", "against", id=2, task=1, created_at="2026-01-05T10:00:00Z")
    cancelled = _ann(ART1, "the plan would fail", "Phay Siphan", "neutral", id=3, task=1, created_at="2026-01-09T10:00:00Z", was_cancelled=True)
    (art,), _ = read([write(tmp_path / "e.json", [task(ART1, id=1, article_id="a1", annotations=[gt, later, cancelled])])])
    assert art.quotes[0].stance == "favor"
    (art,), _ = read([write(tmp_path / "f.json", [task(ART1, id=1, article_id="a1", annotations=[later, cancelled])])])
    assert art.quotes[0].stance == "against"


def test_latest_annotation_wins_across_files(tmp_path):
    old = _ann(ART1, "the plan would fail", "Phay Siphan", "favor", id=7, task=1, created_at="2026-01-01T10:00:00Z")
    # the same annotation, edited later, exported again from a second project import (other task id)
    new = _ann(ART1, "the plan would fail", "Phay Siphan", "against", id=7, task=1, created_at="2026-01-01T10:00:00Z", updated_at="2026-02-01T10:00:00Z")
    other = _ann(ART2, "Sam Rainsy had reached Jakarta", "Mu Sochua", "neutral", id=8, task=2)
    f1 = write(tmp_path / "1.json", [task(ART1, id=1, article_id="a1", annotations=[old]), task(ART2, id=2, article_id="a2", annotations=[other])])
    f2 = write(tmp_path / "2.json", [task(ART1, id=99, article_id="a1", annotations=[new])])
    for order in ([f1, f2], [f2, f1]):
        arts, log = read(order)
        assert sorted(a.article_id for a in arts) == ["a1", "a2"]
        a1 = next(a for a in arts if a.article_id == "a1")
        assert a1.quotes[0].stance == "against" and log.total == 0
        assert log.notes == {}  # the same annotation (id 7) seen twice: nothing was set aside


def test_task_identity_falls_back_to_the_label_studio_id(tmp_path):
    a = _ann(ART1, "the plan would fail", "Phay Siphan", "favor", id=1, task=5)
    (art,), _ = read([write(tmp_path / "e.json", [task(ART1, id=5, article_id=None, annotations=[a])])])
    assert art.article_id == "ls-task-5" and art.quotes[0].quote_id.startswith("ls-task-5:")


def test_annotator_by_email_or_id_and_int_completed_by(tmp_path):
    alice = {"id": 3, "email": "Alice@Example.org", "first_name": "", "last_name": ""}
    a = _ann(ART1, "the plan would fail", "Phay Siphan", "favor", id=1, task=1, completed_by=alice, created_at="2026-01-01T10:00:00Z")
    b = _ann(ART1, "the plan would fail", "Phay Siphan", "against", id=2, task=1, completed_by=4, created_at="2026-01-02T10:00:00Z")
    # task 2: alice appears only as an int id, mapped to her e-mail through task 1
    c = _ann(ART2, "Sam Rainsy had reached Jakarta", "Mu Sochua", "neutral", id=3, task=2, completed_by=3)
    p = write(tmp_path / "e.json", [task(ART1, id=1, article_id="a1", annotations=[a, b]), task(ART2, id=2, article_id="a2", annotations=[c])])
    arts, _ = read([p])
    assert [q.stance for art in arts for q in art.quotes] == ["against", "neutral"]  # latest wins
    arts, _ = read([p], annotator="alice@example.org")
    assert [(art.annotator, art.quotes[0].stance) for art in arts] == [("alice@example.org", "favor"), ("alice@example.org", "neutral")]
    arts, log = read([p], annotator="4")
    assert [(art.article_id, art.quotes[0].stance) for art in arts] == [("a1", "against")]
    assert log.counts == {"not_annotated": 1}
    arts, _ = read([p], annotator="3")
    assert len(arts) == 2


def test_several_annotators_are_handed_to_on_multi(tmp_path):
    a = _ann(ART1, "the plan would fail", "Phay Siphan", "favor", id=1, task=1, completed_by=1)
    b = _ann(ART1, "the plan would fail", "Phay Siphan", "against", id=2, task=1, completed_by=2, created_at="2026-01-03T00:00:00Z")
    seen = []
    arts, _ = read([write(tmp_path / "e.json", [task(ART1, id=1, article_id="a1", annotations=[a, b])])], on_multi=lambda aid, text, by: seen.append((aid, {k: [q.stance for q in v] for k, v in by.items()})))
    assert seen == [("a1", {"user:1": ["favor"], "user:2": ["against"]})]
    assert len(arts) == 1


def test_prediction_accepted_as_is_round_trips(tmp_path):
    """A quotekit prediction (from ``ls push``) accepted unchanged by an annotator parses back to the same quotes."""
    from toolkit.labelstudio.tasks import build_task
    from toolkit.types import Quote

    sp = ART1.index("Sam Rainsy")
    qs = ART1.index("the regime fears the truth.")
    quotes = [
        Quote(qs, qs + 27, "the regime fears the truth.", "direct", speaker="Sam Rainsy", speaker_start=sp, speaker_end=sp + 10, cue_start=sp + 11, cue_end=sp + 15, stance="against"),
        Quote(ART1.index("the border"), ART1.index("the border") + 19, "the border was calm", "indirect", stance="neutral"),
    ]
    record = {"article_id": "a9", "text": ART1, "title": "T", "outlet": "O", "date": "2019-01-01"}
    built = build_task(record, quotes, "quotekit-0.1.0+rules-1")
    t = built.task
    t.update({"id": 1, "annotations": [annotation(t["predictions"][0]["result"], id=1, task=1)]})
    (art,), log = read([write(tmp_path / "e.json", [t])])
    assert log.total == 0
    got = [(q.start, q.end, q.text, q.kind, q.speaker, q.speaker_start, q.speaker_end, q.cue_start, q.cue_end, q.stance) for q in art.quotes]
    want = [(q.start, q.end, q.text, q.kind, q.speaker, q.speaker_start, q.speaker_end, q.cue_start, q.cue_end, q.stance) for q in quotes]
    assert got == want


def test_model_versions_from_predictions_or_the_annotation_prediction(tmp_path):
    a = Ann(ART1)
    a.quote("the plan would fail", "Phay Siphan", "favor")
    ann = annotation(a, id=1, task=1)
    ann["prediction"] = {"id": 5, "model_version": "quotekit-0.0.9+rules-0", "result": []}
    t1 = task(ART1, id=1, article_id="a1", annotations=[ann])
    t1["predictions"] = [5]  # ids only, as in a default export
    t2 = task(ART2, id=2, article_id="a2", model_version="quotekit-0.1.0+rules-1")
    reader = ExportReader([write(tmp_path / "e.json", [t1, t2])], issues=IssueLog(), stance_labels=STANCE)
    assert reader.scan().model_versions == {"quotekit-0.0.9+rules-0": 1, "quotekit-0.1.0+rules-1": 1}


def test_docstring_examples_hold():
    import doctest
    import importlib
    import pkgutil

    import toolkit.labelstudio.export as package

    attempted = 0
    for info in pkgutil.iter_modules(package.__path__):
        result = doctest.testmod(importlib.import_module(f"{package.__name__}.{info.name}"))
        assert result.failed == 0, info.name
        attempted += result.attempted
    assert attempted >= 20  # the examples of every module ran, not just the package's


def test_a_pronoun_nobody_named_keeps_its_mention_and_is_no_name():
    """A SPEAKER region that is only a pronoun and has no name (the pre-annotation leaves an unresolved
    "She" unnamed) is kept with its mention and no canonical speaker, noted, never "She" as a name; a
    name picked for it, or a mention that is a name, still counts."""
    text = "She said the vote was rigged. Hun Sen said it was fair. He said turnout was high."
    a = Ann(text)
    a.quote("the vote was rigged", "She", "against")
    a.quote("it was fair", "Hun Sen", "favor")
    a.quote("turnout was high", "He", "neutral", speaker_new="Hun Sen")
    quotes, log = parse(a)
    assert log.total == 0 and log.notes == {"unnamed_speaker": 1}
    got = {q.text: (q.speaker, q.speaker_start, q.speaker_end) for q in quotes}
    assert got["the vote was rigged"] == (None, 0, 3)
    assert got["it was fair"][0] == "Hun Sen" and got["turnout was high"][0] == "Hun Sen"


def test_a_description_nobody_named_keeps_its_mention_and_is_no_name():
    """A SPEAKER region that is a lower-case definite description ("the spokesman") and has no name is
    read like an unnamed pronoun: its mention, no canonical speaker, noted; "the spokesman" never
    becomes a speaker's name. A capitalised body ("the Ministry of Interior"), an indefinite
    description and a name picked for the region are names."""
    text = ("The spokesman said the vote was rigged. The Ministry of Interior said it was fair. "
            "A villager said prices rose. Her father said turnout was high.")
    a = Ann(text)
    a.quote("the vote was rigged", "The spokesman", "against")
    a.quote("it was fair", "The Ministry of Interior", "favor")
    a.quote("prices rose", "A villager", "neutral")
    a.quote("turnout was high", "Her father", "neutral", speaker_new="Hun Sen")
    quotes, log = parse(a)
    assert log.total == 0 and log.notes == {"unnamed_speaker": 1}
    got = {q.text: (q.speaker, q.speaker_start, q.speaker_end) for q in quotes}
    assert got["the vote was rigged"] == (None, 0, 13)
    assert got["it was fair"][0] == "The Ministry of Interior"
    assert got["prices rose"][0] == "A villager"
    assert got["turnout was high"][0] == "Hun Sen"
