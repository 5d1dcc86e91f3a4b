"""quotekit corrections: the submitted annotation against the prediction it started from."""

from __future__ import annotations

import copy
import json

from fixtures.lsexport import Ann, annotation, task, write
from toolkit.corrections import corrections
from toolkit.labelstudio import names as N
from toolkit.labelstudio.tasks import build_result, proposal_rules, region_id
from toolkit.labelstudio.testing import quote
from toolkit.types import Quote

TEXT = ("“We will return,” Sam Rainsy said. Hun Sen said the opposition had planned a coup. "
        "Mu Sochua said the court was not independent. Kem Sokha told reporters that the vote was rigged. "
        "Sam Rainsy added that nothing would change.")


def _proposals() -> list[Quote]:
    qs = [
        quote(TEXT, "We will return,", "direct", "Sam Rainsy", "Sam Rainsy", "said", "against"),
        quote(TEXT, "the opposition had planned a coup", "indirect", "Hun Sen", "Hun Sen", "said", "favor"),
        quote(TEXT, "the court was not independent", "indirect", "Mu Sochua", "Mu Sochua", "said", "favor"),
        quote(TEXT, "the vote was rigged", "indirect", "Kem Sokha", "Kem Sokha", "told", None),
    ]
    rules = ["postposed_quote+registry", "preposed_that+registry", "preposed_that+registry", "preposed_that+registry"]
    return [Quote.from_dict(dict(q, rule=r)) for q, r in zip(qs, rules)]


def _without_region(result: list[dict], rid: str) -> list[dict]:
    return [r for r in result if r.get("id") != rid and r.get("from_id") != rid]


def _export(tmp_path):
    proposals = _proposals()
    pred, _ = build_result("c-1", TEXT, proposals)
    assert len(proposal_rules(pred)) == 4  # the rule of each proposal travels in its QUOTE region's meta
    final = copy.deepcopy(pred)
    # 1. kept: Sam Rainsy's quote untouched
    # 2. stance edited: Hun Sen's 'favor' -> 'neutral'
    q2 = region_id("c-1", proposals[1].start, proposals[1].end, N.QUOTE)
    for r in final:
        if r.get("id") == q2 and r.get("from_name") == N.STANCE:
            r["value"]["choices"] = ["neutral"]
    # 3. deleted: Mu Sochua's quote with its speaker and cue links
    final = _without_region(final, region_id("c-1", proposals[2].start, proposals[2].end, N.QUOTE))
    # 4. proposed with an empty stance; the annotator picks 'against'
    q4 = proposals[3]
    rid4 = region_id("c-1", q4.start, q4.end, N.QUOTE)
    final.append({"id": rid4, "from_name": N.STANCE, "to_name": N.TEXT, "type": "choices",
                  "value": {"start": q4.start, "end": q4.end, "text": q4.text, "choices": ["against"]}})
    # 5. the deleted quote drawn again with another stance: matched to its proposal, a stance edit
    again = Ann(TEXT, seed="x")
    again.quote("the court was not independent", "Mu Sochua", "against")
    # 6. added: a quote the pre-annotator missed
    again.quote("nothing would change", "Sam Rainsy", "against", cue="added", occurrence=0)
    final += again.result
    tasks = [task(TEXT, id=1, article_id="c-1", annotations=[annotation(final, id=1, task=1)])]
    tasks[0]["predictions"] = [{"id": 7, "model_version": "quotekit-test", "result": pred, "score": 0.8}]
    tasks[0]["annotations"][0]["parent_prediction"] = 7
    tasks[0]["annotations"][0]["lead_time"] = 42.0
    return write(tmp_path / "export.json", tasks)


def test_each_proposal_is_kept_edited_or_deleted_and_misses_are_added(tmp_path):
    r = corrections([_export(tmp_path)]).to_dict()
    assert (r["tasks"], r["proposed"], r["final"]) == (1, 4, 5)
    assert (r["kept"], r["deleted"], r["added"]) == (1, 0, 1)
    assert r["edited"] == {"boundary": 0, "speaker": 0, "stance": 3, "kind": 0, "quotes": 3}
    assert r["kept"] + r["edited"]["quotes"] + r["deleted"] == r["proposed"]
    assert r["kept"] + r["edited"]["quotes"] + r["added"] == r["final"]
    assert r["stance_confusion"] == {"(empty)": {"against": 1}, "against": {"against": 1}, "favor": {"against": 1, "neutral": 1}}
    assert r["by_rule"]["postposed_quote+registry"] == {"proposed": 1, "kept": 1, "edited": 0, "deleted": 0,
                                                         "boundary": 0, "speaker": 0, "stance": 0, "kind": 0,
                                                         "edited_only": {"boundary": 0, "speaker": 0, "stance": 0, "kind": 0, "several": 0}}
    assert r["by_rule"]["preposed_that+registry"]["proposed"] == 3
    assert r["by_rule"]["preposed_that+registry"]["stance"] == 3
    assert r["by_rule"]["preposed_that+registry"]["edited_only"]["stance"] == 3
    assert r["by_speaker"]["Hun Sen"]["edited"] == 1 and r["by_kind"]["direct"]["kept"] == 1
    assert r["lead_time"] == {"seconds": 42.0, "annotations": 1, "per_annotation_s": 42.0, "per_final_quote_s": 8.4}


def test_a_quote_deleted_and_not_redrawn_is_deleted(tmp_path):
    proposals = _proposals()
    pred, _ = build_result("c-2", TEXT, proposals)
    final = _without_region(copy.deepcopy(pred), region_id("c-2", proposals[0].start, proposals[0].end, N.QUOTE))
    final = [r for r in final if not (r.get("from_name") == N.STANCE and r.get("value", {}).get("choices") is None)]
    q4 = proposals[3]
    final.append({"id": region_id("c-2", q4.start, q4.end, N.QUOTE), "from_name": N.STANCE, "to_name": N.TEXT,
                  "type": "choices", "value": {"start": q4.start, "end": q4.end, "text": q4.text, "choices": ["against"]}})
    t = task(TEXT, id=2, article_id="c-2", annotations=[annotation(final, id=2, task=2)])
    t["predictions"] = [{"id": 8, "model_version": "v", "result": pred}]
    r = corrections([write(tmp_path / "e.json", [t])]).to_dict()
    assert (r["proposed"], r["final"], r["deleted"], r["added"]) == (4, 3, 1, 0)
    assert r["by_rule"]["postposed_quote+registry"]["deleted"] == 1
    # --model-version: a prediction of another version is not compared
    other = corrections([write(tmp_path / "e.json", [t])], model_version="w").to_dict()
    assert other["annotations_without_prediction"] == 1 and other["proposed"] == 0


def test_cli_prints_a_table_and_one_json_line(tmp_path, run_cli):
    code, out, err = run_cli(["corrections", _export(tmp_path), "--json"])
    assert code == 0, err
    d = json.loads(out.strip().splitlines()[-1])
    assert {"tasks", "proposed", "final", "kept", "edited", "deleted", "added", "by_rule", "stance_confusion"} <= set(d)
    assert "kept as proposed" in out and "Per rule" in out
    code, _, err = run_cli(["corrections", tmp_path / "missing.json"])
    assert code == 2 and "file not found" in err


def test_chart_is_a_png_whose_bars_are_the_counts_per_rule(tmp_path, run_cli):
    from toolkit.corrections import SEGMENTS, chart_figure, chart_series

    r = corrections([_export(tmp_path)]).to_dict()
    rules, series = chart_series(r)
    assert rules == ["preposed_that+registry", "postposed_quote+registry"]  # most proposals first
    # each proposal falls in exactly one segment: a rule's bar is its proposals
    for i, rule in enumerate(rules):
        assert sum(series[s][i] for s in SEGMENTS) == r["by_rule"][rule]["proposed"]
    assert series["kept"] == [0, 1] and series["edited: stance"] == [3, 0] and series["deleted"] == [0, 0]
    # the figure draws those numbers: the bar widths read back from the axes, segment by segment
    import matplotlib.pyplot as plt

    fig = chart_figure(r)
    try:
        widths = [round(p.get_width()) for p in fig.axes[0].patches]
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    finally:
        plt.close(fig)
    assert labels == rules[::-1]  # barh draws bottom-up
    assert widths == [w for s in SEGMENTS for w in series[s][::-1]]
    png = tmp_path / "chart.png"
    code, out, err = run_cli(["corrections", _export(tmp_path), "--chart", png])
    assert code == 0, err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 1000
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left behind


def test_chart_sums_the_rules_beyond_the_top_ones():
    from toolkit.corrections import chart_series

    def tally(n, kept, deleted, **only):
        return {"proposed": n, "kept": kept, "edited": n - kept - deleted, "deleted": deleted,
                "edited_only": {"boundary": 0, "speaker": 0, "stance": 0, "kind": 0, "several": 0, **only}}

    report = {"by_rule": {"a": tally(5, 3, 1, speaker=1), "b": tally(4, 4, 0), "c": tally(2, 0, 1, several=1), "d": tally(1, 0, 0, kind=1)}}
    rules, series = chart_series(report, top=2)
    assert rules == ["a", "b", "(other 2 rules)"]
    assert series["kept"] == [3, 4, 0] and series["deleted"] == [1, 0, 1]
    assert series["edited: several fields"] == [0, 0, 1] and series["edited: kind"] == [0, 0, 1]


def _one_line_error(run_cli, args) -> str:
    code, out, err = run_cli(["corrections", *args])
    assert code == 2, (code, out, err)
    assert len(err.strip().splitlines()) == 1, err
    return err


def test_an_export_without_predictions_says_so_and_what_to_do(tmp_path, run_cli):
    ann = Ann(TEXT)
    ann.quote("the vote was rigged", "Kem Sokha", "against")
    t = task(TEXT, id=1, article_id="c-1", annotations=[annotation(ann, id=1, task=1)])
    t.pop("predictions", None)
    err = _one_line_error(run_cli, [write(tmp_path / "e.json", [t])])
    assert "none of the 1 submitted annotation(s) started from a prediction" in err and "quotekit ls push" in err


def test_a_model_version_no_annotation_started_from_names_the_ones_found(tmp_path, run_cli):
    err = _one_line_error(run_cli, [_export(tmp_path), "--model-version", "quotekit-9+rules-9"])
    assert "'quotekit-9+rules-9'" in err and "'quotekit-test' (1)" in err and "--model-version" in err
    code, out, _ = run_cli(["corrections", _export(tmp_path), "--model-version", "quotekit-test", "--json"])
    assert code == 0 and json.loads(out.strip().splitlines()[-1])["model_versions"] == {"quotekit-test": 1}


def test_an_export_of_another_labeling_config_is_refused_unless_allowed(tmp_path, run_cli):
    ner = [{"id": "n1", "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": 0, "end": 3, "text": TEXT[:3], "labels": ["PER"]}}]
    t = task(TEXT, id=1, article_id="c-1", annotations=[annotation(ner, id=1, task=1)])
    t["predictions"] = [{"id": 3, "model_version": "ner-model", "result": ner}]
    path = write(tmp_path / "ner.json", [t])
    err = _one_line_error(run_cli, [path])
    assert "not an export of a quotekit project" in err and "label 'PER'" in err and "--allow-foreign" in err
    code, out, err = run_cli(["corrections", path, "--allow-foreign", "--json"])
    assert code == 0, err  # read anyway: nothing quotekit-shaped in it
    d = json.loads(out.strip().splitlines()[-1])
    assert (d["proposed"], d["final"], d["model_versions"]) == (0, 0, {"ner-model": 1})


def test_no_annotation_no_task_or_a_broken_file_is_a_one_line_error(tmp_path, run_cli):
    err = _one_line_error(run_cli, [write(tmp_path / "todo.json", [task(TEXT, id=1, article_id="c-1")])])
    assert "none of the 1 task(s) has a submitted annotation" in err
    err = _one_line_error(run_cli, [write(tmp_path / "articles.json", [{"article_id": "a", "text": TEXT}])])
    assert "no Label Studio task with data.text" in err
    whole = json.loads(_export(tmp_path).read_text(encoding="utf-8"))
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps(whole)[:-40], encoding="utf-8")
    err = _one_line_error(run_cli, [cut])
    assert "invalid JSON" in err and "quotekit ls pull" in err


def test_card_section_figures_are_the_reports(tmp_path):
    from toolkit.corrections import card_figures
    from toolkit.dataset.corrections_section import corrections_lines

    r = corrections([_export(tmp_path)])
    f = card_figures(r)
    assert (f["annotations"], f["proposed"], f["kept"], f["edited"], f["deleted"], f["added"]) == (1, 4, 1, 3, 0, 1)
    # per field: proposals matched with that field unchanged (the three edits were all stance)
    assert f["fields"] == {"boundary": 4, "speaker": 4, "stance": 1, "kind": 4}
    assert f["by_model_version"] == {"quotekit-test": {"proposed": 4, "kept": 1, "edited": 3, "deleted": 0}}
    lines = corrections_lines(f)
    assert "## Pre-annotation kept by the annotators" in lines
    assert "| stance | 1 | 25% |" in lines and "| quote span | 4 | 100% |" in lines
    assert "| `quotekit-test` | 1 | 4 | 1 (25%) | 3 | 0 |" in lines
    assert any("1 (25%) were kept as proposed, 3 (75%) edited and 0 (0%) deleted" in line for line in lines)
    # nothing compared (another model_version): no figures, no section
    assert card_figures(corrections([_export(tmp_path)], model_version="other")) is None and corrections_lines(None) == []


def test_card_section_on_the_committed_export(repo):
    from toolkit.corrections import card_figures
    from toolkit.dataset.corrections_section import corrections_lines

    d = corrections([repo / "annotations" / "exports" / "seeds-v1.json"]).to_dict()
    f = card_figures(d)
    matched = d["kept"] + d["edited"]["quotes"]
    assert f["fields"] == {k: matched - d["edited"][k] for k in ("boundary", "speaker", "stance", "kind")}
    assert f["kept"] + f["edited"] + f["deleted"] == f["proposed"] == sum(t["proposed"] for t in f["by_model_version"].values())
    text = "\n".join(corrections_lines(f))
    assert f"Of its {f['proposed']} proposed quotes, {f['kept']} (" in text and "`quotekit-0.1.0+rules-1`" in text


def test_build_writes_the_section_into_the_card(repo, tmp_path):
    from toolkit.corrections import card_figures
    from toolkit.dataset.build import build_dataset

    export = repo / "annotations" / "exports" / "seeds-v1.json"
    summary = build_dataset([export], tmp_path / "ds")
    f = card_figures(corrections([export]))
    assert summary.corrections == f
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    section = card[card.index("## Pre-annotation kept by the annotators"):card.index("## Sources")]
    assert f"Of its {f['proposed']} proposed quotes, {f['kept']} (" in section
    assert f"| stance | {f['fields']['stance']} |" in section and section.endswith("|\n\n")


def test_two_rule_sets_are_counted_apart(tmp_path, run_cli):
    whole = json.loads(_export(tmp_path).read_text(encoding="utf-8"))
    second = copy.deepcopy(whole[0])
    second["id"], second["data"]["article_id"] = 2, "c-2"
    second["predictions"][0].update(id=9, model_version="quotekit-next")
    second["annotations"][0].update(id=2, task=2, parent_prediction=9, result=copy.deepcopy(second["predictions"][0]["result"]))
    path = write(tmp_path / "two.json", [whole[0], second])
    code, out, err = run_cli(["corrections", path, "--json"])
    assert code == 0, err
    d = json.loads(out.strip().splitlines()[-1])
    assert d["model_versions"] == {"quotekit-next": 1, "quotekit-test": 1}
    # the new version's annotation equals its prediction: everything kept
    assert {k: d["by_model_version"]["quotekit-next"][k] for k in ("proposed", "kept", "edited", "deleted")} == \
        {"proposed": 4, "kept": 4, "edited": 0, "deleted": 0}
    assert d["by_model_version"]["quotekit-test"]["edited"] == 3
    assert "Per model_version" in out


# --------------------------------------------------------------------------- the ML backend's webhook log


def _log(path, events) -> "Path":
    """A webhook log as `quotekit ls backend` writes it: one compact JSON event per line."""
    path.write_text("".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in events), encoding="utf-8")
    return path


def _event(action, t, ann):
    """The line the backend records: the task as Label Studio's webhook sends it (no predictions) and the
    annotation with the prediction Label Studio stored in it (``annotation.prediction``)."""
    return {"action": action, "received_at": "2026-12-05T01:00:00Z", "project": {"id": 3, "title": "p"},
            "task": {"id": t["id"], "data": t["data"]}, "annotation": ann}


def _logged(tmp_path):
    """The corrected task of :func:`_export` as webhook events: created as the prediction (all kept), then
    updated to the corrected result; a second annotation created and then deleted."""
    [t] = json.loads(_export(tmp_path).read_text(encoding="utf-8"))
    pred = t["predictions"][0]
    corrected = dict(t["annotations"][0], prediction=pred)
    untouched = dict(corrected, result=copy.deepcopy(pred["result"]), lead_time=5.0)
    other = dict(corrected, id=2, result=[])
    return t, [_event("ANNOTATION_CREATED", t, untouched), _event("ANNOTATION_CREATED", t, other),
               {"action": "PROJECT_UPDATED", "project": {"id": 3}},
               _event("ANNOTATION_UPDATED", t, corrected),
               {"action": "ANNOTATIONS_DELETED", "project": {"id": 3}, "annotations": [{"id": 2}]}]


def test_backend_log_gives_the_report_of_the_same_annotations_in_an_export(tmp_path):
    from toolkit.corrections import corrections_from_backend_logs

    _, events = _logged(tmp_path)
    from_log = corrections_from_backend_logs([_log(tmp_path / "annotations.jsonl", events)]).to_dict()
    from_export = corrections([_export(tmp_path)]).to_dict()
    assert (from_log["tasks"], from_log["annotations"], from_log["proposed"]) == (1, 1, 4)  # the deleted one is gone
    assert from_log == from_export  # the update replaced the created version (lead_time 42, not 5)


def test_backend_log_latest_event_per_annotation_wins(tmp_path):
    from toolkit.corrections import corrections_from_backend_logs

    t, events = _logged(tmp_path)
    created, _, _, updated, _ = events
    # the created version alone: everything kept
    r = corrections_from_backend_logs([_log(tmp_path / "a.jsonl", [created])]).to_dict()
    assert (r["proposed"], r["kept"], r["added"], r["lead_time"]["seconds"]) == (4, 4, 0, 5.0)
    # updated then created again (a replayed event): the line read last wins
    r = corrections_from_backend_logs([_log(tmp_path / "b.jsonl", [updated, created])]).to_dict()
    assert (r["annotations"], r["kept"]) == (1, 4)
    # a bulk creation (lists, as ANNOTATIONS_CREATED sends) counts each annotation with its task
    second = dict(created["annotation"], id=5)
    bulk = {"action": "ANNOTATIONS_CREATED", "project": {"id": 3}, "annotation": [updated["annotation"], second],
            "task": [created["task"], created["task"]]}
    r = corrections_from_backend_logs([_log(tmp_path / "c.jsonl", [bulk])]).to_dict()
    assert (r["tasks"], r["annotations"], r["proposed"], r["kept"]) == (1, 2, 8, 1 + 4)
    # deleted: nothing left to compare
    gone = {"action": "ANNOTATIONS_DELETED", "annotations": [{"id": t["annotations"][0]["id"]}]}
    r = corrections_from_backend_logs([_log(tmp_path / "d.jsonl", [created, gone])]).to_dict()
    assert (r["tasks"], r["annotations"]) == (0, 0)


def test_cli_reads_the_backend_log_given_or_the_default_one(tmp_path, run_cli, monkeypatch):
    _, events = _logged(tmp_path)
    log = _log(tmp_path / "annotations.jsonl", events)
    want = corrections([_export(tmp_path)]).to_dict()
    code, out, err = run_cli(["corrections", log, "--json"])  # as an EXPORT argument: recognised by its lines
    assert code == 0, err
    assert json.loads(out.strip().splitlines()[-1]) == want
    monkeypatch.setenv("QUOTEKIT_BACKEND_DATA_DIR", str(tmp_path))
    code, out, err = run_cli(["corrections", "--from-backend-log", "--json"])
    assert code == 0, err
    assert json.loads(out.strip().splitlines()[-1]) == want
    err = _one_line_error(run_cli, ["--from-backend-log", _export(tmp_path)])
    assert "not the ML backend's webhook log" in err
    err = _one_line_error(run_cli, [log, _export(tmp_path)])
    assert "two runs" in err
    monkeypatch.setenv("QUOTEKIT_BACKEND_DATA_DIR", str(tmp_path / "none"))
    err = _one_line_error(run_cli, ["--from-backend-log"])
    assert "annotations.jsonl: file not found" in err


def test_backend_log_bad_line_is_a_one_line_error_naming_file_and_line(tmp_path, run_cli):
    _, events = _logged(tmp_path)
    good = [json.dumps(e) for e in events[:2]]
    cases = {
        '{"action":"ANNOTATION_UPDATED","annotation":{"id":1,"res': "line 3: not JSON",
        '["ANNOTATION_CREATED"]': "line 3: not a webhook event",
        json.dumps({"action": "ANNOTATION_CREATED", "annotation": {"id": 4}, "task": {"id": 1}}): "line 3: ANNOTATION_CREATED of annotation 4 without its task",
        json.dumps({"action": "ANNOTATION_UPDATED", "annotation": {"result": []}, "task": events[0]["task"]}): "line 3: ANNOTATION_UPDATED without an annotation id",
        json.dumps({"action": "ANNOTATIONS_DELETED", "annotations": 7}): "line 3: ANNOTATIONS_DELETED without a list of annotation ids",
    }
    for i, (line, message) in enumerate(cases.items()):
        log = tmp_path / f"bad{i}.jsonl"
        log.write_text("\n".join([*good, line, good[0]]) + "\n", encoding="utf-8")
        err = _one_line_error(run_cli, ["--from-backend-log", log])
        assert f"{log} {message}" in err, err


def test_backend_log_without_stored_predictions_says_what_to_do(tmp_path, run_cli):
    t, events = _logged(tmp_path)
    bare = dict(events[0], annotation=dict(events[0]["annotation"], prediction={}))
    err = _one_line_error(run_cli, [_log(tmp_path / "annotations.jsonl", [bare])])
    assert "none of the 1 recorded annotation(s) carries the prediction" in err and "quotekit ls connect" in err
    gone = {"action": "ANNOTATIONS_DELETED", "annotations": [{"id": bare["annotation"]["id"]}]}
    err = _one_line_error(run_cli, [_log(tmp_path / "annotations.jsonl", [bare, gone])])
    assert "holds no live submitted annotation" in err
