"""What a build found, accumulated while it reads the exports: the build feeds a
:class:`BuildSummary`, the card (``toolkit.dataset.card``) and the CLI summary table read it.
Neither the build nor the card imports the other for it (one direction: build -> card -> summary).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.dataset.agreement import AgreementReport


@dataclass
class BuildSummary:
    out_dir: Path | None = None
    articles: int = 0
    quotes: int = 0
    tasks: int = 0
    articles_no_quotes: int = 0  # articles kept with an empty quote list
    articles_judged_no_quotes: int = 0  # ... because their annotation is empty: "nobody is quoted here"
    speakers: Counter = field(default_factory=Counter)  # speaker (None = unknown) -> quotes
    stance: Counter = field(default_factory=Counter)  # stance label -> quotes
    speaker_stance: dict[Any, Counter] = field(default_factory=dict)
    speaker_affiliation: dict[str, str] = field(default_factory=dict)
    unregistered_speakers: set[str] = field(default_factory=set)
    unregistered_quotes: int = 0
    splits: dict[str, dict[str, int]] = field(default_factory=dict)  # split -> {"articles", "quotes"}
    ratios: tuple[float, float, float] = (0.8, 0.1, 0.1)
    skipped: Counter = field(default_factory=Counter)  # reason -> count
    notes: Counter = field(default_factory=Counter)  # counted resolutions, nothing skipped (e.g. speaker_conflict)
    issues: list[tuple[str, str]] = field(default_factory=list)  # first (reason, message) pairs
    outlets: Counter = field(default_factory=Counter)
    date_range: tuple[str, str] | None = None
    annotators: list[str] = field(default_factory=list)
    model_versions: dict[str, int] = field(default_factory=dict)
    agreement: AgreementReport | None = None
    card_path: Path | None = None
    chart_path: Path | None = None
    toolkit_version: str = ""
    hub_repo_id: str | None = None
    # what the data holds, for a factual card
    annotator_filter: str | None = None  # --annotator, when given
    accounts: Counter = field(default_factory=Counter)  # Label Studio account of the kept annotation -> articles (None = no completed_by)
    input_tasks_used: int = 0  # tasks of the input that are in the dataset (one kept annotation each)
    dated_articles: int = 0
    quotes_with_speaker_inside: int = 0  # quote span contains its own speaker mention
    quotes_with_cue_inside: int = 0  # quote span contains its own cue
    input_problems: list[str] = field(default_factory=list)  # files that could not be read to the end
    stance_target: Any = None  # toolkit.config.StanceTarget of the scheme's default target
    provenance_notes: str | None = None  # --notes FILE, verbatim Markdown
    provenance_notes_file: str | None = None
    inputs: list[dict[str, Any]] = field(default_factory=list)  # per export file: {"file", "tasks" read, "kept" annotations}
    superseded: Counter = field(default_factory=Counter)  # (file kept from, file set aside from) -> tasks
    account_scopes: int = 1  # groups of files whose integer user ids are comparable (1: all of them)
    same_account_tasks: int = 0  # tasks where one account has several live annotations (not compared)
    # how each article's annotation was settled (toolkit.dataset.disagreements.AnnotationStatus); they sum to articles
    adjudicated_articles: int = 0  # a reviewer's version from a `quotekit review` project
    agreed_articles: int = 0  # several accounts annotated it and their versions do not differ
    disagreed_articles: int = 0  # several accounts differ and no reviewer settled it (ground truth, else latest, kept)
    single_annotated_articles: int = 0  # one account annotated it
    # what annotators kept of the pre-annotation (toolkit.corrections.card_figures), None when the tasks carry no prediction
    corrections: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (``None`` speaker as ``"(unknown)"``)."""
        return {
            "out_dir": str(self.out_dir) if self.out_dir else None,
            "articles": self.articles,
            "articles_no_quotes": self.articles_no_quotes,
            "articles_judged_no_quotes": self.articles_judged_no_quotes,
            "quotes": self.quotes,
            "adjudicated_articles": self.adjudicated_articles,
            "agreed_articles": self.agreed_articles,
            "disagreed_articles": self.disagreed_articles,
            "single_annotated_articles": self.single_annotated_articles,
            "speakers": {("(unknown)" if k is None else k): v for k, v in self.speakers.most_common()},
            "stance": dict(self.stance),
            "splits": self.splits,
            "skipped": dict(self.skipped),
            "notes": dict(self.notes),
            "input_problems": self.input_problems,
            "inputs": self.inputs,
            "superseded": [{"kept_from": k, "set_aside_from": a, "tasks": n} for (k, a), n in sorted(self.superseded.items())],
            "account_scopes": self.account_scopes,
            "annotator_filter": self.annotator_filter,
            "accounts": {("(none)" if k is None else k): v for k, v in self.accounts.most_common()},
            "annotators": self.annotators,
            "model_versions": self.model_versions,
            "agreement": self.agreement.to_dict() if self.agreement else None,
            "corrections": self.corrections,
            "card_path": str(self.card_path) if self.card_path else None,
            "chart_path": str(self.chart_path) if self.chart_path else None,
        }

    def rows(self) -> list[tuple[str, str]]:
        """``(item, value)`` rows for a summary table."""
        out = [
            ("articles", str(self.articles)),
            ("articles with no quotes", str(self.articles_no_quotes)
             + (f" ({self.articles_judged_no_quotes} annotated as quote-free)" if self.articles_judged_no_quotes else "")),
            ("quotes", str(self.quotes)),
            ("speakers", str(len([s for s in self.speakers if s is not None]))),
        ]
        if self.adjudicated_articles or self.agreed_articles or self.disagreed_articles:
            out.append(("articles: adjudicated / agreed / disagreed / single-annotated",
                        f"{self.adjudicated_articles} / {self.agreed_articles} / {self.disagreed_articles} / {self.single_annotated_articles}"))
        out += [(f"stance {k}", str(v)) for k, v in self.stance.items()]
        out += [(f"split {k}", f"{v['articles']} articles, {v['quotes']} quotes") for k, v in self.splits.items()]
        out += [(f"skipped: {k}", str(v)) for k, v in sorted(self.skipped.items())]
        out += [(f"resolved: {k}", str(v)) for k, v in sorted(self.notes.items())]
        if len(self.inputs) > 1:
            out += [(f"input {i['file']}", f"{i['tasks']} tasks read, {i['kept']} annotations kept") for i in self.inputs]
        if self.account_scopes > 1:
            out.append(("account scopes", f"{self.account_scopes} (integer user ids labelled per file)"))
        if self.annotator_filter is not None:
            out.append(("annotator filter", f"--annotator {self.annotator_filter}"))
        out += [("input cut short", problem_file(m)) for m in self.input_problems]
        return out


def problem_file(message: str) -> str:
    """The file named at the start of an ``invalid_json`` message (``<file>: invalid JSON: ...``)."""
    return message.split(": invalid JSON", 1)[0]
