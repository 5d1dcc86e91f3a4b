"""``quotekit preannotate``: article records -> proposed quotes, speakers and stance (JSONL)."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("preannotate")(preannotate)


def preannotate(
    articles: Path = typer.Argument(..., help="Article records (JSONL, one {article_id, text} per line), e.g. from `quotekit ingest`."),
    output: Path = typer.Option(..., "-o", "--output", help="Output JSONL: one {article_id, quotes, warnings, text_sha256} line per article (written atomically)."),
    model: str = typer.Option("blank", "--model", help="spaCy pipeline: 'blank' (no download, the default) or an installed one such as en_core_web_sm."),
    jobs: int = typer.Option(1, "--jobs", min=1, help="Worker processes for spaCy (nlp.pipe n_process)."),
) -> None:
    """Propose quotes (direct, indirect, mixed), speakers, cues and stance with the heuristic rules."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from toolkit.config import configs_note
    from toolkit.core import RULESET_ID
    from toolkit.io import read_jsonl_numbered, write_jsonl_atomic
    from toolkit.pipeline import load_pipeline, preannotate_records

    err = Console(stderr=True, soft_wrap=True)
    bad_lines: list[str] = []
    numbered = list(read_jsonl_numbered(articles, errors=bad_lines))
    records = [rec for _no, rec in numbered]
    nlp = load_pipeline(None if model == "blank" else model)
    failed: list[str] = []
    n_quotes = 0

    def results():
        nonlocal n_quotes
        with Progress(TextColumn("preannotate"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True) as bar:
            task = bar.add_task("articles", total=len(records))
            for i, res in enumerate(preannotate_records(records, nlp=nlp, jobs=jobs)):
                if "error" in res:
                    failed.append(f"{articles}:{numbered[i][0]} ({res.get('article_id')!r}): {res['error']}")
                else:
                    n_quotes += len(res["quotes"])
                bar.advance(task)
                yield res

    n = write_jsonl_atomic(output, results())
    done = f"{n - len(failed)} article(s) pre-annotated" + (f", {len(failed)} not (error records written)" if failed else "")
    err.print(f"Wrote {n} line(s) to {output}: {done}, {n_quotes} proposed quote(s) (rules {RULESET_ID}, model {model}{_configs_used(nlp, configs_note)}).", markup=False, highlight=False)
    for label, items in (("skipped bad line(s)", bad_lines), ("article(s) not annotated", failed)):
        if items:
            err.print(f"{len(items)} {label}:", markup=False, highlight=False)
            for item in items:
                err.print(f"  {item}", markup=False, highlight=False)


def _configs_used(nlp, configs_note) -> str:
    """The summary's configs note: a saved pipeline's own copy when it carries one (it ignores
    ``QUOTEKIT_CONFIGS``), else the configs dir in use when it is not the repository's."""
    from toolkit.config import configs_dir
    from toolkit.pipeline import quote_component

    comp = quote_component(nlp)
    source = getattr(comp, "source", None)
    if source is not None and source.resolve() != configs_dir().resolve():
        return f", configs {source}"
    return configs_note()
