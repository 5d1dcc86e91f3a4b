"""`quotekit speakers suggest`: unresolved named speakers and the registry snippet."""

from __future__ import annotations

import re

import yaml

from toolkit.config import parse_registry
from toolkit.speakers_suggest import is_name_mention, suggest_speakers, to_yaml

REGISTRY_YAML = """
speakers:
  - name: Hun Sen
    aliases: [Samdech Hun Sen]
    affiliation: government
    gender: male
"""
PRONOUNS = {"he", "she", "they", "it"}
TITLES = {"the", "a", "an", "spokesman", "opposition", "leader", "government", "official", "officials"}


def registry():
    return parse_registry(yaml.safe_load(REGISTRY_YAML), "speakers.yaml")


def quote(text, content, mention, speaker=None, nth=1):
    """A predicted quote whose content and mention are the first occurrences in ``text``."""
    s = text.index(content)
    m = [x.start() for x in re.finditer(re.escape(mention), text)][nth - 1]
    return {"start": s, "end": s + len(content), "text": content, "kind": "indirect",
            "speaker": speaker if speaker is not None else mention, "speaker_start": m, "speaker_end": m + len(mention)}


TEXT = (
    "Opposition leader Sam Rainsy said that he would return. Hun Sen said that he would not.\n"
    "He said that the border was closed. Rainsy said that the plan stands.\n"
    "A government spokesman said that the talks failed. Officials said that nothing changed, "
    "and officials added more.\nThailand said that it would block him. Human Rights Watch said that arrests rose."
)


def preds():
    return [{"article_id": "a1", "quotes": [
        quote(TEXT, "he would return", "Opposition leader Sam Rainsy", "Sam Rainsy"),
        quote(TEXT, "he would not", "Hun Sen"),  # in the registry
        quote(TEXT, "the border was closed", "He", "He"),  # unresolved pronoun
        quote(TEXT, "the plan stands", "Rainsy"),  # surname of a suggested name
        quote(TEXT, "the talks failed", "A government spokesman"),  # description
        quote(TEXT, "nothing changed", "Officials"),  # common noun at a sentence start
        quote(TEXT, "it would block him", "Thailand"),  # proper noun at a sentence start
        quote(TEXT, "arrests rose", "Human Rights Watch"),
    ]}]


def test_suggests_unresolved_names_only():
    sug = suggest_speakers(preds(), {"a1": TEXT}, registry(), pronouns=PRONOUNS, titles=TITLES)
    names = [s.name for s in sug]
    assert names == ["Sam Rainsy", "Human Rights Watch", "Thailand"]
    rainsy = sug[0]
    assert rainsy.count == 2 and "Rainsy" in rainsy.aliases
    assert rainsy.examples[0].startswith("Opposition leader Sam Rainsy said")


def test_min_count_filters():
    sug = suggest_speakers(preds(), {"a1": TEXT}, registry(), pronouns=PRONOUNS, titles=TITLES, min_count=2)
    assert [s.name for s in sug] == ["Sam Rainsy"]


def test_is_name_mention():
    assert not is_name_mention("he", pronouns=PRONOUNS)
    assert not is_name_mention("the spokesman", titles=TITLES)
    assert is_name_mention("opposition leader Sam Rainsy", titles=TITLES)
    text = "Officials said so. The officials agreed."
    assert not is_name_mention("Officials", text, 0)


def test_yaml_snippet_pastes_into_a_valid_registry():
    sug = suggest_speakers(preds(), {"a1": TEXT}, registry(), pronouns=PRONOUNS, titles=TITLES)
    snippet = to_yaml(sug, registry())
    assert "affiliation: other  # TODO" in snippet
    merged = parse_registry(yaml.safe_load(REGISTRY_YAML + snippet), "speakers.yaml")
    assert merged.get("Rainsy").name == "Sam Rainsy"
    assert merged.get("Human Rights Watch").kind == "organisation"
    assert merged.get("Hun Sen").affiliation == "government"


def test_yaml_snippet_skips_aliases_the_registry_already_uses():
    from collections import Counter

    from toolkit.speakers_suggest import Suggestion

    reg = registry()
    sug = Suggestion("Hun Sen Jr", count=1, aliases=Counter({"Samdech Hun Sen": 1, "Hun Sen Junior": 1}))
    snippet = to_yaml([sug], reg)
    assert "Samdech Hun Sen" not in snippet and "Hun Sen Junior" in snippet
    parse_registry(yaml.safe_load(REGISTRY_YAML + snippet), "speakers.yaml")  # still valid


def test_dates_and_trailing_words_are_not_new_speakers():
    text = "Sam Rainsy no doubt believes that he will return. On November 9 he said that it was a gimmick."
    p = [{"article_id": "a", "quotes": [
        quote(text, "he will return", "Sam Rainsy no doubt"),
        quote(text, "it was a gimmick", "November"),
    ]}]
    reg = parse_registry(yaml.safe_load(REGISTRY_YAML + "  - {name: Sam Rainsy, affiliation: opposition}\n"), "speakers.yaml")
    assert suggest_speakers(p, {"a": text}, reg, pronouns=PRONOUNS, titles=TITLES) == []


def test_cli_runs_the_pre_annotator_and_prints_a_snippet(tmp_path):
    import json

    import typer
    from typer.testing import CliRunner

    from toolkit.commands import speakers

    app = typer.Typer()
    speakers.register(app)
    arts = tmp_path / "articles.jsonl"
    arts.write_text(json.dumps({"article_id": "x1", "text": "“The harvest failed completely this year,” said Jane Doe.\n\n“We need help now,” Doe said."}) + "\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["speakers", "suggest", str(arts)])
    assert res.exit_code == 0, res.output
    assert "- name: Jane Doe" in res.output and "affiliation: other  # TODO" in res.output
    res = CliRunner().invoke(app, ["speakers", "suggest", str(tmp_path / "missing.jsonl")])
    assert res.exit_code != 0 and "file not found" in str(res.exception)
