"""The dataset's ``datasets.Features``: one definition that writes the parquet files and the card.

Two configs:

- ``articles``: one row per article, its quotes nested in a list;
- ``quotes``: one row per quote, flat, with the article id and its context paragraph.

ClassLabel names: ``stance`` from ``configs/stance.yaml`` (favor, against, neutral, in that
order), ``kind`` from :data:`toolkit.types.QUOTE_KINDS`, ``affiliation`` from
:data:`toolkit.types.AFFILIATIONS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from toolkit.types import AFFILIATIONS, QUOTE_KINDS

if TYPE_CHECKING:  # pragma: no cover
    import datasets

CONFIGS = ("articles", "quotes")
DEFAULT_CONFIG = "articles"

#: One-line descriptions of every field, for the card (the card fails if a field lacks one).
DESCRIPTIONS: dict[str, str] = {
    "article_id": "Article id (from ingestion; stable).",
    "title": "Article title, when known.",
    "outlet": "News outlet, when known.",
    "date": "Publication date as given by the source (ISO 8601 when known).",
    "text": "Full article text; every offset indexes it (Python str / Unicode code points).",
    "quotes": "The article's quotes, sorted by start offset.",
    "quote_id": "Derived id `<article_id>:<start>-<end>` (stable across rebuilds).",
    "start": "Start offset of the quote content in the article `text`.",
    "end": "End offset (exclusive) of the quote content in the article `text`.",
    "kind": "direct (inside quotation marks), indirect (reported speech) or mixed.",
    "speaker": "Canonical speaker name (registry name when known, else as written); null when the annotator marked the speaker unknown.",
    "speaker_start": "Start offset of the speaker mention linked to the quote (null if none).",
    "speaker_end": "End offset of the speaker mention (null if none).",
    "cue_start": "Start offset of the speech cue (e.g. 'said'), null if none was linked.",
    "cue_end": "End offset of the speech cue, null if none.",
    "stance": "Stance of the quote towards the target of the stance scheme.",
    "affiliation": "Speaker's affiliation from the speaker registry; 'other' when the speaker is not in the registry; null when the speaker is unknown.",
    "context": "The paragraph(s) around the quote (lines of `text` containing it).",
    "context_start": "Offset of `context` in the article text: quote text == context[start - context_start : end - context_start].",
}


#: Overrides of :data:`DESCRIPTIONS` for fields of a quote (nested in ``articles`` or in ``quotes``).
QUOTE_DESCRIPTIONS: dict[str, str] = {
    "text": "The quote content: exactly the article text[start:end].",
}


def describe(name: str, quote_level: bool) -> str | None:
    if quote_level and name in QUOTE_DESCRIPTIONS:
        return QUOTE_DESCRIPTIONS[name]
    return DESCRIPTIONS.get(name)


def quote_fields(stance_labels: Sequence[str]) -> dict[str, Any]:
    import datasets

    return {
        "quote_id": datasets.Value("string"),
        "start": datasets.Value("int32"),
        "end": datasets.Value("int32"),
        "text": datasets.Value("string"),
        "kind": datasets.ClassLabel(names=list(QUOTE_KINDS)),
        "speaker": datasets.Value("string"),
        "speaker_start": datasets.Value("int32"),
        "speaker_end": datasets.Value("int32"),
        "cue_start": datasets.Value("int32"),
        "cue_end": datasets.Value("int32"),
        "stance": datasets.ClassLabel(names=list(stance_labels)),
        "affiliation": datasets.ClassLabel(names=list(AFFILIATIONS)),
    }


def build_features(stance_labels: Sequence[str]) -> dict[str, "datasets.Features"]:
    """``{"articles": Features, "quotes": Features}``."""
    import datasets

    articles = datasets.Features(
        {
            "article_id": datasets.Value("string"),
            "title": datasets.Value("string"),
            "outlet": datasets.Value("string"),
            "date": datasets.Value("string"),
            "text": datasets.Value("string"),
            "quotes": datasets.List(quote_fields(stance_labels)),
        }
    )
    q = quote_fields(stance_labels)
    quotes = datasets.Features(
        {
            "quote_id": q.pop("quote_id"),
            "article_id": datasets.Value("string"),
            **q,
            "context": datasets.Value("string"),
            "context_start": datasets.Value("int32"),
            "title": datasets.Value("string"),
            "outlet": datasets.Value("string"),
            "date": datasets.Value("string"),
        }
    )
    return {"articles": articles, "quotes": quotes}


def describe_feature(feature: Any) -> str:
    """Short type description for the card, e.g. ``ClassLabel(favor, against, neutral)``."""
    import datasets

    if isinstance(feature, datasets.ClassLabel):
        return "ClassLabel(" + ", ".join(feature.names) + ")"
    if isinstance(feature, datasets.Value):
        return feature.dtype
    if isinstance(feature, datasets.List):
        return "list of structs"
    return type(feature).__name__
