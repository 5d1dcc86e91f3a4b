"""The only parser of Label Studio JSON exports: tasks in, validated quote records out.

Reads one or more Label Studio 1.23 JSON exports (a JSON array of tasks, as written by
``Export -> JSON`` or ``exports.as_json``), picks one annotation per task, joins QUOTE regions
through ``said_by`` relations to SPEAKER regions (canonical name from the per-region
``speaker_new`` TextArea, else the ``speaker`` Choices, else the region's text) and through
``cue`` relations to CUE regions, reads the per-region ``stance``, ``kind`` and ``quote_flags``
choices of each QUOTE, and validates everything (Label Studio validates nothing).

The canonical speaker of a SPEAKER region that has BOTH a ``speaker`` choice and a ``speaker_new``
name (:func:`resolve_speaker`)
    The one the annotator acted on wins. ``speaker_new`` is kept unless it is an *untouched
    prediction*: an item identical (same region id, same names) to the one in the prediction the
    annotation started from (``annotation.prediction`` or the task prediction whose id is
    ``parent_prediction``); then the ``speaker`` choice wins. So a pre-annotation that typed an
    unregistered mention into ``speaker_new`` no longer overrides the registry name the
    annotator picked from the list; a name the annotator typed wins over the list, also when both
    were touched. ``origin`` cannot tell the two apart: Label Studio's editor stamps every result
    of a region with the *region's* origin (``prediction``, ``prediction-changed``, ``manual``),
    and adding a new per-region result does not even change it; it is used only when the export
    holds no prediction to compare with (``prediction`` = untouched; anything else = touched).
    When the two names differ (after canonicalisation) the quote is kept and a
    ``speaker_conflict`` is counted (never a failure, not a skip) naming the region and the
    winner.

Empty annotations
    A submitted (not cancelled) annotation with no region is the annotator's judgement that the
    article quotes nobody: the article is kept with ``quotes == []``
    (:attr:`ArticleRecord.no_quotes_judged`). Only a cancelled (skipped) annotation drops a task.

Names come from :mod:`toolkit.labelstudio.names`.

Task identity
    ``(data.article_id, data.text_sha256)``; when ``text_sha256`` is missing but the text is
    there, its SHA-256 is computed; without ``article_id``, the Label Studio task id. Tasks with the
    same identity in one or several files are one task: their annotations are pooled.

Choosing the annotation of a task (:func:`pick_annotation`)
    Among the pooled annotations (only the chosen annotator's with ``annotator=``), cancelled
    ones are ignored; a ``ground_truth`` annotation wins, else the latest by ``updated_at``
    (then ``created_at``, then the later file on the command line). The same annotation (same
    ``id``) seen in two exports counts once, in its latest version. When the kept annotation was
    chosen among several live (not cancelled) annotations with different ids, from several files
    or within one, a ``superseded`` note is counted (nothing is skipped) naming the article, the
    kept annotation (file, id, ``updated_at``) and the ones set aside (file, id); the card counts
    such tasks per (kept file, set-aside file) pair (:attr:`ExportInfo.superseded`).

Annotators
    ``completed_by`` is an integer user id in a default export, or ``{"id", "email", ...}`` when
    the export expands it (``annotations__completed_by``). ``annotator=`` accepts an e-mail
    (matches an expanded ``completed_by``; case-insensitive) or a numeric user id (matches
    either form). An integer ``completed_by`` is mapped to an e-mail when the same user id
    appears expanded in the inputs of the same account scope (below).

Account scopes
    An integer user id means something only within one Label Studio server: ``user:1`` of two
    servers are two people. Files are grouped: two files are in one scope when every task of both
    carries the same single Label Studio ``project`` id and each article they share has a Label
    Studio task id in common (snapshots of one project). With one scope (one file, or snapshots of
    one project) accounts are labelled ``user:<id>`` as ever; with several, an integer id without
    e-mail is labelled with the first file of its scope, ``user:1 (my-export.json)``, so counts and
    agreement never merge the accounts of different files. E-mails (expanded ``completed_by``)
    name a person in every scope. Exports carry no host name, but one annotation id on two
    different tasks cannot come from one database: such files are kept apart too. Two servers
    whose project, task and annotation ids all coincide cannot be told apart and are taken as one.

Streaming
    Files are read task by task (a chunked JSON array decoder), twice: a first pass records
    only which annotation of which file wins for each task, the second yields the articles.
    Memory grows with the number of tasks (a few small tuples each), not with their text.

Metadata
    ``title``, ``outlet`` and ``date`` come from the task data; null or ``""`` is None (``ls push``
    sends a missing value as ``""`` because Label Studio refuses null in a key that a ``Header``
    of the labeling config shows).

Validation
    Every problem is reported to an :class:`IssueLog` with a reason code (:data:`REASONS`) and
    a message naming the file, the task id and the region id. By default the bad item (file
    remainder, task, region, relation or quote) is skipped and counted; with ``strict=True`` the
    first problem raises :class:`~toolkit.errors.ValidationFailed` (exit code 4). Tasks that
    nobody annotated are counted (``not_annotated``) but never fail a strict build.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from toolkit.errors import BadInputError, ValidationFailed
from toolkit.labelstudio import names as N
from toolkit.types import QUOTE_KINDS

#: Reason codes of skipped items, with what was skipped.
REASONS: dict[str, str] = {
    "invalid_json": "file (or its remainder) is not valid JSON or is truncated",
    "not_a_task": "JSON item that is not a Label Studio task object",
    "no_text": "task without a text",
    "invalid_text": "task text, metadata or speaker name that is not valid Unicode (lone surrogate)",
    "not_annotated": "task without any annotation (counted, never an error)",
    "cancelled": "task whose only annotations were cancelled (skipped by the annotator)",
    "duplicate_article": "task whose article_id was already built from another task",
    "malformed_result": "result item that is not a well-formed region, choice or relation",
    "duplicate_region_id": "regions sharing one id (all of them are dropped)",
    "unknown_label": "region, choice or relation with a label not in the labeling config",
    "offsets_out_of_range": "region whose start/end are not inside the text",
    "text_mismatch": "region whose text differs from text[start:end]",
    "dangling_relation": "relation to a missing (or dropped) region",
    "bad_relation": "relation whose label does not fit the regions it links",
    "orphan_region_result": "per-region choice/textarea whose region is missing (or dropped)",
    "no_speaker": "quote with no said_by relation and no 'speaker unknown' flag",
    "ambiguous_speaker": "quote linked to several different speakers",
    "no_stance": "quote without a stance choice",
    "duplicate_quote": "second quote with the same offsets in one annotation",
    "speaker_conflict": "SPEAKER region with a registry choice and a typed name that differ "
                        "(kept: the one the annotator acted on; nothing is skipped)",
    "superseded": "task whose kept annotation was chosen among several live annotations (from several "
                  "files, or several in one file): ground truth, else the latest; the others were set aside",
}
#: Counted in the summary but never a failure under ``strict``.
INFO_REASONS = frozenset({"not_annotated", "speaker_conflict", "superseded"})
#: Counted in :attr:`IssueLog.notes`, not in ``counts``: nothing was skipped (a resolution).
NOTE_REASONS = frozenset({"speaker_conflict", "superseded"})

QUOTE_MARKS = "\"“”„‟«»‹›「」『』'‘’‚‛"


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


class _NullLog(IssueLog):
    """Swallows everything (used when parsing extra annotations for agreement only)."""

    def add(self, reason: str, message: str) -> None:
        return None


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class QuoteRecord:
    quote_id: str
    start: int
    end: int
    text: str
    kind: str
    speaker: str | None
    speaker_start: int | None
    speaker_end: int | None
    cue_start: int | None
    cue_end: int | None
    stance: str
    affiliation: str | None
    region_id: str = ""


@dataclass
class ArticleRecord:
    article_id: str
    text: str
    title: str | None
    outlet: str | None
    date: str | None
    quotes: list[QuoteRecord]
    task_id: Any = None
    annotator: str | None = None
    source: str = ""
    #: the chosen annotation has no region at all: the annotator judged that nobody is quoted
    no_quotes_judged: bool = False


@dataclass
class ExportInfo:
    """What the first pass learned about the inputs (for the dataset card)."""

    files: list[str] = field(default_factory=list)
    tasks: int = 0
    annotators: set[str] = field(default_factory=set)
    model_versions: Counter[str] = field(default_factory=Counter)
    multi_annotated: int = 0
    emails_known: bool = False  # some completed_by came expanded, with an e-mail
    #: per input file (aligned with ``files``): its name for messages and the card (the path
    #: when two inputs share a name) and the number of task objects read from it
    file_labels: list[str] = field(default_factory=list)
    file_tasks: list[int] = field(default_factory=list)
    #: (file of the kept annotation, file of a set-aside one) -> tasks (``superseded`` notes)
    superseded: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: account scopes (module docstring): 1 = integer user ids are compared across all files
    account_scopes: int = 1
    #: tasks on which one account has several live annotations (different ids): only its latest
    #: is used, so agreement does not compare them
    same_account_tasks: int = 0


# --------------------------------------------------------------------------- JSON streaming


def iter_json_items(path: str | Path, issues: IssueLog, chunk_size: int = 1 << 20) -> Iterator[Any]:
    """Yield the items of the top-level JSON array in ``path`` one by one (a lone object is one item).

    A truncated or invalid file yields the items before the problem, then reports
    ``invalid_json`` naming the file and the position.
    """
    p = Path(path)
    try:
        fh = open(p, encoding="utf-8")
    except FileNotFoundError:
        raise BadInputError(f"{p}: file not found") from None
    except IsADirectoryError:
        raise BadInputError(f"{p}: is a directory, expected a Label Studio JSON export file") from None
    except OSError as exc:
        raise BadInputError(f"{p}: cannot read ({exc.strerror})") from None
    decoder = json.JSONDecoder()
    ws = re.compile(r"[\s,]*")
    buf = ""
    pos = 0  # read position in buf
    consumed = 0  # characters dropped from the front of buf (for positions in messages)
    eof = False
    count = 0

    def fill(size: int) -> bool:
        """Drop what was read, append up to ``size`` more characters; False at end of file."""
        nonlocal buf, pos, consumed, eof
        buf = buf[pos:]
        consumed += pos
        pos = 0
        try:
            more = fh.read(size)
        except UnicodeDecodeError as exc:
            raise _InvalidJSON(f"not UTF-8 text ({exc.reason})") from None
        if not more:
            eof = True
            return False
        buf += more
        return True

    def skip_ws() -> bool:
        """Skip whitespace and commas; False when the file ends first."""
        nonlocal pos
        while True:
            pos = ws.match(buf, pos).end()
            if pos < len(buf):
                return True
            if eof or not fill(chunk_size):
                return False

    with fh:
        try:
            if not skip_ws():
                raise _InvalidJSON("empty file")
            if buf[pos] != "[":
                # a single task object (or garbage): decode the whole file
                while fill(chunk_size):
                    pass
                try:
                    obj, end = decoder.raw_decode(buf, pos)
                except json.JSONDecodeError as exc:
                    raise _InvalidJSON(_json_error(exc.msg, consumed + exc.pos)) from None
                except (ValueError, RecursionError) as exc:  # huge integer, absurd nesting
                    raise _InvalidJSON(_undecodable(exc)) from None
                if buf[end:].strip():
                    hint = ""
                    if isinstance(obj, dict) and "article_id" in obj and ("text" in obj or "quotes" in obj):
                        hint = (" (this is JSON lines of article or prediction records, from `quotekit ingest` or "
                                "`quotekit preannotate`: build takes Label Studio exports, from `quotekit ls pull`)")
                    raise _InvalidJSON(f"extra data after the JSON value at char {consumed + end}{hint}")
                yield obj
                return
            pos += 1
            size = chunk_size
            while True:
                if not skip_ws():
                    raise _InvalidJSON(f"truncated: the JSON array is not closed after {count} item(s) (all {count} were read; anything after them is lost)")
                if buf[pos] == "]":
                    pos += 1
                    while True:
                        if buf[pos:].strip():
                            raise _InvalidJSON(f"extra data after the JSON array at char {consumed + pos}")
                        if not fill(chunk_size):
                            return
                try:
                    obj, end = decoder.raw_decode(buf, pos)
                except (ValueError, RecursionError) as exc:
                    if not isinstance(exc, json.JSONDecodeError):  # huge integer, absurd nesting
                        raise _InvalidJSON(f"{_undecodable(exc)} (item {count + 1})") from None
                    if eof:
                        raise _InvalidJSON(
                            f"the file looks truncated: {count} item(s) read, nothing read from item #{count + 1} on "
                            f"(it starts at byte {_byte_offset(p, consumed + pos)}, char {consumed + pos}; "
                            f"{_json_error(exc.msg, consumed + exc.pos)})") from None
                    fill(size)
                    size *= 2  # a big item: read in bigger steps, so decoding stays linear
                    continue
                size = chunk_size
                count += 1
                pos = end
                yield obj
        except _InvalidJSON as exc:
            issues.add("invalid_json", f"{p}: invalid JSON: {exc}; items after this point were skipped")


def _json_error(msg: str, char: int) -> str:
    """``json`` messages such as "Unterminated string starting at" already end with "at"."""
    return f"{msg} char {char}" if msg.endswith(" at") else f"{msg} at char {char}"


def _byte_offset(path: Path, chars: int) -> int | str:
    """The byte offset of character ``chars`` of a UTF-8 file (for messages; "?" if unreadable)."""
    try:
        with open(path, encoding="utf-8") as fh:
            n = 0
            while chars > 0:
                piece = fh.read(min(chars, 1 << 20))
                if not piece:
                    break
                n += len(piece.encode("utf-8", "surrogatepass"))
                chars -= len(piece)
            return n
    except (OSError, UnicodeDecodeError):
        return "?"


def _first_difference(a: str, b: str, context: int = 15) -> str:
    """Where two strings first differ, with some context on each side (for ``text_mismatch``).

    >>> _first_difference("Hun Sen said", "Hun Sen sad")
    "they differ from char 10 (lengths 12 and 11): common 'Hun Sen sa', then region 'id' vs text 'd'"
    """
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    lo = max(0, i - context)
    lead = ("…" if lo else "") + a[lo:i]
    return (f"they differ from char {i} (lengths {len(a)} and {len(b)}): common {lead!r}, "
            f"then region {_short(a[i:], context)!r} vs text {_short(b[i:], context)!r}")


def _undecodable(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply to read"
    return f"undecodable JSON value ({str(exc).split(';')[0]})"


class _InvalidJSON(Exception):
    pass


# --------------------------------------------------------------------------- annotation choice


def _ts(value: Any) -> float:
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return 0.0
    return 0.0


def annotator_key(completed_by: Any, emails: dict[int, str] | None = None) -> str | None:
    """A stable annotator name: the e-mail when known, else ``user:<id>``."""
    if isinstance(completed_by, dict):
        email = completed_by.get("email")
        if isinstance(email, str) and email:
            return email.casefold()
        completed_by = completed_by.get("id")
    if isinstance(completed_by, bool):
        return None
    if isinstance(completed_by, int):
        if emails and completed_by in emails:
            return emails[completed_by]
        return f"user:{completed_by}"
    if isinstance(completed_by, str) and completed_by:
        return completed_by.casefold()
    return None


def matches_annotator(completed_by: Any, wanted: str, emails: dict[int, str]) -> bool:
    """``wanted`` is an e-mail or a numeric user id (see the module docstring)."""
    w = wanted.strip().casefold()
    uid = completed_by.get("id") if isinstance(completed_by, dict) else completed_by
    if w.isdigit() and isinstance(uid, int) and not isinstance(uid, bool) and int(w) == uid:
        return True
    key = annotator_key(completed_by, emails)
    return key is not None and key == w


def annotation_sort_key(ann: dict[str, Any], file_index: int) -> tuple:
    """Later is larger: ``updated_at``, then ``created_at``, then the later file, then the id."""
    aid = ann.get("id")
    return (_ts(ann.get("updated_at")) or _ts(ann.get("created_at")), _ts(ann.get("created_at")), file_index, aid if isinstance(aid, int) else 0)


def pick_annotation(candidates: list[tuple[tuple, Any, dict[str, Any]]]) -> Any | None:
    """Choose among ``(sort_key, handle, annotation)``: ground truth first, else the latest not cancelled."""
    live = [c for c in candidates if not c[2].get("was_cancelled")]
    if not live:
        return None
    gt = [c for c in live if c[2].get("ground_truth")]
    pool = gt or live
    return max(pool, key=lambda c: c[0])[1]


def task_identity(task: dict[str, Any]) -> tuple:
    data = task.get("data") if isinstance(task.get("data"), dict) else {}
    aid = data.get("article_id")
    if aid not in (None, ""):
        sha = data.get("text_sha256")
        if not sha and isinstance(data.get(N.TEXT), str):
            sha = hashlib.sha256(data[N.TEXT].encode("utf-8", "surrogatepass")).hexdigest()
        return ("article", str(aid), str(sha or ""))
    return ("task", str(task.get("id")))


# --------------------------------------------------------------------------- region parsing


def is_direct(text: str, start: int, end: int) -> bool:
    """True when the span is surrounded by (or starts and ends with) quotation marks.

    >>> is_direct('He said “we will win” today.', 9, 20)
    True
    """
    if 0 < start and end < len(text) and text[start - 1] in QUOTE_MARKS and text[end] in QUOTE_MARKS:
        return True
    return end - start >= 2 and text[start] in QUOTE_MARKS and text[end - 1] in QUOTE_MARKS


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def parse_annotation(
    text: str,
    result: Any,
    *,
    article_id: str,
    where: str,
    issues: IssueLog,
    stance_labels: Iterable[str],
    canonical: Callable[[str], str] = lambda s: s,
    affiliation: Callable[[str], str | None] = lambda s: None,
    prediction: Any = None,
) -> list[QuoteRecord]:
    """Join one annotation's ``result`` list into validated quotes (sorted by offset).

    ``where`` prefixes every message (e.g. ``"export.json task 12 annotation 7"``).
    ``canonical`` maps a speaker name to its registry name; ``affiliation`` gives its
    registry affiliation (``None`` when unknown; the caller decides the default).
    ``prediction``: the ``result`` list of the prediction the annotation started from (see
    :func:`source_prediction`), to tell untouched pre-annotations from the annotator's choices.
    """
    stance_set = set(stance_labels)
    if not isinstance(result, list):
        issues.add("malformed_result", f"{where}: 'result' is not a list")
        return []

    regions: dict[str, dict[str, Any]] = {}
    duplicated: set[str] = set()
    per_region: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    for i, item in enumerate(result):
        if not isinstance(item, dict):
            issues.add("malformed_result", f"{where} result #{i}: not an object")
            continue
        rtype = item.get("type")
        if rtype == "relation":
            relations.append(item)
            continue
        rid = item.get("id")
        if not isinstance(rid, (str, int)) or isinstance(rid, bool) or rid == "":
            issues.add("malformed_result", f"{where} result #{i}: no region id")
            continue
        rid = str(rid)
        value = item.get("value")
        if not isinstance(value, dict):
            issues.add("malformed_result", f"{where} region {rid}: no 'value' object")
            continue
        if item.get("from_name") == N.LABELS or rtype == "labels":
            if rid in regions or rid in duplicated:
                if rid not in duplicated:
                    issues.add("duplicate_region_id", f"{where} region {rid}: several regions share this id; all are dropped")
                duplicated.add(rid)
                regions.pop(rid, None)
                continue
            labels = value.get("labels")
            if item.get("from_name") != N.LABELS or not isinstance(labels, list) or len(labels) != 1:
                issues.add("malformed_result", f"{where} region {rid}: expected from_name {N.LABELS!r} with exactly one label, got {item.get('from_name')!r} {labels!r}")
                continue
            label = labels[0]
            if label not in N.REGION_LABELS:
                issues.add("unknown_label", f"{where} region {rid}: unknown region label {label!r} (expected one of {', '.join(N.REGION_LABELS)})")
                continue
            start, end, rtext = _int(value.get("start")), _int(value.get("end")), value.get("text")
            if start is None or end is None:
                issues.add("malformed_result", f"{where} region {rid}: start/end are not integers ({value.get('start')!r}, {value.get('end')!r})")
                continue
            if not (0 <= start < end <= len(text)):
                issues.add("offsets_out_of_range", f"{where} region {rid} ({label}): offsets {start}-{end} are outside the text (length {len(text)})")
                continue
            if rtext is not None and rtext != text[start:end]:
                issues.add("text_mismatch", f"{where} region {rid} ({label}): region text != text[{start}:{end}]: {_first_difference(str(rtext), text[start:end])}")
                continue
            regions[rid] = {"label": label, "start": start, "end": end}
        else:
            per_region.append(item)

    # per-region choices / textareas
    stance: dict[str, str] = {}
    kind: dict[str, str] = {}
    flags: dict[str, set[str]] = {}
    spk_choice: dict[str, str] = {}
    spk_new: dict[str, str] = {}
    spk_items: dict[tuple[str, str], dict[str, Any]] = {}  # (region id, from_name) -> result item
    for item in per_region:
        rid, fname, value = str(item["id"]), item.get("from_name"), item["value"]
        reg = regions.get(rid)
        if reg is None:
            if rid not in duplicated:
                issues.add("orphan_region_result", f"{where} region {rid}: {fname!r} result for a region that is missing or was dropped")
            continue
        if fname in (N.STANCE, N.KIND, N.QUOTE_FLAGS, N.SPEAKER_NAME):
            choices = value.get("choices")
            if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
                issues.add("malformed_result", f"{where} region {rid}: {fname!r} has no 'choices' list")
                continue
            if fname == N.QUOTE_FLAGS:
                bad = [c for c in choices if c != N.SPEAKER_UNKNOWN]
                if bad:
                    issues.add("unknown_label", f"{where} region {rid}: unknown {fname} choice {bad[0]!r}")
                flags.setdefault(rid, set()).update(c for c in choices if c == N.SPEAKER_UNKNOWN)
                continue
            if not choices:
                continue
            choice = choices[0]
            if fname == N.STANCE:
                if choice not in stance_set:
                    issues.add("unknown_label", f"{where} region {rid}: unknown stance {choice!r} (expected one of {', '.join(sorted(stance_set))})")
                    stance[rid] = "\0invalid"
                else:
                    stance.setdefault(rid, choice)
            elif fname == N.KIND:
                if choice not in QUOTE_KINDS:
                    issues.add("unknown_label", f"{where} region {rid}: unknown kind {choice!r} (expected one of {', '.join(QUOTE_KINDS)}); the default kind is used")
                else:
                    kind.setdefault(rid, choice)
            else:
                if choice.strip() and rid not in spk_choice:
                    spk_choice[rid] = choice.strip()
                    spk_items[(rid, fname)] = item
        elif fname == N.SPEAKER_NEW:
            typed = value.get("text")
            if isinstance(typed, str):
                typed = [typed]
            if not isinstance(typed, list):
                issues.add("malformed_result", f"{where} region {rid}: {fname!r} value.text is not a list of strings")
                continue
            names = [t.strip() for t in typed if isinstance(t, str) and t.strip()]
            if names and rid not in spk_new:
                spk_new[rid] = names[0]
                spk_items[(rid, fname)] = item
        else:
            issues.add("unknown_label", f"{where} region {rid}: unknown result from_name {fname!r}")

    # the canonical name of each SPEAKER region with a name (choice or typed)
    pred_items = _prediction_items(prediction)
    spk_name: dict[str, str] = {}
    for rid in sorted(set(spk_choice) | set(spk_new)):
        if regions[rid]["label"] != N.SPEAKER:
            continue
        chosen = spk_choice.get(rid)
        typed = spk_new.get(rid)
        if chosen is None or typed is None:
            spk_name[rid] = canonical(typed or chosen)
            continue
        name, why = resolve_speaker(
            chosen, typed,
            new_untouched=_untouched(spk_items[(rid, N.SPEAKER_NEW)], pred_items, prediction is not None),
            choice_untouched=_untouched(spk_items[(rid, N.SPEAKER_NAME)], pred_items, prediction is not None),
        )
        spk_name[rid] = canonical(name)
        if canonical(chosen).casefold() != canonical(typed).casefold():
            reg = regions[rid]
            issues.add("speaker_conflict", f"{where} region {rid} (SPEAKER {reg['start']}-{reg['end']}): {N.SPEAKER_NAME!r} list choice {chosen!r} and {N.SPEAKER_NEW!r} name {typed!r} differ; kept {name!r} ({why})")

    # relations
    speakers_of: dict[str, set[str]] = {}
    cues_of: dict[str, list[str]] = {}
    for i, rel in enumerate(relations):
        a, b = rel.get("from_id"), rel.get("to_id")
        a = str(a) if a is not None else None
        b = str(b) if b is not None else None
        if a not in regions or b not in regions:
            missing = a if a not in regions else b
            issues.add("dangling_relation", f"{where} relation #{i} {a}->{b}: region {missing} is missing or was dropped")
            continue
        labels = rel.get("labels") or []
        if not isinstance(labels, list):
            labels = [labels]
        ends = {regions[a]["label"]: a, regions[b]["label"]: b}
        if len(ends) != 2 or N.QUOTE not in ends:
            issues.add("bad_relation", f"{where} relation #{i} {a}->{b}: links {regions[a]['label']} to {regions[b]['label']}; expected QUOTE to SPEAKER or QUOTE to CUE")
            continue
        other = N.SPEAKER if N.SPEAKER in ends else N.CUE
        expected = N.SAID_BY if other == N.SPEAKER else N.CUE_OF
        unknown = [lab for lab in labels if lab not in (N.SAID_BY, N.CUE_OF)]
        if unknown:
            issues.add("unknown_label", f"{where} relation #{i} {a}->{b}: unknown relation label {unknown[0]!r}")
            continue
        if labels and expected not in labels:
            issues.add("bad_relation", f"{where} relation #{i} {a}->{b}: label {labels[0]!r} links QUOTE to {other}")
            continue
        q, o = ends[N.QUOTE], ends[other]
        if other == N.SPEAKER:
            speakers_of.setdefault(q, set()).add(o)
        elif o not in cues_of.setdefault(q, []):
            cues_of[q].append(o)

    quotes: list[QuoteRecord] = []
    seen_offsets: set[tuple[int, int]] = set()
    for rid, reg in sorted(regions.items(), key=lambda kv: (kv[1]["start"], kv[1]["end"], kv[0])):
        if reg["label"] != N.QUOTE:
            continue
        s, e = reg["start"], reg["end"]
        st = stance.get(rid)
        if st is None:
            issues.add("no_stance", f"{where} region {rid} (QUOTE {s}-{e}): no stance choice")
            continue
        if st == "\0invalid":
            continue
        spk_regions = speakers_of.get(rid, set())
        speaker = sp_start = sp_end = None
        if spk_regions:
            resolved = {}
            for sid in spk_regions:
                sreg = regions[sid]
                name = spk_name.get(sid)
                if name is None:
                    mention = text[sreg["start"] : sreg["end"]].strip()
                    name = canonical(mention) if mention else None
                if name:
                    resolved[sid] = name
            if not resolved:
                blank = ", ".join(sorted(spk_regions))
                issues.add("no_speaker", f"{where} region {rid} (QUOTE {s}-{e}): its SPEAKER region {blank} is blank and has no canonical speaker")
                continue
            if len({n.casefold() for n in resolved.values()}) > 1:
                issues.add("ambiguous_speaker", f"{where} region {rid} (QUOTE {s}-{e}): linked to several speakers: {', '.join(sorted(set(resolved.values())))}")
                continue
            sid = min(resolved, key=lambda x: (regions[x]["start"], x))
            speaker, sp_start, sp_end = resolved[sid], regions[sid]["start"], regions[sid]["end"]
        elif N.SPEAKER_UNKNOWN not in flags.get(rid, set()):
            issues.add("no_speaker", f"{where} region {rid} (QUOTE {s}-{e}): no said_by relation to a SPEAKER and no {N.SPEAKER_UNKNOWN!r} flag")
            continue
        if (s, e) in seen_offsets:
            issues.add("duplicate_quote", f"{where} region {rid} (QUOTE {s}-{e}): another quote has the same offsets")
            continue
        seen_offsets.add((s, e))
        cue_ids = cues_of.get(rid, [])
        cue = min(cue_ids, key=lambda x: (regions[x]["start"], x)) if cue_ids else None
        quotes.append(
            QuoteRecord(
                quote_id=make_quote_id(article_id, s, e),
                start=s,
                end=e,
                text=text[s:e],
                kind=kind.get(rid) or ("direct" if is_direct(text, s, e) else "indirect"),
                speaker=speaker,
                speaker_start=sp_start,
                speaker_end=sp_end,
                cue_start=regions[cue]["start"] if cue else None,
                cue_end=regions[cue]["end"] if cue else None,
                stance=st,
                affiliation=(affiliation(speaker) or "other") if speaker else None,
                region_id=rid,
            )
        )
    return quotes


def resolve_speaker(chosen: str, typed: str, *, new_untouched: bool, choice_untouched: bool) -> tuple[str, str]:
    """The name of a SPEAKER region that has both a list choice and a typed ``speaker_new`` name,
    and why: the typed name unless it is an untouched prediction (module docstring).

    >>> resolve_speaker("Hun Sen", "spent the", new_untouched=True, choice_untouched=False)
    ('Hun Sen', 'the speaker_new name is the untouched pre-annotation; the list choice was made by the annotator')
    """
    if new_untouched:
        if choice_untouched:
            return chosen, "both are untouched pre-annotations; the list choice wins"
        return chosen, f"the {N.SPEAKER_NEW} name is the untouched pre-annotation; the list choice was made by the annotator"
    if choice_untouched:
        return typed, f"the {N.SPEAKER_NEW} name was typed by the annotator; the list choice is the untouched pre-annotation"
    return typed, f"both were set by the annotator; the typed {N.SPEAKER_NEW} name wins"


def _prediction_items(prediction: Any) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    if isinstance(prediction, list):
        for item in prediction:
            if isinstance(item, dict) and item.get("type") != "relation" and item.get("id") is not None:
                out.setdefault((str(item["id"]), str(item.get("from_name"))), item)
    return out


def _names(item: dict[str, Any]) -> list[str]:
    value = item.get("value") if isinstance(item.get("value"), dict) else {}
    vals = value.get("choices") if item.get("type") == "choices" or "choices" in value else value.get("text")
    if isinstance(vals, str):
        vals = [vals]
    return [v.strip() for v in vals if isinstance(v, str) and v.strip()] if isinstance(vals, list) else []


def _untouched(item: dict[str, Any], pred_items: dict[tuple[str, str], dict[str, Any]], have_prediction: bool) -> bool:
    """Is this per-region result the pre-annotation, unchanged? (module docstring)"""
    if have_prediction:
        p = pred_items.get((str(item.get("id")), str(item.get("from_name"))))
        return p is not None and item.get("origin") != "manual" and _names(p) == _names(item)
    return item.get("origin") == "prediction"


def source_prediction(task: dict[str, Any], ann: dict[str, Any]) -> list | None:
    """The ``result`` of the prediction ``ann`` started from: ``ann["prediction"]`` (Label Studio
    exports it expanded), else the task's prediction whose id is ``ann["parent_prediction"]``."""
    p = ann.get("prediction")
    if isinstance(p, dict) and isinstance(p.get("result"), list):
        return p["result"]
    pid = ann.get("parent_prediction")
    if isinstance(pid, dict):
        pid = pid.get("id")
    if pid is None:
        return None
    for p in task.get("predictions") or [] if isinstance(task.get("predictions"), list) else []:
        if isinstance(p, dict) and p.get("id") == pid and isinstance(p.get("result"), list):
            return p["result"]
    return None


def make_quote_id(article_id: str, start: int, end: int) -> str:
    """Derived, stable: ``<article_id>:<start>-<end>``."""
    return f"{article_id}:{start}-{end}"


def _short(s: Any, n: int = 40) -> str:
    s = str(s)
    return s if len(s) <= n else s[: n - 1] + "…"


# --------------------------------------------------------------------------- the two passes


@dataclass
class _Choice:
    key: tuple
    file_index: int
    position: int
    ann_index: int


class ExportReader:
    """Read several exports into articles: ``reader.info`` after :meth:`scan`, then :meth:`articles`."""

    def __init__(
        self,
        paths: Iterable[str | Path],
        *,
        issues: IssueLog,
        stance_labels: Iterable[str],
        annotator: str | None = None,
        canonical: Callable[[str], str] = lambda s: s,
        affiliation: Callable[[str], str | None] = lambda s: None,
    ) -> None:
        self.paths = [Path(p) for p in paths]
        if not self.paths:
            raise BadInputError("no export file given (pass one or more Label Studio JSON exports)")
        for p in self.paths:
            if not p.exists():
                raise BadInputError(f"{p}: file not found (pass a Label Studio JSON export)")
            if not p.is_file():
                raise BadInputError(f"{p}: not a file (pass a Label Studio JSON export file)")
        self.issues = issues
        self.stance_labels = tuple(stance_labels)
        self.annotator = annotator
        self.canonical = canonical
        self.affiliation = affiliation
        self.info = ExportInfo(files=[str(p) for p in self.paths])
        self._chosen: dict[tuple, _Choice] = {}
        self._per_annotator: dict[tuple, dict[str, _Choice]] = {}
        self._emails: dict[int, dict[int, str]] = {}  # account scope -> user id -> e-mail
        self._scope: list[int] = [0] * len(self.paths)  # file index -> account scope
        self._scope_label: list[str | None] = [None] * len(self.paths)  # file index -> label suffix
        self._scanned = False
        self.info.file_labels = file_labels(self.paths)
        self.info.file_tasks = [0] * len(self.paths)

    def _who(self, completed_by: Any, file_index: int) -> str | None:
        """The account of ``completed_by`` in file ``file_index`` (module docstring: account scopes)."""
        key = annotator_key(completed_by, self._emails.get(self._scope[file_index]))
        uid = completed_by.get("id") if isinstance(completed_by, dict) else completed_by
        suffix = self._scope_label[file_index]
        if suffix and key is not None and isinstance(uid, int) and key == f"user:{uid}":
            return f"{key} ({suffix})"
        return key

    def _group_files(self, projects: list[set], tids: dict[tuple, dict[int, set]], ann_tasks: dict[Any, dict[int, set]] | None = None) -> None:
        """Account scopes: files that are snapshots of one Label Studio project share one.
        ``ann_tasks``: annotation id -> file index -> task identities; one annotation id on two
        different tasks cannot come from one database, so those files are kept apart."""
        n = len(self.paths)
        apart: set[tuple[int, int]] = set()
        for by_file in list(tids.values()) + list((ann_tasks or {}).values()):
            fis = sorted(by_file)
            for i, a in enumerate(fis):
                for b in fis[i + 1:]:
                    if not by_file[a] & by_file[b]:
                        apart.add((a, b))
        groups: list[list[int]] = []
        for fi in range(n):
            for g in groups:
                if all(len(projects[fi]) == 1 and None not in projects[fi] and projects[fi] == projects[fj] and (fj, fi) not in apart for fj in g):
                    g.append(fi)
                    break
            else:
                groups.append([fi])
        for gi, g in enumerate(groups):
            for fi in g:
                self._scope[fi] = gi
                self._scope_label[fi] = self.info.file_labels[g[0]] if len(groups) > 1 else None
        self.info.account_scopes = len(groups)

    # pass 1 ------------------------------------------------------------
    def scan(self) -> ExportInfo:
        """First pass: which annotation wins for each task; who annotated what."""
        raw: dict[tuple, dict[Any, tuple[tuple, _Choice, dict[str, Any]]]] = {}
        first_seen: dict[tuple, str] = {}  # identity -> where it was first seen, in input order
        versions_of: dict[tuple, set[str]] = {}  # identity -> model versions (a task counts once, whatever the files)
        projects: list[set] = [set() for _ in self.paths]  # file index -> Label Studio project ids
        tids: dict[tuple, dict[int, set]] = {}  # (identity, project) -> file index -> Label Studio task ids
        emails_raw: dict[tuple[int, int], str] = {}  # (file index, user id) -> e-mail
        ann_tasks: dict[Any, dict[int, set]] = {}  # annotation id -> file index -> task identities
        for fi, path in enumerate(self.paths):
            for pos, task in enumerate(iter_json_items(path, self.issues)):
                if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
                    self.issues.add("not_a_task", f"{path} item #{pos}: not a Label Studio task (an object with 'data')")
                    continue
                self.info.file_tasks[fi] += 1
                ident = task_identity(task)
                project = _project_of(task)
                projects[fi].add(project)
                if project is not None:
                    tids.setdefault((ident, project), {}).setdefault(fi, set()).add(str(task.get("id")))
                if ident not in first_seen:
                    first_seen[ident] = f"{path.name} task {task.get('id')}"
                versions_of.setdefault(ident, set()).update(self._model_versions(task))
                anns = task.get("annotations") or []
                if not isinstance(anns, list):
                    anns = []
                for ai, ann in enumerate(anns):
                    if not isinstance(ann, dict):
                        continue
                    cb = ann.get("completed_by")
                    if isinstance(cb, dict) and isinstance(cb.get("id"), int) and isinstance(cb.get("email"), str):
                        emails_raw[(fi, cb["id"])] = cb["email"].casefold()
                    choice = _Choice(annotation_sort_key(ann, fi), fi, pos, ai)
                    aid = ann.get("id")
                    if isinstance(aid, int) and not isinstance(aid, bool):
                        ann_tasks.setdefault(aid, {}).setdefault(fi, set()).add(ident)
                    slim = {"was_cancelled": bool(ann.get("was_cancelled")), "ground_truth": bool(ann.get("ground_truth")), "completed_by": cb,
                            "id": aid, "updated_at": ann.get("updated_at") or ann.get("created_at")}
                    if not isinstance(aid, (int, str)) or isinstance(aid, bool):
                        aid = ("pos", fi, pos, ai)
                    prev = raw.setdefault(ident, {}).get(aid)
                    if prev is None or choice.key >= prev[0]:
                        raw[ident][aid] = (choice.key, choice, slim)
        self.info.tasks = len(first_seen)
        for versions in versions_of.values():
            self.info.model_versions.update(versions)
        self._group_files(projects, tids, ann_tasks)
        del tids, ann_tasks
        for (fi, uid), email in emails_raw.items():
            self._emails.setdefault(self._scope[fi], {})[uid] = email
        for ident in first_seen:  # input order
            cands = list(raw.get(ident, {}).values())
            if self.annotator is not None:
                cands = [c for c in cands if matches_annotator(c[2]["completed_by"], self.annotator, self._emails.get(self._scope[c[1].file_index], {}))]
            chosen = pick_annotation(cands)
            if chosen is None:
                if any(c[2]["was_cancelled"] for c in cands):
                    self.issues.add("cancelled", f"{first_seen[ident]} ({_ident_str(ident)}): every annotation{' by ' + self.annotator if self.annotator else ''} was cancelled")
                else:
                    self.issues.add("not_annotated", f"{first_seen[ident]} ({_ident_str(ident)}): no annotation{' by ' + self.annotator if self.annotator else ''}")
                continue
            self._chosen[ident] = chosen
            self._note_superseded(ident, chosen, [c for c in cands if not c[2]["was_cancelled"]])
            # per-annotator latest live annotation, for agreement
            per: dict[str, tuple[tuple, _Choice]] = {}
            live_by: Counter[str] = Counter()
            for key, ch, slim in raw.get(ident, {}).values():
                if slim["was_cancelled"]:
                    continue
                who = self._who(slim["completed_by"], ch.file_index)
                if who is None:
                    continue
                self.info.annotators.add(who)
                live_by[who] += 1
                if who not in per or key > per[who][0]:
                    per[who] = (key, ch)
            if any(n >= 2 for n in live_by.values()):
                self.info.same_account_tasks += 1
            if len(per) >= 2:
                self._per_annotator[ident] = {w: c for w, (_, c) in per.items()}
        self.info.multi_annotated = len(self._per_annotator)
        self.info.emails_known = bool(self._emails)
        self._scanned = True
        return self.info

    def _note_superseded(self, ident: tuple, chosen: _Choice, live: list[tuple[tuple, _Choice, dict[str, Any]]]) -> None:
        """Count a ``superseded`` note when ``chosen`` was picked among several live annotations."""
        if len(live) < 2:
            return
        labels = self.info.file_labels
        kept = next(c for c in live if c[1] is chosen)
        aside = sorted((c for c in live if c[1] is not chosen), key=lambda c: c[0], reverse=True)
        if kept[2]["ground_truth"]:
            why = "the ground-truth annotation wins"
        elif kept[0][0] > aside[0][0][0]:
            why = "the latest updated_at wins"
        else:
            why = "same updated_at: the later file on the command line, then the higher id, wins"

        def desc(c: tuple[tuple, _Choice, dict[str, Any]]) -> str:
            gt = ", ground truth" if c[2]["ground_truth"] else ""
            return f"annotation {c[2]['id']} from {labels[c[1].file_index]} (updated_at {c[2]['updated_at']}{gt})"

        self.issues.add("superseded", f"{_ident_str(ident)}: kept {desc(kept)}; set aside {'; '.join(desc(c) for c in aside)} ({why})")
        for f in dict.fromkeys(labels[c[1].file_index] for c in aside):
            self.info.superseded[(labels[chosen.file_index], f)] += 1

    @staticmethod
    def _model_versions(task: dict[str, Any]) -> set[str]:
        """The model_versions of a task's predictions (expanded ones) and of the prediction its
        annotations started from (``annotation.prediction``). Each task (identity) is counted
        once per version in :attr:`ExportInfo.model_versions`, however many files hold it."""
        found: set[str] = set()
        for p in task.get("predictions") or [] if isinstance(task.get("predictions"), list) else []:
            if isinstance(p, dict) and isinstance(p.get("model_version"), str) and p["model_version"]:
                found.add(p["model_version"])
        for a in task.get("annotations") or [] if isinstance(task.get("annotations"), list) else []:
            p = a.get("prediction") if isinstance(a, dict) else None
            if isinstance(p, dict) and isinstance(p.get("model_version"), str) and p["model_version"]:
                found.add(p["model_version"])
        return found

    # pass 2 ------------------------------------------------------------
    def articles(
        self,
        on_multi: Callable[[str, str, dict[str, list[QuoteRecord]]], None] | None = None,
    ) -> Iterator[ArticleRecord]:
        """Second pass: yield one validated article per task, in input order.

        ``on_multi(article_id, text, {annotator: quotes})`` is called for each task annotated
        by several people (for agreement); problems in those extra annotations are not counted.
        """
        if not self._scanned:
            self.scan()
        emitted: set[str] = set()
        pending: dict[tuple, dict[str, list[QuoteRecord]]] = {}
        quiet = _NullLog()
        for fi, path in enumerate(self.paths):
            for pos, task in enumerate(iter_json_items(path, quiet)):
                if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
                    continue
                ident = task_identity(task)
                chosen = self._chosen.get(ident)
                multi = self._per_annotator.get(ident)
                hit = chosen is not None and chosen.file_index == fi and chosen.position == pos
                multi_hits = {w: c for w, c in (multi or {}).items() if c.file_index == fi and c.position == pos}
                if not hit and not multi_hits:
                    continue
                data = task["data"]
                text = data.get(N.TEXT)
                tid = task.get("id")
                where_task = f"{path.name} task {tid}"
                article_id = str(data["article_id"]) if data.get("article_id") not in (None, "") else f"ls-task-{tid}"
                if not isinstance(text, str) or not text.strip():
                    if hit:
                        self.issues.add("no_text", f"{where_task}: task data has no '{N.TEXT}'")
                    continue
                if not all(_unicode_ok(data.get(k)) for k in (N.TEXT, "article_id", "title", "outlet", "date")):
                    if hit:
                        self.issues.add("invalid_text", f"{where_task}: task text or metadata is not valid Unicode (lone surrogate)")
                    continue
                anns = task.get("annotations") or []
                if multi_hits and on_multi is not None:
                    got = pending.setdefault(ident, {})
                    for who, c in multi_hits.items():
                        ann = anns[c.ann_index]
                        got[who] = parse_annotation(text, ann.get("result"), article_id=article_id, where=where_task, issues=quiet, stance_labels=self.stance_labels, canonical=self.canonical, affiliation=self.affiliation, prediction=source_prediction(task, ann))
                    if len(got) == len(multi):
                        on_multi(article_id, text, pending.pop(ident))
                if not hit:
                    continue
                ann = anns[chosen.ann_index]
                where = f"{where_task} annotation {ann.get('id')}"
                result = ann.get("result")
                judged_empty = result == []  # "nobody is quoted here": a valid judgement (null is malformed)
                if article_id in emitted:
                    self.issues.add("duplicate_article", f"{where_task}: article_id {article_id!r} was already built from another task (different text_sha256?)")
                    continue
                emitted.add(article_id)
                quotes = [] if judged_empty else parse_annotation(
                    text, result, article_id=article_id, where=where, issues=self.issues, stance_labels=self.stance_labels,
                    canonical=self.canonical, affiliation=self.affiliation, prediction=source_prediction(task, ann))
                for q in [q for q in quotes if not _unicode_ok(q.speaker)]:
                    self.issues.add("invalid_text", f"{where} region {q.region_id}: speaker name is not valid Unicode (lone surrogate)")
                    quotes.remove(q)
                yield ArticleRecord(
                    article_id=article_id,
                    text=text,
                    title=_meta(data.get("title")),
                    outlet=_meta(data.get("outlet")),
                    date=_meta(data.get("date")),
                    quotes=quotes,
                    no_quotes_judged=judged_empty,
                    task_id=tid,
                    annotator=self._who(ann.get("completed_by"), fi),
                    source=str(path),
                )


def _unicode_ok(v: Any) -> bool:
    if not isinstance(v, str):
        return True
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _meta(v: Any) -> str | None:
    """Task metadata (title, outlet, date): null or "" is None. ``ls push`` has to send a missing
    value as "" (Label Studio refuses null in a key shown by a ``Header``), so "" means null."""
    return None if v is None or v == "" else str(v)


def file_labels(paths: Iterable[str | Path]) -> list[str]:
    """Names of the input files for messages and the card: the file name, or the path as given
    when two inputs share a name."""
    paths = [Path(p) for p in paths]
    names = Counter(p.name for p in paths)
    return [p.name if names[p.name] == 1 else str(p) for p in paths]


def _project_of(task: dict[str, Any]) -> Any:
    """The Label Studio project id of a task (``project``, else its first annotation's), or None."""
    p = task.get("project")
    if p is None:
        for a in task.get("annotations") or [] if isinstance(task.get("annotations"), list) else []:
            if isinstance(a, dict) and a.get("project") is not None:
                p = a["project"]
                break
    return p if isinstance(p, (int, str)) and not isinstance(p, bool) else None


def _ident_str(ident: tuple) -> str:
    if ident[0] == "article":
        return f"article_id={ident[1]!r}"
    return f"id={ident[1]}"
