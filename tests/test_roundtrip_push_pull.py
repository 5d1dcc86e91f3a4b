"""Offline round-trip fixes (audit defects 2, 4-8): push with --predictions, null metadata, the
--update message, pull's account of the tasks an export leaves out, error hints, and the card's
model_version counts. A small in-memory stand-in for the Label Studio client records what push
and pull ask of the server; tests/integration/test_ls_roundtrip.py does the same against a real one.
"""

from __future__ import annotations

import copy
import json
import sys

import pytest

from fixtures.lsexport import ART1, Ann, annotation, task, write
from toolkit.cli import main
from toolkit.dataset import build_dataset
from toolkit.errors import BadInputError, ServerError
from toolkit.labelstudio.export import ExportReader, IssueLog
from toolkit.labelstudio.pull import pull_export
from toolkit.labelstudio.push import PushReport, push_file
from toolkit.labelstudio.tasks import build_task
from toolkit.labelstudio.testing import sample_data, write_jsonl

STANCE = ("favor", "against", "neutral")


class MemoryLS:
    """Just enough of ``LabelStudioClient`` for push and pull, in memory."""

    url = "http://memory"

    def __init__(self, projects=()):
        self.projects: dict[int, dict] = {}
        self.tasks: dict[int, dict] = {}
        for title in projects:
            self.create_project(title=title, label_config="")

    def project_titles(self, limit=100):
        return [p["title"] for p in self.projects.values()][:limit]

    def find_project(self, title):
        return next((p for p in self.projects.values() if p["title"] == title), None)

    def create_project(self, **fields):
        pid = len(self.projects) + 1
        self.projects[pid] = {"id": pid, "model_version": "", **fields}
        return self.projects[pid]

    def update_project(self, pid, **fields):
        self.projects[pid].update(fields)
        return self.projects[pid]

    def get_project(self, pid):
        return self.projects[pid]

    def iter_tasks(self, pid, fields="all"):
        for t in self.tasks.values():
            if t["project"] == pid:
                live = [a for a in t["annotations"] if not a.get("was_cancelled")]
                yield {**copy.deepcopy(t), "total_annotations": len(live),
                       "cancelled_annotations": len(t["annotations"]) - len(live)}

    def import_tasks(self, pid, tasks):
        for t in tasks:
            tid = len(self.tasks) + 1
            preds = [{**p, "id": 100 + tid} for p in t.get("predictions", [])]
            self.tasks[tid] = {"id": tid, "project": pid, "data": copy.deepcopy(t["data"]), "predictions": preds, "annotations": []}
        return {"task_count": len(tasks)}

    def update_task(self, tid, data):
        self.tasks[tid]["data"] = data

    def create_prediction(self, tid, result, score, mv):
        self.tasks[tid]["predictions"].append({"id": 999, "result": result, "score": score, "model_version": mv})

    def delete_prediction(self, pred_id):
        for t in self.tasks.values():
            t["predictions"] = [p for p in t["predictions"] if p["id"] != pred_id]

    def annotate(self, tid, result, cancelled=False):
        t = self.tasks[tid]
        t["annotations"].append({"id": 1000 + sum(len(x["annotations"]) for x in self.tasks.values()),
                                 "result": result, "was_cancelled": cancelled, "completed_by": 1,
                                 "created_at": "2026-01-01T10:00:00Z", "updated_at": "2026-01-01T10:00:00Z"})

    # the "annotated only" snapshot: tasks with at least one live annotation
    def create_export(self, pid, title):
        self._snapshot = [copy.deepcopy(t) for t in self.tasks.values()
                          if t["project"] == pid and any(not a["was_cancelled"] for a in t["annotations"])]
        return {"id": 1, "status": "completed"}

    def get_export(self, pid, eid):
        return {"id": eid, "status": "completed"}

    def download_export(self, pid, eid):
        return json.dumps(self._snapshot).encode()

    def delete_export(self, pid, eid):  # ls pull deletes its snapshot once downloaded
        self.deleted_exports = getattr(self, "deleted_exports", []) + [eid]


def _articles(tmp_path, records=None):
    records = records if records is not None else [{k: v for k, v in r.items() if k != "quotes"} for r in sample_data()]
    return write_jsonl(tmp_path / "articles.jsonl", records)


def _predictions(tmp_path, rows, name="predictions.jsonl"):
    return write_jsonl(tmp_path / name, rows)


def _push(client, tmp_path, articles, predictions=None, **kw) -> PushReport:
    if predictions is not None:
        kw["predictions"] = predictions
    else:  # what `quotekit ls push` passes without --predictions
        from toolkit.pipeline import preannotate_records

        kw["preannotator"] = lambda recs: preannotate_records(recs)
    return push_file(client, articles, "P", progress=False, echo=lambda s: None, **kw)


def _pred_rows():
    return [{"article_id": r["article_id"], "quotes": r["quotes"], "warnings": []} for r in sample_data()]


# --------------------------------------------------------------------------- defect 5: --predictions


def test_push_joins_predictions_by_article_id_without_preannotating(tmp_path, monkeypatch):
    import toolkit.pipeline

    def refuse(*a, **k):
        raise AssertionError("the pre-annotator must not run when --predictions is given")

    monkeypatch.setattr(toolkit.pipeline, "preannotate_records", refuse)
    ls = MemoryLS()
    report = _push(ls, tmp_path, _articles(tmp_path), _predictions(tmp_path, _pred_rows()))
    assert report.imported == 3 and report.predictions_used == 3 and report.preannotated == 0
    by_aid = {t["data"]["article_id"]: t for t in ls.tasks.values()}
    from toolkit.config import load_registry
    from toolkit.types import Quote

    registry = load_registry()
    want = {r["article_id"]: build_task(r, [Quote.from_dict(q) for q in r["quotes"]], "", registry) for r in sample_data()}
    for rec in sample_data():
        (pred,) = by_aid[rec["article_id"]]["predictions"]
        quotes = [it for it in pred["result"] if it.get("type") == "labels" and it["value"]["labels"] == ["QUOTE"]]
        assert sorted((q["value"]["start"], q["value"]["end"]) for q in quotes) == sorted((q["start"], q["end"]) for q in rec["quotes"])
        assert by_aid[rec["article_id"]]["data"] == want[rec["article_id"]].task["data"]
    assert "3 predictions from" in report.summary()


def test_missing_failed_and_unknown_predictions_are_counted_not_preannotated(tmp_path, monkeypatch):
    import toolkit.pipeline

    monkeypatch.setattr(toolkit.pipeline, "preannotate_records", lambda *a, **k: pytest.fail("pre-annotator ran"))
    rows = _pred_rows()
    rows[1] = {"article_id": "int-2", "error": "spaCy crashed"}
    del rows[2]  # int-3 has no prediction
    rows.append({"article_id": "ghost-9", "quotes": [], "warnings": []})
    ls = MemoryLS()
    report = _push(ls, tmp_path, _articles(tmp_path), _predictions(tmp_path, rows))
    assert [t["data"]["article_id"] for t in ls.tasks.values()] == ["int-1"]
    assert report.prediction_missing == ["int-3"]
    assert report.prediction_failed == ["int-2: spaCy crashed"]
    assert report.prediction_unknown == ["ghost-9"]
    text = report.summary()
    assert "1 articles have no prediction in" in text and "int-3" in text
    assert "failed prediction" in text and "int-2: spaCy crashed" in text
    assert "not in the articles file and were ignored: ghost-9" in text


def test_predictions_made_on_another_text_are_not_pushed_and_a_null_error_is_a_failure(tmp_path):
    """The real `quotekit preannotate` output carries the hash of the text its offsets refer to:
    after the article is edited, its prediction is refused (named), even when every quote span
    would still fit the new text."""
    from toolkit.pipeline import preannotate_records

    articles = [{k: v for k, v in r.items() if k != "quotes"} for r in sample_data()]
    preds = list(preannotate_records(articles))
    assert all(p["text_sha256"] for p in preds)
    edited = [dict(a) for a in articles]
    edited[0]["text"] += "\n\nA later paragraph: “We will see,” said a minister."  # quote spans still fit
    preds[1] = {"article_id": preds[1]["article_id"], "error": None}  # a falsy error is still an error record
    ls = MemoryLS()
    report = _push(ls, tmp_path, _articles(tmp_path, edited), _predictions(tmp_path, preds))
    assert [t["data"]["article_id"] for t in ls.tasks.values()] == ["int-3"]
    assert report.prediction_stale == ["int-1"] and report.prediction_failed == ["int-2: an error record"]
    assert "made on another version of the article's text" in report.summary() and "re-run `quotekit preannotate`" in report.summary()


def test_predictions_file_alone_says_to_pass_it_with_predictions(tmp_path):
    preds = _predictions(tmp_path, _pred_rows())
    with pytest.raises(BadInputError) as exc:
        _push(MemoryLS(), tmp_path, preds)
    msg = str(exc.value)
    assert f"{preds}:1" in msg and "--predictions" in msg and "ARTICLES.jsonl" in msg
    # and the other way round: articles given as --predictions
    with pytest.raises(BadInputError, match="an article record, not a prediction"):
        _push(MemoryLS(), tmp_path, _articles(tmp_path), _articles(tmp_path))


def test_two_predictions_for_one_article_are_refused(tmp_path):
    rows = _pred_rows() + [_pred_rows()[0]]
    with pytest.raises(BadInputError, match=r"predictions.jsonl:4: a second prediction for article int-1 \(first at line 1\)"):
        _push(MemoryLS(), tmp_path, _articles(tmp_path), _predictions(tmp_path, rows))


def test_cli_push_has_a_predictions_option(tmp_path, monkeypatch, capsys):
    import toolkit.labelstudio.client as client_mod

    ls = MemoryLS()
    monkeypatch.setattr(client_mod, "connect", lambda *a, **k: ls)
    monkeypatch.setattr(sys, "argv", ["quotekit", "ls", "push", str(_articles(tmp_path)), "--project", "P",
                                      "--predictions", str(_predictions(tmp_path, _pred_rows()))])
    with pytest.raises(SystemExit) as exc:
        main()
    out = capsys.readouterr()
    assert exc.value.code in (0, None), out.err
    assert "3 tasks imported" in out.out and "3 predictions from" in out.out


# --------------------------------------------------------------------------- defect 6: --update message


def test_update_lists_annotated_tasks_held_back_and_does_not_suggest_update(tmp_path):
    ls = MemoryLS()
    recs = sample_data()
    _push(ls, tmp_path, write_jsonl(tmp_path / "v1.jsonl", recs))
    ls.annotate(1, [])
    changed = copy.deepcopy(recs)
    for r in changed:
        r["text"] += " Later."
    report = _push(ls, tmp_path, write_jsonl(tmp_path / "v2.jsonl", changed), update=True)
    text = report.summary()
    assert report.changed_text_skipped == ["int-1"] and report.text_updated == 2
    assert "1 annotated tasks (or with a draft) have a different text and were held back (int-1 (task 1))" in text
    assert "tasks annotators worked on are never rewritten" in text and "re-run with --update" not in text
    plain = _push(ls, tmp_path, write_jsonl(tmp_path / "v3.jsonl", [dict(r, text=r["text"] + " Again.") for r in recs]))
    assert "re-run with --update to replace the unannotated ones" in plain.summary()


# --------------------------------------------------------------------------- defect 4: null metadata


def test_null_date_stays_null_through_push_export_and_build(tmp_path):
    rec = dict(sample_data()[0], date=None, outlet=None)
    ls = MemoryLS()
    _push(ls, tmp_path, write_jsonl(tmp_path / "a.jsonl", [rec]))
    (t,) = ls.tasks.values()
    # Label Studio refuses null in a key a Header shows: push sends "", the parser reads it back as null
    assert t["data"]["date"] == "" and t["data"]["outlet"] == ""
    ls.annotate(t["id"], t["predictions"][0]["result"])
    out = tmp_path / "export.json"
    pull_export(ls, "P", out, echo=lambda s: None)
    log = IssueLog()
    (art,) = ExportReader([out], issues=log, stance_labels=STANCE).articles()
    assert art.date is None and art.outlet is None and art.title == rec["title"]
    build_dataset([out], tmp_path / "ds", chart=False)
    import pyarrow.parquet as pq

    rows = [r for f in (tmp_path / "ds" / "data" / "articles").glob("*.parquet") for r in pq.read_table(f).to_pylist()]
    assert [(r["date"], r["outlet"]) for r in rows] == [(None, None)]


# --------------------------------------------------------------------------- defect 2: pull accounting


def test_pull_counts_live_annotations_and_names_the_tasks_left_out(tmp_path):
    ls = MemoryLS()
    _push(ls, tmp_path, write_jsonl(tmp_path / "a.jsonl", sample_data()))
    ls.annotate(1, [])
    ls.annotate(1, [], cancelled=True)  # a cancelled one next to a live one: exported, not counted
    ls.annotate(2, [], cancelled=True)  # skipped: left out of the "annotated only" export
    res = pull_export(ls, "P", tmp_path / "e.json", echo=lambda s: None)
    assert (res.tasks, res.annotations, res.cancelled_annotations) == (1, 1, 1)
    assert res.left_out_skipped == ["int-2"] and res.left_out_unannotated == ["int-3"]
    text = res.summary()
    assert "1 annotated tasks, 1 annotations, 1 cancelled" in text
    assert "2 of the project's 3 tasks are not in the export: 1 skipped (every annotation cancelled: int-2); 1 not annotated yet (int-3)." in text
    # the cancelled annotation kept in the export is still counted by the build
    s = build_dataset([tmp_path / "e.json"], tmp_path / "ds", chart=False)
    assert s.articles == 1 and s.articles_judged_no_quotes == 1


# --------------------------------------------------------------------------- defect 7: hints


def test_unknown_project_lists_existing_titles_and_how_to_create_one(tmp_path):
    ls = MemoryLS(projects=[f"Project {i}" for i in range(7)])
    with pytest.raises(BadInputError) as exc:
        pull_export(ls, "nope", tmp_path / "x.json", echo=lambda s: None)
    msg = str(exc.value)
    assert msg.startswith("no Label Studio project titled 'nope' at http://memory; existing projects: 'Project 0', ")
    assert "'Project 4', ... (2 more)" in msg and "'Project 5'" not in msg
    assert "`quotekit ls push ARTICLES.jsonl --project TITLE` creates one" in msg
    assert "the server has no project yet" in str(pytest.raises(BadInputError, pull_export, MemoryLS(), "nope", tmp_path / "y.json").value)


def test_no_server_hint_names_a_non_default_data_dir(tmp_path, monkeypatch):
    from toolkit.labelstudio.client import resolve_connection

    for var in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY", "QUOTEKIT_LS_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    other = tmp_path / "elsewhere"
    with pytest.raises(ServerError) as exc:
        resolve_connection(None, None, other)
    assert f"start it with `quotekit ls serve --detach --data-dir {other.resolve()}`" in str(exc.value)
    monkeypatch.setenv("QUOTEKIT_LS_DATA_DIR", str(other))  # the default data dir: no flag needed
    with pytest.raises(ServerError) as exc:
        resolve_connection(None, None, None)
    assert "start it with `quotekit ls serve --detach` or set LABEL_STUDIO_URL" in str(exc.value)


# --------------------------------------------------------------------------- defect 8: model_version counts


def test_model_version_counts_each_task_once_across_snapshots(tmp_path):
    def snapshot(name, updated):
        tasks = []
        for i in range(1, 6):
            a = Ann(ART1, seed=f"{name}{i}")
            a.quote("the regime fears the truth.", "Sam Rainsy", "against")
            tasks.append(task(ART1, id=i, article_id=f"a{i}", annotations=[annotation(a, id=i, task=i, created_at=updated)]))
        return write(tmp_path / f"{name}.json", tasks)

    s = build_dataset([snapshot("one", "2026-01-01T10:00:00Z"), snapshot("two", "2026-01-02T10:00:00Z")], tmp_path / "ds", chart=False)
    assert s.model_versions == {"quotekit-0.1.0+rules-1": 5}
    assert "5 task(s)" in (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")


def test_push_never_replaces_the_config_of_another_labeling_project(tmp_path):
    """A NER project that happens to have the push's title keeps its config and tasks: refused
    (exit 2) naming its controls; --allow-foreign replaces the config; an empty default config is
    simply given quotekit's."""
    from toolkit.errors import BadInputError

    ner = ('<View><Text name="text" value="$text"/><Labels name="label" toName="text">'
           '<Label value="PER"/><Label value="ORG"/></Labels></View>')
    client = MemoryLS()
    client.create_project(title="P", label_config=ner)
    articles = _articles(tmp_path)
    with pytest.raises(BadInputError) as exc:
        _push(client, tmp_path, articles)
    assert exc.value.exit_code == 2
    assert "project 'P' (id 1) is not a quotekit project" in str(exc.value) and "PER, ORG" in str(exc.value)
    assert client.projects[1]["label_config"] == ner and not client.tasks
    report = _push(client, tmp_path, articles, allow_foreign=True)
    assert report.config_updated and report.imported == 3 and "QUOTE" in client.projects[1]["label_config"]

    empty = MemoryLS()
    empty.create_project(title="P", label_config="<View></View>")
    assert _push(empty, tmp_path, articles).imported == 3
