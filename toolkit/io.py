"""File helpers shared by the adapters: atomic writes and JSONL reading with file:line errors."""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

from toolkit.errors import BadInputError, OutputError


def user_cache_dir() -> Path:
    """quotekit's directory in the user's cache: ``$XDG_CACHE_HOME/quotekit``, else
    ``~/.cache/quotekit`` (the registry cache and the push locks live below it).

    >>> user_cache_dir().name
    'quotekit'
    """
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "quotekit"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def default_file_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give (``mkstemp`` makes 0600 files)."""
    return 0o666 & ~_umask()


def default_dir_mode() -> int:
    """The mode a plain ``mkdir`` would give (``mkdtemp`` makes 0700 directories)."""
    return 0o777 & ~_umask()


def refuse_existing(path: Path) -> None:
    """A BadInputError when ``path`` exists (outputs that must never replace a file)."""
    if path.exists():
        raise BadInputError(f"{path} already exists and is never overwritten: choose another name with -o")


def resolve_output(path: str | Path) -> Path:
    """The path an output is written to: a symbolic link is FOLLOWED, so its target (file or
    dataset directory) is replaced atomically and the link keeps pointing at the new output, as
    writing through a link does (replacing the link itself by a file or directory would leave the
    target stale and the link gone). A dangling link creates its target; a link that loops is a
    :class:`BadInputError`. Any other path is returned as given.
    """
    path = Path(path)
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if target.is_symlink():  # realpath stops inside a loop
        raise BadInputError(f"{path}: is a symbolic link that loops (it never reaches a file); "
                            "fix the link or choose another output")
    return target


@contextmanager
def atomic_open(path: str | Path, *, binary: bool = False, exclusive: bool = False) -> Iterator[Any]:
    """A file that appears at ``path`` only when the block ends without error.

    Written to a hidden temporary file next to ``path``, synced, given ordinary permissions,
    then renamed over ``path``: never a half-written file. On any error (or Ctrl-C/SIGTERM) the
    temporary file is removed and the previous ``path`` is unchanged; an ``OSError`` (disk full,
    permissions) becomes a one-line :class:`OutputError` naming ``path``. With ``exclusive`` an
    existing ``path`` is never replaced (checked before writing and again, atomically, by linking
    the finished file into place): a :class:`BadInputError` says to choose another name. A
    ``path`` that is a symbolic link is followed (:func:`resolve_output`): its target is written.
    """
    path = resolve_output(path)
    if exclusive:
        refuse_existing(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError.from_os_error(path, exc) from None
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, default_file_mode())
        if exclusive:
            _publish_new(Path(tmp), path)
        else:
            os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError.from_os_error(path, exc) from None
        raise


def _publish_new(tmp: Path, path: Path) -> None:
    """Move the finished ``tmp`` to ``path`` unless ``path`` exists (even if it appeared meanwhile)."""
    try:
        os.link(tmp, path)  # atomic and never clobbers
    except FileExistsError:
        raise BadInputError(f"{path} already exists and is never overwritten: choose another name with -o") from None
    except OSError:  # filesystems without hard links
        refuse_existing(path)
        os.replace(tmp, path)
        return
    tmp.unlink()


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_open`)."""
    with atomic_open(path) as fh:
        fh.write(text)


def write_jsonl_atomic(path: str | Path, records: Iterable[dict[str, Any]]) -> int:
    """Stream records to ``path`` atomically (see :func:`atomic_open`). Returns the number written."""
    n = 0
    with atomic_open(path) as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    return n


def read_jsonl_numbered(path: str | Path, errors: list[str] | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, JSON object)``; blank lines are skipped, a UTF-8 byte-order mark on
    the first line is ignored. A bad line (invalid JSON, not an object, not UTF-8) raises
    BadInputError naming ``file:line``, or is appended to ``errors`` (and skipped) when a list is
    given: one bad line never costs the other lines. Lines are split on ``\n`` only (JSON Lines)."""
    path = Path(path)
    if not path.exists():
        raise BadInputError(f"{path}: file not found")
    if path.is_dir():
        raise BadInputError(f"{path}: is a directory, expected a .jsonl file")
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read ({exc.strerror})") from None
    with fh:
        for no, raw in enumerate(fh, start=1):
            if no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                msg = f"{path}:{no}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); re-save the file as UTF-8"
                if errors is None:
                    raise BadInputError(msg) from None
                errors.append(msg)
                continue
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                if not isinstance(rec, dict):
                    raise ValueError(f"expected a JSON object, got {type(rec).__name__}")
            except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
                reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
                msg = f"{path}:{no}: invalid JSON line ({reason})"
                if errors is None:
                    raise BadInputError(msg) from None
                errors.append(msg)
                continue
            yield no, rec


def read_jsonl(path: str | Path, errors: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """The JSON objects of :func:`read_jsonl_numbered`, without their line numbers."""
    for _no, rec in read_jsonl_numbered(path, errors):
        yield rec
