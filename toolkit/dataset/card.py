"""The dataset card (``README.md``): YAML header (configs, dataset_info) and prose, generated from
the very ``datasets.Features`` objects that wrote the parquet files, so names cannot drift.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from toolkit.dataset.features import CONFIGS, DEFAULT_CONFIG, describe, describe_feature
from toolkit.dataset.splits import SPLITS
from toolkit.dataset.writer import shard_glob
from toolkit.labelstudio.export import INFO_REASONS, REASONS

if TYPE_CHECKING:  # pragma: no cover
    from toolkit.dataset.build import BuildSummary

CHART_FILE = "speaker_stance.png"


def yaml_header(features: dict[str, Any], split_rows: dict[tuple[str, str], int], split_bytes: dict[tuple[str, str], int] | None = None) -> dict[str, Any]:
    split_bytes = split_bytes or {}
    configs = []
    infos = []
    for name in CONFIGS:
        splits = [s for s in SPLITS if split_rows.get((name, s))]
        entry: dict[str, Any] = {"config_name": name}
        if name == DEFAULT_CONFIG:
            entry["default"] = True
        entry["data_files"] = [{"split": s, "path": shard_glob(name, s)} for s in splits]
        configs.append(entry)
        infos.append(
            {
                "config_name": name,
                "features": features[name]._to_yaml_list(),
                "splits": [{"name": s, "num_bytes": split_bytes.get((name, s), 0), "num_examples": split_rows[(name, s)]} for s in splits],
                "dataset_size": sum(split_bytes.get((name, s), 0) for s in splits),
            }
        )
    return {
        "pretty_name": "quotekit quote attribution and speaker stance",
        "license": "other",
        "task_categories": ["token-classification", "text-classification"],
        "tags": ["quote-attribution", "stance-detection", "news"],
        "configs": configs,
        "dataset_info": infos,
    }


def _fields_table(features: Any, prefix: str = "", quote_level: bool = False) -> list[str]:
    import datasets

    lines = []
    for name, feat in features.items():
        desc = describe(name, quote_level)
        if desc is None:
            raise AssertionError(f"field {name!r} has no description in toolkit.dataset.features.DESCRIPTIONS")
        lines.append(f"| `{prefix}{name}` | {describe_feature(feat)} | {desc} |")
        if isinstance(feat, datasets.List) and isinstance(feat.feature, dict):
            lines += _fields_table(feat.feature, prefix=f"{prefix}{name}[].", quote_level=True)
    return lines


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "-"


def _md(s: Any) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _provenance(model_versions: dict[str, int]) -> str:
    if not model_versions:
        return "No predictions were found in the export (the tasks were annotated from scratch, or the export did not include predictions)."
    parts = []
    for mv, n in sorted(model_versions.items(), key=lambda kv: -kv[1]):
        m = re.search(r"quotekit[-_ /]?v?(\d[\w.+-]*?)[-_ /+:]+(\S+)$", mv)
        if m:
            parts.append(f"quotekit version {m.group(1)} with rule set `{m.group(2)}` (model_version `{mv}`, {n} task(s))")
        else:
            parts.append(f"model_version `{mv}` ({n} task(s))")
    return "Pre-annotated by " + "; ".join(parts) + "."


def _no_quotes_sentence(s: "BuildSummary") -> str:
    judged = s.articles_judged_no_quotes
    other = s.articles_no_quotes - judged
    parts = []
    if judged:
        parts.append(f"{judged} article(s) have no quotes by the annotator's judgement (an empty annotation was submitted: nobody is quoted)")
    if other:
        parts.append(f"{other} article(s) have an empty quote list because every quote of theirs was skipped (see Skipped items)")
    return "; ".join(parts) + "."


def render_card(features: dict[str, Any], summary: "BuildSummary", split_rows: dict[tuple[str, str], int], split_bytes: dict[tuple[str, str], int] | None = None) -> str:
    import yaml

    header = yaml.safe_dump(yaml_header(features, split_rows, split_bytes), sort_keys=False, allow_unicode=True)
    s = summary
    stance_names = features["quotes"]["stance"].names
    L: list[str] = ["---", header.rstrip(), "---", ""]
    L += [
        "# quotekit quote attribution and speaker stance",
        "",
        f"{s.quotes} quotes in {s.articles} news articles, each attributed to its speaker (with the speaker "
        f"mention, the speech cue and the speaker's affiliation) and labelled with its stance "
        f"({', '.join(stance_names)}). Built by quotekit from Label Studio exports, "
        f"corrected by {len(s.annotators)} annotator(s).",
        *([ "", _no_quotes_sentence(s)] if s.articles_no_quotes else []),
        "",
        "## How to load",
        "",
        "```python",
        f'from datasets import load_dataset; ds = load_dataset("{s.hub_repo_id or "path/to/this/directory"}", "quotes")  # or "articles" (the default)',
        "```",
        "",
        "Offsets are Python `str` offsets (Unicode code points) into the article `text`: "
        "`text[start:end] == quote text` for every quote; ClassLabel columns hold indices "
        "(`ds['train'].features['stance'].int2str(i)` gives the name).",
        "",
        "## Configs and fields",
        "",
    ]
    for name in CONFIGS:
        what = "one row per article, quotes nested" if name == "articles" else "one row per quote, with its article id and context"
        L += [f"### `{name}` ({what})", "", "| field | type | description |", "|---|---|---|"]
        L += _fields_table(features[name], quote_level=(name == "quotes"))
        L.append("")
    L += ["## Splits", "", "Splits are made per article (an article's quotes are never split), deterministically from a SHA-256 of `article_id`, with ratios " + ", ".join(f"{n} {r:g}" for n, r in zip(SPLITS, s.ratios)) + ".", ""]
    L += ["| split | articles | quotes |", "|---|---|---|"]
    for sp in SPLITS:
        L.append(f"| {sp} | {split_rows.get(('articles', sp), 0)} | {split_rows.get(('quotes', sp), 0)} |")
    empty = [sp for sp in SPLITS if not split_rows.get(("articles", sp))]
    if empty:
        L += ["", f"Empty split(s), not declared in the configs: {', '.join(empty)}."]
    L += ["", "## Stance", "", "| stance | quotes | share |", "|---|---|---|"]
    for lab in stance_names:
        L.append(f"| {lab} | {s.stance.get(lab, 0)} | {_pct(s.stance.get(lab, 0), s.quotes)} |")
    L += ["", "## Speakers", ""]
    if s.chart_path is not None:
        L += [f"![Stance by speaker]({CHART_FILE})", ""]
    L += ["| speaker | affiliation | quotes | " + " | ".join(stance_names) + " |", "|---|---|---|" + "---|" * len(stance_names)]
    top = sorted(s.speaker_stance.items(), key=lambda kv: (-sum(kv[1].values()), kv[0] or ""))
    for name, c in top[:50]:
        aff = s.speaker_affiliation.get(name) if name is not None else None
        L.append(f"| {_md(name) if name is not None else '(speaker unknown)'} | {aff or '-'} | {sum(c.values())} | " + " | ".join(str(c.get(lab, 0)) for lab in stance_names) + " |")
    if len(top) > 50:
        L.append(f"| ... {len(top) - 50} more speakers | | | " + " | ".join("" for _ in stance_names) + " |")
    L += [
        "",
        f"Affiliation comes from the quotekit speaker registry (`configs/speakers.yaml`). "
        f"{s.unregistered_quotes} quote(s) by {len(s.unregistered_speakers)} speaker(s) not in the registry have "
        f"affiliation `other`, which therefore mixes registry speakers whose affiliation is 'other' with "
        f"unregistered speakers. Quotes whose speaker the annotator marked unknown ({s.speaker_stance.get(None) and sum(s.speaker_stance[None].values()) or 0}) have speaker and affiliation null.",
        "",
        "## Annotation process",
        "",
        _provenance(s.model_versions),
        f"The pre-annotations were corrected in Label Studio by {len(s.annotators)} annotator(s). "
        "Per task one annotation is kept: a ground-truth annotation if any, else the latest one that was not cancelled (across all export files). "
        "A submitted annotation with no region is kept as the judgement that the article quotes nobody (the article has an empty quote list); "
        "a task whose annotations were all cancelled (skipped by the annotator) is left out and counted as `cancelled`. "
        "When a speaker region has both a name picked from the registry list and a typed name that differ, the one the annotator acted on is kept "
        "(the typed name unless it is the untouched pre-annotation)"
        + (f"; {s.notes['speaker_conflict']} such conflict(s) were resolved." if s.notes.get("speaker_conflict") else "."),
        "",
    ]
    ag = s.agreement
    if ag is not None and ag.tasks:
        L += [f"Inter-annotator agreement on {ag.tasks} task(s) annotated by several people:", "", "| measure | value |", "|---|---|"]
        L += [f"| {_md(k)} | {v} |" for k, v in ag.rows()]
        L += ["", "Quotes match when they overlap with a whitespace-token Jaccard >= 0.5 (one-to-one); speaker and stance agreement are computed on matched quotes.", ""]
    else:
        L += ["No task was annotated by several people: no agreement figures.", ""]
    L += ["## Sources", "", "| outlet | articles |", "|---|---|"]
    for outlet, n in sorted(s.outlets.items(), key=lambda kv: (-kv[1], kv[0] or "")):
        L.append(f"| {_md(outlet) if outlet else '(unknown)'} | {n} |")
    if s.date_range:
        L += ["", f"Publication dates: {s.date_range[0]} to {s.date_range[1]}."]
    L += ["", "## Skipped items", ""]
    if s.skipped:
        L += ["Label Studio does not validate annotations; quotekit does. These items were skipped and counted:", "", "| reason | count | what |", "|---|---|---|"]
        for reason, n in sorted(s.skipped.items(), key=lambda kv: (-kv[1], kv[0])):
            L.append(f"| `{reason}` | {n} | {REASONS.get(reason, '')} |")
    else:
        L.append("None: every annotated task and region passed validation.")
    if s.notes:
        L += ["", "Counted but not skipped (the item is in the dataset):", "", "| reason | count | what |", "|---|---|---|"]
        for reason, n in sorted(s.notes.items(), key=lambda kv: (-kv[1], kv[0])):
            L.append(f"| `{reason}` | {n} | {REASONS.get(reason, '')} |")
    L += [
        "",
        "## Licence",
        "",
        "The article texts remain the property of their publishers and are included for research on "
        "quote attribution only; check each outlet's terms before redistributing. The annotations "
        "(offsets, speakers, stance labels) are released under the quotekit project's licence (MIT).",
        "",
        "## Known limitations",
        "",
        "- Stance is judged towards one target (the stance scheme's default target), per quote, by few annotators; labels reflect their reading of the text.",
        "- Speaker names are canonicalised only through the registry (names and aliases); unregistered speakers keep the name as written and can appear under several spellings.",
        "- Quote-free articles are included: an article whose annotator submitted an empty annotation has an empty quote list "
        f"({s.articles_judged_no_quotes} such article(s) here); cancelled (skipped) tasks are not included.",
        *(["- Skipped quotes (see above) are missing from their articles: an article's quote list can be incomplete. Build with `--strict` for a dataset without skipped items."] if any(r not in INFO_REASONS for r in s.skipped) else []),
        "- `kind` defaults to direct when the span sits inside quotation marks, else indirect, when the annotator did not set it.",
        "- Splits are by article, not by outlet or date: quotes of one speaker appear in several splits.",
        "",
        f"Built by quotekit {s.toolkit_version}.",
        "",
    ]
    return "\n".join(L)
