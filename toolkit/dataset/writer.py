"""Parquet shards written in batches: ``data/<config>/<split>-00000-of-00001.parquet``.

Rows are buffered per (config, split) and flushed every ``batch_rows`` rows as one row group,
so memory stays bounded by the batch size, not by the corpus. Splits that receive no row get no
file (``datasets`` cannot load an empty split); the card lists only the non-empty ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit.labelstudio.export import ArticleRecord, QuoteRecord
from toolkit.types import ARTICLE_DATASET_FIELDS, QUOTE_COLUMNS, QUOTE_DATASET_FIELDS, QUOTE_SCHEME_COLUMNS


def shard_path(config: str, split: str) -> str:
    return f"data/{config}/{split}-00000-of-00001.parquet"


def shard_glob(config: str, split: str) -> str:
    return f"data/{config}/{split}-*.parquet"


class ParquetSink:
    def __init__(self, root: Path, features: dict[str, Any], batch_rows: int = 512) -> None:
        self.root = Path(root)
        self.features = features
        self.schemas = {name: f.arrow_schema for name, f in features.items()}
        self.batch_rows = batch_rows
        self._buffers: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._writers: dict[tuple[str, str], Any] = {}
        self.rows: dict[tuple[str, str], int] = {}

    def add(self, config: str, split: str, row: dict[str, Any]) -> None:
        key = (config, split)
        buf = self._buffers.setdefault(key, [])
        buf.append(row)
        self.rows[key] = self.rows.get(key, 0) + 1
        if len(buf) >= self.batch_rows:
            self._flush(key)

    def _flush(self, key: tuple[str, str]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        buf = self._buffers.get(key)
        if not buf:
            return
        config, split = key
        schema = self.schemas[config]
        writer = self._writers.get(key)
        if writer is None:
            path = self.root / shard_path(config, split)
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = self._writers[key] = pq.ParquetWriter(str(path), schema)
        table = pa.Table.from_pylist(buf, schema=schema)
        writer.write_table(table)
        self._buffers[key] = []

    def close(self) -> dict[tuple[str, str], int]:
        try:
            for key in list(self._buffers):
                self._flush(key)
        finally:
            for w in self._writers.values():
                w.close()
            self._writers.clear()
        return dict(self.rows)

    def measured_nbytes(self) -> dict[tuple[str, str], int]:
        """Bytes per (config, split) as ``datasets`` counts them when it loads the shards: the
        Arrow size of each row group read back from the parquet file (call after :meth:`close`)."""
        import pyarrow.parquet as pq

        out = {}
        for config, split in self.rows:
            pf = pq.ParquetFile(self.root / shard_path(config, split))
            out[(config, split)] = sum(pf.read_row_group(i).combine_chunks().nbytes for i in range(pf.num_row_groups))
        return out

    def abort(self) -> None:
        for w in self._writers.values():
            try:
                w.close()
            except Exception:  # pragma: no cover - best effort on the error path
                pass
        self._writers.clear()


#: What ``quotekit build`` writes at the top of a dataset directory (``--force`` replaces only that).
BUILD_ENTRIES = frozenset({"README.md", "LICENSE.md", "CHANGELOG.md", "speaker_stance.png", "data"})
#: The last line of every card (see ``card.render_card``): with the layout, the mark of a quotekit build.
CARD_MARK = "Built by quotekit "


def previous_build_problem(path: Path) -> str | None:
    """``None`` when ``path`` looks like a directory written by ``quotekit build`` (only the card,
    the chart and ``data/<config>/*.parquet``, and a card with quotekit's front matter and mark);
    else why not (for the error message)."""
    from toolkit.dataset.features import CONFIGS

    path = Path(path)
    extra = sorted(p.name for p in path.iterdir() if p.name not in BUILD_ENTRIES)
    if extra:
        return f"it holds {', '.join(extra[:3])}{' ...' if len(extra) > 3 else ''}, which quotekit build does not write"
    card = path / "README.md"
    try:
        text = card.read_text(encoding="utf-8") if card.is_file() else ""
    except (OSError, UnicodeDecodeError):
        text = ""
    if not (text.startswith("---\n") and "\nconfigs:" in text.split("\n---\n", 1)[0]):
        return "no dataset card written by quotekit (README.md)"
    if not text.rstrip().rsplit("\n", 1)[-1].startswith(CARD_MARK):
        return f"its README.md does not end with the line quotekit writes ({CARD_MARK.strip()} ...): edited by hand? move it away first"
    data = path / "data"
    if not data.is_dir():
        return "no data/ directory"
    for sub in data.iterdir():
        if sub.name not in CONFIGS or not sub.is_dir():
            return f"data/{sub.name} is not a quotekit config"
        odd = [f.name for f in sub.iterdir() if not (f.is_file() and f.name.endswith(".parquet"))]
        if odd:
            return f"data/{sub.name}/{odd[0]} is not a parquet shard"
    return None


def context_of(text: str, start: int, end: int) -> tuple[str, int]:
    """The line(s) of ``text`` containing ``text[start:end]`` and their offset.

    >>> context_of("a\\nHe said it.\\nb", 5, 9)
    ('He said it.', 2)
    """
    cs = text.rfind("\n", 0, start) + 1
    ce = text.find("\n", end)
    if ce < 0:
        ce = len(text)
    return text[cs:ce], cs


class RowEncoder:
    """Records -> rows with ClassLabel names encoded as their indices; ``scheme`` gives the value of
    each :data:`toolkit.types.QUOTE_SCHEME_COLUMNS` column (e.g. ``{"target": "government"}``)."""

    def __init__(self, features: dict[str, Any], scheme: dict[str, Any] | None = None) -> None:
        q = features["quotes"]
        self.encoders = {name: q[name].str2int for name, dtype in QUOTE_DATASET_FIELDS if dtype == "label"}
        self.affiliation = q["affiliation"].str2int
        scheme = scheme or {}
        missing = [c.name for c in QUOTE_SCHEME_COLUMNS if c.name not in scheme]
        if missing:
            raise ValueError(f"RowEncoder needs a value for the scheme column(s) {', '.join(missing)}")
        self.scheme = {c.name: scheme[c.name] for c in QUOTE_SCHEME_COLUMNS}

    def quote(self, q: QuoteRecord) -> dict[str, Any]:
        """The quote's dataset columns (:data:`toolkit.types.QUOTE_COLUMNS`, labels as indices)."""
        row: dict[str, Any] = {"quote_id": q.quote_id}
        for name, dtype in QUOTE_COLUMNS:
            value = self.scheme[name] if name in self.scheme else getattr(q, name)
            row[name] = self.encoders[name](value) if dtype == "label" and value is not None else value
        row["affiliation"] = None if q.affiliation is None else self.affiliation(q.affiliation)
        return row

    def article_row(self, a: ArticleRecord, quote_rows: list[dict[str, Any]]) -> dict[str, Any]:
        row = {name: getattr(a, name) for name, _ in ARTICLE_DATASET_FIELDS}
        row["quotes"] = quote_rows
        return row

    def quote_row(self, a: ArticleRecord, q: QuoteRecord, encoded: dict[str, Any]) -> dict[str, Any]:
        context, cstart = context_of(a.text, q.start, q.end)
        row = dict(encoded)
        row.update({"article_id": a.article_id, "context": context, "context_start": cstart, "title": a.title, "outlet": a.outlet, "date": a.date})
        return row
