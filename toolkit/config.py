"""Load and validate ``configs/*.yaml`` into typed objects: the one place for config defaults.

Errors are :class:`ConfigError` and name the file, the entry and the field, e.g.::

    configs/speakers.yaml: speaker #3 'Koy Kuong': field 'affiliation': 'govt' is not one of ...
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import BadInputError
from toolkit.types import AFFILIATIONS

REPO_ROOT = Path(__file__).resolve().parent.parent
STANCE_LABELS: tuple[str, ...] = ("favor", "against", "neutral")
SPEAKER_KINDS = ("person", "organisation")
GENDERS = ("male", "female", None)


class ConfigError(BadInputError, ValueError):
    """A config file is missing or invalid. The message says where and what to fix; the CLI
    prints it on one line and exits 2 (a :class:`~toolkit.errors.BadInputError`)."""


def configs_dir() -> Path:
    """``$QUOTEKIT_CONFIGS``, else ``./configs`` when it exists, else the repository's ``configs/``."""
    env = os.environ.get("QUOTEKIT_CONFIGS")
    if env:
        return Path(env)
    local = Path.cwd() / "configs"
    if (local / "speakers.yaml").exists():
        return local
    return REPO_ROOT / "configs"


#: YAML aliases may add at most this many nodes, and this many characters of scalar text, beyond
#: ``ALIAS_FACTOR`` times what the file itself holds (a "billion laughs" file expands one string
#: hundreds of thousands of times: it is refused before anything is built)
ALIAS_SLACK_NODES = 10_000
ALIAS_SLACK_CHARS = 1_000_000
ALIAS_FACTOR = 10


class AliasBombError(ValueError):
    """YAML anchors and aliases that would expand a document far beyond its own size."""


def expanded_size(root: Any) -> tuple[int, int, int, int]:
    """``(nodes, chars, unique_nodes, unique_chars)`` of a composed YAML node graph: the size
    once every alias is expanded, and the size of the distinct nodes (what the file holds).
    Linear in the distinct nodes (sizes are memoised); a node that contains itself (a recursive
    alias) raises :class:`AliasBombError`.

    >>> import yaml
    >>> expanded_size(yaml.compose("a: &x [1, 2]\\nb: [*x, *x, *x]"))
    (16, 10, 7, 4)
    """
    from yaml.nodes import MappingNode, ScalarNode

    memo: dict[int, tuple[int, int]] = {}
    unique_nodes = unique_chars = 0
    stack: list[tuple[Any, bool]] = [(root, False)]
    path: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if isinstance(node, ScalarNode):
            if key not in memo:
                memo[key] = (1, len(node.value))
                unique_nodes += 1
                unique_chars += len(node.value)
            continue
        kids = [c for pair in node.value for c in pair] if isinstance(node, MappingNode) else node.value
        if done:
            path.discard(key)
            memo[key] = (1 + sum(memo[id(c)][0] for c in kids), sum(memo[id(c)][1] for c in kids))
            unique_nodes += 1
            continue
        if key in memo:
            continue
        if key in path:
            raise AliasBombError("a recursive alias (a node that contains itself)")
        path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in kids if id(c) not in memo)
    nodes, chars = memo[id(root)]
    return nodes, chars, unique_nodes, unique_chars


def _check_aliases(root: Any) -> None:
    """Refuse a document whose aliases would amplify it (see :data:`ALIAS_FACTOR`)."""
    nodes, chars, unique_nodes, unique_chars = expanded_size(root)
    if nodes > ALIAS_FACTOR * unique_nodes + ALIAS_SLACK_NODES or chars > ALIAS_FACTOR * unique_chars + ALIAS_SLACK_CHARS:
        raise AliasBombError(
            f"YAML aliases (*name) would expand {unique_nodes:,} values ({unique_chars:,} characters) to "
            f"{nodes:,} values ({chars:,} characters); refused: write the values out instead of repeating aliases"
        )


def _strict_loader():
    """A safe YAML loader (libyaml's ``CSafeLoader`` when PyYAML has it, else ``SafeLoader``)
    that rejects duplicate mapping keys (PyYAML keeps the last one silently), reports an
    impossible date (``2019-02-30``) as a YAML error with its line, and refuses a document whose
    aliases would amplify it (:func:`_check_aliases`, before anything is built)."""
    import yaml
    from yaml.constructor import ConstructorError

    class StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        #: set when the text has a '*' (no alias is possible without one): check the expansion
        check_aliases = True

        def get_single_data(self):
            node = self.get_single_node()
            if node is None:
                return None
            if self.check_aliases:
                _check_aliases(node)
            return self.construct_document(node)

        def construct_mapping(self, node, deep=False):
            if isinstance(node, yaml.MappingNode):
                seen: dict[Any, int] = {}
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    key = self.construct_object(key_node, deep=True)
                    try:
                        first = seen.get(key)
                    except TypeError:  # unhashable key: the base class reports it
                        continue
                    if first is not None:
                        raise ConstructorError(
                            None, None,
                            f"duplicate key {key!r} (first defined on line {first + 1}): keep only one of them",
                            key_node.start_mark,
                        )
                    seen[key] = key_node.start_mark.line
            return super().construct_mapping(node, deep=deep)

        def construct_yaml_timestamp(self, node):
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError as exc:
                raise ConstructorError(
                    None, None, f"{node.value!r} is not a valid date ({exc}); fix it, or quote it to keep it as text", node.start_mark
                ) from None

    StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictLoader.construct_yaml_timestamp)
    return StrictLoader


_LOADER: Any = None


def _loader_class():
    global _LOADER
    if _LOADER is None:
        _LOADER = _strict_loader()
    return _LOADER


def configs_note(sep: str = ", ") -> str:
    """``", configs DIR"`` when the configs dir in use is not the repository's ``configs/`` (set by
    ``$QUOTEKIT_CONFIGS`` or a ``./configs``), else ``""``: for a command's summary line."""
    d = configs_dir()
    try:
        default = d.resolve() == (REPO_ROOT / "configs").resolve()
    except OSError:
        default = False
    return "" if default else f"{sep}configs {d}"


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found (pass the right path, or set QUOTEKIT_CONFIGS)") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a YAML file") from None


def _char_at(text: str, mark: Any) -> str:
    """The character at a YAML error mark (``""`` when there is none)."""
    if mark is None:
        return ""
    lines = text.split("\n")
    line = lines[mark.line] if 0 <= mark.line < len(lines) else ""
    return line[mark.column] if 0 <= mark.column < len(line) else ""


def _load_yaml(path: Path, data: bytes | None = None) -> Any:
    """Parse a config file (or its already read bytes ``data``) with the strict loader."""
    import yaml

    if data is None:
        data = _read_bytes(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    loader = _loader_class()(text)
    loader.check_aliases = "*" in text
    try:
        return loader.get_single_data()
    except AliasBombError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        if "\t" in problem or "\\t" in problem or _char_at(text, mark) == "\t":  # libyaml does not name the tab
            problem += " (use spaces, not tabs, to indent YAML)"
        raise ConfigError(f"{path}:{where}: invalid YAML: {problem}") from None
    finally:
        loader.dispose()


def load_lexicon_file(d: Path, name: str) -> dict[str, Any]:
    """The mapping of keys in the lexicon file ``d / name`` (``cues.yaml``, ``mentions.yaml``,
    ``stance_signals.yaml``); an empty file or another top level is a one-line error."""
    data = _load_yaml(d / name)
    if not isinstance(data, dict):
        if data is None:
            raise ConfigError(f"{d / name}: file is empty (expected a mapping of keys; compare with the shipped configs/{name})")
        raise ConfigError(f"{d / name}: top level must be a mapping of keys, not {type(data).__name__} (compare with the shipped configs/{name})")
    return data


# --------------------------------------------------------------------------- shared checks
# Used by every loader (speakers and stance here, the lexicons in toolkit/core, the cleaning
# rules in toolkit/ingest): an error names the file, the key and what to write instead.


def check_keys(data: dict, allowed: tuple[str, ...], source: Any, where: str = "") -> None:
    """Raise on a key not in ``allowed`` (a misspelt key would otherwise be silently ignored)."""
    for key in data:
        if key not in allowed:
            at = f"{where}: " if where else ""
            raise ConfigError(f"{source}: {at}unknown key {key!r} (allowed: {', '.join(allowed)}); check the spelling")


def expect_mapping(value: Any, source: Any, key: str, hint: str = "") -> dict:
    """``value`` as a mapping (``None``: empty)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: key {key!r}: must be a mapping{hint}, got {_describe(value)}")
    return value


def expect_list(value: Any, source: Any, key: str, *, strings: bool = False) -> list:
    """``value`` as a list (``None``: empty). A string is an error: it would be read character
    by character (``speech: say, tell`` is one string, not two verbs)."""
    if value is None:
        return []
    if isinstance(value, str):
        raise ConfigError(f"{source}: key {key!r}: must be a YAML list like [a, b], got the string {value!r} (write it as [{value}])")
    if not isinstance(value, list):
        raise ConfigError(f"{source}: key {key!r}: must be a YAML list like [a, b], got {_describe(value)}")
    if strings:
        for item in value:
            if not isinstance(item, str):
                raise ConfigError(f"{source}: key {key!r}: item {item!r} must be a string (quote it)")
    return value


def expect_number(value: Any, source: Any, key: str, kind: type = float) -> Any:
    """``value`` as a float (or an int with ``kind=int``); booleans and strings are errors."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok and kind is int:
        ok = isinstance(value, int) or float(value).is_integer()
    if not ok:
        what = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{source}: key {key!r}: must be {what} like {3 if kind is int else 0.2}, got {value!r}")
    return kind(value)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


# --------------------------------------------------------------------------- speakers


@dataclass(frozen=True)
class Role:
    title: str
    start: str | None = None
    end: str | None = None


@dataclass(frozen=True)
class DatedAffiliation:
    """A side held for a period (``start``/``end``: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``;
    ``None``: open)."""

    affiliation: str
    start: str | None = None
    end: str | None = None

    def covers(self, date: str) -> bool:
        """Whether ``date`` (same formats; a partial date is compared at its precision) falls in
        the period, both ends included.

        >>> DatedAffiliation("government", "1993", "1994-10").covers("1994-10-24")
        True
        >>> DatedAffiliation("government", "1993", "1994-10").covers("1994-11-02")
        False
        """
        return (self.start is None or date[: len(self.start)] >= self.start[: len(date)]) and (
            self.end is None or date[: len(self.end)] <= self.end[: len(date)]
        )


@dataclass(frozen=True)
class Speaker:
    name: str
    affiliation: str
    kind: str = "person"
    aliases: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    gender: str | None = None
    wikidata: str | None = None
    #: periods when the side differed from ``affiliation`` (a defector's former party)
    affiliations: tuple[DatedAffiliation, ...] = ()

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """The canonical name and every alias."""
        return (self.name, *self.aliases)

    def affiliation_on(self, date: str | None) -> str:
        """The affiliation on ``date`` (an article's ``YYYY-MM-DD``, or a prefix): the dated
        period that covers it, else the plain ``affiliation`` (also when ``date`` is ``None``).

        >>> sp = Speaker("Sam Rainsy", "opposition", affiliations=(DatedAffiliation("government", "1993", "1994-10"),))
        >>> sp.affiliation_on("1994-02-01"), sp.affiliation_on("2013-07-28"), sp.affiliation_on(None)
        ('government', 'opposition', 'opposition')
        """
        if date:
            date = str(date)[:10]
            for period in self.affiliations:
                if period.covers(date):
                    return period.affiliation
        return self.affiliation


@dataclass
class Registry:
    speakers: list[Speaker] = field(default_factory=list)
    path: Path | None = None

    def __post_init__(self) -> None:
        self._by_form: dict[str, Speaker] = {}
        for sp in self.speakers:
            for form in sp.surface_forms:
                self._by_form.setdefault(form.casefold(), sp)

    def get(self, name: str) -> Speaker | None:
        """Exact (case-insensitive) lookup by canonical name or alias."""
        return self._by_form.get(name.casefold())

    def canonical(self, name: str) -> str:
        """The registry name of ``name`` (a name or alias, any case), else ``name`` unchanged.

        >>> r = Registry([Speaker("Hun Sen", "government", aliases=("Samdech Hun Sen",))])
        >>> r.canonical("samdech hun sen"), r.canonical("Jane Doe")
        ('Hun Sen', 'Jane Doe')
        """
        sp = self.get(name)
        return sp.name if sp else name

    def names(self) -> list[str]:
        return [sp.name for sp in self.speakers]

    def affiliation(self, name: str | None, date: str | None = None) -> str | None:
        """The registry affiliation of ``name`` (on ``date`` when given: see
        :meth:`Speaker.affiliation_on`), ``None`` when not in the registry."""
        sp = self.get(name) if name else None
        return sp.affiliation_on(date) if sp else None

    def __iter__(self):
        return iter(self.speakers)

    def __len__(self) -> int:
        return len(self.speakers)


def _fail(path: Path, entry: str, fieldname: str, problem: str) -> ConfigError:
    return ConfigError(f"{path}: {entry}: field '{fieldname}': {problem}")


def _str_list(value: Any, path: Path, entry: str, fieldname: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        raise _fail(path, entry, fieldname, f"must be a YAML list like [a, b], got the string {value!r} (write it as [{value}])")
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, entry, fieldname, "must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


#: the keys :func:`parse_registry` reads (anything else is a misspelling)
REGISTRY_KEYS = ("speakers",)
SPEAKER_FIELDS = ("name", "aliases", "roles", "affiliation", "affiliations", "kind", "gender", "wikidata")
ROLE_FIELDS = ("title", "start", "end")
DATED_AFFILIATION_FIELDS = ("affiliation", "start", "end")


def parse_registry(data: Any, path: Path) -> Registry:
    """Validate the parsed YAML of a speaker registry."""
    if data is None:
        raise ConfigError(f"{path}: file is empty (expected a mapping with a 'speakers:' list)")
    if not isinstance(data, dict) or not isinstance(data.get("speakers"), list):
        raise ConfigError(f"{path}: top level must be a mapping with a 'speakers:' list")
    check_keys(data, REGISTRY_KEYS, path, "top level")
    speakers: list[Speaker] = []
    seen: dict[str, str] = {}
    names: dict[str, int] = {}
    allowed = set(SPEAKER_FIELDS)
    for i, raw in enumerate(data["speakers"], start=1):
        entry = f"speaker #{i}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: {entry}: must be a mapping with at least 'name' and 'affiliation'")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _fail(path, entry, "name", "missing or empty")
        entry = f"speaker #{i} {name!r}"
        first = names.setdefault(name.strip().casefold(), i)
        if first != i:
            raise ConfigError(f"{path}: {entry}: already defined as speaker #{first}: merge the two entries (or rename one)")
        unknown = set(raw) - allowed
        if unknown:
            raise _fail(path, entry, sorted(unknown)[0], f"unknown field (allowed: {', '.join(sorted(allowed))})")
        aff = raw.get("affiliation")
        if aff not in AFFILIATIONS:
            raise _fail(path, entry, "affiliation", f"{aff!r} is not one of: {', '.join(AFFILIATIONS)}")
        kind = raw.get("kind", "person")
        if kind not in SPEAKER_KINDS:
            raise _fail(path, entry, "kind", f"{kind!r} is not one of: {', '.join(SPEAKER_KINDS)}")
        gender = raw.get("gender")
        if gender not in GENDERS:
            raise _fail(path, entry, "gender", f"{gender!r} is not one of: male, female (or leave it out)")
        wikidata = raw.get("wikidata")
        if wikidata is not None and not (isinstance(wikidata, str) and wikidata[:1] == "Q" and wikidata[1:].isdigit()):
            raise _fail(path, entry, "wikidata", f"{wikidata!r} is not a Wikidata id like 'Q123'")
        aliases = _str_list(raw.get("aliases"), path, entry, "aliases")
        roles: list[Role] = []
        roles_raw = raw.get("roles")
        if isinstance(roles_raw, str):
            raise _fail(path, entry, "roles", f"must be a YAML list, got the string {roles_raw!r} (write it as [{roles_raw}] or a list of {{title, start, end}})")
        if roles_raw is not None and not isinstance(roles_raw, list):
            raise _fail(path, entry, "roles", "must be a list of titles or of mappings {title, start, end}")
        for j, r in enumerate(roles_raw or [], start=1):
            if isinstance(r, str):
                r = {"title": r}
            if not isinstance(r, dict) or not isinstance(r.get("title"), str):
                raise _fail(path, entry, f"roles[{j}]", "must be a string or a mapping with 'title' (and optional 'start', 'end')")
            extra = set(r) - set(ROLE_FIELDS)
            if extra:
                raise _fail(path, entry, f"roles[{j}].{sorted(extra)[0]}", "unknown field (allowed: title, start, end)")
            start, end = _period(r, path, entry, f"roles[{j}]")
            roles.append(Role(r["title"], start, end))
        periods = _affiliations(raw.get("affiliations"), path, entry)
        for form in (name, *aliases):
            key = form.strip().casefold()
            if key in seen and seen[key] != name:
                raise _fail(path, entry, "aliases", f"{form!r} is already used by {seen[key]!r}")
            seen[key] = name.strip()
        speakers.append(Speaker(name.strip(), aff, kind, aliases, tuple(roles), gender, wikidata, periods))
    return Registry(speakers, path)


_DATE_FORMS = {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}


def _date_value(value: Any, path: Path, entry: str, fieldname: str) -> str | None:
    """A role or affiliation date as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a real date)."""
    import datetime as dt

    if value is None:
        return None
    if isinstance(value, dt.date):  # an unquoted YAML date
        return value.isoformat()[:10]
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    form = _DATE_FORMS.get(len(text)) if text else None
    try:
        if form is None:
            raise ValueError
        dt.datetime.strptime(text, form)
    except ValueError:
        raise _fail(path, entry, fieldname, f"{value!r} is not a date like 2019, 2019-05 or 2019-05-31") from None
    return text


def _period(raw: dict, path: Path, entry: str, where: str) -> tuple[str | None, str | None]:
    """``(start, end)`` of a role or dated affiliation, checked: valid dates, start not after end."""
    start = _date_value(raw.get("start"), path, entry, f"{where}.start")
    end = _date_value(raw.get("end"), path, entry, f"{where}.end")
    if start and end and start[: len(end)] > end[: len(start)]:
        raise _fail(path, entry, f"{where}.end", f"{end} is before the start {start}: swap them or fix the date")
    return start, end


def _affiliations(value: Any, path: Path, entry: str) -> tuple[DatedAffiliation, ...]:
    """The optional ``affiliations: [{affiliation, start, end}]`` of a speaker."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(path, entry, "affiliations", "must be a list of mappings {affiliation, start, end}")
    out: list[DatedAffiliation] = []
    for j, a in enumerate(value, start=1):
        where = f"affiliations[{j}]"
        if not isinstance(a, dict):
            raise _fail(path, entry, where, "must be a mapping {affiliation, start, end}")
        extra = set(a) - set(DATED_AFFILIATION_FIELDS)
        if extra:
            raise _fail(path, entry, f"{where}.{sorted(extra)[0]}", f"unknown field (allowed: {', '.join(DATED_AFFILIATION_FIELDS)})")
        if a.get("affiliation") not in AFFILIATIONS:
            raise _fail(path, entry, f"{where}.affiliation", f"{a.get('affiliation')!r} is not one of: {', '.join(AFFILIATIONS)}")
        start, end = _period(a, path, entry, where)
        if start is None and end is None:
            raise _fail(path, entry, where, "needs a start or an end date (an undated side is the plain 'affiliation')")
        out.append(DatedAffiliation(a["affiliation"], start, end))
    return tuple(out)


def load_registry(path: str | Path | None = None) -> Registry:
    """Load ``configs/speakers.yaml`` (or ``path``), validated.

    A registry that loaded once is read back from a cache of its validated form (JSON in
    :func:`cache_dir`, keyed by the file's sha256 and this module's code): a 5,000-speaker
    file costs milliseconds instead of seconds of YAML parsing. The cache is written atomically
    and ignored when missing, unreadable or corrupt; ``QUOTEKIT_NO_CACHE=1`` turns it off."""
    p = Path(path) if path else configs_dir() / "speakers.yaml"
    data = _read_bytes(p)
    key = _registry_key(data)
    cached = _registry_from_cache(key, p)
    if cached is not None:
        return cached
    registry = parse_registry(_load_yaml(p, data), p)
    _registry_to_cache(key, registry)
    return registry


# --------------------------------------------------------------------------- registry cache

#: bump when the cached form changes (the key also covers this module's source)
REGISTRY_CACHE_FORMAT = 1
#: at most this many cached registries are kept (the least recently written go first)
REGISTRY_CACHE_KEEP = 16


def cache_dir() -> Path | None:
    """``$QUOTEKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/quotekit``, else ``~/.cache/quotekit``;
    ``None`` when ``QUOTEKIT_NO_CACHE`` is set (to anything but ``""`` or ``0``)."""
    if os.environ.get("QUOTEKIT_NO_CACHE", "") not in ("", "0"):
        return None
    from toolkit.io import user_cache_dir

    env = os.environ.get("QUOTEKIT_CACHE_DIR")
    return Path(env) if env else user_cache_dir()


def _registry_key(data: bytes) -> str:
    """sha256 of the file's bytes, this module's source and the allowed affiliations: a change
    to any of them (an edited registry, new validation code) misses the cache."""
    import hashlib

    h = hashlib.sha256()
    h.update(f"registry-cache-{REGISTRY_CACHE_FORMAT}\0{AFFILIATIONS!r}\0".encode())
    try:
        h.update(Path(__file__).read_bytes())
    except OSError:
        h.update(b"no-source")
    h.update(b"\0")
    h.update(data)
    return h.hexdigest()


def _registry_cache_file(key: str) -> Path | None:
    d = cache_dir()
    return None if d is None else d / f"registry-{key[:40]}.json"


def _registry_from_cache(key: str, path: Path) -> Registry | None:
    """The cached registry for ``key``, or ``None`` (no cache, unreadable, corrupt, other key)."""
    import json

    f = _registry_cache_file(key)
    if f is None:
        return None
    try:
        doc = json.loads(f.read_bytes())
        if doc["key"] != key:
            return None
        speakers = [
            Speaker(name, aff, kind, tuple(aliases), tuple(Role(*r) for r in roles), gender, wikidata,
                    tuple(DatedAffiliation(*a) for a in periods))
            for name, aff, kind, aliases, roles, gender, wikidata, periods in doc["speakers"]
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Registry(speakers, path)


def _registry_to_cache(key: str, registry: Registry) -> None:
    """Write the validated registry for ``key`` atomically (temporary file, then rename); a
    failure (read-only home, full disk) only costs the next load its speed."""
    import json
    import tempfile

    f = _registry_cache_file(key)
    if f is None:
        return
    doc = {
        "key": key,
        "speakers": [
            [sp.name, sp.affiliation, sp.kind, list(sp.aliases), [[r.title, r.start, r.end] for r in sp.roles], sp.gender,
             sp.wikidata, [[a.affiliation, a.start, a.end] for a in sp.affiliations]]
            for sp in registry
        ],
    }
    tmp = None
    try:
        f.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".registry-", suffix=".tmp", dir=f.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, f)
        tmp = None
        old = sorted(f.parent.glob("registry-*.json"), key=lambda x: x.stat().st_mtime, reverse=True)
        for stale in old[REGISTRY_CACHE_KEEP:]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


# --------------------------------------------------------------------------- stance


@dataclass(frozen=True)
class StanceTarget:
    name: str
    description: str
    guidance: str = ""
    examples: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StanceScheme:
    labels: tuple[str, ...]
    default_target: str
    targets: dict[str, StanceTarget]
    path: Path | None = None
    #: a proposed stance whose score is below this is left empty (the annotator chooses);
    #: 0 pre-fills every proposal
    prefill_min_score: float = 0.0

    @property
    def target(self) -> StanceTarget:
        return self.targets[self.default_target]


#: the keys :func:`parse_stance` reads (anything else is a misspelling)
STANCE_KEYS = ("labels", "default_target", "targets", "prefill_min_score")
TARGET_FIELDS = ("description", "guidance", "examples")


def parse_stance(data: Any, path: Path) -> StanceScheme:
    if data is None:
        raise ConfigError(f"{path}: file is empty (expected a mapping with 'labels', 'default_target' and 'targets')")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping with 'labels', 'default_target' and 'targets'")
    check_keys(data, STANCE_KEYS, path, "top level")
    labels = data.get("labels")
    if not isinstance(labels, list) or tuple(labels) != STANCE_LABELS:
        raise _fail(path, "stance scheme", "labels", f"must be exactly {list(STANCE_LABELS)} (they become the dataset's ClassLabel names, in that order)")
    targets_raw = data.get("targets")
    if not isinstance(targets_raw, dict) or not targets_raw:
        raise _fail(path, "stance scheme", "targets", "must be a non-empty mapping of target name -> {description, guidance, examples}")
    targets: dict[str, StanceTarget] = {}
    for tname, t in targets_raw.items():
        entry = f"target {tname!r}"
        if not isinstance(t, dict) or not isinstance(t.get("description"), str) or not t["description"].strip():
            raise _fail(path, entry, "description", "missing or empty")
        check_keys(t, TARGET_FIELDS, path, entry)
        examples = t.get("examples") or {}
        if not isinstance(examples, dict):
            raise _fail(path, entry, "examples", "must be a mapping label -> example sentence")
        for label in examples:
            if label not in STANCE_LABELS:
                raise _fail(path, entry, f"examples.{label}", f"unknown label (labels: {', '.join(STANCE_LABELS)})")
        targets[str(tname)] = StanceTarget(str(tname), t["description"].strip(), str(t.get("guidance") or "").strip(), dict(examples))
    default = data.get("default_target")
    if default not in targets:
        raise _fail(path, "stance scheme", "default_target", f"{default!r} is not one of the targets: {', '.join(targets)}")
    prefill = data.get("prefill_min_score", 0.0)
    if isinstance(prefill, bool) or not isinstance(prefill, (int, float)) or not 0.0 <= prefill <= 1.0:
        raise _fail(path, "stance scheme", "prefill_min_score", f"must be a number from 0 to 1 like 0.6 (proposals scoring less leave the stance empty), got {prefill!r}")
    return StanceScheme(tuple(labels), default, targets, path, float(prefill))


def load_stance(path: str | Path | None = None) -> StanceScheme:
    """Load ``configs/stance.yaml`` (or ``path``), validated."""
    p = Path(path) if path else configs_dir() / "stance.yaml"
    return parse_stance(_load_yaml(p), p)
