"""Problems found while reading exports: reason codes and the log that counts them."""

from __future__ import annotations

from collections import Counter

from toolkit.errors import ValidationFailed

#: Reason codes of skipped items, with what was skipped.
REASONS: dict[str, str] = {
    "invalid_json": "file (or its remainder) is not valid JSON or is truncated",
    "not_a_task": "JSON item that is not a Label Studio task object",
    "no_text": "task without a text",
    "invalid_text": "task text, metadata or speaker name that is not valid Unicode (lone surrogate)",
    "not_annotated": "task without any annotation (counted, never an error)",
    "cancelled": "task whose only annotations were cancelled (skipped by the annotator)",
    "duplicate_article": "task whose article_id was already built from another task",
    "annotation_conflict": "one annotation (same id and updated_at) with different results in two places of the inputs: "
                           "the version read last was kept, the other set aside; check which one is right",
    "malformed_result": "result item that is not a well-formed region, choice or relation",
    "duplicate_region_id": "regions sharing one id (all of them are dropped)",
    "unknown_label": "region, choice or relation with a label not in the labeling config",
    "offsets_out_of_range": "region whose start/end are not inside the text",
    "text_mismatch": "region whose text differs from text[start:end]",
    "dangling_relation": "relation to a missing (or dropped) region",
    "bad_relation": "relation whose label does not fit the regions it links",
    "orphan_region_result": "per-region choice/textarea whose region is missing (or dropped)",
    "orphan_region": "SPEAKER or CUE region linked to no quote (left by a deleted quote): it carries nothing and "
                     "is ignored (no quote is lost; never a failure)",
    "implied_link": "QUOTE drawn with no link, linked to the only unlinked SPEAKER (and CUE) of its paragraph "
                    "(nothing is skipped)",
    "no_speaker": "quote with no said_by relation and no 'speaker unknown' flag",
    "unnamed_speaker": "quote whose SPEAKER region is a pronoun or a description nobody named ('She', 'the "
                       "spokesman'): kept with the mention and no canonical speaker, never the mention as a name "
                       "(nothing is skipped)",
    "ambiguous_speaker": "quote linked to several different speakers",
    "no_stance": "quote without a stance choice",
    "duplicate_quote": "second quote with the same offsets in one annotation",
    "speaker_conflict": "SPEAKER region that a candidate, a registry choice or a typed name name differently "
                        "(kept: the one the annotator acted on; nothing is skipped)",
    "superseded": "task whose kept annotation was chosen among several live annotations (from several "
                  "files, or several in one file): ground truth, else the latest; the others were set aside",
}
#: Counted in the summary but never a failure under ``strict``.
INFO_REASONS = frozenset({"not_annotated", "speaker_conflict", "superseded", "orphan_region", "implied_link",
                          "unnamed_speaker"})
#: Counted in :attr:`IssueLog.notes`, not in ``counts``: nothing was skipped (a resolution).
NOTE_REASONS = frozenset({"speaker_conflict", "superseded", "orphan_region", "implied_link", "unnamed_speaker"})


class IssueLog:
    """Counts problems by reason; keeps the first messages; raises at once when ``strict``."""

    def __init__(self, strict: bool = False, keep: int = 200) -> None:
        self.strict = strict
        self.counts: Counter[str] = Counter()
        self.notes: Counter[str] = Counter()  # NOTE_REASONS: resolutions, nothing skipped (not in counts)
        self.note_messages: list[tuple[str, str]] = []  # their first messages (not in ``messages``)
        self.messages: list[tuple[str, str]] = []
        self.keep = keep

    def add(self, reason: str, message: str) -> None:
        if reason not in REASONS:  # pragma: no cover - programming error
            raise AssertionError(f"unknown reason {reason!r}")
        if reason in NOTE_REASONS:
            self.notes[reason] += 1
            if len(self.note_messages) < self.keep:
                self.note_messages.append((reason, message))
            return
        if self.strict and reason not in INFO_REASONS:
            raise ValidationFailed(f"{message} [{reason}] (--strict: fix the export, or build without --strict to skip and count such items)")
        self.counts[reason] += 1
        if len(self.messages) < self.keep:
            self.messages.append((reason, message))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class NullLog(IssueLog):
    """Swallows everything (used when parsing extra annotations for agreement only)."""

    def add(self, reason: str, message: str) -> None:
        return None
