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


JS_WHOLE_ROWS = """() => {
  // review-panel rows shown whole: inside the panel's scrolling box and above Label Studio's bottom bar
  const rows = Array.from(document.querySelectorAll('tr.qk-quote'));
  let c = rows[0].parentElement;
  while (c && !(c.scrollHeight > c.clientHeight + 1 && /auto|scroll/.test(getComputedStyle(c).overflowY))) c = c.parentElement;
  const box = (c || document.documentElement).getBoundingClientRect();
  const bar = document.querySelector('[data-testid="bottombar-submit-button"]').getBoundingClientRect();
  const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, bar.top);
  return rows.filter(r => { const b = r.getBoundingClientRect(); return b.top >= top - 1 && b.bottom <= bottom + 1; }).length;
}"""


def test_a_full_candidate_list_leaves_the_review_panel_its_room(ls_server, browser, tmp_path):
    """The most candidates a task gets from names the text shows acting (MAX_WITH_ACTING), with
    the registry's longest names that still take one line of the right column (at most 35
    characters; 10 of the 297 names are longer and take two lines, as on the screen before the
    acting names): with a SPEAKER selected, its candidates and the registry search are in view
    and the review panel under them still shows 3 rows whole."""
    from toolkit.config import load_registry
    from toolkit.labelstudio.tasks import MAX_WITH_ACTING

    one_line = [n for n in load_registry().names() if len(n) <= 35 and n[:1].isupper()]
    names = sorted(one_line, key=len, reverse=True)[:MAX_WITH_ACTING + 1]
    quoted = [f"Quote number {i} is here and it is long enough," for i in range(4)]
    paras = [f"“{q}” {names[0]} said." for q in quoted]
    paras += [f"{name} warned on Monday that the situation was serious." for name in names[1:]]
    text = "\n\n".join(paras)
    rec = make_article("cand-full", "Many names", text,
                       [quote(text, q, "direct", names[0], names[0], "said", "neutral", 0.8) for q in quoted])
    proc = ls_server.cli("ls", "push", write_jsonl(tmp_path / "in.jsonl", [rec]), "--project", PROJECT + " full")
    assert proc.returncode == 0, proc.stderr
    client = ls_server.client()
    project = client.find_project(PROJECT + " full")
    (task,) = list(client.iter_tasks(project["id"]))
    assert [c["value"] for c in task["data"][N.SPEAKER_CANDIDATES]] == names[:MAX_WITH_ACTING]  # the ceiling

    page = logged_in_page(browser, ls_server)
    page.goto(f"{ls_server.url}/projects/{project['id']}/data?task={task['id']}")
    speaker = page.locator('.htx-highlight[data-label$=":SPEAKER"]').first
    speaker.wait_for()
    expect(page.locator("tr.qk-quote")).to_have_count(4)
    speaker.click()
    radios = page.locator(f".{CANDIDATES_CLASS} input[type=radio]")
    expect(radios).to_have_count(MAX_WITH_ACTING)
    height = page.viewport_size["height"]
    for loc in (radios.last, page.locator(".htx-taxonomy").first):
        box = loc.bounding_box()
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= height, box
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ls_ui_candidates_full.png"))
    assert page.evaluate(JS_WHOLE_ROWS) >= 3
    page.close()
