"""One declared schema for a quote (toolkit.types.Quote), and round-trip identity through every
adapter: Doc -> JSON line -> Label Studio task -> export -> dataset row gives back the same quote."""

from __future__ import annotations

import dataclasses
import json

import pyarrow.parquet as pq
import pytest

from toolkit.types import QUOTE_COLUMNS, QUOTE_DATASET_FIELDS, QUOTE_FIELD_NAMES, STANCE_TARGET, Quote, quote_shape_error


def test_every_derived_shape_follows_the_declaration():
    from toolkit.dataset.features import build_features, describe
    from toolkit.labelstudio.export import QuoteRecord

    features = build_features(["favor", "against", "neutral"])
    dataset_names = [name for name, _ in QUOTE_DATASET_FIELDS]
    # the dataset's quote columns: quote_id, the declared dataset fields in order with the scheme's
    # target after stance, affiliation
    columns = [name for name, _ in QUOTE_COLUMNS]
    assert columns == [*dataset_names[: dataset_names.index("stance") + 1], "target", *dataset_names[dataset_names.index("stance") + 1:]]
    assert list(features["articles"]["quotes"].feature) == ["quote_id", *columns, "affiliation"]
    assert [n for n in features["quotes"] if n in columns] == columns
    # the target is declared once: its type and description reach the Features and the card
    assert features["quotes"]["target"].dtype == STANCE_TARGET.dataset == "string"
    assert describe("target", True) == describe("target", False) == STANCE_TARGET.description
    assert "target" not in QUOTE_FIELD_NAMES  # a column of the build, not of a prediction record
    for name, dtype in QUOTE_DATASET_FIELDS:
        f = features["quotes"][name]
        assert (type(f).__name__ == "ClassLabel") == (dtype == "label"), name
        assert describe(name, True) == next(x.metadata["description"] for x in dataclasses.fields(Quote) if x.name == name)
    # the export reader's record carries every dataset field (the target comes from the scheme)
    record_fields = {f.name for f in dataclasses.fields(QuoteRecord)}
    assert set(dataset_names) <= record_fields
    # serialisation and the shape check
    q = Quote(3, 9, "abcdef", "direct", "Hun Sen", 0, 2, 10, 14, None, 0.5, "r")
    assert list(q.to_dict()) == list(QUOTE_FIELD_NAMES) and Quote.from_dict(q.to_dict()) == q
    assert quote_shape_error(q.to_dict()) is None


@pytest.mark.parametrize("bad, problem", [
    ({"end": 2, "text": "x", "kind": "direct"}, "missing 'start'"),
    ({"start": 0, "end": 2.0, "text": "x", "kind": "direct"}, "'end' is 2.0 (float)"),
    ({"start": 0, "end": 2, "text": "x", "kind": "direct", "stance": ["favor"]}, "'stance' is ['favor'] (list)"),
    ({"start": True, "end": 2, "text": "x", "kind": "direct"}, "'start' is True (bool)"),
    ({"start": 0, "end": 2, "text": None, "kind": "direct"}, "'text' is None (NoneType)"),
    ({"start": 0, "end": 2, "text": "x", "kind": "direct", "score": "high"}, "'score' is 'high' (str)"),
    ([1, 2], "expected an object, got list"),
])
def test_the_shape_check_names_the_field(bad, problem):
    assert quote_shape_error(bad) == problem


def test_a_quote_survives_every_adapter_unchanged(tmp_path, sample_articles):
    """Pipeline quotes -> JSON lines -> Label Studio tasks (the prediction submitted unchanged as
    the annotation) -> export file -> `build` -> parquet rows: the same quotes, field by field."""
    from toolkit.config import load_registry, load_stance
    from toolkit.dataset.build import build_dataset
    from toolkit.labelstudio.tasks import build_task
    from toolkit.pipeline import preannotate_records

    registry, scheme = load_registry(), load_stance()
    lines = [json.dumps(r) for r in preannotate_records(sample_articles)]
    by_id = {a["article_id"]: a for a in sample_articles}
    export, want = [], {}
    for n, line in enumerate(lines, start=1):
        rec = json.loads(line)
        quotes = [Quote.from_dict(q) for q in rec["quotes"]]
        # an annotator confirms each quote as proposed; a stance left empty must be chosen, here the first label
        quotes = [q if q.stance else dataclasses.replace(q, stance=scheme.labels[0]) for q in quotes]
        article = by_id[rec["article_id"]]
        task = build_task(article, quotes, "quotekit-test", registry).task
        pred = task["predictions"][0]
        export.append({"id": n, "data": task["data"], "predictions": [dict(pred, id=n)], "annotations": [{
            "id": n, "completed_by": 1, "result": pred["result"], "was_cancelled": False, "ground_truth": False,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "lead_time": 1.0}]})
        for q in quotes:
            want[(rec["article_id"], q.start, q.end)] = q
    assert len(want) > 30  # the sample articles hold real quotes of every kind
    src = tmp_path / "export.json"
    src.write_text(json.dumps(export), encoding="utf-8")
    summary = build_dataset([src], tmp_path / "ds", chart=False, registry=registry, stance=scheme)
    assert not summary.skipped, summary.skipped

    rows = []
    for path in sorted((tmp_path / "ds" / "data" / "quotes").glob("*.parquet")):
        table = pq.read_table(path)
        rows += table.to_pylist()
    from toolkit.dataset.features import build_features

    features = build_features(scheme.labels)["quotes"]
    got = {}
    for row in rows:
        decoded = {name: (features[name].int2str(row[name]) if dtype == "label" else row[name])
                   for name, dtype in QUOTE_DATASET_FIELDS}
        assert row["target"] == scheme.default_target
        got[(row["article_id"], row["start"], row["end"])] = decoded
    assert set(got) == set(want)
    for key, q in want.items():
        expected = {name: getattr(q, name) for name, _ in QUOTE_DATASET_FIELDS}
        assert got[key] == expected, key


def test_the_article_columns_follow_the_article_declaration():
    from toolkit.dataset.features import build_features, describe
    from toolkit.types import ARTICLE_DATASET_FIELDS, ARTICLE_DESCRIPTIONS, Article

    features = build_features(["favor", "against", "neutral"])
    names = [n for n, _ in ARTICLE_DATASET_FIELDS]
    assert list(features["articles"]) == [*names, "quotes"]
    assert set(names) <= {f.name for f in dataclasses.fields(Article)}
    for name in names:
        assert describe(name, False) == ARTICLE_DESCRIPTIONS[name]
    # an ingest record round-trips through Article unchanged
    rec = {"article_id": "a", "text": "t", "title": None, "outlet": "O", "date": "2019-11-09", "source_path": "x.txt",
           "sha256": "0" * 64, "removed": {"chrome": 1}, "title_source": "headline"}
    assert Article.from_dict(rec).to_dict() == rec
