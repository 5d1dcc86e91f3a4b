"""Property-based tests of the export reader and the dataset builder on generated Label Studio
exports (tests/test_export.py and tests/test_dataset.py hold the fixed cases and a random-breakage
property; these add the identities and the isolation of a bad item).

Generated exports look like what annotators make in the UI: 10-character random region ids,
regions in any order, relations drawn either way, a SPEAKER mention shared by several quotes,
cues, ``kind`` choices, registry choices and typed names, any Unicode text.

- **Identity**: the reader returns exactly the quotes that were drawn, with no issue; the result
  order does not matter; splitting the tasks over several files, repeating some in two files,
  gives the same articles; the dataset's parquet rows are those quotes, and rebuilding gives the
  same rows.
- **Isolation**: one random defect in one task (wrong types, unknown labels, dangling relations,
  duplicated ids, cancelled or empty annotations, a task without text, a non-task item, a
  truncated file ...) never raises anything but a :class:`QuotekitError`, leaves every other task
  exactly as drawn, leaves only consistent quotes in the damaged task, and is reported with a
  message naming the file and the task; ``strict`` fails (exit code 4) exactly when the lenient
  run reported a problem, else gives the same articles.
"""

from __future__ import annotations

import copy
import json
import random
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fixtures.lsexport import annotation, task
from toolkit.errors import QuotekitError, ValidationFailed
from toolkit.labelstudio import names as N
from toolkit.labelstudio.export import INFO_REASONS, ExportReader, IssueLog, is_direct
from toolkit.types import QUOTE_KINDS

STANCE = ("favor", "against", "neutral")
UI_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ui_id = st.text(alphabet=UI_ID_ALPHABET, min_size=10, max_size=10)


def ui_ids(seed: int, n: int = 20) -> list[str]:
    """``n`` distinct random 10-character ids, as the Label Studio UI draws them."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        rid = "".join(rng.choice(UI_ID_ALPHABET) for _ in range(10))
        if rid not in out:
            out.append(rid)
    return out
texts = st.text(
    alphabet=st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from(list("“”‘’\"'«»„‚‹› \n.,"))),
    min_size=1, max_size=80,
).filter(lambda t: t.strip())


# --------------------------------------------------------------------------- generated annotations


def _region(rid: str, label: str, text: str, s: int, e: int) -> dict[str, Any]:
    return {"id": rid, "from_name": N.LABELS, "to_name": N.TEXT, "type": "labels", "origin": "manual",
            "value": {"start": s, "end": e, "text": text[s:e], "labels": [label]}}


def _per_region(rid: str, from_name: str, text: str, s: int, e: int, choices: list[str]) -> dict[str, Any]:
    return {"id": rid, "from_name": from_name, "to_name": N.TEXT, "type": "choices", "origin": "manual",
            "value": {"start": s, "end": e, "text": text[s:e], "choices": choices}}


def _relation(a: str, b: str, label: str, backwards: bool, unlabelled: bool) -> dict[str, Any]:
    if backwards:
        a, b = b, a
    return {"type": "relation", "from_id": a, "to_id": b, "direction": "left" if backwards else "right",
            "labels": [] if unlabelled else [label]}


@st.composite
def span(draw, text: str, nonblank: bool = False) -> tuple[int, int]:
    n = len(text)
    while True:
        s = draw(st.integers(0, n - 1))
        e = draw(st.integers(s + 1, min(n, s + 30)))
        if not nonblank or text[s:e].strip():
            return s, e


@st.composite
def drawn_annotation(draw, text: str, article_id: str) -> tuple[list[dict[str, Any]], list[tuple]]:
    """(result, expected quotes) for one annotation made in the UI."""
    ids = iter(ui_ids(draw(st.integers(0, 2**32))))
    result: list[dict[str, Any]] = []
    expected: list[tuple] = []
    speakers: list[tuple[str, int, int, str]] = []  # id, start, end, resolved name
    for _ in range(draw(st.integers(0, 3))):
        if not text.strip():
            break
        s, e = draw(span(text, nonblank=True))
        sid = next(ids)
        result.append(_region(sid, N.SPEAKER, text, s, e))
        name = text[s:e].strip()
        how = draw(st.sampled_from(["text", "choice", "typed", "both"]))
        if how in ("choice", "both"):
            name = draw(st.sampled_from(["Hun Sen", "Sam Rainsy", "Kem Sokha"]))
            result.append(_per_region(sid, N.SPEAKER_NAME, text, s, e, [name]))
        if how in ("typed", "both"):
            name = draw(st.text(min_size=1, max_size=12).filter(lambda t: t.strip())).strip()
            result.append({"id": sid, "from_name": N.SPEAKER_NEW, "to_name": N.TEXT, "type": "textarea", "origin": "manual",
                           "value": {"start": s, "end": e, "text": [name]}})
        speakers.append((sid, s, e, name))
    used: set[tuple[int, int]] = set()
    for _ in range(draw(st.integers(0, 4))):
        s, e = draw(span(text))
        if (s, e) in used:
            continue
        used.add((s, e))
        qid = next(ids)
        stance = draw(st.sampled_from(STANCE))
        result.append(_region(qid, N.QUOTE, text, s, e))
        result.append(_per_region(qid, N.STANCE, text, s, e, [stance]))
        kind = draw(st.sampled_from([None, *QUOTE_KINDS]))
        if kind:
            result.append(_per_region(qid, N.KIND, text, s, e, [kind]))
        speaker = sp_s = sp_e = None
        if speakers and draw(st.integers(0, 3)):
            sid, sp_s, sp_e, speaker = draw(st.sampled_from(speakers))
            result.append(_relation(qid, sid, N.SAID_BY, draw(st.booleans()), draw(st.integers(0, 4)) == 0))
        else:
            result.append(_per_region(qid, N.QUOTE_FLAGS, text, s, e, [N.SPEAKER_UNKNOWN]))
        cue_s = cue_e = None
        if draw(st.booleans()):
            cue_s, cue_e = draw(span(text))
            cid = next(ids)
            result.append(_region(cid, N.CUE, text, cue_s, cue_e))
            result.append(_relation(qid, cid, N.CUE_OF, draw(st.booleans()), draw(st.integers(0, 4)) == 0))
        expected.append((f"{article_id}:{s}-{e}", s, e, text[s:e], kind or ("direct" if is_direct(text, s, e) else "indirect"),
                         speaker, sp_s, sp_e, cue_s, cue_e, stance, "other" if speaker else None, qid))
    result = draw(st.permutations(result))  # Label Studio keeps no particular order
    expected.sort(key=lambda q: (q[1], q[2], q[12]))
    return list(result), expected


@st.composite
def drawn_export(draw) -> tuple[list[dict[str, Any]], dict[str, list[tuple]]]:
    """(tasks, {article_id: expected quotes}); each task's latest live annotation is the one drawn."""
    n = draw(st.integers(1, 5))
    aids = draw(st.lists(st.text(alphabet=UI_ID_ALPHABET + "é/. ", min_size=1, max_size=12), min_size=n, max_size=n, unique=True))
    tasks, expected = [], {}
    for i, aid in enumerate(aids, start=1):
        text = draw(texts)
        result, quotes = draw(drawn_annotation(text, aid))
        if not result:  # an annotation with no region is a quote-free article: keep one region so that every task has quotes to check
            result = [_region("keep000000", N.CUE, text, 0, 1)]
        anns = [annotation(result, id=100 * i, task=i, completed_by=draw(st.sampled_from([1, 2, {"id": 3, "email": "c@x.org"}])),
                           created_at="2026-02-01T10:00:00Z")]
        if draw(st.booleans()):  # an older annotation and a cancelled one: neither wins
            old, _ = draw(drawn_annotation(text, aid))
            anns.append(annotation(old, id=100 * i + 1, task=i, created_at="2026-01-01T10:00:00Z"))
            anns.append(annotation([], id=100 * i + 2, task=i, created_at="2026-03-01T10:00:00Z", was_cancelled=True))
        anns = draw(st.permutations(anns))
        tasks.append(task(text, id=i, article_id=aid, annotations=list(anns)))
        expected[aid] = quotes
    return tasks, expected


def as_tuples(articles) -> dict[str, list[tuple]]:
    return {a.article_id: [(q.quote_id, q.start, q.end, q.text, q.kind, q.speaker, q.speaker_start, q.speaker_end,
                            q.cue_start, q.cue_end, q.stance, q.affiliation, q.region_id) for q in a.quotes]
            for a in articles}


def read(paths, strict: bool = False):
    log = IssueLog(strict=strict)
    reader = ExportReader(paths, issues=log, stance_labels=STANCE)
    return list(reader.articles()), log


def write(d: Path, name: str, obj: Any) -> Path:
    p = d / name
    p.write_text(json.dumps(obj, ensure_ascii=False, indent=1), encoding="utf-8")
    return p


# --------------------------------------------------------------------------- identity


@SETTINGS
@given(export=drawn_export())
def test_reader_returns_exactly_what_was_drawn(export):
    tasks, expected = export
    with tempfile.TemporaryDirectory() as d:
        arts, log = read([write(Path(d), "e.json", tasks)])
    assert log.counts == {}, log.messages
    assert as_tuples(arts) == expected
    assert [a.article_id for a in arts] == [t["data"]["article_id"] for t in tasks]
    for a in arts:
        assert a.text == next(t["data"]["text"] for t in tasks if t["data"]["article_id"] == a.article_id)


@SETTINGS
@given(export=drawn_export(), data=st.data())
def test_tasks_split_and_repeated_over_files_give_the_same_articles(export, data):
    tasks, expected = export
    cut = data.draw(st.integers(0, len(tasks)))
    repeated = data.draw(st.lists(st.sampled_from(range(len(tasks))), max_size=3))
    first, second = tasks[:cut], tasks[cut:] + [copy.deepcopy(tasks[i]) for i in repeated]
    with tempfile.TemporaryDirectory() as d:
        paths = [write(Path(d), "1.json", first), write(Path(d), "2.json", second)]
        arts, log = read(data.draw(st.permutations(paths)))
    assert log.counts == {}, log.messages
    assert as_tuples(arts) == expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(export=drawn_export())
def test_dataset_rows_are_the_drawn_quotes_and_rebuilds_are_identical(export):
    import pyarrow.parquet as pq

    from toolkit.config import load_registry, load_stance
    from toolkit.dataset import build_dataset

    tasks, expected = export
    if not any(expected.values()):
        expected = expected  # articles without quotes still make article rows
    registry, scheme = load_registry(), load_stance()
    with tempfile.TemporaryDirectory() as d:
        e = write(Path(d), "e.json", tasks)
        before = e.read_bytes()
        s = build_dataset([e], Path(d) / "ds", registry=registry, stance=scheme, chart=False)
        assert s.skipped == {} and s.articles == len(tasks)
        assert s.quotes == sum(len(v) for v in expected.values())

        def rows(root: Path) -> dict[str, list]:
            out: dict[str, list] = {}
            for f in sorted((root / "data").rglob("*.parquet")):
                out[str(f.relative_to(root))] = pq.read_table(f).to_pylist()
            return out

        first = rows(Path(d) / "ds")
        stance_names = scheme.labels
        got = {}
        for name, rs in first.items():
            if "/quotes/" in name:
                for r in rs:
                    got[r["quote_id"]] = (r["start"], r["end"], r["text"], r["speaker_start"], r["speaker_end"],
                                          r["cue_start"], r["cue_end"], stance_names[r["stance"]], QUOTE_KINDS[r["kind"]])
        want = {q[0]: (q[1], q[2], q[3], q[6], q[7], q[8], q[9], q[10], q[4]) for qs in expected.values() for q in qs}
        assert got == want
        s2 = build_dataset([e], Path(d) / "ds", registry=registry, stance=scheme, chart=False, force=True)
        assert rows(Path(d) / "ds") == first and s2.quotes == s.quotes
        assert e.read_bytes() == before, "build never modifies its input"


# --------------------------------------------------------------------------- isolation of one defect


def _items(ann: dict, kind: str) -> list[int]:
    res = ann.get("result") or []
    if kind == "region":
        return [i for i, r in enumerate(res) if r.get("type") == "labels"]
    if kind == "relation":
        return [i for i, r in enumerate(res) if r.get("type") == "relation"]
    if kind == "choice":
        return [i for i, r in enumerate(res) if r.get("type") in ("choices", "textarea")]
    return list(range(len(res)))


WRONG_VALUES = ["3", 3.5, None, True, [], {}, -1, 10**20, float("nan")]


@st.composite
def defect(draw, t: dict) -> str:
    """Damage task ``t`` (in place) in one random way; returns the name of the defect."""
    live = [a for a in t["annotations"] if not a["was_cancelled"]]
    ann = max(live, key=lambda a: a["created_at"])  # the one that wins
    res = ann["result"]
    choices = ["cancel", "result_type", "no_text", "text_type", "annotations_type", "data_type",
               "drop_item", "item_type"]
    regions, relations, per_region = _items(ann, "region"), _items(ann, "relation"), _items(ann, "choice")
    if regions:
        choices += ["dup_region", "unknown_label", "offset_type", "offset_range", "value_text", "labels_shape", "value_type",
                    "region_id"]
    if relations:
        choices += ["dangling", "relation_label"]
    quote_choices = [i for i in per_region if res[i].get("from_name") in (N.STANCE, N.KIND, N.QUOTE_FLAGS)]
    if per_region:
        choices += ["choices_type"]
    if quote_choices:
        choices += ["unknown_choice"]
    what = draw(st.sampled_from(choices))
    if what == "cancel":
        for a in t["annotations"]:
            a["was_cancelled"] = True
    elif what == "result_type":
        ann["result"] = draw(st.sampled_from([None, {}, "x", 7]))
    elif what == "no_text":
        del t["data"][N.TEXT]
    elif what == "text_type":
        t["data"][N.TEXT] = draw(st.sampled_from([None, 7, ["a"], {"a": 1}, "", "   "]))
    elif what == "annotations_type":
        t["annotations"] = draw(st.sampled_from([None, {}, "x", 7, [None, 3]]))
    elif what == "data_type":
        t["data"] = draw(st.sampled_from([None, [], "text", 7]))
    elif what == "drop_item":
        if res:
            res.pop(draw(st.integers(0, len(res) - 1)))
    elif what == "item_type":
        res.insert(draw(st.integers(0, len(res))), draw(st.sampled_from([None, 3, "x", [], {}])))
    elif what == "dup_region":
        src = copy.deepcopy(res[draw(st.sampled_from(regions))])
        other = res[draw(st.sampled_from(regions))]
        src["id"] = other["id"]
        res.append(src)
    elif what == "unknown_label":
        res[draw(st.sampled_from(regions))]["value"]["labels"] = [draw(st.sampled_from(["PERSON", "quote", "", "QUOTE "]))]
    elif what == "offset_type":
        res[draw(st.sampled_from(regions))]["value"][draw(st.sampled_from(["start", "end"]))] = draw(st.sampled_from(WRONG_VALUES))
    elif what == "offset_range":
        v = res[draw(st.sampled_from(regions))]["value"]
        v["start"], v["end"] = draw(st.sampled_from([(-1, 1), (0, 0), (5, 2), (0, len(t["data"][N.TEXT]) + 1)]))
    elif what == "value_text":
        res[draw(st.sampled_from(regions))]["value"]["text"] = draw(st.sampled_from(["", "something else", 7]))
    elif what == "labels_shape":
        res[draw(st.sampled_from(regions))]["value"]["labels"] = draw(st.sampled_from([[], ["QUOTE", "SPEAKER"], "QUOTE", None]))
    elif what == "value_type":
        res[draw(st.sampled_from(regions))]["value"] = draw(st.sampled_from([None, [], "x"]))
    elif what == "region_id":
        res[draw(st.sampled_from(regions))]["id"] = draw(st.sampled_from([None, "", True, [], {}]))
    elif what == "dangling":
        rel = res[draw(st.sampled_from(relations))]
        rel[draw(st.sampled_from(["from_id", "to_id"]))] = draw(st.sampled_from([draw(ui_id), None, 7, ""]))
    elif what == "relation_label":
        res[draw(st.sampled_from(relations))]["labels"] = draw(st.sampled_from([["friend_of"], "said_by", [N.SAID_BY, N.CUE_OF], None]))
    elif what == "unknown_choice":  # on stance, kind, quote_flags (a speaker choice is any name: unregistered ones are counted by build)
        res[draw(st.sampled_from(quote_choices))]["value"]["choices"] = [draw(st.sampled_from(["positive", "", "Hun Sen?", "speaker  unknown"]))]
    elif what == "choices_type":
        res[draw(st.sampled_from(per_region))]["value"]["choices"] = draw(st.sampled_from([None, "favor", [1], {}]))
    return what


def check_consistent(arts) -> None:
    for a in arts:
        ids = [q.quote_id for q in a.quotes]
        assert len(ids) == len(set(ids)), ids
        for q in a.quotes:
            assert 0 <= q.start < q.end <= len(a.text) and a.text[q.start:q.end] == q.text
            assert q.stance in STANCE and q.kind in QUOTE_KINDS
            assert q.speaker is None or (isinstance(q.speaker, str) and q.speaker.strip()), f"blank speaker {q!r}"
            for s, e in ((q.speaker_start, q.speaker_end), (q.cue_start, q.cue_end)):
                assert (s is None) == (e is None)
                assert s is None or 0 <= s < e <= len(a.text)


@SETTINGS
@given(export=drawn_export(), data=st.data())
def test_one_defect_stays_in_its_task_and_is_reported(export, data):
    tasks, expected = export
    k = data.draw(st.integers(0, len(tasks) - 1))
    bad = copy.deepcopy(tasks)
    victim_id = bad[k]["id"]
    victim_aid = bad[k]["data"]["article_id"]
    as_item = data.draw(st.integers(0, 12)) == 0
    if as_item:
        what = "not_a_task"
        bad[k] = data.draw(st.sampled_from([None, 3, "task", [], {"id": victim_id}]))
    else:
        what = data.draw(defect(bad[k]))
    event(what)
    with tempfile.TemporaryDirectory() as d:
        e = write(Path(d), "e.json", bad)
        try:
            arts, log = read([e])
        except QuotekitError as exc:  # pragma: no cover - the reader skips and counts instead
            raise AssertionError(f"lenient read raised {exc!r}") from None
        # 1. every other task is exactly as drawn
        got = as_tuples(arts)
        for aid, quotes in expected.items():
            if aid != victim_aid:
                assert got.get(aid) == quotes, aid
        # 2. what is left of the damaged task is consistent
        check_consistent(arts)
        # 3. every problem is located: file and task (and region/relation/item for result items)
        for reason, msg in log.messages:
            assert "e.json" in msg, msg
            if reason not in ("invalid_json", "not_a_task"):
                assert f"task {victim_id}" in msg, msg
        if got.get(victim_aid) != expected[victim_aid] and what != "drop_item":  # (a kind or a cue is optional)
            assert log.total > 0, f"{what}: quotes changed without any reported issue"
        # 4. strict fails (exit 4) exactly when the lenient read reported a problem
        problems = sum(v for r, v in log.counts.items() if r not in INFO_REASONS)
        try:
            strict_arts, _ = read([e], strict=True)
        except ValidationFailed as exc:
            assert problems > 0, f"{what}: strict failed on an export the lenient read found clean: {exc}"
            assert exc.exit_code == 4 and "e.json" in str(exc)
        else:
            assert problems == 0, f"{what}: strict accepted {log.messages}"
            assert as_tuples(strict_arts) == got


@SETTINGS
@given(export=drawn_export(), data=st.data())
def test_truncated_export_keeps_every_complete_task_before_the_cut(export, data):
    tasks, expected = export
    parts = [json.dumps(t, ensure_ascii=False) for t in tasks]
    raw = "[\n" + ",\n".join(parts) + "\n]\n"
    ends, pos = [], 2
    for p in parts:
        pos += len(p)
        ends.append(pos)
        pos += 2
    cut = data.draw(st.integers(0, len(raw) - 3))  # at least the closing bracket is lost
    with tempfile.TemporaryDirectory() as d:
        e = Path(d) / "cut.json"
        e.write_text(raw[:cut], encoding="utf-8")
        arts, log = read([e])
        assert log.counts.get("invalid_json") == 1, log.counts
        msg = next(m for r, m in log.messages if r == "invalid_json")
        assert "cut.json" in msg
        complete = {t["data"]["article_id"] for t, end in zip(tasks, ends) if end <= cut}
        assert as_tuples(arts) == {aid: expected[aid] for aid in expected if aid in complete}
        try:
            read([e], strict=True)
        except ValidationFailed as exc:
            assert exc.exit_code == 4 and "cut.json" in str(exc)
        else:
            raise AssertionError("a truncated export passed --strict")


# --------------------------------------------------------------------------- agreement


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(export=drawn_export(), data=st.data())
def test_agreement_of_identical_annotations_is_perfect_and_defects_never_crash_it(export, data):
    """Every task annotated twice, by two people, identically: span F1, speaker and stance
    agreement are 1. Then one annotation gets a random defect: the figures stay in range."""
    from toolkit.dataset import compute_agreement
    from toolkit.config import load_stance

    tasks, expected = export
    for t in tasks:
        live = [a for a in t["annotations"] if not a["was_cancelled"]]
        first = copy.deepcopy(max(live, key=lambda a: a["created_at"]))
        first["completed_by"] = {"id": 1, "email": "one@example.org"}
        second = copy.deepcopy(first)
        second["id"] += 50
        second["completed_by"] = {"id": 2, "email": "two@example.org"}
        t["annotations"] = [first, second]
    scheme = load_stance()
    with tempfile.TemporaryDirectory() as d:
        rep = compute_agreement([write(Path(d), "e.json", tasks)], stance=scheme)
        assert rep.tasks == len(tasks) and rep.annotators == ["one@example.org", "two@example.org"]
        n = sum(len(q) for q in expected.values())
        assert rep.matched == n
        if n:
            assert rep.span_f1 == 1.0 and rep.speaker_agreement == 1.0 and rep.stance_observed == 1.0
            assert rep.stance_kappa in (None, 1.0)
        k = data.draw(st.integers(0, len(tasks) - 1))
        victim = tasks[k]
        victim["annotations"][1]["created_at"] = victim["annotations"][1]["updated_at"] = "2026-12-01T00:00:00Z"
        data.draw(defect(victim))
        try:
            rep = compute_agreement([write(Path(d), "e2.json", tasks)], stance=scheme)
        except QuotekitError:
            return
        for x in (rep.span_f1, rep.speaker_agreement, rep.stance_observed):
            assert x is None or 0.0 <= x <= 1.0
        for x in (rep.stance_kappa, *rep.per_label.values()):
            assert x is None or -1.0 - 1e-9 <= x <= 1.0 + 1e-9
        json.dumps(rep.to_dict(), allow_nan=False)
