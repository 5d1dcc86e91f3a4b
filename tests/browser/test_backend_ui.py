"""A task imported WITHOUT predictions into a project connected to ``quotekit ls backend``,
opened in the labeling UI (Debian's chromium through Playwright): the pre-annotated regions are
highlighted, one per region of the prediction the backend gave, and the relations are drawn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from toolkit.labelstudio import names as N
from toolkit.labelstudio.tasks import model_version, task_data
from toolkit.labelstudio.testing import free_port, logged_in_page

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
PROJECT = "quotekit browser backend"


@pytest.fixture(scope="module")
def backend_url(ls_server, tmp_path_factory):
    port, data_dir = free_port(), tmp_path_factory.mktemp("backend")
    proc = ls_server.cli("ls", "backend", "--detach", "--port", str(port), "--data-dir", str(data_dir), "--workers", "1")
    assert proc.returncode == 0, proc.stderr + proc.stdout
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        ls_server.cli("ls", "backend", "stop", "--data-dir", str(data_dir))


def test_opened_bare_task_shows_the_backends_regions(ls_server, browser, backend_url):
    from toolkit.labelstudio.config import build_label_config

    rec = json.loads((REPO / "annotations" / "articles.jsonl").read_text(encoding="utf-8").splitlines()[0])
    client = ls_server.client()
    project = client.create_project(title=PROJECT, label_config=build_label_config(),
                                    description="quotekit: backend browser test")
    resp = client.import_tasks(project["id"], [{"data": task_data(rec)}])
    [task_id] = resp["task_ids"]
    proc = ls_server.cli("ls", "connect", "--project", PROJECT, "--backend-url", backend_url)
    assert proc.returncode == 0, proc.stderr

    page = logged_in_page(browser, ls_server)
    page.goto(f"{ls_server.url}/projects/{project['id']}/data?task={task_id}")
    items = page.locator(".lsf-outliner-item")
    items.first.wait_for()

    # what the backend gave, as Label Studio stored it when the task was opened
    [pred] = client.request("GET", f"api/tasks/{task_id}", "read the task")["predictions"]
    assert pred["model_version"] == model_version()
    regions = [r for r in pred["result"] if r.get("type") == "labels"]
    relations = [r for r in pred["result"] if r.get("type") == "relation"]
    quotes = sum(r["value"]["labels"] == [N.QUOTE] for r in regions)
    assert quotes >= 3, "the seed article has quotes"
    # one highlight per region in the text (the region list is virtualised: it renders only the
    # rows in view), and every relation drawn
    expect(page.locator(".htx-highlight")).to_have_count(len(regions))
    expect(page.locator(".relations-overlay text")).to_have_count(len(relations))
    shown = " ".join(" ".join(t.split()) for t in items.all_inner_texts())
    assert "QUOTE" in shown and "SPEAKER" in shown and "CUE" in shown, shown
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ls_ui_backend_task.png"))
