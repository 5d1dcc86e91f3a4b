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
