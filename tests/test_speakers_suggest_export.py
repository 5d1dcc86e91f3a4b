"""`quotekit speakers suggest --from-export`: registry growth from the speakers annotators named."""

from __future__ import annotations

import copy
from collections import Counter
import difflib
import doctest
import json
from pathlib import Path

import pytest
import yaml

import toolkit.speakers_growth as growth
from fixtures.lsexport import Ann, annotation, task, write
from toolkit.config import load_registry, parse_registry
from toolkit.corrections import corrections
from toolkit.errors import BadInputError
from toolkit.labelstudio import names as N
from toolkit.labelstudio.tasks import build_result, region_id
from toolkit.labelstudio.testing import quote
from toolkit.speakers_growth import ALIAS, NEW, RegistryMatcher, edit_registry_text, group_changes, speaker_changes
from toolkit.types import Quote

REGISTRY = """\
# Test registry: its comments, order and layout must survive --apply.
speakers:
  # --- government
  - name: Hun Sen
    aliases: [Samdech Hun Sen]  # the honorific form
    affiliation: government
    gender: male
  # --- opposition
  - name: Sam Rainsy
    affiliation: opposition
    gender: male
  - name: Kem Sokha
    affiliation: opposition
    gender: male
  - name: Mu Sochua
    affiliation: opposition
    gender: female
# end of the list
"""
STANCES = ("favor", "against", "neutral")
TEXT = ("Hun Sen said that the election was fair. Sam Rainsy said that the vote was rigged. "
        "Mu Sochua said that the court was not independent. Jane Doe told reporters that the roads were closed. "
        "Ranariddh added that nothing would change.")
TEXT2 = "Jane Doh said that prices rose. Later Jane Doe said that wages fell."


def _registry(tmp_path: Path) -> Path:
    p = tmp_path / "speakers.yaml"
    p.write_text(REGISTRY, encoding="utf-8")
    return p


def _item(result: list[dict], rid: str, from_name: str) -> dict:
    return next(r for r in result if r.get("id") == rid and r.get("from_name") == from_name)


def _export(tmp_path: Path) -> Path:
    """Task 1 starts from a prediction of three quotes: the annotator types a misspelling of Hun
    Sen on his region, picks another registry speaker (Kem Sokha) for Sam Rainsy's quote, leaves
    Mu Sochua's alone and adds two quotes with typed names (Jane Doe, a bare "Ranariddh"). Task 2
    starts from an empty prediction: two added quotes typed "Jane Doh" and "Jane Doe"."""
    reg = parse_registry(yaml.safe_load(REGISTRY), Path("speakers.yaml"))
    qs = [quote(TEXT, "the election was fair", "indirect", "Hun Sen", "Hun Sen", "said", "favor"),
          quote(TEXT, "the vote was rigged", "indirect", "Sam Rainsy", "Sam Rainsy", "said", "against"),
          quote(TEXT, "the court was not independent", "indirect", "Mu Sochua", "Mu Sochua", "said", "against")]
    pred, _ = build_result("g-1", TEXT, [Quote.from_dict(q) for q in qs], reg)
    final = copy.deepcopy(pred)
    hun = region_id("g-1", TEXT.index("Hun Sen"), TEXT.index("Hun Sen") + 7, N.SPEAKER)
    final.append({**copy.deepcopy(_item(final, hun, N.SPEAKER_NAME)), "from_name": N.SPEAKER_NEW, "type": "textarea", "origin": "manual",
                  "value": {"start": 0, "end": 7, "text": ["Hun Senn"]}})
    rainsy = region_id("g-1", TEXT.index("Sam Rainsy"), TEXT.index("Sam Rainsy") + 10, N.SPEAKER)
    value = _item(final, rainsy, N.SPEAKER_NAME)["value"]
    value.update({"taxonomy": [["Kem Sokha"]]} if "taxonomy" in value else {"choices": ["Kem Sokha"]})  # the speaker list: a Taxonomy, or Choices
    added = Ann(TEXT, seed="added")
    added.quote("the roads were closed", "Jane Doe", "neutral", speaker_new="Jane Doe")
    added.quote("nothing would change", "Ranariddh", "neutral", speaker_new="Ranariddh")
    final += added.result
    t1 = task(TEXT, id=1, article_id="g-1", annotations=[annotation(final, id=1, task=1)])
    t1["predictions"] = [{"id": 7, "model_version": "rules-test", "result": pred}]
    t1["annotations"][0]["parent_prediction"] = 7
    a2 = Ann(TEXT2, seed="t2")
    a2.quote("prices rose", "Jane Doh", "neutral", speaker_new="Jane Doh")
    a2.quote("wages fell", "Jane Doe", "neutral", speaker_new="Jane Doe")
    t2 = task(TEXT2, id=2, article_id="g-2", annotations=[annotation(a2, id=2, task=2)], model_version="rules-test")
    t2["annotations"][0]["parent_prediction"] = t2["predictions"][0]["id"]
    return write(tmp_path / "export.json", [t1, t2])


def _grouped(tmp_path: Path, registry_text: str = REGISTRY):
    reg = parse_registry(yaml.safe_load(registry_text), Path("speakers.yaml"))
    report = speaker_changes([_export(tmp_path)], registry=reg, stance_labels=STANCES)
    return report, group_changes(report.changes, RegistryMatcher(reg, titles={"prime", "minister"}))


def test_docstring_examples():
    assert doctest.testmod(growth).failed == 0


def test_only_named_speakers_that_differ_from_the_proposal_are_changes(tmp_path):
    report, _ = _grouped(tmp_path)
    got = sorted((c.name, c.source, c.proposed, c.added) for c in report.changes)
    assert got == [("Hun Senn", "typed", "Hun Sen", False), ("Jane Doe", "typed", None, True), ("Jane Doe", "typed", None, True),
                   ("Jane Doh", "typed", None, True), ("Kem Sokha", "list", "Sam Rainsy", False), ("Ranariddh", "typed", None, True)]
    assert report.annotations_compared == 2 and report.final_quotes == 7
    # the matched changes are exactly the speaker edits `quotekit corrections` counts (one matching)
    reg = parse_registry(yaml.safe_load(REGISTRY), Path("speakers.yaml"))
    edits = corrections([tmp_path / "export.json"], registry=reg, stance_labels=STANCES).to_dict()["edited"]["speaker"]
    assert edits == sum(not c.added for c in report.changes) == 2


def test_grouped_into_alias_new_person_and_registry_change(tmp_path):
    _, (suggestions, registry_changes) = _grouped(tmp_path)
    alias, jane, lone = suggestions
    assert (alias.id, alias.group, alias.name, alias.entry, alias.count) == (1, ALIAS, "Hun Senn", "Hun Sen", 1)
    assert alias.score >= 85 and alias.blocked is None and "Hun Sen said that the election was fair." in alias.context
    assert (jane.id, jane.group, jane.name, jane.count, len(jane.tasks)) == (2, NEW, "Jane Doe", 3, 2)
    assert dict(jane.variants) == {"Jane Doh": 1} and jane.proposed == {"(not proposed)": 3} and jane.blocked is None
    assert "Jane Doe told reporters that the roads were closed." in jane.context
    assert (lone.id, lone.group, lone.name) == (3, NEW, "Ranariddh") and "one-word person name" in lone.blocked
    # picking another registry name is a speaker change, listed apart, never a registry addition
    assert [(s.name, dict(s.proposed)) for s in registry_changes] == [("Kem Sokha", {"Sam Rainsy": 1})]


def test_a_titled_registry_name_is_an_alias_and_a_clash_is_blocked():
    reg = parse_registry(yaml.safe_load(REGISTRY), Path("speakers.yaml"))
    m = RegistryMatcher(reg, titles={"prime", "minister", "samdech"})
    sp, form, score = m.closest("Prime Minister Hun Sen")
    assert (sp.name, form, score) == ("Hun Sen", "Hun Sen", 100.0)
    sp, form, _ = m.closest("Samdech Hun Senn")
    assert sp.name == "Hun Sen"
    assert m.closest("Hun Many") is None  # a different person: below the threshold
    ch = growth.Change("Samdech Mu Sochua", "typed", "Hun Sen", False, "x", "ctx", "e task 1", "a")
    (s,), _ = group_changes([ch], m)
    assert s.entry == "Mu Sochua" and s.blocked is None  # titles stripped, it is her name
    clash = growth.Suggestion(ALIAS, "Minister Kem Sokha", entry="Sam Rainsy")
    assert "Kem Sokha" in growth._blocked(clash, m)


def test_cli_lists_and_writes_nothing_without_apply(tmp_path, run_cli):
    reg = _registry(tmp_path)
    export = _export(tmp_path)
    code, out, err = run_cli(["speakers", "suggest", "--from-export", export, "--registry", reg, "--json", "--model-version", "rules-test"])
    assert code == 0, err
    assert reg.read_text(encoding="utf-8") == REGISTRY
    d = json.loads(out.strip().splitlines()[-1])
    assert [(s["id"], s["group"], s["name"], s["count"]) for s in d["suggestions"]] == [
        (1, "alias", "Hun Senn", 1), (2, "new", "Jane Doe", 3), (3, "new", "Ranariddh", 1)]
    assert d["registry_speaker_changes"][0]["name"] == "Kem Sokha" and d["applied"] == []
    assert "likely alias or misspelling of Hun Sen" in out and "new person" in out and "Nothing written" in out


def test_apply_keeps_comments_and_order_prints_the_diff_and_is_idempotent(tmp_path, run_cli):
    reg = _registry(tmp_path)
    export = _export(tmp_path)
    code, out, err = run_cli(["speakers", "suggest", "--from-export", export, "--registry", reg, "--apply"])
    assert code == 0, err
    new = reg.read_text(encoding="utf-8")
    new_lines = new.splitlines()
    ops = difflib.SequenceMatcher(None, REGISTRY, new, autojunk=False).get_opcodes()
    assert {op[0] for op in ops} == {"equal", "insert"}  # only insertions: every old character (comments too) kept, in order
    assert "    aliases: [Samdech Hun Sen, Hun Senn]  # the honorific form" in new_lines
    tail = new_lines[new_lines.index("  - name: Jane Doe") - 1:]
    assert tail[:4] == ["  # --- added by `quotekit speakers suggest --from-export` from annotators' corrections: set each affiliation",
                        "  - name: Jane Doe", "    aliases: [Jane Doh]", "    affiliation: other  # TODO"]
    assert new_lines.index("# end of the list") > new_lines.index("  - name: Jane Doe")  # appended inside the list
    loaded = load_registry(reg)
    assert [sp.name for sp in loaded] == ["Hun Sen", "Sam Rainsy", "Kem Sokha", "Mu Sochua", "Jane Doe"]
    assert loaded.get("Hun Senn").name == "Hun Sen" and loaded.get("Jane Doh").name == "Jane Doe"
    assert loaded.get("Ranariddh") is None  # blocked: never written
    assert "+    aliases: [Samdech Hun Sen, Hun Senn]  # the honorific form" in out and "+  - name: Jane Doe" in out
    assert f"--- {reg}\n+++ {reg}\n" in out  # outside the working directory: the path as it is
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left
    # a second run: the additions now resolve, so nothing differs from the proposal any more
    code, out, err = run_cli(["speakers", "suggest", "--from-export", export, "--registry", reg, "--apply", "--json"])
    assert code == 0, err
    assert reg.read_text(encoding="utf-8") == new
    d = json.loads(out.strip().splitlines()[-1])
    assert [s["name"] for s in d["suggestions"]] == ["Ranariddh"] and d["applied"] == []
    assert new.count("Hun Senn") == 1 and new.count("Jane Doh") == 1


def test_apply_only_the_chosen_suggestions(tmp_path, run_cli):
    reg = _registry(tmp_path)
    export = _export(tmp_path)
    for only, error in (("3", "cannot be applied: one-word person name"), ("9", "no suggestion #9"), ("Nobody", "no suggestion is named 'Nobody'"),
                        ("1-x", "no suggestion is named '1-x'")):
        code, _, err = run_cli(["speakers", "suggest", "--from-export", export, "--registry", reg, "--apply", "--only", only])
        assert code == 2 and error in err, (only, err)
    code, _, err = run_cli(["speakers", "suggest", "--from-export", export, "--registry", reg, "--only", "1"])
    assert code == 2 and "add --apply" in err
    assert reg.read_text(encoding="utf-8") == REGISTRY
    code, out, err = run_cli(["speakers", "suggest", "--from-export", export, "--registry", reg, "--apply", "--only", "2"])
    assert code == 0, err
    loaded = load_registry(reg)
    assert loaded.get("Jane Doe") is not None and loaded.get("Hun Senn") is None
    # the rest is renumbered, a name still picks it
    code, out, err = run_cli(["speakers", "suggest", "--from-export", export, "--registry", reg, "--apply", "--only", "hun senn", "--json"])
    assert code == 0, err
    assert json.loads(out.strip().splitlines()[-1])["applied"] == [1]
    assert load_registry(reg).get("Hun Senn").name == "Hun Sen"


REGISTRY_STYLES = """\
speakers:
  - name: A One
    aliases:
      - A Uno  # block list
    affiliation: other
  - {name: B Two, affiliation: other}
  - name: C Three
    aliases: [C Tres,
              C Drei]
    affiliation: other
  - {name: D Four, aliases: [], affiliation: other}
"""


def test_edits_block_lists_flow_mappings_and_multi_line_lists():
    new = edit_registry_text(REGISTRY_STYLES, [("A One", "A Won"), ("B Two", "B Too"), ("C Three", "C Tree"), ("D Four", "D For"),
                                               ("A One", "a uno")],  # already there, in another case: skipped
                             [growth.Suggestion(NEW, "E Five", variants=Counter({"E Fiv": 1}))])
    assert new == """\
speakers:
  - name: A One
    aliases:
      - A Uno  # block list
      - A Won
    affiliation: other
  - {name: B Two, aliases: [B Too], affiliation: other}
  - name: C Three
    aliases: [C Tres,
              C Drei, C Tree]
    affiliation: other
  - {name: D Four, aliases: [D For], affiliation: other}
  # --- added by `quotekit speakers suggest --from-export` from annotators' corrections: set each affiliation
  - {name: E Five, aliases: [E Fiv], affiliation: other}  # TODO: affiliation
"""
    reg = parse_registry(yaml.safe_load(new), Path("x.yaml"))
    assert [reg.get(a).name for a in ("A Won", "B Too", "C Tree", "D For", "E Fiv")] == ["A One", "B Two", "C Three", "D Four", "E Five"]
    assert edit_registry_text(new, [("A One", "A Won")], []) == new  # idempotent
    crlf = edit_registry_text(REGISTRY_STYLES.replace("\n", "\r\n"), [("A One", "A Won"), ("B Two", "B Too")], [])
    assert crlf == edit_registry_text(REGISTRY_STYLES, [("A One", "A Won"), ("B Two", "B Too")], []).replace("\n", "\r\n")


def test_a_registry_the_edit_would_break_is_left_alone(tmp_path):
    p = tmp_path / "speakers.yaml"
    p.write_text("speakers: []\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="flow style.*nothing was written"):
        growth.apply_suggestions(p, [growth.Suggestion(NEW, "Jane Doe")])
    assert p.read_text(encoding="utf-8") == "speakers: []\n"


def _one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    return lines[0]


def test_foreign_bad_and_prediction_less_exports_give_a_one_line_error(tmp_path, run_cli):
    reg = _registry(tmp_path)
    ner = [task(TEXT, id=1, article_id="n-1", annotations=[annotation(
        [{"id": "r1", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 0, "end": 7, "text": "Hun Sen", "labels": ["PER"]}}],
        id=1, task=1)])]
    code, _, err = run_cli(["speakers", "suggest", "--from-export", write(tmp_path / "ner.json", ner), "--registry", reg])
    assert code == 2 and "not an export of a quotekit project" in _one_line_error(err)
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": 1, "data": {"text": "x"}, "annotations": [', encoding="utf-8")
    code, _, err = run_cli(["speakers", "suggest", "--from-export", bad, "--registry", reg])
    assert code == 2 and "bad.json" in _one_line_error(err)
    a = Ann(TEXT, seed="np")
    a.quote("the roads were closed", "Jane Doe", "neutral", speaker_new="Jane Doe")
    plain = write(tmp_path / "plain.json", [task(TEXT, id=1, article_id="p-1", annotations=[annotation(a, id=1, task=1)], model_version=None)])
    code, _, err = run_cli(["speakers", "suggest", "--from-export", plain, "--registry", reg])
    assert code == 2 and "started from a prediction" in _one_line_error(err)
    code, _, err = run_cli(["speakers", "suggest", "--from-export", _export(tmp_path), "--registry", reg, "--model-version", "other"])
    assert code == 2 and "model_version 'other'" in _one_line_error(err)
    code, _, err = run_cli(["speakers", "suggest", "--apply", tmp_path / "articles.jsonl"])
    assert code == 2 and "--from-export" in _one_line_error(err)
    assert reg.read_text(encoding="utf-8") == REGISTRY


def test_committed_sample_export_lists_registry_speaker_changes_only(run_cli):
    """The seeds export's annotators picked only registry names: nothing to add, the changes listed."""
    export = Path(__file__).resolve().parents[1] / "annotations" / "exports" / "seeds-v1.json"
    code, out, err = run_cli(["speakers", "suggest", "--from-export", export, "--json"])
    assert code == 0, err
    d = json.loads(out.strip().splitlines()[-1])
    assert d["annotations_compared"] == 5 and d["suggestions"] == []
    changed = {s["name"]: s["proposed"] for s in d["registry_speaker_changes"]}
    assert changed["Hun Sen"] == {"Sam Rainsy": 1, "(not proposed)": 1}
    assert changed["Kem Sokha"] == {"Sok Eysan": 1}
