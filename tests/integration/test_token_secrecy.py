"""Security: the API token never leaves its file; Label Studio listens on loopback only; article ids
cannot name files outside their folder; HTML ingestion runs nothing and fetches nothing.

The round trip runs every Label Studio command in-process through ``quotekit``'s own entry point
(push, pull, build, a wrong token, a server that is down, a pull onto an existing file) with
stdout/stderr and *all* Python logging at DEBUG captured, then searches them, the server log, the
server's command line and every file written for the token.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.labelstudio.testing import free_port, sample_data, write_jsonl

REPO = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- the token


def test_token_never_printed_logged_or_written_in_a_full_round_trip(run_cli, ls_server, tmp_path, monkeypatch, capsys, caplog):
    token = ls_server.token
    wrong = "a" * 39 + "b"
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    monkeypatch.setenv("QUOTEKIT_LS_DATA_DIR", str(ls_server.data_dir))
    monkeypatch.setenv("COLUMNS", "200")
    caplog.set_level(logging.DEBUG)  # every logger, every level
    title = "secrecy round trip"
    src = write_jsonl(tmp_path / "articles.jsonl", sample_data())
    export = tmp_path / "export.json"
    outputs: list[str] = []

    def cli(*args, expect: int) -> str:
        code, out, err = run_cli(args)
        outputs.append(out + err)
        assert code == expect, (args, code, out, err)
        return out + err

    cli("ls", "push", src, "--project", title, expect=0)
    client = ls_server.client()
    project = client.find_project(title)
    for t in client.iter_tasks(project["id"]):
        client.create_annotation(t["id"], t["predictions"][0]["result"])
    cli("ls", "pull", "--project", title, "-o", export, expect=0)
    cli("build", export, "-o", tmp_path / "ds", expect=0)
    cli("agreement", export, expect=0)
    # the token given explicitly, to commands that fail
    down = f"http://127.0.0.1:{free_port()}"
    assert "cannot reach Label Studio" in cli("ls", "push", src, "--project", title, "--url", down, "--api-key", token, expect=3)
    assert "cannot reach Label Studio" in cli("ls", "pull", "--project", title, "-o", tmp_path / "x.json", "--url", down,
                                              "--api-key", token, expect=3)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", token)
    assert "cannot reach Label Studio" in cli("ls", "pull", "--project", title, "-o", tmp_path / "y.json", "--url", down, expect=3)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY")
    pulled = export.read_bytes()
    assert "already exists" in cli("ls", "pull", "--project", title, "-o", export, "--api-key", token, expect=2)
    assert export.read_bytes() == pulled, "pull modified an existing export"
    assert "no Label Studio project" in cli("ls", "pull", "--project", "no such", "-o", tmp_path / "z.json", "--api-key", token, expect=2)
    # a wrong token, on the command line and in the environment: refused, and not echoed either
    refused = cli("ls", "push", src, "--project", title, "--api-key", wrong, expect=3)
    assert "refused the API token" in refused and "quotekit ls token" in refused
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", wrong)
    assert "refused the API token" in cli("ls", "pull", "--project", title, "-o", tmp_path / "w.json", expect=3)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY")

    logged = [r for r in caplog.records]
    assert any(r.name.startswith(("httpx", "httpcore", "urllib3")) for r in logged), "logging capture is not live"
    log_text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in logged)
    for secret, what in ((token, "token"), (wrong, "wrong token"), (ls_server.password, "admin password")):
        for out in outputs:
            assert secret not in out, f"{what} printed"
        assert secret not in log_text, f"{what} logged"
    server_log = (ls_server.data_dir / "server.log").read_text(errors="replace")
    assert "/api/" in server_log and token not in server_log and wrong not in server_log
    for f in tmp_path.rglob("*"):
        if f.is_file():
            assert token.encode() not in f.read_bytes(), f"token written to {f}"
    # every output of `quotekit` recorded by the session's server (serve included), but `ls token`
    for out in ls_server.outputs:
        if out.strip() != token:
            assert token not in out
    # the server's command line is readable by every local user: the token is not on it
    pid = json.loads((ls_server.data_dir / "server.json").read_text())["pid"]
    assert token.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()


def test_token_files_are_never_committed():
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.splitlines()
    assert files, "not a git checkout"
    bad = [f for f in files if re.search(r"(^|/)(\.quotekit/|api-token$|admin-password$|server\.json$|.*\.token$|\.env$|"
                                         r".*\.sqlite3$|label_studio\.sqlite3)", f)]
    assert bad == [], bad
    gitignore = (REPO / ".gitignore").read_text().splitlines()
    assert ".quotekit/" in gitignore
    for path in (".quotekit/labelstudio/api-token", ".quotekit/labelstudio/admin-password", ".quotekit/ls-venv/bin/python",
                 "my.token", ".env"):
        check = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=REPO)
        assert check.returncode == 0, f"{path} is not ignored by .gitignore"
    leaks = subprocess.run(["git", "grep", "-nIE", r"(API_KEY|api[_-]?key|token)['\"]?\s*[=:]\s*['\"]?[0-9a-f]{40}\b"],
                           cwd=REPO, capture_output=True, text=True)
    assert leaks.stdout == "", f"something like a real token is committed:\n{leaks.stdout}"


def test_token_is_printed_only_on_request(ls_server):
    proc = ls_server.cli("ls", "token", "--data-dir", str(ls_server.data_dir))
    ls_server.outputs.pop()  # the one command whose job is to print it
    assert proc.returncode == 0 and proc.stdout.strip() == ls_server.token and ls_server.token not in proc.stderr
    assert (ls_server.data_dir / "api-token").stat().st_mode & 0o077 == 0


# --------------------------------------------------------------------------- loopback only


def _listening(port: int) -> set[str]:
    """Local addresses listening on ``port`` (IPv4 and IPv6), from /proc/net/tcp*."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            addr, hexport = parts[1].rsplit(":", 1)
            if int(hexport, 16) == port and parts[3] == "0A":  # LISTEN
                found.add(addr)
    return found


def test_the_real_server_listens_on_loopback_only(ls_server):
    port = int(ls_server.url.rsplit(":", 1)[1])
    addrs = _listening(port)
    assert addrs, f"nothing listens on {port}?"
    assert addrs <= {"0100007F", "00000000000000000000000001000000"}, f"listening beyond loopback: {addrs}"
    pid = json.loads((ls_server.data_dir / "server.json").read_text())["pid"]
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert cmdline[cmdline.index(b"--internal-host") + 1] == b"127.0.0.1"
    # and it is not reachable on another local address of this machine (when there is one)
    try:
        other = socket.gethostbyname(socket.gethostname())
    except OSError:
        other = "127.0.0.1"
    if not other.startswith("127."):
        with socket.socket() as s:
            s.settimeout(2)
            assert s.connect_ex((other, port)) != 0, f"Label Studio answers on {other}"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::"])
def test_asking_for_a_public_address_warns_and_still_binds_loopback(run_cli, host, tmp_path, monkeypatch, capsys):
    """`ls serve --host <public>`: a warning on stderr, and the server is started on 127.0.0.1
    anyway (checked on the arguments ``server.start`` receives; nothing is started)."""
    import subprocess as sp

    from toolkit.errors import ServerError
    from toolkit.labelstudio import server

    seen: dict = {}
    popen = []
    monkeypatch.setattr(sp, "Popen", lambda *a, **k: popen.append(a) or (_ for _ in ()).throw(AssertionError("started something")))

    def fake_start(**kw):
        seen.update(kw)
        raise ServerError("stopped by the test")

    monkeypatch.setattr(server, "start", lambda *a, **kw: fake_start(**kw))
    code, out, err = run_cli(["ls", "serve", "--host", host, "--port", "18765", "--data-dir", tmp_path / "d"])
    assert code == 3 and popen == []
    assert "Warning" in err and host in err and "127.0.0.1" in err
    assert "host" not in seen and "internal_host" not in seen, seen
    assert server.LOOPBACK == "127.0.0.1"
    code, out, err = run_cli(["ls", "serve", "--host", "127.0.0.1", "--port", "18765", "--data-dir", tmp_path / "d"])
    assert "Warning" not in err


def test_the_server_command_line_binds_loopback(tmp_path, monkeypatch):
    """The command ``server.start`` runs: ``--internal-host 127.0.0.1`` (Label Studio's default is
    0.0.0.0), whatever the caller's environment says (HOST, LABEL_STUDIO_HOST ...)."""
    from toolkit.labelstudio import server

    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("LABEL_STUDIO_HOST", "http://0.0.0.0:8080")
    monkeypatch.setenv("INTERNAL_HOST", "0.0.0.0")
    calls = []

    class Stop(Exception):
        pass

    def fake_popen(cmd, **kw):
        calls.append((cmd, kw))
        raise Stop

    monkeypatch.setattr(server, "ensure_installed", lambda *a, **k: Path("/nonexistent/label-studio"))
    monkeypatch.setattr(server.subprocess, "Popen", fake_popen)
    with pytest.raises(Stop):
        server.start(port=free_port(), data_dir=tmp_path / "d", echo=lambda s: None)
    ((cmd, kw),) = calls
    assert cmd[cmd.index("--internal-host") + 1] == "127.0.0.1"
    env = kw["env"]
    assert "HOST" not in env and "INTERNAL_HOST" not in env and "LABEL_STUDIO_HOST" not in env
    assert kw.get("start_new_session") is True


# --------------------------------------------------------------------------- article ids as file names


SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@settings(max_examples=200, deadline=None)
@given(value=st.text(max_size=300))
def test_sanitized_ids_are_safe_file_names(value):
    from toolkit.ingest import sanitize_id

    s = sanitize_id(value)
    assert s == "" or SAFE_ID.fullmatch(s), s
    assert ".." not in s and "/" not in s and "\\" not in s and len(s) <= 100
    root = Path("/srv/quotekit/articles")
    if s:
        assert (root / f"{s}.json").resolve().parent == root


@pytest.mark.parametrize("given_id", ["../../etc/passwd", "/etc/shadow", "..\\..\\windows", "a/../../b", "....//....//x",
                                      "~root", "$(rm -rf ~)", "con:x", "\u202eevil", "..", ".", "", "\x00", "é" * 300])
def test_ingested_article_ids_are_safe_file_names(given_id, tmp_path):
    from toolkit.ingest import IngestStats, ingest_paths

    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"article_id": given_id, "text": "The minister said on Monday that the talks would resume."}) + "\n",
                   encoding="utf-8")
    (res,) = list(ingest_paths([src], stats=IngestStats()))
    aid = res.article.article_id
    assert SAFE_ID.fullmatch(aid) and ".." not in aid and len(aid) <= 100, aid
    assert (tmp_path / "out" / aid).resolve().parent == (tmp_path / "out").resolve()


def test_file_names_become_safe_ids(tmp_path):
    from toolkit.ingest import IngestStats, ingest_paths

    for name in ("..weird name;rm -rf.txt", "$HOME.txt", "a b «c».txt", "-rf.txt"):
        (tmp_path / name).write_text("A Headline Here\n\nThe minister said on Monday that the talks would resume.", encoding="utf-8")
    # named one by one: inside a folder a name starting with a dot is skipped as hidden
    ids = [r.article.article_id for r in ingest_paths(sorted(tmp_path.iterdir()), stats=IngestStats())]
    assert len(ids) == 4
    for aid in ids:
        assert SAFE_ID.fullmatch(aid) and ".." not in aid, aid


# --------------------------------------------------------------------------- HTML: nothing runs, nothing is fetched


HOSTILE_HTML = """<!doctype html><html><head>
<title>Minister Rejects Plan</title>
<base href="http://evil.example/">
<meta http-equiv="refresh" content="0; url=http://evil.example/refresh">
<link rel="stylesheet" href="http://evil.example/style.css">
<link rel="preload" href="https://evil.example/font.woff2">
<style>@import url("http://evil.example/import.css"); body { background: url(http://evil.example/bg.png) }</style>
<script src="http://evil.example/x.js"></script>
<script>fetch("http://evil.example/beacon"); document.write("INJECTED-BY-SCRIPT");</script>
</head><body onload="fetch('http://evil.example/onload')">
<article><h1>Minister Rejects Plan</h1>
<p>“We will not allow it,” the minister said on Monday in the capital, rejecting the plan outright.</p>
<img src="http://evil.example/pixel.gif" srcset="http://evil.example/a.png 2x" onerror="fetch('http://evil.example/err')">
<iframe src="http://evil.example/frame"></iframe>
<object data="http://evil.example/obj.swf"></object><embed src="http://evil.example/e.swf">
<video src="http://evil.example/v.mp4" poster="http://evil.example/p.png"></video>
<svg><image href="http://evil.example/svg.png"/><script>alert(1)</script></svg>
<p>The opposition said that the decision was a mistake and that it would appeal to the courts.</p>
<noscript><img src="http://evil.example/noscript.gif"></noscript>
</article></body></html>"""


def test_html_ingestion_runs_no_script_and_opens_no_connection(tmp_path, monkeypatch):
    from toolkit.ingest import IngestStats, ingest_paths

    attempts: list[str] = []

    def refuse(name):
        def _f(*a, **k):
            attempts.append(f"{name}{a[1:] if name.startswith('socket.') else a}")
            raise OSError(f"network access attempted: {name}")
        return _f

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(subprocess, "Popen", refuse("subprocess.Popen"))
    monkeypatch.setattr(os, "system", refuse("os.system"))
    f = tmp_path / "story.html"
    f.write_text(HOSTILE_HTML, encoding="utf-8")
    (res,) = list(ingest_paths([f], stats=IngestStats()))
    text = res.article.text
    assert attempts == [], attempts
    assert "We will not allow it" in text and "appeal to the courts" in text
    for needle in ("INJECTED", "evil.example", "fetch(", "alert(", "<script", "onload"):
        assert needle not in text, needle
    assert sorted(p.name for p in tmp_path.iterdir()) == ["story.html"]  # nothing downloaded or written
