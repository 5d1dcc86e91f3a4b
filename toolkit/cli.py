"""The ``quotekit`` command: a thin typer app. Each command parses arguments, calls the library
and prints; the logic lives in the library. Heavy libraries (spaCy, datasets, the Label Studio
SDK) are imported inside the commands that need them, so ``quotekit --help`` stays fast.

Exit codes: 0 ok; 1 unexpected bug; 2 bad input or usage; 3 Label Studio unreachable or refused;
4 validation failed under ``--strict``.
"""

from __future__ import annotations

import sys

import typer

from toolkit.errors import QuotekitError

app = typer.Typer(
    name="quotekit",
    help="Quote attribution dataset toolkit: ingest -> preannotate -> Label Studio -> dataset.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from toolkit import __version__

        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True,
                                 callback=_print_version, expose_value=False),
) -> None:
    """Quote attribution dataset toolkit."""


def _register() -> None:
    from toolkit.commands import backend, corrections, dataset, evaluate, ingest, ls, preannotate, review, run, speakers

    for module in (ingest, preannotate, evaluate, corrections, speakers, ls, backend, dataset, review, run):
        module.register(app)


_register()


def main() -> None:
    """Console entry point: user errors become one line on stderr and an exit code."""
    import signal

    def _terminate(signum, frame):  # SIGTERM takes the Ctrl-C path: atomic writers clean up
        raise KeyboardInterrupt

    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)
    try:
        app()  # standalone: usage errors print a short message and exit 2
    except QuotekitError as exc:
        typer.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
