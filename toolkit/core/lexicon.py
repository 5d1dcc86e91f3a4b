"""The pre-annotator's lexicon (``configs/lexicon.yaml``) as a typed, validated object.

``parse_lexicon(data, path)`` is pure; reading the file is :func:`toolkit.pipeline.load_lexicon`.
Errors are :class:`toolkit.config.ConfigError` naming the file, the entry and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.config import ConfigError

FRAMES = ("quote", "clause", "that", "listener", "as", "act")
GENDER_VALUES = ("male", "female", "plural", "organisation", "any")


@dataclass(frozen=True)
class CueVerb:
    lemma: str
    forms: tuple[str, ...]
    frames: frozenset[str]

    def takes(self, frame: str) -> bool:
        return frame in self.frames


@dataclass(frozen=True)
class Lexicon:
    cues: tuple[CueVerb, ...]
    according_to: tuple[str, ...] = ("according to",)
    auxiliaries: frozenset[str] = frozenset()
    time_words: frozenset[str] = frozenset()
    pronouns: dict[str, str] = field(default_factory=dict)
    title_words: frozenset[str] = frozenset()
    role_nouns: frozenset[str] = frozenset()
    determiners: frozenset[str] = frozenset()
    clause_breaks: tuple[str, ...] = ()
    abbreviations: frozenset[str] = frozenset()
    stance_prior: dict[str, str] = field(default_factory=dict)
    stance_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    path: Path | None = None

    def __post_init__(self) -> None:
        by_form: dict[str, CueVerb] = {}
        for cue in self.cues:
            for form in cue.forms:
                by_form.setdefault(form.casefold(), cue)
        object.__setattr__(self, "_by_form", by_form)

    def cue(self, form: str) -> CueVerb | None:
        """The cue verb a (case-insensitive) word form belongs to, if any."""
        return self._by_form.get(form.casefold())  # type: ignore[attr-defined]

    @property
    def cue_forms(self) -> list[str]:
        """Every cue form, longest first (multi-word forms win)."""
        return sorted(self._by_form, key=len, reverse=True)  # type: ignore[attr-defined]

    def to_dict(self) -> dict[str, Any]:
        """The YAML-shaped data :func:`parse_lexicon` accepts (used to serialise a pipeline)."""
        return {
            "cues": {c.lemma: {"forms": list(c.forms), "frames": sorted(c.frames)} for c in self.cues},
            "according_to": list(self.according_to),
            "auxiliaries": sorted(self.auxiliaries),
            "time_words": sorted(self.time_words),
            "pronouns": dict(self.pronouns),
            "title_words": sorted(self.title_words),
            "role_nouns": sorted(self.role_nouns),
            "determiners": sorted(self.determiners),
            "clause_breaks": list(self.clause_breaks),
            "abbreviations": sorted(self.abbreviations),
            "stance": {
                "affiliation_prior": dict(self.stance_prior),
                **{k: list(v) for k, v in self.stance_words.items()},
            },
        }


def _words(data: dict[str, Any], key: str, path: Path, lower: bool = True) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        raise ConfigError(f"{path}: field '{key}': must be a list of words")
    out = tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(v.casefold() for v in out) if lower else out


def parse_lexicon(data: Any, path: str | Path = "configs/lexicon.yaml") -> Lexicon:
    """Validate the parsed YAML of a lexicon."""
    path = Path(path)
    if not isinstance(data, dict) or not isinstance(data.get("cues"), dict) or not data["cues"]:
        raise ConfigError(f"{path}: top level must be a mapping with a non-empty 'cues:' mapping")
    cues: list[CueVerb] = []
    for lemma, entry in data["cues"].items():
        where = f"{path}: cue {lemma!r}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: must be a mapping with 'forms' and 'frames'")
        forms = entry.get("forms")
        if not isinstance(forms, list) or not forms or not all(isinstance(f, str) and f.strip() for f in forms):
            raise ConfigError(f"{where}: field 'forms': must be a non-empty list of words")
        frames = entry.get("frames")
        if not isinstance(frames, list) or not frames:
            raise ConfigError(f"{where}: field 'frames': must be a non-empty list of: {', '.join(FRAMES)}")
        for fr in frames:
            if fr not in FRAMES:
                raise ConfigError(f"{where}: field 'frames': {fr!r} is not one of: {', '.join(FRAMES)}")
        cues.append(CueVerb(str(lemma), tuple(f.strip().casefold() for f in forms), frozenset(frames)))
    pronouns = data.get("pronouns", {}) or {}
    if not isinstance(pronouns, dict):
        raise ConfigError(f"{path}: field 'pronouns': must be a mapping pronoun -> {'|'.join(GENDER_VALUES)}")
    for p, g in pronouns.items():
        if g not in GENDER_VALUES:
            raise ConfigError(f"{path}: field 'pronouns.{p}': {g!r} is not one of: {', '.join(GENDER_VALUES)}")
    stance = data.get("stance", {}) or {}
    if not isinstance(stance, dict):
        raise ConfigError(f"{path}: field 'stance': must be a mapping")
    prior = stance.get("affiliation_prior", {}) or {}
    labels = ("favor", "against", "neutral")
    for aff, label in prior.items():
        if label not in labels:
            raise ConfigError(f"{path}: field 'stance.affiliation_prior.{aff}': {label!r} is not one of: {', '.join(labels)}")
    stance_words = {label: _words(stance, label, path) for label in labels}
    return Lexicon(
        cues=tuple(cues),
        according_to=_words(data, "according_to", path) or ("according to",),
        auxiliaries=frozenset(_words(data, "auxiliaries", path)),
        time_words=frozenset(_words(data, "time_words", path)),
        pronouns={str(k).casefold(): v for k, v in pronouns.items()},
        title_words=frozenset(_words(data, "title_words", path)),
        role_nouns=frozenset(_words(data, "role_nouns", path)),
        determiners=frozenset(_words(data, "determiners", path)),
        clause_breaks=_words(data, "clause_breaks", path),
        abbreviations=frozenset(_words(data, "abbreviations", path)),
        stance_prior={str(k): str(v) for k, v in prior.items()},
        stance_words=stance_words,
        path=path,
    )
