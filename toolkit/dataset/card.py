"""The dataset card (``README.md``): YAML header (configs, dataset_info) and prose, generated from
the very ``datasets.Features`` objects that wrote the parquet files, so names cannot drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from toolkit.dataset.corrections_section import corrections_section
from toolkit.dataset.features import CONFIGS, DEFAULT_CONFIG, describe, describe_feature
from toolkit.dataset.splits import SPLITS
from toolkit.dataset.writer import CARD_MARK, shard_glob
from toolkit.labelstudio.export import INFO_REASONS, REASONS

if TYPE_CHECKING:  # pragma: no cover
    from toolkit.dataset.summary import BuildSummary

CHART_FILE = "speaker_stance.png"


#: What the Hub's metadata says of every quotekit dataset. quotekit reads English news: its
#: pipeline is an English one and its guidelines are written for English reporting verbs.
LANGUAGE = "en"
#: The licence: annotations MIT, article texts their outlets' (see :func:`licence_lines`), so
#: ``license: other`` with an id and the file that explains it.
LICENSE_NAME = "quotekit-annotations-mit-texts-by-outlet"
LICENSE_FILE = "LICENSE.md"
#: The Hub's size buckets (``size_categories``), by upper bound of rows.
SIZE_CATEGORIES: tuple[tuple[float, str], ...] = (
    (1e3, "n<1K"), (1e4, "1K<n<10K"), (1e5, "10K<n<100K"), (1e6, "100K<n<1M"), (1e7, "1M<n<10M"),
    (1e8, "10M<n<100M"), (1e9, "100M<n<1B"), (1e10, "1B<n<10B"), (1e11, "10B<n<100B"), (1e12, "100B<n<1T"),
)


def size_category(rows: int) -> str:
    """The Hub's ``size_categories`` value for a dataset of ``rows`` rows (its largest config).

    >>> size_category(0), size_category(999), size_category(1000), size_category(100_000)
    ('n<1K', 'n<1K', '1K<n<10K', '100K<n<1M')
    """
    for bound, name in SIZE_CATEGORIES:
        if rows < bound:
            return name
    return "n>1T"


def annotations_creators(model_versions: dict[str, int] | None) -> list[str]:
    """``expert-generated``: people annotated in Label Studio following the quotekit guidelines; with
    ``machine-generated`` too when the tasks in the dataset held pre-annotations (predictions) that
    the annotators started from.

    >>> annotations_creators({}), annotations_creators({"quotekit-0.1.0+rules-3": 4})
    (['expert-generated'], ['expert-generated', 'machine-generated'])
    """
    return ["expert-generated", "machine-generated"] if model_versions else ["expert-generated"]


def yaml_header(features: dict[str, Any], split_rows: dict[tuple[str, str], int], split_bytes: dict[tuple[str, str], int] | None = None,
                summary: "BuildSummary | None" = None) -> dict[str, Any]:
    """The card's YAML front matter: the Hub's metadata (language, licence, sizes, tasks, creators),
    then the configs and ``dataset_info`` of the very Features that wrote the parquet files."""
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
    rows = max((sum(n for (c, _s), n in split_rows.items() if c == name) for name in CONFIGS), default=0)
    return {
        "pretty_name": "quotekit quote attribution and speaker stance",
        "language": [LANGUAGE],
        "multilinguality": ["monolingual"],
        "license": "other",
        "license_name": LICENSE_NAME,
        "license_link": LICENSE_FILE,
        "size_categories": [size_category(rows)],
        "source_datasets": ["original"],
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["multi-class-classification"],
        "annotations_creators": annotations_creators(summary.model_versions if summary is not None else None),
        "language_creators": ["found"],
        "tags": ["quote-attribution", "stance-detection", "news", "quotekit"],
        "configs": configs,
        "dataset_info": infos,
    }


def _fields_table(features: Any, prefix: str = "", quote_level: bool = False, target: str | None = None) -> list[str]:
    import datasets

    lines = []
    for name, feat in features.items():
        desc = describe(name, quote_level)
        if desc is None:
            raise AssertionError(f"field {name!r} has no description in toolkit.dataset.features.DESCRIPTIONS")
        if name == "stance" and target:
            desc += f" Here the target is {_md(target)} (see Stance)."
        lines.append(f"| `{prefix}{name}` | {describe_feature(feat)} | {desc} |")
        if isinstance(feat, datasets.List) and isinstance(feat.feature, dict):
            lines += _fields_table(feat.feature, prefix=f"{prefix}{name}[].", quote_level=True, target=target)
    return lines


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "-"


def _md(s: Any) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _provenance(model_versions: dict[str, int], tasks: int) -> str:
    if not model_versions:
        return f"The export holds no prediction (pre-annotation) for the {tasks} task(s) in the dataset."
    parts = []
    for mv, n in sorted(model_versions.items(), key=lambda kv: -kv[1]):
        m = re.search(r"quotekit[-_ /]?v?(\d[\w.+-]*?)[-_ /+:]+(\S+)$", mv)
        if m:
            parts.append(f"{n} by quotekit version {m.group(1)} with rule set `{m.group(2)}` (model_version `{mv}`)")
        else:
            parts.append(f"{n} by model_version `{mv}`")
    return f"Of the {tasks} task(s) in the dataset, the export holds predictions (pre-annotations) for: " + "; ".join(parts) + "."


def _account(a: Any) -> str:
    return "(no account recorded)" if a is None else f"`{_md(a)}`"


def _accounts_sentence(s: "BuildSummary") -> str:
    n, m = sum(s.accounts.values()), len(s.accounts)
    named = ", ".join(f"{_account(a)} ({k})" for a, k in sorted(s.accounts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:10])
    return f"{n} annotation(s) from {m} Label Studio account(s): {named}{' ...' if m > 10 else ''}"


def _inputs(s: "BuildSummary") -> list[str]:
    """The export files read, with how many tasks each held and how many of its annotations were kept,
    and how integer user ids were compared across them."""
    if not s.inputs:
        return []
    L = ["", f"Input export file(s) ({len(s.inputs)}):", "", "| export file | tasks read | annotations kept |", "|---|---|---|"]
    L += [f"| `{_md(i['file'])}` | {i['tasks']} | {i['kept']} |" for i in s.inputs]
    if s.account_scopes > 1:
        L += ["", f"A Label Studio user id (`user:<id>`) identifies a person only within one Label Studio server. These files are "
              f"not all snapshots of one Label Studio project (same project id and task ids), so they form {s.account_scopes} "
              "groups, and an account without e-mail is labelled with the first file of its group (`user:<id> (<file>)`): "
              "user ids of different groups are counted as different accounts (they may still be the same person)."]
    elif len(s.inputs) > 1:
        L += ["", "These files hold the same Label Studio project id and the same task ids for the articles they share, so they "
              "were taken as snapshots of one project and a user id (`user:<id>`) as one account in all of them. Exports do not "
              "name their server: had they come from different Label Studio servers, the same user id could be different people."]
    return L


def _superseded(s: "BuildSummary") -> list[str]:
    if not s.superseded:
        return []
    n = s.notes.get("superseded", sum(s.superseded.values()))
    L = ["", f"{n} task(s) had their annotation chosen among several live annotations (counted as `superseded`; the "
         "build summary lists the first ones with their annotation ids). Per pair of files:", "",
         "| annotation kept from | annotation(s) set aside from | tasks |", "|---|---|---|"]
    L += [f"| `{_md(k)}` | `{_md(a)}` | {c} |" for (k, a), c in sorted(s.superseded.items(), key=lambda kv: (-kv[1], kv[0]))]
    return L


def _is_unknown_outlet(outlet: Any) -> bool:
    return outlet is None or str(outlet).strip().casefold() in ("", "unknown", "(unknown)", "n/a")


UNKNOWN_OUTLET = "(unknown outlet)"


def _outlet_counts(outlets: dict[Any, int]) -> list[tuple[str, int]]:
    merged: dict[str, int] = {}
    for outlet, n in outlets.items():
        key = UNKNOWN_OUTLET if _is_unknown_outlet(outlet) else str(outlet)
        merged[key] = merged.get(key, 0) + n
    return sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))


#: Actual and requested split shares further apart than this are pointed out in the card.
RATIO_GAP = 0.1
#: Below this many articles the card's limitations call the corpus small.
SMALL_CORPUS = 100


def _split_shares(s: "BuildSummary", split_rows: dict[tuple[str, str], int]) -> tuple[list[float], bool]:
    n = s.articles or 1
    actual = [split_rows.get(("articles", sp), 0) / n for sp in SPLITS]
    far = any(abs(a - r) > RATIO_GAP or (r > 0 and a == 0) for a, r in zip(actual, s.ratios))
    return actual, far


def _conventions(s: "BuildSummary") -> list[str]:
    """What counts as a quote and a speaker: the quotekit annotation guidelines in short, plus what
    this data shows about spans that contain their own speaker or cue."""
    L = [
        "## What counts as a quote",
        "",
        "The annotation follows the quotekit annotation guidelines (`annotations/GUIDELINES.md` in the quotekit "
        "repository; the labeling screen and the pre-annotator implement the same rules). In short:",
        "",
        "- **direct**: the words inside the quotation marks; a trailing `,` or `.` inside the marks is included, "
        "the marks are not. A paragraph that opens a quote without closing it ends the quote at the line break.",
        "- **indirect**: the reported clause after the cue or \"that\", without the final period and without "
        "narrator material around it; a postposed attribution (\"..., Amnesty said.\") or \"according to X\" takes "
        "the whole clause it attributes. **mixed**: an indirect clause that contains a quoted fragment.",
        "- Also quotes: \"described X as Y\", \"asked that ...\", beliefs of named or unnamed sources "
        "(\"believe that\"), a quoted fragment inside a speech act. Not quotes: a speech act with only a noun object "
        "(\"condemned the arrest\"), control infinitives (\"vowed to return\"), \"accused X of ...ing\", the "
        "journalist's own inferences, names in quotation marks.",
        "- **speaker**: the mention inside the attribution (a name, a description or a pronoun), resolved to the "
        "person or body it refers to; the reporting channel (\"a Reuters witness said\") is not the speaker. "
        "No speaker at all (\"it was announced that ...\"): speaker null. The **cue** is the speech or attitude "
        "word (\"said\", \"according to\", \"believes\").",
        "",
    ]
    if s.quotes_with_speaker_inside or s.quotes_with_cue_inside:
        L.append(f"A quote span is the reported content, so it normally leaves out its speaker mention and cue; "
                 f"in this data {s.quotes_with_speaker_inside} quote span(s) contain their own speaker mention and "
                 f"{s.quotes_with_cue_inside} their own cue (offsets of all three are given, so they can be told apart).")
    else:
        L.append("A quote span is the reported content: in this data no quote span contains its own speaker mention or cue.")
    return L + [""]


def _stance_target(s: "BuildSummary", stance_names: list[str]) -> list[str]:
    t = s.stance_target
    if t is None:
        return []
    L = [f"Stance is judged towards one target, **{_md(t.name)}**: {_md(t.description)}. "
         "`favor` / `against` / `neutral` say whether what the quote says supports, opposes or is neutral towards "
         "this target (from the quotekit stance scheme, `configs/stance.yaml`)."]
    if t.guidance.strip():
        L += ["", "Guidance given to the annotators:", ""]
        L += ["> " + line if line.strip() else ">" for line in t.guidance.strip().splitlines()]
    ex = {lab: t.examples[lab] for lab in stance_names if t.examples.get(lab)}
    if ex:
        L += ["", "| stance | example |", "|---|---|"]
        L += [f"| {lab} | {_md(text)} |" for lab, text in ex.items()]
    return L + [""]


def _no_quotes_sentence(s: "BuildSummary") -> str:
    judged = s.articles_judged_no_quotes
    other = s.articles_no_quotes - judged
    parts = []
    if judged:
        parts.append(f"{judged} article(s) have no quotes by the annotator's judgement (an empty annotation was submitted: nobody is quoted)")
    if other:
        parts.append(f"{other} article(s) have an empty quote list because every quote of theirs was skipped (see Skipped items)")
    return "; ".join(parts) + "."


@dataclass
class _Card:
    """What every section of the card reads: the summary and the figures derived from it once."""

    features: dict[str, Any]
    summary: "BuildSummary"
    split_rows: dict[tuple[str, str], int]
    split_bytes: dict[tuple[str, str], int] | None
    stance_names: list[str]
    target: str | None
    outlets: list[tuple[str, int]]
    changelog: Any = None  # toolkit.dataset.changelog.Changelog of a --release build

    @property
    def known(self) -> list[str]:
        return [o for o, _ in self.outlets if o != UNKNOWN_OUTLET]


def _section_title(c: "_Card") -> list[str]:
    """Title, one-paragraph summary, quote-free articles, incomplete input."""
    s = c.summary
    stance_names = c.stance_names
    target = c.target
    L: list[str] = []
    L += [
        "# quotekit quote attribution and speaker stance",
        "",
        f"{s.quotes} quotes in {s.articles} news articles, each attributed to its speaker (with the speaker "
        f"mention, the speech cue and the speaker's affiliation) and labelled with its stance "
        f"({', '.join(stance_names)})" + (f" towards {_md(target)} ({_md(s.stance_target.description)})" if target else "")
        + f". Built by quotekit from Label Studio exports: {_accounts_sentence(s)}."
        + (f" Only annotations by `{_md(s.annotator_filter)}` were used (`--annotator {_md(s.annotator_filter)}`)." if s.annotator_filter is not None else ""),
        *(["", _no_quotes_sentence(s)] if s.articles_no_quotes else []),
    ]
    if s.input_problems:
        L += ["", f"**Incomplete input:** {len(s.input_problems)} export file(s) could not be read to the end; "
              "the tasks after the point below are not in this dataset:", ""]
        L += [f"- {_md(m)}" for m in s.input_problems]
    return L


def _section_load(c: "_Card") -> list[str]:
    """How to load, and the configs' field tables."""
    s = c.summary
    features = c.features
    target = c.target
    L: list[str] = []
    L += [
        "",
        "## How to load",
        "",
        "```python",
        f'from datasets import load_dataset; ds = load_dataset("{s.hub_repo_id or "path/to/this/directory"}", "quotes")  # or "articles" (the default)',
        "```",
        "",
        *_release_load(c),
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
        L += _fields_table(features[name], quote_level=(name == "quotes"), target=target)
        L.append("")
    return L


def _release_load(c: "_Card") -> list[str]:
    """How to load this exact release from the Hub (its tag), for a ``--release`` build."""
    if c.changelog is None:
        return []
    v = c.changelog.version
    repo = c.summary.hub_repo_id
    L = [f"This is release **{_md(v)}**. " + (f"Pushed with `--push-to-hub`, the Hub commit is tagged `{_md(v)}`; load exactly this release with:"
                                             if repo else f"Once pushed with `quotekit build --release {_md(v)} --push-to-hub OWNER/NAME`, the Hub commit is tagged `{_md(v)}`; load exactly this release with:"),
         "", "```python", f'ds = load_dataset("{repo or "OWNER/NAME"}", "quotes", revision="{v}")', "```", ""]
    return L


def _section_release(c: "_Card") -> list[str]:
    """The release version and what changed since the previous build (``--release``/``--previous``)."""
    ch = c.changelog
    if ch is None:
        return []
    from toolkit.dataset.changelog import CARD_IDS, CHANGELOG_FILE

    L = ["## Changelog", "", f"### {_md(ch.version)}", ""]
    L += ch.lines(limit=CARD_IDS)
    L += ["", f"`{CHANGELOG_FILE}` lists every id, and the earlier releases.", ""]
    return L


def _section_conventions(c: "_Card") -> list[str]:
    """The quote conventions the annotations follow."""
    s = c.summary
    L: list[str] = []
    L += _conventions(s)
    return L


def _section_splits(c: "_Card") -> list[str]:
    """Split ratios, rows per split, shares far from the ratios."""
    s = c.summary
    split_rows = c.split_rows
    L: list[str] = []
    actual, far = _split_shares(s, split_rows)
    L += ["## Splits", "", "Splits are made per article (an article's quotes are never split), deterministically from a SHA-256 of `article_id`, with ratios " + ", ".join(f"{n} {r:g}" for n, r in zip(SPLITS, s.ratios)) + ".", ""]
    L += ["| split | articles | quotes |", "|---|---|---|"]
    for sp in SPLITS:
        L.append(f"| {sp} | {split_rows.get(('articles', sp), 0)} | {split_rows.get(('quotes', sp), 0)} |")
    if far:
        L += ["", "The actual shares differ from the requested ratios: requested "
              + ", ".join(f"{n} {r:g}" for n, r in zip(SPLITS, s.ratios)) + f"; actual (of {s.articles} article(s)) "
              + ", ".join(f"{n} {a:.2g}" for n, a in zip(SPLITS, actual))
              + ". An article's split comes from a hash of its id, so with few articles the shares can be far from the ratios."]
    empty = [sp for sp in SPLITS if not split_rows.get(("articles", sp))]
    if empty:
        L += ["", f"Empty split(s), not declared in the configs: {', '.join(empty)}."]
    return L


def _section_stance(c: "_Card") -> list[str]:
    """The stance target, its guidance and the label counts."""
    s = c.summary
    stance_names = c.stance_names
    L: list[str] = []
    L += ["", "## Stance", ""]
    L += _stance_target(s, stance_names)
    L += ["| stance | quotes | share |", "|---|---|---|"]
    for lab in stance_names:
        L.append(f"| {lab} | {s.stance.get(lab, 0)} | {_pct(s.stance.get(lab, 0), s.quotes)} |")
    return L


def _section_speakers(c: "_Card") -> list[str]:
    """Speakers with their affiliation and stance counts."""
    s = c.summary
    stance_names = c.stance_names
    L: list[str] = []
    named = len([k for k in s.speaker_stance if k is not None])
    unknown_quotes = sum(s.speaker_stance[None].values()) if None in s.speaker_stance else 0
    L += ["", "## Speakers", "", f"{named} speaker(s)" + (f" and {unknown_quotes} quote(s) whose speaker is unknown." if unknown_quotes else "."), ""]
    if s.chart_path is not None:
        L += [f"![Stance by speaker]({CHART_FILE})", ""]
    L += ["| speaker | affiliation | quotes | " + " | ".join(stance_names) + " |", "|---|---|---|" + "---|" * len(stance_names)]
    top = sorted(s.speaker_stance.items(), key=lambda kv: (-sum(kv[1].values()), kv[0] or ""))
    for name, c in top[:50]:
        aff = s.speaker_affiliation.get(name) if name is not None else None
        L.append(f"| {_md(name) if name is not None else '(speaker unknown)'} | {aff or '-'} | {sum(c.values())} | " + " | ".join(str(c.get(lab, 0)) for lab in stance_names) + " |")
    if len(top) > 50:
        L.append(f"| ... {len(top) - 50} more speakers | | | " + " | ".join("" for _ in stance_names) + " |")
    aff_note = "Affiliation comes from the quotekit speaker registry (`configs/speakers.yaml`)."
    if s.unregistered_quotes:
        aff_note += (f" {s.unregistered_quotes} quote(s) by {len(s.unregistered_speakers)} speaker(s) not in the registry have "
                     f"affiliation `other`, which therefore mixes registry speakers whose affiliation is 'other' with "
                     f"unregistered speakers.")
    if unknown_quotes:
        aff_note += f" Quotes whose speaker the annotator marked unknown ({unknown_quotes}) have speaker and affiliation null."
    L += ["", aff_note, ""]
    return L


def _review_counts(s: "BuildSummary") -> list[str]:
    """How many articles were adjudicated by a reviewer, agreed by several annotators, or annotated
    by one account (counted by the build, ``BuildSummary``; nothing when the summary lacks them)."""
    counts = {k: getattr(s, k, None) for k in ("adjudicated_articles", "agreed_articles", "disagreed_articles", "single_annotated_articles")}
    if counts["adjudicated_articles"] is None or counts["single_annotated_articles"] is None:
        return []
    parts = [f"{counts['adjudicated_articles']} adjudicated (a reviewer's final version from a `quotekit review` project, kept ahead of ground truth and latest)",
             f"{counts['agreed_articles']} annotated by several accounts whose versions agree (same quotes, boundaries, speakers, stance and kind)"]
    if counts["disagreed_articles"] is not None:
        parts.append(f"{counts['disagreed_articles']} annotated by several accounts that disagree and no reviewer settled (ground truth, else latest, kept)")
    parts.append(f"{counts['single_annotated_articles']} annotated by one account")
    return [f"Of the {s.articles} article(s): " + "; ".join(parts) + ".", ""]


def _section_process(c: "_Card") -> list[str]:
    """How the annotations were made and chosen; agreement."""
    s = c.summary
    L: list[str] = []
    L += [
        "## Annotation process",
        "",
        f"The dataset holds {_accounts_sentence(s)}, one kept annotation per article. "
        "The build reads the exports only: it cannot tell how an annotation was made (in the labeling screen, by correcting "
        "a pre-annotation, or submitted through the Label Studio API)"
        + ("; see Provenance notes." if s.provenance_notes else "; no provenance notes were supplied with this build."),
    ]
    unused = [a for a in s.annotators if a not in s.accounts]
    if unused and s.annotator_filter is None:
        L[-1] += (f" The input also holds annotations by {len(unused)} other account(s) ({', '.join(_account(a) for a in unused[:10])}) "
                  "that were not kept (only one annotation per task is; see below), used for agreement only.")
    L += _inputs(s)
    if s.annotator_filter is not None:
        others = [a for a in s.annotators if a not in s.accounts]
        L += ["", f"Annotator filter: only annotations by `{_md(s.annotator_filter)}` were used (`--annotator {_md(s.annotator_filter)}`); "
              f"{s.input_tasks_used} of the {s.tasks} task(s) in the input have one and are in the dataset"
              + (f"; annotations by {len(others)} other account(s) ({', '.join(_account(a) for a in others[:10])}) were left out." if others else ".")]
    L += [
        "",
        _provenance(s.model_versions, s.input_tasks_used),
        "",
        "Per task one annotation is kept: a ground-truth annotation if any, else the latest one that was not cancelled (across all export files). "
        "A submitted annotation with no region is kept as the judgement that the article quotes nobody (the article has an empty quote list); "
        "a task whose annotations were all cancelled (skipped by the annotator) is left out and counted as `cancelled`. "
        "When a speaker region has both a name picked from the registry list and a typed name that differ, the one the annotator acted on is kept "
        "(the typed name unless it is the untouched pre-annotation)"
        + (f"; {s.notes['speaker_conflict']} such conflict(s) were resolved." if s.notes.get("speaker_conflict") else "."),
    ]
    L += _superseded(s) + [""]
    L += _review_counts(s)
    ag = s.agreement
    if ag is not None and ag.tasks:
        scope = (f"computed over all annotators in the input, including those left out by `--annotator {_md(s.annotator_filter)}`"
                 if s.annotator_filter is not None else "computed over all annotators in the input")
        L += [f"Inter-annotator agreement on {ag.tasks} task(s) annotated by several people ({scope}; annotators: "
              f"{', '.join(_account(a) for a in ag.annotators)}):", "", "| measure | value |", "|---|---|"]
        L += [f"| {_md(k)} | {v} |" for k, v in ag.rows()]
        L += ["", "Quotes match when they overlap with a whitespace-token Jaccard >= 0.5 (one-to-one); speaker and stance agreement are computed on matched quotes. "
              f"The boundary-tolerant span F1 matches quotes whose start and end each lie within {ag.boundary_tolerance} whitespace token(s) of the other "
              "annotator's; Krippendorff's alpha (nominal) is computed over the groups of matched quotes, a quote some annotators did not mark "
              "counting as a missing value.", ""]
        if ag.least_agreed:
            L += [f"Least agreed articles (per article: the share of quotes two annotators agree on entirely, boundaries within "
                  f"{ag.boundary_tolerance} token(s), same speaker and stance; averaged over pairs of annotators):", "",
                  "| article | agreement | quotes per annotator | differences |", "|---|---|---|---|"]
            L += ["| " + " | ".join(_md(x) for x in row) + " |" for row in ag.least_agreed_rows()]
            L.append("")
    else:
        why = ag.not_compared() if ag is not None else None
        L += ["No task was annotated by several people: no agreement figures." + (f" {_md(why)}." if why else ""), ""]
    if ag is not None and ag.tasks and ag.not_compared():
        L += [f"Not compared: {_md(ag.not_compared())}.", ""]
    return L


def _section_provenance(c: "_Card") -> list[str]:
    """The --notes file, verbatim."""
    s = c.summary
    L: list[str] = []
    if s.provenance_notes:
        L += ["## Provenance notes", "", s.provenance_notes.rstrip("\n"), ""]
    return L


def _section_sources(c: "_Card") -> list[str]:
    """Outlets and publication dates."""
    s = c.summary
    outlets = c.outlets
    L: list[str] = []
    L += ["## Sources", "", "| outlet | articles |", "|---|---|"]
    outlets = _outlet_counts(s.outlets)
    for outlet, n in outlets:
        L.append(f"| {_md(outlet)} | {n} |")
    if s.date_range:
        L += ["", f"Publication dates: {s.dated_articles} of {s.articles} article(s) dated, from {s.date_range[0]} to {s.date_range[1]}."]
    else:
        L += ["", f"Publication dates: none of the {s.articles} article(s) is dated."]
    return L


def _section_skipped(c: "_Card") -> list[str]:
    """Items skipped or counted by the validation."""
    s = c.summary
    L: list[str] = []
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
    return L


def licence_text(outlets: list[tuple[str, int]]) -> str:
    """The licence paragraph (the card's Licence section and ``LICENSE.md``): annotations MIT, the
    article texts their outlets' (``outlets`` as :func:`_outlet_counts` gives them)."""
    known = [o for o, _ in outlets if o != UNKNOWN_OUTLET]
    unknown_articles = dict(outlets).get(UNKNOWN_OUTLET, 0)
    return ("The header says `license: other` because the dataset mixes two kinds of content under different terms. "
            "The annotations (offsets, ids, speakers, cues, kinds, affiliations and stance labels) are released under the MIT licence "
            "of the quotekit project. The article texts (`text`, `title`, `context` and each quote's `text`, an excerpt of the article) "
            "are not: they remain the property of their outlets"
            + (f" ({', '.join(_md(o) for o in known[:10])}{' ...' if len(known) > 10 else ''})" if known else "")
            + (f"; {unknown_articles} article(s) come from an unknown outlet" if unknown_articles else "")
            + ". They are included for research on quote attribution only; check each outlet's terms before redistributing them.")


def render_licence(summary: "BuildSummary") -> str:
    """``LICENSE.md`` of a build (the file ``license_link`` names)."""
    return f"# Licence\n\n{licence_text(_outlet_counts(summary.outlets))}\n"


def _section_licence(c: "_Card") -> list[str]:
    """Licence of annotations and texts, known limitations, the build mark."""
    s = c.summary
    outlets = c.outlets
    target = c.target
    L: list[str] = []
    known = c.known
    L += [
        "",
        "## Licence",
        "",
        licence_text(outlets),
        "",
        f"The same text is in `{LICENSE_FILE}`, which the header's `license_link` points to (`license_name: {LICENSE_NAME}`).",
        "",
        "## Known limitations",
        "",
    ]
    if s.articles < SMALL_CORPUS:
        L.append(f"- Small corpus: {s.articles} article(s) and {s.quotes} quote(s)"
                 + (f" from {len(known)} known outlet(s)" if known else "")
                 + "; the stance shares, speaker counts and splits rest on few texts and are not representative of the press.")
    L += [
        f"- Stance is judged towards one target ({_md(target) if target else 'the stance scheme default target'}), per quote, by few annotators; labels reflect their reading of the text.",
        "- Speaker names are canonicalised only through the registry (names and aliases); unregistered speakers keep the name as written and can appear under several spellings.",
        "- Quote-free articles are included: an article whose annotator submitted an empty annotation has an empty quote list "
        f"({s.articles_judged_no_quotes} such article(s) here); cancelled (skipped) tasks are not included.",
        *(["- Skipped quotes (see above) are missing from their articles: an article's quote list can be incomplete. Build with `--strict` for a dataset without skipped items."] if any(r not in INFO_REASONS for r in s.skipped) else []),
        *(["- Part of the input could not be read (see Incomplete input at the top): the tasks after the cut are missing."] if s.input_problems else []),
        "- `kind` defaults to direct when the span sits inside quotation marks, else indirect, when the annotator did not set it.",
        "- Splits are by article, not by outlet or date: quotes of one speaker appear in several splits.",
        "",
        f"{CARD_MARK}{s.toolkit_version}.",
        "",
    ]
    return L


#: The card's sections, in order: (name, renderer). A new section is one function and one line here.
SECTIONS: tuple[tuple[str, Any], ...] = (
    ("title", _section_title),
    ("load", _section_load),
    ("release", _section_release),
    ("conventions", _section_conventions),
    ("splits", _section_splits),
    ("stance", _section_stance),
    ("speakers", _section_speakers),
    ("process", _section_process),
    ("corrections", corrections_section),
    ("provenance", _section_provenance),
    ("sources", _section_sources),
    ("skipped", _section_skipped),
    ("licence", _section_licence),
)


def render_card(features: dict[str, Any], summary: "BuildSummary", split_rows: dict[tuple[str, str], int], split_bytes: dict[tuple[str, str], int] | None = None,
                changelog: Any = None) -> str:
    """The card: the YAML header, then each of :data:`SECTIONS` in order; ``changelog`` (a
    :class:`toolkit.dataset.changelog.Changelog`) for a ``--release`` build."""
    import yaml

    header = yaml.safe_dump(yaml_header(features, split_rows, split_bytes, summary), sort_keys=False, allow_unicode=True)
    s = summary
    card = _Card(features=features, summary=s, split_rows=split_rows, split_bytes=split_bytes,
                 stance_names=features["quotes"]["stance"].names,
                 target=s.stance_target.name if s.stance_target is not None else None,
                 outlets=_outlet_counts(s.outlets), changelog=changelog)
    L: list[str] = ["---", header.rstrip(), "---", ""]
    for _name, section in SECTIONS:
        L += section(card)
    return "\n".join(L)
