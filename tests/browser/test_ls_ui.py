"""The labeling UI, driven by Debian's chromium through Playwright: an annotator sees the
pre-annotations, corrects one stance and one speaker, submits; ``ls pull`` returns exactly that.

Never ``playwright install``: the browser is /usr/bin/chromium. A missing browser or server is a
FAILURE, not a skip.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from toolkit.labelstudio import names as N
from toolkit.labelstudio.tasks import region_id
from toolkit.labelstudio.testing import logged_in_page, sample_data, submit_and_pull, write_jsonl

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PROJECT = "quotekit browser"


def _normalise(result: list[dict]) -> list[str]:
    """Result items without the UI's bookkeeping (origin, score), as sorted JSON strings."""
    out = []
    for r in result:
        r = {k: v for k, v in r.items() if k not in ("origin", "score")}
        out.append(json.dumps(r, sort_keys=True, ensure_ascii=False))
    return sorted(out)


def test_annotator_corrects_stance_and_speaker_in_the_ui(ls_server, browser, tmp_path):
    records = sample_data()
    path = write_jsonl(tmp_path / "articles.jsonl", records)
    proc = ls_server.cli("ls", "push", path, "--project", PROJECT)
    assert proc.returncode == 0, proc.stderr
    client = ls_server.client()
    project = client.find_project(PROJECT)
    task = next(t for t in client.iter_tasks(project["id"]) if t["data"]["article_id"] == "int-1")
    prediction = task["predictions"][0]
    rec = records[0]
    q1 = rec["quotes"][0]  # Hun Sen, favor
    quote_text, speaker_text = rec["text"][q1["start"]:q1["end"]], "Hun Sen"

    page = logged_in_page(browser, ls_server)

    page.goto(f"{ls_server.url}/projects/{project['id']}/data?task={task['id']}")
    items = page.locator(".lsf-outliner-item")
    items.first.wait_for()
    # the UI fills the region list and draws the relations progressively: wait until it is done
    expect(items).to_have_count(6)
    overlay = page.locator(".relations-overlay text")
    expect(overlay).to_have_count(4)
    shown = [" ".join(t.split()) for t in items.all_inner_texts()]
    # every pre-annotated region is listed: 2 QUOTE, 2 SPEAKER, 2 CUE
    assert sum(" QUOTE " in f" {s} " for s in shown) == 2, shown
    assert sum(" SPEAKER " in f" {s} " for s in shown) == 2, shown
    assert any("QUOTE This is necessary work" in s for s in shown), shown
    assert any("SPEAKER Mu Sochua" in s for s in shown), shown
    # the relations are drawn over the text
    labels = overlay.all_text_contents()
    assert labels.count(N.SAID_BY) == 2 and labels.count(N.CUE_OF) == 2, labels
    # the article metadata is shown
    assert page.get_by_text(rec["title"]).count() >= 1 and page.get_by_text("Test Outlet").count() >= 1

    # correct the stance of the Hun Sen quote: favor -> against
    page.locator(".lsf-outliner-item", has_text=quote_text[:30]).click()
    radio = page.locator('input[type="radio"][name="against"]')
    assert page.locator('input[type="radio"][name="favor"]').is_checked()
    radio.check()
    # correct the canonical speaker of the "Hun Sen" mention: Hun Sen -> Sar Kheng, a name that is
    # not among the article's candidates (radios, Hun Sen checked): the searchable registry list
    page.locator(".lsf-outliner-item", has_text=speaker_text).click()
    expect(page.locator('.qk-candidates input[type=radio][name="Hun Sen"]')).to_be_checked()
    taxonomy = page.locator(".htx-taxonomy").first  # the searchable registry list (a Taxonomy), empty
    expect(taxonomy.locator(".ant-select-selection-item")).to_have_count(0)
    taxonomy.click()
    page.wait_for_function("() => document.activeElement && document.activeElement.closest('.htx-taxonomy-dropdown')")
    page.keyboard.type("sar kh")
    page.locator(".htx-taxonomy-dropdown .ant-select-tree-treenode", has_text="Sar Kheng").first.click()
    page.keyboard.press("Escape")
    expect(taxonomy).to_contain_text("Sar Kheng")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "ls_ui_correction.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")
    exported = submit_and_pull(page, ls_server, PROJECT, tmp_path / "ui-export.json")
    assert [t["data"]["article_id"] for t in exported] == ["int-1"]
    annotations = exported[0]["annotations"]
    assert len(annotations) == 1
    got = annotations[0]["result"]

    expected = copy.deepcopy(prediction["result"])
    qid = region_id("int-1", q1["start"], q1["end"], N.QUOTE)
    sid = region_id("int-1", q1["speaker_start"], q1["speaker_end"], N.SPEAKER)
    changed = 0
    for r in expected:
        if r.get("id") == qid and r.get("from_name") == N.STANCE:
            assert r["value"]["choices"] == ["favor"]
            r["value"]["choices"] = ["against"]
            changed += 1
        if r.get("id") == sid and r.get("from_name") == N.SPEAKER_PICK:
            assert r["value"]["choices"] == ["Hun Sen"]  # the proposal's candidate stays; the registry pick wins
            pick = r
            changed += 1
    assert changed == 2
    expected.append({"id": sid, "from_name": N.SPEAKER_NAME, "to_name": N.TEXT, "type": "taxonomy",
                     "value": {k: pick["value"][k] for k in ("start", "end", "text")} | {"taxonomy": [["Sar Kheng"]]}})
    # the rule of each proposal travels in its QUOTE region's meta; the editor writes a region's
    # meta on every result of that region, so the rule comes back in the submitted annotation too
    metas = {r["id"]: r["meta"] for r in expected if "meta" in r}
    assert metas and all(m.get(N.RULE_META) for m in metas.values())
    for r in expected:
        if r.get("id") in metas and "meta" not in r:
            r["meta"] = metas[r["id"]]
    assert _normalise(got) == _normalise(expected)
    assert annotations[0]["parent_prediction"] == prediction["id"]
    from toolkit.config import load_stance
    from toolkit.labelstudio.export import ExportReader, IssueLog

    (article,) = ExportReader([tmp_path / "ui-export.json"], issues=IssueLog(), stance_labels=load_stance().labels).articles()
    assert {q.start: q.speaker for q in article.quotes}[q1["start"]] == "Sar Kheng"  # the registry pick wins
    assert os.path.exists(shot)
