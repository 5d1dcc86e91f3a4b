"""Every `quotekit ...` line in the README's and docs' shell blocks parses with the real CLI:
a renamed or removed option or command fails here, not in a user's terminal."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer.main

from toolkit.cli import app

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def documented_commands() -> list[tuple[str, str]]:
    out = []
    for path in DOCS:
        for block in re.findall(r"```(?:bash|sh|console)?\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
            for line in block.splitlines():
                line = line.split(" #")[0].strip()
                if line.startswith("quotekit "):
                    out.append((path.name, line))
    return out


def parse(line: str) -> None:
    """Resolve the (sub)command and parse its arguments as click would, without running it."""
    cmd, args, names = typer.main.get_command(app), shlex.split(line)[1:], ["quotekit"]
    while getattr(cmd, "commands", None) and args and args[0] in cmd.commands:  # typer ships its own click: no isinstance
        names.append(args[0])
        cmd = cmd.commands[args.pop(0)]
    if getattr(cmd, "commands", None):
        raise AssertionError(f"{line}: no such command {' '.join(names[1:] + args[:1])!r}")
    cmd.make_context(" ".join(names), args)


def test_the_docs_show_commands():
    assert len(documented_commands()) >= 15


@pytest.mark.parametrize("where, line", documented_commands())
def test_documented_command_parses(where, line, monkeypatch):
    monkeypatch.chdir(REPO)  # relative paths in the docs are relative to the repository root
    parse(line)


def test_a_wrong_option_is_caught():
    with pytest.raises(Exception, match="No such option: --predicitons"):
        parse("quotekit ls push articles.jsonl --predicitons p.jsonl")
    with pytest.raises(AssertionError, match="no such command 'ls pushh'"):
        parse("quotekit ls pushh articles.jsonl")
