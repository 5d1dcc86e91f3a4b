"""Characters that Label Studio's text view counts differently from Python's ``str`` indices.

quotekit's offsets are Python ``str`` indices (Unicode code points) into the article text, and
Label Studio's are too, for nearly every character: curly quotes, emoji and other non-BMP
characters, combining marks, CR, CRLF, U+2028/U+2029, U+FEFF, U+FFFE/U+FFFF, C0 and C1 controls
other than NUL, zero-width and bidi controls. The exception is measured, in the real UI, by
``tests/browser/test_ls_chars.py`` (Label Studio 1.23.2, chromium): for every candidate
character put before a word, the pre-annotated highlight of the word and the offsets of a
region drawn over the next word are compared with Python's. Only NUL differs: the text view
drops it, so every highlight after a NUL is drawn one character to the right per NUL and every
region drawn after it is exported one character to the left (``build`` then drops it as
``text_mismatch``).

:data:`OFFSET_BREAKING_CHARACTERS` is the one list: ``quotekit ingest`` removes these
characters (counted in the record's ``removed["characters"]`` and listed by ``--report``) and
``ls push`` refuses text that still holds one. The browser test fails when the list and Label
Studio's behaviour part ways (a character added to the list that renders fine, or a candidate
that starts to misrender).
"""

from __future__ import annotations

import re

#: character -> short name; characters Label Studio's text view does not count as Python does
#: (see the module docstring for how this was measured). Keep it in sync with the browser test.
OFFSET_BREAKING_CHARACTERS: dict[str, str] = {
    "\x00": "NUL",
}

_PATTERN = re.compile("[" + "".join(re.escape(c) for c in OFFSET_BREAKING_CHARACTERS) + "]")


def character_label(ch: str) -> str:
    """``U+0000 NUL``: a character of :data:`OFFSET_BREAKING_CHARACTERS`, for messages.

    >>> character_label("\\x00")
    'U+0000 NUL'
    """
    name = OFFSET_BREAKING_CHARACTERS.get(ch)
    return f"U+{ord(ch):04X} {name}" if name else f"U+{ord(ch):04X}"


def offset_breaking_characters(text: str) -> dict[str, int]:
    """How many of each :data:`OFFSET_BREAKING_CHARACTERS` ``text`` holds, by label (empty: none).

    >>> offset_breaking_characters("a\\x00b\\x00")
    {'U+0000 NUL': 2}
    >>> offset_breaking_characters("“quoted” 🙂")
    {}
    """
    counts: dict[str, int] = {}
    for m in _PATTERN.finditer(text):
        label = character_label(m.group())
        counts[label] = counts.get(label, 0) + 1
    return counts


def remove_offset_breaking_characters(text: str) -> str:
    """``text`` without any of :data:`OFFSET_BREAKING_CHARACTERS`.

    >>> remove_offset_breaking_characters("Sam\\x00 Rainsy")
    'Sam Rainsy'
    """
    return _PATTERN.sub("", text)
