"""One writer per project: ProjectLock (toolkit/labelstudio/push.py), no server needed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from toolkit.errors import ServerError
from toolkit.labelstudio.push import ProjectLock


def test_a_second_push_to_the_same_project_waits_then_gives_up_with_a_clear_message(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from toolkit.labelstudio.push import ProjectLock
            with ProjectLock("http://h:1", "busy", directory=Path({str(tmp_path)!r})):
                print("held", flush=True)
                time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        said: list[str] = []
        t0 = time.monotonic()
        with pytest.raises(ServerError) as exc:
            with ProjectLock("http://h:1", "busy", echo=said.append, wait=0.6, directory=tmp_path):
                pass
        assert time.monotonic() - t0 >= 0.6
        assert exc.value.exit_code == 3
        assert f"(pid {holder.pid})" in str(exc.value) and "still running" in str(exc.value)
        assert said == [f"Waiting for another push to project 'busy' (pid {holder.pid}) to finish..."]
        # another project of the same server is not blocked
        with ProjectLock("http://h:1", "other", wait=0, directory=tmp_path):
            pass
    finally:
        holder.kill()
        holder.wait()
    # the holder died without unlocking: the kernel released its lock
    with ProjectLock("http://h:1", "busy", wait=0, directory=tmp_path) as lock:
        assert lock.waited < 0.5


class _FlakyCreates:
    """A server whose first project create fails with a 5xx; ``arrived``: whether that create
    reached the database anyway (SQLite answered 'locked' after the write, or before it)."""

    retries, backoff = 3, 0.0

    def __init__(self, arrived: bool):
        self.arrived, self.projects, self.creates = arrived, [], 0

    def create_project(self, **fields):
        self.creates += 1
        if self.creates == 1:
            if self.arrived:
                self.projects.append({"id": 7, **fields})
            exc = ServerError("Label Studio refused to create the project (500): an HTML error page")
            exc.retryable = True
            raise exc
        self.projects.append({"id": 8 + len(self.projects), **fields})
        return self.projects[-1]

    def projects_titled(self, title):
        return [{"id": p["id"], "title": p["title"]} for p in self.projects if p["title"] == title]

    def get_project(self, pid):
        return next(p for p in self.projects if p["id"] == pid)


@pytest.mark.parametrize("arrived", [False, True])
def test_a_project_create_that_meets_a_server_fault_is_asked_about_then_tried_again(arrived):
    from toolkit.labelstudio.push import create_titled_project

    server = _FlakyCreates(arrived)
    project = create_titled_project(server, "under load", label_config="<View/>")
    assert project["title"] == "under load" and len(server.projects_titled("under load")) == 1
    assert server.creates == (1 if arrived else 2)  # a create that arrived is not sent again


def test_a_refused_project_create_is_not_tried_again():
    from toolkit.labelstudio.push import create_titled_project

    server = _FlakyCreates(False)
    server.create_project = lambda **f: (_ for _ in ()).throw(ServerError("Label Studio refused to create the project (403)"))
    with pytest.raises(ServerError, match="403"):
        create_titled_project(server, "t")
