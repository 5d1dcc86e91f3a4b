"""``quotekit ls backend``: a model server speaking Label Studio's ML backend protocol.

A project connected to it (``quotekit ls connect``) gets quotekit's pre-annotations for tasks
imported without them (UI upload, cloud storage, API): when a task is opened, and for the
Data Manager's "Retrieve predictions" action. What Label Studio 1.23 sends and expects (read
from its ``ml/api_connector.py`` and ``ml/models.py``):

``GET /health``    any 2xx JSON answer within 1 s (``ML_TIMEOUT_HEALTH``) means "connected".
``POST /setup``    ``{project, schema, hostname, access_token, extra_params}`` within 3 s;
                   answer ``{"model_version": ...}``. Label Studio calls health + setup before
                   every prediction request, and skips the tasks that already hold a prediction
                   of that version (so pushed tasks are never predicted twice).
``POST /predict``  ``{tasks: [{id, data, ...}], project, label_config, params}`` within 100 s
                   (``ML_TIMEOUT_PREDICT``); answer ``{"results": [one item per task, in
                   order]}``. An item is ``{"result", "score", "model_version"}``; an item
                   without ``result`` is skipped by Label Studio (logged), so a task that cannot
                   be predicted gets ``{"error": ...}`` and stays bare: a later retrieve asks
                   again. A "Retrieve predictions" over 1,000 tasks is ONE request.
``POST /webhook``  every project event (Label Studio creates this webhook with the backend, for
                   all actions), sent synchronously inside the annotator's request with a 1 s
                   timeout: it is answered at once; annotation events are appended to
                   ``annotations.jsonl`` by a writer thread (failures are logged, never raised).

**One code path.** Each item is :func:`toolkit.labelstudio.tasks.build_task`'s prediction for
the article, after :func:`toolkit.labelstudio.push.preannotate` with the preannotator the
command layer gives (as ``ls push`` does), checked by ``validate_prediction`` against the
project's own labeling config: the same regions, relations, per-region choices, scores,
``model_version`` and rule meta as ``ls push`` sends for the same text and ``article_id`` (a task
without ``article_id`` is ``ls-task-<id>``, as the export reader names it).

**One slow article never blocks the others.** Articles are pre-annotated in worker processes
(:class:`WorkerPool`, ``--workers``, each loads the pipeline once), one article per job; the HTTP
server's event loop never runs the rules, so ``/health``, ``/setup`` and ``/webhook`` answer while
articles are being processed. A job that runs past ``--article-timeout`` seconds gets an error
item and its worker process is killed and replaced; the other workers go on. Jobs of small
requests go first (the queue is ordered by the request's number of tasks), so a task opened in
the editor is not queued behind a 1,000-task retrieve.

**Safe by default.** Bound to 127.0.0.1; optional HTTP basic auth (``QUOTEKIT_BACKEND_USER`` /
``QUOTEKIT_BACKEND_PASSWORD``, compared in constant time, on every route); request bodies over
``max_body_bytes`` get 413, texts over ``max_text_chars`` a 413 or an error item; no payload,
header, token or password is ever logged (Label Studio sends its API token in ``/setup``). A bad
request gets a 4xx JSON answer ``{"error": "..."}`` and the server goes on.

Needs Label Studio started with loopback allowed for model servers and webhooks (``quotekit ls
serve`` does: see :data:`toolkit.labelstudio.server`); Label Studio's default blocks 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import itertools
import json
import logging
import os
import queue
import secrets
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from toolkit.errors import BadInputError, ServerError
from toolkit.labelstudio import names as N

log = logging.getLogger("quotekit.backend")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9090
MAX_TEXT_CHARS = 1_000_000  # one article; a longer text is refused (413 / an error item)
MAX_BODY_BYTES = 100 * 1024 * 1024  # one request (a retrieve over 1,000 articles is about 10 MB)
ARTICLE_TIMEOUT = 30.0  # seconds for one article in a worker; then the worker is replaced
REQUEST_DEADLINE = 90.0  # answer a predict by then (Label Studio gives up at 100 s, ML_TIMEOUT_PREDICT)
STATE_FILE = "backend.json"
LOG_FILE = "backend.log"
ANNOTATIONS_FILE = "annotations.jsonl"
#: Webhook actions recorded for the corrections report; the others are answered and ignored.
RECORDED_ACTIONS = ("ANNOTATION_CREATED", "ANNOTATIONS_CREATED", "ANNOTATION_UPDATED", "ANNOTATIONS_DELETED")
USER_ENV, PASSWORD_ENV = "QUOTEKIT_BACKEND_USER", "QUOTEKIT_BACKEND_PASSWORD"

#: What the command layer gives: called once in each worker process, returns a preannotator
#: (``toolkit.labelstudio.push.Preannotator``). Must be picklable (a module-level function or a
#: ``functools.partial`` of one): workers are started with the ``spawn`` method.
PreannotatorFactory = Callable[[], Callable]


def default_data_dir() -> Path:
    """``$QUOTEKIT_BACKEND_DATA_DIR``, else ``backend`` beside Label Studio's data dir (``.quotekit/backend``)."""
    from toolkit.labelstudio.server import state_root

    env = os.environ.get("QUOTEKIT_BACKEND_DATA_DIR")
    return Path(env) if env else state_root() / "backend"


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    return Path(data_dir).expanduser().resolve() if data_dir else default_data_dir().resolve()


@dataclass
class Settings:
    model_version: str
    model: str = "blank"  # shown by /health; the factory decides what is loaded
    workers: int = 1
    article_timeout: float = ARTICLE_TIMEOUT
    max_text_chars: int = MAX_TEXT_CHARS
    max_body_bytes: int = MAX_BODY_BYTES
    request_deadline: float = REQUEST_DEADLINE
    data_dir: Path | None = None  # None: no webhook file (tests of predict only)
    auth: tuple[str, str] | None = field(default=None, repr=False)  # (user, password)

    def __repr__(self) -> str:  # never the password
        return (f"Settings(model_version={self.model_version!r}, model={self.model!r}, workers={self.workers}, "
                f"auth={'on' if self.auth else 'off'})")


class RequestError(Exception):
    """A bad request: answered with ``status`` and ``{"error": message}``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


# --------------------------------------------------------------------------- one article


def task_record(task: Any, max_text_chars: int = MAX_TEXT_CHARS) -> dict[str, Any]:
    """The article record of one task of a ``/predict`` request, or a :class:`RequestError`
    (422: wrong shape or types; 413: text too long) naming the task.

    >>> task_record({"id": 7, "data": {"text": "He said so."}})["article_id"]
    'ls-task-7'
    >>> task_record({"id": 7, "data": {"text": 5}})
    Traceback (most recent call last):
    ...
    toolkit.labelstudio.backend.RequestError: task 7: data.text is a int, not a string
    """
    if not isinstance(task, dict):
        raise RequestError(422, f"a task is a {type(task).__name__}, not an object with 'id' and 'data'")
    tid = task.get("id")
    name = f"task {tid}" if isinstance(tid, (int, str)) and not isinstance(tid, bool) else "a task"
    data = task.get("data")
    if not isinstance(data, dict):
        raise RequestError(422, f"{name}: 'data' must be an object holding the article's 'text'")
    text = data.get("text")
    if text is None:
        raise RequestError(422, f"{name}: data has no 'text' (quotekit's labeling config reads the article from $text)")
    if not isinstance(text, str):
        raise RequestError(422, f"{name}: data.text is a {type(text).__name__}, not a string")
    if not text.strip():
        raise RequestError(422, f"{name}: data.text is empty")
    if len(text) > max_text_chars:
        raise RequestError(413, f"{name}: the text has {len(text):,} characters, over the limit of {max_text_chars:,} "
                                "(start the backend with a larger --max-text-chars, or split the article)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise RequestError(422, f"{name}: data.text holds unpaired surrogates (not valid Unicode)") from None
    from toolkit.errors import BadInputError
    from toolkit.labelstudio.push import refuse_offset_breaking_text

    aid = data.get("article_id")
    article_id = str(aid) if isinstance(aid, (str, int)) and not isinstance(aid, bool) and str(aid) else f"ls-task-{tid}"
    try:
        refuse_offset_breaking_text(article_id, text, name)  # the check ls push makes (NUL)
    except BadInputError as exc:
        raise RequestError(422, str(exc)) from None
    record = {k: data.get(k) for k in ("title", "outlet", "date") if isinstance(data.get(k), (str, int, float))}
    record.update(article_id=article_id, text=text)
    if isinstance(data.get(N.SPEAKER_CANDIDATES), list):  # the candidates its screen shows: a prediction may name only these
        record[N.SPEAKER_CANDIDATES] = data[N.SPEAKER_CANDIDATES]
    return record


class Predictor:
    """Everything one worker needs, loaded once: the preannotator, the registry, the stance
    scheme, quotekit's own labeling config (used when a request brings none) and the parsed
    configs of the projects asking (a few, by content)."""

    def __init__(self, preannotator: Callable, model_version: str):
        from toolkit.config import load_registry, load_stance
        from toolkit.labelstudio.config import build_label_config

        self.preannotator = preannotator
        self.model_version = model_version
        self.registry = load_registry()
        self.scheme = load_stance()
        self.own_config = build_label_config(self.registry.names(), self.scheme.labels, self.scheme.target.description)
        self._interfaces: dict[str, Any] = {}

    def interface(self, label_config: str | None):
        """The SDK's check of the project's config, or None when the project's config is quotekit's
        own (none sent, or the same text): ``validate_prediction``'s own checks then cover the same
        labels, choices and names (about 5 ms of a 15 ms article saved)."""
        from toolkit.labelstudio.tasks import label_interface

        xml = label_config if isinstance(label_config, str) and label_config.strip() else self.own_config
        if xml.strip() == self.own_config.strip():
            return None
        if xml not in self._interfaces:
            if len(self._interfaces) >= 8:
                self._interfaces.pop(next(iter(self._interfaces)))
            self._interfaces[xml] = label_interface(xml)
        return self._interfaces[xml]

    def predict(self, record: dict[str, Any], label_config: str | None = None) -> dict[str, Any]:
        """``{"result", "score", "model_version"}`` for one article record, exactly as ``ls push``
        builds it, or ``{"error": ...}`` (pre-annotation failed, or the prediction does not fit
        the project's labeling config)."""
        from toolkit.labelstudio.push import PushReport, preannotate
        from toolkit.labelstudio.config import speaker_control_of
        from toolkit.labelstudio.tasks import build_task, candidate_names, validate_prediction

        report = PushReport()
        quotes = preannotate([record], self.preannotator, report, echo=lambda _msg: None)
        aid = record["article_id"]
        if aid not in quotes:
            return {"error": "; ".join(report.preannotate_failed) or f"article {aid}: no pre-annotation"}
        # an older project keeps its speaker control: a drop-down (Choices; its editor crashes on a
        # taxonomy result) or the registry list without the candidate radio (no candidate result)
        control = speaker_control_of(label_config) if isinstance(label_config, str) else "Candidates"
        if control == "Candidates" and N.SPEAKER_CANDIDATES not in record:
            record = {**record, N.SPEAKER_CANDIDATES: []}  # the task shows no candidate: none may be named
        built = build_task(record, quotes[aid], self.model_version, self.registry, speaker_control=control)
        pred = built.prediction
        errors = validate_prediction(aid, record["text"], pred, stance_labels=self.scheme.labels,
                                     speaker_names=self.registry.names(), interface=self.interface(label_config),
                                     candidates=candidate_names(built.task["data"]))
        if errors:
            more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
            return {"error": "; ".join(errors[:3]) + more}
        return {"result": pred["result"], "score": pred["score"], "model_version": pred["model_version"]}


# --------------------------------------------------------------------------- worker processes


def _worker_main(conn, factory: PreannotatorFactory, model_version: str) -> None:
    """A worker process: load once, then answer one job (record, label_config) at a time."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which stops us
    _limit_malloc_arenas()
    try:
        predictor = Predictor(factory(), model_version)
    except BaseException as exc:  # noqa: BLE001 - reported to the pool, which gives up
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        record, label_config = job
        try:
            out = predictor.predict(record, label_config)
        except Exception as exc:  # noqa: BLE001 - one article's bug is its error item, not the worker's end
            out = {"error": f"article {record.get('article_id')}: {type(exc).__name__}: {str(exc)[:300]}"}
        # a prediction goes back as its JSON, made here: the server's event loop only joins bytes
        conn.send(("done", out if "error" in out else json.dumps(out, ensure_ascii=False).encode("utf-8")))


class _Slot:
    """One worker process and the pipe to it."""

    def __init__(self, ctx, factory: PreannotatorFactory, model_version: str):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, factory, model_version), daemon=True,
                                   name="quotekit-backend-worker")
        self.process.start()
        child.close()
        self.jobs = 0

    def wait_ready(self, timeout: float) -> str | None:
        """None when the worker has loaded its pipeline, else why not."""
        if not self.conn.poll(timeout):
            return f"the worker did not load the pipeline within {timeout:.0f} s"
        try:
            kind, detail = self.conn.recv()
        except (EOFError, OSError):
            return f"the worker exited while loading the pipeline (exit code {self.process.exitcode})"
        return None if kind == "ready" else str(detail)

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(2)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(2)
        self.conn.close()


class WorkerPool:
    """``size`` worker processes, each fed by a thread of this process that sends one job at a
    time and waits at most ``timeout`` seconds for the answer; a worker that runs over (or dies)
    is killed and replaced, its job answered with an error. Jobs are taken lowest ``priority``
    first, then in submission order. A job's future holds the item's JSON (bytes), or
    ``{"error": message}``."""

    def __init__(self, factory: PreannotatorFactory, model_version: str, size: int = 1,
                 timeout: float = ARTICLE_TIMEOUT, load_timeout: float = 300.0):
        import multiprocessing

        self.factory, self.model_version = factory, model_version
        self.size, self.timeout, self.load_timeout = max(1, size), timeout, load_timeout
        self._ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._seq = itertools.count()
        self._threads: list[threading.Thread] = []
        self._closing = threading.Event()
        self.ready = 0
        self.failure: str | None = None
        self.stats = {"articles": 0, "errors": 0, "timeouts": 0, "restarts": 0, "cancelled": 0}
        self._lock = threading.Lock()
        self.pids: list[int] = []

    def start(self) -> None:
        for i in range(self.size):
            t = threading.Thread(target=self._run, name=f"quotekit-backend-slot-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def submit(self, record: dict[str, Any], label_config: str | None, priority: int = 0) -> Future:
        fut: Future = Future()
        if self.failure is not None:
            fut.set_result({"error": f"the backend's workers cannot start: {self.failure}"})
            return fut
        self._queue.put((priority, next(self._seq), record, label_config, fut))
        return fut

    def queued(self) -> int:
        return self._queue.qsize()

    def close(self) -> None:
        self._closing.set()
        for _ in self._threads:
            self._queue.put((float("inf"), next(self._seq), None, None, None))
        for t in self._threads:
            t.join(5)

    def _spawn(self) -> _Slot | None:
        try:
            slot = _Slot(self._ctx, self.factory, self.model_version)
        except Exception as exc:  # noqa: BLE001 - e.g. no process can be started
            self.failure = f"cannot start a worker process: {type(exc).__name__}: {str(exc).strip()[:200]}"
            log.error("backend worker failed to start: %s", self.failure)
            self._fail_queued()
            return None
        why = slot.wait_ready(self.load_timeout)
        if why is None:
            with self._lock:
                self.pids.append(slot.process.pid)
                self.ready += 1
            return slot
        slot.kill()
        self.failure = why
        log.error("backend worker failed to start: %s", why)
        self._fail_queued()
        return None

    def _fail_queued(self) -> None:
        while True:
            try:
                *_, fut = self._queue.get_nowait()
            except queue.Empty:
                return
            if fut is not None and not fut.done():
                fut.set_result({"error": f"the backend's workers cannot start: {self.failure}"})

    def _forget(self, slot: _Slot) -> None:
        with self._lock:
            if slot.process.pid in self.pids:
                self.pids.remove(slot.process.pid)

    def _run(self) -> None:
        slot = self._spawn()
        try:
            while slot is not None:
                _prio, _seq, record, label_config, fut = self._queue.get()
                if fut is None or self._closing.is_set():
                    if fut is not None and not fut.done():
                        fut.set_result({"error": "the backend is shutting down"})
                    return
                if not fut.set_running_or_notify_cancel():
                    with self._lock:
                        self.stats["cancelled"] += 1
                    continue
                out, broken = self._roundtrip(slot, record, label_config)
                with self._lock:
                    self.stats["articles"] += 1
                    self.stats["errors"] += isinstance(out, dict)
                fut.set_result(out)
                if broken:
                    with self._lock:
                        self.ready -= 1
                        self.stats["restarts"] += 1
                    self._forget(slot)
                    slot.kill()
                    slot = self._spawn()
        finally:
            if slot is not None:
                try:
                    slot.conn.send(None)
                except OSError:
                    pass
                slot.process.join(3)
                self._forget(slot)
                slot.kill()

    def _roundtrip(self, slot: _Slot, record: dict, label_config: str | None) -> tuple[dict, bool]:
        """(answer, worker broken?)"""
        aid = record.get("article_id")
        t0 = time.monotonic()
        try:
            slot.conn.send((record, label_config))
            if slot.conn.poll(self.timeout):
                kind, out = slot.conn.recv()
                slot.jobs += 1
                return out, False
        except (EOFError, OSError, BrokenPipeError):
            return {"error": f"article {aid}: the worker process died (exit code {slot.process.exitcode}); "
                             "retrieve its predictions again"}, True
        with self._lock:
            self.stats["timeouts"] += 1
        log.warning("article %s: no answer within %.0f s; its worker is replaced", aid, time.monotonic() - t0)
        return {"error": f"article {aid}: not pre-annotated within {self.timeout:.0f} s (the backend's "
                         "--article-timeout); its worker was restarted"}, True


# --------------------------------------------------------------------------- webhook file


class AnnotationLog:
    """Appends one JSON line per recorded webhook event to ``path`` from a writer thread, so the
    webhook is answered before anything touches the disk. Each line is one ``os.write`` on a file
    opened with ``O_APPEND`` (a concurrent writer never interleaves within a line). A failure
    (disk full, permissions) is logged and counted, never raised; a full queue drops the event
    (logged)."""

    def __init__(self, path: Path, maxsize: int = 10_000):
        self.path = path
        self._queue: queue.Queue = queue.Queue(maxsize=maxsize)
        self.written = 0
        self.failed = 0
        self._thread = threading.Thread(target=self._run, name="quotekit-backend-webhook-log", daemon=True)
        self._thread.start()

    def add(self, event: dict[str, Any]) -> bool:
        try:
            self._queue.put_nowait(event)
            return True
        except queue.Full:
            self.failed += 1
            log.error("webhook: %d events waiting to be written; event %s dropped", self._queue.qsize(),
                      event.get("action"))
            return False

    def flush(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)

    def close(self) -> None:
        self.flush()
        self._queue.put(None)
        self._thread.join(5)

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            try:
                if event is None:
                    return
                line = (json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8", "replace")
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    view = memoryview(line)
                    while view:
                        n = os.write(fd, view)
                        view = view[n:]
                finally:
                    os.close(fd)
                self.written += 1
            except Exception as exc:  # noqa: BLE001 - never raised to Label Studio
                self.failed += 1
                log.error("webhook: could not record %s in %s: %s", event.get("action") if event else "?",
                          self.path, type(exc).__name__)
            finally:
                self._queue.task_done()


def webhook_event(payload: dict[str, Any]) -> dict[str, Any]:
    """The line recorded for one webhook payload: the action, when it arrived, the project's id and
    title (not its config), the task (id, data: article_id, text, text_sha256 ...) and the
    annotation(s) as Label Studio sent them (result, completed_by, was_cancelled, lead_time,
    parent_prediction ...).

    >>> webhook_event({"action": "ANNOTATION_CREATED", "project": {"id": 3, "title": "t", "label_config": "<View/>"},
    ...                "annotation": {"id": 9}, "task": {"id": 4}})["project"]
    {'id': 3, 'title': 't'}
    """
    project = payload.get("project")
    out: dict[str, Any] = {
        "action": payload.get("action"),
        "received_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "project": {k: project.get(k) for k in ("id", "title")} if isinstance(project, dict) else project,
    }
    for key in ("task", "annotation", "annotations"):
        if key in payload:
            out[key] = payload[key]
    return out


# --------------------------------------------------------------------------- the app


def _auth_ok(header: str | None, auth: tuple[str, str]) -> bool:
    """Constant-time check of an ``Authorization: Basic ...`` header.

    >>> _auth_ok("Basic " + base64.b64encode(b"ls:pw").decode(), ("ls", "pw")), _auth_ok(None, ("ls", "pw"))
    (True, False)
    """
    if not header or not header.startswith("Basic "):
        return False
    try:
        user, _, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    ok_user = secrets.compare_digest(user.encode(), auth[0].encode())
    ok_pw = secrets.compare_digest(password.encode(), auth[1].encode())
    return ok_user and ok_pw


async def _read_json(request, limit: int) -> Any:
    """The request's JSON body: 413 over ``limit`` bytes, 400 when not UTF-8 JSON."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestError(413, f"the request body has {int(declared):,} bytes, over the backend's limit of {limit:,}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(413, f"the request body is over the backend's limit of {limit:,} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    if not body.strip():
        raise RequestError(400, "the request body is empty (expected a JSON object)")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestError(400, f"the request body is not valid UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise RequestError(400, f"the request body is not JSON: {str(exc)[:120]}") from None


def create_app(settings: Settings, factory: PreannotatorFactory, pool: WorkerPool | None = None):
    """The Starlette app. ``pool`` (tests): a pool to use instead of starting one of
    ``settings.workers`` processes with ``factory`` at startup."""
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    state: dict[str, Any] = {"pool": pool, "log": None}

    @asynccontextmanager
    async def lifespan(app):
        own_pool = state["pool"] is None
        if own_pool:
            state["pool"] = WorkerPool(factory, settings.model_version, settings.workers, settings.article_timeout)
        state["pool"].start() if own_pool else None
        if settings.data_dir is not None:
            state["log"] = AnnotationLog(Path(settings.data_dir) / ANNOTATIONS_FILE)
        try:
            yield
        finally:
            if own_pool:
                await asyncio.to_thread(state["pool"].close)
            if state["log"] is not None:
                await asyncio.to_thread(state["log"].close)

    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status)

    async def health(request):
        p: WorkerPool = state["pool"]
        if p.failure and not p.ready:  # Label Studio then shows the backend as disconnected
            return JSONResponse({"status": "DOWN", "error": f"the workers cannot start: {p.failure}"}, status_code=503)
        return JSONResponse({"status": "UP", "model_class": "quotekit", "model_version": settings.model_version,
                             "model": settings.model, "workers": p.size, "workers_ready": p.ready})

    async def metrics(request):
        p: WorkerPool = state["pool"]
        lg: AnnotationLog | None = state["log"]
        return JSONResponse({**p.stats, "queued": p.queued(), "workers_ready": p.ready, "worker_pids": list(p.pids),
                             "webhook_recorded": lg.written if lg else 0, "webhook_failed": lg.failed if lg else 0})

    async def setup(request):
        try:
            body = await _read_json(request, settings.max_body_bytes)
            if not isinstance(body, dict):
                raise RequestError(422, f"setup takes a JSON object, not a {type(body).__name__}")
            schema = body.get("schema")
            if schema is not None and not isinstance(schema, str):
                raise RequestError(422, f"'schema' (the labeling config) is a {type(schema).__name__}, not a string")
            if schema:
                from toolkit.labelstudio.config import foreign_config_reason

                try:
                    reason = foreign_config_reason(schema)
                except ValueError as exc:
                    reason = f"its labeling config is not XML ({str(exc)[:80]})"
                if reason:
                    raise RequestError(422, f"this project is not a quotekit project: {reason}")
        except RequestError as exc:
            return error(exc.status, str(exc))
        log.info("setup for project %s", body.get("project"))  # never the access_token it carries
        return JSONResponse({"model_version": settings.model_version})

    async def predict(request):
        t0 = time.monotonic()
        try:
            body = await _read_json(request, settings.max_body_bytes)
            if not isinstance(body, dict):
                raise RequestError(422, f"predict takes a JSON object with 'tasks', not a {type(body).__name__}")
            tasks = body.get("tasks")
            if not isinstance(tasks, list) or not tasks:
                raise RequestError(422, "'tasks' must be a non-empty list of tasks ({'id', 'data': {'text'}})")
            label_config = body.get("label_config")
            if label_config is not None and not isinstance(label_config, str):
                raise RequestError(422, f"'label_config' is a {type(label_config).__name__}, not a string")
        except RequestError as exc:
            return error(exc.status, str(exc))
        p: WorkerPool = state["pool"]
        slots: list[Any] = []
        refused: list[RequestError] = []
        for task in tasks:
            try:
                slots.append(p.submit(task_record(task, settings.max_text_chars), label_config, priority=len(tasks)))
            except RequestError as exc:
                refused.append(exc)
                slots.append({"error": str(exc)})
        del tasks, body  # the texts travel in the jobs; nothing of the request is kept past this point
        jobs = [s for s in slots if isinstance(s, Future)]
        ended = await _wait_or_cancel(request, jobs, t0 + settings.request_deadline)
        if ended == "hung up":
            log.warning("predict: Label Studio hung up after %.0f s; %d queued articles of its %d dropped",
                        time.monotonic() - t0, sum(f.cancelled() for f in jobs), len(slots))
            return Response(status_code=499)
        late = {"error": f"not reached within the backend's {settings.request_deadline:.0f} s for one request "
                         "(Label Studio gives up at 100 s): retrieve predictions again for the tasks still without one"}
        done = iter([f.result() if f.done() and not f.cancelled() else late for f in jobs])
        items: list[bytes] = []
        errors: list[str] = []
        for s in slots:
            out = next(done) if isinstance(s, Future) else s
            if isinstance(out, bytes):
                items.append(out)
            else:
                errors.append(out["error"])
                items.append(json.dumps({"model_version": settings.model_version, "error": out["error"]},
                                        ensure_ascii=False).encode("utf-8"))
        n = len(slots)
        del slots, jobs
        log.info("predict: %d tasks, %d errors, %.0f ms", n, len(errors), (time.monotonic() - t0) * 1000)
        if len(errors) == n:
            status = max((e.status for e in refused), default=503) if len(refused) == n else 503
            shown = "; ".join(errors[:3]) + (f" (and {len(errors) - 3} more)" if len(errors) > 3 else "")
            return error(status, shown)
        mv = json.dumps(settings.model_version, ensure_ascii=False).encode("utf-8")
        content = b'{"results":[' + b",".join(items) + b'],"model_version":' + mv + b"}"
        del items
        if n >= 100:
            _release_freed_memory()
        return Response(content, media_type="application/json")

    async def webhook(request):
        try:
            body = await _read_json(request, settings.max_body_bytes)
            if not isinstance(body, dict) or not isinstance(body.get("action"), str):
                raise RequestError(422, "a webhook is a JSON object with an 'action'")
        except RequestError as exc:
            log.warning("webhook refused: %s", exc)
            return error(exc.status, str(exc))
        action = body["action"]
        lg: AnnotationLog | None = state["log"]
        if action not in RECORDED_ACTIONS or lg is None:
            return JSONResponse({"status": "ignored", "action": action})
        lg.add(webhook_event(body))
        return JSONResponse({"status": "recorded", "action": action})

    routes = [
        Route("/", health, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/setup", setup, methods=["POST"]),
        Route("/predict", predict, methods=["POST"]),
        Route("/webhook", webhook, methods=["POST"]),
    ]
    middleware = [Middleware(_BasicAuth, auth=settings.auth)] if settings.auth else []
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.backend = state
    return app


def _limit_malloc_arenas(n: int = 2) -> None:
    """At most ``n`` glibc malloc arenas in this process (``mallopt(M_ARENA_MAX)``; a no-op
    elsewhere): each thread that allocates may otherwise get an arena of its own, which keeps
    its freed memory. Measured on the seed articles: a worker at 128 MB after its first
    1,000-article batch with the default, 110 MB with two arenas."""
    import ctypes
    import ctypes.util

    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt(-8, n)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


async def _wait_or_cancel(request, jobs: list[Future], deadline: float, poll: float = 1.0) -> str:
    """Wait for ``jobs``: ``"done"``; or, at ``deadline`` (monotonic), cancel the ones not done and
    ``"deadline"`` (the caller answers what is done, so Label Studio stores it and a later retrieve
    sends only the rest: a retrieve bigger than 100 s of work converges); or, when the client
    hangs up first, cancel them and ``"hung up"`` (the workers do not go on for nobody). A job
    already running in a worker finishes; its answer is dropped."""
    pending = {asyncio.wrap_future(f) for f in jobs if not f.done()}
    while pending:
        wait = min(poll, deadline - time.monotonic())
        if wait > 0:
            _done, pending = await asyncio.wait(pending, timeout=wait)
        if not pending:
            break
        hung_up = await request.is_disconnected()
        if hung_up or time.monotonic() >= deadline:
            for f in jobs:
                f.cancel()
            return "hung up" if hung_up else "deadline"
    return "done"


def _release_freed_memory() -> None:
    """Hand the heap memory freed after a big request back to the OS (glibc's ``malloc_trim``;
    a no-op elsewhere): a 1,000-task request would otherwise leave the server's RSS at its peak."""
    import ctypes
    import ctypes.util

    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class _BasicAuth:
    """ASGI middleware: every HTTP request needs the basic-auth user and password (401 otherwise)."""

    def __init__(self, app, auth: tuple[str, str]):
        self.app, self.auth = app, auth

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            header = dict(scope.get("headers") or ()).get(b"authorization", b"").decode("latin-1")
            if not _auth_ok(header, self.auth):
                from starlette.responses import JSONResponse

                resp = JSONResponse({"error": "authentication required (HTTP basic auth: set the user and password "
                                              "in the project's Model settings, or run `quotekit ls connect`)"},
                                    status_code=401, headers={"WWW-Authenticate": 'Basic realm="quotekit"'})
                await resp(scope, receive, send)
                return
        await self.app(scope, receive, send)


# --------------------------------------------------------------------------- run, detach, stop


def auth_from_env() -> tuple[str, str] | None:
    """(user, password) from ``$QUOTEKIT_BACKEND_USER`` / ``$QUOTEKIT_BACKEND_PASSWORD``; both or neither."""
    user, password = os.environ.get(USER_ENV, ""), os.environ.get(PASSWORD_ENV, "")
    if bool(user) != bool(password):
        raise BadInputError(f"set both {USER_ENV} and {PASSWORD_ENV} for basic auth (or neither)")
    return (user, password) if user else None


def check_port_free(host: str, port: int) -> None:
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise ServerError(f"cannot listen on {host}:{port} ({exc.strerror}): choose another --port") from None


def read_state(data_dir: str | Path | None = None) -> dict[str, Any] | None:
    """``{"url", "port", "pid"}`` of the backend running for the data dir, or None."""
    from toolkit.labelstudio.server import pid_alive

    try:
        state = json.loads((resolve_data_dir(data_dir) / STATE_FILE).read_text())
        pid = int(state["pid"])
        str(state["url"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None
    return state if pid_alive(pid) else None


def url_of(host: str, port: int) -> str:
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}"


def serve(settings: Settings, factory: PreannotatorFactory, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Run the backend in the foreground until Ctrl-C or SIGTERM; records ``backend.json`` in the
    data dir while it runs."""
    import uvicorn

    check_port_free(host, port)
    _limit_malloc_arenas()
    data_dir = Path(settings.data_dir) if settings.data_dir else resolve_data_dir(None)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings, factory)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="on",
                            timeout_keep_alive=30)
    server = uvicorn.Server(config)
    from toolkit.labelstudio.server import remove_state, write_state

    write_state(data_dir / STATE_FILE, url_of(host, port), port, os.getpid())
    try:
        server.run()
    finally:
        remove_state(data_dir / STATE_FILE, os.getpid())


def health(url: str, auth: tuple[str, str] | None = None, timeout: float = 2.0) -> dict | None:
    """The backend's ``/health`` answer, or None when it does not answer."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url.rstrip("/") + "/health")
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read().decode() or "{}")
    except urllib.error.HTTPError as exc:
        try:
            said = json.loads(exc.read().decode() or "{}").get("error")
        except (ValueError, AttributeError, OSError):
            said = None
        return {"status": "HTTP", "code": exc.code, **({"error": str(said)} if said else {})}
    except (urllib.error.URLError, OSError, ValueError):
        return None


def start_detached(args: list[str], data_dir: Path, url: str, auth: tuple[str, str] | None, workers: int,
                   timeout: float = 300.0) -> int:
    """Start ``quotekit ls backend <args>`` in the background (own session, output in
    ``backend.log``), wait until its workers are ready; its pid. The password travels in the
    child's environment, never in its arguments."""
    import subprocess
    import sys

    from toolkit.labelstudio.server import log_tail, terminate_group

    running = read_state(data_dir)
    if running is not None:
        raise ServerError(f"a quotekit backend for {data_dir} is already running at {running['url']} (pid "
                          f"{running['pid']}); stop it with `quotekit ls backend stop`")
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    logfile = data_dir / LOG_FILE
    env = dict(os.environ)
    env["QUOTEKIT_BACKEND_DATA_DIR"] = str(data_dir)
    with open(logfile, "ab") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "toolkit", "ls", "backend", *args], env=env,
                                stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    t0 = time.monotonic()
    while True:
        h = health(url, auth)
        if h and h.get("error"):
            terminate_group(proc.pid)
            raise ServerError(f"the backend could not start: {h['error']}; see {logfile}")
        if h and h.get("workers_ready", 0) >= workers:
            return proc.pid
        if proc.poll() is not None:
            raise ServerError(f"the backend exited with code {proc.returncode} before it was ready; see {logfile}\n"
                              f"{log_tail(logfile)}")
        if time.monotonic() - t0 > timeout:
            terminate_group(proc.pid)
            raise ServerError(f"the backend was not ready within {timeout:.0f} s; see {logfile}")
        time.sleep(0.3)


def stop(data_dir: str | Path | None = None) -> dict | None:
    """Stop the backend recorded in the data dir; its state, or None when none was running (a
    detached one with its process group; a foreground one by SIGTERM: it stops its workers)."""
    from toolkit.labelstudio.server import stop_recorded

    d = resolve_data_dir(data_dir)
    state = read_state(d)
    if not stop_recorded(d / STATE_FILE, int(state["pid"]) if state else None, "the backend"):
        return None
    return state


# --------------------------------------------------------------------------- connect a project


@dataclass
class ConnectReport:
    project_id: int = 0
    project_title: str = ""
    backend_id: int = 0
    backend_url: str = ""
    created: bool = False
    state: str = ""
    model_version: str = ""
    webhook: str = ""
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        from toolkit.labelstudio.masking import mask_url

        lines = [
            f"Project {self.project_title!r} (id {self.project_id}): model server {mask_url(self.backend_url)} "
            f"{'connected' if self.created else 'updated'} (id {self.backend_id}, state {self.state or '?'}, "
            f"model_version {self.model_version}); predictions are shown to annotators and fetched for tasks "
            f"without one (when a task is opened, and by Data Manager > Actions > Retrieve predictions); "
            f"annotations are recorded by the webhook ({self.webhook})."
        ]
        lines += [f"Warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def connect_project(client, title: str, backend_url: str, auth: tuple[str, str] | None = None,
                    allow_foreign: bool = False, timeout: float = 100.0) -> ConnectReport:
    """Register the backend at ``backend_url`` with project ``title`` (Label Studio's ``/api/ml``;
    an entry with the same URL is updated, so a re-run changes nothing), point the project's
    ``model_version`` at it (the labeling screen shows predictions of that version, asking the
    backend for a task that has none, when it is opened), switch on ``show_collab_predictions``
    and off ``evaluate_predictions_automatically`` (with it, a Data Manager page and the task
    opened from it both fetch, and both predictions are stored), and limit the webhook Label
    Studio creates with the backend to annotation events (with the basic-auth header when auth is
    on). The backend must be running: Label Studio checks it (health + setup) before it saves the
    connection."""
    from toolkit.labelstudio.masking import mask_url
    from toolkit.labelstudio.push import refuse_foreign_project

    report = ConnectReport(project_title=title, backend_url=backend_url.rstrip("/"))
    shown = mask_url(report.backend_url)
    project = client.find_project(title)
    if project is None:
        titles = client.project_titles(5)
        raise BadInputError(f"no Label Studio project titled {title!r} (some projects: {', '.join(map(repr, titles)) or 'none'}); "
                            "create it with `quotekit ls push ARTICLES.jsonl --project TITLE`")
    refuse_foreign_project(project, allow_foreign)
    pid = report.project_id = project["id"]
    h = health(report.backend_url, auth)
    if h is None:
        raise ServerError(f"no quotekit backend answers at {shown}: start it with `quotekit ls backend --detach` "
                          "(or pass --backend-url)")
    if h.get("status") == "HTTP" and h.get("code") == 401:
        raise BadInputError(f"the backend at {shown} answered 401: set {USER_ENV} and {PASSWORD_ENV} to "
                            "the user and password it was started with")
    if h.get("status") == "HTTP":
        raise ServerError(f"the backend at {shown} is not healthy ({h.get('code')}: {h.get('error') or 'no reason'}); "
                          "see its backend.log")
    if h.get("model_class") != "quotekit" or not h.get("model_version"):
        raise BadInputError(f"{shown} is not a quotekit backend (its /health says {str(h)[:120]})")
    mv = report.model_version = str(h["model_version"])
    backends = client.request("GET", "api/ml/", "list the project's model servers", params={"project": pid}) or []
    same = [b for b in backends if str(b.get("url", "")).rstrip("/") == report.backend_url]
    others = [b for b in backends if b not in same]
    if others:
        names = ", ".join(f"{b.get('title')!r} at {mask_url(str(b.get('url')))}" for b in others)
        raise BadInputError(f"project {title!r} already has another model server ({names}): Label Studio asks only one; "
                            "remove it under Settings > Model and connect again")
    payload: dict[str, Any] = {"url": report.backend_url, "project": pid, "title": mv, "is_interactive": False,
                               "description": "quotekit: quotes, speakers and stance (quotekit ls backend)",
                               "timeout": timeout, "auth_method": "BASIC_AUTH" if auth else "NONE"}
    if auth:
        payload.update(basic_auth_user=auth[0], basic_auth_pass=auth[1])
    if same:
        ml = client.request("PATCH", f"api/ml/{same[0]['id']}", "update the project's model server", json=payload)
    else:
        ml = client.request("POST", "api/ml/", "connect the model server to the project", json=payload, retry=False)
        report.created = True
    report.backend_id = int(ml["id"])
    report.state = str(ml.get("readable_state") or ml.get("state") or "")
    client.update_project(pid, show_collab_predictions=True, model_version=mv)
    # off: with it, a Data Manager page fetches the predictions of its bare tasks while the task
    # opened from it fetches its own, and Label Studio stores both (seen: a task with 2 predictions)
    client.request("PATCH", f"api/projects/{pid}/", "switch off page-load fetching",
                   json={"evaluate_predictions_automatically": False})
    report.webhook = _limit_webhook(client, pid, report.backend_url + "/webhook", auth, report)
    return report


def _limit_webhook(client, pid: int, url: str, auth: tuple[str, str] | None, report: ConnectReport) -> str:
    """The backend's webhook in project ``pid``: annotation events only, with the auth header."""
    hooks = client.request("GET", "api/webhooks/", "list the webhooks", params={"project": pid}) or []
    mine = [w for w in hooks if w.get("project") == pid and str(w.get("url", "")).rstrip("/") == url]
    body: dict[str, Any] = {"send_payload": True, "send_for_all_actions": False, "actions": list(RECORDED_ACTIONS),
                            "is_active": True,
                            "headers": {"Authorization": "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()}
                            if auth else {}}
    try:
        if mine:
            client.request("PATCH", f"api/webhooks/{mine[0]['id']}/", "update the backend's webhook", json=body)
        else:
            client.request("POST", "api/webhooks/", "create the backend's webhook", json={**body, "project": pid, "url": url},
                           retry=False)
    except (BadInputError, ServerError) as exc:
        report.warnings.append(f"Label Studio refused the webhook to {url} ({exc}); submitted annotations are not "
                               "recorded by the backend (a Label Studio not started by `quotekit ls serve` blocks "
                               "loopback webhooks: see docs/labelstudio.md)")
        return "not set"
    return f"{', '.join(RECORDED_ACTIONS)} -> {ANNOTATIONS_FILE}"
