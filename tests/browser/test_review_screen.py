"""The review screen of ``quotekit review`` in the real Label Studio 1.23 (Debian's chromium): the
summary of the differences above the article, one tab per annotator's version named by the
account, and Label Studio's own "Compare All". A missing browser or server is a FAILURE."""

from __future__ import annotations

from dataclasses import replace

import pytest
from playwright.sync_api import expect

from toolkit.labelstudio.tasks import build_result
from toolkit.labelstudio.testing import ensure_user, logged_in_page, sample_data, write_jsonl
from toolkit.types import Quote

pytestmark = pytest.mark.browser

SOURCE = "quotekit review screen"


def test_the_reviewer_sees_the_differences_and_every_version(ls_server, browser, tmp_path):
    records = sample_data()
    proc = ls_server.cli("ls", "push", write_jsonl(tmp_path / "a.jsonl", records), "--project", SOURCE)
    assert proc.returncode == 0, proc.stderr
    client = ls_server.client()
    tasks = {t["data"]["article_id"]: t for t in client.iter_tasks(client.find_project(SOURCE)["id"])}
    rec = records[1]
    quotes = [Quote.from_dict(q) for q in rec["quotes"]]
    other = [replace(quotes[0], stance="favor" if quotes[0].stance != "favor" else "against")] + quotes[1:]
    for who, qs in (("ann@screen.test", quotes), ("ben@screen.test", other)):
        client.create_annotation(tasks[rec["article_id"]]["id"], build_result(rec["article_id"], rec["text"], qs)[0], completed_by=ensure_user(client, who))
    proc = ls_server.cli("review", "--project", SOURCE)
    assert proc.returncode == 0, proc.stderr
    assert "1 annotated by several accounts: 0 agree, 1 disagree (by field: stance 1)." in proc.stdout
    assert "1 review tasks added, 0 updated" in proc.stdout
    review = client.find_project(f"{SOURCE} (review)")
    [task] = list(client.iter_tasks(review["id"]))

    page = logged_in_page(browser, ls_server)
    page.goto(f"{ls_server.url}/projects/{review['id']}/data?task={task['id']}")
    expect(page.get_by_role("heading", name=task["data"]["review_summary"], exact=True)).to_be_visible()
    assert "stance ann@screen.test" in task["data"]["review_summary"]
    for account in ("ann@screen.test", "ben@screen.test"):  # 15 characters: Label Studio shows them whole
        expect(page.get_by_text(account, exact=True)).to_be_visible()
    expect(page.get_by_text("Compare All")).to_be_visible()
