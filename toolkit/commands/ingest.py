"""``quotekit ingest``: raw files -> clean article records (JSONL)."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)


def ingest(
    inputs: list[Path] = typer.Argument(..., help="Files or folders of .txt, .html/.htm or .jsonl (records with at least 'text'). "
                                        "Inside folders, hidden files and folders (.name) and the output itself are not read."),
    output: Path = typer.Option(..., "-o", "--output", help="Output JSONL: one article record per line (written atomically; "
                                "never one of the inputs)."),
    no_clean: bool = typer.Option(False, "--no-clean", help="Remove no line (no chrome, caption, comment or headline removal). "
                                  "Always applied: CRLF/CR become LF, a leading BOM and the line breaks at the start and "
                                  "end are dropped, NUL characters are removed (Label Studio would draw every region after "
                                  "one a character off; counted and listed by --report); HTML is the extractor's text."),
    report: bool = typer.Option(False, "--report", help="List every removed line (file:line, kind, rule, text) on stderr, "
                                "also for inputs that failed or were skipped."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Skip unreadable, non-UTF-8, empty or invalid inputs (JSONL: "
                                  "the bad lines only), and count them."),
) -> None:
    """Turn raw news files into clean article records: title, outlet, date, body text."""
    import sys

    from rich.console import Console

    from toolkit.config import configs_note
    from toolkit.errors import BadInputError
    from toolkit.ingest import IngestStats, expand_inputs, ingest_files
    from toolkit.io import resolve_output, write_jsonl_atomic

    resolve_output(output)  # a symlink loop is refused before anything is read
    if output.is_dir():
        raise BadInputError(f"{output}: is a folder; -o takes a file name, e.g. -o {output / 'articles.jsonl'}")
    err = Console(stderr=True, soft_wrap=True)
    stats = IngestStats()
    removals = []
    files = expand_inputs(inputs, stats, output=output)  # before the output is opened: nothing to read, nothing written

    def take_failed():
        removals.extend(stats.failed_removals)
        stats.failed_removals.clear()

    def records():
        for res in ingest_files(files, clean=not no_clean, skip_bad=skip_bad, stats=stats):
            take_failed()
            removals.extend(res.removals)
            yield res.article.to_dict()
        take_failed()

    def print_report():
        take_failed()
        for r in removals:  # plain tab-separated lines, easy to grep or paste into a sheet
            lines = f"{r.line}-{r.end_line}" if r.end_line > r.line else str(r.line)
            sys.stderr.write(f"{r.source}:{lines}\t{r.kind}\t{r.rule}\t{r.text}\n")

    try:
        n = write_jsonl_atomic(output, records())
    except BadInputError:
        if report:
            print_report()
        raise
    if report:
        print_report()
    removed = ", ".join(f"{k} {v}" for k, v in stats.removed.items())
    if stats.removed_characters:  # named only when there are some (see toolkit.labelstudio.chars)
        chars = ", ".join(f"{label} {v}" for label, v in stats.removed_characters.items())
        removed += f"; removed characters: {chars}"
    err.print(f"Wrote {n} article(s) to {output} (removed lines: {removed}{configs_note('; ')}).", markup=False, highlight=False)
    for label, items in (("skipped bad input", stats.bad), ("ignored (other file types)", stats.ignored_files),
                         ("ignored (hidden files and folders)", stats.hidden),
                         ("not read (the output file itself)", stats.output_skipped),
                         ("renamed duplicate ids", stats.duplicate_ids)):
        if items:
            err.print(f"{len(items)} {label}:", markup=False, highlight=False)
            for item in items:
                err.print(f"  {item}", markup=False, highlight=False, soft_wrap=True)
