"""``quotekit corrections EXPORT...`` (or ``--from-backend-log [LOG...]``): what annotators changed
in the pre-annotations (logic in :mod:`toolkit.corrections`; the ML backend's webhook log is read
by :mod:`toolkit.labelstudio.backend_log`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("corrections")(corrections)


def corrections(
    exports: Optional[List[Path]] = typer.Argument(None, help="Label Studio JSON export file(s) (e.g. from `quotekit ls pull`), or the ML backend's webhook log(s) (annotations.jsonl of `quotekit ls backend`).", show_default=False),
    from_backend_log: bool = typer.Option(False, "--from-backend-log", help="Read the ML backend's webhook log(s) given (none given: <backend data dir>/annotations.jsonl, i.e. $QUOTEKIT_BACKEND_DATA_DIR or .quotekit/backend): the annotations submitted in projects connected with `quotekit ls connect`, each in its latest version (a deleted one dropped), against the prediction Label Studio stored in it."),
    model_version: Optional[str] = typer.Option(None, "--model-version", help="Only annotations that started from predictions of this model_version."),
    as_json: bool = typer.Option(False, "--json", help="Also print the figures as one JSON object (last line)."),
    allow_foreign: bool = typer.Option(False, "--allow-foreign", help="Read exports of another labeling config too (no QUOTE region; refused by default, exit 2)."),
    chart: Optional[Path] = typer.Option(None, "--chart", help="Also write a PNG chart of where the edits go, by rule (stacked bars: kept, edited per field, deleted).", show_default=False),
) -> None:
    """Kept, edited (per field), deleted and added quotes against the pre-annotation each annotation
    started from; per rule, registry speaker and kind; stance confusion; annotation time."""
    from rich.console import Console
    from rich.table import Table

    from toolkit.corrections import check_comparable, corrections as count, corrections_from_backend_logs, write_chart
    from toolkit.errors import BadInputError
    from toolkit.labelstudio.backend_log import default_log_path, is_backend_log
    from toolkit.labelstudio.export import refuse_foreign_exports

    exports = list(exports or [])
    if from_backend_log and not exports:
        exports = [default_log_path()]
    if not exports:
        raise BadInputError("no input: pass Label Studio JSON exports (e.g. from `quotekit ls pull`), or --from-backend-log "
                            "for the ML backend's webhook log")
    for p in exports:
        if not p.is_file():
            raise BadInputError(f"{p}: file not found (pass Label Studio JSON exports, e.g. from `quotekit ls pull`, or the "
                                "ML backend's webhook log: `quotekit ls backend` writes it once an annotation is submitted)")
    logs = [p for p in exports if is_backend_log(p)]
    if from_backend_log and len(logs) < len(exports):
        other = next(p for p in exports if p not in logs)
        raise BadInputError(f"{other}: not the ML backend's webhook log (one JSON event per line); pass exports without --from-backend-log")
    if logs and len(logs) < len(exports):
        raise BadInputError(f"{logs[0]} is the ML backend's webhook log and {next(p for p in exports if p not in logs)} an "
                            "export: read them in two runs (an annotation in both would be counted twice)")
    if logs:
        report = corrections_from_backend_logs(logs, model_version=model_version)
    else:
        if not allow_foreign:
            refuse_foreign_exports(exports)
        report = count(exports, model_version=model_version)
    check_comparable(report, exports, model_version, backend_log=bool(logs))
    console = Console()
    table = Table(title="Corrections: the submitted annotations against the pre-annotations they started from")
    table.add_column("item")
    table.add_column("value", justify="right")
    for k, v in report.rows():
        table.add_row(k, v)
    console.print(table)
    d = report.to_dict()
    if d["by_rule"]:
        rules = Table(title="Per rule (proposals of each rule and what became of them)")
        for col in ("rule", "proposed", "kept", "edited", "deleted", "boundary", "speaker", "stance", "kind"):
            rules.add_column(col, justify="left" if col == "rule" else "right")
        for rule, t in sorted(d["by_rule"].items(), key=lambda kv: -kv[1]["proposed"]):
            rules.add_row(rule, *(str(t[c]) for c in ("proposed", "kept", "edited", "deleted", "boundary", "speaker", "stance", "kind")))
        console.print(rules)
    if len(d["by_model_version"]) > 1:
        versions = Table(title="Per model_version (the rule set that proposed them)")
        for col in ("model_version", "annotations", "proposed", "kept", "edited", "deleted"):
            versions.add_column(col, justify="left" if col == "model_version" else "right")
        for v, t in d["by_model_version"].items():
            versions.add_row(v, str(d["model_versions"].get(v, 0)), *(str(t[c]) for c in ("proposed", "kept", "edited", "deleted")))
        console.print(versions)
    if chart is not None:
        write_chart(d, chart)
        Console(stderr=True).print(f"Wrote the chart to {chart}", markup=False, highlight=False)
    if as_json:
        typer.echo(json.dumps(d, ensure_ascii=False))
