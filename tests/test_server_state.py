"""The state files of quotekit's servers (Label Studio's server.json, the ML backend's backend.json)
and stopping what they record (toolkit.labelstudio.server.stop_recorded), on real processes: no
Label Studio needed."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys

import pytest

from toolkit.errors import ServerError
from toolkit.labelstudio.server import pid_alive, remove_state, stop_recorded, write_state

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
#: a process that ignores SIGTERM (as a server stuck in its shutdown would)
STUBBORN = [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(120)"]


@contextlib.contextmanager
def _running(cmd, **popen):
    """A process of ours for the test, killed and reaped at the end whatever happened."""
    proc = subprocess.Popen(cmd, **popen)
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def _state(tmp_path, proc) -> "Path":
    path = tmp_path / "x.json"
    write_state(path, "http://127.0.0.1:1", 1, proc.pid)
    assert json.loads(path.read_text()) == {"url": "http://127.0.0.1:1", "port": 1, "pid": proc.pid}
    return path


@pytest.mark.parametrize("detached", [True, False], ids=["own-group", "foreground"])
def test_stop_recorded_ends_the_process_and_removes_its_file(tmp_path, detached):
    with _running(SLEEPER, start_new_session=detached) as proc:
        path = _state(tmp_path, proc)
        assert stop_recorded(path, proc.pid, "the test server") is True
        assert not pid_alive(proc.pid) and not path.exists()


def test_nothing_alive_or_not_ours_removes_a_stale_file_and_stops_nothing(tmp_path):
    path = tmp_path / "x.json"
    write_state(path, "u", 1, 999_999)
    assert stop_recorded(path, None, "the test server") is False and not path.exists()
    with _running(SLEEPER, start_new_session=True) as proc:
        path = _state(tmp_path, proc)
        assert stop_recorded(path, proc.pid, "the test server", is_ours=lambda pid: False) is False
        assert pid_alive(proc.pid) and not path.exists()  # a reused pid is never signalled


def test_a_process_deaf_to_sigterm_is_killed_after_the_grace(tmp_path):
    with _running(STUBBORN, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout.readline().strip() == "ready"
        path = _state(tmp_path, proc)
        assert stop_recorded(path, proc.pid, "the test server", grace=0.5) is True
        assert not pid_alive(proc.pid)


def test_remove_state_keeps_a_newer_servers_file(tmp_path):
    path = tmp_path / "x.json"
    write_state(path, "u", 1, 42)
    remove_state(path, 41)
    assert path.exists()
    remove_state(path, 42)
    assert not path.exists()
    remove_state(path, 42)  # already gone: nothing to do


def test_a_process_that_does_not_stop_is_a_one_line_error(tmp_path, monkeypatch):
    import toolkit.labelstudio.server as S

    with _running(SLEEPER, start_new_session=True) as proc:
        path = _state(tmp_path, proc)
        monkeypatch.setattr(S, "terminate_group", lambda pid, grace=15.0: False)  # a process no signal ends
        with pytest.raises(ServerError, match=rf"the test server \(pid {proc.pid}\) did not stop; kill it by hand"):
            stop_recorded(path, proc.pid, "the test server")
        assert path.exists()  # still recorded: it still runs
