"""``toolkit.labelstudio.backend`` through Starlette's test client (no Label Studio): the
protocol's answers, predictions equal to ``build_task``'s for the same text, bad payloads
answered 4xx while the server keeps serving, a slow article that does not hold up the others,
basic auth, the webhook file. The real-server round trip is tests/integration/test_ls_backend.py."""

from __future__ import annotations

import base64
import json
import logging
import threading
import time

import pytest

from toolkit.commands.backend import preannotator_factory
from toolkit.labelstudio import names as N
from toolkit.labelstudio import backend as B
from toolkit.labelstudio.tasks import build_task, model_version

MV = model_version()
SLOW_MARK = "zzslowarticlezz"  # the test preannotator below sleeps on a text holding it


def _wait_ready(pool: B.WorkerPool, n: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while pool.ready < n:
        assert pool.failure is None, pool.failure
        assert time.monotonic() < deadline, "workers not ready"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def pool():
    """One worker process with the blank pipeline, shared by the apps of this module."""
    p = B.WorkerPool(preannotator_factory(None), MV, size=1, timeout=60)
    p.start()
    _wait_ready(p, 1)
    yield p
    p.close()


def _client(pool, **kw):
    from starlette.testclient import TestClient

    settings = B.Settings(model_version=MV, **kw)
    return TestClient(B.create_app(settings, preannotator_factory(None), pool=pool), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client(pool):
    with _client(pool) as c:
        yield c


def _task(tid, text, **data):
    return {"id": tid, "data": {"text": text, **data}}


def test_health_and_setup(client):
    h = client.get("/health").json()
    assert h["status"] == "UP" and h["model_version"] == MV and h["workers_ready"] == 1
    assert client.get("/").status_code == 200
    from toolkit.labelstudio.config import build_label_config

    r = client.post("/setup", json={"project": "3.1700000000", "schema": build_label_config(), "hostname": "http://x",
                                    "access_token": "tok"})
    assert r.status_code == 200 and r.json() == {"model_version": MV}
    assert client.post("/setup", json={"project": "1.1"}).json() == {"model_version": MV}


def test_setup_refuses_a_foreign_project(client):
    ner = ('<View><Text name="text" value="$text"/><Labels name="ner" toName="text"><Label value="PER"/></Labels></View>')
    r = client.post("/setup", json={"project": "1.1", "schema": ner})
    assert r.status_code == 422 and "not a quotekit project" in r.json()["error"]


def test_setup_never_logs_the_access_token(client, caplog):
    secret = "tok-" + "9f" * 16
    with caplog.at_level(logging.DEBUG):
        client.post("/setup", json={"project": "1.1", "access_token": secret})
        client.post("/setup", json={"project": "1.1", "access_token": secret, "schema": "<View/>"})
    assert secret not in caplog.text and all(secret not in str(r.args) for r in caplog.records)


def test_predict_equals_build_task(client, nlp, sample_articles):
    """Each item is build_task's prediction (result, score, model_version) for the same record and
    the quotes ``quotekit preannotate`` finds: what ``ls push`` sends."""
    from toolkit.config import load_registry
    from toolkit.pipeline import preannotate_records
    from toolkit.types import Quote

    registry = load_registry()
    recs = sample_articles[:3]
    pre = {p["article_id"]: p for p in preannotate_records(recs, nlp=nlp)}
    pushed = {r["article_id"]: build_task(r, [Quote.from_dict(q) for q in pre[r["article_id"]]["quotes"]], MV, registry)
              for r in recs}
    # the tasks as ls push imports them (their candidate speakers are what the screen offers)
    tasks = [_task(10 + i, r["text"], article_id=r["article_id"], title=r.get("title") or "",
                   speaker_candidates=pushed[r["article_id"]].task["data"][N.SPEAKER_CANDIDATES]) for i, r in enumerate(recs)]
    r = client.post("/predict", json={"tasks": tasks, "project": "1.1", "label_config": None})
    assert r.status_code == 200
    body = r.json()
    assert body["model_version"] == MV and len(body["results"]) == len(recs)
    for rec, item in zip(recs, body["results"]):
        want = pushed[rec["article_id"]].prediction
        assert item == {"result": want["result"], "score": want["score"], "model_version": MV}
    assert sum(len(i["result"]) for i in body["results"]) > 10
    assert any(i.get("from_name") == N.SPEAKER_PICK for item in body["results"] for i in item["result"])


def test_task_without_article_id_is_named_as_the_export_reader_names_it(client):
    from toolkit.labelstudio.tasks import region_id

    text = "The minister said that the road would reopen on Monday."
    [item] = client.post("/predict", json={"tasks": [_task(42, text)]}).json()["results"]
    quote = next(x for x in item["result"] if x.get("type") == "labels" and x["value"]["labels"] == ["QUOTE"])
    assert quote["id"] == region_id("ls-task-42", quote["value"]["start"], quote["value"]["end"], "QUOTE")


GOOD = {"tasks": [_task(1, "“We will win,” the minister said.")]}


@pytest.mark.parametrize("body, status, words", [
    (b"not json", 400, "not JSON"),
    (b"", 400, "empty"),
    (b'{"tasks": [{"id": 1, "data": {"text": "caf\xe9 said"}}]}', 400, "not valid UTF-8"),
    (b"[1, 2]", 422, "JSON object"),
    (b'{"project": "1.1"}', 422, "'tasks'"),
    (b'{"tasks": []}', 422, "'tasks'"),
    (b'{"tasks": "text"}', 422, "'tasks'"),
    (b'{"tasks": [5]}', 422, "not an object"),
    (b'{"tasks": [{"id": 3, "data": {}}]}', 422, "task 3: data has no 'text'"),
    (b'{"tasks": [{"id": 3, "data": {"text": 12}}]}', 422, "data.text is a int"),
    (b'{"tasks": [{"id": 3, "data": {"text": ["a"]}}]}', 422, "data.text is a list"),
    (b'{"tasks": [{"id": 3, "data": "text"}]}', 422, "'data' must be an object"),
    (b'{"tasks": [{"id": 3, "data": {"text": "  "}}]}', 422, "empty"),
    (b'{"tasks": [{"id": 3, "data": {"text": "a\\ud800b said"}}]}', 422, "surrogates"),
    (b'{"tasks": [{"id": 3, "data": {"text": "a\\u0000b said"}}]}', 422, "NUL"),
    (b'{"tasks": [{"id": 1, "data": {"text": "x"}}], "label_config": 5}', 422, "label_config"),
])  # fmt: skip
def test_bad_payloads_get_4xx_and_the_server_goes_on(client, body, status, words):
    r = client.post("/predict", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    assert words in r.json()["error"]
    ok = client.post("/predict", json=GOOD)
    assert ok.status_code == 200 and ok.json()["results"][0]["result"]


def test_a_5mb_text_is_refused_with_413(client):
    text = ("The minister said that the plan works. " * 140_000)[:5_000_000]
    r = client.post("/predict", json={"tasks": [_task(9, text)]})
    assert r.status_code == 413 and "5,000,000 characters" in r.json()["error"] and "--max-text-chars" in r.json()["error"]
    assert client.post("/predict", json=GOOD).status_code == 200


def test_a_body_over_the_limit_is_refused_with_413(pool):
    with _client(pool, max_body_bytes=1000) as c:
        r = c.post("/predict", json={"tasks": [_task(1, "He said so. " * 200)]})
        assert r.status_code == 413 and "limit of 1,000" in r.json()["error"]
        assert c.post("/predict", json=GOOD).status_code == 200


def test_one_bad_task_in_a_batch_leaves_the_others_their_prediction(client):
    tasks = [_task(1, "“We will win,” the minister said."), {"id": 2, "data": {"text": None}}, _task(3, "Nothing here.")]
    r = client.post("/predict", json={"tasks": tasks})
    assert r.status_code == 200
    first, bad, third = r.json()["results"]
    assert first["result"] and first["model_version"] == MV
    assert "result" not in bad and "task 2" in bad["error"]  # Label Studio skips an item without result
    empty = build_task({"article_id": "ls-task-3", "text": "Nothing here."}, [], MV).prediction
    assert third == {"result": [], "score": empty["score"], "model_version": MV}  # no quote: as push sends it


def test_an_older_project_with_the_speaker_drop_down_gets_choices_results(client):
    """A project made before the speaker became a Taxonomy keeps its Choices drop-down; its editor
    crashes on a taxonomy result, so the backend answers in the project's own control."""
    from toolkit.config import load_registry
    from toolkit.labelstudio import names as N
    from toolkit.labelstudio.config import build_label_config

    old = build_label_config(load_registry().names(), speaker_control="Choices")
    r = client.post("/predict", json={"tasks": [_task(1, "“We will win,” Hun Sen said.")], "label_config": old})
    assert r.status_code == 200
    result = r.json()["results"][0]["result"]
    speaker = [i for i in result if i.get("from_name") == N.SPEAKER_NAME]
    assert speaker and all(i["type"] == "choices" and i["value"]["choices"] == ["Hun Sen"] for i in speaker)


def test_a_task_with_candidates_gets_its_speaker_in_the_candidate_radio(client):
    """Today's config: the speaker is named in the candidate radio when the task's own candidates
    (what its screen shows) hold the name; a bare task (no candidates) gets the registry list."""
    from toolkit.labelstudio import names as N
    from toolkit.labelstudio.config import build_label_config

    text = "“We will win,” Hun Sen said."
    cands = [{"value": "Kem Sokha"}, {"value": "Hun Sen"}]
    r = client.post("/predict", json={"tasks": [_task(1, text, speaker_candidates=cands), _task(2, text)],
                                      "label_config": build_label_config()})
    assert r.status_code == 200
    with_list, bare = (res["result"] for res in r.json()["results"])
    assert [i["value"]["choices"] for i in with_list if i.get("from_name") == N.SPEAKER_PICK] == [["Hun Sen"]]
    assert not [i for i in with_list if i.get("from_name") == N.SPEAKER_NAME]
    assert [i["value"]["taxonomy"] for i in bare if i.get("from_name") == N.SPEAKER_NAME] == [[["Hun Sen"]]]
    assert not [i for i in bare if i.get("from_name") == N.SPEAKER_PICK]


def test_an_older_project_without_the_candidate_list_gets_no_candidate_result(client):
    """A project made with the registry list alone (issue 18's first screen) has no candidate
    control: its predictions name the speaker in the registry list, even when the task's data
    has candidates."""
    from toolkit.config import load_registry
    from toolkit.labelstudio import names as N
    from toolkit.labelstudio.config import build_label_config

    old = build_label_config(load_registry().names(), speaker_control="Taxonomy")
    task = _task(1, "“We will win,” Hun Sen said.", speaker_candidates=[{"value": "Hun Sen"}])
    r = client.post("/predict", json={"tasks": [task], "label_config": old})
    assert r.status_code == 200
    result = r.json()["results"][0]["result"]
    assert [i["value"]["taxonomy"] for i in result if i.get("from_name") == N.SPEAKER_NAME] == [[["Hun Sen"]]]
    assert not [i for i in result if i.get("from_name") == N.SPEAKER_PICK]


def test_a_prediction_that_does_not_fit_the_projects_config_is_an_error_item(client):
    from toolkit.config import load_registry
    from toolkit.labelstudio.config import build_label_config

    names = [n for n in load_registry().names() if n != "Hun Sen"]  # a project whose list lacks a name
    r = client.post("/predict", json={"tasks": [_task(1, "“We will win,” Hun Sen said.")],
                                      "label_config": build_label_config(names)})
    assert r.status_code == 503 and "Hun Sen" in r.json()["error"]


def test_basic_auth(pool):
    with _client(pool, auth=("ls", "s3cret-pw")) as c:
        assert c.get("/health").status_code == 401
        assert c.get("/health").headers["www-authenticate"].startswith("Basic")
        wrong = "Basic " + base64.b64encode(b"ls:nope").decode()
        assert c.post("/predict", json=GOOD, headers={"Authorization": wrong}).status_code == 401
        good = "Basic " + base64.b64encode(b"ls:s3cret-pw").decode()
        assert c.get("/health", headers={"Authorization": good}).json()["status"] == "UP"
        assert c.post("/predict", json=GOOD, headers={"Authorization": good}).status_code == 200
    assert "s3cret-pw" not in repr(B.Settings(model_version=MV, auth=("ls", "s3cret-pw")))


def test_webhook_records_annotation_events(pool, tmp_path):
    with _client(pool, data_dir=tmp_path) as c:
        event = {"action": "ANNOTATION_CREATED", "project": {"id": 4, "title": "p", "label_config": "<View/>"},
                 "task": {"id": 7, "data": {"article_id": "a1", "text": "t"}},
                 "annotation": {"id": 11, "result": [], "parent_prediction": 3}}
        assert c.post("/webhook", json=event).json() == {"status": "recorded", "action": "ANNOTATION_CREATED"}
        assert c.post("/webhook", json={"action": "PROJECT_UPDATED", "project": {}}).json()["status"] == "ignored"
        assert c.post("/webhook", content=b"{", headers={"content-type": "application/json"}).status_code == 400
        assert c.post("/webhook", json={"no": "action"}).status_code == 422
        c.app.state.backend["log"].flush()
    [line] = [json.loads(x) for x in (tmp_path / B.ANNOTATIONS_FILE).read_text().splitlines()]
    assert line["action"] == "ANNOTATION_CREATED" and line["project"] == {"id": 4, "title": "p"}
    assert line["task"]["id"] == 7 and line["annotation"]["parent_prediction"] == 3
    assert (tmp_path / B.ANNOTATIONS_FILE).stat().st_mode & 0o777 == 0o600


def test_webhook_write_failure_is_logged_never_raised(pool, tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir should be")
    with caplog.at_level(logging.ERROR, logger="quotekit.backend"), _client(pool, data_dir=blocker) as c:
        r = c.post("/webhook", json={"action": "ANNOTATION_UPDATED", "annotation": {"id": 1}, "task": {"id": 2}})
        assert r.status_code == 200
        lg = c.app.state.backend["log"]
        lg.flush()
        assert lg.failed == 1 and lg.written == 0
    assert "could not record ANNOTATION_UPDATED" in caplog.text


# --------------------------------------------------------------------------- a slow article


def slow_preannotator_factory():
    """Test preannotator: the real blank pipeline, but a text holding SLOW_MARK sleeps 60 s
    (an article that takes far too long)."""
    inner = preannotator_factory(None)()

    def preannotate(records):
        if any(SLOW_MARK in r.get("text", "") for r in records):
            time.sleep(60)
        return inner(records)

    return preannotate


def pausing_preannotator_factory():
    """Test preannotator: the real blank pipeline, 0.5 s slower on a text holding 'zzpausezz'."""
    inner = preannotator_factory(None)()

    def preannotate(records):
        if any("zzpausezz" in r.get("text", "") for r in records):
            time.sleep(0.5)
        return inner(records)

    return preannotate


@pytest.fixture(scope="module")
def pausing_pool():
    """One worker with the pausing preannotator, shared by the tests that queue paused articles
    (starting its process, which loads spaCy, took a few seconds per test). Each test gets it idle
    and reads its stats as differences."""
    p = B.WorkerPool(pausing_preannotator_factory, MV, size=1, timeout=30)
    p.start()
    _wait_ready(p, 1)
    yield p
    p.close()


@pytest.fixture
def idle_pausing_pool(pausing_pool):
    """``pausing_pool`` once everything queued before has been worked on (a job queued last, behind
    any other, is answered), with nothing queued."""
    _drain(pausing_pool)
    yield pausing_pool
    _drain(pausing_pool)


def _drain(pool: B.WorkerPool) -> None:
    assert isinstance(pool.submit({"article_id": "drain", "text": "He said so."}, None, priority=10**9).result(timeout=60), bytes)
    assert pool.queued() == 0


def test_the_task_opened_in_the_editor_goes_before_a_big_batch(idle_pausing_pool):
    """One worker busy with an 8-task batch (0.5 s each): a 1-task request (what opening a task
    sends) submitted after it is answered next, not after the whole batch."""
    pool = idle_pausing_pool
    batch = [pool.submit({"article_id": f"b{i}", "text": "He said zzpausezz so."}, None, priority=8) for i in range(8)]
    time.sleep(0.2)
    single = pool.submit({"article_id": "one", "text": "“We will win,” the minister said."}, None, priority=1)
    single.result(timeout=30)
    done_before = sum(f.done() for f in batch)
    assert done_before <= 2, f"{done_before} batch articles were done before the single task"
    assert all(isinstance(f.result(timeout=30), bytes) for f in batch)


def test_a_slow_article_neither_blocks_the_others_nor_its_worker():
    """Two workers, a 3 s article timeout: while one worker is stuck on a slow article, other
    requests are answered by the other worker and /health answers at once; the slow article gets
    an error (503: its only task failed) and its worker is replaced."""
    from starlette.testclient import TestClient

    pool = B.WorkerPool(slow_preannotator_factory, MV, size=2, timeout=3)
    pool.start()
    try:
        _wait_ready(pool, 2)
        settings = B.Settings(model_version=MV)
        with TestClient(B.create_app(settings, slow_preannotator_factory, pool=pool)) as c:
            slow: dict = {}
            t = threading.Thread(target=lambda: slow.update(r=c.post("/predict", json={"tasks": [_task(1, f"He said {SLOW_MARK}.")]})))
            t.start()
            time.sleep(0.5)
            t0 = time.monotonic()
            assert c.get("/health").status_code == 200
            fast = c.post("/predict", json=GOOD)
            took = time.monotonic() - t0
            assert fast.status_code == 200 and fast.json()["results"][0]["result"] and took < 2.5
            t.join(30)
            r = slow["r"]
            assert r.status_code == 503 and "not pre-annotated within 3 s" in r.json()["error"]
            assert pool.stats["timeouts"] == 1 and pool.stats["restarts"] == 1
            _wait_ready(pool, 2)
            assert c.post("/predict", json=GOOD).status_code == 200
    finally:
        pool.close()


def test_task_record():
    rec = B.task_record({"id": 5, "data": {"text": "He said so.", "article_id": "x1", "title": None, "date": "2019"}})
    assert rec == {"article_id": "x1", "text": "He said so.", "date": "2019"}
    with pytest.raises(B.RequestError, match="over the limit of 10"):
        B.task_record({"id": 5, "data": {"text": "He said so, and more."}}, max_text_chars=10)


def test_label_studio_is_started_with_loopback_allowed():
    """``ls serve`` lets Label Studio reach a loopback backend (its default SSRF list blocks
    127.0.0.1 for model servers and webhooks); other private networks stay blocked."""
    import ipaddress
    from pathlib import Path

    from toolkit.labelstudio import server

    env = server.server_env(Path("/tmp/x"), "pw", "tok123")
    assert env["USE_DEFAULT_BANNED_SUBNETS"] == "false"
    nets = [ipaddress.ip_network(n) for n in env["USER_ADDITIONAL_BANNED_SUBNETS"].split(",")]
    blocked = lambda ip: any(ipaddress.ip_address(ip) in n for n in nets)  # noqa: E731
    assert not blocked("127.0.0.1") and not blocked("::1")
    assert blocked("10.1.2.3") and blocked("192.168.1.1") and blocked("169.254.169.254") and blocked("fe80::1")


def test_connect_without_a_backend_is_one_line(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "x" * 40)
    code, out, err = run_cli(["ls", "connect", "--project", "  "])
    assert code == 2 and "cannot be empty" in err
    code, out, err = run_cli(["ls", "backend", "stop", "--data-dir", str(tmp_path)])
    assert code == 0 and "No quotekit backend is running" in out


def failing_factory():
    """Test factory: the pipeline cannot be loaded (as with --model of a package not installed)."""
    raise RuntimeError("spaCy pipeline 'xx_missing' is not installed")


def test_workers_that_cannot_start_make_health_fail_with_the_reason():
    """Label Studio then shows the backend as disconnected; predict answers 503 with the reason."""
    from starlette.testclient import TestClient

    pool = B.WorkerPool(failing_factory, MV, size=1, timeout=5)
    pool.start()
    try:
        deadline = time.monotonic() + 60
        while pool.failure is None and time.monotonic() < deadline:
            time.sleep(0.05)
        with TestClient(B.create_app(B.Settings(model_version=MV), failing_factory, pool=pool)) as c:
            h = c.get("/health")
            assert h.status_code == 503 and "xx_missing" in h.json()["error"]
            r = c.post("/predict", json=GOOD)
            assert r.status_code == 503 and "xx_missing" in r.json()["error"]
    finally:
        pool.close()


def test_jobs_of_a_request_label_studio_gave_up_on_are_dropped(idle_pausing_pool):
    """Over real HTTP (uvicorn): a client that hangs up (Label Studio after ML_TIMEOUT_PREDICT)
    leaves its queued articles cancelled, not worked on; the next request is served at once."""
    import httpx
    import uvicorn

    from toolkit.labelstudio.testing import free_port

    pool = idle_pausing_pool
    before = dict(pool.stats)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(B.create_app(B.Settings(model_version=MV), pausing_preannotator_factory,
                                                        pool=pool), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{port}"
        while not server.started:
            time.sleep(0.05)
        tasks = [_task(i, f"He said zzpausezz {i}.") for i in range(12)]  # 12 x 0.5 s
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(url + "/predict", json={"tasks": tasks}, timeout=httpx.Timeout(1.5, connect=5))
        time.sleep(2.5)  # the server notices within its 1 s poll
        stats = {k: pool.stats[k] - before[k] for k in before}
        assert stats["cancelled"] >= 6, stats
        assert stats["articles"] <= 6, stats
        t0 = time.monotonic()
        r = httpx.post(url + "/predict", json=GOOD, timeout=30)
        assert r.status_code == 200 and time.monotonic() - t0 < 2
    finally:
        server.should_exit = True
        thread.join(10)


def test_a_request_is_answered_by_its_deadline_with_what_is_done(idle_pausing_pool):
    """A retrieve with more work than Label Studio waits for: at the deadline the backend answers
    the articles done and an error item for the rest (Label Studio stores the first, and the next
    retrieve sends only the others), instead of nothing at all after Label Studio gives up."""
    from starlette.testclient import TestClient

    pool = idle_pausing_pool
    settings = B.Settings(model_version=MV, request_deadline=1.6)
    with TestClient(B.create_app(settings, pausing_preannotator_factory, pool=pool)) as c:
        t0 = time.monotonic()
        r = c.post("/predict", json={"tasks": [_task(i, f"He said zzpausezz {i}.") for i in range(10)]})
        took = time.monotonic() - t0
    assert r.status_code == 200 and took < 3.5, took
    results = r.json()["results"]
    done = [x for x in results if "result" in x]
    late = [x for x in results if "error" in x]
    assert len(results) == 10 and 1 <= len(done) <= 4 and len(done) + len(late) == 10
    assert "retrieve predictions again" in late[0]["error"]
    assert results[: len(done)] == done  # the first ones, in order
