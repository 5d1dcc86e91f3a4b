"""The candidate speakers in the real labeling screen (Label Studio 1.23.2 + Debian's chromium):
selecting a pre-annotated SPEAKER region shows the article's candidates as radios with the
proposal's name checked; one click on another candidate, Submit, and ``ls pull`` + the export
reader name the new speaker. Two actions for the fix (select + click), with no list to open.

Counts highlights in the text, never the virtualised regions list. A missing browser or server
is a FAILURE, not a skip.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from toolkit.config import load_stance
from toolkit.labelstudio import names as N
from toolkit.labelstudio.config import CANDIDATES_CLASS
from toolkit.labelstudio.export import ExportReader, IssueLog
from toolkit.labelstudio.testing import T1, logged_in_page, make_article, quote, submit_and_pull, write_jsonl

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PROJECT = "quotekit browser candidates"
QUOTE1 = "This is necessary work to do, with the aim of national reconciliation,"
QUOTE2 = "It shows that the regime fears the truth,"


def _highlight(page, label: str, start: int, end: int):
    return page.locator(f'.htx-highlight[data-start="{start}"][data-end="{end}"][data-label$=":{label}"]')


def test_one_click_on_another_candidate_changes_the_speaker(ls_server, browser, tmp_path):
    rec = make_article("cand-1", "Candidates", T1, [
        quote(T1, QUOTE1, "direct", "Hun Sen", "Hun Sen", "said", "favor", 0.9),
        quote(T1, QUOTE2, "direct", "Mu Sochua", "Mu Sochua", "according to", "against", 0.5),
    ])
    proc = ls_server.cli("ls", "push", write_jsonl(tmp_path / "in.jsonl", [rec]), "--project", PROJECT)
    assert proc.returncode == 0, proc.stderr
    client = ls_server.client()
    project = client.find_project(PROJECT)
    (task,) = list(client.iter_tasks(project["id"]))
    assert task["data"][N.SPEAKER_CANDIDATES] == [{"value": "Hun Sen"}, {"value": "Mu Sochua"}]

    page = logged_in_page(browser, ls_server)
    page.goto(f"{ls_server.url}/projects/{project['id']}/data?task={task['id']}")
    hs = T1.index("Hun Sen")
    speaker = _highlight(page, N.SPEAKER, hs, hs + len("Hun Sen"))
    expect(speaker).to_have_count(1)
    expect(page.locator('.htx-highlight[data-label$=":QUOTE"]')).to_have_count(2)

    speaker.click()  # action 1: select the SPEAKER region in the text
    radios = page.locator(f".{CANDIDATES_CLASS} input[type=radio]")
    expect(radios).to_have_count(2)
    assert [r.get_attribute("name") for r in radios.all()] == ["Hun Sen", "Mu Sochua"]
    expect(page.locator(f'.{CANDIDATES_CLASS} input[type=radio][name="Hun Sen"]')).to_be_checked()
    expect(page.locator(".htx-taxonomy .ant-select-selection-item")).to_have_count(0)  # the registry list is empty

    other = page.locator(f'.{CANDIDATES_CLASS} input[type=radio][name="Mu Sochua"]')
    other.click()  # action 2: the other candidate
    expect(other).to_be_checked()
    expect(page.locator(f'.{CANDIDATES_CLASS} input[type=radio][name="Hun Sen"]')).not_to_be_checked()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ls_ui_candidates.png"))

    out = tmp_path / "export.json"
    exported = submit_and_pull(page, ls_server, PROJECT, out)
    (ann,) = exported[0]["annotations"]
    picks = [(r["id"], r["value"]["choices"]) for r in ann["result"] if r.get("from_name") == N.SPEAKER_PICK]
    assert sorted(p[1] for p in picks) == [["Mu Sochua"], ["Mu Sochua"]]  # both mentions now name her
    log = IssueLog()
    (article,) = list(ExportReader([out], issues=log, stance_labels=load_stance().labels).articles())
    speakers = {q.text: q.speaker for q in article.quotes}
    assert speakers == {QUOTE1: "Mu Sochua", QUOTE2: "Mu Sochua"}
    assert log.total == 0 and not log.notes
