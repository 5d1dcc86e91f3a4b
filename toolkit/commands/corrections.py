"""``quotekit corrections EXPORT...``: what annotators changed in the pre-annotations (logic in
:mod:`toolkit.corrections`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("corrections")(corrections)


def corrections(
    exports: List[Path] = typer.Argument(..., help="Label Studio JSON export file(s) (e.g. from `quotekit ls pull`).", show_default=False),
    model_version: Optional[str] = typer.Option(None, "--model-version", help="Only annotations that started from predictions of this model_version."),
    as_json: bool = typer.Option(False, "--json", help="Also print the figures as one JSON object (last line)."),
    allow_foreign: bool = typer.Option(False, "--allow-foreign", help="Read exports of another labeling config too (no QUOTE region; refused by default, exit 2)."),
    chart: Optional[Path] = typer.Option(None, "--chart", help="Also write a PNG chart of where the edits go, by rule (stacked bars: kept, edited per field, deleted).", show_default=False),
) -> None:
    """Kept, edited (per field), deleted and added quotes against the pre-annotation each annotation
    started from; per rule, registry speaker and kind; stance confusion; annotation time."""
    from rich.console import Console
    from rich.table import Table

    from toolkit.corrections import check_comparable, corrections as count, write_chart
    from toolkit.errors import BadInputError
    from toolkit.labelstudio.export import refuse_foreign_exports

    for p in exports:
        if not p.is_file():
            raise BadInputError(f"{p}: file not found (pass Label Studio JSON exports, e.g. from `quotekit ls pull`)")
    if not allow_foreign:
        refuse_foreign_exports(exports)
    report = count(exports, model_version=model_version)
    check_comparable(report, exports, model_version)
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
