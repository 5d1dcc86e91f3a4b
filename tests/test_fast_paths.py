"""The pre-annotator's fast paths give exactly what the plain versions they replace give.

Each speed-up of issue #7 that replaced a simple formulation by a faster one keeps the simple
one here as the reference and checks, on generated inputs, that both agree.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.core.cues import CueLexicon, _candidates
from toolkit.core.frames import _LABEL, _label_matches
from toolkit.core.quotes import find_quotations
from toolkit.core.stance import _trie
from toolkit.pipeline import load_lexicons, load_pipeline

_NLP = load_pipeline(None)
#: read once: parsing cues.yaml for each generated example took most of these tests' time
_CUES: CueLexicon = load_lexicons().cues

_PHRASE = st.text(alphabet="ab -'", min_size=1, max_size=6).map(str.strip).filter(bool)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PHRASE, min_size=1, max_size=8, unique=True), st.text(alphabet="ab -'.\n", max_size=40))
def test_trie_pattern_matches_like_the_flat_alternation(phrases, text):
    phrases = sorted(phrases, key=len, reverse=True)
    flat = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in phrases) + r")(?!\w)")
    trie = re.compile(r"(?<!\w)(?:" + _trie(phrases) + r")(?!\w)")
    assert trie.findall(text) == flat.findall(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="AB b:\n \t\"“’.-", max_size=60))
def test_label_lines_match_like_a_multiline_scan(text):
    want = [(m.span(), m.groupdict()) for m in _LABEL.finditer(text)]
    assert [(m.span(), m.groupdict()) for m in _label_matches(text)] == want


def _marks_by_characters(text: str) -> list[tuple[int, int, int | None]]:
    return [(q.open, q.start, q.close) for q in find_quotations(text).quotations]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab ’‘“”\"«»\n.,", max_size=60))
def test_quotation_scan_is_stable_under_unmarked_padding(text):
    # the scan jumps from mark to mark: text without marks in between must not change the pairs
    pad = "x y z. "
    shifted = [(a + len(pad), b + len(pad), None if c is None else c + len(pad)) for a, b, c in _marks_by_characters(text)]
    assert _marks_by_characters(pad + text) == shifted


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["said", "Said", "says", "according", "to", "the", "claims", "he", ",", "told", "salad", "noted", "X"]), max_size=30))
def test_cue_candidates_are_every_token_whose_form_can_start_a_cue(words):
    lex = _CUES
    doc = _NLP.make_doc(" ".join(words))
    starts = set(lex.forms) | {p[0] for p in lex.according_to}
    assert _candidates(doc, lex, tagged=False) == [t.i for t in doc if t.lower_ in starts]


_TAGGED = st.sampled_from([("said", "say"), ("Said", "Said"), ("stated", "State"), ("tells", "tell"), ("the", "the"), ("claims", "claim"), ("he", "he"), ("salad", "salad"), ("noted", "note"), ("X", "x"), ("remarks", "remark"), ("according", "accord"), ("felt", "feel")])


@settings(max_examples=200, deadline=None)
@given(st.lists(_TAGGED, max_size=30))
def test_tagged_cue_candidates_are_every_token_that_can_start_a_cue(pairs):
    """With a tagger every token used to be tried; now only cue forms and tokens whose
    lemma (lower-cased, as :func:`token_cue` reads it) is a cue lemma are."""
    from spacy.tokens import Doc

    lex = _CUES
    doc = Doc(_NLP.vocab, words=[w for w, _ in pairs] or ["x"], tags=["VBD"] * (len(pairs) or 1), lemmas=[lem for _, lem in pairs] or ["x"])
    starts = set(lex.forms) | {p[0] for p in lex.according_to}
    assert _candidates(doc, lex, tagged=True) == [t.i for t in doc if t.lower_ in starts or lex.cue_class(t.lemma_.lower())]


_SENTENCE = st.lists(st.tuples(st.sampled_from(["He", "Hun", "Sen", "the", "party", "said", "“", ",", "who", "Prime"]), st.sampled_from(["nsubj", "dobj", "punct", "compound", "appos", "det"])), min_size=1, max_size=8)


def _subject_by_reading_tokens(doc, lo: int, hi: int):
    """The plain version: the first token labelled ROOT in the sentence, its nominal subject."""
    from toolkit.core.frames import _speaker_from_parse

    for t in doc[lo:hi]:
        if t.dep_ == "ROOT":
            return _speaker_from_parse(doc, t.i)
    return None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_SENTENCE, st.integers(0, 7)), min_size=1, max_size=5))
def test_sentence_subjects_with_a_parse_read_each_sentence_root(sentences):
    """Each sentence's root is found in the DEP column instead of by reading its tokens."""
    from spacy.tokens import Doc

    from toolkit.core.frames import sentence_spans, sentence_subjects

    words, heads, deps, tags = [], [], [], []
    for toks, r in sentences:
        base, root = len(words), len(words) + min(r, len(toks) - 1)
        for k, (w, dep) in enumerate(toks):
            words.append(w)
            heads.append(root)
            deps.append("ROOT" if base + k == root else dep)
            tags.append("NNP" if w[:1].isupper() else "NN")
    doc = Doc(_NLP.vocab, words=words, heads=heads, deps=deps, tags=tags)
    sents = sentence_spans(doc)
    assert len(sents) == len(sentences)
    assert sentence_subjects(doc, sents) == [_subject_by_reading_tokens(doc, lo, hi) for lo, hi in sents]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab .!?\n“”", max_size=80))
def test_sentence_spans_are_doc_sents(text):
    from toolkit.core.frames import sentence_spans

    with _NLP.select_pipes(disable=["quote_attribution"]):
        doc = _NLP(text)
    if len(doc):
        assert sentence_spans(doc) == [(s.start, s.end) for s in doc.sents]
