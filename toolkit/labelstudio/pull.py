"""``quotekit ls pull``: a snapshot export of the annotated tasks, written to a NEW file.

The snapshot (``POST /api/projects/<id>/exports`` with ``task_filter_options={"annotated":
"only"}``) holds every annotated task with its full annotations (relations included: no
converter runs) and its predictions. The file is written atomically (temporary file in the same
directory, then linked into place) and an existing file is never overwritten: exports are raw
annotations, and raw annotations are never edited.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from toolkit.errors import BadInputError, ServerError
from toolkit.io import refuse_existing

Echo = Callable[[str], None]
EXPORT_TIMEOUT = 600.0


@dataclass
class PullResult:
    path: Path
    tasks: int
    annotations: int
    project_id: int
    seconds: float

    def summary(self) -> str:
        return (f"Wrote {self.path}: {self.tasks} annotated tasks, {self.annotations} annotations "
                f"(project id {self.project_id}, {self.seconds:.1f} s).")


def write_new_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; fail if ``path`` exists (even if it appeared meanwhile)."""
    from toolkit.io import atomic_open

    with atomic_open(path, binary=True, exclusive=True) as fh:
        fh.write(data)


def pull_export(client, project_title: str, output: Path, echo: Echo = print,
                timeout: float = EXPORT_TIMEOUT) -> PullResult:
    t0 = time.monotonic()
    output = Path(output)
    refuse_existing(output)  # before asking the server for anything
    project = client.find_project(project_title)
    if project is None:
        raise BadInputError(f"no Label Studio project titled {project_title!r} at {client.url}")
    pid = project["id"]
    export = client.create_export(pid, title=f"quotekit pull {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}")
    eid = export["id"]
    deadline = time.monotonic() + timeout
    while export.get("status") not in ("completed", "failed"):
        if time.monotonic() > deadline:
            raise ServerError(f"the export snapshot {eid} of project {project_title!r} was not ready after {timeout:.0f} s")
        time.sleep(0.5)
        export = client.get_export(pid, eid)
    if export["status"] == "failed":
        raise ServerError(f"Label Studio failed to build export snapshot {eid} of project {project_title!r}; see the server log")
    raw = client.download_export(pid, eid)
    try:
        tasks = json.loads(raw)
    except ValueError:
        raise ServerError(f"export snapshot {eid} is not JSON ({len(raw)} bytes)") from None
    if not isinstance(tasks, list):
        raise ServerError(f"export snapshot {eid} is not a list of tasks")
    annotations = sum(len(t.get("annotations") or []) for t in tasks)
    data = (json.dumps(tasks, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    write_new_file(output, data)
    return PullResult(output, len(tasks), annotations, pid, time.monotonic() - t0)
