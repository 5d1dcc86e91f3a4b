"""Faults with the real thing: Label Studio killed in the middle of a push, slow and dropped
responses (a small loopback proxy in front of the real server), Label Studio not running, a wrong
token; and interrupted ``quotekit ingest`` / ``quotekit build`` runs that must leave no
half-written output.

Nothing here is skipped: without a server the tests that need one FAIL. Every loop is bounded.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

import pytest

from toolkit.errors import ServerError
from toolkit.labelstudio.testing import base_env, free_port, make_article, sample_data, write_jsonl

from fixtures.lsexport import corpus

REPO = Path(__file__).resolve().parents[2]


def tasks_by_article(client, title: str) -> Counter:
    project = client.find_project(title)
    assert project is not None, f"no project {title!r}"
    return Counter(t["data"].get("article_id") for t in client.iter_tasks(project["id"], fields="task_only"))


def small_records(prefix: str, n: int) -> list[dict]:
    return [make_article(f"{prefix}-{i:04d}", f"T{i}", f"Article {i}: the minister said the talks would resume.", [])
            for i in range(n)]


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# --------------------------------------------------------------------------- a loopback fault proxy


class FaultProxy:
    """An HTTP proxy on 127.0.0.1 in front of the real server: one request per connection, and a
    ``policy(method, path, n)`` deciding for the n-th request:

    ``"pass"``; ``"close"`` (close the connection without an answer); ``"hang"`` (never answer);
    ``("delay", s)`` (wait, then forward and answer); ``("late", s)`` (forward at once, answer
    after ``s`` seconds: the server did the work, the client gave up); ``"swallow"`` (forward, never
    answer); ``("status", code)`` (answer ``code`` without forwarding).
    """

    def __init__(self, upstream: str, policy: Callable[[str, str, int], object]):
        u = urlparse(upstream)
        self.upstream = (u.hostname, u.port)
        self.policy = policy
        self.log: list[tuple[float, str, str, object]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    def __enter__(self) -> "FaultProxy":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def requests(self, method: str | None = None, contains: str = "") -> list[tuple]:
        return [e for e in self.log if (method is None or e[1] == method) and contains in e[2]]

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    @staticmethod
    def _read_request(conn: socket.socket) -> tuple[bytes, bytes] | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            body += chunk
        return head, body

    def _forward(self, head: bytes, body: bytes) -> bytes:
        lines = [line for line in head.split(b"\r\n") if line.split(b":")[0].strip().lower() not in (b"connection", b"host", b"keep-alive")]
        lines.insert(1, f"Host: {self.upstream[0]}:{self.upstream[1]}".encode())
        lines.append(b"Connection: close")
        with socket.create_connection(self.upstream, timeout=120) as up:
            up.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
            resp = b""
            while True:
                chunk = up.recv(65536)
                if not chunk:
                    return resp
                resp += chunk

    @staticmethod
    def _closing(resp: bytes) -> bytes:
        """The response with ``Connection: close``: the client opens a new connection for the next
        request, so every request is seen (and judged) by the proxy."""
        head, sep, body = resp.partition(b"\r\n\r\n")
        lines = [line for line in head.split(b"\r\n") if line.split(b":")[0].strip().lower() not in (b"connection", b"keep-alive")]
        return b"\r\n".join(lines + [b"Connection: close"]) + sep + body

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(60)
            try:
                req = self._read_request(conn)
                if req is None:
                    return
                method, path = req[0].split(b"\r\n", 1)[0].decode("latin-1").split(" ")[:2]
                with self._lock:
                    n = len(self.log)
                    action = self.policy(method, path, n)
                    self.log.append((time.monotonic(), method, path, action))
                if action == "close":
                    return
                if action == "hang":
                    self._stop.wait(60)
                    return
                if isinstance(action, tuple) and action[0] == "status":
                    conn.sendall(f"HTTP/1.1 {action[1]} Fault\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nfault".encode())
                    return
                if isinstance(action, tuple) and action[0] == "delay":
                    self._stop.wait(action[1])
                resp = self._forward(*req)
                if action == "swallow":
                    return
                if isinstance(action, tuple) and action[0] == "late":
                    self._stop.wait(action[1])
                conn.sendall(self._closing(resp))
            except OSError:
                return


@pytest.fixture
def fast_client(monkeypatch, ls_server):
    """``make(url)``: a client with 1 s timeouts, 3 tries and a 0.2 s backoff; ``sleeps`` records
    the backoff delays it waited."""
    from toolkit.labelstudio import client as client_mod

    monkeypatch.setattr(client_mod, "TIMEOUT", (1.0, 1.0))
    sleeps: list[float] = []
    real_sleep = time.sleep

    class _Time:
        monotonic = staticmethod(time.monotonic)

        @staticmethod
        def sleep(s: float) -> None:
            sleeps.append(s)
            real_sleep(s)

    monkeypatch.setattr(client_mod, "time", _Time)

    def make(url: str):
        return client_mod.LabelStudioClient(client_mod.Connection(url, ls_server.token), retries=3, backoff=0.2)

    make.sleeps = sleeps
    return make


# --------------------------------------------------------------------------- slow and dropped responses


def test_a_server_that_never_answers_times_out_after_bounded_retries_with_backoff(ls_server, fast_client):
    with FaultProxy(ls_server.url, lambda m, p, n: "hang") as proxy:
        client = fast_client(proxy.url)
        t0 = time.monotonic()
        with pytest.raises(ServerError) as exc:
            client.check()
        elapsed = time.monotonic() - t0
    msg = str(exc.value)
    assert exc.value.exit_code == 3
    assert "timed out" in msg and "3 tries" in msg and proxy.url in msg
    assert ls_server.token not in msg
    assert len(proxy.requests()) == 3, proxy.log  # bounded: exactly the configured number of tries
    assert fast_client.sleeps == [0.2, 0.4]  # exponential backoff between them
    assert elapsed < 30  # bounded (3 x 1 s timeouts + 0.6 s backoff), not a speed target


def test_a_slow_first_answer_is_retried_and_the_call_succeeds(ls_server, fast_client):
    policy = lambda m, p, n: ("delay", 2.5) if n == 0 else "pass"  # noqa: E731
    with FaultProxy(ls_server.url, policy) as proxy:
        me = fast_client(proxy.url).check()
    assert me.get("email") == ls_server.username
    assert len(proxy.requests()) == 2 and fast_client.sleeps == [0.2]


@pytest.mark.parametrize("fault", ["close", ("status", 502), ("status", 503)])
def test_dropped_connections_and_5xx_are_retried(ls_server, fast_client, fault):
    policy = lambda m, p, n: fault if n < 2 else "pass"  # noqa: E731
    with FaultProxy(ls_server.url, policy) as proxy:
        me = fast_client(proxy.url).check()
    assert me.get("email") == ls_server.username
    assert len(proxy.requests()) == 3 and fast_client.sleeps == [0.2, 0.4]


def test_a_server_that_keeps_failing_gives_one_clear_error(ls_server, fast_client):
    with FaultProxy(ls_server.url, lambda m, p, n: "close") as proxy:
        with pytest.raises(ServerError) as exc:
            fast_client(proxy.url).check()
    msg = str(exc.value)
    assert exc.value.exit_code == 3 and f"Label Studio at {proxy.url}" in msg and "3 tries" in msg, msg
    assert len(proxy.requests()) == 3 and fast_client.sleeps == [0.2, 0.4]


@pytest.mark.parametrize("fault", ["swallow", ("late", 2.5)])
def test_an_import_whose_answer_is_lost_is_never_imported_twice(ls_server, fast_client, fault):
    """The import request reaches the server but its answer is lost (dropped, or later than the
    client's timeout): the push checks what arrived instead of re-sending it blindly."""
    from toolkit.labelstudio.push import push_records

    title = f"faults lost answer {fault if isinstance(fault, str) else fault[0]}"
    records = small_records(f"lost-{fault if isinstance(fault, str) else fault[0]}", 9)
    hits = {"import": 0}

    def policy(method, path, n):
        if method == "POST" and "/import" in path:
            hits["import"] += 1
            if hits["import"] == 2:
                return fault
        return "pass"

    with FaultProxy(ls_server.url, policy) as proxy:
        report = push_records(fast_client(proxy.url), records, title, batch_size=3, progress=False, echo=lambda s: None)
        imports = proxy.requests("POST", "/import")
    assert report.imported == 9, report.summary()
    assert len(imports) == 3, [e[2] for e in imports]  # one request per batch: the lost one was not re-sent
    counts = tasks_by_article(ls_server.client(), title)
    assert counts == Counter({r["article_id"]: 1 for r in records})


# --------------------------------------------------------------------------- Label Studio not running / wrong token


def test_label_studio_not_running(ls_server, tmp_path):
    src = write_jsonl(tmp_path / "a.jsonl", small_records("down", 2))
    url = f"http://127.0.0.1:{free_port()}"
    env = {**base_env(), "COLUMNS": "200"}
    for args in (["ls", "push", src, "--project", "x", "--url", url, "--api-key", "0" * 40],
                 ["ls", "pull", "--project", "x", "-o", tmp_path / "x.json", "--url", url, "--api-key", "0" * 40],
                 ["ls", "push", src, "--project", "x", "--data-dir", tmp_path / "no-server"]):
        proc = ls_server.cli(*map(str, args), env=env)
        assert proc.returncode == 3, (args, proc.stderr)
        line = one_line(proc.stderr)
        assert line.startswith("Error: ") and "quotekit ls serve --detach" in line
    assert not (tmp_path / "x.json").exists()


def test_wrong_token_says_how_to_fix_it(ls_server, tmp_path):
    src = write_jsonl(tmp_path / "a.jsonl", small_records("tok", 2))
    wrong = "f" * 40
    for extra in (["--api-key", wrong], []):
        env = ls_server.env() if extra else ls_server.env(LABEL_STUDIO_API_KEY=wrong)
        proc = ls_server.cli("ls", "push", str(src), "--project", "faults wrong token", *extra, env=env)
        assert proc.returncode == 3
        line = one_line(proc.stderr)
        assert "refused the API token" in line and "quotekit ls token" in line and "LABEL_STUDIO_API_KEY" in line
        assert wrong not in proc.stdout + proc.stderr
    assert ls_server.client().find_project("faults wrong token") is None


# --------------------------------------------------------------------------- the server killed mid-push


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    """A second Label Studio (its own data dir) that this module may kill; started with quotekit's
    own ``server.start`` and the installed venv."""
    from toolkit.labelstudio import server

    d = tmp_path_factory.mktemp("ls-killable")
    state = {"started": server.start(port=free_port(), data_dir=d, timeout=600, echo=lambda s: None), "dir": d}
    try:
        yield state
    finally:
        server.stop(d)


def test_push_killed_with_the_server_resumes_with_no_duplicate_and_no_gap(own_server, tmp_path):
    from toolkit.labelstudio import server
    from toolkit.labelstudio.client import Connection, LabelStudioClient

    d, started = own_server["dir"], own_server["started"]
    token = server.read_token(d)
    title = "faults killed mid-push"
    records = small_records("kill", 400)
    src = write_jsonl(tmp_path / "many.jsonl", records)
    env = {**base_env(), "QUOTEKIT_LS_DATA_DIR": str(d), "COLUMNS": "200"}
    cmd = [sys.executable, "-m", "toolkit", "ls", "push", str(src), "--project", title, "--batch-size", "4"]
    push = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watcher = LabelStudioClient(Connection(started.url, token), retries=1)
    seen = 0
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and push.poll() is None:
            project = watcher.find_project(title)
            seen = (project or {}).get("task_number") or 0
            if seen >= 12:
                break
            time.sleep(0.05)
        assert push.poll() is None, f"the push ended before the kill ({seen} tasks seen): {push.stderr.read()}"
        assert seen >= 12, f"no batch arrived within the time bound: {seen}"
        os.killpg(started.pid, signal.SIGKILL)  # the server's whole process group, no clean shutdown
        started.process.wait(30)
        out, err = push.communicate(timeout=240)
    finally:
        if push.poll() is None:
            push.kill()
            push.wait(30)
    assert push.returncode == 3, (push.returncode, out, err)
    assert "Traceback" not in err and token not in out + err
    last = err.strip().splitlines()[-1]
    assert last.startswith("Error: ") and "Label Studio" in last, err

    # restart on the same data dir (the token and the tasks are still there)
    restarted = server.start(port=free_port(), data_dir=d, timeout=600, echo=lambda s: None)
    own_server["started"] = restarted
    client = LabelStudioClient(Connection(restarted.url, token))
    partial = tasks_by_article(client, title)
    assert 12 <= sum(partial.values()) < len(records)
    assert max(partial.values()) == 1

    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert f"{len(records) - sum(partial.values())} tasks imported, {sum(partial.values())} already present" in again.stdout
    final = tasks_by_article(client, title)
    assert final == Counter({r["article_id"]: 1 for r in records}), "duplicate or missing tasks after the re-run"

    third = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)  # re-running is safe
    assert third.returncode == 0 and f"0 tasks imported, {len(records)} already present" in third.stdout
    assert tasks_by_article(client, title) == final


def test_killed_server_is_reported_as_not_running(own_server, tmp_path):
    """After the kill test the state file may name a dead pid: the CLI must not trust it."""
    from toolkit.labelstudio import server

    d, started = own_server["dir"], own_server["started"]
    try:
        os.killpg(started.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    started.process.wait(30)
    assert (d / "server.json").exists()  # what a crash leaves behind
    proc = subprocess.run([sys.executable, "-m", "toolkit", "ls", "pull", "--project", "x", "-o", str(tmp_path / "p.json")],
                          env={**base_env(), "QUOTEKIT_LS_DATA_DIR": str(d)}, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3 and "quotekit ls serve --detach" in one_line(proc.stderr)
    assert server.stop(d) is None and not (d / "server.json").exists()


# --------------------------------------------------------------------------- interrupted local commands


def _big_jsonl(path: Path, n: int = 20000) -> Path:
    para = ("The minister said on Monday that the talks would resume next week in the capital, and “we will not "
            "give up,” the opposition leader told reporters. ")
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"article_id": f"big-{i}", "title": "T", "text": (para * 8 + "\n\n") * 2}) + "\n")
    return path


def _hidden_temps(d: Path, name: str) -> list[Path]:
    return [p for p in d.iterdir() if p.name.startswith(f".{name}.")]


def _interrupt(cmd: list[str], ready: Callable[[], bool], sig: int) -> subprocess.CompletedProcess:
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", *cmd], env=base_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and not ready():
            time.sleep(0.02)
        assert proc.poll() is None, f"finished before it could be interrupted: {proc.stderr.read()}"
        assert ready(), "never reached the point to interrupt"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


SIGNALS = [pytest.param(signal.SIGINT, id="SIGINT"), pytest.param(signal.SIGTERM, id="SIGTERM"),
           pytest.param(signal.SIGKILL, id="SIGKILL")]


@pytest.fixture(scope="module")
def big_jsonl(tmp_path_factory) -> Path:
    return _big_jsonl(tmp_path_factory.mktemp("big") / "big.jsonl")


@pytest.mark.parametrize("sig", SIGNALS)
def test_interrupted_ingest_leaves_no_half_written_output(big_jsonl, tmp_path, sig):
    out = tmp_path / "articles.jsonl"
    out.write_text('{"article_id": "previous", "text": "the previous complete output"}\n', encoding="utf-8")
    previous = out.read_bytes()

    def ready() -> bool:
        return any(p.stat().st_size > 200_000 for p in _hidden_temps(tmp_path, out.name))

    _interrupt(["ingest", str(big_jsonl), "-o", str(out)], ready, sig)
    assert out.read_bytes() == previous, "the previous output was replaced by a partial one"
    if sig != signal.SIGKILL:  # a catchable signal: the temporary file is removed too
        assert _hidden_temps(tmp_path, out.name) == [], f"half-written temporary file left after {sig.name}"
    rerun = subprocess.run([sys.executable, "-m", "toolkit", "ingest", str(big_jsonl), "-o", str(out)], env=base_env(),
                           capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert sum(1 for _ in out.open(encoding="utf-8")) == 20000


@pytest.fixture(scope="module")
def big_export(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("bigexport") / "export.json"
    p.write_text(json.dumps(corpus(5000)), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def seeds_build(tmp_path_factory) -> Path:
    """A real ``quotekit build`` of the seeds export, made once for the module: each interrupted
    build starts from a copy of it (--force replaces only a directory that quotekit build wrote)."""
    ds = tmp_path_factory.mktemp("seeds-build") / "ds"
    first = subprocess.run([sys.executable, "-m", "toolkit", "build", str(REPO / "annotations" / "exports" / "seeds-v1.json"), "-o", str(ds)],
                           env=base_env(), capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    return ds


@pytest.mark.parametrize("sig", SIGNALS)
def test_interrupted_build_leaves_no_half_written_dataset(big_export, seeds_build, tmp_path, sig):
    import shutil

    ds = tmp_path / "ds"
    shutil.copytree(seeds_build, ds)  # a real previous build
    previous = {str(p.relative_to(ds)): p.read_bytes() for p in sorted(ds.rglob("*")) if p.is_file()}
    started = {"t": None}

    def ready() -> bool:
        if _hidden_temps(tmp_path, ds.name):
            started["t"] = started["t"] or time.monotonic()
            return time.monotonic() - started["t"] > 1.0  # well inside the run, not at its very start
        return False

    before = big_export.read_bytes()
    _interrupt(["build", str(big_export), "-o", str(ds), "--force"], ready, sig)
    assert {str(p.relative_to(ds)): p.read_bytes() for p in sorted(ds.rglob("*")) if p.is_file()} == previous  # untouched
    if sig != signal.SIGKILL:
        assert _hidden_temps(tmp_path, ds.name) == [], f"half-built temporary directory left after {sig.name}"
    assert big_export.read_bytes() == before
    rerun = subprocess.run([sys.executable, "-m", "toolkit", "build", str(big_export), "-o", str(ds), "--force"],
                           env=base_env(), capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert (ds / "README.md").read_bytes() != previous["README.md"]  # the big export's card replaced it


def test_outputs_get_ordinary_file_permissions(tmp_path):
    """Atomic writes go through private temporary files; the outputs must still be readable like
    any file the user writes (0666 and 0777 minus the umask), not 0600/0700."""
    mask = os.umask(0)
    os.umask(mask)
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"article_id": "a", "text": "The minister said the talks would resume on Monday."}) + "\n")
    ex = tmp_path / "e.json"
    ex.write_text(json.dumps(corpus(3)), encoding="utf-8")
    env = base_env()
    for cmd in (["ingest", src, "-o", tmp_path / "articles.jsonl"], ["preannotate", src, "-o", tmp_path / "pred.jsonl"],
                ["build", ex, "-o", tmp_path / "ds"]):
        proc = subprocess.run([sys.executable, "-m", "toolkit", *map(str, cmd)], env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
    for f in ("articles.jsonl", "pred.jsonl", "ds/README.md"):
        assert stat.S_IMODE((tmp_path / f).stat().st_mode) == 0o666 & ~mask, f
    assert stat.S_IMODE((tmp_path / "ds").stat().st_mode) == 0o777 & ~mask, "dataset directory"


def test_rerunning_local_commands_gives_identical_outputs(tmp_path):
    raw = REPO / "annotations" / "raw"
    env = base_env()

    def run(*cmd):
        proc = subprocess.run([sys.executable, "-m", "toolkit", *map(str, cmd)], env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        return proc

    run("ingest", raw, "-o", tmp_path / "a1.jsonl")
    run("ingest", raw, "-o", tmp_path / "a2.jsonl")
    run("ingest", raw, "-o", tmp_path / "a1.jsonl")  # over its own previous output
    a1, a2 = (tmp_path / "a1.jsonl").read_text(), (tmp_path / "a2.jsonl").read_text()
    strip = lambda s: [{k: v for k, v in json.loads(x).items() if k != "source_path"} for x in s.splitlines()]  # noqa: E731
    assert strip(a1) == strip(a2)
    run("preannotate", tmp_path / "a1.jsonl", "-o", tmp_path / "p1.jsonl")
    run("preannotate", tmp_path / "a1.jsonl", "-o", tmp_path / "p2.jsonl")
    assert (tmp_path / "p1.jsonl").read_bytes() == (tmp_path / "p2.jsonl").read_bytes()


def annotated_project(ls_server, title: str) -> str:
    """A project with the two first sample articles, each annotated with its prediction."""
    from toolkit.labelstudio.push import push_records
    from toolkit.labelstudio.testing import sample_data

    push_records(ls_server.client(), sample_data()[:2], title, progress=False, echo=lambda s: None)
    client = ls_server.client()
    project = client.find_project(title)
    for t in client.iter_tasks(project["id"]):
        if not t.get("annotations"):
            client.create_annotation(t["id"], t["predictions"][0]["result"])
    return title


def test_rerunning_push_and_pull_is_safe(ls_server, tmp_path):
    """A second push imports nothing; a second pull (to a new file) holds the same tasks and
    annotations; a pull onto the first file is refused and leaves it as it was."""
    title = annotated_project(ls_server, "faults rerun pull")
    src = write_jsonl(tmp_path / "a.jsonl", sample_data()[:2])
    proc = ls_server.cli("ls", "push", str(src), "--project", title)
    assert proc.returncode == 0 and "0 tasks imported, 2 already present" in proc.stdout, proc.stdout + proc.stderr
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    for out in (first, second):
        proc = ls_server.cli("ls", "pull", "--project", title, "-o", str(out))
        assert proc.returncode == 0, proc.stderr

    def key(path: Path):
        return sorted((t["data"]["article_id"], [(a["id"], json.dumps(a["result"], sort_keys=True)) for a in t["annotations"]])
                      for t in json.loads(path.read_text(encoding="utf-8")))

    assert key(first) == key(second) and len(key(first)) == 2
    before = first.read_bytes()
    proc = ls_server.cli("ls", "pull", "--project", title, "-o", str(first))
    assert proc.returncode == 2 and "already exists" in one_line(proc.stderr) and first.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1.json", "2.json", "a.jsonl"]


def test_a_pull_whose_download_fails_writes_nothing(ls_server, fast_client, tmp_path):
    """The export snapshot is made but its download keeps breaking: exit 3, no file, no
    temporary file, and the snapshot is deleted from the server; the next pull writes the whole
    export (and deletes its snapshot too)."""
    from toolkit.labelstudio.pull import pull_export

    title = annotated_project(ls_server, "faults broken download")
    out = tmp_path / "export.json"
    policy = lambda m, p, n: "close" if "/download" in p else "pass"  # noqa: E731
    with FaultProxy(ls_server.url, policy) as proxy:
        with pytest.raises(ServerError) as exc:
            pull_export(fast_client(proxy.url), title, out, echo=lambda s: None)
        assert len(proxy.requests("GET", "/download")) == 3
    assert fast_client.sleeps[-2:] == [0.2, 0.4]  # three tries of the download
    assert exc.value.exit_code == 3 and ls_server.token not in str(exc.value)
    assert list(tmp_path.iterdir()) == [], "a failed pull left a file behind"
    client = ls_server.client()
    pid = client.find_project(title)["id"]
    assert client.list_exports(pid) == [], "a failed pull left its export snapshot on the server"
    result = pull_export(client, title, out, echo=lambda s: None)
    assert result.tasks == 2 and len(json.loads(out.read_text(encoding="utf-8"))) == 2
    assert client.list_exports(pid) == []


def _run_with_file_size_limit(limit: int, *args: str) -> subprocess.CompletedProcess:
    """``quotekit <args>`` where no file may grow past ``limit`` bytes: a disk that fills up."""
    import resource

    def limit_writes() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "toolkit", *args], env=base_env(), preexec_fn=limit_writes,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("command", ["ingest", "preannotate", "build", "ls config"])
def test_disk_full_mid_write_keeps_the_previous_output_and_says_so(command, big_jsonl, tmp_path):
    """The disk fills up while an output is written: the previous output is intact, no temporary
    file stays, and the error is one line naming the output (no traceback)."""
    small = tmp_path / "in.jsonl"
    small.write_text("".join(json.dumps({"article_id": f"s{i}", "text": "“We will win,” the minister said. " * 20}) + "\n"
                             for i in range(50)), encoding="utf-8")
    export = tmp_path / "e.json"
    export.write_text(json.dumps(corpus(300)), encoding="utf-8")
    out = tmp_path / ("out.xml" if command == "ls config" else "ds" if command == "build" else "out.jsonl")
    if command == "build":
        out.mkdir()
        (out / "README.md").write_text("previous build", encoding="utf-8")
    else:
        out.write_text("previous output\n", encoding="utf-8")
    before = sorted((p.relative_to(tmp_path), p.read_bytes() if p.is_file() else b"") for p in tmp_path.rglob("*"))
    args = {"ingest": ["ingest", str(big_jsonl), "-o", str(out)],
            "preannotate": ["preannotate", str(small), "-o", str(out)],
            "build": ["build", str(export), "-o", str(out), "--force"],
            "ls config": ["ls", "config", "-o", str(out)]}[command]
    proc = _run_with_file_size_limit(600, *args)
    assert proc.returncode != 0
    after = sorted((p.relative_to(tmp_path), p.read_bytes() if p.is_file() else b"") for p in tmp_path.rglob("*"))
    assert after == before, "the previous output was damaged, or a temporary file was left"
    assert "Traceback" not in proc.stderr, proc.stderr[-800:]
    assert out.name in one_line(proc.stderr)
