"""Plain data types shared by every stage. No third-party imports.

Offsets are always Python ``str`` offsets (Unicode code points) into ``Article.text``,
which is never rewritten after ingestion.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from operator import attrgetter
from typing import Any, Literal

QuoteKind = Literal["direct", "indirect", "mixed"]
QUOTE_KINDS: tuple[str, ...] = ("direct", "indirect", "mixed")

#: Affiliations a registry speaker may have (also the dataset's ClassLabel names, in order).
AFFILIATIONS: tuple[str, ...] = (
    "government",
    "ruling party",
    "opposition",
    "foreign government",
    "international body",
    "NGO",
    "academic/analyst",
    "media",
    "other",
)


def text_sha256(text: str) -> str:
    """SHA-256 of an article's text (UTF-8): ties a prediction or a task to the text its offsets
    refer to (predictions, Label Studio task data).

    >>> text_sha256("")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _af(description: str, dataset: str | None = None, **kw: Any) -> Any:
    """One field of :class:`Article`: its description and dataset column type (``None``: kept
    in the article records only)."""
    return field(metadata={"description": description, "dataset": dataset}, **kw)


@dataclass
class Article:
    """One cleaned article record (the output of ``quotekit ingest``): **the** declaration of an
    article's fields (the dataset's article columns and their descriptions are derived from it)."""

    article_id: str = _af("Article id (from ingestion; stable).", "string")
    text: str = _af("Full article text; every offset indexes it (Python str / Unicode code points).", "string")
    title: str | None = _af("Article title, when known.", "string", default=None)
    outlet: str | None = _af("News outlet, when known.", "string", default=None)
    date: str | None = _af("Publication date as given by the source (ISO 8601 when known).", "string", default=None)
    source_path: str | None = _af("The raw file the article was read from.", default=None)
    sha256: str | None = _af("SHA-256 of the raw input.", default=None)
    removed: dict[str, int] = _af("Lines and characters removed by ingest, by kind.", default_factory=dict)
    title_source: str | None = _af('Where the title came from: "headline", "given" (HTML/JSONL metadata) or "lead".', default=None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Article":
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


#: The article's dataset columns, in the dataset's order (the article-level metadata before the
#: long ``text``), with their column type; descriptions in :data:`ARTICLE_DESCRIPTIONS`.
ARTICLE_DATASET_FIELDS: tuple[tuple[str, str], ...] = tuple(
    (name, {f.name: f for f in fields(Article)}[name].metadata["dataset"])
    for name in ("article_id", "title", "outlet", "date", "text")
)
ARTICLE_DESCRIPTIONS: dict[str, str] = {f.name: f.metadata["description"] for f in fields(Article)}


def _qf(description: str, types: tuple[type, ...], *, nullable: bool = True, required: bool = False,
        dataset: str | None = None, default: Any = None) -> Any:
    """One field of :class:`Quote`: its description, accepted JSON types, whether it may be null,
    whether a prediction record must have it, and its dataset column type (``"int32"``,
    ``"string"``, ``"label"`` for a ClassLabel, ``None``: not in the dataset)."""
    meta = {"description": description, "types": types, "nullable": nullable, "required": required, "dataset": dataset}
    if required:
        return field(metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Quote:
    """One attributed quote: **the** declaration of a quote's fields. Everything else is derived
    from it: serialisation (:meth:`to_dict`), the shape check of prediction records
    (:func:`quote_shape_error`), the dataset's Features, descriptions and row encoding
    (``toolkit.dataset``), the export reader's records (``toolkit.labelstudio.export``).

    ``start``/``end`` delimit the content (for a direct quote: what lies inside the marks).
    ``speaker`` is the canonical name when the mention resolves to a registry entry, else the
    mention as written, else ``None``. ``score`` is in 0..1; ``rule`` names the heuristic.
    """

    start: int = _qf("Start offset of the quote content in the article `text`.", (int,), nullable=False, required=True, dataset="int32")
    end: int = _qf("End offset (exclusive) of the quote content in the article `text`.", (int,), nullable=False, required=True, dataset="int32")
    text: str = _qf("The quote content: exactly the article text[start:end].", (str,), nullable=False, required=True, dataset="string")
    kind: str = _qf("direct (inside quotation marks), indirect (reported speech) or mixed.", (str,), nullable=False, required=True, dataset="label")
    speaker: str | None = _qf("Canonical speaker name (registry name when known, else as written); null when the annotator marked the speaker unknown.", (str,), dataset="string")
    speaker_start: int | None = _qf("Start offset of the speaker mention linked to the quote (null if none).", (int,), dataset="int32")
    speaker_end: int | None = _qf("End offset of the speaker mention (null if none).", (int,), dataset="int32")
    cue_start: int | None = _qf("Start offset of the speech cue (e.g. 'said'), null if none was linked.", (int,), dataset="int32")
    cue_end: int | None = _qf("End offset of the speech cue, null if none.", (int,), dataset="int32")
    stance: str | None = _qf("Stance of the quote towards the target of the stance scheme.", (str,), dataset="label")
    score: float = _qf("Confidence of the proposal, 0..1 (pre-annotations only).", (int, float), default=0.0)
    rule: str = _qf("The heuristic that proposed the quote (pre-annotations only).", (str,), default="")

    def to_dict(self) -> dict[str, Any]:
        # one attrgetter call: dataclasses.asdict deep-copies every field and was a visible share
        # of the pre-annotator's run time (one call per quote)
        return dict(zip(QUOTE_FIELD_NAMES, _quote_values(self)))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Quote":
        known = {k: data[k] for k in QUOTE_FIELD_NAMES if k in data}
        return cls(**known)


#: Quote fields in order, with their metadata (see :func:`_qf`).
QUOTE_FIELDS = fields(Quote)
QUOTE_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in QUOTE_FIELDS)
#: Quote fields that are dataset columns, in order, with their column type.
QUOTE_DATASET_FIELDS: tuple[tuple[str, str], ...] = tuple(
    (f.name, f.metadata["dataset"]) for f in QUOTE_FIELDS if f.metadata["dataset"] is not None
)
QUOTE_DESCRIPTIONS: dict[str, str] = {f.name: f.metadata["description"] for f in QUOTE_FIELDS}


@dataclass(frozen=True)
class SchemeColumn:
    """A quote column of the dataset that the build fills from its configuration, not from the
    annotation (so not a :class:`Quote` field, and not in prediction records): its name, column
    type (as in :func:`_qf`), description, and the :class:`Quote` dataset field it follows."""

    name: str
    dataset: str
    description: str
    after: str


#: The stance target of a quote's ``stance``: one value today (the stance scheme's default target,
#: ``configs/stance.yaml``), a column so that more targets can come later.
STANCE_TARGET = SchemeColumn(
    "target", "string",
    "The target the `stance` label is judged towards: a target name of the stance scheme (`configs/stance.yaml`); "
    "one target per build today.",
    after="stance",
)
#: Every :class:`SchemeColumn` of a quote.
QUOTE_SCHEME_COLUMNS: tuple[SchemeColumn, ...] = (STANCE_TARGET,)
#: The dataset's quote columns, in order, with their column type: the :class:`Quote` dataset fields
#: (:data:`QUOTE_DATASET_FIELDS`) with each :class:`SchemeColumn` after the field it follows.
QUOTE_COLUMNS: tuple[tuple[str, str], ...] = tuple(
    col for name, dtype in QUOTE_DATASET_FIELDS
    for col in ((name, dtype), *((c.name, c.dataset) for c in QUOTE_SCHEME_COLUMNS if c.after == name))
)
_quote_values = attrgetter(*QUOTE_FIELD_NAMES)


def quote_shape_error(q: Any) -> str | None:
    """Why ``q`` is not a quote record of :class:`Quote`'s shape (as ``quotekit preannotate``
    writes it), or None.

    >>> quote_shape_error({"start": 0, "end": 2, "text": "hi", "kind": "direct"}) is None
    True
    >>> quote_shape_error({"start": "0", "end": 2, "text": "hi", "kind": "direct"})
    "'start' is '0' (str)"
    """
    if not isinstance(q, dict):
        return f"expected an object, got {type(q).__name__}"
    for f in QUOTE_FIELDS:
        meta = f.metadata
        if f.name not in q:
            if meta["required"]:
                return f"missing {f.name!r}"
            continue
        value = q[f.name]
        if value is None and meta["nullable"]:
            continue
        if isinstance(value, bool) or not isinstance(value, meta["types"]):
            return f"{f.name!r} is {value!r} ({type(value).__name__})"
    return None
