"""Plain data types shared by every stage. No third-party imports.

Offsets are always Python ``str`` offsets (Unicode code points) into ``Article.text``,
which is never rewritten after ingestion.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
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


@dataclass
class Article:
    """One cleaned article record (the output of ``quotekit ingest``)."""

    article_id: str
    text: str
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    source_path: str | None = None
    sha256: str | None = None
    removed: dict[str, int] = field(default_factory=dict)
    title_source: str | None = None  # "headline", "given" (HTML/JSONL metadata) or "lead" (fallback)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Article":
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


@dataclass(frozen=True)
class Quote:
    """One attributed quote.

    ``start``/``end`` delimit the content (for a direct quote: what lies inside the marks).
    ``speaker`` is the canonical name when the mention resolves to a registry entry, else the
    mention as written, else ``None``. ``score`` is in 0..1; ``rule`` names the heuristic.
    """

    start: int
    end: int
    text: str
    kind: str
    speaker: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    stance: str | None = None
    score: float = 0.0
    rule: str = ""

    def to_dict(self) -> dict[str, Any]:
        # by hand: dataclasses.asdict deep-copies every field and was a visible share of the
        # pre-annotator's run time (one call per quote)
        return {
            "start": self.start, "end": self.end, "text": self.text, "kind": self.kind,
            "speaker": self.speaker, "speaker_start": self.speaker_start, "speaker_end": self.speaker_end,
            "cue_start": self.cue_start, "cue_end": self.cue_end, "stance": self.stance,
            "score": self.score, "rule": self.rule,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Quote":
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)
