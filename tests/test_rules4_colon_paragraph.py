"""rules-4, a quotation set as its own paragraph after "X said:" (frames.quotation_after_colon,
rule ``colon_paragraph_quote``): transcripts and reposts introduce a long quote with a line
ending in the cue and a colon. The quotation is X's; a quotation paragraph after it continues X.
Invented sentences; blank pipeline (spacy.blank + sentencizer).
"""

from __future__ import annotations

import pytest


def spoken(nlp, text):
    return [(q.text, text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else None, q.rule.split("+")[0]) for q in nlp(text)._.quotes]


@pytest.mark.parametrize("opening, closing", [("“", "”"), ('"', '"')])
def test_quotation_paragraph_after_said_colon(nlp, opening, closing):
    text = f"Keo Vy said on Monday:\n\n{opening}We have a situation where the harbour is closed. We have to reopen it now.{closing}\n\nThe ministry did not reply."
    assert spoken(nlp, text) == [("We have a situation where the harbour is closed. We have to reopen it now.", "Keo Vy", "colon_paragraph_quote")]


def test_the_next_quotation_paragraph_continues(nlp):
    text = "Keo Vy said:\n\n“We have to reopen the harbour now.”\n\n“Nobody will stop us.”"
    assert spoken(nlp, text) == [
        ("We have to reopen the harbour now.", "Keo Vy", "colon_paragraph_quote"),
        ("Nobody will stop us.", "Keo Vy", "continuation"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The minister said:\n\nThe harbour is closed for two weeks.",  # no quotation mark: not a direct quote
        "Keo Vy made the following comment:\n\n“We have to reopen the harbour now.”",  # a noun, not "X commented:"
    ],
)
def test_no_colon_paragraph_quote(nlp, text):
    assert all(rule != "colon_paragraph_quote" for _, _, rule in spoken(nlp, text))


def test_colon_inside_the_paragraph_is_unchanged(nlp):
    text = "Keo Vy said: “We will reopen the harbour.”"
    assert spoken(nlp, text) == [("We will reopen the harbour.", "Keo Vy", "preposed_quote")]
