"""Export -> dataset directory -> ``datasets.load_dataset``: identity, splits, card, CLI behaviour."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fixtures.lsexport import ART1, Ann, annotation, corpus, corpus_text, small_export, task, write
from toolkit.config import load_registry, load_stance
from toolkit.dataset import build_dataset
from toolkit.dataset.features import build_features
from toolkit.dataset.splits import parse_ratios, split_of
from toolkit.errors import BadInputError, QuotekitError, ValidationFailed
from toolkit.labelstudio import names as N
from toolkit.labelstudio.export import ExportReader, IssueLog

STANCE = ("favor", "against", "neutral")
REGISTRY = load_registry()
SCHEME = load_stance()


def load(path: Path, config: str | None, cache: Path):
    import datasets

    datasets.disable_progress_bars()
    return datasets.load_dataset(str(path), config, cache_dir=str(cache)) if config else datasets.load_dataset(str(path), cache_dir=str(cache))


def expected_quotes(paths) -> dict[str, tuple]:
    """What the parser reads from the exports, keyed by quote id."""
    from toolkit.config import load_registry

    reg = load_registry()
    reader = ExportReader(paths, issues=IssueLog(), stance_labels=STANCE, canonical=lambda s: reg.get(s).name if reg.get(s) else s, affiliation=reg.affiliation)
    out = {}
    for art in reader.articles():
        for q in art.quotes:
            out[q.quote_id] = (art.article_id, q.start, q.end, q.text, q.kind, q.speaker, q.speaker_start, q.speaker_end, q.cue_start, q.cue_end, q.stance, q.affiliation)
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A 40-article corpus plus the small export, built once."""
    d = tmp_path_factory.mktemp("built")
    e1 = write(d / "corpus.json", corpus(40))
    e2 = write(d / "small.json", small_export())
    summary = build_dataset([e1, e2], d / "ds", batch_rows=16)
    return d, [e1, e2], summary


# --------------------------------------------------------------------------- round trip


def test_round_trip_keeps_every_quote_in_both_configs(built):
    d, exports, summary = built
    want = expected_quotes(exports)
    assert summary.quotes == len(want) == 40 * 4 + 5 and summary.articles == 42

    quotes = load(d / "ds", "quotes", d / "cache")
    assert set(quotes) == {"train", "validation", "test"}
    f = quotes["train"].features
    got = {}
    for split in quotes.values():
        for r in split:
            got[r["quote_id"]] = (r["article_id"], r["start"], r["end"], r["text"], f["kind"].int2str(r["kind"]), r["speaker"], r["speaker_start"], r["speaker_end"], r["cue_start"], r["cue_end"], f["stance"].int2str(r["stance"]), None if r["affiliation"] is None else f["affiliation"].int2str(r["affiliation"]))
            assert r["context"][r["start"] - r["context_start"] : r["end"] - r["context_start"]] == r["text"]
    assert got == want

    articles = load(d / "ds", None, d / "cache")  # the default config
    assert articles["train"].features == build_features(STANCE)["articles"]
    got = {}
    for split in articles.values():
        qf = split.features["quotes"].feature
        for r in split:
            for q in r["quotes"]:
                assert r["text"][q["start"] : q["end"]] == q["text"]
                assert r["text"][q["speaker_start"] : q["speaker_end"]] if q["speaker"] else True
                got[q["quote_id"]] = (r["article_id"], q["start"], q["end"], q["text"], qf["kind"].int2str(q["kind"]), q["speaker"], q["speaker_start"], q["speaker_end"], q["cue_start"], q["cue_end"], qf["stance"].int2str(q["stance"]), None if q["affiliation"] is None else qf["affiliation"].int2str(q["affiliation"]))
    assert got == want
    explicit = load(d / "ds", "articles", d / "cache")
    assert sum(len(s) for s in explicit.values()) == 42


def test_labels_speakers_and_affiliations(built):
    _, exports, summary = built
    want = expected_quotes(exports)
    speakers = {v[5]: v[11] for v in want.values()}
    assert speakers["Koy Kuong"] == "government"  # alias "Kuy Kuong" canonicalised through the registry
    assert speakers["Hun Sen"] == "government" and speakers["Sam Rainsy"] == "opposition"
    assert speakers["Jane Doe 1"] == "other"  # not in the registry
    assert speakers[None] is None  # speaker marked unknown
    assert summary.speakers["Koy Kuong"] == 40 and summary.speakers[None] == 1
    assert sum(summary.stance.values()) == summary.quotes
    assert speakers["Phay Siphan"] == "government"  # registered with the Cambodian registry (f7722e3)
    assert summary.unregistered_speakers == {"Jane Doe 0", "Jane Doe 1", "Jane Doe 2"}


def test_quote_ids_are_derived_and_stable(built, tmp_path):
    d, exports, _ = built
    again = build_dataset(exports, tmp_path / "again")
    import pyarrow.parquet as pq

    def ids(root):
        return sorted(i for f in (root / "data" / "quotes").glob("*.parquet") for i in pq.read_table(f, columns=["quote_id"]).column(0).to_pylist())

    assert ids(d / "ds") == ids(tmp_path / "again")
    start = corpus_text(1).index("the plan 1 would fail")
    assert f"c-00001:{start}-{start + 21}" in ids(tmp_path / "again") and again.quotes == 165


# --------------------------------------------------------------------------- splits


def test_splits_are_per_article_deterministic_and_follow_the_ratios(built):
    d, _, summary = built
    import pyarrow.parquet as pq

    split_of_article = {}
    for f in (d / "ds" / "data" / "quotes").glob("*.parquet"):
        split = f.name.split("-")[0]
        for aid in pq.read_table(f, columns=["article_id"]).column(0).to_pylist():
            assert split_of_article.setdefault(aid, split) == split  # an article never straddles splits
    assert all(split_of(a, (0.8, 0.1, 0.1)) == s for a, s in split_of_article.items())
    assert summary.splits["train"]["articles"] > summary.splits["test"]["articles"]
    assert sum(s["articles"] for s in summary.splits.values()) == 42


def test_split_ratios():
    assert parse_ratios("8,1,1") == (0.8, 0.1, 0.1)
    assert {split_of(f"a{i}", (1, 0, 0)) for i in range(200)} == {"train"}
    assert {split_of(f"a{i}", (0, 0, 1)) for i in range(200)} == {"test"}
    counts = [split_of(f"a{i}", (0.5, 0.25, 0.25)) for i in range(4000)]
    assert 1800 < counts.count("train") < 2200
    for bad in ("1,2", "a,b,c", "-1,1,1", "0,0,0"):
        with pytest.raises(BadInputError):
            parse_ratios(bad)


def test_splits_option_and_empty_splits_are_left_out(tmp_path):
    e = write(tmp_path / "e.json", corpus(6))
    s = build_dataset([e], tmp_path / "ds", splits="1,0,0")
    assert s.splits["validation"] == {"articles": 0, "quotes": 0}
    ds = load(tmp_path / "ds", "quotes", tmp_path / "cache")
    assert list(ds) == ["train"] and len(ds["train"]) == 24


# --------------------------------------------------------------------------- card and chart


def test_card_is_generated_from_the_features(built):
    import yaml

    d, _, summary = built
    text = (d / "ds" / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(text.split("---\n")[1])
    feats = build_features(STANCE)
    infos = {i["config_name"]: i for i in header["dataset_info"]}
    for name in ("articles", "quotes"):
        assert infos[name]["features"] == feats[name]._to_yaml_list()
        assert {s["name"]: s["num_examples"] for s in infos[name]["splits"]} == {k: v[name] for k, v in summary.splits.items() if v[name]}
    cfg = {c["config_name"]: c for c in header["configs"]}
    assert cfg["articles"]["default"] is True
    assert {f["path"] for f in cfg["quotes"]["data_files"]} == {f"data/quotes/{s}-*.parquet" for s in ("train", "validation", "test")}
    for field in feats["quotes"]:
        assert f"| `{field}` |" in text
    assert "ClassLabel(favor, against, neutral)" in text
    assert "quotekit version 0.1.0 with rule set `rules-1`" in text
    assert "![Stance by speaker](speaker_stance.png)" in text
    assert "| Koy Kuong | government | 40 |" in text
    assert "| Example Daily | 21 |" in text
    assert "load_dataset(" in text and "## Licence" in text and "## Known limitations" in text
    assert "quote list can be incomplete" not in text  # nothing was skipped


def test_chart_is_a_png(built):
    d, _, summary = built
    assert summary.chart_path == d / "ds" / "speaker_stance.png"
    assert summary.chart_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_parquet_is_written_in_batches(built):
    import pyarrow.parquet as pq

    d, _, summary = built
    f = d / "ds" / "data" / "quotes" / "train-00000-of-00001.parquet"
    meta = pq.ParquetFile(f).metadata
    n = summary.splits["train"]["quotes"]
    assert meta.num_rows == n and meta.num_row_groups == -(-n // 16)  # batch_rows=16 in the fixture


# --------------------------------------------------------------------------- validation through the CLI


def _export_with_problems(tmp_path: Path) -> Path:
    a = Ann(ART1, seed="p")
    a.quote("the plan would fail", "Phay Siphan", "favor")
    q = a.span(N.QUOTE, "the regime fears the truth.")  # no speaker relation, no flag
    a.choice(q, N.STANCE, "against")
    a.region(N.SPEAKER, 0, 5, text="WRONG")  # text mismatch
    tasks = corpus(3) + [task(ART1, id=50, article_id="p-1", annotations=[annotation(a, id=50, task=50)]), task(None, id=51, article_id="p-2", annotations=[annotation([], id=51, task=51)])]
    return write(tmp_path / "problems.json", tasks)


def test_default_build_skips_and_counts_bad_items(run_cli, tmp_path, monkeypatch, capsys):
    e = _export_with_problems(tmp_path)
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds"])
    assert code == 0, err
    assert "skipped: no_speaker" in out and "skipped: text_mismatch" in out and "skipped: no_text" in out
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    for reason in ("no_speaker", "text_mismatch", "no_text"):
        assert f"| `{reason}` | 1 |" in card
    assert "an article's quote list can be incomplete" in card
    s = build_dataset([e], tmp_path / "lib")
    assert s.skipped == {"no_speaker": 1, "text_mismatch": 1, "no_text": 1} and s.quotes == 3 * 4 + 1
    d = json.loads(json.dumps(s.to_dict()))
    assert d["skipped"] == {"no_speaker": 1, "text_mismatch": 1, "no_text": 1} and d["quotes"] == 13 and d["speakers"]["Hun Sen"] == 3


def test_strict_build_fails_with_exit_4_and_one_line(run_cli, tmp_path, monkeypatch, capsys):
    e = _export_with_problems(tmp_path)
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds", "--strict"])
    assert code == 4
    assert err.startswith("Error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert "problems.json task 50" in err
    assert not (tmp_path / "ds").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["problems.json"]  # no temporary directory left


def test_truncated_export_via_cli(run_cli, tmp_path, monkeypatch, capsys):
    good = json.dumps(corpus(3))
    e = tmp_path / "cut.json"
    e.write_text(good[:-200], encoding="utf-8")
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds"])
    assert code == 0 and "skipped: invalid_json" in out
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds2", "--strict"])
    assert code == 4 and "cut.json" in err and "Traceback" not in err


def test_nothing_buildable_is_bad_input(tmp_path):
    e = write(tmp_path / "e.json", [task(ART1, id=1, article_id="a")])
    with pytest.raises(BadInputError, match="no article could be built"):
        build_dataset([e], tmp_path / "ds")
    assert not (tmp_path / "ds").exists()


def test_refuses_to_overwrite_unless_forced(run_cli, tmp_path, monkeypatch, capsys):
    e = write(tmp_path / "e.json", corpus(4))
    out_dir = tmp_path / "ds"
    code, _, err = run_cli(["build", e, "-o", out_dir])
    assert code == 0, err
    first = (out_dir / "README.md").read_text(encoding="utf-8")
    code, _, err = run_cli(["build", e, "-o", out_dir])
    assert code == 2 and "--force" in err
    # a failing forced build leaves the old build as it was
    bad = _export_with_problems(tmp_path)
    code, _, _ = run_cli(["build", bad, "-o", out_dir, "--force", "--strict"])
    assert code == 4 and (out_dir / "README.md").read_text(encoding="utf-8") == first
    code, _, err = run_cli(["build", bad, "-o", out_dir, "--force"])
    assert code == 0, err
    assert (out_dir / "README.md").read_text(encoding="utf-8") != first and "text_mismatch" in (out_dir / "README.md").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds", "e.json", "problems.json"]
    # an empty directory is fine without --force
    (tmp_path / "empty").mkdir()
    assert build_dataset([e], tmp_path / "empty").articles == 4


def test_force_replaces_only_a_previous_quotekit_build(run_cli, tmp_path, monkeypatch, capsys):
    e = write(tmp_path / "e.json", corpus(4))
    user = tmp_path / "mine"
    user.mkdir()
    (user / "notes.txt").write_text("my notes")
    code, _, err = run_cli(["build", e, "-o", user, "--force"])
    assert code == 2 and err.count("\n") == 1
    assert "not a previous quotekit build" in err and "notes.txt" in err
    assert (user / "notes.txt").read_text() == "my notes" and sorted(p.name for p in user.iterdir()) == ["notes.txt"]
    # a user folder that merely has a README.md and data/ is not a build either
    (user / "notes.txt").unlink()
    (user / "README.md").write_text("# my project\n")
    (user / "data").mkdir()
    (user / "data" / "table.csv").write_text("a,b\n")
    with pytest.raises(BadInputError, match="not a previous quotekit build"):
        build_dataset([e], user, force=True)
    assert (user / "data" / "table.csv").exists()
    # a previous build with a file added by hand is refused too: --force would delete it
    build_dataset([e], tmp_path / "ds")
    (tmp_path / "ds" / "todo.md").write_text("keep me")
    with pytest.raises(BadInputError, match="todo.md"):
        build_dataset([e], tmp_path / "ds", force=True)
    (tmp_path / "ds" / "todo.md").unlink()
    # a card edited by hand (text added at its end) is not overwritten either
    card = tmp_path / "ds" / "README.md"
    edited = card.read_text(encoding="utf-8") + "\nMy notes on this release.\n"
    card.write_text(edited, encoding="utf-8")
    with pytest.raises(BadInputError, match="edited by hand"):
        build_dataset([e], tmp_path / "ds", force=True)
    assert card.read_text(encoding="utf-8") == edited
    card.write_text(edited.replace("\nMy notes on this release.\n", ""), encoding="utf-8")
    assert build_dataset([e], tmp_path / "ds", force=True).articles == 4


def test_nothing_built_names_the_first_problem_and_what_build_reads(run_cli, tmp_path, monkeypatch, capsys):
    jsonl = tmp_path / "articles.jsonl"
    jsonl.write_text("".join(json.dumps({"article_id": f"a{i}", "text": "He said so."}) + "\n" for i in range(3)), encoding="utf-8")
    code, _, err = run_cli(["build", jsonl, "-o", tmp_path / "ds"])
    assert code == 2 and err.count("\n") == 1
    assert "First problem:" in err and "build takes Label Studio exports, from `quotekit ls pull`" in err


def test_output_is_not_the_current_directory_or_above(run_cli, tmp_path, monkeypatch, capsys):
    (tmp_path / "in").mkdir()
    e = write(tmp_path / "in" / "e.json", corpus(2))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for out in (".", "..", str(work)):
        code, _, err = run_cli(["build", e, "-o", out, "--force"])
        assert code == 2 and "current directory" in err and "space" not in err, err
    code, _, err = run_cli(["build", e, "-o", tmp_path, "--force"])
    assert code == 2 and "current directory" in err  # tmp_path contains the current directory
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "work"]
    # an output that contains the inputs is refused before anything else, with or without --force
    code, _, err = run_cli(["build", e, "-o", tmp_path / "in"])
    assert code == 2 and "does not contain the inputs" in err
    code, _, err = run_cli(["build", e, "-o", "ds"])
    assert code == 0, err
    assert (work / "ds" / "README.md").exists()


def test_input_inside_the_output_directory_is_refused(tmp_path):
    out_dir = tmp_path / "ds"
    out_dir.mkdir()
    e = write(out_dir / "e.json", corpus(2))
    with pytest.raises(BadInputError, match="inside the output directory"):
        build_dataset([e], out_dir, force=True)
    assert e.exists()


def test_inputs_are_unchanged_after_build(tmp_path):
    e1 = write(tmp_path / "a.json", corpus(5))
    e2 = _export_with_problems(tmp_path)
    before = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in (e1, e2)}
    build_dataset([e1, e2], tmp_path / "ds")
    assert {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in (e1, e2)} == before


def test_later_annotation_wins_across_files_in_the_dataset(tmp_path):
    first = corpus(3, created_at="2026-01-01T10:00:00Z")
    second = corpus(1, created_at="2026-03-01T10:00:00Z")
    second[0]["id"] = 777  # a re-import: other Label Studio task id, same article
    a = Ann(second[0]["data"]["text"], seed="z")
    a.quote("the talks were useful", None, "favor", unknown=True)
    second[0]["annotations"] = [annotation(a, id=999, task=777, created_at="2026-03-01T10:00:00Z")]
    e1, e2 = write(tmp_path / "1.json", first), write(tmp_path / "2.json", second)
    s = build_dataset([e2, e1], tmp_path / "ds")
    assert s.articles == 3 and s.quotes == 1 + 2 * 4
    assert s.speakers[None] == 1
    # the older annotation of the re-imported article was set aside: counted, not skipped
    assert s.notes == {"superseded": 1} and s.superseded == {("2.json", "1.json"): 1} and s.skipped == {}
    assert s.inputs == [{"file": "2.json", "tasks": 1, "kept": 1}, {"file": "1.json", "tasks": 3, "kept": 2}]


def test_annotator_option(run_cli, tmp_path, monkeypatch, capsys):
    alice = {"id": 3, "email": "alice@example.org", "first_name": "", "last_name": ""}
    e = write(tmp_path / "e.json", corpus(3, completed_by=alice) + corpus(2, start_id=10, completed_by=4))
    code, out, err = run_cli(["build", e, "-o", tmp_path / "a", "--annotator", "alice@example.org"])
    assert code == 0, err
    assert build_dataset([e], tmp_path / "b", annotator="4").articles == 2
    assert build_dataset([e], tmp_path / "c", annotator="3").articles == 3
    code, _, err = run_cli(["build", e, "-o", tmp_path / "d", "--annotator", "nobody@example.org"])
    assert code == 2 and "no article could be built" in err and "numeric user id" not in err
    ids_only = write(tmp_path / "ids.json", corpus(2, completed_by=4))
    code, _, err = run_cli(["build", ids_only, "-o", tmp_path / "d", "--annotator", "bob@example.org"])
    assert code == 2 and "pass --annotator <numeric user id>" in err


# --------------------------------------------------------------------------- property


@st.composite
def _text_strategy(draw):
    text = draw(st.text(alphabet="ab “”\"\n.,’é😀$", min_size=1, max_size=40))
    return text + "\ud800" if draw(st.integers(0, 9)) == 0 else text  # now and then a lone surrogate


@st.composite
def random_export(draw):
    """Tasks whose regions are mostly valid, with random breakage: bad offsets, wrong text, unknown
    labels, duplicated ids, dangling or mislabelled relations, malformed items, no text, cancellations."""
    tasks = []
    for t in range(draw(st.integers(1, 3))):
        text = draw(_text_strategy())
        n = len(text)
        result = []
        ids = [f"r{k}" for k in range(draw(st.integers(0, 6)))]
        for rid in ids:
            label = draw(st.sampled_from([N.QUOTE, N.QUOTE, N.SPEAKER, N.SPEAKER, N.CUE, "OTHER"]))
            if draw(st.integers(0, 4)):  # a valid span
                start = draw(st.integers(0, n - 1))
                end = draw(st.integers(start + 1, n))
                rtext = text[start:end]
            else:
                start, end = draw(st.integers(-2, n + 2)), draw(st.integers(-2, n + 3))
                rtext = text[start:end] if draw(st.booleans()) and 0 <= start <= end else draw(st.text(max_size=3))
            rid_used = draw(st.sampled_from(ids)) if draw(st.integers(0, 9)) == 0 else rid
            result.append({"id": rid_used, "from_name": N.LABELS, "to_name": N.TEXT, "type": "labels", "value": {"start": start, "end": end, "text": rtext, "labels": [label]}})
            if label == N.QUOTE and draw(st.integers(0, 4)):
                result.append({"id": rid, "from_name": N.STANCE, "to_name": N.TEXT, "type": "choices", "value": {"choices": [draw(st.sampled_from(["favor", "against", "neutral", "neutral", "positive"]))]}})
            if label == N.QUOTE and draw(st.booleans()):
                result.append({"type": "relation", "from_id": rid, "to_id": draw(st.sampled_from(ids)), "direction": "right", "labels": [N.SAID_BY]})
            if label == N.QUOTE and draw(st.integers(0, 3)) == 0:
                result.append({"id": rid, "from_name": N.QUOTE_FLAGS, "to_name": N.TEXT, "type": "choices", "value": {"choices": [N.SPEAKER_UNKNOWN]}})
            if draw(st.integers(0, 2)) == 0:
                fname = draw(st.sampled_from([N.KIND, N.QUOTE_FLAGS, N.QUOTE_FLAGS, N.SPEAKER_NAME, "bogus"]))
                choice = draw(st.sampled_from(["direct", "mixed", "weird", N.SPEAKER_UNKNOWN, "Hun Sen", "Kuy Kuong"]))
                result.append({"id": rid, "from_name": fname, "to_name": N.TEXT, "type": "choices", "value": {"choices": [choice]}})
            if draw(st.integers(0, 3)) == 0:
                result.append({"id": rid, "from_name": N.SPEAKER_NEW, "type": "textarea", "value": {"text": draw(st.one_of(st.lists(st.text(alphabet="ab$\ud800 ", max_size=5), max_size=2), st.none(), st.integers()))}})
        for _ in range(draw(st.integers(0, 6))):
            pool = ids + ["missing"] if draw(st.integers(0, 5)) == 0 else ids
            if not pool:
                break
            result.append({"type": "relation", "from_id": draw(st.sampled_from(pool)), "to_id": draw(st.sampled_from(pool)), "direction": "right", "labels": draw(st.sampled_from([[N.SAID_BY], [N.SAID_BY], [N.CUE_OF], [], ["x"]]))})
        if draw(st.integers(0, 9)) == 0:
            result.append(draw(st.sampled_from([None, 3, {"type": "labels"}, {"id": "q", "value": 5}, {"type": "relation"}])))
        ann = annotation(result, id=t + 1, task=t + 1, completed_by=draw(st.sampled_from([1, 2, {"id": 1, "email": "a@x"}])), was_cancelled=draw(st.integers(0, 9)) == 0, ground_truth=draw(st.booleans()))
        tasks.append(task(text if draw(st.integers(0, 9)) else None, id=t + 1, article_id=draw(st.sampled_from(["a", "b", "c", None])), annotations=[ann]))
    return tasks


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(tasks=random_export(), truncate=st.integers(0, 12), strict=st.booleans(), chart=st.integers(0, 4).map(lambda i: i == 0))
def test_build_never_raises_but_quotekit_errors_and_offsets_hold(tmp_path_factory, tasks, truncate, strict, chart):
    import pyarrow.parquet as pq

    d = tmp_path_factory.mktemp("prop")
    raw = json.dumps(tasks)  # ASCII: a lone surrogate is written as the escape \ud800
    if truncate == 0:
        raw = raw[: len(raw) // 2]
    e = d / "e.json"
    e.write_text(raw, encoding="utf-8")
    try:
        s = build_dataset([e], d / "ds", strict=strict, chart=chart, registry=REGISTRY, stance=SCHEME)
    except QuotekitError as exc:
        event(type(exc).__name__)
        assert strict or not isinstance(exc, ValidationFailed)
        assert (isinstance(exc, ValidationFailed) or "no article could be built" in str(exc)
                or "not an export of a quotekit project" in str(exc))  # no QUOTE anywhere, unknown labels: foreign
        assert not (d / "ds").exists()
        return
    event(f"built ({'some' if s.quotes else 'no'} quotes)")
    for f in (d / "ds" / "data" / "articles").glob("*.parquet"):
        for row in pq.read_table(f).to_pylist():
            for q in row["quotes"]:
                assert row["text"][q["start"] : q["end"]] == q["text"]
                if q["speaker_start"] is not None:
                    assert 0 <= q["speaker_start"] < q["speaker_end"] <= len(row["text"])


# --------------------------------------------------------------------------- --push-to-hub (offline: a fake HfApi)


class _FakeApi:
    calls: list = []
    fail = False

    def __init__(self, token=None):
        pass

    def create_repo(self, repo_id, **kw):
        _FakeApi.calls.append(("create_repo", repo_id, kw.get("repo_type")))

    def upload_folder(self, *, folder_path, repo_id, repo_type, **kw):
        if _FakeApi.fail:
            raise RuntimeError("401 Unauthorized\nmore lines")
        _FakeApi.calls.append(("upload_folder", repo_id, repo_type, sorted(p.name for p in Path(folder_path).iterdir())))


def test_push_to_hub_uploads_the_built_directory(run_cli, tmp_path, monkeypatch, capsys):
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "HfApi", _FakeApi)
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: "hf_fake")
    _FakeApi.calls = []
    e = write(tmp_path / "e.json", corpus(3))
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds", "--push-to-hub", "me/quotes"])
    assert code == 0, err
    assert _FakeApi.calls == [("create_repo", "me/quotes", "dataset"), ("upload_folder", "me/quotes", "dataset", ["LICENSE.md", "README.md", "data", "speaker_stance.png"])]
    assert "https://huggingface.co/datasets/me/quotes" in out
    assert 'load_dataset("me/quotes", "quotes")' in (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    _FakeApi.fail = True
    try:
        code, out, err = run_cli(["build", e, "-o", tmp_path / "ds2", "--push-to-hub", "me/quotes"])
    finally:
        _FakeApi.fail = False
    assert code == 3 and err == "Error: push to the Hub failed for me/quotes: RuntimeError: 401 Unauthorized\n"
    assert (tmp_path / "ds2" / "README.md").exists()  # the local build stays


@pytest.mark.parametrize("repo_id", ["bad repo", "a/b/c", "me/-x", "quotes"])
def test_malformed_hub_repo_id_is_refused_before_building(run_cli, repo_id, tmp_path, monkeypatch, capsys):
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "HfApi", _FakeApi)
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: "hf_fake")
    _FakeApi.calls = []
    e = write(tmp_path / "e.json", corpus(2))
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds", "--push-to-hub", repo_id])
    assert code == 2 and err.startswith("Error: --push-to-hub") and err.count("\n") == 1 and "owner/name" in err, err
    assert not (tmp_path / "ds").exists() and _FakeApi.calls == []


def test_push_without_token_says_how_to_log_in_and_makes_no_call(run_cli, tmp_path, monkeypatch, capsys):
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "HfApi", _FakeApi)
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: None)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    _FakeApi.calls = []
    e = write(tmp_path / "e.json", corpus(2))
    code, out, err = run_cli(["build", e, "-o", tmp_path / "ds", "--push-to-hub", "me/quotes"])
    assert code == 2 and err.count("\n") == 1
    assert "no Hugging Face token" in err and "auth login" in err and "HF_TOKEN" in err and str(tmp_path / "ds") in err
    assert _FakeApi.calls == []  # nothing reached the network layer
    assert (tmp_path / "ds" / "README.md").exists()  # the build stays on disk
    # the library entry point checks the same before any call; an explicit token is used as given
    from toolkit.dataset import push_to_hub

    with pytest.raises(BadInputError, match="no Hugging Face token"):
        push_to_hub(tmp_path / "ds", "me/quotes")
    assert push_to_hub(tmp_path / "ds", "me/quotes", token="hf_given") == "https://huggingface.co/datasets/me/quotes"
    assert [c[0] for c in _FakeApi.calls] == ["create_repo", "upload_folder"]


def test_docstring_examples_hold():
    import doctest

    import toolkit.dataset.agreement
    import toolkit.dataset.card
    import toolkit.dataset.changelog
    import toolkit.dataset.splits
    import toolkit.dataset.writer

    for module in (toolkit.dataset.agreement, toolkit.dataset.card, toolkit.dataset.changelog, toolkit.dataset.splits, toolkit.dataset.writer):
        res = doctest.testmod(module)
        assert res.failed == 0 and res.attempted > 0, module.__name__


def test_real_label_studio_ui_export(tmp_path):
    """``fixtures/ls_ui_export.json`` was exported by Label Studio 1.23.2 after an annotator, in the
    real UI (tests/browser), changed the first quote's stance to 'against' and its speaker to the
    registry name 'Sar Kheng' (the SPEAKER region still covers the text 'Hun Sen')."""
    e = Path(__file__).parent / "fixtures" / "ls_ui_export.json"
    before = e.read_bytes()
    s = build_dataset([e], tmp_path / "ds", splits="1,0,0")
    assert e.read_bytes() == before
    assert s.skipped == {} and s.model_versions == {"quotekit-0.1.0+rules-1": 1}
    ds = load(tmp_path / "ds", "quotes", tmp_path / "cache")["train"]
    f = ds.features
    rows = [(r["text"], r["speaker"], f["stance"].int2str(r["stance"]), f["kind"].int2str(r["kind"]), f["affiliation"].int2str(r["affiliation"]), r["cue_start"]) for r in ds]
    assert rows == [
        ("This is necessary work to do, with the aim of national reconciliation,", "Sar Kheng", "against", "direct", "government", 81),
        ("It shows that the regime fears the truth,", "Mu Sochua", "against", "direct", "opposition", 141),
    ]


def test_a_speaker_whose_side_changed_gets_the_side_of_the_article_date(tmp_path):
    """Registry affiliations can be dated (a defector): each quote gets the side its speaker had
    on the article's date; an undated article gets the plain affiliation."""
    from toolkit.config import parse_registry

    registry = parse_registry({"speakers": [{
        "name": "Sam Rainsy", "affiliation": "opposition",
        "affiliations": [{"affiliation": "government", "start": "1993-06-01", "end": "1994-10-31"}],
    }]}, tmp_path / "speakers.yaml")
    text = "Sam Rainsy told reporters that “the regime fears the truth.”"
    tasks = []
    for n, date in enumerate(["1994-02-01", "2013-07-28", ""], start=1):
        a = Ann(text, seed=f"d{n}")
        a.quote("the regime fears the truth.", "Sam Rainsy", "against")
        tasks.append(task(text, id=n, article_id=f"dated-{n}", date=date, annotations=[annotation(a, id=n, task=n)]))
    e = write(tmp_path / "dated.json", tasks)
    build_dataset([e], tmp_path / "ds", registry=registry, stance=SCHEME, chart=False)
    import pyarrow.parquet as pq

    rows = [r for f in sorted((tmp_path / "ds" / "data" / "quotes").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    names = build_features(SCHEME.labels)["quotes"]["affiliation"].names
    got = {r["article_id"]: names[r["affiliation"]] for r in rows}
    assert got == {"dated-1": "government", "dated-2": "opposition", "dated-3": "opposition"}
