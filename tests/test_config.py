"""Config loading: the shipped configs are valid; errors name the file, the entry and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from toolkit.config import ConfigError, load_registry, load_stance
from toolkit.types import AFFILIATIONS

REPO = Path(__file__).resolve().parents[1]


def test_shipped_registry_is_valid_and_resolves_aliases():
    reg = load_registry(REPO / "configs" / "speakers.yaml")
    assert reg.get("Kuy Kuong").name == "Koy Kuong"
    assert reg.get("mo sochua").name == "Mu Sochua"
    assert reg.get("Prayut Chan-ocha").name == reg.get("Prayut Chan-o-cha").name
    assert reg.get("Amnesty International").kind == "organisation"
    assert reg.get("CNRP").affiliation == "opposition"
    assert all(sp.affiliation in AFFILIATIONS for sp in reg)


def test_registry_covers_the_people_quoted_in_the_seeds():
    reg = load_registry(REPO / "configs" / "speakers.yaml")
    for name in ["Hun Sen", "Sam Rainsy", "Mu Sochua", "Koy Kuong", "Eng Chhai Eang", "Sok Eysan", "Kem Sokha",
                 "Chhum Sucheat", "Sophal Ear", "Kem Monovithya", "Paul Chambers", "Khieu Sopheak",
                 "Nicholas Bequelin", "Amnesty International", "Human Rights Watch", "Cecilia Malmstrom"]:
        assert reg.get(name) is not None, name


def test_shipped_stance_scheme():
    st = load_stance(REPO / "configs" / "stance.yaml")
    assert st.labels == ("favor", "against", "neutral")
    assert st.default_target == "government"
    assert "Hun Sen, the CPP and state bodies" in st.target.description
    assert set(st.target.examples) == {"favor", "against", "neutral"}


def _write(tmp_path, data) -> Path:
    p = tmp_path / "speakers.yaml"
    p.write_text(yaml.safe_dump(data), encoding="utf-8")
    return p


@pytest.mark.parametrize("entry,field,needle", [
    ({"name": "A B", "affiliation": "govt"}, "affiliation", "'govt' is not one of"),
    ({"affiliation": "government"}, "name", "missing or empty"),
    ({"name": "A B", "affiliation": "NGO", "aliases": [""]}, "aliases", "non-empty strings"),
    ({"name": "A B", "affiliation": "NGO", "wikidata": "123"}, "wikidata", "not a Wikidata id"),
    ({"name": "A B", "affiliation": "NGO", "gender": "x"}, "gender", "not one of"),
    ({"name": "A B", "affiliation": "NGO", "roles": [{"name": "x"}]}, "roles[1]", "title"),
    ({"name": "A B", "affiliation": "NGO", "colour": "red"}, "colour", "unknown field"),
])
def test_registry_errors_name_file_entry_and_field(tmp_path, entry, field, needle):
    p = _write(tmp_path, {"speakers": [{"name": "Ok Person", "affiliation": "media"}, entry]})
    with pytest.raises(ConfigError) as exc:
        load_registry(p)
    msg = str(exc.value)
    assert str(p) in msg and "speaker #2" in msg and f"field '{field}'" in msg and needle in msg


def test_registry_alias_clash_is_an_error(tmp_path):
    p = _write(tmp_path, {"speakers": [{"name": "Sam Rainsy", "affiliation": "opposition"},
                                       {"name": "Someone", "affiliation": "other", "aliases": ["sam rainsy"]}]})
    with pytest.raises(ConfigError, match="already used by 'Sam Rainsy'"):
        load_registry(p)


def test_invalid_yaml_and_missing_file(tmp_path):
    p = tmp_path / "speakers.yaml"
    p.write_text("speakers: [\n  - name: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"speakers.yaml: line \d+: invalid YAML"):
        load_registry(p)
    with pytest.raises(ConfigError, match="file not found"):
        load_registry(tmp_path / "nope.yaml")


def test_stance_labels_must_be_exact(tmp_path):
    p = tmp_path / "stance.yaml"
    p.write_text(yaml.safe_dump({"labels": ["pro", "con"], "default_target": "g", "targets": {"g": {"description": "x"}}}))
    with pytest.raises(ConfigError, match="field 'labels'"):
        load_stance(p)
    p.write_text(yaml.safe_dump({"labels": ["favor", "against", "neutral"], "default_target": "h",
                                 "targets": {"g": {"description": "x"}}}))
    with pytest.raises(ConfigError, match="field 'default_target'"):
        load_stance(p)


def test_a_config_error_is_one_line_and_exit_2_in_every_command(tmp_path):
    """ConfigError is a BadInputError: preannotate (not only build) prints it on one line, exit 2."""
    import os
    import shutil
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    cfg = tmp_path / "configs"
    shutil.copytree(repo / "configs", cfg)
    with (cfg / "speakers.yaml").open("a", encoding="utf-8") as fh:
        fh.write("  - name: Ikaika Moana\n    alias: [Kai Moana]\n    affiliation: other\n")
    (tmp_path / "a.jsonl").write_text('{"article_id": "a", "text": "Kai Moana said it."}\n', encoding="utf-8")
    for args in (["preannotate", "a.jsonl", "-o", "p.jsonl"], ["speakers", "suggest", "a.jsonl"], ["ls", "config", "-o", "c.xml"]):
        r = subprocess.run([sys.executable, "-m", "toolkit", *args], capture_output=True, text=True, cwd=tmp_path,
                           env={**os.environ, "QUOTEKIT_CONFIGS": str(cfg)})
        assert r.returncode == 2, (args, r.stderr[-500:])
        assert "Traceback" not in r.stderr and "field 'alias': unknown field" in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------- hardening: every
# config file rejects wrong types, unknown (misspelt) keys, strings where a list is expected and
# duplicate keys with a ConfigError naming the file and the key.

from toolkit.core.cues import CueLexicon  # noqa: E402
from toolkit.core.speakers import MentionLexicon  # noqa: E402
from toolkit.core.stance import StanceLexicon  # noqa: E402


@pytest.fixture()
def cfg(tmp_path) -> Path:
    import shutil

    d = tmp_path / "configs"
    shutil.copytree(REPO / "configs", d)
    return d


def _edit(cfg: Path, name: str, old: str, new: str) -> Path:
    p = cfg / name
    text = p.read_text(encoding="utf-8")
    assert old in text, (name, old)
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


def _load(cfg: Path, name: str):
    from toolkit.ingest import load_cleaning_rules
    from toolkit.pipeline import load_lexicons

    if name == "speakers.yaml":
        return load_registry(cfg / name)
    if name == "stance.yaml":
        return load_stance(cfg / name)
    if name == "cleaning.yaml":
        return load_cleaning_rules(cfg / name)
    return load_lexicons(cfg)


_NEW_SPEAKER = "  - name: Ikaika Moana\n    affiliation: other\n"

CASES = [
    # 1. wrong types
    ("stance_signals.yaml", "weight: 0.22", "weight: high", "key 'weight': must be a number"),
    ("stance_signals.yaml", "government:         {favor: 0.60, against: 0.05, neutral: 0.35}",
     "government:         [0.6, 0.05, 0.35]", "key 'priors.government': must be a mapping"),
    ("cleaning.yaml", "max_words: 40", "max_words: forty", "key 'captions.max_words': must be a whole number"),
    ("speakers.yaml", None, _NEW_SPEAKER + "    roles:\n      - {title: Harbour Master, end: 2019-02-30}\n",
     "'2019-02-30' is not a valid date"),
    # 2. misspelt keys
    ("cues.yaml", "\nverbs:", "\nverb:", "unknown key 'verb' (allowed: verbs, irregular"),
    ("cues.yaml", "  speech: [", "  speach: [", "verbs: unknown key 'speach' (allowed: speech,"),
    ("stance_signals.yaml", "\nsignals:", "\nsignal:", "unknown key 'signal'"),
    ("mentions.yaml", "\nrole_nouns:", "\nrole_noun:", "unknown key 'role_noun'"),
    ("cleaning.yaml", "  exact_lines:", "  exact_line:", "chrome: unknown key 'exact_line' (allowed: exact_lines, size_tokens)"),
    ("stance.yaml", "    examples:", "    exemples:", "target 'government': unknown key 'exemples'"),
    ("speakers.yaml", "speakers:\n", "version: 2\nspeakers:\n", "unknown key 'version' (allowed: speakers)"),
    ("stance_signals.yaml", "  NGO:", "  ngo:", "priors: unknown key 'ngo'"),
    ("stance_signals.yaml", "government:         {favor:", "government:         {favour:", "priors.government: unknown key 'favour'"),
    # 3. a string where a list is expected
    ("cues.yaml", "  naming: [label, brand, dub, term]", "  naming: label, brand, dub, term", "key 'verbs.naming': must be a YAML list"),
    ("cues.yaml", "  say: [said]", "  say: said", "key 'irregular.say': must be a YAML list"),
    ("cleaning.yaml", 'size_tokens: [XS, S, SM, M, MD, L, LG, XL, XXL, "A-", A, "A+", "A++", "Text size", "Font size"]',
     "size_tokens: XS SM MD LG", "key 'chrome.size_tokens': must be a YAML list"),
    ("speakers.yaml", None, _NEW_SPEAKER + "    roles: Harbour Master\n", "field 'roles': must be a YAML list"),
    ("speakers.yaml", None, _NEW_SPEAKER + "    aliases: Kai Moana, Ikaika Moanna\n", "field 'aliases': must be a YAML list"),
    ("mentions.yaml", "  minister: [minister]", "  minister: minister", "key 'role_nouns.minister': must be a YAML list"),
    # 4. duplicate speaker
    ("speakers.yaml", None, "  - name: Hun Sen\n    affiliation: government\n", "'Hun Sen': already defined as speaker #"),
    # 5. duplicate YAML keys
    ("mentions.yaml", "  official: [official]\n", "  official: [official]\n  official: [officials]\n", "duplicate key 'official' (first defined on line"),
    ("cleaning.yaml", "  max_words: 40\n", "  max_words: 40\n  max_words: 30\n", "duplicate key 'max_words'"),
    # 6. messages
    ("stance.yaml", "  government:", "\tgovernment:", "use spaces, not tabs"),
    ("cleaning.yaml", "\nmetadata:", "\nmeta_data:", "unknown key 'meta_data' (allowed: chrome, captions, comments, metadata)"),
]


@pytest.mark.parametrize("name,old,new,needle", CASES)
def test_config_mistakes_are_config_errors_naming_file_and_key(cfg, name, old, new, needle):
    if old is None:  # append a speaker entry
        p = cfg / name
        p.write_text(p.read_text(encoding="utf-8").rstrip("\n") + "\n" + new, encoding="utf-8")
    else:
        p = _edit(cfg, name, old, new)
    with pytest.raises(ConfigError) as exc:
        _load(cfg, name)
    msg = str(exc.value)
    assert str(p) in msg and needle in msg, msg


def test_from_dict_wrong_types_name_the_file():
    with pytest.raises(ConfigError, match=r"cues.yaml: key 'verbs': must be a mapping"):
        CueLexicon.from_dict({"verbs": ["say", "tell"]})
    with pytest.raises(ConfigError, match=r"cues.yaml: key 'verbs.speech': must be a YAML list.*got the string 'say, tell, warn'"):
        CueLexicon.from_dict({"verbs": {"speech": "say, tell, warn"}})
    with pytest.raises(ConfigError, match=r"cues.yaml: key 'irregular': must be a mapping"):
        CueLexicon.from_dict({"irregular": ["said", "told"]})
    with pytest.raises(ConfigError, match=r"mentions.yaml: key 'pronouns': must be a mapping"):
        MentionLexicon.from_dict({"pronouns": ["he", "she"]})
    with pytest.raises(ConfigError, match=r"mentions.yaml: key 'pronouns.she': 'femal' is not one of"):
        MentionLexicon.from_dict({"pronouns": {"she": "femal"}})
    with pytest.raises(ConfigError, match=r"stance_signals.yaml: key 'signals.neutral': must be a YAML list"):
        StanceLexicon.from_dict({"signals": {"neutral": "odds, chances"}})


def test_shipped_configs_load_and_have_no_duplicate_keys():
    from toolkit.config import _load_yaml
    from toolkit.ingest import load_cleaning_rules
    from toolkit.pipeline import load_lexicons

    lex = load_lexicons(REPO / "configs")
    load_cleaning_rules(REPO / "configs" / "cleaning.yaml")
    for name in ("speakers.yaml", "stance.yaml", "cues.yaml", "mentions.yaml", "stance_signals.yaml", "cleaning.yaml"):
        _load_yaml(REPO / "configs" / name)
    # the value in effect before the duplicate 'premier:' was removed (the later one) is kept
    assert lex.mentions.role_nouns["premier"] == ("prime minister",)


def test_cleaning_empty_and_missing_section_messages(cfg):
    from toolkit.ingest import load_cleaning_rules

    p = cfg / "cleaning.yaml"
    p.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cleaning.yaml: file is empty"):
        load_cleaning_rules(p)
    p.write_text("chrome: {}\ncaptions: {}\ncomments: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="missing section 'metadata'"):
        load_cleaning_rules(p)
    p.write_text("chrome: {}\ncaptions: {}\ncomments: {}\nmetadata: {dateline_pattern: x}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="key 'metadata.byline_pattern': missing"):
        load_cleaning_rules(p)


def _cli(args, cwd, cfg=None):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "QUOTEKIT_CONFIGS"}
    if cfg is not None:
        env["QUOTEKIT_CONFIGS"] = str(cfg)
    return subprocess.run([sys.executable, "-m", "toolkit", *args], capture_output=True, text=True, cwd=cwd, env=env)


def test_wrong_types_in_cli_are_one_line_errors_not_tracebacks(cfg, tmp_path):
    (cfg / "cues.yaml").write_text("verbs: [say, tell]\n", encoding="utf-8")
    (tmp_path / "a.jsonl").write_text('{"article_id": "a", "text": "Kai Moana said it."}\n', encoding="utf-8")
    r = _cli(["preannotate", "a.jsonl", "-o", "p.jsonl"], tmp_path, cfg)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr[-800:]
    assert "cues.yaml: key 'verbs': must be a mapping" in r.stderr


def test_ls_config_check_names_the_output_to_regenerate(tmp_path):
    (tmp_path / "c.xml").write_text("<View/>\n", encoding="utf-8")
    r = _cli(["ls", "config", "-o", "c.xml", "--check"], tmp_path)
    assert r.returncode != 0
    assert "regenerate it with `quotekit ls config -o c.xml`" in r.stderr


def test_summary_line_names_a_non_default_configs_dir(cfg, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("A title\n\nSomeone said the thing was fine, and more words here.\n", encoding="utf-8")
    r = _cli(["ingest", str(raw), "-o", "i.jsonl"], tmp_path, cfg)
    assert r.returncode == 0, r.stderr[-800:]
    assert f"configs {cfg}" in r.stderr
    r = _cli(["ingest", str(raw), "-o", "i.jsonl"], tmp_path, REPO / "configs")
    assert r.returncode == 0 and "configs " not in r.stderr.split("Wrote", 1)[1]


# --------------------------------------------------------------------------- dated affiliations


@pytest.mark.parametrize("extra,field,needle", [
    ({"affiliations": [{"affiliation": "govt", "start": "1993"}]}, "affiliations[1].affiliation", "'govt' is not one of"),
    ({"affiliations": [{"affiliation": "government"}]}, "affiliations[1]", "needs a start or an end date"),
    ({"affiliations": [{"affiliation": "government", "start": "1998", "end": "1994"}]}, "affiliations[1].end", "before the start"),
    ({"affiliations": [{"affiliation": "government", "from": "1998"}]}, "affiliations[1].from", "unknown field"),
    ({"affiliations": "government"}, "affiliations", "must be a list"),
    ({"roles": [{"title": "Minister", "start": "early 2019"}]}, "roles[1].start", "not a date like 2019, 2019-05 or 2019-05-31"),
    ({"roles": [{"title": "Minister", "start": "2019-13"}]}, "roles[1].start", "not a date"),
    ({"roles": [{"title": "Minister", "start": "2019-05", "end": "2018"}]}, "roles[1].end", "before the start"),
])
def test_dated_fields_are_checked(tmp_path, extra, field, needle):
    p = _write(tmp_path, {"speakers": [{"name": "Ok Person", "affiliation": "media"},
                                       {"name": "A B", "affiliation": "opposition", **extra}]})
    with pytest.raises(ConfigError) as exc:
        load_registry(p)
    msg = str(exc.value)
    assert str(p) in msg and "speaker #2" in msg and f"field '{field}'" in msg and needle in msg, msg


def test_affiliation_on_a_date_and_without_one(tmp_path):
    p = tmp_path / "speakers.yaml"
    p.write_text(
        "speakers:\n"
        "  - name: Defec Tor\n    affiliation: government\n"
        "    affiliations:\n      - {affiliation: opposition, start: 2013-07, end: 2018}\n"
        "    roles:\n      - {title: Lawmaker, start: 2013-07-28, end: 2017}\n"
        "  - name: Steady One\n    affiliation: NGO\n", encoding="utf-8")
    reg = load_registry(p)
    sp = reg.get("Defec Tor")
    assert sp.roles[0].start == "2013-07-28" and sp.roles[0].end == "2017"  # unquoted YAML dates read as text
    assert [sp.affiliation_on(d) for d in ("2013-06-30", "2013-07-01", "2016", "2018-12-31", "2019-01-01", None)] == \
        ["government", "opposition", "opposition", "opposition", "government", "government"]
    assert reg.affiliation("Defec Tor", "2015-03-02") == "opposition" and reg.affiliation("Defec Tor") == "government"
    assert reg.affiliation("Steady One", "2015-03-02") == "NGO" and reg.affiliation("Nobody", "2015") is None


# --------------------------------------------------------------------------- YAML aliases


def _bomb(levels: int = 9, width: int = 10) -> str:
    """A "billion laughs" document: each level repeats the previous one ``width`` times."""
    lines = ['a0: &a0 ["' + "lol" * 100 + '"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\nspeakers: []\n"


def test_an_alias_bomb_is_refused_quickly_in_one_line(tmp_path):
    import time

    for name in ("speakers.yaml", "stance.yaml"):
        p = tmp_path / name
        p.write_text(_bomb(), encoding="utf-8")
        t = time.perf_counter()
        with pytest.raises(ConfigError) as exc:
            (load_registry if name == "speakers.yaml" else load_stance)(p)
        assert time.perf_counter() - t < 2.0
        msg = str(exc.value)
        assert msg.startswith(f"{p}: YAML aliases") and "refused" in msg and "\n" not in msg, msg


def test_a_recursive_alias_is_refused(tmp_path):
    p = tmp_path / "speakers.yaml"
    p.write_text("loop: &x [1, *x]\nspeakers: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="recursive alias"):
        load_registry(p)


def test_modest_aliases_still_load(tmp_path):
    p = tmp_path / "speakers.yaml"
    roles = "".join(f"  - name: Person Number{i}\n    affiliation: NGO\n    roles: *r\n" for i in range(50))
    p.write_text("speakers:\n  - name: First Person\n    affiliation: NGO\n    roles: &r\n      - {title: Rights worker, start: '2001'}\n"
                 + roles, encoding="utf-8")
    reg = load_registry(p)
    assert len(reg) == 51 and all(sp.roles[0].title == "Rights worker" for sp in reg)


def test_expanded_size_counts_what_aliases_repeat():
    import yaml

    from toolkit.config import expanded_size

    assert expanded_size(yaml.compose("[a, b]")) == (3, 2, 3, 2)
    nodes, chars, unique_nodes, unique_chars = expanded_size(yaml.compose(_bomb(levels=3, width=4)))
    assert unique_nodes < 30 and nodes > 4 ** 3 and chars >= 300 * 4 ** 3


def test_the_c_loader_is_used_when_available_and_keeps_strict_checks(tmp_path):
    import yaml

    from toolkit.config import _loader_class

    if hasattr(yaml, "CSafeLoader"):
        assert issubclass(_loader_class(), yaml.CSafeLoader)
    p = tmp_path / "speakers.yaml"
    p.write_text("speakers:\n  - name: A B\n    affiliation: NGO\n    affiliation: media\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 4: invalid YAML: duplicate key 'affiliation' \(first defined on line 3\)"):
        load_registry(p)


# --------------------------------------------------------------------------- registry cache


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("QUOTEKIT_CACHE_DIR", str(d))
    monkeypatch.delenv("QUOTEKIT_NO_CACHE", raising=False)
    return d


def _no_yaml(monkeypatch):
    """Make YAML parsing fail: a load that succeeds afterwards came from the cache."""
    import toolkit.config as C

    def boom(*a, **k):
        raise AssertionError("parsed the YAML instead of using the cache")

    monkeypatch.setattr(C, "_load_yaml", boom)


def test_registry_cache_is_used_and_equals_a_fresh_parse(cache, monkeypatch):
    shipped = REPO / "configs" / "speakers.yaml"
    fresh = load_registry(shipped)
    files = list(cache.glob("registry-*.json"))
    assert len(files) == 1
    _no_yaml(monkeypatch)
    cached = load_registry(shipped)
    assert cached.speakers == fresh.speakers and cached.path == shipped
    assert cached.get("Sar Keng").name == "Sar Kheng" and cached.affiliation("Sam Rainsy", "1994-01-01") == "government"


def test_registry_cache_is_invalidated_when_the_file_changes(cache, tmp_path, monkeypatch):
    p = tmp_path / "speakers.yaml"
    p.write_text("speakers:\n  - name: Old Name\n    affiliation: NGO\n", encoding="utf-8")
    assert load_registry(p).names() == ["Old Name"]
    p.write_text("speakers:\n  - name: New Name\n    affiliation: NGO\n", encoding="utf-8")
    assert load_registry(p).names() == ["New Name"]
    assert len(list(cache.glob("registry-*.json"))) == 2
    _no_yaml(monkeypatch)
    assert load_registry(p).names() == ["New Name"]


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"key": "x", "speakers": []}', b"[1, 2]", b'\xff\xfe'])
def test_a_corrupt_cache_is_ignored_and_rewritten(cache, tmp_path, garbage):
    import json

    p = tmp_path / "speakers.yaml"
    p.write_text("speakers:\n  - name: Some One\n    affiliation: NGO\n    gender: female\n", encoding="utf-8")
    load_registry(p)
    (f,) = cache.glob("registry-*.json")
    f.write_bytes(garbage)
    reg = load_registry(p)
    assert reg.names() == ["Some One"] and reg.get("Some One").gender == "female"
    assert json.loads(f.read_text(encoding="utf-8"))["speakers"][0][0] == "Some One"  # rewritten


def test_a_cache_entry_with_the_wrong_shape_is_ignored(cache, tmp_path):
    import json

    p = tmp_path / "speakers.yaml"
    p.write_text("speakers:\n  - name: Some One\n    affiliation: NGO\n", encoding="utf-8")
    load_registry(p)
    (f,) = cache.glob("registry-*.json")
    doc = json.loads(f.read_text(encoding="utf-8"))
    doc["speakers"][0] = doc["speakers"][0][:3]  # a field missing
    f.write_text(json.dumps(doc), encoding="utf-8")
    assert load_registry(p).names() == ["Some One"]


def test_no_cache_when_turned_off_or_unwritable(cache, tmp_path, monkeypatch):
    p = tmp_path / "speakers.yaml"
    p.write_text("speakers:\n  - name: Some One\n    affiliation: NGO\n", encoding="utf-8")
    monkeypatch.setenv("QUOTEKIT_NO_CACHE", "1")
    assert load_registry(p).names() == ["Some One"] and not cache.exists()
    monkeypatch.delenv("QUOTEKIT_NO_CACHE")
    cache.write_text("a file where the cache dir should be", encoding="utf-8")
    assert load_registry(p).names() == ["Some One"]  # the cache cannot be written: only slower


def test_an_invalid_registry_is_never_cached(cache, tmp_path):
    p = tmp_path / "speakers.yaml"
    p.write_text("speakers:\n  - name: Some One\n    affiliation: govt\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ConfigError, match="'govt' is not one of"):
            load_registry(p)
    assert not list(cache.glob("registry-*.json")) if cache.exists() else True


def test_config_docstring_examples():
    import doctest

    import toolkit.config

    assert doctest.testmod(toolkit.config).failed == 0
