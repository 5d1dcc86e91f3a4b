"""The only parser of Label Studio JSON exports: tasks in, validated quote records out.

Modules, one concern each: :mod:`.stream` (the items of a JSON array file, in flat memory),
:mod:`.choice` (task identity, which annotation wins, annotators), :mod:`.annotation` (one
annotation's result list -> quotes, phase by phase), :mod:`.records` (what comes out),
:mod:`.issues` (reason codes and the log), :mod:`.reader` (the two passes over the files),
:mod:`.foreign` (is this a quotekit project's export?). Import from the package.

Reads one or more Label Studio 1.23 JSON exports (a JSON array of tasks, as written by
``Export -> JSON`` or ``exports.as_json``), picks one annotation per task, joins QUOTE regions
through ``said_by`` relations to SPEAKER regions (canonical name from the per-region
``speaker_pick`` candidate radio, ``speaker`` registry list or ``speaker_new`` TextArea, else
the region's text) and through ``cue`` relations to CUE regions, reads the per-region ``stance``,
``kind`` and ``quote_flags`` choices of each QUOTE, and validates everything (Label Studio
validates nothing).

The canonical speaker of a SPEAKER region that several speaker controls name (:func:`resolve_speaker`)
    The one the annotator acted on wins; among several the annotator set, the order of
    ``names.SPEAKER_PRECEDENCE``: a typed ``speaker_new`` name, then a ``speaker`` registry pick,
    then a ``speaker_pick`` candidate (the screen says a registry pick wins over the candidates,
    and a typed name over both). A result is an *untouched prediction* when it is identical
    (same region id, same names) to the one in the prediction the annotation started from
    (``annotation.prediction`` or the task prediction whose id is ``parent_prediction``); it
    yields to any name the annotator set, so clicking another candidate on a region the
    pre-annotation named in the registry list (or typed an unregistered mention for) is enough.
    When the annotator set none, ``names.SPEAKER_PRECEDENCE_UNTOUCHED``: the registry name, then
    the candidate, then the typed name. ``origin`` cannot tell touched from untouched: Label
    Studio's editor stamps every result of a region with the *region's* origin (``prediction``,
    ``prediction-changed``, ``manual``), and adding a new per-region result does not even change
    it; it is used only when the export holds no prediction to compare with (``prediction`` =
    untouched; anything else = touched). When the names differ (after canonicalisation) the
    quote is kept and a ``speaker_conflict`` is counted (never a failure, not a skip) naming the
    region and the winner. Exports of older projects (no candidate radio) read as before.

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
    ones are ignored; an *adjudicated* one wins (submitted on a task of a ``quotekit review``
    project, :func:`is_review_task`: it has the source task's ``article_id`` and
    ``text_sha256``, so it pools with it, and ``review_of_task`` in its data), else a
    ``ground_truth`` annotation, else the latest by ``updated_at``
    (then ``created_at``, then the later file on the command line). The same annotation (same
    ``id``) seen in two exports counts once, in its latest version. When the kept annotation was
    chosen among several live (not cancelled) annotations with different ids, from several files
    or within one, a ``superseded`` note is counted (nothing is skipped) naming the article, the
    kept annotation (file, id, ``updated_at``) and the ones set aside (file, id); the card counts
    such tasks per (kept file, set-aside file) pair (:attr:`ExportInfo.superseded`).

Review tasks
    A reviewer's annotation is not compared with the annotators' (agreement,
    :meth:`ExportReader.versions`) and the predictions of a review task (the annotators'
    versions, ``model_version`` the account) are not counted as model versions.
    :meth:`ExportReader.versions` yields, per task annotated by several accounts, each account's
    latest live annotation (raw and parsed): what ``quotekit review`` compares.

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

Conflicting versions of one annotation
    The same annotation (same ``id``, ``updated_at`` and ``created_at``) found twice with
    different results (what the build reads) cannot be resolved by time: the version read last
    is kept and an ``annotation_conflict`` problem is counted naming both places (file, task) and
    the annotation id; ``strict`` fails on it.

Foreign exports
    :func:`refuse_foreign_exports` (called by ``build`` and ``agreement`` unless
    ``--allow-foreign``) refuses a file from another labeling config (:mod:`.foreign`).

Streaming
    Files are read task by task (a chunked JSON array decoder, :mod:`.stream`), twice: a first
    pass records only which annotation of which file wins for each task, the second yields the
    articles. Memory grows with the number of tasks (a few small tuples each), not with their text.

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

from .annotation import QUOTE_MARKS, is_direct, parse_annotation, resolve_speaker, source_prediction, source_prediction_record
from .choice import (
    REVIEW_FIELDS,
    REVIEW_OF_PROJECT,
    REVIEW_OF_TASK,
    REVIEW_SUMMARY,
    annotation_sort_key,
    annotator_key,
    is_review_task,
    matches_annotator,
    pick_annotation,
    task_identity,
)
from .foreign import foreign_export_reason, refuse_foreign_exports
from .issues import INFO_REASONS, NOTE_REASONS, REASONS, IssueLog
from .issues import NullLog as _NullLog  # noqa: F401 - the pre-package private names stay importable
from .reader import ExportReader, file_labels
from .reader import _meta  # noqa: F401 - named by toolkit.labelstudio.tasks
from .records import AccountVersion, ArticleRecord, ExportInfo, QuoteRecord, TaskVersions, make_quote_id
from .stream import iter_json_items

__all__ = [
    "AccountVersion",
    "ArticleRecord",
    "ExportInfo",
    "ExportReader",
    "INFO_REASONS",
    "IssueLog",
    "NOTE_REASONS",
    "QUOTE_MARKS",
    "QuoteRecord",
    "REASONS",
    "REVIEW_FIELDS",
    "REVIEW_OF_PROJECT",
    "REVIEW_OF_TASK",
    "REVIEW_SUMMARY",
    "TaskVersions",
    "annotation_sort_key",
    "annotator_key",
    "file_labels",
    "foreign_export_reason",
    "is_direct",
    "is_review_task",
    "iter_json_items",
    "make_quote_id",
    "matches_annotator",
    "parse_annotation",
    "pick_annotation",
    "refuse_foreign_exports",
    "resolve_speaker",
    "source_prediction",
    "source_prediction_record",
    "task_identity",
]
