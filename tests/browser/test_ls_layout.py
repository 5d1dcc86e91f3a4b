"""The labeling screen's layout and required stance, in the real UI (Label Studio + /usr/bin/chromium).

- Two columns: a QUOTE selected at the end of a long article shows its stance radios in the
  viewport, without scrolling (the controls sit in a sticky right column, not under the article).
- Stance is required per QUOTE: a new QUOTE without a stance blocks Submit with a message and
  nothing is saved; once a stance is picked the annotation is submitted and exported. The
  pre-annotations (with their stance) still import under the config with ``required``.

Screenshots in ``test-artifacts/ls_ui_layout_*.png``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from toolkit.labelstudio import names as N
from toolkit.labelstudio.config import STANCE_REQUIRED_MESSAGE
from toolkit.labelstudio.testing import logged_in_page, make_article, quote, submit_and_pull, write_jsonl


pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PROJECT = "quotekit browser layout"
FILLER = ("Paragraph {i}. The ministry published its weekly report on road works, rainfall and rice prices "
          "in the provinces, with tables for each district and notes on the coming harvest season.")
NEW_QUOTE = "the bridge would reopen in March"
LAST_QUOTE = "We will never accept this verdict,"


def _long_article() -> dict:
    paras = [FILLER.format(i=i) for i in range(60)]
    paras.append(f"A district official said that {NEW_QUOTE}.")
    paras.append(f"“{LAST_QUOTE}” Sam Rainsy said.")
    text = "\n\n".join(paras)
    assert len(text) > 10_000
    return make_article("layout-1", "A long article", text, [
        quote(text, LAST_QUOTE, "direct", "Sam Rainsy", "Sam Rainsy", "said", "against", 0.9),
    ])


JS_RANGE = """(needle) => {
  const root = document.querySelector('.lsf-richtext__container');
  const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = w.nextNode())) {
    const i = n.nodeValue.indexOf(needle);
    if (i >= 0) {
      n.parentElement.scrollIntoView({block: 'center'});
      const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + needle.length);
      const rects = r.getClientRects(); const a = rects[0], b = rects[rects.length - 1];
      return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
    }
  }
  return null;
}"""


def _in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def _scroll_top(page) -> float:
    return page.evaluate("() => document.querySelector('.lsf-main-content').scrollTop")


def test_controls_stay_in_view_and_stance_is_required(ls_server, browser, tmp_path):
    rec = _long_article()
    proc = ls_server.cli("ls", "push", write_jsonl(tmp_path / "articles.jsonl", [rec]), "--project", PROJECT)
    assert proc.returncode == 0, proc.stderr
    client = ls_server.client()
    project = client.find_project(PROJECT)
    task = next(iter(client.iter_tasks(project["id"])))
    assert len(task["predictions"]) == 1  # the prediction imports under required="true"

    page = logged_in_page(browser, ls_server)
    page.goto(f"{ls_server.url}/projects/{project['id']}/data?task={task['id']}")
    items = page.locator(".lsf-outliner-item")
    expect(items).to_have_count(3)  # QUOTE, SPEAKER, CUE
    # the UI draws the relations last (and re-renders the highlights meanwhile): wait for them
    expect(page.locator(".relations-overlay text")).to_have_count(2)
    ARTIFACTS.mkdir(exist_ok=True)

    # A: select the QUOTE at the very end of the article by clicking it in the text
    page.locator(".htx-highlight", has_text=LAST_QUOTE[:20]).first.click()  # scrolls it into view
    assert _scroll_top(page) > 2000, "the article should be scrolled far down"
    favor, against = (page.locator(f'input[type="radio"][name="{v}"]') for v in ("favor", "against"))
    expect(against).to_be_checked()
    assert _in_viewport(page, favor) and _in_viewport(page, against), (
        f"stance radios out of view: {favor.bounding_box()}, viewport {page.viewport_size}"
    )
    page.screenshot(path=str(ARTIFACTS / "ls_ui_layout_quote_selected.png"))

    # C: a new QUOTE with no stance cannot be submitted
    page.locator(".lsf-label", has_text=N.QUOTE).first.click()
    page.evaluate(JS_RANGE, NEW_QUOTE)
    r = page.evaluate(JS_RANGE, NEW_QUOTE)
    assert r is not None
    page.mouse.move(r["x1"], r["y1"])
    page.mouse.down()
    page.mouse.move(r["x2"], r["y2"], steps=8)
    page.mouse.up()
    expect(items).to_have_count(4)
    page.locator('[data-testid="bottombar-submit-button"]').click()
    warning = page.get_by_text(STANCE_REQUIRED_MESSAGE[:40])
    expect(warning).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "ls_ui_layout_stance_required.png"))
    page.get_by_role("button", name="OK").click()
    expect(warning).to_be_hidden()
    (again,) = client.iter_tasks(project["id"])
    assert not again.get("total_annotations") and not again.get("annotations"), "submitted without a stance"

    # the validator selected the new QUOTE: its stance radios are in view, unset
    assert _in_viewport(page, favor) and not favor.is_checked() and not against.is_checked()
    page.locator('input[type="radio"][name="neutral"]').check()
    (annotation,) = submit_and_pull(page, ls_server, PROJECT, tmp_path / "export.json")[0]["annotations"]
    result = annotation["result"]
    new = [x for x in result if x["type"] == "labels" and x["value"]["text"] == NEW_QUOTE]
    assert len(new) == 1 and new[0]["value"]["labels"] == [N.QUOTE]
    stance = {x["id"]: x["value"]["choices"] for x in result if x.get("from_name") == N.STANCE}
    assert stance[new[0]["id"]] == ["neutral"]
    assert sorted(stance.values()) == [["against"], ["neutral"]]
    assert Path(ARTIFACTS / "ls_ui_layout_stance_required.png").exists()
