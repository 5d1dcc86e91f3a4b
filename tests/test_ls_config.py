"""Offline: the labeling config generated from configs/, and the server's start-up settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from toolkit.config import load_registry, load_stance
from toolkit.errors import ServerError
from toolkit.labelstudio import names as N
from toolkit.labelstudio import server
from toolkit.labelstudio.client import Connection, LabelStudioClient, resolve_connection
from toolkit.labelstudio.config import build_label_config, default_config_path


def _tree(xml: str) -> ET.Element:
    return ET.fromstring(xml)


def test_committed_config_is_up_to_date():
    assert default_config_path().read_text(encoding="utf-8") == build_label_config(), (
        "configs/label_config.xml is stale: run `quotekit ls config`"
    )


def test_ls_config_check_command_agrees():
    proc = subprocess.run([sys.executable, "-m", "toolkit", "ls", "config", "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "up to date" in proc.stdout


def test_config_is_deterministic():
    assert build_label_config() == build_label_config()


def test_config_offers_every_registry_name_and_stance_label():
    root = _tree(build_label_config())
    choices = {c.get("name"): [x.get("value") for x in c.iter("Choice")] for c in [*root.iter("Choices"), *root.iter("Taxonomy")]}
    names = load_registry().names()
    assert sorted(choices[N.SPEAKER_NAME]) == sorted(names) and len(choices[N.SPEAKER_NAME]) == len(names)
    assert choices[N.SPEAKER_NAME] == sorted(names, key=str.casefold)  # A to Z, also when filtered
    assert choices[N.STANCE] == list(load_stance().labels)
    assert choices[N.KIND] == ["direct", "indirect", "mixed"]
    assert choices[N.QUOTE_FLAGS] == [N.SPEAKER_UNKNOWN]


def test_config_uses_the_shared_names():
    root = _tree(build_label_config())
    labels = next(root.iter("Labels"))
    assert labels.get("name") == N.LABELS and labels.get("toName") == N.TEXT
    assert [x.get("value") for x in labels.iter("Label")] == list(N.REGION_LABELS)
    assert [r.get("value") for r in root.iter("Relation")] == [N.SAID_BY, N.CUE_OF]
    text = next(root.iter("Text"))
    assert text.get("name") == N.TEXT and text.get("value") == "$" + N.TEXT
    per_region = {c.get("name"): c for c in [*root.iter("Choices"), *root.iter("Taxonomy"), *root.iter("TextArea")]}
    for name, label in [(N.STANCE, N.QUOTE), (N.KIND, N.QUOTE), (N.QUOTE_FLAGS, N.QUOTE),
                        (N.SPEAKER_NAME, N.SPEAKER), (N.SPEAKER_NEW, N.SPEAKER)]:
        tag = per_region[name]
        assert tag.get("perRegion") == "true" and tag.get("toName") == N.TEXT
        assert tag.get("whenTagName") == N.LABELS and tag.get("whenLabelValue") == label, name
        assert tag.get("displayMode") is None  # "region-list" breaks whenLabelValue
    # the speaker: a searchable Taxonomy (typing only filters), one name, no parent to pick
    speaker = per_region[N.SPEAKER_NAME]
    assert speaker.tag == "Taxonomy" and speaker.get("maxUsages") == "1" and speaker.get("leafsOnly") == "true"
    assert speaker.get("legacy") is None  # the legacy Taxonomy has no search box
    assert all(len(list(c)) == 0 for c in speaker.iter("Choice"))  # flat: every name is a leaf


def test_config_shows_the_review_panel_beside_the_article():
    root = _tree(build_label_config())
    (panel,) = [h for h in root.iter("HyperText") if h.get("name") == N.REVIEW]
    assert panel.get("value") == "$" + N.REVIEW and panel.get("inline") == "true"
    assert panel.get("selectionEnabled") == "false"  # no region can be drawn in it
    # no control labels it: the panel is read-only
    assert all(c.get("toName") != N.REVIEW for c in root.iter() if c.get("toName"))


def test_config_shows_article_metadata():
    values = {h.get("value") for h in _tree(build_label_config()).iter("Header")}
    for key in ("title", "outlet", "date"):
        assert f"${key}" in values
    guide = [v for v in values if (v or "").startswith("Guidelines:")]
    assert len(guide) == 1 and "Instructions button" in guide[0]
    assert "GUIDELINES.md" not in guide[0]  # a repository path means nothing to an annotator


def test_stance_is_required_per_quote():
    stance = next(c for c in _tree(build_label_config()).iter("Choices") if c.get("name") == N.STANCE)
    assert stance.get("required") == "true" and stance.get("perRegion") == "true"
    assert "stance" in stance.get("requiredMessage")
    others = [c for c in _tree(build_label_config()).iter() if c.get("name") in (N.KIND, N.QUOTE_FLAGS, N.SPEAKER_NAME, N.SPEAKER_NEW)]
    assert len(others) == 4 and all(c.get("required") is None for c in others)


def test_controls_sit_in_a_sticky_column_next_to_the_text():
    root = _tree(build_label_config())
    parent = {child: p for p in root.iter() for child in p}
    text = next(root.iter("Text"))
    text_col = parent[text]
    row = parent[text_col]
    assert "display: flex" in row.get("style") and "flex: 1" in text_col.get("style")
    side = [v for v in row if v is not text_col]
    assert len(side) == 1 and "position: sticky" in side[0].get("style")
    inside = {e.get("name") for e in side[0].iter() if e.get("name")}
    assert {N.LABELS, N.STANCE, N.KIND, N.QUOTE_FLAGS, N.SPEAKER_NAME, N.SPEAKER_NEW} <= inside
    assert next(root.iter("Relations")) in list(side[0].iter())


def test_guidelines_are_html_not_raw_markdown():
    from toolkit.labelstudio.config import guidelines_html

    out = guidelines_html()
    assert "<pre" not in out and "<h1>" in out and "<h2>" in out and "<table" in out and "<li>" in out
    assert "|---|" not in out and "**" not in out and "## " not in out


def test_markdown_to_html_subset():
    from toolkit.labelstudio.config import markdown_to_html

    md = (
        "# Title\n\nA *short* para\nwith **bold** and `q` <b>raw</b>.\n\n"
        "| what | how |\n|---|---|\n| `a` | b & c |\n\n"
        "- one\n  continued\n- two\n\n1. first\n2. second\n"
    )
    assert markdown_to_html(md) == (
        "<h1>Title</h1>\n"
        "<p>A <em>short</em> para with <strong>bold</strong> and <code>q</code> &lt;b&gt;raw&lt;/b&gt;.</p>\n"
        '<table border="1" cellpadding="4" cellspacing="0">\n'
        "<tr><th>what</th><th>how</th></tr>\n"
        "<tr><td><code>a</code></td><td>b &amp; c</td></tr>\n"
        "</table>\n"
        "<ul><li>one continued</li><li>two</li></ul>\n"
        "<ol><li>first</li><li>second</li></ol>\n"
    )


def test_config_escapes_awkward_names():
    xml = build_label_config(["Cambodian People's Party", 'The "Rescue" <Party> & Co'], ("favor", "against", "neutral"), "x")
    names = [c.get("value") for c in _tree(xml).iter("Choice")]
    assert "Cambodian People's Party" in names and 'The "Rescue" <Party> & Co' in names


def test_label_interface_accepts_the_config():
    from toolkit.labelstudio.tasks import label_interface

    li = label_interface(build_label_config())
    assert {c.name for c in li.controls} == {N.LABELS, N.STANCE, N.KIND, N.QUOTE_FLAGS, N.SPEAKER_PICK, N.SPEAKER_NAME, N.SPEAKER_NEW}


# --------------------------------------------------------------------------- server settings


def test_server_env_is_clean_and_offline(monkeypatch, tmp_path):
    for stray in ("HOST", "PORT", "DEBUG", "USERNAME", "PASSWORD", "LOG_LEVEL", "LABEL_STUDIO_API_KEY", "DJANGO_DB"):
        monkeypatch.setenv(stray, "stray")
    env = server.server_env(tmp_path, "pw", "tok123")
    for stray in ("HOST", "PORT", "USERNAME", "PASSWORD", "LABEL_STUDIO_API_KEY"):
        assert stray not in env
    assert env["DEBUG"] == "false" and env["LOG_LEVEL"] == "WARNING" and env["DJANGO_DB"] == "sqlite"
    assert env["LATEST_VERSION_CHECK"] == "false" and env["COLLECT_ANALYTICS"] == "false"
    assert env["SENTRY_DSN"] == "" and env["FRONTEND_SENTRY_DSN"] == ""
    assert env["LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK"] == "true"
    assert env["LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN"] == "true"
    assert env["LABEL_STUDIO_USER_TOKEN"] == "tok123" and env["LABEL_STUDIO_PASSWORD"] == "pw"
    assert env["LABEL_STUDIO_BASE_DATA_DIR"] == str(tmp_path)
    assert env["PATH"] == os.environ["PATH"]


def test_secrets_are_generated_once_with_0600(monkeypatch, tmp_path):
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    first = server._ensure_secrets(tmp_path, echo=lambda s: None)
    second = server._ensure_secrets(tmp_path, echo=lambda s: None)
    assert first == second and len(first[1]) == 40
    for name in (server.PASSWORD_FILE, server.TOKEN_FILE):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    assert server.read_token(tmp_path) == first[1]


def test_api_key_from_environment_becomes_the_token(monkeypatch, tmp_path):
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "my-fixed-token-123")
    _, token = server._ensure_secrets(tmp_path, echo=lambda s: None)
    assert token == "my-fixed-token-123"
    assert server.read_token(tmp_path) == "my-fixed-token-123"


def test_connection_flags_beat_environment_beat_data_dir(monkeypatch, tmp_path):
    (tmp_path / server.STATE_FILE).write_text(json.dumps({"url": "http://127.0.0.1:1", "port": 1, "pid": os.getpid()}))
    server._write_secret(tmp_path / server.TOKEN_FILE, "datadirtoken")
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    c = resolve_connection(None, None, tmp_path)
    assert (c.url, c.token) == ("http://127.0.0.1:1", "datadirtoken")
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:2/")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "envtoken")
    c = resolve_connection(None, None, tmp_path)
    assert (c.url, c.token) == ("http://127.0.0.1:2", "envtoken")
    c = resolve_connection("http://127.0.0.1:3", "flagtoken", tmp_path)
    assert (c.url, c.token) == ("http://127.0.0.1:3", "flagtoken")
    assert "flagtoken" not in repr(c)


def test_no_server_no_url_says_how_to_start_one(monkeypatch, tmp_path):
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    with pytest.raises(ServerError, match="quotekit ls serve --detach"):
        resolve_connection(None, "tok", tmp_path)


def test_unreachable_server_is_one_line_without_the_token():
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    client = LabelStudioClient(Connection(url, "secret-token-xyz"), backoff=0.01)
    with pytest.raises(ServerError) as err:
        client.check()
    assert str(err.value) == (
        f"cannot reach Label Studio at {url}: start it with `quotekit ls serve --detach` or set LABEL_STUDIO_URL"
    )
    assert "secret-token-xyz" not in repr(client) and "secret-token-xyz" not in str(err.value)


def test_ls_token_without_a_server_explains(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "toolkit", "ls", "token", "--data-dir", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "quotekit ls serve" in proc.stderr


def test_ls_stop_without_a_server(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "toolkit", "ls", "stop", "--data-dir", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "No Label Studio server is running" in proc.stdout


def _fake_venv(root, script: str):
    """A venv whose label-studio is a shell script (the version probe answers 1.23.2)."""
    bin_dir = root / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").write_text("#!/bin/sh\necho 1.23.2\n")
    (bin_dir / "label-studio").write_text("#!/bin/sh\n" + script)
    for f in bin_dir.iterdir():
        f.chmod(0o755)
    return root


def _serve(tmp_path, venv, *extra):
    env = {k: v for k, v in os.environ.items() if k not in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY")}
    env["QUOTEKIT_LS_VENV"] = str(venv)
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return subprocess.run(
        [sys.executable, "-m", "toolkit", "ls", "serve", "--detach", "--port", str(port),
         "--data-dir", str(tmp_path / "data"), *extra],
        capture_output=True, text=True, env=env, timeout=60,
    )


def test_serve_reports_a_crashing_server_with_its_log(tmp_path):
    venv = _fake_venv(tmp_path / "venv", "echo 'django.db.utils.OperationalError: disk full'\nexit 7\n")
    proc = _serve(tmp_path, venv)
    assert proc.returncode == 3
    assert "Label Studio exited with code 7 before it was ready" in proc.stderr
    assert str(tmp_path / "data" / "server.log") in proc.stderr and "disk full" in proc.stderr
    assert not (tmp_path / "data" / "server.json").exists()


def test_serve_times_out_with_a_clear_message(tmp_path):
    venv = _fake_venv(tmp_path / "venv", "exec sleep 30\n")
    proc = _serve(tmp_path, venv, "--timeout", "2")
    assert proc.returncode == 3
    assert "did not answer" in proc.stderr and "/health within 2 s" in proc.stderr and "server.log" in proc.stderr
    assert not (tmp_path / "data" / "server.json").exists()


def test_serve_warns_about_another_host_and_refuses_a_busy_port(tmp_path):
    venv = _fake_venv(tmp_path / "venv", "exit 1\n")
    with __import__("socket").socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {**os.environ, "QUOTEKIT_LS_VENV": str(venv)}
        proc = subprocess.run(
            [sys.executable, "-m", "toolkit", "ls", "serve", "--port", str(port), "--host", "0.0.0.0",
             "--data-dir", str(tmp_path / "data")],
            capture_output=True, text=True, env=env, timeout=60,
        )
    assert "Warning: --host 0.0.0.0 ignored" in proc.stderr
    assert proc.returncode == 3 and f"port {port} on 127.0.0.1 is in use" in proc.stderr


def test_relation_types_have_distinct_colours_and_the_article_leaves_room_for_the_arcs():
    from toolkit.labelstudio.config import (ARTICLE_CLASS, ARTICLE_LINE_HEIGHT_PX, RELATION_COLOURS, RELATION_DIRECTIONS,
                                            SCREEN_CSS)

    root = _tree(build_label_config())
    backgrounds = {r.get("value"): r.get("background") for r in root.iter("Relation")}
    assert backgrounds == RELATION_COLOURS and len(set(backgrounds.values())) == 2
    # Label Studio 1.23 styles no relation type: the direction (arrow heads) carries it, and the CSS
    # colours each kind of arrow; the two directions must differ for that
    assert len(set(RELATION_DIRECTIONS.values())) == 2 and set(RELATION_DIRECTIONS) == {N.SAID_BY, N.CUE_OF}
    (style,) = list(root.iter("Style"))
    assert style.text == SCREEN_CSS
    for label, colour in RELATION_COLOURS.items():
        marker = "marker-end" if RELATION_DIRECTIONS[label] == "right" else "marker-start"
        assert f"path[{marker}] {{ stroke: {colour}; }}" in SCREEN_CSS
    # the arcs run 18 px above a region: the article's lines leave that much between them (measured
    # in chromium: at 38 px a bar touches the glyphs above, at 36 px most cross; test_ls_screen checks the page)
    assert f".{ARTICLE_CLASS} .lsf-richtext__line {{ line-height: {ARTICLE_LINE_HEIGHT_PX}px; }}" in SCREEN_CSS
    assert ARTICLE_LINE_HEIGHT_PX >= 40 and any(v.get("className") == ARTICLE_CLASS for v in root.iter("View"))
    assert ">" not in SCREEN_CSS  # Label Studio sanitises the Style tag's text: no child combinators


def test_a_project_made_before_the_speaker_became_a_taxonomy_is_still_quotekits():
    """Its speaker control is a Choices drop-down: ls push updates its config and ls pull exports
    it (measured on Label Studio 1.23.2: the config update is accepted, a task pushed without the
    review panel's data key still renders), instead of refusing it as another tool's project."""
    from toolkit.labelstudio.config import foreign_config_reason
    from toolkit.labelstudio.export.foreign import foreign_findings, quotekit_controls

    older = build_label_config().replace("<Taxonomy name=", "<Choices name=").replace("</Taxonomy>", "</Choices>")
    assert "<Taxonomy" not in older and foreign_config_reason(older) is None
    # another tag for another control is still foreign
    xml = build_label_config()
    at = xml.index('<Choices name="stance"')
    end = xml.index("</Choices>", at)
    other = xml[:at] + "<Taxonomy" + xml[at + len("<Choices"):end] + "</Taxonomy>" + xml[end + len("</Choices>"):]
    reason = foreign_config_reason(other)
    assert reason is not None and "not readable" not in reason and "Taxonomy 'stance'" in reason
    old_item = {"from_name": N.SPEAKER_NAME, "to_name": N.TEXT, "type": "choices", "value": {"choices": ["Hun Sen"]}}
    assert foreign_findings(old_item, quotekit_controls()) == []
