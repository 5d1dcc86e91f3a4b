"""The Label Studio round trip against a REAL server (started once per session by ``ls_server``).

push -> tasks with predictions (regions, relations, per-region stance and speaker) -> re-push is
a no-op -> --update replaces predictions -> annotations made through the API come back in
``ls pull`` with their relations -> pull never overwrites; clear errors for a wrong token and a
server that is down; the token never appears in any output.
"""

from __future__ import annotations

import copy
import json

import pytest

from toolkit.labelstudio import names as N
from toolkit.labelstudio.tasks import model_version, region_id
from toolkit.labelstudio.testing import free_port, make_article, write_jsonl

pytestmark = pytest.mark.integration

PROJECT = "quotekit integration"


def _tasks(server, title: str) -> dict[str, dict]:
    client = server.client()
    project = client.find_project(title)
    assert project is not None, f"project {title!r} not found"
    tasks = list(client.iter_tasks(project["id"]))
    by_id: dict[str, dict] = {}
    for t in tasks:
        aid = t["data"]["article_id"]
        assert aid not in by_id, f"duplicate task for {aid}"
        by_id[aid] = t
    return by_id


def _items(result: list[dict], from_name: str) -> dict[str, dict]:
    return {r["id"]: r for r in result if r.get("from_name") == from_name}


def _relations(result: list[dict]) -> set[tuple[str, str, str]]:
    return {(r["from_id"], r["to_id"], r["labels"][0]) for r in result if r.get("type") == "relation"}


@pytest.fixture(scope="module")
def pushed(ls_server, tmp_path_factory):
    """The sample articles pushed once into PROJECT."""
    from toolkit.labelstudio.testing import sample_data

    records = sample_data()
    path = write_jsonl(tmp_path_factory.mktemp("push") / "articles.jsonl", records)
    proc = ls_server.cli("ls", "push", path, "--project", PROJECT, "--batch-size", "2")
    assert proc.returncode == 0, proc.stderr
    return records, path, proc


def test_push_creates_project_and_tasks_with_predictions(ls_server, pushed):
    records, _, proc = pushed
    assert "3 tasks imported" in proc.stdout
    assert "created" in proc.stdout
    tasks = _tasks(ls_server, PROJECT)
    assert sorted(tasks) == ["int-1", "int-2", "int-3"]
    for rec in records:
        task = tasks[rec["article_id"]]
        assert task["data"]["text"] == rec["text"]
        assert task["data"]["title"] == rec["title"] and task["data"]["outlet"] == "Test Outlet"
        assert len(task["predictions"]) == 1
        pred = task["predictions"][0]
        assert pred["model_version"] == model_version()
        result = pred["result"]
        regions = _items(result, N.LABELS)
        for q in rec["quotes"]:
            qid = region_id(rec["article_id"], q["start"], q["end"], N.QUOTE)
            assert regions[qid]["value"]["labels"] == [N.QUOTE]
            assert regions[qid]["value"]["text"] == rec["text"][q["start"]:q["end"]]
            assert _items(result, N.STANCE)[qid]["value"]["choices"] == [q["stance"]]
            assert _items(result, N.KIND)[qid]["value"]["choices"] == [q["kind"]]
            if q["speaker_start"] is not None:
                sid = region_id(rec["article_id"], q["speaker_start"], q["speaker_end"], N.SPEAKER)
                assert regions[sid]["value"]["labels"] == [N.SPEAKER]
                assert (qid, sid, N.SAID_BY) in _relations(result)
            else:
                assert _items(result, N.QUOTE_FLAGS)[qid]["value"]["choices"] == [N.SPEAKER_UNKNOWN]
            cid = region_id(rec["article_id"], q["cue_start"], q["cue_end"], N.CUE)
            assert (qid, cid, N.CUE_OF) in _relations(result)
    # canonical speakers: registry alias -> canonical name, checked among the task's candidates;
    # a name outside the registry -> TextArea
    result2 = tasks["int-2"]["predictions"][0]["result"]
    names = {r["value"]["text"]: r["value"].get("choices") for r in _items(result2, N.SPEAKER_PICK).values()}
    assert names == {"The opposition": ["Cambodia National Rescue Party"], "Kuy Kuong": ["Koy Kuong"]}
    assert {"Cambodia National Rescue Party", "Koy Kuong"} <= {c["value"] for c in tasks["int-2"]["data"][N.SPEAKER_CANDIDATES]}
    new = [r["value"]["text"] for r in _items(result2, N.SPEAKER_NEW).values()]
    assert new == [["village chief"]]
    project = ls_server.client().find_project(PROJECT)
    assert project["model_version"] == model_version()


def test_repush_imports_nothing(ls_server, pushed):
    _, path, _ = pushed
    before = _tasks(ls_server, PROJECT)
    proc = ls_server.cli("ls", "push", path, "--project", PROJECT)
    assert proc.returncode == 0, proc.stderr
    assert "0 tasks imported, 3 already present" in proc.stdout
    after = _tasks(ls_server, PROJECT)
    assert {a: t["id"] for a, t in after.items()} == {a: t["id"] for a, t in before.items()}
    assert all(len(t["predictions"]) == 1 for t in after.values())


def test_update_replaces_predictions_and_model_version(ls_server, tmp_path):
    from toolkit.labelstudio.testing import sample_data

    title = PROJECT + " update"
    records = sample_data()
    path = write_jsonl(tmp_path / "v1.jsonl", records)
    assert ls_server.cli("ls", "push", path, "--project", title).returncode == 0
    changed = copy.deepcopy(records)
    changed[0]["quotes"][0]["stance"] = "neutral"
    changed[2]["text"] += " Talks resume later."  # a corrected text (offsets unchanged)
    path2 = write_jsonl(tmp_path / "v2.jsonl", changed)

    plain = ls_server.cli("ls", "push", path2, "--project", title, "--model-version", "quotekit-test-v2")
    assert plain.returncode == 0, plain.stderr
    assert "--update" in plain.stdout  # told how to replace, nothing replaced
    int3 = _tasks(ls_server, title)["int-3"]["id"]
    assert f"1 existing tasks have a different text (int-3 (task {int3}))" in plain.stdout
    assert _tasks(ls_server, title)["int-1"]["predictions"][0]["model_version"] == model_version()

    upd = ls_server.cli("ls", "push", path2, "--project", title, "--update", "--model-version", "quotekit-test-v2")
    assert upd.returncode == 0, upd.stderr
    assert "3 predictions replaced" in upd.stdout and "0 tasks imported" in upd.stdout
    assert "1 task texts updated" in upd.stdout
    tasks = _tasks(ls_server, title)
    assert tasks["int-3"]["data"]["text"] == changed[2]["text"]
    for t in tasks.values():
        assert [p["model_version"] for p in t["predictions"]] == ["quotekit-test-v2"]
    q = changed[0]["quotes"][0]
    qid = region_id("int-1", q["start"], q["end"], N.QUOTE)
    assert _items(tasks["int-1"]["predictions"][0]["result"], N.STANCE)[qid]["value"]["choices"] == ["neutral"]
    assert ls_server.client().find_project(title)["model_version"] == "quotekit-test-v2"
    again = ls_server.cli("ls", "push", path2, "--project", title, "--update", "--model-version", "quotekit-test-v2")
    assert "predictions replaced" not in again.stdout


def test_push_preannotates_articles_without_quotes(ls_server, tmp_path):
    """Article records with no ``quotes`` key go through the pre-annotator on the way in."""
    title = PROJECT + " preannotate"
    text = ("“We will not allow a coup,” Hun Sen said on Tuesday. "
            "The opposition said that the return would go ahead.")
    records = [make_article("pre-1", "Coup", text, None), make_article("pre-2", "Empty", "No one spoke today.", None)]
    path = write_jsonl(tmp_path / "articles.jsonl", records)
    proc = ls_server.cli("ls", "push", path, "--project", title)
    assert proc.returncode == 0, proc.stderr
    assert "2 tasks imported" in proc.stdout and "2 articles pre-annotated" in proc.stdout
    tasks = _tasks(ls_server, title)
    result = tasks["pre-1"]["predictions"][0]["result"]
    assert tasks["pre-1"]["predictions"][0]["model_version"] == model_version()
    quotes = [r for r in _items(result, N.LABELS).values() if r["value"]["labels"] == [N.QUOTE]]
    assert any(r["value"]["text"].startswith("We will not allow a coup") for r in quotes), result
    assert all(r["value"]["text"] == text[r["value"]["start"]:r["value"]["end"]] for r in _items(result, N.LABELS).values())
    assert _items(result, N.STANCE)
    assert tasks["pre-2"]["predictions"][0]["result"] == []
    again = ls_server.cli("ls", "push", path, "--project", title)
    assert "0 tasks imported, 2 already present" in again.stdout and "pre-annotated" not in again.stdout


def test_interrupted_push_resumes_without_duplicates(ls_server):
    """A push that dies after its first batch, and one whose response is lost in transit."""
    from toolkit.errors import ServerError
    from toolkit.labelstudio.push import push_records

    title = PROJECT + " resume"
    records = [make_article(f"res-{i}", f"R{i}", f"Article {i}. Nothing was said.", []) for i in range(7)]

    class DiesAfterFirstBatch:
        def __init__(self, client):
            self._c, self.calls = client, 0

        def __getattr__(self, name):
            return getattr(self._c, name)

        def import_tasks(self, pid, tasks):
            self.calls += 1
            if self.calls == 2:
                raise KeyboardInterrupt  # the user pressed Ctrl-C mid-push
            return self._c.import_tasks(pid, tasks)

    with pytest.raises(KeyboardInterrupt):
        push_records(DiesAfterFirstBatch(ls_server.client()), records, title, batch_size=3, progress=False, echo=lambda s: None)
    assert len(_tasks(ls_server, title)) == 3

    class LosesResponse(DiesAfterFirstBatch):
        def import_tasks(self, pid, tasks):
            self.calls += 1
            resp = self._c.import_tasks(pid, tasks)
            if self.calls == 1:
                raise ServerError("Label Studio at x timed out (POST /import) after 1 tries")  # sent, answer lost
            return resp

    report = push_records(LosesResponse(ls_server.client()), records, title, batch_size=3, progress=False, echo=lambda s: None)
    assert report.already_present == 3 and report.imported == 4
    tasks = _tasks(ls_server, title)  # raises on a duplicate
    assert sorted(tasks) == sorted(r["article_id"] for r in records)


def test_invalid_prediction_is_refused_before_sending(ls_server, tmp_path):
    from toolkit.labelstudio.testing import sample_data

    title = PROJECT + " invalid"
    records = sample_data()
    records[1]["quotes"][1]["end"] += 3  # the region text no longer matches
    path = write_jsonl(tmp_path / "bad.jsonl", records)
    proc = ls_server.cli("ls", "push", path, "--project", title)
    assert proc.returncode == 2
    assert "article int-2, quote 2" in proc.stderr and "!= text[" in proc.stderr
    assert ls_server.client().find_project(title) is None  # nothing was sent


def test_annotations_come_back_in_pull_with_relations(ls_server, pushed, tmp_path):
    client = ls_server.client()
    task = _tasks(ls_server, PROJECT)["int-2"]
    pred = task["predictions"][0]
    result = copy.deepcopy(pred["result"])
    for r in result:  # the annotator flips one stance and names the unknown speaker
        if r.get("from_name") == N.STANCE and r["value"]["choices"] == ["neutral"]:
            r["value"]["choices"] = ["against"]
    ann = client.create_annotation(task["id"], result, parent_prediction=pred["id"])
    out = tmp_path / "exports" / "round.json"
    proc = ls_server.cli("ls", "pull", "--project", PROJECT, "-o", out)
    assert proc.returncode == 0, proc.stderr
    exported = json.loads(out.read_text(encoding="utf-8"))
    by_aid = {t["data"]["article_id"]: t for t in exported}
    assert "int-2" in by_aid and all(t["annotations"] for t in exported)  # annotated tasks only
    got = next(a for a in by_aid["int-2"]["annotations"] if a["id"] == ann["id"])
    assert _relations(got["result"]) == _relations(pred["result"]) and len(_relations(got["result"])) == 6
    assert sorted(json.dumps(r, sort_keys=True) for r in got["result"]) == sorted(json.dumps(r, sort_keys=True) for r in result)
    preds = by_aid["int-2"]["predictions"]
    assert preds and preds[0]["model_version"] == model_version() and preds[0]["result"]
    # the export parser of the dataset stage can read it
    assert not list(out.parent.glob(".*.tmp"))


def test_identity_round_trip_through_the_export_parser(ls_server, tmp_path):
    """quotes -> push -> accept every prediction as the annotation -> pull -> export parser ->
    the same quotes (speaker names canonical through the registry)."""
    from toolkit.config import load_registry, load_stance
    from toolkit.labelstudio.export import ExportReader, IssueLog
    from toolkit.labelstudio.testing import sample_data

    title = PROJECT + " identity"
    records = sample_data()
    path = write_jsonl(tmp_path / "in.jsonl", records)
    assert ls_server.cli("ls", "push", path, "--project", title).returncode == 0
    client = ls_server.client()
    for task in _tasks(ls_server, title).values():
        pred = task["predictions"][0]
        client.create_annotation(task["id"], pred["result"], parent_prediction=pred["id"])
    out = tmp_path / "identity.json"
    assert ls_server.cli("ls", "pull", "--project", title, "-o", out).returncode == 0

    registry = load_registry()
    issues = IssueLog(strict=True)
    reader = ExportReader([out], issues=issues, stance_labels=load_stance().labels)
    got = {a.article_id: a for a in reader.articles()}
    assert issues.total == 0, issues.messages
    for rec in records:
        art = got[rec["article_id"]]
        assert art.text == rec["text"] and art.title == rec["title"]

        def key(q):
            return (q["start"], q["end"], q["text"], q["kind"], q["speaker_start"], q["speaker_end"],
                    q["cue_start"], q["cue_end"], q["stance"])

        assert sorted(key(q.__dict__) for q in art.quotes) == sorted(key(q) for q in rec["quotes"])
        speakers = {(q.start, q.end): q.speaker for q in art.quotes}
        for q in rec["quotes"]:
            sp = registry.get(q["speaker"]) if q["speaker"] else None
            want = sp.name if sp else q["speaker"]
            assert speakers[(q["start"], q["end"])] == want


def test_pull_refuses_to_overwrite(ls_server, pushed, tmp_path):
    out = tmp_path / "existing.json"
    out.write_text("keep me")
    proc = ls_server.cli("ls", "pull", "--project", PROJECT, "-o", out)
    assert proc.returncode == 2
    assert "already exists" in proc.stderr and "choose another name" in proc.stderr
    assert out.read_text() == "keep me"


def test_pull_unknown_project(ls_server, pushed, tmp_path):
    proc = ls_server.cli("ls", "pull", "--project", "no such project", "-o", tmp_path / "x.json")
    assert proc.returncode == 2 and "no Label Studio project titled 'no such project'" in proc.stderr
    assert "existing projects: " in proc.stderr and repr(PROJECT) in proc.stderr
    assert "`quotekit ls push ARTICLES.jsonl --project TITLE` creates one" in proc.stderr


def test_predictions_file_round_trip_with_skips_empty_and_speaker_choice(ls_server, tmp_path):
    """``ls push ARTICLES --predictions PREDICTIONS`` (preannotate's output), then: a speaker picked
    from the list on a region whose pre-annotation typed a name, a skipped (cancelled) task, an
    empty annotation, an unannotated task and a null date -> pull -> build."""
    from toolkit.dataset import build_dataset
    from toolkit.labelstudio.testing import sample_data

    title = PROJECT + " predictions"
    records = sample_data()
    articles = [{k: v for k, v in r.items() if k != "quotes"} for r in records]
    articles[0]["date"] = None
    articles.append(make_article("int-4", "Quiet", "Nobody said anything today.", None))
    preds = [{"article_id": r["article_id"], "quotes": r["quotes"], "warnings": []} for r in records]
    preds.append({"article_id": "int-4", "quotes": [], "warnings": []})
    preds.append({"article_id": "ghost", "quotes": [], "warnings": []})
    a_path = write_jsonl(tmp_path / "articles.jsonl", articles)
    p_path = write_jsonl(tmp_path / "predictions.jsonl", preds)

    alone = ls_server.cli("ls", "push", p_path, "--project", title)
    assert alone.returncode == 2 and "pass it with --predictions next to the articles" in alone.stderr
    proc = ls_server.cli("ls", "push", a_path, "--predictions", p_path, "--project", title)
    assert proc.returncode == 0, proc.stderr
    assert "4 tasks imported" in proc.stdout and "4 predictions from" in proc.stdout and "pre-annotated" not in proc.stdout
    assert "were ignored: ghost" in proc.stdout
    tasks = _tasks(ls_server, title)
    assert tasks["int-1"]["data"]["date"] == ""  # Label Studio refuses null in a Header-bound key

    client = ls_server.client()
    # int-2: accept the prediction, pick "Hun Sen" from the list on the "A village chief" region,
    # whose pre-annotation typed "village chief" into speaker_new (the audit's case); the pick is
    # written as the older Choices drop-down wrote it, which the export parser still reads
    t2 = tasks["int-2"]
    pred = t2["predictions"][0]
    result = copy.deepcopy(pred["result"])
    (new,) = [r for r in result if r.get("from_name") == N.SPEAKER_NEW]
    result.append({"id": new["id"], "from_name": N.SPEAKER_NAME, "to_name": N.TEXT, "type": "choices", "origin": "prediction-changed",
                   "value": {k: new["value"][k] for k in ("start", "end")} | {"text": "A village chief", "choices": ["Hun Sen"]}})
    client.create_annotation(t2["id"], result, parent_prediction=pred["id"])
    p1 = tasks["int-1"]["predictions"][0]
    client.create_annotation(tasks["int-1"]["id"], p1["result"], parent_prediction=p1["id"])
    client.create_annotation(tasks["int-3"]["id"], [], was_cancelled=True)  # skipped
    client.create_annotation(tasks["int-4"]["id"], [])  # "nobody is quoted here"

    out = tmp_path / "export.json"
    pull = ls_server.cli("ls", "pull", "--project", title, "-o", out)
    assert pull.returncode == 0, pull.stderr
    assert "3 annotated tasks, 3 annotations" in pull.stdout
    assert "1 of the project's 4 tasks are not in the export: 1 skipped (every annotation cancelled: int-3)." in pull.stdout

    s = build_dataset([out], tmp_path / "ds", strict=True, chart=False)
    assert s.articles == 3 and s.articles_judged_no_quotes == 1 and s.notes == {"speaker_conflict": 1}
    import pyarrow.parquet as pq

    rows = {r["article_id"]: r for f in (tmp_path / "ds" / "data" / "articles").glob("*.parquet") for r in pq.read_table(f).to_pylist()}
    assert rows["int-4"]["quotes"] == [] and rows["int-1"]["date"] is None and rows["int-2"]["date"] == "2019-11-09"
    chief = next(q for q in rows["int-2"]["quotes"] if q["text"] == "the road was closed")
    assert chief["speaker"] == "Hun Sen"


def test_wrong_token_is_one_clear_line(ls_server, pushed, tmp_path):
    _, path, _ = pushed
    wrong = "0" * 40
    proc = ls_server.cli("ls", "push", path, "--project", PROJECT, "--api-key", wrong)
    assert proc.returncode == 3
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "refused the API token" in lines[0] and "quotekit ls token" in lines[0]
    assert wrong not in proc.stdout + proc.stderr
    env = ls_server.env(LABEL_STUDIO_API_KEY=wrong)
    proc2 = ls_server.cli("ls", "pull", "--project", PROJECT, "-o", tmp_path / "w.json", env=env)
    assert proc2.returncode == 3 and "refused the API token" in proc2.stderr


def test_server_down_is_one_clear_line(ls_server, pushed, tmp_path):
    _, path, _ = pushed
    url = f"http://127.0.0.1:{free_port()}"
    proc = ls_server.cli("ls", "push", path, "--project", PROJECT, "--url", url)
    assert proc.returncode == 3
    assert proc.stderr.strip() == (
        f"Error: cannot reach Label Studio at {url}: start it with `quotekit ls serve --detach` or set LABEL_STUDIO_URL"
    )
    env = ls_server.env(LABEL_STUDIO_URL=url)
    proc2 = ls_server.cli("ls", "pull", "--project", PROJECT, "-o", tmp_path / "d.json", env=env)
    assert proc2.returncode == 3 and "cannot reach Label Studio" in proc2.stderr
    other = tmp_path / "no-server-here"
    env3 = {k: v for k, v in ls_server.env().items() if k != "QUOTEKIT_LS_DATA_DIR"}
    proc3 = ls_server.cli("ls", "pull", "--project", PROJECT, "-o", tmp_path / "e.json", "--data-dir", other, env=env3)
    assert proc3.returncode == 3 and "quotekit ls serve --detach" in proc3.stderr


def test_serve_refuses_a_second_server_on_the_same_data_dir(ls_server):
    proc = ls_server.cli("ls", "serve", "--detach", "--port", str(free_port()), "--data-dir", ls_server.data_dir)
    assert proc.returncode == 3 and "already running" in proc.stderr


def test_secrets_are_private_and_only_printed_on_request(ls_server):
    for name in ("api-token", "admin-password"):
        assert (ls_server.data_dir / name).stat().st_mode & 0o777 == 0o600
    proc = ls_server.cli("ls", "token", "--data-dir", ls_server.data_dir)
    assert proc.returncode == 0 and proc.stdout.strip() == ls_server.token
    ls_server.outputs.pop()  # the one output allowed to show it


def test_token_never_in_any_output(ls_server):
    """Runs last in this module: every CLI output recorded so far (serve included)."""
    assert ls_server.outputs  # at least the output of `ls serve`
    for out in ls_server.outputs:
        assert ls_server.token not in out
        assert ls_server.password not in out
    log = (ls_server.data_dir / "server.log").read_text(errors="replace")
    assert "GET /api/" in log  # the log is real and holds the API traffic ...
    assert ls_server.token not in log  # ... but never the token
