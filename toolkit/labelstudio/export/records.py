"""What the export reader hands out: quotes, articles, and what it learned about the inputs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields, make_dataclass
from typing import Any

from toolkit.types import QUOTE_DATASET_FIELDS, Quote


def _quote_record_fields() -> list[tuple]:
    """``quote_id``, the dataset fields of :class:`toolkit.types.Quote` in order, ``affiliation``
    (from the registry) and ``region_id`` (the QUOTE region it was read from)."""
    by_name = {f.name: f for f in fields(Quote)}
    out: list[tuple] = [("quote_id", str)]
    out += [(name, by_name[name].type) for name, _dtype in QUOTE_DATASET_FIELDS]
    out += [("affiliation", "str | None"), ("region_id", str, field(default=""))]
    return out


#: A quote as read from an annotation: derived from :class:`toolkit.types.Quote` (one declaration
#: of a quote's fields), plus what the export adds.
QuoteRecord = make_dataclass("QuoteRecord", _quote_record_fields(), frozen=True)
QuoteRecord.__module__ = __name__


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
    #: the chosen annotation is a reviewer's, submitted on a ``quotekit review`` task (it wins)
    adjudicated: bool = False


@dataclass
class AccountVersion:
    """One account's latest live annotation of a task, as read (:meth:`ExportReader.versions`)."""

    account: str
    annotation: dict[str, Any]  # the raw annotation (id, completed_by, result, updated_at ...)
    quotes: list[QuoteRecord]


@dataclass
class TaskVersions:
    """A task annotated by several accounts: what ``quotekit review`` compares."""

    article_id: str
    text: str
    data: dict[str, Any]  # the task's data as exported
    task_id: Any  # Label Studio task id (of the file the first version was read from)
    project: Any  # Label Studio project id, None when the export does not say
    versions: dict[str, AccountVersion]  # account -> its version


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
    #: account scopes (package docstring): 1 = integer user ids are compared across all files
    account_scopes: int = 1
    #: tasks on which one account has several live annotations (different ids): only its latest
    #: is used, so agreement does not compare them
    same_account_tasks: int = 0


def make_quote_id(article_id: str, start: int, end: int) -> str:
    """Derived, stable: ``<article_id>:<start>-<end>``.

    >>> make_quote_id("pp-0001", 10, 42)
    'pp-0001:10-42'
    """
    return f"{article_id}:{start}-{end}"
