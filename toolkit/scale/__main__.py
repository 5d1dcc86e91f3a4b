"""``python -m toolkit.scale IN.jsonl... -o OUT.jsonl [--model M] [--address auto]``: pre-annotation on Ray."""

from __future__ import annotations

import argparse
import sys
import time


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m toolkit.scale",
        description="Pre-annotate article JSONL files on Ray Data (local, or a cluster with --address).",
    )
    p.add_argument("inputs", nargs="+", help="JSONL article files or directories (local, or URIs every node can read, e.g. s3://...)")
    p.add_argument("-o", "--output", required=True, help="OUT.jsonl: the lines of `quotekit preannotate`, in input order")
    p.add_argument("--model", default=None, help="spaCy pipeline name or path (default: the blank English pipeline)")
    p.add_argument("--address", default=None, help="Ray cluster address, e.g. auto or ray://head:10001 (default: a local Ray)")
    p.add_argument("--num-cpus", type=int, default=None, help="CPUs of the local Ray (default: all)")
    p.add_argument("--batch-size", type=int, default=64, help="articles per batch (default 64)")
    p.add_argument("--verbose", action="store_true", help="show Ray's progress bars and worker logs")
    args = p.parse_args(argv)

    from toolkit.errors import QuotekitError
    from toolkit.scale import run

    t0 = time.perf_counter()
    try:
        n = run(args.inputs, args.output, model=args.model, address=args.address, num_cpus=args.num_cpus,
                batch_size=args.batch_size, quiet=not args.verbose)
    except QuotekitError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"pre-annotated {n} articles in {time.perf_counter() - t0:.1f} s -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
