"""A small Label Studio REST client: the few endpoints quotekit needs, with clear errors.

Why not the SDK's client for the calls: errors must be one line that says how to fix them, the
token must never reach any output (it only lives in the session's ``Authorization`` header), and
imports must never be retried blindly (a retried import whose first try reached the server
duplicates tasks). The SDK is still used offline for ``LabelInterface`` validation.

Retries: GET/PATCH/DELETE and the read-only calls retry on connection errors, timeouts and 5xx
with exponential backoff (``RETRIES`` attempts); ``import_tasks`` never retries by itself.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from toolkit.errors import BadInputError, ServerError

RETRIES = 4
BACKOFF = 0.5  # seconds, doubled each retry
TIMEOUT = (5.0, 120.0)  # connect, read

START_HINT = "start it with `quotekit ls serve --detach` or set LABEL_STUDIO_URL"


@dataclass
class Connection:
    url: str
    token: str

    def __repr__(self) -> str:  # never show the token
        return f"Connection(url={self.url!r}, token=<hidden>)"


def resolve_connection(url: str | None, api_key: str | None, data_dir: str | Path | None) -> Connection:
    """Flags, then environment, then the server recorded in the data dir."""
    from toolkit.labelstudio.server import connection_defaults, resolve_data_dir

    dd_url, dd_token = connection_defaults(data_dir)
    url = url or os.environ.get("LABEL_STUDIO_URL") or dd_url
    token = api_key or os.environ.get("LABEL_STUDIO_API_KEY") or dd_token
    if not url:
        raise ServerError(
            f"no Label Studio URL: no server is running for {resolve_data_dir(data_dir)}; {START_HINT}"
        )
    if not token:
        raise ServerError(
            "no Label Studio API token: set LABEL_STUDIO_API_KEY (Account & Settings > Access Token), "
            "pass --api-key, or use the server of `quotekit ls serve --detach`"
        )
    return Connection(url.rstrip("/"), token.strip())


class LabelStudioClient:
    def __init__(self, conn: Connection, retries: int = RETRIES, backoff: float = BACKOFF):
        import requests

        self.url = conn.url
        self.retries = retries
        self.backoff = backoff
        self._requests = requests
        self.session = requests.Session()
        self.session.headers["Authorization"] = self._auth_header(conn)

    def __repr__(self) -> str:
        return f"LabelStudioClient(url={self.url!r})"

    # ------------------------------------------------------------------ plumbing

    def _auth_header(self, conn: Connection) -> str:
        token = conn.token
        if token.count(".") == 2 and len(token) > 60:  # a personal access token (JWT refresh token)
            access = self._refresh_jwt(token)
            return f"Bearer {access}"
        return f"Token {token}"

    def _refresh_jwt(self, refresh: str) -> str:
        resp = self._send("POST", "/api/token/refresh", json={"refresh": refresh}, retry=True, auth=False)
        if resp.status_code in (401, 403):
            raise self._auth_error()
        self._check(resp, "refresh the personal access token")
        return resp.json()["access"]

    def _auth_error(self) -> ServerError:
        return ServerError(
            f"Label Studio at {self.url} refused the API token (401): set LABEL_STUDIO_API_KEY or --api-key to "
            "the token shown by `quotekit ls token` (or Account & Settings > Access Token)"
        )

    def _send(self, method: str, path: str, *, retry: bool = True, auth: bool = True, **kw: Any):
        requests = self._requests
        url = self.url + path
        attempts = self.retries if retry else 1
        delay = self.backoff
        last: Exception | None = None
        for attempt in range(attempts):
            try:
                if auth:
                    resp = self.session.request(method, url, timeout=TIMEOUT, **kw)
                else:
                    resp = requests.request(method, url, timeout=TIMEOUT, **kw)
            except requests.Timeout as exc:  # (ConnectTimeout is both: a timeout)
                last = exc
            except requests.ConnectionError as exc:
                last = exc
                if attempt >= 1:  # refused twice: the server is down, not busy
                    break
            else:
                if resp.status_code < 500 or attempt == attempts - 1:
                    return resp
                last = None
            if attempt < attempts - 1:
                time.sleep(delay)
                delay *= 2
        if isinstance(last, requests.Timeout):
            raise ServerError(f"Label Studio at {self.url} timed out ({method} {path}) after {attempts} tries; is it overloaded?")
        raise ServerError(f"cannot reach Label Studio at {self.url}: {START_HINT}")

    def _check(self, resp, what: str) -> None:
        if resp.status_code == 401:
            raise self._auth_error()
        if resp.status_code >= 400:
            detail = _detail(resp)
            raise ServerError(f"Label Studio refused to {what} ({resp.status_code}): {detail}")

    def request(self, method: str, path: str, what: str, *, retry: bool = True, **kw: Any) -> Any:
        resp = self._send(method, path, retry=retry, **kw)
        self._check(resp, what)
        if resp.status_code == 204 or not resp.content:
            return None
        return resp.json()

    # ------------------------------------------------------------------ endpoints

    def check(self) -> dict:
        """Reach the server and check the token (one clear error for each failure)."""
        return self.request("GET", "/api/current-user/whoami", "identify the user")

    def find_project(self, title: str) -> dict | None:
        found = []
        page = 1
        while True:
            data = self.request("GET", "/api/projects", "list projects", params={"title": title, "page": page, "page_size": 100})
            results = data.get("results", data) if isinstance(data, dict) else data
            found += [p for p in results if p.get("title") == title]
            if not isinstance(data, dict) or not data.get("next"):
                break
            page += 1
        if len(found) > 1:
            ids = ", ".join(str(p["id"]) for p in found)
            raise BadInputError(f"several Label Studio projects are titled {title!r} (ids {ids}): rename all but one")
        return self.get_project(found[0]["id"]) if found else None

    def get_project(self, pid: int) -> dict:
        return self.request("GET", f"/api/projects/{pid}", "read the project")

    def create_project(self, **fields: Any) -> dict:
        return self.request("POST", "/api/projects", "create the project", retry=False, json=fields)

    def update_project(self, pid: int, **fields: Any) -> dict:
        return self.request("PATCH", f"/api/projects/{pid}", "update the project", json=fields)

    def iter_tasks(self, pid: int, page_size: int = 500, fields: str = "all") -> Iterator[dict]:
        """Every task of the project (with predictions and annotations when ``fields="all"``)."""
        page = 1
        while True:
            resp = self._send("GET", "/api/tasks", params={"project": pid, "page": page, "page_size": page_size, "fields": fields})
            if resp.status_code == 404:  # past the last page
                return
            self._check(resp, "list tasks")
            data = resp.json()
            tasks = data.get("tasks", []) if isinstance(data, dict) else data
            yield from tasks
            total = data.get("total") if isinstance(data, dict) else None
            if not tasks or (total is not None and page * page_size >= total):
                return
            page += 1

    def import_tasks(self, pid: int, tasks: list[dict]) -> dict:
        """One import request; never retried here (the caller re-checks what arrived)."""
        return self.request(
            "POST", f"/api/projects/{pid}/import", "import tasks", retry=False,
            params={"return_task_ids": "true"}, json=tasks,
        )  # fmt: skip

    def update_task(self, task_id: int, data: dict) -> dict:
        return self.request("PATCH", f"/api/tasks/{task_id}", "update the task", json={"data": data})

    def create_prediction(self, task_id: int, result: list, score: float | None, model_version: str) -> dict:
        body = {"task": task_id, "result": result, "model_version": model_version}
        if score is not None:
            body["score"] = score
        return self.request("POST", "/api/predictions", "create a prediction", retry=False, json=body)

    def delete_prediction(self, prediction_id: int) -> None:
        resp = self._send("DELETE", f"/api/predictions/{prediction_id}")
        if resp.status_code == 404:
            return
        self._check(resp, "delete a prediction")

    def create_annotation(self, task_id: int, result: list, **extra: Any) -> dict:
        return self.request(
            "POST", f"/api/tasks/{task_id}/annotations", "create an annotation", retry=False,
            json={"result": result, **extra},
        )  # fmt: skip

    def create_export(self, pid: int, title: str) -> dict:
        body = {
            "title": title,
            "task_filter_options": {"annotated": "only"},
            "serialization_options": {"predictions": {"only_id": False}, "annotations__completed_by": {"only_id": True}},
        }
        return self.request("POST", f"/api/projects/{pid}/exports", "create an export snapshot", retry=False, json=body)

    def get_export(self, pid: int, export_id: int) -> dict:
        return self.request("GET", f"/api/projects/{pid}/exports/{export_id}", "read the export snapshot")

    def download_export(self, pid: int, export_id: int) -> bytes:
        resp = self._send("GET", f"/api/projects/{pid}/exports/{export_id}/download", params={"exportType": "JSON"})
        self._check(resp, "download the export snapshot")
        return resp.content


def _detail(resp) -> str:
    try:
        data = resp.json()
    except ValueError:
        return resp.text[:300].strip() or resp.reason
    if isinstance(data, dict):
        for key in ("validation_errors", "detail", "message", "error"):
            if data.get(key):
                return str(data[key])[:500]
    return str(data)[:500]


def connect(url: str | None = None, api_key: str | None = None, data_dir: str | Path | None = None,
            check: bool = True) -> LabelStudioClient:
    """A checked client: the server answers and accepts the token, or a one-line ServerError."""
    client = LabelStudioClient(resolve_connection(url, api_key, data_dir))
    if check:
        client.check()
    return client
