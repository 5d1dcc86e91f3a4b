"""The CLI shell: every command documented, --help fast (no heavy imports), errors on one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import typer.main

from toolkit.cli import app

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("spacy", "datasets", "label_studio_sdk", "pyarrow", "matplotlib", "trafilatura", "pandas", "torch")


def _commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


def test_every_command_has_help_text():
    root = typer.main.get_command(app)
    names = {" ".join(path) for path, _ in _commands(root)}
    assert {"ingest", "run"} <= names
    for path, cmd in _commands(root):
        assert (cmd.help or cmd.short_help or "").strip(), f"quotekit {' '.join(path)} has no help text"
        for param in cmd.params:
            if isinstance(param, click.Option) and param.name != "help":
                assert (param.help or "").strip(), f"quotekit {' '.join(path)} {param.opts[0]} has no help text"


def test_help_imports_no_heavy_library():
    code = ("import sys; from toolkit.cli import app; import typer.main; typer.main.get_command(app); "
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_usage_error_is_short_and_exit_2():
    r = subprocess.run([sys.executable, "-m", "toolkit", "ingest"], capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_version():
    r = subprocess.run([sys.executable, "-m", "toolkit", "--version"], capture_output=True, text=True, cwd=REPO)
    from toolkit import __version__
    assert r.returncode == 0 and r.stdout.strip() == __version__


def test_reuse_without_detach_is_refused_before_anything_starts(tmp_path):
    r = subprocess.run([sys.executable, "-m", "toolkit", "ls", "serve", "--reuse", "--data-dir", str(tmp_path / "ls")],
                       capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 2 and "--reuse goes with --detach" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "ls").exists()  # nothing installed, started or created


def test_main_job_reuses_a_running_server():
    from toolkit.commands.run import workflow

    steps = workflow(Path("raw"), Path("out"), Path("ds"), [], None, None, "p", True, 8080)
    serve = next(s for s in steps if s.name == "ls serve")
    assert {"--detach", "--reuse"} <= set(serve.argv)


def test_main_job_outside_the_repository_says_where_to_run_it(tmp_path):
    r = subprocess.run([sys.executable, "-m", "toolkit", "run", "--no-label-studio"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "run `quotekit run` from its root, or pass --corpus" in r.stderr
    assert not any(tmp_path.iterdir())  # nothing written


def test_main_job_passes_the_exports_provenance_notes_to_the_build(tmp_path):
    from toolkit.commands.run import workflow

    exports = tmp_path / "exports"
    exports.mkdir()
    export = exports / "x.json"
    export.write_text("[]", encoding="utf-8")
    build = lambda: next(s for s in workflow(Path("raw"), Path("out"), Path("ds"), [str(export)], None, None, "p", False, 8080) if s.name == "build")  # noqa: E731
    assert "--notes" not in build().argv
    (exports / "PROVENANCE.md").write_text("made by hand", encoding="utf-8")
    assert build().argv[-2:] == ("--notes", str(exports / "PROVENANCE.md"))
