"""``quotekit build`` and ``quotekit agreement``: Label Studio exports -> Hugging Face dataset."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


ALLOW_FOREIGN_HELP = ("Read exports of another labeling config too (no QUOTE region, controls quotekit's config lacks: "
                      "a NER or classification project); refused by default (exit 2), as they would build into quote-free articles.")


def register(app: typer.Typer) -> None:
    app.command("build")(build)
    app.command("agreement")(agreement)


def build(
    exports: List[Path] = typer.Argument(..., help="Label Studio JSON export file(s), a review project's export among them (quotekit review: the reviewer's version wins). A task in several files: its adjudicated, else ground-truth, else latest, annotation wins (counted as superseded).", show_default=False),
    out: Path = typer.Option(..., "--out", "-o", help="Output dataset directory (parquet shards, README.md card, chart).", show_default=False),
    splits: str = typer.Option("0.8,0.1,0.1", "--splits", help="train,validation,test ratios; the split of an article is derived from a hash of its id."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 4) on the first invalid item instead of skipping and counting it."),
    annotator: Optional[str] = typer.Option(None, "--annotator", help="Use only this annotator's annotations: an e-mail (needs an export with completed_by expanded) or a numeric Label Studio user id."),
    force: bool = typer.Option(False, "--force", help="Replace the output directory when it holds a previous quotekit build (anything else is refused)."),
    push_to_hub: Optional[str] = typer.Option(None, "--push-to-hub", help="After building, upload the directory to this Hugging Face dataset repo (owner/name; needs `hf auth login` or HF_TOKEN).", metavar="REPO_ID"),
    release: Optional[str] = typer.Option(None, "--release", help="Release version (e.g. v1.0): written into the card with a changelog (also CHANGELOG.md); with --push-to-hub the Hub commit is tagged with it.", metavar="VERSION"),
    previous: Optional[Path] = typer.Option(None, "--previous", help="The previous quotekit build's directory: the changelog lists the articles and quotes added, removed and changed since it (needs --release; may be -o itself with --force).", metavar="DIR"),
    notes: Optional[Path] = typer.Option(None, "--notes", help="Markdown file included verbatim in the card under 'Provenance notes' (e.g. how the labels were made).", metavar="FILE"),
    registry: Optional[Path] = typer.Option(None, "--registry", help="Speaker registry YAML (default: configs/speakers.yaml)."),
    stance: Optional[Path] = typer.Option(None, "--stance", help="Stance scheme YAML (default: configs/stance.yaml)."),
    allow_foreign: bool = typer.Option(False, "--allow-foreign", help=ALLOW_FOREIGN_HELP),
) -> None:
    """Build a Hugging Face dataset (configs: articles, quotes) from Label Studio exports."""
    from rich.console import Console
    from rich.markup import escape

    from toolkit.dataset import build_dataset
    from toolkit.dataset import push_to_hub as push

    from toolkit.dataset.changelog import Release

    if previous is not None and release is None:
        from toolkit.errors import BadInputError

        raise BadInputError(f"--previous {previous}: needs --release VERSION (the version of this build, e.g. v2)")
    rel = Release(release, previous) if release is not None else None
    reg, st = load_configs(registry, stance)
    summary = build_dataset(exports, out, splits=splits, strict=strict, annotator=annotator, registry=reg, stance=st, force=force, hub_repo_id=push_to_hub, notes=notes, allow_foreign=allow_foreign, release=rel)
    console = Console()
    console.print(_table("quotekit build", summary.rows()))
    for msg in summary.input_problems:
        console.print(f"[yellow]Warning: input cut short, its remaining tasks are not in the dataset:[/yellow] {escape(msg)}", soft_wrap=True, highlight=False)
    if summary.issues:
        resolved = sum(summary.notes.values())
        console.print(f"[yellow]{sum(summary.skipped.values())} item(s) skipped[/yellow]"
                      + (f", {resolved} resolved (kept, see the reason)" if resolved else "") + "; first ones:")
        for reason, msg in summary.issues[:10]:
            console.print(f"  [{reason}] {msg}", markup=False, highlight=False, soft_wrap=True)
    if summary.agreement is not None and summary.agreement.tasks:
        console.print(_table("agreement", summary.agreement.rows()))
    if rel is not None and rel.changelog is not None:
        console.print(f"Release {rel.changelog.headline()}", markup=False, highlight=False, soft_wrap=True)
    console.print(f"Wrote {summary.out_dir} (card {summary.card_path})", markup=False, highlight=False)
    if push_to_hub:
        url = push(summary.out_dir, push_to_hub, release=release)
        console.print(f"Pushed to {url}" + (f", tagged {release}" if release else ""), markup=False, highlight=False)


def agreement(
    exports: List[Path] = typer.Argument(..., help="Label Studio JSON export file(s) with tasks annotated by several people.", show_default=False),
    stance: Optional[Path] = typer.Option(None, "--stance", help="Stance scheme YAML (default: configs/stance.yaml)."),
    registry: Optional[Path] = typer.Option(None, "--registry", help="Speaker registry YAML, to canonicalise speaker names (default: configs/speakers.yaml)."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    allow_foreign: bool = typer.Option(False, "--allow-foreign", help=ALLOW_FOREIGN_HELP),
) -> None:
    """Inter-annotator agreement: quote spans (F1: overlap, boundary-tolerant, exact), speakers, stance
    (Cohen / Fleiss kappa, Krippendorff's alpha), and the least agreed articles."""
    from toolkit.dataset import compute_agreement

    reg, st = load_configs(registry, stance)
    report = compute_agreement(exports, stance=st, registry=reg, allow_foreign=allow_foreign)
    if not report.input_tasks and report.input_problems:
        from toolkit.errors import BadInputError

        raise BadInputError(f"no task could be read: {report.input_problems[0]}; nothing to compare")
    if as_json:
        import json

        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    for msg in report.input_problems:
        console.print(f"[yellow]Warning: not read, so not compared:[/yellow] {escape(msg)}", soft_wrap=True, highlight=False)
    why = report.not_compared()
    if not report.tasks:
        problems = f" ({len(report.input_problems)} input problem(s) above)" if report.input_problems else ""
        console.print(f"No task was annotated by several people among the {report.input_tasks} task(s) read: nothing to compare{problems}."
                      + (f" {why}." if why else ""), highlight=False, soft_wrap=True)
        return
    console.print(_table("inter-annotator agreement", report.rows()))
    if report.least_agreed:
        console.print(_least_agreed_table(report))
    if why:
        console.print(f"Note: {why}.", highlight=False, soft_wrap=True)


def load_configs(registry: Optional[Path], stance: Optional[Path]):
    """The speaker registry and stance scheme (defaults when None); a config error is bad input (exit 2)."""
    from toolkit.config import ConfigError, load_registry, load_stance
    from toolkit.errors import BadInputError

    try:
        return load_registry(registry), load_stance(stance)
    except ConfigError as exc:
        raise BadInputError(str(exc)) from None


def _least_agreed_table(report):
    from rich.table import Table

    table = Table(title=f"least agreed articles (quotes agreed entirely, boundaries within {report.boundary_tolerance} token(s))")
    for col in ("article", "agreement", "quotes per annotator", "differences"):
        table.add_column(col)
    for row in report.least_agreed_rows():
        table.add_row(*row)
    return table


def _table(title: str, rows):
    from rich.table import Table

    table = Table(title=title)
    table.add_column("item")
    table.add_column("value", justify="right")
    for k, v in rows:
        table.add_row(k, v)
    return table
