"""What changed since a previous build: articles and quotes added, removed and changed (by field),
with their ids, for ``quotekit build --release VERSION [--previous DIR]``.

Both builds are read back from their parquet shards, one record batch at a time; per row only its
id and one short digest per compared field are kept (:func:`field_digests`), so memory grows by
about 300 bytes per row of the previous build, not with the texts. Rows are matched by
``article_id`` (articles) and ``quote_id`` (quotes). A quote id holds the quote's offsets
(``<article_id>:<start>-<end>``), so a quote whose boundaries moved is one removed and one added
quote; a changed quote is one whose kind, speaker, cue, stance, ... changed. ClassLabel columns
are compared by name (each build's own label names, from its parquet schema), so a reordered
label list is no change. Columns only one build has are listed (e.g. a new column), not compared.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from toolkit.errors import BadInputError

CHANGELOG_FILE = "CHANGELOG.md"
#: A release version: what a git tag on the Hub may be named (``v1.0``, ``2026-01``, ``1.2.0rc1``).
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$")
#: Columns compared per config (besides its id), in the order changes are named; ``split`` is the
#: shard a row is in. Derived columns (a quote's context, its article's title ...) are left out:
#: they change with the article, which is reported once.
COMPARED = {
    "articles": ("title", "outlet", "date", "text", "split"),
    "quotes": ("start", "end", "text", "kind", "speaker", "speaker_start", "speaker_end", "cue_start", "cue_end",
               "stance", "target", "affiliation", "split"),
}
ID_COLUMN = {"articles": "article_id", "quotes": "quote_id"}
DIGEST_BYTES = 8
#: Ids listed per kind of change in the card (CHANGELOG.md lists them all).
CARD_IDS = 20


def check_version(version: str) -> str:
    """``version`` if it can name a release (and its tag on the Hub), else :class:`BadInputError`.

    >>> check_version("v1.0")
    'v1.0'
    """
    if not isinstance(version, str) or not VERSION_RE.match(version) or version in ("main", "HEAD"):
        raise BadInputError(f"--release {version!r}: expected a version such as v1.0 (letters, digits, '.', '_', '+', '-'; "
                            "it becomes a tag on the Hub, so not 'main')")
    return version


def field_digests(values: tuple[Any, ...]) -> bytes:
    """One :data:`DIGEST_BYTES`-byte digest per value, concatenated (``None``, ``0`` and ``"0"`` differ).

    >>> len(field_digests(("a", None, 3))), field_digests((None,)) == field_digests(("None",))
    (24, False)
    """
    return b"".join(hashlib.blake2b(repr(v).encode("utf-8", "surrogatepass"), digest_size=DIGEST_BYTES).digest() for v in values)


def _shards(root: Path, config: str) -> list[tuple[str, Path]]:
    """``(split, path)`` of a build's shards of one config."""
    d = Path(root) / "data" / config
    if not d.is_dir():
        return []
    return [(p.name.split("-", 1)[0], p) for p in sorted(d.glob("*.parquet"))]


def columns_of(root: Path, config: str) -> list[str]:
    """The compared columns a build has for ``config`` (``split`` always)."""
    import pyarrow.parquet as pq

    names: set[str] = set()
    for _split, path in _shards(root, config):
        names.update(pq.ParquetFile(path).schema_arrow.names)
    return [c for c in COMPARED[config] if c in names or c == "split"]


def iter_rows(root: Path, config: str, columns: list[str], batch_rows: int = 2048) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """``(id, values of columns)`` of every row of a build's ``config``, streamed by record batch;
    ClassLabel indices are given as their names (the build's own names)."""
    import datasets
    import pyarrow.parquet as pq

    for split, path in _shards(root, config):
        pf = pq.ParquetFile(path)
        try:
            features = datasets.Features.from_arrow_schema(pf.schema_arrow)
        except Exception:  # a schema without datasets' metadata: compare the stored values
            features = {}
        stored = [c for c in columns if c != "split"]
        decode = {c: features[c].int2str for c in stored if isinstance(features.get(c), datasets.ClassLabel)}
        for batch in pf.iter_batches(batch_size=batch_rows, columns=[ID_COLUMN[config], *stored]):
            ids = batch.column(0).to_pylist()
            cols = []
            for c in columns:
                if c == "split":
                    cols.append([split] * len(ids))
                    continue
                vals = batch.column(stored.index(c) + 1).to_pylist()
                if c in decode:
                    vals = [None if v is None else decode[c](v) for v in vals]
                cols.append(vals)
            yield from zip(ids, zip(*cols))


@dataclass
class ConfigChanges:
    """Changes of one config: ids added and removed, ``changed`` id -> the fields that changed."""

    config: str
    before: int = 0
    after: int = 0
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    new_columns: list[str] = field(default_factory=list)
    dropped_columns: list[str] = field(default_factory=list)

    def by_field(self) -> dict[str, int]:
        """Changed rows per field, in :data:`COMPARED` order."""
        counts: dict[str, int] = {}
        for fields in self.changed.values():
            for f in fields:
                counts[f] = counts.get(f, 0) + 1
        return {f: counts[f] for f in COMPARED[self.config] if f in counts}

    def summary(self) -> str:
        by = ", ".join(f"{f} {n}" for f, n in self.by_field().items())
        return (f"{self.config}: {self.before} -> {self.after}; {len(self.added)} added, {len(self.removed)} removed, "
                f"{len(self.changed)} changed" + (f" ({by})" if by else ""))

    def to_dict(self) -> dict[str, Any]:
        return {"before": self.before, "after": self.after, "added": self.added, "removed": self.removed,
                "changed": {k: list(v) for k, v in self.changed.items()}, "changed_by_field": self.by_field(),
                "new_columns": self.new_columns, "dropped_columns": self.dropped_columns}


def compare_config(previous: Path, current: Path, config: str) -> ConfigChanges:
    """What changed in ``config`` from the build in ``previous`` to the build in ``current``."""
    before_cols, after_cols = columns_of(previous, config), columns_of(current, config)
    common = [c for c in after_cols if c in before_cols]
    out = ConfigChanges(config, new_columns=[c for c in after_cols if c not in before_cols],
                        dropped_columns=[c for c in before_cols if c not in after_cols])
    old: dict[str, bytes] = {}
    for rid, values in iter_rows(previous, config, common):
        old[rid] = field_digests(values)
    out.before = len(old)
    interned: dict[tuple[str, ...], tuple[str, ...]] = {}
    for rid, values in iter_rows(current, config, common):
        out.after += 1
        digest = field_digests(values)
        was = old.pop(rid, None)
        if was is None:
            out.added.append(rid)
        elif was != digest:
            k = DIGEST_BYTES
            fields = tuple(c for i, c in enumerate(common) if was[i * k:(i + 1) * k] != digest[i * k:(i + 1) * k])
            out.changed[rid] = interned.setdefault(fields, fields)
    out.removed = sorted(old, key=natural_key)
    out.added.sort(key=natural_key)
    out.changed = dict(sorted(out.changed.items(), key=lambda kv: natural_key(kv[0])))
    return out


def natural_key(rid: str) -> tuple:
    """Sort key reading digit runs as numbers, so quote ids follow their offsets.

    >>> sorted(["a:22-48", "a:122-143", "a:3-9"], key=natural_key)
    ['a:3-9', 'a:22-48', 'a:122-143']
    """
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", rid))


@dataclass
class Changelog:
    """One release's changes; ``first`` when there is no previous build to compare with."""

    version: str
    previous_version: str | None = None  # the previous build's release version, if it had one
    first: bool = True
    articles: ConfigChanges | None = None
    quotes: ConfigChanges | None = None
    history: str = ""  # the previous build's CHANGELOG.md sections (older releases)
    counts: dict[str, int] = field(default_factory=dict)  # first release: {"articles", "quotes"}

    def since(self) -> str:
        return f"since {self.previous_version}" if self.previous_version else "since the previous build (which had no release version)"

    def headline(self) -> str:
        """One line: "first release" or what changed."""
        if self.first:
            return f"{self.version}: first release ({self.counts.get('articles', 0)} articles, {self.counts.get('quotes', 0)} quotes)."
        return f"{self.version}, {self.since()}: " + "; ".join(c.summary() for c in (self.articles, self.quotes) if c is not None) + "."

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "previous_version": self.previous_version, "first_release": self.first,
                "articles": self.articles.to_dict() if self.articles else None, "quotes": self.quotes.to_dict() if self.quotes else None}

    def lines(self, limit: int | None = None) -> list[str]:
        """This release's changes as Markdown (without its heading); ``limit`` ids per list."""
        if self.first:
            return ["First release: no previous build to compare with "
                    f"({self.counts.get('articles', 0)} articles, {self.counts.get('quotes', 0)} quotes)."]
        L = [f"Changes {self.since()}, by `article_id` and `quote_id` (a quote whose boundaries moved has a new id: "
             "it is one removed and one added quote):", ""]
        for ch in (self.articles, self.quotes):
            if ch is None:
                continue
            L.append(f"- {ch.summary()}")
            if ch.new_columns:
                L.append(f"  - new column(s): {', '.join(f'`{c}`' for c in ch.new_columns)} (not compared)")
            if ch.dropped_columns:
                L.append(f"  - column(s) no longer present: {', '.join(f'`{c}`' for c in ch.dropped_columns)}")
        for ch in (self.articles, self.quotes):
            if ch is None:
                continue
            name = ch.config[:-1]
            for what, ids in (("added", ch.added), ("removed", ch.removed)):
                if ids:
                    L += ["", f"{name.capitalize()}s {what} ({len(ids)}): " + _ids(ids, limit)]
            if ch.changed:
                items = list(ch.changed.items())
                shown = items if limit is None else items[:limit]
                L += ["", f"{name.capitalize()}s changed ({len(items)}):", ""]
                L += [f"- `{rid}`: {', '.join(fields)}" for rid, fields in shown]
                if len(shown) < len(items):
                    L.append(f"- ... {len(items) - len(shown)} more (see {CHANGELOG_FILE})")
        return L

    def render_file(self) -> str:
        """``CHANGELOG.md``: this release, then the previous build's history."""
        L = ["# Changelog", "", f"## {self.version}", "", *self.lines(), ""]
        if self.history.strip():
            L += [self.history.strip(), ""]
        return "\n".join(L)


def _ids(ids: list[str], limit: int | None) -> str:
    shown = ids if limit is None else ids[:limit]
    more = f" ... {len(ids) - len(shown)} more (see {CHANGELOG_FILE})" if len(shown) < len(ids) else ""
    return ", ".join(f"`{i}`" for i in shown) + more


def previous_history(previous: Path) -> tuple[str | None, str]:
    """The previous build's release version (its CHANGELOG.md's first ``## `` heading) and its
    release sections (everything after the ``# Changelog`` title); ``(None, "")`` without a file."""
    path = Path(previous) / CHANGELOG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None, ""
    m = re.search(r"^## (\S+)", text, re.M)
    if not m:
        return None, ""
    return m.group(1), text[m.start():]


def check_previous(previous: str | Path) -> Path:
    """``previous`` as a Path if it is a directory written by ``quotekit build``, else :class:`BadInputError`."""
    from toolkit.dataset.writer import previous_build_problem

    p = Path(previous)
    if not p.is_dir():
        raise BadInputError(f"--previous {p}: not a directory; pass the directory of the previous quotekit build (its README.md and data/)")
    why = previous_build_problem(p)
    if why is not None:
        raise BadInputError(f"--previous {p}: not a quotekit build ({why}); pass the directory of the previous quotekit build")
    return p


def compute_changelog(version: str, current: Path, previous: Path | None, counts: dict[str, int]) -> Changelog:
    """The changelog of the build in ``current`` (release ``version``) against the build in ``previous``."""
    if previous is None:
        return Changelog(version=version, first=True, counts=dict(counts))
    prev_version, history = previous_history(previous)
    return Changelog(version=version, previous_version=prev_version, first=False,
                     articles=compare_config(previous, current, "articles"), quotes=compare_config(previous, current, "quotes"),
                     history=history, counts=dict(counts))


@dataclass
class Release:
    """What ``--release VERSION [--previous DIR]`` asks of a build; the build fills ``changelog``."""

    version: str
    previous: str | Path | None = None
    changelog: Changelog | None = None
