"""Scale-out pre-annotation (toolkit.scale): the batch function, and Ray Data in local mode.

Ray is imported at module level on purpose: without the ``scale`` extra this file fails to
collect (an error, not a skip). Install it with ``pip install -e '.[scale]'``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import ray  # noqa: F401  (the engine must be installed: fail, never skip)

from toolkit.pipeline import preannotate_records
from toolkit.scale import OUTPUT_COLUMNS, annotate_batch, decode_row, run

ARTICLES = Path(__file__).resolve().parents[1] / "annotations" / "articles.jsonl"


def _records() -> list[dict]:
    return [json.loads(line) for line in ARTICLES.read_text(encoding="utf-8").splitlines() if line.strip()]


def _expected(records: list[dict]) -> list[dict]:
    """What `quotekit preannotate` produces, through the same JSON encoding."""
    out = []
    for res in preannotate_records(records):
        quotes = [q.to_dict() if hasattr(q, "to_dict") else q for q in res.get("quotes") or []]
        out.append(json.loads(json.dumps({"article_id": str(res["article_id"]), "quotes": quotes, "warnings": res.get("warnings") or []}, ensure_ascii=False)))
    return out


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return _records()


@pytest.fixture(scope="module")
def expected(records) -> list[dict]:
    return _expected(records)


def _columns(records: list[dict]) -> dict[str, list]:
    keys = sorted({k for r in records for k in r})
    return {k: [r.get(k) for r in records] for k in keys}


def test_annotate_batch_gives_what_preannotate_records_gives(records, expected):
    out = annotate_batch(_columns(records))
    assert set(out) == set(OUTPUT_COLUMNS)
    assert [decode_row(dict(zip(out, row))) for row in zip(*out.values())] == expected


def test_annotate_batch_finds_quotes_in_the_sample(expected):
    assert sum(len(r["quotes"]) for r in expected) > 0


def test_annotate_batch_accepts_numpy_columns_and_ignores_other_columns(records, expected):
    batch = {
        "article_id": np.array([r["article_id"] for r in records], dtype=object),
        "text": np.array([r["text"] for r in records], dtype=object),
        "outlet": np.array(["x"] * len(records), dtype=object),
    }
    out = annotate_batch(batch)
    assert out["article_id"] == [r["article_id"] for r in records]
    assert [json.loads(q) for q in out["quotes"]] == [e["quotes"] for e in expected]


def test_annotate_batch_keeps_order_and_row_count_of_a_reversed_batch(records, expected):
    out = annotate_batch(_columns(records[::-1]))
    assert out["article_id"] == [r["article_id"] for r in records[::-1]]
    assert [json.loads(q) for q in out["quotes"]] == [e["quotes"] for e in expected[::-1]]


def test_annotate_batch_of_nothing_is_an_empty_batch():
    assert annotate_batch({"article_id": [], "text": []}) == {c: [] for c in OUTPUT_COLUMNS}


def test_annotate_batch_without_text_column_says_what_is_needed():
    with pytest.raises(ValueError, match="'text'"):
        annotate_batch({"article_id": ["a1"]})


def test_ray_local_mode_writes_what_quotekit_preannotate_writes(tmp_path, records, expected):
    """Ray Data on 2 local CPUs, several batches, one JSONL in input order."""
    import ray

    source = tmp_path / "articles.jsonl"
    # three copies under distinct ids: more rows than one batch, so several tasks run
    many = [dict(r, article_id=f"{r['article_id']}-{i}") for i in range(3) for r in records]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in many), encoding="utf-8")
    out = tmp_path / "pre.jsonl"
    try:
        n = run(source, out, num_cpus=2, batch_size=4)
    finally:
        ray.shutdown()
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert n == len(many) == len(got)
    want = [dict(e, article_id=f"{e['article_id']}-{i}") for i in range(3) for e in expected]
    assert got == want
