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
        out.append(json.loads(json.dumps({"article_id": str(res["article_id"]), "quotes": quotes, "warnings": res.get("warnings") or [],
                                          "text_sha256": res["text_sha256"]}, ensure_ascii=False)))
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


def test_a_row_without_text_is_an_error_record_not_an_empty_prediction(records):
    batch = {"article_id": ["ok", "none", "num"], "text": [records[0]["text"], None, 7]}
    out = annotate_batch(batch)
    rows = [decode_row(dict(zip(out, row))) for row in zip(*out.values())]
    assert rows[0]["quotes"] and "error" not in rows[0]
    assert rows[1] == {"article_id": "none", "error": "missing 'text'"}
    assert rows[2]["article_id"] == "num" and "not a string" in rows[2]["error"]
    expected = [json.loads(json.dumps(r)) for r in preannotate_records([{"article_id": "none", "text": None}, {"article_id": "num", "text": 7}])]
    assert rows[1:] == expected  # what `quotekit preannotate` writes for them


def test_annotate_batch_of_nothing_is_an_empty_batch():
    assert annotate_batch({"article_id": [], "text": []}) == {c: [] for c in OUTPUT_COLUMNS}


def test_annotate_batch_without_text_column_says_what_is_needed():
    with pytest.raises(ValueError, match="'text'"):
        annotate_batch({"article_id": ["a1"]})


@pytest.fixture(scope="class")
def local_ray():
    """One local Ray (2 CPUs) for the tests of :class:`TestLocalRay`: starting it and its workers
    (each imports spaCy) took most of each test's time. Started with ``QUOTEKIT_CONFIGS`` unset,
    so the workers' environment is the project's configs; shut down after the class, before the
    two-node cluster test, which needs no Ray in this process."""
    import ray

    import toolkit.scale as scale

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("QUOTEKIT_CONFIGS", raising=False)
        scale.init(num_cpus=2)
    try:
        yield
    finally:
        ray.shutdown()


@pytest.mark.usefixtures("local_ray")
class TestLocalRay:
    """Ray Data in local mode, one Ray for both tests. The second usually runs on the worker
    processes the first started (Ray keeps them), which hold the pipelines they built
    (``toolkit.scale._PIPELINES``): it then also shows that other component data sent with the
    tasks is not answered from that cache."""

    def test_ray_local_mode_writes_what_quotekit_preannotate_writes(self, tmp_path, records, expected):
        """Ray Data on 2 local CPUs, several batches, one JSONL in input order."""
        source = tmp_path / "articles.jsonl"
        # three copies under distinct ids: more rows than one batch, so several tasks run
        many = [dict(r, article_id=f"{r['article_id']}-{i}") for i in range(3) for r in records]
        source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in many), encoding="utf-8")
        out = tmp_path / "pre.jsonl"
        n = run(source, out, num_cpus=2, batch_size=4)
        got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert n == len(many) == len(got)
        want = [dict(e, article_id=f"{e['article_id']}-{i}") for i in range(3) for e in expected]
        assert got == want

    def test_workers_use_the_drivers_configs_not_their_machines(self, tmp_path, monkeypatch):
        """A Ray worker runs with the environment of the Ray node it belongs to, not the driver's:
        the driver's configs (here its QUOTEKIT_CONFIGS, set after Ray started) reach the workers
        only as the quote component's data, sent with the tasks."""
        import shutil

        import yaml

        import toolkit.scale as scale

        configs = tmp_path / "configs"
        shutil.copytree(Path(__file__).resolve().parents[1] / "configs", configs)
        speakers = yaml.safe_load((configs / "speakers.yaml").read_text(encoding="utf-8"))
        speakers["speakers"] = [s for s in speakers["speakers"] if "CNRP" not in s.get("aliases", [])]
        (configs / "speakers.yaml").write_text(yaml.safe_dump(speakers, allow_unicode=True), encoding="utf-8")
        recs = [{"article_id": f"a{i}", "text": "CNRP leaders have said that they will stay in the region."} for i in range(4)]
        source = tmp_path / "articles.jsonl"
        source.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
        out = tmp_path / "pre.jsonl"
        monkeypatch.delenv("QUOTEKIT_CONFIGS", raising=False)
        monkeypatch.setattr(scale, "_PIPELINES", {})  # this process's pipelines, made for other configs
        default = _expected(recs)
        scale.init(num_cpus=2)  # a no-op: local_ray started the workers' environment (the project's configs)
        monkeypatch.setenv("QUOTEKIT_CONFIGS", str(configs))
        want = _expected(recs)
        assert want != default  # the two configs give different speakers
        assert run(source, out, batch_size=1) == len(recs)
        assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == want


def test_two_node_cluster_runs_the_documented_command(tmp_path, records, expected):
    """A Ray cluster of two nodes (a head and a worker node: two raylets with their own object
    stores, on this one machine, from Ray's own ``ray.cluster_utils.Cluster``): the command of
    docs/scale.md connects with ``--address`` and writes what ``quotekit preannotate`` writes,
    and ``annotate_batch`` runs on both nodes. (One machine cannot show that every node has
    quotekit installed; the nodes share this checkout.)"""
    import subprocess
    import sys

    import ray
    from ray.cluster_utils import Cluster

    source = tmp_path / "articles.jsonl"
    many = [dict(r, article_id=f"{r['article_id']}-{i}") for i in range(2) for r in records]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in many), encoding="utf-8")
    want = [dict(e, article_id=f"{e['article_id']}-{i}") for i in range(2) for e in expected]
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False, "labels": {"quotekit-node": "head"}})
    try:
        cluster.add_node(num_cpus=1, labels={"quotekit-node": "worker"})
        cluster.wait_for_nodes()
        out = tmp_path / "pre.jsonl"
        proc = subprocess.run(
            [sys.executable, "-m", "toolkit.scale", str(source), "-o", str(out), "--address", cluster.address, "--batch-size", "2"],
            capture_output=True, text=True, timeout=300,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert f"Connecting to existing Ray cluster at address: {cluster.address}" in proc.stderr  # not a local Ray
        assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == want

        ray.init(address=cluster.address, log_to_driver=False)
        assert len([n for n in ray.nodes() if n["Alive"]]) == 2

        def on_node(batch):
            res = annotate_batch(batch)
            res["node"] = [ray.get_runtime_context().get_node_id()] * len(res["article_id"])
            return res

        nodes = set()
        for node in ("head", "worker"):  # pinned by node label: both nodes must run the function
            ds = ray.data.from_items(many).map_batches(on_node, batch_size=2, batch_format="numpy", num_cpus=1, label_selector={"quotekit-node": node})
            rows = list(ds.iter_rows())
            assert len({r["node"] for r in rows}) == 1
            nodes |= {r["node"] for r in rows}
            assert sorted((r["article_id"], json.loads(r["quotes"])) for r in rows) == sorted((w["article_id"], w["quotes"]) for w in want)
        assert len(nodes) == 2
    finally:
        ray.shutdown()
        cluster.shutdown()
