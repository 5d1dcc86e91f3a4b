"""``quotekit review``: disagreeing annotations -> a review project where a reviewer adjudicates."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from toolkit.commands.ls import _DATA_DIR_HELP, _KEY_HELP, _URL_HELP, check_project_title


def register(app: typer.Typer) -> None:
    app.command("review")(review)


def review(
    project: str = typer.Option(..., "--project", help="Title of the project whose disagreements are reviewed.", callback=check_project_title),
    review_project: Optional[str] = typer.Option(None, "--review-project", help="Title of the review project (default: '<project> (review)'; created if missing).", callback=check_project_title),
    exports: Optional[List[Path]] = typer.Option(None, "--export", help="Read this export of the project (repeatable) instead of exporting it now.", show_default=False),
    batch_size: int = typer.Option(200, "--batch-size", min=1, max=1000, help="Tasks per import request."),
    registry: Optional[Path] = typer.Option(None, "--registry", help="Speaker registry YAML (default: configs/speakers.yaml)."),
    stance: Optional[Path] = typer.Option(None, "--stance", help="Stance scheme YAML (default: configs/stance.yaml)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    url: Optional[str] = typer.Option(None, "--url", help=_URL_HELP),
    api_key: Optional[str] = typer.Option(None, "--api-key", help=_KEY_HELP, show_default=False),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help=_DATA_DIR_HELP),
) -> None:
    """Send tasks whose annotators disagree to a review project: every version as a prediction; build uses the reviewer's."""
    from toolkit.commands.dataset import load_configs
    from toolkit.dataset.disagreements import describe
    from toolkit.labelstudio.client import connect
    from toolkit.labelstudio.review import review_project as run

    reg, st = load_configs(registry, stance)
    client = connect(url, api_key, data_dir)
    report = run(client, project, review_project, describe, exports=exports, registry=reg, scheme=st,
                 echo=lambda m: typer.echo(m, err=True), batch_size=batch_size, data_dir=data_dir)
    if as_json:
        import json

        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        typer.echo(report.summary())
