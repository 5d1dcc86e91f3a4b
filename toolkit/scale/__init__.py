"""Scale-out pre-annotation: the pre-annotator as a function over column batches, run on Ray Data.

Two layers, so the engine stays replaceable:

- :func:`annotate_batch` is engine-free: a batch of columns in (``{"article_id": [...],
  "text": [...], ...}``, lists or NumPy arrays), a batch of columns out, one row per input row
  and in the same order::

      {"article_id": [str], "quotes": [JSON text], "warnings": [JSON text], "error": [str],
       "text_sha256": [str]}

  ``error`` is ``""`` for an annotated article and says why otherwise (a null or non-string
  ``text``): such a row decodes to ``{"article_id", "error"}``, as ``quotekit preannotate``
  writes it, never to an article with no quotes.

  ``quotes``/``warnings`` hold exactly what :func:`toolkit.pipeline.preannotate_records` yields
  for the article, encoded as JSON text: one Arrow type (string) whatever the quotes contain, so
  blocks made by different workers always share a schema (Arrow would otherwise infer a struct
  type per block, and a field that is null in every row of one block gets another type there).
  The signature is what ``Dataset.map_batches`` (Ray) and ``mapInPandas``-style engines expect.

- :func:`annotate_dataset` / :func:`run` put it on Ray Data (the optional extra ``scale``:
  ``pip install 'quotekit[scale]'``): Ray's own scheduler runs it as tasks on every CPU of
  the cluster; each worker process loads the spaCy pipeline once. No scheduling of our own. ``python -m toolkit.scale``
  is the command line (see ``docs/scale.md``).

  The quote component's data (speaker registry, lexicons, stance scheme) is the driver's: read
  once where the job is started (its ``QUOTEKIT_CONFIGS``, or the copy saved with a pipeline)
  and sent to every worker as the component's bytes, so a worker never reads the configs of the
  machine it runs on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

#: Columns written by :func:`annotate_batch` (and by :func:`run`, decoded).
OUTPUT_COLUMNS = ("article_id", "quotes", "warnings", "error", "text_sha256")
#: Columns a batch must have.
INPUT_COLUMNS = ("article_id", "text")
DEFAULT_BATCH_SIZE = 64

_PIPELINES: dict[tuple[str | None, bytes | None], "Language"] = {}


def _pipeline(model: str | None, component: bytes | None = None) -> "Language":
    """One pipeline per process, model name and component data (a Ray worker, a Spark executor,
    a test). ``component``: the quote component's ``to_bytes()`` (``None``: read the configs here)."""
    key = (model, component)
    nlp = _PIPELINES.get(key)
    if nlp is None:
        from toolkit.pipeline import load_pipeline

        nlp = _PIPELINES[key] = load_pipeline(model, component=component)
    return nlp


def component_bytes(model: str | None = None) -> bytes:
    """The quote component's data as this process has it for ``model`` (its configs, or the copy
    saved with the pipeline): what :func:`annotate_dataset` sends to the workers."""
    from toolkit.pipeline import quote_component

    return quote_component(_pipeline(model)).to_bytes()


def _plain(value: Any) -> Any:
    """NumPy scalars (what Ray hands over) to Python values."""
    return value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value


def _jsonable(quote: Any) -> Any:
    """A quote as JSON-ready data (the pre-annotator may yield ``Quote`` objects or dicts)."""
    return quote.to_dict() if hasattr(quote, "to_dict") else quote


def _rows(batch: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    missing = [c for c in INPUT_COLUMNS if c not in batch]
    if missing:
        raise ValueError(
            f"batch has no column {missing[0]!r} (columns: {', '.join(batch) or 'none'}); "
            "pre-annotation needs article records with 'article_id' and 'text' (the output of `quotekit ingest`)"
        )
    keys = list(INPUT_COLUMNS)  # the pre-annotator reads nothing else; other columns are ignored
    columns = [list(batch[k]) for k in keys]
    n = len(columns[0]) if columns else 0
    if any(len(c) != n for c in columns):
        raise ValueError(f"batch columns have different lengths: {dict(zip(keys, map(len, columns)))}")
    rows = []
    for values in zip(*columns):
        row = {k: _plain(v) for k, v in zip(keys, values)}
        row["article_id"] = str(row["article_id"])
        # a null/non-string text stays as it is: the pre-annotator reports it as an error record
        rows.append(row)
    return rows


def annotate_batch(
    batch: Mapping[str, Sequence[Any]],
    *,
    model: str | None = None,
    nlp: "Language | None" = None,
    component: bytes | None = None,
) -> dict[str, list[str]]:
    """Pre-annotate a batch of article columns; one output row per input row, same order.

    ``model`` names the spaCy pipeline (``None``: the blank English one), loaded once per
    process; ``nlp`` passes a loaded pipeline instead. ``component``: the quote component's
    data (:func:`component_bytes`) to use instead of this machine's configs.

    >>> out = annotate_batch({"article_id": ["a1"], "text": ["“We will win,” Sam Rainsy said."]})
    >>> out["article_id"], json.loads(out["quotes"][0])[0]["text"]    # doctest: +SKIP
    (['a1'], 'We will win,')
    """
    from toolkit.pipeline import preannotate_records

    rows = _rows(batch)
    out: dict[str, list[str]] = {c: [] for c in OUTPUT_COLUMNS}
    if not rows:
        return out
    nlp = nlp if nlp is not None else _pipeline(model, component)
    results = list(preannotate_records(rows, nlp=nlp))
    if len(results) != len(rows):
        raise RuntimeError(f"pre-annotator returned {len(results)} results for {len(rows)} records")
    for row, res in zip(rows, results):
        if str(res.get("article_id")) != row["article_id"]:
            raise RuntimeError(f"pre-annotator results out of order: {res.get('article_id')!r} for {row['article_id']!r}")
        out["article_id"].append(row["article_id"])
        out["quotes"].append(json.dumps([_jsonable(q) for q in res.get("quotes") or []], ensure_ascii=False))
        out["warnings"].append(json.dumps(res.get("warnings") or [], ensure_ascii=False))
        out["error"].append(str(res["error"]) if "error" in res else "")
        out["text_sha256"].append(str(res.get("text_sha256") or ""))
    return out


def decode_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """An output row of :func:`annotate_batch` as ``quotekit preannotate`` writes it."""
    if row.get("error"):
        return {"article_id": str(row["article_id"]), "error": str(row["error"])}
    return {
        "article_id": str(row["article_id"]),
        "quotes": json.loads(row["quotes"]),
        "warnings": json.loads(row["warnings"]),
        "text_sha256": str(row["text_sha256"]),
    }


def _ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the install
        from toolkit.errors import BadInputError

        raise BadInputError(
            "Ray Data is not installed: install the scale extra with `pip install 'quotekit[scale]'`"
        ) from exc
    return ray


def annotate_dataset(ds, *, model: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE, component: bytes | None = None):
    """``ds`` (a Ray Dataset of article records) -> a Ray Dataset of pre-annotations (lazy).

    ``component``: the quote component's data every worker uses; by default this process's
    (:func:`component_bytes`: its configs, or the copy saved with the pipeline ``model``), read
    here, so the workers' machines' configs play no part.

    Ray runs :func:`annotate_batch` as stateless tasks (one CPU each), fused with the read:
    Ray reuses its worker processes, so each loads the pipeline once (``_pipeline``). Tasks,
    not an actor pool: actors would hold every CPU and starve the read tasks on a small
    machine (a deadlock on 2 cores), and a task that dies is simply retried.
    """
    if component is None:
        component = component_bytes(model)
    return ds.map_batches(
        annotate_batch,
        fn_kwargs={"model": model, "component": component},
        batch_size=batch_size,
        batch_format="numpy",
        num_cpus=1,
    )


def init(address: str | None = None, num_cpus: int | None = None, quiet: bool = True) -> None:
    """Connect to a Ray cluster (``address``, e.g. ``"auto"`` or ``"ray://head:10001"``), or start
    a local one with ``num_cpus`` CPUs when ``address`` is ``None``. No-op when already connected."""
    ray = _ray()
    if ray.is_initialized():
        return
    kwargs: dict[str, Any] = {"log_to_driver": not quiet}
    if address:  # connecting: the cluster's own settings apply
        kwargs["address"] = address
    else:
        kwargs["include_dashboard"] = False
        if num_cpus:
            kwargs["num_cpus"] = num_cpus
    ray.init(**kwargs)
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = not quiet


def run(
    inputs: str | Path | Iterable[str | Path],
    output: str | Path,
    *,
    model: str | None = None,
    address: str | None = None,
    num_cpus: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    quiet: bool = True,
) -> int:
    """Pre-annotate JSONL article files on Ray into one JSONL file; returns the articles written.

    ``inputs``: files or directories (local, or URIs every node can read, e.g. ``s3://...``).
    ``output`` gets the same lines as ``quotekit preannotate``, in input order: the results
    stream through the driver, which only writes them (a JSON line per article is cheap next
    to running spaCy on it). To keep the results in an object store instead, use
    :func:`annotate_dataset` and one of Ray's writers (see ``docs/scale.md``).
    """
    ray = _ray()
    init(address, num_cpus, quiet)
    paths = [str(inputs)] if isinstance(inputs, (str, Path)) else [str(p) for p in inputs]
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    ds = ray.data.read_json(paths, lines=True)
    result = annotate_dataset(ds, model=model, batch_size=batch_size)
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", encoding="utf-8") as fh:
        for row in result.iter_rows():
            fh.write(json.dumps(decode_row(row), ensure_ascii=False) + "\n")
            n += 1
    tmp.replace(out)
    return n
