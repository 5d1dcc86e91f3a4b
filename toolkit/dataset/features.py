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

from toolkit.types import (
    AFFILIATIONS,
    ARTICLE_DATASET_FIELDS,
    ARTICLE_DESCRIPTIONS,
    QUOTE_COLUMNS,
    QUOTE_DESCRIPTIONS,
    QUOTE_KINDS,
    QUOTE_SCHEME_COLUMNS,
)

if TYPE_CHECKING:  # pragma: no cover
    import datasets

CONFIGS = ("articles", "quotes")
DEFAULT_CONFIG = "articles"

#: One-line descriptions of every field, for the card (the card fails if a field lacks one).
DESCRIPTIONS: dict[str, str] = {
    **{name: ARTICLE_DESCRIPTIONS[name] for name, _ in ARTICLE_DATASET_FIELDS},
    "quotes": "The article's quotes, sorted by start offset.",
    **{c.name: c.description for c in QUOTE_SCHEME_COLUMNS},
    "quote_id": "Derived id `<article_id>:<start>-<end>` (stable across rebuilds).",
    "affiliation": "Speaker's affiliation from the speaker registry; 'other' when the speaker is not in the registry; null when the speaker is unknown.",
    "context": "The paragraph(s) around the quote (lines of `text` containing it).",
    "context_start": "Offset of `context` in the article text: quote text == context[start - context_start : end - context_start].",
}


def describe(name: str, quote_level: bool) -> str | None:
    """A field's one-line description: a quote's own fields are described where they are declared
    (:class:`toolkit.types.Quote`), the others in :data:`DESCRIPTIONS`."""
    if name in QUOTE_DESCRIPTIONS and (quote_level or name not in DESCRIPTIONS):
        return QUOTE_DESCRIPTIONS[name]
    return DESCRIPTIONS.get(name)


def quote_fields(stance_labels: Sequence[str]) -> dict[str, Any]:
    """The dataset's quote columns, derived from :data:`toolkit.types.QUOTE_COLUMNS`:
    ``quote_id``, the Quote fields that are dataset columns (ClassLabels for ``kind`` and
    ``stance``) with the scheme's columns (``target`` after ``stance``), then the registry
    ``affiliation``."""
    import datasets

    labels = {"kind": list(QUOTE_KINDS), "stance": list(stance_labels)}
    out: dict[str, Any] = {"quote_id": datasets.Value("string")}
    for name, dtype in QUOTE_COLUMNS:
        out[name] = datasets.ClassLabel(names=labels[name]) if dtype == "label" else datasets.Value(dtype)
    out["affiliation"] = datasets.ClassLabel(names=list(AFFILIATIONS))
    return out


def build_features(stance_labels: Sequence[str]) -> dict[str, "datasets.Features"]:
    """``{"articles": Features, "quotes": Features}``."""
    import datasets

    articles = datasets.Features(
        {
            **{name: datasets.Value(dtype) for name, dtype in ARTICLE_DATASET_FIELDS},
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
            **{name: datasets.Value(dtype) for name, dtype in ARTICLE_DATASET_FIELDS if name in ("title", "outlet", "date")},
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
