"""Adding a missed quote text first, in the real labeling screen (Label Studio 1.23.2 + Debian's
chromium), with *Select region after creating it* on, as the guidelines recommend.

What the scripted annotator (benchmarks/annotator, ``--draw text-first``) relies on, checked
here on the page: while a region is selected, a drag over other text makes a new region with
the selected region's label and selects it; the label's hotkey then relabels that new region
(not the old one). So the cue, the quote and the speaker of a missed quote are each a drag and
a key, with no Escape between them: 8 actions with the stance and a candidate speaker. With
nothing selected a drag makes no region (only a text selection): the first drawing of a
session needs its key first.

Counts highlights and Label Studio's store, never the virtualised regions list. A missing
browser or server is a FAILURE, not a skip.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from toolkit.config import load_stance
from toolkit.labelstudio import names as N
from toolkit.labelstudio.export import ExportReader, IssueLog
from toolkit.labelstudio.testing import logged_in_page, make_article, quote, submit_and_pull, write_jsonl

from test_ls_screen import JS_DRAG_BOX  # the drag's ends over a text in the article

pytestmark = pytest.mark.browser

PROJECT = "quotekit browser text first"
TEXT = "Hun Sen said that the talks were over.\n\nThe minister told reporters that prices would fall in May."
PROPOSED = "the talks were over"
ADDED, MENTION, CUE = "prices would fall in May", "The minister", "told"

JS_STATE = """() => { const a = window.Htx.annotationStore.selected;
  return {regions: a.regionStore.regions.map(r => [r.labelName, r.text]),
          selected: a.regionStore.regions.filter(r => r.selected).map(r => [r.labelName, r.text])}; }"""


def _drag(page, needle: str) -> None:
    b = page.evaluate(JS_DRAG_BOX, needle)
    assert b is not None, needle
    page.mouse.move(b["x1"], b["y1"])
    page.mouse.down()
    page.mouse.move(b["x2"], b["y2"], steps=6)
    page.mouse.up()


def _state(page) -> dict:
    return page.evaluate(JS_STATE)


def _wait_selected(page, label: str, text: str) -> None:
    page.wait_for_function(f"() => ({JS_STATE})().selected.some(r => r[0] === {label!r} && r[1] === {text!r})",
                           timeout=8000)


def test_drag_then_key_draws_each_region_of_a_missed_quote_without_escape(ls_server, browser, tmp_path):
    rec = make_article("text-first-1", "Text first", TEXT, [
        quote(TEXT, PROPOSED, "indirect", "Hun Sen", "Hun Sen", "said", "neutral", 0.9)])
    proc = ls_server.cli("ls", "push", write_jsonl(tmp_path / "in.jsonl", [rec]), "--project", PROJECT)
    assert proc.returncode == 0, proc.stderr
    project = ls_server.client().find_project(PROJECT)
    (task,) = list(ls_server.client().iter_tasks(project["id"]))

    page = logged_in_page(browser, ls_server)
    page.goto(f"{ls_server.url}/projects/{project['id']}/data?task={task['id']}")
    expect(page.locator('.htx-highlight[data-label$=":QUOTE"]')).to_have_count(1)
    # Label Studio's per-browser setting, once: settings, the toggle, Escape
    page.locator('[data-testid="bottombar-settings-button"]').click()
    page.locator('label.lsf-settings__field:has-text("Select region after creating it")').click()
    page.wait_for_function("() => window.Htx.settings.selectAfterCreate === true")
    page.keyboard.press("Escape")
    n0 = len(_state(page)["regions"])
    assert n0 == 3 and _state(page)["selected"] == []

    # nothing selected: a drag only selects text, and a hotkey then makes no region
    _drag(page, ADDED)
    page.keyboard.press("q")
    page.wait_for_timeout(800)
    assert len(_state(page)["regions"]) == n0
    page.keyboard.press("Escape")  # (disarm the label the key armed)

    # a region is selected (here the proposal, as after any fix): its label is armed
    page.locator(".htx-highlight", has_text=PROPOSED).first.click()
    _wait_selected(page, N.QUOTE, PROPOSED)
    keys = 0
    # the cue: a drag (a QUOTE, selected), then `c` relabels the new region
    _drag(page, CUE)
    _wait_selected(page, N.QUOTE, CUE)
    page.keyboard.press("c"); keys += 1  # noqa: E702
    _wait_selected(page, N.CUE, CUE)
    # the quote: a drag (a CUE, selected), `q`, the stance
    _drag(page, ADDED)
    _wait_selected(page, N.CUE, ADDED)
    page.keyboard.press("q"); keys += 1  # noqa: E702
    _wait_selected(page, N.QUOTE, ADDED)
    page.locator('input[type="radio"][name="against"]').check()
    # the speaker: a drag (a QUOTE), `s`
    _drag(page, MENTION)
    _wait_selected(page, N.QUOTE, MENTION)
    page.keyboard.press("s"); keys += 1  # noqa: E702
    _wait_selected(page, N.SPEAKER, MENTION)
    assert keys == 3  # one key per region, no Escape

    labels = sorted(tuple(r) for r in _state(page)["regions"])
    assert labels == sorted([(N.QUOTE, PROPOSED), (N.SPEAKER, "Hun Sen"), (N.CUE, "said"),
                             (N.CUE, CUE), (N.QUOTE, ADDED), (N.SPEAKER, MENTION)]), labels

    out = tmp_path / "export.json"
    exported = submit_and_pull(page, ls_server, PROJECT, out)
    page.close()
    (ann,) = exported[0]["annotations"]
    stance = {r["value"]["text"]: r["value"]["choices"] for r in ann["result"] if r.get("from_name") == N.STANCE}
    assert stance == {PROPOSED: ["neutral"], ADDED: ["against"]}  # the relabelled regions carry no stance
    log = IssueLog()
    (article,) = list(ExportReader([out], issues=log, stance_labels=load_stance().labels).articles())
    def span(a, b):
        return TEXT[a:b] if a is not None else None

    got = {q.text: (span(q.speaker_start, q.speaker_end), span(q.cue_start, q.cue_end), q.stance) for q in article.quotes}
    assert got == {PROPOSED: ("Hun Sen", "said", "neutral"), ADDED: (MENTION, CUE, "against")}  # links implied
    assert log.total == 0
