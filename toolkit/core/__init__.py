"""The pure core: article text (or a spaCy Doc) in, quotes out. No files, no network, no CLI.

``RULESET_ID`` names the current heuristic rule set; with the toolkit version it forms the
``model_version`` of Label Studio predictions. Bump it whenever a rule or lexicon changes.
"""

RULESET_ID = "rules-6"

_TEXT_KEY = "quotekit.text"
#: ``doc.user_data`` keys of the ``has_annotation`` flags cached by :func:`has`
HAS_KEY_PREFIX = "quotekit.has."


_HAS_KEYS: dict[str, str] = {}


def has(doc, attr: str) -> bool:
    """``doc.has_annotation(attr)``, computed once per Doc (it scans every token). Called on
    hot paths: one dict lookup with an interned string key."""
    key = _HAS_KEYS.get(attr)
    if key is None:
        key = _HAS_KEYS[attr] = HAS_KEY_PREFIX + attr
    flag = doc.user_data.get(key)
    if flag is None:
        flag = doc.user_data[key] = bool(doc.has_annotation(attr))
    return flag


def doc_text(doc) -> str:
    """``doc.text``, computed once per document: spaCy rebuilds the string from every token on
    each access, and the rules read it in several places. The component drops the cache when it
    is done (see ``toolkit.pipeline``), so it never travels with the Doc."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.text
        doc.user_data[_TEXT_KEY] = text
    return text


def remember_doc_text(doc, text: str) -> None:
    """Give ``doc`` the string it was tokenised from, so that :func:`doc_text` need not rebuild
    it (the caller guarantees ``text`` is what the tokenizer saw: spaCy's tokenizer never
    changes the characters)."""
    doc.user_data[_TEXT_KEY] = text


def forget_doc_text(doc) -> None:
    """Drop what the rules cached on ``doc`` (its text, the ``has_annotation`` flags of
    :func:`has`): it must not travel with the Doc or go stale."""
    ud = doc.user_data
    ud.pop(_TEXT_KEY, None)
    for key in [k for k in ud if isinstance(k, str) and k.startswith(HAS_KEY_PREFIX)]:
        del ud[key]
