"""The dataset card says what the data is and where it came from, and nothing the build cannot know:
stance target, provenance, annotator filter, cut inputs, chart/summary agreement, sources, splits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from fixtures.lsexport import ART1, Ann, annotation, corpus, small_export, task, write
from toolkit.config import load_stance
from toolkit.dataset import build_dataset, compute_agreement
from toolkit.dataset.splits import parse_ratios
from toolkit.errors import BadInputError
from toolkit.labelstudio import names as N


def card_of(out_dir: Path) -> str:
    return (out_dir / "README.md").read_text(encoding="utf-8")


def section(card: str, title: str) -> str:
    """The text of ``## title`` up to the next ``## `` heading."""
    body = card.split(f"\n## {title}\n", 1)[1]
    return body.split("\n## ", 1)[0]


def header(card: str) -> dict:
    return yaml.safe_load(card.split("---\n")[1])


# --------------------------------------------------------------------------- 1. stance target and conventions


def test_card_names_the_stance_target_of_the_scheme_it_was_built_with(run_cli, tmp_path, monkeypatch, capsys):
    scheme = tmp_path / "stance.yaml"
    scheme.write_text(
        "labels: [favor, against, neutral]\n"
        "default_target: council\n"
        "targets:\n"
        "  council:\n"
        "    description: \"the city council of Exampleville and its mayor\"\n"
        "    guidance: >-\n"
        "      favor: supports the council's budget.\n"
        "      against: opposes it.\n"
        "    examples:\n"
        "      against: \"“The budget is a disgrace,” she said.\"\n",
        encoding="utf-8",
    )
    e = write(tmp_path / "e.json", corpus(3))
    code, _, err = run_cli(["build", e, "-o", tmp_path / "ds", "--stance", scheme])
    assert code == 0, err
    card = card_of(tmp_path / "ds")
    stance = section(card, "Stance")
    assert "**council**: the city council of Exampleville and its mayor" in stance
    assert "> favor: supports the council's budget. against: opposes it." in stance
    assert "| against | “The budget is a disgrace,” she said. |" in stance
    assert "government" not in stance  # nothing from the default scheme
    assert "towards council (the city council of Exampleville and its mayor)" in card.split("## How to load")[0]
    assert "Here the target is council" in section(card, "Configs and fields")
    assert "towards the target of the stance scheme." not in card.replace("towards the target of the stance scheme. Here", "")
    # every quote's target column names the scheme's target, in both configs
    import pyarrow.parquet as pq

    quotes = [pq.read_table(p).column("target").to_pylist() for p in (tmp_path / "ds" / "data" / "quotes").glob("*.parquet")]
    nested = [q["target"] for p in (tmp_path / "ds" / "data" / "articles").glob("*.parquet")
              for qs in pq.read_table(p).column("quotes").to_pylist() for q in qs]
    assert set(sum(quotes, [])) == set(nested) == {"council"} and len(nested) == 12

    # the default scheme: its own target, description and guidance, verbatim
    st = load_stance()
    s = build_dataset([e], tmp_path / "ds2")
    stance = section(card_of(tmp_path / "ds2"), "Stance")
    assert f"**{st.default_target}**: {st.target.description}" in stance
    assert st.target.guidance.split(".")[0] in stance
    assert s.stance_target.name == st.default_target


def test_card_states_the_quote_conventions_and_what_the_spans_hold(tmp_path):
    a = Ann(ART1, seed="conv")
    a.quote("the plan would fail", "Phay Siphan", "favor", cue="said")
    a.quote("Sam Rainsy told reporters that “the regime fears the truth.”", "Sam Rainsy", "against", cue="told")
    e = write(tmp_path / "e.json", [task(ART1, id=1, article_id="conv-1", annotations=[annotation(a, id=1, task=1)])])
    s = build_dataset([e], tmp_path / "ds")
    conv = section(card_of(tmp_path / "ds"), "What counts as a quote")
    assert "GUIDELINES.md" in conv and "**direct**" in conv and "**indirect**" in conv and "Not quotes" in conv
    # the summary quotes the guidelines' own examples: it drifts loudly when they change
    guidelines = " ".join((Path(__file__).parents[1] / "annotations" / "GUIDELINES.md").read_text(encoding="utf-8").split())
    for phrase in ("condemned the arrest", "vowed to return", "a Reuters witness said", "according to X", "believe that", "it was announced that"):
        assert phrase in conv and phrase in guidelines, phrase
    assert s.quotes_with_speaker_inside == 1 and s.quotes_with_cue_inside == 1
    assert "1 quote span(s) contain their own speaker mention and 1 their own cue" in conv
    build_dataset([write(tmp_path / "c.json", corpus(2))], tmp_path / "ds2")
    assert "no quote span contains its own speaker mention or cue" in section(card_of(tmp_path / "ds2"), "What counts as a quote")


# --------------------------------------------------------------------------- 2. provenance: facts and --notes


def test_card_says_what_the_exports_show_not_how_labels_were_made(run_cli, tmp_path, monkeypatch, capsys):
    e = write(tmp_path / "e.json", corpus(4))
    code, _, err = run_cli(["build", e, "-o", tmp_path / "ds"])
    assert code == 0, err
    card = card_of(tmp_path / "ds")
    assert "corrected" not in card.lower()
    assert "4 annotation(s) from 1 Label Studio account(s): `user:1` (4)" in card
    assert "cannot tell how an annotation was made" in card and "no provenance notes were supplied" in card
    assert "## Provenance notes" not in card


def test_card_lists_its_input_files_and_how_accounts_were_compared(tmp_path):
    one = write(tmp_path / "jan.json", corpus(3))
    two = write(tmp_path / "feb.json", corpus(2, start_id=3, created_at="2026-02-01T10:00:00Z"))  # task 3 again, same ids
    s = build_dataset([one, two], tmp_path / "ds")
    process = section(card_of(tmp_path / "ds"), "Annotation process")
    assert "| `jan.json` | 3 | 2 |" in process and "| `feb.json` | 2 | 2 |" in process
    # same project id and task ids: snapshots of one project, user:1 is one account (and the card says the limit)
    assert s.account_scopes == 1 and s.accounts == {"user:1": 4}
    assert "taken as snapshots of one project" in process and "could be different people" in process
    # task 3 is in both files with the same annotation (id 10003, edited later): one annotation, not superseded
    assert s.notes == {} and "chosen among several" not in process


def test_notes_file_is_included_verbatim(run_cli, tmp_path, monkeypatch, capsys):
    notes = tmp_path / "notes.md"
    text = "Labels were **typed from a gold file** and submitted through the API\n(`scripts/annotate_from_gold.py`).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    notes.write_text(text, encoding="utf-8")
    e = write(tmp_path / "e.json", corpus(2))
    code, _, err = run_cli(["build", e, "-o", tmp_path / "ds", "--notes", notes])
    assert code == 0, err
    card = card_of(tmp_path / "ds")
    assert "\n## Provenance notes\n\n" + text in card
    assert "see Provenance notes" in card and "no provenance notes" not in card
    # a missing or empty notes file is bad input, before anything is built
    code, _, err = run_cli(["build", e, "-o", tmp_path / "ds2", "--notes", tmp_path / "nope.md"])
    assert code == 2 and "nope.md" in err and err.count("\n") == 1
    (tmp_path / "empty.md").write_text("  \n")
    with pytest.raises(BadInputError, match="empty"):
        build_dataset([e], tmp_path / "ds2", notes=tmp_path / "empty.md")
    assert not (tmp_path / "ds2").exists()


# --------------------------------------------------------------------------- 3. --annotator is recorded


def _two_accounts(tmp_path: Path) -> Path:
    """Tasks 1-5 annotated by user 1; tasks 1-3 also (later) by user 2."""
    tasks = corpus(5, completed_by=1)
    later = corpus(3, completed_by=2, created_at="2026-02-01T10:00:00Z")
    for t, extra in zip(tasks, later):
        ann = extra["annotations"][0]
        ann["id"] += 50_000  # another annotation of the same task
        t["annotations"].append(ann)
    tasks[4]["predictions"] = []  # only tasks 1-4 carry a prediction
    return write(tmp_path / "two.json", tasks)


def test_annotator_filter_is_stated_and_counts_only_what_is_in_the_data(run_cli, tmp_path, monkeypatch, capsys):
    e = _two_accounts(tmp_path)
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds", "--annotator", "2"])
    assert code == 0, err
    assert "--annotator 2" in out
    card = card_of(tmp_path / "ds")
    intro = card.split("## How to load")[0]
    assert "3 annotation(s) from 1 Label Studio account(s): `user:2` (3)" in intro
    assert "Only annotations by `2` were used (`--annotator 2`)" in intro
    process = section(card, "Annotation process")
    assert "3 of the 5 task(s) in the input have one and are in the dataset" in process
    assert "annotations by 1 other account(s) (`user:1`) were left out" in process
    assert "Of the 3 task(s) in the dataset, the export holds predictions (pre-annotations) for: 3 by quotekit" in process
    # agreement is over every annotator, and says so
    assert "including those left out by `--annotator 2`" in process and "`user:1`, `user:2`" in process
    s = build_dataset([e], tmp_path / "lib", annotator="1")
    assert s.articles == 5 and s.accounts == {"user:1": 5} and s.model_versions == {"quotekit-0.1.0+rules-1": 4}
    assert s.to_dict()["annotator_filter"] == "1"


def test_without_filter_unkept_accounts_are_mentioned(tmp_path):
    e = _two_accounts(tmp_path)
    s = build_dataset([e], tmp_path / "ds")
    card = card_of(tmp_path / "ds")
    assert s.accounts == {"user:2": 3, "user:1": 2}
    assert "5 annotation(s) from 2 Label Studio account(s)" in card and "--annotator" not in card


def test_model_versions_count_only_tasks_in_the_dataset(tmp_path):
    tasks = corpus(3) + [task(ART1, id=99, article_id="never-annotated")]
    s = build_dataset([write(tmp_path / "e.json", tasks)], tmp_path / "ds")
    assert s.tasks == 4 and s.articles == 3 and s.model_versions == {"quotekit-0.1.0+rules-1": 3}
    assert "Of the 3 task(s) in the dataset, the export holds predictions (pre-annotations) for: 3 by" in card_of(tmp_path / "ds")


# --------------------------------------------------------------------------- 4. a cut export is named everywhere


def _cut_export(tmp_path: Path) -> tuple[Path, int, int]:
    """Three tasks, written with non-ASCII characters, cut in the middle of the third: returns the
    file and the char and byte offsets at which the third task starts."""
    tasks = corpus(3)
    raw = json.dumps(tasks, ensure_ascii=False)
    third = raw.index(json.dumps(tasks[2], ensure_ascii=False))
    e = tmp_path / "cut.json"
    e.write_text(raw[: third + 300], encoding="utf-8")
    return e, third, len(raw[:third].encode("utf-8"))


def test_truncated_export_is_named_in_card_summary_and_agreement(run_cli, tmp_path, monkeypatch, capsys):
    e, char, byte = _cut_export(tmp_path)
    assert byte != char  # the offsets are not the same thing here
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds"])
    assert code == 0, err
    assert "input cut short" in out and "Warning" in out
    flat = " ".join(out.split())
    assert "cut.json: invalid JSON: the file looks truncated: 2 item(s) read, nothing read from item #3 on" in flat
    assert f"byte {byte}, char {char}" in flat
    assert "at at" not in flat
    card = card_of(tmp_path / "ds")
    intro = card.split("## How to load")[0]
    assert "**Incomplete input:** 1 export file(s) could not be read to the end" in intro
    assert f"cut.json: invalid JSON: the file looks truncated: 2 item(s) read, nothing read from item #3 on (it starts at byte {byte}, char {char}" in intro
    assert "Part of the input could not be read" in section(card, "Known limitations")
    s = build_dataset([e], tmp_path / "lib")
    assert s.articles == 2 and len(s.input_problems) == 1 and s.to_dict()["input_problems"] == s.input_problems
    assert ("input cut short", str(e)) in s.rows()

    code, out, err = run_cli(["agreement", e])
    assert code == 0, err
    flat = " ".join(out.split())
    assert "not read, so not compared" in flat and "cut.json" in flat and "nothing read from item #3 on" in flat
    assert "among the 2 task(s) read" in flat
    rep = compute_agreement([e])
    assert rep.input_tasks == 2 and len(rep.input_problems) == 1 and "cut.json" in rep.to_dict()["input_problems"][0]
    # nothing readable at all: agreement is bad input, like the build
    (tmp_path / "nothing.json").write_text('[{"id": 1, "da', encoding="utf-8")
    code, _, err = run_cli(["agreement", tmp_path / "nothing.json"])
    assert code == 2 and "nothing.json" in err and err.count("\n") == 1


def test_clean_build_has_no_incomplete_input_note(tmp_path):
    s = build_dataset([write(tmp_path / "e.json", corpus(2))], tmp_path / "ds")
    assert s.input_problems == [] and "Incomplete input" not in card_of(tmp_path / "ds")


# --------------------------------------------------------------------------- 5. chart and card count speakers alike


def test_chart_title_counts_speakers_like_the_summary(tmp_path, monkeypatch):
    import matplotlib.axes

    titles = []
    real = matplotlib.axes.Axes.set_title
    monkeypatch.setattr(matplotlib.axes.Axes, "set_title", lambda self, label, *a, **k: (titles.append(label), real(self, label, *a, **k))[1])
    tasks = corpus(8) + small_export()  # 3 registry speakers + Jane Doe 0..2 + Phay Siphan, Mu Sochua + an unknown one
    s = build_dataset([write(tmp_path / "e.json", tasks)], tmp_path / "ds")
    named = dict(s.rows())["speakers"]
    assert None in s.speakers and named == str(len(s.speakers) - 1)
    assert titles == [f"Stance by speaker ({named} speakers + unknown, {s.quotes} quotes)"]
    assert f"{named} speaker(s) and 1 quote(s) whose speaker is unknown." in section(card_of(tmp_path / "ds"), "Speakers")

    from collections import Counter

    from toolkit.dataset.chart import chart_title

    many = {f"S{i}": Counter(favor=30 - i) for i in range(30)}
    many[None] = Counter(neutral=1)
    ranked = sorted(many, key=lambda k: -sum(many[k].values()))[:20]
    assert chart_title(many, ranked) == "Stance by speaker (top 20 of 30 speakers + unknown, 466 quotes)"


# --------------------------------------------------------------------------- 6. sources, dates, licence


def test_sources_dates_and_licence(tmp_path):
    tasks = corpus(5)
    tasks[0]["data"]["outlet"] = "unknown"
    tasks[1]["data"]["outlet"] = ""
    for t in tasks[2:]:
        t["data"]["date"] = ""
    tasks[0]["data"]["date"], tasks[1]["data"]["date"] = "2019-11-02", "2019-11-05"
    build_dataset([write(tmp_path / "e.json", tasks)], tmp_path / "ds")
    card = card_of(tmp_path / "ds")
    sources = section(card, "Sources")
    assert "| (unknown outlet) | 2 |" in sources and "| unknown |" not in sources
    assert "Publication dates: 2 of 5 article(s) dated, from 2019-11-02 to 2019-11-05." in sources
    assert header(card)["license"] == "other"
    lic = section(card, "Licence")
    assert "`license: other`" in lic and "MIT" in lic and "remain the property of their outlets" in lic
    assert "2 article(s) come from an unknown outlet" in lic
    for t in tasks:
        t["data"]["date"] = ""
    build_dataset([write(tmp_path / "n.json", tasks)], tmp_path / "nd")
    assert "Publication dates: none of the 5 article(s) is dated." in card_of(tmp_path / "nd")


# --------------------------------------------------------------------------- 7. requested vs actual splits, small corpus


def test_requested_and_actual_split_shares_and_small_corpus(tmp_path):
    from toolkit.dataset.splits import split_of

    # five articles, none of which hashes into validation (ids picked with the split function itself)
    ids = [aid for aid in (f"seed-{i}" for i in range(100)) if split_of(aid, (0.8, 0.1, 0.1)) != "validation"][:5]
    tasks = corpus(5)
    for t, aid in zip(tasks, ids):
        t["data"]["article_id"] = aid
    s = build_dataset([write(tmp_path / "e.json", tasks)], tmp_path / "ds")
    assert s.splits["validation"]["articles"] == 0
    card = card_of(tmp_path / "ds")
    actual = ", ".join(f"{sp} {s.splits[sp]['articles'] / 5:.2g}" for sp in ("train", "validation", "test"))
    assert f"requested train 0.8, validation 0.1, test 0.1; actual (of 5 article(s)) {actual}." in section(card, "Splits")
    assert "- Small corpus: 5 article(s) and 20 quote(s)" in section(card, "Known limitations")
    # ratios the hash can follow: no such remark
    big = build_dataset([write(tmp_path / "big.json", corpus(200))], tmp_path / "big", splits="1,1,0", chart=False)
    assert abs(big.splits["train"]["articles"] / 200 - 0.5) <= 0.1
    big_card = card_of(tmp_path / "big")
    assert "actual shares differ" not in big_card and "Small corpus" not in big_card
    build_dataset([write(tmp_path / "six.json", corpus(6))], tmp_path / "six", splits="0,0,1")
    assert "actual shares differ" not in card_of(tmp_path / "six")


# --------------------------------------------------------------------------- 10. messages


def test_zero_ratios_say_the_sum_must_be_positive():
    with pytest.raises(BadInputError, match=r"sum must be > 0"):
        parse_ratios("0,0,0")
    with pytest.raises(BadInputError, match="three non-negative numbers"):
        parse_ratios("-1,1,1")


def test_text_mismatch_message_shows_where_the_texts_differ(tmp_path):
    line = ART1.split("\n")[1]  # “We will protect peace and stability,” Phay Siphan said on Friday.
    start = ART1.index(line)
    wrong = line[:50] + "X" + line[51:]
    a = Ann(ART1, seed="mm")
    a.quote("the plan would fail", "Phay Siphan", "favor")
    a.region(N.CUE, start, start + len(line), text=wrong)
    e = write(tmp_path / "e.json", [task(ART1, id=1, article_id="mm-1", annotations=[annotation(a, id=1, task=1)])])
    s = build_dataset([e], tmp_path / "ds")
    msg = next(m for r, m in s.issues if r == "text_mismatch")
    assert "differ from char 50" in msg
    assert "then region 'X" + line[51:60] in msg and "vs text '" + line[50:60] in msg
    assert "common '…" + line[50 - 15:50] + "'" in msg  # the context before the difference


# --------------------------------------------------------------------------- 11. cosmetic


def test_no_unregistered_sentence_when_there_is_none(tmp_path):
    a = Ann(ART1, seed="reg")
    a.quote("the plan would fail", "Sam Rainsy", "against")
    build_dataset([write(tmp_path / "e.json", [task(ART1, id=1, article_id="r-1", annotations=[annotation(a, id=1, task=1)])])], tmp_path / "ds")
    speakers = section(card_of(tmp_path / "ds"), "Speakers")
    assert "not in the registry" not in speakers and "marked unknown" not in speakers
    build_dataset([write(tmp_path / "c.json", corpus(3))], tmp_path / "ds2")  # Jane Doe is not in the registry
    assert "3 quote(s) by 3 speaker(s) not in the registry have affiliation `other`" in section(card_of(tmp_path / "ds2"), "Speakers")


def test_card_num_bytes_are_what_datasets_computes(tmp_path):
    import datasets

    datasets.disable_progress_bars()
    build_dataset([write(tmp_path / "e.json", corpus(30) + small_export())], tmp_path / "ds", batch_rows=7, chart=False)
    infos = {i["config_name"]: i for i in header(card_of(tmp_path / "ds"))["dataset_info"]}
    for config in ("articles", "quotes"):
        ds = datasets.load_dataset(str(tmp_path / "ds"), config, cache_dir=str(tmp_path / "cache"))
        card_bytes = {sp["name"]: sp["num_bytes"] for sp in infos[config]["splits"]}
        got = {name: split.info.splits[name].num_bytes for name, split in ds.items()}
        assert card_bytes == got and all(v > 0 for v in got.values())
        assert infos[config]["dataset_size"] == sum(got.values())


# --------------------------------------------------------------------------- Hub metadata (issue 17)

# The Hub's vocabularies (huggingface.js packages/tasks/src/pipelines.ts for tasks and subtasks; the
# dataset card metadata spec for the others), the part quotekit can use.
HUB_TASKS = {"token-classification": {"named-entity-recognition", "part-of-speech", "parsing", "lemmatization", "word-sense-disambiguation", "coreference-resolution"},
             "text-classification": {"multi-class-classification", "multi-label-classification", "sentiment-classification", "topic-classification", "fact-checking"}}
HUB_CREATORS = {"crowdsourced", "expert-generated", "found", "machine-generated", "no-annotation", "other"}
HUB_SIZES = ["n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M"]


def test_card_yaml_is_valid_hub_metadata(tmp_path):
    from huggingface_hub import DatasetCard, DatasetCardData

    e = write(tmp_path / "e.json", corpus(5))
    s = build_dataset([e], tmp_path / "ds")
    card = DatasetCard.load(tmp_path / "ds" / "README.md")  # parses the YAML into DatasetCardData
    data = card.data
    assert isinstance(data, DatasetCardData)
    assert data.language == ["en"] and data.multilinguality == ["monolingual"]
    assert data.license == "other" and data.license_name == "quotekit-annotations-mit-texts-by-outlet"
    assert data.license_link == "LICENSE.md" and (tmp_path / "ds" / data.license_link).is_file()
    assert "MIT" in (tmp_path / "ds" / "LICENSE.md").read_text(encoding="utf-8")
    assert data.size_categories == ["n<1K"] and s.quotes == 20
    assert data.source_datasets == ["original"] and data.language_creators == ["found"]
    assert set(data.task_categories) <= set(HUB_TASKS) and data.task_ids
    assert all(any(t in HUB_TASKS[c] for c in data.task_categories) for t in data.task_ids)
    # the fixture's tasks carry predictions: people corrected machine proposals
    assert data.annotations_creators == ["expert-generated", "machine-generated"] and set(data.annotations_creators) <= HUB_CREATORS
    assert data.pretty_name and data.to_dict()["configs"][0]["config_name"] == "articles"
    # a round trip through the Hub's own classes keeps every field (nothing dropped as unknown)
    again = DatasetCardData(**data.to_dict())
    assert again.to_dict() == data.to_dict()
    # the card's fields table has the stance target column, described once
    fields = section(card_of(tmp_path / "ds"), "Configs and fields")
    assert "| `target` | string | The target the `stance` label is judged towards" in fields
    assert "| `quotes[].target` | string |" in fields
    # without predictions: expert-generated only
    e2 = write(tmp_path / "e2.json", [dict(t, predictions=[]) for t in corpus(2)])
    build_dataset([e2], tmp_path / "ds2")
    assert DatasetCard.load(tmp_path / "ds2" / "README.md").data.annotations_creators == ["expert-generated"]


def test_size_categories_follow_the_row_counts():
    from toolkit.dataset.card import size_category

    assert [size_category(n) for n in (0, 999, 1000, 9999, 10_000, 99_999, 100_000, 2_000_000)] == \
        ["n<1K", "n<1K", "1K<n<10K", "1K<n<10K", "10K<n<100K", "10K<n<100K", "100K<n<1M", "1M<n<10M"]
    assert all(size_category(10 ** k) in HUB_SIZES for k in range(7))


def test_card_counts_adjudicated_agreed_and_single_annotated_articles(tmp_path):
    e = write(tmp_path / "e.json", corpus(3))
    s = build_dataset([e], tmp_path / "ds")
    process = section(card_of(tmp_path / "ds"), "Annotation process")
    assert s.single_annotated_articles == 3
    assert "Of the 3 article(s): 0 adjudicated" in process and "3 annotated by one account." in process
