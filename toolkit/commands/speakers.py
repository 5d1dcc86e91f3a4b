"""``quotekit speakers suggest``: registry entries to add, from the pre-annotator's unresolved speakers
(a YAML snippet, :mod:`toolkit.speakers_suggest`) or from the speakers annotators named in Label
Studio exports (``--from-export``, ``--apply`` edits the registry: :mod:`toolkit.speakers_growth`)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

speakers_app = typer.Typer(help="Speaker registry helpers (configs/speakers.yaml).", no_args_is_help=True)


def mention_words() -> tuple[set[str], set[str]]:
    """(pronouns, titles + role and body nouns) from the pre-annotator's ``configs/mentions.yaml``."""
    from toolkit.pipeline import load_lexicons

    lex = load_lexicons().mentions
    return set(lex.pronouns), set(lex.titles) | set(lex.body_nouns) | set(lex.role_nouns)


@speakers_app.command("suggest")
def suggest_cmd(
    inputs: List[Path] = typer.Argument(..., show_default=False, metavar="ARTICLES.jsonl | EXPORT.json...",
                                        help="Articles JSON-lines (`quotekit ingest` output: article_id, text); with --from-export, "
                                             "Label Studio JSON export(s) (e.g. from `quotekit ls pull`)."),
    from_export: bool = typer.Option(False, "--from-export", help="Read Label Studio exports: the speakers annotators chose or typed that differ from the pre-annotation."),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline for the pre-annotator (default: blank English)."),
    min_count: int = typer.Option(1, "--min-count", min=1, help="Only speakers quoted at least this many times."),
    apply: bool = typer.Option(False, "--apply", help="With --from-export: write the suggestions (all, or those of --only) into the registry and print the diff."),
    only: Optional[str] = typer.Option(None, "--only", metavar="ID,...", help="With --apply: only these suggestions, by number (1,3 or 2-4) or by name (\"Hun Senn\")."),
    registry_path: Optional[Path] = typer.Option(None, "--registry", help="With --from-export: the registry to compare with and edit (default: configs/speakers.yaml)."),
    model_version: Optional[str] = typer.Option(None, "--model-version", help="With --from-export: only annotations that started from predictions of this model_version."),
    threshold: Optional[float] = typer.Option(None, "--threshold", min=0, max=100, help="With --from-export: fuzzy score (0-100) from which a name is a likely alias or misspelling of a registry entry (default 85, as the resolver's fuzzy step)."),
    allow_foreign: bool = typer.Option(False, "--allow-foreign", help="With --from-export: read exports of another labeling config anyway."),
    as_json: bool = typer.Option(False, "--json", help="With --from-export: also print the suggestions as one JSON object (last line)."),
) -> None:
    """Suggest registry entries, from the pre-annotator's output or from annotators' corrections.

    ARTICLES.jsonl: runs the pre-annotator and lists the speakers whose mention does not resolve to configs/speakers.yaml (pronouns and role nouns left out), with one or two example sentences, then prints entries to paste under `speakers:` (affiliation: other, marked TODO).

    --from-export EXPORT.json...: for every submitted annotation, the quotes whose speaker the annotator chose from the list or typed as a new name and that differ from the prediction the annotation started from (quotes matched as `quotekit corrections` matches them; added quotes count too). Grouped, with counts and one context each: numbered "likely alias or misspelling of <entry>" (the name, or the name without its titles, scores >= --threshold against a registry name or alias) and "new person"; not numbered, "changed to another registry speaker" (an attribution fix: nothing to add). Nothing is written without --apply.

    Review: read the numbered list, then run the same command again with --apply (every suggestion not marked "not applicable") or --apply --only 1,3 (just those; names work too, and stay the same when an --apply renumbers the rest). --apply inserts the aliases into their entries' alias lists and appends the new entries at the end of the list (affiliation: other, marked TODO), keeping the file's comments, order and layout; the edited file is loaded with the registry loader before it atomically replaces the old one, and the diff is printed. A second run finds nothing more to add.
    """
    from toolkit.errors import BadInputError

    if from_export:
        _suggest_from_exports(inputs, apply=apply, only=only, registry_path=registry_path, model_version=model_version,
                              threshold=threshold, allow_foreign=allow_foreign, as_json=as_json)
        return
    used = [flag for flag, on in (("--apply", apply), ("--only", only is not None), ("--registry", registry_path is not None),
                                  ("--model-version", model_version is not None), ("--allow-foreign", allow_foreign),
                                  ("--json", as_json), ("--threshold", threshold is not None)) if on]
    if used:
        raise BadInputError(f"{used[0]} works with --from-export only (quotekit speakers suggest --from-export EXPORT.json ...)")
    if len(inputs) != 1:
        raise BadInputError(f"pass one articles file (got {len(inputs)}); to read Label Studio exports add --from-export")
    _suggest_from_articles(inputs[0], model=model, min_count=min_count)


def _suggest_from_articles(articles: Path, *, model: Optional[str], min_count: int) -> None:
    """Unresolved named speakers of the pre-annotator's output, and a YAML snippet."""
    from rich.console import Console
    from rich.table import Table

    from toolkit.config import load_registry
    from toolkit.errors import BadInputError
    from toolkit.io import read_jsonl
    from toolkit.pipeline import preannotate_records
    from toolkit.speakers_suggest import suggest_speakers, to_yaml

    if not articles.exists():
        raise BadInputError(f"{articles}: file not found (pass the articles JSON-lines written by `quotekit ingest`)")
    records = [r for r in read_jsonl(articles) if isinstance(r.get("text"), str) and r.get("article_id") is not None]
    if not records:
        raise BadInputError(f"{articles}: no records with 'article_id' and 'text'")
    texts = {str(r["article_id"]): r["text"] for r in records}
    registry = load_registry()
    pronouns, titles = mention_words()
    preds = list(preannotate_records(records, model=model))
    suggestions = suggest_speakers(preds, texts, registry, pronouns=pronouns, titles=titles, min_count=min_count)

    console = Console()
    n_quotes = sum(len(p["quotes"]) for p in preds)
    if not suggestions:
        console.print(f"No unresolved named speakers in {len(records)} article(s), {n_quotes} quote(s): the registry covers them.")
        return
    table = Table(title=f"Unresolved speakers in {articles} ({len(records)} articles, {n_quotes} quotes)", show_lines=True)
    table.add_column("speaker", max_width=28, ratio=1)
    table.add_column("quotes", justify="right", no_wrap=True)
    table.add_column("articles", justify="right", no_wrap=True)
    table.add_column("examples", ratio=3)
    for s in suggestions:
        name = s.name + (f"\n[dim]also: {', '.join(s.aliases)}[/dim]" if s.aliases else "")
        table.add_row(name, str(s.count), str(len(s.articles)), "\n".join(s.examples))
    console.print(table)
    console.print(f"\n# Paste under `speakers:` in {registry.path or 'configs/speakers.yaml'}, then fix names and affiliations:")
    typer.echo(to_yaml(suggestions, registry))


def _suggest_from_exports(exports: List[Path], *, apply: bool, only: Optional[str], registry_path: Optional[Path],
                          model_version: Optional[str], threshold: Optional[float], allow_foreign: bool, as_json: bool) -> None:
    """``--from-export``: group the speakers annotators named, print them, and with ``--apply`` edit the registry."""
    import json

    from rich.console import Console

    from toolkit.config import configs_dir, load_registry, load_stance
    from toolkit.corrections import check_comparable, corrections
    from toolkit.errors import BadInputError
    from toolkit.labelstudio.export import refuse_foreign_exports
    from toolkit.speakers_growth import ALIAS_THRESHOLD, RegistryMatcher, apply_suggestions, group_changes, parse_only, speaker_changes, unified_diff

    if only is not None and not apply:
        raise BadInputError("--only picks the suggestions --apply writes: add --apply (without --apply nothing is written)")
    for p in exports:
        if not p.is_file():
            raise BadInputError(f"{p}: file not found (pass Label Studio JSON exports, e.g. from `quotekit ls pull`)")
    if not allow_foreign:
        refuse_foreign_exports(exports)
    path = registry_path or configs_dir() / "speakers.yaml"
    registry = load_registry(path)
    report = speaker_changes(exports, registry=registry, stance_labels=load_stance().labels, model_version=model_version)
    if report.unreadable or not report.annotations_compared:
        check_comparable(corrections(exports, model_version=model_version, registry=registry), exports, model_version)
    report.suggestions, report.registry_changes = group_changes(report.changes, RegistryMatcher(registry, mention_words()[1], threshold if threshold is not None else ALIAS_THRESHOLD))
    try:
        chosen = parse_only(only, report.suggestions) if apply else []
    except ValueError as exc:
        raise BadInputError(str(exc)) from None

    console = Console()
    _print_growth(console, report, path)
    d = report.to_dict()
    d["registry"] = str(path)
    d["applied"] = []
    if apply:
        if not chosen:
            console.print("Nothing to apply: no suggestion to add (the registry is unchanged).")
        else:
            old, new = apply_suggestions(path, chosen)
            if old == new:
                console.print(f"Nothing to apply: {path} already has every chosen addition (unchanged).")
            else:
                typer.echo(unified_diff(old, new, path), nl=False)
                d["applied"] = [s.id for s in chosen]
                console.print(f"Wrote {len(chosen)} suggestion(s) to {path}: set the affiliation of each new entry (marked TODO) and commit it.")
    elif report.suggestions:
        console.print(f"Nothing written. Review the list, then add --apply (all applicable) or --apply --only ID,... to write them into {path}.")
    if as_json:
        typer.echo(json.dumps(d, ensure_ascii=False))


def _print_growth(console, report, path: Path) -> None:
    """The numbered suggestions, then the changes to other registry speakers."""
    from rich.table import Table

    from toolkit.speakers_growth import ALIAS

    head = (f"{report.annotations_compared} annotation(s) compared with the prediction they started from, "
            f"{report.final_quotes} final quote(s); {len(report.changes)} with a speaker the annotator named differently")
    console.print(head)
    if report.suggestions:
        table = Table(title=f"Registry additions suggested for {path}", show_lines=True)
        for col, kw in (("#", {"justify": "right", "no_wrap": True}), ("name", {"ratio": 1}), ("suggestion", {"ratio": 1}),
                        ("quotes", {"justify": "right", "no_wrap": True}), ("proposed", {"ratio": 1}), ("context", {"ratio": 3})):
            table.add_column(col, **kw)
        for s in report.suggestions:
            if s.group == ALIAS:
                what = f"likely alias or misspelling of {s.entry}" + (f" (close to {s.close_to!r}, {s.score:g})" if s.close_to != s.entry or s.score != 100 else "")
            else:
                what = "new person" if s.kind == "person" else "new organisation"
                if s.variants:
                    what += f"\n[dim]also spelt: {', '.join(s.variants)}[/dim]"
            if s.blocked:
                what += f"\n[red]not applicable: {s.blocked}[/red]"
            proposed = ", ".join(f"{k} x{n}" for k, n in s.proposed.most_common(3))
            table.add_row(str(s.id), s.name, what, f"{s.count} ({len(s.tasks)} task(s))", proposed, f"{s.context}\n[dim]{s.where}[/dim]")
        console.print(table)
    if report.registry_changes:
        table = Table(title="Changed to another registry speaker (an attribution fix; nothing to add)", show_lines=True)
        for col in ("speaker chosen", "quotes", "proposed", "context"):
            table.add_column(col)
        for s in report.registry_changes:
            table.add_row(s.name, str(s.count), ", ".join(f"{k} x{n}" for k, n in s.proposed.most_common(3)), f"{s.context}\n[dim]{s.where}[/dim]")
        console.print(table)
    if not report.changes:
        console.print("No speaker named by an annotator differs from the pre-annotation: nothing to add to the registry.")


def register(app: typer.Typer) -> None:
    app.add_typer(speakers_app, name="speakers")
