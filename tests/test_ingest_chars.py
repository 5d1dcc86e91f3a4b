"""``quotekit ingest`` removes the characters Label Studio counts differently from Python
(``toolkit.labelstudio.chars.OFFSET_BREAKING_CHARACTERS``, measured by
tests/browser/test_ls_chars.py: NUL), counts them (``removed["characters"]``, the summary) and
lists them (``--report``); every other character is left alone."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.ingest import IngestStats, build_article, ingest_paths
from toolkit.labelstudio.chars import OFFSET_BREAKING_CHARACTERS, offset_breaking_characters

REPO = Path(__file__).resolve().parents[1]
BODY = "The minister{c} said that the road was closed on Monday.\n\nA second{c}{c} paragraph follows here."


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "toolkit", *map(str, args)], capture_output=True, text=True, cwd=REPO)


def _build(text: str, **kw):
    return build_article(text, article_id="a", source="a.txt", sha256="0", title="Given title", **kw)


@pytest.mark.parametrize("clean", [True, False], ids=["clean", "no-clean"])
def test_nul_is_removed_counted_and_offsets_refer_to_the_clean_text(clean):
    res = _build(BODY.format(c="\x00"), clean=clean)
    text = res.article.text
    assert offset_breaking_characters(text) == {}
    assert text == BODY.format(c="")
    assert res.article.removed["characters"] == 3
    chars = [r for r in res.removals if r.kind == "characters"]
    assert [(r.line, r.count, r.rule) for r in chars] == [(1, 1, "characters:U+0000 NUL"), (3, 2, "characters:U+0000 NUL")]
    assert chars[0].text == "The minister<U+0000 NUL> said that the road was closed on Monday."


def test_a_record_without_such_characters_keeps_its_shape():
    res = _build(BODY.format(c=""))
    assert "characters" not in res.article.removed
    assert not [r for r in res.removals if r.kind == "characters"]


OTHERS = [chr(i) for i in range(1, 0x20) if chr(i) not in "\n\r"] + ["\x7f", "\x85", "\x9f", "\u2028", "\u2029",
          "\ufffe", "\uffff", "\u0301", "\U0001F642", "\u200d", "\u202e", "\u00ad"]  # fmt: skip


@pytest.mark.parametrize("c", OTHERS, ids=lambda c: f"U+{ord(c):04X}")
def test_characters_label_studio_counts_like_python_are_kept(c):
    assert c not in OFFSET_BREAKING_CHARACTERS
    text = f"The minister said x{c}that the road was closed on Monday, with more words after it."
    res = _build(text)
    assert res.article.text == text
    assert "characters" not in res.article.removed


def test_a_document_of_nothing_but_nul_is_empty():
    from toolkit.errors import BadInputError

    with pytest.raises(BadInputError, match="empty document"):
        _build("\x00\x00\n\x00")


def test_cli_counts_and_reports_removed_characters_for_txt_and_jsonl(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_bytes(("Headline here\n\n" + BODY.format(c="\x00") + "\n").encode())
    (raw / "b.jsonl").write_text(json.dumps({"article_id": "b", "title": "T", "text": "Sam\u0000 Rainsy said it was over."}) + "\n")
    out = tmp_path / "out.jsonl"
    proc = _cli("ingest", raw, "-o", out, "--report")
    assert proc.returncode == 0, proc.stderr
    recs = {r["article_id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert recs["b"]["text"] == "Sam Rainsy said it was over." and recs["b"]["removed"]["characters"] == 1
    assert recs["a"]["removed"]["characters"] == 3 and "\x00" not in recs["a"]["text"]
    assert "removed characters: U+0000 NUL 4" in proc.stderr
    report = [line for line in proc.stderr.splitlines() if "\tcharacters\t" in line]
    assert report == [
        f"{raw / 'a.txt'}:3\tcharacters\tcharacters:U+0000 NUL\tThe minister<U+0000 NUL> said that the road was closed on Monday.",
        f"{raw / 'a.txt'}:5\tcharacters\tcharacters:U+0000 NUL\tA second<U+0000 NUL><U+0000 NUL> paragraph follows here.",
        f"{raw / 'b.jsonl'}:1:1\tcharacters\tcharacters:U+0000 NUL\tSam<U+0000 NUL> Rainsy said it was over.",
    ]
    assert "\x00" not in proc.stderr


def test_the_shipped_corpus_ingests_byte_identically(tmp_path):
    out = tmp_path / "a.jsonl"
    proc = _cli("ingest", "annotations/raw", "-o", out)  # relative: source_path is as given
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == (REPO / "annotations" / "articles.jsonl").read_bytes()
    assert "removed characters" not in proc.stderr


def test_stats_count_characters_apart_from_lines(tmp_path):
    (tmp_path / "a.txt").write_text("Headline here\n\n" + BODY.format(c="\x00"))
    stats = IngestStats()
    list(ingest_paths([tmp_path / "a.txt"], stats=stats))
    assert stats.removed_characters == {"U+0000 NUL": 3}
    assert "characters" not in stats.removed


def test_docstring_examples():
    import toolkit.ingest
    import toolkit.labelstudio.chars

    for module in (toolkit.labelstudio.chars, toolkit.ingest):
        assert doctest.testmod(module).failed == 0, module.__name__
