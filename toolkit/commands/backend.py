"""``quotekit ls backend`` / ``ls backend stop`` / ``ls connect``: quotekit's pre-annotator as a
Label Studio model server (``toolkit.labelstudio.backend``), and connecting it to a project.

The backend runs the same pre-annotation as ``quotekit ls push`` (``toolkit.pipeline``), loaded
here in the command layer and handed to the backend's worker processes as a factory.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Optional

import typer

_BACKEND_DIR_HELP = "Backend data dir: backend.json, backend.log, annotations.jsonl (default .quotekit/backend, or $QUOTEKIT_BACKEND_DATA_DIR)."


def load_preannotator(model: str | None):
    """Called once in each backend worker process: the pipeline, loaded once, as a preannotator
    (records -> ``quotekit preannotate`` results), as ``ls push`` pre-annotates."""
    from toolkit.pipeline import load_pipeline, preannotate_records

    nlp = load_pipeline(None if model in (None, "", "blank") else model)
    return functools.partial(preannotate_records, nlp=nlp)


def preannotator_factory(model: str | None):
    """A picklable factory for the worker processes (:data:`toolkit.labelstudio.backend.PreannotatorFactory`)."""
    return functools.partial(load_preannotator, model)


def backend(
    action: Optional[str] = typer.Argument(None, metavar="[stop]", help="`stop`: stop the backend started with --detach (for --data-dir)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default; anything else "
                             "exposes the model server: set QUOTEKIT_BACKEND_USER/PASSWORD for basic auth)."),
    port: int = typer.Option(9090, "--port", "-p", help="Port."),
    model: str = typer.Option("blank", "--model", help="spaCy pipeline, as for `quotekit preannotate` (blank, or an installed one)."),
    model_version: Optional[str] = typer.Option(None, "--model-version", help="Override the predictions' model_version (as `ls push --model-version`)."),
    workers: int = typer.Option(2, "--workers", min=1, max=32, help="Worker processes (each pre-annotates one article at a time)."),
    article_timeout: float = typer.Option(30.0, "--article-timeout", min=1.0, help="Seconds for one article; then its worker is replaced and the task gets no prediction (a later retrieve asks again)."),
    max_text_chars: int = typer.Option(1_000_000, "--max-text-chars", min=1, help="Longest article text accepted."),
    request_deadline: float = typer.Option(90.0, "--request-deadline", min=1.0, help="Answer a request by then with what is done (Label Studio gives up at its ML_TIMEOUT_PREDICT, 100 s); the rest gets predictions at the next retrieve."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help=_BACKEND_DIR_HELP),
    detach: bool = typer.Option(False, "--detach", help="Start in the background, wait until the workers are ready, return; stop with `quotekit ls backend stop`."),
) -> None:
    """Run quotekit's pre-annotator as a Label Studio model server (connect it with `quotekit ls connect`); `ls backend stop` stops it."""
    if action is not None:
        if action != "stop":
            from toolkit.errors import BadInputError

            raise BadInputError(f"unknown action {action!r}: `quotekit ls backend` starts the backend, "
                                "`quotekit ls backend stop` stops it")
        return stop(data_dir)
    from toolkit.labelstudio import backend as B
    from toolkit.labelstudio.tasks import model_version as default_mv

    auth = B.auth_from_env()
    d = B.resolve_data_dir(data_dir)
    if host not in ("127.0.0.1", "localhost", "::1") and auth is None:
        typer.echo(f"Warning: listening on {host} without authentication: anyone who reaches this address can use the "
                   f"model server; set {B.USER_ENV} and {B.PASSWORD_ENV}.", err=True)
    url = B.url_of(host, port)
    if detach:
        B.check_port_free(host, port)
        args = ["--host", host, "--port", str(port), "--model", model, "--workers", str(workers),
                "--article-timeout", str(article_timeout), "--max-text-chars", str(max_text_chars), "--data-dir", str(d),
                "--request-deadline", str(request_deadline)]
        if model_version:
            args += ["--model-version", model_version]
        pid = B.start_detached(args, d, url, auth, workers)
        typer.echo(f"quotekit backend at {url} (pid {pid}, {workers} workers, model {model}); log: {d / B.LOG_FILE}\n"
                   f"  connect a project: quotekit ls connect --project TITLE --backend-url {url}\n"
                   f"  stop it: quotekit ls backend stop --data-dir {d}")
        return
    running = B.read_state(d)
    if running is not None:
        from toolkit.errors import ServerError

        raise ServerError(f"a quotekit backend for {d} is already running at {running['url']} (pid {running['pid']}); "
                          "stop it with `quotekit ls backend stop` or pass another --data-dir")
    settings = B.Settings(model_version=model_version or default_mv(), model=model, workers=workers,
                          article_timeout=article_timeout, max_text_chars=max_text_chars, data_dir=d, auth=auth,
                          request_deadline=request_deadline)
    typer.echo(f"quotekit backend starting at {url} ({workers} workers, model {model}, model_version "
               f"{settings.model_version}); Ctrl-C stops it", err=True)
    B.serve(settings, preannotator_factory(model), host, port)


def stop(data_dir: Path | None) -> None:
    """Stop the backend started with `quotekit ls backend --detach`."""
    from toolkit.labelstudio import backend as B

    state = B.stop(data_dir)
    if state is None:
        typer.echo(f"No quotekit backend is running for {B.resolve_data_dir(data_dir)}.")
    else:
        typer.echo(f"Stopped the quotekit backend at {state['url']} (pid {state['pid']}).")


def connect(
    project: str = typer.Option(..., "--project", help="Project title."),
    backend_url: Optional[str] = typer.Option(None, "--backend-url", help="URL of the backend as Label Studio reaches it (default: the one running for --backend-data-dir, else http://127.0.0.1:9090)."),
    backend_data_dir: Optional[Path] = typer.Option(None, "--backend-data-dir", help=_BACKEND_DIR_HELP),
    allow_foreign: bool = typer.Option(False, "--allow-foreign", help="Connect a project whose labeling config is not quotekit's (refused by default)."),
    url: Optional[str] = typer.Option(None, "--url", help="Label Studio URL (default $LABEL_STUDIO_URL, else the server of --data-dir)."),
    api_key: Optional[str] = typer.Option(None, "--api-key", help="API token (default $LABEL_STUDIO_API_KEY, else the token of --data-dir). Never printed.", show_default=False),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Label Studio data dir (default .quotekit/labelstudio, or $QUOTEKIT_LS_DATA_DIR)."),
) -> None:
    """Connect the quotekit backend to a project: tasks without predictions get them when opened and by Retrieve predictions."""
    from toolkit.commands.ls import check_project_title
    from toolkit.labelstudio import backend as B
    from toolkit.labelstudio.client import connect as ls_connect

    title = check_project_title(project)
    if backend_url is None:
        state = B.read_state(backend_data_dir)
        backend_url = state["url"] if state else B.url_of(B.DEFAULT_HOST, B.DEFAULT_PORT)
    client = ls_connect(url, api_key, data_dir)
    report = B.connect_project(client, title, backend_url, B.auth_from_env(), allow_foreign=allow_foreign)
    typer.echo(report.summary())


def register(app: typer.Typer) -> None:
    """Adds ``backend`` (``backend stop`` stops it) and ``connect`` to the ``ls`` group."""
    from toolkit.commands.ls import ls_app

    ls_app.command("backend")(backend)
    ls_app.command("connect")(connect)
