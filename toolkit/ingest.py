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
  the lead sentence, shortened, and ``title_source`` says ``"lead"``.
- HTML is parsed by trafilatura (no scripts run, nothing fetched); its paragraphs then go
  through the same line rules.
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
TEXT_EXTS = {".txt"}
HTML_EXTS = {".html", ".htm"}
JSONL_EXTS = {".jsonl"}
SUPPORTED_EXTS = TEXT_EXTS | HTML_EXTS | JSONL_EXTS
_SENTENCE_END = tuple('.!?:;"”’)]…')


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class CleaningRules:
    chrome_lines: frozenset[str]
    size_tokens: frozenset[str]
    caption_patterns: tuple[re.Pattern[str], ...]
    credit_tail_words: tuple[str, ...]
    credit_tail_max_words: int
    comment_lines: frozenset[str]
    comment_patterns: tuple[re.Pattern[str], ...]
    reply_patterns: tuple[re.Pattern[str], ...]
    outlets: dict[str, str]
    byline: re.Pattern[str]
    dateline: re.Pattern[str]
    date_formats: tuple[str, ...]
    title_max_words: int
    title_search_lines: int


def load_cleaning_rules(path: str | Path | None = None) -> CleaningRules:
    """Load ``configs/cleaning.yaml`` (or ``path``) into compiled rules."""
    from toolkit.config import ConfigError, _load_yaml, configs_dir

    p = Path(path) if path else configs_dir() / "cleaning.yaml"
    data = _load_yaml(p)
    try:
        chrome, captions, comments, meta = data["chrome"], data["captions"], data["comments"], data["metadata"]

        def rx(items: Iterable[str], flags: int = 0) -> tuple[re.Pattern[str], ...]:
            return tuple(re.compile(s, flags) for s in items or ())

        return CleaningRules(
            chrome_lines=frozenset(s.casefold() for s in chrome.get("exact_lines", [])),
            size_tokens=frozenset(s.casefold() for s in chrome.get("size_tokens", [])),
            caption_patterns=rx(captions.get("patterns", [])),
            credit_tail_words=tuple(captions.get("credit_tail_words", [])),
            credit_tail_max_words=int(captions.get("credit_tail_max_words", 6)),
            comment_lines=frozenset(s.casefold() for s in comments.get("section_start_lines", [])),
            comment_patterns=rx(comments.get("section_start_patterns", []), re.IGNORECASE),
            reply_patterns=rx(comments.get("reply_marker_patterns", [])),
            outlets={s.casefold(): s for s in meta.get("outlets", [])},
            byline=re.compile(meta["byline_pattern"]),
            dateline=re.compile(meta["dateline_pattern"], re.IGNORECASE),
            date_formats=tuple(meta.get("date_formats", [])),
            title_max_words=int(meta.get("title_max_words", 25)),
            title_search_lines=int(meta.get("title_search_lines", 4)),
        )
    except (KeyError, TypeError, re.error) as exc:
        raise ConfigError(f"{p}: invalid cleaning rules: {exc!r} (compare with the shipped configs/cleaning.yaml)") from None


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


def caption_rule(text: str, rules: CleaningRules) -> str | None:
    """Name of the caption/credit rule matching the line, else None."""
    for pat in rules.caption_patterns:
        if pat.search(text):
            return f"caption:{pat.pattern}"
    tail = re.split(r"(?<=[.!?])\s+", text)[-1]
    if tail != text and not tail.endswith((".", "”", '"')) and len(tail.split()) <= rules.credit_tail_max_words:
        if any(re.search(rf"\b{re.escape(w)}\b", tail) for w in rules.credit_tail_words):
            return "caption:credit_tail"
    return None


def comments_start(paras: list[_Para], rules: CleaningRules) -> tuple[int, str] | None:
    """Index of the first paragraph of the reader-comment section and the rule, else None."""
    for i, p in enumerate(paras):
        folded = p.text.casefold().rstrip(":")
        if folded in rules.comment_lines or any(r.search(p.text) for r in rules.comment_patterns):
            return i, "comments:section_heading"
        if any(r.search(p.text) for r in rules.reply_patterns):
            return max(i - 1, 0), "comments:reply_marker"
    return None


def _parse_date(value: str, rules: CleaningRules) -> str | None:
    value = value.strip().rstrip(".")
    for fmt in rules.date_formats:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _title_like(text: str, rules: CleaningRules) -> bool:
    words = text.split()
    return 2 <= len(words) <= rules.title_max_words and not text.endswith((".", ":", ";", ",", "|"))


def _lead_title(text: str, max_words: int = 14) -> str:
    sentence = re.split(r"(?<=[.!?])\s+", text, maxsplit=1)[0]
    words = sentence.split()
    return sentence if len(words) <= max_words else " ".join(words[:max_words]) + " …"


def extract_metadata(paras: list[_Para], rules: CleaningRules, mark: bool = True) -> dict[str, Any]:
    """Masthead, byline/dateline and headline among the first body paragraphs.

    Matching paragraphs are marked ``kind="metadata"`` (taken out of the body) when ``mark``.
    """
    meta: dict[str, Any] = {"title": None, "outlet": None, "date": None, "title_source": None}
    body = [p for p in paras if p.kind is None]
    for p in body[: rules.title_search_lines + 3]:
        m = rules.byline.match(p.text)
        d = rules.dateline.match(p.text)
        if m and _parse_date(m.group("date"), rules):
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
    if body and _title_like(body[0].text, rules):
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
    raw_text = raw_text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not raw_text.strip():
        raise BadInputError(f"{source}: empty document (nothing but whitespace); remove it or pass --skip-bad")
    paras = split_paragraphs(raw_text)
    if clean:
        clean_paragraphs(paras, rules)
    meta = extract_metadata(paras, rules, mark=clean)
    body = [p for p in paras if p.kind is None]
    if not body:
        raise BadInputError(f"{source}: no article text left after cleaning; check it with --report or use --no-clean")
    text = "\n\n".join(p.text for p in body) if clean else raw_text.strip("\n")
    removed = {k: sum(1 for p in paras if p.kind == k) for k in REMOVED_KINDS}
    removals = [Removal(source, p.line, p.kind, p.rule, p.text, p.end_line or p.line) for p in paras if p.kind is not None]
    article = Article(
        article_id=article_id,
        text=text,
        title=title or meta["title"],
        outlet=outlet or meta["outlet"] or "unknown",
        date=_normalise_date(date, rules) if date else meta["date"],
        source_path=source,
        sha256=sha256,
        removed=removed,
        title_source="given" if title else meta["title_source"],
    )
    return IngestResult(article, removals)


def _normalise_date(value: str, rules: CleaningRules) -> str | None:
    value = str(value).strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return _parse_date(value, rules) or value


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInputError(
            f"{source}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "re-save it as UTF-8 or pass --skip-bad"
        ) from None


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read ({exc.strerror}); check the path and permissions or pass --skip-bad") from None


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
        raise BadInputError(f"{source}: no article text found in the HTML; check the file or pass --skip-bad")
    meta = {"title": doc.title, "outlet": doc.sitename, "date": doc.date}
    return doc.text, meta


def ingest_html_file(path: Path, clean: bool = True, rules: CleaningRules | None = None) -> IngestResult:
    data = _read_bytes(path)
    html = _decode(data, str(path))
    if not html.strip():
        raise BadInputError(f"{path}: empty document; remove it or pass --skip-bad")
    text, meta = html_to_text(html, str(path))
    rules = rules or default_rules()
    # The extractor puts the headline first: drop that line from the body when it repeats the title.
    lines = text.split("\n")
    if meta["title"] and lines and lines[0].strip() == meta["title"].strip():
        text = "\n".join(lines[1:])
    aid = sanitize_id(path.stem) or content_id(text)
    return build_article(
        text, article_id=aid, source=str(path), sha256=hashlib.sha256(data).hexdigest(), clean=clean, rules=rules,
        title=meta["title"], outlet=meta["outlet"], date=meta["date"],
    )


def ingest_jsonl_file(path: Path, clean: bool = True, rules: CleaningRules | None = None, skip_bad: bool = False,
                      errors: list[str] | None = None) -> Iterator[IngestResult]:
    """One article per JSON line (at least ``text``). Bad lines raise, or are appended to ``errors``."""
    data = _read_bytes(path)
    content = _decode(data, str(path))
    if not content.strip():
        raise BadInputError(f"{path}: empty file; remove it or pass --skip-bad")
    for no, line in enumerate(content.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}:{no}"
        try:
            yield _jsonl_record(line, where, clean, rules)
        except BadInputError as exc:
            if not skip_bad or errors is None:
                raise
            errors.append(str(exc))


def _jsonl_record(line: str, where: str, clean: bool, rules: CleaningRules | None) -> IngestResult:
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadInputError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno}); fix the line or pass --skip-bad") from None
    except (ValueError, RecursionError) as exc:  # a huge integer, or nesting deeper than the recursion limit
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc).split(";")[0]
        raise BadInputError(f"{where}: invalid JSON ({reason}); fix the line or pass --skip-bad") from None
    if not isinstance(rec, dict):
        raise BadInputError(f"{where}: expected a JSON object with a 'text' field, got {type(rec).__name__}")
    text = rec.get("text")
    if not isinstance(text, str):
        raise BadInputError(f"{where}: record has no 'text' string; every record needs at least 'text'")
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
    ignored_files: list[str] = field(default_factory=list)
    duplicate_ids: list[str] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=lambda: {k: 0 for k in REMOVED_KINDS})


def expand_inputs(inputs: Iterable[str | Path], stats: IngestStats) -> list[Path]:
    """Files as given; folders walked recursively in sorted order (other extensions counted, not read)."""
    files: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            for f in sorted(x for x in p.rglob("*") if x.is_file()):
                if f.suffix.lower() in SUPPORTED_EXTS:
                    files.append(f)
                else:
                    stats.ignored_files.append(str(f))
        elif p.exists():
            if p.suffix.lower() not in SUPPORTED_EXTS:
                raise BadInputError(f"{p}: unsupported file type {p.suffix or '(none)'!r}; use .txt, .html/.htm or .jsonl")
            files.append(p)
        else:
            raise BadInputError(f"{p}: no such file or folder")
    return files


def ingest_paths(inputs: Iterable[str | Path], *, clean: bool = True, skip_bad: bool = False,
                 rules: CleaningRules | None = None, stats: IngestStats | None = None) -> Iterator[IngestResult]:
    """Ingest files and folders. Bad input raises :class:`BadInputError`, or with ``skip_bad`` is
    counted in ``stats.bad``. Duplicate article ids get a ``-2``, ``-3`` ... suffix (counted)."""
    stats = stats if stats is not None else IngestStats()
    rules = rules or default_rules()
    seen: set[str] = set()
    for path in expand_inputs(inputs, stats):
        ext = path.suffix.lower()
        try:
            if ext in JSONL_EXTS:
                results: Iterable[IngestResult] = ingest_jsonl_file(path, clean, rules, skip_bad, stats.bad)
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
                    stats.removed[k] = stats.removed.get(k, 0) + v
                yield res
        except BadInputError as exc:
            if not skip_bad:
                raise
            stats.bad.append(str(exc))
