"""Which characters does Label Studio's text view count differently from Python? Measured in the
real UI (Label Studio + /usr/bin/chromium), one page load for every candidate character.

One task holds one short text per candidate, ``"ab x" + CHAR + "PRE DRW end"``, each in its own
``<Text>`` with its own ``<Labels>`` (so a character's effect cannot leak into the next text).
The word ``PRE`` is pre-annotated (Python offsets) and its highlight's text is read from the
page; a region is then drawn with the mouse over ``DRW`` and its exported offsets are compared
with Python's. The characters that shift either one must be exactly
``toolkit.labelstudio.chars.OFFSET_BREAKING_CHARACTERS`` (which ``quotekit ingest`` removes and
``ls push`` refuses): the test fails when a listed character renders fine or a candidate starts
to misrender.

Never ``playwright install``: the browser is /usr/bin/chromium. A missing browser or server is a
FAILURE, not a skip.
"""

from __future__ import annotations

import time
import unicodedata

import pytest

from toolkit.labelstudio.chars import OFFSET_BREAKING_CHARACTERS
from toolkit.labelstudio.testing import drag_region, logged_in_page

pytestmark = pytest.mark.browser

PROJECT = "quotekit browser characters"


def _name(ch: str) -> str:
    return "+".join(f"U+{ord(c):04X}" for c in ch) if ch else "none"


#: every C0 and C1 control, DEL, and the characters most likely to be counted differently
#: (line/paragraph separators, BOM, noncharacters, surrogate pairs, combining and zero-width
#: marks, bidi controls); "" is the control.
CANDIDATES: list[str] = (
    [chr(i) for i in range(0x00, 0x20)] + ["\x7f"] + [chr(i) for i in range(0x80, 0xA0)]
    + ["\r\n", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", "\ufffd", "\u0301", "e\u0301",
       "\U0001F642", "\U0001F469\u200d\U0001F4BB", "\U0001F1EB\U0001F1F7", "\U0010FFFF", "\ue000",
       "\u200b", "\u200c", "\u200d", "\u200e", "\u202e", "\u2066", "\u00a0", "\u00ad", "\u3000", ""]
)  # fmt: skip
BEFORE, AFTER = "ab x", "PRE DRW end"


def _text(ch: str) -> str:
    return BEFORE + ch + AFTER


JS_DRAG_TARGET = """([i, needle]) => {
  const root = document.querySelectorAll('.lsf-richtext__container')[i];
  const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = w.nextNode())) {
    const k = n.nodeValue.indexOf(needle);
    if (k >= 0) {
      n.parentElement.scrollIntoView({block: 'center'});
      const r = document.createRange(); r.setStart(n, k); r.setEnd(n, k + needle.length);
      const rects = r.getClientRects(); const a = rects[0], b = rects[rects.length - 1];
      return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
    }
  }
  return null;
}"""
JS_HIGHLIGHTS = """() => Array.from(document.querySelectorAll('.lsf-richtext__container'))
  .map(e => Array.from(e.querySelectorAll('.htx-highlight')).map(h => h.textContent).join('|'))"""


@pytest.fixture(scope="module")
def measured(ls_server, browser):
    """{candidate: (text of the PRE highlight, (start, end) of the region drawn over DRW)}."""
    config = "<View>" + "".join(
        f'<Text name="t{i}" value="$t{i}"/><Labels name="l{i}" toName="t{i}"><Label value="c{i}_"/></Labels>'
        for i in range(len(CANDIDATES))
    ) + "</View>"
    data, prediction = {}, []
    for i, ch in enumerate(CANDIDATES):
        text = data[f"t{i}"] = _text(ch)
        s = text.index("PRE")
        prediction.append({"id": f"pre{i}", "from_name": f"l{i}", "to_name": f"t{i}", "type": "labels",
                           "value": {"start": s, "end": s + 3, "text": "PRE", "labels": [f"c{i}_"]}})
    client = ls_server.client()
    project = client.create_project(title=PROJECT, label_config=config)
    imported = client.import_tasks(project["id"], [{"data": data, "predictions": [{"model_version": "chars", "result": prediction}]}])
    assert imported["task_count"] == 1 and imported["prediction_count"] == 1, imported
    (task_id,) = imported["task_ids"]
    stored = client.request("GET", f"/api/tasks/{task_id}", "read the task")["data"]
    assert stored == data, "Label Studio stored a different text than it was sent"

    t0 = time.monotonic()
    page = logged_in_page(browser, ls_server)
    page.goto(f"{ls_server.url}/projects/{project['id']}/data?task={task_id}")
    page.locator(".htx-highlight").first.wait_for()
    page.wait_for_function(f"() => document.querySelectorAll('.htx-highlight').length >= {len(CANDIDATES)}")
    highlights = page.evaluate(JS_HIGHLIGHTS)
    assert len(highlights) == len(CANDIDATES)
    for i in range(len(CANDIDATES)):
        # a label shows its hotkey after its value: "c1_" + "2" cannot be taken for "c12_"
        label = page.locator(".lsf-label", has_text=f"c{i}_").first
        # not drawn: no offsets for it, and that character's test fails
        drag_region(page, label.click, lambda: page.evaluate(JS_DRAG_TARGET, [i, "DRW"]), what=f"DRW of text {i}", steps=3)
        page.keyboard.press("Escape")  # unselect the new region before the next label click
    with page.expect_response(lambda r: r.request.method == "POST" and "/annotations" in r.url) as saved:
        page.locator('[data-testid="bottombar-submit-button"]').click()
    assert saved.value.ok, f"submitting failed: {saved.value.status}"
    page.close()
    print(f"one page load, {len(CANDIDATES)} highlights read and regions drawn: {time.monotonic() - t0:.0f} s")
    (annotation,) = client.request("GET", f"/api/tasks/{task_id}/annotations", "read the annotations")
    drawn = {r["from_name"]: (r["value"]["start"], r["value"]["end"]) for r in annotation["result"]
             if r.get("type") == "labels" and r.get("origin") != "prediction"
             and r.get("id") != "pre" + str(r.get("from_name"))[1:]}
    return {ch: (highlights[i], drawn.get(f"l{i}")) for i, ch in enumerate(CANDIDATES)}


@pytest.mark.parametrize("ch", CANDIDATES, ids=_name)
def test_label_studio_counts_the_character_as_python_unless_it_is_listed(measured, ch):
    text = _text(ch)
    highlight, drawn = measured[ch]
    expected = (text.index("DRW"), text.index("DRW") + 3)
    assert drawn is not None, f"{_name(ch)}: the region drawn over DRW was not saved"
    renders_right = highlight == "PRE" and drawn == expected
    listed = any(c in OFFSET_BREAKING_CHARACTERS for c in ch)
    what = ", ".join(unicodedata.name(c, _name(c)) for c in ch)
    if listed:
        assert not renders_right, (f"{_name(ch)} ({what}) is in OFFSET_BREAKING_CHARACTERS but Label Studio "
                                   "counts it as Python does: remove it from the list")
        # the defect quotekit works around: the highlight moves right, a drawn region left
        assert highlight == text[text.index("PRE") + 1:][:3] and drawn == (expected[0] - 1, expected[1] - 1)
    else:
        assert renders_right, (f"{_name(ch)} ({what}): highlight {highlight!r} (expected 'PRE'), drawn region "
                               f"{drawn} (expected {expected}): add it to OFFSET_BREAKING_CHARACTERS")


def test_every_listed_character_is_a_candidate():
    assert set(OFFSET_BREAKING_CHARACTERS) <= set(CANDIDATES)
