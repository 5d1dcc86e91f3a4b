"""The layering of docs/architecture.md, checked on the source: which part may import which, and
no import cycle between modules (imports inside functions count too: a lazy import is still a
dependency)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "toolkit"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports() -> dict[str, set[str]]:
    """module -> the toolkit modules it imports (anywhere in the file)."""
    modules = {_module_name(p): p for p in PKG.rglob("*.py")}
    out: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for t in targets:
                if t.startswith("toolkit"):
                    # the longest known module the import names
                    while t and t not in modules:
                        t = t.rpartition(".")[0]
                    if t and t != name:
                        deps.add(t)
        out[name] = deps
    return out


IMPORTS = _imports()

#: part -> parts it must never import (see docs/architecture.md)
FORBIDDEN = {
    "toolkit.types": ("toolkit",),
    "toolkit.errors": ("toolkit",),
    "toolkit.core": ("toolkit.labelstudio", "toolkit.dataset", "toolkit.commands", "toolkit.cli", "toolkit.pipeline",
                     "toolkit.ingest", "toolkit.scale", "toolkit.evaluation", "toolkit.io", "toolkit.speakers_suggest"),
    "toolkit.labelstudio": ("toolkit.pipeline", "toolkit.dataset", "toolkit.commands", "toolkit.cli", "toolkit.scale",
                            "toolkit.evaluation", "toolkit.ingest"),
    "toolkit.dataset": ("toolkit.pipeline", "toolkit.commands", "toolkit.cli", "toolkit.scale", "toolkit.ingest"),
    "toolkit.ingest": ("toolkit.pipeline", "toolkit.dataset", "toolkit.commands", "toolkit.cli"),
    "toolkit.pipeline": ("toolkit.labelstudio", "toolkit.dataset", "toolkit.commands", "toolkit.cli"),
}


def _under(module: str, part: str) -> bool:
    return module == part or module.startswith(part + ".")


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_dependencies_point_inward(part):
    bad = []
    for module, deps in IMPORTS.items():
        if not _under(module, part):
            continue
        for dep in deps:
            if any(_under(dep, f) for f in FORBIDDEN[part]) and not _under(dep, part):
                bad.append(f"{module} imports {dep}")
    assert not bad, "; ".join(sorted(bad))


def test_only_the_command_layer_imports_commands():
    bad = [f"{m} imports {d}" for m, deps in IMPORTS.items() for d in deps
           if _under(d, "toolkit.commands") and not (_under(m, "toolkit.commands") or m == "toolkit.cli")]
    assert not bad, "; ".join(sorted(bad))


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle_between_modules():
    # a package's __init__ re-exporting its modules is not a cycle of concepts: leave packages out
    graph = {m: {d for d in deps if not (PKG / Path(*d.split(".")[1:]) / "__init__.py").exists()}
             for m, deps in IMPORTS.items()}
    assert _cycles(graph) == []
