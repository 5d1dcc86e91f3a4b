"""Placeholder: commands of this group are being written; ``register`` adds none yet."""

import typer


def register(app: typer.Typer) -> None:
    return None
