"""``quotekit run``: the main job end to end, as a list of ordinary quotekit commands.

Like an explosion project workflow: each step is the command a user would type, so the
workflow shows how to use the toolkit and cannot drift from it. Derived files go to ``--out``
(default ``out/``) and the dataset to ``--dataset`` (default ``dist/dataset``); the committed
inputs (``annotations/``) are never modified.
"""

from __future__ import annotations

import glob
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import typer

from toolkit.commands.ls import check_project_title
from toolkit.errors import QuotekitError


@dataclass(frozen=True)
class Step:
    name: str
    argv: tuple[str, ...]
    why: str


def workflow(corpus: Path, out: Path, dataset: Path, exports: list[str], gold: Path | None, model: str | None,
             project: str, label_studio: bool, port: int) -> list[Step]:
    """The main job's steps, in order."""
    articles, preds = out / "articles.jsonl", out / "predictions.jsonl"
    model_args = ("--model", model) if model else ()
    steps = [
        Step("ingest", ("ingest", str(corpus), "-o", str(articles)), "raw files -> clean article records"),
        Step("preannotate", ("preannotate", str(articles), "-o", str(preds), *model_args),
             "quotes, cues, speakers and stance proposed by the heuristic pre-annotator"),
    ]
    if gold is not None and gold.exists():
        steps.append(Step("evaluate", ("evaluate", str(gold), str(preds)), "proposals scored against the gold file"))
    if label_studio:
        steps += [
            Step("ls serve", ("ls", "serve", "--detach", "--reuse", "--port", str(port)),
                 "local Label Studio (SQLite, 127.0.0.1; installed into its own venv on first use; "
                 "a server already running for the same data dir is reused)"),
            Step("ls push", ("ls", "push", str(articles), "--predictions", str(preds), "--project", project),
                 "the pre-annotated tasks imported (the corpus is pre-annotated once, above; "
                 "re-running imports nothing twice)"),
        ]
    if exports:
        # how the exports were made, for the dataset card (the build cannot tell from the exports)
        notes = Path(exports[0]).parent / "PROVENANCE.md"
        notes_args = ("--notes", str(notes)) if notes.is_file() else ()
        steps.append(Step("build", ("build", *exports, "-o", str(dataset), "--force", *notes_args),
                          "Hugging Face dataset from the committed Label Studio export"))
    return steps


def register(app: typer.Typer) -> None:
    app.command("run")(run)


def run(
    corpus: Path = typer.Option(Path("annotations/raw"), "--corpus", help="Raw articles to ingest."),
    out: Path = typer.Option(Path("out"), "--out", help="Folder for derived files (articles, predictions)."),
    dataset: Path = typer.Option(Path("dist/dataset"), "--dataset", help="Where the dataset is written (replaced)."),
    exports: str = typer.Option("annotations/exports/*.json", "--exports", help="Glob of Label Studio exports to build from."),
    gold: Path = typer.Option(Path("annotations/gold/seeds.jsonl"), "--gold", help="Gold file to score the proposals against."),
    model: str = typer.Option(None, "--model", help="Trained spaCy pipeline (default: blank English, no download)."),
    project: str = typer.Option("quotekit sample", "--project", help="Label Studio project title.", callback=check_project_title),
    label_studio: bool = typer.Option(True, "--label-studio/--no-label-studio", help="Start Label Studio and push the tasks."),
    port: int = typer.Option(8080, "--port", help="Label Studio port."),
) -> None:
    """Run the main job end to end: ingest, pre-annotate, evaluate, Label Studio push, dataset build."""
    if not corpus.exists():
        raise QuotekitError(f"{corpus}: no such file or folder. The defaults are relative to the quotekit repository: "
                            "run `quotekit run` from its root, or pass --corpus (and --exports, --gold) explicitly")
    export_files = sorted(glob.glob(exports))
    steps = workflow(corpus, out, dataset, export_files, gold, model, project, label_studio, port)
    t0 = time.monotonic()
    for i, step in enumerate(steps, start=1):
        typer.secho(f"\n[{i}/{len(steps)}] quotekit {' '.join(step.argv)}", bold=True, err=True)
        typer.echo(f"      {step.why}", err=True)
        rc = subprocess.call([sys.executable, "-m", "toolkit", *step.argv])
        if rc != 0:
            raise QuotekitError(f"step '{step.name}' failed (exit {rc}); fix what it printed above and re-run "
                                "`quotekit run` (every step is safe to re-run)", exit_code=rc)
    typer.secho(f"\nDone in {time.monotonic() - t0:.0f} s.", bold=True, err=True)
    typer.echo(f"  articles:    {out / 'articles.jsonl'}", err=True)
    typer.echo(f"  predictions: {out / 'predictions.jsonl'}", err=True)
    if export_files:
        typer.echo(f"  dataset:     {dataset}  (card: {dataset / 'README.md'})", err=True)
        typer.echo(f"  load it:     python -c 'import datasets; print(datasets.load_dataset(\"{dataset}\", \"quotes\"))'", err=True)
    if label_studio:
        typer.echo(f"  Label Studio: http://127.0.0.1:{port}  (project '{project}'; stop it with `quotekit ls stop`)", err=True)
