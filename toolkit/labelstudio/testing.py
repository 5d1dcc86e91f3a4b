"""A real Label Studio server for test sessions, started and stopped with quotekit's own CLI.

Used by the pytest fixtures of ``tests/integration`` and ``tests/browser``: one server per
process whatever the number of conftest modules that ask for it (reference-counted), started
with ``quotekit ls serve --detach --port <free port> --data-dir <tmp>`` (venv from
``$QUOTEKIT_LS_VENV`` or the default location, installed on first use), stopped with
``quotekit ls stop`` when the last user releases it. No pytest import here.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

#: Debian's chromium, driven by Playwright (never ``playwright install``), and its flags for headless
#: runs in a container: the browser tests and benchmarks/annotator launch it alike
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
START_TIMEOUT = 900  # a first-time install of Label Studio (about 1 minute) + migrations (about 40 s)
USERNAME = "admin@quotekit.local"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env() -> dict[str, str]:
    """The caller's environment without a Label Studio connection (tests find it via the data dir)."""
    return {k: v for k, v in os.environ.items() if k not in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY")}


def run_cli(args: list[str], env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *map(str, args)],
        env=env if env is not None else base_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class LSServer:
    url: str
    data_dir: Path
    token: str
    password: str
    username: str = USERNAME
    outputs: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # keep secrets out of pytest's reports
        return f"LSServer(url={self.url!r}, data_dir={str(self.data_dir)!r})"

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for CLI calls: the server is found through the data dir only."""
        env = base_env()
        env["QUOTEKIT_LS_DATA_DIR"] = str(self.data_dir)
        env["COLUMNS"] = "200"
        env.update(extra)
        return env

    def cli(self, *args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
        """Run ``quotekit <args>``; the output is recorded for the token-leak check."""
        proc = run_cli(list(args), env or self.env(), timeout)
        self.outputs.append(proc.stdout + proc.stderr)
        return proc

    def client(self):
        from toolkit.labelstudio.client import Connection, LabelStudioClient

        return LabelStudioClient(Connection(self.url, self.token))


_server: LSServer | None = None
_users = 0
_failure: str | None = None


def acquire_server(tmp_root: Path) -> LSServer:
    """Start the server on first use (RuntimeError with the reason if it cannot start)."""
    global _server, _users, _failure
    if _failure is not None:
        raise RuntimeError(_failure)
    if _server is None:
        data_dir = Path(tmp_root) / "labelstudio-data"
        port = free_port()
        cmd = ["ls", "serve", "--detach", "--port", str(port), "--data-dir", str(data_dir)]
        try:
            proc = run_cli(cmd, timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired:
            run_cli(["ls", "stop", "--data-dir", str(data_dir)], timeout=60)
            raise RuntimeError(
                f"`quotekit ls serve --detach` did not return within {START_TIMEOUT} s; log: {data_dir}/server.log"
            ) from None
        if proc.returncode != 0:
            # a server that started and then failed its checks may still run: stop it (a no-op otherwise)
            run_cli(["ls", "stop", "--data-dir", str(data_dir)], timeout=60)
            _failure = (
                f"Label Studio could not be started by `quotekit {' '.join(cmd)}` (exit {proc.returncode}):\n"
                f"{proc.stderr}\n{proc.stdout}"
            )
            raise RuntimeError(_failure)
        state = json.loads((data_dir / "server.json").read_text())
        _server = LSServer(
            url=state["url"],
            data_dir=data_dir,
            token=(data_dir / "api-token").read_text().strip(),
            password=(data_dir / "admin-password").read_text().strip(),
        )
        _server.outputs.append(proc.stdout + proc.stderr)
    _users += 1
    return _server


def release_server() -> None:
    """Stop the server when its last user releases it."""
    global _server, _users
    _users -= 1
    if _users > 0 or _server is None:
        return
    server, _server = _server, None
    proc = run_cli(["ls", "stop", "--data-dir", str(server.data_dir)], timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"`quotekit ls stop` failed: {proc.stderr}")


def ensure_user(client, email: str) -> int:
    """Tests with several annotators: the id of the account ``email`` of the server's
    organisation, created (``POST /api/users/``, as an admin does) when missing. Annotations are
    then made in its name with ``client.create_annotation(..., completed_by=<id>)``."""
    found = client.request("GET", "/api/users/", "list the users")
    for u in found if isinstance(found, list) else (found or {}).get("results", []):
        if u.get("email") == email:
            return u["id"]
    return client.request("POST", "/api/users/", "create a user", json={"email": email, "username": email})["id"]


def logged_in_page(browser, server: LSServer):
    """Browser tests: a new Playwright page of ``browser``, logged in to ``server`` as its admin."""
    page = browser.new_page()
    page.set_default_timeout(30_000)
    page.goto(server.url + "/user/login/")
    if "/user/login" in page.url:
        page.fill('input[name="email"]', server.username)
        page.fill('input[name="password"]', server.password)
        page.click('button[type="submit"]')
        page.wait_for_url(lambda u: "/user/login" not in u)
    return page


HIGHLIGHTS_JS = "document.querySelectorAll('.htx-highlight').length"


def drag_region(page, select_label, box, *, what: str = "the region", attempts: int = 3, steps: int = 4,
                timeout_ms: int = 3000) -> bool:
    """Browser tests: draw a region with the mouse as an annotator does, on a Playwright ``page``
    showing Label Studio's labeling screen; True once a new highlight is on the page.

    ``select_label()`` picks the label (a hotkey or a click on it); ``box()`` gives the drag's
    ends in page coordinates, ``{"x1", "y1", "x2", "y2"}`` (measured anew before each attempt:
    the text may have moved). Now and then a drag right after a scroll or a label click selects
    nothing, so a drag that draws no highlight within ``timeout_ms`` is undone with Escape and
    tried again, ``attempts`` times in all. Returns False when none drew one (the caller says
    what that means); ``what`` names the target in the error raised when ``box()`` finds nothing::

        drawn = drag_region(page, lambda: page.keyboard.press("q"), lambda: page.evaluate(JS, "the words"))
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    before = page.evaluate(f"() => {HIGHLIGHTS_JS}")
    for _ in range(attempts):
        select_label()
        b = box()
        if b is None:
            raise AssertionError(f"{what}: not found on the page, nothing to drag over")
        page.mouse.move(b["x1"], b["y1"])
        page.mouse.down()
        page.mouse.move(b["x2"], b["y2"], steps=steps)
        page.mouse.up()
        try:
            page.wait_for_function(f"() => {HIGHLIGHTS_JS} > {before}", timeout=timeout_ms)
            return True
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    return False


def submit_and_pull(page, server: LSServer, project: str, out: Path) -> list[dict]:
    """Browser tests: press Submit in the labeling screen (a Playwright ``page``), wait until
    Label Studio has saved the annotation, then ``quotekit ls pull`` the project to ``out`` and
    return the exported tasks."""
    page.locator('[data-testid="bottombar-submit-button"]').click()
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"bottombar-submit-button\"]')"
        " || document.body.innerText.includes('Update')"
    )
    pulled = server.cli("ls", "pull", "--project", project, "-o", str(out))
    if pulled.returncode != 0:
        raise AssertionError(f"quotekit ls pull failed: {pulled.stderr}")
    return json.loads(Path(out).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- data


def make_article(article_id: str, title: str, text: str, quotes: list[dict] | None) -> dict:
    rec = {"article_id": article_id, "title": title, "outlet": "Test Outlet", "date": "2019-11-09", "text": text}
    if quotes is not None:
        rec["quotes"] = quotes
    return rec


def quote(text: str, content: str, kind: str, speaker: str | None, mention: str | None, cue: str | None,
          stance: str, score: float = 0.8, occurrence: int = 0) -> dict:
    """A quote dict located by substring (the ``occurrence``-th match of ``content``)."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(content, start + 1)
    q = {"start": start, "end": start + len(content), "text": content, "kind": kind, "speaker": speaker,
         "speaker_start": None, "speaker_end": None, "cue_start": None, "cue_end": None,
         "stance": stance, "score": score, "rule": "test"}
    if mention:
        s = text.index(mention)
        q["speaker_start"], q["speaker_end"] = s, s + len(mention)
    if cue:
        before = text.rfind(cue, 0, start)
        c = before if before >= 0 else text.index(cue, q["end"])
        q["cue_start"], q["cue_end"] = c, c + len(cue)
    return q


T1 = ("“This is necessary work to do, with the aim of national reconciliation,” Hun Sen said. "
      "“It shows that the regime fears the truth,” he said — according to Mu Sochua.")
T2 = ("The opposition said that the elections were a sham. Kuy Kuong told reporters that "
      "Sam Rainsy would be arrested on arrival. A village chief said that the road was closed.")
T3 = "It was announced that flights would resume on Monday. Nothing else happened today 🙂."


def older_project(client, title: str, speaker_control: str, mv: str, records: list[dict]) -> dict:
    """A project made by an older quotekit (its speaker screen ``speaker_control``: ``"Taxonomy"``
    or ``"Choices"``, :func:`toolkit.labelstudio.config.speaker_control_of`) holding ``records``
    as pre-annotated tasks of ``mv``, built as that quotekit built them; returns the project."""
    from toolkit.config import load_registry, load_stance
    from toolkit.labelstudio.config import build_label_config
    from toolkit.labelstudio.tasks import build_task
    from toolkit.types import Quote

    scheme, registry = load_stance(), load_registry()
    config = build_label_config(registry.names(), scheme.labels, scheme.target.description, speaker_control=speaker_control)
    project = client.create_project(title=title, label_config=config, description="quotekit: test")
    tasks = [build_task(r, [Quote.from_dict(q) for q in r["quotes"]], mv, registry, speaker_control=speaker_control).task
             for r in records]
    client.import_tasks(project["id"], tasks)
    return project


def sample_data() -> list[dict]:
    """Three articles covering a shared speaker mention, a registry alias, a name outside the
    registry, an unknown speaker and every stance."""
    return [
        make_article("int-1", "Hun Sen on reconciliation", T1, [
            quote(T1, "This is necessary work to do, with the aim of national reconciliation,", "direct",
                  "Hun Sen", "Hun Sen", "said", "favor", 0.9),
            quote(T1, "It shows that the regime fears the truth,", "direct", "Mu Sochua", "Mu Sochua",
                  "according to", "against", 0.5),
        ]),
        make_article("int-2", "Opposition and ministry", T2, [
            quote(T2, "the elections were a sham", "indirect", "Cambodia National Rescue Party", "The opposition",
                  "said", "against", 0.7),
            quote(T2, "Sam Rainsy would be arrested on arrival", "indirect", "Kuy Kuong", "Kuy Kuong",
                  "told", "favor", 0.8),
            quote(T2, "the road was closed", "indirect", "village chief", "A village chief", "said", "neutral", 0.6),
        ]),
        make_article("int-3", "Flights", T3, [
            quote(T3, "flights would resume on Monday", "indirect", None, None, "announced", "neutral", 0.4),
        ]),
    ]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path
