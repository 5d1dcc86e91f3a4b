"""Label Studio exports -> a Hugging Face dataset directory, streamed and written atomically."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Sequence

from toolkit.dataset.agreement import AgreementAccumulator, AgreementReport
from toolkit.dataset.disagreements import AnnotationStatus
from toolkit.dataset.summary import BuildSummary  # noqa: F401  (re-exported)
from toolkit.dataset.splits import SPLITS, parse_ratios, split_of
from toolkit.io import default_dir_mode, resolve_output
from toolkit.errors import BadInputError, OutputError, QuotekitError
from toolkit.labelstudio.export import ExportReader, IssueLog, refuse_foreign_exports


class _RecordingLog(IssueLog):
    """An :class:`IssueLog` that also keeps every ``invalid_json`` message (one per unreadable file),
    whatever the cap on kept messages: the card and the summary name each file that was cut."""

    def __init__(self, strict: bool = False) -> None:
        super().__init__(strict=strict)
        self.input_problems: list[str] = []

    def add(self, reason: str, message: str) -> None:
        if reason == "invalid_json":
            self.input_problems.append(message)
        super().add(reason, message)


def _load_configs(registry: Any, stance: Any) -> tuple[Any, Any]:
    from toolkit.config import ConfigError, load_registry, load_stance

    try:
        if registry is None:
            registry = load_registry()
        if stance is None:
            stance = load_stance()
    except ConfigError as exc:
        raise BadInputError(str(exc)) from None
    return registry, stance


def _reader(export_paths: Iterable[str | Path], *, strict: bool, annotator: str | None, registry: Any, stance: Any) -> tuple[ExportReader, _RecordingLog]:
    issues = _RecordingLog(strict=strict)

    def affiliation(name: str, date: str | None = None) -> str | None:
        return registry.affiliation(name, date) if registry is not None else None

    reader = ExportReader(export_paths, issues=issues, stance_labels=stance.labels, annotator=annotator, canonical=registry.canonical if registry is not None else (lambda name: name), affiliation=affiliation)
    return reader, issues


def compute_agreement(export_paths: Sequence[str | Path], *, stance: Any = None, registry: Any = None,
                      allow_foreign: bool = False) -> AgreementReport:
    """Agreement over every task annotated by several people in the exports (nothing is written);
    an export of another labeling config is refused unless ``allow_foreign``."""
    if not allow_foreign:
        refuse_foreign_exports(export_paths)
    registry, stance = _load_configs(registry, stance)
    reader, issues = _reader(export_paths, strict=False, annotator=None, registry=registry, stance=stance)
    acc = AgreementAccumulator(stance.labels)
    for _ in reader.articles(on_multi=acc.add):
        pass
    report = acc.report()
    report.input_tasks = reader.info.tasks
    report.same_account_tasks = reader.info.same_account_tasks
    report.account_scopes = reader.info.account_scopes
    # files that could not be read to the end, and items that are not tasks: the figures miss them
    report.input_problems = list(issues.input_problems) + [m for r, m in issues.messages if r == "not_a_task"]
    return report


def _check_out_dir(out: Path, inputs: Sequence[Path], force: bool) -> None:
    from toolkit.dataset.writer import previous_build_problem

    root = out.resolve()
    cwd = Path.cwd().resolve()
    if root == cwd or root in cwd.parents:
        raise BadInputError(f"{out}: is the current directory or one above it, which the build would replace; pass a new subdirectory, e.g. -o dataset")
    for p in inputs:
        rp = p.resolve()
        if rp == root or root in rp.parents:
            raise BadInputError(f"{p}: input export is inside the output directory {out}; pick an output directory that does not contain the inputs")
    if out.exists() and not out.is_dir():
        raise BadInputError(f"{out}: exists and is not a directory; pick another output directory")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise BadInputError(f"{out}: directory is not empty; pass --force to replace a previous quotekit build, or pick another directory")
        why = previous_build_problem(out)
        if why is not None:
            raise BadInputError(f"{out}: not a previous quotekit build ({why}); --force replaces only a directory written by quotekit build: pick another output directory")


def validate_hub_repo_id(repo_id: str) -> None:
    """Raise :class:`BadInputError` for a repo id the Hub would refuse (checked before building)."""
    try:
        from huggingface_hub.utils import HFValidationError, validate_repo_id
    except ImportError:  # pragma: no cover - huggingface_hub is a dependency of datasets
        raise BadInputError("--push-to-hub needs huggingface_hub: pip install huggingface_hub") from None
    try:
        validate_repo_id(repo_id)
    except HFValidationError as exc:
        raise BadInputError(f"--push-to-hub {repo_id!r}: not a valid Hugging Face repo id ({str(exc).splitlines()[0]}); use owner/name, e.g. me/quotes") from None
    if "/" not in repo_id:
        raise BadInputError(f"--push-to-hub {repo_id!r}: expected owner/name (your user or organisation, then the dataset name), e.g. me/quotes")


def _read_notes(notes: str | Path) -> str:
    p = Path(notes)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInputError(f"{p}: notes file not found (--notes takes a Markdown file)") from None
    except IsADirectoryError:
        raise BadInputError(f"{p}: is a directory; --notes takes a Markdown file") from None
    except UnicodeDecodeError:
        raise BadInputError(f"{p}: notes file is not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise BadInputError(f"{p}: cannot read the notes file ({exc.strerror})") from None
    if not text.strip():
        raise BadInputError(f"{p}: notes file is empty; write how the labels were made, or drop --notes")
    return text


class _UsedVersions:
    """model_version -> tasks, counting only the tasks whose article is in the dataset: fed task by
    task (:meth:`add`), read once the dataset's article ids are known (:meth:`counts`)."""

    def __init__(self) -> None:
        self.versions: dict[tuple, set[str]] = {}
        self.article_of: dict[tuple, str] = {}

    def add(self, task: Any) -> None:
        from toolkit.labelstudio.export import task_identity

        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            return
        ident = task_identity(task)
        aid = task["data"].get("article_id")
        self.article_of.setdefault(ident, str(aid) if aid not in (None, "") else f"ls-task-{task.get('id')}")
        self.versions.setdefault(ident, set()).update(ExportReader._model_versions(task))

    def counts(self, built_ids: set[str]) -> Counter:
        out: Counter = Counter()
        for ident, vs in self.versions.items():
            if self.article_of[ident] in built_ids:
                out.update(vs)
        return out


class _AfterArticles:
    """Fed every task of the reader's second pass (``on_task``): the model_versions of the tasks in
    the dataset and the card's corrections figures (:func:`toolkit.corrections.card_figures`, None
    when those tasks carry no prediction), read once the dataset's article ids are known. Nothing
    is counted when no task has a prediction."""

    def __init__(self, info: Any, registry: Any, stance_labels: Sequence[str]) -> None:
        from toolkit.corrections import CorrectionsCounter

        self.info = info
        self.counter = CorrectionsCounter(registry=registry, stance_labels=stance_labels) if info.model_versions else None
        self.used = _UsedVersions()

    def add(self, task: dict[str, Any], path: Path) -> None:
        if self.counter is not None:
            self.counter.add_task(task, path)
            self.used.add(task)

    def result(self, built_ids: set[str], all_used: bool) -> tuple[Counter, dict[str, Any] | None]:
        """``all_used``: every task is in the dataset, so the first pass's versions are the answer."""
        from toolkit.corrections import card_figures

        if self.counter is None:
            return Counter(), None
        versions = Counter(self.info.model_versions) if all_used else self.used.counts(built_ids)
        return versions, (card_figures(self.counter.report) if versions else None)


def build_dataset(
    export_paths: Sequence[str | Path],
    out_dir: str | Path,
    *,
    splits: str | Sequence[float] = (0.8, 0.1, 0.1),
    strict: bool = False,
    annotator: str | None = None,
    registry: Any = None,
    stance: Any = None,
    force: bool = False,
    allow_foreign: bool = False,
    batch_rows: int = 512,
    chart: bool = True,
    hub_repo_id: str | None = None,
    notes: str | Path | None = None,
    release: Any = None,
) -> BuildSummary:
    """Build the dataset directory ``out_dir`` (parquet + README.md card + chart) from the exports.

    Raises :class:`~toolkit.errors.QuotekitError` subclasses only: ``BadInputError`` for unusable
    inputs or a non-empty ``out_dir`` without ``force``; ``ValidationFailed`` under ``strict``.
    ``out_dir`` is untouched on failure: everything is built in a sibling temporary directory
    that replaces it at the end. With ``force``, a non-empty ``out_dir`` is replaced only when it
    is a previous quotekit build. ``hub_repo_id`` is validated up front and only changes the
    card's loading example (publishing is :func:`push_to_hub`). ``notes`` is a Markdown file
    included verbatim in the card under "Provenance notes" (how the labels were made).
    ``release`` (a :class:`toolkit.dataset.changelog.Release`: version, optional previous build
    directory) writes the version and a changelog into the card and ``CHANGELOG.md``; the build
    sets ``release.changelog``. The previous build is read streaming, before ``out_dir`` is
    replaced, so it may be ``out_dir`` itself (with ``force``).
    """
    from toolkit import __version__
    from toolkit.dataset.card import CHART_FILE, LICENSE_FILE, render_card, render_licence
    from toolkit.dataset.chart import speaker_stance_chart
    from toolkit.dataset.features import build_features
    from toolkit.dataset.writer import ParquetSink, RowEncoder

    ratios = parse_ratios(splits)
    if hub_repo_id is not None:
        validate_hub_repo_id(hub_repo_id)
    notes_text = _read_notes(notes) if notes is not None else None
    previous = _check_release(release)
    out = resolve_output(Path(out_dir))  # -o LINK: the link's target directory is replaced, the link kept
    inputs = [Path(p) for p in export_paths]
    _check_out_dir(out, inputs, force)
    if not allow_foreign:  # an export of another labeling config would build into quote-free articles
        refuse_foreign_exports(inputs)
    registry, stance = _load_configs(registry, stance)
    reader, issues = _reader(inputs, strict=strict, annotator=annotator, registry=registry, stance=stance)
    features = build_features(stance.labels)
    encoder = RowEncoder(features, scheme={"target": stance.default_target})

    try:
        parent = out.absolute().parent
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
        os.chmod(tmp, default_dir_mode())  # mkdtemp makes 0700: the dataset is meant to be shared
    except OSError as exc:
        raise BadInputError(f"{out}: cannot create the output directory ({exc.strerror})") from None
    summary = BuildSummary(ratios=ratios, toolkit_version=__version__, hub_repo_id=hub_repo_id, annotator_filter=annotator,
                           stance_target=stance.target, provenance_notes=notes_text, provenance_notes_file=str(notes) if notes is not None else None)
    built_ids: set[str] = set()
    kept_from: Counter = Counter()  # input path -> annotations kept in the dataset
    sink = ParquetSink(tmp, features, batch_rows=batch_rows)
    acc = AgreementAccumulator(stance.labels)
    status = AnnotationStatus()  # adjudicated / agreed / disagreed / single-annotated articles
    try:
        info = reader.scan()
        after = _AfterArticles(info, registry, stance.labels)
        dmin: str | None = None
        dmax: str | None = None
        for art in reader.articles(on_multi=status.watch(acc.add), on_task=after.add):
            status.add(art)
            split = split_of(art.article_id, ratios)
            encoded = [encoder.quote(q) for q in art.quotes]
            sink.add("articles", split, encoder.article_row(art, encoded))
            for q, enc in zip(art.quotes, encoded):
                sink.add("quotes", split, encoder.quote_row(art, q, enc))
                summary.speakers[q.speaker] += 1
                summary.stance[q.stance] += 1
                summary.speaker_stance.setdefault(q.speaker, Counter())[q.stance] += 1
                if q.speaker_start is not None and q.start <= q.speaker_start and q.speaker_end <= q.end:
                    summary.quotes_with_speaker_inside += 1
                if q.cue_start is not None and q.start <= q.cue_start and q.cue_end <= q.end:
                    summary.quotes_with_cue_inside += 1
                if q.speaker is not None:
                    summary.speaker_affiliation[q.speaker] = q.affiliation or "other"
                    if registry is None or registry.get(q.speaker) is None:
                        summary.unregistered_speakers.add(q.speaker)
                        summary.unregistered_quotes += 1
            summary.articles += 1
            summary.quotes += len(art.quotes)
            if not art.quotes:
                summary.articles_no_quotes += 1
                summary.articles_judged_no_quotes += art.no_quotes_judged
            summary.outlets[art.outlet] += 1
            summary.accounts[art.annotator] += 1
            kept_from[art.source] += 1
            built_ids.add(art.article_id)
            if art.date:
                summary.dated_articles += 1
                dmin = art.date if dmin is None or art.date < dmin else dmin
                dmax = art.date if dmax is None or art.date > dmax else dmax
        split_rows = sink.close()
        if summary.articles == 0:
            reasons = ", ".join(f"{k} {v}" for k, v in issues.counts.most_common()) or "no task in the input"
            hint = ""
            if annotator and "@" in annotator and not info.emails_known:
                hint = " (completed_by holds user ids only in these exports: pass --annotator <numeric user id>, or export with annotations__completed_by expanded)"
            first = next((msg for reason, msg in issues.messages if reason != "not_annotated"), None)
            detail = f". First problem: {first}" if first else ""
            raise BadInputError(f"no article could be built from {', '.join(str(p) for p in inputs)} ({reasons}){hint}; nothing written{detail}")
        summary.stance = Counter({lab: summary.stance.get(lab, 0) for lab in stance.labels})
        summary.splits = {sp: {"articles": split_rows.get(("articles", sp), 0), "quotes": split_rows.get(("quotes", sp), 0)} for sp in SPLITS}
        summary.tasks = info.tasks
        status.fill(summary)
        summary.input_tasks_used = summary.articles
        summary.annotators = sorted(info.annotators)
        # predictions of the tasks in the dataset only (not of unannotated or filtered-out tasks), and what
        # annotators kept of the pre-annotation (the card's section), counted in the articles' pass
        used_versions, summary.corrections = after.result(built_ids, info.tasks == summary.articles and not annotator)
        summary.model_versions = dict(used_versions)
        summary.input_problems = list(issues.input_problems)
        summary.date_range = (dmin, dmax) if dmin and dmax else None
        summary.agreement = acc.report()
        summary.agreement.same_account_tasks = info.same_account_tasks
        summary.agreement.account_scopes = info.account_scopes
        summary.inputs = [{"file": label, "tasks": n, "kept": kept_from.get(f, 0)} for f, label, n in zip(info.files, info.file_labels, info.file_tasks)]
        summary.superseded = Counter(info.superseded)
        summary.account_scopes = info.account_scopes
        summary.same_account_tasks = info.same_account_tasks
        summary.skipped = Counter(issues.counts)
        summary.notes = Counter(issues.notes)
        summary.issues = list(issues.messages) + list(issues.note_messages)
        if chart and summary.quotes:
            summary.chart_path = speaker_stance_chart(summary.speaker_stance, stance.labels, tmp / CHART_FILE)
        if release is not None:
            from toolkit.dataset.changelog import CHANGELOG_FILE, compute_changelog

            release.changelog = compute_changelog(release.version, tmp, previous, {"articles": summary.articles, "quotes": summary.quotes})
            (tmp / CHANGELOG_FILE).write_text(release.changelog.render_file(), encoding="utf-8")
        (tmp / "README.md").write_text(render_card(features, summary, split_rows, sink.measured_nbytes(),
                                                   changelog=release.changelog if release is not None else None), encoding="utf-8")
        (tmp / LICENSE_FILE).write_text(render_licence(summary), encoding="utf-8")
        _replace_dir(tmp, out)
    except BaseException as exc:
        sink.abort()
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _output_error(out, exc) from None
        raise
    summary.out_dir = out
    summary.card_path = out / "README.md"
    summary.chart_path = out / CHART_FILE if summary.chart_path else None
    return summary


def _check_release(release: Any) -> Path | None:
    """Check ``--release``/``--previous`` before anything is built; the previous build's directory."""
    if release is None:
        return None
    from toolkit.dataset.changelog import check_previous, check_version, previous_history

    check_version(release.version)
    if release.previous is None:
        return None
    previous = check_previous(release.previous)
    prev_version, _ = previous_history(previous)
    if prev_version == release.version:
        raise BadInputError(f"--release {release.version}: the previous build ({previous}) is already {prev_version}; pick a new version")
    return previous


def _output_error(out: Path, exc: OSError) -> OutputError:
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError.from_os_error(out, exc)
    reason = exc.strerror or type(exc).__name__
    return OutputError(f"cannot write {out}: {reason}; check that {out.absolute().parent} is writable and {out} is not in use, "
                       "or choose another output (the previous output, if any, is unchanged)")


def _replace_dir(tmp: Path, out: Path) -> None:
    """Rename ``tmp`` to ``out``; an existing ``out`` is moved aside first and removed after."""
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.absolute().parent))
        os.rmdir(old)
        os.rename(out, old)
        try:
            os.rename(tmp, out)
        except OSError:
            os.rename(old, out)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(tmp, out)


NO_TOKEN = "no Hugging Face token: run `hf auth login` (older huggingface_hub: `huggingface-cli login`) or set HF_TOKEN"


def push_to_hub(out_dir: str | Path, repo_id: str, *, private: bool = False, token: str | None = None, release: str | None = None) -> str:
    """Publish a built dataset directory to the Hugging Face Hub (as a dataset repo); returns its URL.

    The repo id and the token (``token``, else ``huggingface_hub.get_token()``: ``HF_TOKEN`` or the
    stored login) are checked before any network call; without a token :class:`BadInputError`.
    With ``release``, the upload's commit is tagged ``release`` (``HfApi.create_tag``), so that
    ``load_dataset(repo_id, revision=release)`` loads exactly this build; a tag that already exists
    on the repo is refused before anything is uploaded.
    """
    import huggingface_hub
    from huggingface_hub import HfApi

    validate_hub_repo_id(repo_id)
    if release is not None:
        from toolkit.dataset.changelog import check_version

        check_version(release)
    token = token or huggingface_hub.get_token()
    if not token:
        raise BadInputError(f"{NO_TOKEN}, then push again (the build is in {out_dir})")
    try:
        api = HfApi(token=token)
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        if release is not None:
            tags = {t.name for t in api.list_repo_refs(repo_id, repo_type="dataset").tags}
            if release in tags:
                raise BadInputError(f"--release {release}: {repo_id} already has a tag {release}; nothing was uploaded. "
                                    f"Build again with a new --release, or delete the tag on the Hub first")
        commit = api.upload_folder(folder_path=str(out_dir), repo_id=repo_id, repo_type="dataset",
                                   commit_message=f"quotekit build {release}" if release else "quotekit build")
        if release is not None:
            api.create_tag(repo_id, tag=release, tag_message=f"quotekit build {release}", revision=getattr(commit, "oid", None), repo_type="dataset")
    except QuotekitError:
        raise
    except Exception as exc:  # network, auth, repo errors: one line for the user
        raise QuotekitError(f"push to the Hub failed for {repo_id}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", exit_code=3) from None
    return f"https://huggingface.co/datasets/{repo_id}"
