"""The labeling screen as the scripted annotator sees it: every selector in one place (``SEL``,
``KEYS``) and every UI action through one counting wrapper (:class:`Actions`).

An action is what a person does with mouse or keyboard: a ``click``, a ``key`` press (each
typed character is one key), a ``drag`` (press, move, release) or a ``scroll`` (one wheel
gesture of at most ``SCROLL_STEP`` of the visible height: bringing a region 3 screens down
into view costs 3 or 4). Everything the script does to the page goes through
:class:`Actions`, which books it on the open *bucket* (``review``, ``fix_stance``, ...). Reading
the page (where a highlight is, which radio is checked, Label Studio's store) is looking, not
acting, and costs nothing.

Works against Label Studio 1.23 with quotekit's labeling config (``configs/label_config.xml``).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

# --------------------------------------------------------------------------- selectors (one place)

SEL = {
    # a region's highlight(s) in the text: Label Studio writes the offsets and "<n>:<LABEL>" on each span
    "highlight": '.htx-highlight[data-start="{start}"][data-end="{end}"][data-label$=":{label}"]',
    "any_highlight": ".htx-highlight",
    "text_root": ".lsf-richtext__container",
    "scroller": ".lsf-main-content",
    # per-region controls in the right column (names from toolkit/labelstudio/names.py)
    "radio": 'input[type="radio"][name="{value}"]',  # stance (favor/against/neutral) and kind values are distinct
    "flag": 'input[type="checkbox"][name="{value}"]',
    # the canonical speaker, screen before issue 18: an A-Z drop-down (Choices layout="select")
    "speaker_trigger": '[data-testid^="select-trigger"]',
    "speaker_option": '[data-testid="select-option-{name}"]',
    "speaker_any_option": '[data-testid^="select-option-"]',
    # the canonical speaker, screen after issue 18: a searchable Taxonomy (antd tree select)
    "taxonomy": ".htx-taxonomy",
    "taxonomy_box": ".htx-taxonomy .ant-select-selector",
    "taxonomy_tag": ".htx-taxonomy .ant-select-selection-item",
    "taxonomy_tag_remove": ".htx-taxonomy .ant-select-selection-item-remove",
    "taxonomy_open": ".htx-taxonomy-dropdown:not(.ant-select-dropdown-hidden)",
    "taxonomy_search": '.htx-taxonomy-dropdown:not(.ant-select-dropdown-hidden) [data-testid="taxonomy-search"]',
    "taxonomy_search_any": '[data-testid="taxonomy-search"]',
    "taxonomy_option": '.htx-taxonomy-dropdown:not(.ant-select-dropdown-hidden) .ant-select-tree-node-content-wrapper[title="{name}"]',
    "taxonomy_list": ".htx-taxonomy-dropdown:not(.ant-select-dropdown-hidden) .ant-select-tree-list-holder",
    # the article's candidate speakers, radios beside the Taxonomy (screen after H18a's short list;
    # toolkit.labelstudio.config.CANDIDATES_CLASS)
    "candidate": '.qk-candidates input[type="radio"][name="{name}"]',
    "candidate_checked": ".qk-candidates input[type=\"radio\"]:checked",
    # the always-visible review panel of the proposed quotes (screen after issue 18), one row per quote
    "review_row": "tr.qk-quote",
    "speaker_new": 'input[name="speaker_new"], textarea[name="speaker_new"]',
    "submit": '[data-testid="bottombar-submit-button"]',
    # the labeling screen's settings (the sliders icon at the bottom left) and one of its toggles
    "settings": '[data-testid="bottombar-settings-button"]',
    "setting_toggle": 'label.lsf-settings__field:has-text("{title}")',
}
LABELS_TAG = "label"  # the config's <Labels> (toolkit.labelstudio.names.LABELS)
SELECT_AFTER_CREATE = "Select region after creating it"  # Label Studio 1.23's per-browser setting
KEYS = {"QUOTE": "q", "SPEAKER": "s", "CUE": "c", "relation": "Alt+r", "delete": "Backspace", "unselect": "Escape"}
SCROLL_STEP = 0.8  # one wheel gesture moves at most this share of the visible height
VIEW_MARGIN = 80  # px: a target is in view when it is this far inside the article's visible box

# --------------------------------------------------------------------------- page scripts (looking only)

JS_POINTS = """([start, end]) => {
  // client points of the first and last character of text[start:end] (a <br> counts one character)
  const root = document.querySelector('%(root)s');
  let pos = 0, a = null, b = null, n;
  const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
  while ((n = w.nextNode())) {
    if (n.nodeType === 1) { if (n.tagName === 'BR') pos += 1; continue; }
    const L = n.nodeValue.length;
    if (a === null && start < pos + L) a = [n, start - pos];
    if (b === null && end <= pos + L) { b = [n, end - pos]; break; }
    pos += L;
  }
  if (!a || !b) return null;
  const r1 = document.createRange(); r1.setStart(a[0], a[1]); r1.setEnd(a[0], a[1] + 1);
  const r2 = document.createRange(); r2.setStart(b[0], b[1] - 1); r2.setEnd(b[0], b[1]);
  const p = r1.getClientRects()[0], q = r2.getClientRects()[0];
  return {x1: p.left + 1, y1: p.top + p.height / 2, x2: q.right - 1, y2: q.top + q.height / 2};
}""" % {"root": SEL["text_root"]}

JS_REGION_POINT = """([sel, top, bottom]) => {
  // a point on the region's own text (not on a nested region, not under a relation tag): a
  // character in view (between top and bottom) when the region shows one, else its longest piece
  const spans = Array.from(document.querySelectorAll(sel));
  const cands = [];
  for (const s of spans) for (const n of s.childNodes)
    if (n.nodeType === 3 && n.nodeValue.trim().length) cands.push(n);
  cands.sort((x, y) => y.nodeValue.length - x.nodeValue.length);
  const hit = (n, k) => {
    if (n.nodeValue[k] === ' ' || n.nodeValue[k] === undefined) return null;
    const r = document.createRange(); r.setStart(n, k); r.setEnd(n, k + 1);
    const rect = r.getClientRects()[0];
    if (!rect) return null;
    const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
    const el = document.elementFromPoint(x, y);
    return el && spans.includes(el) ? {x, y, hit: true} : null;
  };
  const fives = (L) => [Math.floor(L / 2), Math.floor(L / 4), Math.floor(3 * L / 4), 0, L - 1];
  for (const n of cands) for (const k of fives(n.nodeValue.length)) {
    const p = hit(n, k);
    if (p && p.y >= top && p.y <= bottom) return p;
  }
  for (const n of cands) {  // the middle of every piece was out of view: any character in view
    const L = n.nodeValue.length;
    for (let k = 0; k < L; k += 3) {
      const p = hit(n, k);
      if (p && p.y >= top && p.y <= bottom) return p;
    }
  }
  for (const n of cands) for (const k of fives(n.nodeValue.length)) {
    const p = hit(n, k);
    if (p) return p;
  }
  // hidden (off screen, under the bottom bar or a relation tag): where its text is, not clickable
  if (!cands.length) return null;
  const n = cands[0], r = document.createRange(); r.setStart(n, 0); r.setEnd(n, 1);
  const rect = r.getClientRects()[0];
  return rect ? {x: rect.left + rect.width / 2, y: rect.top + rect.height / 2, hit: false} : null;
}"""

JS_ROW_CLIP = """e => { let c = e.parentElement;
  // the visible box of the review panel around a row: its scrolling parent, above the bottom bar
  while (c && !(c.scrollHeight > c.clientHeight + 1 && /auto|scroll/.test(getComputedStyle(c).overflowY))) c = c.parentElement;
  const r = (c || document.documentElement).getBoundingClientRect();
  const bar = document.querySelector('%s');
  const barTop = bar ? bar.getBoundingClientRect().top - 8 : window.innerHeight;
  return {top: Math.max(r.top, 0), bottom: Math.min(r.bottom, barTop), x: r.left + r.width / 2}; }"""

JS_SCROLLER = """(sel) => { const m = document.querySelector(sel); const r = m.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: m.clientHeight, scrollTop: m.scrollTop,
          scrollHeight: m.scrollHeight}; }"""

JS_ARMED = """() => { const l = window.Htx.annotationStore.selected.names.get('%s');
  return l ? l.selectedLabels.map(x => x.value) : []; }""" % LABELS_TAG

JS_STORE = """() => { const a = window.Htx.annotationStore.selected;
  return {selected: a.regionStore.selection.size, regions: a.regionStore.regions.length,
          relations: a.relationStore.relations.length,
          which: a.regionStore.regions.filter(r => r.selected).map(r => [r.labelName,
            r.globalOffsets ? r.globalOffsets.start : r.startOffset, r.globalOffsets ? r.globalOffsets.end : r.endOffset])}; }"""


# --------------------------------------------------------------------------- the counting wrapper


@dataclass
class Actions:
    """Every UI action goes through here and is booked on the open bucket."""

    page: object
    counts: dict = field(default_factory=lambda: defaultdict(Counter))  # bucket -> {click, key, drag, scroll}
    fixes: Counter = field(default_factory=Counter)  # bucket -> number of fixes (items) done in it
    bucket: str = "other"
    log: list = field(default_factory=list)

    @contextmanager
    def on(self, bucket: str, item: bool = True):
        """Book the actions of the block on ``bucket`` (one more fix/item of it when ``item``)."""
        prev, self.bucket = self.bucket, bucket
        if item:
            self.fixes[bucket] += 1
        try:
            yield
        finally:
            self.bucket = prev

    def _book(self, kind: str, what: str, n: int = 1) -> None:
        self.counts[self.bucket][kind] += n
        self.log.append((self.bucket, kind, n, what))

    # -- the only ways to act on the page --------------------------------
    def click_at(self, x: float, y: float, what: str) -> None:
        self._book("click", what)
        self.page.mouse.click(x, y)

    def click(self, locator, what: str) -> None:
        self._book("click", what)
        locator.click()

    def check(self, locator, what: str) -> None:
        """A click on a radio or checkbox (Playwright's check/uncheck is one click)."""
        self._book("click", what)
        if locator.is_checked():
            locator.uncheck()
        else:
            locator.check()

    def key(self, key: str, what: str) -> None:
        self._book("key", what)
        self.page.keyboard.press(key)

    def type(self, text: str, what: str) -> None:
        self._book("key", what, len(text))
        self.page.keyboard.type(text)

    def drag(self, x1: float, y1: float, x2: float, y2: float, what: str) -> None:
        self._book("drag", what)
        m = self.page.mouse
        m.move(x1, y1)
        m.down()
        m.move(x2, y2, steps=6)
        m.up()

    def wheel(self, x: float, y: float, dy: float, what: str) -> None:
        self._book("scroll", what)
        self.page.mouse.move(x, y)
        self.page.mouse.wheel(0, dy)

    def total(self, bucket: str) -> int:
        return sum(self.counts[bucket].values())


# --------------------------------------------------------------------------- the screen


class Screen:
    """The labeling screen of one task, driven only through :class:`Actions`."""

    def __init__(self, page, acts: Actions, text: str, select_after_create: bool = False, text_first: bool = False):
        self.page = page
        self.acts = acts
        self.text = text
        self.select_after_create = select_after_create  # a drawn region stays selected
        self.text_first = text_first  # with a region selected: drag first, then the label key (see draw)

    def setting_on(self) -> bool:
        return bool(self.page.evaluate("() => !!(window.Htx && window.Htx.settings && window.Htx.settings.selectAfterCreate)"))

    def enable_select_after_create(self) -> None:
        """Label Studio's setting "Select region after creating it", once per browser (it lives
        in the browser's localStorage): open the settings, click the toggle, Escape."""
        if self.setting_on():
            return
        self.acts.click(self.page.locator(SEL["settings"]), "open the settings")
        toggle = self.page.locator(SEL["setting_toggle"].format(title=SELECT_AFTER_CREATE))
        toggle.wait_for(state="visible")
        self.acts.click(toggle, f"turn on {SELECT_AFTER_CREATE!r}")
        self._wait(self.setting_on, "setting on")
        self.acts.key(KEYS["unselect"], "close the settings")
        self._wait(lambda: not toggle.is_visible(), "settings closed")

    # -- looking ------------------------------------------------------------
    def store(self) -> dict:
        return self.page.evaluate(JS_STORE)

    def highlight(self, label: str, start: int, end: int):
        return self.page.locator(SEL["highlight"].format(label=label, start=start, end=end))

    def exists(self, label: str, start: int, end: int) -> bool:
        return self.highlight(label, start, end).count() > 0

    def wait_loaded(self, regions: int, relations: int, timeout: float = 30.0) -> None:
        """Until the store holds the prediction's regions and relations and the highlights are drawn."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                s = self.store()
                drawn = self.page.locator(SEL["any_highlight"]).count()
                if s["regions"] >= regions and s["relations"] >= relations and drawn >= regions:
                    time.sleep(0.3)
                    return
            except Exception:  # noqa: BLE001 - the store is not there yet
                pass
            time.sleep(0.2)
        raise TimeoutError(f"the task did not load {regions} regions and {relations} relations within {timeout} s")

    def _scroller(self) -> dict:
        return self.page.evaluate(JS_SCROLLER, SEL["scroller"])

    # -- moving the view -------------------------------------------------------
    def bring_into_view(self, where) -> None:
        """Wheel the article until ``where()`` (a dict with the target's client ``y`` and ``hit``:
        clickable there) says the target can be clicked."""
        for _ in range(200):
            box = self._scroller()
            p = where()
            if p is None:
                raise RuntimeError("target not found on the page")
            margin = VIEW_MARGIN
            top = min(p["y"], p.get("y_top", p["y"]))
            inside = box["top"] + margin <= top and p["y"] <= box["bottom"] - margin
            if inside and p.get("hit", True):
                return
            step = SCROLL_STEP * box["height"]
            dy = (p["y"] + p.get("y_top", p["y"])) / 2 - (box["top"] + box["bottom"]) / 2
            if abs(dy) < 40:  # in the middle but covered (a relation tag): nudge
                dy = 60
            dy = max(-step, min(step, dy))
            before = box["scrollTop"]
            self.acts.wheel((box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2, dy, "scroll the article")
            self._settle_scroll(before)
        raise RuntimeError("could not scroll the target into view")

    def read_to(self, start: int, end: int) -> None:
        """The reading pass: wheel the article down by whole gestures (``SCROLL_STEP`` of the
        visible height) while text[start:end] is below the view: its first line below the bottom
        margin, or its last line below it when one more gesture still leaves the first line in
        view. Never up: a target above the view is the fix's own scrolling. (Whole gestures:
        shorter ones that stop each target at the bottom edge cost more over an article, 45
        gestures against 25 on the five samples.)"""
        margin = VIEW_MARGIN
        for _ in range(200):
            box = self._scroller()
            r = self.page.evaluate(JS_POINTS, [start, end])
            if r is None:
                raise RuntimeError(f"text {start}-{end} not found on the page")
            step = SCROLL_STEP * box["height"]
            bottom = box["bottom"] - margin
            below = r["y1"] > bottom or (r["y2"] > bottom and r["y1"] - step >= box["top"] + margin)
            if not below or not self._read_gesture(box, step):
                return
        raise RuntimeError("could not read down to the target")

    def read_to_end(self) -> None:
        """The rest of the reading pass: whole gestures down to the article's end."""
        for _ in range(200):
            box = self._scroller()
            if not self._read_gesture(box, SCROLL_STEP * box["height"]):
                return

    def _read_gesture(self, box: dict, step: float) -> bool:
        """One wheel gesture of ``step`` px down; False (no gesture) at the article's end."""
        if box["scrollTop"] + box["height"] >= box["scrollHeight"] - 1:
            return False
        self.acts.wheel((box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2, step, "read on")
        self._settle_scroll(box["scrollTop"])
        return True

    def _settle_scroll(self, before: float) -> None:
        for _ in range(20):
            time.sleep(0.05)
            if self._scroller()["scrollTop"] != before:
                break
        time.sleep(0.05)

    def _span_point(self, start: int, end: int) -> dict | None:
        r = self.page.evaluate(JS_POINTS, [start, end])
        return None if r is None else {"y": r["y2"], "y_top": r["y1"], "hit": True}

    def _region_point(self, label: str, start: int, end: int) -> dict:
        sel = SEL["highlight"].format(label=label, start=start, end=end)
        box = self._scroller()
        p = self.page.evaluate(JS_REGION_POINT, [sel, box["top"] + VIEW_MARGIN, box["bottom"] - VIEW_MARGIN])
        if p is None:
            raise RuntimeError(f"no highlight for {label} {start}-{end}: {self.text[start:end][:60]!r}")
        return p

    # -- acting ----------------------------------------------------------------
    def select(self, label: str, start: int, end: int) -> None:
        """Click the region in the text (scrolling to it first)."""
        self.bring_into_view(lambda: self._region_point(label, start, end))
        p = self._region_point(label, start, end)
        self.acts.click_at(p["x"], p["y"], f"select {label} {self.text[start:end][:30]!r}")
        self._wait(lambda: self.selected() == (label, start, end), f"{label} {start}-{end} selected")

    def selected(self) -> tuple | None:
        """The one selected region as (label, start, end), else None."""
        which = self.store()["which"]
        return tuple(which[0]) if len(which) == 1 else None

    def close_popups(self) -> None:
        """The speaker list, open or with its search box still focused, would take the next hotkey
        as search text: Escape closes it and gives the keys back to the editor."""
        focused = "() => !!document.activeElement && document.activeElement.matches('%s')" % SEL["taxonomy_search_any"]
        if self.page.locator(SEL["taxonomy_open"]).count() or self.page.evaluate(focused):
            self.acts.key(KEYS["unselect"], "close the speaker list")
            self._wait(lambda: self.page.locator(SEL["taxonomy_open"]).count() == 0 and not self.page.evaluate(focused),
                       "speaker list closed")

    def unselect(self) -> None:
        self.close_popups()
        if self.store()["selected"]:
            self.acts.key(KEYS["unselect"], "unselect")
            self._wait(lambda: self.store()["selected"] == 0, "nothing selected")

    def armed(self) -> str | None:
        """The label a drag gives a new region: Label Studio arms the selected region's label (the
        label buttons above the article show it lit); Escape and Delete disarm it."""
        labels = self.page.evaluate(JS_ARMED)
        return labels[0] if len(labels) == 1 else None

    def draw(self, label: str, start: int, end: int) -> None:
        """Draw a ``label`` region over text[start:end].

        Key first (the only way with nothing selected, and with the setting off): unselect
        (Escape: an armed hotkey relabels a selected region), the label's hotkey, the drag.
        Text first (``text_first``, with *Select region after creating it* on and a region
        selected): the drag, which in Label Studio 1.23 makes a region of the selected region's
        label and selects it, then the label's hotkey only when that label is not ``label``
        (it relabels the new region): no Escape. With nothing selected a drag only selects text
        and a hotkey pressed then arms the label without making a region (measured in 1.23.2),
        so the key comes first there."""
        if self.text_first and self.select_after_create and self.selected() is not None and self.armed():
            self._draw_text_first(label, start, end)
        else:
            self._draw_key_first(label, start, end)

    def _draw_key_first(self, label: str, start: int, end: int) -> None:
        self.unselect()
        self.bring_into_view(lambda: self._span_point(start, end))
        before = self.store()["regions"]
        for attempt in range(3):  # now and then a drag right after a scroll selects nothing: the person drags again
            self.acts.key(KEYS[label], f"label {label}")
            r = self.page.evaluate(JS_POINTS, [start, end])
            self.acts.drag(r["x1"], r["y1"], r["x2"], r["y2"], f"draw {label} {self.text[start:end][:30]!r}")
            try:
                self._wait(lambda: self.store()["regions"] > before, "region drawn", timeout=8)
                break
            except TimeoutError:
                if attempt == 2:
                    raise
                if self.store()["regions"] > before:  # drawn after all, slowly
                    break
                self.acts.key(KEYS["unselect"], "disarm the label")  # as tests/browser/test_ls_chars.py retries
        if not self.exists(label, start, end):
            raise RuntimeError(f"drew {label} over {self.text[start:end]!r} but no highlight {start}-{end} appeared "
                               "(the drag selected other characters)")
        if self.select_after_create:  # Label Studio selects it a moment later
            self._wait(lambda: self.selected() == (label, start, end), f"{label} {start}-{end} selected after drawing")
        else:
            self.unselect()  # (nothing is selected after drawing: costs nothing)

    def _draw_text_first(self, label: str, start: int, end: int) -> None:
        """A region is selected: drag over the text (a region of the armed label, selected at
        once), then the hotkey of ``label`` unless the armed label is already it."""
        self.bring_into_view(lambda: self._span_point(start, end))
        before = self.store()["regions"]
        armed = self.armed()
        r = self.page.evaluate(JS_POINTS, [start, end])
        self.acts.drag(r["x1"], r["y1"], r["x2"], r["y2"], f"draw {self.text[start:end][:30]!r} (as {armed})")
        try:
            self._wait(lambda: self.store()["regions"] > before, "region drawn", timeout=8)
        except TimeoutError:
            if self.store()["regions"] <= before:  # nothing drawn (the drag only selected text): key first
                return self._draw_key_first(label, start, end)
        self._wait(lambda: self.selected() == (armed, start, end), f"{armed} {start}-{end} selected after drawing")
        if armed != label:
            focused = "() => !!document.activeElement && document.activeElement.matches('%s')" % SEL["taxonomy_search_any"]
            if self.page.evaluate(focused):  # the key would go into the speaker search
                raise RuntimeError("the speaker search kept the keys after a drag on the article")
            self.acts.key(KEYS[label], f"label {label} (relabel the new region)")
            self._wait(lambda: self.selected() == (label, start, end), f"{label} {start}-{end} relabelled")
        if not self.exists(label, start, end):
            raise RuntimeError(f"drew {label} over {self.text[start:end]!r} but no highlight {start}-{end} appeared")

    def _hotkey_on(self, ref: tuple) -> None:
        """Make ``ref`` the selected region for a hotkey: the speaker list first gives the keys
        back (its Escape may unselect the region), then a click unless ``ref`` is selected."""
        self.close_popups()
        if self.selected() != tuple(ref):
            self.select(*ref)

    def link(self, frm: tuple, to: tuple) -> None:
        """Select ``frm`` (unless it is), Alt+R, click the target region ``to`` (label, start, end)."""
        self._hotkey_on(frm)
        before = self.store()["relations"]
        self.acts.key(KEYS["relation"], "create relation")
        self.bring_into_view(lambda: self._region_point(*to))
        p = self._region_point(*to)
        self.acts.click_at(p["x"], p["y"], f"relation target {to[0]}")
        self._wait(lambda: self.store()["relations"] > before, "relation created")

    def delete(self, ref: tuple) -> None:
        """Select ``ref`` (unless it is), Backspace."""
        self._hotkey_on(ref)
        before = self.store()["regions"]
        self.acts.key(KEYS["delete"], "delete the selected region")
        self._wait(lambda: self.store()["regions"] < before, "region deleted")

    def choose(self, value: str) -> None:
        """Click a stance or kind radio of the selected QUOTE (nothing when already checked)."""
        radio = self.page.locator(SEL["radio"].format(value=value))
        if not radio.is_checked():
            self.acts.check(radio, f"choose {value}")

    def flag(self, value: str, on: bool) -> None:
        box = self.page.locator(SEL["flag"].format(value=value))
        if box.is_checked() != on:
            self.acts.check(box, f"{'check' if on else 'uncheck'} {value}")

    def stance_shown(self) -> str | None:
        for v in ("favor", "against", "neutral"):
            loc = self.page.locator(SEL["radio"].format(value=v))
            if loc.count() and loc.is_checked():
                return v
        return None

    def has_taxonomy(self) -> bool:
        return self.page.locator(SEL["taxonomy"]).count() > 0

    def speaker_shown(self) -> str | None:
        """The canonical name the selected SPEAKER region shows (any speaker control: a registry
        name in the searchable list wins over a checked candidate, as the export reader decides)."""
        if self.has_taxonomy():
            tags = self.page.locator(SEL["taxonomy_tag"]).all_inner_texts()
            if tags:
                return tags[0].strip()
            checked = self.page.locator(SEL["candidate_checked"])
            return checked.first.get_attribute("name") if checked.count() else None
        trig = self.page.locator(SEL["speaker_trigger"])
        if not trig.count():
            return None
        return trig.first.get_attribute("data-value") or None

    def pick_speaker(self, name: str) -> None:
        """Give the selected SPEAKER region the registry name ``name``."""
        if self.speaker_shown() == name:
            return
        cand = self.page.locator(SEL["candidate"].format(name=name))
        if cand.count() and cand.first.is_visible():  # one of the article's candidates: a click
            self.acts.check(cand.first, f"pick candidate {name}")
            self._wait(lambda: cand.first.is_checked(), f"candidate {name} checked")
            return
        if self.has_taxonomy():
            self._pick_in_taxonomy(name)
            return
        # the A-Z drop-down: open it, wheel until the name shows, click it
        trig = self.page.locator(SEL["speaker_trigger"]).first
        self.acts.click(trig, "open the speaker list")
        opt = self.page.locator(SEL["speaker_option"].format(name=name))
        opt.wait_for(state="attached")
        self._scroll_list_to(opt, name)
        self.acts.click(opt, f"pick {name}")
        self._wait(lambda: trig.get_attribute("data-value") == name, f"speaker {name}")

    def _pick_in_taxonomy(self, name: str) -> None:
        """The searchable list: remove the name shown (one name at most), open the list, type the
        name's letters one by one until it shows in the list, click it, close the list."""
        if self.page.locator(SEL["taxonomy_tag_remove"]).count():
            self.acts.click(self.page.locator(SEL["taxonomy_tag_remove"]).first, "remove the name shown")
            self._wait(lambda: self.page.locator(SEL["taxonomy_tag"]).count() == 0, "name removed")
            time.sleep(0.2)
        if not self.page.locator(SEL["taxonomy_open"]).count():
            self.acts.click(self.page.locator(SEL["taxonomy_box"]).first, "open the speaker list")
            self._wait(lambda: self.page.locator(SEL["taxonomy_open"]).count() > 0, "speaker list open")
        search = self.page.locator(SEL["taxonomy_search"]).first
        try:  # the list focuses its search box by itself, a moment after opening
            self._wait(lambda: search.evaluate("e => e === document.activeElement"), "search box focused", timeout=1.5)
        except TimeoutError:
            self.acts.click(search, "focus the search box")
        opt = self.page.locator(SEL["taxonomy_option"].format(name=name))
        typed = 0
        while not self._option_visible(opt):
            if typed >= len(name):
                raise RuntimeError(f"speaker {name!r} does not show in the searchable list after typing it whole")
            self.acts.type(name[typed], f"type {name[typed]!r} to filter")
            typed += 1
            deadline = time.monotonic() + 1.5  # the list filters after a pause in the typing
            while time.monotonic() < deadline and not self._option_visible(opt):
                time.sleep(0.1)
        self.acts.click(opt, f"pick {name}")
        self._wait(lambda: self.speaker_shown() == name, f"speaker {name}")
        # the list stays open: the next click elsewhere closes it (a hotkey first closes it with Escape)

    def _option_visible(self, opt) -> bool:
        if not opt.count():
            return False
        ob = opt.first.bounding_box()
        lb = self.page.locator(SEL["taxonomy_list"]).first.bounding_box()
        return bool(ob and lb and lb["y"] - 1 <= ob["y"] and ob["y"] + ob["height"] <= lb["y"] + lb["height"] + 1)

    # -- the review panel (screen after issue 18) ---------------------------------
    def review_rows(self) -> int:
        return self.page.locator(SEL["review_row"]).count()

    def read_review_row(self, i: int) -> str | None:
        """Row ``i`` of the review panel, wheeling the right column until it shows whole; None
        when no wheeling brings it into view (the panel ends under the bottom bar). When no
        wheeling brings it into view while a region is selected (whose controls take the
        column's room from the panel), Escape gives the panel its room back, and wheeling goes on."""
        shown = self._wheel_to_row(i)
        if shown is None and self.store()["selected"]:
            self.unselect()
            time.sleep(0.1)
            shown = self._wheel_to_row(i)
        return shown

    def _wheel_to_row(self, i: int) -> str | None:
        row = self.page.locator(SEL["review_row"]).nth(i)
        last_y = None
        for _ in range(100):
            rb = row.bounding_box()
            if last_y is not None and rb and abs(rb["y"] - last_y) < 1:
                return None
            last_y = rb["y"] if rb else None
            cb = row.evaluate(JS_ROW_CLIP % SEL["submit"])
            if rb and cb["top"] - 1 <= rb["y"] and rb["y"] + rb["height"] <= cb["bottom"] + 1:  # 1 px: fractions
                return " ".join(row.inner_text().split())
            height = cb["bottom"] - cb["top"]
            dy = SCROLL_STEP * height * (1 if rb["y"] > cb["top"] else -1)
            self.acts.wheel(cb["x"], (cb["top"] + cb["bottom"]) / 2, dy, "scroll the review panel")
            time.sleep(0.1)
        return None

    def _scroll_list_to(self, opt, name: str) -> None:
        """Wheel the open list until the option shows (the list has no scrollbar to drag: Label
        Studio's select draws none, measured in 1.23.2)."""
        for _ in range(1000):
            ob, lb = opt.bounding_box(), self._list_box()
            if ob and lb and lb["y"] <= ob["y"] and ob["y"] + ob["height"] <= lb["y"] + lb["height"]:
                return
            dy = SCROLL_STEP * lb["height"] * (1 if ob["y"] > lb["y"] else -1)
            self.acts.wheel(lb["x"] + lb["width"] / 2, lb["y"] + lb["height"] / 2, dy, "scroll the speaker list")
            time.sleep(0.05)
        raise RuntimeError(f"speaker {name!r} never came into view in the list")

    def _list_box(self) -> dict | None:
        """The visible box of the open speaker list (the scrolling element around the options)."""
        return self.page.evaluate("""(sel) => {
          const o = document.querySelector(sel);
          if (!o) return null;
          let e = o.parentElement;
          while (e && e.scrollHeight <= e.clientHeight + 1) e = e.parentElement;
          e = e || o.parentElement;
          const r = e.getBoundingClientRect();
          return {x: r.left, y: r.top, width: r.width, height: e.clientHeight, scrollHeight: e.scrollHeight,
                  scrollTop: e.scrollTop};
        }""", SEL["speaker_any_option"])

    def type_speaker(self, name: str) -> None:
        """Type a name the registry lacks into the selected SPEAKER's text box, then Enter."""
        box = self.page.locator(SEL["speaker_new"]).first
        self.acts.click(box, "focus the new-name box")
        self.acts.type(name, f"type {name}")
        self.acts.key("Enter", "add the name")

    def submit(self) -> None:
        self.close_popups()
        with self.page.expect_response(lambda r: r.request.method in ("POST", "PATCH") and "/annotations" in r.url) as saved:
            self.acts.click(self.page.locator(SEL["submit"]), "submit")
        if not saved.value.ok:
            raise RuntimeError(f"submitting failed: HTTP {saved.value.status}")

    def _wait(self, cond, what: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if cond():
                    return
            except Exception:  # noqa: BLE001 - the page is re-rendering
                pass
            time.sleep(0.05)
        raise TimeoutError(f"waited {timeout} s for: {what}")
