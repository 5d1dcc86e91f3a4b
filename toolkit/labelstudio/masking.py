"""URLs fit to print: credentials and query strings hidden (one home; the client, the server
manager and the commands all show Label Studio URLs through :func:`mask_url`)."""

from __future__ import annotations

import re

_QUERY = re.compile(r"[?#].*$", re.S)
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


def mask_url(url: str) -> str:
    """``url`` fit to print: credentials (``user:password@``) and any query or fragment (where
    a token could sit) replaced by ``***``. Every message and log line that shows a Label Studio
    URL shows it through this function (the client keeps the real URL for its requests only).

    Everything up to the LAST ``@`` counts as credentials, so a password holding ``/``, ``?``,
    ``#`` or ``@`` unencoded is hidden whole (an ``@`` in a path is masked too: safe side).

    >>> mask_url("http://user:pa:ss@ls.example.org:8080/ls")
    'http://***@ls.example.org:8080/ls'
    >>> mask_url("https://me:p/a?s#s@host/x?token=abc")
    'https://***@host/x?***'
    >>> mask_url("http://127.0.0.1:8080")
    'http://127.0.0.1:8080'
    >>> mask_url("user:secret@host:8080")
    '***@host:8080'
    """
    url = str(url)
    if "@" in url:
        m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*://)?", url)
        scheme = m.group(1) or ""
        rest = url[len(scheme):]
        url = scheme + "***@" + rest.rpartition("@")[2]
    return _QUERY.sub(lambda q: q.group()[0] + "***", url)


def mask_urls_in(text: str) -> str:
    """Every ``scheme://...`` in ``text`` through :func:`mask_url`.

    >>> mask_urls_in('GET http://u:p@h:1/api/x "HTTP/1.1 200 OK"')
    'GET http://***@h:1/api/x "HTTP/1.1 200 OK"'
    """
    return _URL_IN_TEXT.sub(lambda m: mask_url(m.group()), text)
