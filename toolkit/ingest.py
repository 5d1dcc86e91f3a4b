"""Raw files (.txt, .html/.htm, .jsonl) -> clean :class:`~toolkit.types.Article` records.

Cleaning is line based and driven by ``configs/cleaning.yaml`` (rules are data): site chrome,
photo captions/credits and reader-comment sections are removed; a masthead, byline and headline
among the first lines become ``outlet``, ``date`` and ``title``. Every removed line is recorded
as a :class:`Removal` (file line number, kind, rule, text), so ``quotekit ingest --report`` can
show exactly what went. The body's paragraphs are joined with a blank line; after this step the
text is never rewritten and every offset refers to it.

Limits (stated, not hidden):
- A paragraph is a non-empty line; lines of one block are joined only when the first does not
  end a sentence and the next starts in lower case (hard-wrapped text).
- A blog "ReplyDelete" marker is taken to close the comment just before it: that one paragraph,
  the marker and everything after it are treated as comments.
- With no headline line (a file that starts with its lead paragraph), the title falls back to
  the lead sentence, shortened, and ``title_source`` says ``"lead"``. A first line that quotes,
  ends like a sentence (also in ” ’ !) or reports speech (``reporting_verbs``) is never taken
  as a headline, except one sentence ending in a quotation with no stop inside its closing mark
  (``Interview: ‘We will not give up’``) and one question that is labelled (``Analysis: Can the
  opposition survive?``) or followed by a dateline (``PHNOM PENH — ...``): :func:`headline_ending`.
  When a title is given (HTML metadata, a JSONL ``title``), a body line is removed only when it
  *is* that title.
- A comment heading before the article has begun (fewer than ``min_sentences_before`` sentence
  paragraphs above it, e.g. a "12 Comments" counter in the header) is removed alone, as chrome.
- Only a whole, short paragraph (``captions.max_words``, no double quotation mark, no reporting
  verb) is removed as a caption; text is never cut inside a paragraph.
- HTML is parsed by trafilatura (no scripts run, nothing fetched); its paragraphs then go
  through the same line rules. Line numbers in the report count lines of the extracted text.
- ``clean=False`` (``--no-clean``) removes no line; it still turns CRLF/CR into LF, drops a
  leading BOM and the line breaks at the start and end of the text.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

from toolkit.errors import BadInputError
from toolkit.types import Article

REMOVED_KINDS = ("chrome", "caption", "comments")
#: Kinds counted in the run summary: also the masthead/byline/headline lines taken as metadata.
SUMMARY_KINDS = REMOVED_KINDS + ("metadata",)
TEXT_EXTS = {".txt"}
HTML_EXTS = {".html", ".htm"}
JSONL_EXTS = {".jsonl"}
SUPPORTED_EXTS = TEXT_EXTS | HTML_EXTS | JSONL_EXTS
_SENTENCE_END = tuple('.!?:;"”’)]…')
_TITLE_BAD_END = tuple('.:;,|”’"?!…')
SKIP_HINT = " or pass --skip-bad"
_BOM = "\ufeff"


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class CleaningRules:
    chrome_lines: frozenset[str]
    size_tokens: frozenset[str]
    caption_patterns: tuple[re.Pattern[str], ...]
    caption_max_words: int
    caption_quote_marks: tuple[str, ...]
    credit_tail_words: tuple[str, ...]
    credit_tail_max_words: int
    comment_min_sentences_before: int
    comment_lines: frozenset[str]
    comment_patterns: tuple[re.Pattern[str], ...]
    reply_patterns: tuple[re.Pattern[str], ...]
    outlets: dict[str, str]
    byline: re.Pattern[str]
    dateline: re.Pattern[str]
    date_formats: tuple[str, ...]
    title_max_words: int
    title_max_quoted_words: int
    title_search_lines: int
    reporting_verbs: re.Pattern[str] | None
    headline_quote_marks: tuple[str, ...] = ("‘’", "“”", "''", '""', "«»")


#: the keys :func:`load_cleaning_rules` reads, by section (anything else is a misspelling)
CLEANING_KEYS: dict[str, tuple[str, ...]] = {
    "chrome": ("exact_lines", "size_tokens"),
    "captions": ("max_words", "quote_marks", "patterns", "credit_tail_words", "credit_tail_max_words"),
    "comments": ("min_sentences_before", "section_start_lines", "section_start_patterns", "reply_marker_patterns"),
    "metadata": (
        "outlets", "byline_pattern", "dateline_pattern", "date_formats", "title_max_words",
        "title_max_quoted_words", "title_search_lines", "reporting_verbs", "headline_quote_marks",
    ),
}
CLEANING_REQUIRED = ("metadata.byline_pattern", "metadata.dateline_pattern")


def load_cleaning_rules(path: str | Path | None = None) -> CleaningRules:
    """Load ``configs/cleaning.yaml`` (or ``path``) into compiled rules."""
    from toolkit.config import ConfigError, _load_yaml, check_keys, configs_dir, expect_list, expect_mapping, expect_number

    p = Path(path) if path else configs_dir() / "cleaning.yaml"
    data = _load_yaml(p)
    sections = ", ".join(CLEANING_KEYS)
    if data is None:
        raise ConfigError(f"{p}: file is empty (expected the sections {sections}; compare with the shipped configs/cleaning.yaml)")
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: top level must be a mapping with the sections {sections}")
    check_keys(data, tuple(CLEANING_KEYS), p, "top level")
    for name in CLEANING_KEYS:
        if name not in data:
            raise ConfigError(f"{p}: missing section {name!r} (the file needs: {sections}; compare with the shipped configs/cleaning.yaml)")
    sec = {name: expect_mapping(data[name], p, name) for name in CLEANING_KEYS}
    for name, allowed in CLEANING_KEYS.items():
        check_keys(sec[name], allowed, p, name)
    for key in CLEANING_REQUIRED:
        name, k = key.split(".")
        if not isinstance(sec[name].get(k), str):
            raise ConfigError(f"{p}: key {key!r}: missing (or not a string): it must be a regular expression (see the shipped configs/cleaning.yaml)")
    chrome, captions, comments, meta = sec["chrome"], sec["captions"], sec["comments"], sec["metadata"]

    def strings(d: dict, name: str, key: str, default: Iterable[str] = ()) -> list[str]:
        value = d.get(key)
        return list(default) if value is None else expect_list(value, p, f"{name}.{key}", strings=True)

    def number(d: dict, name: str, key: str, default: int) -> int:
        return expect_number(d.get(key, default), p, f"{name}.{key}", int)

    def compile_(pattern: str, key: str, flags: int = 0) -> re.Pattern[str]:
        try:
            return re.compile(pattern, flags)
        except re.error as exc:
            raise ConfigError(f"{p}: key {key!r}: invalid regular expression {pattern!r}: {exc}") from None

    def rx(name: str, d: dict, key: str, flags: int = 0) -> tuple[re.Pattern[str], ...]:
        return tuple(compile_(s, f"{name}.{key}", flags) for s in strings(d, name, key))

    return CleaningRules(
        chrome_lines=frozenset(s.casefold() for s in strings(chrome, "chrome", "exact_lines")),
        size_tokens=frozenset(s.casefold() for s in strings(chrome, "chrome", "size_tokens")),
        caption_patterns=rx("captions", captions, "patterns"),
        caption_max_words=number(captions, "captions", "max_words", 40),
        caption_quote_marks=tuple(strings(captions, "captions", "quote_marks", ["“", "”", '"'])),
        credit_tail_words=tuple(strings(captions, "captions", "credit_tail_words")),
        credit_tail_max_words=number(captions, "captions", "credit_tail_max_words", 6),
        comment_min_sentences_before=number(comments, "comments", "min_sentences_before", 3),
        comment_lines=frozenset(s.casefold() for s in strings(comments, "comments", "section_start_lines")),
        comment_patterns=rx("comments", comments, "section_start_patterns", re.IGNORECASE),
        reply_patterns=rx("comments", comments, "reply_marker_patterns"),
        outlets={s.casefold(): s for s in strings(meta, "metadata", "outlets")},
        byline=compile_(meta["byline_pattern"], "metadata.byline_pattern"),
        dateline=compile_(meta["dateline_pattern"], "metadata.dateline_pattern", re.IGNORECASE),
        date_formats=tuple(strings(meta, "metadata", "date_formats")),
        title_max_words=number(meta, "metadata", "title_max_words", 25),
        title_max_quoted_words=number(meta, "metadata", "title_max_quoted_words", 2),
        title_search_lines=number(meta, "metadata", "title_search_lines", 4),
        reporting_verbs=_words_pattern(strings(meta, "metadata", "reporting_verbs")),
        headline_quote_marks=_quote_pairs(strings(meta, "metadata", "headline_quote_marks", ["‘’", "“”", "''", '""', "«»"]), p),
    )


def _quote_pairs(pairs: list[str], path: Path) -> tuple[str, ...]:
    """``metadata.headline_quote_marks``: each an opening and a closing mark, two characters."""
    from toolkit.config import ConfigError

    for pair in pairs:
        if len(pair) != 2:
            raise ConfigError(f"{path}: key 'metadata.headline_quote_marks': {pair!r} is not an opening and a closing "
                              "quotation mark (two characters, e.g. '‘’')")
    return tuple(pairs)


def _words_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any of ``words`` as whole words (None: no words)."""
    alts = [r"\s+".join(map(re.escape, w.split())) for w in words or () if w.strip()]
    return re.compile(rf"\b(?:{'|'.join(alts)})\b", re.IGNORECASE) if alts else None


@lru_cache(maxsize=1)
def default_rules() -> CleaningRules:
    return load_cleaning_rules()


# --------------------------------------------------------------------------- records


@dataclass
class Removal:
    """One line taken out of the body, for the audit report."""

    source: str
    line: int
    kind: str  # chrome | caption | comments | metadata
    rule: str
    text: str
    end_line: int = 0  # last line of a hard-wrapped paragraph (0: same as ``line``)
    count: int = 0  # kind "characters": how many characters were removed from the line
    characters: dict[str, int] = field(default_factory=dict)  # kind "characters": count by character


CHARACTERS = "characters"  # the Removal kind (and ``removed`` key) of removed characters


def remove_offset_breaking(text: str, source: str) -> tuple[str, list[Removal]]:
    r"""``text`` without the characters Label Studio counts differently from Python
    (:data:`toolkit.labelstudio.chars.OFFSET_BREAKING_CHARACTERS`: NUL), and one
    :class:`Removal` per line that held some (kind ``characters``, rule naming them, ``count``,
    the line with each one shown as ``<U+0000 NUL>``). Applied also with ``--no-clean``: after
    such a character every highlight in Label Studio is drawn one place off.

    >>> text, removals = remove_offset_breaking("a\x00b\nok\n\x00\x00c", "x.txt")
    >>> text
    'ab\nok\nc'
    >>> [(r.line, r.rule, r.count, r.text) for r in removals]  # doctest: +NORMALIZE_WHITESPACE
    [(1, 'characters:U+0000 NUL', 1, 'a<U+0000 NUL>b'), (3, 'characters:U+0000 NUL', 2, '<U+0000 NUL><U+0000 NUL>c')]
    """
    from toolkit.labelstudio.chars import character_label, offset_breaking_characters, remove_offset_breaking_characters

    if not offset_breaking_characters(text):
        return text, []
    removals = []
    for no, line in enumerate(text.split("\n"), start=1):
        found = offset_breaking_characters(line)
        if found:
            shown = "".join(f"<{character_label(c)}>" if offset_breaking_characters(c) else c for c in line)
            removals.append(Removal(source, no, CHARACTERS, f"{CHARACTERS}:{', '.join(found)}", shown,
                                    count=sum(found.values()), characters=found))
    return remove_offset_breaking_characters(text), removals


@dataclass
class IngestResult:
    article: Article
    removals: list[Removal] = field(default_factory=list)


@dataclass
class _Para:
    line: int
    text: str
    kind: str | None = None  # None = body
    rule: str = ""
    end_line: int = 0


def sanitize_id(value: str, max_len: int = 100) -> str:
    """A string safe as a file name: ``[A-Za-z0-9._-]``, no leading dots, no path parts.

    >>> sanitize_id("../../etc/passwd")
    'etc_passwd'
    """
    s = re.sub(r"[^A-Za-z0-9._-]+", "_", value).strip("._-")
    s = re.sub(r"\.{2,}", ".", s)
    return s[:max_len]


def content_id(text: str) -> str:
    return "a_" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- line rules


def split_paragraphs(raw: str) -> list[_Para]:
    """Non-empty lines with their 1-based line numbers; hard-wrapped lines of one block joined."""
    paras: list[_Para] = []
    prev_blank = True
    for no, line in enumerate(raw.split("\n"), start=1):
        text = line.strip()
        if not text:
            prev_blank = True
            continue
        if paras and not prev_blank and _is_wrap(paras[-1].text, text):
            paras[-1].text = f"{paras[-1].text} {text}"
            paras[-1].end_line = no
        else:
            paras.append(_Para(no, text))
        prev_blank = False
    return paras


def _is_wrap(previous: str, current: str) -> bool:
    return not previous.endswith(_SENTENCE_END) and current[:1].islower()


def chrome_rule(text: str, rules: CleaningRules) -> str | None:
    """Name of the chrome rule matching a whole line, else None."""
    folded = text.casefold()
    if folded in rules.chrome_lines:
        return "chrome:exact_line"
    tokens = text.split()
    if tokens and all(t.casefold() in rules.size_tokens for t in tokens):
        return "chrome:size_picker"
    return None


def _reports_speech(text: str, rules: CleaningRules) -> bool:
    return rules.reporting_verbs is not None and rules.reporting_verbs.search(text) is not None


def caption_rule(text: str, rules: CleaningRules) -> str | None:
    """Name of the caption/credit rule matching the whole paragraph, else None.

    Only a short paragraph (``captions.max_words``) with no double quotation mark and no
    reporting verb can be a caption: anything else is article text, kept whatever it ends with.
    """
    if len(text.split()) > rules.caption_max_words or any(m in text for m in rules.caption_quote_marks):
        return None
    if _reports_speech(text, rules):
        return None
    for pat in rules.caption_patterns:
        if pat.search(text):
            return f"caption:{pat.pattern}"
    tail = re.split(r"(?<=[.!?])\s+", text)[-1]
    if tail != text and _is_bare_credit(tail, rules):
        return "caption:credit_tail"
    return None


def _is_bare_credit(tail: str, rules: CleaningRules) -> bool:
    """A credit and nothing else: a credit word, plus capitalised names and slashes, no end punctuation."""
    if tail.endswith(_SENTENCE_END) or len(tail.split()) > rules.credit_tail_max_words:
        return False
    rest = tail
    for w in rules.credit_tail_words:
        rest = re.sub(rf"\b{re.escape(w)}\b", " ", rest)
    if rest == tail:
        return False
    return all(t[:1].isupper() or t[:1].isdigit() or not t[:1].isalpha() for t in rest.replace("/", " ").split())


def _is_sentence_paragraph(text: str) -> bool:
    return len(text.split()) >= 4 and text.endswith(_SENTENCE_END)


def comments_start(paras: list[_Para], rules: CleaningRules) -> tuple[int, str] | None:
    """Index of the first paragraph of the reader-comment section and the rule, else None.

    A section heading counts only once the article has begun (``min_sentences_before`` sentence
    paragraphs above it); an earlier one is marked as chrome, alone, and the search goes on.
    """
    sentences = 0
    for i, p in enumerate(paras):
        folded = p.text.casefold().rstrip(":")
        if folded in rules.comment_lines or any(r.search(p.text) for r in rules.comment_patterns):
            if sentences >= rules.comment_min_sentences_before:
                return i, "comments:section_heading"
            if p.kind is None:
                p.kind, p.rule = "chrome", "chrome:early_comment_heading"
            continue
        if any(r.search(p.text) for r in rules.reply_patterns):
            return max(i - 1, 0), "comments:reply_marker"
        if _is_sentence_paragraph(p.text):
            sentences += 1
    return None


def _parse_date(value: str, rules: CleaningRules) -> str | None:
    value = value.strip().rstrip(".")
    for fmt in rules.date_formats:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return None


_QUOTED = re.compile(r'“([^”]*)”|"([^"]*)"|«([^»]*)»|„([^“”]*)[“”]')


#: a sentence ending inside a line, and another starting after it
_SENTENCE_BREAK = re.compile(r"[.!?…][’”'\"»)]*\s+[‘“'\"«(]*[A-Z0-9]")
#: a headline's label before a colon: "Analysis: ...", "Interview: ...", "Exiled leader: ..."
_LABEL = re.compile(r"[^\W\d_][\w’'.&-]*(?:[ \t]+[\w’'.&-]+){0,3}:[ \t]+\S")


def headline_ending(text: str, rules: CleaningRules, following: str | None = None) -> str | None:
    """How a line that ends like a sentence (``?``, a closing quotation mark) may still end a
    headline. ``"quotation"``: one sentence ending in a quotation it opened, with no stop inside
    the closing mark (a headline drops it: ``‘We will not give up’``; a lead's quotation ends
    ``.”`` or ``,”``). ``"question"``: one question that is labelled (``Analysis: ...?``) or
    followed by the paragraph that opens the story with a dateline (``PHNOM PENH — ...``); an
    unlabelled question before plain text is the lead and stays. None: it ends a sentence. The
    quotation marks are ``metadata.headline_quote_marks`` (opening, closing).

    >>> r = default_rules()
    >>> headline_ending("Analysis: Can the opposition survive?", r), headline_ending("Interview: ‘We will not give up’", r)
    ('question', 'quotation')
    >>> headline_ending("Can it survive?", r, "The party met."), headline_ending("Can it survive?", r, "PHNOM PENH — The party met.")
    (None, 'question')
    >>> headline_ending("He left. Will he return?", r), headline_ending("“We will not give up.”", r), headline_ending("Talks end.", r)
    (None, None, None)
    """
    from toolkit.core.frames import dateline_spans

    t = text.rstrip()
    if len(t) < 2 or _SENTENCE_BREAK.search(t[:-1]):
        return None
    if t.endswith("?"):
        opens_story = following is not None and any(a == 0 for a, _ in dateline_spans(following.lstrip()))
        return "question" if _LABEL.match(t) or opens_story else None
    for opening, closing in rules.headline_quote_marks:
        if t.endswith(closing) and t[-2].isalnum() and opening in t[:-1]:
            return "quotation"
    return None


def _title_like(text: str, rules: CleaningRules, following: str | None = None) -> bool:
    """A headline: short, not ending like a sentence (:func:`headline_ending` aside; ``following``
    is the next paragraph), quoting no sentence (except the quotation a headline ends in),
    reporting no speech."""
    words = text.split()
    ending = headline_ending(text, rules, following)
    if not 2 <= len(words) <= rules.title_max_words or (text.endswith(_TITLE_BAD_END) and ending is None):
        return False
    end = len(text.rstrip())
    if any(len("".join(g or "" for g in m.groups()).split()) > rules.title_max_quoted_words
           and not (ending == "quotation" and m.end() == end) for m in _QUOTED.finditer(text)):
        return False
    if text.count("“") != text.count("”") or text.count('"') % 2:  # an unclosed quotation
        return False
    return not _reports_speech(text, rules)


def same_title(a: str | None, b: str | None) -> bool:
    """Same text, whitespace and case aside."""
    return a is not None and b is not None and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _lead_title(text: str, max_words: int = 14) -> str:
    sentence = re.split(r"(?<=[.!?])\s+", text, maxsplit=1)[0]
    words = sentence.split()
    return sentence if len(words) <= max_words else " ".join(words[:max_words]) + " …"


def author_byline(name: str) -> bool:
    """Whether the name part of a "NAME | DATE" byline names the writer ("By Staff Reporter"),
    not the outlet: the line still gives the date, the outlet stays unknown.

    >>> author_byline("By Staff Reporter"), author_byline("The Daily Example")
    (True, False)
    """
    return re.match(r"by\s", name.strip(), re.IGNORECASE) is not None


def extract_metadata(paras: list[_Para], rules: CleaningRules, mark: bool = True,
                     given_title: str | None = None) -> dict[str, Any]:
    """Masthead, byline/dateline and headline among the first body paragraphs.

    Matching paragraphs are marked ``kind="metadata"`` (taken out of the body) when ``mark``.
    With ``given_title`` no headline is looked for: the first body paragraph is removed only
    when it is that title (rule ``metadata:given_title``).
    """
    meta: dict[str, Any] = {"title": None, "outlet": None, "date": None, "title_source": None}
    body = [p for p in paras if p.kind is None]
    for p in body[: rules.title_search_lines + 3]:
        m = rules.byline.match(p.text)
        d = rules.dateline.match(p.text)
        if m and _parse_date(m.group("date"), rules):
            if not author_byline(m.group("outlet")):
                meta["outlet"] = meta["outlet"] or m.group("outlet").strip()
            meta["date"] = _parse_date(m.group("date"), rules)
            p.kind, p.rule = "metadata", "metadata:byline"
        elif d and _parse_date(d.group("date"), rules) and not meta["date"]:
            meta["date"] = _parse_date(d.group("date"), rules)
            p.kind, p.rule = "metadata", "metadata:dateline"
    body = [p for p in paras if p.kind is None]
    if body and body[0].text.casefold() in rules.outlets and len(body) > 1:
        meta["outlet"] = meta["outlet"] or rules.outlets[body[0].text.casefold()]
        body[0].kind, body[0].rule = "metadata", "metadata:masthead"
        body = body[1:]
    if given_title is not None:
        meta["title"], meta["title_source"] = given_title, "given"
        if body and same_title(body[0].text, given_title):
            body[0].kind, body[0].rule = "metadata", "metadata:given_title"
    elif body and _title_like(body[0].text, rules, body[1].text if len(body) > 1 else None):
        meta["title"], meta["title_source"] = body[0].text, "headline"
        body[0].kind, body[0].rule = "metadata", "metadata:title"
    elif body:
        meta["title"], meta["title_source"] = _lead_title(body[0].text), "lead"
    if not mark:
        for p in paras:
            if p.kind == "metadata":
                p.kind, p.rule = None, ""
    return meta


def clean_paragraphs(paras: list[_Para], rules: CleaningRules) -> None:
    """Mark chrome, captions and comments in place (``kind`` set, ``rule`` named)."""
    start = comments_start(paras, rules)
    if start is not None:
        idx, rule = start
        for p in paras[idx:]:
            p.kind, p.rule = "comments", rule
    for p in paras:
        if p.kind is not None:
            continue
        rule = chrome_rule(p.text, rules)
        if rule:
            p.kind, p.rule = "chrome", rule
            continue
        rule = caption_rule(p.text, rules)
        if rule:
            p.kind, p.rule = "caption", rule


# --------------------------------------------------------------------------- one document


def build_article(
    raw_text: str,
    *,
    article_id: str,
    source: str,
    sha256: str,
    clean: bool = True,
    rules: CleaningRules | None = None,
    title: str | None = None,
    outlet: str | None = None,
    date: str | None = None,
) -> IngestResult:
    """Clean one document's text and extract its metadata. Raises BadInputError when empty."""
    rules = rules or default_rules()
    raw_text = raw_text.replace("\r\n", "\n").replace("\r", "\n").lstrip(_BOM)
    raw_text, char_removals = remove_offset_breaking(raw_text, source)
    if not raw_text.strip():
        raise BadInputError(f"{source}: empty document (nothing but whitespace); remove it{SKIP_HINT}")
    given_title = title if title and title.strip() else None
    paras = split_paragraphs(raw_text)
    if clean:
        clean_paragraphs(paras, rules)
    meta = extract_metadata(paras, rules, mark=clean, given_title=given_title)
    body = [p for p in paras if p.kind is None]
    removals = char_removals + [Removal(source, p.line, p.kind, p.rule, p.text, p.end_line or p.line)
                                for p in paras if p.kind is not None]
    if not body:
        exc = BadInputError(f"{source}: no article text left after cleaning; check it with --report, use --no-clean{SKIP_HINT}")
        exc.removals = removals  # type: ignore[attr-defined]  # for --report, also on failure
        raise exc
    text = "\n\n".join(p.text for p in body) if clean else raw_text.strip("\n")
    removed = {k: sum(1 for p in paras if p.kind == k) for k in REMOVED_KINDS}
    if char_removals:  # only when there are some: records without them keep their shape
        removed[CHARACTERS] = sum(r.count for r in char_removals)
    article = Article(
        article_id=article_id,
        text=text,
        title=given_title or meta["title"],
        outlet=outlet or meta["outlet"] or "unknown",
        date=_normalise_date(date, rules) if date else meta["date"],
        source_path=source,
        sha256=sha256,
        removed=removed,
        title_source=meta["title_source"],
    )
    return IngestResult(article, removals)


def _normalise_date(value: str, rules: CleaningRules) -> str | None:
    value = str(value).strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return _parse_date(value, rules) or value


def _decode(data: bytes, source: str, unit: str = "offset") -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = f"at offset {exc.start}" if unit == "offset" else f"at column {exc.start + 1}"
        raise BadInputError(
            f"{source}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} {where}); re-save it as UTF-8{SKIP_HINT}"
        ) from None


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read ({exc.strerror}); check the path and permissions{SKIP_HINT}") from None


def skipped_message(exc: BaseException) -> str:
    """The error as listed among skipped inputs: without the "or pass --skip-bad" hint."""
    return str(exc).removesuffix(SKIP_HINT)


def ingest_text_file(path: Path, clean: bool = True, rules: CleaningRules | None = None) -> IngestResult:
    data = _read_bytes(path)
    text = _decode(data, str(path))
    aid = sanitize_id(path.stem) or content_id(text)
    return build_article(text, article_id=aid, source=str(path), sha256=hashlib.sha256(data).hexdigest(), clean=clean, rules=rules)


def html_to_text(html: str, source: str) -> tuple[str, dict[str, Any]]:
    """Main text (one paragraph per line) and metadata through trafilatura. Runs no script, fetches nothing."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False, include_images=False, include_links=False
    )
    if doc is None or not (doc.text or "").strip():
        raise BadInputError(f"{source}: no article text found in the HTML; check the file{SKIP_HINT}")
    meta = {"title": doc.title, "outlet": doc.sitename, "date": doc.date}
    return doc.text, meta


def ingest_html_file(path: Path, clean: bool = True, rules: CleaningRules | None = None) -> IngestResult:
    """The extractor puts the headline first: that line is removed (``metadata:given_title``,
    counted and reported) when it is the title, as for any given title; never another line."""
    data = _read_bytes(path)
    html = _decode(data, str(path))
    if not html.strip():
        raise BadInputError(f"{path}: empty document; remove it{SKIP_HINT}")
    text, meta = html_to_text(html, str(path))
    rules = rules or default_rules()
    aid = sanitize_id(path.stem) or content_id(text)
    return build_article(
        text, article_id=aid, source=str(path), sha256=hashlib.sha256(data).hexdigest(), clean=clean, rules=rules,
        title=meta["title"], outlet=meta["outlet"], date=meta["date"],
    )


def ingest_jsonl_file(path: Path, clean: bool = True, rules: CleaningRules | None = None, skip_bad: bool = False,
                      errors: list[str] | None = None,
                      failed_removals: list[Removal] | None = None) -> Iterator[IngestResult]:
    """One article per JSON line (at least ``text``), each line decoded on its own (a bad byte
    spoils its line only; a BOM before the first line is dropped). Bad lines raise, or with
    ``skip_bad`` are appended to ``errors`` (and what cleaning removed from them to ``failed_removals``)."""
    data = _read_bytes(path)
    if data.startswith(_BOM.encode("utf-8")):
        data = data[len(_BOM.encode("utf-8")):]
    if not data.strip():
        raise BadInputError(f"{path}: empty file; remove it{SKIP_HINT}")
    for no, raw in enumerate(data.split(b"\n"), start=1):
        where = f"{path}:{no}"
        try:
            line = _decode(raw, where, unit="column")
            if not line.strip():
                continue
            yield _jsonl_record(line, where, clean, rules)
        except BadInputError as exc:
            if failed_removals is not None:
                failed_removals.extend(getattr(exc, "removals", ()))
            if not skip_bad or errors is None:
                raise
            errors.append(skipped_message(exc))


def _jsonl_record(line: str, where: str, clean: bool, rules: CleaningRules | None) -> IngestResult:
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        at = "column" if exc.msg.endswith(" at") else "at column"  # "Unterminated string starting at"
        raise BadInputError(f"{where}: invalid JSON ({exc.msg} {at} {exc.colno}); fix the line{SKIP_HINT}") from None
    except (ValueError, RecursionError) as exc:  # a huge integer, or nesting deeper than the recursion limit
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc).split(";")[0]
        raise BadInputError(f"{where}: invalid JSON ({reason}); fix the line{SKIP_HINT}") from None
    if not isinstance(rec, dict):
        raise BadInputError(f"{where}: expected a JSON object with a 'text' field, got {type(rec).__name__}; "
                            f"fix the line{SKIP_HINT}")
    text = rec.get("text")
    if not isinstance(text, str):
        raise BadInputError(f"{where}: record has no 'text' string; every record needs at least 'text': "
                            f"fix the line{SKIP_HINT}")
    given = rec.get("article_id") or rec.get("id")
    aid = sanitize_id(str(given)) if given is not None else ""
    sha = hashlib.sha256(line.encode("utf-8")).hexdigest()
    return build_article(
        text, article_id=aid or content_id(text), source=where, sha256=sha, clean=clean, rules=rules,
        title=_opt_str(rec.get("title")), outlet=_opt_str(rec.get("outlet")), date=_opt_str(rec.get("date")),
    )


def _opt_str(v: Any) -> str | None:
    return None if v is None or v == "" else str(v)


# --------------------------------------------------------------------------- many inputs


@dataclass
class IngestStats:
    articles: int = 0
    bad: list[str] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)  # other file types inside input folders
    hidden: list[str] = field(default_factory=list)  # dot-files and dot-folders inside input folders
    output_skipped: list[str] = field(default_factory=list)  # the output itself, found in an input folder
    duplicate_ids: list[str] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=lambda: {k: 0 for k in SUMMARY_KINDS})
    #: Characters removed from the texts (``remove_offset_breaking``), by character, e.g. {"U+0000 NUL": 3}.
    removed_characters: dict[str, int] = field(default_factory=dict)
    #: What cleaning removed from documents that then failed (e.g. nothing left), for ``--report``.
    failed_removals: list[Removal] = field(default_factory=list)


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.resolve() == b.resolve():
            return True
        return a.exists() and b.exists() and a.samefile(b)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Path.resolve, Python 3.11)
        return False


def _own_temp_file(f: Path, output: Path | None) -> bool:
    """The hidden temporary file :func:`toolkit.io.atomic_open` writes next to ``output``."""
    if output is None:
        return False
    from toolkit.io import resolve_output

    try:
        output = resolve_output(output)  # a symlinked -o is written next to its target
    except BadInputError:
        pass
    return (f.name.startswith(f".{output.name}.") and f.name.endswith(".tmp")
            and _same_file(f.parent, output.parent))


def expand_inputs(inputs: Iterable[str | Path], stats: IngestStats, output: str | Path | None = None) -> list[Path]:
    """Files as given; folders walked recursively in sorted order.

    Inside folders, other extensions are counted in ``stats.ignored_files``, dot-files and
    dot-folders (``.ipynb_checkpoints/``, macOS ``._x.txt``) in ``stats.hidden``, and the
    ``output`` file in ``stats.output_skipped``: none is read (a dot-file named explicitly is).
    An ``output`` that is one of the named input files, or no input file at all, is a
    :class:`BadInputError`.
    """
    out = Path(output) if output is not None else None
    files: list[Path] = []
    inputs = [Path(i) for i in inputs]
    for p in inputs:
        if p.is_dir():
            hidden_dirs: set[Path] = set()
            for f in sorted(x for x in p.rglob("*") if x.is_file()):
                if _own_temp_file(f, out):
                    continue
                parts = f.relative_to(p).parts
                k = next((i for i, part in enumerate(parts) if part.startswith(".")), None)
                if k is not None:
                    if k == len(parts) - 1:
                        stats.hidden.append(str(f))
                    elif p.joinpath(*parts[: k + 1]) not in hidden_dirs:
                        hidden_dirs.add(p.joinpath(*parts[: k + 1]))
                        stats.hidden.append(str(p.joinpath(*parts[: k + 1])) + "/")
                elif out is not None and _same_file(f, out):
                    stats.output_skipped.append(str(f))
                elif f.suffix.lower() in SUPPORTED_EXTS:
                    files.append(f)
                else:
                    stats.ignored_files.append(str(f))
        elif p.exists():
            if p.suffix.lower() not in SUPPORTED_EXTS:
                raise BadInputError(f"{p}: unsupported file type {p.suffix or '(none)'!r}; use .txt, .html/.htm or .jsonl")
            if out is not None and _same_file(p, out):
                raise BadInputError(f"{p}: is both an input and the output (-o); writing would replace it: "
                                    "choose another output name")
            files.append(p)
        else:
            raise BadInputError(f"{p}: no such file or folder")
    if not files:
        other = len(stats.ignored_files) + len(stats.hidden) + len(stats.output_skipped)
        note = f" ({other} other or hidden file(s) and folder(s) not read)" if other else ""
        raise BadInputError(f"no .txt/.html/.jsonl files found in {', '.join(map(str, inputs))}{note}; nothing written")
    return files


def ingest_paths(inputs: Iterable[str | Path], *, clean: bool = True, skip_bad: bool = False,
                 rules: CleaningRules | None = None, stats: IngestStats | None = None,
                 output: str | Path | None = None) -> Iterator[IngestResult]:
    """Ingest files and folders (see :func:`expand_inputs`; ``output`` is never read as input).
    Bad input raises :class:`BadInputError`, or with ``skip_bad`` is counted in ``stats.bad``.
    Duplicate article ids get a ``-2``, ``-3`` ... suffix (counted)."""
    stats = stats if stats is not None else IngestStats()
    yield from ingest_files(expand_inputs(inputs, stats, output), clean=clean, skip_bad=skip_bad, rules=rules, stats=stats)


def ingest_files(files: Iterable[Path], *, clean: bool = True, skip_bad: bool = False,
                 rules: CleaningRules | None = None, stats: IngestStats | None = None) -> Iterator[IngestResult]:
    """Ingest the files of :func:`expand_inputs` (as :func:`ingest_paths`)."""
    stats = stats if stats is not None else IngestStats()
    rules = rules or default_rules()
    seen: set[str] = set()
    for path in files:
        path = Path(path)
        ext = path.suffix.lower()
        try:
            if ext in JSONL_EXTS:
                results: Iterable[IngestResult] = ingest_jsonl_file(path, clean, rules, skip_bad, stats.bad,
                                                                    stats.failed_removals)
            elif ext in HTML_EXTS:
                results = [ingest_html_file(path, clean, rules)]
            else:
                results = [ingest_text_file(path, clean, rules)]
            for res in results:
                aid = res.article.article_id
                if aid in seen:
                    n = 2
                    while f"{aid}-{n}" in seen:
                        n += 1
                    stats.duplicate_ids.append(f"{res.article.source_path}: id {aid!r} renamed {aid}-{n}")
                    res.article.article_id = aid = f"{aid}-{n}"
                seen.add(aid)
                stats.articles += 1
                for k, v in res.article.removed.items():
                    if k in SUMMARY_KINDS:
                        stats.removed[k] = stats.removed.get(k, 0) + v
                for r in res.removals:
                    for label, n in r.characters.items():
                        stats.removed_characters[label] = stats.removed_characters.get(label, 0) + n
                stats.removed["metadata"] = stats.removed.get("metadata", 0) + sum(
                    1 for r in res.removals if r.kind == "metadata")
                yield res
        except BadInputError as exc:
            if ext not in JSONL_EXTS:  # the JSONL reader records its own lines' removals
                stats.failed_removals.extend(getattr(exc, "removals", ()))
            if not skip_bad:
                raise
            stats.bad.append(skipped_message(exc))
