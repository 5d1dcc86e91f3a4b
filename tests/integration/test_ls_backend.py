"""``quotekit ls backend`` + ``ls connect`` against the REAL Label Studio 1.23 (``ls_server``).

Tasks imported WITHOUT predictions into a connected project get, through Label Studio's own
"Retrieve predictions" action and when a task is opened, exactly the prediction ``ls push
--predictions`` (from ``quotekit preannotate``) stores for the same article: same result items
(spans, speakers, relations, stance, kind, rule meta), score and model_version. Fault cases: the
backend down while Label Studio asks (annotators still work, a later retrieve fills the task),
the backend restarted in the middle of a batch. Submitted annotations reach the backend's
webhook file.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from toolkit.labelstudio import names as N
from toolkit.labelstudio.tasks import build_task, model_version, task_data
from toolkit.labelstudio.testing import free_port, write_jsonl

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ARTICLES = REPO / "annotations" / "articles.jsonl"


class Backend:
    """A ``quotekit ls backend --detach`` of the test, started and stopped with the CLI."""

    def __init__(self, server, data_dir: Path):
        self.server, self.data_dir, self.port = server, data_dir, free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, *extra: str) -> None:
        proc = self.server.cli("ls", "backend", "--detach", "--port", str(self.port), "--data-dir", str(self.data_dir),
                               "--workers", "2", *extra, timeout=300)
        assert proc.returncode == 0, proc.stderr + proc.stdout

    def stop(self) -> None:
        proc = self.server.cli("ls", "backend", "stop", "--data-dir", str(self.data_dir), timeout=120)
        assert proc.returncode == 0, proc.stderr

    def metrics(self) -> dict:
        import urllib.request

        with urllib.request.urlopen(self.url + "/metrics", timeout=5) as resp:
            return json.loads(resp.read())


@pytest.fixture(scope="module")
def backend(ls_server, tmp_path_factory):
    b = Backend(ls_server, tmp_path_factory.mktemp("backend"))
    b.start()
    try:
        yield b
    finally:
        b.stop()


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return [json.loads(line) for line in ARTICLES.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def preannotated(ls_server, records, tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    """``quotekit preannotate`` on the sample articles, run once for the module: (its output file,
    its result by article id). The copies of a sample article that the bigger tests make differ
    only in their id, so their pre-annotation is their sample article's."""
    d = tmp_path_factory.mktemp("preannotated")
    articles, preds = write_jsonl(d / "articles.jsonl", records), d / "predictions.jsonl"
    proc = ls_server.cli("preannotate", str(articles), "-o", str(preds))
    assert proc.returncode == 0, proc.stderr
    results = {json.loads(line)["article_id"]: json.loads(line) for line in _lines(preds)}
    assert set(results) == {r["article_id"] for r in records}
    return preds, results


def _bare_project(client, title: str, records: list[dict], data_of=task_data) -> tuple[int, list[int]]:
    """A quotekit project (its labeling config) holding ``records`` as tasks WITHOUT predictions
    (their data ``data_of(record)``: by default no candidate speakers, as a task imported another way)."""
    from toolkit.labelstudio.config import build_label_config

    project = client.create_project(title=title, label_config=build_label_config(),
                                    description="quotekit: backend integration test")
    resp = client.import_tasks(project["id"], [{"data": data_of(r)} for r in records])
    assert resp["task_count"] == len(records) and not resp.get("prediction_count")
    return project["id"], list(resp["task_ids"])


def _retrieve(client, pid: int) -> dict:
    """Data Manager > Actions > Retrieve predictions, on every task of the project."""
    return client.request("POST", "api/dm/actions", "retrieve predictions",
                          params={"id": "retrieve_tasks_predictions", "project": pid},
                          json={"selectedItems": {"all": True, "excluded": []}}, retry=False)


def _predictions(client, pid: int) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for t in client.iter_tasks(pid, fields="all"):
        out[t["data"]["article_id"]] = t.get("predictions") or []
    return out


def _norm(pred: dict) -> tuple:
    return (pred["model_version"], round(float(pred["score"]), 4),
            sorted(json.dumps(r, sort_keys=True) for r in pred["result"]))


def _connect(ls_server, title: str, backend: Backend):
    proc = ls_server.cli("ls", "connect", "--project", title, "--backend-url", backend.url)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc


def test_retrieve_predictions_equals_push(ls_server, backend, records, preannotated, tmp_path):
    client = ls_server.client()
    articles = write_jsonl(tmp_path / "articles.jsonl", records)
    preds, by_aid = preannotated
    proc = ls_server.cli("ls", "push", str(articles), "--predictions", str(preds), "--project", "backend: pushed")
    assert proc.returncode == 0, proc.stderr
    pushed = _predictions(client, client.find_project("backend: pushed")["id"])
    # the tasks carry the data ls push gives them (their candidate speakers: what the screen offers)
    pushed_data = {t["data"]["article_id"]: t["data"] for t in client.iter_tasks(client.find_project("backend: pushed")["id"])}

    pid, _ = _bare_project(client, "backend: connected", records, data_of=lambda r: pushed_data[r["article_id"]])
    out = _connect(ls_server, "backend: connected", backend).stdout
    assert "connected" in out and backend.url in out
    project = client.get_project(pid)
    assert project["show_collab_predictions"] is True and project["model_version"] == model_version()
    assert client.request("GET", f"api/projects/{pid}/", "read")["evaluate_predictions_automatically"] is False
    [ml] = client.request("GET", "api/ml/", "list", params={"project": pid})
    assert ml["url"] == backend.url and ml["readable_state"] == "Connected" and ml["model_version"] == model_version()

    assert _predictions(client, pid) == {r["article_id"]: [] for r in records}  # imported bare
    _retrieve(client, pid)
    got = _predictions(client, pid)
    from toolkit.types import Quote

    for rec in records:
        aid = rec["article_id"]
        assert len(got[aid]) == 1, f"{aid}: {len(got[aid])} predictions"
        assert len(pushed[aid]) == 1
        assert _norm(got[aid][0]) == _norm(pushed[aid][0]), aid
        # and both are build_task's prediction for `quotekit preannotate`'s quotes
        quotes = [Quote.from_dict(q) for q in by_aid[aid]["quotes"]]
        from toolkit.config import load_registry

        want = build_task(rec, quotes, model_version(), load_registry()).prediction
        assert _norm(got[aid][0]) == _norm(want), aid
    assert sum(len(p[0]["result"]) for p in got.values()) > 20  # the sample articles hold quotes

    # a second retrieve asks nothing: every task holds this model_version already
    before = backend.metrics()["articles"]
    _retrieve(client, pid)
    assert backend.metrics()["articles"] == before
    assert all(len(p) == 1 for p in _predictions(client, pid).values())


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_task_opened_without_prediction_gets_one(ls_server, backend, records):
    """The labeling screen's task request (``GET /api/tasks/<id>``) asks the backend for a task
    that has no prediction."""
    client = ls_server.client()
    pid, task_ids = _bare_project(client, "backend: opened", records[:2])
    _connect(ls_server, "backend: opened", backend)
    task = client.request("GET", f"api/tasks/{task_ids[0]}", "open the task", params={"project": pid})
    assert len(task["predictions"]) == 1 and task["predictions"][0]["model_version"] == model_version()
    assert task["predictions"][0]["result"]
    other = client.request("GET", f"api/tasks/{task_ids[1]}", "read the task", params={"project": pid})
    assert len(other["predictions"]) == 1


def test_opening_a_task_from_a_data_manager_page_stores_one_prediction(ls_server, backend, records):
    """The Data Manager page and the task opened from it load at the same time: with
    evaluate_predictions_automatically on, both asked the backend and Label Studio stored two
    predictions (seen in the browser test). ``ls connect`` switches it off: the page does not
    fetch, the opened task does, once."""
    import threading

    client = ls_server.client()
    pid, task_ids = _bare_project(client, "backend: page", records[:3])
    client.request("PATCH", f"api/projects/{pid}/", "switch on", json={"evaluate_predictions_automatically": True})
    _connect(ls_server, "backend: page", backend)
    page = threading.Thread(target=lambda: list(client.iter_tasks(pid, fields="all")))
    page.start()
    task = client.request("GET", f"api/tasks/{task_ids[0]}", "open the task", params={"project": pid})
    page.join(60)
    assert len(task["predictions"]) == 1
    got = _predictions(client, pid)
    assert len(got[records[0]["article_id"]]) == 1
    assert got[records[1]["article_id"]] == [] and got[records[2]["article_id"]] == []  # the page fetched nothing


def test_webhook_records_submitted_annotations(ls_server, backend, records):
    client = ls_server.client()
    pid, task_ids = _bare_project(client, "backend: webhook", records[:1])
    _connect(ls_server, "backend: webhook", backend)
    text = records[0]["text"]
    result = [{"id": "w1", "from_name": "label", "to_name": "text", "type": "labels",
               "value": {"start": 0, "end": 10, "text": text[:10], "labels": ["QUOTE"]}}]
    t0 = time.monotonic()
    ann = client.create_annotation(task_ids[0], result)
    elapsed = time.monotonic() - t0
    log = backend.data_dir / "annotations.jsonl"
    deadline = time.monotonic() + 10
    lines: list[dict] = []
    while time.monotonic() < deadline:
        lines = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
        if any(x.get("annotation", {}).get("id") == ann["id"] for x in lines):
            break
        time.sleep(0.2)
    [line] = [x for x in lines if x.get("annotation", {}).get("id") == ann["id"]]
    assert line["action"] == "ANNOTATION_CREATED" and line["project"]["id"] == pid
    assert line["task"]["id"] == task_ids[0] and line["task"]["data"]["article_id"] == records[0]["article_id"]
    assert line["annotation"]["result"][0]["value"]["labels"] == ["QUOTE"]
    assert "label_config" not in json.dumps(line["project"])
    assert elapsed < 5, f"the annotation took {elapsed:.1f} s with the webhook"


def test_backend_down_then_later_retrieve(ls_server, backend, records):
    """Backend down: Label Studio answers, the task stays bare and can be annotated; once the
    backend is back, Retrieve predictions fills it."""
    client = ls_server.client()
    pid, task_ids = _bare_project(client, "backend: down", records[:2])
    _connect(ls_server, "backend: down", backend)
    backend.stop()
    try:
        _retrieve(client, pid)  # Label Studio logs the failure, the action answers
        assert _predictions(client, pid) == {r["article_id"]: [] for r in records[:2]}
        task = client.request("GET", f"api/tasks/{task_ids[0]}", "open the task", params={"project": pid})
        assert task["predictions"] == [] and task["data"]["text"] == records[0]["text"]
        client.create_annotation(task_ids[1], [])  # annotators still work (no region: "nobody is quoted")
    finally:
        backend.start()
    _retrieve(client, pid)
    got = _predictions(client, pid)
    assert all(len(p) == 1 and p[0]["model_version"] == model_version() for p in got.values()), got
    # down again, with predictions stored: the Data Manager's task view shows them; the labeling
    # stream (next task) asks the live model first and shows none (docs/labelstudio.md says so)
    backend.stop()
    try:
        task = client.request("GET", f"api/tasks/{task_ids[0]}", "open the task", params={"project": pid})
        assert len(task["predictions"]) == 1
        nxt = client.request("GET", f"api/projects/{pid}/next", "next task")
        assert nxt["id"] == task_ids[0] and nxt["predictions"] == []
    finally:
        backend.start()


def test_backend_restarted_mid_batch(ls_server, backend, records, preannotated):
    """A retrieve over 400 tasks during which the backend is stopped and started again: that
    request fails as a whole (Label Studio stores nothing of it); the next retrieve gives every
    task exactly one prediction, equal to build_task's."""
    import threading

    client = ls_server.client()
    many = [{**records[i % len(records)], "article_id": f"mid-{i:03d}"} for i in range(400)]
    source = {rec["article_id"]: records[i % len(records)]["article_id"] for i, rec in enumerate(many)}
    pid, _ = _bare_project(client, "backend: restarted", many)
    _connect(ls_server, "backend: restarted", backend)
    errors: list[str] = []

    def retrieve():
        try:
            _retrieve(client, pid)
        except Exception as exc:  # noqa: BLE001 - what Label Studio answers is reported below
            errors.append(str(exc))

    t = threading.Thread(target=retrieve)
    before = backend.metrics()["articles"]
    t.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and backend.metrics()["articles"] == before:  # the batch is being worked on
        time.sleep(0.05)
    assert backend.metrics()["queued"] > 0, "the batch ended before the backend could be restarted"
    backend.stop()
    backend.start()
    t.join(300)
    first = _predictions(client, pid)
    _retrieve(client, pid)
    got = _predictions(client, pid)
    assert all(len(p) == 1 for p in got.values()), {a: len(p) for a, p in got.items() if len(p) != 1}
    from toolkit.config import load_registry
    from toolkit.types import Quote

    registry = load_registry()
    assert set(got) == {r["article_id"] for r in many}
    for rec in many:
        res = preannotated[1][source[rec["article_id"]]]  # `quotekit preannotate` of its text
        rec = {**rec, N.SPEAKER_CANDIDATES: []}  # imported bare: its screen offers no candidate
        want = build_task(rec, [Quote.from_dict(q) for q in res["quotes"]], model_version(), registry).prediction
        assert _norm(got[rec["article_id"]][0]) == _norm(want)
    # the interrupted request stored nothing partial: tasks were either bare or complete
    assert all(len(p) in (0, 1) for p in first.values())


def test_basic_auth_end_to_end(ls_server, records, tmp_path):
    """A backend started with basic auth: connect without the credentials is refused (exit 2),
    with them Label Studio predicts and its webhook (with the header connect set) is recorded;
    the password is in no output and no log."""
    password = "pw-" + "7c" * 12
    creds = {"QUOTEKIT_BACKEND_USER": "ls", "QUOTEKIT_BACKEND_PASSWORD": password}
    b = Backend(ls_server, tmp_path / "auth-backend")
    proc = ls_server.cli("ls", "backend", "--detach", "--port", str(b.port), "--data-dir", str(b.data_dir),
                         "--workers", "1", env=ls_server.env(**creds))
    assert proc.returncode == 0, proc.stderr
    try:
        client = ls_server.client()
        pid, task_ids = _bare_project(client, "backend: auth", records[:2])
        refused = ls_server.cli("ls", "connect", "--project", "backend: auth", "--backend-url", b.url)
        assert refused.returncode == 2 and "QUOTEKIT_BACKEND_PASSWORD" in refused.stderr
        proc = ls_server.cli("ls", "connect", "--project", "backend: auth", "--backend-url", b.url,
                             env=ls_server.env(**creds))
        assert proc.returncode == 0, proc.stderr
        _retrieve(client, pid)
        assert all(len(p) == 1 for p in _predictions(client, pid).values())
        ann = client.create_annotation(task_ids[0], [])
        log = b.data_dir / "annotations.jsonl"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (log.exists() and str(ann["id"]) in log.read_text()):
            time.sleep(0.2)
        assert any(json.loads(x)["annotation"]["id"] == ann["id"] for x in log.read_text().splitlines())
    finally:
        stopped = ls_server.cli("ls", "backend", "stop", "--data-dir", str(b.data_dir))
        assert stopped.returncode == 0, stopped.stderr
    assert all(password not in out for out in ls_server.outputs)
    assert password not in (b.data_dir / "backend.log").read_text()


def test_pull_and_corrections_read_backend_tasks_like_pushed_ones(ls_server, backend, records, tmp_path):
    """Tasks pre-annotated by the backend, accepted as proposed by an annotator (through the API,
    from the prediction), come back through ``ls pull``, ``quotekit corrections`` (every proposed
    quote kept, the rules read from the prediction's region meta, one model_version) and
    ``quotekit build`` (the three articles)."""
    client = ls_server.client()
    pid, task_ids = _bare_project(client, "backend: corrections", records[:3])
    _connect(ls_server, "backend: corrections", backend)
    _retrieve(client, pid)
    for t in client.iter_tasks(pid, fields="all"):
        [pred] = t["predictions"]
        client.create_annotation(t["id"], pred["result"], parent_prediction=pred["id"])
    out = tmp_path / "export.json"
    pulled = ls_server.cli("ls", "pull", "--project", "backend: corrections", "-o", str(out))
    assert pulled.returncode == 0, pulled.stderr
    proc = ls_server.cli("corrections", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert figures["annotations"] == 3 and figures["annotations_without_prediction"] == 0
    assert figures["proposed"] > 10 and figures["kept"] == figures["proposed"] == figures["final"]
    assert figures["deleted"] == figures["added"] == 0
    assert set(figures["model_versions"]) == {model_version()}
    rules = {q["meta"]["quotekit_rule"] for t in client.iter_tasks(pid, fields="all")
             for q in t["predictions"][0]["result"] if "meta" in q}
    assert set(figures["by_rule"]) == rules
    built = ls_server.cli("build", str(out), "-o", str(tmp_path / "dataset"))
    assert built.returncode == 0, built.stderr
    import re

    assert re.search(r"articles\s*│\s*3\s*│", built.stdout), built.stdout
    n_quotes = int(re.search(r"│ quotes\s*│\s*(\d+)\s*│", built.stdout).group(1))
    no_stance = re.search(r"skipped: no_stance\s*│\s*(\d+)\s*│", built.stdout)
    # every accepted quote is in the dataset, but those the pre-annotator left without a stance
    assert n_quotes + (int(no_stance.group(1)) if no_stance else 0) == figures["final"], built.stdout
    # the backend's webhook log gives the same report without an export: Label Studio stored in each
    # annotation the prediction it was made from (the project's model_version, set by ls connect)
    log = backend.data_dir / "annotations.jsonl"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and sum(f'"project":{{"id":{pid},' in x for x in log.read_text().splitlines()) < 3:
        time.sleep(0.2)
    mine = tmp_path / "mine.jsonl"  # the module's backend logs the other tests' projects too
    mine.write_text("".join(x + "\n" for x in log.read_text().splitlines() if f'"project":{{"id":{pid},' in x))
    proc = ls_server.cli("corrections", "--from-backend-log", str(mine), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == figures


def test_a_retrieve_bigger_than_the_deadline_converges(ls_server, records, tmp_path):
    """A backend that must answer within 1 s, a retrieve over 600 tasks: each retrieve stores
    what was done by then (Label Studio skips the error items of the rest), the next one sends
    only the tasks still bare; after a few, every task holds exactly one prediction."""
    b = Backend(ls_server, tmp_path / "deadline-backend")
    b.start("--request-deadline", "1")
    try:
        client = ls_server.client()
        many = [{**records[i % len(records)], "article_id": f"dl-{i:03d}"} for i in range(600)]
        pid, _ = _bare_project(client, "backend: deadline", many)
        _connect(ls_server, "backend: deadline", b)
        counts = []
        for _ in range(30):
            _retrieve(client, pid)
            # Label Studio's own per-task counter: listing the 600 predictions after every retrieve
            # took longer than the retrieves (the predictions are read once, below)
            counts.append(sum(1 for t in client.iter_tasks(pid, fields="task_only") if t["total_predictions"]))
            if counts[-1] == len(many):
                break
        assert counts[0] < len(many), f"the first retrieve was not cut by the deadline: {counts}"
        assert counts[-1] == len(many), counts
        assert counts == sorted(counts)
        got = _predictions(client, pid)
        assert all(len(p) == 1 for p in got.values()) and len(got) == len(many)
    finally:
        b.stop()
