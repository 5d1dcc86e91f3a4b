"""Export reader benchmark: the stdlib streaming reader (toolkit.labelstudio.export.stream) vs ijson.

Each reader reads every task of one synthetic Label Studio export (benchmarks/synth.py) in its own
process, rounds interleaved (old, new, old, new ...) so both see the same machine load. Reported
per reader: median CPU seconds and wall seconds of the read, and the peak RSS it added over the
process after its imports (flat memory = a few MB whatever the file size). Then both are given a
hostile file (one task, then brackets nested ``--depth`` deep) under a 3 GiB address-space limit.

Usage::

    .venv/bin/python benchmarks/export_reader.py --tasks 20000 [--rounds 5] [--export /tmp/e.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

READERS = ("stdlib", "ijson")


def _read(reader: str, path: str) -> tuple[int, str | None]:
    """Items read, and the problem that stopped the reading (None: read to the end)."""
    n = 0
    if reader == "stdlib":
        from toolkit.labelstudio.export import IssueLog, iter_json_items

        log = IssueLog()
        for _ in iter_json_items(path, log):
            n += 1
        return n, (log.messages[0][1].split("invalid JSON: ")[-1].split(";")[0] if log.total else None)
    import ijson

    try:
        with open(path, "rb") as fh:
            for _ in ijson.items(fh, "item", use_float=True):
                n += 1
    except ijson.JSONError as exc:
        return n, str(exc).splitlines()[0]
    return n, None


def child(reader: str, path: str) -> None:
    import toolkit.labelstudio.export  # noqa: F401 - both processes pay the same imports
    if reader == "ijson":
        import ijson  # noqa: F401
    before = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    try:
        n, error = _read(reader, path)
    except MemoryError:
        n, error = -1, "MemoryError (ran out of its 3 GiB)"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        n, error = -1, f"{type(exc).__name__}: {str(exc).splitlines()[0][:80]}"
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"items": n, "error": error, "wall": wall,
                      "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
                      "rss_mb": (after.ru_maxrss - before.ru_maxrss) / 1024}))


def run(reader: str, path: Path, limit_bytes: int | None = None) -> dict:
    def limit() -> None:
        if limit_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    proc = subprocess.run([sys.executable, __file__, "--child", reader, str(path)], capture_output=True, text=True,
                          preexec_fn=limit, cwd=REPO)
    if proc.returncode != 0:
        return {"items": -1, "error": f"exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1:] or ''}", "wall": 0, "cpu": 0, "rss_mb": 0}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", type=int, default=20000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--depth", type=int, default=100000, help="nesting depth of the hostile file (tests/test_bad_exports.py uses 100,000)")
    p.add_argument("--export", type=Path, help="existing export to read (default: a synthetic one in a temp dir)")
    p.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    try:
        import ijson
        backend = ijson.backend
    except ImportError:
        print("ijson is not installed: nothing to compare")
        return 1
    with tempfile.TemporaryDirectory() as d:
        path = args.export
        if path is None:
            from benchmarks.synth import write_export

            path = Path(d) / "export.json"
            write_export(path, args.tasks * 10, per_article=10)
        size = path.stat().st_size
        runs: dict[str, list[dict]] = {r: [] for r in READERS}
        for _ in range(args.rounds):
            for r in READERS:
                runs[r].append(run(r, path))
        print(f"export: {path.name}, {size / 1e6:.0f} MB; {args.rounds} interleaved rounds; ijson backend {backend}")
        print("| reader | tasks | CPU s (median) | wall s (median) | peak RSS added, MB (max) |")
        print("|---|---|---|---|---|")
        for r in READERS:
            rs = runs[r]
            items = {x["items"] for x in rs}
            print(f"| {r if r == 'stdlib' else 'ijson ' + backend} | {'/'.join(map(str, sorted(items)))} | "
                  f"{statistics.median(x['cpu'] for x in rs):.2f} | {statistics.median(x['wall'] for x in rs):.2f} | "
                  f"{max(x['rss_mb'] for x in rs):.0f} |")
        hostile = Path(d) / "deep.json"
        hostile.write_text('[{"id": 1, "data": {}}, ' + "[" * args.depth + "]" * args.depth + "]", encoding="utf-8")
        print(f"\nhostile file: one task, then brackets nested {args.depth} deep (3 GiB address-space limit)")
        for r in READERS:
            x = run(r, hostile, limit_bytes=3 << 30)
            print(f"- {r}: {x['items']} item(s) read, {x['error'] or 'no error'}, {x['cpu']:.2f} s CPU, +{x['rss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
