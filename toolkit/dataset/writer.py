"""Parquet shards written in batches: ``data/<config>/<split>-00000-of-00001.parquet``.

Rows are buffered per (config, split) and flushed every ``batch_rows`` rows as one row group,
so memory stays bounded by the batch size, not by the corpus. Splits that receive no row get no
file (``datasets`` cannot load an empty split); the card lists only the non-empty ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit.labelstudio.export import ArticleRecord, QuoteRecord


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
        self.nbytes: dict[tuple[str, str], int] = {}  # Arrow in-memory size, as ``datasets`` counts it

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
        self.nbytes[key] = self.nbytes.get(key, 0) + table.nbytes
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

    def abort(self) -> None:
        for w in self._writers.values():
            try:
                w.close()
            except Exception:  # pragma: no cover - best effort on the error path
                pass
        self._writers.clear()


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
    """Records -> rows with ClassLabel names encoded as their indices."""

    def __init__(self, features: dict[str, Any]) -> None:
        q = features["quotes"]
        self.kind = q["kind"].str2int
        self.stance = q["stance"].str2int
        self.affiliation = q["affiliation"].str2int

    def quote(self, q: QuoteRecord) -> dict[str, Any]:
        return {
            "quote_id": q.quote_id,
            "start": q.start,
            "end": q.end,
            "text": q.text,
            "kind": self.kind(q.kind),
            "speaker": q.speaker,
            "speaker_start": q.speaker_start,
            "speaker_end": q.speaker_end,
            "cue_start": q.cue_start,
            "cue_end": q.cue_end,
            "stance": self.stance(q.stance),
            "affiliation": None if q.affiliation is None else self.affiliation(q.affiliation),
        }

    def article_row(self, a: ArticleRecord, quote_rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {"article_id": a.article_id, "title": a.title, "outlet": a.outlet, "date": a.date, "text": a.text, "quotes": quote_rows}

    def quote_row(self, a: ArticleRecord, q: QuoteRecord, encoded: dict[str, Any]) -> dict[str, Any]:
        context, cstart = context_of(a.text, q.start, q.end)
        row = dict(encoded)
        row.update({"article_id": a.article_id, "context": context, "context_start": cstart, "title": a.title, "outlet": a.outlet, "date": a.date})
        return row
