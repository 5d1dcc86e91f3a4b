"""Issue 19 on the real server: credentials in the URL never printed; input Label Studio refuses
is exit 2; ``ls pull`` refuses a project of another labeling config and leaves no export
snapshot behind (record and file)."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from toolkit.errors import BadInputError
from toolkit.labelstudio.testing import base_env, free_port, sample_data, write_jsonl

pytestmark = pytest.mark.integration

USER, PASSWORD = "carol", "s3cret-Pa55"

NER_CONFIG = ('<View><Text name="text" value="$text"/><Labels name="label" toName="text">'
              '<Label value="PER"/><Label value="ORG"/><Label value="LOC"/><Label value="MISC"/></Labels></View>')
CLASSIFY_CONFIG = ('<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text" choice="single">'
                   '<Choice value="Positive"/><Choice value="Negative"/></Choices></View>')


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def _pushed_and_annotated(ls_server, tmp_path: Path, title: str) -> dict:
    """A quotekit project with the first two sample articles, each annotated with its prediction."""
    proc = ls_server.cli("ls", "push", str(write_jsonl(tmp_path / f"{title}.jsonl", sample_data()[:2])), "--project", title)
    assert proc.returncode == 0, proc.stderr
    client = ls_server.client()
    project = client.find_project(title)
    for t in client.iter_tasks(project["id"]):
        if not t.get("annotations"):
            client.create_annotation(t["id"], t["predictions"][0]["result"])
    return project


# --------------------------------------------------------------------------- credentials in the URL


def test_credentials_in_the_url_are_masked_in_every_message(ls_server, tmp_path):
    port = ls_server.url.rsplit(":", 1)[1]
    up, down = f"http://{USER}:{PASSWORD}@127.0.0.1:{port}", f"http://{USER}:{PASSWORD}@127.0.0.1:{free_port()}"
    src = str(write_jsonl(tmp_path / "a.jsonl", sample_data()[:1]))
    calls = []
    for url in (up, down):
        for how in ("flag", "env"):
            env = ls_server.env()
            flag = ["--url", url] if how == "flag" else []
            if how == "env":
                env["LABEL_STUDIO_URL"] = url
            for args in (["ls", "push", src, "--project", "masked"], ["ls", "pull", "--project", "masked", "-o", str(tmp_path / "x.json")]):
                calls.append((args[1], how, url == up, [*args, *flag], env))
    # the 8 commands run at once: each one against the closed port spends its retries' backoff waiting
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(calls)) as pool:
        procs = list(pool.map(lambda c: ls_server.cli(*c[3], env=c[4]), calls))
    runs = [(command, how, reachable, proc) for (command, how, reachable, _, _), proc in zip(calls, procs)]
    for command, how, reachable, proc in runs:
        assert proc.returncode == 3, (command, how, reachable, proc.stderr)
    for command, how, reachable, proc in runs:
        out = proc.stdout + proc.stderr
        assert PASSWORD not in out and USER not in out, (command, how, out)
        line = _one_error_line(proc.stderr)
        assert "http://***@127.0.0.1:" in line, line
        if reachable:  # the credentials are sent as basic auth, which replaces the token: said so
            assert "refused the API token (401)" in line and "user:password@ in the URL" in line, line
        else:
            assert line.startswith("Error: cannot reach Label Studio at http://***@127.0.0.1:"), line
    assert not (tmp_path / "x.json").exists()


def test_credentials_in_the_url_are_masked_in_logs_and_reprs(ls_server):
    from toolkit.errors import ServerError
    from toolkit.labelstudio.client import Connection, LabelStudioClient

    port = ls_server.url.rsplit(":", 1)[1]
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        conn = Connection(f"http://{USER}:{PASSWORD}@127.0.0.1:{port}", ls_server.token)
        client = LabelStudioClient(conn)
        with pytest.raises(ServerError) as exc:
            client.check()
        shown = [repr(conn), repr(client), client.url, str(exc.value)]
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    logs = buf.getvalue()
    assert f'httpx INFO HTTP Request: GET http://***@127.0.0.1:{port}/api/current-user/whoami' in logs, logs[-2000:]
    for text in shown + [logs]:
        assert PASSWORD not in text and USER not in text and ls_server.token not in text


# --------------------------------------------------------------------------- refusals are bad input


def test_input_label_studio_refuses_is_exit_2_not_unreachable(ls_server, tmp_path):
    # a title Label Studio refuses (more than 50 characters): project create answers 400
    src = str(write_jsonl(tmp_path / "a.jsonl", sample_data()[:1]))
    proc = ls_server.cli("ls", "push", src, "--project", "t" * 51)
    assert proc.returncode == 2, proc.stderr
    line = _one_error_line(proc.stderr)
    assert "Label Studio refused to create the project (400)" in line and "50" in line, line
    client = ls_server.client()
    assert client.find_project("t" * 51) is None
    project = client.create_project(title="refusals", label_config=NER_CONFIG)
    with pytest.raises(BadInputError, match=r"refused to update the project \(400\)"):
        client.update_project(project["id"], label_config="<View><Text name=")
    with pytest.raises(BadInputError, match=r"refused to import tasks \(400\)"):
        client.import_tasks(project["id"], [{"data": {"no_text_here": "x"}}])
    assert not list(client.iter_tasks(project["id"]))


# --------------------------------------------------------------------------- ls pull: foreign projects, snapshots


@pytest.mark.parametrize("config, named", [
    (NER_CONFIG, "Labels 'label' -> text (PER, ORG, LOC, MISC)"),
    (CLASSIFY_CONFIG, "Choices 'sentiment' -> text (Positive, Negative)"),
], ids=["ner", "classification"])  # fmt: skip
def test_pull_refuses_a_project_of_another_labeling_config_unless_allowed(ls_server, tmp_path, config, named):
    client = ls_server.client()
    title = f"foreign {named.split()[1].strip(chr(39))}"
    project = client.create_project(title=title, label_config=config)
    (task_id,) = client.import_tasks(project["id"], [{"data": {"text": "Sam Rainsy said it would fail."}}])["task_ids"]
    client.create_annotation(task_id, [])
    out = tmp_path / "foreign.json"
    proc = ls_server.cli("ls", "pull", "--project", title, "-o", str(out))
    assert proc.returncode == 2, proc.stderr
    line = _one_error_line(proc.stderr)
    assert line.startswith(f"Error: project {title!r} is not a quotekit project: its controls are {named};")
    assert "quotekit's are Labels 'label' -> text (QUOTE, SPEAKER, CUE) and Choices 'stance' -> text" in line
    assert line.endswith("(pass --allow-foreign to pull it anyway)")
    assert not out.exists() and client.list_exports(project["id"]) == []  # refused before any snapshot
    proc = ls_server.cli("ls", "pull", "--project", title, "-o", str(out), "--allow-foreign")
    assert proc.returncode == 0, proc.stderr
    assert [t["id"] for t in json.loads(out.read_text(encoding="utf-8"))] == [task_id]


def _snapshot_files(ls_server, pid: int) -> list[Path]:
    d = Path(ls_server.data_dir) / "media" / "export" / str(pid)
    return sorted(d.glob("*")) if d.exists() else []


def test_pull_leaves_no_export_snapshot_on_the_server(ls_server, tmp_path):
    project = _pushed_and_annotated(ls_server, tmp_path, "snapshots cleaned")
    client = ls_server.client()
    for i, title in enumerate(["snapshots cleaned", "snapshots cleaned", " snapshots cleaned  "]):
        # (Label Studio strips a title's outer whitespace when it stores it: so does --project)
        proc = ls_server.cli("ls", "pull", "--project", title, "-o", str(tmp_path / f"{i}.json"))
        assert proc.returncode == 0, proc.stderr
        assert len(json.loads((tmp_path / f"{i}.json").read_text(encoding="utf-8"))) == 2
    assert client.list_exports(project["id"]) == []
    assert _snapshot_files(ls_server, project["id"]) == [], "Label Studio kept the snapshot files"
    assert "Warning" not in proc.stderr


def test_pull_of_another_server_deletes_the_snapshot_record_and_leaves_files_alone(ls_server, tmp_path):
    """Through a URL that is not the data dir's server (here a different spelling of it), the
    snapshot is deleted through the API; the data dir is not touched (it may not be that server's)."""
    project = _pushed_and_annotated(ls_server, tmp_path, "snapshots remote")
    env = ls_server.env(LABEL_STUDIO_URL=ls_server.url.replace("127.0.0.1", "localhost"),
                        LABEL_STUDIO_API_KEY=ls_server.token)
    env["QUOTEKIT_LS_DATA_DIR"] = str(tmp_path / "elsewhere")
    proc = ls_server.cli("ls", "pull", "--project", "snapshots remote", "-o", str(tmp_path / "r.json"), env=env)
    assert proc.returncode == 0, proc.stderr
    assert ls_server.client().list_exports(project["id"]) == []
    assert len(_snapshot_files(ls_server, project["id"])) == 1  # Label Studio 1.23 keeps the file
