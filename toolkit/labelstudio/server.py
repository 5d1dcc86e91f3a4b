"""Run a local Label Studio server for quotekit: its own venv, its own data dir, loopback only.

Label Studio (``LS_VERSION``) pins old versions of many libraries, so it lives in a virtual
environment of its own (default ``.quotekit/ls-venv``; ``$QUOTEKIT_LS_VENV`` names another one),
installed from PyPI on first use. The server state lives in a data dir (default
``.quotekit/labelstudio``) that holds, besides Label Studio's SQLite database::

    admin-password   0600  the preset admin's password (generated once)
    api-token        0600  the admin's API token ($LABEL_STUDIO_API_KEY, else generated once)
    server.json            {"url", "port", "pid"} of the running server (removed on stop)
    server.log             the server's stdout + stderr

The child gets a *clean* environment: Label Studio reads unprefixed names (HOST, PORT, DEBUG,
USERNAME, PASSWORD, LOG_LEVEL ...) as settings, so nothing of the caller's environment leaks
in besides PATH, HOME, locale and temp-dir variables.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from toolkit.config import REPO_ROOT
from toolkit.errors import BadInputError, ServerError
from toolkit.labelstudio.masking import mask_url

LS_VERSION = "1.23.2"
ADMIN_USERNAME = "admin@quotekit.local"
DEFAULT_PORT = 8080
LOOPBACK = "127.0.0.1"
START_TIMEOUT = 300.0  # fresh data dir: ~40 s of migrations on 2 cores; slow disks need more

PASSWORD_FILE = "admin-password"
TOKEN_FILE = "api-token"
STATE_FILE = "server.json"
LOG_FILE = "server.log"
INSTALLED_MARKER = ".quotekit-ls-installed"

#: Caller environment variables the child may inherit (everything else is dropped).
_PASSTHROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TEMP", "TMP", "TZ", "SYSTEMROOT")

Echo = Callable[[str], None]


def state_root() -> Path:
    """``$QUOTEKIT_HOME``, else ``.quotekit`` in the repository (editable install) or the cwd."""
    env = os.environ.get("QUOTEKIT_HOME")
    if env:
        return Path(env)
    if (REPO_ROOT / "pyproject.toml").exists():
        return REPO_ROOT / ".quotekit"
    return Path.cwd() / ".quotekit"


def default_venv() -> Path:
    env = os.environ.get("QUOTEKIT_LS_VENV")
    return Path(env) if env else state_root() / "ls-venv"


def default_data_dir() -> Path:
    env = os.environ.get("QUOTEKIT_LS_DATA_DIR")
    return Path(env) if env else state_root() / "labelstudio"


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    return Path(data_dir).expanduser().resolve() if data_dir else default_data_dir().resolve()


# --------------------------------------------------------------------------- venv


def _venv_bin(venv_dir: Path, name: str) -> Path:
    sub = "Scripts" if os.name == "nt" else "bin"
    suffix = ".exe" if os.name == "nt" else ""
    return venv_dir / sub / f"{name}{suffix}"


def installed_version(venv_dir: Path) -> str | None:
    """The Label Studio version installed in ``venv_dir``, or None."""
    py = _venv_bin(venv_dir, "python")
    if not py.exists() or not _venv_bin(venv_dir, "label-studio").exists():
        return None
    proc = subprocess.run(
        [str(py), "-c", "import importlib.metadata as m; print(m.version('label-studio'))"],
        capture_output=True,
        text=True,
        env=_clean_env({}),
    )
    return proc.stdout.strip() or None if proc.returncode == 0 else None


def ensure_installed(venv_dir: Path | None = None, echo: Echo = print) -> Path:
    """Return the ``label-studio`` executable, installing ``label-studio==LS_VERSION`` if needed.

    A venv named by ``$QUOTEKIT_LS_VENV`` is used as it is when it holds Label Studio (a warning
    if the version differs); the default venv is (re)built when it is missing or half-installed.
    """
    explicit = venv_dir is not None or "QUOTEKIT_LS_VENV" in os.environ
    venv_dir = (venv_dir or default_venv()).expanduser().resolve()
    exe = _venv_bin(venv_dir, "label-studio")
    version = installed_version(venv_dir)
    if version is not None:
        if version != LS_VERSION:
            echo(f"Warning: {venv_dir} has Label Studio {version}; quotekit is tested with {LS_VERSION}.")
        if explicit or (venv_dir / INSTALLED_MARKER).exists() or version == LS_VERSION:
            return exe
    if not explicit and venv_dir.exists():
        shutil.rmtree(venv_dir)  # our own half-installed venv: start again
    echo(
        f"Installing Label Studio {LS_VERSION} into {venv_dir} (first use only; about 1 minute and 1 GB)..."
    )
    t0 = time.monotonic()
    try:
        if not _venv_bin(venv_dir, "python").exists():
            venv.EnvBuilder(with_pip=True, clear=False).create(venv_dir)
        py = str(_venv_bin(venv_dir, "python"))
        steps = [
            [py, "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
            [py, "-m", "pip", "install", "--progress-bar", "on", f"label-studio=={LS_VERSION}"],
        ]
        for cmd in steps:
            echo("  $ " + " ".join(Path(cmd[0]).name if i == 0 else c for i, c in enumerate(cmd)))
            # pip keeps the caller's environment (index URL, proxies, certificates)
            proc = subprocess.run(cmd, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
            if proc.returncode != 0:
                raise ServerError(
                    f"installing Label Studio {LS_VERSION} into {venv_dir} failed (pip exit {proc.returncode}); "
                    "check the network or point QUOTEKIT_LS_VENV at a venv that has it"
                )
    except OSError as exc:
        raise ServerError(f"cannot create the Label Studio venv at {venv_dir}: {exc}") from None
    (venv_dir / INSTALLED_MARKER).write_text(LS_VERSION + "\n")
    echo(f"Installed Label Studio {LS_VERSION} in {time.monotonic() - t0:.0f} s.")
    return exe


# --------------------------------------------------------------------------- secrets


def _write_secret(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    os.chmod(path, 0o600)


def _read_secret(path: Path) -> str | None:
    try:
        value = path.read_text().strip()
    except FileNotFoundError:
        return None
    return value or None


def read_token(data_dir: str | Path | None = None) -> str | None:
    """The API token stored in the data dir, or None."""
    return _read_secret(resolve_data_dir(data_dir) / TOKEN_FILE)


def _ensure_secrets(data_dir: Path, echo: Echo) -> tuple[str, str]:
    """(password, token) for the preset admin: read from the data dir or created once there."""
    pw_path, tok_path = data_dir / PASSWORD_FILE, data_dir / TOKEN_FILE
    password = _read_secret(pw_path)
    if password is None:
        password = secrets.token_urlsafe(18)
        _write_secret(pw_path, password)
    token = _read_secret(tok_path)
    env_token = os.environ.get("LABEL_STUDIO_API_KEY", "").strip()
    if token is None:
        if env_token and _database_exists(data_dir):
            raise ServerError(
                f"{data_dir} has a database but no {TOKEN_FILE}: Label Studio applies a token only when it "
                "creates the admin. Use a fresh --data-dir, or restore the token file"
            )
        if env_token and not (6 <= len(env_token) <= 40):
            raise BadInputError("LABEL_STUDIO_API_KEY must be 6 to 40 characters for a legacy Label Studio token")
        token = env_token or secrets.token_hex(20)  # 40 chars: the legacy token column's size
        _write_secret(tok_path, token)
    elif env_token and env_token != token:
        echo(
            f"Warning: LABEL_STUDIO_API_KEY differs from the token this data dir was created with; "
            f"the server accepts the one in {tok_path} (see `quotekit ls token`)."
        )
    return password, token


def _database_exists(data_dir: Path) -> bool:
    return (data_dir / "label_studio.sqlite3").exists()


# --------------------------------------------------------------------------- state


@dataclass
class ServerState:
    url: str
    port: int
    pid: int
    data_dir: Path


def read_state(data_dir: str | Path | None = None) -> ServerState | None:
    """The server recorded in the data dir, when its process is still alive."""
    d = resolve_data_dir(data_dir)
    try:
        raw = json.loads((d / STATE_FILE).read_text())
        state = ServerState(str(raw["url"]), int(raw["port"]), int(raw["pid"]), d)
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None
    return state if pid_alive(state.pid) else None


def write_state(path: Path, url: str, port: int, pid: int) -> None:
    """Record a running server in its state file ``path`` (``{"url", "port", "pid"}``, written
    atomically): Label Studio's ``server.json``, the ML backend's ``backend.json``."""
    from toolkit.io import atomic_write_text

    atomic_write_text(path, json.dumps({"url": url, "port": port, "pid": pid}) + "\n")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of ours counts as gone
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _is_label_studio(pid: int) -> bool:
    """Best effort: does ``pid`` look like a Label Studio process (guards against reused pids)?"""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return True  # no /proc: trust the pid file
    return "label-studio" in cmdline or "label_studio" in cmdline


# --------------------------------------------------------------------------- start / stop


def _clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: os.environ[k] for k in _PASSTHROUGH if k in os.environ}
    env.update(extra)
    return env


#: Label Studio's default SSRF block list (``core/utils/io.py: validate_ip``) less loopback
#: (127.0.0.0/8, ::1): the server binds to loopback and so does ``quotekit ls backend``, which
#: Label Studio must reach for predictions and its webhook (by default it refuses 127.0.0.1 for
#: model servers and webhooks). Private networks, link-local etc. stay blocked.
SSRF_BLOCKED_SUBNETS = (
    "0.0.0.0/8,10.0.0.0/8,100.64.0.0/10,169.254.0.0/16,172.16.0.0/12,192.0.0.0/24,192.0.2.0/24,192.88.99.0/24,"
    "192.168.0.0/16,198.18.0.0/15,198.51.100.0/24,203.0.113.0/24,224.0.0.0/4,233.252.0.0/24,240.0.0.0/4,"
    "255.255.255.255/32,::/128,::ffff:0:0/96,::ffff:0:0:0/96,64:ff9b::/96,64:ff9b:1::/48,100::/64,2001:0000::/32,"
    "2001:20::/28,2001:db8::/32,2002::/16,fc00::/7,fe80::/10,ff00::/8"
)


def server_env(data_dir: Path, password: str, token: str) -> dict[str, str]:
    """The complete environment of the Label Studio child process."""
    return _clean_env(
        {
            "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
            "DJANGO_DB": "sqlite",
            "DATABASE_NAME": str(data_dir / "label_studio.sqlite3"),
            "LABEL_STUDIO_USERNAME": ADMIN_USERNAME,
            "LABEL_STUDIO_PASSWORD": password,
            "LABEL_STUDIO_USER_TOKEN": token,
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
            "LATEST_VERSION_CHECK": "false",
            "SENTRY_DSN": "",
            "FRONTEND_SENTRY_DSN": "",
            "COLLECT_ANALYTICS": "false",
            "LOG_LEVEL": "WARNING",
            "DEBUG": "false",
            "PYTHONUNBUFFERED": "1",
            "USE_DEFAULT_BANNED_SUBNETS": "false",  # replaced by the same list less loopback:
            "USER_ADDITIONAL_BANNED_SUBNETS": SSRF_BLOCKED_SUBNETS,
        }
    )


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((LOOPBACK, port)) == 0


def _health(url: str, timeout: float = 2.0) -> bool:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url.rstrip("/") + "/health", timeout=timeout) as resp:
            return json.loads(resp.read().decode() or "{}").get("status") == "UP"
    except (urllib.error.URLError, OSError, ValueError):
        return False


def log_tail(log: Path, lines: int = 15) -> str:
    try:
        tail = log.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return ""
    return "\n".join("  | " + line for line in tail)


@dataclass
class Started:
    url: str
    pid: int
    process: subprocess.Popen | None  # None: a server that was already running (``reuse=True``)
    data_dir: Path
    log: Path
    seconds: float

    @property
    def reused(self) -> bool:
        return self.process is None


def start(
    port: int = DEFAULT_PORT,
    data_dir: str | Path | None = None,
    venv_dir: Path | None = None,
    timeout: float = START_TIMEOUT,
    echo: Echo = print,
    reuse: bool = False,
) -> Started:
    """Start Label Studio in the background and wait until ``/health`` says UP.

    With ``reuse=True`` a server already running for ``data_dir`` is returned instead (after
    waiting for it to answer, in case it is still starting): what makes ``quotekit run`` safe to
    re-run. Without it, a running server is an error (two servers must not share one database).
    Raises :class:`ServerError` (with the log path and its tail) when it exits or times out.
    """
    d = resolve_data_dir(data_dir)
    running = read_state(d)
    if running is not None:
        if reuse:
            return _reuse(running, d, timeout)
        raise ServerError(
            f"a Label Studio server for {d} is already running at {mask_url(running.url)} (pid {running.pid}); "
            f"stop it with `quotekit ls stop --data-dir {d}`, or pass --reuse to go on with it"
        )
    if _port_in_use(port):
        raise ServerError(f"port {port} on {LOOPBACK} is in use: choose another with --port")
    exe = ensure_installed(venv_dir, echo=echo)
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(d, 0o700)
    fresh = not _database_exists(d)
    password, token = _ensure_secrets(d, echo)
    url = f"http://{LOOPBACK}:{port}"
    log = d / LOG_FILE
    cmd = [
        str(exe), "start", "--no-browser",
        "--internal-host", LOOPBACK, "--port", str(port),
        "--data-dir", str(d), "--enable-legacy-api-token", "--log-level", "WARNING",
    ]  # fmt: skip
    with open(log, "ab") as logfh:
        logfh.write(f"\n=== quotekit: starting Label Studio {LS_VERSION} at {url} ===\n".encode())
        logfh.flush()
        proc = subprocess.Popen(
            cmd,
            env=server_env(d, password, token),
            cwd=str(d),
            stdin=subprocess.DEVNULL,
            stdout=logfh,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() signals the whole group
        )
    write_state(d / STATE_FILE, url, port, proc.pid)
    what = "first start: creating the database, about 40 s" if fresh else "about 10 s"
    echo(f"Starting Label Studio {LS_VERSION} at {url} ({what}); log: {log}")
    t0 = time.monotonic()
    while True:
        if _health(url):
            break
        code = proc.poll()
        if code is not None:
            remove_state(d / STATE_FILE, proc.pid)
            raise ServerError(
                f"Label Studio exited with code {code} before it was ready; see {log}\n{log_tail(log)}"
            )
        if time.monotonic() - t0 > timeout:
            terminate_group(proc.pid)
            remove_state(d / STATE_FILE, proc.pid)
            raise ServerError(
                f"Label Studio did not answer {url}/health within {timeout:.0f} s; see {log}\n{log_tail(log)}"
            )
        time.sleep(0.5)
    return Started(url, proc.pid, proc, d, log, time.monotonic() - t0)


def _reuse(running: ServerState, d: Path, timeout: float) -> Started:
    """The server recorded in ``d``, once its ``/health`` answers (it may still be starting)."""
    log = d / LOG_FILE
    t0 = time.monotonic()
    while not _health(running.url):
        if not pid_alive(running.pid):
            raise ServerError(f"the Label Studio server for {d} (pid {running.pid}) exited; see {log}\n{log_tail(log)}")
        if time.monotonic() - t0 > timeout:
            raise ServerError(
                f"a Label Studio server for {d} is running (pid {running.pid}) but {mask_url(running.url)}/health did not "
                f"answer within {timeout:.0f} s; see {log}, or restart it: `quotekit ls stop --data-dir {d}`"
            )
        time.sleep(0.5)
    return Started(running.url, running.pid, None, d, log, time.monotonic() - t0)


def login_help(started_url: str, data_dir: Path) -> str:
    return (
        f"Label Studio is up at {mask_url(started_url)}\n"
        f"  log in as {ADMIN_USERNAME}; the password is in {data_dir / PASSWORD_FILE}\n"
        f"  API token: `quotekit ls token --data-dir {data_dir}` (push/pull find it themselves)"
    )


def remove_state(path: Path, pid: int) -> None:
    """Remove the state file ``path`` if it still records ``pid`` (a newer server's is kept)."""
    try:
        if json.loads(path.read_text()).get("pid") == pid:
            path.unlink()
    except (OSError, ValueError):
        pass


def terminate_group(pid: int, grace: float = 15.0) -> bool:
    """SIGTERM the process group led by ``pid``; SIGKILL after ``grace`` seconds. True if it ended."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    except PermissionError:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return True
        except ChildProcessError:
            pass
        if not pid_alive(pid):
            return True
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    time.sleep(0.5)
    return not pid_alive(pid)


def stop_recorded(path: Path, pid: int | None, name: str, is_ours: Callable[[int], bool] = lambda pid: True,
                  grace: float = 15.0) -> bool:
    """Stop the server recorded in the state file ``path`` (:func:`write_state`) whose live
    process is ``pid`` (None: none alive); False when there was none to stop, and a stale file is
    removed. A process that leads its own group (started detached) is stopped with its group
    (:func:`terminate_group`); one that does not (a foreground server) gets SIGTERM and stops its
    children itself, SIGKILL after ``grace`` seconds. ``is_ours(pid)`` guards against a reused
    pid; ``name`` is for the error when it does not stop. Label Studio's :func:`stop` and the ML
    backend's both are this over their own state file."""
    if pid is None or not is_ours(pid):
        path.unlink(missing_ok=True)
        return False
    try:
        leader = os.getpgid(pid) == pid
    except ProcessLookupError:
        leader = False
    if leader:
        ended = terminate_group(pid, grace)
    else:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + grace
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if pid_alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            time.sleep(0.5)
        ended = not pid_alive(pid)
    if not ended:
        raise ServerError(f"{name} (pid {pid}) did not stop; kill it by hand")
    remove_state(path, pid)
    return True


def stop(data_dir: str | Path | None = None) -> ServerState | None:
    """Stop the server recorded in the data dir; None if none was running."""
    d = resolve_data_dir(data_dir)
    state = read_state(d)
    if not stop_recorded(d / STATE_FILE, state.pid if state else None, "Label Studio", _is_label_studio):
        return None
    return state


def run_foreground(started: Started, echo: Echo = print) -> int:
    """Wait for the server to exit; Ctrl-C (or SIGTERM) stops it. Returns its exit code."""

    def _on_term(signum, frame):  # noqa: ARG001
        raise KeyboardInterrupt

    # SIGINT too: a shell without job control starts background jobs with SIGINT ignored
    previous = {sig: signal.signal(sig, _on_term) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    try:
        if started.process is None:
            raise ServerError("run_foreground needs a server started by this process, not a reused one")
        return started.process.wait()
    except KeyboardInterrupt:
        echo("Stopping Label Studio...")
        terminate_group(started.pid)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        remove_state(started.data_dir / STATE_FILE, started.pid)


def connection_defaults(data_dir: str | Path | None = None) -> tuple[str | None, str | None]:
    """(url, token) of the server recorded in the data dir (either may be None)."""
    d = resolve_data_dir(data_dir)
    state = read_state(d)
    return (state.url if state else None), _read_secret(d / TOKEN_FILE)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use `quotekit ls serve`")
