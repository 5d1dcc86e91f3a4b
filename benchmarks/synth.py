"""Synthetic Label Studio JSON export for benchmarking ``quotekit build`` at scale.

Writes a JSON array of tasks shaped like a Label Studio 1.23 export (``Export -> JSON``):
``{"id", "data": {text, article_id, title, outlet, date, text_sha256}, "annotations": [...],
"predictions": [...]}``, with result items named by :mod:`toolkit.labelstudio.names`. Every
quote is valid (nothing is skipped by the build), so the quote count of the dataset equals
``quotes``. Deterministic for a given seed. The file is streamed: memory stays flat.

Each article is a lead paragraph taken from the corpus texts (or a fixed filler) followed by
``per_article`` quote paragraphs, e.g. ``“<words>,” Hun Sen said.``: a QUOTE region (the
content), a SPEAKER region, a CUE region, per-region ``stance`` (and sometimes ``kind``)
choices, ``said_by`` and ``cue`` relations. About 1 quote in 20 has no speaker but the
``speaker unknown`` flag; 1 speaker in 10 is typed in ``speaker_new``; 1 task in 20 has a
second annotator's annotation (agreement); every task carries a prediction.

Usage::

    python benchmarks/synth.py --quotes 100000 -o /tmp/export-100k.json [--per-article 10]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Iterable

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from toolkit.labelstudio import names as N  # noqa: E402

FALLBACK_SPEAKERS = ["Hun Sen", "Sam Rainsy", "Kem Sokha", "Mu Sochua", "Phay Siphan", "Koy Kuong"]
FALLBACK_STANCE = ["favor", "against", "neutral"]
FILLER = (
    "The government said on Wednesday that it had prevented an alleged coup attempt by exiled "
    "opposition leaders, who had promised to return to the country on Independence Day."
)
CUES = ["said", "told reporters", "added", "wrote", "warned", "insisted"]
OUTLETS = ["Outlet A", "Outlet B", "Outlet C"]


def _registry_names() -> list[str]:
    try:
        from toolkit.config import load_registry

        reg = load_registry()
        names = [s.name for s in getattr(reg, "speakers", [])]
        return names or FALLBACK_SPEAKERS
    except Exception:  # the benchmark must not depend on the registry's shape
        return FALLBACK_SPEAKERS


def _stance_labels() -> list[str]:
    try:
        from toolkit.config import load_stance

        labels = list(getattr(load_stance(), "labels", []))
        return labels or FALLBACK_STANCE
    except Exception:
        return FALLBACK_STANCE


def _leads(texts: Iterable[str] | None) -> list[str]:
    leads = []
    for t in texts or []:
        para = t.strip().split("\n\n")[0].strip()
        if para:
            leads.append(para[:800])
    return leads or [FILLER]


def _rid(article_id: str, start: int, end: int, label: str) -> str:
    return label[0].lower() + hashlib.sha1(f"{article_id}\x1f{start}\x1f{end}\x1f{label}".encode()).hexdigest()[:9]


def _region(rid: str, start: int, end: int, text: str, label: str) -> dict:
    return {"id": rid, "from_name": N.LABELS, "to_name": N.TEXT, "type": "labels", "origin": "manual",
            "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]}}


def _choice(rid: str, start: int, end: int, text: str, from_name: str, choices: list[str]) -> dict:
    return {"id": rid, "from_name": from_name, "to_name": N.TEXT, "type": "choices", "origin": "manual",
            "value": {"start": start, "end": end, "text": text[start:end], "choices": choices}}


def _relation(a: str, b: str, label: str) -> dict:
    return {"type": "relation", "from_id": a, "to_id": b, "direction": "right", "labels": [label]}


def make_task(i: int, n_quotes: int, rng: random.Random, leads: list[str], speakers: list[str],
              stances: list[str], words: list[str]) -> dict:
    """Task number ``i`` (1-based) with ``n_quotes`` valid quotes."""
    article_id = f"synth-{i:07d}"
    parts = [leads[i % len(leads)]]
    pos = len(parts[0])
    spans: list[tuple[int, int, int, int, int, int]] = []  # quote, speaker, cue offsets
    for _ in range(n_quotes):
        content = " ".join(rng.choice(words) for _ in range(rng.randint(8, 30))).capitalize() + ","
        speaker = rng.choice(speakers)
        cue = rng.choice(CUES)
        para = f"“{content}” {speaker} {cue}."
        base = pos + 2  # after "\n\n"
        qs, qe = base + 1, base + 1 + len(content)
        ss = qe + 2
        se = ss + len(speaker)
        cs = se + 1
        ce = cs + len(cue)
        parts.append(para)
        pos = base + len(para)
        spans.append((qs, qe, ss, se, cs, ce))
    text = "\n\n".join(parts)
    items: list[dict] = []
    for qs, qe, ss, se, cs, ce in spans:
        qid, sid, cid = _rid(article_id, qs, qe, N.QUOTE), _rid(article_id, ss, se, N.SPEAKER), _rid(article_id, cs, ce, N.CUE)
        unknown = rng.random() < 0.05
        items.append(_region(qid, qs, qe, text, N.QUOTE))
        items.append(_choice(qid, qs, qe, text, N.STANCE, [rng.choice(stances)]))
        if rng.random() < 0.3:
            items.append(_choice(qid, qs, qe, text, N.KIND, ["direct"]))
        items.append(_region(cid, cs, ce, text, N.CUE))
        items.append(_relation(qid, cid, N.CUE_OF))
        if unknown:
            items.append(_choice(qid, qs, qe, text, N.QUOTE_FLAGS, [N.SPEAKER_UNKNOWN]))
        else:
            items.append(_region(sid, ss, se, text, N.SPEAKER))
            if rng.random() < 0.1:
                items.append({"id": sid, "from_name": N.SPEAKER_NEW, "to_name": N.TEXT, "type": "textarea", "origin": "manual",
                              "value": {"start": ss, "end": se, "text": [text[ss:se]]}})
            items.append(_relation(qid, sid, N.SAID_BY))
    stamp = f"2026-01-{1 + i % 28:02d}T10:00:00.000000Z"
    annotations = [{"id": i * 10, "completed_by": 1, "result": items, "was_cancelled": False, "ground_truth": False,
                    "created_at": stamp, "updated_at": stamp, "lead_time": 30.0, "task": i}]
    if i % 20 == 0:  # a second annotator, for agreement
        annotations.append({"id": i * 10 + 1, "completed_by": 2, "result": items, "was_cancelled": False,
                            "ground_truth": False, "created_at": stamp, "updated_at": stamp, "lead_time": 25.0, "task": i})
    return {
        "id": i,
        "data": {
            N.TEXT: text,
            "article_id": article_id,
            "title": f"Synthetic article {i}",
            "outlet": OUTLETS[i % len(OUTLETS)],
            "date": f"2019-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        },
        "annotations": annotations,
        "predictions": [{"id": i, "model_version": "quotekit-synthetic", "score": 0.5, "result": items[:2]}],
        "created_at": stamp,
        "updated_at": stamp,
    }


def write_export(path: str | Path, quotes: int, *, per_article: int = 10, seed: int = 0,
                 texts: Iterable[str] | None = None) -> dict:
    """Write the export; returns ``{"tasks", "quotes", "bytes"}``."""
    rng = random.Random(seed)
    leads = _leads(texts)
    words = [w.strip("“”\"',.;:()") for lead in leads for w in lead.split()]
    words = [w for w in words if w.isalpha()] or FILLER.split()
    speakers, stances = _registry_names(), _stance_labels()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tasks = 0
    left = quotes
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[\n")
        while left > 0:
            n = min(per_article, left)
            tasks += 1
            if tasks > 1:
                fh.write(",\n")
            fh.write(json.dumps(make_task(tasks, n, rng, leads, speakers, stances, words), ensure_ascii=False))
            left -= n
        fh.write("\n]\n")
    return {"tasks": tasks, "quotes": quotes, "bytes": path.stat().st_size}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quotes", type=int, required=True, help="number of quotes in the export")
    p.add_argument("--per-article", type=int, default=10, help="quotes per task (default 10)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--corpus", type=Path, default=REPO / "annotations" / "articles.jsonl",
                   help="JSONL articles whose lead paragraphs open the synthetic texts")
    p.add_argument("-o", "--output", type=Path, required=True)
    args = p.parse_args(argv)
    texts = []
    if args.corpus.is_file():
        texts = [json.loads(line).get("text", "") for line in args.corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    stats = write_export(args.output, args.quotes, per_article=args.per_article, seed=args.seed, texts=texts)
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
