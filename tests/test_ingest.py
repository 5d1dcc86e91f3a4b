"""Ingestion: cleaning of the sample corpus, other formats, bad input, the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.errors import BadInputError
from toolkit.ingest import IngestStats, build_article, ingest_paths, sanitize_id
from toolkit.io import read_jsonl

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "annotations" / "raw"
QUOTE_MARKS = "“”\""


def _ingest(*paths, **kw):
    stats = IngestStats()
    results = list(ingest_paths(paths, stats=stats, **kw))
    return results, stats


@pytest.fixture(scope="module")
def seeds():
    results, _ = _ingest(RAW)
    return {r.article.article_id: r for r in results}


def test_five_seed_articles_with_titles(seeds):
    assert len(seeds) == 5
    for res in seeds.values():
        assert res.article.title and len(res.article.title) > 10
        assert res.article.sha256 and len(res.article.sha256) == 64


def test_headlines_found_where_the_text_has_one(seeds):
    titles = {aid[:3]: r.article.title for aid, r in seeds.items()}
    assert titles["000"].startswith("Cambodian Government Claims Victory")
    assert titles["001"] == "Cambodian opposition MPs flee from crackdown"
    assert titles["004"].startswith("Hun Sen orders bail")
    assert seeds[next(a for a in seeds if a.startswith("002"))].article.title_source == "lead"


def test_outlet_only_where_the_text_names_it(seeds):
    outlets = {aid[:3]: r.article.outlet for aid, r in seeds.items()}
    assert outlets["001"] == "Al Jazeera"
    assert outlets["004"] == "Cambodian Journalists Alliance Association"
    assert outlets["000"] == outlets["002"] == outlets["003"] == "unknown"
    dates = {aid[:3]: r.article.date for aid, r in seeds.items()}
    assert dates["001"] == "2017-09-30"


@pytest.mark.parametrize("needle", [
    "Accessibility links", "Breaking News", "\nXS", "LG", "AP Photo", "FILE:", "Photo: AFP", "***FILE***",
    "REUTERS/", "Getty Images", "Stringer", "Join the Conversation", "ReplyDelete", "Leave a comment",
    "Losers and cowards", "kavin", "wordpress", "Khmer440",
])
def test_no_chrome_caption_or_comment_left(seeds, needle):
    for res in seeds.values():
        assert needle not in res.article.text, (res.article.article_id, needle)


def _body_lines(raw: str, removed_lines: set[int]) -> list[str]:
    return [l.strip() for no, l in enumerate(raw.split("\n"), 1) if l.strip() and no not in removed_lines]


def test_every_article_paragraph_and_quotation_mark_kept(seeds):
    for res in seeds.values():
        raw = Path(res.article.source_path).read_text(encoding="utf-8")
        removed = {n for r in res.removals for n in range(r.line, r.end_line + 1)}
        # every line not reported as removed is a paragraph of the text, verbatim and in order
        paragraphs = res.article.text.split("\n\n")
        assert paragraphs == _body_lines(raw, removed)
        # quotation marks: all of them except those on reported lines
        kept_marks = sum(res.article.text.count(m) for m in QUOTE_MARKS)
        raw_marks = sum(l.count(m) for l in _body_lines(raw, removed) for m in QUOTE_MARKS)
        assert kept_marks == raw_marks
        # and no removed line held a quote of the article: only captions/comments/chrome/metadata
        assert all(r.kind in {"chrome", "caption", "comments", "metadata"} for r in res.removals)


def test_known_quotes_survive(seeds):
    text = "\n".join(r.article.text for r in seeds.values())
    for q in ["“But all the planned activities were completely unsuccessful.”",
              '"The ship has left the port so it\'s already too late," said Sok Eysan.',
              "“I have no option left but to return to Cambodia in a non-violent way.”",
              "Don’t hide here and there anymore,"]:
        assert q in text


def test_removed_counts_match_report(seeds):
    for res in seeds.values():
        for kind in ("chrome", "caption", "comments"):
            assert res.article.removed[kind] == sum(1 for r in res.removals if r.kind == kind)
    total = {k: sum(r.article.removed[k] for r in seeds.values()) for k in ("chrome", "caption", "comments")}
    assert all(v > 0 for v in total.values())


def test_shipped_corpus_is_the_ingest_of_raw(seeds):
    shipped = list(read_jsonl(REPO / "annotations" / "articles.jsonl"))
    assert [r["article_id"] for r in shipped] == sorted(seeds)
    for rec in shipped:
        fresh = seeds[rec["article_id"]].article.to_dict()
        assert Path(fresh.pop("source_path")).name == Path(rec.pop("source_path")).name
        assert rec == fresh, "annotations/articles.jsonl is stale: rebuild it with scripts/rebuild"


def test_no_clean_keeps_text(tmp_path):
    src = RAW / "000_f881c611f4710cce.txt"
    results, _ = _ingest(src, clean=False)
    art = results[0].article
    assert "Accessibility links" in art.text and "XS" in art.text
    assert art.removed == {"chrome": 0, "caption": 0, "comments": 0}


def test_rules_are_general_not_per_article():
    text = ("Skip to main content\n\nMinister Says Talks Will Resume\n\nThe Daily Example | 5 March 2021\n\n"
            "The minister said talks would resume. “We are ready,” she said.\n\n"
            "The minister at a press event. (AP Photo/Jane Doe)\n\nA second paragraph of news.\n\n"
            "Comments\n\n1. nice article")
    res = build_article(text, article_id="x", source="mem", sha256="0" * 64)
    a = res.article
    assert a.title == "Minister Says Talks Will Resume"
    assert a.outlet == "The Daily Example" and a.date == "2021-03-05"
    assert a.text == "The minister said talks would resume. “We are ready,” she said.\n\nA second paragraph of news."
    assert a.removed == {"chrome": 1, "caption": 1, "comments": 2}


def test_press_release_boilerplate_and_section_kickers_are_page_furniture():
    """'FOR IMMEDIATE RELEASE' or a kicker ('FEATURE') above the headline is neither the title nor body text."""
    for kicker in ("FOR IMMEDIATE RELEASE", "FEATURE", "Analysis"):
        text = (f"{kicker}\n\nRights groups urge release of activists\n\n"
                "Eleven organisations said the charges should be dropped.\n\nA second paragraph of news.")
        a = build_article(text, article_id="x", source="mem", sha256="0" * 64).article
        assert a.title == "Rights groups urge release of activists", kicker
        assert a.text == "Eleven organisations said the charges should be dropped.\n\nA second paragraph of news."
        assert a.removed["chrome"] == 1
    # a sentence that merely contains the word stays
    kept = build_article("Headline here\n\nThe analysis was wrong, he said.", article_id="y", source="mem", sha256="0" * 64).article
    assert kept.text == "The analysis was wrong, he said."


BODY = "The ruling party won every seat, officials said on Monday.\n\nA second paragraph of news."


DATELINED = "KAMPOT CITY, Testland (AP) — " + BODY


@pytest.mark.parametrize("headline, body", [
    ("Analysis: Can the opposition survive?", BODY),  # a labelled question
    ("Will the ruling party keep every seat?", DATELINED),  # the story opens with its dateline below it
    ("Interview: ‘We will not give up’", BODY),  # a quotation closed with no stop inside the mark
    ("Interview: 'We will not give up'", BODY),
    ("Exiled leader: “Our party will come home”", BODY),
    ("Opposition vows to fight «until the end»", BODY),
])
def test_a_headline_ending_in_a_question_or_a_quotation_is_the_title(headline, body):
    a = build_article(f"{headline}\n\n{body}", article_id="x", source="mem", sha256="0" * 64).article
    assert (a.title, a.title_source, a.text) == (headline, "headline", body)


@pytest.mark.parametrize("lead", [
    "“We will not give up.”",  # a quotation closed after its stop: a sentence
    "He left the country. Will he return?",  # two sentences
    "“We will not give up,” the opposition leader said",  # reports speech
    "The party chief called the vote ‘a farce’ and walked out.",  # ends like a sentence
    "Voters were asked: Who can stop the ruling party? Nobody.",
    "Will the ruling party keep every seat?",  # an unlabelled question before plain text: the lead
])
def test_a_lead_that_ends_like_a_sentence_stays_in_the_body(lead):
    a = build_article(f"{lead}\n\n{BODY}", article_id="x", source="mem", sha256="0" * 64).article
    assert a.title_source == "lead" and a.text.startswith(lead)


def test_headline_quote_marks_are_configurable(tmp_path):
    from toolkit.config import ConfigError
    from toolkit.ingest import load_cleaning_rules

    shipped = (REPO / "configs" / "cleaning.yaml").read_text(encoding="utf-8")
    assert "headline_quote_marks" in shipped
    only_curly = tmp_path / "cleaning.yaml"
    only_curly.write_text(re.sub(r"headline_quote_marks: .*", "headline_quote_marks: ['‘’']", shipped), encoding="utf-8")
    rules = load_cleaning_rules(only_curly)
    curly = build_article(f"Interview: ‘We will not give up’\n\n{BODY}", article_id="x", source="mem", sha256="0" * 64, rules=rules)
    straight = build_article(f"Interview: 'We will not give up'\n\n{BODY}", article_id="x", source="mem", sha256="0" * 64, rules=rules)
    assert curly.article.title_source == "headline"
    # a straight quotation mark is no headline ending there, but no sentence end either (as before)
    assert straight.article.title_source == "headline"
    dq = build_article(f"Exiled leader: “Our party will come home”\n\n{BODY}", article_id="x", source="mem", sha256="0" * 64, rules=rules)
    assert dq.article.title_source == "lead"
    bad = tmp_path / "bad.yaml"
    bad.write_text(re.sub(r"headline_quote_marks: .*", "headline_quote_marks: ['«']", shipped), encoding="utf-8")
    with pytest.raises(ConfigError, match="headline_quote_marks.*opening and a closing"):
        load_cleaning_rules(bad)


def test_a_writer_byline_gives_the_date_not_the_outlet():
    text = "Minister Says Talks Will Resume\n\nBy Staff Reporter | June 6, 2022\n\nThe minister said talks would resume."
    a = build_article(text, article_id="x", source="mem", sha256="0" * 64).article
    assert a.outlet == "unknown" and a.date == "2022-06-06"  # "unknown": what ingest writes when no outlet is found
    assert a.text == "The minister said talks would resume."


def test_html_input(tmp_path):
    paras = "".join(f"<p>Paragraph {i}: “We will not allow it,” the minister said on Monday in the capital city.</p>" for i in range(5))
    html = (f"<html><head><title>T</title><meta property='og:site_name' content='Example News'>"
            f"<meta property='article:published_time' content='2019-11-07T10:00:00Z'></head><body>"
            f"<nav><a href='/'>Skip to content</a></nav><article><h1>Minister Rejects Plan</h1>{paras}"
            f"<p>The minister at the event. Photo: AFP</p></article>"
            f"<script>document.write('INJECTED')</script></body></html>")
    f = tmp_path / "story.html"
    f.write_text(html, encoding="utf-8")
    results, _ = _ingest(f)
    a = results[0].article
    assert a.article_id == "story" and a.title == "Minister Rejects Plan"
    assert a.outlet == "Example News" and a.date == "2019-11-07"
    assert a.text.count("“We will not allow it,”") == 5
    assert "INJECTED" not in a.text and "Photo: AFP" not in a.text and "Minister Rejects Plan" not in a.text
    assert len(a.text.split("\n\n")) == 5


def test_jsonl_input(tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"article_id": "../../etc/x", "text": "One. “Two,” he said.", "title": "T", "date": "30 September 2017"}) + "\n"
                 + json.dumps({"text": "No id here, said she."}) + "\n", encoding="utf-8")
    results, _ = _ingest(f)
    a, b = (r.article for r in results)
    assert a.article_id == "etc_x" and a.title == "T" and a.date == "2017-09-30"
    assert re.fullmatch(r"a_[0-9a-f]{16}", b.article_id)
    assert a.source_path.endswith("in.jsonl:1")


def test_sanitize_id_blocks_path_traversal():
    for bad in ["../../etc/passwd", "/abs/path", "a/b\\c", "..", "con:x"]:
        s = sanitize_id(bad)
        assert "/" not in s and "\\" not in s and not s.startswith(".")


@pytest.mark.parametrize("name,content,needle", [
    ("empty.txt", b"   \n\n", "empty document"),
    ("latin1.txt", "caf\xe9 said".encode("latin-1"), "not UTF-8"),
    ("bad.jsonl", b'{"text": "ok"}\n{not json}\n', "bad.jsonl:2: invalid JSON"),
    ("notext.jsonl", b'{"title": "x"}\n', "notext.jsonl:1: record has no 'text'"),
    ("list.jsonl", b'[1, 2]\n', "expected a JSON object"),
    ("only_chrome.txt", b"Breaking News\n\nXS\nSM\n", "no article text left"),
])
def test_bad_input_names_the_file(tmp_path, name, content, needle):
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(BadInputError) as exc:
        _ingest(f)
    assert needle in str(exc.value) and name in str(exc.value)
    results, stats = _ingest(f, skip_bad=True)
    assert len(stats.bad) == 1 and needle in stats.bad[0]


def test_unsupported_and_missing_inputs(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(BadInputError, match="unsupported file type"):
        _ingest(tmp_path / "a.pdf")
    with pytest.raises(BadInputError, match="no such file"):
        _ingest(tmp_path / "missing.txt")
    (tmp_path / "ok.txt").write_text("Headline Here\n\nBody text, he said.", encoding="utf-8")
    results, stats = _ingest(tmp_path)
    assert len(results) == 1 and stats.ignored_files == [str(tmp_path / "a.pdf")]


def _cli(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "toolkit", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_ingest_seeds_and_report(tmp_path):
    out = tmp_path / "articles.jsonl"
    r = _cli("ingest", str(RAW), "-o", str(out), "--report")
    assert r.returncode == 0, r.stderr
    recs = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 5 and all(rec["title"] for rec in recs)
    assert set(recs[0]) >= {"article_id", "title", "outlet", "date", "text", "source_path", "sha256", "removed"}
    assert "000_f881c611f4710cce.txt:1\tchrome" in r.stderr and "\tcomments\t" in r.stderr


def test_cli_bad_input_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{oops\n', encoding="utf-8")
    out = tmp_path / "o.jsonl"
    r = _cli("ingest", str(bad), "-o", str(out))
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "bad.jsonl:2" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists(), "no half-written output on failure"
    r = _cli("ingest", str(bad), "-o", str(out), "--skip-bad")
    assert r.returncode == 0 and len(out.read_text().splitlines()) == 1 and "1 skipped bad input" in r.stderr
