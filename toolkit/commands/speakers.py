"""``quotekit speakers suggest``: unresolved named speakers, as a YAML snippet for the registry."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

speakers_app = typer.Typer(help="Speaker registry helpers (configs/speakers.yaml).", no_args_is_help=True)


def mention_words() -> tuple[set[str], set[str]]:
    """(pronouns, titles + role and body nouns) from the pre-annotator's ``configs/mentions.yaml``."""
    from toolkit.pipeline import load_lexicons

    lex = load_lexicons().mentions
    return set(lex.pronouns), set(lex.titles) | set(lex.body_nouns) | set(lex.role_nouns)


@speakers_app.command("suggest")
def suggest_cmd(
    articles: Path = typer.Argument(..., help="Articles JSON-lines (`quotekit ingest` output: article_id, text)."),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline for the pre-annotator (default: blank English)."),
    min_count: int = typer.Option(1, "--min-count", min=1, help="Only speakers quoted at least this many times."),
) -> None:
    """Unresolved named speakers, with counts, examples and a YAML snippet for the registry.

    Runs the pre-annotator, lists the speakers whose mention does not resolve to
    configs/speakers.yaml (pronouns and role nouns left out) with one or two example sentences,
    then prints entries to paste under `speakers:` (affiliation: other, marked TODO).
    """
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


def register(app: typer.Typer) -> None:
    app.add_typer(speakers_app, name="speakers")
