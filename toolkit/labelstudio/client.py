"""quotekit's Label Studio client: the few calls it needs, made through label-studio-sdk 2.x.

Every call goes through the SDK's ``LabelStudio`` client and its typed methods
(``users.whoami``, ``projects.list/get/create/update/import_tasks``, ``tasks.list/update``,
``predictions.create/delete``, ``annotations.create``, ``projects.exports.create/get/download``).
``LabelStudioClient`` wraps them to keep quotekit's promises:

- **One-line errors that say how to fix them.** The SDK raises ``ApiError`` (status code and
  body) and httpx raises transport errors; both are translated here into ``ServerError`` /
  ``BadInputError`` messages (server down -> the ``START_HINT``; 401 -> how to set the token;
  any other refusal -> the server's own one-line reason). They are raised outside the
  ``except`` block, so no SDK or httpx exception (which holds the request and its headers)
  hangs on to them as ``__context__``.
- **Input Label Studio refuses is bad input.** A 400, 413 or 422 answer to a write (import,
  project create or update, ...) is a ``BadInputError`` (exit 2) with the server's reason, not
  "unreachable" (exit 3).
- **Credentials in the URL are never printed.** ``http://user:pass@host`` (``--url`` or
  ``LABEL_STUDIO_URL``) is shown through :func:`mask_url` (``http://***@host``) in every message
  (``LabelStudioClient.url`` is the masked form; the real URL goes to the SDK only), and a log
  filter masks URLs in the httpx/httpcore log records.
- **The token is never in any output.** It is handed to the SDK explicitly (the SDK would
  otherwise read ``LABEL_STUDIO_API_KEY`` at import time as a default); the SDK keeps it for
  its ``Authorization`` header. No message, ``repr`` or log line built here contains it or
  any request header.
- **Bounded retries for idempotent calls only.** The SDK's own retries are switched off
  (``max_retries=0`` for the client and for every call); reads, PATCHes and DELETEs are retried
  here on connection errors, timeouts, 429 and 5xx with exponential backoff (``RETRIES``
  attempts; a server that refuses connections twice is down, not busy). Imports and creates
  (``import_tasks``, ``create_project``, ``create_prediction``, ``create_annotation``,
  ``create_export``) are sent once: a retried import whose first try reached the server
  duplicates tasks, so ``push`` asks the server what arrived before trying again.
- **Timeouts.** The SDK runs on an ``httpx.Client`` with a 5 s connect and 120 s read timeout.

Tokens: the SDK tells a legacy token (the one ``quotekit ls serve`` creates; sent as
``Authorization: Token ...``) from a personal access token (a JWT refresh token, exchanged at
``/api/token/refresh/`` for short-lived access tokens sent as ``Bearer ...``).

The SDK is imported lazily (it takes about a second and pulls in pandas), so ``quotekit
--help`` and the commands that never talk to Label Studio do not pay for it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from toolkit.errors import BadInputError, ServerError

RETRIES = 4
#: Answers to a write (import, create, update) that mean "what you sent is wrong": bad input, exit 2.
REFUSED_INPUT = (400, 413, 422)
BACKOFF = 0.5  # seconds, doubled each retry
TIMEOUT = (5.0, 120.0)  # connect, read (seconds); $QUOTEKIT_LS_TIMEOUT overrides the read timeout


def default_timeout() -> tuple[float, float]:
    """(connect, read) timeouts: ``TIMEOUT``, with the read part from ``$QUOTEKIT_LS_TIMEOUT`` when set."""
    raw = os.environ.get("QUOTEKIT_LS_TIMEOUT", "").strip()
    if not raw:
        return TIMEOUT
    try:
        read_s = float(raw)
        if read_s <= 0:
            raise ValueError
    except ValueError:
        raise BadInputError(f"QUOTEKIT_LS_TIMEOUT={raw!r} is not a positive number of seconds") from None
    return (min(TIMEOUT[0], read_s), read_s)

START_HINT = "start it with `quotekit ls serve --detach` or set LABEL_STUDIO_URL"

def start_hint(data_dir: str | Path | None = None) -> str:
    """:data:`START_HINT`, naming ``--data-dir DIR`` when DIR is not the default one."""
    from toolkit.labelstudio.server import resolve_data_dir

    default = resolve_data_dir(None)
    d = resolve_data_dir(data_dir)
    if Path(d).resolve() == Path(default).resolve():
        return START_HINT
    return f"start it with `quotekit ls serve --detach --data-dir {d}` or set LABEL_STUDIO_URL"


_NO_RETRY = {"max_retries": 0}  # request_options of every call: retries are decided here

from toolkit.labelstudio.masking import mask_url, mask_urls_in  # noqa: E402,F401  (re-exported)


class _MaskUrlsInLogs(logging.Filter):
    """Masks URLs (:func:`mask_urls_in`) in the records of the HTTP libraries' loggers: httpx
    logs each request's full URL at INFO, credentials included."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "://" in record.msg:
            record.msg = mask_urls_in(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self._masked(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: self._masked(v) for k, v in record.args.items()}
        return True

    @staticmethod
    def _masked(value: Any) -> Any:
        text = str(value) if not isinstance(value, (int, float)) else ""
        if "://" not in text:
            return value
        masked = mask_urls_in(text)
        return value if masked == text else masked


_LOG_FILTER = _MaskUrlsInLogs()


def _mask_http_logs() -> None:
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if _LOG_FILTER not in logger.filters:
            logger.addFilter(_LOG_FILTER)


@dataclass
class Connection:
    url: str
    token: str

    def __repr__(self) -> str:  # never show the token, nor credentials in the URL
        return f"Connection(url={mask_url(self.url)!r}, token=<hidden>)"


def resolve_connection(url: str | None, api_key: str | None, data_dir: str | Path | None) -> Connection:
    """Flags, then environment, then the server recorded in the data dir."""
    from toolkit.labelstudio.server import connection_defaults, resolve_data_dir

    dd_url, dd_token = connection_defaults(data_dir)
    url = url or os.environ.get("LABEL_STUDIO_URL") or dd_url
    token = api_key or os.environ.get("LABEL_STUDIO_API_KEY") or dd_token
    if not url:
        raise ServerError(f"no Label Studio URL: no server is running for {resolve_data_dir(data_dir)}; "
                          f"{start_hint(data_dir)}")
    if not token:
        raise ServerError(
            "no Label Studio API token: set LABEL_STUDIO_API_KEY (Account & Settings > Access Token), "
            "pass --api-key, or use the server of `quotekit ls serve --detach`"
        )
    return Connection(url.rstrip("/"), token.strip())


def _dump(model: Any) -> Any:
    """An SDK response model as the JSON the server sent (field names as on the wire)."""
    if hasattr(model, "model_dump"):
        return model.model_dump(mode="json", by_alias=True)
    return model


def _detail(body: Any) -> str:
    """The server's reason, on one line (an HTML error page is named, not printed).

    >>> _detail({"detail": "bad  title"}), _detail("<!DOCTYPE html><html>...</html>")
    ('bad title', "an HTML error page (the reason is in Label Studio's log)")
    """
    if isinstance(body, dict):
        for key in ("validation_errors", "detail", "message", "error"):
            if body.get(key):
                return " ".join(str(body[key])[:500].split())
        return " ".join(str(body)[:500].split())
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", "replace")
    text = " ".join(str(body or "").split())
    if text[:200].lower().lstrip().startswith(("<!doctype html", "<html")):
        return "an HTML error page (the reason is in Label Studio's log)"
    return text[:300] or "no details"


class LabelStudioClient:
    """The SDK's ``LabelStudio`` client behind quotekit's error, retry and secrecy rules."""

    def __init__(self, conn: Connection, retries: int = RETRIES, backoff: float = BACKOFF,
                 timeout: tuple[float, float] | None = None):
        import httpx
        from label_studio_sdk import LabelStudio
        from label_studio_sdk.core.api_error import ApiError

        self.url = mask_url(conn.url)  # for messages; the real URL goes to the SDK only
        self._base_url = conn.url
        self.retries = max(1, retries)
        self.backoff = backoff
        self._httpx = httpx
        self._api_error = ApiError
        connect_s, read_s = timeout or default_timeout()
        http = httpx.Client(timeout=httpx.Timeout(read_s, connect=connect_s), follow_redirects=True)
        failure: ServerError | None = None
        try:
            # base_url with a trailing slash: the SDK joins its JWT refresh path with urljoin,
            # which would drop a path prefix (https://host/ls) without it. No `timeout=` here:
            # it would replace the connect/read timeouts of `http` with a single number.
            _mask_http_logs()
            self.sdk = LabelStudio(base_url=conn.url + "/", api_key=conn.token, httpx_client=http, max_retries=0)
        except ApiError as exc:  # an expired or malformed personal access token (JWT)
            failure = self._auth_error(exc.body)
        if failure is not None:
            http.close()
            raise failure

    def __repr__(self) -> str:
        return f"LabelStudioClient(url={self.url!r})"

    def close(self) -> None:
        self.sdk._client_wrapper.httpx_client.httpx_client.close()

    # ------------------------------------------------------------------ plumbing

    def _auth_error(self, body: Any = None) -> ServerError:
        detail = _detail(body) if body else ""
        extra = ""
        if "legacy" in detail.lower():
            extra = " (this server has legacy tokens disabled: use a personal access token)"
        elif "expired" in detail.lower():
            extra = " (the personal access token is invalid or has expired: create a new one)"
        if "@" in self._base_url:
            extra += (" (the user:password@ in the URL is sent as HTTP basic authentication, which replaces the token: "
                      "remove it from the URL)")
        return ServerError(
            f"Label Studio at {self.url} refused the API token (401){extra}: set LABEL_STUDIO_API_KEY or --api-key to "
            "the token shown by `quotekit ls token` (or Account & Settings > Access Token)"
        )

    def _call(self, op: str, what: str, fn: Callable[[], Any], *, retry: bool = True,
              missing_ok: bool = False) -> Any:
        """Run one SDK call; ``op`` ("GET /api/...") and ``what`` ("list tasks") name it in errors.

        Idempotent calls (``retry=True``) are tried up to ``self.retries`` times on connection
        errors, timeouts, 429 and 5xx; others exactly once. ``missing_ok``: a 404 returns None.
        """
        httpx, ApiError = self._httpx, self._api_error
        attempts = self.retries if retry else 1
        delay = self.backoff
        refused = 0
        for attempt in range(attempts):
            retryable = False
            try:
                return fn()
            except ApiError as exc:
                status, body = exc.status_code, exc.body
                if status == 404 and missing_ok:
                    return None
                if status == 401:
                    failure: Exception = self._auth_error(body)
                elif status is None or status < 400:  # an answer the SDK could not read
                    failure = ServerError(f"Label Studio at {self.url} gave an unreadable answer to {op} ({status}): "
                                          f"{_detail(body)}")
                elif status in REFUSED_INPUT and op.split(" ", 1)[0] in ("POST", "PATCH", "PUT"):
                    # the server read what was sent and said it is wrong: bad input (exit 2), not an outage
                    failure = BadInputError(f"Label Studio refused to {what} ({status}): {_detail(body)}; "
                                            "what was sent is not valid for Label Studio: fix the input")
                else:
                    failure = ServerError(f"Label Studio refused to {what} ({status}): {_detail(body)}")
                    retryable = status == 429 or status >= 500
            except json.JSONDecodeError:  # the SDK's JWT refresh reads any answer as JSON
                failure = ServerError(f"Label Studio at {self.url} gave an answer that is not JSON ({op}) after "
                                      f"{attempt + 1} tries; is a proxy in front of it?")
                retryable = True
            except (httpx.UnsupportedProtocol, httpx.InvalidURL):
                failure = BadInputError(f"not a Label Studio URL: {self.url!r} (expected http://host:port)")
            except httpx.TimeoutException:  # (ConnectTimeout is a timeout, not a refusal)
                failure = ServerError(f"Label Studio at {self.url} timed out ({op}) after {attempt + 1} tries; "
                                      "is it overloaded?")
                retryable = True
            except httpx.ConnectError:  # refused, unknown host: nothing was sent
                refused += 1
                failure = ServerError(f"cannot reach Label Studio at {self.url}: {START_HINT}")
                retryable = refused < 2  # refused twice: the server is down, not busy
            except httpx.TransportError as exc:  # reset or closed mid-request: it may have arrived
                failure = ServerError(f"the connection to Label Studio at {self.url} broke ({op}: "
                                      f"{type(exc).__name__}) after {attempt + 1} tries; is it restarting?")
                retryable = True
            if not retryable or attempt == attempts - 1:
                break
            time.sleep(delay)
            delay *= 2
        failure.retryable = retryable  # a server fault a caller may retry once it has asked what arrived
        raise failure  # outside the except blocks: no SDK/httpx exception as __context__

    # ------------------------------------------------------------------ generic

    def request(self, method: str, path: str, what: str, *, retry: bool = True, **kw: Any) -> Any:
        """Any endpoint, for scripts that need one the methods below do not wrap: sent through the
        SDK's own HTTP client (``client_wrapper.httpx_client``: same auth, timeouts, errors).
        ``kw``: ``params``, ``json``. Returns the decoded JSON (None for an empty answer)."""
        ApiError = self._api_error
        if set(kw) - {"params", "json"}:
            raise TypeError(f"request() takes params= and json= only, not {sorted(set(kw) - {'params', 'json'})}")
        method = method.upper()
        retry = retry and method in ("GET", "HEAD", "PUT", "PATCH", "DELETE")

        def send() -> Any:
            resp = self.sdk._client_wrapper.httpx_client.request(
                path.lstrip("/"), method=method, params=kw.get("params"), json=kw.get("json"),
                request_options=_NO_RETRY,
            )  # fmt: skip
            try:
                body = resp.json() if resp.content else None
            except ValueError:
                raise ApiError(status_code=resp.status_code, body=resp.text) from None
            if resp.status_code >= 400:
                raise ApiError(status_code=resp.status_code, body=body)
            return body

        return self._call(f"{method} {path}", what, send, retry=retry)

    # ------------------------------------------------------------------ endpoints

    def check(self) -> dict:
        """Reach the server and check the token (one clear error for each failure)."""
        who = self._call("GET /api/current-user/whoami", "identify the user",
                         lambda: self.sdk.users.whoami(request_options=_NO_RETRY))
        return _dump(who)

    def projects_titled(self, title: str) -> list[dict]:
        """``{"id", "title"}`` of every project whose title is exactly ``title``."""
        found: list[dict] = []
        page = 1
        while True:
            pager = self._call(
                "GET /api/projects", "list projects",
                lambda: self.sdk.projects.list(title=title, page=page, page_size=100, request_options=_NO_RETRY),
            )  # fmt: skip
            found += [{"id": p.id, "title": p.title} for p in (pager.items or []) if p.title == title]
            if not getattr(pager.response, "next", None):
                break
            page += 1
        return found

    def find_project(self, title: str) -> dict | None:
        found = self.projects_titled(title)
        if len(found) > 1:
            ids = ", ".join(str(p["id"]) for p in found)
            raise BadInputError(f"several Label Studio projects are titled {title!r} (ids {ids}): rename all but one")
        return self.get_project(found[0]["id"]) if found else None

    def delete_project(self, pid: int) -> None:
        self._call(f"DELETE /api/projects/{pid}", "delete the project",
                   lambda: self.sdk.projects.delete(pid, request_options=_NO_RETRY), missing_ok=True)

    def project_titles(self, limit: int = 100) -> list[str]:
        """Titles of the server's projects (first ``limit``, one page), for error messages."""
        pager = self._call(
            "GET /api/projects", "list projects",
            lambda: self.sdk.projects.list(page=1, page_size=limit, request_options=_NO_RETRY),
        )  # fmt: skip
        return [p.title for p in (pager.items or []) if p.title]

    def get_project(self, pid: int) -> dict:
        project = self._call(f"GET /api/projects/{pid}", "read the project",
                             lambda: self.sdk.projects.get(pid, request_options=_NO_RETRY))
        return _dump(project)

    def create_project(self, **fields: Any) -> dict:
        project = self._call("POST /api/projects", "create the project",
                             lambda: self.sdk.projects.create(**fields, request_options=_NO_RETRY), retry=False)
        return _dump(project)

    def update_project(self, pid: int, **fields: Any) -> dict:
        project = self._call(f"PATCH /api/projects/{pid}", "update the project",
                             lambda: self.sdk.projects.update(pid, **fields, request_options=_NO_RETRY))
        return _dump(project)

    def iter_tasks(self, pid: int, page_size: int = 500, fields: str = "all") -> Iterator[dict]:
        """Every task of the project (with predictions and annotations when ``fields="all"``).

        Pages are fetched one ``tasks.list`` call at a time (each one retried on its own) rather
        than through the SDK's pager, whose later pages would escape the retries."""
        page = 1
        while True:
            pager = self._call(
                "GET /api/tasks", "list tasks",
                lambda: self.sdk.tasks.list(project=pid, page=page, page_size=page_size, fields=fields,
                                            request_options=_NO_RETRY),
                missing_ok=True,  # a 404 is a page past the last one
            )  # fmt: skip
            if pager is None:
                return
            tasks = pager.items or []
            yield from (_dump(t) for t in tasks)
            total = getattr(pager.response, "total", None)
            if not tasks or (total is not None and page * page_size >= total):
                return
            page += 1

    def import_tasks(self, pid: int, tasks: list[dict]) -> dict:
        """One import request; never retried here (the caller re-checks what arrived).

        Returns the server's counts (``task_count``, ``prediction_count``, ``task_ids``)."""
        resp = self._call(
            f"POST /api/projects/{pid}/import", "import tasks",
            lambda: self.sdk.projects.import_tasks(pid, request=tasks, return_task_ids=True, request_options=_NO_RETRY),
            retry=False,
        )  # fmt: skip
        return _dump(resp)

    def update_task(self, task_id: int, data: dict) -> dict:
        task = self._call(f"PATCH /api/tasks/{task_id}", "update the task",
                          lambda: self.sdk.tasks.update(str(task_id), data=data, request_options=_NO_RETRY))
        return _dump(task)

    def create_prediction(self, task_id: int, result: list, score: float | None, model_version: str) -> dict:
        extra = {"score": score} if score is not None else {}
        pred = self._call(
            "POST /api/predictions", "create a prediction",
            lambda: self.sdk.predictions.create(task=task_id, result=result, model_version=model_version, **extra,
                                                request_options=_NO_RETRY),
            retry=False,
        )  # fmt: skip
        return _dump(pred)

    def delete_prediction(self, prediction_id: int) -> None:
        self._call(f"DELETE /api/predictions/{prediction_id}", "delete a prediction",
                   lambda: self.sdk.predictions.delete(prediction_id, request_options=_NO_RETRY), missing_ok=True)

    def delete_task(self, task_id: int) -> None:
        self._call(f"DELETE /api/tasks/{task_id}", "delete a task",
                   lambda: self.sdk.tasks.delete(str(task_id), request_options=_NO_RETRY), missing_ok=True)

    def create_annotation(self, task_id: int, result: list, **extra: Any) -> dict:
        ann = self._call(
            f"POST /api/tasks/{task_id}/annotations", "create an annotation",
            lambda: self.sdk.annotations.create(task_id, result=result, **extra, request_options=_NO_RETRY),
            retry=False,
        )  # fmt: skip
        return _dump(ann)

    def create_export(self, pid: int, title: str) -> dict:
        """A snapshot of the annotated tasks (full predictions, annotators as ids)."""
        from label_studio_sdk.types import (
            LseTaskFilterOptionsRequest,
            SerializationOptionRequest,
            SerializationOptionsRequest,
        )

        serialization = SerializationOptionsRequest(
            predictions=SerializationOptionRequest(only_id=False),
            annotations_completed_by=SerializationOptionRequest(only_id=True),
        )
        export = self._call(
            f"POST /api/projects/{pid}/exports", "create an export snapshot",
            lambda: self.sdk.projects.exports.create(
                pid, title=title, task_filter_options=LseTaskFilterOptionsRequest(annotated="only"),
                serialization_options=serialization, request_options=_NO_RETRY,
            ),
            retry=False,
        )  # fmt: skip
        return _dump(export)

    def get_export(self, pid: int, export_id: int) -> dict:
        export = self._call(f"GET /api/projects/{pid}/exports/{export_id}", "read the export snapshot",
                            lambda: self.sdk.projects.exports.get(pid, export_id, request_options=_NO_RETRY))
        return _dump(export)

    def list_exports(self, pid: int) -> list[dict]:
        exports = self._call(f"GET /api/projects/{pid}/exports", "list the export snapshots",
                             lambda: self.sdk.projects.exports.list(pid, request_options=_NO_RETRY))
        return [_dump(e) for e in exports or []]

    def delete_export(self, pid: int, export_id: int) -> None:
        """Delete an export snapshot (its record; Label Studio 1.23 leaves the file on disk: see
        ``toolkit.labelstudio.pull.remove_snapshot_files``). A missing one is not an error."""
        self._call(f"DELETE /api/projects/{pid}/exports/{export_id}", "delete the export snapshot",
                   lambda: self.sdk.projects.exports.delete(pid, export_id, request_options=_NO_RETRY),
                   missing_ok=True)

    def is_server_of(self, data_dir: str | Path | None) -> bool:
        """Is this client talking to the server that ``quotekit ls serve`` recorded in ``data_dir``?"""
        from toolkit.labelstudio.server import read_state, resolve_data_dir

        state = read_state(resolve_data_dir(data_dir))
        return state is not None and state.url.rstrip("/") == self._base_url.rstrip("/")

    def download_export(self, pid: int, export_id: int) -> bytes:
        # `exports.download` streams: errors surface while reading, so read inside the call
        return self._call(
            f"GET /api/projects/{pid}/exports/{export_id}/download", "download the export snapshot",
            lambda: b"".join(self.sdk.projects.exports.download(pid, export_id, export_type="JSON",
                                                                request_options=_NO_RETRY)),
        )  # fmt: skip


def connect(url: str | None = None, api_key: str | None = None, data_dir: str | Path | None = None,
            check: bool = True) -> LabelStudioClient:
    """A checked client: the server answers and accepts the token, or a one-line ServerError."""
    client = LabelStudioClient(resolve_connection(url, api_key, data_dir))
    if check:
        client.check()
    return client
