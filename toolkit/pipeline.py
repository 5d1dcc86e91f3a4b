"""The spaCy side of the pre-annotator: the ``quote_attribution`` factory and pipeline loading.

This is the only module that loads a spaCy pipeline. ``load_pipeline(None)`` (or ``"blank"``)
gives ``spacy.blank("en")`` + sentencizer + the component: no model download. With a trained
pipeline name (a setting, e.g. ``en_core_web_sm``) its tagger and parser are used as well.

The component sets ``doc._.quotes`` (list of :class:`~toolkit.types.Quote`) and
``doc._.quote_warnings`` (list of str, e.g. unbalanced quotation marks). It reads
``doc._.article_date`` (``YYYY-MM-DD``; :func:`preannotate_records` sets it from a record's
``date``) for the speakers' registry sides on that date (configs/speakers.yaml ``affiliations``:
a defector's former party); without it, each speaker's plain affiliation. Like spaCy's own
components it reads its data (the configs: speakers, stance scheme, lexicons) in
``initialize()`` and keeps it with the pipeline: ``nlp.to_disk`` saves a copy of the config
files, ``spacy.load`` uses that copy, not the configs of the machine it runs on.
"""

from __future__ import annotations

import re
import tempfile
from collections import deque
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from warnings import warn

from spacy.language import Language
from spacy.tokens import Doc

from toolkit.config import Registry, StanceScheme, configs_dir, load_lexicon_file, load_registry, load_stance
from toolkit.core import forget_doc_text, remember_doc_text
from toolkit.core.attribute import Lexicons, Options, attribute_dicts
from toolkit.core.cues import CueLexicon
from toolkit.core.speakers import MentionLexicon
from toolkit.core.stance import StanceLexicon
from toolkit.errors import QuotekitError
from toolkit.types import Quote, text_sha256  # text_sha256: one home, used here (and re-exported)

_QUOTES_KEY = ("quotekit", "quotes")
_WARNINGS_KEY = ("quotekit", "quote_warnings")
#: the article's date (``YYYY-MM-DD``), set before the component runs: ``doc._.article_date``
_DATE_KEY = ("quotekit", "article_date")


def _get_quotes(doc: Doc) -> list[Quote] | None:
    data = doc.user_data.get(_QUOTES_KEY)
    return None if data is None else [Quote.from_dict(d) for d in data]


def _set_quotes(doc: Doc, quotes: list[Quote] | None) -> None:
    # stored as plain dicts so that Doc.to_bytes (and nlp.pipe(n_process=N)) can serialise them
    doc.user_data[_QUOTES_KEY] = None if quotes is None else [q.to_dict() for q in quotes]


def _get_warnings(doc: Doc) -> list[str] | None:
    data = doc.user_data.get(_WARNINGS_KEY)
    return None if data is None else list(data)


def _set_warnings(doc: Doc, warnings: list[str] | None) -> None:
    doc.user_data[_WARNINGS_KEY] = None if warnings is None else list(warnings)


if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", getter=_get_quotes, setter=_set_quotes)
if not Doc.has_extension("quote_warnings"):
    Doc.set_extension("quote_warnings", getter=_get_warnings, setter=_set_warnings)
if not Doc.has_extension("article_date"):
    # in user_data, so that it travels with the Doc to worker processes (Doc.to_bytes)
    Doc.set_extension("article_date", getter=lambda doc: doc.user_data.get(_DATE_KEY), setter=lambda doc, date: doc.user_data.__setitem__(_DATE_KEY, date))


def load_lexicons(configs: str | Path | None = None) -> Lexicons:
    """Read ``cues.yaml``, ``mentions.yaml`` and ``stance_signals.yaml`` from the configs dir."""
    d = Path(configs) if configs else configs_dir()
    return Lexicons(
        cues=CueLexicon.from_dict(load_lexicon_file(d, "cues.yaml"), source=d / "cues.yaml"),
        mentions=MentionLexicon.from_dict(load_lexicon_file(d, "mentions.yaml"), source=d / "mentions.yaml"),
        stance=StanceLexicon.from_dict(load_lexicon_file(d, "stance_signals.yaml"), source=d / "stance_signals.yaml"),
    )


#: where ``QuoteAttribution.to_disk`` puts its copy of the configs, under the component's directory
CONFIGS_SUBDIR = "configs"


def _config_files(d: Path) -> dict[str, bytes]:
    """The raw bytes of every ``*.yaml`` in the configs dir ``d``, by file name.

    Every one, not only the five the component reads today (speakers, stance, cues, mentions,
    stance_signals): a config file the rules start reading later is saved without a change here.
    """
    return {p.name: p.read_bytes() for p in sorted(d.glob("*.yaml")) if p.is_file()}


class QuoteAttribution:
    """Pipeline component: runs :func:`toolkit.core.attribute.attribute` on each Doc.

    Its data (the speaker registry, the stance scheme and the cue, mention and stance-signal
    lexicons) is read from a configs dir by :meth:`initialize` and travels with the pipeline:
    ``nlp.to_disk`` writes a copy of the config files, ``spacy.load`` (``from_disk``) and
    ``from_bytes`` read that copy back through the same loaders (:mod:`toolkit.config`,
    :func:`load_lexicons`), so a saved pipeline gives the same quotes on any machine, whatever
    ``QUOTEKIT_CONFIGS`` says there. A component never initialised reads the configs on its
    first Doc (or when saved).

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> _ = nlp.add_pipe("sentencizer")  # the rules need sentences: a sentencizer, senter or parser
    >>> qa = nlp.add_pipe("quote_attribution")
    >>> qa.is_initialized, [q.speaker for q in nlp("“We will not allow it,” Hun Sen said.")._.quotes]
    (False, ['Hun Sen'])
    >>> qa.is_initialized
    True
    """

    def __init__(
        self,
        nlp: Language,
        name: str = "quote_attribution",
        *,
        configs: str | None = None,
        min_direct_words: int = 4,
        fuzzy_threshold: float = 85.0,
        unattributed: bool = False,
    ):
        self.name = name
        self.configs = configs
        self.options = Options(min_direct_words=min_direct_words, fuzzy_threshold=fuzzy_threshold, unattributed=unattributed)
        self.registry: Registry | None = None
        self.stance: StanceScheme | None = None
        self.lexicons: Lexicons | None = None
        self.config_files: dict[str, bytes] = {}  # file name -> the bytes the data was parsed from
        self.source: Path | None = None  # the dir they were read from (a configs dir, or a saved pipeline's copy)

    @property
    def is_initialized(self) -> bool:
        return self.lexicons is not None

    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, *, nlp: Language | None = None, configs: str | None = None) -> None:
        """Read the configs: ``configs`` (e.g. from ``[initialize.components.quote_attribution]``),
        else the factory's ``configs``, else :func:`toolkit.config.configs_dir` (``QUOTEKIT_CONFIGS``,
        ``./configs``, the project's). Replaces any data loaded before; ``get_examples`` is unused."""
        where = configs or self.configs
        d = Path(where) if where else configs_dir()
        self._load(d)

    def _load(self, d: Path, files: dict[str, bytes] | None = None) -> None:
        """Parse the configs of ``d`` with the public loaders and keep the files' bytes (``files``:
        those bytes, already read). Nothing changes when a file is missing or invalid."""
        registry = load_registry(d / "speakers.yaml")
        stance = load_stance(d / "stance.yaml")
        lexicons = load_lexicons(d)
        if files is None:
            files = _config_files(d)
        self.registry, self.stance, self.lexicons, self.config_files, self.source = registry, stance, lexicons, files, d

    def _ensure_initialized(self) -> None:
        if self.lexicons is None:
            self.initialize()

    def __call__(self, doc: Doc) -> Doc:
        if self.lexicons is None:  # never initialised: read the configs now, as on the first call
            self.initialize()
        warnings: list[str] = []
        try:
            # the dicts go straight to user_data (what ``doc._.quotes`` reads): no Quote objects
            # ``doc._.article_date`` (a record's ``date``): the speaker's registry side on that date
            doc.user_data[_QUOTES_KEY] = attribute_dicts(doc, self.registry, self.stance, self.lexicons, self.options, warnings, doc.user_data.get(_DATE_KEY))
        finally:
            forget_doc_text(doc)
        doc.user_data[_WARNINGS_KEY] = warnings
        return doc

    # -- serialisation: the config files the data was parsed from, parsed again on load

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> None:
        """Write the config files to ``path/configs/`` (reading the configs first if need be)."""
        self._ensure_initialized()
        d = Path(path) / CONFIGS_SUBDIR
        d.mkdir(parents=True, exist_ok=True)
        for old in d.glob("*.yaml"):
            if old.name not in self.config_files:
                old.unlink()
        for fname, data in self.config_files.items():
            (d / fname).write_bytes(data)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> "QuoteAttribution":
        """Read the data saved by :meth:`to_disk` under ``path``. A directory without it (a
        pipeline saved by a quotekit older than this) leaves the component uninitialised, with
        a warning: it then reads this machine's configs."""
        d = Path(path) / CONFIGS_SUBDIR
        if not d.is_dir():
            warn(
                f"{path}: the quote_attribution component was saved without its configs (an older quotekit); "
                "it uses this machine's configs: save the pipeline again to keep them with it",
                stacklevel=2,
            )
            return self
        self._load(d)
        return self

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        """The config files as bytes (reading the configs first if need be)."""
        import srsly
        from spacy import util

        self._ensure_initialized()
        return util.to_bytes({"configs": lambda: srsly.msgpack_dumps(self.config_files)}, exclude)

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = tuple()) -> "QuoteAttribution":
        """Restore the data of :meth:`to_bytes`: the files are written to a temporary directory and
        parsed from there by the same loaders as :meth:`from_disk`."""
        import srsly
        from spacy import util

        def load(b: bytes) -> None:
            files = srsly.msgpack_loads(b)
            with tempfile.TemporaryDirectory(prefix="quote_attribution-configs-") as tmp:
                for fname, data in files.items():
                    (Path(tmp) / Path(fname).name).write_bytes(data)
                self._load(Path(tmp), dict(files))
            self.source = None  # the temporary directory is gone

        util.from_bytes(bytes_data, {"configs": load}, exclude)
        return self


@Language.factory(
    "quote_attribution",
    requires=["doc.sents"],
    assigns=["doc._.quotes", "doc._.quote_warnings"],
    default_config={"configs": None, "min_direct_words": 4, "fuzzy_threshold": 85.0, "unattributed": False},
)
def make_quote_attribution(nlp: Language, name: str, configs: str | None, min_direct_words: int, fuzzy_threshold: float, unattributed: bool) -> QuoteAttribution:
    """Factory of the ``quote_attribution`` component (``configs``: a configs dir, default
    ``QUOTEKIT_CONFIGS`` or the project's; read by ``initialize``, or on the first Doc)."""
    return QuoteAttribution(nlp, name, configs=configs, min_direct_words=min_direct_words, fuzzy_threshold=fuzzy_threshold, unattributed=unattributed)


def quote_component(nlp: Language) -> QuoteAttribution | None:
    """The pipeline's ``quote_attribution`` component (whatever its name), or ``None``."""
    for name, proc in nlp.pipeline:
        if isinstance(proc, QuoteAttribution):
            return proc
    return None


RESULTS_ONLY = "quote_results_only"

_EMPTY_DOC_BYTES: bytes | None = None


class _ResultsDoc(Doc):
    """An empty Doc whose ``to_bytes`` is computed once per process (what spaCy's worker calls
    on every Doc it sends back; the results travel in ``_context``)."""

    def to_bytes(self, *, exclude=tuple()):
        global _EMPTY_DOC_BYTES
        if exclude:
            return Doc.to_bytes(self, exclude=exclude)
        if _EMPTY_DOC_BYTES is None:
            _EMPTY_DOC_BYTES = Doc.to_bytes(self)
        return _EMPTY_DOC_BYTES


@Language.component(RESULTS_ONLY)
def quote_results_only(doc: Doc) -> Doc:
    """Last step of a multi-process run: a token-less Doc carrying only the quote results.

    spaCy's worker processes send every Doc back to the main process as ``Doc.to_bytes()``; for
    the blank pipeline, serialising and rebuilding the tokens costs about as much as making
    them, so ``--jobs 2`` was slower than one process. Only ``user_data`` (the quotes and
    warnings, plain dicts) has to travel.
    """
    small = _ResultsDoc(doc.vocab, words=[])
    # The results ride in ``_context``, which spaCy sends back pickled beside the Doc's bytes:
    # in user_data they would cost two more msgpack calls per Doc on each side (srsly looks its
    # plugins up on every call, ~0.4 ms each).
    small._context = (doc._context, doc.user_data.get(_QUOTES_KEY), doc.user_data.get(_WARNINGS_KEY))
    return small


@contextmanager
def _msgpack_hooks_looked_up_once():
    """For the length of a multi-process run, srsly's msgpack plugin lookup is done once.

    srsly asks catalogue for its msgpack encoders/decoders on every ``packb``/``unpackb``, and
    catalogue rescans every installed package's entry points each time (~0.4 ms); spaCy's
    multiprocessing unpacks one Doc per article in the main process, so that lookup was the
    main process's largest cost. The hooks are the same objects; nothing registers new ones
    during a run. The registries are restored afterwards.
    """
    try:
        from srsly import msgpack as srsly_msgpack

        registries = [srsly_msgpack.msgpack_encoders, srsly_msgpack.msgpack_decoders]
        found = [reg.get_all() for reg in registries]
    except Exception:  # another srsly layout: run without the shortcut
        yield
        return
    saved = [reg.__dict__.get("get_all") for reg in registries]
    for reg, hooks in zip(registries, found):
        reg.get_all = lambda hooks=hooks: dict(hooks)  # shadows the method on this instance
    try:
        yield
    finally:
        for reg, old in zip(registries, saved):
            if old is None:
                reg.__dict__.pop("get_all", None)
            else:
                reg.get_all = old


def _sentence_end_chars() -> list[str]:
    from spacy.pipeline import Sentencizer

    # spaCy's defaults plus sentence ends of scripts it lacks: Khmer khan and bariyoosan (។ ៕),
    # Tibetan shad (། ༎), Myanmar full stop (။), when they stand as their own token
    extra = ["។", "៕", "།", "༎", "။"]
    return list(Sentencizer.default_punct_chars) + [c for c in extra if c not in Sentencizer.default_punct_chars]


SENTENCE_END_CHARS = _sentence_end_chars()


def load_pipeline(model: str | None = None, config: dict[str, Any] | None = None, *, component: bytes | None = None) -> Language:
    """``None``/``"blank"`` -> blank English + sentencizer; else ``spacy.load(model)``; + the component,
    initialised (its configs read) here, so that a config error shows before any article and
    worker processes start with the data loaded.

    A pipeline saved with the component (``nlp.to_disk``) keeps its own: its saved configs are
    used, not this machine's (``config`` cannot change it then). ``component``: the bytes of a
    component's ``to_bytes()`` to use instead of reading configs here (how :mod:`toolkit.scale`
    sends the driver's configs to its workers). Only the component's own ``initialize`` is
    called, never ``nlp.initialize()``, which would reset a trained pipeline's weights.
    """
    import spacy

    if model in (None, "", "blank"):
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer", config={"punct_chars": SENTENCE_END_CHARS})
        nlp.max_length = 50_000_000  # no parser: the rules are linear in the text length
    else:
        try:
            nlp = spacy.load(model)
        except OSError as exc:
            raise QuotekitError(
                f"spaCy pipeline {model!r} is not installed ({str(exc).splitlines()[0][:120]}). "
                f"Install it with `python -m spacy download {model}` (or `pip install` its package), "
                "or use --model blank"
            ) from None
        if "parser" not in nlp.pipe_names and "senter" not in nlp.pipe_names and "sentencizer" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer", first=True, config={"punct_chars": SENTENCE_END_CHARS})
    qa = quote_component(nlp)
    if qa is None:
        qa = nlp.add_pipe("quote_attribution", config=config or {})
    elif config:
        raise QuotekitError(f"spaCy pipeline {model!r} already has its quote_attribution component (saved with its configs): load it without a component config")
    if component is not None:
        qa.from_bytes(component)
    elif not qa.is_initialized:
        qa.initialize(lambda: [], nlp=nlp)
    return nlp


class _DatedText(str):
    """An article's text carrying its date, as sent to worker processes (a plain string for
    spaCy, pickled with its ``date``): the workers tokenise it, no Doc is made and shipped here."""

    def __new__(cls, text: str, date: str):
        self = super().__new__(cls, text)
        self.date = date
        return self

    def __reduce__(self):
        return (_DatedText, (str(self), self.date))


class _DateReadingTokenizer:
    """The pipeline's tokenizer, which puts a :class:`_DatedText`'s date on the Doc it makes
    (``doc._.article_date``); used only for the length of a multi-process run."""

    def __init__(self, tokenizer: Callable[[str], Doc]):
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        if not isinstance(text, _DatedText):
            return self.tokenizer(text)
        doc = self.tokenizer(str(text))  # spaCy's tokenizer takes an exact str
        doc.user_data[_DATE_KEY] = text.date
        return doc


_ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?(?!\d)")


def article_date(value: object) -> str | None:
    """A record's ``date`` as the registry compares it (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``,
    what ingest writes), else ``None``: another spelling would compare wrongly with the
    registry's periods, so it reads the plain affiliation.

    >>> article_date("2018-07-01"), article_date("2018-07-01T09:30:00Z"), article_date("1 July 2018"), article_date(None)
    ('2018-07-01', '2018-07-01', None, None)
    """
    if not isinstance(value, str):
        return None
    m = _ISO_DATE.match(value.strip())
    return m.group(0) if m else None


def preannotate_records(records: Iterable[dict], model: str | None = None, jobs: int = 1, nlp: Language | None = None, batch_size: int = 16) -> Iterator[dict]:
    """Pre-annotate article records ``{article_id, text}`` (and ``date``, ``YYYY-MM-DD``, when
    known: the speakers' registry sides on that date, ``doc._.article_date``), yielding results in input order:
    ``{article_id, quotes, warnings, text_sha256}`` (the hash of the text the offsets refer to,
    so that a prediction is never applied to another version of the article).

    A record without a string ``text`` yields ``{"article_id", "error"}`` and the rest go on.
    """
    if nlp is None:
        nlp = load_pipeline(model)
    multi = jobs > 1
    ids: dict[int, tuple[object, str]] = {}  # index -> (article_id, text_sha256) of records in flight (no texts kept)
    order: deque[int] = deque()  # indexes of the records sent, in order (nlp.pipe keeps the order)
    results: dict[int, dict] = {}

    def good_records() -> Iterator[str | Doc]:
        for i, rec in enumerate(records):
            if not isinstance(rec, dict):
                results[i] = {"article_id": None, "error": f"record is a {type(rec).__name__}, not an object"}
                continue
            aid = rec.get("article_id")
            text = rec.get("text")
            if not isinstance(text, str):
                what = "missing 'text'" if text is None else f"'text' is a {type(text).__name__}, not a string"
                results[i] = {"article_id": aid, "error": what}
                continue
            ids[i] = (aid, text_sha256(text))
            order.append(i)
            date = article_date(rec.get("date"))
            if multi:
                # plain strings: the workers tokenise. (``as_tuples=True`` would make every Doc
                # here and ship it to the workers as bytes, which made --jobs 2 slower than 1.)
                # A date rides on the string (_DatedText), read by the workers' tokenizer.
                yield _DatedText(text, date) if date else text
            else:
                # tokenised here so the component gets the original string with the Doc
                # (spaCy rebuilds doc.text from every token otherwise)
                doc = nlp.make_doc(text)
                remember_doc_text(doc, text)
                if date:
                    doc.user_data[_DATE_KEY] = date  # the speakers' sides on that date
                yield doc

    next_out = 0
    added = multi and RESULTS_ONLY not in nlp.pipe_names
    if added:
        nlp.add_pipe(RESULTS_ONLY, last=True)  # workers send back results, not tokens
    tokenizer = nlp.tokenizer
    if multi:
        nlp.tokenizer = _DateReadingTokenizer(tokenizer)  # the workers' copy puts a _DatedText's date on its Doc
    try:
        with _msgpack_hooks_looked_up_once() if multi else nullcontext():
            for doc in nlp.pipe(good_records(), n_process=max(1, jobs), batch_size=batch_size):
                i = order.popleft()
                if multi:  # from quote_results_only
                    _, quotes, warnings = doc._context
                else:  # the component stores plain dicts: no Quote objects here
                    quotes, warnings = doc.user_data.get(_QUOTES_KEY), doc.user_data.get(_WARNINGS_KEY)
                aid, sha = ids.pop(i)
                results[i] = {"article_id": aid, "quotes": quotes or [], "warnings": list(warnings or ()), "text_sha256": sha}
                while next_out in results:
                    yield results.pop(next_out)
                    next_out += 1
    finally:
        nlp.tokenizer = tokenizer
        if added:
            nlp.remove_pipe(RESULTS_ONLY)
    while next_out in results:
        yield results.pop(next_out)
        next_out += 1
