"""``quotekit evaluate GOLD PRED``: score pre-annotations against gold (logic in :mod:`toolkit.evaluation`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List, Optional

import typer

KIND_LABELS = {"direct": "direct", "indirect": "indir+mixed", "all": "all"}
CAPTION = "ex = exact, ov = overlap (spans overlap, token Jaccard >= 0.5); spk acc over overlap matches; q+s = quote+speaker"
STANCE_CAPTION = (
    "conf only: gold quotes whose proposal is right in exact span, speaker and stance (the annotator only confirms); "
    "+choose: or right in span and speaker with the stance left empty; st cov: matched proposals with a pre-filled "
    "stance; st prec: right / pre-filled; stance acc: right / matched (an empty stance counts as wrong)"
)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}"


def render_report(report: dict[str, Any]) -> Any:
    """A rich Table of one :func:`toolkit.evaluation.evaluate` report (one row per kind group)."""
    from rich.table import Table

    stance_seen = any(m["stance_total"] for m in report["by_kind"].values())
    table = Table(
        title=f"{report.get('pred', 'PRED')} vs {report.get('gold', 'GOLD')}\n({report.get('format', '?')} gold; speakers compared by {report.get('speaker_comparison', 'canonical name')})",
        caption=CAPTION,
        box=None,
        show_edge=False,
        padding=(0, 0, 0, 1),
    )
    table.add_column("kind", no_wrap=True)
    table.add_column("gold", justify="right", min_width=5)
    table.add_column("pred", justify="right", min_width=5)
    for name in ("ex", "ov"):
        for col in ("P", "R", "F1"):
            table.add_column(f"{name}\n{col}", justify="right", min_width=5)
    table.add_column("spk\nacc", justify="right", min_width=5)
    table.add_column("q+s\nF1", justify="right", min_width=5)
    if stance_seen:
        table.add_column("stance\nacc", justify="right", min_width=5)
    for kind, m in report["by_kind"].items():
        row = [KIND_LABELS.get(kind, kind), str(m["n_gold"]), str(m["n_pred"])]
        for name in ("exact", "overlap"):
            row += [_pct(m[name]["precision"]), _pct(m[name]["recall"]), _pct(m[name]["f1"])]
        row.append(_pct(m["speaker_accuracy"]))
        row.append(_pct(m["quote_speaker"]["f1"]))
        if stance_seen:
            row.append(_pct(m["stance_accuracy"]))
        table.add_row(*row)
    return table


def render_stance(report: dict[str, Any]) -> Any:
    """A rich Table of the confirm-only share and the pre-filled stance figures (gold with a stance only)."""
    from rich.table import Table

    table = Table(title="what the annotator has left to do", caption=STANCE_CAPTION, box=None, show_edge=False, padding=(0, 0, 0, 1))
    table.add_column("kind", no_wrap=True)
    for col in ("gold", "conf\nonly", "+choose", "st\ncov", "st\nprec", "stance\nacc"):
        table.add_column(col, justify="right", min_width=5)
    for kind, m in report["by_kind"].items():
        table.add_row(
            KIND_LABELS.get(kind, kind), str(m["confirm_total"]), _pct(m["confirm_only_share"]), _pct(m["confirm_or_choose_share"]),
            _pct(m["stance_coverage"]), _pct(m["stance_precision"]), _pct(m["stance_accuracy"]),
        )
    return table


def render_losses(report: dict[str, Any]) -> Any:
    """A rich Table of where the confirm-only share is lost (``confirm_losses``: each gold quote with a
    stance counted once, at its first failing step), as shares of the gold quotes with a stance."""
    from rich.table import Table

    table = Table(title="where confirm-only is lost (share of gold quotes with a stance)", box=None, show_edge=False,
                  padding=(0, 0, 0, 1))
    table.add_column("kind", no_wrap=True)
    steps = ("missed", "speaker", "span", "stance_empty", "stance_wrong")
    for col in ("missed", "speaker\nwrong", "span\ninexact", "stance\nempty", "stance\nwrong", "conf\nonly"):
        table.add_column(col, justify="right", min_width=5)
    for kind, m in report["by_kind"].items():
        n = m["confirm_total"]
        if n:
            table.add_row(KIND_LABELS.get(kind, kind), *(_pct(m["confirm_losses"][k] / n) for k in steps),
                          _pct(m["confirm_only_share"]))
    return table


def render_tags(report: dict[str, Any]) -> Any:
    """A rich Table of the figures per gold class (``report["by_tag"]``: gold quotes that carry ``tags``)."""
    from rich.table import Table

    table = Table(
        title="per class (gold tags)",
        caption="R: gold quotes matched; q+s R: ... with the right speaker; ex R: ... with the exact span; "
                "spk / stance acc: over the matched (an empty stance is wrong); conf only: right in span, speaker and stance",
        box=None, show_edge=False, padding=(0, 0, 0, 1),
    )
    table.add_column("class", no_wrap=True)
    for col in ("gold", "R", "q+s\nR", "ex\nR", "spk\nacc", "stance\nacc", "conf\nonly"):
        table.add_column(col, justify="right", min_width=5)
    for tag, t in report.get("by_tag", {}).items():
        table.add_row(tag, str(t["n"]), _pct(t["recall"]), _pct(t["qs_recall"]), _pct(t["exact_recall"]),
                      _pct(t["speaker_accuracy"]), _pct(t["stance_accuracy"]), _pct(t["confirm_only_share"]))
    return table


def render_rules(report: dict[str, Any]) -> Any:
    """A rich Table of precision per ``rule`` (``report["by_rule"]``), most frequent rule first."""
    from rich.table import Table

    table = Table(
        title="precision per rule (all kinds)",
        caption="P: proposals of the rule overlap-matched to a gold quote; P+spk: ... with the right speaker",
        box=None, show_edge=False, padding=(0, 0, 0, 1),
    )
    table.add_column("rule", no_wrap=True)
    for col in ("n", "P", "P+spk"):
        table.add_column(col, justify="right", min_width=5)
    for rule, r in report.get("by_rule", {}).items():
        table.add_row(rule, str(r["n"]), _pct(r["precision"]), _pct(r["precision_speaker"]))
    return table


def article_notes(report: dict[str, Any]) -> list[str]:
    """One line per article-level problem (unknown ids in PRED, gold articles without predictions)."""
    arts = report["articles"]
    notes = [f"{arts['scored']} of {arts['gold']} gold articles scored."]
    if arts["unknown_in_pred"]:
        ids = ", ".join(arts["unknown_in_pred"][:5]) + (" ..." if len(arts["unknown_in_pred"]) > 5 else "")
        notes.append(f"{len(arts['unknown_in_pred'])} article id(s) in PRED are not in GOLD and were not scored: {ids}")
    if arts.get("error_records_in_pred"):
        errs = arts["error_records_in_pred"]
        notes.append(f"{len(errs)} record(s) in PRED are errors, not predictions (their gold quotes count as missed): "
                     + "; ".join(errs[:3]) + (" ..." if len(errs) > 3 else ""))
    if arts["missing_in_pred"]:
        ids = ", ".join(arts["missing_in_pred"][:5]) + (" ..." if len(arts["missing_in_pred"]) > 5 else "")
        notes.append(f"{len(arts['missing_in_pred'])} gold article(s) have no record in PRED (their quotes count as missed): {ids}")
    if arts.get("pred_offset_mismatches"):
        notes.append(
            f"{arts['pred_offset_mismatches']} predicted quote(s) have a 'text' that differs from the gold article text at their "
            "offsets: were the predictions made on another version of the articles?"
        )
    return notes


EXPORT_CAPTION = (
    "gold: the submitted annotations (ground truth, else the latest, as quotekit build chooses); all kinds. "
    "A stored version is what the annotators started from, so it gains from their anchoring: a new rule set "
    "that ties it on its articles is doing better than the figure says"
)


def render_exports(report: dict[str, Any]) -> Any:
    """A rich Table comparing today's pre-annotator with each stored ``model_version`` on the same
    articles (:func:`toolkit.evaluation.evaluate_exports`), all kinds together."""
    from rich.table import Table

    table = Table(title=f"pre-annotators against the submitted annotations of {', '.join(report['exports'])}",
                  caption=EXPORT_CAPTION, box=None, show_edge=False, padding=(0, 0, 0, 1))
    table.add_column("pre-annotator", no_wrap=True)
    for col in ("articles", "gold", "pred", "ov\nP", "ov\nR", "ov\nF1", "q+s\nF1", "spk\nacc", "stance\nacc", "conf\nonly"):
        table.add_column(col, justify="right", min_width=5)

    def row(name: str, articles: int, rep: dict[str, Any]) -> None:
        m = rep["by_kind"]["all"]
        table.add_row(name, str(articles), str(m["n_gold"]), str(m["n_pred"]), _pct(m["overlap"]["precision"]),
                      _pct(m["overlap"]["recall"]), _pct(m["overlap"]["f1"]), _pct(m["quote_speaker"]["f1"]),
                      _pct(m["speaker_accuracy"]), _pct(m["stance_accuracy"]), _pct(m["confirm_only_share"]))

    today = report["today"]["label"]
    row(today, report["articles"], report["today"]["report"])
    for version, v in report["by_model_version"].items():
        row(f"{version} (stored)", v["articles"], v["stored"])
        row(f"  {today.split(':')[0]} on the same articles", v["articles"], v["today"])
    return table


def register(app: typer.Typer) -> None:
    @app.command("evaluate")
    def evaluate_cmd(
        gold: Optional[Path] = typer.Argument(None, help="Gold JSON-lines: quotekit gold (annotations/gold/*.jsonl) or the PolNeAR export.", show_default=False),
        pred: Optional[Path] = typer.Argument(None, help="Predictions JSON-lines (output of `quotekit preannotate`).", show_default=False),
        fmt: str = typer.Option("auto", "--format", help="Gold format: auto, quotekit or polnear."),
        articles: Optional[Path] = typer.Option(None, "--articles", help="Articles JSON-lines with `text`, for gold files that do not carry the text."),
        exports: Optional[List[Path]] = typer.Option(None, "--export", help="Instead of GOLD PRED: a Label Studio JSON export (repeat for several); its submitted annotations are the gold, today's pre-annotator and the stored predictions (per model_version) are scored.", show_default=False),
        model: str = typer.Option("blank", "--model", help="With --export: the spaCy pipeline of today's pre-annotator, 'blank' (the default) or an installed one, as `quotekit preannotate --model`."),
        allow_foreign: bool = typer.Option(False, "--allow-foreign", help="With --export: read exports of another labeling config too (refused by default, exit 2)."),
        as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object instead of a table."),
    ) -> None:
        """Score predicted quotes against gold: exact and overlap P/R/F1, speaker accuracy,
        quote+speaker F1 and stance accuracy, for direct, indirect+mixed and all quotes; with a
        gold stance also the confirm-only share, stance coverage and pre-filled stance precision
        (an empty proposed stance is "not pre-filled"); and precision per pre-annotator rule.

        Overlap match: spans overlap and whitespace-token Jaccard >= 0.5 (one-to-one, best first).
        On PolNeAR the predicted speaker mention as written is compared with PolNeAR's source
        mention, and a speaker's quotes separated only by the attribution are merged first.

        With --export EXPORT.json (instead of GOLD PRED): the submitted annotations of real
        Label Studio exports are the gold; today's pre-annotator (--model) is run on the task
        texts and scored, and so is each model_version of the predictions stored in the export,
        on the same articles: a new rule set compared with the old one on real corrections.
        """
        from rich.console import Console

        from toolkit.evaluation import FORMATS, evaluate_files
        from toolkit.errors import BadInputError

        if exports:
            if gold is not None or pred is not None:
                raise BadInputError("pass either GOLD PRED or --export EXPORT.json, not both")
            _evaluate_exports(exports, model, allow_foreign, as_json)
            return
        if gold is None or pred is None:
            raise BadInputError("pass GOLD and PRED (JSON-lines), or --export EXPORT.json (a Label Studio export)")
        if fmt not in FORMATS:
            raise BadInputError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
        report = evaluate_files(gold, pred, fmt, articles)
        if as_json:
            typer.echo(json.dumps(report, ensure_ascii=False))
            return
        console = Console()
        console.print(render_report(report))
        if any(m["confirm_total"] for m in report["by_kind"].values()):
            console.print(render_stance(report))
            console.print(render_losses(report))
        if report.get("by_tag"):
            console.print(render_tags(report))
        if report.get("by_rule"):
            console.print(render_rules(report))
        for note in article_notes(report):
            console.print(note)


def _evaluate_exports(exports: List[Path], model: str, allow_foreign: bool, as_json: bool) -> None:
    from rich.console import Console

    from toolkit.errors import BadInputError
    from toolkit.evaluation import evaluate_exports
    from toolkit.labelstudio.export import refuse_foreign_exports

    for p in exports:
        if not p.is_file():
            raise BadInputError(f"{p}: file not found (pass Label Studio JSON exports, e.g. from `quotekit ls pull`)")
    if not allow_foreign:
        refuse_foreign_exports(exports)
    report = evaluate_exports(exports, model)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    console = Console()
    console.print(render_exports(report))
    today = dict(report["today"]["report"], pred=report["today"]["label"], gold="the submitted annotations", format="Label Studio export")
    console.print(render_report(today))
    if any(m["confirm_total"] for m in today["by_kind"].values()):
        console.print(render_stance(today))
    if today.get("by_rule"):
        console.print(render_rules(today))
    if report["defects"]:
        what = ", ".join(f"{k} x{n}" for k, n in sorted(report["defects"].items()))
        console.print(f"export defects skipped ({what}): `quotekit build` names them", markup=False, highlight=False)
