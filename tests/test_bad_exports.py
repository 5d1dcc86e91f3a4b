"""Bad Label Studio exports (and bad JSON in the other inputs) through the CLI: a clear message
naming the file, the task and the region, or a counted skip; never a traceback; exit codes as in
the README (0 ok, 1 bug, 2 bad input, 4 validation failed under --strict).

tests/test_export.py covers each validation reason on the parser and tests/test_dataset.py some of
them through ``quotekit build``; this file runs every defect through the command itself, beside a
valid task that must survive, and adds what those files do not try: wrong JSON types at every
level, JSON that the standard decoder cannot take (deep nesting, huge integers, NaN), a blank
speaker mention, overlapping quotes, encodings, and the same hostile JSON fed to every command
that reads JSON.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable

import pytest

from fixtures.lsexport import ART1, ART2, Ann, annotation, task, write
from toolkit.labelstudio import names as N


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    return lines[0]


def good_task() -> dict[str, Any]:
    a = Ann(ART2, seed="good")
    a.quote("Sam Rainsy had reached Jakarta", "Mu Sochua", "neutral", cue="posted")
    return task(ART2, id=1, article_id="good-1", annotations=[annotation(a, id=1, task=1)])


def bad_task(result: Any = None, *, text: Any = ART1, tid: int = 7, **ann_kw) -> dict[str, Any]:
    t = task(ART1, id=tid, article_id="bad-7", annotations=[annotation([] if result is None else [], id=70, task=tid, **ann_kw)])
    t["annotations"][0]["result"] = result
    if text is not ART1:
        if text is _MISSING:
            del t["data"][N.TEXT]
        else:
            t["data"][N.TEXT] = text
    return t


_MISSING = object()


def valid_quote(a: Ann) -> str:
    return a.quote("the plan would fail", "Phay Siphan", "favor", cue="said")


def with_region(mutate: Callable[[dict], None], label: str = N.SPEAKER) -> list[dict]:
    """A valid quote plus one extra region of ``label`` that ``mutate`` damages."""
    a = Ann(ART1, seed="b")
    valid_quote(a)
    rid = a.span(label, "Sam Rainsy")
    mutate(a.result[-1])
    return a.result


def _ann(build: Callable[[Ann], None]) -> list[dict]:
    a = Ann(ART1, seed="b")
    valid_quote(a)
    build(a)
    return a.result


def _blank_speaker(a: Ann) -> None:
    q = a.span(N.QUOTE, "the regime fears the truth.")
    a.choice(q, N.STANCE, "against")
    s = a.region(N.SPEAKER, ART1.index("Sam Rainsy") - 1, ART1.index("Sam Rainsy"), rid="blankSpkr1")  # the space before the name
    a.relate(q, s)


def _ui_ids_everywhere(a: Ann) -> None:
    q = a.region(N.QUOTE, *_at("the regime fears the truth."), rid="Xy_9-aB3kQ")
    a.choice(q, N.STANCE, "against")
    a.relate(q, a.region(N.SPEAKER, *_at("Sam Rainsy"), rid="0000000000"))
    a.relate(a.region(N.CUE, *_at("told"), rid="-_-_-_-_-_"), q, N.CUE_OF)  # drawn backwards


def _at(s: str, text: str = ART1) -> tuple[int, int]:
    i = text.index(s)
    return i, i + len(s)


# reason, build the bad task's annotation result (or the whole task), region or item named in the message
REGION_CASES: dict[str, tuple[str, Callable[[], Any], str]] = {
    "start_is_a_string": ("malformed_result", lambda: with_region(lambda r: r["value"].update(start="149")), "region "),
    "start_is_a_float": ("malformed_result", lambda: with_region(lambda r: r["value"].update(start=149.0)), "region "),
    "end_is_a_bool": ("malformed_result", lambda: with_region(lambda r: r["value"].update(end=True)), "region "),
    "end_is_null": ("malformed_result", lambda: with_region(lambda r: r["value"].update(end=None)), "region "),
    "end_is_huge": ("offsets_out_of_range", lambda: with_region(lambda r: r["value"].update(end=10**30)), "region "),
    "negative_start": ("offsets_out_of_range", lambda: with_region(lambda r: r["value"].update(start=-3)), "region "),
    "value_is_a_list": ("malformed_result", lambda: with_region(lambda r: r.update(value=[1, 2])), "region "),
    "labels_is_a_string": ("malformed_result", lambda: with_region(lambda r: r["value"].update(labels="SPEAKER")), "region "),
    "two_labels": ("malformed_result", lambda: with_region(lambda r: r["value"].update(labels=[N.SPEAKER, N.CUE])), "region "),
    "unknown_label": ("unknown_label", lambda: with_region(lambda r: r["value"].update(labels=["PERSON"])), "region "),
    "region_text_differs": ("text_mismatch", lambda: with_region(lambda r: r["value"].update(text="Sam Rainsy!")), "region "),
    "region_without_id": ("malformed_result", lambda: with_region(lambda r: r.pop("id")), "result #"),
    "region_id_is_null": ("malformed_result", lambda: with_region(lambda r: r.update(id=None)), "result #"),
    "result_item_is_a_number": ("malformed_result", lambda: _ann(lambda a: a.result.append(42)), "result #"),
    "dangling_relation": ("dangling_relation", lambda: _ann(lambda a: a.relate(a.result[0]["id"], "NoSuchRegn")), "relation #"),
    "relation_without_ends": ("dangling_relation", lambda: _ann(lambda a: a.result.append({"type": "relation"})), "relation #"),
    "unknown_relation_label": ("unknown_label", lambda: _ann(lambda a: a.relate(a.result[0]["id"], a.span(N.SPEAKER, "Sam Rainsy"), "friend_of")), "relation #"),
    "duplicated_region_id": ("duplicate_region_id", lambda: _ann(lambda a: (a.region(N.SPEAKER, *_at("Sam Rainsy"), rid="dup0000000"), a.region(N.CUE, *_at("told"), rid="dup0000000"))), "region dup0000000"),
    "unknown_stance": ("unknown_label", lambda: _ann(lambda a: a.choice(a.span(N.QUOTE, "the regime fears the truth."), N.STANCE, "positive")), "region "),
    "stance_choices_not_a_list": ("malformed_result", lambda: _ann(lambda a: a.result.append({"id": a.result[0]["id"], "from_name": N.STANCE, "type": "choices", "value": {"choices": "favor"}})), "region "),
    "unknown_from_name": ("unknown_label", lambda: _ann(lambda a: a.choice(a.result[0]["id"], "sentiment", "happy")), "region "),
    "per_region_result_for_no_region": ("orphan_region_result", lambda: _ann(lambda a: a.choice("ghost12345", N.STANCE, "favor")), "region ghost12345"),
    "blank_speaker_mention": ("", lambda: _ann(_blank_speaker), "blankSpkr1"),
}

TASK_CASES: dict[str, tuple[str, Callable[[], Any], str]] = {
    "result_is_an_object": ("malformed_result", lambda: bad_task({"id": "x"}), "task 7"),
    "result_is_a_string": ("malformed_result", lambda: bad_task("QUOTE"), "task 7"),
    "null_result": ("malformed_result", lambda: bad_task(None), "task 7"),
    "cancelled_annotation": ("cancelled", lambda: bad_task(_ann(lambda a: None), was_cancelled=True), "task 7"),
    "task_without_text": ("no_text", lambda: bad_task(_ann(lambda a: None), text=_MISSING), "task 7"),
    "text_is_a_number": ("no_text", lambda: bad_task(_ann(lambda a: None), text=12), "task 7"),
    "text_is_blank": ("no_text", lambda: bad_task(_ann(lambda a: None), text="  \n "), "task 7"),
    "data_is_a_list": ("not_a_task", lambda: {**bad_task(_ann(lambda a: None)), "data": ["text"]}, "item #1"),
    "item_is_a_string": ("not_a_task", lambda: "task", "item #1"),
    "item_is_null": ("not_a_task", lambda: None, "item #1"),
}


def _export(tmp_path: Path, bad: Any) -> Path:
    tasks = [good_task(), bad if not isinstance(bad, list) else task(ART1, id=7, article_id="bad-7", annotations=[annotation(bad, id=70, task=7)])]
    return write(tmp_path / "export.json", tasks)


@pytest.mark.parametrize("case", sorted(REGION_CASES) + sorted(TASK_CASES))
def test_defect_is_a_counted_skip_and_the_good_task_is_built(run_cli, case, tmp_path, monkeypatch, capsys):
    reason, make, where = {**REGION_CASES, **TASK_CASES}[case]
    e = _export(tmp_path, make())
    before = e.read_bytes()
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds"])
    assert code == 0, err
    skipped = [line.strip() for line in out.splitlines() if line.strip().startswith("[")]
    assert skipped, f"{case}: nothing reported as skipped:\n{out}"
    if reason:
        assert any(line.startswith(f"[{reason}]") for line in skipped), skipped
    line = next(line for line in skipped if not reason or line.startswith(f"[{reason}]"))
    assert "export.json" in line and where in line, line
    if case not in TASK_CASES:
        assert "task 7" in line, line
    assert e.read_bytes() == before
    import pyarrow.parquet as pq

    rows = [r for f in (tmp_path / "ds" / "data" / "articles").glob("*.parquet") for r in pq.read_table(f).to_pylist()]
    ids = {r["article_id"] for r in rows}
    assert "good-1" in ids
    good = next(r for r in rows if r["article_id"] == "good-1")
    assert [q["text"] for q in good["quotes"]] == ["Sam Rainsy had reached Jakarta"]
    for r in rows:
        for q in r["quotes"]:
            assert r["text"][q["start"]:q["end"]] == q["text"]
            assert q["speaker"] is None or q["speaker"].strip(), f"blank speaker in the dataset: {q}"


@pytest.mark.parametrize("case", sorted(REGION_CASES) + sorted(TASK_CASES))
def test_defect_fails_strict_with_exit_4_naming_the_place(run_cli, case, tmp_path, monkeypatch, capsys):
    reason, make, where = {**REGION_CASES, **TASK_CASES}[case]
    e = _export(tmp_path, make())
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds", "--strict"])
    assert code == 4, (code, out, err)
    line = one_line_error(err)
    assert "export.json" in line and where in line and (not reason or f"[{reason}]" in line), line
    assert not (tmp_path / "ds").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.json"], "no temporary directory left behind"


def test_empty_annotation_is_a_quote_free_article_not_a_skip(run_cli, tmp_path, monkeypatch, capsys):
    """An annotator who deleted every region and submitted judged "nobody is quoted": the article
    is kept with no quotes, nothing is skipped, and --strict passes."""
    e = _export(tmp_path, bad_task([]))
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds", "--strict"])
    assert code == 0, (out, err)
    assert "skipped" not in out and "1 annotated as quote-free" in out
    import pyarrow.parquet as pq

    rows = {r["article_id"]: r for f in (tmp_path / "ds" / "data" / "articles").glob("*.parquet") for r in pq.read_table(f).to_pylist()}
    assert rows["bad-7"]["quotes"] == [] and rows["bad-7"]["text"] == ART1
    assert len(rows["good-1"]["quotes"]) == 1
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert "1 article(s) have no quotes by the annotator's judgement" in card
    assert "no quote-free articles" not in card


def test_ui_ids_backward_relations_and_overlapping_quotes_are_valid(run_cli, tmp_path, monkeypatch, capsys):
    """10-character UI ids, a cue relation drawn from CUE to QUOTE, and two overlapping quotes
    (a quoted fragment inside a mixed quote): all kept, nothing skipped, --strict passes."""
    a = Ann(ART1, seed="ok")
    _ui_ids_everywhere(a)
    outer = a.region(N.QUOTE, *_at("“We will protect peace and stability,”"), rid="OuTeR00001")
    a.choice(outer, N.STANCE, "favor")
    a.choice(outer, N.KIND, "mixed")
    inner = a.region(N.QUOTE, *_at("We will protect peace"), rid="iNnEr00001")
    a.choice(inner, N.STANCE, "favor")
    spk = a.region(N.SPEAKER, *_at("Phay Siphan said on Friday")[:1], _at("Phay Siphan said on Friday")[0] + len("Phay Siphan"), rid="PhaySpkr01")
    a.relate(outer, spk)
    a.relate(inner, spk)
    e = write(tmp_path / "export.json", [task(ART1, id=3, article_id="ok-3", annotations=[annotation(a, id=30, task=3)])])
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds", "--strict"])
    assert code == 0, err
    assert "skipped" not in out
    import pyarrow.parquet as pq

    (row,) = [r for f in (tmp_path / "ds" / "data" / "articles").glob("*.parquet") for r in pq.read_table(f).to_pylist()]
    assert sorted(q["text"] for q in row["quotes"]) == sorted(["the regime fears the truth.", "“We will protect peace and stability,”", "We will protect peace"])
    assert all(q["speaker"] for q in row["quotes"])
    assert len({q["quote_id"] for q in row["quotes"]}) == 3


# --------------------------------------------------------------------------- JSON the decoder cannot take


def _deep(n: int = 100_000) -> str:
    return "[" * n + "]" * n


HOSTILE_JSON = {
    "deeply_nested": lambda good: "[" + json.dumps(good) + ", " + _deep() + "]",
    "huge_integer": lambda good: "[" + json.dumps(good) + ', {"id": 1' + "0" * 5000 + ', "data": {}}]',
    "nan_offsets": lambda good: "[" + json.dumps(good) + ', {"id": 9, "data": {"text": "abc", "article_id": "n"}, "annotations": [{"id": 9, "result": '
                                 '[{"id": "q", "from_name": "label", "type": "labels", "value": {"start": NaN, "end": Infinity, "labels": ["QUOTE"]}}]}]}]',
}


@pytest.mark.parametrize("case", sorted(HOSTILE_JSON))
def test_json_the_decoder_cannot_take_is_a_counted_skip(run_cli, case, tmp_path, monkeypatch, capsys):
    e = tmp_path / "export.json"
    e.write_text(HOSTILE_JSON[case](good_task()), encoding="utf-8")
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds"])
    assert code == 0, err
    assert "skipped" in out and "export.json" in out
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds2", "--strict"])
    assert code == 4
    assert "export.json" in one_line_error(err)


@pytest.mark.parametrize("case", ["deeply_nested", "huge_integer"])
def test_a_file_of_only_undecodable_json_is_bad_input(run_cli, case, tmp_path, monkeypatch, capsys):
    e = tmp_path / "export.json"
    e.write_text(_deep() if case == "deeply_nested" else "1" + "0" * 5000, encoding="utf-8")
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds"])
    assert code == 2
    assert "export.json" in one_line_error(err)
    code, _, err = run_cli(["agreement", e])
    assert code in (0, 2), err


@pytest.mark.parametrize("name,content,needle", [
    ("empty.json", b"", "invalid_json"),
    ("spaces.json", b"   \n", "invalid_json"),
    ("latin1.json", json.dumps([{"id": 1, "data": {"text": "café"}}], ensure_ascii=False).encode("latin-1"), "invalid_json"),
    ("object.json", b'{"not": "a task"}', "not_a_task"),
    ("string.json", b'"just a string"', "not_a_task"),
    ("tasks.jsonl", (json.dumps({"id": 1, "data": {"text": "a"}}) + "\n" + json.dumps({"id": 2, "data": {"text": "b"}}) + "\n").encode(), "invalid_json"),
    ("truncated.json", b'[{"id": 1, "data": {"text": "abc", "article_id": "x"}, "annotations": [{"id": 1, "res', "invalid_json"),
])
def test_unusable_file_is_bad_input_naming_it(run_cli, name, content, needle, tmp_path, monkeypatch, capsys):
    e = tmp_path / name
    e.write_bytes(content)
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds"])
    assert code == 2
    line = one_line_error(err)
    assert name in line and needle in line and "nothing written" in line
    assert not (tmp_path / "ds").exists()


def test_missing_file_and_directory_are_bad_input(run_cli, tmp_path, monkeypatch, capsys):
    code, _, err = run_cli(["build", tmp_path / "nope.json", "-o", tmp_path / "ds"])
    assert code == 2 and "nope.json" in one_line_error(err)
    (tmp_path / "adir").mkdir()
    code, _, err = run_cli(["build", tmp_path / "adir", "-o", tmp_path / "ds"])
    assert code == 2 and "adir" in one_line_error(err)
    code, _, err = run_cli(["agreement", tmp_path / "nope.json"])
    assert code == 2 and "nope.json" in one_line_error(err)


def test_build_and_agreement_never_modify_their_inputs(run_cli, tmp_path, monkeypatch, capsys):
    e = _export(tmp_path, REGION_CASES["dangling_relation"][1]())
    e.chmod(0o444)  # read-only: any attempt to write it fails loudly
    digest, mtime = hashlib.sha256(e.read_bytes()).hexdigest(), e.stat().st_mtime_ns
    for args in (["build", e, "-o", tmp_path / "ds"], ["build", e, "-o", tmp_path / "ds", "--force"], ["agreement", e]):
        code, _, err = run_cli(args)
        assert code == 0, err
    assert (hashlib.sha256(e.read_bytes()).hexdigest(), e.stat().st_mtime_ns) == (digest, mtime)


# --------------------------------------------------------------------------- the same JSON in JSONL inputs


JSONL_LINES = {
    "deeply_nested": _deep(),
    "huge_integer": '{"article_id": "x", "text": "The minister said the talks would resume.", "n": 1' + "0" * 5000 + "}",
}
GOOD_LINE = json.dumps({"article_id": "ok-1", "text": "The minister said on Monday that the talks would resume next week in the capital."})


@pytest.mark.parametrize("case", sorted(JSONL_LINES))
@pytest.mark.parametrize("command", ["ingest", "preannotate", "evaluate"])
def test_undecodable_jsonl_line_is_bad_input_naming_file_and_line(run_cli, command, case, tmp_path, monkeypatch, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(GOOD_LINE + "\n" + JSONL_LINES[case] + "\n", encoding="utf-8")
    args = {"ingest": ["ingest", src, "-o", tmp_path / "out.jsonl"],
            "preannotate": ["preannotate", src, "-o", tmp_path / "out.jsonl"],
            "evaluate": ["evaluate", src, src]}[command]
    code, out, err = run_cli(args)
    if command == "preannotate" and code == 0:  # preannotate skips and counts bad lines
        assert "in.jsonl:2" in err and "skipped" in err
        return
    assert code == 2, (code, err)
    assert "in.jsonl:2" in one_line_error(err)
    if command == "ingest":
        assert not (tmp_path / "out.jsonl").exists()
        code, _, err = run_cli(args + ["--skip-bad"])
        assert code == 0 and "in.jsonl:2" in err


@pytest.mark.parametrize("case", sorted(JSONL_LINES))
def test_push_input_with_undecodable_line_is_bad_input(case, tmp_path):
    """``ls push`` reads its JSONL with ``read_records`` before any import."""
    from toolkit.errors import BadInputError
    from toolkit.labelstudio.push import PushReport, read_records

    src = tmp_path / "in.jsonl"
    src.write_text(GOOD_LINE + "\n" + JSONL_LINES[case] + "\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="in.jsonl:2"):
        read_records(src, PushReport())


# --------------------------------------------------------------------------- `ls push` input with quotes of the wrong shape

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PUSH_TEXT = "“We will win,” Hun Sen said on Monday. The opposition said that the vote was a sham."
GOOD_QUOTE = {"start": 1, "end": 13, "text": "We will win,", "kind": "direct", "speaker": "Hun Sen", "speaker_start": 15,
              "speaker_end": 22, "cue_start": 23, "cue_end": 27, "stance": "favor", "score": 0.9, "rule": "x"}
ANY_VALUE = st.one_of(st.none(), st.integers(-5, 200), st.text(max_size=5), st.floats(allow_nan=True), st.booleans(),
                      st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=1))
BAD_QUOTE = st.builds(
    lambda keys, values, drop: {**{k: v for k, v in GOOD_QUOTE.items() if k not in drop}, **dict(zip(keys, values))},
    st.lists(st.sampled_from([*GOOD_QUOTE, "extra"]), max_size=3), st.lists(ANY_VALUE, min_size=3, max_size=3),
    st.sets(st.sampled_from(list(GOOD_QUOTE)), max_size=2),
)


class _Reached(Exception):
    pass


class _NoServer:
    """A client that must not be used: push validates its input before it talks to the server."""

    def __getattr__(self, name):
        raise _Reached(name)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(quotes=st.one_of(st.lists(st.one_of(BAD_QUOTE, ANY_VALUE), min_size=1, max_size=3), ANY_VALUE))
@example(quotes=[{**GOOD_QUOTE, "speaker_start": ""}])
@example(quotes=[{**GOOD_QUOTE, "cue_end": [3]}])
@example(quotes=[{**GOOD_QUOTE, "start": "1"}])
@example(quotes=[{**GOOD_QUOTE, "score": {"a": 1}}])
@example(quotes=[{**GOOD_QUOTE, "score": "high"}])
@example(quotes=[{**GOOD_QUOTE, "stance": {}}])
@example(quotes=[{**GOOD_QUOTE, "stance": ["favor"]}])
@example(quotes=[{**GOOD_QUOTE, "kind": ["direct"]}])
@example(quotes=[{**GOOD_QUOTE, "speaker": ["Hun Sen"]}])
def test_push_refuses_quotes_of_the_wrong_shape_before_sending_anything(quotes, tmp_path_factory):
    """``quotekit ls push`` on records whose ``quotes`` have wrong types: refused as bad input
    (exit 2) naming the article, or pushed when still valid; never a traceback."""
    from toolkit.errors import BadInputError
    from toolkit.labelstudio.push import push_file

    src = tmp_path_factory.mktemp("push") / "in.jsonl"
    src.write_text(json.dumps({"article_id": "art-9", "text": PUSH_TEXT, "quotes": quotes}) + "\n", encoding="utf-8")
    try:
        push_file(_NoServer(), src, "p", progress=False, echo=lambda s: None)
    except BadInputError as exc:
        assert exc.exit_code == 2 and "art-9" in str(exc), str(exc)
    except _Reached:
        pass  # valid after all: the push went on to the server



# --------------------------------------------------------------------------- an export of another labeling config


def ner_task(tid: int = 21) -> dict[str, Any]:
    """A task of Label Studio's NER template (Labels "label" with PER/ORG on Text "text")."""
    start = ART1.index("Phay Siphan")
    org = ART1.index("Government")
    result = [
        {"id": f"n{tid}a", "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
         "value": {"start": start, "end": start + 11, "text": "Phay Siphan", "labels": ["PER"]}},
        {"id": f"n{tid}b", "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
         "value": {"start": org, "end": org + 10, "text": "Government", "labels": ["ORG"]}},
    ]
    return task(ART1, id=tid, article_id=f"ner-{tid}", annotations=[annotation(result, id=tid, task=tid)])


def classification_task(tid: int = 31) -> dict[str, Any]:
    """A task of Label Studio's text classification template (Choices "sentiment")."""
    result = [{"id": f"c{tid}", "from_name": "sentiment", "to_name": "text", "type": "choices", "origin": "manual",
               "value": {"choices": ["Positive"]}}]
    return task(ART2, id=tid, article_id=f"cls-{tid}", annotations=[annotation(result, id=tid, task=tid)])


@pytest.mark.parametrize("command", ["build", "agreement"])
@pytest.mark.parametrize("kind,found", [
    ("ner", "from_name 'label' label 'PER' x1, from_name 'label' label 'ORG' x1"),
    ("classification", "from_name 'sentiment' (choices) x1"),
])
def test_export_of_another_labeling_config_is_refused_naming_what_was_found(run_cli, command, kind, found, tmp_path, monkeypatch, capsys):
    tasks = [ner_task(21), ner_task(22)] if kind == "ner" else [classification_task(31)]
    e = write(tmp_path / f"{kind}.json", tasks)
    args = [command, e] + (["-o", tmp_path / "ds"] if command == "build" else [])
    code, out, err = run_cli(args)
    line = one_line_error(err)
    assert code == 2 and f"{kind}.json" in line and "not an export of a quotekit project" in line
    assert "has a QUOTE region" in line and "--allow-foreign" in line
    assert found.replace(" x1", f" x{len(tasks)}") in line  # what was found, counted
    assert "label (labels: CUE/QUOTE/SPEAKER)" in line  # and what quotekit's config has
    assert not (tmp_path / "ds").exists()
    code, out, err = run_cli(args + ["--allow-foreign"])
    if command == "build":  # read anyway: every region is a counted skip, as before the check
        assert code == 0 and ("unknown_label" in out or "orphan_region_result" in out), out
    else:
        assert code == 0 and "No task was annotated by several people" in out


def test_a_foreign_file_among_quotekit_exports_is_named(run_cli, tmp_path, monkeypatch, capsys):
    ours = write(tmp_path / "ours.json", [good_task()])
    theirs = write(tmp_path / "theirs.json", [ner_task()])
    code, _, err = run_cli(["build", ours, theirs, "-o", tmp_path / "ds"])
    line = one_line_error(err)
    assert code == 2 and "theirs.json" in line and "ours.json" not in line


@pytest.mark.parametrize("extra", ["classification", "empty", "unannotated"])
def test_quotekit_exports_with_odd_items_or_no_quote_are_not_foreign(run_cli, extra, tmp_path, monkeypatch, capsys):
    """A QUOTE region anywhere makes the file quotekit's (an odd item is a counted skip); a file
    without any foreign control (quote-free judgements, nothing annotated) is not foreign either."""
    if extra == "classification":
        t = good_task()
        t["annotations"][0]["result"].append(classification_task()["annotations"][0]["result"][0])
        tasks = [t]
    elif extra == "empty":
        tasks = [bad_task([]), good_task()]
    else:
        tasks = [task(ART1, id=5, article_id="n-5")]
    e = write(tmp_path / "e.json", tasks)
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds"])
    if extra == "unannotated":
        assert code == 2 and "not an export of a quotekit project" not in err and "nothing written" in err
    else:
        assert code == 0, err
        assert ("orphan_region_result" in out) == (extra == "classification")
