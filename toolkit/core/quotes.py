"""Quotation-mark pairing: where are the quoted stretches of an article?

``find_quotations(text)`` pairs marks **by type** within one paragraph (a line):

- curly double ``“ … ”``, guillemets ``« … »``, straight double ``" … "`` (toggled);
- curly single ``‘ … ’`` only where ``’`` cannot be an apostrophe (``don’t``, ``peoples’``
  outside an open single quote stay apostrophes);
- marks nested inside an open quotation belong to its content (``“Don’t join the ‘nine-fingers’
  campaign”`` is one quotation);
- a paragraph that opens a quotation and never closes it yields a quotation that ends at the
  line break (``closed=False``); when the next paragraph opens with a mark, the quotation is a
  multi-paragraph quote (``continues=True``) and no warning is raised;
- any other unbalanced mark is reported in ``warnings`` and never discards the rest of the text.

What it does not do: decide whether a quotation is a quote or a scare quote/title (that needs
the attribution context, see :mod:`toolkit.core.attribute`); straight single quotes (``'``) are
always treated as apostrophes.

>>> t = '“A,” he said. “B.”'
>>> [q.content(t) for q in find_quotations(t).quotations]
['A,', 'B.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

OPEN_CLOSE = {"“": "”", "«": "»", "‘": "’"}
CLOSERS = {v: k for k, v in OPEN_CLOSE.items()}
STRAIGHT = '"'
_MARK = re.compile('[“”«»‘’"]')
_OPEN_BEFORE = set(" \t\n([{—–-/“‘«:") | {""}


@dataclass(frozen=True)
class Quotation:
    """One top-level quoted stretch. ``start``/``end`` delimit the content (marks excluded)."""

    open: int  # offset of the opening mark
    close: int | None  # offset of the closing mark, None when the paragraph ends first
    start: int
    end: int
    mark: str
    continues: bool = False  # unclosed, and the next paragraph re-opens a quotation

    @property
    def closed(self) -> bool:
        return self.close is not None

    @property
    def outer_end(self) -> int:
        """Offset just past the closing mark (or the content end when unclosed)."""
        return self.close + 1 if self.close is not None else self.end

    def content(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass
class QuotationScan:
    quotations: list[Quotation] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)


def _is_apostrophe(text: str, i: int) -> bool:
    """``’`` between letters (``don’t``, ``d’état``) or after a digit (``90’s``)."""
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    return before.isalnum() and after.isalnum()


def _opens(text: str, i: int) -> bool:
    """An ambiguous mark opens when it follows a boundary and precedes a non-space."""
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    return before in _OPEN_BEFORE and after not in ("", " ", "\n", "\t")


def _content_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] == _FILLER):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == _FILLER):
        end -= 1
    return start, end


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _first_mark(text: str, start: int, end: int) -> str | None:
    for ch in text[start:end]:
        if ch.isspace():
            continue
        return ch if ch in OPEN_CLOSE or ch == STRAIGHT else None
    return None


_TWO_CHAR = ("''", "``")
_FILLER = "\u200b"


def _normalise_marks(text: str) -> str:
    """Same-length copy where the two-character marks ``''`` and ````` `` ````` read as ``"``."""
    for two in _TWO_CHAR:
        if two in text:
            text = text.replace(two, '"' + _FILLER)
    return text


def find_quotations(text: str) -> QuotationScan:
    """Pair quotation marks paragraph by paragraph; see the module docstring.

    Two apostrophes (``''``) or two backticks are one straight double quotation mark, as in
    typewriter-style news archives: ``''It's anti-reform,'' he said.``
    """
    text = _normalise_marks(text)
    scan = QuotationScan()
    paragraphs = _paragraphs(text)
    for p_index, (p_start, p_end) in enumerate(paragraphs):
        stack: list[tuple[str, int]] = []  # (mark, offset)
        for m in _MARK.finditer(text, p_start, p_end):  # only the marks: no per-character loop
            i = m.start()
            ch = text[i]
            top = stack[-1][0] if stack else None
            if ch in ("“", "«"):
                stack.append((ch, i))
            elif ch == "‘":
                if _opens(text, i) or top is not None:
                    stack.append((ch, i))
            elif ch == STRAIGHT:
                if top == STRAIGHT:
                    _close(text, stack, i, scan)
                elif _opens(text, i) or top is not None:
                    stack.append((ch, i))
                else:
                    scan.warnings.append((i, 'stray straight quote (") ignored'))
            elif ch in ("”", "»"):
                opener = CLOSERS[ch]
                if any(m == opener for m, _ in stack):
                    while stack and stack[-1][0] != opener:
                        m, off = stack.pop()
                        if m != "‘":
                            scan.warnings.append((off, f"unclosed {m} inside a quotation"))
                    _close(text, stack, i, scan)
                elif not stack and ch == "”" and _opens(text, i) and "”" in text[i + 1 : p_end]:
                    stack.append(("“", i))  # a closing mark typed as the opener: ”...”
                else:
                    scan.warnings.append((i, f"closing {ch} without an opening mark ignored"))
            elif ch == "’":
                if top == "‘" and not _is_apostrophe(text, i):
                    _close(text, stack, i, scan)
        # paragraph end: the outermost open mark makes an unclosed quotation
        outer = [(m, off) for m, off in stack if m != "‘"] or stack[:1]
        if outer and outer[0][0] != "‘":
            mark, off = outer[0]
            start, end = _content_bounds(text, off + 1, p_end)
            nxt = paragraphs[p_index + 1] if p_index + 1 < len(paragraphs) else None
            # skip blank paragraphs
            j = p_index + 1
            while nxt is not None and not text[nxt[0] : nxt[1]].strip() and j + 1 < len(paragraphs):
                j += 1
                nxt = paragraphs[j]
            continues = nxt is not None and _first_mark(text, *nxt) in (mark, "“", '"', "«")
            if not continues:
                scan.warnings.append((off, f"{mark} never closed in its paragraph; quotation ends at the line break"))
            if end > start:
                scan.quotations.append(Quotation(off, None, start, end, mark, continues))
        elif outer:
            scan.warnings.append((outer[0][1], "‘ never closed; treated as an apostrophe"))
    scan.quotations.sort(key=lambda q: q.open)
    return scan


def _close(text: str, stack: list[tuple[str, int]], i: int, scan: QuotationScan) -> None:
    mark, off = stack.pop()
    if stack:  # nested: part of the enclosing quotation's content
        return
    start, end = _content_bounds(text, off + 1, i)
    if end > start:
        scan.quotations.append(Quotation(off, i, start, end, mark))
    else:
        scan.warnings.append((off, "empty quotation ignored"))
