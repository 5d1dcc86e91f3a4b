"""Words and sentences with ``str`` offsets, no model needed.

Sentences never cross a line break and never split inside a quotation, so
``“A. B,” he said.`` is one sentence while ``“A,” he said. “B.”`` is two.

>>> [t[s:e] for s, e in sentences(t := "Mr. Ear said so. He left.\\nNext", abbreviations={"mr"})]
['Mr. Ear said so.', 'He left.', 'Next']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

WORD_RE = re.compile(r"[^\W_](?:[\w’'\-.]*[^\W_])?")
_END_RE = re.compile(r"[.!?…]+[”\"’»)\]]*(?=\s+[“\"‘«(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    text: str

    @property
    def lower(self) -> str:
        return self.text.casefold()

    @property
    def is_cap(self) -> bool:
        return self.text[:1].isupper()


def words(text: str, start: int = 0, end: int | None = None) -> list[Word]:
    """Word tokens of ``text[start:end]`` with absolute offsets; a trailing ``’s`` stays attached."""
    end = len(text) if end is None else end
    out = []
    for m in WORD_RE.finditer(text, start, end):
        w = m.group()
        s = m.start()
        # split off a sentence-final period that is not part of an abbreviation like "U.S."
        if w.endswith(".") and w.count(".") == 1:
            w = w[:-1]
        out.append(Word(s, s + len(w), w))
    return out


def sentences(
    text: str,
    quotations: Iterable[tuple[int, int]] = (),
    abbreviations: Iterable[str] = (),
) -> list[tuple[int, int]]:
    """Sentence spans (whitespace-trimmed) over ``text``; ``quotations`` are ``(open, outer_end)``."""
    abbr = {a.casefold().rstrip(".") for a in abbreviations}
    inside = sorted(quotations)
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        l_start, l_end = pos, pos + len(line)
        pos = l_end + 1
        cur = l_start
        for m in _END_RE.finditer(text, l_start, l_end):
            cut = m.end()
            if any(o < cut < e for o, e in inside):
                continue
            before = text[cur : m.start()].split()
            last = before[-1].casefold().strip("“\"‘(") if before else ""
            if m.group().startswith(".") and (last in abbr or (len(last) == 1 and last.isalpha())):
                continue
            _add(text, cur, cut, out)
            cur = cut
        _add(text, cur, l_end, out)
    return out


def _add(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append((start, end))
