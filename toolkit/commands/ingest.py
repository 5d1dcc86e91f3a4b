"""``quotekit ingest``: raw files -> clean article records (JSONL)."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)


def ingest(
    inputs: list[Path] = typer.Argument(..., help="Files or folders of .txt, .html/.htm or .jsonl (records with at least 'text')."),
    output: Path = typer.Option(..., "-o", "--output", help="Output JSONL: one article record per line (written atomically)."),
    no_clean: bool = typer.Option(False, "--no-clean", help="Keep the text as is: no chrome, caption or comment removal."),
    report: bool = typer.Option(False, "--report", help="List every removed line (file:line, kind, rule, text) on stderr."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Skip unreadable, non-UTF-8, empty or invalid inputs, and count them."),
) -> None:
    """Turn raw news files into clean article records: title, outlet, date, body text."""
    from rich.console import Console

    from toolkit.ingest import IngestStats, ingest_paths
    from toolkit.io import write_jsonl_atomic

    err = Console(stderr=True, soft_wrap=True)
    stats = IngestStats()
    removals = []

    def records():
        for res in ingest_paths(inputs, clean=not no_clean, skip_bad=skip_bad, stats=stats):
            removals.extend(res.removals)
            yield res.article.to_dict()

    n = write_jsonl_atomic(output, records())
    if report:
        import sys

        for r in removals:  # plain tab-separated lines, easy to grep or paste into a sheet
            lines = f"{r.line}-{r.end_line}" if r.end_line > r.line else str(r.line)
            sys.stderr.write(f"{r.source}:{lines}\t{r.kind}\t{r.rule}\t{r.text}\n")
    removed = ", ".join(f"{k} {v}" for k, v in stats.removed.items())
    err.print(f"Wrote {n} article(s) to {output} (removed lines: {removed}).", markup=False, highlight=False)
    for label, items in (("skipped bad input", stats.bad), ("ignored (other file types)", stats.ignored_files),
                         ("renamed duplicate ids", stats.duplicate_ids)):
        if items:
            err.print(f"{len(items)} {label}:", markup=False, highlight=False)
            for item in items:
                err.print(f"  {item}", markup=False, highlight=False, soft_wrap=True)
