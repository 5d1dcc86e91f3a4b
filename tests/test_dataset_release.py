"""Releases (issue 17): `quotekit build --release VERSION [--previous DIR]` writes the version and a
changelog (card and CHANGELOG.md) naming exactly the articles and quotes added, removed and changed
since the previous build; `--push-to-hub` tags the Hub commit (a fake HfApi: no network)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from fixtures.lsexport import Ann, annotation, corpus_text, task, write
from toolkit.dataset import build_dataset
from toolkit.dataset.changelog import CHANGELOG_FILE, Release, compare_config


def _article(i: int, quotes: list[tuple], title: str = "A title") -> dict:
    """Article ``c-0000i`` (the corpus text) with ``quotes``: (quote, speaker mention, stance)."""
    text = corpus_text(i)
    a = Ann(text, seed=f"r{i}-{len(quotes)}")
    for quote, speaker, stance in quotes:
        a.quote(quote, speaker, stance)
    return task(text, id=i, article_id=f"c-{i:05d}", title=title, annotations=[annotation(a, id=10_000 + i, task=i)])


def _quotes(i: int) -> list[tuple]:
    return [(f"We will win vote number {i},", "Hun Sen", "favor"), (f"the plan {i} would fail", "Sam Rainsy", "against"),
            (f"No comment on case {i}.", "Kuy Kuong", "neutral"), ("the talks were useful", f"Jane Doe {i % 3}", "favor")]


def qid(text: str, i: int, quote: str) -> str:
    start = text.index(quote)
    return f"c-{i:05d}:{start}-{start + len(quote)}"


def two_exports(tmp_path: Path) -> tuple[Path, Path, dict]:
    """Export v1: articles 1-5; export v2 differs by known articles and quotes (returned as ``want``)."""
    v1 = [_article(i, _quotes(i)) for i in range(1, 6)]
    q2, q3, q4 = _quotes(2), _quotes(3), _quotes(4)
    q2[1] = (q2[1][0], q2[1][1], "favor")  # stance changed
    q3[3] = (q3[3][0], "Sam Rainsy", q3[3][2])  # speaker changed (and with it its mention offsets and affiliation)
    del q4[2]  # quote removed
    q4[1] = ("plan 4 would fail", "Sam Rainsy", "against")  # boundary moved: a new quote id
    v2 = [_article(1, _quotes(1), title="A new title"), _article(2, q2), _article(3, q3), _article(4, q4), _article(6, _quotes(6))]
    t = {i: corpus_text(i) for i in range(1, 7)}
    want = {
        "articles": {"added": ["c-00006"], "removed": ["c-00005"], "changed": {"c-00001": ("title",)}},
        "quotes": {
            "added": sorted([qid(t[4], 4, "plan 4 would fail")] + [qid(t[6], 6, q[0]) for q in _quotes(6)]),
            "removed": sorted([qid(t[4], 4, "No comment on case 4."), qid(t[4], 4, "the plan 4 would fail")]
                              + [qid(t[5], 5, q[0]) for q in _quotes(5)]),
            "changed": {qid(t[2], 2, "the plan 2 would fail"): ("stance",),
                        qid(t[3], 3, "the talks were useful"): ("speaker", "speaker_start", "speaker_end", "affiliation")},
        },
    }
    return write(tmp_path / "v1.json", v1), write(tmp_path / "v2.json", v2), want


def test_the_changelog_of_two_builds_names_exactly_the_changed_quotes(run_cli, tmp_path):
    e1, e2, want = two_exports(tmp_path)
    code, out, err = run_cli(["build", e1, "-o", tmp_path / "ds1", "--release", "v1"])
    assert code == 0, err
    assert "Release v1: first release (5 articles, 20 quotes)." in out
    log1 = (tmp_path / "ds1" / CHANGELOG_FILE).read_text(encoding="utf-8")
    assert "## v1" in log1 and "First release" in log1
    assert "### v1" in (tmp_path / "ds1" / "README.md").read_text(encoding="utf-8")

    rel = Release("v2", tmp_path / "ds1")
    build_dataset([e2], tmp_path / "ds2", release=rel)
    ch = rel.changelog
    assert not ch.first and ch.previous_version == "v1"
    for config in ("articles", "quotes"):
        got = getattr(ch, config)
        assert sorted(got.added) == want[config]["added"], config
        assert sorted(got.removed) == want[config]["removed"], config
        assert got.changed == want[config]["changed"], config
        assert got.new_columns == [] and got.dropped_columns == []
    assert (ch.articles.before, ch.articles.after, ch.quotes.before, ch.quotes.after) == (5, 5, 20, 19)
    assert ch.quotes.by_field() == {"speaker": 1, "speaker_start": 1, "speaker_end": 1, "stance": 1, "affiliation": 1}
    d = ch.to_dict()
    assert d["version"] == "v2" and d["previous_version"] == "v1" and not d["first_release"]
    assert d["quotes"]["changed"] == {k: list(v) for k, v in want["quotes"]["changed"].items()} and d["articles"]["removed"] == ["c-00005"]

    # the file names every id and keeps the earlier release; the card says the same
    log2 = (tmp_path / "ds2" / CHANGELOG_FILE).read_text(encoding="utf-8")
    assert log2.index("## v2") < log2.index("## v1") and "First release" in log2
    card = (tmp_path / "ds2" / "README.md").read_text(encoding="utf-8")
    for text in (log2, card):
        for config in ("articles", "quotes"):
            for rid in want[config]["added"] + want[config]["removed"]:
                assert f"`{rid}`" in text, rid
            for rid, fields in want[config]["changed"].items():
                assert f"- `{rid}`: {', '.join(fields)}" in text
        assert "quotes: 20 -> 19; 5 added, 6 removed, 2 changed (speaker 1, speaker_start 1, speaker_end 1, stance 1, affiliation 1)" in text
    assert "Changes since v1" in card and 'revision="v2"' in card

    # the same export again: nothing changed
    rel3 = Release("v3", tmp_path / "ds2")
    build_dataset([e2], tmp_path / "ds3", release=rel3)
    assert [(len(c.added), len(c.removed), len(c.changed)) for c in (rel3.changelog.articles, rel3.changelog.quotes)] == [(0, 0, 0), (0, 0, 0)]


def test_previous_may_be_the_output_directory_itself(run_cli, tmp_path):
    e1, e2, want = two_exports(tmp_path)
    assert run_cli(["build", e1, "-o", tmp_path / "ds", "--release", "v1"])[0] == 0
    code, out, err = run_cli(["build", e2, "-o", tmp_path / "ds", "--force", "--release", "v2", "--previous", tmp_path / "ds"])
    assert code == 0, err
    assert "Release v2, since v1: articles: 5 -> 5; 1 added, 1 removed, 1 changed (title 1); quotes: 20 -> 19; 5 added, 6 removed, 2 changed" in out
    log = (tmp_path / "ds" / CHANGELOG_FILE).read_text(encoding="utf-8")
    assert "## v2" in log and "## v1" in log


def test_a_new_column_is_listed_not_compared(tmp_path):
    """A previous build made before the schema had `target`: the changelog says the column is new
    and no quote counts as changed for it."""
    e1, _, _ = two_exports(tmp_path)
    build_dataset([e1], tmp_path / "old", chart=False)
    for path in (tmp_path / "old" / "data" / "quotes").glob("*.parquet"):
        table = pq.read_table(path)
        pq.write_table(table.drop(["target"]), path)
    build_dataset([e1], tmp_path / "new", chart=False)
    ch = compare_config(tmp_path / "old", tmp_path / "new", "quotes")
    assert ch.new_columns == ["target"] and not ch.changed and not ch.added and not ch.removed and ch.before == ch.after == 20


@pytest.mark.parametrize("args, message", [
    (["--previous", "PREV"], "--previous"),
    (["--release", "v 1"], "--release 'v 1'"),
    (["--release", "main"], "--release 'main'"),
    (["--release", "v2", "--previous", "EXPORT"], "not a directory"),
    (["--release", "v2", "--previous", "NOTBUILD"], "not a quotekit build"),
    (["--release", "v1", "--previous", "PREV"], "is already v1"),
])
def test_bad_release_options_are_refused_before_building(run_cli, tmp_path, args, message):
    e1, _, _ = two_exports(tmp_path)
    assert run_cli(["build", e1, "-o", tmp_path / "prev", "--release", "v1"])[0] == 0
    (tmp_path / "notbuild").mkdir()
    (tmp_path / "notbuild" / "x.txt").write_text("x")
    subst = {"PREV": tmp_path / "prev", "EXPORT": e1, "NOTBUILD": tmp_path / "notbuild"}
    code, out, err = run_cli(["build", e1, "-o", tmp_path / "ds", *[subst.get(a, a) for a in args]])
    assert code == 2 and err.startswith("Error: ") and err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "ds").exists()


class _FakeHub:
    """HfApi stand-in recording calls; ``tags`` are the repo's existing tags."""

    calls: list = []
    tags: list = []

    def __init__(self, token=None):
        pass

    def create_repo(self, repo_id, **kw):
        _FakeHub.calls.append(("create_repo", repo_id))

    def list_repo_refs(self, repo_id, repo_type=None, **kw):
        from types import SimpleNamespace

        _FakeHub.calls.append(("list_repo_refs", repo_id, repo_type))
        return SimpleNamespace(tags=[SimpleNamespace(name=t) for t in _FakeHub.tags], branches=[])

    def upload_folder(self, *, folder_path, repo_id, repo_type, commit_message=None, **kw):
        from types import SimpleNamespace

        _FakeHub.calls.append(("upload_folder", repo_id, sorted(p.name for p in Path(folder_path).iterdir()), commit_message))
        return SimpleNamespace(oid="abc123")

    def create_tag(self, repo_id, *, tag, tag_message=None, revision=None, repo_type=None, **kw):
        _FakeHub.calls.append(("create_tag", repo_id, tag, revision, repo_type))


def test_push_tags_the_hub_commit_with_the_version(run_cli, tmp_path, monkeypatch):
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "HfApi", _FakeHub)
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: "hf_fake")
    _FakeHub.calls, _FakeHub.tags = [], ["v0"]
    e1, _, _ = two_exports(tmp_path)
    code, out, err = run_cli(["build", e1, "-o", tmp_path / "ds", "--release", "v1", "--push-to-hub", "me/quotes"])
    assert code == 0, err
    assert _FakeHub.calls == [
        ("create_repo", "me/quotes"),
        ("list_repo_refs", "me/quotes", "dataset"),
        ("upload_folder", "me/quotes", ["CHANGELOG.md", "LICENSE.md", "README.md", "data", "speaker_stance.png"], "quotekit build v1"),
        ("create_tag", "me/quotes", "v1", "abc123", "dataset"),  # the upload's own commit
    ]
    assert "tagged v1" in out
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert 'load_dataset("me/quotes", "quotes", revision="v1")' in card

    # a tag the repo already has: refused before anything is uploaded, the build stays on disk
    _FakeHub.calls, _FakeHub.tags = [], ["v1"]
    code, out, err = run_cli(["build", e1, "-o", tmp_path / "ds2", "--release", "v1", "--push-to-hub", "me/quotes"])
    assert code == 2 and "already has a tag v1" in err and err.count("\n") == 1
    assert [c[0] for c in _FakeHub.calls] == ["create_repo", "list_repo_refs"]
    assert (tmp_path / "ds2" / "README.md").exists()

    # without --release: no tag, no refs lookup
    _FakeHub.calls = []
    assert run_cli(["build", e1, "-o", tmp_path / "ds3", "--push-to-hub", "me/quotes"])[0] == 0
    assert [c[0] for c in _FakeHub.calls] == ["create_repo", "upload_folder"]
