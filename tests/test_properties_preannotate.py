"""Property-based tests of the pre-annotator: whatever the text, it never raises and every span
it proposes is consistent with the text.

Inputs: arbitrary Unicode, text built from words, cues, names and stray or unbalanced quotation
marks of every kind (“ ” ‘ ’ " ' « » „ ‚ ‹ › 「 」), empty and whitespace-only text, text with no
sentence end, and one 1 MB paragraph. Invariants checked on every quote:

- ``0 <= start < end <= len(text)`` and ``text[start:end] == quote.text`` (offsets are ``str``
  indices into the untouched text), the quote is not blank;
- speaker and cue spans are both set or both unset, inside the text, not blank, and a speaker
  span comes with a speaker name, unless the mention is unresolved (rule ``...+pronoun_unresolved``,
  ``...+description_unresolved`` or ``...+joint``: the span is right, the name unknown);
- ``score`` is a finite number in [0, 1]; ``kind`` is one of ``QUOTE_KINDS``; ``stance`` is a
  label of ``configs/stance.yaml`` (or None); ``rule`` is a string;
- the quote serialises to strict JSON and the Label Studio prediction built from it passes
  ``validate_prediction`` (so ``quotekit ls push`` never refuses the pre-annotator's output).
"""

from __future__ import annotations

import contextlib
import json
import math
import signal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.config import load_registry, load_stance
from toolkit.types import QUOTE_KINDS, Quote

QUOTE_MARKS = ["“", "”", "‘", "’", '"', "'", "«", "»", "„", "‚", "‹", "›", "「", "」", "‟", "‛"]
WORDS = [
    "the", "minister", "said", "told", "reporters", "that", "according", "to", "he", "she", "they",
    "Hun", "Sen", "Sam", "Rainsy", "Mu", "Sochua", "Kem", "Sokha", "spokesman", "Phay", "Siphan",
    "added", "stated", "warned", "claimed", "insisted", "asked", "we", "will", "win", "not", "a",
    "government", "opposition", "CNRP", "CPP", "peace", "stability", "regime", "democracy", "Mr", "Ms",
    "Dr", "U.S.", "e.g.", "don’t", "it's", "rock'n'roll", "l’État", "Thursday", "2019", "100%",
    "🙂", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ភ្នំពេញ", "Ελλάδα", "中文", "עברית", "\u0301", "\u200b", "\ufeff",
]
SEPARATORS = [" ", " ", " ", "\n", "\n\n", "\t", "\u00a0", "\u2028", "\u2029", "\r\n", "  ", "\x00", "\x0c"]
PUNCT = [".", ",", "!", "?", ":", ";", "—", "–", "-", "(", ")", "[", "]", "…", "...", "/"]

STANCE_LABELS = set(load_stance().labels)
REGISTRY = load_registry()

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

piece = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(QUOTE_MARKS),
    st.sampled_from(SEPARATORS),
    st.sampled_from(PUNCT),
    st.text(max_size=4),
)
#: Text with many quotation marks, cues and names: what the pairing and attribution rules look at.
quotey_text = st.lists(piece, max_size=120).map("".join)
#: A plausible article: sentences with balanced or unbalanced quotes, speakers and cues.
sentence = st.builds(
    lambda open_, words, close, tail, end: f"{open_}{' '.join(words)}{close}{tail}{end}",
    st.sampled_from(QUOTE_MARKS + ["", ""]),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=14),
    st.sampled_from(QUOTE_MARKS + ["", ",”", ",\"", "’"]),
    st.sampled_from([" Hun Sen said", " said Sam Rainsy", " he told reporters", ", according to the minister", ""]),
    st.sampled_from([".", "!", "?", "", " ", "\n\n"]),
)
article_text = st.lists(sentence, max_size=25).map(" ".join)


def check_quotes(text: str, quotes: list, warnings: list) -> None:
    """Assert every invariant of the module docstring on one document's output."""
    from toolkit.labelstudio.tasks import build_task, candidate_names, validate_prediction

    assert isinstance(quotes, list)
    assert isinstance(warnings, list) and all(isinstance(w, str) for w in warnings)
    n = len(text)
    for q in quotes:
        assert isinstance(q, Quote), type(q)
        assert isinstance(q.start, int) and isinstance(q.end, int)
        assert 0 <= q.start < q.end <= n, (q.start, q.end, n)
        assert text[q.start:q.end] == q.text, (q, text[q.start:q.end])
        assert q.text.strip(), f"blank quote {q!r}"
        for name, s, e in (("speaker", q.speaker_start, q.speaker_end), ("cue", q.cue_start, q.cue_end)):
            assert (s is None) == (e is None), f"{name} span half set: {q!r}"
            if s is not None:
                assert isinstance(s, int) and isinstance(e, int)
                assert 0 <= s < e <= n, f"{name} span {s}-{e} outside a text of {n}: {q!r}"
                assert text[s:e].strip(), f"blank {name} span {text[s:e]!r}: {q!r}"
        if q.speaker_start is not None and not q.rule.endswith(("_unresolved", "+joint")):  # an unresolved "he", "A and B": span, no name
            assert isinstance(q.speaker, str) and q.speaker.strip(), f"speaker span without a name: {q!r}"
        assert q.speaker is None or isinstance(q.speaker, str)
        assert isinstance(q.score, (int, float)) and not isinstance(q.score, bool)
        assert math.isfinite(q.score) and 0.0 <= q.score <= 1.0, q.score
        assert q.kind in QUOTE_KINDS, q.kind
        assert q.stance is None or q.stance in STANCE_LABELS, q.stance
        assert isinstance(q.rule, str)
        json.dumps(q.to_dict(), allow_nan=False)
    # what `quotekit ls push` would send: never refused by its own validation
    rec = {"article_id": "prop", "text": text}
    bt = build_task(rec, list(quotes), "quotekit-test", REGISTRY)
    errors = validate_prediction("prop", text, bt.prediction, stance_labels=sorted(STANCE_LABELS),
                                 speaker_names=REGISTRY.names(), candidates=candidate_names(bt.task["data"]))
    assert errors == [], errors


def run(nlp, text: str):
    doc = nlp(text)
    check_quotes(text, doc._.quotes, doc._.quote_warnings)
    return doc


# --------------------------------------------------------------------------- properties


@SETTINGS
@given(text=st.text(max_size=400))
def test_arbitrary_unicode_never_raises(nlp, text):
    run(nlp, text)


@SETTINGS
@given(text=quotey_text)
def test_stray_and_unbalanced_quotation_marks(nlp, text):
    run(nlp, text)


@SETTINGS
@given(text=article_text)
def test_article_like_text(nlp, text):
    run(nlp, text)


@SETTINGS
@given(text=article_text.map(lambda t: t.replace(".", " ").replace("!", " ").replace("?", " ")))
def test_text_without_sentence_ends(nlp, text):
    run(nlp, text)


@settings(max_examples=60, deadline=None)
@given(text=article_text)
def test_same_text_same_quotes(nlp, text):
    """Re-running is stable: the same text gives the same quotes (ids are derived from them)."""
    assert nlp(text)._.quotes == nlp(text)._.quotes


@settings(max_examples=60, deadline=None)
@given(records=st.lists(
    st.one_of(
        st.fixed_dictionaries({"article_id": st.text(max_size=8), "text": article_text}),
        st.fixed_dictionaries({"article_id": st.text(max_size=8)}),
        st.fixed_dictionaries({"article_id": st.integers(), "text": st.one_of(st.none(), st.integers(), st.lists(st.text(max_size=3), max_size=2))}),
        st.sampled_from([None, 3, "a string", ["a", "list"]]),
    ),
    max_size=8,
))
def test_preannotate_records_one_result_per_record_in_order(nlp, records):
    """Bad records give an ``error`` result naming the problem; the others go on; order is kept."""
    from toolkit.pipeline import preannotate_records

    out = list(preannotate_records(records, nlp=nlp, batch_size=3))
    assert len(out) == len(records)
    for rec, res in zip(records, out):
        if isinstance(rec, dict):
            assert res["article_id"] == rec.get("article_id")
        if isinstance(rec, dict) and isinstance(rec.get("text"), str):
            assert "error" not in res
            check_quotes(rec["text"], [Quote.from_dict(q) for q in res["quotes"]], res["warnings"])
        else:
            assert isinstance(res.get("error"), str) and res["error"], res


# --------------------------------------------------------------------------- fixed edge cases


@pytest.mark.parametrize("text", [
    "", " ", "\n\n\n", "“", "”", "«", "„", "\"", "'", "“”", "«»", "‹›", "‚‘", "''", '""', "“ ”",
    "“" * 50, "”" * 50 + "said", "“We will win", "We will win,” Hun Sen said.", "“We will win,’ he said.",
    "„Wir gewinnen“, sagte er.", "« Nous gagnerons », a dit le ministre.", "‹Ja›, sagte sie.",
    "He said: “", "said said said said", "“a” “b” “c” “d” “e” said Hun Sen",
    "Hun Sen said “We will protect peace and stability, ” — then left.\n\n“And more,” he said.",
    "\x00\x01\x02 “control characters,” he said \x7f.",
    "🙂🙂 “emoji 🙂 before the quote, and a non-BMP char 𝔘,” she said.",
])
def test_edge_cases(nlp, text):
    run(nlp, text)


HANG_GUARD = 300  # seconds: bounds the suite if the pre-annotator goes superlinear; not a speed target


@contextlib.contextmanager
def hang_guard(seconds: int, what: str):
    def on_alarm(signum, frame):  # noqa: ARG001
        pytest.fail(f"{what} did not finish within {seconds} s (a hang guard, not a speed target: "
                    "the pre-annotator should be linear in the text length)", pytrace=False)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_one_megabyte_paragraph(nlp):
    """1 MB of one paragraph (quotes, cues, names, unbalanced marks, no blank line): no exception,
    not even spaCy's ``max_length`` (the blank pipeline has no parser), and every span checks out."""
    from toolkit.pipeline import preannotate_records

    unit = ("“We will protect peace and stability,” Hun Sen said on Friday, and the opposition said "
            "that the vote was a sham; « nothing was decided » according to the minister — ‘don’t worry’ "
            "„so what‚ ‹x› \" and she told reporters that “the regime fears the truth ")
    text = (unit * (1_048_576 // len(unit) + 1))[:1_048_576]
    assert len(text) == 1_048_576 and "\n" not in text
    with hang_guard(HANG_GUARD, "pre-annotating a 1 MB paragraph"):
        (res,) = list(preannotate_records([{"article_id": "big", "text": text}], nlp=nlp))
    assert "error" not in res, res.get("error")
    quotes = [Quote.from_dict(q) for q in res["quotes"]]
    assert quotes, "a megabyte of quoted speech yields quotes"
    check_quotes(text, quotes, res["warnings"])
