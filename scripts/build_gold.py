#!/usr/bin/env python3
"""Resolve hand-written gold quotes (a ``*.gold.yaml``) to character offsets.

Usage:
    python scripts/build_gold.py --articles ARTICLES.jsonl \
        [--gold annotations/gold/seeds.gold.yaml] -o annotations/gold/seeds.jsonl
    python scripts/build_gold.py --articles annotations/dev/articles.jsonl \
        --gold annotations/dev/dev.gold.yaml -o annotations/dev/dev.jsonl

ARTICLES.jsonl holds one record per line with ``article_id`` and ``text`` (the cleaned text from
``quotekit ingest``). For every gold article one JSON line is written:

    {"article_id": ..., "quotes": [{"start", "end", "text", "kind", "speaker", "speaker_mention",
      "speaker_start", "speaker_end", "cue_start", "cue_end", "stance"}, ...]}

with quotes sorted by ``start``; offsets are Python ``str`` offsets into ``text``. A quote's optional
``tags`` (a list of class names, e.g. the failure classes of the development suite) is copied to
its record; when the YAML has a top-level ``classes`` mapping, every tag must be one of its keys.

Resolution rules:
* quote ``text``: exact occurrence in the article. If it occurs several times, ``occurrence``
  (1-based) picks one; an optional ``context`` (a longer exact string that contains the quote text
  exactly once) narrows the candidates first, so the choice survives text above it being removed.
* ``speaker_mention`` and ``cue``: exact, case-sensitive, word-bounded occurrences outside the quote
  span (inside it when ``attribution_inside: true``); the one nearest to the quote wins, preferring
  occurrences in the quote's own paragraph, ties going to the one before the quote.
  ``speaker_mention``/``cue`` may be null (no speaker / no cue): offsets are then null.

Any quote, mention or cue not found, an ambiguous quote without ``occurrence``, an invalid field
or overlapping quotes is an error naming the article and quote: all errors are printed to stderr
and the exit status is 2. The output is written atomically (temp file + os.replace).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterable

import yaml

KINDS = ("direct", "indirect", "mixed")
STANCES = ("favor", "against", "neutral")
DEFAULT_GOLD = Path(__file__).resolve().parents[1] / "annotations" / "gold" / "seeds.gold.yaml"


class GoldError(Exception):
    """Raised with every resolution error found (one message per line)."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


def load_gold(path: str | os.PathLike) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            gold = yaml.safe_load(fh)
    except OSError as exc:
        raise GoldError([f"{path}: cannot read ({exc.strerror}); check --gold"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise GoldError([f"{where}: invalid YAML ({problem}); quote values that contain ': ' or start with a quotation mark"]) from None
    if not isinstance(gold, dict) or not isinstance(gold.get("articles"), dict):
        raise GoldError([f"{path}: expected a mapping with an 'articles' mapping"])
    classes = gold.get("classes")
    if classes is not None and not isinstance(classes, dict):
        raise GoldError([f"{path}: 'classes' must map each tag to its description"])
    return gold


def load_articles(path: str | os.PathLike) -> dict[str, str]:
    texts: dict[str, str] = {}
    if not os.path.isfile(path):
        raise GoldError([f"{path}: not found; make it with: quotekit ingest RAW_DIR -o {path}"])
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GoldError([f"{path}:{lineno}: not JSON ({exc.msg}); pass the JSON-lines output of quotekit ingest"]) from None
            try:
                texts[rec["article_id"]] = rec["text"]
            except KeyError as exc:
                raise GoldError([f"{path}:{lineno}: record without {exc.args[0]!r}"]) from None
    return texts


def _occurrences(text: str, needle: str) -> list[int]:
    out, i = [], text.find(needle)
    while i != -1:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def _bounded(text: str, needle: str) -> list[tuple[int, int]]:
    """Word-bounded, case-sensitive occurrences of ``needle`` as (start, end)."""
    pat = re.escape(needle)
    if re.match(r"\w", needle):
        pat = r"(?<!\w)" + pat
    if re.search(r"\w$", needle):
        pat = pat + r"(?!\w)"
    return [(m.start(), m.end()) for m in re.finditer(pat, text)]


def _paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    p_start = text.rfind("\n", 0, start) + 1
    p_end = text.find("\n", end)
    return p_start, (len(text) if p_end == -1 else p_end)


def _nearest(text: str, needle: str, q_start: int, q_end: int, inside: bool) -> tuple[int, int] | None:
    cands = _bounded(text, needle)
    if inside:
        cands = [(s, e) for s, e in cands if s >= q_start and e <= q_end]
    else:
        cands = [(s, e) for s, e in cands if e <= q_start or s >= q_end]
    if not cands:
        return None
    p_start, p_end = _paragraph(text, q_start, q_end)

    def key(c: tuple[int, int]) -> tuple[int, int, int]:
        s, e = c
        same_par = 0 if (s >= p_start and e <= p_end) else 1
        if inside:
            dist = s - q_start
        elif e <= q_start:
            dist = q_start - e
        else:
            dist = s - q_end
        after = 1 if s >= q_end else 0
        return (same_par, dist, after)

    return min(cands, key=key)


def _label(article_id: str, i: int, q: dict[str, Any]) -> str:
    text = str(q.get("text", ""))
    short = text if len(text) <= 70 else text[:67] + "..."
    return f"article {article_id}, quote #{i + 1} {short!r}"


def _locate_quote(text: str, q: dict[str, Any], where: str, errors: list[str]) -> int | None:
    qt = q["text"]
    context = q.get("context")
    if context is not None:
        if _occurrences(context, qt).__len__() != 1:
            errors.append(f"{where}: context must contain the quote text exactly once")
            return None
        offset = context.find(qt)
        cands = [c + offset for c in _occurrences(text, context)]
        what = "context"
    else:
        cands = _occurrences(text, qt)
        what = "quote text"
    if not cands:
        errors.append(f"{where}: {what} not found in the article text")
        return None
    occ = q.get("occurrence")
    if occ is None:
        if len(cands) > 1:
            errors.append(f"{where}: {what} occurs {len(cands)} times; set 'occurrence'")
            return None
        return cands[0]
    if not isinstance(occ, int) or isinstance(occ, bool) or not 1 <= occ <= len(cands):
        errors.append(f"{where}: occurrence {occ!r} out of range (1..{len(cands)})")
        return None
    return cands[occ - 1]


def resolve_article(
    article_id: str, text: str, quotes: Iterable[dict[str, Any]], errors: list[str], classes: Iterable[str] | None = None
) -> dict[str, Any]:
    known = None if classes is None else set(classes)
    out: list[dict[str, Any]] = []
    for i, q in enumerate(quotes or []):
        where = _label(article_id, i, q)
        if not isinstance(q, dict) or not isinstance(q.get("text"), str) or not q["text"]:
            errors.append(f"{where}: missing or empty 'text'")
            continue
        bad = False
        if q.get("kind") not in KINDS:
            errors.append(f"{where}: kind {q.get('kind')!r} not in {KINDS}")
            bad = True
        if q.get("stance") not in STANCES:
            errors.append(f"{where}: stance {q.get('stance')!r} not in {STANCES}")
            bad = True
        if not isinstance(q.get("speaker"), str) or not q["speaker"]:
            errors.append(f"{where}: missing 'speaker'")
            bad = True
        tags = q.get("tags")
        if tags is not None:
            if not isinstance(tags, list) or not tags or not all(isinstance(t, str) and t for t in tags):
                errors.append(f"{where}: 'tags' must be a non-empty list of class names")
                bad = True
            elif known is not None and set(tags) - known:
                errors.append(f"{where}: unknown tag(s) {sorted(set(tags) - known)}; add them under 'classes' or fix the spelling")
                bad = True
        start = _locate_quote(text, q, where, errors)
        if start is None or bad:
            continue
        end = start + len(q["text"])
        inside = bool(q.get("attribution_inside", False))
        spans: dict[str, tuple[int | None, int | None]] = {}
        for field in ("speaker_mention", "cue"):
            needle = q.get(field)
            if needle is None:
                spans[field] = (None, None)
                continue
            if not isinstance(needle, str) or not needle:
                errors.append(f"{where}: {field} must be a non-empty string or null")
                bad = True
                continue
            hit = _nearest(text, needle, start, end, inside)
            if hit is None:
                place = "inside" if inside else "outside"
                errors.append(f"{where}: {field} {needle!r} not found {place} the quote span")
                bad = True
                continue
            spans[field] = hit
        if bad:
            continue
        rec = {
            "start": start,
            "end": end,
            "text": q["text"],
            "kind": q["kind"],
            "speaker": None if q["speaker"] == "unknown" else q["speaker"],  # "marked unknown"
            "speaker_mention": q.get("speaker_mention"),
            "speaker_start": spans["speaker_mention"][0],
            "speaker_end": spans["speaker_mention"][1],
            "cue_start": spans["cue"][0],
            "cue_end": spans["cue"][1],
            "stance": q["stance"],
        }
        if tags is not None:
            rec["tags"] = list(tags)
        out.append(rec)
    out.sort(key=lambda r: (r["start"], r["end"]))
    for a, b in zip(out, out[1:]):
        if b["start"] < a["end"]:
            errors.append(
                f"article {article_id}: quotes overlap: {a['text'][:50]!r} [{a['start']}:{a['end']}] "
                f"and {b['text'][:50]!r} [{b['start']}:{b['end']}]"
            )
    return {"article_id": article_id, "quotes": out}


def build(gold: dict[str, Any], texts: dict[str, str]) -> list[dict[str, Any]]:
    """Resolve every gold article against ``texts``; raise GoldError listing all problems."""
    errors: list[str] = []
    records = []
    for article_id in sorted(gold["articles"]):
        if article_id not in texts:
            errors.append(f"article {article_id}: not in the articles file")
            continue
        records.append(resolve_article(article_id, texts[article_id], gold["articles"][article_id], errors, gold.get("classes")))
    if errors:
        raise GoldError(errors)
    return records


def write_jsonl_atomic(records: list[dict[str, Any]], out: str | os.PathLike) -> None:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", required=True, help="ARTICLES.jsonl with article_id and text")
    ap.add_argument("--gold", default=str(DEFAULT_GOLD), help="gold YAML (default: %(default)s)")
    ap.add_argument("-o", "--output", required=True, help="output JSONL")
    args = ap.parse_args(argv)
    try:
        records = build(load_gold(args.gold), load_articles(args.articles))
    except GoldError as exc:
        for msg in exc.messages:
            print(f"error: {msg}", file=sys.stderr)
        return 2
    write_jsonl_atomic(records, args.output)
    n = sum(len(r["quotes"]) for r in records)
    print(f"wrote {len(records)} articles, {n} quotes to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
