"""The CLI shell: every command documented, --help fast (no heavy imports), errors on one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
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


# --------------------------------------------------------------------------- --project and symlinked outputs (issue 19)


def _run(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "toolkit", *map(str, args)], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("title", ["", "   ", "\t"], ids=["empty", "spaces", "tab"])
@pytest.mark.parametrize("command", ["push", "pull"])
def test_an_empty_or_blank_project_title_is_refused_before_anything_is_sent(command, title, tmp_path):
    # no server runs: the title is refused in the command layer, before any connection
    args = ["ls", "push", tmp_path / "none.jsonl"] if command == "push" else ["ls", "pull", "-o", tmp_path / "x.json"]
    r = _run(*args, "--project", title, "--url", "http://127.0.0.1:9", "--api-key", "k")
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines() == [f"Error: --project {title!r}: a project title cannot be empty or blank; "
                                             "name the project, e.g. --project 'quotekit round 1'"]
    assert list(tmp_path.iterdir()) == []


def test_build_o_through_a_symlink_replaces_the_target_directory_and_keeps_the_link(tmp_path):
    """Symlinked outputs are FOLLOWED (toolkit.io.resolve_output): build -o LINK (LINK -> a
    directory) writes the dataset into the target, --force replaces the target, the link stays."""
    sys.path.insert(0, str(REPO / "tests"))
    from fixtures.lsexport import corpus

    export = tmp_path / "export.json"
    export.write_text(json.dumps(corpus(6)), encoding="utf-8")
    target, link = tmp_path / "store" / "ds", tmp_path / "ds-link"
    target.parent.mkdir()
    link.symlink_to(target, target_is_directory=True)  # dangling: the build creates the target
    r = _run("build", export, "-o", link)
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert (target / "README.md").is_file() and (link / "README.md").is_file()
    (target / "README.md").write_text((target / "README.md").read_text() + "\n", encoding="utf-8")  # an older build
    first = sorted(p.name for p in target.rglob("*"))
    r = _run("build", export, "-o", link, "--force")
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(target), "the link was replaced"
    assert sorted(p.name for p in target.rglob("*")) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds-link", "export.json", "store"]  # nothing left aside
    assert sorted(p.name for p in target.parent.iterdir()) == ["ds"]


@pytest.mark.parametrize("command", ["ingest", "preannotate"])
def test_jsonl_o_through_a_symlink_replaces_the_target_file_and_keeps_the_link(command, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"article_id": "a1", "text": "“We will win,” the minister said on Monday."}) + "\n",
                   encoding="utf-8")
    target, link = tmp_path / "store" / "out.jsonl", tmp_path / "out.jsonl"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")
    link.symlink_to(target)
    r = _run(command, src, "-o", link)
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text(encoding="utf-8").splitlines()[0])["article_id"] == "a1"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.jsonl"]  # no temporary file left


def test_an_output_symlink_that_loops_is_refused(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"article_id": "a1", "text": "The minister said it."}) + "\n", encoding="utf-8")
    loop = tmp_path / "loop.jsonl"
    loop.symlink_to(loop)
    r = _run("ingest", src, "-o", loop)
    assert r.returncode == 2 and "is a symbolic link that loops" in r.stderr and "Traceback" not in r.stderr
    assert loop.is_symlink()


# --------------------------------------------------------------------------- URLs fit to print (issue 19)


@pytest.mark.parametrize("url, shown", [
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("http://user:pw@ls.example.org/ls", "http://***@ls.example.org/ls"),
    ("https://user@host:8443", "https://***@host:8443"),
    ("http://us%40er:p%2Fw@host", "http://***@host"),
    ("http://user:p/w?x#y@host:1/a", "http://***@host:1/a"),  # unencoded / ? # in the password
    ("http://host/api?token=abc#frag", "http://host/api?***"),
    ("user:pw@host:8080", "***@host:8080"),
])  # fmt: skip
def test_mask_url_hides_credentials_and_query(url, shown):
    from toolkit.labelstudio.client import mask_url, mask_urls_in

    assert mask_url(url) == shown
    assert mask_urls_in(f"GET {url} 200") == f"GET {shown} 200" if "://" in url else True
    for secret in ("pw", "p/w", "token=abc", "us%40er"):
        if secret in url:
            assert secret not in mask_url(url)


def test_client_module_docstring_examples():
    import doctest

    import toolkit.labelstudio.client

    assert doctest.testmod(toolkit.labelstudio.client).failed == 0
