"""Ingestion of awkward inputs: lead paragraphs that look like headlines, comment counters in the
header, credits after body sentences, JSONL with a bad byte or a BOM, outputs among the inputs,
empty and hidden folders, and the messages and report the CLI gives about them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.errors import BadInputError
from toolkit.ingest import IngestStats, build_article, ingest_paths

REPO = Path(__file__).resolve().parents[1]

QUOTE_LEAD = "Exiled opposition leader Sam Rainsy said on Monday: “We will return to Cambodia on Independence Day.”"
RAINSY_HTML = ("<html><head><title>Rainsy vows return</title></head><body><article><h1>Rainsy vows return</h1>"
               f"<p>{QUOTE_LEAD}</p><p>The government said he would be arrested at the border if he tried to enter "
               "the country.</p></article></body></html>")


def _ingest(*paths, **kw):
    stats = IngestStats()
    return list(ingest_paths(paths, stats=stats, **kw)), stats


def _cli(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "toolkit", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def _one_line_error(stderr: str) -> str:
    lines = [l for l in stderr.splitlines() if l.startswith("Error: ")]
    assert len(lines) == 1, stderr
    return lines[0]


# --------------------------------------------------------------------------- 1. lead paragraph kept


def test_html_lead_paragraph_kept_when_the_title_is_given(tmp_path):
    f = tmp_path / "rainsy.html"
    f.write_text(RAINSY_HTML, encoding="utf-8")
    (res,), stats = _ingest(f)
    a = res.article
    assert a.title == "Rainsy vows return" and a.title_source == "given"
    assert a.text.split("\n\n")[0] == QUOTE_LEAD
    assert "Rainsy vows return" not in a.text  # the repeated <h1> is removed ...
    assert [(r.kind, r.rule, r.text) for r in res.removals] == [("metadata", "metadata:given_title", "Rainsy vows return")]
    assert stats.removed["metadata"] == 1  # ... and counted
    r = _cli("ingest", f, "-o", tmp_path / "o.jsonl")
    assert r.returncode == 0 and "metadata 1" in r.stderr, r.stderr


def test_jsonl_first_paragraph_kept_when_the_title_is_given(tmp_path):
    text = "“We will never surrender,” said Sam Rainsy on Monday in Jakarta!\n\nThe opposition leader spoke to reporters."
    f = tmp_path / "g.jsonl"
    f.write_text(json.dumps({"article_id": "g1", "title": "Minister speaks", "text": text}) + "\n"
                 + json.dumps({"article_id": "g2", "title": "Minister  SPEAKS", "text": "Minister speaks\n\n" + text}) + "\n",
                 encoding="utf-8")
    (a, b), _ = _ingest(f)
    assert a.article.text == text and a.article.title == "Minister speaks" and a.removals == []
    # the first paragraph goes only when it *is* the given title (whitespace and case aside)
    assert b.article.text == text and [r.rule for r in b.removals] == ["metadata:given_title"]


@pytest.mark.parametrize("lead", [
    QUOTE_LEAD,                                                         # ends in ”
    "Would the opposition leader really return to Cambodia next week?",  # ends in ?
    "We will return to Cambodia on Independence Day!",                  # ends in !
    "Sam Rainsy said on Monday that he would return to Cambodia",       # a reporting verb
    "He called it “a bid to launch a colour revolution” in a speech",    # quotes a phrase
])
def test_a_lead_sentence_is_not_taken_as_the_headline(lead):
    res = build_article(f"{lead}\n\nThe government said he would be arrested.\n", article_id="x", source="m.txt", sha256="0" * 64)
    assert res.article.text.split("\n\n")[0] == lead
    assert res.article.title_source == "lead" and res.removals == []
    # a real headline (scare quotes, present tense) is still one
    head = build_article(f"Government Claims Victory Over “Failed” Return\n\n{lead}\n", article_id="y", source="h.txt", sha256="0" * 64)
    assert head.article.title_source == "headline" and head.article.text == lead


# --------------------------------------------------------------------------- 2, 6. JSONL decoded per line, BOM


def test_a_bad_byte_in_jsonl_spoils_only_its_line(tmp_path):
    good = [json.dumps({"article_id": f"a{i}", "text": "The minister said on Monday that talks would resume."}) for i in range(1005)]
    f = tmp_path / "big.jsonl"
    f.write_bytes(("\n".join(good[:1000]) + "\n").encode() + b'{"article_id": "bad", "text": "caf\xe9"}\n'
                  + ("\n".join(good[1000:]) + "\n").encode())
    with pytest.raises(BadInputError, match=r"big\.jsonl:1001: not UTF-8 text \(invalid byte 0xe9"):
        _ingest(f)
    results, stats = _ingest(f, skip_bad=True)
    assert len(results) == 1005 and len(stats.bad) == 1 and "big.jsonl:1001:" in stats.bad[0]
    out = tmp_path / "o.jsonl"
    r = _cli("ingest", f, "-o", out)
    assert r.returncode == 2 and "big.jsonl:1001: not UTF-8 text" in _one_line_error(r.stderr)
    r = _cli("ingest", f, "-o", out, "--skip-bad")
    assert r.returncode == 0 and "Wrote 1005 article(s)" in r.stderr and "1 skipped bad input" in r.stderr


def test_jsonl_with_a_bom_is_read(tmp_path):
    f = tmp_path / "bom.jsonl"
    f.write_bytes(b'\xef\xbb\xbf{"article_id":"a1","text":"Sam Rainsy said it."}\n{"article_id":"a2","text":"He left."}\n')
    results, stats = _ingest(f)
    assert [r.article.article_id for r in results] == ["a1", "a2"] and stats.bad == []
    assert results[0].article.text == "Sam Rainsy said it."


# --------------------------------------------------------------------------- 3, 7, 8. inputs and the output


def test_output_that_is_an_input_is_refused(tmp_path):
    f = tmp_path / "good.txt"
    raw = "Headline Here\n\nBody text, he said.\n"
    f.write_text(raw, encoding="utf-8")
    r = _cli("ingest", f, "-o", f)
    assert r.returncode == 2 and "good.txt" in _one_line_error(r.stderr) and "output" in r.stderr
    assert f.read_text(encoding="utf-8") == raw


def test_output_inside_an_input_folder_is_not_read(tmp_path):
    d = tmp_path / "raw"
    d.mkdir()
    (d / "good.txt").write_text("Headline Here\n\nBody text, he said.\n", encoding="utf-8")
    out = d / "articles.jsonl"
    for _ in range(3):
        r = _cli("ingest", d, "-o", out)
        assert r.returncode == 0, r.stderr
        assert len(out.read_text(encoding="utf-8").splitlines()) == 1
    assert "not read (the output file itself)" in r.stderr and str(out) in r.stderr
    assert ".tmp" not in r.stderr  # its own temporary file is never listed
    results, stats = _ingest(d, output=out)
    assert len(results) == 1 and stats.output_skipped == [str(out)]


def test_empty_folder_is_an_error_and_keeps_the_previous_output(tmp_path):
    (tmp_path / "empty").mkdir()
    out = tmp_path / "articles.jsonl"
    out.write_text('{"article_id": "previous"}\n', encoding="utf-8")
    r = _cli("ingest", tmp_path / "empty", "-o", out)
    assert r.returncode == 2
    msg = _one_line_error(r.stderr)
    assert "no .txt/.html/.jsonl files found in" in msg and "empty" in msg and "nothing written" in msg
    assert out.read_text(encoding="utf-8") == '{"article_id": "previous"}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles.jsonl", "empty"]


def test_hidden_files_and_folders_are_skipped_and_reported(tmp_path):
    d = tmp_path / "raw"
    (d / ".ipynb_checkpoints").mkdir(parents=True)
    (d / "a.txt").write_text("Headline Here\n\nBody text, he said.\n", encoding="utf-8")
    (d / ".ipynb_checkpoints" / "a-checkpoint.txt").write_text("Headline Here\n\nBody text, he said.\n", encoding="utf-8")
    (d / "._a.txt").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \xff\xfe")
    results, stats = _ingest(d)
    assert [r.article.article_id for r in results] == ["a"] and stats.bad == []
    assert sorted(stats.hidden) == sorted([str(d / "._a.txt"), str(d / ".ipynb_checkpoints") + "/"])
    r = _cli("ingest", d, "-o", tmp_path / "o.jsonl")
    assert r.returncode == 0 and "2 ignored (hidden files and folders)" in r.stderr, r.stderr
    # a dot-file named explicitly is read
    hidden = d / ".draft.txt"
    hidden.write_text("Headline Here\n\nBody text, she said.\n", encoding="utf-8")
    (res,), _ = _ingest(hidden)
    assert res.article.text == "Body text, she said."


# --------------------------------------------------------------------------- 4. comment sections


def test_a_comment_counter_in_the_header_does_not_cut_the_article(tmp_path):
    f = tmp_path / "cc.txt"
    f.write_text("Hun Sen orders bail for opposition activists\n\nKhmer Times | 14 November 2019\n\n12 Comments\n\n"
                 "Prime Minister Hun Sen on Thursday ordered the release.\n\n“This is for national reconciliation,” he said.\n",
                 encoding="utf-8")
    (res,), _ = _ingest(f)
    assert res.article.text == ("Prime Minister Hun Sen on Thursday ordered the release.\n\n"
                                "“This is for national reconciliation,” he said.")
    assert [(r.line, r.kind) for r in res.removals if r.kind != "metadata"] == [(5, "chrome")]
    assert res.article.removed == {"chrome": 1, "caption": 0, "comments": 0}


def test_a_discussion_subheading_does_not_truncate_the_article():
    text = ("Minister Speaks On Talks\n\nThe minister said on Monday that talks would resume.\n\n"
            "She added that both sides were ready.\n\nThe opposition welcomed the news.\n\nDiscussion\n\n"
            "Analysts said the talks were likely to fail.\n\nComments\n\n1. great article\n")
    a = build_article(text, article_id="x", source="m.txt", sha256="0" * 64).article
    assert a.text.endswith("Discussion\n\nAnalysts said the talks were likely to fail.")
    assert a.removed["comments"] == 2  # the real comment section still goes


def test_report_lists_the_removals_of_inputs_that_failed(tmp_path):
    bad = tmp_path / "only_chrome.txt"
    bad.write_text("Breaking News\n\nXS\nSM\n", encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text("Headline Here\n\nBody text, he said.\n", encoding="utf-8")
    r = _cli("ingest", bad, "-o", tmp_path / "o.jsonl", "--report")
    assert r.returncode == 2 and "no article text left" in _one_line_error(r.stderr)
    assert "only_chrome.txt:1\tchrome\tchrome:exact_line\tBreaking News" in r.stderr
    assert "only_chrome.txt:3\tchrome\tchrome:size_picker\tXS" in r.stderr
    r = _cli("ingest", bad, good, "-o", tmp_path / "o.jsonl", "--report", "--skip-bad")
    assert r.returncode == 0 and "only_chrome.txt:1\tchrome" in r.stderr and "good.txt:1\tmetadata" in r.stderr


# --------------------------------------------------------------------------- 5. captions and credits


def test_a_credit_after_body_sentences_does_not_remove_them():
    text = ("Opposition vows return\n\nHun Sen said on Monday that the party would never be allowed back. Additional reporting by AFP"
            "\n\nSam Rainsy was asked whether he feared arrest. Would he tell Reuters?\n\nThe end.\n")
    res = build_article(text, article_id="x", source="m.txt", sha256="0" * 64)
    assert len(res.article.text.split("\n\n")) == 3 and res.article.removed["caption"] == 0
    # a whole caption ending in a bare credit still goes
    cap = ("Minister Speaks\n\nThe president attends a ceremony in the capital. 9 May 2021. Stringer\n\n"
           "The minister said the talks would resume.\n")
    res = build_article(cap, article_id="y", source="c.txt", sha256="0" * 64)
    assert res.article.text == "The minister said the talks would resume." and res.article.removed["caption"] == 1


def test_a_long_or_quoting_paragraph_is_never_a_caption():
    long_para = " ".join(["The minister spoke at length about the plan for the region."] * 6) + " Photo: AFP"
    quoting = "“We will not allow it,” the minister said at the event in the capital. Photo: AFP"
    res = build_article(f"Minister Speaks\n\n{long_para}\n\n{quoting}\n", article_id="x", source="m.txt", sha256="0" * 64)
    assert res.article.text == f"{long_para}\n\n{quoting}" and res.article.removed["caption"] == 0


# --------------------------------------------------------------------------- 9, 10. messages and --no-clean


def test_messages_are_accurate(tmp_path):
    f = tmp_path / "un.jsonl"
    f.write_text('{"article_id": "x", "text": "abc\n', encoding="utf-8")
    r = _cli("ingest", f, "-o", tmp_path / "o.jsonl")
    msg = _one_line_error(r.stderr)
    assert "at at" not in msg and "un.jsonl:1: invalid JSON (Unterminated string starting at column" in msg
    assert msg.endswith("or pass --skip-bad")
    r = _cli("ingest", f, "-o", tmp_path / "o.jsonl", "--skip-bad")
    assert r.returncode == 0 and "un.jsonl:1: invalid JSON" in r.stderr and "--skip-bad" not in r.stderr
    good = tmp_path / "good.txt"
    good.write_text("Headline Here\n\nBody text, he said.\n", encoding="utf-8")
    (tmp_path / "somedir").mkdir()
    r = _cli("ingest", good, "-o", tmp_path / "somedir")
    msg = _one_line_error(r.stderr)
    assert r.returncode == 2 and "is a folder" in msg and "free some space" not in msg


def test_no_clean_keeps_the_html_headline_and_says_what_it_normalises(tmp_path):
    f = tmp_path / "rainsy.html"
    f.write_text(RAINSY_HTML, encoding="utf-8")
    (res,), _ = _ingest(f, clean=False)
    assert res.article.text.startswith("Rainsy vows return\n" + QUOTE_LEAD) and res.removals == []
    r = _cli("ingest", "--help")
    assert "BOM" in r.stdout and "CRLF" in r.stdout
