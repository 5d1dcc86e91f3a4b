"""quotekit review, offline: which tasks disagree (per field, two and three accounts), the review
tasks built for them, and the build that uses the reviewer's version and counts how each article
was settled. The Label Studio side is tested in tests/integration/test_review_roundtrip.py."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from fixtures.lsexport import Ann, annotation, task, write
from toolkit.config import load_registry, load_stance
from toolkit.dataset import build_dataset, compute_agreement
from toolkit.dataset.disagreements import AnnotationStatus, describe, differences
from toolkit.labelstudio.export import IssueLog, is_review_task, parse_annotation
from toolkit.labelstudio.review import read_disagreements, review_config

TEXT = ("Hun Sen said “we will win the vote easily today.” Later Sam Rainsy said the plan would surely fail soon.\n"
        "Kem Sokha told reporters the talks were useful for everyone involved.\n")
Q1, Q2, Q3 = "we will win the vote easily today.", "the plan would surely fail soon", "the talks were useful for everyone involved"
BASE = [(Q1, "Hun Sen", "favor", "direct"), (Q2, "Sam Rainsy", "against", "indirect"), (Q3, "Kem Sokha", "neutral", "indirect")]

#: (what one account changes of BASE, the fields that then differ)
CHANGES = {
    "stance": ({0: (Q1, "Hun Sen", "against", "direct")}, ["stance"]),
    "speaker": ({0: (Q1, "Sam Rainsy", "favor", "direct")}, ["speaker"]),
    "kind": ({1: (Q2, "Sam Rainsy", "against", "direct")}, ["kind"]),
    "boundary": ({0: ("we will win the vote easily", "Hun Sen", "favor", "direct")}, ["boundary"]),
    "quote": ({2: None}, ["quote"]),
    "speaker and stance": ({2: (Q3, "Hun Sen", "against", "indirect")}, ["speaker", "stance"]),
}


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def scheme():
    return load_stance()


def version(seed: str, changes: dict | None = None) -> Ann:
    a = Ann(TEXT, seed=seed)
    for i, q in enumerate(BASE):
        q = (changes or {}).get(i, q)
        if q is not None:
            a.quote(q[0], q[1], q[2], kind=q[3])
    return a


def source_task(tid: int, aid: str, versions: list[tuple[int, Ann]], text: str = TEXT) -> dict:
    """A task of project 1 annotated by the accounts ``uid`` (integer completed_by, as ls pull exports them)."""
    anns = [annotation(a, id=100 * tid + uid, task=tid, completed_by=uid, created_at=f"2026-01-0{uid}T10:00:00Z")
            for uid, a in versions]
    return task(text, id=tid, article_id=aid, annotations=anns)


NAMES = {"user:1": "alice@x.org", "user:2": "bob@x.org", "user:3": "carol@x.org"}


def review(tmp_path, tasks, registry, scheme, name="src.json"):
    from toolkit.labelstudio.review import ReviewReport

    report = ReviewReport()
    built = read_disagreements([write(tmp_path / name, tasks)], describe, registry=registry, scheme=scheme, names=NAMES, report=report)
    return built, report


@pytest.mark.parametrize("case", sorted(CHANGES))
def test_two_accounts_disagree_on_each_field(tmp_path, registry, scheme, case):
    changes, fields = CHANGES[case]
    built, report = review(tmp_path, [source_task(1, "a-1", [(1, version("a")), (2, version("b", changes))])], registry, scheme)
    assert (report.multi_annotated, report.disagreeing, report.agreeing) == (1, 1, 0)
    assert [bt.article_id for bt in built] == ["a-1"]
    data = built[0].task["data"]
    assert data["review_fields"] == ", ".join(fields)
    assert report.fields == {f: 1 for f in fields}
    for f in fields:
        assert f"{f} " in data["review_summary"]
    assert "alice@x.org" in data["review_summary"] and "bob@x.org" in data["review_summary"]


def test_agreeing_and_single_annotations_are_not_sent_to_review(tmp_path, registry, scheme):
    tasks = [
        source_task(1, "agree-2", [(1, version("a")), (2, version("b"))]),
        source_task(2, "agree-3", [(1, version("c")), (2, version("d")), (3, version("e"))]),
        source_task(3, "single", [(1, version("f", CHANGES["stance"][0]))]),
        source_task(4, "empty-both", [(1, Ann(TEXT)), (2, Ann(TEXT))]),  # both judged: nobody is quoted
    ]
    built, report = review(tmp_path, tasks, registry, scheme)
    assert built == []
    assert (report.tasks_read, report.multi_annotated, report.agreeing, report.disagreeing) == (4, 3, 3, 0)


def test_speaker_case_and_region_ids_do_not_count_as_disagreement(tmp_path, registry, scheme):
    a = version("a")
    b = Ann(TEXT, seed="other-ids")
    for q in BASE:
        b.quote(q[0], q[1], q[2], kind=q[3], speaker_new=q[1].upper())  # typed in capitals: same speaker
    built, report = review(tmp_path, [source_task(1, "a-1", [(1, a), (2, b)])], registry, scheme)
    assert built == [] and report.agreeing == 1


def test_three_accounts_one_dissenting(tmp_path, registry, scheme):
    tasks = [source_task(1, "three", [(1, version("a")), (2, version("b")), (3, version("c", CHANGES["stance"][0]))])]
    built, report = review(tmp_path, tasks, registry, scheme)
    assert len(built) == 1 and report.fields == {"stance": 1}
    summary = built[0].task["data"]["review_summary"]
    assert "3 versions" in summary and "alice@x.org favor | bob@x.org favor | carol@x.org against" in summary
    assert [p["model_version"] for p in built[0].task["predictions"]] == ["alice@x.org", "bob@x.org", "carol@x.org"]


def test_differences_by_hand_on_parsed_versions(registry, scheme):
    def parsed(a: Ann):
        return parse_annotation(TEXT, a.result, article_id="x", where="t", issues=IssueLog(), stance_labels=scheme.labels,
                                canonical=lambda s: s)

    by = {"a": parsed(version("a")), "b": parsed(version("b", {0: ("we will win the vote easily", "Hun Sen", "against", "direct"), 2: None}))}
    diffs = differences(by)
    start = TEXT.index(Q1)
    # quote 1 differs in boundary and stance (a matched pair is compared field by field), quote 3 is b's missing quote
    assert [(d.field, d.start) for d in diffs] == [("boundary", start), ("stance", start), ("quote", TEXT.index(Q3))]
    assert dict(diffs[0].values) == {"a": f"{start}-{start + len(Q1)}", "b": f"{start}-{start + len('we will win the vote easily')}"}
    assert dict(diffs[2].values) == {"a": f"{TEXT.index(Q3)}-{TEXT.index(Q3) + len(Q3)}", "b": "(none)"}


def test_review_task_carries_every_version_and_the_source_identity(tmp_path, registry, scheme):
    a, b = version("a"), version("b", {0: (Q1, "Hun Sen", "against", "direct"), 2: None})
    src = source_task(7, "art-7", [(1, a), (2, b)])
    built, _ = review(tmp_path, [src], registry, scheme)
    bt = built[0]
    data = bt.task["data"]
    assert data["article_id"] == "art-7" and data["text"] == TEXT and data["text_sha256"] == src["data"]["text_sha256"]
    assert data["review_of_task"] == 7 and data["review_of_project"] == 1
    assert is_review_task(bt.task)
    preds = {p["model_version"]: p["result"] for p in bt.task["predictions"]}
    assert sorted(preds) == ["alice@x.org", "bob@x.org"]

    def quotes(result):
        qs = parse_annotation(TEXT, result, article_id="art-7", where="t", issues=IssueLog(), stance_labels=scheme.labels,
                              canonical=lambda s: s)
        return [(q.text, q.speaker, q.stance, q.kind) for q in qs]

    # each prediction reads back as that account's version
    assert quotes(preds["alice@x.org"]) == quotes(a.result)
    assert quotes(preds["bob@x.org"]) == quotes(b.result)
    assert len(quotes(preds["bob@x.org"])) == 2


def test_accounts_without_a_known_email_keep_their_user_id(tmp_path, registry, scheme):
    from toolkit.labelstudio.review import ReviewReport

    path = write(tmp_path / "s.json", [source_task(1, "a-1", [(4, version("a")), (5, version("b", CHANGES["kind"][0]))])])
    built = read_disagreements([path], describe, registry=registry, scheme=scheme, names={}, report=ReviewReport())
    assert [p["model_version"] for p in built[0].task["predictions"]] == ["user:4", "user:5"]


def test_review_config_is_still_a_quotekit_config(registry, scheme):
    from toolkit.labelstudio.config import build_label_config, foreign_config_reason

    xml = review_config(build_label_config(registry.names(), scheme.labels, scheme.target.description))
    assert '<Header name="review_summary" value="$review_summary"' in xml
    assert foreign_config_reason(xml) is None


# --------------------------------------------------------------------------- build


def reviewed(bt, *, tid: int, reviewer: Ann | None, cancelled: bool = False) -> dict:
    """The review task ``bt`` as the review project (project 2) exports it, with the reviewer's annotation."""
    t = {"id": tid, "project": 2, "data": bt.task["data"], "predictions": [{"id": 5000 + i, **p} for i, p in enumerate(bt.task["predictions"])],
         "annotations": []}
    if reviewer is not None:
        ann = annotation(reviewer, id=9000 + tid, task=tid, completed_by=9, created_at="2026-01-01T08:00:00Z", was_cancelled=cancelled)
        ann["project"] = 2
        t["annotations"] = [ann]
    return t


def build_quotes(out, scheme):
    """(article_id, quote text) -> the quote row, its ClassLabels (stance, kind) as names."""
    from toolkit.types import QUOTE_KINDS

    rows = [r for f in (out / "data" / "quotes").glob("*.parquet") for r in pq.read_table(f).to_pylist()]
    assert rows
    for r in rows:
        r["stance"], r["kind"] = scheme.labels[r["stance"]], QUOTE_KINDS[r["kind"]]
    return {(r["article_id"], r["text"]): r for r in rows}


def test_build_uses_the_adjudicated_version_and_counts_articles(tmp_path, registry, scheme):
    dis_a, dis_b = version("a"), version("b", {0: (Q1, "Hun Sen", "against", "direct")})
    src = [
        # disagree on Q1's stance; bob's is the latest and alice's is ground truth: the reviewer's neutral wins anyway
        source_task(1, "adjudicated", [(1, dis_a), (2, dis_b)]),
        source_task(2, "agreed", [(1, version("c")), (2, version("d"))]),
        source_task(3, "single", [(3, version("e"))]),
        source_task(4, "open", [(1, version("f")), (2, version("g", CHANGES["kind"][0]))]),  # in review, not yet adjudicated
        source_task(5, "skipped", [(1, version("h")), (2, version("i", CHANGES["speaker"][0]))]),  # the reviewer skipped it
    ]
    src[0]["annotations"][0]["ground_truth"] = True
    built, _ = review(tmp_path, src, registry, scheme)
    by_id = {bt.article_id: bt for bt in built}
    assert sorted(by_id) == ["adjudicated", "open", "skipped"]
    final = version("r", {0: (Q1, "Hun Sen", "neutral", "direct"), 1: None})  # the reviewer also drops Q2
    rev = [reviewed(by_id["adjudicated"], tid=1, reviewer=final), reviewed(by_id["open"], tid=2, reviewer=None),
           reviewed(by_id["skipped"], tid=3, reviewer=version("s"), cancelled=True)]
    review_export = write(tmp_path / "review.json", rev)
    summary = build_dataset([tmp_path / "src.json", review_export], tmp_path / "out", chart=False, registry=registry, stance=scheme)

    quotes = build_quotes(tmp_path / "out", scheme)
    assert quotes[("adjudicated", Q1)]["stance"] == "neutral"
    assert ("adjudicated", Q2) not in quotes and ("adjudicated", Q3) in quotes
    assert quotes[("open", Q2)]["kind"] == "direct"  # not adjudicated: the latest (bob's) as before
    assert quotes[("skipped", Q1)]["speaker"] == "Sam Rainsy"  # a skipped review adjudicates nothing
    assert summary.articles == 5
    assert (summary.adjudicated_articles, summary.agreed_articles, summary.disagreed_articles, summary.single_annotated_articles) == (1, 1, 2, 1)
    assert summary.accounts["user:9 (review.json)"] == 1
    # the reviewer is not one of the compared annotators, and the versions are not model versions
    assert summary.agreement.tasks == 4 and "user:9 (review.json)" not in summary.agreement.annotators
    assert summary.model_versions == {"quotekit-0.1.0+rules-1": 5}
    d = summary.to_dict()
    assert d["adjudicated_articles"] == 1 and d["single_annotated_articles"] == 1
    assert any("adjudicated" in k for k, _ in summary.rows())


def test_agreement_ignores_the_review_export(tmp_path, registry, scheme):
    src = [source_task(1, "x", [(1, version("a")), (2, version("b", CHANGES["stance"][0]))])]
    built, _ = review(tmp_path, src, registry, scheme)
    rev = write(tmp_path / "review.json", [reviewed(built[0], tid=1, reviewer=version("r"))])
    alone = compute_agreement([tmp_path / "src.json"])
    both = compute_agreement([tmp_path / "src.json", rev])
    assert alone.tasks == both.tasks == 1
    assert both.matched == alone.matched and both.stance_observed == alone.stance_observed


def test_annotation_status_counts_by_hand():
    from types import SimpleNamespace as NS

    status = AnnotationStatus()
    watch = status.watch()
    q = NS(start=0, end=5, text="a b c", speaker=None, stance="favor", kind="direct")
    q2 = NS(start=0, end=5, text="a b c", speaker=None, stance="against", kind="direct")
    watch("m1", "", {"a": [q], "b": [q]})
    watch("m2", "", {"a": [q], "b": [q2]})
    watch("m3", "", {"a": [q], "b": [q2]})
    for aid, adj in (("m1", False), ("m2", False), ("m3", True), ("s1", False), ("s2", False)):
        status.add(NS(article_id=aid, adjudicated=adj))
    assert status.counts() == {"adjudicated_articles": 1, "agreed_articles": 1, "disagreed_articles": 1, "single_annotated_articles": 2}


def test_review_command_needs_a_server(tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "x")
    code, out, err = run_cli(["review", "--project", "p", "--export", str(write(tmp_path / "e.json", []))])
    assert code == 3 and "cannot reach Label Studio" in err
    code, out, err = run_cli(["review", "--project", " "])
    assert code == 2


def test_the_review_project_cannot_be_the_project_under_review():
    from toolkit.errors import BadInputError
    from toolkit.labelstudio.review import review_project

    with pytest.raises(BadInputError, match="is the project under review"):
        review_project(None, "round 1", "round 1", describe)  # refused before anything is asked of a server


def test_review_task_offers_every_versions_speaker_as_one_click(tmp_path, registry, scheme):
    """The review project has the candidate radio: its task's short list holds the registry speakers
    of every version, and each version names its speakers there (a click takes the other's name)."""
    from toolkit.labelstudio import names as N
    from toolkit.labelstudio.tasks import candidate_names

    changes, _ = CHANGES["speaker and stance"]  # b gives Q3 to Hun Sen instead of Kem Sokha
    built, _ = review(tmp_path, [source_task(1, "a-1", [(1, version("a")), (2, version("b", changes))])], registry, scheme)
    offered = candidate_names(built[0].task["data"])
    assert {"Hun Sen", "Sam Rainsy", "Kem Sokha"} <= set(offered)
    for pred in built[0].task["predictions"]:
        picks = [r["value"]["choices"][0] for r in pred["result"] if r.get("from_name") == N.SPEAKER_PICK]
        assert picks and set(picks) <= set(offered)
        assert not [r for r in pred["result"] if r.get("from_name") == N.SPEAKER_NAME]
