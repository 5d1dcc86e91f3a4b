"""Stream reading: the items of a JSON array file, one by one, in flat memory.

Built on the standard library's C decoder (``json.JSONDecoder.raw_decode``) applied to a
window of the file that grows only while one item does not fit in it. Measured against ijson
(yajl2_c backend) on a 20,000-task export (benchmarks/README.md, "Export reader"): as flat in
memory, faster, and it refuses absurd nesting at once, where ijson's memory grows with the
square of the depth (100,000 nested brackets: killed for lack of memory).
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path
from typing import Any, Iterator

from toolkit.errors import BadInputError

from .issues import IssueLog

_SEPARATORS = re.compile(r"[\s,]*")


class _InvalidJSON(Exception):
    pass


def iter_json_items(path: str | Path, issues: IssueLog, chunk_size: int = 1 << 20) -> Iterator[Any]:
    """Yield the items of the top-level JSON array in ``path`` one by one (a lone object is one item).

    A truncated or invalid file yields the items before the problem, then reports
    ``invalid_json`` naming the file and the position. A UTF-8 byte order mark is skipped.
    """
    p = Path(path)
    try:
        fh = open(p, encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInputError(f"{p}: file not found") from None
    except IsADirectoryError:
        raise BadInputError(f"{p}: is a directory, expected a Label Studio JSON export file") from None
    except OSError as exc:
        raise BadInputError(f"{p}: cannot read ({exc.strerror})") from None
    decoder = json.JSONDecoder()
    buf = ""
    pos = 0  # read position in buf
    consumed = 0  # characters dropped from the front of buf (for positions in messages)
    eof = False
    count = 0

    def fill(size: int) -> bool:
        """Drop what was read, append up to ``size`` more characters; False at end of file."""
        nonlocal buf, pos, consumed, eof
        buf = buf[pos:]
        consumed += pos
        pos = 0
        try:
            more = fh.read(size)
        except UnicodeDecodeError as exc:
            raise _InvalidJSON(f"not UTF-8 text ({exc.reason})") from None
        if not more:
            eof = True
            return False
        buf += more
        return True

    def skip_separators() -> bool:
        """Skip whitespace and commas; False when the file ends first."""
        nonlocal pos
        while True:
            pos = _SEPARATORS.match(buf, pos).end()
            if pos < len(buf):
                return True
            if eof or not fill(chunk_size):
                return False

    with fh:
        try:
            if not skip_separators():
                raise _InvalidJSON("empty file")
            if buf[pos] != "[":
                # a single task object (or garbage): decode the whole file
                while fill(chunk_size):
                    pass
                yield _whole_file_value(decoder, buf, pos, consumed)
                return
            pos += 1
            size = chunk_size
            while True:
                if not skip_separators():
                    raise _InvalidJSON(f"truncated: the JSON array is not closed after {count} item(s) (all {count} were read; anything after them is lost)")
                if buf[pos] == "]":
                    pos += 1
                    while True:
                        if buf[pos:].strip():
                            raise _InvalidJSON(f"extra data after the JSON array at char {consumed + pos}")
                        if not fill(chunk_size):
                            return
                try:
                    obj, end = decoder.raw_decode(buf, pos)
                except (ValueError, RecursionError) as exc:
                    if not isinstance(exc, json.JSONDecodeError):  # huge integer, absurd nesting
                        raise _InvalidJSON(f"{_undecodable(exc)} (item {count + 1})") from None
                    if eof:
                        raise _InvalidJSON(
                            f"the file looks truncated: {count} item(s) read, nothing read from item #{count + 1} on "
                            f"(it starts at byte {_byte_offset(p, consumed + pos)}, char {consumed + pos}; "
                            f"{_json_error(exc.msg, consumed + exc.pos)})") from None
                    fill(size)
                    size *= 2  # a big item: read in bigger steps, so decoding stays linear
                    continue
                size = chunk_size
                count += 1
                pos = end
                yield obj
        except _InvalidJSON as exc:
            issues.add("invalid_json", f"{p}: invalid JSON: {exc}; items after this point were skipped")


def _whole_file_value(decoder: json.JSONDecoder, buf: str, pos: int, consumed: int) -> Any:
    """The one JSON value of a file that is not an array (``buf`` holds all of it from ``pos``)."""
    try:
        obj, end = decoder.raw_decode(buf, pos)
    except json.JSONDecodeError as exc:
        raise _InvalidJSON(_json_error(exc.msg, consumed + exc.pos)) from None
    except (ValueError, RecursionError) as exc:  # huge integer, absurd nesting
        raise _InvalidJSON(_undecodable(exc)) from None
    if buf[end:].strip():
        hint = ""
        if isinstance(obj, dict) and "article_id" in obj and ("text" in obj or "quotes" in obj):
            hint = (" (this is JSON lines of article or prediction records, from `quotekit ingest` or "
                    "`quotekit preannotate`: build takes Label Studio exports, from `quotekit ls pull`)")
        raise _InvalidJSON(f"extra data after the JSON value at char {consumed + end}{hint}")
    return obj


def _json_error(msg: str, char: int) -> str:
    """``json`` messages such as "Unterminated string starting at" already end with "at".

    >>> _json_error("Unterminated string starting at", 12)
    'Unterminated string starting at char 12'
    """
    return f"{msg} char {char}" if msg.endswith(" at") else f"{msg} at char {char}"


def _byte_offset(path: Path, chars: int) -> int | str:
    """The byte offset of character ``chars`` (counted after a byte order mark) of a UTF-8 file
    (for messages; "?" if unreadable)."""
    try:
        with open(path, "rb") as raw:
            n = len(codecs.BOM_UTF8) if raw.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8 else 0
        with open(path, encoding="utf-8-sig") as fh:
            while chars > 0:
                piece = fh.read(min(chars, 1 << 20))
                if not piece:
                    break
                n += len(piece.encode("utf-8", "surrogatepass"))
                chars -= len(piece)
            return n
    except (OSError, UnicodeDecodeError):
        return "?"


def _undecodable(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply to read"
    return f"undecodable JSON value ({str(exc).split(';')[0]})"
