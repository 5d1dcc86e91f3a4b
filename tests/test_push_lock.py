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
