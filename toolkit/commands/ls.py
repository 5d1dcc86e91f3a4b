"""``quotekit ls ...``: the Label Studio round trip (serve, stop, token, config, push, pull).

Connection: ``--url``/``--api-key`` flags, else ``$LABEL_STUDIO_URL``/``$LABEL_STUDIO_API_KEY``,
else the server started with ``quotekit ls serve --detach`` in ``--data-dir``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

ls_app = typer.Typer(
    name="ls",
    help="Label Studio: run a local server, push pre-annotated tasks, pull annotations.",
    no_args_is_help=True,
)

_DATA_DIR_HELP = "Label Studio data dir (default .quotekit/labelstudio, or $QUOTEKIT_LS_DATA_DIR)."
_URL_HELP = "Label Studio URL (default $LABEL_STUDIO_URL, else the server of --data-dir)."
_KEY_HELP = "API token (default $LABEL_STUDIO_API_KEY, else the token of --data-dir). Never printed."


def _err(msg: str) -> None:
    typer.echo(msg, err=True)


def check_project_title(title: str | None) -> str | None:
    """The ``--project`` callback of every command: an empty or blank title is bad input (exit 2)
    before anything is sent (Label Studio would create a project with no title, which no later
    command can name). Leading and trailing whitespace is dropped, as Label Studio drops it when
    it stores a title (``' round 1 '`` would otherwise never be found again, and every push would
    create one more project)."""
    if title is None:
        return None
    if not title.strip():
        from toolkit.errors import BadInputError

        raise BadInputError(f"--project {title!r}: a project title cannot be empty or blank; "
                            "name the project, e.g. --project 'quotekit round 1'")
    return title.strip()


@ls_app.command("serve")
def serve(
    port: int = typer.Option(8080, "--port", "-p", help="Port on 127.0.0.1."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help=_DATA_DIR_HELP),
    detach: bool = typer.Option(False, "--detach", help="Start in the background and return; stop with `quotekit ls stop`."),
    host: Optional[str] = typer.Option(None, "--host", help="Ignored: the server binds to 127.0.0.1 only (a warning says so)."),
    timeout: float = typer.Option(300.0, "--timeout", help="Seconds to wait for /health."),
    reuse: bool = typer.Option(False, "--reuse", help="With --detach: when a server for the data dir is already running, use it (exit 0) instead of failing."),
) -> None:
    """Start Label Studio 1.23.2 (installed into its own venv on first use) on 127.0.0.1."""
    from toolkit.labelstudio import server
    from toolkit.labelstudio.client import mask_url

    if reuse and not detach:
        from toolkit.errors import BadInputError

        raise BadInputError("--reuse goes with --detach (a server in the foreground is always a new one)")

    if host and host not in ("127.0.0.1", "localhost"):
        _err(
            f"Warning: --host {host} ignored: quotekit binds Label Studio to 127.0.0.1 only "
            "(use an SSH tunnel or a reverse proxy to reach it from elsewhere)."
        )
    started = server.start(port=port, data_dir=data_dir, timeout=timeout, echo=_err, reuse=reuse)
    if started.reused:
        typer.echo(server.login_help(started.url, started.data_dir))
        typer.echo(f"  already running (pid {started.pid}): reused; stop it with `quotekit ls stop --data-dir {started.data_dir}`")
        if started.url != f"http://{server.LOOPBACK}:{port}":
            _err(f"Note: the running server listens at {mask_url(started.url)}, not on port {port}; push and pull find it through the data dir.")
        return
    typer.echo(server.login_help(started.url, started.data_dir) + f"\n  ready in {started.seconds:.0f} s")
    if detach:
        typer.echo(f"  running in the background (pid {started.pid}); stop it with `quotekit ls stop --data-dir {started.data_dir}`")
        return
    typer.echo("  press Ctrl-C to stop")
    code = server.run_foreground(started, echo=_err)
    if code:
        _err(f"Label Studio exited with code {code}; see {started.log}")
        raise typer.Exit(3)


@ls_app.command("install")
def install() -> None:
    """Install Label Studio 1.23.2 into its own venv (default .quotekit/ls-venv, or $QUOTEKIT_LS_VENV)."""
    from toolkit.labelstudio import server

    exe = server.ensure_installed(echo=_err)
    typer.echo(f"Label Studio {server.installed_version(exe.parent.parent)} ready: {exe}")


@ls_app.command("stop")
def stop(data_dir: Optional[Path] = typer.Option(None, "--data-dir", help=_DATA_DIR_HELP)) -> None:
    """Stop the server started with `quotekit ls serve --detach`."""
    from toolkit.labelstudio import server
    from toolkit.labelstudio.client import mask_url

    state = server.stop(data_dir)
    d = server.resolve_data_dir(data_dir)
    if state is None:
        typer.echo(f"No Label Studio server is running for {d}.")
    else:
        typer.echo(f"Stopped Label Studio at {mask_url(state.url)} (pid {state.pid}).")


@ls_app.command("token")
def token(data_dir: Optional[Path] = typer.Option(None, "--data-dir", help=_DATA_DIR_HELP)) -> None:
    """Print the API token of the server in --data-dir (for LABEL_STUDIO_API_KEY)."""
    from toolkit.errors import BadInputError
    from toolkit.labelstudio import server

    value = server.read_token(data_dir)
    if value is None:
        d = server.resolve_data_dir(data_dir)
        raise BadInputError(f"no API token in {d}: start the server once with `quotekit ls serve --data-dir {d}`")
    typer.echo(value)


@ls_app.command("config")
def config(
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here (default configs/label_config.xml)."),
    check: bool = typer.Option(False, "--check", help="Exit 4 if the file is not up to date; write nothing."),
) -> None:
    """Generate the labeling config from configs/ (stance.yaml, speakers.yaml)."""
    from toolkit.errors import ValidationFailed
    from toolkit.labelstudio import config as lsconfig

    path = output or lsconfig.default_config_path()
    xml = lsconfig.build_label_config()
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != xml:
            regen = "quotekit ls config" + (f" -o {output}" if output else "")
            raise ValidationFailed(f"{path} is out of date: regenerate it with `{regen}`")
        typer.echo(f"{path} is up to date.")
        return
    from toolkit.io import atomic_write_text

    atomic_write_text(path, xml)
    typer.echo(f"Wrote {path}")


@ls_app.command("push")
def push(
    source: Path = typer.Argument(..., help="JSONL of articles (article_id, text, title, outlet, date), with or without `quotes`."),
    project: str = typer.Option(..., "--project", help="Project title (created if missing).", callback=check_project_title),
    predictions: Optional[Path] = typer.Option(None, "--predictions", help="`quotekit preannotate` (or `python -m toolkit.scale`) output for these articles, joined by article_id; used instead of pre-annotating."),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline for pre-annotating records without `quotes`."),
    update: bool = typer.Option(False, "--update", help="Replace predictions of changed/outdated tasks; switch the project to this model_version."),
    batch_size: int = typer.Option(200, "--batch-size", min=1, max=1000, help="Tasks per import request."),
    model_version: Optional[str] = typer.Option(None, "--model-version", help="Override the predictions' model_version."),
    allow_foreign: bool = typer.Option(False, "--allow-foreign", help="Push into a project of another labeling config, replacing its config (refused by default)."),
    jobs: int = typer.Option(1, "--jobs", min=1, help="Pre-annotation worker processes."),
    order: str = typer.Option("input", "--order", help="Import order of new tasks: input (as in the file) or doubt "
                              "(the most doubtful pre-annotations first: task data 'doubt', 1 - lowest quote score x "
                              "share of quotes with a pre-filled stance)."),
    url: Optional[str] = typer.Option(None, "--url", help=_URL_HELP),
    api_key: Optional[str] = typer.Option(None, "--api-key", help=_KEY_HELP, show_default=False),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help=_DATA_DIR_HELP),
) -> None:
    """Import articles as tasks with pre-annotations (idempotent, resumable)."""
    from toolkit.labelstudio.client import connect
    from toolkit.labelstudio.push import push_file

    def preannotator(records: list[dict]):
        """Records that come without quotes are pre-annotated here, in the command layer."""
        from toolkit.pipeline import preannotate_records

        return preannotate_records(records, model=model, jobs=jobs)

    client = connect(url, api_key, data_dir)
    report = push_file(
        client,
        source,
        project,
        preannotator=None if predictions is not None else preannotator,
        update=update,
        batch_size=batch_size,
        model_version=model_version,
        echo=_err,
        predictions=predictions,
        allow_foreign=allow_foreign,
        order=order,
    )
    typer.echo(report.summary())


@ls_app.command("pull")
def pull(
    project: str = typer.Option(..., "--project", help="Project title.", callback=check_project_title),
    output: Path = typer.Option(..., "--output", "-o", help="New file to write, e.g. annotations/exports/round1.json."),
    allow_foreign: bool = typer.Option(False, "--allow-foreign", help="Pull a project whose labeling config is not "
                                       "quotekit's (refused by default, exit 2: build cannot read its annotations)."),
    url: Optional[str] = typer.Option(None, "--url", help=_URL_HELP),
    api_key: Optional[str] = typer.Option(None, "--api-key", help=_KEY_HELP, show_default=False),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help=_DATA_DIR_HELP),
) -> None:
    """Snapshot-export the annotated tasks (annotations + predictions) to a new JSON file."""
    from toolkit.labelstudio.client import connect
    from toolkit.labelstudio.pull import pull_export

    client = connect(url, api_key, data_dir)
    result = pull_export(client, project, output, echo=_err, allow_foreign=allow_foreign, data_dir=data_dir)
    typer.echo(result.summary())


def register(app: typer.Typer) -> None:
    app.add_typer(ls_app, name="ls")
