"""`quotekit preannotate ARTICLES.jsonl -o OUT.jsonl [--model] [--jobs]`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from typer.testing import CliRunner

from toolkit.cli import app

REPO = Path(__file__).resolve().parents[1]


def write_articles(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_one_output_line_per_article_in_input_order(tmp_path):
    src = write_articles(
        tmp_path / "a.jsonl",
        [
            json.dumps({"article_id": "x1", "text": "“The border is closed to them,” Hun Sen said."}),
            json.dumps({"article_id": "x2", "text": "No quotes at all."}),
        ],
    )
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["preannotate", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["article_id"] for r in recs] == ["x1", "x2"]
    q = recs[0]["quotes"][0]
    assert set(q) == {"start", "end", "text", "kind", "speaker", "speaker_start", "speaker_end", "cue_start", "cue_end", "stance", "score", "rule"}
    assert (q["text"], q["speaker"], q["kind"]) == ("The border is closed to them,", "Hun Sen", "direct")
    assert recs[1]["quotes"] == []


def test_bad_json_line_is_named_counted_and_the_rest_kept(tmp_path):
    src = write_articles(tmp_path / "a.jsonl", ['{"article_id": "ok", "text": "Fine."}', "{not json", '{"article_id": "no-text"}'])
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["preannotate", str(src), "-o", str(out)])
    assert res.exit_code == 0
    assert f"{src}:2" in res.output
    assert "1 skipped bad line" in res.output
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["article_id"] for r in recs] == ["ok", "no-text"]
    assert "error" in recs[1]
    # the record without text is named by its line, and not counted as pre-annotated
    assert f"{src}:3 ('no-text'): missing 'text'" in res.output
    assert "1 article(s) pre-annotated, 1 not" in res.output


def test_a_non_utf8_line_costs_only_that_line_and_is_named_by_its_line(tmp_path):
    src = tmp_path / "a.jsonl"
    good = [json.dumps({"article_id": f"a{i}", "text": "Fine."}).encode() for i in range(5)]
    src.write_bytes(b"\xef\xbb\xbf" + b"\n".join(good[:3] + [b'{"article_id": "cp", "text": "He said \x93hello\x94."}'] + good[3:]) + b"\n")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["preannotate", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert f"{src}:4: not UTF-8 text (byte 0x93" in res.output
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["article_id"] for r in recs] == ["a0", "a1", "a2", "a3", "a4"]  # BOM line read, bad line skipped


def test_strict_readers_name_the_line_of_a_non_utf8_byte(tmp_path):
    from toolkit.errors import BadInputError
    from toolkit.io import read_jsonl

    src = tmp_path / "a.jsonl"
    src.write_bytes(b"".join(json.dumps({"n": i, "pad": "x" * 5000}).encode() + b"\n" for i in range(40)) + b'{"n": "\xff"}\n')
    with pytest.raises(BadInputError, match=r"a\.jsonl:41: not UTF-8"):
        list(read_jsonl(src))


def test_missing_model_fails_with_install_hint_and_writes_nothing(tmp_path):
    src = write_articles(tmp_path / "a.jsonl", ['{"article_id": "a", "text": "Hi."}'])
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit", "preannotate", str(src), "-o", str(out), "--model", "en_core_web_nonexistent"],
        capture_output=True, text=True, cwd=REPO,
    )
    assert proc.returncode == 2
    assert "spacy download" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_existing_output_is_replaced_atomically(tmp_path):
    src = write_articles(tmp_path / "a.jsonl", ['{"article_id": "a", "text": "Hi."}'])
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["preannotate", str(src), "-o", str(out)])
    assert res.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["article_id"] == "a"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
